"""The benchmark's pandas implementation and the DuckDB engine give identical tables."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

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
