"""Telling people that something needs them: in the platform, and by e-mail.

``notify()`` is the only way a notification is made. It accepts a known kind with exactly the
parameters that kind declares (codes, dates, counts: see ``kinds``), stores one row per
recipient in the caller's transaction, and, once that transaction commits, e-mails each
recipient who has an address, in their own language. The e-mail says what the in-app
notification says, a case code at most, and a link: no personal data. A failed e-mail is
logged without the address and never undoes the work that caused it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import get_connection, send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation

from corett.accounts.models import User
from corett.lib.locks import serialise
from corett.notifications.kinds import get_kind
from corett.notifications.models import Notification, clean_link

logger = logging.getLogger("corett.notifications")


def users_with_role(
    *roles: str, country_id: int | None = None, organisation_id: int | None = None
) -> QuerySet[User]:
    """Active users holding any of ``roles`` in the organisations of one country, or of one
    organisation. There is no "everyone with the role": a notification is always addressed."""
    if country_id is None and organisation_id is None:
        raise ValueError("users_with_role() needs a country or an organisation")
    users = User.objects.filter(is_active=True, role_assignments__role__in=roles)
    if country_id is not None:
        users = users.filter(organisation__country_id=country_id)
    if organisation_id is not None:
        users = users.filter(organisation_id=organisation_id)
    return users.distinct()


@dataclass(frozen=True)
class _Mail:
    notification_id: int
    address: str
    language: str


def notify(
    *,
    recipients: Iterable[User],
    kind: str,
    params: Mapping[str, Any],
    link: str,
    once_key: str = "",
) -> list[Notification]:
    """Notify each recipient (once: duplicates are dropped) of ``kind``; return the rows made.

    ``once_key`` makes a reminder idempotent: a recipient who already holds a notification with
    that key gets no second one (nor a second e-mail).
    """
    spec = get_kind(kind)
    stored = spec.clean(params)
    link = clean_link(link)
    people = {user.pk: user for user in recipients if user.is_active}
    if not people:
        return []
    with transaction.atomic():
        if once_key:
            # Two runs of a reminder at once must not both decide that nobody was told yet.
            serialise(f"notifications.once:{once_key}")
            told = set(
                Notification.objects.filter(recipient_id__in=people, once_key=once_key)
                .values_list("recipient_id", flat=True)
            )
            people = {pk: user for pk, user in people.items() if pk not in told}
        now = timezone.now()
        rows = Notification.objects.bulk_create(
            [
                Notification(recipient=user, kind=kind, params=stored, link=link, once_key=once_key, created_at=now)
                for user in people.values()
            ]
        )
        mails = [
            _Mail(row.pk, people[row.recipient_id].email, people[row.recipient_id].preferred_language)
            for row in rows
            if people[row.recipient_id].email
        ]
        if mails:
            transaction.on_commit(lambda: _send(mails, kind=kind, params=stored, link=link))
    return rows


def _send(mails: list[_Mail], *, kind: str, params: Mapping[str, Any], link: str) -> None:
    """One e-mail per recipient (never several addresses in one message), each in the
    recipient's language. Runs after the commit: a failure is logged and goes no further."""
    spec = get_kind(kind)
    url = settings.SITE_ROOT.rstrip("/") + link
    try:
        connection = get_connection()
    except Exception as exc:  # a misconfigured backend must not break the request that committed
        logger.warning("Notification e-mails not sent (%s): %s", kind, type(exc).__name__)
        return
    for mail in mails:
        try:
            with translation.override(mail.language or settings.LANGUAGE_CODE):
                subject = str(spec.subject)
                body = render_to_string(
                    "notifications/email.txt", {"message": spec.render(params), "url": url}
                )
            send_mail(
                subject, body, settings.DEFAULT_FROM_EMAIL, [mail.address],
                connection=connection, fail_silently=False,
            )
        except Exception as exc:
            # The address (and the server's reply, which often repeats it) stay out of the log.
            logger.warning(
                "Notification e-mail not sent (%s, notification %s): %s",
                kind, mail.notification_id, type(exc).__name__,
            )


@dataclass(frozen=True)
class OverdueReport:
    tasks: int  # overdue tasks found
    notified: int  # notifications made (0 in a dry run, and on a second run the same day)
    codes: list[str]  # the cases of the overdue tasks, for the operator's output


def notify_overdue_tasks(*, today: dt.date | None = None, dry_run: bool = False) -> OverdueReport:
    """Tell the destination country's case workers of every open task past its due date, once
    per task and day (``corett notify-overdue``, meant for a daily cron)."""
    from corett.accounts.roles import Role
    from corett.cases.models import FINAL_STAGES, Task

    today = today or timezone.localdate()
    tasks = list(
        Task.objects.filter(
            done_at__isnull=True, due_on__lt=today,
            case__deactivated_at__isnull=True,
        )
        .exclude(case__stage__in=FINAL_STAGES)
        .select_related("case")
        .only("stage", "due_on", "case__code", "case__destination_country_id")
        .order_by("due_on", "pk")
    )
    notified = 0
    for task in tasks:
        if dry_run:
            continue
        made = notify(
            recipients=users_with_role(Role.CASE_WORKER, country_id=task.case.destination_country_id),
            kind="case.task_overdue",
            params={"case": task.case.code, "stage": task.stage, "due_on": task.due_on},
            link=task.case.get_absolute_url(),
            once_key=f"cases.task_overdue:{task.pk}:{today.isoformat()}",
        )
        notified += len(made)
    return OverdueReport(tasks=len(tasks), notified=notified, codes=[t.case.code for t in tasks])

