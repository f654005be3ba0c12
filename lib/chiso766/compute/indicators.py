"""Dossier indicators in DuckDB: one SQL query per indicator family (``sql/*.sql``), readable by an
auditor; rates, targets and points are computed from their counts in Python, exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import cache
from importlib import resources

import duckdb
import pandas as pd

from chiso766.compute.engines import Engine, as_engine
from chiso766.compute.scoring import component_points, rate
from chiso766.core.decimals import round_half_up
from chiso766.core.methodology import Methodology
from chiso766.core.periods import Period
from chiso766.core.targets import Target, parse_target

__all__ = [
    "INDICATORS",
    "RECEIVED_INDICATORS",
    "sql_text",
    "sql_params",
    "run_query",
    "indicator_table",
    "local_components",
    "backlog_table",
    "INDICATOR_NAMES",
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
INDICATOR_NAMES = {
    "online_submission": "Tỷ lệ nộp hồ sơ trực tuyến",
    "online_payment": "Tỷ lệ thanh toán trực tuyến",
    "updated_on_system": "Tỷ lệ hồ sơ được cập nhật trên hệ thống",
    "digitized": "Tỷ lệ số hóa hồ sơ, kết quả giải quyết TTHC",
    "data_reuse": "Tỷ lệ khai thác, sử dụng lại thông tin, dữ liệu số hóa",
    "complaints_handled": "Tỷ lệ phản ánh, kiến nghị được xử lý theo quy định",
    "resolved_on_time": "Tỷ lệ hồ sơ đã giải quyết trước hạn, đúng hạn",
    "resolved_late": "Tỷ lệ hồ sơ đã giải quyết quá hạn",
}
COLUMNS = [
    "level",
    "unit_code",
    "unit_name",
    "indicator",
    "numerator",
    "denominator",
    "rate",
    "target",
    "meets_target",
    "missing",
    "tier",
]


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


def _order(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    level = frame["level"].map({"province": 0, "so": 1, "xa": 2, "unit": 3})
    tier = frame["tier"].map({"so": 0, "xa": 1}).fillna(-1)
    return (
        frame.assign(_l=level, _t=tier)
        .sort_values(["_l", key, "_t", "unit_code"], kind="stable")
        .drop(columns=["_l", "_t"])
        .reset_index(drop=True)
    )


def indicator_table(
    con: Engine | duckdb.DuckDBPyConnection, period: Period, as_of: date, targets: Mapping[str, object] | None = None
) -> pd.DataFrame:
    """``tables/indicators.csv``: each indicator per unit, per tier and for the province.

    ``rate`` is in percent, half-up at 2 decimals, computed exactly from the counts; ``missing``
    counts dossiers whose flag was left empty. Complaints are included when table ``complaints`` exists.
    """
    params = sql_params(period, as_of)
    families = ["received", "resolution", *(["complaints"] if as_engine(con).has_table("complaints") else [])]
    frame = pd.concat([run_query(con, name, params) for name in families], ignore_index=True)
    parsed: dict[str, Target] = {k: parse_target(v) for k, v in (targets or {}).items() if k in INDICATORS}
    rates = [
        None if r is None else round_half_up(r, 2)
        for r in (rate(n, d) for n, d in zip(frame["numerator"], frame["denominator"], strict=True))
    ]
    frame["rate"] = pd.Series(rates, dtype=object)
    frame["target"] = [str(parsed[i]) if i in parsed else "" for i in frame["indicator"]]
    frame["meets_target"] = [
        None if i not in parsed or r is None else parsed[i].meets(r)
        for i, r in zip(frame["indicator"], frame["rate"], strict=True)
    ]
    frame["numerator"] = frame["numerator"].astype(int)
    frame["denominator"] = frame["denominator"].astype(int)
    frame["missing"] = frame["missing"].astype(int)
    frame["indicator"] = pd.Categorical(frame["indicator"], categories=INDICATORS, ordered=True)
    frame = _order(frame.astype({"unit_code": object, "unit_name": object}), "indicator")
    frame["indicator"] = frame["indicator"].astype(str)
    return frame[COLUMNS]


def local_components(
    con: Engine | duckdb.DuckDBPyConnection, period: Period, as_of: date, method: Methodology
) -> pd.DataFrame:
    """The 766 components dossier data determines, scored with the portal's rules."""
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
    frame = _order(frame.astype({"unit_code": object, "unit_name": object}), "component")
    return frame[
        ["level", "unit_code", "unit_name", "tier", "group", "component", "numerator", "denominator", "rate", "points"]
    ]


def backlog_table(con: Engine | duckdb.DuckDBPyConnection, period: Period, as_of: date) -> pd.DataFrame:
    """In process and overdue at the as-of date, and finished late in the period, per unit."""
    frame = run_query(con, "backlog", sql_params(period, as_of))
    for column in ("in_process", "overdue_in_process", "finished_late"):
        frame[column] = frame[column].astype(int)
    return _order(frame.astype({"unit_code": object, "unit_name": object}).assign(key=0), "key").drop(columns="key")


def rate_of(frame: pd.DataFrame, level: str, indicator: str, unit_code: str | None = None) -> Decimal | None:
    """One rate from an indicator table (for tests and text)."""
    rows = frame[(frame["level"] == level) & (frame["indicator"] == indicator)]
    if unit_code is not None:
        rows = rows[rows["unit_code"] == unit_code]
    return rows.iloc[0]["rate"] if len(rows) else None
