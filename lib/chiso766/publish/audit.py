"""Audit: check an output folder against its manifest and re-run it, explain one unit's score, and
print a unit's plan to win its lost points back.

``verify`` trusts nothing it has not hashed: every output file the manifest lists (HTML, PDF, XLSX,
notebook, tables, figures) against its SHA-256, every input file against its own, then the report is
re-run from the manifest's params and every file it writes compared byte for byte, all but the
manifest and the notebook (which record the run's times, and are checked against their SHA-256).
Output paths are relative to the manifest's folder, so a folder that was moved or copied is verified
where it lies; input paths are found where the manifest recorded them, else under the project folder
(the one holding ``params/``) of the output folder or of the current folder.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import re
import tempfile
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path, PurePosixPath
from typing import Any

import pandas as pd
import yaml

from chiso766.compute.stakes import systemic
from chiso766.core.errors import InputError, os_error
from chiso766.core.files import files_under
from chiso766.core.methodology import Methodology
from chiso766.core.methodology import load as load_methodology
from chiso766.core.periods import parse_period
from chiso766.core.textvi import fmt_number, fmt_points, fold, name_key
from chiso766.ingest.checksums import sha256_file
from chiso766.ingest.units import COMMUNE_WORDS, TIERS
from chiso766.publish.runner import run
from chiso766.report.actions import plan_lines
from chiso766.report.narrative import phrasings, tier_plural, when_phrase

__all__ = ["ManifestError", "Verification", "verify", "explain", "plan", "read_manifest"]

_SHA256 = re.compile(r"[0-9a-f]{64}")


class ManifestError(InputError):
    """A ``manifest.json`` that cannot be read, or has not the shape ``chiso766 run`` writes."""


# What a run records of itself (its times, its folder): compared with the manifest's SHA-256, never
# with a re-run's bytes. Every other file a run writes is the same bytes each time.
_SELF_RECORDS = ("manifest.json", "notebook.ipynb")


@dataclass
class Verification:
    """Per input: ``same``, ``changed``, ``missing`` or ``new`` (a file added to an input folder).

    Per output file: ``same``, ``different``, ``missing`` or ``new`` (a file the manifest does not list).
    Per file the re-run writes (all but :data:`_SELF_RECORDS`), compared byte for byte with the
    folder's: ``identical``, ``different``, ``extra`` (the folder has it, the re-run does not make it)
    or ``absent`` (the re-run makes it, the folder lacks it); ``differences`` says where a table differs.
    ``code``: the library's digest against the manifest's (``same`` or ``changed``, ``None`` before a
    re-run); ``versions``: each library whose version is not the one recorded (recorded, now).
    """

    inputs: dict[str, str] = field(default_factory=dict)
    rerun: dict[str, str] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)
    differences: dict[str, str] = field(default_factory=dict)
    code: str | None = None
    versions: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return (
            all(v == "same" for v in self.inputs.values())
            and all(v == "same" for v in self.outputs.values())
            and all(v == "identical" for v in self.rerun.values())
        )

    def lines(self) -> list[str]:
        words = {
            "same": "không đổi",
            "changed": "ĐÃ THAY ĐỔI (SHA-256 khác)",
            "missing": "KHÔNG CÒN",
            "new": "MỚI (không có trong bản gốc)",
        }
        file_words = {
            "different": "KHÁC (SHA-256 khác với manifest)",
            "missing": "KHÔNG CÒN",
            "new": "MỚI (manifest không ghi)",
        }
        rerun_words = {
            "different": "KHÁC",
            "extra": "THỪA (chạy lại không tạo ra tệp này)",
            "absent": "THIẾU (chạy lại có tệp này, thư mục không có)",
        }
        out = [f"dữ liệu vào {path}: {words[status]}" for path, status in self.inputs.items()]
        if self.outputs:
            same = sum(v == "same" for v in self.outputs.values())
            listed = sum(v != "new" for v in self.outputs.values())
            out.append(f"tệp kết quả: {same}/{listed} đúng SHA-256 ghi trong manifest")
            out += [f"tệp {path}: {file_words[s]}" for path, s in self.outputs.items() if s != "same"]
        if self.code == "changed":
            out.append(
                "mã chương trình: KHÁC với mã đã tạo thư mục này (code_sha256 trong manifest): "
                "chạy lại bằng mã hiện tại"
            )
        out += [f"phiên bản {name}: {was} khi tạo, {now} khi chạy lại" for name, (was, now) in self.versions.items()]
        if self.rerun:
            identical = sum(v == "identical" for v in self.rerun.values())
            made = sum(v != "extra" for v in self.rerun.values())
            out.append(
                f"chạy lại: {identical}/{made} tệp giống hệt từng byte (trừ {' và '.join(_SELF_RECORDS)}, "
                "ghi thời điểm chạy)"
            )
            for path, status in self.rerun.items():
                if status != "identical":
                    where = f" ({self.differences[path]})" if path in self.differences else ""
                    out.append(f"tệp {path}: {rerun_words[status]}{where}")
        out.append("KẾT LUẬN: tái lập đúng" if self.ok else "KẾT LUẬN: KHÔNG tái lập được")
        return out


def _first_difference(kept: bytes, again: bytes) -> str | None:
    """Where two CSV tables first differ: the line, the column and both values, or their numbers of
    lines; ``None`` when either is not UTF-8 CSV, or their cells are the same (a line ending differs)."""
    try:
        ours, theirs = (list(csv.reader(io.StringIO(b.decode("utf-8-sig")))) for b in (kept, again))
    except (UnicodeDecodeError, csv.Error):
        return None
    header = theirs[0] if theirs else []
    for line, (a, b) in enumerate(zip(ours, theirs, strict=False), start=1):
        if a != b:
            for i in range(max(len(a), len(b))):
                x, y = (a[i] if i < len(a) else "", b[i] if i < len(b) else "")
                if x != y:
                    column = f", cột {header[i]}" if line > 1 and i < len(header) else ""
                    return f"dòng {line}{column}: «{x}» trong thư mục, «{y}» khi chạy lại"
    if len(ours) != len(theirs):
        return f"{len(ours)} dòng trong thư mục, {len(theirs)} dòng khi chạy lại"
    return None


def _compare_rerun(out_dir: Path, again: Path, manifest: dict[str, Any], result: Verification) -> None:
    """Every file of the re-run against the folder's, byte for byte; the code and versions recorded."""
    kept = {name for name in files_under(out_dir) if name not in _SELF_RECORDS}
    made = {name for name in files_under(again) if name not in _SELF_RECORDS}
    for name in sorted(kept | made):
        if name not in made:
            result.rerun[name] = "extra"
        elif name not in kept:
            result.rerun[name] = "absent"
        else:
            ours, theirs = (out_dir / name).read_bytes(), (again / name).read_bytes()
            result.rerun[name] = "identical" if ours == theirs else "different"
            if ours != theirs and name.endswith(".csv") and (where := _first_difference(ours, theirs)):
                result.differences[name] = where
    now = json.loads((again / "manifest.json").read_text(encoding="utf-8"))
    result.code = "same" if manifest.get("code_sha256") == now["code_sha256"] else "changed"
    recorded = manifest.get("versions")
    for name, version in now["versions"].items():
        was = recorded.get(name) if isinstance(recorded, dict) else None
        if was != version:
            result.versions[name] = (str(was or "không ghi"), version)


