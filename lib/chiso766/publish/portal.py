"""The portal parts of the published site: what :mod:`chiso766.publish.site` writes beside the bulletins.

- a page per unit (``units/<code>.html``) from the published ``bulletin_766`` tables (``units.csv``
  and, when a bulletin carries it, ``history.csv``): its total, rank and group points in every
  period, a small chart drawn here as inline SVG, and the bulletins that name it; ``units/index.html``
  lists them all;
- the search index inlined in the home page (``search.js`` filters it offline: no request, no CDN);
- ``feed.xml``, an Atom 1.0 feed of the bulletins and of the revisions log;
- dates and times the Vietnamese way (dd/mm/yyyy, HH:MM giờ Việt Nam).

Everything is read from the site being built (its copies of the output folders), so the same outputs
give the same bytes; the only times are the runs' (``manifest.json``) and the revisions log's.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import os
import re
import unicodedata
import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple
from xml.etree import ElementTree as ET

from chiso766.core.errors import clean
from chiso766.core.files import read_regular, write_atomic
from chiso766.core.methodology import GROUP_KEYS
from chiso766.core.methodology import load as load_methodology
from chiso766.core.periods import VIETNAM, Period, parse_period
from chiso766.core.textvi import capitalized, fmt_points, name_key
from chiso766.render.html import page as site_page

__all__ = [
    "Listed",
    "Unit",
    "KIND_NAMES",
    "listed",
    "units",
    "write_units",
    "search_index",
    "search_script",
    "feed",
    "archived_versions",
    "date_vi",
    "time_vi",
    "time_short",
    "period_vi",
    "SEARCH_SCRIPT",
    "FONTS",
    "FEED",
    "UNITS",
]

KIND_NAMES = {
    "bulletin_766": "Báo cáo Bộ chỉ số 766",
    "weekly_tthc": "Thông báo tuần về thủ tục hành chính",
    "unit_report": "Báo cáo của đơn vị",
    "yearly_indices": "Các chỉ số cải cách hành chính hằng năm",
}
TIER_NAMES = {"tinh": "Tỉnh, thành phố", "so": "Sở, ban, ngành", "xa": "Xã, phường, đặc khu"}
SEARCH_SCRIPT = "search.js"
FONTS = "fonts.css"  # the typeface of the site's own pages (a bulletin page carries its own)
FEED = "feed.xml"
UNITS = "units"
_ATOM = "http://www.w3.org/2005/Atom"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_FEED_NAMESPACE = uuid.UUID("5f0e6c2a-76c6-4a36-9d1e-0c7e3a766766")
ET.register_namespace("", _ATOM)
_SAFE_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*$")
_KIND_ORDER = {"month": 0, "quarter": 1, "year": 2, "range": 3}
_KIND_WORDS = {"month": "theo tháng", "quarter": "theo quý", "year": "theo năm", "range": "theo kỳ"}


# dates and periods ---------------------------------------------------------------------------------


def date_vi(iso: str) -> str:
    """``2026-09-26`` → ``26/09/2026`` (anything else as it is)."""
    try:
        return date.fromisoformat(iso[:10]).strftime("%d/%m/%Y") if len(iso) >= 10 else iso
    except ValueError:
        return iso


def _moment(stamp: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def time_vi(stamp: str) -> str:
    """``2026-12-01T14:56:22+00:00`` → ``21:56 ngày 01/12/2026 (giờ Việt Nam)``."""
    moment = _moment(stamp)
    if moment is None:
        return date_vi(stamp)
    local = moment.astimezone(VIETNAM)
    return f"{local:%H:%M} ngày {local:%d/%m/%Y} (giờ Việt Nam)"


def time_short(stamp: str) -> str:
    """``2026-12-01T14:56:22+00:00`` → ``21:56 01/12/2026`` (Vietnam's time, said in the column's title)."""
    moment = _moment(stamp)
    return f"{moment.astimezone(VIETNAM):%H:%M %d/%m/%Y}" if moment else date_vi(stamp)


def _period(label: str) -> Period | None:
    try:
        return parse_period(label.replace("_", ".."))
    except ValueError:
        return None


def period_vi(label: str) -> str:
    """``Tháng 08/2026``, ``Quý III/2026``, ``Năm 2026``, ``12/09/2025 – 18/09/2025``."""
    period = _period(label)
    if period is None:
        return label
    if period.kind == "range":
        return f"{period.start:%d/%m/%Y} – {period.end:%d/%m/%Y}"
    return capitalized(period.describe_vi())


def _period_short(label: str) -> str:
    period = _period(label)
    if period is None:
        return label
    if period.kind == "month":
        return f"{period.start:%m/%Y}"
    if period.kind == "quarter":
        return f"Q{(period.start.month - 1) // 3 + 1}/{period.start.year}"
    if period.kind == "year":
        return str(period.start.year)
    return f"{period.start:%d/%m}–{period.end:%d/%m/%Y}"


def _period_order(label: str) -> tuple[str, str]:
    period = _period(label)
    return (period.end.isoformat(), period.start.isoformat()) if period else (label, label)


# the published bulletins ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Listed:
    """A bulletin on the site, as the portal pages list it."""

    key: str
    report: str
    slug: str
    period: str
    province: str
    as_of: str
    title: str
    doc_type: str
    version: int
    folder: Path  # its pages in the site being built
    updated: str  # RFC 3339: when its run finished (manifest.json)
    note: str = ""  # the params' note the document prints on its first page

    @property
    def href(self) -> str:
        return f"{self.report}/{self.slug}/index.html"

    @property
    def kind_name(self) -> str:
        return KIND_NAMES.get(self.report, self.report)

    @property
    def period_vi(self) -> str:
        return period_vi(self.period or self.slug)

    @cached_property
    def named(self) -> list[tuple[str, str]]:
        """The units (code, name) a bulletin of another kind names: a weekly notice's, a unit report's
        own. Read once: the units' pages and the search index both ask."""
        if self.report == "weekly_tthc":
            rows = _rows(self.folder / "tables" / "indicators.csv")
            return [(r.get("unit_code", ""), clean(r.get("unit_name", ""))) for r in rows if r.get("level") == "unit"]
        if self.report == "unit_report":
            params = _json(self.folder / "manifest.json").get("params")
            named_unit = clean(str(params.get("unit", ""))) if isinstance(params, dict) else ""
            return [(named_unit, named_unit)] if named_unit else []
        return []

    @property
    def label(self) -> str:
        """``Báo cáo Bộ chỉ số 766, Tháng 08/2026, Phú Thọ``."""
        return ", ".join(part for part in (self.kind_name, self.period_vi, self.province) if part)


