"""A Honduran child identified in Guatemala goes home, through every stage of the protocol, by
HTTP only: a Guatemalan case worker and supervisor, a Honduran case worker and the partner that
pays (Operation Underground Railroad). Each refused step is shown with its reasons first."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from corett.audit.models import AuditEntry
from corett.cases.models import Case, FundingRequest, Stage
from corett.cases.tests.views_support import (  # noqa: F401  (fixtures)
    CANARY_FAMILY,
    CANARY_GIVEN,
    english,
    hn_contacts_fixture,
    our_fixture,
    partner_our_fixture,
)

pytestmark = pytest.mark.django_db


class Actor:
    """One person's browser: their own test client, signed in (past 2FA), reading English."""

    def __init__(self, user, login) -> None:
        self.user = user
        self.client = english(login(Client(), user))
        self.seen: list[str] = []

    def get(self, url: str):
        response = self.client.get(url)
        self.seen.append(response.content.decode())
        return response

    def post(self, url: str, data: dict | None = None, expect: int = 302):
        response = self.client.post(url, data or {})
        assert response.status_code == expect, (url, response.status_code, _alerts(response))
        self.seen.append(response.content.decode())
        return response


def _alerts(response) -> str:
    context = getattr(response, "context", None)
    return str(context.get("errors")) if context else ""


def _step(actor: Actor, case: Case, name: str, data: dict | None = None, expect: int = 302):
    return actor.post(reverse("cases:transition", args=[case.code, name]), data, expect=expect)


def _stage(case: Case) -> str:
    case.refresh_from_db()
    return case.stage


def _unmet(actor: Actor, case: Case, name: str) -> list[str]:
    page = actor.get(case.get_absolute_url())
    return next(o["unmet"] for o in page.context["transitions"] if o["transition"].name == name)


