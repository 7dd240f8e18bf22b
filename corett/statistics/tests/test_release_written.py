"""The values store_values has just written are handed to refresh_published instead of read back:
the published figures must be exactly those a refresh that reads everything computes."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from corett.statistics import release, services
from corett.statistics.importers.common import new_batch, run_import, store
from corett.statistics.importers.glotip import read_glotip
from corett.statistics.models import Age, Form, Kind, PublishedValue, Sex, Source, Status, Value
from corett.statistics.services import ValueInput, store_values

EXCERPT = Path(__file__).parent / "data" / "glotip_excerpt.xlsx"
TODAY = dt.date(2026, 6, 1)


def _published() -> list[tuple]:
    return sorted(PublishedValue.objects.values_list(
        "indicator_id", "country_iso3", "period", "year", "sex", "age", "form", "citizenship", "repatriation",
        "label", "value", "suppressed", "lower_bound", "upper_bound", "source", "release", "threshold",
    ))


def _as_a_full_refresh_publishes() -> list[tuple]:
    release.refresh_published()  # reads every approved value back
    return _published()


def test_the_rows_store_values_writes_begin_with_the_fields_publishing_reads():
    width = len(release.WRITTEN_FIELDS)
    assert services._VALUE_COLUMNS[:width] == release.WRITTEN_FIELDS


def test_an_import_publishes_what_a_full_refresh_publishes(db):
    batch = run_import(reader=read_glotip, source="glotip", path=EXCERPT, actor=None)
    assert batch.state == "done" and batch.summary["held"] > 0
    imported = _published()
    assert len(imported) > 100 and any(row[11] for row in imported)
    assert imported == _as_a_full_refresh_publishes()


def test_a_changed_release_publishes_what_a_full_refresh_publishes(db):
    run_import(reader=read_glotip, source="glotip", path=EXCERPT, actor=None)
    result = read_glotip(EXCERPT, lambda done, total: None)
    changed = []
    for position, item in enumerate(result.values):
        if item.kind == Kind.EXACT and position % 7 == 0:  # some values updated, one way or the other
            item = (dataclasses.replace(item, value=(item.value or 0) + 3) if position % 2
                    else dataclasses.replace(item, kind=Kind.SUPPRESSED, value=None, lower_bound=1, upper_bound=4))
        changed.append(item)
    result.values = changed
    batch = store(batch=new_batch(source="glotip", actor=None, file_name="changed.xlsx", digest="c" * 64),
                  result=result, actor=None, source="glotip")
    assert batch.summary["updated"] > 10
    assert _published() == _as_a_full_refresh_publishes()


# A table of the GLOTIP release (Burkina Faso, detected victims, 2020) whose pattern depends on the
# order of its cells: disclosure control orders them by repr, and an enum member's repr
# ("Sex.FEMALE") sorts elsewhere than its value's ("'female'"). The reader gives enum members.
_BFA_2020 = [
    (Sex.FEMALE, Age.CHILDREN, Form.FORCED_LABOUR, 579), (Sex.FEMALE, Age.CHILDREN, Form.OTHER, None),
    (Sex.FEMALE, Age.CHILDREN, Form.SEXUAL_EXPLOITATION, 97), (Sex.FEMALE, Age.CHILDREN, Form.TOTAL, 676),
    (Sex.FEMALE, Age.ADULTS, Form.FORCED_LABOUR, 21), (Sex.FEMALE, Age.ADULTS, Form.OTHER, None),
    (Sex.FEMALE, Age.ADULTS, Form.SEXUAL_EXPLOITATION, 37), (Sex.FEMALE, Age.ADULTS, Form.TOTAL, 58),
    (Sex.FEMALE, Age.TOTAL, Form.TOTAL, 734), (Sex.MALE, Age.CHILDREN, Form.FORCED_LABOUR, 802),
    (Sex.MALE, Age.CHILDREN, Form.OTHER, None), (Sex.MALE, Age.CHILDREN, Form.SEXUAL_EXPLOITATION, None),
    (Sex.MALE, Age.CHILDREN, Form.TOTAL, 806), (Sex.MALE, Age.ADULTS, Form.FORCED_LABOUR, 18),
    (Sex.MALE, Age.ADULTS, Form.OTHER, None), (Sex.MALE, Age.ADULTS, Form.SEXUAL_EXPLOITATION, None),
    (Sex.MALE, Age.ADULTS, Form.TOTAL, 20), (Sex.MALE, Age.TOTAL, Form.TOTAL, 826),
    (Sex.TOTAL, Age.CHILDREN, Form.FORCED_LABOUR, 1381), (Sex.TOTAL, Age.CHILDREN, Form.SEXUAL_EXPLOITATION, 101),
    (Sex.TOTAL, Age.CHILDREN, Form.TOTAL, 1402), (Sex.TOTAL, Age.ADULTS, Form.FORCED_LABOUR, 39),
    (Sex.TOTAL, Age.ADULTS, Form.SEXUAL_EXPLOITATION, 39), (Sex.TOTAL, Age.ADULTS, Form.TOTAL, 78),
    (Sex.TOTAL, Age.TOTAL, Form.FORCED_LABOUR, 1420), (Sex.TOTAL, Age.TOTAL, Form.OTHER, None),
    (Sex.TOTAL, Age.TOTAL, Form.SEXUAL_EXPLOITATION, 140), (Sex.TOTAL, Age.TOTAL, Form.TOTAL, 1560),
]


def _bfa_2020() -> list[ValueInput]:
    return [
        ValueInput("detected_victims", "BFA", "2020", value, kind=Kind.EXACT if value is not None else Kind.SUPPRESSED,
                   sex=sex, age=age, form=form, lower_bound=None if value is not None else 1,
                   upper_bound=None if value is not None else 4)
        for sex, age, form, value in _BFA_2020
    ]


def test_values_given_as_enum_members_are_published_as_the_database_gives_them_back(db):
    store_values(actor=None, source=Source.GLOTIP, values=_bfa_2020(), release="test", status=Status.APPROVED,
                 today=TODAY)
    published = _published()
    assert published == _as_a_full_refresh_publishes()
    assert {row[4] for row in published} == {"female", "male", "total"}
    assert all(type(row[4]) is str for row in published)


def test_what_a_caller_hands_over_is_used_only_when_it_is_everything_written(db):
    store_values(actor=None, source=Source.GLOTIP, values=_bfa_2020(), release="test", status=Status.APPROVED,
                 today=TODAY)
    expected = _published()
    value = Value.objects.first()
    assert value is not None
    # Handing over nothing (or too little) of what was written: everything is read instead.
    for rows in ([], [tuple(getattr(value, f) for f in release.WRITTEN_FIELDS)]):
        PublishedValue.objects.all().delete()
        release.refresh_published(written=release.Written(value.batch_id, value.recorded_at, rows))
        assert _published() == expected


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.HELD])
def test_values_not_approved_are_not_handed_over(db, status):
    store_values(actor=None, source=Source.GLOTIP, values=_bfa_2020(), release="test", status=status, today=TODAY)
    assert not PublishedValue.objects.exists()