def _json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(read_regular(path).decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


def _updated(folder: Path, as_of: str) -> str:
    moment = _moment(str(_json(folder / "manifest.json").get("finished", "")))
    if moment is not None:
        return moment.isoformat(timespec="seconds")
    day = as_of if re.match(r"^\d{4}-\d{2}-\d{2}$", as_of) else "1970-01-01"
    return f"{day}T00:00:00+07:00"


def listed(entries: Mapping[str, Mapping[str, object]], live: set[str], build: Path) -> list[Listed]:
    """The live bulletins, latest period first within each kind, kinds in the order they are named."""
    found = []
    for key in sorted(live):
        entry = {name: str(value) for name, value in entries[key].items() if isinstance(value, (str, int))}
        folder = build / entry["report"] / entry["slug"]
        found.append(
            Listed(
                key,
                entry["report"],
                entry["slug"],
                entry.get("period") or entry["slug"],
                entry.get("province", ""),
                entry.get("as_of", ""),
                entry.get("title", ""),
                entry.get("doc_type", ""),
                int(entry["version"]),
                folder,
                _updated(folder, entry.get("as_of", "")),
                entry.get("note", ""),
            )
        )
    order = list(KIND_NAMES)
    found.sort(key=lambda b: (_period_order(b.period), b.as_of, b.key), reverse=True)
    found.sort(key=lambda b: order.index(b.report) if b.report in order else len(order))
    return found


def _rows(path: Path) -> list[dict[str, str]]:
    """A CSV table of the site as rows of text ([] when it is absent, not a regular file or not CSV)."""
    try:
        text = read_regular(path).decode("utf-8-sig")
        return [{k: (v or "").strip() for k, v in row.items() if k} for row in csv.DictReader(io.StringIO(text))]
    except (OSError, UnicodeDecodeError, csv.Error):
        return []


# units ---------------------------------------------------------------------------------------------


@dataclass
class Point:
    """One unit in one period: its points, total and rank, and the bulletin they come from."""

    period: str
    as_of: str
    groups: list[str]
    total: str
    rank: str
    source: Listed
    from_history: bool


@dataclass
class Unit:
    province: str
    code: str
    name: str
    tier: str
    file: str = ""
    points: dict[str, Point] = field(default_factory=dict)  # by period label
    mentions: list[Listed] = field(default_factory=list)

    @property
    def tier_vi(self) -> str:
        return TIER_NAMES.get(self.tier, self.tier)

    @property
    def history(self) -> list[Point]:
        return sorted(self.points.values(), key=lambda p: _period_order(p.period))

    @property
    def history_notes(self) -> list[Listed]:
        """The bulletins whose history gave a row of this page and that say something of their figures."""
        sources = [p.source for p in self.history if p.from_history and p.source.note]
        return list(dict.fromkeys(sources))

    @property
    def latest(self) -> Point | None:
        history = self.history
        return history[-1] if history else None


def _unit_key(province: str, code: str, name: str) -> tuple[str, str]:
    return (province, code) if code else (province, "tên:" + name_key(name))


def _rank_text(row: dict[str, str], counts: Counter[tuple[str, str]], period: str) -> str:
    """``5/20`` within the unit's tier (a province: its rank as given, among the provinces)."""
    rank = row.get("rank") or (row.get("portal_rank", "") if row.get("tier") == "tinh" else "")
    if not rank or row.get("tier") == "tinh":
        return rank
    of = counts[(period, row.get("tier", ""))]
    return f"{rank}/{of}" if of else rank


def _add_rows(found: dict[tuple[str, str], Unit], rows: list[dict[str, str]], source: Listed, *, history: bool) -> None:
    counts: Counter[tuple[str, str]] = Counter(
        (r.get("period", source.period) if history else source.period, r.get("tier", "")) for r in rows if r.get("rank")
    )
    for row in rows:
        name = clean(row.get("unit_name", ""))
        if not name:
            continue
        code = clean(row.get("unit_code", ""))
        unit = found.setdefault(
            _unit_key(source.province, code, name), Unit(source.province, code, name, row.get("tier", ""))
        )
        period = row.get("period", "") if history else source.period
        if not period or (history and period in unit.points):  # a bulletin's own table, or a later history
            continue
        if not history:
            unit.name, unit.tier = name, row.get("tier", "") or unit.tier
        if source not in unit.mentions:
            unit.mentions.append(source)
        unit.points[period] = Point(
            period,
            row.get("as_of", "") or (source.as_of if not history else ""),
            [row.get(g, "") for g in GROUP_KEYS],
            row.get("total", ""),
            _rank_text(row, counts, period),
            source,
            history,
        )


def _slug(text: str) -> str:
    """ASCII letters and digits joined by dashes: ``Xã Sông Lô`` → ``xa-song-lo``."""
    ascii_text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D")).encode("ascii", "ignore")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.decode().lower()).strip("-")[:48]


def _file_name(unit: Unit, taken: set[str]) -> str:
    """A safe, stable file name: the code when it is one (dots kept: ``H44.167.html``), else a slug of
    the code or name and a short digest; a second unit of the same name gets its province's name."""
    base = unit.code if _SAFE_CODE.match(unit.code) and len(unit.code) <= 64 else ""
    if not base:
        digest = hashlib.sha256(f"{unit.province}\n{unit.code}\n{unit.name}".encode()).hexdigest()[:8]
        base = f"{_slug(unit.code or unit.name) or 'don-vi'}-{digest}"
    name = base
    if name.lower() in taken or name.lower() == "index":
        name = f"{base}-{_slug(unit.province) or 'tinh'}"
        number = 2
        while name.lower() in taken:
            name, number = f"{base}-{number}", number + 1
    taken.add(name.lower())
    return f"{name}.html"


def _mentions(found: dict[tuple[str, str], Unit], bulletins: list[Listed]) -> None:
    """The other kinds of bulletin that name a unit: weekly notices (per unit) and unit reports."""
    by_name = {(u.province, name_key(u.name)): u for u in found.values()}
    by_code = {(u.province, u.code): u for u in found.values() if u.code}
    for bulletin in bulletins:
        for code, name in bulletin.named:
            match = by_name.get((bulletin.province, name_key(name))) or by_code.get((bulletin.province, code))
            if match is not None and bulletin not in match.mentions:
                match.mentions.append(bulletin)


def units(bulletins: list[Listed]) -> list[Unit]:
    """Every unit of the published ``bulletin_766`` tables, with its periods and the bulletins naming it."""
    found: dict[tuple[str, str], Unit] = {}
    scores = [b for b in bulletins if b.report == "bulletin_766"]
    for bulletin in sorted(scores, key=lambda b: _period_order(b.period)):  # the latest name last
        _add_rows(found, _rows(bulletin.folder / "tables" / "units.csv"), bulletin, history=False)
    for bulletin in sorted(scores, key=lambda b: _period_order(b.period), reverse=True):  # latest history first
        _add_rows(found, _rows(bulletin.folder / "tables" / "history.csv"), bulletin, history=True)
    _mentions(found, bulletins)
    result = sorted(found.values(), key=lambda u: (u.province, u.tier != "tinh", u.tier, name_key(u.name), u.code))
    taken: set[str] = set()
    order = {b.key: n for n, b in enumerate(bulletins)}
    for unit in result:
        unit.file = _file_name(unit, taken)
        unit.mentions.sort(key=lambda b: order.get(b.key, 0))
    return result


# the unit pages ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Chart:
    """A line chart of a unit's total, ready to draw: coordinates in a 640 × 260 box."""

    points: list[tuple[float, float, str, str]]  # x, y, value label, period label
    grid: list[tuple[float, str]]  # y, label
    path: str
    caption: str
    summary: str
    width: int = 640
    height: int = 260
    left: int = 48
    right: int = 624
    top: int = 20
    bottom: int = 220


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _series(unit: Unit) -> tuple[str, list[tuple[Point, float]]]:
    """The unit's totals over the periods of the kind it has most of (months, else quarters …)."""
    history = [(p, v, _period(p.period)) for p in unit.history if (v := _number(p.total)) is not None]
    kinds = Counter(period.kind for _, _, period in history if period)
    if not kinds:
        return "", []
    kind = min(kinds, key=lambda k: (-kinds[k], _KIND_ORDER[k]))
    return kind, [(p, v) for p, v, period in history if period and period.kind == kind]


def _chart(unit: Unit) -> Chart | None:
    """A line of the unit's total, the vertical scale around its values (5-point steps)."""
    kind, series = _series(unit)
    if not series:
        return None
    values = [v for _, v in series]
    low = max(0, math.floor((min(values) - 2) / 5) * 5)
    high = max(min(100, math.ceil((max(values) + 2) / 5) * 5), low + 5)
    step = 5 if high - low <= 30 else 10 if high - low <= 60 else 20
    box = Chart([], [], "", "", "")

    def y(value: float) -> float:
        return round(box.bottom - (value - low) / (high - low) * (box.bottom - box.top), 1)

    span, count = box.right - box.left - 80, len(series)  # 40 units each side: room for a period's label
    every = max(1, math.ceil(count / 8))  # at most 8 period labels under the axis
    points = [
        (
            round(box.left + 40 + (span * n / (count - 1) if count > 1 else span / 2), 1),
            y(v),
            fmt_points(p.total),
            _period_short(p.period) if n % every == 0 or n == count - 1 else "",
        )
        for n, (p, v) in enumerate(series)
    ]
    path = " ".join(f"{'L' if n else 'M'} {x} {yy}" for n, (x, yy, _, _) in enumerate(points))
    words = "; ".join(f"{period_vi(p.period)}: {fmt_points(p.total)} điểm" for p, _ in series)
    caption = f"Tổng điểm {_KIND_WORDS[kind]}"
    grid = [(y(v), str(v)) for v in range(low, high + 1, step)]
    return Chart(points, grid, path, caption, f"{caption} của {unit.name}: {words}.")


def _with_province(unit: Unit) -> str:
    """``Sở Nội vụ (Phú Thọ)``: a unit's name with its province's, unless it holds it already; two
    provinces' Sở Nội vụ had the same page title.

    Examples
    --------
    >>> _with_province(Unit("Phú Thọ", "H44.42", "Sở Nội vụ", "so"))
    'Sở Nội vụ (Phú Thọ)'
    >>> _with_province(Unit("Phú Thọ", "H44", "Tỉnh Phú Thọ", "tinh"))
    'Tỉnh Phú Thọ'
    """
    held = unit.province and name_key(unit.province) in name_key(unit.name)
    return unit.name if held or not unit.province else f"{unit.name} ({unit.province})"


def _unit_page(unit: Unit, groups: list[str]) -> str:
    return site_page(
        "site_unit.html.j2",
        title=f"{_with_province(unit)}: điểm Bộ chỉ số 766 qua các kỳ",
        home="../",
        unit=unit,
        groups=groups,
        chart=_chart(unit),
        period_vi=period_vi,
        date_vi=date_vi,
        points=fmt_points,
    )


def _by_province(found: list[Unit]) -> list[tuple[str, list[tuple[str, list[Unit]]]]]:
    """The units by province, then by tier, in the order :func:`units` sorted them (the province first)."""
    provinces: dict[str, dict[str, list[Unit]]] = {}
    for unit in found:
        provinces.setdefault(unit.province, {}).setdefault(unit.tier, []).append(unit)
    return [
        (province, [(TIER_NAMES.get(tier, tier or "Khác"), members) for tier, members in tiers.items()])
        for province, tiers in provinces.items()
    ]


def write_units(folder: Path, found: list[Unit]) -> None:
    """``units/<file>.html`` for each unit and ``units/index.html``, the list of them all."""
    groups = [g.short_vi for g in load_methodology("2026").groups]
    folder.mkdir(parents=True, exist_ok=True)
    for unit in found:
        write_atomic(folder / unit.file, _unit_page(unit, groups).encode("utf-8"))
    page = site_page(
        "site_units.html.j2",
        title="Các đơn vị",
        home="../",
        provinces=_by_province(found),
        period_vi=period_vi,
        points=fmt_points,
    )
    write_atomic(folder / "index.html", page.encode("utf-8"))


# the search index ----------------------------------------------------------------------------------


def search_index(bulletins: list[Listed], found: list[Unit]) -> dict[str, Any]:
    """What ``search.js`` searches and filters: bulletins and units, with the choices of each filter."""
    number = {b.key: n for n, b in enumerate(bulletins)}
    periods = sorted({b.period for b in bulletins}, key=_period_order, reverse=True)
    return {
        "kinds": [[k, n] for k, n in KIND_NAMES.items() if any(b.report == k for b in bulletins)],
        "provinces": sorted({b.province for b in bulletins if b.province}, key=name_key),
        "periods": [[p, period_vi(p)] for p in periods],
        # a bulletin is found by the units it names too, those without a page of their own among them
        # (a weekly notice's communes where no Bộ chỉ số 766 bulletin of theirs is published)
        "bulletins": [
            {
                "r": b.report,
                "p": b.period,
                "v": b.province,
                "t": f"{b.kind_name} {b.period_vi} {b.title}",
                "h": b.href,
                "u": sorted({name for _, name in b.named if name}, key=name_key),
            }
            for b in bulletins
        ],
        "units": [
            {
                "n": u.name,
                "c": u.code,
                "v": u.province,
                "g": u.tier_vi,
                "h": f"{UNITS}/{u.file}",
                "t": fmt_points(u.latest.total) if u.latest else "",
                "b": [number[b.key] for b in u.mentions if b.key in number],
            }
            for u in found
        ],
    }


def search_script() -> bytes:
    """The search page's script, shipped with the package (no external request)."""
    return Path(str(resources.files("chiso766.render").joinpath("templates", "site", SEARCH_SCRIPT))).read_bytes()


# the Atom feed -------------------------------------------------------------------------------------


class _Item(NamedTuple):
    """One entry of the feed."""

    updated: str  # RFC 3339
    key: str  # what its id is made from
    title: str
    href: str  # the page it links, relative to the feed
    summary: str
    related: str = ""  # an earlier version's page


def _sub(parent: ET.Element, tag: str, text: str = "", **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{_ATOM}}}{tag}", attributes)
    if text:
        element.text = clean(text)
    return element


