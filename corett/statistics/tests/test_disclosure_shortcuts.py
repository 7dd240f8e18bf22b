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
        least, most = tables._sums(lo, hi)
        assert tables._propagate(lo, hi, least, most, queue[:]) == expected
        if expected is not False:
            assert (lo, hi) == (expected_lo, expected_hi)
        if expected is True:
            # The sums kept as bounds narrow are the sums worked out again.
            assert (least, most) == tables._sums(lo, hi)
        outcomes.add(expected)
    assert outcomes == {True, False, None}  # every outcome is compared


class _SearchSummingEachRow(disclosure._WholeTables):
    """disclosure._WholeTables' search before it kept each row's least and most sums: every row
    taken from the queue summed its cells again, and each node copied only the bounds."""

    def _search_summing(self, lo, hi, queue, hint):
        self._nodes += 1
        if self._nodes > self.NODES:
            self._complete = False
            return None
        state = _propagate_before(self, lo, hi, queue)  # propagation as it was at first
        if not state:
            if state is None:
                self._complete = False
            return None
        widths = [h - low for low, h in zip(lo, hi, strict=True)]
        open_widths = [width for width in widths if width]
        if not open_widths:
            return lo
        narrowest = min(open_widths)
        j = widths.index(narrowest)
        h = hint[j]
        if narrowest < 4:
            choices = [(v, v) for v in range(lo[j], hi[j] + 1)]
            if h is not None and lo[j] <= h <= hi[j]:
                choices.remove((h, h))
                choices.insert(0, (h, h))
        else:
            middle = (lo[j] + hi[j]) // 2
            choices = [(lo[j], middle), (middle + 1, hi[j])]
            if h is not None and h > middle:
                choices.reverse()
        for a, z in choices:
            trial_lo, trial_hi = lo[:], hi[:]
            trial_lo[j], trial_hi[j] = a, z
            found = self._search_summing(trial_lo, trial_hi, list(self.rows_of[j]), hint)
            if found is not None:
                return found
        return None

    def first(self, hint):
        self._nodes, self._complete = 0, True
        found = self._search_summing(list(self.low), list(self.high), list(range(self.m)), hint)
        return found, found is None and self._complete


def test_search_keeping_row_sums_finds_the_table_it_found_summing_each_row():
    """Random systems as the search meets them (±1 rows, narrow "<5" boxes and wide ones, true
    counts as hints or none): the same table or none, proved or not, after the same number of nodes
    (the budgets count as they did)."""
    rng = random.Random(20261205)
    kinds = set()
    for _ in range(3000):
        width = rng.randint(1, 12)
        truth = [rng.choice((0, 1, 2, 3, 4, rng.randint(0, 60))) for _ in range(width)]
        rows = []
        for _ in range(rng.randint(1, 9)):
            coefficients = {j: rng.choice((1, -1)) for j in rng.sample(range(width), rng.randint(1, min(width, 5)))}
            rhs = sum(c * truth[j] for j, c in coefficients.items()) + rng.choice((0, 0, 0, 1, -2))
            rows.append((coefficients, rhs))
        low = [max(0, x - rng.choice((0, 1, 3))) for x in truth]
        high = [x + rng.choice((0, 1, 3, 8, 200)) for x in truth]
        hint = [x if rng.random() < 0.7 else None for x in truth]
        tables = disclosure._WholeTables(rows, low, high)
        before = _SearchSummingEachRow(rows, low, high)
        expected = before.first(hint)
        assert tables.first(hint) == expected
        assert tables._nodes == before._nodes
        kinds.add((expected[0] is not None, expected[1], before._nodes > before.NODES))
    # A table found, none proved, none found within the budget: each is compared.
    assert {(True, False, False), (False, True, False), (False, False, True)} <= kinds


def _protect_building_every_equation(cells, equations, *, threshold):
    """disclosure.protect's equations before it kept those with every part present as given."""
    present = [disclosure.Equation(e.total, tuple(p for p in e.parts if p in cells))
               for e in equations if e.total in cells]
    return [e for e in present if e.parts and disclosure._holds(e, cells)]


class _RecordedProblem(disclosure._Problem):
    """disclosure._Problem that keeps the equations it was given (the last one built)."""

    given: list = []

    def __init__(self, cells, equations, threshold):
        _RecordedProblem.given = list(equations)
        super().__init__(cells, equations, threshold)


def test_protect_keeps_the_equations_it_built_before(monkeypatch):
    """protect's problem has the same equations (the same cells, in the same order) as when each
    was built anew; the outcome is pinned by the comparisons above."""
    monkeypatch.setattr(disclosure, "_Problem", _RecordedProblem)
    rng = random.Random(20261207)
    kept = 0
    for _ in range(1000):
        cells = _random_table(rng)
        equations = table_equations(cells)
        # An equation naming a cell the table does not have (dropped from its parts).
        equations.append(disclosure.Equation(("total", "total", "total", "", "", ""), (("absent",), *list(cells)[:2])))
        disclosure.protect(cells, equations, threshold=5)
        expected = _protect_building_every_equation(cells, equations, threshold=5)
        given = _RecordedProblem.given
        assert [(e.total, tuple(e.parts)) for e in given] == [(e.total, e.parts) for e in expected]
        kept += sum(any(e is f for f in equations) for e in given)
    assert kept > 1000  # most equations are kept as given: the comparison is of that path


