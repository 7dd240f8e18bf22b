"""Repatriation in progress: the protocol's current caseload as disclosure-controlled counts.

The Secretariat, the Presidency, observers and the national focal points never see a case (the
policy keeps cases to the case workers of the two countries); what they see of the repatriation
protocol is this table: how many cases there are today per country pair (destination → origin),
per phase of the protocol (the stages grouped in a handful the plenary reads, and the exact
stage) and per child or adult.

The counts come from :meth:`corett.cases.models.CaseQuerySet.counts_for_statistics`: one grouped
query over clear columns (countries, stage, age at identification); no case code, name or sealed
field is read. Everyone who reaches the table sees the same released table, the focal point of a
destination country included: disclosure control applies to everyone outside a case's owners,
and the owners have the cases themselves.

Disclosure control treats every figure shown (in the page, the API and the CSV alike) as one
table tied by its additive equations: the grand total is the sum of the pairs, of the phases and
of the ages; a pair's total the sum of its phases; a phase's total the sum of its pairs, of its
stages and of its ages; each age the sum of the phases at that age. The stages are not crossed
with the age (nor the pairs with either): those cells would almost all be small, and hiding
them would take the figures people read first with them. Counts from 1 to
k - 1 (k: ``STATISTICS_K_ANONYMITY``, or the suppression threshold if higher) are suppressed, and
:func:`corett.statistics.disclosure.protect` suppresses further cells until none of them can be
worked out from the published ones and the equations. A suppressed cell is given as the range
any reader could infer anyway.

The table is the state of the cases now: comparing it from one day to the next shows what moved
in between. Only aggregates are released, but a reader watching daily may see one case change
phase; the threshold protects each day's table, not the difference of two.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from django.core.cache import cache
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from corett.cases.models import Stage
from corett.lib.exports import Cell as ExportCell
from corett.lib.exports import Exporter
from corett.statistics import disclosure
from corett.statistics.release import k_anonymity, suppression_threshold

TOTAL = "total"
ALL_PAIRS = ""  # destination and origin of a cell over every pair
CHILD, ADULT = "child", "adult"
CACHE_SECONDS = 3600
SUPPRESSED = "x"  # a suppressed cell of which nothing can be said (Statistics Canada's mark)
AGES = (CHILD, ADULT)
AGE_LABELS: dict[str, Promise] = {
    CHILD: gettext_lazy("Children (and people of unverified age)"),
    ADULT: gettext_lazy("Adults (age verified)"),
    TOTAL: gettext_lazy("Total"),
}


@dataclass(frozen=True)
class Phase:
    code: str
    label: Promise
    stages: tuple[Stage, ...]


# The protocol's stages in the handful of phases the plenary reads, in the protocol's order.
PHASES: tuple[Phase, ...] = (
    Phase("identification", gettext_lazy("Identification and protection"),
          (Stage.IDENTIFIED, Stage.PROTECTED, Stage.CONSULAR_NOTIFICATION, Stage.ASSESSING)),
    Phase("decision", gettext_lazy("Decision"), (Stage.RETURN_DECIDED,)),
    Phase("request", gettext_lazy("Request and acceptance"),
          (Stage.REQUESTED_TO_ORIGIN, Stage.ACCEPTED_BY_ORIGIN, Stage.DECLINED_BY_ORIGIN, Stage.FAMILY_ASSESSED)),
    Phase("travel", gettext_lazy("Funding and travel"),
          (Stage.FUNDING_REQUESTED, Stage.FUNDED, Stage.TRAVEL_SCHEDULED, Stage.IN_TRANSIT)),
    Phase("reintegration", gettext_lazy("Reception and reintegration"), (Stage.RECEIVED, Stage.REINTEGRATION)),
    Phase("closed", gettext_lazy("Closed"), (Stage.CLOSED,)),
    Phase("other_outcome", gettext_lazy("Suspended, alternative solution or cancelled"),
          (Stage.SUSPENDED, Stage.ALTERNATIVE_SOLUTION, Stage.CANCELLED)),
)
PHASE_OF: dict[str, str] = {stage.value: phase.code for phase in PHASES for stage in phase.stages}
PHASE_CODES = tuple(phase.code for phase in PHASES)
STAGE_CODES = tuple(stage.value for phase in PHASES for stage in phase.stages)


class Key(NamedTuple):
    """One cell: ``ALL_PAIRS`` for destination and origin, ``TOTAL`` for phase, stage or age,
    when the cell is over all of them."""

    destination: str
    origin: str
    phase: str
    stage: str
    age: str


@dataclass(frozen=True)
class ReleasedCell:
    destination: str  # ISO alpha-3, or "" for every pair
    origin: str
    phase: str  # a phase code or "total"
    stage: str  # a stage code or "total"
    age: str  # "child", "adult" or "total"
    value: int | None  # None when suppressed
    suppressed: bool
    lower_bound: int
    upper_bound: int | None  # None: no upper bound can be stated

    @property
    def display(self) -> str:
        """"12", "1-9" (with an en dash), "at least 12", or "x" when nothing can be said (a cell
        hidden to protect another)."""
        if self.value is not None:
            return f"{self.value:,}"
        if self.upper_bound is None:
            return _("at least %(n)s") % {"n": f"{self.lower_bound:,}"} if self.lower_bound else SUPPRESSED
        return f"{self.lower_bound:,}\N{EN DASH}{self.upper_bound:,}"


@dataclass(frozen=True)
class Caseload:
    threshold: int
    computed_at: dt.datetime
    pairs: tuple[tuple[str, str], ...]  # (destination, origin) with at least one case, sorted
    cells: dict[Key, ReleasedCell]

    def cell(self, destination: str = ALL_PAIRS, origin: str = ALL_PAIRS, phase: str = TOTAL,
             stage: str = TOTAL, age: str = TOTAL) -> ReleasedCell:
        return self.cells[Key(destination, origin, phase, stage, age)]

    @property
    def largest_suppressed(self) -> int:
        return self.threshold - 1

    @property
    def total(self) -> ReleasedCell:
        return self.cell()

    def released(self) -> list[ReleasedCell]:
        """Every released cell, in the table's order (pairs, then phases, then stages)."""
        return [self.cells[key] for key in _order(self.cells)]


