"""The Excel template of a report: made for one country and one period, filled in by its focal
point (offline, often by several offices), and read back.

The workbook has three sheets: "Instrucciones" (in Spanish and English), "Datos" (one row per
data element: locked labels, a value cell, a status drop-down) and a very hidden "_meta" that
says which country and period it was made for, so a template of another country or period is
recognised and refused. The element codes sit in a hidden, locked column of "Datos", so rows
are read by what they are, not by where they are.

Reading never trusts the file: its size is bounded before it is opened, a file that is not a
workbook is refused, and every problem is a finding that names its cell.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_noop, override
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from corett.reporting.elements import Element, element_by_key
from corett.reporting.models import DataSet
from corett.reporting.validation import Finding, Location, RawEntry

DATA_SHEET = "Datos"
INSTRUCTIONS_SHEET = "Instrucciones"
META_SHEET = "_meta"
FORMAT = "corett-reporting/1"
HEADER_ROW = 5
FIRST_ROW = HEADER_ROW + 1
VALUE_COLUMN, STATUS_COLUMN, KEY_COLUMN = "C", "D", "E"
STATUS_CHOICES = ("Reportado / Reported", "No disponible / Not available")
# A filled template is a few hundred rows; more is not a template (and not worth reading).
MAX_ROWS = 2_000

_TITLE = Font(bold=True, size=14, color="1F3864")
_BOLD = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="D9E2F3")
_INPUT_FILL = PatternFill("solid", fgColor="FFF9E5")
_TOTAL_FONT = Font(bold=True)


def _both(text: str) -> str:
    """A label in Spanish and English."""
    from django.utils.translation import gettext

    with override("es"):
        es = gettext(text)
    with override("en"):
        en = gettext(text)
    return es if es == en else f"{es} / {en}"


def _instructions(country: Any, data_set: DataSet) -> list[str]:
    from django.utils.translation import gettext

    lines: list[str] = []
    for language in ("es", "en"):
        with override(language):
            name = country.name_es if language == "es" else country.name_en
            lines += [
                gettext("National report: %(country)s, period %(period)s") % {"country": name, "period": data_set.code},
                gettext("Deadline: %(deadline)s") % {"deadline": data_set.deadline.isoformat()},
                "",
                gettext("1. Fill in the sheet 'Datos': one whole number per row in column C (Value)."),
                gettext("2. If a figure is not available, leave the value empty and choose 'Not available' "
                        "in column D (Status)."),
                gettext("3. The categories of each breakdown (by sex, by age, by form of exploitation) must "
                        "add up to the indicator's total."),
                gettext("4. Do not rename, move or delete sheets, rows or columns: the labels are locked and "
                        "the platform reads the rows by their hidden codes."),
                gettext("5. This template is for your country and this period only. Upload it on the "
                        "report's page in CORETT Hub; the platform checks it and lists every problem by cell."),
                "",
            ]
    return lines


def build_template(*, data_set: DataSet, country: Any) -> bytes:
    """The template of ``country`` for ``data_set``, as .xlsx bytes."""
    workbook = Workbook()
    instructions = workbook.active
    assert instructions is not None
    instructions.title = INSTRUCTIONS_SHEET
    instructions.column_dimensions["A"].width = 110
    for row, line in enumerate(_instructions(country, data_set), start=1):
        cell = instructions.cell(row=row, column=1, value=line)
        cell.alignment = Alignment(wrap_text=True)
        if row in (1, 10):
            cell.font = _TITLE
    instructions.protection.sheet = True

    sheet = workbook.create_sheet(DATA_SHEET)
    _fill_data_sheet(sheet, data_set=data_set, country=country)
    workbook.active = 1

    meta = workbook.create_sheet(META_SHEET)
    for row, (key, value) in enumerate(
        (("format", FORMAT), ("country", country.iso2), ("data_set", data_set.code),
         ("generated_at", timezone.now().isoformat(timespec="seconds"))),
        start=1,
    ):
        meta.cell(row=row, column=1, value=key)
        meta.cell(row=row, column=2, value=value)
    meta.sheet_state = "veryHidden"
    meta.protection.sheet = True

    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _fill_data_sheet(sheet: Any, *, data_set: DataSet, country: Any) -> None:
    sheet["A1"] = _both(gettext_noop("National report"))
    sheet["A1"].font = _TITLE
    sheet["A2"], sheet["B2"] = _both(gettext_noop("Country")), f"{country.name_es} / {country.name_en} ({country.iso3})"
    sheet["A3"], sheet["B3"] = _both(gettext_noop("Period")), data_set.code
    sheet["A4"], sheet["B4"] = _both(gettext_noop("Deadline")), data_set.deadline.isoformat()
    for ref in ("A2", "A3", "A4"):
        sheet[ref].font = _BOLD
    headers = (_both(gettext_noop("Indicator")), _both(gettext_noop("Breakdown")), _both(gettext_noop("Value")), _both(gettext_noop("Status")), "code")
    for column, text in enumerate(headers, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=column, value=text)
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
    elements = data_set.elements()
    last = FIRST_ROW + len(elements) - 1
    status = DataValidation(
        type="list", formula1='"' + ",".join(STATUS_CHOICES) + '"', allow_blank=True,
        showErrorMessage=True, errorTitle=_both(gettext_noop("Status")),
        error=_both(gettext_noop("Choose 'Reported' or 'Not available' from the list.")),
    )
    count = DataValidation(
        type="whole", operator="between", formula1="0", formula2="10000000", allow_blank=True,
        showErrorMessage=True, errorTitle=_both(gettext_noop("Value")),
        error=_both(gettext_noop("Write a whole number of 0 or more, or leave the cell empty.")),
    )
    sheet.add_data_validation(status)
    sheet.add_data_validation(count)
    for row, element in enumerate(elements, start=FIRST_ROW):
        indicator, breakdown = element.bilingual()
        sheet.cell(row=row, column=1, value=indicator if element.is_total else None)
        label = sheet.cell(row=row, column=2, value=breakdown)
        if element.is_total:
            sheet.cell(row=row, column=1).font = _TOTAL_FONT
            label.font = _TOTAL_FONT
        for letter in (VALUE_COLUMN, STATUS_COLUMN):
            cell = sheet[f"{letter}{row}"]
            cell.protection = Protection(locked=False)
            cell.fill = _INPUT_FILL
        sheet[f"{KEY_COLUMN}{row}"] = element.key
    status.add(f"{STATUS_COLUMN}{FIRST_ROW}:{STATUS_COLUMN}{last}")
    count.add(f"{VALUE_COLUMN}{FIRST_ROW}:{VALUE_COLUMN}{last}")
    sheet.column_dimensions["A"].width = 48
    sheet.column_dimensions["B"].width = 52
    sheet.column_dimensions["C"].width = 14
    sheet.column_dimensions["D"].width = 30
    sheet.column_dimensions[KEY_COLUMN].hidden = True
    sheet.freeze_panes = f"A{FIRST_ROW}"
    # Locked labels and codes: a guard against slips, not a secret (Excel's sheet protection
    # is not security), which is why the reader checks every code again.
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False


@dataclass
class ReadRow:
    """One data row as read, for the row-by-row report."""

    number: int
    element: Element | None
    value: Any
    status: Any
    findings: list[Finding] = field(default_factory=list)


@dataclass
class ReadResult:
    entries: list[RawEntry] = field(default_factory=list)
    rows: list[ReadRow] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # about the file, not one row


def _is_workbook(content: bytes) -> bool:
    if not content.startswith(b"PK"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def read_template(content: bytes, *, data_set: DataSet, country: Any) -> ReadResult:
    """The entries of a filled template, or the findings that say why it cannot be read."""
    result = ReadResult()
    if not _is_workbook(content):
        result.findings.append(Finding("not_a_workbook"))
        return result
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError):
        result.findings.append(Finding("not_a_workbook"))
        return result
    try:
        _read(workbook, result, data_set=data_set, country=country)
    finally:
        workbook.close()
    return result


def _meta(workbook: Any) -> dict[str, str]:
    if META_SHEET not in workbook.sheetnames:
        return {}
    values: dict[str, str] = {}
    for row in workbook[META_SHEET].iter_rows(min_row=1, max_row=10, max_col=2, values_only=True):
        if row and row[0] is not None:
            values[str(row[0])] = "" if row[1] is None else str(row[1])
    return values


def _read(workbook: Any, result: ReadResult, *, data_set: DataSet, country: Any) -> None:
    meta = _meta(workbook)
    if meta.get("format") != FORMAT:
        result.findings.append(Finding("not_a_template"))
        return
    if DATA_SHEET not in workbook.sheetnames:
        found = ", ".join(f"'{name}'" for name in workbook.sheetnames if name != META_SHEET)
        result.findings.append(Finding("missing_sheet", params={"expected": DATA_SHEET, "found": found}))
        return
    if meta.get("country") != country.iso2:
        from corett.directory.models import Country

        other = Country.objects.filter(iso2=meta.get("country", "")).first()
        result.findings.append(Finding(
            "wrong_country", Location(DATA_SHEET, "B2"),
            {"found": other.name if other else meta.get("country", "?")[:10], "expected": country.name},
        ))
    if meta.get("data_set") != data_set.code:
        result.findings.append(Finding(
            "wrong_period", Location(DATA_SHEET, "B3"),
            {"found": meta.get("data_set", "?")[:20], "expected": data_set.code},
        ))
    if result.findings:
        return
    _read_rows(workbook[DATA_SHEET], result, data_set=data_set)


def _read_rows(sheet: Any, result: ReadResult, *, data_set: DataSet) -> None:
    expected = {element.key: element for element in data_set.elements()}
    seen: set[str] = set()
    rows = sheet.iter_rows(min_row=FIRST_ROW, max_row=FIRST_ROW + MAX_ROWS, min_col=1, max_col=5, values_only=True)
    for number, row in enumerate(rows, start=FIRST_ROW):
        cells = tuple(row) + (None,) * (5 - len(row))
        _label, breakdown, value, status, key = cells
        if key is None and value is None and status is None and breakdown is None:
            continue
        element = element_by_key(str(key)) if key is not None else None
        read = ReadRow(number, element, value, status)
        result.rows.append(read)
        if element is None or element.key not in expected or element.key in seen:
            read.findings.append(Finding(
                "row_changed", Location(DATA_SHEET, f"{KEY_COLUMN}{number}"),
                {"text": str(key if key is not None else breakdown)[:60]},
            ))
            continue
        seen.add(element.key)
        result.entries.append(RawEntry(
            element, value, status,
            location=Location(DATA_SHEET, f"{VALUE_COLUMN}{number}"),
            status_location=Location(DATA_SHEET, f"{STATUS_COLUMN}{number}"),
        ))
    for key, element in expected.items():
        if key not in seen:
            result.findings.append(Finding(
                "row_missing", Location(DATA_SHEET),
                {"text": f"{element.indicator_label}, {element.label}"},
            ))
