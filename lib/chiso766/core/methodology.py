"""The 766 methodology as data: groups, components and rule versions, read from ``data/*.csv``.

Changing a weight, a threshold or a zero-denominator rule is a one-line change in
``data/components.csv``; nothing in the code repeats those numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache, cached_property
from typing import TYPE_CHECKING, Literal

from chiso766.core.datafiles import data_rows

if TYPE_CHECKING:  # pandas is imported by the two tables below: scoring and the indicators do without it
    import pandas as pd

__all__ = [
    "Group",
    "Component",
    "Methodology",
    "load",
    "version_for",
    "GROUP_KEYS",
    "EVIDENCE_VI",
    "methodology_table",
    "ZeroRule",
    "province_count",
    "formulas_table",
]

ZeroRule = Literal["missing", "zero", "full"]
_ZERO_RULES: dict[str, ZeroRule] = {"missing": "missing", "zero": "zero", "full": "full"}  # unknown: KeyError
_ZERO_RULE_VI = {"missing": "không tính điểm", "zero": "0 điểm", "full": "điểm tối đa"}
# what a component's rule rests on, in the words a reader of the methodology page is given
EVIDENCE_VI = {
    "doc": "tài liệu hướng dẫn công thức",
    "api": "tính lại khớp với Cổng",
    "inferred": "suy ra, chưa có văn bản",
    "open": "chưa xác định",
}
GROUP_KEYS = ("cong_khai", "tien_do", "truc_tuyen", "thanh_toan", "hai_long", "so_hoa")


@dataclass(frozen=True)
class Group:
    """One of the six groups (nhóm chỉ số)."""

    key: str
    code: str
    order: int
    name_vi: str
    short_vi: str
    max: Decimal
    endpoint: str
    evidence: str
    display_decimals: int


@dataclass(frozen=True)
class Component:
    """One scored (or monitored) component of a group.

    ``threshold`` is the rate in % from which the component earns full points (``None``: 100).
    ``zero_rule`` says what a zero or absent denominator gives: ``missing`` (no points, the portal
    prints null), ``zero`` or ``full``. ``pooling`` is ``sum`` where a province's counts are the sum
    of its units' (dossier counts) and ``distinct`` where they are not (counts of procedures).
    ``scope`` is ``province`` where the portal computes the value for the province and repeats it on
    every unit (a unit cannot change it), else ``unit``; ``counts`` names what the counts count
    (``hồ sơ``, ``TTHC``, …) for sentences such as "thêm 12 hồ sơ".
    """

    id: str
    group: str
    order: int
    name_vi: str
    max: Decimal
    threshold: Decimal | None
    zero_rule: ZeroRule
    pooling: str
    scope: str
    counts: str
    evidence: str
    api_code: str
    numerator_field: str
    denominator_field: str
    note: str  # for the code's readers, in English, with the evidence of each claim
    note_vi: str  # the same for the people who read the methodology page and tables


@dataclass(frozen=True)
class Methodology:
    """Groups and components under one rule version."""

    version: str
    groups: tuple[Group, ...]
    components: tuple[Component, ...]

    def group(self, key: str) -> Group:
        return self._group_by_key[key]

    @cached_property
    def _group_by_key(self) -> dict[str, Group]:
        # scoring a province looks a group up for each of its ~1.000 unit groups
        return {g.key: g for g in self.groups}

    def components_of(self, group_key: str) -> tuple[Component, ...]:
        return self._by_group.get(group_key, ())

    @cached_property
    def _by_group(self) -> dict[str, tuple[Component, ...]]:
        # reading a snapshot asks it for every group of every unit (and again for each procedure)
        return {g: tuple(c for c in self.components if c.group == g) for g in {c.group for c in self.components}}

    def component(self, component_id: str) -> Component:
        return self._by_id[component_id]

    @cached_property
    def _by_id(self) -> dict[str, Component]:
        # scoring a province looks components up ~20.000 times: a dict, not a scan
        return {c.id: c for c in self.components}

    def place(self, component_id: str) -> tuple[int, int]:
        """Where a component comes in the methodology's order (its group's, then its own): a trace
        lists 5.2 before 5.4 whatever order the portal's response gave them in; unknown ones last.

        Examples
        --------
        >>> sorted(["5.4", "4.1", "5.2"], key=load("2026").place)
        ['5.2', '5.4', '4.1']
        """
        component = self._by_id.get(component_id)
        return (self.group(component.group).order, component.order) if component else (len(self.groups) + 1, 0)

    @property
    def max_total(self) -> Decimal:
        return sum((g.max for g in self.groups), Decimal(0))


def _rows(name: str) -> list[dict[str, str]]:
    return list(data_rows(name))


def _versions() -> list[dict[str, str]]:
    return _rows("versions.csv")


def version_for(as_of: date) -> str:
    """The rule version in force on ``as_of``: the latest whose ``valid_from`` is not after it.

    Examples
    --------
    >>> version_for(date(2025, 10, 9)), version_for(date(2026, 9, 26))
    ('2025', '2026')
    """
    starts = {r["version"]: date.fromisoformat(r["valid_from"]) for r in _versions()}
    eligible = [v for v, start in starts.items() if start <= as_of]
    if not eligible:
        raise ValueError(f"no 766 rule version in force on {as_of.isoformat()}")
    return max(eligible, key=lambda v: starts[v])


@cache
def load(version: str = "2026") -> Methodology:
    """Read the methodology tables for one rule version."""
    decimals = {r["group"]: int(r["display_decimals"]) for r in _versions() if r["version"] == version}
    if not decimals:
        known = sorted({r["version"] for r in _versions()})
        raise ValueError(f"unknown 766 rule version {version!r}; known: {', '.join(known)}")
    groups = tuple(
        Group(
            r["key"],
            r["code"],
            int(r["order"]),
            r["name_vi"],
            r["short_vi"],
            Decimal(r["max"]),
            r["endpoint"],
            r["evidence"],
            decimals[r["key"]],
        )
        for r in sorted(_rows("groups.csv"), key=lambda r: int(r["order"]))
    )
    components = tuple(
        Component(
            r["id"],
            r["group"],
            int(r["order"]),
            r["name_vi"],
            Decimal(r["max"]),
            Decimal(r["threshold"]) if r["threshold"] else None,
            _ZERO_RULES[r["zero_rule"]],
            r["pooling"],
            r["scope"],
            r["counts"],
            r["evidence"],
            r["api_code"],
            r["numerator_field"],
            r["denominator_field"],
            r["note"],
            r["note_vi"],
        )
        for r in _rows("components.csv")
    )
    return Methodology(version, groups, components)


def methodology_table(version: str = "2026") -> pd.DataFrame:
    """The component table a bulletin prints as its methodology note (and, in its table files only,
    where the portal's response holds each component's counts).

    Examples
    --------
    >>> methodology_table().query("id == '2.1'")[["group", "max", "threshold"]].iloc[0].tolist()
    ['Tiến độ giải quyết', '20', '']
    """
    import pandas as pd

    method = load(version)
    rows = [
        {
            "id": c.id,
            "group": method.group(c.group).name_vi,
            "name": c.name_vi,
            "max": str(c.max),
            "threshold": "" if c.threshold is None else str(c.threshold),
            "zero_rule": c.zero_rule,
            "zero_rule_vi": _ZERO_RULE_VI[c.zero_rule],
            "evidence": f"[{c.evidence}]",
            "evidence_vi": EVIDENCE_VI[c.evidence],
            "note": c.note_vi,
            "portal_source": _portal_source(c, method.group(c.group)),
        }
        for c in method.components
    ]
    return pd.DataFrame(rows)


def _portal_source(component: Component, group: Group) -> str:
    """Where the portal's response holds the component's counts, for an auditor following a figure back
    to it: ``handling-satisfaction.json: DOSSIER_RECEIVING_SATISFACTION (numerator / denominator)``."""
    fields = f"{component.numerator_field} / {component.denominator_field}"
    return f"{group.endpoint}.json: " + (f"{component.api_code} ({fields})" if component.api_code else fields)


def formulas_table() -> pd.DataFrame:
    """The formula ids that components.csv and the audit appendix cite (F1, F2, Z0, ZF, ZM, M)."""
    import pandas as pd

    return pd.DataFrame(_rows("formulas.csv"))


def province_count(as_of: date) -> int:
    """How many provinces a province is ranked among on ``as_of`` (63 before 1/7/2025, then 34)."""
    rows = sorted(_rows("provinces.csv"), key=lambda r: r["valid_from"])
    return int([r for r in rows if date.fromisoformat(r["valid_from"]) <= as_of][-1]["count"])
