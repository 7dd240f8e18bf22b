"""Released figures for the infographics' tests: Guatemala and Honduras, 2020-2022, approved,
with a small count that disclosure control must hide, and a draft that must never show."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from corett.statistics.models import Status
from corett.statistics.services import ValueInput, store_values

TODAY = dt.date(2026, 6, 1)
DRAFT_FIGURE = 9876  # stored for Guatemala as a draft: no infographic, table or export may show it


@dataclass
class Figures:
    gt: object
    hn: object
    actor: object


def gt_values(year: int, total: int) -> list[ValueInput]:
    period = str(year)
    female, male = total - 3, 3  # 3 is below the threshold: hidden, and female with it
    return [
        ValueInput("detected_victims", "GTM", period, total, cell=f"{period}!total"),
        ValueInput("detected_victims", "GTM", period, female, sex="female", cell=f"{period}!f"),
        ValueInput("detected_victims", "GTM", period, male, sex="male", cell=f"{period}!m"),
        ValueInput("detected_victims", "GTM", period, total - 20, age="18+", cell=f"{period}!a"),
        ValueInput("detected_victims", "GTM", period, 20, age="0-17", cell=f"{period}!c"),
        ValueInput("detected_victims", "GTM", period, total - 30, form="sexual_exploitation", cell=f"{period}!se"),
        ValueInput("detected_victims", "GTM", period, 30, form="forced_labour", cell=f"{period}!fl"),
        ValueInput("detected_victims", "GTM", period, total - 25, citizenship="GTM", cell=f"{period}!cg"),
        ValueInput("detected_victims", "GTM", period, 25, citizenship="HND", cell=f"{period}!ch"),
        ValueInput("persons_prosecuted", "GTM", period, 31, cell=f"{period}!p"),
        ValueInput("persons_convicted", "GTM", period, 12, cell=f"{period}!cv"),
        ValueInput("victims_repatriated", "GTM", period, 18, cell=f"{period}!r"),
        ValueInput("victims_repatriated", "GTM", period, 18, repatriation="HND", cell=f"{period}!rh"),
    ]


def hn_values(year: int, total: int) -> list[ValueInput]:
    period = str(year)
    return [
        ValueInput("detected_victims", "HND", period, total, cell=f"{period}!total"),
        ValueInput("persons_prosecuted", "HND", period, 22, cell=f"{period}!p"),
    ]


def ensure_indicators() -> None:
    """Browser tests flush the database between tests, migration-seeded rows included."""
    from importlib import import_module

    from corett.statistics.models import Indicator

    seeded = import_module("corett.statistics.migrations.0002_indicators")
    for position, (code, name_es, name_en, _def_es, _def_en) in enumerate(seeded.INDICATORS, start=1):
        Indicator.objects.get_or_create(
            code=code, defaults={"name_es": name_es, "name_en": name_en, "position": position}
        )


def store(actor, values, status=Status.APPROVED):
    ensure_indicators()
    return store_values(actor=actor, source="national", values=values, release="2022 annual",
                        status=status, today=TODAY)


@pytest.fixture
def figures(gt, hn, secretariat_user):
    values = [v for year, total in ((2020, 101), (2021, 132), (2022, 154)) for v in gt_values(year, total)]
    values += [v for year, total in ((2020, 61), (2021, 70), (2022, 83)) for v in hn_values(year, total)]
    store(secretariat_user, values)
    store(secretariat_user, [ValueInput("offences", "GTM", "2022", DRAFT_FIGURE, cell="draft")],
          status=Status.DRAFT)
    store(secretariat_user, [ValueInput("detected_victims", "GTM", "2019", DRAFT_FIGURE, cell="d19")],
          status=Status.SUBMITTED)
    return Figures(gt=gt, hn=hn, actor=secretariat_user)

