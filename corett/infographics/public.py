"""What the public website shows of the infographics (no account: ``user=None``).

Everything here reads the public release only: approved figures after disclosure control, the
same the infographic downloads carry. The website calls these three functions and nothing else:

- ``available()``: the infographics there are, [(scope, title, years)], scope "REGION" or ISO3;
- ``render(scope, language=, fmt=, year_from=, year_to=)``: one of them as bytes ("svg", "png",
  "pdf") or as an HTML fragment (``fmt="html"``, str) to embed in a page that loads
  ``static/infographics/infographic.css`` (and ``infographic-screen.css`` for small screens);
- ``headline_figures(language)``: a few regional figures for the home page, each with its note.

When the statistics module releases differentially private counts (``STATISTICS_DP_EPSILON``),
everything here draws them, and every figure that does states its epsilon ("ε = …").

Renderings are cached and the cache follows the published figures (see ``render.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.utils import translation
from django.utils.translation import gettext as _

from corett.infographics import render as rendering
from corett.infographics import sources
from corett.infographics.amounts import epsilon_text
from corett.infographics.content import HEADLINE, INDICATOR_LABELS
from corett.infographics.names import REGION, country_name

PUBLIC_FORMATS = ("html", "svg", "png", "pdf")


class UnknownInfographic(LookupError):
    """No such scope, format, language or period: the website answers 404."""


@dataclass(frozen=True)
class HeadlineFigure:
    indicator: str
    label: str
    value: str  # as printed: "1,234", "312-320", "at least 312", "<5"
    year: int
    note: str
    exact: bool
    epsilon: float | None = None  # the figure carries differentially private noise (stated in its note)


def scope_title(scope: str) -> str:
    """The infographic's name in the active language."""
    if scope == REGION:
        return _("The region")
    return country_name(scope)


def available() -> list[tuple[str, str, list[int]]]:
    """(scope, title in the active language, years with released figures), the region first;
    scopes without any released figure are left out."""
    found = []
    for scope in rendering.SCOPES:
        years = rendering.available_years(scope)
        if years:
            found.append((scope, scope_title(scope), years))
    return found


def render(
    scope: str, *, language: str, fmt: str, year_from: int | None = None, year_to: int | None = None
) -> bytes | str:
    """The infographic of ``scope`` for the period (default: the latest year with figures)."""
    scope = scope.upper()
    if scope not in rendering.SCOPES or fmt not in PUBLIC_FORMATS or language not in rendering.LANGUAGES:
        raise UnknownInfographic(scope)
    years = rendering.available_years(scope)
    if not years:
        raise UnknownInfographic(scope)
    year_to = year_to or years[-1]
    year_from = year_from or year_to
    if year_from > year_to or year_to < years[0] or year_from > years[-1]:
        raise UnknownInfographic(scope)
    return rendering.render(rendering.Request(scope, language, fmt, year_from, year_to))


def headline_figures(language: str) -> list[HeadlineFigure]:
    """The region's headline figures for its latest year with figures, in ``language``."""
    private = rendering.differentially_private()
    key = f"infographics:headline:{language}:{'dp' if private else 'exact'}:{sources.data_version()}"
    cached = cache.get(key)
    if cached is not None:
        return list(cached)
    with translation.override(language):
        figures = _headline_figures(private=private)
    cache.set(key, figures, rendering.CACHE_SECONDS)
    return figures


def _headline_figures(*, private: bool) -> list[HeadlineFigure]:
    years = rendering.available_years(REGION)
    if not years:
        return []
    year = years[-1]
    source = sources.ReleasedSource(differentially_private=private)
    figures = []
    for indicator in HEADLINE:
        amount = source.by(indicator, REGION, range(year, year + 1), "total").get("total")
        if amount is None or not amount.reported:
            continue
        if amount.is_exact:
            note = _("%(year)s, approved figures of the member countries.") % {"year": year}
        else:
            note = _(
                "%(year)s, approved figures of the member countries; some national counts are "
                "small and withheld, so the total is given as a range."
            ) % {"year": year}
        if amount.epsilon is not None:
            note = f"{note} {epsilon_text(amount.epsilon)}."
        figures.append(HeadlineFigure(
            indicator=indicator, label=str(INDICATOR_LABELS[indicator]), value=amount.text(),
            year=year, note=note, exact=amount.is_exact, epsilon=amount.epsilon,
        ))
    return figures
