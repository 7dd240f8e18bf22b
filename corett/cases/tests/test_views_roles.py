"""Each role sees on a case page only the forms and buttons the policy lets it use; the country of
origin records the caregiver it assessed; a supervisor may share a case without the consent for
it, with a written reason, sealed and audited."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from corett import policy
from corett.audit.models import AuditEntry
from corett.cases import protocol, services
from corett.cases.models import ConsentOverride, RelatedPerson, RelatedRole, Stage
from corett.cases.tests.views_support import (  # noqa: F401  (fixtures)
    CANARY_FAMILY,
    CANARY_GIVEN,
    caseworker_sv_fixture,
    child_case_fixture,
    english,
    hn_contacts_fixture,
    our_fixture,
    shared_case_fixture,
    supervisor_hn_fixture,
)
from corett.testing.cases import raw_rows

REASON = "The guardian cannot be reached and the child's safety needs the country of origin now."


def _post_forms(html: str) -> set[str]:
    """The URL names of every form on the page (forms that post somewhere), and of the forms it
    offers on demand (fetched from the address they post to when their <details> opens)."""
    from django.urls import resolve

    actions = re.findall(r'<form method="post"[^>]*action="([^"]+)"', html)
    on_demand = re.findall(r'<details[^>]*hx-get="([^"]+)"', html)
    return {resolve(url).view_name for url in [*actions, *on_demand]}


SECTIONS = ("detail", "person", "coordination", "follow_up", "documents", "history")


def _record_html(client, case) -> str:
    """Every section of the case record, one after the other."""
    return "".join(client.get(reverse(f"cases:{slug}", args=[case.code])).content.decode() for slug in SECTIONS)


def _section(case, slug: str) -> str:
    return reverse(f"cases:{slug}", args=[case.code])


# What each form posts to, and what the policy says about it for a user and a case.
FORM_PERMISSIONS = {
    "cases:consent_add": "cases.change",
    "cases:consent_override": "cases.override_consent",
    "cases:approval_request": "cases.change",
    "cases:funding_request_add": "cases.change",
    "cases:attachment_add": "cases.change",
    "cases:origin_contacts": "cases.transition_origin",
}


class TestFormsPerRole:
    @pytest.mark.parametrize("who", ["caseworker_gt", "supervisor_gt", "caseworker_hn", "supervisor_hn"])
    def test_each_role_sees_only_the_forms_the_policy_lets_it_use(self, who, request, client_as, shared_case):
        user = request.getfixturevalue(who)
        html = _record_html(client_as(user), shared_case)
        forms = _post_forms(html)
        for name, action in FORM_PERMISSIONS.items():
            assert (name in forms) == policy.can(user, action, shared_case), (who, name)
        # Both sides add people (the origin: only the caregiver); only the owners edit the case.
        assert "cases:related_person_add" in forms
        edit_url = reverse("cases:edit", args=[shared_case.code])
        assert (f'href="{edit_url}"' in html) == who.endswith("_gt")

    def test_a_case_worker_is_not_offered_the_override_nor_decisions(self, client_as, caseworker_gt, shared_case):
        html = _record_html(english(client_as(caseworker_gt)), shared_case)
        assert "Share without the consent" not in html
        assert 'value="approve"' not in html

    def test_the_supervisor_is_offered_the_override_for_the_missing_sharing_only(
        self, client_as, supervisor_gt, shared_case
    ):
        response = english(client_as(supervisor_gt)).get(_section(shared_case, "person"))
        form = response.context["override_form"]
        # The case was shared with the country of origin with consent; a funder not yet.
        assert [value for value, _label in form.fields["purpose"].choices] == ["share_funder"]

    def test_the_origin_is_offered_the_caregiver_only(self, client_as, caseworker_hn, shared_case):
        client = english(client_as(caseworker_hn))
        assert "Record the caregiver you assessed" in client.get(_section(shared_case, "person")).content.decode()
        # The form itself comes when its <details> is opened (htmx), or on a page of its own.
        url = reverse("cases:related_person_add", args=[shared_case.code])
        for headers in ({"HX-Request": "true"}, {}):
            response = client.get(url, headers=headers)
            form = response.context["person_form"]
            assert [value for value, _label in form.fields["role"].choices] == [RelatedRole.CAREGIVER]
            assert ('id="id_person_role"' in response.content.decode()) and (
                ("<html" in response.content.decode()) == (not headers)
            )


class TestFormsOnDemand:
    """The case page's rarely used forms come from the address they post to, asked for by htmx
    when their <details> opens: the same policy as the POST, and nothing of the case shown."""

    def test_the_owners_get_the_funding_and_person_forms(self, client_as, caseworker_gt, shared_case):
        client = english(client_as(caseworker_gt))
        page = _record_html(client, shared_case)
        for name, field in (
            ("cases:funding_request_add", "id_funding_partner"), ("cases:related_person_add", "id_person_role")
        ):
            url = reverse(name, args=[shared_case.code])
            assert f'hx-get="{url}"' in page and f'id="{field}"' not in page
            fragment = client.get(url, headers={"HX-Request": "true"})
            assert fragment.status_code == 200 and f'id="{field}"' in fragment.content.decode()
            assert "<html" not in fragment.content.decode() and "HX-Request" in fragment["Vary"]
            # Without JavaScript, the link in the <details> opens the form on a page of its own.
            assert f'href="{url}"' in page and "<html" in client.get(url).content.decode()
        fragment = client.get(reverse("cases:related_person_add", args=[shared_case.code]), headers={"HX-Request": "true"})
        assert CANARY_GIVEN not in fragment.content.decode() and CANARY_FAMILY not in fragment.content.decode()

    def test_asking_for_a_form_is_not_audited_as_a_look_at_the_case(self, client_as, caseworker_gt, shared_case):
        client = client_as(caseworker_gt)  # signing in is audited
        before = AuditEntry.objects.count()
        assert client.get(reverse("cases:funding_request_add", args=[shared_case.code])).status_code == 200
        assert AuditEntry.objects.count() == before

    def test_the_origin_may_not_ask_for_the_funding_form(self, client_as, caseworker_hn, shared_case):
        url = reverse("cases:funding_request_add", args=[shared_case.code])
        assert client_as(caseworker_hn).get(url).status_code == 403
        assert AuditEntry.objects.filter(action="access.denied").exists()

    @pytest.mark.parametrize("name", ["cases:funding_request_add", "cases:related_person_add"])
    def test_another_country_does_not_learn_the_case_exists(
        self, name, client_as, caseworker_sv, focal_gt, shared_case
    ):
        url = reverse(name, args=[shared_case.code])
        assert client_as(caseworker_sv).get(url).status_code == 404
        assert client_as(focal_gt).get(url).status_code == 404


class TestOriginRecordsTheCaregiver:
    def test_the_origin_records_the_caregiver_it_assessed(self, client_as, caseworker_hn, shared_case):
        url = reverse("cases:related_person_add", args=[shared_case.code])
        response = client_as(caseworker_hn).post(url, {
            "role": "caregiver", "full_name": "Abuela Canaria", "relationship": "Grandmother",
            "agreed": "on", "able_to_care": "on", "assessment": "Favourable family assessment.",
        })
        assert response.status_code == 302
        person = RelatedPerson.objects.get(case=shared_case, role=RelatedRole.CAREGIVER)
        assert person.agreed and person.able_to_care
        entry = AuditEntry.objects.filter(action="cases.related_person.create").latest("id")
        assert entry.actor_id == caseworker_hn.pk and "Abuela" not in str(entry.extra)

    def test_the_origin_cannot_appoint_a_guardian_or_an_escort(self, client_as, caseworker_hn, shared_case):
        url = reverse("cases:related_person_add", args=[shared_case.code])
        before = RelatedPerson.objects.count()
        for role in ("guardian", "escort"):
            response = client_as(caseworker_hn).post(url, {"role": role, "full_name": "Someone"})
            assert response.status_code == 400
        assert RelatedPerson.objects.count() == before

    def test_the_caregiver_of_the_origin_makes_the_family_assessment_possible(
        self, caseworker_hn, supervisor_hn, shared_case, hn_contacts
    ):
        case = services.case_accept(
            actor=caseworker_hn, case=shared_case, contact=hn_contacts[0], alternate=hn_contacts[1]
        )
        assert case.stage == Stage.ACCEPTED_BY_ORIGIN
        services.related_person_add(actor=caseworker_hn, case=case, data={
            "role": "caregiver", "full_name": "Abuela", "agreed": True, "able_to_care": True,
        })
        case = services.case_transition(actor=supervisor_hn, case=case, name="assess_family")
        assert case.stage == Stage.FAMILY_ASSESSED


class TestConsentOverride:
    def url(self, case) -> str:
        return reverse("cases:consent_override", args=[case.code])

    def test_a_case_worker_may_not_override(self, client_as, caseworker_gt, shared_case):
        response = client_as(caseworker_gt).post(self.url(shared_case), {"purpose": "share_funder", "reason": REASON})
        assert response.status_code == 403
        assert not ConsentOverride.objects.exists()

    def test_the_origin_may_not_override(self, client_as, supervisor_hn, shared_case):
        response = client_as(supervisor_hn).post(self.url(shared_case), {"purpose": "share_funder", "reason": REASON})
        assert response.status_code == 403
        assert not ConsentOverride.objects.exists()

    def test_a_reason_is_required_and_said_at_the_field(self, client_as, supervisor_gt, shared_case):
        client = english(client_as(supervisor_gt))
        for reason in ("", "urgent"):
            response = client.post(self.url(shared_case), {"purpose": "share_funder", "reason": reason})
            assert response.status_code == 400
            assert response.context["override_form"].errors["reason"]
        assert not ConsentOverride.objects.exists()

    def test_a_consent_already_given_needs_no_override(self, client_as, supervisor_gt, shared_case):
        response = english(client_as(supervisor_gt)).post(
            self.url(shared_case), {"purpose": "share_origin", "reason": REASON}
        )
        assert response.status_code == 400
        assert "nothing to override" in str(response.context["override_form"].errors["purpose"])
        assert not ConsentOverride.objects.exists()

    def test_processing_and_return_cannot_be_overridden(self, supervisor_gt, shared_case):
        from django.core.exceptions import ValidationError

        for purpose in ("processing", "return"):
            with pytest.raises(ValidationError):
                services.consent_override(actor=supervisor_gt, case=shared_case, purpose=purpose, reason=REASON)

    def test_the_override_lets_the_funding_request_go_sealed_and_audited(
        self, client_as, supervisor_gt, caseworker_gt, shared_case, our
    ):
        assert not protocol.CONSENT_SHARE_FUNDER.holds(shared_case, {})
        response = client_as(supervisor_gt).post(self.url(shared_case), {"purpose": "share_funder", "reason": REASON})
        assert response.status_code == 302
        override = ConsentOverride.objects.get(case=shared_case)
        assert override.by == supervisor_gt and override.reason == REASON
        # Sealed at rest; the audit entry names the purpose, never the reason.
        assert REASON.encode() not in (raw_rows(ConsentOverride)[override.pk]["reason"] or b"")
        entry = AuditEntry.objects.filter(action="cases.consent.override").get()
        assert entry.extra == {"purpose": "share_funder"} and REASON not in str(entry.changed_fields)
        funding = services.funding_request_create(
            actor=caseworker_gt, case=shared_case, partner=our,
            data={"currency": "USD", "items": [{"description": "Air fare", "amount": "300.00"}]},
        )
        assert funding.pk
        # The owners see the decision in the section about the person, with its reason.
        html = english(client_as(caseworker_gt)).get(_section(shared_case, "person")).content.decode()
        assert "Shared without the consent" in html and "cannot be reached" in html

    def test_the_override_replaces_a_missing_consent_to_share_with_the_origin(
        self, supervisor_gt, caseworker_gt, child_case
    ):
        case = bring_to_request_without_sharing_consent(child_case, caseworker_gt, supervisor_gt)
        with pytest.raises(protocol.TransitionRefused):
            services.case_transition(actor=caseworker_gt, case=case, name="request_origin")
        services.consent_override(actor=supervisor_gt, case=case, purpose="share_origin", reason=REASON)
        case = services.case_transition(actor=caseworker_gt, case=case, name="request_origin")
        assert case.stage == Stage.REQUESTED_TO_ORIGIN


def bring_to_request_without_sharing_consent(case, worker, supervisor):
    """Up to the return decision, with every consent but the one to share with the origin."""
    for purpose in ("processing", "return"):
        services.consent_record(actor=worker, case=case, purpose=purpose, given_by="guardian")
    services.related_person_add(actor=worker, case=case, data={"role": "guardian", "full_name": "Guardiana"})
    for name in ("protect", "notify_consulate", "start_assessment"):
        case = services.case_transition(actor=worker, case=case, name=name)
    case = services.case_update(actor=worker, case=case, data={"status_decided_by": "Police"})
    approval = services.approval_request(actor=worker, case=case, kind="return_decision")
    services.approval_decide(actor=supervisor, approval=approval, approve=True)
    return services.case_transition(actor=worker, case=case, name="decide_return")


class TestTheApi:
    """The same rules through /api/v1/cases/."""

    def test_a_supervisor_overrides_through_the_api_and_a_case_worker_may_not(
        self, caseworker_gt, supervisor_gt, shared_case
    ):
        from corett.cases.tests.api_support import Api, case_url

        url = case_url("consent-override", shared_case)
        assert Api(caseworker_gt).post(url, {"purpose": "share_funder", "reason": REASON}).status_code == 403
        short = Api(supervisor_gt).post(url, {"purpose": "share_funder", "reason": "urgent"})
        assert short.status_code == 400 and "reason" in short.json()
        assert not ConsentOverride.objects.exists()
        response = Api(supervisor_gt).post(url, {"purpose": "share_funder", "reason": REASON})
        assert response.status_code == 201, response.json()
        assert response.json()["purpose"] == "share_funder" and "reason" not in response.json()
        assert ConsentOverride.objects.get().reason == REASON

    def test_the_origin_records_its_caregiver_through_the_api_but_no_guardian(self, caseworker_hn, shared_case):
        from corett.cases.tests.api_support import Api, case_url

        api = Api(caseworker_hn)
        url = case_url("related-people", shared_case)
        assert api.post(url, {"role": "guardian", "full_name": "Someone"}).status_code == 403
        response = api.post(url, {"role": "caregiver", "full_name": "Abuela", "agreed": True, "able_to_care": True})
        assert response.status_code == 201, response.json()
        assert RelatedPerson.objects.filter(case=shared_case, role="caregiver").count() == 1