# ---------------------------------------------------------------------------------------------------
# The manifest


def _entries(manifest: dict[str, Any], key: str, path: Path) -> None:
    """``manifest[key]``: a list of ``{"path": str, "sha256": 64 hex digits, …}``."""
    entries = manifest[key]
    if not isinstance(entries, list):
        raise ManifestError(f"«{key}» phải là một danh sách", path, column=key)
    for index, entry in enumerate(entries):
        where = f"{key}[{index}]"
        if not isinstance(entry, dict):
            raise ManifestError("mỗi mục phải là một bảng khóa (path, sha256)", path, column=where)
        if not isinstance(entry.get("path"), str) or not entry["path"]:
            raise ManifestError("thiếu đường dẫn tệp", path, column=f"{where}.path")
        if not isinstance(entry.get("sha256"), str) or not _SHA256.fullmatch(entry["sha256"]):
            raise ManifestError("sha256 phải là 64 chữ số hệ 16", path, column=f"{where}.sha256")
        if "kind" in entry and not isinstance(entry["kind"], str):
            raise ManifestError("kind phải là văn bản", path, column=f"{where}.kind")


def read_manifest(out_dir: str | Path) -> dict[str, Any]:
    """The manifest of an output folder, its shape checked; every problem is a :class:`ManifestError`."""
    out_dir = Path(out_dir)
    path = out_dir / "manifest.json"
    if not out_dir.is_dir():
        raise InputError("không tìm thấy thư mục kết quả", out_dir)
    if not path.is_file():
        raise ManifestError("không có manifest.json: đây không phải thư mục kết quả của chiso766 run", out_dir)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise os_error(exc, path) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        row = data[: exc.start].count(b"\n") + 1
        raise ManifestError("manifest.json không phải văn bản UTF-8: tệp đã hỏng", path, row=row) from None
    try:
        manifest = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ManifestError(
            f"manifest.json không phải JSON hợp lệ (lỗi ở ký tự {exc.colno}): tệp đã hỏng hoặc bị sửa",
            path,
            row=exc.lineno,
        ) from None
    except RecursionError:
        raise ManifestError("manifest.json lồng nhau quá sâu: tệp đã hỏng", path) from None
    if not isinstance(manifest, dict):
        raise ManifestError("manifest.json phải là một bảng khóa JSON (object)", path)
    shapes: dict[str, tuple[type, str]] = {
        "report": (str, "văn bản"),
        "params": (dict, "một bảng khóa"),
        "input_paths": (dict, "một bảng khóa"),
        "inputs": (list, "một danh sách"),
        "outputs": (list, "một danh sách"),
    }
    for key, (kind, name) in shapes.items():
        if key not in manifest:
            raise ManifestError(f"manifest.json thiếu khóa «{key}»", path, column=key)
        if not isinstance(manifest[key], kind):
            raise ManifestError(f"«{key}» phải là {name}", path, column=key)
    for kind, value in manifest["input_paths"].items():
        if not isinstance(value, str) or not value:
            raise ManifestError("đường dẫn dữ liệu vào phải là văn bản", path, column=f"input_paths.{kind}")
    overrides = manifest.get("overrides")
    if overrides is not None and not (isinstance(overrides, list) and all(isinstance(o, str) for o in overrides)):
        raise ManifestError("«overrides» phải là danh sách các key=value", path, column="overrides")
    _entries(manifest, "inputs", path)
    _entries(manifest, "outputs", path)
    for index, entry in enumerate(manifest["outputs"]):
        relative = PurePosixPath(entry["path"])
        if relative.is_absolute() or ".." in relative.parts or "\\" in entry["path"]:
            raise ManifestError(
                f"tệp kết quả «{entry['path']}» nằm ngoài thư mục kết quả", path, column=f"outputs[{index}].path"
            )
    return manifest


