"""IOM CTDC case-level CSV files in their published variants, aggregated to the coalition's indicators.

Variants (``/work/shared/domain/ctdc-layouts.md`` gives the exact layouts):

- *global 2017-2020* (codebook v6/v7): `,` separator, missing written ``-99``, alpha-2 codes;
- *k-anonymised 2021*: `;` separator, missing left empty, the year itself may be empty;
- *synthetic 2024/2025*: alpha-3 codes, flags ``1`` or missing (``NULL`` or empty), ``Man``/``Woman``.

Every variant may start with a byte-order mark and a first column headed by the terms-of-use
sentence (empty in every row); line endings LF or CRLF. Namibia is ``NA``: a country, never
"missing". Age bands are written ``18--20`` (or with a dash). ``00`` as a citizenship is unknown.

Each case counts once in the detected victims of its country of exploitation and year: in total,
by sex, by age (minor/adult), by sex and age, by citizenship, and once per form of exploitation
it records (a case may record several, so the forms are not exclusive). Cases without a year or
a country of exploitation cannot be placed and are counted, not stored. CTDC's files are never
kept: only the aggregates are.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _

from corett.statistics.importers.common import ImportRefused, Progress, ReadResult
from corett.statistics.importers.iso3166 import ALPHA2_TO_ALPHA3, ALPHA3_CODES
from corett.statistics.models import UNSPECIFIED_COUNTRY, Age, Form, Kind, Sex
from corett.statistics.services import ValueInput

TERMS = "By using this data you agree to the Terms of Use"
REQUIRED = ("yearOfRegistration", "gender", "citizenship", "CountryOfExploitation",
            "isForcedLabour", "isSexualExploit", "isOtherExploit")
MISSING = frozenset({"", "-99", "NULL", "null", "NaN", "nan", "None"})
SEXES = {
    "female": Sex.FEMALE, "woman": Sex.FEMALE, "male": Sex.MALE, "man": Sex.MALE,
    "transgender/nonconforming": Sex.OTHER, "trans/transgender/nonconforming": Sex.OTHER,
}
MINOR_BANDS = frozenset({"0-8", "9-17"})
ADULT_BANDS = frozenset({"18-20", "21-23", "24-26", "27-29", "30-38", "39-47", "48+"})
FORM_FLAGS = (("isSexualExploit", Form.SEXUAL_EXPLOITATION), ("isForcedLabour", Form.FORCED_LABOUR),
              ("isOtherExploit", Form.OTHER))
_DASHES = re.compile(r"\s*(?:--|[-\u2013\u2014])\s*")


def _separator(header: str) -> str:
    if header.startswith(TERMS):
        rest = header[len(TERMS):]
        for char in rest:
            if char in ",;\t":
                return char
    counts = {sep: header.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda s: counts[s])
    if counts[best] == 0:
        raise ImportRefused([_("The first line holds no column names separated by “,” or “;”. Is this a CTDC CSV file?")])
    return best


def _country(code: str) -> str | None:
    """ISO alpha-3, "XXX" for unknown, None for missing. ``NA`` is Namibia."""
    if code in MISSING:
        return None
    code = code.strip().upper()
    if code == "00":
        return UNSPECIFIED_COUNTRY
    if len(code) == 3 and code in ALPHA3_CODES:
        return code
    if len(code) == 2 and code in ALPHA2_TO_ALPHA3:
        return ALPHA2_TO_ALPHA3[code]
    raise ValueError(code)


def _lines(path: Path) -> Iterator[str]:
    """The file's lines, decoded strictly as UTF-8 (a byte-order mark dropped), streamed."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for line in handle:
                yield line.rstrip("\r\n")
    except UnicodeDecodeError as exc:
        raise ImportRefused([
            _("The file is not in UTF-8 (byte %(position)s cannot be read). Save it as “CSV UTF-8” and try again.")
            % {"position": exc.start}
        ]) from exc


