"""What an infographic says, gathered from released statistics, before anything is drawn.

``build(source, scope=..., year_from=..., year_to=...)`` asks a ``Source`` (released figures:
disclosure-controlled, approved for the audience) for each part of the page and returns an
``Infographic``: plain data that the charts, the web page, the PDF, the SVG and the PNG all
draw from, so the five formats cannot disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from corett.infographics.amounts import Amount, epsilon_number, epsilon_of, epsilon_text, total
from corett.infographics.names import MEMBERS, REGION, country_name

# The indicators an infographic shows, in the order of its headline.
HEADLINE = ("detected_victims", "persons_prosecuted", "persons_convicted", "victims_repatriated")
TREND = ("detected_victims", "persons_prosecuted", "persons_convicted")
INDICATOR_LABELS = {
    "detected_victims": gettext_lazy("Detected victims"),
    "persons_prosecuted": gettext_lazy("Persons prosecuted"),
    "persons_convicted": gettext_lazy("Persons convicted"),
    "persons_in_formal_contact": gettext_lazy("Persons in formal contact"),
    "offences": gettext_lazy("Offences"),
    "victims_repatriated": gettext_lazy("Victims repatriated"),
    "victims_assisted": gettext_lazy("Victims assisted"),
}
SEX_LABELS = {
    "female": gettext_lazy("Female"), "male": gettext_lazy("Male"),
    "other": gettext_lazy("Other"), "unknown": gettext_lazy("Unknown"),
}
AGE_LABELS = {
    "0-17": gettext_lazy("Children (0–17)"), "18+": gettext_lazy("Adults (18+)"),  # noqa: RUF001
    "unknown": gettext_lazy("Unknown"),
}
AGE_SHORT = {"0-17": gettext_lazy("0–17 years"), "18+": gettext_lazy("18+ years")}  # noqa: RUF001
FORM_LABELS = {
    "sexual_exploitation": gettext_lazy("Sexual exploitation"),
    "forced_labour": gettext_lazy("Forced labour"),
    "other": gettext_lazy("Other forms"),
}
TOP_CITIZENSHIPS = 6
TOP_FLOWS = 6
TREND_YEARS = 10  # a single year's page still shows the years before it


class Source(Protocol):
    """Released figures for one audience (see ``corett.infographics.sources``)."""

    def years(self, scope: str) -> list[int]: ...

    def by(
        self, indicator: str, scope: str, years: range, dimension: str
    ) -> Mapping[str, Amount]:
        """The indicator's released amounts over ``years`` (summed), keyed by the categories of
        ``dimension``: "year" (str(year)), "sex", "age", "form", "citizenship" (ISO3),
        "repatriation" (ISO3 of the country of repatriation), "country" (members' ISO3),
        or "total" (one key, "total")."""
        ...

    def sources(self, scope: str, years: range) -> list[str]: ...

    def problems(self, scope: str, years: range) -> list[str]: ...

    def epsilon(self) -> float | None: ...


@dataclass(frozen=True)
class Headline:
    indicator: str
    label: str
    amount: Amount

    @property
    def epsilon_label(self) -> str:
        return epsilon_text(self.amount.epsilon) if self.amount.epsilon is not None else ""


@dataclass(frozen=True)
class Bar:
    key: str
    label: str
    amount: Amount
    short: str = ""  # for a chart's key where the full label would not fit

    @property
    def short_label(self) -> str:
        return self.short or self.label


@dataclass(frozen=True)
class Flow:
    origin: str
    destination: str
    label: str
    amount: Amount

    @property
    def origin_name(self) -> str:
        return country_name(self.origin)

    @property
    def destination_name(self) -> str:
        return country_name(self.destination)


@dataclass
class Infographic:
    scope: str
    scope_name: str
    year_from: int
    year_to: int
    headline: list[Headline]
    trend: dict[str, dict[int, Amount]]
    sex: list[Bar]
    age: list[Bar]
    forms: list[Bar]
    citizenship: list[Bar]
    flows: list[Flow]
    map_values: dict[str, Amount]
    sources: list[str]
    problems: list[str]
    epsilon: float | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def period(self) -> str:
        return str(self.year_to) if self.year_from == self.year_to else f"{self.year_from}–{self.year_to}"  # noqa: RUF001

    @property
    def title(self) -> str:
        return _("Trafficking in persons: %(scope)s, %(period)s") % {
            "scope": self.scope_name, "period": self.period,
        }

    @property
    def has_suppressed(self) -> bool:
        amounts = [h.amount for h in self.headline] + [b.amount for b in self.sex + self.age + self.forms]
        amounts += [a for series in self.trend.values() for a in series.values()]
        return any(not a.is_exact and a.reported for a in amounts)

    @property
    def is_empty(self) -> bool:
        return not any(h.amount.reported for h in self.headline)

    def panel_epsilon(self, panel: str) -> float | None:
        """The epsilon the figure ``panel`` must state (None: none of its amounts carries noise).
        Panels: "trend", "sex_age", "forms", "citizenship", "flows", "map" (the map shows the
        flows too)."""
        amounts: dict[str, list[Amount]] = {
            "trend": [a for series in self.trend.values() for a in series.values()],
            "sex_age": [b.amount for b in self.sex + self.age],
            "forms": [b.amount for b in self.forms],
            "citizenship": [b.amount for b in self.citizenship],
            "flows": [f.amount for f in self.flows],
            "map": [*self.map_values.values(), *(f.amount for f in self.flows)],
        }
        return epsilon_of(amounts[panel])

    @property
    def epsilon_labels(self) -> dict[str, str]:
        """Each panel's label (for templates, which cannot pass an argument)."""
        return {name: self.epsilon_label(name) for name in ("trend", "sex_age", "forms", "citizenship", "flows",
                                                            "map")}

    def epsilon_label(self, panel: str) -> str:
        """"Differential privacy: ε = …" for a panel whose amounts carry noise, else ""."""
        epsilon = self.panel_epsilon(panel)
        return epsilon_text(epsilon) if epsilon is not None else ""


def scope_name(scope: str) -> str:
    return _("the region") if scope == REGION else country_name(scope)


def build(source: Source, *, scope: str, year_from: int, year_to: int) -> Infographic:
    years = range(year_from, year_to + 1)
    available = [y for y in source.years(scope) if y <= year_to]
    trend_years = range(year_from, year_to + 1) if year_to > year_from else range(
        max([year_to - TREND_YEARS + 1, *available[:1]]), year_to + 1
    )
    detected = "detected_victims"
    infographic = Infographic(
        scope=scope,
        scope_name=scope_name(scope),
        year_from=year_from,
        year_to=year_to,
        headline=[
            Headline(i, str(INDICATOR_LABELS[i]), _one(source.by(i, scope, years, "total")))
            for i in HEADLINE
        ],
        trend={
            i: {int(y): a for y, a in source.by(i, scope, trend_years, "year").items()} for i in TREND
        },
        sex=_bars(source.by(detected, scope, years, "sex"), SEX_LABELS),
        age=_bars(source.by(detected, scope, years, "age"), AGE_LABELS, AGE_SHORT),
        forms=_bars(source.by(detected, scope, years, "form"), FORM_LABELS),
        citizenship=_top_citizenships(source.by(detected, scope, years, "citizenship")),
        flows=_flows(source, scope, years),
        map_values=dict(source.by(detected, scope, years, "country")) if scope == REGION else {},
        sources=source.sources(scope, years),
        problems=source.problems(scope, years),
        epsilon=source.epsilon(),
    )
    infographic.notes = _notes(infographic)
    return infographic


def _one(amounts: Mapping[str, Amount]) -> Amount:
    return total(list(amounts.values()))


def _bars(
    amounts: Mapping[str, Amount], labels: Mapping[str, object], short: Mapping[str, object] | None = None
) -> list[Bar]:
    return [
        Bar(k, str(labels[k]), amounts[k], str((short or {}).get(k, "")))
        for k in labels
        if k in amounts and amounts[k].reported
    ]


def _top_citizenships(amounts: Mapping[str, Amount]) -> list[Bar]:
    ranked = sorted(
        ((k, a) for k, a in amounts.items() if a.reported), key=lambda item: (-item[1].lower, item[0])
    )
    bars = [Bar(k, country_name(k), a) for k, a in ranked[:TOP_CITIZENSHIPS]]
    rest = [a for _k, a in ranked[TOP_CITIZENSHIPS:]]
    if rest:
        bars.append(Bar("others", _("Other countries"), total(rest)))
    return bars


def _flows(source: Source, scope: str, years: range) -> list[Flow]:
    """Repatriations: from each detecting member to the country of repatriation."""
    origins = MEMBERS if scope == REGION else (scope,)
    flows = []
    for origin in origins:
        for destination, amount in source.by("victims_repatriated", origin, years, "repatriation").items():
            if amount.reported and destination != origin:
                label = (
                    f"{country_name(origin)} → {country_name(destination)}"
                    if scope == REGION
                    else f"→ {country_name(destination)}"
                )
                flows.append(Flow(origin, destination, label, amount))
    flows.sort(key=lambda f: (-f.amount.lower, f.label))
    return flows[:TOP_FLOWS]


def _notes(infographic: Infographic) -> list[str]:
    notes = [
        _(
            "Figures are released after disclosure control: counts below the threshold are shown "
            "as “<5”, and sums that include them as a range (“312–320”) or a lower bound "  # noqa: RUF001
            "(“at least 312”, “≥ 312” in the charts). Hatched bars and shaded bands show the "
            "range in which such a figure lies."
        )
    ]
    if infographic.scope == REGION:
        notes.append(_("Regional figures add up the approved data of the nine member countries."))
    if infographic.epsilon is not None:
        notes.append(
            _("Counts carry differentially private noise (ε = %(epsilon)s).")
            % {"epsilon": epsilon_number(infographic.epsilon)}
        )
    return notes


def alt_texts(info: Infographic) -> dict[str, str]:
    """What each chart shows, in words: the image's text alternative (and searchable in the PDF)."""

    def listing(bars: list[Bar]) -> str:
        return "; ".join(f"{b.label}: {b.amount.text()}" for b in bars) or _("no data")

    trend = "; ".join(
        f"{INDICATOR_LABELS[i]}: "
        + ", ".join(f"{y} {a.text()}" for y, a in sorted(series.items()) if a.reported)
        for i, series in info.trend.items()
    )
    regional = "; ".join(f"{country_name(k)}: {a.text()}" for k, a in sorted(info.map_values.items()))
    flows = "; ".join(f"{f.label}: {f.amount.text()}" for f in info.flows)
    texts = {
        "trend": _("Trend over the years. %(data)s") % {"data": trend},
        "sex_age": _("Victims by sex and age. %(data)s") % {"data": listing(info.sex + info.age)},
        "forms": _("Forms of exploitation. %(data)s") % {"data": listing(info.forms)},
        "citizenship": _("Citizenship of detected victims. %(data)s") % {"data": listing(info.citizenship)},
        "map": _("Map of the region. %(data)s") % {"data": regional or info.scope_name}
        + (" " + _("Repatriations: %(data)s") % {"data": flows} if flows else ""),
    }
    # A figure with noise says so in words too (screen readers, the PDF's searchable text).
    return {name: f"{text} {info.epsilon_label(name)}".strip() for name, text in texts.items()}
