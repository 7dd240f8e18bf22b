"""Learning: the pre- and post-test (multiple choice, scored here) and the satisfaction survey.

The participant answers through their personal link (they have no account). The pre-test is
open while the session is open for registration or running; the post-test only while it runs:
once the session is completed its results are final, and so are the certificates built on them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Avg, OuterRef, Subquery
from django.utils.translation import gettext as _

from corett.audit.services import audit_log
from corett.training.models import (
    Question,
    Registration,
    RegistrationStatus,
    SessionState,
    SurveyResponse,
    TestAttempt,
    TestKind,
)

OPEN_FOR = {
    TestKind.PRE: (SessionState.OPEN, SessionState.RUNNING),
    TestKind.POST: (SessionState.RUNNING,),
}


def questions_for(registration: Registration, language: str) -> list[Question]:
    """The programme's bank in ``language``, or in the other language when it has none."""
    bank = list(Question.objects.filter(programme_id=registration.session.programme_id).order_by("position", "pk"))
    chosen = [q for q in bank if q.language == language]
    if chosen:
        return chosen
    return [q for q in bank if q.language == registration.session.language] or bank


def test_is_open(registration: Registration, kind: str) -> bool:
    return (
        registration.status == RegistrationStatus.CONFIRMED
        and registration.session.state in OPEN_FOR[TestKind(kind)]
        and not registration.test_attempts.filter(kind=kind).exists()
    )


def test_submit(*, registration: Registration, kind: str, language: str, answers: Mapping[int, int]) -> TestAttempt:
    """Score and store one attempt (one per test and registration)."""
    if kind not in TestKind.values:
        raise ValidationError(_("Unknown test."))
    if registration.status != RegistrationStatus.CONFIRMED:
        raise ValidationError(_("Only confirmed participants take the tests."))
    registration.session.refresh_from_db(fields=["state"])
    if registration.session.state not in OPEN_FOR[TestKind(kind)]:
        raise ValidationError(_("This test is closed: the session has moved on, and answers are no longer accepted."))
    questions = questions_for(registration, language)
    if not questions:
        raise ValidationError(_("This programme has no questions yet."))
    missing = [q for q in questions if q.pk not in answers]
    if missing:
        raise ValidationError(_("Answer every question."))
    if any(not 0 <= answers[q.pk] < len(q.choices) for q in questions):
        raise ValidationError(_("An answer is not one of the choices given."))
    score = sum(1 for q in questions if answers[q.pk] == q.correct_choice)
    attempt = TestAttempt(
        registration=registration, kind=kind, language=questions[0].language,
        answers={str(q.pk): answers[q.pk] for q in questions},
        score=score, total=len(questions), percent=round(100 * score / len(questions)),
    )
    try:
        with transaction.atomic():
            attempt.save()
            audit_log(actor=None, username="participant", action="training.test.submit", obj=registration.session,
                      extra={"registration": registration.pk, "kind": kind})
    except IntegrityError as error:
        raise ValidationError(_("You have already taken this test.")) from error
    return attempt


def survey_is_open(registration: Registration) -> bool:
    return (
        registration.status == RegistrationStatus.CONFIRMED
        and registration.session.state in (SessionState.RUNNING, SessionState.COMPLETED)
        and not SurveyResponse.objects.filter(registration=registration).exists()
    )


def survey_submit(*, registration: Registration, data: Mapping[str, Any]) -> SurveyResponse:
    if not survey_is_open(registration):
        raise ValidationError(_("The survey of this session is closed, or you have already answered it."))
    response = SurveyResponse(registration=registration, **data)
    response.full_clean()
    try:
        with transaction.atomic():
            response.save()
    except IntegrityError as error:
        raise ValidationError(_("The survey of this session is closed, or you have already answered it.")) from error
    return response


def knowledge_gain(registrations: Any) -> dict[str, float | int | None]:
    """Mean pre- and post-test scores (%) of those who took both, and the gain in points."""
    pre = TestAttempt.objects.filter(registration__in=registrations, kind=TestKind.PRE)
    pre_percent = TestAttempt.objects.filter(registration=OuterRef("registration"), kind=TestKind.PRE).values("percent")[:1]
    pairs = (
        TestAttempt.objects.filter(registration__in=registrations, kind=TestKind.POST)
        .annotate(pre_percent=Subquery(pre_percent))
        .filter(pre_percent__isnull=False)
    )
    stats = pairs.aggregate(post=Avg("percent"), pre=Avg("pre_percent"))
    people = pairs.count()
    if not people:
        return {"people": 0, "pre": None, "post": None, "gain": None, "pre_takers": pre.count()}
    pre_mean, post_mean = float(stats["pre"]), float(stats["post"])
    return {"people": people, "pre": round(pre_mean, 1), "post": round(post_mean, 1),
            "gain": round(post_mean - pre_mean, 1), "pre_takers": pre.count()}
