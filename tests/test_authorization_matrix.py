"""Every URL pattern, for every role, with users of two countries: allowed or refused.

The matrix below is the platform's access policy written out. The test enumerates the URL
patterns Django knows, so a new URL without an entry here fails ``test_every_url_has_an_entry``.
Objects belong to Guatemala; each role is tried with a Guatemalan user ("own") and a Honduran
user ("other"). A refusal is 403 or 404 (404 where existence itself must not leak), or, for an
anonymous visitor, a redirect to the login page or 401/403.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from corett.accounts.models import ApiToken
from corett.accounts.roles import Role
from corett.audit.services import audit_log
from corett.cases import services as case_services
from corett.cases.models import FollowUp, Stage
from corett.directory.models import CoalitionMembership, SecretariatTerm, Visibility
from corett.notifications.services import notify
from corett.testing import factories
from corett.testing.cases import case_actors, case_data, case_in_stage, funding_request
from corett.testing.matrix import (
    ADMIN,
    ALL,
    NONE,
    REGIONAL,
    STAFF,
    Entry,
    check_access,
    module_matrices,
    url_names,
)

EDITORS = STAFF | {Role.FOCAL_POINT}
EXPORTERS = REGIONAL | {Role.FOCAL_POINT}
CASE = frozenset({Role.CASE_WORKER, Role.CASE_SUPERVISOR})
OPTIONAL_2FA = ALL - {Role.ADMIN, Role.CASE_WORKER, Role.CASE_SUPERVISOR}


@dataclass
class World:
    """What the URLs point at: a Guatemalan organisation and person, and the offices."""

    organisation: Any
    person: Any
    membership: Any
    presidency: Any
    secretariat: Any
    audit_entry: Any
    token: Any
    # A Honduran child identified in Guatemala, at the first stage ("identified"): Guatemala owns
    # it and Honduras, the country of origin, must not even learn it exists (404) until the
    # formal request. It holds a consent (to share with a funder: "protect" still fails its
    # guard, so POSTing it changes nothing), a pending approval, a flag and a funding request.
    case: Any
    consent: Any
    approval: Any
    flag: Any
    funding: Any
    # Another child's case, formally requested to Honduras ("requested_to_origin"): the origin's
    # own URLs (contacts, follow-up reports) are Honduras's to use, and refused to Guatemala.
    shared_case: Any
    follow_up: Any
    # A document of the world's case (sealed): the case's own roles only.
    attachment: Any


def org(w: World) -> dict:
    return {"pk": w.organisation.pk}


def person(w: World) -> dict:
    return {"pk": w.person.pk}


def case(w: World, **more: Any) -> dict:
    return {"code": w.case.code, **more}


def someone_elses_notification(w: World) -> dict:
    """A notification of the token's owner: nobody else may open it, whatever their role."""
    (row,) = notify(recipients=[w.token.user], kind="case.requested_to_origin", params={"case": w.case.code},
                    link=w.case.get_absolute_url())
    return {"pk": row.pk}