def read_ctdc(path: Path, progress: Progress) -> ReadResult:
    lines = _lines(path)
    first = next(lines, None)
    if first is None:
        raise ImportRefused([_("The file is empty.")])
    separator = _separator(first)
    header = [h.strip() for h in first.split(separator)]
    if header and header[0].startswith(TERMS):
        header[0] = "terms"
    column = {name: i for i, name in enumerate(header)}
    absent = [name for name in REQUIRED if name not in column]
    if absent:
        raise ImportRefused([
            _("Columns missing from the header: %(names)s. Is this a CTDC case-level file?") % {"names": ", ".join(absent)}
        ])
    size = max(path.stat().st_size, 1)
    read_chars = len(first)
    counts: Counter[tuple] = Counter()
    errors: list[str] = []
    skipped: Counter[str] = Counter()
    alpha3_seen = 0
    this_year = timezone.localdate().year
    data_rows = 0
    age_column = column.get("ageBroad")
    majority_column = column.get("majorityStatus")

    def error(line: int, name: str, message: str) -> None:
        if len(errors) < 1000:
            errors.append(_("Line %(line)s, column %(column)s: %(message)s") % {"line": line, "column": name, "message": message})

    for number, line in enumerate(lines, start=2):
        read_chars += len(line) + 1
        if number % 5000 == 0:
            progress(min(read_chars, size - 1), size)
        if not line.strip():
            continue
        fields = line.split(separator)
        if len(fields) != len(header):
            error(number, "—", _("%(found)s fields instead of %(expected)s.") % {"found": len(fields), "expected": len(header)})
            continue
        data_rows += 1
        year_text = fields[column["yearOfRegistration"]].strip()
        year: int | None = None
        if year_text not in MISSING:
            if not (year_text.isdigit() and len(year_text) == 4):
                error(number, "yearOfRegistration", _("“%(v)s” is not a year.") % {"v": year_text})
                continue
            year = int(year_text)
            if year >= this_year:
                error(number, "yearOfRegistration", _("%(year)s is a future period.") % {"year": year})
                continue
        try:
            exploitation = _country(fields[column["CountryOfExploitation"]])
            citizenship = _country(fields[column["citizenship"]])
        except ValueError as bad:
            error(number, "citizenship/CountryOfExploitation", _("“%(v)s” is not an ISO country code.") % {"v": bad})
            continue
        if len(fields[column["CountryOfExploitation"]].strip()) == 3:
            alpha3_seen += 1
        flags = {}
        flag_error = False
        for name, form in FORM_FLAGS:
            value = fields[column[name]].strip()
            if value not in MISSING and value not in ("0", "1"):
                error(number, name, _("“%(v)s” is not a flag (0, 1 or empty).") % {"v": value})
                flag_error = True
            flags[form] = value == "1"
        if flag_error:
            continue
        if year is None:
            skipped["without_year"] += 1
            continue
        if exploitation is None or exploitation == UNSPECIFIED_COUNTRY:
            skipped["without_country"] += 1
            continue
        sex = SEXES.get(fields[column["gender"]].strip().lower(), Sex.UNKNOWN)
        age = _age(fields, age_column, majority_column)
        forms = tuple(form for form, flagged in flags.items() if flagged)
        counts[(exploitation, year, sex, age, citizenship or UNSPECIFIED_COUNTRY, forms)] += 1
    progress(size, size)
    if errors:
        raise ImportRefused(errors)
    values = _aggregate(counts)
    variant = "synthetic (alpha-3)" if alpha3_seen else ("k-anonymised" if separator == ";" else "global")
    return ReadResult(
        release=f"IOM CTDC {variant} — {path.name}"[:120],
        values=values,
        findings=[],
        summary={
            "rows_read": data_rows, "values": len(values), "cases_placed": sum(counts.values()),
            "skipped_without_year": skipped["without_year"], "skipped_without_country": skipped["without_country"],
            "suppressed": 0, "duplicates": 0, "conflicts": 0,
        },
    )


def _age(fields: list[str], age_column: int | None, majority_column: int | None) -> str:
    if majority_column is not None:
        status = fields[majority_column].strip().lower()
        if status == "minor":
            return Age.CHILDREN
        if status == "adult":
            return Age.ADULTS
    if age_column is not None:
        band = _DASHES.sub("-", fields[age_column].strip())
        if band in MINOR_BANDS:
            return Age.CHILDREN
        if band in ADULT_BANDS:
            return Age.ADULTS
    return Age.UNKNOWN


def _aggregate(counts: Counter[tuple]) -> list[ValueInput]:
    cells: Counter[tuple] = Counter()
    for (country, year, sex, age, citizenship, forms), n in counts.items():
        for s in (Sex.TOTAL, sex):
            for a in (Age.TOTAL, age):
                cells[(country, year, s, a, Form.TOTAL, "")] += n
        cells[(country, year, Sex.TOTAL, Age.TOTAL, Form.TOTAL, citizenship)] += n
        for form in forms:
            cells[(country, year, Sex.TOTAL, Age.TOTAL, form, "")] += n
    return [
        ValueInput("detected_victims", country, str(year), n, kind=Kind.EXACT, sex=sex, age=age, form=form,
                   citizenship=citizenship)
        for (country, year, sex, age, form, citizenship), n in sorted(cells.items())
    ]
