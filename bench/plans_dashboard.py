"""The action plan at a size larger than the real POA: the dashboard, the Gantt and the Excel import.

Seeds, in a fresh database in a temporary data dir, nine member countries and a plan with
``--actions`` actions (a third for one country, a third for all countries, a third for the
Secretariat), three key indicators disaggregated by country, and six semesters of approved progress
reports from every country. Then, alternating over ``--rounds`` in the same process:

- bare: the plan's actions with their responsible actors, read into Python (two queries);
- dashboard: ``plan_dashboard`` (execution by objective, actor and country, overdue actions,
  target against actual per indicator and country);
- gantt: the server-side SVG timeline;
- import bare: ``openpyxl.load_workbook(read_only=True)`` and every row of the plan's own export;
- import: ``plan_import`` of that export (all checks, all rows written in one transaction).

Prints the median times and the ratios dashboard / bare, gantt / bare and import / import bare.

    .venv/bin/python bench/plans_dashboard.py [--actions 300] [--rounds 7]

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

COUNTRIES = [("BZ", "BLZ"), ("CR", "CRI"), ("SV", "SLV"), ("GT", "GTM"), ("HN", "HND"), ("MX", "MEX"),
             ("NI", "NIC"), ("PA", "PAN"), ("DO", "DOM")]


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


def seed(n_actions: int):
    import datetime as dt
    from decimal import Decimal

    from corett.accounts.models import RoleAssignment, User
    from corett.accounts.roles import Role
    from corett.directory.models import Country, Membership, Organisation, OrganisationKind
    from corett.plans import services
    from corett.plans.models import (
        ActionStatus,
        Actor,
        ActorKind,
        Axis,
        ExpectedResult,
        Indicator,
        Objective,
        Target,
    )

    countries = [Country.objects.create(iso2=a, iso3=b, name_es=a, name_en=a, official_language="es",
                                        membership=Membership.MEMBER) for a, b in COUNTRIES]
    office = Organisation.objects.create(name="ST", kind=OrganisationKind.COALITION_OFFICE)
    staff = User.objects.create(username="bench-st", organisation=office)
    RoleAssignment.objects.create(user=staff, role=Role.SECRETARIAT)
    focal = {}
    for country in countries:
        org = Organisation.objects.create(name=f"Comisión {country.iso2}", kind=OrganisationKind.NATIONAL_COMMISSION,
                                          country=country)
        focal[country.iso2] = User.objects.create(username=f"bench-{country.iso2}", organisation=org)
        RoleAssignment.objects.create(user=focal[country.iso2], role=Role.FOCAL_POINT)
    staff = User.objects.get(pk=staff.pk)
    plan = services.plan_create(actor=staff, data={"code": "POA-BENCH", "title": "Bench", "start_year": 2023,
                                                   "end_year": 2025})
    results = []
    for a in range(1, 5):
        axis = Axis.objects.create(plan=plan, code=str(a), title=f"Eje {a}")
        for o in range(1, 4):
            objective = Objective.objects.create(axis=axis, code=f"{a}.{o}", title=f"Objetivo {a}.{o}")
            for r in range(1, 3):
                results.append(ExpectedResult.objects.create(objective=objective, code=f"{a}.{o}.{r}",
                                                             title="Resultado", result_type="output"))
    for i in range(n_actions):
        kind = i % 3
        actor = (Actor(ActorKind.COUNTRY, country_id=countries[i % 9].pk) if kind == 0
                 else Actor(ActorKind.ALL_COUNTRIES) if kind == 1 else Actor(ActorKind.SECRETARIAT))
        start = dt.date(2023, 1 + i % 12, 1)
        services.action_save(actor=staff, plan=plan, responsibles=[services.ResponsibleActor(actor)], data={
            "result": results[i % len(results)], "code": f"A{i:04d}", "description": f"Acción {i}",
            "planned_start": start, "planned_end": start + dt.timedelta(days=400 + i % 300),
            "budget": Decimal(1000), "currency": "USD"})
    for k in range(3):
        indicator = Indicator.objects.create(plan=plan, result=results[k], code=f"I-{k}", title="Indicador",
                                             actor_kind=ActorKind.ALL_COUNTRIES, by_country=True, is_key=True,
                                             cumulative=k == 0)
        for year in (2023, 2024, 2025):
            Target.objects.create(indicator=indicator, year=year, value=Decimal(90))
            for country in countries:
                Target.objects.create(indicator=indicator, year=year, country=country, value=Decimal(10))
    for state in ("in_review", "approved", "in_execution"):
        services.plan_transition(actor=staff, plan=plan, to_state=state, agreement_reference="III-2022/C")
    for index, period in enumerate(plan.periods.all()):
        for user in focal.values():
            report = services.report_start(actor=user, period=period)
            services.report_save(
                actor=user, report=report, summary="",
                actions={u.pk: services.ActionProgress(ActionStatus.IN_PROGRESS, min(95, 15 * (index + 1)))
                         for u in report.action_updates.all()},
                indicators={v.pk: services.IndicatorProgress(value=Decimal(index)) for v in report.indicator_values.all()})
            services.report_submit(actor=user, report=report)
            services.report_approve(actor=staff, report=report)
    plan.refresh_from_db()
    return staff, plan


def median_ms(fn, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--actions", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        setup_django(data_dir)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext
        from django.utils import timezone
        from openpyxl import load_workbook

        from corett.plans import exports, imports
        from corett.plans.dashboards import plan_dashboard
        from corett.plans.gantt import render_gantt
        from corett.plans.models import Plan

        print(f"Seeding {args.actions} actions, 9 countries, 6 semesters of approved reports…")
        staff, plan = seed(args.actions)
        today = timezone.localdate()

        def bare() -> None:
            list(plan.actions.prefetch_related("responsibilities"))

        def dashboard() -> None:
            plan_dashboard(plan, today=today)

        def gantt() -> None:
            render_gantt(plan, list(plan.actions.order_by("planned_start")), today=today)

        workbook = exports.plan_xlsx(plan)
        copies = iter(range(10_000))

        def import_bare() -> None:
            book = load_workbook(io.BytesIO(workbook), read_only=True, data_only=True)
            for sheet in book.worksheets:
                list(sheet.iter_rows(values_only=True))
            book.close()

        def import_plan() -> None:
            book = load_workbook(io.BytesIO(workbook))
            book["Plan"]["B2"] = f"POA-COPY-{next(copies)}"
            out = io.BytesIO()
            book.save(out)
            out.seek(0)
            result = imports.plan_import(actor=staff, upload=out)
            assert result.plan is not None, result.errors[:3]

        with CaptureQueriesContext(connection) as queries:
            dashboard()
        with CaptureQueriesContext(connection) as import_queries:
            import_plan()
        print(f"one import: {len(import_queries)} queries")
        times = {name: median_ms(fn, args.rounds) for name, fn in (
            ("bare", bare), ("dashboard", dashboard), ("gantt", gantt), ("import bare", import_bare),
            ("import", import_plan))}
        print(f"database: {connection.vendor}; plans in the database after the imports: {Plan.objects.count()}")
        for name, ms in times.items():
            print(f"{name:>12}: {ms:9.1f} ms (median of {args.rounds})")
        print(f"dashboard / bare: {times['dashboard'] / times['bare']:.1f}x  ({len(queries)} queries)")
        print(f"gantt / bare: {times['gantt'] / times['bare']:.1f}x")
        print(f"import / import bare: {times['import'] / times['import bare']:.1f}x")


if __name__ == "__main__":
    main()
