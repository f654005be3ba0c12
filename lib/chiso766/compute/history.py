"""Each unit's history over periods, from a folder of earlier snapshots or score tables.

``inputs.history`` names a folder; each entry is one earlier period: a portal snapshot folder (its
period from ``snapshot.json`` or from the folder's name, ``2026-07``) or a score table (each as-of
date of it one point; a table without as-of dates takes the period its file is named after,
``2026-07.csv``). The current period is the last point. Every point is scored with the same rules as
the bulletin itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from chiso766.compute.ranking import changes
from chiso766.compute.scorecard import ScoreCard, from_unit_table, score_snapshot
from chiso766.core.errors import Diagnostics, InputError
from chiso766.core.methodology import GROUP_KEYS, Methodology, load, version_for
from chiso766.core.periods import Period, parse_period
from chiso766.core.textvi import fmt_date
from chiso766.ingest.portal import ENDPOINTS, read_snapshot, snapshot_period
from chiso766.ingest.scores import read_scores
from chiso766.ingest.units import Registry

__all__ = ["Point", "HISTORY_COLUMNS", "read_history", "history_table"]

HISTORY_COLUMNS = ["period", "as_of", "unit_code", "unit_name", "tier", *GROUP_KEYS, "total", "rank"]
_TABLES = (".csv", ".xlsx")


@dataclass(frozen=True)
class Point:
    """One period of a history: its label (``Tháng 07/2026`` style is the narrative's job), the date
    its figures are as of, and its score card (that date's rows only)."""

    label: str
    as_of: date
    card: ScoreCard
    period: Period | None = None


def _method_for(stated: str | None, fallback: date) -> Callable[[date | None], Methodology]:
    def method_for(as_of: date | None) -> Methodology:
        return load(stated or version_for(as_of or fallback))

    return method_for


def _period_of(name: str) -> Period | None:
    try:
        return parse_period(name)
    except ValueError:
        return None


def _snapshot_point(folder: Path, registry: Registry, stated: str | None, fallback: date) -> Point:
    label = snapshot_period(folder) or folder.name
    period = _period_of(label)
    if period is None:
        raise InputError(
            "không biết thư mục ảnh chụp này thuộc kỳ nào: cần snapshot.json hoặc tên thư mục là kỳ (2026-07)",
            folder,
        )
    method = _method_for(stated, fallback)(period.end)
    card = score_snapshot(read_snapshot(folder, method, period=period), method, registry, period.end)
    return Point(period.label, period.end, card, period)


def _table_points(path: Path, registry: Registry, stated: str | None, fallback: date) -> list[Point]:
    period = _period_of(path.stem)
    found = Diagnostics()
    method_for = _method_for(stated, fallback)
    table = read_scores(path, method_for, registry, period.end if period else None, found)
    if table["as_of"].isna().any():
        raise InputError(
            "bảng điểm trong lịch sử cần cột as_of (ngày số liệu) hoặc tên tệp là kỳ (2026-07.csv)",
            path,
            column="as_of",
        )
    card = from_unit_table(table, method_for)
    points = []
    for as_of, rows in card.units.groupby("as_of", sort=True):
        day = as_of if isinstance(as_of, date) else date.fromisoformat(str(as_of))
        single = card.units["as_of"].nunique() == 1
        label = period.label if period is not None and single else day.isoformat()
        one = ScoreCard(card.method, rows.copy(), card.groups, card.components, card.differences, found)
        points.append(Point(label, day, one, period if single else None))
    return points


def read_history(
    folder: Path, current: Point, registry: Registry | None = None, methodology_version: str | None = None
) -> list[Point]:
    """The points of ``folder`` before the current one, oldest first, then ``current``.

    A point of the current period, or dated on or after the current as-of date, is left out: the
    bulletin's own figures are the last word on its period.
    """
    if not folder.is_dir():
        raise InputError("inputs.history phải là một thư mục (các ảnh chụp hoặc bảng điểm các kỳ trước)", folder)
    registry = registry or Registry()
    points: list[Point] = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir() and any((entry / f"{e}.json").is_file() for e in ENDPOINTS):
            points.append(_snapshot_point(entry, registry, methodology_version, current.as_of))
        elif entry.is_file() and entry.suffix.lower() in _TABLES:
            points.extend(_table_points(entry, registry, methodology_version, current.as_of))
    earlier = [p for p in points if p.as_of < current.as_of and p.label != current.label]
    seen: dict[str, Point] = {}
    for point in sorted(earlier, key=lambda p: p.as_of):
        if point.label in seen:
            raise InputError(
                f"lịch sử có hai lần kỳ «{point.label}» (ngày {fmt_date(seen[point.label].as_of)} và "
                f"{fmt_date(point.as_of)}): giữ một tệp cho mỗi kỳ",
                folder,
            )
        seen[point.label] = point
    return [*seen.values(), current]


def history_table(points: list[Point]) -> pd.DataFrame:
    """One row per point and unit (``HISTORY_COLUMNS``), with ``total_change`` and ``rank_change``
    against the unit's previous point (positive rank change = climbed; empty, never 0, without one)."""
    frames = []
    previous: pd.DataFrame | None = None
    for point in points:
        units = point.card.units.copy()
        # the province is not ranked against its units: its rank is the one among the provinces, as given
        units["rank"] = pd.Series(
            [
                g if t == "tinh" else r
                for t, r, g in zip(units["tier"], units["rank"], units["portal_rank"], strict=True)
            ],
            index=units.index,
            dtype=object,
        )
        units["period"] = point.label
        units["as_of"] = point.as_of
        if previous is None:
            units["total_prev"], units["total_change"], units["rank_prev"], units["rank_change"] = (
                None,
                None,
                None,
                None,
            )
        else:
            units = changes(units, previous, "unit_key", ("total",))
        previous = units
        frames.append(units[["unit_key", *HISTORY_COLUMNS, "total_change", "rank_change"]])
    table = pd.concat(frames, ignore_index=True).astype(object) if frames else pd.DataFrame(columns=HISTORY_COLUMNS)
    table = table.where(table.notna(), None)
    for column in ("rank", "rank_change"):
        table[column] = pd.Series(
            [None if v is None else int(v) for v in table[column]], index=table.index, dtype=object
        )
    return table
