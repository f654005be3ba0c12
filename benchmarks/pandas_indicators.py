"""A fair, vectorised pandas implementation of the weekly indicators, for the benchmark only.

It reads only the columns it needs and uses no Python loop over rows; its tables must equal the
DuckDB engine's (checked by the benchmark and by tests/test_benchmark_parity.py).
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd

COLUMNS = [
    "unit_code",
    "channel",
    "received_at",
    "due_at",
    "finished_at",
    "fee_required",
    "paid_online",
    "updated_on_system",
    "digitized",
    "reused_data",
]


def _levels(frame: pd.DataFrame, sums: dict[str, pd.Series]) -> pd.DataFrame:
    """Sum boolean columns per unit, per tier and for the province (the SQL's GROUPING SETS)."""
    data = pd.DataFrame({"unit_code": frame["unit_code"], "tier": frame["tier"], **sums})
    unit = data.groupby(["tier", "unit_code"], sort=False, observed=True).sum(numeric_only=True).reset_index()
    unit.insert(0, "level", "unit")
    tier = (
        data.drop(columns="unit_code").groupby("tier", sort=False, observed=True).sum(numeric_only=True).reset_index()
    )
    tier.insert(0, "level", tier["tier"])
    tier.insert(1, "unit_code", None)
    province = pd.DataFrame([data.drop(columns=["unit_code", "tier"]).sum(numeric_only=True)])
    province.insert(0, "level", "province")
    province.insert(1, "unit_code", None)
    province.insert(2, "tier", None)
    return pd.concat([unit, tier, province], ignore_index=True)


def indicators(frame: pd.DataFrame, units: pd.DataFrame, start: datetime, end: datetime) -> pd.DataFrame:
    """level, unit_code, indicator, numerator, denominator: the counts of sql/received.sql and resolution.sql."""
    frame = frame.merge(units[["unit_code", "tier"]], on="unit_code", how="left")
    received = frame[(frame["received_at"] >= start) & (frame["received_at"] < end)]
    fee = received["fee_required"].fillna(False).astype(bool)
    sums = {
        "received": pd.Series(1, index=received.index),
        "online": received["channel"] == 2,
        "fee": fee,
        "paid": fee & received["paid_online"].fillna(False).astype(bool),
        "updated": received["updated_on_system"].fillna(False).astype(bool),
        "digitized": received["digitized"].fillna(False).astype(bool),
        "reused": received["reused_data"].fillna(False).astype(bool),
    }
    r = _levels(received, {k: v.astype("int64") for k, v in sums.items()})
    finished = frame[(frame["finished_at"] >= start) & (frame["finished_at"] < end)]
    f = _levels(
        finished,
        {
            "finished": pd.Series(1, index=finished.index, dtype="int64"),
            "on_time": (finished["finished_at"] <= finished["due_at"]).astype("int64"),
            "late": (finished["finished_at"] > finished["due_at"]).astype("int64"),
        },
    )
    parts = []
    for name, num, den, source in (
        ("online_submission", "online", "received", r),
        ("online_payment", "paid", "fee", r),
        ("updated_on_system", "updated", "received", r),
        ("digitized", "digitized", "received", r),
        ("data_reuse", "reused", "received", r),
        ("resolved_on_time", "on_time", "finished", f),
        ("resolved_late", "late", "finished", f),
    ):
        parts.append(
            pd.DataFrame(
                {
                    "level": source["level"],
                    "unit_code": source["unit_code"],
                    "indicator": name,
                    "numerator": source[num].astype("int64"),
                    "denominator": source[den].astype("int64"),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)
