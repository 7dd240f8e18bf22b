"""Valid meetings records for the tests, built through the services (as the platform does)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from corett.accounts.roles import Role
from corett.directory.models import Organisation, OrganisationKind
from corett.meetings import services
from corett.meetings.models import (
    ActorKind,
    Agreement,
    FollowUpUpdate,
    ImplementationState,
    Meeting,
    MeetingState,
    Mou,
    ResponsibleActor,
)
from corett.testing import factories


def secretariat() -> Any:
    from corett.accounts.models import User

    existing = User.objects.filter(username="meetings-secretariat").first()
    return existing or factories.user_with(Role.SECRETARIAT, None, username="meetings-secretariat")


def meeting(*, actor: Any | None = None, starts_on: dt.date = dt.date(2022, 9, 5), days: int = 2,
            state: str = MeetingState.DRAFT, **extra: Any) -> Meeting:
    actor = actor or secretariat()
    data = {"kind": "ordinary", "title_es": "Reunión plenaria", "title_en": "Plenary meeting",
            "modality": "in_person", "host_country": factories.country("SV"), "city": "San Salvador",
            "starts_on": starts_on, "ends_on": starts_on + dt.timedelta(days=days - 1), **extra}
    created = services.meeting_create(actor=actor, data=data)
    steps: dict[str, list[str]] = {"convened": ["convened"], "held": ["convened", "held"]}
    path = steps.get(state, [])
    for step in path:
        created = services.meeting_transition(actor=actor, meeting=created, to_state=step)
    return created


def agreement(meeting_: Meeting, letter: str = "A", *, actor: Any | None = None, adopted: bool = True,
              country: str | None = "GT", due_on: dt.date | None = dt.date(2023, 6, 30)) -> Agreement:
    actor = actor or secretariat()
    created = services.agreement_create(actor=actor, meeting=meeting_, data={
        "letter": letter, "title_es": f"Acuerdo {letter}", "title_en": f"Agreement {letter}",
        "text_es": f"Texto del acuerdo {letter}.", "text_en": f"Text of agreement {letter}."})
    if country:
        services.actor_add(actor=actor, agreement=created, data={
            "kind": ActorKind.COUNTRY, "country": factories.country(country), "role": "lead", "due_on": due_on})
    if adopted:
        created = services.agreement_decide(actor=actor, agreement=created, adoption_state="adopted")
    return created


def country_actor(agreement_: Agreement, iso2: str = "GT") -> ResponsibleActor:
    return agreement_.actors.get(kind=ActorKind.COUNTRY, country__iso2=iso2)


def update(agreement_: Agreement, author: Any, *, percent: int = 40, submit: bool = True) -> FollowUpUpdate:
    created = services.update_create(actor=author, agreement=agreement_, data={
        "actor": country_actor(agreement_, author.country.iso2), "narrative": "Se avanzó en la tarea.",
        "percent_done": percent})
    if submit:
        created = services.update_submit(actor=author, update=created)
    return created


def partner(name: str = "Operation Underground Railroad", acronym: str = "OUR") -> Organisation:
    org, _ = Organisation.objects.get_or_create(name=name, defaults={"acronym": acronym, "kind": OrganisationKind.PARTNER_NGO})
    return org


def mou(*, actor: Any | None = None, code: str = "MDE-2022-01", party: Organisation | None = None,
        authorised_by: Agreement | None = None) -> Mou:
    actor = actor or secretariat()
    created = services.mou_create(actor=actor, data={
        "code": code, "title_es": "MdE con OUR", "title_en": "MoU with OUR", "purpose": "Repatriación de víctimas.",
        "authorised_by": authorised_by})
    services.mou_party_add(actor=actor, mou=created, data={"organisation": party or partner()})
    return created


@dataclass
class Plenary:
    meeting: Meeting
    agreement: Agreement
    update: FollowUpUpdate
    mou: Mou
    secretariat: Any
    focal: Any


def held_plenary(focal: Any) -> Plenary:
    staff = secretariat()
    m = meeting(actor=staff, state=MeetingState.HELD)
    a = agreement(m, "A", actor=staff)
    u = update(a, focal)
    return Plenary(m, a, u, mou(actor=staff, authorised_by=a), staff, focal)


__all__ = ["ImplementationState", "held_plenary"]
