"""The one way figures leave the statistics module: released values, after disclosure control.

Dashboards, the API, exports, infographics and other modules read figures only through
:func:`released_values` and :func:`approved_total`. Who sees what:

- a user of the owning country who holds the focal-point role sees that country's own values
  exactly, whatever their approval status (with the status stated);
- everyone else (other countries, the Secretariat, partners, observers, the public: ``user=None``)
  and every export (``audience="public"``) sees only approved values, after primary and secondary
  suppression (threshold ``STATISTICS_SUPPRESSION_THRESHOLD``, default 5) and, for case-level
  sources, k-anonymity (``STATISTICS_K_ANONYMITY``, default 10). Those controlled figures are
  pre-computed in :class:`~corett.statistics.models.PublishedValue` whenever data is approved,
  imported or reopened (:func:`refresh_published`).
- ``countries=["REGION"]`` consolidates the coalition's member countries from the controlled
  figures: a sum over suppressed cells carries bounds ("at least 312", "312-320").
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import operator
import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from corett.accounts.roles import Role
from corett.statistics import bulk, disclosure
from corett.statistics.models import (
    CASE_LEVEL_SOURCES,
    SOURCE_PRECEDENCE,
    Age,
    Form,
    Indicator,
    Kind,
    PublishedGeneration,
    PublishedValue,
    Sex,
    Status,
    Value,
)

REGION = "REGION"
# Whole years ("2022"), not semesters ("2022S1") or quarters ("2022Q3"); LIKE, not a regex, so
# that SQLite filters natively.
_YEARS_ONLY = ~Q(period__contains="S") & ~Q(period__contains="Q")
PUBLIC = "public"  # audience of exports and anything meant for people outside the owning country
VIEWER = "viewer"  # the audience the user is: exact for their own country's focal point

ALL = "*"  # a disaggregation parameter that asks for every category

CellKey = tuple[str, str, str, str, str, str]  # sex, age, form, citizenship, repatriation, label


@dataclass(frozen=True)
class ReleasedValue:
    country: str  # ISO alpha-3, or "REGION"
    year: int
    period: str  # "2022", "2022S1", "2022Q3"
    indicator: str  # indicator code
    sex: str
    age: str
    form: str
    citizenship: str  # ISO alpha-3 or "" (not disaggregated by citizenship)
    repatriation: str  # ISO alpha-3 or ""
    label: str  # the source's own category label where a code does not say it all
    value: int | None  # None when suppressed or missing (or a regional sum with a suppressed part)
    suppressed: bool
    lower_bound: int | None
    upper_bound: int | None  # None: "at least lower_bound"
    source: str  # "national", "glotip", "ctdc", "cases" ("mixed" for a region of several)
    release: str
    status: str  # approval status ("approved" for everything outside the owning country)
    epsilon: float | None = None  # set when the value carries differentially private noise
    countries: tuple[str, ...] = field(default=())  # for REGION: the countries summed

    @property
    def disaggregation(self) -> dict[str, str]:
        """The categories that are not the total (empty for a headline figure)."""
        parts = {"sex": self.sex, "age": self.age, "form": self.form}
        found = {k: v for k, v in parts.items() if v != "total"}
        if self.citizenship:
            found["citizenship"] = self.citizenship
        if self.repatriation:
            found["repatriation"] = self.repatriation
        return found

    @property
    def display(self) -> str:
        """"312", "312-320", "at least 312", "1-4" or "—"."""
        if self.value is not None:
            return f"{self.value:,}"
        if self.lower_bound is None:
            return "—"
        if self.upper_bound is None:
            return _("at least %(n)s") % {"n": f"{self.lower_bound:,}"}
        return f"{self.lower_bound:,}\N{EN DASH}{self.upper_bound:,}"


def suppression_threshold() -> int:
    return int(getattr(settings, "STATISTICS_SUPPRESSION_THRESHOLD", 5))


def k_anonymity() -> int:
    return int(getattr(settings, "STATISTICS_K_ANONYMITY", 10))


def region_countries() -> list[str]:
    """The coalition's member countries (ISO alpha-3), the countries a regional figure sums."""
    from corett.directory.models import Country

    return list(Country.objects.members().order_by("iso3").values_list("iso3", flat=True))


