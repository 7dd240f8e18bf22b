"""The main navigation: entries by policy, the active section and the current page."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from corett.core import navigation
from corett.core.navigation import NavItem, navigation_for

pytestmark = pytest.mark.django_db


def _state(links) -> dict[str, tuple[bool, bool]]:
    return {str(link.label): (link.active, link.current) for link in links}


def test_only_the_most_specific_entry_is_the_active_section(monkeypatch, observer_user):
    monkeypatch.setattr(navigation, "_all_items", lambda: [
        NavItem("Home", "core:home", "directory.view"),
        NavItem("Organisations", "directory:organisation_list", "directory.view"),
        NavItem("Users", "accounts:user_list", "accounts.manage_users"),  # not an observer's
    ])
    assert _state(navigation_for(observer_user, "/directory/organisations/")) == {
        "Home": (False, False), "Organisations": (True, True),
    }
    assert _state(navigation_for(observer_user, "/directory/organisations/12/")) == {
        "Home": (False, False), "Organisations": (True, False),
    }
    assert _state(navigation_for(observer_user, "/directory/people/")) == {
        "Home": (True, False), "Organisations": (False, False),
    }


def test_anonymous_visitors_get_no_navigation():
    assert navigation_for(AnonymousUser(), "/") == []
