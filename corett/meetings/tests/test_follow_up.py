"""Follow-up updates, the overdue sweep and its notifications, and the focal point's view."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from corett.accounts.roles import Role
from corett.meetings import services
from corett.meetings.models import FollowUpUpdate, ImplementationState
from corett.meetings.tests import builders
from corett.notifications.models import Notification
from corett.testing import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def focal(db):
    return factories.user_with(Role.FOCAL_POINT, "GT", username="focal-gt-meetings")


@pytest.fixture
def plan(db):
    """An adopted agreement for which Guatemala leads and Honduras supports."""
    agreement = builders.agreement(builders.meeting(state="held"), "C")
    services.actor_add(actor=builders.secretariat(), agreement=agreement, data={
        "kind": "country", "country": factories.country("HN"), "role": "support", "due_on": dt.date(2024, 1, 31)})
    return agreement


def test_an_update_goes_draft_submitted_returned_and_accepted(focal, plan):
    staff = builders.secretariat()
    update = builders.update(plan, focal, submit=False)
    assert update.state == "draft"
    update = services.update_submit(actor=focal, update=update)
    update = services.update_review(actor=staff, update=update, accept=False, comment="Adjunte la evidencia.")
    assert update.state == "returned"
    services.update_edit(actor=focal, update=update, data={"percent_done": 70})
    update = services.update_submit(actor=focal, update=update)
    update = services.update_review(actor=staff, update=update, accept=True)
    plan.refresh_from_db()
    assert (update.state, update.percent_done, plan.implementation_state) == ("accepted", 70, "in_progress")
    assert set(Notification.objects.filter(recipient=focal).values_list("kind", flat=True)) == {
        "meetings.update_reviewed"}


def test_returning_an_update_needs_a_reason(focal, plan):
    update = builders.update(plan, focal)
    with pytest.raises(ValidationError) as error:
        services.update_review(actor=builders.secretariat(), update=update, accept=False, comment="  ")
    assert error.value.message_dict["comment"] == ["Say what must be revised."]


def test_an_update_for_an_actor_one_does_not_speak_for_is_refused_at_the_field(focal, plan):
    honduras = builders.country_actor(plan, "HN")
    with pytest.raises(ValidationError) as error:
        services.update_create(actor=focal, agreement=plan, data={
            "actor": honduras, "narrative": "Informe", "percent_done": 10})
    assert "You do not speak for this actor" in error.value.message_dict["actor"][0]
    assert not FollowUpUpdate.objects.exists()


def test_the_form_shows_the_refusal_at_the_actor_field(client_as, focal, plan):
    client = client_as(focal)
    response = client.post(reverse("meetings:update_add", args=[plan.pk]), {
        "actor": builders.country_actor(plan, "HN").pk, "narrative": "Informe", "percent_done": 10})
    assert response.status_code == 400
    assert "Usted no representa a este actor" in response.content.decode()  # the browser asked for Spanish
    assert 'aria-invalid="true"' in response.content.decode()


def test_the_api_refuses_an_update_for_another_country(client_as, focal, plan):
    response = client_as(focal).post(reverse("api:agreement-updates", args=[plan.pk]), {
        "actor": builders.country_actor(plan, "HN").pk, "narrative": "Informe", "percent_done": 10},
        content_type="application/json")
    assert response.status_code == 400
    assert "actor" in response.json()


def test_the_api_accepts_an_update_from_the_responsible_country(client_as, focal, plan):
    response = client_as(focal).post(reverse("api:agreement-updates", args=[plan.pk]), {
        "actor": builders.country_actor(plan, "GT").pk, "narrative": "Informe", "percent_done": 10},
        content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["state"] == "draft"


def test_a_country_not_responsible_cannot_even_open_the_report_form(client_as, plan):
    salvador = factories.user_with(Role.FOCAL_POINT, "SV")
    assert client_as(salvador).get(reverse("meetings:update_add", args=[plan.pk])).status_code == 403
    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.update_create(actor=salvador, agreement=plan, data={"actor": builders.country_actor(plan)})
    assert "You do not speak for this actor" in error.value.message_dict["actor"][0]
    with pytest.raises(PermissionDenied):
        services.update_create(actor=factories.user_with(Role.CASE_WORKER, "GT"), agreement=plan, data={})


def test_drafts_stay_with_their_country(client_as, focal, plan):
    draft = builders.update(plan, focal, submit=False)
    honduras = factories.user_with(Role.FOCAL_POINT, "HN")
    assert client_as(honduras).get(reverse("meetings:update_detail", args=[draft.pk])).status_code == 404
    staff = builders.secretariat()
    assert client_as(staff).get(reverse("meetings:update_detail", args=[draft.pk])).status_code == 404


def test_the_sweep_turns_late_agreements_overdue_and_notifies_once_a_day(
    focal, plan, django_capture_on_commit_callbacks
):
    staff = builders.secretariat()
    honduras = factories.user_with(Role.FOCAL_POINT, "HN", username="focal-hn-meetings")
    honduras.preferred_language = "en"
    honduras.save(update_fields=["preferred_language"])
    with django_capture_on_commit_callbacks(execute=True):
        report = services.sweep(today=dt.date(2024, 2, 1))
    plan.refresh_from_db()
    assert (report.overdue, plan.implementation_state) == ([plan.code], ImplementationState.OVERDUE)
    # Honduras's share was due on 31 January; Guatemala's on 30 June 2023: both late.
    told = set(Notification.objects.filter(kind="meetings.agreement_overdue").values_list("recipient__username", flat=True))
    assert told == {staff.username, focal.username, honduras.username}
    again = services.sweep(today=dt.date(2024, 2, 1))
    assert again.notified == 0
    bodies = {m.to[0]: m.body for m in mail.outbox}
    assert "vencido" in bodies[focal.email]  # Spanish by default
    assert "is overdue" in bodies[honduras.email]
    assert "Persona" not in "".join(str(b) for b in bodies.values())


def test_the_overdue_command_has_a_dry_run(plan, capsys):
    call_command("meetings-overdue", "--dry-run")
    plan.refresh_from_db()
    assert plan.implementation_state == "pending"
    assert plan.code in capsys.readouterr().out


def test_an_mou_about_to_expire_warns_the_secretariat_once(db):
    staff = builders.secretariat()
    mou = builders.mou(actor=staff)
    services.mou_update(actor=staff, mou=mou, data={
        "signed_on": dt.date(2022, 9, 6), "valid_from": dt.date(2022, 9, 6), "valid_until": dt.date(2027, 1, 31)})
    services.mou_version_add(actor=staff, mou=mou, text="Texto firmado", reason="Firma")
    for state in ("negotiation", "legal_review", "approved", "in_force"):
        services.mou_transition(actor=staff, mou=mou, to_state=state)
    assert services.sweep(today=dt.date(2026, 6, 1)).expiring == []
    assert services.sweep(today=dt.date(2026, 12, 1)).expiring == [mou.code]
    services.sweep(today=dt.date(2026, 12, 2))
    assert Notification.objects.filter(kind="meetings.mou_expiring", recipient=staff).count() == 1


def test_what_my_country_owes(client_as, focal, plan):
    other = builders.agreement(plan.meeting, "D", country="HN")
    response = client_as(focal).get(reverse("meetings:owed"))
    page = response.content.decode()
    assert plan.code in page and other.code not in page


def test_the_dashboard_counts_by_state_and_actor(client_as, focal, plan, django_assert_max_num_queries):
    client = client_as(focal)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("meetings:dashboard"))
    assert response.status_code == 200
    assert "Guatemala" in response.content.decode()


def test_the_plan_an_agreement_approved_shows_on_the_agreement(client_as, plan):
    from corett.plans.models import Plan

    Plan.objects.create(code="POA-2023-2025", title="Plan Operativo de Acción 2023-2025", start_year=2023,
                        end_year=2025, agreement_reference=plan.code, agreement=plan)
    page = client_as(builders.secretariat()).get(reverse("meetings:agreement_detail", args=[plan.pk])).content.decode()
    assert "Plan Operativo de Acción 2023-2025" in page