# ---------------------------------------------------------------------------------------------------
# Files


def _hash_status(path: Path, sha256: str) -> str:
    """``same``, ``different`` or ``missing``; a link where a file was written counts as different."""
    if path.is_symlink():
        return "different"
    if not path.is_file():
        return "missing"
    try:
        return "same" if sha256_file(path) == sha256 else "different"
    except OSError as exc:
        raise os_error(exc, path) from None


def _check_outputs(out_dir: Path, manifest: dict[str, Any], result: Verification) -> None:
    listed = {"manifest.json"}
    for entry in manifest["outputs"]:
        name = PurePosixPath(entry["path"]).as_posix()
        listed.add(name)
        result.outputs[name] = _hash_status(out_dir / name, entry["sha256"])
    for name in files_under(out_dir):
        if name not in listed:
            result.outputs[name] = "new"


def _project_roots(out_dir: Path, manifest: dict[str, Any]) -> list[Path]:
    """Where relative input paths may start: the project folder (holding ``params/``) of the output
    folder, the project folder the manifest records (``project_root``, when it still exists), the
    project folder of the current folder, then the current folder itself. The output's own project
    first: a copy of a project is verified against its own inputs, not the original's."""
    roots: list[Path] = []

    def add(root: Path) -> None:
        if root not in roots:
            roots.append(root)

    def project_of(base: Path) -> None:
        found = next((parent for parent in (base, *base.parents) if (parent / "params").is_dir()), None)
        if found is not None:
            add(found)

    project_of(out_dir.resolve())
    recorded = manifest.get("project_root")
    if isinstance(recorded, str) and recorded and Path(recorded).is_dir():
        add(Path(recorded).resolve())
    project_of(Path.cwd().resolve())
    add(Path.cwd().resolve())
    return roots


