"""Read a portal snapshot folder (the six evaluation API responses) into tidy tables.

Units are matched across the six responses by ``departmentId``; codes come from the responses
that carry them. Counts are kept exactly as given; scoring happens in :mod:`chiso766.compute.scorecard`.

Whatever a response holds, reading it either succeeds or raises an :class:`InputError` naming the
file and the JSON path (``children[3].totalReceived``): NaN, Infinity, numbers of thousands of
digits, counts beyond :data:`MAX_COUNT`, scores outside 0 to the group's or component's maximum,
text where a number belongs, nesting too deep, a unit listed twice, and a ``snapshot.json`` of
another period than the one asked for.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from chiso766.core.errors import Diagnostics, InputError, os_error
from chiso766.core.methodology import Component, Methodology
from chiso766.core.periods import VIETNAM, Period, parse_period
from chiso766.core.textvi import nfc

__all__ = [
    "Snapshot",
    "read_snapshot",
    "snapshot_meta",
    "captured_days",
    "snapshot_period",
    "monthly_chart",
    "ENDPOINTS",
    "MAX_COUNT",
]

ENDPOINTS = (
    "transparency",
    "dvc-progress-tree",
    "provide-online-tree",
    "formality-online-payment-tree",
    "handling-satisfaction",
    "dossier-digitized",
)

_TIER_BY_LEVEL = {"PROVINCE": "so", "COMMUNE": "xa"}

MAX_COUNT = 10**9
"""The largest count believed: a province receives about a million dossiers a year, never a billion."""

_MAX_DIGITS = 100  # digits of a JSON number read at all; longer ones are refused by name
_MAX_SHOWN = 40


class _Bad:
    """A JSON number that cannot be used (NaN, Infinity, too many digits): kept until its path is known."""

    def __init__(self, text: str, problem: str = "không phải số hữu hạn") -> None:
        self.text = text if len(text) <= _MAX_SHOWN else f"{text[:20]}… ({len(text)} ký tự)"
        self.problem = problem

    def __repr__(self) -> str:
        return self.text


def _parse_int(text: str) -> int | _Bad:
    digits = len(text.lstrip("-"))
    return _Bad(text, "có quá nhiều chữ số") if digits > _MAX_DIGITS else int(text)


def _parse_float(text: str) -> float | _Bad:
    if len(text) > _MAX_DIGITS + 10:
        return _Bad(text, "có quá nhiều chữ số")
    value = float(text)
    return value if math.isfinite(value) else _Bad(text)


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


def snapshot_meta(folder: str | Path) -> dict[str, Any] | None:
    """What ``snapshot.json`` (written by ``chiso766 snapshot``) says of the folder, ``None`` without one."""
    path = Path(folder) / "snapshot.json"
    if not path.is_file():
        return None
    try:
        meta = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise InputError(f"tệp mô tả ảnh chụp không đọc được ({type(exc).__name__})", path) from None
    return meta if isinstance(meta, dict) else {}


def snapshot_period(folder: str | Path) -> str | None:
    """The period ``snapshot.json`` says the folder holds, if any."""
    path = Path(folder) / "snapshot.json"
    meta = snapshot_meta(folder)
    label = meta.get("period") if meta is not None else None
    if label is None:
        return None
    if not isinstance(label, str):
        raise InputError(f"kỳ {_shown(label)} không phải là chuỗi ký tự", path, column="period")
    return label


def captured_days(folder: str | Path) -> dict[str, tuple[date, str]]:
    """The day (Vietnam time) ``snapshot.json`` says each endpoint was captured, with the key that
    says it (``captures[3].capturedAt``); the procedures' own captures are left out. Empty without
    a ``snapshot.json``."""
    path = Path(folder) / "snapshot.json"
    captures = (snapshot_meta(folder) or {}).get("captures")
    days: dict[str, tuple[date, str]] = {}
    for i, capture in enumerate(captures if isinstance(captures, list) else []):
        if not isinstance(capture, dict) or "procedure" in capture or not isinstance(capture.get("endpoint"), str):
            continue
        key = f"captures[{i}].capturedAt"
        try:
            moment = datetime.fromisoformat(str(capture.get("capturedAt")))
        except ValueError:
            raise InputError("thời điểm chụp không hợp lệ", path, column=key) from None
        day = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(VIETNAM).date()
        days.setdefault(capture["endpoint"], (day, key))
    return days


def _check_period(folder: Path, period: Period | str) -> None:
    """A snapshot folder must hold the period asked for, when its ``snapshot.json`` says which."""
    label = snapshot_period(folder)
    if label is None:
        return
    wanted = period if isinstance(period, Period) else parse_period(period)
    try:
        held = parse_period(label)
    except ValueError as exc:
        raise InputError(
            f"kỳ «{_shown(label)}» không hợp lệ ({exc})", folder / "snapshot.json", column="period"
        ) from None
    if (held.start, held.end) != (wanted.start, wanted.end):
        raise InputError(
            f"ảnh chụp Cổng này là của kỳ «{held.label}», không phải kỳ «{wanted.label}» cần báo cáo: "
            "hãy chọn đúng thư mục ảnh chụp hoặc sửa period",
            folder / "snapshot.json",
            column="period",
        )


def read_snapshot(
    folder: str | Path,
    method: Methodology,
    diagnostics: Diagnostics | None = None,
    *,
    period: Period | str | None = None,
    every_code: bool = True,
) -> Snapshot:
    """Read every ``<endpoint>.json`` in ``folder``; a missing endpoint is a warning, not a 0.

    With ``period``, a folder whose ``snapshot.json`` names another period is refused. A metric code
    of the methodology at no unit is refused, unless ``every_code`` is false (the responses filtered
    to one procedure carry only the metrics that procedure has).
    """
    folder = Path(folder)
    diagnostics = diagnostics if diagnostics is not None else Diagnostics()
    if not folder.is_dir():
        raise InputError("không tìm thấy thư mục dữ liệu Cổng (portal)", folder)
    if period is not None:
        _check_period(folder, period)
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
        seen: dict[str, str] = {}
        codes: dict[str, set[str]] = {}
        for raw, is_province, prefix in _unit_objects(data, path):
            unit_id = _unit_identity(raw, is_province, path, prefix, units)
            name = _text_field(raw, "departmentName", path, prefix)
            if unit_id in seen:
                raise InputError(
                    f"đơn vị {_shown(name or unit_id)} xuất hiện hai lần trong cùng phản hồi "
                    f"({seen[unit_id]} và {prefix}, cùng departmentId {_shown(unit_id)})",
                    path,
                    column=f"{prefix}.departmentId",
                )
            seen[unit_id] = prefix
            _check_scores(raw, group.max, path, prefix, ("score", "totalScore"), name)
            group_points, given = reader(raw, method.components_of(group.key), path, prefix, unit_id, components)
            metrics = raw.get("metrics") if reader is _read_metrics else None
            if isinstance(metrics, list):
                codes[unit_id] = {str(m.get("code")) for m in metrics if isinstance(m, dict)}
            groups.append(
                {"unit_id": unit_id, "group": group.key, "portal_points": group_points, "counts_given": given}
            )
        if every_code and codes:
            known = {c.api_code for c in method.components if c.api_code}
            _require_every_code(method.components_of(group.key), codes, seen, known, path, diagnostics)
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


def _shown(value: object) -> str:
    text = repr(value) if not isinstance(value, str) else f"«{value}»"
    text = "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in text)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 1] + "…"


def _load(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"không đọc được tệp ({os_error(exc).reason})", path) from None
    if not raw.strip():
        raise InputError("tệp rỗng", path)
    try:
        document = json.loads(
            raw.decode("utf-8-sig"), parse_int=_parse_int, parse_float=_parse_float, parse_constant=_Bad
        )
    except UnicodeDecodeError as exc:
        raise InputError(f"tệp không phải văn bản UTF-8 (byte {exc.start})", path) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"không phải JSON hợp lệ ({exc.msg}, dòng {exc.lineno} cột {exc.colno})", path) from None
    except RecursionError:
        raise InputError("JSON lồng nhau quá sâu: không phải phản hồi của Cổng", path) from None
    except ValueError as exc:  # anything else json.loads refuses
        raise InputError(f"không phải JSON hợp lệ ({exc})", path) from None
    if not isinstance(document, dict) or not isinstance(document.get("data"), dict):
        raise InputError("thiếu khối 'data' của phản hồi API", path)
    if document.get("code") not in (None, "OK"):
        raise InputError(
            f"Cổng trả về mã {_shown(document.get('code'))}: {_shown(document.get('message'))}", path, column="code"
        )
    data: dict[str, Any] = document["data"]
    return data


def _unit_objects(data: dict[str, Any], path: Path) -> list[tuple[dict[str, Any], bool, str]]:
    """The province object and each unit's, with the JSON path an error message names."""
    head, list_name = ("overview", "evaluation") if "evaluation" in data else ("parent", "children")
    members = data.get(list_name)
    if not isinstance(members, list) or not members:
        raise InputError("danh sách đơn vị rỗng", path, column=list_name)
    if data.get(head) is not None and not isinstance(data.get(head), dict):
        raise InputError("phải là một đối tượng JSON", path, column=head)
    objects = [(data[head], True, head)] if isinstance(data.get(head), dict) else []
    for i, member in enumerate(members):
        if not isinstance(member, dict):
            raise InputError(
                f"phải là một đối tượng JSON, không phải {_shown(member)}", path, column=f"{list_name}[{i}]"
            )
    return objects + [(m, False, f"{list_name}[{i}]") for i, m in enumerate(members)]


