"""Released statistics as an infographic reads them.

The only door to the figures is ``corett.statistics.release.released_values`` (disclosure
control, approval); this module asks it for each part of an infographic and adds the released
cells into ``Amount``s, keeping the bounds of suppressed cells. Infographics travel (they are
downloaded, printed, published), so they always read the public release: approved, controlled
figures, the same for every reader, even for the owning country's focal point.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Count, Max
from django.utils.translation import gettext as _

from corett.infographics.amounts import Amount
from corett.infographics.names import MEMBERS, REGION, country_name

# How each dimension is asked of ``released_values`` and which field keys the result.
_DIMENSIONS: dict[str, tuple[dict[str, Any], str]] = {
    "total": ({}, ""),
    "year": ({}, "year"),
    "country": ({}, "country"),
    "sex": ({"sex": "*"}, "sex"),
    "age": ({"age": "*"}, "age"),
    "form": ({"form": "*"}, "form"),
    "citizenship": ({"citizenship": "*"}, "citizenship"),
    "repatriation": ({"repatriation": "*"}, "repatriation"),
}
# A finding that reviewers accepted, noted or have not decided yet is a known problem of figures
# that are (or may be) published; corrected and excluded values are no longer problems.
KNOWN_PROBLEM_STATUSES = ("open", "accepted", "noted")
MAX_PROBLEMS = 4  # more would push the notes onto a second printed page


def amount_of(released: Any) -> Amount:
    """One released cell (``ReleasedValue``) as an ``Amount``."""
    epsilon = getattr(released, "epsilon", None)  # the differentially private release's, if any
    if released.value is not None:
        return Amount(lower=released.value, upper=released.value, epsilon=epsilon)
    if released.lower_bound is None:
        return Amount.missing()
    return Amount(lower=released.lower_bound, upper=released.upper_bound, suppressed=released.suppressed,
                  epsilon=epsilon)


class ReleasedSource:
    """Figures for the public (``user=None``): approved, disclosure-controlled; with
    ``differentially_private=True``, the exact counts carry the statistics module's OpenDP noise
    (each such amount keeps its epsilon, which every figure drawn from it states)."""

    def __init__(self, *, differentially_private: bool = False) -> None:
        self.differentially_private = differentially_private
        self.provenance: set[tuple[str, str]] = set()
        self.epsilons: set[float] = set()

    def released(self, indicator: str, countries: Iterable[str], years: Iterable[int] | None, **slice_: Any):
        from corett.statistics.release import PUBLIC, released_values

        values = released_values(
            None, indicator=indicator, countries=list(countries), years=years, audience=PUBLIC,
            differentially_private=self.differentially_private, **slice_,
        )
        for value in values:
            if value.value is not None or value.lower_bound is not None:
                self.provenance.add((value.source, value.release))
            if value.epsilon is not None:
                self.epsilons.add(value.epsilon)
        return values

    def years(self, scope: str) -> list[int]:
        values = self.released("detected_victims", [scope], None)
        return sorted({v.year for v in values if v.value is not None or v.lower_bound is not None})

    def by(self, indicator: str, scope: str, years: range, dimension: str) -> Mapping[str, Amount]:
        slice_, field = _DIMENSIONS[dimension]
        countries = list(MEMBERS) if dimension == "country" else [scope]
        sums: dict[str, Amount] = defaultdict(Amount.missing)
        for value in self.released(indicator, countries, years, **slice_):
            if value.label and dimension not in ("citizenship", "repatriation"):
                continue  # a source's own sub-category: its coded total is counted already
            key = str(getattr(value, field)) if field else "total"
            if key == "total" and field in ("sex", "age", "form"):
                continue
            sums[key] = sums[key] + amount_of(value)
        return dict(sums)

    def sources(self, scope: str, years: range) -> list[str]:
        from corett.statistics.models import Source

        labels = []
        for source, release in sorted(self.provenance):
            name = str(Source(source).label) if source in Source.values else _("several sources")
            if not release or release == name:
                labels.append(name)
            elif release.startswith(name):  # "UNODC GLOTIP 14/04/2025" names itself
                labels.append(release)
            else:
                labels.append(f"{name} ({release})")
        return labels

    def problems(self, scope: str, years: range) -> list[str]:
        from corett.statistics.models import Finding

        countries = list(MEMBERS) if scope == REGION else [scope]
        findings = Finding.objects.filter(
            country_iso3__in=countries, year__in=list(years), status__in=KNOWN_PROBLEM_STATUSES
        ).order_by("country_iso3", "year", "kind")
        grouped: dict[tuple[str, str], list[int]] = defaultdict(list)
        for finding in findings.only("kind", "country_iso3", "year"):
            grouped[(finding.get_kind_display(), finding.country_iso3)].append(finding.year or 0)
        lines = [
            _("%(problem)s: %(country)s, %(years)s.") % {
                "problem": kind, "country": country_name(country),
                "years": ", ".join(str(y) for y in sorted(set(found))),
            }
            for (kind, country), found in grouped.items()
        ]
        if len(lines) > MAX_PROBLEMS:
            more = len(lines) - MAX_PROBLEMS
            lines = [*lines[:MAX_PROBLEMS], _("And %(count)d more known data problems.") % {"count": more}]
        return lines

    def epsilon(self) -> float | None:
        return max(self.epsilons) if self.epsilons else None


def data_version() -> str:
    """Changes whenever the published figures or the findings change: part of every cache key,
    so that approving, importing or reopening data (which recompute the published figures)
    invalidates the rendered infographics without anyone having to remember to."""
    from corett.statistics.models import Finding, PublishedValue

    published = PublishedValue.objects.aggregate(n=Count("pk"), last=Max("computed_at"))
    findings = Finding.objects.aggregate(n=Count("pk"), last=Max("reviewed_at"), made=Max("created_at"))
    state = "|".join(str(v) for v in (*published.values(), *findings.values()))
    return hashlib.sha256(state.encode()).hexdigest()[:20]
