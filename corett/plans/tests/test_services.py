from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from corett.accounts.roles import Role
from corett.audit.models import AuditEntry
from corett.notifications.models import Notification
from corett.plans import services
from corett.plans.models import (
    ActionStatus,
    Actor,
    ActorKind,
    PeriodReopening,
    Plan,
    PlanState,
    ProgressReport,
    ReportState,
    Target,
)
from corett.plans.tests.builders import build_plan
from corett.plans.versions import compare_plans
from corett.testing import factories

pytestmark = pytest.mark.django_db


def _fill(report, *, percent=50, status=ActionStatus.IN_PROGRESS, value=Decimal(3)):
    actions = {u.pk: services.ActionProgress(status, percent, "Se hizo", "") for u in report.action_updates.all()}
    indicators = {v.pk: services.IndicatorProgress(value=value) for v in report.indicator_values.all()}
    return services.report_save(actor=report.created_by, report=report, summary="Resumen", actions=actions,
                                indicators=indicators)


# --- Plans and versions ----------------------------------------------------------------------------


def test_a_new_plan_gets_its_reporting_periods():
    world = build_plan(state=PlanState.DRAFT)
    assert list(world.plan.periods.values_list("label", flat=True)) == [
        "2023-S1", "2023-S2", "2024-S1", "2024-S2", "2025-S1", "2025-S2"]
    assert world.period.due_on == dt.date(2024, 7, 30)


def test_approval_needs_the_agreement(secretariat_user):
    world = build_plan(state=PlanState.DRAFT)
    services.plan_transition(actor=secretariat_user, plan=world.plan, to_state=PlanState.IN_REVIEW)
    with pytest.raises(ValidationError) as error:
        services.plan_transition(actor=secretariat_user, plan=world.plan, to_state=PlanState.APPROVED)
    assert "agreement_reference" in error.value.message_dict
    plan = services.plan_transition(actor=secretariat_user, plan=world.plan, to_state=PlanState.APPROVED,
                                    agreement_reference="III-2022/C")
    assert plan.state == PlanState.APPROVED and plan.agreement_reference == "III-2022/C"


def test_a_plan_cannot_skip_states(secretariat_user):
    world = build_plan(state=PlanState.DRAFT)
    with pytest.raises(ValidationError):
        services.plan_transition(actor=secretariat_user, plan=world.plan, to_state=PlanState.IN_EXECUTION)


def test_an_approved_plan_changes_only_through_a_new_version(secretariat_user, focal_gt):
    world = build_plan()
    with pytest.raises(ValidationError) as error:
        services.action_save(actor=secretariat_user, plan=world.plan, action=world.gt_action,
                             data={"description": "Otra cosa"},
                             responsibles=[services.ResponsibleActor(Actor(ActorKind.SECRETARIAT))])
    assert "changes only through a new version" in error.value.message_dict["state"][0]
    with pytest.raises(PermissionDenied):
        services.action_save(actor=focal_gt, plan=world.plan, action=world.gt_action,
                             data={"description": "Otra cosa"},
                             responsibles=[services.ResponsibleActor(Actor(ActorKind.SECRETARIAT))])
    world.gt_action.refresh_from_db()
    assert world.gt_action.description == "Acción 1.1.1.1"
    with pytest.raises(ValidationError) as error:
        services.plan_new_version(actor=secretariat_user, plan=world.plan, reason="  ")
    assert "reason" in error.value.message_dict

    new = services.plan_new_version(actor=secretariat_user, plan=world.plan, reason="Ajuste de la plenaria IV")
    assert (new.version, new.state, new.previous_id) == (2, PlanState.DRAFT, world.plan.pk)
    assert new.actions.count() == 3 and new.indicators.count() == 2 and new.periods.count() == 6
    action = new.actions.get(code="1.1.1.1")
    services.action_save(actor=secretariat_user, plan=new, action=action,
                         data={"description": "Acción reformulada"},
                         responsibles=[services.ResponsibleActor(Actor(ActorKind.SECRETARIAT))])
    world.gt_action.refresh_from_db()
    assert world.gt_action.description == "Acción 1.1.1.1"  # the approved version is untouched

    sections = {s.label: s.changes for s in compare_plans(world.plan, new)}
    changed = sections["Actions"]
    assert [c.code for c in changed] == ["1.1.1.1"]
    labels = {label for label, _old, _new in changed[0].fields}
    assert labels == {"Description", "Lead"}
    with pytest.raises(ValidationError):
        services.plan_new_version(actor=secretariat_user, plan=world.plan, reason="Otra")


