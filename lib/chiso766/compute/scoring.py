"""Scoring: component points from counts, group points, totals and ratios, in exact decimals.

The rules (METHODOLOGY.md §1): a component earns ``max × min(1, R / T)`` with R the exact rate in %
and T its threshold (100 when it has none), rounded half-up at 2 decimals; a group is the sum of
its rounded components, rounded again to the rule version's display decimals; the total is the sum
of the six groups. A zero or absent denominator follows the component's ``zero_rule``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import NamedTuple

from chiso766.core.decimals import round_half_up, to_decimal
from chiso766.core.methodology import Component, Group, Methodology

__all__ = [
    "Scored",
    "rate",
    "component_points",
    "group_points",
    "group_ratio",
    "points_from_rate",
    "total_points",
    "grade",
]

_HUNDRED = Decimal(100)
_ONE = Decimal(1)

STATUS_SCORED = "scored"
STATUS_ZERO_DENOMINATOR = "zero_denominator"
STATUS_NO_DATA = "no_data"
STATUS_MONITORING = "monitoring"


class Scored(NamedTuple):
    """A component's result: its exact rate in % (``None`` when undefined), points, why, and the
    id of the formula applied (``data/formulas.csv``: F1, F2, Z0, ZF, ZM, M).

    A named tuple, not a frozen dataclass: a province makes thousands of them, and a frozen
    dataclass costs a ``object.__setattr__`` call per field."""

    rate: Decimal | None
    points: Decimal | None
    status: str
    reason: str = ""
    formula: str = ""


def rate(numerator: object, denominator: object) -> Decimal | None:
    """The exact rate in percent, ``None`` when the denominator is zero or either count absent.

    Examples
    --------
    >>> rate(65, 80), rate(0, 0), rate(None, 5)
    (Decimal('81.25'), None, None)
    """
    num, den = to_decimal(numerator), to_decimal(denominator)
    if num is None or den is None or den == 0:
        return None
    return num * _HUNDRED / den


def component_points(component: Component, numerator: object, denominator: object) -> Scored:
    """Points of one component from its numerator and denominator.

    Examples
    --------
    >>> from chiso766.core.methodology import load
    >>> component_points(load().component("4.3"), 344455, 1065150).points   # Hà Nội, threshold 80%
    Decimal('0.81')
    >>> component_points(load().component("5.2"), 0, 0).points                # no petitions: full
    Decimal('6')
    """
    num, den = _count(numerator), _count(denominator)
    if component.max == 0:
        return Scored(rate(num, den), None, STATUS_MONITORING, "chỉ theo dõi, không tính điểm", "M")
    if num is None and den is None:
        return _zero_rule(component, STATUS_NO_DATA, "không có dữ liệu")
    if den is None or den == 0:
        return _zero_rule(component, STATUS_ZERO_DENOMINATOR, "mẫu số bằng 0")
    if num is None:
        return Scored(None, None, STATUS_NO_DATA, "thiếu tử số", "ZM")
    exact = num * _HUNDRED / den
    share = exact / (_HUNDRED if component.threshold is None else component.threshold)
    # min(_ONE, share) without the builtin call, which costs more than the comparison
    points = round_half_up(component.max * (share if share < _ONE else _ONE), 2)
    return Scored(exact, points, STATUS_SCORED, "", "F1" if component.threshold is None else "F2")


def _count(value: object) -> Decimal | None:
    """A count as an exact decimal; the common cases (a whole number, already a Decimal) without the
    general conversion, which a province pays thousands of times."""
    if type(value) is int:
        return Decimal(value)
    return value if type(value) is Decimal else to_decimal(value)


def _zero_rule(component: Component, status: str, reason: str) -> Scored:
    if component.zero_rule == "full":
        return Scored(None, component.max, status, f"{reason}: đạt điểm tối đa theo quy tắc của Cổng", "ZF")
    if component.zero_rule == "zero":
        return Scored(None, Decimal(0), status, f"{reason}: 0 điểm theo quy tắc của Cổng", "Z0")
    return Scored(None, None, status, f"{reason}: không tính điểm", "ZM")


def group_points(points: Iterable[Decimal | None], group: Group) -> Decimal:
    """A group's points: the sum of its components' rounded points, missing ones left out.

    The portal scores a group whose components all lack data as 0; the components table keeps
    the reason, so the bulletin can say the 0 means "no data".

    Examples
    --------
    >>> from chiso766.core.methodology import load
    >>> group_points([Decimal("4.66"), Decimal("0.24"), Decimal("0.24")], load().group("thanh_toan"))
    Decimal('5.14')
    """
    known = [p for p in points if p is not None]
    return round_half_up(sum(known, Decimal(0)), group.display_decimals)


def points_from_rate(group_rate: Decimal, group: Group) -> Decimal:
    """Group points from the group's ratio in %, as provincial reports print them.

    Rounded half-up at 2 decimals, then to the version's display decimals (16,449 → 16,45 → 16,5
    under the 2025 rules).

    Examples
    --------
    >>> from chiso766.core.methodology import load
    >>> points_from_rate(Decimal("74.77"), load("2025").group("so_hoa"))
    Decimal('16.5')
    """
    two = round_half_up(group_rate * group.max / _HUNDRED, 2)
    return round_half_up(two, group.display_decimals)


def group_ratio(points: Decimal | None, group: Group) -> Decimal | None:
    """The group's ratio in % as the portal shows it: points / max × 100, 2 decimals."""
    if points is None or group.max == 0:
        return None
    return round_half_up(points * _HUNDRED / group.max, 2)


def total_points(groups: Mapping[str, Decimal | None], method: Methodology) -> Decimal | None:
    """The total out of 100, or ``None`` when any group is missing (a partial sum is not a total).

    Examples
    --------
    >>> from chiso766.core.methodology import load
    >>> g = dict(cong_khai=Decimal("11.2"), tien_do=Decimal("14.81"), truc_tuyen=Decimal("9.23"),
    ...          thanh_toan=Decimal("4.69"), hai_long=Decimal("7.29"), so_hoa=Decimal("8.01"))
    >>> total_points(g, load())
    Decimal('55.23')
    """
    values = [groups.get(g.key) for g in method.groups]
    known = [v for v in values if v is not None]
    if len(known) < len(values):
        return None
    return sum(known, Decimal(0))


def grade(total: Decimal | None, bands: Iterable[tuple[Decimal, str]]) -> str:
    """The dashboard grade band of a total (not official): ``xuất sắc``, ``tốt``, …"""
    if total is None:
        return ""
    for minimum, name in sorted(bands, reverse=True):
        if total >= minimum:
            return name
    return ""
