"""What the plenary sees: execution by objective, actor and country; target against actual per
indicator (by country where the indicator is disaggregated); overdue actions.

Actual values of typed indicators come from *approved* progress reports only: a draft or a report
under review never moves a dashboard. Per year, a cumulative indicator adds the values of the
year's periods; any other takes the value of the year's latest period. Computed indicators take
their value from their source (``corett.plans.sources``) and say which.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from corett.directory.models import Country
from corett.plans import sources
from corett.plans.models import (
    Action,
    ActionUpdate,
    ActorKind,
    Indicator,
    IndicatorValue,
    Plan,
    ReportState,
    TrafficLight,
)


@dataclass
class Execution:
    """Execution of a group of actions."""

    label: str
    actions: int = 0
    percent_sum: int = 0
    lights: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TrafficLight.values, 0))
    overdue: int = 0

    def add(self, action: Action, today: dt.date, percent: int | None = None) -> None:
        self.actions += 1
        self.percent_sum += action.percent_complete if percent is None else percent
        self.lights[action.traffic_light(today)] += 1
        self.overdue += action.is_overdue(today)

    @property
    def percent(self) -> int:
        return round(self.percent_sum / self.actions) if self.actions else 0


def _actions(plan: Plan) -> list[Action]:
    return list(plan.actions.select_related("result__objective__axis").prefetch_related(
        "responsibilities__country", "responsibilities__organisation").order_by("code"))


def by_objective(actions: list[Action], today: dt.date) -> list[Execution]:
    groups: dict[int, Execution] = {}
    for action in actions:
        objective = action.result.objective
        groups.setdefault(objective.pk, Execution(str(objective))).add(action, today)
    return list(groups.values())


def by_actor(actions: list[Action], today: dt.date) -> list[Execution]:
    groups: dict[str, Execution] = {}
    for action in actions:
        for responsibility in action.responsibilities.all():
            key = responsibility.actor.key
            if key not in groups:
                groups[key] = Execution(responsibility.actor_label())
            groups[key].add(action, today)
    order = [ActorKind.PRESIDENCY, ActorKind.SECRETARIAT, ActorKind.ALL_COUNTRIES, ActorKind.COUNTRY,
             ActorKind.OBSERVER, ActorKind.PARTNER]
    return sorted(groups.values(), key=lambda e: (next((i for i, k in enumerate(order) if e.label == str(
        ActorKind(k).label)), 3), e.label))


def by_country(plan: Plan, actions: list[Action], today: dt.date) -> list[Execution]:
    """Per member country: the actions it owes (its own and those of all countries), at the
    percent of its own latest approved update (0 while it has reported none)."""
    latest: dict[tuple[int, int], int] = {}
    approved = (ActionUpdate.objects.filter(action__plan=plan, report__state=ReportState.APPROVED,
                                            report__actor_kind=ActorKind.COUNTRY)
                .order_by("report__period__starts_on").values_list("report__country_id", "action_id",
                                                                     "percent_complete"))
    for country_id, action_id, percent in approved:
        latest[(country_id, action_id)] = percent
    rows = []
    for country in Country.objects.members().order_by("name_es"):
        execution = Execution(country.name)
        for action in actions:
            kinds = {(r.actor_kind, r.country_id) for r in action.responsibilities.all()}
            if (ActorKind.COUNTRY, country.pk) in kinds or any(k == ActorKind.ALL_COUNTRIES for k, _c in kinds):
                execution.add(action, today, latest.get((country.pk, action.pk), 0))
        rows.append(execution)
    return rows


def overdue_actions(actions: list[Action], today: dt.date) -> list[Action]:
    return [a for a in actions if a.is_overdue(today)]


# --- Indicators ------------------------------------------------------------------------------------


@dataclass
class Cell:
    target: Decimal | None = None
    actual: Decimal | None = None
    note: str = ""  # the source of a computed value, or why it is missing

    @property
    def percent(self) -> int | None:
        if self.target in (None, 0) or self.actual is None:
            return None
        return round(100 * self.actual / self.target)  # type: ignore[operator]


@dataclass
class IndicatorRow:
    label: str  # "Regional" or a country's name
    cells: dict[int, Cell]


@dataclass
class IndicatorProgress:
    indicator: Indicator
    years: list[int]
    rows: list[IndicatorRow]
    source_label: str = ""


def _typed_actuals(indicator: Indicator) -> dict[tuple[int | None, int], Decimal]:
    """(country id or None, year) → actual, from approved reports."""
    values = (IndicatorValue.objects.filter(indicator=indicator, report__state=ReportState.APPROVED,
                                            value__isnull=False)
              .order_by("report__period__starts_on")
              .values_list("report__country_id", "report__period__starts_on", "value"))
    per_country: dict[tuple[int | None, int], Decimal] = {}
    for country_id, starts_on, value in values:
        if value is None:
            continue
        key = (country_id, starts_on.year)
        if indicator.cumulative:
            per_country[key] = per_country.get(key, Decimal(0)) + value
        else:
            per_country[key] = value
    totals: dict[tuple[int | None, int], Decimal] = dict(per_country)
    by_year: dict[int, Decimal] = defaultdict(Decimal)
    for (_country, year), value in per_country.items():
        by_year[year] += value
    for year, value in by_year.items():
        totals[(None, year)] = value
    return totals


def _computed_actual(indicator: Indicator, country: Country | None, year: int, today: dt.date) -> Cell:
    start, end = dt.date(year, 1, 1), min(dt.date(year, 12, 31), today)
    if start > today:
        return Cell()
    try:
        found = sources.compute(indicator.source, country=country, start=start, end=end)
    except sources.SourceUnavailable as exc:
        return Cell(note=str(exc.args[0]) if exc.args else _("Not available."))
    return Cell(actual=found.value, note=found.source)


def indicator_progress(indicator: Indicator, *, today: dt.date | None = None,
                       countries: list[Country] | None = None) -> IndicatorProgress:
    today = today or timezone.localdate()
    years = list(indicator.plan.years)
    targets = {(t.country_id, t.year): t.value for t in indicator.targets.all()}
    places: list[tuple[str, Country | None]] = [(_("Regional"), None)]
    if indicator.by_country:
        members = countries if countries is not None else list(Country.objects.members().order_by("name_es"))
        places += [(c.name, c) for c in members]
    actuals = {} if indicator.is_computed else _typed_actuals(indicator)
    rows = []
    source_label = ""
    for label, country in places:
        cells = {}
        country_id = country.pk if country else None
        for year in years:
            if indicator.is_computed:
                cell = _computed_actual(indicator, country, year, today)
                source_label = source_label or cell.note
            else:
                cell = Cell(actual=actuals.get((country_id, year)))
            cell.target = targets.get((country_id, year))
            cells[year] = cell
        rows.append(IndicatorRow(label, cells))
    return IndicatorProgress(indicator, years, rows, source_label)


def plan_dashboard(plan: Plan, *, today: dt.date | None = None) -> dict[str, Any]:
    today = today or timezone.localdate()
    actions = _actions(plan)
    key_indicators = list(plan.indicators.filter(is_key=True).prefetch_related("targets").select_related("plan"))
    countries = list(Country.objects.members().order_by("name_es"))
    overall = Execution(_("Whole plan"))
    for action in actions:
        overall.add(action, today)
    return {
        "today": today,
        "overall": overall,
        "by_objective": by_objective(actions, today),
        "by_actor": by_actor(actions, today),
        "by_country": by_country(plan, actions, today),
        "overdue": overdue_actions(actions, today),
        "indicators": [indicator_progress(i, today=today, countries=countries) for i in key_indicators],
    }
