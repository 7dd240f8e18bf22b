"""In-app notifications: a kind, a few non-identifying parameters and a link, per recipient.

No text is stored: the message is written from the kind when it is shown, in the reader's
language (see ``kinds``). Nothing here may hold a name, a birth date, a narrative or any other
identity field; ``kinds`` makes that a matter of types rather than of care.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from corett.notifications.kinds import KINDS, UNKNOWN_MESSAGE, get_kind

if TYPE_CHECKING:
    from corett.accounts.models import User

# How many unread notifications the navigation counts before it says "99+".
BADGE_LIMIT = 99


def clean_link(link: Any) -> str:
    """A path within the platform (and an anchor), never another site nor a query string:
    query strings end up in logs, and a notification must not carry data in its link."""
    if not isinstance(link, str):
        raise ValidationError({"link": _("The link must be a path within the platform.")})
    parts = urlsplit(link)
    if parts.scheme or parts.netloc or parts.query or not parts.path.startswith("/") or link.startswith("//"):
        raise ValidationError({"link": _("The link must be a path within the platform.")})
    try:
        resolve(parts.path)
    except Resolver404:
        raise ValidationError({"link": _("The link leads to no page of the platform.")}) from None
    return link


class NotificationQuerySet(models.QuerySet["Notification"]):
    def visible_to(self, user: User) -> NotificationQuerySet:
        from corett import policy

        return policy.scope(user, "notifications.view", self)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)

    def mark_read(self) -> int:
        return self.unread().update(read_at=timezone.now())


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=64)
    # Codes, dates and counts only, as the kind declares them (kinds.Kind.clean).
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    link = models.CharField(_("link"), max_length=300)
    # Set for reminders that must reach each recipient once (e.g. "task 12 overdue on 2026-03-02").
    once_key = models.CharField(max_length=100, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # A user's list, newest first.
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_inbox_idx"),
            # The navigation's unread count reads only the unread entries of one user.
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread_idx"),
        ]
        constraints = [
            # The last line behind the reminders' idempotence (services.notify serialises first).
            models.UniqueConstraint(
                fields=["recipient", "once_key"], condition=~Q(once_key=""), name="notification_once_per_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"

    def clean(self) -> None:
        self.params = get_kind(self.kind).clean(self.params)
        self.link = clean_link(self.link)

    @property
    def is_unread(self) -> bool:
        return self.read_at is None

    @property
    def message(self) -> str:
        """The text, in the active language."""
        kind = KINDS.get(self.kind)
        if kind is None:
            return str(UNKNOWN_MESSAGE)
        return kind.render(self.params if isinstance(self.params, dict) else {})

    @property
    def subject(self) -> str:
        kind = KINDS.get(self.kind)
        return str(kind.subject if kind else UNKNOWN_MESSAGE)

    def mark_read(self) -> None:
        if self.read_at is None:
            self.read_at = timezone.now()
            self.save(update_fields=["read_at"])
