"""The bridge between national reporting and the statistics module.

- An approved report becomes the statistics module's values (source "national", status approved,
  provenance: the submission, who approved, when); the statistics module refreshes its published,
  disclosure-controlled figures as it stores them. Regional figures are made from approved data
  only, so a report counts in them from its approval on.
- A reopened report's values go back to "submitted" there, with the reason: they leave the
  published figures until the report is approved again.
- The country's history there (approved values of earlier periods, from any source, UNODC's
  GLOTIP releases included) gives the range each new value is checked against.

The reporting services call these inside their transaction: a report is approved and published
together, or neither.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from corett.reporting.elements import Element, element_by_key
from corett.reporting.models import DataSet, Submission
from corett.statistics.models import Kind, Source, Status
from corett.statistics.models import Value as StatisticsValue
from corett.statistics.services import ValueInput, set_status, store_values


def period_of(data_set: DataSet) -> str:
    """The statistics module's notation: "2025", "2025S1", "2025Q3"."""
    return data_set.code.replace("-", "")


def publish(*, submission: Submission, actor: Any) -> int:
    """Store the approved report's values as approved statistics; return how many cells.

    Every element of the data set is stored: a number as exact, a cell left empty or marked not
    available as missing, so a corrected report replaces all of what it said before.
    """
    data_set = submission.data_set
    iso3 = submission.country.iso3
    period = period_of(data_set)
    given = {v.element: v for v in submission.values.all()}
    elements = data_set.elements()
    # The countries of the breakdowns by citizenship and country of repatriation are the ones
    # the report lists; a country an earlier approval listed and this one does not is stored as
    # missing, as an emptied cell is.
    listed = [e for key in given if (e := element_by_key(key)) is not None and e.is_country]
    elements += sorted(listed, key=lambda e: e.key)
    elements += [e for e in _published_countries(submission) if e.key not in given]
    inputs = []
    for element in elements:
        value = given.get(element.key)
        number = value.value if value is not None else None
        codes = element.disaggregation()
        inputs.append(ValueInput(
            indicator=element.indicator, country=iso3, period=period, value=number,
            kind=Kind.EXACT if number is not None else Kind.MISSING, cell=element.key,
            sex=codes["sex"], age=codes["age"], form=codes["form"],
            citizenship=codes["citizenship"], repatriation=codes["repatriation"],
        ))
    result = store_values(
        actor=actor, source=Source.NATIONAL, values=inputs, release=f"{data_set.code} national report",
        reference=f"reporting.submission:{submission.pk}", country=iso3, status=Status.APPROVED,
    )
    return result.created + result.updated + result.unchanged


def _published(submission: Submission) -> Any:
    return StatisticsValue.objects.filter(
        source=Source.NATIONAL, country_iso3=submission.country.iso3, period=period_of(submission.data_set),
    )


def _published_countries(submission: Submission) -> list[Element]:
    """The breakdowns by country an earlier approval of this report put in the statistics."""
    found = []
    rows = _published(submission).exclude(citizenship="", repatriation="").values_list(
        "indicator__code", "citizenship", "repatriation", "label")
    for indicator, citizenship, repatriation, label in rows:
        dimension, code = ("citizenship", citizenship) if citizenship else ("repatriation", repatriation)
        element = element_by_key(f"{indicator}.{dimension}.{code}")
        if element is not None and not label and not (citizenship and repatriation):
            found.append(element)
    return sorted(set(found), key=lambda e: e.key)


def withdraw(*, submission: Submission, actor: Any, reason: str) -> int:
    """Take a reopened report's values out of the approved statistics; return how many."""
    return set_status(actor=actor, values=_published(submission), status=Status.SUBMITTED, reason=reason)


def history(submission: Submission) -> dict[str, list[int]]:
    """Per element key: the country's approved exact values of earlier periods of the same kind
    (one per period: the national report's where there is one, else another source's)."""
    data_set = submission.data_set
    period = period_of(data_set)
    pattern = {"year": r"^[0-9]{4}$", "semester": r"^[0-9]{4}S[12]$", "quarter": r"^[0-9]{4}Q[1-4]$"}[
        data_set.period_type
    ]
    rows = (
        StatisticsValue.objects.filter(
            country_iso3=submission.country.iso3, status=Status.APPROVED, kind=Kind.EXACT,
            indicator__code__in=data_set.indicators, period__regex=pattern, period__lt=period,
            citizenship="", repatriation="", label="",
        )
        .values_list("indicator__code", "sex", "age", "form", "period", "source", "value")
    )
    by_period: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for indicator, sex, age, form, when, source, value in rows:
        key = _element_key(indicator, sex, age, form)
        if key is not None and value is not None:
            by_period[(key, when)][source] = value
    values: dict[str, list[int]] = defaultdict(list)
    for (key, _when), sources in by_period.items():
        values[key].append(sources.get(Source.NATIONAL, next(iter(sources.values()))))
    return values


def _element_key(indicator: str, sex: str, age: str, form: str) -> str | None:
    """The element a statistics cell is, if it is one of a report's (one dimension at most)."""
    broken = [(name, code) for name, code in (("sex", sex), ("age", age), ("form", form)) if code != "total"]
    if len(broken) > 1:
        return None
    key = f"{indicator}.total.total" if not broken else f"{indicator}.{broken[0][0]}.{broken[0][1]}"
    return key if element_by_key(key) is not None else None
