"""A dashboard query over case-level records (CTDC layout) against DuckDB's group-by on the same data.

For each size (10,000 / 100,000 / 1,000,000 cases by default) the bench writes a CSV in CTDC's
synthetic-2024 layout, imports it with ``corett import-ctdc``'s importer (aggregation to detected
victims per country, year, sex, age, form and citizenship, then k-anonymity and secondary
suppression pre-computed into the published table), and then times, in the same run:

- the dashboard query: ``released_values(None, indicator="detected_victims", countries=<the nine>,
  sex="*")`` (every year, the totals and the sex breakdown, after disclosure control), served from
  the pre-computed published figures (the values a process built, kept until the next refresh;
  the first read in a process, which reads and builds them, is reported beside it);
- DuckDB's ``GROUP BY`` of the same cases (country of exploitation, year, gender) over a table
  already loaded in memory (loading not timed).

Target: ratio dashboard / DuckDB <= 1, and the dashboard flat from 10,000 to 1,000,000 cases.

    .venv/bin/python bench/statistics_dashboard.py [--sizes 10000,100000,1000000] [--repeat 50]
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
COALITION = ["BLZ", "CRI", "DOM", "GTM", "HND", "MEX", "NIC", "PAN", "SLV"]


def setup_django(data_dir: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["CORETT_DATA_DIR"] = data_dir
    os.environ["CORETT_DEMO"] = "1"
    os.environ.pop("CORETT_TESTING", None)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.STATISTICS_IMPORT_MAX_BYTES = 2 * 1024**3  # the bench's own million-case file
    call_command("migrate", verbosity=0, interactive=False)


def median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    import duckdb

    with tempfile.TemporaryDirectory() as data_dir:
        setup_django(data_dir)
        from corett.statistics import ctdc_layouts
        from corett.statistics.importers.common import run_import
        from corett.statistics.importers.ctdc import read_ctdc
        from corett.statistics.models import Batch, PublishedValue, Value
        from corett.statistics.release import clear_kept, released_values

        rows = []
        for size in sizes:
            PublishedValue.objects.all().delete()
            Value.objects.all().delete()
            Batch.objects.all().delete()
            path = ctdc_layouts.write(Path(data_dir) / f"ctdc-{size}.csv", "synthetic-2024", size,
                                      years=(2003, 2022))
            started = time.perf_counter()
            batch = run_import(reader=read_ctdc, source="ctdc", path=path, actor=None)
            imported = time.perf_counter() - started
            assert batch.state == "done", batch.errors

            def dashboard():
                return released_values(None, indicator="detected_victims", countries=COALITION, sex="*")

            def first_read():
                clear_kept()
                return dashboard()

            cells = len(dashboard())
            first = median_ms(first_read, args.repeat)
            ours = median_ms(dashboard, args.repeat)
            con = duckdb.connect()
            con.execute(f"CREATE TABLE cases AS SELECT * FROM read_csv('{path}', header=true, all_varchar=true)")
            query = ("SELECT CountryOfExploitation, yearOfRegistration, gender, count(*) FROM cases "
                     "WHERE CountryOfExploitation IN (" + ",".join(f"'{c}'" for c in COALITION) + ") "
                     "GROUP BY ALL")

            def duck(con=con, query=query):
                return con.execute(query).fetchall()

            theirs = median_ms(duck, args.repeat)
            con.close()
            path.unlink()
            rows.append((size, imported, cells, ours, theirs, first))
            print(f"{size:>9,} cases: import {imported:6.1f}s; dashboard {ours:7.2f} ms ({cells} cells; first read "
                  f"in a process {first:.2f} ms); DuckDB group-by {theirs:7.2f} ms; ratio {ours / theirs:5.2f} "
                  f"(first read {first / theirs:.2f})")
        print("\n| cases | import (s) | dashboard (ms) | DuckDB group-by (ms) | ratio (target <= 1) "
              "| first read (ms) | its ratio |")
        print("|---:|---:|---:|---:|---:|---:|---:|")
        for size, imported, _cells, ours, theirs, first in rows:
            print(f"| {size:,} | {imported:.1f} | {ours:.2f} | {theirs:.2f} | {ours / theirs:.2f} "
                  f"| {first:.2f} | {first / theirs:.2f} |")
        flat = max(r[3] for r in rows) / min(r[3] for r in rows)
        print(f"\ndashboard slowest / fastest over the sizes: {flat:.2f} (flat = close to 1)")


if __name__ == "__main__":
    main()
