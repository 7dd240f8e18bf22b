"""Directory pages in a real browser: htmx live search, and axe-core on every page and form.

The ``browser`` and ``page`` fixtures (Debian's chromium; a Content-Security-Policy violation
fails the test) come from tests/browser/conftest.py.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client

from corett.accounts.roles import Role
from corett.directory.models import CoalitionMembership, SecretariatTerm, Visibility
from corett.testing import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, live_server, user) -> None:
    """Hand the browser a session (the login journey itself is tested in the accounts app)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def _serious(axe: Axe, page) -> list[str]:
    results = axe.run(page)
    return [
        f"{page.url} {v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def directory():
    gt, hn = factories.country("GT"), factories.country("HN")
    svet = factories.OrganisationFactory.create(country=gt, name="SVET", acronym="SVET", email="info@svet.example.org")
    cicesct = factories.OrganisationFactory.create(country=hn, name="CICESCT")
    CoalitionMembership.objects.create(organisation=svet, status="member", started_on=dt.date(2011, 1, 1))
    factories.OrganisationFactory.create_batch(30, country=gt)
    focal = factories.PersonFactory.create(
        organisation=svet, full_name="Enlace Guatemala", is_focal_point=True, visibility=Visibility.COALITION
    )
    factories.PersonFactory.create(organisation=cicesct, full_name="Enlace Honduras", is_focal_point=True)
    factories.PresidencyTermFactory.create(country=gt)
    SecretariatTerm.objects.create(organisation=svet, head=focal, started_on=dt.date(2024, 1, 1))
    return {"svet": svet, "focal": focal}


def test_live_search_refreshes_the_results_in_place_and_keeps_the_url(page, live_server, directory):
    _sign_in(page, live_server, factories.user_with(Role.FOCAL_POINT, "GT", username="focal-gt"))
    page.goto("/directory/organisations/")
    page.evaluate("window.__stillTheSamePage = true")
    page.fill("#id_q", "SVET")
    page.wait_for_url(re.compile(r"q=SVET"))
    results = page.locator("#organisation-results")
    results.locator("tbody tr", has_text="SVET").wait_for()
    assert results.locator("[role=status]").inner_text().startswith("1 ")
    assert results.locator("tbody tr").count() == 1
    assert page.evaluate("window.__stillTheSamePage") is True  # htmx swapped the table only

    page.fill("#id_q", "")
    page.select_option("#id_country", "HN")
    page.wait_for_url(re.compile(r"country=HN"))
    results.locator("tbody tr", has_text="CICESCT").wait_for()
    assert results.locator("tbody tr").count() == 1
    assert page.evaluate("window.__stillTheSamePage") is True


def test_the_search_works_without_javascript(browser, live_server, directory):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        _sign_in(page, live_server, factories.user_with(Role.OBSERVER, None, username="observer"))
        page.goto("/directory/people/")
        page.fill("#id_q", "Enlace")
        page.click("form[role=search] button[type=submit]")
        page.wait_for_url(re.compile(r"q=Enlace"))
        # Honduras' country-only contact stays hidden from a regional observer.
        assert page.locator("#person-results tbody tr").count() == 1
    finally:
        context.close()


def test_every_directory_page_has_no_serious_accessibility_violations(page, live_server, directory):
    _sign_in(page, live_server, factories.user_with(Role.SECRETARIAT, None, username="secretariat"))
    svet, focal = directory["svet"], directory["focal"]
    term = SecretariatTerm.objects.get()
    paths = [
        "/directory/countries/",
        "/directory/countries/GT/",
        "/directory/countries/GT/edit/",
        "/directory/organisations/",
        "/directory/organisations/?page=2&sort=-name",
        f"/directory/organisations/{svet.pk}/",
        "/directory/organisations/new/",
        f"/directory/organisations/{svet.pk}/edit/",
        f"/directory/organisations/{svet.pk}/memberships/new/",
        "/directory/people/",
        f"/directory/people/{focal.pk}/",
        "/directory/people/new/",
        f"/directory/people/{focal.pk}/edit/",
        "/directory/offices/",
        "/directory/offices/presidency/new/",
        "/directory/offices/secretariat/new/",
        f"/directory/offices/secretariat/{term.pk}/edit/",
    ]
    axe = Axe()
    problems: list[str] = []
    for path in paths:
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        assert page.locator("h1").count() == 1, path
        problems += _serious(axe, page)

    # A form sent back with errors at its fields.
    page.goto(f"/directory/organisations/{svet.pk}/edit/")
    page.fill("#id_website", "not a website")
    page.eval_on_selector("form.directory-form", "form => form.noValidate = true")
    page.click("form.directory-form button[type=submit]")
    page.locator("#id_website_error").wait_for()
    assert page.get_attribute("#id_website", "aria-invalid") == "true"
    problems += _serious(axe, page)
    assert problems == []
