"""National reporting workflows: every change to a data set or a report goes through here.

Views, the API, the demo and commands call these functions. Each authorises with the policy
before its transaction opens (a refusal's audit entry must survive the refusal), validates, writes
inside one transaction with its audit entry and its notifications, and raises ValidationError
with translated messages. A report's values are replaced all at once or not at all.

The review is DHIS2's data approval reduced to the coalition's one level: the country submits,
the Secretariat returns it with comments or approves it; approval locks it and publishes its
values to the statistics module; only a reopening with a reason unlocks it (and withdraws them).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from corett import policy
from corett.accounts.models import User
from corett.accounts.roles import Role
from corett.audit.services import audit_log
from corett.directory.models import Country
from corett.lib.locks import serialise
from corett.notifications.services import notify, users_with_role
from corett.reporting import publishing
from corett.reporting.models import (
    DataSet,
    Event,
    EventKind,
    Submission,
    SubmissionState,
    Value,
)
from corett.reporting.validation import Finding, RawCountryEntry, RawEntry, Reading, check_entries
from corett.reporting.workbook import ReadResult, ReadRow, read_template

# The range a value is expected in, from the country's earlier approved reports of the same
# kind of period: from half the smallest to twice the largest (and at least a few cases above
# it: small counts swing). Wide on purpose: it flags typing errors, not real changes.
RANGE_LOW_FACTOR = 0.5
RANGE_HIGH_FACTOR = 2.0
RANGE_SLACK = 5
RANGE_MIN_REPORTS = 2


def upload_max_bytes() -> int:
    return int(settings.REPORTING_UPLOAD_MAX_MB) * 1024 * 1024


class ReportRejected(ValidationError):
    """A report with errors: nothing of it was stored. Carries every finding (and, for a file,
    the row-by-row reading) for the page that shows them."""

    def __init__(self, findings: list[Finding], rows: list[ReadRow] | None = None) -> None:
        self.findings = findings
        self.rows = rows or []
        super().__init__([str(f) for f in findings if f.is_error] or [_("The report was not accepted.")])


class StateRefused(ValidationError):
    """The report's state does not allow this step (approving a draft, changing an approved
    report, a state changed by someone else meanwhile): a conflict with the record, not bad
    input. The pages show its message like any other; the API answers 409 with it."""


@dataclass
class SaveResult:
    submission: Submission
    stored: int
    empty: int
    warnings: list[Finding] = field(default_factory=list)
    rows: list[ReadRow] = field(default_factory=list)


# --- Data sets ----------------------------------------------------------------------------------


def data_set_create(*, actor: Any, data: Mapping[str, Any]) -> DataSet:
    policy.authorize(actor, "reporting.manage_data_sets")
    data_set = DataSet(**data, created_by=actor)
    with transaction.atomic():
        serialise("reporting.data_sets")
        data_set.full_clean()
        data_set.save()
        audit_log(actor=actor, action="reporting.data_set.create", obj=data_set,
                  extra={"period": data_set.code, "deadline": data_set.deadline.isoformat()})
        focal_points = User.objects.filter(
            is_active=True, role_assignments__role=Role.FOCAL_POINT,
            organisation__country__in=Country.objects.members(),
        ).distinct()
        notify(recipients=focal_points, kind="reporting.data_set_opened",
               params={"data_set": data_set.code, "due_on": data_set.deadline}, link=data_set.get_absolute_url())
    return data_set


def data_set_update(*, actor: Any, data_set: DataSet, data: Mapping[str, Any]) -> DataSet:
    """Change the deadline (or, before any country has started, the indicators)."""
    policy.authorize(actor, "reporting.manage_data_sets", data_set)
    changed = [name for name, value in data.items() if getattr(data_set, name) != value]
    if not changed:
        return data_set
    if {"period_type", "year", "number"} & set(changed):
        raise ValidationError({"year": _("The period of a data set cannot change; create another data set.")})
    if "indicators" in changed and data_set.submissions.filter(values__isnull=False).exists():
        raise ValidationError({"indicators": _("Countries have started reporting: the indicators cannot change.")})
    before = {name: getattr(data_set, name) for name in changed}
    for name in changed:
        setattr(data_set, name, data[name])
    try:
        data_set.full_clean()
    except ValidationError:
        for name, value in before.items():
            setattr(data_set, name, value)
        raise
    with transaction.atomic():
        data_set.save(update_fields=changed)
        audit_log(actor=actor, action="reporting.data_set.update", obj=data_set, changed_fields=changed)
    return data_set


# --- A country's report -------------------------------------------------------------------------


def submission_for(*, data_set: DataSet, country: Country) -> Submission:
    """The country's report for the data set, started (empty, draft) on first use."""
    submission, _created = Submission.objects.select_related("data_set", "country").get_or_create(
        data_set=data_set, country=country
    )
    return submission


