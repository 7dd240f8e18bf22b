"""Reporting periods in DHIS2's ISO notation: "2024" (year), "2024S1" (semester), "2024Q3" (quarter)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_PATTERN = re.compile(r"^(?P<year>\d{4})(?:(?P<kind>[SQ])(?P<number>\d))?$")


@dataclass(frozen=True, order=True)
class Period:
    year: int
    kind: str  # "Y", "S" or "Q"
    number: int  # 0 for a year

    def __str__(self) -> str:
        return str(self.year) if self.kind == "Y" else f"{self.year}{self.kind}{self.number}"

    @property
    def end(self) -> dt.date:
        """The last day of the period (a period is in the future until it has ended)."""
        months = {"Y": 12, "S": 6 * self.number, "Q": 3 * self.number}[self.kind]
        first_of_next = dt.date(self.year + months // 12, months % 12 + 1, 1)
        return first_of_next - dt.timedelta(days=1)

    @property
    def start(self) -> dt.date:
        months = {"Y": 0, "S": 6 * (self.number - 1), "Q": 3 * (self.number - 1)}[self.kind]
        return dt.date(self.year, months + 1, 1)


def parse_period(text: str) -> Period:
    """Parse "2024", "2024S1" or "2024Q3"; raise ValueError on anything else."""
    match = _PATTERN.match(str(text).strip().upper())
    if not match:
        raise ValueError(text)
    year = int(match["year"])
    kind = match["kind"] or "Y"
    number = int(match["number"] or 0)
    if not 1900 <= year <= 2999 or (kind == "S" and number not in (1, 2)) or (kind == "Q" and not 1 <= number <= 4):
        raise ValueError(text)
    return Period(year, kind, number)
