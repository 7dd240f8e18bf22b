"""Test data for national reporting: data sets, reports in a given state, filled templates."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from openpyxl import load_workbook

from corett.reporting.models import DataSet, Event, EventKind, Submission, SubmissionState, Value
from corett.reporting.workbook import (
    COUNTRY_KEY_COLUMN,
    COUNTRY_SHEET,
    DATA_SHEET,
    FIRST_ROW,
    KEY_COLUMN,
    build_template,
)

# A consistent report: every breakdown adds up to its total.
GOOD = {
    "detected_victims.total.total": 40,
    "detected_victims.sex.female": 30, "detected_victims.sex.male": 9, "detected_victims.sex.other": 0,
    "detected_victims.sex.unknown": 1,
    "detected_victims.age.0-17": 15, "detected_victims.age.18+": 25, "detected_victims.age.unknown": 0,
    "detected_victims.form.sexual_exploitation": 28, "detected_victims.form.forced_labour": 10,
    "detected_victims.form.other": 2,
    "persons_convicted.total.total": 6,
    "offences.total.total": 12,
}
INDICATORS = ["detected_victims", "persons_convicted", "offences"]


def data_set(year: int = 2025, number: int = 1, period_type: str = "semester",
             indicators: list[str] | None = None, **extra: Any) -> DataSet:
    ds = DataSet(period_type=period_type, year=year, number=number, indicators=list(indicators or INDICATORS),
                 **extra)
    if ds.deadline is None:  # open: a report sent today is on time
        ds.deadline = max(ds.ends_on, timezone.localdate()) + dt.timedelta(days=60)
    ds.full_clean()
    ds.save()
    return ds


def submission(ds: DataSet, country: Any, state: str = SubmissionState.DRAFT,
               values: Mapping[str, int] | None = None) -> Submission:
    sub = Submission.objects.create(data_set=ds, country=country, state=state)
    for key, value in (GOOD if values is None else values).items():
        Value.objects.create(submission=sub, element=key, value=value)
    if state != SubmissionState.DRAFT:
        sub.first_submitted_at = sub.submitted_at = timezone.now()
        sub.save(update_fields=["first_submitted_at", "submitted_at"])
        Event.objects.create(submission=sub, kind=EventKind.SUBMITTED)
    return sub


def filled_template(ds: DataSet, country: Any, values: Mapping[str, Any] | None = None,
                    statuses: Mapping[str, str] | None = None, *, edit: Any = None,
                    countries: Mapping[str, list[tuple[Any, Any]]] | None = None) -> bytes:
    """The country's template for ``ds`` with ``values`` typed in column C (by element key), and
    ``countries`` (block "detected_victims.citizenship" → [(country as written, count)]) in the
    rows of "Países"."""
    workbook = load_workbook(io.BytesIO(build_template(data_set=ds, country=country)))
    for block, rows in (countries or {}).items():
        sheet = workbook[COUNTRY_SHEET]
        for (written, count), number in zip(rows, country_rows(sheet, block), strict=False):
            sheet[f"A{number}"], sheet[f"B{number}"] = written, count
    sheet = workbook[DATA_SHEET]
    values = GOOD if values is None else values
    row = FIRST_ROW
    while sheet[f"{KEY_COLUMN}{row}"].value:
        key = sheet[f"{KEY_COLUMN}{row}"].value
        if key in values:
            sheet[f"C{row}"] = values[key]
        if statuses and key in statuses:
            sheet[f"D{row}"] = statuses[key]
        row += 1
    if edit is not None:
        edit(workbook)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def row_of(ds: DataSet, key: str) -> int:
    return FIRST_ROW + [e.key for e in ds.elements()].index(key)


def country_rows(sheet: Any, block: str) -> list[int]:
    """The input rows of one block of "Países", in order."""
    return [cell.row for cell in sheet[COUNTRY_KEY_COLUMN] if cell.value == block]
