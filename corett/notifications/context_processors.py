from __future__ import annotations

from functools import cached_property
from typing import Any

from django.http import HttpRequest

from corett.notifications.models import BADGE_LIMIT
from corett.notifications.unread import unread_count


class UnreadBadge:
    """The navigation's unread count: one query, only if a page shows it, only once per page.

    The count stops at BADGE_LIMIT + 1 (the page says "99+"), so someone with thousands of
    unread notifications costs no more than someone with a hundred.
    """

    def __init__(self, request: HttpRequest) -> None:
        self._request = request

    @cached_property
    def count(self) -> int:
        user: Any = getattr(self._request, "user", None)
        if user is None or not user.is_authenticated:
            return 0
        # The policy's scope of notifications.view, through a statement compiled once; none
        # (and no query) for a user the policy gives no inbox.
        return unread_count(user)

    @property
    def limit(self) -> int:
        return BADGE_LIMIT

    @property
    def more(self) -> bool:
        return self.count > BADGE_LIMIT

    @property
    def shown(self) -> str:
        return f"{BADGE_LIMIT}+" if self.more else str(self.count)


def notifications(request: HttpRequest) -> dict[str, Any]:
    return {"unread_notifications": UnreadBadge(request)}
