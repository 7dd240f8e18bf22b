"""The machinery of the authorisation matrix: an entry per URL name, and the check that tries it
anonymously and for every role with users of two countries (Guatemala, "own"; Honduras, "other").

The platform's matrix is ``tests/test_authorization_matrix.py``; each module may keep its own in
``corett/<app>/tests/test_access_matrix.py`` (a ``MATRIX`` dict, a ``world`` fixture and a test
calling ``check_access``). ``test_every_url_has_an_entry`` gathers them all, so a URL without an
entry anywhere fails.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver, reverse

from corett import modules
from corett.accounts.roles import Role
from corett.testing import factories

ALL = frozenset(Role)
NONE: frozenset[Role] = frozenset()
STAFF = frozenset({Role.ADMIN, Role.SECRETARIAT})
REGIONAL = STAFF | {Role.PRESIDENCY}
ADMIN = frozenset({Role.ADMIN})

@dataclass(frozen=True)
class Entry:
    own: frozenset  # roles allowed for a user of the object's country (Guatemala)
    other: frozenset | None = None  # roles allowed for a user of another country; None: as own
    method: str = "get"
    kwargs: Callable[[Any], dict] = field(default=lambda w: {})
    data: Callable[[Any], dict] | None = None
    public: bool = False  # an anonymous visitor may use it too
    query: str = ""
    # A redirect here is the view's normal answer (logout ends on the login page), not a refusal.
    done_at: str = ""


def url_names(patterns=None, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for p in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace
            names |= url_names(p.url_patterns, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(p, URLPattern) and p.name:
            names.add(f"{namespace}{p.name}")
    return names


def module_matrices() -> dict[str, dict[str, Entry]]:
    """Each module's own matrix, by module name (modules without one are left out)."""
    return {part.__name__: part.MATRIX for part in modules.parts("tests.test_access_matrix")}


REFUSED = {401, 403, 404}


def outcome(response, entry: Entry) -> str:
    status = response.status_code
    if status in REFUSED:
        return "refused"
    if status in (301, 302):
        target = response.headers.get("Location", "")
        if entry.done_at and target.startswith(entry.done_at):
            return "allowed"
        return "refused" if target.startswith("/accounts/login/") else "allowed"
    if status >= 500:
        return f"error {status}"
    return "allowed"


def _request(client, entry: Entry, url: str, world: Any):
    data = entry.data(world) if entry.data else {}
    if entry.method == "post":
        return client.post(url, data)
    return client.get(url + entry.query)


def check_access(name: str, entry: Entry, world: Any, client, login) -> None:
    """Try ``name`` anonymously and as every role of both countries; fail listing every surprise."""
    url = reverse(name, kwargs=entry.kwargs(world))
    wrong: list[str] = []

    client.logout()
    anonymous = outcome(_request(client, entry, url, world), entry)
    if anonymous != ("allowed" if entry.public else "refused"):
        wrong.append(f"anonymous: {anonymous}")

    for role in Role:
        for where, iso2, allowed in (
            ("own", "GT", entry.own),
            ("other", "HN", entry.own if entry.other is None else entry.other),
        ):
            user = factories.user_with(role, iso2, username=f"{role}-{iso2}-{name}".replace(":", "-")[:150])
            client.logout()
            login(client, user)
            got = outcome(_request(client, entry, url, world), entry)
            expected = "allowed" if role in allowed else "refused"
            if got != expected:
                wrong.append(f"{role} ({where} country): expected {expected}, got {got}")
    assert wrong == [], f"{name} {url}:\n  " + "\n  ".join(wrong)
