"""Read the portal's national evaluation (``service-results.json``) into one table of members.

``POST /api/v1/reporting/evaluation/service-results`` answers either the 34 provinces with the
national average (``overview.departmentName`` "Cả nước") or, asked for one province's units, that
province's departments and communes with the province as ``overview``. Both read the same way.

As for the six group responses (:mod:`chiso766.ingest.portal`, whose JSON readers this module
shares), reading either succeeds or raises an :class:`InputError` naming the file and the JSON path
(``evaluation[3].groupScores.TDGQ``): not JSON, a code other than OK, no ``data`` or ``evaluation``,
an empty list, a member that is not an object, NaN, Infinity, numbers of thousands of digits, a score
outside 0 to its maximum, text where a number belongs, a department listed twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from chiso766.core.errors import Diagnostics, InputError
from chiso766.core.methodology import GROUP_KEYS, Group, load
from chiso766.ingest.portal import _load, _number, _shown, _text_field, captured_days

__all__ = ["NationalList", "read_national", "captured_on", "MEMBER_COLUMNS", "MAX_TOTAL", "SUM_TOLERANCE"]


MEMBER_COLUMNS = (
    "department_id",
    "unit_code",
    "unit_name",
    "child_group",
    "total",
    *GROUP_KEYS,
    "score_delta",
)

MAX_TOTAL = Decimal(100)

SUM_TOLERANCE = Decimal("0.01")
"""How far a total may be from the sum of its group scores before it is reported: the portal rounds
each group and the total separately to 2 decimals, so they may differ by a rounding step."""

# scoreDelta's meaning is not documented (points or percent); either way a change of a 0–100 score
# is never a million, and a bound keeps absurd captures out of the tables.
_MAX_DELTA = Decimal(10**6)


@dataclass
class NationalList:
    """The members of one ``service-results`` answer, in the order the portal gives them.

    ``average`` is the portal's own figure (``overview.totalScore``), not recomputed: the portal's
    national average is not the plain mean of the 34 totals. ``members`` has the columns
    :data:`MEMBER_COLUMNS` (object dtype): points are exact ``Decimal`` values of the JSON numbers,
    ``None`` where the portal gives null or nothing; ``child_group`` is ``AGENCY`` or ``COMMUNE`` in
    a province's list of units and ``""`` in the national list.
    """

    path: Path
    average: Decimal | None
    scope_name: str
    members: pd.DataFrame


def read_national(path: str | Path, diagnostics: Diagnostics | None = None) -> NationalList:
    """Read a ``service-results`` answer, national or one province's units.

    A member whose ``totalScore`` differs from the sum of its six group scores by more than
    :data:`SUM_TOLERANCE` is a warning in ``diagnostics`` (kind ``total_mismatch``), not an error:
    the figures are the portal's and a bulletin reports them as published.
    """
    path = Path(path)
    diagnostics = diagnostics if diagnostics is not None else Diagnostics()
    data = _load(path)
    groups = {g.code: g for g in load().groups}
    overview = data.get("overview")
    if overview is not None and not isinstance(overview, dict):
        raise InputError(f"phải là một đối tượng JSON, không phải {_shown(overview)}", path, column="overview")
    average, scope_name = None, ""
    if overview is not None:
        scope_name = _text_field(overview, "departmentName", path, "overview")
        average = _points(overview, "totalScore", MAX_TOTAL, path, "overview", scope_name or "cả nước")
    members = data.get("evaluation")
    if members is None:
        raise InputError("thiếu danh sách đơn vị 'evaluation' của phản hồi API", path, column="evaluation")
    if not isinstance(members, list):
        raise InputError(f"phải là một danh sách, không phải {_shown(members)}", path, column="evaluation")
    if not members:
        raise InputError("danh sách đơn vị rỗng", path, column="evaluation")
    rows: list[dict[str, Any]] = []
    seen: dict[tuple[str, str], str] = {}
    for i, raw in enumerate(members):
        prefix = f"evaluation[{i}]"
        if not isinstance(raw, dict):
            raise InputError(f"phải là một đối tượng JSON, không phải {_shown(raw)}", path, column=prefix)
        row = _member(raw, groups, path, prefix)
        name = row["unit_name"] or row["department_id"]
        for field_name, key in (("departmentId", row["department_id"]), ("departmentCode", row["unit_code"])):
            if not key:
                continue
            earlier = seen.setdefault((field_name, key), prefix)
            if earlier != prefix:
                raise InputError(
                    f"đơn vị {_shown(name)} xuất hiện hai lần trong danh sách ({earlier} và {prefix}, "
                    f"cùng {field_name} {_shown(key)})",
                    path,
                    column=f"{prefix}.{field_name}",
                )
        _check_sum(row, path, prefix, name, diagnostics)
        rows.append(row)
    return NationalList(path, average, scope_name, pd.DataFrame(rows, columns=list(MEMBER_COLUMNS), dtype=object))


def _member(raw: dict[str, Any], groups: dict[str, Group], path: Path, prefix: str) -> dict[str, Any]:
    department_id = _text_field(raw, "departmentId", path, prefix)
    if not department_id:
        raise InputError("đơn vị không có departmentId", path, column=f"{prefix}.departmentId")
    name = _text_field(raw, "departmentName", path, prefix)
    unit = name or department_id
    row: dict[str, Any] = {
        "department_id": department_id,
        "unit_code": _text_field(raw, "departmentCode", path, prefix),
        "unit_name": name,
        "child_group": _text_field(raw, "childGroup", path, prefix),
        "total": _points(raw, "totalScore", MAX_TOTAL, path, prefix, unit),
    }
    scores = raw.get("groupScores")
    if scores is not None and not isinstance(scores, dict):
        raise InputError(
            f"{unit}: phải là một đối tượng JSON, không phải {_shown(scores)}", path, column=f"{prefix}.groupScores"
        )
    for code, group in groups.items():
        # a group the portal leaves out is unknown, never 0; keys beyond the six are not ours to judge
        row[group.key] = (
            None if scores is None else _points(scores, code, group.max, path, f"{prefix}.groupScores", unit)
        )
    delta = _decimal(_number(raw.get("scoreDelta"), "scoreDelta", path, prefix, unit))
    if delta is not None and abs(delta) > _MAX_DELTA:
        raise InputError(
            f"{unit}: scoreDelta = {delta} không hợp lý (quá {_MAX_DELTA})", path, column=f"{prefix}.scoreDelta"
        )
    row["score_delta"] = delta
    return row


def _decimal(value: int | float | None) -> Decimal | None:
    # str() keeps the JSON's digits: 68.8 stays Decimal('68.8'), not its binary expansion
    return None if value is None else Decimal(str(value))


def _points(raw: dict[str, Any], name: str, top: Decimal, path: Path, where: str, unit: str) -> Decimal | None:
    """A score within 0..``top``, or ``None`` for null or absent."""
    value = _decimal(_number(raw.get(name), name, path, where, unit))
    if value is not None and not 0 <= value <= top:
        raise InputError(f"{unit}: {name} = {value} nằm ngoài khoảng 0–{top} điểm", path, column=f"{where}.{name}")
    return value


def _check_sum(row: dict[str, Any], path: Path, prefix: str, unit: str, diagnostics: Diagnostics) -> None:
    """Warn when the total is not the sum of the groups; only with all six given, as a partial sum proves nothing."""
    parts = [row[key] for key in GROUP_KEYS]
    if row["total"] is None or any(p is None for p in parts):
        return
    summed = sum(parts, Decimal(0))
    if abs(row["total"] - summed) > SUM_TOLERANCE:
        diagnostics.warn(
            "total_mismatch",
            f"{unit}: totalScore = {row['total']} khác tổng điểm sáu nhóm ({summed}) quá {SUM_TOLERANCE} điểm",
            path,
            column=f"{prefix}.totalScore",
            unit=unit,
        )


def captured_on(folder: str | Path, endpoint: str) -> date | None:
    """The day (Vietnam time) ``snapshot.json`` says ``endpoint`` was captured; ``None`` when it does not say."""
    captured = captured_days(folder).get(endpoint)
    return captured[0] if captured else None
