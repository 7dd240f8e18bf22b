"""Valid training records for tests, the benchmark and the browser journey."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.utils import timezone

from corett.directory.models import Organisation, OrganisationKind
from corett.testing import factories
from corett.training.models import (
    Attendance,
    InstitutionType,
    Language,
    Participant,
    Programme,
    Question,
    Registration,
    RegistrationSource,
    RegistrationStatus,
    Session,
    SessionState,
    Sex,
    TestAttempt,
    TestKind,
    Topic,
)

_numbers = itertools.count(1)


def programme(**overrides: Any) -> Programme:
    partner = Organisation.objects.get_or_create(
        name="Organización Internacional para las Migraciones", defaults={"acronym": "OIM", "kind": OrganisationKind.INTERGOVERNMENTAL}
    )[0]
    fields = {
        "title_es": "Protocolo regional de repatriación", "title_en": "Regional repatriation protocol",
        # get_or_create: a transactional test (the browser's) empties the migration's topics.
        "topic": Topic.objects.get_or_create(code="repatriation_protocol",
                                             defaults={"name_es": "Protocolo de repatriación", "name_en": "The repatriation protocol"})[0],
        "audiences": ["national_commissions"],
        "objectives": "Conocer las etapas del protocolo.",
    }
    fields.update(overrides)
    obj = Programme.objects.create(**fields)
    obj.partners.add(partner)
    for language, texts in (("es", ("¿Primera etapa?", "¿Quién acompaña a un niño?")), ("en", ("First stage?", "Who escorts a child?"))):
        for position, text in enumerate(texts, start=1):
            Question.objects.create(programme=obj, language=language, position=position, text=text,
                                    choices=["A", "B", "C"], correct_choice=1)
    return obj


def session(*, iso2: str = "GT", state: str = SessionState.OPEN, days: int = 2, capacity: int = 20,
            prog: Programme | None = None, **overrides: Any) -> Session:
    today = timezone.localdate()
    fields: dict[str, Any] = {
        "programme": prog or programme(), "country": factories.country(iso2), "venue": "Ciudad de Guatemala",
        "starts_on": today, "ends_on": today + dt.timedelta(days=days - 1), "capacity": capacity,
        "language": Language.SPANISH, "state": state,
    }
    fields.update(overrides)
    obj = Session(**fields)
    obj.full_clean()
    obj.save()
    return obj


def participant_data(iso2: str = "GT", **overrides: Any) -> dict[str, Any]:
    n = next(_numbers)
    data = {
        "full_name": f"Participante {n}", "email": f"participante{n}@example.org", "institution": "Municipalidad",
        "institution_type": InstitutionType.LOCAL_COMMITTEE, "country": factories.country(iso2), "position": "Técnica",
        "sex": Sex.FEMALE, "consent_to_contact": False,
    }
    data.update(overrides)
    return data


def registration(sess: Session, *, status: str = RegistrationStatus.CONFIRMED, **data: Any) -> Registration:
    participant = Participant.objects.create(**participant_data(**data))
    return Registration.objects.create(session=sess, participant=participant, status=status,
                                       source=RegistrationSource.ORGANISER)


def completed(reg: Registration, *, pre: int = 50, post: int = 100) -> Registration:
    """Attendance every day and both tests, as a participant who completed the session."""
    for day in reg.session.days:
        Attendance.objects.get_or_create(registration=reg, day=day, defaults={"method": Attendance.Method.LIST})
    for kind, percent in ((TestKind.PRE, pre), (TestKind.POST, post)):
        TestAttempt.objects.get_or_create(registration=reg, kind=kind, defaults={
            "language": "es", "answers": {}, "score": percent // 50, "total": 2, "percent": percent})
    return reg
