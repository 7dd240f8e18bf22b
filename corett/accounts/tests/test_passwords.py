"""Password reset by e-mail, password change, and the idle timeout of sessions."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from corett.audit.models import AuditEntry
from corett.testing.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a brand new passphrase 2026"


def _link_from(message) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_a_reset_sends_an_email_with_a_link_that_sets_a_new_password(client, focal_gt, password_step):
    response = client.post(reverse("accounts:password_reset"), {"email": focal_gt.email.upper()})
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [focal_gt.email]
    assert "focal_point-gt" in message.body
    assert message.body.count(settings.SITE_ROOT) == 1

    form_page = client.get(_link_from(message), follow=True)
    assert form_page.context["validlink"]
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done["Location"] == reverse("accounts:password_reset_complete")
    focal_gt.refresh_from_db()
    assert focal_gt.check_password(NEW_PASSWORD)
    # The reset does not sign in: the second factor is only ever checked by the login view.
    assert client.session.get("_auth_user_id") is None
    assert AuditEntry.objects.filter(action="auth.password_reset", object_id=str(focal_gt.pk)).exists()
    assert password_step("focal_point-gt", NEW_PASSWORD).status_code == 302


def test_the_reset_link_works_once(client, focal_gt):
    client.post(reverse("accounts:password_reset"), {"email": focal_gt.email})
    link = _link_from(mail.outbox[0])
    page = client.get(link, follow=True)
    client.post(page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    again = client.get(link, follow=True)
    assert not again.context["validlink"]


def test_an_unknown_address_looks_the_same_but_sends_nothing(client, focal_gt):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_the_email_speaks_the_users_language(client, focal_gt):
    focal_gt.preferred_language = "en"
    focal_gt.save()
    client.post(reverse("accounts:password_reset"), {"email": focal_gt.email}, HTTP_ACCEPT_LANGUAGE="es")
    assert "reset your password" in mail.outbox[0].subject


def test_a_weak_new_password_is_refused_at_the_field(client, focal_gt):
    client.post(reverse("accounts:password_reset"), {"email": focal_gt.email})
    page = client.get(_link_from(mail.outbox[0]), follow=True)
    response = client.post(page.redirect_chain[-1][0], {"new_password1": "short", "new_password2": "short"})
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    focal_gt.refresh_from_db()
    assert focal_gt.check_password(TEST_PASSWORD)


def test_a_signed_in_user_changes_their_password_and_stays_signed_in(client_as, caseworker_gt):
    client = client_as(caseworker_gt)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response["Location"] == reverse("accounts:profile")
    caseworker_gt.refresh_from_db()
    assert caseworker_gt.check_password(NEW_PASSWORD)
    # Still signed in, and still past the second factor.
    assert client.get(reverse("core:home")).status_code == 200
    assert AuditEntry.objects.filter(action="auth.password_change", actor_id=caseworker_gt.pk).exists()


def test_a_wrong_old_password_is_refused_at_the_field(client_as, focal_gt):
    response = client_as(focal_gt).post(
        reverse("accounts:password_change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.context["form"].errors["old_password"]


def test_changing_the_password_needs_a_signed_in_user(client):
    response = client.get(reverse("accounts:password_change"))
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_session_lasts_the_configured_idle_time_and_slides_with_each_request(client, focal_gt, password_step):
    password_step("focal_point-gt")
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
    assert settings.SESSION_SAVE_EVERY_REQUEST

    key = client.session.session_key
    # Nearly idle for the whole period: one more request pushes the expiry forward again.
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + dt.timedelta(seconds=30))
    assert client.get(reverse("core:home")).status_code == 200
    expiry = Session.objects.get(session_key=key).expire_date
    assert expiry > timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)


def test_an_idle_session_has_expired(client, focal_gt, password_step):
    password_step("focal_point-gt")
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get(reverse("directory:country_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
