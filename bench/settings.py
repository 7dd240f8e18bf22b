"""Benchmark settings: the platform's own settings plus one hello-world view to compare with."""

from corett.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
DEBUG = False
# The benchmark measures the platform, not the password hasher or the log console.
LOGGING = {"version": 1, "disable_existing_loggers": True, "root": {"level": "ERROR"}}
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