def test_a_child_goes_home_through_every_stage(
    login, caseworker_gt, supervisor_gt, caseworker_hn, partner_our, our, hn_contacts, gt, hn
):
    worker, supervisor = Actor(caseworker_gt, login), Actor(supervisor_gt, login)
    origin, partner = Actor(caseworker_hn, login), Actor(partner_our, login)

    # Identified: the Guatemalan case worker opens the case.
    today = timezone.localdate()
    response = worker.post("/cases/new/", {
        "given_name": CANARY_GIVEN, "family_name": CANARY_FAMILY, "estimated_age": "13", "sex": "female",
        "citizenships": ["HND"], "languages": ["es"], "identifying_organisation": caseworker_gt.organisation_id,
        "origin_country": hn.pk, "identified_on": (today - dt.timedelta(days=10)).isoformat(),
        "risk_level": "high", "trafficking_status": "ActualVictimOfTrafficking", "status_decided_by": "Police",
        "forms_of_exploitation": ["ForcedBegging"],
        "documents-TOTAL_FORMS": "1", "documents-INITIAL_FORMS": "0",
        "documents-0-kind": "birth_certificate", "documents-0-number": "0801-2013-12345",
        "documents-0-issuer": "RNP",
    })
    case = Case.objects.get()
    assert response["Location"] == case.get_absolute_url()
    assert origin.client.get(case.get_absolute_url()).status_code == 404  # not shared yet

    # Protected: consent to processing (the guardian's, for a child) and a guardian.
    assert _unmet(worker, case, "protect") == ["The consent to process personal data has not been recorded."]
    _step(worker, case, "protect", expect=409)
    worker.post(reverse("cases:consent_add", args=[case.code]), {"purpose": "processing", "given_by": "guardian"})
    _step(worker, case, "protect")
    assert _stage(case) == Stage.PROTECTED

    # Consular notification and assessment: a child needs a guardian first.
    assert _unmet(worker, case, "notify_consulate") == ["A child needs a guardian appointed first."]
    worker.post(reverse("cases:related_person_add", args=[case.code]), {
        "role": "guardian", "full_name": "Procuraduría de la Niñez", "appointed_on": today.isoformat(),
    })
    _step(worker, case, "notify_consulate")
    _step(worker, case, "start_assessment")
    assert _stage(case) == Stage.ASSESSING

    # Return decided: consent to return and the supervisor's best-interests determination.
    assert len(_unmet(worker, case, "decide_return")) == 2
    worker.post(reverse("cases:consent_add", args=[case.code]), {"purpose": "return", "given_by": "guardian"})
    worker.post(reverse("cases:approval_request", args=[case.code]), {"kind": "return_decision"})
    approval = case.approvals.get(kind="return_decision")
    worker.post(reverse("cases:approval_decide", args=[case.code, approval.pk]), {"decision": "approve"},
                expect=403)
    supervisor.post(reverse("cases:approval_decide", args=[case.code, approval.pk]), {"decision": "approve"})
    _step(worker, case, "decide_return")

    # Requested to the country of origin: from now on Honduras sees the case.
    _step(worker, case, "request_origin", expect=409)
    worker.post(reverse("cases:consent_add", args=[case.code]), {"purpose": "share_origin", "given_by": "guardian"})
    _step(worker, case, "request_origin")
    assert _stage(case) == Stage.REQUESTED_TO_ORIGIN
    assert origin.get(case.get_absolute_url()).status_code == 200

    # Accepted by the origin, which names a contact and an alternate first.
    assert _unmet(origin, case, "accept") == ["The country of origin must name a contact and an alternate."]
    contact, alternate = hn_contacts
    origin.post(reverse("cases:origin_contacts", args=[case.code]), {"contact": contact.pk, "alternate": alternate.pk})
    _step(origin, case, "accept")
    assert _stage(case) == Stage.ACCEPTED_BY_ORIGIN

    # Family assessed: a caregiver who agreed and can care (recorded by the owners).
    _step(origin, case, "assess_family", expect=409)
    worker.post(reverse("cases:related_person_add", args=[case.code]), {
        "role": "caregiver", "full_name": "Abuela materna", "relationship": "abuela", "agreed": "on",
        "able_to_care": "on", "assessment": "Hogar apto, visita de DINAF",
    })
    _step(origin, case, "assess_family")
    assert _stage(case) == Stage.FAMILY_ASSESSED

    # Funding requested from the partner, with consent to share with a funder.
    assert len(_unmet(worker, case, "request_funding")) == 2
    worker.post(reverse("cases:consent_add", args=[case.code]), {"purpose": "share_funder", "given_by": "guardian"})
    worker.post(reverse("cases:funding_request_add", args=[case.code]), {
        "partner": our.pk, "currency": "USD", "route": "Guatemala City to Tegucigalpa",
        "travel_on": (today + dt.timedelta(days=15)).isoformat(),
        "items-TOTAL_FORMS": "2", "items-INITIAL_FORMS": "0",
        "items-0-description": "Air tickets (child and escort)", "items-0-amount": "640.00",
        "items-1-description": "Meals and local transport", "items-1-amount": "85.50",
    })
    _step(worker, case, "request_funding")
    assert _stage(case) == Stage.FUNDING_REQUESTED

    # Funded: the partner commits in its inbox, then the owners confirm.
    _step(worker, case, "confirm_funding", expect=409)
    inbox = partner.get("/cases/funding/")
    assert case.code in inbox.content.decode() and "725.50 USD" in inbox.content.decode()
    funding = FundingRequest.objects.get()
    partner.post(reverse("cases:funding_advance", args=[funding.pk]), {"state": "committed"})
    _step(worker, case, "confirm_funding")
    assert _stage(case) == Stage.FUNDED

    # Travel scheduled: an approved travel plan and an escort for the child.
    assert len(_unmet(worker, case, "schedule_travel")) == 2
    worker.post(reverse("cases:related_person_add", args=[case.code]), {
        "role": "escort", "full_name": "Oficial de la PGN", "appointed_on": today.isoformat(),
    })
    worker.post(reverse("cases:approval_request", args=[case.code]), {"kind": "travel_plan"})
    approval = case.approvals.get(kind="travel_plan")
    supervisor.post(reverse("cases:approval_decide", args=[case.code, approval.pk]), {"decision": "approve"})
    _step(worker, case, "schedule_travel")

    # In transit, received by the origin, reintegration with planned follow-ups.
    _step(worker, case, "depart")
    _step(worker, case, "receive", expect=403)  # the origin records the handover
    _step(origin, case, "receive")
    _step(origin, case, "start_reintegration")
    assert _stage(case) == Stage.REINTEGRATION
    follow_ups = list(case.follow_ups.order_by("months_after_return"))
    assert [f.months_after_return for f in follow_ups] == [3, 6, 12]
    origin.post(reverse("cases:follow_up_report", args=[case.code, follow_ups[0].pk]), {
        "reported_on": today.isoformat(), "report": "Asiste a la escuela y vive con su abuela.",
    })
    partner.post(reverse("cases:funding_advance", args=[funding.pk]), {"state": "disbursed"})

    # Closed, with the supervisor's approval of the closure.
    assert _unmet(worker, case, "close") == ["The closure has not been approved by a case supervisor."]
    worker.post(reverse("cases:approval_request", args=[case.code]), {"kind": "closure"})
    approval = case.approvals.get(kind="closure")
    supervisor.post(reverse("cases:approval_decide", args=[case.code, approval.pk]), {"decision": "approve"})
    _step(worker, case, "close", {"reason": ""})
    assert _stage(case) == Stage.CLOSED

    # Every stage of the main line was passed, in order, and each step audited.
    path = [c.to_stage for c in case.stage_changes.order_by("at", "id")]
    assert path == [
        "identified", "protected", "consular_notification", "assessing", "return_decided",
        "requested_to_origin", "accepted_by_origin", "family_assessed", "funding_requested", "funded",
        "travel_scheduled", "in_transit", "received", "reintegration", "closed",
    ]
    transitions = AuditEntry.objects.filter(action__startswith="cases.transition.", object_id=str(case.pk))
    assert transitions.count() == 14

    # The owners' page: the final stage marked, the origin's report, the origin's looks logged.
    page = worker.get(case.get_absolute_url())
    assert page.context["steps"][-1] == {"stage": Stage.CLOSED, "label": Stage.CLOSED.label, "state": "current"}
    follow_up = worker.get(reverse("cases:follow_up", args=[case.code])).content.decode()
    assert "Asiste a la escuela y vive con su abuela." in follow_up
    history = worker.get(reverse("cases:history", args=[case.code]))
    assert caseworker_hn.username in [row["actor"] for row in history.context["access_log"]]
    # The partner worked the whole return without ever seeing who travelled.
    for seen in partner.seen:
        assert CANARY_GIVEN not in seen and CANARY_FAMILY not in seen and "Abuela materna" not in seen
    assert partner.client.get(case.get_absolute_url()).status_code == 404
