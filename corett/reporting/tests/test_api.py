"""The review over the API: the same services as the pages (state, comments, audit, statistics),
409 with a translated reason when the state does not allow a step, 400 at the field for bad input,
403/404 for whoever may not review."""

from __future__ import annotations

import pytest
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from corett.audit.models import AuditEntry
from corett.reporting.models import EventKind, Submission, SubmissionState
from corett.reporting.tests import helpers
from corett.statistics.models import Status
from corett.statistics.models import Value as StatisticsValue


@pytest.fixture
def ds(db):
    return helpers.data_set()


@pytest.fixture
def submitted(ds, gt):
    return helpers.submission(ds, gt, SubmissionState.SUBMITTED)


def _post(client, name, submission, data=None, language="en"):
    return client.post(reverse(f"api:reporting-submission-{name}", args=[submission.pk]), data or {},
                       content_type="application/json", HTTP_ACCEPT_LANGUAGE=language)


def _state(submission):
    return Submission.objects.get(pk=submission.pk).state


def test_the_secretariat_approves_over_the_api_and_the_figures_reach_the_statistics(
        submitted, secretariat_user, client_as):
    response = _post(client_as(secretariat_user), "approve", submitted, {"comment": "Conforme"})
    assert response.status_code == 200, response.content
    assert response.json()["state"] == SubmissionState.APPROVED == _state(submitted)
    assert submitted.events.get(kind=EventKind.APPROVED).comment == "Conforme"
    assert StatisticsValue.objects.filter(country_iso3="GTM", period="2025S1", status=Status.APPROVED).exists()
    assert AuditEntry.objects.filter(action="reporting.submission.approve", actor_id=secretariat_user.pk).exists()


def test_a_step_the_state_does_not_allow_is_a_409_with_the_reason_in_the_readers_language(
        ds, gt, secretariat_user, client_as):
    draft = helpers.submission(ds, gt, SubmissionState.DRAFT)
    client = client_as(secretariat_user)
    response = _post(client, "approve", draft)
    assert response.status_code == 409
    assert response.json() == {"detail": "Only a report submitted for review can be approved.", "state": "draft"}
    response = _post(client, "reopen", draft, {"reason": "Corregir el total"}, language="es")
    assert response.status_code == 409
    assert response.json()["detail"] == "Solo se puede reabrir un informe aprobado."
    # Refused before the comment is even read: the state is the reason, not the missing text.
    assert _post(client, "return", draft, {"comment": ""}).status_code == 409
    assert _state(draft) == SubmissionState.DRAFT and not draft.events.exclude(kind=EventKind.SUBMITTED).exists()


def test_returning_needs_comments_and_reopening_a_reason_at_their_field(submitted, secretariat_user, client_as):
    client = client_as(secretariat_user)
    response = _post(client, "return", submitted, {"comment": " "})
    assert response.status_code == 400
    assert response.json() == {"comment": ["Say what the country must correct."]}
    assert _state(submitted) == SubmissionState.SUBMITTED

    response = _post(client, "return", submitted, {"comment": "Revise el total por edad."})
    assert response.status_code == 200 and response.json()["state"] == SubmissionState.RETURNED
    assert response.json()["events"][-1]["comment"] == "Revise el total por edad."


def test_reopening_over_the_api_withdraws_the_figures_and_is_audited(ds, gt, secretariat_user, client_as):
    client = client_as(secretariat_user)
    submission = helpers.submission(ds, gt, SubmissionState.SUBMITTED)
    assert _post(client, "approve", submission).status_code == 200
    response = _post(client, "reopen", submission, {"reason": ""}, language="es")
    assert response.status_code == 400
    assert response.json() == {"reason": ["Indique el motivo para reabrir un informe aprobado."]}
    response = _post(client, "reopen", submission, {"reason": "El total de víctimas cambió."})
    assert response.status_code == 200 and response.json()["state"] == SubmissionState.REOPENED
    assert not StatisticsValue.objects.filter(country_iso3="GTM", period="2025S1", status=Status.APPROVED).exists()
    entry = AuditEntry.objects.get(action="reporting.submission.reopen")
    assert "El total" not in str(entry.extra)  # the reason's digest only


def test_only_the_secretariat_reviews_and_a_refusal_is_audited(submitted, focal_gt, focal_hn, presidency_user,
                                                                client_as):
    for user in (focal_gt, presidency_user):
        assert _post(client_as(user), "approve", submitted).status_code == 403
    assert _post(client_as(focal_hn), "reopen", submitted, {"reason": "Revisión"}).status_code == 403
    assert _state(submitted) == SubmissionState.SUBMITTED
    assert AuditEntry.objects.filter(action="access.denied", actor_id=focal_gt.pk).exists()


def test_a_country_submits_over_the_api_and_a_report_under_review_cannot_take_new_figures(
        ds, gt, focal_gt, client_as):
    client = client_as(focal_gt)
    draft = helpers.submission(ds, gt, SubmissionState.DRAFT)
    response = _post(client, "submit", draft)
    assert response.status_code == 200 and response.json()["state"] == SubmissionState.SUBMITTED
    assert _post(client, "submit", draft).status_code == 409
    response = client.post(reverse("api:reporting-submission-entry"), {
        "data_set": ds.code, "country": "GT", "values": [{"element": "offences.total.total", "value": 3}],
    }, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409
    assert response.json()["detail"] == "This report is submitted for review: it cannot be changed."


def test_a_report_without_its_totals_cannot_be_submitted(ds, gt, focal_gt, client_as):
    draft = helpers.submission(ds, gt, SubmissionState.DRAFT, values={"offences.total.total": 2})
    response = _post(client_as(focal_gt), "submit", draft)
    assert response.status_code == 409
    assert response.json()["detail"].startswith("Give the total of every indicator")


def test_the_schema_documents_the_review_and_validates(db):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    for step in ("submit", "return", "approve", "reopen"):
        operation = schema["paths"][f"/api/v1/reporting/submissions/{{id}}/{step}/"]["post"]
        assert {"200", "400", "403", "404", "409"} <= set(operation["responses"])
    assert "409" in schema["paths"]["/api/v1/reporting/submissions/entry/"]["post"]["responses"]
