"""The Excel template (made per country and period) and the upload: every bad input is refused
with a translated finding at its cell, and nothing is stored."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from corett.reporting import services
from corett.reporting.models import Submission, Value
from corett.reporting.tests import helpers
from corett.reporting.workbook import DATA_SHEET, FIRST_ROW, META_SHEET, build_template


@pytest.fixture
def ds(db):
    return helpers.data_set()


def test_the_template_has_locked_labels_drop_downs_and_bilingual_instructions(ds, gt):
    workbook = load_workbook(io.BytesIO(build_template(data_set=ds, country=gt)))
    assert workbook.sheetnames == ["Instrucciones", DATA_SHEET, META_SHEET]
    assert workbook[META_SHEET].sheet_state == "veryHidden"
    sheet = workbook[DATA_SHEET]
    assert sheet.protection.sheet is True
    assert "Guatemala" in sheet["B2"].value and sheet["B3"].value == "2025-S1"
    first = FIRST_ROW
    assert sheet[f"A{first}"].value == "Víctimas detectadas / Detected victims"
    assert sheet[f"A{first}"].protection.locked is True
    assert sheet[f"C{first}"].protection.locked is False and sheet[f"D{first}"].protection.locked is False
    assert sheet.column_dimensions["E"].hidden
    kinds = {v.type: v for v in sheet.data_validations.dataValidation}
    assert kinds["list"].formula1 == '"Reportado / Reported,No disponible / Not available"'
    assert f"D{first}" in str(kinds["list"].sqref)
    assert kinds["whole"].formula1 == "0"
    text = "\n".join(str(c.value) for c in workbook["Instrucciones"]["A"] if c.value)
    assert "Complete la hoja 'Datos'" in text and "Fill in the sheet 'Datos'" in text
    last = first + len(ds.elements()) - 1
    assert [sheet[f"E{r}"].value for r in range(first, last + 1)] == [e.key for e in ds.elements()]


def test_a_filled_template_is_imported_with_a_row_by_row_reading(ds, gt, focal_gt):
    content = helpers.filled_template(ds, gt, statuses={"persons_convicted.sex.male": "No disponible / Not available"})
    result = services.submission_import(
        actor=focal_gt, submission=Submission(data_set=ds, country=gt), content=content, file_name="gt.xlsx"
    )
    assert result.stored == len(helpers.GOOD) + 1
    stored = dict(Value.objects.filter(submission=result.submission).values_list("element", "value"))
    assert stored["detected_victims.sex.female"] == 30
    assert Value.objects.get(element="persons_convicted.sex.male").not_available
    assert len(result.rows) == len(ds.elements())
    assert result.submission.source_file_name == "gt.xlsx" and len(result.submission.source_sha256) == 64


def _refused(ds, country, user, content):
    with pytest.raises(services.ReportRejected) as caught:
        services.submission_import(actor=user, submission=Submission(data_set=ds, country=country),
                                   content=content, file_name="x.xlsx")
    assert not Submission.objects.exists() and not Value.objects.exists()
    return [str(f) for f in caught.value.findings]


def test_another_countrys_template_is_refused(ds, gt, hn, focal_gt):
    findings = _refused(ds, gt, focal_gt, helpers.filled_template(ds, hn))
    assert findings == ["Sheet 'Datos', B2: This template is for Honduras, not for Guatemala. "
                        "Download your country's template from the report's page."]


def test_another_periods_template_is_refused(ds, gt, focal_gt):
    other = helpers.data_set(number=2)
    findings = _refused(ds, gt, focal_gt, helpers.filled_template(other, gt))
    assert findings == ["Sheet 'Datos', B3: This template is for the period 2025-S2, not for 2025-S1. "
                        "Download the template of this period from the report's page."]


def test_a_renamed_sheet_is_refused(ds, gt, focal_gt):
    def rename(workbook):
        workbook[DATA_SHEET].title = "Data"

    findings = _refused(ds, gt, focal_gt, helpers.filled_template(ds, gt, edit=rename))
    assert findings == ["The workbook has no sheet named 'Datos' (its sheets: 'Instrucciones', 'Data'). "
                        "The template's sheets must keep their names."]


def test_text_in_a_number_cell_and_a_negative_count_are_named_by_cell_and_nothing_is_stored(ds, gt, focal_gt):
    values = dict(helpers.GOOD, **{"offences.total.total": "doce", "persons_convicted.total.total": -1})
    findings = _refused(ds, gt, focal_gt, helpers.filled_template(ds, gt, values))
    offences, convicted = helpers.row_of(ds, "offences.total.total"), helpers.row_of(ds, "persons_convicted.total.total")
    assert f"Sheet 'Datos', C{offences}: “doce” is not a number: write a whole number, or leave the cell empty." in findings
    assert f"Sheet 'Datos', C{convicted}: A count cannot be negative (-1)." in findings
    assert len(findings) == 2


def test_findings_are_in_spanish_for_a_spanish_reader(ds, gt, focal_gt):
    values = dict(helpers.GOOD, **{"offences.total.total": "doce"})
    with pytest.raises(services.ReportRejected) as caught:
        services.submission_import(actor=focal_gt, submission=Submission(data_set=ds, country=gt),
                                   content=helpers.filled_template(ds, gt, values), file_name="x.xlsx")
    with translation.override("es"):
        assert str(caught.value.findings[0]) == (
            f"Hoja 'Datos', C{helpers.row_of(ds, 'offences.total.total')}: «doce» no es un número: "
            "escriba un número entero o deje la celda vacía."
        )


def test_breakdowns_that_do_not_add_up_are_refused_at_the_total(ds, gt, focal_gt):
    values = dict(helpers.GOOD, **{"detected_victims.sex.female": 31})
    findings = _refused(ds, gt, focal_gt, helpers.filled_template(ds, gt, values))
    assert findings == [f"Sheet 'Datos', C{helpers.row_of(ds, 'detected_victims.total.total')}: The total is 40, but "
                        "the breakdown by sex adds up to 41: the categories must add up to the total."]


def test_a_future_period_takes_no_figures(gt, focal_gt):
    future = helpers.data_set(year=timezone.localdate().year + 1, period_type="year")
    findings = _refused(future, gt, focal_gt, helpers.filled_template(future, gt))
    assert len(findings) == 1 and findings[0].startswith(f"The period {future.code} ends on ")


def test_a_file_that_is_not_a_workbook_is_refused(ds, gt, focal_gt):
    findings = _refused(ds, gt, focal_gt, "indicador;valor\nvíctimas;12\n".encode("latin-1"))
    assert findings == ["This file is not an Excel workbook (.xlsx). Upload the template, filled in."]


def test_a_workbook_that_is_not_the_template_is_refused(ds, gt, focal_gt):
    from openpyxl import Workbook

    out = io.BytesIO()
    Workbook().save(out)
    assert _refused(ds, gt, focal_gt, out.getvalue())[0].startswith("This workbook is not a CORETT reporting template.")


def test_a_changed_row_code_is_refused(ds, gt, focal_gt):
    def tamper(workbook):
        workbook[DATA_SHEET][f"E{FIRST_ROW + 1}"] = "detected_victims.sex.nonbinary"

    findings = _refused(ds, gt, focal_gt, helpers.filled_template(ds, gt, edit=tamper))
    assert any(f.startswith(f"Sheet 'Datos', E{FIRST_ROW + 1}: This row of the template was changed") for f in findings)
    assert any("The row for “Detected victims, By sex: Female” is missing." in f for f in findings)


# --- Over HTTP --------------------------------------------------------------------------------


def _upload_url(ds, iso2="GT"):
    return reverse("reporting:upload", args=[ds.code, iso2])


def test_the_upload_page_lists_each_problem_and_the_rows(ds, gt, focal_gt, client_as):
    client = client_as(focal_gt)
    values = dict(helpers.GOOD, **{"offences.total.total": "doce"})
    upload = io.BytesIO(helpers.filled_template(ds, gt, values))
    upload.name = "gt.xlsx"
    response = client.post(_upload_url(ds), {"file": upload})
    assert response.status_code == 422
    page = response.content.decode()
    # The focal point reads Spanish: the finding names the cell in Spanish.
    assert f"Hoja &#x27;Datos&#x27;, C{helpers.row_of(ds, 'offences.total.total')}: «doce» no es un número" in page
    assert "No se guardó nada" in page and 'data-testid="row-report"' in page
    assert not Value.objects.exists()


def test_a_50_mb_file_is_refused_by_its_size_and_nothing_is_stored(ds, gt, focal_gt, client_as, settings):
    client = client_as(focal_gt)
    big = io.BytesIO(b"PK" + b"\0" * (50 * 1024 * 1024))
    big.name = "huge.xlsx"
    response = client.post(_upload_url(ds), {"file": big})
    assert response.status_code == 422
    assert "50,0\xa0MB; el límite es de 5 MB." in response.content.decode()
    assert not Submission.objects.exists() and not Value.objects.exists()


def test_a_good_upload_redirects_to_the_report(ds, gt, focal_gt, client_as):
    client = client_as(focal_gt)
    upload = io.BytesIO(helpers.filled_template(ds, gt))
    upload.name = "gt.xlsx"
    response = client.post(_upload_url(ds), {"file": upload})
    assert response.status_code == 302
    assert response["Location"] == reverse("reporting:submission_detail", args=[ds.code, "GT"])
    assert Value.objects.count() == len(helpers.GOOD)


def test_the_template_download_is_the_countrys(ds, gt, focal_gt, client_as):
    response = client_as(focal_gt).get(reverse("reporting:template", args=[ds.code, "GT"]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="corett-GTM-2025-S1.xlsx"'
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    meta = {row[0]: row[1] for row in workbook[META_SHEET].iter_rows(values_only=True)}
    assert meta["country"] == "GT"
