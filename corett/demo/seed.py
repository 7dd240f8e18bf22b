"""Loads the real coalition and the demo accounts. Idempotent: a second run changes nothing
that exists (so what a person edited in the demo is kept) and only adds what is missing."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from corett import modules
from corett.accounts.models import RoleAssignment, User
from corett.accounts.roles import Role
from corett.audit.services import audit_log
from corett.demo import coalition
from corett.directory.models import (
    CoalitionMembership,
    Country,
    Membership,
    Organisation,
    OrganisationKind,
    Person,
    PresidencyTerm,
    SecretariatTerm,
    Visibility,
)

DEMO_PASSWORD = "corett-demo-2026"  # noqa: S105  (published in the README: demo mode only)


class NotDemoMode(RuntimeError):
    pass


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    organisation: Organisation
    totp_secret: str | None


def _country(iso2: str, iso3: str, es: str, en: str, language: str) -> Country:
    country, _ = Country.objects.get_or_create(
        iso2=iso2,
        defaults={
            "iso3": iso3, "name_es": es, "name_en": en,
            "official_language": language, "membership": Membership.MEMBER,
        },
    )
    return country


def _organisation(name: str, acronym: str, kind: str, country: Country | None, **extra) -> Organisation:
    lookup = {"acronym": acronym, "country": country} if acronym else {"name": name, "country": country}
    org = Organisation.objects.filter(**lookup).first()
    if org is None:
        org = Organisation(name=name, acronym=acronym, kind=kind, country=country, **extra)
        org.full_clean()
        org.save()
    return org


def _membership(org: Organisation, status: str) -> None:
    if not org.memberships.exists():
        CoalitionMembership.objects.create(
            organisation=org, status=status, started_on=coalition.MEMBERSHIP_SINCE
        )


def _account(username: str, role: str, org: Organisation, first: str, last: str) -> DemoAccount:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, first_name=first, last_name=last,
                    email=f"{username}@demo.corett.invalid", organisation=org,
                    preferred_language="en" if org.country_id and org.country and org.country.iso2 == "BZ" else "es")
        user.set_password(DEMO_PASSWORD)
        user.save()
        RoleAssignment.objects.create(user=user, role=role)
        Person.objects.create(
            full_name=f"{first} {last}", position=str(Role(role).label), organisation=org,
            email=user.email, languages=["es", "en"], user=user,
            is_focal_point=role == Role.FOCAL_POINT,
            visibility=Visibility.COALITION if role == Role.FOCAL_POINT else Visibility.COUNTRY,
        )
    user.__dict__.pop("roles", None)
    secret = None
    # Focal points are enrolled too (2FA is optional for them), so the demo shows both paths.
    if user.requires_two_factor or role == Role.FOCAL_POINT:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="demo", confirmed=True)
        secret = _base32(device.bin_key)
    return DemoAccount(username, role, org, secret)


def _base32(key: bytes) -> str:
    import base64

    return base64.b32encode(key).decode().rstrip("=")


@transaction.atomic
def seed_demo() -> list[DemoAccount]:
    if not settings.DEMO:
        raise NotDemoMode("Demo data is loaded only when CORETT_DEMO=1.")
    countries = {row[0]: _country(*row) for row in coalition.MEMBER_COUNTRIES}

    commissions: dict[str, Organisation] = {}
    for iso2, (name, acronym, website) in coalition.NATIONAL_COMMISSIONS.items():
        org = _organisation(
            name, acronym, OrganisationKind.NATIONAL_COMMISSION, countries[iso2],
            website=website, languages=["en"] if iso2 == "BZ" else ["es"],
        )
        _membership(org, Membership.MEMBER)
        commissions[iso2] = org
    minseg = _organisation(*coalition.PANAMA_MINSEG, OrganisationKind.GOVERNMENT_INSTITUTION, countries["PA"])
    if commissions["PA"].parent_id is None:
        commissions["PA"].parent = minseg
        commissions["PA"].save(update_fields=["parent"])

    secretariat = _organisation(*coalition.SECRETARIAT, OrganisationKind.COALITION_OFFICE, None,
                                languages=["es", "en"])
    others: dict[str, Organisation] = {}
    for name, acronym, kind, seat, status, parent, website in coalition.OTHER_ORGANISATIONS:
        org = _organisation(
            name, acronym, kind, countries[seat] if seat else None, website=website,
            parent=others.get(parent) if parent else None, languages=["es", "en"],
        )
        _membership(org, status)
        others[acronym or name] = org

    for iso2, start, end in coalition.PRESIDENCY_TERMS:
        PresidencyTerm.objects.get_or_create(
            started_on=start, defaults={"country": countries[iso2], "ended_on": end}
        )
    if not SecretariatTerm.objects.exists():
        SecretariatTerm.objects.create(organisation=secretariat, started_on=coalition.SECRETARIAT_SINCE)

    accounts = [
        _account("admin", Role.ADMIN, secretariat, "Administración", "Plataforma"),
        _account("secretariat", Role.SECRETARIAT, secretariat, "Secretaría", "Técnica"),
    ]
    presidency = PresidencyTerm.current()
    presidency_org = commissions[presidency.country.iso2] if presidency else secretariat
    accounts.append(_account("presidency", Role.PRESIDENCY, presidency_org, "Presidencia", "Pro Tempore"))
    accounts.append(_account("observer-iom", Role.OBSERVER, others["OIM"], "Observadora", "OIM"))
    accounts.append(_account("partner-our", Role.PARTNER, others["OUR"], "Socia", "OUR"))
    accounts.append(_account("trainer", Role.TRAINER, secretariat, "Formadora", "Regional"))
    accounts.append(_account("editor", Role.EDITOR, secretariat, "Comunicación", "Secretaría"))
    accounts.append(_account("editor-pozo", Role.EDITOR, others["El Pozo de Vida"], "Comunicación", "El Pozo de Vida"))
    for iso2, org in commissions.items():
        name = countries[iso2].name_es
        low = iso2.lower()
        accounts.append(_account(f"focal-{low}", Role.FOCAL_POINT, org, "Punto focal", name))
        accounts.append(_account(f"caseworker-{low}", Role.CASE_WORKER, org, "Gestión de casos", name))
        accounts.append(_account(f"supervisor-{low}", Role.CASE_SUPERVISOR, org, "Supervisión", name))
    from corett.demo.cases import seed_demo_cases

    cases = seed_demo_cases()
    for module in modules.parts("demo"):
        module.seed(accounts={a.username: a for a in accounts})
    audit_log(actor=None, username="system", action="demo.seed", extra={"accounts": len(accounts), "cases": cases})
    return accounts
