"""What the importers of the public standards share: errors, findings, progress, the run itself.

An import has two phases. *Reading* parses and checks the whole file outside any transaction
(so the progress written to the batch is visible to the page that polls it). *Storing* writes the
values and findings in one transaction through :func:`corett.statistics.services.store_values`.
Any row error stops the import before storing: nothing half-written, a row-by-row report instead.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from corett.audit.services import audit_log
from corett.statistics import bulk
from corett.statistics.models import Batch, Finding, Indicator, Status, Value
from corett.statistics.services import ValueInput, store_values

Progress = Callable[[int, int], None]

DEFAULT_MAX_BYTES = 25 * 1024 * 1024


def max_import_bytes() -> int:
    return int(getattr(settings, "STATISTICS_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


class ImportRefused(Exception):
    """The file cannot be imported; ``errors`` are translated, one per problem (row by row)."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors[:5]))
        self.errors = errors


@dataclass
class FoundProblem:
    """A finding as the reader sees it, before it is stored."""

    kind: str
    key: str
    country: str = ""
    indicator: str = ""
    year: int | None = None
    cell: str = ""
    involved: list[dict[str, Any]] = field(default_factory=list)
    value_key: tuple | None = None  # the ValueInput.key() of the value it holds back, if any
    holds: bool = False  # True: the value is not released until a person accepts it


@dataclass
class ReadResult:
    release: str
    values: list[ValueInput]
    findings: list[FoundProblem]
    summary: dict[str, Any]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def check_size(path: Path) -> None:
    size = path.stat().st_size
    if size > max_import_bytes():
        raise ImportRefused([
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": round(size / 1048576, 1), "limit": round(max_import_bytes() / 1048576, 1)}
        ])
    if size == 0:
        raise ImportRefused([_("The file is empty.")])


def earlier_import(source: str, digest: str) -> Batch | None:
    """The batch that already imported this very file (same SHA-256), if any."""
    return Batch.objects.filter(
        kind=Batch.BatchKind.IMPORT, source=source, file_sha256=digest, state=Batch.State.DONE
    ).first()


def new_batch(*, source: str, actor: Any, file_name: str, digest: str = "") -> Batch:
    return Batch.objects.create(
        kind=Batch.BatchKind.IMPORT, source=source, file_name=file_name[:255], file_sha256=digest,
        state=Batch.State.RUNNING, created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )


def progress_writer(batch: Batch, every: int = 2000) -> Progress:
    """A callback that records progress on the batch every ``every`` rows (and on the last row)."""

    def report(done: int, total: int) -> None:
        if done % every == 0 or done == total:
            Batch.objects.filter(pk=batch.pk).update(rows_done=done, rows_total=total)
            batch.rows_done, batch.rows_total = done, total

    return report


def fail(batch: Batch, errors: list[str]) -> Batch:
    batch.state = Batch.State.FAILED
    batch.errors = errors[:500]
    batch.summary = {**batch.summary, "errors": len(errors)}
    batch.finished_at = timezone.now()
    batch.save(update_fields=["state", "errors", "summary", "finished_at"])
    return batch


def store(*, batch: Batch, result: ReadResult, actor: Any, source: str) -> Batch:
    """Write the values and findings of a read file in one transaction; keep people's reviews."""
    decisions = dict(
        Finding.objects.filter(key__in=[f.key for f in result.findings]).values_list("key", "status")
    )
    held_keys = {
        f.value_key for f in result.findings
        if f.holds and f.value_key is not None and decisions.get(f.key, Finding.FindingStatus.OPEN)
        != Finding.FindingStatus.ACCEPTED
    }
    with transaction.atomic():
        approved = result.values
        held: list[Any] = []
        if held_keys:
            approved = []
            for v in result.values:
                (held if v.key() in held_keys else approved).append(v)
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        # The few held values first: each call reads back what the source already holds for its
        # countries, periods and indicators, and on a first GLOTIP import the 417 held values
        # would read back 27,000 approved values just written (0.1 s) if they came second.
        for values, status in ((held, Status.HELD), (approved, Status.APPROVED)):
            if not values:
                continue
            stored = store_values(actor=actor, source=source, values=values, release=result.release,
                                  status=status, batch=batch, supersede_approved=True)
            counts["created"] += stored.created
            counts["updated"] += stored.updated
            counts["unchanged"] += stored.unchanged
        new_findings = _store_findings(batch, result.findings, decisions)
        batch.release = result.release[:120]
        batch.state = Batch.State.DONE
        batch.finished_at = timezone.now()
        batch.summary = {**result.summary, **counts, "held": len(held), "findings": len(result.findings),
                         "new_findings": new_findings}
        batch.rows_done = batch.rows_total = result.summary.get("rows_read", 0)
        batch.save()
        audit_log(actor=actor if getattr(actor, "is_authenticated", False) else None,
                  action="statistics.imported", obj=batch,
                  extra={k: v for k, v in batch.summary.items() if isinstance(v, int)})
    return batch


