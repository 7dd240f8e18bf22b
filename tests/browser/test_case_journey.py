"""A Honduran child identified in Guatemala goes home through every stage of the protocol, in a
real browser: four people, each in their own browser context, signed in through the login page
with their password and (for the case roles) a TOTP code, clicking the case page's own buttons.

- a Guatemalan case worker opens the case and owns it;
- a Guatemalan case supervisor approves the return decision, the travel plan and the closure;
- a Honduran case worker answers the formal request, assesses the family, receives the child;
- the staff of the funding partner (Operation Underground Railroad) commits the funding in the
  partner's inbox, and never sees the child's name on any page it loads.

A step tried before its conditions are met is refused, and the page says which condition failed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, Page, expect

from corett.accounts.models import User
from corett.accounts.roles import Role
from corett.audit.models import AuditEntry
from corett.cases.models import Case, FundingRequest, FundingState, Stage
from corett.directory.models import Organisation, OrganisationKind, Visibility
from corett.testing import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Names that the partner's pages must never show.
CANARY_GIVEN = "Quetzalcanaria"
CANARY_FAMILY = "Zopilotecanaria"
GUARDIAN = "Procuradora Canaria"
CAREGIVER = "Abuela Canaria"
ESCORT = "Escolta Canaria"
IDENTITY = (CANARY_GIVEN, CANARY_FAMILY, GUARDIAN, CAREGIVER, ESCORT, "0801-2013-55555")

MAIN_LINE = [
    Stage.IDENTIFIED, Stage.PROTECTED, Stage.CONSULAR_NOTIFICATION, Stage.ASSESSING, Stage.RETURN_DECIDED,
    Stage.REQUESTED_TO_ORIGIN, Stage.ACCEPTED_BY_ORIGIN, Stage.FAMILY_ASSESSED, Stage.FUNDING_REQUESTED,
    Stage.FUNDED, Stage.TRAVEL_SCHEDULED, Stage.IN_TRANSIT, Stage.RECEIVED, Stage.REINTEGRATION, Stage.CLOSED,
]


class Person:
    """One person at their own browser (a separate context: own cookies, own session). The
    users prefer English, which the sign-in makes the language of their pages."""

    def __init__(self, browser: Browser, base_url: str, user: User) -> None:
        self.user = user
        self.context = browser.new_context(base_url=base_url, locale="en-US")
        self.page: Page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.csp_violations: list[str] = []
        self.page.on(
            "console",
            lambda msg: self.csp_violations.append(msg.text) if "Content Security Policy" in msg.text else None,
        )
        # Every page this person loaded, as the browser rendered it.
        self.seen: list[str] = []

    def _record(self) -> None:
        self.page.wait_for_load_state()
        self.seen.append(f"{self.page.url}\n{self.page.title()}\n{self.page.content()}")

    def log_in(self) -> None:
        """The real sign-in: username and password, then the authenticator's code if enrolled."""
        page = self.page
        page.goto("/accounts/login/")
        page.fill("#id_username", self.user.username)
        page.fill("#id_password", factories.TEST_PASSWORD)
        page.click("[data-testid=login-submit]")
        device = TOTPDevice.objects.filter(user=self.user, confirmed=True).first()
        if device is not None:
            page.wait_for_selector("#id_otp_token")
            code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
            page.fill("#id_otp_token", f"{code:0{device.digits}d}")
            page.click("[data-testid=otp-submit]")
        page.wait_for_url(re.compile(r"/$"))
        self._record()

    def goto(self, url: str) -> int:
        response = self.page.goto(url)
        self._record()
        assert response is not None
        return response.status

    def click(self, selector: str, *, confirm: bool = False) -> None:
        """Click a link or a submit button and wait for the page it leads to."""
        if confirm:  # buttons marked data-confirm ask first (corett.js)
            self.page.once("dialog", lambda dialog: dialog.accept())
        with self.page.expect_navigation():
            self.page.locator(selector).click()
        self._record()

    def open_case(self, code: str) -> None:
        """From the navigation to the work list, then the case's link."""
        link = self.page.locator("#main-nav a[href='/cases/']")
        if not link.is_visible():  # in the "Repatriation cases" menu when the role has several entries
            menu = self.page.locator("#main-nav .dropdown", has=self.page.locator("a[href='/cases/']"))
            menu.get_by_role("button").click()
        self.click("#main-nav a[href='/cases/']")
        self.click(f"main table a:text-is('{code}')")

    # --- The case record's sections and their forms --------------------------------------------

    def section(self, label: str) -> None:
        """Open a section of the case record by its tab, unless it is the one shown."""
        tab = self.page.locator("#case-sections a", has_text=label)
        if tab.get_attribute("aria-current") != "page":
            self.click(f"#case-sections a:text-is('{label}')")
        expect(self.page.locator("#case-sections a[aria-current=page]")).to_have_text(label)

    def step(self, name: str, *, confirm: bool = False) -> None:
        self.section("Overview")
        self.click(f"form[action$='/transition/{name}/'] button[type=submit]", confirm=confirm)
        expect(self.page.locator(".messages")).to_contain_text("Done:")

    def unmet(self, name: str) -> str:
        self.section("Overview")
        return self.page.locator(f"form[action$='/transition/{name}/']").inner_text()

    def consent(self, purpose: str) -> None:
        self.section("The person")
        self.page.select_option("#id_consent_purpose", purpose)
        self.page.select_option("#id_consent_given_by", "guardian")
        self.click("form[action$='/consents/'] button[type=submit]")
        expect(self.page.locator(".messages")).to_contain_text("The consent has been recorded.")

    def open_person_form(self) -> None:
        """Open the <details> of the related people's form: htmx fetches the form into it."""
        self.section("The person")
        if self.page.locator("#related-people details").get_attribute("open") is None:
            self.page.locator("#related-people summary").click()
        expect(self.page.locator("#id_person_role")).to_be_visible()

    def related_person(self, role: str, name: str, **fields: str | bool) -> None:
        self.open_person_form()
        self.page.select_option("#id_person_role", role)
        self.page.fill("#id_person_full_name", name)
        for field, value in fields.items():
            if isinstance(value, bool):
                self.page.set_checked(f"#id_person_{field}", value)
            else:
                self.page.fill(f"#id_person_{field}", value)
        self.click("form[action$='/related-people/'] button[type=submit]")
        expect(self.page.locator(".messages")).to_contain_text("The person has been added.")

    def request_approval(self, kind: str) -> None:
        self.section("Coordination")
        self.click(f"form[action$='/approvals/'] button[name=kind][value={kind}]")
        expect(self.page.locator(".messages")).to_contain_text("The approval has been requested.")

    def approve(self) -> None:
        self.section("Coordination")
        self.click("form[action$='/decide/'] button[name=decision][value=approve]")
        expect(self.page.locator(".messages")).to_contain_text("Approved.")


