"""National reporting's pages: data sets, each country's report (template, upload, entry form,
submission), the Secretariat's review, and the completeness and timeliness dashboard.

A report is reached through ``_get_submission_for_user``: an unknown period or country is a 404,
and a report the user may not see (another country's) is refused by the policy (403, audited).
Writes go through ``corett.reporting.services``, which authorise again, validate and audit.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from corett import policy
from corett.accounts.models import User
from corett.cases.documents import BoundedMemoryUploadHandler
from corett.core.forms import add_service_error, submitted
from corett.directory.models import Country
from corett.reporting import dashboard, services
from corett.reporting.countries import country_name
from corett.reporting.elements import Element, country_block_label, country_blocks, element_by_key
from corett.reporting.forms import (
    ApproveForm,
    DataSetForm,
    EntryForm,
    ReopenForm,
    ReturnForm,
    UploadForm,
    stored_values,
)
from corett.reporting.models import DataSet, Submission, SubmissionState, Value
from corett.reporting.validation import Finding
from corett.reporting.workbook import build_template

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class AuthenticatedRequest(HttpRequest):
    user: User


# --- Fetch and authorise -----------------------------------------------------------------------


def _parse_code(code: str) -> dict[str, Any]:
    """"2025", "2025-S1", "2025-Q3" → the data set's period fields (or 404)."""
    year, _sep, part = code.partition("-")
    if not year.isdigit():
        raise Http404
    if not part:
        return {"period_type": "year", "year": int(year), "number": 1}
    kinds = {"S": "semester", "Q": "quarter"}
    if len(part) != 2 or part[0] not in kinds or not part[1].isdigit():
        raise Http404
    return {"period_type": kinds[part[0]], "year": int(year), "number": int(part[1])}


def _get_data_set_for_user(user: Any, code: str, action: str = "reporting.view") -> DataSet:
    data_set = get_object_or_404(DataSet.objects.visible_to(user), **_parse_code(code))
    policy.authorize(user, action, data_set)
    return data_set


def _get_submission_for_user(user: Any, code: str, iso2: str, action: str = "reporting.view_submission") -> Submission:
    """The report (unsaved and empty if the country has not started it), authorised for ``action``."""
    data_set = _get_data_set_for_user(user, code)
    country = get_object_or_404(Country.objects.members(), iso2=iso2.upper())
    submission = (
        Submission.objects.select_related("data_set", "country").filter(data_set=data_set, country=country).first()
        or Submission(data_set=data_set, country=country)
    )
    policy.authorize(user, "reporting.view_submission", submission)
    if action != "reporting.view_submission":
        policy.authorize(user, action, submission)
    return submission


# --- Data sets ---------------------------------------------------------------------------------


