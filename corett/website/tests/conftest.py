import pytest

from corett.accounts.roles import Role
from corett.testing import factories


@pytest.fixture(autouse=True)
def _own_publication_marker(settings, tmp_path):
    """The page cache's publication marker lives in the data dir: each test has its own (the
    cache itself starts empty for every test: corett/testing/fixtures.py)."""
    settings.DATA_DIR = tmp_path


@pytest.fixture
def author(db):
    """An editor of Guatemala's national commission."""
    factories.country("GT")
    return factories.user_with(Role.EDITOR, "GT", username="author")


@pytest.fixture
def reviewer(db):
    """A member of the Secretariat: reviews and publishes."""
    return factories.user_with(Role.SECRETARIAT, None, username="reviewer")