def test_an_action_needs_a_responsible_actor(secretariat_user):
    world = build_plan(state=PlanState.DRAFT)
    with pytest.raises(ValidationError) as error:
        services.action_save(actor=secretariat_user, plan=world.plan, data={
            "result": world.result, "code": "9", "description": "x", "planned_start": dt.date(2023, 1, 1),
            "planned_end": dt.date(2023, 2, 1)}, responsibles=[])
    assert error.value.message_dict["lead"] == ["An action needs at least one responsible actor."]
    assert not world.plan.actions.filter(code="9").exists()


def test_an_action_outside_the_plan_years_is_refused(secretariat_user):
    world = build_plan(state=PlanState.DRAFT)
    with pytest.raises(ValidationError) as error:
        services.action_save(actor=secretariat_user, plan=world.plan, data={
            "result": world.result, "code": "9", "description": "x", "planned_start": dt.date(2023, 1, 1),
            "planned_end": dt.date(2027, 2, 1)},
            responsibles=[services.ResponsibleActor(Actor(ActorKind.SECRETARIAT))])
    assert "planned_end" in error.value.message_dict


def test_a_target_outside_the_plan_period_is_refused(secretariat_user):
    world = build_plan(state=PlanState.DRAFT)
    with pytest.raises(ValidationError) as error:
        services.target_set(actor=secretariat_user, indicator=world.indicator, year=2027, value=Decimal(4))
    assert error.value.message_dict["year"] == ["The year 2027 is outside the plan's period (2023–2025)."]  # noqa: RUF001
    assert not Target.objects.filter(year=2027).exists()


def test_a_country_target_needs_a_disaggregated_indicator(secretariat_user):
    world = build_plan(state=PlanState.DRAFT)
    with pytest.raises(ValidationError) as error:
        services.target_set(actor=secretariat_user, indicator=world.computed, year=2024, value=Decimal(4),
                            country=world.gt)
    assert "country" in error.value.message_dict


# --- Progress reports ------------------------------------------------------------------------------


def test_a_country_reports_on_its_actions_and_those_of_all_countries(focal_gt):
    world = build_plan()
    report = services.report_start(actor=focal_gt, period=world.period)
    assert (report.actor_kind, report.country_id) == (ActorKind.COUNTRY, world.gt.pk)
    assert sorted(report.action_updates.values_list("action__code", flat=True)) == ["1.1.1.1", "1.1.1.2"]
    assert list(report.indicator_values.values_list("indicator__code", flat=True)) == ["I-1"]
    assert services.report_start(actor=focal_gt, period=world.period) == report


def test_the_full_review_cycle_moves_the_actions(focal_gt, secretariat_user):
    world = build_plan()
    report = services.report_start(actor=focal_gt, period=world.period)
    _fill(report, percent=40)
    services.report_submit(actor=focal_gt, report=report)
    assert Notification.objects.filter(recipient=secretariat_user, kind="plans.report_submitted").exists()

    services.report_return(actor=secretariat_user, report=report, notes="Falta evidencia")
    report.refresh_from_db()
    assert report.state == ReportState.RETURNED and report.reviewer_notes == "Falta evidencia"
    assert Notification.objects.filter(recipient=focal_gt, kind="plans.report_returned").exists()
    world.gt_action.refresh_from_db()
    assert world.gt_action.percent_complete == 0  # nothing counts before approval

    _fill(report, percent=60)
    services.report_submit(actor=focal_gt, report=report)
    services.report_approve(actor=secretariat_user, report=report)
    world.gt_action.refresh_from_db()
    assert (world.gt_action.status, world.gt_action.percent_complete) == (ActionStatus.IN_PROGRESS, 60)
    actions = list(AuditEntry.objects.filter(action__startswith="plans.report").values_list("action", flat=True))
    assert {"plans.report.submit", "plans.report.returned", "plans.report.approved"} <= set(actions)


def test_a_percentage_over_100_is_refused_and_nothing_is_saved(focal_gt):
    world = build_plan()
    report = services.report_start(actor=focal_gt, period=world.period)
    updates = list(report.action_updates.all())
    with pytest.raises(ValidationError) as error:
        services.report_save(actor=focal_gt, report=report, summary="Nuevo resumen", actions={
            updates[0].pk: services.ActionProgress(ActionStatus.IN_PROGRESS, 30),
            updates[1].pk: services.ActionProgress(ActionStatus.IN_PROGRESS, 130),
        }, indicators={})
    assert error.value.message_dict[f"action-{updates[1].pk}-percent_complete"] == [
        "A percentage cannot exceed 100."]
    report.refresh_from_db()
    assert report.summary == ""
    assert {u.percent_complete for u in report.action_updates.all()} == {0}


