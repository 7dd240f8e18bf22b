"""Case workflows. Views, the API, commands and the demo call these functions, and nothing
else writes a case. Each checks permission through the policy first (so that a refusal is
audited even though the write is rolled back), then locks the case row, validates, writes and
audits in one transaction. Audit entries name fields, never their values.
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
import zipfile
from collections.abc import Mapping
from typing import Any

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from corett import policy
from corett.accounts.roles import Role
from corett.audit.services import audit_log
from corett.cases import exports, protocol
from corett.cases.models import (
    ATTACHMENT_TYPES,
    FINAL_STAGES,
    IDENTITY_FIELDS,
    SHARING_PURPOSES,
    Approval,
    ApprovalState,
    Attachment,
    Case,
    Consent,
    ConsentOverride,
    ConsentPurpose,
    CountryCaseSettings,
    Flag,
    FlagKind,
    FollowUp,
    FundingRequest,
    FundingState,
    RelatedPerson,
    RelatedRole,
    Stage,
    StageChange,
    Task,
)
from corett.core.request_context import RequestMeta, reset_request_meta, set_request_meta
from corett.lib import crypto
from corett.notifications.services import notify, users_with_role

# What may be set when a case is opened or edited; identity fields are among them.
CASE_FIELDS = (
    "identifying_organisation", "origin_country", *IDENTITY_FIELDS[:-1], "estimated_age",
    "age_verified", "sex", "citizenships", "languages", "identified_on", "trafficking_status",
    "status_decided_by", "forms_of_exploitation", "methods_of_control", "recruiter_relationship",
    "risk_level",
)


def _normalise(text: str) -> str:
    """Case, accents, punctuation and spacing removed: "  María-José  PEÑA " -> "maria jose pena"."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return " ".join("".join(ch if ch.isalnum() else " " for ch in text).split())


def match_key_for(case: Case) -> str:
    """Keyed hash of the normalised full name, the birth date and the first citizenship.

    Given and family names are joined, so two countries that split a double surname
    differently still match. Without a birth date there is no key: a name and a nationality
    alone would flag every namesake.
    """
    name = _normalise(f"{case.given_name or ''} {case.family_name or ''}")
    citizenships = sorted(str(c).strip().upper() for c in case.citizenships or [] if str(c).strip())
    if not (case.given_name and case.family_name and case.birth_date and citizenships and name):
        return ""
    basis = f"{name}|{case.birth_date.isoformat()}|{citizenships[0]}"
    return crypto.blind_index(basis, "cases.case.match")


def _lock(case: Case) -> Case:
    """The case row, locked for this transaction (and its related rows fresh)."""
    return Case.objects.select_for_update(of=("self",)).get(pk=case.pk)


def _plan_tasks(case: Case) -> None:
    settings_row = CountryCaseSettings.objects.filter(country_id=case.destination_country_id).first()
    days = settings_row.days_for(case.stage) if settings_row else CountryCaseSettings.DEFAULT_STAGE_DAYS
    Task.objects.filter(case=case, done_at__isnull=True).exclude(stage=case.stage).update(done_at=timezone.now())
    if case.stage in (Stage.CLOSED, Stage.CANCELLED, Stage.ALTERNATIVE_SOLUTION, Stage.SUSPENDED):
        return
    Task.objects.create(
        case=case, stage=case.stage, title=case.get_stage_display(),
        due_on=timezone.localdate() + dt.timedelta(days=days),
    )


def _flag_duplicates(case: Case) -> None:
    """Flag both cases when the same person appears in another country's case."""
    if not case.match_key:
        return
    others = Case.objects.filter(match_key=case.match_key).exclude(pk=case.pk).exclude(
        destination_country_id=case.destination_country_id
    )
    for other in others:
        for target in (case, other):
            if not target.flags.filter(kind=FlagKind.POSSIBLE_DUPLICATE, resolved_at__isnull=True).exists():
                Flag.objects.create(case=target, kind=FlagKind.POSSIBLE_DUPLICATE)
                # The system raises the flag, not this request: the entry lands in the other
                # country's access log, which must not learn the IP address or browser of the
                # case worker whose edit found the match.
                token = set_request_meta(RequestMeta())
                try:
                    audit_log(actor=None, username="system", action="cases.flag.duplicate", obj=target,
                              country=target.destination_country.iso2)
                finally:
                    reset_request_meta(token)
                # Each country hears of its own case only: nothing points at the other one.
                notify(
                    recipients=users_with_role(Role.CASE_SUPERVISOR, country_id=target.destination_country_id),
                    kind="case.duplicate_suspected", params={"case": target.code},
                    link=target.get_absolute_url(),
                )


