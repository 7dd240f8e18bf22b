"""What other modules make public, read through their published seams.

- ``corett.infographics.public``: ``available()`` ([(scope, title, years)], scope "REGION" or an
  ISO alpha-3 code), ``render(scope, *, language, fmt, year_from, year_to)`` (bytes for "png",
  "svg", "pdf") and ``headline_figures(language)``, the approved, disclosure-controlled figures;
- ``corett.meetings.public`` and ``corett.training.public``: ``public_events(start, end)``, the
  public meetings and trainings (dicts with uid, title_es, title_en, starts_on, ends_on, place,
  kind).

A module that has not landed yet (or fails) leaves its part of the site empty with a plain
message, never an error page: each reader below returns ``None`` for "not available".
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
from dataclasses import dataclass
from typing import Any

from django.utils.translation import get_language

logger = logging.getLogger(__name__)


def _seam(name: str) -> Any | None:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def infographics() -> list[tuple[str, str, list[int]]]:
    """The published infographics: (scope, title in the active language, years), the region
    ("REGION") first, then countries by ISO alpha-3; empty when the module is absent."""
    module = _seam("corett.infographics.public")
    if module is None or not hasattr(module, "available"):
        return []
    try:
        return [(str(scope), str(title), list(years)) for scope, title, years in module.available()]
    except Exception:  # a neighbour's failure must not take the public site down
        logger.exception("infographics.available failed")
        return []


def infographics_available() -> bool:
    return _seam("corett.infographics.public") is not None


def headline_figures(language: str | None = None) -> list[Any] | None:
    """The regional headline figures (objects with label, value and note), or None when there
    are none (or the module is absent)."""
    module = _seam("corett.infographics.public")
    if module is None or not hasattr(module, "headline_figures"):
        return None
    try:
        figures = module.headline_figures(language or get_language() or "es")
    except Exception:
        logger.exception("infographics.headline_figures failed")
        return None
    return list(figures) or None


def infographic(scope: str, *, language: str, fmt: str, year_from: int | None = None,
                year_to: int | None = None) -> bytes | str | None:
    """One rendered infographic (bytes, or str for "html"), or None when there is no such one."""
    module = _seam("corett.infographics.public")
    if module is None or not hasattr(module, "render"):
        return None
    try:
        return module.render(scope, language=language, fmt=fmt, year_from=year_from, year_to=year_to)
    except Exception:  # UnknownInfographic (a 404) or a failure: either way, nothing to show
        return None


@dataclass(frozen=True)
class Event:
    uid: str
    title_es: str
    title_en: str
    starts_on: dt.date | dt.datetime
    ends_on: dt.date | dt.datetime | None
    place: str
    kind: str

    @property
    def title(self) -> str:
        en = (get_language() or "es").startswith("en")
        return (self.title_en or self.title_es) if en else (self.title_es or self.title_en)

    @property
    def day(self) -> dt.date:
        return self.starts_on.date() if isinstance(self.starts_on, dt.datetime) else self.starts_on


EVENT_SOURCES = ("corett.meetings.public", "corett.training.public")


def events_available() -> bool:
    return any(_seam(name) is not None for name in EVENT_SOURCES)


def public_events(start: dt.date | None = None, end: dt.date | None = None) -> list[Event]:
    """The public meetings and trainings of every module that publishes some, by date."""
    found: list[Event] = []
    for name in EVENT_SOURCES:
        module = _seam(name)
        if module is None or not hasattr(module, "public_events"):
            continue
        try:
            rows = module.public_events(start=start, end=end)
        except Exception:
            logger.exception("%s.public_events failed", name)
            continue
        for row in rows:
            try:
                found.append(Event(
                    uid=str(row["uid"]), title_es=str(row.get("title_es") or ""),
                    title_en=str(row.get("title_en") or ""), starts_on=row["starts_on"],
                    ends_on=row.get("ends_on"), place=str(row.get("place") or ""), kind=str(row.get("kind") or ""),
                ))
            except (KeyError, TypeError):
                logger.warning("%s returned an event without uid or start", name)
    return sorted(found, key=lambda e: (e.day, e.uid))
