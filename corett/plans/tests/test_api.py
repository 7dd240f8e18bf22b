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
