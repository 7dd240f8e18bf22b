"""One case with the relations its pages show, and the lists its page shows (consents,
approvals, people, steps, tasks…), read with SQL compiled once a process.

``prefetch_related`` builds, compiles and reads each list anew on every request: for the case
page's nine lists, compiling their SQL and looking up each column's converters cost about
two thirds of reading the case (more than the database did). The statements depend on nothing
but the model and the database: the case and its lists are read by the case's id alone, once
the policy's scope (``Case.objects.visible_to``) has given that id for the user. So each is compiled once per
thread and database connection, with the case's id as its only parameter; each request runs it,
converts every column as the ORM does (sealed values are opened by their field, as always) and
caches the rows on the case as ``prefetch_related`` would, each row knowing its case.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]  # what ModelIterable uses

from corett.cases.models import (
    Approval,
    Case,
    Consent,
    ConsentOverride,
    Flag,
    FollowUp,
    FundingRequest,
    RelatedPerson,
    StageChange,
    Task,
)

# The case's lists as the page reads them: each ordered by its model's default ordering.
LISTS: dict[str, Callable[[], QuerySet[Any]]] = {
    "consents": lambda: Consent._default_manager.all(),
    "approvals": lambda: Approval._default_manager.all(),
    # The page never shows a family assessment or a step's reason: they stay sealed, and are
    # not even read.
    "related_people": lambda: RelatedPerson._default_manager.select_related("organisation").defer("assessment"),
    "funding_requests": lambda: FundingRequest._default_manager.select_related("partner", "mou_commitment__mou"),
    "stage_changes": lambda: StageChange._default_manager.defer("reason"),
    "consent_overrides": lambda: ConsentOverride._default_manager.all(),
    "tasks": lambda: Task._default_manager.all(),
    "follow_ups": lambda: FollowUp._default_manager.all(),
    "flags": lambda: Flag._default_manager.all(),
}

# The case itself with the relations its pages name (countries, organisations, the contacts in
# the country of origin): compiling the select list of these five joins cost more than the
# rest of reading the case (0.9 of 1.4 ms).
CASE = "case"
CASE_RELATIONS = (
    "destination_country", "origin_country", "identifying_organisation",
    "origin_contact__organisation", "origin_alternate__organisation",
)

_PLACEHOLDER = -7_654_321  # the case's id while compiling: found among the parameters, then replaced


@dataclass(frozen=True, slots=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    case_param: int
    compiler: Any
    converters: dict[int, Any]
    model: type[Model]
    init_list: list[str]
    start: int
    end: int
    populators: list[Any]
    case_field: Any  # the list's foreign key to the case; None for the case itself


class _PerThread(threading.local):
    """The compiled statements of this thread's connection to each database: the converters are
    bound to it. They go with the thread (a development server starts one per request)."""

    def __init__(self) -> None:
        self.by_db: dict[str, tuple[Any, dict[str, _Compiled]]] = {}


_COMPILED = _PerThread()


def _queryset(name: str, db: str) -> QuerySet[Any]:
    if name == CASE:
        return Case._default_manager.using(db).select_related(*CASE_RELATIONS).filter(pk=_PLACEHOLDER)
    return LISTS[name]().using(db).filter(case_id=_PLACEHOLDER)


def _compile(name: str, db: str) -> _Compiled:
    queryset = _queryset(name, db)
    compiler = queryset.query.get_compiler(using=db)
    sql, params = compiler.as_sql()
    positions = [i for i, value in enumerate(params) if value == _PLACEHOLDER]
    if len(positions) != 1:
        raise AssertionError(f"{name}: the case's id must be the statement's one parameter of its kind")
    select, klass_info = compiler.select, compiler.klass_info
    fields = klass_info["select_fields"]
    start, end = fields[0], fields[-1] + 1
    return _Compiled(
        sql=sql, params=tuple(params), case_param=positions[0], compiler=compiler,
        converters=compiler.get_converters([s[0] for s in select[: compiler.col_count]]),
        model=klass_info["model"], init_list=[f[0].target.attname for f in select[start:end]],
        start=start, end=end, populators=get_related_populators(klass_info, select, db),
        case_field=None if name == CASE else queryset.model._meta.get_field("case"),
    )


def _statements(db: str) -> tuple[Any, dict[str, _Compiled]]:
    connection = connections[db]
    held = _COMPILED.by_db.get(db)
    if held is None or held[0] is not connection:
        held = _COMPILED.by_db[db] = (connection, {})
    return held


def _read(cursor: Any, name: str, compiled: dict[str, _Compiled], db: str, case_id: int) -> list[Any]:
    """The rows of one statement as model instances, every column converted as the ORM does."""
    statement = compiled.get(name)
    if statement is None:
        statement = compiled[name] = _compile(name, db)
    params = list(statement.params)
    params[statement.case_param] = case_id
    cursor.execute(statement.sql, params)
    rows = cursor.fetchall()
    if statement.converters:
        rows = list(statement.compiler.apply_converters(rows, statement.converters))
    objects = []
    for row in rows:
        obj = statement.model.from_db(db, statement.init_list, row[statement.start:statement.end])
        for populator in statement.populators:
            populator.populate(row, obj)
        objects.append(obj)
    return objects


def read_case(pk: int, db: str = "default") -> Case | None:
    """The case with the id the policy's scope gave for the user, with its relations."""
    connection, compiled = _statements(db)
    with connection.cursor() as cursor:
        found = _read(cursor, CASE, compiled, db, pk)
    return found[0] if found else None


def load(case: Case) -> None:
    """Read the case's lists into its prefetch cache (``case.consents.all()`` and so on)."""
    db = case._state.db or "default"
    connection, compiled = _statements(db)
    cache = case.__dict__.setdefault("_prefetched_objects_cache", {})
    with connection.cursor() as cursor:
        for name in LISTS:
            objects = _read(cursor, name, compiled, db, case.pk)
            case_field = compiled[name].case_field
            for obj in objects:
                case_field.set_cached_value(obj, case)
            # What prefetch_related leaves: the related manager's own queryset, already read.
            queryset = getattr(case, name).get_queryset()
            queryset._result_cache = objects
            queryset._prefetch_done = True
            cache[name] = queryset
