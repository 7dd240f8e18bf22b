"""corett import-glotip: every quirk of the published file, all or nothing, idempotent."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from corett.statistics.models import Batch, Finding, Kind, PublishedValue, Status, Value

DATA = Path(__file__).parent / "data"
EXCERPT = DATA / "glotip_excerpt.xlsx"
FULL = Path(__file__).resolve().parents[4] / "shared" / "data" / "glotip" / "data_glotip.xlsx"


def _import(path) -> str:
    out = io.StringIO()
    call_command("import-glotip", str(path), "--no-progress", stdout=out)
    return out.getvalue()


def _copy_with(tmp_path, change) -> Path:
    workbook = openpyxl.load_workbook(EXCERPT)
    change(workbook)
    target = tmp_path / "changed.xlsx"
    workbook.save(target)
    return target


@pytest.fixture
def imported(db):
    return _import(EXCERPT)


def test_it_prints_a_summary_of_every_quirk(imported):
    assert "rows read" in imported and "328" in imported
    batch = Batch.objects.get()
    assert batch.release == "UNODC GLOTIP 14/04/2025"
    summary = batch.summary
    assert summary["duplicates"] == 4
    assert summary["conflicts"] >= 3
    assert summary["skipped_missing_code"] == 3
    assert summary["skipped_missing_category"] >= 3
    assert summary["suppressed"] > 0 and summary["thousands_commas"] > 0


def test_under_five_is_suppressed_with_bounds_never_zero_or_five(imported):
    suppressed = Value.objects.filter(kind=Kind.SUPPRESSED, form="total")
    assert suppressed.exists()
    assert set(suppressed.values_list("lower_bound", "upper_bound").distinct()) == {(1, 4)}
    assert not suppressed.filter(value__isnull=False).exists()


def test_values_equal_to_the_year_are_held_for_review(imported):
    mexico = Value.objects.get(country_iso3="MEX", period="2015", indicator__code="detected_victims",
                               sex="total", age="total", form="total", citizenship="")
    assert mexico.value == 2015 and mexico.status == Status.HELD
    finding = Finding.objects.get(kind=Finding.FindingKind.EQUALS_YEAR, country_iso3="MEX")
    assert finding.value == mexico and finding.cell.startswith("L")
    assert not PublishedValue.objects.filter(country_iso3="MEX", year=2015, sex="total", age="total").exists()


def test_conflicts_and_garbled_labels_and_missing_codes_become_findings(imported):
    kinds = set(Finding.objects.values_list("kind", flat=True))
    assert {"conflict", "equals_year", "implausible", "garbled_label", "missing_code", "missing_category"} <= kinds
    conflict = Finding.objects.filter(kind="conflict").first()
    assert conflict is not None and conflict.value is not None
    assert len(conflict.involved) >= 2 and conflict.value.status == Status.HELD


def test_garbled_labels_of_the_region_are_repaired(imported):
    garbled = Finding.objects.filter(kind="garbled_label")
    assert any(f.involved[0]["read_as"] for f in garbled)


def test_reimporting_the_same_release_changes_nothing(imported, tmp_path):
    before = list(Value.objects.order_by("pk").values_list("pk", "value", "status", "batch_id", "recorded_at"))
    findings = Finding.objects.count()
    again = _import(EXCERPT)
    assert "already imported" in again
    # A re-saved copy (another checksum) of the same release changes nothing either.
    resaved = _copy_with(tmp_path, lambda wb: None)
    _import(resaved)
    after = list(Value.objects.order_by("pk").values_list("pk", "value", "status", "batch_id", "recorded_at"))
    assert after == before and Finding.objects.count() == findings


def test_a_reviewed_finding_survives_a_reimport(imported, tmp_path, secretariat_user):
    from corett.statistics.services import review_finding

    finding = Finding.objects.get(kind="equals_year", country_iso3="MEX")
    review_finding(actor=secretariat_user, finding=finding, status="accepted", comment="Checked with UNODC")
    assert finding.value is not None
    finding.value.refresh_from_db()
    assert finding.value.status == Status.APPROVED
    _import(_copy_with(tmp_path, lambda wb: None))
    finding.value.refresh_from_db()
    assert finding.value.status == Status.APPROVED


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda wb: setattr(wb.active, "title", "Hoja1"), "renamed"),
        (lambda wb: wb.active.cell(row=10, column=12, value="doce"), "Cell L10"),
        (lambda wb: wb.active.cell(row=11, column=12, value="-3"), "negative"),
        (lambda wb: wb.active.cell(row=12, column=10, value=2999), "future period"),
        (lambda wb: wb.active.delete_rows(1, 2), "Row 3 must hold the GLOTIP header"),
    ],
)
def test_bad_files_store_nothing(db, tmp_path, change, message):
    path = _copy_with(tmp_path, change)
    with pytest.raises(CommandError):
        call_command("import-glotip", str(path), "--no-progress", stdout=io.StringIO(), stderr=(err := io.StringIO()))
    assert message in err.getvalue()
    assert not Value.objects.exists() and not Finding.objects.exists()
    assert Batch.objects.get().state == Batch.State.FAILED


def test_a_file_that_is_not_a_workbook_is_refused(db, tmp_path):
    path = tmp_path / "data_glotip.xlsx"
    path.write_text("Iso3_code,Country\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import-glotip", str(path), "--no-progress", stdout=io.StringIO(), stderr=(err := io.StringIO()))
    assert "not an Excel workbook" in err.getvalue()


def test_a_50_mb_file_is_refused(db, tmp_path):
    path = tmp_path / "huge.xlsx"
    with path.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    with pytest.raises(CommandError):
        call_command("import-glotip", str(path), "--no-progress", stdout=io.StringIO(), stderr=(err := io.StringIO()))
    assert "the limit is" in err.getvalue()
    assert not Value.objects.exists()


@pytest.mark.skipif(not FULL.exists(), reason="the full GLOTIP release is not in ../shared/data/glotip/")
def test_the_whole_published_file(db):
    output = _import(FULL)
    summary = Batch.objects.get().summary
    assert summary["rows_read"] == 58769
    assert summary["duplicates"] == 336
    assert summary["skipped_missing_code"] == 26
    assert Value.objects.filter(country_iso3="DOM", period__in=["2019", "2020", "2021", "2022"],
                                status=Status.HELD).count() >= 4
    assert "58,769" in output


def test_values_filled_in_one_update_are_those_the_constructor_builds():
    """The reader builds its 58,000 values without the frozen dataclass's per-field setattr: that
    is only the same value while ValueInput stays a plain frozen dataclass."""
    import dataclasses

    from corett.statistics.importers.glotip import _value_input
    from corett.statistics.services import ValueInput

    assert not hasattr(ValueInput, "__post_init__") and not hasattr(ValueInput, "__slots__")
    assert all(f.default_factory is dataclasses.MISSING for f in dataclasses.fields(ValueInput))
    cases: list[dict[str, Any]] = [
        {"indicator": "detected_victims", "country": "GTM", "period": "2019", "value": 12, "sex": "female"},
        {"indicator": "persons_convicted", "country": "HND", "period": "2020", "kind": Kind.SUPPRESSED,
         "age": "0-17", "citizenship": "GTM", "label": "Guatemala", "lower_bound": 1, "upper_bound": 4,
         "cell": "L9"},
    ]
    for fields in cases:
        built, constructed = _value_input(**fields), ValueInput(**fields)
        assert vars(built) == vars(constructed)
        assert built == constructed and hash(built) == hash(constructed) and built.key() == constructed.key()


def test_imports_collect_less_often_and_give_the_thresholds_back():
    import gc

    from corett.statistics.importers.common import fewer_collections

    before = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)
        with fewer_collections():
            assert gc.get_threshold() == (50_000, 20, 100)
            with fewer_collections():  # a second import at once (the web runs them in threads)
                assert gc.get_threshold() == (50_000, 20, 100)
            assert gc.get_threshold() == (50_000, 20, 100)  # the first is still running
        assert gc.get_threshold() == (700, 10, 10)
        gc.set_threshold(100_000, 10, 500)  # never more often than the process asked for
        with fewer_collections():
            assert gc.get_threshold() == (100_000, 20, 500)
        assert gc.get_threshold() == (100_000, 10, 500)
    finally:
        gc.set_threshold(*before)


def _openpyxl_rows(path: Path) -> list[tuple]:
    """The rows as openpyxl's read-only mode gives them: what the reader's checks were written
    for, before calamine read the file."""
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    sheet = workbook.worksheets[0]
    sheet.reset_dimensions()
    rows = [tuple(row) for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    return rows


def _padded(rows: list[tuple], width: int) -> list[tuple]:
    # openpyxl ends a row at its last cell; calamine gives every row the sheet's width.
    return [row + (None,) * (width - len(row)) for row in rows]


def test_calamine_reads_the_rows_openpyxl_reads(tmp_path):
    import datetime as dt

    from corett.statistics.importers.glotip import _open_sheet, sheet_rows

    def quirks(workbook):
        sheet = workbook.active
        sheet.insert_rows(20, 3)  # empty rows in the middle keep the row numbers after them
        sheet.cell(row=30, column=12, value=12)  # a number where UNODC writes text
        sheet.cell(row=31, column=12, value=12.5)
        sheet.cell(row=32, column=12, value=True)
        sheet.cell(row=33, column=12, value="")
        sheet.cell(row=34, column=7, value=None)
        sheet.cell(row=35, column=10, value=dt.datetime(2015, 3, 1, 12, 30))  # noqa: DTZ001 (Excel has no time zones)
        sheet.cell(row=36, column=16, value="beyond the header")

    path = _copy_with(tmp_path, quirks)
    read = list(sheet_rows(_open_sheet(path)))
    expected = _padded(_openpyxl_rows(path), len(read[0]))
    assert read == expected
    assert [type(cell) for cell in read[29][9:12]] == [int, str, int]  # 2019, "Counts", 12
    assert read[30][11] == 12.5 and read[31][11] is True and read[32][11] is None
    assert len(read) == 3 + 328 + 3  # preamble and header, the rows, the empty ones


@pytest.mark.skipif(not FULL.exists(), reason="the full GLOTIP release is not in ../shared/data/glotip/")
def test_calamine_reads_the_whole_release_as_openpyxl_does():
    from corett.statistics.importers.glotip import _open_sheet, sheet_rows

    read = list(sheet_rows(_open_sheet(FULL)))
    assert len(read) == 58772
    assert read == _padded(_openpyxl_rows(FULL), len(read[0]))


def test_a_workbook_that_unpacks_to_far_more_than_the_limit_is_refused(db, tmp_path, settings):
    """A "zip bomb": calamine would hold all of it in memory."""
    import zipfile

    settings.STATISTICS_IMPORT_MAX_BYTES = 64 * 1024  # a workbook may unpack to 16 times that: 1 MB
    path = tmp_path / "data_glotip.xlsx"
    with zipfile.ZipFile(EXCERPT) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bomb:
        for entry in source.infolist():
            bomb.writestr(entry, source.read(entry))
        bomb.writestr("xl/media/padding.bin", bytes(2 * 1024 * 1024))
    assert path.stat().st_size < 64 * 1024
    with pytest.raises(CommandError):
        call_command("import-glotip", str(path), "--no-progress", stdout=io.StringIO(), stderr=(err := io.StringIO()))
    assert "The workbook unpacks to 2.2 MB; the limit is 1.0 MB." in err.getvalue()
    assert not Value.objects.exists() and Batch.objects.get().state == Batch.State.FAILED


def test_a_damaged_workbook_is_refused_with_the_reason(db, tmp_path):
    import zipfile

    path = tmp_path / "data_glotip.xlsx"
    with zipfile.ZipFile(EXCERPT) as source, zipfile.ZipFile(path, "w") as damaged:
        for entry in source.infolist():
            data = source.read(entry)
            damaged.writestr(entry, data[: len(data) // 2] if entry.filename.endswith("sheet1.xml") else data)
    with pytest.raises(CommandError):
        call_command("import-glotip", str(path), "--no-progress", stdout=io.StringIO(), stderr=(err := io.StringIO()))
    assert "Error" in err.getvalue()
    assert not Value.objects.exists()
