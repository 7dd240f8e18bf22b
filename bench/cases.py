"""Requests per second of the case list and of a case page against a hello-world view.

Seeds repatriation cases (100,000 by default) over the nine member countries and every stage of
the protocol into a fresh database in a temporary data dir, with what a case carries in a real
database (sealed identity, each row under its own record-bound ciphertext; the open task of
its stage, an urgent-child flag for children, its opening in the audit trail's hash chain).
The measured user is a Guatemalan case worker, past the second factor, whose country
owns 15 % of the cases and receives some others as the country of origin. The measured case is
a Honduran child's, walked to reintegration through the services (consents, approvals, people,
contacts, funding, follow-ups), as ``corett.testing.cases`` builds it for the tests.

One gunicorn server answers the hello-world view, ``/cases/``, the case record's overview
``/cases/<code>/`` and its other sections (``/cases/<code>/person/`` and so on) in the same run, in
short alternating windows; the figures are the medians and the median ratios. The SQL queries of
every page are counted at a small and at the full size: no count may grow.

    .venv/bin/python bench/cases.py [--cases 100000] [--owned 15000] [--seconds 24] [--persistent]
        [--profile]

Set DATABASE_URL to benchmark on PostgreSQL (the database is emptied and reseeded). See
bench/README.md for the figures and where the pages' time goes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.directory_list import load, server_command, setup_django, stop, warm  # noqa: E402
from bench.directory_list import profile as directory_profile  # noqa: E402

SMALL = 1000
BATCH = 2000
# The case record's sections besides its overview (``/cases/<code>/``), measured and counted alike.
SECTIONS = ("person", "coordination", "follow-up", "documents", "history")


def case_paths(code: str) -> list[str]:
    """The case list, the case's overview and its other sections."""
    return ["/cases/", f"/cases/{code}/", *(f"/cases/{code}/{section}/" for section in SECTIONS)]


def _countries():
    from corett.demo import coalition
    from corett.directory.models import Country, Membership

    return [
        Country.objects.create(iso2=i2, iso3=i3, name_es=es, name_en=en, official_language=lang,
                               membership=Membership.MEMBER)
        for i2, i3, es, en, lang in coalition.MEMBER_COUNTRIES
    ]


def _case_offices(countries: list) -> tuple[dict, dict]:
    """Per country, a child-protection office and a case worker of it who opens its cases."""
    from corett.accounts.models import RoleAssignment, User
    from corett.accounts.roles import Role
    from corett.directory.models import Organisation, OrganisationKind

    offices, creators = {}, {}
    for country in countries:
        offices[country.iso2] = Organisation.objects.create(
            name=f"Procuraduría de la niñez {country.iso2}", kind=OrganisationKind.GOVERNMENT_INSTITUTION,
            country=country,
        )
        creators[country.iso2] = User.objects.create(
            username=f"bench-worker-{country.iso2.lower()}", organisation=offices[country.iso2]
        )
        RoleAssignment.objects.create(user=creators[country.iso2], role=Role.CASE_WORKER)
    return offices, creators


