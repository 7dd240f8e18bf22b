"""The Excel template of a report: made for one country and one period, filled in by its focal
point (offline, often by several offices), and read back.

The workbook has these sheets: "Instrucciones" (in Spanish and English), "Datos" (one row per
data element: locked labels, a value cell, a status drop-down), "Países" when the data set asks
for detected victims or victims repatriated (their breakdowns by citizenship and by country of
repatriation: rows of a country drop-down and a count, with the rows' sum beside the total),
and two very hidden ones: "_meta", which says which country and period the template was made
for, so a template of another country or period is recognised and refused, and "_paises", the
drop-down's list. The element codes sit in a hidden, locked column, so rows are read by what
they are, not by where they are. Templates made before "Países" existed (format 1) are still
read, without it.

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

from corett.reporting import countries
from corett.reporting.elements import (
    COUNTRY_DIMENSIONS,
    DIMENSIONS,
    INDICATORS,
    Element,
    country_blocks,
    element_by_key,
)
from corett.reporting.models import DataSet
from corett.reporting.validation import Finding, Location, RawCountryEntry, RawEntry

DATA_SHEET = "Datos"
INSTRUCTIONS_SHEET = "Instrucciones"
COUNTRY_SHEET = "Países"
META_SHEET = "_meta"
LIST_SHEET = "_paises"
FORMAT = "corett-reporting/2"
# Format 1: the same template without the sheet of breakdowns by country.
FORMATS = frozenset({"corett-reporting/1", FORMAT})
HEADER_ROW = 5
FIRST_ROW = HEADER_ROW + 1
VALUE_COLUMN, STATUS_COLUMN, KEY_COLUMN = "C", "D", "E"
STATUS_CHOICES = ("Reportado / Reported", "No disponible / Not available")
# A filled template is a few hundred rows; more is not a template (and not worth reading).
MAX_ROWS = 2_000
# Rows for the countries of one breakdown: more than any country of the region has reported.
COUNTRY_ROWS = 40
COUNTRY_FIRST_ROW = 5  # the first block's heading
COUNTRY_COLUMN, COUNT_COLUMN, COUNTRY_KEY_COLUMN = "A", "B", "C"

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
            ]
            if country_blocks(data_set.indicators):
                lines.append(gettext(
                    "6. In the sheet 'Países', list the victims by citizenship and by country of repatriation: "
                    "one country per row, chosen from the list (or its ISO alpha-3 code), and its number of "
                    "victims. The countries may not add up to more than the indicator's total; choose "
                    "'XXX' (unspecified) for victims whose country is not known, and the list must then add "
                    "up to the total exactly."
                ))
            lines.append("")
    return lines


def build_template(*, data_set: DataSet, country: Any) -> bytes:
    """The template of ``country`` for ``data_set``, as .xlsx bytes."""
    workbook = Workbook()
    instructions = workbook.active
    assert instructions is not None
    instructions.title = INSTRUCTIONS_SHEET
    instructions.column_dimensions["A"].width = 110
    lines = _instructions(country, data_set)
    titles = (1, len(lines) // 2 + 1)  # the Spanish half's first line, the English half's
    for row, line in enumerate(lines, start=1):
        cell = instructions.cell(row=row, column=1, value=line)
        cell.alignment = Alignment(wrap_text=True)
        if row in titles:
            cell.font = _TITLE
    instructions.protection.sheet = True

    sheet = workbook.create_sheet(DATA_SHEET)
    total_rows = _fill_data_sheet(sheet, data_set=data_set, country=country)
    workbook.active = 1
    if country_blocks(data_set.indicators):
        _fill_country_sheet(workbook, data_set=data_set, total_rows=total_rows)

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


def _fill_data_sheet(sheet: Any, *, data_set: DataSet, country: Any) -> dict[str, int]:
    """Fill "Datos"; return the row of each indicator's total."""
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
    count = _count_validation()
    sheet.add_data_validation(status)
    sheet.add_data_validation(count)
    total_rows: dict[str, int] = {}
    for row, element in enumerate(elements, start=FIRST_ROW):
        if element.is_total:
            total_rows[element.indicator] = row
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
    return total_rows


