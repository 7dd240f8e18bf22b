"""The main navigation: each role sees the entries it may use, as the policy decides."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from corett import policy

StrOrPromise = str | Promise


@dataclass(frozen=True)
class NavItem:
    label: StrOrPromise
    url_name: str
    action: str

    @property
    def url(self) -> str:
        return reverse(self.url_name)


ITEMS = [
    NavItem(_("Countries"), "directory:country_list", "directory.view"),
    NavItem(_("Organisations"), "directory:organisation_list", "directory.view"),
    NavItem(_("People"), "directory:person_list", "directory.view"),
    NavItem(_("Coalition offices"), "directory:offices", "directory.view"),
    NavItem(_("Users"), "accounts:user_list", "accounts.manage_users"),
    NavItem(_("Audit trail"), "audit:entry_list", "audit.view"),
]


def navigation_for(user) -> list[NavItem]:
    if not getattr(user, "is_authenticated", False):
        return []
    return [item for item in ITEMS if policy.can(user, item.action)]
