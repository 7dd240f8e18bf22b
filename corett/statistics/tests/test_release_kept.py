"""Released values kept per process: the same figures as reading the published table, and never stale."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest

from corett.statistics import ctdc_layouts, release
from corett.statistics.demo import COALITION_EXCERPT
from corett.statistics.importers.common import run_import
from corett.statistics.importers.ctdc import read_ctdc
from corett.statistics.importers.glotip import read_glotip
from corett.statistics.models import Indicator, IndicatorCode, PublishedValue, Source, Status, Value
from corett.statistics.services import ValueInput, set_status, store_values

NINE = ["BLZ", "CRI", "DOM", "GTM", "HND", "MEX", "NIC", "PAN", "SLV"]


@pytest.fixture(autouse=True)
def nothing_kept():
    release.clear_kept()
    yield
    release.clear_kept()


def _read_as_before(indicator: str, countries, **slice_) -> list[release.ReleasedValue]:
    """The published figures as read before anything was kept: the ORM, value by value."""
    periods = slice_.pop("periods", "Y")
    filters = release._slice_filter(**slice_)
    if periods != release.ALL:
        filters &= release._YEARS_ONLY if periods == "Y" else release.Q(period__contains=periods)
    qs = release._published_qs(indicator, filters)
    if countries is not None:
        qs = qs.filter(country_iso3__in=countries)
    found = [release._to_released(p, indicator, False) for p in qs]
    return sorted(found, key=release._release_order)


SLICES: list[dict[str, Any]] = [
    {"sex": "*", "age": "total", "form": "total", "citizenship": None, "repatriation": None},
    {"sex": "total", "age": "*", "form": "total", "citizenship": None, "repatriation": None},
    {"sex": "*", "age": "*", "form": "*", "citizenship": None, "repatriation": None, "periods": "*"},
    {"sex": "total", "age": "total", "form": "total", "citizenship": "*", "repatriation": None},
    {"sex": "female", "age": "total", "form": "*", "citizenship": None, "repatriation": None},
]


def _compare_every_read():
    compared = 0
    codes = [c for c, _label in IndicatorCode.choices]
    for code, countries, slice_ in itertools.product(codes, [None, NINE, ["GTM"], ["MEX", "HND"]], SLICES):
        expected = _read_as_before(code, countries, **dict(slice_))
        for _first_then_kept in range(2):
            got = release.released_values(None, indicator=code, countries=countries, **slice_)
            assert got == expected, (code, countries, slice_)
        compared += len(expected)
    return compared


def test_the_demo_figures_read_as_before(db, secretariat_user):
    batch = run_import(reader=read_glotip, source=Source.GLOTIP, path=COALITION_EXCERPT, actor=secretariat_user,
                       file_name="demo")
    assert batch.state == "done"
    assert _compare_every_read() > 1000
    assert release._KEPT  # and they were kept


def test_generated_case_level_figures_read_as_before(db, tmp_path):
    path = ctdc_layouts.write(tmp_path / "cases.csv", "synthetic-2024", 3000, years=(2015, 2022))
    assert run_import(reader=read_ctdc, source=Source.CTDC, path=path, actor=None).state == "done"
    assert PublishedValue.objects.filter(suppressed=True).exists()
    assert _compare_every_read() > 100


def _gt(total, female, male, status=Status.APPROVED):
    return [
        ValueInput("detected_victims", "GTM", "2023", total),
        ValueInput("detected_victims", "GTM", "2023", female, sex="female"),
        ValueInput("detected_victims", "GTM", "2023", male, sex="male"),
    ]


def _public_gt():
    return {v.sex: v.display for v in release.released_values(None, indicator="detected_victims", countries=["GTM"],
                                                              sex="*")}


def test_approving_returning_and_storing_are_seen_at_once(db, gt, secretariat_user):
    stored = store_values(actor=secretariat_user, source=Source.NATIONAL, values=_gt(40, 20, 20), release="t",
                          status=Status.SUBMITTED, today=dt.date(2026, 6, 1))
    assert _public_gt() == {}
    set_status(actor=secretariat_user, values=Value.objects.filter(batch=stored.batch), status=Status.APPROVED)
    assert _public_gt() == {"total": "40", "female": "20", "male": "20"}
    assert _public_gt() == {"total": "40", "female": "20", "male": "20"}  # kept
    set_status(actor=secretariat_user, values=Value.objects.filter(batch=stored.batch), status=Status.RETURNED,
               reason="Wrong year")
    assert _public_gt() == {}
    Value.objects.filter(batch=stored.batch).delete()
    store_values(actor=secretariat_user, source=Source.NATIONAL, values=_gt(40, 37, 3), release="t2",
                 status=Status.APPROVED, today=dt.date(2026, 6, 1))
    public = _public_gt()
    assert public["total"] == "40" and public["male"] == "1\N{EN DASH}4" and public["female"] != "37"


def test_nothing_is_kept_without_a_generation(db):
    indicator = Indicator.objects.ensure_all()["detected_victims"]
    PublishedValue.objects.create(indicator=indicator, country_iso3="GTM", period="2023", year=2023, sex="total",
                                  age="total", form="total", value=12, source=Source.GLOTIP, threshold=5)
    assert [v.value for v in release.released_values(None, indicator="detected_victims", countries=["GTM"])] == [12]
    PublishedValue.objects.update(value=13)
    assert [v.value for v in release.released_values(None, indicator="detected_victims", countries=["GTM"])] == [13]
    assert not release._KEPT


def test_a_read_is_one_query_kept_or_not(db, gt, secretariat_user, django_assert_num_queries):
    store_values(actor=secretariat_user, source=Source.NATIONAL, values=_gt(40, 20, 20), release="t",
                 status=Status.APPROVED, today=dt.date(2026, 6, 1))
    for _first_then_kept in range(2):
        with django_assert_num_queries(1):
            assert len(_public_gt()) == 3
