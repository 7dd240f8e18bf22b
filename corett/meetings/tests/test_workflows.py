"""Meetings, agendas and agreements: the rules the services enforce, and their errors."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from corett.accounts.roles import Role
from corett.directory import services as directory_services
from corett.meetings import services
from corett.meetings.models import AgendaItem, Agreement, ItemKind, Meeting, MeetingState
from corett.meetings.tests import builders
from corett.testing import factories

pytestmark = pytest.mark.django_db


def test_plenaries_are_numbered_per_year_in_roman_numerals():
    first = builders.meeting(starts_on=dt.date(2022, 3, 1))
    second = builders.meeting(starts_on=dt.date(2022, 6, 1), kind="extraordinary")
    third = builders.meeting(starts_on=dt.date(2022, 9, 5))
    technical = builders.meeting(starts_on=dt.date(2022, 10, 1), kind="technical")
    assert [first.code, second.code, third.code, technical.code] == ["I-2022", "II-2022", "III-2022", "RT-I-2022"]


def test_a_number_already_used_in_the_year_is_refused_at_the_field():
    builders.meeting(number=3)
    with pytest.raises(ValidationError) as error:
        builders.meeting(number=3, starts_on=dt.date(2022, 11, 1))
    assert error.value.message_dict["number"] == ["Meeting III-2022 already exists."]


def test_every_plenary_gets_the_follow_up_item_listing_earlier_open_agreements():
    earlier = builders.meeting(state=MeetingState.HELD)
    open_one = builders.agreement(earlier, "A")
    builders.agreement(earlier, "B", adopted=False)  # proposed: not open
    fulfilled = builders.agreement(earlier, "C")
    services.agreement_set_implementation(actor=builders.secretariat(), agreement=fulfilled, to_state="fulfilled")
    later = builders.meeting(starts_on=dt.date(2022, 12, 1))
    item = later.agenda_items.get()
    assert (item.kind, item.title_es, item.number) == (ItemKind.FOLLOW_UP, "Seguimiento de acuerdos", "1")
    assert [a.code for a in services.open_agreements_before(later)] == [open_one.code]


def test_a_technical_meeting_gets_no_follow_up_item():
    assert not builders.meeting(kind="technical").agenda_items.exists()


def test_the_agenda_is_a_numbered_tree():
    staff = builders.secretariat()
    m = builders.meeting(actor=staff)
    two = services.agenda_item_add(actor=staff, meeting=m, data={"title_es": "Informe", "title_en": "Report"})
    sub = services.agenda_item_add(actor=staff, meeting=m, data={"parent": two, "title_es": "a", "title_en": "a"})
    sub2 = services.agenda_item_add(actor=staff, meeting=m, data={"parent": two, "title_es": "b", "title_en": "b"})
    assert [i.number for i in AgendaItem.objects.filter(meeting=m)] == ["1", "2", "2.1", "2.2"]
    assert (sub.depth, sub2.number) == (1, "2.2")


def test_the_meeting_cannot_close_while_items_or_agreements_are_undecided():
    staff = builders.secretariat()
    m = builders.meeting(actor=staff, state=MeetingState.HELD)
    proposed = builders.agreement(m, "A", adopted=False)
    with pytest.raises(ValidationError) as error:
        services.meeting_transition(actor=staff, meeting=m, to_state="closed")
    message = error.value.message_dict["state"][0]
    assert "Agenda item 1: Follow-up of agreements" in message and "Agreement III-2022/A" not in message
    assert f"Agreement {proposed.code}" in message
    for item in m.agenda_items.all():
        services.agenda_item_decide(actor=staff, item=item, outcome="dealt_with")
    services.agreement_decide(actor=staff, agreement=proposed, adoption_state="adopted")
    closed = services.meeting_transition(actor=staff, meeting=m, to_state="closed")
    assert closed.state == MeetingState.CLOSED


def test_the_closing_error_is_in_spanish_for_a_spanish_reader():
    staff = builders.secretariat()
    m = builders.meeting(actor=staff, state=MeetingState.HELD)
    with translation.override("es"), pytest.raises(ValidationError) as error:
        services.meeting_transition(actor=staff, meeting=m, to_state="closed")
    assert "no puede cerrarse" in error.value.message_dict["state"][0]


def test_a_letter_used_twice_in_a_meeting_is_refused_at_the_field():
    m = builders.meeting()
    builders.agreement(m, "A")
    with pytest.raises(ValidationError) as error:
        builders.agreement(m, "a")
    assert error.value.message_dict["letter"] == [
        "Agreement A already exists in this meeting: each letter is used once."]
    assert Agreement.objects.filter(meeting=m).count() == 1


def test_the_same_letter_in_another_meeting_is_fine():
    builders.agreement(builders.meeting(), "A")
    other = builders.agreement(builders.meeting(starts_on=dt.date(2022, 12, 1)), "A")
    assert other.code == "II-2022/A"


def test_a_due_date_before_the_meeting_is_refused_and_nothing_is_written():
    staff = builders.secretariat()
    agreement = builders.agreement(builders.meeting(), "A", country=None)
    with pytest.raises(ValidationError) as error:
        services.actor_add(actor=staff, agreement=agreement, data={
            "kind": "country", "country": factories.country("GT"), "role": "lead", "due_on": dt.date(2022, 1, 1)})
    assert error.value.message_dict["due_on"] == [
        "The due date cannot be before the meeting that adopted the agreement (2022-09-05)."]
    assert not agreement.actors.exists()


def test_an_actor_must_name_whom():
    agreement = builders.agreement(builders.meeting(), "A", country=None)
    with pytest.raises(ValidationError) as error:
        services.actor_add(actor=builders.secretariat(), agreement=agreement, data={"kind": "country", "role": "lead"})
    assert error.value.message_dict["country"] == ["Choose the country responsible."]


def test_overlapping_presidency_terms_are_refused():
    staff = builders.secretariat()
    factories.PresidencyTermFactory(country=factories.country("GT"))
    with pytest.raises(ValidationError) as error:
        directory_services.presidency_term_create(actor=staff, data={
            "country": factories.country("HN"), "started_on": dt.date(2026, 6, 1), "ended_on": dt.date(2027, 5, 31)})
    assert "overlaps" in error.value.message_dict["started_on"][0]


def test_the_presidency_of_a_meeting_must_be_in_office_on_its_first_day():
    term = factories.PresidencyTermFactory(country=factories.country("GT"))
    with pytest.raises(ValidationError) as error:
        builders.meeting(presidency=term)  # 2022, the term is 2026
    assert "presidency" in error.value.message_dict


def test_a_vote_needs_counts_and_a_majority():
    staff = builders.secretariat()
    agreement = builders.agreement(builders.meeting(), "A", adopted=False)
    with pytest.raises(ValidationError) as error:
        services.agreement_decide(actor=staff, agreement=agreement, adoption_state="adopted", method="vote")
    assert "votes_for" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.agreement_decide(actor=staff, agreement=agreement, adoption_state="adopted", method="vote",
                                  votes_for=3, votes_against=5, abstentions=1)
    decided = services.agreement_decide(actor=staff, agreement=agreement, adoption_state="adopted", method="vote",
                                        votes_for=7, votes_against=1, abstentions=1)
    assert (decided.votes_for, decided.adoption_state) == (7, "adopted")


def test_implementation_follows_the_configured_graph():
    staff = builders.secretariat()
    agreement = builders.agreement(builders.meeting(), "A")
    services.workflow_configure(actor=staff, pairs={("pending", "in_progress"), ("in_progress", "fulfilled")})
    with pytest.raises(ValidationError) as error:
        services.agreement_set_implementation(actor=staff, agreement=agreement, to_state="fulfilled")
    assert error.value.message_dict["implementation_state"] == [
        "The workflow does not allow going from pending to fulfilled."]
    services.agreement_set_implementation(actor=staff, agreement=agreement, to_state="in_progress")
    done = services.agreement_set_implementation(actor=staff, agreement=agreement, to_state="fulfilled")
    assert done.implementation_state == "fulfilled"


def test_only_the_secretariat_writes():
    focal = factories.user_with(Role.FOCAL_POINT, "GT")
    with pytest.raises(Exception, match=r"meetings\.manage"):
        services.meeting_create(actor=focal, data={})
    assert not Meeting.objects.exists()


def test_an_item_is_not_moved_under_another_once_numbered():
    staff = builders.secretariat()
    m = builders.meeting(actor=staff)
    report = services.agenda_item_add(actor=staff, meeting=m, data={"title_es": "Informe", "title_en": "Report"})
    other = services.agenda_item_add(actor=staff, meeting=m, data={"title_es": "Otro", "title_en": "Other"})
    with pytest.raises(ValidationError) as error:
        services.agenda_item_update(actor=staff, item=other, data={"parent": report, "title_es": "Otro"})
    assert "parent" in error.value.message_dict
    assert services.agenda_item_update(actor=staff, item=other, data={"parent": None, "title_es": "Otro punto"}).number == "3"
