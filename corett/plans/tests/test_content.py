"""Writing a plan's content while it is a draft: the results tree (strategic axes, objectives,
expected results), indicators and their targets, and removing actions. Services first, then the
pages through the Django client."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from corett.audit.models import AuditEntry
from corett.plans import services
from corett.plans.models import (
    Action,
    ActionUpdate,
    Actor,
    ActorKind,
    Axis,
    ExpectedResult,
    Indicator,
    IndicatorValue,
    Measure,
    Objective,
    Plan,
    PlanState,
    ProgressReport,
    Target,
)
from corett.plans.tests.builders import build_plan

pytestmark = pytest.mark.django_db


def _second_branch(staff, plan):
    """Axis 2 → objective 2.1 → result 2.1.1 (outcome), through the services."""
    axis = services.axis_save(actor=staff, plan=plan, data={"code": "2", "title": "Protección"})
    objective = services.objective_save(actor=staff, plan=plan,
                                        data={"axis": axis, "code": "2.1", "title": "Atender a las víctimas"})
    result = services.result_save(actor=staff, plan=plan, data={
        "objective": objective, "code": "2.1.1", "title": "Víctimas atendidas", "result_type": "outcome"})
    return axis, objective, result


# --- The results tree (services) -------------------------------------------------------------------


def test_the_secretariat_builds_and_renames_the_results_tree(secretariat_user):
    world = build_plan(state=PlanState.DRAFT)
    axis, objective, result = _second_branch(secretariat_user, world.plan)
    assert [a.code for a in world.plan.axes.all()] == ["1", "2"]
    assert (result.objective.axis, result.result_type) == (axis, "outcome")

    services.result_save(actor=secretariat_user, plan=world.plan, result=result,
                         data={"objective": objective, "code": "2.1.1", "title": "Víctimas atendidas y repatriadas",
                               "result_type": "output"})
    result.refresh_from_db()
    assert (result.title, result.result_type) == ("Víctimas atendidas y repatriadas", "output")
    entry = AuditEntry.objects.filter(action="plans.result.update").get()
    assert sorted(entry.changed_fields) == ["result_type", "title"]
    assert entry.extra["code"] == "2.1.1"
    assert AuditEntry.objects.filter(action="plans.axis.create", extra__code="2").exists()

    # An objective moves under another axis of the same plan, with its results.
    first_axis = world.plan.axes.get(code="1")
    services.objective_save(actor=secretariat_user, plan=world.plan, objective=objective,
                            data={"axis": first_axis, "code": "1.2", "title": objective.title})
    objective.refresh_from_db()
    assert (objective.axis, objective.code, objective.results.count()) == (first_axis, "1.2", 1)


def test_codes_are_unique_in_the_plan_and_the_error_is_at_the_code(secretariat_user):
    world = build_plan(state=PlanState.DRAFT)
    axis, _objective, result = _second_branch(secretariat_user, world.plan)
    with pytest.raises(ValidationError) as error:
        services.axis_save(actor=secretariat_user, plan=world.plan, data={"code": "1", "title": "Otra"})
    assert error.value.message_dict == {"code": ["The plan already has a strategic axis 1."]}
    # Objective and result codes are unique across the plan, not only under one parent: the
    # import, the action form and the comparison of versions all name them by code alone.
    with pytest.raises(ValidationError) as error:
        services.objective_save(actor=secretariat_user, plan=world.plan,
                                data={"axis": axis, "code": "1.1", "title": "Repetido"})
    assert error.value.message_dict == {"code": ["The plan already has an objective 1.1."]}
    with pytest.raises(ValidationError) as error:
        services.result_save(actor=secretariat_user, plan=world.plan, result=result, data={"code": "1.1.1"})
    assert error.value.message_dict == {"code": ["The plan already has an expected result 1.1.1."]}
    with pytest.raises(ValidationError) as error:
        services.indicator_save(actor=secretariat_user, plan=world.plan, indicator=world.computed,
                                data={"code": "I-1"})
    assert error.value.message_dict == {"code": ["The plan already has an indicator I-1."]}
    with pytest.raises(ValidationError) as error:
        services.action_save(actor=secretariat_user, plan=world.plan, action=world.all_action,
                             data={"code": "1.1.1.1"},
                             responsibles=[services.ResponsibleActor(Actor(ActorKind.ALL_COUNTRIES))])
    assert error.value.message_dict == {"code": ["The plan already has an action 1.1.1.1."]}
    with translation.override("es"), pytest.raises(ValidationError) as error:
        services.axis_save(actor=secretariat_user, plan=world.plan, data={"code": "2", "title": "Otra"})
    assert error.value.message_dict == {"code": ["El plan ya tiene un eje estratégico 2."]}
    assert world.plan.axes.count() == 2
    result.refresh_from_db()
    assert result.code == "2.1.1"


def test_a_part_never_hangs_from_another_plan(secretariat_user):
    world = build_plan(state=PlanState.DRAFT)
    other = build_plan(state=PlanState.DRAFT, code="POA-X")
    foreign_axis = other.plan.axes.get()
    with pytest.raises(ValidationError) as error:
        services.objective_save(actor=secretariat_user, plan=world.plan,
                                data={"axis": foreign_axis, "code": "9.1", "title": "Ajeno"})
    assert error.value.message_dict == {"axis": ["The axis belongs to another plan."]}
    with pytest.raises(ValidationError) as error:
        services.result_save(actor=secretariat_user, plan=world.plan,
                             data={"code": "9.9.9", "title": "Sin objetivo", "result_type": "output"})
    assert error.value.message_dict == {"objective": ["Choose the objective."]}
    assert not Objective.objects.filter(code="9.1").exists()


def test_removing_an_objective_with_actions_is_refused_until_they_move(secretariat_user):
    world = build_plan(state=PlanState.DRAFT)
    _axis, _objective, elsewhere = _second_branch(secretariat_user, world.plan)
    objective = world.plan.axes.get(code="1").objectives.get()

    with pytest.raises(ValidationError) as error:
        services.tree_remove(actor=secretariat_user, node=objective)
    message = error.value.message_dict["move_to"][0]
    assert message.startswith("Objective 1.1 still has actions 1.1.1.1, 1.1.1.2, 1.1.1.3; indicators I-1, I-2.")
    assert Objective.objects.filter(pk=objective.pk).exists() and world.plan.actions.count() == 3

    with pytest.raises(ValidationError) as error:
        services.tree_remove(actor=secretariat_user, node=objective, move_to=world.result)
    assert error.value.message_dict == {"move_to": ["Choose an expected result outside the part being removed."]}

    moved = services.tree_remove(actor=secretariat_user, node=objective, move_to=elsewhere)
    assert moved.actions == ["1.1.1.1", "1.1.1.2", "1.1.1.3"] and moved.indicators == ["I-1", "I-2"]
    assert not Objective.objects.filter(pk=objective.pk).exists()
    assert not ExpectedResult.objects.filter(pk=world.result.pk).exists()
    assert set(world.plan.actions.values_list("result", flat=True)) == {elsewhere.pk}
    assert set(world.plan.indicators.values_list("result", flat=True)) == {elsewhere.pk}
    assert Target.objects.filter(indicator=world.indicator).count() == 2  # the indicators keep their targets
    entry = AuditEntry.objects.get(action="plans.objective.remove")
    assert entry.extra["moved_to"] == "2.1.1" and entry.extra["actions"] == ["1.1.1.1", "1.1.1.2", "1.1.1.3"]


def test_an_empty_axis_is_removed_with_its_objectives_and_results(secretariat_user):
    world = build_plan(state=PlanState.DRAFT)
    axis, _objective, _result = _second_branch(secretariat_user, world.plan)
    assert not services.tree_dependants(axis)
    services.tree_remove(actor=secretariat_user, node=axis)
    assert list(world.plan.axes.values_list("code", flat=True)) == ["1"]
    assert not Objective.objects.filter(code="2.1").exists()
    assert not ExpectedResult.objects.filter(code="2.1.1").exists()


def test_an_approved_plan_keeps_its_tree_and_says_why(secretariat_user, focal_gt):
    world = build_plan()  # in execution
    axis = world.plan.axes.get()
    objective = axis.objectives.get()
    writes = [
        lambda who: services.axis_save(actor=who, plan=world.plan, data={"code": "2", "title": "Nuevo"}),
        lambda who: services.axis_save(actor=who, plan=world.plan, axis=axis, data={"title": "Renombrado"}),
        lambda who: services.tree_remove(actor=who, node=objective, move_to=world.result),
        lambda who: services.indicator_save(actor=who, plan=world.plan, indicator=world.indicator,
                                            data={"definition": "Otra"}),
        lambda who: services.target_set(actor=who, indicator=world.indicator, year=2025, value=Decimal(3)),
        lambda who: services.target_remove(actor=who, indicator=world.indicator, year=2024),
        lambda who: services.action_remove(actor=who, action=world.gt_action),
    ]
    for write in writes:
        with pytest.raises(ValidationError) as error:
            write(secretariat_user)
        assert "Version 1 of POA-T is “In execution”: its content changes only through a new version" in (
            error.value.message_dict["state"][0])
        with pytest.raises(PermissionDenied):
            write(focal_gt)
    axis.refresh_from_db()
    world.indicator.refresh_from_db()
    assert axis.title == "Prevención" and world.indicator.definition == ""
    assert world.plan.axes.count() == 1 and world.indicator.targets.count() == 2 and world.plan.actions.count() == 3


def test_a_plan_approved_meanwhile_is_not_changed_through_a_stale_copy(secretariat_user):
    world = build_plan(state=PlanState.DRAFT)
    stale = Plan.objects.get(pk=world.plan.pk)
    services.plan_transition(actor=secretariat_user, plan=world.plan, to_state=PlanState.IN_REVIEW)
    services.plan_transition(actor=secretariat_user, plan=world.plan, to_state=PlanState.APPROVED,
                             agreement_reference="III-2022/C")
    assert stale.is_editable  # the caller's copy still says draft
    with pytest.raises(ValidationError) as error:
        services.axis_save(actor=secretariat_user, plan=stale, data={"code": "2", "title": "Tarde"})
    assert "“Approved”" in error.value.message_dict["state"][0]
    assert not Axis.objects.filter(plan=world.plan, code="2").exists()


# --- Indicators and targets (services) -------------------------------------------------------------


def test_the_secretariat_edits_an_indicator(secretariat_user):
    world = build_plan(state=PlanState.DRAFT)
    _axis, _objective, elsewhere = _second_branch(secretariat_user, world.plan)
    indicator = services.indicator_save(
        actor=secretariat_user, plan=world.plan, indicator=world.indicator,
        responsible=Actor(ActorKind.SECRETARIAT),
        data={"result": elsewhere, "definition": "Campañas con material de UNODC", "ascending": False,
              "baseline_value": Decimal(3), "baseline_year": 2022, "baseline_comment": "Informe 2022",
              "means_of_verification": "Informes de campaña", "is_key": False})
    indicator.refresh_from_db()
    assert (indicator.result, indicator.actor_kind, indicator.ascending, indicator.is_key) == (
        elsewhere, ActorKind.SECRETARIAT, False, False)
    assert indicator.baseline_value == Decimal(3) and indicator.by_country  # untouched fields stay
    entry = AuditEntry.objects.get(action="plans.indicator.update")
    assert set(entry.changed_fields) == {"result_id", "actor_kind", "definition", "ascending", "baseline_value",
                                         "baseline_comment", "means_of_verification", "is_key"}
    assert "Campañas con material" not in str(entry.extra)


def test_an_indicator_change_must_leave_its_targets_valid(secretariat_user):
    world = build_plan(state=PlanState.DRAFT)
    services.target_set(actor=secretariat_user, indicator=world.indicator, year=2025, value=Decimal(150))
    with pytest.raises(ValidationError) as error:
        services.indicator_save(actor=secretariat_user, plan=world.plan, indicator=world.indicator,
                                data={"measure": Measure.PERCENTAGE, "by_country": False})
    assert error.value.message_dict == {
        "measure": ["Targets outside 0–100 exist (2025: 150): a percentage lies between 0 and 100. "  # noqa: RUF001
                    "Change those targets first."],
        "by_country": ["Country targets exist (2024 GT: 2): remove them before the indicator stops being "
                       "disaggregated by country."],
    }
    world.indicator.refresh_from_db()
    assert (world.indicator.measure, world.indicator.by_country) == (Measure.UNIT, True)

    services.target_remove(actor=secretariat_user, indicator=world.indicator, year=2024, country=world.gt)
    services.target_set(actor=secretariat_user, indicator=world.indicator, year=2025, value=Decimal(90))
    services.indicator_save(actor=secretariat_user, plan=world.plan, indicator=world.indicator,
                            data={"measure": Measure.PERCENTAGE, "by_country": False})
    world.indicator.refresh_from_db()
    assert (world.indicator.measure, world.indicator.by_country) == (Measure.PERCENTAGE, False)
    assert AuditEntry.objects.filter(action="plans.target.remove", extra__country="GT").exists()


def test_bad_targets_are_refused_at_their_field(secretariat_user):
    world = build_plan(state=PlanState.DRAFT)
    percentage = services.indicator_save(
        actor=secretariat_user, plan=world.plan, responsible=Actor(ActorKind.SECRETARIAT),
        data={"result": world.result, "code": "I-3", "title": "Comisiones con protocolo", "measure": "percentage"})
    cases = [
        (percentage, 2024, Decimal(101), None, {"value": ["A percentage lies between 0 and 100."]}),
        (percentage, 2024, Decimal(-1), None, {"value": ["The value cannot be negative."]}),
        (percentage, 2022, Decimal(50), None, {"year": ["The year 2022 is outside the plan's period (2023–2025)."]}),  # noqa: RUF001
        (percentage, 2024, Decimal(50), world.gt, {"country": ["This indicator is not disaggregated by country."]}),
    ]
    for indicator, year, value, country, expected in cases:
        with pytest.raises(ValidationError) as error:
            services.target_set(actor=secretariat_user, indicator=indicator, year=year, value=value, country=country)
        assert error.value.message_dict == expected
    assert not percentage.targets.exists()
    with pytest.raises(ValidationError) as error:
        services.target_remove(actor=secretariat_user, indicator=percentage, year=2024)
    assert error.value.message_dict == {"year": ["I-3 has no target for 2024 (regional)."]}
    with pytest.raises(ValidationError) as error:
        services.indicator_save(actor=secretariat_user, plan=world.plan, indicator=percentage,
                                data={"baseline_value": Decimal(120)})
    assert error.value.message_dict == {"baseline_value": ["A percentage lies between 0 and 100."]}


def test_a_draft_loses_an_action_or_an_indicator_but_never_a_reported_one(secretariat_user, focal_gt):
    world = build_plan(state=PlanState.DRAFT)
    services.action_remove(actor=secretariat_user, action=world.secretariat_action)
    services.indicator_remove(actor=secretariat_user, indicator=world.indicator)
    assert sorted(world.plan.actions.values_list("code", flat=True)) == ["1.1.1.1", "1.1.1.2"]
    assert not Indicator.objects.filter(pk=world.indicator.pk).exists()
    assert not Target.objects.filter(indicator_id=world.indicator.pk).exists()
    assert AuditEntry.objects.filter(action="plans.action.remove", extra__code="1.1.1.3").exists()

    executed = build_plan(code="POA-E")
    services.report_start(actor=focal_gt, period=executed.period)
    draft = services.plan_new_version(actor=secretariat_user, plan=executed.plan, reason="Ajuste")
    services.action_remove(actor=secretariat_user, action=draft.actions.get(code="1.1.1.1"))
    assert Action.objects.filter(plan=executed.plan, code="1.1.1.1").exists()  # the approved version keeps it

    # A draft has no reports; were one written on it all the same, what it reports stays.
    period = draft.periods.first()
    assert period is not None
    report = ProgressReport.objects.create(period=period, actor_kind=ActorKind.SECRETARIAT,
                                           created_by=secretariat_user)
    action = draft.actions.get(code="1.1.1.2")
    ActionUpdate.objects.create(report=report, action=action, status="in_progress", percent_complete=10)
    indicator = draft.indicators.get(code="I-1")
    IndicatorValue.objects.create(report=report, indicator=indicator, value=Decimal(1))
    with pytest.raises(ValidationError) as error:
        services.action_remove(actor=secretariat_user, action=action)
    assert error.value.messages == ["Progress was reported on this action: it cannot be removed."]
    with pytest.raises(ValidationError) as error:
        services.indicator_remove(actor=secretariat_user, indicator=indicator)
    assert error.value.messages == ["Values were reported for this indicator: it cannot be removed."]
    assert Action.objects.filter(pk=action.pk).exists() and Indicator.objects.filter(pk=indicator.pk).exists()


# --- Pages -----------------------------------------------------------------------------------------


def test_the_tree_pages_add_edit_and_remove(secretariat_user, client_as):
    world = build_plan(state=PlanState.DRAFT)
    client = client_as(secretariat_user)
    plan = world.plan
    page = client.get(plan.get_absolute_url()).content.decode()
    assert reverse("plans:axis_create", args=[plan.pk]) in page
    assert reverse("plans:objective_edit", args=[world.result.objective_id]) in page

    response = client.post(reverse("plans:axis_create", args=[plan.pk]), {"code": "1", "title": "Repetido"})
    assert response.status_code == 400
    assert 'id="id_code_error"' in response.content.decode()
    assert "The plan already has a strategic axis 1." in response.content.decode()
    response = client.post(reverse("plans:axis_create", args=[plan.pk]), {"code": "1", "title": "Repetido"},
                           HTTP_ACCEPT_LANGUAGE="es")
    assert "El plan ya tiene un eje estratégico 1." in response.content.decode()

    response = client.post(reverse("plans:axis_create", args=[plan.pk]), {"code": "2", "title": "Protección"})
    axis = plan.axes.get(code="2")
    assert response.status_code == 302 and response["Location"].endswith(f"#axis-{axis.pk}")
    form = client.get(reverse("plans:objective_create", args=[plan.pk]) + f"?axis={axis.pk}").content.decode()
    assert f'<option value="{axis.pk}" selected>' in form
    client.post(reverse("plans:objective_create", args=[plan.pk]),
                {"axis": axis.pk, "code": "2.1", "title": "Atender a las víctimas"})
    objective = Objective.objects.get(axis=axis)
    response = client.post(reverse("plans:result_create", args=[plan.pk]),
                           {"objective": objective.pk, "code": "2.1.1", "title": "Víctimas atendidas",
                            "result_type": "outcome"})
    assert response.status_code == 302
    result = ExpectedResult.objects.get(objective=objective)
    response = client.post(reverse("plans:result_edit", args=[result.pk]),
                           {"objective": objective.pk, "code": "2.1.1", "title": "Víctimas atendidas",
                            "result_type": "output"})
    result.refresh_from_db()
    assert response.status_code == 302 and result.result_type == "output"

    # The objective with actions: the page names them and asks where they go.
    old = world.result.objective
    url = reverse("plans:objective_remove", args=[old.pk])
    page = client.get(url).content.decode()
    assert "1.1.1.1, 1.1.1.2, 1.1.1.3" in page and f'<option value="{result.pk}">' in page
    assert f'<option value="{world.result.pk}">' not in page  # not into what is removed
    response = client.post(url, {})
    assert response.status_code == 400 and 'id="id_move_to_error"' in response.content.decode()
    assert Objective.objects.filter(pk=old.pk).exists()
    response = client.post(url, {"move_to": result.pk})
    assert response.status_code == 302
    assert not Objective.objects.filter(pk=old.pk).exists()
    assert set(plan.actions.values_list("result", flat=True)) == {result.pk}

    # An empty axis goes without a question.
    response = client.post(reverse("plans:axis_remove", args=[plan.axes.get(code="1").pk]), {})
    assert response.status_code == 302 and list(plan.axes.values_list("code", flat=True)) == ["2"]


def test_an_approved_plan_sends_the_secretariat_back_with_the_reason(secretariat_user, focal_gt, client_as):
    world = build_plan()  # in execution
    client = client_as(secretariat_user)
    objective = world.result.objective
    for url in (reverse("plans:objective_edit", args=[objective.pk]),
                reverse("plans:axis_create", args=[world.plan.pk]),
                reverse("plans:indicator_edit", args=[world.indicator.pk])):
        response = client.get(url, follow=True)
        assert response.redirect_chain == [(world.plan.get_absolute_url(), 302)]
        assert "its content changes only through a new version" in response.content.decode()
    response = client.post(reverse("plans:objective_remove", args=[objective.pk]), {"move_to": world.result.pk},
                           follow=True, HTTP_ACCEPT_LANGUAGE="es")
    assert "su contenido cambia solo mediante una nueva versión" in response.content.decode()
    assert Objective.objects.filter(pk=objective.pk).exists()
    page = client.get(world.plan.get_absolute_url()).content.decode()
    assert 'data-testid="plan-locked"' in page
    assert reverse("plans:axis_create", args=[world.plan.pk]) not in page
    assert client_as(focal_gt).get(reverse("plans:objective_edit", args=[objective.pk])).status_code == 403


def test_the_indicator_edit_page(secretariat_user, client_as):
    world = build_plan(state=PlanState.DRAFT)
    client = client_as(secretariat_user)
    url = reverse("plans:indicator_edit", args=[world.indicator.pk])
    form = client.get(url).content.decode()
    assert '<option value="ALL" selected>' in form and 'value="Campañas realizadas"' in form
    services.target_set(actor=secretariat_user, indicator=world.indicator, year=2025, value=Decimal(150))
    data = {"result": world.result.pk, "code": "I-1", "title": "Campañas realizadas", "measure": "percentage",
            "ascending": "on", "cumulative": "on", "baseline_value": "0", "baseline_year": "2022",
            "responsible": "ALL", "by_country": "on", "is_key": "on", "source": ""}
    response = client.post(url, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_measure_error"' in page and "Targets outside 0–100 exist (2025: 150)" in page  # noqa: RUF001
    response = client.post(url, {**data, "code": "I-2"})
    assert response.status_code == 400 and "The plan already has an indicator I-2." in response.content.decode()
    response = client.post(url, {**data, "measure": "unit", "means_of_verification": "Informes",
                                 "responsible": "GT"})
    assert response.status_code == 302
    world.indicator.refresh_from_db()
    assert (world.indicator.means_of_verification, world.indicator.country) == ("Informes", world.gt)

    detail = client.get(world.indicator.get_absolute_url()).content.decode()
    assert 'data-target="2025-regional"' in detail and 'data-target="2024-GT"' in detail
    response = client.post(reverse("plans:target_remove", args=[world.indicator.pk]),
                           {"year": "2024", "country": "GT"})
    assert response.status_code == 302
    assert list(world.indicator.targets.values_list("year", "country")) == [(2024, None), (2025, None)]
    response = client.post(reverse("plans:target_remove", args=[world.indicator.pk]),
                           {"year": "2024", "country": "GT"}, follow=True)
    assert "I-1 has no target for 2024 GT." in response.content.decode()


def test_the_computed_indicator_page_names_its_source(focal_gt, client_as):
    world = build_plan()
    page = client_as(focal_gt).get(world.computed.get_absolute_url()).content.decode()
    assert "Repatriation cases: victims received in their country" in page
    assert reverse("plans:indicator_edit", args=[world.computed.pk]) not in page


def test_the_action_and_indicator_remove_pages(secretariat_user, client_as):
    world = build_plan(state=PlanState.DRAFT)
    client = client_as(secretariat_user)
    url = reverse("plans:action_remove", args=[world.secretariat_action.pk])
    assert "1.1.1.3" in client.get(url).content.decode()
    assert client.post(url, {}).status_code == 302
    assert not Action.objects.filter(pk=world.secretariat_action.pk).exists()
    url = reverse("plans:indicator_remove", args=[world.indicator.pk])
    page = client.get(url).content.decode()
    assert "2024 GT: 2" in page
    assert client.post(url, {}).status_code == 302
    assert not Indicator.objects.filter(pk=world.indicator.pk).exists()


def test_the_draft_plan_page_pins_its_queries(secretariat_user, client_as, django_assert_max_num_queries):
    world = build_plan(state=PlanState.DRAFT)
    _second_branch(secretariat_user, world.plan)
    client = client_as(secretariat_user)
    with django_assert_max_num_queries(25):
        assert client.get(world.plan.get_absolute_url()).status_code == 200


def test_a_new_version_with_a_reshaped_tree_compares_part_by_part(secretariat_user):
    from corett.plans.versions import compare_plans

    world = build_plan()  # in execution
    draft = services.plan_new_version(actor=secretariat_user, plan=world.plan, reason="Plenaria IV")
    axis = services.axis_save(actor=secretariat_user, plan=draft, data={"code": "2", "title": "Protección"})
    # An objective coded like an axis: the comparison keeps the levels apart.
    services.objective_save(actor=secretariat_user, plan=draft, data={"axis": axis, "code": "1", "title": "Otro"})
    result = ExpectedResult.objects.get(objective__axis__plan=draft)
    services.result_save(actor=secretariat_user, plan=draft, result=result, data={"result_type": "outcome"})
    changes = {c.code: c for c in next(s for s in compare_plans(world.plan, draft) if s.label == "Results tree").changes}
    assert {code: c.what for code, c in changes.items()} == {
        "1 (objective)": "added", "1.1.1 (expected result)": "changed", "2 (strategic axis)": "added"}
    assert changes["1.1.1 (expected result)"].fields == [("Result type", "Output", "Outcome")]
