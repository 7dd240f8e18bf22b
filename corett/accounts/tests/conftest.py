import pytest

from corett.testing.factories import TEST_PASSWORD


@pytest.fixture
def no_otp_throttle(settings):
    """django-otp's back-off (1 s, 2 s … after a wrong code) is off, so tests need not sleep."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


@pytest.fixture
def password_step(client):
    """POST username and password to the login form."""

    def _post(username: str, password: str = TEST_PASSWORD, **extra):
        return client.post("/accounts/login/", {"username": username, "password": password, **extra})

    return _post
