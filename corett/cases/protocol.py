"""The regional repatriation protocol as a state machine.

Each transition names its source stages, its target, which side acts (the destination country
that owns the case, or the country of origin) and its guards. A guard is a named condition
with a translated message; a refused transition reports every guard that failed, so a case
worker knows exactly what is missing. ``corett.cases.services`` applies transitions (authorised,
locked, audited); views, the API and commands all call it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from corett.cases.models import (
    FINAL_STAGES,
    SHARING_PURPOSES,
    ApprovalKind,
    ApprovalState,
    Case,
    ConsentPurpose,
    FundingState,
    RelatedRole,
    Stage,
)

DESTINATION = "destination"
ORIGIN = "origin"


@dataclass(frozen=True)
class Guard:
    code: str
    message: Promise
    holds: Callable[[Case, dict], bool]
    # The case's lists (``related.LISTS``) the check reads: a page that shows which steps can be
    # taken reads those lists, and only those, beforehand (a test holds every guard to it).
    reads: tuple[str, ...] = ()


@dataclass(frozen=True)
class Transition:
    name: str
    label: Promise
    sources: frozenset[str]
    target: str | None  # None: decided at run time (resume, reopen)
    side: str
    guards: tuple[Guard, ...] = ()
    # Form data the transition needs (e.g. a reason); checked by guards too.
    needs: tuple[str, ...] = field(default=())


class TransitionRefused(Exception):
    """The transition cannot happen now; ``reasons`` are translated, one per failed guard."""

    def __init__(self, transition: str, reasons: list[str]) -> None:
        super().__init__(f"{transition}: " + "; ".join(reasons))
        self.transition = transition
        self.reasons = reasons


# --- Guards -----------------------------------------------------------------------------------

def _consent(purpose: str) -> Callable[[Case, dict], bool]:
    def holds(case: Case, data: dict) -> bool:
        given_by = {c.given_by for c in case.consents.all() if c.purpose == purpose and c.withdrawn_at is None}
        # For a child, only the guardian's consent counts.
        if "guardian" in given_by if case.is_child else bool(given_by):
            return True
        # Sharing without the consent: only by a supervisor's recorded override (services).
        return purpose in SHARING_PURPOSES and any(o.purpose == purpose for o in case.consent_overrides.all())

    return holds


def _approved(kind: str) -> Callable[[Case, dict], bool]:
    def holds(case: Case, data: dict) -> bool:
        # A reopened case starts a new round: approvals of an earlier round no longer count.
        reopened = [c.at for c in case.stage_changes.all() if c.transition == "reopen"]
        since = max(reopened) if reopened else None
        return any(
            a.kind == kind and a.state == ApprovalState.APPROVED
            and (since is None or (a.decided_at is not None and a.decided_at > since))
            for a in case.approvals.all()
        )

    return holds


def _related(role: str, *, ready: bool = False) -> Callable[[Case, dict], bool]:
    def holds(case: Case, data: dict) -> bool:
        people = [p for p in case.related_people.all() if p.role == role]
        if ready:
            people = [p for p in people if p.agreed and p.able_to_care]
        return bool(people)

    return holds


def _for_children(check: Callable[[Case, dict], bool]) -> Callable[[Case, dict], bool]:
    return lambda case, data: not case.is_child or check(case, data)


def _funding(*states: str) -> Callable[[Case, dict], bool]:
    return lambda case, data: any(f.state in states for f in case.funding_requests.all())


def _given(name: str) -> Callable[[Case, dict], bool]:
    return lambda case, data: bool(str(data.get(name) or "").strip())


CONSENT_LISTS = ("consents", "consent_overrides")
APPROVAL_LISTS = ("approvals", "stage_changes")  # approvals since the last reopening

CONSENT_PROCESSING = Guard(
    "consent_processing", _("The consent to process personal data has not been recorded."),
    _consent(ConsentPurpose.PROCESSING), CONSENT_LISTS,
)
CONSENT_RETURN = Guard(
    "consent_return", _("The consent to return has not been recorded (for a child, the guardian's)."),
    _consent(ConsentPurpose.RETURN), CONSENT_LISTS,
)
CONSENT_SHARE_ORIGIN = Guard(
    "consent_share_origin", _("The consent to share the case with the country of origin has not been recorded."),
    _consent(ConsentPurpose.SHARE_ORIGIN), CONSENT_LISTS,
)
CONSENT_SHARE_FUNDER = Guard(
    "consent_share_funder", _("The consent to share the case with a funder has not been recorded."),
    _consent(ConsentPurpose.SHARE_FUNDER), CONSENT_LISTS,
)
GUARDIAN = Guard(
    "guardian", _("A child needs a guardian appointed first."), _for_children(_related(RelatedRole.GUARDIAN)),
    ("related_people",),
)
STATUS_DECIDED = Guard(
    "status_decided", _("Record who decided the trafficking status."),
    lambda case, data: bool(case.status_decided_by),
)
RETURN_APPROVED = Guard(
    "return_approved",
    _("The return decision (for a child, the best-interests determination) has not been approved by a case supervisor."),
    _approved(ApprovalKind.RETURN_DECISION), APPROVAL_LISTS,
)
CAREGIVER_READY = Guard(
    "caregiver_ready", _("A child returns only to a caregiver who has agreed and was assessed as able to care."),
    _for_children(_related(RelatedRole.CAREGIVER, ready=True)), ("related_people",),
)
ORIGIN_CONTACTS = Guard(
    "origin_contacts", _("The country of origin must name a contact and an alternate."),
    lambda case, data: bool(case.origin_contact_id and case.origin_alternate_id),
)
DECLINE_REASON = Guard("decline_reason", _("Give the reasons for declining."), _given("reason"))
FUNDING_ASKED = Guard(
    "funding_asked", _("Prepare a funding request for a partner first."),
    _funding(FundingState.REQUESTED, FundingState.COMMITTED, FundingState.DISBURSED, FundingState.RECONCILED),
    ("funding_requests",),
)
FUNDING_COMMITTED = Guard(
    "funding_committed", _("No partner has committed the funding yet."),
    _funding(FundingState.COMMITTED, FundingState.DISBURSED, FundingState.RECONCILED), ("funding_requests",),
)
DOCUMENTS = Guard(
    "documents", _("The person's travel or identity documents are not recorded."),
    lambda case, data: bool(case.documents),
)
TRAVEL_APPROVED = Guard(
    "travel_approved", _("The travel plan has not been approved by a case supervisor."),
    _approved(ApprovalKind.TRAVEL_PLAN), APPROVAL_LISTS,
)
ESCORT = Guard(
    "escort", _("A child travels with an escort: name one first."), _for_children(_related(RelatedRole.ESCORT)),
    ("related_people",),
)
CLOSURE_APPROVED = Guard(
    "closure_approved", _("The closure has not been approved by a case supervisor."), _approved(ApprovalKind.CLOSURE),
    APPROVAL_LISTS,
)
REASON = Guard("reason", _("Give a reason."), _given("reason"))
NOT_PURGED = Guard(
    "not_purged", _("This case's identifying data was erased after the retention period: it cannot be reopened."),
    lambda case, data: case.identity_purged_at is None,
)
ALTERNATIVE_CHOSEN = Guard("alternative", _("Choose the alternative solution."), _given("alternative"))


# --- Transitions ------------------------------------------------------------------------------

ACTIVE = frozenset(s for s in Stage.values if s not in FINAL_STAGES and s != Stage.SUSPENDED)
BEFORE_RETURN = frozenset(
    {Stage.IDENTIFIED, Stage.PROTECTED, Stage.CONSULAR_NOTIFICATION, Stage.ASSESSING,
     Stage.RETURN_DECIDED, Stage.DECLINED_BY_ORIGIN}
)


def _t(name, label, sources, target, side, guards=(), needs=()) -> Transition:
    return Transition(name, label, frozenset(sources), target, side, tuple(guards), tuple(needs))


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        _t("protect", _("Place under protection"), [Stage.IDENTIFIED], Stage.PROTECTED, DESTINATION,
           [CONSENT_PROCESSING]),
        _t("notify_consulate", _("Notify the consulate"), [Stage.PROTECTED], Stage.CONSULAR_NOTIFICATION,
           DESTINATION, [GUARDIAN]),
        _t("start_assessment", _("Start the assessment"), [Stage.CONSULAR_NOTIFICATION], Stage.ASSESSING,
           DESTINATION, [GUARDIAN]),
        _t("decide_return", _("Decide the return"), [Stage.ASSESSING], Stage.RETURN_DECIDED, DESTINATION,
           [STATUS_DECIDED, CONSENT_RETURN, RETURN_APPROVED]),
        _t("request_origin", _("Send the formal request to the country of origin"), [Stage.RETURN_DECIDED],
           Stage.REQUESTED_TO_ORIGIN, DESTINATION, [CONSENT_SHARE_ORIGIN]),
        _t("accept", _("Accept the return"), [Stage.REQUESTED_TO_ORIGIN], Stage.ACCEPTED_BY_ORIGIN, ORIGIN,
           [ORIGIN_CONTACTS]),
        _t("decline", _("Decline the return"), [Stage.REQUESTED_TO_ORIGIN], Stage.DECLINED_BY_ORIGIN, ORIGIN,
           [DECLINE_REASON], needs=("reason",)),
        _t("assess_family", _("Record the family assessment"), [Stage.ACCEPTED_BY_ORIGIN], Stage.FAMILY_ASSESSED,
           ORIGIN, [CAREGIVER_READY]),
        _t("request_funding", _("Request funding from a partner"), [Stage.ACCEPTED_BY_ORIGIN, Stage.FAMILY_ASSESSED],
           Stage.FUNDING_REQUESTED, DESTINATION, [CAREGIVER_READY, CONSENT_SHARE_FUNDER, FUNDING_ASKED]),
        _t("confirm_funding", _("Confirm the funding"), [Stage.FUNDING_REQUESTED], Stage.FUNDED, DESTINATION,
           [FUNDING_COMMITTED]),
        _t("schedule_travel", _("Schedule the travel"), [Stage.FUNDED], Stage.TRAVEL_SCHEDULED, DESTINATION,
           [DOCUMENTS, TRAVEL_APPROVED, ESCORT]),
        _t("depart", _("Record the departure"), [Stage.TRAVEL_SCHEDULED], Stage.IN_TRANSIT, DESTINATION),
        _t("receive", _("Record the handover on arrival"), [Stage.IN_TRANSIT], Stage.RECEIVED, ORIGIN),
        _t("start_reintegration", _("Start the reintegration plan"), [Stage.RECEIVED], Stage.REINTEGRATION, ORIGIN),
        _t("close", _("Close the case"), [Stage.REINTEGRATION], Stage.CLOSED, DESTINATION, [CLOSURE_APPROVED]),
        _t("suspend", _("Suspend"), ACTIVE, Stage.SUSPENDED, DESTINATION, [REASON], needs=("reason",)),
        _t("resume", _("Resume"), [Stage.SUSPENDED], None, DESTINATION),
        _t("choose_alternative", _("Choose an alternative solution"), BEFORE_RETURN, Stage.ALTERNATIVE_SOLUTION,
           DESTINATION, [ALTERNATIVE_CHOSEN], needs=("alternative",)),
        _t("cancel", _("Cancel"), ACTIVE | {Stage.SUSPENDED}, Stage.CANCELLED, DESTINATION, [REASON],
           needs=("reason",)),
        _t("reopen", _("Reopen"), FINAL_STAGES, Stage.ASSESSING, DESTINATION, [NOT_PURGED, REASON],
           needs=("reason",)),
    ]
}


def failed_guards(case: Case, transition: Transition, data: dict | None = None) -> list[Guard]:
    data = data or {}
    return [g for g in transition.guards if not g.holds(case, data)]


def lists_read(stage: str) -> tuple[str, ...]:
    """The case's lists the guards of every step from ``stage`` read."""
    return tuple(dict.fromkeys(
        name for t in TRANSITIONS.values() if stage in t.sources for guard in t.guards for name in guard.reads
    ))


