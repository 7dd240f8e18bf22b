"""Directory workflows: every create and change goes through here, validated and audited.

Views, the API, imports and commands call these functions; none of them saves a directory
record any other way. Each function checks permission through the policy, validates the whole
record with ``full_clean()`` and writes its audit entry in the same transaction.

Permission is checked *before* the transaction opens: a refusal writes an ``access.denied`` audit
entry, and that entry must survive the refusal instead of rolling back with the write it refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction

from corett import policy
from corett.audit.services import audit_log
from corett.directory.models import (
    CoalitionMembership,
    Country,
    Organisation,
    Person,
    PresidencyTerm,
    SecretariatTerm,
)
from corett.lib.locks import serialise

M = TypeVar("M", bound=models.Model)


def _apply(instance: M, data: Mapping[str, Any]) -> list[str]:
    """Set the given fields; return the names of those whose value really changed."""
    changed = []
    for name, value in data.items():
        instance._meta.get_field(name)  # unknown names fail loudly, never silently ignored
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return changed


def _create(*, actor: Any, instance: M, action: str) -> M:
    instance.full_clean()
    instance.save()
    audit_log(
        actor=actor,
        action=action,
        obj=instance,
        changed_fields=[f.name for f in instance._meta.concrete_fields if not f.primary_key],
    )
    return instance


def _update(*, actor: Any, instance: M, data: Mapping[str, Any], action: str) -> M:
    before = {name: getattr(instance, name) for name in data}
    changed = _apply(instance, data)
    if not changed:
        return instance
    try:
        instance.full_clean()
    except ValidationError:
        # Leave the caller's object as it was: a refused change must not linger in memory
        # (a view re-rendering the page would otherwise show values that were never saved).
        for name, value in before.items():
            setattr(instance, name, value)
        raise
    instance.save(update_fields=[*changed, *(["updated_at"] if hasattr(instance, "updated_at") else [])])
    audit_log(actor=actor, action=action, obj=instance, changed_fields=changed)
    return instance


def country_update(*, actor: Any, country: Country, data: Mapping[str, Any]) -> Country:
    policy.authorize(actor, "directory.change_country", country)
    with transaction.atomic():
        return _update(actor=actor, instance=country, data=data, action="directory.country.update")


def organisation_create(*, actor: Any, data: Mapping[str, Any]) -> Organisation:
    organisation = Organisation(**data)
    policy.authorize(actor, "directory.add_organisation", organisation.country)
    with transaction.atomic():
        return _create(actor=actor, instance=organisation, action="directory.organisation.create")


def organisation_update(
    *, actor: Any, organisation: Organisation, data: Mapping[str, Any]
) -> Organisation:
    policy.authorize(actor, "directory.change_organisation", organisation)
    if "country" in data and data["country"] != organisation.country:
        # Moving an organisation to another country needs the right to add it there too.
        policy.authorize(actor, "directory.add_organisation", data["country"])
    with transaction.atomic():
        return _update(
            actor=actor, instance=organisation, data=data, action="directory.organisation.update"
        )


def membership_add(
    *, actor: Any, organisation: Organisation, data: Mapping[str, Any]
) -> CoalitionMembership:
    policy.authorize(actor, "directory.manage_offices", organisation)
    membership = CoalitionMembership(organisation=organisation, **data)
    with transaction.atomic():
        return _create(actor=actor, instance=membership, action="directory.membership.create")


def membership_update(
    *, actor: Any, membership: CoalitionMembership, data: Mapping[str, Any]
) -> CoalitionMembership:
    policy.authorize(actor, "directory.manage_offices", membership.organisation)
    with transaction.atomic():
        return _update(
            actor=actor, instance=membership, data=data, action="directory.membership.update"
        )


def person_create(*, actor: Any, data: Mapping[str, Any]) -> Person:
    person = Person(**data)
    policy.authorize(actor, "directory.add_person", person.organisation)
    with transaction.atomic():
        return _create(actor=actor, instance=person, action="directory.person.create")


def person_update(*, actor: Any, person: Person, data: Mapping[str, Any]) -> Person:
    policy.authorize(actor, "directory.change_person", person)
    if "organisation" in data and data["organisation"] != person.organisation:
        policy.authorize(actor, "directory.add_person", data["organisation"])
    with transaction.atomic():
        return _update(actor=actor, instance=person, data=data, action="directory.person.update")


def presidency_term_create(*, actor: Any, data: Mapping[str, Any]) -> PresidencyTerm:
    policy.authorize(actor, "directory.manage_offices")
    with transaction.atomic():
        # Serialise term changes so that two overlapping terms cannot both pass validation
        # (a row lock would not do: there may be no row yet to lock).
        serialise("directory.presidency_terms")
        return _create(
            actor=actor, instance=PresidencyTerm(**data), action="directory.presidency.create"
        )


def presidency_term_update(
    *, actor: Any, term: PresidencyTerm, data: Mapping[str, Any]
) -> PresidencyTerm:
    policy.authorize(actor, "directory.manage_offices")
    with transaction.atomic():
        serialise("directory.presidency_terms")
        return _update(actor=actor, instance=term, data=data, action="directory.presidency.update")


def secretariat_term_create(*, actor: Any, data: Mapping[str, Any]) -> SecretariatTerm:
    policy.authorize(actor, "directory.manage_offices")
    with transaction.atomic():
        return _create(
            actor=actor, instance=SecretariatTerm(**data), action="directory.secretariat.create"
        )


def secretariat_term_update(
    *, actor: Any, term: SecretariatTerm, data: Mapping[str, Any]
) -> SecretariatTerm:
    policy.authorize(actor, "directory.manage_offices")
    with transaction.atomic():
        return _update(
            actor=actor, instance=term, data=data, action="directory.secretariat.update"
        )
