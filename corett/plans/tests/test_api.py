from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from corett.cases.tests.api_support import Api
from corett.notifications.models import Notification
from corett.plans.models import ActionStatus, ReportState
from corett.plans.reminders import send_reminders
from corett.plans.tests.builders import build_plan

pytestmark = pytest.mark.django_db


def test_the_report_workflow_over_the_api(focal_gt, focal_hn, secretariat_user):
    world = build_plan()
    focal, staff = Api(focal_gt), Api(secretariat_user)
    response = focal.post(reverse("api:plan-report-list"), {"period": world.period.pk})
    assert response.status_code == 201, response.content
    report = response.json()
    url = reverse("api:plan-report-detail", args=[report["id"]])
    assert Api(focal_hn).get(url).status_code == 404

    over = {"actions": [{"id": a["id"], "status": "in_progress", "percent_complete": 120} for a in report["actions"]],
            "indicators": [{"id": i["id"], "value": "2"} for i in report["indicators"]]}
    response = focal.patch(url, over)
    assert response.status_code == 400
    first = report["actions"][0]["id"]
    assert response.json()[f"action-{first}-percent_complete"] == ["A percentage cannot exceed 100."]

    good = {**over, "actions": [{**a, "percent_complete": 50} for a in over["actions"]]}
    assert focal.patch(url, good).status_code == 200
    assert focal.post(reverse("api:plan-report-submit", args=[report["id"]])).status_code == 200
    assert focal.post(reverse("api:plan-report-approve", args=[report["id"]])).status_code == 403
    response = staff.post(reverse("api:plan-report-return", args=[report["id"]]), {"notes": ""})
    assert response.status_code == 400 and "notes" in response.json()
    assert staff.post(reverse("api:plan-report-return", args=[report["id"]]),
                      {"notes": "Revise"}).json()["state"] == ReportState.RETURNED
    assert focal.post(reverse("api:plan-report-submit", args=[report["id"]])).status_code == 200
    assert staff.post(reverse("api:plan-report-approve", args=[report["id"]])).json()["state"] == "approved"
    world.gt_action.refresh_from_db()
    assert (world.gt_action.status, world.gt_action.percent_complete) == (ActionStatus.IN_PROGRESS, 50)

    dashboard = focal.get(reverse("api:plan-dashboard", args=[world.plan.pk])).json()
    guatemala = next(row for row in dashboard["by_country"] if row["label"] == "Guatemala")
    assert guatemala["percent"] == 50
    assert focal.patch(url, good).status_code == 400  # an approved report does not change


def test_the_plan_endpoints_are_scoped(focal_gt, caseworker_gt, django_assert_max_num_queries):
    world = build_plan()
    api = Api(focal_gt)
    with django_assert_max_num_queries(12):
        plans = api.get(reverse("api:plan-list")).json()
    rows = plans["results"] if isinstance(plans, dict) else plans
    assert [p["code"] for p in rows] == ["POA-T"]
    assert Api(caseworker_gt).get(reverse("api:plan-list")).status_code == 403
    actions = api.get(reverse("api:plan-action-list"), {"plan": world.plan.pk}).json()
    action_rows = actions["results"] if isinstance(actions, dict) else actions
    assert {a["code"] for a in action_rows} == {"1.1.1.1", "1.1.1.2", "1.1.1.3"}
    progress = api.get(reverse("api:plan-indicator-progress", args=[world.computed.pk])).json()
    assert progress["indicator"] == "I-2" and "Repatriation cases" in progress["source"]


def test_reminders_before_and_after_the_deadline_once_a_day(focal_gt, focal_hn, secretariat_user):
    world = build_plan()
    due = world.period.due_on
    first = send_reminders(today=due - dt.timedelta(days=7))
    assert first.notifications >= 2
    due_soon = Notification.objects.filter(recipient=focal_gt, kind="plans.report_due")
    assert [n.params["period"] for n in due_soon] == ["2024-S1"]
    again = send_reminders(today=due - dt.timedelta(days=7))
    assert again.notifications == 0  # once per actor, period and day
    assert send_reminders(today=due - dt.timedelta(days=3)).notifications == 0  # not a reminder day

    # Guatemala submits; after the deadline only Honduras (and the others) hear again.
    from corett.plans import services
    from corett.plans.tests.test_services import _fill

    report = services.report_start(actor=focal_gt, period=world.period)
    _fill(report)
    services.report_submit(actor=focal_gt, report=report)
    send_reminders(today=due + dt.timedelta(days=7))
    assert Notification.objects.filter(recipient=focal_hn, kind="plans.report_overdue").exists()
    assert not Notification.objects.filter(recipient=focal_gt, kind="plans.report_overdue",
                                           params__period="2024-S1").exists()
    text = Notification.objects.filter(recipient=focal_hn, kind="plans.report_overdue").first()
    assert text is not None and "2024-S1" in str(text.params)


def test_the_reminder_command(capsys):
    from django.core.management import call_command

    build_plan()
    call_command("plans-remind", "--dry-run", "--today", "2024-07-23")
    assert "would be sent" in capsys.readouterr().out
    with pytest.raises(Exception, match="YYYY-MM-DD"):
        call_command("plans-remind", "--today", "23/07/2024")


