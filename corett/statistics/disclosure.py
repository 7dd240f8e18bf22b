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
import operator
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
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


class _Problem:
    """One table in the algorithm's own terms: the cells numbered in the order of their ``repr``
    (the order every tie is broken in, so the outcome never depends on dictionary order), the
    bounds as two lists, each equation as (total, parts) of numbers."""

    def __init__(self, cells: Mapping[Key, Cell], equations: Sequence[Equation], threshold: int):
        self.keys: list[Key] = sorted(cells, key=repr)
        number = {key: i for i, key in enumerate(self.keys)}
        self.number: dict[Key, int] = number
        self.cells: list[Cell] = [cells[key] for key in self.keys]
        self.equations: list[tuple[int, tuple[int, ...]]] = [
            (number[e.total], tuple(number[p] for p in e.parts)) for e in equations
        ]
        self.terms: list[frozenset[int]] = [frozenset((total, *parts)) for total, parts in self.equations]
        # For each cell, the equations it appears in (in their order).
        self.involving: list[list[int]] = [[] for _ in self.keys]
        for position, terms in enumerate(self.terms):
            for term in terms:
                self.involving[term].append(position)
        self.threshold = threshold
        self.hidden: set[int] = set()  # suppressed cells (primary and secondary)
        self.primary: set[int] = set()
        # Hidden cells published as "from 0" rather than "from 1": when every cell of a table is
        # small, "each at least 1" can pin them all (four cells of 1 under a total below 5).
        self.from_zero: set[int] = set()


def protect(cells: Mapping[Any, Cell], equations: Iterable[Equation], *, threshold: int) -> dict[Any, Outcome]:
    """Suppress the cells of one table so that none under ``threshold`` can be recovered."""
    # A part absent from the table counts as zero: it is left out of its equation (an equation
    # with every part present is kept as it is: an equal one would be built).
    present: list[Equation] = []
    for e in equations:
        if e.total in cells:
            parts = tuple([p for p in e.parts if p in cells])
            present.append(e if len(parts) == len(e.parts) else Equation(e.total, parts))
    # Published sources are not always additive (a GLOTIP total below the sum of its breakdown is
    # a finding, not an error): an equation the true figures break would make the inferred bounds
    # exclude the true value, so it is left out of what a reader is assumed to combine.
    problem = _Problem(cells, [e for e in present if e.parts and _holds(e, cells)], threshold)
    hidden, primary = problem.hidden, problem.primary
    for i, cell in enumerate(problem.cells):
        if cell.value is None or 0 < cell.value < threshold:
            hidden.add(i)
            primary.add(i)
    lower, upper = _add_complements(problem) if hidden else ([], [])
    outcome: dict[Key, Outcome] = {}
    number = problem.number
    for key, cell in cells.items():
        i = number[key]
        if i in hidden:
            # What is published is never false: the bounds hold the true count.
            true_lo, true_hi = (cell.value, cell.value) if cell.exact else (cell.lower, cell.upper)
            low, high = min(lower[i], true_lo or 0), max(upper[i], true_hi or 0)
            outcome[key] = Outcome(None, True, low, None if high >= UNBOUNDED else high, i in primary)
        else:
            outcome[key] = Outcome(cell.value, False, cell.value or 0, cell.value)
    return outcome


def _holds(equation: Equation, cells: Mapping[Any, Cell]) -> bool:
    """Whether the true figures can satisfy ``total = sum(parts)``."""
    total = cells[equation.total]
    t_lo, t_hi = (total.lower, total.upper) if total.value is None else (total.value, total.value)
    parts_lo = parts_hi = 0
    for key in equation.parts:
        part = cells[key]
        if part.value is None:
            parts_lo += part.lower
            parts_hi += min(part.upper, UNBOUNDED)
        else:
            parts_lo += part.value
            parts_hi += min(part.value, UNBOUNDED)
    return parts_lo <= t_hi and t_lo <= parts_hi


