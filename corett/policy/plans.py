"""Who may do what in the Operational Action Plan.

The plan itself is the coalition's shared document: every actor of the plan (Presidency,
Secretariat, focal points, observers, partners) reads it, its indicators and its dashboards.
Only the Secretariat (and administrators) write it, move it through its states, review reports and
lock periods. A progress report belongs to the actor that files it: a country's focal point sees and
writes their country's reports only; observers and partners their organisation's; the Secretariat
and the Presidency see all of them (the Presidency reads, it does not review).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from corett.accounts.roles import Role
from corett.policy import REGIONAL, STAFF, rule, scoping

PLAN_READERS = (*REGIONAL, Role.FOCAL_POINT, Role.OBSERVER, Role.PARTNER)


@rule("plans.view")
def _view_plans(user: Any, obj: Any) -> bool:
    return user.has_role(*PLAN_READERS)


@scoping("plans.view")
def _scope_plans(user: Any, qs: QuerySet) -> QuerySet:
    return qs if user.has_role(*PLAN_READERS) else qs.none()


@rule("plans.manage")
def _manage_plans(user: Any, plan: Any) -> bool:
    """Write the plan's content, import it, open a new version, lock periods."""
    return user.has_role(*STAFF)


@rule("plans.change")
def _change_plan(user: Any, plan: Any) -> bool:
    """Change the content of one plan: only while it is a draft or in review."""
    return user.has_role(*STAFF) and (plan is None or plan.is_editable)


@rule("plans.review")
def _review_reports(user: Any, report: Any) -> bool:
    return user.has_role(*STAFF)


def _owns_report(user: Any, report: Any) -> bool:
    from corett.plans.models import actor_of

    actor = actor_of(user)
    return actor is not None and actor.files_report_of(report.actor)


@rule("plans.view_report")
def _view_report(user: Any, report: Any) -> bool:
    if report is None:
        return user.has_role(*PLAN_READERS)
    return user.has_role(*REGIONAL) or _owns_report(user, report)


@scoping("plans.view_report")
def _scope_reports(user: Any, qs: QuerySet) -> QuerySet:
    if user.has_role(*REGIONAL):
        return qs
    mine = Q(pk__in=[])
    if user.has_role(Role.FOCAL_POINT) and user.country_id is not None:
        mine |= Q(actor_kind="country", country_id=user.country_id)
    if user.has_role(Role.OBSERVER, Role.PARTNER) and user.organisation_id is not None:
        mine |= Q(actor_kind__in=["observer", "partner"], organisation_id=user.organisation_id)
    return qs.filter(mine)


@rule("plans.report")
def _file_report(user: Any, report: Any) -> bool:
    """File progress: ``report`` None asks whether the user reports for any actor at all."""
    from corett.plans.models import actor_of

    if report is None:
        return actor_of(user) is not None
    return _owns_report(user, report)


@rule("plans.export")
def _export_plan(user: Any, plan: Any) -> bool:
    return user.has_role(*PLAN_READERS)
