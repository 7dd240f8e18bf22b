"""The repatriation statistics feed against the cases module's own aggregate, in one run.

Seeds repatriation cases (100,000 by default, as ``bench/cases.py`` seeds them) with the stage
history the feed reads (placed under protection, and for those past it, handed over on arrival)
over five past years, then times, in alternating rounds:

- ``Case.objects.counts_for_statistics()``: one grouped query over the cases (the reference);
- ``repatriation.case_counts()``: the feed's two grouped queries (first handover / protection
  per case, by year, destination, origin, sex and age);
- ``repatriation.refresh()`` with nothing changed (the daily run on most days): the counts, the
  stored values read back and compared, nothing written.

The first refresh (which writes every value and controls every table) is timed once. Medians of
CPU and wall time, and the ratios to the reference.

    .venv/bin/python bench/statistics_repatriation.py [--cases 100000] [--rounds 5]

Set DATABASE_URL to run on PostgreSQL (the database is emptied and reseeded).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.cases import _bulk_cases, _case_offices, _countries  # noqa: E402
from bench.directory_list import setup_django  # noqa: E402


def seed(total: int) -> int:
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    call_command("migrate", verbosity=0, interactive=False)
    call_command("flush", verbosity=0, interactive=False)
    from corett.cases.models import ORIGIN_STAGES, Case, Stage, StageChange

    countries = _countries()
    offices, creators = _case_offices(countries)
    _bulk_cases(total=total, owned=total * 15 // 100, countries=countries, offices=offices, creators=creators)
    rnd = random.Random(7)
    tz = timezone.get_current_timezone()
    this_year = timezone.localdate().year
    returned = {Stage.RECEIVED, Stage.REINTEGRATION, Stage.CLOSED}
    changes = 0
    rows = Case.objects.order_by("pk").values_list("pk", "stage", "created_by_id")
    batch: list[StageChange] = []
    for pk, stage, by in rows.iterator(chunk_size=5000):
        year = this_year - rnd.randint(1, 5)
        at = dt.datetime(year, rnd.randint(1, 12), rnd.randint(1, 28), 12, tzinfo=tz)
        if stage != Stage.IDENTIFIED:
            batch.append(StageChange(case_id=pk, from_stage=Stage.IDENTIFIED, to_stage=Stage.PROTECTED,
                                     transition="protect", by_id=by, at=at))
        if stage in returned or (stage in ORIGIN_STAGES and rnd.random() < 0.1):
            batch.append(StageChange(case_id=pk, from_stage=Stage.IN_TRANSIT, to_stage=Stage.RECEIVED,
                                     transition="receive", by_id=by, at=at + dt.timedelta(days=90)))
        if len(batch) >= 5000:
            with transaction.atomic():
                StageChange.objects.bulk_create(batch)
            changes += len(batch)
            batch = []
    StageChange.objects.bulk_create(batch)
    changes += len(batch)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return changes


def timed(fn) -> tuple[float, float, object]:
    cpu, wall = time.process_time(), time.perf_counter()
    result = fn()
    return time.process_time() - cpu, time.perf_counter() - wall, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="corett-bench-") as data_dir:
        setup_django(data_dir)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext
        from django.utils import timezone

        from corett.cases.models import Case
        from corett.statistics import repatriation

        started = time.perf_counter()
        changes = seed(args.cases)
        print(f"{connection.vendor}: {args.cases:,} cases, {changes:,} stage changes seeded "
              f"in {time.perf_counter() - started:.0f} s")
        year = timezone.localdate().year
        cpu, wall, first = timed(repatriation.refresh)
        print(f"first refresh (writes): {wall:.2f} s wall, {cpu:.2f} s CPU — {first.describe()}")
        with CaptureQueriesContext(connection) as queries:
            again = repatriation.refresh()
        assert not again.changed, again.describe()
        print(f"an unchanged refresh: {len(queries.captured_queries)} queries, nothing written")
        measured: dict[str, list[tuple[float, float]]] = {"reference": [], "counts": [], "refresh": []}
        for _round in range(args.rounds):
            for name, fn in (("reference", lambda: Case.objects.counts_for_statistics()),
                             ("counts", lambda: repatriation.case_counts(before_year=year)),
                             ("refresh", repatriation.refresh)):
                cpu, wall, _result = timed(fn)
                measured[name].append((cpu, wall))
        base_cpu = statistics.median(c for c, _w in measured["reference"])
        base_wall = statistics.median(w for _c, w in measured["reference"])
        for name, samples in measured.items():
            cpu = statistics.median(c for c, _w in samples)
            wall = statistics.median(w for _c, w in samples)
            print(f"{name:<10} {wall * 1000:8.0f} ms wall ({wall / base_wall:4.1f}x)  "
                  f"{cpu * 1000:8.0f} ms CPU ({cpu / base_cpu:4.1f}x)")


if __name__ == "__main__":
    main()
