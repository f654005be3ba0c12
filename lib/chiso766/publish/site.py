"""``chiso766 publish``: the static portal site, built beside the live one and swapped in.

The site lists every bulletin by kind and period (latest first) under a search that works offline
(units and bulletins, with or without diacritics, filtered by kind, province and period), serves
each bulletin's page (with its auditor's appendices, ``audit.html``), PDF and data, a page per unit
with its history (``units/``), an Atom feed (``feed.xml``), a methodology page generated from the
component table, and a revisions log: a bulletin published again with different figures keeps its
old version (``v1/`` …, linked from the log), and the log says what changed and why. Dates are
written dd/mm/yyyy and times in Vietnam's time (:mod:`chiso766.publish.portal`). The same outputs
give the same bytes, but for the times the revisions log records.

A publish stopped midway, even by ``kill -9``, leaves the previous site as it was (the swap is
atomic at every instant, ``core.files.swap_folder``), and the next publish cleans what it left.

Publishing cannot destroy:
- the site folder is one this command made (its marker file ``.chiso766-site``), a new or empty
  folder, or a site made before the marker existed (``published.json`` and site pages only); any
  other folder is refused, as is one that is, holds or lies inside the outputs folder, or that is or
  holds the project folder (the folder of ``params/``) or lies in its ``params/``, ``data/`` or
  ``outputs/``;
- the published history is never dropped: a bulletin whose output folder is gone keeps its pages,
  its earlier versions and its log entries, until withdrawn explicitly (``withdraw``, with a reason
  recorded in the log); a damaged ``published.json`` is a named error, never an empty new log;
- only regular files lying inside an output folder are copied: a symbolic link there is skipped
  with a warning, or refused where the page itself would come from it.
"""

from __future__ import annotations

import codecs
import errno
import hashlib
import io
import json
import os
import re
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NotRequired, TypedDict, cast

import pandas as pd
from markupsafe import Markup

from chiso766.core.errors import InputError
from chiso766.core.files import (
    FolderBusy,
    is_within,
    lock_folder,
    read_regular,
    recover_leftovers,
    swap_folder,
    write_atomic,
)
from chiso766.core.methodology import formulas_table, methodology_table
from chiso766.core.methodology import load as load_methodology
from chiso766.core.params import REPORTS
from chiso766.ingest.checksums import sha256_file
from chiso766.publish import portal
from chiso766.render.html import page as site_page
from chiso766.render.webfonts import font_faces
from chiso766.report.narrative import phrasings

__all__ = ["publish", "Published", "SITE_MARKER"]

SITE_MARKER = ".chiso766-site"
_MARKER_TEXT = (
    "Trang công bố do chiso766 publish tạo. chiso766 chỉ ghi đè thư mục có tệp đánh dấu này.\n"
    "A site made by chiso766 publish; chiso766 replaces only folders holding this file.\n"
).encode()
_PAGES = frozenset(
    {
        "index.html",
        "methodology.html",
        "revisions.html",
        "published.json",
        SITE_MARKER,
        portal.FEED,
        portal.SEARCH_SCRIPT,
        portal.FONTS,
        portal.UNITS,
    }
)
_SAFE = re.compile(r"^[0-9A-Za-z_-][0-9A-Za-z_.-]*$")
_VERSION = re.compile(r"^v[0-9]+$")
_UNIT_PAGE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_.-]*\.html$")
_FILES = ("bulletin.html", "audit.html", "bulletin.pdf", "tables.xlsx", "manifest.json")
_MAIN = '<main class="bulletin">'
# the navigation publish put in a page: this one (and an earlier version's notice), or the one before it
_SITE_NAV = re.compile(
    r'\n?<nav(?: class="site" aria-label="Trang công bố")?><a href="[./]*index\.html">.*?</nav>'
    r'(?:\n<p class="notice">.*?</p>)?',
    re.DOTALL,
)
_PAGE_NAV = re.compile(r'\n?<nav class="page-nav"[^>]*>.*?</nav>', re.DOTALL)
_KEEP_HINT = "khôi phục tệp từ bản sao lưu; publish không bắt đầu lại một nhật ký trống"


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
    note: NotRequired[str]  # the params' note the document prints of its own figures
    report: str
    slug: str
    status: NotRequired[str]  # "published" (the default) or "withdrawn"
    output_missing: NotRequired[bool]  # still published though its output folder is gone
    withdrawn: NotRequired[str]  # when it was withdrawn


