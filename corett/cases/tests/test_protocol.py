"""The repatriation protocol: which step may follow which, every guard, children and adults,
approvals, side states and funding.

Cases are built through the services (``corett.testing.cases``), as case workers build them.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from corett import policy
from corett.accounts.roles import Role
from corett.audit.models import AuditEntry
from corett.cases import protocol, services
from corett.cases.models import (
    Approval,
    ApprovalKind,
    ApprovalState,
    Case,
    Consent,
    ConsentGivenBy,
    ConsentPurpose,
    CountryCaseSettings,
    FundingState,
    RelatedPerson,
    RelatedRole,
    Stage,
    StageChange,
)
from corett.cases.protocol import TRANSITIONS, TransitionRefused
from corett.testing import factories
from corett.testing.cases import (
    actors_of,
    advance,
    case_actors,
    case_in_stage,
    funding_request,
    open_case,
    satisfy,
)

S = Stage
ACTIVE = {s for s in S.values if s not in {S.CLOSED, S.CANCELLED, S.ALTERNATIVE_SOLUTION, S.SUSPENDED}}
BEFORE_RETURN = {S.IDENTIFIED, S.PROTECTED, S.CONSULAR_NOTIFICATION, S.ASSESSING, S.RETURN_DECIDED, S.DECLINED_BY_ORIGIN}

# The regional protocol written out: each step, the stages it may start from, where it leads,
# and which country acts. A change to the state machine must change this table too.
EXPECTED = {
    "protect": ({S.IDENTIFIED}, S.PROTECTED, "destination"),
    "notify_consulate": ({S.PROTECTED}, S.CONSULAR_NOTIFICATION, "destination"),
    "start_assessment": ({S.CONSULAR_NOTIFICATION}, S.ASSESSING, "destination"),
    "decide_return": ({S.ASSESSING}, S.RETURN_DECIDED, "destination"),
    "request_origin": ({S.RETURN_DECIDED}, S.REQUESTED_TO_ORIGIN, "destination"),
    "accept": ({S.REQUESTED_TO_ORIGIN}, S.ACCEPTED_BY_ORIGIN, "origin"),
    "decline": ({S.REQUESTED_TO_ORIGIN}, S.DECLINED_BY_ORIGIN, "origin"),
    "assess_family": ({S.ACCEPTED_BY_ORIGIN}, S.FAMILY_ASSESSED, "origin"),
    "request_funding": ({S.ACCEPTED_BY_ORIGIN, S.FAMILY_ASSESSED}, S.FUNDING_REQUESTED, "destination"),
    "confirm_funding": ({S.FUNDING_REQUESTED}, S.FUNDED, "destination"),
    "schedule_travel": ({S.FUNDED}, S.TRAVEL_SCHEDULED, "destination"),
    "depart": ({S.TRAVEL_SCHEDULED}, S.IN_TRANSIT, "destination"),
    "receive": ({S.IN_TRANSIT}, S.RECEIVED, "origin"),
    "start_reintegration": ({S.RECEIVED}, S.REINTEGRATION, "origin"),
    "close": ({S.REINTEGRATION}, S.CLOSED, "destination"),
    "suspend": (ACTIVE, S.SUSPENDED, "destination"),
    "resume": ({S.SUSPENDED}, None, "destination"),
    "choose_alternative": (BEFORE_RETURN, S.ALTERNATIVE_SOLUTION, "destination"),
    "cancel": (ACTIVE | {S.SUSPENDED}, S.CANCELLED, "destination"),
    "reopen": ({S.CLOSED, S.CANCELLED, S.ALTERNATIVE_SOLUTION}, S.ASSESSING, "destination"),
}

EXPECTED_GUARDS = {
    "protect": ["consent_processing"],
    "notify_consulate": ["guardian"],
    "start_assessment": ["guardian"],
    "decide_return": ["status_decided", "consent_return", "return_approved"],
    "request_origin": ["consent_share_origin"],
    "accept": ["origin_contacts"],
    "decline": ["decline_reason"],
    "assess_family": ["caregiver_ready"],
    "request_funding": ["caregiver_ready", "consent_share_funder", "funding_asked"],
    "confirm_funding": ["funding_committed"],
    "schedule_travel": ["documents", "travel_approved", "escort"],
    "depart": [],
    "receive": [],
    "start_reintegration": [],
    "close": ["closure_approved"],
    "suspend": ["reason"],
    "resume": [],
    "choose_alternative": ["alternative"],
    "cancel": ["reason"],
    "reopen": ["not_purged", "reason"],
}


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def move(case: Case, name: str, data: dict | None = None, actor=None) -> Case:
    transition = TRANSITIONS[name]
    actor = actor or actors_of(case).for_side(transition.side)
    return services.case_transition(actor=actor, case=case, name=name, data=data or {})


# --- The shape of the state machine -----------------------------------------------------------


def test_the_steps_are_those_of_the_regional_protocol():
    assert set(TRANSITIONS) == set(EXPECTED)
    for name, (sources, target, side) in EXPECTED.items():
        transition = TRANSITIONS[name]
        assert set(transition.sources) == sources, name
        assert transition.target == target, name
        assert transition.side == side, name
        assert [g.code for g in transition.guards] == EXPECTED_GUARDS[name], name


@pytest.mark.parametrize("name", sorted(TRANSITIONS))
def test_each_step_is_refused_from_every_other_stage(name):
    transition = TRANSITIONS[name]
    for stage in sorted(set(S.values) - transition.sources):
        case = Case(stage=stage)
        with pytest.raises(TransitionRefused) as refused:
            protocol.check(case, name, {"reason": "x", "alternative": "asylum"})
        assert refused.value.reasons == [
            f"This step is not possible from the stage “{S(stage).label}”."
        ], (name, stage)


def test_there_is_no_way_out_of_a_final_stage_but_reopening():
    for stage in (S.CLOSED, S.CANCELLED, S.ALTERNATIVE_SOLUTION):
        assert [t.name for t in protocol.from_stage(Case(stage=stage))] == ["reopen"]


def test_an_unknown_step_is_refused():
    with pytest.raises(TransitionRefused) as refused:
        protocol.check(Case(stage=S.IDENTIFIED), "teleport")
    assert refused.value.reasons == ["There is no such step in the protocol."]


def test_a_step_from_the_wrong_stage_changes_nothing(db):
    case = case_in_stage(S.PROTECTED)
    changes, entries = StageChange.objects.count(), AuditEntry.objects.count()
    for name in ("close", "depart", "decide_return", "protect"):
        with pytest.raises(TransitionRefused):
            move(case, name, {"reason": "x"})
    case = fresh(case)
    assert case.stage == S.PROTECTED
    assert StageChange.objects.count() == changes
    assert AuditEntry.objects.count() == entries


def test_a_refusal_lists_every_failed_guard_in_order(db):
    case = case_in_stage(S.ASSESSING)
    with pytest.raises(TransitionRefused) as refused:
        move(case, "decide_return")
    assert refused.value.reasons == [
        str(protocol.STATUS_DECIDED.message),
        str(protocol.CONSENT_RETURN.message),
        str(protocol.RETURN_APPROVED.message),
    ]
    assert fresh(case).stage == S.ASSESSING


# --- Every guard, one at a time -----------------------------------------------------------------

# Where to test a step that may start from several stages.
SOURCE_FOR = {
    "request_funding": S.ACCEPTED_BY_ORIGIN,
    "suspend": S.ASSESSING,
    "cancel": S.PROTECTED,
    "choose_alternative": S.ASSESSING,
    "reopen": S.CANCELLED,
}

# "not_purged" cannot be satisfied once it fails (erasure is final): tested on its own below.
FINAL_GUARDS = {"not_purged"}
GUARDED = [(t.name, g.code) for t in TRANSITIONS.values() for g in t.guards if g.code not in FINAL_GUARDS]


def _unsatisfy(case: Case, code: str) -> None:
    """Undo a guard that an earlier step already satisfied."""
    if code == "consent_share_funder":
        Consent.objects.filter(case=case, purpose=ConsentPurpose.SHARE_FUNDER).update(withdrawn_at=timezone.now())
    elif code == "guardian":
        RelatedPerson.objects.filter(case=case, role=RelatedRole.GUARDIAN).delete()
    elif code == "caregiver_ready":
        RelatedPerson.objects.filter(case=case, role=RelatedRole.CAREGIVER).update(agreed=False)
    else:  # pragma: no cover - a new guard needs a way to fail here
        raise AssertionError(f"do not know how to make {code} fail")


def test_every_guard_of_the_protocol_is_tested_below():
    assert {code for _name, code in GUARDED} | FINAL_GUARDS == {
        g.code for t in TRANSITIONS.values() for g in t.guards
    }
    assert len(GUARDED) + len(FINAL_GUARDS) == sum(len(v) for v in EXPECTED_GUARDS.values())


def test_a_case_whose_identity_was_erased_cannot_be_reopened_or_changed(db):
    case = case_in_stage(S.CANCELLED)
    services.case_purge_identity(case=case)
    case = fresh(case)
    with pytest.raises(TransitionRefused) as refused:
        move(case, "reopen", {"reason": "new information"})
    assert refused.value.reasons == [str(protocol.NOT_PURGED.message)]
    with pytest.raises(PermissionDenied):
        services.case_update(actor=actors_of(case).worker, case=case, data={"risk_level": "high"})


@pytest.mark.parametrize(("name", "code"), GUARDED)
def test_a_guard_alone_refuses_the_step_then_lets_it_through(db, name, code):
    transition = TRANSITIONS[name]
    source = SOURCE_FOR.get(name) or next(iter(transition.sources))
    case = case_in_stage(source, child=True)
    actors = actors_of(case)
    guard = next(g for g in transition.guards if g.code == code)
    data: dict = {}
    for other in transition.guards:
        if other.code != code and not other.holds(fresh(case), data):
            data.update(satisfy(case, other.code, actors))
    if guard.holds(fresh(case), data):
        _unsatisfy(case, code)

    with pytest.raises(TransitionRefused) as refused:
        move(case, name, data)
    assert refused.value.reasons == [str(guard.message)]
    assert fresh(case).stage == source

    data.update(satisfy(case, code, actors))
    moved = move(case, name, data)
    assert moved.stage == protocol.target_of(case, transition)
    assert fresh(case).stage == moved.stage
    assert StageChange.objects.filter(case=case, transition=name, from_stage=source).exists()


@pytest.mark.parametrize("blank", ["", "   ", None])
def test_a_blank_reason_is_no_reason(db, blank):
    case = case_in_stage(S.PROTECTED)
    with pytest.raises(TransitionRefused) as refused:
        move(case, "cancel", {"reason": blank})
    assert refused.value.reasons == ["Give a reason."]


def test_guard_messages_are_translated_when_refused_not_when_imported(db):
    from django.utils import translation
    from django.utils.functional import Promise

    assert all(isinstance(g.message, Promise) for t in TRANSITIONS.values() for g in t.guards)
    case = case_in_stage(S.IDENTIFIED)
    with translation.override("es"):
        expected = str(protocol.CONSENT_PROCESSING.message)
        with pytest.raises(TransitionRefused) as refused:
            move(case, "protect")
    assert refused.value.reasons == [expected]
    assert all(type(reason) is str for reason in refused.value.reasons)


# --- Who acts ---------------------------------------------------------------------------------


def test_the_origin_cannot_act_on_the_destinations_steps(db):
    case = case_in_stage(S.FUNDED)
    actors = actors_of(case)
    with pytest.raises(PermissionDenied):
        move(case, "schedule_travel", actor=actors.origin_worker)
    assert AuditEntry.objects.filter(action="access.denied", actor_id=actors.origin_worker.pk).exists()


def test_the_destination_cannot_act_on_the_origins_steps(db):
    case = case_in_stage(S.REQUESTED_TO_ORIGIN)
    actors = actors_of(case)
    satisfy(case, "origin_contacts", actors)
    with pytest.raises(PermissionDenied):
        move(case, "accept", actor=actors.worker)
    assert move(case, "accept", actor=actors.origin_worker).stage == S.ACCEPTED_BY_ORIGIN


def test_the_origin_takes_part_only_from_the_formal_request(db):
    case = case_in_stage(S.RETURN_DECIDED)
    actors = actors_of(case)
    assert not policy.can(actors.origin_worker, "cases.view", case)
    assert not Case.objects.visible_to(actors.origin_worker).filter(pk=case.pk).exists()
    with pytest.raises(PermissionDenied):
        services.origin_contacts_set(
            actor=actors.origin_worker, case=case, contact=actors.origin_contact, alternate=actors.origin_alternate
        )
    case = advance(case, "request_origin")
    assert policy.can(actors.origin_worker, "cases.view", case)
    assert Case.objects.visible_to(actors.origin_worker).filter(pk=case.pk).exists()


def test_a_third_country_can_do_nothing(db):
    case = case_in_stage(S.REQUESTED_TO_ORIGIN)
    outsider = factories.user_with(Role.CASE_SUPERVISOR, "SV", username="supervisor-sv-protocol")
    for name in ("accept", "suspend", "cancel"):
        with pytest.raises(PermissionDenied):
            move(case, name, {"reason": "x"}, actor=outsider)
    with pytest.raises(PermissionDenied):
        services.consent_record(actor=outsider, case=case, purpose=ConsentPurpose.RETURN, given_by="person")
    assert fresh(case).stage == S.REQUESTED_TO_ORIGIN


# --- Children and adults ----------------------------------------------------------------------


def test_a_child_needs_a_guardian_a_ready_caregiver_and_an_escort(db):
    case = case_in_stage(S.TRAVEL_SCHEDULED, child=True)
    roles = set(RelatedPerson.objects.filter(case=case).values_list("role", flat=True))
    assert roles == {RelatedRole.GUARDIAN, RelatedRole.CAREGIVER, RelatedRole.ESCORT}


def test_an_adult_travels_without_guardian_caregiver_or_escort(db):
    case = case_in_stage(S.TRAVEL_SCHEDULED, child=False)
    assert not case.is_child
    assert not RelatedPerson.objects.filter(case=case).exists()
    assert set(case.consents.values_list("given_by", flat=True)) == {ConsentGivenBy.PERSON}


def test_a_childs_own_consent_does_not_count_only_the_guardians(db):
    case = case_in_stage(S.IDENTIFIED, child=True)
    actors = actors_of(case)
    services.consent_record(actor=actors.worker, case=case, purpose=ConsentPurpose.PROCESSING, given_by="person")
    with pytest.raises(TransitionRefused) as refused:
        move(case, "protect")
    assert refused.value.reasons == [str(protocol.CONSENT_PROCESSING.message)]
    services.consent_record(actor=actors.worker, case=case, purpose=ConsentPurpose.PROCESSING, given_by="guardian")
    assert move(case, "protect").stage == S.PROTECTED


def test_an_adults_own_consent_counts(db):
    case = case_in_stage(S.IDENTIFIED, child=False)
    services.consent_record(
        actor=actors_of(case).worker, case=case, purpose=ConsentPurpose.PROCESSING, given_by="person"
    )
    assert move(case, "protect").stage == S.PROTECTED


def test_a_withdrawn_consent_no_longer_counts(db):
    case = case_in_stage(S.RETURN_DECIDED, child=False)
    actors = actors_of(case)
    satisfy(case, "consent_share_origin", actors)
    consent = case.consents.get(purpose=ConsentPurpose.SHARE_ORIGIN)
    services.consent_withdraw(actor=actors.worker, consent=consent)
    with pytest.raises(TransitionRefused) as refused:
        move(case, "request_origin")
    assert refused.value.reasons == [str(protocol.CONSENT_SHARE_ORIGIN.message)]
    assert fresh(case).shared_with_origin_at is None


@pytest.mark.parametrize(
    ("values", "child"),
    [
        ({"birth_date": dt.date(1990, 1, 1), "age_verified": False}, True),  # adult by papers, not verified
        ({"birth_date": dt.date(1990, 1, 1), "age_verified": True}, False),
        ({"birth_date": None, "estimated_age": 30, "age_verified": False}, True),
        ({"birth_date": None, "estimated_age": 30, "age_verified": True}, False),
        ({"birth_date": None, "estimated_age": 16, "age_verified": True}, True),
        ({"birth_date": "today-17y", "age_verified": True}, True),  # verified, but under 18
    ],
)
def test_a_person_is_treated_as_a_child_until_an_adult_age_is_verified(db, values, child):
    if values.get("birth_date") == "today-17y":
        today = timezone.localdate()
        values = {**values, "birth_date": today.replace(year=today.year - 17)}
    case = open_case(child=False, data=values)
    assert case.is_child is child
    # and the protocol follows: a child needs a guardian before the consulate is notified
    case = advance(case, "protect")
    if child:
        with pytest.raises(TransitionRefused) as refused:
            move(case, "notify_consulate")
        assert refused.value.reasons == [str(protocol.GUARDIAN.message)]
    else:
        assert move(case, "notify_consulate").stage == S.CONSULAR_NOTIFICATION


def test_a_child_is_flagged_urgent_when_the_case_opens(db):
    assert open_case(child=True).flags.filter(kind="urgent_child").exists()
    assert not open_case(child=False).flags.filter(kind="urgent_child").exists()


# --- Approvals --------------------------------------------------------------------------------


def test_nobody_decides_their_own_request(db):
    case = case_in_stage(S.ASSESSING)
    supervisor = actors_of(case).supervisor
    approval = services.approval_request(actor=supervisor, case=case, kind=ApprovalKind.RETURN_DECISION)
    with pytest.raises(PermissionDenied):
        services.approval_decide(actor=supervisor, approval=approval, approve=True)
    approval.refresh_from_db()
    assert approval.state == ApprovalState.PENDING and approval.decided_by is None
    assert AuditEntry.objects.filter(
        action="access.denied", actor_id=supervisor.pk, extra__permission="cases.approve"
    ).exists()


def test_the_database_refuses_an_approval_decided_by_its_requester(db):
    case = case_in_stage(S.ASSESSING)
    approval = services.approval_request(actor=actors_of(case).supervisor, case=case, kind=ApprovalKind.CLOSURE)
    approval.decided_by = approval.requested_by
    with pytest.raises(ValidationError):
        approval.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        Approval.objects.filter(pk=approval.pk).update(
            decided_by=approval.requested_by, state=ApprovalState.APPROVED
        )
    approval.refresh_from_db()
    assert approval.decided_by is None


def test_only_a_supervisor_of_the_owning_country_decides(db):
    case = case_in_stage(S.REQUESTED_TO_ORIGIN)
    actors = actors_of(case)
    approval = services.approval_request(actor=actors.worker, case=case, kind=ApprovalKind.TRAVEL_PLAN)
    other_supervisor = factories.user_with(Role.CASE_SUPERVISOR, "SV", username="supervisor-sv-approvals")
    for someone in (actors.worker, actors.origin_supervisor, actors.origin_worker, other_supervisor, actors.partner):
        with pytest.raises(PermissionDenied):
            services.approval_decide(actor=someone, approval=approval, approve=True)
    services.approval_decide(actor=actors.supervisor, approval=approval, approve=True)
    approval.refresh_from_db()
    assert (approval.state, approval.decided_by) == (ApprovalState.APPROVED, actors.supervisor)


def test_a_request_is_decided_once_and_a_rejection_does_not_count(db):
    case = case_in_stage(S.REINTEGRATION)
    actors = actors_of(case)
    approval = services.approval_request(actor=actors.worker, case=case, kind=ApprovalKind.CLOSURE)
    services.approval_decide(actor=actors.supervisor, approval=approval, approve=False)
    with pytest.raises(ValidationError):
        services.approval_decide(actor=actors.supervisor, approval=approval, approve=True)
    with pytest.raises(TransitionRefused) as refused:
        move(case, "close")
    assert refused.value.reasons == [str(protocol.CLOSURE_APPROVED.message)]


# --- Side states ------------------------------------------------------------------------------


@pytest.mark.parametrize("stage", [S.IDENTIFIED, S.ASSESSING, S.REQUESTED_TO_ORIGIN, S.FUNDED, S.REINTEGRATION])
def test_a_suspended_case_resumes_where_it_stopped(db, stage):
    case = case_in_stage(stage)
    with pytest.raises(TransitionRefused):
        move(case, "suspend", {})
    case = move(case, "suspend", {"reason": "Judicial hold"})
    assert (case.stage, case.resume_stage) == (S.SUSPENDED, stage)
    # nothing moves a suspended case but resuming or cancelling it
    assert {t.name for t in protocol.from_stage(case)} == {"resume", "cancel"}
    case = move(case, "resume")
    assert fresh(case).stage == stage
    assert list(StageChange.objects.filter(case=case).values_list("transition", flat=True))[-2:] == [
        "suspend", "resume",
    ]


def test_a_suspended_case_can_be_cancelled(db):
    case = case_in_stage(S.SUSPENDED)
    assert move(case, "cancel", {"reason": "Person missing"}).stage == S.CANCELLED


@pytest.mark.parametrize("stage", [S.CLOSED, S.CANCELLED, S.ALTERNATIVE_SOLUTION])
def test_a_finished_case_reopens_for_assessment(db, stage):
    case = case_in_stage(stage, child=False)
    with pytest.raises(TransitionRefused) as refused:
        move(case, "reopen", {})
    assert refused.value.reasons == ["Give a reason."]
    case = move(case, "reopen", {"reason": "New facts"})
    case = fresh(case)
    assert case.stage == S.ASSESSING
    assert case.closed_at is None
    assert StageChange.objects.filter(case=case, transition="reopen", from_stage=stage).exists()


def test_closing_records_when(db):
    case = case_in_stage(S.CLOSED)
    assert case.closed_at is not None
    assert AuditEntry.objects.filter(action="cases.transition.close", object_id=str(case.pk)).exists()


def test_a_reopened_case_needs_a_new_return_decision(db):
    case = case_in_stage(S.CLOSED, child=False)
    case = move(case, "reopen", {"reason": "Returned and re-trafficked"})
    with pytest.raises(TransitionRefused) as refused:
        move(case, "decide_return")
    assert str(protocol.RETURN_APPROVED.message) in refused.value.reasons


@pytest.mark.parametrize("stage", sorted(BEFORE_RETURN))
def test_an_alternative_solution_may_be_chosen_before_the_return(db, stage):
    case = case_in_stage(stage, child=False)
    case = move(case, "choose_alternative", {"alternative": "asylum"})
    case = fresh(case)
    assert (case.stage, case.alternative_solution) == (S.ALTERNATIVE_SOLUTION, "asylum")


def test_an_alternative_solution_is_not_possible_once_the_return_is_under_way(db):
    case = case_in_stage(S.ACCEPTED_BY_ORIGIN, child=False)
    with pytest.raises(TransitionRefused):
        move(case, "choose_alternative", {"alternative": "asylum"})


def test_an_unknown_alternative_is_refused_and_nothing_is_saved(db):
    case = case_in_stage(S.ASSESSING, child=False)
    changes = StageChange.objects.filter(case=case).count()
    with pytest.raises(ValidationError) as invalid:
        move(case, "choose_alternative", {"alternative": "moon"})
    assert "alternative_solution" in invalid.value.message_dict
    case = fresh(case)
    assert (case.stage, case.alternative_solution) == (S.ASSESSING, "")
    assert StageChange.objects.filter(case=case).count() == changes


def test_a_declined_return_keeps_the_reasons_sealed_and_allows_an_alternative(db):
    case = case_in_stage(S.DECLINED_BY_ORIGIN)
    assert case.origin_decline_reason == "Sin condiciones de recepción (ficticio)."
    assert move(case, "choose_alternative", {"alternative": "third_country"}).stage == S.ALTERNATIVE_SOLUTION


# --- Funding ----------------------------------------------------------------------------------


def test_funding_goes_requested_committed_disbursed_reconciled(db):
    case = case_in_stage(S.ACCEPTED_BY_ORIGIN)
    actors = actors_of(case)
    funding = funding_request(case, actors)
    assert funding.state == FundingState.REQUESTED
    for state in (FundingState.COMMITTED, FundingState.DISBURSED, FundingState.RECONCILED):
        # The partner commits and disburses; the owners of the case reconcile.
        actor = actors.worker if state == FundingState.RECONCILED else actors.partner
        funding = services.funding_request_advance(actor=actor, funding=funding, state=state)
        funding.refresh_from_db()
        assert funding.state == state
    assert [e.extra["state"] for e in AuditEntry.objects.filter(action="cases.funding.advance").order_by("id")] == [
        "committed", "disbursed", "reconciled",
    ]


@pytest.mark.parametrize(
    ("start", "to"),
    [
        ([], FundingState.DISBURSED),
        ([], FundingState.RECONCILED),
        ([FundingState.COMMITTED], FundingState.DECLINED),
        ([FundingState.DECLINED], FundingState.COMMITTED),
        ([FundingState.COMMITTED, FundingState.DISBURSED, FundingState.RECONCILED], FundingState.DISBURSED),
    ],
)
def test_funding_cannot_skip_or_go_back(db, start, to):
    case = case_in_stage(S.ACCEPTED_BY_ORIGIN)
    actors = actors_of(case)
    funding = funding_request(case, actors)
    def actor(state):
        return actors.worker if state == FundingState.RECONCILED else actors.partner

    for state in start:
        funding = services.funding_request_advance(actor=actor(state), funding=funding, state=state)
    before = funding.state
    with pytest.raises(ValidationError):
        services.funding_request_advance(actor=actor(to), funding=funding, state=to)
    funding.refresh_from_db()
    assert funding.state == before


def test_only_the_addressed_partner_decides_on_funding(db):
    case = case_in_stage(S.ACCEPTED_BY_ORIGIN)
    actors = actors_of(case)
    funding = funding_request(case, actors)
    other_org = factories.OrganisationFactory.create(name="Another funder", country=None, kind="donor")
    other_partner = factories.UserFactory.create(username="other-partner", organisation=other_org, roles=[Role.PARTNER])
    for someone in (other_partner, actors.worker, actors.supervisor, actors.origin_worker):
        with pytest.raises(PermissionDenied):
            services.funding_request_advance(actor=someone, funding=funding, state=FundingState.COMMITTED)
    funding.refresh_from_db()
    assert funding.state == FundingState.REQUESTED


def test_a_declined_request_does_not_fund_the_return(db):
    case = case_in_stage(S.FUNDING_REQUESTED)
    actors = actors_of(case)
    funding = case.funding_requests.get()
    services.funding_request_advance(actor=actors.partner, funding=funding, state=FundingState.DECLINED)
    with pytest.raises(TransitionRefused) as refused:
        move(case, "confirm_funding")
    assert refused.value.reasons == [str(protocol.FUNDING_COMMITTED.message)]
    # another partner (or the same, asked again) commits: the return goes ahead
    satisfy(case, "funding_committed", actors)
    assert move(case, "confirm_funding").stage == S.FUNDED


def test_the_destination_reconciles_the_funds(db):
    case = case_in_stage(S.FUNDED)
    actors = actors_of(case)
    funding = case.funding_requests.get()
    services.funding_request_advance(actor=actors.partner, funding=funding, state=FundingState.DISBURSED)
    services.funding_request_advance(actor=actors.worker, funding=funding, state=FundingState.RECONCILED)


# --- Tasks and follow-ups: deadlines per country, not in code ----------------------------------


def test_each_stage_gets_a_task_due_by_the_countrys_deadline(db):
    CountryCaseSettings.objects.create(country=factories.country("GT"), stage_days={"protected": 3})
    case = case_in_stage(S.PROTECTED)
    open_tasks = list(case.tasks.filter(done_at__isnull=True))
    assert [(t.stage, t.due_on) for t in open_tasks] == [
        (S.PROTECTED, timezone.localdate() + dt.timedelta(days=3))
    ]
    assert case.tasks.filter(stage=S.IDENTIFIED, done_at__isnull=False).exists()


def test_follow_ups_are_planned_by_the_origins_settings(db):
    CountryCaseSettings.objects.create(country=factories.country("HN"), follow_up_months=[1, 24])
    case = case_in_stage(S.REINTEGRATION)
    assert sorted(case.follow_ups.values_list("months_after_return", flat=True)) == [1, 24]


def test_the_origin_reports_follow_ups_and_the_destination_cannot(db):
    case = case_in_stage(S.REINTEGRATION)
    actors = actors_of(case)
    follow_up = case.follow_ups.all()[0]
    with pytest.raises(PermissionDenied):
        services.follow_up_report(
            actor=actors.worker, follow_up=follow_up, report="x", reported_on=timezone.localdate()
        )
    services.follow_up_report(
        actor=actors.origin_worker, follow_up=follow_up, report="Asiste a la escuela.", reported_on=timezone.localdate()
    )
    follow_up.refresh_from_db()
    assert follow_up.report == "Asiste a la escuela."


def test_the_helper_reaches_every_stage_for_children_and_adults(db):
    from corett.testing.cases import PATHS

    assert set(PATHS) == set(S.values)
    actors = case_actors()
    for stage in (S.CLOSED, S.ALTERNATIVE_SOLUTION, S.CANCELLED, S.SUSPENDED, S.DECLINED_BY_ORIGIN):
        for child in (True, False):
            assert case_in_stage(stage, child=child).stage == stage
    assert case_actors() == actors  # made once, reused


@pytest.mark.parametrize("stage", list(S.values))
def test_each_guard_reads_only_the_lists_it_declares(db, stage, django_assert_num_queries):
    # The overview reads beforehand the lists the guards of the steps from its stage declare
    # (``Guard.reads``); one read that was not declared would cost the page a query of its own.
    from corett.cases import related

    case = related.read_case(case_in_stage(stage).code)
    assert case is not None
    related.load(case, protocol.lists_read(stage))
    with django_assert_num_queries(0):
        for transition in protocol.from_stage(case):
            protocol.failed_guards(case, transition, {"reason": "…", "alternative": "asylum"})


def test_the_rule_for_seeing_a_case_and_its_scope_agree(db):
    # A case page asks the rule of the case it read; the lists ask the scope in SQL.
    requested, before = case_in_stage(S.REQUESTED_TO_ORIGIN), case_in_stage(S.RETURN_DECIDED)
    elsewhere = case_in_stage(S.IDENTIFIED, destination="SV", origin="GT")
    actors = actors_of(requested)
    users = [
        actors.worker, actors.supervisor, actors.origin_worker, actors.partner,
        factories.user_with(Role.CASE_SUPERVISOR, "SV", username="supervisor-sv-scope"),
        factories.user_with(Role.FOCAL_POINT, "GT", username="focal-gt-scope"),
        factories.user_with(Role.SECRETARIAT, None, username="secretariat-scope"),
    ]
    seen = 0
    for user in users:
        for case in (requested, before, elsewhere):
            can = policy.can(user, "cases.view", case)
            assert can == Case.objects.visible_to(user).filter(pk=case.pk).exists(), (user.username, case.code)
            seen += can
    # GT's two case roles see its own two (not SV's, not shared with GT yet); HN's worker the
    # requested one; SV's supervisor its own.
    assert seen == 6
