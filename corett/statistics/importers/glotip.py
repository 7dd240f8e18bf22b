"""UNODC GLOTIP (``data_glotip.xlsx``) exactly as published on dataUNODC.

The file's quirks and what this reader does with each (none is hidden):

- two lines of preamble ("UNODC", the release date), the header on the third row: checked;
- ``txtVALUE`` is text: "<5" is a suppressed count, stored with bounds 1-4 (never 0 or 5);
  "1,192" carries a thousands comma; anything else that is not a count stops the import;
- exact duplicate rows: merged and counted;
- the same key (country, indicator, dimension, category, sex, age, year) with different values: a
  *conflict* finding; for "Other forms of exploitation" (sub-forms collapsed into one label) the
  parts are summed; the value is held until a person reviews it;
- a value equal to its year ("2,015" for 2015) or implausibly large: held, with a finding;
- totals that their sex or age breakdown contradicts: a finding;
- labels garbled by a lost encoding ("Rep\ufffdblica Dominicana"): repaired where one country name
  fits, with a finding either way;
- rows without a country code ("Sark"): not stored, one finding per country name;
- citizenship or repatriation without a category: not stored, with a finding;
- citizenship labels that no ISO code fits: stored with the label as written, with a finding.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from corett.statistics.importers.common import (
    FoundProblem,
    ImportRefused,
    Progress,
    ReadResult,
    max_import_bytes,
)
from corett.statistics.importers.countrynames import CountryNames, is_garbled
from corett.statistics.models import Age, Finding, Form, Kind, Sex
from corett.statistics.services import ValueInput

HEADER = (
    "Iso3_code", "Country", "Region", "Subregion", "Indicator", "Dimension", "Category", "Sex", "Age",
    "Year", "Unit of measurement", "txtVALUE", "Source",
)
INDICATORS = {
    "Detected trafficking victims": "detected_victims",
    "Persons prosecuted": "persons_prosecuted",
    "Persons convicted": "persons_convicted",
    "Persons brought into formal contact": "persons_in_formal_contact",
    "Offences of trafficking in persons": "offences",
}
SEXES = {"Total": Sex.TOTAL, "Female": Sex.FEMALE, "Male": Sex.MALE, "Other": Sex.OTHER, "Unknown": Sex.UNKNOWN}
AGES = {"Total": Age.TOTAL, "0 to 17 years": Age.CHILDREN, "18 years or over": Age.ADULTS, "Unknown": Age.UNKNOWN}
FORMS = {
    "Sexual exploitation": Form.SEXUAL_EXPLOITATION,
    "Forced labour": Form.FORCED_LABOUR,
    "Other forms of exploitation": Form.OTHER,
}
DIMENSIONS = ("Total", "by form of exploitation", "by citizenship", "by country of repatriation")
SUPPRESSED = "<5"
SUPPRESSED_BOUNDS = (1, 4)
IMPLAUSIBLE = 1_000_000
# How much larger than the largest accepted file a workbook may unpack to (the release: 12 times).
UNPACKED_LIMIT_FACTOR = 16
_COUNT = re.compile(r"^\d{1,3}(,\d{3})+$|^\d+$")

# Row columns (0-based)
ISO3, COUNTRY, INDICATOR, DIMENSION, CATEGORY, SEX, AGE, YEAR, UNIT, VALUE = 0, 1, 4, 5, 6, 7, 8, 9, 10, 11
COLUMN_LETTERS = "ABCDEFGHIJKLM"


# ValueInput's fields that have a default, with it (the others are always given).
_VALUE_DEFAULTS = {
    f.name: f.default for f in dataclasses.fields(ValueInput) if f.default is not dataclasses.MISSING
}


def _value_input(**fields: Any) -> ValueInput:
    """``ValueInput(**fields)``, filled in one dictionary update: a frozen dataclass sets each of
    its 14 fields through ``object.__setattr__``, 0.2 s of CPU over GLOTIP's 58,000 values.
    Only a plain frozen dataclass (no ``__post_init__``, no slots, no default factory) may be
    built so; the test of this module compares both ways."""
    item = object.__new__(ValueInput)
    item.__dict__.update(_VALUE_DEFAULTS, **fields)
    return item


def cell_name(row: int, column: int) -> str:
    return f"{COLUMN_LETTERS[column]}{row}"


def _open_sheet(path: Path) -> Any:
    """The workbook's data_glotip sheet, read by calamine (Rust): about five times faster than
    openpyxl's read-only mode on the published file (0.4 s against 2 s), which the import's speed
    target is measured against. openpyxl still writes the reporting templates."""
    from python_calamine import CalamineWorkbook

    if not zipfile.is_zipfile(path):
        raise ImportRefused([_("This is not an Excel workbook (.xlsx). Choose the GLOTIP file data_glotip.xlsx.")])
    _refuse_if_it_unpacks_too_large(path)
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheets = [name for name in workbook.sheet_names if name.lower().startswith("data_glotip")]
        sheet = workbook.get_sheet_by_name(sheets[0]) if sheets else None
    except Exception as exc:  # a damaged file raises calamine's errors, or a zip or XML library's
        raise ImportRefused([_("The workbook cannot be read: %(error)s") % {"error": type(exc).__name__}]) from exc
    if sheet is None:
        raise ImportRefused([
            _("No sheet named data_glotip… in this workbook (sheets found: %(names)s). The sheet may have "
              "been renamed: import the file as UNODC publishes it.") % {"names": ", ".join(workbook.sheet_names)}
        ])
    return sheet


def _refuse_if_it_unpacks_too_large(path: Path) -> None:
    """calamine holds the whole sheet in memory (openpyxl's read-only mode streamed it), so a
    workbook whose parts unpack to far more than any real release would (a "zip bomb") is refused
    before it is opened. The published release unpacks to 27 MB from 2.3 MB."""
    limit = UNPACKED_LIMIT_FACTOR * max_import_bytes()
    with zipfile.ZipFile(path) as archive:
        unpacked = sum(entry.file_size for entry in archive.infolist())
    if unpacked > limit:
        raise ImportRefused([
            _("The workbook unpacks to %(size)s MB; the limit is %(limit)s MB.")
            % {"size": round(unpacked / 1048576, 1), "limit": round(limit / 1048576, 1)}
        ])


def sheet_rows(sheet: Any) -> Iterator[tuple]:
    """The sheet's rows from A1 as openpyxl's read-only mode gives them, which the checks below
    (and their messages) were written for: an empty cell is None, not "", and a whole number is an
    int (calamine gives every number as a float: the year 2010 as 2010.0). Leading empty rows and
    columns are kept, so that row and column numbers name the cells the user sees. Every row is
    read whatever size the sheet declares (the published file declares a wrong one)."""
    for row in sheet.to_python(skip_empty_area=False):
        yield tuple([
            None if cell == "" else int(cell) if type(cell) is float and cell.is_integer() else cell
            for cell in row
        ])


def parse_count(raw: Any) -> tuple[str, int | None]:
    """(kind, number) for one txtVALUE; raise ValueError if it is no count."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return Kind.MISSING, None
    if isinstance(raw, bool):
        raise ValueError(raw)
    if isinstance(raw, int):
        if raw < 0:
            raise ValueError(raw)
        return Kind.EXACT, raw
    if isinstance(raw, float):
        if raw < 0 or raw != int(raw):
            raise ValueError(raw)
        return Kind.EXACT, int(raw)
    text = str(raw).strip()
    if text == SUPPRESSED:
        return Kind.SUPPRESSED, None
    if not _COUNT.match(text):
        raise ValueError(raw)
    return Kind.EXACT, int(text.replace(",", ""))


def read_glotip(path: Path, progress: Progress) -> ReadResult:
    rows = sheet_rows(_open_sheet(path))
    preamble = [next(rows, ()), next(rows, ())]
    header = tuple(str(c).strip() if c is not None else "" for c in (next(rows, ()) or ()))[: len(HEADER)]
    if header != HEADER:
        raise ImportRefused([
            _("Row 3 must hold the GLOTIP header (%(expected)s); it holds: %(found)s. Is this the GLOTIP file, "
              "with its two lines of preamble?") % {"expected": ", ".join(HEADER), "found": ", ".join(header) or "—"}
        ])
    release_date = str((preamble[1] or ("",))[0] or "").strip()
    release = f"UNODC GLOTIP {release_date}".strip()
    reader = _Reader(this_year=timezone.localdate().year)
    for number, row in enumerate(rows, start=4):
        reader.read_row(number, row)
        progress(number - 3, 0)
    if reader.errors:
        raise ImportRefused(reader.errors)
    return reader.result(release)


class _Reader:
    def __init__(self, *, this_year: int):
        self.this_year = this_year
        self.errors: list[str] = []
        # key -> list of (row number, raw value, kind, number)
        self.cells: dict[tuple, list[tuple[int, str, str, int | None]]] = defaultdict(list)
        self.raw_rows: set[tuple] = set()
        self.country_names: dict[str, str] = {}
        self.findings: dict[str, FoundProblem] = {}
        self.skipped = Counter[str]()
        self.rows_read = 0
        self.duplicates = 0
        self.comma_values = 0
        self._labels: dict[tuple, tuple] = {}
        self._places: dict[tuple, tuple[str, str]] = {}
        self._counts: dict[str, tuple[str, int | None]] = {}

    def error(self, row: int, column: int, message: str) -> None:
        if len(self.errors) < 1000:
            self.errors.append(_("Cell %(cell)s: %(message)s") % {"cell": cell_name(row, column), "message": message})

    def read_row(self, number: int, row: tuple) -> None:
        if not row or row.count(None) == len(row):
            return
        self.rows_read += 1
        if len(row) < len(HEADER):
            row = tuple(row) + (None,) * (len(HEADER) - len(row))
        # A few hundred countries over 58,000 rows: each code and name cleaned once.
        place = self._places.get(row[ISO3:COUNTRY + 1])
        if place is None:
            place = self._places[row[ISO3:COUNTRY + 1]] = (
                str(row[ISO3] or "").strip().upper(), str(row[COUNTRY] or "").strip()
            )
        iso3, country = place
        if iso3 and country:
            self.country_names.setdefault(country, iso3)
        checked = self._check(number, row)
        if checked is None:
            return
        indicator, dimension, sex, age, year, kind, value = checked
        if not iso3:
            self.skipped["missing_code"] += 1
            self._finding(Finding.FindingKind.MISSING_CODE, f"glotip:missing_code:{country}", country="",
                          cell=f"B{number}", involved={"row": number, "country": country})
            return
        category = row[CATEGORY]
        if dimension in ("by citizenship", "by country of repatriation") and (category is None or not str(category).strip()):
            self.skipped["missing_category"] += 1
            self._finding(
                Finding.FindingKind.MISSING_CATEGORY,
                f"glotip:missing_category:{iso3}:{indicator}:{year}:{dimension}:{sex}:{age}:{number}",
                country=iso3, indicator=indicator, year=year, cell=cell_name(number, CATEGORY),
                involved={"row": number, "dimension": dimension, "value": str(row[VALUE])},
            )
            return
        raw_value = str(row[VALUE]).strip()
        if isinstance(row[VALUE], str) and "," in raw_value:
            self.comma_values += 1
        # Identical rows have identical keys: one set of every row read finds the exact duplicates.
        if row in self.raw_rows:
            self.duplicates += 1
            return
        self.raw_rows.add(row)
        key = (iso3, indicator, dimension, str(category or "").strip(), sex, age, year)
        self.cells[key].append((number, raw_value, kind, value))

    def _check(self, number: int, row: tuple) -> tuple | None:
        # The published file repeats a few hundred combinations of labels (and of values) over
        # ~60,000 rows: each combination is checked once. Only combinations that pass are
        # remembered, so every faulty row still reports its own cells.
        labels = self._labels.get(row[INDICATOR:UNIT + 1])
        if labels is None:
            labels = self._check_labels(number, row)
            if labels is not None:
                self._labels[row[INDICATOR:UNIT + 1]] = labels
        raw = row[VALUE]
        count = self._counts.get(raw) if type(raw) is str else None
        if count is None:
            count = self._check_value(number, raw)
            if count is not None and type(raw) is str:
                self._counts[raw] = count
        if labels is None or count is None:
            return None
        return (*labels, *count)

    def _check_labels(self, number: int, row: tuple) -> tuple | None:
        ok = True
        indicator = INDICATORS.get(str(row[INDICATOR] or "").strip())
        if indicator is None:
            self.error(number, INDICATOR, _("unknown indicator “%(v)s”.") % {"v": row[INDICATOR]})
            ok = False
        dimension = str(row[DIMENSION] or "").strip()
        if dimension not in DIMENSIONS:
            self.error(number, DIMENSION, _("unknown dimension “%(v)s”.") % {"v": row[DIMENSION]})
            ok = False
        elif dimension == "by form of exploitation" and str(row[CATEGORY] or "").strip() not in FORMS:
            self.error(number, CATEGORY, _("unknown form of exploitation “%(v)s”.") % {"v": row[CATEGORY]})
            ok = False
        sex = SEXES.get(str(row[SEX] or "").strip())
        if sex is None:
            self.error(number, SEX, _("unknown sex “%(v)s”.") % {"v": row[SEX]})
            ok = False
        age = AGES.get(str(row[AGE] or "").strip())
        if age is None:
            self.error(number, AGE, _("unknown age group “%(v)s”.") % {"v": row[AGE]})
            ok = False
        year = _year(row[YEAR])
        if year is None:
            self.error(number, YEAR, _("“%(v)s” is not a year.") % {"v": row[YEAR]})
            ok = False
        elif year > self.this_year or (year == self.this_year and timezone.localdate() < dt.date(year, 12, 31)):
            self.error(number, YEAR, _("%(year)s is a future period.") % {"year": year})
            ok = False
        if str(row[UNIT] or "").strip() != "Counts":
            self.error(number, UNIT, _("the unit must be “Counts”, not “%(v)s”.") % {"v": row[UNIT]})
            ok = False
        if not ok:
            return None
        return indicator, dimension, sex, age, year

    def _check_value(self, number: int, raw: Any) -> tuple[str, int | None] | None:
        try:
            return parse_count(raw)
        except ValueError:
            negative = (isinstance(raw, int | float) and raw < 0) or str(raw).strip().startswith("-")
            message = (_("a count cannot be negative (“%(v)s”).") if negative
                       else _("“%(v)s” is not a count (write a whole number or <5).")) % {"v": raw}
            self.error(number, VALUE, message)
            return None

    def _finding(self, kind: str, key: str, *, country: str = "", indicator: str = "", year: int | None = None,
                 cell: str = "", involved: dict | None = None, value_key: tuple | None = None,
                 holds: bool = False) -> None:
        found = self.findings.get(key)
        if found is None:
            found = self.findings[key] = FoundProblem(
                kind=kind, key=key, country=country, indicator=indicator, year=year, cell=cell,
                value_key=value_key, holds=holds,
            )
        if involved is not None and len(found.involved) < 50:
            found.involved.append(involved)

    def result(self, release: str) -> ReadResult:
        names = CountryNames(self.country_names)
        values: dict[tuple, ValueInput] = {}
        conflicts = suppressed = 0
        for (iso3, indicator, dimension, category, sex, age, year), reads in self.cells.items():
            form, citizenship, repatriation, label = Form.TOTAL, "", "", ""
            if dimension == "by form of exploitation":
                form = FORMS[category]
            elif dimension in ("by citizenship", "by country of repatriation"):
                code, label, repaired = names.resolve(category, iso3)
                self._label_findings(category, code, repaired, iso3, reads[0][0])
                code = code or "XXX"
                if dimension == "by citizenship":
                    citizenship = code
                else:
                    repatriation = code
            item = self._value(iso3, indicator, year, sex, age, form, citizenship, repatriation, label, reads)
            key = item.key()  # the cell, whatever its value: the same for every reading of it
            earlier = values.get(key)
            if earlier is not None:  # two labels resolved to the same country
                reads = [*reads, (0, earlier.cell, earlier.kind, earlier.value)]
                item = self._value(iso3, indicator, year, sex, age, form, citizenship, repatriation, label, reads)
            if len(reads) > 1 and len({(k, v) for _n, _r, k, v in reads}) > 1:
                conflicts += 1
                finding_key = f"glotip:conflict:{'|'.join(map(str, key))}"
                self._finding(
                    Finding.FindingKind.CONFLICT, finding_key,
                    country=iso3, indicator=indicator, year=year, cell=item.cell, value_key=key, holds=True,
                )
                involved = self.findings[finding_key].involved
                for number, raw, _k, _v in reads:
                    involved.append({"cell": cell_name(number, VALUE) if number else raw, "value": raw,
                                     "category": category})
            self._suspicious(item, key, year)
            values[key] = item
        for item in values.values():
            suppressed += item.kind == Kind.SUPPRESSED
        self._sum_checks(values)
        return ReadResult(
            release=release,
            values=list(values.values()),
            findings=list(self.findings.values()),
            summary={
                "rows_read": self.rows_read, "values": len(values), "suppressed": suppressed,
                "duplicates": self.duplicates, "conflicts": conflicts, "thousands_commas": self.comma_values,
                "skipped_missing_code": self.skipped["missing_code"],
                "skipped_missing_category": self.skipped["missing_category"],
            },
        )

    def _value(self, iso3: str, indicator: str, year: int, sex: str, age: str, form: str, citizenship: str,
               repatriation: str, label: str, reads: list) -> ValueInput:
        first_row, first_raw, kind, value = reads[0]
        distinct = {(k, v) for _n, _r, k, v in reads} if len(reads) > 1 else ()
        if len(distinct) > 1 and form == Form.OTHER:
            # Several sub-forms were collapsed into "Other forms": their sum is the best reading.
            low = sum(v if k == Kind.EXACT else SUPPRESSED_BOUNDS[0] for k, v in distinct if k != Kind.MISSING)
            high = sum(v if k == Kind.EXACT else SUPPRESSED_BOUNDS[1] for k, v in distinct if k != Kind.MISSING)
            if low == high:
                kind, value = Kind.EXACT, low
            else:
                return _value_input(indicator=indicator, country=iso3, period=str(year), kind=Kind.SUPPRESSED,
                                    sex=sex, age=age, form=form, citizenship=citizenship,
                                    repatriation=repatriation, label=label, lower_bound=low, upper_bound=high,
                                    cell=cell_name(first_row, VALUE))
        bounds = SUPPRESSED_BOUNDS if kind == Kind.SUPPRESSED else (None, None)
        return _value_input(indicator=indicator, country=iso3, period=str(year), value=value, kind=kind, sex=sex,
                            age=age, form=form, citizenship=citizenship, repatriation=repatriation, label=label,
                            lower_bound=bounds[0], upper_bound=bounds[1],
                            cell=cell_name(first_row, VALUE) if first_row else first_raw)

    def _label_findings(self, category: str, code: str, repaired: str | None, iso3: str, row: int) -> None:
        if is_garbled(category):
            self._finding(Finding.FindingKind.GARBLED_LABEL, f"glotip:garbled:{category}", cell=f"G{row}",
                          involved={"label": category, "read_as": repaired or "", "code": code, "country": iso3})
        elif not code:
            self._finding(Finding.FindingKind.UNKNOWN_LABEL, f"glotip:label:{category}", cell=f"G{row}",
                          involved={"label": category, "country": iso3})

    def _suspicious(self, item: ValueInput, key: tuple, year: int) -> None:
        if item.kind != Kind.EXACT or item.value is None or (item.value != year and item.value < IMPLAUSIBLE):
            return
        detail = {"cell": item.cell, "value": item.value, "sex": item.sex, "age": item.age, "form": item.form,
                  "citizenship": item.citizenship, "label": item.label}
        if item.value == year:
            self._finding(Finding.FindingKind.EQUALS_YEAR, f"glotip:equals_year:{'|'.join(map(str, key))}",
                          country=item.country, indicator=item.indicator, year=year, cell=item.cell,
                          involved=detail, value_key=key, holds=True)
        else:
            self._finding(Finding.FindingKind.IMPLAUSIBLE, f"glotip:implausible:{'|'.join(map(str, key))}",
                          country=item.country, indicator=item.indicator, year=year, cell=item.cell,
                          involved=detail, value_key=key, holds=True)

    def _sum_checks(self, values: dict[tuple, ValueInput]) -> None:
        """A total smaller than the exact sum of its sex (or age) breakdown cannot be right."""
        groups: dict[tuple, dict[str, ValueInput]] = defaultdict(dict)
        for item in values.values():
            if item.citizenship or item.repatriation or item.form != Form.TOTAL:
                continue
            if item.age == Age.TOTAL:
                groups[(item.country, item.indicator, item.period, "sex")][item.sex] = item
            if item.sex == Sex.TOTAL:
                groups[(item.country, item.indicator, item.period, "age")][item.age] = item
        for (country, indicator, period, dimension), cells in groups.items():
            total = cells.get("total")
            parts = [v for k, v in cells.items() if k != "total"]
            if total is None or not parts or total.kind != Kind.EXACT:
                continue
            floor = sum(p.value or 0 if p.kind == Kind.EXACT else (p.lower_bound or 0) for p in parts)
            if total.value is not None and floor > total.value:
                self._finding(
                    Finding.FindingKind.SUM_MISMATCH, f"glotip:sum:{country}:{indicator}:{period}:{dimension}",
                    country=country, indicator=indicator, year=int(period), cell=total.cell,
                    involved={"total": total.value, "sum_of_parts_at_least": floor, "by": dimension},
                )


def _year(raw: Any) -> int | None:
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, float) and raw == int(raw):
        return int(raw)
    text = str(raw or "").strip()
    return int(text) if text.isdigit() and len(text) == 4 else None
