"""Every infographics URL, for every role of two countries: allowed or refused.

Infographics and the explorer show released (approved, disclosure-controlled) figures only, so
every role of every country may use them; anonymous visitors may not (the public reaches the
infographics through the website)."""

from __future__ import annotations

import pytest

from corett.testing.matrix import ALL, Entry, check_access

PERIOD = "?year_from=2021&year_to=2022"
MATRIX = {
    "infographics:index": Entry(ALL),
    "infographics:detail": Entry(ALL, kwargs=lambda w: {"scope": "GTM"}, query=PERIOD),
    "infographics:download": Entry(ALL, kwargs=lambda w: {"scope": "REGION", "fmt": "svg"}, query=PERIOD),
    "infographics:explorer": Entry(ALL),
    "infographics:explorer_export": Entry(
        ALL, kwargs=lambda w: {"fmt": "csv"}, query="?country=GTM&indicator=detected_victims&year_from=2021&year_to=2022"
    ),
}


@pytest.fixture
def world(gt, hn):
    return None


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_access(name, world, client, login):
    check_access(name, MATRIX[name], world, client, login)
