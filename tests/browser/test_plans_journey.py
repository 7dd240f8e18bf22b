"""The action plan in a real browser: the Technical Secretariat imports the plan from Excel (a
malformed file first: refused, nothing saved), adds a strategic axis to the draft, moves it to
approval by agreement III-2022/C and into execution (its content is then closed to changes); Guatemala's focal point reports progress for 2024-S1 (a percentage over 100 is
refused at its field), the Secretariat returns the report with notes, the focal point corrects
and submits again, the Secretariat approves, and the dashboard moves.

Two people, each in their own browser context, signed in through the login page: the focal point
reads Spanish, the Secretariat English.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page, expect

from corett.accounts.models import User
from corett.accounts.roles import Role
from corett.plans import imports
from corett.plans.models import Plan, ProgressReport, ReportState
from corett.plans.tests.builders import observer_org
from corett.testing import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("CORETT_SHOTS", "")


class Person:
    def __init__(self, browser: Browser, base_url: str, user: User, locale: str) -> None:
        self.user = user
        self.context = browser.new_context(base_url=base_url, locale=locale, accept_downloads=True)
        self.page: Page = self.context.new_page()
        self.page.set_default_timeout(20_000)
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

    def shot(self, name: str) -> None:
        if SHOTS:
            self.page.screenshot(path=str(Path(SHOTS) / f"plans-{name}.png"), full_page=True)


@pytest.fixture
def people(browser, live_server) -> Iterator[dict[str, Person]]:
    factories.country("GT")
    factories.country("HN")
    observer_org("OIM")
    users = {
        "secretariat": (factories.user_with(Role.SECRETARIAT, None, username="st-journey"), "en-US"),
        "focal": (factories.user_with(Role.FOCAL_POINT, "GT", username="fp-gt-journey"), "es-GT"),
    }
    users["secretariat"][0].preferred_language = "en"
    users["secretariat"][0].save(update_fields=["preferred_language"])
    found = {name: Person(browser, live_server.url, user, locale) for name, (user, locale) in users.items()}
    yield found
    for person in found.values():
        person.context.close()
        assert person.csp_violations == [], person.csp_violations


def _plan_workbook(tmp_path: Path) -> Path:
    book = load_workbook(io.BytesIO(imports.template_workbook()))
    actions = book["Actions"]
    actions.delete_rows(2, actions.max_row)
    actions.append(["1.1.1.1", "1.1.1", "Campaña nacional de prevención", "GT", "OIM", dt.date(2024, 1, 15),
                    dt.date(2025, 6, 30), 12000, "USD", "OIM"])
    actions.append(["1.1.1.2", "1.1.1", "Infografía regional", "SECRETARIAT", "ALL", dt.date(2024, 1, 15),
                    dt.date(2024, 12, 15), 6000, "USD", "OIM"])
    indicators = book["Indicators"]
    indicators.delete_rows(2, indicators.max_row)
    indicators.append(["I-1", "1.1.1", "Campañas realizadas", "Número de campañas", "unit", "yes", "yes", 0, 2022,
                       "", "Informes de campaña", "ALL", "yes", "yes", ""])
    targets = book["Targets"]
    targets.delete_rows(2, targets.max_row)
    targets.append(["I-1", 2024, "", 6, ""])
    targets.append(["I-1", 2024, "GT", 2, ""])
    path = tmp_path / "poa.xlsx"
    book.save(path)
    return path


def test_import_report_return_correct_approve_and_the_dashboard_moves(people, tmp_path):
    st, fp = people["secretariat"], people["focal"]
    st.log_in()
    fp.log_in()

    # The Secretariat imports the plan: a malformed file first, then the real one.
    page = st.page
    page.goto("/plans/import/")
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a workbook")
    page.set_input_files("#id_file", str(bad))
    st.click("[data-testid=import-submit]")
    expect(page.locator("[data-testid=import-errors]")).to_contain_text("not a readable Excel")
    assert not Plan.objects.exists()
    page.set_input_files("#id_file", str(_plan_workbook(tmp_path)))
    st.click("[data-testid=import-submit]")
    expect(page.locator("[data-testid=plan-state]")).to_have_text("Draft")
    plan = Plan.objects.get()
    st.shot("imported")

    # While it is a draft the Secretariat adds a strategic axis from the plan's page.
    st.click("[data-testid=axis-create]")
    page.fill("#id_code", "2")
    page.fill("#id_title", "Protección y repatriación")
    st.click("[data-testid=form-submit]")
    expect(page.locator("[data-axis='2'] h3")).to_contain_text("2. Protección y repatriación")

    # Draft → in review → approved by agreement C of plenary III-2022 → in execution.
    page.select_option("#id_to_state", "in_review")
    st.click("[data-testid=transition-submit]")
    page.select_option("#id_to_state", "approved")
    page.fill("#id_agreement_reference", "III-2022/C")
    st.click("[data-testid=transition-submit]")
    expect(page.locator("[data-testid=plan-state]")).to_have_text("Approved")
    page.select_option("#id_to_state", "in_execution")
    st.click("[data-testid=transition-submit]")
    expect(page.locator("[data-testid=plan-state]")).to_have_text("In execution")
    expect(page.locator("[data-testid=plan-locked]")).to_contain_text("changes only through a new version")
    expect(page.locator("[data-testid=axis-create]")).to_have_count(0)

    # Guatemala's focal point reports on 2024-S1; 150% is refused at its field, nothing saved.
    period = plan.periods.get(label="2024-S1")
    fp.page.goto(period.get_absolute_url())
    fp.click("[data-testid=report-start]")
    form = fp.page
    percent = form.locator('fieldset[data-action="1.1.1.1"] input[name$="-percent_complete"]')
    percent.fill("150")
    form.locator('fieldset[data-action="1.1.1.1"] select[name$="-status"]').select_option("in_progress")
    form.locator('fieldset[data-indicator="I-1"] input[name$="-value"]').fill("1")
    fp.click("[data-testid=report-submit]")
    expect(form.locator('fieldset[data-action="1.1.1.1"] .invalid-feedback')).to_contain_text(
        "Un porcentaje no puede superar 100.")
    report = ProgressReport.objects.get()
    assert report.state == ReportState.DRAFT and report.action_updates.get(action__code="1.1.1.1").percent_complete == 0
    form.locator('fieldset[data-action="1.1.1.1"] input[name$="-percent_complete"]').fill("40")
    form.locator('fieldset[data-indicator="I-1"] input[name$="-value"]').fill("1")
    fp.click("[data-testid=report-submit]")
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED

    # The Secretariat returns it with notes.
    page.goto(report.get_absolute_url())
    page.fill("#id_notes", "Please attach the campaign report and check the percentage.")
    st.click("[data-testid=review-return]")
    report.refresh_from_db()
    assert report.state == ReportState.RETURNED

    # The focal point reads the notes, corrects, submits again.
    fp.page.goto(report.get_absolute_url())
    expect(fp.page.locator("[data-testid=reviewer-notes]")).to_contain_text("attach the campaign report")
    fp.page.locator('fieldset[data-action="1.1.1.1"] input[name$="-percent_complete"]').fill("60")
    fp.page.locator('fieldset[data-action="1.1.1.2"] select[name$="-status"]').select_option("in_progress")
    fp.page.locator('fieldset[data-action="1.1.1.2"] input[name$="-percent_complete"]').fill("20")
    fp.page.locator('fieldset[data-indicator="I-1"] input[name$="-value"]').fill("2")
    fp.click("[data-testid=report-submit]")
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED

    # Before approval the dashboard shows nothing for Guatemala; after, it moves.
    page.goto(f"/plans/{plan.pk}/dashboard/")
    guatemala = page.locator("[data-testid=by-country] tr", has_text="Guatemala")
    expect(guatemala.locator("[data-percent]")).to_have_text("0%")
    page.goto(report.get_absolute_url())
    st.click("[data-testid=review-approve]")
    report.refresh_from_db()
    assert report.state == ReportState.APPROVED
    page.goto(f"/plans/{plan.pk}/dashboard/")
    # Guatemala owes two actions (its own and, as one of all countries, the regional one): 60 and 20.
    expect(guatemala.locator("[data-percent]")).to_have_text("40%")
    expect(page.locator('[data-indicator="I-1"] tr', has_text="Guatemala").locator("[data-actual]").first
           ).to_have_text("2")
    gantt = page.locator("img[src$='gantt.svg']")
    assert gantt.evaluate("img => img.complete && img.naturalWidth > 0")
    st.shot("dashboard")

    # The focal point's report is now read only.
    fp.page.goto(report.get_absolute_url())
    expect(fp.page.locator("[data-testid=report-submit]")).to_have_count(0)
