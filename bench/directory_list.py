"""Requests per second of an authenticated directory list page against a hello-world view.

Seeds a realistic directory (thousands of organisations and people) into a fresh database in a
temporary data dir, starts one gunicorn server, and loads both URLs from the same client in
the same run, so that the ratio (list / hello) is comparable across noisy machines. It also
counts the SQL queries of the list page at two data sizes: the count must not grow with the data.

    .venv/bin/python bench/directory_list.py [--orgs 3000] [--people 12000] [--seconds 10]
        [--path /directory/people/] [--persistent] [--profile] [--data-dir DIR]

Set DATABASE_URL to benchmark on PostgreSQL (the database is emptied and reseeded). See
bench/README.md for what the figures mean and where a list page's time goes.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def setup_django(data_dir: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["CORETT_DATA_DIR"] = data_dir
    os.environ["CORETT_DEMO"] = "1"
    os.environ.pop("CORETT_TESTING", None)
    import django

    django.setup()


def seed(orgs: int, people: int) -> dict:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("flush", verbosity=0, interactive=False)
    from corett.accounts.models import RoleAssignment, User
    from corett.accounts.roles import Role
    from corett.demo import coalition
    from corett.directory.models import (
        CoalitionMembership,
        Country,
        Membership,
        Organisation,
        OrganisationKind,
        Person,
        Visibility,
    )

    countries = [
        Country.objects.create(iso2=i2, iso3=i3, name_es=es, name_en=en, official_language=lang,
                               membership=Membership.MEMBER)
        for i2, i3, es, en, lang in coalition.MEMBER_COUNTRIES
    ]
    rnd = random.Random(42)
    kinds = [k for k, _ in OrganisationKind.choices]
    Organisation.objects.bulk_create(
        Organisation(
            name=f"Institución {n:05d} de {rnd.choice(['Protección', 'Migración', 'Justicia', 'Salud'])}",
            acronym=f"I{n:05d}", kind=rnd.choice(kinds), country=rnd.choice(countries),
            email=f"contacto{n}@example.org", phone="+502 2200 0000", languages=["es"],
        )
        for n in range(orgs)
    )
    all_orgs = list(Organisation.objects.all())
    CoalitionMembership.objects.bulk_create(
        CoalitionMembership(organisation=o, status=rnd.choice(list(Membership.values)),
                            started_on="2020-01-01")
        for o in all_orgs
    )
    Person.objects.bulk_create(
        Person(full_name=f"Persona {n:06d}", position="Analista", organisation=rnd.choice(all_orgs),
               email=f"p{n}@example.org", phone="+502 5555 0000", languages=["es"],
               is_focal_point=n % 50 == 0,
               visibility=rnd.choice([Visibility.COALITION, Visibility.COUNTRY]))
        for n in range(people)
    )
    gt = Country.objects.get(iso2="GT")
    home = Organisation.objects.filter(country=gt).first()
    user = User.objects.create(username="bench-focal", organisation=home)
    RoleAssignment.objects.create(user=user, role=Role.FOCAL_POINT)
    return {"user_id": user.pk}


def session_cookie(user_id: int) -> str:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from corett.accounts.models import User

    user = User.objects.get(pk=user_id)
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    # The platform's own backend (the one its login uses): a session naming a backend that is
    # not in AUTHENTICATION_BACKENDS is anonymous, and the list would answer with a redirect.
    store[BACKEND_SESSION_KEY] = "corett.accounts.backends.AccountBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.set_expiry(3600)
    store.save()
    return store.session_key or ""


def count_queries(path: str, user_id: int) -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from corett.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(pk=user_id))
    client.get(path)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, response.status_code
    return len(ctx.captured_queries)


def profile(
    paths: list[str], user_id: int | None = None, requests: int = 300, *, client: Any = None, lines: int = 60
) -> dict[str, float]:
    """In-process CPU milliseconds per request (Django test client, the connection kept) and a
    cProfile of each page but the first (stderr), as ``user_id`` or through a signed-in ``client``."""
    import cProfile
    import pstats

    from django.test import Client

    from corett.accounts.models import User

    if client is None:
        client = Client()
        client.force_login(User.objects.get(pk=user_id), backend="corett.accounts.backends.AccountBackend")
    timings = {}
    for path in paths:
        for _ in range(20):
            client.get(path)
        started = time.process_time()
        for _ in range(requests):
            client.get(path)
        timings[path] = round((time.process_time() - started) * 1000 / requests, 2)
    for path in paths[1:]:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(requests):
            client.get(path)
        profiler.disable()
        print(f"\n=== {path}: {requests} requests, by cumulative time", file=sys.stderr)
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(lines)
    return timings


def load(port: int, path: str, cookie: str, seconds: float, threads: int) -> float:
    done = []
    deadline = time.perf_counter() + seconds
    errors = []

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        n = 0
        while time.perf_counter() < deadline:
            conn.request("GET", path, headers={"Cookie": f"sessionid={cookie}"})
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                errors.append(response.status)
                break
            n += 1
        conn.close()
        done.append(n)

    start = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    if errors:
        raise SystemExit(f"{path} answered {errors[0]}")
    return sum(done) / (time.perf_counter() - start)


def warm(port: int, paths: list[str], cookie: str, workers: int) -> None:
    """Send every path to every worker once, waiting as long as it takes: a worker's first
    request imports and builds what the platform loads lazily (the URL conf of every module, its
    templates, its catalogues), which takes seconds, and tens of them on a loaded machine."""

    def first(path: str) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        conn.request("GET", path, headers={"Cookie": f"sessionid={cookie}"})
        conn.getresponse().read()
        conn.close()

    for path in paths:
        # More concurrent requests than workers: each sync worker takes at least one.
        pool = [threading.Thread(target=first, args=(path,)) for _ in range(workers * 2)]
        for t in pool:
            t.start()
        for t in pool:
            t.join()


def server_command(port: int, workers: int) -> list[str]:
    # A generous timeout: gunicorn must not kill a worker busy with its first, slow request.
    return [str(ROOT / ".venv/bin/gunicorn"), "bench.wsgi", "--bind", f"127.0.0.1:{port}",
            "--workers", str(workers), "--timeout", "600", "--graceful-timeout", "5", "--log-level", "warning"]


def stop(server: subprocess.Popen) -> None:
    """Stop gunicorn; a loaded machine may need more than its graceful timeout."""
    server.terminate()
    try:
        server.wait(60)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orgs", type=int, default=3000)
    parser.add_argument("--people", type=int, default=12000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=8, help="alternating hello/list windows")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--path", default="/directory/organisations/")
    parser.add_argument(
        "--persistent", action="store_true",
        help="keep database connections between requests, as production does (see bench/settings.py)",
    )
    parser.add_argument("--profile", action="store_true",
                        help="also time hello and the page in process and print a cProfile of the page (stderr)")
    parser.add_argument("--data-dir", help="where the SQLite database and caches go (default: a new temporary dir)")
    args = parser.parse_args()
    if args.persistent:
        os.environ["BENCH_PERSISTENT_CONNECTIONS"] = "1"

    data_dir = args.data_dir or tempfile.mkdtemp(prefix="corett-bench-")
    os.makedirs(data_dir, exist_ok=True)
    setup_django(data_dir)

    small = seed(100, 400)
    queries_small = count_queries(args.path, small["user_id"])
    people_small = count_queries("/directory/people/", small["user_id"])
    big = seed(args.orgs, args.people)
    queries_big = count_queries(args.path, big["user_id"])
    people_big = count_queries("/directory/people/", big["user_id"])
    cookie = session_cookie(big["user_id"])
    in_process = profile(["/bench/hello", args.path], big["user_id"]) if args.profile else None

    env = dict(os.environ, DJANGO_SETTINGS_MODULE="bench.settings", CORETT_DATA_DIR=data_dir,
               CORETT_DEMO="1", PYTHONPATH=str(ROOT))
    server = subprocess.Popen(server_command(args.port, args.workers), cwd=ROOT, env=env)
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", args.port, timeout=1).request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        warm(args.port, ["/bench/hello", args.path], cookie, args.workers)
        load(args.port, "/bench/hello", cookie, 1, args.threads)  # warm-up
        load(args.port, args.path, cookie, 1, args.threads)
        # Short alternating windows: a machine whose load changes during the run (other jobs)
        # weighs on both URLs alike, and the median ratio ignores the odd disturbed window.
        hellos, listings = [], []
        window = args.seconds / args.rounds
        for _ in range(args.rounds):
            hellos.append(load(args.port, "/bench/hello", cookie, window, args.threads))
            listings.append(load(args.port, args.path, cookie, window, args.threads))
    finally:
        stop(server)

    ratios = [listing / hello for hello, listing in zip(hellos, listings, strict=True)]
    result = {
        "database": "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite",
        "persistent_connections": args.persistent,
        "organisations": args.orgs, "people": args.people,
        "hello_rps": round(statistics.median(hellos), 1),
        "list_rps": round(statistics.median(listings), 1),
        "ratio": round(statistics.median(ratios), 3),
        "ratio_range": [round(min(ratios), 3), round(max(ratios), 3)],
        "list_queries_small": queries_small, "list_queries_big": queries_big,
        "people_queries_small": people_small, "people_queries_big": people_big,
    }
    if in_process:
        result["in_process_cpu_ms"] = in_process
    print(json.dumps(result, indent=2))
    if queries_big > queries_small or people_big > people_small:
        raise SystemExit("The list page's query count grows with the data.")


if __name__ == "__main__":
    main()
