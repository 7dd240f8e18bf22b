"""The countries of a report's citizenship and repatriation breakdowns: ISO 3166-1 alpha-3 codes,
from whatever a focal point wrote.

The template's country column is a drop-down ("GTM · Guatemala"), the entry form offers the same
list, but cells are pasted, typed in another spreadsheet program or copied from a national
register: "Guatemala", "guatemalteca", "GTM", "gt", "Honduras " (a trailing space),
"RepÃºblica Dominicana" (UTF-8 read as Windows-1252), "Panam\ufffd" (a letter lost to U+FFFD).
:func:`country_code` is the one way such a label becomes a code, wherever it comes from (the
template, the entry form, the API). A label it cannot map gives None, and the caller reports it
as a finding at its cell: nothing is dropped or guessed.

The table: every assigned alpha-3 and alpha-2 code, the Spanish and English names of the region's
countries (``corett.infographics.names``), and the names and demonyms the statistics module met
in GLOTIP's free-text categories (``corett.statistics.importers.countrynames``), plus the plural
demonyms and the few names these lack. "XXX" (ICAO's "unspecified nationality", the statistics
module's code for "unknown") stands for victims whose country is not known.

This mapping belongs with the statistics module's (both read countries' own labels); it lives
here until the two are merged into one place of ``corett/lib``.
"""

from __future__ import annotations

import re

from django.utils.translation import get_language

from corett.infographics.names import MEMBERS, NAMES
from corett.lib.iso3166 import ALPHA3
from corett.statistics.importers.countrynames import ALIASES, OWN_NATIONALS, UNSPECIFIED, normalise
from corett.statistics.importers.iso3166 import ALPHA2_TO_ALPHA3
from corett.statistics.models import UNSPECIFIED_COUNTRY

# Codes a breakdown may use: every assigned country, and "unspecified".
CODES: frozenset[str] = ALPHA3 | {UNSPECIFIED_COUNTRY}

# Names and demonyms the statistics module's table lacks (Spanish and English, normalised).
_MORE_NAMES = {
    "BELICENOS": "BLZ", "BELICENAS": "BLZ", "COSTARRICENSES": "CRI", "SALVADORENAS": "SLV",
    "HONDURENAS": "HND", "GUATEMALTECAS": "GTM", "MEXICANAS": "MEX", "MEXICANOS": "MEX",
    "NICARAGUENSES": "NIC", "PANAMENAS": "PAN", "PANAMENOS": "PAN", "DOMINICANAS": "DOM",
    "DOMINICANOS": "DOM", "DOMINICAN REPUBLIC": "DOM", "REP DOMINICANA": "DOM",
    "ESTADOS UNIDOS DE AMERICA": "USA", "UNITED STATES OF AMERICA": "USA", "UNITED STATES": "USA",
    "EE UU": "USA", "EEUU": "USA", "EE.UU.": "USA", "CANADIENSE": "CAN", "CANADIAN": "CAN",
    "JAMAICANA": "JAM", "JAMAICANO": "JAM", "JAMAICAN": "JAM", "BOLIVIANA": "BOL", "BOLIVIANO": "BOL",
    "BOLIVIAN": "BOL", "URUGUAYA": "URY", "URUGUAYO": "URY", "URUGUAYAN": "URY", "BRASILENO": "BRA",
    "PERUANO": "PER", "ECUATORIANO": "ECU", "CHILENO": "CHL", "ARGENTINA (REPUBLICA)": "ARG",
    "PARAGUAYO": "PRY", "NIGERIAN": "NGA", "NIGERIANO": "NGA", "INDIA": "IND", "HINDU": "IND",
    "FILIPINA": "PHL", "FILIPINO": "PHL", "FILIPINAS": "PHL", "FILIPINOS": "PHL", "CHINO": "CHN",
    "CHINA (REPUBLICA POPULAR)": "CHN", "ESPANOLA": "ESP", "ESPANOL": "ESP", "RUSA": "RUS",
    "RUSO": "RUS", "RUSSIAN": "RUS", "UCRANIANA": "UKR", "UCRANIANO": "UKR", "UKRAINIAN": "UKR",
    "BANGLADESI": "BGD", "BANGLADESHI": "BGD", "GUYANES": "GUY", "GUYANESA": "GUY",
    "TRINITENSE": "TTO", "PUERTORRIQUENA": "PRI", "PUERTORRIQUENO": "PRI", "VENEZOLANAS": "VEN",
    "VENEZOLANOS": "VEN", "COLOMBIANAS": "COL", "COLOMBIANOS": "COL", "CUBANAS": "CUB", "CUBANOS": "CUB",
    "HAITIANAS": "HTI", "HAITIANOS": "HTI", "ECUATORIANAS": "ECU", "ECUATORIANOS": "ECU",
    "SIN ESPECIFICAR": UNSPECIFIED_COUNTRY, "NO ESPECIFICADA": UNSPECIFIED_COUNTRY,
    "NO ESPECIFICADO": UNSPECIFIED_COUNTRY, "UNSPECIFIED": UNSPECIFIED_COUNTRY, "NOT KNOWN": UNSPECIFIED_COUNTRY,
    "SE DESCONOCE": UNSPECIFIED_COUNTRY, "IGNORADA": UNSPECIFIED_COUNTRY,
}