def _add_complements(problem: _Problem) -> tuple[list[int], list[int]]:
    """Hide more cells until no hidden cell is determined (each round hides one complement per
    exposed cell, unless a complement already hidden this round shares an equation with it).
    Returns the bounds an attacker can infer for the final pattern (lower and upper, per cell)."""
    # What the equations alone determine depends on the hidden cells only, not on the bounds: a
    # round that hides nothing (it widens bounds) leaves it as it was, and it is not worked out again.
    determined: set[int] = set()
    determined_among = -1  # how many cells were hidden when it was worked out (hiding only adds)
    while True:
        lower, upper = _infer_bounds(problem)
        if len(problem.hidden) != determined_among:
            determined, determined_among = _linearly_determined(problem), len(problem.hidden)
        exposed = sorted({i for i in problem.hidden if lower[i] == upper[i]} | determined)
        if not exposed:
            # Neither one equation at a time nor the equations alone pin a cell; together with the
            # bounds they still can (two "<5" cells whose sum works out to 8 are both 4): only two
            # whole tables that fit what is published, and differ in the cell, show it is not.
            exposed = sorted(_pinned(problem))
        if not exposed:
            return lower, upper
        added: set[int] = set()
        for i in exposed:
            if added and any(added & problem.terms[e] for e in problem.involving[i]):
                continue
            complement = _complement_for(problem, i)
            if complement is not None:
                problem.hidden.add(complement)
                added.add(complement)
        if not added:
            # Nothing left to hide: widen what is said about the small cells instead.
            widened = {
                term for i in exposed for e in problem.involving[i] for term in problem.terms[e]
                if term in problem.hidden and term not in problem.from_zero
            }
            if not widened:
                return lower, upper
            problem.from_zero |= widened


def _initial_bounds(problem: _Problem) -> tuple[list[int], list[int]]:
    # Every cell at its published value first, then the hidden ones (most often fewer) at the
    # bounds a reader knows for them.
    cells, from_zero, primary = problem.cells, problem.from_zero, problem.primary
    lower = [cell.value or 0 for cell in cells]
    upper = lower[:]
    small = problem.threshold - 1
    for i in problem.hidden:
        cell = cells[i]
        if cell.value is None:
            lower[i], upper[i] = (0 if i in from_zero else cell.lower), cell.upper
        elif i in primary:
            lower[i], upper[i] = (0 if i in from_zero else 1), small
        else:
            lower[i], upper[i] = 0, UNBOUNDED
    return lower, upper


def _infer_bounds(problem: _Problem) -> tuple[list[int], list[int]]:
    """Propagate the equations over the bounds until nothing narrows (what an attacker can infer)."""
    lower, upper = _initial_bounds(problem)
    hidden = problem.hidden
    # Equations whose cells are all published narrow nothing.
    active = [(position, total, parts)
              for position, ((total, parts), terms) in enumerate(zip(problem.equations, problem.terms, strict=True))
              if not hidden.isdisjoint(terms)]
    # An equation none of whose cells has changed since it last narrowed nothing would narrow
    # nothing again (it reads only its cells' bounds): it is skipped. The equations that do narrow
    # are the same, in the same order, round by round, so the bounds are the same. Equations are
    # marked by their number in the problem, so the problem's own ``involving`` serves (marking
    # an equation that is not active changes nothing: it is never read).
    involving = problem.involving
    stale = [True] * len(problem.equations)
    for _round in range(100):
        changed = False
        for position, total, parts in active:
            if not stale[position]:
                continue
            stale[position] = False
            # (Comparisons rather than min and max: this loop is most of the time of a round.)
            part_lo = part_hi = 0
            for p in parts:
                part_lo += lower[p]
                hi = upper[p]
                part_hi += hi if hi < UNBOUNDED else UNBOUNDED
            t_lo, t_hi = lower[total], upper[total]
            new_lo = part_lo if part_lo > t_lo else t_lo
            new_hi = part_hi if part_hi < t_hi else t_hi
            if (new_lo != t_lo or new_hi != t_hi) and new_lo <= new_hi:
                lower[total], upper[total] = t_lo, t_hi = new_lo, new_hi
                changed = True
                for other in involving[total]:
                    stale[other] = True
            for part in parts:
                lo, hi = lower[part], upper[part]
                counted_hi = hi if hi < UNBOUNDED else UNBOUNDED
                new_lo, new_hi = lo, hi
                others_hi = part_hi - counted_hi
                if others_hi < UNBOUNDED and t_lo - others_hi > lo:
                    new_lo = t_lo - others_hi
                if t_hi < UNBOUNDED and t_hi - (part_lo - lo) < hi:
                    new_hi = t_hi - (part_lo - lo)
                if (new_lo != lo or new_hi != hi) and new_lo <= new_hi:
                    lower[part], upper[part] = new_lo, new_hi
                    part_lo += new_lo - lo
                    part_hi += (new_hi if new_hi < UNBOUNDED else UNBOUNDED) - counted_hi
                    changed = True
                    for other in involving[part]:
                        stale[other] = True
        if not changed:
            break
    return lower, upper


