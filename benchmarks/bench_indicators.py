"""Benchmark: every weekly indicator (``indicator_rows``, the rows of ``indicator_table``) over 10M
generated dossiers in one Parquet file, DuckDB against polars computing the same table from the same
file, and a 100M-row scale point over partitioned Parquet.

    python benchmarks/bench_indicators.py [--rows 10000000] [--runs 5] [--scale 100000000]

(``--scale`` generates ~3 GB of partitioned Parquet on first use; without it the last scale point
recorded in the results file is kept.)

Each figure comes from fresh processes run in turn (DuckDB, the same rows as a pandas frame, polars
with and without a row filter, a bare DuckDB scan of the columns the indicators read): ``process_s``
is the whole process (start-up and imports included), ``seconds`` the computation in it (from the
file to the finished table: DuckDB's rows of Python values, polars' DataFrame; the pandas frame, whose
import alone takes longer than a week's counting, is reported beside them, not as the target);
``ratio_to_polars`` is taken round by round. polars is given its better form for each period: with
its row filter (a week: most rows are skipped) or without (a year: every row is read). Before any
time is reported the tables are checked equal: DuckDB's, polars' and, at 10M rows, the vectorised
pandas implementation's counts.

Writes benchmarks/results/indicators.json (machine, date, figures and ratios). Data is generated
under benchmarks/data/ (git-ignored) on first use, in chunks (bounded memory).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parent
DATA = ROOT / "data"
sys.path.insert(0, str(ROOT))

from timing import cpu_seconds, in_turn, machine, report  # noqa: E402

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

    from chiso766.compute.indicators import IndicatorRow
    from chiso766.core.periods import Period

# Heavy libraries are imported where they are used: a measured process imports only what its
# engine needs (polars' process no pandas, DuckDB's no polars), as a program of its own would.

PERIODS = {"year": "2026", "week": "2026-03-02..2026-03-08"}
CHUNK = 1_000_000  # rows generated at a time


def generate(rows: int) -> tuple[Path, Path]:
    """``rows`` dossiers as one Parquet file, written 1M rows at a time, and the registry."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from chiso766.samples.synthetic import province_dossiers

    path, units_path = DATA / f"dossiers-{rows}.parquet", DATA / "units.csv"
    if path.is_file() and units_path.is_file():
        return path, units_path
    DATA.mkdir(exist_ok=True)
    writer = None
    done = 0
    while done < rows:
        registry, frame = province_dossiers(min(CHUNK, rows - done), seed=766 + done)
        frame["dossier_id"] = frame["dossier_id"].str.replace("D", f"D{done // CHUNK:03d}-", n=1)
        table = pa.Table.from_pandas(frame, preserve_index=False)
        writer = writer or pq.ParquetWriter(path, table.schema)
        writer.write_table(table)
        done += len(frame)
    assert writer is not None
    writer.close()
    registry.to_csv(units_path, index=False)
    return path, units_path


def csv_copy(rows: int) -> Path:
    """The same dossiers as CSV (times to the second, as exports write them)."""
    import duckdb

    path, _ = generate(rows)
    csv_path = DATA / f"dossiers-{rows}.csv"
    if not csv_path.is_file():
        with duckdb.connect() as con:
            con.execute(
                f"COPY (SELECT * FROM read_parquet('{path}')) TO '{csv_path}' "
                "(HEADER, TIMESTAMPFORMAT '%Y-%m-%d %H:%M:%S')"
            )
    return csv_path


