"""The infographic pages, their downloads and the explorer, over HTTP."""

from __future__ import annotations

import csv
import io

import pytest
from django.conf import settings
from django.urls import reverse
from openpyxl import load_workbook

from corett.audit.models import AuditEntry
from corett.infographics.tests.conftest import DRAFT_FIGURE

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    """Requests choose their language as a browser would: these read English."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def test_the_index_lists_the_region_and_each_country_with_its_years(figures, client_as, observer_user):
    response = client_as(observer_user).get(reverse("infographics:index"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "The region" in page and "Guatemala" in page
    assert "Figures released for 2020–2022" in page  # noqa: RUF001


def test_the_page_shows_the_latest_year_by_default(figures, client_as, focal_hn):
    response = client_as(focal_hn).get(reverse("infographics:detail", args=["gtm"]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Trafficking in persons: Guatemala, 2022" in page
    assert "infographics/infographic.css" in page
    assert 'data-testid="download-pdf-es"' in page


def test_the_page_is_in_spanish_for_a_spanish_reader(figures, client_as, focal_hn):
    client = client_as(focal_hn)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    page = client.get(reverse("infographics:detail", args=["REGION"]), {"year_from": 2020, "year_to": 2022})
    assert "Trata de personas: la región, 2020–2022" in page.content.decode()  # noqa: RUF001


def test_a_reversed_period_is_refused_at_the_field(figures, client_as, observer_user):
    response = client_as(observer_user).get(
        reverse("infographics:detail", args=["GTM"]), {"year_from": 2022, "year_to": 2020}
    )
    assert response.status_code == 200
    assert "The last year cannot come before the first." in response.content.decode()
    assert response.context["year_from"] == response.context["year_to"] == 2022


def test_an_unknown_scope_or_format_is_not_found(figures, client_as, observer_user):
    client = client_as(observer_user)
    assert client.get(reverse("infographics:detail", args=["USA"])).status_code == 404
    assert client.get(reverse("infographics:download", args=["GTM", "exe"])).status_code == 404
    url = reverse("infographics:download", args=["GTM", "pdf"])
    assert client.get(url, {"language": "fr"}).status_code == 404


@pytest.mark.parametrize(("fmt", "content_type", "magic"), [
    ("pdf", "application/pdf", b"%PDF"),
    ("png", "image/png", b"\x89PNG"),
    ("svg", "image/svg+xml", b"<?xml"),
])
def test_downloads_in_each_format(figures, client_as, observer_user, fmt, content_type, magic):
    url = reverse("infographics:download", args=["GTM", fmt])
    response = client_as(observer_user).get(url, {"year_from": 2021, "year_to": 2022, "language": "es"})
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response.content.startswith(magic)
    assert 'filename="corett-infographic-gtm-2021-2022-es.' in response["Content-Disposition"]


def test_the_explorer_shows_a_table_and_a_chart(figures, client_as, observer_user):
    response = client_as(observer_user).get(reverse("infographics:explorer"), {
        "country": "GTM", "indicator": "detected_victims", "dimension": "sex", "year_from": 2020, "year_to": 2022,
    })
    assert response.status_code == 200
    rows = response.context["rows"]
    assert {(r.year, r.category) for r in rows} >= {(2022, "female"), (2022, "male")}
    by_sex = {(r.year, r.category): r.amount.text() for r in rows}
    assert by_sex[(2022, "male")] == "<5"  # three victims: hidden from anyone but Guatemala
    assert response.context["chart"].startswith("data:image/svg+xml;base64,")


def test_the_owning_focal_point_sees_exact_figures_but_downloads_the_public_release(
    figures, client_as, focal_gt
):
    query = {"country": "GTM", "indicator": "detected_victims", "dimension": "sex",
             "year_from": 2022, "year_to": 2022}
    client = client_as(focal_gt)
    rows = client.get(reverse("infographics:explorer"), query).context["rows"]
    assert {r.category: r.amount.text() for r in rows}["male"] == "3"
    response = client.get(reverse("infographics:explorer_export", args=["csv"]), query)
    assert response.status_code == 200
    table = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    male = next(r for r in table if r["Category"] == "Male")
    assert male["Value"] == "" and male["Shown as"] == "<5" and male["Suppressed"] == "Yes"
    assert (male["Lower bound"], male["Upper bound"]) == ("1", "4")
    entry = AuditEntry.objects.filter(action="infographics.export").latest("pk")
    assert entry.extra["rows"] == len(table)


def test_xlsx_export_and_no_drafts(figures, client_as, secretariat_user):
    query = {"country": "GTM", "indicator": "detected_victims", "year_from": 2019, "year_to": 2022}
    response = client_as(secretariat_user).get(reverse("infographics:explorer_export", args=["xlsx"]), query)
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    values = [row[7] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert values == [101, 132, 154]
    assert DRAFT_FIGURE not in values


def test_the_explorer_refuses_bad_input_at_the_field(figures, client_as, observer_user):
    response = client_as(observer_user).get(reverse("infographics:explorer"), {
        "country": "XXX", "indicator": "detected_victims", "year_from": 2022, "year_to": 2020,
    })
    page = response.content.decode()
    assert response.context["query"] is None
    assert "Select a valid choice." in page
    assert "The last year cannot come before the first." in page
    export = client_as(observer_user).get(reverse("infographics:explorer_export", args=["csv"]), {"country": "XXX"})
    assert export.status_code == 404


def test_the_navigation_offers_infographics_to_every_role(client_as, partner_user):
    page = client_as(partner_user).get(reverse("infographics:index")).content.decode()
    assert reverse("infographics:explorer") in page


def test_the_explorer_and_the_index_pin_their_queries(figures, client_as, observer_user, django_assert_max_num_queries):
    client = client_as(observer_user)
    client.get(reverse("infographics:index"))  # warms the session and the user's roles
    query = {"country": "ALL", "indicator": "detected_victims", "dimension": "form",
             "year_from": 2015, "year_to": 2022}
    with django_assert_max_num_queries(10):
        client.get(reverse("infographics:explorer"), query)
    with django_assert_max_num_queries(18):  # one read of released years per scope (ten)
        client.get(reverse("infographics:index"))