def test_the_results_tree_over_the_api(secretariat_user, focal_gt):
    from corett.plans.models import ExpectedResult, Objective

    world = build_plan(state="draft")
    other = build_plan(code="POA-U")  # in execution
    staff, focal = Api(secretariat_user), Api(focal_gt)
    plan = world.plan.pk

    assert focal.post(reverse("api:plan-axis-list"), {"plan": plan, "code": "2", "title": "Protección"}
                      ).status_code == 403
    response = staff.post(reverse("api:plan-axis-list"), {"plan": plan, "code": "1", "title": "Repetido"})
    assert response.status_code == 400 and response.json() == {"code": ["The plan already has a strategic axis 1."]}
    response = Api(secretariat_user, "es").post(reverse("api:plan-axis-list"),
                                                {"plan": plan, "code": "1", "title": "Repetido"})
    assert response.json() == {"code": ["El plan ya tiene un eje estratégico 1."]}
    axis = staff.post(reverse("api:plan-axis-list"), {"plan": plan, "code": "2", "title": "Protección"}).json()
    objective = staff.post(reverse("api:plan-objective-list"),
                           {"axis": axis["id"], "code": "2.1", "title": "Atender a las víctimas"}).json()
    assert objective["plan"] == plan
    response = staff.post(reverse("api:plan-result-list"), {"objective": objective["id"], "code": "2.1.1",
                                                            "title": "Víctimas atendidas", "result_type": "impact"})
    assert response.status_code == 400 and "result_type" in response.json()
    result = staff.post(reverse("api:plan-result-list"), {"objective": objective["id"], "code": "2.1.1",
                                                          "title": "Víctimas atendidas", "result_type": "outcome"})
    assert result.status_code == 201, result.content
    result_id = result.json()["id"]
    response = staff.patch(reverse("api:plan-result-detail", args=[result_id]), {"result_type": "output"})
    assert response.status_code == 200 and response.json()["result_type"] == "output"

    rows = focal.get(reverse("api:plan-result-list"), {"plan": plan}).json()
    rows = rows["results"] if isinstance(rows, dict) else rows
    assert [r["code"] for r in rows] == ["1.1.1", "2.1.1"]

    # An objective with actions goes only once they have somewhere to go.
    old = Objective.objects.get(axis__plan=world.plan, code="1.1")
    client = staff.client
    response = client.delete(reverse("api:plan-objective-detail", args=[old.pk]))
    assert response.status_code == 400 and "1.1.1.1, 1.1.1.2, 1.1.1.3" in response.json()["move_to"][0]
    response = client.delete(reverse("api:plan-objective-detail", args=[old.pk]) + f"?move_to={result_id}")
    assert response.status_code == 204
    assert set(world.plan.actions.values_list("result", flat=True)) == {result_id}
    assert not Objective.objects.filter(pk=old.pk).exists()

    # A plan in execution: the Secretariat hears why; a focal point is refused.
    executing_axis = other.plan.axes.get()
    response = staff.patch(reverse("api:plan-axis-detail", args=[executing_axis.pk]), {"title": "Nuevo"})
    assert response.status_code == 400 and "changes only through a new version" in response.json()["state"][0]
    assert focal.patch(reverse("api:plan-axis-detail", args=[executing_axis.pk]), {"title": "Nuevo"}
                       ).status_code == 403
    response = client.delete(reverse("api:plan-result-detail", args=[other.result.pk]))
    assert response.status_code == 400 and ExpectedResult.objects.filter(pk=other.result.pk).exists()


def test_an_indicator_and_its_targets_over_the_api(secretariat_user, focal_gt):
    world = build_plan(state="draft")
    staff = Api(secretariat_user)
    data = {"plan": world.plan.pk, "result": world.result.pk, "code": "I-3", "title": "Comisiones con protocolo",
            "measure": "percentage", "responsible": "XX"}
    response = staff.post(reverse("api:plan-indicator-list"), data)
    assert response.status_code == 400 and "responsible" in response.json()
    response = staff.post(reverse("api:plan-indicator-list"), {**data, "responsible": "GT", "baseline_value": "120"})
    assert response.json() == {"baseline_value": ["A percentage lies between 0 and 100."]}
    created = staff.post(reverse("api:plan-indicator-list"), {**data, "responsible": "GT"})
    assert created.status_code == 201, created.content
    indicator = created.json()
    assert (indicator["responsible_code"], indicator["responsible"]) == ("GT", "Guatemala")
    targets = reverse("api:plan-indicator-targets", args=[indicator["id"]])
    assert Api(focal_gt).post(targets, {"year": 2024, "value": "50"}).status_code == 403
    response = staff.post(targets, {"year": 2024, "value": "150"})
    assert response.status_code == 400 and response.json() == {"value": ["A percentage lies between 0 and 100."]}
    response = staff.post(targets, {"year": 2030, "value": "50"})
    assert response.status_code == 400 and "outside the plan's period" in response.json()["year"][0]
    response = staff.post(targets, {"year": 2024, "value": "60", "comment": "Meta regional"})
    assert response.status_code == 200 and response.json()["targets"] == [
        {"year": 2024, "country": None, "value": "60.00", "comment": "Meta regional"}]

    detail = reverse("api:plan-indicator-detail", args=[indicator["id"]])
    response = staff.patch(detail, {"measure": "unit", "means_of_verification": "Actas", "responsible": "SECRETARIAT"})
    assert response.status_code == 200
    assert (response.json()["means_of_verification"], response.json()["responsible_code"]) == ("Actas", "SECRETARIAT")
    response = staff.patch(detail, {"code": "I-1"})
    assert response.status_code == 400 and response.json() == {"code": ["The plan already has an indicator I-1."]}
    assert staff.patch(detail, {"measure": "percentage"}).status_code == 200
    response = staff.post(reverse("api:plan-indicator-remove-target", args=[indicator["id"]]), {"year": 2024})
    assert response.status_code == 200 and response.json()["targets"] == []
    assert staff.client.delete(detail).status_code == 204
    assert staff.get(detail).status_code == 404
