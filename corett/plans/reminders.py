"""Reminders before and after the progress reports' deadline (``corett plans-remind``, daily).

Before: every actor that owes actions in a period and has not submitted is told a week before the
due date and again the day before. After: once a week from the due date until it submits. Each
reminder is sent once per actor, period and day (``once_key``), so running the sweep twice in a
day sends nothing new.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from corett.notifications.services import notify
from corett.plans.models import (
    Actor,
    ActorKind,
    PlanState,
    ProgressReport,
    ReportingPeriod,
    ReportState,
    Responsibility,
)
from corett.plans.services import reporters_of

DAYS_BEFORE = (7, 1)
EVERY_DAYS_AFTER = 7


@dataclass
class ReminderReport:
    periods: int = 0
    actors: int = 0
    notifications: int = 0


def _actors_owing(period: ReportingPeriod) -> set[Actor]:
    rows = Responsibility.objects.filter(
        action__plan=period.plan, action__planned_start__lte=period.ends_on,
        action__planned_end__gte=period.starts_on,
    ).values_list("actor_kind", "country_id", "organisation_id").distinct()
    actors: set[Actor] = set()
    for kind, country_id, organisation_id in rows:
        if kind == ActorKind.ALL_COUNTRIES:
            from corett.directory.models import Country

            actors |= {Actor(ActorKind.COUNTRY, country_id=pk) for pk in Country.objects.members().values_list(
                "pk", flat=True)}
        else:
            actors.add(Actor(kind, country_id, organisation_id))
    return actors


def _done(period: ReportingPeriod) -> set[str]:
    reports = ProgressReport.objects.filter(period=period).exclude(
        state__in=[ReportState.DRAFT, ReportState.RETURNED])
    return {r.actor.key for r in reports}


def send_reminders(*, today: dt.date | None = None, dry_run: bool = False) -> ReminderReport:
    today = today or timezone.localdate()
    outcome = ReminderReport()
    periods = ReportingPeriod.objects.filter(
        Q(due_on__gte=today, due_on__lte=today + dt.timedelta(days=max(DAYS_BEFORE))) | Q(due_on__lt=today),
        plan__state__in=[PlanState.APPROVED, PlanState.IN_EXECUTION], locked_at__isnull=True,
        starts_on__lte=today,
    ).select_related("plan")
    for period in periods:
        days_left = (period.due_on - today).days
        if days_left >= 0 and days_left not in DAYS_BEFORE:
            continue
        if days_left < 0 and (-days_left) % EVERY_DAYS_AFTER != 0:
            continue
        kind = "plans.report_due" if days_left >= 0 else "plans.report_overdue"
        outcome.periods += 1
        done = _done(period)
        for actor in sorted(_actors_owing(period), key=lambda a: a.key):
            if actor.key in done:
                continue
            outcome.actors += 1
            recipients = list(reporters_of(actor))
            if dry_run:
                outcome.notifications += len(recipients)
                continue
            sent = notify(
                recipients=recipients, kind=kind, params={"period": period.label, "due_on": period.due_on},
                link=period.get_absolute_url(),
                once_key=f"plans.remind:{period.pk}:{actor.key}:{today.isoformat()}",
            )
            outcome.notifications += len(sent)
    return outcome