def _bulk_cases(*, total: int, owned: int, countries: list, offices: dict, creators: dict) -> int:
    """``total`` cases, ``owned`` of them with Guatemala as destination; returns the audit count.

    bulk_create calls each field's ``pre_save``, so every encrypted value is sealed for its own
    row (bound to the row's uuid, set when the object is built), as a save would seal it.
    """
    from django.db import transaction
    from django.utils import timezone

    from corett.audit.models import GENESIS, AuditEntry
    from corett.cases import vocabularies as vocab
    from corett.cases.models import (
        FINAL_STAGES,
        ORIGIN_STAGES,
        Case,
        Flag,
        FlagKind,
        RiskLevel,
        Sex,
        Stage,
        Task,
    )

    rnd = random.Random(42)
    today = timezone.localdate()
    now = timezone.now()
    gt = next(c for c in countries if c.iso2 == "GT")
    elsewhere = [c for c in countries if c != gt]
    stages = list(Stage.values)
    statuses = list(vocab.TraffickingStatus.values)
    exploitation = list(vocab.FormOfExploitation.values)
    prev_hash = AuditEntry.objects.order_by("-id").values_list("hash", flat=True).first() or GENESIS
    audited = 0
    for start in range(0, total, BATCH):
        batch = []
        for n in range(start, min(start + BATCH, total)):
            destination = gt if n < owned else rnd.choice(elsewhere)
            origin = rnd.choice([c for c in countries if c != destination])
            stage = rnd.choice(stages)
            child = rnd.random() < 0.55
            age = rnd.randint(6, 17) if child else rnd.randint(18, 50)
            identified = today - dt.timedelta(days=rnd.randint(1, 1000))
            batch.append(Case(
                destination_country=destination, origin_country=origin,
                identifying_organisation=offices[destination.iso2], created_by=creators[destination.iso2],
                stage=stage, estimated_age=age, age_verified=not child and rnd.random() < 0.8,
                sex=rnd.choice([Sex.FEMALE, Sex.MALE]), citizenships=[origin.iso3], languages=["es"],
                identified_on=identified, trafficking_status=rnd.choice(statuses),
                forms_of_exploitation=[rnd.choice(exploitation)], risk_level=rnd.choice(RiskLevel.values),
                shared_with_origin_at=now if stage in ORIGIN_STAGES else None,
                closed_at=now if stage == Stage.CLOSED else None,
                # Sealed, each under this row's uuid.
                given_name=f"Nombre{n}", family_name=f"Apellido Ficticio {n}",
                birth_date=dt.date(identified.year - age, 1 + n % 12, 1 + n % 28),
                narrative="Relato ficticio de la identificación, para medir.",
            ))
        with transaction.atomic():
            cases = Case.objects.bulk_create(batch)
            Task.objects.bulk_create(
                Task(case=c, stage=c.stage, title=c.stage, due_on=today + dt.timedelta(days=rnd.randint(-20, 20)))
                for c in cases if c.stage not in FINAL_STAGES and c.stage != Stage.SUSPENDED
            )
            Flag.objects.bulk_create(
                Flag(case=c, kind=FlagKind.URGENT_CHILD, raised_by=c.created_by,
                     resolved_at=None if rnd.random() < 0.5 else now, resolution="")
                for c in cases if c.is_child
            )
            # The audit trail holds at least each case's opening (the case page's access log reads it).
            entries = []
            for c in cases:
                entry = AuditEntry(
                    created_at=now, actor_id=c.created_by.pk, actor_username=c.created_by.username,
                    action="cases.case.create", object_type="cases.case", object_id=str(c.pk),
                    country=c.destination_country.iso2, changed_fields=["given_name", "family_name"],
                    extra={}, prev_hash=prev_hash,
                )
                entry.hash = prev_hash = entry.compute_hash()
                entries.append(entry)
            AuditEntry.objects.bulk_create(entries)
            audited += len(entries)
    return audited


def seed(total: int, owned: int) -> dict:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("flush", verbosity=0, interactive=False)
    from corett.cases.models import Case, Stage
    from corett.testing.cases import case_actors, case_in_stage

    started = time.perf_counter()
    countries = _countries()
    offices, creators = _case_offices(countries)
    audited = _bulk_cases(total=total, owned=owned, countries=countries, offices=offices, creators=creators)
    # The measured case, and the measured user: built through the services, as people build them.
    actors = case_actors("GT", "HN")
    case = case_in_stage(Stage.REINTEGRATION, destination="GT", origin="HN")
    # An older case of the same country, with no recent look at it (see --profile).
    older = Case.objects.filter(destination_country=case.destination_country_id).order_by("pk").first()
    # A deployment's tables have statistics (PostgreSQL's autovacuum analyses them, SQLite has
    # sqlite_stat1 after ANALYZE); freshly bulk-loaded ones do not, and without them
    # PostgreSQL's planner guessed 156 rows for a country's 15,000 cases and sorted them all
    # instead of reading the work list's indexes in order.
    from django.db import connection

    with connection.cursor() as cursor:
        # PostgreSQL: VACUUM too, as autovacuum does after bulk inserts: it sets the visibility
        # map, without which an index-only scan (the work list's count) reads the table anyway.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return {
        "user_id": actors.worker.pk, "code": case.code, "older_code": older.code if older else case.code,
        "audit_entries": audited,
        "seconds": round(time.perf_counter() - started, 1),
    }


