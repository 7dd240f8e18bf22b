"""Who may do what in meetings and agreements (rules registered in the one policy layer).

Meetings, their agendas and agreements are the coalition's own record: every member commission,
observer and partner reads them (drafts stay with the Secretariat and the Presidency until the
meeting is convened). Internal agenda items and the minutes are for members and observers, not
partners. Only the Secretariat (and administrators) writes. A follow-up update belongs to the
responsible actor it reports for: the focal point of a responsible country, the observer or
partner organisation named, the Presidency or the Secretariat; other countries never see it
before the Secretariat accepts it. A memorandum is seen by members and observers, and by a
partner only when its organisation is a party.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from corett.accounts.roles import Role
from corett.policy import REGIONAL, STAFF, rule, scoping

MEETING_READERS = (*REGIONAL, Role.FOCAL_POINT, Role.OBSERVER, Role.PARTNER)
MEMBERS_AND_OBSERVERS = (*REGIONAL, Role.FOCAL_POINT, Role.OBSERVER)
SEES_DRAFTS = REGIONAL
REPORTERS = (Role.PRESIDENCY, Role.SECRETARIAT, Role.FOCAL_POINT, Role.OBSERVER, Role.PARTNER)


def _meeting_visible(user: Any, meeting: Any) -> bool:
    if not user.has_role(*MEETING_READERS):
        return False
    return meeting is None or meeting.state != "draft" or user.has_role(*SEES_DRAFTS)


@rule("meetings.view")
def _view(user: Any, meeting: Any) -> bool:
    return _meeting_visible(user, meeting)


@scoping("meetings.view")
def _scope_meetings(user: Any, qs: QuerySet) -> QuerySet:
    if user.has_role(*SEES_DRAFTS):
        return qs
    if not user.has_role(*MEETING_READERS):
        return qs.none()
    return qs.exclude(state="draft")


@rule("meetings.view_internal")
def _view_internal(user: Any, meeting: Any) -> bool:
    return user.has_role(*MEMBERS_AND_OBSERVERS) and _meeting_visible(user, meeting)


@rule("meetings.manage")
def _manage(user: Any, obj: Any) -> bool:
    return user.has_role(*STAFF)


@rule("meetings.view_agreement")
def _view_agreement(user: Any, agreement: Any) -> bool:
    return _meeting_visible(user, agreement.meeting if agreement is not None else None)


@scoping("meetings.view_agreement")
def _scope_agreements(user: Any, qs: QuerySet) -> QuerySet:
    if user.has_role(*SEES_DRAFTS):
        return qs
    if not user.has_role(*MEETING_READERS):
        return qs.none()
    return qs.exclude(meeting__state="draft")


def _represents_any(user: Any, agreement: Any) -> bool:
    return any(actor.represented_by(user) for actor in agreement.actors.all())


@rule("meetings.report")
def _report(user: Any, agreement: Any) -> bool:
    """Write a follow-up update: only someone who speaks for a responsible actor."""
    if not user.has_role(*REPORTERS):
        return False
    if agreement is None:
        return True
    return agreement.adoption_state == "adopted" and _represents_any(user, agreement)


@rule("meetings.view_update")
def _view_update(user: Any, update: Any) -> bool:
    if update is None:
        return user.has_role(*MEETING_READERS)
    if user.has_role(*REGIONAL):
        # Drafts are their author's side's work in progress, even for the Secretariat.
        return update.state != "draft" or update.actor.represented_by(user)
    if update.actor.represented_by(user):
        return True
    return update.state == "accepted" and user.has_role(*MEETING_READERS)


@scoping("meetings.view_update")
def _scope_updates(user: Any, qs: QuerySet) -> QuerySet:
    mine = Q(pk__in=[])
    if user.has_role(Role.SECRETARIAT):
        mine |= Q(actor__kind="secretariat")
    if user.has_role(Role.PRESIDENCY):
        mine |= Q(actor__kind="presidency")
    if user.has_role(Role.FOCAL_POINT) and user.country_id is not None:
        mine |= Q(actor__kind="country", actor__country_id=user.country_id)
    if user.has_role(Role.PARTNER, Role.OBSERVER) and user.organisation_id is not None:
        mine |= Q(actor__kind="organisation", actor__organisation_id=user.organisation_id)
    if user.has_role(*REGIONAL):
        return qs.filter(mine | ~Q(state="draft"))
    if user.has_role(*MEETING_READERS):
        return qs.filter(mine | Q(state="accepted"))
    return qs.none()


@rule("meetings.edit_update")
def _edit_update(user: Any, update: Any) -> bool:
    return update.state in ("draft", "returned") and update.actor.represented_by(user)


@rule("meetings.review_update")
def _review_update(user: Any, update: Any) -> bool:
    return user.has_role(*STAFF) and (update is None or update.state == "submitted")


@rule("meetings.view_minutes")
def _view_minutes(user: Any, meeting: Any) -> bool:
    return user.has_role(*MEMBERS_AND_OBSERVERS) and _meeting_visible(user, meeting)


@rule("meetings.comment_minutes")
def _comment_minutes(user: Any, minutes: Any) -> bool:
    return user.has_role(*MEMBERS_AND_OBSERVERS) and minutes is not None and minutes.state == "circulated"


@rule("meetings.export")
def _export(user: Any, meeting: Any) -> bool:
    return _meeting_visible(user, meeting)


@rule("meetings.view_dashboard")
def _view_dashboard(user: Any, obj: Any) -> bool:
    return user.has_role(*MEETING_READERS)


@rule("meetings.view_owed")
def _view_owed(user: Any, obj: Any) -> bool:
    """"What my country owes": a focal point's page for their own country."""
    return user.has_role(Role.FOCAL_POINT) and user.country_id is not None


@rule("meetings.configure_workflow")
def _configure_workflow(user: Any, obj: Any) -> bool:
    return user.has_role(*STAFF)


@rule("meetings.view_mou")
def _view_mou(user: Any, mou: Any) -> bool:
    if user.has_role(*MEMBERS_AND_OBSERVERS):
        return True
    if not user.has_role(Role.PARTNER) or user.organisation_id is None:
        return False
    return mou is None or any(p.organisation_id == user.organisation_id for p in mou.parties.all())


@scoping("meetings.view_mou")
def _scope_mous(user: Any, qs: QuerySet) -> QuerySet:
    if user.has_role(*MEMBERS_AND_OBSERVERS):
        return qs
    if user.has_role(Role.PARTNER) and user.organisation_id is not None:
        return qs.filter(parties__organisation_id=user.organisation_id).distinct()
    return qs.none()


@rule("meetings.manage_mou")
def _manage_mou(user: Any, mou: Any) -> bool:
    return user.has_role(*STAFF)