def from_stage(case: Case) -> list[Transition]:
    """The transitions whose source is the case's current stage (guards not checked)."""
    return [t for t in TRANSITIONS.values() if case.stage in t.sources]


def check(case: Case, name: str, data: dict | None = None) -> Transition:
    """The transition, if it may happen now; else TransitionRefused with every reason."""
    transition = TRANSITIONS.get(name)
    if transition is None:
        raise TransitionRefused(name, [str(_("There is no such step in the protocol."))])
    if case.stage not in transition.sources:
        raise TransitionRefused(
            name,
            [str(_("This step is not possible from the stage “%(stage)s”.") % {"stage": case.get_stage_display()})],
        )
    failed = failed_guards(case, transition, data)
    if failed:
        raise TransitionRefused(name, [str(g.message) for g in failed])
    return transition


def target_of(case: Case, transition: Transition) -> str:
    if transition.name == "resume":
        return case.resume_stage or Stage.ASSESSING
    assert transition.target is not None
    return transition.target


def side_of(user: Any, case: Case) -> str | None:
    """Which side of this case the user's country is on, if any."""
    if user.country_id is None:
        return None
    if user.country_id == case.destination_country_id:
        return DESTINATION
    if user.country_id == case.origin_country_id:
        return ORIGIN
    return None
