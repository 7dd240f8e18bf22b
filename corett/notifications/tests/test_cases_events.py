"""The repatriation cases tell the right people, and nobody else, when a case needs them; and no
notification, in the platform or by e-mail, ever carries the person's identity."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core import mail
from django.utils import timezone, translation

from corett.accounts.models import User
from corett.accounts.roles import Role
from corett.cases import services
from corett.cases.models import Case, Stage, Task
from corett.directory.models import OrganisationKind
from corett.notifications.models import Notification
from corett.notifications.services import notify_overdue_tasks
from corett.testing import factories
from corett.testing.cases import advance, case_actors, case_in_stage, funding_request, open_case

pytestmark = pytest.mark.django_db

CANARY_GIVEN = "Xochicanarybird"
CANARY_FAMILY = "Quelitecanaryson"
CANARY_NARRATIVE = "Narrativecanary"


@pytest.fixture
def people(db) -> dict[str, User]:
    """Everyone who could be told: two countries' case workers and supervisors (two of each
    in Guatemala, from two organisations), a third country's, the regional and other roles,
    the funding partner's staff, another partner's, and an inactive case worker."""
    actors = case_actors("GT", "HN")
    sv = case_actors("SV", "HN")
    other_partner = factories.OrganisationFactory.create(name="Another partner", kind=OrganisationKind.PARTNER_NGO, country=None)
    users = {
        "worker_gt": actors.worker, "supervisor_gt": actors.supervisor,
        "worker_gt_2": factories.user_with(Role.CASE_WORKER, "GT"),
        "supervisor_gt_2": factories.user_with(Role.CASE_SUPERVISOR, "GT"),
        "worker_hn": actors.origin_worker, "supervisor_hn": actors.origin_supervisor,
        "worker_hn_2": factories.user_with(Role.CASE_WORKER, "HN"),
        "worker_sv": sv.worker, "supervisor_sv": sv.supervisor,
        "partner": actors.partner,
        "partner_2": factories.UserFactory.create(
            username="our-second", organisation=actors.partner_organisation, roles=[Role.PARTNER]),
        "partner_other": factories.UserFactory.create(
            username="other-partner", organisation=other_partner, roles=[Role.PARTNER]),
        # Staff of the partner organisation without the partner role hear nothing of funding.
        "observer_at_partner": factories.UserFactory.create(
            username="observer-at-our", organisation=actors.partner_organisation, roles=[Role.OBSERVER]),
        "inactive_worker_gt": factories.UserFactory.create(
            username="gone-gt", organisation=actors.worker.organisation, roles=[Role.CASE_WORKER], is_active=False),
    }
    for role in (Role.ADMIN, Role.SECRETARIAT, Role.PRESIDENCY, Role.OBSERVER):
        users[role] = factories.user_with(role, None)
    for role in (Role.FOCAL_POINT, Role.TRAINER):
        users[f"{role}_gt"] = factories.user_with(role, "GT")
        users[f"{role}_hn"] = factories.user_with(role, "HN")
    return users


def told(kind: str, case: Case, people: dict[str, User]) -> set[str]:
    """Who (by their key in ``people``) holds a notification of ``kind`` about ``case``."""
    keys = {user.pk: key for key, user in people.items()}
    rows = Notification.objects.filter(kind=kind, params__case=case.code)
    assert all(row.recipient_id in keys for row in rows), "someone outside the test's world was told"
    recipients = [keys[row.recipient_id] for row in rows]
    assert len(recipients) == len(set(recipients)), "someone was told twice"
    return set(recipients)


def test_a_request_to_the_origin_tells_the_origins_case_workers_and_supervisors(people):
    case = case_in_stage(Stage.RETURN_DECIDED)
    assert told("case.requested_to_origin", case, people) == set()
    case = advance(case, "request_origin")
    assert told("case.requested_to_origin", case, people) == {"worker_hn", "supervisor_hn", "worker_hn_2"}


@pytest.mark.parametrize("stage", [Stage.ACCEPTED_BY_ORIGIN, Stage.DECLINED_BY_ORIGIN])
def test_the_origins_answer_tells_the_destinations_case_workers(people, stage):
    case = case_in_stage(stage)
    assert told("case.origin_answered", case, people) == {"worker_gt", "worker_gt_2"}
    (row,) = Notification.objects.filter(kind="case.origin_answered", recipient=people["worker_gt"])
    assert row.params["answer"] == stage
    with translation.override("en"):
        assert ("accepted" if stage == Stage.ACCEPTED_BY_ORIGIN else "declined") in row.message


def test_an_approval_request_tells_the_destinations_supervisors_but_not_the_requester(people):
    case = open_case()
    services.approval_request(actor=people["worker_gt"], case=case, kind="closure")
    assert told("case.approval_requested", case, people) == {"supervisor_gt", "supervisor_gt_2"}
    # It leads to the approvals, in the case record's coordination section.
    assert {row.link for row in Notification.objects.all()} == {f"/cases/{case.code}/coordination/#approvals"}
    Notification.objects.all().delete()
    services.approval_request(actor=people["supervisor_gt"], case=case, kind="travel_plan")
    assert told("case.approval_requested", case, people) == {"supervisor_gt_2"}


@pytest.mark.parametrize("approve", [True, False])
def test_a_decision_tells_the_requester_only(people, approve):
    case = open_case()
    approval = services.approval_request(actor=people["worker_gt_2"], case=case, kind="return_decision")
    services.approval_decide(actor=people["supervisor_gt"], approval=approval, approve=approve)
    assert told("case.approval_decided", case, people) == {"worker_gt_2"}
    (row,) = Notification.objects.filter(kind="case.approval_decided")
    assert row.params["decision"] == ("approved" if approve else "rejected")
    assert row.link == f"/cases/{case.code}/coordination/#approvals"


def test_a_funding_request_tells_the_partners_staff_with_the_partner_role(people):
    case = case_in_stage(Stage.FAMILY_ASSESSED)
    funding_request(case)
    assert told("case.funding_requested", case, people) == {"partner", "partner_2"}
    (row,) = Notification.objects.filter(kind="case.funding_requested", recipient=people["partner"])
    assert row.link == "/cases/funding/"  # the partner's inbox: partners never see a case page


def test_funding_steps_tell_the_destinations_case_workers(people):
    case = case_in_stage(Stage.FUNDED)
    assert told("case.funding_advanced", case, people) == {"worker_gt", "worker_gt_2"}
    (row, _other) = Notification.objects.filter(kind="case.funding_advanced")
    assert row.params["state"] == "committed"
    assert row.link == f"/cases/{case.code}/coordination/#funding"


def test_a_possible_duplicate_tells_each_countrys_supervisors_of_their_own_case_only(people):
    same = {"given_name": "Rosa Ejemplo", "family_name": "Duplicada Ficticia", "birth_date": dt.date(2012, 5, 6)}
    in_gt = case_in_stage(Stage.IDENTIFIED, destination="GT", data=same)
    in_sv = case_in_stage(Stage.IDENTIFIED, destination="SV", data=same)
    assert told("case.duplicate_suspected", in_gt, people) == {"supervisor_gt", "supervisor_gt_2"}
    assert told("case.duplicate_suspected", in_sv, people) == {"supervisor_sv"}
    # Nothing a Guatemalan is told points at El Salvador's case, and the other way round.
    for key, other in (("supervisor_gt", in_sv), ("supervisor_gt_2", in_sv), ("supervisor_sv", in_gt)):
        for row in Notification.objects.filter(recipient=people[key]):
            assert other.code not in json.dumps(row.params) + row.link + row.message


def test_regional_roles_and_other_countries_are_never_told_anything(people):
    case = case_in_stage(Stage.CLOSED)
    case_in_stage(Stage.DECLINED_BY_ORIGIN)
    Task.objects.filter(case=case).update(due_on=timezone.localdate() - dt.timedelta(days=3), done_at=None)
    notify_overdue_tasks()
    never = [Role.ADMIN, Role.SECRETARIAT, Role.PRESIDENCY, Role.OBSERVER, "focal_point_gt", "focal_point_hn",
             "trainer_gt", "trainer_hn", "worker_sv", "supervisor_sv", "partner_other", "observer_at_partner",
             "inactive_worker_gt"]
    assert not Notification.objects.filter(recipient__in=[people[k] for k in never]).exists()


# --- The canary: identity never reaches a notification ---------------------------------------------


def test_no_notification_or_email_carries_the_persons_identity(people, django_capture_on_commit_callbacks):
    canary = {"given_name": CANARY_GIVEN, "family_name": CANARY_FAMILY, "birth_date": dt.date(2011, 2, 3),
              "other_names": f"La {CANARY_GIVEN}", "narrative": f"{CANARY_NARRATIVE} en la frontera."}
    with django_capture_on_commit_callbacks(execute=True):
        walked = case_in_stage(Stage.CLOSED, data=canary)  # every event on the way
        declined = case_in_stage(Stage.DECLINED_BY_ORIGIN, data={**canary, "family_name": f"{CANARY_FAMILY} Dos"})
        case_in_stage(Stage.IDENTIFIED, destination="SV", data=canary)  # a duplicate of the first
        Task.objects.filter(case__in=[walked, declined]).update(
            due_on=timezone.localdate() - dt.timedelta(days=2), done_at=None)
        notify_overdue_tasks()
    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert kinds >= {
        "case.requested_to_origin", "case.origin_answered", "case.approval_requested", "case.approval_decided",
        "case.funding_requested", "case.funding_advanced", "case.duplicate_suspected", "case.task_overdue",
    }
    assert len(mail.outbox) > 10
    texts = []
    for row in Notification.objects.all():
        texts.append(json.dumps([row.kind, row.params, row.link, row.once_key, str(row)]))
        for language in ("es", "en"):
            with translation.override(language):
                texts.append(row.message + row.subject)
    for message in mail.outbox:
        texts.append("\n".join([str(message.subject), str(message.body), *message.to, str(message.extra_headers)]))
    blob = "\n".join(texts).lower()
    for canary_value in (CANARY_GIVEN, CANARY_FAMILY, CANARY_NARRATIVE, "2011-02-03", "03/02/2011", "3 de febrero"):
        assert canary_value.lower() not in blob, canary_value
    # What an e-mail says of a case is its code and its link.
    codes = {walked.code, declined.code, *Case.objects.values_list("code", flat=True)}
    for message in mail.outbox:
        assert any(code in message.body for code in codes)
