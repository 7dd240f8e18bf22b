"""Where computed indicators take their values: a registry of sources, each a function that
returns a value and the label of its source for a country (or the whole region) and a span of
dates.

A source reads the platform's own data (the repatriation cases, the approved statistics, the
training records) and never returns anything but a count: no record, name or code leaves it.
A source whose module is not installed yet says so (``SourceUnavailable``) instead of returning 0,
so a dashboard shows "not available" rather than a false zero.

Codes: ``cases.victims_repatriated``, ``training.people_trained``, and ``statistics:<code>`` for
any indicator of the statistics module (its approved releases).
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from corett.directory.models import Country


class SourceUnavailable(Exception):
    """The module a source reads is not available (yet): the message says which."""


@dataclass(frozen=True)
class SourceValue:
    value: Decimal
    source: str  # translated label of where the value comes from


@dataclass(frozen=True)
class Source:
    code: str
    label: object  # lazy translation
    compute: Callable[[Country | None, dt.date, dt.date], Decimal]

    def value(self, *, country: Country | None, start: dt.date, end: dt.date) -> SourceValue:
        return SourceValue(Decimal(self.compute(country, start, end)), str(self.label))


def _victims_repatriated(country: Country | None, start: dt.date, end: dt.date) -> Decimal:
    """Cases whose person reached the country of origin (the "received" stage) within the dates,
    counted for the country of origin, where the person returned."""
    from corett.cases.models import Stage, StageChange

    changes = StageChange.objects.filter(to_stage=Stage.RECEIVED, at__date__gte=start, at__date__lte=end)
    if country is not None:
        changes = changes.filter(case__origin_country=country)
    return Decimal(changes.values("case_id").distinct().count())


def _people_trained(country: Country | None, start: dt.date, end: dt.date) -> Decimal:
    people_trained = _optional("corett.training.services", "people_trained", _("the training module"))
    return Decimal(people_trained(country_iso3=country.iso3 if country else None, start=start, end=end))


def _statistics(indicator_code: str) -> Callable[[Country | None, dt.date, dt.date], Decimal]:
    def compute(country: Country | None, start: dt.date, end: dt.date) -> Decimal:
        approved_total = _optional("corett.statistics.release", "approved_total", _("the statistics module"))
        total = Decimal(0)
        for year in range(start.year, end.year + 1):
            value = approved_total(indicator_code, country_iso3=country.iso3 if country else None, year=year)
            if value is None:
                # Suppressed, missing or not yet approved: a sum with a hole in it would mislead.
                raise SourceUnavailable(
                    _("Not available: the approved statistics give no exact figure for %(year)s.") % {"year": year})
            total += Decimal(value)
        return total

    return compute


def _optional(module: str, function: str, what: object) -> Callable:
    try:
        found = getattr(importlib.import_module(module), function)
    except (ImportError, AttributeError):
        raise SourceUnavailable(
            _("Not available: %(what)s does not provide this figure yet.") % {"what": what}
        ) from None
    return found


SOURCES: dict[str, Source] = {
    source.code: source
    for source in (
        Source("cases.victims_repatriated", _("Repatriation cases: victims received in their country"),
               _victims_repatriated),
        Source("training.people_trained", _("Training records: people trained"), _people_trained),
    )
}
STATISTICS_PREFIX = "statistics:"


def is_known_source(code: str) -> bool:
    if code.startswith(STATISTICS_PREFIX):
        return len(code) > len(STATISTICS_PREFIX) and code[len(STATISTICS_PREFIX):].replace("_", "").replace(
            "-", "").replace(".", "").isalnum()
    return code in SOURCES


def get_source(code: str) -> Source:
    if code.startswith(STATISTICS_PREFIX) and is_known_source(code):
        indicator_code = code[len(STATISTICS_PREFIX):]
        return Source(code, _("Approved statistics: %(code)s") % {"code": indicator_code},
                      _statistics(indicator_code))
    try:
        return SOURCES[code]
    except KeyError:
        raise SourceUnavailable(_("Unknown source of computed values.")) from None


def label_of(code: str) -> str:
    """What a computed indicator's values are read from, in words (its page says it)."""
    try:
        return str(get_source(code).label)
    except SourceUnavailable as exc:
        return str(exc.args[0])


def source_choices() -> list[tuple[str, str]]:
    return [(code, str(source.label)) for code, source in SOURCES.items()]


def compute(code: str, *, country: Country | None, start: dt.date, end: dt.date) -> SourceValue:
    """The value of source ``code``; raises SourceUnavailable when it cannot be had."""
    return get_source(code).value(country=country, start=start, end=end)