class Revision(TypedDict):
    """One line of the revisions log: a bulletin published again with different figures, or withdrawn."""

    bulletin: str
    from_version: int
    to_version: int
    time: str
    reason: str
    tables_changed: list[str]
    totals_changed: list[str]
    action: NotRequired[str]  # "revise" (the default), "withdraw" or "republish"


class State(TypedDict):
    """``published.json``: what the live site holds, read before and written after each publish."""

    bulletins: dict[str, Entry]
    revisions: list[Revision]


@dataclass
class Published:
    site: Path
    bulletins: int
    revised: list[str]
    kept: list[str] = field(default_factory=list)  # published, output folder gone: pages kept
    withdrawn: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# reading what is there -------------------------------------------------------------------------


def _fingerprint(folder: Path) -> dict[str, str]:
    tables = folder / "tables"
    if tables.is_symlink() or not tables.is_dir():
        return {}
    return {
        entry.name: _content_digest(Path(entry.path))
        for entry in sorted(os.scandir(tables), key=lambda e: e.name)
        if entry.name.endswith(".csv") and entry.is_file(follow_symlinks=False)
    }


def _content_digest(path: Path) -> str:
    """A table's SHA-256 without its UTF-8 BOM: tables written before the BOM was added have the same
    figures, and a republish must not call them revised."""
    return hashlib.sha256(path.read_bytes().removeprefix(codecs.BOM_UTF8)).hexdigest()


def _why(exc: OSError, path: Path) -> str:
    if path.is_symlink():
        return f"là liên kết tượng trưng (tới {os.readlink(path)}), publish chỉ đọc tệp thường"
    if exc.errno == errno.ENOENT:
        return "không có tệp"
    return exc.strerror or str(exc)


def _read_json(path: Path) -> Any:
    try:
        raw = read_regular(path)
    except OSError as exc:
        raise InputError(f"không đọc được: {_why(exc, path)}", path) from None
    try:
        return json.loads(raw.decode("utf-8"))
    except json.JSONDecodeError as exc:  # its message is English: the place is what a user needs
        raise InputError(f"không phải JSON hợp lệ (lỗi ở ký tự {exc.colno}): tệp đã hỏng", path, exc.lineno) from None
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise InputError(
            "không phải JSON hợp lệ (không phải văn bản UTF-8, hoặc lồng quá sâu): tệp đã hỏng", path
        ) from None


def _discover(outputs: Path, warnings: list[str]) -> list[tuple[str, str, Path, dict[str, Any]]]:
    found = []
    for report in sorted(p for p in outputs.iterdir() if p.name in REPORTS):
        if report.is_symlink():
            warnings.append(f"{report}: là liên kết tượng trưng, bỏ qua (chỉ công bố thư mục thật)")
            continue
        if not report.is_dir():
            continue
        for folder in sorted(report.iterdir()):
            if not _SAFE.match(folder.name) or not (folder.is_dir() or folder.is_symlink()):
                continue
            if folder.is_symlink():
                warnings.append(f"{folder}: là liên kết tượng trưng, bỏ qua (chỉ công bố thư mục thật)")
                continue
            manifest_path = folder / "manifest.json"
            if not os.path.lexists(manifest_path):
                continue
            manifest = _read_json(manifest_path)
            if not isinstance(manifest, dict):
                raise InputError("manifest.json không đúng cấu trúc (cần một đối tượng JSON)", manifest_path)
            _require_as_made(folder, manifest)
            found.append((report.name, folder.name, folder, manifest))
    return found


