from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from corett.audit.models import GENESIS, AuditEntry
from corett.core.request_context import current_request_meta
from corett.lib.locks import serialise


def _country_of(obj: Any) -> str:
    for path in ("iso2", "country.iso2", "organisation.country.iso2"):
        value: Any = obj
        try:
            for part in path.split("."):
                value = getattr(value, part)
        except AttributeError:
            continue
        if isinstance(value, str):
            return value
    return ""


def audit_log(
    *,
    actor: Any,
    action: str,
    obj: Any = None,
    object_type: str = "",
    object_id: Any = "",
    changed_fields: Iterable[str] = (),
    country: str = "",
    extra: dict | None = None,
    username: str = "",
) -> AuditEntry:
    """Append one entry to the chain, in the caller's transaction.

    ``extra`` must hold no protected value; callers pass field names, codes and counts only.
    """
    meta = current_request_meta()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
        country = country or _country_of(obj)
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    if not country and is_user and actor.country is not None:
        country = actor.country.iso2
    with transaction.atomic():
        # Appends are serialised so that two entries never claim the same predecessor.
        serialise("audit.chain")
        last = AuditEntry.objects.order_by("-id").values_list("hash", flat=True).first()
        entry = AuditEntry(
            created_at=timezone.now(),
            actor_id=actor.pk if is_user else None,
            actor_username=(actor.get_username() if is_user else username)[:150],
            action=action,
            object_type=object_type,
            object_id="" if object_id in (None, "") else str(object_id),
            country=country or "",
            ip_address=meta.ip,
            user_agent=meta.user_agent[:255],
            changed_fields=sorted(set(changed_fields)),
            extra=extra or {},
            prev_hash=last or GENESIS,
        )
        entry.hash = entry.compute_hash()
        entry.save(force_insert=True)
    return entry


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    checked: int
    broken_id: int | None = None
    reason: str = ""


def audit_verify(*, batch_size: int = 2000) -> ChainCheck:
    """Walk the whole chain in order; report the first entry whose hash or link is wrong."""
    previous = GENESIS
    checked = 0
    qs = AuditEntry.objects.order_by("id")
    last_id = 0
    while True:
        batch = list(qs.filter(id__gt=last_id)[:batch_size])
        if not batch:
            break
        for entry in batch:
            if entry.prev_hash != previous:
                return ChainCheck(False, checked, entry.pk, "link to the previous entry is broken")
            if entry.compute_hash() != entry.hash:
                return ChainCheck(False, checked, entry.pk, "content does not match its hash")
            previous = entry.hash
            checked += 1
            last_id = entry.pk
    return ChainCheck(True, checked)