def _store_findings(batch: Batch, found: list[FoundProblem], decisions: dict[str, str]) -> int:
    new = [problem for problem in found if problem.key not in decisions]  # one finding per problem
    indicators = dict(Indicator.objects.values_list("code", "pk"))
    keys = {f.value_key for f in new if f.value_key is not None}
    value_ids: dict[tuple, int] = {}
    if keys:
        # Only the cells the findings point at (plain rows, not every value of the release).
        candidates = Value.objects.filter(
            source=batch.source, country_iso3__in={k[0] for k in keys}, indicator__code__in={k[1] for k in keys},
            period__in={k[2] for k in keys},
        ).order_by().values_list("pk", "country_iso3", "indicator__code", "period", "sex", "age", "form",
                                 "citizenship", "repatriation", "label")
        for pk, country, code, period, sex, age, form, citizenship, repatriation, label in candidates:
            key = (country, code, period, sex, age, form, citizenship, repatriation + "|" + label)
            if key in keys:
                value_ids[key] = pk
    rows = [
        Finding(
            batch=batch, kind=problem.kind, key=problem.key[:255], country_iso3=problem.country[:3],
            indicator_id=indicators.get(problem.indicator), year=problem.year, cell=problem.cell[:200],
            involved=problem.involved[:50],
            value_id=value_ids.get(problem.value_key) if problem.value_key is not None else None,
        )
        for problem in new
    ]
    # One executemany: bulk_create compiles a statement per few dozen findings on SQLite.
    bulk.insert(rows)
    return len(rows)


_gc_lock = threading.Lock()
_gc_imports = 0
_gc_thresholds: tuple[int, ...] = ()


@contextlib.contextmanager
def fewer_collections(young: int = 50_000, middle: int = 20, old: int = 100) -> Iterator[None]:
    """Run Python's cyclic garbage collector less often while an import builds its rows.

    An import holds every row it has read (tens of thousands of small tuples) until it stores
    them. At the default threshold the collector scans the young objects every 700 allocations,
    and those scans cost a GLOTIP import as much time as all its checks. Every tenth scan of the
    young objects also scans the middle generation, which fills with the import's rows, and the
    whole heap is scanned after ten of those (GLOTIP at 10,000 / 10 / 10: a dozen scans of the
    middle generation and one or two of the whole heap, 0.3-0.6 s of a 5-6 s import); here the
    middle generation is scanned every twentieth time (about once an import) and the whole heap
    not before the import ends. Cycles are still collected, in larger batches; the thresholds in
    force before the first import that is still running come back when the last one ends
    (imports from the web run in threads).
    """
    global _gc_imports, _gc_thresholds
    with _gc_lock:
        if _gc_imports == 0:
            _gc_thresholds = gc.get_threshold()
            gc.set_threshold(*(max(mine, theirs) for mine, theirs in
                               zip((young, middle, old), _gc_thresholds, strict=False)))
        _gc_imports += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_imports -= 1
            if _gc_imports == 0:
                gc.set_threshold(*_gc_thresholds)


def run_import(
    *, reader: Callable[[Path, Progress], ReadResult], source: str, path: Path, actor: Any,
    file_name: str = "", batch: Batch | None = None, progress: Progress | None = None,
) -> Batch:
    """Read then store one file; returns its batch (state done or failed, with summary or errors).

    Importing a file already imported (same SHA-256) changes nothing and returns the earlier batch.
    """
    digest = file_sha256(path) if path.exists() else ""
    earlier = earlier_import(source, digest) if digest else None
    if earlier is not None:
        if batch is not None:  # started from the web page: say which batch already holds it
            batch.state, batch.finished_at = Batch.State.DONE, timezone.now()
            batch.summary = {**earlier.summary, "already_imported_as": earlier.pk}
            batch.save(update_fields=["state", "finished_at", "summary"])
            return batch
        return earlier
    if batch is None:
        batch = new_batch(source=source, actor=actor, file_name=file_name or path.name, digest=digest)
    elif digest and not batch.file_sha256:
        batch.file_sha256 = digest
        batch.save(update_fields=["file_sha256"])
    write_progress = progress_writer(batch)

    def report(done: int, total: int) -> None:
        write_progress(done, total)
        if progress is not None:
            progress(done, total)

    try:
        check_size(path)
        with fewer_collections():
            result = reader(path, report)
            return store(batch=batch, result=result, actor=actor, source=source)
    except ImportRefused as refused:
        return fail(batch, refused.errors)
    except ValidationError as invalid:
        messages = [f"{cell}: {m}" for cell, ms in invalid.message_dict.items() for m in ms]
        return fail(batch, messages)
