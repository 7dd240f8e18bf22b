"""The main navigation: each role sees the entries it may use, as the policy decides."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache

from django.template.loader import render_to_string
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


def _entries(user, path: str) -> list[tuple[NavItem, str, bool, bool]]:
    """The entries ``user`` may use, each with its URL and whether it is active and current."""
    if not getattr(user, "is_authenticated", False):
        return []
    # Each URL once: cached_reverse still costs a few µs, and there are dozens of entries.
    entries = [(item, item.url) for item in _all_items() if policy.can(user, item.action)]
    section = max((url for _item, url in entries if path.startswith(url)), key=len, default=None)
    return [(item, url, url == section, url == path) for item, url in entries]


def navigation_for(user, path: str = "") -> list[NavLink]:
    """The entries ``user`` may use; ``path`` (the page's) marks the active and current one.

    The active entry is the one whose URL is the longest start of ``path``: on
    /cases/funding/ that is "Funding requests", not "Cases" as well.
    """
    return [
        NavLink(item.label, url, active=active, current=current, section=item.section)
        for item, url, active, current in _entries(user, path)
    ]


# (language, (ids of each entry's label and section, its URL, active, current)...) -> (the entries,
# the bar's HTML). Labels and sections are the modules' constants (the entries themselves may be
# rebuilt on each call); the value holds the entries, so no id in a key is reused while cached.
_bars: dict[tuple, tuple[list[NavItem], SafeString]] = {}
_BARS_MAX = 1000


def navigation_bar(user, path: str = "") -> SafeString:
    """The bar's menus as HTML (``core/_navigation_bar.html``), rendered once per process for
    each language and set of entries.

    The entries are decided here on every call, by the policy, exactly as ``navigation_for``
    decides them; only their markup is remembered. The markup is a function of the entries,
    their URLs, which one is active or current and the language (the labels' translation):
    all of that is in the key. Rendering ~30 links through the template engine cost about
    1.5 ms a page, every page.
    """
    entries = _entries(user, path)
    key = (
        get_language(),
        tuple(
            (id(item.label), id(item.section), url, active, current)
            for item, url, active, current in entries
        ),
    )
    cached = _bars.get(key)
    if cached is not None:
        return cached[1]
    links = [
        NavLink(item.label, url, active=active, current=current, section=item.section)
        for item, url, active, current in entries
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
