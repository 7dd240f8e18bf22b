from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from corett.plans import dashboards, services
from corett.plans.models import ActionStatus, ReportState
from corett.plans.tests.builders import build_plan

pytestmark = pytest.mark.django_db


def _approved_report(focal, staff, world, *, percent=70, value=Decimal(2)):
    report = services.report_start(actor=focal, period=world.period)
    services.report_save(
        actor=focal, report=report, summary="Campañas en tres departamentos",
        actions={u.pk: services.ActionProgress(ActionStatus.IN_PROGRESS, percent) for u in report.action_updates.all()},
        indicators={v.pk: services.IndicatorProgress(value=value) for v in report.indicator_values.all()})
    services.report_submit(actor=focal, report=report)
    services.report_approve(actor=staff, report=report)
    return report


def test_the_report_form_shows_a_percentage_over_100_at_its_field(focal_gt, client_as):
    world = build_plan()
    report = services.report_start(actor=focal_gt, period=world.period)
    update = report.action_updates.get(action=world.gt_action)
    other = report.action_updates.get(action=world.all_action)
    value = report.indicator_values.get()
    data = {
        "summary": "Avance", "then": "save",
        f"action-{update.pk}-status": "in_progress", f"action-{update.pk}-percent_complete": "150",
        f"action-{other.pk}-status": "in_progress", f"action-{other.pk}-percent_complete": "20",
        f"indicator-{value.pk}-value": "3",
    }
    response = client_as(focal_gt).post(report.get_absolute_url(), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert f'id="id_action-{update.pk}-percent_complete_error"' in page
    assert "A percentage cannot exceed 100." in page
    other.refresh_from_db()
    assert other.percent_complete == 0  # nothing saved

    response = client_as(focal_gt).post(report.get_absolute_url(), data, HTTP_ACCEPT_LANGUAGE="es")
    assert "Un porcentaje no puede superar 100." in response.content.decode()


def test_save_and_submit_from_the_page(focal_gt, client_as):
    world = build_plan()
    report = services.report_start(actor=focal_gt, period=world.period)
    data = {"summary": "Avance", "then": "submit"}
    for u in report.action_updates.all():
        data |= {f"action-{u.pk}-status": "in_progress", f"action-{u.pk}-percent_complete": "30"}
    value = report.indicator_values.get()
    data[f"indicator-{value.pk}-value"] = "1"
    response = client_as(focal_gt).post(report.get_absolute_url(), data)
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED
    page = client_as(focal_gt).get(report.get_absolute_url()).content.decode()
    assert "Save draft" not in page  # a submitted report is read only for its reporter


def test_another_country_cannot_see_a_report(focal_gt, focal_hn, client_as):
    world = build_plan()
    report = services.report_start(actor=focal_gt, period=world.period)
    assert client_as(focal_hn).get(report.get_absolute_url()).status_code == 404


def test_the_secretariat_returns_with_notes_then_approves(focal_gt, secretariat_user, client_as):
    world = build_plan()
    report = services.report_start(actor=focal_gt, period=world.period)
    services.report_save(actor=focal_gt, report=report, summary="", actions={}, indicators={
        v.pk: services.IndicatorProgress(value=Decimal(1)) for v in report.indicator_values.all()})
    services.report_submit(actor=focal_gt, report=report)
    client = client_as(secretariat_user)
    response = client.post(reverse("plans:report_review", args=[report.pk, "return"]), {"notes": ""})
    report.refresh_from_db()
    assert response.status_code == 302 and report.state == ReportState.SUBMITTED  # notes are required
    client.post(reverse("plans:report_review", args=[report.pk, "return"]), {"notes": "Adjunte evidencia"})
    report.refresh_from_db()
    assert report.state == ReportState.RETURNED
    assert "Adjunte evidencia" in client_as(focal_gt).get(report.get_absolute_url()).content.decode()


def test_the_dashboard_moves_when_a_report_is_approved(focal_gt, secretariat_user, client_as,
                                                       django_assert_max_num_queries):
    world = build_plan()
    before = dashboards.plan_dashboard(world.plan, today=dt.date(2024, 6, 1))
    assert before["overall"].percent == 0
    _approved_report(focal_gt, secretariat_user, world, percent=70, value=Decimal(2))
    after = dashboards.plan_dashboard(world.plan, today=dt.date(2024, 6, 1))
    assert after["overall"].percent == round((70 + 70 + 0) / 3)
    guatemala = next(row for row in after["by_country"] if row.label == "Guatemala")
    assert guatemala.percent == 70
    honduras = next(row for row in after["by_country"] if row.label == "Honduras")
    assert honduras.percent == 0
    progress = next(p for p in after["indicators"] if p.indicator.code == "I-1")
    gt_row = next(r for r in progress.rows if r.label == "Guatemala")
    assert (gt_row.cells[2024].target, gt_row.cells[2024].actual, gt_row.cells[2024].percent) == (
        Decimal(2), Decimal(2), 100)
    assert progress.rows[0].cells[2024].actual == Decimal(2)  # the regional total

    with django_assert_max_num_queries(50):
        response = client_as(focal_gt).get(reverse("plans:dashboard", args=[world.plan.pk]))
    assert response.status_code == 200
    assert "70%" in response.content.decode()


def test_a_computed_indicator_says_its_source_or_that_it_is_missing(secretariat_user):
    world = build_plan()
    progress = dashboards.indicator_progress(world.computed, today=dt.date(2024, 6, 1))
    cell = progress.rows[0].cells[2024]
    assert cell.actual == Decimal(0) and "Repatriation cases" in cell.note
    world.computed.source = "training.people_trained"
    progress = dashboards.indicator_progress(world.computed, today=dt.date(2024, 6, 1))
    cell = progress.rows[0].cells[2024]
    try:
        import corett.training.services as training
        has_training = hasattr(training, "people_trained")
    except ImportError:
        has_training = False
    if has_training:
        assert cell.actual is not None and cell.note == "Training records: people trained"
    else:
        assert cell.actual is None and cell.note.startswith("Not available")


def test_the_gantt_is_an_svg_with_every_action(focal_gt, client_as):
    world = build_plan()
    world.gt_action.description = "<script>alert(1)</script>"
    world.gt_action.save()
    response = client_as(focal_gt).get(reverse("plans:gantt", args=[world.plan.pk]))
    svg = response.content.decode()
    assert response["Content-Type"].startswith("image/svg+xml")
    assert svg.startswith("<svg") and svg.count("<g>") == 3
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_the_plan_exports_as_xlsx_and_pdf_in_both_languages(focal_gt, client_as):
    world = build_plan()
    client = client_as(focal_gt)
    response = client.get(reverse("plans:export_xlsx", args=[world.plan.pk]))
    book = load_workbook(io.BytesIO(response.content))
    codes = [row[0] for row in book["Actions"].iter_rows(min_row=2, values_only=True)]
    assert codes == ["1.1.1.1", "1.1.1.2", "1.1.1.3"]
    es = client.get(reverse("plans:export_pdf", args=[world.plan.pk]) + "?lang=es")
    en = client.get(reverse("plans:export_pdf", args=[world.plan.pk]) + "?lang=en")
    es_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(es.content)).pages)
    en_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(en.content)).pages)
    assert "Eje 1. Prevención" in es_text and "Objetivo" in es_text and "Línea de base" in es_text
    assert "Objective" in en_text