def generate_partitioned(rows: int, provinces: int = 10, chunk: int = 5_000_000) -> tuple[Path, Path]:
    """``rows`` dossiers of ``provinces`` provinces as Parquet partitioned by province and month
    (``province=T01/month=2026-03/…``, as at national scale), written ``chunk`` rows at a time so that
    memory stays bounded; and the registry of every province's units."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.dataset as ds

    from chiso766.samples.synthetic import province_dossiers

    folder, units_path = DATA / f"national-{rows}", DATA / f"national-{rows}-units.csv"
    done_mark = folder / "_complete"
    if done_mark.is_file() and units_path.is_file():
        return folder, units_path
    folder.mkdir(parents=True, exist_ok=True)
    registries = []
    per_province = -(-rows // provinces)
    part = 0
    for index in range(provinces):
        code = f"T{index + 1:02d}"
        written = 0
        while written < per_province and index * per_province + written < rows:
            size = min(chunk, per_province - written, rows - index * per_province - written)
            registry, frame = province_dossiers(size, seed=766 + index * 1000 + written // chunk)
            frame["unit_code"] = code + "." + frame["unit_code"].str[2:]
            frame["dossier_id"] = f"{code}-{written // chunk:03d}-" + frame["dossier_id"]
            frame["province"] = code
            frame["month"] = frame["received_at"].dt.strftime("%Y-%m")
            ds.write_dataset(
                pa.Table.from_pandas(frame, preserve_index=False),
                folder,
                format="parquet",
                partitioning=["province", "month"],
                partitioning_flavor="hive",
                existing_data_behavior="overwrite_or_ignore",
                basename_template=f"part-{part:04d}-{{i}}.parquet",
            )
            part += 1
            written += size
            del frame
        registry["unit_code"] = code + "." + registry["unit_code"].str[2:]
        registry["unit_name"] = registry["unit_name"] + f" ({code})"
        registries.append(registry)
    pd.concat(registries, ignore_index=True).to_csv(units_path, index=False)
    done_mark.write_text("ok\n", encoding="utf-8")
    return folder, units_path


def _source(path: Path) -> str:
    if path.is_dir():
        return f"read_parquet('{path / '**' / '*.parquet'}', hive_partitioning = true)"
    return f"read_parquet('{path}')"


def _duckdb(path: Path, units: pd.DataFrame | Path) -> duckdb.DuckDBPyConnection:
    """A connection with table ``dossiers``: the file joined with the registry (as the Spark engine
    and tests/test_spark.py read Parquet)."""
    import duckdb

    con = duckdb.connect()
    if isinstance(units, Path):
        con.execute(
            f"CREATE TEMP TABLE units AS SELECT unit_code, unit_name, tier FROM read_csv('{units}', all_varchar = true)"
        )
    else:
        con.register("units_frame", units[["unit_code", "unit_name", "tier"]])
        con.execute("CREATE TEMP TABLE units AS SELECT * FROM units_frame")
    con.execute(f"""CREATE VIEW dossiers AS SELECT d.*, u.unit_name, u.tier, NULL::INTEGER AS supplement_count,
                    NULL::TIMESTAMP AS supplement_requested_at, NULL::TIMESTAMP AS supplement_completed_at
                    FROM {_source(path)} d JOIN units u USING (unit_code)""")
    return con


def duckdb_rows(path: Path, units: pd.DataFrame | Path, period: Period) -> list[IndicatorRow]:
    """``indicator_rows``: the table as DuckDB's engine gives it (what is timed against polars' frame)."""
    from chiso766.compute.indicators import indicator_rows

    with _duckdb(path, units) as con:
        return indicator_rows(con, period, period.end)


def duckdb_indicators(path: Path, units: pd.DataFrame | Path, period: Period | None = None) -> pd.DataFrame:
    """``indicator_table``: the same rows as a pandas frame, as the reports take them."""
    from chiso766.compute.indicators import indicator_table
    from chiso766.core.periods import parse_period

    period = period or parse_period(PERIODS["year"])
    with _duckdb(path, units) as con:
        return indicator_table(con, period, period.end)


def polars_table(path: Path, units: Path, period: Period, row_filter: bool) -> Any:
    import polars as pl
    import polars_indicators

    start = datetime.combine(period.start, datetime.min.time())
    end = datetime.combine(period.end, datetime.min.time()) + timedelta(days=1)
    source = str(path / "**" / "*.parquet") if path.is_dir() else str(path)
    return polars_indicators.indicators(
        source,
        pl.read_csv(units, schema_overrides={"unit_code": pl.String}),
        start,
        end,
        row_filter=row_filter,
    )


def pandas_run(path: Path, units: pd.DataFrame) -> pd.DataFrame:
    import pandas as pd
    import pandas_indicators

    frame = pd.read_parquet(path, columns=pandas_indicators.COLUMNS)
    return pandas_indicators.indicators(frame, units, datetime(2026, 1, 1), datetime(2027, 1, 1))


def same(duck: pd.DataFrame, pand: pd.DataFrame) -> bool:
    """DuckDB's table and the pandas implementation's counts (level, unit, indicator: numerator, denominator)."""
    keys = ["level", "unit_code", "indicator"]
    a = duck[duck["indicator"].isin(pand["indicator"].unique())][[*keys, "numerator", "denominator"]]
    b = pand[[*keys, "numerator", "denominator"]]
    a = a.assign(unit_code=a["unit_code"].fillna("")).sort_values(keys).reset_index(drop=True)
    b = b.assign(unit_code=b["unit_code"].fillna("")).sort_values(keys).reset_index(drop=True)
    return a.astype(str).equals(b.astype(str))


def same_as_polars(duck: list[IndicatorRow], polars_frame: Any) -> bool:
    """Every column polars makes (rates as text with two decimals), row for row, in the table's order."""
    import polars_indicators

    columns = polars_indicators.COLUMNS
    a = [tuple(str(getattr(row, c)) for c in columns) for row in duck]
    b = [tuple(str(v) for v in row) for row in polars_frame.select(columns).rows()]
    return a == b


