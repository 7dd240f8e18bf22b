"""The organisation list read through statements compiled once a thread (``KeptList``): the
same rows and counts as the ORM's queryset for every filter, sort, page and language, and the
policy's scope kept in each user's statement."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from django.core.paginator import Paginator
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from corett import policy
from corett.directory.forms import OrganisationFilterForm
from corett.directory.models import Country, Membership, Organisation, OrganisationKind
from corett.directory.views import ORGANISATION_ROW, PAGE_SIZE
from corett.testing import factories
from corett.testing.factories import CoalitionMembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

URL = reverse("directory:organisation_list")


@pytest.fixture
def directory(gt, hn):
    """80 organisations over three countries and the region, of every kind, with current,
    ended and no memberships, some sharing a name (the sort's tie-break decides). The Dominican
    Republic sorts before Guatemala in English, after Honduras in Spanish."""
    today = timezone.localdate()
    kinds = list(OrganisationKind.values)
    dominican = Country.objects.create(
        iso2="DO", iso3="DOM", name_es="República Dominicana", name_en="Dominican Republic",
        official_language="es", membership=Membership.MEMBER,
    )
    places = [gt, hn, dominican, None]
    for n in range(80):
        org = OrganisationFactory.create(
            name=f"Institución {n % 45:02d} {'Protección' if n % 3 else 'Justicia'}",
            acronym=f"IP{n:02d}" if n % 4 else "",
            kind=kinds[n % len(kinds)],
            country=places[n % 4],
        )
        if n % 5 == 0:
            continue  # never a member
        status = list(Membership.values)[n % 3]
        ended = today - dt.timedelta(days=10) if n % 7 == 0 else None
        CoalitionMembershipFactory.create(
            organisation=org, status=status, started_on=today - dt.timedelta(days=400), ended_on=ended
        )


def _orm_page(user, params: dict, page: int) -> tuple[int, list]:
    """What the list showed when it read through the ORM: the same form on the same rows."""
    form = OrganisationFilterForm(params, user=user)
    organisations: Any = form.apply(Organisation.objects.visible_to(user))
    rows = organisations.with_current_membership().values_list(*ORGANISATION_ROW, named=True)
    paged = Paginator(rows, PAGE_SIZE).get_page(page)
    return paged.paginator.count, list(paged.object_list)


FILTERS = [
    {}, {"kind": OrganisationKind.values[1]}, {"q": "protección"}, {"q": "IP1"}, {"q": "nothing like it"}, {"country": "GT"},
    {"country": "HN", "kind": OrganisationKind.values[0]}, {"country": "DO"}, {"membership": "member"},
    {"membership": "none"}, {"membership": "observer", "q": "Justicia"}, {"country": "ZZ"},
]
SORTS = ["", "name", "-name", "country", "-country"]


def test_every_filter_sort_page_and_language_shows_what_the_orm_read(directory, client_as, focal_gt):
    client = client_as(focal_gt)
    for language, filters, sort, page in itertools.product(("es", "en"), FILTERS, SORTS, (1, 2, 3)):
        params = {**filters, **({"sort": sort} if sort else {}), "page": page}
        response = client.get(URL, params, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200
        shown = response.context["page"]
        with translation.override(language):
            count, rows = _orm_page(focal_gt, {k: str(v) for k, v in params.items()}, page)
        assert (shown.paginator.count, list(shown.object_list)) == (count, rows), (language, params)
        if rows:
            assert type(shown.object_list[0])._fields == ORGANISATION_ROW


def test_a_narrower_scope_is_kept_in_each_users_statement(directory, monkeypatch, focal_gt, focal_hn):
    # Today every role sees every organisation. Were the policy to narrow them to the user's
    # country, each user's statement would be another (the scope is in its key and its WHERE).
    narrowed = lambda user: {"country_id": user.country_id}  # noqa: E731
    monkeypatch.setitem(policy._COLUMN_SCOPES, "directory.view_organisation", narrowed)
    monkeypatch.setitem(
        policy._SCOPES, "directory.view_organisation", lambda user, qs: qs.filter(**narrowed(user))
    )
    clients = {}
    for user in (focal_gt, focal_hn):
        clients[user] = Client()
        clients[user].force_login(user)
    for user in (focal_gt, focal_hn, focal_gt):
        page = clients[user].get(URL, {"sort": "country"}).context["page"]
        assert page.paginator.count == Organisation.objects.filter(country_id=user.country_id).count() > 20
        assert {row.country_id for row in page.object_list} == {user.country_id}


def test_a_user_without_a_role_sees_no_organisation(directory):
    roleless = factories.UserFactory.create(username="no-role")
    from corett.directory.views import _organisation_list

    assert _organisation_list(roleless, OrganisationFilterForm({}, user=roleless)) == []
