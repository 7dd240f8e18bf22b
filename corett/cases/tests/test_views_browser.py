"""The case pages in a real browser: axe-core finds no serious or critical violation on any of
them (the ``page`` fixture also fails a test on any Content-Security-Policy violation), and a
refused step shows its reasons before and after the click."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from corett.cases.models import FollowUp, Stage
from corett.testing.cases import case_actors, case_in_stage, funding_request

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, live_server, user) -> None:
    """Hand the browser a session past the second factor (the login journey is the accounts app's)."""
    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    page.context.clear_cookies()
    page.context.add_cookies([
        {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
         "url": live_server.url},
        {"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url},
    ])


def _serious(axe: Axe, page) -> list[str]:
    results = axe.run(page)
    return [
        f"{page.url} {v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def _record(case) -> list[str]:
    """Every section of the case record."""
    return [reverse(f"cases:{slug}", args=[case.code])
            for slug in ("detail", "person", "coordination", "follow_up", "documents", "history")]


def test_every_case_page_passes_axe(page, live_server):
    actors = case_actors("GT", "HN")
    reintegrating = case_in_stage(Stage.REINTEGRATION)
    fresh = case_in_stage(Stage.IDENTIFIED)
    requested = case_in_stage(Stage.REQUESTED_TO_ORIGIN)
    funding_request(fresh, actors)
    FollowUp.objects.filter(case=reintegrating).update(due_on="2026-01-01")
    axe = Axe()
    violations: list[str] = []

    _sign_in(page, live_server, actors.worker)
    for url in (
        "/cases/", "/cases/?child=on&stage=identified", "/cases/overdue/", "/cases/new/",
        *_record(reintegrating), *_record(fresh), reverse("cases:edit", args=[fresh.code]),
    ):
        page.goto(url)
        violations += _serious(axe, page)
    # The opening form with its errors at the fields.
    page.goto("/cases/new/")
    page.fill("#id_birth_date", "2999-01-01")
    page.click("button[type=submit].btn-primary")
    page.wait_for_selector(".invalid-feedback")
    violations += _serious(axe, page)
    # A refused step, shown with its reasons.
    page.goto(fresh.get_absolute_url())
    page.locator("form[action$='/transition/protect/'] button[type=submit]").click()
    page.wait_for_selector("[role=alert]")
    violations += _serious(axe, page)

    _sign_in(page, live_server, actors.origin_worker)
    for url in (*_record(requested), *_record(reintegrating)):
        page.goto(url)
        violations += _serious(axe, page)

    _sign_in(page, live_server, actors.partner)
    page.goto("/cases/funding/")
    violations += _serious(axe, page)
    assert violations == []


def test_a_case_worker_sees_what_is_missing_records_it_and_moves_the_case_on(page, live_server):
    actors = case_actors("GT", "HN")
    case = case_in_stage(Stage.IDENTIFIED)
    _sign_in(page, live_server, actors.worker)
    page.goto(case.get_absolute_url())
    protect = page.locator("form[action$='/transition/protect/']")
    assert "The consent to process personal data has not been recorded." in protect.inner_text()
    assert page.locator("[aria-current=step]").inner_text().startswith("Identified")

    protect.locator("button[type=submit]").click()
    page.wait_for_selector("#errors")
    assert "Refused; nothing was changed" in page.locator("form[action$='/transition/protect/']").inner_text()

    # The consents are in the section about the person: its tab, then back to the overview.
    page.goto(case.get_absolute_url())
    page.locator("#case-sections a", has_text="The person").click()
    page.wait_for_selector("#consents")
    page.select_option("#id_consent_purpose", "processing")
    page.select_option("#id_consent_given_by", "guardian")
    page.locator("#consents button[type=submit]", has_text="Record").click()
    page.wait_for_selector("text=The consent has been recorded.")
    assert page.locator("#case-sections a[aria-current=page]").inner_text() == "The person"
    page.locator("#case-sections a", has_text="Overview").click()
    page.wait_for_selector("#stage")
    page.locator("form[action$='/transition/protect/'] button[type=submit]").click()
    page.wait_for_selector("text=Done: Place under protection.")
    assert page.locator("[aria-current=step]").inner_text().startswith("Protected")
    case.refresh_from_db()
    assert case.stage == Stage.PROTECTED
