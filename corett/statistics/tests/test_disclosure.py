"""Disclosure control: no suppressed cell can be worked out from what is published.

The property is checked the way an attacker would work: enumerate every table of non-negative
integer counts consistent with the published cells (exact values and the bounds given for
suppressed ones) and the additive structure (the sex and age breakdowns add up to their totals);
a suppressed cell is disclosed if it takes a single value in all of them.
"""

from __future__ import annotations

import itertools
import math

from hypothesis import HealthCheck, example, given, reject, settings
from hypothesis import strategies as st

from corett.statistics import disclosure
from corett.statistics.release import table_equations

SEXES = ("female", "male", "other")
AGES = ("0-17", "18+", "unknown")
THRESHOLD = 5
# The attacker below enumerates whole tables; past this many combinations of rows an example is
# set aside (a few are: wide "at least" bounds on every cell) rather than searched for minutes.
MOST_TABLES = 1_000_000


def key(sex: str, age: str) -> tuple:
    return (sex, age, "total", "", "", "")


def build(inner: list[list[int]]) -> dict:
    rows, cols = SEXES[: len(inner)], AGES[: len(inner[0])]
    cells = {key(s, a): inner[i][j] for i, s in enumerate(rows) for j, a in enumerate(cols)}
    for i, s in enumerate(rows):
        cells[key(s, "total")] = sum(inner[i])
    for j, a in enumerate(cols):
        cells[key("total", a)] = sum(inner[i][j] for i in range(len(rows)))
    cells[key("total", "total")] = sum(map(sum, inner))
    return cells


def feasible_values(inner_shape: tuple[int, int], published: dict, cap: int) -> dict | None:
    """For every cell, the set of values it takes over all tables consistent with ``published``
    (None when there are too many tables to enumerate)."""
    n_rows, n_cols = inner_shape
    rows, cols = SEXES[:n_rows], AGES[:n_cols]

    def allowed(k: tuple) -> range:
        out = published[k]
        if not out.suppressed:
            return range(out.value, out.value + 1)
        upper = cap if out.upper is None else min(out.upper, cap)
        return range(out.lower, upper + 1)

    def fits(k: tuple, total: int) -> bool:
        return total in allowed(k)

    seen: dict = {k: set() for k in published}
    row_options = []
    for s in rows:
        if math.prod(len(allowed(key(s, a))) for a in cols) > MOST_TABLES:
            return None
        options = [v for v in itertools.product(*(allowed(key(s, a)) for a in cols)) if fits(key(s, "total"), sum(v))]
        row_options.append(options)
    if math.prod(len(options) for options in row_options) > MOST_TABLES:
        return None
    for table in itertools.product(*row_options):
        col_sums = [sum(table[i][j] for i in range(n_rows)) for j in range(n_cols)]
        if not all(fits(key("total", a), col_sums[j]) for j, a in enumerate(cols)):
            continue
        if not fits(key("total", "total"), sum(col_sums)):
            continue
        for i, s in enumerate(rows):
            for j, a in enumerate(cols):
                seen[key(s, a)].add(table[i][j])
            seen[key(s, "total")].add(sum(table[i]))
        for j, a in enumerate(cols):
            seen[key("total", a)].add(col_sums[j])
        seen[key("total", "total")].add(sum(col_sums))
    return seen


tables = st.integers(min_value=2, max_value=3).flatmap(
    lambda r: st.integers(min_value=2, max_value=3).flatmap(
        lambda c: st.lists(st.lists(st.integers(min_value=0, max_value=9), min_size=c, max_size=c),
                           min_size=r, max_size=r)
    )
)


# Derandomised: the same examples on every run, so a run's length is known (and CI never waits
# on an unlucky draw); the regression examples below pin the tables found so far.
@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(tables)
@example([[8, 4, 0], [8, 4, 0], [0, 6, 2]])  # see the test of two "<5" cells whose sum is known
def test_no_suppressed_cell_can_be_derived_from_what_is_published(inner):
    cells = build(inner)
    outcome = disclosure.protect({k: disclosure.Cell(v) for k, v in cells.items()}, table_equations(cells),
                                 threshold=THRESHOLD)
    # Every small count is hidden.
    for k, v in cells.items():
        if 0 < v < THRESHOLD:
            assert outcome[k].suppressed
        if not outcome[k].suppressed:
            assert outcome[k].value == v
        else:
            assert outcome[k].lower <= v and (outcome[k].upper is None or v <= outcome[k].upper)
    if not any(o.suppressed for o in outcome.values()):
        return
    seen = feasible_values((len(inner), len(inner[0])), outcome, cap=cells[key("total", "total")] + 9)
    if seen is None:
        reject()
    for k, out in outcome.items():
        if out.suppressed:
            assert cells[k] in seen[k]
            assert len(seen[k]) > 1, f"{k} is disclosed: it can only be {seen[k]} in {inner}"


