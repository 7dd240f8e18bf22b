"""The one place that decides who may do what.

Every view, API endpoint, export and command asks here: ``can(user, action, obj)`` for a single
decision and ``scope(user, action, queryset)`` for the records a user may reach. An action with
no rule is refused (deny by default), and so is a user without roles.

Actions are named ``<app>.<verb>[_<thing>]``. A rule receives the user and, for object-level
actions, the object; it returns True only when the user may act.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from corett.accounts.roles import Role

QS = TypeVar("QS", bound=QuerySet)
Rule = Callable[[Any, Any], bool]
Scope = Callable[[Any, QuerySet], QuerySet]

_RULES: dict[str, Rule] = {}
_SCOPES: dict[str, Scope] = {}


def rule(action: str) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        if action in _RULES:
            raise RuntimeError(f"Two rules for {action}")
        _RULES[action] = fn
        return fn

    return register


def scoping(action: str) -> Callable[[Scope], Scope]:
    def register(fn: Scope) -> Scope:
        _SCOPES[action] = fn
        return fn

    return register


ColumnScope = Callable[[Any], dict[str, Any]]
_COLUMN_SCOPES: dict[str, ColumnScope] = {}


def scoping_by_columns(action: str) -> Callable[[ColumnScope], ColumnScope]:
    """A scope that keeps the rows whose columns equal values taken from the user.

    ``scope`` applies it as a filter; ``scope_columns`` hands out the columns and values
    themselves, for a statement compiled once with parameters in their place (the navigation's
    unread count): one rule, read both ways, so the two can never disagree.
    """

    def register(fn: ColumnScope) -> ColumnScope:
        _COLUMN_SCOPES[action] = fn
        _SCOPES[action] = lambda user, qs: qs.filter(**fn(user))
        return fn

    return register


def actions() -> list[str]:
    return sorted(_RULES)


def _active(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active and user.roles)


def can(user: Any, action: str, obj: Any = None) -> bool:
    if not _active(user):
        return False
    decide = _RULES.get(action)
    if decide is None:
        return False
    return bool(decide(user, obj))


def scope(user: Any, action: str, queryset: QS) -> QS:
    """The part of ``queryset`` the user may reach for ``action``; empty by default."""
    if not _active(user):
        return queryset.none()
    narrow = _SCOPES.get(action)
    if narrow is None:
        return queryset.none()
    return narrow(user, queryset)  # type: ignore[return-value]


def scope_columns(user: Any, action: str) -> dict[str, Any] | None:
    """The columns and values ``scope(user, action, ...)`` keeps (an action registered with
    ``scoping_by_columns``); None when it keeps nothing, as ``scope`` would."""
    if not _active(user):
        return None
    columns = _COLUMN_SCOPES.get(action)
    return None if columns is None else columns(user)


def authorize(user: Any, action: str, obj: Any = None) -> None:
    """Raise PermissionDenied (and audit the refusal) unless the user may act."""
    if not can(user, action, obj):
        from corett.audit.services import audit_log

        audit_log(actor=user, action="access.denied", obj=obj, extra={"permission": action})
        raise PermissionDenied(action)


# --- Who is who -------------------------------------------------------------------------------

STAFF = (Role.ADMIN, Role.SECRETARIAT)
REGIONAL = (Role.ADMIN, Role.SECRETARIAT, Role.PRESIDENCY)
ANY_ROLE = tuple(Role)


def _same_country(user: Any, country_id: int | None) -> bool:
    return country_id is not None and user.country_id == country_id


# --- Directory --------------------------------------------------------------------------------

@rule("directory.view")
def _view_directory(user: Any, obj: Any) -> bool:
    return user.has_role(*ANY_ROLE)


@rule("directory.view_country")
def _view_country(user: Any, country: Any) -> bool:
    return user.has_role(*ANY_ROLE)


@scoping_by_columns("directory.view_country")
def _scope_countries(user: Any) -> dict[str, Any]:
    return {}  # every country


@rule("directory.change_country")
def _change_country(user: Any, country: Any) -> bool:
    return user.has_role(*STAFF)


@rule("directory.view_organisation")
def _view_organisation(user: Any, org: Any) -> bool:
    return user.has_role(*ANY_ROLE)


@scoping_by_columns("directory.view_organisation")
def _scope_organisations(user: Any) -> dict[str, Any]:
    return {}  # every organisation


@rule("directory.add_organisation")
def _add_organisation(user: Any, country: Any) -> bool:
    """``country`` is the country the new organisation will belong to (None: regional)."""
    if user.has_role(*STAFF):
        return True
    return user.has_role(Role.FOCAL_POINT) and country is not None and _same_country(user, country.pk)


@rule("directory.change_organisation")
def _change_organisation(user: Any, org: Any) -> bool:
    if user.has_role(*STAFF):
        return True
    return user.has_role(Role.FOCAL_POINT) and _same_country(user, org.country_id)


@rule("directory.view_person")
def _view_person(user: Any, person: Any) -> bool:
    if user.has_role(*REGIONAL):
        return True
    if person.visibility == "coalition":
        return user.has_role(*ANY_ROLE)
    return _same_country(user, person.organisation.country_id) or (
        user.organisation_id is not None and user.organisation_id == person.organisation_id
    )


@scoping("directory.view_person")
def _scope_people(user: Any, qs: QuerySet) -> QuerySet:
    if user.has_role(*REGIONAL):
        return qs
    mine = Q(visibility="coalition")
    if user.country_id is not None:
        mine |= Q(organisation__country_id=user.country_id)
    if user.organisation_id is not None:
        mine |= Q(organisation_id=user.organisation_id)
    return qs.filter(mine)


@rule("directory.add_person")
def _add_person(user: Any, org: Any) -> bool:
    """``org`` is the organisation the new person will belong to (None: any)."""
    if user.has_role(*STAFF):
        return True
    if not user.has_role(Role.FOCAL_POINT):
        return False
    return org is None or _same_country(user, org.country_id)


@rule("directory.change_person")
def _change_person(user: Any, person: Any) -> bool:
    if user.has_role(*STAFF):
        return True
    return user.has_role(Role.FOCAL_POINT) and _same_country(user, person.organisation.country_id)


@rule("directory.manage_offices")
def _manage_offices(user: Any, obj: Any) -> bool:
    return user.has_role(*STAFF)


@rule("directory.export")
def _export_directory(user: Any, obj: Any) -> bool:
    return user.has_role(*REGIONAL, Role.FOCAL_POINT)


# --- Accounts ---------------------------------------------------------------------------------

@rule("accounts.manage_users")
def _manage_users(user: Any, obj: Any) -> bool:
    return user.has_role(Role.ADMIN)


@rule("accounts.use_api")
def _use_api(user: Any, obj: Any) -> bool:
    return user.has_role(*ANY_ROLE)


@rule("accounts.manage_api_token")
def _manage_api_token(user: Any, token: Any) -> bool:
    """Personal tokens are their owner's alone."""
    return token is not None and token.user_id == user.pk