def _text_field(raw: dict[str, Any], name: str, path: Path, prefix: str) -> str:
    value = raw.get(name)
    if value is None:
        return ""
    if isinstance(value, (dict, list, bool, _Bad)):
        raise InputError(f"{name} = {_shown(value)} không phải là chuỗi ký tự", path, column=f"{prefix}.{name}")
    return nfc(value)


def _number(value: object, name: str, path: Path, where: str, unit: str) -> int | float | None:
    """A JSON number, or ``None`` for null; anything else (NaN, text, a list…) is named."""
    if value is None:
        return None
    if isinstance(value, _Bad):
        raise InputError(f"{unit}: {name} = {value.text} {value.problem}", path, column=f"{where}.{name}")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError(f"{unit}: {name} = {_shown(value)} không phải là số", path, column=f"{where}.{name}")
    return value


def _check_scores(raw: dict[str, Any], top: Decimal, path: Path, where: str, names: tuple[str, ...], unit: str) -> None:
    """Scores within 0..``top`` and the ratio within 0..100 %, or null."""
    for name in names:
        value = _number(raw.get(name), name, path, where, unit)
        if value is not None and not 0 <= value <= top:
            raise InputError(f"{unit}: {name} = {value} nằm ngoài khoảng 0–{top} điểm", path, column=f"{where}.{name}")
    ratio = _number(raw.get("ratio"), "ratio", path, where, unit)
    if ratio is not None and not 0 <= ratio <= 100:
        raise InputError(f"{unit}: ratio = {ratio} nằm ngoài khoảng 0–100 %", path, column=f"{where}.ratio")