def _move_reading_coefficients(tables, start, j, step):
    """disclosure._WholeTables.move before it read each cell's coefficients from ``entries``: each
    was looked up in its row's dictionary, and the direction worked out for every cell tried."""
    low, high, terms_of, rows_of, rows = tables.low, tables.high, tables.terms, tables.rows_of, tables.rows
    moved = {j: step}
    imbalance = [0] * tables.m
    for r in rows_of[j]:
        imbalance[r] += rows[r][0][j] * step
    touched = list(rows_of[j])
    nodes = 0

    def extend() -> bool:
        nonlocal nodes
        for r in touched:
            if imbalance[r]:
                break
        else:
            return True
        nodes += 1
        if nodes > tables.MOVE_NODES:
            return False
        for k, c in terms_of[r]:
            if k in moved:
                continue
            t = -c if imbalance[r] > 0 else c
            if not low[k] <= start[k] + t <= high[k]:
                continue
            moved[k] = t
            for q in rows_of[k]:
                imbalance[q] += rows[q][0][k] * t
            touched.extend(rows_of[k])
            if extend():
                return True
            del touched[len(touched) - len(rows_of[k]):]
            for q in rows_of[k]:
                imbalance[q] -= rows[q][0][k] * t
            del moved[k]
        return False

    if not extend():
        return None
    point = start[:]
    for k, t in moved.items():
        point[k] += t
    return point


def test_moves_reading_entries_are_the_moves_reading_each_row():
    """From whole tables of random ±1 systems, every move by one in each cell: the same table or
    none (including moves that run out of budget)."""
    rng = random.Random(20261208)
    outcomes = set()
    for _ in range(1500):
        width = rng.randint(2, 14)
        start = [rng.choice((0, 1, 2, 3, 4, rng.randint(0, 60))) for _ in range(width)]
        rows = []
        for _ in range(rng.randint(1, 10)):
            coefficients = {j: rng.choice((1, 1, -1)) for j in rng.sample(range(width), rng.randint(2, min(width, 5)))}
            rows.append((coefficients, sum(c * start[j] for j, c in coefficients.items())))
        low = [max(0, x - rng.choice((0, 1, 3))) for x in start]
        high = [x + rng.choice((0, 1, 3, 50)) for x in start]
        tables = disclosure._WholeTables(rows, low, high)
        if rng.random() < 0.2:
            tables.MOVE_NODES = rng.randint(1, 5)  # a budget small enough to run out
        for j in range(width):
            for step in (1, -1):
                expected = _move_reading_coefficients(tables, start, j, step)
                assert tables.move(start, j, step) == expected
                outcomes.add(expected is None)
    assert outcomes == {True, False}


def _initial_bounds_every_cell(problem) -> tuple[list[int], list[int]]:
    """disclosure._initial_bounds before it set the published values first and then the hidden
    cells: each cell in turn."""
    lower, upper = [], []
    for i, cell in enumerate(problem.cells):
        if i not in problem.hidden:
            lo = hi = cell.value or 0
        elif cell.value is None:
            lo, hi = (0 if i in problem.from_zero else cell.lower), cell.upper
        elif i in problem.primary:
            lo, hi = (0 if i in problem.from_zero else 1), problem.threshold - 1
        else:
            lo, hi = 0, disclosure.UNBOUNDED
        lower.append(lo)
        upper.append(hi)
    return lower, upper


def _rows_over_hidden_in_pairs(problem, column):
    """The rows disclosure._pinned built before disclosure._rows_over_hidden: each equation's
    cells as (cell, sign) pairs."""
    rows = []
    for (total, parts), terms in zip(problem.equations, problem.terms, strict=True):
        if problem.hidden.isdisjoint(terms):
            continue
        coefficients: dict[int, int] = {}
        constant = 0
        for term, sign in ((total, 1), *((part, -1) for part in parts)):
            if term in column:
                coefficients[column[term]] = coefficients.get(column[term], 0) + sign
            else:
                constant += sign * (problem.cells[term].value or 0)
        coefficients = {j: c for j, c in coefficients.items() if c}
        if coefficients:
            rows.append((coefficients, -constant))
    return rows


def test_initial_bounds_and_rows_are_as_each_cell_and_pair_gave_them():
    hidden_published = 0
    for problem in _problems(1500, seed=20261209):
        assert disclosure._initial_bounds(problem) == _initial_bounds_every_cell(problem)
        column = {cell: j for j, cell in enumerate(sorted(problem.hidden))}
        rows = disclosure._rows_over_hidden(problem, column)
        expected = _rows_over_hidden_in_pairs(problem, column)
        # The same rows, each with its coefficients in the same order (the search reads them so).
        assert [(list(c.items()), rhs) for c, rhs in rows] == [(list(c.items()), rhs) for c, rhs in expected]
        hidden_published += any(c.value is not None for i, c in enumerate(problem.cells) if i in problem.hidden)
    assert hidden_published > 1000  # hidden cells with a value (primary and secondary) are compared


def test_rows_with_a_cell_twice_in_an_equation():
    """A cell that is an equation's total and one of its parts cancels out of its row, as before."""
    rng = random.Random(20261210)
    for _ in range(500):
        width = rng.randint(1, 10)
        problem = disclosure._Problem({i: disclosure.Cell(rng.randint(0, 9)) for i in range(width)}, [], 5)
        problem.equations = [
            (rng.randrange(width), tuple(rng.randrange(width) for _ in range(rng.randint(1, 5))))
            for _ in range(rng.randint(1, 8))
        ]
        problem.terms = [frozenset((total, *parts)) for total, parts in problem.equations]
        problem.hidden = {i for i in range(width) if rng.random() < 0.6}
        column = {cell: j for j, cell in enumerate(sorted(problem.hidden))}
        rows = disclosure._rows_over_hidden(problem, column)
        expected = _rows_over_hidden_in_pairs(problem, column)
        assert [(list(c.items()), rhs) for c, rhs in rows] == [(list(c.items()), rhs) for c, rhs in expected]
