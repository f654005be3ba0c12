"""Audit: re-run an output folder from its manifest and compare, and explain one unit's score."""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from chiso766.core.errors import InputError
from chiso766.core.methodology import load as load_methodology
from chiso766.core.textvi import fmt_number, fmt_points, name_key
from chiso766.ingest.checksums import sha256_file
from chiso766.publish.runner import run

__all__ = ["Verification", "verify", "explain"]


@dataclass
class Verification:
    """Per input: ``same``, ``changed`` or ``missing``.

    Per table: ``identical``, ``different``, ``missing`` or ``new``.
    """

    inputs: dict[str, str] = field(default_factory=dict)
    tables: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(v == "same" for v in self.inputs.values()) and all(v == "identical" for v in self.tables.values())

    def lines(self) -> list[str]:
        words = {
            "same": "không đổi",
            "changed": "ĐÃ THAY ĐỔI (SHA-256 khác)",
            "missing": "KHÔNG CÒN",
            "identical": "giống hệt",
            "different": "KHÁC",
            "new": "MỚI (không có trong bản gốc)",
        }
        out = [f"dữ liệu vào {path}: {words[status]}" for path, status in self.inputs.items()]
        out += [f"bảng {name}: {words[status]}" for name, status in self.tables.items()]
        out.append("KẾT LUẬN: tái lập đúng" if self.ok else "KẾT LUẬN: KHÔNG tái lập được")
        return out


def _manifest(out_dir: Path) -> dict[str, Any]:
    path = out_dir / "manifest.json"
    if not path.is_file():
        raise InputError("không có manifest.json: đây không phải thư mục kết quả của chiso766 run", out_dir)
    manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return manifest


def verify(out_dir: str | Path) -> Verification:
    """Check every input's SHA-256, re-run the report into a temporary folder, compare every table."""
    out_dir = Path(out_dir)
    manifest = _manifest(out_dir)
    result = Verification()
    for entry in manifest["inputs"]:
        path = Path(entry["path"])
        result.inputs[entry["path"]] = (
            "missing" if not path.is_file() else "same" if sha256_file(path) == entry["sha256"] else "changed"
        )
    if any(v == "missing" for v in result.inputs.values()):
        return result
    with tempfile.TemporaryDirectory(prefix="chiso766-verify-") as tmp:
        params = dict(manifest["params"])
        params["inputs"] = manifest["input_paths"]
        params_path = Path(tmp) / "params.yaml"
        params_path.write_text(yaml.safe_dump(params, allow_unicode=True, sort_keys=False), encoding="utf-8")
        again = run(params_path, manifest.get("overrides") or [], Path(tmp) / "out")
        original = {p.name: p for p in sorted((out_dir / "tables").glob("*.csv"))}
        rerun = {p.name: p for p in sorted((again / "tables").glob("*.csv"))}
        for name in sorted(original.keys() | rerun.keys()):
            if name not in rerun:
                result.tables[name] = "missing"
            elif name not in original:
                result.tables[name] = "new"
            else:
                result.tables[name] = (
                    "identical" if original[name].read_bytes() == rerun[name].read_bytes() else "different"
                )
    return result


def explain(unit: str, out_dir: str | Path) -> list[str]:
    """One unit's score traced to its groups and components, as lines for the terminal."""
    out_dir = Path(out_dir)
    manifest = _manifest(out_dir)
    method = load_methodology(str(manifest.get("methodology_version") or "2026"))
    tables = out_dir / "tables"
    units = pd.read_csv(tables / "units.csv", dtype=str, keep_default_na=False)
    hits = units[
        (units["unit_code"].str.casefold() == unit.casefold()) | (units["unit_name"].map(name_key) == name_key(unit))
    ]
    if hits.empty:
        raise InputError(f"không có đơn vị «{unit}» trong tables/units.csv", out_dir)
    row = hits.iloc[0]
    code = row["unit_code"]
    groups = pd.read_csv(tables / "groups.csv", dtype=str, keep_default_na=False)
    groups = groups[(groups["unit_code"] == code) & (groups["unit_name"] == row["unit_name"])]
    components_path = tables / "components.csv"
    components = (
        pd.read_csv(components_path, dtype=str, keep_default_na=False)
        if components_path.is_file()
        else pd.DataFrame(columns=["unit_code", "group"])
    )
    components = components[components["unit_code"] == code]
    rank = f", hạng {row['rank']} trong cấp" if row["rank"] else ", không xếp hạng"
    total = fmt_points(Decimal(row["total"])) if row["total"] else "chưa có (thiếu dữ liệu nhóm)"
    lines = [
        f"{row['unit_name']} ({code or 'không mã'}), cấp {row['tier']}: tổng {total} điểm{rank}",
        f"quy tắc {method.version}; nguồn: {manifest['params_file']}",
    ]
    for group in method.groups:
        g = groups[groups["group"] == group.key]
        if g.empty:
            continue
        g = g.iloc[0]
        points = fmt_points(Decimal(g["points"])) if g["points"] else "—"
        lines.append(f"  {group.name_vi}: {points}/{fmt_number(group.max)} điểm (nguồn: {g['source']})")
        if g.get("given_rate"):
            lines.append(
                f"    tỷ lệ {fmt_number(Decimal(g['given_rate']))}% × {fmt_number(group.max)} / 100, "
                f"làm tròn nửa lên 2 chữ số rồi {group.display_decimals} chữ số = {points}"
            )
        for c in components[components["group"] == group.key].itertuples():
            counts = f"{fmt_number(Decimal(c.numerator))}/{fmt_number(Decimal(c.denominator))}" if c.numerator else "—"
            rate = f" = {fmt_number(Decimal(c.rate))}%" if c.rate else ""
            threshold = f", ngưỡng {fmt_number(Decimal(c.threshold))}%" if c.threshold else ""
            mine = fmt_points(Decimal(c.points)) if c.points else "không tính điểm"
            portal = f"; Cổng: {fmt_points(Decimal(c.portal_points))}" if c.portal_points else ""
            lines.append(
                f"    {c.component} {method.component(c.component).name_vi}: {counts}{rate}{threshold}, "
                f"tối đa {fmt_number(Decimal(c.max))} → {mine} [{c.formula}]{portal}"
                + (f" ({c.reason})" if c.reason else "")
            )
    return lines
