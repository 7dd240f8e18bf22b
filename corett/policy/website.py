"""Who may do what in the public website (rules registered in the one policy layer).

The public pages and the API's reads are open to everyone, signed in or not: that is decided
here, deliberately, through ``PUBLIC_ACTIONS`` and ``can_public``, not by leaving a view
unguarded. Everything else is denied by default like the rest of the platform.

- Editors (and the Secretariat, and administrators) write articles and publications. An editor
  of a national commission or a partner organisation works on their organisation's articles;
  the Secretariat's editors and staff see them all.
- Publishing (and unpublishing) is a review: the Secretariat's staff and editors, never the
  person who sent the article for review (four eyes).
- Each country's help lines are kept by its focal point (and the Secretariat).
- Contact messages reach the Secretariat (and administrators) only.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from corett.accounts.roles import Role
from corett.directory.models import OrganisationKind
from corett.policy import STAFF, can, rule, scoping

# What anyone may do, with or without an account: read what is published.
PUBLIC_ACTIONS = frozenset({"website.view"})


def can_public(user: Any, action: str, obj: Any = None) -> bool:
    """``policy.can``, plus the website's public reads for visitors without an account."""
    if action in PUBLIC_ACTIONS:
        return obj is None or _is_public(obj)
    return can(user, action, obj)


def _is_public(obj: Any) -> bool:
    if hasattr(obj, "is_public"):
        return bool(obj.is_public())
    return bool(getattr(obj, "is_published", True))


def _secretariat_editor(user: Any) -> bool:
    # The role first: the organisation is a query, and every page's navigation asks this.
    if not user.has_role(Role.EDITOR):
        return False
    organisation = getattr(user, "organisation", None)
    return organisation is not None and organisation.kind == OrganisationKind.COALITION_OFFICE


def _sees_all(user: Any) -> bool:
    return user.has_role(*STAFF) or _secretariat_editor(user)


@rule("website.view")
def _view(user: Any, obj: Any) -> bool:
    return obj is None or _is_public(obj)


@rule("website.edit")
def _edit(user: Any, article: Any) -> bool:
    """``article`` None: may the user write for the website at all."""
    if not user.has_role(Role.EDITOR, *STAFF):
        return False
    if article is None or _sees_all(user):
        return True
    return user.organisation_id is not None and article.organisation_id == user.organisation_id


@scoping("website.edit")
def _scope_edit(user: Any, qs: QuerySet) -> QuerySet:
    if not user.has_role(Role.EDITOR, *STAFF):
        return qs.none()
    if _sees_all(user):
        return qs
    return qs.filter(Q(organisation_id=user.organisation_id) if user.organisation_id else Q(pk__in=[]))


@rule("website.publish")
def _publish(user: Any, article: Any) -> bool:
    if not _sees_all(user):
        return False
    return article is None or article.submitted_by_id is None or article.submitted_by_id != user.pk


@rule("website.manage_publications")
def _manage_publications(user: Any, obj: Any) -> bool:
    return user.has_role(Role.EDITOR, *STAFF)


@rule("website.manage_help")
def _manage_help(user: Any, country: Any) -> bool:
    """``country`` None: may the user keep help lines of some country."""
    if user.has_role(*STAFF):
        return True
    if not user.has_role(Role.FOCAL_POINT) or user.country_id is None:
        return False
    return country is None or country.pk == user.country_id


@scoping("website.manage_help")
def _scope_help(user: Any, qs: QuerySet) -> QuerySet:
    if user.has_role(*STAFF):
        return qs
    if user.has_role(Role.FOCAL_POINT) and user.country_id is not None:
        return qs.filter(country_id=user.country_id)
    return qs.none()


@rule("website.read_messages")
def _read_messages(user: Any, obj: Any) -> bool:
    return user.has_role(*STAFF)
