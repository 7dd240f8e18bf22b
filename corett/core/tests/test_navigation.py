"""The main navigation: entries by policy, the active section and the current page."""

from __future__ import annotations

import itertools

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from corett import policy
from corett.accounts.models import RoleAssignment, User
from corett.accounts.roles import Role
from corett.core import navigation
from corett.core.navigation import NavItem, navigation_for
from corett.testing import factories

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


# --- The allowed entries, kept per set of roles, organisation and country ----------------------


class _OnlyWhatTheKeyHolds:
    """A signed-in user with nothing to read but what the navigation's cache key holds."""

    def __init__(self, roles, organisation_id, country_id):
        self.is_authenticated = True
        self.is_active = True
        self.roles = frozenset(roles)
        self.organisation_id = organisation_id
        self.country_id = country_id

    def has_role(self, *roles):
        return bool(self.roles.intersection(roles))

    def __getattr__(self, name):
        raise AssertionError(
            f"A navigation rule reads user.{name}: add it to navigation._fingerprint, or the "
            "entries kept per fingerprint may be another user's"
        )


def test_the_navigation_rules_read_nothing_but_the_roles_organisation_and_country(
    django_assert_num_queries,
):
    actions = sorted({item.action for item in navigation._all_items()})
    places = [(None, None), (7, None), (7, 3)]
    role_sets = [(), *((role,) for role in Role), *itertools.combinations(Role, 2)]
    with django_assert_num_queries(0):
        for roles, (organisation_id, country_id) in itertools.product(role_sets, places):
            user = _OnlyWhatTheKeyHolds(roles, organisation_id, country_id)
            for action in actions:
                policy.can(user, action)


def _hrefs(client, url: str = "/") -> str:
    return client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_a_role_granted_or_withdrawn_changes_the_navigation_at_once(client_as, focal_gt):
    client = client_as(focal_gt)
    staff_entry = f'href="{reverse("statistics:import_upload")}"'
    assert staff_entry not in _hrefs(client)
    granted = RoleAssignment.objects.create(user=focal_gt, role=Role.SECRETARIAT)
    assert staff_entry in _hrefs(client)
    granted.delete()
    assert staff_entry not in _hrefs(client)


def test_users_of_the_same_role_keep_their_own_entries(gt):
    # A focal point whose organisation has a country sees what their country owes; one of a
    # regional body (same role) does not, whoever asked first.
    national = factories.user_with(Role.FOCAL_POINT, "GT", username="focal-national")
    regional = factories.user_with(Role.FOCAL_POINT, None, username="focal-regional")
    owed = reverse("meetings:owed")
    for user in (national, regional, national):
        user = User.objects.select_related("organisation").get(pk=user.pk)
        urls = {link.url for link in navigation_for(user, "/")}
        assert (owed in urls) is (user.country_id is not None)


def test_an_account_switched_off_loses_its_entries(focal_gt):
    assert navigation_for(User.objects.get(pk=focal_gt.pk), "/")
    User.objects.filter(pk=focal_gt.pk).update(is_active=False)
    assert navigation_for(User.objects.get(pk=focal_gt.pk), "/") == []
