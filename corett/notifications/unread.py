"""The navigation's unread count, with SQL compiled once a thread.

Every page of a signed-in user shows the count. Through the ORM, building the queryset, its
count's subquery and compiling both cost ~0.35 ms a page; the statement itself, ~0.02 ms. What
the user may count is the policy's scope of ``notifications.view``, which is a condition on
columns (``policy.scoping_by_columns``): ``policy.scope_columns`` gives its columns and this
user's values, the statement is compiled once per thread, database and set of columns with
placeholders where the values go (``corett.lib.compiled``), and each page runs it with the
user's values. The scope
is the policy's, decided on every call; only the SQL text is remembered.
"""

from __future__ import annotations

from typing import Any

from django.db import router

from corett import policy
from corett.lib.compiled import CompiledQuery
from corett.notifications.models import BADGE_LIMIT, Notification

# The values while compiling: each found once among the parameters, then replaced.
_PLACEHOLDER = -7_654_320

# One statement per set of columns the policy's scope names.
_BY_COLUMNS: dict[tuple[str, ...], CompiledQuery] = {}


def _unread(**where: Any) -> Any:
    # Ordering dropped: the count of the first BADGE_LIMIT + 1 unread rows is the same in any
    # order, and the partial index of unread rows answers it alone.
    return Notification.objects.filter(**where).unread().order_by().values("pk")[: BADGE_LIMIT + 1]


def unread_count(user: Any) -> int:
    """How many of the notifications ``user`` may see are unread, up to BADGE_LIMIT + 1."""
    where = policy.scope_columns(user, "notifications.view")
    if where is None:
        return 0  # no inbox: no query
    columns = tuple(sorted(where))
    query = _BY_COLUMNS.get(columns)
    if query is None:
        placeholders = {column: _PLACEHOLDER - i for i, column in enumerate(columns)}
        query = _BY_COLUMNS[columns] = CompiledQuery(_unread, **placeholders)
    return query.count(router.db_for_read(Notification), **where)
