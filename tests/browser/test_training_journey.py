"""Training, end to end in a real browser: a trainer opens a session, a participant registers
through the link, attendance is taken, the participant takes the post-test, the certificate is
issued and verified on the public page, then revoked and shown as revoked."""

from __future__ import annotations

import re

import pytest

from corett.accounts.roles import Role
from corett.testing import factories
from corett.training.models import Certificate, Registration, SessionState
from corett.training.tests import builders

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def session():
    factories.user_with(Role.TRAINER, "GT", username="formadora-gt")
    return builders.session(state=SessionState.PLANNED, days=1, capacity=10)


def _sign_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", factories.TEST_PASSWORD)
    with page.expect_navigation():
        page.click("[data-testid=login-submit]")
    page.wait_for_url(re.compile(r"/$"))


def _move(page, state: str) -> None:
    with page.expect_navigation():
        page.click(f"[data-testid=to-{state}]")


def test_from_opening_a_session_to_a_revoked_certificate(page, browser, live_server, session):
    _sign_in(page, "formadora-gt")
    page.goto(f"/training/sessions/{session.pk}/")
    _move(page, "open")
    assert page.locator("[data-testid=session-state]").inner_text() == "Inscripción abierta"
    link = page.locator("[data-testid=registration-link]").inner_text()

    # The participant, in a browser of their own, without an account.
    visitor = browser.new_context(base_url=live_server.url, locale="es-GT").new_page()
    visitor.goto(link)
    visitor.fill("#id_full_name", "Marta Alicia Sontay")
    visitor.fill("#id_email", "marta.sontay@example.org")
    visitor.fill("#id_institution", "Comité Municipal de Quetzaltenango")
    visitor.select_option("#id_institution_type", "local_committee")
    visitor.select_option("#id_sex", "female")
    visitor.check("#id_consent_to_processing")
    with visitor.expect_navigation():
        visitor.click("[data-testid=register]")
    assert visitor.locator("[data-testid=registration-status]").inner_text() == "Pendiente de aprobación"
    personal_page = visitor.url

    # The trainer approves, opens the session and takes attendance.
    registration = Registration.objects.get()
    page.goto(f"/training/sessions/{session.pk}/participants/")
    with page.expect_navigation():
        page.click(f"[data-testid=approve-{registration.pk}]")
    assert "Confirmada" in page.locator(f"[data-testid=registration-{registration.pk}]").inner_text()
    page.goto(f"/training/sessions/{session.pk}/")
    _move(page, "running")
    page.goto(f"/training/sessions/{session.pk}/attendance/")
    page.get_by_label("Marta Alicia Sontay").check()
    with page.expect_navigation():
        page.click("[data-testid=save-attendance]")
    assert "1 presentes" in page.locator(".messages").inner_text()

    # The participant takes the post-test (the right answer is the second each time).
    visitor.goto(personal_page)
    with visitor.expect_navigation():
        visitor.click("[data-testid=take-post]")
    for group in visitor.locator("fieldset").all():
        group.locator("input[type=radio]").nth(1).check()
    with visitor.expect_navigation():
        visitor.click("[data-testid=submit-test]")
    assert visitor.locator("[data-testid=post-score]").inner_text() == "100 %"

    # Completed: the trainer issues the certificates of the whole session.
    page.goto(f"/training/sessions/{session.pk}/")
    _move(page, "completed")
    page.goto(f"/training/sessions/{session.pk}/certificates/")
    page.select_option("#id_language", "es")
    with page.expect_navigation():
        page.click("[data-testid=issue-all]")
    certificate = Certificate.objects.get()
    assert certificate.display_code in page.locator("[data-testid=certificates]").inner_text()

    # Anyone verifies it on the public page (the address the QR code carries).
    visitor.goto(f"/verify/{certificate.display_code}")
    assert visitor.locator("[data-testid=verify-status]").inner_text().startswith("Este certificado es auténtico")
    facts = visitor.locator("[data-testid=verify-facts]").inner_text()
    assert "Marta Alicia Sontay" in facts and "marta.sontay@example.org" not in facts

    # Revoked, with a reason; the public page says so.
    with page.expect_navigation():
        page.click(f"[data-testid=revoke-{certificate.pk}]")
    page.fill("#id_reason", "Emitido por error")
    with page.expect_navigation():
        page.click("[data-testid=confirm-revoke]")
    visitor.reload()
    assert visitor.locator("[data-testid=verify-status]").inner_text().startswith("Este certificado fue revocado")

    # A mistyped code gets a clear answer too.
    visitor.goto("/verify/")
    visitor.fill("#code", certificate.display_code[:-1] + ("1" if certificate.code[-1] != "1" else "2"))
    with visitor.expect_navigation():
        visitor.press("#code", "Enter")
    assert "no es un código de verificación válido" in visitor.locator("[data-testid=verify-error]").inner_text()
    visitor.context.close()
