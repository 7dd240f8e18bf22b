"""Shared set-up for the case pages' tests: a partner with its own staff, contacts in the country
of origin, a canary-named child's case, and the steps (through the services) that bring a case
to the formal request.

Fixtures are named ``<name>_fixture`` and registered as ``<name>``: a test module imports the
function and asks for the fixture by its short name.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from corett.accounts.roles import Role
from corett.cases import services
from corett.cases.models import ApprovalKind, Case
from corett.directory.models import OrganisationKind, Visibility
from corett.testing import factories

# Names no page, list or export to someone not allowed may ever show.
CANARY_GIVEN = "Quetzalcanary"
CANARY_FAMILY = "Zopilotecanary"


def english(client: Any) -> Any:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def case_data(actor: Any, origin: Any, **overrides: Any) -> dict[str, Any]:
    data = {
        "identifying_organisation": actor.organisation,
        "origin_country": origin,
        "given_name": CANARY_GIVEN,
        "family_name": CANARY_FAMILY,
        "estimated_age": 15,
        "sex": "female",
        "identified_on": timezone.localdate() - dt.timedelta(days=30),
        "citizenships": ["HND"],
    }
    data.update(overrides)
    return data


def open_case(actor: Any, destination: Any, origin: Any, **overrides: Any) -> Case:
    return services.case_open(
        actor=actor, destination_country=destination, data=case_data(actor, origin, **overrides)
    )


def bring_to_request(case: Case, worker: Any, supervisor: Any) -> Case:
    """Through the services, from identified to requested to the country of origin (a child)."""
    for purpose in ("processing", "return", "share_origin"):
        services.consent_record(actor=worker, case=case, purpose=purpose, given_by="guardian")
    services.related_person_add(
        actor=worker, case=case, data={"role": "guardian", "full_name": "Guardiana Canaria"}
    )
    for name in ("protect", "notify_consulate", "start_assessment"):
        case = services.case_transition(actor=worker, case=case, name=name)
    case = services.case_update(actor=worker, case=case, data={"status_decided_by": "Police"})
    approval = services.approval_request(actor=worker, case=case, kind=ApprovalKind.RETURN_DECISION)
    services.approval_decide(actor=supervisor, approval=approval, approve=True)
    case = services.case_transition(actor=worker, case=case, name="decide_return")
    return services.case_transition(actor=worker, case=case, name="request_origin")


@pytest.fixture(name="our")
def our_fixture(db):
    """Operation Underground Railroad: the partner that funds returns."""
    return factories.OrganisationFactory.create(
        name="Operation Underground Railroad", acronym="OUR", kind=OrganisationKind.PARTNER_NGO, country=None
    )


@pytest.fixture(name="partner_our")
def partner_our_fixture(our):
    return factories.UserFactory.create(organisation=our, roles=[Role.PARTNER], username="our-staff")


@pytest.fixture(name="other_partner")
def other_partner_fixture(db):
    org = factories.OrganisationFactory.create(
        name="Another Funder", kind=OrganisationKind.DONOR, country=None
    )
    return factories.UserFactory.create(organisation=org, roles=[Role.PARTNER], username="other-funder")


@pytest.fixture(name="caseworker_sv")
def caseworker_sv_fixture(db):
    return factories.user_with(Role.CASE_WORKER, "SV")


@pytest.fixture(name="supervisor_hn")
def supervisor_hn_fixture(db):
    return factories.user_with(Role.CASE_SUPERVISOR, "HN")


@pytest.fixture(name="hn_contacts")
def hn_contacts_fixture(hn):
    """Two officials of the country of origin, in its directory."""
    org = factories.OrganisationFactory.create(country=hn, name="DINAF Honduras")
    return [
        factories.PersonFactory.create(organisation=org, full_name=name, visibility=Visibility.COUNTRY)
        for name in ("Contacto Hondureño", "Suplente Hondureña")
    ]


@pytest.fixture(name="child_case")
def child_case_fixture(caseworker_gt, gt, hn):
    """A Honduran child identified in Guatemala, not yet shared with Honduras."""
    return open_case(caseworker_gt, gt, hn)


@pytest.fixture(name="shared_case")
def shared_case_fixture(child_case, caseworker_gt, supervisor_gt):
    """The same child's case, formally requested to Honduras (Honduras sees it from here on)."""
    return bring_to_request(child_case, caseworker_gt, supervisor_gt)