def _table() -> dict[str, str]:
    table: dict[str, str] = {}
    for code, (spanish, english) in NAMES.items():
        table[normalise(spanish)] = code
        table[normalise(english)] = code
    table.update(ALIASES)
    table.update(dict.fromkeys(UNSPECIFIED, UNSPECIFIED_COUNTRY))
    table.update(_MORE_NAMES)
    # Codes last: "USA" is a name and a code alike; a code always means itself.
    table.update({code: code for code in CODES})
    table.update({two: three for two, three in ALPHA2_TO_ALPHA3.items() if three in CODES})
    # Labels without a letter ("0", which GLOTIP uses for "unknown") are a count typed in the
    # wrong column here, not a country.
    return {key: code for key, code in table.items() if code in CODES and any(c.isalpha() for c in key)}


TABLE: dict[str, str] = _table()

# "GTM · Guatemala", "GTM - Guatemala", "GTM: Guatemala" (the drop-down's own form) and
# "Guatemala (GTM)".
_CODE_FIRST = re.compile(r"^([A-Z]{3})\s*[\u00b7\-\u2013\u2014:|/]\s*(.*)$")
_CODE_LAST = re.compile(r"^(.*?)\s*\(([A-Z]{3})\)$")
# What a Windows-1252 reading of UTF-8 leaves: "Ã¡" for "á", "Ã±" for "ñ", "Â " for a no-break space.
_MOJIBAKE = re.compile("[\u00c2\u00c3][\u0080-\u00bf\u2018-\u203a\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u02c6\u02dc]")


def repair_mojibake(text: str) -> str:
    """Undo a UTF-8 text read as Windows-1252 (or Latin-1); any other text unchanged."""
    if not _MOJIBAKE.search(text):
        return text
    for encoding in ("cp1252", "latin-1"):
        try:
            return text.encode(encoding).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
    return text


def _key(label: str) -> str:
    key = normalise(repair_mojibake(label))
    return key.strip(" .,;\"'\u201c\u201d\u00ab\u00bb")


def _lookup(key: str) -> str | None:
    if not key:
        return None
    if key in TABLE:
        return TABLE[key]
    # A plural of a known name or demonym: "NICARAGUENSES", "GUATEMALANS".
    if key.endswith("S") and key[:-1] in TABLE and len(key) > 4:
        return TABLE[key[:-1]]
    if "\ufffd" in key:
        pattern = re.compile("^" + ".".join(re.escape(part) for part in key.split("\ufffd")) + "$")
        found = {TABLE[name] for name in TABLE if len(name) > 3 and pattern.match(name)}
        if len(found) == 1:
            return found.pop()
    return None


def country_code(label: object, *, reporting_country: str = "") -> str | None:
    """The ISO alpha-3 code ``label`` stands for, or None when it names no country for sure.

    ``reporting_country`` (alpha-3) is what "nacionales" / "nationals" means.
    """
    if label is None or isinstance(label, bool):
        return None
    key = _key(str(label))
    if not key:
        return None
    if key in OWN_NATIONALS:
        return reporting_country or None
    found = _lookup(key)
    if found is not None:
        return found
    for pattern, code_group, rest_group in ((_CODE_FIRST, 1, 2), (_CODE_LAST, 2, 1)):
        match = pattern.match(key)
        if match and match.group(code_group) in CODES:
            code = match.group(code_group)
            # The name beside the code must not name another country.
            rest = _lookup(match.group(rest_group).strip())
            return code if rest in (None, code) else None
    return None


def country_name(code: str) -> str:
    """The country's name in the reader's language ("Guatemala (GTM)"), or the code itself."""
    names = NAMES.get(code)
    if names is None:
        return code
    name = names[1] if (get_language() or "es").startswith("en") else names[0]
    return f"{name} ({code})"


def choice_label(code: str) -> str:
    """The entry form's text for a country: "GTM · Guatemala" in the reader's language (read back
    by :func:`country_code`)."""
    names = NAMES.get(code)
    if names is None:
        return code
    return f"{code} \u00b7 {names[1] if (get_language() or 'es').startswith('en') else names[0]}"


def choices() -> list[tuple[str, str, str]]:
    """(code, Spanish name, English name) for the drop-downs: the coalition's members, then the
    other countries the region's victims come from or return to, then "unspecified". Any other
    country is written as its code."""
    members = sorted(MEMBERS, key=lambda code: normalise(NAMES[code][0]))
    others = sorted(
        (code for code in NAMES if code not in MEMBERS and code != UNSPECIFIED_COUNTRY and code in CODES),
        key=lambda code: normalise(NAMES[code][0]),
    )
    return [(code, *NAMES[code]) for code in (*members, *others, UNSPECIFIED_COUNTRY)]


def bilingual_choice(code: str, spanish: str, english: str) -> str:
    """The drop-down's text: "GTM · Guatemala", "MEX · México / Mexico" (read back by
    :func:`country_code`)."""
    return f"{code} \u00b7 {spanish}" if spanish == english else f"{code} \u00b7 {spanish} / {english}"
