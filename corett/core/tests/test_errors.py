"""Error pages: translated, and the 500 page survives a database that is down."""

from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper

pytestmark = [pytest.mark.django_db, pytest.mark.urls("corett.core.tests.urls_errors")]

SPANISH_CATALOGUE = Path(settings.LOCALE_PATHS[0]) / "es" / "LC_MESSAGES" / "django.mo"
needs_spanish_catalogue = pytest.mark.skipif(
    not SPANISH_CATALOGUE.exists(), reason="the Spanish catalogue is compiled at release"
)


def test_the_404_page_speaks_english_when_the_language_cookie_says_so(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert '<html lang="en">' in body
    assert "Page not found" in body


def test_the_403_page_speaks_english_when_the_browser_asks_for_it(client):
    response = client.get("/__test__/forbidden/", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert response.status_code == 403
    body = response.content.decode()
    assert '<html lang="en">' in body
    assert "Access denied" in body


def test_error_pages_default_to_spanish(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert '<html lang="es">' in response.content.decode()


@needs_spanish_catalogue
def test_error_pages_are_translated_into_spanish(client):
    assert "Page not found" not in client.get("/no/such/page/").content.decode()
    assert "Access denied" not in client.get("/__test__/forbidden/").content.decode()


def test_the_500_page_renders_without_the_database(client):
    client.raise_request_exception = False
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    # The database is down for the whole request: any query the error page tried would fail.
    with mock.patch.object(BaseDatabaseWrapper, "cursor", side_effect=OperationalError("down")):
        response = client.get("/__test__/explode/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Server error" in body
    assert "boom" not in body  # no internals on the page


def test_the_500_page_runs_no_query(client, django_assert_num_queries):
    client.raise_request_exception = False
    with django_assert_num_queries(0):
        response = client.get("/__test__/explode/")
    assert response.status_code == 500
    assert '<html lang="es">' in response.content.decode()


def test_an_unknown_api_object_is_a_json_404_not_an_html_page(client, client_as, focal_gt):
    response = client_as(focal_gt).get("/api/v1/people/999999/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
