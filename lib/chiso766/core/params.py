"""Params files: one YAML per report and period, validated before anything runs."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from chiso766.core.errors import ParamsError
from chiso766.core.periods import Period, parse_period

__all__ = ["Params", "load_params", "REPORTS", "INPUT_KINDS", "apply_overrides", "project_root"]

REPORTS = ("bulletin_766", "weekly_tthc", "unit_report")
INPUT_KINDS = ("portal", "scores", "dossiers", "complaints", "units", "previous")
_KNOWN_KEYS = {"report", "period", "as_of", "province", "unit", "inputs", "targets", "issuer",
               "methodology_version", "renderer", "title", "previous", "options", "note", "engine", "spark"}


@dataclass(frozen=True)
class Params:
    """Validated params: the raw mapping (as recorded in the manifest) and what it resolves to."""

    path: Path | None
    raw: dict[str, Any]
    report: str
    period: Period
    as_of: date
    inputs: dict[str, Path]

    def get(self, key: str, default: Any = None) -> Any:
        return self.raw.get(key, default)


def project_root(params_path: Path) -> Path:
    """Where relative input paths start: the folder holding ``params/``, else the file's folder.

    So ``inputs: {portal: data/samples/…}`` works from ``params/bulletin_766/2026-08.yaml`` whatever
    the current directory.
    """
    for parent in params_path.resolve().parents:
        if parent.name == "params":
            return parent.parent
    return params_path.resolve().parent


def _parse_value(text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def apply_overrides(raw: dict[str, Any], overrides: list[str]) -> dict[str, Any]:
    """Apply ``key=value`` overrides; dotted keys reach into mappings (``inputs.portal=…``).

    Examples
    --------
    >>> apply_overrides({"inputs": {"portal": "a"}}, ["inputs.portal=b", "period=2026-Q3"])
    {'inputs': {'portal': 'b'}, 'period': '2026-Q3'}
    """
    out = copy.deepcopy(raw)
    for item in overrides:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ParamsError(f"tham số -p «{item}» phải có dạng key=value")
        *parents, leaf = key.strip().split(".")
        node = out
        for name in parents:
            node = node.setdefault(name, {})
            if not isinstance(node, dict):
                raise ParamsError(f"tham số -p «{item}»: {name} không phải là một nhóm khóa")
        node[leaf] = _parse_value(value)
    return out


def load_params(path: str | Path, overrides: list[str] | None = None, *,
                check_inputs: bool = True) -> Params:
    """Read, override and validate a params file; every problem is a :class:`ParamsError`."""
    path = Path(path)
    if not path.is_file():
        raise ParamsError("không tìm thấy tệp tham số", path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ParamsError(f"tệp YAML không hợp lệ: {exc}", path) from exc
    if not isinstance(raw, dict):
        raise ParamsError("tệp tham số phải là một bảng khóa: giá trị (YAML mapping)", path)
    raw = apply_overrides(raw, overrides or [])
    return validate(raw, path, check_inputs=check_inputs)


def validate(raw: dict[str, Any], path: Path | None, *, check_inputs: bool = True) -> Params:
    """Check keys, report kind, period, as-of date and inputs."""
    unknown = sorted(set(raw) - _KNOWN_KEYS)
    if unknown:
        raise ParamsError(f"khóa không được hỗ trợ: {', '.join(unknown)} (hỗ trợ: {', '.join(sorted(_KNOWN_KEYS))})",
                          path, column=unknown[0])
    report = raw.get("report")
    if report not in REPORTS:
        raise ParamsError(f"report «{report}» không tồn tại (dùng: {', '.join(REPORTS)})", path, column="report")
    if "period" not in raw:
        raise ParamsError("thiếu khóa period", path, column="period")
    try:
        period = parse_period(raw["period"])
    except ValueError as exc:
        raise ParamsError(str(exc), path, column="period") from None
    as_of_raw = raw.get("as_of")
    try:
        as_of = period.end if as_of_raw in (None, "") else (
            as_of_raw if isinstance(as_of_raw, date) else date.fromisoformat(str(as_of_raw)))
    except ValueError:
        raise ParamsError(f"as_of «{as_of_raw}» không đúng dạng yyyy-mm-dd", path, column="as_of") from None
    inputs_raw = raw.get("inputs") or {}
    if not isinstance(inputs_raw, dict) or not inputs_raw:
        raise ParamsError("thiếu khóa inputs (ví dụ inputs: {portal: data/…})", path, column="inputs")
    root = project_root(path) if path else Path.cwd()
    inputs = {}
    for kind, value in inputs_raw.items():
        if kind not in INPUT_KINDS:
            raise ParamsError(f"loại dữ liệu vào «{kind}» không tồn tại (dùng: {', '.join(INPUT_KINDS)})",
                              path, column=f"inputs.{kind}")
        resolved = Path(str(value)) if Path(str(value)).is_absolute() else root / str(value)
        if check_inputs and not resolved.exists():
            raise ParamsError(f"không tìm thấy dữ liệu vào {kind}: {resolved}", path, column=f"inputs.{kind}")
        inputs[kind] = resolved
    if report == "bulletin_766" and not inputs.keys() & {"portal", "scores"}:
        raise ParamsError("bulletin_766 cần inputs.portal hoặc inputs.scores", path, column="inputs")
    if raw.get("engine", "duckdb") not in ("duckdb", "spark"):
        raise ParamsError(f"engine «{raw.get('engine')}» không được hỗ trợ (duckdb, spark)", path, column="engine")
    if report == "unit_report" and not raw.get("unit"):
        raise ParamsError("unit_report cần khóa unit (tên hoặc mã đơn vị)", path, column="unit")
    return Params(path, raw, report, period, as_of, inputs)