@rule("accounts.disable_two_factor")
def _disable_two_factor(user: Any, obj: Any) -> bool:
    """Holders of roles that must use 2FA cannot turn it off (an administrator may reset it)."""
    return not user.requires_two_factor


# --- Audit ------------------------------------------------------------------------------------

@rule("audit.view")
def _view_audit(user: Any, obj: Any) -> bool:
    return user.has_role(Role.ADMIN)


@rule("audit.verify")
def _verify_audit(user: Any, obj: Any) -> bool:
    """Re-walking the whole hash chain is costly: administrators only, on demand."""
    return user.has_role(Role.ADMIN)


# --- Repatriation cases -----------------------------------------------------------------------
# Only case workers and case supervisors ever see a case: of the destination country, which owns
# it, and of the country of origin from the formal request on. Nobody else (administrators,
# the Secretariat, the Presidency, observers, other countries) learns that a case exists.
# Partners see funding requests addressed to their organisation, never the case itself.

CASE_ROLES = (Role.CASE_WORKER, Role.CASE_SUPERVISOR)


def _case_side(user: Any, case: Any) -> str | None:
    if not user.has_role(*CASE_ROLES) or user.country_id is None:
        return None
    if user.country_id == case.destination_country_id:
        return "destination"
    if user.country_id == case.origin_country_id and case.shared_with_origin_at is not None:
        return "origin"
    return None


@rule("cases.view")
def _view_case(user: Any, case: Any) -> bool:
    if case is None:
        return user.has_role(*CASE_ROLES)
    return _case_side(user, case) is not None


@scoping("cases.view")
def _scope_cases(user: Any, qs: QuerySet) -> QuerySet:
    if not user.has_role(*CASE_ROLES) or user.country_id is None:
        return qs.none()
    return qs.filter(
        Q(destination_country_id=user.country_id)
        | Q(origin_country_id=user.country_id, shared_with_origin_at__isnull=False)
    )


@rule("cases.view_identity")
def _view_case_identity(user: Any, case: Any) -> bool:
    return _case_side(user, case) is not None


@rule("cases.create")
def _create_case(user: Any, country: Any) -> bool:
    """``country`` is the destination: a case is opened where the person was identified."""
    return (
        user.has_role(*CASE_ROLES)
        and user.country_id is not None
        and (country is None or country.pk == user.country_id)
    )


@rule("cases.change")
def _change_case(user: Any, case: Any) -> bool:
    # A case whose identity was erased after retention is a closed record: nothing changes it.
    return _case_side(user, case) == "destination" and case.identity_purged_at is None


@rule("cases.record_caregiver")
def _record_caregiver(user: Any, case: Any) -> bool:
    """Family tracing happens in the country of origin; the owners may record it too."""
    return _case_side(user, case) in ("destination", "origin") and case.identity_purged_at is None


