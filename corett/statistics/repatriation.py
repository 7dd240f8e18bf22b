"""The repatriation cases as statistics: victims repatriated and assisted, counted from the cases
module and released only after the statistics module's own disclosure control.

What is counted, per completed calendar year (the platform's time zone), per destination country
(the country that identified the person and owns the case: ``Value.country_iso3``):

- ``victims_repatriated``: cases whose handover on arrival was recorded (the protocol's
  ``receive`` step, stage "received"), in the year of their first handover; by sex, by age and by
  country of origin (``Value.repatriation``, ISO alpha-3);
- ``victims_assisted``: cases placed under the destination country's protection (the protocol's
  ``protect`` step, the first time), in the year of that step; by sex and by age.

A case is one person and counts once per indicator. Age follows the protocol: a person is a child
(``0-17``) unless an age of 18 or more was verified (``corett.cases.models.CHILD``). Sex is the
case's recorded sex; "intersex" is the statistics' "other", and an unrecorded sex is "unknown".
Cases whose identity was erased after the retention period still count: erasing a name must not
change last year's figures. Only aggregates are computed, in SQL, from clear columns: no sealed
field is read, and no case code or name reaches a value, a batch, an audit entry or a message.

Approval. Computed figures are not reported data: nobody has vouched for them yet. They are
stored as *submitted* (``Status.SUBMITTED``), never approved by the feed itself, which is the
state of a national report awaiting the Technical Secretariat's review:

- the destination country's focal point sees them exactly, with that status stated, as they see
  their own country's submitted report (``release.released_values`` decides that, not this module);
- nobody else, and no public output, sees them until a reviewer approves a year
  (:func:`approve`, ``corett approve-repatriation-statistics``; the ``statistics.approve_computed``
  rule: the Secretariat, who approve national reports too). Approved, they are released like every
  case-level source: k-anonymity (``STATISTICS_K_ANONYMITY``, default 10) as the primary
  threshold, then secondary suppression across sex, age and country of origin;
- when cases recorded later change a table already approved (a destination country's indicator
  for one year), the whole table returns to *submitted* with an audited reason and leaves the
  regional figures until it is approved again: an approval covers the figures that were reviewed,
  not whatever the cases say later.

Refreshing is idempotent: when the counts have not changed, nothing is written (no batch, no
audit entry, no new timestamp).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import ExtractYear
from django.utils import timezone

from corett import policy
from corett.lib.locks import serialise
from corett.statistics.models import Age, Indicator, IndicatorCode, Kind, Sex, Source, Status, Value
from corett.statistics.services import ValueInput, set_status, store_values

RELEASE = "CORETT repatriation module"
REFERENCE = "refresh-repatriation-statistics"
REPATRIATED = IndicatorCode.VICTIMS_REPATRIATED.value
ASSISTED = IndicatorCode.VICTIMS_ASSISTED.value
INDICATORS = (REPATRIATED, ASSISTED)
# Reason recorded (and audited) when later cases change figures a person had approved.
REOPEN_REASON = "The repatriation cases changed after approval: the figures were computed again and await review."

# The case's recorded sex as the statistics' categories.
SEXES = {"female": Sex.FEMALE, "male": Sex.MALE, "intersex": Sex.OTHER, "unknown": Sex.UNKNOWN}

# (indicator, destination ISO3, year, origin ISO3 or "", sex, age)
Group = tuple[str, str, int, str, str, str]
# ValueInput.key() without the status: (country, indicator, period, sex, age, form, citizenship, repatriation|label)
CellKey = tuple[str, str, str, str, str, str, str, str]


@dataclass
class RefreshResult:
    cases: dict[str, int] = field(default_factory=dict)  # per indicator: cases counted
    cells: int = 0  # cells the cases give (non-zero)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    reopened: int = 0  # approved values returned to "submitted" because the cases changed
    batch_id: int | None = None  # the run that wrote, None when nothing changed

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.reopened)

    def describe(self) -> str:
        """One line for a terminal or a log: counts only."""
        cases = ", ".join(f"{indicator} {n:,}" for indicator, n in sorted(self.cases.items())) or "none"
        if not self.changed:
            return f"Repatriation statistics unchanged: {self.cells:,} cells (cases counted: {cases})."
        return (
            f"Repatriation statistics: batch {self.batch_id}, {self.created:,} values new, "
            f"{self.updated:,} changed, {self.unchanged:,} unchanged, {self.reopened:,} approved values "
            f"returned for review (cases counted: {cases})."
        )


def _first(stage: str) -> Subquery:
    from corett.cases.models import StageChange

    return Subquery(
        StageChange.objects.filter(case=OuterRef("pk"), to_stage=stage).order_by("at", "pk").values("at")[:1]
    )


def case_counts(*, before_year: int) -> Counter[Group]:
    """How many cases fall in each group, for the years before ``before_year`` (complete years).

    One grouped query per indicator; only clear columns and stage dates are read."""
    from corett.cases.models import CHILD, Case, Stage

    tz = timezone.get_current_timezone()
    cutoff = dt.datetime(before_year, 1, 1, tzinfo=tz)
    counts: Counter[Group] = Counter()
    for indicator, stage, by_origin in ((REPATRIATED, Stage.RECEIVED, True), (ASSISTED, Stage.PROTECTED, False)):
        rows = (
            Case.objects.order_by()
            .annotate(on=_first(stage))
            .filter(on__isnull=False, on__lt=cutoff)
            .annotate(
                year=ExtractYear("on", tzinfo=tz),
                child=models.Case(models.When(CHILD, then=models.Value(True)), default=models.Value(False)),
            )
            .values_list("destination_country__iso3", "origin_country__iso3", "sex", "child", "year")
            .annotate(n=Count("pk"))
        )
        for destination, origin, sex, child, year, n in rows:
            key = (indicator, destination, int(year), origin if by_origin else "",
                   SEXES.get(sex, Sex.UNKNOWN), Age.CHILDREN if child else Age.ADULTS)
            counts[key] += n
    return counts


def cells(counts: Counter[Group]) -> dict[CellKey, int]:
    """The table cells the groups add up to: the total, by sex, by age and (for the victims
    repatriated) by country of origin. Margins, not their crossings: a crossing of small
    categories (girls returned to one country) would mostly be suppressed, and take published
    margins with it through secondary suppression."""
    table: Counter[CellKey] = Counter()
    for (indicator, destination, year, origin, sex, age), n in counts.items():
        period = str(year)
        table[_key(indicator, destination, period, Sex.TOTAL, Age.TOTAL, "")] += n
        table[_key(indicator, destination, period, sex, Age.TOTAL, "")] += n
        table[_key(indicator, destination, period, Sex.TOTAL, age, "")] += n
        if origin:
            table[_key(indicator, destination, period, Sex.TOTAL, Age.TOTAL, origin)] += n
    return dict(table)


def _key(indicator: str, country: str, period: str, sex: str, age: str, origin: str) -> CellKey:
    return (country, indicator, period, sex, age, "total", "", origin + "|")


def _input(key: CellKey, value: int) -> ValueInput:
    country, indicator, period, sex, age, form, _citizenship, repatriation = key
    origin = repatriation.split("|", 1)[0]
    return ValueInput(
        indicator, country, period, value, kind=Kind.EXACT, sex=sex, age=age, form=form, repatriation=origin,
        cell=f"{country}:{period}:{origin or '*'}:{sex}:{age}",
    )


def _stored() -> dict[CellKey, tuple[int | None, str, str]]:
    """The feed's stored cells: key -> (value, kind, status)."""
    found = {}
    rows = Value.objects.filter(source=Source.CASES, indicator__code__in=INDICATORS).values_list(
        "country_iso3", "indicator__code", "period", "sex", "age", "form", "citizenship", "repatriation", "label",
        "value", "kind", "status",
    )
    for country, indicator, period, sex, age, form, citizenship, repatriation, label, value, kind, status in rows:
        found[(country, indicator, period, sex, age, form, citizenship, f"{repatriation}|{label}")] = (
            value, kind, status,
        )
    return found


