"""The protocol over the API: every stage reached through POSTs to named actions by the four
people of a return, refusals as 409 naming the failed guards, the wrong side refused (403)."""

from __future__ import annotations

import pytest
from django.utils import translation

from corett.audit.models import AuditEntry
from corett.cases import protocol
from corett.cases.models import Case, FollowUp, Stage
from corett.cases.tests.api_support import LIST_URL, Api, case_url
from corett.testing.cases import case_actors, case_in_stage, satisfy

pytestmark = pytest.mark.django_db


@pytest.fixture
def actors(db):
    return case_actors("GT", "HN")


def step(client: Api, case_code: str, action: str, data: dict | None = None, *, expect: int = 200) -> dict:
    response = client.post(case_url(action, case_code), data or {})
    assert response.status_code == expect, (action, response.status_code, response.json())
    return response.json()


def refused(client: Api, case_code: str, action: str, data: dict | None = None) -> list[str]:
    """POST a transition that must be refused; the codes of the guards that failed."""
    body = step(client, case_code, action, data, expect=409)
    assert body["transition"] == action.replace("-", "_")
    assert body["detail"]
    assert all(guard["message"] for guard in body["failed_guards"])
    return [guard["code"] for guard in body["failed_guards"]]


def created(response) -> dict:
    assert response.status_code == 201, response.json()
    return response.json()


def test_a_childs_return_goes_through_every_stage_over_the_api(actors):
    worker, supervisor = Api(actors.worker), Api(actors.supervisor)
    origin, partner = Api(actors.origin_worker), Api(actors.partner)
    stages = []

    body = created(worker.post(LIST_URL, {
        "given_name": "Ana Lucía", "family_name": "Ejemplo", "birth_date": "2013-03-14", "sex": "female",
        "citizenship": "HND", "destination_country": "GTM", "origin_country": "HND",
        "status_decided_by": "CourtOrProsecution",
    }))
    code = body["code"]
    stages.append(body["stage"])

    def consent(purpose: str) -> None:
        created(worker.post(case_url("consents", code), {"purpose": purpose, "given_by": "guardian"}))

    def approved(kind: str) -> None:
        approval = created(worker.post(case_url("approvals", code), {"kind": kind}))
        response = supervisor.post(case_url("approval-decide", code, approval_id=approval["id"]), {"approve": True})
        assert response.status_code == 200 and response.json()["state"] == "approved"

    def person(role: str, **extra) -> None:
        created(worker.post(case_url("related-people", code), {"role": role, "full_name": f"{role} ficticio", **extra}))

    def move(client: Api, action: str, data: dict | None = None) -> None:
        stages.append(step(client, code, action, data)["stage"])

    assert refused(worker, code, "protect") == ["consent_processing"]
    consent("processing")
    move(worker, "protect")

    assert refused(worker, code, "notify-consulate") == ["guardian"]
    person("guardian", relationship="Procuraduría de la niñez")
    move(worker, "notify-consulate")
    move(worker, "start-assessment")

    assert refused(worker, code, "decide-return") == ["consent_return", "return_approved"]
    consent("return")
    approved("return_decision")
    move(worker, "decide-return")

    # Until the formal request the country of origin does not know the case exists.
    assert origin.get(case_url("detail", code)).status_code == 404
    assert refused(worker, code, "request-origin") == ["consent_share_origin"]
    consent("share_origin")
    move(worker, "request-origin")
    assert origin.get(case_url("detail", code)).status_code == 200

    assert refused(origin, code, "accept") == ["origin_contacts"]
    move(origin, "accept", {"contact": actors.origin_contact.pk, "alternate": actors.origin_alternate.pk})
    case = Case.objects.get(code=code)
    assert (case.origin_contact, case.origin_alternate) == (actors.origin_contact, actors.origin_alternate)

    assert refused(origin, code, "assess-family") == ["caregiver_ready"]
    person("caregiver", relationship="Abuela", agreed=True, able_to_care=True, assessment="Favorable (ficticia).")
    move(origin, "assess-family")

    assert refused(worker, code, "request-funding") == ["consent_share_funder", "funding_asked"]
    consent("share_funder")
    funding = created(worker.post(case_url("funding-requests", code), {
        "partner": actors.partner_organisation.pk, "currency": "USD", "route": "GUA - SAP, by air",
        "items": [{"description": "Air fare", "amount": "420.00"}, {"description": "Escort", "amount": "150"}],
        "travel_on": "2026-12-20",
    }))
    assert funding["total"] == "570.00"
    move(worker, "request-funding")

    assert refused(worker, code, "confirm-funding") == ["funding_committed"]
    advance = partner.post(f"/api/v1/funding-requests/{funding['id']}/advance/", {"state": "committed"})
    assert advance.status_code == 200 and advance.json()["state"] == "committed"
    move(worker, "confirm-funding")

    assert refused(worker, code, "schedule-travel") == ["documents", "travel_approved", "escort"]
    response = worker.patch(case_url("detail", code), {"documents": [{"type": "travel_document", "number": "SC-1"}]})
    assert response.status_code == 200
    approved("travel_plan")
    person("escort", relationship="Oficial de protección")
    move(worker, "schedule-travel")
    move(worker, "depart")
    move(origin, "receive")
    move(origin, "start-reintegration")

    follow_ups = origin.get(case_url("follow-ups", code)).json()
    assert [f["months_after_return"] for f in follow_ups] == [3, 6, 12]
    report = origin.post(
        case_url("follow-up-report", code, follow_up_id=follow_ups[0]["id"]),
        {"report": "Asiste a la escuela (ficticio).", "reported_on": "2026-11-20"},
    )
    assert report.status_code == 200, report.json()
    # The destination reads what the origin reported.
    assert worker.get(case_url("follow-ups", code)).json()[0]["report"] == "Asiste a la escuela (ficticio)."

    assert refused(worker, code, "close") == ["closure_approved"]
    approved("closure")
    move(worker, "close")

    assert stages == [
        "identified", "protected", "consular_notification", "assessing", "return_decided",
        "requested_to_origin", "accepted_by_origin", "family_assessed", "funding_requested", "funded",
        "travel_scheduled", "in_transit", "received", "reintegration", "closed",
    ]
    history = worker.get(case_url("stage-history", code)).json()
    assert [h["transition"] for h in history] == [
        "open", "protect", "notify_consulate", "start_assessment", "decide_return", "request_origin", "accept",
        "assess_family", "request_funding", "confirm_funding", "schedule_travel", "depart", "receive",
        "start_reintegration", "close",
    ]
    # The partner disburses; the owners of the case reconcile.
    for who, state in ((partner, "disbursed"), (worker, "reconciled")):
        response = who.post(f"/api/v1/funding-requests/{funding['id']}/advance/", {"state": state})
        assert response.status_code == 200 and response.json()["state"] == state
    audited = set(AuditEntry.objects.filter(action__startswith="cases.transition.").values_list("action", flat=True))
    assert {f"cases.transition.{name}" for name in history_names(history)} == audited