@rule("cases.override_consent")
def _override_consent(user: Any, case: Any) -> bool:
    """Sharing a case (with the country of origin, with a funder) without the consent for it is
    an exception a case supervisor of the owning country takes, with a written reason."""
    return (
        user.has_role(Role.CASE_SUPERVISOR)
        and _case_side(user, case) == "destination"
        and case.identity_purged_at is None
    )


@rule("cases.configure_deadlines")
def _configure_deadlines(user: Any, country: Any) -> bool:
    """A country's case supervisors set its deadlines (days per stage, follow-up months)."""
    return (
        user.has_role(Role.CASE_SUPERVISOR)
        and user.country_id is not None
        and (country is None or country.pk == user.country_id)
    )


@rule("cases.transition_destination")
def _transition_destination(user: Any, case: Any) -> bool:
    return _case_side(user, case) == "destination"


@rule("cases.transition_origin")
def _transition_origin(user: Any, case: Any) -> bool:
    return _case_side(user, case) == "origin"


@rule("cases.approve")
def _approve_case(user: Any, approval: Any) -> bool:
    """A supervisor of the owning country decides; never on their own request."""
    return (
        user.has_role(Role.CASE_SUPERVISOR)
        and _case_side(user, approval.case) == "destination"
        and approval.requested_by_id != user.pk
    )


@rule("cases.report_follow_up")
def _report_follow_up(user: Any, case: Any) -> bool:
    return _case_side(user, case) == "origin"


@rule("cases.view_access_log")
def _view_case_access_log(user: Any, case: Any) -> bool:
    """Each case shows its own access log to its owners: the destination country's side."""
    return _case_side(user, case) == "destination"


@rule("cases.export")
def _export_cases(user: Any, case: Any) -> bool:
    """Exports (password-protected files that leave the platform) are for the supervisors of the
    owning country, of its own cases only. ``case`` None: may the user export at all."""
    if not user.has_role(Role.CASE_SUPERVISOR) or user.country_id is None:
        return False
    return case is None or _case_side(user, case) == "destination"


@scoping("cases.export")
def _scope_export(user: Any, qs: QuerySet) -> QuerySet:
    if not user.has_role(Role.CASE_SUPERVISOR) or user.country_id is None:
        return qs.none()
    return qs.filter(destination_country_id=user.country_id)


@rule("cases.case_file")
def _case_file(user: Any, case: Any) -> bool:
    """The case file (PDF, read on screen or printed): both countries' case roles."""
    return _case_side(user, case) is not None


@rule("cases.download_attachment")
def _download_attachment(user: Any, attachment: Any) -> bool:
    """An attachment is identity: whoever may see the person's identity, on either side."""
    return attachment.deactivated_at is None and _view_case_identity(user, attachment.case)


@rule("cases.view_funding")
def _view_funding(user: Any, funding: Any) -> bool:
    if funding is None:
        return user.has_role(Role.PARTNER)
    if user.has_role(Role.PARTNER):
        return user.organisation_id is not None and funding.partner_id == user.organisation_id
    return _case_side(user, funding.case) is not None


@scoping("cases.view_funding")
def _scope_funding(user: Any, qs: QuerySet) -> QuerySet:
    mine = Q(pk__in=[])
    if user.has_role(Role.PARTNER) and user.organisation_id is not None:
        mine |= Q(partner_id=user.organisation_id)
    if user.has_role(*CASE_ROLES) and user.country_id is not None:
        mine |= Q(case__destination_country_id=user.country_id) | Q(
            case__origin_country_id=user.country_id, case__shared_with_origin_at__isnull=False
        )
    return qs.filter(mine)


@rule("cases.reconcile_funding")
def _reconcile_funding(user: Any, funding: Any) -> bool:
    """The owners of the case reconcile what the partner disbursed."""
    return _case_side(user, funding.case) == "destination"


@rule("cases.decide_funding")
def _decide_funding(user: Any, funding: Any) -> bool:
    """The partner commits, disburses or declines; the destination reconciles (above)."""
    return (
        user.has_role(Role.PARTNER)
        and user.organisation_id is not None
        and funding.partner_id == user.organisation_id
    )


# --- Notifications ----------------------------------------------------------------------------
# Everyone with a role has an inbox; each sees and marks only their own notifications.

@rule("notifications.view")
def _view_notification(user: Any, notification: Any) -> bool:
    if notification is None:
        return user.has_role(*ANY_ROLE)
    return bool(notification.recipient_id == user.pk)


@scoping_by_columns("notifications.view")
def _scope_notifications(user: Any) -> dict[str, Any]:
    return {"recipient_id": user.pk}


# --- The other modules keep their rules beside this one, in this package ----------------------
# Imported last: each registers its rules with ``rule``/``scoping`` defined above.
from corett.policy import infographics, meetings, plans, reporting, statistics, training, website  # noqa: E402, F401
