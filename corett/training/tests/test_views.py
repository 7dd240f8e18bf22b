"""The pages over HTTP: registration through the link, the organiser's pages, certificates,
verification (HTML and JSON), the figures and their exports."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from corett.training import certificates, services
from corett.training.models import (
    Attendance,
    Participant,
    Registration,
    RegistrationStatus,
    SessionState,
)
from corett.training.public_views import REGISTRATIONS_PER_HOUR
from corett.training.tests import builders

pytestmark = pytest.mark.django_db


def _form(session, **overrides):
    data = builders.participant_data()
    data = {**data, "country": data["country"].pk, "consent_to_processing": "on"}
    data.update(overrides)
    return data


def test_a_visitor_registers_through_the_link_and_lands_on_their_own_page(client):
    session = builders.session()
    response = client.post(reverse("training:register", args=[session.registration_token]), _form(session))
    registration = Registration.objects.get()
    assert response.status_code == 302 and response["Location"] == registration.get_personal_url()
    page = client.get(registration.get_personal_url())
    assert "Awaiting approval" in page.content.decode()


def test_registering_twice_through_the_link_shows_the_error_at_the_email(client):
    session = builders.session()
    data = _form(session)
    client.post(reverse("training:register", args=[session.registration_token]), data)
    response = client.post(reverse("training:register", args=[session.registration_token]), data)
    assert response.status_code == 400
    assert re.search(r'id_email_error[^>]*>.*already registered', response.content.decode(), re.S)
    assert Registration.objects.count() == 1


def test_the_link_refuses_consent_missing_bots_and_floods(client):
    session = builders.session()
    url = reverse("training:register", args=[session.registration_token])
    assert client.post(url, _form(session, consent_to_processing="")).status_code == 400
    assert client.post(url, _form(session, website="http://spam")).status_code == 400
    assert not Participant.objects.exists()
    for _ in range(REGISTRATIONS_PER_HOUR - 2):
        client.post(url, _form(session))
    assert client.post(url, _form(session)).status_code == 429


def test_a_withdrawn_or_planned_link_is_not_found(client, trainer_gt, login):
    session = builders.session(state=SessionState.PLANNED)
    assert client.get(reverse("training:register", args=[session.registration_token])).status_code == 404
    session.state = SessionState.OPEN
    session.save()
    old = session.registration_token
    services.session_renew_link(actor=trainer_gt, session=session)
    assert client.get(reverse("training:register", args=[old])).status_code == 404


def test_the_organiser_over_capacity_sees_a_clear_error_and_nothing_is_saved(client_as, trainer_gt):
    session = builders.session(capacity=1, waiting_list=False)
    builders.registration(session)
    client = client_as(trainer_gt)
    response = client.post(reverse("training:session_participants", args=[session.pk]), _form(session))
    assert response.status_code == 400
    assert "The session is full (1 of 1 places taken)" in response.content.decode()
    assert Registration.objects.count() == 1


def test_attendance_for_someone_not_registered_is_refused_at_the_list(client_as, trainer_gt):
    session = builders.session(state=SessionState.RUNNING)
    mine = builders.registration(session)
    stranger = builders.registration(builders.session())
    response = client_as(trainer_gt).post(reverse("training:session_attendance", args=[session.pk]),
                                          {"day": session.starts_on.isoformat(), "present": [mine.pk, stranger.pk]})
    assert response.status_code == 400
    assert "not registered for this session" in response.content.decode()
    assert not Attendance.objects.exists()


def test_a_test_submitted_after_the_session_closed_is_refused_in_spanish(client):
    session = builders.session(state=SessionState.RUNNING)
    registration = builders.registration(session)
    url = reverse("training:participant_test", args=[registration.token, "post"])
    page = client.get(url + "?language=es")
    fields = dict.fromkeys(re.findall(r'name="(q\d+)"', page.content.decode()), "1")
    session.state = SessionState.COMPLETED
    session.save()
    response = client.post(url + "?language=es", fields, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 400
    assert "Esta prueba está cerrada" in response.content.decode()
    assert not registration.test_attempts.exists()


def _certificate(trainer, *, holder="Ana Lucía Pérez"):
    session = builders.session(state=SessionState.RUNNING)
    registration = builders.completed(builders.registration(session, full_name=holder))
    services.session_transition(actor=trainer, session=session, state=SessionState.COMPLETED)
    return certificates.certificate_issue(actor=trainer, registration=registration, language="en")


def test_the_verification_page_confirms_four_facts_and_nothing_more(client, trainer_gt):
    certificate = _certificate(trainer_gt)
    html = client.get(reverse("verify:certificate", args=[certificate.display_code])).content.decode()
    assert "This certificate is genuine" in html and "Ana Lucía Pérez" in html
    assert certificate.registration.participant.email not in html
    data = client.get(reverse("verify:certificate", args=[certificate.display_code]), HTTP_ACCEPT="application/json").json()
    assert data == {"code": certificate.display_code, "status": "valid", "holder": "Ana Lucía Pérez",
                    "programme": "Regional repatriation protocol", "date": certificate.completed_on.isoformat(),
                    "issuer": certificate.issuer, "revoked_on": None}
    certificates.certificate_revoke(actor=trainer_gt, certificate=certificate, reason="Emitido por error")
    html = client.get(reverse("verify:certificate", args=[certificate.display_code])).content.decode()
    assert "This certificate was revoked" in html and "Emitido por error" not in html


def test_mistyped_and_forged_codes_get_different_clear_answers(client):
    mistyped = client.get("/verify/ABCD-EFGH-IJK?format=json")
    assert mistyped.status_code == 404 and mistyped.json()["error"] == "mistyped"
    forged = client.get("/verify/0000-0000-0000")
    assert forged.status_code == 404 and "No certificate has this verification code" in forged.content.decode()


def test_the_certificate_pdf_names_holder_programme_partners_and_code(client_as, trainer_gt):
    certificate = _certificate(trainer_gt)
    response = client_as(trainer_gt).get(reverse("training:certificate_pdf", args=[certificate.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    for expected in ("Ana Lucía Pérez", "Regional repatriation protocol", "Organización Internacional para las Migraciones",
                     certificate.display_code, "Certificate of completion"):
        assert expected in text


def test_another_countrys_trainer_cannot_reach_a_certificate(client_as, trainer_gt, make_user):
    certificate = _certificate(trainer_gt)
    other = make_user("trainer", "HN", username="trainer-hn")
    assert client_as(other).get(reverse("training:certificate_pdf", args=[certificate.pk])).status_code == 404


def test_the_figures_suppress_small_counts_on_screen_and_in_both_exports(client_as, trainer_gt, observer_user):
    _certificate(trainer_gt)
    client = client_as(observer_user)
    page = client.get(reverse("training:dashboard"))
    assert page.context["figures"]["people"] == "<5"
    rows = list(csv.reader(io.StringIO(client.get(reverse("training:dashboard_export") + "?format=csv").content.decode("utf-8-sig"))))
    assert ["People trained", "All", "<5"] in rows
    assert not any(row[2] == "1" for row in rows[1:] if "Sessions" not in row[0] and "committees" not in row[0])
    sheet = load_workbook(io.BytesIO(client.get(reverse("training:dashboard_export") + "?format=xlsx").content)).worksheets[0]
    assert ("People trained", "All", "<5") in [tuple(r) for r in sheet.iter_rows(values_only=True)]


def test_the_figures_show_counts_of_five_and_more(client_as, trainer_gt, observer_user):
    session = builders.session(state=SessionState.RUNNING)
    for _ in range(6):
        builders.completed(builders.registration(session))
    services.session_transition(actor=trainer_gt, session=session, state=SessionState.COMPLETED)
    figures = client_as(observer_user).get(reverse("training:dashboard")).context["figures"]
    assert figures["people"] == 6
    assert dict(figures["tables"][0].shown()) == {"Guatemala": 6}


def test_the_session_list_has_a_fixed_number_of_queries(client_as, secretariat_user, django_assert_max_num_queries):
    for _ in range(8):
        session = builders.session()
        builders.registration(session)
    client = client_as(secretariat_user)
    client.get(reverse("training:session_list"))
    with django_assert_max_num_queries(12):
        assert client.get(reverse("training:session_list")).status_code == 200


def test_the_participants_page_has_a_fixed_number_of_queries(client_as, trainer_gt, django_assert_max_num_queries):
    session = builders.session(state=SessionState.RUNNING)
    for _ in range(10):
        builders.completed(builders.registration(session))
    client = client_as(trainer_gt)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("training:session_participants", args=[session.pk])).status_code == 200


def test_a_participant_checks_in_through_their_page(client):
    from django.utils import timezone

    session = builders.session(state=SessionState.RUNNING)
    registration = builders.registration(session)
    url = reverse("training:participant_check_in", args=[registration.token])
    client.post(url, {"code": session.check_in_code(timezone.localdate())})
    assert registration.attendances.count() == 1
    pending = builders.registration(session, status=RegistrationStatus.PENDING)
    client.post(reverse("training:participant_check_in", args=[pending.token]), {"code": session.check_in_code(timezone.localdate())})
    assert not pending.attendances.exists()


def test_the_participant_receives_their_personal_link_by_email_in_the_sessions_language(client, mailoutbox, django_capture_on_commit_callbacks):
    session = builders.session(language="en")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("training:register", args=[session.registration_token]), _form(session, email="Marta@Example.org"))
    registration = Registration.objects.get()
    assert [m.to for m in mailoutbox] == [["marta@example.org"]]
    assert registration.get_personal_url() in mailoutbox[0].body
    assert mailoutbox[0].subject == "Your registration: Regional repatriation protocol"


def test_a_material_file_is_checked_by_its_content(client_as, secretariat_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from corett.training.models import Material

    programme = builders.programme()
    client = client_as(secretariat_user)
    url = reverse("training:material_add", args=[programme.pk])
    fake = SimpleUploadedFile("guia.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    refused = client.post(url, {"title": "Guía", "language": "es", "file": fake})
    assert refused.status_code == 200 and "This kind of file is not accepted" in refused.content.decode()
    pdf = SimpleUploadedFile("guia.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n", content_type="application/pdf")
    assert client.post(url, {"title": "Guía", "language": "es", "file": pdf}).status_code == 302
    material = Material.objects.get()
    download = client.get(reverse("training:material_download", args=[material.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")


def test_a_focal_point_records_the_committees_municipality_and_members_of_their_country_only(client_as, focal_gt, focal_hn):
    from corett.directory.models import OrganisationKind
    from corett.testing import factories
    from corett.training.models import CommitteeProfile

    committee = factories.OrganisationFactory.create(kind=OrganisationKind.LOCAL_COMMITTEE, name="Comité de Mixco")
    url = reverse("training:committee_detail", args=[committee.pk])
    refused = client_as(focal_hn).post(url, {"form": "profile", "municipality": "Mixco"})
    assert refused.status_code == 403 and not CommitteeProfile.objects.exists()
    client = client_as(focal_gt)
    early = client.post(url, {"form": "member", "full_name": "Integrante"})
    assert early.status_code == 400 and "municipality first" in early.content.decode()
    assert client.post(url, {"form": "profile", "municipality": "Mixco", "department": "Guatemala"}).status_code == 302
    assert client.post(url, {"form": "member", "full_name": "Integrante Uno", "institution": "Municipalidad"}).status_code == 302
    page = client.get(url).content.decode()
    assert "Mixco" in page and "Integrante Uno" in page


def test_the_figures_page_has_a_fixed_number_of_queries(client_as, trainer_gt, observer_user, django_assert_max_num_queries):
    for _ in range(3):
        session = builders.session(state=SessionState.RUNNING)
        for _ in range(4):
            builders.completed(builders.registration(session))
        services.session_transition(actor=trainer_gt, session=session, state=SessionState.COMPLETED)
    client = client_as(observer_user)
    with django_assert_max_num_queries(30):
        assert client.get(reverse("training:dashboard")).status_code == 200


def test_a_participant_answers_the_survey_once(client):
    from corett.training.models import SurveyResponse

    registration = builders.registration(builders.session(state=SessionState.RUNNING))
    url = reverse("training:participant_survey", args=[registration.token])
    assert 'type="radio"' in client.get(url).content.decode()
    bad = client.post(url, {"overall": "9", "relevance": "5", "trainers": "4"})
    assert bad.status_code == 400 and not SurveyResponse.objects.exists()
    assert client.post(url, {"overall": "4", "relevance": "5", "trainers": "4", "comments": "Útil"}).status_code == 302
    again = client.post(url, {"overall": "1", "relevance": "1", "trainers": "1"})
    assert again.status_code == 400 and "already answered" in again.content.decode()
    assert SurveyResponse.objects.get().overall == 4


def test_a_session_with_its_last_day_before_the_first_is_refused_at_the_field(client_as, trainer_gt):
    from corett.training.models import Session

    programme = builders.programme()
    response = client_as(trainer_gt).post(reverse("training:session_create"), {
        "programme": programme.pk, "country": trainer_gt.country.pk, "venue": "Antigua", "modality": "in_person",
        "starts_on": "2026-05-10", "ends_on": "2026-05-09", "language": "es", "capacity": "20",
    })
    assert response.status_code == 200
    assert re.search(r'id="id_ends_on_error".*The last day cannot be before the first day', response.content.decode(), re.S)
    assert not Session.objects.exists()


def test_a_trainer_cannot_create_a_session_in_another_country(client_as, trainer_gt, hn):
    from corett.training.models import Session

    programme = builders.programme()
    response = client_as(trainer_gt).post(reverse("training:session_create"), {
        "programme": programme.pk, "country": hn.pk, "venue": "Tegucigalpa", "modality": "in_person",
        "starts_on": "2026-05-10", "ends_on": "2026-05-10", "language": "es", "capacity": "20",
    })
    assert response.status_code == 403 and not Session.objects.exists()
