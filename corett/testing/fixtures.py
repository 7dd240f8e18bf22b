"""pytest fixtures shared by every app's tests."""

from __future__ import annotations

import pytest
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from corett.accounts.roles import Role
from corett.testing import factories


@pytest.fixture
def make_user(db):
    return factories.user_with


@pytest.fixture
def login():
    """Log a client in as ``user``, past the second factor when the user has a device."""

    def _login(client, user):
        client.force_login(user)
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is not None:
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        return client

    return _login


@pytest.fixture
def gt(db):
    return factories.country("GT")


@pytest.fixture
def hn(db):
    return factories.country("HN")


def _role_fixture(role: str, iso2: str | None):
    @pytest.fixture
    def _fixture(db):
        return factories.user_with(role, iso2)

    return _fixture


# Standing users: <role>_<country> for national roles, <role> for regional ones.
admin_user = _role_fixture(Role.ADMIN, None)
secretariat_user = _role_fixture(Role.SECRETARIAT, None)
presidency_user = _role_fixture(Role.PRESIDENCY, None)
observer_user = _role_fixture(Role.OBSERVER, None)
partner_user = _role_fixture(Role.PARTNER, None)
focal_gt = _role_fixture(Role.FOCAL_POINT, "GT")
focal_hn = _role_fixture(Role.FOCAL_POINT, "HN")
caseworker_gt = _role_fixture(Role.CASE_WORKER, "GT")
caseworker_hn = _role_fixture(Role.CASE_WORKER, "HN")
supervisor_gt = _role_fixture(Role.CASE_SUPERVISOR, "GT")
trainer_gt = _role_fixture(Role.TRAINER, "GT")
editor_user = _role_fixture(Role.EDITOR, None)


@pytest.fixture
def client_as(client, login):
    """``client_as(user)``: the test client, logged in as that user (2FA verified)."""

    def _as(user):
        return login(client, user)

    return _as


@pytest.fixture(autouse=True)
def _english_unless_asked():
    """Code outside a request speaks the platform's default language (Spanish); the tests read
    English msgids unless they ask for Spanish (``translation.override("es")``). Requests
    through the test client still choose their language as a browser's would."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: rate-limit counters, cached pages and rendered
    figures of an earlier test (whose database is gone) must not answer for this one."""
    from django.core.cache import cache

    cache.clear()
    yield
