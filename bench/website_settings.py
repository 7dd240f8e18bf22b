"""Settings of bench/website_home.py: the benchmark settings with the URL conf that keeps the
public site's language prefixes."""

from bench.settings import *  # noqa: F403

ROOT_URLCONF = "bench.website_urls"