def _pinned(problem: _Problem) -> list[int]:
    """The hidden cells that take one value in every table of whole counts an attacker can
    assemble from what is published (the bounds of every cell and the equations).

    A cell is shown free by two such tables that differ in it, and a table counts only once
    checked exactly: whole counts, every bound, every equation. The true table is one (when the
    source gives every hidden count). The others are first sought directly (:class:`_WholeTables`:
    one table, then for each cell not yet shown free a change by one in a few cells that keeps
    every equation, like the corners of a rectangle), which frees most cells of most tables; what
    that leaves is sought by linear programming, maximising and minimising each cell not yet shown
    free. A cell no check frees is treated as pinned and protected further, so neither search can
    ever hide less than the tables show, only more. For a table of two breakdowns (sex by age) the
    linear programming is exact (the equations form a network: the extreme tables are whole), so
    the pattern is the one it alone would give; with a third, a fractional extreme can make it hide
    a cell more than needed, and a cell the direct search frees there is free (it found the two
    tables), so the pattern can differ from linear programming's alone by cells it need not hide.
    """
    hidden = sorted(problem.hidden)
    column = {cell: j for j, cell in enumerate(hidden)}
    low = [0] * len(hidden)
    high: list[int | None] = [None] * len(hidden)
    initial_lower, initial_upper = _initial_bounds(problem)
    for j, cell in enumerate(hidden):
        low[j] = initial_lower[cell]
        high[j] = None if initial_upper[cell] >= UNBOUNDED else initial_upper[cell]
    rows = _rows_over_hidden(problem, column)
    if _separate(rows, len(hidden)) and all(
        problem.cells[cell].exact or problem.cells[cell].upper < UNBOUNDED for cell in hidden
    ):
        return []

    row_terms = [(tuple(coefficients.items()), rhs) for coefficients, rhs in rows]

    def fits(point: list[int]) -> bool:
        for x, lo, hi in zip(point, low, high, strict=True):
            if x < lo or (hi is not None and x > hi):
                return False
        for terms, rhs in row_terms:
            total = 0
            for j, c in terms:
                total += c * point[j]
            if total != rhs:
                return False
        return True

    seen: list[set[int]] = [set() for _ in hidden]
    # The cells with fewer than two values seen: only they are looked at when a table is recorded.
    open_cells = list(range(len(hidden)))

    def record(point: list[int]) -> None:
        # Two values free a cell: a third changes nothing.
        still_open = []
        for j in open_cells:
            values = seen[j]
            values.add(point[j])
            if len(values) < 2:
                still_open.append(j)
        open_cells[:] = still_open

    if all(problem.cells[cell].exact for cell in hidden):
        record([problem.cells[cell].value or 0 for cell in hidden])
    # The search looks only below a cap no count of the table reaches (twice everything given):
    # a table it finds there is still a table an attacker could assemble, and no bound is infinite.
    cap = 2 * sum(c.value or c.upper % UNBOUNDED for c in problem.cells) + problem.threshold + 1
    capped = [cap if hi is None else hi for hi in high]
    # Most cells are shown free without the simplex (GLOTIP: 1,258 of 1,426 tables need none).
    tables = _WholeTables(rows, low, capped)
    if tables.usable:
        true_counts = [problem.cells[cell].value if problem.cells[cell].exact else None for cell in hidden]
        if not tables.free(true_counts, record, fits, seen):
            return hidden  # proved: no whole table fits at all (the simplex would find none either)
    undecided = [j for j in range(len(hidden)) if len(seen[j]) < 2]
    if undecided:
        program = _Simplex(rows, low, capped)
        # First all the cells not yet shown free at once (one table often frees most), then each.
        for wanted in (undecided, *([j] for j in undecided)):
            targets = [j for j in wanted if len(seen[j]) < 2]
            for sense in (1, -1):
                if not targets:
                    break
                point = program.optimum(targets, sense)
                if point is not None and fits(point):
                    record(point)
                    targets = [j for j in targets if len(seen[j]) < 2]
    return [cell for j, cell in enumerate(hidden) if len(seen[j]) < 2]