def _unit_identity(
    raw: dict[str, Any], is_province: bool, path: Path, prefix: str, units: dict[str, dict[str, Any]]
) -> str:
    unit_id = _text_field(raw, "departmentId", path, prefix)
    if not unit_id:
        raise InputError("đơn vị không có departmentId", path, column=f"{prefix}.departmentId")
    level = _text_field(raw, "level", path, prefix) or _text_field(raw, "departmentLevel", path, prefix)
    tier = "tinh" if is_province else _TIER_BY_LEVEL.get(level, "")
    known = units.setdefault(unit_id, {"unit_id": unit_id, "unit_code": "", "unit_name": "", "tier": tier})
    known["unit_code"] = known["unit_code"] or _text_field(raw, "departmentCode", path, prefix)
    known["unit_name"] = known["unit_name"] or _text_field(raw, "departmentName", path, prefix)
    known["tier"] = known["tier"] or tier
    return unit_id


def _count(raw: dict[str, Any], fields: str, path: Path, where: str, unit: str) -> int | None:
    """Sum of the named count fields (``a+b``), ``None`` if any is absent or null."""
    total = 0
    for name in fields.split("+"):
        value = _number(raw.get(name), name, path, where, unit)
        if value is None:
            return None
        if value != int(value):
            raise InputError(f"{unit}: {name} = {value!r} không phải số nguyên", path, column=f"{where}.{name}")
        if value < 0:
            raise InputError(f"{unit}: {name} = {value} là số âm", path, column=f"{where}.{name}")
        if value > MAX_COUNT:
            raise InputError(
                f"{unit}: {name} = {int(value)} không hợp lý (lớn hơn {MAX_COUNT:_} hồ sơ)".replace("_", "."),
                path,
                column=f"{where}.{name}",
            )
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
    unit = _text_field(raw, "departmentName", path, prefix)
    metrics = raw.get("metrics") or []
    if not isinstance(metrics, list):
        raise InputError("phải là một danh sách", path, column=f"{prefix}.metrics")
    seen: set[str] = set()
    for position, metric in enumerate(metrics):
        if not isinstance(metric, dict):
            raise InputError(
                f"phải là một đối tượng JSON, không phải {_shown(metric)}", path, column=f"{prefix}.metrics[{position}]"
            )
        code = _text_field(metric, "code", path, f"{prefix}.metrics[{position}]")
        component = by_code.get(code)
        if component is None:
            continue
        where = f"{prefix}.metrics[{code}]"
        if code in seen:
            raise InputError(f"{unit}: chỉ số {code} xuất hiện hai lần", path, column=where)
        seen.add(code)
        _require_fields(metric, (*_fields(component), "score"), path, where, unit)
        _check_scores(metric, component.max, path, where, ("score",), unit)
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
                "data_quality": _text_field(metric, "dataQualityStatus", path, where),
            }
        )
    _require_fields(raw, ("totalScore",), path, prefix, unit)
    return raw.get("totalScore"), True


