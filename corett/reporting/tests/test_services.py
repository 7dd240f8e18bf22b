"""The review workflow: submission, return with comments, approval that locks and publishes to
the statistics, reopening with a reason (audited); history ranges; deadlines and notifications."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from corett.audit.models import AuditEntry
from corett.notifications.models import Notification
from corett.reporting import services
from corett.reporting.models import EventKind, Submission, SubmissionState
from corett.reporting.tests import helpers
from corett.reporting.validation import Location, RawEntry
from corett.statistics.models import Status
from corett.statistics.models import Value as StatisticsValue
from corett.statistics.release import approved_total


@pytest.fixture
def ds(db):
    return helpers.data_set()


def entries_for(ds, values):
    return [RawEntry(e, values.get(e.key), "", Location(element=e.key)) for e in ds.elements()]


def test_a_focal_point_reports_only_for_their_own_country(ds, gt, hn, focal_hn):
    with pytest.raises(PermissionDenied):
        services.submission_save(actor=focal_hn, submission=Submission(data_set=ds, country=gt),
                                 entries=entries_for(ds, helpers.GOOD))
    assert not Submission.objects.exists()


def test_the_whole_workflow_from_entry_to_approval(ds, gt, focal_gt, secretariat_user):
    result = services.submission_save(actor=focal_gt, submission=Submission(data_set=ds, country=gt),
                                      entries=entries_for(ds, helpers.GOOD))
    submission = result.submission
    services.submission_submit(actor=focal_gt, submission=submission)
    assert submission.state == SubmissionState.SUBMITTED and submission.on_time() is True
    assert Notification.objects.filter(recipient=secretariat_user, kind="reporting.submitted").exists()

    with pytest.raises(ValidationError):
        services.submission_save(actor=focal_gt, submission=submission, entries=entries_for(ds, helpers.GOOD))
    with pytest.raises(ValidationError) as no_comment:
        services.submission_return(actor=secretariat_user, submission=submission, comment="")
    assert "comment" in no_comment.value.message_dict

    services.submission_return(actor=secretariat_user, submission=submission, comment="Revise el total por edad.")
    assert submission.state == SubmissionState.RETURNED
    assert Notification.objects.filter(recipient=focal_gt, kind="reporting.returned").exists()
    assert submission.events.get(kind=EventKind.RETURNED).comment == "Revise el total por edad."

    corrected = dict(helpers.GOOD, **{"offences.total.total": 14})
    services.submission_save(actor=focal_gt, submission=submission, entries=entries_for(ds, corrected))
    services.submission_submit(actor=focal_gt, submission=submission)
    assert approved_total("offences", "GTM", 2025) is None  # not approved yet: not in the statistics

    services.submission_approve(actor=secretariat_user, submission=submission)
    assert submission.state == SubmissionState.APPROVED and submission.is_locked
    published = StatisticsValue.objects.filter(source="national", country_iso3="GTM", period="2025S1")
    assert published.filter(status=Status.APPROVED).count() == len(ds.elements())
    assert published.get(indicator__code="offences", sex="total", age="total", form="total").value == 14
    assert published.get(indicator__code="detected_victims", sex="female").value == 30
    assert Notification.objects.filter(recipient=focal_gt, kind="reporting.approved").exists()
    with pytest.raises(ValidationError):
        services.submission_save(actor=focal_gt, submission=submission, entries=entries_for(ds, helpers.GOOD))
    assert [e.kind for e in submission.events.all()] == [
        EventKind.SAVED, EventKind.SUBMITTED, EventKind.RETURNED, EventKind.SAVED, EventKind.SUBMITTED,
        EventKind.APPROVED,
    ]


def test_only_the_secretariat_reviews(ds, gt, focal_gt, presidency_user, admin_user):
    submission = helpers.submission(ds, gt, SubmissionState.SUBMITTED)
    for user in (focal_gt, presidency_user, admin_user):
        with pytest.raises(PermissionDenied):
            services.submission_approve(actor=user, submission=submission)
    submission.refresh_from_db()
    assert submission.state == SubmissionState.SUBMITTED


def test_reopening_needs_a_reason_is_audited_and_withdraws_the_figures(ds, gt, focal_gt, secretariat_user):
    submission = helpers.submission(ds, gt, SubmissionState.SUBMITTED)
    services.submission_approve(actor=secretariat_user, submission=submission)
    published = StatisticsValue.objects.filter(source="national", country_iso3="GTM", period="2025S1")
    assert published.exclude(status=Status.APPROVED).count() == 0

    with pytest.raises(ValidationError) as no_reason:
        services.submission_reopen(actor=secretariat_user, submission=submission, reason=" ")
    assert "reason" in no_reason.value.message_dict
    services.submission_reopen(actor=secretariat_user, submission=submission,
                               reason="El Ministerio Público corrigió las condenas.")
    assert submission.state == SubmissionState.REOPENED and submission.is_editable
    assert published.filter(status=Status.APPROVED).count() == 0
    entry = AuditEntry.objects.filter(action="reporting.submission.reopen").get()
    assert entry.extra["reason_sha256"] and entry.extra["withdrawn"] == len(ds.elements())
    assert submission.events.get(kind=EventKind.REOPENED).comment == "El Ministerio Público corrigió las condenas."
    assert Notification.objects.filter(recipient=focal_gt, kind="reporting.reopened").exists()

    # Corrected and approved again: the statistics hold the new figure, approved.
    services.submission_save(actor=focal_gt, submission=submission,
                             entries=entries_for(ds, dict(helpers.GOOD, **{"persons_convicted.total.total": 8})))
    services.submission_submit(actor=focal_gt, submission=submission)
    services.submission_approve(actor=secretariat_user, submission=submission)
    assert published.get(indicator__code="persons_convicted", sex="total", age="total").value == 8
    assert published.filter(status=Status.APPROVED).count() == len(ds.elements())


def test_a_report_needs_every_total_before_it_is_submitted(ds, gt, focal_gt):
    values = {k: v for k, v in helpers.GOOD.items() if not k.startswith("offences")}
    result = services.submission_save(actor=focal_gt, submission=Submission(data_set=ds, country=gt),
                                      entries=entries_for(ds, values))
    with pytest.raises(ValidationError, match="Offences recorded"):
        services.submission_submit(actor=focal_gt, submission=result.submission)
    assert result.submission.state == SubmissionState.DRAFT


def test_a_late_first_submission_is_late(gt, focal_gt):
    ds = helpers.data_set(year=2024, number=1, deadline=dt.date(2024, 7, 31))
    result = services.submission_save(actor=focal_gt, submission=Submission(data_set=ds, country=gt),
                                      entries=entries_for(ds, helpers.GOOD))
    services.submission_submit(actor=focal_gt, submission=result.submission)
    assert result.submission.on_time() is False


def test_values_far_from_the_countrys_history_are_warnings_kept_for_the_reviewer(gt, focal_gt, secretariat_user):
    for year, offences in ((2022, 10), (2023, 14)):
        earlier = helpers.data_set(year=year, number=1)
        sub = helpers.submission(earlier, gt, SubmissionState.SUBMITTED,
                                 values=dict(helpers.GOOD, **{"offences.total.total": offences}))
        services.submission_approve(actor=secretariat_user, submission=sub)
    ds = helpers.data_set(year=2025, number=1)
    ranges = services.history_ranges(Submission(data_set=ds, country=gt))
    assert ranges["offences.total.total"] == (5, 28, 2)
    result = services.submission_save(
        actor=focal_gt, submission=Submission(data_set=ds, country=gt),
        entries=entries_for(ds, dict(helpers.GOOD, **{"offences.total.total": 140})),
    )
    assert [w.code for w in result.warnings] == ["out_of_range"]
    assert result.submission.warnings[0]["element"] == "offences.total.total"


def test_deadline_reminders_go_once_to_countries_that_have_not_submitted(gt, hn, focal_gt, focal_hn):
    ds = helpers.data_set(year=2025, number=1, deadline=dt.date(2025, 8, 15))
    helpers.submission(ds, gt, SubmissionState.SUBMITTED)
    near = services.notify_deadlines(today=dt.date(2025, 8, 10))
    assert [(r.country, r.kind) for r in near] == [("HN", "reporting.deadline_near")]
    services.notify_deadlines(today=dt.date(2025, 8, 11))
    assert Notification.objects.filter(recipient=focal_hn, kind="reporting.deadline_near").count() == 1
    assert not Notification.objects.filter(recipient=focal_gt).exists()
    services.notify_deadlines(today=dt.date(2025, 8, 20))
    assert Notification.objects.filter(recipient=focal_hn, kind="reporting.overdue").count() == 1


def test_creating_a_data_set_tells_the_focal_points(db, focal_gt, secretariat_user):
    ds = services.data_set_create(actor=secretariat_user, data={
        "period_type": "year", "year": 2025, "number": 1, "deadline": dt.date(2026, 3, 31),
        "indicators": ["offences", "detected_victims"],
    })
    assert ds.indicators == ["detected_victims", "offences"]
    notice = Notification.objects.get(recipient=focal_gt)
    assert notice.kind == "reporting.data_set_opened" and notice.params["data_set"] == "2025"
    with pytest.raises(ValidationError) as bad:
        services.data_set_create(actor=secretariat_user, data={
            "period_type": "quarter", "year": 2025, "number": 5, "deadline": dt.date(2026, 3, 31),
            "indicators": ["offences"],
        })
    assert "number" in bad.value.message_dict
    with pytest.raises(PermissionDenied):
        services.data_set_create(actor=focal_gt, data={})


def test_notices_name_the_country_and_period_only_in_the_readers_language(ds, gt, focal_gt, secretariat_user):
    from django.utils import translation

    from corett.notifications.kinds import get_kind

    submission = helpers.submission(ds, gt)
    services.submission_submit(actor=focal_gt, submission=submission)
    notice = Notification.objects.get(recipient=secretariat_user, kind="reporting.submitted")
    assert notice.params == {"country": "GT", "data_set": "2025-S1"}
    assert get_kind(notice.kind).render(notice.params) == "Guatemala submitted its report for 2025-S1: it awaits your review."
    with translation.override("es"):
        assert get_kind(notice.kind).render(notice.params) == (
            "Guatemala envió su informe de 2025-S1: está pendiente de su revisión.")
    with pytest.raises(ValidationError):
        get_kind("reporting.returned").clean({"data_set": "Ana Pérez, víctima"})


def test_the_deadline_command_lists_codes_only(gt, focal_gt):
    import io

    from django.core.management import call_command
    from django.utils import timezone

    ds = helpers.data_set(year=2025, number=2, deadline=timezone.localdate() - dt.timedelta(days=10))
    out = io.StringIO()
    call_command("notify-reporting-deadlines", "--dry-run", stdout=out)
    assert f"{ds.code} GT: overdue" in out.getvalue()
    assert not Notification.objects.exists()


def test_approved_citizenships_reach_the_statistics_and_a_dropped_one_leaves_them(ds, gt, focal_gt, secretariat_user):
    from corett.reporting.validation import RawCountryEntry

    def rows(*pairs):
        return [RawCountryEntry("citizenship", country, count) for country, count in pairs]

    submission = services.submission_save(actor=focal_gt, submission=Submission(data_set=ds, country=gt),
                                          entries=entries_for(ds, helpers.GOOD),
                                          countries=rows(("Guatemala", 30), ("hondureña", 10))).submission
    services.submission_submit(actor=focal_gt, submission=submission)
    services.submission_approve(actor=secretariat_user, submission=submission)
    published = StatisticsValue.objects.filter(country_iso3="GTM", period="2025S1").exclude(citizenship="")
    assert dict(published.values_list("citizenship", "value")) == {"GTM": 30, "HND": 10}
    assert set(published.values_list("status", flat=True)) == {Status.APPROVED}

    services.submission_reopen(actor=secretariat_user, submission=submission, reason="Corregir ciudadanías")
    services.submission_save(actor=focal_gt, submission=submission, entries=entries_for(ds, helpers.GOOD),
                             countries=rows(("GTM", 36), ("XXX", 4)))
    services.submission_submit(actor=focal_gt, submission=submission)
    services.submission_approve(actor=secretariat_user, submission=submission)
    published = StatisticsValue.objects.filter(country_iso3="GTM", period="2025S1", status=Status.APPROVED)
    assert {c: (k, v) for c, k, v in published.exclude(citizenship="").values_list("citizenship", "kind", "value")} == {
        "GTM": ("exact", 36), "HND": ("missing", None), "XXX": ("exact", 4)}