def _locate_inputs(out_dir: Path, manifest: dict[str, Any]) -> dict[str, Path | None]:
    """Input kind → where its file or folder is now (``None``: nowhere).

    Under each project root in turn (:func:`_project_roots`), as recorded (relative to the project
    folder) or as written in the params; a path recorded outside the project, as it is.
    """
    roots = _project_roots(out_dir, manifest)
    given = manifest["params"].get("inputs")
    given = given if isinstance(given, dict) else {}
    located: dict[str, Path | None] = {}
    for kind, recorded in manifest["input_paths"].items():
        candidates = []
        recorded_path = Path(recorded)
        if recorded_path.is_absolute():
            old_root = manifest.get("project_root")
            if isinstance(old_root, str) and old_root and recorded_path.is_relative_to(old_root):
                candidates += [root / recorded_path.relative_to(old_root) for root in roots]
            candidates.append(recorded_path)
        else:
            candidates += [root / recorded_path for root in roots]
        written = given.get(kind)
        if isinstance(written, str) and written and not Path(written).is_absolute():
            candidates += [root / written for root in roots]
        located[kind] = next((c for c in candidates if c.exists()), None)
    return located


def _check_inputs(out_dir: Path, manifest: dict[str, Any], result: Verification) -> dict[str, Path | None]:
    located = _locate_inputs(out_dir, manifest)
    seen: set[Path] = set()
    roots = _project_roots(out_dir, manifest)
    for entry in manifest["inputs"]:
        recorded = Path(entry["path"])
        kind = entry.get("kind")
        base = located.get(kind) if isinstance(kind, str) else None
        base_recorded = Path(manifest["input_paths"][kind]) if base is not None and isinstance(kind, str) else None
        if base is not None and base_recorded is not None and recorded == base_recorded:
            path: Path | None = base
        elif base is not None and base_recorded is not None and recorded.is_relative_to(base_recorded):
            path = base / recorded.relative_to(base_recorded)
        elif recorded.is_absolute():
            path = recorded
        else:
            path = next((root / recorded for root in roots if (root / recorded).exists()), roots[0] / recorded)
        if path is None or not path.is_file():
            result.inputs[entry["path"]] = "missing"
            continue
        seen.add(path.resolve())
        try:
            result.inputs[entry["path"]] = "same" if sha256_file(path) == entry["sha256"] else "changed"
        except OSError as exc:
            raise os_error(exc, path) from None
    for kind, base in located.items():
        if base is None:
            if not any(e.get("kind") == kind for e in manifest["inputs"]):
                result.inputs[manifest["input_paths"][kind]] = "missing"
            continue
        if base.is_dir():  # a portal snapshot: a file added to it is as much a change as one edited
            for name in files_under(base):
                if (base / name).resolve() not in seen:
                    result.inputs[str(base / name)] = "new"
    return located


