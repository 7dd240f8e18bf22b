"""The work list's rows, read in a time that does not grow with the number of cases.

A case worker sees two disjoint sets of cases (``policy`` scope ``cases.view``): those their
country owns (destination) and those it receives from the formal request on (origin). Sorting
their union newest first made the database read and sort every visible case (≈ 21,000 of
100,000 in the benchmark) for each page of 25, and count them all. Here each half is read in
the order of its own index (``case_destination_recent``, ``case_origin_recent``) and stops
after the rows the page needs, the two are merged in one statement, and the count stops at
``COUNT_CAP``: a work list beyond that many cases is narrowed with the filters, not paged.
The columns a row shows but the index does not hold (the next task's due date, overdue, open
flags) are then read for the page's rows only.

Both halves are narrowed from the policy's scope, never instead of it: a change of the rule
can only hide rows here, never show more than the policy allows.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path
from typing import Any

from django.db import connections
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import get_language

from corett.cases.models import Case, CaseQuerySet, Flag, FlagKind, RiskLevel, Stage, Task

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


class WorkList:
    """What ``Paginator`` needs of a list: ``count()`` and slicing."""

    def __init__(self, cases: QuerySet[Case], halves: list[Q]) -> None:
        # An empty scope (a user without a country) compiles to no SQL at all.
        self._halves = [] if cases.query.is_empty() else [cases.filter(half) for half in halves]
        self.db = cases.db
        self.capped = False

    def count(self) -> int:
        if not self._halves:
            return 0
        parts: list[str] = []
        params: list[Any] = []
        for i, half in enumerate(self._halves):
            sql, half_params = _sql(half.order_by().values("pk")[: COUNT_CAP + 1])
            parts.append(f"(SELECT COUNT(*) FROM ({sql}) half{i})")  # noqa: S608  (SQL Django compiled; values are parameters)
            params.extend(half_params)
        with connections[self.db].cursor() as cursor:
            cursor.execute("SELECT " + " + ".join(parts), params)
            total = cursor.fetchone()[0]
        self.capped = total > COUNT_CAP
        return min(total, COUNT_CAP)

    def _page_pks(self, start: int, stop: int) -> list[int]:
        parts: list[str] = []
        params: list[Any] = []
        for i, half in enumerate(self._halves):
            sql, half_params = _sql(half.order_by(*ORDER).values_list("created_at", "pk")[:stop])
            parts.append(f"SELECT * FROM ({sql}) half{i}")  # noqa: S608  (SQL Django compiled; values are parameters)
            params.extend(half_params)
        union = " UNION ALL ".join(parts)
        with connections[self.db].cursor() as cursor:
            cursor.execute(f"{union} ORDER BY 1 DESC, 2 DESC LIMIT {stop - start} OFFSET {start}", params)
            return [row[1] for row in cursor.fetchall()]

    def __getitem__(self, page: slice) -> list[Case]:
        start, stop = page.start or 0, page.stop
        if not self._halves or stop is None or stop <= start:
            return []
        pks = self._page_pks(start, stop)
        by_pk = {case.pk: case for case in rows(Case.objects.filter(pk__in=pks))}
        return labelled([by_pk[pk] for pk in pks if pk in by_pk])


def labelled(cases: list[Case]) -> list[Case]:
    """Each row's coded values in the reader's language. ``get_FOO_display`` hashes and
    translates every choice of the field on each call (≈ 0.1 ms a call, three a row): the
    labels are translated once per page instead."""
    stages = {value: str(label) for value, label in Stage.choices}
    risks = {value: str(label) for value, label in RiskLevel.choices}
    flags = {value: str(label) for value, label in FlagKind.choices}
    for case in cases:
        case.stage_label = stages.get(case.stage, case.stage)  # type: ignore[attr-defined]
        case.risk_label = risks.get(case.risk_level, case.risk_level)  # type: ignore[attr-defined]
        for flag in getattr(case, "open_flags", ()):
            flag.label = flags.get(flag.kind, flag.kind)
    return cases


def rows(cases: CaseQuerySet) -> CaseQuerySet:
    """What a row shows, without a sealed value: the countries, the next due task, whether one
    is overdue, and the open flags."""
    today = timezone.localdate()
    open_tasks = Task.objects.filter(case=OuterRef("pk"), done_at__isnull=True)
    return (
        cases.without_identity()
        .select_related("destination_country", "origin_country")
        .annotate(
            next_due=Subquery(open_tasks.order_by("due_on").values("due_on")[:1]),
            is_overdue=Exists(open_tasks.filter(due_on__lt=today)),
        )
        .prefetch_related(
            Prefetch("flags", queryset=Flag.objects.filter(resolved_at__isnull=True), to_attr="open_flags")
        )
    )
