"""Benchmark settings: the platform's own settings plus one hello-world view to compare with."""

import os

from corett.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
DEBUG = False
# The benchmark measures the platform, not the password hasher or the log console.
LOGGING = {"version": 1, "disable_existing_loggers": True, "root": {"level": "ERROR"}}
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
# --persistent: keep database connections between requests, as production does (PostgreSQL with
# DB_CONN_MAX_AGE, 60 s by default). The platform's SQLite branch closes them after every request
# (the demo's runserver starts a thread per request), so each request then also pays for a new
# connection and a cold SQLite page cache.
if os.environ.get("BENCH_PERSISTENT_CONNECTIONS") == "1":
    DATABASES["default"]["CONN_MAX_AGE"] = 60  # noqa: F405
