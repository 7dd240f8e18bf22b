"""A case's documents: attachments (sealed at rest, checked by content, downloaded only through
the policy), the case file (PDF) and the password-protected exports (AES-256 PDF, AES-256 zip
holding the pseudonymised CSV)."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from typing import Any

import pytest
import pyzipper
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import formats, translation
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.errors import FileNotDecryptedError
from pypdf.generic import DictionaryObject

from corett.accounts.roles import Role
from corett.audit.models import AuditEntry
from corett.cases import exports, services
from corett.cases.documents import BoundedMemoryUploadHandler
from corett.cases.models import Attachment, Case, Stage
from corett.cases.tests.views_support import english
from corett.testing import factories
from corett.testing.cases import CaseActors, case_actors, case_in_stage, raw_rows

pytestmark = pytest.mark.django_db

CANARY_GIVEN = "Quetzalcanarydoc"
CANARY_FAMILY = "Zopilotecanarydoc"
CANARY_FILE = "pasaporte-Quetzalcanarydoc.pdf"
PASSWORD = "lluvia de marzo 2026"


# --- Files ------------------------------------------------------------------------------------------


def pdf_bytes(marker: str = "informe") -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Title": marker})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return buffer.getvalue()


def docx_bytes(*, macros: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        if macros:
            archive.writestr("word/vbaProject.bin", b"\x00" * 32)
    return buffer.getvalue()


ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200


def upload(name: str, content: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


# --- The world --------------------------------------------------------------------------------------


@pytest.fixture
def actors(db) -> CaseActors:
    return case_actors("GT", "HN")


@pytest.fixture
def case(actors) -> Case:
    """A Honduran child identified in Guatemala, not shared with Honduras."""
    return case_in_stage(Stage.IDENTIFIED, data={"given_name": CANARY_GIVEN, "family_name": CANARY_FAMILY})


@pytest.fixture
def shared_case(actors) -> Case:
    """A case formally requested to Honduras: both countries see it."""
    return case_in_stage(
        Stage.REQUESTED_TO_ORIGIN, data={"given_name": CANARY_GIVEN, "family_name": CANARY_FAMILY}
    )


@pytest.fixture
def attachment(case, actors) -> Attachment:
    return services.attachment_add(
        actor=actors.worker, case=case, filename=CANARY_FILE, content=pdf_bytes(), description="Pasaporte"
    )


def _url(name: str, case: Case, *args: Any) -> str:
    return reverse(name, args=[case.code, *args])


def _post_file(client: Client, case: Case, file: SimpleUploadedFile, description: str = "Informe") -> Any:
    return client.post(_url("cases:attachment_add", case), {"file": file, "description": description})


def _audit_text() -> str:
    rows = AuditEntry.objects.values("action", "object_id", "changed_fields", "extra", "actor_username")
    return json.dumps(list(rows), default=str, ensure_ascii=False)


# --- Upload and download ------------------------------------------------------------------------------


class TestAttachments:
    def test_a_pdf_goes_up_sealed_and_comes_back_the_same(self, client_as, actors, shared_case):
        content = pdf_bytes("informe médico")
        response = _post_file(client_as(actors.worker), shared_case, upload(CANARY_FILE, content))
        assert response.status_code == 302
        assert response["Location"].endswith("#documents")
        attachment = Attachment.objects.get()
        assert (attachment.content_type, attachment.size, attachment.description) == (
            "application/pdf", len(content), "Informe"
        )
        # The country of origin downloads it too, once the case is shared with it.
        response = client_as(actors.origin_worker).get(_url("cases:attachment_download", shared_case, attachment.pk))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == content
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == f'attachment; filename="{CANARY_FILE}"'
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]

    def test_the_database_holds_the_file_and_its_name_sealed(self, attachment):
        content = pdf_bytes()
        (row,) = raw_rows(Attachment).values()
        assert row["content"] is not None and row["content"] != content
        assert content[:32] not in row["content"] and b"%PDF" not in row["content"]
        assert row["filename"] is not None and b"Quetzalcanarydoc" not in row["filename"]
        assert b"pasaporte" not in row["filename"]
        # ...and opens to the same bytes.
        assert Attachment.objects.get().content == content

    @pytest.mark.parametrize(
        ("name", "content"),
        [
            ("informe.pdf", ELF),  # a program named like a document
            ("informe.pdf", b"Just some text pretending to be a PDF.\n" * 10),
            ("informe.pdf", b"MZ\x90\x00" + b"\x00" * 200),  # a Windows executable
            ("informe.docx", b"PK\x03\x04" + b"\x00" * 200),  # a zip that is no document
        ],
    )
    def test_a_file_that_is_not_an_accepted_type_is_refused_by_its_content(
        self, client_as, actors, case, name, content
    ):
        response = _post_file(english(client_as(actors.worker)), case, upload(name, content))
        assert response.status_code == 400
        errors = response.context["form"].errors["file"]
        assert any("not accepted" in e for e in errors)
        assert 'id="id_attachment_file_error"' in response.content.decode()
        assert not Attachment.objects.exists()
        assert not AuditEntry.objects.filter(action="cases.attachment.add").exists()

    def test_an_image_named_like_a_pdf_is_refused_for_its_name(self, client_as, actors, case):
        response = _post_file(english(client_as(actors.worker)), case, upload("foto.pdf", png_bytes(), "image/png"))
        assert response.status_code == 400
        (error,) = response.context["form"].errors["file"]
        assert "“.pdf”" in error and "PNG image" in error
        assert not Attachment.objects.exists()

    def test_a_name_without_extension_gets_the_one_of_its_content(self, actors, case):
        attachment = services.attachment_add(actor=actors.worker, case=case, filename="../../escaneo", content=png_bytes())
        assert attachment.filename == "escaneo.png"
        assert attachment.content_type == "image/png"

    def test_a_word_document_is_accepted_but_not_with_macros(self, client_as, actors, case):
        client = english(client_as(actors.worker))
        docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        assert _post_file(client, case, upload("informe.docx", docx_bytes(), docx)).status_code == 302
        response = _post_file(client, case, upload("informe.docx", docx_bytes(macros=True), docx))
        assert response.status_code == 400
        assert any("macros" in e for e in response.context["form"].errors["file"])
        assert Attachment.objects.get().content_type == docx

    def test_an_oversized_file_is_refused_by_its_size(self, client_as, actors, case, settings):
        settings.CASE_ATTACHMENT_MAX_MB = 1
        big = pdf_bytes() + b"\x00" * (1024 * 1024)
        response = _post_file(english(client_as(actors.worker)), case, upload("grande.pdf", big))
        assert response.status_code == 400
        (error,) = response.context["form"].errors["file"]
        assert "the limit is 1 MB" in error
        assert not Attachment.objects.exists()
        # The service holds the same line for any other way in.
        with pytest.raises(Exception, match="larger than 1 MB"):
            services.attachment_add(actor=actors.worker, case=case, filename="grande.pdf", content=big)

    def test_the_upload_handler_drops_a_file_past_the_limit_instead_of_keeping_it(self, rf):
        handler = BoundedMemoryUploadHandler(rf.post("/"), limit=10)
        handler.new_file("file", "a.pdf", "application/pdf", None)
        for chunk in (b"%PDF-1.7", b"0123456789", b"more"):
            assert handler.receive_data_chunk(chunk, 0) is None
        dropped = handler.file_complete(22)
        assert dropped.size == 22 and dropped.read() == b""
        # A small file of the same request is kept whole.
        handler.new_file("other", "b.pdf", "application/pdf", None)
        handler.receive_data_chunk(b"%PDF-1", 0)
        kept = handler.file_complete(6)
        assert kept.read() == b"%PDF-1"

    def test_an_empty_file_is_refused(self, client_as, actors, case):
        response = _post_file(client_as(actors.worker), case, upload("vacio.pdf", b""))
        assert response.status_code == 400
        assert response.context["form"].errors["file"]
        assert not Attachment.objects.exists()

    def test_the_upload_still_checks_the_csrf_token(self, login, actors, case):
        client = login(Client(enforce_csrf_checks=True), actors.worker)
        response = _post_file(client, case, upload("informe.pdf", pdf_bytes()))
        assert response.status_code == 403
        assert not Attachment.objects.exists()

    def test_the_upload_page_shows_the_form(self, client_as, actors, case):
        response = client_as(actors.worker).get(_url("cases:attachment_add", case))
        assert response.status_code == 200
        assert 'enctype="multipart/form-data"' in response.content.decode()

    def test_the_download_is_audited_without_the_file_name(self, client_as, actors, attachment):
        case = attachment.case
        client_as(actors.supervisor).get(_url("cases:attachment_download", case, attachment.pk))
        entry = AuditEntry.objects.get(action="cases.attachment.download")
        assert entry.actor_id == actors.supervisor.pk
        assert entry.object_id == str(case.pk)
        assert entry.extra["attachment"] == attachment.pk
        assert "canarydoc" not in _audit_text().lower()

    def test_removing_deactivates_it_and_is_audited(self, client_as, actors, attachment):
        case = attachment.case
        client = client_as(actors.worker)
        response = client.post(_url("cases:attachment_remove", case, attachment.pk))
        assert response.status_code == 302
        attachment.refresh_from_db()
        assert attachment.deactivated_at is not None
        assert Attachment.objects.filter(pk=attachment.pk).exists()  # deactivated, not deleted
        assert AuditEntry.objects.filter(action="cases.attachment.remove").count() == 1
        assert client.get(_url("cases:attachment_download", case, attachment.pk)).status_code == 404
        # A second removal changes nothing.
        assert client.post(_url("cases:attachment_remove", case, attachment.pk)).status_code == 302
        assert AuditEntry.objects.filter(action="cases.attachment.remove").count() == 1

    def test_the_origin_downloads_but_neither_adds_nor_removes(self, client_as, actors, shared_case):
        attachment = services.attachment_add(actor=actors.worker, case=shared_case, filename="a.pdf", content=pdf_bytes())
        client = client_as(actors.origin_worker)
        assert client.get(_url("cases:attachment_download", shared_case, attachment.pk)).status_code == 200
        assert _post_file(client, shared_case, upload("b.pdf", pdf_bytes())).status_code == 403
        assert client.post(_url("cases:attachment_remove", shared_case, attachment.pk)).status_code == 403
        assert Attachment.objects.active().count() == 1

    def test_the_documents_section_lists_the_documents_to_both_sides(self, client_as, actors, shared_case):
        services.attachment_add(
            actor=actors.worker, case=shared_case, filename=CANARY_FILE, content=pdf_bytes(), description="Pasaporte"
        )
        owner = client_as(actors.worker).get(reverse("cases:documents", args=[shared_case.code])).content.decode()
        assert CANARY_FILE in owner and 'action="' + _url("cases:attachment_add", shared_case) in owner
        assert reverse("cases:case_file", args=[shared_case.code]) in owner
        origin = client_as(actors.origin_worker).get(reverse("cases:documents", args=[shared_case.code])).content.decode()
        assert CANARY_FILE in origin
        assert 'action="' + _url("cases:attachment_add", shared_case) not in origin  # no upload form
        assert reverse("cases:export") not in origin
        supervisor = client_as(actors.supervisor).get(reverse("cases:documents", args=[shared_case.code])).content.decode()
        assert f'{reverse("cases:export")}?case={shared_case.code}' in supervisor


def test_the_retention_purge_erases_the_sealed_files(client_as, actors):
    case = case_in_stage(Stage.CANCELLED)
    attachment = services.attachment_add(actor=actors.worker, case=case, filename=CANARY_FILE, content=pdf_bytes())
    services.case_purge_identity(case=case)
    assert raw_rows(Attachment)[attachment.pk] == {"filename": None, "content": None}
    assert Attachment.objects.filter(pk=attachment.pk).exists()  # the record stays: type, size, dates
    response = client_as(actors.worker).get(_url("cases:attachment_download", case, attachment.pk))
    assert response.status_code == 404


@pytest.mark.parametrize(
    "who",
    [
        ("case worker of another country", Role.CASE_WORKER, "SV"),
        ("case supervisor of another country", Role.CASE_SUPERVISOR, "SV"),
        ("origin case worker before the request", Role.CASE_WORKER, "HN"),
        ("origin supervisor before the request", Role.CASE_SUPERVISOR, "HN"),
        ("focal point of the destination", Role.FOCAL_POINT, "GT"),
        ("administrator", Role.ADMIN, None),
        ("secretariat", Role.SECRETARIAT, None),
        ("observer", Role.OBSERVER, None),
        ("trainer of the destination", Role.TRAINER, "GT"),
    ],
    ids=lambda who: who[0],
)
def test_anyone_else_gets_404_on_every_document_url(who, client_as, actors, attachment):
    _label, role, iso2 = who
    client = client_as(factories.user_with(role, iso2))
    case = attachment.case
    for method, url in (
        ("get", _url("cases:attachment_add", case)),
        ("post", _url("cases:attachment_add", case)),
        ("get", _url("cases:attachment_download", case, attachment.pk)),
        ("post", _url("cases:attachment_remove", case, attachment.pk)),
        ("get", _url("cases:case_file", case)),
    ):
        response = getattr(client, method)(url)
        assert response.status_code == 404, (method, url)
        assert b"canarydoc" not in response.content.lower()
    assert Attachment.objects.get().deactivated_at is None


def test_the_funding_partner_gets_404_on_every_document_url(client_as, actors, attachment):
    client = client_as(actors.partner)
    case = attachment.case
    assert client.get(_url("cases:attachment_download", case, attachment.pk)).status_code == 404
    assert client.get(_url("cases:case_file", case)).status_code == 404
    assert client.post(_url("cases:attachment_add", case)).status_code == 404


def test_a_tampered_code_or_an_attachment_of_another_case_is_a_404(client_as, actors, attachment):
    other = case_in_stage(Stage.IDENTIFIED)
    client = client_as(actors.worker)
    tampered = attachment.case.code[:-1] + ("2" if attachment.case.code[-1] != "2" else "3")
    assert client.get(reverse("cases:attachment_download", args=[tampered, attachment.pk])).status_code == 404
    assert client.get(_url("cases:attachment_download", other, attachment.pk)).status_code == 404
    assert client.get(reverse("cases:case_file", args=[tampered])).status_code == 404


# --- The case file ----------------------------------------------------------------------------------


def _pdf_text(content: bytes, password: str | None = None) -> str:
    reader = PdfReader(io.BytesIO(content))
    if password is not None:
        assert reader.decrypt(password)
    return "\n".join(page.extract_text() for page in reader.pages)


class TestCaseFile:
    def test_it_is_a_pdf_with_the_code_and_the_identity_and_is_audited(self, client_as, actors, attachment):
        case = attachment.case
        response = english(client_as(actors.worker)).get(_url("cases:case_file", case))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith(f'attachment; filename="corett-{case.code}-')
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in response["Cache-Control"]
        assert response.content.startswith(b"%PDF-")
        text = _pdf_text(response.content)
        assert case.code in text and "CONFIDENTIAL" in text
        assert CANARY_GIVEN in text and CANARY_FAMILY in text
        assert CANARY_FILE in text  # the documents are listed
        assert "Page 1 of" in text
        entry = AuditEntry.objects.get(action="cases.case_file")
        assert (entry.actor_id, entry.object_id, entry.extra) == (actors.worker.pk, str(case.pk), {"identity": True})

    def test_the_country_of_origin_reads_it_once_the_case_is_shared(self, client_as, actors, shared_case):
        response = english(client_as(actors.origin_worker)).get(_url("cases:case_file", shared_case))
        assert response.status_code == 200
        text = _pdf_text(response.content)
        assert shared_case.code in text and CANARY_FAMILY in text
        assert "Send the formal request" in text  # the protocol history

    @pytest.mark.parametrize("language", ["es", "en"])
    def test_it_speaks_the_users_language(self, client_as, actors, case, settings, language):
        client = client_as(actors.worker)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        text = _pdf_text(client.get(_url("cases:case_file", case)).content)
        with translation.override(language):
            identified = formats.date_format(case.identified_on, "DATE_FORMAT")
        assert identified in text.replace("\n", " ")


# --- Password-protected exports ------------------------------------------------------------------


def _export(client: Client, **data: Any) -> Any:
    return client.post(reverse("cases:export"), {"password": PASSWORD, **data})


class TestExports:
    def test_the_case_file_export_opens_only_with_its_password(self, client_as, actors, case):
        response = _export(english(client_as(actors.supervisor)), format="pdf", case=case.code)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert "no-store" in response["Cache-Control"]
        content = response.content
        reader = PdfReader(io.BytesIO(content))
        assert reader.is_encrypted
        with pytest.raises(FileNotDecryptedError):
            reader.pages[0].extract_text()
        assert not PdfReader(io.BytesIO(content)).decrypt("not the password")
        assert CANARY_GIVEN.encode() not in content and case.code.encode() not in content
        text = _pdf_text(content, PASSWORD)
        assert case.code in text and CANARY_GIVEN in text
        # AES-256: the standard security handler, revision 6.
        encrypt = reader.trailer["/Encrypt"].get_object()
        assert isinstance(encrypt, DictionaryObject)
        assert (encrypt["/V"], encrypt["/R"]) == (5, 6)

    def test_the_csv_export_is_an_aes_zip_with_no_identity(self, client_as, actors, case, shared_case):
        # A case Honduras owns: never in Guatemala's export.
        hn_case = case_in_stage(Stage.IDENTIFIED, destination="HN", origin="GT")
        response = _export(english(client_as(actors.supervisor)), format="csv")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/zip"
        assert response["Content-Disposition"].startswith('attachment; filename="corett-cases-pseudonymised-')
        content = response.content
        (name,) = zipfile.ZipFile(io.BytesIO(content)).namelist()
        assert name.endswith(".csv")
        # Without the password, nothing opens it.
        with pytest.raises(RuntimeError, match="password required"):
            zipfile.ZipFile(io.BytesIO(content)).read(name)
        # Not the old, weak ZipCrypto: the standard library does not even know this method (AES).
        with pytest.raises(NotImplementedError):
            zipfile.ZipFile(io.BytesIO(content)).read(name, pwd=PASSWORD.encode())
        with pyzipper.AESZipFile(io.BytesIO(content)) as archive:
            with pytest.raises(RuntimeError):
                archive.read(name)
            archive.setpassword(b"not the password")
            with pytest.raises(RuntimeError):
                archive.read(name)
        with pyzipper.AESZipFile(io.BytesIO(content)) as archive:
            archive.setpassword(PASSWORD.encode())
            text = archive.read(name).decode("utf-8-sig")

        lowered = text.lower()
        for secret in (CANARY_GIVEN, CANARY_FAMILY, case.code, shared_case.code, hn_case.code):
            assert secret.lower() not in lowered, secret
        for case_row in (case, shared_case):
            assert case_row.birth_date is not None
            assert case_row.birth_date.isoformat() not in text
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0] == [
            "Pseudonym", "Year of identification", "Stage", "Destination country (ISO3)",
            "Country of origin (ISO3)", "Sex", "Child", "Age band at identification",
            "Forms of exploitation", "Risk level",
        ]
        by_pseudonym = {row[0]: row for row in rows[1:]}
        assert set(by_pseudonym) == {exports.pseudonym(case.code), exports.pseudonym(shared_case.code)}
        row = by_pseudonym[exports.pseudonym(shared_case.code)]
        assert row[1:] == [
            str(shared_case.identified_on.year), "requested_to_origin", "GTM", "HND", "female", "Yes", "12-17", "",
            shared_case.risk_level,
        ]
        entry = AuditEntry.objects.get(action="cases.export")
        assert entry.extra == {"kind": "pseudonymised_cases", "format": "csv", "rows": 2}

    def test_exports_are_audited_never_with_the_password(self, client_as, actors, case):
        client = client_as(actors.supervisor)
        _export(client, format="pdf", case=case.code)
        entry = AuditEntry.objects.get(action="cases.export")
        assert entry.object_id == str(case.pk)
        assert entry.extra == {"kind": "case_file", "format": "pdf", "rows": 1, "identity": True}
        assert PASSWORD not in _audit_text()

    def test_a_short_password_is_refused_at_the_field(self, client_as, actors, case):
        response = _export(english(client_as(actors.supervisor)), format="pdf", case=case.code, password="corto-x9")
        assert response.status_code == 400
        assert response.context["form"].errors["password"] == ["The password must have at least 12 characters."]
        assert "corto-x9" not in response.content.decode()  # never echoed back
        assert not AuditEntry.objects.filter(action="cases.export").exists()

    def test_the_case_file_needs_a_valid_case_code(self, client_as, actors, case):
        client = english(client_as(actors.supervisor))
        response = _export(client, format="pdf")
        assert response.status_code == 400 and response.context["form"].errors["case"]
        response = _export(client, format="pdf", case="RP-NOPE-NOPE1")
        assert response.status_code == 400 and response.context["form"].errors["case"]

    def test_the_export_page_offers_the_case_from_its_link(self, client_as, actors, case):
        response = client_as(actors.supervisor).get(reverse("cases:export"), {"case": case.code})
        assert response.status_code == 200
        assert response.context["form"].initial == {"case": case.code, "format": "pdf"}

    def test_case_workers_are_refused(self, client_as, actors, case):
        client = client_as(actors.worker)
        assert client.get(reverse("cases:export")).status_code == 403
        assert _export(client, format="pdf", case=case.code).status_code == 403
        assert _export(client, format="csv").status_code == 403
        assert not AuditEntry.objects.filter(action="cases.export").exists()
        assert AuditEntry.objects.filter(action="access.denied", extra__permission="cases.export").exists()

    def test_supervisors_of_the_origin_may_not_export_the_case(self, client_as, actors, shared_case):
        client = client_as(actors.origin_supervisor)
        assert client.get(reverse("cases:case_file", args=[shared_case.code])).status_code == 200  # they read it
        assert _export(client, format="pdf", case=shared_case.code).status_code == 403
        # Their own export holds their own country's cases only: not this one.
        response = _export(client, format="csv")
        assert response.status_code == 200
        with pyzipper.AESZipFile(io.BytesIO(response.content)) as archive:
            archive.setpassword(PASSWORD.encode())
            text = archive.read(archive.namelist()[0]).decode("utf-8-sig")
        assert len(list(csv.reader(io.StringIO(text)))) == 1  # the headings only

    def test_a_case_of_another_country_is_a_404(self, client_as, case):
        client = client_as(factories.user_with(Role.CASE_SUPERVISOR, "SV"))
        assert _export(client, format="pdf", case=case.code).status_code == 404

    @pytest.mark.parametrize("role", [Role.ADMIN, Role.SECRETARIAT, Role.OBSERVER, Role.PARTNER, Role.FOCAL_POINT])
    def test_roles_without_cases_are_refused(self, client_as, role, case):
        client = client_as(factories.user_with(role, "GT" if role == Role.FOCAL_POINT else None))
        assert client.get(reverse("cases:export")).status_code == 403
        assert _export(client, format="csv").status_code == 403


@pytest.mark.parametrize(
    ("age", "band"),
    [(None, ""), (0, "0-11"), (11, "0-11"), (12, "12-17"), (17, "12-17"), (18, "18-24"), (24, "18-24"),
     (25, "25-34"), (49, "35-49"), (50, "50+"), (97, "50+")],
)
def test_age_bands(age, band):
    assert exports.age_band(age) == band


def test_the_pseudonym_is_keyed_and_stable():
    assert exports.pseudonym("RP-2345-6789A") == exports.pseudonym("RP-2345-6789A")
    assert exports.pseudonym("RP-2345-6789A") != exports.pseudonym("RP-2345-6789B")
    assert "2345" not in exports.pseudonym("RP-2345-6789A")


# --- In a real browser ------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_document_pages_pass_axe(page, live_server):
    from axe_playwright_python.sync_playwright import Axe

    from corett.cases.tests.test_views_browser import _serious, _sign_in

    actors = case_actors("GT", "HN")
    case = case_in_stage(Stage.REQUESTED_TO_ORIGIN)
    services.attachment_add(actor=actors.worker, case=case, filename="informe.pdf", content=pdf_bytes(),
                            description="Informe")
    axe = Axe()
    violations: list[str] = []
    _sign_in(page, live_server, actors.supervisor)
    page.goto(reverse("cases:documents", args=[case.code]))
    assert page.locator("#documents a[download]").count() == 1
    violations += _serious(axe, page)
    # A disguised file, refused at the field.
    page.goto(_url("cases:attachment_add", case))
    page.set_input_files("#id_attachment_file", files=[{"name": "x.pdf", "mimeType": "application/pdf", "buffer": ELF}])
    page.click("main button[type=submit].btn-primary")
    page.wait_for_selector("#id_attachment_file_error")
    violations += _serious(axe, page)
    # The export page, with a password too short.
    page.goto(f"{reverse('cases:export')}?case={case.code}")
    violations += _serious(axe, page)
    page.fill("#id_password", "corta")
    page.click("main button[type=submit].btn-primary")
    page.wait_for_selector("#id_password_error")
    violations += _serious(axe, page)
    assert violations == []
