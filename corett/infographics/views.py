"""Infographics (per country and for the region) and the data explorer.

Every view asks the policy first. Infographics carry the public release (approved,
disclosure-controlled figures) whoever looks at them, because they are made to be downloaded
and passed on; the explorer's table shows what the reader may see, its downloads the public
release (see ``corett.infographics.explorer``).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from corett import policy
from corett.audit.services import audit_log
from corett.infographics import explorer as explorer_data
from corett.infographics import render as rendering
from corett.infographics.forms import ALL_MEMBERS, ExplorerForm, PeriodForm
from corett.infographics.names import REGION
from corett.infographics.public import scope_title
from corett.lib.exports import FORMATS as EXPORT_FORMATS


def _scope_or_404(scope: str) -> str:
    code = scope.upper()
    if code not in rendering.SCOPES:
        raise Http404
    return code


def _latest_year(scope: str) -> int:
    years = rendering.available_years(scope)
    return years[-1] if years else timezone.localdate().year - 1


def _period(request: HttpRequest, scope: str) -> tuple[PeriodForm, int, int]:
    """The period asked for, or the latest year with figures (also when the input is invalid)."""
    latest = _latest_year(scope)
    data = request.GET if "year_from" in request.GET or "year_to" in request.GET else None
    form = PeriodForm(data, initial={"year_from": latest, "year_to": latest})
    if data is not None and form.is_valid():
        return form, form.cleaned_data["year_from"], form.cleaned_data["year_to"]
    return form, latest, latest


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    policy.authorize(request.user, "infographics.view")
    scopes = [
        {"code": code, "title": scope_title(code), "years": rendering.available_years(code)}
        for code in rendering.SCOPES
    ]
    return render(request, "infographics/index.html", {"scopes": scopes})


@login_required
@require_GET
def detail(request: HttpRequest, scope: str) -> HttpResponse:
    policy.authorize(request.user, "infographics.view")
    code = _scope_or_404(scope)
    form, year_from, year_to = _period(request, code)
    language = translation.get_language() or "es"
    fragment = rendering.render_html(rendering.Request(code, language, "html", year_from, year_to))
    downloads = [
        {"language": lang, "fmt": fmt}
        for lang in rendering.LANGUAGES
        for fmt in ("pdf", "png", "svg")
    ]
    context = {
        "scope": code, "title": scope_title(code), "form": form, "fragment": fragment,
        "year_from": year_from, "year_to": year_to, "downloads": downloads,
        "years": rendering.available_years(code),
    }
    return render(request, "infographics/detail.html", context)


@login_required
@require_GET
def download(request: HttpRequest, scope: str, fmt: str) -> HttpResponse:
    policy.authorize(request.user, "infographics.view")
    code = _scope_or_404(scope)
    if fmt not in ("pdf", "png", "svg"):
        raise Http404
    language = request.GET.get("language") or translation.get_language() or "es"
    if language not in rendering.LANGUAGES:
        raise Http404
    _form, year_from, year_to = _period(request, code)
    spec = rendering.Request(code, language, fmt, year_from, year_to)
    content = rendering.render_bytes(spec)
    response = HttpResponse(content, content_type=rendering.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = str(content_disposition_header(as_attachment=True, filename=spec.filename))
    response["Cache-Control"] = "private, max-age=300"
    return response


@login_required
@require_GET
def explorer(request: HttpRequest) -> HttpResponse:
    policy.authorize(request.user, "infographics.explore")
    form, query = _explorer_query(request)
    found = explorer_data.rows(request.user, query, audience="viewer") if query else []
    chart = explorer_data.chart(query, found) if query else None
    context: dict[str, Any] = {
        "form": form, "query": query, "rows": found, "chart": _data_url(chart) if chart else None,
        "export_formats": EXPORT_FORMATS, "querystring": request.GET.urlencode(),
        "can_export": policy.can(request.user, "infographics.export"),
    }
    return render(request, "infographics/explorer.html", context)


@login_required
@require_GET
def explorer_export(request: HttpRequest, fmt: str) -> HttpResponse:
    policy.authorize(request.user, "infographics.export")
    if fmt not in EXPORT_FORMATS:
        raise Http404
    _form, query = _explorer_query(request)
    if query is None:
        raise Http404
    found = explorer_data.rows(request.user, query, audience="public")
    exported = explorer_data.ReleasedValuesExporter(query, found).export(fmt)
    audit_log(
        actor=request.user, action="infographics.export", obj=None,
        extra={"format": fmt, "rows": exported.rows, "indicator": query.indicator,
               "country": query.country, "years": f"{query.year_from}-{query.year_to}",
               "dimension": query.dimension},
    )
    return exported.as_response()


def _explorer_query(request: HttpRequest) -> tuple[ExplorerForm, explorer_data.Query | None]:
    latest = _latest_year(REGION)
    initial = {"country": ALL_MEMBERS, "indicator": "detected_victims", "dimension": "",
               "year_from": latest - 4, "year_to": latest}
    form = ExplorerForm(request.GET or None, initial=initial)
    if request.GET:
        if not form.is_valid():
            return form, None
        data = form.cleaned_data
    else:
        data = initial
    query = explorer_data.Query(
        country=data["country"], indicator=data["indicator"], dimension=data["dimension"] or "",
        year_from=int(data["year_from"]), year_to=int(data["year_to"]),
    )
    return form, query


def _data_url(svg: bytes) -> str:
    import base64

    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")

