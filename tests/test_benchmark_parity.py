"""The benchmark's pandas implementation and the DuckDB engine give identical tables."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_indicators  # noqa: E402

from chiso766.samples.synthetic import province_dossiers  # noqa: E402


def test_duckdb_and_pandas_agree_on_generated_data(tmp_path):
    registry, frame = province_dossiers(40_000, seed=11)
    path = tmp_path / "d.parquet"
    frame.to_parquet(path, index=False)
    duck = bench_indicators.duckdb_indicators(path, registry)
    pand = bench_indicators.pandas_run(path, registry)
    assert bench_indicators.same(duck, pand)
    assert len(pand) == 7 * (len(registry) + 2 + 1)
    province = duck[(duck["level"] == "province") & (duck["indicator"] == "online_submission")].iloc[0]
    assert province["denominator"] == (frame["received_at"].dt.year == 2026).sum()
    missing = duck[(duck["level"] == "province") & (duck["indicator"] == "digitized")].iloc[0]["missing"]
    assert missing == frame["digitized"].isna().sum() > 0  # empty flags are counted, never taken as 0
    assert isinstance(pand, pd.DataFrame)


@pytest.mark.parametrize("period", ["2026", "2026-03-02..2026-03-08", "2026-Q2", "2030"])
def test_duckdb_and_polars_give_the_same_table(tmp_path, period):
    """The benchmark's polars table equals indicator_table's, row for row, rates included (polars is
    the ``bench`` extra, which ``make test`` installs)."""
    from chiso766.core.periods import parse_period

    registry, frame = province_dossiers(40_000, seed=12)
    path, units = tmp_path / "d.parquet", tmp_path / "units.csv"
    frame.to_parquet(path, index=False)
    registry.to_csv(units, index=False)
    duck = bench_indicators.duckdb_rows(path, units, parse_period(period))
    for row_filter in (True, False):
        table = bench_indicators.polars_table(path, units, parse_period(period), row_filter)
        assert bench_indicators.same_as_polars(duck, table), (period, row_filter)
    frame = bench_indicators.duckdb_indicators(path, units, parse_period(period))  # the same rows, in pandas
    assert list(frame.itertuples(index=False, name=None)) == [tuple(row) for row in duck]
    if period in ("2026", "2030"):  # every unit has dossiers in the year; none in 2030 (the province: zeros)
        assert len(duck) == (7 if period == "2030" else 7 * (len(registry) + 2 + 1))
