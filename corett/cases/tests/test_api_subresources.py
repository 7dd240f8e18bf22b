"""Under one case: consents, related people, approvals, funding requests, history, tasks,
follow-ups; and the partners' funding inbox. Same policy as the case itself."""

from __future__ import annotations

import pytest

from corett import policy
from corett.accounts.roles import Role
from corett.audit.models import AuditEntry
from corett.cases.models import Approval, Consent, FundingRequest, RelatedPerson, Stage
from corett.cases.tests.api_support import FUNDING_URL, Api, case_url
from corett.directory.models import OrganisationKind
from corett.testing import factories
from corett.testing.cases import case_actors, case_in_stage, funding_request, open_case, satisfy

pytestmark = pytest.mark.django_db


@pytest.fixture
def actors(db):
    return case_actors("GT", "HN")


# --- Consents ---------------------------------------------------------------------------------


def test_consents_are_recorded_listed_and_withdrawn_by_the_owners(actors):
    case = open_case()
    worker = Api(actors.worker)
    response = worker.post(case_url("consents", case), {"purpose": "processing", "given_by": "guardian"})
    assert response.status_code == 201
    consent_id = response.json()["id"]
    listed = worker.get(case_url("consents", case))
    assert [(c["purpose"], c["given_by"], c["withdrawn_at"]) for c in listed.json()] == [("processing", "guardian", None)]
    assert AuditEntry.objects.filter(action="cases.case.view", object_id=str(case.pk)).count() == 1
    response = worker.post(case_url("consent-withdraw", case, consent_id=consent_id))
    assert response.status_code == 200 and response.json()["withdrawn_at"]
    assert worker.post(case_url("consent-withdraw", case, consent_id=consent_id)).status_code == 400
    other = open_case()
    assert worker.post(case_url("consent-withdraw", other, consent_id=consent_id)).status_code == 404


def test_a_bad_consent_is_a_400_at_the_field(actors):
    case = open_case()
    response = Api(actors.worker).post(case_url("consents", case), {"purpose": "marketing", "given_by": "neighbour"})
    assert response.status_code == 400
    assert set(response.json()) == {"purpose", "given_by"}
    assert not Consent.objects.exists()


def test_the_origin_reads_the_consents_but_records_none(actors):
    case = case_in_stage(Stage.REQUESTED_TO_ORIGIN)
    origin = Api(actors.origin_worker)
    assert origin.get(case_url("consents", case)).status_code == 200
    before = Consent.objects.count()
    assert origin.post(case_url("consents", case), {"purpose": "return", "given_by": "person"}).status_code == 403
    assert Consent.objects.count() == before


# --- Related people ---------------------------------------------------------------------------


def test_related_people_show_names_only_with_identity(actors, monkeypatch):
    case = open_case()
    worker = Api(actors.worker)
    response = worker.post(case_url("related-people", case), {
        "role": "caregiver", "full_name": "Abuela Qwertyuiop", "relationship": "Abuela", "agreed": True,
        "able_to_care": True, "assessment": "Favorable.", "contact": "+504 1111 1111",
    })
    assert response.status_code == 201, response.json()
    assert response.json()["full_name"] == "Abuela Qwertyuiop"
    person = RelatedPerson.objects.get()
    assert (person.role, person.agreed, person.able_to_care) == ("caregiver", True, True)
    [row] = worker.get(case_url("related-people", case)).json()
    assert row["full_name"] == "Abuela Qwertyuiop" and row["assessment"] == "Favorable."
    entry = AuditEntry.objects.filter(action="cases.case.view").latest("id")
    assert entry.extra == {"identity": True}

    monkeypatch.setitem(policy._RULES, "cases.view_identity", lambda user, obj: False)
    response = worker.get(case_url("related-people", case))
    [row] = response.json()
    assert {"full_name", "contact", "assessment"}.isdisjoint(row)
    assert "Qwertyuiop" not in response.content.decode()
    assert row["role"] == "caregiver" and row["agreed"] is True


def test_a_related_person_needs_a_role_and_a_name(actors):
    case = open_case()
    response = Api(actors.worker).post(case_url("related-people", case), {"role": "uncle"})
    assert response.status_code == 400
    assert set(response.json()) == {"role", "full_name"}
    assert not RelatedPerson.objects.exists()


# --- Approvals --------------------------------------------------------------------------------