def test_the_period_report_for_the_plenary(focal_gt, secretariat_user, client_as):
    world = build_plan()
    _approved_report(focal_gt, secretariat_user, world)
    response = client_as(secretariat_user).get(reverse("plans:period_pdf", args=[world.period.pk]) + "?lang=en")
    assert response["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Progress report, period 2024-S1" in text
    assert "Campañas en tres departamentos" in text
    response = client_as(secretariat_user).get(reverse("plans:period_pdf", args=[world.period.pk]) + "?lang=es")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Informe de avance" in text


def test_the_plan_list_query_count_is_pinned(focal_gt, client_as, django_assert_max_num_queries):
    build_plan()
    build_plan(code="POA-U")
    client = client_as(focal_gt)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("plans:list")).status_code == 200


def test_the_action_form_refuses_an_action_without_responsible(secretariat_user, client_as):
    world = build_plan(state="draft")
    response = client_as(secretariat_user).post(reverse("plans:action_create", args=[world.plan.pk]), {
        "result": world.result.pk, "code": "2.1", "description": "Sin actor", "planned_start": "2023-01-01",
        "planned_end": "2023-03-01", "currency": "USD"})
    assert response.status_code == 400
    assert "An action needs at least one responsible actor." in response.content.decode()
    assert not world.plan.actions.filter(code="2.1").exists()
    response = client_as(secretariat_user).post(reverse("plans:action_create", args=[world.plan.pk]), {
        "result": world.result.pk, "code": "2.1", "description": "Con actor", "planned_start": "2023-01-01",
        "planned_end": "2023-03-01", "currency": "USD", "lead": ["GT"], "support": ["SECRETARIAT"]})
    assert response.status_code == 302
    assert world.plan.actions.get(code="2.1").responsibilities.count() == 2


