"""Cases over the REST API: opening a case, reading it (identity only to those allowed, every
read audited), changing it, who sees what (another country's case is a 404 until the formal
request), tokens, filters and query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from corett.accounts.roles import Role
from corett.audit.models import AuditEntry
from corett.cases.models import IDENTITY_FIELDS, Case, Stage, is_valid_case_code
from corett.cases.tests.api_support import (
    CASE_GETS,
    CASE_POSTS,
    FUNDING_URL,
    LIST_URL,
    Api,
    case_url,
)
from corett.testing import factories
from corett.testing.cases import case_actors, case_in_stage, funding_request, open_case

pytestmark = pytest.mark.django_db

CANARY = "Zyxwvutsrq"


def minimal_payload(**overrides):
    """The payload issue 3 names: names, birth date, sex, citizenship, both countries."""
    return {
        "given_name": CANARY,
        "family_name": "Pérez López",
        "birth_date": "2013-04-02",
        "sex": "female",
        "citizenship": "HND",
        "destination_country": "GTM",
        "origin_country": "HND",
        **overrides,
    }


@pytest.fixture
def actors(db):
    return case_actors("GT", "HN")


# --- Opening a case ---------------------------------------------------------------------------


def test_a_case_worker_opens_a_case_with_the_minimal_payload(actors):
    response = Api(actors.worker).post(LIST_URL, minimal_payload())
    assert response.status_code == 201, response.json()
    body = response.json()
    assert is_valid_case_code(body["code"])
    assert response["Location"] == f"/api/v1/cases/{body['code']}/"
    # The owner may see identity: it is in the answer.
    assert body["given_name"] == CANARY
    assert body["birth_date"] == "2013-04-02"
    assert (body["stage"], body["destination_country"], body["origin_country"]) == ("identified", "GTM", "HND")
    assert body["is_child"] is True
    assert body["side"] == "destination"
    assert [s["name"] for s in body["next_steps"]] == ["protect", "suspend", "choose_alternative", "cancel"]

    case = Case.objects.get(code=body["code"])
    assert case.given_name == CANARY and case.citizenships == ["HND"]
    assert case.identified_on == timezone.localdate()
    assert case.identifying_organisation == actors.worker.organisation
    assert case.estimated_age is not None  # the age at identification, in the clear
    entry = AuditEntry.objects.get(action="cases.case.create", object_id=str(case.pk))
    assert "given_name" in entry.changed_fields
    assert CANARY not in str(entry.content())


def test_a_case_opens_with_an_estimated_age_and_every_optional_field(actors):
    payload = {
        "given_name": "Ana", "family_name": "Ejemplo", "estimated_age": 15, "sex": "female",
        "citizenships": ["hnd", "SLV"], "citizenship": "HND", "origin_country": "hnd",
        "other_names": "La Flaca", "gender": "Feminine", "identified_on": "2026-11-01",
        "trafficking_status": "ActualVictimOfTrafficking", "status_decided_by": "CourtOrProsecution",
        "forms_of_exploitation": ["ForcedBegging"], "methods_of_control": ["DebtBondage"],
        "recruiter_relationship": "Acquainted", "risk_level": "high", "languages": ["es", "cab"],
        "documents": [{"type": "passport", "number": "P123", "issuer": "Honduras"}],
        "contact": "+504 0000 0000", "address": "Albergue temporal", "narrative": "Relato ficticio.",
    }
    response = Api(actors.worker).post(LIST_URL, payload)
    assert response.status_code == 201, response.json()
    case = Case.objects.get(code=response.json()["code"])
    assert case.citizenships == ["HND", "SLV"]
    assert case.estimated_age == 15 and case.birth_date is None
    assert case.documents == [{"type": "passport", "number": "P123", "issuer": "Honduras"}]
    assert (case.risk_level, case.status_decided_by, case.languages) == ("high", "CourtOrProsecution", ["es", "cab"])
    assert response.json()["documents"] == [{"type": "passport", "number": "P123", "issuer": "Honduras"}]


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        ({"origin_country": "XYZ"}, {"origin_country"}),
        ({"destination_country": "ZZZ"}, {"destination_country"}),
        ({"citizenship": "ABC"}, {"citizenship"}),
        ({"citizenships": ["HND", "QQQ"]}, {"citizenships"}),
        ({"origin_country": "Honduras", "citizenship": "HN"}, {"origin_country", "citizenship"}),
        # A real country, but not one of the coalition's: a return goes between members.
        ({"origin_country": "VEN"}, {"origin_country"}),
    ],
)
def test_unknown_country_codes_are_a_400_naming_the_field(actors, overrides, fields):
    response = Api(actors.worker).post(LIST_URL, minimal_payload(**overrides))
    assert response.status_code == 400
    assert set(response.json()) == fields
    assert not Case.objects.exists()


def test_a_citizenship_may_be_any_iso_country_or_stateless(actors):
    response = Api(actors.worker).post(LIST_URL, minimal_payload(citizenship="VEN", citizenships=["XXA"]))
    assert response.status_code == 201, response.json()
    assert Case.objects.get().citizenships == ["VEN", "XXA"]


def test_a_case_cannot_be_opened_for_another_destination(actors):
    response = Api(actors.worker).post(LIST_URL, minimal_payload(destination_country="HND", origin_country="GTM"))
    assert response.status_code == 403
    assert not Case.objects.exists()
    assert AuditEntry.objects.filter(action="access.denied", actor_id=actors.worker.pk).exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"origin_country": "GTM"}, "origin_country"),
        ({"birth_date": "2099-01-01"}, "birth_date"),
        ({"birth_date": "2013-02-30"}, "birth_date"),
        ({"birth_date": "2013-04-02", "identified_on": "2012-01-01"}, "identified_on"),
        ({"birth_date": None}, "estimated_age"),
        ({"estimated_age": 130}, "estimated_age"),
        ({"sex": "robot"}, "sex"),
        ({"documents": [{"number": "P1"}]}, "documents"),
        ({"identifying_organisation": 999999}, "identifying_organisation"),
    ],
)
def test_bad_input_is_a_400_at_the_field_and_nothing_is_saved(actors, overrides, field):
    response = Api(actors.worker).post(LIST_URL, minimal_payload(**overrides))
    assert response.status_code == 400
    assert field in response.json()
    assert not Case.objects.exists()


def test_the_identifying_organisation_must_be_of_ones_own_country(actors):
    hn_org = factories.OrganisationFactory.create(country=factories.country("HN"))
    response = Api(actors.worker).post(LIST_URL, minimal_payload(identifying_organisation=hn_org.pk))
    assert response.status_code == 400
    assert list(response.json()) == ["identifying_organisation"]


@pytest.mark.parametrize(
    "who", ["admin_user", "secretariat_user", "presidency_user", "observer_user", "partner_user", "focal_gt", "trainer_gt"]
)
def test_only_case_workers_and_supervisors_open_cases(request, gt, hn, who):
    response = Api(request.getfixturevalue(who)).post(LIST_URL, minimal_payload())
    assert response.status_code == 403
    assert not Case.objects.exists()


def test_a_supervisor_opens_a_case_too(actors):
    assert Api(actors.supervisor).post(LIST_URL, minimal_payload()).status_code == 201


# --- Reading a case ---------------------------------------------------------------------------


def test_a_case_reads_with_identity_for_its_owners_and_the_read_is_audited(actors):
    case = open_case(data={"given_name": CANARY})
    response = Api(actors.worker).get(case_url("detail", case))
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == case.code and body["given_name"] == CANARY
    assert set(IDENTITY_FIELDS) <= set(body)
    entry = AuditEntry.objects.filter(action="cases.case.view", object_id=str(case.pk)).get()
    assert entry.actor_id == actors.worker.pk and entry.extra == {"identity": True}


def test_identity_keys_are_absent_for_whoever_the_policy_refuses_identity(actors, monkeypatch):
    from corett import policy

    case = open_case(data={"given_name": CANARY})
    monkeypatch.setitem(policy._RULES, "cases.view_identity", lambda user, obj: False)
    response = Api(actors.worker).get(case_url("detail", case))
    assert response.status_code == 200
    body = response.json()
    assert not set(IDENTITY_FIELDS) & set(body)
    assert CANARY not in response.content.decode()
    assert body["code"] == case.code
    entry = AuditEntry.objects.get(action="cases.case.view", object_id=str(case.pk))
    assert entry.extra == {"identity": False}


def test_a_partner_sees_neither_the_case_nor_any_identity(actors):
    case = open_case(data={"given_name": CANARY})
    funding = funding_request(case, actors)
    partner = Api(actors.partner)
    assert partner.get(case_url("detail", case)).status_code == 404
    assert partner.get(LIST_URL).json()["count"] == 0
    inbox = partner.get(FUNDING_URL)
    assert inbox.status_code == 200
    [row] = inbox.json()["results"]
    assert row["id"] == funding.pk and row["case"] == case.code
    assert not set(IDENTITY_FIELDS) & set(row)
    assert CANARY not in inbox.content.decode()


def test_a_tampered_or_unknown_code_is_a_404(actors):
    case = open_case()
    client = Api(actors.worker)
    last = case.code[-1]
    tampered = case.code[:-1] + ("2" if last != "2" else "3")
    assert not is_valid_case_code(tampered)
    for code in (tampered, "RP-0000-00000", "nonsense", case.code.replace("RP-", "XX-")):
        response = client.get(reverse("api:case-detail", kwargs={"code": code}))
        assert response.status_code == 404, code
        assert response["Content-Type"] == "application/json"
        assert client.post(reverse("api:case-protect", kwargs={"code": code})).status_code == 404
    # Codes are case-insensitive, as people type them.
    assert client.get(reverse("api:case-detail", kwargs={"code": case.code.lower()})).status_code == 200


# --- Who sees what ----------------------------------------------------------------------------


def _every_case_endpoint(client: Api, case: Case) -> dict[str, int]:
    """The status of every GET and POST under the case, by URL name."""
    statuses = {f"GET {name}": client.get(case_url(name, case)).status_code for name in CASE_GETS}
    statuses |= {f"POST {name}": client.post(case_url(name, case), {}).status_code for name in CASE_POSTS}
    statuses["PATCH detail"] = client.patch(case_url("detail", case), {"risk_level": "low"}).status_code
    from corett.cases import protocol

    for name in protocol.TRANSITIONS:
        url = case_url(name.replace("_", "-"), case)
        statuses[f"POST {name}"] = client.post(url, {"reason": "x"}).status_code
    statuses["POST consent-withdraw"] = client.post(case_url("consent-withdraw", case, consent_id=1)).status_code
    statuses["POST approval-decide"] = client.post(case_url("approval-decide", case, approval_id=1), {"approve": True}).status_code
    statuses["POST follow-up-report"] = client.post(case_url("follow-up-report", case, follow_up_id=1)).status_code
    return statuses


def test_the_origin_country_gets_404_everywhere_until_the_formal_request(actors):
    case = case_in_stage(Stage.RETURN_DECIDED, data={"given_name": CANARY})
    origin = Api(actors.origin_worker)
    before = _every_case_endpoint(origin, case)
    assert set(before.values()) == {404}, before
    assert origin.get(LIST_URL).json()["count"] == 0
    case.refresh_from_db()
    assert case.stage == Stage.RETURN_DECIDED

    response = Api(actors.worker).post(case_url("request-origin", case))
    assert response.status_code == 409  # the consent to share is missing
    from corett.testing.cases import satisfy

    satisfy(case, "consent_share_origin", actors)
    assert Api(actors.worker).post(case_url("request-origin", case)).status_code == 200

    listed = origin.get(LIST_URL).json()
    assert [row["code"] for row in listed["results"]] == [case.code]
    detail = origin.get(case_url("detail", case))
    assert detail.status_code == 200
    assert detail.json()["given_name"] == CANARY and detail.json()["side"] == "origin"
    assert origin.get(case_url("consents", case)).status_code == 200


def test_a_third_country_never_sees_the_case(actors):
    case = case_in_stage(Stage.REQUESTED_TO_ORIGIN)
    stranger = Api(factories.user_with(Role.CASE_WORKER, "SV", username="cw-sv"))
    statuses = _every_case_endpoint(stranger, case)
    assert set(statuses.values()) == {404}, statuses
    assert stranger.get(LIST_URL).json()["count"] == 0
    supervisor = Api(factories.user_with(Role.CASE_SUPERVISOR, "SV", username="cs-sv"))
    assert supervisor.get(case_url("detail", case)).status_code == 404


@pytest.mark.parametrize(
    "who",
    ["admin_user", "secretariat_user", "presidency_user", "observer_user", "partner_user", "focal_gt",
     "focal_hn", "trainer_gt"],
)
def test_roles_without_cases_get_an_empty_list_and_404_on_every_case_url(request, who):
    case = case_in_stage(Stage.REQUESTED_TO_ORIGIN)
    client = Api(request.getfixturevalue(who))
    response = client.get(LIST_URL)
    assert response.status_code == 200
    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}
    statuses = _every_case_endpoint(client, case)
    assert set(statuses.values()) == {404}, statuses


def test_anonymous_requests_are_refused(client, actors):
    case = open_case()
    assert client.get(LIST_URL).status_code == 401
    assert client.get(case_url("detail", case)).status_code == 401
    assert client.post(case_url("protect", case)).status_code == 401
    assert client.get(FUNDING_URL).status_code == 401


def test_a_bearer_token_and_the_session_both_authenticate(client, client_as, actors):
    from corett.cases.tests.api_support import token_for

    case = open_case()
    raw = token_for(actors.worker)
    response = client.get(case_url("detail", case), headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    assert client.get(case_url("detail", case), headers={"Authorization": "Bearer ctt_wrong"}).status_code == 401
    client.logout()
    assert client_as(actors.worker).get(case_url("detail", case)).status_code == 200


# --- Changing a case --------------------------------------------------------------------------


def test_the_owners_change_a_case_and_the_audit_names_fields_only(actors):
    case = open_case()
    response = Api(actors.worker).patch(
        case_url("detail", case),
        {"risk_level": "critical", "family_name": CANARY, "documents": [{"type": "travel_document", "number": "SC-1"}]},
    )
    assert response.status_code == 200, response.json()
    assert response.json()["family_name"] == CANARY
    case.refresh_from_db()
    assert (case.risk_level, case.family_name) == ("critical", CANARY)
    assert case.documents == [{"type": "travel_document", "number": "SC-1"}]
    entry = AuditEntry.objects.get(action="cases.case.update")
    assert entry.changed_fields == ["documents", "family_name", "risk_level"]
    assert CANARY not in str(entry.content())


def test_a_change_with_bad_input_changes_nothing(actors):
    case = open_case()
    response = Api(actors.worker).patch(
        case_url("detail", case), {"risk_level": "extreme", "birth_date": "2099-01-01"}
    )
    assert response.status_code == 400
    assert set(response.json()) == {"risk_level"}
    response = Api(actors.worker).patch(case_url("detail", case), {"birth_date": "2099-01-01"})
    assert response.status_code == 400 and "birth_date" in response.json()
    before = case.birth_date
    case.refresh_from_db()
    assert case.birth_date == before


def test_the_destination_cannot_change_and_the_origin_is_fixed_once_shared(actors):
    sv = factories.country("SV")
    case = case_in_stage(Stage.REQUESTED_TO_ORIGIN)
    client = Api(actors.worker)
    response = client.patch(case_url("detail", case), {"destination_country": "HND"})
    assert response.status_code == 400 and list(response.json()) == ["destination_country"]
    response = client.patch(case_url("detail", case), {"origin_country": sv.iso3})
    assert response.status_code == 400 and list(response.json()) == ["origin_country"]
    case.refresh_from_db()
    assert case.origin_country.iso2 == "HN"
    # Before the request, the country of origin may still be corrected.
    fresh = open_case()
    assert client.patch(case_url("detail", fresh), {"origin_country": "SLV"}).status_code == 200


def test_the_origin_side_may_read_but_not_change_the_case(actors):
    case = case_in_stage(Stage.REQUESTED_TO_ORIGIN)
    response = Api(actors.origin_worker).patch(case_url("detail", case), {"risk_level": "low"})
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.risk_level != "low"


# --- Lists: filters and query counts ----------------------------------------------------------


def test_the_list_filters_by_stage_countries_and_children(actors):
    child = open_case(child=True)
    adult = open_case(child=False)
    protected = case_in_stage(Stage.PROTECTED, child=False)
    from_sv = open_case(origin="SV", child=False)
    elsewhere = open_case(destination="HN", origin="GT")  # Honduras's own case: never listed here
    client = Api(actors.worker)

    def codes(**params):
        response = client.get(LIST_URL, params)
        assert response.status_code == 200, response.json()
        return {row["code"] for row in response.json()["results"]}

    assert codes() == {child.code, adult.code, protected.code, from_sv.code}
    assert elsewhere.code not in codes()
    assert codes(stage="protected") == {protected.code}
    assert codes(origin="slv") == {from_sv.code}
    assert codes(origin="HND") == {child.code, adult.code, protected.code}
    assert codes(destination="GTM") == codes()
    assert codes(destination="HND") == set()
    assert codes(child="true") == {child.code}
    assert codes(child="false") == {adult.code, protected.code, from_sv.code}
    rows = {row["code"]: row for row in client.get(LIST_URL).json()["results"]}
    assert rows[child.code]["is_child"] is True and rows[adult.code]["is_child"] is False
    assert not set(IDENTITY_FIELDS) & set(rows[child.code])


def test_children_are_told_apart_without_an_estimated_age_too(actors):
    # Opened through the services with a verified birth date and no age in the clear: the
    # list and the filter read the sealed birth date for these rows only.
    today = timezone.localdate()
    minor = open_case(child=False, data={"birth_date": today - dt.timedelta(days=365 * 16), "estimated_age": None})
    adult = open_case(child=False, data={"estimated_age": None})
    unverified = open_case(child=False, data={"age_verified": False, "estimated_age": 40})
    client = Api(actors.worker)
    assert {r["code"] for r in client.get(LIST_URL, {"child": "true"}).json()["results"]} == {minor.code, unverified.code}
    assert {r["code"] for r in client.get(LIST_URL, {"child": "false"}).json()["results"]} == {adult.code}
    rows = {r["code"]: r["is_child"] for r in client.get(LIST_URL).json()["results"]}
    assert rows == {minor.code: True, adult.code: False, unverified.code: True}


def test_a_malformed_filter_is_a_400_not_a_silent_no_op(actors):
    response = Api(actors.worker).get(LIST_URL, {"stage": "flying", "origin": "Honduras", "child": "maybe"})
    assert response.status_code == 400
    assert set(response.json()) == {"stage", "origin", "child"}


def test_deactivated_cases_leave_the_list(actors):
    case = open_case()
    Case.objects.filter(pk=case.pk).update(deactivated_at=timezone.now())
    assert Api(actors.worker).get(LIST_URL).json()["count"] == 0


def _open_cases(n: int) -> None:
    for i in range(n):
        open_case(child=i % 2 == 0)


@pytest.mark.parametrize("more", [False, True])
def test_the_case_list_runs_a_fixed_number_of_queries(actors, more, django_assert_max_num_queries):
    _open_cases(6 if more else 2)
    client = Api(actors.worker)
    # Token and user, last-used stamp, roles, count, page, the sealed birth dates of the
    # verified adults on the page: never one per row.
    with django_assert_max_num_queries(6):
        response = client.get(LIST_URL)
    assert response.json()["count"] == (6 if more else 2)
    # The child filter reads the sealed birth dates of verified ages in one more query.
    with django_assert_max_num_queries(7):
        assert client.get(LIST_URL, {"child": "false", "origin": "HND"}).status_code == 200


@pytest.mark.parametrize("more", [False, True])
def test_the_partners_inbox_runs_a_fixed_number_of_queries(actors, more, django_assert_max_num_queries):
    for _ in range(4 if more else 1):
        funding_request(open_case(), actors)
    client = Api(actors.partner)
    with django_assert_max_num_queries(5):
        response = client.get(FUNDING_URL)
    assert response.json()["count"] == (4 if more else 1)


# --- Schema -----------------------------------------------------------------------------------


def test_every_transition_is_in_the_schema_with_its_refusal(client_as, actors):
    from corett.cases import protocol

    schema = client_as(actors.worker).get(reverse("api-schema"), {"format": "json"}).json()
    for name in protocol.TRANSITIONS:
        path = schema["paths"][f"/api/v1/cases/{{code}}/{name.replace('_', '-')}/"]["post"]
        assert {"200", "403", "404", "409"} <= set(path["responses"]), name
        assert path["summary"]
    decline = schema["paths"]["/api/v1/cases/{code}/decline/"]["post"]
    assert decline["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/ReasonRequest")
    detail = schema["components"]["schemas"]["CaseDetail"]
    assert "given_name" in detail["properties"] and "given_name" not in detail["required"]
