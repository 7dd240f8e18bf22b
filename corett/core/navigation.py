"""The main navigation: each role sees the entries it may use, as the policy decides."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf
from django.utils.functional import Promise
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from corett import policy
from corett.lib.urls import cached_reverse

StrOrPromise = str | Promise


@dataclass(frozen=True)
class NavItem:
    label: StrOrPromise
    url_name: str
    action: str
    # The menu it belongs to ("" for the bar itself); a module's entries default to a menu named
    # after the module, so the bar stays short as modules are added.
    section: StrOrPromise = ""

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
    section: StrOrPromise = ""


@dataclass(frozen=True)
class NavMenu:
    """Consecutive entries of one section: a drop-down menu, or a plain link when alone."""

    label: StrOrPromise
    links: list[NavLink]

    @property
    def active(self) -> bool:
        return any(link.active for link in self.links)


DIRECTORY, CASES, ADMIN = _("Directory"), _("Repatriation cases"), _("Administration")
ITEMS = [
    NavItem(_("Countries"), "directory:country_list", "directory.view", DIRECTORY),
    NavItem(_("Organisations"), "directory:organisation_list", "directory.view", DIRECTORY),
    NavItem(_("People"), "directory:person_list", "directory.view", DIRECTORY),
    NavItem(_("Coalition offices"), "directory:offices", "directory.view", DIRECTORY),
    NavItem(_("Cases"), "cases:list", "cases.view", CASES),
    NavItem(_("Funding requests"), "cases:funding_inbox", "cases.view_funding", CASES),
    NavItem(_("Exports"), "cases:export", "cases.export", CASES),
]
ADMINISTRATION = [
    NavItem(_("Users"), "accounts:user_list", "accounts.manage_users", ADMIN),
    NavItem(_("Audit trail"), "audit:entry_list", "audit.view", ADMIN),
]


@cache
def _all_items() -> tuple[NavItem, ...]:
    """The platform's entries, then each module's (``corett/<app>/navigation.py``), then the
    administration's. Read once a process: they are the modules' constants (finding and
    reading every module's on each page cost 0.1 ms)."""
    from django.apps import apps

    from corett import modules

    items = list(ITEMS)
    for part in modules.parts("navigation"):
        menu = apps.get_app_config(part.__name__.split(".")[1]).verbose_name
        items.extend(item if item.section else replace(item, section=menu) for item in part.ITEMS)
    return (*items, *ADMINISTRATION)


# What the navigation's rules read of a user: whether they are signed in and active, their roles,
# their organisation and its country. Asked with no object, every rule behind an entry is a
# function of these alone (corett/core/tests/test_navigation.py holds each rule to it, with a
# user that has nothing else to read, and no query).
def _fingerprint(user) -> tuple:
    return (user.is_active, user.roles, user.organisation_id, user.country_id)


# (fingerprint, URL conf, script prefix) -> (the entries considered, the allowed ones with their
# URLs). The roles are read from the database with the user on every request, so a role granted
# or withdrawn changes the key at once; nothing needs invalidating.
_allowed: dict[tuple, tuple[tuple[NavItem, ...], tuple[tuple[NavItem, str], ...]]] = {}
_ALLOWED_MAX = 1000


def _allowed_entries(user) -> tuple[tuple, tuple[tuple[NavItem, str], ...]]:
    """The entries ``user`` may use, with their URLs, as the policy decides; and their key.

    Decided once per process for each set of roles, organisation and country: deciding ~30
    entries cost ~0.25 ms a page (every attribute of the request's lazy user goes through its
    proxy), and the answers depend on nothing else.
    """
    items = _all_items()
    key = (_fingerprint(user), get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
    cached = _allowed.get(key)
    if cached is not None and cached[0] is items:
        return key, cached[1]
    # Each URL once: cached_reverse still costs a few µs, and there are dozens of entries.
    entries = tuple((item, item.url) for item in items if policy.can(user, item.action))
    if len(_allowed) >= _ALLOWED_MAX:
        _allowed.clear()
    _allowed[key] = (items, entries)
    return key, entries


def _entries(user, path: str) -> tuple[tuple, list[tuple[NavItem, str, bool, bool]]]:
    """The entries ``user`` may use, each with its URL and whether it is active and current,
    and the key of the allowed entries (empty for anonymous visitors)."""
    if not getattr(user, "is_authenticated", False):
        return (), []
    key, allowed = _allowed_entries(user)
    section = max((url for _item, url in allowed if path.startswith(url)), key=len, default=None)
    return key, [(item, url, url == section, url == path) for item, url in allowed]


def navigation_for(user, path: str = "") -> list[NavLink]:
    """The entries ``user`` may use; ``path`` (the page's) marks the active and current one.

    The active entry is the one whose URL is the longest start of ``path``: on
    /cases/funding/ that is "Funding requests", not "Cases" as well.
    """
    return [
        NavLink(item.label, url, active=active, current=current, section=item.section)
        for item, url, active, current in _entries(user, path)[1]
    ]


# (language, key of the allowed entries, the active and the current URL) -> (the entries, the
# bar's HTML). The value holds the entries: the markup is a function of them, of which one is
# active or current and of the language (the labels' translation), all in the key.
_bars: dict[tuple, tuple[list[NavItem], SafeString]] = {}
_BARS_MAX = 1000


def navigation_bar(user, path: str = "") -> SafeString:
    """The bar's menus as HTML (``core/_navigation_bar.html``), rendered once per process for
    each language, set of entries and active entry.

    The entries are the policy's, as ``navigation_for`` gives them; only their markup is
    remembered. Rendering ~30 links through the template engine cost about 1.5 ms a page.
    """
    allowed, entries = _entries(user, path)
    active = next((url for _item, url, is_active, _current in entries if is_active), None)
    current = next((url for _item, url, _active, is_current in entries if is_current), None)
    key = (get_language(), allowed, active, current)
    cached = _bars.get(key)
    if cached is not None and len(cached[0]) == len(entries) and all(
        a is b for a, (b, *_rest) in zip(cached[0], entries, strict=True)
    ):
        return cached[1]
    links = [
        NavLink(item.label, url, active=is_active, current=is_current, section=item.section)
        for item, url, is_active, is_current in entries
    ]
    html = render_to_string("core/_navigation_bar.html", {"navigation_menus": menus(links)})
    if len(_bars) >= _BARS_MAX:
        _bars.clear()
    _bars[key] = ([item for item, *_rest in entries], html)
    return html


def menus(links: list[NavLink]) -> list[NavMenu]:
    """The links grouped into menus, in order (a section's links are consecutive)."""
    grouped: list[NavMenu] = []
    for link in links:
        if grouped and link.section and str(grouped[-1].label) == str(link.section):
            grouped[-1].links.append(link)
        else:
            grouped.append(NavMenu(link.section or link.label, [link]))
    return grouped
