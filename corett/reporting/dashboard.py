"""Completeness and timeliness of national reporting, per country and period (DHIS2's reporting
rate and timely reporting rate). States, dates and shares only: no reported value appears here,
so the dashboard may show countries other than the reader's own where the policy allows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from corett.directory.models import Country
from corett.reporting.models import DataSet, Submission, SubmissionState


@dataclass(frozen=True)
class Cell:
    country: Country
    data_set: DataSet
    state: str  # a SubmissionState, or "" when the country has not started
    state_label: str
    on_time: bool | None  # None: not submitted and the deadline has not passed
    completeness: int  # per cent of the data elements given (a value or "not available")
    submitted_on: object = None


@dataclass(frozen=True)
class Column:
    """One data set's summary over the countries shown."""

    data_set: DataSet
    cells: list[Cell]

    @property
    def reported(self) -> int:
        return sum(1 for c in self.cells if c.submitted_on is not None)

    @property
    def on_time(self) -> int:
        return sum(1 for c in self.cells if c.on_time is True)

    @property
    def approved(self) -> int:
        return sum(1 for c in self.cells if c.state == SubmissionState.APPROVED)

    @property
    def reporting_rate(self) -> int:
        return round(100 * self.reported / len(self.cells)) if self.cells else 0

    @property
    def timely_rate(self) -> int:
        return round(100 * self.on_time / len(self.cells)) if self.cells else 0


def build(data_sets: Iterable[DataSet], countries: Iterable[Country]) -> list[Column]:
    """One column per data set, one cell per country (two queries in all)."""
    data_sets, countries = list(data_sets), list(countries)
    submissions = {
        (s.data_set_id, s.country_id): s
        for s in Submission.objects.filter(data_set__in=data_sets, country__in=countries)
        # Completeness counts the data set's elements; the countries a breakdown by country
        # lists are extra rows, not cells to fill.
        .annotate(given=Count("values", filter=~Q(values__element__contains=".citizenship.")
                              & ~Q(values__element__contains=".repatriation.")))
        .only("data_set_id", "country_id", "state", "first_submitted_at")
    }
    today = timezone.localdate()
    columns = []
    for data_set in data_sets:
        elements = len(data_set.elements()) or 1
        cells = []
        for country in countries:
            submission = submissions.get((data_set.pk, country.pk))
            if submission is None:
                on_time = False if today > data_set.deadline else None
                cells.append(Cell(country, data_set, "", "", on_time, 0))
                continue
            submission.data_set = data_set
            cells.append(Cell(
                country, data_set, submission.state, submission.get_state_display(), submission.on_time(),
                min(100, round(100 * submission.given / elements)),  # type: ignore[attr-defined]
                timezone.localdate(submission.first_submitted_at) if submission.first_submitted_at else None,
            ))
        columns.append(Column(data_set, cells))
    return columns
