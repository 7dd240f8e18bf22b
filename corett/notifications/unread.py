"""The navigation's unread count, with SQL compiled once a thread.

Every page of a signed-in user shows the count. Through the ORM, building the queryset, its
count's subquery and compiling both cost ~0.35 ms a page; the statement itself, ~0.02 ms. What
the user may count is the policy's scope of ``notifications.view``, which is a condition on
columns (``policy.scoping_by_columns``): ``policy.scope_columns`` gives its columns and this
user's values, the statement is compiled once per thread, database and set of columns with
placeholders where the values go, and each page runs it with the user's values. The scope
is the policy's, decided on every call; only the SQL text is remembered.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from django.db import connections, router

from corett import policy
from corett.notifications.models import BADGE_LIMIT, Notification

# The values while compiling: each found once among the parameters, then replaced.
_PLACEHOLDER = -7_654_320


@dataclass(frozen=True, slots=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    # (column, position of its value among the parameters)
    slots: tuple[tuple[str, int], ...]


class _PerThread(threading.local):
    def __init__(self) -> None:
        self.by_db: dict[str, tuple[Any, dict[tuple[str, ...], _Compiled]]] = {}


_COMPILED = _PerThread()


def _compile(columns: tuple[str, ...], db: str) -> _Compiled:
    placeholders = {column: _PLACEHOLDER - i for i, column in enumerate(columns)}
    # Ordering dropped: the count of the first BADGE_LIMIT + 1 unread rows is the same in any
    # order, and the partial index of unread rows answers it alone.
    unread = (
        Notification.objects.using(db).filter(**placeholders).unread().order_by().values("pk")
    )[: BADGE_LIMIT + 1]
    inner, params = unread.query.get_compiler(using=db).as_sql()
    slots = []
    for column, value in placeholders.items():
        positions = [i for i, param in enumerate(params) if param == value]
        if len(positions) != 1:
            raise AssertionError(f"{column}: its value must be one parameter of the statement")
        slots.append((column, positions[0]))
    # ``inner`` is the ORM's SQL, its values parameters: nothing in the text comes from a user.
    sql = f"SELECT COUNT(*) FROM ({inner}) unread"  # noqa: S608
    return _Compiled(sql=sql, params=tuple(params), slots=tuple(slots))


def unread_count(user: Any) -> int:
    """How many of the notifications ``user`` may see are unread, up to BADGE_LIMIT + 1."""
    where = policy.scope_columns(user, "notifications.view")
    if where is None:
        return 0  # no inbox: no query
    db = router.db_for_read(Notification)
    connection = connections[db]
    held = _COMPILED.by_db.get(db)
    if held is None or held[0] is not connection:
        held = _COMPILED.by_db[db] = (connection, {})
    columns = tuple(sorted(where))
    statement = held[1].get(columns)
    if statement is None:
        statement = held[1][columns] = _compile(columns, db)
    params = list(statement.params)
    for column, position in statement.slots:
        params[position] = where[column]
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, params)
        (count,) = cursor.fetchone()
    return int(count)