def _revision_item(number: int, revision: Mapping[str, object], by_key: dict[str, Listed], archived: set[str]) -> _Item:
    key, action = str(revision.get("bulletin", "")), str(revision.get("action", "revise"))
    current = by_key.get(key)
    what = {"withdraw": "Rút khỏi trang", "republish": "Công bố lại"}.get(action, "Sửa đổi")
    versions = f"phiên bản {revision.get('from_version')} → {revision.get('to_version')}"
    old = f"{key}/v{revision.get('from_version')}"
    moment = _moment(str(revision.get("time", ""))) or datetime.fromtimestamp(0, UTC)
    return _Item(
        moment.isoformat(timespec="seconds"),
        f"revision/{number}/{key}",
        f"{what}: {current.label if current else key}",
        current.href if current and action != "withdraw" else f"revisions.html#r{number}",
        f"{what} ({versions}): {revision.get('reason', '')}",
        f"{old}/index.html" if action == "revise" and old in archived else "",
    )


def _items(bulletins: list[Listed], revisions: Sequence[Mapping[str, object]], archived: set[str]) -> list[_Item]:
    """The feed's entries, newest first: each published bulletin (its current version), each revision."""
    items = [
        _Item(b.updated, f"{b.key}/v{b.version}", f"{b.label} (phiên bản {b.version})", b.href, b.title or b.label)
        for b in bulletins
    ]
    by_key = {b.key: b for b in bulletins}
    items += [_revision_item(n, r, by_key, archived) for n, r in enumerate(revisions, start=1)]
    return sorted(items, key=lambda i: (_moment(i.updated) or datetime.fromtimestamp(0, UTC), i.key), reverse=True)


