"""Shortcuts in disclosure control give exactly what the full computation gives.

Each test keeps the full computation as it was written before its shortcut and compares both on
generated tables (seeded: the same tables on every run) with many patterns of hidden cells.
"""

from __future__ import annotations

import math
import random

from corett.statistics import disclosure
from corett.statistics.release import table_equations

SEXES = ("female", "male", "other", "unknown")
AGES = ("0-17", "18+", "unknown")
FORMS = ("sexual_exploitation", "forced_labour", "other")


def _random_table(rng: random.Random) -> dict:
    """A sex by age (by form) table with its totals, some cells absent, some "<5" as the source
    gives them, some counts that do not add up, sometimes a breakdown by citizenship."""
    sexes = rng.sample(SEXES, rng.randint(1, 3))
    ages = rng.sample(AGES, rng.randint(1, 3))
    forms = rng.sample(FORMS, rng.randint(1, 3)) if rng.random() < 0.5 else ["total"]
    biggest = rng.choice([3, 6, 12, 40, 2000])
    sums: dict[tuple[str, str, str], int] = {}
    for sex in sexes:
        for age in ages:
            for form in forms:
                count = rng.choice([0, 0, 1, 2, 3, 4, rng.randint(0, biggest), rng.randint(0, biggest)])
                for s in (sex, "total"):
                    for a in (age, "total"):
                        for f in {form, "total"}:
                            sums[(s, a, f)] = sums.get((s, a, f), 0) + count
    cells = {}
    for (sex, age, form), count in sums.items():
        if rng.random() < 0.2 and (sex, age, form) != ("total", "total", "total"):
            continue
        if rng.random() < 0.05:
            count += rng.randint(1, 9)  # a published total its parts contradict
        if 0 < count < 5 and rng.random() < 0.6:
            cells[(sex, age, form, "", "", "")] = disclosure.Cell(None, 1, 4)
        else:
            cells[(sex, age, form, "", "", "")] = disclosure.Cell(count)
    if rng.random() < 0.3:
        left = sums[("total", "total", "total")]
        for code in ("AAA", "BBB", "CCC"):
            part = rng.randint(0, left)
            cells[("total", "total", "total", code, "", "")] = disclosure.Cell(part)
            left -= part
    return cells


def _problems(count: int, seed: int):
    """Problems as protect builds them, with the primary cells hidden and then more: random
    secondary cells and cells published from zero, as _add_complements makes them round by round."""
    rng = random.Random(seed)
    for _ in range(count):
        cells = _random_table(rng)
        threshold = rng.choice([5, 5, 10])
        equations = [disclosure.Equation(e.total, tuple(p for p in e.parts if p in cells))
                     for e in table_equations(cells) if e.total in cells]
        equations = [e for e in equations if e.parts and disclosure._holds(e, cells)]
        problem = disclosure._Problem(cells, equations, threshold)
        for i, cell in enumerate(problem.cells):
            if not cell.exact or 0 < (cell.value or 0) < threshold:
                problem.hidden.add(i)
                problem.primary.add(i)
        for i in range(len(problem.cells)):
            if rng.random() < 0.2:
                problem.hidden.add(i)
        problem.from_zero = {i for i in problem.hidden if rng.random() < 0.2}
        yield problem


def _infer_bounds_every_equation_every_round(problem) -> tuple[list[int], list[int]]:
    """disclosure._infer_bounds before it skipped the equations none of whose cells changed."""
    lower, upper = disclosure._initial_bounds(problem)
    hidden = problem.hidden
    active = [(total, parts) for (total, parts), terms in zip(problem.equations, problem.terms, strict=True)
              if not hidden.isdisjoint(terms)]
    unbounded = disclosure.UNBOUNDED
    for _round in range(100):
        changed = False
        for total, parts in active:
            part_lo = part_hi = 0
            for p in parts:
                part_lo += lower[p]
                part_hi += min(upper[p], unbounded)
            t_lo, t_hi = lower[total], upper[total]
            new_lo, new_hi = max(t_lo, part_lo), min(t_hi, part_hi)
            if (new_lo != t_lo or new_hi != t_hi) and new_lo <= new_hi:
                lower[total], upper[total] = t_lo, t_hi = new_lo, new_hi
                changed = True
            for part in parts:
                lo, hi = lower[part], upper[part]
                others_lo = part_lo - lo
                others_hi = part_hi - min(hi, unbounded)
                new_lo = max(lo, t_lo - others_hi) if others_hi < unbounded else lo
                new_hi = min(hi, t_hi - others_lo) if t_hi < unbounded else hi
                if (new_lo != lo or new_hi != hi) and new_lo <= new_hi:
                    lower[part], upper[part] = new_lo, new_hi
                    part_lo += new_lo - lo
                    part_hi += min(new_hi, unbounded) - min(hi, unbounded)
                    changed = True
        if not changed:
            break
    return lower, upper


def test_bounds_skipping_unchanged_equations_are_the_bounds_of_every_equation_every_round():
    narrowed = 0
    for problem in _problems(1500, seed=20261201):
        expected = _infer_bounds_every_equation_every_round(problem)
        assert disclosure._infer_bounds(problem) == expected
        narrowed += expected != disclosure._initial_bounds(problem)
    assert narrowed > 500  # most problems propagate something: the comparison is not vacuous