def case_open(*, actor: Any, destination_country: Any, data: Mapping[str, Any]) -> Case:
    policy.authorize(actor, "cases.create", destination_country)
    with transaction.atomic():
        case = Case(destination_country=destination_country, created_by=actor)
        for name, value in data.items():
            if name not in CASE_FIELDS:
                raise ValueError(f"{name} cannot be set on a case")
            setattr(case, name, value)
        case.derive_age_at_identification()
        case.full_clean(exclude=["match_key"])
        case.match_key = match_key_for(case)
        case.save()
        StageChange.objects.create(case=case, from_stage=case.stage, to_stage=case.stage, transition="open", by=actor)
        _plan_tasks(case)
        if case.is_child:
            Flag.objects.create(case=case, kind=FlagKind.URGENT_CHILD, raised_by=actor)
        audit_log(actor=actor, action="cases.case.create", obj=case, country=destination_country.iso2,
                  changed_fields=list(data))
        _flag_duplicates(case)
    return case


def case_update(*, actor: Any, case: Case, data: Mapping[str, Any]) -> Case:
    policy.authorize(actor, "cases.change", case)
    with transaction.atomic():
        case = _lock(case)
        changed = []
        for name, value in data.items():
            if name not in CASE_FIELDS:
                raise ValueError(f"{name} cannot be set on a case")
            if getattr(case, name) != value:
                setattr(case, name, value)
                changed.append(name)
        if not changed:
            return case
        case.derive_age_at_identification()
        case.full_clean(exclude=["match_key"])
        case.match_key = match_key_for(case)
        case.save()
        audit_log(actor=actor, action="cases.case.update", obj=case, country=case.destination_country.iso2,
                  changed_fields=changed)
        _flag_duplicates(case)
    return case


def case_transition(*, actor: Any, case: Case, name: str, data: Mapping[str, Any] | None = None) -> Case:
    """Move the case along the protocol; TransitionRefused names every unmet guard."""
    data = dict(data or {})
    transition = protocol.TRANSITIONS.get(name)
    side_action = (
        "cases.transition_origin" if transition and transition.side == protocol.ORIGIN
        else "cases.transition_destination"
    )
    policy.authorize(actor, side_action, case)
    with transaction.atomic():
        case = _lock(case)
        transition = protocol.check(case, name, data)
        source, target = case.stage, protocol.target_of(case, transition)
        case.stage = target
        update = ["stage", "updated_at"]
        if name == "suspend":
            case.resume_stage = source
            update.append("resume_stage")
        if name == "request_origin":
            case.shared_with_origin_at = timezone.now()
            update.append("shared_with_origin_at")
        if name == "decline":
            case.origin_decline_reason = str(data["reason"])
            update.append("origin_decline_reason")
        if name == "choose_alternative":
            case.alternative_solution = str(data["alternative"])
            case.full_clean(exclude=["match_key"])
            update.append("alternative_solution")
        if target in FINAL_STAGES:
            case.closed_at = timezone.now()
            update.append("closed_at")
        if name == "reopen":
            case.closed_at = None
            update.append("closed_at")
        case.save(update_fields=update)
        StageChange.objects.create(
            case=case, from_stage=source, to_stage=target, transition=name, by=actor,
            # Reasons are free text that may name people: sealed like any narrative.
            reason=str(data.get("reason") or "").strip() or None,
        )
        _plan_tasks(case)
        if name == "start_reintegration":
            _plan_follow_ups(case)
        audit_log(
            actor=actor, action=f"cases.transition.{name}", obj=case, country=case.destination_country.iso2,
            changed_fields=[f for f in update if f != "updated_at"],
            extra={"from": source, "to": target},
        )
        if name == "request_origin":
            notify(
                recipients=users_with_role(
                    Role.CASE_WORKER, Role.CASE_SUPERVISOR, country_id=case.origin_country_id
                ),
                kind="case.requested_to_origin", params={"case": case.code}, link=case.get_absolute_url(),
            )
        elif name in ("accept", "decline"):
            notify(
                recipients=users_with_role(Role.CASE_WORKER, country_id=case.destination_country_id),
                kind="case.origin_answered", params={"case": case.code, "answer": target},
                link=case.get_absolute_url(),
            )
    return case


