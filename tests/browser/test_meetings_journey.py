"""A plenary from its creation to the follow-up of its agreement, in a real browser.

The Secretariat creates a plenary, registers a delegation, builds the agenda, records an
agreement with its responsible actor (a due date before the meeting is refused at the field, and
so is a letter used twice), tries to close the meeting (refused while anything is undecided,
the page says what), decides, closes and drafts the minutes, whose PDF it downloads. Guatemala's
focal point then reports on the agreement; the Secretariat returns the update for revision, the
focal point revises and resubmits it, and the Secretariat accepts it.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from corett.accounts.models import User
from corett.accounts.roles import Role
from corett.meetings.models import Agreement, FollowUpUpdate, Meeting
from corett.testing import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Person:
    """One person at their own browser context, reading English."""

    def __init__(self, browser: Browser, base_url: str, user: User) -> None:
        self.user = user
        self.context = browser.new_context(base_url=base_url, locale="en-US", accept_downloads=True)
        self.page: Page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.csp_violations: list[str] = []
        self.page.on("console", lambda msg: self.csp_violations.append(msg.text)
                     if "Content Security Policy" in msg.text else None)

    def log_in(self) -> None:
        page = self.page
        page.goto("/accounts/login/")
        page.fill("#id_username", self.user.username)
        page.fill("#id_password", factories.TEST_PASSWORD)
        page.click("[data-testid=login-submit]")
        device = TOTPDevice.objects.filter(user=self.user, confirmed=True).first()
        if device is not None:
            page.wait_for_selector("#id_otp_token")
            code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
            page.fill("#id_otp_token", f"{code:0{device.digits}d}")
            page.click("[data-testid=otp-submit]")
        page.wait_for_url(re.compile(r"/$"))

    def click(self, selector: str) -> None:
        with self.page.expect_navigation():
            self.page.locator(selector).first.click()

    def submit(self) -> None:
        self.click("main form button[type=submit]:text-is('Save')")

    def message(self) -> str:
        return self.page.locator(".messages").inner_text()


@pytest.fixture
def people(browser, live_server) -> Iterator[dict[str, Person]]:
    factories.country("GT")
    factories.country("SV")
    users = {
        "secretariat": factories.user_with(Role.SECRETARIAT, None, username="st-journey"),
        "focal": factories.user_with(Role.FOCAL_POINT, "GT", username="focal-gt-journey"),
    }
    for user in users.values():
        user.preferred_language = "en"
        user.save(update_fields=["preferred_language"])
    crowd = {key: Person(browser, live_server.url, user) for key, user in users.items()}
    for person in crowd.values():
        person.log_in()
    yield crowd
    for person in crowd.values():
        assert person.csp_violations == [], person.csp_violations
        person.context.close()


def test_the_secretariat_runs_a_plenary_and_follows_up_its_agreement(people):
    st, focal = people["secretariat"].page, people["focal"]
    secretariat = people["secretariat"]
    today = timezone.localdate()
    start = today - dt.timedelta(days=1)

    # --- The plenary, its delegation and its agenda ------------------------------------------
    st.goto("/meetings/")
    secretariat.click("a:text-is('New meeting')")
    st.select_option("#id_kind", "ordinary")
    st.fill("#id_title_es", "Reunión Plenaria de prueba")
    st.fill("#id_title_en", "Test plenary meeting")
    st.select_option("#id_modality", "in_person")
    st.select_option("#id_host_country", label="El Salvador")
    st.fill("#id_city", "San Salvador")
    st.fill("#id_venue", "Secretaría General del SICA")
    st.fill("#id_starts_on", start.isoformat())
    st.fill("#id_ends_on", today.isoformat())
    secretariat.submit()
    meeting = Meeting.objects.get()
    assert f"Meeting {meeting.code} has been created." in secretariat.message()
    expect(st.locator("#agenda")).to_be_visible()
    expect(st.locator("main")).to_contain_text("Follow-up of agreements")  # added automatically

    secretariat.click("a:text-is('Register a delegation')")
    st.select_option("#id_organisation", label="Comisión nacional GT")
    st.select_option("#id_capacity", "member")
    secretariat.submit()
    secretariat.click("a:has-text('Add a participant')")
    st.fill("#id_full_name", "Delegada de Guatemala")
    st.check("#id_is_head")
    secretariat.submit()
    expect(st.locator("table[aria-labelledby=delegations]")).to_contain_text("Delegada de Guatemala")

    secretariat.click("a:text-is('Add an agenda item')")
    st.fill("#id_title_es", "Plan de acción")
    st.fill("#id_title_en", "Action plan")
    secretariat.submit()
    expect(st.locator(".agenda")).to_contain_text("2. Action plan")

    # --- An agreement with its responsible actor; bad input is refused at the field -----------
    secretariat.click("a:has-text('Record an agreement')")
    st.fill("#id_letter", "A")
    st.fill("#id_title_es", "Plan operativo")
    st.fill("#id_title_en", "Operational plan")
    st.fill("#id_text_es", "La plenaria aprueba el plan operativo.")
    st.fill("#id_text_en", "The plenary approves the operational plan.")
    st.select_option("#id_agenda_item", label="2. Action plan")
    secretariat.submit()
    agreement = Agreement.objects.get()
    expect(st.locator("h1")).to_contain_text(f"Agreement {agreement.code}")

    secretariat.click("a:text-is('Add a responsible actor')")
    st.select_option("#id_kind", "country")
    st.select_option("#id_country", label="Guatemala")
    st.select_option("#id_role", "lead")
    st.fill("#id_due_on", (start - dt.timedelta(days=30)).isoformat())
    secretariat.submit()
    expect(st.locator("#id_due_on_error")).to_contain_text("cannot be before the meeting")
    st.fill("#id_due_on", (today + dt.timedelta(days=90)).isoformat())
    secretariat.submit()
    expect(st.locator("main table")).to_contain_text("Guatemala")

    st.goto(f"/meetings/{meeting.pk}/agreements/new/")
    st.fill("#id_letter", "a")
    st.fill("#id_title_es", "Repetido")
    st.fill("#id_title_en", "Repeated")
    st.fill("#id_text_es", "Texto")
    st.fill("#id_text_en", "Text")
    secretariat.submit()
    expect(st.locator("#id_letter_error")).to_contain_text("each letter is used once")
    assert Agreement.objects.count() == 1

    # --- Closing is refused while anything is undecided -----------------------------------------
    st.goto(meeting.get_absolute_url())
    secretariat.click("button:text-is('Convene')")
    secretariat.click("button:text-is('Mark as held')")
    secretariat.click("button:text-is('Close the meeting')")
    refusal = secretariat.message()
    assert "cannot be closed while these are undecided" in refusal
    assert f"Agreement {agreement.code}" in refusal and "Agenda item 2: Action plan" in refusal
    assert Meeting.objects.get().state == "held"

    st.goto(agreement.get_absolute_url())
    st.select_option("#id_adoption_state", "adopted")
    st.select_option("#id_method", "consensus")
    secretariat.click("button:text-is('Record the decision')")
    assert f"Agreement {agreement.code}: adopted." in secretariat.message()
    st.goto(meeting.get_absolute_url())
    for _ in range(2):
        form = st.locator("form[action$='/outcome/']").filter(has=st.locator("option[value=pending][selected]")).first
        form.locator("select").select_option("dealt_with")
        with st.expect_navigation():
            form.locator("button").click()
    participant = meeting.delegations.get().participants.get()
    st.select_option(f"#att-{participant.pk}", "present")
    secretariat.click(f"form[action$='/participants/{participant.pk}/attendance/'] button")
    secretariat.click("button:text-is('Close the meeting')")
    assert "The meeting is now closed." in secretariat.message()

    # --- Minutes drafted from the meeting's data, as a PDF ----------------------------------------
    secretariat.click("a:has-text('Minutes')")
    secretariat.click("button:text-is(\"Draft the minutes from the meeting's data\")")
    expect(st.locator("#id_body_en")).to_contain_text("Delegada de Guatemala")
    with st.expect_download() as download:
        st.locator("a:text-is('Draft PDF (Spanish)')").click()
    pdf = Path(download.value.path()).read_bytes()
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert f"Acta de la reunión {meeting.code}" in text and "BORRADOR" in text and agreement.code in text

    # --- The focal point reports; the Secretariat returns, then accepts --------------------------
    page = focal.page
    page.goto("/meetings/my-country/")
    expect(page.locator("main table")).to_contain_text(agreement.code)
    focal.click("a:has-text('Report progress')")
    page.fill("#id_narrative", "Se designó al equipo responsable del plan.")
    page.fill("#id_percent_done", "30")
    focal.submit()
    focal.click("button:text-is('Submit to the Secretariat')")
    assert "submitted to the Secretariat" in focal.message()
    update = FollowUpUpdate.objects.get()

    st.goto("/meetings/dashboard/")
    secretariat.click(f"a:text-is('{agreement.code}') >> nth=-1")
    st.check("input[name=decision][value=return]")
    st.fill("#id_comment", "Adjunte el acta de designación.")
    secretariat.click("button:text-is('Record the review')")
    assert "returned for revision" in secretariat.message().lower()

    page.goto(update.get_absolute_url())
    expect(page.locator("main")).to_contain_text("Adjunte el acta de designación.")
    focal.click("a:text-is('Revise')")
    page.fill("#id_percent_done", "45")
    focal.submit()
    focal.click("button:text-is('Submit to the Secretariat')")

    st.goto(update.get_absolute_url())
    st.check("input[name=decision][value=accept]")
    secretariat.click("button:text-is('Record the review')")
    update.refresh_from_db()
    assert (update.state, update.percent_done) == ("accepted", 45)
    agreement.refresh_from_db()
    assert agreement.implementation_state == "in_progress"
