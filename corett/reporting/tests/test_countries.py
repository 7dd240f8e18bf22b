"""Country labels as focal points write them, to ISO alpha-3: one function for the template, the
entry form and the API; what it cannot map is None (the caller's finding), never a guess."""

from __future__ import annotations

import pytest

from corett.reporting.countries import bilingual_choice, choices, country_code, repair_mojibake


@pytest.mark.parametrize(("label", "code"), [
    ("Guatemala", "GTM"), ("guatemalteca", "GTM"), ("GUATEMALTECAS", "GTM"), ("Guatemalans", "GTM"),
    ("GTM", "GTM"), ("gtm", "GTM"), ("GT", "GTM"), ("Honduras ", "HND"), ("\u00a0Honduras\u00a0", "HND"),
    ("hondureños", "HND"), ("Nicaragüenses", "NIC"), ("Costa  Rica", "CRI"), ("salvadoreño", "SLV"),
    ("Belize", "BLZ"), ("beliceña", "BLZ"), ("República Dominicana", "DOM"), ("Dominican Republic", "DOM"),
    ("México", "MEX"), ("Mexicanos", "MEX"), ("Estados Unidos", "USA"), ("usa", "USA"), ("NGA", "NGA"),
    # Mojibake: UTF-8 read as Windows-1252, and letters lost to U+FFFD.
    ("RepÃºblica Dominicana", "DOM"), ("PanamÃ¡", "PAN"), ("Panam\ufffd", "PAN"), ("Hondure\ufffda", "HND"),
    # The drop-down's own text, and a code in brackets.
    ("GTM · Guatemala", "GTM"), ("MEX · México / Mexico", "MEX"), ("DOM · Rep. Dominicana / Dominican Rep.", "DOM"),
    ("Guatemala (GTM)", "GTM"), ("NGA - Nigeria", "NGA"),
    # Unknown country: the statistics module's "unspecified".
    ("Desconocida", "XXX"), ("Sin especificar", "XXX"), ("XXX", "XXX"),
])
def test_a_label_maps_to_its_iso_alpha3_code(label, code):
    assert country_code(label) == code


@pytest.mark.parametrize("label", [
    "Atlantis", "ZZZ", "N/A", "0", 0, 12, "", "   ", None, "GTM · Honduras", "\ufffd\ufffd\ufffd\ufffd\ufffd",
])
def test_what_names_no_country_for_sure_is_not_mapped(label):
    assert country_code(label) is None


def test_nationals_are_the_reporting_countrys_own():
    assert country_code("Nacionales", reporting_country="HND") == "HND"
    assert country_code("Nacionales") is None


def test_mojibake_repair_leaves_good_text_alone():
    assert repair_mojibake("Panamá") == "Panamá"
    assert repair_mojibake("PanamÃ¡") == "Panamá"


def test_every_drop_down_choice_reads_back_as_its_own_code():
    listed = choices()
    assert [code for code, _es, _en in listed[:9]] == ["BLZ", "CRI", "SLV", "GTM", "HND", "MEX", "NIC", "PAN", "DOM"]
    assert listed[-1][0] == "XXX"
    for code, spanish, english in listed:
        assert country_code(bilingual_choice(code, spanish, english)) == code
        assert country_code(spanish) == code and country_code(english) == code
