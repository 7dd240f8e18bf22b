"""Clearly fictional repatriation cases for the demo, one or more in every stage.

Built through the services by the demo accounts themselves (caseworker-gt, supervisor-gt,
caseworker-hn, partner-our...), exactly as people would, so the demo shows real histories,
approvals, funding and audit entries. Loaded once: a second run adds nothing.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from corett.accounts.models import User
from corett.cases import services
from corett.cases.models import Case, Sex, Stage
from corett.cases.vocabularies import FormOfExploitation, MethodOfControl
from corett.directory.models import Country, Person
from corett.testing.cases import PATHS, CaseActors, advance

# (destination, origin, stage, child, given name, family name, forms of exploitation)
DEMO_CASES = [
    ("GT", "HN", Stage.FUNDED, True, "Sofía", "Demo Ficticia", [FormOfExploitation.SEXUAL_EXPLOITATION]),
    ("CR", "NI", Stage.ALTERNATIVE_SOLUTION, False, "Rosa", "Demo Ficticia", [FormOfExploitation.FORCED_LABOUR]),
    ("GT", "HN", Stage.IDENTIFIED, True, "Daniel", "Demo Ficticio", [FormOfExploitation.FORCED_BEGGING]),
    ("GT", "SV", Stage.PROTECTED, True, "Camila", "Demo Ficticia", [FormOfExploitation.CHILD_LABOUR]),
    ("MX", "GT", Stage.CONSULAR_NOTIFICATION, False, "Lucía", "Demo Ficticia", [FormOfExploitation.SEXUAL_EXPLOITATION]),
    ("MX", "HN", Stage.ASSESSING, True, "Kevin", "Demo Ficticio", [FormOfExploitation.FORCED_LABOUR]),
    ("PA", "DO", Stage.RETURN_DECIDED, False, "Yokasta", "Demo Ficticia", [FormOfExploitation.SERVITUDE]),
    ("GT", "HN", Stage.REQUESTED_TO_ORIGIN, True, "Mateo", "Demo Ficticio", [FormOfExploitation.FORCED_LABOUR]),
    ("SV", "GT", Stage.ACCEPTED_BY_ORIGIN, True, "Valeria", "Demo Ficticia", [FormOfExploitation.SEXUAL_EXPLOITATION]),
    ("GT", "HN", Stage.DECLINED_BY_ORIGIN, False, "Carlos", "Demo Ficticio", [FormOfExploitation.FORCED_LABOUR]),
    ("CR", "NI", Stage.FAMILY_ASSESSED, True, "María José", "Demo Ficticia", [FormOfExploitation.CHILD_LABOUR]),
    ("MX", "GT", Stage.FUNDING_REQUESTED, True, "Andrea", "Demo Ficticia", [FormOfExploitation.SEXUAL_EXPLOITATION]),
    ("GT", "HN", Stage.TRAVEL_SCHEDULED, True, "José", "Demo Ficticio", [FormOfExploitation.FORCED_BEGGING]),
    ("MX", "SV", Stage.IN_TRANSIT, False, "Gabriela", "Demo Ficticia", [FormOfExploitation.FORCED_MARRIAGE]),
    ("GT", "SV", Stage.RECEIVED, True, "Luis", "Demo Ficticio", [FormOfExploitation.FORCED_LABOUR]),
    ("CR", "NI", Stage.REINTEGRATION, False, "Ana", "Demo Ficticia", [FormOfExploitation.SERVITUDE]),
    ("GT", "HN", Stage.CLOSED, True, "Pedro", "Demo Ficticio", [FormOfExploitation.FORCED_LABOUR]),
    ("PA", "DO", Stage.SUSPENDED, False, "Carmen", "Demo Ficticia", [FormOfExploitation.SEXUAL_EXPLOITATION]),
    ("GT", "NI", Stage.CANCELLED, False, "Julio", "Demo Ficticio", [FormOfExploitation.OTHER]),
]


def _actors(destination: str, origin: str) -> CaseActors:
    users = {u.username: u for u in User.objects.filter(username__in=[
        f"caseworker-{destination.lower()}", f"supervisor-{destination.lower()}",
        f"caseworker-{origin.lower()}", f"supervisor-{origin.lower()}", "partner-our",
    ])}
    origin_people = list(
        Person.objects.filter(organisation__country__iso2=origin, user__isnull=False).order_by("pk")[:2]
    )
    partner = users["partner-our"]
    assert partner.organisation is not None  # the demo's partner works for OUR
    return CaseActors(
        worker=users[f"caseworker-{destination.lower()}"],
        supervisor=users[f"supervisor-{destination.lower()}"],
        origin_worker=users[f"caseworker-{origin.lower()}"],
        origin_supervisor=users[f"supervisor-{origin.lower()}"],
        partner=partner,
        partner_organisation=partner.organisation,
        origin_contact=origin_people[0],
        origin_alternate=origin_people[1],
    )


def seed_demo_cases() -> int:
    if Case.objects.exists():
        return 0
    today = timezone.localdate()
    countries = {c.iso2: c for c in Country.objects.all()}
    for number, (dst, org, stage, child, given, family, forms) in enumerate(DEMO_CASES, start=1):
        actors = _actors(dst, org)
        born = dt.date(today.year - (12 if child else 27), (number % 12) + 1, 10)
        case = services.case_open(
            actor=actors.worker,
            destination_country=countries[dst],
            data={
                "identifying_organisation": actors.worker.organisation,
                "origin_country": countries[org],
                "given_name": given,
                "family_name": f"{family} {number}",
                "birth_date": born,
                "age_verified": not child,
                "sex": Sex.FEMALE if given.endswith("a") or given in {"Yokasta", "Carmen"} else Sex.MALE,
                "citizenships": [countries[org].iso3],
                "languages": ["es"],
                "identified_on": today - dt.timedelta(days=90 - number * 3),
                "forms_of_exploitation": list(forms),
                "methods_of_control": [MethodOfControl.WITHHOLDS_DOCUMENTS, MethodOfControl.FALSE_PROMISES],
                "narrative": "Caso ficticio de demostración: no corresponde a ninguna persona real.",
            },
        )
        for name in PATHS[stage]:
            case = advance(case, name, actors)
    return len(DEMO_CASES)
