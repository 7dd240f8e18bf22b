"""Every meetings URL and API route, for every role of two countries: allowed or refused.

The world is one held plenary with an internal agenda item and its document, a delegation with a
participant, agreement A for which Guatemala answers, a submitted update and a draft one by
Guatemala's focal point (with evidence), frozen minutes, and a memorandum to which Guatemala's
national commission is a party (so its partner-role user sees it, and Honduras' does not).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import pytest
from django.core import signing

from corett.accounts.roles import Role
from corett.directory.models import Organisation, OrganisationKind
from corett.meetings import exports, minutes, services, views
from corett.meetings.models import Minutes, MinutesState
from corett.meetings.tests import builders
from corett.testing import factories
from corett.testing.matrix import ALL, NONE, REGIONAL, STAFF, Entry, check_access

READERS = REGIONAL | {Role.FOCAL_POINT, Role.OBSERVER, Role.PARTNER}
MEMBERS = REGIONAL | {Role.FOCAL_POINT, Role.OBSERVER}
FOCAL = frozenset({Role.FOCAL_POINT})
PDF = b"%PDF-1.7\n%frozen\n"


@dataclass
class World:
    meeting: Any
    item: Any
    document: Any
    delegation: Any
    participant: Any
    agreement: Any
    submitted: Any
    draft: Any
    evidence: Any
    mou: Any
    commitment: Any


@pytest.fixture
def world(db) -> World:
    staff = builders.secretariat()
    focal = factories.user_with(Role.FOCAL_POINT, "GT", username="matrix-focal-gt")
    meeting = builders.meeting(actor=staff, state="held")
    item = services.agenda_item_add(actor=staff, meeting=meeting, data={
        "title_es": "Asuntos internos", "title_en": "Internal matters", "is_public": False})
    document = services.agenda_document_add(actor=staff, item=item, filename="nota.pdf", content=PDF)
    delegation = services.delegation_add(actor=staff, meeting=meeting, data={
        "organisation": factories.user_with(Role.FOCAL_POINT, "GT").organisation, "capacity": "member"})
    participant = services.participant_add(actor=staff, delegation=delegation, data={"full_name": "Delegada Uno"})
    agreement = builders.agreement(meeting, "A", actor=staff)
    submitted = builders.update(agreement, focal)
    draft = builders.update(agreement, focal, submit=False)
    evidence = services.evidence_add(actor=focal, update=draft, filename="foto.png",
                                     content=b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    services.update_submit(actor=focal, update=submitted) if submitted.state == "draft" else None
    Minutes.objects.create(
        meeting=meeting, state=MinutesState.FROZEN, body_es="# Acta", body_en="# Minutes",
        frozen_snapshot=minutes.snapshot(meeting), pdf_es=PDF, pdf_en=PDF,
        sha256_es=hashlib.sha256(PDF).hexdigest(), sha256_en=hashlib.sha256(PDF).hexdigest(),
    )
    commission, _ = Organisation.objects.get_or_create(
        name="Comisión nacional GT", defaults={"kind": OrganisationKind.NATIONAL_COMMISSION, "country": factories.country("GT")})
    mou = builders.mou(actor=staff, party=commission, authorised_by=agreement)
    commitment = services.commitment_add(actor=staff, mou=mou, data={
        "party": mou.parties.get(), "kind": "general", "description": "Intercambio de información"})
    return World(meeting, item, document, delegation, participant, agreement, submitted, draft, evidence, mou,
                 commitment)


def meeting(w: World) -> dict:
    return {"pk": w.meeting.pk}


def agreement(w: World) -> dict:
    return {"pk": w.agreement.pk}


def mou(w: World) -> dict:
    return {"pk": w.mou.pk}


MATRIX = {
    "meetings:index": Entry(READERS),
    "meetings:meeting_create": Entry(STAFF),
    "meetings:meeting_detail": Entry(READERS, kwargs=meeting),
    "meetings:meeting_edit": Entry(STAFF, kwargs=meeting),
    "meetings:meeting_transition": Entry(STAFF, method="post", kwargs=meeting, data=lambda w: {"to_state": "draft"}),
    "meetings:delegation_add": Entry(STAFF, kwargs=meeting),
    "meetings:participants_pdf": Entry(MEMBERS, kwargs=meeting),
    "meetings:agenda_item_add": Entry(STAFF, kwargs=meeting),
    "meetings:agreement_add": Entry(STAFF, kwargs=meeting),
    "meetings:minutes": Entry(MEMBERS, kwargs=meeting),
    "meetings:minutes_action": Entry(STAFF, method="post", kwargs=lambda w: {"pk": w.meeting.pk, "action": "draft"}),
    "meetings:minutes_pdf": Entry(MEMBERS, kwargs=meeting),
    "meetings:meeting_export": Entry(READERS, kwargs=lambda w: {"pk": w.meeting.pk, "kind": "agreements", "fmt": "csv"}),
    "meetings:participant_add": Entry(STAFF, kwargs=lambda w: {"pk": w.delegation.pk}),
    "meetings:invitation_pdf": Entry(STAFF, kwargs=lambda w: {"pk": w.delegation.pk}),
    "meetings:participant_attendance": Entry(STAFF, method="post", kwargs=lambda w: {"pk": w.participant.pk}),
    "meetings:register": Entry(ALL, public=True, kwargs=lambda w: {
        "token": signing.dumps(w.participant.pk, salt=views.REGISTRATION_SALT)}),
    "meetings:agenda_item_edit": Entry(STAFF, kwargs=lambda w: {"pk": w.item.pk}),
    "meetings:agenda_item_decide": Entry(STAFF, method="post", kwargs=lambda w: {"pk": w.item.pk}),
    "meetings:agenda_document_add": Entry(STAFF, kwargs=lambda w: {"pk": w.item.pk}),
    "meetings:agenda_document_download": Entry(MEMBERS, kwargs=lambda w: {"pk": w.document.pk}),
    "meetings:agreement_list": Entry(READERS),
    "meetings:agreements_export": Entry(READERS, kwargs=lambda w: {"fmt": "xlsx"}),
    "meetings:workflow": Entry(STAFF),
    "meetings:agreement_detail": Entry(READERS, kwargs=agreement),
    "meetings:agreement_edit": Entry(STAFF, kwargs=agreement),
    "meetings:agreement_decide": Entry(STAFF, method="post", kwargs=agreement),
    "meetings:actor_add": Entry(STAFF, kwargs=agreement),
    "meetings:agreement_implementation": Entry(STAFF, method="post", kwargs=agreement),
    "meetings:update_add": Entry(FOCAL, NONE, kwargs=agreement),
    "meetings:minutes_excerpt": Entry(READERS, kwargs=agreement),
    "meetings:update_detail": Entry(REGIONAL | FOCAL, REGIONAL, kwargs=lambda w: {"pk": w.submitted.pk}),
    "meetings:update_edit": Entry(FOCAL, NONE, kwargs=lambda w: {"pk": w.draft.pk}),
    "meetings:update_submit": Entry(FOCAL, NONE, method="post", kwargs=lambda w: {"pk": w.draft.pk}),
    "meetings:update_review": Entry(STAFF, method="post", kwargs=lambda w: {"pk": w.submitted.pk}),
    "meetings:evidence_add": Entry(FOCAL, NONE, kwargs=lambda w: {"pk": w.draft.pk}),
    "meetings:evidence_download": Entry(FOCAL, NONE, kwargs=lambda w: {"pk": w.evidence.pk}),
    "meetings:dashboard": Entry(READERS),
    "meetings:owed": Entry(FOCAL),
    "meetings:calendar": Entry(READERS),
    "meetings:calendar_feed": Entry(ALL, public=True, kwargs=lambda w: {
        "token": signing.dumps(builders.secretariat().pk, salt=exports.CALENDAR_SALT)}),
    "meetings:mou_list": Entry(MEMBERS | {Role.PARTNER}),
    "meetings:mou_create": Entry(STAFF),
    "meetings:mou_detail": Entry(MEMBERS | {Role.PARTNER}, MEMBERS, kwargs=mou),
    "meetings:mou_edit": Entry(STAFF, kwargs=mou),
    "meetings:mou_transition": Entry(STAFF, method="post", kwargs=mou, data=lambda w: {"to_state": "expired"}),
    "meetings:mou_party_add": Entry(STAFF, kwargs=mou),
    "meetings:mou_version_add": Entry(STAFF, kwargs=mou),
    "meetings:commitment_add": Entry(STAFF, kwargs=mou),
    "meetings:commitment_status": Entry(STAFF, method="post", kwargs=lambda w: {"pk": w.commitment.pk}),
    "api:meeting-list": Entry(READERS),
    "api:meeting-detail": Entry(READERS, kwargs=meeting),
    "api:agreement-list": Entry(READERS),
    "api:agreement-detail": Entry(READERS, kwargs=agreement),
    "api:agreement-updates": Entry(FOCAL, NONE, method="post", kwargs=agreement),
    "api:mou-list": Entry(MEMBERS | {Role.PARTNER}),
    "api:mou-detail": Entry(MEMBERS | {Role.PARTNER}, MEMBERS, kwargs=mou),
}


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_access(name, world, client, login):
    check_access(name, MATRIX[name], world, client, login)
