"""bulk.insert_rows: what it writes reads back as written, on SQLite (executemany) and on
PostgreSQL (COPY), and a broken constraint is Django's IntegrityError, with nothing written."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from corett.statistics import bulk, release
from corett.statistics.models import Indicator, PublishedValue, Sex

# The columns refresh_published writes, in its order.
COLUMNS = release._PUBLISHED_COLUMNS
WHEN = dt.datetime(2026, 12, 1, 15, 30, 5, tzinfo=dt.UTC)


def _row(indicator_id: int, country: str, **changes) -> tuple:
    row = {
        "indicator_id": indicator_id, "country_iso3": country, "period": "2021", "year": 2021, "sex": "total",
        "age": "total", "form": "total", "citizenship": "", "repatriation": "", "label": "Rep\u00fablica Dominicana",
        "value": 12, "suppressed": False, "lower_bound": 12, "upper_bound": 12, "source": "glotip",
        "release": "UNODC GLOTIP 14/04/2025", "threshold": 5, "dp_value": None, "dp_epsilon": None,
        "computed_at": WHEN,
    }
    row.update(changes)
    return tuple(row[c] for c in COLUMNS)


@pytest.fixture
def indicator_id(db) -> int:
    return Indicator.objects.ensure_all()["detected_victims"].pk


def test_rows_read_back_as_they_were_written(indicator_id):
    rows = [
        _row(indicator_id, "GTM"),
        _row(indicator_id, "HND", sex=Sex.FEMALE, value=None, suppressed=True, lower_bound=1, upper_bound=4,
             label="", dp_value=3, dp_epsilon=0.5),
        _row(indicator_id, "MEX", label="tab\there, a \\ backslash\nand a new line", upper_bound=None),
    ]
    with CaptureQueriesContext(connection) as queries:
        bulk.insert_rows(PublishedValue, COLUMNS, rows)
    read = sorted(PublishedValue.objects.values_list(*COLUMNS))
    assert read == sorted(rows)
    assert read[1][COLUMNS.index("sex")] == "female" and type(read[1][COLUMNS.index("sex")]) is str
    # One statement, in the query log: COPY on PostgreSQL (one INSERT per row would cost its server
    # ~6 s over a GLOTIP import), an executemany of the INSERT on SQLite.
    logged = [q["sql"] for q in queries.captured_queries if "statistics_publishedvalue" in q["sql"]]
    assert len(logged) == 1
    assert ("COPY " if connection.vendor == "postgresql" else "INSERT INTO ") in logged[0]


def test_a_duplicate_key_is_an_integrity_error_and_nothing_is_written(indicator_id):
    PublishedValue.objects.all().delete()
    rows = [_row(indicator_id, "GTM"), _row(indicator_id, "HND"), _row(indicator_id, "GTM")]
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk.insert_rows(PublishedValue, COLUMNS, rows)
    assert not PublishedValue.objects.exists()
    bulk.insert_rows(PublishedValue, COLUMNS, rows[:2])  # the connection is usable afterwards
    assert PublishedValue.objects.count() == 2


def test_a_negative_count_breaks_the_check_as_an_insert_would(indicator_id):
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk.insert_rows(PublishedValue, COLUMNS, [_row(indicator_id, "GTM", value=-1)])
    assert not PublishedValue.objects.exists()
