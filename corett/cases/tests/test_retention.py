"""Retention: `corett purge-closed --older-than YEARS` erases the identity of cases that ended
long ago; the records stay, deactivated; each erasure is audited by field name."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from corett.audit.models import AuditEntry
from corett.cases import services
from corett.cases.models import IDENTITY_FIELDS, Case, FollowUp, RelatedPerson, Stage, StageChange
from corett.testing.cases import actors_of, advance, case_in_stage, open_case, raw_rows

NAME = "Xolotlpurgeme"


def ended(case: Case, *, years_ago: float) -> Case:
    """Move the end of a finished case into the past (its last stage change, and closed_at)."""
    when = timezone.now() - dt.timedelta(days=round(365.25 * years_ago))
    last = StageChange.objects.filter(case=case, to_stage=case.stage).order_by("-at")[0]
    StageChange.objects.filter(pk=last.pk).update(at=when)
    if case.closed_at:
        Case.objects.filter(pk=case.pk).update(closed_at=when)
    return Case.objects.get(pk=case.pk)


def purge(*args: str) -> str:
    out = io.StringIO()
    call_command("purge-closed", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def world(db):
    closed = case_in_stage(Stage.CLOSED, data={"given_name": NAME})  # a child: guardian, caregiver, escort
    follow_up = closed.follow_ups.all()[0]
    services.follow_up_report(
        actor=actors_of(closed).origin_worker, follow_up=follow_up,
        report=f"{NAME} va a la escuela.", reported_on=timezone.localdate(),
    )
    return {
        "closed": ended(closed, years_ago=6),
        "cancelled": ended(case_in_stage(Stage.CANCELLED, child=False), years_ago=5.5),
        "alternative": ended(case_in_stage(Stage.ALTERNATIVE_SOLUTION, child=False), years_ago=6.9),
        "recent": ended(case_in_stage(Stage.CLOSED, child=False), years_ago=4),
        "active": case_in_stage(Stage.ASSESSING),
        "suspended": case_in_stage(Stage.SUSPENDED),
    }


def test_it_erases_the_identity_of_cases_that_ended_long_ago(world):
    closed = world["closed"]
    output = purge("--older-than", "5")
    for key in ("closed", "cancelled", "alternative"):
        assert f"{world[key].code}: identity erased" in output
    assert "3 cases ended before" in output

    case = Case.objects.get(pk=closed.pk)
    assert all(getattr(case, name) is None for name in IDENTITY_FIELDS)
    assert all(raw is None for raw in raw_rows(Case)[closed.pk].values())
    assert case.match_key == ""
    assert case.identity_purged_at is not None and case.deactivated_at is not None
    people = RelatedPerson.objects.filter(case=closed)
    assert people.count() == 3  # the rows stay, without names, contacts or assessments
    for person in people:
        assert all(raw is None for raw in raw_rows(RelatedPerson)[person.pk].values())
        assert person.role
    assert all(f.report is None for f in FollowUp.objects.filter(case=closed))
    assert FollowUp.objects.filter(case=closed, reported_on__isnull=False).exists()


def test_what_is_not_identity_stays(world):
    closed = world["closed"]
    kept = Case.objects.filter(pk=closed.pk).values(
        "code", "stage", "sex", "citizenships", "destination_country", "origin_country", "identified_on",
        "trafficking_status", "closed_at", "created_at",
    ).get()
    changes = StageChange.objects.filter(case=closed).count()
    approvals, funding = closed.approvals.count(), closed.funding_requests.count()
    purge("--older-than", "5")
    assert Case.objects.filter(pk=closed.pk).values(*kept).get() == kept
    assert StageChange.objects.filter(case=closed).count() == changes
    assert (closed.approvals.count(), closed.funding_requests.count()) == (approvals, funding)


def test_recent_and_unfinished_cases_are_kept(world):
    purge("--older-than", "5")
    for key in ("recent", "active", "suspended"):
        case = Case.objects.get(pk=world[key].pk)
        assert case.given_name and case.identity_purged_at is None and case.deactivated_at is None
        assert case.match_key


def test_each_erasure_is_audited_by_field_name_only(world):
    closed = world["closed"]
    purge("--older-than", "5")
    entries = AuditEntry.objects.filter(action="cases.case.purge_identity")
    assert sorted(e.object_id for e in entries) == sorted(
        str(world[k].pk) for k in ("closed", "cancelled", "alternative")
    )
    entry = entries.get(object_id=str(closed.pk))
    assert entry.actor_username == "system" and entry.actor_id is None
    assert {"given_name", "family_name", "birth_date", "documents", "narrative"} <= set(entry.changed_fields)
    assert {"relatedperson.full_name", "relatedperson.assessment", "followup.report"} <= set(entry.changed_fields)
    assert entry.extra["related_rows"]["cases.relatedperson"] == 3
    text = repr(entry.content())
    assert NAME not in text and "escuela" not in text


def test_a_dry_run_erases_nothing(world):
    entries = AuditEntry.objects.count()
    output = purge("--older-than", "5", "--dry-run")
    assert f"{world['closed'].code}: identity would be erased" in output
    assert "nothing was erased" in output
    assert Case.objects.get(pk=world["closed"].pk).given_name == NAME
    assert AuditEntry.objects.count() == entries


def test_it_is_idempotent(world):
    purge("--older-than", "5")
    entries = AuditEntry.objects.count()
    output = purge("--older-than", "5")
    assert "0 cases ended before" in output
    assert AuditEntry.objects.count() == entries


def test_the_retention_period_decides(world):
    purge("--older-than", "7")
    assert Case.objects.get(pk=world["closed"].pk).given_name == NAME  # 6 years: kept
    assert Case.objects.get(pk=world["alternative"].pk).identity_purged_at is None  # 6.9 years: kept
    purge("--older-than", "3")
    assert Case.objects.get(pk=world["recent"].pk).identity_purged_at is not None


@pytest.mark.parametrize("years", ["0", "-1"])
def test_a_retention_under_a_year_is_refused(world, years):
    with pytest.raises(CommandError) as refused:
        purge("--older-than", years)
    assert "at least 1 year" in str(refused.value)
    assert not AuditEntry.objects.filter(action="cases.case.purge_identity").exists()


@pytest.mark.parametrize("args", [[], ["--older-than", "five"], ["--older-than", "2.5"]])
def test_the_retention_period_is_required_and_whole(db, args):
    with pytest.raises(CommandError):
        purge(*args)


def test_a_case_reopened_and_closed_again_counts_from_its_last_closure(db):
    case = ended(case_in_stage(Stage.CANCELLED, child=False), years_ago=8)
    advance(case, "reopen")
    case = advance(case, "cancel")  # ended again, today
    purge("--older-than", "5")
    assert Case.objects.get(pk=case.pk).identity_purged_at is None


def test_only_a_finished_case_can_be_erased(db):
    case = open_case()
    with pytest.raises(ValidationError):
        services.case_purge_identity(case=case)
    assert Case.objects.get(pk=case.pk).given_name == case.given_name


def test_an_erased_case_no_longer_matches_the_same_person_elsewhere(world):
    closed = world["closed"]
    purge("--older-than", "5")
    again = open_case(
        destination="SV", origin="HN",
        data={"given_name": NAME, "family_name": closed.family_name, "birth_date": closed.birth_date},
    )
    assert again.match_key
    assert not again.flags.filter(kind="possible_duplicate").exists()