def _rows_over_hidden(problem: _Problem, column: dict[int, int]) -> list[tuple[dict[int, int], int]]:
    """Each equation with a hidden cell as a row over the hidden cells (numbered by ``column``):
    its coefficients (the total's 1 and each part's -1, added up; zeros left out; in the order of
    the equation's cells) and its right-hand side (the published parts' sum less the published
    total)."""
    cells, hidden = problem.cells, problem.hidden
    rows: list[tuple[dict[int, int], int]] = []
    for (total, parts), terms in zip(problem.equations, problem.terms, strict=True):
        if hidden.isdisjoint(terms):
            continue
        coefficients: dict[int, int] = {}
        constant = 0  # total - sum(parts) over the published cells
        # (The total, then each part, without building (cell, sign) pairs: this runs for every
        # equation every time the search is asked.)
        if total in column:
            coefficients[column[total]] = 1
        else:
            constant += cells[total].value or 0
        for part in parts:
            if part in column:
                j = column[part]
                coefficients[j] = coefficients.get(j, 0) - 1
            else:
                constant -= cells[part].value or 0
        coefficients = {j: c for j, c in coefficients.items() if c}
        if coefficients:
            rows.append((coefficients, -constant))
    return rows


class _WholeTables:
    """Whole tables (integer points) of ``rows`` (each ``sum(c * x) = rhs``, every c 1 or -1) with
    every column between ``low`` and ``high``, found without linear programming.

    Two ways, both exact integer arithmetic:

    - :meth:`first`: a depth-first search that fixes one column at a time (trying the true count
      first, where the source gives it) and propagates the bounds through the rows after each
      choice. When it runs out of choices within its budget it has *proved* that no whole table
      exists (every branch was closed by propagation, which only drops values no whole table has).
    - :meth:`move`: from one whole table, a change by +1 or -1 in a few cells that keeps every row's
      sum (each row touched gets one cell moved the other way, like the corners of a rectangle on
      a sex by age table) and every cell within its bounds. The table moved to is a second whole
      table that differs in every cell moved.

    Neither ever calls a cell free without two whole tables that differ in it (and each table is
    checked by the caller before it counts), so they can only spare the simplex work, never make
    the pattern less safe. A cell they cannot free is left to the simplex.
    """

    # Work allowed per search (a few tables need more: they go to the simplex, as before).
    NODES = 200
    MOVE_NODES = 500
    ROUNDS = 5

    def __init__(self, rows: list[tuple[dict[int, int], int]], low: list[int], high: list[int]):
        self.n, self.m = len(low), len(rows)
        self.low, self.high = low, high
        self.rows = rows
        self.terms = [tuple(coefficients.items()) for coefficients, _rhs in rows]
        self.rhs = [rhs for _coefficients, rhs in rows]
        self.rows_of: list[list[int]] = [[] for _ in low]
        # For each column, the rows it is in with its coefficient there (in the order of rows_of).
        self.entries: list[list[tuple[int, int]]] = [[] for _ in low]
        for r, terms in enumerate(self.terms):
            for j, c in terms:
                self.rows_of[j].append(r)
                self.entries[j].append((r, c))
        self.usable = all(c == 1 or c == -1 for terms in self.terms for _j, c in terms)
        self.budget = self.ROUNDS * (self.m + self.n) + 20
        self._nodes = 0
        self._complete = True

    def _sums(self, lo: list[int], hi: list[int]) -> tuple[list[int], list[int]]:
        """Each row's least and most sum over the bounds ``lo``/``hi``."""
        least, most = [], []
        for terms in self.terms:
            row_least = row_most = 0
            for j, c in terms:
                if c > 0:
                    row_least += lo[j]
                    row_most += hi[j]
                else:
                    row_least -= hi[j]
                    row_most -= lo[j]
            least.append(row_least)
            most.append(row_most)
        return least, most

    def _narrowed(self, least: list[int], most: list[int], j: int, raised: int, cut: int) -> None:
        """Keep the rows' sums (:meth:`_sums`) true when column ``j``'s lower bound rises by
        ``raised`` and its upper bound falls by ``cut``."""
        for r, c in self.entries[j]:
            if c > 0:
                least[r] += raised
                most[r] -= cut
            else:
                least[r] += cut
                most[r] -= raised

    def _propagate(self, lo: list[int], hi: list[int], least: list[int], most: list[int],
                   queue: list[int]) -> bool | None:
        """Narrow ``lo``/``hi`` in place: a row whose other cells' sum lies in [least, most] bounds
        its cell to [rhs - most, rhs - least] (sign flipped for -1). False when a row cannot hold
        (no whole table lies within the bounds), None when the budget ran out, else True.

        ``least``/``most`` are each row's sums over ``lo``/``hi`` (:meth:`_sums`), kept equal to
        them as bounds narrow: half the rows taken from the queue narrow nothing, and a row's
        sums are then all the work it costs, where summing its cells again was most of it."""
        terms_of, rhs_of, rows_of = self.terms, self.rhs, self.rows_of
        budget = self.budget
        # Whether each row is in the queue (a list indexed by row: cheaper than a set here).
        pending = [False] * self.m
        for r in queue:
            pending[r] = True
        steps = 0
        while queue:
            steps += 1
            if steps > budget:
                return None
            r = queue.pop()
            pending[r] = False
            rhs = rhs_of[r]
            # The sums as they are when the row is taken, as if worked out now; the loop below
            # reads these even when it narrows the row's own cells (still true bounds, only
            # wider, and the row is queued again).
            row_least, row_most = least[r], most[r]
            if row_least > rhs or row_most < rhs:
                return False
            if row_least == row_most:
                continue
            # With above = most - rhs and below = rhs - least, a cell of coefficient 1 goes to
            # [hi - above, lo + below] and one of -1 to [hi - below, lo + above]: either narrows
            # exactly when its width exceeds the smaller of the two, so narrower cells are skipped.
            above, below = row_most - rhs, rhs - row_least
            gap = above if above < below else below
            for j, c in terms_of[r]:
                old_lo, old_hi = lo[j], hi[j]
                if old_hi - old_lo <= gap:
                    continue
                if c > 0:
                    new_lo, new_hi = old_hi - above, old_lo + below
                else:
                    new_lo, new_hi = old_hi - below, old_lo + above
                if new_lo < old_lo:
                    new_lo = old_lo
                if new_hi > old_hi:
                    new_hi = old_hi
                if new_lo > new_hi:
                    return False
                lo[j], hi[j] = new_lo, new_hi
                self._narrowed(least, most, j, new_lo - old_lo, old_hi - new_hi)
                for other in rows_of[j]:
                    if not pending[other]:
                        pending[other] = True
                        queue.append(other)
        return True

    def _search(self, lo: list[int], hi: list[int], least: list[int], most: list[int], queue: list[int],
                hint: list[int | None]) -> list[int] | None:
        self._nodes += 1
        if self._nodes > self.NODES:
            self._complete = False
            return None
        state = self._propagate(lo, hi, least, most, queue)
        if not state:
            if state is None:
                self._complete = False
            return None
        # The first of the narrowest cells not yet fixed is fixed next.
        widths = list(map(operator.sub, hi, lo))
        narrowest = min(filter(None, widths), default=0)
        if not narrowest:
            return lo
        j = widths.index(narrowest)
        h = hint[j]
        if narrowest < 4:  # a "<5" cell: each value in turn, the true one first
            choices = [(v, v) for v in range(lo[j], hi[j] + 1)]
            if h is not None and lo[j] <= h <= hi[j]:
                choices.remove((h, h))
                choices.insert(0, (h, h))
        else:  # halves (every value is in one), the true count's first
            middle = (lo[j] + hi[j]) // 2
            choices = [(lo[j], middle), (middle + 1, hi[j])]
            if h is not None and h > middle:
                choices.reverse()
        old_lo, old_hi = lo[j], hi[j]
        for a, z in choices:
            trial_lo, trial_hi, trial_least, trial_most = lo[:], hi[:], least[:], most[:]
            trial_lo[j], trial_hi[j] = a, z
            self._narrowed(trial_least, trial_most, j, a - old_lo, old_hi - z)
            found = self._search(trial_lo, trial_hi, trial_least, trial_most, list(self.rows_of[j]), hint)
            if found is not None:
                return found
        return None

    def first(self, hint: list[int | None]) -> tuple[list[int] | None, bool]:
        """A whole table (None if none found) and whether "none" is proved."""
        self._nodes, self._complete = 0, True
        least, most = self._sums(self.low, self.high)
        found = self._search(list(self.low), list(self.high), least, most, list(range(self.m)), hint)
        return found, found is None and self._complete

    def move(self, start: list[int], j: int, step: int) -> list[int] | None:
        """A whole table that is ``start`` with ``j`` moved by ``step`` (1 or -1) and other cells
        by one each, every row's sum kept; None if none is found within the budget."""
        low, high, terms_of, rows_of, entries = self.low, self.high, self.terms, self.rows_of, self.entries
        budget = self.MOVE_NODES
        moved = {j: step}
        imbalance = [0] * self.m
        for r, c in entries[j]:
            imbalance[r] += c * step
        touched = list(rows_of[j])
        nodes = 0

        def extend() -> bool:
            nonlocal nodes
            for r in touched:
                if imbalance[r]:
                    break
            else:
                return True  # every row balanced
            nodes += 1
            if nodes > budget:
                return False
            # Each cell of the row is moved against its imbalance (restored exactly when a
            # branch fails, so the direction is the same for every cell tried).
            against = imbalance[r] > 0
            for k, c in terms_of[r]:
                if k in moved:
                    continue
                t = -c if against else c
                if not low[k] <= start[k] + t <= high[k]:
                    continue
                moved[k] = t
                for q, d in entries[k]:
                    imbalance[q] += d * t
                touched.extend(rows_of[k])
                if extend():
                    return True
                del touched[len(touched) - len(rows_of[k]):]
                for q, d in entries[k]:
                    imbalance[q] -= d * t
                del moved[k]
            return False

        if not extend():
            return None
        point = start[:]
        for k, t in moved.items():
            point[k] += t
        return point

    def free(self, hint: list[int | None], record: Callable[[list[int]], None],
             fits: Callable[[list[int]], bool], seen: list[set[int]]) -> bool:
        """Record (``record``) the whole tables that show cells free, each once ``fits`` checked
        it; ``seen`` is what has been recorded. False when it proved that no whole table exists."""
        start, proved_none = self.first(hint)
        if start is None or not fits(start):
            return not proved_none
        record(start)
        for j in range(self.n):
            if len(seen[j]) >= 2:
                continue
            for step in (1, -1):
                if self.low[j] <= start[j] + step <= self.high[j]:
                    point = self.move(start, j, step)
                    if point is not None and fits(point):
                        record(point)
                        break
        return True