MATRIX: dict[str, Entry] = {
    # Accounts
    "accounts:login": Entry(ALL, public=True),
    # Step two of a login exists only between the password and the code: without a pending
    # login everyone is sent back to the first step.
    "accounts:login_two_factor": Entry(NONE),
    "accounts:logout": Entry(ALL, method="post", public=True, done_at="/accounts/login/"),
    "accounts:two_factor_setup": Entry(ALL),
    "accounts:two_factor_verify": Entry(ALL),
    "accounts:two_factor_disable": Entry(OPTIONAL_2FA, method="post"),
    "accounts:recovery_codes_regenerate": Entry(ALL - OPTIONAL_2FA, method="post"),
    "accounts:password_reset": Entry(ALL, public=True),
    "accounts:password_reset_done": Entry(ALL, public=True),
    "accounts:password_reset_confirm": Entry(
        ALL, public=True, kwargs=lambda w: {"uidb64": "MQ", "token": "invalid-token"}
    ),
    "accounts:password_reset_complete": Entry(ALL, public=True),
    "accounts:password_change": Entry(ALL),
    "accounts:profile": Entry(ALL),
    "accounts:api_token_create": Entry(ALL, method="post", data=lambda w: {"name": "scripts"}),
    # Only the owner may revoke a token; everyone else gets 404, administrators included.
    "accounts:api_token_revoke": Entry(NONE, method="post", kwargs=lambda w: {"pk": w.token.pk}),
    "accounts:user_list": Entry(ADMIN),
    "accounts:user_create": Entry(ADMIN),
    "accounts:user_edit": Entry(ADMIN, kwargs=lambda w: {"pk": w.token.user_id}),
    "accounts:user_reset_two_factor": Entry(
        ADMIN, method="post", kwargs=lambda w: {"pk": w.token.user_id}
    ),
    # Core
    # Signed in: the dashboard; an anonymous visitor is sent to the public website (not to the login).
    "core:home": Entry(ALL, public=True),
    "core:healthz": Entry(ALL, public=True),
    "set_language": Entry(ALL, method="post", data=lambda w: {"language": "en"}, public=True),
    # Directory
    "directory:country_list": Entry(ALL),
    "directory:country_detail": Entry(ALL, kwargs=lambda w: {"iso2": "GT"}),
    "directory:country_edit": Entry(STAFF, kwargs=lambda w: {"iso2": "GT"}),
    "directory:organisation_list": Entry(ALL),
    "directory:organisation_detail": Entry(ALL, kwargs=org),
    "directory:organisation_create": Entry(EDITORS),
    "directory:organisation_edit": Entry(EDITORS, STAFF, kwargs=org),
    "directory:membership_add": Entry(STAFF, kwargs=org),
    "directory:person_list": Entry(ALL),
    # A country-only contact: others of another country do not learn it exists.
    "directory:person_detail": Entry(ALL, REGIONAL, kwargs=person),
    "directory:person_create": Entry(EDITORS),
    "directory:person_edit": Entry(EDITORS, STAFF, kwargs=person),
    "directory:offices": Entry(ALL),
    "directory:presidency_create": Entry(STAFF),
    "directory:presidency_edit": Entry(STAFF, kwargs=lambda w: {"pk": w.presidency.pk}),
    "directory:secretariat_create": Entry(STAFF),
    "directory:secretariat_edit": Entry(STAFF, kwargs=lambda w: {"pk": w.secretariat.pk}),
    "directory:export": Entry(EXPORTERS, kwargs=lambda w: {"kind": "people", "fmt": "csv"}),
    # Audit trail: administrators only
    "audit:entry_list": Entry(ADMIN),
    "audit:entry_detail": Entry(ADMIN, kwargs=lambda w: {"pk": w.audit_entry.pk}),
    "audit:verify": Entry(ADMIN, method="post"),
    # Repatriation cases: case workers and supervisors of the two countries only, and Honduras
    # (the "other" country here is the origin) not before the formal request. Everyone else
    # gets 404 on a case's URLs: a case's existence does not leak.
    "cases:list": Entry(CASE),
    "cases:overdue": Entry(CASE),
    # Each country's case supervisors set their own country's deadlines.
    "cases:deadlines": Entry(frozenset({Role.CASE_SUPERVISOR})),
    "cases:open": Entry(CASE),
    "cases:detail": Entry(CASE, NONE, kwargs=case),
    # The other sections of the case record: the same people as its overview.
    "cases:person": Entry(CASE, NONE, kwargs=case),
    "cases:coordination": Entry(CASE, NONE, kwargs=case),
    "cases:follow_up": Entry(CASE, NONE, kwargs=case),
    "cases:documents": Entry(CASE, NONE, kwargs=case),
    "cases:history": Entry(CASE, NONE, kwargs=case),
    "cases:edit": Entry(CASE, NONE, kwargs=case),
    "cases:transition": Entry(CASE, NONE, method="post", kwargs=lambda w: case(w, name="protect")),
    "cases:consent_add": Entry(
        CASE, NONE, method="post", kwargs=case, data=lambda w: {"purpose": "return", "given_by": "guardian"}
    ),
    "cases:consent_withdraw": Entry(CASE, NONE, method="post", kwargs=lambda w: case(w, pk=w.consent.pk)),
    # Sharing without the consent: a supervisor of the owning country only.
    "cases:consent_override": Entry(
        frozenset({Role.CASE_SUPERVISOR}), NONE, method="post", kwargs=case,
        data=lambda w: {"purpose": "share_funder", "reason": "The guardian cannot be reached; the return is urgent."},
    ),
    "cases:related_person_add": Entry(
        CASE, NONE, method="post", kwargs=case, data=lambda w: {"role": "escort", "full_name": "Escolta"}
    ),
    "cases:approval_request": Entry(CASE, NONE, method="post", kwargs=case, data=lambda w: {"kind": "closure"}),
    # Only a supervisor of the owning country decides, and never on their own request.
    "cases:approval_decide": Entry(
        frozenset({Role.CASE_SUPERVISOR}), NONE, method="post", kwargs=lambda w: case(w, pk=w.approval.pk),
        data=lambda w: {"decision": "reject"},
    ),
    "cases:funding_request_add": Entry(CASE, NONE, method="post", kwargs=case),
    "cases:flag_resolve": Entry(
        CASE, NONE, method="post", kwargs=lambda w: case(w, pk=w.flag.pk), data=lambda w: {"resolution": "ok"}
    ),
    # The origin's side of a shared case: Honduras answers, Guatemala may not answer for it.
    "cases:origin_contacts": Entry(NONE, CASE, method="post", kwargs=lambda w: {"code": w.shared_case.code}),
    "cases:follow_up_report": Entry(
        NONE, CASE, method="post", kwargs=lambda w: {"code": w.shared_case.code, "pk": w.follow_up.pk},
        data=lambda w: {"report": "Sin novedad", "reported_on": "2026-01-02"},
    ),
    # A partner's inbox lists the requests addressed to its own organisation (here none).
    "cases:funding_inbox": Entry(frozenset({Role.PARTNER})),
    # The world's request is addressed to a partner NGO; the matrix's partners work for the national
    # commissions, so everyone is refused (the partner's own case: corett/cases/tests).
    "cases:funding_advance": Entry(
        NONE, method="post", kwargs=lambda w: {"pk": w.funding.pk}, data=lambda w: {"state": "committed"}
    ),
    # Documents: the owners add and remove, both sides (here Honduras not yet) download and read the
    # case file; exports are for the owning country's supervisors (another country's: 404).
    "cases:attachment_add": Entry(CASE, NONE, method="post", kwargs=case),
    "cases:attachment_download": Entry(CASE, NONE, kwargs=lambda w: case(w, pk=w.attachment.pk)),
    "cases:attachment_remove": Entry(CASE, NONE, method="post", kwargs=lambda w: case(w, pk=w.attachment.pk)),
    "cases:case_file": Entry(CASE, NONE, kwargs=case),
    "cases:export": Entry(
        frozenset({Role.CASE_SUPERVISOR}), NONE, method="post",
        data=lambda w: {"format": "pdf", "case": w.case.code, "password": "una clave bastante larga"},
    ),
    # API
    "api-schema": Entry(ALL),
    "api-docs": Entry(ALL),
    "api:api-root": Entry(ALL),
    "api:country-list": Entry(ALL),
    "api:country-detail": Entry(ALL, kwargs=lambda w: {"iso2": "GT"}),
    "api:organisation-list": Entry(ALL),
    "api:organisation-detail": Entry(ALL, kwargs=org),
    "api:person-list": Entry(ALL),
    "api:person-detail": Entry(ALL, REGIONAL, kwargs=person),
    "api:presidency-term-list": Entry(ALL),
    "api:presidency-term-detail": Entry(ALL, kwargs=lambda w: {"pk": w.presidency.pk}),
    # Cases API: the same policy as the pages. Everyone may ask for the list (it is empty for
    # those who may see no case); everything about a case is the two countries' case roles'.
    "api:case-list": Entry(ALL),
    **{
        f"api:case-{sub}": Entry(CASE, NONE, kwargs=case)
        for sub in ("detail", "consents", "related-people", "approvals", "funding-requests",
                    "stage-history", "tasks", "follow-ups")
    },
    **{
        f"api:case-{step}": Entry(CASE, NONE, method="post", kwargs=case)
        for step in ("protect", "notify-consulate", "start-assessment", "decide-return", "request-origin",
                     "request-funding", "confirm-funding", "schedule-travel", "depart", "close", "suspend",
                     "resume", "choose-alternative", "cancel", "reopen")
    },
    # The origin's steps, on the case shared with Honduras: Guatemala cannot answer for it.
    **{
        f"api:case-{step}": Entry(NONE, CASE, method="post", kwargs=lambda w: {"code": w.shared_case.code})
        for step in ("accept", "decline", "assess-family", "receive", "start-reintegration")
    },
    "api:case-consent-withdraw": Entry(CASE, NONE, method="post", kwargs=lambda w: case(w, consent_id=w.consent.pk)),
    "api:case-consent-override": Entry(
        frozenset({Role.CASE_SUPERVISOR}), NONE, method="post", kwargs=case,
        data=lambda w: {"purpose": "share_funder", "reason": "The guardian cannot be reached; the return is urgent."},
    ),
    "api:case-approval-decide": Entry(
        frozenset({Role.CASE_SUPERVISOR}), NONE, method="post",
        kwargs=lambda w: case(w, approval_id=w.approval.pk), data=lambda w: {"approve": True},
    ),
    "api:case-follow-up-report": Entry(
        NONE, CASE, method="post",
        kwargs=lambda w: {"code": w.shared_case.code, "follow_up_id": w.follow_up.pk},
    ),
    "api:funding-request-list": Entry(frozenset({Role.PARTNER})),
    "api:funding-request-detail": Entry(CASE, NONE, kwargs=lambda w: {"pk": w.funding.pk}),
    # Committing is the addressed partner's step (none in the matrix); the owners may only
    # reconcile, and the other country nothing.
    "api:funding-request-advance": Entry(
        NONE, method="post", kwargs=lambda w: {"pk": w.funding.pk}, data=lambda w: {"state": "committed"}
    ),
    # Notifications: everyone's own inbox; someone else's notification is a 404 to all.
    "notifications:list": Entry(ALL),
    "notifications:read": Entry(NONE, method="post", kwargs=someone_elses_notification),
    "notifications:read_all": Entry(ALL, method="post"),
}


