import pytest


@pytest.fixture(autouse=True)
def _english_requests(client):
    """Pages in English unless a test asks otherwise (the platform's default is Spanish)."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client