def _require_as_made(folder: Path, manifest: dict[str, Any]) -> None:
    """Refuse a bulletin a file of which is not what ``chiso766 run`` wrote (its SHA-256 in the manifest):
    a figure edited by hand would reach the public page as the signed one."""
    for entry in manifest.get("outputs") or []:
        path = folder / str(entry.get("path", "")) if isinstance(entry, dict) else None
        if path is None or path.is_symlink() or not path.is_file():
            continue  # a link is never copied; a missing file is not published
        if sha256_file(path) != entry.get("sha256"):
            raise InputError(
                "tệp đã bị sửa sau khi chiso766 run tạo ra (SHA-256 khác với manifest.json): chạy lại "
                "chiso766 run cho kỳ này (chiso766 verify cho biết khác gì), rồi publish",
                path,
            )


def _units(folder: Path) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(read_regular(folder / "tables" / "units.csv")), dtype=str, keep_default_na=False)


def _total_changes(old: Path, new: Path) -> list[str]:
    """Units whose total changed between two versions of units.csv (what a reader cares about first)."""
    try:
        before, after = _units(old), _units(new)
        merged = before.merge(after, on=["unit_code", "unit_name"], how="outer", suffixes=("_old", "_new"))
        changed = merged[merged["total_old"].fillna("") != merged["total_new"].fillna("")]
        rows = list(changed[["unit_name", "total_old", "total_new"]].itertuples(index=False, name=None))
    except (OSError, ValueError, KeyError, pd.errors.ParserError):
        return []
    return [f"{name}: {old or '—'} → {new or '—'}" for name, old, new in rows]


# the site folder and its log ---------------------------------------------------------------------


def _projects(*bases: Path) -> list[Path]:
    """The project folders (holding ``params/``) around ``bases``."""
    found = []
    for base in bases:
        for folder in (base, *base.parents):
            if (folder / "params").is_dir():
                found.append(folder)
                break
    return found


def _check_overlap(site: Path, outputs: Path) -> None:
    for project in _projects(outputs, Path.cwd().resolve()):
        if is_within(project, site):
            raise InputError(
                f"thư mục trang là hoặc chứa thư mục dự án {project}: publish sẽ thay thế cả dự án; "
                "chọn thư mục khác cho --site",
                site,
            )
        for sub in ("params", "data", "outputs"):
            if is_within(site, project / sub):
                raise InputError(
                    f"thư mục trang nằm trong {project / sub}: chọn thư mục khác cho --site (mặc định site/)", site
                )
    if is_within(site, outputs) or is_within(outputs, site):
        raise InputError(
            f"thư mục trang trùng, chứa hoặc nằm trong thư mục kết quả {outputs}: publish sẽ thay thế nó; "
            "chọn thư mục khác cho --site",
            site,
        )


