"""Requests per second of the public home page (/es/, anonymous) against a hello-world view.

Seeds a fresh database in a temporary data dir with the coalition's members and a realistic
amount of public content (articles, publications, help lines), starts gunicorn, and loads both
URLs from the same client in many short alternating windows (hello then home, then home then
hello, so that a drift in the machine's load weighs on both alike); the ratio reported is the
median of the windows' ratios. It also measures the home page uncached (a query string nobody
else asks for makes every request a miss), so the cache's share is visible, and checks that
anonymous visits neither receive a cookie nor write a session.

    .venv/bin/python bench/website_home.py [--seconds 24] [--rounds 24] [--articles 200] [--workers 2]

Target (issue 8): home / hello >= 0.8. Set DATABASE_URL to benchmark on PostgreSQL.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django(data_dir: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.website_settings"
    os.environ["CORETT_DATA_DIR"] = data_dir
    os.environ["CORETT_DEMO"] = "1"
    os.environ.pop("CORETT_TESTING", None)
    import django

    django.setup()


def seed(articles: int) -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("flush", verbosity=0, interactive=False)
    from corett.accounts.roles import Role
    from corett.demo import coalition
    from corett.directory.models import Country, Membership
    from corett.testing import factories
    from corett.website import services
    from corett.website.models import Article, ArticleStatus, HelpLine
    from corett.website.tests.helpers import make_publication

    countries = [
        Country.objects.create(iso2=i2, iso3=i3, name_es=es, name_en=en, official_language=lang,
                               membership=Membership.MEMBER)
        for i2, i3, es, en, lang in coalition.MEMBER_COUNTRIES
    ]
    editor = factories.user_with(Role.EDITOR, None, username="bench-editor")
    now = dt.datetime.now(tz=dt.UTC)
    # Bulk: the services' versions and audit entries would only slow the seeding down.
    Article.objects.bulk_create(
        Article(slug=f"noticia-{n}", title_es=f"Noticia {n}", title_en=f"News {n}", summary_es="Resumen " * 10,
                summary_en="Summary " * 10, body_es="Texto. " * 200, body_en="Text. " * 200,
                status=ArticleStatus.PUBLISHED, published_at=now - dt.timedelta(hours=n), organisation=editor.organisation)
        for n in range(articles)
    )
    through = Article.countries.through
    through.objects.bulk_create(
        through(article_id=a, country_id=c.pk)
        for a, c in zip(Article.objects.values_list("pk", flat=True), itertools.cycle(countries), strict=False)
    )
    for n in range(20):
        make_publication(editor, slug=f"publicacion-{n}")
    for country in countries:
        HelpLine.objects.create(country=country, name_es="Línea", name_en="Line", phone="+000 0000", is_demo=True)
    services.article_create(actor=editor, data={
        "slug": "borrador", "title_es": "b", "title_en": "b", "summary_es": "b", "summary_en": "b",
        "body_es": "b", "body_en": "b"})


def count_queries(path: str) -> tuple[int, int]:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    cache.clear()
    client = Client()
    with CaptureQueriesContext(connection) as cold:
        assert client.get(path).status_code == 200
    with CaptureQueriesContext(connection) as warm:
        assert client.get(path).status_code == 200
    return len(cold.captured_queries), len(warm.captured_queries)


def anonymous_cookies(port: int, path: str) -> list[str]:
    """The cookies an anonymous visitor of ``path`` receives, cached or not (there should be none)."""
    found = []
    for target in (path, f"{path}?fresh={time.perf_counter_ns()}"):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", target)
        response = conn.getresponse()
        response.read()
        found += response.headers.get_all("Set-Cookie") or []
        conn.close()
    return found


def load(port: int, path: str, seconds: float, threads: int, unique: bool = False) -> float:
    done: list[int] = []
    errors: list[int] = []
    deadline = time.perf_counter() + seconds
    counter = itertools.count()

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        n = 0
        while time.perf_counter() < deadline:
            target = f"{path}?v={next(counter)}-{time.perf_counter_ns()}" if unique else path
            conn.request("GET", target)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=24)
    parser.add_argument("--rounds", type=int, default=24)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--path", default="/es/")
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="corett-bench-website-")
    setup_django(data_dir)
    seed(args.articles)
    cold_queries, warm_queries = count_queries(args.path)

    env = dict(os.environ, DJANGO_SETTINGS_MODULE="bench.website_settings", CORETT_DATA_DIR=data_dir,
               CORETT_DEMO="1", PYTHONPATH=str(ROOT))
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "bench.wsgi", "--bind", f"127.0.0.1:{args.port}",
         "--workers", str(args.workers), "--log-level", "warning"],
        cwd=ROOT, env=env,
    )
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", args.port, timeout=1).request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        load(args.port, "/bench/hello", 1, args.threads)  # warm-up (and each worker's page cache)
        load(args.port, args.path, 1, args.threads)
        cookies = anonymous_cookies(args.port, args.path)
        hellos, homes, uncached = [], [], []
        window = args.seconds / args.rounds
        # The ratio's windows alternate hello and home only: an uncached request costs a hundred
        # cached ones, and one still running into the next window would weigh on that one alone.
        for round_ in range(args.rounds):
            if round_ % 2:
                homes.append(load(args.port, args.path, window / 2, args.threads))
                hellos.append(load(args.port, "/bench/hello", window / 2, args.threads))
            else:
                hellos.append(load(args.port, "/bench/hello", window / 2, args.threads))
                homes.append(load(args.port, args.path, window / 2, args.threads))
        for _ in range(max(2, args.rounds // 8)):
            uncached.append(load(args.port, args.path, window / 2, args.threads, unique=True))
    finally:
        server.terminate()
        server.wait(10)

    from django.contrib.sessions.models import Session

    ratios = sorted(home / hello for hello, home in zip(hellos, homes, strict=True))
    quartiles = statistics.quantiles(ratios, n=4)
    uncached_ratios = [u / statistics.median(hellos) for u in uncached]
    print(json.dumps({
        "database": "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite",
        "articles": args.articles, "workers": args.workers, "threads": args.threads,
        "hello_rps": round(statistics.median(hellos), 1),
        "home_rps": round(statistics.median(homes), 1),
        "home_uncached_rps": round(statistics.median(uncached), 1),
        "ratio": round(statistics.median(ratios), 3),
        "ratio_of_medians": round(statistics.median(homes) / statistics.median(hellos), 3),
        "ratio_quartiles": [round(quartiles[0], 3), round(quartiles[2], 3)],
        "ratio_range": [round(min(ratios), 3), round(max(ratios), 3)],
        "rounds": args.rounds,
        "uncached_ratio": round(statistics.median(uncached_ratios), 3),
        "home_queries_uncached": cold_queries, "home_queries_cached": warm_queries,
        "anonymous_cookies": cookies, "sessions_written": Session.objects.count(),
        "target": 0.8,
    }, indent=2))


if __name__ == "__main__":
    main()
