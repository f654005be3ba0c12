"""Dossier indicators in DuckDB: one SQL query per indicator family (``sql/*.sql``), readable by an
auditor; rates, targets and points are computed from their counts in Python, exactly.

The weekly indicators are rows of plain values (:func:`indicator_rows`); pandas, which takes longer
to import than DuckDB takes to count ten million dossiers' week, is imported only where a frame is
made (:func:`indicator_table` and the other tables).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, NamedTuple

import duckdb

from chiso766.compute.engines import Engine, as_engine
from chiso766.compute.scoring import component_points, rate
from chiso766.core.decimals import round_half_up
from chiso766.core.methodology import Methodology
from chiso766.core.periods import Period
from chiso766.core.targets import Target, parse_target

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "INDICATORS",
    "RECEIVED_INDICATORS",
    "IndicatorRow",
    "sql_text",
    "sql_params",
    "run_query",
    "indicator_rows",
    "indicator_table",
    "local_components",
    "backlog_table",
]

# Received-based indicators count dossiers received in the period; resolution ones count dossiers
# finished in it, whenever received.
RECEIVED_INDICATORS = (
    "online_submission",
    "online_payment",
    "updated_on_system",
    "digitized",
    "data_reuse",
    "complaints_handled",
)
INDICATORS = (*RECEIVED_INDICATORS, "resolved_on_time", "resolved_late")


class IndicatorRow(NamedTuple):
    """One row of ``tables/indicators.csv``: an indicator of a unit, a tier (``level`` is the tier) or the province."""

    level: str
    unit_code: str | None
    unit_name: str | None
    indicator: str
    numerator: int
    denominator: int
    rate: Decimal | None
    target: str
    meets_target: bool | None
    missing: int
    tier: str | None


COLUMNS = list(IndicatorRow._fields)
# kept as Python values in the frame (not pandas' strings): empty cells stay None, rates Decimals
_OBJECT_COLUMNS = {"level", "unit_code", "unit_name", "rate", "tier"}


# Every family reports the same three levels: each unit, each tier, the province. The rule is
# written here once; the queries say ``@level`` and ``@by_level`` where they use it.
LEVEL = (
    "CASE WHEN grouping(unit_code) = 0 THEN 'unit'\n"
    "             WHEN grouping(tier) = 0 THEN tier\n"
    "             ELSE 'province' END"
)
BY_LEVEL = "GROUP BY GROUPING SETS ((tier, unit_code, unit_name), (tier), ())"


@cache
def sql_text(name: str) -> str:
    """The text of ``sql/<name>.sql`` with the level rule filled in: the one definition every engine runs."""
    text = resources.files("chiso766.compute").joinpath("sql", f"{name}.sql").read_text(encoding="utf-8")
    return text.replace("@by_level", BY_LEVEL).replace("@level", LEVEL)


def sql_params(period: Period, as_of: date) -> dict[str, datetime]:
    """Bounds in local time: the period is [start 00:00, day after end 00:00); as-of runs to its day's end."""
    as_of_end = datetime.combine(as_of, time.max)
    period_end = datetime.combine(period.end + timedelta(days=1), time.min)
    return {
        "period_start": datetime.combine(period.start, time.min),
        "period_end": period_end,
        "as_of_end": as_of_end,
        "eval_end": min(as_of_end, period_end - timedelta(microseconds=1)),
    }


def run_query(engine: Engine | duckdb.DuckDBPyConnection, name: str, params: Mapping[str, datetime]) -> pd.DataFrame:
    """Run ``sql/<name>.sql`` on DuckDB (a connection or engine) or Spark; counts come back as integers."""
    frame = as_engine(engine).query(sql_text(name), params)
    for column in frame.columns:
        if column in {"numerator", "denominator", "missing", "in_process", "overdue_in_process", "finished_late"}:
            frame[column] = frame[column].astype("int64")
        elif column in {"unit_code", "unit_name", "tier", "level", "indicator", "component"}:
            frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame


_LEVEL_RANK = {"province": 0, "so": 1, "xa": 2, "unit": 3}
_TIER_RANK = {"so": 0, "xa": 1}
_INDICATOR_RANK = {name: rank for rank, name in enumerate(INDICATORS)}


def _rank(level: str | None, key: object, tier: str | None, unit_code: str | None) -> tuple[object, ...]:
    """Every table's order: the province, the tiers, the units (another level after them); then
    ``key`` (the indicator or component), the tier (none first) and the unit code (none last)."""
    return (_LEVEL_RANK.get(level or "", 4), key, _TIER_RANK.get(tier or "", -1), unit_code is None, unit_code or "")


