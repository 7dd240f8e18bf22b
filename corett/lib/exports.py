"""The one exporter base: subclasses declare columns and yield rows; the base writes the file.

An exporter knows *what* to export (its columns and rows, already scoped by the caller to what
the user may see); this module knows *how*: CSV or XLSX, safe against spreadsheet formula
injection, returned as a dated download. Views audit the export with the row count it reports.

Formula injection: a spreadsheet treats a cell that starts with ``=``, ``+``, ``-`` or ``@``
(or a tab or carriage return in front of one) as a formula, so a contact named
``=HYPERLINK(...)`` could run in the reader's spreadsheet. In CSV, which has no cell types, such a
cell gets a leading apostrophe (the OWASP advice). In XLSX every text cell is written as a typed
string, never as a formula, and marked "quote prefix" so it stays text when someone edits it: the
value itself is kept intact (a phone number such as ``+502 2222 0000`` is not mangled).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar, cast

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.cell.cell import Cell as XlsxCell
from openpyxl.styles import Font

Cell = str | int | float | Decimal | bool | dt.date | dt.datetime | None

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMATS = tuple(CONTENT_TYPES)

# Characters Excel refuses in a sheet name.
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def neutralise_formula(text: str) -> str:
    """``text`` as a spreadsheet will read it literally (for CSV, where cells have no type)."""
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    filename: str
    content_type: str
    rows: int

    def as_response(self) -> HttpResponse:
        response = HttpResponse(self.content, content_type=self.content_type)
        response["Content-Disposition"] = str(
            content_disposition_header(as_attachment=True, filename=self.filename)
        )
        # Exports hold contact details: no shared cache, no copy left in the browser's cache.
        response["Cache-Control"] = "private, no-store"
        return response


class Exporter:
    """Subclass, set ``name``, ``title`` and ``columns``, and implement ``rows()``.

    ``rows()`` yields one sequence per record, in the order of ``columns``; values may be text,
    numbers, booleans, dates or None. The subclass receives the records it exports already scoped
    to the user (``Model.objects.visible_to(user)`` and any filters): the base adds no rows.
    """

    name: ClassVar[str]  # the file name's stem, e.g. "organisations"
    title: ClassVar[Any]  # translated title: the XLSX sheet's name
    columns: ClassVar[Sequence[Any]]  # translated column headings

    def rows(self) -> Iterable[Sequence[Cell]]:
        raise NotImplementedError

    def filename(self, fmt: str) -> str:
        return f"corett-{self.name}-{timezone.localdate():%Y-%m-%d}.{fmt}"

    def export(self, fmt: str) -> ExportFile:
        if fmt not in CONTENT_TYPES:
            raise ValueError(f"Unknown export format: {fmt!r}")
        writer = self._write_csv if fmt == "csv" else self._write_xlsx
        content, count = writer()
        return ExportFile(
            content=content, filename=self.filename(fmt), content_type=CONTENT_TYPES[fmt], rows=count
        )

    # --- values ------------------------------------------------------------------------------

    @staticmethod
    def _plain(value: Cell) -> Cell:
        """Values both formats show the same way: yes/no in words, local naive datetimes."""
        if isinstance(value, bool):
            return gettext("Yes") if value else gettext("No")
        if isinstance(value, dt.datetime):
            # Spreadsheets have no time zones: show the platform's local time.
            return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
        return value

    def _headings(self) -> list[str]:
        return [str(label) for label in self.columns]

    # --- CSV ---------------------------------------------------------------------------------

    def _write_csv(self) -> tuple[bytes, int]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([neutralise_formula(h) for h in self._headings()])
        count = 0
        for row in self.rows():
            writer.writerow([self._csv_cell(value) for value in row])
            count += 1
        # The byte-order mark lets Excel recognise UTF-8 (accents in names) when opening the file.
        return buffer.getvalue().encode("utf-8-sig"), count

    def _csv_cell(self, value: Cell) -> str:
        value = self._plain(value)
        if value is None:
            return ""
        if isinstance(value, dt.datetime | dt.date):
            return value.isoformat()
        if isinstance(value, str):
            return neutralise_formula(value)
        return str(value)  # a number, negative or not, is data rather than a formula

    # --- XLSX --------------------------------------------------------------------------------

    def _write_xlsx(self) -> tuple[bytes, int]:
        workbook = Workbook(write_only=True)
        title = _SHEET_TITLE_FORBIDDEN.sub(" ", str(self.title))[:31] or "Export"
        sheet = workbook.create_sheet(title=title)
        bold = Font(bold=True)
        header = []
        for heading in self._headings():
            cell = self._xlsx_cell(sheet, heading)
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        count = 0
        for row in self.rows():
            sheet.append([self._xlsx_cell(sheet, value) for value in row])
            count += 1
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue(), count

    def _xlsx_cell(self, sheet: Any, value: Cell) -> XlsxCell:
        value = self._plain(value)
        if isinstance(value, str):
            # Control characters other than tab and newlines make the file unreadable.
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
            cell = WriteOnlyCell(sheet, value=value)
            # openpyxl stores any text starting with "=" as a formula: force a plain string.
            cell.data_type = "s"
            if value.startswith(FORMULA_TRIGGERS):
                cell.quotePrefix = True
            return cell
        # (openpyxl's stubs omit dates and Decimals, which it writes natively.)
        return WriteOnlyCell(sheet, value=cast(Any, value))