def _plan_follow_ups(case: Case) -> None:
    settings_row = CountryCaseSettings.objects.filter(country_id=case.origin_country_id).first()
    months = settings_row.follow_ups() if settings_row else list(CountryCaseSettings.DEFAULT_FOLLOW_UPS)
    start = timezone.localdate()
    for m in months:
        year, month = divmod(start.month - 1 + m, 12)
        due = start.replace(year=start.year + year, month=month + 1, day=min(start.day, 28))
        FollowUp.objects.get_or_create(case=case, months_after_return=m, defaults={"due_on": due})


def consent_record(*, actor: Any, case: Case, purpose: str, given_by: str) -> Consent:
    policy.authorize(actor, "cases.change", case)
    with transaction.atomic():
        consent = Consent(case=case, purpose=purpose, given_by=given_by, recorded_by=actor)
        consent.full_clean()
        consent.save()
        audit_log(actor=actor, action="cases.consent.record", obj=case, country=case.destination_country.iso2,
                  extra={"purpose": purpose, "given_by": given_by})
    return consent


def consent_withdraw(*, actor: Any, consent: Consent) -> Consent:
    policy.authorize(actor, "cases.change", consent.case)
    with transaction.atomic():
        consent.withdrawn_at = timezone.now()
        consent.save(update_fields=["withdrawn_at"])
        audit_log(actor=actor, action="cases.consent.withdraw", obj=consent.case,
                  country=consent.case.destination_country.iso2, extra={"purpose": consent.purpose})
    return consent