def test_a_report_for_a_locked_period_is_refused(focal_gt, focal_hn, secretariat_user):
    world = build_plan()
    report = services.report_start(actor=focal_gt, period=world.period)
    _fill(report)
    services.report_submit(actor=focal_gt, report=report)
    with pytest.raises(ValidationError):
        services.period_lock(actor=secretariat_user, period=world.period)  # a report is not approved yet
    services.report_approve(actor=secretariat_user, report=report)
    services.period_lock(actor=secretariat_user, period=world.period)
    world.period.refresh_from_db()

    with pytest.raises(ValidationError) as error:
        services.report_start(actor=focal_hn, period=world.period)
    assert "locked" in error.value.message_dict["period"][0]
    with pytest.raises(ValidationError):
        services.report_reopen(actor=secretariat_user, report=report, reason="Corrección")
    assert not ProgressReport.objects.filter(country=world.hn).exists()

    with pytest.raises(ValidationError):
        services.period_reopen(actor=secretariat_user, period=world.period, reason="")
    services.period_reopen(actor=secretariat_user, period=world.period, reason="Cifra corregida por la plenaria")
    assert PeriodReopening.objects.get(period=world.period).reason == "Cifra corregida por la plenaria"
    assert AuditEntry.objects.filter(action="plans.period.reopen").exists()
    services.report_reopen(actor=secretariat_user, report=report, reason="Corregir cifra")
    report.refresh_from_db()
    assert report.state == ReportState.RETURNED


def test_only_the_owner_writes_a_report_and_only_staff_review_it(focal_gt, focal_hn, observer_user):
    world = build_plan()
    report = services.report_start(actor=focal_gt, period=world.period)
    with pytest.raises(PermissionDenied):
        services.report_save(actor=focal_hn, report=report, summary="x", actions={}, indicators={})
    _fill(report)
    services.report_submit(actor=focal_gt, report=report)
    for someone in (focal_gt, focal_hn, observer_user):
        with pytest.raises(PermissionDenied):
            services.report_approve(actor=someone, report=report)


def test_a_submitted_report_must_answer_every_indicator(focal_gt):
    world = build_plan()
    report = services.report_start(actor=focal_gt, period=world.period)
    with pytest.raises(ValidationError) as error:
        services.report_submit(actor=focal_gt, report=report)
    assert "I-1" in error.value.message_dict["state"][0]


def test_evidence_must_be_a_known_document_type(focal_gt):
    world = build_plan()
    report = services.report_start(actor=focal_gt, period=world.period)
    value = report.indicator_values.get()
    fake = SimpleUploadedFile("informe.pdf", b"MZ\x90\x00 not a pdf at all", content_type="application/pdf")
    with pytest.raises(ValidationError) as error:
        services.report_save(actor=focal_gt, report=report, summary="", actions={}, indicators={
            value.pk: services.IndicatorProgress(value=Decimal(1), evidence=fake)})
    assert f"indicator-{value.pk}-evidence" in error.value.message_dict
    pdf = SimpleUploadedFile("informe.pdf", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n")
    services.report_save(actor=focal_gt, report=report, summary="", actions={}, indicators={
        value.pk: services.IndicatorProgress(value=Decimal(1), evidence=pdf)})
    value.refresh_from_db()
    assert value.evidence_type == "application/pdf" and value.evidence.name.endswith(".pdf")


def test_no_report_on_a_draft_plan(focal_gt):
    world = build_plan(state=PlanState.DRAFT)
    with pytest.raises(ValidationError):
        services.report_start(actor=focal_gt, period=world.period)


def test_an_observer_reports_for_its_organisation(db):
    world = build_plan()
    observer = factories.user_with(Role.OBSERVER, None, username="obs-oim")
    report = services.report_start(actor=observer, period=world.period)
    assert report.actor_kind == ActorKind.OBSERVER and report.organisation_id == observer.organisation_id
    assert report.action_updates.count() == 0  # no action names its organisation


def test_plan_codes_are_unique_across_creation(secretariat_user):
    build_plan(state=PlanState.DRAFT)
    with pytest.raises(ValidationError):
        services.plan_create(actor=secretariat_user, data={"code": "POA-T", "title": "x", "start_year": 2023,
                                                          "end_year": 2024})
    assert Plan.objects.filter(code="POA-T").count() == 1
