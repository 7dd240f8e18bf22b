"""Querysets whose SQL is compiled once per thread and database connection.

Building a queryset and compiling it costs 0.2 to 1 ms (more with joins: every column's name
quoted, every converter looked up); running the statement often costs a tenth of that. Where a
page runs the same query with other values on every request (a case by its id, the case's
lists, its access log, the unread count), the query is built once with placeholder values, the
placeholders are found among the compiled statement's parameters, and each call runs the
statement with the real values in their places. Every column is converted by its field as the
ORM converts it (sealed values are opened, dates and JSON read), so the rows are what the
queryset would have given.

The placeholders must be values no real call uses and that appear nowhere else among the
parameters (the compilation checks it). Whatever decides *which* values a user may ask for (the
policy's scope) is decided by the caller on every call; only the SQL text is remembered.

On PostgreSQL the server would still parse and plan each statement on every request (the
case's select with its joins: ~0.5 ms, more than running it). These statements are few, fixed
and run on every page, so they are prepared on the server once per connection (psycopg's
``prepare=True``, parameters bound on the server) while Django's own queries keep its defaults
(client-side binding, nothing prepared). Behind a connection pooler in transaction mode, which
cannot keep a prepared statement with its connection, set ``DB_PREPARED_STATEMENTS=0``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.conf import settings
from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]  # what ModelIterable uses


@dataclass(slots=True)
class Statement:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[str, int], ...]  # (name of a value, its position among the parameters)
    compiler: Any
    converters: dict[int, Any]
    # What a caller derives from the compiler once (e.g. how to build model instances).
    derived: dict[str, Any] = field(default_factory=dict)

    def rows(self, cursor: Any, values: dict[str, Any]) -> list[Any]:
        params = list(self.params)
        for name, position in self.slots:
            params[position] = values[name]
        cursor.execute(self.sql, params)
        rows = cursor.fetchall()
        if self.converters:
            rows = list(self.compiler.apply_converters(rows, self.converters))
        return rows


def _cursor(db: str) -> Any:
    """A cursor of Django's for ``db`` (its query log and execute wrappers apply as to any
    other), one that prepares what it runs on PostgreSQL (see the module's docstring)."""
    connection = connections[db]
    if connection.vendor != "postgresql" or not getattr(settings, "DB_PREPARED_STATEMENTS", True):
        return connection.cursor()
    connection.ensure_connection()
    raw = connection.connection
    if raw.prepare_threshold is None:
        # Django turns psycopg's preparing off; its own cursors bind on the client, and those
        # never prepare whatever the threshold: only the cursor below does.
        raw.prepare_threshold = 0
    cursor = _preparing_cursor_class()(raw)
    cursor.logged = connection.queries_logged
    with connection.wrap_database_errors:
        return connection._prepare_cursor(cursor)  # type: ignore[attr-defined]  # what connection.cursor() does


_PREPARING: list[type] = []


def _preparing_cursor_class() -> type:
    """psycopg's server-side binding cursor, preparing every statement it runs."""
    if not _PREPARING:
        import psycopg

        class PreparingCursor(psycopg.Cursor):
            logged = False

            def execute(self, query: Any, params: Any = None, *, prepare: bool | None = None, binary: bool | None = None) -> Any:
                done = super().execute(query, params, prepare=True if prepare is None else prepare, binary=binary)
                if self.logged:
                    # Django's query log reads the statement run from here (a client-binding
                    # cursor keeps it; this one does not).
                    self._query = self._convert_query(query, params)
                return done

        _PREPARING.append(PreparingCursor)
    return _PREPARING[0]


class _PerThread(threading.local):
    """This thread's statements, per database: converters are bound to the connection, and the
    statements go with the thread (the development server starts one per request)."""

    def __init__(self) -> None:
        self.by_db: dict[str, tuple[Any, dict[Hashable, Any]]] = {}


_KEPT = _PerThread()
# Statements a thread keeps per database; past that they are all compiled anew (some keys hold
# a search's text: the keys are as many as the searches).
KEPT_MAX = 500

T = TypeVar("T")


def kept_statement(key: Hashable, db: str, compile: Callable[[], T]) -> T:
    """What ``compile()`` made for ``key``, made once a thread and connection to ``db``: a
    connection that was closed and opened again (its converters are bound to it) starts anew."""
    connection = connections[db]
    held = _KEPT.by_db.get(db)
    if held is None or held[0] is not connection:
        held = _KEPT.by_db[db] = (connection, {})
    kept = held[1]
    statement = kept.get(key)
    if statement is None:
        if len(kept) >= KEPT_MAX:
            kept.clear()
        statement = kept[key] = compile()
    return statement


def instance_maker(compiler: Any, db: str) -> Callable[[Any], Any]:
    """How the ORM's ``ModelIterable`` makes a model instance (with its ``select_related``
    relations) from a row of ``compiler``'s statement (deferred fields stay deferred)."""
    select, klass_info = compiler.select, compiler.klass_info
    fields = klass_info["select_fields"]
    model, start, end = klass_info["model"], fields[0], fields[-1] + 1
    init_list = [f[0].target.attname for f in select[start:end]]
    populators = get_related_populators(klass_info, select, db)

    def make(row: Any) -> Any:
        obj = model.from_db(db, init_list, row[start:end])
        for populator in populators:
            populator.populate(row, obj)
        return obj

    return make


class CompiledQuery:
    """``build(**placeholders)`` returns the queryset; ``rows(db, **values)`` runs it."""

    def __init__(self, build: Callable[..., QuerySet[Any]], **placeholders: Any) -> None:
        self.build = build
        self.placeholders = placeholders

    def statement(self, db: str = "default") -> Statement:
        return kept_statement(self, db, lambda: self._compile(db))

    def _compile(self, db: str) -> Statement:
        queryset = self.build(**self.placeholders).using(db)
        compiler = queryset.query.get_compiler(using=db)
        sql, params = compiler.as_sql()
        slots = []
        for name, placeholder in self.placeholders.items():
            positions = [i for i, value in enumerate(params) if value == placeholder]
            if len(positions) != 1:
                raise AssertionError(f"{name}: its placeholder must be exactly one of the statement's parameters")
            slots.append((name, positions[0]))
        return Statement(
            sql=sql, params=tuple(params), slots=tuple(slots), compiler=compiler,
            converters=compiler.get_converters([s[0] for s in compiler.select[: compiler.col_count]]),
        )

    def rows(self, db: str = "default", **values: Any) -> list[Any]:
        """The rows as tuples of converted values (a ``values_list`` queryset's rows)."""
        statement = self.statement(db)
        with _cursor(db) as cursor:
            rows = statement.rows(cursor, values)
        # The ORM's converters give lists; a values_list row is a tuple.
        return rows if not statement.converters else [tuple(row) for row in rows]

    def instances(self, db: str = "default", **values: Any) -> list[Any]:
        """The rows as model instances with their ``select_related`` relations, as the ORM's
        ``ModelIterable`` builds them (deferred fields stay deferred)."""
        statement = self.statement(db)
        make = statement.derived.get("instances")
        if make is None:
            make = statement.derived["instances"] = instance_maker(statement.compiler, db)
        with _cursor(db) as cursor:
            rows = statement.rows(cursor, values)
        return [make(row) for row in rows]

    def count(self, db: str = "default", **values: Any) -> int:
        """How many rows the query gives (``SELECT COUNT(*)`` of the statement)."""
        statement = self.statement(db)
        params = list(statement.params)
        for name, position in statement.slots:
            params[position] = values[name]
        # The ORM's SQL, its values parameters: nothing in the text comes from a request.
        sql = f"SELECT COUNT(*) FROM ({statement.sql}) counted"  # noqa: S608
        with _cursor(db) as cursor:
            cursor.execute(sql, params)
            (count,) = cursor.fetchone()
        return int(count)