def _count_validation() -> DataValidation:
    return DataValidation(
        type="whole", operator="between", formula1="0", formula2="10000000", allow_blank=True,
        showErrorMessage=True, errorTitle=_both(gettext_noop("Value")),
        error=_both(gettext_noop("Write a whole number of 0 or more, or leave the cell empty.")),
    )


def _fill_country_sheet(workbook: Any, *, data_set: DataSet, total_rows: dict[str, int]) -> None:
    """The breakdowns by citizenship and by country of repatriation: per block, a heading, rows
    of a country (drop-down) and a count, then the rows' sum beside the total in "Datos"."""
    from django.utils.translation import gettext

    listing = workbook.create_sheet(LIST_SHEET)
    options = [countries.bilingual_choice(*choice) for choice in countries.choices()]
    for row, text in enumerate(options, start=1):
        listing.cell(row=row, column=1, value=text)
    listing.sheet_state = "veryHidden"
    listing.protection.sheet = True

    sheet = workbook.create_sheet(COUNTRY_SHEET, index=2)
    sheet["A1"] = _both(gettext_noop("Victims by citizenship and by country of repatriation"))
    sheet["A1"].font = _TITLE
    for row, language in ((2, "es"), (3, "en")):
        with override(language):
            sheet[f"A{row}"] = gettext(
                "One country per row: choose it from the list, or write its ISO alpha-3 code (XXX: not known)."
            )
    picker = DataValidation(
        type="list", formula1=f"'{LIST_SHEET}'!$A$1:$A${len(options)}", allow_blank=True,
        showErrorMessage=True, errorStyle="warning", errorTitle=_both(gettext_noop("Country")),
        error=_both(gettext_noop("Choose a country from the list, or write its ISO alpha-3 code (e.g. NGA).")),
    )
    count = _count_validation()
    sheet.add_data_validation(picker)
    sheet.add_data_validation(count)
    row = COUNTRY_FIRST_ROW
    for dimension, indicator in country_blocks(data_set.indicators):
        block = f"{indicator}.{dimension}"
        with override("es"):
            es = f"{INDICATORS[indicator]}, {str(DIMENSIONS[dimension]).lower()}"
        with override("en"):
            en = f"{INDICATORS[indicator]}, {str(DIMENSIONS[dimension]).lower()}"
        heading = (f"{es} / {en}", _both(gettext_noop("Number of victims")), f"#{block}")
        for column, text in enumerate(heading, start=1):
            cell = sheet.cell(row=row, column=column, value=text)
            cell.font = _BOLD
            cell.fill = _HEADER_FILL
        first, last = row + 1, row + COUNTRY_ROWS
        for number in range(first, last + 1):
            for letter in (COUNTRY_COLUMN, COUNT_COLUMN):
                cell = sheet[f"{letter}{number}"]
                cell.protection = Protection(locked=False)
                cell.fill = _INPUT_FILL
            sheet[f"{COUNTRY_KEY_COLUMN}{number}"] = block
        picker.add(f"{COUNTRY_COLUMN}{first}:{COUNTRY_COLUMN}{last}")
        count.add(f"{COUNT_COLUMN}{first}:{COUNT_COLUMN}{last}")
        sheet.cell(row=last + 1, column=1, value=_both(gettext_noop("Sum of the rows"))).font = _BOLD
        sheet[f"{COUNT_COLUMN}{last + 1}"] = f"=SUM({COUNT_COLUMN}{first}:{COUNT_COLUMN}{last})"
        sheet[f"{COUNTRY_KEY_COLUMN}{last + 1}"] = f"#{block}.sum"
        sheet.cell(row=last + 2, column=1, value=_both(gettext_noop("Total in the sheet 'Datos'"))).font = _BOLD
        sheet[f"{COUNT_COLUMN}{last + 2}"] = f"='{DATA_SHEET}'!{VALUE_COLUMN}{total_rows[indicator]}"
        sheet[f"{COUNTRY_KEY_COLUMN}{last + 2}"] = f"#{block}.total"
        row = last + 4
    sheet.column_dimensions["A"].width = 60
    sheet.column_dimensions["B"].width = 22
    sheet.column_dimensions[COUNTRY_KEY_COLUMN].hidden = True
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False