def test_two_small_cells_whose_sum_the_other_figures_give_are_not_both_disclosed():
    """Female and male 18+ are 4 each (primary). No single equation pins them, nor do the
    equations alone; but the published figures give their sum as 8 (the 18+ total is 16 minus
    the unknown-age total, "other" 18+ is 8 minus the same), and two cells of at most 4 adding to
    8 are both 4. Another cell must be hidden."""
    inner = [[8, 4, 0], [8, 4, 0], [0, 6, 2]]
    cells = build(inner)
    outcome = disclosure.protect({k: disclosure.Cell(v) for k, v in cells.items()}, table_equations(cells),
                                 threshold=THRESHOLD)
    seen = feasible_values((3, 3), outcome, cap=cells[key("total", "total")] + 9)
    assert seen is not None
    assert len(seen[key("female", "18+")]) > 1 and len(seen[key("male", "18+")]) > 1


def test_the_classic_case_a_small_cell_and_its_complement():
    cells = {key("total", "total"): 40, key("female", "total"): 37, key("male", "total"): 3}
    outcome = disclosure.protect({k: disclosure.Cell(v) for k, v in cells.items()}, table_equations(cells),
                                 threshold=5)
    assert outcome[key("male", "total")].suppressed and outcome[key("female", "total")].suppressed
    assert outcome[key("total", "total")].value == 40


def test_zero_is_published():
    cells = {key("total", "total"): 12, key("female", "total"): 12, key("male", "total"): 0}
    outcome = disclosure.protect({k: disclosure.Cell(v) for k, v in cells.items()}, table_equations(cells),
                                 threshold=5)
    assert not any(o.suppressed for o in outcome.values())


def test_source_suppressed_cells_keep_their_bounds():
    cells = {key("total", "total"): disclosure.Cell(20), key("female", "total"): disclosure.Cell(None, 1, 4),
             key("male", "total"): disclosure.Cell(17)}
    outcome = disclosure.protect(cells, table_equations(cells), threshold=5)
    assert outcome[key("female", "total")].suppressed
    assert outcome[key("male", "total")].suppressed  # 20 - 17 would give "<5" away as 3


def test_a_table_of_small_cells_is_published_from_zero():
    """Four cells of 1 under a total of 4: "each at least 1, total at most 4" would pin them all."""
    cells = build([[1, 1], [1, 1]])
    outcome = disclosure.protect({k: disclosure.Cell(v) for k, v in cells.items()}, table_equations(cells),
                                 threshold=THRESHOLD)
    assert all(o.suppressed for o in outcome.values())
    seen = feasible_values((2, 2), outcome, cap=13)
    assert seen is not None
    assert all(len(values) > 1 for values in seen.values())


def test_a_total_its_breakdown_contradicts_is_published_with_bounds_that_hold_it():
    """GLOTIP's Belize 2017: a total of 11 over a breakdown of two "<5" cells (at most 8). A reader
    adding up the breakdown would conclude "at most 8": what is published must not say so."""
    cells = {key("total", "total"): disclosure.Cell(11), key("female", "total"): disclosure.Cell(None, 1, 4),
             key("male", "total"): disclosure.Cell(None, 1, 4)}
    outcome = disclosure.protect(cells, table_equations(cells), threshold=5)
    total = outcome[key("total", "total")]
    assert total.value == 11 or (total.lower <= 11 and (total.upper is None or total.upper >= 11))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables, st.lists(st.integers(min_value=-6, max_value=6), min_size=7, max_size=7))
