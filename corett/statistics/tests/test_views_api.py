"""Pages and API: the same policy and disclosure control; imports from the web, all or nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from corett.statistics import ctdc_layouts
from corett.statistics.models import Batch, Finding, Source, Status, Value
from corett.statistics.services import ValueInput, store_values

EXCERPT = Path(__file__).parent / "data" / "glotip_excerpt.xlsx"


@pytest.fixture(autouse=True)
def _english_browser(client):
    """These tests read English; the Spanish ones say so."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def figures(gt, hn, secretariat_user):
    store_values(actor=secretariat_user, source=Source.NATIONAL, release="2023", status=Status.APPROVED,
                 today=dt.date(2026, 1, 1), values=[
                     ValueInput("detected_victims", "GTM", "2023", 40),
                     ValueInput("detected_victims", "GTM", "2023", 37, sex="female"),
                     ValueInput("detected_victims", "GTM", "2023", 3, sex="male"),
                     ValueInput("detected_victims", "HND", "2023", 25),
                 ])


def test_api_values_apply_disclosure_control_for_other_countries(figures, client_as, focal_hn):
    response = client_as(focal_hn).get(reverse("api:statistics-value-list"),
                                       {"indicator": "detected_victims", "country": "GTM", "sex": "*"})
    assert response.status_code == 200
    by_sex = {row["sex"]: row for row in response.json()["results"]}
    assert by_sex["total"]["value"] == 40
    assert by_sex["male"] == {**by_sex["male"], "value": None, "suppressed": True, "lower_bound": 1, "upper_bound": 4}
    assert by_sex["female"]["value"] is None and by_sex["female"]["status"] == "approved"
    assert set(by_sex["total"]) >= {"value", "suppressed", "lower_bound", "upper_bound", "source", "status"}


def test_api_values_give_the_owner_exact_figures(figures, client_as, focal_gt):
    response = client_as(focal_gt).get(reverse("api:statistics-value-list"),
                                       {"indicator": "detected_victims", "country": "GTM", "sex": "male"})
    assert response.json()["results"][0]["value"] == 3


def test_api_region_and_defaults(figures, client_as, observer_user):
    response = client_as(observer_user).get(reverse("api:statistics-value-list"),
                                            {"indicator": "detected_victims", "country": "REGION", "year": 2023})
    (region,) = response.json()["results"]
    assert region["value"] == 65 and region["sex"] == "total" and sorted(region["countries"]) == ["GTM", "HND"]


def test_api_refuses_bad_parameters(figures, client_as, observer_user):
    response = client_as(observer_user).get(reverse("api:statistics-value-list"), {"sex": "women"})
    assert response.status_code == 400


def test_api_findings_are_scoped_to_the_country(db, gt, hn, client_as, focal_hn, secretariat_user):
    batch = Batch.objects.create(kind="import", source="glotip", state="done")
    Finding.objects.create(batch=batch, kind="equals_year", country_iso3="GTM", year=2019, key="a", cell="L3",
                           involved=[{"value": 2019}])
    Finding.objects.create(batch=batch, kind="conflict", country_iso3="HND", year=2019, key="b", cell="L4")
    mine = client_as(focal_hn).get(reverse("api:statistics-finding-list"), {"year": 2019}).json()["results"]
    assert [f["country"] for f in mine] == ["HND"]
    every = client_as(secretariat_user).get(reverse("api:statistics-finding-list"), {"country": "GTM"}).json()
    assert every["results"][0]["values"] == [{"value": 2019}] and every["results"][0]["cell"] == "L3"


def test_the_figures_page_shows_ranges_not_small_counts(figures, client_as, observer_user):
    page = client_as(observer_user).get(reverse("statistics:index"), {"indicator": "detected_victims"})
    assert page.status_code == 200
    assert "65" in page.content.decode()