def released_values(
    user: Any,
    *,
    indicator: str,
    countries: Sequence[str] | None = None,
    years: Iterable[int] | None = None,
    sex: str | Sequence[str] = "total",
    age: str | Sequence[str] = "total",
    form: str | Sequence[str] = "total",
    citizenship: str | None = None,
    repatriation: str | None = None,
    periods: str = "Y",
    audience: str = VIEWER,
    differentially_private: bool = False,
) -> list[ReleasedValue]:
    """The figures ``user`` (None: the public) may see, after disclosure control.

    ``countries``: ISO alpha-3 codes, or ``["REGION"]`` for the coalition's consolidated figure
    (None: every country). ``years``: an iterable of years (None: all). ``sex``, ``age``, ``form``:
    a category, a list of categories, or ``"*"`` for all of them. ``citizenship`` and
    ``repatriation``: None for figures not broken down that way, an ISO alpha-3 code, or ``"*"``.
    ``periods``: "Y" (years), "S" (semesters), "Q" (quarters) or "*". ``audience="public"`` gives
    the controlled figures even to the owning country (for exports and infographics that travel).
    ``differentially_private=True`` returns published exact counts with OpenDP noise and their
    epsilon (only when ``STATISTICS_DP_EPSILON`` is set and OpenDP is installed; otherwise the
    values come without noise and ``epsilon`` is None).
    """
    wanted = [c.upper() for c in countries] if countries is not None else None
    year_list = sorted(set(years)) if years is not None else None
    filters = _slice_filter(sex=sex, age=age, form=form, citizenship=citizenship, repatriation=repatriation)
    if periods != ALL:
        filters &= _YEARS_ONLY if periods == "Y" else Q(period__contains=periods)
    if year_list is not None:
        filters &= Q(year__in=year_list)

    own = own_country(user) if audience == VIEWER else None
    results: list[ReleasedValue] = []
    if wanted is not None and REGION in wanted:
        results.extend(_regional(indicator, filters, differentially_private))
        wanted = [c for c in wanted if c != REGION]
        if not wanted:
            return results
    if own and (wanted is None or own in wanted):
        results.extend(_own_values(own, indicator, filters))
        wanted_others = [c for c in wanted if c != own] if wanted is not None else None
        results.extend(_published(indicator, filters, wanted_others, exclude=own, dp=differentially_private))
    elif not results:
        # Only the published figures: already in this order.
        return _published(indicator, filters, wanted, exclude=None, dp=differentially_private)
    else:
        results.extend(_published(indicator, filters, wanted, exclude=None, dp=differentially_private))
    results.sort(key=_release_order)
    return results


def _release_order(v: ReleasedValue) -> tuple[str, ...]:
    return (v.country, v.period, v.sex, v.age, v.form, v.citizenship, v.repatriation, v.label)


def approved_total(indicator_code: str, country_iso3: str | None = None, year: int | None = None) -> int | None:
    """The approved headline count (no disaggregation) of an indicator, or None if not exactly known.

    ``country_iso3=None`` sums the coalition's member countries; ``year=None`` sums every year.
    Exact figures only: a sum with a suppressed or missing part is None (see
    :func:`approved_range`). For internal computations (e.g. the action plans' computed
    indicators); anything shown outside the owning country must come from :func:`released_values`.
    """
    low, high = approved_range(indicator_code, country_iso3, year)
    return low if low is not None and low == high else None


def approved_range(
    indicator_code: str, country_iso3: str | None = None, year: int | None = None
) -> tuple[int | None, int | None]:
    """(lower, upper) bounds of the approved headline count; (None, None) when nothing is approved;
    upper None when some part is missing."""
    qs = Value.objects.approved().totals().filter(_YEARS_ONLY, indicator__code=indicator_code)
    countries = [country_iso3] if country_iso3 else region_countries()
    qs = qs.filter(country_iso3__in=countries)
    if year is not None:
        qs = qs.filter(year=year)
    chosen: dict[tuple[str, int], tuple[int, Value]] = {}
    for value in qs.only("country_iso3", "year", "source", "kind", "value", "lower_bound", "upper_bound"):
        rank = SOURCE_PRECEDENCE.index(value.source)
        key = (value.country_iso3, value.year)
        if key not in chosen or rank < chosen[key][0]:
            chosen[key] = (rank, value)
    if not chosen:
        return None, None
    low, high = 0, 0
    unbounded = False
    for _rank, value in chosen.values():
        if value.kind == Kind.MISSING:
            unbounded = True
            continue
        low += value.lower_bound or 0
        high += value.upper_bound or 0
    return low, None if unbounded else high


