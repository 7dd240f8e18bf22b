"""Who reaches each page and endpoint of the action plan. The plan is the coalition's shared
document (its actors read it); a progress report is its reporter's (Guatemala's, "own") and the
regional roles'. Writing the plan, reviewing and locking are the Secretariat's."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.base import ContentFile

from corett.accounts.roles import Role
from corett.plans import services
from corett.plans.models import (
    ExpectedResult,
    JointProject,
    Milestone,
    Objective,
    PlanState,
    ProjectDocument,
)
from corett.plans.tests.builders import build_plan
from corett.testing import factories
from corett.testing.matrix import NONE, REGIONAL, STAFF, Entry, check_access

FP = frozenset({Role.FOCAL_POINT})
READERS = REGIONAL | {Role.FOCAL_POINT, Role.OBSERVER, Role.PARTNER}
REPORTERS = READERS - {Role.ADMIN}
REPORT_READERS = REGIONAL | FP


def plan(w):
    return {"pk": w.plan.pk}


def report(w):
    return {"pk": w.report.pk}


def draft_indicator(w):
    return {"pk": w.draft.indicators.get(code="I-1").pk}


def draft_objective(w):
    return Objective.objects.get(axis__plan=w.draft)


def draft_result(w):
    return ExpectedResult.objects.get(objective__axis__plan=w.draft)


MATRIX = {
    "plans:list": Entry(READERS),
    "plans:create": Entry(STAFF),
    "plans:mine": Entry(REPORTERS),
    "plans:import": Entry(STAFF),
    "plans:import_template": Entry(STAFF),
    "plans:detail": Entry(READERS, kwargs=plan),
    "plans:transition": Entry(STAFF, method="post", kwargs=plan, data=lambda w: {}),
    "plans:new_version": Entry(STAFF, method="post", kwargs=plan, data=lambda w: {}),
    "plans:compare": Entry(READERS, kwargs=lambda w: {"pk": w.plan.pk, "other": w.draft.pk}),
    "plans:dashboard": Entry(READERS, kwargs=plan),
    "plans:gantt": Entry(READERS, kwargs=plan),
    "plans:export_xlsx": Entry(READERS, kwargs=plan),
    "plans:export_pdf": Entry(READERS, kwargs=plan),
    "plans:action_create": Entry(STAFF, kwargs=lambda w: {"pk": w.draft.pk}),
    "plans:action_detail": Entry(READERS, kwargs=lambda w: {"pk": w.world.gt_action.pk}),
    "plans:action_edit": Entry(STAFF, kwargs=lambda w: {"pk": w.draft.actions.first().pk}),
    "plans:indicator_detail": Entry(READERS, kwargs=lambda w: {"pk": w.world.indicator.pk}),
    "plans:project_detail": Entry(READERS, kwargs=lambda w: {"pk": w.project.pk}),
    "plans:project_create": Entry(STAFF, kwargs=plan),
    "plans:project_edit": Entry(STAFF, kwargs=lambda w: {"pk": w.project.pk}),
    "plans:project_milestone": Entry(STAFF, method="post", kwargs=lambda w: {"pk": w.project.pk},
                                     data=lambda w: {}),
    "plans:project_document_upload": Entry(STAFF, method="post", kwargs=lambda w: {"pk": w.project.pk},
                                           data=lambda w: {}),
    "plans:milestone_done": Entry(STAFF, method="post", kwargs=lambda w: {"pk": w.milestone.pk}),
    "plans:indicator_create": Entry(STAFF, kwargs=lambda w: {"pk": w.draft.pk}),
    "plans:indicator_edit": Entry(STAFF, kwargs=draft_indicator),
    "plans:indicator_remove": Entry(STAFF, kwargs=draft_indicator),
    # The first allowed POST removes the target; the next ones are told there is none (a redirect).
    "plans:target_remove": Entry(STAFF, method="post", kwargs=draft_indicator, data=lambda w: {"year": "2024"}),
    "plans:action_remove": Entry(STAFF, kwargs=lambda w: {"pk": w.draft.actions.first().pk}),
    "plans:axis_create": Entry(STAFF, kwargs=lambda w: {"pk": w.draft.pk}),
    "plans:axis_edit": Entry(STAFF, kwargs=lambda w: {"pk": w.draft.axes.get().pk}),
    "plans:axis_remove": Entry(STAFF, kwargs=lambda w: {"pk": w.draft.axes.get().pk}),
    "plans:objective_create": Entry(STAFF, kwargs=lambda w: {"pk": w.draft.pk}),
    "plans:objective_edit": Entry(STAFF, kwargs=lambda w: {"pk": draft_objective(w).pk}),
    "plans:objective_remove": Entry(STAFF, kwargs=lambda w: {"pk": draft_objective(w).pk}),
    "plans:result_create": Entry(STAFF, kwargs=lambda w: {"pk": w.draft.pk}),
    "plans:result_edit": Entry(STAFF, kwargs=lambda w: {"pk": draft_result(w).pk}),
    "plans:result_remove": Entry(STAFF, kwargs=lambda w: {"pk": draft_result(w).pk}),
    "plans:project_document": Entry(READERS, kwargs=lambda w: {"pk": w.document.pk}),
    "plans:period_detail": Entry(READERS, kwargs=lambda w: {"pk": w.world.period.pk}),
    "plans:period_lock": Entry(STAFF, method="post", kwargs=lambda w: {"pk": w.world.period.pk}),
    "plans:period_reopen": Entry(STAFF, method="post", kwargs=lambda w: {"pk": w.world.period.pk},
                                 data=lambda w: {}),
    "plans:period_pdf": Entry(READERS, kwargs=lambda w: {"pk": w.world.period.pk}),
    "plans:report_start": Entry(REPORTERS, method="post", kwargs=lambda w: {"pk": w.world.period.pk}),
    "plans:report_detail": Entry(REPORT_READERS, REGIONAL, kwargs=report),
    "plans:report_submit": Entry(FP, NONE, method="post", kwargs=report),
    "plans:report_review": Entry(STAFF, method="post", kwargs=lambda w: {"pk": w.report.pk, "decision": "approve"},
                                 data=lambda w: {"notes": ""}),
    "plans:report_reopen": Entry(STAFF, method="post", kwargs=report, data=lambda w: {}),
    "plans:evidence": Entry(REPORT_READERS, REGIONAL, kwargs=lambda w: {"pk": w.value.pk}),
    "api:plan-list": Entry(READERS),
    "api:plan-detail": Entry(READERS, kwargs=plan),
    "api:plan-dashboard": Entry(READERS, kwargs=plan),
    "api:plan-action-list": Entry(READERS),
    "api:plan-action-detail": Entry(READERS, kwargs=lambda w: {"pk": w.world.gt_action.pk}),
    "api:plan-indicator-list": Entry(READERS),
    "api:plan-indicator-detail": Entry(READERS, kwargs=lambda w: {"pk": w.world.indicator.pk}),
    "api:plan-indicator-progress": Entry(READERS, kwargs=lambda w: {"pk": w.world.indicator.pk}),
    "api:plan-indicator-targets": Entry(STAFF, method="post", kwargs=draft_indicator,
                                        data=lambda w: {"year": "2025", "value": "12"}),
    # No target for 2023: an allowed user gets a 400 that says so, the others a refusal.
    "api:plan-indicator-remove-target": Entry(STAFF, method="post", kwargs=draft_indicator,
                                              data=lambda w: {"year": "2023"}),
    "api:plan-axis-list": Entry(READERS),
    "api:plan-axis-detail": Entry(READERS, kwargs=lambda w: {"pk": w.draft.axes.get().pk}),
    "api:plan-objective-list": Entry(READERS),
    "api:plan-objective-detail": Entry(READERS, kwargs=lambda w: {"pk": draft_objective(w).pk}),
    "api:plan-result-list": Entry(READERS),
    "api:plan-result-detail": Entry(READERS, kwargs=lambda w: {"pk": draft_result(w).pk}),
    "api:plan-report-list": Entry(READERS),
    "api:plan-report-detail": Entry(REPORT_READERS, REGIONAL, kwargs=report),
    "api:plan-report-submit": Entry(FP, NONE, method="post", kwargs=report),
    "api:plan-report-approve": Entry(STAFF, method="post", kwargs=report),
    "api:plan-report-return": Entry(STAFF, method="post", kwargs=report),
}


class World:
    def __init__(self) -> None:
        self.world = build_plan()
        self.plan = self.world.plan
        staff = self.world.staff
        self.draft = services.plan_new_version(actor=staff, plan=self.plan, reason="Revisión")
        self.project = JointProject.objects.create(plan=self.plan, code="P-1", kind="study", title="Estudio")
        self.milestone = Milestone.objects.create(project=self.project, title="Términos de referencia",
                                                  due_on="2024-03-01")
        self.document = ProjectDocument.objects.create(
            project=self.project, title="TdR", file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="tdr.pdf"),
            content_type="application/pdf")
        focal = factories.user_with(Role.FOCAL_POINT, "GT", username="matrix-focal-gt")
        self.report = services.report_start(actor=focal, period=self.world.period)
        self.value = self.report.indicator_values.get()
        self.value.value = Decimal(1)
        self.value.evidence.save("evidence.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
        self.value.evidence_type = "application/pdf"
        self.value.save()


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return World()


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_access(name, world, client, login):
    check_access(name, MATRIX[name], world, client, login)


def test_the_plan_is_not_changed_in_execution(world):
    assert world.plan.state == PlanState.IN_EXECUTION