def _state_problem(data: Any) -> str:
    """What is wrong with the shape of ``published.json`` ("" when nothing)."""
    if not isinstance(data, dict) or not isinstance(data.get("bulletins"), dict):
        return 'cần một đối tượng có "bulletins" (đối tượng) và "revisions" (danh sách)'
    if not isinstance(data.get("revisions"), list):
        return '"revisions" phải là một danh sách'
    for key, entry in data["bulletins"].items():
        report, _, slug = key.partition("/")
        if report not in REPORTS or not _SAFE.match(slug):
            return f'khóa "{key[:80]}" không phải <loại bản tin>/<kỳ>'
        if not isinstance(entry, dict):
            return f'bulletins["{key}"] phải là một đối tượng'
        version = entry.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            return f'bulletins["{key}"].version phải là số nguyên dương'
        tables = entry.get("tables")
        if not isinstance(tables, dict) or not all(isinstance(v, str) for v in tables.values()):
            return f'bulletins["{key}"].tables phải là một đối tượng tên bảng → SHA-256'
        if entry.get("report") != report or entry.get("slug") != slug:
            return f'bulletins["{key}"]: report và slug phải khớp với khóa'
        for name in ("title", "doc_type", "subtitle", "province", "as_of", "period", "status", "withdrawn", "note"):
            if name in entry and not isinstance(entry[name], str):
                return f'bulletins["{key}"].{name} phải là chuỗi'
        if entry.get("status", "published") not in ("published", "withdrawn"):
            return f'bulletins["{key}"].status phải là "published" hoặc "withdrawn"'
    for number, revision in enumerate(data["revisions"], start=1):
        if not isinstance(revision, dict):
            return f"revisions[{number}] phải là một đối tượng"
        for name, kind in (("bulletin", str), ("time", str), ("reason", str), ("from_version", int)):
            if not isinstance(revision.get(name), kind):
                return f"revisions[{number}].{name} thiếu hoặc sai kiểu"
        if not isinstance(revision.get("to_version"), int):
            return f"revisions[{number}].to_version thiếu hoặc sai kiểu"
        for name in ("tables_changed", "totals_changed"):
            values = revision.get(name)
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                return f"revisions[{number}].{name} phải là danh sách chuỗi"
    return ""


def _load_state(site: Path) -> State:
    path = site / "published.json"
    if not os.path.lexists(path):
        raise InputError(f"trang đã công bố nhưng thiếu published.json (nhật ký công bố): {_KEEP_HINT}", path)
    try:
        data = _read_json(path)
    except InputError as exc:
        raise InputError(f"published.json hỏng: {exc.reason}; {_KEEP_HINT}", path) from None
    problem = _state_problem(data)
    if problem:
        raise InputError(f"published.json sai cấu trúc: {problem}; {_KEEP_HINT}", path)
    for entry in data["bulletins"].values():
        for name in ("title", "doc_type", "subtitle", "province", "as_of", "period", "note"):
            entry.setdefault(name, "")
    return cast(State, data)


def _site_state(site: Path, outputs: Path) -> State:
    """The log of the site at ``site``, after checking that publishing there destroys nothing."""
    _check_overlap(site, outputs)
    empty: State = {"bulletins": {}, "revisions": []}
    if not os.path.lexists(site):
        return empty
    if site.is_symlink() or not site.is_dir():
        raise InputError("ở chỗ thư mục trang đã có một tệp không phải thư mục: không ghi đè", site)
    entries = sorted(os.listdir(site))
    if not entries:
        return empty
    foreign = [name for name in entries if name not in _PAGES and name not in REPORTS]
    if SITE_MARKER not in entries and (foreign or "published.json" not in entries):
        raise InputError(
            f"thư mục trang không trống và không do chiso766 publish tạo (không có tệp đánh dấu {SITE_MARKER}): "
            "không ghi đè, không xóa gì; chọn một thư mục mới hoặc trống cho --site",
            site,
        )
    state = _load_state(site)
    for report in REPORTS:
        folder = site / report
        if folder.is_symlink() or (os.path.lexists(folder) and not folder.is_dir()):
            foreign.append(report)
        elif folder.is_dir():
            foreign += [
                f"{report}/{slug}"
                for slug in sorted(os.listdir(folder))
                if f"{report}/{slug}" not in state["bulletins"]
            ]
    foreign += _foreign_portal(site)
    if foreign:
        raise InputError(
            f"thư mục trang có mục không do chiso766 publish tạo ({', '.join(foreign[:5])}): publish sẽ xóa chúng; "
            "chuyển chúng đi trước khi công bố",
            site,
        )
    return state


