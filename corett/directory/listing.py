"""The directory lists' counts and pages, with SQL compiled once a thread per set of filters.

On every request the organisation list built its queryset (the policy's scope, the filters,
the sort, the membership annotation, the columns), then compiled it twice, for the count and
for the page: ~0.8 ms of a 5 ms page, several times what SQLite took to answer. The statement
is a function of a few values only: the policy's scope for the user, the filters' values, the
sort, the language (countries sort by their name in it) and the day (the current membership).
A ``KeptList`` is named by a key holding all of them; the first time a thread meets the key it
builds the queryset and compiles it, afterwards it only runs the statements, with the page's
bounds as parameters. Each column is converted by its field, as the ORM converts it.

The key must determine the queryset ``build`` returns (``build`` reads nothing else: it is
called for the first request of a key only, in whichever request that is). The policy's scope is
in the key as the columns and values ``policy.scope_columns`` gives for the user, decided on
every request; the statement keeps that scope in its WHERE. Nothing but SQL text and the
column converters is remembered: never a row or a count.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.utils import create_namedtuple_class

# Statements a thread keeps per database; past that they are all compiled anew (a search's
# text is part of its key: the keys are as many as the searches).
KEPT_MAX = 200


@dataclass(frozen=True, slots=True)
class _Statement:
    sql: str
    params: tuple[Any, ...]
    count_sql: str
    count_params: tuple[Any, ...]
    compiler: Any
    converters: dict[int, Any]
    # A values_list(named=True) row's class, or how to build a model instance.
    row_class: Any
    model: type[Model] | None
    init_list: list[str]
    start: int
    end: int


class _PerThread(threading.local):
    """This thread's statements per database: converters are bound to the connection."""

    def __init__(self) -> None:
        self.by_db: dict[str, tuple[Any, dict[Hashable, _Statement]]] = {}


_KEPT = _PerThread()


def _compile(queryset: QuerySet[Any], counted_rows: QuerySet[Any], db: str) -> _Statement:
    compiler = queryset.query.get_compiler(using=db)
    sql, params = compiler.as_sql()
    select = compiler.select
    converters = compiler.get_converters([s[0] for s in select[: compiler.col_count]])
    # The count reads the same rows, without the ordering or the columns.
    counted, count_params = counted_rows.order_by().values_list("pk").query.get_compiler(using=db).as_sql()
    row_class, model, init_list, start, end = None, None, [], 0, 0
    if queryset._fields:  # type: ignore[attr-defined]  # values_list(named=True)
        row_class = create_namedtuple_class(*queryset._fields)  # type: ignore[attr-defined]
    else:
        klass_info = compiler.klass_info
        if klass_info.get("related_klass_infos"):
            raise AssertionError("a KeptList of instances reads one model, without select_related")
        fields = klass_info["select_fields"]
        model, start, end = klass_info["model"], fields[0], fields[-1] + 1
        init_list = [f[0].target.attname for f in select[start:end]]
    return _Statement(
        sql=sql, params=tuple(params),
        # The ORM's own SQL in both: no value from a request is part of the text.
        count_sql=f"SELECT COUNT(*) FROM ({counted}) counted",  # noqa: S608
        count_params=tuple(count_params), compiler=compiler, converters=converters,
        row_class=row_class, model=model, init_list=init_list, start=start, end=end,
    )


class KeptList:
    """A list's rows as a ``Paginator`` pages through them: ``count()`` and slices.

    ``build()`` returns the queryset, either ``values_list(..., named=True)`` (rows are named
    tuples) or a model's (rows are instances); ``key`` holds everything it is built from.
    ``count()``, if given, returns the same rows as ``build()`` without the joins and columns
    that only the page needs (a join the count keeps costs SQLite a read of every row's
    country): the count is of its rows.
    """

    def __init__(
        self,
        key: Hashable,
        build: Callable[[], QuerySet[Any]],
        count: Callable[[], QuerySet[Any]] | None = None,
        db: str = "default",
    ) -> None:
        self.key = key
        self.build = build
        self.build_count = count or build
        self.db = db

    def _statement(self) -> _Statement:
        connection = connections[self.db]
        held = _KEPT.by_db.get(self.db)
        if held is None or held[0] is not connection:
            held = _KEPT.by_db[self.db] = (connection, {})
        statement = held[1].get(self.key)
        if statement is None:
            if len(held[1]) >= KEPT_MAX:
                held[1].clear()
            statement = held[1][self.key] = _compile(self.build(), self.build_count(), self.db)
        return statement

    def count(self) -> int:
        statement = self._statement()
        with connections[self.db].cursor() as cursor:
            cursor.execute(statement.count_sql, statement.count_params)
            (count,) = cursor.fetchone()
        return int(count)

    def all(self) -> list[Any]:
        return self._read(None, None)

    def __getitem__(self, bounds: slice) -> list[Any]:
        if not isinstance(bounds, slice) or bounds.step is not None:
            raise TypeError("a KeptList is read by pages: list[start:stop]")
        start, stop = bounds.start or 0, bounds.stop
        if stop is not None and stop <= start:
            return []  # an empty page: no query, as the ORM's empty slice
        return self._read(start, stop)

    def _read(self, start: int | None, stop: int | None) -> list[Any]:
        statement = self._statement()
        sql, params = statement.sql, list(statement.params)
        if stop is not None:
            sql = f"{sql} LIMIT %s OFFSET %s"
            params += [stop - (start or 0), start or 0]
        with connections[self.db].cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if statement.converters:
            rows = list(statement.compiler.apply_converters(rows, statement.converters))
        if statement.row_class is not None:
            new, row_class = tuple.__new__, statement.row_class
            return [new(row_class, row) for row in rows]
        assert statement.model is not None
        model, init_list, db = statement.model, statement.init_list, self.db
        start, end = statement.start, statement.end
        return [model.from_db(db, init_list, row[start:end]) for row in rows]
