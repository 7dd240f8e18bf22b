import pytest


@pytest.fixture(autouse=True)
def _empty_page_cache(settings, tmp_path):
    """Each test starts without cached public pages (the cache outlives a test's database)."""
    from django.core.cache import cache

    settings.DATA_DIR = tmp_path
    cache.clear()
    yield
    cache.clear()
