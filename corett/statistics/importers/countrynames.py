"""Country labels as sources write them (English and Spanish names, demonyms, garbled) to ISO alpha-3.

GLOTIP's citizenship and repatriation categories are free text typed by national authorities:
"Guatemala", "GUATEMALTECA", "Hondureans", "Rep\ufffdblica Dominicana". The importer first uses the
release's own country names (its Country and Iso3_code columns), then this table of the names and
demonyms met in the region's rows, and repairs labels whose accented letters were lost to U+FFFD by
matching the rest of the label. A label still unmatched is kept as written, with a finding.
"""

from __future__ import annotations

import re
import unicodedata

from corett.statistics.models import UNSPECIFIED_COUNTRY

# Labels that mean the reporting country's own nationals.
OWN_NATIONALS = frozenset({"NATIONALS", "CIUDADANOS DE SU PAIS", "NACIONALES"})
# Labels that say the country is not known, or not one country.
UNSPECIFIED = {
    "UNKNOWN": "Unknown", "DESCONOCIDA": "Unknown", "DESCONOCIDO": "Unknown", "NO DETERMINADA": "Unknown",
    "NO DETERMINADAS": "Unknown", "NO DETERMINADO": "Unknown", "0": "Unknown",
    "ABROAD": "Abroad", "EXTRANJERO": "Abroad", "OTHER": "Other", "OTHERS": "Other", "OTRAS": "Other",
}

ALIASES: dict[str, str] = {
    # The coalition and its neighbours, in Spanish and English, names and demonyms.
    "BELICE": "BLZ", "BELICENA": "BLZ", "BELICENO": "BLZ", "BELIZEAN": "BLZ", "BELIZE": "BLZ",
    "COSTA RICA": "CRI", "COSTARRICENSE": "CRI", "COSTA RICAN": "CRI",
    "EL SALVADOR": "SLV", "SALVADORENA": "SLV", "SALVADORENAS": "SLV", "SALVADORENO": "SLV",
    "SALVADORENOS": "SLV", "SALVADORAN": "SLV", "SALVADOREAN": "SLV",
    "GUATEMALA": "GTM", "GUATEMALTECA": "GTM", "GUATEMALTECO": "GTM", "GUATEMALTECOS": "GTM",
    "GUATEMALAN": "GTM", "GUATEMALEAN": "GTM",
    "HONDURAS": "HND", "HONDURENA": "HND", "HONDURENO": "HND", "HONDURENOS": "HND", "HONDURAN": "HND",
    "HONDURANIAN": "HND", "HONDUREANS": "HND", "HODRUANIAN": "HND",
    "MEXICO": "MEX", "MEXICANA": "MEX", "MEXICANO": "MEX", "MEXICAN": "MEX",
    "NICARAGUA": "NIC", "NICARAGUENSE": "NIC", "NICARAGUAN": "NIC",
    "PANAMA": "PAN", "PANAMENA": "PAN", "PANAMENO": "PAN", "PANAMANIAN": "PAN",
    "REPUBLICA DOMINICANA": "DOM", "REP. DOMINICANA": "DOM", "DOMINICANA": "DOM", "DOMINICANO": "DOM",
    "DOMINICAN REP": "DOM", "DOMINICAN": "DOM",
    "ARGENTINA": "ARG", "ARGENTINIAN": "ARG", "ARGENTINO": "ARG",
    "BRASIL": "BRA", "BRAZILIAN": "BRA", "BRASILENA": "BRA",
    "CHILE": "CHL", "CHILEAN": "CHL", "CHILENA": "CHL",
    "COLOMBIA": "COL", "COLOMBIAN": "COL", "COLOMBIANA": "COL", "COLOMBIANO": "COL",
    "CUBA": "CUB", "CUBANA": "CUB", "CUBANO": "CUB", "CUBAN": "CUB",
    "ECUADOR": "ECU", "ECUADOREAN": "ECU", "ECUATORIANA": "ECU",
    "HAITI": "HTI", "HAITIANA": "HTI", "HAITIANO": "HTI", "HAITIAN": "HTI",
    "PARAGUAY": "PRY", "PARAGUAYIAN": "PRY", "PARAGUAYA": "PRY",
    "PERU": "PER", "PERUVIAN": "PER", "PERUANA": "PER",
    "VENEZUELA": "VEN", "VENEZOLANA": "VEN", "VENEZOLANO": "VEN", "VENEZUELAN": "VEN",
    "ESTADOS UNIDOS": "USA", "USA": "USA", "ESTADOUNIDENSE": "USA",
    "ESPANA": "ESP", "SPANISH": "ESP", "ALEMANIA": "DEU", "GERMANS": "DEU", "GERMAN": "DEU",
    "CAMBOYA": "KHM", "CAMBODIAN": "KHM", "CHINESE": "CHN", "CHINA": "CHN",
    "GUINEANA": "GIN", "NIGERIANA": "NGA", "NIGERIANS": "NGA", "TURQUIA": "TUR", "TURKEY": "TUR",
    "TURKISH": "TUR", "ROMANIAN": "ROU", "INDIAN": "IND", "FILIPPINO": "PHL",
}


def normalise(label: str) -> str:
    """Upper case, accents dropped, spaces collapsed; U+FFFD kept (it marks a lost letter)."""
    text = unicodedata.normalize("NFKD", label)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", text).strip().upper()


def is_garbled(label: str) -> bool:
    return "\ufffd" in label


class CountryNames:
    """Resolves labels; built once per import from the release's own names plus :data:`ALIASES`."""

    def __init__(self, own_names: dict[str, str]):
        self.table = {normalise(name): code for name, code in own_names.items() if name and code}
        self.table.update(ALIASES)
        # A release repeats each label over many rows: each (label, reporting country) resolved once.
        self._resolved: dict[tuple[str, str], tuple[str, str, str | None]] = {}

    def resolve(self, label: str, reporting_country: str) -> tuple[str, str, str | None]:
        """(code, label to keep, repaired name or None). ``code`` is "" when nothing matched."""
        found = self._resolved.get((label, reporting_country))
        if found is None:
            found = self._resolved[(label, reporting_country)] = self._resolve(label, reporting_country)
        return found

    def _resolve(self, label: str, reporting_country: str) -> tuple[str, str, str | None]:
        key = normalise(label)
        if key in OWN_NATIONALS or (is_garbled(label) and self._matches_garbled(key, OWN_NATIONALS)):
            return reporting_country, "", None
        if key in UNSPECIFIED:
            return UNSPECIFIED_COUNTRY, UNSPECIFIED[key], None
        if key in self.table:
            return self.table[key], "", None
        if is_garbled(label):
            match = self._matches_garbled(key, self.table)
            if match:
                return self.table[match], "", match
        return "", label.strip()[:120], None

    @staticmethod
    def _matches_garbled(key: str, candidates: object) -> str | None:
        pattern = re.compile("^" + ".".join(re.escape(part) for part in key.split("\ufffd")) + "$")
        found = [c for c in candidates if pattern.match(c)]  # type: ignore[attr-defined]
        return found[0] if len(found) == 1 else None
