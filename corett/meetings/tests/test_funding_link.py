"""A partner's MoU funding commitment and the repatriation funding requests drawn on it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from corett.accounts.roles import Role
from corett.cases.models import FundingRequest, Stage
from corett.meetings import services
from corett.meetings.tests import builders
from corett.testing import factories
from corett.testing.cases import actors_of, case_in_stage, funding_request, partner_organisation

pytestmark = pytest.mark.django_db


def test_the_mou_page_lists_the_funding_requests_drawn_on_the_commitment(client_as):
    staff = builders.secretariat()
    mou = builders.mou(actor=staff, party=partner_organisation())
    commitment = services.commitment_add(actor=staff, mou=mou, data={
        "party": mou.parties.get(), "kind": "funding", "currency": "usd",
        "description": "Financiar la repatriación de víctimas"})
    assert commitment.currency == "USD"
    case = case_in_stage(Stage.FAMILY_ASSESSED)
    request = funding_request(case)
    FundingRequest.objects.filter(pk=request.pk).update(mou_commitment=commitment)
    assert list(commitment.funding_requests.all()) == [request]

    partner = actors_of(case).partner  # OUR's staff: a party to the MoU and the funder
    page = client_as(partner).get(reverse("meetings:mou_detail", args=[mou.pk])).content.decode()
    assert case.code in page and "con cargo a este compromiso" in page  # the browser reads Spanish

    observer = factories.user_with(Role.OBSERVER, None)
    page = client_as(observer).get(reverse("meetings:mou_detail", args=[mou.pk])).content.decode()
    assert case.code not in page  # the MoU, yes; the case behind the request, never


def test_a_funding_commitment_needs_its_currency():
    staff = builders.secretariat()
    mou = builders.mou(actor=staff)
    with pytest.raises(Exception) as error:
        services.commitment_add(actor=staff, mou=mou, data={
            "party": mou.parties.get(), "kind": "funding", "description": "Fondos"})
    assert "currency" in error.value.message_dict  # type: ignore[attr-defined]

