"""Statistics pages: the released figures, the imports of the public standards, the findings."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from corett import policy
from corett.audit.services import audit_log
from corett.core.forms import add_service_error
from corett.directory.models import Country
from corett.statistics import caseload as caseload_tables
from corett.statistics import jobs, privacy, release
from corett.statistics.forms import FiguresFilterForm, FindingFilterForm, ImportForm, ReviewForm
from corett.statistics.models import Batch, Finding, Indicator, IndicatorCode
from corett.statistics.services import review_finding


@login_required
def index(request: HttpRequest) -> HttpResponse:
    policy.authorize(request.user, "statistics.view")
    form = FiguresFilterForm(request.GET or None)
    indicator_code = IndicatorCode.DETECTED_VICTIMS.value
    year = None
    if form.is_valid():
        indicator_code = form.cleaned_data.get("indicator") or indicator_code
        year = form.cleaned_data.get("year")
    members = list(Country.objects.members().order_by("name_es"))
    codes = [c.iso3 for c in members]
    rows = release.released_values(request.user, indicator=indicator_code, countries=[*codes, release.REGION],
                                   years=[year] if year else None)
    years = sorted({r.year for r in rows}, reverse=True)[:8]
    table = {(r.country, r.year): r for r in rows}
    indicator = Indicator.objects.get(code=indicator_code)
    context = {
        "form": form,
        "indicator": indicator,
        "years": years,
        "countries": [(c.iso3, c.name, [table.get((c.iso3, y)) for y in years]) for c in members],
        "region": [table.get((release.REGION, y)) for y in years],
        "threshold": release.suppression_threshold(),
        "k": release.k_anonymity(),
        "dp_epsilon": privacy.configured_epsilon(),
        "dp_requested": bool(getattr(settings, "STATISTICS_DP_EPSILON", None)),
        "own_country": release.own_country(request.user),
        "can_view_caseload": policy.can(request.user, "statistics.view_caseload"),
    }
    return render(request, "statistics/index.html", context)


@login_required
def caseload(request: HttpRequest) -> HttpResponse:
    """Repatriation in progress: the cases' counts after disclosure control, never a case."""
    policy.authorize(request.user, "statistics.view_caseload")
    released = caseload_tables.released_caseload()
    names = caseload_tables.country_names(code for pair in released.pairs for code in pair)
    pair_rows, pair_totals = caseload_tables.by_pair_and_phase(released, names)
    age_rows, age_totals = caseload_tables.by_phase_and_age(released)
    context = {
        "caseload": released,
        "phases": caseload_tables.PHASES,
        "ages": [caseload_tables.AGE_LABELS[a] for a in (*caseload_tables.AGES, caseload_tables.TOTAL)],
        "pair_rows": pair_rows,
        "pair_totals": pair_totals,
        "age_rows": age_rows,
        "age_totals": age_totals,
    }
    return render(request, "statistics/caseload.html", context)


@login_required
def caseload_csv(request: HttpRequest) -> HttpResponse:
    """The released cells of the caseload as CSV (the same cells as the page and the API)."""
    policy.authorize(request.user, "statistics.view_caseload")
    exported = caseload_tables.CaseloadExporter(caseload_tables.released_caseload()).export("csv")
    audit_log(actor=request.user, action="statistics.export_caseload", extra={"format": "csv", "rows": exported.rows})
    return exported.as_response()


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    policy.authorize(request.user, "statistics.import")
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        batch = jobs.start_import(actor=request.user, source=form.cleaned_data["source"],
                                  upload=form.cleaned_data["file"])
        return redirect("statistics:import_detail", pk=batch.pk)
    batches = policy.scope(request.user, "statistics.view_batch", Batch.objects.imports())[:20]
    return render(request, "statistics/import_upload.html", {"form": form, "batches": batches})


def _batch_for(request: HttpRequest, pk: int) -> Batch:
    batch = policy.scope(request.user, "statistics.view_batch", Batch.objects.select_related("created_by")).filter(
        pk=pk).first()
    if batch is None:
        raise Http404
    return batch


@login_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch_for(request, pk)
    return render(request, "statistics/import_detail.html", {"batch": batch, "summary": _summary(batch)})


@login_required
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch_for(request, pk)
    return render(request, "statistics/_import_progress.html", {"batch": batch, "summary": _summary(batch)})


def _summary(batch: Batch) -> list[tuple[str, int]]:
    labels = {
        "rows_read": _("rows read"), "values": _("values read"), "created": _("values stored (new)"),
        "updated": _("values stored (changed)"), "unchanged": _("values unchanged"),
        "suppressed": _("suppressed"), "duplicates": _("exact duplicates merged"), "conflicts": _("conflicts"),
        "held": _("values held for review"), "findings": _("findings"), "new_findings": _("new findings"),
        "skipped_missing_code": _("rows without a country code"),
        "skipped_missing_category": _("rows without a category"),
        "thousands_commas": _("values with thousands commas"), "cases_placed": _("cases counted"),
        "skipped_without_year": _("cases without a year"),
        "skipped_without_country": _("cases without a country of exploitation"),
    }
    return [(str(labels[k]), v) for k, v in batch.summary.items() if k in labels and isinstance(v, int)]


@login_required
def findings(request: HttpRequest) -> HttpResponse:
    policy.authorize(request.user, "statistics.view_findings")
    form = FindingFilterForm(request.GET or None)
    queryset = policy.scope(request.user, "statistics.view_finding",
                            Finding.objects.select_related("indicator", "batch"))
    if form.is_valid():
        data = form.cleaned_data
        if data.get("country"):
            queryset = queryset.filter(country_iso3=data["country"].upper())
        if data.get("year"):
            queryset = queryset.filter(year=data["year"])
        if data.get("status"):
            queryset = queryset.filter(status=data["status"])
        if data.get("kind"):
            queryset = queryset.filter(kind=data["kind"])
    page = Paginator(queryset.order_by("status", "country_iso3", "year", "pk"), 50).get_page(request.GET.get("page"))
    return render(request, "statistics/findings.html", {"form": form, "page": page,
                                                        "can_review": policy.can(request.user, "statistics.review_finding", None)})


def _finding_for(request: HttpRequest, pk: int) -> Finding:
    finding = policy.scope(request.user, "statistics.view_finding",
                           Finding.objects.select_related("indicator", "batch", "value", "reviewed_by")).filter(pk=pk).first()
    if finding is None:
        raise Http404
    return finding


@login_required
def finding_detail(request: HttpRequest, pk: int) -> HttpResponse:
    finding = _finding_for(request, pk)
    form = ReviewForm() if policy.can(request.user, "statistics.review_finding", finding) else None
    return render(request, "statistics/finding_detail.html", {"finding": finding, "form": form})


@login_required
@require_POST
def finding_review(request: HttpRequest, pk: int) -> HttpResponse:
    finding = _finding_for(request, pk)
    policy.authorize(request.user, "statistics.review_finding", finding)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            review_finding(actor=request.user, finding=finding, status=form.cleaned_data["status"],
                           comment=form.cleaned_data["comment"])
        except ValidationError as error:
            add_service_error(form, error)
        else:
            return redirect("statistics:finding_detail", pk=finding.pk)
    return render(request, "statistics/finding_detail.html", {"finding": finding, "form": form}, status=400)

