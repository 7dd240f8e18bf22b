"""The charts of an infographic, each drawn on a matplotlib ``Axes``.

Every panel function takes the axes and the ``Infographic`` and draws one part; ``panel()`` gives
one panel as its own SVG (the web page and the PDF place them in HTML), and ``poster`` composes
all of them on one A4 sheet (the SVG and PNG downloads). Bounded amounts are drawn as a solid bar
up to the lower bound and a hatched extension up to the upper one: the reader sees the
uncertainty instead of a false exact figure.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.ticker import MaxNLocator

from corett.infographics import maps, style
from corett.infographics.amounts import Amount, number
from corett.infographics.content import INDICATOR_LABELS, TREND, Bar, Infographic

MIN_ROWS = 5
NO_DATA = "no-data"
EPSILON = "epsilon"  # gid of the "Differential privacy: ε = …" mark a figure with noise carries
TREND_COLOURS = dict(zip(TREND, style.SERIES, strict=False))


def _no_data(ax: Any) -> None:
    ax.text(0.5, 0.5, _("No data released for this period"), ha="center", va="center",
            transform=ax.transAxes, color=style.MUTED, fontsize=8.5, gid=NO_DATA)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)


def epsilon_mark(ax: Any, text: str, *, below: float = 3) -> None:
    """Write ``text`` ("Differential privacy: ε = …", or nothing when empty) under the figure's
    right edge, ``below`` points under the axes (room for tick labels where there are some)."""
    if not text:
        return
    ax.annotate(text, xy=(1, 0), xycoords="axes fraction", xytext=(0, -below), textcoords="offset points",
                ha="right", va="top", fontsize=6.5, color=style.MUTED, gid=EPSILON, annotation_clip=False)


def _thousands(value: float, _pos: int) -> str:
    return number(int(value))


def trend(ax: Any, info: Infographic) -> None:
    ax.set_title(_("Trend over the years"), pad=34)
    years = sorted({y for series in info.trend.values() for y, a in series.items() if a.reported})
    if not years:
        _no_data(ax)
        return
    epsilon_mark(ax, info.epsilon_label("trend"), below=16)
    span = list(range(years[0], years[-1] + 1))
    for indicator, series in info.trend.items():
        if not any(series.get(y, Amount.missing()).reported for y in span):
            continue
        colour = TREND_COLOURS[indicator]
        # A year without a figure is a gap in the line, never a bridge between its neighbours.
        lows = [series[y].lower if y in series and series[y].reported else math.nan for y in span]
        highs = [_upper_or_nan(series.get(y)) for y in span]
        ax.plot(span, lows, color=colour, linewidth=2, marker="o", markersize=3.5,
                label=str(INDICATOR_LABELS[indicator]))
        if any(h != lo for h, lo in zip(highs, lows, strict=True) if not math.isnan(lo)):
            ax.fill_between(span, lows, highs, color=colour, alpha=0.18, linewidth=0)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=min(len(years), 8)))
    ax.yaxis.set_major_locator(MaxNLocator(nbins=5))
    ax.yaxis.set_major_formatter(_thousands)
    ax.set_ylim(bottom=0)
    ax.grid(axis="y", color=style.GRID, linewidth=0.6)
    ax.set_axisbelow(True)
    # Above the plot, two columns: three long names in one row would not fit a narrow panel.
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=2, handlelength=1.4,
              columnspacing=1.2, borderaxespad=0.2)


def _upper_or_nan(amount: Amount | None) -> float:
    if amount is None or not amount.reported:
        return math.nan
    return amount.upper if amount.upper is not None else amount.lower


def bar_rows(ax: Any, bars: list[Bar], colours: dict[str, str] | None = None) -> None:
    """Horizontal bars, largest on top, the amount written at each bar's end."""
    if not bars:
        _no_data(ax)
        return
    labels = [b.label for b in bars][::-1]
    top = max((b.amount.upper if b.amount.upper is not None else b.amount.lower) for b in bars) or 1
    for row, bar in enumerate(bars[::-1]):
        colour = (colours or {}).get(bar.key, style.BRAND)
        ax.barh(row, bar.amount.lower, color=colour, height=0.62)
        upper = bar.amount.upper if bar.amount.upper is not None else bar.amount.lower
        if upper > bar.amount.lower:
            ax.barh(row, upper - bar.amount.lower, left=bar.amount.lower, height=0.62,
                    color="white", edgecolor=colour, hatch="////", linewidth=0.6)
        ax.text(max(upper, bar.amount.lower) + top * 0.02, row, bar.amount.short(), va="center",
                ha="left", fontsize=8, color=style.INK)
    ax.set_yticks(range(len(labels)), labels)
    ax.tick_params(axis="y", length=0)
    # A fixed number of row slots, filled from the top: one bar stays one bar's height.
    ax.set_ylim(len(labels) - max(len(labels), MIN_ROWS) - 0.5, len(labels) - 0.5)
    ax.set_xlim(0, top * 1.28)  # room for the amount written after the longest bar
    ax.set_xticks([])
    for side in ("bottom", "left"):
        ax.spines[side].set_visible(False)


def forms(ax: Any, info: Infographic) -> None:
    ax.set_title(_("Forms of exploitation"))
    bar_rows(ax, info.forms, style.FORM_COLOURS)
    epsilon_mark(ax, info.epsilon_label("forms"))


def citizenship(ax: Any, info: Infographic) -> None:
    ax.set_title(_("Citizenship of victims"))
    bar_rows(ax, info.citizenship)
    epsilon_mark(ax, info.epsilon_label("citizenship"))