def _period(text: str) -> Period:
    """The period without chiso766 (a polars or bare-scan process imports none of it): ``YYYY`` or
    ``YYYY-MM-DD..YYYY-MM-DD``; the same bounds as ``parse_period``."""
    from types import SimpleNamespace

    if ".." in text:
        first, last = (date.fromisoformat(t) for t in text.split(".."))
    else:
        first, last = date(int(text), 1, 1), date(int(text), 12, 31)
    return SimpleNamespace(start=first, end=last)  # type: ignore[return-value]


def child(kind: str, path: Path, units: Path, period_name: str) -> None:
    """One measurement in this fresh process: the computation's seconds and the process's peak."""
    # the engine's imports before the clock starts ("seconds" is the computation; "process_s" all)
    if kind.startswith("duckdb"):
        import chiso766.compute.indicators  # noqa: F401
        from chiso766.core.periods import parse_period

        if kind == "duckdb-pandas":
            import pandas  # noqa: F401

        period = parse_period(period_name)
    else:
        if kind.startswith("polars"):
            import polars  # noqa: F401
            import polars_indicators  # noqa: F401
        else:
            import duckdb
        period = _period(period_name)
    start, cpu = time.perf_counter(), cpu_seconds()
    if kind == "duckdb":
        rows = len(duckdb_rows(path, units, period))
    elif kind == "duckdb-pandas":
        rows = len(duckdb_indicators(path, units, period))
    elif kind.startswith("polars"):
        rows = len(polars_table(path, units, period, row_filter=kind == "polars-filter"))
    else:  # one bare DuckDB pass over the columns the indicators read, every value used
        columns = (
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
        )
        with duckdb.connect() as con:
            rows = len(
                con.execute(
                    f"SELECT {', '.join(f'count({c})' for c in columns)}, "
                    f"{', '.join(f'bit_xor(hash({c}))' for c in columns)} FROM {_source(path)}"
                ).fetchall()
            )
    report(seconds=round(time.perf_counter() - start, 3), cpu_s=round(cpu_seconds() - cpu, 3), rows=rows)


