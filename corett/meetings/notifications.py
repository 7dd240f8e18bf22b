"""Who the meetings module tells, and of what (kinds in ``notification_kinds.py``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import QuerySet

from corett.accounts.models import User
from corett.accounts.roles import Role
from corett.meetings.models import ActorKind, Agreement, FollowUpUpdate, Mou, ResponsibleActor
from corett.notifications.services import notify, users_with_role


def _regional(*roles: str) -> QuerySet[User]:
    return User.objects.filter(is_active=True, role_assignments__role__in=roles).distinct()


def speakers_for(actor: ResponsibleActor) -> Iterable[User]:
    """The people who report for a responsible actor."""
    if actor.kind == ActorKind.PRESIDENCY:
        return _regional(Role.PRESIDENCY)
    if actor.kind == ActorKind.SECRETARIAT:
        return _regional(Role.SECRETARIAT)
    if actor.kind == ActorKind.COUNTRY and actor.country_id:
        return users_with_role(Role.FOCAL_POINT, country_id=actor.country_id)
    if actor.organisation_id:
        return users_with_role(Role.PARTNER, Role.OBSERVER, organisation_id=actor.organisation_id)
    return []


def agreement_overdue(agreement: Agreement, *, today: dt.date) -> int:
    late = [a for a in agreement.actors.all() if a.due_on and a.due_on < today]
    if not late:
        return 0
    recipients: dict[int, User] = {u.pk: u for u in _regional(Role.SECRETARIAT)}
    for actor in late:
        recipients.update({u.pk: u for u in speakers_for(actor)})
    due_on = min(a.due_on for a in late if a.due_on)
    rows = notify(
        recipients=recipients.values(), kind="meetings.agreement_overdue",
        params={"agreement": agreement.code, "due_on": due_on}, link=agreement.get_absolute_url(),
        once_key=f"meetings.overdue:{agreement.pk}:{today.isoformat()}",
    )
    return len(rows)


def update_submitted(update: FollowUpUpdate) -> None:
    notify(recipients=_regional(Role.SECRETARIAT), kind="meetings.update_submitted",
           params={"agreement": update.agreement.code}, link=update.get_absolute_url())


def update_reviewed(update: FollowUpUpdate) -> None:
    notify(recipients=[update.author], kind="meetings.update_reviewed",
           params={"agreement": update.agreement.code, "decision": update.state}, link=update.get_absolute_url())


def mou_expiring(mou: Mou, *, today: dt.date) -> int:
    assert mou.valid_until is not None
    rows = notify(
        recipients=_regional(Role.SECRETARIAT), kind="meetings.mou_expiring",
        params={"mou": mou.code, "valid_until": mou.valid_until}, link=mou.get_absolute_url(),
        once_key=f"meetings.mou_expiring:{mou.pk}:{mou.valid_until.isoformat()}",
    )
    return len(rows)
