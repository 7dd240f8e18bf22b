"""The action plan's pages. Each fetches through a ``_get_<thing>_for_user`` helper (a record the
user may not reach is a 404; one they may see but not act on is a 403, audited); writes go through
``corett.plans.services``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from corett import policy
from corett.audit.services import audit_log
from corett.core.forms import add_service_error, submitted
from corett.plans import dashboards, exports, imports, services, sources
from corett.plans.forms import (
    ActionForm,
    AxisForm,
    DocumentForm,
    ImportForm,
    IndicatorForm,
    MilestoneForm,
    NotesForm,
    ObjectiveForm,
    PlanForm,
    PlanTransitionForm,
    ProjectForm,
    ReasonForm,
    RemoveForm,
    ReportForm,
    ResultForm,
    TargetForm,
    TargetKeyForm,
)
from corett.plans.gantt import render_gantt
from corett.plans.models import (
    Action,
    Axis,
    ExpectedResult,
    Indicator,
    IndicatorValue,
    JointProject,
    Milestone,
    Objective,
    Plan,
    ProgressReport,
    ProjectDocument,
    ReportingPeriod,
    ReportState,
    actor_of,
)
from corett.plans.versions import compare_plans

# --- Fetch and authorise ---------------------------------------------------------------------------


def _get_plan_for_user(user: Any, pk: int, action: str = "plans.view") -> Plan:
    plan = get_object_or_404(Plan.objects.visible_to(user).select_related("previous", "agreement"), pk=pk)
    policy.authorize(user, action, plan)
    return plan


def _get_action_for_user(user: Any, pk: int) -> Action:
    action = get_object_or_404(
        Action.objects.filter(plan__in=Plan.objects.visible_to(user)).select_related(
            "plan", "result__objective__axis").prefetch_related(
            "responsibilities__country", "responsibilities__organisation", "projects"), pk=pk)
    policy.authorize(user, "plans.view", action.plan)
    return action


def _get_indicator_for_user(user: Any, pk: int) -> Indicator:
    indicator = get_object_or_404(
        Indicator.objects.filter(plan__in=Plan.objects.visible_to(user)).select_related(
            "plan", "result", "country", "organisation").prefetch_related("targets__country"), pk=pk)
    policy.authorize(user, "plans.view", indicator.plan)
    return indicator


def _get_project_for_user(user: Any, pk: int) -> JointProject:
    project = get_object_or_404(
        JointProject.objects.filter(plan__in=Plan.objects.visible_to(user)).select_related("plan")
        .prefetch_related("partners", "actions", "milestones", "documents"), pk=pk)
    policy.authorize(user, "plans.view", project.plan)
    return project


def _get_period_for_user(user: Any, pk: int) -> ReportingPeriod:
    period = get_object_or_404(
        ReportingPeriod.objects.filter(plan__in=Plan.objects.visible_to(user)).select_related("plan"), pk=pk)
    policy.authorize(user, "plans.view", period.plan)
    return period


def _get_report_for_user(user: Any, pk: int, action: str = "plans.view_report") -> ProgressReport:
    report = get_object_or_404(
        ProgressReport.objects.visible_to(user).select_related(
            "period__plan", "country", "organisation", "decided_by"), pk=pk)
    policy.authorize(user, action, report)
    return report


def _refuse_change(request: HttpRequest, plan: Plan) -> HttpResponse | None:
    """None when the user may change the plan's content now. Whoever manages the plan but opens a
    version that is no longer being written goes back to the plan, told why (a new version is the
    way); anyone else is refused (403, audited)."""
    if not plan.is_editable and policy.can(request.user, "plans.manage", plan):
        messages.error(request, services.not_editable_message(plan))
        return redirect(plan)
    policy.authorize(request.user, "plans.change", plan)
    return None


def _pdf_response(content: bytes, filename: str, *, inline: bool = False) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = str(content_disposition_header(as_attachment=not inline, filename=filename))
    response["Cache-Control"] = "private, no-store"
    return response


# --- Plans -----------------------------------------------------------------------------------------


@login_required
@require_GET
def plan_list(request: HttpRequest) -> HttpResponse:
    policy.authorize(request.user, "plans.view")
    plans = Plan.objects.visible_to(request.user).select_related("next_version")
    return render(request, "plans/plan_list.html", {
        "plans": plans, "can_manage": policy.can(request.user, "plans.manage"),
        "reports_for": actor_of(request.user) is not None,
    })


@login_required
def plan_create(request: HttpRequest) -> HttpResponse:
    policy.authorize(request.user, "plans.manage")
    form = PlanForm(request.POST or None)
    plan = submitted(request, form, lambda data: services.plan_create(actor=request.user, data=data))
    if plan is not None:
        messages.success(request, _("The plan was created with its reporting periods."))
        return redirect(plan)
    return render(request, "plans/form_page.html", {"form": form, "title": _("New action plan")})


@login_required
@require_GET
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _get_plan_for_user(request.user, pk)
    axes = plan.axes.prefetch_related(
        "objectives__results__actions__responsibilities__country",
        "objectives__results__actions__responsibilities__organisation",
        "objectives__results__indicators")
    versions = Plan.objects.visible_to(request.user).filter(code=plan.code).exclude(pk=plan.pk).order_by("version")
    return render(request, "plans/plan_detail.html", {
        "plan": plan, "axes": axes, "versions": versions,
        "periods": plan.periods.all(),
        "projects": plan.projects.prefetch_related("partners"),
        "can_manage": policy.can(request.user, "plans.manage", plan),
        "can_change": policy.can(request.user, "plans.change", plan),
        "locked_message": services.not_editable_message(plan)
        if not plan.is_editable and policy.can(request.user, "plans.manage", plan) else "",
        "transition_form": PlanTransitionForm(plan=plan) if policy.can(request.user, "plans.manage", plan) else None,
        "version_form": ReasonForm(),
        "today": timezone.localdate(),
    })


@login_required
@require_POST
def plan_transition(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _get_plan_for_user(request.user, pk, "plans.manage")
    form = PlanTransitionForm(request.POST, plan=plan)
    done = submitted(request, form, lambda d: services.plan_transition(
        actor=request.user, plan=plan, to_state=d["to_state"], agreement_reference=d["agreement_reference"],
        approved_on=d["approved_on"]))
    if done is not None:
        messages.success(request, _("The plan is now “%(state)s”.") % {"state": done.get_state_display()})
        return redirect(plan)
    return render(request, "plans/form_page.html", {"form": form, "title": _("Change the plan's state"),
                                                    "cancel_url": plan.get_absolute_url()}, status=400)


@login_required
@require_POST
def plan_new_version(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _get_plan_for_user(request.user, pk, "plans.manage")
    form = ReasonForm(request.POST)
    new = submitted(request, form, lambda d: services.plan_new_version(actor=request.user, plan=plan,
                                                                       reason=d["reason"]))
    if new is not None:
        messages.success(request, _("Version %(version)s was opened as a draft.") % {"version": new.version})
        return redirect(new)
    return render(request, "plans/form_page.html", {"form": form, "title": _("Open a new version"),
                                                    "cancel_url": plan.get_absolute_url()}, status=400)


@login_required
@require_GET
def plan_compare(request: HttpRequest, pk: int, other: int) -> HttpResponse:
    plan = _get_plan_for_user(request.user, pk)
    other_plan = _get_plan_for_user(request.user, other)
    if other_plan.code != plan.code:
        raise Http404
    old, new = sorted([plan, other_plan], key=lambda p: p.version)
    return render(request, "plans/compare.html", {"old": old, "new": new, "changes": compare_plans(old, new)})


@login_required
@require_GET
def plan_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _get_plan_for_user(request.user, pk)
    return render(request, "plans/dashboard.html", {"plan": plan, **dashboards.plan_dashboard(plan)})


@login_required
@require_GET
def plan_gantt(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _get_plan_for_user(request.user, pk)
    svg = render_gantt(plan, list(plan.actions.order_by("planned_start", "code")), today=timezone.localdate())
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def my_actions(request: HttpRequest) -> HttpResponse:
    """What the user's actor owes, in every plan being executed."""
    policy.authorize(request.user, "plans.report")
    who = actor_of(request.user)
    assert who is not None
    plans = Plan.objects.visible_to(request.user).filter(state__in=["approved", "in_execution"])
    rows = [(plan, list(services.actions_owed_by(who, plan).order_by("planned_end"))) for plan in plans]
    reports = ProgressReport.objects.visible_to(request.user).select_related("period__plan").order_by(
        "-period__starts_on")[:20]
    return render(request, "plans/my_actions.html", {"rows": rows, "reports": reports,
                                                     "today": timezone.localdate()})


