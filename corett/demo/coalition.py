"""The real coalition, as ../shared/domain/README.md describes it.

Names are "as generally published"; focal points correct them in the platform. Dates that the
public record does not give (membership since, Presidency terms) are demonstration values and
are said to be so in the README.
"""

from __future__ import annotations

import datetime as dt

# iso2, iso3, Spanish name, English name, official language
MEMBER_COUNTRIES = [
    ("BZ", "BLZ", "Belice", "Belize", "en"),
    ("CR", "CRI", "Costa Rica", "Costa Rica", "es"),
    ("SV", "SLV", "El Salvador", "El Salvador", "es"),
    ("GT", "GTM", "Guatemala", "Guatemala", "es"),
    ("HN", "HND", "Honduras", "Honduras", "es"),
    ("MX", "MEX", "México", "Mexico", "es"),
    ("NI", "NIC", "Nicaragua", "Nicaragua", "es"),
    ("PA", "PAN", "Panamá", "Panama", "es"),
    ("DO", "DOM", "República Dominicana", "Dominican Republic", "es"),
]

# iso2 -> (name, acronym, website)
NATIONAL_COMMISSIONS = {
    "BZ": ("Anti-Trafficking in Persons Council", "ATIPS Council", ""),
    "CR": (
        "Coalición Nacional contra el Tráfico Ilícito de Migrantes y la Trata de Personas",
        "CONATT",
        "",
    ),
    "SV": ("Consejo Nacional contra la Trata de Personas", "CNCTP", ""),
    "GT": (
        "Secretaría contra la Violencia Sexual, Explotación y Trata de Personas",
        "SVET",
        "https://www.svet.gob.gt/",
    ),
    "HN": (
        "Comisión Interinstitucional contra la Explotación Sexual Comercial y Trata de Personas",
        "CICESCT",
        "",
    ),
    "MX": (
        "Comisión Intersecretarial para Prevenir, Sancionar y Erradicar los Delitos en Materia "
        "de Trata de Personas",
        "",
        "",
    ),
    "NI": ("Coalición Nacional contra la Trata de Personas", "", ""),
    "PA": ("Comisión Nacional contra la Trata de Personas", "CNCTP", ""),
    "DO": (
        "Comisión Interinstitucional contra la Trata de Personas y el Tráfico Ilícito de Migrantes",
        "CITIM",
        "",
    ),
}

# Panama's commission has its technical office in the Ministry of Public Security.
PANAMA_MINSEG = ("Ministerio de Seguridad Pública", "MINSEG")

SECRETARIAT = ("Secretaría Técnica de la CORETT", "ST-CORETT")

# name, acronym, kind, country iso2 or None, membership status, parent acronym, website
OTHER_ORGANISATIONS: list[tuple[str, str, str, str | None, str, str | None, str]] = [
    ("Secretaría General del Sistema de la Integración Centroamericana", "SG-SICA",
     "intergovernmental", None, "observer", None, "https://www.sica.int/"),
    ("Comisión de Seguridad de Centroamérica", "CSC-SICA",
     "intergovernmental", None, "observer", "SG-SICA", ""),
    ("Organización Internacional para las Migraciones: Programa Regional sobre Migración",
     "OIM", "intergovernmental", None, "observer", None, "https://www.iom.int/"),
    ("Oficina de las Naciones Unidas contra la Droga y el Delito", "UNODC",
     "intergovernmental", None, "observer", None, "https://www.unodc.org/"),
    ("El Pozo de Vida", "", "ngo_observer", "MX", "observer", None, "https://elpozodevida.org.mx/"),
    ("Operation Underground Railroad", "OUR", "partner_ngo", None, "partner", None,
     "https://ourrescue.org/"),
    ("Abogados Sin Fronteras Canadá", "ASFC", "partner_ngo", None, "partner", None,
     "https://www.asfcanada.ca/"),
    ("ECPAT Guatemala", "", "partner_ngo", "GT", "partner", None, "https://ecpatguatemala.org/"),
    ("Secretaría Técnica de la Mujer del Consejo de Ministras de la Mujer de Centroamérica y "
     "República Dominicana", "STM-COMMCA", "intergovernmental", None, "partner", "SG-SICA", ""),
    ("Gran Ducado de Luxemburgo: Cooperación Luxemburguesa", "LuxDev", "donor", None,
     "partner", None, ""),
]

# Demonstration values (see the README).
PRESIDENCY_TERMS = [
    ("SV", dt.date(2022, 1, 1), dt.date(2022, 12, 31)),
    ("GT", dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
]
SECRETARIAT_SINCE = dt.date(2021, 1, 1)
MEMBERSHIP_SINCE = dt.date(2022, 9, 6)  # the day plenary III-2022 closed: a date the record gives
