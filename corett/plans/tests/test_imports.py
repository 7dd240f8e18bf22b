from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from corett.plans import exports, imports
from corett.plans.models import Action, Indicator, Plan, PlanState, Target
from corett.plans.tests.builders import build_plan, observer_org
from corett.testing import factories

pytestmark = pytest.mark.django_db


def workbook(**replace: list[list]) -> io.BytesIO:
    """The template with its example rows, some sheets' rows replaced."""
    book = load_workbook(io.BytesIO(imports.template_workbook()))
    for name, rows in replace.items():
        sheet = book[name]
        sheet.delete_rows(2, sheet.max_row)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "plan.xlsx"
    return buffer


GOOD_ACTIONS = [
    ["1.1.1.1", "1.1.1", "Campaña regional", "SECRETARIAT", "ALL; OIM", dt.date(2023, 3, 1), dt.date(2023, 12, 15),
     25000, "USD", "OIM"],
    ["1.1.1.2", "1.1.1", "Campaña nacional", "GT", "", dt.date(2023, 3, 1), dt.date(2024, 12, 15), "", "", ""],
]


@pytest.fixture
def countries(db):
    factories.country("GT")
    factories.country("HN")
    observer_org("OIM")


def test_the_template_imports_as_a_draft_plan(countries, secretariat_user):
    result = imports.plan_import(actor=secretariat_user, upload=workbook(Actions=GOOD_ACTIONS))
    assert result.errors == []
    plan = result.plan
    assert plan is not None and plan.state == PlanState.DRAFT and plan.code == "POA-2023-2025"
    assert result.counts == {"results": 1, "actions": 2, "indicators": 1, "targets": 1}
    first = plan.actions.get(code="1.1.1.1")
    assert sorted((r.actor_kind, r.involvement) for r in first.responsibilities.all()) == [
        ("all_countries", "support"), ("observer", "support"), ("secretariat", "lead")]
    assert plan.periods.count() == 6


def test_every_error_is_reported_by_row_and_nothing_is_saved(countries, secretariat_user):
    result = imports.plan_import(actor=secretariat_user, upload=workbook(
        Actions=[
            GOOD_ACTIONS[0],
            ["1.1.1.2", "1.1.1", "Sin responsable", "", "", dt.date(2023, 3, 1), dt.date(2023, 4, 1), "", "", ""],
            ["1.1.1.3", "9.9.9", "Resultado que no existe", "GT", "", dt.date(2023, 3, 1), dt.date(2023, 4, 1),
             "", "", ""],
            ["1.1.1.4", "1.1.1", "Actor desconocido", "XX-ONG", "", "mañana", dt.date(2023, 4, 1), "", "", ""],
        ],
        Targets=[["I-1", 2027, "", 3, ""], ["I-1", 2024, "", "mucho", ""]],
    ))
    assert result.plan is None
    found = {(e.sheet, e.row): e.message for e in result.errors}
    assert found[("Actions", 3)] == "An action needs at least one responsible actor (column Lead)."
    assert "Unknown result code" in found[("Actions", 4)]
    assert "Unknown actor" in found[("Actions", 5)]
    assert "outside the plan's period" in found[("Targets", 2)]
    assert found[("Targets", 3)] == "Target value must be a number."
    assert not Plan.objects.exists() and not Action.objects.exists() and not Target.objects.exists()


def test_a_file_that_is_not_a_workbook_is_refused(countries, secretariat_user):
    upload = io.BytesIO(b"PK\x03\x04 this is not really a zip")
    result = imports.plan_import(actor=secretariat_user, upload=upload)
    assert [e.message for e in result.errors] == [
        "This is not a readable Excel (.xlsx) file. Start from the template."]
    assert not Plan.objects.exists()


def test_a_missing_sheet_is_named(countries, secretariat_user):
    book = Workbook()
    book.create_sheet("Plan")
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    result = imports.plan_import(actor=secretariat_user, upload=buffer)
    assert result.plan is None
    assert any("Results" in e.message for e in result.errors)


def test_an_export_imports_back_as_the_same_plan(secretariat_user):
    world = build_plan(state=PlanState.DRAFT)
    content = exports.plan_xlsx(world.plan)
    book = load_workbook(io.BytesIO(content))
    book["Plan"]["B2"] = "POA-COPY"
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    result = imports.plan_import(actor=secretariat_user, upload=buffer)
    assert result.errors == []
    copy = result.plan
    assert copy is not None
    assert sorted(copy.actions.values_list("code", flat=True)) == sorted(
        world.plan.actions.values_list("code", flat=True))
    assert Indicator.objects.get(plan=copy, code="I-2").source == "cases.victims_repatriated"
    assert Target.objects.filter(indicator__plan=copy).count() == 2


def test_the_import_page_lists_errors_and_saves_nothing(countries, secretariat_user, client_as):
    client = client_as(secretariat_user)
    bad = io.BytesIO(b"not excel")
    bad.name = "plan.xlsx"
    response = client.post(reverse("plans:import"), {"file": bad})
    assert response.status_code == 400
    assert "This is not a readable Excel (.xlsx) file" in response.content.decode()
    good = workbook(Actions=GOOD_ACTIONS)
    response = client.post(reverse("plans:import"), {"file": good})
    plan = Plan.objects.get()
    assert response.status_code == 302 and response["Location"] == plan.get_absolute_url()


def test_the_template_downloads(secretariat_user, client_as):
    response = client_as(secretariat_user).get(reverse("plans:import_template"))
    assert response.status_code == 200
    assert load_workbook(io.BytesIO(response.content)).sheetnames == list(imports.SHEETS)