@dataclass
class ReadRow:
    """One data row as read, for the row-by-row report. A row of a breakdown by country has its
    ``dimension``, the ``country`` as written and the code it maps to (``element``, when it does)."""

    number: int
    element: Element | None
    value: Any
    status: Any
    findings: list[Finding] = field(default_factory=list)
    sheet: str = DATA_SHEET
    dimension: str = ""
    country: Any = None

    @property
    def indicator_label(self) -> str:
        if self.dimension:
            return str(INDICATORS[COUNTRY_DIMENSIONS[self.dimension]])
        return self.element.indicator_label if self.element else ""

    @property
    def breakdown_label(self) -> str:
        if self.dimension:
            written = "" if self.country is None else str(self.country).strip()
            if self.element is None:
                return f"{DIMENSIONS[self.dimension]}: {written}"
            return f"{self.element.label} ← “{written}”"
        return self.element.label if self.element else ""


@dataclass
class ReadResult:
    entries: list[RawEntry] = field(default_factory=list)
    countries: list[RawCountryEntry] = field(default_factory=list)
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
    if meta.get("format") not in FORMATS:
        result.findings.append(Finding("not_a_template"))
        return
    with_countries = meta["format"] == FORMAT and bool(country_blocks(data_set.indicators))
    for name in (DATA_SHEET, COUNTRY_SHEET) if with_countries else (DATA_SHEET,):
        if name not in workbook.sheetnames:
            found = ", ".join(f"'{other}'" for other in workbook.sheetnames if other not in (META_SHEET, LIST_SHEET))
            result.findings.append(Finding("missing_sheet", params={"expected": name, "found": found}))
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
    if with_countries:
        _read_country_rows(workbook[COUNTRY_SHEET], result, data_set=data_set, country=country)


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


def _read_country_rows(sheet: Any, result: ReadResult, *, data_set: DataSet, country: Any) -> None:
    """The rows of the breakdowns by country: each row is its block's by its hidden code; headings
    and sums are the template's own (codes starting with "#"); anything else was changed."""
    blocks = {f"{indicator}.{dimension}": dimension for dimension, indicator in country_blocks(data_set.indicators)}
    rows = sheet.iter_rows(min_row=COUNTRY_FIRST_ROW, max_row=COUNTRY_FIRST_ROW + MAX_ROWS, min_col=1, max_col=3,
                           values_only=True)
    for number, row in enumerate(rows, start=COUNTRY_FIRST_ROW):
        written, value, key = tuple(row) + (None,) * (3 - len(row))
        if isinstance(key, str) and key.startswith("#"):
            continue
        if key is None and written is None and value is None:
            continue
        if key not in blocks:
            result.rows.append(ReadRow(number, None, value, None, [Finding(
                "row_changed", Location(COUNTRY_SHEET, f"{COUNTRY_KEY_COLUMN}{number}"),
                {"text": str(key if key is not None else written)[:60]},
            )], sheet=COUNTRY_SHEET))
            continue
        if (written is None or not str(written).strip()) and value is None:
            continue  # a row left empty
        dimension = blocks[str(key)]
        code = countries.country_code(written, reporting_country=country.iso3)
        element = Element(COUNTRY_DIMENSIONS[dimension], dimension, code) if code else None
        result.rows.append(ReadRow(number, element, value, None, sheet=COUNTRY_SHEET, dimension=dimension,
                                   country=written))
        result.countries.append(RawCountryEntry(
            dimension, written, value,
            country_location=Location(COUNTRY_SHEET, f"{COUNTRY_COLUMN}{number}"),
            location=Location(COUNTRY_SHEET, f"{COUNT_COLUMN}{number}"),
        ))
