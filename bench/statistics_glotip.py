"""The GLOTIP import against openpyxl's bare read-only read of the same file, in one run.

Target: import / bare read <= 2. The import reads and checks every row, merges duplicates,
records findings, stores ~58,000 values and pre-computes the published (disclosure-controlled)
figures of ~8,000 tables; the bare read only iterates the rows. The import itself reads the file
with calamine (python-calamine), about five times faster than openpyxl: the yardstick stays
openpyxl's read, as the issue names it. Rounds alternate the two so that a machine whose load
changes disturbs both alike; CPU time (process_time) and wall time are both reported, medians of
the rounds. On PostgreSQL the wall time also holds the server's work (its COPY of ~115,000 rows).

    .venv/bin/python bench/statistics_glotip.py [--rounds 3] [--file ../shared/data/glotip/data_glotip.xlsx]

Set DATABASE_URL to run on PostgreSQL.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "data" / "glotip" / "data_glotip.xlsx"


def setup_django(data_dir: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["CORETT_DATA_DIR"] = data_dir
    os.environ["CORETT_DEMO"] = "1"
    os.environ.pop("CORETT_TESTING", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def bare_read(path: Path) -> int:
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    sheet = workbook.worksheets[0]
    sheet.reset_dimensions()
    count = sum(1 for _row in sheet.iter_rows(values_only=True))
    workbook.close()
    return count


def empty_statistics() -> None:
    from corett.statistics.models import Batch, Finding, PublishedValue, Value

    PublishedValue.objects.all().delete()
    Finding.objects.all().delete()
    Value.objects.all().delete()
    Batch.objects.all().delete()
    from django.db import connection

    if connection.vendor == "postgresql":
        # Each round imports into empty tables, as a first import does: PostgreSQL keeps the rows
        # deleted above as dead tuples until a vacuum, which the next round's reads and deletes
        # would wade through (autovacuum does this between real imports).
        with connection.cursor() as cursor:
            for model in (PublishedValue, Finding, Value, Batch):
                cursor.execute(f"VACUUM {connection.ops.quote_name(model._meta.db_table)}")


def full_import(path: Path) -> dict:
    from corett.statistics.importers.common import run_import
    from corett.statistics.importers.glotip import read_glotip

    batch = run_import(reader=read_glotip, source="glotip", path=path, actor=None)
    assert batch.state == "done", batch.errors
    return batch.summary


def timed(fn, *args) -> tuple[float, float, object]:
    cpu, wall = time.process_time(), time.perf_counter()
    result = fn(*args)
    return time.process_time() - cpu, time.perf_counter() - wall, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--file", type=Path, default=DEFAULT)
    args = parser.parse_args()
    if not args.file.exists():
        sys.exit(f"No GLOTIP file at {args.file}")
    with tempfile.TemporaryDirectory() as data_dir:
        setup_django(data_dir)
        reads, imports = [], []
        summary: object = {}
        for round_number in range(1, args.rounds + 1):
            empty_statistics()
            cpu_r, wall_r, rows = timed(bare_read, args.file)
            cpu_i, wall_i, summary = timed(full_import, args.file)
            reads.append((cpu_r, wall_r))
            imports.append((cpu_i, wall_i))
            print(f"round {round_number}: bare read {cpu_r:.2f}s CPU ({wall_r:.2f}s wall, {rows:,} rows); "
                  f"import {cpu_i:.2f}s CPU ({wall_i:.2f}s wall)")
        read_cpu = statistics.median(r[0] for r in reads)
        import_cpu = statistics.median(i[0] for i in imports)
        read_wall = statistics.median(r[1] for r in reads)
        import_wall = statistics.median(i[1] for i in imports)
        print(f"\nmedian bare openpyxl read: {read_cpu:.2f}s CPU, {read_wall:.2f}s wall")
        print(f"median full import:        {import_cpu:.2f}s CPU, {import_wall:.2f}s wall")
        print(f"ratio import / bare read:  {import_cpu / read_cpu:.2f} (CPU), {import_wall / read_wall:.2f} (wall)"
              "   target <= 2")
        print(f"summary of the last import: {summary}")
        # Where the time goes, once, from the last round's data: reading (as the import reads,
        # with its fewer garbage collections), publishing (disclosure control of every table,
        # then writing the published cells) and the rest (storing the values and findings).
        # Publishing is timed as a full refresh, which reads every value back from the database;
        # the import hands the values it has just written over instead (release.Written).
        from corett.statistics import release
        from corett.statistics.importers.common import fewer_collections
        from corett.statistics.importers.glotip import read_glotip

        controlling = [0.0]
        protect_table = release.protect_table

        def timed_protect(*args, **kwargs):
            start = time.process_time()
            try:
                return protect_table(*args, **kwargs)
            finally:
                controlling[0] += time.process_time() - start

        release.protect_table = timed_protect
        try:
            cpu_p, _wall, cells = timed(release.refresh_published)
        finally:
            release.protect_table = protect_table
        with fewer_collections():
            cpu_g, _wall, _result = timed(read_glotip, args.file, lambda done, total: None)
        print(f"of which: reading and checking {cpu_g:.2f}s CPU; publishing {cells:,} cells {cpu_p:.2f}s CPU "
              f"(controlling the tables {controlling[0]:.2f}s, the rest reading back and writing rows); "
              f"the rest is storing values and findings")

if __name__ == "__main__":
    main()
