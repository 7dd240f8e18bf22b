"""The workflows: capacity, waiting list, approval, attendance, tests, completion, certificates."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from corett.audit.models import AuditEntry
from corett.training import certificates, codes, learning, services
from corett.training.models import (
    Attendance,
    Certificate,
    Participant,
    Registration,
    RegistrationStatus,
    SessionState,
    TestKind,
)
from corett.training.public import public_events
from corett.training.tests import builders

pytestmark = pytest.mark.django_db


def test_the_organiser_fills_the_places_then_the_waiting_list(trainer_gt):
    session = builders.session(capacity=1)
    first = services.register_by_organiser(actor=trainer_gt, session=session, data=builders.participant_data())
    second = services.register_by_organiser(actor=trainer_gt, session=session, data=builders.participant_data())
    assert (first.status, second.status) == (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)


def test_registration_over_capacity_without_a_waiting_list_is_refused_and_nothing_is_saved(trainer_gt):
    session = builders.session(capacity=1, waiting_list=False)
    services.register_by_organiser(actor=trainer_gt, session=session, data=builders.participant_data())
    people = Participant.objects.count()
    with pytest.raises(ValidationError, match="The session is full"):
        services.register_by_organiser(actor=trainer_gt, session=session, data=builders.participant_data())
    assert Participant.objects.count() == people
    assert session.registrations.count() == 1


def test_registering_the_same_person_twice_is_refused_at_the_email(trainer_gt):
    session = builders.session()
    data = builders.participant_data()
    services.register_by_organiser(actor=trainer_gt, session=session, data=data)
    with pytest.raises(ValidationError) as error:
        services.register_by_organiser(actor=trainer_gt, session=session, data={**data, "email": data["email"].upper()})
    assert "already registered" in str(error.value.message_dict["email"])


def test_a_person_in_several_sessions_is_one_participant_and_keeps_their_record(trainer_gt):
    data = builders.participant_data()
    services.register_by_organiser(actor=trainer_gt, session=builders.session(), data=data)
    services.register_by_organiser(actor=trainer_gt, session=builders.session(), data={**data, "full_name": "Otro Nombre"})
    assert Participant.objects.filter(email=data["email"]).get().full_name == data["full_name"]


def test_the_link_registers_for_approval_only_while_the_session_is_open():
    session = builders.session()
    registration = services.register_through_link(session=session, data=builders.participant_data())
    assert registration.status == RegistrationStatus.PENDING
    session.state = SessionState.RUNNING
    session.save()
    with pytest.raises(ValidationError, match="closed"):
        services.register_through_link(session=session, data=builders.participant_data())


def test_approval_confirms_while_places_last_and_cancelling_promotes_the_waiting_list(trainer_gt):
    session = builders.session(capacity=1)
    first = services.register_through_link(session=session, data=builders.participant_data())
    second = services.register_through_link(session=session, data=builders.participant_data())
    services.registration_approve(actor=trainer_gt, registration=first)
    services.registration_approve(actor=trainer_gt, registration=second)
    second.refresh_from_db()
    assert second.status == RegistrationStatus.WAITLISTED
    services.registration_cancel(actor=trainer_gt, registration=first)
    second.refresh_from_db()
    assert second.status == RegistrationStatus.CONFIRMED


def test_another_countrys_focal_point_cannot_register_people(focal_hn):
    with pytest.raises(PermissionDenied):
        services.register_by_organiser(actor=focal_hn, session=builders.session(), data=builders.participant_data())


def test_attendance_for_someone_not_registered_is_refused_and_nothing_is_recorded(trainer_gt):
    session = builders.session(state=SessionState.RUNNING)
    mine = builders.registration(session)
    other = builders.registration(builders.session())
    pending = builders.registration(session, status=RegistrationStatus.PENDING)
    for intruder in (other, pending):
        with pytest.raises(ValidationError, match="not registered"):
            services.attendance_record(actor=trainer_gt, session=session, day=session.starts_on, present=[mine.pk, intruder.pk])
    assert not Attendance.objects.exists()


def test_the_tick_list_is_exactly_who_attended_that_day(trainer_gt):
    session = builders.session(state=SessionState.RUNNING)
    a, b = builders.registration(session), builders.registration(session)
    services.attendance_record(actor=trainer_gt, session=session, day=session.starts_on, present=[a.pk, b.pk])
    services.attendance_record(actor=trainer_gt, session=session, day=session.starts_on, present=[b.pk])
    assert list(Attendance.objects.values_list("registration_id", flat=True)) == [b.pk]


def test_attendance_is_refused_on_a_day_outside_the_session_or_before_it_runs(trainer_gt):
    session = builders.session(state=SessionState.RUNNING)
    reg = builders.registration(session)
    with pytest.raises(ValidationError, match="not one of the session's days"):
        services.attendance_record(actor=trainer_gt, session=session, day=session.ends_on + dt.timedelta(days=1), present=[reg.pk])
    session.state = SessionState.OPEN
    with pytest.raises(ValidationError, match="while the session is running"):
        services.attendance_record(actor=trainer_gt, session=session, day=session.starts_on, present=[reg.pk])


def test_a_participant_checks_in_with_todays_code_only():
    session = builders.session(state=SessionState.RUNNING)
    reg = builders.registration(session)
    today = timezone.localdate()
    wrong = "000000" if session.check_in_code(today) != "000000" else "111111"
    with pytest.raises(ValidationError, match="not today's check-in code"):
        services.attendance_check_in(registration=reg, code=wrong, today=today)
    services.attendance_check_in(registration=reg, code=session.check_in_code(today), today=today)
    services.attendance_check_in(registration=reg, code=session.check_in_code(today), today=today)
    assert reg.attendances.count() == 1


def test_tests_are_scored_and_a_test_after_the_session_closed_is_refused():
    session = builders.session(state=SessionState.RUNNING)
    reg = builders.registration(session)
    questions = learning.questions_for(reg, "en")
    assert [q.language for q in questions] == ["en", "en"]
    attempt = learning.test_submit(registration=reg, kind=TestKind.POST, language="en",
                                   answers={questions[0].pk: 1, questions[1].pk: 0})
    assert (attempt.score, attempt.total, attempt.percent) == (1, 2, 50)
    with pytest.raises(ValidationError, match="already taken"):
        learning.test_submit(registration=reg, kind=TestKind.POST, language="en", answers={q.pk: 1 for q in questions})
    late = builders.registration(session)
    session.state = SessionState.COMPLETED
    session.save()
    with pytest.raises(ValidationError, match="closed"):
        learning.test_submit(registration=late, kind=TestKind.POST, language="es", answers={q.pk: 1 for q in questions})
    assert not late.test_attempts.exists()


def test_a_test_with_unanswered_or_invented_answers_is_refused():
    session = builders.session(state=SessionState.RUNNING)
    reg = builders.registration(session)
    questions = learning.questions_for(reg, "es")
    with pytest.raises(ValidationError, match="Answer every question"):
        learning.test_submit(registration=reg, kind=TestKind.PRE, language="es", answers={questions[0].pk: 1})
    with pytest.raises(ValidationError, match="not one of the choices"):
        learning.test_submit(registration=reg, kind=TestKind.PRE, language="es", answers={q.pk: 7 for q in questions})


def test_completing_the_session_applies_the_programmes_rules(trainer_gt):
    session = builders.session(state=SessionState.RUNNING, days=5)
    full = builders.completed(builders.registration(session))
    failed_test = builders.completed(builders.registration(session), post=50)
    absent = builders.registration(session)
    builders.completed(absent)
    absent.attendances.filter(day__in=session.days[:2]).delete()  # 3 of 5 days: 60 % < 80 %
    services.session_transition(actor=trainer_gt, session=session, state=SessionState.COMPLETED)
    done = set(Registration.objects.filter(completed=True).values_list("pk", flat=True))
    assert done == {full.pk}
    assert failed_test.pk not in done


def test_session_states_follow_the_workflow_and_reporting_needs_a_report(trainer_gt):
    session = builders.session(state=SessionState.PLANNED)
    with pytest.raises(ValidationError, match="cannot go from"):
        services.session_transition(actor=trainer_gt, session=session, state=SessionState.COMPLETED)
    for state in (SessionState.OPEN, SessionState.RUNNING, SessionState.COMPLETED):
        services.session_transition(actor=trainer_gt, session=session, state=state)
    with pytest.raises(ValidationError, match="report"):
        services.session_transition(actor=trainer_gt, session=session, state=SessionState.REPORTED)
    services.session_transition(actor=trainer_gt, session=session, state=SessionState.REPORTED, note="Todo bien.")
    assert session.state == SessionState.REPORTED


def _finished_session(trainer, people: int = 3):
    session = builders.session(state=SessionState.RUNNING)
    regs = [builders.completed(builders.registration(session)) for _ in range(people)]
    services.session_transition(actor=trainer, session=session, state=SessionState.COMPLETED)
    return session, regs


def test_batch_issuing_gives_each_completer_one_certificate_with_one_audit_entry(trainer_gt):
    session, regs = _finished_session(trainer_gt)
    before = AuditEntry.objects.count()
    issued = certificates.certificates_issue_batch(actor=trainer_gt, session=session, language="en")
    assert len(issued) == 3 and AuditEntry.objects.count() == before + 1
    assert {c.programme_title for c in issued} == {"Regional repatriation protocol"}
    assert issued[0].partners == ["Organización Internacional para las Migraciones"]
    with pytest.raises(ValidationError, match="Nobody is waiting"):
        certificates.certificates_issue_batch(actor=trainer_gt, session=session, language="en")
    with pytest.raises(ValidationError, match="already issued"):
        certificates.certificate_issue(actor=trainer_gt, registration=regs[0], language="es")


def test_no_certificate_before_completion_or_for_someone_who_did_not_complete(trainer_gt):
    session = builders.session(state=SessionState.RUNNING)
    reg = builders.completed(builders.registration(session))
    with pytest.raises(ValidationError, match="once the session is completed"):
        certificates.certificate_issue(actor=trainer_gt, registration=reg, language="es")
    absent = builders.registration(session)
    services.session_transition(actor=trainer_gt, session=session, state=SessionState.COMPLETED)
    with pytest.raises(ValidationError, match="did not complete"):
        certificates.certificate_issue(actor=trainer_gt, registration=absent, language="es")
    assert not Certificate.objects.filter(registration=absent).exists()


def test_verification_tells_mistyped_from_unknown_and_shows_revocation(trainer_gt):
    _session, (reg, *_) = _finished_session(trainer_gt, people=1)
    certificate = certificates.certificate_issue(actor=trainer_gt, registration=reg, language="es")
    typed = certificate.display_code.lower().replace("-", " ")
    assert certificates.find_certificate(typed) == certificate
    mistyped = certificate.code[:-1] + ("0" if certificate.code[-1] != "0" else "1")
    with pytest.raises(certificates.CodeError) as error:
        certificates.find_certificate(mistyped)
    assert error.value.code == "mistyped"
    forged = codes.new_verification_code()
    with pytest.raises(certificates.CodeError) as error:
        certificates.find_certificate(forged)
    assert error.value.code == "unknown"
    with pytest.raises(ValidationError, match="reason"):
        certificates.certificate_revoke(actor=trainer_gt, certificate=certificate, reason="  ")
    certificates.certificate_revoke(actor=trainer_gt, certificate=certificate, reason="Datos erróneos")
    assert certificates.public_facts(certificate)["status"] == "revoked"
    assert set(certificates.public_facts(certificate)) == {"code", "status", "holder", "programme", "date", "issuer", "revoked_on"}


@pytest.mark.parametrize("body", ["0" * 11, "Y" * 11, "0Y" * 5 + "0", "7KQ2M9XA4TB"])
def test_the_check_character_catches_every_single_substitution_and_neighbour_swap(body):
    code = body + codes._check_character(body)
    assert codes.normalise(code) == code
    for i in range(len(code)):
        for char in codes.ALPHABET:
            if char != code[i]:
                assert codes.normalise(code[:i] + char + code[i + 1:]) is None
        if i + 1 < len(code) and code[i] != code[i + 1]:
            swapped = code[:i] + code[i + 1] + code[i] + code[i + 2:]
            assert codes.normalise(swapped) is None


def test_people_trained_counts_each_person_once_by_country_and_dates(trainer_gt):
    session, regs = _finished_session(trainer_gt, people=2)
    again = builders.session(state=SessionState.RUNNING)
    twice = Registration.objects.create(session=again, participant=regs[0].participant, status="confirmed", source="organiser")
    builders.completed(twice)
    services.session_transition(actor=trainer_gt, session=again, state=SessionState.COMPLETED)
    assert services.people_trained() == 2
    assert services.people_trained(country_iso3="GTM") == 2
    assert services.people_trained(country_iso3="HND") == 0
    assert services.people_trained(end=session.ends_on - dt.timedelta(days=1)) == 0


def test_public_events_list_announced_sessions_without_people():
    builders.session(state=SessionState.PLANNED)
    shown = builders.session(state=SessionState.OPEN)
    builders.session(state=SessionState.CANCELLED)
    events = public_events()
    assert [e["uid"] for e in events] == [f"training-session-{shown.pk}@corett"]
    assert set(events[0]) == {"uid", "title_es", "title_en", "starts_on", "ends_on", "place", "kind"}


def test_merging_confirmed_duplicates_moves_their_sessions(secretariat_user):
    a = builders.registration(builders.session(), full_name="Ana Pérez", email="")
    b = builders.registration(builders.session(), full_name="Ana Pérez", email="ana@example.org")
    keep = services.participant_merge(actor=secretariat_user, keep=a.participant, duplicate=b.participant)
    assert keep.registrations.count() == 2 and keep.email == "ana@example.org"
    assert Participant.objects.count() == 1


def test_no_personal_data_enters_the_audit_trail(trainer_gt):
    data = builders.participant_data(full_name="Nombre Secreto", email="secreto@example.org")
    services.register_by_organiser(actor=trainer_gt, session=builders.session(), data=data)
    for entry in AuditEntry.objects.all():
        text = repr(entry.extra) + repr(entry.changed_fields)
        assert "Secreto" not in text and "secreto@" not in text


def test_the_trainers_are_told_of_link_registrations_once_a_day_without_names(trainer_gt):
    from corett.notifications.models import Notification

    session = builders.session()
    session.trainers.add(trainer_gt)
    for _ in range(3):
        services.register_through_link(session=session, data=builders.participant_data(full_name="Nombre Reservado"))
    notes = list(Notification.objects.filter(recipient=trainer_gt))
    assert len(notes) == 1 and notes[0].kind == "training.registrations_pending"
    assert "Reservado" not in repr(notes[0].params)
