"""The work list's rows, read in a time that does not grow with the number of cases.

A case worker sees two disjoint sets of cases (``policy`` scope ``cases.view``): those their
country owns (destination) and those it receives from the formal request on (origin). Sorting
their union newest first made the database read and sort every visible case (≈ 21,000 of
100,000 in the benchmark) for each page of 25, and count them all. Here each half is read in
the order of its own index (``case_owned_worklist``, ``case_incoming_worklist``) and stops
after the rows the page needs, the two are merged in one statement, and the count stops at
``COUNT_CAP``: a work list beyond that many cases is narrowed with the filters, not paged.
The columns a row shows but the index does not hold (the next task's due date, overdue, open
flags) are then read for the page's rows only.

Both halves are narrowed from the policy's scope, never instead of it: a change of the rule
can only hide rows here, never show more than the policy allows.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from django.db import connections
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.formats import date_format
from django.utils.translation import get_language

from corett.cases.labels import choice_labels
from corett.cases.models import Case, Flag, Task
from corett.directory.models import Country

# The most cases a work list counts (and pages through); beyond it, the list says so.
COUNT_CAP = 1000
ORDER = ("-created_at", "-pk")


def filters_key(form: Any) -> str:
    """The cache key of the filter form as rendered: a function of the language and of the
    submitted values only (errors included), never of the user. The template's digest keeps a
    cache shared by processes of different versions apart."""
    values = "&".join(f"{name}={form.data.get(name, '')[:40]}" for name in sorted(form.fields))
    digest = hashlib.sha256(f"{_template_digest()}|{values}".encode()).hexdigest()[:32]
    return f"{get_language()}:{digest}"


@functools.cache
def _template_digest() -> str:
    source = Path(__file__).parent / "templates" / "cases" / "_case_filters.html"
    return hashlib.sha256(source.read_bytes()).hexdigest()[:12]


def _sql(qs: QuerySet) -> tuple[str, tuple[Any, ...]]:
    sql, params = qs.query.get_compiler(using=qs.db).as_sql()
    return sql, tuple(params)


class FlagRow(NamedTuple):
    kind: str
    label: str


@dataclass(slots=True)
class Row:
    """What a row of the work list shows of a case, and nothing else: never a sealed value."""

    code: str
    url: str
    stage: str
    stage_label: str
    risk_label: str
    destination_country_id: int
    destination: str
    origin: str
    is_child: bool
    next_due: dt.date | None
    next_due_text: str
    is_overdue: bool
    open_flags: list[FlagRow]

    def get_absolute_url(self) -> str:
        return self.url


class WorkList:
    """What ``Paginator`` needs of a list: ``count()`` and slicing.

    The page's rows are read with the page itself in one statement written here rather than
    through the ORM: building and compiling the queryset (annotations, joins, a prefetch) and
    making model instances of 25 cases and 50 countries cost more than the database did.
    """

    def __init__(self, cases: QuerySet[Case], halves: list[Q]) -> None:
        # An empty scope (a user without a country) compiles to no SQL at all.
        self._halves = (
            [] if cases.query.is_empty()
            else [_sql(cases.filter(half).order_by(*ORDER).values_list("created_at", "pk")) for half in halves]
        )
        self.db = cases.db
        self.capped = False

    def _limited(self, limit: int) -> tuple[list[str], list[Any]]:
        """Each half, newest first, up to ``limit`` rows (in the order of its own index)."""
        parts: list[str] = []
        params: list[Any] = []
        for sql, half_params in self._halves:
            parts.append(f"{sql} LIMIT {int(limit)}")
            params.extend(half_params)
        return parts, params

    def count(self) -> int:
        if not self._halves:
            return 0
        parts, params = self._limited(COUNT_CAP + 1)
        counts = " + ".join(f"(SELECT COUNT(*) FROM ({part}) half{i})" for i, part in enumerate(parts))  # noqa: S608
        with connections[self.db].cursor() as cursor:
            cursor.execute(f"SELECT {counts}", params)
            total = cursor.fetchone()[0]
        self.capped = total > COUNT_CAP
        return min(total, COUNT_CAP)

    def __getitem__(self, page: slice) -> list[Row]:
        start, stop = page.start or 0, page.stop
        if not self._halves or stop is None or stop <= start:
            return []
        parts, params = self._limited(stop)
        union = " UNION ALL ".join(f"SELECT * FROM ({part}) half{i}" for i, part in enumerate(parts))  # noqa: S608
        connection = connections[self.db]
        today = connection.ops.adapt_datefield_value(timezone.localdate())
        sql = ROWS_SQL.format(union=union, limit=int(stop - start), offset=int(start), **TABLES)
        with connection.cursor() as cursor:
            cursor.execute(sql, [today, *params])
            found = cursor.fetchall()
        return _rows(found, self.db)


# The page (both halves merged, newest first) with what its rows show: the next due task,
# whether one is overdue, the countries' names. {union} is SQL Django compiled from the
# policy's scope; every value is a parameter.
ROWS_SQL = """
SELECT c.id, c.code, c.stage, c.risk_level, c.destination_country_id, c.estimated_age, c.age_verified,
    d.name_es, d.name_en, o.name_es, o.name_en,
    (SELECT MIN(t.due_on) FROM {task} t WHERE t.case_id = c.id AND t.done_at IS NULL),
    EXISTS (SELECT 1 FROM {task} t WHERE t.case_id = c.id AND t.done_at IS NULL AND t.due_on < %s)
FROM ({union} ORDER BY 1 DESC, 2 DESC LIMIT {limit} OFFSET {offset}) page
JOIN {case} c ON c.id = page.pk
JOIN {country} d ON d.id = c.destination_country_id
JOIN {country} o ON o.id = c.origin_country_id
ORDER BY page.created_at DESC, page.pk DESC
"""
TABLES = {"case": Case._meta.db_table, "task": Task._meta.db_table, "country": Country._meta.db_table}


def _rows(found: list[tuple], db: str) -> list[Row]:
    """The rows, with their labels in the reader's language and their open flags."""
    ids = [row[0] for row in found]
    flags: dict[int, list[FlagRow]] = {pk: [] for pk in ids}
    flag_labels = choice_labels(Flag, "kind")
    if ids:
        open_flags = Flag.objects.using(db).filter(case_id__in=ids, resolved_at__isnull=True)
        for case_id, kind in open_flags.values_list("case_id", "kind"):
            flags[case_id].append(FlagRow(kind, flag_labels.get(kind, kind)))
    stages = choice_labels(Case, "stage")
    risks = choice_labels(Case, "risk_level")
    english = (get_language() or "es").startswith("en")
    prototype = Case()
    dates: dict[Any, str] = {}  # the page's due dates repeat: each formatted once
    rows = []
    for pk, code, stage, risk, destination_id, age, verified, d_es, d_en, o_es, o_en, next_due, overdue in found:
        prototype.code = code
        if isinstance(next_due, str):
            next_due = parse_date(next_due)
        if next_due is not None and next_due not in dates:
            dates[next_due] = date_format(next_due)
        rows.append(Row(
            code=code, url=prototype.get_absolute_url(), stage=stage, stage_label=stages.get(stage, stage),
            risk_label=risks.get(risk, risk), destination_country_id=destination_id,
            # Case.is_child and Country.name, from the columns read.
            is_child=not (verified and age is not None and age >= 18),
            destination=d_en if english else d_es, origin=o_en if english else o_es,
            next_due=next_due, next_due_text=dates.get(next_due, ""),
            is_overdue=bool(overdue), open_flags=flags[pk],
        ))
    return rows
