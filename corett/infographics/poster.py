"""The whole infographic on one A4 sheet, for the SVG and PNG downloads.

The panels are the same functions the web page uses (``charts``); here they are placed on a fixed
grid so that nothing moves with the data: long labels are shortened by the panels themselves,
and the notes are wrapped to the sheet's width.
"""

from __future__ import annotations

import textwrap

from django.utils.translation import gettext as _
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from corett.infographics import charts, style
from corett.infographics.content import Bar, Infographic

A4 = (8.27, 11.69)  # inches
MARGIN = 0.055


def flows_as_bars(info: Infographic) -> list[Bar]:
    return [Bar(f"{f.origin}-{f.destination}", f.label, f.amount) for f in info.flows]


def repatriations(ax, info: Infographic) -> None:
    ax.set_title(_("Repatriations"))
    charts.bar_rows(ax, flows_as_bars(info))
    charts.epsilon_mark(ax, info.epsilon_label("flows"))


def draw(info: Infographic) -> Figure:
    figure = Figure(figsize=A4)
    _header(figure, info)
    _headline(figure, info)
    charts.trend(figure.add_axes((0.09, 0.57, 0.50, 0.17)), info)
    charts.sex_and_age(figure.add_axes((0.655, 0.585, 0.29, 0.175)), info)
    charts.region_map(figure.add_axes((MARGIN, 0.26, 1 - 2 * MARGIN, 0.255)), info)
    # The bottom row: three lists whose titles start where their labels do.
    for draw_panel, column_at, bars_at, bars_width in (
        (charts.forms, 0.055, 0.181, 0.121),
        (charts.citizenship, 0.34, 0.453, 0.121),
        (repatriations, 0.605, 0.828, 0.109),
    ):
        ax = figure.add_axes((bars_at, 0.105, bars_width, 0.12))
        draw_panel(ax, info)
        ax.title.set_x((column_at - bars_at) / bars_width)
        ax.title.set_horizontalalignment("left")
        for text in ax.texts:
            if text.get_gid() == charts.NO_DATA:  # under the title, not centred on a narrow column
                text.set_position(((column_at - bars_at) / bars_width, 0.9))
                text.set_horizontalalignment("left")
    _footer(figure, info)
    return figure


def _header(figure: Figure, info: Infographic) -> None:
    figure.patches.append(Rectangle((0, 0.925), 1, 0.075, transform=figure.transFigure,
                                    facecolor=style.BRAND, edgecolor="none"))
    figure.text(MARGIN, 0.968, info.title, color="white", fontsize=15, fontweight="bold", va="center")
    figure.text(MARGIN, 0.940, _("Regional Coalition against Trafficking in Persons and Smuggling of "
                                 "Migrants (CORETT)"), color="#c9d6e6", fontsize=8.5, va="center")


def _headline(figure: Figure, info: Infographic) -> None:
    count = max(len(info.headline), 1)
    width = (1 - 2 * MARGIN) / count
    for i, item in enumerate(info.headline):
        x = MARGIN + i * width
        figure.patches.append(Rectangle((x + 0.005, 0.815), width - 0.01, 0.09,
                                        transform=figure.transFigure, facecolor="#eef3f8",
                                        edgecolor="none"))
        text = item.amount.text()
        size = 20 if len(text) <= 7 else 15 if len(text) <= 11 else 12.5
        figure.text(x + width / 2, 0.875 if item.epsilon_label else 0.872, text, ha="center", va="center",
                    fontsize=size, fontweight="bold", color=style.BRAND if i else style.ACCENT)
        figure.text(x + width / 2, 0.840 if item.epsilon_label else 0.834, item.label, ha="center",
                    va="center", fontsize=8.5, color=style.INK)
        if item.epsilon_label:
            figure.text(x + width / 2, 0.824, item.epsilon_label, ha="center", va="center", fontsize=6,
                        color=style.MUTED, gid=charts.EPSILON)


def _footer(figure: Figure, info: Infographic) -> None:
    # The sheet has room for seven lines: the notes and the sources always, then as many known
    # problems as fit (the PDF lists them all).
    lines: list[str] = []
    for note in info.notes:
        lines.extend(textwrap.wrap(note, 150) or [""])
    if info.sources:
        sources = _("Sources: %(sources)s.") % {"sources": "; ".join(info.sources)}
        lines.extend(textwrap.wrap(sources, 150))
    for problem in info.problems:
        lines.extend(textwrap.wrap(problem, 150))
    figure.lines.append(_rule())
    figure.text(MARGIN, 0.073, _("Notes"), fontsize=8.5, fontweight="bold", va="top")
    figure.text(MARGIN, 0.055, "\n".join(lines[:7]), fontsize=6.5, va="top", color=style.MUTED,
                linespacing=1.45)
    figure.text(1 - MARGIN, 0.012, "CORETT Hub", fontsize=6.5, ha="right", color=style.MUTED)


def _rule():
    from matplotlib.lines import Line2D

    return Line2D([MARGIN, 1 - MARGIN], [0.085, 0.085], color=style.GRID, linewidth=0.8)


def render(info: Infographic, fmt: str) -> bytes:
    with style.rc_context():
        return charts.save(draw(info), fmt)