def _require_every_code(
    members: tuple[Component, ...],
    codes: dict[str, set[str]],
    units: dict[str, str],
    known: set[str],
    path: Path,
    diagnostics: Diagnostics,
) -> None:
    """Refuse a response where a component's metric code is at some units and not others (every unit of
    a response carries the same metrics), or at none while a code the methodology does not know is
    there: the portal renamed or dropped it, and the component would leave those units' scores without
    a word. A code at no unit and nothing new in its place (a response from before the metric) is a
    warning. ``codes`` holds each unit's metric codes, ``units`` where each unit is."""
    everywhere = set().union(*codes.values()) if codes else set()
    wanted = [c for c in members if c.api_code]
    for unit, held in codes.items():
        absent = [c.api_code for c in wanted if c.api_code in everywhere and c.api_code not in held]
        if absent:
            raise InputError(
                f"không có chỉ số mã {', '.join(absent)}, mà các đơn vị khác trong phản hồi có",
                path,
                column=units[unit],
            )
    nowhere = [c for c in wanted if c.api_code not in everywhere]
    new = sorted(everywhere - known)
    if nowhere and new:
        raise InputError(
            f"không đơn vị nào có chỉ số mã {', '.join(c.api_code for c in nowhere)}, và có mã lạ {', '.join(new)}: "
            "Cổng đã đổi mã chỉ số; cập nhật api_code của chỉ số trong lib/chiso766/core/data/components.csv "
            "theo mã mới",
            path,
            column="metrics[].code",
        )
    for component in nowhere:
        diagnostics.warn(
            "missing_metric",
            f"phản hồi không có chỉ số {component.id} «{component.name_vi}» (mã {component.api_code}) ở đơn vị nào: "
            "chỉ số này không được tính",
            path,
        )


