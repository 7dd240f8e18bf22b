"""Demo national reporting: the last full year and the last full semester as data sets, with the
countries' reports in every state (not started, draft, submitted, returned with the Secretariat's
comment, approved, reopened with a reason), on time and late.

Written through the services, as each country's demo focal point and the demo Secretariat, so the
reports have their history, audit entries and notifications, and approved ones are in the
statistics. The figures are invented (marked as demo data by the platform's banner), consistent
(every breakdown adds up). Idempotent: a data set that exists is left as it is.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.conf import settings
from django.utils import timezone

from corett.accounts.models import User
from corett.directory.models import Country
from corett.reporting import services
from corett.reporting.elements import CATEGORIES, TOTAL, country_blocks
from corett.reporting.models import DataSet, Submission
from corett.reporting.validation import Location, RawCountryEntry, RawEntry

# Per country, the path its report takes in each data set: "" (not started), "draft",
# "submitted", "returned", "approved", "reopened".
SEMESTER_PATHS = {
    "GT": "submitted", "HN": "returned", "SV": "approved", "CR": "draft", "PA": "approved",
    "MX": "reopened", "DO": "submitted", "NI": "", "BZ": "",
}
YEAR_PATHS = {
    "GT": "approved", "HN": "approved", "SV": "approved", "CR": "approved", "PA": "approved",
    "MX": "approved", "DO": "approved", "NI": "submitted", "BZ": "returned",
}
# Rough scale of each country's detected victims in a year (invented for the demo).
SCALE = {"GT": 420, "HN": 180, "SV": 150, "CR": 90, "PA": 70, "MX": 900, "DO": 120, "NI": 40, "BZ": 25}


# Typical shares of each category (invented, near what the region's reports show), jittered.
SHARES = {
    "sex": {"female": 0.68, "male": 0.27, "other": 0.01, "unknown": 0.04},
    "age": {"0-17": 0.38, "18+": 0.57, "unknown": 0.05},
    "form": {"sexual_exploitation": 0.62, "forced_labour": 0.28, "other": 0.10},
}


def _split(total: int, dimension: str, rng: random.Random) -> list[int]:
    """``total`` over the dimension's categories, in whole numbers that add up to it."""
    weights = [share * rng.uniform(0.8, 1.2) for share in SHARES[dimension].values()]
    shares = [int(total * w / sum(weights)) for w in weights]
    shares[0] += total - sum(shares)
    return shares


def _figures(data_set: DataSet, iso2: str, *, complete: bool = True) -> dict[str, int]:
    rng = random.Random(f"{data_set.code}-{iso2}")  # noqa: S311  (invented demo figures, repeatable)
    share = 1.0 if data_set.period_type == "year" else 0.5
    values: dict[str, int] = {}
    for indicator in data_set.indicators:
        base = SCALE[iso2] * share
        scale = {"detected_victims": 1.0, "victims_assisted": 0.8, "victims_repatriated": 0.2,
                 "persons_in_formal_contact": 0.5, "persons_prosecuted": 0.3, "persons_convicted": 0.1,
                 "offences": 0.4}[indicator]
        total = max(0, round(base * scale * rng.uniform(0.8, 1.2)))
        values[f"{indicator}.{TOTAL}.{TOTAL}"] = total
        for dimension in {e.dimension for e in data_set.elements() if e.indicator == indicator and not e.is_total}:
            if not complete and dimension == "form":
                continue  # a draft still waiting for the breakdown by form
            categories = list(CATEGORIES[dimension])
            for category, number in zip(categories, _split(total, dimension, rng), strict=True):
                values[f"{indicator}.{dimension}.{category}"] = number
    return values


# The countries the victims detected in each country mostly come from, besides its own nationals,
# and where its repatriated victims return to (invented for the demo, near the region's routes).
NEIGHBOURS = {
    "GT": ("HND", "SLV", "MEX"), "HN": ("GTM", "SLV", "NIC"), "SV": ("GTM", "HND"), "CR": ("NIC", "PAN"),
    "PA": ("COL", "VEN"), "MX": ("GTM", "HND", "VEN"), "DO": ("HTI", "VEN"), "NI": ("HND", "CRI"),
    "BZ": ("GTM", "HND"),
}


