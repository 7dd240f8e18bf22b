"""The Secretariat imports UNODC's GLOTIP release from the web page, reads the summary, reviews a
held value, and the figures page then shows it (a real browser, Spanish interface)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from corett.accounts.roles import Role
from corett.statistics.models import Finding, Status
from corett.testing import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXCERPT = Path(__file__).resolve().parents[2] / "corett" / "statistics" / "tests" / "data" / "glotip_excerpt.xlsx"


def test_the_secretariat_imports_glotip_and_releases_a_held_value(page, settings):
    settings.STATISTICS_IMPORTS_INLINE = True
    # The import itself runs in the request (inline): give the shared machine time for it.
    page.set_default_timeout(90_000)
    page.set_default_navigation_timeout(90_000)
    factories.country("GT")
    factories.user_with(Role.SECRETARIAT, None, username="secretaria")
    page.goto("/accounts/login/")
    page.fill("#id_username", "secretaria")
    page.fill("#id_password", factories.TEST_PASSWORD)
    with page.expect_navigation():
        page.click("[data-testid=login-submit]")

    page.goto("/statistics/imports/")
    page.select_option("#id_source", "glotip")
    page.set_input_files("#id_file", str(EXCERPT))
    with page.expect_navigation():
        page.get_by_role("button", name="Importar").click()
    page.wait_for_url(re.compile(r"/statistics/imports/\d+/$"))
    expect(page.locator("#import-progress")).to_contain_text("Importado")
    expect(page.locator("#import-progress")).to_contain_text("duplicados idénticos fusionados")

    finding = Finding.objects.get(kind="equals_year", country_iso3="MEX")
    page.goto("/statistics/findings/?country=MEX")
    page.get_by_role("link", name="El valor es igual al año").first.click()
    page.select_option("#id_status", "accepted")
    page.fill("#id_comment", "Confirmado con la UNODC")
    with page.expect_navigation():
        page.get_by_role("button", name="Registrar la decisión").click()
    expect(page.locator("main")).to_contain_text("Aceptado tal como se publicó")
    finding.refresh_from_db()
    assert finding.value is not None and finding.value.status == Status.APPROVED

    # Guatemala's real 2021 figure, as UNODC published it.
    page.goto("/statistics/?indicator=detected_victims&year=2021")
    expect(page.locator("table.statistics-figures")).to_contain_text("425")