def deadlines_update(
    *, actor: Any, country: Any, stage_days: Mapping[str, int], follow_up_months: list[int]
) -> CountryCaseSettings:
    """A country's deadlines: the days allowed in each stage (the task each stage opens is due
    after them) and the months after return of each follow-up. New tasks and follow-ups use
    them; those already planned keep their dates."""
    policy.authorize(actor, "cases.configure_deadlines", country)
    unknown = set(stage_days) - set(Stage.values)
    if unknown:
        raise ValueError(f"{sorted(unknown)} are not stages")
    errors: dict[str, list[str]] = {}
    for stage, days in stage_days.items():
        if not 1 <= int(days) <= 365:
            errors.setdefault(stage, []).append(_("Between 1 and 365 days."))
    months = sorted(set(follow_up_months))
    if not months or any(not 1 <= m <= 60 for m in months):
        errors.setdefault("follow_up_months", []).append(
            _("Give one or more numbers of months between 1 and 60, e.g. 3, 6, 12.")
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row, _created = CountryCaseSettings.objects.select_for_update().get_or_create(country=country)
        before = (dict(row.stage_days), list(row.follow_up_months))
        row.stage_days = {stage: int(days) for stage, days in stage_days.items()}
        row.follow_up_months = months
        row.full_clean()
        row.save()
        changed = [name for name, old, new in (
            ("stage_days", before[0], row.stage_days), ("follow_up_months", before[1], row.follow_up_months)
        ) if old != new]
        # Deadlines are no one's personal data: the audit entry may say what they are now.
        audit_log(actor=actor, action="cases.deadlines.update", obj=row, country=country.iso2,
                  changed_fields=changed, extra={"stage_days": row.stage_days, "follow_up_months": months})
    return row


# A reason the others can act on: a few words are not one.
OVERRIDE_REASON_MIN = 20


def consent_override(*, actor: Any, case: Case, purpose: str, reason: str) -> ConsentOverride:
    """A case supervisor shares the case although the consent for it is missing: allowed only
    with the permission (``cases.override_consent``), only for sharing (with the country of
    origin, with a funder), only while the consent is indeed missing, and with a written
    reason, which is sealed. The audit entry names the purpose, never the reason."""
    policy.authorize(actor, "cases.override_consent", case)
    reason = (reason or "").strip()
    if purpose not in SHARING_PURPOSES:
        raise ValidationError({"purpose": _("Only sharing the case can go ahead without the consent.")})
    if len(reason) < OVERRIDE_REASON_MIN:
        raise ValidationError(
            {"reason": _("Explain in at least %(count)s characters why the case must be shared without the consent.")
             % {"count": OVERRIDE_REASON_MIN}}
        )
    with transaction.atomic():
        case = _lock(case)
        guard = protocol.CONSENT_SHARE_ORIGIN if purpose == ConsentPurpose.SHARE_ORIGIN else protocol.CONSENT_SHARE_FUNDER
        if guard.holds(case, {}):
            raise ValidationError({"purpose": _("This sharing is already consented (or overridden): nothing to override.")})
        override = ConsentOverride(case=case, purpose=purpose, reason=reason, by=actor)
        override.full_clean()
        override.save()
        audit_log(actor=actor, action="cases.consent.override", obj=case, country=case.destination_country.iso2,
                  changed_fields=["reason"], extra={"purpose": purpose})
    return override


RELATED_PERSON_FIELDS = (
    "role", "full_name", "relationship", "organisation", "contact", "agreed", "able_to_care",
    "assessment", "appointed_on",
)


def related_person_add(*, actor: Any, case: Case, data: Mapping[str, Any]) -> RelatedPerson:
    unknown = set(data) - set(RELATED_PERSON_FIELDS)
    if unknown:
        raise ValueError(f"{sorted(unknown)} cannot be set on a related person")
    # Family tracing and assessment is the origin's step: it records the caregiver it assessed.
    action = "cases.record_caregiver" if data.get("role") == RelatedRole.CAREGIVER else "cases.change"
    policy.authorize(actor, action, case)
    with transaction.atomic():
        person = RelatedPerson(case=case, **data)
        person.full_clean()
        person.save()
        audit_log(actor=actor, action="cases.related_person.create", obj=case,
                  country=case.destination_country.iso2, changed_fields=list(data), extra={"role": person.role})
    return person


def origin_contacts_set(*, actor: Any, case: Case, contact: Any, alternate: Any) -> Case:
    policy.authorize(actor, "cases.transition_origin", case)
    with transaction.atomic():
        case = _lock(case)
        for person in (contact, alternate):
            if person.organisation.country_id != case.origin_country_id:
                from django.core.exceptions import ValidationError
                from django.utils.translation import gettext as _

                raise ValidationError(_("The contacts must work in the country of origin."))
        case.origin_contact, case.origin_alternate = contact, alternate
        case.save(update_fields=["origin_contact", "origin_alternate", "updated_at"])
        audit_log(actor=actor, action="cases.origin_contacts.set", obj=case,
                  country=case.destination_country.iso2, changed_fields=["origin_contact", "origin_alternate"])
    return case


def approval_request(*, actor: Any, case: Case, kind: str) -> Approval:
    policy.authorize(actor, "cases.change", case)
    with transaction.atomic():
        approval = Approval(case=case, kind=kind, requested_by=actor)
        approval.full_clean()
        approval.save()
        audit_log(actor=actor, action="cases.approval.request", obj=case,
                  country=case.destination_country.iso2, extra={"kind": kind})
        notify(
            recipients=users_with_role(
                Role.CASE_SUPERVISOR, country_id=case.destination_country_id
            ).exclude(pk=actor.pk),
            kind="case.approval_requested", params={"case": case.code, "approval": kind},
            link=_coordination(case, "approvals"),
        )
    return approval


def approval_decide(*, actor: Any, approval: Approval, approve: bool) -> Approval:
    policy.authorize(actor, "cases.approve", approval)
    with transaction.atomic():
        approval = Approval.objects.select_for_update().get(pk=approval.pk)
        if approval.state != ApprovalState.PENDING:
            from django.core.exceptions import ValidationError
            from django.utils.translation import gettext as _

            raise ValidationError(_("This request has already been decided."))
        approval.state = ApprovalState.APPROVED if approve else ApprovalState.REJECTED
        approval.decided_by, approval.decided_at = actor, timezone.now()
        approval.save(update_fields=["state", "decided_by", "decided_at"])
        audit_log(actor=actor, action="cases.approval.decide", obj=approval.case,
                  country=approval.case.destination_country.iso2,
                  extra={"kind": approval.kind, "state": approval.state})
        notify(
            recipients=[approval.requested_by], kind="case.approval_decided",
            params={"case": approval.case.code, "approval": approval.kind, "decision": approval.state},
            link=_coordination(approval.case, "approvals"),
        )
    return approval


def funding_request_create(*, actor: Any, case: Case, partner: Any, data: Mapping[str, Any]) -> FundingRequest:
    policy.authorize(actor, "cases.change", case)
    with transaction.atomic():
        funding = FundingRequest(case=case, partner=partner, requested_by=actor, **data)
        if funding.mou_commitment_id is None:
            funding.mou_commitment = _funding_commitment_of(partner)
        funding.full_clean()
        if not protocol.CONSENT_SHARE_FUNDER.holds(case, {}):
            from django.core.exceptions import ValidationError

            # The partner sees the request: it may exist only once sharing with a funder is consented.
            raise ValidationError(str(protocol.CONSENT_SHARE_FUNDER.message))
        funding.save()
        audit_log(actor=actor, action="cases.funding.request", obj=case,
                  country=case.destination_country.iso2, extra={"partner": partner.pk})
        # Partners never see the case page: the link is their funding inbox.
        notify(
            recipients=users_with_role(Role.PARTNER, organisation_id=partner.pk),
            kind="case.funding_requested", params={"case": case.code}, link=reverse("cases:funding_inbox"),
        )
    return funding


def _funding_commitment_of(partner: Any) -> Any:
    """The partner's funding commitment under a memorandum in force (OUR's), if it has one: the
    request draws on it, and the memorandum's page lists the requests drawn."""
    from corett.meetings.models import MouCommitment, MouState

    return (
        MouCommitment.objects.funding()
        .filter(party__organisation=partner, mou__state=MouState.IN_FORCE)
        .order_by("-mou__signed_on", "pk")
        .first()
    )


FUNDING_STEPS: dict[str, set[str]] = {
    FundingState.REQUESTED: {FundingState.COMMITTED, FundingState.DECLINED},
    FundingState.COMMITTED: {FundingState.DISBURSED},
    FundingState.DISBURSED: {FundingState.RECONCILED},
}


def funding_request_advance(*, actor: Any, funding: FundingRequest, state: str) -> FundingRequest:
    """The partner commits, declines, disburses; the funds are reconciled at the end."""
    action = "cases.reconcile_funding" if state == FundingState.RECONCILED else "cases.decide_funding"
    policy.authorize(actor, action, funding)
    with transaction.atomic():
        funding = FundingRequest.objects.select_for_update().get(pk=funding.pk)
        if state not in FUNDING_STEPS.get(funding.state, set()):
            from django.core.exceptions import ValidationError
            from django.utils.translation import gettext as _

            raise ValidationError(_("A funding request cannot move from “%(from)s” to “%(to)s”.") % {
                "from": funding.get_state_display(), "to": FundingState(state).label})
        funding.state = state
        funding.save(update_fields=["state", "updated_at"])
        audit_log(actor=actor, action="cases.funding.advance", obj=funding.case,
                  country=funding.case.destination_country.iso2, extra={"state": state})
        notify(
            recipients=users_with_role(
                Role.CASE_WORKER, country_id=funding.case.destination_country_id
            ).exclude(pk=actor.pk),
            kind="case.funding_advanced", params={"case": funding.case.code, "state": state},
            link=_coordination(funding.case, "funding"),
        )
    return funding


def follow_up_report(*, actor: Any, follow_up: FollowUp, report: str, reported_on: dt.date) -> FollowUp:
    policy.authorize(actor, "cases.report_follow_up", follow_up.case)
    with transaction.atomic():
        follow_up.report, follow_up.reported_on, follow_up.reported_by = report, reported_on, actor
        follow_up.full_clean()
        follow_up.save()
        audit_log(actor=actor, action="cases.follow_up.report", obj=follow_up.case,
                  country=follow_up.case.destination_country.iso2, changed_fields=["report", "reported_on"])
    return follow_up


def _coordination(case: Case, part: str) -> str:
    """Where a notification about an approval or a funding request leads: the part of the case
    record's coordination section that shows it."""
    return f"{reverse('cases:coordination', args=[case.code])}#{part}"


def case_read(*, actor: Any, case: Case, identity: bool, section: str = "") -> None:
    """Record that someone looked at a case: which section of its record (when read on a page)
    and whether the person's identity was shown."""
    extra: dict[str, Any] = {"identity": identity}
    if section:
        extra["section"] = section
    audit_log(actor=actor, action="cases.case.view", obj=case, country=case.destination_country.iso2, extra=extra)


def flag_resolve(*, actor: Any, flag: Flag, resolution: str) -> Flag:
    """The owners close a flag (an urgent child placed, a duplicate ruled out), saying how."""
    policy.authorize(actor, "cases.change", flag.case)
    with transaction.atomic():
        flag = Flag.objects.select_for_update(of=("self",)).select_related("case__destination_country").get(pk=flag.pk)
        if flag.resolved_at is not None:
            from django.core.exceptions import ValidationError
            from django.utils.translation import gettext as _

            raise ValidationError(_("This flag has already been resolved."))
        flag.resolution, flag.resolved_at = resolution, timezone.now()
        flag.full_clean()
        flag.save(update_fields=["resolution", "resolved_at"])
        audit_log(actor=actor, action="cases.flag.resolve", obj=flag.case,
                  country=flag.case.destination_country.iso2, changed_fields=["resolution"],
                  extra={"kind": flag.kind})
    return flag


def case_purge_identity(*, case: Case) -> list[str]:
    """Erase the identifying data of a finished case after the retention period.

    Every encrypted field of the case and of the rows attached to it (related people,
    follow-up reports, and any other model that points at the case) is set to None, and so is
    the duplicate-matching key, which is derived from the identity. The case row and what the
    protocol and statistics need stay: the record is deactivated, never deleted. Called by
    ``corett purge-closed`` (the system, not a user); audited with field names only. Returns the
    names of the fields erased (empty when there was nothing left to erase).
    """
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from corett.cases.models import FINAL_STAGES
    from corett.lib.fields import encrypted_fields, models_with_encrypted_fields

    with transaction.atomic():
        case = Case.objects.select_for_update(of=("self",)).select_related("destination_country").get(pk=case.pk)
        if case.stage not in FINAL_STAGES:
            raise ValidationError(_("Only a closed, cancelled or resolved case can have its identity erased."))
        erased: list[str] = []
        # Read the stored (sealed) values, never open them: erasing needs no decryption.
        own = [f for f in encrypted_fields(Case) if case.__dict__.get(f.attname) is not None]
        for f in own:
            setattr(case, f.attname, None)
            erased.append(f.name)
        related: dict[str, int] = {}
        for model in models_with_encrypted_fields():
            links = [
                f.name for f in model._meta.concrete_fields
                if f.is_relation and f.related_model is Case
            ]
            names = [f.attname for f in encrypted_fields(model)]
            for link in links:
                rows = model._base_manager.filter(**{link: case})
                held = [n for n in names if rows.filter(**{f"{n}__isnull": False}).exists()]
                if held:
                    related[model._meta.label_lower] = rows.update(**dict.fromkeys(names))
                    erased.extend(f"{model._meta.model_name}.{n}" for n in held)
        if not erased and case.identity_purged_at is not None:
            return []
        now = timezone.now()
        case.match_key = ""
        case.identity_purged_at = now
        case.deactivated_at = case.deactivated_at or now
        case.save(update_fields=[*(f.attname for f in own), "match_key", "identity_purged_at", "deactivated_at"])
        audit_log(actor=None, username="system", action="cases.case.purge_identity", obj=case,
                  country=case.destination_country.iso2, changed_fields=erased,
                  extra={"related_rows": related})
    return erased


def case_accept(*, actor: Any, case: Case, contact: Any = None, alternate: Any = None) -> Case:
    """The country of origin accepts the return, naming its contact and alternate (unless it
    named them before) in the same step: either both are recorded and the case moves on, or,
    when a guard refuses, nothing changes."""
    # Asked before the transaction, so that a refusal's audit entry is not rolled back with it.
    policy.authorize(actor, "cases.transition_origin", case)
    with transaction.atomic():
        if contact is not None or alternate is not None:
            case = origin_contacts_set(actor=actor, case=case, contact=contact, alternate=alternate)
        return case_transition(actor=actor, case=case, name="accept")


# --- Documents: attachments, the case file, password-protected exports -------------------------

# filetype recognises a type from the first 8 KiB of a file.
TYPE_SNIFF_BYTES = 8192
# Members that only a macro-enabled document holds (Word's VBA project, OpenDocument's Basic).
MACRO_MEMBERS = ("vbaproject.bin", "basic/")
# What a zipped document must hold to be one.
DOCUMENT_MEMBERS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "word/document.xml",
    "application/vnd.oasis.opendocument.text": "content.xml",
}
FILENAME_MAX_LENGTH = 150