def test_published_bounds_hold_the_true_count_even_when_the_source_does_not_add_up(inner, errors):
    """Sources whose totals and breakdowns disagree (as published figures often do): whatever is
    inferred, every suppressed cell's bounds contain its true count, and small counts stay hidden."""
    cells = build(inner)
    margins = [k for k in cells if "total" in k[:2]]
    for k, error in zip(sorted(margins), errors, strict=False):
        cells[k] = max(0, cells[k] + error)
    outcome = disclosure.protect({k: disclosure.Cell(v) for k, v in cells.items()}, table_equations(cells),
                                 threshold=THRESHOLD)
    for k, v in cells.items():
        if 0 < v < THRESHOLD:
            assert outcome[k].suppressed
        out = outcome[k]
        if out.suppressed:
            assert out.lower <= v and (out.upper is None or v <= out.upper), (k, v, out)
        else:
            assert out.value == v


def _protect(inner: list[list[int]]) -> dict:
    cells = build(inner)
    return disclosure.protect({k: disclosure.Cell(v) for k, v in cells.items()}, table_equations(cells),
                              threshold=THRESHOLD)


def test_cells_a_rectangle_of_changes_frees_are_decided_without_the_simplex(monkeypatch):
    """Four "<5" cells under published totals of 5: no bound or equation pins them, and adding one
    to two opposite corners while taking one from the other two keeps every total, so each takes
    two values. The direct search finds that; the simplex is never built, and the pattern is the
    one the simplex alone gives."""
    def no_direct_search(self, hint, record, fits, seen):
        return True  # finds nothing: every cell goes to the simplex

    with monkeypatch.context() as patched:
        patched.setattr(disclosure._WholeTables, "free", no_direct_search)
        by_simplex_alone = _protect([[2, 3], [3, 2]])

    def refuse(*args, **kwargs):
        raise AssertionError("the simplex was built")

    monkeypatch.setattr(disclosure, "_Simplex", refuse)
    outcome = _protect([[2, 3], [3, 2]])
    assert outcome == by_simplex_alone
    assert [k[:2] for k, o in outcome.items() if o.suppressed] == [
        ("female", "0-17"), ("female", "18+"), ("male", "0-17"), ("male", "18+")
    ]
    seen = feasible_values((2, 2), outcome, cap=20)
    assert seen is not None and all(len(seen[k]) > 1 for k, o in outcome.items() if o.suppressed)


def test_a_cell_no_change_by_one_frees_is_left_to_the_simplex(monkeypatch):
    """The two "<5" cells whose sum the other figures give as 8 (see above): no change keeps
    every figure and moves them, so the direct search cannot decide them and the simplex is
    asked; they end up protected as before."""
    built = []
    original = disclosure._Simplex

    def counted(*args, **kwargs):
        built.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(disclosure, "_Simplex", counted)
    inner = [[8, 4, 0], [8, 4, 0], [0, 6, 2]]
    outcome = _protect(inner)
    assert built
    seen = feasible_values((3, 3), outcome, cap=sum(map(sum, inner)) + 9)
    assert seen is not None
    assert len(seen[key("female", "18+")]) > 1 and len(seen[key("male", "18+")]) > 1


def test_the_direct_search_moves_by_one_and_keeps_every_equation():
    # x0 + x1 = 5 and x0 + x2 = 5, each between 1 and 4: from (2, 3, 3), x0 + 1 needs x1 - 1 and x2 - 1.
    tables = disclosure._WholeTables([({0: 1, 1: 1}, 5), ({0: 1, 2: 1}, 5)], [1, 1, 1], [4, 4, 4])
    assert tables.move([2, 3, 3], 0, 1) == [3, 2, 2]
    # At its upper bound a cell cannot take the +1 its partner's -1 would need.
    assert tables.move([1, 4, 4], 1, -1) == [2, 3, 3]
    assert disclosure._WholeTables([({0: 1, 1: 1}, 5)], [1, 4], [4, 4]).move([1, 4], 0, 1) is None


def test_the_direct_search_proves_when_no_whole_table_exists():
    # x0 + x1 = 9 with both at most 4: no whole table, and the search says it proved so.
    tables = disclosure._WholeTables([({0: 1, 1: 1}, 9)], [1, 1], [4, 4])
    assert tables.first([None, None]) == (None, True)
    tables = disclosure._WholeTables([({0: 1, 1: 1}, 5)], [1, 1], [4, 4])
    found, proved_none = tables.first([3, None])
    assert found == [3, 2] and not proved_none  # the true count is tried first
