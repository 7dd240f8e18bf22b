"""Who may do what in national reporting (rules registered in the one policy layer).

- Each country's focal point reports for their own country only: downloads its template, enters
  or uploads values, submits. Nobody reports for another country.
- The Technical Secretariat reviews: returns with comments, approves (which locks), reopens with
  a reason; it sets up the data sets and their deadlines (administrators too).
- The values of a report are seen by its own country and the Secretariat (and administrators).
  Another country, the Presidency included, never sees a report that is not approved; approved
  figures reach everyone through the statistics module, after its disclosure control.
- The dashboard of completeness and timeliness (states and dates, no values) is for the regional
  offices and the focal points; a focal point's dashboard shows their own country only.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from corett.accounts.roles import Role
from corett.policy import REGIONAL, STAFF, rule, scoping

REPORTERS = (Role.FOCAL_POINT,)
REVIEWERS = (Role.SECRETARIAT,)


def _own_country(user: Any, country_id: int | None) -> bool:
    return user.has_role(*REPORTERS) and user.country_id is not None and user.country_id == country_id


@rule("reporting.view")
def _view(user: Any, obj: Any) -> bool:
    return user.has_role(*REGIONAL, *REPORTERS)


@scoping("reporting.view")
def _scope_data_sets(user: Any, qs: QuerySet) -> QuerySet:
    return qs if user.has_role(*REGIONAL, *REPORTERS) else qs.none()


@rule("reporting.manage_data_sets")
def _manage_data_sets(user: Any, obj: Any) -> bool:
    return user.has_role(*STAFF)


@rule("reporting.view_submission")
def _view_submission(user: Any, submission: Any) -> bool:
    if submission is None:
        return user.has_role(*STAFF, *REPORTERS)
    if user.has_role(*STAFF):
        return True
    return _own_country(user, submission.country_id)


@scoping("reporting.view_submission")
def _scope_submissions(user: Any, qs: QuerySet) -> QuerySet:
    if user.has_role(*STAFF):
        return qs
    if user.has_role(*REPORTERS) and user.country_id is not None:
        return qs.filter(country_id=user.country_id)
    return qs.none()


@rule("reporting.report")
def _report(user: Any, target: Any) -> bool:
    """Enter, upload, download the template, submit. ``target``: a submission, a country (for
    a report not started yet), or None (may the user report at all)."""
    if target is None:
        return user.has_role(*REPORTERS) and user.country_id is not None
    country_id = target.country_id if hasattr(target, "country_id") else target.pk
    return _own_country(user, country_id)


@rule("reporting.review")
def _review(user: Any, submission: Any) -> bool:
    """Return or approve; reopen an approved report (with a reason)."""
    return user.has_role(*REVIEWERS)


@rule("reporting.view_dashboard")
def _view_dashboard(user: Any, obj: Any) -> bool:
    return user.has_role(*REGIONAL, *REPORTERS)


@scoping("reporting.view_dashboard")
def _scope_dashboard_countries(user: Any, qs: QuerySet) -> QuerySet:
    """The countries whose rows the dashboard shows (a queryset of Country)."""
    if user.has_role(*REGIONAL):
        return qs
    if user.has_role(*REPORTERS) and user.country_id is not None:
        return qs.filter(Q(pk=user.country_id))
    return qs.none()
