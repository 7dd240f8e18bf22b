"""Pages and API details: the personal registration link, the API's filters and scoping."""

from __future__ import annotations

import pytest
from django.core import signing
from django.urls import reverse

from corett.accounts.roles import Role
from corett.meetings import services, views
from corett.meetings.models import Participant
from corett.meetings.tests import builders
from corett.testing import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def participant(db):
    staff = builders.secretariat()
    meeting = builders.meeting(actor=staff, state="convened")
    delegation = services.delegation_add(actor=staff, meeting=meeting, data={
        "organisation": factories.user_with(Role.FOCAL_POINT, "GT").organisation, "capacity": "member"})
    return services.participant_add(actor=staff, delegation=delegation, data={"full_name": "Delegado Dos"})


def test_a_participant_registers_through_the_personal_link(client, participant):
    token = signing.dumps(participant.pk, salt=views.REGISTRATION_SALT)
    url = reverse("meetings:register", args=[token])
    page = client.get(url)
    assert "Delegado Dos" in page.content.decode() and page["Referrer-Policy"] == "no-referrer"
    client.post(url, {"attendance": "registered"})
    participant.refresh_from_db()
    assert participant.attendance == "registered" and participant.registered_at is not None


def test_a_tampered_or_foreign_token_is_not_found(client, participant):
    token = signing.dumps(participant.pk, salt=views.REGISTRATION_SALT)
    assert client.get(reverse("meetings:register", args=[token[:-2] + "xx"])).status_code == 404
    other = signing.dumps(participant.pk, salt="another.purpose")
    assert client.get(reverse("meetings:register", args=[other])).status_code == 404


def test_registration_closes_once_the_meeting_is_held(client, participant):
    meeting = participant.delegation.meeting
    services.meeting_transition(actor=builders.secretariat(), meeting=meeting, to_state="held")
    token = signing.dumps(participant.pk, salt=views.REGISTRATION_SALT)
    response = client.post(reverse("meetings:register", args=[token]), {"attendance": "registered"})
    assert response.status_code == 400
    assert Participant.objects.get().attendance == "invited"


def test_the_api_filters_agreements_and_refuses_a_bad_filter(client_as, db):
    m = builders.meeting(state="held", number=3)
    builders.agreement(m, "A", country="GT")
    builders.agreement(m, "B", country="HN")
    client = client_as(factories.user_with(Role.FOCAL_POINT, "GT"))
    data = client.get(reverse("api:agreement-list") + "?country=hn&meeting=iii-2022").json()
    rows = data["results"] if isinstance(data, dict) else data
    assert [a["code"] for a in rows] == ["III-2022/B"]
    assert client.get(reverse("api:agreement-list") + "?state=finished").status_code == 400


def test_the_api_hides_draft_meetings_from_members(client_as, db):
    builders.meeting()  # a draft
    client = client_as(factories.user_with(Role.FOCAL_POINT, "GT"))
    data = client.get(reverse("api:meeting-list")).json()
    rows = data["results"] if isinstance(data, dict) else data
    assert rows == []


def test_a_partner_sees_only_its_own_memoranda_over_the_api(client_as, db):
    staff = builders.secretariat()
    ours = builders.mou(actor=staff, code="MDE-1")
    builders.mou(actor=staff, code="MDE-2", party=builders.partner("El Pozo de Vida", "EPV"))
    partner = factories.UserFactory.create(organisation=ours.parties.get().organisation, roles=[Role.PARTNER])
    data = client_as(partner).get(reverse("api:mou-list")).json()
    rows = data["results"] if isinstance(data, dict) else data
    assert [m["code"] for m in rows] == ["MDE-1"]
