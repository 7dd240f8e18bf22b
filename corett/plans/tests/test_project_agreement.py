"""A joint project started by a plenary agreement: the link shows on both sides."""

import pytest
from django.urls import reverse

from corett.meetings.tests import builders as meeting_builders
from corett.plans import services
from corett.plans.tests.builders import build_plan

pytestmark = pytest.mark.django_db


def test_a_project_started_by_an_agreement_shows_on_the_agreement_and_links_back(client_as):
    world = build_plan()
    plenary = meeting_builders.meeting(state="held")
    agreement_e = meeting_builders.agreement(plenary, "E")
    project = services.project_save(
        actor=world.staff, plan=world.plan,
        data={"code": "P-1", "kind": "study", "title": "Estudio de factores de riesgo", "started_by": agreement_e},
    )
    staff = client_as(world.staff)
    agreement_page = staff.get(agreement_e.get_absolute_url()).content.decode()
    assert project.get_absolute_url() in agreement_page
    project_page = staff.get(reverse("plans:project_detail", args=[project.pk])).content.decode()
    assert f'href="{agreement_e.get_absolute_url()}"' in project_page
