"""Plan workflows: every write to a plan, its actions, targets, periods and progress reports goes
through here, authorised, validated with ``full_clean()`` and audited in one transaction.

Permission is checked before the transaction opens, so the audit entry of a refusal survives.
Audit entries carry codes and states only: a report's narrative never goes into the trail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import filetype
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from corett import policy
from corett.audit.services import audit_log
from corett.lib.locks import serialise
from corett.plans.models import (
    PLAN_TRANSITIONS,
    Action,
    ActionStatus,
    ActionUpdate,
    Actor,
    ActorKind,
    Axis,
    ExpectedResult,
    Frequency,
    Indicator,
    IndicatorValue,
    Involvement,
    JointProject,
    Measure,
    Milestone,
    Objective,
    PeriodReopening,
    Plan,
    PlanState,
    ProgressReport,
    ProjectDocument,
    ReportingPeriod,
    ReportState,
    Responsibility,
    Target,
    actor_of,
)

EVIDENCE_TYPES = {
    "application/pdf", "image/png", "image/jpeg",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024


# --- Plans -----------------------------------------------------------------------------------------


def _periods_of(plan: Plan) -> list[tuple[str, dt.date, dt.date]]:
    months = 3 if plan.reporting_frequency == Frequency.QUARTERLY else 6
    letter = "Q" if months == 3 else "S"
    periods = []
    for year in plan.years:
        for index, first_month in enumerate(range(1, 13, months), start=1):
            start = dt.date(year, first_month, 1)
            last_month = first_month + months - 1
            end = (dt.date(year + 1, 1, 1) if last_month == 12 else dt.date(year, last_month + 1, 1)) - dt.timedelta(
                days=1)
            periods.append((f"{year}-{letter}{index}", start, end))
    return periods


def _create_periods(plan: Plan) -> None:
    ReportingPeriod.objects.bulk_create(
        ReportingPeriod(plan=plan, label=label, starts_on=start, ends_on=end,
                        due_on=end + dt.timedelta(days=plan.report_due_days))
        for label, start, end in _periods_of(plan)
    )


def plan_create(*, actor: Any, data: Mapping[str, Any]) -> Plan:
    policy.authorize(actor, "plans.manage")
    with transaction.atomic():
        plan = Plan(**data)
        if Plan.objects.filter(code=plan.code).exists():
            raise ValidationError({"code": _("A plan with this code exists: open a new version of it instead.")})
        plan.full_clean()
        plan.save()
        _create_periods(plan)
        audit_log(actor=actor, action="plans.plan.create", obj=plan, extra={"code": plan.code})
    return plan


def plan_transition(*, actor: Any, plan: Plan, to_state: str, agreement_reference: str = "",
                    approved_on: dt.date | None = None) -> Plan:
    """Move the plan along draft → in review → approved → in execution → closed.

    Approval records the plenary agreement that approved it (e.g. III-2022/C) and its date.
    """
    policy.authorize(actor, "plans.manage", plan)
    with transaction.atomic():
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        if to_state not in PLAN_TRANSITIONS.get(plan.state, ()):
            raise ValidationError({"state": _("A plan cannot go from “%(from)s” to “%(to)s”.") % {
                "from": plan.get_state_display(), "to": dict(PlanState.choices).get(to_state, to_state)}})
        fields = ["state", "updated_at"]
        if to_state == PlanState.APPROVED:
            if not agreement_reference.strip():
                raise ValidationError({"agreement_reference": _("Name the agreement that approved the plan.")})
            if not plan.actions.exists():
                raise ValidationError({"state": _("A plan without actions cannot be approved.")})
            plan.agreement_reference = agreement_reference.strip()
            plan.agreement = _agreement(plan.agreement_reference)
            plan.approved_on = approved_on or timezone.localdate()
            fields += ["agreement_reference", "agreement", "approved_on"]
        previous_state, plan.state = plan.state, to_state
        plan.full_clean()
        plan.save(update_fields=fields)
        audit_log(actor=actor, action="plans.plan.transition", obj=plan,
                  extra={"from": previous_state, "to": to_state, "agreement": plan.agreement_reference})
    return plan


def _agreement(reference: str) -> Any:
    """The agreement recorded in the meetings module under ``reference``, if there is one."""
    from corett.meetings.models import Agreement

    return Agreement.objects.filter(code=reference).first()


def plan_new_version(*, actor: Any, plan: Plan, reason: str) -> Plan:
    """A new draft version of an approved (or executing) plan: a copy of its whole content that
    can be changed, with the reason recorded. The approved version itself never changes."""
    policy.authorize(actor, "plans.manage", plan)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the plan needs a new version.")})
    with transaction.atomic():
        serialise(f"plans.version:{plan.code}")
        plan = Plan.objects.get(pk=plan.pk)
        if plan.is_editable:
            raise ValidationError({"reason": _("This version is still a draft: change it directly.")})
        if Plan.objects.filter(previous=plan).exists():
            raise ValidationError({"reason": _("This version already has a newer version.")})
        new = Plan(
            code=plan.code, version=plan.version + 1, title=plan.title, start_year=plan.start_year,
            end_year=plan.end_year, reporting_frequency=plan.reporting_frequency,
            report_due_days=plan.report_due_days, previous=plan, change_reason=reason.strip(),
        )
        new.full_clean()
        new.save()
        _copy_content(plan, new)
        _create_periods(new)
        audit_log(actor=actor, action="plans.plan.new_version", obj=new,
                  extra={"code": new.code, "version": new.version, "from_version": plan.version})
    return new


def _copy_content(source: Plan, target: Plan) -> None:
    results: dict[int, ExpectedResult] = {}
    for axis in source.axes.prefetch_related("objectives__results"):
        new_axis = Axis.objects.create(plan=target, code=axis.code, title=axis.title)
        for objective in axis.objectives.all():
            new_objective = Objective.objects.create(axis=new_axis, code=objective.code, title=objective.title)
            for result in objective.results.all():
                results[result.pk] = ExpectedResult.objects.create(
                    objective=new_objective, code=result.code, title=result.title, result_type=result.result_type)
    actions: dict[int, Action] = {}
    for action in source.actions.prefetch_related("responsibilities"):
        copy = Action.objects.create(
            plan=target, result=results[action.result_id], code=action.code, description=action.description,
            planned_start=action.planned_start, planned_end=action.planned_end, actual_start=action.actual_start,
            actual_end=action.actual_end, budget=action.budget, currency=action.currency,
            funding_source=action.funding_source, status=action.status, percent_complete=action.percent_complete,
        )
        actions[action.pk] = copy
        Responsibility.objects.bulk_create(
            Responsibility(action=copy, actor_kind=r.actor_kind, country_id=r.country_id,
                           organisation_id=r.organisation_id, involvement=r.involvement)
            for r in action.responsibilities.all()
        )
    for indicator in source.indicators.prefetch_related("targets"):
        targets = list(indicator.targets.all())
        indicator.pk, indicator.id = None, None
        indicator.plan, indicator.result = target, results[indicator.result_id]
        indicator.save()
        Target.objects.bulk_create(
            Target(indicator=indicator, year=t.year, country_id=t.country_id, value=t.value, comment=t.comment)
            for t in targets
        )
    for project in source.projects.prefetch_related("partners", "actions", "milestones"):
        copy_project = JointProject.objects.create(
            plan=target, code=project.code, kind=project.kind, title=project.title,
            description=project.description, starts_on=project.starts_on, ends_on=project.ends_on,
            started_by_id=project.started_by_id)
        copy_project.partners.set(project.partners.all())
        copy_project.actions.set([actions[a.pk] for a in project.actions.all() if a.pk in actions])
        Milestone.objects.bulk_create(
            Milestone(project=copy_project, title=m.title, due_on=m.due_on, done_on=m.done_on)
            for m in project.milestones.all()
        )


# --- The plan's content ----------------------------------------------------------------------------
#
# A plan's content (its results tree, actions, indicators and targets) changes only while the
# version is being written (draft or in review). Each write locks the plan's row first: a state
# change (which locks the same row) waits for it, and a version approved since the caller read it
# is refused rather than changed.


def not_editable_message(plan: Plan) -> str:
    return _("Version %(version)s of %(code)s is “%(state)s”: its content changes only through a new version, "
             "opened from the plan's page with the reason for the change.") % {
        "version": plan.version, "code": plan.code, "state": plan.get_state_display()}


def _authorize_change(actor: Any, plan: Plan) -> None:
    """Refuse unless ``actor`` may change the plan's content. Whoever manages the plan but meets a
    version that is no longer being written is told why and what to do, not merely refused."""
    if not plan.is_editable and policy.can(actor, "plans.manage", plan):
        raise ValidationError({"state": not_editable_message(plan)})
    policy.authorize(actor, "plans.change", plan)


def _lock_editable(plan: Plan) -> Plan:
    """Call inside the write's transaction: the plan's row, locked until it ends."""
    locked = Plan.objects.select_for_update().get(pk=plan.pk)
    if not locked.is_editable:
        raise ValidationError({"state": not_editable_message(locked)})
    return locked


def _refuse_duplicate_code(siblings: QuerySet, instance: Any, message: str) -> None:
    """Codes name the plan's parts in reports, imports and version comparisons: one part per code
    (and level) in a plan. The error lands at the code field."""
    if instance.code and siblings.filter(code=instance.code).exclude(pk=instance.pk).exists():
        raise ValidationError({"code": message % {"code": instance.code}})


def _changed(instance: Any, before: Mapping[str, Any]) -> list[str]:
    return [name for name, value in before.items() if getattr(instance, name) != value]


@dataclass(frozen=True)
class _Level:
    """One level of the results tree: what it is called, its fields and its parent."""

    name: str  # in audit actions: plans.<name>.create
    fields: tuple[str, ...]
    parent: str  # the field naming the parent ("plan" for an axis)
    duplicate: Any
    parent_missing: Any
    parent_elsewhere: Any


_LEVELS: dict[type, _Level] = {
    Axis: _Level("axis", ("code", "title"), "plan",
                 gettext_lazy("The plan already has a strategic axis %(code)s."), "", ""),
    Objective: _Level("objective", ("axis", "code", "title"), "axis",
                      gettext_lazy("The plan already has an objective %(code)s."),
                      gettext_lazy("Choose the strategic axis."),
                      gettext_lazy("The axis belongs to another plan.")),
    ExpectedResult: _Level("result", ("objective", "code", "title", "result_type"), "objective",
                           gettext_lazy("The plan already has an expected result %(code)s."),
                           gettext_lazy("Choose the objective."),
                           gettext_lazy("The objective belongs to another plan.")),
}


def _plan_id_of(node: Axis | Objective | ExpectedResult) -> int:
    if isinstance(node, Axis):
        return node.plan_id
    if isinstance(node, Objective):
        return node.axis.plan_id
    return node.objective.axis.plan_id


def _same_level(plan: Plan, node: Axis | Objective | ExpectedResult) -> QuerySet:
    if isinstance(node, Axis):
        return Axis.objects.filter(plan=plan)
    if isinstance(node, Objective):
        return Objective.objects.filter(axis__plan=plan)
    return ExpectedResult.objects.filter(objective__axis__plan=plan)


def results_under(node: Axis | Objective | ExpectedResult) -> QuerySet[ExpectedResult]:
    if isinstance(node, Axis):
        return ExpectedResult.objects.filter(objective__axis=node)
    if isinstance(node, Objective):
        return ExpectedResult.objects.filter(objective=node)
    return ExpectedResult.objects.filter(pk=node.pk)


def _tree_save(actor: Any, plan: Plan, node: Any, data: Mapping[str, Any]) -> Any:
    level = _LEVELS[type(node)]
    _authorize_change(actor, plan)
    with transaction.atomic():
        plan = _lock_editable(plan)
        created = node.pk is None
        if not created and _plan_id_of(node) != plan.pk:
            raise ValidationError({"__all__": _("This part belongs to another plan.")})
        before = {name: getattr(node, name) for name in level.fields if name != level.parent}
        before |= {f"{level.parent}_id": getattr(node, f"{level.parent}_id")}
        for name in level.fields:
            if name in data:
                setattr(node, name, data[name])
        if level.parent == "plan":
            node.plan = plan
        elif getattr(node, f"{level.parent}_id") is None:
            raise ValidationError({level.parent: str(level.parent_missing)})
        elif _plan_id_of(node) != plan.pk:
            raise ValidationError({level.parent: str(level.parent_elsewhere)})
        node.code = (node.code or "").strip()
        _refuse_duplicate_code(_same_level(plan, node), node, str(level.duplicate))
        node.full_clean()
        node.save()
        audit_log(actor=actor, action=f"plans.{level.name}.{'create' if created else 'update'}", obj=node,
                  changed_fields=() if created else _changed(node, before),
                  extra={"plan": plan.code, "version": plan.version, "code": node.code})
    return node


def axis_save(*, actor: Any, plan: Plan, data: Mapping[str, Any], axis: Axis | None = None) -> Axis:
    """Create (``axis`` None) or change a strategic axis: code and title."""
    return _tree_save(actor, plan, axis or Axis(plan=plan), data)


def objective_save(*, actor: Any, plan: Plan, data: Mapping[str, Any],
                   objective: Objective | None = None) -> Objective:
    """Create or change an objective: its axis (it may move to another axis of the plan), code, title."""
    return _tree_save(actor, plan, objective or Objective(), data)


def result_save(*, actor: Any, plan: Plan, data: Mapping[str, Any],
                result: ExpectedResult | None = None) -> ExpectedResult:
    """Create or change an expected result: its objective, code, title and IATI type (output, outcome)."""
    return _tree_save(actor, plan, result or ExpectedResult(), data)


@dataclass(frozen=True)
class Dependants:
    """What hangs under a part of the results tree: the actions and indicators of its results."""

    actions: list[str]
    indicators: list[str]

    def __bool__(self) -> bool:
        return bool(self.actions or self.indicators)


def tree_dependants(node: Axis | Objective | ExpectedResult) -> Dependants:
    results = results_under(node)
    return Dependants(
        actions=list(Action.objects.filter(result__in=results).order_by("code").values_list("code", flat=True)),
        indicators=list(Indicator.objects.filter(result__in=results).order_by("code").values_list("code", flat=True)),
    )


def tree_remove(*, actor: Any, node: Axis | Objective | ExpectedResult,
                move_to: ExpectedResult | None = None) -> Dependants:
    """Remove an axis, an objective or an expected result with what lies under it in the tree.

    Actions and indicators are never removed with it: while any hang under it the removal is
    refused, naming them, unless ``move_to`` names the expected result (elsewhere in the plan)
    they move to first. Returns what was moved.
    """
    level = _LEVELS[type(node)]
    plan = Plan.objects.get(pk=_plan_id_of(node))
    _authorize_change(actor, plan)
    with transaction.atomic():
        plan = _lock_editable(plan)
        results = results_under(node)
        dependants = tree_dependants(node)
        if dependants and move_to is None:
            under = []
            if dependants.actions:
                under.append(_("actions %(codes)s") % {"codes": ", ".join(dependants.actions)})
            if dependants.indicators:
                under.append(_("indicators %(codes)s") % {"codes": ", ".join(dependants.indicators)})
            raise ValidationError({"move_to": _(
                "%(part)s still has %(under)s. Choose the expected result they move to, or move each of them "
                "from its own page first.") % {"part": f"{capfirst(node._meta.verbose_name)} {node.code}",
                                               "under": "; ".join(under)}})
        if dependants and move_to is not None:
            if _plan_id_of(move_to) != plan.pk:
                raise ValidationError({"move_to": _("The expected result belongs to another plan.")})
            if results.filter(pk=move_to.pk).exists():
                raise ValidationError({"move_to": _("Choose an expected result outside the part being removed.")})
            Action.objects.filter(result__in=results).update(result=move_to)
            Indicator.objects.filter(result__in=results).update(result=move_to)
        audit_log(actor=actor, action=f"plans.{level.name}.remove", obj=node, extra={
            "plan": plan.code, "version": plan.version, "code": node.code,
            "moved_to": move_to.code if dependants and move_to else "",
            "actions": dependants.actions, "indicators": dependants.indicators})
        node.delete()
    return dependants


@dataclass(frozen=True)
class ResponsibleActor:
    actor: Actor
    involvement: str = Involvement.LEAD


def _check_responsibles(responsibles: Sequence[ResponsibleActor]) -> None:
    if not responsibles:
        raise ValidationError({"lead": _("An action needs at least one responsible actor.")})
    if not any(r.involvement == Involvement.LEAD for r in responsibles):
        raise ValidationError({"lead": _("An action needs a lead actor.")})
    keys = [r.actor.key for r in responsibles]
    if len(keys) != len(set(keys)):
        raise ValidationError({"support": _("An actor is named twice for the same action.")})


def action_save(*, actor: Any, plan: Plan, data: Mapping[str, Any],
                responsibles: Sequence[ResponsibleActor], action: Action | None = None) -> Action:
    """Create (``action`` None) or change an action of a plan that is still editable."""
    _authorize_change(actor, plan)
    _check_responsibles(responsibles)
    with transaction.atomic():
        plan = _lock_editable(plan)
        created = action is None
        if action is None:
            action = Action(plan=plan)
        for name, value in data.items():
            setattr(action, name, value)
        _refuse_duplicate_code(plan.actions.all(), action, _("The plan already has an action %(code)s."))
        action.full_clean()
        action.save()
        action.responsibilities.all().delete()
        rows = [Responsibility(action=action, actor_kind=r.actor.kind, country_id=r.actor.country_id,
                               organisation_id=r.actor.organisation_id, involvement=r.involvement)
                for r in responsibles]
        for row in rows:
            row.full_clean(exclude=["action"])
        Responsibility.objects.bulk_create(rows)
        audit_log(actor=actor, action="plans.action.create" if created else "plans.action.update", obj=action,
                  extra={"code": action.code, "actors": [r.actor.key for r in responsibles]})
    return action


def action_remove(*, actor: Any, action: Action) -> Action:
    """Remove an action from a plan still being written (its joint projects stop naming it)."""
    return _remove_part(actor, action, "action", reported=action.updates.all(),
                        refusal=_("Progress was reported on this action: it cannot be removed."))


def _remove_part(actor: Any, part: Action | Indicator, kind: str, *, reported: QuerySet, refusal: str) -> Any:
    """Remove an action or an indicator of a plan still being written, unless progress was reported
    on it (a draft has no reports; the guard keeps a reported record from ever going)."""
    _authorize_change(actor, part.plan)
    with transaction.atomic():
        plan = _lock_editable(part.plan)
        if reported.exists():
            raise ValidationError({"__all__": refusal})
        audit_log(actor=actor, action=f"plans.{kind}.remove", obj=part,
                  extra={"plan": plan.code, "version": plan.version, "code": part.code})
        part.delete()
    return part


# Indicator fields a form or the API may set (the responsible actor comes apart, as an Actor).
INDICATOR_FIELDS = ("result", "code", "title", "definition", "measure", "ascending", "cumulative", "baseline_value",
                    "baseline_year", "baseline_comment", "means_of_verification", "is_key", "by_country", "source")


def indicator_save(*, actor: Any, plan: Plan, data: Mapping[str, Any], responsible: Actor | None = None,
                   indicator: Indicator | None = None) -> Indicator:
    """Create (``indicator`` None, ``responsible`` required) or change an indicator of a plan still
    being written. A change must leave its targets valid: no percentage target outside 0-100, no
    country target once it is no longer disaggregated by country."""
    _authorize_change(actor, plan)
    with transaction.atomic():
        plan = _lock_editable(plan)
        created = indicator is None
        if indicator is None:
            if responsible is None:
                raise ValidationError({"responsible": _("Name the responsible actor.")})
            indicator = Indicator(plan=plan)
        elif indicator.plan_id != plan.pk:
            raise ValidationError({"__all__": _("The indicator belongs to another plan.")})
        before = {name: getattr(indicator, name) for name in INDICATOR_FIELDS if name != "result"}
        before |= {"result_id": indicator.result_id, "actor_kind": indicator.actor_kind,
                   "country_id": indicator.country_id, "organisation_id": indicator.organisation_id}
        for name in INDICATOR_FIELDS:
            if name in data:
                setattr(indicator, name, data[name])
        if responsible is not None:
            indicator.actor_kind, indicator.country_id = responsible.kind, responsible.country_id
            indicator.organisation_id = responsible.organisation_id
        indicator.code = (indicator.code or "").strip()
        _refuse_duplicate_code(plan.indicators.all(), indicator, _("The plan already has an indicator %(code)s."))
        indicator.full_clean()
        if not created:
            _check_targets_still_hold(indicator)
        indicator.save()
        audit_log(actor=actor, action="plans.indicator.create" if created else "plans.indicator.update",
                  obj=indicator, changed_fields=() if created else _changed(indicator, before),
                  extra={"plan": plan.code, "version": plan.version, "code": indicator.code})
    return indicator


def target_label(target: Target) -> str:
    """``2024 GT: 2.5``: a target as messages name it."""
    return f"{target.year}{' ' + target.country.iso2 if target.country else ''}: {target.value.normalize():f}"


def _check_targets_still_hold(indicator: Indicator) -> None:
    targets = list(indicator.targets.select_related("country"))
    errors: dict[str, Any] = {}
    outside = [t for t in targets if not 0 <= t.value <= 100]
    if indicator.measure == Measure.PERCENTAGE and outside:
        errors["measure"] = _("Targets outside 0–100 exist (%(targets)s): a percentage lies between 0 and 100. "  # noqa: RUF001
                              "Change those targets first.") % {"targets": ", ".join(map(target_label, outside))}
    by_country = [t for t in targets if t.country_id]
    if not indicator.by_country and by_country:
        errors["by_country"] = _("Country targets exist (%(targets)s): remove them before the indicator stops "
                                 "being disaggregated by country.") % {
            "targets": ", ".join(map(target_label, by_country))}
    if errors:
        raise ValidationError(errors)


def indicator_remove(*, actor: Any, indicator: Indicator) -> Indicator:
    """Remove an indicator (and its targets) from a plan still being written."""
    return _remove_part(actor, indicator, "indicator", reported=indicator.values.all(),
                        refusal=_("Values were reported for this indicator: it cannot be removed."))


def target_set(*, actor: Any, indicator: Indicator, year: int, value: Any, country: Any = None,
               comment: str = "") -> Target:
    """The target of ``indicator`` for a year (and a country, or the region): set or replaced."""
    _authorize_change(actor, indicator.plan)
    with transaction.atomic():
        _lock_editable(indicator.plan)
        target = Target.objects.filter(indicator=indicator, year=year, country=country).first() or Target(
            indicator=indicator, year=year, country=country)
        target.value, target.comment = value, comment
        target.full_clean(validate_constraints=False)
        target.save()
        audit_log(actor=actor, action="plans.target.set", obj=target,
                  extra={"indicator": indicator.code, "year": year, "country": country.iso2 if country else ""})
    return target


def target_remove(*, actor: Any, indicator: Indicator, year: int, country: Any = None) -> Target:
    """Remove the target of ``indicator`` for a year (and a country, or the region)."""
    _authorize_change(actor, indicator.plan)
    with transaction.atomic():
        _lock_editable(indicator.plan)
        target = Target.objects.filter(indicator=indicator, year=year, country=country).first()
        if target is None:
            raise ValidationError({"year": _("%(code)s has no target for %(year)s %(where)s.") % {
                "code": indicator.code, "year": year, "where": country.iso2 if country else _("(regional)")}})
        audit_log(actor=actor, action="plans.target.remove", obj=indicator, extra={
            "indicator": indicator.code, "year": year, "country": country.iso2 if country else ""})
        target.delete()
    return target


# --- Who owes what ---------------------------------------------------------------------------------


def responsibility_filter(actor: Actor, prefix: str = "") -> Q:
    """Responsibility rows that name ``actor`` (a country owes the actions of all countries too)."""
    p = prefix
    if actor.kind == ActorKind.COUNTRY:
        return Q(**{f"{p}actor_kind": ActorKind.COUNTRY, f"{p}country_id": actor.country_id}) | Q(
            **{f"{p}actor_kind": ActorKind.ALL_COUNTRIES})
    if actor.kind in (ActorKind.OBSERVER, ActorKind.PARTNER):
        return Q(**{f"{p}actor_kind": actor.kind, f"{p}organisation_id": actor.organisation_id})
    return Q(**{f"{p}actor_kind": actor.kind})


def actions_owed_by(actor: Actor, plan: Plan) -> QuerySet[Action]:
    return plan.actions.filter(responsibility_filter(actor, "responsibilities__")).distinct()


def indicators_reported_by(actor: Actor, plan: Plan) -> QuerySet[Indicator]:
    """Typed indicators this actor reports: those it is responsible for, and every indicator
    disaggregated by country for a country."""
    mine = Q(**actor.lookup())
    if actor.kind == ActorKind.COUNTRY:
        mine |= Q(by_country=True) | Q(actor_kind=ActorKind.ALL_COUNTRIES)
    return plan.indicators.filter(mine, source="")


# --- Progress reports ------------------------------------------------------------------------------


def _refuse_if_locked(period: ReportingPeriod) -> None:
    if period.is_locked:
        raise ValidationError({"period": _("The period %(period)s is locked: its reports can no longer change.")
                               % {"period": period.label}})


def report_start(*, actor: Any, period: ReportingPeriod) -> ProgressReport:
    """The user's report for ``period`` (created, with a row per action and indicator they owe,
    when it does not exist yet)."""
    policy.authorize(actor, "plans.report")
    who = actor_of(actor)
    assert who is not None  # the rule above allows only users who report for an actor
    existing = ProgressReport.objects.filter(period=period, **who.reporter_lookup()).first()
    if existing is not None:
        return existing
    _refuse_if_locked(period)
    plan = Plan.objects.get(pk=period.plan_id)  # its state as stored, not a caller's stale copy
    if plan.state not in (PlanState.APPROVED, PlanState.IN_EXECUTION):
        raise ValidationError({"period": _("Progress is reported only on an approved plan in execution.")})
    if period.starts_on > timezone.localdate():
        raise ValidationError({"period": _("The period %(period)s has not started yet.") % {"period": period.label}})
    with transaction.atomic():
        serialise(f"plans.report:{period.pk}:{who.key}")
        report = ProgressReport(period=period, actor_kind=who.kind, country_id=who.country_id,
                                organisation_id=who.organisation_id, created_by=actor)
        report.full_clean(validate_constraints=False)
        report.save()
        ActionUpdate.objects.bulk_create(
            ActionUpdate(report=report, action=a, status=a.status, percent_complete=a.percent_complete)
            for a in actions_owed_by(who, plan)
        )
        IndicatorValue.objects.bulk_create(
            IndicatorValue(report=report, indicator=i) for i in indicators_reported_by(who, plan)
        )
        audit_log(actor=actor, action="plans.report.create", obj=report,
                  extra={"period": period.label, "actor": who.key})
    return report


@dataclass(frozen=True)
class ActionProgress:
    status: str
    percent_complete: int
    achievements: str = ""
    obstacles: str = ""


@dataclass(frozen=True)
class IndicatorProgress:
    value: Any = None
    narrative: str = ""
    evidence: UploadedFile | None = None


def _check_evidence(upload: UploadedFile, field: str) -> str:
    if upload.size is not None and upload.size > EVIDENCE_MAX_BYTES:
        raise ValidationError({field: _("The evidence file is larger than 10 MB.")})
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in EVIDENCE_TYPES:
        raise ValidationError({field: _("Evidence must be a PDF, an image (PNG, JPEG), a Word or an Excel file.")})
    return str(kind.mime)


def report_save(*, actor: Any, report: ProgressReport, summary: str,
                actions: Mapping[int, ActionProgress], indicators: Mapping[int, IndicatorProgress]) -> ProgressReport:
    """Write the reporter's progress: all of it, or (on any error) none of it.

    ``actions`` and ``indicators`` are keyed by the ActionUpdate and IndicatorValue ids; errors
    name the row (``action-<id>-percent_complete``) so a form can show them at the field.
    """
    policy.authorize(actor, "plans.report", report)
    with transaction.atomic():
        report = ProgressReport.objects.select_for_update().select_related("period").get(pk=report.pk)
        _refuse_if_locked(report.period)
        if report.state not in (ReportState.DRAFT, ReportState.RETURNED):
            raise ValidationError({"state": _("A submitted or approved report cannot be changed.")})
        errors: dict[str, Any] = {}
        updates = {u.pk: u for u in report.action_updates.select_related("action")}
        for pk, progress in actions.items():
            update = updates.get(pk)
            if update is None:
                raise ValidationError({"__all__": _("This action is not part of the report.")})
            update.status, update.percent_complete = progress.status, progress.percent_complete
            update.achievements, update.obstacles = progress.achievements, progress.obstacles
            try:
                update.full_clean(exclude=["report", "action"])
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    errors[f"action-{pk}-{field}"] = messages
        values = {v.pk: v for v in report.indicator_values.select_related("indicator")}
        for pk, given in indicators.items():
            row = values.get(pk)
            if row is None:
                raise ValidationError({"__all__": _("This indicator is not part of the report.")})
            row.value, row.narrative = given.value, given.narrative
            try:
                if given.evidence is not None:
                    row.evidence_type = _check_evidence(given.evidence, "evidence")
                row.full_clean(exclude=["report", "indicator", "evidence"])
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    errors[f"indicator-{pk}-{field}"] = messages
        if errors:
            raise ValidationError(errors)
        report.summary = summary
        report.save(update_fields=["summary", "updated_at"])
        for update in updates.values():
            if update.pk in actions:
                update.save(update_fields=["status", "percent_complete", "achievements", "obstacles"])
        for row in values.values():
            if row.pk in indicators:
                fields = ["value", "narrative"]
                evidence = indicators[row.pk].evidence
                if evidence is not None:
                    extension = (evidence.name or "file.bin").rsplit(".", 1)[-1][:5]
                    row.evidence.save(f"evidence-{row.pk}.{extension}", evidence,
                                      save=False)
                    fields += ["evidence", "evidence_type"]
                row.save(update_fields=fields)
        audit_log(actor=actor, action="plans.report.save", obj=report,
                  extra={"actions": len(actions), "indicators": len(indicators)})
    return report


def _notify_report(report: ProgressReport, kind: str, recipients: Iterable[Any]) -> None:
    from corett.notifications.services import notify

    notify(recipients=recipients, kind=kind, params={"period": report.period.label},
           link=report.get_absolute_url())


def report_submit(*, actor: Any, report: ProgressReport) -> ProgressReport:
    policy.authorize(actor, "plans.report", report)
    with transaction.atomic():
        report = ProgressReport.objects.select_for_update().select_related("period").get(pk=report.pk)
        _refuse_if_locked(report.period)
        if report.state not in (ReportState.DRAFT, ReportState.RETURNED):
            raise ValidationError({"state": _("Only a draft or a returned report can be submitted.")})
        missing = [v.indicator.code for v in report.indicator_values.select_related("indicator")
                   if v.value is None and not v.narrative]
        if missing:
            raise ValidationError({"state": _("Report every indicator before submitting: %(codes)s.")
                                   % {"codes": ", ".join(missing)}})
        report.state, report.submitted_at = ReportState.SUBMITTED, timezone.now()
        report.save(update_fields=["state", "submitted_at", "updated_at"])
        audit_log(actor=actor, action="plans.report.submit", obj=report, extra={"period": report.period.label})
        _notify_report(report, "plans.report_submitted", reviewers())
    return report


def _decide(*, actor: Any, report: ProgressReport, to_state: str, notes: str = "") -> ProgressReport:
    policy.authorize(actor, "plans.review", report)
    with transaction.atomic():
        report = ProgressReport.objects.select_for_update().select_related("period").get(pk=report.pk)
        _refuse_if_locked(report.period)
        if report.state != ReportState.SUBMITTED:
            raise ValidationError({"state": _("Only a submitted report can be reviewed.")})
        report.state, report.decided_at, report.decided_by = to_state, timezone.now(), actor
        report.reviewer_notes = notes
        report.save(update_fields=["state", "decided_at", "decided_by", "reviewer_notes", "updated_at"])
        audit_log(actor=actor, action=f"plans.report.{to_state}", obj=report, extra={"period": report.period.label})
        if to_state == ReportState.APPROVED:
            refresh_actions_progress([u.action for u in report.action_updates.select_related("action")])
        kind = "plans.report_approved" if to_state == ReportState.APPROVED else "plans.report_returned"
        _notify_report(report, kind, reporters_of(report.actor))
    return report


def report_return(*, actor: Any, report: ProgressReport, notes: str) -> ProgressReport:
    if not notes.strip():
        raise ValidationError({"notes": _("Say what the reporter must correct.")})
    return _decide(actor=actor, report=report, to_state=ReportState.RETURNED, notes=notes.strip())


def report_approve(*, actor: Any, report: ProgressReport, notes: str = "") -> ProgressReport:
    return _decide(actor=actor, report=report, to_state=ReportState.APPROVED, notes=notes.strip())


def report_reopen(*, actor: Any, report: ProgressReport, reason: str) -> ProgressReport:
    """An approved report back to its reporter (returned), for a stated reason, audited."""
    policy.authorize(actor, "plans.review", report)
    if not reason.strip():
        raise ValidationError({"reason": _("Reopening needs a reason.")})
    with transaction.atomic():
        report = ProgressReport.objects.select_for_update().select_related("period").get(pk=report.pk)
        _refuse_if_locked(report.period)
        if report.state != ReportState.APPROVED:
            raise ValidationError({"reason": _("Only an approved report can be reopened.")})
        report.state, report.reviewer_notes = ReportState.RETURNED, reason.strip()
        report.save(update_fields=["state", "reviewer_notes", "updated_at"])
        PeriodReopening.objects.create(period=report.period, report=report, reason=reason.strip(), by=actor)
        audit_log(actor=actor, action="plans.report.reopen", obj=report, extra={"period": report.period.label})
        refresh_actions_progress([u.action for u in report.action_updates.select_related("action")])
        _notify_report(report, "plans.report_returned", reporters_of(report.actor))
    return report


def period_lock(*, actor: Any, period: ReportingPeriod) -> ReportingPeriod:
    """Lock a period whose reports are all approved: from then on none of them changes."""
    policy.authorize(actor, "plans.manage", period.plan)
    with transaction.atomic():
        period = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
        if period.is_locked:
            raise ValidationError({"period": _("The period is already locked.")})
        pending = period.reports.exclude(state=ReportState.APPROVED).count()
        if pending:
            raise ValidationError({"period": _("%(count)s report(s) of this period are not approved yet.")
                                   % {"count": pending}})
        period.locked_at, period.locked_by = timezone.now(), actor
        period.save(update_fields=["locked_at", "locked_by"])
        audit_log(actor=actor, action="plans.period.lock", obj=period, extra={"period": period.label})
    return period


def period_reopen(*, actor: Any, period: ReportingPeriod, reason: str) -> ReportingPeriod:
    policy.authorize(actor, "plans.manage", period.plan)
    if not reason.strip():
        raise ValidationError({"reason": _("Reopening needs a reason.")})
    with transaction.atomic():
        period = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
        if not period.is_locked:
            raise ValidationError({"reason": _("The period is not locked.")})
        period.locked_at, period.locked_by = None, None
        period.save(update_fields=["locked_at", "locked_by"])
        PeriodReopening.objects.create(period=period, reason=reason.strip(), by=actor)
        # The reason is kept in the reopening record; the trail says that it happened and who did it.
        audit_log(actor=actor, action="plans.period.reopen", obj=period, extra={"period": period.label})
    return period


def refresh_actions_progress(actions: Sequence[Action]) -> None:
    """Each action's status and percent from the latest approved update of each actor reporting
    on it: the mean percent; completed only when every actor completed; delayed when any is.
    One query for all the actions' approved updates."""
    latest: dict[int, dict[str, ActionUpdate]] = {a.pk: {} for a in actions}
    approved = (ActionUpdate.objects.filter(action__in=[a.pk for a in actions], report__state=ReportState.APPROVED)
                .select_related("report").order_by("report__period__starts_on"))
    for update in approved:
        latest[update.action_id][update.report.actor.key] = update
    for action in actions:
        _apply_progress(action, list(latest[action.pk].values()))
        action.save(update_fields=["status", "percent_complete"])


