"""Small, valid plans for the tests: one axis, objective and result; actions for Guatemala, for
all countries and for the Secretariat; a typed indicator by country and a computed one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from corett.accounts.roles import Role
from corett.directory.models import Country, Organisation
from corett.plans import services
from corett.plans.models import (
    Action,
    Actor,
    ActorKind,
    Axis,
    ExpectedResult,
    Indicator,
    Measure,
    Objective,
    Plan,
    PlanState,
    ReportingPeriod,
    Target,
)
from corett.testing import factories


@dataclass
class PlanWorld:
    plan: Plan
    result: ExpectedResult
    gt_action: Action
    all_action: Action
    secretariat_action: Action
    indicator: Indicator
    computed: Indicator
    period: ReportingPeriod
    gt: Country
    hn: Country
    staff: object


def build_plan(*, state: str = PlanState.IN_EXECUTION, code: str = "POA-T") -> PlanWorld:
    gt, hn = factories.country("GT"), factories.country("HN")
    staff = factories.user_with(Role.SECRETARIAT, None, username=f"builder-{code}".lower())
    plan = services.plan_create(actor=staff, data={
        "code": code, "title": "Plan de prueba", "start_year": 2023, "end_year": 2025,
        "reporting_frequency": "semester"})
    axis = Axis.objects.create(plan=plan, code="1", title="Prevención")
    objective = Objective.objects.create(axis=axis, code="1.1", title="Fortalecer la prevención")
    result = ExpectedResult.objects.create(objective=objective, code="1.1.1", title="Campañas", result_type="output")

    def action(code: str, *actors: Actor) -> Action:
        return services.action_save(
            actor=staff, plan=plan,
            data={"result": result, "code": code, "description": f"Acción {code}",
                  "planned_start": dt.date(2023, 2, 1), "planned_end": dt.date(2025, 11, 30),
                  "budget": Decimal("1000"), "currency": "USD", "funding_source": "OIM"},
            responsibles=[services.ResponsibleActor(a) for a in actors])

    gt_action = action("1.1.1.1", Actor(ActorKind.COUNTRY, country_id=gt.pk))
    all_action = action("1.1.1.2", Actor(ActorKind.ALL_COUNTRIES))
    secretariat_action = action("1.1.1.3", Actor(ActorKind.SECRETARIAT))
    indicator = Indicator.objects.create(
        plan=plan, result=result, code="I-1", title="Campañas realizadas", measure=Measure.UNIT,
        cumulative=True, actor_kind=ActorKind.ALL_COUNTRIES, by_country=True, is_key=True,
        baseline_value=Decimal(0), baseline_year=2022)
    Target.objects.create(indicator=indicator, year=2024, value=Decimal(10))
    Target.objects.create(indicator=indicator, year=2024, country=gt, value=Decimal(2))
    computed = Indicator.objects.create(
        plan=plan, result=result, code="I-2", title="Víctimas repatriadas", source="cases.victims_repatriated",
        actor_kind=ActorKind.SECRETARIAT, is_key=True)
    if state != PlanState.DRAFT:
        for step in (PlanState.IN_REVIEW, PlanState.APPROVED, PlanState.IN_EXECUTION):
            services.plan_transition(actor=staff, plan=plan, to_state=step, agreement_reference="III-2022/C")
            if step == state:
                break
    plan.refresh_from_db()
    period = plan.periods.get(label="2024-S1")
    return PlanWorld(plan, result, gt_action, all_action, secretariat_action, indicator, computed, period, gt, hn,
                     staff)


def observer_org(acronym: str = "OIM") -> Organisation:
    org = Organisation.objects.filter(acronym=acronym).first()
    if org is None:
        org = Organisation.objects.create(name=f"Org {acronym}", acronym=acronym, kind="intergovernmental")
    return org
