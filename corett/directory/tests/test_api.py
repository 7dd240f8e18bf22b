"""The directory over the REST API: scoping, writes through the services, tokens, docs."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from corett.accounts.models import ApiToken
from corett.audit.models import AuditEntry
from corett.directory.models import Organisation, OrganisationKind, Person, Visibility
from corett.testing.factories import (
    OrganisationFactory,
    PersonFactory,
    PresidencyTermFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ALL_ROLES = [
    "admin_user", "secretariat_user", "presidency_user", "observer_user", "partner_user",
    "focal_gt", "caseworker_gt", "supervisor_gt", "trainer_gt",
]


def token_for(user, *, revoked: bool = False) -> str:
    raw = ApiToken.generate()
    ApiToken(
        user=user, name="test", digest=ApiToken.digest_of(raw), hint=raw[:8],
        revoked_at=timezone.now() if revoked else None,
    ).save()
    return raw


@pytest.fixture
def api(client):
    """``api(user)``: a client that authenticates every request with a fresh personal token."""

    def _as(user):
        raw = token_for(user)
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
        return client

    return _as


def ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


# --- Authentication ---------------------------------------------------------------------------


def test_anonymous_requests_are_refused_with_401(client):
    response = client.get(reverse("api:person-list"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_personal_token_authenticates(client, focal_gt):
    raw = token_for(focal_gt)
    response = client.get(reverse("api:person-list"), headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    assert ApiToken.objects.get(digest=ApiToken.digest_of(raw)).last_used_at is not None


def test_a_revoked_token_is_refused(client, focal_gt):
    raw = token_for(focal_gt, revoked=True)
    response = client.get(reverse("api:person-list"), headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 401


def test_an_unknown_token_is_refused(client, focal_gt):
    response = client.get(reverse("api:person-list"), headers={"Authorization": "Bearer ctt_nope"})
    assert response.status_code == 401


def test_the_token_of_a_deactivated_user_is_refused(client, focal_gt):
    raw = token_for(focal_gt)
    focal_gt.is_active = False
    focal_gt.save(update_fields=["is_active"])
    response = client.get(reverse("api:person-list"), headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 401


def test_the_session_authenticates_too(client_as, focal_gt):
    assert client_as(focal_gt).get(reverse("api:person-list")).status_code == 200


def test_a_user_without_any_role_is_refused(api, gt):
    nobody = UserFactory(organisation=OrganisationFactory.create(country=gt), roles=[])
    assert api(nobody).get(reverse("api:person-list")).status_code == 403


@pytest.mark.parametrize("who", ALL_ROLES)
def test_every_role_may_read_the_directory(request, api, who):
    client = api(request.getfixturevalue(who))
    for name in ("api:country-list", "api:organisation-list", "api:person-list", "api:presidency-term-list"):
        assert client.get(reverse(name)).status_code == 200, name


# --- Reading: scope ---------------------------------------------------------------------------


@pytest.fixture
def people(focal_gt, focal_hn):
    gt_org, hn_org = focal_gt.organisation, focal_hn.organisation
    return {
        "gt_private": PersonFactory.create(organisation=gt_org, visibility=Visibility.COUNTRY),
        "gt_public": PersonFactory.create(organisation=gt_org, visibility=Visibility.COALITION),
        "hn_private": PersonFactory.create(organisation=hn_org, visibility=Visibility.COUNTRY, is_focal_point=True),
    }


def test_people_are_scoped_by_country(api, focal_hn, people):
    response = api(focal_hn).get(reverse("api:person-list"))
    assert response.status_code == 200
    seen = ids(response)
    assert people["gt_private"].pk not in seen
    assert {people["gt_public"].pk, people["hn_private"].pk} <= seen


def test_a_person_of_another_country_is_404_not_403(api, focal_hn, people):
    client = api(focal_hn)
    assert client.get(reverse("api:person-detail", args=[people["gt_private"].pk])).status_code == 404
    assert client.patch(
        reverse("api:person-detail", args=[people["gt_private"].pk]), {"position": "x"}, content_type="application/json"
    ).status_code == 404
    assert client.get(reverse("api:person-detail", args=[people["gt_public"].pk])).status_code == 200


def test_regional_roles_see_everyone(api, secretariat_user, people):
    assert {p.pk for p in people.values()} <= ids(api(secretariat_user).get(reverse("api:person-list")))


def test_a_person_reads_as_documented(api, focal_gt, people):
    person = people["gt_private"]
    body = api(focal_gt).get(reverse("api:person-detail", args=[person.pk])).json()
    assert body == {
        "id": person.pk,
        "full_name": person.full_name,
        "position": person.position,
        "organisation": person.organisation_id,
        "country": "GT",
        "email": person.email,
        "phone": person.phone,
        "languages": ["es"],
        "is_focal_point": False,
        "is_alternate_focal_point": False,
        "visibility": "country",
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
    }


def test_people_filters(api, secretariat_user, people, focal_gt):
    client = api(secretariat_user)
    url = reverse("api:person-list")
    assert ids(client.get(url, {"country": "hn"})) == {people["hn_private"].pk}
    assert people["hn_private"].pk in ids(client.get(url, {"focal_point": "true"}))
    assert people["gt_public"].pk not in ids(client.get(url, {"focal_point": "true"}))
    assert people["hn_private"].pk not in ids(client.get(url, {"focal_point": "false"}))
    assert ids(client.get(url, {"q": people["gt_public"].full_name})) == {people["gt_public"].pk}
    assert ids(client.get(url, {"organisation": focal_gt.organisation_id})) == {
        people["gt_private"].pk, people["gt_public"].pk
    }


def test_a_malformed_filter_is_a_400_not_a_silent_no_op(api, focal_gt):
    client = api(focal_gt)
    response = client.get(reverse("api:person-list"), {"country": "Guatemala", "focal_point": "maybe"})
    assert response.status_code == 400
    assert set(response.json()) == {"country", "focal_point"}
    assert client.get(reverse("api:organisation-list"), {"kind": "pirates"}).status_code == 400


def test_organisation_filters(api, focal_gt, gt, hn):
    consulate = OrganisationFactory.create(country=hn, kind=OrganisationKind.CONSULATE, name="Consulado de Honduras", acronym="CHN")
    ngo = OrganisationFactory.create(country=gt, kind=OrganisationKind.PARTNER_NGO, name="Refugio de la Niñez")
    client = api(focal_gt)
    url = reverse("api:organisation-list")
    assert consulate.pk in ids(client.get(url, {"country": "HN"}))
    assert ngo.pk not in ids(client.get(url, {"country": "HN"}))
    assert ids(client.get(url, {"kind": "partner_ngo"})) == {ngo.pk}
    assert ids(client.get(url, {"q": "chn"})) == {consulate.pk}


def test_countries_are_looked_up_by_iso2(api, observer_user, gt, hn):
    client = api(observer_user)
    listed = client.get(reverse("api:country-list")).json()["results"]
    assert [c["iso2"] for c in listed] == ["GT", "HN"]
    assert client.get(reverse("api:country-detail", args=["gt"])).json()["name_en"] == "Guatemala"
    assert client.get(reverse("api:country-detail", args=["ZZ"])).status_code == 404


def test_presidency_terms_are_listed(api, partner_user, gt):
    term = PresidencyTermFactory.create(country=gt)
    body = api(partner_user).get(reverse("api:presidency-term-list")).json()
    assert body["results"] == [{"id": term.pk, "country": "GT", "started_on": "2026-01-01", "ended_on": "2026-12-31"}]


# --- Query counts -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "limit"),
    [("api:person-list", 5), ("api:organisation-list", 5), ("api:country-list", 5), ("api:presidency-term-list", 5)],
)
def test_list_endpoints_run_a_fixed_number_of_queries(api, focal_gt, gt, hn, name, limit, django_assert_max_num_queries):
    for iso in (gt, hn):
        for _ in range(3):
            org = OrganisationFactory.create(country=iso)
            PersonFactory.create_batch(4, organisation=org, visibility=Visibility.COALITION)
    PresidencyTermFactory.create(country=gt)
    client = api(focal_gt)
    # Token with its user and organisation, the last-used stamp, roles, count, page: never per row.
    with django_assert_max_num_queries(limit):
        response = client.get(reverse(name))
    assert response.status_code == 200
    assert response.json()["count"] >= 1


# --- Writing: organisations -------------------------------------------------------------------


def _org_payload(**overrides):
    return {"name": "Fiscalía contra la Trata", "acronym": "FCT", "kind": "government_institution",
            "country": "GT", "languages": ["es"], **overrides}


def test_a_focal_point_adds_an_organisation_in_their_country(api, focal_gt):
    response = api(focal_gt).post(reverse("api:organisation-list"), _org_payload(), content_type="application/json")
    assert response.status_code == 201, response.json()
    created = Organisation.objects.get(pk=response.json()["id"])
    assert (created.name, created.country_id) == ("Fiscalía contra la Trata", focal_gt.country_id)
    assert response.json()["country"] == "GT"
    entry = AuditEntry.objects.get(action="directory.organisation.create", object_id=str(created.pk))
    assert entry.actor_id == focal_gt.pk


def test_a_focal_point_cannot_add_an_organisation_in_another_country(api, focal_gt, hn):
    response = api(focal_gt).post(reverse("api:organisation-list"), _org_payload(country="HN"), content_type="application/json")
    assert response.status_code == 403
    assert not Organisation.objects.filter(name="Fiscalía contra la Trata").exists()
    refusal = AuditEntry.objects.get(action="access.denied", actor_id=focal_gt.pk)
    assert refusal.extra == {"api": "OrganisationViewSet.create", "permission": "directory.add_organisation"}


@pytest.mark.parametrize("who", ["observer_user", "partner_user", "caseworker_gt", "trainer_gt", "presidency_user"])
def test_other_roles_cannot_add_organisations(request, api, who):
    response = api(request.getfixturevalue(who)).post(
        reverse("api:organisation-list"), _org_payload(), content_type="application/json"
    )
    assert response.status_code == 403


def test_an_invalid_organisation_is_a_400_with_field_errors(api, focal_gt):
    response = api(focal_gt).post(
        reverse("api:organisation-list"),
        _org_payload(name="", kind="pirates", languages=["xx"], email="not-an-email"),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"name", "kind", "languages", "email"}
    assert not Organisation.objects.filter(acronym="FCT").exists()


def test_the_models_own_rules_come_back_as_field_errors(api, secretariat_user):
    # A national commission without a country passes the serializer; full_clean() refuses it.
    response = api(secretariat_user).post(
        reverse("api:organisation-list"), _org_payload(kind="national_commission", country=None),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["country"]
    assert not Organisation.objects.filter(acronym="FCT").exists()


def test_a_focal_point_changes_an_organisation_of_their_country_only(api, focal_gt, gt, hn):
    mine = OrganisationFactory.create(country=gt)
    theirs = OrganisationFactory.create(country=hn)
    client = api(focal_gt)
    response = client.patch(reverse("api:organisation-detail", args=[mine.pk]), {"phone": "+502 2411 0000"}, content_type="application/json")
    assert response.status_code == 200
    mine.refresh_from_db()
    assert mine.phone == "+502 2411 0000"
    entry = AuditEntry.objects.get(action="directory.organisation.update")
    assert entry.changed_fields == ["phone"]
    response = client.patch(reverse("api:organisation-detail", args=[theirs.pk]), {"phone": "1"}, content_type="application/json")
    assert response.status_code == 403
    # Moving one's own organisation to another country is refused by the service.
    response = client.patch(reverse("api:organisation-detail", args=[mine.pk]), {"country": "HN"}, content_type="application/json")
    assert response.status_code == 403
    mine.refresh_from_db()
    assert mine.country == gt


def test_a_full_update_replaces_the_organisation(api, secretariat_user, gt):
    org = OrganisationFactory.create(country=gt, acronym="OLD")
    response = api(secretariat_user).put(
        reverse("api:organisation-detail", args=[org.pk]), _org_payload(acronym=""), content_type="application/json"
    )
    assert response.status_code == 200
    org.refresh_from_db()
    assert (org.name, org.acronym) == ("Fiscalía contra la Trata", "")


# --- Writing: people --------------------------------------------------------------------------


def test_a_focal_point_adds_a_person_to_an_organisation_of_their_country(api, focal_gt, focal_hn):
    client = api(focal_gt)
    payload = {"full_name": "Lucía Pérez", "position": "Fiscal", "organisation": focal_gt.organisation_id,
               "email": "lucia@example.org", "languages": ["es", "en"], "visibility": "country"}
    response = client.post(reverse("api:person-list"), payload, content_type="application/json")
    assert response.status_code == 201, response.json()
    assert Person.objects.get(pk=response.json()["id"]).organisation == focal_gt.organisation
    payload["organisation"] = focal_hn.organisation_id
    response = client.post(reverse("api:person-list"), payload, content_type="application/json")
    assert response.status_code == 403
    assert Person.objects.filter(full_name="Lucía Pérez").count() == 1


def test_an_invalid_person_is_a_400_with_field_errors(api, focal_gt):
    response = api(focal_gt).post(
        reverse("api:person-list"),
        {"full_name": "", "organisation": 999999, "visibility": "everyone"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"full_name", "organisation", "visibility"}


def test_a_person_cannot_be_moved_to_another_countrys_organisation(api, focal_gt, focal_hn, people):
    person = people["gt_private"]
    response = api(focal_gt).patch(
        reverse("api:person-detail", args=[person.pk]), {"organisation": focal_hn.organisation_id},
        content_type="application/json",
    )
    assert response.status_code == 403
    person.refresh_from_db()
    assert person.organisation == focal_gt.organisation
    # Refused by the service's policy.authorize, which audits it once (the API adds no twin).
    refusals = AuditEntry.objects.filter(action="access.denied", actor_id=focal_gt.pk)
    assert [r.extra.get("permission") for r in refusals] == ["directory.add_person"]


def test_a_visible_person_of_another_country_cannot_be_changed(api, focal_hn, people):
    response = api(focal_hn).patch(
        reverse("api:person-detail", args=[people["gt_public"].pk]), {"position": "x"}, content_type="application/json"
    )
    assert response.status_code == 403


def test_a_person_update_records_field_names_only(api, focal_gt, people):
    person = people["gt_private"]
    response = api(focal_gt).patch(
        reverse("api:person-detail", args=[person.pk]), {"email": "nuevo.correo@mp.gob.gt"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["email"] == "nuevo.correo@mp.gob.gt"
    entry = AuditEntry.objects.get(action="directory.person.update")
    assert entry.changed_fields == ["email"]
    assert "nuevo.correo" not in str(entry.content())


def test_an_invalid_patch_changes_nothing(api, focal_gt, people):
    person = people["gt_private"]
    response = api(focal_gt).patch(
        reverse("api:person-detail", args=[person.pk]), {"email": "nope", "languages": ["klingon"]},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"email", "languages"}
    person.refresh_from_db()
    assert person.email.endswith("@example.org")


def test_delete_is_not_offered(api, secretariat_user, people):
    response = api(secretariat_user).delete(reverse("api:person-detail", args=[people["gt_public"].pk]))
    assert response.status_code in (403, 405)
    assert Person.objects.filter(pk=people["gt_public"].pk).exists()


# --- Schema and documentation -----------------------------------------------------------------


def test_the_schema_is_served_to_authenticated_users_only(client, client_as, focal_gt):
    assert client.get(reverse("api-schema")).status_code in (401, 403)
    response = client_as(focal_gt).get(reverse("api-schema"), {"format": "json"})
    assert response.status_code == 200
    assert "/api/v1/people/" in response.json()["paths"]


def test_the_docs_page_has_no_inline_script_or_style(client_as, focal_gt):
    client = client_as(focal_gt)
    response = client.get(reverse("api-docs"))
    assert response.status_code == 200
    html = response.content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    assert scripts, "the page loads Swagger UI"
    for attributes, body in scripts:
        assert "src=" in attributes and body.strip() == "", f"inline script: {body[:80]!r}"
    assert "<style" not in html and "style=" not in html
    assert "https://" not in html and "http://" not in html, "every asset from our own origin"
    assert '<html lang="' in html
    assert "script-src 'self'" in response["Content-Security-Policy"]
    # The initialisation script is its own same-origin response, as the policy requires.
    [init_src] = [re.findall(r'src="([^"]+)"', a)[0] for a, _ in scripts if "script=" in a]
    init = client.get(init_src.replace("&amp;", "&"))
    assert init.status_code == 200
    assert init["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in init.content.decode()
