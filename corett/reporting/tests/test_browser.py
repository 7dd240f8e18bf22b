"""The entry form's breakdown by citizenship in a real browser: a country typed as people write it
is stored as its ISO code, the page passes axe-core, and it keeps its Content-Security-Policy."""

from __future__ import annotations

import os

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client

from corett.reporting.models import Value
from corett.reporting.tests import helpers
from corett.testing import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def test_a_focal_point_enters_citizenships_in_the_form(page, live_server):
    from corett.accounts.roles import Role

    gt = factories.country("GT")
    ds = helpers.data_set()
    _sign_in(page, live_server, factories.user_with(Role.FOCAL_POINT, "GT", username="focal-gt"))
    page.goto(f"/reporting/{ds.code}/GT/entry/")
    for index, element in enumerate(ds.elements()):
        if element.key in helpers.GOOD:
            page.fill(f"#id_v_{index}", str(helpers.GOOD[element.key]))
    page.fill("#id_citizenship_country_0", "guatemalteca")
    page.fill("#id_citizenship_count_0", "30")
    page.fill("#id_citizenship_country_1", "Atlantis")
    page.fill("#id_citizenship_count_1", "10")
    page.click("[data-testid=entry-save]")
    error = page.locator("#id_citizenship_country_1_error")
    assert "Atlantis" in error.inner_text()
    violations = [v for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")]
    assert violations == []
    if os.environ.get("REPORTING_SCREENSHOTS"):
        page.screenshot(path=f"{os.environ['REPORTING_SCREENSHOTS']}/entry.png", full_page=True)
    page.fill("#id_citizenship_country_1", "HND · Honduras")
    page.click("[data-testid=entry-save]")
    page.wait_for_url(f"**/reporting/{ds.code}/GT/")
    assert page.locator("[data-testid='value-detected_victims.citizenship.HND']").inner_text() == "10"
    if os.environ.get("REPORTING_SCREENSHOTS"):
        page.screenshot(path=f"{os.environ['REPORTING_SCREENSHOTS']}/detail.png", full_page=True)
    assert dict(Value.objects.filter(submission__country=gt, element__contains="citizenship")
                .values_list("element", "value")) == {"detected_victims.citizenship.GTM": 30,
                                                       "detected_victims.citizenship.HND": 10}
