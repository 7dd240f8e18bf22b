"""Enrolling an authenticator, recovery codes, turning 2FA off, and an administrator's reset."""

import pytest
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from corett.accounts.tests.otp import totp_code, wrong_code
from corett.accounts.two_factor import RECOVERY_CODE_COUNT
from corett.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

SETUP = "/accounts/two-factor/setup/"


@pytest.fixture
def unenrolled(make_user):
    """A case worker (2FA required) who has not set up a device yet, signed in by password."""
    user = make_user("case_worker", "GT", username="new-caseworker")
    TOTPDevice.objects.filter(user=user).delete()
    return user


def test_setup_shows_a_qr_code_and_the_secret_without_inline_script_or_style(client_as, unenrolled):
    response = client_as(unenrolled).get(SETUP)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'src="data:image/svg+xml' in body
    assert "<script>" not in body and " style=" not in body
    device = TOTPDevice.objects.get(user=unenrolled)
    assert device.confirmed is False
    assert response.context["secret"].replace(" ", "")
    # Reloading keeps the same secret (the app may already have it).
    client_as(unenrolled).get(SETUP)
    assert TOTPDevice.objects.filter(user=unenrolled).count() == 1


def test_a_right_code_confirms_the_device_verifies_the_session_and_shows_recovery_codes(
    client_as, unenrolled
):
    client = client_as(unenrolled)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=unenrolled)
    response = client.post(SETUP, {"otp_token": totp_code(device)})
    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(codes) == RECOVERY_CODE_COUNT == 10
    assert sorted(StaticToken.objects.filter(device__user=unenrolled).values_list("token", flat=True)) == sorted(codes)
    device.refresh_from_db()
    assert device.confirmed
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    # Now every page is open.
    assert client.get(reverse("core:home")).status_code == 200
    assert AuditEntry.objects.filter(action="accounts.two_factor.enable", actor_id=unenrolled.pk).exists()
    # Shown once: the codes appear nowhere else.
    assert codes[0] not in client.get(reverse("accounts:profile")).content.decode()


def test_a_wrong_code_does_not_confirm_the_device(client_as, unenrolled):
    client = client_as(unenrolled)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=unenrolled)
    response = client.post(SETUP, {"otp_token": wrong_code(device)})
    assert response.status_code == 200
    assert response.context["form"].errors["otp_token"]
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get(reverse("core:home"))["Location"] == SETUP


def test_a_malformed_code_is_refused_at_the_field(client_as, unenrolled):
    response = client_as(unenrolled).post(SETUP, {"otp_token": "12ab"})
    assert response.context["form"].errors["otp_token"]


def test_a_user_already_enrolled_is_sent_to_the_profile(client_as, caseworker_gt):
    response = client_as(caseworker_gt).get(SETUP)
    assert response["Location"] == reverse("accounts:profile")


def test_a_session_that_lost_its_verification_must_prove_it_again(client, caseworker_gt, no_otp_throttle):
    client.force_login(caseworker_gt)  # signed in, but no second factor in this session
    assert client.get(reverse("core:home"))["Location"] == SETUP
    assert client.get(SETUP)["Location"] == reverse("accounts:two_factor_verify")
    device = TOTPDevice.objects.get(user=caseworker_gt)
    bad = client.post(reverse("accounts:two_factor_verify"), {"otp_token": wrong_code(device)})
    assert bad.status_code == 200
    ok = client.post(reverse("accounts:two_factor_verify"), {"otp_token": totp_code(device)})
    assert ok.status_code == 302
    assert client.get(reverse("core:home")).status_code == 200


def test_recovery_codes_can_be_regenerated_in_a_verified_session(client_as, caseworker_gt):
    client = client_as(caseworker_gt)
    old = StaticDevice.objects.create(user=caseworker_gt, name="recovery codes")
    StaticToken.objects.create(device=old, token="oldcode1")
    response = client.post(reverse("accounts:recovery_codes_regenerate"))
    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(codes) == 10
    tokens = set(StaticToken.objects.filter(device__user=caseworker_gt).values_list("token", flat=True))
    assert tokens == set(codes)
    assert AuditEntry.objects.filter(action="accounts.two_factor.recovery_codes").exists()


def test_regenerating_recovery_codes_needs_a_verified_session(client, caseworker_gt):
    client.force_login(caseworker_gt)
    assert client.post(reverse("accounts:recovery_codes_regenerate")).status_code == 403
    assert client.get(reverse("accounts:recovery_codes_regenerate")).status_code == 405


@pytest.mark.parametrize("who", ["admin_user", "caseworker_gt", "supervisor_gt"])
def test_roles_that_require_2fa_cannot_turn_it_off(request, client_as, who):
    user = request.getfixturevalue(who)
    response = client_as(user).post(reverse("accounts:two_factor_disable"))
    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    assert AuditEntry.objects.filter(action="access.denied", actor_id=user.pk).exists()


def test_other_roles_may_turn_2fa_off(client_as, focal_gt):
    device = TOTPDevice.objects.create(user=focal_gt, name="authenticator", confirmed=True)
    StaticDevice.objects.create(user=focal_gt, name="recovery codes")
    client = client_as(focal_gt)
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    response = client.post(reverse("accounts:two_factor_disable"))
    assert response["Location"] == reverse("accounts:profile")
    assert not TOTPDevice.objects.filter(user=focal_gt).exists()
    assert not StaticDevice.objects.filter(user=focal_gt).exists()
    assert AuditEntry.objects.filter(action="accounts.two_factor.disable", actor_id=focal_gt.pk).exists()


def test_a_focal_point_may_enrol_voluntarily_and_then_signs_in_with_a_code(
    client_as, client, focal_gt, password_step
):
    signed_in = client_as(focal_gt)
    signed_in.get(SETUP)
    device = TOTPDevice.objects.get(user=focal_gt)
    signed_in.post(SETUP, {"otp_token": totp_code(device)})
    signed_in.post(reverse("accounts:logout"))
    assert password_step("focal_point-gt")["Location"] == reverse("accounts:login_two_factor")