def history_names(history: list[dict]) -> list[str]:
    return [h["transition"] for h in history if h["transition"] != "open"]


def test_a_refusal_changes_nothing_and_is_translated(actors):
    case = case_in_stage(Stage.IDENTIFIED)
    for language in ("en", "es"):
        response = Api(actors.worker, language=language).post(case_url("protect", case))
        assert response.status_code == 409
        assert response["Content-Language"] == language
        with translation.override(language):
            assert response.json()["failed_guards"] == [
                {"code": "consent_processing", "message": str(protocol.CONSENT_PROCESSING.message)}
            ]
            assert response.json()["detail"] == translation.gettext("This step of the protocol cannot be taken now.")
    case.refresh_from_db()
    assert case.stage == Stage.IDENTIFIED
    assert not AuditEntry.objects.filter(action="cases.transition.protect").exists()


def test_a_step_from_the_wrong_stage_is_a_409_naming_the_stage(actors):
    case = case_in_stage(Stage.IDENTIFIED)
    body = step(Api(actors.worker), case.code, "depart", expect=409)
    assert [g["code"] for g in body["failed_guards"]] == ["stage"]
    assert "Identified" in body["failed_guards"][0]["message"]


def test_the_wrong_side_is_refused_with_403_and_audited(actors):
    case = case_in_stage(Stage.REQUESTED_TO_ORIGIN)
    origin, worker = Api(actors.origin_worker), Api(actors.worker)
    for action in ("suspend", "cancel", "request-funding", "close"):
        assert origin.post(case_url(action, case), {"reason": "x"}).status_code == 403, action
    satisfy(case, "origin_contacts", actors)
    assert worker.post(case_url("accept", case)).status_code == 403
    assert worker.post(case_url("decline", case), {"reason": "x"}).status_code == 403
    case.refresh_from_db()
    assert case.stage == Stage.REQUESTED_TO_ORIGIN
    refusal = AuditEntry.objects.filter(action="access.denied", actor_id=actors.worker.pk).first()
    assert refusal is not None and refusal.extra["permission"] == "cases.transition_origin"


