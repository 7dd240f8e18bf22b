from unittest import mock

import pytest
from django.db import DatabaseError, OperationalError, connection
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_it_reports_ok_when_the_database_answers(client):
    response = client.get(reverse("core:healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.parametrize("error", [OperationalError("connection refused"), DatabaseError("gone")])
def test_it_reports_503_when_the_database_is_down(client, error):
    with mock.patch.object(connection, "cursor", side_effect=error):
        response = client.get(reverse("core:healthz"))
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unavailable"}
    assert "connection refused" not in response.content.decode()


def test_it_needs_no_login_even_for_a_user_without_second_factor(client, make_user):
    # An admin without a verified device is redirected everywhere else; the probe still answers.
    from corett.accounts.roles import Role

    admin = make_user(Role.ADMIN, None, username="admin-unverified")
    client.force_login(admin)
    assert client.get(reverse("core:healthz")).status_code == 200


def test_it_only_answers_get(client):
    assert client.post(reverse("core:healthz")).status_code == 405
