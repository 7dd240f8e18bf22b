"""Demo training data: a regional programme on the repatriation protocol (agreement F of plenary
III-2022, with IOM and SICA) and its sessions in three countries, in several states:

- Guatemala: reported; attendance, both tests, survey answers, certificates (one revoked);
- Honduras: completed; certificates issued for most, a few still waiting to be issued;
- El Salvador: open for registration; confirmed, pending and waiting-list registrations;
- Panama: a second programme's session, planned.

Everything goes through the services, as a user would. Idempotent: nothing is added once the
programme exists. The participants are invented (names from lists, e-mails at .invalid).
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.utils import timezone

from corett.accounts.models import User
from corett.directory.models import Country, Organisation, OrganisationKind
from corett.training import certificates, learning, services
from corett.training.models import (
    Audience,
    InstitutionType,
    Programme,
    Registration,
    SessionState,
    Sex,
    TestKind,
    Topic,
)

TITLE_ES = "Protocolo regional de repatriación de víctimas de trata"
TITLE_EN = "Regional protocol for the repatriation of trafficking victims"

QUESTIONS = [
    ("¿Quién presenta la solicitud formal de repatriación?", ["La víctima", "El punto focal del país de destino", "Un socio financiador"],
     "Who makes the formal repatriation request?", ["The victim", "The destination country's focal point", "A funding partner"], 1),
    ("¿Cómo se trata a una persona de edad incierta?", ["Como adulta", "Como niña, niño o adolescente hasta verificar su edad", "Según su documento"],
     "How is a person of uncertain age treated?", ["As an adult", "As a child until the age is verified", "As their document says"], 1),
    ("¿Cuándo se repatría a un niño?", ["Siempre", "Solo si una determinación del interés superior lo respalda", "Cuando lo pide el consulado"],
     "When is a child repatriated?", ["Always", "Only if a best-interests determination supports it", "When the consulate asks"], 1),
    ("¿Qué se firma en la entrega?", ["Un acta de entrega", "Nada", "Un pasaporte"],
     "What is signed at the handover?", ["A handover record", "Nothing", "A passport"], 0),
    ("¿Qué sigue al retorno?", ["El cierre inmediato", "Un plan de reintegración con seguimientos", "Una multa"],
     "What follows the return?", ["Immediate closure", "A reintegration plan with follow-ups", "A fine"], 1),
]

FIRST = ["María", "José", "Ana", "Luis", "Carmen", "Jorge", "Rosa", "Carlos", "Lucía", "Miguel", "Elena", "Pedro",
         "Sofía", "Andrés", "Gabriela", "Mario", "Patricia", "Óscar", "Claudia", "Fernando"]
LAST = ["López", "García", "Hernández", "Martínez", "Pérez", "Ramírez", "Castillo", "Morales", "Reyes", "Flores",
        "Cruz", "Mejía", "Rivera", "Vásquez", "Orellana", "Duarte"]

COMMITTEES = {
    "GT": [("Comité Municipal contra la Trata de Quetzaltenango", "Quetzaltenango", "Quetzaltenango"),
           ("Comité Municipal contra la Trata de Tecún Umán", "Ayutla", "San Marcos")],
    "HN": [("Comité Local contra la Trata de Choloma", "Choloma", "Cortés")],
    "SV": [("Comité Local de Prevención de la Trata de Santa Ana", "Santa Ana", "Santa Ana")],
}

_names = itertools.count()


def _person(country: Country, committee: Organisation | None, n: int) -> dict[str, Any]:
    i = next(_names)
    first, last = FIRST[i % len(FIRST)], LAST[(i * 7) % len(LAST)]
    kind = InstitutionType.LOCAL_COMMITTEE if committee and n % 3 == 0 else [
        InstitutionType.NATIONAL_COMMISSION, InstitutionType.POLICE, InstitutionType.PROSECUTION,
        InstitutionType.CONSULATE, InstitutionType.NGO][n % 5]
    return {
        "full_name": f"{first} {last} {LAST[(i * 3 + 5) % len(LAST)]}",
        "email": f"participante{i:03d}.{country.iso2.lower()}@demo.corett.invalid",
        "institution": committee.name if kind == InstitutionType.LOCAL_COMMITTEE and committee else str(kind.label),
        "institution_type": kind, "organisation": committee if kind == InstitutionType.LOCAL_COMMITTEE else None,
        "country": country, "position": "Técnica" if n % 2 else "Coordinador",
        "sex": Sex.FEMALE if n % 5 in (0, 2, 3) else Sex.MALE, "consent_to_contact": n % 4 != 0,
    }


def _committees(actor: User) -> dict[str, list[Organisation]]:
    made: dict[str, list[Organisation]] = {}
    for iso2, rows in COMMITTEES.items():
        country = Country.objects.get(iso2=iso2)
        for name, municipality, department in rows:
            org, _ = Organisation.objects.get_or_create(
                name=name, defaults={"kind": OrganisationKind.LOCAL_COMMITTEE, "country": country, "languages": ["es"]},
            )
            if not hasattr(org, "committee_profile"):
                profile = services.committee_profile_save(actor=actor, committee=org,
                                                          data={"municipality": municipality, "department": department})
                for k in range(3):
                    services.committee_member_add(actor=actor, profile=profile, data={
                        "full_name": f"{FIRST[(k * 5) % len(FIRST)]} {LAST[(k * 11 + len(name)) % len(LAST)]}",
                        "institution": ["Municipalidad", "Procuraduría", "Centro de salud"][k], "position": "Integrante"})
            made.setdefault(iso2, []).append(org)
    return made


def _programme(actor: User) -> Programme:
    partners = list(Organisation.objects.filter(acronym__in=["OIM", "SG-SICA", "OUR"]))
    programme = services.programme_create(actor=actor, data={
        "title_es": TITLE_ES, "title_en": TITLE_EN, "topic": Topic.objects.get(code="repatriation_protocol"),
        "audiences": [Audience.NATIONAL_COMMISSIONS, Audience.LOCAL_COMMITTEES, Audience.CONSULAR_STAFF],
        "objectives": "Conocer las diez etapas del protocolo regional.\nAplicar el interés superior de la niñez.\n"
                      "Coordinar la entrega y la reintegración con el país de origen.",
        "partners": partners, "min_attendance_percent": 80, "requires_post_test": True, "pass_mark_percent": 60,
    })
    for q_es, c_es, q_en, c_en, correct in QUESTIONS:
        services.question_add(actor=actor, programme=programme, data={"language": "es", "text": q_es, "choices": c_es, "correct_choice": correct})
        services.question_add(actor=actor, programme=programme, data={"language": "en", "text": q_en, "choices": c_en, "correct_choice": correct})
    services.material_add(actor=actor, programme=programme, data={
        "title": "Protocolo regional de repatriación (texto)", "url": "https://www.iom.int/", "language": "es"})
    return programme


def _answers(registration: Registration, kind: str, right: int) -> dict[int, int]:
    questions = learning.questions_for(registration, "es")
    return {q.pk: (q.correct_choice if i < right else (q.correct_choice + 1) % len(q.choices)) for i, q in enumerate(questions)}


def _run(actor: User, session: Any, people: int, committees: list[Organisation], *, absent_every: int) -> list[Registration]:
    """Register, open, run (attendance, tests, survey) and complete a session."""
    services.session_transition(actor=actor, session=session, state=SessionState.OPEN)
    registrations = [
        services.register_by_organiser(actor=actor, session=session, data=_person(session.country, committees[n % len(committees)], n))
        for n in range(people)
    ]
    for n, registration in enumerate(registrations):
        learning.test_submit(registration=registration, kind=TestKind.PRE, language="es", answers=_answers(registration, "pre", 1 + n % 3))
    services.session_transition(actor=actor, session=session, state=SessionState.RUNNING)
    for d, day in enumerate(session.days):
        present = [r.pk for n, r in enumerate(registrations) if not (absent_every and n % absent_every == 0 and d > 0)]
        services.attendance_record(actor=actor, session=session, day=day, present=present)
    for n, registration in enumerate(registrations):
        learning.test_submit(registration=registration, kind=TestKind.POST, language="es", answers=_answers(registration, "post", 3 + n % 3))
        if n % 2 == 0:
            learning.survey_submit(registration=registration, data={"overall": 4 + n % 2, "relevance": 5, "trainers": 4, "comments": ""})
    services.session_transition(actor=actor, session=session, state=SessionState.COMPLETED)
    return registrations


def seed(accounts: dict[str, Any]) -> None:
    if Programme.objects.filter(title_es=TITLE_ES).exists():
        return
    actor = User.objects.get(username="secretariat")
    trainer = User.objects.filter(username="trainer").first()
    committees = _committees(actor)
    programme = _programme(actor)
    today = timezone.localdate()
    trainers = [trainer] if trainer else []

    def session(iso2: str, start: dt.date, days: int, venue: str, capacity: int) -> Any:
        country = Country.objects.get(iso2=iso2)
        return services.session_create(actor=actor, data={
            "programme": programme, "country": country, "venue": venue, "modality": "in_person",
            "starts_on": start, "ends_on": start + dt.timedelta(days=days - 1), "language": "es", "capacity": capacity,
            "waiting_list": True, "trainers": trainers, "target_committees": committees.get(iso2, []),
        })

    # The session dates are in the past, but attendance is taken "while running": the services
    # accept any day of a running session, so the history is built in order.
    guatemala = session("GT", today - dt.timedelta(days=120), 3, "Ciudad de Guatemala, sede de la SVET", 25)
    _run(actor, guatemala, 14, committees["GT"], absent_every=6)
    issued = certificates.certificates_issue_batch(actor=actor, session=guatemala, language="es")
    certificates.certificate_revoke(actor=actor, certificate=issued[-1], reason="Emitido con el nombre mal escrito; se reemitirá.")
    services.session_transition(actor=actor, session=guatemala, state=SessionState.REPORTED,
                                note="Tres días con comisiones y comités locales; ganancia de conocimiento notable.")

    honduras = session("HN", today - dt.timedelta(days=30), 2, "San Pedro Sula, Cámara de Comercio", 20)
    done = _run(actor, honduras, 10, committees["HN"], absent_every=0)
    for registration in [r for r in done if Registration.objects.get(pk=r.pk).completed][:6]:
        certificates.certificate_issue(actor=actor, registration=registration, language="es")

    salvador = session("SV", today + dt.timedelta(days=21), 2, "San Salvador, Cancillería", 3)
    services.session_transition(actor=actor, session=salvador, state=SessionState.OPEN)
    for n in range(4):  # three places: the fourth waits
        services.register_by_organiser(actor=actor, session=salvador, data=_person(salvador.country, committees["SV"][0], n))
    for n in range(2):
        services.register_through_link(session=salvador, data=_person(salvador.country, committees["SV"][0], n + 10))

    prevention = services.programme_create(actor=actor, data={
        "title_es": "Estrategias de prevención de la trata en el ámbito local",
        "title_en": "Local strategies for preventing trafficking",
        "topic": Topic.objects.get(code="prevention"), "audiences": [Audience.LOCAL_COMMITTEES],
        "objectives": "Diseñar un plan local de prevención.", "partners": list(Organisation.objects.filter(acronym="UNODC")),
    })
    services.session_create(actor=actor, data={
        "programme": prevention, "country": Country.objects.get(iso2="PA"), "venue": "Ciudad de Panamá", "modality": "hybrid",
        "starts_on": today + dt.timedelta(days=60), "ends_on": today + dt.timedelta(days=60), "language": "es", "capacity": 40,
    })