def test_approvals_are_decided_by_another_supervisor_of_the_owning_country(actors):
    case = case_in_stage(Stage.REQUESTED_TO_ORIGIN)
    worker, supervisor = Api(actors.worker), Api(actors.supervisor)
    approval = worker.post(case_url("approvals", case), {"kind": "travel_plan"}).json()
    decide = case_url("approval-decide", case, approval_id=approval["id"])
    # A case worker, the origin's supervisor: refused.
    assert worker.post(decide, {"approve": True}).status_code == 403
    assert worker.post(decide, {}).status_code == 403, "refused before the input is read"
    origin_supervisor = Api(actors.origin_supervisor)
    assert origin_supervisor.post(decide, {"approve": True}).status_code == 403
    assert supervisor.post(decide, {}).status_code == 400
    response = supervisor.post(decide, {"approve": False})
    assert response.status_code == 200
    assert response.json()["state"] == "rejected" and response.json()["decided_by"]
    # Decided once.
    assert supervisor.post(decide, {"approve": True}).status_code == 400
    assert Approval.objects.get(pk=approval["id"]).state == "rejected"


def test_nobody_approves_their_own_request(actors):
    case = open_case()
    supervisor = Api(actors.supervisor)
    approval = supervisor.post(case_url("approvals", case), {"kind": "closure"}).json()
    response = supervisor.post(case_url("approval-decide", case, approval_id=approval["id"]), {"approve": True})
    assert response.status_code == 403
    assert Approval.objects.get(pk=approval["id"]).state == "pending"


def test_an_approval_of_another_case_is_a_404_under_this_one(actors):
    case, other = open_case(), open_case()
    approval = Api(actors.worker).post(case_url("approvals", other), {"kind": "closure"}).json()
    response = Api(actors.supervisor).post(case_url("approval-decide", case, approval_id=approval["id"]), {"approve": True})
    assert response.status_code == 404


# --- Funding ----------------------------------------------------------------------------------


def _funding_payload(actors, **overrides):
    return {
        "partner": actors.partner_organisation.pk, "currency": "USD", "route": "GUA - SAP",
        "items": [{"description": "Air fare", "amount": "300.50"}], **overrides,
    }


def test_the_owners_ask_a_partner_for_funding(actors):
    case = case_in_stage(Stage.ACCEPTED_BY_ORIGIN)
    worker = Api(actors.worker)
    refused = worker.post(case_url("funding-requests", case), _funding_payload(actors))
    assert refused.status_code == 400  # no consent to share with a funder yet
    assert not FundingRequest.objects.exists()
    satisfy(case, "consent_share_funder")
    response = worker.post(case_url("funding-requests", case), _funding_payload(actors))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["case"], body["state"], body["total"], body["destination_country"]) == (case.code, "requested", "300.50", "GTM")
    funding = FundingRequest.objects.get()
    assert funding.items == [{"description": "Air fare", "amount": "300.50"}]
    assert [f["id"] for f in worker.get(case_url("funding-requests", case)).json()] == [funding.pk]
    # The origin sees the case's funding too, but asks for none.
    origin = Api(actors.origin_worker)
    assert origin.get(case_url("funding-requests", case)).status_code == 200
    assert origin.post(case_url("funding-requests", case), _funding_payload(actors)).status_code == 403


def test_a_funding_request_goes_to_a_funding_organisation_with_costs(actors, gt):
    case = open_case()
    ministry = factories.OrganisationFactory.create(country=gt, kind=OrganisationKind.GOVERNMENT_INSTITUTION)
    response = Api(actors.worker).post(
        case_url("funding-requests", case),
        _funding_payload(actors, partner=ministry.pk, items=[], currency="XBT"),
    )
    assert response.status_code == 400
    assert set(response.json()) == {"partner", "items", "currency"}
    response = Api(actors.worker).post(
        case_url("funding-requests", case), _funding_payload(actors, items=[{"description": "Fare", "amount": "-5"}])
    )
    assert response.status_code == 400 and list(response.json()) == ["items"]
    assert not FundingRequest.objects.exists()


def test_a_partner_sees_only_its_own_funding_requests(actors):
    mine = funding_request(open_case(), actors)
    other_partner = factories.OrganisationFactory.create(kind=OrganisationKind.DONOR, country=None, name="Otro donante")
    theirs = funding_request(open_case(), actors)
    FundingRequest.objects.filter(pk=theirs.pk).update(partner=other_partner)
    client = Api(actors.partner)
    assert [r["id"] for r in client.get(FUNDING_URL).json()["results"]] == [mine.pk]
    assert client.get(f"{FUNDING_URL}{mine.pk}/").status_code == 200
    assert client.get(f"{FUNDING_URL}{theirs.pk}/").status_code == 404
    assert client.post(f"{FUNDING_URL}{theirs.pk}/advance/", {"state": "committed"}).status_code == 404
    row = client.get(f"{FUNDING_URL}{mine.pk}/").json()
    assert set(row) == {
        "id", "case", "destination_country", "origin_country", "partner", "partner_name", "state", "currency",
        "items", "total", "route", "travel_on", "requested_at", "updated_at",
    }


