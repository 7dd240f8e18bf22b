"""Fast inserts for imports: tens of thousands of rows in one ``executemany``, or one ``COPY``.

Django's ``bulk_create`` compiles one statement per few dozen rows on SQLite (its 999-parameter
limit), which makes a GLOTIP import spend more time compiling SQL than reading the file. The rows
are built as model instances (validated by the service that builds them) and written here.

On PostgreSQL an ``executemany`` still has the server parse, bind and run one INSERT per row
(GLOTIP's 115,000 rows: ~6 s of the server's time, more than the whole import in Python);
``COPY ... FROM STDIN`` streams them to one statement (~10 times faster). The table's constraints
and indexes apply to it as to an INSERT, and it runs in the caller's transaction.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any, cast

from django.db import connection, models
from django.utils import timezone


def insert(objects: Sequence[models.Model], *, chunk: int = 5000) -> None:
    if not objects:
        return
    model = type(objects[0])
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            for obj in objects:
                setattr(obj, f.attname, now)
    quote = connection.ops.quote_name
    # Table and column names come from the model, quoted; values are parameters.
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
        quote(meta.db_table), ", ".join(quote(f.column) for f in fields), ", ".join(["%s"] * len(fields))
    )
    simple = [isinstance(f, models.CharField | models.IntegerField | models.BooleanField | models.ForeignKey)
              and not isinstance(f, models.JSONField) for f in fields]
    attnames = [f.attname for f in fields]
    with connection.cursor() as cursor:
        for start in range(0, len(objects), chunk):
            rows = []
            for obj in objects[start:start + chunk]:
                rows.append([
                    getattr(obj, name) if plain else field.get_db_prep_save(getattr(obj, name), connection)
                    for name, plain, field in zip(attnames, simple, fields, strict=True)
                ])
            cursor.executemany(sql, rows)


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[object]],
                *, chunk: int = 5000) -> None:
    """Insert plain tuples, one value per name in ``columns`` (attnames), already in database form."""
    if not rows:
        return
    meta = model._meta
    quote = connection.ops.quote_name
    names = [cast(models.Field, meta.get_field(c.removesuffix("_id") if c.endswith("_id") else c)).column
             for c in columns]
    if connection.vendor == "postgresql":
        _copy(meta.db_table, names, rows)
        return
    # Table and column names come from the model, quoted; values are parameters.
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
        quote(meta.db_table), ", ".join(quote(n) for n in names), ", ".join(["%s"] * len(names))
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), chunk):
            cursor.executemany(sql, cast(Any, [list(r) for r in rows[start:start + chunk]]))


def _copy(table: str, columns: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """``COPY table (columns) FROM STDIN`` with psycopg, the rows adapted by their Python types as
    an INSERT's parameters are. Errors are Django's (an ``IntegrityError`` for a duplicate key), and
    the statement goes to Django's query log, as every other does."""
    quote = connection.ops.quote_name
    statement = "COPY {} ({}) FROM STDIN".format(quote(table), ", ".join(quote(c) for c in columns))
    start = time.monotonic()
    with connection.cursor() as cursor, connection.wrap_database_errors, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
    if connection.queries_logged:
        connection.queries_log.append({
            "sql": f"{statement} -- {len(rows)} rows", "time": f"{time.monotonic() - start:.3f}",
        })
