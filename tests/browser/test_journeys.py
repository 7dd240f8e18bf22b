"""The main journeys, in a real browser (Debian's chromium driven by Playwright)."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from corett.accounts.roles import Role
from corett.directory.models import Organisation, Visibility
from corett.testing import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"


@pytest.fixture
def coalition():
    factories.country("GT")
    hn = factories.country("HN")
    focal = factories.user_with(Role.FOCAL_POINT, "GT", username="focal-gt")
    TOTPDevice.objects.create(user=focal, name="phone", confirmed=True)
    honduras_org = factories.OrganisationFactory.create(country=hn, name="Comisión privada de Honduras")
    hidden = factories.PersonFactory.create(
        organisation=honduras_org, full_name="Contacto Reservado", visibility=Visibility.COUNTRY
    )
    return {"focal": focal, "own_org": focal.organisation, "hidden": hidden, "honduras_org": honduras_org}


def log_in(page, username: str, device: TOTPDevice) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", factories.TEST_PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_selector("#id_otp_token")
    page.fill("#id_otp_token", current_code(device))
    page.click("[data-testid=otp-submit]")
    page.wait_for_url(re.compile(r"/$"))


def test_a_focal_point_logs_in_with_2fa_works_in_english_edits_own_contact_and_is_refused_elsewhere(
    page, coalition
):
    focal = coalition["focal"]
    log_in(page, "focal-gt", TOTPDevice.objects.get(user=focal))
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.locator("[data-testid=logout]").inner_text() == "Cerrar sesión"

    page.click("[data-testid=lang-en]")
    page.wait_for_load_state()
    assert "Welcome" in page.locator("h1").inner_text()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("[data-testid=logout]").inner_text() == "Log out"

    own = coalition["own_org"]
    page.goto(f"/directory/organisations/{own.pk}/edit/")
    page.fill("#id_phone", "+502 2411 9000")
    page.click("#main form button[type=submit]")
    page.wait_for_url(re.compile(rf"/directory/organisations/{own.pk}/$"))
    assert "+502 2411 9000" in page.content()
    assert Organisation.objects.get(pk=own.pk).phone == "+502 2411 9000"

    refused = page.goto(f"/directory/organisations/{coalition['honduras_org'].pk}/edit/")
    assert refused is not None and refused.status == 403
    assert "Access denied" in page.content()
    hidden = page.goto(f"/directory/people/{coalition['hidden'].pk}/")
    assert hidden is not None and hidden.status == 404
    assert "Contacto Reservado" not in page.content()


MAIN_PAGES = [
    "/",
    "/directory/countries/",
    "/directory/countries/GT/",
    "/directory/organisations/",
    "/directory/people/",
    "/directory/offices/",
    "/accounts/profile/",
]


def test_the_main_pages_have_no_serious_accessibility_violations(page, coalition):
    axe = Axe()
    page.goto("/accounts/login/")
    problems = _serious(axe.run(page))
    log_in(page, "focal-gt", TOTPDevice.objects.get(user=coalition["focal"]))
    pages = [*MAIN_PAGES, f"/directory/organisations/{coalition['own_org'].pk}/",
             f"/directory/organisations/{coalition['own_org'].pk}/edit/"]
    for path in pages:
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        problems += [f"{path}: {p}" for p in _serious(axe.run(page))]
    assert problems == []


def _serious(results) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
