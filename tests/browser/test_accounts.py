"""Account journeys in a real browser: enrolment, sign-in with a code, the lockout, and the
accessibility of every account page (axe-core: no serious or critical violation).

The ``page`` fixture (Debian's chromium; a CSP violation fails the test) is in conftest.py.
"""

from __future__ import annotations

import re
from base64 import b32decode

import pytest
from axe_playwright_python.sync_playwright import Axe
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from corett.accounts.roles import Role
from corett.accounts.tests.otp import totp_code
from corett.testing import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _password_step(page, username: str, password: str = factories.TEST_PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("[data-testid=login-submit]")


def _sign_in(page, username: str, device: TOTPDevice) -> None:
    _password_step(page, username)
    page.fill("#id_otp_token", totp_code(device))
    with page.expect_navigation():
        page.click("[data-testid=otp-submit]")
    page.wait_for_url(re.compile(r"/$"))


def _serious(axe: Axe, page) -> list[str]:
    results = axe.run(page)
    return [
        f"{page.url} {v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_a_new_case_worker_enrols_then_signs_in_with_a_code(page):
    user = factories.user_with(Role.CASE_WORKER, "GT", username="nueva")
    TOTPDevice.objects.filter(user=user).delete()
    axe = Axe()

    _password_step(page, "nueva")
    # Signed in, but held at the enrolment until a device is confirmed.
    page.goto("/directory/people/")
    page.wait_for_url(re.compile(r"/accounts/two-factor/setup/$"))
    qr = page.locator("[data-testid=totp-qr]")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
    problems = _serious(axe, page)

    secret = page.locator("[data-testid=totp-secret]").inner_text().replace(" ", "")
    key = b32decode(secret + "=" * (-len(secret) % 8))
    page.fill("#id_otp_token", f"{TOTP(key).token():06d}")
    with page.expect_navigation():
        page.click("[data-testid=totp-confirm-submit]")
    codes = page.locator("[data-testid=recovery-codes] li").all_inner_texts()
    assert len(codes) == 10
    problems += _serious(axe, page)
    page.click("[data-testid=recovery-codes-done]")
    page.wait_for_url(re.compile(r"/$"))

    with page.expect_navigation():
        page.click("form[action='/accounts/logout/'] button[type=submit]")
    page.wait_for_url(re.compile(r"/accounts/login/"))

    # Next time: password, then a recovery code (the TOTP step was used a moment ago).
    _password_step(page, "nueva")
    assert page.locator("#id_otp_token").is_visible()
    problems += _serious(axe, page)
    page.fill("#id_otp_token", codes[0])
    with page.expect_navigation():
        page.click("[data-testid=otp-submit]")
    page.wait_for_url(re.compile(r"/$"))
    assert problems == []


def test_the_account_pages_are_accessible(page):
    admin = factories.user_with(Role.ADMIN, None, username="admin-browser")
    factories.user_with(Role.FOCAL_POINT, "GT", username="focal-browser")
    axe = Axe()
    page.goto("/accounts/login/")
    problems = _serious(axe, page)
    # A wrong password: the error is announced at the form.
    _password_step(page, "admin-browser", "wrong password")
    assert page.locator(".alert-danger").is_visible()
    problems += _serious(axe, page)
    page.goto("/accounts/password/reset/")
    problems += _serious(axe, page)

    _sign_in(page, "admin-browser", TOTPDevice.objects.get(user=admin))
    for path in ["/accounts/profile/", "/accounts/password/change/", "/accounts/users/",
                 "/accounts/users/new/", f"/accounts/users/{admin.pk}/"]:
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        problems += _serious(axe, page)

    # Creating a token shows it once; the profile lists it.
    page.goto("/accounts/profile/")
    page.fill("#id_name", "Script de estadísticas")
    with page.expect_navigation():
        page.click("[data-testid=api-token-create]")
    raw = page.locator("[data-testid=api-token-raw]").inner_text()
    assert raw.startswith("ctt_")
    problems += _serious(axe, page)

    # A user-form error is shown at its field.
    page.goto("/accounts/users/new/")
    page.fill("#id_username", "focal-browser")
    page.fill("#id_first_name", "Ana")
    page.fill("#id_email", "ana@example.org")
    page.select_option("#id_organisation", index=1)
    page.check("input[name=roles][value=trainer]")
    with page.expect_navigation():
        page.click("[data-testid=user-submit]")
    assert page.locator("#id_username_error").is_visible()
    assert page.locator("#id_username").get_attribute("aria-invalid") == "true"
    problems += _serious(axe, page)
    assert problems == []


def test_the_lockout_is_clear_in_the_browser(page):
    factories.user_with(Role.FOCAL_POINT, "GT", username="focal-locked")
    for _ in range(5):
        _password_step(page, "focal-locked", "wrong password")
    assert page.locator("[data-testid=locked-out]").is_visible()
    assert "15" in page.locator("[data-testid=locked-out]").inner_text()
    assert _serious(Axe(), page) == []
