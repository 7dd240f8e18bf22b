"""The profile page and personal API tokens."""

import pytest
from django.conf import settings
from django.urls import reverse

from corett.accounts.models import ApiToken
from corett.accounts.services import api_token_create
from corett.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

PROFILE = "/accounts/profile/"
SCHEMA = "/api/schema/"


def _profile_data(user, **changes):
    data = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "preferred_language": user.preferred_language,
    }
    data.update(changes)
    return data


def test_the_profile_shows_organisation_roles_and_2fa_status(client_as, caseworker_gt):
    response = client_as(caseworker_gt).get(PROFILE)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Comisión nacional GT" in body
    assert "Guatemala" in body
    assert 'data-testid="two-factor-status"' in body
    # Read-only: the form offers no way to change organisation or roles.
    assert set(response.context["form"].fields) == {"first_name", "last_name", "email", "preferred_language"}


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(PROFILE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_user_changes_their_name_and_email_and_it_is_audited_by_field_name(client_as, focal_gt):
    response = client_as(focal_gt).post(
        PROFILE, _profile_data(focal_gt, first_name="Lucía", email="lucia@example.org")
    )
    assert response.status_code == 302
    focal_gt.refresh_from_db()
    assert (focal_gt.first_name, focal_gt.email) == ("Lucía", "lucia@example.org")
    entry = AuditEntry.objects.get(action="accounts.profile.update")
    assert entry.changed_fields == ["email", "first_name"]
    assert "lucia@example.org" not in str(entry.content())


def test_a_bad_email_is_refused_at_the_field(client_as, focal_gt):
    response = client_as(focal_gt).post(PROFILE, _profile_data(focal_gt, email="not-an-address"))
    assert response.status_code == 200
    assert response.context["form"].errors["email"]
    focal_gt.refresh_from_db()
    assert focal_gt.email != "not-an-address"


def test_an_email_used_by_another_account_is_refused_at_the_field(client_as, focal_gt, focal_hn):
    response = client_as(focal_gt).post(PROFILE, _profile_data(focal_gt, email=focal_hn.email.upper()))
    assert response.context["form"].errors["email"]


def test_choosing_a_language_activates_it(client_as, focal_gt):
    client = client_as(focal_gt)
    response = client.post(PROFILE, _profile_data(focal_gt, preferred_language="en"))
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    focal_gt.refresh_from_db()
    assert focal_gt.preferred_language == "en"
    page = client.get(PROFILE).content.decode()
    assert '<html lang="en">' in page
    assert "My profile" in page


def test_a_token_is_shown_once_and_only_its_digest_is_kept(client_as, focal_gt):
    client = client_as(focal_gt)
    response = client.post(reverse("accounts:api_token_create"), {"name": "Statistics script"})
    assert response.status_code == 200
    raw = response.context["raw"]
    assert raw.startswith("ctt_")
    assert raw in response.content.decode()
    token = ApiToken.objects.get(user=focal_gt)
    assert token.digest == ApiToken.digest_of(raw)
    assert raw not in str(token.__dict__)
    assert response["Cache-Control"].startswith("max-age=0")
    # The profile lists it by name and hint, never in full.
    listing = client.get(PROFILE).content.decode()
    assert "Statistics script" in listing and token.hint in listing and raw not in listing
    entry = AuditEntry.objects.get(action="accounts.api_token.create")
    assert entry.actor_id == focal_gt.pk
    assert raw not in str(entry.content())


def test_a_token_without_a_name_is_refused_at_the_field(client_as, focal_gt):
    response = client_as(focal_gt).post(reverse("accounts:api_token_create"), {"name": "  "})
    assert response.context["token_form"].errors["name"]
    assert not ApiToken.objects.exists()


def test_a_token_works_against_the_api_only_until_revoked(client, client_as, focal_gt):
    token, raw = api_token_create(user=focal_gt, name="script")
    assert client.get(SCHEMA).status_code in (401, 403)
    response = client.get(SCHEMA, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None

    owner = client_as(focal_gt)
    revoke = owner.post(reverse("accounts:api_token_revoke", args=[token.pk]))
    assert revoke["Location"] == reverse("accounts:profile")
    token.refresh_from_db()
    assert token.revoked_at is not None
    owner.post(reverse("accounts:logout"))
    assert client.get(SCHEMA, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    assert AuditEntry.objects.filter(action="accounts.api_token.revoke", actor_id=focal_gt.pk).exists()


def test_another_users_token_cannot_be_revoked(client_as, focal_gt, focal_hn, admin_user):
    token, _raw = api_token_create(user=focal_gt, name="script")
    for other in (focal_hn, admin_user):
        response = client_as(other).post(reverse("accounts:api_token_revoke", args=[token.pk]))
        assert response.status_code == 404
    token.refresh_from_db()
    assert token.is_active


def test_revoking_needs_a_post(client_as, focal_gt):
    token, _raw = api_token_create(user=focal_gt, name="script")
    assert client_as(focal_gt).get(reverse("accounts:api_token_revoke", args=[token.pk])).status_code == 405


def test_a_user_without_any_role_cannot_create_tokens(client_as, make_user):
    from corett.testing.factories import UserFactory

    nobody = UserFactory.create(roles=[])
    response = client_as(nobody).post(reverse("accounts:api_token_create"), {"name": "x"})
    assert response.status_code == 403
    assert not ApiToken.objects.exists()
