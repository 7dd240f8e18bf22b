"""`corett notify-overdue`: the destination's case workers hear of each overdue task once a day."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from corett.cases.models import Stage, Task
from corett.notifications.models import Notification
from corett.notifications.services import notify_overdue_tasks
from corett.testing.cases import case_actors, case_in_stage, open_case

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    call_command("notify-overdue", *args, stdout=out)
    return out.getvalue()


def _late(case, days: int = 3) -> Task:
    task = Task.objects.get(case=case, done_at__isnull=True)
    task.due_on = timezone.localdate() - dt.timedelta(days=days)
    task.save(update_fields=["due_on"])
    return task


@pytest.fixture
def late_case(db):
    case = open_case()
    _late(case)
    return case


def overdue_rows():
    return Notification.objects.filter(kind="case.task_overdue")


def test_it_tells_the_destinations_case_workers_of_an_overdue_task(late_case, caseworker_gt, supervisor_gt, django_capture_on_commit_callbacks):
    actors = case_actors("GT", "HN")
    with django_capture_on_commit_callbacks(execute=True):
        output = _run()
    assert set(overdue_rows().values_list("recipient__username", flat=True)) == {
        actors.worker.username, caseworker_gt.username}
    assert late_case.code in output
    assert "2 notifications sent" in output
    (row, _other) = overdue_rows()
    assert row.params["case"] == late_case.code and row.params["stage"] == Stage.IDENTIFIED
    assert row.link == late_case.get_absolute_url()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([actors.worker.email, caseworker_gt.email])


def test_it_is_idempotent_within_a_day(late_case, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _run()
    first, sent = overdue_rows().count(), len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        output = _run()
    assert overdue_rows().count() == first
    assert len(mail.outbox) == sent
    assert "0 notifications sent" in output


def test_it_reminds_again_the_next_day(late_case):
    notify_overdue_tasks()
    first = overdue_rows().count()
    notify_overdue_tasks(today=timezone.localdate() + dt.timedelta(days=1))
    assert overdue_rows().count() == 2 * first


def test_a_dry_run_lists_the_tasks_and_tells_nobody(late_case, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        output = _run("--dry-run")
    assert late_case.code in output and "dry run" in output
    assert not overdue_rows().exists()
    assert mail.outbox == []


def test_done_tasks_tasks_not_yet_due_and_finished_cases_are_left_alone(db):
    due_today = open_case()
    Task.objects.filter(case=due_today).update(due_on=timezone.localdate())
    done = open_case()
    Task.objects.filter(case=done).update(due_on=timezone.localdate() - dt.timedelta(days=5), done_at=timezone.now())
    closed = case_in_stage(Stage.CANCELLED)
    Task.objects.filter(case=closed).update(due_on=timezone.localdate() - dt.timedelta(days=5), done_at=None)
    report = notify_overdue_tasks()
    assert report.tasks == 0
    assert not overdue_rows().exists()


def test_the_origins_users_are_not_told_of_the_destinations_tasks(db):
    case = case_in_stage(Stage.REQUESTED_TO_ORIGIN)
    _late(case)
    actors = case_actors("GT", "HN")
    notify_overdue_tasks()
    told = set(overdue_rows().values_list("recipient_id", flat=True))
    assert told == {actors.worker.pk}