def verify(out_dir: str | Path) -> Verification:
    """Check every output's and input's SHA-256, re-run the report into a temporary folder, compare
    every file it writes with the folder's. A damaged manifest is a :class:`ManifestError`."""
    out_dir = Path(out_dir)
    manifest = read_manifest(out_dir)
    result = Verification()
    _check_outputs(out_dir, manifest, result)
    located = _check_inputs(out_dir, manifest, result)
    if any(v == "missing" for v in result.inputs.values()) or any(p is None for p in located.values()):
        return result
    with tempfile.TemporaryDirectory(prefix="chiso766-verify-") as tmp:
        params = dict(manifest["params"])
        params["inputs"] = {kind: str(path) for kind, path in located.items()}
        params_path = Path(tmp) / "params.yaml"
        params_path.write_text(yaml.safe_dump(params, allow_unicode=True, sort_keys=False), encoding="utf-8")
        # The params already hold every override; one naming an input would undo the paths found above.
        overrides = [o for o in manifest.get("overrides") or [] if not o.split("=", 1)[0].strip().startswith("inputs")]
        _compare_rerun(out_dir, run(params_path, overrides, Path(tmp) / "out"), manifest, result)
    return result


# ---------------------------------------------------------------------------------------------------
# explain


def _table(out_dir: Path, name: str, columns: list[str], report: str) -> pd.DataFrame:
    path = out_dir / "tables" / name
    if not path.is_file():
        raise InputError("thiếu bảng này trong thư mục kết quả (chạy chiso766 verify để kiểm tra)", path)
    try:
        # utf-8-sig: the project's CSVs start with a BOM (for Excel); an edited copy may not
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"bảng đã hỏng, không đọc được ({type(exc).__name__})", path) from None
    except OSError as exc:
        raise os_error(exc, path) from None
    for column in columns:
        if column not in frame.columns:
            raise InputError("bảng thiếu cột này (tệp đã bị sửa?)", path, column=column)
    return frame


def _plain(text: str) -> str:
    """A name as the data gave it: without the ``'`` that keeps a spreadsheet from running it."""
    return text[1:] if text[:1] == "'" and text[1:2] in ("=", "+", "-", "@", "\t", "\r") else text


def _units(out_dir: Path, report: str, command: str) -> pd.DataFrame:
    """``tables/units.csv`` of a bulletin_766 folder; another report's folder is named for what it is."""
    if report != "bulletin_766":
        raise InputError(
            f"lệnh {command} chỉ dùng với thư mục kết quả của bản tin Bộ chỉ số 766 (bulletin_766); "
            f"thư mục này là của loại «{report}»",
            out_dir,
        )
    return _table(out_dir, "units.csv", ["unit_code", "unit_name", "tier", "total", "rank"], report)


_TIER_WORDS = tuple(fold(word) for word in (*COMMUNE_WORDS, "sở"))  # a unit's name's first words


def _find_unit(unit: str, units: pd.DataFrame, out_dir: Path) -> pd.Series:
    """The unit's row, by code or any spelling of its name, or as the site's search takes a name
    (without its accents, without its tier: "song lo" for Xã Sông Lô) when that names one unit;
    else the units it may mean are suggested."""
    keys = units["unit_name"].map(lambda n: name_key(_plain(n)))
    hits = units[(units["unit_code"].str.casefold() == unit.casefold()) | (keys == name_key(unit))]
    if not hits.empty:
        return hits.iloc[0]
    typed, plain = fold(unit), keys.map(fold)
    loose = units[plain.isin([typed, *(f"{tier} {typed}" for tier in _TIER_WORDS)])]
    if len(loose) == 1:
        return loose.iloc[0]
    if loose.empty:  # the closest first
        close = difflib.get_close_matches(typed, list(plain), n=3, cutoff=0.6)
        names = [_plain(str(units.loc[plain == k, "unit_name"].iloc[0])) for k in close]
    else:
        names = [_plain(str(name)) for name in loose["unit_name"].head(5)]
    hint = f"; có phải: {', '.join(names)}?" if names else ""
    raise InputError(f"không có đơn vị «{unit}» trong bản tin này{hint}", out_dir)