def test_the_target_form_refuses_a_year_outside_the_plan(secretariat_user, client_as):
    world = build_plan(state="draft")
    response = client_as(secretariat_user).post(reverse("plans:indicator_detail", args=[world.indicator.pk]), {
        "year": "2030", "value": "5"})
    assert response.status_code == 400
    assert "outside the plan&#x27;s period" in response.content.decode()


def test_the_report_and_period_pages_pin_their_queries(focal_gt, secretariat_user, client_as,
                                                       django_assert_max_num_queries):
    world = build_plan()
    report = services.report_start(actor=focal_gt, period=world.period)
    client = client_as(focal_gt)
    with django_assert_max_num_queries(20):
        assert client.get(report.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(world.period.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(25):
        assert client.get(world.plan.get_absolute_url()).status_code == 200


def test_a_locked_period_refuses_a_new_report_from_the_page(focal_gt, focal_hn, secretariat_user, client_as):
    world = build_plan()
    _approved_report(focal_gt, secretariat_user, world)
    services.period_lock(actor=secretariat_user, period=world.period)
    response = client_as(focal_hn).post(reverse("plans:report_start", args=[world.period.pk]), follow=True)
    assert "The period 2024-S1 is locked" in response.content.decode()
    assert not world.period.reports.filter(country=world.hn).exists()


def test_the_secretariat_manages_a_joint_project(secretariat_user, client_as, settings, tmp_path):
    from corett.plans.models import JointProject
    from corett.plans.tests.builders import observer_org

    settings.MEDIA_ROOT = tmp_path
    world = build_plan()
    iom = observer_org("OIM")
    client = client_as(secretariat_user)
    response = client.post(reverse("plans:project_create", args=[world.plan.pk]), {
        "code": "P-1", "kind": "study", "title": "Estudio de factores de riesgo", "partners": [iom.pk],
        "actions": [world.all_action.pk], "starts_on": "2024-02-01", "ends_on": "2024-01-01"})
    assert response.status_code == 400 and "The end cannot be before the start." in response.content.decode()
    assert not JointProject.objects.exists()
    response = client.post(reverse("plans:project_create", args=[world.plan.pk]), {
        "code": "P-1", "kind": "study", "title": "Estudio de factores de riesgo", "partners": [iom.pk],
        "actions": [world.all_action.pk], "starts_on": "2024-02-01", "ends_on": "2025-08-31"})
    project = JointProject.objects.get()
    assert response.status_code == 302 and list(project.partners.all()) == [iom]
    client.post(reverse("plans:project_milestone", args=[project.pk]),
                {"title": "Trabajo de campo", "due_on": "2024-12-15"})
    milestone = project.milestones.get()
    client.post(reverse("plans:milestone_done", args=[milestone.pk]))
    milestone.refresh_from_db()
    assert milestone.done_on is not None
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("tdr.pdf", b"<html>not a pdf</html>")
    response = client.post(reverse("plans:project_document_upload", args=[project.pk]),
                           {"title": "TdR", "file": fake})
    assert response.status_code == 400 and not project.documents.exists()
    pdf = SimpleUploadedFile("tdr.pdf", b"%PDF-1.4\n%%EOF\n")
    client.post(reverse("plans:project_document_upload", args=[project.pk]), {"title": "TdR", "file": pdf})
    document = project.documents.get()
    download = client.get(reverse("plans:project_document", args=[document.pk]))
    assert download.status_code == 200 and download.content.startswith(b"%PDF")


def test_the_secretariat_adds_an_indicator_to_a_draft_plan(secretariat_user, client_as):
    world = build_plan(state="draft")
    client = client_as(secretariat_user)
    data = {"result": world.result.pk, "code": "I-9", "title": "Capacitaciones", "measure": "percentage",
            "ascending": "on", "baseline_value": "140", "responsible": "SECRETARIAT", "source": ""}
    response = client.post(reverse("plans:indicator_create", args=[world.plan.pk]), data)
    assert response.status_code == 400 and "A percentage lies between 0 and 100." in response.content.decode()
    response = client.post(reverse("plans:indicator_create", args=[world.plan.pk]), {**data, "baseline_value": "40"})
    assert response.status_code == 302
    assert world.plan.indicators.get(code="I-9").actor_kind == "secretariat"
