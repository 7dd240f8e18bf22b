"""National reporting in a real browser: Guatemala's focal point downloads the Excel template of
the period, fills it in and uploads it (a first attempt with a word in a number cell is refused
at its cell, and nothing is stored), submits; the Technical Secretariat returns the report with a
comment; the focal point reads it, corrects a figure in the web form and submits again; the
Secretariat approves, and the report's figures are approved statistics.

Two people, each in their own browser context, signed in through the login page: the focal point
reads Spanish, the Secretariat English.
"""

from __future__ import annotations

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
from corett.reporting.models import Submission, SubmissionState
from corett.reporting.tests import helpers
from corett.reporting.workbook import DATA_SHEET, FIRST_ROW, KEY_COLUMN
from corett.statistics.models import Value as StatisticsValue
from corett.testing import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Where to keep screenshots for a person to look at (unset: none are taken).
SHOTS = os.environ.get("CORETT_SHOTS", "")


class Person:
    def __init__(self, browser: Browser, base_url: str, user: User, locale: str) -> None:
        self.user = user
        self.context = browser.new_context(base_url=base_url, locale=locale, accept_downloads=True)
        self.page: Page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.csp_violations: list[str] = []
        self.page.on(
            "console",
            lambda msg: self.csp_violations.append(msg.text) if "Content Security Policy" in msg.text else None,
        )

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

    def click(self, selector: str, *, confirm: bool = False) -> None:
        if confirm:
            self.page.once("dialog", lambda dialog: dialog.accept())
        with self.page.expect_navigation():
            self.page.locator(selector).first.click()

    def shot(self, name: str) -> None:
        if SHOTS:
            self.page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


@pytest.fixture
def people(browser, live_server) -> Iterator[dict[str, Person]]:
    factories.country("GT")
    factories.country("HN")
    users = {
        "focal": (factories.user_with(Role.FOCAL_POINT, "GT", username="focal-gt", preferred_language="es"), "es-GT"),
        "secretariat": (factories.user_with(Role.SECRETARIAT, None, username="secretaria", preferred_language="en"),
                        "en-US"),
    }
    crowd = {key: Person(browser, live_server.url, user, locale) for key, (user, locale) in users.items()}
    yield crowd
    for person in crowd.values():
        person.context.close()
    assert {key: p.csp_violations for key, p in crowd.items() if p.csp_violations} == {}


def _fill(path: Path, values: dict) -> bytes:
    """What the focal point does in Excel: type the figures in column C of 'Datos'."""
    workbook = load_workbook(path)
    sheet = workbook[DATA_SHEET]
    row = FIRST_ROW
    while sheet[f"{KEY_COLUMN}{row}"].value:
        key = sheet[f"{KEY_COLUMN}{row}"].value
        if key in values:
            sheet[f"C{row}"] = values[key]
        row += 1
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _upload(person: Person, name: str, content: bytes) -> None:
    person.page.set_input_files("#id_file", files=[{
        "name": name, "buffer": content,
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }])
    person.click("[data-testid=upload-submit]")


def test_a_report_goes_from_the_template_to_approval_through_a_return(people, tmp_path):
    focal, secretariat = people["focal"], people["secretariat"]
    data_set = helpers.data_set()
    report_url = f"/reporting/{data_set.code}/GT/"

    # The focal point finds the period in the navigation and opens Guatemala's report.
    focal.log_in()
    focal.page.locator("#main-nav li.dropdown:has(a[href='/reporting/']) button.dropdown-toggle").click()
    focal.click("#main-nav a[href='/reporting/']")
    focal.click(f"main a[href='{data_set.get_absolute_url()}']")
    focal.click(f"main a[href='{report_url}']")
    expect(focal.page.locator("h1")).to_contain_text("Informe de Guatemala, 2025-S1")

    with focal.page.expect_download() as download:
        focal.page.click("[data-testid=template-download]")
    template = tmp_path / download.value.suggested_filename
    download.value.save_as(template)
    assert template.name == "corett-GTM-2025-S1.xlsx"

    # A first attempt with a word where a number goes: refused at the cell, nothing stored.
    focal.click("[data-testid=upload-link]")
    row = helpers.row_of(data_set, "offences.total.total")
    _upload(focal, "informe-gt.xlsx", _fill(template, dict(helpers.GOOD, **{"offences.total.total": "doce"})))
    expect(focal.page.locator("[data-testid=findings]")).to_contain_text(
        f"Hoja 'Datos', C{row}: «doce» no es un número")
    expect(focal.page.locator("[data-testid=row-report] tr.table-danger")).to_have_count(1)
    focal.shot("1-upload-refused")
    assert not Submission.objects.exists()

    # Corrected in the workbook and uploaded again: stored, then submitted.
    _upload(focal, "informe-gt.xlsx", _fill(template, helpers.GOOD))
    expect(focal.page.locator(".messages")).to_contain_text("Se importó la plantilla")
    expect(focal.page.locator("[data-testid='value-offences.total.total']")).to_have_text("12")
    focal.click("[data-testid=submit-report]", confirm=True)
    expect(focal.page.locator("[data-testid=submission-state]")).to_contain_text("Enviado para revisión")

    # The Secretariat reviews and returns it with a comment.
    secretariat.log_in()
    secretariat.page.goto("/notifications/")
    expect(secretariat.page.locator("main")).to_contain_text("Guatemala submitted its report for 2025-S1")
    secretariat.page.goto(report_url)
    secretariat.page.fill("#id_return_comment", "Offences: the Public Prosecutor's figure for the semester is 14, not 12.")
    secretariat.shot("2-review")
    secretariat.click("[data-testid=return-report]")
    expect(secretariat.page.locator(".messages")).to_contain_text("returned to the country")

    # The focal point reads the comment, corrects the figure in the web form and resubmits.
    focal.page.goto(report_url)
    expect(focal.page.locator("[data-testid=submission-state]")).to_contain_text("Devuelto para corrección")
    expect(focal.page.locator("[data-testid=history]")).to_contain_text("is 14, not 12")
    focal.click("[data-testid=entry-link]")
    field = focal.page.get_by_label("Delitos registrados, Total", exact=True)
    expect(field).to_have_value("12")
    field.fill("14")
    focal.shot("3-entry")
    focal.click("[data-testid=entry-save]")
    expect(focal.page.locator("[data-testid='value-offences.total.total']")).to_have_text("14")
    focal.click("[data-testid=submit-report]", confirm=True)
    expect(focal.page.locator("[data-testid=submission-state]")).to_contain_text("Enviado para revisión")

    # The Secretariat approves: the report is locked and its figures are approved statistics.
    secretariat.page.goto(report_url)
    secretariat.click("[data-testid=approve-report]", confirm=True)
    expect(secretariat.page.locator("[data-testid=submission-state]")).to_contain_text("Approved")
    secretariat.shot("4-approved")
    assert Submission.objects.get().state == SubmissionState.APPROVED
    figure = StatisticsValue.objects.get(source="national", country_iso3="GTM", period="2025S1",
                                         indicator__code="offences", sex="total", age="total", form="total")
    assert (figure.value, figure.status) == (14, "approved")

    focal.page.goto(report_url)
    expect(focal.page.locator("[data-testid=entry-link]")).to_have_count(0)
    focal.page.goto("/reporting/dashboard/")
    expect(focal.page.locator("[data-testid=cell-GT-2025-S1]")).to_contain_text("Aprobado")
    expect(focal.page.locator("main table")).not_to_contain_text("Honduras")
    focal.shot("5-dashboard")
