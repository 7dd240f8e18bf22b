"""In a real browser: the badge, the inbox (axe-clean, CSP-clean), opening a notification."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from corett.cases.models import Stage
from corett.notifications.models import Notification
from corett.testing import factories
from corett.testing.cases import case_actors, case_in_stage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page, user) -> None:
    device = TOTPDevice.objects.get(user=user)
    page.goto("/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", factories.TEST_PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_selector("#id_otp_token")
    page.fill("#id_otp_token", f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}")
    page.click("[data-testid=otp-submit]")
    page.wait_for_url(re.compile(r"/$"))


def _serious(results) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_a_case_worker_opens_a_notification_from_the_badge(page):
    case = case_in_stage(Stage.ACCEPTED_BY_ORIGIN)  # tells the Guatemalan case workers
    worker = case_actors("GT", "HN").worker
    unread = Notification.objects.filter(recipient=worker).unread().count()
    assert unread >= 1
    _log_in(page, worker)
    page.click("[data-testid=lang-en]")
    page.wait_for_load_state()

    link = page.locator("[data-testid=notifications-link]")
    assert link.locator(".badge").inner_text() == str(unread)
    assert f"({unread} unread)" in link.locator(".visually-hidden").inner_text()
    link.click()
    page.wait_for_url(re.compile(r"/notifications/$"))
    assert page.locator("h1").inner_text() == "Notifications"
    assert page.locator("[data-testid=notifications-link]").get_attribute("aria-current") == "page"
    assert _serious(Axe().run(page)) == []

    page.get_by_role("button", name=re.compile(f"accepted the return of case {case.code}")).click()
    page.wait_for_url(re.compile(rf"/cases/{case.code}/$"))
    assert Notification.objects.filter(recipient=worker).unread().count() == unread - 1

    page.goto("/notifications/")
    if unread > 1:
        page.click("[data-testid=read-all]")
        page.wait_for_url(re.compile(r"/notifications/$"))
    assert page.locator("[data-testid=notifications-link] .badge").count() == 0
    assert page.locator("[data-unread]").count() == 0
    assert _serious(Axe().run(page)) == []