def _separate(rows: list[tuple[dict[int, int], int]], width: int) -> bool:
    """Whether no two equations share a hidden cell and every coefficient is 1 or -1.

    Then no hidden cell is pinned, and :func:`_pinned` need not search: the equations constrain
    disjoint sets of cells, so the whole tables are the combinations of each equation's own
    solutions, and the values one cell takes among the whole solutions of its one equation are
    every whole number between the bounds :func:`_infer_bounds` propagates through it (a sum of
    whole intervals with signs 1 and -1 takes every whole number between its ends). Those bounds
    differ for every hidden cell when the search is asked (a cell they pin is exposed before), so
    each takes two values. Every bound is a whole number below the search's cap when no source
    cell is unbounded, so the search would free each cell too (a network of one equation has whole
    extreme tables): the pattern is the same, without the simplex."""
    used = [False] * width
    for coefficients, _rhs in rows:
        for j, c in coefficients.items():
            if used[j] or (c != 1 and c != -1):
                return False
            used[j] = True
    return True


class _Simplex:
    """A small dense simplex over ``rows`` (coefficients by column, right-hand side) with each
    column between ``low`` and ``high``. Bland's rule: tables of counts are degenerate (many
    zeros), and Bland's rule never cycles."""

    EPSILON = 1e-9

    def __init__(self, rows: list[tuple[dict[int, int], int]], low: list[int], high: list[int]):
        n = len(low)
        self.n, self.low = n, low
        # Shifted columns y = x - low >= 0; each upper bound is a row y + slack = high - low.
        width = 2 * n + len(rows)  # columns, slacks, artificials
        tableau: list[list[float]] = []
        basis: list[int] = []
        for j in range(n):
            line = [0.0] * (width + 1)
            line[j] = line[n + j] = 1.0
            line[-1] = float(high[j] - low[j])
            tableau.append(line)
            basis.append(n + j)
        first_artificial = 2 * n
        for position, (coefficients, rhs) in enumerate(rows):
            line = [0.0] * (width + 1)
            b = rhs - sum(c * low[j] for j, c in coefficients.items())
            sign = -1.0 if b < 0 else 1.0
            for j, c in coefficients.items():
                line[j] = sign * c
            line[first_artificial + position] = 1.0
            line[-1] = sign * b
            tableau.append(line)
            basis.append(first_artificial + position)
        self.tableau, self.basis, self.first_artificial = tableau, basis, first_artificial
        # Phase one: minimise the sum of the artificials (the true table makes it zero).
        cost = [0.0] * (width + 1)
        for position in range(len(rows)):
            cost[first_artificial + position] = 1.0
        reduced = self._run(cost, allowed=width)
        self.feasible = reduced is not None and -reduced[-1] < 1e-6
        if self.feasible:
            self._drop_artificials()

    def _pivot(self, row: int, col: int) -> None:
        tableau = self.tableau
        factor = tableau[row][col]
        line = tableau[row] = [x / factor for x in tableau[row]]
        # Only the columns where the pivot row is non-zero change: a - f * 0 is a, the same float
        # (up to the sign of a zero, which no comparison and no rounding reads). The tableau is
        # mostly zeros (slacks), so this is a fraction of the row.
        nonzero = [(c, b) for c, b in enumerate(line) if b]
        for r, other in enumerate(tableau):
            f = other[col]
            if f and r != row:
                for c, b in nonzero:
                    other[c] -= f * b
        self.basis[row] = col

    def _run(self, cost: list[float], *, allowed: int) -> list[float] | None:
        """Minimise ``cost`` from the current basis over the first ``allowed`` columns; the final
        reduced costs (the last entry: minus the objective), or None if unbounded or given up."""
        eps = self.EPSILON
        reduced = cost[:]
        for b, line in zip(self.basis, self.tableau, strict=True):
            if cost[b]:
                f = cost[b]
                reduced = [x - f * y for x, y in zip(reduced, line, strict=True)]
        for _step in range(5000):
            entering = next((c for c in range(allowed) if reduced[c] < -eps), None)
            if entering is None:
                return reduced
            leaving, best = None, 0.0
            for r, line in enumerate(self.tableau):
                if line[entering] > eps:
                    ratio = line[-1] / line[entering]
                    if leaving is None or ratio < best - eps or (
                        abs(ratio - best) <= eps and self.basis[r] < self.basis[leaving]
                    ):
                        leaving, best = r, ratio
            if leaving is None:
                return None
            self._pivot(leaving, entering)
            f = reduced[entering]
            reduced = [x - f * y for x, y in zip(reduced, self.tableau[leaving], strict=True)]
        return None

    def _drop_artificials(self) -> None:
        """Pivot the artificials (all at zero) out of the basis; a row left with nothing else is
        a redundant equation and goes."""
        first = self.first_artificial
        keep = []
        for r in range(len(self.tableau)):
            if self.basis[r] >= first:
                line = self.tableau[r]
                col = next((c for c in range(first) if abs(line[c]) > self.EPSILON), None)
                if col is None:
                    continue
                self._pivot(r, col)
            keep.append(r)
        self.tableau = [[*self.tableau[r][:first], self.tableau[r][-1]] for r in keep]
        self.basis = [self.basis[r] for r in keep]

    def optimum(self, columns: list[int], sense: int) -> list[int] | None:
        """The whole table nearest the vertex that maximises (sense 1) or minimises (-1) the sum of
        ``columns``; None if the search gave up."""
        if not self.feasible:
            return None
        saved = [line[:] for line in self.tableau], self.basis[:]
        cost = [0.0] * (self.first_artificial + 1)
        for column in columns:
            cost[column] = -float(sense)
        outcome = self._run(cost, allowed=self.first_artificial)
        values = [0.0] * self.n
        for b, line in zip(self.basis, self.tableau, strict=True):
            if b < self.n:
                values[b] = line[-1]
        self.tableau, self.basis = saved
        if outcome is None:
            return None
        return [round(v) + lo for v, lo in zip(values, self.low, strict=True)]


