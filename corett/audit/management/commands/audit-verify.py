"""`corett audit-verify`: walk the hash chain; exit 1 naming the first broken entry.

Meant for cron and monitoring: silence is not success, so it always prints one line.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from corett.audit.models import AuditEntry
from corett.audit.services import audit_verify


def describe_break(broken_id: int | None, reason: str) -> str:
    entry = (
        AuditEntry.objects.filter(pk=broken_id).only("created_at", "action").first()
        if broken_id is not None
        else None
    )
    when = entry.created_at.isoformat() if entry else "?"
    action = entry.action if entry else "?"
    return f"entry #{broken_id} ({when}, {action}): {reason}"


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain from the first entry to the last."

    def handle(self, *args, **options) -> None:
        result = audit_verify()
        if not result.ok:
            raise CommandError(
                f"BROKEN after {result.checked} good entries: "
                + describe_break(result.broken_id, result.reason),
                returncode=1,
            )
        self.stdout.write(f"OK: {result.checked} entries verified")