def history_ranges(submission: Submission) -> dict[str, tuple[int, int, int]]:
    """Per element: (low, high, periods) from the country's approved figures of earlier periods
    of the same kind (its approved reports, and other sources such as UNODC's releases).
    Elements with too little history have no range: there is nothing to compare with."""
    ranges = {}
    for element, values in publishing.history(submission).items():
        if len(values) < RANGE_MIN_REPORTS:
            continue
        low = math.floor(min(values) * RANGE_LOW_FACTOR)
        high = max(math.ceil(max(values) * RANGE_HIGH_FACTOR), max(values) + RANGE_SLACK)
        ranges[element] = (low, high, len(values))
    return ranges


def _check_can_change(actor: Any, submission: Submission) -> None:
    policy.authorize(actor, "reporting.report", submission)
    if not submission.is_editable:
        raise StateRefused(
            _("This report is %(state)s: it cannot be changed.") % {"state": submission.get_state_display().lower()}
        )
    data_set = submission.data_set
    if not data_set.has_ended():
        raise ReportRejected([Finding("period_not_ended", params={
            "period": data_set.code, "end": data_set.ends_on.isoformat(),
        })])


def _store(
    *, actor: Any, submission: Submission, readings: Mapping[str, Reading], warnings: list[Finding],
    event: str, source: str, file_name: str = "", sha256: str = "",
) -> tuple[int, int]:
    """Replace the report's values with ``readings`` (inside the caller's transaction). A report
    not started yet is started here, with its first values: a refused one leaves no trace."""
    if submission.pk is None:
        submission.pk = submission_for(data_set=submission.data_set, country=submission.country).pk
        submission._state.adding = False
    locked = Submission.objects.select_for_update().get(pk=submission.pk)
    if not locked.is_editable:  # changed by someone else since the page was loaded
        raise StateRefused(_("This report has just been submitted or approved: it cannot be changed."))
    Value.objects.filter(submission=submission).delete()
    rows = [
        Value(submission=submission, element=key, value=reading.value, not_available=reading.not_available)
        for key, reading in readings.items()
        if reading.value is not None or reading.not_available
    ]
    for row in rows:
        row.full_clean(exclude=["submission"], validate_unique=False)
    Value.objects.bulk_create(rows)
    submission.warnings = [w.as_dict() for w in warnings]
    submission.source, submission.source_file_name, submission.source_sha256 = source, file_name[:200], sha256
    submission.updated_at, submission.updated_by = timezone.now(), actor
    submission.save(update_fields=["warnings", "source", "source_file_name", "source_sha256", "updated_at",
                                   "updated_by"])
    Event.objects.create(submission=submission, kind=event, actor=actor)
    audit_log(actor=actor, action=f"reporting.submission.{event}", obj=submission,
              extra={"values": len(rows), "warnings": len(warnings), "source": source, "sha256": sha256})
    return len(rows), len(readings) - len(rows)


def submission_save(
    *, actor: Any, submission: Submission, entries: Iterable[RawEntry], countries: Iterable[RawCountryEntry] = (),
) -> SaveResult:
    """Values typed in the web form (or sent through the API), with the rows of the breakdowns by
    country: checked, then stored all together (or nothing is)."""
    _check_can_change(actor, submission)
    readings, findings = check_entries(list(entries), history_ranges(submission), countries=list(countries),
                                       reporting_country=submission.country.iso3)
    errors = [f for f in findings if f.is_error]
    if errors:
        raise ReportRejected(errors)
    warnings = [f for f in findings if not f.is_error]
    with transaction.atomic():
        stored, empty = _store(actor=actor, submission=submission, readings=readings, warnings=warnings,
                               event=EventKind.SAVED, source="entry")
    return SaveResult(submission, stored, empty, warnings)


def check_upload_size(size: int) -> None:
    """Refuse a file over the limit by the size it reports (before anything reads it)."""
    if size > upload_max_bytes():
        raise ReportRejected([Finding("too_large_file", params={
            "size": filesizeformat(size), "limit": settings.REPORTING_UPLOAD_MAX_MB,
        })])


