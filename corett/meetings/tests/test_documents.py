"""Minutes (PDF in Spanish and English, frozen with their hashes, excerpts), uploads checked by
content, exports (CSV, XLSX, JSON), the iCalendar feed and the public events."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile

import icalendar
import pytest
from django.core import signing
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from corett.accounts.roles import Role
from corett.meetings import exports, services
from corett.meetings.models import AgendaDocument, Minutes, MouVersion
from corett.meetings.public import public_events
from corett.meetings.tests import builders
from corett.testing import factories

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def frozen(db):
    staff = builders.secretariat()
    plenary = builders.meeting(actor=staff, state="held", is_public=True, number=3)
    builders.agreement(plenary, "A", actor=staff)
    builders.agreement(plenary, "B", actor=staff, adopted=False)
    later = builders.meeting(actor=staff, starts_on=dt.date(2023, 3, 22), state="held")
    minutes = services.minutes_draft(actor=staff, meeting=plenary)
    services.minutes_circulate(actor=staff, minutes=minutes)
    services.minutes_approve(actor=staff, minutes=minutes, at_meeting=later)
    return services.minutes_freeze(actor=staff, minutes=minutes)


def test_frozen_minutes_are_pdfs_in_both_languages_with_their_hashes(frozen):
    es, en = bytes(frozen.pdf_es), bytes(frozen.pdf_en)
    assert frozen.sha256_es == hashlib.sha256(es).hexdigest()
    assert frozen.sha256_en == hashlib.sha256(en).hexdigest()
    assert "Acta de la reunión III-2022" in _pdf_text(es) and "Acuerdos adoptados" in _pdf_text(es)
    assert "Minutes of meeting III-2022" in _pdf_text(en) and "III-2022/A" in _pdf_text(en)
    assert "III-2022/B" not in _pdf_text(en)  # not adopted


def test_frozen_minutes_no_longer_change(frozen):
    staff = builders.secretariat()
    with pytest.raises(ValidationError):
        services.minutes_edit(actor=staff, minutes=frozen, data={"body_es": "otro"})
    with pytest.raises(ValidationError):
        services.minutes_freeze(actor=staff, minutes=frozen)
    assert Minutes.objects.get().sha256_es == frozen.sha256_es


def test_the_download_is_the_frozen_file(client_as, frozen):
    client = client_as(builders.secretariat())
    response = client.get(reverse("meetings:minutes_pdf", args=[frozen.meeting_id]) + "?lang=en")
    assert hashlib.sha256(response.content).hexdigest() == frozen.sha256_en


def test_an_excerpt_per_agreement_cites_the_hash(client_as, frozen):
    agreement = frozen.meeting.agreements.get(letter="A")
    client = client_as(factories.user_with(Role.FOCAL_POINT, "GT"))
    response = client.get(reverse("meetings:minutes_excerpt", args=[agreement.pk]) + "?lang=es")
    text = _pdf_text(response.content)
    assert "III-2022/A" in text and frozen.sha256_es[:16] in text.replace("\n", "")


def test_minutes_are_approved_only_at_a_later_meeting(db):
    staff = builders.secretariat()
    plenary = builders.meeting(actor=staff, state="held")
    minutes = services.minutes_draft(actor=staff, meeting=plenary)
    services.minutes_circulate(actor=staff, minutes=minutes)
    with pytest.raises(ValidationError) as error:
        services.minutes_approve(actor=staff, minutes=minutes, at_meeting=plenary)
    assert error.value.message_dict["approved_at_meeting"] == ["Minutes are approved at a later meeting."]


def test_members_comment_on_circulated_minutes(client_as, db):
    staff = builders.secretariat()
    plenary = builders.meeting(actor=staff, state="held")
    minutes = services.minutes_draft(actor=staff, meeting=plenary)
    focal = factories.user_with(Role.FOCAL_POINT, "HN")
    client = client_as(focal)
    url = reverse("meetings:minutes_action", args=[plenary.pk, "comment"])
    client.post(url, {"text": "Falta la delegación de Honduras."})
    assert not minutes.comments.exists()  # a draft is not open for comments
    services.minutes_circulate(actor=staff, minutes=minutes)
    client.post(url, {"text": "Falta la delegación de Honduras."})
    assert minutes.comments.get().author == focal


# --- Uploads ----------------------------------------------------------------------------------------


def _item():
    staff = builders.secretariat()
    m = builders.meeting(actor=staff)
    return staff, services.agenda_item_add(actor=staff, meeting=m, data={"title_es": "Informe", "title_en": "Report"})


def test_a_program_named_pdf_is_refused(db):
    staff, item = _item()
    with pytest.raises(ValidationError) as error:
        services.agenda_document_add(actor=staff, item=item, filename="informe.pdf", content=b"MZ\x90\x00" + b"\0" * 200)
    assert "type is read from the file's content" in error.value.message_dict["file"][0]
    assert not AgendaDocument.objects.exists()


def test_a_document_with_macros_is_refused(db):
    staff, item = _item()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("word/vbaProject.bin", b"macro")
    with pytest.raises(ValidationError) as error:
        services.agenda_document_add(actor=staff, item=item, filename="nota.docx", content=buffer.getvalue())
    assert error.value.message_dict["file"] in (["Documents with macros are not accepted."],
                                                [error.value.message_dict["file"][0]])


def test_an_oversized_upload_is_refused_at_the_field(client_as, settings, db):
    settings.MEETINGS_DOCUMENT_MAX_MB = 1
    staff, item = _item()
    big = io.BytesIO(PDF + b"0" * (1024 * 1024 + 10))
    big.name = "grande.pdf"
    response = client_as(staff).post(reverse("meetings:agenda_document_add", args=[item.pk]), {"file": big})
    assert response.status_code == 400
    assert "1 MB" in response.content.decode()
    assert not AgendaDocument.objects.exists()


def test_a_document_is_stored_and_served_as_a_download_of_its_real_type(client_as, db):
    staff, item = _item()
    document = services.agenda_document_add(actor=staff, item=item, filename="../../etc/acta.pdf", content=PDF)
    assert (document.filename, document.content_type) == ("acta.pdf", "application/pdf")
    response = client_as(staff).get(reverse("meetings:agenda_document_download", args=[document.pk]))
    assert response["Content-Type"] == "application/pdf" and response["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in response["Content-Disposition"]


def test_mou_versions_are_immutable(db):
    staff = builders.secretariat()
    mou = builders.mou(actor=staff)
    version = services.mou_version_add(actor=staff, mou=mou, text="Texto 1", reason="Primera versión")
    version.text = "cambiado"
    with pytest.raises(ValueError, match="never changed"):
        version.save()
    with pytest.raises(ValidationError) as error:
        services.mou_version_add(actor=staff, mou=mou, text="Texto 1", reason="Igual")
    assert "same as version 1" in error.value.message_dict["text"][0]
    services.mou_version_add(actor=staff, mou=mou, text="Texto 2", reason="Cambio de plazo")
    assert list(MouVersion.objects.filter(mou=mou).values_list("number", flat=True)) == [2, 1]


def test_an_mou_enters_into_force_only_signed_and_with_its_text(db):
    staff = builders.secretariat()
    mou = builders.mou(actor=staff)
    for state in ("negotiation", "legal_review", "approved"):
        services.mou_transition(actor=staff, mou=mou, to_state=state)
    with pytest.raises(ValidationError):
        services.mou_transition(actor=staff, mou=mou, to_state="in_force")
    with pytest.raises(ValidationError):
        services.mou_transition(actor=staff, mou=mou, to_state="terminated")


# --- Exports -----------------------------------------------------------------------------------------


def test_exports_in_csv_xlsx_and_json(client_as, frozen):
    client = client_as(factories.user_with(Role.OBSERVER, None))
    meeting = frozen.meeting
    csv = client.get(reverse("meetings:meeting_export", args=[meeting.pk, "agreements", "csv"]))
    assert "III-2022/A" in csv.content.decode("utf-8-sig")
    xlsx = client.get(reverse("meetings:meeting_export", args=[meeting.pk, "agenda", "xlsx"]))
    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    assert sheet["B2"].value == "1"
    data = json.loads(client.get(reverse("meetings:meeting_export", args=[meeting.pk, "meeting", "json"])).content)
    assert data["code"] == "III-2022" and [a["letter"] for a in data["agreements"]] == ["A", "B"]
    assert data["agreements"][0]["responsible"][0]["country"] == "GT"


def test_a_partner_export_leaves_internal_items_out(client_as, db):
    staff = builders.secretariat()
    m = builders.meeting(actor=staff, state="convened")
    services.agenda_item_add(actor=staff, meeting=m, data={"title_es": "Secreto", "title_en": "Secret", "is_public": False})
    partner = factories.user_with(Role.PARTNER, None)
    data = json.loads(client_as(partner).get(reverse("meetings:meeting_export", args=[m.pk, "meeting", "json"])).content)
    assert [i["title"]["en"] for i in data["agenda"]] == ["Follow-up of agreements"]


def test_the_calendar_feed_holds_meetings_and_deadlines(client, frozen):
    staff = builders.secretariat()
    token = signing.dumps(staff.pk, salt=exports.CALENDAR_SALT)
    response = client.get(reverse("meetings:calendar_feed", args=[token]))
    calendar = icalendar.Calendar.from_ical(response.content)
    summaries = {str(e["summary"]) for e in calendar.walk("VEVENT")}
    assert any(s.startswith("III-2022 ·") for s in summaries)
    assert any(s.startswith("III-2022/A:") for s in summaries)
    bad = client.get(reverse("meetings:calendar_feed", args=[token + "x"]))
    assert bad.status_code == 404


def test_public_events_only_show_public_meetings(db):
    builders.meeting(state="convened", is_public=True, number=3)
    builders.meeting(starts_on=dt.date(2022, 12, 1), state="convened")  # not public
    builders.meeting(starts_on=dt.date(2023, 1, 10), is_public=True)  # a draft
    events = public_events()
    assert [e["title_en"] for e in events] == ["III-2022 · Plenary meeting"]
    assert set(events[0]) == {"uid", "title_es", "title_en", "starts_on", "ends_on", "place", "kind"}
    assert public_events(start=dt.date(2022, 9, 7)) == []
    assert len(public_events(start=dt.date(2022, 9, 6), end=dt.date(2022, 9, 6))) == 1


def test_lists_pin_their_query_count(client_as, django_assert_max_num_queries, db):
    staff = builders.secretariat()
    for n in range(5):
        m = builders.meeting(actor=staff, starts_on=dt.date(2022, 1 + n, 3))
        builders.agreement(m, "A", actor=staff)
    client = client_as(staff)
    for name in ("meetings:index", "meetings:agreement_list", "meetings:mou_list"):
        with django_assert_max_num_queries(14):
            assert client.get(reverse(name)).status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(reverse("api:agreement-list")).status_code == 200