def refresh(*, today: dt.date | None = None) -> RefreshResult:
    """Bring the feed's values in line with the cases (completed years only); idempotent."""
    today = today or timezone.localdate()
    with transaction.atomic():
        # Two runs at once (cron and a person) would both insert the same new cells: one waits.
        serialise("statistics.repatriation")
        counts = case_counts(before_year=today.year)
        wanted = cells(counts)
        result = RefreshResult(cells=len(wanted))
        for (indicator, *_rest), n in counts.items():
            result.cases[indicator] = result.cases.get(indicator, 0) + n
        stored = _stored()
        # A cell no case fills any more is zero now: never left at its old count.
        target = {**dict.fromkeys(stored, 0), **wanted}
        changed = {
            key: n for key, n in target.items()
            if key not in stored or stored[key][:2] != (n, Kind.EXACT)
        }
        result.unchanged = len(target) - len(changed)
        if not changed:
            return result
        tables = {(key[0], key[1], key[2]) for key in changed}
        result.reopened = _reopen(tables)
        stored_result = store_values(
            actor=None, source=Source.CASES, values=[_input(key, n) for key, n in sorted(changed.items())],
            release=RELEASE, reference=REFERENCE, status=Status.SUBMITTED, today=today,
        )
        result.created, result.updated = stored_result.created, stored_result.updated
        result.unchanged += stored_result.unchanged
        batch = stored_result.batch
        batch.summary = {"cases_placed": sum(result.cases.values()), "values": result.cells,
                         "created": result.created, "updated": result.updated, "unchanged": result.unchanged,
                         "reopened": result.reopened}
        batch.save(update_fields=["summary"])
        result.batch_id = batch.pk
    return result


def _reopen(tables: Iterable[tuple[str, str, str]]) -> int:
    """Return the approved values of the changed tables to "submitted" (with the reason audited)."""
    indicators = dict(Indicator.objects.filter(code__in=INDICATORS).values_list("code", "pk"))
    scope = models.Q()
    for country, indicator, period in tables:
        if indicator in indicators:
            scope |= models.Q(country_iso3=country, indicator_id=indicators[indicator], period=period)
    if not scope:
        return 0
    approved = Value.objects.filter(scope, source=Source.CASES, status=Status.APPROVED)
    if not approved.exists():
        return 0
    return set_status(actor=None, values=approved, status=Status.SUBMITTED, reason=REOPEN_REASON)


def pending(*, year: int | None = None, countries: Iterable[str] | None = None) -> models.QuerySet[Value]:
    """The feed's values that await approval."""
    qs = Value.objects.filter(
        source=Source.CASES, indicator__code__in=INDICATORS
    ).exclude(status=Status.APPROVED)
    if year is not None:
        qs = qs.filter(year=year)
    if countries is not None:
        qs = qs.filter(country_iso3__in=[c.upper() for c in countries])
    return qs


def approve(*, actor: Any, year: int, countries: Iterable[str] | None = None) -> int:
    """A reviewer's approval of the computed figures of ``year`` (of ``countries``, default all):
    from now on they are released, after disclosure control. Returns the values approved."""
    policy.authorize(actor, "statistics.approve_computed", None)
    ids = list(pending(year=year, countries=countries).values_list("pk", flat=True))
    return set_status(actor=actor, values=Value.objects.filter(pk__in=ids), status=Status.APPROVED)