def feed(bulletins: list[Listed], revisions: Sequence[Mapping[str, object]], archived: set[str]) -> bytes:
    """``feed.xml``, Atom 1.0: one entry per published bulletin and per line of the revisions log."""
    items = _items(bulletins, revisions, archived)
    provinces = ", ".join(sorted({b.province for b in bulletins if b.province}, key=name_key))
    root = ET.Element(f"{{{_ATOM}}}feed", {_XML_LANG: "vi"})
    _sub(root, "id", uuid.uuid5(_FEED_NAMESPACE, "site").urn)  # the same for the site's whole life
    _sub(root, "title", "Bản tin Bộ chỉ số 766 và thủ tục hành chính" + (f": {provinces}" if provinces else ""))
    _sub(root, "updated", items[0].updated if items else datetime.fromtimestamp(0, UTC).isoformat())
    _sub(root, "link", rel="self", type="application/atom+xml", href=FEED)
    _sub(root, "link", rel="alternate", type="text/html", href="index.html")
    _sub(_sub(root, "author"), "name", "chiso766 publish")
    _sub(root, "generator", "chiso766")
    for item in items:
        entry = _sub(root, "entry")
        _sub(entry, "id", uuid.uuid5(_FEED_NAMESPACE, item.key).urn)
        _sub(entry, "title", item.title)
        _sub(entry, "updated", item.updated)
        _sub(entry, "link", rel="alternate", type="text/html", href=item.href)
        if item.related:
            _sub(entry, "link", rel="related", type="text/html", href=item.related, title="Phiên bản trước")
        _sub(entry, "summary", item.summary)
    ET.indent(root)
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data + b"\n"


def archived_versions(bulletins: list[Listed]) -> set[str]:
    """``<report>/<slug>/v<n>`` of every earlier version kept on the site being built."""
    found = set()
    for b in bulletins:
        if b.folder.is_dir():
            for entry in os.scandir(b.folder):
                if re.match(r"^v[0-9]+$", entry.name) and entry.is_dir(follow_symlinks=False):
                    found.add(f"{b.key}/{entry.name}")
    return found
