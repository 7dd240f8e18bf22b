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

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import QuerySet
from django.db.models.utils import create_namedtuple_class

from corett.lib.compiled import instance_maker, kept_statement


@dataclass(frozen=True, slots=True)
class _Statement:
    sql: str
    params: tuple[Any, ...]
    count_sql: str
    count_params: tuple[Any, ...]
    compiler: Any
    converters: dict[int, Any]
    # A values_list(named=True) row's class, or how to make a model instance of a row.
    row_class: Any
    make: Callable[[Any], Any] | None


def _compile(queryset: QuerySet[Any], counted_rows: QuerySet[Any], db: str) -> _Statement:
    compiler = queryset.query.get_compiler(using=db)
    sql, params = compiler.as_sql()
    select = compiler.select
    converters = compiler.get_converters([s[0] for s in select[: compiler.col_count]])
    # The count reads the same rows, without the ordering or the columns.
    counted, count_params = counted_rows.order_by().values_list("pk").query.get_compiler(using=db).as_sql()
    row_class, make = None, None
    if queryset._fields:  # type: ignore[attr-defined]  # values_list(named=True)
        row_class = create_namedtuple_class(*queryset._fields)  # type: ignore[attr-defined]
    else:
        make = instance_maker(compiler, db)
    return _Statement(
        sql=sql, params=tuple(params),
        # The ORM's own SQL in both: no value from a request is part of the text.
        count_sql=f"SELECT COUNT(*) FROM ({counted}) counted",  # noqa: S608
        count_params=tuple(count_params), compiler=compiler, converters=converters,
        row_class=row_class, make=make,
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
        return kept_statement(
            (KeptList, self.key), self.db, lambda: _compile(self.build(), self.build_count(), self.db)
        )

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
        assert statement.make is not None
        return [statement.make(row) for row in rows]