def _fields(component: Component) -> tuple[str, ...]:
    return (*component.numerator_field.split("+"), *component.denominator_field.split("+"))


def _require_fields(raw: dict[str, Any], names: tuple[str, ...], path: Path, where: str, unit: str) -> None:
    """Every field the response always carries, null or not: one absent means the portal renamed or
    dropped it, and reading it as null would score every unit without it."""
    for name in names:
        if name not in raw:
            raise InputError(
                f"{unit}: thiếu trường {name} (Cổng đã đổi cấu trúc số liệu?); không tính điểm từ tệp này",
                path,
                column=f"{where}.{name}",
            )


def _tree_points(raw: dict[str, Any], path: Path, prefix: str, unit: str) -> Any:
    """A tree node's points: ``score`` on a unit, ``totalScore`` on the province; one of them is always there."""
    if "score" not in raw:
        _require_fields(raw, ("totalScore",), path, prefix, unit)
    return raw.get("score", raw.get("totalScore"))


def _read_tree(
    raw: dict[str, Any],
    members: tuple[Component, ...],
    path: Path,
    prefix: str,
    unit_id: str,
    out: list[dict[str, Any]],
) -> tuple[Any, bool]:
    unit = _text_field(raw, "departmentName", path, prefix)
    rows = []
    for component in members:
        numerator, denominator = _checked_pair(raw, component, path, prefix, unit)
        if numerator is None and denominator is None:
            return _tree_points(raw, path, prefix, unit), False
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
    points = _tree_points(raw, path, prefix, unit)
    if len(rows) == 1:  # the group is one component: its score is the component's
        rows[0].update(portal_points=points, portal_rate=raw.get("ratio"), portal_reports_points=True)
    out.extend(rows)
    return points, True


def monthly_chart(folder: str | Path) -> pd.DataFrame | None:
    """The province's on-time and overdue shares by month (``dvc-progress-tree.json``'s ``monthlyChart``).

    Columns ``month`` (1–12), ``on_time_pct``, ``overdue_pct`` as the portal gives them (Decimal);
    months the portal shows as 0 and 0 (nothing received yet) are left out, not read as 0 %.
    ``None`` when the folder has no such chart.
    """
    path = Path(folder) / "dvc-progress-tree.json"
    if not path.is_file():
        return None
    chart = _load(path).get("monthlyChart")
    if not chart:
        return None
    if not isinstance(chart, list):
        raise InputError("phải là một danh sách", path, column="monthlyChart")
    rows = []
    for i, item in enumerate(chart):
        where = f"monthlyChart[{i}]"
        if not isinstance(item, dict):
            raise InputError(f"phải là một đối tượng JSON, không phải {_shown(item)}", path, column=where)
        month = item.get("month")
        number = int(month) if isinstance(month, str) and month.isdigit() else month if type(month) is int else 0
        if not 1 <= number <= 12:
            raise InputError(f"tháng {_shown(month)} không hợp lệ", path, column=f"{where}.month")
        shares = []
        for name in ("onTimePct", "overduePct"):
            value = _number(item.get(name), name, path, where, "Cả tỉnh")
            if value is not None and not 0 <= value <= 100:
                raise InputError(f"{name} = {value} nằm ngoài khoảng 0–100 %", path, column=f"{where}.{name}")
            shares.append(None if value is None else Decimal(str(value)))
        if any(shares):
            rows.append({"month": number, "on_time_pct": shares[0], "overdue_pct": shares[1]})
    return pd.DataFrame(rows, columns=["month", "on_time_pct", "overdue_pct"], dtype=object) if rows else None
