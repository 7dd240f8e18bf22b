"""The map of the region: the nine members coloured, their neighbours in grey.

Boundaries come from ``geodata/region.geojson``, derived from Natural Earth (public domain) by
``geodata/derive_map.py`` and shipped with the project: nothing is fetched at run time.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from matplotlib.collections import PatchCollection
from matplotlib.patches import FancyArrowPatch, Polygon

from corett.infographics import style

GEOJSON = Path(__file__).with_name("geodata") / "region.geojson"
ATTRIBUTION = "Natural Earth"
# Where each member's label sits (lon, lat, alignment) and the point inside the country its leader
# line and flow arrows start from. The isthmus countries are too small to hold a label: theirs
# sit offshore (Pacific or Caribbean), placed by eye so that no two collide on the A4 map.
LABEL_AT = {
    "MEX": (-102.5, 24.0, "center"), "DOM": (-70.4, 21.0, "center"),
    "BLZ": (-86.0, 19.3, "left"), "HND": (-83.0, 16.9, "left"), "NIC": (-81.4, 13.0, "left"),
    "PAN": (-79.5, 11.1, "left"), "GTM": (-93.6, 14.0, "right"), "SLV": (-90.6, 11.6, "right"),
    "CRI": (-86.6, 8.4, "right"),
}
INSIDE = {
    "MEX": (-102.5, 24.0), "GTM": (-90.35, 15.5), "BLZ": (-88.7, 17.2), "SLV": (-88.9, 13.75),
    "HND": (-86.6, 14.8), "NIC": (-85.0, 12.9), "CRI": (-84.1, 10.0), "PAN": (-80.2, 8.6),
    "DOM": (-70.5, 18.85),
}
# Anchor points for flows between countries: arrows start and end here.
ANCHOR = {
    **INSIDE, "MEX": (-99.5, 20.0), "USA": (-97.0, 30.5), "CUB": (-79.5, 21.8), "HTI": (-72.6, 19.0),
    "COL": (-74.0, 7.5), "VEN": (-66.5, 8.0), "JAM": (-77.3, 18.1),
}


@cache
def features() -> tuple[dict[str, Any], ...]:
    data = json.loads(GEOJSON.read_text(encoding="utf-8"))
    return tuple(data["features"])


def _xy(lon: float, lat: float) -> tuple[float, float]:
    """Equirectangular, stretched for the region's mid-latitude (20°N) so shapes look right."""
    return lon * math.cos(math.radians(20)), lat


def draw_map(
    ax: Any,
    *,
    fill: Mapping[str, str],
    labels: Mapping[str, str] | None = None,
    flows: list[tuple[str, str, float]] | None = None,
    bold: tuple[str, ...] = (),
) -> None:
    """Draw the region on ``ax``. ``fill``: colour per member ISO3 (members missing from it are
    drawn light); ``labels``: text per member; ``flows``: (from ISO3, to ISO3, weight 0-1)."""
    ax.set_facecolor(style.WATER)
    members, others = [], []
    member_colours = []
    for feature in features():
        iso3 = feature["properties"]["iso3"]
        for polygon in feature["geometry"]["coordinates"]:
            outline = Polygon([_xy(*p) for p in polygon[0]], closed=True)
            if feature["properties"]["member"]:
                members.append(outline)
                member_colours.append(fill.get(iso3, style.SCALE[0]))
            else:
                others.append(outline)
    ax.add_collection(PatchCollection(others, facecolor=style.NEIGHBOUR, edgecolor="white", linewidth=0.4))
    ax.add_collection(
        PatchCollection(members, facecolor=member_colours, edgecolor=style.MUTED, linewidth=0.4, zorder=2)
    )
    for origin, destination, weight in flows or []:
        if origin in ANCHOR and destination in ANCHOR and origin != destination:
            arrow = FancyArrowPatch(
                _xy(*ANCHOR[origin]), _xy(*ANCHOR[destination]), connectionstyle="arc3,rad=0.25",
                arrowstyle="-|>", mutation_scale=9, linewidth=0.8 + 2.2 * weight,
                color=style.ACCENT, alpha=0.9, zorder=4,
            )
            ax.add_patch(arrow)
    for iso3, text in (labels or {}).items():
        if iso3 not in LABEL_AT:
            continue
        lon, lat, align = LABEL_AT[iso3]
        x, y = _xy(lon, lat)
        inside = INSIDE[iso3] == (lon, lat)
        if not inside:
            ax.plot(*zip(_xy(*INSIDE[iso3]), (x, y), strict=True), color=style.MUTED, linewidth=0.5,
                    zorder=3)
        dark = inside and fill.get(iso3) in (*style.SCALE[3:], style.ACCENT)
        ax.text(
            x, y, text, ha=align, va="center", fontsize=6.5, zorder=5, linespacing=1.15,
            color="white" if dark else style.INK, fontweight="bold" if iso3 in (bold or ()) else "normal",
            bbox=None if inside else {"boxstyle": "square,pad=0.15", "facecolor": style.WATER, "edgecolor": "none"},
        )
    west, south = _xy(-118.5, 6.0)
    east, north = _xy(-59.0, 33.5)
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
