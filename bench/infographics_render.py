"""Rendering an infographic: cold (nothing cached) against cached, and against bare baselines.

Seeds, in a fresh database in a temporary data dir, ten years of approved figures for the nine
members (totals, sex, age, forms, citizenship, repatriations), then renders the region's
infographic for 2013-2022 in each format, in the same run and process, alternating over
``--rounds``:

- cold: the cache emptied first (content from the released figures, charts, layout, file);
- cached: the same request again (one query for the data version, one cache read);
- baselines: WeasyPrint's "hello world" A4 PDF and matplotlib's one-line chart as PNG.

Prints median times and the ratios cold / baseline and cached / cold.

    .venv/bin/python bench/infographics_render.py [--rounds 3]
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
MEMBERS = (("BZ", "BLZ"), ("CR", "CRI"), ("SV", "SLV"), ("GT", "GTM"), ("HN", "HND"),
           ("MX", "MEX"), ("NI", "NIC"), ("PA", "PAN"), ("DO", "DOM"))


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


def seed() -> None:
    import datetime as dt
    import random

    from corett.directory.models import Country, Membership
    from corett.statistics.services import ValueInput, store_values

    rng = random.Random(4)
    values = []
    for iso2, iso3 in MEMBERS:
        Country.objects.get_or_create(iso2=iso2, defaults={
            "iso3": iso3, "name_es": iso3, "name_en": iso3, "official_language": "es",
            "membership": Membership.MEMBER, "member_since": dt.date(2011, 1, 1)})
        for year in range(2013, 2023):
            p = str(year)
            total = rng.randint(60, 900)
            female = rng.randint(total // 2, total)
            children = rng.randint(0, total // 2)
            sexual = rng.randint(0, total)
            values += [
                ValueInput("detected_victims", iso3, p, total),
                ValueInput("detected_victims", iso3, p, female, sex="female"),
                ValueInput("detected_victims", iso3, p, total - female, sex="male"),
                ValueInput("detected_victims", iso3, p, children, age="0-17"),
                ValueInput("detected_victims", iso3, p, total - children, age="18+"),
                ValueInput("detected_victims", iso3, p, sexual, form="sexual_exploitation"),
                ValueInput("detected_victims", iso3, p, total - sexual, form="forced_labour"),
                ValueInput("detected_victims", iso3, p, total - 40, citizenship=iso3),
                ValueInput("detected_victims", iso3, p, 40, citizenship="VEN"),
                ValueInput("persons_prosecuted", iso3, p, rng.randint(3, 200)),
                ValueInput("persons_convicted", iso3, p, rng.randint(0, 80)),
                ValueInput("victims_repatriated", iso3, p, 12),
                ValueInput("victims_repatriated", iso3, p, 12, repatriation="USA"),
            ]
    store_values(actor=None, source="national", values=values, release="bench", status="approved",
                 today=dt.date(2026, 1, 1))


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def hello_pdf() -> bytes:
    from weasyprint import HTML

    return HTML(string="<html><body><h1>Hello world</h1></body></html>").write_pdf()


def hello_png() -> bytes:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8.27, 11.69))
    figure.add_subplot().plot([2013, 2022], [1, 2])
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=200)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        setup_django(data_dir)
        seed()
        from django.core.cache import cache

        from corett.infographics import render

        results: dict[str, dict[str, list[float]]] = {}
        baselines = {"pdf": hello_pdf, "png": hello_png}
        for _round in range(args.rounds):
            for fmt in ("html", "pdf", "png", "svg"):
                request = render.Request("REGION", "es", fmt, 2013, 2022)
                cache.clear()
                row = results.setdefault(fmt, {"cold": [], "cached": [], "baseline": []})
                row["cold"].append(timed(lambda r=request: render.render(r)))
                row["cached"].append(timed(lambda r=request: render.render(r)))
                if fmt in baselines:
                    row["baseline"].append(timed(baselines[fmt]))
        print(f"Region 2013-2022, 9 countries, {args.rounds} rounds (median seconds)")
        print(f"{'format':8}{'cold':>10}{'cached':>10}{'baseline':>10}{'cold/base':>11}{'cached/cold':>13}")
        for fmt, row in results.items():
            cold, cached = statistics.median(row["cold"]), statistics.median(row["cached"])
            base = statistics.median(row["baseline"]) if row["baseline"] else None
            ratio = f"{cold / base:11.1f}" if base else f"{'':>11}"
            base_text = f"{base:10.3f}" if base else f"{'':>10}"
            print(f"{fmt:8}{cold:10.3f}{cached:10.4f}{base_text}{ratio}{cached / cold:13.4f}")
        print("baselines: pdf = WeasyPrint hello-world page, png = matplotlib one-line A4 chart at 200 dpi")


if __name__ == "__main__":
    main()