def check(path: Path, units: Path, period_name: str, with_pandas: bool) -> dict[str, Any]:
    import pandas as pd

    from chiso766.core.periods import parse_period

    period = parse_period(period_name)
    duck = duckdb_rows(path, units, period)
    checked: dict[str, Any] = {"rows": len(duck)}
    for row_filter in (True, False):
        if not same_as_polars(duck, polars_table(path, units, period, row_filter)):
            raise SystemExit(f"{path.name}, {period_name}: DuckDB's and polars' tables differ (filter={row_filter})")
    checked["identical_to_polars"] = True
    table = duckdb_indicators(path, units, period)
    if list(table.itertuples(index=False, name=None)) != [tuple(row) for row in duck]:
        raise SystemExit(f"{path.name}, {period_name}: indicator_table's frame is not indicator_rows' rows")
    if with_pandas and period_name == PERIODS["year"]:
        frame = pd.read_csv(units, dtype=str, keep_default_na=False)
        checked["identical_to_pandas"] = same(table, pandas_run(path, frame))
        if not checked["identical_to_pandas"]:
            raise SystemExit(f"{path.name}: DuckDB's and pandas' counts differ")
    return checked


def measure(path: Path, units: Path, runs: int, periods: list[str], with_pandas: bool) -> dict[str, Any]:
    me = [sys.executable, str(Path(__file__).resolve())]
    out: dict[str, Any] = {}
    for name in periods:
        checked = check(path, units, PERIODS[name], with_pandas)
        commands = {
            kind: [*me, "--child", kind, "--file", str(path), "--units", str(units), "--period", PERIODS[name]]
            for kind in ("duckdb", "duckdb-pandas", "polars-filter", "polars-nofilter", "scan")
        }
        result = in_turn(commands, runs, reference="duckdb")
        polars_best = min(("polars-filter", "polars-nofilter"), key=lambda k: result[k]["median"]["process_s"])
        result["polars"] = polars_best
        result["checked"] = checked
        out[name] = result
        _print(path, name, result)
    return out


def _print(path: Path, period: str, result: dict[str, Any]) -> None:
    duck, polars, scan = result["duckdb"]["median"], result[result["polars"]]["median"], result["scan"]["median"]
    # ratios round by round are DuckDB/polars: the inverse of polars' ratio to DuckDB
    whole = 1 / result[result["polars"]]["ratio_to_duckdb"]["process_s"]
    compute = 1 / result[result["polars"]]["ratio_to_duckdb"]["seconds"]
    print(
        f"weekly indicators, {path.name}, {period} ({PERIODS[period]}), {result['runs']} rounds, "
        f"load {result['load_average_after']}:"
    )
    print(
        f"  DuckDB  {duck['process_s']:.2f} s whole process ({duck['seconds']:.2f} s computing), "
        f"peak {duck['peak_mib']:.0f} MiB"
    )
    print(
        f"  polars  {polars['process_s']:.2f} s whole process ({polars['seconds']:.2f} s computing) "
        f"[{result['polars']}], "
        f"peak {polars['peak_mib']:.0f} MiB"
    )
    frame = result["duckdb-pandas"]["median"]
    print(
        f"  DuckDB as a pandas frame (indicator_table) {frame['process_s']:.2f} s whole process "
        f"({frame['seconds']:.2f} s computing)"
    )
    print(f"  bare DuckDB scan {scan['process_s']:.2f} s whole process ({scan['seconds']:.2f} s)")
    print(
        f"  DuckDB/polars: {whole:.2f}x whole process, {compute:.2f}x computing (target <= 1.0x: "
        f"{'met' if whole <= 1.0 else 'NOT met'} whole, {'met' if compute <= 1.0 else 'NOT met'} computing)"
    )


def scale_point(rows: int, runs: int) -> dict[str, Any]:
    """Time and peak memory of the indicators over ``rows`` dossiers in partitioned Parquet."""
    started = time.perf_counter()
    folder, units = generate_partitioned(rows)
    generated_s = time.perf_counter() - started
    files = sum(1 for _ in folder.rglob("*.parquet"))
    size = sum(f.stat().st_size for f in folder.rglob("*.parquet"))
    result = measure(folder, units, runs, ["year"], with_pandas=False)["year"]
    result["data"] = {
        "rows": rows,
        "files": files,
        "bytes": size,
        "generated_s": round(generated_s, 1),
        "layout": "province=/month= (hive), 10 provinces",
    }
    # kept by later runs without --scale: it says when and where it was measured itself
    return result | {"date": date.today().isoformat(), "machine": machine()}


