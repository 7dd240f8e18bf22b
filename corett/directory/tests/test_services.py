"""Directory services and queryset helpers the pages rely on."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from corett.audit.models import AuditEntry
from corett.directory import services
from corett.directory.models import (
    CoalitionMembership,
    Membership,
    Organisation,
    OrganisationKind,
    Person,
)
from corett.testing.factories import OrganisationFactory, PersonFactory

pytestmark = pytest.mark.django_db


def test_a_refusal_is_audited_even_though_nothing_is_written(focal_gt, hn):
    data = {"name": "Intrusa", "kind": OrganisationKind.GOVERNMENT_INSTITUTION, "country": hn}
    with pytest.raises(PermissionDenied):
        services.organisation_create(actor=focal_gt, data=data)
    assert not Organisation.objects.filter(name="Intrusa").exists()
    denial = AuditEntry.objects.get(action="access.denied")
    assert denial.actor_id == focal_gt.pk
    assert denial.extra == {"permission": "directory.add_organisation"}


def test_a_refused_update_leaves_the_object_as_it_was(secretariat_user, gt):
    org = OrganisationFactory.create(country=gt, name="Original")
    with pytest.raises(ValidationError):
        services.organisation_update(
            actor=secretariat_user, organisation=org,
            data={"name": "Changed", "kind": OrganisationKind.NATIONAL_COMMISSION, "country": None},
        )
    assert org.name == "Original" and org.country == gt
    org.refresh_from_db()
    assert org.name == "Original"
    assert not AuditEntry.objects.filter(action="directory.organisation.update").exists()


def test_an_update_without_changes_writes_no_audit_entry(secretariat_user, gt):
    org = OrganisationFactory.create(country=gt, name="Same")
    services.organisation_update(actor=secretariat_user, organisation=org, data={"name": "Same"})
    assert not AuditEntry.objects.filter(action="directory.organisation.update").exists()


def test_a_person_is_not_both_focal_point_and_alternate(focal_gt, gt):
    org = OrganisationFactory.create(country=gt)
    data = {"full_name": "Doble", "organisation": org, "is_focal_point": True, "is_alternate_focal_point": True}
    with pytest.raises(ValidationError) as error:
        services.person_create(actor=focal_gt, data=data)
    assert "is_alternate_focal_point" in error.value.message_dict
    assert not Person.objects.exists()


def test_organisations_are_filtered_by_their_current_membership(gt):
    member = OrganisationFactory.create(country=gt)
    former = OrganisationFactory.create(country=gt)
    none = OrganisationFactory.create(country=gt)
    CoalitionMembership.objects.create(organisation=member, status=Membership.MEMBER, started_on=dt.date(2015, 1, 1))
    CoalitionMembership.objects.create(
        organisation=former, status=Membership.MEMBER, started_on=dt.date(2015, 1, 1), ended_on=dt.date(2016, 1, 1)
    )
    CoalitionMembership.objects.create(organisation=member, status=Membership.OBSERVER, started_on=dt.date(2010, 1, 1),
                                       ended_on=dt.date(2014, 12, 31))
    assert set(Organisation.objects.with_membership_status(Membership.MEMBER)) == {member}
    assert set(Organisation.objects.with_membership_status(Membership.OBSERVER)) == set()
    assert set(Organisation.objects.with_membership_status(None)) == {former, none}
    on_2015 = Organisation.objects.with_membership_status(Membership.MEMBER, on=dt.date(2015, 6, 1))
    assert set(on_2015) == {member, former}


def test_the_current_membership_annotation_agrees_with_the_membership_history(gt):
    member = OrganisationFactory.create(country=gt, name="A member")
    former = OrganisationFactory.create(country=gt, name="A former member")
    future = OrganisationFactory.create(country=gt, name="Not yet")
    none = OrganisationFactory.create(country=gt, name="Never")
    CoalitionMembership.objects.create(organisation=member, status=Membership.OBSERVER, started_on=dt.date(2010, 1, 1),
                                       ended_on=dt.date(2014, 12, 31))
    CoalitionMembership.objects.create(organisation=member, status=Membership.MEMBER, started_on=dt.date(2015, 1, 1))
    CoalitionMembership.objects.create(
        organisation=former, status=Membership.PARTNER, started_on=dt.date(2015, 1, 1), ended_on=dt.date(2016, 1, 1)
    )
    CoalitionMembership.objects.create(organisation=future, status=Membership.MEMBER, started_on=dt.date(2999, 1, 1))

    def statuses(on=None) -> dict[int, str | None]:
        annotated: list[Any] = list(Organisation.objects.with_current_membership(on=on))
        return {o.pk: o.current_membership_status for o in annotated}

    assert statuses() == {member.pk: Membership.MEMBER, former.pk: None, future.pk: None, none.pk: None}
    for organisation in Organisation.objects.all():  # the per-object method says the same
        current = organisation.current_membership()
        assert statuses()[organisation.pk] == (current.status if current else None)
    on_2012 = statuses(on=dt.date(2012, 6, 1))
    assert on_2012[member.pk] == Membership.OBSERVER and on_2012[former.pk] is None
    with translation.override("en"):
        labels = {o.pk: o.current_membership_label for o in Organisation.objects.with_current_membership()}
    assert labels[member.pk] == "Member" and labels[none.pk] == ""


def test_the_current_membership_annotation_holds_in_the_lists_query(gt, hn):
    # As the organisation list builds it: joined to the country, filtered (search, country,
    # membership), sorted by the country's name, paginated and counted.
    renewed = OrganisationFactory.create(country=gt, name="Renewed institution")
    other = OrganisationFactory.create(country=hn, name="Renewed elsewhere")
    regional = OrganisationFactory.create(country=None, name="Renewed regional")
    for organisation in (renewed, other, regional):
        CoalitionMembership.objects.create(
            organisation=organisation, status=Membership.OBSERVER, started_on=dt.date(2015, 1, 1)
        )
    # Two records starting the same day: the later one holds.
    CoalitionMembership.objects.create(organisation=renewed, status=Membership.MEMBER, started_on=dt.date(2020, 1, 1))
    CoalitionMembership.objects.create(organisation=renewed, status=Membership.PARTNER, started_on=dt.date(2020, 1, 1))
    listed = (
        Organisation.objects.search("renewed")
        .with_membership_status(Membership.PARTNER)
        .select_related("country")
        .only("name", "country__name_es")
        .with_current_membership()
        .order_by("country__name_es", "name", "pk")
    )
    assert listed.count() == 1
    page: list[Any] = list(listed[:25])
    assert [(o.pk, o.current_membership_status) for o in page] == [(renewed.pk, Membership.PARTNER)]
    both = Organisation.objects.filter(country__in=[gt, hn]).select_related("country").with_current_membership()
    everyone: list[Any] = list(both.order_by("-country__name_es"))
    assert {o.pk: o.current_membership_status for o in everyone} == {
        renewed.pk: Membership.PARTNER, other.pk: Membership.OBSERVER,
    }
    annotated: list[Any] = list(Organisation.objects.with_current_membership())
    assert {o.pk: o.current_membership_status for o in annotated}[regional.pk] == Membership.OBSERVER


def test_the_kind_is_shown_by_its_translated_name(gt):
    organisation = OrganisationFactory.create(country=gt, kind=OrganisationKind.CONSULATE)
    with translation.override("en"):
        assert organisation.get_kind_display() == "Consulate"
    assert Organisation(kind="retired_kind").get_kind_display() == "retired_kind"


def test_languages_are_shown_by_name(gt):
    person = PersonFactory.create(organisation=OrganisationFactory.create(country=gt), languages=["es", "en"])
    with translation.override("en"):
        assert person.get_languages_display() == ["Spanish", "English"]
