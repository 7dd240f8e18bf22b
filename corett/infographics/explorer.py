"""The explorer's figures: a table and a chart of released values, and their download.

On screen the table shows what the reader may see (``released_values(user)``: a focal point sees
their own country's figures exactly, with their approval status). Downloads leave the platform,
so they carry the public release only (``audience="public"``: approved, disclosure-controlled),
whoever asks: a file forwarded by e-mail must not hold a cell the public may not see.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from corett.infographics import charts, style
from corett.infographics.amounts import Amount, number
from corett.infographics.content import AGE_LABELS, FORM_LABELS, INDICATOR_LABELS, SEX_LABELS
from corett.infographics.forms import ALL_MEMBERS
from corett.infographics.names import MEMBERS, country_name
from corett.infographics.sources import amount_of
from corett.lib.exports import Cell, Exporter

MAX_SERIES = 8  # lines on one chart before it stops being readable
_SLICES: dict[str, dict[str, Any]] = {
    "": {},
    "sex": {"sex": "*"},
    "age": {"age": "*"},
    "form": {"form": "*"},
    "citizenship": {"citizenship": "*"},
    "repatriation": {"repatriation": "*"},
}
_CATEGORY_LABELS: dict[str, dict[str, Any]] = {"sex": SEX_LABELS, "age": AGE_LABELS, "form": FORM_LABELS}


@dataclass(frozen=True)
class Query:
    country: str
    indicator: str
    dimension: str
    year_from: int
    year_to: int

    @property
    def countries(self) -> list[str]:
        return list(MEMBERS) if self.country == ALL_MEMBERS else [self.country]

    @property
    def years(self) -> range:
        return range(self.year_from, self.year_to + 1)


@dataclass(frozen=True)
class Row:
    country: str
    year: int
    category: str
    dimension: str
    value: Any  # a ReleasedValue

    @property
    def country_name(self) -> str:
        return _("Region") if self.country == "REGION" else country_name(self.country)

    @property
    def category_label(self) -> str:
        return category_label(self.category, dimension=self.dimension) if self.category else ""

    @property
    def amount(self) -> Amount:
        return amount_of(self.value)

    @property
    def source_label(self) -> str:
        from corett.statistics.models import Source

        source = self.value.source
        return str(Source(source).label) if source in Source.values else source

    @property
    def status_label(self) -> str:
        from corett.statistics.models import Status

        status = self.value.status
        return str(Status(status).label) if status in Status.values else status


def category_label(category: str, *, dimension: str) -> str:
    if dimension in _CATEGORY_LABELS:
        return str(_CATEGORY_LABELS[dimension].get(category, category))
    if dimension in ("citizenship", "repatriation"):
        return _("Unspecified") if category == "XXX" else country_name(category)
    return category


def rows(user: Any, query: Query, *, audience: str) -> list[Row]:
    """Released values for the query, one row per country, year and category (sorted)."""
    from corett.statistics.release import released_values

    values = released_values(
        user, indicator=query.indicator, countries=query.countries, years=query.years,
        audience=audience, **_SLICES[query.dimension],
    )
    found = []
    for value in values:
        category = _category(value, query.dimension)
        if category is None:
            continue
        found.append(Row(value.country, value.year, category, query.dimension, value))
    found.sort(key=lambda r: (r.country_name, r.year, r.category))
    return found


def _category(value: Any, dimension: str) -> str | None:
    if not dimension:
        return "" if not value.label else None
    category = str(getattr(value, dimension))
    if category == "total":
        return None
    if value.label and dimension not in ("citizenship", "repatriation"):
        return None
    return category


def chart(query: Query, found: Sequence[Row]) -> bytes | None:
    """Lines over the years (one per country or category), or bars for a single year."""
    series: dict[str, dict[int, Amount]] = defaultdict(dict)
    for row in found:
        name = row.country_name if not query.dimension or len(query.countries) == 1 else (
            f"{row.country_name} · {category_label(row.category, dimension=query.dimension)}"
        )
        if query.dimension and len(query.countries) == 1:
            name = category_label(row.category, dimension=query.dimension)
        series[name][row.year] = series[name].get(row.year, Amount.missing()) + row.amount
    if not series:
        return None
    ranked = sorted(series.items(), key=lambda item: -sum(a.lower for a in item[1].values()))[:MAX_SERIES]
    with style.rc_context():
        figure = Figure(figsize=(7.5, 3.4), layout="constrained")
        ax = figure.add_subplot()
        if query.year_from == query.year_to:
            from corett.infographics.content import Bar

            bars = [Bar(name, name, values[query.year_to]) for name, values in ranked if query.year_to in values]
            charts.bar_rows(ax, bars)
        else:
            for index, (name, values) in enumerate(ranked):
                years = sorted(y for y, a in values.items() if a.reported)
                lows = [values[y].lower for y in years]
                highs = [_upper(values[y]) for y in years]
                colour = style.SERIES[index % len(style.SERIES)]
                ax.plot(years, lows, marker="o", markersize=3, linewidth=1.8, color=colour, label=name,
                        linestyle="-" if index < len(style.SERIES) else "--")
                if highs != lows:
                    ax.fill_between(years, lows, highs, color=colour, alpha=0.15, linewidth=0)
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.yaxis.set_major_formatter(lambda v, _p: number(int(v)))
            ax.set_ylim(bottom=0)
            ax.grid(axis="y", color=style.GRID, linewidth=0.6)
            ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7.5)
        figure.suptitle(str(INDICATOR_LABELS[query.indicator]), x=0.01, ha="left",
                        fontweight="bold", fontsize=10.5)
        return charts.save(figure, "svg")


def _upper(amount: Amount) -> int:
    return amount.upper if amount.upper is not None else amount.lower


class ReleasedValuesExporter(Exporter):
    name = "statistics"
    title = gettext_lazy("Released figures")
    columns = (
        gettext_lazy("Country"), gettext_lazy("ISO3"), gettext_lazy("Year"), gettext_lazy("Period"),
        gettext_lazy("Indicator"), gettext_lazy("Breakdown"), gettext_lazy("Category"),
        gettext_lazy("Value"), gettext_lazy("Suppressed"), gettext_lazy("Lower bound"),
        gettext_lazy("Upper bound"), gettext_lazy("Shown as"), gettext_lazy("Source"),
        gettext_lazy("Release"), gettext_lazy("Status"),
    )

    def __init__(self, query: Query, found: Iterable[Row]) -> None:
        self.query = query
        self.found = list(found)

    def rows(self) -> Iterable[Sequence[Cell]]:
        dimension = dict(_dimension_labels()).get(self.query.dimension, "")
        for row in self.found:
            v = row.value
            yield (
                row.country_name, v.country, v.year, v.period, str(INDICATOR_LABELS[v.indicator]),
                str(dimension), row.category_label,
                v.value, v.suppressed, v.lower_bound, v.upper_bound, row.amount.text(), row.source_label,
                v.release, row.status_label,
            )


def _dimension_labels() -> list[tuple[str, Any]]:
    from corett.infographics.forms import DIMENSIONS

    return [(k, v) for k, v in DIMENSIONS if k]