def attachment_max_bytes() -> int:
    return int(settings.CASE_ATTACHMENT_MAX_MB) * 1024 * 1024


def _refuse_file(message: Any, code: str) -> ValidationError:
    return ValidationError({"file": ValidationError(message, code=code)})


def attachment_type_of(head: bytes) -> str:
    """The content type of a file, recognised from its first bytes, if a case may hold it.

    The name a file was given never counts: a program called ``informe.pdf`` is a program.
    Raises a ValidationError at the ``file`` field otherwise.
    """
    kind = filetype.guess(bytes(head[:TYPE_SNIFF_BYTES]))
    if kind is None or kind.mime not in ATTACHMENT_TYPES:
        raise _refuse_file(
            _("This kind of file is not accepted. Upload a PDF document, a JPEG, PNG or WebP image, "
              "or a Word (DOCX) or OpenDocument (ODT) text; the type is read from the file's "
              "content, not from its name."),
            "file_type",
        )
    return kind.mime


def _check_document(content: bytes, content_type: str) -> None:
    """A DOCX or ODT is a zip: it must hold a document and no macros (read from the zip's
    directory only; nothing is decompressed)."""
    required = DOCUMENT_MEMBERS.get(content_type)
    if required is None:
        return
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = [name.lower() for name in archive.namelist()]
    except (zipfile.BadZipFile, ValueError) as exc:
        raise _refuse_file(_("The document is damaged and cannot be read."), "damaged") from exc
    if required not in names:
        raise _refuse_file(_("The document is damaged and cannot be read."), "damaged")
    if any(member in name for name in names for member in MACRO_MEMBERS):
        raise _refuse_file(
            _("Documents with macros are not accepted: save it without macros, or as a PDF."), "macros"
        )


