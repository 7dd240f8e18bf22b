"""Directory exports: organisations and people, exactly as the user's filtered list shows them.

The views hand each exporter a queryset that is already ``visible_to(user)`` and filtered the way
the list page was; the exporter only preloads what its columns need and writes the rows.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from corett.directory.models import Organisation, Person
from corett.lib.exports import Cell, Exporter


class OrganisationExporter(Exporter):
    name = "organisations"
    title = _("Organisations")
    columns = [
        _("Name"),
        _("Acronym"),
        _("Kind"),
        _("Country (ISO)"),
        _("Country"),
        _("Parent organisation"),
        _("Current membership"),
        _("Member since"),
        _("Website"),
        _("Contact e-mail"),
        _("Contact phone"),
        _("Address"),
        _("Languages"),
    ]

    def __init__(self, organisations: QuerySet[Organisation]):
        self.organisations = organisations.select_related("country", "parent").prefetch_related(
            "memberships"
        )

    def rows(self) -> Iterator[Sequence[Cell]]:
        for org in self.organisations:
            membership = org.current_membership()
            yield [
                org.name,
                org.acronym,
                org.get_kind_display(),
                org.country.iso2 if org.country else "",
                org.country.name if org.country else "",
                org.parent.name if org.parent else "",
                membership.get_status_display() if membership else "",
                membership.started_on if membership else None,
                org.website,
                org.email,
                org.phone,
                org.address,
                ", ".join(org.get_languages_display()),
            ]


class PersonExporter(Exporter):
    name = "people"
    title = _("People")
    columns = [
        _("Full name"),
        _("Position"),
        _("Organisation"),
        _("Country (ISO)"),
        _("Country"),
        _("E-mail"),
        _("Phone"),
        _("Languages"),
        _("Focal point"),
        _("Alternate focal point"),
        _("Visibility"),
    ]

    def __init__(self, people: QuerySet[Person]):
        self.people = people.select_related("organisation", "organisation__country")

    def rows(self) -> Iterator[Sequence[Cell]]:
        for person in self.people:
            country = person.organisation.country
            yield [
                person.full_name,
                person.position,
                person.organisation.name,
                country.iso2 if country else "",
                country.name if country else "",
                person.email,
                person.phone,
                ", ".join(person.get_languages_display()),
                person.is_focal_point,
                person.is_alternate_focal_point,
                person.get_visibility_display(),
            ]