def _foreign_portal(site: Path) -> list[str]:
    """What the portal's own entries hold that publish did not write: ``units/`` holds unit pages only,
    ``feed.xml``, ``search.js`` and ``fonts.css`` are files."""
    foreign = [
        name
        for name in (portal.FEED, portal.SEARCH_SCRIPT, portal.FONTS)
        if os.path.lexists(site / name) and ((site / name).is_symlink() or not (site / name).is_file())
    ]
    units = site / portal.UNITS
    if units.is_symlink() or (os.path.lexists(units) and not units.is_dir()):
        return [*foreign, portal.UNITS]
    if units.is_dir():
        foreign += [
            f"{portal.UNITS}/{entry.name}"
            for entry in sorted(os.scandir(units), key=lambda e: e.name)
            if not (_UNIT_PAGE.match(entry.name) and entry.is_file(follow_symlinks=False))
        ]
    return foreign


# copying ------------------------------------------------------------------------------------------


def _copy_file(source: Path, target: Path, warnings: list[str]) -> bool:
    """Copy ``source`` if it is a regular file (never through a link); warn about anything else."""
    try:
        data = read_regular(source)
    except FileNotFoundError:
        return False
    except OSError:
        what = f"liên kết tượng trưng tới {os.readlink(source)}" if source.is_symlink() else "không phải tệp thường"
        warnings.append(f"{source}: {what}; không đưa lên trang công khai")
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return True


def _copy_tree(source: Path, target: Path, warnings: list[str], *, versions: bool = True) -> None:
    """Copy the regular files under ``source`` (links skipped with a warning); ``versions=False`` skips ``v<n>/``."""
    if source.is_symlink():
        warnings.append(f"{source}: liên kết tượng trưng tới {os.readlink(source)}; không đưa lên trang công khai")
        return
    for entry in sorted(os.scandir(source), key=lambda e: e.name):
        path = Path(entry.path)
        if entry.is_dir(follow_symlinks=False):
            if versions or not _VERSION.match(entry.name):
                _copy_tree(path, target / entry.name, warnings)
        else:
            _copy_file(path, target / entry.name, warnings)
    target.mkdir(parents=True, exist_ok=True)


# publishing ---------------------------------------------------------------------------------------


def publish(
    outputs: str | Path,
    site: str | Path,
    reason: str | None = None,
    now: datetime | None = None,
    withdraw: list[str] | None = None,
    republish: list[str] | None = None,
) -> Published:
    """Build the site from every output folder with a manifest and swap it in atomically.

    ``withdraw`` takes published bulletins (``bulletin_766/2025``) off the site, ``republish`` puts a
    withdrawn one back from its output folder; both need a ``reason``, recorded in the revisions log.
    """
    outputs, site = Path(outputs).resolve(), Path(site).resolve()
    if not outputs.is_dir():
        raise InputError("không có thư mục kết quả (chạy chiso766 run trước)", outputs)
    _check_overlap(site, outputs)  # before anything is created
    site.parent.mkdir(parents=True, exist_ok=True)
    try:
        with lock_folder(site.parent):
            return _publish(outputs, site, reason, now or datetime.now(UTC), withdraw or [], republish or [])
    except FolderBusy:
        raise InputError("một lần publish khác đang chạy bên cạnh thư mục này; thử lại sau", site) from None


def _check_requests(state: State, withdraw: list[str], republish: list[str], reason: str | None) -> None:
    if (withdraw or republish) and not reason:
        raise InputError("rút hoặc công bố lại một bản tin cần nêu lý do (--reason)")
    for key in withdraw:
        entry = state["bulletins"].get(key)
        if entry is None:
            raise InputError(f"không có bản tin {key} trong published.json: không có gì để rút")
        if entry.get("status") == "withdrawn":
            raise InputError(f"bản tin {key} đã được rút trước đây")
        if key in republish:
            raise InputError(f"bản tin {key} vừa được yêu cầu rút vừa được yêu cầu công bố lại")
    for key in republish:
        entry = state["bulletins"].get(key)
        if entry is None or entry.get("status") != "withdrawn":
            raise InputError(f"bản tin {key} chưa bị rút: không cần --republish")