@pytest.fixture
def people(browser, live_server) -> Iterator[dict[str, Person]]:
    factories.country("GT")
    hn = factories.country("HN")
    our = factories.OrganisationFactory.create(
        name="Operation Underground Railroad", acronym="OUR", kind=OrganisationKind.PARTNER_NGO, country=None
    )
    dinaf = factories.OrganisationFactory.create(country=hn, name="DINAF Honduras")
    for name in ("Contacto Hondureño", "Suplente Hondureña"):
        factories.PersonFactory.create(organisation=dinaf, full_name=name, visibility=Visibility.COUNTRY)
    users = {
        "worker": factories.user_with(Role.CASE_WORKER, "GT", username="worker-gt", preferred_language="en"),
        "supervisor": factories.user_with(Role.CASE_SUPERVISOR, "GT", username="supervisor-gt", preferred_language="en"),
        "origin": factories.user_with(Role.CASE_WORKER, "HN", username="worker-hn", preferred_language="en"),
        "partner": factories.UserFactory.create(organisation=our, roles=[Role.PARTNER], username="our-staff",
                                                preferred_language="en"),
    }
    crowd = {key: Person(browser, live_server.url, user) for key, user in users.items()}
    yield crowd
    for person in crowd.values():
        person.context.close()
    assert {key: p.csp_violations for key, p in crowd.items() if p.csp_violations} == {}


