"""Signing in: password, then the second factor; recovery codes; forced enrolment; logout."""

import time

import pytest
from django.conf import settings
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from corett.accounts.tests.otp import totp_code, wrong_code
from corett.accounts.views import PENDING_LOGIN_SECONDS
from corett.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
CODE = "/accounts/login/code/"


def _session_user_id(client):
    return client.session.get("_auth_user_id")


def test_the_login_page_is_a_form_with_accessible_fields(client):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="id_username"' in body
    assert 'id="id_password"' in body
    assert '<label class="form-label" for="id_username">' in body
    assert 'type="submit"' in body


def test_a_user_without_a_device_signs_in_with_the_password_alone(password_step, client, focal_gt):
    response = password_step("focal_point-gt")
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    assert _session_user_id(client) == str(focal_gt.pk)


def test_a_wrong_password_is_refused_at_the_form(password_step, client, focal_gt):
    response = password_step("focal_point-gt", "not the password")
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert _session_user_id(client) is None


def test_a_user_with_a_device_must_give_a_code_before_being_signed_in(password_step, client, caseworker_gt):
    response = password_step("case_worker-gt")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login_two_factor")
    # The password alone does not sign in.
    assert _session_user_id(client) is None
    page = client.get(CODE)
    assert page.status_code == 200
    assert 'id="id_otp_token"' in page.content.decode()


def test_the_right_code_signs_in_and_verifies_the_session(password_step, client, caseworker_gt):
    device = TOTPDevice.objects.get(user=caseworker_gt)
    password_step("case_worker-gt")
    response = client.post(CODE, {"otp_token": totp_code(device)})
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    assert _session_user_id(client) == str(caseworker_gt.pk)
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    # Verified: the 2FA middleware lets the user through.
    assert client.get(reverse("core:home")).status_code == 200


def test_a_wrong_code_is_refused_and_counted_as_a_failed_login(password_step, client, caseworker_gt):
    device = TOTPDevice.objects.get(user=caseworker_gt)
    password_step("case_worker-gt")
    response = client.post(CODE, {"otp_token": wrong_code(device)})
    assert response.status_code == 200
    assert response.context["form"].errors["otp_token"]
    assert _session_user_id(client) is None
    failure = AuditEntry.objects.filter(action="auth.login_failed").get()
    assert failure.actor_username == "case_worker-gt"
    assert failure.object_id == str(caseworker_gt.pk)


def test_a_code_is_not_accepted_twice(password_step, client, caseworker_gt, no_otp_throttle):
    device = TOTPDevice.objects.get(user=caseworker_gt)
    code = totp_code(device)
    password_step("case_worker-gt")
    assert client.post(CODE, {"otp_token": code}).status_code == 302
    client.post(reverse("accounts:logout"))
    password_step("case_worker-gt")
    assert client.post(CODE, {"otp_token": code}).status_code == 200
    assert _session_user_id(client) is None


def test_a_recovery_code_works_once_only(password_step, client, caseworker_gt, no_otp_throttle):
    static = StaticDevice.objects.create(user=caseworker_gt, name="recovery codes")
    StaticToken.objects.create(device=static, token="abcd2345")
    password_step("case_worker-gt")
    # Typed with capitals and a hyphen, as people copy them.
    response = client.post(CODE, {"otp_token": "ABCD-2345"})
    assert response.status_code == 302
    assert _session_user_id(client) == str(caseworker_gt.pk)
    assert client.session[DEVICE_ID_SESSION_KEY] == static.persistent_id
    assert not StaticToken.objects.filter(device=static).exists()

    client.post(reverse("accounts:logout"))
    password_step("case_worker-gt")
    response = client.post(CODE, {"otp_token": "abcd2345"})
    assert response.status_code == 200
    assert _session_user_id(client) is None


def test_the_second_step_expires(password_step, client, caseworker_gt):
    device = TOTPDevice.objects.get(user=caseworker_gt)
    password_step("case_worker-gt")
    session = client.session
    session["corett_pending_login"]["expires"] = time.time() - 1
    session.save()
    response = client.post(CODE, {"otp_token": totp_code(device)})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert _session_user_id(client) is None
    assert PENDING_LOGIN_SECONDS <= 10 * 60


def test_the_second_step_without_a_password_step_goes_back_to_the_login(client, caseworker_gt):
    response = client.get(CODE)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")


def test_a_password_changed_in_between_ends_the_pending_sign_in(password_step, client, caseworker_gt):
    device = TOTPDevice.objects.get(user=caseworker_gt)
    password_step("case_worker-gt")
    caseworker_gt.set_password("a completely different one 99")
    caseworker_gt.save()
    response = client.post(CODE, {"otp_token": totp_code(device)})
    assert response["Location"] == reverse("accounts:login")
    assert _session_user_id(client) is None


def test_it_follows_a_safe_next_through_both_steps(password_step, client, caseworker_gt):
    device = TOTPDevice.objects.get(user=caseworker_gt)
    password_step("case_worker-gt", next="/accounts/profile/")
    response = client.post(CODE, {"otp_token": totp_code(device)})
    assert response["Location"] == "/accounts/profile/"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_it_ignores_a_next_that_leaves_the_site(password_step, focal_gt, target):
    response = password_step("focal_point-gt", next=target)
    assert response["Location"] == reverse("core:home")


def test_signing_in_activates_the_preferred_language(password_step, client, focal_gt):
    focal_gt.preferred_language = "en"
    focal_gt.save()
    response = password_step("focal_point-gt")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    home = client.get(reverse("core:home"))
    assert '<html lang="en">' in home.content.decode()


def test_a_user_whose_role_needs_2fa_but_has_no_device_must_enrol_first(
    password_step, client, make_user
):
    user = make_user("case_worker", "HN", username="new-caseworker")
    TOTPDevice.objects.filter(user=user).delete()
    response = password_step("new-caseworker")
    # Signed in, but every page leads to the enrolment.
    assert response.status_code == 302
    assert _session_user_id(client) == str(user.pk)
    for url in ["/", "/accounts/profile/", "/directory/people/", "/accounts/users/", "/audit/"]:
        page = client.get(url)
        assert page.status_code == 302, url
        assert page["Location"] == reverse("accounts:two_factor_setup"), url
    assert client.get(reverse("accounts:two_factor_setup")).status_code == 200


def test_login_and_logout_are_audited(password_step, client, focal_gt):
    password_step("focal_point-gt")
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert _session_user_id(client) is None
    actions = list(AuditEntry.objects.filter(actor_id=focal_gt.pk).order_by("id").values_list("action", flat=True))
    assert actions == ["auth.login", "auth.logout"]


def test_a_failed_login_is_audited_with_the_username_but_not_the_password(password_step, focal_gt):
    password_step("focal_point-gt", "wrong-password-123")
    entry = AuditEntry.objects.get(action="auth.login_failed")
    assert entry.actor_username == "focal_point-gt"
    assert entry.actor_id is None
    assert "wrong-password-123" not in str(entry.content())


def test_logout_needs_a_post(client_as, focal_gt):
    client = client_as(focal_gt)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.get(reverse("core:home")).status_code == 200


def test_a_signed_in_user_visiting_the_login_page_goes_home(client_as, focal_gt):
    response = client_as(focal_gt).get(reverse("accounts:login"))
    assert response["Location"] == reverse("core:home")