def test_every_url_has_an_entry():
    covered = set(MATRIX).union(*(m.keys() for m in module_matrices().values()))
    missing = sorted(url_names() - covered)
    assert missing == [], f"URL patterns without an entry in an authorisation matrix: {missing}"


def test_the_matrices_name_no_url_that_does_not_exist():
    named = [*MATRIX, *(n for m in module_matrices().values() for n in m)]
    assert sorted(set(named) - url_names()) == []
    assert len(named) == len(set(named)), "a URL name has entries in two matrices"


@pytest.fixture
def world(db) -> World:
    gt, hn = factories.country("GT"), factories.country("HN")
    organisation = factories.OrganisationFactory.create(country=gt, name="Procuraduría GT")
    factories.OrganisationFactory.create(country=hn, name="Procuraduría HN")
    someone = factories.user_with(Role.OBSERVER, "SV", username="token-owner")
    raw = ApiToken.generate()
    token = ApiToken.objects.create(user=someone, name="t", digest=ApiToken.digest_of(raw), hint=raw[:8])
    actors = case_actors("GT", "HN")
    worker = actors.worker
    child = case_services.case_open(
        actor=worker, destination_country=gt, data=case_data(origin="HN", organisation=worker.organisation)
    )
    shared = case_in_stage(Stage.REQUESTED_TO_ORIGIN)
    return World(
        organisation=organisation,
        person=factories.PersonFactory.create(organisation=organisation, visibility=Visibility.COUNTRY),
        membership=CoalitionMembership.objects.create(
            organisation=organisation, status="member", started_on=dt.date(2020, 1, 1)
        ),
        presidency=factories.PresidencyTermFactory.create(country=gt),
        secretariat=SecretariatTerm.objects.create(organisation=organisation, started_on=dt.date(2021, 1, 1)),
        audit_entry=audit_log(actor=None, username="system", action="test.entry"),
        token=token,
        case=child,
        consent=case_services.consent_record(actor=worker, case=child, purpose="share_funder", given_by="guardian"),
        approval=case_services.approval_request(actor=worker, case=child, kind="return_decision"),
        flag=child.flags.get(),
        funding=funding_request(child, actors),
        shared_case=shared,
        # Follow-ups are planned when reintegration starts; one is set up directly here.
        follow_up=FollowUp.objects.create(case=shared, months_after_return=3, due_on=dt.date(2026, 1, 1)),
        attachment=case_services.attachment_add(
            actor=worker, case=child, filename="informe.pdf", content=b"%PDF-1.4\n%%EOF\n", description="Informe"
        ),
    )


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_access(name, world, client, login):
    check_access(name, MATRIX[name], world, client, login)