def _linearly_determined(problem: _Problem) -> set[int]:
    """The hidden cells whose unit vector lies in the row space of the equations over the unknowns.

    Exact integer (fraction-free) elimination, one equation at a time, into a reduced basis: each
    pivot column appears in its own row only. A unit vector lies in the row space exactly when some
    row of such a basis has a single non-zero entry (any vector of the row space is the sum of the
    basis rows weighted by its entries in their pivot columns, and a unit vector has one non-zero
    entry). Rows are kept sparse (a column to its coefficient): an equation touches a handful of
    the cells, and so, in these tables, do the rows elimination makes of them. Every part of an
    equation is a cell of the table, so the unknowns are the hidden cells.
    """
    hidden = problem.hidden
    basis: dict[int, dict[int, int]] = {}  # pivot column -> its row
    for total, parts in problem.equations:
        row: dict[int, int] = {}
        if total in hidden:
            row[total] = 1
        for part in parts:
            if part in hidden:
                coefficient = row.get(part, 0) - 1
                if coefficient:
                    row[part] = coefficient
                else:
                    del row[part]
        # Clear the pivot columns from the new row (combining never brings one back: each basis
        # row is zero in every pivot column but its own).
        for column in [column for column in row if column in basis]:
            if column in row:
                row = _eliminate(row, column, basis[column])
        if not row:
            continue  # a combination of the equations before it
        pivot = min(row)
        # ... and its pivot column from the rows already in the basis.
        for column, other in basis.items():
            if pivot in other:
                basis[column] = _eliminate(other, pivot, row)
        basis[pivot] = row
    return {next(iter(row)) for row in basis.values() if len(row) == 1}


