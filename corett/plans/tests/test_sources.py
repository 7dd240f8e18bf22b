from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from corett.cases.models import Stage, StageChange
from corett.plans import sources
from corett.plans.models import Indicator
from corett.plans.tests.builders import build_plan

pytestmark = pytest.mark.django_db


def test_the_registry_knows_its_codes():
    assert sources.is_known_source("cases.victims_repatriated")
    assert sources.is_known_source("training.people_trained")
    assert sources.is_known_source("statistics:detected_victims")
    assert not sources.is_known_source("statistics:")
    assert not sources.is_known_source("statistics:drop table;")
    assert not sources.is_known_source("cases.names")


def test_an_unknown_source_is_refused_on_the_indicator():
    world = build_plan(state="draft")
    indicator = Indicator(plan=world.plan, result=world.result, code="I-9", title="x", source="cases.names",
                          actor_kind="secretariat")
    with pytest.raises(Exception) as error:
        indicator.full_clean()
    assert "source" in error.value.message_dict  # type: ignore[attr-defined]


def test_victims_repatriated_counts_cases_received_in_their_country(caseworker_gt):
    from corett.cases.tests.views_support import open_case
    from corett.testing import factories

    gt, hn = factories.country("GT"), factories.country("HN")
    returned = open_case(caseworker_gt, gt, hn)
    when = dt.datetime(2024, 3, 1, 10, tzinfo=dt.UTC)
    for _ in range(2):  # a repeated stage change still counts the case once
        StageChange.objects.create(case=returned, from_stage=Stage.IN_TRANSIT, to_stage=Stage.RECEIVED,
                                   transition="receive", by=caseworker_gt, at=when)
    count = sources.compute("cases.victims_repatriated", country=hn, start=dt.date(2024, 1, 1),
                            end=dt.date(2024, 12, 31))
    assert count.value == Decimal(1)
    assert sources.compute("cases.victims_repatriated", country=gt, start=dt.date(2024, 1, 1),
                           end=dt.date(2024, 12, 31)).value == 0
    assert sources.compute("cases.victims_repatriated", country=hn, start=dt.date(2025, 1, 1),
                           end=dt.date(2025, 12, 31)).value == 0


def test_statistics_without_an_exact_figure_are_not_a_zero(monkeypatch):
    import corett.statistics.release as release

    monkeypatch.setattr(release, "approved_total", lambda code, country_iso3=None, year=None: None)
    with pytest.raises(sources.SourceUnavailable):
        sources.compute("statistics:detected_victims", country=None, start=dt.date(2024, 1, 1),
                        end=dt.date(2024, 12, 31))
    monkeypatch.setattr(release, "approved_total", lambda code, country_iso3=None, year=None: 7)
    found = sources.compute("statistics:detected_victims", country=None, start=dt.date(2023, 1, 1),
                            end=dt.date(2024, 12, 31))
    assert found.value == Decimal(14) and "detected_victims" in found.source


def test_a_missing_module_says_not_available(monkeypatch):
    import corett.training.services as training

    monkeypatch.delattr(training, "people_trained")
    with pytest.raises(sources.SourceUnavailable) as error:
        sources.compute("training.people_trained", country=None, start=dt.date(2024, 1, 1), end=dt.date(2024, 6, 30))
    assert "Not available" in str(error.value.args[0])