def _order(keys: Iterable[Key]) -> list[Key]:
    phase_rank = {code: i for i, code in enumerate((TOTAL, *PHASE_CODES))}
    stage_rank = {code: i for i, code in enumerate((TOTAL, *STAGE_CODES))}
    age_rank = {TOTAL: 0, CHILD: 1, ADULT: 2}
    return sorted(keys, key=lambda k: (k.destination, k.origin, phase_rank[k.phase], stage_rank[k.stage],
                                       age_rank[k.age]))


# --- Counting ---------------------------------------------------------------------------------

Group = tuple[str, str, str, str]  # destination ISO3, origin ISO3, stage, age


def case_counts() -> Counter[Group]:
    """The cases per destination, origin, stage and child or adult: aggregates only."""
    from corett.cases.models import Case

    counts: Counter[Group] = Counter()
    for row in Case.objects.counts_for_statistics():
        counts[(row["destination"], row["origin"], row["stage"], CHILD if row["child"] else ADULT)] += row["count"]
    return counts


def table(counts: Counter[Group]) -> dict[Key, int]:
    """Every cell the page, the API and the CSV show, zeros included (a zero is published: it
    identifies nobody, and a table of fixed shape says nothing by what it leaves out). Pairs are
    those with at least one case."""
    pairs = sorted({(destination, origin) for destination, origin, _stage, _age in counts})
    cells: dict[Key, int] = {}
    for destination, origin in [(ALL_PAIRS, ALL_PAIRS), *pairs]:
        cells[Key(destination, origin, TOTAL, TOTAL, TOTAL)] = 0
        for code in PHASE_CODES:
            cells[Key(destination, origin, code, TOTAL, TOTAL)] = 0
    for age in AGES:
        cells[Key(ALL_PAIRS, ALL_PAIRS, TOTAL, TOTAL, age)] = 0
    for phase in PHASES:
        for age in AGES:
            cells[Key(ALL_PAIRS, ALL_PAIRS, phase.code, TOTAL, age)] = 0
        for each in phase.stages:
            cells[Key(ALL_PAIRS, ALL_PAIRS, phase.code, each.value, TOTAL)] = 0
    for (destination, origin, stage, age), n in counts.items():
        of = PHASE_OF[stage]
        for key in (
            Key(ALL_PAIRS, ALL_PAIRS, TOTAL, TOTAL, TOTAL),
            Key(ALL_PAIRS, ALL_PAIRS, TOTAL, TOTAL, age),
            Key(ALL_PAIRS, ALL_PAIRS, of, TOTAL, TOTAL),
            Key(ALL_PAIRS, ALL_PAIRS, of, TOTAL, age),
            Key(ALL_PAIRS, ALL_PAIRS, of, stage, TOTAL),
            Key(destination, origin, TOTAL, TOTAL, TOTAL),
            Key(destination, origin, of, TOTAL, TOTAL),
        ):
            cells[key] += n
    return cells


