import pytest


@pytest.fixture(autouse=True)
def _own_publication_marker(settings, tmp_path):
    """The page cache's publication marker lives in the data dir: each test has its own (the
    cache itself starts empty for every test: corett/testing/fixtures.py)."""
    settings.DATA_DIR = tmp_path