def attachment_filename(name: str, content_type: str) -> str:
    """The file's own name, made safe to store and to offer for download: no folders, no control
    characters, a sensible length, and an extension that agrees with the content (added when
    there is none; a name that claims another type is refused).

    Error messages quote the extension, never the name: a file name often names the person.
    """
    base = unicodedata.normalize("NFC", str(name or "")).replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip().strip(".")
    extensions = ATTACHMENT_TYPES[content_type][1]
    stem, dot, extension = base.rpartition(".")
    if not dot:
        stem, extension = base, ""
    if extension and extension.lower() not in extensions:
        raise _refuse_file(
            _("The file's name ends in “.%(extension)s” but its content is a %(kind)s: rename it or "
              "choose the right file.") % {"extension": extension[:10], "kind": ATTACHMENT_TYPES[content_type][0]},
            "name_mismatch",
        )
    stem = stem.strip() or _("document")
    suffix = f".{(extension or extensions[0]).lower()}"
    return stem[: FILENAME_MAX_LENGTH - len(suffix)] + suffix


def attachment_add(
    *, actor: Any, case: Case, filename: str, content: bytes, description: str = ""
) -> Attachment:
    """Seal a file into the case. Its size and type (by content) are checked again here, so that
    every way in (the page, the API, an import) holds the same line; nothing is saved on error."""
    policy.authorize(actor, "cases.change", case)
    if len(content) > attachment_max_bytes():
        raise _refuse_file(
            _("The file is larger than %(limit)s MB.") % {"limit": attachment_max_bytes() // (1024 * 1024)},
            "too_large",
        )
    if not content:
        raise _refuse_file(_("The file is empty."), "empty")
    content_type = attachment_type_of(content)
    _check_document(content, content_type)
    with transaction.atomic():
        attachment = Attachment(
            case=case, filename=attachment_filename(filename, content_type), content=bytes(content),
            content_type=content_type, size=len(content), description=(description or "").strip(),
            uploaded_by=actor,
        )
        attachment.full_clean()
        attachment.save()
        audit_log(
            actor=actor, action="cases.attachment.add", obj=case, country=case.destination_country.iso2,
            changed_fields=["attachments"],
            extra={"attachment": attachment.pk, "content_type": content_type, "size": attachment.size},
        )
    return attachment


def attachment_remove(*, actor: Any, attachment: Attachment) -> Attachment:
    """Deactivate an attachment: it leaves the case's pages and downloads, and stays sealed in
    the database until the retention purge erases it with the case's identity."""
    policy.authorize(actor, "cases.change", attachment.case)
    with transaction.atomic():
        attachment = (
            Attachment.objects.select_for_update(of=("self",)).defer("content")
            .select_related("case__destination_country").get(pk=attachment.pk)
        )
        if attachment.deactivated_at is not None:
            return attachment
        attachment.deactivated_at = timezone.now()
        attachment.save(update_fields=["deactivated_at"])
        audit_log(
            actor=actor, action="cases.attachment.remove", obj=attachment.case,
            country=attachment.case.destination_country.iso2, changed_fields=["attachments"],
            extra={"attachment": attachment.pk},
        )
    return attachment


def attachment_read(*, actor: Any, attachment: Attachment) -> tuple[str, bytes]:
    """The file's name and bytes, for someone the policy lets download it; the look is audited
    (the attachment's number, never its name)."""
    policy.authorize(actor, "cases.download_attachment", attachment)
    audit_log(
        actor=actor, action="cases.attachment.download", obj=attachment.case,
        country=attachment.case.destination_country.iso2,
        extra={"attachment": attachment.pk, "content_type": attachment.content_type},
    )
    return attachment.filename or attachment_filename("", attachment.content_type), attachment.content


def _case_file_pdf(*, actor: Any, case: Case) -> tuple[bytes, bool]:
    identity = policy.can(actor, "cases.view_identity", case)
    attachments = list(Attachment.objects.listed().filter(case=case)) if identity else []
    pdf = exports.render_case_file(case, user=actor, identity=identity, attachments=attachments)
    return pdf, identity


def case_file_render(*, actor: Any, case: Case) -> bytes:
    """The case file (PDF) for someone allowed to read it; audited like a look at the case.

    ``case`` should come with its related rows preloaded (the case page's fetch)."""
    policy.authorize(actor, "cases.case_file", case)
    pdf, identity = _case_file_pdf(actor=actor, case=case)
    audit_log(actor=actor, action="cases.case_file", obj=case, country=case.destination_country.iso2,
              extra={"identity": identity})
    return pdf


def _check_export_password(password: str) -> None:
    if len(password or "") < exports.EXPORT_PASSWORD_MIN_LENGTH:
        raise ValidationError({"password": ValidationError(
            _("The password must have at least %(min)d characters.") % {"min": exports.EXPORT_PASSWORD_MIN_LENGTH},
            code="password_too_short",
        )})


def case_file_export(*, actor: Any, case: Case, password: str) -> exports.ExportFile:
    """The case file encrypted with the password (AES-256): an export, with its own permission.
    The audit entry records the kind, format and count, never the password."""
    policy.authorize(actor, "cases.export", case)
    _check_export_password(password)
    pdf, identity = _case_file_pdf(actor=actor, case=case)
    result = exports.protected_case_file(pdf, case, password)
    audit_log(actor=actor, action="cases.export", obj=case, country=case.destination_country.iso2,
              extra={"kind": "case_file", "format": "pdf", "rows": result.rows, "identity": identity})
    return result


def cases_pseudonymised_export(*, actor: Any, password: str) -> exports.ExportFile:
    """The pseudonymised CSV of the cases the supervisor's country owns, in an AES-256 zip."""
    policy.authorize(actor, "cases.export")
    _check_export_password(password)
    cases = policy.scope(actor, "cases.export", Case.objects.all())
    result = exports.protected_pseudonymised_csv(cases, password)
    audit_log(actor=actor, action="cases.export",
              extra={"kind": "pseudonymised_cases", "format": "csv", "rows": result.rows})
    return result
