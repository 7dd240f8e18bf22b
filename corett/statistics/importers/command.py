"""The terminal side of ``corett import-glotip`` and ``corett import-ctdc``: progress and summary."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from corett.statistics.importers.common import Progress, ReadResult, run_import
from corett.statistics.models import Batch

SUMMARY_LABELS = {
    "rows_read": "rows read",
    "values": "values read",
    "created": "values stored (new)",
    "updated": "values stored (changed)",
    "unchanged": "values unchanged",
    "suppressed": "suppressed",
    "duplicates": "exact duplicates merged",
    "conflicts": "conflicts",
    "held": "values held for review",
    "findings": "findings",
    "new_findings": "new findings",
}


def terminal_progress(stream: Any) -> Progress:
    started = time.monotonic()
    last = [0.0]

    def report(done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] < 0.5 and done != total:
            return
        last[0] = now
        if total:
            width = 30
            filled = width * done // max(total, 1)
            line = f"\r[{'#' * filled}{'.' * (width - filled)}] {done * 100 // max(total, 1):3d}%"
        else:
            line = f"\r{done:,} rows read"
        stream.write(f"{line}  {now - started:5.1f}s")
        stream.flush()

    return report


class ImportCommand(BaseCommand):
    source = ""
    reader: Callable[[Path, Progress], ReadResult]

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the file as published")
        parser.add_argument("--no-progress", action="store_true", help="do not draw the progress line")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        progress = None if options["no_progress"] or not sys.stderr.isatty() else terminal_progress(sys.stderr)
        started = time.monotonic()
        earlier_ids = set(Batch.objects.filter(source=self.source).values_list("pk", flat=True))
        batch = run_import(reader=type(self).reader, source=self.source, path=path, actor=None, progress=progress)
        if progress is not None:
            sys.stderr.write("\n")
        if batch.state == Batch.State.FAILED:
            for error in batch.errors:
                self.stderr.write(error)
            raise CommandError(_("Nothing was imported: %(n)s problem(s) in the file.") % {"n": len(batch.errors)})
        if batch.pk in earlier_ids:
            self.stdout.write(_("This file was already imported (batch %(id)s): nothing changed.") % {"id": batch.pk})
        self.stdout.write(f"{batch.release} — batch {batch.pk} ({time.monotonic() - started:.1f}s)")
        for key, label in SUMMARY_LABELS.items():
            if key in batch.summary:
                self.stdout.write(f"  {label:<28} {batch.summary[key]:>10,}")
        for key, value in sorted(batch.summary.items()):
            if key not in SUMMARY_LABELS and isinstance(value, int):
                self.stdout.write(f"  {key.replace('_', ' '):<28} {value:>10,}")