def verified_session(user_id: int, client=None):
    """A session of the user past the second factor (django_otp's verified-device key): a
    Django test client's when ``client`` is given, else a new one; returns its key."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from corett.accounts.models import User

    user = User.objects.get(pk=user_id)
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    if client is not None:
        client.force_login(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return session.session_key
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "corett.accounts.backends.AccountBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store[DEVICE_ID_SESSION_KEY] = device.persistent_id
    store.set_expiry(3600)
    store.save()
    return store.session_key or ""


def count_queries(paths: list[str], user_id: int) -> dict[str, int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    verified_session(user_id, client)
    counts = {}
    for path in paths:
        client.get(path)  # warm caches (content types, sessions)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        counts[path] = len(ctx.captured_queries)
    return counts


def profile(paths: list[str], user_id: int, requests: int = 100) -> dict[str, float]:
    """In-process CPU milliseconds per request and a cProfile of each page, past the second factor."""
    from django.test import Client

    client = Client()
    verified_session(user_id, client)
    return directory_profile(paths, requests=requests, client=client, lines=35)


def sql_timings(paths: list[str], user_id: int) -> dict[str, list]:
    """The slowest SQL statements of each page's second load, in process, with their seconds."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    verified_session(user_id, client)
    slowest = {}
    for path in paths:
        client.get(path)
        with CaptureQueriesContext(connection) as ctx:
            client.get(path)
        queries = sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))[:4]
        slowest[path] = [(q["time"], q["sql"][:160]) for q in queries]
    return slowest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--owned", type=int, default=None,
                        help="cases whose destination is the measured user's country (default 15 %%)")
    parser.add_argument("--seconds", type=float, default=24, help="total measuring time per URL")
    parser.add_argument("--rounds", type=int, default=8, help="alternating hello/list/case windows")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument(
        "--persistent", action="store_true",
        help="keep database connections between requests, as production does (see bench/settings.py)",
    )
    parser.add_argument("--profile", action="store_true",
                        help="also time both pages in process and print a cProfile of each (stderr)")
    args = parser.parse_args()
    owned = args.owned if args.owned is not None else args.cases * 15 // 100
    if args.persistent:
        os.environ["BENCH_PERSISTENT_CONNECTIONS"] = "1"
    # The measured case is built through the services, which notify people by e-mail.
    os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")

    data_dir = tempfile.mkdtemp(prefix="corett-bench-cases-")
    setup_django(data_dir)

    small = seed(SMALL, SMALL * 15 // 100)
    small_paths = case_paths(small["code"])
    queries_small = count_queries(small_paths, small["user_id"])
    big = seed(args.cases, owned)
    paths = case_paths(big["code"])
    queries_big = count_queries(paths, big["user_id"])
    print(f"seeded {args.cases} cases in {big['seconds']} s", file=sys.stderr)
    print(json.dumps({"queries_small": queries_small, "queries_big": queries_big}), file=sys.stderr)
    if list(queries_big.values()) != list(queries_small.values()):
        raise SystemExit("The query count of a case page changes with the number of cases.")
    in_process = slowest_sql = None
    if args.profile:
        # The older case first: its access log has no recent entry yet (each look adds one).
        older = f"/cases/{big['older_code']}/"
        slowest_sql = sql_timings([*paths, older], big["user_id"])
        in_process = profile(["/bench/hello", *paths], big["user_id"])
    cookie = verified_session(big["user_id"])
    from django.db import connections

    connections.close_all()  # the server's processes open their own

    env = dict(os.environ, DJANGO_SETTINGS_MODULE="bench.settings", CORETT_DATA_DIR=data_dir,
               CORETT_DEMO="1", PYTHONPATH=str(ROOT))
    server = subprocess.Popen(server_command(args.port, args.workers), cwd=ROOT, env=env)
    urls = ["/bench/hello", *paths]
    rps: dict[str, list[float]] = {url: [] for url in urls}
    try:
        import http.client

        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", args.port, timeout=1).request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        warm(args.port, urls, cookie, args.workers)
        for url in urls:  # warm-up
            load(args.port, url, cookie, 1, args.threads)
        # Short alternating windows: a machine whose load changes during the run weighs on every
        # URL alike, and the median ratio ignores the odd disturbed window.
        window = args.seconds / args.rounds
        for _ in range(args.rounds):
            for url in urls:
                rps[url].append(load(args.port, url, cookie, window, args.threads))
    finally:
        stop(server)

    hello, listing, detail = (rps[url] for url in urls[:3])
    list_ratios = [b / a for a, b in zip(hello, listing, strict=True)]
    case_ratios = [b / a for a, b in zip(hello, detail, strict=True)]
    section_ratios = {
        section: round(statistics.median(b / a for a, b in zip(hello, rps[url], strict=True)), 3)
        for section, url in zip(SECTIONS, urls[3:], strict=True)
    }
    result = {
        "database": "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite",
        "persistent_connections": args.persistent,
        "cases": args.cases, "owned_by_user_country": owned, "audit_entries_seeded": big["audit_entries"],
        "hello_rps": round(statistics.median(hello), 1),
        "list_rps": round(statistics.median(listing), 1),
        "case_rps": round(statistics.median(detail), 1),
        "list_ratio": round(statistics.median(list_ratios), 3),
        "list_ratio_range": [round(min(list_ratios), 3), round(max(list_ratios), 3)],
        "case_ratio": round(statistics.median(case_ratios), 3),
        "case_ratio_range": [round(min(case_ratios), 3), round(max(case_ratios), 3)],
        f"list_queries_at_{SMALL}": queries_small["/cases/"],
        f"list_queries_at_{args.cases}": queries_big["/cases/"],
        f"case_queries_at_{SMALL}": queries_small[small_paths[1]],
        f"case_queries_at_{args.cases}": queries_big[paths[1]],
        # The other sections of the case record: their ratios to hello, and their query counts.
        "section_ratios": section_ratios,
        "section_queries": dict(zip(SECTIONS, list(queries_big.values())[2:], strict=True)),
    }
    if in_process is not None:
        result["in_process_ms"] = in_process
        result["slowest_sql"] = slowest_sql
    print(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
