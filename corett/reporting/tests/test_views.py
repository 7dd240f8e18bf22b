"""The pages and the API: what each reader sees, errors at the field, query counts."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from corett.accounts.roles import Role
from corett.reporting.models import SubmissionState, Value
from corett.reporting.tests import helpers
from corett.testing import factories


@pytest.fixture
def ds(db):
    return helpers.data_set()


def _detail(ds, iso2):
    return reverse("reporting:submission_detail", args=[ds.code, iso2])


def test_another_countrys_report_is_refused_whatever_its_state(ds, gt, hn, focal_hn, client_as):
    client = client_as(focal_hn)
    for state in (SubmissionState.DRAFT, SubmissionState.SUBMITTED, SubmissionState.APPROVED):
        submission = helpers.submission(ds, gt, state)
        assert client.get(_detail(ds, "GT")).status_code == 403
        response = client.get(reverse("api:reporting-submission-detail", args=[submission.pk]))
        assert response.status_code == 404
        submission.delete()
    helpers.submission(ds, gt, SubmissionState.APPROVED)
    assert _rows(client.get(reverse("api:reporting-submission-list")).json()) == []


def _rows(body):
    return body["results"] if isinstance(body, dict) else body


def test_the_presidency_and_observers_never_see_a_countrys_values(ds, gt, presidency_user, observer_user, client_as):
    helpers.submission(ds, gt, SubmissionState.SUBMITTED)
    for user in (presidency_user, observer_user):
        client = client_as(user)
        assert client.get(_detail(ds, "GT")).status_code in (403, 404)
        assert client.get(reverse("api:reporting-submission-list")).status_code == 403


def test_the_dashboard_shows_a_focal_point_only_their_country(ds, gt, hn, focal_gt, secretariat_user, client_as):
    helpers.submission(ds, gt, SubmissionState.SUBMITTED)
    page = client_as(focal_gt).get(reverse("reporting:dashboard")).content.decode()
    assert 'data-testid="cell-GT-2025-S1"' in page and "cell-HN" not in page
    page = client_as(secretariat_user).get(reverse("reporting:dashboard")).content.decode()
    assert 'data-testid="cell-GT-2025-S1"' in page and 'data-testid="cell-HN-2025-S1"' in page


def test_the_dashboard_counts_reports_on_time_and_complete(ds, gt, hn, secretariat_user, client_as,
                                                          django_assert_max_num_queries):
    helpers.submission(ds, gt, SubmissionState.APPROVED)
    for iso2 in ("BZ", "SV"):
        factories.country(iso2)
    client = client_as(secretariat_user)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("reporting:dashboard"))
    columns = response.context["columns"]
    assert [c.reported for c in columns] == [1] and [c.reporting_rate for c in columns] == [25]
    cell = next(c for c in columns[0].cells if c.country.iso2 == "GT")
    assert cell.on_time is True and cell.completeness == round(100 * len(helpers.GOOD) / len(ds.elements()))


def test_the_entry_form_puts_each_finding_at_its_field_and_stores_nothing(ds, gt, focal_gt, client_as):
    client = client_as(focal_gt)
    url = reverse("reporting:entry", args=[ds.code, "GT"])
    form = client.get(url).context["form"]
    data = {}
    for index, element in enumerate(form.elements):
        data[f"v_{index}"] = str(helpers.GOOD.get(element.key, ""))
        data[f"s_{index}"] = "reported"
    offences = [e.key for e in form.elements].index("offences.total.total")
    data[f"v_{offences}"] = "-4"
    response = client.post(url, data)
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert errors[f"v_{offences}"] == ["Un conteo no puede ser negativo (-4)."]
    assert not Value.objects.exists()
    data[f"v_{offences}"] = "12"
    assert client.post(url, data).status_code == 302
    assert Value.objects.count() == len(helpers.GOOD)


def test_review_forms_need_the_secretariats_comment(ds, gt, secretariat_user, client_as):
    helpers.submission(ds, gt, SubmissionState.SUBMITTED)
    client = client_as(secretariat_user)
    response = client.post(reverse("reporting:return", args=[ds.code, "GT"]), {"comment": ""})
    assert response.status_code == 422
    assert response.context["return_form"].errors["comment"]
    response = client.post(reverse("reporting:reopen", args=[ds.code, "GT"]), {"reason": ""})
    assert response.status_code == 422
    response = client.post(reverse("reporting:approve", args=[ds.code, "GT"]), {"comment": ""})
    assert response.status_code == 302


def test_the_api_lists_the_users_reports_with_their_values(ds, gt, hn, focal_gt, client_as):
    helpers.submission(ds, gt, SubmissionState.SUBMITTED)
    helpers.submission(ds, hn, SubmissionState.SUBMITTED)
    body = client_as(focal_gt).get(reverse("api:reporting-submission-list"), {"data_set": "2025-S1"}).json()
    rows = _rows(body)
    assert [r["country"] for r in rows] == ["GT"]
    assert {v["element"]: v["value"] for v in rows[0]["values"]}["offences.total.total"] == 12
    assert client_as(focal_gt).get(reverse("api:reporting-submission-list"), {"data_set": "x"}).status_code == 400


def test_a_focal_point_may_not_create_data_sets(db, client_as):
    user = factories.user_with(Role.FOCAL_POINT, "GT")
    assert client_as(user).get(reverse("reporting:data_set_create")).status_code == 403


def test_the_secretariat_creates_a_data_set_through_the_form(db, secretariat_user, client_as):
    client = client_as(secretariat_user)
    response = client.post(reverse("reporting:data_set_create"), {
        "period_type": "quarter", "year": "2025", "number": "3", "deadline": "2025-09-15",
        "indicators": ["detected_victims"],
    })
    assert response.status_code == 200
    assert "deadline" in response.context["form"].errors
    response = client.post(reverse("reporting:data_set_create"), {
        "period_type": "quarter", "year": "2025", "number": "3", "deadline": "2025-11-15",
        "indicators": ["detected_victims"],
    })
    assert response.status_code == 302 and response["Location"] == "/reporting/2025-Q3/"


def test_the_report_page_costs_a_fixed_number_of_queries(ds, gt, secretariat_user, client_as,
                                                          django_assert_max_num_queries):
    submission = helpers.submission(ds, gt, SubmissionState.SUBMITTED)
    client = client_as(secretariat_user)
    client.get(_detail(ds, "GT"))
    with django_assert_max_num_queries(14):
        response = client.get(_detail(ds, "GT"))
    assert response.status_code == 200
    assert 'data-testid="approve-report"' in response.content.decode()
    assert submission.events.count() == 1


def test_the_deadline_can_change_but_not_the_indicators_once_countries_report(ds, gt, secretariat_user):
    import datetime as dt

    from django.core.exceptions import ValidationError

    from corett.reporting import services

    services.data_set_update(actor=secretariat_user, data_set=ds, data={"deadline": ds.deadline + dt.timedelta(days=7)})
    helpers.submission(ds, gt)
    with pytest.raises(ValidationError) as refused:
        services.data_set_update(actor=secretariat_user, data_set=ds, data={"indicators": ["offences"]})
    assert "indicators" in refused.value.message_dict
    ds.refresh_from_db()
    assert ds.indicators == helpers.INDICATORS


def test_a_countrys_system_sends_and_submits_its_figures_through_the_api(ds, gt, hn, focal_gt, focal_hn, client_as):
    url = reverse("api:reporting-submission-entry")
    good = [{"element": key, "value": value} for key, value in helpers.GOOD.items()]
    body = {"data_set": ds.code, "country": "GT", "values": good, "submit": True}
    assert client_as(focal_hn).post(url, body, content_type="application/json").status_code == 403
    bad = {**body, "values": [*good[:-1], {"element": "offences.total.total", "value": "doce"}]}
    response = client_as(focal_gt).post(url, bad, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["findings"][0]["element"] == "offences.total.total"
    assert not Value.objects.exists()
    response = client_as(focal_gt).post(url, body, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "submitted" and len(response.json()["values"]) == len(helpers.GOOD)


# --- The breakdowns by country in the entry form, the report's page and the API -------------------


def _entry_data(form, **countries):
    data = {}
    for index, element in enumerate(form.elements):
        data[f"v_{index}"] = str(helpers.GOOD.get(element.key, ""))
        data[f"s_{index}"] = "reported"
    for dimension, rows in countries.items():
        for index, (country, count) in enumerate(rows):
            data[f"{dimension}_country_{index}"] = country
            data[f"{dimension}_count_{index}"] = str(count)
    return data


def test_the_entry_form_takes_citizenships_as_labels_and_puts_each_finding_at_its_field(ds, gt, focal_gt, client_as):
    client = client_as(focal_gt)
    url = reverse("reporting:entry", args=[ds.code, "GT"])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    form = page.context["form"]
    assert [b["dimension"] for b in form.blocks] == ["citizenship"] and form.blocks[0]["count"] == 8
    assert '<option value="GTM · Guatemala">' in page.content.decode()

    data = _entry_data(form, citizenship=[("guatemalteca", 30), ("Atlantis", 2), ("HND", -1)])
    response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert errors["citizenship_country_1"] == [
        "“Atlantis” is not a country the platform recognises: choose one from the list, or write its ISO alpha-3 "
        "code (e.g. GTM; XXX when the country is not known)."]
    assert errors["citizenship_count_2"] == ["A count cannot be negative (-1)."]
    assert not Value.objects.exists()

    # More rows than the form drew are kept (a row added on the page, or a long list).
    rows = [("guatemalteca", 30), ("Honduras ", 4), ("Panam\ufffd", 1)] + [("", "")] * 6 + [("El Salvador", 5)]
    response = client.post(url, _entry_data(form, citizenship=rows), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302, response.context["form"].errors
    stored = dict(Value.objects.filter(element__contains=".citizenship.").values_list("element", "value"))
    assert stored == {"detected_victims.citizenship.GTM": 30, "detected_victims.citizenship.HND": 4,
                      "detected_victims.citizenship.PAN": 1, "detected_victims.citizenship.SLV": 5}

    form = client.get(url, HTTP_ACCEPT_LANGUAGE="en").context["form"]
    assert form.blocks[0]["count"] == 9
    assert [form[f"citizenship_country_{i}"].initial for i in range(4)] == [
        "GTM · Guatemala", "HND · Honduras", "PAN · Panama", "SLV · El Salvador"]


def test_a_sum_of_citizenships_over_the_total_is_shown_at_the_total(ds, gt, focal_gt, client_as):
    client = client_as(focal_gt)
    url = reverse("reporting:entry", args=[ds.code, "GT"])
    form = client.get(url).context["form"]
    response = client.post(url, _entry_data(form, citizenship=[("GTM", 41)]), HTTP_ACCEPT_LANGUAGE="en")
    total = [e.key for e in form.elements].index("detected_victims.total.total")
    assert response.context["form"].errors[f"v_{total}"] == [
        "The total is 40, but the countries listed by citizenship add up to 41: they cannot add up to more than "
        "the total."]


def test_the_report_page_shows_the_countries_largest_first(ds, gt, focal_gt, client_as):
    values = dict(helpers.GOOD, **{"detected_victims.citizenship.HND": 5, "detected_victims.citizenship.GTM": 30})
    helpers.submission(ds, gt, values=values)
    page = client_as(focal_gt).get(_detail(ds, "GT"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    table = page.split('data-testid="countries-citizenship"')[1]
    assert table.index("Guatemala (GTM)") < table.index("Honduras (HND)")
    assert 'data-testid="value-detected_victims.citizenship.HND">5<' in table


def test_the_api_takes_citizenships_as_rows_or_as_elements_and_names_a_bad_row(ds, gt, focal_gt, client_as):
    url = reverse("api:reporting-submission-entry")
    good = [{"element": key, "value": value} for key, value in helpers.GOOD.items()]
    body = {"data_set": ds.code, "country": "GT", "values": good,
            "citizenship": [{"country": "guatemalteca", "value": 30}, {"country": "Atlantis", "value": 2}]}
    client = client_as(focal_gt)
    response = client.post(url, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json()["findings"] == [{
        "element": "detected_victims.citizenship", "code": "unknown_country",
        "location": {"element": "detected_victims.citizenship", "row": 2, "part": "country"},
        "message": "Detected victims, by citizenship, row 2: “Atlantis” is not a country the platform recognises: "
                   "choose one from the list, or write its ISO alpha-3 code (e.g. GTM; XXX when the country is "
                   "not known).",
    }]
    body["citizenship"] = [{"country": "guatemalteca", "value": 30}]
    body["values"] = [*good, {"element": "detected_victims.citizenship.HND", "value": 6}]
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 200, response.content
    values = {v["element"]: v["value"] for v in response.json()["values"]}
    assert values["detected_victims.citizenship.GTM"] == 30 and values["detected_victims.citizenship.HND"] == 6
    # The data set asks for no victims repatriated: a breakdown of them is not in it.
    response = client.post(url, {**body, "repatriation": [{"country": "HND", "value": 1}]},
                           content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and response.json() == {"values": ["Not in this data set: repatriation"]}
    body["citizenship"] = [{"country": "GTM", "value": 3}, {"country": "Guatemala", "value": 2}]
    with translation.override("es"):
        response = client.post(url, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="es")
    messages = [f["message"] for f in response.json()["findings"]]
    assert messages == ["Víctimas detectadas, por ciudadanía, fila 2: Guatemala (GTM) figura dos veces (también en "
                        "fila 1): dé a cada país una sola fila."]


def test_the_dashboards_completeness_counts_the_data_sets_cells_only(ds, gt, secretariat_user, client_as):
    values = dict(helpers.GOOD, **{f"detected_victims.citizenship.{c}": 1 for c in ("GTM", "HND", "SLV")})
    helpers.submission(ds, gt, SubmissionState.SUBMITTED, values=values)
    columns = client_as(secretariat_user).get(reverse("reporting:dashboard")).context["columns"]
    cell = next(c for c in columns[0].cells if c.country.iso2 == "GT")
    assert cell.completeness == round(100 * len(helpers.GOOD) / len(ds.elements()))
