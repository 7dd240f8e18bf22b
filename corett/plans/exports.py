"""The plan as XLSX (the import template's layout, so an export can be edited and imported as the
next plan) and as PDF; the progress report of a period for the plenary as PDF, in Spanish or
English. PDFs are drawn from HTML templates by WeasyPrint, which loads nothing from anywhere.
"""

from __future__ import annotations

import io
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from corett.lib.exports import Exporter
from corett.plans.actors import ActorCodes
from corett.plans.dashboards import indicator_progress, plan_dashboard
from corett.plans.imports import SHEETS
from corett.plans.models import Actor, Involvement, Plan, ReportingPeriod, ReportState, Target


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> dict:
    raise ValueError("Plan documents load no external resources.")


def _pdf(template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import CSS, HTML

    html = render_to_string(template, context)
    css = render_to_string("plans/documents/document.css")
    return HTML(string=html, url_fetcher=_refuse_fetch, base_url="about:blank").write_pdf(
        stylesheets=[CSS(string=css, url_fetcher=_refuse_fetch)])


def _xlsx_text(sheet: Any, value: Any) -> Any:
    # Same guard as the exporter base: text is text, never a formula.
    return Exporter._xlsx_cell(Exporter(), sheet, value)


def plan_xlsx(plan: Plan) -> bytes:
    codes = ActorCodes()
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    extra = {"Actions": [_("Status"), _("Percent complete"), _("Traffic light")]}

    def sheet_with(name: str) -> Any:
        sheet = workbook.create_sheet(name)
        header = []
        for heading in [*SHEETS[name], *extra.get(name, [])]:
            cell = WriteOnlyCell(sheet, value=str(heading))
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        return sheet

    sheet = sheet_with("Plan")
    for key, value in (("code", plan.code), ("title", plan.title), ("first_year", plan.start_year),
                       ("last_year", plan.end_year), ("reporting_period", plan.reporting_frequency)):
        sheet.append([key, _xlsx_text(sheet, value)])
    sheet = sheet_with("Results")
    for axis in plan.axes.prefetch_related("objectives__results"):
        for objective in axis.objectives.all():
            for result in objective.results.all():
                sheet.append([_xlsx_text(sheet, v) for v in (
                    axis.code, axis.title, objective.code, objective.title, result.code, result.title,
                    result.result_type)])
    sheet = sheet_with("Actions")
    for action in plan.actions.select_related("result").prefetch_related("responsibilities"):
        leads = [codes.code(r.actor) for r in action.responsibilities.all() if r.involvement == Involvement.LEAD]
        support = [codes.code(r.actor) for r in action.responsibilities.all() if r.involvement == Involvement.SUPPORT]
        sheet.append([_xlsx_text(sheet, v) for v in (
            action.code, action.result.code, action.description, "; ".join(leads), "; ".join(support),
            action.planned_start, action.planned_end, action.budget, action.currency, action.funding_source,
            action.get_status_display(), action.percent_complete, action.get_traffic_light_display())])
    sheet = sheet_with("Indicators")
    yes, no = "yes", "no"
    for i in plan.indicators.select_related("result"):
        sheet.append([_xlsx_text(sheet, v) for v in (
            i.code, i.result.code, i.title, i.definition, i.measure, yes if i.ascending else no,
            yes if i.cumulative else no, i.baseline_value, i.baseline_year, i.baseline_comment,
            i.means_of_verification, codes.code(Actor(i.actor_kind, i.country_id, i.organisation_id)),
            yes if i.is_key else no, yes if i.by_country else no, i.source)])
    sheet = sheet_with("Targets")
    for target in Target.objects.filter(indicator__plan=plan).select_related("indicator", "country"):
        sheet.append([_xlsx_text(sheet, v) for v in (
            target.indicator.code, target.year, target.country.iso2 if target.country else "", target.value,
            target.comment)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def plan_pdf(plan: Plan) -> bytes:
    axes = plan.axes.prefetch_related(
        "objectives__results__actions__responsibilities__country",
        "objectives__results__actions__responsibilities__organisation",
        "objectives__results__indicators__targets__country")
    return _pdf("plans/documents/plan.html", {"plan": plan, "axes": axes, "generated": timezone.now()})


def period_report_pdf(period: ReportingPeriod) -> bytes:
    """The period's report for the plenary: execution, key indicators and what each actor
    reported, from approved reports only."""
    plan = period.plan
    dashboard = plan_dashboard(plan, today=min(period.ends_on, timezone.localdate()))
    reports = (period.reports.filter(state=ReportState.APPROVED)
               .select_related("country", "organisation")
               .prefetch_related("action_updates__action", "indicator_values__indicator"))
    pending = period.reports.exclude(state=ReportState.APPROVED).count()
    indicators = [indicator_progress(i) for i in plan.indicators.filter(is_key=True).prefetch_related("targets")]
    return _pdf("plans/documents/period_report.html", {
        "plan": plan, "period": period, "dashboard": dashboard, "reports": reports, "pending": pending,
        "indicators": indicators, "generated": timezone.now(),
    })