def _manifest_method(out_dir: Path) -> tuple[dict[str, Any], Methodology]:
    manifest = read_manifest(out_dir)
    try:
        return manifest, load_methodology(str(manifest.get("methodology_version") or "2026"))
    except ValueError:
        raise ManifestError(
            f"phiên bản quy tắc «{manifest.get('methodology_version')}» không có trong chiso766 này",
            out_dir / "manifest.json",
            column="methodology_version",
        ) from None


def explain(unit: str, out_dir: str | Path) -> list[str]:
    """One unit's score traced to its groups and components, as lines for the terminal."""
    out_dir = Path(out_dir)
    manifest, method = _manifest_method(out_dir)
    report = manifest["report"]
    row = _find_unit(unit, _units(out_dir, report, "explain"), out_dir)
    try:
        return _explain_lines(out_dir, row, method, manifest, report)
    except (InvalidOperation, KeyError, ValueError) as exc:
        raise InputError(
            f"bảng của thư mục kết quả có giá trị không đọc được ({type(exc).__name__}: {exc}); "
            "chạy chiso766 verify để biết tệp nào đã bị sửa",
            out_dir / "tables",
        ) from None


def _portal_said(points: object) -> str:
    """``; Cổng: 64,53`` beside a recomputed figure when the portal gave its own."""
    return f"; Cổng: {fmt_points(Decimal(points))}" if isinstance(points, str) and points else ""


def _explain_lines(out_dir: Path, row: Any, method: Methodology, manifest: dict[str, Any], report: str) -> list[str]:
    code = row["unit_code"]
    groups = _table(out_dir, "groups.csv", ["unit_code", "unit_name", "group", "points", "source"], report)
    groups = groups[(groups["unit_code"] == code) & (groups["unit_name"] == row["unit_name"])]
    components_path = out_dir / "tables" / "components.csv"
    components = (
        _table(
            out_dir,
            "components.csv",
            ["unit_code", "group", "component", "numerator", "denominator", "rate", "threshold", "max", "points"],
            report,
        )
        if components_path.is_file()
        else pd.DataFrame(columns=["unit_code", "group"])
    )
    components = components[components["unit_code"] == code]
    rank = f", hạng {row['rank']} trong cấp" if row["rank"] else ", không xếp hạng"
    total = fmt_points(Decimal(row["total"])) if row["total"] else "chưa có (thiếu dữ liệu nhóm)"
    inputs = manifest.get("input_paths")
    lines = [
        f"{_plain(row['unit_name'])} ({code or 'không mã'}), cấp {TIERS.get(row['tier'], row['tier'])}: "
        f"tổng {total} điểm{_portal_said(row.get('portal_total'))}{rank}",
        f"quy tắc {method.version}; tệp tham số: {manifest.get('params_file', '')}"
        + (f"; dữ liệu vào: {', '.join(map(str, inputs.values()))}" if isinstance(inputs, dict) else ""),
    ]
    for group in method.groups:
        g = groups[groups["group"] == group.key]
        if g.empty:
            continue
        g = g.iloc[0]
        points = fmt_points(Decimal(g["points"])) if g["points"] else "—"
        source = phrasings()["explain_sources"].get(g["source"], g["source"])
        lines.append(
            f"  {group.name_vi}: {points}/{fmt_number(group.max)} điểm{_portal_said(g.get('portal_points'))} ({source})"
        )
        if g.get("given_rate"):
            lines.append(
                f"    tỷ lệ {fmt_number(Decimal(g['given_rate']))}% × {fmt_number(group.max)} / 100, "
                f"làm tròn nửa lên 2 chữ số rồi {group.display_decimals} chữ số = {points}"
            )
        listed = components[components["group"] == group.key].itertuples()
        for c in sorted(listed, key=lambda c: method.place(str(c.component))):
            counts = f"{fmt_number(Decimal(c.numerator))}/{fmt_number(Decimal(c.denominator))}" if c.numerator else "—"
            rate = f" = {fmt_number(Decimal(c.rate))}%" if c.rate else ""
            threshold = f", ngưỡng {fmt_number(Decimal(c.threshold))}%" if c.threshold else ""
            mine = fmt_points(Decimal(c.points)) if c.points else "không tính điểm"
            portal = _portal_said(getattr(c, "portal_points", ""))
            formula = getattr(c, "formula", "")
            reason = getattr(c, "reason", "")
            lines.append(
                f"    {c.component} {method.component(c.component).name_vi}: {counts}{rate}{threshold}, "
                f"tối đa {fmt_number(Decimal(c.max))} → {mine} [{formula}]{portal}" + (f" ({reason})" if reason else "")
            )
    return lines