def _eliminate(row: dict[int, int], column: int, pivot_row: dict[int, int]) -> dict[int, int]:
    """``row`` with ``column`` cleared by ``pivot_row`` (fraction-free: ``lead * row - factor *
    pivot_row``, then divided by the gcd of its entries); zero entries are dropped."""
    factor, lead = row[column], pivot_row[column]
    combined = {cell: value * lead for cell, value in row.items()}
    for cell, value in pivot_row.items():
        result = combined.get(cell, 0) - factor * value
        if result:
            combined[cell] = result
        else:
            del combined[cell]
    divisor = math.gcd(*combined.values())
    return {cell: value // divisor for cell, value in combined.items()} if divisor > 1 else combined


def _complement_for(problem: _Problem, exposed: int) -> int | None:
    """The published cell to hide beside ``exposed``: the smallest count in an equation with it,
    preferring parts over totals (a total is the figure people read first); ties go to the cell
    first in ``repr`` order."""
    candidates: list[tuple[bool, bool, int, int]] = []
    hidden = problem.hidden
    for e in problem.involving[exposed]:
        total, parts = problem.equations[e]
        for term in (total, *parts):
            if term not in hidden:
                value = problem.cells[term].value or 0
                candidates.append((value == 0, term == total, value, term))
    if not candidates:
        # Exposed only through a chain of equations: hide the smallest published cell of any
        # equation that involves a hidden cell.
        for (total, parts), terms in zip(problem.equations, problem.terms, strict=True):
            if hidden.isdisjoint(terms):
                continue
            for term in (total, *parts):
                if term not in hidden:
                    value = problem.cells[term].value or 0
                    candidates.append((value == 0, term == total, value, term))
    if not candidates:
        return None
    return min(candidates)[3]
