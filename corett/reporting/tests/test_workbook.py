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
from corett.reporting.workbook import (
    COUNTRY_SHEET,
    DATA_SHEET,
    FIRST_ROW,
    FORMAT,
    LIST_SHEET,
    META_SHEET,
    build_template,
)


@pytest.fixture
def ds(db):
    return helpers.data_set()


def test_the_template_has_locked_labels_drop_downs_and_bilingual_instructions(ds, gt):
    workbook = load_workbook(io.BytesIO(build_template(data_set=ds, country=gt)))
    assert workbook.sheetnames == ["Instrucciones", DATA_SHEET, COUNTRY_SHEET, LIST_SHEET, META_SHEET]
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
    assert findings == ["The workbook has no sheet named 'Datos' (its sheets: 'Instrucciones', 'Data', 'Países'). "
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


# --- The breakdowns by citizenship and by country of repatriation ---------------------------------

CITIZENSHIP = "detected_victims.citizenship"
REPATRIATION = "victims_repatriated.repatriation"
WITH_REPATRIATION = ["detected_victims", "victims_repatriated", "offences"]
REPATRIATED = {"victims_repatriated.total.total": 9, "victims_repatriated.sex.female": 9,
               "victims_repatriated.sex.male": 0, "victims_repatriated.sex.other": 0,
               "victims_repatriated.sex.unknown": 0, "victims_repatriated.age.0-17": 4,
               "victims_repatriated.age.18+": 5, "victims_repatriated.age.unknown": 0}


def test_the_template_has_a_sheet_of_countries_with_a_drop_down_and_the_total_beside_the_sum(gt):
    ds = helpers.data_set(indicators=WITH_REPATRIATION)
    workbook = load_workbook(io.BytesIO(build_template(data_set=ds, country=gt)))
    sheet = workbook[COUNTRY_SHEET]
    assert workbook[LIST_SHEET].sheet_state == "veryHidden" and sheet.protection.sheet is True
    assert workbook[LIST_SHEET]["A4"].value == "GTM · Guatemala"
    citizenship, repatriation = helpers.country_rows(sheet, CITIZENSHIP), helpers.country_rows(sheet, REPATRIATION)
    assert len(citizenship) == len(repatriation) == 40
    heading = citizenship[0] - 1
    assert sheet[f"A{heading}"].value == ("Víctimas detectadas, por ciudadanía / Detected victims, by citizenship")
    assert sheet[f"A{citizenship[0]}"].protection.locked is False and sheet[f"B{citizenship[0]}"].protection.locked is False
    assert sheet[f"A{heading}"].protection.locked is True and sheet.column_dimensions["C"].hidden
    picker = next(v for v in sheet.data_validations.dataValidation if v.type == "list")
    assert picker.formula1 == f"'{LIST_SHEET}'!$A$1:$A$36" and picker.errorStyle == "warning"
    assert f"A{citizenship[0]}:A{citizenship[-1]}" in str(picker.sqref)
    assert sheet[f"B{citizenship[-1] + 1}"].value == f"=SUM(B{citizenship[0]}:B{citizenship[-1]})"
    assert sheet[f"B{citizenship[-1] + 2}"].value == f"='Datos'!C{helpers.row_of(ds, 'detected_victims.total.total')}"
    text = "\n".join(str(c.value) for c in workbook["Instrucciones"]["A"] if c.value)
    assert "6. En la hoja 'Países'" in text and "6. In the sheet 'Países'" in text


def test_a_data_set_without_victims_has_no_sheet_of_countries(gt):
    ds = helpers.data_set(indicators=["offences", "persons_convicted"])
    workbook = load_workbook(io.BytesIO(build_template(data_set=ds, country=gt)))
    assert COUNTRY_SHEET not in workbook.sheetnames and LIST_SHEET not in workbook.sheetnames


def test_citizenships_and_countries_of_repatriation_are_read_from_labels_and_stored_as_iso_codes(gt, focal_gt):
    ds = helpers.data_set(indicators=WITH_REPATRIATION)
    values = dict(helpers.GOOD, **REPATRIATED)
    content = helpers.filled_template(ds, gt, values, countries={
        CITIZENSHIP: [("guatemalteca", 20), ("Honduras ", 8), ("RepÃºblica Dominicana", 2), ("HND · Honduras", None),
                      ("SLV · El Salvador", 6), ("XXX · Sin especificar / Unspecified", 4)],
        REPATRIATION: [("hn", 5), ("Salvadoreña", 4)],
    })
    # A row with a country and no count is refused (never dropped): here it is the duplicate HND
    # row, so it is cleared first to show the good file.
    with pytest.raises(services.ReportRejected) as caught:
        services.submission_import(actor=focal_gt, submission=Submission(data_set=ds, country=gt),
                                   content=content, file_name="gt.xlsx")
    assert [f.code for f in caught.value.findings] == ["duplicate_country"]
    assert not Value.objects.exists()

    content = helpers.filled_template(ds, gt, values, countries={
        CITIZENSHIP: [("guatemalteca", 20), ("Honduras ", 8), ("RepÃºblica Dominicana", 2),
                      ("SLV · El Salvador", 6), ("XXX · Sin especificar / Unspecified", 4)],
        REPATRIATION: [("hn", 5), ("Salvadoreña", 4)],
    })
    result = services.submission_import(actor=focal_gt, submission=Submission(data_set=ds, country=gt),
                                        content=content, file_name="gt.xlsx")
    stored = dict(Value.objects.filter(submission=result.submission).values_list("element", "value"))
    assert {k: v for k, v in stored.items() if ".citizenship." in k or ".repatriation." in k} == {
        "detected_victims.citizenship.GTM": 20, "detected_victims.citizenship.HND": 8,
        "detected_victims.citizenship.DOM": 2, "detected_victims.citizenship.SLV": 6,
        "detected_victims.citizenship.XXX": 4,
        "victims_repatriated.repatriation.HND": 5, "victims_repatriated.repatriation.SLV": 4,
    }
    assert result.warnings == []
    countries_read = [row for row in result.rows if row.sheet == COUNTRY_SHEET]
    with translation.override("en"):
        assert countries_read[0].breakdown_label == "By citizenship: Guatemala (GTM) ← “guatemalteca”"


def _country_findings(ds, gt, focal_gt, countries, values=None):
    content = helpers.filled_template(ds, gt, values, countries=countries)
    return _refused(ds, gt, focal_gt, content), load_workbook(io.BytesIO(content))[COUNTRY_SHEET]


def test_unknown_countries_bad_counts_and_a_missing_country_are_named_by_cell_and_nothing_is_stored(ds, gt, focal_gt):
    findings, sheet = _country_findings(ds, gt, focal_gt, {CITIZENSHIP: [
        ("Atlantis", 3), ("ZZZ", 1), ("Honduras", -2), ("Guatemala", "doce"), (None, 4), ("Belice", None),
        ("Panamá", 2.5),
    ]})
    a = helpers.country_rows(sheet, CITIZENSHIP)
    assert findings == [
        f"Sheet 'Países', A{a[0]}: “Atlantis” is not a country the platform recognises: choose one from the list, "
        "or write its ISO alpha-3 code (e.g. GTM; XXX when the country is not known).",
        f"Sheet 'Países', A{a[1]}: “ZZZ” is not a country the platform recognises: choose one from the list, "
        "or write its ISO alpha-3 code (e.g. GTM; XXX when the country is not known).",
        f"Sheet 'Países', B{a[2]}: A count cannot be negative (-2).",
        f"Sheet 'Países', B{a[3]}: “doce” is not a number: write a whole number, or leave the cell empty.",
        f"Sheet 'Países', A{a[4]}: 4 victims, but no country: choose the country, or clear the count.",
        f"Sheet 'Países', B{a[5]}: Belize (BLZ) has no count: give the number of victims, or clear the row.",
        f"Sheet 'Países', B{a[6]}: 2.5 is not a whole number: counts are whole numbers.",
    ]


def test_citizenships_adding_up_to_more_than_the_total_are_refused_at_the_total(ds, gt, focal_gt):
    findings, _sheet = _country_findings(ds, gt, focal_gt, {CITIZENSHIP: [("GTM", 30), ("HND", 11)]})
    total = helpers.row_of(ds, "detected_victims.total.total")
    assert findings == [f"Sheet 'Datos', C{total}: The total is 40, but the countries listed by citizenship add up "
                        "to 41: they cannot add up to more than the total."]
    with translation.override("es"):
        content = helpers.filled_template(ds, gt, countries={CITIZENSHIP: [("GTM", 30), ("HND", 11)]})
        with pytest.raises(services.ReportRejected) as caught:
            services.submission_import(actor=focal_gt, submission=Submission(data_set=ds, country=gt),
                                       content=content, file_name="x.xlsx")
        assert str(caught.value.findings[0]) == (
            f"Hoja 'Datos', C{total}: El total es 40, pero los países indicados por ciudadanía suman 41: no "
            "pueden sumar más que el total."
        )


def test_with_unspecified_listed_the_citizenships_must_add_up_to_the_total(ds, gt, focal_gt):
    findings, _sheet = _country_findings(ds, gt, focal_gt, {CITIZENSHIP: [("GTM", 30), ("Desconocida", 5)]})
    assert len(findings) == 1 and "With “unspecified” (XXX) among them the list is complete" in findings[0]


def test_an_incomplete_list_of_citizenships_is_stored_with_a_warning_for_the_reviewer(ds, gt, focal_gt):
    content = helpers.filled_template(ds, gt, countries={CITIZENSHIP: [("GTM", 30), ("HND", 5)]})
    result = services.submission_import(actor=focal_gt, submission=Submission(data_set=ds, country=gt),
                                        content=content, file_name="gt.xlsx")
    assert [w.code for w in result.warnings] == ["countries_incomplete"]
    assert str(result.warnings[0]).endswith(
        "The countries listed by citizenship account for 35 of the total of 40: add the others, or “unspecified” "
        "(XXX) for those whose country is not known.")
    assert result.submission.warnings[0]["code"] == "countries_incomplete"


def test_a_changed_row_of_the_countries_sheet_is_refused(ds, gt, focal_gt):
    def tamper(workbook):
        sheet = workbook[COUNTRY_SHEET]
        sheet[f"C{helpers.country_rows(sheet, CITIZENSHIP)[0]}"] = "offences.total.total"

    findings = _refused(ds, gt, focal_gt, helpers.filled_template(ds, gt, edit=tamper))
    assert len(findings) == 1 and "This row of the template was changed or moved (offences.total.total)" in findings[0]


def test_a_template_without_the_countries_sheet_is_refused_but_one_made_before_it_existed_is_read(ds, gt, focal_gt):
    def drop(workbook):
        del workbook[COUNTRY_SHEET]

    findings = _refused(ds, gt, focal_gt, helpers.filled_template(ds, gt, edit=drop))
    assert findings[0].startswith("The workbook has no sheet named 'Países'")

    def older(workbook):
        drop(workbook)
        meta = workbook[META_SHEET]
        assert meta["B1"].value == FORMAT
        meta["B1"] = "corett-reporting/1"

    result = services.submission_import(actor=focal_gt, submission=Submission(data_set=ds, country=gt),
                                        content=helpers.filled_template(ds, gt, edit=older), file_name="old.xlsx")
    assert result.stored == len(helpers.GOOD)


def test_the_upload_page_reports_the_countries_sheet_row_by_row(ds, gt, focal_gt, client_as):
    content = helpers.filled_template(ds, gt, countries={CITIZENSHIP: [("guatemalteca", 30), ("Atlantis", 5)]})
    upload = io.BytesIO(content)
    upload.name = "gt.xlsx"
    response = client_as(focal_gt).post(reverse("reporting:upload", args=[ds.code, "GT"]), {"file": upload},
                                        HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    page = response.content.decode()
    assert "Guatemala (GTM) ← “guatemalteca”" in page
    assert "“Atlantis” is not a country the platform recognises" in page
    assert not Value.objects.exists()


def test_a_country_listed_twice_is_refused_naming_both_cells(ds, gt, focal_gt):
    findings, sheet = _country_findings(ds, gt, focal_gt, {CITIZENSHIP: [("GTM · Guatemala", 20), ("guatemalteca", 5)]})
    a = helpers.country_rows(sheet, CITIZENSHIP)
    assert findings == [f"Sheet 'Países', A{a[1]}: Guatemala (GTM) is listed twice (also at A{a[0]}): give each "
                        "country one row."]