def sex_and_age(ax: Any, info: Infographic) -> None:
    """Two 100 % bars (by sex, by age), each named above and keyed below, shares written inside
    the segments wide enough to hold them."""
    ax.set_title(_("Victims by sex and age"))
    rows = [(_("By sex"), info.sex, style.SEX_COLOURS), (_("By age"), info.age, style.AGE_COLOURS)]
    rows = [r for r in rows if r[1]]
    if not rows:
        _no_data(ax)
        return
    epsilon_mark(ax, info.epsilon_label("sex_age"))
    for index, (name, bars, colours) in enumerate(rows):
        y = -index * ROW_STEP
        ax.text(0, y + 0.36, name, ha="left", va="bottom", fontsize=8, color=style.MUTED)
        whole = sum(b.amount.lower for b in bars) or 1
        exact = all(b.amount.is_exact for b in bars)
        left = 0.0
        handles = []
        for bar in bars:
            width = bar.amount.lower / whole
            handles.append(ax.barh(y, width, left=left, color=colours.get(bar.key, style.SUPPRESSED),
                                   height=0.56, edgecolor="white", linewidth=1))
            if width >= 0.1:
                ax.text(left + width / 2, y, f"{width:.0%}" if exact else bar.amount.short(),
                        ha="center", va="center", fontsize=8, fontweight="bold",
                        color=style.INK if bar.key in ("unknown", "other") else "white")
            left += width
        labels = [b.short_label for b in bars]
        # One line when the key fits the panel, two otherwise (the row step leaves room for two).
        columns = len(labels) if sum(len(t) + 5 for t in labels) <= 34 else 2
        ax.add_artist(Legend(
            ax, handles, labels, loc="upper left", bbox_to_anchor=(0, y - 0.34),
            bbox_transform=ax.get_yaxis_transform(), ncol=columns, handlelength=0.9,
            handletextpad=0.4, columnspacing=0.9, fontsize=7, borderaxespad=0,
        ))
    ax.set_xlim(0, 1)
    ax.set_ylim(-(len(rows) - 1) * ROW_STEP - 1.25, 0.8)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)


ROW_STEP = 2.0


def region_map(ax: Any, info: Infographic) -> None:
    from corett.infographics.names import MEMBERS, country_name

    if info.map_values:
        ax.set_title(_("Detected victims by country"))
        # Every member is named, "no data" where it released nothing for the period.
        values = {iso3: info.map_values.get(iso3, Amount.missing()) for iso3 in MEMBERS}
        fill, labels = _choropleth(values)
        labels = {iso3: f"{country_name(iso3)}\n{text}" for iso3, text in labels.items()}
    else:
        ax.set_title(_("%(country)s in the region") % {"country": info.scope_name})
        fill = dict.fromkeys(MEMBERS, style.SCALE[1])
        fill[info.scope] = style.ACCENT
        labels = {iso3: country_name(iso3) for iso3 in MEMBERS}
    top = max((f.amount.lower for f in info.flows), default=0) or 1
    flows = [(f.origin, f.destination, f.amount.lower / top) for f in info.flows]
    maps.draw_map(ax, fill=fill, labels=labels, flows=flows, bold=(info.scope,))
    ax.text(0.995, 0.01, _("Boundaries: Natural Earth"), transform=ax.transAxes, ha="right",
            va="bottom", fontsize=6, color=style.MUTED)
    if info.epsilon_label("map"):  # over the Pacific, opposite the attribution
        ax.text(0.005, 0.01, info.epsilon_label("map"), transform=ax.transAxes, ha="left", va="bottom",
                fontsize=6.5, color=style.MUTED, gid=EPSILON)


def _choropleth(values: dict[str, Amount]) -> tuple[dict[str, str], dict[str, str]]:
    """Five classes by the lower bound, quantile-like on the members' values."""
    reported = sorted(a.lower for a in values.values() if a.reported)
    fill, labels = {}, {}
    for iso3, amount in values.items():
        labels[iso3] = amount.short()
        if not amount.reported:
            fill[iso3] = style.NO_DATA  # not the palest class: "nothing released" is not "few"
            continue
        rank = sum(1 for v in reported if v < amount.lower) / max(len(reported), 1)
        fill[iso3] = style.SCALE[min(int(rank * len(style.SCALE)), len(style.SCALE) - 1)]
    return fill, labels


PANELS: dict[str, tuple[Callable[[Any, Infographic], None], tuple[float, float]]] = {
    # Sizes in inches as printed on the A4 page (182 mm wide), so that 8 pt stays 8 pt.
    "trend": (trend, (4.3, 2.5)),
    "sex_age": (sex_and_age, (2.75, 2.5)),
    "forms": (forms, (2.45, 1.95)),
    "citizenship": (citizenship, (2.45, 1.95)),
    "map": (region_map, (7.15, 3.3)),
}


def panel(name: str, info: Infographic) -> bytes:
    """One panel as a standalone SVG (its text stays text: the PDF can be searched)."""
    draw, size = PANELS[name]
    with style.rc_context():
        figure = Figure(figsize=size, layout="constrained")
        ax = figure.add_subplot()
        draw(ax, info)
        # The title starts at the panel's left edge, not over the bars (the labels come first).
        title = ax.get_title(loc="left")
        ax.set_title("", loc="left")
        figure.suptitle(title, x=0.01, ha="left", fontsize=style.RC["axes.titlesize"],
                        fontweight="bold", color=style.INK)
        return save(figure, "svg")


def save(figure: Figure, fmt: str) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format=fmt, metadata=_metadata(fmt))
    return buffer.getvalue()


def _metadata(fmt: str) -> dict[str, Any]:
    # No creation date: the same figure always gives the same bytes.
    if fmt == "svg":
        return {"Date": None, "Creator": "CORETT Hub"}
    return {"Software": "CORETT Hub"}
