"""Actors written as short codes, the way a spreadsheet or a form names them.

``PRESIDENCY``, ``SECRETARIAT``, ``ALL`` (all member countries), a member country's ISO alpha-2
code (``GT``) or an observer's or partner's acronym (``OIM``, ``OUR``). The same codes name the
lead and support actors in the Excel template and in the action form.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from corett.directory.models import Country, Membership, Organisation, OrganisationKind
from corett.plans.models import Actor, ActorKind

FIXED: dict[str, str] = {"PRESIDENCY": ActorKind.PRESIDENCY, "SECRETARIAT": ActorKind.SECRETARIAT, "ALL": ActorKind.ALL_COUNTRIES}
OBSERVER_KINDS = {OrganisationKind.INTERGOVERNMENTAL, OrganisationKind.NGO_OBSERVER}


class ActorCodes:
    """Reads and writes actor codes; loads the countries and organisations once."""

    def __init__(self) -> None:
        self.countries = {c.iso2: c for c in Country.objects.all()}
        self.countries_by_pk = {c.pk: c for c in self.countries.values()}
        organisations = Organisation.objects.exclude(
            kind__in=[OrganisationKind.NATIONAL_COMMISSION, OrganisationKind.GOVERNMENT_INSTITUTION,
                      OrganisationKind.CONSULATE, OrganisationKind.LOCAL_COMMITTEE,
                      OrganisationKind.COALITION_OFFICE]
        ).prefetch_related("memberships")
        self.organisations: dict[str, Organisation] = {}
        self.organisations_by_pk: dict[int, Organisation] = {}
        for org in organisations:
            self.organisations_by_pk[org.pk] = org
            for name in (org.acronym, org.name):
                if name:
                    self.organisations.setdefault(name.upper(), org)

    def parse(self, code: str) -> Actor:
        text = (code or "").strip().upper()
        if not text:
            raise ValidationError(_("Name an actor."))
        if text in FIXED:
            return Actor(FIXED[text])
        if text in self.countries:
            return Actor(ActorKind.COUNTRY, country_id=self.countries[text].pk)
        org = self.organisations.get(text)
        if org is None:
            raise ValidationError(_("Unknown actor “%(code)s”: use PRESIDENCY, SECRETARIAT, ALL, a country code "
                                    "(GT) or an observer's or partner's acronym.") % {"code": code.strip()})
        return Actor(self.organisation_kind(org), organisation_id=org.pk)

    def parse_list(self, text: str) -> list[Actor]:
        return [self.parse(part) for part in (text or "").replace(";", ",").split(",") if part.strip()]

    @staticmethod
    def organisation_kind(org: Organisation) -> str:
        current = org.current_membership()
        if current is not None:
            return ActorKind.OBSERVER if current.status == Membership.OBSERVER else ActorKind.PARTNER
        return ActorKind.OBSERVER if org.kind in OBSERVER_KINDS else ActorKind.PARTNER

    def code(self, actor: Actor) -> str:
        if actor.kind == ActorKind.COUNTRY:
            return self.countries_by_pk[actor.country_id].iso2 if actor.country_id in self.countries_by_pk else ""
        if actor.kind in (ActorKind.OBSERVER, ActorKind.PARTNER):
            org = self.organisations_by_pk.get(actor.organisation_id or 0)
            return (org.acronym or org.name) if org else ""
        return {v: k for k, v in FIXED.items()}[actor.kind]

    def choices(self) -> list[tuple[str, str]]:
        """Every actor as (code, label), for a form's select."""
        options = [("PRESIDENCY", str(ActorKind.PRESIDENCY.label)), ("SECRETARIAT", str(ActorKind.SECRETARIAT.label)),
                   ("ALL", str(ActorKind.ALL_COUNTRIES.label))]
        options += [(c.iso2, c.name) for c in sorted(self.countries.values(), key=lambda c: c.name)]
        options += [((o.acronym or o.name).upper(), str(o)) for o in
                    sorted(self.organisations_by_pk.values(), key=lambda o: o.name)]
        return options
