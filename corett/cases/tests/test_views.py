"""The case pages: who reaches what, what the lists show (never a name), and what bad input does."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from corett.audit.models import AuditEntry
from corett.cases import services
from corett.cases.models import (
    IDENTITY_FIELDS,
    Case,
    Consent,
    Flag,
    FundingRequest,
    FundingState,
    Stage,
    Task,
)
from corett.cases.tests.views_support import (  # noqa: F401  (fixtures)
    CANARY_FAMILY,
    CANARY_GIVEN,
    caseworker_sv_fixture,
    child_case_fixture,
    english,
    hn_contacts_fixture,
    open_case,
    other_partner_fixture,
    our_fixture,
    partner_our_fixture,
    shared_case_fixture,
    supervisor_hn_fixture,
)
from corett.testing import factories

pytestmark = pytest.mark.django_db

ALL_USERS = [
    "admin_user", "secretariat_user", "presidency_user", "observer_user", "partner_user",
    "focal_gt", "focal_hn", "caseworker_gt", "caseworker_hn", "supervisor_gt", "trainer_gt",
]
CASE_USERS = {"caseworker_gt", "caseworker_hn", "supervisor_gt"}
NO_CASE_USERS = [u for u in ALL_USERS if u not in CASE_USERS]


def case_urls(case: Case) -> list[tuple[str, str]]:
    """Every URL of one case, with the method it answers to."""
    code = case.code
    consent = case.consents.first()
    approval = case.approvals.first()
    flag = case.flags.first()
    return [
        ("get", reverse("cases:detail", args=[code])),
        ("get", reverse("cases:edit", args=[code])),
        ("post", reverse("cases:edit", args=[code])),
        ("post", reverse("cases:transition", args=[code, "protect"])),
        ("post", reverse("cases:consent_add", args=[code])),
        ("post", reverse("cases:consent_withdraw", args=[code, consent.pk if consent else 1])),
        ("post", reverse("cases:related_person_add", args=[code])),
        ("post", reverse("cases:approval_request", args=[code])),
        ("post", reverse("cases:approval_decide", args=[code, approval.pk if approval else 1])),
        ("post", reverse("cases:origin_contacts", args=[code])),
        ("post", reverse("cases:funding_request_add", args=[code])),
        ("post", reverse("cases:follow_up_report", args=[code, 1])),
        ("post", reverse("cases:flag_resolve", args=[code, flag.pk if flag else 1])),
    ]


def _tampered(code: str) -> str:
    last = "2" if code[-1] != "2" else "3"
    return code[:-1] + last


# --- Who reaches what --------------------------------------------------------------------------


class TestAccess:
    @pytest.mark.parametrize("name", ["cases:list", "cases:overdue", "cases:open"])
    def test_only_case_workers_and_supervisors_reach_the_lists_and_the_form(
        self, name, client_as, request, gt, hn
    ):
        for fixture in ALL_USERS:
            status = client_as(request.getfixturevalue(fixture)).get(reverse(name)).status_code
            assert status == (200 if fixture in CASE_USERS else 403), fixture

    def test_anonymous_visitors_are_sent_to_the_login_page(self, client, child_case):
        for method, url in [("get", "/cases/"), ("get", "/cases/funding/"), *case_urls(child_case)]:
            response = getattr(client, method)(url)
            assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url

    def test_every_case_url_is_a_404_for_roles_that_never_see_cases(self, client_as, request, child_case):
        for fixture in NO_CASE_USERS:
            client = client_as(request.getfixturevalue(fixture))
            for method, url in case_urls(child_case):
                assert getattr(client, method)(url).status_code == 404, (fixture, method, url)

    def test_the_origin_gets_404_on_every_case_url_until_the_formal_request(
        self, client_as, caseworker_hn, supervisor_hn, child_case, caseworker_gt, supervisor_gt
    ):
        for user in (caseworker_hn, supervisor_hn):
            client = client_as(user)
            for method, url in case_urls(child_case):
                assert getattr(client, method)(url).status_code == 404, (user, method, url)
            assert child_case.code not in client.get("/cases/").content.decode()

        from corett.cases.tests.views_support import bring_to_request

        shared = bring_to_request(child_case, caseworker_gt, supervisor_gt)
        client = client_as(caseworker_hn)
        assert client.get(shared.get_absolute_url()).status_code == 200
        assert shared.code in client.get("/cases/").content.decode()
        # The origin answers the request; it does not edit the destination's case.
        assert client.get(reverse("cases:edit", args=[shared.code])).status_code == 403

    def test_a_third_country_never_sees_the_case(self, client_as, caseworker_sv, shared_case):
        client = client_as(caseworker_sv)
        for method, url in case_urls(shared_case):
            assert getattr(client, method)(url).status_code == 404, (method, url)
        assert shared_case.code not in client.get("/cases/").content.decode()

    def test_a_tampered_or_malformed_code_is_a_404(self, client_as, caseworker_gt, child_case):
        client = client_as(caseworker_gt)
        for code in (_tampered(child_case.code), child_case.code.lower(), "RP-0000-0000", "x" * 300):
            assert client.get(f"/cases/{code}/").status_code == 404, code
            assert client.post(f"/cases/{code}/transition/protect/").status_code == 404, code

    def test_an_unknown_step_or_record_is_a_404(self, client_as, caseworker_gt, caseworker_hn, shared_case):
        client = client_as(caseworker_gt)
        code = shared_case.code
        assert client.post(reverse("cases:transition", args=[code, "teleport"])).status_code == 404
        for name in ("consent_withdraw", "approval_decide", "flag_resolve"):
            assert client.post(reverse(f"cases:{name}", args=[code, 999999])).status_code == 404, name
        url = reverse("cases:follow_up_report", args=[code, 999999])
        assert client_as(caseworker_hn).post(url).status_code == 404

    def test_a_record_of_another_case_is_a_404(self, client_as, caseworker_gt, child_case, gt, hn):
        other = open_case(caseworker_gt, gt, hn)
        flag = other.flags.get()
        url = reverse("cases:flag_resolve", args=[child_case.code, flag.pk])
        assert client_as(caseworker_gt).post(url, {"resolution": "x"}).status_code == 404

    def test_pages_that_show_a_case_answer_get_only_and_steps_post_only(
        self, client_as, caseworker_gt, child_case
    ):
        client = client_as(caseworker_gt)
        assert client.post(child_case.get_absolute_url()).status_code == 405
        assert client.get(reverse("cases:transition", args=[child_case.code, "protect"])).status_code == 405
        assert client.get(reverse("cases:consent_add", args=[child_case.code])).status_code == 405


# --- The work list -----------------------------------------------------------------------------


class TestList:
    url = "/cases/"

    def test_it_never_shows_names(self, client_as, caseworker_gt, caseworker_hn, shared_case):
        for user in (caseworker_gt, caseworker_hn):
            for url in (self.url, "/cases/overdue/", f"{self.url}?q={shared_case.code}"):
                html = client_as(user).get(url).content.decode()
                assert CANARY_GIVEN not in html and CANARY_FAMILY not in html

    def test_it_shows_owned_and_incoming_cases_with_their_columns(
        self, client_as, caseworker_hn, shared_case, hn, gt, caseworker_gt
    ):
        owned = open_case(caseworker_hn, hn, gt, estimated_age=30, age_verified=True, citizenships=["GTM"])
        client = english(client_as(caseworker_hn))
        response = client.get(self.url)
        codes = [c.code for c in response.context["page"].object_list]
        assert set(codes) == {owned.code, shared_case.code}
        html = response.content.decode()
        assert "Requested to the country of origin" in html and "incoming" in html
        rows = {c.code: c for c in response.context["page"].object_list}
        assert rows[shared_case.code].is_child and not rows[owned.code].is_child
        assert rows[shared_case.code].next_due == shared_case.tasks.get(done_at__isnull=True).due_on
        assert [f.kind for f in rows[shared_case.code].open_flags] == ["urgent_child"]

        only_owned = client.get(self.url, {"side": "owned"}).context["page"].object_list
        assert [c.code for c in only_owned] == [owned.code]
        incoming = client.get(self.url, {"side": "incoming"}).context["page"].object_list
        assert [c.code for c in incoming] == [shared_case.code]

    def test_it_filters_by_stage_child_overdue_flag_and_code(self, client_as, caseworker_gt, gt, hn):
        child = open_case(caseworker_gt, gt, hn)
        adult = open_case(caseworker_gt, gt, hn, estimated_age=40, age_verified=True)
        unverified_adult = open_case(caseworker_gt, gt, hn, estimated_age=40)
        # Verified ages that only a sealed birth date tells (no age in the clear).
        today = timezone.localdate()
        born_adult = open_case(caseworker_gt, gt, hn, estimated_age=None, age_verified=True,
                               birth_date=today.replace(year=today.year - 30))
        born_child = open_case(caseworker_gt, gt, hn, estimated_age=None, age_verified=True,
                               birth_date=today.replace(year=today.year - 10))
        Flag.objects.filter(case__in=[born_adult, born_child]).update(resolved_at=timezone.now())
        Task.objects.filter(case=adult).update(due_on=timezone.localdate() - dt.timedelta(days=3))
        client = client_as(caseworker_gt)

        def codes(**params) -> set[str]:
            return {c.code for c in client.get(self.url, params).context["page"].object_list}

        # Until the age is verified, the person is treated as a child.
        assert codes(child="on") == {child.code, unverified_adult.code, born_child.code}
        rows = {c.code: c.is_child for c in client.get(self.url).context["page"].object_list}
        assert rows == {child.code: True, unverified_adult.code: True, born_child.code: True,
                        adult.code: False, born_adult.code: False}
        assert codes(overdue="on") == {adult.code}
        assert codes(flagged="on") == {child.code, unverified_adult.code}
        assert codes(stage=Stage.IDENTIFIED) == {
            child.code, adult.code, unverified_adult.code, born_adult.code, born_child.code
        }
        assert codes(stage=Stage.PROTECTED) == set()
        assert codes(q=adult.code.lower()) == {adult.code}
        assert codes(q=adult.code[3:7]) >= {adult.code}

    def test_the_age_of_a_birth_date_entered_in_the_form_makes_the_list_right(
        self, client_as, caseworker_gt, gt, hn
    ):
        client = client_as(caseworker_gt)
        data = _open_form(caseworker_gt, hn, birth_date="1990-01-01", estimated_age="", age_verified="on")
        response = client.post("/cases/new/", data)
        assert response.status_code == 302
        case = Case.objects.get()
        assert case.estimated_age is not None and case.estimated_age >= 18 and not case.is_child
        row = client.get(self.url).context["page"].object_list[0]
        assert not row.is_child

    def test_an_invalid_filter_is_ignored_not_an_error(self, client_as, caseworker_gt, child_case):
        response = client_as(caseworker_gt).get(self.url, {"stage": "nowhere", "page": "x"})
        assert response.status_code == 200
        assert [c.code for c in response.context["page"].object_list] == [child_case.code]

    def test_it_paginates(self, client_as, caseworker_gt, gt, hn):
        for _ in range(27):
            open_case(caseworker_gt, gt, hn)
        client = client_as(caseworker_gt)
        assert len(client.get(self.url).context["page"].object_list) == 25
        assert len(client.get(self.url, {"page": 2}).context["page"].object_list) == 2

    @pytest.mark.parametrize("params", [{}, {"flagged": "on", "child": "on", "stage": "identified"}])
    def test_its_query_count_is_pinned_and_does_not_grow_with_the_cases(
        self, params, client_as, caseworker_gt, gt, hn, django_assert_max_num_queries
    ):
        born = timezone.localdate().replace(year=timezone.localdate().year - 12)

        def add_cases(n: int) -> None:
            for i in range(n):
                # Half the ages in the clear, half only in a sealed birth date.
                sealed = {"estimated_age": None, "age_verified": True, "birth_date": born} if i % 2 else {}
                open_case(caseworker_gt, gt, hn, **sealed)

        add_cases(2)
        client = client_as(caseworker_gt)
        client.get(self.url)  # warm the session
        with CaptureQueriesContext(connection) as few:
            client.get(self.url, params)
        add_cases(28)
        with django_assert_max_num_queries(13), CaptureQueriesContext(connection) as many:
            response = client.get(self.url, params)
        assert len(response.context["page"].object_list) == 25
        assert len(many.captured_queries) == len(few.captured_queries)

    def test_the_list_never_reads_a_sealed_value(self, client_as, caseworker_gt, child_case):
        client = client_as(caseworker_gt)
        client.get(self.url)
        with CaptureQueriesContext(connection) as queries:
            client.get(self.url)
        case_queries = [q["sql"] for q in queries.captured_queries if '"cases_case"' in q["sql"]]
        assert case_queries
        for sql in case_queries:
            for name in IDENTITY_FIELDS:
                # Selected, the value would travel; only "is there a birth date" may be asked.
                assert f'"cases_case"."{name}",' not in sql and f'"cases_case"."{name}" FROM' not in sql


class TestOverdue:
    url = "/cases/overdue/"

    def test_it_lists_past_due_tasks_of_visible_cases_by_stage(
        self, client_as, caseworker_gt, caseworker_hn, gt, hn, shared_case
    ):
        late = open_case(caseworker_gt, gt, hn)
        Task.objects.filter(case__in=[late, shared_case], done_at__isnull=True).update(
            due_on=timezone.localdate() - dt.timedelta(days=5)
        )
        hidden = open_case(caseworker_gt, gt, hn)
        Task.objects.filter(case=hidden).update(due_on=timezone.localdate() - dt.timedelta(days=5))
        response = english(client_as(caseworker_gt)).get(self.url)
        tasks = list(response.context["page"].object_list)
        assert {t.case.code for t in tasks} == {late.code, shared_case.code, hidden.code}
        # Protocol order: identified before requested to the country of origin.
        assert tasks[-1].case.code == shared_case.code
        assert tasks[0].days_late == 5
        assert response.context["total"] == 3

        # Honduras sees the task of the case shared with it, not Guatemala's own ones.
        tasks = client_as(caseworker_hn).get(self.url).context["page"].object_list
        assert [t.case.code for t in tasks] == [shared_case.code]

    def test_its_query_count_is_pinned(self, client_as, caseworker_gt, gt, hn, django_assert_max_num_queries):
        for _ in range(10):
            open_case(caseworker_gt, gt, hn)
        Task.objects.update(due_on=timezone.localdate() - dt.timedelta(days=1))
        client = client_as(caseworker_gt)
        client.get(self.url)
        with django_assert_max_num_queries(12):
            assert len(client.get(self.url).context["page"].object_list) == 10


# --- Opening and editing -----------------------------------------------------------------------


def _open_form(user, origin, **overrides) -> dict:
    data = {
        "given_name": "Marisol", "family_name": "Canaria", "other_names": "",
        "birth_date": "", "estimated_age": "14", "sex": "female", "gender": "Feminine",
        "citizenships": ["HND"], "languages": ["es", "cab"],
        "identifying_organisation": user.organisation_id, "origin_country": origin.pk,
        "identified_on": (timezone.localdate() - dt.timedelta(days=2)).isoformat(),
        "risk_level": "high", "trafficking_status": "PossibleVictimOfTrafficking",
        "status_decided_by": "", "forms_of_exploitation": ["SexualExploitation"],
        "methods_of_control": ["FalsePromises", "WithholdsDocuments"], "recruiter_relationship": "Acquainted",
        "contact": "", "address": "", "narrative": "Encontrada en un operativo.",
        "documents-TOTAL_FORMS": "2", "documents-INITIAL_FORMS": "0",
        "documents-MIN_NUM_FORMS": "0", "documents-MAX_NUM_FORMS": "10",
        "documents-0-kind": "birth_certificate", "documents-0-number": "0801-2011-00001",
        "documents-0-issuer": "RNP Honduras",
        "documents-1-kind": "", "documents-1-number": "", "documents-1-issuer": "",
    }
    data.update(overrides)
    return data


class TestOpen:
    url = "/cases/new/"

    def test_it_opens_a_case_in_the_users_country_and_shows_it(self, client_as, caseworker_gt, gt, hn):
        client = english(client_as(caseworker_gt))
        response = client.post(self.url, _open_form(caseworker_gt, hn))
        case = Case.objects.get()
        assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
        assert case.destination_country == gt and case.origin_country == hn
        assert case.given_name == "Marisol" and case.gender == "Feminine"
        assert case.documents == [{"type": "birth_certificate", "number": "0801-2011-00001", "issuer": "RNP Honduras"}]
        assert case.languages == ["es", "cab"] and case.citizenships == ["HND"]
        assert case.methods_of_control == ["FalsePromises", "WithholdsDocuments"]
        assert case.flags.filter(kind="urgent_child").exists()
        entry = AuditEntry.objects.get(action="cases.case.create")
        assert "Marisol" not in str(entry.content())
        page = client.get(section(case, "person")).content.decode()
        assert "Marisol" in page and "Birth certificate" in page and "Garifuna" in page

    def test_it_offers_only_own_organisations_and_other_member_countries(self, client_as, caseworker_gt, gt, hn):
        factories.OrganisationFactory.create(country=hn, name="Organización hondureña")
        form = client_as(caseworker_gt).get(self.url).context["form"]
        assert {o.country_id for o in form.fields["identifying_organisation"].queryset} == {gt.pk}
        assert list(form.fields["origin_country"].queryset) == [hn]
        codes = [code for code, _label in form.fields["citizenships"].choices]
        assert {"BLZ", "CRI", "SLV", "GTM", "HND", "MEX", "NIC", "PAN", "DOM"} <= set(codes)

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"birth_date": "2999-01-01"}, "birth_date"),
            ({"birth_date": "1800-01-01"}, "birth_date"),
            ({"identified_on": "2999-01-01"}, "identified_on"),
            ({"birth_date": "", "estimated_age": ""}, "estimated_age"),
            ({"estimated_age": "300"}, "estimated_age"),
            ({"origin_country": "99999"}, "origin_country"),
            ({"citizenships": ["hnd"]}, "citizenships"),
            ({"citizenships": ["QQQ"]}, "citizenships"),
            ({"forms_of_exploitation": ["Piracy"]}, "forms_of_exploitation"),
            ({"given_name": ""}, "given_name"),
            ({"identifying_organisation": "99999"}, "identifying_organisation"),
        ],
    )
    def test_bad_input_is_reported_at_the_field_and_nothing_is_saved(
        self, overrides, field, client_as, caseworker_gt, gt, hn
    ):
        client = english(client_as(caseworker_gt))
        response = client.post(self.url, _open_form(caseworker_gt, hn, **overrides))
        assert response.status_code == 200
        assert field in response.context["form"].errors, response.context["form"].errors
        assert 'aria-invalid="true"' in response.content.decode()
        assert Case.objects.count() == 0 and AuditEntry.objects.filter(action="cases.case.create").count() == 0

    def test_the_origin_cannot_be_the_destination(self, client_as, caseworker_gt, gt, hn):
        client = english(client_as(caseworker_gt))
        response = client.post(self.url, _open_form(caseworker_gt, gt))
        assert "origin_country" in response.context["form"].errors
        assert Case.objects.count() == 0

    def test_a_future_birth_date_says_so_in_the_users_language(self, client_as, caseworker_gt, hn):
        response = english(client_as(caseworker_gt)).post(
            self.url, _open_form(caseworker_gt, hn, birth_date="2999-01-01")
        )
        assert response.context["form"].errors["birth_date"] == ["The birth date cannot be in the future."]

    def test_a_document_without_a_type_is_refused(self, client_as, caseworker_gt, hn):
        response = client_as(caseworker_gt).post(
            self.url, _open_form(caseworker_gt, hn, **{"documents-1-number": "123"})
        )
        assert response.status_code == 200 and response.context["documents"].errors[1]
        assert Case.objects.count() == 0

    def test_a_missing_management_form_is_an_error_not_a_crash(self, client_as, caseworker_gt, hn):
        data = {k: v for k, v in _open_form(caseworker_gt, hn).items() if not k.startswith("documents-")}
        response = client_as(caseworker_gt).post(self.url, data)
        assert response.status_code == 200 and Case.objects.count() == 0


class TestEdit:
    def test_the_owners_edit_the_case_and_only_changed_fields_are_audited(
        self, client_as, caseworker_gt, child_case
    ):
        client = client_as(caseworker_gt)
        url = reverse("cases:edit", args=[child_case.code])
        form = client.get(url).context["form"]
        data = {name: form[name].value() for name in form.fields}
        data = {k: ("" if v is None else v) for k, v in data.items()}
        data.update({"given_name": "Nuevo", "status_decided_by": "Police", "documents-TOTAL_FORMS": "2",
                     "documents-INITIAL_FORMS": "0", "documents-MIN_NUM_FORMS": "0",
                     "documents-MAX_NUM_FORMS": "10"})
        data["age_verified"] = ""
        response = client.post(url, data)
        assert response.status_code == 302
        child_case.refresh_from_db()
        assert child_case.given_name == "Nuevo" and child_case.status_decided_by == "Police"
        entry = AuditEntry.objects.get(action="cases.case.update")
        assert entry.changed_fields == ["given_name", "status_decided_by"]

    def test_bad_input_changes_nothing(self, client_as, caseworker_gt, child_case):
        client = client_as(caseworker_gt)
        url = reverse("cases:edit", args=[child_case.code])
        form = client.get(url).context["form"]
        data = {name: ("" if form[name].value() is None else form[name].value()) for name in form.fields}
        data.update({"birth_date": "2999-01-01", "given_name": "Cambiado", "documents-TOTAL_FORMS": "0",
                     "documents-INITIAL_FORMS": "0"})
        response = client.post(url, data)
        assert response.status_code == 200 and "birth_date" in response.context["form"].errors
        child_case.refresh_from_db()
        assert child_case.given_name == CANARY_GIVEN

    def test_documents_are_kept_edited_and_removed(self, client_as, caseworker_gt, gt, hn):
        case = open_case(caseworker_gt, gt, hn, documents=[
            {"type": "safe_conduct", "number": "SC-1", "issued_by": "HND"},
            {"type": "passport", "number": "P-2", "issuer": "Honduras"},
        ])
        client = client_as(caseworker_gt)
        url = reverse("cases:edit", args=[case.code])

        def as_posted(response, **changes) -> dict:
            form, documents = response.context["form"], response.context["documents"]
            data = {name: ("" if form[name].value() is None else form[name].value()) for name in form.fields}
            data["age_verified"] = "on" if form["age_verified"].value() else ""
            data.update({f"documents-{k}": v for k, v in documents.management_form.initial.items()})
            for i, document in enumerate(documents.forms):
                for name in ("kind", "number", "issuer"):
                    data[f"documents-{i}-{name}"] = document[name].value() or ""
            data.update(changes)
            return data

        # Saved untouched, a document of a type the list does not know is kept as it is.
        assert client.post(url, as_posted(client.get(url))).status_code == 302
        case.refresh_from_db()
        assert case.documents == [
            {"type": "safe_conduct", "number": "SC-1", "issuer": "HND"},
            {"type": "passport", "number": "P-2", "issuer": "Honduras"},
        ]

        response = client.post(url, as_posted(client.get(url), **{"documents-1-number": "P-3", "documents-0-DELETE": "on"}))
        assert response.status_code == 302
        case.refresh_from_db()
        assert case.documents == [{"type": "passport", "number": "P-3", "issuer": "Honduras"}]

    def test_the_country_of_origin_is_fixed_once_the_case_is_shared(self, client_as, caseworker_gt, shared_case):
        form = client_as(caseworker_gt).get(reverse("cases:edit", args=[shared_case.code])).context["form"]
        assert form.fields["origin_country"].disabled

    def test_opening_the_edit_form_is_recorded_as_a_look(self, client_as, caseworker_gt, child_case):
        client_as(caseworker_gt).get(reverse("cases:edit", args=[child_case.code]))
        assert AuditEntry.objects.filter(action="cases.case.view", object_id=str(child_case.pk)).count() == 1


# --- The case page -----------------------------------------------------------------------------


def section(case: Case, slug: str) -> str:
    """The address of a section of the case record ("detail" is the overview)."""
    return reverse(f"cases:{slug}", args=[case.code])


SECTION_SLUGS = ("detail", "person", "coordination", "follow_up", "documents", "history")


class TestDetail:
    def test_each_look_is_audited_with_its_section_and_shown_to_the_owners_only(
        self, client_as, caseworker_gt, caseworker_hn, shared_case
    ):
        origin = english(client_as(caseworker_hn))
        origin.get(section(shared_case, "person"))
        views = AuditEntry.objects.filter(action="cases.case.view", object_id=str(shared_case.pk))
        assert [e.actor_username for e in views] == [caseworker_hn.username]
        assert views.get().extra == {"identity": True, "section": "person"}
        # The overview does not show the identity, and its look is recorded so.
        origin.get(shared_case.get_absolute_url())
        assert views.latest("id").extra == {"identity": False, "section": "detail"}
        origin_history = origin.get(section(shared_case, "history"))
        assert origin_history.context["access_log"] is None and "access-log" not in origin_history.content.decode()

        english(client_as(caseworker_gt)).get(section(shared_case, "coordination"))
        owner = english(client_as(caseworker_gt)).get(section(shared_case, "history"))
        log = owner.context["access_log"]
        assert log[0]["actor"] == caseworker_gt.username  # this very look comes first
        assert [row["label"] for row in log[:2]] == ["Viewed: History", "Viewed: Coordination"]
        assert caseworker_hn.username in [row["actor"] for row in log]
        html = owner.content.decode()
        assert "Access log" in html and "Viewed, with the person&#x27;s identity" in html
        assert "Step: Send the formal request to the country of origin" in html

    def test_both_countries_see_the_identity_in_the_section_about_the_person_only(
        self, client_as, caseworker_gt, caseworker_hn, shared_case
    ):
        for user in (caseworker_gt, caseworker_hn):
            client = client_as(user)
            assert CANARY_GIVEN in client.get(section(shared_case, "person")).content.decode()
            for slug in SECTION_SLUGS:
                if slug != "person":
                    assert CANARY_GIVEN not in client.get(section(shared_case, slug)).content.decode(), slug

    def test_every_section_links_to_the_others_and_marks_itself(self, client_as, caseworker_gt, shared_case):
        client = english(client_as(caseworker_gt))
        for slug in SECTION_SLUGS:
            response = client.get(section(shared_case, slug))
            assert response.status_code == 200
            html = response.content.decode()
            tabs = html[html.index('<ul class="nav nav-tabs">'):]
            tabs = tabs[:tabs.index("</ul>")]
            for other in SECTION_SLUGS:
                assert f'href="{section(shared_case, other)}"' in tabs
            assert tabs.count('aria-current="page"') == 1
            assert f'href="{section(shared_case, slug)}" aria-current="page"' in tabs
            # Every section says where the case stands.
            assert shared_case.code in html and "Requested to the country of origin" in html

    def test_it_marks_the_current_stage_and_lists_unmet_guards_before_any_click(
        self, client_as, caseworker_gt, child_case
    ):
        response = english(client_as(caseworker_gt)).get(child_case.get_absolute_url())
        html = response.content.decode()
        assert 'aria-current="step"' in html
        current = [s for s in response.context["steps"] if s["state"] == "current"]
        assert [s["stage"] for s in current] == [Stage.IDENTIFIED]
        options = {o["transition"].name: o for o in response.context["transitions"]}
        assert set(options) == {"protect", "suspend", "choose_alternative", "cancel"}
        assert options["protect"]["unmet"] == ["The consent to process personal data has not been recorded."]
        # A reason is asked for by the form, not reported as missing.
        assert options["suspend"]["unmet"] == []
        assert "The consent to process personal data has not been recorded." in html

    def test_the_origin_is_offered_only_its_own_steps(self, client_as, caseworker_hn, shared_case):
        response = client_as(caseworker_hn).get(shared_case.get_absolute_url())
        names = {o["transition"].name for o in response.context["transitions"]}
        assert names == {"accept", "decline"}
        accept = next(o for o in response.context["transitions"] if o["transition"].name == "accept")
        assert len(accept["unmet"]) == 1

    @pytest.mark.parametrize("slug", SECTION_SLUGS)
    def test_its_query_count_is_pinned_and_does_not_grow_with_the_history(
        self, client_as, caseworker_gt, child_case, django_assert_max_num_queries, slug
    ):
        client = client_as(caseworker_gt)
        client.get(section(child_case, slug))
        with CaptureQueriesContext(connection) as before:
            client.get(section(child_case, slug))
        for purpose in ("processing", "return", "share_origin", "share_funder"):
            Consent.objects.create(case=child_case, purpose=purpose, given_by="guardian", recorded_by=caseworker_gt)
        for _ in range(5):
            client.post(reverse("cases:consent_add", args=[child_case.code]),
                        {"purpose": "processing", "given_by": "person"})
        with django_assert_max_num_queries(28), CaptureQueriesContext(connection) as after:
            client.get(section(child_case, slug))
        assert len(after.captured_queries) == len(before.captured_queries)


class TestTransitions:
    def test_unmet_guards_are_shown_and_nothing_changes(self, client_as, caseworker_gt, child_case):
        client = english(client_as(caseworker_gt))
        changes = child_case.stage_changes.count()
        response = client.post(reverse("cases:transition", args=[child_case.code, "protect"]))
        assert response.status_code == 409
        assert "The consent to process personal data has not been recorded." in response.content.decode()
        assert response.context["refused"] == {
            "protect": ["The consent to process personal data has not been recorded."]
        }
        child_case.refresh_from_db()
        assert child_case.stage == Stage.IDENTIFIED and child_case.stage_changes.count() == changes
        assert not AuditEntry.objects.filter(action="cases.transition.protect").exists()

    def test_a_step_from_the_wrong_stage_is_refused_with_the_reason(self, client_as, caseworker_gt, child_case):
        response = english(client_as(caseworker_gt)).post(
            reverse("cases:transition", args=[child_case.code, "close"])
        )
        assert response.status_code == 409
        assert "This step is not possible from the stage “Identified”." in response.content.decode()

    def test_a_step_of_the_other_side_is_forbidden(self, client_as, caseworker_gt, caseworker_hn, shared_case):
        assert client_as(caseworker_gt).post(
            reverse("cases:transition", args=[shared_case.code, "accept"])
        ).status_code == 403
        assert client_as(caseworker_hn).post(
            reverse("cases:transition", args=[shared_case.code, "suspend"]), {"reason": "x"}
        ).status_code == 403
        shared_case.refresh_from_db()
        assert shared_case.stage == Stage.REQUESTED_TO_ORIGIN

    def test_a_step_that_needs_a_reason_takes_it_from_the_form(self, client_as, caseworker_gt, child_case):
        client = english(client_as(caseworker_gt))
        url = reverse("cases:transition", args=[child_case.code, "suspend"])
        response = client.post(url, {"reason": "  "})
        assert response.status_code == 409 and "Give a reason." in response.content.decode()
        response = client.post(url, {"reason": "Orden judicial"})
        assert response.status_code == 302 and response["Location"].endswith("#stage")
        child_case.refresh_from_db()
        assert child_case.stage == Stage.SUSPENDED and child_case.resume_stage == Stage.IDENTIFIED
        page = client.get(child_case.get_absolute_url())
        assert {o["transition"].name for o in page.context["transitions"]} == {"resume", "cancel"}
        assert client.post(reverse("cases:transition", args=[child_case.code, "resume"])).status_code == 302
        child_case.refresh_from_db()
        assert child_case.stage == Stage.IDENTIFIED

    def test_an_alternative_solution_must_be_one_of_the_choices(self, client_as, caseworker_gt, child_case):
        client = english(client_as(caseworker_gt))
        url = reverse("cases:transition", args=[child_case.code, "choose_alternative"])
        response = client.post(url, {"alternative": "moon"})
        option = next(o for o in response.context["transitions"] if o["transition"].name == "choose_alternative")
        assert response.status_code == 400 and "alternative" in option["form"].errors
        assert client.post(url, {"alternative": "asylum"}).status_code == 302
        child_case.refresh_from_db()
        assert child_case.stage == Stage.ALTERNATIVE_SOLUTION and child_case.alternative_solution == "asylum"


class TestConsentsPeopleApprovalsFlags:
    def test_consents_are_recorded_and_withdrawn(self, client_as, caseworker_gt, child_case):
        client = client_as(caseworker_gt)
        response = client.post(reverse("cases:consent_add", args=[child_case.code]),
                               {"purpose": "processing", "given_by": "guardian"})
        assert response.status_code == 302
        consent = child_case.consents.get()
        response = client.post(reverse("cases:consent_withdraw", args=[child_case.code, consent.pk]))
        assert response.status_code == 302
        consent.refresh_from_db()
        assert consent.withdrawn_at is not None
        again = client.post(reverse("cases:consent_withdraw", args=[child_case.code, consent.pk]))
        assert again.status_code == 302
        assert AuditEntry.objects.filter(action="cases.consent.withdraw").count() == 1

    def test_a_bad_consent_is_reported_at_its_field(self, client_as, caseworker_gt, child_case):
        response = english(client_as(caseworker_gt)).post(
            reverse("cases:consent_add", args=[child_case.code]), {"purpose": "everything", "given_by": "person"}
        )
        assert response.status_code == 400
        assert "purpose" in response.context["consent_form"].errors
        assert not child_case.consents.exists()

    def test_the_origin_does_not_record_consents(self, client_as, caseworker_hn, shared_case):
        response = client_as(caseworker_hn).post(
            reverse("cases:consent_add", args=[shared_case.code]), {"purpose": "return", "given_by": "person"}
        )
        assert response.status_code == 403

    def test_a_related_person_is_added_and_a_future_appointment_refused(
        self, client_as, caseworker_gt, child_case
    ):
        client = english(client_as(caseworker_gt))
        url = reverse("cases:related_person_add", args=[child_case.code])
        response = client.post(url, {"role": "guardian", "full_name": "Tutora", "appointed_on": "2999-01-01"})
        assert response.status_code == 400
        assert "appointed_on" in response.context["person_form"].errors
        assert 'aria-invalid="true"' in response.content.decode()
        response = client.post(url, {"role": "caregiver", "full_name": "Abuela", "agreed": "on",
                                     "able_to_care": "on", "assessment": "Apta"})
        assert response.status_code == 302
        person = child_case.related_people.get()
        assert person.full_name == "Abuela" and person.agreed and person.able_to_care

    def test_nobody_decides_their_own_request(self, client_as, caseworker_gt, supervisor_gt, child_case):
        client = client_as(supervisor_gt)
        assert client.post(reverse("cases:approval_request", args=[child_case.code]),
                           {"kind": "closure"}).status_code == 302
        approval = child_case.approvals.get()
        url = reverse("cases:approval_decide", args=[child_case.code, approval.pk])
        page = client.get(section(child_case, "coordination"))
        assert not page.context["approvals"][0].may_decide
        assert client.post(url, {"decision": "approve"}).status_code == 403
        # A case worker does not decide either.
        assert client_as(caseworker_gt).post(url, {"decision": "approve"}).status_code == 403
        approval.refresh_from_db()
        assert approval.state == "pending"

    def test_a_supervisor_decides_a_case_workers_request_once(
        self, client_as, caseworker_gt, supervisor_gt, child_case
    ):
        english(client_as(caseworker_gt)).post(
            reverse("cases:approval_request", args=[child_case.code]), {"kind": "return_decision"}
        )
        duplicate = client_as(caseworker_gt).post(
            reverse("cases:approval_request", args=[child_case.code]), {"kind": "return_decision"}
        )
        assert duplicate.status_code == 400 and child_case.approvals.count() == 1
        approval = child_case.approvals.get()
        client = english(client_as(supervisor_gt))
        assert client.get(section(child_case, "coordination")).context["approvals"][0].may_decide
        url = reverse("cases:approval_decide", args=[child_case.code, approval.pk])
        assert client.post(url, {"decision": "maybe"}).status_code == 400
        assert client.post(url, {"decision": "reject"}).status_code == 302
        approval.refresh_from_db()
        assert approval.state == "rejected" and approval.decided_by == supervisor_gt
        again = client.post(url, {"decision": "approve"})
        assert again.status_code == 400 and "This request has already been decided." in again.content.decode()

    def test_a_flag_is_resolved_with_a_resolution(self, client_as, caseworker_gt, child_case):
        client = english(client_as(caseworker_gt))
        flag = child_case.flags.get()
        url = reverse("cases:flag_resolve", args=[child_case.code, flag.pk])
        response = client.post(url, {"resolution": ""})
        assert response.status_code == 400 and "resolution" in response.context["flags"][0].resolve_form.errors
        assert client.post(url, {"resolution": "Placed in a shelter"}).status_code == 302
        flag.refresh_from_db()
        assert flag.resolved_at and flag.resolution == "Placed in a shelter"
        assert client.post(url, {"resolution": "again"}).status_code == 400


class TestOriginContactsAndFollowUps:
    def test_the_origin_names_its_contacts_among_its_own_people(
        self, client_as, caseworker_hn, caseworker_gt, shared_case, hn_contacts
    ):
        gt_person = factories.PersonFactory.create(organisation=caseworker_gt.organisation)
        url = reverse("cases:origin_contacts", args=[shared_case.code])
        client = english(client_as(caseworker_hn))
        contact, alternate = hn_contacts
        response = client.post(url, {"contact": gt_person.pk, "alternate": alternate.pk})
        assert response.status_code == 400 and "contact" in response.context["origin_form"].errors
        response = client.post(url, {"contact": contact.pk, "alternate": contact.pk})
        assert response.status_code == 400 and "alternate" in response.context["origin_form"].errors
        assert client.post(url, {"contact": contact.pk, "alternate": alternate.pk}).status_code == 302
        shared_case.refresh_from_db()
        assert (shared_case.origin_contact, shared_case.origin_alternate) == (contact, alternate)
        # The destination does not answer for the origin.
        assert client_as(caseworker_gt).post(url, {"contact": contact.pk, "alternate": alternate.pk}).status_code == 403

    def test_follow_ups_are_reported_by_the_origin_once(self, client_as, caseworker_hn, caseworker_gt, shared_case):
        from corett.cases.models import FollowUp

        follow_up = FollowUp.objects.create(case=shared_case, months_after_return=3, due_on=timezone.localdate())
        url = reverse("cases:follow_up_report", args=[shared_case.code, follow_up.pk])
        assert client_as(caseworker_gt).post(url, {"report": "x", "reported_on": "2020-01-01"}).status_code == 403
        client = english(client_as(caseworker_hn))
        response = client.post(url, {"report": "Bien", "reported_on": "2999-01-01"})
        assert response.status_code == 400
        today = timezone.localdate().isoformat()
        assert client.post(url, {"report": "Asiste a la escuela", "reported_on": today}).status_code == 302
        follow_up.refresh_from_db()
        assert follow_up.report == "Asiste a la escuela" and follow_up.reported_by == caseworker_hn
        assert client.post(url, {"report": "Otra", "reported_on": today}).status_code == 400
        follow_up.refresh_from_db()
        assert follow_up.report == "Asiste a la escuela"
        # The destination reads the report.
        assert "Asiste a la escuela" in client_as(caseworker_gt).get(section(shared_case, "follow_up")).content.decode()


    def test_each_follow_up_says_when_in_the_readers_language(self, client_as, caseworker_gt, shared_case):
        from corett.cases.models import FollowUp

        FollowUp.objects.create(case=shared_case, months_after_return=1, due_on=dt.date(2020, 3, 9))
        FollowUp.objects.create(
            case=shared_case, months_after_return=6, due_on=dt.date(2099, 5, 1), reported_on=dt.date(2099, 4, 30),
            report="Bien",
        )
        client = client_as(caseworker_gt)
        spanish = client.get(section(shared_case, "follow_up")).content.decode()
        english_page = english(client).get(section(shared_case, "follow_up")).content.decode()
        assert "1 mes después del retorno" in spanish and "6 meses después del retorno" in spanish
        assert "Vence el 9 de marzo de 2020" in spanish and "informado el 30 de abril de 2099" in spanish
        assert "1 month after the return" in english_page and "6 months after the return" in english_page
        assert "Due March 9, 2020" in english_page and "reported on April 30, 2099" in english_page
        assert english_page.count("overdue</span>") >= 1  # the unreported one, due in 2020


# --- Funding -----------------------------------------------------------------------------------


def _funding_form(partner, **overrides) -> dict:
    data = {
        "partner": partner.pk, "currency": "USD", "route": "Guatemala City to Tegucigalpa",
        "travel_on": (timezone.localdate() + dt.timedelta(days=20)).isoformat(),
        "items-TOTAL_FORMS": "3", "items-INITIAL_FORMS": "0", "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "20",
        "items-0-description": "Air ticket", "items-0-amount": "350.00",
        "items-1-description": "Escort's ticket", "items-1-amount": "350",
        "items-2-description": "", "items-2-amount": "",
    }
    data.update(overrides)
    return data


class TestFunding:
    def test_the_owners_request_funding_from_a_partner(self, client_as, caseworker_gt, child_case, our):
        refused = client_as(caseworker_gt).post(
            reverse("cases:funding_request_add", args=[child_case.code]), _funding_form(our)
        )
        assert refused.status_code == 400 and not FundingRequest.objects.exists()  # no consent yet
        services.consent_record(actor=caseworker_gt, case=child_case, purpose="share_funder", given_by="guardian")
        response = client_as(caseworker_gt).post(
            reverse("cases:funding_request_add", args=[child_case.code]), _funding_form(our)
        )
        assert response.status_code == 302
        funding = FundingRequest.objects.get()
        assert funding.partner == our and funding.items == [
            {"description": "Air ticket", "amount": "350.00"},
            {"description": "Escort's ticket", "amount": "350.00"},
        ]
        assert str(funding.total) == "700.00"

    def test_a_request_draws_on_the_partners_funding_commitment_under_its_memorandum(
        self, client_as, caseworker_gt, child_case, our
    ):
        from corett.meetings.models import CommitmentKind, Mou, MouCommitment, MouParty, MouState

        mou = Mou.objects.create(code="MDE-2022-01", title_es="MdE", title_en="MoU", purpose="Retornos",
                                 state=MouState.IN_FORCE, signed_on=dt.date(2022, 10, 1))
        commitment = MouCommitment.objects.create(
            mou=mou, party=MouParty.objects.create(mou=mou, organisation=our), kind=CommitmentKind.FUNDING,
            description="Fund the returns of child victims", amount=50000, currency="USD",
        )
        services.consent_record(actor=caseworker_gt, case=child_case, purpose="share_funder", given_by="guardian")
        client = english(client_as(caseworker_gt))
        client.post(reverse("cases:funding_request_add", args=[child_case.code]), _funding_form(our))
        assert FundingRequest.objects.get().mou_commitment == commitment
        page = client.get(section(child_case, "coordination")).content.decode()
        assert "Under memorandum MDE-2022-01" in page

    def test_a_commitment_must_be_the_partners_own(self, caseworker_gt, child_case, our):
        from corett.meetings.models import CommitmentKind, Mou, MouCommitment, MouParty

        other = factories.OrganisationFactory.create(name="Otra ONG", kind="partner_ngo")
        mou = Mou.objects.create(code="MDE-2022-09", title_es="MdE", title_en="MoU", purpose="Otro")
        foreign = MouCommitment.objects.create(
            mou=mou, party=MouParty.objects.create(mou=mou, organisation=other), kind=CommitmentKind.FUNDING,
            description="Another partner's money",
        )
        services.consent_record(actor=caseworker_gt, case=child_case, purpose="share_funder", given_by="guardian")
        with pytest.raises(ValidationError) as refused:
            services.funding_request_create(
                actor=caseworker_gt, case=child_case, partner=our,
                data={"currency": "USD", "items": [{"description": "Air fare", "amount": "10"}],
                      "mou_commitment": foreign},
            )
        assert "mou_commitment" in refused.value.message_dict
        assert not FundingRequest.objects.exists()

    @pytest.mark.parametrize(
        ("overrides", "where"),
        [
            ({"travel_on": "2000-01-01"}, "travel_on"),
            ({"currency": "XXX"}, "currency"),
            ({"items-0-amount": "-5"}, "items"),
            ({"items-0-amount": "abc"}, "items"),
            ({"items-0-amount": "", "items-1-description": "", "items-1-amount": ""}, "items"),
            ({"items-0-description": "", "items-1-description": "", "items-0-amount": "", "items-1-amount": ""}, "items"),
        ],
    )
    def test_bad_funding_input_is_reported_and_nothing_saved(
        self, overrides, where, client_as, caseworker_gt, child_case, our
    ):
        response = english(client_as(caseworker_gt)).post(
            reverse("cases:funding_request_add", args=[child_case.code]), _funding_form(our, **overrides)
        )
        assert response.status_code == 400
        if where == "items":
            items = response.context["items"]
            assert any(items.errors) or items.non_form_errors()
        else:
            assert where in response.context["funding_form"].errors
        assert not FundingRequest.objects.exists()

    def test_only_partners_and_donors_are_offered(self, client_as, caseworker_gt, child_case, our):
        ministry = factories.OrganisationFactory.create(name="Ministerio")
        response = client_as(caseworker_gt).post(
            reverse("cases:funding_request_add", args=[child_case.code]), _funding_form(ministry)
        )
        assert response.status_code == 400 and "partner" in response.context["funding_form"].errors

    def test_the_inbox_is_for_partners_only(self, client_as, request, gt, hn):
        for fixture in ALL_USERS:
            status = client_as(request.getfixturevalue(fixture)).get("/cases/funding/").status_code
            assert status == (200 if fixture == "partner_user" else 403), fixture

    def test_a_partner_sees_only_its_requests_and_never_the_person(
        self, client_as, caseworker_gt, child_case, our, partner_our, other_partner, gt, hn
    ):
        client = client_as(caseworker_gt)
        other_case = open_case(caseworker_gt, gt, hn)
        for case in (child_case, other_case):
            services.consent_record(actor=caseworker_gt, case=case, purpose="share_funder", given_by="guardian")
        client.post(reverse("cases:funding_request_add", args=[child_case.code]), _funding_form(our))
        client.post(reverse("cases:funding_request_add", args=[other_case.code]),
                    _funding_form(other_partner.organisation))
        response = english(client_as(partner_our)).get("/cases/funding/")
        html = response.content.decode()
        assert child_case.code in html and other_case.code not in html
        assert "Guatemala City to Tegucigalpa" in html and "700.00 USD" in html
        assert CANARY_GIVEN not in html and CANARY_FAMILY not in html
        # The partner never reaches the case itself.
        assert client_as(partner_our).get(child_case.get_absolute_url()).status_code == 404

    def test_the_inbox_query_count_is_pinned(
        self, client_as, caseworker_gt, our, partner_our, gt, hn, django_assert_max_num_queries
    ):
        for _ in range(8):
            case = open_case(caseworker_gt, gt, hn)
            FundingRequest.objects.create(case=case, partner=our, requested_by=caseworker_gt,
                                          items=[{"description": "Ticket", "amount": "10"}])
        client = client_as(partner_our)
        client.get("/cases/funding/")
        with django_assert_max_num_queries(10):
            assert len(client.get("/cases/funding/").context["page"].object_list) == 8

    def test_a_partner_commits_disburses_or_declines_its_own_requests(
        self, client_as, caseworker_gt, child_case, our, partner_our, other_partner
    ):
        funding = FundingRequest.objects.create(
            case=child_case, partner=our, requested_by=caseworker_gt, items=[{"description": "T", "amount": "1"}]
        )
        url = reverse("cases:funding_advance", args=[funding.pk])
        assert client_as(other_partner).post(url, {"state": "committed"}).status_code == 404
        assert client_as(caseworker_gt).post(url, {"state": "committed"}).status_code == 403
        client = english(client_as(partner_our))
        response = client.post(url, {"state": "disbursed"}, follow=True)
        assert "A funding request cannot move from “Requested” to “Disbursed”." in response.content.decode()
        funding.refresh_from_db()
        assert funding.state == FundingState.REQUESTED
        assert client.post(url, {"state": "bogus"}).status_code == 302
        assert client.post(url, {"state": "committed"}).status_code == 302
        assert client.post(url, {"state": "disbursed"}).status_code == 302
        funding.refresh_from_db()
        assert funding.state == FundingState.DISBURSED
