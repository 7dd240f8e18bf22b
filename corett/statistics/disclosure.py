"""Disclosure control: primary and secondary suppression of one table of counts.

A *table* is every cell of one country, indicator, period and source: the total and its
breakdowns by sex, age, form of exploitation and citizenship. Cells are tied by additive
equations (the parts add up to their total). Publishing some cells and suppressing others is
safe only if no suppressed cell can be worked out from what is published:

- *primary* suppression hides every count from 1 to ``threshold - 1`` (UNODC's "<5"; for
  case-level sources the threshold is k of k-anonymity, so no published combination counts fewer
  than k cases). Zero is published: it identifies no one.
- *secondary* suppression then hides further cells until no suppressed cell is determined, neither
  exactly by the equations (linear algebra over the rationals: a cell is determined when its unit
  vector lies in the row space of the equations restricted to the unknown cells) nor by the bounds
  an attacker can propagate (every count is at least 0 and a primary cell at most
  ``threshold - 1``).

The pattern depends only on the table, never on who asks or which slice is asked for, so no
combination of queries reveals more than one query does. The published bounds of each suppressed
cell are the interval an attacker could infer anyway.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

Key = Hashable

# A bound no count reaches: the upper bound of a cell nothing limits.
UNBOUNDED = 10**12


@dataclass
class Cell:
    """One count as the source gives it: exact (``value``) or already suppressed with bounds."""

    value: int | None
    lower: int = 0
    upper: int = UNBOUNDED

    @property
    def exact(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class Equation:
    """``total`` = the sum of ``parts``. A part absent from the table counts as zero: a reader who
    sees only "female" and "male" assumes nobody else, so protection must assume it too."""

    total: Key
    parts: tuple[Key, ...]


@dataclass
class Outcome:
    """Per published cell: ``value`` (None if suppressed) and the bounds anyone can infer."""

    value: int | None
    suppressed: bool
    lower: int
    upper: int | None  # None: no upper bound can be stated
    primary: bool = False


@dataclass
class _Problem:
    cells: Mapping[Key, Cell]
    equations: Sequence[Equation]
    threshold: int
    hidden: set[Key] = field(default_factory=set)  # suppressed cells (primary and secondary)
    primary: set[Key] = field(default_factory=set)
    # Hidden cells published as "from 0" rather than "from 1": when every cell of a table is
    # small, "each at least 1" can pin them all (four cells of 1 under a total below 5).
    from_zero: set[Key] = field(default_factory=set)


def protect(cells: Mapping[Any, Cell], equations: Iterable[Equation], *, threshold: int) -> dict[Any, Outcome]:
    """Suppress the cells of one table so that none under ``threshold`` can be recovered."""
    present = [Equation(e.total, tuple(p for p in e.parts if p in cells)) for e in equations if e.total in cells]
    # Published sources are not always additive (a GLOTIP total below the sum of its breakdown is
    # a finding, not an error): an equation the true figures break would make the inferred bounds
    # exclude the true value, so it is left out of what a reader is assumed to combine.
    problem = _Problem(cells, [e for e in present if e.parts and _holds(e, cells)], threshold)
    for key, cell in cells.items():
        if not cell.exact or 0 < (cell.value or 0) < threshold:
            problem.hidden.add(key)
            problem.primary.add(key)
    bounds = _add_complements(problem) if problem.hidden else {}
    outcome: dict[Key, Outcome] = {}
    for key, cell in cells.items():
        if key in problem.hidden:
            lower, upper = bounds[key]
            # What is published is never false: the bounds hold the true count.
            true_lo, true_hi = (cell.value, cell.value) if cell.exact else (cell.lower, cell.upper)
            lower, upper = min(lower, true_lo or 0), max(upper, true_hi or 0)
            outcome[key] = Outcome(None, True, lower, None if upper >= UNBOUNDED else upper, key in problem.primary)
        else:
            outcome[key] = Outcome(cell.value, False, cell.value or 0, cell.value)
    return outcome


def _holds(equation: Equation, cells: Mapping[Any, Cell]) -> bool:
    """Whether the true figures can satisfy ``total = sum(parts)``."""
    def span(key: Any) -> tuple[int, int]:
        cell = cells[key]
        return (cell.value, cell.value) if cell.exact else (cell.lower, cell.upper)  # type: ignore[return-value]

    t_lo, t_hi = span(equation.total)
    parts = [span(p) for p in equation.parts]
    return sum(lo for lo, _ in parts) <= t_hi and t_lo <= sum(min(hi, UNBOUNDED) for _, hi in parts)


def _add_complements(problem: _Problem) -> dict[Key, tuple[int, int]]:
    """Hide more cells until no hidden cell is determined (each round hides one complement per
    exposed cell, unless a complement already hidden this round shares an equation with it).
    Returns the bounds an attacker can infer for the final pattern."""
    while True:
        bounds = _infer_bounds(problem)
        exposed = sorted(
            {k for k in problem.hidden if bounds[k][0] == bounds[k][1]} | _linearly_determined(problem), key=repr
        )
        if not exposed:
            return bounds
        added: set[Key] = set()
        for key in exposed:
            if any(key in (eq.total, *eq.parts) and added & {eq.total, *eq.parts} for eq in problem.equations):
                continue
            complement = _complement_for(problem, key)
            if complement is not None:
                problem.hidden.add(complement)
                added.add(complement)
        if not added:
            # Nothing left to hide: widen what is said about the small cells instead.
            widened = {
                term for key in exposed for eq in problem.equations if key in (eq.total, *eq.parts)
                for term in (eq.total, *eq.parts) if term in problem.hidden and term not in problem.from_zero
            }
            if not widened:
                return bounds
            problem.from_zero |= widened


def _initial_bounds(problem: _Problem) -> dict[Key, tuple[int, int]]:
    bounds: dict[Key, tuple[int, int]] = {}
    for key, cell in problem.cells.items():
        if key not in problem.hidden:
            bounds[key] = (cell.value or 0, cell.value or 0)
        elif not cell.exact:
            bounds[key] = (0 if key in problem.from_zero else cell.lower, cell.upper)
        elif key in problem.primary:
            bounds[key] = (0 if key in problem.from_zero else 1, problem.threshold - 1)
        else:
            bounds[key] = (0, UNBOUNDED)
    for equation in problem.equations:
        for part in equation.parts:
            bounds.setdefault(part, (0, UNBOUNDED))
    return bounds


def _infer_bounds(problem: _Problem) -> dict[Key, tuple[int, int]]:
    """Propagate the equations over the bounds until nothing narrows (what an attacker can infer)."""
    bounds = _initial_bounds(problem)
    # Equations whose cells are all published narrow nothing.
    active = [(eq.total, eq.parts) for eq in problem.equations
              if eq.total in problem.hidden or any(p in problem.hidden for p in eq.parts)]
    for _round in range(100):
        changed = False
        for total, parts in active:
            part_lo = sum(bounds[p][0] for p in parts)
            part_hi = sum(min(bounds[p][1], UNBOUNDED) for p in parts)
            t_lo, t_hi = bounds[total]
            new = (max(t_lo, part_lo), min(t_hi, part_hi))
            if new != (t_lo, t_hi) and new[0] <= new[1]:
                bounds[total] = new
                t_lo, t_hi = new
                changed = True
            for part in parts:
                lo, hi = bounds[part]
                others_lo = part_lo - lo
                others_hi = part_hi - min(hi, UNBOUNDED)
                new_lo = max(lo, t_lo - others_hi) if others_hi < UNBOUNDED else lo
                new_hi = min(hi, t_hi - others_lo) if t_hi < UNBOUNDED else hi
                if (new_lo, new_hi) != (lo, hi) and new_lo <= new_hi:
                    bounds[part] = (new_lo, new_hi)
                    part_lo += new_lo - lo
                    part_hi += min(new_hi, UNBOUNDED) - min(hi, UNBOUNDED)
                    changed = True
        if not changed:
            break
    return bounds


def _unknowns(problem: _Problem) -> list[Key]:
    keys = set(problem.hidden)
    for eq in problem.equations:
        keys.update(p for p in eq.parts if p not in problem.cells)
    return sorted(keys, key=repr)


def _linearly_determined(problem: _Problem) -> set[Key]:
    """The hidden cells whose unit vector lies in the row space of the equations over the unknowns.

    Exact integer (fraction-free) elimination: in reduced row echelon form, a unit vector lies in
    the row space exactly when some row has a single non-zero entry.
    """
    unknowns = _unknowns(problem)
    if not unknowns:
        return set()
    column = {key: i for i, key in enumerate(unknowns)}
    rows: list[list[int]] = []
    for eq in problem.equations:
        row = [0] * len(unknowns)
        if eq.total in column:
            row[column[eq.total]] += 1
        for part in eq.parts:
            if part in column:
                row[column[part]] -= 1
        if any(row):
            rows.append(row)
    determined = set()
    for row in _rref(rows):
        nonzero = [i for i, x in enumerate(row) if x]
        if len(nonzero) == 1 and unknowns[nonzero[0]] in problem.hidden:
            determined.add(unknowns[nonzero[0]])
    return determined


def _rref(rows: list[list[int]]) -> list[list[int]]:
    """Reduced row echelon form over the integers (rows scaled, never divided into fractions)."""
    matrix = [r[:] for r in rows]
    if not matrix:
        return []
    width = len(matrix[0])
    pivot_row = 0
    for col in range(width):
        pivot = next((r for r in range(pivot_row, len(matrix)) if matrix[r][col]), None)
        if pivot is None:
            continue
        matrix[pivot_row], matrix[pivot] = matrix[pivot], matrix[pivot_row]
        lead_row = matrix[pivot_row]
        lead = lead_row[col]
        for r in range(len(matrix)):
            factor = matrix[r][col]
            if r != pivot_row and factor:
                combined = [a * lead - factor * b for a, b in zip(matrix[r], lead_row, strict=True)]
                divisor = math.gcd(*combined)
                matrix[r] = [x // divisor for x in combined] if divisor > 1 else combined
        pivot_row += 1
        if pivot_row == len(matrix):
            break
    return matrix[:pivot_row]


def _complement_for(problem: _Problem, exposed: Key) -> Key | None:
    """The published cell to hide beside ``exposed``: the smallest count in an equation with it,
    preferring parts over totals (a total is the figure people read first)."""
    candidates: list[tuple[int, int, str, Key]] = []
    for eq in problem.equations:
        terms = (eq.total, *eq.parts)
        if exposed not in terms:
            continue
        for term in terms:
            if term in problem.cells and term not in problem.hidden:
                value = problem.cells[term].value or 0
                candidates.append((value == 0, term == eq.total, f"{value:012d}{term!r}", term))
    if not candidates:
        # Exposed only through a chain of equations: hide the smallest published cell of any
        # equation that involves a hidden cell.
        for eq in problem.equations:
            terms = (eq.total, *eq.parts)
            if not any(t in problem.hidden for t in terms):
                continue
            for term in terms:
                if term in problem.cells and term not in problem.hidden:
                    value = problem.cells[term].value or 0
                    candidates.append((value == 0, term == eq.total, f"{value:012d}{term!r}", term))
    if not candidates:
        return None
    return min(candidates)[3]
