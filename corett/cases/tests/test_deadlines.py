"""Deadlines per country: the days allowed in each stage and the follow-up months, set by the
country's case supervisors, used by the tasks and follow-ups planned from then on."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from corett.audit.models import AuditEntry
from corett.cases.models import CountryCaseSettings, Stage
from corett.cases.tests.views_support import english, open_case

URL = "/cases/deadlines/"


def _form(**overrides: str) -> dict[str, str]:
    data = {f"days_{stage.value}": "14" for stage in Stage
            if stage not in (Stage.CLOSED, Stage.CANCELLED, Stage.ALTERNATIVE_SOLUTION, Stage.SUSPENDED)}
    data["follow_up_months"] = "3, 6, 12"
    data.update(overrides)
    return data


def test_a_supervisor_sets_the_deadlines_and_new_tasks_follow_them(client_as, supervisor_gt, caseworker_gt, gt, hn):
    client = english(client_as(supervisor_gt))
    page = client.get(URL)
    assert page.status_code == 200 and page.context["form"]["days_identified"].value() == 14
    response = client.post(URL, _form(days_identified="5", follow_up_months="1; 2, 24"))
    assert response.status_code == 302
    row = CountryCaseSettings.objects.get(country=gt)
    assert row.days_for(Stage.IDENTIFIED) == 5 and row.follow_ups() == [1, 2, 24]
    case = open_case(caseworker_gt, gt, hn)
    task = case.tasks.get(done_at__isnull=True)
    assert task.due_on == timezone.localdate() + dt.timedelta(days=5)
    entry = AuditEntry.objects.filter(action="cases.deadlines.update").get()
    assert entry.actor_id == supervisor_gt.pk and entry.country == "GT"
    assert set(entry.changed_fields) == {"stage_days", "follow_up_months"}
    # The form shows what is saved.
    assert client.get(URL).context["form"]["follow_up_months"].value() == "1, 2, 24"


@pytest.mark.parametrize("bad", [{"days_assessing": "0"}, {"days_assessing": "400"}, {"follow_up_months": "soon"},
                                 {"follow_up_months": "0, 6"}, {"follow_up_months": ""}])
def test_impossible_deadlines_are_refused_at_the_field(client_as, supervisor_gt, gt, bad):
    response = english(client_as(supervisor_gt)).post(URL, _form(**bad))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors and set(form.errors) <= {*bad, "__all__"}
    assert not CountryCaseSettings.objects.exists()


def test_case_workers_may_not_change_them(client_as, caseworker_gt, gt):
    client = client_as(caseworker_gt)
    assert client.get(URL).status_code == 403
    assert client.post(URL, _form(days_identified="5")).status_code == 403
    assert not CountryCaseSettings.objects.exists()


def test_each_country_sets_only_its_own(client_as, supervisor_gt, gt, hn):
    from corett.accounts.roles import Role
    from corett.testing import factories

    supervisor_hn = factories.user_with(Role.CASE_SUPERVISOR, "HN")
    client_as(supervisor_hn).post(URL, _form(days_identified="9"))
    assert CountryCaseSettings.objects.get().country == hn
    assert english(client_as(supervisor_gt)).get(URL).context["form"]["days_identified"].value() == 14