def _linearly_determined_dense(problem) -> set[int]:
    """disclosure._linearly_determined before its elimination kept rows sparse: the dense reduced
    row echelon form of every equation over the hidden cells."""
    unknowns = sorted(problem.hidden)
    if not unknowns:
        return set()
    column = {cell: i for i, cell in enumerate(unknowns)}
    rows = []
    for total, parts in problem.equations:
        row = [0] * len(unknowns)
        if total in column:
            row[column[total]] += 1
        for part in parts:
            if part in column:
                row[column[part]] -= 1
        if any(row):
            rows.append(row)
    matrix, pivot_row = rows, 0
    for col in range(len(unknowns)):
        pivot = next((r for r in range(pivot_row, len(matrix)) if matrix[r][col]), None)
        if pivot is None:
            continue
        matrix[pivot_row], matrix[pivot] = matrix[pivot], matrix[pivot_row]
        lead_row = matrix[pivot_row]
        for r in range(len(matrix)):
            factor = matrix[r][col]
            if r != pivot_row and factor:
                combined = [a * lead_row[col] - factor * b for a, b in zip(matrix[r], lead_row, strict=True)]
                divisor = math.gcd(*combined)
                matrix[r] = [x // divisor for x in combined] if divisor > 1 else combined
        pivot_row += 1
        if pivot_row == len(matrix):
            break
    determined = set()
    for row in matrix[:pivot_row]:
        nonzero = [i for i, x in enumerate(row) if x]
        if len(nonzero) == 1:
            determined.add(unknowns[nonzero[0]])
    return determined


def test_sparse_elimination_determines_the_cells_dense_elimination_determines():
    found = 0
    for problem in _problems(1500, seed=20261202):
        expected = _linearly_determined_dense(problem)
        assert disclosure._linearly_determined(problem) == expected
        found += bool(expected)
    assert found > 300  # many problems have determined cells: the comparison is not vacuous


def test_sparse_elimination_on_equations_that_share_cells_in_every_way():
    """Random ±1 systems denser than any table (a cell in many equations, repeated cells that
    cancel), where elimination fills rows in: still the dense answer."""
    rng = random.Random(20261203)
    for _ in range(500):
        width = rng.randint(1, 12)
        problem = disclosure._Problem({i: disclosure.Cell(0) for i in range(width)}, [], 5)
        problem.equations = [
            (rng.randrange(width), tuple(rng.randrange(width) for _ in range(rng.randint(1, 5))))
            for _ in range(rng.randint(1, 10))
        ]
        problem.hidden = {i for i in range(width) if rng.random() < 0.7}
        assert disclosure._linearly_determined(problem) == _linearly_determined_dense(problem)


def _propagate_before(tables, lo, hi, queue):
    """disclosure._WholeTables._propagate before it skipped the cells its row cannot narrow."""
    pending = set(queue)
    steps = 0
    while queue:
        steps += 1
        if steps > tables.budget:
            return None
        r = queue.pop()
        pending.discard(r)
        rhs = tables.rhs[r]
        least = most = 0
        for j, c in tables.terms[r]:
            if c > 0:
                least += lo[j]
                most += hi[j]
            else:
                least -= hi[j]
                most -= lo[j]
        if least > rhs or most < rhs:
            return False
        if least == most:
            continue
        for j, c in tables.terms[r]:
            old_lo, old_hi = lo[j], hi[j]
            if c > 0:
                new_lo, new_hi = rhs - most + old_hi, rhs - least + old_lo
            else:
                new_lo, new_hi = least + old_hi - rhs, most + old_lo - rhs
            if new_lo > old_lo or new_hi < old_hi:
                lo[j], hi[j] = max(old_lo, new_lo), min(old_hi, new_hi)
                if lo[j] > hi[j]:
                    return False
                for other in tables.rows_of[j]:
                    if other not in pending:
                        pending.add(other)
                        queue.append(other)
    return True


def test_propagation_narrows_as_it_did_before_it_skipped_cells():
    """Random systems of ±1 rows and boxes (the search's, and narrower ones as its choices make
    them): the same outcome, the same bounds when it holds or runs out of budget."""
    rng = random.Random(20261204)
    outcomes = set()
    for _ in range(3000):
        width = rng.randint(1, 10)
        rows = []
        for _ in range(rng.randint(1, 8)):
            coefficients = {j: rng.choice((1, -1)) for j in rng.sample(range(width), rng.randint(1, min(width, 5)))}
            rows.append((coefficients, rng.randint(-10, 20)))
        low = [rng.randint(0, 4) for _ in range(width)]
        high = [lo + rng.choice((0, 1, 3, 8, 60)) for lo in low]
        tables = disclosure._WholeTables(rows, low, high)
        queue = list(range(len(rows))) if rng.random() < 0.5 else rng.sample(range(len(rows)), 1)
        lo, hi = low[:], high[:]
        expected_lo, expected_hi = low[:], high[:]
        expected = _propagate_before(tables, expected_lo, expected_hi, queue[:])
        assert tables._propagate(lo, hi, queue[:]) == expected
        if expected is not False:
            assert (lo, hi) == (expected_lo, expected_hi)
        outcomes.add(expected)
    assert outcomes == {True, False, None}  # every outcome is compared