# --- Internals --------------------------------------------------------------------------------


def _as_list(choice: str | Sequence[str]) -> list[str] | None:
    if choice == ALL:
        return None
    return [choice] if isinstance(choice, str) else list(choice)


def _slice_filter(
    *, sex: str | Sequence[str], age: str | Sequence[str], form: str | Sequence[str],
    citizenship: str | None, repatriation: str | None,
) -> Q:
    q = Q()
    for name, choice in (("sex", sex), ("age", age), ("form", form)):
        categories = _as_list(choice)
        if categories is not None:
            q &= Q(**{f"{name}__in": categories})
    for name, code in (("citizenship", citizenship), ("repatriation", repatriation)):
        if code is None:
            q &= Q(**{name: ""})
        elif code != ALL:
            q &= Q(**{name: code.upper()})
        else:
            q &= ~Q(**{name: ""})
    return q


def own_country(user: Any) -> str | None:
    """The ISO alpha-3 code of the country whose exact figures ``user`` sees (their own), if any."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.has_role(Role.FOCAL_POINT):
        return None
    if not user.country_id:
        return None
    return str(user.country.iso3)


def _own_values(country: str, indicator: str, filters: Q) -> list[ReleasedValue]:
    qs = Value.objects.filter(filters, country_iso3=country, indicator__code=indicator)
    best: dict[tuple[str, CellKey], tuple[int, Value]] = {}
    for v in qs:
        rank = SOURCE_PRECEDENCE.index(v.source)
        key = (v.period, (v.sex, v.age, v.form, v.citizenship, v.repatriation, v.label))
        if key not in best or rank < best[key][0]:
            best[key] = (rank, v)
    return [
        ReleasedValue(
            country=v.country_iso3, year=v.year, period=v.period, indicator=indicator,
            sex=v.sex, age=v.age, form=v.form, citizenship=v.citizenship, repatriation=v.repatriation,
            label=v.label, value=v.value, suppressed=v.kind == Kind.SUPPRESSED,
            lower_bound=v.lower_bound, upper_bound=v.upper_bound, source=v.source, release=v.release,
            status=v.status,
        )
        for _rank, v in best.values()
    ]


def _published_qs(indicator: str, filters: Q) -> QuerySet[PublishedValue]:
    # The indicator's id as a subquery: one query per read, and an unknown code matches nothing.
    return PublishedValue.objects.filter(
        filters, indicator_id=Subquery(Indicator.objects.filter(code=indicator).values("pk")[:1])
    )


_PUBLISHED_FIELDS = ("country_iso3", "year", "period", "sex", "age", "form", "citizenship", "repatriation", "label",
                     "value", "suppressed", "lower_bound", "upper_bound", "source", "release", "dp_value",
                     "dp_epsilon")


def _to_released(p: Any, indicator: str, dp: bool) -> ReleasedValue:
    noisy = dp and p.dp_epsilon is not None and not p.suppressed
    return ReleasedValue(
        country=p.country_iso3, year=p.year, period=p.period, indicator=indicator,
        sex=p.sex, age=p.age, form=p.form, citizenship=p.citizenship, repatriation=p.repatriation,
        label=p.label, value=p.dp_value if noisy else p.value, suppressed=p.suppressed,
        lower_bound=p.dp_value if noisy else p.lower_bound, upper_bound=p.dp_value if noisy else p.upper_bound,
        source=p.source, release=p.release, status=Status.APPROVED,
        epsilon=p.dp_epsilon if noisy else None,
    )


class _Published(NamedTuple):
    country_iso3: str
    year: int
    period: str
    sex: str
    age: str
    form: str
    citizenship: str
    repatriation: str
    label: str
    value: int | None
    suppressed: bool
    lower_bound: int | None
    upper_bound: int | None
    source: str
    release: str
    dp_value: int | None
    dp_epsilon: float | None


@functools.lru_cache(maxsize=512)
def _published_statement(
    indicator: str, filters: Q, countries: tuple[str, ...] | None, exclude: str | None
) -> tuple[str, tuple[Any, ...]] | None:
    """The SQL of a read of the published figures, built by the ORM once per shape of read (None:
    a read that matches nothing, such as no country).

    A dashboard asks the same few questions over and over; building and compiling the query
    cost more than running it (the published table is small and indexed). The statement depends
    only on the arguments (the indicator's id is a subquery, so no id is baked in)."""
    qs = _published_qs(indicator, filters)
    if countries is not None:
        qs = qs.filter(country_iso3__in=countries)
    if exclude:
        qs = qs.exclude(country_iso3=exclude)
    try:
        sql, params = qs.order_by().values_list(*_PUBLISHED_FIELDS).query.sql_with_params()
    except EmptyResultSet:
        return None
    return sql, tuple(params)


_SUPPRESSED = _PUBLISHED_FIELDS.index("suppressed")


def _published_rows(indicator: str, filters: Q, countries: Sequence[str] | None, exclude: str | None
                    ) -> list[_Published]:
    statement = _published_statement(indicator, filters, tuple(countries) if countries is not None else None,
                                      exclude)
    if statement is None:
        return []
    sql, params = statement
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return _as_published(rows)


def _as_published(rows: Iterable[Sequence[Any]]) -> list[_Published]:
    # The one column a backend may give in another type: SQLite stores a boolean as 0 or 1.
    return [_Published._make(row) if type(row[_SUPPRESSED]) is bool
            else _Published._make((*row[:_SUPPRESSED], bool(row[_SUPPRESSED]), *row[_SUPPRESSED + 1:]))
            for row in rows]


_RELEASED_FIELDS = tuple(f.name for f in dataclasses.fields(ReleasedValue))


def _released_from_rows(rows: Iterable[_Published], indicator: str, dp: bool) -> list[ReleasedValue]:
    """:func:`_to_released` for many rows. A frozen dataclass's ``__init__`` sets each of its 19
    fields through ``object.__setattr__`` (8 µs a value, most of a dashboard's time): the values
    here are filled in one dictionary update instead, with exactly the fields ``__init__`` sets."""
    new, approved = object.__new__, Status.APPROVED
    released = []
    for p in rows:
        if dp and p.dp_epsilon is not None and not p.suppressed:
            released.append(_to_released(p, indicator, dp))
            continue
        value = new(ReleasedValue)
        value.__dict__.update(zip(_RELEASED_FIELDS, (
            p.country_iso3, p.year, p.period, indicator, p.sex, p.age, p.form, p.citizenship, p.repatriation,
            p.label, p.value, p.suppressed, p.lower_bound, p.upper_bound, p.source, p.release, approved, None, (),
        ), strict=True))
        released.append(value)
    return released


def _published(
    indicator: str, filters: Q, countries: list[str] | None, *, exclude: str | None, dp: bool
) -> list[ReleasedValue]:
    """The published figures of a read, in :func:`_release_order`.

    Each process keeps the values it built per read under the published table's generation
    token (:class:`~corett.statistics.models.PublishedGeneration`, renewed by every
    :func:`refresh_published`). One statement reads the token and, only if it is not the token
    the kept values were built under, the cells: a dashboard's repeated question costs reading
    one row instead of reading and rebuilding its cells (the values are frozen; each caller gets
    its own list), and a read is still one query."""
    key = (indicator, filters, tuple(countries) if countries is not None else None, exclude, dp)
    held = _KEPT.get(connection.alias)
    kept = held[1].get(key) if held is not None else None
    read = _published_rows_unless(held[0] if held is not None and kept is not None else "", indicator, filters, countries, exclude)
    if read is None:  # never refreshed: nothing to keep values under
        released = _released_from_rows(_published_rows(indicator, filters, countries, exclude), indicator, dp)
        released.sort(key=_release_order)
        return released
    token, rows = read
    if kept is not None and held is not None and token == held[0]:
        return list(kept)
    released = _released_from_rows(rows, indicator, dp)
    released.sort(key=_release_order)
    if held is None or held[0] != token or len(held[1]) >= _KEPT_READS:
        held = _KEPT[connection.alias] = (token, {})
    held[1][key] = tuple(released)
    return released


# Per database alias: (generation token, {read: its released values}).
_KEPT: dict[str, tuple[str, dict[tuple[Any, ...], tuple[ReleasedValue, ...]]]] = {}
_KEPT_READS = 512


@functools.lru_cache(maxsize=512)
def _unless_statement(
    indicator: str, filters: Q, countries: tuple[str, ...] | None, exclude: str | None
) -> tuple[str, tuple[Any, ...]] | None:
    """:func:`_published_statement` joined to the generation's one row: the token, then the
    cells only if the token is not the one given as the first parameter (none: one row of NULLs)."""
    statement = _published_statement(indicator, filters, countries, exclude)
    if statement is None:
        return None
    sql, params = statement
    table = connection.ops.quote_name(PublishedValue._meta.db_table)
    select, found, condition = sql.partition(f" FROM {table} WHERE ")
    assert found and select.startswith("SELECT "), sql
    generation = connection.ops.quote_name(PublishedGeneration._meta.db_table)
    return (f"SELECT {generation}.token, {select[len('SELECT '):]} FROM {generation} "  # noqa: S608 (ORM SQL)
            f"LEFT JOIN {table} ON ({generation}.token <> %s AND ({condition})) WHERE {generation}.id = 1",
            params)


def _published_rows_unless(token: str, indicator: str, filters: Q, countries: Sequence[str] | None,
                           exclude: str | None) -> tuple[str, list[_Published]] | None:
    """(the generation's token, the read's rows: none when the token is ``token``); None when
    the published figures were never refreshed."""
    statement = _unless_statement(indicator, filters, tuple(countries) if countries is not None else None, exclude)
    if statement is None:
        with connection.cursor() as cursor:
            cursor.execute(_TOKEN_SQL)
            row = cursor.fetchone()
        return (row[0], []) if row else None
    sql, params = statement
    with connection.cursor() as cursor:
        cursor.execute(sql, (token, *params))
        rows = cursor.fetchall()
    if not rows:
        return None
    return rows[0][0], _as_published([row[1:] for row in rows if row[1] is not None])


_TOKEN_SQL = f"SELECT token FROM {PublishedGeneration._meta.db_table} WHERE id = 1"  # noqa: S608 (no input)


def clear_kept() -> None:
    """Forget the values built in this process (they are rebuilt from the published table)."""
    _KEPT.clear()


def _regional(indicator: str, filters: Q, dp: bool) -> list[ReleasedValue]:
    """Sum the members' controlled figures cell by cell; a suppressed or absent part widens bounds."""
    members = region_countries()
    rows = _published_rows(indicator, filters, members, None)
    by_cell: dict[tuple[str, CellKey], list[_Published]] = defaultdict(list)
    for p in rows:
        by_cell[(p.period, (p.sex, p.age, p.form, p.citizenship, p.repatriation, p.label))].append(p)
    consolidated = []
    for (period, key), parts in sorted(by_cell.items()):
        released = _released_from_rows(parts, indicator, dp)
        low = sum(r.lower_bound or 0 for r in released)
        highs = [r.upper_bound for r in released]
        complete = len({r.country for r in released}) == len(members)
        high = sum(h for h in highs if h is not None) if complete and None not in highs else None
        exact = all(r.value is not None for r in released) and complete
        sources = {r.source for r in released}
        epsilons = [r.epsilon for r in released if r.epsilon is not None]
        consolidated.append(
            ReleasedValue(
                country=REGION, year=parts[0].year, period=period, indicator=indicator,
                sex=key[0], age=key[1], form=key[2], citizenship=key[3], repatriation=key[4], label=key[5],
                value=low if exact else None, suppressed=any(r.suppressed for r in released),
                lower_bound=low, upper_bound=low if exact else high,
                source=sources.pop() if len(sources) == 1 else "mixed",
                release="; ".join(sorted({r.release for r in released if r.release})),
                status=Status.APPROVED,
                # Each country's noise is drawn independently: the sum spends the largest epsilon.
                epsilon=max(epsilons) if epsilons else None,
                countries=tuple(sorted(r.country for r in released)),
            )
        )
    return consolidated


# --- Pre-computing the published figures ------------------------------------------------------

_SEXES = [s for s in Sex.values if s != Sex.TOTAL]
_AGES = [a for a in Age.values if a != Age.TOTAL]
_FORMS = [f for f in Form.values if f != Form.TOTAL]


def _base_equations() -> dict[CellKey, tuple[int, tuple[disclosure.Equation, ...]]]:
    """Each cell with no citizenship or repatriation: its place in the order sex, age, form, and
    the equations it is the total of (the same for every table: built once)."""
    found = {}
    for position, (sex, age, form) in enumerate(itertools.product(Sex.values, Age.values, Form.values)):
        base = (sex, age, form, "", "", "")
        equations = []
        if sex == Sex.TOTAL:
            equations.append(disclosure.Equation(base, tuple((s, age, form, "", "", "") for s in _SEXES)))
        if age == Age.TOTAL:
            equations.append(disclosure.Equation(base, tuple((sex, a, form, "", "", "") for a in _AGES)))
        if form == Form.TOTAL:
            equations.append(disclosure.Equation(base, tuple((sex, age, f, "", "", "") for f in _FORMS)))
        found[base] = (position, tuple(equations))
    return found


_BASE_EQUATIONS = _base_equations()


def table_equations(keys: Iterable[CellKey]) -> list[disclosure.Equation]:
    """The additive equations that tie the cells of one table: within the cells with no citizenship
    or repatriation, each total of sex, age and form is the sum of its categories; the cells by
    citizenship, and those by country of repatriation, add up to the headline total (an attacker
    may assume each list is complete)."""
    present = set(keys)
    bases = sorted((_BASE_EQUATIONS[k] for k in present if k in _BASE_EQUATIONS), key=operator.itemgetter(0))
    equations = [equation for _position, of_base in bases for equation in of_base]
    headline = ("total", "total", "total", "", "", "")
    by_citizenship = tuple(sorted(k for k in present if k[3] and k[:3] == headline[:3] and not k[4]))
    if by_citizenship and headline in present:
        equations.append(disclosure.Equation(headline, by_citizenship))
    by_repatriation = tuple(sorted(k for k in present if k[4] and k[:3] == headline[:3] and not k[3]))
    if by_repatriation and headline in present:
        equations.append(disclosure.Equation(headline, by_repatriation))
    # Parts that no cell holds and no equation needs as a total are still unknowns (counts ≥ 0).
    return [e for e in equations if any(p in present for p in e.parts)]


class _Row(NamedTuple):
    indicator_id: int
    country_iso3: str
    period: str
    year: int
    sex: str
    age: str
    form: str
    citizenship: str
    repatriation: str
    label: str
    kind: str
    value: int | None
    lower_bound: int | None
    upper_bound: int | None
    source: str
    release: str


# The fields of a value that publishing reads, in the order of the rows a caller hands over (Written).
WRITTEN_FIELDS = _Row._fields
_CELL_AND_COUNT = slice(_Row._fields.index("sex"), _Row._fields.index("upper_bound") + 1)


def protect_table(values: Sequence[Any], threshold: int) -> dict[CellKey, disclosure.Outcome]:
    """Control one table (values of one country, indicator, period and source)."""
    cells = {}
    for v in values:
        key = (v.sex, v.age, v.form, v.citizenship, v.repatriation, v.label)
        if v.kind == Kind.EXACT:
            cells[key] = disclosure.Cell(v.value)
        elif v.kind == Kind.SUPPRESSED:
            cells[key] = disclosure.Cell(None, v.lower_bound or 0, v.upper_bound or disclosure.UNBOUNDED)
        # missing cells stay unknown: they are not published and constrain nothing
    return disclosure.protect(cells, table_equations(cells), threshold=threshold)


_PUBLISHED_COLUMNS = (
    "indicator_id", "country_iso3", "period", "year", "sex", "age", "form", "citizenship", "repatriation",
    "label", "value", "suppressed", "lower_bound", "upper_bound", "source", "release", "threshold",
    "dp_value", "dp_epsilon", "computed_at",
)


class Written(NamedTuple):
    """Values a caller has just written in this transaction, handed to :func:`refresh_published`
    so that it need not read them back: every value written with ``batch_id`` and ``recorded_at``
    (one call of :func:`~corett.statistics.services.store_values` stamps all it writes with one
    time) that is approved, as rows that begin with :class:`_Row`'s fields, as stored."""

    batch_id: int
    recorded_at: Any
    rows: Sequence[Sequence[Any]]


def _approved_rows(scope: Q, written: Written | None) -> Iterable[Sequence[Any]]:
    """The approved values of ``scope``, as rows that begin with :class:`_Row`'s fields.

    With ``written``, only the other values are read, and the written ones are taken as given
    when the count of approved values in ``scope`` shows that together they are all of them
    (otherwise, e.g. a value stamped alike that the caller did not hand over, everything is
    read: the figures never depend on what the caller says it wrote)."""
    approved = Value.objects.approved().filter(scope).order_by()
    if written is None:
        return approved.values_list(*_Row._fields)
    others = list(approved.exclude(batch_id=written.batch_id, recorded_at=written.recorded_at)
                  .values_list(*_Row._fields))
    if approved.count() != len(others) + len(written.rows):
        return approved.values_list(*_Row._fields)
    return itertools.chain(others, written.rows)


@transaction.atomic
def refresh_published(*, countries: Iterable[str] | None = None, indicator_ids: Iterable[int] | None = None,
                      years: Iterable[int] | None = None, written: Written | None = None) -> int:
    """Recompute the published figures of the given countries/indicators/years (None: all).

    Per country, indicator and period, the approved values of the highest-precedence source are
    controlled as one table. Returns the number of published cells written. ``written``: the
    approved values the caller has just stored (they must lie in the scope), not read back.
    """
    from corett.statistics import privacy

    scope = Q()
    if countries is not None:
        scope &= Q(country_iso3__in=list(countries))
    if indicator_ids is not None:
        scope &= Q(indicator_id__in=list(indicator_ids))
    if years is not None:
        scope &= Q(year__in=list(years))
    PublishedValue.objects.filter(scope).delete()
    groups: dict[tuple[str, int, str], dict[str, list[_Row]]] = defaultdict(lambda: defaultdict(list))
    width = len(_Row._fields)
    for fields in _approved_rows(scope, written):
        row = _Row._make(fields[:width])
        groups[(row.country_iso3, row.indicator_id, row.period)][row.source].append(row)
    threshold, k = suppression_threshold(), k_anonymity()
    epsilon = privacy.configured_epsilon()
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    rows = []
    # Many tables are alike (a total and two sexes, each "<5"): the outcome depends only on the
    # cells and the threshold, so each distinct table is controlled once.
    outcomes: dict[tuple, dict[CellKey, disclosure.Outcome]] = {}
    for (country, indicator_id, period), by_source in groups.items():
        source = min(by_source, key=lambda s: SOURCE_PRECEDENCE.index(s))
        values = by_source[source]
        applied = max(k, threshold) if source in CASE_LEVEL_SOURCES else threshold
        signature = (applied, frozenset(row[_CELL_AND_COUNT] for row in values))
        outcome = outcomes.get(signature)
        if outcome is None:
            outcome = outcomes[signature] = protect_table(values, applied)
        for v in values:
            out = outcome.get((v.sex, v.age, v.form, v.citizenship, v.repatriation, v.label))
            if out is None:
                continue
            noisy = privacy.noisy_count(out.value, epsilon) if epsilon and out.value is not None else None
            rows.append((
                indicator_id, country, period, v.year, v.sex, v.age, v.form, v.citizenship, v.repatriation,
                v.label, out.value, out.suppressed, out.lower, out.upper, source, v.release, applied,
                noisy, epsilon if noisy is not None else None, now,
            ))
    bulk.insert_rows(PublishedValue, _PUBLISHED_COLUMNS, rows)
    # Values kept by any process were built from the table before: a new token retires them.
    if not PublishedGeneration.objects.filter(pk=1).update(token=secrets.token_hex(16)):
        PublishedGeneration.objects.create(pk=1, token=secrets.token_hex(16))
    return len(rows)


def indicator_ids(codes: Iterable[str]) -> list[int]:
    return list(Indicator.objects.filter(code__in=list(codes)).values_list("pk", flat=True))