def _stage(code: str) -> str:
    return Case.objects.get(code=code).stage


def test_four_people_take_a_childs_case_through_every_stage_in_the_browser(people):
    worker, supervisor, origin, partner = (people[k] for k in ("worker", "supervisor", "origin", "partner"))
    for person in people.values():
        person.log_in()
    today = timezone.localdate()
    page = worker.page

    # Identified: the Guatemalan case worker opens the case from the work list.
    worker.click("#main-nav a[href='/cases/']")
    worker.click("main a[href='/cases/new/']")
    page.fill("#id_given_name", CANARY_GIVEN)
    page.fill("#id_family_name", CANARY_FAMILY)
    page.fill("#id_estimated_age", "13")
    page.select_option("#id_sex", "female")
    page.check("input[name=citizenships][value=HND]")
    page.check("input[name=languages][value=es]")
    page.select_option("#id_identifying_organisation", str(worker.user.organisation_id))
    page.fill("#id_identified_on", (today - dt.timedelta(days=12)).isoformat())
    page.select_option("#id_origin_country", str(Organisation.objects.get(name="DINAF Honduras").country_id))
    page.select_option("#id_risk_level", "high")
    page.select_option("#id_trafficking_status", "ActualVictimOfTrafficking")
    page.select_option("#id_status_decided_by", "Police")
    page.check("input[name=forms_of_exploitation][value=ForcedBegging]")
    page.select_option("#id_documents-0-kind", "birth_certificate")
    page.fill("#id_documents-0-number", "0801-2013-55555")
    page.fill("#id_documents-0-issuer", "RNP")
    worker.click("main form button[type=submit].btn-primary")
    match = re.search(r"/cases/(RP-[0-9A-Z]{4}-[0-9A-Z]{5})/$", page.url)
    assert match, page.url
    code = match.group(1)
    # The new case opens on its overview; the person is in the section of that name.
    expect(page.locator("#stage [aria-current=step]")).to_contain_text("Identified")
    worker.section("The person")
    expect(page.locator("#identity")).to_contain_text(f"{CANARY_GIVEN} {CANARY_FAMILY}")
    assert _stage(code) == Stage.IDENTIFIED
    # Honduras does not know yet that the case exists.
    assert origin.goto(f"/cases/{code}/") == 404
    assert CANARY_GIVEN not in origin.seen[-1]

    # Protected. Tried first without the consent to processing: refused, and the page says why.
    assert "The consent to process personal data has not been recorded." in worker.unmet("protect")
    worker.click("form[action$='/transition/protect/'] button[type=submit]")
    refusal = page.locator("form[action$='/transition/protect/'] [role=alert]")
    expect(refusal).to_contain_text("Refused; nothing was changed")
    expect(refusal).to_contain_text("The consent to process personal data has not been recorded.")
    expect(page.locator("#errors")).to_contain_text("cannot be done yet")
    assert _stage(code) == Stage.IDENTIFIED
    worker.consent("processing")
    worker.step("protect")
    assert _stage(code) == Stage.PROTECTED

    # Consular notification and assessment: a child needs a guardian.
    assert "A child needs a guardian appointed first." in worker.unmet("notify_consulate")
    worker.related_person("guardian", GUARDIAN, relationship="Procuraduría General de la Nación",
                          appointed_on=today.isoformat())
    worker.step("notify_consulate")
    worker.step("start_assessment")
    assert _stage(code) == Stage.ASSESSING

    # Return decided: the guardian's consent to return and the supervisor's best-interests
    # determination (the requester cannot decide it).
    worker.consent("return")
    worker.request_approval("return_decision")
    expect(page.locator("#approvals")).to_contain_text("Waiting for a case supervisor who did not request it")
    assert page.locator("#approvals form[action$='/decide/']").count() == 0
    supervisor.open_case(code)
    supervisor.approve()
    worker.goto(f"/cases/{code}/")
    worker.step("decide_return")
    assert _stage(code) == Stage.RETURN_DECIDED

    # Requested to the country of origin, with consent to share the case with it.
    assert "The consent to share the case with the country of origin has not been recorded." in worker.unmet(
        "request_origin"
    )
    worker.consent("share_origin")
    worker.step("request_origin")
    assert _stage(code) == Stage.REQUESTED_TO_ORIGIN

    # Accepted by Honduras, which finds the case in its work list and names a contact and an
    # alternate first. It may not assess the family before a caregiver is ready: refused.
    origin.open_case(code)
    origin.section("The person")
    expect(origin.page.locator("#identity")).to_contain_text(CANARY_GIVEN)
    assert "The country of origin must name a contact and an alternate." in origin.unmet("accept")
    contact, alternate = (
        str(pk) for pk in Organisation.objects.get(name="DINAF Honduras").people.order_by("full_name")
        .values_list("pk", flat=True)
    )
    origin.section("Coordination")
    origin.page.select_option("#id_origin_contact", contact)
    origin.page.select_option("#id_origin_alternate", alternate)
    origin.click("form[action$='/origin-contacts/'] button[type=submit]")
    expect(origin.page.locator(".messages")).to_contain_text("The contacts have been recorded.")
    origin.step("accept")
    assert _stage(code) == Stage.ACCEPTED_BY_ORIGIN
    origin.click("form[action$='/transition/assess_family/'] button[type=submit]")
    expect(origin.page.locator("form[action$='/transition/assess_family/'] [role=alert]")).to_contain_text(
        "A child returns only to a caregiver who has agreed and was assessed as able to care."
    )
    assert _stage(code) == Stage.ACCEPTED_BY_ORIGIN

    # Family assessed: Honduras, which traced and visited the family, records the caregiver who
    # agreed and can care (the only person its form offers), and confirms the assessment.
    origin.goto(f"/cases/{code}/person/")
    expect(origin.page.locator("#related-people summary")).to_contain_text("Record the caregiver you assessed")
    origin.open_person_form()
    expect(origin.page.locator("#id_person_role option")).to_have_count(1)
    origin.related_person("caregiver", CAREGIVER, relationship="Abuela materna", agreed=True,
                          able_to_care=True, assessment="Hogar apto según la visita de DINAF.")
    expect(origin.page.locator("form[action$='/consents/']")).to_have_count(0)
    origin.step("assess_family")
    assert _stage(code) == Stage.FAMILY_ASSESSED

    # Funding requested from the partner, with consent to share the case with a funder.
    worker.goto(f"/cases/{code}/")
    worker.consent("share_funder")
    worker.section("Coordination")
    page.locator("#funding summary").click()
    page.select_option("#id_funding_partner", str(Organisation.objects.get(acronym="OUR").pk))
    page.select_option("#id_funding_currency", "USD")
    page.fill("#id_funding_route", "Guatemala City to Tegucigalpa")
    page.fill("#id_funding_travel_on", (today + dt.timedelta(days=15)).isoformat())
    page.fill("#id_items-0-description", "Air tickets (child and escort)")
    page.fill("#id_items-0-amount", "640.00")
    page.fill("#id_items-1-description", "Meals and local transport")
    page.fill("#id_items-1-amount", "85.50")
    worker.click("form[action$='/funding/'] button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("The funding request has been sent to the partner.")
    worker.step("request_funding")
    assert _stage(code) == Stage.FUNDING_REQUESTED

    # Funded: the partner commits in its own inbox (case code, route and costs only).
    assert "No partner has committed the funding yet." in worker.unmet("confirm_funding")
    partner.click("#main-nav a[href='/cases/funding/']")
    row = partner.page.locator("main table tbody tr", has_text=code)
    expect(row).to_contain_text("Guatemala City to Tegucigalpa")
    expect(row).to_contain_text("725.50 USD")
    partner.click(f"main form[action$='/advance/'] button[value={FundingState.COMMITTED}]")
    expect(partner.page.locator(".messages")).to_contain_text(f"The request for {code} is now")
    assert FundingRequest.objects.get(case__code=code).state == FundingState.COMMITTED
    worker.goto(f"/cases/{code}/")
    worker.step("confirm_funding")
    assert _stage(code) == Stage.FUNDED

    # Travel scheduled: an escort for the child and the supervisor's approval of the travel plan.
    unmet = worker.unmet("schedule_travel")
    assert "The travel plan has not been approved by a case supervisor." in unmet
    assert "A child travels with an escort: name one first." in unmet
    worker.related_person("escort", ESCORT, relationship="Oficial de protección", appointed_on=today.isoformat())
    worker.request_approval("travel_plan")
    supervisor.goto(f"/cases/{code}/")
    supervisor.approve()
    worker.goto(f"/cases/{code}/")
    worker.step("schedule_travel")
    assert _stage(code) == Stage.TRAVEL_SCHEDULED

    # In transit; the handover on arrival and the reintegration plan are Honduras's steps.
    worker.step("depart")
    assert page.locator("form[action$='/transition/receive/']").count() == 0
    origin.goto(f"/cases/{code}/")
    origin.step("receive")
    origin.step("start_reintegration")
    assert _stage(code) == Stage.REINTEGRATION
    origin.section("Follow-up")
    origin.page.fill("form[action*='/follow-ups/'] textarea", "Asiste a la escuela y vive con su abuela.")
    origin.click("form[action*='/follow-ups/'] button[type=submit] >> nth=0")
    expect(origin.page.locator(".messages")).to_contain_text("The follow-up has been reported.")
    partner.goto("/cases/funding/")
    partner.click(f"main form[action$='/advance/'] button[value={FundingState.DISBURSED}]")

    # Closed, with the supervisor's approval of the closure.
    worker.goto(f"/cases/{code}/")
    assert "The closure has not been approved by a case supervisor." in worker.unmet("close")
    worker.request_approval("closure")
    supervisor.goto(f"/cases/{code}/")
    supervisor.approve()
    worker.goto(f"/cases/{code}/")
    worker.step("close", confirm=True)
    assert _stage(code) == Stage.CLOSED
    expect(page.locator("#stage [aria-current=step]")).to_contain_text("Closed")
    worker.section("Follow-up")
    expect(page.locator("#follow-ups")).to_contain_text("Asiste a la escuela y vive con su abuela.")
    worker.section("History")
    expect(page.locator("#access-log")).to_contain_text(origin.user.username)

    # Every stage of the main line, in order, each step by the side whose step it is.
    case = Case.objects.get(code=code)
    changes = list(case.stage_changes.order_by("at", "id").select_related("by"))
    assert [c.to_stage for c in changes] == MAIN_LINE
    origin_steps = {c.transition for c in changes if c.by == origin.user}
    assert origin_steps == {"accept", "assess_family", "receive", "start_reintegration"}
    assert AuditEntry.objects.filter(action__startswith="cases.transition.", object_id=str(case.pk)).count() == 14

    # The partner worked the whole return without any page showing who travelled (while the
    # owners' pages did show it: the check below looks for text that pages really carry).
    assert any(CANARY_GIVEN in html and GUARDIAN in html for html in worker.seen)
    assert partner.goto(f"/cases/{code}/") == 404
    assert len(partner.seen) >= 5
    for html in partner.seen:
        for value in IDENTITY:
            assert value not in html, value
