"""The API under /api/v1/training/: same policy and services as the pages."""

from __future__ import annotations

import pytest

from corett.training.models import Certificate, Registration, SessionState
from corett.training.tests import builders

pytestmark = pytest.mark.django_db

API = "/api/v1/training"


def test_the_organiser_registers_and_over_capacity_gets_a_400_at_the_field(client_as, trainer_gt):
    session = builders.session(capacity=1, waiting_list=False)
    client = client_as(trainer_gt)
    person = {"full_name": "Ana Pérez", "email": "ana@example.org", "institution": "SVET",
              "institution_type": "national_commission", "country": "GT", "sex": "female"}
    first = client.post(f"{API}/sessions/{session.pk}/register/", person, content_type="application/json")
    assert first.status_code == 201 and first.json()["status"] == "confirmed"
    again = client.post(f"{API}/sessions/{session.pk}/register/", person, content_type="application/json")
    assert again.status_code == 400 and "already registered" in again.json()["email"][0]
    full = client.post(f"{API}/sessions/{session.pk}/register/", {**person, "email": "otra@example.org"},
                       content_type="application/json")
    assert full.status_code == 400 and "The session is full" in str(full.json())
    assert Registration.objects.count() == 1


def test_another_countrys_focal_point_gets_a_404_for_a_sessions_registrations(client_as, focal_hn):
    session = builders.session()
    builders.registration(session)
    assert client_as(focal_hn).get(f"{API}/sessions/{session.pk}/registrations/").status_code == 403


def test_attendance_issue_and_revoke_through_the_api(client_as, trainer_gt):
    session = builders.session(state=SessionState.RUNNING, days=1)
    registration = builders.registration(session)
    builders.completed(registration)
    stranger = builders.registration(builders.session())
    client = client_as(trainer_gt)
    bad = client.post(f"{API}/sessions/{session.pk}/attendance/", {"day": session.starts_on.isoformat(),
                      "present": [registration.pk, stranger.pk]}, content_type="application/json")
    assert bad.status_code == 400 and "not registered" in bad.json()["present"][0]
    moved = client.post(f"{API}/sessions/{session.pk}/transition/", {"state": "completed"}, content_type="application/json")
    assert moved.json()["state"] == "completed"
    issued = client.post(f"{API}/sessions/{session.pk}/issue-certificates/", {"language": "en"}, content_type="application/json")
    assert issued.status_code == 201 and len(issued.json()) == 1
    pk = Certificate.objects.get().pk
    refused = client.post(f"{API}/certificates/{pk}/revoke/", {"reason": ""}, content_type="application/json")
    assert refused.status_code == 400
    revoked = client.post(f"{API}/certificates/{pk}/revoke/", {"reason": "Error"}, content_type="application/json")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]


def test_participants_are_scoped_and_figures_suppressed(client_as, trainer_gt, focal_hn, observer_user):
    session = builders.session(state=SessionState.RUNNING)
    builders.completed(builders.registration(session))
    assert client_as(trainer_gt).get(f"{API}/participants/").json()["count"] == 1
    assert client_as(focal_hn).get(f"{API}/participants/").json()["count"] == 0
    assert client_as(observer_user).get(f"{API}/participants/").status_code == 403
    figures = client_as(observer_user).get(f"{API}/figures/").json()
    assert figures["people_trained"] == 0
    assert client_as(observer_user).get(f"{API}/figures/?country=XX").status_code == 400
