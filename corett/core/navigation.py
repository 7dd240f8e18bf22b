"""The main navigation: each role sees the entries it may use, as the policy decides."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from corett import policy
from corett.lib.urls import cached_reverse

StrOrPromise = str | Promise


@dataclass(frozen=True)
class NavItem:
    label: StrOrPromise
    url_name: str
    action: str

    @property
    def url(self) -> str:
        return cached_reverse(self.url_name)


@dataclass(frozen=True)
class NavLink:
    """One entry as a page shows it: where it goes and whether the page is (under) it."""

    label: StrOrPromise
    url: str
    active: bool
    current: bool


ITEMS = [
    NavItem(_("Countries"), "directory:country_list", "directory.view"),
    NavItem(_("Organisations"), "directory:organisation_list", "directory.view"),
    NavItem(_("People"), "directory:person_list", "directory.view"),
    NavItem(_("Coalition offices"), "directory:offices", "directory.view"),
    NavItem(_("Cases"), "cases:list", "cases.view"),
    NavItem(_("Funding requests"), "cases:funding_inbox", "cases.view_funding"),
    NavItem(_("Exports"), "cases:export", "cases.export"),
]
ADMINISTRATION = [
    NavItem(_("Users"), "accounts:user_list", "accounts.manage_users"),
    NavItem(_("Audit trail"), "audit:entry_list", "audit.view"),
]


def _all_items() -> list[NavItem]:
    """The platform's entries, then each module's (``corett/<app>/navigation.py``), then the
    administration's."""
    from corett import modules

    return [*ITEMS, *(item for part in modules.parts("navigation") for item in part.ITEMS), *ADMINISTRATION]


def navigation_for(user, path: str = "") -> list[NavLink]:
    """The entries ``user`` may use; ``path`` (the page's) marks the active and current one.

    The active entry is the one whose URL is the longest start of ``path``: on
    /cases/funding/ that is "Funding requests", not "Cases" as well.
    """
    if not getattr(user, "is_authenticated", False):
        return []
    entries = [(item.label, item.url) for item in _all_items() if policy.can(user, item.action)]
    section = max((url for _, url in entries if path.startswith(url)), key=len, default=None)
    return [NavLink(label, url, active=url == section, current=url == path) for label, url in entries]