def _figures(record: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    """The figures in ``record.py``'s shape (read by ``readme_table.py``), polars beside each."""
    from dataclasses import asdict

    import record as shared

    figures = []
    points = [(f"{args.rows / 1e6:g}M Parquet", record[f"{args.rows}"])]
    if args.scale:
        points.append((f"{args.scale / 1e6:g}M partitioned Parquet", {"year": record[f"scale_{args.scale}"]}))
    for label, periods in points:
        for name, result in periods.items():
            # a scale point kept from an earlier run: its figures say its own date and machine
            measured = {k: result[k] for k in ("date", "machine") if k in result}
            duck, polars = result["duckdb"]["median"], result[result["polars"]]["median"]
            for figure_of, key in (("whole process", "process_s"), ("computing", "seconds")):
                figure = shared.Figure(
                    key=f"indicators_{label.split()[0]}_{name}_{key}",
                    what=f"weekly indicators, {label}, {name} ({PERIODS[name]}), {figure_of}",
                    seconds=duck[key],
                    alternative="polars, same file, same table",
                    alternative_seconds=polars[key],
                    target_seconds=polars[key],
                    target="no slower than polars",
                    peak_mib=duck["peak_mib"],
                )
                figures.append(asdict(figure) | {"ratio": figure.ratio, "met": figure.met} | measured)
            # the same rows put in a pandas frame, pandas' import included: shown, not the target
            frame = result["duckdb-pandas"]["median"]
            figure = shared.Figure(
                key=f"indicators_{label.split()[0]}_{name}_pandas_process_s",
                what=f"weekly indicators, {label}, {name} ({PERIODS[name]}), whole process, as a pandas frame",
                seconds=frame["process_s"],
                alternative="polars, same file, same table",
                alternative_seconds=polars["process_s"],
                peak_mib=frame["peak_mib"],
            )
            figures.append(asdict(figure) | {"ratio": figure.ratio, "met": figure.met} | measured)
    return {
        "benchmark": "indicators",
        "runs": args.runs,
        "machine": shared.machine() | record["machine"],
        "figures": figures,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--periods", nargs="+", choices=list(PERIODS), default=list(PERIODS))
    parser.add_argument(
        "--scale", type=int, default=0, help="rows of the scale point, e.g. 100000000 (0: keep the last one recorded)"
    )
    parser.add_argument("--scale-runs", type=int, default=3)
    parser.add_argument("--no-pandas", action="store_true", help="skip the pandas check at 10M rows")
    parser.add_argument("--child")
    parser.add_argument("--file", type=Path)
    parser.add_argument("--units", type=Path)
    parser.add_argument("--period")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.file, args.units, args.period)
        return
    record: dict[str, Any] = {
        "benchmark": "weekly indicators: DuckDB (indicator_table) against polars, same file, same table",
        "machine": machine(),
        "date": date.today().isoformat(),
    }
    path, units = generate(args.rows)
    record[f"{args.rows}"] = measure(path, units, args.runs, args.periods, with_pandas=not args.no_pandas)
    out = ROOT / "results" / "indicators.json"
    if args.scale:
        record[f"scale_{args.scale}"] = scale_point(args.scale, args.scale_runs)
    elif out.is_file():  # the last scale point, with its own machine and date, is kept
        previous = json.loads(out.read_text(encoding="utf-8"))
        for key, value in previous.items():
            if key.startswith("scale_"):
                # a point recorded before it carried its own date has the date of the file it was in
                record[key] = {"date": previous["date"], "machine": previous["machine"]} | value
                args.scale = int(key.removeprefix("scale_"))
    record.update(_figures(record, args))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"written: {out}")


if __name__ == "__main__":
    main()
