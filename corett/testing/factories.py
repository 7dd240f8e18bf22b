"""Factories that produce valid records (``full_clean()`` passes on each)."""

from __future__ import annotations

import datetime as dt

import factory
from django_otp.plugins.otp_totp.models import TOTPDevice

from corett.accounts.models import RoleAssignment, User
from corett.accounts.roles import TWO_FACTOR_REQUIRED
from corett.directory.models import (
    CoalitionMembership,
    Country,
    Membership,
    Organisation,
    OrganisationKind,
    Person,
    PresidencyTerm,
    Visibility,
)

TEST_PASSWORD = "correct horse battery staple 42"  # noqa: S105  (tests only)

COUNTRIES = {
    "GT": ("GTM", "Guatemala", "Guatemala", "es"),
    "HN": ("HND", "Honduras", "Honduras", "es"),
    "BZ": ("BLZ", "Belice", "Belize", "en"),
    "SV": ("SLV", "El Salvador", "El Salvador", "es"),
}


def country(iso2: str = "GT") -> Country:
    iso3, es, en, lang = COUNTRIES[iso2]
    obj, _ = Country.objects.get_or_create(
        iso2=iso2,
        defaults={
            "iso3": iso3, "name_es": es, "name_en": en, "official_language": lang,
            "membership": Membership.MEMBER, "member_since": dt.date(2011, 1, 1),
        },
    )
    return obj


class OrganisationFactory(factory.django.DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = OrganisationKind.GOVERNMENT_INSTITUTION
    country = factory.LazyFunction(lambda: country("GT"))
    languages = factory.LazyFunction(lambda: ["es"])


class CoalitionMembershipFactory(factory.django.DjangoModelFactory[CoalitionMembership]):
    class Meta:
        model = CoalitionMembership

    organisation = factory.SubFactory(OrganisationFactory)
    status = Membership.MEMBER
    started_on = dt.date(2015, 1, 1)


class PersonFactory(factory.django.DjangoModelFactory[Person]):
    class Meta:
        model = Person

    full_name = factory.Sequence(lambda n: f"Persona Ejemplo {n}")
    position = "Analista"
    organisation = factory.SubFactory(OrganisationFactory)
    email = factory.Sequence(lambda n: f"persona{n}@example.org")
    phone = "+502 2222 0000"
    languages = factory.LazyFunction(lambda: ["es"])
    visibility = Visibility.COUNTRY


class PresidencyTermFactory(factory.django.DjangoModelFactory[PresidencyTerm]):
    class Meta:
        model = PresidencyTerm

    country = factory.LazyFunction(lambda: country("GT"))
    started_on = dt.date(2026, 1, 1)
    ended_on = dt.date(2026, 12, 31)


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Ana"
    last_name = factory.Sequence(lambda n: f"Usuaria {n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    organisation = factory.SubFactory(OrganisationFactory)
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def roles(self: User, create, extracted, **kwargs):
        if not create:
            return
        for role in extracted or []:
            RoleAssignment.objects.create(user=self, role=role)
        self.save()
        self.__dict__.pop("roles", None)
        if self.requires_two_factor:
            TOTPDevice.objects.create(user=self, name="default", confirmed=True)


def user_with(role: str, iso2: str | None = "GT", **kwargs) -> User:
    """A user holding ``role`` in the national commission of ``iso2`` (None: a regional body)."""
    if iso2 is None:
        org, _ = Organisation.objects.get_or_create(
            name="Secretaría Técnica de la CORETT",
            defaults={"kind": OrganisationKind.COALITION_OFFICE, "acronym": "ST-CORETT"},
        )
    else:
        org, _ = Organisation.objects.get_or_create(
            name=f"Comisión nacional {iso2}",
            defaults={"kind": OrganisationKind.NATIONAL_COMMISSION, "country": country(iso2)},
        )
    kwargs.setdefault("username", f"{role}-{(iso2 or 'regional').lower()}")
    return UserFactory.create(organisation=org, roles=[role], **kwargs)


def two_factor_required(role: str) -> bool:
    return role in TWO_FACTOR_REQUIRED
