"""The directory's pages: who reaches what, what they see, and what a bad or forged POST does."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse

from corett.accounts.roles import Role
from corett.audit.models import AuditEntry
from corett.directory.models import (
    CoalitionMembership,
    Country,
    Membership,
    Organisation,
    OrganisationKind,
    Person,
    PresidencyTerm,
    SecretariatTerm,
    Visibility,
)
from corett.testing import factories
from corett.testing.factories import OrganisationFactory, PersonFactory, PresidencyTermFactory

pytestmark = pytest.mark.django_db

ALL_USERS = [
    "admin_user", "secretariat_user", "presidency_user", "observer_user", "partner_user",
    "focal_gt", "focal_hn", "caseworker_gt", "caseworker_hn", "supervisor_gt", "trainer_gt",
]
STAFF = {"admin_user", "secretariat_user"}
REGIONAL = STAFF | {"presidency_user"}
GT_USERS = {"focal_gt", "caseworker_gt", "supervisor_gt", "trainer_gt"}


@pytest.fixture
def gt_org(gt):
    return OrganisationFactory.create(country=gt, name="Procuraduría General GT", acronym="PGN")


@pytest.fixture
def hn_org(hn):
    return OrganisationFactory.create(country=hn, name="Ministerio Público HN")


@pytest.fixture
def gt_private(gt_org):
    """A Guatemalan contact visible to Guatemala and the regional roles only."""
    return PersonFactory.create(organisation=gt_org, full_name="Lucía Privada", visibility=Visibility.COUNTRY)


@pytest.fixture
def gt_public(gt_org):
    return PersonFactory.create(organisation=gt_org, full_name="Mario Público", visibility=Visibility.COALITION)


@pytest.fixture
def presidency(gt):
    return PresidencyTermFactory.create(country=gt)


@pytest.fixture
def secretariat(gt_org):
    return SecretariatTerm.objects.create(organisation=gt_org, started_on=dt.date(2021, 1, 1))


def _status(client_as, request, fixture: str, url: str) -> int:
    return client_as(request.getfixturevalue(fixture)).get(url).status_code


def _org_data(org: Organisation | None = None, **overrides) -> dict:
    data = {
        "name": org.name if org else "Fiscalía contra la Trata",
        "acronym": org.acronym if org else "FCT",
        "kind": org.kind if org else OrganisationKind.GOVERNMENT_INSTITUTION,
        "country": org.country_id if org else "",
        "parent": (org.parent_id or "") if org else "",
        "website": org.website if org else "https://fiscalia.example.org",
        "email": org.email if org else "contacto@fiscalia.example.org",
        "phone": org.phone if org else "",
        "address": org.address if org else "",
        "languages": org.languages if org else ["es"],
    }
    data.update(overrides)
    return data


def _person_data(person: Person | None = None, **overrides) -> dict:
    data = {
        "full_name": person.full_name if person else "Ana Nueva",
        "position": person.position if person else "Enlace",
        "organisation": person.organisation_id if person else "",
        "email": person.email if person else "ana@example.org",
        "phone": person.phone if person else "",
        "languages": person.languages if person else ["es"],
        "visibility": person.visibility if person else Visibility.COUNTRY,
    }
    if person and person.is_focal_point:
        data["is_focal_point"] = "on"
    if person and person.is_alternate_focal_point:
        data["is_alternate_focal_point"] = "on"
    data.update(overrides)
    return data


def _denials(permission: str) -> int:
    return AuditEntry.objects.filter(action="access.denied", extra__permission=permission).count()


# --- Who reaches what --------------------------------------------------------------------------


class TestAccess:
    @pytest.mark.parametrize(
        "name",
        ["country_list", "organisation_list", "person_list", "offices"],
    )
    def test_every_role_reaches_the_lists_and_the_offices(self, name, client_as, request, gt):
        url = reverse(f"directory:{name}")
        for fixture in ALL_USERS:
            assert _status(client_as, request, fixture, url) == 200, fixture

    @pytest.mark.parametrize(
        "name",
        ["country_list", "organisation_list", "person_list", "offices", "organisation_create",
         "person_create", "presidency_create", "secretariat_create"],
    )
    def test_it_refuses_a_user_without_a_role(self, name, client_as, gt):
        user = factories.UserFactory.create(roles=[])
        assert client_as(user).get(reverse(f"directory:{name}")).status_code == 403

    def test_it_sends_anonymous_visitors_to_the_login_page(self, client, gt_org, gt_private):
        urls = [
            reverse("directory:country_list"),
            reverse("directory:country_detail", args=["GT"]),
            reverse("directory:organisation_detail", args=[gt_org.pk]),
            reverse("directory:person_detail", args=[gt_private.pk]),
            reverse("directory:export", kwargs={"kind": "people", "fmt": "csv"}),
        ]
        for url in urls:
            response = client.get(url)
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("accounts:login"))

    def test_only_staff_edit_a_country(self, client_as, request, gt):
        url = reverse("directory:country_edit", args=["GT"])
        for fixture in ALL_USERS:
            expected = 200 if fixture in STAFF else 403
            assert _status(client_as, request, fixture, url) == expected, fixture

    def test_staff_and_focal_points_may_add_organisations(self, client_as, request, gt, hn):
        url = reverse("directory:organisation_create")
        for fixture in ALL_USERS:
            expected = 200 if fixture in STAFF | {"focal_gt", "focal_hn"} else 403
            assert _status(client_as, request, fixture, url) == expected, fixture

    def test_only_staff_and_the_own_focal_point_edit_an_organisation(self, client_as, request, gt_org):
        url = reverse("directory:organisation_edit", args=[gt_org.pk])
        for fixture in ALL_USERS:
            expected = 200 if fixture in STAFF | {"focal_gt"} else 403
            assert _status(client_as, request, fixture, url) == expected, fixture

    def test_it_hides_country_only_people_from_other_countries(self, client_as, request, gt_private):
        url = reverse("directory:person_detail", args=[gt_private.pk])
        for fixture in ALL_USERS:
            expected = 200 if fixture in REGIONAL | GT_USERS else 404
            assert _status(client_as, request, fixture, url) == expected, fixture

    def test_everyone_sees_a_coalition_wide_contact(self, client_as, request, gt_public):
        url = reverse("directory:person_detail", args=[gt_public.pk])
        for fixture in ALL_USERS:
            assert _status(client_as, request, fixture, url) == 200, fixture

    def test_editing_a_hidden_person_is_a_404_and_a_visible_one_of_another_country_a_403(
        self, client_as, request, gt_private, gt_public
    ):
        for person, refusal_of_others in ((gt_private, 404), (gt_public, 403)):
            url = reverse("directory:person_edit", args=[person.pk])
            for fixture in ALL_USERS:
                if fixture in STAFF | {"focal_gt"}:
                    expected = 200
                elif fixture in REGIONAL | GT_USERS:
                    expected = 403  # may see, may not edit
                else:
                    expected = refusal_of_others
                assert _status(client_as, request, fixture, url) == expected, (person, fixture)

    @pytest.mark.parametrize("name", ["presidency_create", "secretariat_create"])
    def test_only_staff_record_office_terms(self, name, client_as, request, gt):
        url = reverse(f"directory:{name}")
        for fixture in ALL_USERS:
            expected = 200 if fixture in STAFF else 403
            assert _status(client_as, request, fixture, url) == expected, fixture

    def test_only_staff_edit_office_terms_and_record_memberships(
        self, client_as, request, presidency, secretariat, gt_org
    ):
        urls = [
            reverse("directory:presidency_edit", args=[presidency.pk]),
            reverse("directory:secretariat_edit", args=[secretariat.pk]),
            reverse("directory:membership_add", args=[gt_org.pk]),
        ]
        for url in urls:
            for fixture in ALL_USERS:
                expected = 200 if fixture in STAFF else 403
                assert _status(client_as, request, fixture, url) == expected, (url, fixture)

    def test_unknown_ids_are_404(self, client_as, admin_user, gt):
        client = client_as(admin_user)
        urls = [
            reverse("directory:country_detail", args=["ZZ"]),
            reverse("directory:country_edit", args=["ZZ"]),
            reverse("directory:organisation_detail", args=[999999]),
            reverse("directory:organisation_edit", args=[999999]),
            reverse("directory:membership_add", args=[999999]),
            reverse("directory:person_detail", args=[999999]),
            reverse("directory:person_edit", args=[999999]),
            reverse("directory:presidency_edit", args=[999999]),
            reverse("directory:secretariat_edit", args=[999999]),
            "/directory/export/users.csv",
            "/directory/export/people.pdf",
        ]
        for url in urls:
            assert client.get(url).status_code == 404, url

    def test_a_country_is_found_by_its_code_in_either_case(self, client_as, observer_user, gt):
        client = client_as(observer_user)
        assert client.get(reverse("directory:country_detail", args=["gt"])).status_code == 200
        assert client.get(reverse("directory:country_detail", args=["GT"])).status_code == 200


# --- Lists -------------------------------------------------------------------------------------


class TestOrganisationList:
    url = "/directory/organisations/"

    def test_it_searches_by_name_or_acronym(self, client_as, observer_user, gt_org, hn_org):
        client = client_as(observer_user)
        page = client.get(self.url, {"q": "pgn"}).content.decode()
        assert gt_org.name in page and hn_org.name not in page

    def test_it_filters_by_country_kind_and_membership(self, client_as, observer_user, gt, hn, gt_org, hn_org):
        commission = OrganisationFactory.create(country=gt, name="SVET", kind=OrganisationKind.NATIONAL_COMMISSION)
        CoalitionMembership.objects.create(
            organisation=commission, status=Membership.MEMBER, started_on=dt.date(2015, 1, 1)
        )
        CoalitionMembership.objects.create(  # ended: no longer current
            organisation=gt_org, status=Membership.MEMBER, started_on=dt.date(2015, 1, 1),
            ended_on=dt.date(2016, 1, 1),
        )
        client = client_as(observer_user)

        def names(**params) -> set[str]:
            response = client.get(self.url, params)
            return {o.name for o in response.context["page"].object_list}

        assert names(country="HN") == {hn_org.name}
        assert names(kind="national_commission") >= {"SVET"}
        assert gt_org.name not in names(kind="national_commission")
        assert names(membership="member") == {"SVET"}
        assert "SVET" not in names(membership="none") and gt_org.name in names(membership="none")

    def test_an_invalid_filter_is_reported_at_its_field_and_ignored(self, client_as, observer_user, gt_org, hn_org):
        response = client_as(observer_user).get(self.url, {"country": "ZZ", "q": "Procuraduría"})
        assert response.status_code == 200
        assert "country" in response.context["form"].errors
        assert [o.name for o in response.context["page"].object_list] == [gt_org.name]

    def test_it_paginates_by_25(self, client_as, observer_user, gt):
        OrganisationFactory.create_batch(30, country=gt)
        client = client_as(observer_user)
        assert len(client.get(self.url).context["page"].object_list) == 25
        second = client.get(self.url, {"page": 2}).context["page"]
        assert second.number == 2 and len(second.object_list) >= 5
        assert client.get(self.url, {"page": "nonsense"}).status_code == 200

    def test_it_sorts_by_country(self, client_as, observer_user, gt_org, hn_org):
        client = client_as(observer_user)
        ascending = [o.pk for o in client.get(self.url, {"sort": "country"}).context["page"].object_list]
        descending = [o.pk for o in client.get(self.url, {"sort": "-country"}).context["page"].object_list]
        assert ascending.index(gt_org.pk) < ascending.index(hn_org.pk)
        assert descending.index(hn_org.pk) < descending.index(gt_org.pk)

    def test_htmx_gets_only_the_results_and_the_page_works_without_javascript(
        self, client_as, observer_user, gt_org
    ):
        client = client_as(observer_user)
        full = client.get(self.url, {"q": "Procu"})
        assert b"<html" in full.content and b'id="organisation-results"' in full.content
        assert b'hx-get="/directory/organisations/"' in full.content
        assert b'type="submit"' in full.content  # the plain GET form works without JavaScript
        partial = client.get(
            self.url, {"q": "Procu"}, headers={"HX-Request": "true", "HX-Target": "organisation-results"}
        )
        assert b"<html" not in partial.content
        assert gt_org.name.encode() in partial.content
        assert "HX-Request" in partial["Vary"]
        restore = client.get(
            self.url, headers={"HX-Request": "true", "HX-Target": "organisation-results",
                               "HX-History-Restore-Request": "true"},
        )
        assert b"<html" in restore.content

    def test_the_filter_selects_keep_their_choice_their_labels_and_their_htmx_wiring(
        self, client_as, observer_user, gt, hn
    ):
        page = client_as(observer_user).get(self.url, {"country": "HN", "kind": "consulate"}).content.decode()
        select = page[page.index('<select name="country"'):]
        select = select[: select.index("</select>")]
        assert 'class="form-select"' in select and 'id="id_country"' in select
        assert 'hx-get="/directory/organisations/"' in select and 'aria-controls="organisation-results"' in select
        assert '<option value="HN" selected>' in select and '<option value="GT">' in select
        assert '<option value="">' in select  # "All countries"
        assert '<option value="consulate" selected>' in page

    def test_every_row_links_to_its_organisation_and_country(self, client_as, observer_user, gt_org):
        page = client_as(observer_user).get(self.url).content.decode()
        assert f'href="{reverse("directory:organisation_detail", args=[gt_org.pk])}"' in page
        assert f'href="{reverse("directory:country_detail", args=["GT"])}"' in page

    def test_a_row_shows_each_value_escaped_and_labelled_in_the_readers_language(
        self, client_as, observer_user, gt
    ):
        regional = OrganisationFactory.create(
            country=None, name='<b>"Red" & Co</b>', acronym="R&C", kind=OrganisationKind.DONOR, email=""
        )
        CoalitionMembership.objects.create(
            organisation=regional, status=Membership.OBSERVER, started_on=dt.date(2015, 1, 1),
            ended_on=dt.date(2016, 1, 1),
        )
        member = OrganisationFactory.create(country=gt, name="Comisión", acronym="", kind=OrganisationKind.CONSULATE)
        CoalitionMembership.objects.create(
            organisation=member, status=Membership.PARTNER, started_on=dt.date(2015, 1, 1)
        )
        client = client_as(observer_user)
        page = client.get(self.url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        row = page[page.index(f'href="{regional.get_absolute_url()}"'):]
        row = row[: row.index("</tr>")]
        assert '>&lt;b&gt;&quot;Red&quot; &amp; Co&lt;/b&gt;</a> <span class="text-body-secondary">(R&amp;C)</span>' in row
        assert "<td>Donor</td>" in row
        assert '<td><span class="text-body-secondary">Regional</span></td>' in row
        assert '<td><span class="text-body-secondary">—</span></td>' in row  # the membership ended
        assert "<td></td>" in row  # no e-mail
        client.cookies["django_language"] = "es"
        page = client.get(self.url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
        row = page[page.index(f'href="{member.get_absolute_url()}"'):]
        row = row[: row.index("</tr>")]
        assert ">Comisión</a></th>" in row and "<td>Consulado</td>" in row and "<td>Socio</td>" in row
        assert f'<a href="{gt.get_absolute_url()}">{gt.name_es}</a>' in row

    def test_the_add_button_is_shown_to_those_who_may_add(self, client_as, request, gt, hn):
        add = f'href="{reverse("directory:organisation_create")}"'
        for fixture in ALL_USERS:
            page = client_as(request.getfixturevalue(fixture)).get(self.url).content.decode()
            assert (add in page) == (fixture in STAFF | {"focal_gt", "focal_hn"}), fixture

    def test_contact_emails_are_mailto_links(self, client_as, observer_user, gt):
        OrganisationFactory.create(country=gt, email="info@svet.example.org")
        page = client_as(observer_user).get(self.url).content.decode()
        assert 'href="mailto:info@svet.example.org"' in page

    def test_its_query_count_does_not_grow_with_the_data(
        self, client_as, focal_gt, gt, django_assert_max_num_queries
    ):
        for org in OrganisationFactory.create_batch(30, country=gt):
            CoalitionMembership.objects.create(
                organisation=org, status=Membership.MEMBER, started_on=dt.date(2015, 1, 1)
            )
        client = client_as(focal_gt)
        client.get(self.url)  # warm the session
        # 9 + 1: the navigation's unread-notifications count. (The user's country, which the
        # "add" button's rule reads, comes from the countries the filter offers.)
        with django_assert_max_num_queries(10):
            response = client.get(self.url, {"membership": "member", "sort": "country"})
        assert len(response.context["page"].object_list) == 25


class TestPersonList:
    url = "/directory/people/"

    def test_it_hides_other_countries_country_only_people(
        self, client_as, focal_hn, gt_private, gt_public, hn_org
    ):
        own = PersonFactory.create(organisation=hn_org, full_name="Hondureña Privada")
        page = client_as(focal_hn).get(self.url).content.decode()
        assert gt_private.full_name not in page
        assert gt_public.full_name in page
        assert own.full_name in page

    def test_it_lists_focal_points_first_and_marks_them(self, client_as, focal_gt, gt_org):
        PersonFactory.create(organisation=gt_org, full_name="Aaron Regular")
        focal = PersonFactory.create(organisation=gt_org, full_name="Zoila Enlace", is_focal_point=True)
        response = client_as(focal_gt).get(self.url)
        assert response.context["page"].object_list[0] == focal
        assert "badge" in response.content.decode().split("Zoila Enlace", 1)[1][:200]

    def test_it_filters_by_country_organisation_and_focal_points(
        self, client_as, secretariat_user, gt_org, hn_org
    ):
        other_gt = OrganisationFactory.create(country=gt_org.country)
        a = PersonFactory.create(organisation=gt_org, is_focal_point=True)
        b = PersonFactory.create(organisation=other_gt)
        c = PersonFactory.create(organisation=hn_org, is_alternate_focal_point=True)
        client = client_as(secretariat_user)

        def people(**params) -> set[Person]:
            return set(client.get(self.url, params).context["page"].object_list)

        assert people(country="GT") == {a, b}
        assert people(organisation=other_gt.pk) == {b}
        assert people(focal="on") == {a, c}
        assert people(focal="on", country="HN") == {c}
        assert people(q=a.full_name) == {a}

    def test_the_organisation_filter_is_a_hidden_input_named_in_the_results(
        self, client_as, focal_gt, gt_org, gt_public
    ):
        other = OrganisationFactory.create(country=gt_org.country, name="Otra institución")
        PersonFactory.create(organisation=other, full_name="Persona de Otra", visibility=Visibility.COALITION)
        client = client_as(focal_gt)
        page = client.get(self.url, {"organisation": gt_org.pk, "q": "Mario"}).content.decode()
        # No <select> of every organisation: the filter travels as a hidden input...
        assert 'id="id_organisation"' in page and 'type="hidden"' in page.split('id="id_organisation"')[0][-80:]
        assert f'<option value="{other.pk}"' not in page
        # ...and the results say which organisation, with a way back to all of them.
        assert "Persona de Otra" not in page and gt_public.full_name in page
        assert str(gt_org) in page
        assert 'href="?q=Mario"' in page
        unfiltered = client.get(self.url).content.decode()
        assert "Persona de Otra" in unfiltered and 'href="?q=' not in unfiltered

    def test_an_organisation_filter_it_may_not_use_is_reported_and_ignored(self, client_as, focal_gt, gt_public):
        response = client_as(focal_gt).get(self.url, {"organisation": "999999"})
        assert response.status_code == 200
        assert "organisation" in response.context["form"].errors
        assert 'role="alert"' in response.content.decode()
        assert gt_public in response.context["page"].object_list

    def test_the_organisation_page_links_to_its_people_in_the_list(self, client_as, focal_gt, gt_org, gt_public):
        page = client_as(focal_gt).get(reverse("directory:organisation_detail", args=[gt_org.pk])).content.decode()
        assert f'href="{self.url}?organisation={gt_org.pk}"' in page

    def test_htmx_gets_only_the_results(self, client_as, focal_gt, gt_public):
        partial = client_as(focal_gt).get(
            self.url, {"q": "Mario"}, headers={"HX-Request": "true", "HX-Target": "person-results"}
        )
        assert b"<html" not in partial.content and gt_public.full_name.encode() in partial.content

    def test_its_query_count_does_not_grow_with_the_data(
        self, client_as, focal_gt, gt, hn, django_assert_max_num_queries
    ):
        for iso2 in ("GT", "HN"):
            org = OrganisationFactory.create(country=factories.country(iso2))
            PersonFactory.create_batch(15, organisation=org, visibility=Visibility.COALITION)
        client = client_as(focal_gt)
        client.get(self.url)
        # 10 + 1: the navigation's unread-notifications count.
        with django_assert_max_num_queries(11):
            response = client.get(self.url, {"sort": "organisation"})
        assert len(response.context["page"].object_list) == 25


# --- Detail pages ------------------------------------------------------------------------------


class TestDetails:
    def test_an_organisation_shows_its_memberships_children_and_visible_people(
        self, client_as, focal_hn, gt_org, gt_private, gt_public
    ):
        child = OrganisationFactory.create(country=gt_org.country, parent=gt_org, name="Unidad de Trata")
        CoalitionMembership.objects.create(
            organisation=gt_org, status=Membership.OBSERVER, started_on=dt.date(2019, 3, 1)
        )
        response = client_as(focal_hn).get(gt_org.get_absolute_url())
        page = response.content.decode()
        assert child.name in page
        assert gt_public.full_name in page and gt_private.full_name not in page
        assert "2019" in page
        # Honduras' focal point may read Guatemala's organisation but not change it.
        assert reverse("directory:organisation_edit", args=[gt_org.pk]) not in page
        assert reverse("directory:membership_add", args=[gt_org.pk]) not in page

    def test_the_edit_button_shows_when_the_policy_allows(self, client_as, focal_gt, gt_org):
        page = client_as(focal_gt).get(gt_org.get_absolute_url()).content.decode()
        assert reverse("directory:organisation_edit", args=[gt_org.pk]) in page

    def test_a_country_shows_its_commission_focal_points_organisations_and_presidencies(
        self, client_as, focal_hn, gt, gt_org, presidency
    ):
        commission = OrganisationFactory.create(
            country=gt, kind=OrganisationKind.NATIONAL_COMMISSION, name="SVET"
        )
        focal = PersonFactory.create(organisation=commission, full_name="Focal Público", is_focal_point=True,
                              visibility=Visibility.COALITION)
        hidden = PersonFactory.create(organisation=commission, full_name="Alterna Privada",
                               is_alternate_focal_point=True, visibility=Visibility.COUNTRY)
        response = client_as(focal_hn).get(reverse("directory:country_detail", args=["GT"]))
        page = response.content.decode()
        assert "SVET" in page and gt_org.name in page
        assert focal.full_name in page and hidden.full_name not in page
        assert list(response.context["presidency_terms"]) == [presidency]
        assert reverse("directory:country_edit", args=["GT"]) not in page

    def test_a_person_page_shows_contact_details(self, client_as, focal_gt, gt_private):
        page = client_as(focal_gt).get(gt_private.get_absolute_url()).content.decode()
        assert f'href="mailto:{gt_private.email}"' in page
        assert reverse("directory:person_edit", args=[gt_private.pk]) in page

    def test_the_offices_page_names_a_head_only_to_those_who_may_see_them(
        self, client_as, focal_hn, secretariat_user, gt_org, gt_private, presidency
    ):
        SecretariatTerm.objects.create(organisation=gt_org, head=gt_private, started_on=dt.date(2024, 1, 1))
        assert gt_private.full_name not in client_as(focal_hn).get("/directory/offices/").content.decode()
        page = client_as(secretariat_user).get("/directory/offices/").content.decode()
        assert gt_private.full_name in page
        assert reverse("directory:presidency_edit", args=[presidency.pk]) in page


# --- Organisations: create and edit ------------------------------------------------------------


class TestOrganisationForms:
    def test_a_focal_point_edits_their_countrys_organisation_and_the_audit_names_the_fields(
        self, client_as, focal_gt, gt_org
    ):
        url = reverse("directory:organisation_edit", args=[gt_org.pk])
        data = _org_data(gt_org, name="Procuraduría General de la Nación", email="pgn@example.gt")
        response = client_as(focal_gt).post(url, data)
        assert response.status_code == 302 and response["Location"] == gt_org.get_absolute_url()
        gt_org.refresh_from_db()
        assert gt_org.name == "Procuraduría General de la Nación"
        entry = AuditEntry.objects.get(action="directory.organisation.update")
        assert entry.actor_id == focal_gt.pk and entry.object_id == str(gt_org.pk)
        assert entry.changed_fields == ["email", "name"]
        stored = json.dumps([entry.extra, entry.changed_fields])
        assert "pgn@example.gt" not in stored and "Nación" not in stored

    def test_a_focal_point_is_offered_only_their_own_country(self, client_as, focal_gt, hn):
        form = client_as(focal_gt).get(reverse("directory:organisation_create")).context["form"]
        assert [c.iso2 for c in form.fields["country"].offered] == ["GT"]
        assert form.fields["country"].required

    def test_a_focal_point_creates_an_organisation_in_their_country(self, client_as, focal_gt, gt):
        response = client_as(focal_gt).post(reverse("directory:organisation_create"), _org_data(country=gt.pk))
        created = Organisation.objects.get(name="Fiscalía contra la Trata")
        assert response.status_code == 302 and response["Location"] == created.get_absolute_url()
        assert created.country == gt and created.languages == ["es"]
        assert AuditEntry.objects.filter(action="directory.organisation.create", object_id=str(created.pk)).exists()

    def test_a_forged_post_for_another_country_is_refused_and_nothing_is_saved(
        self, client_as, focal_gt, hn
    ):
        response = client_as(focal_gt).post(reverse("directory:organisation_create"), _org_data(country=hn.pk))
        assert response.status_code == 403
        assert not Organisation.objects.filter(name="Fiscalía contra la Trata").exists()
        assert _denials("directory.add_organisation") == 1

    def test_another_countrys_focal_point_cannot_post_to_an_organisation(
        self, client_as, focal_hn, gt_org
    ):
        url = reverse("directory:organisation_edit", args=[gt_org.pk])
        response = client_as(focal_hn).post(url, _org_data(gt_org, name="Hijacked"))
        assert response.status_code == 403
        gt_org.refresh_from_db()
        assert gt_org.name == "Procuraduría General GT"
        assert _denials("directory.change_organisation") == 1

    def test_a_focal_point_cannot_move_an_organisation_to_another_country(
        self, client_as, focal_gt, gt_org, hn
    ):
        url = reverse("directory:organisation_edit", args=[gt_org.pk])
        response = client_as(focal_gt).post(url, _org_data(gt_org, country=hn.pk))
        assert response.status_code == 403
        gt_org.refresh_from_db()
        assert gt_org.country.iso2 == "GT"

    def test_an_invalid_website_is_reported_at_the_field(self, client_as, focal_gt, gt_org):
        url = reverse("directory:organisation_edit", args=[gt_org.pk])
        response = client_as(focal_gt).post(url, _org_data(gt_org, name="Changed", website="not a url"))
        assert response.status_code == 200
        assert "website" in response.context["form"].errors
        assert b'id="id_website_error"' in response.content
        gt_org.refresh_from_db()
        assert gt_org.name == "Procuraduría General GT"

    def test_a_model_rule_broken_in_the_service_is_shown_at_the_field(self, client_as, secretariat_user, gt):
        # A national commission without a country passes the form; the model refuses it.
        data = _org_data(kind=OrganisationKind.NATIONAL_COMMISSION, country="")
        response = client_as(secretariat_user).post(reverse("directory:organisation_create"), data)
        assert response.status_code == 200
        form = response.context["form"]
        assert "country" in form.errors
        assert form["country"].field.widget.attrs["aria-invalid"] == "true"
        assert not Organisation.objects.filter(name="Fiscalía contra la Trata").exists()

    def test_an_organisation_cannot_become_its_own_ancestor(self, client_as, secretariat_user, gt_org):
        child = OrganisationFactory.create(country=gt_org.country, parent=gt_org)
        url = reverse("directory:organisation_edit", args=[gt_org.pk])
        response = client_as(secretariat_user).post(url, _org_data(gt_org, parent=child.pk))
        assert response.status_code == 200
        assert "parent" in response.context["form"].errors
        gt_org.refresh_from_db()
        assert gt_org.parent_id is None
        # The page shows the record as stored, not the refused input.
        assert response.context["form"].instance.parent_id is None

    def test_staff_may_record_a_regional_body_without_a_country(self, client_as, secretariat_user):
        data = _org_data(kind=OrganisationKind.INTERGOVERNMENTAL, name="OIM", country="")
        response = client_as(secretariat_user).post(reverse("directory:organisation_create"), data)
        assert response.status_code == 302
        assert Organisation.objects.get(name="OIM").country is None

    def test_staff_record_a_membership_and_bad_dates_are_refused_at_the_field(
        self, client_as, secretariat_user, gt_org
    ):
        client = client_as(secretariat_user)
        url = reverse("directory:membership_add", args=[gt_org.pk])
        bad = client.post(url, {"status": "member", "started_on": "2020-05-01", "ended_on": "2019-01-01"})
        assert bad.status_code == 200 and "ended_on" in bad.context["form"].errors
        assert not CoalitionMembership.objects.exists()
        good = client.post(url, {"status": "member", "started_on": "2020-05-01"})
        assert good.status_code == 302
        assert gt_org.memberships.get().started_on == dt.date(2020, 5, 1)

    def test_a_focal_point_cannot_record_memberships(self, client_as, focal_gt, gt_org):
        url = reverse("directory:membership_add", args=[gt_org.pk])
        response = client_as(focal_gt).post(url, {"status": "member", "started_on": "2020-05-01"})
        assert response.status_code == 403 and not CoalitionMembership.objects.exists()


# --- People: create and edit -------------------------------------------------------------------


class TestPersonForms:
    def test_a_focal_point_is_offered_only_their_countrys_organisations(
        self, client_as, focal_gt, gt_org, hn_org
    ):
        form = client_as(focal_gt).get(reverse("directory:person_create")).context["form"]
        offered = {o.country.iso2 for o in form.fields["organisation"].offered}
        assert offered == {"GT"}

    def test_the_edit_form_shows_the_current_organisation_chosen(self, client_as, focal_gt, gt_org, gt_private):
        OrganisationFactory.create(country=gt_org.country, name="Another <b>GT</b> body")
        page = client_as(focal_gt).get(reverse("directory:person_edit", args=[gt_private.pk])).content.decode()
        assert f'<option value="{gt_org.pk}" selected>{gt_org} · GT</option>' in page
        assert "Another &lt;b&gt;GT&lt;/b&gt; body · GT</option>" in page  # labels are escaped

    def test_a_focal_point_adds_a_person_to_their_country(self, client_as, focal_gt, gt_org):
        response = client_as(focal_gt).post(
            reverse("directory:person_create"), _person_data(organisation=gt_org.pk, is_focal_point="on")
        )
        person = Person.objects.get(full_name="Ana Nueva")
        assert response.status_code == 302 and response["Location"] == person.get_absolute_url()
        assert person.is_focal_point and person.organisation == gt_org

    def test_a_forged_post_adding_a_person_to_another_country_is_refused(
        self, client_as, focal_gt, hn_org
    ):
        response = client_as(focal_gt).post(
            reverse("directory:person_create"), _person_data(organisation=hn_org.pk)
        )
        assert response.status_code == 403
        assert not Person.objects.filter(full_name="Ana Nueva").exists()
        assert _denials("directory.add_person") == 1

    def test_a_focal_point_cannot_move_a_person_to_another_country(
        self, client_as, focal_gt, gt_private, hn_org
    ):
        url = reverse("directory:person_edit", args=[gt_private.pk])
        response = client_as(focal_gt).post(url, _person_data(gt_private, organisation=hn_org.pk))
        assert response.status_code == 403
        gt_private.refresh_from_db()
        assert gt_private.organisation.country.iso2 == "GT"

    def test_another_countrys_focal_point_gets_404_for_a_hidden_person_even_by_post(
        self, client_as, focal_hn, gt_private
    ):
        url = reverse("directory:person_edit", args=[gt_private.pk])
        response = client_as(focal_hn).post(url, _person_data(gt_private, full_name="Hijacked"))
        assert response.status_code == 404
        gt_private.refresh_from_db()
        assert gt_private.full_name == "Lucía Privada"

    def test_a_focal_point_edits_a_person_and_the_audit_names_the_fields(
        self, client_as, focal_gt, gt_private
    ):
        url = reverse("directory:person_edit", args=[gt_private.pk])
        response = client_as(focal_gt).post(url, _person_data(gt_private, phone="+502 5555 1234"))
        assert response.status_code == 302
        entry = AuditEntry.objects.get(action="directory.person.update")
        assert entry.changed_fields == ["phone"]
        assert "5555" not in json.dumps(entry.extra)

    def test_focal_point_and_alternate_at_once_is_refused_at_the_field(self, client_as, focal_gt, gt_org):
        data = _person_data(organisation=gt_org.pk, is_focal_point="on", is_alternate_focal_point="on")
        response = client_as(focal_gt).post(reverse("directory:person_create"), data)
        assert response.status_code == 200
        assert "is_alternate_focal_point" in response.context["form"].errors
        assert not Person.objects.filter(full_name="Ana Nueva").exists()

    def test_an_invalid_email_is_refused_at_the_field(self, client_as, focal_gt, gt_org):
        data = _person_data(organisation=gt_org.pk, email="not-an-email")
        response = client_as(focal_gt).post(reverse("directory:person_create"), data)
        assert response.status_code == 200 and "email" in response.context["form"].errors
        assert not Person.objects.exists()


# --- Countries and offices ---------------------------------------------------------------------


class TestCountryAndOfficeForms:
    def test_staff_edit_a_country_but_not_its_iso_codes(self, client_as, secretariat_user, gt):
        url = reverse("directory:country_edit", args=["GT"])
        data = {
            "iso2": "XX", "iso3": "XXX", "name_es": "República de Guatemala", "name_en": "Guatemala",
            "official_language": "es", "membership": "member", "member_since": "2011-01-01",
        }
        response = client_as(secretariat_user).post(url, data)
        assert response.status_code == 302
        gt.refresh_from_db()
        assert gt.name_es == "República de Guatemala" and gt.iso2 == "GT" and gt.iso3 == "GTM"
        assert AuditEntry.objects.get(action="directory.country.update").changed_fields == ["name_es"]

    def test_a_focal_point_cannot_edit_their_country(self, client_as, focal_gt, gt):
        url = reverse("directory:country_edit", args=["GT"])
        response = client_as(focal_gt).post(url, {"name_es": "Otro"})
        assert response.status_code == 403
        gt.refresh_from_db()
        assert gt.name_es == "Guatemala"

    def test_an_invalid_date_is_reported_at_the_field(self, client_as, secretariat_user, gt):
        url = reverse("directory:country_edit", args=["GT"])
        data = {"name_es": "Guatemala", "name_en": "Guatemala", "official_language": "es",
                "membership": "member", "member_since": "31/31/2011"}
        response = client_as(secretariat_user).post(url, data)
        assert response.status_code == 200 and "member_since" in response.context["form"].errors

    def test_staff_record_a_presidency_term(self, client_as, secretariat_user, hn):
        data = {"country": hn.pk, "started_on": "2027-01-01", "ended_on": "2027-06-30"}
        response = client_as(secretariat_user).post(reverse("directory:presidency_create"), data)
        assert response.status_code == 302 and response["Location"] == reverse("directory:offices")
        assert PresidencyTerm.objects.get().country == hn

    def test_an_overlapping_presidency_term_is_refused_at_the_field(
        self, client_as, secretariat_user, presidency, hn
    ):
        data = {"country": hn.pk, "started_on": "2026-06-01", "ended_on": "2027-05-31"}
        response = client_as(secretariat_user).post(reverse("directory:presidency_create"), data)
        assert response.status_code == 200
        assert "started_on" in response.context["form"].errors
        assert PresidencyTerm.objects.count() == 1

    def test_a_presidency_that_ends_before_it_starts_is_refused_at_the_field(
        self, client_as, secretariat_user, presidency
    ):
        url = reverse("directory:presidency_edit", args=[presidency.pk])
        data = {"country": presidency.country_id, "started_on": "2026-01-01", "ended_on": "2025-01-01"}
        response = client_as(secretariat_user).post(url, data)
        assert response.status_code == 200 and "ended_on" in response.context["form"].errors
        presidency.refresh_from_db()
        assert presidency.ended_on == dt.date(2026, 12, 31)

    def test_only_a_member_country_holds_the_presidency(self, client_as, secretariat_user):
        observer = Country.objects.create(
            iso2="ES", iso3="ESP", name_es="España", name_en="Spain", official_language="es",
            membership="observer",
        )
        data = {"country": observer.pk, "started_on": "2030-01-01", "ended_on": "2030-06-30"}
        response = client_as(secretariat_user).post(reverse("directory:presidency_create"), data)
        assert response.status_code == 200 and "country" in response.context["form"].errors
        assert not PresidencyTerm.objects.exists()

    def test_a_focal_point_cannot_record_a_presidency_term(self, client_as, focal_gt, gt):
        data = {"country": gt.pk, "started_on": "2027-01-01", "ended_on": "2027-06-30"}
        response = client_as(focal_gt).post(reverse("directory:presidency_create"), data)
        assert response.status_code == 403 and not PresidencyTerm.objects.exists()

    def test_staff_record_and_edit_a_secretariat_term(self, client_as, secretariat_user, gt_org, gt_public):
        client = client_as(secretariat_user)
        page = client.get(reverse("directory:secretariat_create")).content.decode()
        assert f'<option value="{gt_public.pk}">{gt_public.full_name}</option>' in page
        assert f'<option value="{gt_org.pk}">{gt_org} · GT</option>' in page
        data = {"organisation": gt_org.pk, "head": gt_public.pk, "started_on": "2024-01-01"}
        assert client.post(reverse("directory:secretariat_create"), data).status_code == 302
        term = SecretariatTerm.objects.get()
        assert term.head == gt_public and term.ended_on is None
        url = reverse("directory:secretariat_edit", args=[term.pk])
        bad = client.post(url, {**data, "ended_on": "2023-01-01"})
        assert bad.status_code == 200 and "ended_on" in bad.context["form"].errors
        assert client.post(url, {**data, "ended_on": "2025-12-31"}).status_code == 302
        term.refresh_from_db()
        assert term.ended_on == dt.date(2025, 12, 31)


def test_the_navigation_links_resolve(client_as, focal_gt, gt):
    page = client_as(focal_gt).get(reverse("directory:country_list")).content.decode()
    for name in ("country_list", "organisation_list", "person_list", "offices"):
        assert f'href="{reverse(f"directory:{name}")}"' in page


def test_the_navigation_marks_the_current_page_and_the_section(client_as, focal_gt, gt_org):
    client = client_as(focal_gt)
    page = client.get(reverse("directory:organisation_list")).content.decode()
    # The directory's entries are grouped in a menu of the navigation bar.
    assert 'class="dropdown-item active" href="/directory/organisations/" aria-current="page"' in page
    assert 'class="dropdown-item" href="/directory/people/">' in page
    detail = client.get(reverse("directory:organisation_detail", args=[gt_org.pk])).content.decode()
    assert 'class="dropdown-item active" href="/directory/organisations/">' in detail


def test_the_navigation_bar_is_each_users_own_in_their_language(client_as, focal_gt, admin_user):
    # The bar's markup is remembered per set of entries: one user's must never reach another.
    url = reverse("directory:organisation_list")
    users = f'href="{reverse("accounts:user_list")}"'
    admin = client_as(admin_user).get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    focal = client_as(focal_gt)
    english = focal.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert users in admin and users not in english
    assert ">People</a>" in english
    focal.cookies["django_language"] = "es"
    spanish = focal.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert ">Personas</a>" in spanish and ">People</a>" not in spanish
    # The same entries on another page: another active entry, another current one.
    people = focal.get(reverse("directory:person_list"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert 'class="dropdown-item active" href="/directory/people/" aria-current="page"' in people
    assert 'class="dropdown-item" href="/directory/organisations/">' in people


def test_a_partner_in_honduras_sees_no_edit_controls(client_as, gt_org):
    partner = factories.user_with(Role.PARTNER, "HN", username="partner-hn")
    page = client_as(partner).get(reverse("directory:organisation_list")).content.decode()
    assert reverse("directory:organisation_create") not in page
    assert "/directory/export/" not in page


def test_the_export_links_carry_the_current_filters(client_as, focal_gt, gt_org):
    page = client_as(focal_gt).get("/directory/organisations/", {"country": "GT", "page": 1}).content.decode()
    assert 'href="/directory/export/organisations.csv?country=GT"' in page
    assert 'href="/directory/export/organisations.xlsx?country=GT"' in page


def test_the_countries_and_offices_pages_do_not_grow_their_query_count(
    client_as, focal_hn, gt, hn, django_assert_max_num_queries
):
    for iso2 in ("BZ", "SV"):
        factories.country(iso2)
    for year in range(2000, 2020):
        PresidencyTermFactory.create(
            country=gt if year % 2 else hn, started_on=dt.date(year, 1, 1), ended_on=dt.date(year, 12, 31)
        )
    for year in range(2000, 2020):
        org = OrganisationFactory.create(country=gt)
        head = PersonFactory.create(organisation=org, visibility=Visibility.COALITION)
        SecretariatTerm.objects.create(
            organisation=org, head=head, started_on=dt.date(year, 1, 1), ended_on=dt.date(year, 12, 31)
        )
    client = client_as(focal_hn)
    client.get("/directory/countries/")
    # 8 and 12, + 1 each: the navigation's unread-notifications count.
    with django_assert_max_num_queries(9):
        assert client.get("/directory/countries/").status_code == 200
    with django_assert_max_num_queries(13):
        response = client.get("/directory/offices/")
    assert len(response.context["secretariat_terms"]) == 20
    assert all(head is not None for _, head in response.context["secretariat_terms"])
