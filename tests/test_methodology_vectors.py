"""METHODOLOGY.md §5 test vectors (real portal figures) and §6 (2025 display rounding)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from chiso766.core.methodology import load, methodology_table, version_for
from chiso766.compute.scoring import component_points, group_points, points_from_rate, total_points

M = load("2026")

HA_NOI = {
    "cong_khai": ({"1.1": (0, 79), "1.2": (65, 80), "1.3": (78, 80), "1.4": (1, 1)}, "11.2"),
    "tien_do": ({"2.1": (7404, 10000)}, "14.81"),
    "truc_tuyen": ({"3.1": (53, 81), "3.2": (781, 1965), "3.3": (886491, 1065048)}, "9.23"),
    "thanh_toan": ({"3.6": (229394, 427521), "3.5b": (125, 331), "3.5": (70, 331)}, "4.69"),
    "hai_long": ({"5.4": (785199, 1065150), "5.2": (1000, 4506), "5.3": (791, 4506)}, "7.29"),
    "so_hoa": ({"4.1": (536776, 1065150), "4.2": (164908, 1065150), "4.3": (344455, 1065150),
                "4.4": (7727, 1065150), "4.5b": (412784, 1065150), "4.5a": (500, 1327),
                "4.2b": (None, None)}, "8.01"),
}


def _group(counts: dict) -> Decimal:
    return group_points([component_points(M.component(c), n, d).points for c, (n, d) in counts.items()],
                        M.group(next(iter({M.component(c).group for c in counts}))))


@pytest.mark.parametrize("group", list(HA_NOI))
def test_ha_noi_groups(group):
    counts, expected = HA_NOI[group]
    assert _group(counts) == Decimal(expected)


def test_ha_noi_total_and_components():
    groups = {g: _group(c) for g, (c, _) in HA_NOI.items()}
    assert total_points(groups, M) == Decimal("55.23")
    expected = {"1.1": "0", "1.2": "3.25", "1.3": "1.95", "4.1": "3.02", "4.2": "0.62", "4.2b": "2",
                "4.3": "0.81", "4.4": "0.03", "4.5a": "0.75", "4.5b": "0.78"}
    for component, points in expected.items():
        n, d = {**HA_NOI["cong_khai"][0], **HA_NOI["so_hoa"][0]}[component]
        assert component_points(M.component(component), n, d).points == Decimal(points), component


def test_xa_ba_vi_rounds_components_before_summing():
    assert _group({"3.1": (0, 0), "3.2": (31, 403), "3.3": (3294, 4474)}) == Decimal("6.31")
    parts = [component_points(M.component(c), n, d).points
             for c, (n, d) in {"3.6": (2558, 3292), "3.5b": (3, 31), "3.5": (3, 31)}.items()]
    assert parts == [Decimal("4.66"), Decimal("0.24"), Decimal("0.24")]
    assert group_points(parts, M.group("thanh_toan")) == Decimal("5.14")  # unrounded sum: 5.15


def test_half_up_on_exact_value_not_binary_float():
    assert component_points(M.component("2.1"), 7404, 10000).points == Decimal("14.81")  # 14.808
    assert component_points(M.component("2.1"), 1, 8).points == Decimal("2.50")         # 2.5 exactly
    assert component_points(M.component("3.6"), 1, 1600).points == Decimal("0.00")      # 0.00375


def test_2025_display_rounding():
    v2025 = load("2025")
    assert points_from_rate(Decimal("74.77"), v2025.group("so_hoa")) == Decimal("16.5")   # 16.449
    assert points_from_rate(Decimal("86.1"), v2025.group("truc_tuyen")) == Decimal("10.33")
    assert points_from_rate(Decimal("74.77"), M.group("so_hoa")) == Decimal("16.45")
    assert version_for(__import__("datetime").date(2025, 10, 7)) == "2025"


def test_methodology_table_is_complete():
    table = methodology_table()
    assert len(table) == 23
    assert set(table["evidence"]) <= {"[doc]", "[api]", "[inferred]", "[open]"}
    assert sum(Decimal(m) for m in table["max"]) == Decimal(100)
    for group in M.groups:
        assert sum(c.max for c in M.components_of(group.key)) == group.max, group.key
