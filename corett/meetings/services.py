"""Meetings workflows: every write of this module goes through here, validated and audited.

Views, the API, the commands and the demo call these functions. Each authorises through the
policy before its transaction opens (a refusal's audit entry must survive), validates with
``full_clean()`` and writes its audit entry in the same transaction as the change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any, TypeVar

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from corett import policy
from corett.audit.services import audit_log
from corett.lib.locks import serialise
from corett.meetings.models import (
    FOLLOW_UP_TITLE_EN,
    FOLLOW_UP_TITLE_ES,
    MEETING_TRANSITIONS,
    MOU_TRANSITIONS,
    OPEN_IMPLEMENTATION,
    AdoptionMethod,
    AdoptionState,
    AgendaDocument,
    AgendaItem,
    Agreement,
    Attendance,
    Delegation,
    Evidence,
    FollowUpUpdate,
    ImplementationState,
    ImplementationTransition,
    ItemKind,
    ItemOutcome,
    Meeting,
    MeetingKind,
    MeetingState,
    Minutes,
    MinutesComment,
    MinutesState,
    Mou,
    MouCommitment,
    MouParty,
    MouVersion,
    Participant,
    ResponsibleActor,
    UpdateState,
)

M = TypeVar("M", bound=models.Model)


def _fields(instance: models.Model) -> list[str]:
    return [f.name for f in instance._meta.concrete_fields if not f.primary_key and f.name != "content"]


def _create(*, actor: Any, instance: M, action: str, extra: dict | None = None) -> M:
    instance.full_clean()
    instance.save()
    audit_log(actor=actor, action=action, obj=instance, changed_fields=_fields(instance), extra=extra)
    return instance


def _update(*, actor: Any, instance: M, data: Mapping[str, Any], action: str) -> M:
    before = {name: getattr(instance, name) for name in data}
    changed = []
    for name, value in data.items():
        instance._meta.get_field(name)  # unknown names fail loudly
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    if not changed:
        return instance
    try:
        instance.full_clean()
    except ValidationError:
        for name, value in before.items():
            setattr(instance, name, value)
        raise
    extra = ["updated_at"] if hasattr(instance, "updated_at") else []
    if "code" in {f.name for f in instance._meta.concrete_fields} and isinstance(instance, Meeting | Agreement):
        extra.append("code")
    instance.save(update_fields=[*changed, *extra])
    audit_log(actor=actor, action=action, obj=instance, changed_fields=changed)
    return instance


def _set_state(instance: M, field_name: str, value: str) -> None:
    setattr(instance, field_name, value)
    fields = [field_name, *(["updated_at"] if hasattr(instance, "updated_at") else [])]
    instance.save(update_fields=fields)


# --- Meetings ------------------------------------------------------------------------------------


def next_number(kind: str, year: int) -> int:
    """The next free number in the year for this kind of meeting (plenaries share one series)."""
    kinds: list[str] = ["ordinary", "extraordinary"] if kind in ("ordinary", "extraordinary") else [kind]
    top = Meeting.objects.filter(year=year, kind__in=kinds).aggregate(top=Max("number"))["top"]
    return (top or 0) + 1


def meeting_create(*, actor: Any, data: Mapping[str, Any]) -> Meeting:
    policy.authorize(actor, "meetings.manage")
    values = dict(data)
    starts_on = values.get("starts_on")
    if starts_on is not None:
        values.setdefault("year", starts_on.year)
    if not values.get("number") and values.get("year"):
        values["number"] = next_number(values.get("kind", MeetingKind.ORDINARY), values["year"])
    with transaction.atomic():
        serialise("meetings.numbering")
        meeting = _create(actor=actor, instance=Meeting(**values), action="meetings.meeting.create")
        if meeting.is_plenary:
            _add_follow_up_item(meeting)
        return meeting


def _add_follow_up_item(meeting: Meeting) -> AgendaItem:
    """Every plenary reviews what earlier meetings decided: the item lists the open agreements
    (``open_agreements_before``) with their latest status whenever it is read."""
    item = AgendaItem(
        meeting=meeting, position=1, path=_path(None, 1), kind=ItemKind.FOLLOW_UP,
        title_es=FOLLOW_UP_TITLE_ES, title_en=FOLLOW_UP_TITLE_EN, is_public=True,
        presenter="Secretaría Técnica",
    )
    item.full_clean()
    item.save()
    return item


def open_agreements_before(meeting: Meeting) -> models.QuerySet[Agreement]:
    """The agreements of earlier meetings still open when this meeting starts."""
    return (
        Agreement.objects.open()
        .filter(meeting__starts_on__lt=meeting.starts_on)
        .select_related("meeting")
        .prefetch_related("actors__country", "actors__organisation")
        .order_by("meeting__starts_on", "letter")
    )


def meeting_update(*, actor: Any, meeting: Meeting, data: Mapping[str, Any]) -> Meeting:
    policy.authorize(actor, "meetings.manage", meeting)
    if meeting.state in (MeetingState.CLOSED, MeetingState.CANCELLED):
        raise ValidationError(_("A closed or cancelled meeting can no longer be changed."))
    with transaction.atomic():
        serialise("meetings.numbering")
        return _update(actor=actor, instance=meeting, data=data, action="meetings.meeting.update")


def meeting_transition(*, actor: Any, meeting: Meeting, to_state: str) -> Meeting:
    policy.authorize(actor, "meetings.manage", meeting)
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if to_state not in MEETING_TRANSITIONS[MeetingState(meeting.state)]:
            raise ValidationError(
                {"state": _("A meeting that is %(current)s cannot become %(target)s.") % {
                    "current": meeting.get_state_display().lower(),
                    "target": str(MeetingState(to_state).label).lower() if to_state in MeetingState.values else to_state,
                }}
            )
        if to_state == MeetingState.CLOSED:
            pending = meeting.undecided()
            if pending:
                raise ValidationError(
                    {"state": _("The meeting cannot be closed while these are undecided: %(items)s.")
                     % {"items": "; ".join(pending)}}
                )
        if to_state == MeetingState.HELD and meeting.starts_on > timezone.localdate():
            raise ValidationError({"state": _("A meeting is held on or after its first day.")})
        before = meeting.state
        _set_state(meeting, "state", to_state)
        audit_log(actor=actor, action="meetings.meeting.transition", obj=meeting,
                  extra={"from": before, "to": to_state})
        return meeting


# --- Delegations and participants ----------------------------------------------------------------


def _editable(meeting: Meeting) -> None:
    if meeting.state in (MeetingState.CLOSED, MeetingState.CANCELLED):
        raise ValidationError(_("A closed or cancelled meeting can no longer be changed."))


def delegation_add(*, actor: Any, meeting: Meeting, data: Mapping[str, Any]) -> Delegation:
    policy.authorize(actor, "meetings.manage", meeting)
    _editable(meeting)
    with transaction.atomic():
        delegation = Delegation(meeting=meeting, **data)
        try:
            delegation.validate_unique()
        except ValidationError:
            raise ValidationError({"organisation": _("This organisation already has a delegation.")}) from None
        return _create(actor=actor, instance=delegation, action="meetings.delegation.create")


def participant_add(*, actor: Any, delegation: Delegation, data: Mapping[str, Any]) -> Participant:
    policy.authorize(actor, "meetings.manage", delegation.meeting)
    _editable(delegation.meeting)
    with transaction.atomic():
        serialise(f"meetings.delegation:{delegation.pk}")
        participant = Participant(delegation=delegation, **data)
        # The audit keeps which participant row changed, never the person's name or e-mail.
        participant.full_clean()
        participant.save()
        audit_log(actor=actor, action="meetings.participant.create", obj=participant,
                  extra={"delegation": delegation.pk})
        return participant


def participant_set_attendance(*, actor: Any, participant: Participant, attendance: str) -> Participant:
    policy.authorize(actor, "meetings.manage", participant.delegation.meeting)
    _editable(participant.delegation.meeting)
    if attendance not in Attendance.values:
        raise ValidationError({"attendance": _("Unknown attendance.")})
    with transaction.atomic():
        _set_state(participant, "attendance", attendance)
        audit_log(actor=actor, action="meetings.participant.attendance", obj=participant,
                  extra={"attendance": attendance})
    return participant


def participant_self_register(*, participant: Participant, attendance: str) -> Participant:
    """Through the personal link sent with the invitation: the participant confirms or excuses."""
    meeting = participant.delegation.meeting
    if meeting.state not in (MeetingState.DRAFT, MeetingState.CONVENED):
        raise ValidationError({"attendance": _("Registration for this meeting is closed.")})
    if attendance not in (Attendance.REGISTERED, Attendance.EXCUSED):
        raise ValidationError({"attendance": _("Choose whether you will attend.")})
    with transaction.atomic():
        participant.attendance = attendance
        participant.registered_at = timezone.now()
        participant.save(update_fields=["attendance", "registered_at"])
        audit_log(actor=None, username="registration-link", action="meetings.participant.register",
                  obj=participant, extra={"attendance": attendance})
    return participant


# --- Agenda -----------------------------------------------------------------------------------------


def _path(parent: AgendaItem | None, position: int) -> str:
    own = f"{position:04d}"
    return f"{parent.path}.{own}" if parent is not None else own


def agenda_item_add(*, actor: Any, meeting: Meeting, data: Mapping[str, Any]) -> AgendaItem:
    policy.authorize(actor, "meetings.manage", meeting)
    _editable(meeting)
    values = dict(data)
    parent = values.get("parent")
    with transaction.atomic():
        serialise(f"meetings.agenda:{meeting.pk}")
        siblings = meeting.agenda_items.filter(parent=parent)
        if not values.get("position"):
            values["position"] = (siblings.aggregate(top=Max("position"))["top"] or 0) + 1
        item = AgendaItem(meeting=meeting, **values)
        item.path = _path(parent, item.position)
        if siblings.filter(position=item.position).exists():
            raise ValidationError({"position": _("Another item already has this number here.")})
        return _create(actor=actor, instance=item, action="meetings.agenda_item.create")


def agenda_item_update(*, actor: Any, item: AgendaItem, data: Mapping[str, Any]) -> AgendaItem:
    policy.authorize(actor, "meetings.manage", item.meeting)
    _editable(item.meeting)
    if "parent" in data and data["parent"] != item.parent:
        # An item's number is its place in the tree, fixed when it is added (agreements and
        # minutes cite it): moving it would renumber what others already refer to.
        raise ValidationError({"parent": _("An item stays where it was added; add a new item under the other one.")})
    with transaction.atomic():
        return _update(actor=actor, instance=item, data=data, action="meetings.agenda_item.update")


def agenda_item_decide(*, actor: Any, item: AgendaItem, outcome: str) -> AgendaItem:
    policy.authorize(actor, "meetings.manage", item.meeting)
    _editable(item.meeting)
    if outcome not in ItemOutcome.values:
        raise ValidationError({"outcome": _("Unknown outcome.")})
    with transaction.atomic():
        _set_state(item, "outcome", outcome)
        audit_log(actor=actor, action="meetings.agenda_item.decide", obj=item, extra={"outcome": outcome})
    return item


# --- Stored documents ----------------------------------------------------------------------------

TYPE_SNIFF_BYTES = 8192
DOCUMENT_TYPES = {
    "application/pdf",
    "image/jpeg",
    "image/png",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
}
ZIPPED_TYPES = {t for t in DOCUMENT_TYPES if "openxml" in t or "opendocument" in t}
# Members that only a macro-enabled document holds (Office's VBA project, OpenDocument's Basic).
MACRO_MEMBERS = ("vbaproject.bin", "basic/")
FILENAME_MAX_LENGTH = 150


def document_max_bytes() -> int:
    return int(getattr(settings, "MEETINGS_DOCUMENT_MAX_MB", 20)) * 1024 * 1024


def _refuse_file(message: str, code: str) -> ValidationError:
    return ValidationError({"file": ValidationError(message, code=code)})


def document_type_of(content: bytes) -> str:
    """The content type read from the file's bytes, if accepted; its name never counts."""
    kind = filetype.guess(bytes(content[:TYPE_SNIFF_BYTES]))
    if kind is None or kind.mime not in DOCUMENT_TYPES:
        raise _refuse_file(
            _("This kind of file is not accepted. Upload a PDF, a JPEG or PNG image, or a Word, Excel, "
              "PowerPoint or OpenDocument file; the type is read from the file's content, not from its name."),
            "file_type",
        )
    if kind.mime in ZIPPED_TYPES:
        try:
            with zipfile.ZipFile(BytesIO(content)) as archive:
                names = [n.lower() for n in archive.namelist()]
        except zipfile.BadZipFile:
            raise _refuse_file(_("This file is damaged and cannot be read."), "file_damaged") from None
        if any(m in n for n in names for m in MACRO_MEMBERS):
            raise _refuse_file(_("Documents with macros are not accepted."), "file_macros")
    return kind.mime


