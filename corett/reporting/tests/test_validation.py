"""The report's checks: types, non-negative counts, breakdowns that add up, ranges from history."""

from __future__ import annotations

import pytest

from corett.reporting.elements import element_by_key, elements_for
from corett.reporting.validation import Location, RawEntry, check_entries, parse_count


def entries(values: dict, statuses: dict | None = None) -> list[RawEntry]:
    statuses = statuses or {}
    return [
        RawEntry(e, values.get(e.key), statuses.get(e.key, ""), location=Location("Datos", f"C{row}"))
        for row, e in enumerate(elements_for(["detected_victims", "offences"]), start=6)
    ]


@pytest.mark.parametrize(("raw", "expected"), [
    (None, (None, "")), ("", (None, "")), ("  ", (None, "")), (12, (12, "")), (12.0, (12, "")),
    ("1,234", (1234, "")), (" 7 ", (7, "")), ("doce", (None, "not_a_number")), ("1,5", (None, "not_a_number")),
    (2.5, (None, "not_whole")), ("2.5", (None, "not_whole")), (-3, (None, "negative")), ("-3", (None, "negative")),
    (True, (None, "not_a_number")), ("nan", (None, "not_a_number")), (10**9, (None, "too_large")),
])
def test_it_reads_counts_strictly(raw, expected):
    assert parse_count(raw) == expected


def test_a_consistent_report_has_no_findings():
    values = {"detected_victims.total.total": 10, "detected_victims.sex.female": 6, "detected_victims.sex.male": 4,
              "detected_victims.sex.other": 0, "detected_victims.sex.unknown": 0, "offences.total.total": 3}
    readings, findings = check_entries(entries(values))
    assert findings == []
    assert readings["detected_victims.total.total"].value == 10
    assert readings["detected_victims.age.0-17"].value is None


def test_text_in_a_number_cell_is_named_by_its_cell():
    _readings, findings = check_entries(entries({"detected_victims.total.total": "doce"}))
    assert [str(f) for f in findings] == [
        "Sheet 'Datos', C6: “doce” is not a number: write a whole number, or leave the cell empty."
    ]


def test_a_negative_count_is_refused():
    _readings, findings = check_entries(entries({"offences.total.total": -2}))
    assert [f.code for f in findings] == ["negative"]
    assert "cannot be negative" in str(findings[0])


def test_a_complete_breakdown_must_equal_the_total():
    values = {"detected_victims.total.total": 10, "detected_victims.sex.female": 6, "detected_victims.sex.male": 3,
              "detected_victims.sex.other": 0, "detected_victims.sex.unknown": 0}
    _readings, findings = check_entries(entries(values))
    assert [f.code for f in findings] == ["sum_mismatch"]
    assert str(findings[0]) == (
        "Sheet 'Datos', C6: The total is 10, but the breakdown by sex adds up to 9: "
        "the categories must add up to the total."
    )


def test_a_partial_breakdown_may_not_exceed_the_total():
    values = {"detected_victims.total.total": 10, "detected_victims.age.0-17": 11}
    _readings, findings = check_entries(entries(values))
    assert [f.code for f in findings] == ["sum_exceeds_total"]
    values = {"detected_victims.total.total": 10, "detected_victims.age.0-17": 4}
    assert check_entries(entries(values))[1] == []


def test_a_breakdown_without_its_total_is_refused():
    _readings, findings = check_entries(entries({"detected_victims.form.forced_labour": 3}))
    assert [f.code for f in findings] == ["breakdown_without_total"]


def test_not_available_excludes_a_value():
    key = "offences.total.total"
    readings, findings = check_entries(entries({}, {key: "No disponible / Not available"}))
    assert findings == [] and readings[key].not_available
    _readings, findings = check_entries(entries({key: 4}, {key: "No disponible / Not available"}))
    assert [f.code for f in findings] == ["not_available_with_value"]
    _readings, findings = check_entries(entries({key: 4}, {key: "quizás"}))
    assert [f.code for f in findings] == ["unknown_status"]


def test_values_outside_the_historical_range_are_warnings_not_errors():
    ranges = {"offences.total.total": (5, 40, 4)}
    _readings, findings = check_entries(entries({"offences.total.total": 400}), ranges)
    assert [(f.code, f.severity) for f in findings] == [("out_of_range", "warning")]
    assert "5 to 40" in str(findings[0])
    assert check_entries(entries({"offences.total.total": 30}), ranges)[1] == []


def test_findings_are_worded_in_the_readers_language():
    from django.utils import translation

    _readings, findings = check_entries(entries({"offences.total.total": "doce"}))
    with translation.override("es"):
        assert str(findings[0]).startswith("Hoja 'Datos', C")


def test_element_keys_round_trip():
    for element in elements_for(["detected_victims", "persons_prosecuted", "offences"]):
        assert element_by_key(element.key) == element
    assert element_by_key("offences.sex.female") is None
    assert element_by_key("nonsense") is None
