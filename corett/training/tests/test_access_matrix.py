"""Who may reach each training URL: every role of Guatemala (where the session is) and Honduras.

A session is run by the Secretariat and, in its country, by the focal point and trainers; the
catalogue and the figures are for every role; the pages reached through a personal or a
registration link, and /verify/, are public.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile

from corett.accounts.roles import Role
from corett.directory.models import OrganisationKind
from corett.testing import factories
from corett.testing.matrix import ALL, STAFF, Entry, check_access
from corett.training.models import (
    Certificate,
    CommitteeMember,
    CommitteeProfile,
    Material,
    SessionState,
)
from corett.training.tests import builders

RUNS_OWN = STAFF | {Role.FOCAL_POINT, Role.TRAINER}
RUNS_ANY = RUNS_OWN  # the "may the user run sessions at all" checks do not depend on the country
COMMITTEE_OWN = STAFF | {Role.FOCAL_POINT}


@dataclass
class World:
    session: object
    registration: object
    certificate: Certificate
    committee: object
    member: CommitteeMember
    material: Material


@pytest.fixture
def world(db):
    session = builders.session(state=SessionState.COMPLETED)
    registration = builders.registration(session)
    registration.completed = True
    registration.save()
    certificate = Certificate.objects.create(
        registration=registration, code="0000000000" + "00", language="es", holder_name="X", programme_title="P",
        completed_on=session.ends_on, issuer="CORETT", issued_at=session.created_at,
        issued_by=factories.user_with(Role.SECRETARIAT, None, username="issuer"),
    )
    committee = factories.OrganisationFactory.create(kind=OrganisationKind.LOCAL_COMMITTEE, name="Comité local de Mixco")
    profile = CommitteeProfile.objects.create(organisation=committee, municipality="Mixco")
    member = CommitteeMember.objects.create(committee=profile, full_name="Integrante", institution="Municipalidad")
    material = Material.objects.create(programme=session.programme, title="Guía", file=ContentFile(b"%PDF-1.4\n", name="guia.pdf"))
    return World(session, registration, certificate, committee, member, material)


def session(w):
    return {"pk": w.session.pk}


def registration(w):
    return {"pk": w.registration.pk}


def certificate(w):
    return {"pk": w.certificate.pk}


def programme(w):
    return {"pk": w.session.programme_id}


def token(w):
    return {"token": w.registration.token}


MATRIX = {
    "training:session_list": Entry(ALL),
    "training:session_create": Entry(RUNS_ANY),
    "training:session_detail": Entry(ALL, kwargs=session),
    "training:session_edit": Entry(RUNS_OWN, STAFF, kwargs=session),
    "training:session_transition": Entry(RUNS_OWN, STAFF, method="post", kwargs=session,
                                         data=lambda w: {"state": "reported", "note": "Informe"}),
    "training:session_renew_link": Entry(RUNS_OWN, STAFF, method="post", kwargs=session),
    "training:session_participants": Entry(RUNS_OWN, STAFF, kwargs=session),
    "training:session_attendance": Entry(RUNS_OWN, STAFF, kwargs=session),
    "training:session_certificates": Entry(RUNS_OWN, STAFF, kwargs=session),
    "training:session_certificates_pdf": Entry(RUNS_OWN, STAFF, kwargs=session),
    "training:registration_approve": Entry(RUNS_OWN, STAFF, method="post", kwargs=registration),
    "training:registration_reject": Entry(RUNS_OWN, STAFF, method="post", kwargs=registration),
    "training:registration_cancel": Entry(RUNS_OWN, STAFF, method="post", kwargs=registration),
    "training:certificate_issue": Entry(RUNS_OWN, STAFF, method="post", kwargs=registration, data=lambda w: {"language": "es"}),
    "training:certificate_pdf": Entry(RUNS_OWN, STAFF, kwargs=certificate),
    "training:certificate_revoke": Entry(RUNS_OWN, STAFF, kwargs=certificate),
    "training:programme_list": Entry(ALL),
    "training:programme_create": Entry(STAFF),
    "training:programme_detail": Entry(ALL, kwargs=programme),
    "training:programme_edit": Entry(STAFF, kwargs=programme),
    "training:material_add": Entry(STAFF, kwargs=programme),
    "training:question_add": Entry(STAFF, kwargs=programme),
    "training:material_download": Entry(ALL, kwargs=lambda w: {"pk": w.material.pk}),
    "training:topic_list": Entry(ALL),
    "training:participant_list": Entry(RUNS_ANY),
    "training:participant_detail": Entry(RUNS_OWN, STAFF, kwargs=lambda w: {"pk": w.registration.participant_id}),
    "training:committee_list": Entry(ALL),
    "training:committee_detail": Entry(ALL, kwargs=lambda w: {"pk": w.committee.pk}),
    "training:committee_member_remove": Entry(COMMITTEE_OWN, STAFF, method="post",
                                              kwargs=lambda w: {"pk": w.committee.pk, "member": w.member.pk}),
    "training:dashboard": Entry(ALL),
    "training:dashboard_export": Entry(ALL, query="?format=xlsx"),
    # Reached through links, without an account.
    "training:register": Entry(ALL, public=True, kwargs=lambda w: {"token": w.session.registration_token}),
    "training:participant_home": Entry(ALL, public=True, kwargs=token),
    "training:participant_test": Entry(ALL, public=True, kwargs=lambda w: {**token(w), "kind": "post"}),
    "training:participant_survey": Entry(ALL, public=True, kwargs=token),
    "training:participant_check_in": Entry(ALL, public=True, method="post", kwargs=token, data=lambda w: {"code": "123456"}),
    "training:participant_certificate": Entry(ALL, public=True, kwargs=token),
    "verify:lookup": Entry(ALL, public=True),
    "verify:certificate": Entry(ALL, public=True, kwargs=lambda w: {"code": w.certificate.display_code}),
    # The API.
    "api:training-programme-list": Entry(ALL),
    "api:training-programme-detail": Entry(ALL, kwargs=programme),
    "api:training-session-list": Entry(ALL),
    "api:training-session-detail": Entry(ALL, kwargs=session),
    "api:training-session-registrations": Entry(RUNS_OWN, STAFF, kwargs=session),
    "api:training-session-transition": Entry(RUNS_OWN, STAFF, method="post", kwargs=session,
                                             data=lambda w: {"state": "reported", "note": "Informe"}),
    "api:training-session-register": Entry(RUNS_OWN, STAFF, method="post", kwargs=session),
    "api:training-session-attendance": Entry(RUNS_OWN, STAFF, method="post", kwargs=session),
    "api:training-session-issue-certificates": Entry(RUNS_OWN, STAFF, method="post", kwargs=session,
                                                     data=lambda w: {"language": "es"}),
    "api:training-participant-list": Entry(RUNS_ANY),
    "api:training-participant-detail": Entry(RUNS_OWN, STAFF, kwargs=lambda w: {"pk": w.registration.participant_id}),
    "api:training-certificate-list": Entry(RUNS_ANY),
    "api:training-certificate-detail": Entry(RUNS_OWN, STAFF, kwargs=certificate),
    "api:training-certificate-revoke": Entry(RUNS_OWN, STAFF, method="post", kwargs=certificate, data=lambda w: {"reason": "Error"}),
    "api:training-figures-list": Entry(ALL),
}


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_access(name, world, client, login):
    check_access(name, MATRIX[name], world, client, login)
