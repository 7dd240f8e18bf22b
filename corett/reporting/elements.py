"""What a national report asks for: the data elements of a data set, in the order the template
and the entry form show them.

A data element is one indicator broken down along at most one dimension (the total, by sex, by
age, by form of exploitation), as DHIS2 pairs a data element with a category combination. The
codes are the statistics module's (issue 4, section 1): an approved value is stored there under
the same indicator and disaggregation codes, every other dimension being ``total``.

Each breakdown must add up to its indicator's total; that is the data set's validation rule
(``corett.reporting.validation``), and the reason the categories of a dimension are exhaustive
(each has its "unknown" or "other").

Two breakdowns are by country (issue 4: citizenship and country of repatriation, ISO alpha-3):
detected victims by citizenship, victims repatriated by the country they returned to. Their
categories are not fixed: a report lists the countries it has, each an element of its own
("detected_victims.citizenship.HND"), so they are not among a data set's ``elements()`` but are
read and checked beside them. Listed countries may not add up to more than the total; with
"XXX" (unspecified) among them the list claims to be complete, and must add up to it exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

StrOrPromise = str | Promise

TOTAL = "total"

INDICATORS: dict[str, StrOrPromise] = {
    "detected_victims": _("Detected victims"),
    "persons_prosecuted": _("Persons prosecuted"),
    "persons_convicted": _("Persons convicted"),
    "persons_in_formal_contact": _("Persons brought into formal contact"),
    "offences": _("Offences recorded"),
    "victims_repatriated": _("Victims repatriated"),
    "victims_assisted": _("Victims assisted"),
}

DIMENSIONS: dict[str, StrOrPromise] = {
    TOTAL: _("Total"),
    "sex": _("By sex"),
    "age": _("By age"),
    "form": _("By form of exploitation"),
    "citizenship": _("By citizenship"),
    "repatriation": _("By country of repatriation"),
}

# The breakdowns by country, and the indicator each breaks down.
COUNTRY_DIMENSIONS: dict[str, str] = {"citizenship": "detected_victims", "repatriation": "victims_repatriated"}

CATEGORIES: dict[str, dict[str, StrOrPromise]] = {
    "sex": {"female": _("Female"), "male": _("Male"), "other": _("Other"), "unknown": _("Sex unknown")},
    "age": {"0-17": _("Children (0-17)"), "18+": _("Adults (18+)"), "unknown": _("Age unknown")},
    "form": {
        "sexual_exploitation": _("Sexual exploitation"),
        "forced_labour": _("Forced labour"),
        "other": _("Other forms of exploitation"),
    },
}

# Offences are counted as acts, not people: they have no sex or age.
BREAKDOWNS: dict[str, tuple[str, ...]] = {
    "detected_victims": ("sex", "age", "form"),
    "persons_prosecuted": ("sex", "age"),
    "persons_convicted": ("sex", "age"),
    "persons_in_formal_contact": ("sex", "age"),
    "offences": (),
    "victims_repatriated": ("sex", "age"),
    "victims_assisted": ("sex", "age"),
}

DEFAULT_INDICATORS = tuple(INDICATORS)


@dataclass(frozen=True)
class Element:
    """One cell to fill: an indicator's total, or one category of one of its breakdowns."""

    indicator: str
    dimension: str  # TOTAL, "sex", "age" or "form"
    category: str  # TOTAL for the total

    @property
    def key(self) -> str:
        """Stable and readable: "detected_victims.sex.female"; the hidden column of the template
        and the name of the entry form's field are built from it."""
        return f"{self.indicator}.{self.dimension}.{self.category}"

    @property
    def is_total(self) -> bool:
        return self.dimension == TOTAL

    @property
    def is_country(self) -> bool:
        """One country of a breakdown by citizenship or country of repatriation."""
        return self.dimension in COUNTRY_DIMENSIONS

    @property
    def indicator_label(self) -> str:
        return str(INDICATORS[self.indicator])

    @property
    def label(self) -> str:
        if self.is_total:
            return str(DIMENSIONS[TOTAL])
        if self.is_country:
            from corett.reporting.countries import country_name

            return f"{DIMENSIONS[self.dimension]}: {country_name(self.category)}"
        return f"{DIMENSIONS[self.dimension]}: {CATEGORIES[self.dimension][self.category]}"

    def bilingual(self) -> tuple[str, str]:
        """(indicator, breakdown) in Spanish and English at once, for the template's locked
        labels: a workbook travels between people who read either language."""
        with override("es"):
            es = (self.indicator_label, self.label)
        with override("en"):
            en = (self.indicator_label, self.label)
        return f"{es[0]} / {en[0]}", f"{es[1]} / {en[1]}"

    def disaggregation(self) -> dict[str, str]:
        """The statistics module's disaggregation codes of this element (others: total, and no
        citizenship or country of repatriation)."""
        codes = {"sex": TOTAL, "age": TOTAL, "form": TOTAL, "citizenship": "", "repatriation": ""}
        if not self.is_total:
            codes[self.dimension] = self.category
        return codes


def elements_for(indicators: tuple[str, ...] | list[str]) -> list[Element]:
    """The data elements of a data set with these indicators, in display order."""
    elements: list[Element] = []
    for indicator in INDICATORS:
        if indicator not in indicators:
            continue
        elements.append(Element(indicator, TOTAL, TOTAL))
        for dimension in BREAKDOWNS[indicator]:
            elements.extend(Element(indicator, dimension, category) for category in CATEGORIES[dimension])
    return elements


def element_by_key(key: str) -> Element | None:
    try:
        indicator, dimension, category = key.split(".")
    except ValueError:
        return None
    if indicator not in INDICATORS:
        return None
    if dimension == TOTAL and category == TOTAL:
        return Element(indicator, TOTAL, TOTAL)
    if dimension in BREAKDOWNS[indicator] and category in CATEGORIES[dimension]:
        return Element(indicator, dimension, category)
    if COUNTRY_DIMENSIONS.get(dimension) == indicator:
        from corett.reporting.countries import CODES

        if category in CODES:
            return Element(indicator, dimension, category)
    return None


def country_blocks(indicators: tuple[str, ...] | list[str]) -> list[tuple[str, str]]:
    """(dimension, indicator) of the breakdowns by country a data set with these indicators has."""
    return [(dimension, indicator) for dimension, indicator in COUNTRY_DIMENSIONS.items() if indicator in indicators]


def country_block_label(dimension: str) -> str:
    """ "Detected victims, by citizenship" in the active language."""
    return f"{INDICATORS[COUNTRY_DIMENSIONS[dimension]]}, {str(DIMENSIONS[dimension]).lower()}"
