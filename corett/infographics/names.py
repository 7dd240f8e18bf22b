"""Country names for charts: the coalition's members and the countries their victims most often
come from or return to. Any other ISO3 code is shown as the code itself (no guessing)."""

from __future__ import annotations

from django.utils.translation import get_language

# ISO3: (Spanish, English); short forms that fit a chart label.
NAMES: dict[str, tuple[str, str]] = {
    "BLZ": ("Belice", "Belize"), "CRI": ("Costa Rica", "Costa Rica"),
    "SLV": ("El Salvador", "El Salvador"), "GTM": ("Guatemala", "Guatemala"),
    "HND": ("Honduras", "Honduras"), "MEX": ("México", "Mexico"), "NIC": ("Nicaragua", "Nicaragua"),
    "PAN": ("Panamá", "Panama"), "DOM": ("Rep. Dominicana", "Dominican Rep."),
    "USA": ("Estados Unidos", "United States"), "CAN": ("Canadá", "Canada"), "CUB": ("Cuba", "Cuba"),
    "HTI": ("Haití", "Haiti"), "JAM": ("Jamaica", "Jamaica"), "COL": ("Colombia", "Colombia"),
    "VEN": ("Venezuela", "Venezuela"), "ECU": ("Ecuador", "Ecuador"), "PER": ("Perú", "Peru"),
    "BOL": ("Bolivia", "Bolivia"), "BRA": ("Brasil", "Brazil"), "ARG": ("Argentina", "Argentina"),
    "CHL": ("Chile", "Chile"), "PRY": ("Paraguay", "Paraguay"), "URY": ("Uruguay", "Uruguay"),
    "PRI": ("Puerto Rico", "Puerto Rico"), "TTO": ("Trinidad y Tobago", "Trinidad and Tobago"),
    "GUY": ("Guyana", "Guyana"), "ESP": ("España", "Spain"), "CHN": ("China", "China"),
    "IND": ("India", "India"), "PHL": ("Filipinas", "Philippines"), "RUS": ("Rusia", "Russia"),
    "UKR": ("Ucrania", "Ukraine"),
    # ICAO's "unspecified nationality": the statistics module's code for a source's "Abroad",
    # "Other" or unreadable label.
    "XXX": ("Sin especificar", "Unspecified"), "NGA": ("Nigeria", "Nigeria"), "BGD": ("Bangladés", "Bangladesh"),
}
MEMBERS = ("BLZ", "CRI", "SLV", "GTM", "HND", "MEX", "NIC", "PAN", "DOM")
REGION = "REGION"


def country_name(iso3: str) -> str:
    names = NAMES.get(iso3)
    if names is None:
        return iso3
    return names[1] if (get_language() or "es").startswith("en") else names[0]
