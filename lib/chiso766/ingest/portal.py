"""Read a portal snapshot folder (the six evaluation API responses) into tidy tables.

Units are matched across the six responses by ``departmentId``; codes come from the responses
that carry them. Counts are kept exactly as given; scoring happens in :mod:`chiso766.compute.scorecard`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from chiso766.core.errors import Diagnostics, InputError
from chiso766.core.methodology import Component, Methodology
from chiso766.core.textvi import nfc

__all__ = ["Snapshot", "read_snapshot", "ENDPOINTS"]

ENDPOINTS = (
    "transparency",
    "dvc-progress-tree",
    "provide-online-tree",
    "formality-online-payment-tree",
    "handling-satisfaction",
    "dossier-digitized",
)

_TIER_BY_LEVEL = {"PROVINCE": "so", "COMMUNE": "xa"}


@dataclass
class Snapshot:
    """What one snapshot folder holds, before scoring.

    ``units``: unit_id, unit_code, unit_name, tier (``tinh`` for the province itself).
    ``components``: unit_id, group, component, numerator, denominator, portal_rate, portal_points,
    portal_reports_points, data_quality; counts are ``None`` where the response gives none, and
    ``portal_reports_points`` is False where the portal scores only the group, not the component.
    ``groups``: unit_id, group, portal_points, counts_given (False where the response gives the
    unit's group score without its counts).
    """

    folder: Path
    units: pd.DataFrame
    components: pd.DataFrame
    groups: pd.DataFrame
    endpoints: list[str]
    diagnostics: Diagnostics = field(default_factory=Diagnostics)


def read_snapshot(folder: str | Path, method: Methodology, diagnostics: Diagnostics | None = None) -> Snapshot:
    """Read every ``<endpoint>.json`` in ``folder``; a missing endpoint is a warning, not a 0."""
    folder = Path(folder)
    diagnostics = diagnostics if diagnostics is not None else Diagnostics()
    if not folder.is_dir():
        raise InputError("không tìm thấy thư mục dữ liệu Cổng (portal)", folder)
    units: dict[str, dict[str, Any]] = {}
    components: list[dict[str, Any]] = []
    groups: list[dict[str, Any]] = []
    present: list[str] = []
    for group in method.groups:
        path = folder / f"{group.endpoint}.json"
        if not path.is_file():
            diagnostics.warn(
                "missing_endpoint", f"thiếu tệp {path.name}: nhóm «{group.name_vi}» không có dữ liệu", folder
            )
            continue
        present.append(group.endpoint)
        data = _load(path)
        reader = _read_metrics if "evaluation" in data else _read_tree
        for raw, is_province, prefix in _unit_objects(data, path):
            unit_id = _unit_identity(raw, is_province, path, prefix, units)
            group_points, given = reader(raw, method.components_of(group.key), path, prefix, unit_id, components)
            groups.append(
                {"unit_id": unit_id, "group": group.key, "portal_points": group_points, "counts_given": given}
            )
    if not present:
        raise InputError("thư mục không có tệp nào của Cổng (transparency.json, …)", folder)
    unit_frame = pd.DataFrame(list(units.values()), columns=["unit_id", "unit_code", "unit_name", "tier"])
    return Snapshot(
        folder,
        unit_frame,
        pd.DataFrame(
            components,
            columns=[
                "unit_id",
                "group",
                "component",
                "numerator",
                "denominator",
                "portal_rate",
                "portal_points",
                "portal_reports_points",
                "data_quality",
            ],
            dtype=object,
        ),
        pd.DataFrame(groups, columns=["unit_id", "group", "portal_points", "counts_given"], dtype=object),
        present,
        diagnostics,
    )


def _load(path: Path) -> dict[str, Any]:
    raw = path.read_bytes()
    if not raw.strip():
        raise InputError("tệp rỗng", path)
    try:
        document = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"không phải JSON hợp lệ ({exc})", path) from exc
    if not isinstance(document, dict) or not isinstance(document.get("data"), dict):
        raise InputError("thiếu khối 'data' của phản hồi API", path)
    if document.get("code") not in (None, "OK"):
        raise InputError(f"Cổng trả về mã {document.get('code')!r}: {document.get('message')}", path)
    data: dict[str, Any] = document["data"]
    return data


def _unit_objects(data: dict[str, Any], path: Path) -> list[tuple[dict[str, Any], bool, str]]:
    """The province object and each unit's, with the JSON path an error message names."""
    head, list_name = ("overview", "evaluation") if "evaluation" in data else ("parent", "children")
    members = data.get(list_name)
    if not isinstance(members, list) or not members:
        raise InputError("danh sách đơn vị rỗng", path, column=list_name)
    objects = [(data[head], True, head)] if isinstance(data.get(head), dict) else []
    return objects + [(m, False, f"{list_name}[{i}]") for i, m in enumerate(members)]


def _unit_identity(
    raw: dict[str, Any], is_province: bool, path: Path, prefix: str, units: dict[str, dict[str, Any]]
) -> str:
    unit_id = nfc(raw.get("departmentId"))
    if not unit_id:
        raise InputError("đơn vị không có departmentId", path, column=f"{prefix}.departmentId")
    tier = "tinh" if is_province else _TIER_BY_LEVEL.get(raw.get("level") or raw.get("departmentLevel") or "", "")
    known = units.setdefault(unit_id, {"unit_id": unit_id, "unit_code": "", "unit_name": "", "tier": tier})
    known["unit_code"] = known["unit_code"] or nfc(raw.get("departmentCode"))
    known["unit_name"] = known["unit_name"] or nfc(raw.get("departmentName"))
    known["tier"] = known["tier"] or tier
    return unit_id


def _count(raw: dict[str, Any], fields: str, path: Path, where: str, unit: str) -> int | None:
    """Sum of the named count fields (``a+b``), ``None`` if any is absent or null."""
    total = 0
    for name in fields.split("+"):
        value = raw.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
            raise InputError(f"{unit}: {name} = {value!r} không phải số nguyên", path, column=f"{where}.{name}")
        if value < 0:
            raise InputError(f"{unit}: {name} = {value} là số âm", path, column=f"{where}.{name}")
        total += int(value)
    return total


def _checked_pair(
    raw: dict[str, Any], component: Component, path: Path, where: str, unit: str
) -> tuple[int | None, int | None]:
    numerator = _count(raw, component.numerator_field, path, where, unit)
    denominator = _count(raw, component.denominator_field, path, where, unit)
    if numerator is not None and denominator is not None and numerator > denominator:
        raise InputError(
            f"{unit}: tử số {numerator} lớn hơn mẫu số {denominator} (chỉ số {component.id})",
            path,
            column=f"{where}.{component.numerator_field}",
        )
    return numerator, denominator


def _read_metrics(
    raw: dict[str, Any],
    members: tuple[Component, ...],
    path: Path,
    prefix: str,
    unit_id: str,
    out: list[dict[str, Any]],
) -> tuple[Any, bool]:
    by_code = {c.api_code: c for c in members}
    unit = nfc(raw.get("departmentName"))
    for metric in raw.get("metrics") or []:
        component = by_code.get(metric.get("code"))
        if component is None:
            continue
        where = f"{prefix}.metrics[{metric.get('code')}]"
        numerator, denominator = _checked_pair(metric, component, path, where, unit)
        out.append(
            {
                "unit_id": unit_id,
                "group": component.group,
                "component": component.id,
                "numerator": numerator,
                "denominator": denominator,
                "portal_rate": metric.get("ratio"),
                "portal_points": metric.get("score"),
                "portal_reports_points": True,
                "data_quality": nfc(metric.get("dataQualityStatus")),
            }
        )
    return raw.get("totalScore"), True


def _read_tree(
    raw: dict[str, Any],
    members: tuple[Component, ...],
    path: Path,
    prefix: str,
    unit_id: str,
    out: list[dict[str, Any]],
) -> tuple[Any, bool]:
    unit = nfc(raw.get("departmentName"))
    rows = []
    for component in members:
        numerator, denominator = _checked_pair(raw, component, path, prefix, unit)
        if numerator is None and denominator is None:
            return raw.get("score", raw.get("totalScore")), False
        rows.append(
            {
                "unit_id": unit_id,
                "group": component.group,
                "component": component.id,
                "numerator": numerator,
                "denominator": denominator,
                "portal_rate": None,
                "portal_points": None,
                "portal_reports_points": False,
                "data_quality": "",
            }
        )
    points = raw.get("score", raw.get("totalScore"))
    if len(rows) == 1:  # the group is one component: its score is the component's
        rows[0].update(portal_points=points, portal_rate=raw.get("ratio"), portal_reports_points=True)
    out.extend(rows)
    return points, True
