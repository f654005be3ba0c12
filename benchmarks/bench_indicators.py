"""Benchmark: every weekly indicator over 1M and 10M generated dossiers (Parquet), DuckDB against
a vectorised pandas implementation in the same process on the same data, and the ingest of the
10M dossiers from CSV (full validation and quarantine).

    python benchmarks/bench_indicators.py [--sizes 1000000 10000000] [--runs 3]

Writes benchmarks/results/indicators.json (machine, versions, medians). Data is generated under
benchmarks/data/ (git-ignored) on first use.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import sys
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pandas_indicators  # noqa: E402
from timing import median_time  # noqa: E402

import chiso766  # noqa: E402
from chiso766.ingest.dossiers import load_dossiers, register_units  # noqa: E402
from chiso766.compute.indicators import indicator_table  # noqa: E402
from chiso766.core.periods import parse_period  # noqa: E402
from chiso766.samples.synthetic import province_dossiers  # noqa: E402
from chiso766.ingest.units import Registry, Unit  # noqa: E402

ROOT = Path(__file__).resolve().parent
DATA = ROOT / "data"
PERIOD = parse_period("2026")


def generate(rows: int) -> tuple[Path, Path]:
    """Write ``rows`` dossiers as Parquet in 1M-row chunks (bounded memory) and the registry."""
    path, units_path = DATA / f"dossiers-{rows}.parquet", DATA / "units.csv"
    if path.is_file() and units_path.is_file():
        return path, units_path
    DATA.mkdir(exist_ok=True)
    writer = None
    done, chunk = 0, 1_000_000
    while done < rows:
        registry, frame = province_dossiers(min(chunk, rows - done), seed=766 + done)
        frame["dossier_id"] = frame["dossier_id"].str.replace("D", f"D{done // chunk:03d}-", n=1)
        table = pa.Table.from_pandas(frame, preserve_index=False)
        writer = writer or pq.ParquetWriter(path, table.schema)
        writer.write_table(table)
        done += len(frame)
    assert writer is not None
    writer.close()
    registry.to_csv(units_path, index=False)
    return path, units_path


def duckdb_indicators(path: Path, units: pd.DataFrame) -> pd.DataFrame:
    con = duckdb.connect(config={"threads": 2})
    register_units(con, Registry([Unit(r.unit_code, r.unit_name, r.tier) for r in units.itertuples()]))
    con.execute(f"""CREATE VIEW dossiers AS SELECT d.*, u.unit_name, u.tier, NULL::INTEGER AS supplement_count,
                    NULL::TIMESTAMP AS supplement_requested_at, NULL::TIMESTAMP AS supplement_completed_at
                    FROM read_parquet('{path}') d JOIN units u USING (unit_code)""")
    table = indicator_table(con, PERIOD, PERIOD.end)
    con.close()
    return table


def pandas_run(path: Path, units: pd.DataFrame) -> pd.DataFrame:
    frame = pd.read_parquet(path, columns=pandas_indicators.COLUMNS)
    return pandas_indicators.indicators(frame, units, datetime(2026, 1, 1), datetime(2027, 1, 1))


def same(duck: pd.DataFrame, pand: pd.DataFrame) -> bool:
    keys = ["level", "unit_code", "indicator"]
    a = duck[duck["indicator"].isin(pand["indicator"].unique())][keys + ["numerator", "denominator"]]
    b = pand[keys + ["numerator", "denominator"]]
    a = a.assign(unit_code=a["unit_code"].fillna("")).sort_values(keys).reset_index(drop=True)
    b = b.assign(unit_code=b["unit_code"].fillna("")).sort_values(keys).reset_index(drop=True)
    return a.astype(str).equals(b.astype(str))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--csv-ingest", type=int, default=10_000_000, help="rows for the CSV ingest timing (0: skip)")
    args = parser.parse_args()
    results = {}
    for rows in args.sizes:
        path, units_path = generate(rows)
        units = pd.read_csv(units_path, dtype=str, keep_default_na=False)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        duck_s, duck = median_time(lambda: duckdb_indicators(path, units), args.runs)
        rss_duck = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        pandas_s, pand = median_time(lambda: pandas_run(path, units), args.runs)
        rss_pandas = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        results[str(rows)] = {"duckdb_s": round(duck_s, 3), "pandas_s": round(pandas_s, 3),
                              "speedup": round(pandas_s / duck_s, 2), "identical_tables": same(duck, pand),
                              "peak_rss_mib_after_duckdb": round(rss_duck / 1024), "peak_rss_mib_before": round(rss_before / 1024),
                              "peak_rss_mib_after_pandas": round(rss_pandas / 1024)}
        print(rows, results[str(rows)], flush=True)
    if args.csv_ingest:
        path, units_path = generate(args.csv_ingest)
        csv_path = DATA / f"dossiers-{args.csv_ingest}.csv"
        if not csv_path.is_file():
            duckdb.sql(f"COPY (SELECT * FROM read_parquet('{path}')) TO '{csv_path}' (HEADER, TIMESTAMPFORMAT '%Y-%m-%d %H:%M:%S')")
        units = pd.read_csv(units_path, dtype=str, keep_default_na=False)
        registry = Registry([Unit(r.unit_code, r.unit_name, r.tier) for r in units.itertuples()])

        def ingest() -> int:
            con = duckdb.connect(config={"threads": 2})
            loaded = load_dossiers(con, csv_path, registry)
            con.close()
            return loaded.used

        ingest_s, used = median_time(ingest, 1)
        results["csv_ingest"] = {"rows": args.csv_ingest, "seconds": round(ingest_s, 2), "used": used}
        print("csv ingest", results["csv_ingest"], flush=True)
    record = {"benchmark": "weekly indicators: DuckDB vs vectorised pandas", "runs": args.runs,
              "machine": {"python": platform.python_version(), "platform": platform.platform(),
                          "cpus": __import__("os").cpu_count()},
              "versions": {"chiso766": chiso766.__version__, "duckdb": duckdb.__version__, "pandas": pd.__version__},
              "median_seconds": results}
    out = ROOT / "results" / "indicators.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
