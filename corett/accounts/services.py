"""Account workflows: users and their roles, profiles, second factors, personal API tokens.

Views, the API and commands call these functions; none of them writes an account any other way.
Each checks permission through the policy, validates the whole record and writes its audit entry
(field names only, never values, never a raw token) in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _

from corett import policy
from corett.accounts import two_factor
from corett.accounts.models import ApiToken, RoleAssignment, User
from corett.accounts.roles import Role
from corett.audit.services import audit_log

# What an administrator may set on an account. The password is never among them: a new user
# chooses it through the link e-mailed to them.
USER_FIELDS = frozenset(
    {"username", "first_name", "last_name", "email", "organisation", "is_active", "preferred_language"}
)
# What people may change about themselves.
PROFILE_FIELDS = frozenset({"first_name", "last_name", "email", "preferred_language"})
# Roles whose work happens inside one country: their holders need an organisation in a country,
# or the policy (which scopes them by country) would give them nothing, or the wrong thing.
NATIONAL_ROLES = frozenset({Role.FOCAL_POINT, Role.CASE_WORKER, Role.CASE_SUPERVISOR})

# Marks "the token's owner acts" in api_token_create (None means the system, e.g. a command).
_OWNER: Any = object()
SYSTEM_ACTOR = "system"


def _apply(instance: Any, data: Mapping[str, Any], allowed: frozenset[str]) -> list[str]:
    """Set the given fields; return the names of those whose value really changed."""
    unknown = set(data) - allowed
    if unknown:
        raise ValueError(f"Fields not settable here: {sorted(unknown)}")
    changed = []
    for name, value in data.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return changed


def _validate_user(user: User, roles: Iterable[str]) -> None:
    errors: dict[str, list[Any]] = {}
    try:
        user.full_clean()
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if not user.email:
        errors.setdefault("email", []).append(
            _("An e-mail address is required: password links are sent there.")
        )
    elif User.objects.filter(email__iexact=user.email).exclude(pk=user.pk).exists():
        errors.setdefault("email", []).append(_("Another user already has this e-mail address."))
    if set(roles) & NATIONAL_ROLES and (user.organisation is None or user.organisation.country_id is None):
        errors.setdefault("organisation", []).append(
            _("Focal points, case workers and case supervisors belong to an organisation of one country.")
        )
    if errors:
        raise ValidationError(errors)


def _current_roles(user: User) -> set[str]:
    if user.pk is None:
        return set()
    return set(RoleAssignment.objects.filter(user=user).values_list("role", flat=True))


def _guard_administrators(*, actor: Any, user: User, roles: set[str], is_active: bool) -> None:
    """Nobody removes their own administrator role or deactivates their own account.

    Only an active administrator may change accounts, so this alone guarantees that the platform
    always keeps one: whoever removes the others' role is still an administrator themselves.
    """
    if user.pk is None or user.pk != getattr(actor, "pk", None):
        return
    if Role.ADMIN in _current_roles(user) and Role.ADMIN not in roles:
        raise ValidationError({"roles": _("You cannot remove your own administrator role.")})
    if user.is_active and not is_active:
        raise ValidationError({"is_active": _("You cannot deactivate your own account.")})


def _roles_write(user: User, roles: set[str]) -> tuple[list[str], list[str]]:
    current = _current_roles(user)
    added = sorted(roles - current)
    removed = sorted(current - roles)
    if removed:
        RoleAssignment.objects.filter(user=user, role__in=removed).delete()
    RoleAssignment.objects.bulk_create(RoleAssignment(user=user, role=role) for role in added)
    user.__dict__.pop("roles", None)  # the cached_property would keep the old set
    return added, removed


def _clean_roles(roles: Iterable[str]) -> set[str]:
    roles = set(roles)
    invalid = roles - set(Role.values)
    if invalid:
        raise ValidationError({"roles": _("Unknown role.")})
    return roles


def password_setup_email_send(user: User) -> None:
    """E-mail a new user the link where they choose their password (Django's reset link)."""
    context = {
        "user": user,
        "site_root": settings.SITE_ROOT.rstrip("/"),
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
        "timeout_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
    }
    with translation.override(user.preferred_language):
        subject = " ".join(render_to_string("accounts/email/welcome_subject.txt", context).split())
        body = render_to_string("accounts/email/welcome.txt", context)
    send_mail(subject, body, None, [user.email])


# Each workflow asks the policy BEFORE opening its transaction: a refusal is audited by
# policy.authorize, and that entry must survive the PermissionDenied that follows it.


def user_create(*, actor: Any, data: Mapping[str, Any]) -> User:
    """Create an account (``data`` may carry ``roles``); the user gets an e-mail to set a password."""
    policy.authorize(actor, "accounts.manage_users")
    data = dict(data)
    roles = _clean_roles(data.pop("roles", ()))
    with transaction.atomic():
        user = User()
        _apply(user, data, USER_FIELDS)
        user.set_unusable_password()
        _validate_user(user, roles)
        user.save()
        added, _removed = _roles_write(user, roles)
        audit_log(
            actor=actor,
            action="accounts.user.create",
            obj=user,
            changed_fields=[*data, "roles"],
            extra={"roles_added": added},
        )
        if user.is_active:
            transaction.on_commit(lambda: password_setup_email_send(user))
    return user


def user_update(*, actor: Any, user: User, data: Mapping[str, Any]) -> User:
    """Change an account (``data`` may carry ``roles``); audits the names of what changed."""
    policy.authorize(actor, "accounts.manage_users", user)
    data = dict(data)
    with transaction.atomic():
        roles = _clean_roles(data.pop("roles")) if "roles" in data else _current_roles(user)
        _guard_administrators(
            actor=actor, user=user, roles=roles, is_active=data.get("is_active", user.is_active)
        )
        changed = _apply(user, data, USER_FIELDS)
        _validate_user(user, roles)
        if changed:
            user.save(update_fields=changed)
        added, removed = _roles_write(user, roles)
        if added or removed:
            changed.append("roles")
        if changed:
            audit_log(
                actor=actor,
                action="accounts.user.update",
                obj=user,
                changed_fields=changed,
                extra={"roles_added": added, "roles_removed": removed} if added or removed else None,
            )
    return user


def user_roles_set(*, actor: Any, user: User, roles: Iterable[str]) -> User:
    policy.authorize(actor, "accounts.manage_users", user)
    wanted = _clean_roles(roles)
    with transaction.atomic():
        _guard_administrators(actor=actor, user=user, roles=wanted, is_active=user.is_active)
        _validate_user(user, wanted)
        added, removed = _roles_write(user, wanted)
        if added or removed:
            audit_log(
                actor=actor,
                action="accounts.user.update",
                obj=user,
                changed_fields=["roles"],
                extra={"roles_added": added, "roles_removed": removed},
            )
    return user


def user_two_factor_reset(*, actor: Any, user: User) -> None:
    """Remove the user's devices: at the next sign-in they enrol again (lost phone)."""
    policy.authorize(actor, "accounts.manage_users", user)
    with transaction.atomic():
        two_factor.devices_delete(user)
        audit_log(actor=actor, action="accounts.two_factor.reset", obj=user)


@transaction.atomic
def profile_update(*, user: User, data: Mapping[str, Any]) -> list[str]:
    """A user changes their own name, e-mail or language; returns the changed field names."""
    target = User.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=user.pk)
    changed = _apply(target, data, PROFILE_FIELDS)
    if not changed:
        return []
    _validate_user(target, _current_roles(target))
    target.save(update_fields=changed)
    audit_log(actor=target, action="accounts.profile.update", obj=target, changed_fields=changed)
    return changed


