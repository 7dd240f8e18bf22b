"""`corett rotate-keys [--dry-run] [--batch-size N]`: re-encrypt every encrypted field value
that is not sealed with the current key of FIELD_ENCRYPTION_KEYS.

Rotating a key, without downtime:

1. ``corett generate-key`` and put the new entry FIRST in FIELD_ENCRYPTION_KEYS, keeping the old
   entries after it; deploy that ring to every process (web, workers) and restart them. From
   then on every write seals with the new key, and every old value is still readable.
2. ``corett rotate-keys``: re-seals the old values in short batches while the site runs. It is
   idempotent: run it again after an interruption, it picks up what is left.
3. When the summary says no value uses an old key any more, remove that key from the ring.

Nothing identifying is printed or audited: model names, counts, key ids and row ids only.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import models
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from corett.audit.services import audit_log
from corett.lib import crypto
from corett.lib.fields import encrypted_fields, models_with_encrypted_fields, rotate

# At most this many ids of unreadable rows are listed per model (the rest are counted).
LISTED_UNREADABLE = 20
# A sealed value starts with its version byte, the length of the key id and the key id (at most
# 32 characters): the bytes that say which key sealed it.
HEADER_BYTES = 2 + 32
USAGE_BATCH = 2000


def key_usage(model: type[models.Model], *, batch_size: int = USAGE_BATCH) -> dict[str, int]:
    """How many stored values of ``model`` each key sealed, from the first bytes of each value
    only: the database sends ``HEADER_BYTES`` per value, never a whole value (an attachment may
    be megabytes), a page of rows at a time. Nothing is decrypted."""
    ring = crypto.key_ring()
    heads = {
        f"head_{i}": Substr(f.attname, 1, HEADER_BYTES, output_field=models.BinaryField())
        for i, f in enumerate(encrypted_fields(model))
    }
    counts: dict[str, int] = {}
    last_pk: Any = None
    while True:
        rows = model._base_manager.order_by("pk").annotate(**heads)
        if last_pk is not None:
            rows = rows.filter(pk__gt=last_pk)
        page = list(rows.values_list("pk", *heads)[:batch_size])
        if not page:
            return counts
        last_pk = page[-1][0]
        for _pk, *values in page:
            for raw in values:
                if raw is None:
                    continue
                try:
                    kid = ring.key_id_of(bytes(raw))
                except crypto.DecryptionError:
                    kid = "?"
                counts[kid] = counts.get(kid, 0) + 1


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted value not sealed with the first key of "
        "FIELD_ENCRYPTION_KEYS, in batches, while the site runs."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true",
            help="Count (and check that they open) the values that would be re-encrypted; write nothing.",
        )
        parser.add_argument(
            "--batch-size", type=int, default=500,
            help="Rows per transaction (default: %(default)s).",
        )

    def handle(self, *args, dry_run: bool, batch_size: int, **options) -> None:
        if batch_size < 1:
            raise CommandError(_("The batch size must be at least 1."))
        ring = crypto.key_ring()
        current = ring.current_id
        self.stdout.write(
            _("Current key: %(current)s. Keys in the ring: %(keys)s.")
            % {"current": current, "keys": ", ".join(kid for kid, _key in ring.keys)}
        )
        summary: dict[str, dict] = {}
        totals = {"checked": 0, "rows": 0, "values": 0, "unreadable": 0}
        for model in models_with_encrypted_fields():
            label = model._meta.label_lower
            expected = model._base_manager.count()
            counts = {"checked": 0, "rows": 0, "values": 0, "unreadable": 0}
            unreadable: list[str] = []
            for batch in rotate(model, batch_size=batch_size, dry_run=dry_run):
                counts["checked"] += batch.checked
                counts["rows"] += batch.rows
                counts["values"] += batch.values
                counts["unreadable"] += len(batch.unreadable)
                unreadable.extend(str(pk) for pk in batch.unreadable)
                progress = (
                    _("%(model)s: %(checked)s of %(total)s rows checked, %(rows)s to re-encrypt")
                    if dry_run
                    else _("%(model)s: %(checked)s of %(total)s rows checked, %(rows)s re-encrypted")
                )
                self.stdout.write(
                    progress % {"model": label, "checked": counts["checked"], "total": expected, "rows": counts["rows"]}
                )
            summary[label] = {**counts, "unreadable_ids": unreadable[:LISTED_UNREADABLE]}
            for key in totals:
                totals[key] += counts[key]
            if unreadable:
                self.stderr.write(
                    _("%(model)s: %(count)s rows hold a value that cannot be decrypted (ids: %(ids)s)")
                    % {"model": label, "count": len(unreadable), "ids": ", ".join(unreadable[:LISTED_UNREADABLE])}
                )

        verb = _("would be re-encrypted") if dry_run else _("re-encrypted")
        self.stdout.write(
            _(
                "Summary: %(models)s models, %(checked)s rows checked, %(rows)s rows (%(values)s values) "
                "%(verb)s, %(unreadable)s rows unreadable."
            )
            % {"models": len(summary), "verb": verb, **totals}
        )
        if dry_run:
            # A dry run changes nothing, so it leaves no audit entry.
            return

        usage: dict[str, int] = {}
        for model in models_with_encrypted_fields():
            for kid, count in key_usage(model).items():
                usage[kid] = usage.get(kid, 0) + count
        audit_log(
            actor=None, username="system", action="crypto.rotate_keys",
            extra={"key": current, "models": summary, "totals": totals, "key_usage": usage},
        )
        still_used = sorted(kid for kid in usage if kid != current)
        unused = [kid for kid, _key in ring.keys if kid != current and kid not in usage]
        if still_used:
            self.stdout.write(
                _("Values still sealed with other keys: %(keys)s. Keep those keys in the ring.")
                % {"keys": ", ".join(f"{kid} ({usage[kid]})" for kid in still_used)}
            )
        elif unused:
            self.stdout.write(
                _("Every value is sealed with %(current)s: %(keys)s may now be removed from FIELD_ENCRYPTION_KEYS.")
                % {"current": current, "keys": ", ".join(unused)}
            )
        else:
            self.stdout.write(_("Every value is sealed with %(current)s.") % {"current": current})
        if totals["unreadable"]:
            raise CommandError(
                _("%(count)s rows could not be re-encrypted: restore the key that sealed them, or their data.")
                % {"count": totals["unreadable"]},
                returncode=1,
            )
