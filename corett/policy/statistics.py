"""Who may do what in statistics (rules registered in the one policy layer).

Published (disclosure-controlled) figures are public: anyone with a role sees them, and so does
the public through the infographics (which call ``release.released_values(None, ...)``). Imports
of the public standards and the review of their findings belong to the Technical Secretariat. A
country's focal point sees the findings about their own country.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from corett.accounts.roles import Role
from corett.policy import ANY_ROLE, CASE_ROLES, REGIONAL, STAFF, rule, scoping


@rule("statistics.view")
def _view(user: Any, obj: Any) -> bool:
    return user.has_role(*ANY_ROLE)


@rule("statistics.import")
def _import(user: Any, obj: Any) -> bool:
    return user.has_role(*STAFF)


@rule("statistics.view_batch")
def _view_batch(user: Any, batch: Any) -> bool:
    return user.has_role(*STAFF)


@scoping("statistics.view_batch")
def _scope_batches(user: Any, qs: QuerySet) -> QuerySet:
    return qs if user.has_role(*STAFF) else qs.none()


@rule("statistics.view_findings")
def _view_findings(user: Any, obj: Any) -> bool:
    return user.has_role(*STAFF, Role.PRESIDENCY, Role.FOCAL_POINT)


@rule("statistics.view_finding")
def _view_finding(user: Any, finding: Any) -> bool:
    if user.has_role(*STAFF, Role.PRESIDENCY):
        return True
    return (
        user.has_role(Role.FOCAL_POINT)
        and user.country is not None
        and finding.country_iso3 == user.country.iso3
    )


@scoping("statistics.view_finding")
def _scope_findings(user: Any, qs: QuerySet) -> QuerySet:
    if user.has_role(*STAFF, Role.PRESIDENCY):
        return qs
    if user.has_role(Role.FOCAL_POINT) and user.country is not None:
        return qs.filter(Q(country_iso3=user.country.iso3))
    return qs.none()


@rule("statistics.review_finding")
def _review_finding(user: Any, finding: Any) -> bool:
    return user.has_role(*STAFF)


@rule("statistics.approve_computed")
def _approve_computed(user: Any, obj: Any) -> bool:
    """Approve figures the platform computed (the repatriation cases' counts) for release: the
    Technical Secretariat, who approve the national reports too."""
    return user.has_role(Role.SECRETARIAT)


# The repatriation caseload (corett/statistics/caseload.py): counts of the cases in progress,
# disclosure-controlled, never a case. For the coalition's governance (the Secretariat, the
# Presidency, observers), the national focal points, and the case workers and supervisors (it is
# aggregate; their own cases they see anyway). Unlike the approved published figures, these are
# live operational counts nobody has reviewed: partners and funders, trainers and website editors
# have no part in the protocol's governance and are refused.
CASELOAD_READERS = (*REGIONAL, Role.OBSERVER, Role.FOCAL_POINT, *CASE_ROLES)


@rule("statistics.view_caseload")
def _view_caseload(user: Any, obj: Any) -> bool:
    return user.has_role(*CASELOAD_READERS)
