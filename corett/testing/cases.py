"""Repatriation cases in any stage of the protocol, built the way people build them: through
``corett.cases.services``, with the consents, approvals, people and funding each step needs.

    case = case_in_stage(Stage.FUNDED)                      # a Honduran child in Guatemala
    case = case_in_stage(Stage.CLOSED, child=False, destination="SV", origin="GT")
    actors = case_actors("GT", "HN")                         # who built it, to act on it next

Nothing here takes a pytest fixture: the users are made (once per country pair) with the
factories, so any test, the benchmark or a shell can call it. Each step satisfies only the
guards of the transitions on the way, right before each transition, so a case in stage S has
what reaching S required and nothing more: the guards of the next step are still open (except
those an earlier step shares, such as the guardian). ``satisfy()`` closes one guard at a time.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from corett.accounts.models import User
from corett.accounts.roles import Role
from corett.cases import protocol, services
from corett.cases.models import (
    ApprovalKind,
    Case,
    ConsentGivenBy,
    ConsentPurpose,
    FundingRequest,
    FundingState,
    RelatedRole,
    Sex,
    Stage,
)
from corett.cases.vocabularies import StatusDecidedBy
from corett.directory.models import Organisation, OrganisationKind, Person

# corett.testing.factories is imported by the functions that make users, countries and people:
# the demo (corett.demo.cases) walks its cases through this module's steps on an install
# without the test dependencies (factory-boy), and brings its own people.

PARTNER_NAME = "Operation Underground Railroad (test)"


@dataclass(frozen=True)
class CaseActors:
    """The people around a case between two countries."""

    worker: User  # case worker of the destination country (owns the case)
    supervisor: User  # case supervisor of the destination country (decides approvals)
    origin_worker: User  # case worker of the country of origin
    origin_supervisor: User
    partner: User  # staff of the funding partner
    partner_organisation: Organisation
    origin_contact: Person  # named by the origin when it accepts
    origin_alternate: Person

    def for_side(self, side: str) -> User:
        return self.worker if side == protocol.DESTINATION else self.origin_worker


def _user(role: str, iso2: str | None, username: str, organisation: Organisation | None = None) -> User:
    from corett.testing import factories

    user = User.objects.filter(username=username).first()
    if user is not None:
        return user
    if organisation is not None:
        return factories.UserFactory.create(username=username, organisation=organisation, roles=[role])
    return factories.user_with(role, iso2, username=username)


def partner_organisation() -> Organisation:
    organisation, _created = Organisation.objects.get_or_create(
        name=PARTNER_NAME,
        defaults={"kind": OrganisationKind.PARTNER_NGO, "acronym": "OUR", "country": None},
    )
    return organisation


def case_actors(destination: str = "GT", origin: str = "HN") -> CaseActors:
    """The users and contacts for cases from ``destination`` to ``origin`` (made once, reused)."""
    from corett.testing import factories

    dst, org = destination.lower(), origin.lower()
    partner_org = partner_organisation()
    origin_country = factories.country(origin)
    origin_office, _created = Organisation.objects.get_or_create(
        name=f"Dirección de niñez {origin}",
        defaults={"kind": OrganisationKind.GOVERNMENT_INSTITUTION, "country": origin_country},
    )
    contacts = list(Person.objects.filter(organisation=origin_office).order_by("pk")[:2])
    while len(contacts) < 2:
        contacts.append(factories.PersonFactory.create(organisation=origin_office))
    return CaseActors(
        worker=_user(Role.CASE_WORKER, destination, f"cases-worker-{dst}"),
        supervisor=_user(Role.CASE_SUPERVISOR, destination, f"cases-supervisor-{dst}"),
        origin_worker=_user(Role.CASE_WORKER, origin, f"cases-worker-{org}"),
        origin_supervisor=_user(Role.CASE_SUPERVISOR, origin, f"cases-supervisor-{org}"),
        partner=_user(Role.PARTNER, None, "cases-partner", organisation=partner_org),
        partner_organisation=partner_org,
        origin_contact=contacts[0],
        origin_alternate=contacts[1],
    )


def actors_of(case: Case) -> CaseActors:
    return case_actors(case.destination_country.iso2, case.origin_country.iso2)


_serial = itertools.count(1)


def case_data(*, origin: str = "HN", child: bool = True, organisation: Organisation | None = None) -> dict[str, Any]:
    """What a case worker enters when opening a case (fictional; unique name per call)."""
    from corett.testing import factories

    today = timezone.localdate()
    n = next(_serial)
    data: dict[str, Any] = {
        "origin_country": factories.country(origin),
        "given_name": "Ana Lucía" if child else "Marta Elena",
        "family_name": f"Ejemplo Ficticio {n}",
        "sex": Sex.FEMALE,
        "citizenships": [factories.COUNTRIES[origin][0]],
        "languages": ["es"],
        "identified_on": today - dt.timedelta(days=30),
        "narrative": "Identificada en un control migratorio (relato ficticio).",
    }
    if child:
        data["birth_date"] = dt.date(today.year - 13, 3, 14)
    else:
        data["birth_date"] = dt.date(today.year - 29, 7, 2)
        data["age_verified"] = True
    if organisation is not None:
        data["identifying_organisation"] = organisation
    return data


def open_case(
    *, destination: str = "GT", origin: str = "HN", child: bool = True, data: Mapping[str, Any] | None = None
) -> Case:
    from corett.testing import factories

    actors = case_actors(destination, origin)
    values = case_data(origin=origin, child=child, organisation=actors.worker.organisation)
    values.update(data or {})
    return services.case_open(
        actor=actors.worker, destination_country=factories.country(destination), data=values
    )


def _fresh(case: Case) -> Case:
    return Case.objects.select_related("destination_country", "origin_country").get(pk=case.pk)


# --- Guards, one at a time --------------------------------------------------------------------

def _consent(purpose: str) -> Callable[[Case, CaseActors], dict]:
    def do(case: Case, actors: CaseActors) -> dict:
        given_by = ConsentGivenBy.GUARDIAN if case.is_child else ConsentGivenBy.PERSON
        services.consent_record(actor=actors.worker, case=case, purpose=purpose, given_by=given_by)
        return {}

    return do


def _person(role: str, **extra: Any) -> Callable[[Case, CaseActors], dict]:
    names: dict[str, str] = {
        RelatedRole.GUARDIAN: "Tutora Ficticia",
        RelatedRole.CAREGIVER: "Abuela Ficticia",
        RelatedRole.ESCORT: "Acompañante Ficticio",
    }

    def do(case: Case, actors: CaseActors) -> dict:
        services.related_person_add(
            actor=actors.worker, case=case,
            data={"role": role, "full_name": names[role], "appointed_on": timezone.localdate(), **extra},
        )
        return {}

    return do


def _approval(kind: str) -> Callable[[Case, CaseActors], dict]:
    def do(case: Case, actors: CaseActors) -> dict:
        approval = services.approval_request(actor=actors.worker, case=case, kind=kind)
        services.approval_decide(actor=actors.supervisor, approval=approval, approve=True)
        return {}

    return do


def _status_decided(case: Case, actors: CaseActors) -> dict:
    services.case_update(actor=actors.worker, case=case, data={"status_decided_by": StatusDecidedBy.COURT})
    return {}


def _documents(case: Case, actors: CaseActors) -> dict:
    services.case_update(
        actor=actors.worker, case=case,
        data={"documents": [{"type": "safe_conduct", "number": "SC-0000-TEST", "issued_by": case.origin_country.iso3}]},
    )
    return {}


def _origin_contacts(case: Case, actors: CaseActors) -> dict:
    services.origin_contacts_set(
        actor=actors.origin_worker, case=case, contact=actors.origin_contact, alternate=actors.origin_alternate
    )
    return {}


def funding_request(case: Case, actors: CaseActors | None = None) -> FundingRequest:
    actors = actors or actors_of(case)
    if not protocol.CONSENT_SHARE_FUNDER.holds(_fresh(case), {}):
        # A request reaches the partner: it needs the consent to share with a funder first.
        _consent(ConsentPurpose.SHARE_FUNDER)(_fresh(case), actors)
    return services.funding_request_create(
        actor=actors.worker, case=case, partner=actors.partner_organisation,
        data={
            "currency": "USD",
            "items": [{"description": "Air fare", "amount": "420.00"}, {"description": "Escort per diem", "amount": "150.00"}],
            "route": f"{case.destination_country.iso3} → {case.origin_country.iso3}",
            "travel_on": timezone.localdate() + dt.timedelta(days=20),
        },
    )


def _funding_asked(case: Case, actors: CaseActors) -> dict:
    funding_request(case, actors)
    return {}


def _funding_committed(case: Case, actors: CaseActors) -> dict:
    funding = case.funding_requests.filter(state=FundingState.REQUESTED).first() or funding_request(case, actors)
    services.funding_request_advance(actor=actors.partner, funding=funding, state=FundingState.COMMITTED)
    return {}


SATISFY: dict[str, Callable[[Case, CaseActors], dict]] = {
    protocol.CONSENT_PROCESSING.code: _consent(ConsentPurpose.PROCESSING),
    protocol.CONSENT_RETURN.code: _consent(ConsentPurpose.RETURN),
    protocol.CONSENT_SHARE_ORIGIN.code: _consent(ConsentPurpose.SHARE_ORIGIN),
    protocol.CONSENT_SHARE_FUNDER.code: _consent(ConsentPurpose.SHARE_FUNDER),
    protocol.GUARDIAN.code: _person(RelatedRole.GUARDIAN, relationship="Procuraduría de la niñez"),
    protocol.STATUS_DECIDED.code: _status_decided,
    protocol.RETURN_APPROVED.code: _approval(ApprovalKind.RETURN_DECISION),
    protocol.CAREGIVER_READY.code: _person(
        RelatedRole.CAREGIVER, relationship="Abuela", agreed=True, able_to_care=True,
        assessment="Evaluación familiar favorable (ficticia).",
    ),
    protocol.ORIGIN_CONTACTS.code: _origin_contacts,
    protocol.DECLINE_REASON.code: lambda case, actors: {"reason": "Sin condiciones de recepción (ficticio)."},
    protocol.FUNDING_ASKED.code: _funding_asked,
    protocol.FUNDING_COMMITTED.code: _funding_committed,
    protocol.DOCUMENTS.code: _documents,
    protocol.TRAVEL_APPROVED.code: _approval(ApprovalKind.TRAVEL_PLAN),
    protocol.ESCORT.code: _person(RelatedRole.ESCORT, relationship="Oficial de protección"),
    protocol.CLOSURE_APPROVED.code: _approval(ApprovalKind.CLOSURE),
    protocol.REASON.code: lambda case, actors: {"reason": "Motivo de prueba."},
    protocol.ALTERNATIVE_CHOSEN.code: lambda case, actors: {"alternative": "local_integration"},
}


def satisfy(case: Case, guard: str, actors: CaseActors | None = None) -> dict:
    """Make one guard hold, through the services; returns the form data it needs (if any)."""
    return SATISFY[guard](_fresh(case), actors or actors_of(case))


def advance(case: Case, name: str, actors: CaseActors | None = None, data: Mapping[str, Any] | None = None) -> Case:
    """Satisfy every guard of transition ``name`` that fails, then apply it as the right side."""
    actors = actors or actors_of(case)
    transition = protocol.TRANSITIONS[name]
    values = dict(data or {})
    case = _fresh(case)
    for guard in protocol.failed_guards(case, transition, values):
        values.update(SATISFY[guard.code](case, actors))
        case = _fresh(case)
    return services.case_transition(actor=actors.for_side(transition.side), case=case, name=name, data=values)


_MAIN = [
    ("protect", Stage.PROTECTED),
    ("notify_consulate", Stage.CONSULAR_NOTIFICATION),
    ("start_assessment", Stage.ASSESSING),
    ("decide_return", Stage.RETURN_DECIDED),
    ("request_origin", Stage.REQUESTED_TO_ORIGIN),
    ("accept", Stage.ACCEPTED_BY_ORIGIN),
    ("assess_family", Stage.FAMILY_ASSESSED),
    ("request_funding", Stage.FUNDING_REQUESTED),
    ("confirm_funding", Stage.FUNDED),
    ("schedule_travel", Stage.TRAVEL_SCHEDULED),
    ("depart", Stage.IN_TRANSIT),
    ("receive", Stage.RECEIVED),
    ("start_reintegration", Stage.REINTEGRATION),
    ("close", Stage.CLOSED),
]


def _main_path(stage: str) -> list[str]:
    names: list[str] = []
    for name, reached in _MAIN:
        if stage == Stage.IDENTIFIED:
            break
        names.append(name)
        if reached == stage:
            break
    return names


# The transitions that lead from "identified" to each stage (side stages by a usual route).
PATHS: dict[str, list[str]] = {
    Stage.IDENTIFIED: [],
    **{reached: _main_path(reached) for _name, reached in _MAIN},
    Stage.DECLINED_BY_ORIGIN: [*_main_path(Stage.REQUESTED_TO_ORIGIN), "decline"],
    Stage.SUSPENDED: [*_main_path(Stage.ASSESSING), "suspend"],
    Stage.ALTERNATIVE_SOLUTION: [*_main_path(Stage.ASSESSING), "choose_alternative"],
    Stage.CANCELLED: [*_main_path(Stage.PROTECTED), "cancel"],
}


def case_in_stage(
    stage: str,
    *,
    destination: str = "GT",
    origin: str = "HN",
    child: bool = True,
    data: Mapping[str, Any] | None = None,
) -> Case:
    """A case opened in ``destination`` for a person of ``origin``, walked to ``stage``.

    ``data`` overrides what the case worker enters at opening (e.g. a canary name).
    """
    if stage not in PATHS:
        raise ValueError(f"Unknown stage {stage!r}")
    case = open_case(destination=destination, origin=origin, child=child, data=data)
    actors = case_actors(destination, origin)
    for name in PATHS[stage]:
        case = advance(case, name, actors)
    case = _fresh(case)
    assert case.stage == stage, (case.stage, stage)
    return case


# --- Reading what the database really holds ----------------------------------------------------

def raw_rows(model: type[Any]) -> dict[Any, dict[str, bytes | None]]:
    """The encrypted columns of every row of ``model`` as stored (bytes), read with plain SQL so
    that no field code runs: {pk: {column: bytes or None}}."""
    from django.db import connection

    from corett.lib.fields import encrypted_fields

    columns = [f.column for f in encrypted_fields(model)]
    quote = connection.ops.quote_name
    table, pk = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {quote(pk)}, {', '.join(quote(c) for c in columns)} FROM {quote(table)}")  # noqa: S608
        return {
            row[0]: {c: None if v is None else bytes(v) for c, v in zip(columns, row[1:], strict=True)}
            for row in cursor.fetchall()
        }
