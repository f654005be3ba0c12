"""Property tests for scoring and ranking."""

from __future__ import annotations

import random
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from chiso766.core.methodology import load
from chiso766.compute.ranking import competition_rank
from chiso766.compute.scoring import component_points

M = load("2026")
components = st.sampled_from([c for c in M.components if c.max > 0])
counts = st.integers(min_value=0, max_value=10**7).flatmap(
    lambda den: st.tuples(st.integers(min_value=0, max_value=den), st.just(den)))
totals = st.lists(st.one_of(st.none(), st.decimals(min_value=0, max_value=100, places=2)), max_size=40)


@given(components, counts)
def test_points_within_zero_and_max(component, pair):
    points = component_points(component, *pair).points
    assert points is None or Decimal(0) <= points <= component.max
    assert points is None or points == points.quantize(Decimal("0.01"))


@given(components, counts)
def test_points_non_decreasing_in_numerator(component, pair):
    numerator, denominator = pair
    if numerator < denominator:
        lower = component_points(component, numerator, denominator).points
        higher = component_points(component, numerator + 1, denominator).points
        assert lower is not None and higher is not None and lower <= higher


@given(totals, st.randoms(use_true_random=False))
def test_ranking_independent_of_row_order(values, rnd: random.Random):
    ranks = dict(zip(range(len(values)), competition_rank(values)))
    order = list(range(len(values)))
    rnd.shuffle(order)
    shuffled = competition_rank([values[i] for i in order])
    assert {i: r for i, r in zip(order, shuffled)} == ranks


@given(totals)
def test_equal_totals_share_a_rank_and_missing_get_none(values):
    ranks = competition_rank(values)
    for value, rank in zip(values, ranks):
        assert (rank is None) == (value is None)
    for a, ra in zip(values, ranks):
        for b, rb in zip(values, ranks):
            if a is not None and b is not None:
                assert (a == b) == (ra == rb)
                if a > b:
                    assert ra < rb
    present = [v for v in values if v is not None]
    for value, rank in zip(values, ranks):
        if value is not None:
            assert rank == 1 + sum(1 for v in present if v > value)


@given(
    # few distinct values: ties, which the order decides, are the case to get right
    st.lists(st.one_of(st.none(), st.sampled_from([Decimal("1"), Decimal("2.50"), Decimal("2.5"), Decimal("80")]))),
    st.integers(min_value=-3, max_value=8),
    st.randoms(use_true_random=False),
)
def test_lowest_is_the_frame_sorted_by_value_then_order(values, count, rnd: random.Random):
    """``lowest``, written over plain lists, picks what the pandas steps it replaced picked: the
    ``count`` lowest known values below the best, by value then ``_order``, ties in input order, and
    every unit tied with the last of them."""
    import pandas as pd

    from chiso766.compute.facts import lowest

    orders = [rnd.randrange(5) for _ in values]
    members = pd.DataFrame(
        {"unit": [f"u{i}" for i in range(len(values))], "ratio": pd.Series(values, dtype=object), "_order": orders},
        index=[rnd.randrange(1000) for _ in values],
    )
    known = members[members["ratio"].notna()]
    below = (
        known
        if known.empty
        else known[[v < max(known["ratio"]) for v in known["ratio"]]].sort_values(["ratio", "_order"], kind="stable")
    )
    # the first ``count`` and every one tied with the last of them; none for a count below 1
    tied = [count > 0 and v <= below["ratio"].iloc[count - 1] for v in below["ratio"]] if len(below) > count else []
    expected = below if len(below) <= count else below[pd.Series(tied, index=below.index, dtype=bool)]
    got = lowest(members, "ratio", count)
    assert got["unit"].tolist() == expected["unit"].tolist() and got.index.tolist() == expected.index.tolist()
    assert list(got.columns) == list(members.columns)
