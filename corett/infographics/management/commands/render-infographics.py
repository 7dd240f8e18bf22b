"""`corett render-infographics`: render the published infographics ahead of their first reader.

A cold rendering takes seconds (the PDF most); once rendered, each is served from the cache until
the published figures change. Run it after an import or an approval round (or from cron) so
that the website's first visitor does not wait: for each scope with released figures, both
languages, every format, the latest year and the whole range of released years.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from corett.infographics import render


class Command(BaseCommand):
    help = "Render the infographics of the released figures into the cache."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--scope", action="append", help="REGION or an ISO alpha-3 code (repeatable)")

    def handle(self, *args: Any, **options: Any) -> None:
        scopes = [s.upper() for s in options["scope"] or render.SCOPES]
        started = time.perf_counter()
        count = 0
        for scope in scopes:
            years = render.available_years(scope)
            if not years:
                self.stdout.write(f"{scope}: no released figures")
                continue
            periods = {(years[-1], years[-1]), (years[0], years[-1])}
            for year_from, year_to in sorted(periods):
                for language in render.LANGUAGES:
                    for fmt in render.FORMATS:
                        render.render(render.Request(scope, language, fmt, year_from, year_to))
                        count += 1
            self.stdout.write(f"{scope}: {len(periods) * len(render.LANGUAGES) * len(render.FORMATS)} renderings")
        self.stdout.write(f"{count} renderings in {time.perf_counter() - started:.1f} s")