def _by_country(data_set: DataSet, country: Country, values: dict[str, int]) -> list[RawCountryEntry]:
    """Detected victims by citizenship (most the country's own, some its neighbours', a few not
    known: the list adds up to the total) and victims repatriated by the country they returned to."""
    rng = random.Random(f"{data_set.code}-{country.iso2}-countries")  # noqa: S311  (invented demo figures)
    rows: list[RawCountryEntry] = []
    for dimension, indicator in country_blocks(data_set.indicators):
        total = values.get(f"{indicator}.{TOTAL}.{TOTAL}") or 0
        neighbours = NEIGHBOURS.get(country.iso2, ())
        if dimension == "citizenship":
            shares = [round(total * rng.uniform(0.6, 0.8))]
            parts = [rng.uniform(0.2, 0.3) for _ in neighbours]
            listed = [country.iso3, *neighbours, "XXX"]
        else:
            shares, parts = [], [rng.uniform(0.3, 0.5) for _ in neighbours[1:]]
            listed = list(neighbours)
        base = rest = total - sum(shares)
        for part in parts:  # never more than is left: the list adds up to the total
            shares.append(min(rest, round(base * part)))
            rest -= shares[-1]
        shares.append(rest)
        rows += [RawCountryEntry(dimension, code, number) for code, number in zip(listed, shares, strict=True) if number > 0]
    return rows


def _entries(data_set: DataSet, values: dict[str, int]) -> list[RawEntry]:
    return [RawEntry(e, values.get(e.key), "", Location(element=e.key)) for e in data_set.elements()]


def _walk(data_set: DataSet, country: Country, path: str, focal: User, secretariat: User) -> None:
    if not path:
        return
    submission = Submission(data_set=data_set, country=country)
    figures = _figures(data_set, country.iso2, complete=path != "draft")
    result = services.submission_save(actor=focal, submission=submission, entries=_entries(data_set, figures),
                                      countries=_by_country(data_set, country, figures))
    submission = result.submission
    if path == "draft":
        return
    services.submission_submit(actor=focal, submission=submission)
    if path == "submitted":
        return
    if path == "returned":
        services.submission_return(
            actor=secretariat, submission=submission,
            comment="Las víctimas por forma de explotación no coinciden con el informe del Ministerio Público; "
                    "por favor revisen y confirmen las cifras.",
        )
        return
    services.submission_approve(actor=secretariat, submission=submission)
    if path == "reopened":
        services.submission_reopen(
            actor=secretariat, submission=submission,
            reason="La Fiscalía reportó tres condenas adicionales del periodo después de la aprobación.",
        )


def _last_periods(today: dt.date) -> tuple[tuple[str, int, int], tuple[str, int, int]]:
    """The last full year and the last full semester before ``today``."""
    semester = ("semester", today.year, 1) if today.month > 6 else ("semester", today.year - 1, 2)
    return ("year", today.year - 1, 1), semester


def seed(accounts: dict[str, Any]) -> None:
    if not settings.DEMO:
        return
    secretariat = User.objects.get(username="secretariat")
    countries = {c.iso2: c for c in Country.objects.members()}
    today = timezone.localdate()
    for (period_type, year, number), paths in zip(_last_periods(today), (YEAR_PATHS, SEMESTER_PATHS), strict=True):
        if DataSet.objects.filter(period_type=period_type, year=year, number=number).exists():
            continue
        probe = DataSet(period_type=period_type, year=year, number=number)
        # Due two months after the period (the semester's, at the earliest, in two weeks: its
        # reports are being sent now, on time).
        deadline = probe.ends_on + dt.timedelta(days=60)
        if period_type == "semester":
            deadline = max(deadline, today + dt.timedelta(days=14))
        data_set = services.data_set_create(actor=secretariat, data={
            "period_type": period_type, "year": year, "number": number, "deadline": deadline,
            "indicators": ["detected_victims", "persons_prosecuted", "persons_convicted", "offences",
                           "victims_repatriated", "victims_assisted"],
        })
        for iso2, path in paths.items():
            focal = User.objects.filter(username=f"focal-{iso2.lower()}").first()
            if iso2 in countries and focal is not None:
                _walk(data_set, countries[iso2], path, focal, secretariat)
        if period_type == "year":
            _backdate(data_set, late={"MX", "NI", "BZ"})


def _backdate(data_set: DataSet, *, late: set[str]) -> None:
    """The year's reports were sent months ago: most by the deadline, a few after it. (Demo data
    only: the services stamp the present moment, which a past year's history cannot have.)"""
    for submission in Submission.objects.filter(data_set=data_set, first_submitted_at__isnull=False):
        days = 10 if submission.country.iso2 in late else -12
        when = timezone.make_aware(dt.datetime.combine(data_set.deadline + dt.timedelta(days=days), dt.time(15)))
        Submission.objects.filter(pk=submission.pk).update(first_submitted_at=when)
