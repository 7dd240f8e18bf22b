"""Training workflows: programmes, sessions, registrations, attendance.

Views, the API, the demo and the benchmark call these functions; none saves a training record
any other way. Each checks permission through the policy (before its transaction, so that a
refusal's audit entry survives), validates with ``full_clean()`` and audits in the same
transaction. Audit entries name records by id and counts only: a participant's name or e-mail
never enters the audit trail or the logs.

Tests and the survey live in ``learning.py``, certificates in ``certificates.py``, the figures
in ``figures.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from corett import policy
from corett.audit.services import audit_log
from corett.directory.models import Organisation, OrganisationKind
from corett.lib.urls import cached_reverse
from corett.training.mail import send_personal_link
from corett.training.models import (
    Attendance,
    CommitteeMember,
    CommitteeProfile,
    Material,
    Participant,
    Programme,
    Question,
    Registration,
    RegistrationSource,
    RegistrationStatus,
    Session,
    SessionState,
    TestAttempt,
    TestKind,
    Topic,
    new_token,
)

PARTICIPANT_FIELDS = (
    "full_name", "email", "institution", "institution_type", "organisation", "country", "position", "sex",
    "consent_to_contact",
)


def people_trained(country_iso3: str | None = None, start: dt.date | None = None, end: dt.date | None = None) -> int:
    """How many different people completed a training session (for the action plan's indicators).

    A person counts once however many sessions they completed; ``country_iso3`` is the
    participant's country; ``start``/``end`` bound the session's last day (inclusive).
    """
    from corett.training.figures import completed_registrations

    registrations = completed_registrations(start=start, end=end)
    if country_iso3:
        registrations = registrations.filter(participant__country__iso3=country_iso3.upper())
    return registrations.values("participant_id").distinct().count()


# --- Helpers ------------------------------------------------------------------------------------


def _create(actor: Any, instance: Any, action: str, **extra: Any) -> Any:
    instance.full_clean()
    instance.save()
    audit_log(actor=actor, action=action, obj=instance, extra=extra or None)
    return instance


def _update(actor: Any, instance: Any, data: Mapping[str, Any], action: str) -> Any:
    before = {name: getattr(instance, name) for name in data}
    changed = [name for name, value in data.items() if getattr(instance, name) != value]
    for name in changed:
        setattr(instance, name, data[name])
    if not changed:
        return instance
    try:
        instance.full_clean()
    except ValidationError:
        for name, value in before.items():
            setattr(instance, name, value)
        raise
    instance.save(update_fields=changed)
    audit_log(actor=actor, action=action, obj=instance, changed_fields=changed)
    return instance


def _locked_session(session: Session) -> Session:
    """The session row, locked until the transaction ends: capacity checks cannot interleave."""
    return Session.objects.select_for_update().get(pk=session.pk)


# --- Topics and programmes ----------------------------------------------------------------------


def topic_create(*, actor: Any, data: Mapping[str, Any]) -> Topic:
    policy.authorize(actor, "training.manage_programmes")
    with transaction.atomic():
        return _create(actor, Topic(**data), "training.topic.create")


def programme_create(*, actor: Any, data: Mapping[str, Any]) -> Programme:
    policy.authorize(actor, "training.manage_programmes")
    fields = dict(data)
    partners = fields.pop("partners", [])
    with transaction.atomic():
        programme = _create(actor, Programme(**fields), "training.programme.create")
        programme.partners.set(partners)
        return programme


def programme_update(*, actor: Any, programme: Programme, data: Mapping[str, Any]) -> Programme:
    policy.authorize(actor, "training.manage_programmes", programme)
    fields = dict(data)
    partners = fields.pop("partners", None)
    with transaction.atomic():
        _update(actor, programme, fields, "training.programme.update")
        if partners is not None:
            programme.partners.set(partners)
        return programme


def material_add(*, actor: Any, programme: Programme, data: Mapping[str, Any]) -> Material:
    policy.authorize(actor, "training.manage_programmes", programme)
    with transaction.atomic():
        return _create(actor, Material(programme=programme, **data), "training.material.create")


def question_add(*, actor: Any, programme: Programme, data: Mapping[str, Any]) -> Question:
    policy.authorize(actor, "training.manage_programmes", programme)
    with transaction.atomic():
        position = programme.questions.filter(language=data.get("language")).count() + 1
        return _create(
            actor, Question(programme=programme, position=position, **data), "training.question.create"
        )


# --- Sessions -----------------------------------------------------------------------------------


def session_create(*, actor: Any, data: Mapping[str, Any]) -> Session:
    fields = dict(data)
    trainers = fields.pop("trainers", [])
    committees = fields.pop("target_committees", [])
    session = Session(**fields)
    policy.authorize(actor, "training.add_session", getattr(session, "country", None))
    with transaction.atomic():
        _create(actor, session, "training.session.create")
        session.trainers.set(trainers)
        session.target_committees.set(_only_committees(committees))
        return session


def session_update(*, actor: Any, session: Session, data: Mapping[str, Any]) -> Session:
    policy.authorize(actor, "training.manage_session", session)
    fields = dict(data)
    trainers = fields.pop("trainers", None)
    committees = fields.pop("target_committees", None)
    if "country" in fields and fields["country"] != session.country:
        policy.authorize(actor, "training.add_session", fields["country"])
    if session.state in (SessionState.REPORTED, SessionState.CANCELLED):
        raise ValidationError(_("A reported or cancelled session can no longer be changed."))
    with transaction.atomic():
        locked = _locked_session(session)
        if "capacity" in fields and fields["capacity"] < locked.registrations.holding_place().count():
            raise ValidationError({"capacity": _("More people are already confirmed than this capacity.")})
        _update(actor, session, fields, "training.session.update")
        if trainers is not None:
            session.trainers.set(trainers)
        if committees is not None:
            session.target_committees.set(_only_committees(committees))
        return session


def _only_committees(organisations: Iterable[Organisation]) -> list[Organisation]:
    organisations = list(organisations)
    if any(org.kind != OrganisationKind.LOCAL_COMMITTEE for org in organisations):
        raise ValidationError({"target_committees": _("Only local committees can be targeted.")})
    return organisations


def session_transition(*, actor: Any, session: Session, state: str, note: str = "") -> Session:
    """Move a session along planned → open → running → completed → reported (or cancelled).

    Completing a session decides, once, who completed it by the programme's rules; a report
    (``note``) is required to mark it reported, a reason to cancel it.
    """
    policy.authorize(actor, "training.manage_session", session)
    note = (note or "").strip()
    if not session.can_move_to(state):
        raise ValidationError(
            {"state": _("A session cannot go from “%(from)s” to “%(to)s”.") % {
                "from": session.get_state_display(), "to": SessionState(state).label if state in SessionState.values else state,
            }}
        )
    if state == SessionState.REPORTED and not note:
        raise ValidationError({"note": _("Write the session's report to mark it reported.")})
    if state == SessionState.CANCELLED and not note:
        raise ValidationError({"note": _("Give the reason for cancelling the session.")})
    with transaction.atomic():
        locked = _locked_session(session)
        if not locked.can_move_to(state):  # someone else moved it meanwhile
            raise ValidationError({"state": _("The session has changed meanwhile; reload the page.")})
        changed = ["state"]
        session.state = state
        if state == SessionState.REPORTED:
            session.report = note[:10000]
            changed.append("report")
        if state == SessionState.CANCELLED:
            session.cancellation_reason = note[:300]
            changed.append("cancellation_reason")
        session.save(update_fields=changed)
        completed = _decide_completion(session) if state == SessionState.COMPLETED else None
        audit_log(
            actor=actor, action="training.session.transition", obj=session, changed_fields=changed,
            extra={"state": state, **({"completed": completed} if completed is not None else {})},
        )
    return session


def session_renew_link(*, actor: Any, session: Session) -> Session:
    """A new public registration link; the old one stops working (e.g. it was shared too widely)."""
    policy.authorize(actor, "training.manage_session", session)
    with transaction.atomic():
        session.registration_token = new_token()
        session.save(update_fields=["registration_token"])
        audit_log(actor=actor, action="training.session.renew_link", obj=session)
    return session


def _decide_completion(session: Session) -> int:
    """Mark each confirmed registration completed or not; return how many completed."""
    programme = session.programme
    days = len(session.days)
    registrations = session.registrations.holding_place().annotate(days_attended=Count("attendances"))
    post_scores = dict(
        TestAttempt.objects.filter(registration__session=session, kind=TestKind.POST).values_list(
            "registration_id", "percent"
        )
    )
    done: list[int] = []
    for registration in registrations:
        attended_percent = 100 * registration.days_attended / days  # type: ignore[attr-defined]
        passed = (not programme.requires_post_test) or (
            post_scores.get(registration.pk, -1) >= programme.pass_mark_percent
        )
        if attended_percent >= programme.min_attendance_percent and passed:
            done.append(registration.pk)
    session.registrations.update(completed=False)
    session.registrations.filter(pk__in=done).update(completed=True)
    return len(done)


# --- Participants -------------------------------------------------------------------------------


def _participant_for(data: Mapping[str, Any]) -> Participant:
    """The participant these details describe: the existing record with the same e-mail, or a
    new one. An existing record is never overwritten from a registration: whoever types
    someone's e-mail does not get to change that person's name."""
    email = (data.get("email") or "").strip().lower()
    if email:
        existing = Participant.objects.filter(email=email).first()
        if existing is not None:
            return existing
    participant = Participant(**{name: data[name] for name in PARTICIPANT_FIELDS if name in data})
    participant.full_clean()
    participant.save()
    return participant


def participant_update(*, actor: Any, participant: Participant, data: Mapping[str, Any]) -> Participant:
    policy.authorize(actor, "training.view_participant", participant)
    with transaction.atomic():
        return _update(actor, participant, data, "training.participant.update")


def participant_merge(*, actor: Any, keep: Participant, duplicate: Participant) -> Participant:
    """Confirm that two records are the same person: ``duplicate``'s registrations move to
    ``keep`` and the duplicate is deleted."""
    policy.authorize(actor, "training.merge_participants")
    policy.authorize(actor, "training.view_participant", keep)
    policy.authorize(actor, "training.view_participant", duplicate)
    if keep.pk == duplicate.pk:
        raise ValidationError({"duplicate": _("Choose another record: a record cannot be merged with itself.")})
    with transaction.atomic():
        both = set(keep.registrations.values_list("session_id", flat=True)) & set(
            duplicate.registrations.values_list("session_id", flat=True)
        )
        if both:
            raise ValidationError(
                {"duplicate": _("Both records are registered for the same session; cancel one registration first.")}
            )
        moved = duplicate.registrations.update(participant=keep)
        if not keep.email and duplicate.email:
            email = duplicate.email
            duplicate.email = ""
            duplicate.save(update_fields=["email"])
            keep.email = email
            keep.save(update_fields=["email"])
        duplicate_id = duplicate.pk
        duplicate.delete()
        audit_log(actor=actor, action="training.participant.merge", obj=keep, extra={"merged": duplicate_id, "registrations": moved})
    return keep


def possible_duplicates(participant: Participant, candidates: Any) -> Any:
    """Records that may be the same person: same name (ignoring case) and country."""
    return candidates.filter(full_name__iexact=participant.full_name, country_id=participant.country_id).exclude(
        pk=participant.pk
    )


# --- Registration -------------------------------------------------------------------------------


def _place_for(session: Session, *, error_field: str | None = None) -> str:
    """Confirmed if a place is free, else the waiting list; or a refusal when there is none."""
    taken = session.registrations.holding_place().count()
    if taken < session.capacity:
        return RegistrationStatus.CONFIRMED
    if session.waiting_list:
        return RegistrationStatus.WAITLISTED
    message = _("The session is full (%(taken)s of %(capacity)s places taken) and keeps no waiting list.") % {
        "taken": taken, "capacity": session.capacity,
    }
    raise ValidationError({error_field: message} if error_field else message)


def _refuse_if_registered(session: Session, data: Mapping[str, Any]) -> None:
    """Registering the same person twice is the clearer error, before any about places."""
    email = (data.get("email") or "").strip().lower()
    if email and session.registrations.filter(participant__email=email).exists():
        raise ValidationError({"email": _("This person is already registered for this session.")})


def _register(session: Session, participant: Participant, *, status: str, source: str) -> Registration:
    if session.registrations.filter(participant=participant).exists():
        raise ValidationError({"email": _("This person is already registered for this session.")})
    registration = Registration(session=session, participant=participant, status=status, source=source)
    registration.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            registration.save()
    except IntegrityError as error:  # a concurrent registration of the same person
        raise ValidationError({"email": _("This person is already registered for this session.")}) from error
    return registration


def register_by_organiser(*, actor: Any, session: Session, data: Mapping[str, Any]) -> Registration:
    """The organiser registers someone: confirmed while places last, then the waiting list."""
    policy.authorize(actor, "training.manage_session", session)
    with transaction.atomic():
        locked = _locked_session(session)
        if locked.state not in (SessionState.PLANNED, SessionState.OPEN, SessionState.RUNNING):
            raise ValidationError(_("People can no longer be registered for this session."))
        _refuse_if_registered(locked, data)
        status = _place_for(locked)
        participant = _participant_for(data)
        registration = _register(locked, participant, status=status, source=RegistrationSource.ORGANISER)
        audit_log(actor=actor, action="training.registration.create", obj=registration, extra={"status": status, "session": session.pk})
        send_personal_link(registration)
        return registration


def register_through_link(*, session: Session, data: Mapping[str, Any]) -> Registration:
    """Someone registers through the session's public link; the organiser approves later."""
    with transaction.atomic():
        locked = _locked_session(session)
        if locked.state != SessionState.OPEN:
            raise ValidationError(_("Registration for this session is closed."))
        _refuse_if_registered(locked, data)
        if not locked.waiting_list and locked.registrations.holding_place().count() >= locked.capacity:
            raise ValidationError(_("The session is full: registration is closed."))
        participant = _participant_for(data)
        registration = _register(locked, participant, status=RegistrationStatus.PENDING, source=RegistrationSource.LINK)
        audit_log(actor=None, username="public", action="training.registration.link", obj=registration, extra={"session": session.pk})
        send_personal_link(registration)
        _tell_organisers_of_pending(locked)
        return registration


def session_reference(session: Session) -> str:
    """How notifications name a session (they may carry no title or name)."""
    return f"TS-{session.pk}"


def _tell_organisers_of_pending(session: Session) -> None:
    """Once a day per session at most: a visitor filling the form many times must not flood
    the organisers' inboxes."""
    from django.utils import timezone

    from corett.accounts.models import User
    from corett.accounts.roles import Role
    from corett.notifications.services import notify

    recipients = list(session.trainers.filter(is_active=True))
    if not recipients:
        recipients = list(User.objects.filter(
            is_active=True, role_assignments__role=Role.FOCAL_POINT, organisation__country_id=session.country_id,
        ).distinct())
    notify(
        recipients=recipients, kind="training.registrations_pending",
        params={"session": session_reference(session), "starts_on": session.starts_on,
                "pending": session.registrations.filter(status=RegistrationStatus.PENDING).count()},
        link=cached_reverse("training:session_participants", session.pk),
        once_key=f"training.pending:{session.pk}:{timezone.localdate():%Y-%m-%d}",
    )


def registration_approve(*, actor: Any, registration: Registration) -> Registration:
    policy.authorize(actor, "training.manage_session", registration.session)
    with transaction.atomic():
        session = _locked_session(registration.session)
        registration.refresh_from_db(fields=["status"])
        if registration.status not in (RegistrationStatus.PENDING, RegistrationStatus.WAITLISTED):
            raise ValidationError(_("Only a registration awaiting approval or on the waiting list can be approved."))
        status = _place_for(session)
        if registration.status == RegistrationStatus.WAITLISTED and status == RegistrationStatus.WAITLISTED:
            raise ValidationError(_("The session is full: the person stays on the waiting list."))
        registration.status = status
        registration.save(update_fields=["status"])
        audit_log(actor=actor, action="training.registration.approve", obj=registration, extra={"status": status})
    return registration


def registration_reject(*, actor: Any, registration: Registration) -> Registration:
    return _close_registration(actor, registration, RegistrationStatus.REJECTED, "training.registration.reject")


def registration_cancel(*, actor: Any, registration: Registration) -> Registration:
    return _close_registration(actor, registration, RegistrationStatus.CANCELLED, "training.registration.cancel")


def _close_registration(actor: Any, registration: Registration, status: str, action: str) -> Registration:
    policy.authorize(actor, "training.manage_session", registration.session)
    with transaction.atomic():
        session = _locked_session(registration.session)
        registration.refresh_from_db(fields=["status"])
        if registration.status in (RegistrationStatus.REJECTED, RegistrationStatus.CANCELLED):
            raise ValidationError(_("This registration is already closed."))
        if hasattr(registration, "certificate"):
            raise ValidationError(_("A certificate was issued for this registration: revoke it instead."))
        freed = registration.status == RegistrationStatus.CONFIRMED
        registration.status = status
        registration.save(update_fields=["status"])
        promoted = _promote_from_waiting_list(session) if freed else None
        audit_log(actor=actor, action=action, obj=registration, extra={"promoted": promoted} if promoted else None)
    return registration


def _promote_from_waiting_list(session: Session) -> int | None:
    """Give a freed place to whoever has waited longest."""
    first = session.registrations.filter(status=RegistrationStatus.WAITLISTED).order_by("created_at", "pk").first()
    if first is None:
        return None
    first.status = RegistrationStatus.CONFIRMED
    first.save(update_fields=["status"])
    return first.pk


# --- Attendance ---------------------------------------------------------------------------------


def attendance_record(*, actor: Any, session: Session, day: dt.date, present: Sequence[int]) -> int:
    """The organiser's tick list for one day: exactly ``present`` (registration ids) attended.

    Returns how many attended. Refuses, saving nothing, an id that is not a confirmed
    registration of this session.
    """
    policy.authorize(actor, "training.manage_session", session)
    if session.state != SessionState.RUNNING:
        raise ValidationError(_("Attendance is taken while the session is running."))
    if day not in session.days:
        raise ValidationError({"day": _("This day is not one of the session's days.")})
    wanted = set(present)
    confirmed = set(session.registrations.holding_place().values_list("pk", flat=True))
    if wanted - confirmed:
        raise ValidationError({"present": _("Someone on the list is not registered for this session (or not confirmed).")})
    with transaction.atomic():
        already = set(
            Attendance.objects.filter(registration__session=session, day=day).values_list("registration_id", flat=True)
        )
        Attendance.objects.filter(registration__session=session, day=day, registration_id__in=already - wanted).delete()
        Attendance.objects.bulk_create(
            [Attendance(registration_id=pk, day=day, method=Attendance.Method.LIST) for pk in sorted(wanted - already)]
        )
        audit_log(
            actor=actor, action="training.attendance.record", obj=session,
            extra={"day": day.isoformat(), "present": len(wanted), "added": len(wanted - already), "removed": len(already - wanted)},
        )
    return len(wanted)


def attendance_check_in(*, registration: Registration, code: str, today: dt.date) -> Attendance:
    """A participant checks in with the day's code the trainer shows in the room."""
    session = registration.session
    if registration.status != RegistrationStatus.CONFIRMED:
        raise ValidationError(_("Only confirmed participants can check in."))
    if session.state != SessionState.RUNNING or today not in session.days:
        raise ValidationError(_("Check-in is open only on the days of a running session."))
    if (code or "").strip() != session.check_in_code(today):
        raise ValidationError({"code": _("This is not today's check-in code.")})
    with transaction.atomic():
        attendance, created = Attendance.objects.get_or_create(
            registration=registration, day=today, defaults={"method": Attendance.Method.CODE}
        )
        if created:
            audit_log(actor=None, username="participant", action="training.attendance.check_in", obj=session, extra={"registration": registration.pk})
    return attendance


# --- Local committees ---------------------------------------------------------------------------


def committee_profile_save(*, actor: Any, committee: Organisation, data: Mapping[str, Any]) -> CommitteeProfile:
    policy.authorize(actor, "training.manage_committee", committee)
    with transaction.atomic():
        profile = CommitteeProfile.objects.filter(organisation=committee).first()
        if profile is None:
            return _create(actor, CommitteeProfile(organisation=committee, **data), "training.committee.create")
        return _update(actor, profile, data, "training.committee.update")


def committee_member_add(*, actor: Any, profile: CommitteeProfile, data: Mapping[str, Any]) -> CommitteeMember:
    policy.authorize(actor, "training.manage_committee", profile.organisation)
    with transaction.atomic():
        return _create(actor, CommitteeMember(committee=profile, **data), "training.committee.member_add")


def committee_member_remove(*, actor: Any, member: CommitteeMember) -> None:
    policy.authorize(actor, "training.manage_committee", member.committee.organisation)
    with transaction.atomic():
        audit_log(actor=actor, action="training.committee.member_remove", obj=member.committee)
        member.delete()


def committees_reached(sessions: Any) -> Any:
    """The local committees one of whose people completed one of ``sessions``."""
    return Organisation.objects.filter(
        kind=OrganisationKind.LOCAL_COMMITTEE,
        training_participants__registrations__completed=True,
        training_participants__registrations__session__in=sessions,
    ).distinct()


def registration_counts(session: Session) -> dict[str, int]:
    rows = session.registrations.values("status").annotate(n=Count("pk"))
    counts = dict.fromkeys(RegistrationStatus.values, 0)
    counts.update({row["status"]: row["n"] for row in rows})
    return counts