# ---------------------------------------------------------------------------------------------------
# plan

_STAKE_INTEGERS = ("numerator", "denominator", "fix_existing", "future_only")
_STAKE_DECIMALS = ("threshold", "points", "max", "points_lost", "points_per_dossier")


def plan(unit: str, out_dir: str | Path) -> list[str]:
    """A unit's plan to win its lost points back, from ``tables/points_at_stake.csv``: lines for the terminal."""
    out_dir = Path(out_dir)
    manifest, method = _manifest_method(out_dir)
    report = manifest["report"]
    units = _units(out_dir, report, "plan")
    row = _find_unit(unit, units, out_dir).map(_plain)
    if row["rank"]:
        ranked = int(((units["tier"] == row["tier"]) & (units["rank"] != "")).sum())
        row["rank"] = f"{row['rank']}/{ranked} {tier_plural(str(row['tier']))}"
    path = out_dir / "tables" / "points_at_stake.csv"
    if not path.is_file():
        raise InputError(
            "thư mục kết quả không có bảng điểm có thể lấy lại (chỉ bản tin bulletin_766 tính từ ảnh chụp Cổng có)",
            path,
        )
    stakes = _table(
        out_dir, "points_at_stake.csv", ["unit_code", "tier", "component", *_STAKE_INTEGERS, "owner"], report
    )
    try:
        for column in _STAKE_INTEGERS:
            stakes[column] = pd.Series(
                [int(v) if v else None for v in stakes[column]], index=stakes.index, dtype=object
            )
        for column in _STAKE_DECIMALS:
            stakes[column] = pd.Series(
                [Decimal(v) if v else None for v in stakes[column]], index=stakes.index, dtype=object
            )
        for component in stakes["component"]:
            method.component(component)
    except (InvalidOperation, KeyError, ValueError) as exc:
        raise InputError(
            f"bảng có giá trị không đọc được ({type(exc).__name__}: {exc}); chạy chiso766 verify để kiểm tra",
            path,
        ) from None
    shared = systemic(stakes)
    stakes = stakes[(stakes["unit_code"] == row["unit_code"]) & (stakes["unit_name"] == row["unit_name"])]
    components = _table(out_dir, "components.csv", ["unit_code", "component", "max", "points", "status"], report)
    unscored = [
        str(c["component"])
        for c in components.to_dict("records")
        if c["unit_code"] == row["unit_code"] and not c["points"] and c["max"] not in ("", "0")
    ]
    period = parse_period(str(manifest["period"]))
    as_of = date.fromisoformat(str(manifest["as_of"]))
    when = (
        f"{when_phrase(period, as_of)} ({period.describe_vi()})" if as_of < period.end else when_phrase(period, as_of)
    )
    groups = _table(out_dir, "groups.csv", ["unit_code", "unit_name", "group", "points", "max", "source"], report)
    given = groups[
        (groups["unit_code"] == row["unit_code"])
        & (groups["unit_name"] == row["unit_name"])
        & (groups["source"] != "recomputed")
        & (groups["points"] != "")
    ]
    uncounted = {str(g["group"]): Decimal(g["max"]) - Decimal(g["points"]) for g in given.to_dict("records")}
    lost = {k: v for k, v in uncounted.items() if v}
    return plan_lines(stakes, row, method, phrasings(), when, lost, unscored, shared)