def _order(frame: pd.DataFrame, key: str | None) -> pd.DataFrame:
    """``frame`` in :func:`_rank`'s order (a stable sort: rows that rank alike keep the engine's order)."""
    keys = list(
        zip(frame["level"], frame[key] if key else [0] * len(frame), frame["tier"], frame["unit_code"], strict=True)
    )
    return frame.iloc[sorted(range(len(keys)), key=lambda i: _rank(*keys[i]))].reset_index(drop=True)


def indicator_rows(
    con: Engine | duckdb.DuckDBPyConnection, period: Period, as_of: date, targets: Mapping[str, object] | None = None
) -> list[IndicatorRow]:
    """The rows of ``tables/indicators.csv``: each indicator per unit, per tier and for the province.

    ``rate`` is in percent, half-up at 2 decimals, computed exactly from the counts; ``missing``
    counts dossiers whose flag was left empty. Complaints are included when table ``complaints`` exists.
    """
    engine = as_engine(con)
    params = sql_params(period, as_of)
    families = ["received", "resolution", *(["complaints"] if engine.has_table("complaints") else [])]
    parsed: dict[str, Target] = {k: parse_target(v) for k, v in (targets or {}).items() if k in INDICATORS}
    rows = []
    for family in families:
        for level, unit_code, unit_name, tier, indicator, numerator, denominator, missing in engine.rows(
            sql_text(family), params
        ):
            exact = rate(numerator, denominator)
            rounded = None if exact is None else round_half_up(exact, 2)
            target = parsed.get(indicator)
            meets = None if target is None or rounded is None else target.meets(rounded)
            row = IndicatorRow(
                level,
                unit_code,
                unit_name,
                indicator,
                int(numerator),
                int(denominator),
                rounded,
                "" if target is None else str(target),
                meets,
                int(missing),
                tier,
            )
            rows.append(row)
    return sorted(rows, key=lambda r: _rank(r.level, _INDICATOR_RANK[r.indicator], r.tier, r.unit_code))


def indicator_table(
    con: Engine | duckdb.DuckDBPyConnection, period: Period, as_of: date, targets: Mapping[str, object] | None = None
) -> pd.DataFrame:
    """:func:`indicator_rows` as a frame, the form the reports and ``tables/indicators.csv`` take."""
    import pandas as pd

    rows = indicator_rows(con, period, as_of, targets)
    return pd.DataFrame(
        {
            name: pd.Series([getattr(r, name) for r in rows], dtype=object if name in _OBJECT_COLUMNS else None)
            for name in COLUMNS
        }
    )


def local_components(
    con: Engine | duckdb.DuckDBPyConnection, period: Period, as_of: date, method: Methodology
) -> pd.DataFrame:
    """The 766 components dossier data determines, scored with the portal's rules."""
    import pandas as pd

    frame = run_query(con, "components", sql_params(period, as_of))
    scored = [
        component_points(method.component(c), n, d)
        for c, n, d in zip(frame["component"], frame["numerator"], frame["denominator"], strict=True)
    ]
    frame["group"] = [method.component(c).group for c in frame["component"]]
    frame["rate"] = pd.Series([None if s.rate is None else round_half_up(s.rate, 2) for s in scored], dtype=object)
    frame["points"] = pd.Series([s.points for s in scored], dtype=object)
    frame["numerator"] = frame["numerator"].astype(int)
    frame["denominator"] = frame["denominator"].astype(int)
    return _order(frame, "component")[
        ["level", "unit_code", "unit_name", "tier", "group", "component", "numerator", "denominator", "rate", "points"]
    ]


def backlog_table(con: Engine | duckdb.DuckDBPyConnection, period: Period, as_of: date) -> pd.DataFrame:
    """In process and overdue at the as-of date, and finished late in the period, per unit."""
    frame = run_query(con, "backlog", sql_params(period, as_of))
    for column in ("in_process", "overdue_in_process", "finished_late"):
        frame[column] = frame[column].astype(int)
    return _order(frame, None)


def rate_of(frame: pd.DataFrame, level: str, indicator: str, unit_code: str | None = None) -> Decimal | None:
    """One rate from an indicator table (for tests and text)."""
    rows = frame[(frame["level"] == level) & (frame["indicator"] == indicator)]
    if unit_code is not None:
        rows = rows[rows["unit_code"] == unit_code]
    return rows.iloc[0]["rate"] if len(rows) else None
