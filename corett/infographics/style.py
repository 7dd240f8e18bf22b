"""The look shared by every chart, the map and the printed page: one typeface, one palette.

DejaVu Sans is the typeface because it ships with matplotlib and with the server's fonts (the
PDF, the SVG and the PNG then show the same letters) and it covers Spanish accents. Colours come
from one palette chosen for contrast on white and for colour-blind readers (blue/orange pairs,
never red against green); the coalition's dark blue is the brand colour of the site's navbar.
"""

from __future__ import annotations

from typing import Any, cast

import matplotlib

matplotlib.use("Agg")  # no display on the server; must precede pyplot's import anywhere

FONT = "DejaVu Sans"

INK = "#1f2a37"  # text
MUTED = "#5b6675"  # secondary text, axes
GRID = "#e3e7ec"
BRAND = "#16365c"  # the coalition's dark blue
ACCENT = "#d9822b"  # orange: the one colour that stands out
NEIGHBOUR = "#d5d9de"  # grey land outside the coalition
WATER = "#f3f7fb"
SUPPRESSED = "#b9c2cc"
NO_DATA = "#ffffff"  # a member that released nothing: white within its outline

# Series colours in order of use (Okabe-Ito, adapted): distinct for colour-blind readers.
SERIES = ("#16365c", "#d9822b", "#3b8bc2", "#7a9a3a", "#9c5a9e", "#c2b23b", "#8c8c8c")
SEX_COLOURS = {"female": "#9c5a9e", "male": "#3b8bc2", "other": "#7a9a3a", "unknown": SUPPRESSED}
AGE_COLOURS = {"0-17": "#d9822b", "18+": "#16365c", "unknown": SUPPRESSED}
FORM_COLOURS = {"sexual_exploitation": "#9c5a9e", "forced_labour": "#d9822b", "other": "#3b8bc2"}
# Choropleth for members: light to dark blue.
SCALE = ("#dbe8f5", "#a9c8e6", "#6fa3d2", "#3b77b2", "#16365c")

RC: dict[str, Any] = {
    "font.family": "sans-serif",
    "font.sans-serif": [FONT],
    "font.size": 9,
    "text.color": INK,
    "axes.labelcolor": MUTED,
    "axes.edgecolor": GRID,
    "axes.titlesize": 10.5,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.titlecolor": INK,
    "axes.titlepad": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "legend.frameon": False,
    "svg.fonttype": "none",  # text stays text in the SVG: selectable, searchable, small
    "svg.hashsalt": "corett",  # stable ids: the same figure gives the same bytes (caching, tests)
    "pdf.fonttype": 42,
    "figure.dpi": 100,
    "savefig.dpi": 200,
    "figure.facecolor": "white",
}


def rc_context() -> Any:
    """matplotlib settings for one rendering, without touching the process-wide defaults."""
    return matplotlib.rc_context(cast(Any, RC))