def test_the_origin_declines_with_reasons_that_only_the_two_sides_read(actors):
    case = case_in_stage(Stage.REQUESTED_TO_ORIGIN)
    origin = Api(actors.origin_worker)
    assert refused(origin, case.code, "decline", {"reason": "   "}) == ["decline_reason"]
    assert step(origin, case.code, "decline", {"reason": "Sin albergue disponible."})["stage"] == "declined_by_origin"
    detail = Api(actors.worker).get(case_url("detail", case)).json()
    assert detail["origin_decline_reason"] == "Sin albergue disponible."
    entry = AuditEntry.objects.get(action="cases.transition.decline")
    assert "Sin albergue" not in str(entry.content())


def test_accepting_names_both_contacts_or_none(actors):
    case = case_in_stage(Stage.REQUESTED_TO_ORIGIN)
    origin = Api(actors.origin_worker)
    response = origin.post(case_url("accept", case), {"contact": actors.origin_contact.pk})
    assert response.status_code == 400 and list(response.json()) == ["alternate"]
    response = origin.post(
        case_url("accept", case), {"contact": actors.origin_contact.pk, "alternate": actors.origin_contact.pk}
    )
    assert response.status_code == 400 and list(response.json()) == ["alternate"]
    case.refresh_from_db()
    assert case.origin_contact is None and case.stage == Stage.REQUESTED_TO_ORIGIN


def test_a_refused_acceptance_keeps_the_contacts_unset(actors, monkeypatch):
    case = case_in_stage(Stage.REQUESTED_TO_ORIGIN)
    extra = protocol.Guard("test_guard", "Never holds.", lambda case, data: False)  # type: ignore[arg-type]
    accept = protocol.TRANSITIONS["accept"]
    monkeypatch.setitem(
        protocol.TRANSITIONS, "accept",
        protocol.Transition(accept.name, accept.label, accept.sources, accept.target, accept.side, (*accept.guards, extra)),
    )
    body = step(Api(actors.origin_worker), case.code, "accept",
                {"contact": actors.origin_contact.pk, "alternate": actors.origin_alternate.pk}, expect=409)
    assert [g["code"] for g in body["failed_guards"]] == ["test_guard"]
    case.refresh_from_db()
    assert case.origin_contact is None, "nothing half-saved"


def test_suspend_and_resume_where_it_stopped(actors):
    case = case_in_stage(Stage.ASSESSING)
    worker = Api(actors.worker)
    assert refused(worker, case.code, "suspend") == ["reason"]
    assert step(worker, case.code, "suspend", {"reason": "Orden judicial."})["stage"] == "suspended"
    assert step(worker, case.code, "resume")["stage"] == "assessing"


def test_an_alternative_solution_then_a_reopening(actors):
    case = case_in_stage(Stage.ASSESSING)
    worker = Api(actors.worker)
    response = worker.post(case_url("choose-alternative", case), {"alternative": "mars"})
    assert response.status_code == 400 and list(response.json()) == ["alternative"]
    assert refused(worker, case.code, "choose-alternative") == ["alternative"]
    assert step(worker, case.code, "choose-alternative", {"alternative": "asylum"})["stage"] == "alternative_solution"
    case.refresh_from_db()
    assert case.alternative_solution == "asylum"
    assert refused(worker, case.code, "reopen") == ["reason"]
    assert step(worker, case.code, "reopen", {"reason": "Nueva información."})["stage"] == "assessing"


def test_a_case_is_cancelled_with_a_reason(actors):
    case = case_in_stage(Stage.PROTECTED)
    worker = Api(actors.worker)
    assert refused(worker, case.code, "cancel", {"reason": ""}) == ["reason"]
    assert step(worker, case.code, "cancel", {"reason": "Duplicado."})["stage"] == "cancelled"
    assert refused(worker, case.code, "cancel", {"reason": "Otra vez."}) == ["stage"]


def test_the_follow_ups_are_reported_by_the_origin_only(actors):
    case = case_in_stage(Stage.REINTEGRATION)
    follow_up = FollowUp.objects.filter(case=case).order_by("due_on").first()
    assert follow_up is not None
    url = case_url("follow-up-report", case, follow_up_id=follow_up.pk)
    payload = {"report": "Bien (ficticio).", "reported_on": "2026-11-01"}
    assert Api(actors.worker).post(url, payload).status_code == 403
    origin = Api(actors.origin_worker)
    response = origin.post(url, {**payload, "reported_on": "2099-01-01"})
    assert response.status_code == 400 and list(response.json()) == ["reported_on"]
    assert origin.post(url, payload).status_code == 200
    follow_up.refresh_from_db()
    assert follow_up.report == "Bien (ficticio)." and follow_up.reported_by == actors.origin_worker
    other = case_in_stage(Stage.REINTEGRATION)
    foreign = FollowUp.objects.filter(case=other).first()
    assert foreign is not None
    # A follow-up of another case, reached through this case's URL: 404.
    assert origin.post(case_url("follow-up-report", case, follow_up_id=foreign.pk), payload).status_code == 404