def submission_import(*, actor: Any, submission: Submission, content: bytes, file_name: str) -> SaveResult:
    """A filled template: read, checked row by row, then stored all together, or refused with
    every finding at its cell and nothing stored."""
    _check_can_change(actor, submission)
    check_upload_size(len(content))
    read: ReadResult = read_template(content, data_set=submission.data_set, country=submission.country)
    if read.findings and not read.rows:
        raise ReportRejected(read.findings)
    readings, findings = check_entries(read.entries, history_ranges(submission), countries=read.countries,
                                       reporting_country=submission.country.iso3)
    _attach_to_rows(read, findings)
    errors = [
        *read.findings,
        *(f for row in read.rows for f in row.findings if f.code == "row_changed"),
        *(f for f in findings if f.is_error),
    ]
    if errors:
        raise ReportRejected(errors, read.rows)
    warnings = [f for f in findings if not f.is_error]
    with transaction.atomic():
        stored, empty = _store(
            actor=actor, submission=submission, readings=readings, warnings=warnings, event=EventKind.UPLOADED,
            source="upload", file_name=file_name, sha256=hashlib.sha256(content).hexdigest(),
        )
    return SaveResult(submission, stored, empty, warnings, read.rows)


def _attach_to_rows(read: ReadResult, findings: list[Finding]) -> None:
    """Each finding also on the row of the cell it names (the report is read row by row)."""
    by_cell: dict[tuple[str, str], ReadRow] = {}
    for row in read.rows:
        for column in "ABCDE":
            by_cell[(row.sheet, f"{column}{row.number}")] = row
    for finding in findings:
        found = by_cell.get((finding.location.sheet, finding.location.cell))
        if found is not None:
            found.findings.append(finding)


def submission_submit(*, actor: Any, submission: Submission) -> Submission:
    """Send the report to the Secretariat. Every indicator's total must be given (or marked as
    not available): a report without its totals is not a report."""
    _check_can_change(actor, submission)
    values = {v.element: v for v in submission.values.all()} if submission.pk else {}
    missing = [e for e in submission.data_set.elements() if e.is_total and e.key not in values]
    if missing:
        raise StateRefused(
            _("Give the total of every indicator, or mark it as not available: %(missing)s.")
            % {"missing": ", ".join(e.indicator_label for e in missing)}
        )
    now = timezone.now()
    with transaction.atomic():
        _lock_in_state(submission, SubmissionState.DRAFT, SubmissionState.RETURNED, SubmissionState.REOPENED)
        submission.state = SubmissionState.SUBMITTED
        submission.submitted_at = now
        submission.first_submitted_at = submission.first_submitted_at or now
        submission.save(update_fields=["state", "submitted_at", "first_submitted_at"])
        Event.objects.create(submission=submission, kind=EventKind.SUBMITTED, actor=actor, at=now)
        audit_log(actor=actor, action="reporting.submission.submit", obj=submission,
                  extra={"period": submission.data_set.code, "on_time": bool(submission.on_time())})
        notify(recipients=secretariat_users(), kind="reporting.submitted",
               params={"country": submission.country.iso2, "data_set": submission.data_set.code},
               link=submission.get_absolute_url())
    return submission


def _lock_in_state(submission: Submission, *states: str) -> None:
    """Lock the row; refuse if another request moved it out of ``states`` meanwhile."""
    current = Submission.objects.select_for_update().values_list("state", flat=True).get(pk=submission.pk)
    if current not in states:
        raise StateRefused(_("This report has changed state meanwhile; reload the page."))


def _review_comment(text: str, field_name: str, message: str) -> str:
    text = (text or "").strip()
    if len(text) < 5:
        raise ValidationError({field_name: message})
    return text


def submission_return(*, actor: Any, submission: Submission, comment: str) -> Submission:
    policy.authorize(actor, "reporting.review", submission)
    if submission.state != SubmissionState.SUBMITTED:
        raise StateRefused(_("Only a report submitted for review can be returned."))
    comment = _review_comment(comment, "comment", _("Say what the country must correct."))
    with transaction.atomic():
        _lock_in_state(submission, SubmissionState.SUBMITTED)
        submission.state = SubmissionState.RETURNED
        submission.save(update_fields=["state"])
        Event.objects.create(submission=submission, kind=EventKind.RETURNED, actor=actor, comment=comment)
        audit_log(actor=actor, action="reporting.submission.return", obj=submission,
                  extra={"period": submission.data_set.code})
        _notify_country(submission, "reporting.returned")
    return submission


