"""``chiso766 publish``: the static portal site, built beside the live one and swapped in.

The site lists every bulletin by kind and period (latest first), serves each bulletin's page, PDF
and data, a methodology page generated from the component table, and a revisions log: a bulletin
published again with different figures keeps its old version, and the log says what changed and
why. A publish stopped midway leaves the previous site as it was.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypedDict

import pandas as pd

from chiso766.core.errors import InputError
from chiso766.core.files import swap_folder, write_atomic
from chiso766.core.methodology import formulas_table, methodology_table
from chiso766.core.methodology import load as load_methodology
from chiso766.core.params import REPORTS
from chiso766.core.periods import parse_period
from chiso766.ingest.checksums import sha256_file
from chiso766.render.html import page as site_page

__all__ = ["publish", "Published"]

_KIND_NAMES = {
    "bulletin_766": "Báo cáo Bộ chỉ số 766",
    "weekly_tthc": "Thông báo tuần về thủ tục hành chính",
    "unit_report": "Báo cáo của đơn vị",
}
_SAFE = re.compile(r"^[0-9A-Za-z_.-]+$")


class Entry(TypedDict):
    """One published bulletin in ``published.json``."""

    version: int
    tables: dict[str, str]
    title: str
    doc_type: str
    subtitle: str
    province: str
    as_of: str
    period: str
    report: str
    slug: str


class Revision(TypedDict):
    """One line of the revisions log: a bulletin published again with different figures."""

    bulletin: str
    from_version: int
    to_version: int
    time: str
    reason: str
    tables_changed: list[str]
    totals_changed: list[str]


class State(TypedDict):
    """``published.json``: what the live site holds, read before and written after each publish."""

    bulletins: dict[str, Entry]
    revisions: list[Revision]


@dataclass
class Published:
    site: Path
    bulletins: int
    revised: list[str]


def _fingerprint(folder: Path) -> dict[str, str]:
    return {p.name: sha256_file(p) for p in sorted((folder / "tables").glob("*.csv"))}


def _discover(outputs: Path) -> list[tuple[str, str, Path, dict[str, Any]]]:
    found = []
    for report in sorted(p for p in outputs.iterdir() if p.is_dir() and p.name in REPORTS):
        for folder in sorted(p for p in report.iterdir() if p.is_dir() and not p.name.startswith(".")):
            manifest = folder / "manifest.json"
            if manifest.is_file() and _SAFE.match(folder.name):
                found.append((report.name, folder.name, folder, json.loads(manifest.read_text(encoding="utf-8"))))
    return found


def _period_key(slug: str) -> str:
    try:
        return parse_period(slug.replace("_", "..")).end.isoformat()
    except ValueError:
        return slug


def _total_changes(old: Path, new: Path) -> list[str]:
    """Units whose total changed between two versions of units.csv (what a reader cares about first)."""
    try:
        before = pd.read_csv(old / "tables" / "units.csv", dtype=str, keep_default_na=False)
        after = pd.read_csv(new / "tables" / "units.csv", dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError):
        return []
    merged = before.merge(after, on=["unit_code", "unit_name"], how="outer", suffixes=("_old", "_new"))
    changed = merged[merged["total_old"].fillna("") != merged["total_new"].fillna("")]
    rows = changed[["unit_name", "total_old", "total_new"]].itertuples(index=False, name=None)
    return [f"{name}: {old or '—'} → {new or '—'}" for name, old, new in rows]


def publish(outputs: str | Path, site: str | Path, reason: str | None = None, now: datetime | None = None) -> Published:
    """Build the site from every output folder with a manifest and swap it in atomically."""
    outputs, site = Path(outputs).resolve(), Path(site).resolve()
    if not outputs.is_dir():
        raise InputError("không có thư mục kết quả (chạy chiso766 run trước)", outputs)
    now = now or datetime.now(UTC)
    state_path = site / "published.json"
    state: State = (
        json.loads(state_path.read_text(encoding="utf-8"))
        if state_path.is_file()
        else {"bulletins": {}, "revisions": []}
    )
    bulletins = _discover(outputs)
    build = site.parent / f".{site.name}.build-{os.getpid()}"
    shutil.rmtree(build, ignore_errors=True)
    build.mkdir(parents=True)
    revised = []
    try:
        for report, slug, folder, manifest in bulletins:
            key = f"{report}/{slug}"
            target = build / report / slug
            fingerprint = _fingerprint(folder)
            previous = state["bulletins"].get(key)
            version = 1 if previous is None else previous["version"]
            if previous is not None:
                for old in sorted((site / report / slug).glob("v*")):  # earlier versions stay published
                    shutil.copytree(old, target / old.name)
            if previous is not None and previous["tables"] != fingerprint:
                if not reason:
                    raise InputError(f"bản tin {key} đã công bố với số liệu khác: cần nêu lý do (--reason)", folder)
                changed = sorted(
                    n
                    for n in fingerprint.keys() | previous["tables"].keys()
                    if fingerprint.get(n) != previous["tables"].get(n)
                )
                shutil.copytree(
                    site / report / slug,
                    target / f"v{version}",
                    ignore=shutil.ignore_patterns("v*"),
                    dirs_exist_ok=True,
                )
                state["revisions"].append(
                    {
                        "bulletin": key,
                        "from_version": version,
                        "to_version": version + 1,
                        "time": now.isoformat(timespec="seconds"),
                        "reason": reason,
                        "tables_changed": changed,
                        "totals_changed": _total_changes(site / report / slug, folder)[:20],
                    }
                )
                version += 1
                revised.append(key)
            for name in ("bulletin.html", "bulletin.pdf", "tables.xlsx", "manifest.json"):
                if (folder / name).is_file():
                    target.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(folder / name, target / name)
            for sub in ("tables", "figures"):
                if (folder / sub).is_dir():
                    shutil.copytree(folder / sub, target / sub, dirs_exist_ok=True)
            page = (folder / "bulletin.html").read_text(encoding="utf-8")
            nav = '<main class="bulletin">\n' + site_page("bulletin_nav.html.j2").rstrip("\n")
            write_atomic(target / "index.html", page.replace('<main class="bulletin">', nav, 1).encode("utf-8"))
            document = (
                json.loads((folder / "document.json").read_text(encoding="utf-8"))
                if (folder / "document.json").is_file()
                else {}
            )
            state["bulletins"][key] = {
                "version": version,
                "tables": fingerprint,
                "title": document.get("title", ""),
                "doc_type": document.get("doc_type", ""),
                "subtitle": document.get("subtitle", ""),
                "province": (manifest.get("params") or {}).get("province", ""),
                "as_of": manifest.get("as_of", ""),
                "period": manifest.get("period", slug),
                "report": report,
                "slug": slug,
            }
        write_atomic(build / "index.html", _index(state, {f"{r}/{s}" for r, s, _, _ in bulletins}).encode("utf-8"))
        write_atomic(build / "methodology.html", _methodology().encode("utf-8"))
        write_atomic(build / "revisions.html", _revisions(state).encode("utf-8"))
        write_atomic(build / "published.json", (json.dumps(state, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
        swap_folder(build, site)
    finally:
        shutil.rmtree(build, ignore_errors=True)
    return Published(site, len(bulletins), revised)


def _index(state: State, live: set[str]) -> str:
    kinds = []
    for report in REPORTS:
        entries = [e for k, e in state["bulletins"].items() if e["report"] == report and k in live]
        if entries:
            entries.sort(key=lambda e: (_period_key(e["slug"]), e["as_of"]), reverse=True)
            kinds.append({"report": report, "name": _KIND_NAMES[report], "entries": entries})
    return site_page("site_index.html.j2", title="Danh mục bản tin", home="", kinds=kinds)


def _methodology() -> str:
    table = methodology_table(load_methodology("2026").version)
    components = table[["id", "group", "name", "max", "threshold", "zero_rule_vi", "evidence"]].values.tolist()
    return site_page(
        "site_methodology.html.j2",
        title="Phương pháp tính",
        home="",
        components=components,
        formulas=formulas_table().values.tolist(),
    )


def _revisions(state: State) -> str:
    rows = [
        [
            r["time"],
            r["bulletin"],
            f"{r['from_version']} → {r['to_version']}",
            r["reason"],
            ", ".join(r["tables_changed"]),
            "; ".join(r["totals_changed"]) or "—",
        ]
        for r in reversed(state["revisions"])
    ]
    return site_page("site_revisions.html.j2", title="Nhật ký sửa đổi", home="", rows=rows)
