"""An infographic in each of its formats, rendered once and cached until the figures change.

Formats: "html" (a fragment for the platform's page and the public website), "pdf" (print-ready
A4, WeasyPrint, its text searchable), "svg" and "png" (the whole sheet as one image, matplotlib).
Every format is built from the same ``Infographic`` content, in the language asked for.

Cache keys carry ``sources.data_version()``: approving, importing or reopening statistics
recomputes the published figures, which changes the version, so stale renderings are never
served and nothing has to be invalidated by hand.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from corett.infographics import charts, content, poster, sources
from corett.infographics.names import MEMBERS, REGION

FORMATS = ("html", "pdf", "svg", "png")
CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "svg": "image/svg+xml",
    "png": "image/png",
}
CACHE_SECONDS = 24 * 3600
SCOPES = (REGION, *MEMBERS)
LANGUAGES = ("es", "en")


def differentially_private() -> bool:
    """Whether infographics carry the differentially private release of the counts: whenever the
    statistics module makes one (``STATISTICS_DP_EPSILON`` set, OpenDP installed, figures
    refreshed). An infographic is public output whoever looks at it (it is downloaded, printed and
    published on the website), so it is the one place the noisy counts are meant for."""
    from corett.statistics.privacy import configured_epsilon

    return configured_epsilon() is not None


@dataclass(frozen=True)
class Request:
    """What to render: validated before anything is drawn. ``private``: draw the differentially
    private counts (None: as configured, see :func:`differentially_private`)."""

    scope: str
    language: str
    fmt: str
    year_from: int
    year_to: int
    private: bool | None = None

    @property
    def dp(self) -> bool:
        return differentially_private() if self.private is None else self.private

    def cache_key(self, version: str) -> str:
        return (f"infographics:v1:{self.scope}:{self.year_from}-{self.year_to}:{self.language}:{self.fmt}:"
                f"{'dp' if self.dp else 'exact'}:{version}")

    @property
    def filename(self) -> str:
        period = str(self.year_to) if self.year_from == self.year_to else f"{self.year_from}-{self.year_to}"
        return f"corett-infographic-{self.scope.lower()}-{period}-{self.language}.{self.fmt}"


def available_years(scope: str) -> list[int]:
    return sources.ReleasedSource().years(scope)


def build(scope: str, year_from: int, year_to: int, *, private: bool = False) -> content.Infographic:
    """The content in the active language (with ``private``, from the differentially private counts)."""
    return content.build(sources.ReleasedSource(differentially_private=private), scope=scope,
                         year_from=year_from, year_to=year_to)


def render(request: Request) -> bytes | str:
    """The rendering for ``request``, from the cache when the figures have not changed."""
    key = request.cache_key(sources.data_version())
    cached = cache.get(key)
    if isinstance(cached, bytes | str):
        return cached
    with translation.override(request.language):
        info = build(request.scope, request.year_from, request.year_to, private=request.dp)
        rendered = _RENDERERS[request.fmt](info)
    cache.set(key, rendered, CACHE_SECONDS)
    return rendered


def render_bytes(request: Request) -> bytes:
    """A file format (pdf, png, svg)."""
    rendered = render(request)
    if not isinstance(rendered, bytes):
        raise TypeError(f"{request.fmt} is not a file format")
    return rendered


def render_html(request: Request) -> str:
    rendered = render(request)
    if not isinstance(rendered, str):
        raise TypeError(f"{request.fmt} is not html")
    return rendered


def html_fragment(info: content.Infographic) -> str:
    return render_to_string("infographics/_infographic.html", _context(info))


def pdf(info: content.Infographic) -> bytes:
    from django.contrib.staticfiles import finders
    from django.utils import timezone
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    context = _context(info)
    html = render_to_string("infographics/infographic_pdf.html", context)
    screen = Path(str(finders.find("infographics/infographic.css"))).read_text(encoding="utf-8")
    page = render_to_string("infographics/infographic_pdf.css", {"generated": timezone.localdate().isoformat()})
    # The charts are embedded as data: URLs; nothing else may be fetched while rendering.
    fetcher = URLFetcher(allowed_protocols=("data",), fail_on_errors=True)
    document = HTML(string=html, url_fetcher=fetcher, base_url="about:blank")
    stylesheets = [CSS(string=css, url_fetcher=fetcher) for css in (screen, page)]
    return document.write_pdf(stylesheets=stylesheets)


def _context(info: content.Infographic) -> dict[str, Any]:
    panels = {name: _data_url(charts.panel(name, info)) for name in charts.PANELS}
    return {
        "info": info,
        "panels": panels,
        "alt": content.alt_texts(info),
        "language": translation.get_language(),
        "attribution": _("Boundaries: Natural Earth (public domain)."),
    }


def _data_url(svg: bytes) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


_RENDERERS: dict[str, Callable[[content.Infographic], bytes | str]] = {
    "html": html_fragment,
    "pdf": pdf,
    "svg": lambda info: poster.render(info, "svg"),
    "png": lambda info: poster.render(info, "png"),
}
