"""The weekly indicator table in polars, for the benchmark only (polars is the ``bench`` extra).

It computes what :func:`chiso766.compute.indicators.indicator_table` gives for dossiers in a
Parquet file (no complaints, no targets): every received-based and resolution indicator per unit,
per tier and for the province, with the rate in percent rounded half up at 2 decimals (computed
exactly, in integers), in the same order. It reads only the columns it needs, lazily, and uses no
Python loop over rows. ``bench_indicators.py`` checks its table equals the engine's before timing.
"""

from __future__ import annotations

from datetime import datetime

import polars as pl

INDICATORS = (
    "online_submission",
    "online_payment",
    "updated_on_system",
    "digitized",
    "data_reuse",
    "resolved_on_time",
    "resolved_late",
)
COLUMNS = ["level", "unit_code", "unit_name", "indicator", "numerator", "denominator", "rate", "missing", "tier"]
# (indicator, numerator, denominator, missing) of each family's counts
RECEIVED = (
    ("online_submission", "online", "received", None),
    ("online_payment", "paid", "fee", "paid_missing"),
    ("updated_on_system", "updated", "received", "updated_missing"),
    ("digitized", "digitized", "received", "digitized_missing"),
    ("data_reuse", "reused", "received", "reused_missing"),
)
RESOLUTION = (("resolved_on_time", "on_time", "finished", "no_due"), ("resolved_late", "late", "finished", "no_due"))


def _count(condition: pl.Expr) -> pl.Expr:
    return condition.sum()  # the rows where it holds (a null condition counts as not holding)


def _levels(counts: pl.LazyFrame, names: list[str]) -> pl.LazyFrame:
    """Per unit, per tier and for the province: the SQL's GROUPING SETS, from the units' sums."""
    sums = [pl.col(n).sum() for n in names]
    unit = counts.with_columns(level=pl.lit("unit"))
    tier = counts.group_by("tier").agg(sums).with_columns(level=pl.col("tier"), unit_code=None, unit_name=None)
    province = counts.select(sums).with_columns(level=pl.lit("province"), tier=None, unit_code=None, unit_name=None)
    columns = ["level", "unit_code", "unit_name", "tier", *names]
    return pl.concat(
        [
            f.select(columns).cast({"unit_code": pl.String, "unit_name": pl.String, "tier": pl.String})
            for f in (unit, tier, province)
        ]
    )


def _family(levels: pl.LazyFrame, items: tuple[tuple[str, str, str, str | None], ...]) -> pl.LazyFrame:
    return pl.concat(
        [
            levels.select(
                "level",
                "unit_code",
                "unit_name",
                "tier",
                indicator=pl.lit(name),
                numerator=pl.col(num),
                denominator=pl.col(den),
                missing=pl.col(missing) if missing else pl.lit(0, pl.Int64),
            )
            for name, num, den, missing in items
        ]
    )


def indicators(path: str, units: pl.DataFrame, start: datetime, end: datetime, row_filter: bool = True) -> pl.DataFrame:
    """The indicator table of the dossiers in ``path`` (a file or a glob) for the period [start, end).

    ``row_filter``: keep only the rows either family counts before counting (polars pushes it into
    its Parquet reader: fast for a short period, a cost when the period covers every row)."""
    received = pl.col("received_at").is_between(start, end, closed="left")
    finished = pl.col("finished_at").is_between(start, end, closed="left")
    fee = pl.col("fee_required")
    # counted per unit code first (115 groups), then joined with the registry: the SQL's inner join
    rows = pl.scan_parquet(path, hive_partitioning=False)
    if row_filter:
        rows = rows.filter(received | finished)
    per_code = (
        rows.group_by("unit_code")
        .agg(
            received=_count(received),
            online=_count(received & (pl.col("channel") == 2)),
            fee=_count(received & fee),
            paid=_count(received & fee & pl.col("paid_online")),
            paid_missing=_count(received & fee & pl.col("paid_online").is_null()),
            updated=_count(received & pl.col("updated_on_system")),
            updated_missing=_count(received & pl.col("updated_on_system").is_null()),
            digitized=_count(received & pl.col("digitized")),
            digitized_missing=_count(received & pl.col("digitized").is_null()),
            reused=_count(received & pl.col("reused_data")),
            reused_missing=_count(received & pl.col("reused_data").is_null()),
            finished=_count(finished),
            on_time=_count(finished & (pl.col("finished_at") <= pl.col("due_at"))),
            late=_count(finished & (pl.col("finished_at") > pl.col("due_at"))),
            no_due=_count(finished & pl.col("due_at").is_null()),
        )
        .collect()
    )
    keys = ["tier", "unit_code", "unit_name"]
    per_unit = (
        per_code.join(units.select("unit_code", "unit_name", "tier"), on="unit_code")
        .with_columns(pl.exclude(keys).cast(pl.Int64))
        .lazy()
    )
    # a family counts only the units with a row in it (as its SQL's WHERE does)
    received_names = [
        "received",
        "online",
        "fee",
        "paid",
        "paid_missing",
        "updated",
        "updated_missing",
        "digitized",
        "digitized_missing",
        "reused",
        "reused_missing",
    ]
    parts = [
        _family(
            _levels(per_unit.filter(pl.col("received") > 0).select(*keys, *received_names), received_names), RECEIVED
        ),
        _family(
            _levels(
                per_unit.filter(pl.col("finished") > 0).select(*keys, "finished", "on_time", "late", "no_due"),
                ["finished", "on_time", "late", "no_due"],
            ),
            RESOLUTION,
        ),
    ]
    hundredths = (pl.col("numerator") * 20_000 + pl.col("denominator")) // (pl.col("denominator") * 2)
    table = pl.concat(parts).with_columns(
        rate=pl.when(pl.col("denominator") > 0).then(
            (hundredths // 100).cast(pl.String) + "." + (hundredths % 100).cast(pl.String).str.zfill(2)
        ),
        _l=pl.col("level").replace_strict(
            {"province": 0, "so": 1, "xa": 2, "unit": 3}, default=4, return_dtype=pl.Int8
        ),
        _i=pl.col("indicator").replace_strict({n: i for i, n in enumerate(INDICATORS)}, return_dtype=pl.Int8),
        _t=pl.col("tier").replace_strict({"so": 0, "xa": 1}, default=-1, return_dtype=pl.Int8),
    )
    return table.sort(["_l", "_i", "_t", "unit_code"], nulls_last=False, maintain_order=True).select(COLUMNS).collect()
