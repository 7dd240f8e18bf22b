"""The checks every report passes, whether its values were typed in the web form or read from the
Excel template: one set of rules, one wording.

A finding names where it is (a cell of the workbook, "Sheet 'Datos', C7", or a field of the
form) and says what is wrong in the reader's language. Errors stop a report: nothing of it is
stored. Warnings (a value outside the range the country's earlier approved reports make
plausible, DHIS2's min/max check) do not: they are kept with the report for the reviewer.
Findings are kept as codes and numbers and worded when shown, so each reader gets their language.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from corett.reporting.elements import (
    CATEGORIES,
    COUNTRY_DIMENSIONS,
    DIMENSIONS,
    TOTAL,
    Element,
    country_block_label,
    element_by_key,
)

ERROR, WARNING = "error", "warning"
# Larger than any count a country reports for a period: a typo (an extra digit pasted twice),
# and beyond what the database column holds.
MAX_COUNT = 10_000_000
NOT_AVAILABLE = "not_available"
REPORTED = "reported"


@dataclass(frozen=True)
class Location:
    """A cell of the template (``sheet`` and ``cell``) or a field of the entry form
    (``element``), or the whole file (none of them).

    A row of a breakdown by country, in the form or the API, is its block
    ("detected_victims.citizenship") and ``row`` (from 1); ``part`` is "country" for its
    country and empty for its count."""

    sheet: str = ""
    cell: str = ""
    element: str = ""
    row: int = 0
    part: str = ""

    def __str__(self) -> str:
        if self.sheet and self.cell:
            return _("Sheet '%(sheet)s', %(cell)s") % {"sheet": self.sheet, "cell": self.cell}
        if self.sheet:
            return _("Sheet '%(sheet)s'") % {"sheet": self.sheet}
        if self.element and self.row:
            dimension = self.element.partition(".")[2]
            block = country_block_label(dimension) if dimension in COUNTRY_DIMENSIONS else self.element
            return _("%(block)s, row %(row)s") % {"block": block, "row": self.row}
        if self.element:
            element = element_by_key(self.element)
            return f"{element.indicator_label}, {element.label}" if element else self.element
        return ""

    def as_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            k: v for k, v in (("sheet", self.sheet), ("cell", self.cell), ("element", self.element)) if v
        }
        if self.row:
            found["row"] = self.row
        if self.part:
            found["part"] = self.part
        return found


def _messages() -> dict[str, str]:
    """The wording of each finding (looked up when shown: the reader's language)."""
    return {
        "not_a_number": _("“%(text)s” is not a number: write a whole number, or leave the cell empty."),
        "not_whole": _("%(text)s is not a whole number: counts are whole numbers."),
        "negative": _("A count cannot be negative (%(value)s)."),
        "too_large": _("%(value)s is larger than any count this report can hold; check for a typing error."),
        "not_available_with_value": _(
            "The cell is marked “not available” but holds a value (%(value)s): clear one of them."
        ),
        "unknown_status": _("“%(text)s” is not a status: choose “Reported” or “Not available” from the list."),
        "sum_mismatch": _(
            "The total is %(total)s, but the breakdown %(dimension)s adds up to %(sum)s: "
            "the categories must add up to the total."
        ),
        "sum_exceeds_total": _(
            "The total is %(total)s, but the categories filled in %(dimension)s already add up to %(sum)s."
        ),
        "breakdown_without_total": _(
            "The total is empty, but the breakdown %(dimension)s has values: give the total too."
        ),
        "unknown_country": _(
            "“%(text)s” is not a country the platform recognises: choose one from the list, or write its "
            "ISO alpha-3 code (e.g. GTM; XXX when the country is not known)."
        ),
        "country_missing": _("%(value)s victims, but no country: choose the country, or clear the count."),
        "count_missing": _("%(country)s has no count: give the number of victims, or clear the row."),
        "duplicate_country": _("%(country)s is listed twice (also at %(other)s): give each country one row."),
        "countries_without_total": _(
            "The total is empty, but the countries listed %(dimension)s add up to %(sum)s: give the total too."
        ),
        "countries_exceed_total": _(
            "The total is %(total)s, but the countries listed %(dimension)s add up to %(sum)s: they cannot "
            "add up to more than the total."
        ),
        "countries_mismatch": _(
            "The total is %(total)s, but the countries listed %(dimension)s add up to %(sum)s. With "
            "“unspecified” (XXX) among them the list is complete: it must add up to the total."
        ),
        "countries_incomplete": _(
            "The countries listed %(dimension)s account for %(sum)s of the total of %(total)s: add the "
            "others, or “unspecified” (XXX) for those whose country is not known."
        ),
        "out_of_range": _(
            "%(value)s is outside the range expected from the country's earlier approved reports "
            "(%(low)s to %(high)s, from %(count)s reports): check it, or explain it to the Secretariat."
        ),
        "period_not_ended": _(
            "The period %(period)s ends on %(end)s: its figures can be reported from the next day."
        ),
        "wrong_country": _(
            "This template is for %(found)s, not for %(expected)s. Download your country's template "
            "from the report's page."
        ),
        "wrong_period": _(
            "This template is for the period %(found)s, not for %(expected)s. Download the template "
            "of this period from the report's page."
        ),
        "not_a_template": _(
            "This workbook is not a CORETT reporting template. Download the template from the "
            "report's page, fill it in and upload it."
        ),
        "not_a_workbook": _("This file is not an Excel workbook (.xlsx). Upload the template, filled in."),
        "missing_sheet": _(
            "The workbook has no sheet named '%(expected)s' (its sheets: %(found)s). "
            "The template's sheets must keep their names."
        ),
        "row_changed": _(
            "This row of the template was changed or moved (%(text)s). The labels and codes are "
            "locked: download the template again."
        ),
        "row_missing": _("The row for “%(text)s” is missing. Download the template again."),
        "too_large_file": _("The file is %(size)s; the limit is %(limit)s MB."),
    }


@dataclass(frozen=True)
class Finding:
    code: str
    location: Location = field(default_factory=Location)
    params: Mapping[str, Any] = field(default_factory=dict)
    severity: str = ERROR
    element: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    @property
    def text(self) -> str:
        """What is wrong, without the place."""
        params = dict(self.params)
        if "dimension" in params and params["dimension"] in DIMENSIONS:
            params["dimension"] = str(DIMENSIONS[params["dimension"]]).lower()
        if "other_row" in params:
            params["other"] = _("row %(row)s") % {"row": params.pop("other_row")}
        if "country" in params:
            from corett.reporting.countries import country_name

            params["country"] = country_name(str(params["country"]))
        template = _messages().get(self.code, _("This value is not valid."))
        return template % params if params else template.replace("%%", "%")

    def __str__(self) -> str:
        where = str(self.location)
        return f"{where}: {self.text}" if where else self.text

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code, "location": self.location.as_dict(), "params": dict(self.params),
            "severity": self.severity, "element": self.element,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Finding:
        return cls(
            code=str(data.get("code", "")), location=Location(**data.get("location", {})),
            params=dict(data.get("params", {})), severity=str(data.get("severity", ERROR)),
            element=str(data.get("element", "")),
        )


@dataclass(frozen=True)
class RawEntry:
    """One element as the reporter gave it: the value as typed or read (any type), and whether
    it was marked as not available."""

    element: Element
    value: Any
    status: Any = ""
    location: Location = field(default_factory=Location)
    status_location: Location | None = None


@dataclass(frozen=True)
class RawCountryEntry:
    """One row of a breakdown by country as the reporter gave it: the country as written (a code,
    a name, a demonym: mapped by :func:`corett.reporting.countries.country_code`) and the count."""

    dimension: str  # "citizenship" or "repatriation"
    country: Any
    value: Any
    country_location: Location = field(default_factory=Location)
    location: Location = field(default_factory=Location)

    @property
    def indicator(self) -> str:
        return COUNTRY_DIMENSIONS[self.dimension]


@dataclass(frozen=True)
class Reading:
    """An element's value once checked: a count, or None (empty or not available)."""

    value: int | None
    not_available: bool = False


_NUMBER = re.compile(r"^[+-]?\d{1,3}(,\d{3})+$|^[+-]?\d+$")


def parse_count(raw: Any) -> tuple[int | None, str]:
    """(the count or None when empty, the code of what is wrong or "")."""
    if raw is None:
        return None, ""
    if isinstance(raw, bool):
        return None, "not_a_number"
    if isinstance(raw, int):
        number: Decimal = Decimal(raw)
    elif isinstance(raw, float):
        if not math.isfinite(raw):
            return None, "not_a_number"
        number = Decimal(str(raw))
    else:
        text = str(raw).strip().replace("\u00a0", "").replace(" ", "")
        if not text:
            return None, ""
        # "1,234" (thousands commas, as the countries write them) but not "1,5".
        if _NUMBER.match(text):
            number = Decimal(text.replace(",", ""))
        else:
            try:
                number = Decimal(text)
            except InvalidOperation:
                return None, "not_a_number"
            if not number.is_finite():
                return None, "not_a_number"
    if number != number.to_integral_value():
        return None, "not_whole"
    if number < 0:
        return None, "negative"
    if number > MAX_COUNT:
        return None, "too_large"
    return int(number), ""


def parse_status(raw: Any) -> str | None:
    """REPORTED, NOT_AVAILABLE, or None when the text is none of the list's choices."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return REPORTED
    text = str(raw).strip().lower()
    if text in (NOT_AVAILABLE, "no disponible", "not available", "no disponible / not available", "n/a", "nd"):
        return NOT_AVAILABLE
    if text in (REPORTED, "reportado", "reported", "reportado / reported"):
        return REPORTED
    return None


def check_entries(
    entries: Iterable[RawEntry], ranges: Mapping[str, tuple[int, int, int]] | None = None,
    *, countries: Iterable[RawCountryEntry] = (), reporting_country: str = "",
) -> tuple[dict[str, Reading], list[Finding]]:
    """The readings of every element, and what is wrong with them.

    ``ranges`` maps an element's key to (low, high, number of earlier reports) when the country's
    history gives one; values outside it are warnings. ``countries`` are the rows of the
    breakdowns by country; ``reporting_country`` (alpha-3) is whose report it is.
    """
    readings: dict[str, Reading] = {}
    findings: list[Finding] = []
    locations: dict[str, Location] = {}
    for entry in entries:
        key = entry.element.key
        locations[key] = entry.location
        value, problem = parse_count(entry.value)
        shown = entry.value if not isinstance(entry.value, float) else f"{entry.value:g}"
        if problem:
            findings.append(Finding(problem, entry.location, {"text": str(shown)[:40], "value": str(shown)[:40]},
                                    element=key))
            continue
        status = parse_status(entry.status)
        if status is None:
            findings.append(Finding("unknown_status", entry.status_location or entry.location,
                                    {"text": str(entry.status)[:40]}, element=key))
            continue
        if status == NOT_AVAILABLE and value is not None:
            findings.append(Finding("not_available_with_value", entry.location, {"value": value}, element=key))
            continue
        readings[key] = Reading(value, not_available=status == NOT_AVAILABLE)
    findings.extend(_check_breakdowns(readings, locations))
    findings.extend(_check_countries(list(countries), readings, locations, reporting_country))
    if ranges:
        findings.extend(_check_ranges(readings, locations, ranges))
    return readings, findings


def _check_breakdowns(readings: Mapping[str, Reading], locations: Mapping[str, Location]) -> list[Finding]:
    """Each breakdown adds up to its total: exactly when every category has a value, at most the
    total when some are empty (not yet known)."""
    findings = []
    indicators = {key.split(".")[0] for key in locations}
    for indicator in sorted(indicators):
        total_key = f"{indicator}.{TOTAL}.{TOTAL}"
        total = readings.get(total_key)
        for dimension, categories in CATEGORIES.items():
            keys = [f"{indicator}.{dimension}.{c}" for c in categories if f"{indicator}.{dimension}.{c}" in locations]
            if not keys:
                continue
            values = [v for k in keys if k in readings and (v := readings[k].value) is not None]
            if not values:
                continue
            where = locations.get(total_key, Location())
            total_value = total.value if total else None
            params = {"dimension": dimension, "sum": sum(values), "total": total_value}
            if total_value is None:
                findings.append(Finding("breakdown_without_total", where, params, element=total_key))
            elif len(values) == len(keys) and sum(values) != total_value:
                findings.append(Finding("sum_mismatch", where, params, element=total_key))
            elif sum(values) > total_value:
                findings.append(Finding("sum_exceeds_total", where, params, element=total_key))
    return findings


def _check_countries(
    rows: list[RawCountryEntry], readings: dict[str, Reading], locations: Mapping[str, Location],
    reporting_country: str,
) -> list[Finding]:
    """Each row names a country and gives its count; no country twice in a block; a block adds up
    to at most its indicator's total, or to exactly the total when "unspecified" is listed (the
    list then claims to be complete). Adds the rows' readings to ``readings``."""
    from corett.reporting.countries import country_code
    from corett.statistics.models import UNSPECIFIED_COUNTRY

    findings: list[Finding] = []
    sums: dict[str, list[int]] = {}
    seen: dict[str, Location] = {}
    listed: dict[str, set[str]] = {}
    for row in rows:
        block = f"{row.indicator}.{row.dimension}"
        written = "" if row.country is None else str(row.country).strip()
        value, problem = parse_count(row.value)
        shown = row.value if not isinstance(row.value, float) else f"{row.value:g}"
        if not written and value is None and not problem:
            continue  # an empty row
        code = country_code(written, reporting_country=reporting_country) if written else None
        key = f"{block}.{code}" if code else block
        if not written:
            findings.append(Finding("country_missing", row.country_location, {"value": str(shown)[:40]},
                                    element=block))
        elif code is None:
            findings.append(Finding("unknown_country", row.country_location, {"text": written[:60]}, element=block))
        elif key in seen:
            first = seen[key]  # in the same sheet or block: named by its cell, or its row
            other: dict[str, Any] = {"other": first.cell} if first.cell else {"other_row": first.row}
            findings.append(Finding("duplicate_country", row.country_location, {"country": code, **other},
                                    element=key))
            continue
        else:
            seen[key] = row.country_location
            listed.setdefault(block, set()).add(code)
        if problem:
            findings.append(Finding(problem, row.location, {"text": str(shown)[:40], "value": str(shown)[:40]},
                                    element=key))
        elif value is None and code is not None:
            findings.append(Finding("count_missing", row.location, {"country": code}, element=key))
        elif value is not None and code is not None:
            readings[key] = Reading(value)
            sums.setdefault(block, []).append(value)
    for block, values in sums.items():
        indicator, dimension = block.split(".")
        total_key = f"{indicator}.{TOTAL}.{TOTAL}"
        total = readings.get(total_key)
        total_value = total.value if total else None
        where = locations.get(total_key, Location())
        params = {"dimension": dimension, "sum": sum(values), "total": total_value}
        if total_value is None:
            findings.append(Finding("countries_without_total", where, params, element=total_key))
        elif sum(values) > total_value:
            findings.append(Finding("countries_exceed_total", where, params, element=total_key))
        elif sum(values) < total_value:
            complete = UNSPECIFIED_COUNTRY in listed.get(block, set())
            findings.append(Finding("countries_mismatch" if complete else "countries_incomplete", where, params,
                                    severity=ERROR if complete else WARNING, element=total_key))
    return findings


def _check_ranges(
    readings: Mapping[str, Reading], locations: Mapping[str, Location], ranges: Mapping[str, tuple[int, int, int]]
) -> list[Finding]:
    findings = []
    for key, reading in readings.items():
        if reading.value is None or key not in ranges:
            continue
        low, high, count = ranges[key]
        if not low <= reading.value <= high:
            findings.append(Finding(
                "out_of_range", locations[key],
                {"value": reading.value, "low": low, "high": high, "count": count},
                severity=WARNING, element=key,
            ))
    return findings