def equations(pairs: Sequence[tuple[str, str]]) -> list[disclosure.Equation]:
    """The sums a reader can do with the released cells (each list of parts is complete)."""
    def key(destination: str = ALL_PAIRS, origin: str = ALL_PAIRS, phase: str = TOTAL, stage: str = TOTAL,
            age: str = TOTAL) -> Key:
        return Key(destination, origin, phase, stage, age)

    found = [
        disclosure.Equation(key(), tuple(key(d, o) for d, o in pairs)),
        disclosure.Equation(key(), tuple(key(phase=p) for p in PHASE_CODES)),
        disclosure.Equation(key(), tuple(key(age=a) for a in AGES)),
    ]
    for d, o in pairs:
        found.append(disclosure.Equation(key(d, o), tuple(key(d, o, p) for p in PHASE_CODES)))
    for age in AGES:
        found.append(disclosure.Equation(key(age=age), tuple(key(phase=p, age=age) for p in PHASE_CODES)))
    for phase in PHASES:
        p = phase.code
        stages = [s.value for s in phase.stages]
        found.append(disclosure.Equation(key(phase=p), tuple(key(d, o, p) for d, o in pairs)))
        found.append(disclosure.Equation(key(phase=p), tuple(key(phase=p, age=a) for a in AGES)))
        # (A phase of one stage equals its stage: the equation says so, or a cell hidden in one
        # place could be read in the other.)
        found.append(disclosure.Equation(key(phase=p), tuple(key(phase=p, stage=s) for s in stages)))
    return found


def applied_threshold() -> int:
    """Case-level data: k-anonymity, or the general threshold where it is higher (as in release)."""
    return max(k_anonymity(), suppression_threshold())


def protect(counts: Counter[Group], threshold: int) -> tuple[tuple[tuple[str, str], ...], dict[Key, ReleasedCell]]:
    """The released cells: the table after primary and secondary suppression.

    Zeros are published, always: they are left out of what ``disclosure.protect`` may hide (a
    part absent from an equation counts as zero, which is what the reader is told). Offered as
    complements, hidden zeros protect nothing yet are easily pinned again by the bounds, and
    every one pinned takes another cell with it."""
    cells = table(counts)
    pairs = tuple(sorted({(k.destination, k.origin) for k in cells if k.destination}))
    outcome = disclosure.protect({k: disclosure.Cell(n) for k, n in cells.items() if n}, equations(pairs),
                                 threshold=threshold)
    zero = disclosure.Outcome(0, False, 0, 0)
    released = {}
    for key in cells:
        out = outcome.get(key, zero)
        released[key] = ReleasedCell(
            destination=key.destination, origin=key.origin, phase=key.phase, stage=key.stage, age=key.age,
            value=out.value, suppressed=out.suppressed, lower_bound=out.lower, upper_bound=out.upper,
        )
    return pairs, released


