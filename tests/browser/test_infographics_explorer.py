"""The explorer and an infographic, in a real browser: choose, read the table and the chart,
download the public release; open an infographic and download its PDF."""

from __future__ import annotations

import csv
import io
import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from corett.accounts.roles import Role
from corett.infographics.tests.conftest import gt_values, hn_values, store
from corett.testing import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def released():
    factories.country("GT")
    factories.country("HN")
    secretariat = factories.user_with(Role.SECRETARIAT, None, username="secretariat-ig")
    values = [v for year, total in ((2020, 101), (2021, 132), (2022, 154)) for v in gt_values(year, total)]
    values += [v for year, total in ((2020, 61), (2021, 70), (2022, 83)) for v in hn_values(year, total)]
    store(secretariat, values)
    return factories.user_with(Role.OBSERVER, "HN", username="observer-hn")


def log_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", factories.TEST_PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_url(re.compile(r"/$"))


def test_an_observer_explores_the_figures_and_downloads_them(page, released):
    log_in(page, "observer-hn")
    page.click("[data-testid=lang-en]")
    page.wait_for_load_state()
    page.get_by_role("link", name="Data explorer").click()
    page.wait_for_url(re.compile(r"/infographics/explorer/$"))

    page.select_option("#id_country", "GTM")
    page.select_option("#id_indicator", "detected_victims")
    page.select_option("#id_dimension", "sex")
    page.select_option("#id_year_from", "2020")
    page.select_option("#id_year_to", "2022")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"dimension=sex"))

    table = page.locator("[data-testid=explorer-table]")
    assert table.locator("tbody tr").count() == 6  # female and male, three years
    male_2022 = table.get_by_role("row", name=re.compile(r"^Guatemala 2022 Male "))
    assert "<5" in male_2022.inner_text()  # three victims: Honduras may not see the number
    assert page.locator("[data-testid=explorer-chart]").is_visible()
    assert Axe().run(page).violations_count == 0

    with page.expect_download() as download_info:
        page.click("[data-testid=export-csv]")
    content = open(download_info.value.path(), encoding="utf-8-sig").read()  # noqa: SIM115
    rows = list(csv.DictReader(io.StringIO(content)))
    assert {r["Shown as"] for r in rows if r["Category"] == "Male"} == {"<5"}
    assert all(r["Value"] == "" for r in rows if r["Category"] == "Male")

    # A year range the wrong way round is refused at the field, in the reader's language.
    page.select_option("#id_year_from", "2022")
    page.select_option("#id_year_to", "2020")
    page.get_by_role("button", name="Show").click()
    assert page.locator("#id_year_to_error").inner_text() == "The last year cannot come before the first."


def test_an_observer_opens_an_infographic_and_downloads_the_spanish_pdf(page, released):
    log_in(page, "observer-hn")
    page.goto("/infographics/")
    page.get_by_role("link", name="Guatemala").click()
    page.wait_for_url(re.compile(r"/infographics/GTM/$"))
    infographic = page.locator("[data-testid=infographic]")
    assert "Trata de personas: Guatemala, 2022" in infographic.inner_text()
    for image in infographic.locator("img").all():
        assert image.evaluate("img => img.complete && img.naturalWidth > 0")
        assert image.get_attribute("alt")

    page.click("[data-testid=download-menu]")
    with page.expect_download() as download_info:
        page.click("[data-testid=download-pdf-es]")
    download = download_info.value
    assert download.suggested_filename == "corett-infographic-gtm-2022-es.pdf"
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