def _safe_filename(name: str) -> str:
    # Only the last path component, without control characters: it is shown and offered as
    # the download's name, never used as a path.
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip() or "document"
    return base[-FILENAME_MAX_LENGTH:]


def _document_fields(filename: str, content: bytes) -> dict[str, Any]:
    if len(content) > document_max_bytes():
        raise _refuse_file(
            _("The file is larger than %(limit)s MB.") % {"limit": document_max_bytes() // (1024 * 1024)},
            "too_large",
        )
    if not content:
        raise _refuse_file(_("The file is empty."), "empty")
    return {
        "filename": _safe_filename(filename),
        "content_type": document_type_of(content),
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
        "content": content,
    }


def agenda_document_add(*, actor: Any, item: AgendaItem, filename: str, content: bytes) -> AgendaDocument:
    policy.authorize(actor, "meetings.manage", item.meeting)
    _editable(item.meeting)
    document = AgendaDocument(item=item, uploaded_by=actor, **_document_fields(filename, content))
    with transaction.atomic():
        return _create(actor=actor, instance=document, action="meetings.agenda_document.create")


def evidence_add(*, actor: Any, update: FollowUpUpdate, filename: str, content: bytes) -> Evidence:
    policy.authorize(actor, "meetings.edit_update", update)
    evidence = Evidence(update=update, uploaded_by=actor, **_document_fields(filename, content))
    with transaction.atomic():
        return _create(actor=actor, instance=evidence, action="meetings.evidence.create")


# --- Agreements -------------------------------------------------------------------------------------


def agreement_create(*, actor: Any, meeting: Meeting, data: Mapping[str, Any]) -> Agreement:
    policy.authorize(actor, "meetings.manage", meeting)
    _editable(meeting)
    with transaction.atomic():
        serialise(f"meetings.agreements:{meeting.pk}")
        return _create(actor=actor, instance=Agreement(meeting=meeting, **data), action="meetings.agreement.create")


def agreement_update(*, actor: Any, agreement: Agreement, data: Mapping[str, Any]) -> Agreement:
    policy.authorize(actor, "meetings.manage", agreement.meeting)
    _editable(agreement.meeting)
    with transaction.atomic():
        serialise(f"meetings.agreements:{agreement.meeting_id}")
        return _update(actor=actor, instance=agreement, data=data, action="meetings.agreement.update")


def agreement_decide(
    *, actor: Any, agreement: Agreement, adoption_state: str, method: str = AdoptionMethod.CONSENSUS,
    votes_for: int | None = None, votes_against: int | None = None, abstentions: int | None = None,
) -> Agreement:
    """Record what the meeting decided on a proposed agreement (by consensus or by vote)."""
    policy.authorize(actor, "meetings.manage", agreement.meeting)
    _editable(agreement.meeting)
    if adoption_state not in AdoptionState.values or adoption_state == AdoptionState.PROPOSED:
        raise ValidationError({"adoption_state": _("Choose what the meeting decided.")})
    if method == AdoptionMethod.VOTE and adoption_state in (AdoptionState.ADOPTED, AdoptionState.NOT_ADOPTED):
        if None in (votes_for, votes_against, abstentions):
            raise ValidationError({"votes_for": _("A vote needs its counts: for, against and abstentions.")})
        assert votes_for is not None and votes_against is not None
        if adoption_state == AdoptionState.ADOPTED and votes_for <= votes_against:
            raise ValidationError({"votes_for": _("With these counts the agreement was not adopted.")})
    if method != AdoptionMethod.VOTE:
        votes_for = votes_against = abstentions = None
    data = {"adoption_state": adoption_state, "adoption_method": method, "votes_for": votes_for,
            "votes_against": votes_against, "abstentions": abstentions}
    with transaction.atomic():
        return _update(actor=actor, instance=agreement, data=data, action="meetings.agreement.decide")


def actor_add(*, actor: Any, agreement: Agreement, data: Mapping[str, Any]) -> ResponsibleActor:
    policy.authorize(actor, "meetings.manage", agreement.meeting)
    with transaction.atomic():
        serialise(f"meetings.actors:{agreement.pk}")
        responsible = ResponsibleActor(agreement=agreement, **data)
        return _create(actor=actor, instance=responsible, action="meetings.actor.create")


def actor_remove(*, actor: Any, responsible: ResponsibleActor) -> None:
    policy.authorize(actor, "meetings.manage", responsible.agreement.meeting)
    if responsible.updates.exists():
        raise ValidationError(_("This actor has reported on the agreement and stays on record."))
    with transaction.atomic():
        audit_log(actor=actor, action="meetings.actor.delete", obj=responsible)
        responsible.delete()


def allowed_implementation_steps(state: str) -> list[str]:
    return list(
        ImplementationTransition.objects.filter(from_state=state).values_list("to_state", flat=True).order_by("to_state")
    )


def agreement_set_implementation(
    *, actor: Any, agreement: Agreement, to_state: str, superseded_by: Agreement | None = None
) -> Agreement:
    policy.authorize(actor, "meetings.manage", agreement.meeting)
    if agreement.adoption_state != AdoptionState.ADOPTED:
        raise ValidationError({"implementation_state": _("Only an adopted agreement is implemented.")})
    with transaction.atomic():
        agreement = Agreement.objects.select_for_update().select_related("meeting").get(pk=agreement.pk)
        if not ImplementationTransition.objects.filter(from_state=agreement.implementation_state, to_state=to_state).exists():
            raise ValidationError({"implementation_state": _(
                "The workflow does not allow going from %(current)s to %(target)s."
            ) % {"current": agreement.get_implementation_state_display().lower(),
                 "target": _label(ImplementationState, to_state).lower()}})
        if to_state == ImplementationState.SUPERSEDED:
            if superseded_by is None or superseded_by.pk == agreement.pk:
                raise ValidationError({"superseded_by": _("Name the agreement that supersedes this one.")})
            agreement.superseded_by = superseded_by
            agreement.save(update_fields=["superseded_by"])
        before = agreement.implementation_state
        _set_state(agreement, "implementation_state", to_state)
        audit_log(actor=actor, action="meetings.agreement.implementation", obj=agreement,
                  extra={"from": before, "to": to_state})
        return agreement


def _label(choices: Any, code: str) -> str:
    try:
        return str(choices(code).label)
    except ValueError:
        return code


def workflow_configure(*, actor: Any, pairs: set[tuple[str, str]]) -> None:
    """Replace the implementation graph with ``pairs`` (the Secretariat's configuration)."""
    policy.authorize(actor, "meetings.configure_workflow")
    states = set(ImplementationState.values)
    bad = [p for p in pairs if p[0] not in states or p[1] not in states or p[0] == p[1]]
    if bad:
        raise ValidationError({"transitions": _("A step must go from one known state to another.")})
    if not any(p[1] == ImplementationState.FULFILLED for p in pairs):
        raise ValidationError({"transitions": _("At least one step must lead to fulfilled.")})
    with transaction.atomic():
        serialise("meetings.workflow")
        ImplementationTransition.objects.all().delete()
        ImplementationTransition.objects.bulk_create(
            [ImplementationTransition(from_state=a, to_state=b) for a, b in sorted(pairs)]
        )
        audit_log(actor=actor, action="meetings.workflow.configure",
                  extra={"transitions": [f"{a}>{b}" for a, b in sorted(pairs)]})


# --- Follow-up updates -----------------------------------------------------------------------------


def update_create(*, actor: Any, agreement: Agreement, data: Mapping[str, Any]) -> FollowUpUpdate:
    policy.authorize(actor, "meetings.report", None)
    responsible = data.get("actor")
    if responsible is None or responsible.agreement_id != agreement.pk:
        raise ValidationError({"actor": _("Choose the responsible actor you report for.")})
    if not responsible.represented_by(actor):
        raise ValidationError({"actor": _(
            "You do not speak for this actor: only the focal point of a responsible country, the "
            "responsible organisation, the Presidency or the Secretariat reports on its work."
        )})
    if agreement.adoption_state != AdoptionState.ADOPTED:
        raise ValidationError({"actor": _("Only an adopted agreement is followed up.")})
    with transaction.atomic():
        update = FollowUpUpdate(agreement=agreement, author=actor, **data)
        return _create(actor=actor, instance=update, action="meetings.update.create",
                       extra={"agreement": agreement.code})


def update_edit(*, actor: Any, update: FollowUpUpdate, data: Mapping[str, Any]) -> FollowUpUpdate:
    policy.authorize(actor, "meetings.edit_update", update)
    allowed = {"narrative", "percent_done"}
    with transaction.atomic():
        return _update(actor=actor, instance=update, data={k: v for k, v in data.items() if k in allowed},
                       action="meetings.update.update")


def update_submit(*, actor: Any, update: FollowUpUpdate) -> FollowUpUpdate:
    policy.authorize(actor, "meetings.edit_update", update)
    with transaction.atomic():
        update.state = UpdateState.SUBMITTED
        update.submitted_at = timezone.now()
        update.save(update_fields=["state", "submitted_at"])
        audit_log(actor=actor, action="meetings.update.submit", obj=update)
        _notify_staff_of_submission(update)
    return update


def update_review(*, actor: Any, update: FollowUpUpdate, accept: bool, comment: str = "") -> FollowUpUpdate:
    policy.authorize(actor, "meetings.review_update", update)
    comment = comment.strip()
    if not accept and not comment:
        raise ValidationError({"comment": _("Say what must be revised.")})
    with transaction.atomic():
        update.state = UpdateState.ACCEPTED if accept else UpdateState.RETURNED
        update.reviewed_by = actor
        update.reviewed_at = timezone.now()
        update.review_comment = comment
        update.save(update_fields=["state", "reviewed_by", "reviewed_at", "review_comment"])
        audit_log(actor=actor, action="meetings.update.accept" if accept else "meetings.update.return", obj=update)
        agreement = update.agreement
        if accept and agreement.implementation_state == ImplementationState.PENDING and update.percent_done > 0:
            # Accepted work in progress moves a pending agreement along: the platform's own step.
            _set_state(agreement, "implementation_state", ImplementationState.IN_PROGRESS)
            audit_log(actor=actor, action="meetings.agreement.implementation", obj=agreement,
                      extra={"from": "pending", "to": "in_progress", "by": "accepted update"})
        _notify_author_of_review(update)
    return update


def _notify_staff_of_submission(update: FollowUpUpdate) -> None:
    from corett.meetings import notifications

    notifications.update_submitted(update)


def _notify_author_of_review(update: FollowUpUpdate) -> None:
    from corett.meetings import notifications

    notifications.update_reviewed(update)


# --- Overdue sweep and expiry alerts ---------------------------------------------------------------


@dataclass
class SweepReport:
    overdue: list[str] = field(default_factory=list)
    notified: int = 0
    expiring: list[str] = field(default_factory=list)


def sweep(*, today: dt.date | None = None, dry_run: bool = False) -> SweepReport:
    """Turn agreements past a due date overdue and tell their actors (once per agreement and
    day); warn the Secretariat of memoranda close to expiry (``corett meetings-overdue``)."""
    from corett.meetings import notifications

    today = today or timezone.localdate()
    report = SweepReport()
    late = (
        Agreement.objects.filter(
            adoption_state=AdoptionState.ADOPTED, implementation_state__in=OPEN_IMPLEMENTATION,
            actors__due_on__lt=today,
        )
        .distinct()
        .select_related("meeting")
        .prefetch_related("actors")
        .order_by("code")
    )
    for agreement in late:
        report.overdue.append(agreement.code)
        if dry_run:
            continue
        with transaction.atomic():
            if agreement.implementation_state != ImplementationState.OVERDUE:
                before = agreement.implementation_state
                _set_state(agreement, "implementation_state", ImplementationState.OVERDUE)
                audit_log(actor=None, username="system", action="meetings.agreement.implementation",
                          obj=agreement, extra={"from": before, "to": "overdue", "by": "sweep"})
            report.notified += notifications.agreement_overdue(agreement, today=today)
    for mou in Mou.objects.filter(state__in=("in_force", "renewed"), valid_until__isnull=False).order_by("code"):
        if mou.expires_soon(today):
            report.expiring.append(mou.code)
            if not dry_run:
                report.notified += notifications.mou_expiring(mou, today=today)
    return report


# --- Minutes --------------------------------------------------------------------------------------


def minutes_draft(*, actor: Any, meeting: Meeting) -> Minutes:
    """Draft the minutes from the meeting's data (attendance, agenda, agreements), or redraft a
    draft that nobody has circulated yet."""
    from corett.meetings import minutes as writer

    policy.authorize(actor, "meetings.manage", meeting)
    if meeting.state not in (MeetingState.HELD, MeetingState.CLOSED):
        raise ValidationError(_("Minutes are drafted once the meeting has been held."))
    with transaction.atomic():
        existing = Minutes.objects.select_for_update().filter(meeting=meeting).first()
        if existing is not None and existing.state != MinutesState.DRAFT:
            raise ValidationError(_("These minutes have been circulated: edit them instead of redrafting."))
        body_es, body_en = writer.draft_bodies(meeting)
        if existing is None:
            return _create(actor=actor, instance=Minutes(meeting=meeting, body_es=body_es, body_en=body_en),
                           action="meetings.minutes.create")
        return _update(actor=actor, instance=existing, data={"body_es": body_es, "body_en": body_en},
                       action="meetings.minutes.redraft")


def minutes_edit(*, actor: Any, minutes: Minutes, data: Mapping[str, Any]) -> Minutes:
    policy.authorize(actor, "meetings.manage", minutes.meeting)
    if minutes.state not in (MinutesState.DRAFT, MinutesState.CIRCULATED):
        raise ValidationError(_("Approved minutes can no longer be edited."))
    with transaction.atomic():
        return _update(actor=actor, instance=minutes,
                       data={k: data[k] for k in ("body_es", "body_en") if k in data}, action="meetings.minutes.update")


def minutes_circulate(*, actor: Any, minutes: Minutes) -> Minutes:
    policy.authorize(actor, "meetings.manage", minutes.meeting)
    if minutes.state != MinutesState.DRAFT:
        raise ValidationError(_("Only a draft is circulated for comments."))
    with transaction.atomic():
        _set_state(minutes, "state", MinutesState.CIRCULATED)
        audit_log(actor=actor, action="meetings.minutes.circulate", obj=minutes)
    return minutes


def minutes_comment(*, actor: Any, minutes: Minutes, text: str) -> MinutesComment:
    policy.authorize(actor, "meetings.comment_minutes", minutes)
    comment = MinutesComment(minutes=minutes, author=actor, text=text.strip())
    with transaction.atomic():
        return _create(actor=actor, instance=comment, action="meetings.minutes.comment")


def minutes_approve(*, actor: Any, minutes: Minutes, at_meeting: Meeting) -> Minutes:
    policy.authorize(actor, "meetings.manage", minutes.meeting)
    if minutes.state != MinutesState.CIRCULATED:
        raise ValidationError({"approved_at_meeting": _("Minutes are approved after they have been circulated.")})
    if at_meeting.state not in (MeetingState.HELD, MeetingState.CLOSED):
        raise ValidationError({"approved_at_meeting": _("Minutes are approved at a meeting that has been held.")})
    with transaction.atomic():
        minutes.approved_at_meeting = at_meeting
        minutes.full_clean()
        minutes.state = MinutesState.APPROVED
        minutes.save(update_fields=["approved_at_meeting", "state", "updated_at"])
        audit_log(actor=actor, action="meetings.minutes.approve", obj=minutes, extra={"at": at_meeting.code})
    return minutes


def minutes_freeze(*, actor: Any, minutes: Minutes) -> Minutes:
    """Render the approved minutes in Spanish and English once, record their hashes; from then on
    the stored files are what anyone downloads."""
    from corett.meetings import minutes as writer

    policy.authorize(actor, "meetings.manage", minutes.meeting)
    with transaction.atomic():
        minutes = (Minutes.objects.select_for_update(of=("self",))
                   .select_related("meeting", "approved_at_meeting").get(pk=minutes.pk))
        if minutes.state != MinutesState.APPROVED:
            raise ValidationError(_("Only approved minutes are frozen."))
        minutes.frozen_snapshot = writer.snapshot(minutes.meeting)
        minutes.frozen_at = timezone.now()
        minutes.pdf_es = writer.render_pdf(minutes, "es")
        minutes.pdf_en = writer.render_pdf(minutes, "en")
        minutes.sha256_es = hashlib.sha256(minutes.pdf_es).hexdigest()
        minutes.sha256_en = hashlib.sha256(minutes.pdf_en).hexdigest()
        minutes.state = MinutesState.FROZEN
        minutes.save()
        audit_log(actor=actor, action="meetings.minutes.freeze", obj=minutes,
                  extra={"sha256_es": minutes.sha256_es, "sha256_en": minutes.sha256_en})
    return minutes


# --- Memoranda of understanding ------------------------------------------------------------------


def mou_create(*, actor: Any, data: Mapping[str, Any]) -> Mou:
    policy.authorize(actor, "meetings.manage_mou")
    with transaction.atomic():
        mou = Mou(**data)
        try:
            mou.validate_unique()
        except ValidationError:
            raise ValidationError({"code": _("This reference is already used.")}) from None
        return _create(actor=actor, instance=mou, action="meetings.mou.create")


def mou_update(*, actor: Any, mou: Mou, data: Mapping[str, Any]) -> Mou:
    policy.authorize(actor, "meetings.manage_mou", mou)
    with transaction.atomic():
        return _update(actor=actor, instance=mou, data=data, action="meetings.mou.update")


def mou_transition(*, actor: Any, mou: Mou, to_state: str) -> Mou:
    policy.authorize(actor, "meetings.manage_mou", mou)
    with transaction.atomic():
        mou = Mou.objects.select_for_update().get(pk=mou.pk)
        if to_state not in MOU_TRANSITIONS.get(mou.state, ()):  # type: ignore[call-overload]
            raise ValidationError({"state": _("A memorandum that is %(current)s cannot become %(target)s.") % {
                "current": mou.get_state_display().lower(), "target": _label_mou(to_state).lower()}})
        if to_state in ("in_force", "renewed") and not mou.versions.exists():
            raise ValidationError({"state": _("Record the signed text as a version before the memorandum enters into force.")})
        before = mou.state
        mou.state = to_state
        mou.full_clean()
        mou.save(update_fields=["state", "updated_at"])
        audit_log(actor=actor, action="meetings.mou.transition", obj=mou, extra={"from": before, "to": to_state})
        return mou


def _label_mou(code: str) -> str:
    from corett.meetings.models import MouState

    return _label(MouState, code)


def mou_party_add(*, actor: Any, mou: Mou, data: Mapping[str, Any]) -> MouParty:
    policy.authorize(actor, "meetings.manage_mou", mou)
    with transaction.atomic():
        return _create(actor=actor, instance=MouParty(mou=mou, **data), action="meetings.mou_party.create")


def mou_version_add(*, actor: Any, mou: Mou, text: str, reason: str) -> MouVersion:
    policy.authorize(actor, "meetings.manage_mou", mou)
    with transaction.atomic():
        serialise(f"meetings.mou_versions:{mou.pk}")
        latest = mou.versions.order_by("-number").first()
        if latest is not None and latest.text == text:
            raise ValidationError({"text": _("The text is the same as version %(number)s.") % {"number": latest.number}})
        version = MouVersion(mou=mou, number=(latest.number if latest else 0) + 1, text=text, reason=reason,
                             created_by=actor)
        return _create(actor=actor, instance=version, action="meetings.mou_version.create")


def commitment_add(*, actor: Any, mou: Mou, data: Mapping[str, Any]) -> MouCommitment:
    policy.authorize(actor, "meetings.manage_mou", mou)
    with transaction.atomic():
        return _create(actor=actor, instance=MouCommitment(mou=mou, **data), action="meetings.commitment.create")


def commitment_set_status(*, actor: Any, commitment: MouCommitment, status: str) -> MouCommitment:
    policy.authorize(actor, "meetings.manage_mou", commitment.mou)
    with transaction.atomic():
        return _update(actor=actor, instance=commitment, data={"status": status}, action="meetings.commitment.status")
