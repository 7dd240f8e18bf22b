"""`corett audit-verify`: walk the hash chain; exit 1 naming the first broken entry.

Meant for cron and monitoring: silence is not success, so it always prints one line.

A hash chain shows any change or removal *inside* the chain, but not the removal of its newest
entries. ``--anchor FILE`` closes that gap: the file, kept outside the database (another host,
write-once storage), remembers the newest entry verified last time; the next run fails if that
entry is gone or different, then moves the anchor forward.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

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


def _read_anchor(path: Path) -> dict | None:
    if not path.exists():
        return None
    try:
        anchor = json.loads(path.read_text())
        return {"id": int(anchor["id"]), "hash": str(anchor["hash"])}
    except (ValueError, KeyError, TypeError) as exc:
        raise CommandError(f"The anchor file {path} is unreadable: {exc}", returncode=1) from exc


def _write_anchor(path: Path, entry_id: int, entry_hash: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False) as handle:
        json.dump({"id": entry_id, "hash": entry_hash}, handle)
        temporary = handle.name
    os.replace(temporary, path)


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain from the first entry to the last."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--anchor",
            type=Path,
            help="A file outside the database that remembers the newest verified entry.",
        )

    def handle(self, *args, **options) -> None:
        anchor_path: Path | None = options.get("anchor")
        anchor = _read_anchor(anchor_path) if anchor_path else None
        result = audit_verify()
        if not result.ok:
            raise CommandError(
                f"BROKEN after {result.checked} good entries: "
                + describe_break(result.broken_id, result.reason),
                returncode=1,
            )
        if anchor is not None:
            kept = AuditEntry.objects.filter(pk=anchor["id"]).values_list("hash", flat=True).first()
            if kept != anchor["hash"]:
                raise CommandError(
                    f"BROKEN: entry #{anchor['id']}, the newest one verified last time, "
                    + ("is missing" if kept is None else "has changed")
                    + ": entries were removed from the end of the trail",
                    returncode=1,
                )
        if anchor_path is not None:
            newest = AuditEntry.objects.order_by("-id").values_list("id", "hash").first()
            if newest is not None:
                _write_anchor(anchor_path, *newest)
        self.stdout.write(f"OK: {result.checked} entries verified")