def two_factor_disable(*, user: User) -> None:
    """Turn off the second factor; refused to roles that must use it."""
    policy.authorize(user, "accounts.disable_two_factor", user)
    with transaction.atomic():
        two_factor.devices_delete(user)
        audit_log(actor=user, action="accounts.two_factor.disable", obj=user)


def api_token_create(*, user: User, name: str, actor: Any = _OWNER) -> tuple[ApiToken, str]:
    """Create a personal API token for ``user``; return it and the raw token (shown once).

    ``actor`` defaults to the owner; ``None`` records the system (the ``api-token`` command).
    """
    if actor is _OWNER:
        actor = user
    # The token only ever acts as its owner, so the owner must be one who may use the API.
    policy.authorize(user, "accounts.use_api")
    raw = ApiToken.generate()
    token = ApiToken(
        user=user,
        name=(name or "").strip(),
        digest=ApiToken.digest_of(raw),
        hint=raw[: len(ApiToken.PREFIX) + 4],
    )
    with transaction.atomic():
        token.full_clean()
        token.save()
        audit_log(
            actor=actor,
            username=SYSTEM_ACTOR,
            action="accounts.api_token.create",
            obj=token,
            country=user.country.iso2 if user.country else "",
            changed_fields=["name"],
            extra={"owner_id": user.pk},
        )
    return token, raw


def api_token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    policy.authorize(actor, "accounts.manage_api_token", token)
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit_log(
                actor=actor, action="accounts.api_token.revoke", obj=token, changed_fields=["revoked_at"]
            )
    return token
