import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Each test starts with no anonymous attempts counted (the limits live in the cache)."""
    cache.clear()
    yield
    cache.clear()
