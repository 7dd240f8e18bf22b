"""Lockout: five failures for one username within the cool-off lock it, whichever step failed."""

import pytest
from django.conf import settings
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from corett.accounts.tests.otp import totp_code, wrong_code
from corett.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

CODE = "/accounts/login/code/"


def _fail_passwords(password_step, username, times):
    return [password_step(username, "not the password").status_code for _ in range(times)]


def test_five_wrong_passwords_lock_the_account_with_a_429_page(password_step, client, focal_gt):
    assert settings.AXES_FAILURE_LIMIT == 5
    statuses = _fail_passwords(password_step, "focal_point-gt", 5)
    assert statuses == [200, 200, 200, 200, 429]
    response = password_step("focal_point-gt", "not the password")
    assert response.status_code == 429
    body = response.content.decode()
    assert 'data-testid="locked-out"' in body
    assert "15" in body  # minutes
    assert int(response["Retry-After"]) == 15 * 60


def test_the_right_password_does_not_open_a_locked_account(password_step, client, focal_gt):
    _fail_passwords(password_step, "focal_point-gt", 5)
    response = password_step("focal_point-gt")
    assert response.status_code == 429
    assert client.session.get("_auth_user_id") is None


def test_the_lockout_is_per_account(password_step, client, focal_gt, focal_hn):
    _fail_passwords(password_step, "focal_point-gt", 5)
    response = password_step("focal_point-hn")
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(focal_hn.pk)


def test_the_lockout_is_audited(password_step, focal_gt):
    _fail_passwords(password_step, "focal_point-gt", 5)
    assert AuditEntry.objects.filter(action="auth.login_failed", actor_username="focal_point-gt").count() == 5
    locked = AuditEntry.objects.get(action="auth.locked_out")
    assert locked.actor_username == "focal_point-gt"


def test_the_lockout_page_is_translated(password_step, client, focal_gt):
    _fail_passwords(password_step, "focal_point-gt", 4)
    response = client.post(
        reverse("accounts:login"),
        {"username": "focal_point-gt", "password": "nope"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 429
    assert "Account temporarily locked" in response.content.decode()


def test_wrong_codes_count_towards_the_lockout(password_step, client, caseworker_gt, no_otp_throttle):
    device = TOTPDevice.objects.get(user=caseworker_gt)
    bad = wrong_code(device)
    password_step("case_worker-gt")
    statuses = [client.post(CODE, {"otp_token": bad}).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    # Locked: even the right code is refused now, and the pending sign-in is gone.
    response = client.post(CODE, {"otp_token": totp_code(device)})
    assert response.status_code in (302, 429)
    assert client.session.get("_auth_user_id") is None
    # And the password step refuses the account too.
    assert password_step("case_worker-gt").status_code == 429
    assert AuditEntry.objects.filter(action="auth.locked_out", actor_username="case_worker-gt").exists()


def test_mixed_password_and_code_failures_add_up(password_step, client, caseworker_gt, no_otp_throttle):
    device = TOTPDevice.objects.get(user=caseworker_gt)
    _fail_passwords(password_step, "case_worker-gt", 3)
    password_step("case_worker-gt")
    assert client.post(CODE, {"otp_token": wrong_code(device)}).status_code == 200
    assert client.post(CODE, {"otp_token": wrong_code(device)}).status_code == 429


def test_a_successful_sign_in_resets_the_failure_count(password_step, client, focal_gt):
    _fail_passwords(password_step, "focal_point-gt", 4)
    assert password_step("focal_point-gt").status_code == 302
    client.post(reverse("accounts:logout"))
    assert _fail_passwords(password_step, "focal_point-gt", 4) == [200, 200, 200, 200]


def test_the_attempt_records_do_not_keep_the_code(password_step, client, caseworker_gt, no_otp_throttle):
    from axes.models import AccessAttempt

    device = TOTPDevice.objects.get(user=caseworker_gt)
    password_step("case_worker-gt")
    bad = wrong_code(device)
    client.post(CODE, {"otp_token": bad})
    attempt = AccessAttempt.objects.get(username="case_worker-gt")
    assert bad not in attempt.post_data
