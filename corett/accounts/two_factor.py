"""Second factor: TOTP authenticator apps, with one-time recovery codes as the fallback.

A user has at most one confirmed TOTP device and one static device holding the recovery codes.
Tokens are always checked against a specific device (never django-otp's ``match_token``), inside
a transaction with the device row locked, so that throttling and single use hold under races.
"""

from __future__ import annotations

import re
from base64 import b32encode
from typing import Any

import segno
from django.db import transaction
from django_otp import devices_for_user
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from corett.audit.services import audit_log

RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "authenticator"
RECOVERY_DEVICE_NAME = "recovery codes"

_TOTP_RE = re.compile(r"^\d{6}$")


def normalise_token(raw: str) -> str:
    """What people type: spaces and hyphens dropped, case folded (recovery codes are lowercase)."""
    return re.sub(r"[\s-]", "", raw or "").lower()


def has_device(user: Any) -> bool:
    """True when the user has any confirmed device: logging in then needs a second step."""
    return next(devices_for_user(user, confirmed=True), None) is not None


def confirmed_totp_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def recovery_codes_left(user: Any) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def verify_is_throttled(user: Any) -> bool:
    """True while django-otp's back-off (1, 2, 4 … seconds after failures) refuses a device."""
    for device in devices_for_user(user, confirmed=True):
        allowed, _ = device.verify_is_allowed()
        if not allowed:
            return True
    return False


def verify(user: Any, token: str) -> Device | None:
    """The device that accepts ``token`` (a 6-digit code or a recovery code), or None.

    A recovery code is deleted as it is accepted: it works once.
    """
    token = normalise_token(token)
    if not token:
        return None
    model: type[Device] = TOTPDevice if _TOTP_RE.match(token) else StaticDevice
    with transaction.atomic():
        for device in model.objects.devices_for_user(user, confirmed=True).select_for_update():
            if device.verify_token(token):
                return device
    return None


def pending_totp_device(user: Any) -> TOTPDevice:
    """The unconfirmed device being enrolled; reused, so reloading the page keeps the secret."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def secret_for_display(device: TOTPDevice) -> str:
    """The base32 secret in groups of four, for typing into an app by hand."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_data_uri(device: TOTPDevice) -> str:
    # An <img src="data:…"> rather than inline SVG markup: the CSP allows data: images, and no
    # style attribute can slip into the page.
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


def _recovery_codes_write(user: Any) -> list[str]:
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def totp_confirm(*, user: Any, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm an enrolment when ``token`` is right; return fresh recovery codes (shown once).

    Any other TOTP device of the user is removed: one authenticator per person.
    """
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
    if not device.verify_token(normalise_token(token)):
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _recovery_codes_write(user)
    audit_log(actor=user, action="accounts.two_factor.enable", obj=user)
    return codes


@transaction.atomic
def recovery_codes_regenerate(*, user: Any) -> list[str]:
    codes = _recovery_codes_write(user)
    audit_log(actor=user, action="accounts.two_factor.recovery_codes", obj=user)
    return codes


def devices_delete(user: Any) -> None:
    """Remove every device (authenticator and recovery codes) of ``user``; the caller audits."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