def _apply_progress(action: Action, updates: list[ActionUpdate]) -> None:
    if not updates:
        action.status, action.percent_complete = ActionStatus.NOT_STARTED, 0
        return
    statuses = {u.status for u in updates}
    action.percent_complete = round(sum(u.percent_complete for u in updates) / len(updates))
    if statuses == {ActionStatus.CANCELLED}:
        action.status = ActionStatus.CANCELLED
    elif statuses <= {ActionStatus.COMPLETED, ActionStatus.CANCELLED}:
        action.status = ActionStatus.COMPLETED
    elif ActionStatus.DELAYED in statuses:
        action.status = ActionStatus.DELAYED
    elif statuses == {ActionStatus.NOT_STARTED}:
        action.status = ActionStatus.NOT_STARTED
    else:
        action.status = ActionStatus.IN_PROGRESS


# --- Who hears about it ----------------------------------------------------------------------------


def reviewers() -> QuerySet:
    from corett.accounts.models import User
    from corett.accounts.roles import Role

    return User.objects.filter(is_active=True, role_assignments__role=Role.SECRETARIAT).distinct()


def reporters_of(actor: Actor) -> QuerySet:
    """The users who report for ``actor``."""
    from corett.accounts.models import User
    from corett.accounts.roles import Role

    users = User.objects.filter(is_active=True)
    if actor.kind == ActorKind.SECRETARIAT:
        return users.filter(role_assignments__role=Role.SECRETARIAT).distinct()
    if actor.kind == ActorKind.PRESIDENCY:
        return users.filter(role_assignments__role=Role.PRESIDENCY).distinct()
    if actor.kind == ActorKind.COUNTRY:
        return users.filter(role_assignments__role=Role.FOCAL_POINT,
                            organisation__country_id=actor.country_id or 0).distinct()
    role = Role.OBSERVER if actor.kind == ActorKind.OBSERVER else Role.PARTNER
    return users.filter(role_assignments__role=role, organisation_id=actor.organisation_id or 0).distinct()


