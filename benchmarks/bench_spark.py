"""Benchmark: the weekly indicators for several provinces (12M dossiers, partitioned Parquet) on
DuckDB and on Spark local[2], from the same SQL definitions. Checks both give identical tables.

    python benchmarks/bench_spark.py [--rows 12000000] [--runs 3]

Writes benchmarks/results/spark.json. Spark's session start is timed apart from the queries.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import duckdb
import pandas as pd

import chiso766
from chiso766.compute.engines import DuckDBEngine, SparkEngine
from chiso766.ingest.dossiers import dossier_glob
from chiso766.compute.indicators import indicator_table
from chiso766.core.periods import parse_period
from chiso766.samples.synthetic import write_samples
from timing import median_time

ROOT = Path(__file__).resolve().parent
PERIOD = parse_period("2026")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=12_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    folder = ROOT / "data" / f"national-{args.rows}"
    if not (folder / "units.csv").is_file():
        write_samples("national", folder, rows=args.rows)
    units = pd.read_csv(folder / "units.csv", dtype=str, keep_default_na=False)
    con = duckdb.connect(config={"threads": 2})
    con.register("registry", units)
    con.execute(f"""CREATE VIEW dossiers AS SELECT d.*, r.unit_name, r.tier, NULL::INTEGER AS supplement_count,
                    NULL::TIMESTAMP AS supplement_requested_at, NULL::TIMESTAMP AS supplement_completed_at
                    FROM read_parquet('{dossier_glob(folder / "dossiers")}', hive_partitioning = true) d
                    JOIN registry r USING (unit_code)""")
    duck_s, duck = median_time(lambda: indicator_table(DuckDBEngine(con), PERIOD, PERIOD.end), args.runs)
    start = time.perf_counter()
    spark = SparkEngine.start("local[2]")
    spark.load(folder / "dossiers", units)
    startup = time.perf_counter() - start
    spark_s, on_spark = median_time(lambda: indicator_table(spark, PERIOD, PERIOD.end), args.runs)
    spark.stop()
    identical = duck.astype(str).equals(on_spark.astype(str))
    record = {"benchmark": "weekly indicators, several provinces: DuckDB vs Spark local[2]", "rows": args.rows,
              "runs": args.runs, "machine": {"python": platform.python_version(), "platform": platform.platform()},
              "versions": {"chiso766": chiso766.__version__, "duckdb": duckdb.__version__},
              "median_seconds": {"duckdb": round(duck_s, 2), "spark_local2": round(spark_s, 2),
                                 "spark_session_start": round(startup, 2)}, "identical_tables": identical}
    print(json.dumps(record, indent=2))
    out = ROOT / "results" / "spark.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
