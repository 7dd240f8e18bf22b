"""`corett generate-key`: a new entry for FIELD_ENCRYPTION_KEYS (or a blind-index key)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from corett.lib.crypto import new_key, new_key_entry


class Command(BaseCommand):
    help = (
        "Print a new field-encryption key entry 'id:base64key'. To rotate, put it FIRST in "
        "FIELD_ENCRYPTION_KEYS and keep the old entries after it until nothing uses them."
    )
    # Prints a secret and needs neither the database nor the (possibly broken) key ring.
    requires_system_checks: list = []
    requires_migrations_checks = False

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--id", dest="key_id", default=None,
            help="Key id (default: today's date, YYYYMMDD). Must be unique in the ring.",
        )
        parser.add_argument(
            "--blind-index", action="store_true",
            help="Print a key for FIELD_BLIND_INDEX_KEY instead. Never rotate it casually: "
            "every blind index would have to be recomputed.",
        )

    def handle(self, *args, key_id: str | None, blind_index: bool, **options) -> None:
        if blind_index:
            if key_id:
                raise CommandError("--id does not apply to --blind-index.")
            self.stdout.write(new_key())
            return
        try:
            self.stdout.write(new_key_entry(key_id))
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