def _publish(
    outputs: Path, site: Path, reason: str | None, now: datetime, withdraw: list[str], republish: list[str]
) -> Published:
    recover_leftovers(site.parent)
    state = _site_state(site, outputs)
    _check_requests(state, withdraw, republish, reason)
    warnings: list[str] = []
    bulletins = _discover(outputs, warnings)
    missing = sorted(set(republish) - {f"{report}/{slug}" for report, slug, _, _ in bulletins})
    if missing:
        raise InputError(f"không có thư mục kết quả để công bố lại {', '.join(missing)}", outputs)
    build = site.parent / f".{site.name}.build-{os.getpid()}"
    build.mkdir()
    stamp = now.isoformat(timespec="seconds")
    revised, kept, live = [], [], set()
    try:
        for report, slug, folder, manifest in bulletins:
            key = f"{report}/{slug}"
            previous = state["bulletins"].get(key)
            if key in withdraw:
                continue
            if previous is not None and previous.get("status") == "withdrawn" and key not in republish:
                warnings.append(
                    f"{key}: đã rút khỏi trang, không công bố lại từ {folder} (dùng --republish {key} --reason …)"
                )
                continue
            _publish_one(state, key, folder, manifest, site, build, reason, stamp, warnings)
            if previous is not None and state["bulletins"][key]["version"] != previous["version"]:
                revised.append(key)
            live.add(key)
        for key, entry in state["bulletins"].items():
            if key in live or key in withdraw or entry.get("status") == "withdrawn":
                continue
            pages = site / entry["report"] / entry["slug"]
            if pages.is_dir() and not pages.is_symlink():
                _copy_tree(pages, build / entry["report"] / entry["slug"], warnings)
                _refresh_pages(build / entry["report"] / entry["slug"], "../../")
                entry["output_missing"] = True
                kept.append(key)
                live.add(key)
            else:
                warnings.append(f"{key}: không còn thư mục kết quả lẫn trang đã công bố; giữ trong nhật ký")
        for key in withdraw:
            entry = state["bulletins"][key]
            entry["status"], entry["withdrawn"] = "withdrawn", stamp
            entry.pop("output_missing", None)
            state["revisions"].append(
                {
                    "bulletin": key,
                    "from_version": entry["version"],
                    "to_version": entry["version"],
                    "time": stamp,
                    "reason": reason or "",
                    "tables_changed": [],
                    "totals_changed": [],
                    "action": "withdraw",
                }
            )
        write_atomic(build / SITE_MARKER, _MARKER_TEXT)
        _write_site(build, state, live)
        write_atomic(build / "published.json", (json.dumps(state, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
        swap_folder(build, site, "publish")
    finally:
        shutil.rmtree(build, ignore_errors=True)
    published = len([b for b in bulletins if f"{b[0]}/{b[1]}" in live])
    return Published(site, published, revised, kept, list(withdraw), warnings)


def _publish_one(
    state: State,
    key: str,
    folder: Path,
    manifest: dict[str, Any],
    site: Path,
    build: Path,
    reason: str | None,
    stamp: str,
    warnings: list[str],
) -> None:
    """Copy one output folder into the site being built, keep its earlier versions, log a revision."""
    report, slug = key.split("/")
    pages, target = site / report / slug, build / report / slug
    have_pages = pages.is_dir() and not pages.is_symlink()
    fingerprint = _fingerprint(folder)
    previous = state["bulletins"].get(key)
    withdrawn = previous is not None and previous.get("status") == "withdrawn"
    version = 1 if previous is None else previous["version"]
    target.mkdir(parents=True)
    if previous is not None and have_pages:
        for old in sorted(os.scandir(pages), key=lambda e: e.name):  # earlier versions stay published
            if _VERSION.match(old.name) and old.is_dir(follow_symlinks=False):
                _copy_tree(Path(old.path), target / old.name, warnings)
    if previous is not None and (withdrawn or previous["tables"] != fingerprint):
        if not reason:
            raise InputError(f"bản tin {key} đã công bố với số liệu khác: cần nêu lý do (--reason)", folder)
        changed = sorted(
            n for n in fingerprint.keys() | previous["tables"].keys() if fingerprint.get(n) != previous["tables"].get(n)
        )
        if withdrawn:
            pass
        elif have_pages:
            _copy_tree(pages, target / f"v{version}", warnings, versions=False)
            _refresh_pages(target / f"v{version}", "../../../", archived=version)
        else:
            warnings.append(f"{key}: trang của phiên bản {version} không còn trên trang; không lưu được bản cũ")
        state["revisions"].append(
            {
                "bulletin": key,
                "from_version": version,
                "to_version": version + 1,
                "time": stamp,
                "reason": reason,
                "tables_changed": changed,
                "totals_changed": _total_changes(pages, folder)[:20] if have_pages else [],
                "action": "republish" if withdrawn else "revise",
            }
        )
        version += 1
    for name in _FILES:
        _copy_file(folder / name, target / name, warnings)
    for sub in ("tables", "figures"):
        if (folder / sub).is_symlink() or (folder / sub).is_dir():
            _copy_tree(folder / sub, target / sub, warnings)
    try:
        page = read_regular(folder / "bulletin.html").decode("utf-8")
    except OSError as exc:
        raise InputError(f"không đọc được trang bản tin: {_why(exc, folder / 'bulletin.html')}", folder) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"trang bản tin không phải UTF-8 ({exc})", folder / "bulletin.html") from None
    _write_pages(target, page, "../../")
    document = _read_json(folder / "document.json") if os.path.lexists(folder / "document.json") else {}
    document = document if isinstance(document, dict) else {}
    params = manifest.get("params")
    state["bulletins"][key] = {
        "version": version,
        "tables": fingerprint,
        "title": str(document.get("title", "")),
        "doc_type": str(document.get("doc_type", "")),
        "subtitle": str(document.get("subtitle", "")),
        "province": str(params.get("province", "") if isinstance(params, dict) else ""),
        # what the document says of its own figures on its first page (illustrative months, say)
        "note": str(params.get("note") or "" if isinstance(params, dict) else ""),
        "as_of": str(manifest.get("as_of", "")),
        "period": str(manifest.get("period", slug)),
        "report": report,
        "slug": slug,
        "status": "published",
    }


# the pages ----------------------------------------------------------------------------------------


def _with_nav(page: str, nav: str) -> str:
    """``page`` with the site's navigation first in its ``<main>`` (replacing the one it had, if any)."""
    head, found, rest = page.partition(_MAIN)
    if not found:
        return page
    old = _SITE_NAV.match(rest)
    rest = rest[old.end() :] if old else rest
    own = _PAGE_NAV.match(rest)  # audit.html's own link back to bulletin.html: the site's navigation has it
    return head + _MAIN + "\n" + nav + (rest[own.end() :] if own else rest)


def _write_pages(target: Path, page: str, home: str, archived: int | None = None) -> None:
    """``index.html`` (the bulletin with the site's navigation) and, when the bulletin has one, its
    ``audit.html`` with the same navigation; an earlier version's pages say so and link the current one."""
    audit = target / "audit.html"
    has_audit = audit.is_file() and not audit.is_symlink()
    context = {"home": home, "audit": has_audit, "archived": archived, "current": "../index.html"}
    nav = site_page("bulletin_nav.html.j2", page="bulletin", **context).strip("\n")
    write_atomic(target / "index.html", _with_nav(page, nav).encode("utf-8"))
    if has_audit:
        nav = site_page("bulletin_nav.html.j2", page="audit", **context).strip("\n")
        text = read_regular(audit).decode("utf-8", errors="replace")
        write_atomic(audit, _with_nav(text, nav).encode("utf-8"))


def _refresh_pages(target: Path, home: str, archived: int | None = None) -> None:
    """The navigation of pages copied from the live site (a kept bulletin, an earlier version) made current."""
    try:
        page = read_regular(target / "bulletin.html").decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return  # a page made before bulletin.html was kept beside it: left as it was
    _write_pages(target, page, home, archived)


def _write_site(build: Path, state: State, live: set[str]) -> None:
    """The site's own pages: home and search, units, feed, methodology, revisions log."""
    bulletins = portal.listed(state["bulletins"], live, build)
    units = portal.units(bulletins)
    archived = portal.archived_versions(bulletins)
    portal.write_units(build / portal.UNITS, units)
    write_atomic(build / portal.SEARCH_SCRIPT, portal.search_script())
    write_atomic(build / portal.FONTS, font_faces().encode("ascii"))
    write_atomic(build / portal.FEED, portal.feed(bulletins, state["revisions"], archived))
    write_atomic(build / "index.html", _index(bulletins, units).encode("utf-8"))
    write_atomic(build / "methodology.html", _methodology().encode("utf-8"))
    write_atomic(build / "revisions.html", _revisions(state, bulletins, archived).encode("utf-8"))


def _script_json(data: object) -> Markup:
    """JSON to inline in a ``<script type="application/json">``: no ``<``, ``>`` or ``&`` left as is."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def _index(bulletins: list[portal.Listed], units: list[portal.Unit]) -> str:
    numbered = list(enumerate(bulletins))
    kinds = [
        {"report": report, "name": portal.KIND_NAMES.get(report, report), "entries": entries}
        for report in REPORTS
        if (entries := [(n, b) for n, b in numbered if b.report == report])
    ]
    index = portal.search_index(bulletins, units)
    return site_page(
        "site_index.html.j2",
        title="Bản tin Bộ chỉ số 766 và thủ tục hành chính",
        home="",
        kinds_listed=kinds,
        kinds=index["kinds"],
        provinces=index["provinces"],
        periods=index["periods"],
        count=len(bulletins),
        units=len(units),
        index_json=_script_json(index),
        date_vi=portal.date_vi,
        time_short=portal.time_short,
    )


def _methodology() -> str:
    table = methodology_table(load_methodology("2026").version)
    # a component without a threshold shows the dash the bulletins' tables show
    table["threshold"] = table["threshold"].replace("", "—")
    components = table[["id", "group", "name", "max", "threshold", "zero_rule_vi", "evidence_vi"]].values.tolist()
    return site_page(
        "site_methodology.html.j2",
        title="Phương pháp tính",
        home="",
        components=components,
        formulas=formulas_table().values.tolist(),
        scoring_rule=phrasings()["scoring_rule"],
    )


def _revisions(state: State, bulletins: list[portal.Listed], archived: set[str]) -> str:
    by_key = {b.key: b for b in bulletins}
    rows = []
    for number, r in reversed(list(enumerate(state["revisions"], start=1))):
        current, old = by_key.get(r["bulletin"]), f"{r['bulletin']}/v{r['from_version']}"
        rows.append(
            {
                "number": number,
                "time": portal.time_vi(r["time"]),
                "name": current.label if current else r["bulletin"],
                "href": current.href if current else "",
                "versions": _versions_text(r),
                "from_version": r["from_version"],
                "archive": f"{old}/index.html" if r.get("action", "revise") == "revise" and old in archived else "",
                "reason": r["reason"],
                "tables": ", ".join(r["tables_changed"]),
                "totals": "; ".join(r["totals_changed"]) or "—",
            }
        )
    return site_page("site_revisions.html.j2", title="Nhật ký sửa đổi", home="", rows=rows)


def _versions_text(revision: Revision) -> str:
    action = revision.get("action", "revise")
    if action == "withdraw":
        return f"{revision['from_version']} → rút khỏi trang"
    if action == "republish":
        return f"{revision['from_version']} → {revision['to_version']} (công bố lại sau khi rút)"
    return f"{revision['from_version']} → {revision['to_version']}"
