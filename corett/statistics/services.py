"""Statistics workflows: storing values, changing their approval status, reviewing findings.

Every value enters through :func:`store_values` (national submissions from ``corett.reporting``,
the GLOTIP and CTDC importers) and changes status through :func:`set_status`; both validate
everything before writing anything, write inside one transaction, audit, and refresh the
published (disclosure-controlled) figures of what they touched.

``store_values`` and ``set_status`` do not ask the policy themselves: their callers (the
reporting module's submission and review workflow, the import commands and pages) authorise the
person first, with their own actions. ``review_finding`` asks the policy.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from corett import policy
from corett.audit.services import audit_log
from corett.statistics import bulk
from corett.statistics.models import (
    Age,
    Batch,
    Finding,
    Form,
    Indicator,
    Kind,
    Sex,
    Source,
    Status,
    Value,
)
from corett.statistics.periods import Period, parse_period
from corett.statistics.release import Written, refresh_published

CellKey = tuple[str, str, str, str, str, str, str, str]


@dataclass(frozen=True)
class ValueInput:
    """One value to store. ``cell`` says where it was read ("Sheet!C7", "row 812") for errors."""

    indicator: str
    country: str  # ISO alpha-3
    period: str  # "2024", "2024S1", "2024Q3"
    value: int | None = None
    kind: str = Kind.EXACT  # "exact", "suppressed" (give bounds) or "missing"
    sex: str = Sex.TOTAL
    age: str = Age.TOTAL
    form: str = Form.TOTAL
    citizenship: str = ""
    repatriation: str = ""
    label: str = ""
    lower_bound: int | None = None
    upper_bound: int | None = None
    cell: str = ""

    def key(self) -> CellKey:
        return (self.country.upper(), self.indicator, self.period.upper(), self.sex, self.age, self.form,
                self.citizenship.upper(), self.repatriation.upper() + "|" + self.label)


@dataclass
class StoreResult:
    batch: Batch
    created: int = 0
    updated: int = 0
    unchanged: int = 0


_CATEGORIES = (("sex", frozenset(Sex.values)), ("age", frozenset(Age.values)), ("form", frozenset(Form.values)))


def validate_value(item: ValueInput, *, indicators: dict[str, Indicator], today: dt.date) -> list[str]:
    """The problems of one value, translated (empty when it may be stored)."""
    problems = []
    if item.indicator not in indicators:
        problems.append(_("Unknown indicator “%(code)s”.") % {"code": item.indicator})
    try:
        period = _parse_period_cached(item.period)
    except ValueError:
        problems.append(_("Write the period as 2024, 2024S1 or 2024Q1 (not “%(text)s”).") % {"text": item.period})
    else:
        if period.end > today:
            problems.append(_("The period %(period)s has not ended yet.") % {"period": item.period})
    for name, choices in _CATEGORIES:
        if getattr(item, name) not in choices:
            problems.append(_("Unknown category “%(value)s” for %(name)s.") % {"value": getattr(item, name), "name": name})
    problems.extend(_count_problems(item))
    for code in (item.country, item.citizenship, item.repatriation):
        if not _is_code(code):
            problems.append(_("“%(code)s” is not an ISO 3166 alpha-3 code.") % {"code": code})
    return problems


def _count_problems(item: ValueInput) -> list[str]:
    if item.kind == Kind.EXACT:
        if item.value is None or isinstance(item.value, bool) or not isinstance(item.value, int):
            return [_("The value must be a whole number.")]
        if item.value < 0:
            return [_("A count cannot be negative.")]
    elif item.kind == Kind.SUPPRESSED:
        if item.lower_bound is None or item.upper_bound is None or not 0 <= item.lower_bound <= item.upper_bound:
            return [_("A suppressed value needs a lower and an upper bound.")]
    elif item.kind != Kind.MISSING:
        return [_("Unknown kind of value “%(kind)s”.") % {"kind": item.kind}]
    return []


def _is_code(code: str) -> bool:
    return not code or (len(code) == 3 and code.isalpha())


def _labels_valid(values: Sequence[ValueInput], *, indicators: dict[str, Indicator], today: dt.date) -> bool:
    """Whether every indicator, period, category and country code of ``values`` is valid.

    Each distinct label is checked once (an import repeats a few hundred over tens of thousands
    of values); :func:`validate_value` then only needs to look at the counts.
    """
    if not {v.indicator for v in values} <= indicators.keys():
        return False
    for period in {v.period for v in values}:
        try:
            if _parse_period_cached(period).end > today:
                return False
        except ValueError:
            return False
    for name, choices in _CATEGORIES:
        if not {getattr(v, name) for v in values} <= choices:
            return False
    codes = {v.country for v in values} | {v.citizenship for v in values} | {v.repatriation for v in values}
    return all(_is_code(code) for code in codes)


def _bounds(item: ValueInput) -> tuple[int | None, int | None, int | None]:
    if item.kind == Kind.EXACT:
        return item.value, item.value, item.value
    if item.kind == Kind.SUPPRESSED:
        return None, item.lower_bound, item.upper_bound
    return None, None, None


def store_values(
    *,
    actor: Any,
    source: str,
    values: Sequence[ValueInput],
    release: str = "",
    reference: str = "",
    country: str = "",
    status: str = Status.SUBMITTED,
    batch: Batch | None = None,
    today: dt.date | None = None,
    supersede_approved: bool = False,
) -> StoreResult:
    """Store ``values`` all or nothing; return the batch and what changed.

    Raises ``ValidationError({cell: [messages]})`` (the cell of each ``ValueInput``, or "#<n>"),
    and stores nothing, if any value is invalid or would overwrite an approved (locked) value.
    A value identical to the stored one is left untouched (its provenance too), so storing the
    same data twice changes nothing. Runs inside the caller's transaction when there is one.
    ``supersede_approved=True`` is for a new release of a public source (GLOTIP, CTDC): it replaces
    that source's approved values, which stay locked against everything else.
    """
    if source not in Source.values:
        raise ValidationError({"source": _("Unknown source.")})
    today = today or timezone.localdate()
    indicators = Indicator.objects.ensure_all()
    errors: dict[str, list[str]] = {}
    seen: dict[CellKey, str] = {}
    keys = [item.key() for item in values]
    labels_valid = _labels_valid(values, indicators=indicators, today=today)
    for position, (item, key) in enumerate(zip(values, keys, strict=True), start=1):
        problems = _count_problems(item) if labels_valid else validate_value(item, indicators=indicators, today=today)
        if key in seen:
            problems.append(_("The same cell is given twice (also at %(cell)s).") % {"cell": seen[key]})
        where = seen[key] = item.cell or f"#{position}"
        if problems:
            errors.setdefault(where, []).extend(problems)
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        if batch is None:
            batch = Batch.objects.create(
                kind=Batch.BatchKind.SUBMISSION, source=source, release=release, reference=reference,
                country_iso3=country.upper(), created_by=actor if _is_user(actor) else None,
                state=Batch.State.DONE, rows_total=len(values), rows_done=len(values), finished_at=timezone.now(),
            )
        result = StoreResult(batch=batch)
        existing = _existing(source, values)
        recorder = actor if _is_user(actor) else None
        now = timezone.now()
        # New values go in as plain rows (an import writes tens of thousands: building a model
        # instance for each would cost more than reading the file); changed ones through the ORM.
        to_create: list[tuple] = []
        to_update: list[Value] = []
        updated: list[tuple[ValueInput, CellKey]] = []  # beside to_update: what each was made from
        indicator_ids = {code: indicator.pk for code, indicator in indicators.items()}
        years: dict[str, int] = {}
        recorded_by = recorder.pk if recorder else None
        stamp = connection.ops.adapt_datetimefield_value(now)
        # The rows are handed to refresh_published as the database would give them back: plain
        # strings, not the choices' enum members (disclosure control orders cells by their repr).
        plain = _Plain()
        source, release = str(source), str(release)
        for item, key in zip(values, keys, strict=True):
            number, low, high = _bounds(item)
            stored = existing.get(key)
            if stored is not None:
                same = (stored.kind, stored.value, stored.lower_bound, stored.upper_bound) == (item.kind, number, low, high)
                if same and (stored.status == status or stored.status == Status.APPROVED):
                    result.unchanged += 1  # never silently un-approve what a person approved
                    continue
                if stored.status == Status.APPROVED and not same and not supersede_approved:
                    errors.setdefault(item.cell or item.key()[0], []).append(
                        _("%(period)s is approved and locked: reopen it before changing it.") % {"period": item.period}
                    )
                    continue
                to_update.append(Value(
                    pk=stored.pk, indicator_id=stored.indicator_id, country_iso3=stored.country_iso3,
                    year=stored.year, kind=item.kind, value=number, lower_bound=low, upper_bound=high,
                    status=status, batch=batch, release=release, cell=item.cell, recorded_by=recorder,
                    recorded_at=now,
                ))
                updated.append((item, key))
                continue
            year = years.get(item.period)
            if year is None:
                year = years[item.period] = _parse_period_cached(item.period).year
            to_create.append((
                indicator_ids[item.indicator], key[0], key[2], year, plain[item.sex], plain[item.age],
                plain[item.form], key[6], item.repatriation.upper(), plain[item.label], plain[item.kind], number, low,
                high, source, release, batch.pk, item.cell[:60], status, recorded_by, stamp,
            ))
        if errors:
            raise ValidationError(errors)
        # In the order of the table's unique index (one cell per source): SQLite then appends to
        # its b-trees instead of inserting all over them.
        to_create.sort(key=lambda row: (row[1], row[0], row[2], row[4], row[5], row[6], row[7], row[8], row[9]))
        bulk.insert_rows(Value, _VALUE_COLUMNS, to_create)
        Value.objects.bulk_update(
            to_update,
            ["kind", "value", "lower_bound", "upper_bound", "status", "batch", "release", "cell", "recorded_by",
             "recorded_at"],
            batch_size=2000,
        )
        result.created, result.updated = len(to_create), len(to_update)
        audit_log(
            actor=actor if _is_user(actor) else None, action="statistics.values_stored", obj=batch,
            extra={"source": source, "created": result.created, "updated": result.updated,
                   "unchanged": result.unchanged},
        )
        if (to_create and status == Status.APPROVED) or to_update:
            # What was just written is handed over, not read back (refresh_published checks,
            # by counting, that it and what it reads are all the approved values).
            written: list[tuple] = []
            if status == Status.APPROVED:
                written = to_create
                if to_update:
                    written = [*to_create, *(_written_row(v, *made, source) for v, made in
                                             zip(to_update, updated, strict=True))]
            refresh_published(
                countries={row[1] for row in to_create} | {v.country_iso3 for v in to_update},
                indicator_ids={row[0] for row in to_create} | {v.indicator_id for v in to_update},
                years={row[3] for row in to_create} | {v.year for v in to_update},
                written=Written(batch.pk, now, written),
            )
    return result


# The columns of a new value, in the order store_values builds its rows.
_VALUE_COLUMNS = (
    "indicator_id", "country_iso3", "period", "year", "sex", "age", "form", "citizenship", "repatriation", "label",
    "kind", "value", "lower_bound", "upper_bound", "source", "release", "batch_id", "cell", "status",
    "recorded_by_id", "recorded_at",
)
# They begin with release.WRITTEN_FIELDS: the rows just written are handed to refresh_published as
# they are (test_release.py checks the order).


class _Plain(dict[str, str]):
    """Each string as a plain ``str`` (an enum member of the choices becomes its value), made once."""

    def __missing__(self, key: str) -> str:
        text = self[key] = str(key)
        return text


def _written_row(value: Value, item: ValueInput, key: CellKey, source: str) -> tuple:
    """A changed value as refresh_published would read it back (the stored cell is ``key``'s)."""
    return (value.indicator_id, value.country_iso3, key[2], value.year, str(item.sex), str(item.age),
            str(item.form), key[6], item.repatriation.upper(), str(item.label), str(value.kind), value.value,
            value.lower_bound, value.upper_bound, source, value.release)


def set_status(*, actor: Any, values: QuerySet[Value], status: str, reason: str = "") -> int:
    """Change the approval status of ``values`` (e.g. a submission's batch: approve, return, reopen).

    Reopening approved values needs a reason and is audited with it. Refreshes the published
    figures of everything touched. Returns the number of values changed.
    """
    if status not in Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    with transaction.atomic():
        locked = list(values.select_for_update().exclude(status=status))
        reopening = status != Status.APPROVED and any(v.status == Status.APPROVED for v in locked)
        if reopening and not reason.strip():
            raise ValidationError({"reason": _("Say why approved data is reopened.")})
        Value.objects.filter(pk__in=[v.pk for v in locked]).update(status=status, recorded_at=timezone.now())
        if locked:
            audit_log(
                actor=actor, action="statistics.status_changed", obj=locked[0].batch,
                extra={"status": status, "values": len(locked), "reopened": reopening, "reason": reason[:500]},
            )
            _refresh_for(locked)
    return len(locked)


def review_finding(*, actor: Any, finding: Finding, status: str, comment: str = "") -> Finding:
    """Record a person's decision on a finding; a held value is released or excluded with it.

    ``accepted``: the value stands as published (it is approved). ``dismissed``: the value is
    excluded (it stays held, never released). ``noted``: nothing to change.
    """
    policy.authorize(actor, "statistics.review_finding", finding)
    if status not in Finding.FindingStatus.values or status == Finding.FindingStatus.OPEN:
        raise ValidationError({"status": _("Choose a decision.")})
    if status == Finding.FindingStatus.DISMISSED and not comment.strip():
        raise ValidationError({"comment": _("Say why the value is excluded.")})
    with transaction.atomic():
        finding.status = status
        finding.review_comment = comment
        finding.reviewed_by = actor
        finding.reviewed_at = timezone.now()
        finding.full_clean()
        finding.save(update_fields=["status", "review_comment", "reviewed_by", "reviewed_at"])
        held = finding.value
        if held is not None and held.status == Status.HELD and status == Finding.FindingStatus.ACCEPTED:
            still_open = held.findings.filter(status=Finding.FindingStatus.OPEN).exists()
            if not still_open:
                held.status = Status.APPROVED
                held.save(update_fields=["status", "recorded_at"])
                _refresh_for([held])
        audit_log(actor=actor, action="statistics.finding_reviewed", obj=finding,
                  extra={"status": status, "kind": finding.kind})
    return finding


@functools.lru_cache(maxsize=512)
def _parse_period_cached(text: str) -> Period:
    return parse_period(text)


class _Stored(NamedTuple):
    pk: int
    indicator_id: int
    country_iso3: str
    year: int
    kind: str
    value: int | None
    lower_bound: int | None
    upper_bound: int | None
    status: str


def _existing(source: str, values: Iterable[ValueInput]) -> dict[CellKey, _Stored]:
    """What ``source`` already holds for the cells of ``values``, by cell key (plain rows)."""
    countries, periods, indicators = set(), set(), set()
    for v in values:
        countries.add(v.country.upper())
        periods.add(v.period.upper())
        indicators.add(v.indicator)
    found: dict[CellKey, _Stored] = {}
    rows = Value.objects.filter(
        source=source, country_iso3__in=countries, period__in=periods, indicator__code__in=indicators
    ).order_by().values_list("indicator__code", "period", "sex", "age", "form", "citizenship", "repatriation",
                             "label", *_Stored._fields)
    for code, period, sex, age, form, citizenship, repatriation, label, *stored in rows:
        row = _Stored(*stored)
        found[(row.country_iso3, code, period, sex, age, form, citizenship, repatriation + "|" + label)] = row
    return found


def _refresh_for(values: Iterable[Value]) -> None:
    countries, indicators, years = set(), set(), set()
    for v in values:
        countries.add(v.country_iso3)
        indicators.add(v.indicator_id)
        years.add(v.year)
    refresh_published(countries=countries, indicator_ids=indicators, years=years)


def _is_user(actor: Any) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)