# --- Joint projects ------------------------------------------------------------------------------


def project_save(*, actor: Any, plan: Plan, data: Mapping[str, Any], partners: Iterable[Any] = (),
                 actions: Iterable[Action] = (), project: JointProject | None = None) -> JointProject:
    """Create or change a joint project or study. Projects are followed during execution (their
    milestones and documents move), so the Secretariat manages them whatever the plan's state."""
    policy.authorize(actor, "plans.manage", plan)
    with transaction.atomic():
        created = project is None
        if project is None:
            project = JointProject(plan=plan)
        for name, value in data.items():
            setattr(project, name, value)
        project.full_clean()
        project.save()
        chosen = list(actions)
        if any(a.plan_id != plan.pk for a in chosen):
            raise ValidationError({"actions": _("The actions must belong to this plan.")})
        project.partners.set(list(partners))
        project.actions.set(chosen)
        audit_log(actor=actor, action="plans.project.create" if created else "plans.project.update", obj=project,
                  extra={"code": project.code})
    return project


def milestone_add(*, actor: Any, project: JointProject, title: str, due_on: dt.date,
                  done_on: dt.date | None = None) -> Milestone:
    policy.authorize(actor, "plans.manage", project.plan)
    with transaction.atomic():
        milestone = Milestone(project=project, title=title, due_on=due_on, done_on=done_on)
        milestone.full_clean()
        milestone.save()
        audit_log(actor=actor, action="plans.milestone.add", obj=milestone, extra={"project": project.code})
    return milestone


def milestone_done(*, actor: Any, milestone: Milestone, done_on: dt.date) -> Milestone:
    policy.authorize(actor, "plans.manage", milestone.project.plan)
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": _("A milestone cannot be done in the future.")})
    with transaction.atomic():
        milestone.done_on = done_on
        milestone.save(update_fields=["done_on"])
        audit_log(actor=actor, action="plans.milestone.done", obj=milestone, extra={"project": milestone.project.code})
    return milestone


def document_add(*, actor: Any, project: JointProject, title: str, upload: UploadedFile) -> ProjectDocument:
    policy.authorize(actor, "plans.manage", project.plan)
    content_type = _check_evidence(upload, "file")
    if not title.strip():
        raise ValidationError({"title": _("Give the document a title.")})
    with transaction.atomic():
        document = ProjectDocument(project=project, title=title.strip(), content_type=content_type)
        extension = (upload.name or "file.bin").rsplit(".", 1)[-1][:5]
        document.file.save(f"{project.code}.{extension}", upload, save=False)
        document.save()
        audit_log(actor=actor, action="plans.document.add", obj=document, extra={"project": project.code})
    return document
