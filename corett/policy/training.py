"""Who may do what in training (rules registered in the one policy layer).

- The catalogue (programmes, topics, sessions, committees) is for every role: it names no one.
- The Technical Secretariat (and administrators) run programmes, topics and question banks.
- A session is run by the Secretariat, the focal point of its country, and trainers: those of
  its country or those assigned to it (a regional trainer, of an organisation with no country,
  may open sessions anywhere).
- Participants are personal data: only those who run a session the person registered for
  (the Secretariat for all; a focal point also for the people of their country) see them.
- The dashboards show counts only, with small counts suppressed: every role.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from corett.accounts.roles import Role
from corett.policy import ANY_ROLE, STAFF, rule, scoping


def _regional_trainer(user: Any) -> bool:
    return user.has_role(Role.TRAINER) and user.country_id is None


@rule("training.view")
def _view(user: Any, obj: Any) -> bool:
    return user.has_role(*ANY_ROLE)


@scoping("training.view")
def _scope_view(user: Any, qs: QuerySet) -> QuerySet:
    return qs


@rule("training.manage_programmes")
def _manage_programmes(user: Any, obj: Any) -> bool:
    return user.has_role(*STAFF)


@rule("training.add_session")
def _add_session(user: Any, country: Any) -> bool:
    """``country``: where the new session takes place (None: may the user add sessions at all)."""
    if user.has_role(*STAFF) or _regional_trainer(user):
        return True
    if not user.has_role(Role.FOCAL_POINT, Role.TRAINER) or user.country_id is None:
        return False
    return country is None or country.pk == user.country_id


@rule("training.manage_session")
def _manage_session(user: Any, session: Any) -> bool:
    """``session`` None: does the user run any session (the "my sessions" pages)."""
    if user.has_role(*STAFF):
        return True
    if session is None:
        return user.has_role(Role.FOCAL_POINT, Role.TRAINER)
    if user.has_role(Role.FOCAL_POINT, Role.TRAINER) and user.country_id == session.country_id:
        return True
    if user.has_role(Role.TRAINER):
        return any(trainer.pk == user.pk for trainer in session.trainers.all())
    return False


def _managed_sessions(user: Any) -> Q:
    mine = Q(pk__in=[])
    if user.has_role(Role.FOCAL_POINT, Role.TRAINER) and user.country_id is not None:
        mine |= Q(country_id=user.country_id)
    if user.has_role(Role.TRAINER):
        mine |= Q(trainers=user)
    return mine


@scoping("training.manage_session")
def _scope_managed_sessions(user: Any, qs: QuerySet) -> QuerySet:
    if user.has_role(*STAFF):
        return qs
    if not user.has_role(Role.FOCAL_POINT, Role.TRAINER):
        return qs.none()
    from corett.training.models import Session

    return qs.filter(pk__in=Session.objects.filter(_managed_sessions(user)).values("pk"))


@rule("training.view_participant")
def _view_participant(user: Any, participant: Any) -> bool:
    if user.has_role(*STAFF):
        return True
    if not user.has_role(Role.FOCAL_POINT, Role.TRAINER):
        return False
    if participant is None:
        return True
    from corett.training.models import Participant

    return _scope_participants(user, Participant.objects.filter(pk=participant.pk)).exists()


@scoping("training.view_participant")
def _scope_participants(user: Any, qs: QuerySet) -> QuerySet:
    if user.has_role(*STAFF):
        return qs
    if not user.has_role(Role.FOCAL_POINT, Role.TRAINER):
        return qs.none()
    from corett.training.models import Registration, Session

    sessions = Session.objects.filter(_managed_sessions(user)).values("pk")
    registered = Registration.objects.filter(session__in=sessions).values("participant_id")
    mine = Q(pk__in=registered)
    if user.has_role(Role.FOCAL_POINT) and user.country_id is not None:
        mine |= Q(country_id=user.country_id)
    return qs.filter(mine)


@rule("training.merge_participants")
def _merge_participants(user: Any, obj: Any) -> bool:
    """Confirming that two records are one person: the Secretariat and focal points (of the
    people they may see, which the service checks for both records)."""
    return user.has_role(*STAFF, Role.FOCAL_POINT)


@rule("training.view_dashboard")
def _view_dashboard(user: Any, obj: Any) -> bool:
    return user.has_role(*ANY_ROLE)


@rule("training.export_dashboard")
def _export_dashboard(user: Any, obj: Any) -> bool:
    return user.has_role(*ANY_ROLE)


@rule("training.view_committee_members")
def _view_committee_members(user: Any, committee: Any) -> bool:
    """``committee``: the directory organisation (kind local committee)."""
    if user.has_role(*STAFF):
        return True
    return (
        user.has_role(Role.FOCAL_POINT, Role.TRAINER)
        and user.country_id is not None
        and committee is not None
        and committee.country_id == user.country_id
    )


@rule("training.manage_committee")
def _manage_committee(user: Any, committee: Any) -> bool:
    if user.has_role(*STAFF):
        return True
    return (
        user.has_role(Role.FOCAL_POINT)
        and user.country_id is not None
        and committee is not None
        and committee.country_id == user.country_id
    )


@rule("training.manage_certificate")
def _manage_certificate(user: Any, certificate: Any) -> bool:
    """Certificates are the business of whoever runs their session."""
    if certificate is None:
        return _manage_session(user, None)
    return _manage_session(user, certificate.registration.session)
