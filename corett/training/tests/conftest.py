import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Each test starts with no anonymous attempts counted (the limits live in the cache)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def client(client):
    """Anonymous visitors read English too, unless a test asks for Spanish (Accept-Language)."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client