def submission_approve(*, actor: Any, submission: Submission, comment: str = "") -> Submission:
    """Approve and lock; the values become the statistics module's (approved data only)."""
    policy.authorize(actor, "reporting.review", submission)
    if submission.state != SubmissionState.SUBMITTED:
        raise StateRefused(_("Only a report submitted for review can be approved."))
    now = timezone.now()
    with transaction.atomic():
        _lock_in_state(submission, SubmissionState.SUBMITTED)
        submission.state = SubmissionState.APPROVED
        submission.approved_at = now
        submission.save(update_fields=["state", "approved_at"])
        Event.objects.create(submission=submission, kind=EventKind.APPROVED, actor=actor, at=now,
                             comment=(comment or "").strip())
        published = publishing.publish(submission=submission, actor=actor)
        audit_log(actor=actor, action="reporting.submission.approve", obj=submission,
                  extra={"period": submission.data_set.code, "published": published})
        _notify_country(submission, "reporting.approved")
    return submission


def submission_reopen(*, actor: Any, submission: Submission, reason: str) -> Submission:
    """Unlock an approved report for correction; its values leave the statistics until it is
    approved again."""
    policy.authorize(actor, "reporting.review", submission)
    if submission.state != SubmissionState.APPROVED:
        raise StateRefused(_("Only an approved report can be reopened."))
    reason = _review_comment(reason, "reason", _("Give the reason for reopening an approved report."))
    with transaction.atomic():
        _lock_in_state(submission, SubmissionState.APPROVED)
        submission.state = SubmissionState.REOPENED
        submission.approved_at = None
        submission.save(update_fields=["state", "approved_at"])
        event = Event.objects.create(submission=submission, kind=EventKind.REOPENED, actor=actor, comment=reason)
        withdrawn = publishing.withdraw(submission=submission, actor=actor, reason=reason)
        audit_log(actor=actor, action="reporting.submission.reopen", obj=submission,
                  extra={"period": submission.data_set.code, "event": event.pk,
                         "reason_sha256": hashlib.sha256(reason.encode()).hexdigest(), "withdrawn": withdrawn})
        _notify_country(submission, "reporting.reopened")
    return submission


# --- Who is told --------------------------------------------------------------------------------


def secretariat_users() -> list[User]:
    """The Technical Secretariat's staff (its office, whichever organisation hosts it)."""
    offices = set(
        User.objects.filter(is_active=True, role_assignments__role=Role.SECRETARIAT)
        .values_list("organisation_id", flat=True)
    )
    users: list[User] = []
    for office in sorted(o for o in offices if o is not None):
        users.extend(users_with_role(Role.SECRETARIAT, organisation_id=office))
    return users


def _notify_country(submission: Submission, kind: str) -> None:
    notify(
        recipients=users_with_role(Role.FOCAL_POINT, country_id=submission.country_id),
        kind=kind, params={"data_set": submission.data_set.code}, link=submission.get_absolute_url(),
    )


# --- Deadlines ----------------------------------------------------------------------------------

REMINDER_DAYS = 7


@dataclass(frozen=True)
class Reminder:
    data_set: str
    country: str
    kind: str


def notify_deadlines(*, today: Any = None, dry_run: bool = False) -> list[Reminder]:
    """Remind the focal points of every member country whose report is not yet submitted: once
    in the week before the deadline, once after it has passed. Idempotent (each reminder is sent
    once per data set and country, however often this runs)."""
    today = today or timezone.localdate()
    submitted = set(
        Submission.objects.filter(first_submitted_at__isnull=False).values_list("data_set_id", "country_id")
    )
    open_sets = DataSet.objects.filter(deadline__gte=today - dt.timedelta(days=60)).order_by("deadline")
    reminders: list[Reminder] = []
    countries = list(Country.objects.members().order_by("iso2"))
    for data_set in open_sets:
        if today > data_set.deadline:
            kind = "reporting.overdue"
        elif (data_set.deadline - today).days <= REMINDER_DAYS and data_set.has_ended(today):
            kind = "reporting.deadline_near"
        else:
            continue
        for country in countries:
            if (data_set.pk, country.pk) in submitted:
                continue
            reminders.append(Reminder(data_set.code, country.iso2, kind))
            if dry_run:
                continue
            notify(
                recipients=users_with_role(Role.FOCAL_POINT, country_id=country.pk), kind=kind,
                params={"data_set": data_set.code, "due_on": data_set.deadline},
                link=data_set.get_absolute_url(), once_key=f"{kind}:{data_set.code}:{country.iso2}",
            )
    return reminders
