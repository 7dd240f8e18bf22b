"""corett import-ctdc: the published layouts (generated: CTDC's files may not be redistributed)."""

from __future__ import annotations

import io
from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from corett.statistics import ctdc_layouts, release
from corett.statistics.importers.ctdc import read_ctdc
from corett.statistics.models import Batch, Source, Value


def _import(path) -> str:
    out = io.StringIO()
    call_command("import-ctdc", str(path), "--no-progress", stdout=out)
    return out.getvalue()


def _expected_totals(variant: str, count: int) -> Counter:
    """Count the generated cases per (alpha-2 or alpha-3 country of exploitation, year) by hand."""
    lines = list(ctdc_layouts.rows(variant, count))
    separator = ";" if variant == "k-anonymised-2021" else ","
    header = lines[0].split(separator)
    year_at = header.index("yearOfRegistration")
    country_at = header.index("CountryOfExploitation")
    totals: Counter = Counter()
    for line in lines[1:]:
        fields = line.split(separator)
        if fields[year_at]:
            totals[(fields[country_at], int(fields[year_at]))] += 1
    return totals


@pytest.mark.parametrize("variant", ctdc_layouts.VARIANTS)
def test_each_variant_aggregates_to_detected_victims(db, tmp_path, variant):
    path = ctdc_layouts.write(tmp_path / f"{variant}.csv", variant, 600, crlf=variant == "global-2020",
                              bom=variant == "synthetic-2024")
    output = _import(path)
    assert "cases placed" in output
    expected = _expected_totals(variant, 600)
    namibia = sum(n for (country, _y), n in expected.items() if country in ("NA", "NAM"))
    stored = Value.objects.filter(source=Source.CTDC, country_iso3="NAM", sex="total", age="total", form="total",
                                  citizenship="")
    # Namibia's "NA" is a country, never "missing".
    assert sum(v.value or 0 for v in stored) == namibia > 0


def test_missing_years_of_the_k_anonymised_file_are_counted_not_stored(db, tmp_path):
    path = ctdc_layouts.write(tmp_path / "k.csv", "k-anonymised-2021", 2000)
    _import(path)
    summary = Batch.objects.get().summary
    assert summary["skipped_without_year"] > 0
    assert summary["cases_placed"] + summary["skipped_without_year"] == 2000


def test_ctdc_aggregates_are_released_under_k_anonymity(db, tmp_path, settings):
    settings.STATISTICS_K_ANONYMITY = 10
    path = ctdc_layouts.write(tmp_path / "g.csv", "global-2020", 400)
    _import(path)
    for value in release.released_values(None, indicator="detected_victims", countries=None, sex="*", age="*",
                                         form="*", citizenship="*"):
        assert value.value is None or value.value == 0 or value.value >= 10


def test_age_bands_written_with_two_hyphens_are_read(tmp_path):
    path = ctdc_layouts.write(tmp_path / "g.csv", "global-2020", 300)
    result = read_ctdc(path, lambda done, total: None)
    ages = {v.age for v in result.values}
    assert {"0-17", "18+"} <= ages


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("yearOfRegistration,gender,citizenship,CountryOfExploitation,isForcedLabour,isSexualExploit,isOtherExploit\n"
         "2019,Femme,GT,GT,1,0,abc\n", "is not a flag"),
        ("yearOfRegistration,gender,citizenship,CountryOfExploitation,isForcedLabour,isSexualExploit,isOtherExploit\n"
         "2999,Female,GT,GT,1,0,0\n", "future period"),
        ("yearOfRegistration,gender,citizenship,CountryOfExploitation,isForcedLabour,isSexualExploit,isOtherExploit\n"
         "2019,Female,GT,GT,1,0\n", "fields instead of"),
        ("year;sex\n2019;Female\n", "Columns missing"),
    ],
)
def test_bad_csv_stores_nothing(db, tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import-ctdc", str(path), "--no-progress", stdout=io.StringIO(), stderr=(err := io.StringIO()))
    assert message in err.getvalue()
    assert not Value.objects.exists()


def test_a_csv_in_another_encoding_is_refused(db, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        "yearOfRegistration,gender,citizenship,CountryOfExploitation,isForcedLabour,isSexualExploit,isOtherExploit\n"
        "2019,Female,GT,GT,1,0,0 # Guatemala año\n".encode("latin-1")
    )
    with pytest.raises(CommandError):
        call_command("import-ctdc", str(path), "--no-progress", stdout=io.StringIO(), stderr=(err := io.StringIO()))
    assert "not in UTF-8" in err.getvalue()
    assert not Value.objects.exists()
