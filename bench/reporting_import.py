"""Importing a filled national report template against openpyxl's bare read of the same file.

Seeds, in a fresh database in a temporary data dir, a country, its focal point and a data set
with all seven indicators (52 cells), fills the country's template, then in the same run and
process, alternating over ``--rounds``:

- bare: ``openpyxl.load_workbook(read_only=True, data_only=True)`` and every row's values;
- read: the platform's reading and checks (``read_template`` + ``check_entries``), no database;
- import: ``submission_import`` as the upload does (policy, history ranges, checks, the values
  replaced in one transaction, the audit entry).

Prints the median times and the ratios read / bare and import / bare.

    .venv/bin/python bench/reporting_import.py [--rounds 15]

Set DATABASE_URL to run on PostgreSQL (the database is emptied first).
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


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
    call_command("flush", verbosity=0, interactive=False)


def seed():
    import datetime as dt

    from corett.accounts.models import RoleAssignment, User
    from corett.accounts.roles import Role
    from corett.directory.models import Country, Membership, Organisation, OrganisationKind
    from corett.reporting.elements import DEFAULT_INDICATORS
    from corett.reporting.models import DataSet

    country = Country.objects.create(iso2="GT", iso3="GTM", name_es="Guatemala", name_en="Guatemala",
                                     official_language="es", membership=Membership.MEMBER)
    svet = Organisation.objects.create(name="SVET", kind=OrganisationKind.NATIONAL_COMMISSION, country=country)
    focal = User.objects.create(username="bench-focal", organisation=svet)
    RoleAssignment.objects.create(user=focal, role=Role.FOCAL_POINT)
    data_set = DataSet.objects.create(period_type="year", year=2024, number=1, deadline=dt.date(2099, 3, 31),
                                      indicators=list(DEFAULT_INDICATORS))
    return User.objects.get(pk=focal.pk), country, data_set


def filled(data_set, country) -> bytes:
    from openpyxl import load_workbook

    from corett.reporting.workbook import DATA_SHEET, FIRST_ROW, build_template

    workbook = load_workbook(io.BytesIO(build_template(data_set=data_set, country=country)))
    sheet = workbook[DATA_SHEET]
    for offset, element in enumerate(data_set.elements()):
        sheet[f"C{FIRST_ROW + offset}"] = 100 if element.is_total else None
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        setup_django(data_dir)
        from openpyxl import load_workbook

        from corett.reporting import services
        from corett.reporting.models import Submission
        from corett.reporting.validation import check_entries
        from corett.reporting.workbook import read_template

        focal, country, data_set = seed()
        content = filled(data_set, country)

        def bare() -> None:
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            for sheet in workbook.worksheets:
                for _row in sheet.iter_rows(values_only=True):
                    pass
            workbook.close()

        def read() -> None:
            result = read_template(content, data_set=data_set, country=country)
            check_entries(result.entries)

        def import_() -> None:
            submission = Submission.objects.filter(data_set=data_set, country=country).first()
            services.submission_import(actor=focal, submission=submission or Submission(data_set=data_set,
                                       country=country), content=content, file_name="bench.xlsx")

        times: dict[str, list[float]] = {"bare": [], "read": [], "import": []}
        for fn in (bare, read, import_):
            fn()  # warm up (imports, caches)
        for _ in range(args.rounds):
            times["bare"].append(timed(bare))
            times["read"].append(timed(read))
            times["import"].append(timed(import_))
        median = {k: statistics.median(v) for k, v in times.items()}
        print(f"file: {len(content) / 1024:.1f} KB, {len(data_set.elements())} cells, {args.rounds} rounds")
        for name, value in median.items():
            print(f"{name:>7}: {value * 1000:7.1f} ms")
        print(f"read / bare:   {median['read'] / median['bare']:.2f}")
        print(f"import / bare: {median['import'] / median['bare']:.2f}")


if __name__ == "__main__":
    main()