def test_a_partner_moves_its_funding_request_along_the_allowed_steps(actors):
    funding = funding_request(open_case(), actors)
    client = Api(actors.partner)
    url = f"{FUNDING_URL}{funding.pk}/advance/"
    response = client.post(url, {"state": "reconciled"})
    assert response.status_code == 403  # reconciling is the owners' step, not the partner's
    assert client.post(url, {"state": "requested"}).status_code == 400
    assert client.post(url, {"state": "committed"}).json()["state"] == "committed"
    assert client.post(url, {"state": "declined"}).status_code == 400
    funding.refresh_from_db()
    assert funding.state == "committed"
    assert AuditEntry.objects.filter(action="cases.funding.advance").count() == 1


@pytest.mark.parametrize("who", ["worker", "supervisor", "origin_worker"])
def test_case_workers_cannot_decide_funding(actors, who):
    funding = funding_request(case_in_stage(Stage.REQUESTED_TO_ORIGIN), actors)
    client = Api(getattr(actors, who))
    assert client.post(f"{FUNDING_URL}{funding.pk}/advance/", {"state": "committed"}).status_code == 403
    # The inbox is the partners'; case workers see funding under each case.
    assert client.get(FUNDING_URL).status_code == 403
    funding.refresh_from_db()
    assert funding.state == "requested"


@pytest.mark.parametrize("who", ["admin_user", "secretariat_user", "observer_user", "focal_gt"])
def test_other_roles_have_no_funding_inbox(request, actors, who):
    funding = funding_request(open_case(), actors)
    client = Api(request.getfixturevalue(who))
    assert client.get(FUNDING_URL).status_code == 403
    assert client.get(f"{FUNDING_URL}{funding.pk}/").status_code == 404
    assert client.post(f"{FUNDING_URL}{funding.pk}/advance/", {"state": "committed"}).status_code == 404


def test_a_partner_without_the_role_is_refused(actors):
    funding = funding_request(open_case(), actors)
    colleague = factories.UserFactory.create(organisation=actors.partner_organisation, roles=[Role.OBSERVER])
    assert Api(colleague).post(f"{FUNDING_URL}{funding.pk}/advance/", {"state": "committed"}).status_code == 404


# --- History, tasks, follow-ups ---------------------------------------------------------------


def test_history_and_tasks_follow_the_case(actors):
    case = case_in_stage(Stage.PROTECTED)
    worker = Api(actors.worker)
    history = worker.get(case_url("stage-history", case)).json()
    assert [(h["from_stage"], h["to_stage"], h["transition"]) for h in history] == [
        ("identified", "identified", "open"), ("identified", "protected", "protect"),
    ]
    assert all(h["by"] for h in history)
    tasks = worker.get(case_url("tasks", case)).json()
    assert sorted(t["stage"] for t in tasks) == ["identified", "protected"]
    open_tasks = [t for t in tasks if t["done_at"] is None]
    assert [t["stage"] for t in open_tasks] == ["protected"]
    assert open_tasks[0]["is_overdue"] is False


def test_follow_up_reports_show_only_with_identity(actors, monkeypatch):
    case = case_in_stage(Stage.REINTEGRATION)
    origin = Api(actors.origin_worker)
    follow_ups = origin.get(case_url("follow-ups", case)).json()
    assert [f["months_after_return"] for f in follow_ups] == [3, 6, 12]
    assert all("report" in f for f in follow_ups)
    monkeypatch.setitem(policy._RULES, "cases.view_identity", lambda user, obj: False)
    assert all("report" not in f for f in origin.get(case_url("follow-ups", case)).json())


# --- Query counts -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["consents", "related-people", "approvals", "funding-requests", "stage-history", "tasks", "follow-ups"])
def test_sub_resource_lists_run_a_fixed_number_of_queries(actors, name, django_assert_max_num_queries):
    small = case_in_stage(Stage.REINTEGRATION)
    big = case_in_stage(Stage.REINTEGRATION)
    for _ in range(3):
        funding_request(big, actors)
        for purpose in ("processing", "return"):
            Api(actors.worker).post(case_url("consents", big), {"purpose": purpose, "given_by": "person"})
        Api(actors.worker).post(case_url("approvals", big), {"kind": "closure"})
        Api(actors.worker).post(case_url("related-people", big), {"role": "escort", "full_name": "Escolta"})
    client = Api(actors.worker)
    counts = []
    for case in (small, big):
        # Token, last-used stamp, roles, the case, the audit entry (lock, chain head, insert
        # and its savepoints), the rows: never one per row.
        with django_assert_max_num_queries(12) as captured:
            assert client.get(case_url(name, case)).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1], counts