def test_web_import_of_glotip_with_progress_page(db, client_as, secretariat_user, settings):
    settings.STATISTICS_IMPORTS_INLINE = True
    upload = SimpleUploadedFile("data_glotip.xlsx", EXCERPT.read_bytes())
    response = client_as(secretariat_user).post(reverse("statistics:import_upload"),
                                                {"source": "glotip", "file": upload})
    batch = Batch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("statistics:import_detail", args=[batch.pk])
    assert batch.state == Batch.State.DONE, batch.errors
    assert Value.objects.exists()
    progress = client_as(secretariat_user).get(reverse("statistics:import_progress", args=[batch.pk]))
    assert "exact duplicates merged" in progress.content.decode()
    assert not list(Path(settings.DATA_DIR, "statistics-uploads").glob("*"))  # the upload is not kept


def test_web_import_refuses_a_csv_as_glotip_and_stores_nothing(db, client_as, secretariat_user, settings, tmp_path):
    settings.STATISTICS_IMPORTS_INLINE = True
    path = ctdc_layouts.write(tmp_path / "c.csv", "global-2020", 10)
    response = client_as(secretariat_user).post(reverse("statistics:import_upload"),
                                                {"source": "glotip", "file": SimpleUploadedFile("c.csv", path.read_bytes())})
    assert response.status_code == 200
    assert "not an Excel workbook" in response.content.decode()
    assert not Batch.objects.exists() and not Value.objects.exists()


def test_web_import_reports_row_errors(db, client_as, secretariat_user, settings, tmp_path):
    settings.STATISTICS_IMPORTS_INLINE = True
    content = ("yearOfRegistration,gender,citizenship,CountryOfExploitation,isForcedLabour,isSexualExploit,"
               "isOtherExploit\n2019,Female,GT,GT,1,0,yes\n")
    response = client_as(secretariat_user).post(
        reverse("statistics:import_upload"), {"source": "ctdc", "file": SimpleUploadedFile("c.csv", content.encode())},
        follow=True)
    text = response.content.decode()
    assert "Nothing was imported" in text and "Line 2, column isOtherExploit" in text
    assert not Value.objects.exists()


def test_reviewing_a_held_value_releases_it(db, client_as, secretariat_user, settings):
    settings.STATISTICS_IMPORTS_INLINE = True
    client = client_as(secretariat_user)
    client.post(reverse("statistics:import_upload"),
                {"source": "glotip", "file": SimpleUploadedFile("g.xlsx", EXCERPT.read_bytes())})
    finding = Finding.objects.get(kind="equals_year", country_iso3="MEX")
    response = client.post(reverse("statistics:finding_review", args=[finding.pk]),
                           {"status": "accepted", "comment": "UNODC confirmed"})
    assert response.status_code == 302
    finding.refresh_from_db()
    assert finding.value is not None
    assert finding.value.status == Status.APPROVED and finding.reviewed_by == secretariat_user


def test_dismissing_needs_a_reason(db, client_as, secretariat_user):
    batch = Batch.objects.create(kind="import", source="glotip", state="done")
    finding = Finding.objects.create(batch=batch, kind="conflict", country_iso3="GTM", year=2019, key="k")
    response = client_as(secretariat_user).post(reverse("statistics:finding_review", args=[finding.pk]),
                                                {"status": "dismissed", "comment": ""})
    assert response.status_code == 400 and "Say why" in response.content.decode()


def test_import_errors_are_translated(db, client_as, secretariat_user, settings, tmp_path, client):
    settings.STATISTICS_IMPORTS_INLINE = True
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "es"
    content = ("yearOfRegistration,gender,citizenship,CountryOfExploitation,isForcedLabour,isSexualExploit,"
               "isOtherExploit\n2999,Female,GT,GT,1,0,0\n")
    response = client_as(secretariat_user).post(
        reverse("statistics:import_upload"), {"source": "ctdc", "file": SimpleUploadedFile("c.csv", content.encode())},
        follow=True)
    text = response.content.decode()
    assert "No se importó nada" in text and "2999 es un periodo futuro" in text


def test_a_running_import_polls_its_progress(db, client_as, secretariat_user):
    batch = Batch.objects.create(kind="import", source="ctdc", state="running", rows_done=500, rows_total=1000)
    response = client_as(secretariat_user).get(reverse("statistics:import_progress", args=[batch.pk]))
    text = response.content.decode()
    assert 'hx-get="' + reverse("statistics:import_progress", args=[batch.pk]) in text
    assert "50 % of the file read" in text and "statistics-progress-50" in text