@login_required
@require_GET
def index(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    policy.authorize(user, "reporting.view")
    data_sets = list(DataSet.objects.visible_to(user))
    own: dict[int, Submission] = {}
    if user.country_id is not None and policy.can(user, "reporting.report"):
        own = {
            s.data_set_id: s
            for s in Submission.objects.visible_to(user).filter(country_id=user.country_id, data_set__in=data_sets)
        }
    rows = [{"data_set": ds, "own": own.get(ds.pk)} for ds in data_sets]
    return render(request, "reporting/index.html", {
        "rows": rows,
        "may_manage": policy.can(user, "reporting.manage_data_sets"),
        "may_report": policy.can(user, "reporting.report"),
        "own_country": user.country_id,
    })


@login_required
@require_http_methods(["GET", "POST"])
def data_set_create(request: AuthenticatedRequest) -> HttpResponse:
    policy.authorize(request.user, "reporting.manage_data_sets")
    form = DataSetForm(request.POST or None)
    data_set = submitted(request, form, lambda data: services.data_set_create(actor=request.user, data=data))
    if data_set is not None:
        messages.success(request, _("The data set %(code)s was created; the focal points were told.")
                         % {"code": data_set.code})
        return redirect(data_set.get_absolute_url())
    return render(request, "reporting/data_set_form.html", {"form": form, "title": _("New data set")})


@login_required
@require_http_methods(["GET", "POST"])
def data_set_edit(request: AuthenticatedRequest, code: str) -> HttpResponse:
    data_set = _get_data_set_for_user(request.user, code, "reporting.manage_data_sets")
    form = DataSetForm(request.POST or None, instance=data_set)
    saved = submitted(request, form, lambda data: services.data_set_update(
        actor=request.user, data_set=data_set, data=data))
    if saved is not None:
        messages.success(request, _("The data set was saved."))
        return redirect(data_set.get_absolute_url())
    return render(request, "reporting/data_set_form.html", {
        "form": form, "title": _("Data set %(code)s") % {"code": data_set.code}, "data_set": data_set,
    })


@login_required
@require_GET
def data_set_detail(request: AuthenticatedRequest, code: str) -> HttpResponse:
    user = request.user
    data_set = _get_data_set_for_user(user, code)
    countries = policy.scope(user, "reporting.view_dashboard", Country.objects.members().order_by("name_es"))
    column = dashboard.build([data_set], countries)[0]
    return render(request, "reporting/data_set_detail.html", {
        "data_set": data_set, "column": column,
        "may_manage": policy.can(user, "reporting.manage_data_sets"),
        "may_open": {c.country.pk for c in column.cells if policy.can(user, "reporting.view_submission",
                                                                     Submission(data_set=data_set, country=c.country))},
    })


@login_required
@require_GET
def dashboard_view(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    policy.authorize(user, "reporting.view_dashboard")
    data_sets = list(DataSet.objects.visible_to(user)[:8])
    countries = list(policy.scope(user, "reporting.view_dashboard", Country.objects.members().order_by("name_es")))
    columns = dashboard.build(data_sets, countries)
    rows = [(country, [column.cells[i] for column in columns]) for i, country in enumerate(countries)]
    may_open = {c.pk for c in countries if policy.can(user, "reporting.view_submission", Submission(country=c))}
    return render(request, "reporting/dashboard.html", {"columns": columns, "rows": rows, "may_open": may_open})


# --- A country's report ------------------------------------------------------------------------


def _detail_context(request: AuthenticatedRequest, submission: Submission, **extra: Any) -> dict[str, Any]:
    user = request.user
    values = stored_values(submission)
    rows = [{"element": e, "value": values.get(e.key)} for e in submission.data_set.elements()]
    by_country = [
        {"label": country_block_label(dimension), "dimension": dimension, "rows": _countries(values, dimension)}
        for dimension, _indicator in country_blocks(submission.data_set.indicators)
    ]
    warnings = [Finding.from_dict(w) for w in submission.warnings]
    may_report = policy.can(user, "reporting.report", submission)
    may_review = policy.can(user, "reporting.review", submission)
    return {
        "submission": submission, "data_set": submission.data_set, "rows": rows, "warnings": warnings,
        "by_country": by_country,
        "events": list(submission.events.select_related("actor")) if submission.pk else [],
        "may_edit": may_report and submission.is_editable,
        "may_template": may_report or policy.can(user, "reporting.manage_data_sets"),
        "may_review": may_review and submission.state == SubmissionState.SUBMITTED,
        "may_reopen": may_review and submission.state == SubmissionState.APPROVED,
        "period_open": not submission.data_set.has_ended(),
        "return_form": extra.pop("return_form", ReturnForm()),
        "approve_form": extra.pop("approve_form", ApproveForm()),
        "reopen_form": extra.pop("reopen_form", ReopenForm()),
        **extra,
    }


def _countries(values: dict[str, Value], dimension: str) -> list[tuple[Element, Value, str]]:
    """The countries a report lists in one breakdown, largest first: (element, value, name)."""
    rows = [
        (element, value, country_name(element.category)) for key, value in values.items()
        if (element := element_by_key(key)) is not None and element.dimension == dimension
    ]
    return sorted(rows, key=lambda row: (-(row[1].value or 0), row[0].category))


@login_required
@require_GET
def submission_detail(request: AuthenticatedRequest, code: str, iso2: str) -> HttpResponse:
    submission = _get_submission_for_user(request.user, code, iso2)
    return render(request, "reporting/submission_detail.html", _detail_context(request, submission))


@login_required
@require_GET
def template_download(request: AuthenticatedRequest, code: str, iso2: str) -> HttpResponse:
    user = request.user
    submission = _get_submission_for_user(user, code, iso2)
    if not (policy.can(user, "reporting.report", submission) or policy.can(user, "reporting.manage_data_sets")):
        policy.authorize(user, "reporting.report", submission)
    content = build_template(data_set=submission.data_set, country=submission.country)
    response = HttpResponse(content, content_type=XLSX)
    name = f"corett-{submission.country.iso3}-{submission.data_set.code}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, name) or "attachment"
    return response


@csrf_exempt  # checked by _upload, once the bounded handler is in place
@login_required
def upload(request: AuthenticatedRequest, code: str, iso2: str) -> HttpResponse:
    # Before anything reads the body (the CSRF check reads the form): a 50 MB file is read off
    # the connection and dropped as it arrives, never held, and refused by its size.
    request.upload_handlers = [BoundedMemoryUploadHandler(request, limit=services.upload_max_bytes())]
    return _upload(request, code, iso2)


@csrf_protect
@require_http_methods(["GET", "POST"])
def _upload(request: AuthenticatedRequest, code: str, iso2: str) -> HttpResponse:
    user = request.user
    submission = _get_submission_for_user(user, code, iso2, "reporting.report")
    form = UploadForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"submission": submission, "data_set": submission.data_set, "form": form,
                               "limit": services.upload_max_bytes() // (1024 * 1024)}
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        try:
            services.check_upload_size(upload_file.size)  # a file over the limit was never kept
            result = services.submission_import(
                actor=user, submission=submission, content=upload_file.read(), file_name=upload_file.name or "",
            )
        except services.ReportRejected as rejected:
            context.update(findings=rejected.findings, report_rows=rejected.rows, rejected=True)
            form.add_error("file", _("Nothing was stored: correct the problems listed below and upload the file "
                                     "again."))
            return render(request, "reporting/upload.html", context, status=422)
        except ValidationError as error:
            add_service_error(form, error)
            return render(request, "reporting/upload.html", context, status=422)
        messages.success(request, _(
            "The template was imported: %(stored)s values stored, %(empty)s left empty, %(warnings)s to check."
        ) % {"stored": result.stored, "empty": result.empty, "warnings": len(result.warnings)})
        return redirect(result.submission.get_absolute_url())
    return render(request, "reporting/upload.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def entry(request: AuthenticatedRequest, code: str, iso2: str) -> HttpResponse:
    user = request.user
    submission = _get_submission_for_user(user, code, iso2, "reporting.report")
    if not submission.is_editable:
        messages.error(request, _("This report is %(state)s: it cannot be changed.")
                       % {"state": submission.get_state_display().lower()})
        return redirect(submission.get_absolute_url())
    form = EntryForm(request.POST or None, submission=submission)
    findings: list[Finding] = []
    if request.method == "POST" and form.is_valid():
        try:
            result = services.submission_save(actor=user, submission=submission, entries=form.entries(),
                                              countries=form.country_entries())
        except services.ReportRejected as rejected:
            findings = rejected.findings
            _findings_at_fields(form, findings)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The values were saved: %(stored)s given, %(warnings)s to check.")
                             % {"stored": result.stored, "warnings": len(result.warnings)})
            return redirect(result.submission.get_absolute_url())
    status = 422 if request.method == "POST" else 200
    return render(request, "reporting/entry.html", {
        "submission": submission, "data_set": submission.data_set, "form": form, "findings": findings,
    }, status=status)


def _findings_at_fields(form: EntryForm, findings: list[Finding]) -> None:
    errors: dict[str | None, list[str]] = {}
    for finding in findings:
        errors.setdefault(form.field_for(finding), []).append(finding.text)
    add_service_error(form, ValidationError({k or "__all__": v for k, v in errors.items()}))


@login_required
@require_POST
def submit(request: AuthenticatedRequest, code: str, iso2: str) -> HttpResponse:
    user = request.user
    submission = _get_submission_for_user(user, code, iso2, "reporting.report")
    try:
        services.submission_submit(actor=user, submission=submission)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The report was submitted to the Technical Secretariat for review."))
    return redirect(submission.get_absolute_url())


def _review(request: AuthenticatedRequest, code: str, iso2: str, *, form_class: type, form_key: str,
            act: Any, done: str) -> HttpResponse:
    user = request.user
    submission = _get_submission_for_user(user, code, iso2, "reporting.review")
    if submission.pk is None:
        raise Http404
    form = form_class(request.POST)
    if submitted(request, form, lambda data: act(user, submission, data)) is not None:
        messages.success(request, done)
        return redirect(submission.get_absolute_url())
    if form.non_field_errors():
        for message in form.non_field_errors():
            messages.error(request, message)
    return render(request, "reporting/submission_detail.html",
                  _detail_context(request, submission, **{form_key: form}), status=422)


@login_required
@require_POST
def return_for_correction(request: AuthenticatedRequest, code: str, iso2: str) -> HttpResponse:
    return _review(
        request, code, iso2, form_class=ReturnForm, form_key="return_form",
        act=lambda user, s, data: services.submission_return(actor=user, submission=s, comment=data["comment"]),
        done=_("The report was returned to the country with your comments."),
    )


@login_required
@require_POST
def approve(request: AuthenticatedRequest, code: str, iso2: str) -> HttpResponse:
    return _review(
        request, code, iso2, form_class=ApproveForm, form_key="approve_form",
        act=lambda user, s, data: services.submission_approve(actor=user, submission=s, comment=data["comment"]),
        done=_("The report was approved and locked; its figures are now part of the statistics."),
    )


@login_required
@require_POST
def reopen(request: AuthenticatedRequest, code: str, iso2: str) -> HttpResponse:
    return _review(
        request, code, iso2, form_class=ReopenForm, form_key="reopen_form",
        act=lambda user, s, data: services.submission_reopen(actor=user, submission=s, reason=data["reason"]),
        done=_("The report was reopened; the country was told, and its figures left the statistics."),
    )