def released_caseload() -> Caseload:
    """The caseload as anyone allowed to see it sees it (the same for everyone).

    The counts are read on every call; their control is kept in the cache under the counts
    themselves (it depends on nothing else), so an unchanged caseload is not controlled again
    (a table of many small cells takes ~0.2 s)."""
    threshold = applied_threshold()
    counts = case_counts()
    signature = hashlib.sha256(repr((threshold, sorted(counts.items()))).encode()).hexdigest()
    cache_key = f"statistics:caseload:{signature}"
    protected = cache.get(cache_key)
    if protected is None:
        protected = protect(counts, threshold)
        cache.set(cache_key, protected, CACHE_SECONDS)
    pairs, cells = protected
    return Caseload(threshold=threshold, computed_at=timezone.now(), pairs=pairs, cells=cells)


# --- The tables as the page shows them --------------------------------------------------------


@dataclass(frozen=True)
class Row:
    label: str
    cells: list[ReleasedCell | None]  # None: a cell the table does not have
    level: int = 0  # 1: a stage under its phase


def country_names(codes: Iterable[str]) -> dict[str, str]:
    from corett.directory.models import Country

    wanted = set(codes)
    names = {c.iso3: c.name for c in Country.objects.filter(iso3__in=wanted).only("iso3", "name_es", "name_en")}
    return {code: names.get(code, code) for code in wanted}


def pair_label(destination: str, origin: str, names: dict[str, str]) -> str:
    return f"{names[destination]} \N{RIGHTWARDS ARROW} {names[origin]}"


def by_pair_and_phase(caseload: Caseload, names: dict[str, str]) -> tuple[list[Row], Row]:
    """Rows: one per pair (its phases, then its total); and the totals row."""
    rows = [
        Row(pair_label(d, o, names), [*(caseload.cell(d, o, p) for p in PHASE_CODES), caseload.cell(d, o)])
        for d, o in caseload.pairs
    ]
    totals = Row(_("All pairs"), [*(caseload.cell(phase=p) for p in PHASE_CODES), caseload.total])
    return rows, totals


def by_phase_and_age(caseload: Caseload) -> tuple[list[Row], Row]:
    """Rows: each phase (children, adults, total), its stages beneath it where it has several
    (their total only: the stages are not crossed with the age)."""
    rows = []
    for phase in PHASES:
        p = phase.code
        rows.append(Row(str(phase.label), [caseload.cell(phase=p, age=a) for a in (*AGES, TOTAL)]))
        if len(phase.stages) > 1:
            for stage in phase.stages:
                rows.append(Row(str(stage.label), [None, None, caseload.cell(phase=p, stage=stage.value)], level=1))
    totals = Row(_("All phases"), [caseload.cell(age=a) for a in (*AGES, TOTAL)])
    return rows, totals


# --- CSV --------------------------------------------------------------------------------------


class CaseloadExporter(Exporter):
    """The released cells, one a line: the same cells as the page and the API."""

    name = "repatriation-caseload"
    title = gettext_lazy("Repatriation in progress")
    columns = (
        gettext_lazy("Destination (ISO alpha-3)"), gettext_lazy("Origin (ISO alpha-3)"), gettext_lazy("Phase"),
        gettext_lazy("Stage"), gettext_lazy("Child or adult"), gettext_lazy("Cases"), gettext_lazy("Suppressed"),
        gettext_lazy("Lower bound"), gettext_lazy("Upper bound"), gettext_lazy("As shown"),
    )

    def __init__(self, caseload: Caseload):
        self.caseload = caseload

    def rows(self) -> Iterable[Sequence[ExportCell]]:
        everything = _("all")
        for c in self.caseload.released():
            yield (c.destination or everything, c.origin or everything, c.phase, c.stage, c.age, c.value,
                   c.suppressed, c.lower_bound, c.upper_bound, c.display)