# --- Content ---------------------------------------------------------------------------------------


@login_required
@require_GET
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    action = _get_action_for_user(request.user, pk)
    updates = action.updates.filter(report__in=ProgressReport.objects.visible_to(request.user)).select_related(
        "report__period", "report__country", "report__organisation").order_by("-report__period__starts_on")
    return render(request, "plans/action_detail.html", {
        "action": action, "plan": action.plan, "updates": updates,
        "can_change": policy.can(request.user, "plans.change", action.plan),
    })


@login_required
def action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    action = _get_action_for_user(request.user, pk)
    return _refuse_change(request, action.plan) or _action_form(request, action.plan, action)


@login_required
def action_create(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _get_plan_for_user(request.user, pk)
    return _refuse_change(request, plan) or _action_form(request, plan, None)


@login_required
def action_remove(request: HttpRequest, pk: int) -> HttpResponse:
    action = _get_action_for_user(request.user, pk)
    return _remove_part(
        request, action, lambda: services.action_remove(actor=request.user, action=action),
        title=_("Remove action %(code)s") % {"code": action.code}, what=[str(action)],
        done=_("The action %(code)s was removed.") % {"code": action.code})


def _action_form(request: HttpRequest, plan: Plan, action: Action | None) -> HttpResponse:
    title = _("New action") if action is None else _("Edit action %(code)s") % {"code": action.code}
    form = ActionForm(request.POST or None, instance=action, plan=plan)
    saved = submitted(request, form, lambda d: services.action_save(
        actor=request.user, plan=plan, action=action, data=d["data"], responsibles=d["responsibles"]))
    if saved is not None:
        messages.success(request, _("The action was saved."))
        return redirect(saved)
    return render(request, "plans/form_page.html", {"form": form, "title": title,
                                                    "cancel_url": plan.get_absolute_url()},
                  status=400 if request.method == "POST" else 200)


@login_required
def indicator_detail(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = _get_indicator_for_user(request.user, pk)
    can_change = policy.can(request.user, "plans.change", indicator.plan)
    form = TargetForm(request.POST or None, indicator=indicator) if can_change else None
    if request.method == "POST":
        refused = _refuse_change(request, indicator.plan)
        if refused is not None:
            return refused
        assert form is not None
        saved = submitted(request, form, lambda d: services.target_set(
            actor=request.user, indicator=indicator, year=d["year"], value=d["value"], country=d.get("country"),
            comment=d["comment"]))
        if saved is not None:
            messages.success(request, _("The target was saved."))
            return redirect(indicator)
    return render(request, "plans/indicator_detail.html", {
        "indicator": indicator, "plan": indicator.plan, "progress": dashboards.indicator_progress(indicator),
        "form": form, "can_change": can_change,
        "source_label": sources.label_of(indicator.source) if indicator.is_computed else "",
    }, status=400 if request.method == "POST" else 200)


@login_required
@require_GET
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _project_page(request, _get_project_for_user(request.user, pk))


def _project_page(request: HttpRequest, project: JointProject, *, milestone_form: MilestoneForm | None = None,
                  document_form: DocumentForm | None = None, status: int = 200) -> HttpResponse:
    can_manage = policy.can(request.user, "plans.manage", project.plan)
    return render(request, "plans/project_detail.html", {
        "project": project, "plan": project.plan, "today": timezone.localdate(), "can_manage": can_manage,
        "can_view_agreement": project.started_by is not None
        and policy.can(request.user, "meetings.view_agreement", project.started_by),
        "milestone_form": milestone_form or MilestoneForm(), "document_form": document_form or DocumentForm(),
    }, status=status)


@login_required
@require_GET
def project_document(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_object_or_404(ProjectDocument.objects.select_related("project"), pk=pk)
    _get_project_for_user(request.user, document.project_id)
    return _file_response(document.file, document.content_type, document.title)


def _file_response(file: Any, content_type: str, name: str) -> HttpResponse:
    with file.open("rb") as handle:
        content = handle.read()
    response = HttpResponse(content, content_type=content_type or "application/octet-stream")
    extension = file.name.rsplit(".", 1)[-1] if "." in file.name else "bin"
    response["Content-Disposition"] = str(content_disposition_header(as_attachment=True,
                                                                     filename=f"{name}.{extension}"))
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Import and exports ----------------------------------------------------------------------------


@login_required
def plan_import(request: HttpRequest) -> HttpResponse:
    policy.authorize(request.user, "plans.manage")
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = imports.plan_import(actor=request.user, upload=form.cleaned_data["file"])
        if result.plan is not None:
            messages.success(request, _("The plan was imported: %(actions)s actions, %(indicators)s indicators.")
                             % result.counts)
            return redirect(result.plan)
    return render(request, "plans/import.html", {"form": form, "result": result},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    policy.authorize(request.user, "plans.manage")
    response = HttpResponse(imports.template_workbook(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = str(content_disposition_header(as_attachment=True,
                                                                     filename="corett-plan-template.xlsx"))
    return response


@login_required
@require_GET
def plan_export_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _get_plan_for_user(request.user, pk, "plans.export")
    audit_log(actor=request.user, action="plans.plan.export", obj=plan, extra={"format": "xlsx"})
    response = HttpResponse(exports.plan_xlsx(plan),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = str(content_disposition_header(
        as_attachment=True, filename=f"corett-{plan.code}-v{plan.version}.xlsx"))
    response["Cache-Control"] = "private, no-store"
    return response


def _language(request: HttpRequest) -> str:
    lang = request.GET.get("lang", "")
    return lang if lang in ("es", "en") else (translation.get_language() or "es")[:2]


@login_required
@require_GET
def plan_export_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _get_plan_for_user(request.user, pk, "plans.export")
    lang = _language(request)
    with translation.override(lang):
        content = exports.plan_pdf(plan)
    audit_log(actor=request.user, action="plans.plan.export", obj=plan, extra={"format": "pdf", "lang": lang})
    return _pdf_response(content, f"corett-{plan.code}-v{plan.version}-{lang}.pdf")


# --- Periods and reports ---------------------------------------------------------------------------


@login_required
@require_GET
def period_detail(request: HttpRequest, pk: int) -> HttpResponse:
    period = _get_period_for_user(request.user, pk)
    reports = ProgressReport.objects.visible_to(request.user).filter(period=period).select_related(
        "country", "organisation")
    who = actor_of(request.user)
    mine = None
    if who is not None:
        mine = ProgressReport.objects.filter(period=period, **who.reporter_lookup()).first()
    return render(request, "plans/period_detail.html", {
        "period": period, "plan": period.plan, "reports": reports, "mine": mine,
        "can_report": who is not None and policy.can(request.user, "plans.report"),
        "can_manage": policy.can(request.user, "plans.manage", period.plan),
        "reopenings": period.reopenings.select_related("report").all(),
        "reason_form": ReasonForm(),
    })


@login_required
@require_POST
def period_lock(request: HttpRequest, pk: int) -> HttpResponse:
    period = _get_period_for_user(request.user, pk)
    policy.authorize(request.user, "plans.manage", period.plan)
    try:
        services.period_lock(actor=request.user, period=period)
        messages.success(request, _("The period is locked."))
    except services.ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(period)


@login_required
@require_POST
def period_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    period = _get_period_for_user(request.user, pk)
    policy.authorize(request.user, "plans.manage", period.plan)
    form = ReasonForm(request.POST)
    if submitted(request, form, lambda d: services.period_reopen(actor=request.user, period=period,
                                                                 reason=d["reason"])) is not None:
        messages.success(request, _("The period was reopened; the reason is recorded."))
        return redirect(period)
    return render(request, "plans/form_page.html", {"form": form, "title": _("Reopen the period"),
                                                    "cancel_url": period.get_absolute_url()}, status=400)


@login_required
@require_GET
def period_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    period = _get_period_for_user(request.user, pk)
    policy.authorize(request.user, "plans.export", period.plan)
    lang = _language(request)
    with translation.override(lang):
        content = exports.period_report_pdf(period)
    audit_log(actor=request.user, action="plans.period.export", obj=period, extra={"lang": lang})
    return _pdf_response(content, f"corett-{period.plan.code}-{period.label}-{lang}.pdf")


@login_required
@require_POST
def report_start(request: HttpRequest, pk: int) -> HttpResponse:
    period = _get_period_for_user(request.user, pk)
    policy.authorize(request.user, "plans.report")
    try:
        report = services.report_start(actor=request.user, period=period)
    except services.ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(period)
    return redirect(report)


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _get_report_for_user(request.user, pk)
    can_write = policy.can(request.user, "plans.report", report) and report.is_editable
    form = ReportForm(request.POST or None, request.FILES or None, report=report) if can_write else None
    if request.method == "POST":
        policy.authorize(request.user, "plans.report", report)
        if form is None:
            messages.error(request, _("This report can no longer be changed."))
            return redirect(report)
        saved = submitted(request, form, lambda d: services.report_save(actor=request.user, report=report, **d))
        if saved is not None:
            if request.POST.get("then") == "submit":
                try:
                    services.report_submit(actor=request.user, report=saved)
                    messages.success(request, _("The report was submitted to the Technical Secretariat."))
                except services.ValidationError as error:
                    add_service_error(form, error)
                    return _report_page(request, report, form, status=400)
            else:
                messages.success(request, _("The report was saved."))
            return redirect(report)
        return _report_page(request, report, form, status=400)
    return _report_page(request, report, form)


def _report_page(request: HttpRequest, report: ProgressReport, form: ReportForm | None,
                 status: int = 200) -> HttpResponse:
    can_review = policy.can(request.user, "plans.review", report)
    return render(request, "plans/report_detail.html", {
        "report": report, "period": report.period, "plan": report.period.plan, "form": form,
        "updates": report.action_updates.select_related("action"),
        "values": report.indicator_values.select_related("indicator"),
        "can_submit": form is not None,
        "can_review": can_review and report.state == ReportState.SUBMITTED and not report.period.is_locked,
        "can_reopen": can_review and report.state == ReportState.APPROVED and not report.period.is_locked,
        "notes_form": NotesForm(), "reason_form": ReasonForm(),
        "reopenings": report.reopenings.all(),
    }, status=status)


@login_required
@require_POST
def report_submit(request: HttpRequest, pk: int) -> HttpResponse:
    report = _get_report_for_user(request.user, pk, "plans.report")
    try:
        services.report_submit(actor=request.user, report=report)
        messages.success(request, _("The report was submitted to the Technical Secretariat."))
    except services.ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(report)


@login_required
@require_POST
def report_review(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    report = _get_report_for_user(request.user, pk, "plans.review")
    form = NotesForm(request.POST)
    if decision == "approve":
        done = submitted(request, form, lambda d: services.report_approve(actor=request.user, report=report,
                                                                          notes=d["notes"]))
        text = _("The report was approved.")
    elif decision == "return":
        done = submitted(request, form, lambda d: services.report_return(actor=request.user, report=report,
                                                                         notes=d["notes"]))
        text = _("The report was returned to its reporter with your notes.")
    else:
        raise Http404
    if done is not None:
        messages.success(request, text)
        return redirect(report)
    messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(report)


@login_required
@require_POST
def report_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    report = _get_report_for_user(request.user, pk, "plans.review")
    form = ReasonForm(request.POST)
    if submitted(request, form, lambda d: services.report_reopen(actor=request.user, report=report,
                                                                 reason=d["reason"])) is not None:
        messages.success(request, _("The report was reopened; the reason is recorded."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(report)


@login_required
@require_GET
def evidence(request: HttpRequest, pk: int) -> HttpResponse:
    value = get_object_or_404(IndicatorValue.objects.select_related("report", "indicator"), pk=pk)
    report = _get_report_for_user(request.user, value.report_id)
    if not value.evidence:
        raise Http404
    audit_log(actor=request.user, action="plans.evidence.download", obj=report,
              extra={"indicator": value.indicator.code})
    return _file_response(value.evidence, value.evidence_type, f"evidence-{value.indicator.code}")


# --- Joint projects and indicators -----------------------------------------------------------------


@login_required
def project_create(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _get_plan_for_user(request.user, pk, "plans.manage")
    return _project_form(request, plan, None)


@login_required
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = _get_project_for_user(request.user, pk)
    policy.authorize(request.user, "plans.manage", project.plan)
    return _project_form(request, project.plan, project)


def _project_form(request: HttpRequest, plan: Plan, project: JointProject | None) -> HttpResponse:
    form = ProjectForm(request.POST or None, instance=project, plan=plan)
    saved = submitted(request, form, lambda d: services.project_save(
        actor=request.user, plan=plan, project=project, data=d["data"], partners=d["partners"],
        actions=d["actions"]))
    if saved is not None:
        messages.success(request, _("The joint project was saved."))
        return redirect(saved)
    title = _("New joint project or study") if project is None else _("Edit %(code)s") % {"code": project.code}
    return render(request, "plans/form_page.html", {"form": form, "title": title, "plan": plan,
                                                    "cancel_url": plan.get_absolute_url()},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def project_milestone(request: HttpRequest, pk: int) -> HttpResponse:
    project = _get_project_for_user(request.user, pk)
    policy.authorize(request.user, "plans.manage", project.plan)
    form = MilestoneForm(request.POST)
    if submitted(request, form, lambda d: services.milestone_add(actor=request.user, project=project, **d)):
        messages.success(request, _("The milestone was added."))
        return redirect(project)
    return _project_page(request, project, milestone_form=form, status=400)


@login_required
@require_POST
def milestone_done(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = get_object_or_404(Milestone.objects.select_related("project"), pk=pk)
    project = _get_project_for_user(request.user, milestone.project_id)
    policy.authorize(request.user, "plans.manage", project.plan)
    try:
        services.milestone_done(actor=request.user, milestone=milestone, done_on=timezone.localdate())
        messages.success(request, _("The milestone is marked as done."))
    except services.ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(project)


@login_required
@require_POST
def project_document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    project = _get_project_for_user(request.user, pk)
    policy.authorize(request.user, "plans.manage", project.plan)
    form = DocumentForm(request.POST, request.FILES)
    if submitted(request, form, lambda d: services.document_add(actor=request.user, project=project,
                                                                title=d["title"], upload=d["file"])):
        messages.success(request, _("The document was added."))
        return redirect(project)
    return _project_page(request, project, document_form=form, status=400)


@login_required
def indicator_create(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _get_plan_for_user(request.user, pk)
    return _refuse_change(request, plan) or _indicator_form(request, plan, None)


@login_required
def indicator_edit(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = _get_indicator_for_user(request.user, pk)
    return _refuse_change(request, indicator.plan) or _indicator_form(request, indicator.plan, indicator)


def _indicator_form(request: HttpRequest, plan: Plan, indicator: Indicator | None) -> HttpResponse:
    title = _("New indicator") if indicator is None else _("Edit indicator %(code)s") % {"code": indicator.code}
    form = IndicatorForm(request.POST or None, instance=indicator, plan=plan)
    saved = submitted(request, form, lambda d: services.indicator_save(
        actor=request.user, plan=plan, indicator=indicator, data=d["data"], responsible=d["responsible"]))
    if saved is not None:
        messages.success(request, _("The indicator was created; set its targets below.") if indicator is None
                         else _("The indicator was saved."))
        return redirect(saved)
    cancel = plan.get_absolute_url() if indicator is None else indicator.get_absolute_url()
    return render(request, "plans/form_page.html", {"form": form, "title": title, "plan": plan,
                                                    "cancel_url": cancel},
                  status=400 if request.method == "POST" else 200)


@login_required
def indicator_remove(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = _get_indicator_for_user(request.user, pk)
    targets = [_("Target %(target)s") % {"target": services.target_label(t)} for t in indicator.targets.all()]
    return _remove_part(
        request, indicator, lambda: services.indicator_remove(actor=request.user, indicator=indicator),
        title=_("Remove indicator %(code)s") % {"code": indicator.code}, what=[str(indicator), *targets],
        done=_("The indicator %(code)s was removed.") % {"code": indicator.code})


def _remove_part(request: HttpRequest, part: Action | Indicator, remove: Any, *, title: str, what: list[str],
                 done: str) -> HttpResponse:
    """An action's or an indicator's removal: a page that says what goes, then the service."""
    refused = _refuse_change(request, part.plan)
    if refused is not None:
        return refused
    form = RemoveForm(request.POST if request.method == "POST" else None)
    if submitted(request, form, lambda d: remove()):
        messages.success(request, done)
        return redirect(part.plan)
    return _remove_page(request, part.plan, form, title, part.get_absolute_url(), what=what)


@login_required
@require_POST
def target_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove one target of an indicator, named by its year and country (none: the regional one)."""
    indicator = _get_indicator_for_user(request.user, pk)
    refused = _refuse_change(request, indicator.plan)
    if refused is not None:
        return refused
    form = TargetKeyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say which target to remove: its year, and its country if it has one."))
        return redirect(indicator)
    try:
        services.target_remove(actor=request.user, indicator=indicator, year=form.cleaned_data["year"],
                               country=form.cleaned_data.get("country"))
        messages.success(request, _("The target was removed."))
    except services.ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(indicator)


def _remove_page(request: HttpRequest, plan: Plan, form: RemoveForm, title: str, cancel_url: str, *,
                 what: list[str], dependants: services.Dependants | None = None) -> HttpResponse:
    return render(request, "plans/remove.html", {
        "form": form, "title": title, "plan": plan, "cancel_url": cancel_url, "what": what,
        "dependants": dependants,
    }, status=400 if request.method == "POST" else 200)


# --- The results tree ------------------------------------------------------------------------------
#
# Strategic axes, objectives and expected results: one set of views for the three levels, told
# apart by ``level`` (given by the URL pattern).

TREE_LEVELS: dict[str, tuple[Any, Any, str]] = {
    # level: (model, form, lookup from the model to its plan)
    "axis": (Axis, AxisForm, "plan"),
    "objective": (Objective, ObjectiveForm, "axis__plan"),
    "result": (ExpectedResult, ResultForm, "objective__axis__plan"),
}


def _tree_save(level: str, **kwargs: Any) -> Any:
    if level == "axis":
        return services.axis_save(axis=kwargs.pop("node"), **kwargs)
    if level == "objective":
        return services.objective_save(objective=kwargs.pop("node"), **kwargs)
    return services.result_save(result=kwargs.pop("node"), **kwargs)


def _get_tree_node_for_user(user: Any, level: str, pk: int) -> tuple[Any, Plan]:
    model, _form, to_plan = TREE_LEVELS[level]
    node = get_object_or_404(
        model.objects.filter(**{f"{to_plan}__in": Plan.objects.visible_to(user)}).select_related(to_plan), pk=pk)
    plan = node.plan if level == "axis" else node.axis.plan if level == "objective" else node.objective.axis.plan
    policy.authorize(user, "plans.view", plan)
    return node, plan


def _tree_titles(level: str, node: Any) -> str:
    if node is None:
        return {"axis": _("New strategic axis"), "objective": _("New objective"),
                "result": _("New expected result")}[level]
    return {"axis": _("Edit strategic axis %(code)s"), "objective": _("Edit objective %(code)s"),
            "result": _("Edit expected result %(code)s")}[level] % {"code": node.code}


def _tree_form(request: HttpRequest, level: str, plan: Plan, node: Any) -> HttpResponse:
    form_class = TREE_LEVELS[level][1]
    initial = {}
    for parent in ("axis", "objective"):
        if node is None and request.GET.get(parent, "").isdigit():
            initial[parent] = int(request.GET[parent])
    title = _tree_titles(level, node)  # before the service changes the instance
    form = form_class(request.POST or None, instance=node, plan=plan, initial=initial)
    saved = submitted(request, form, lambda d: _tree_save(level, actor=request.user, plan=plan, node=node, data=d))
    if saved is not None:
        messages.success(request, _("%(part)s %(code)s was saved.") % {
            "part": capfirst(saved._meta.verbose_name), "code": saved.code})
        return redirect(f"{plan.get_absolute_url()}#{level}-{saved.pk}")
    return render(request, "plans/form_page.html", {"form": form, "title": title, "plan": plan,
                                                    "cancel_url": plan.get_absolute_url()},
                  status=400 if request.method == "POST" else 200)


@login_required
def tree_create(request: HttpRequest, pk: int, level: str) -> HttpResponse:
    plan = _get_plan_for_user(request.user, pk)
    return _refuse_change(request, plan) or _tree_form(request, level, plan, None)


@login_required
def tree_edit(request: HttpRequest, pk: int, level: str) -> HttpResponse:
    node, plan = _get_tree_node_for_user(request.user, level, pk)
    return _refuse_change(request, plan) or _tree_form(request, level, plan, node)


@login_required
def tree_remove(request: HttpRequest, pk: int, level: str) -> HttpResponse:
    """Remove a part of the results tree; its actions and indicators move to another expected
    result first (the page says which there are and asks where they go)."""
    node, plan = _get_tree_node_for_user(request.user, level, pk)
    refused = _refuse_change(request, plan)
    if refused is not None:
        return refused
    dependants = services.tree_dependants(node)
    elsewhere = ExpectedResult.objects.filter(objective__axis__plan=plan).exclude(
        pk__in=services.results_under(node)).select_related("objective")
    form = RemoveForm(request.POST if request.method == "POST" else None,
                      results=elsewhere if dependants else None)
    if submitted(request, form, lambda d: services.tree_remove(actor=request.user, node=node,
                                                               move_to=d.get("move_to"))) is not None:
        messages.success(request, _("%(part)s %(code)s was removed.") % {
            "part": capfirst(node._meta.verbose_name), "code": node.code})
        return redirect(plan)
    what = [str(node)]
    if level == "axis":
        for objective in node.objectives.prefetch_related("results"):
            what += [str(objective), *(str(r) for r in objective.results.all())]
    elif level == "objective":
        what += [str(r) for r in node.results.all()]
    title = {"axis": _("Remove strategic axis %(code)s"), "objective": _("Remove objective %(code)s"),
             "result": _("Remove expected result %(code)s")}[level] % {"code": node.code}
    return _remove_page(request, plan, form, title, plan.get_absolute_url(), what=what, dependants=dependants)
