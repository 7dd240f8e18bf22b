"""The exporter base (CSV and XLSX, formula injection) and the directory's scoped, audited exports."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone, translation

from corett.audit.models import AuditEntry
from corett.directory.models import Visibility
from corett.lib.exports import Exporter, neutralise_formula
from corett.testing.factories import OrganisationFactory, PersonFactory

DANGEROUS = ["=1+2", "+502 2222 0000", "-2+3", "@SUM(A1:A2)", "\t=cmd", "\r=cmd"]


class Sample(Exporter):
    name = "sample"
    title = "Sample: [test]"
    columns = ["Text", "Number", "Day", "Flag", "Nothing"]

    def __init__(self, rows):
        self._rows = rows

    def rows(self):
        yield from self._rows


def _csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads the file as UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def _xlsx_sheet(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content)).active


class TestExporterBase:
    def test_csv_neutralises_formulas_with_a_leading_apostrophe(self):
        result = Sample([[text, 1, None, False, None] for text in [*DANGEROUS, "Guatemala"]]).export("csv")
        rows = _csv_rows(result.content)
        assert rows[0] == ["Text", "Number", "Day", "Flag", "Nothing"]
        assert [row[0] for row in rows[1:]] == [*("'" + text for text in DANGEROUS), "Guatemala"]
        assert result.rows == len(DANGEROUS) + 1

    def test_csv_writes_numbers_dates_and_booleans_plainly(self):
        with translation.override("en"):
            rows = _csv_rows(Sample([["Ana", -5, dt.date(2024, 3, 1), True, None]]).export("csv").content)
        # A negative number is a number, not an injected formula: left as it is.
        assert rows[1] == ["Ana", "-5", "2024-03-01", "Yes", ""]

    def test_xlsx_writes_no_formula_and_keeps_the_text_intact(self):
        with translation.override("en"):
            result = Sample([[text, 7, dt.date(2024, 3, 1), False, None] for text in DANGEROUS]).export("xlsx")
        sheet = _xlsx_sheet(result.content)
        cells = [row[0] for row in sheet.iter_rows(min_row=2)]
        # (XML reads a carriage return back as a line feed.)
        assert [cell.value for cell in cells] == [text.replace("\r", "\n") for text in DANGEROUS]
        for cell in cells:
            assert cell.data_type == "s", cell.value
            assert cell.quotePrefix, cell.value
        assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)
        second = next(sheet.iter_rows(min_row=2, max_row=2, values_only=True))
        # openpyxl reads a date cell back as a (naive) datetime at midnight.
        assert second[1] == 7 and second[2].date() == dt.date(2024, 3, 1)
        assert second[3:] == ("No", None)
        assert sheet.title == "Sample   test "

    def test_xlsx_drops_control_characters_that_would_corrupt_the_file(self):
        sheet = _xlsx_sheet(Sample([["bad\x00\x07name", 1, None, True, None]]).export("xlsx").content)
        assert sheet.cell(row=2, column=1).value == "badname"

    def test_xlsx_writes_aware_datetimes_in_local_time(self, settings):
        moment = dt.datetime(2024, 3, 1, 18, 0, tzinfo=dt.UTC)
        sheet = _xlsx_sheet(Sample([["x", 1, moment, True, None]]).export("xlsx").content)
        assert sheet.cell(row=2, column=3).value == timezone.localtime(moment).replace(tzinfo=None)

    def test_the_download_is_an_attachment_named_with_the_date(self):
        response = Sample([]).export("csv").as_response()
        today = timezone.localdate().isoformat()
        assert response["Content-Disposition"] == f'attachment; filename="corett-sample-{today}.csv"'
        assert response["Content-Type"].startswith("text/csv")
        assert "no-store" in response["Cache-Control"]

    def test_it_refuses_an_unknown_format(self):
        with pytest.raises(ValueError):
            Sample([]).export("pdf")

    def test_neutralise_formula_leaves_ordinary_text_alone(self):
        assert neutralise_formula("Comisión = CONATT") == "Comisión = CONATT"
        assert neutralise_formula("=HYPERLINK()") == "'=HYPERLINK()"


@pytest.mark.django_db
class TestDirectoryExports:
    @pytest.fixture
    def people(self, gt, hn):
        gt_org = OrganisationFactory.create(country=gt, name="SVET")
        hn_org = OrganisationFactory.create(country=hn, name="CICESCT")
        return {
            "gt_private": PersonFactory.create(organisation=gt_org, full_name="Privada GT", visibility=Visibility.COUNTRY),
            "gt_public": PersonFactory.create(organisation=gt_org, full_name="Pública GT", visibility=Visibility.COALITION),
            "hn_private": PersonFactory.create(organisation=hn_org, full_name="Privada HN", visibility=Visibility.COUNTRY),
        }

    def _names(self, response, fmt: str = "csv") -> set[str]:
        assert response.status_code == 200
        if fmt == "csv":
            return {row[0] for row in _csv_rows(response.content)[1:]}
        sheet = _xlsx_sheet(response.content)
        return {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}

    @pytest.mark.parametrize("fmt", ["csv", "xlsx"])
    def test_a_focal_point_exports_only_the_people_they_may_see(self, fmt, client_as, focal_hn, people):
        url = reverse("directory:export", kwargs={"kind": "people", "fmt": fmt})
        assert self._names(client_as(focal_hn).get(url), fmt) == {"Pública GT", "Privada HN"}

    def test_the_export_applies_the_lists_filters_and_ignores_the_page(self, client_as, secretariat_user, people):
        url = reverse("directory:export", kwargs={"kind": "people", "fmt": "csv"})
        client = client_as(secretariat_user)
        assert self._names(client.get(url)) == {"Privada GT", "Pública GT", "Privada HN"}
        assert self._names(client.get(url, {"country": "GT", "page": 9})) == {"Privada GT", "Pública GT"}
        assert self._names(client.get(url, {"q": "Privada"})) == {"Privada GT", "Privada HN"}

    def test_the_export_is_audited_with_its_kind_format_and_row_count(self, client_as, focal_hn, people):
        url = reverse("directory:export", kwargs={"kind": "people", "fmt": "xlsx"})
        response = client_as(focal_hn).get(url, {"country": "HN"})
        assert response["Content-Disposition"].startswith('attachment; filename="corett-people-')
        entry = AuditEntry.objects.get(action="directory.export")
        assert entry.actor_id == focal_hn.pk
        assert entry.extra == {"kind": "people", "format": "xlsx", "rows": 1}

    def test_organisations_export_neutralises_an_injected_name(self, client_as, focal_gt, gt):
        OrganisationFactory.create(country=gt, name='=HYPERLINK("http://evil.example","clic")', email="a@b.org")
        url = reverse("directory:export", kwargs={"kind": "organisations", "fmt": "csv"})
        rows = _csv_rows(client_as(focal_gt).get(url).content)
        names = [row[0] for row in rows[1:]]
        assert "'=HYPERLINK(\"http://evil.example\",\"clic\")" in names
        xlsx = client_as(focal_gt).get(url.replace(".csv", ".xlsx"))
        sheet = _xlsx_sheet(xlsx.content)
        assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)

    def test_organisations_export_follows_the_filters(self, client_as, presidency_user, gt, hn):
        OrganisationFactory.create(country=gt, name="Solo GT")
        OrganisationFactory.create(country=hn, name="Solo HN")
        url = reverse("directory:export", kwargs={"kind": "organisations", "fmt": "csv"})
        assert "Solo HN" not in self._names(client_as(presidency_user).get(url, {"country": "GT"}))

    @pytest.mark.parametrize(
        "fixture", ["caseworker_gt", "supervisor_gt", "trainer_gt", "observer_user", "partner_user"]
    )
    def test_roles_without_the_export_permission_are_refused(self, fixture, request, client_as, people):
        user = request.getfixturevalue(fixture)
        for kind in ("people", "organisations"):
            url = reverse("directory:export", kwargs={"kind": kind, "fmt": "csv"})
            assert client_as(user).get(url).status_code == 403
        assert not AuditEntry.objects.filter(action="directory.export").exists()
        assert AuditEntry.objects.filter(action="access.denied", extra__permission="directory.export").exists()
