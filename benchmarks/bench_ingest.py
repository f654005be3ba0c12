"""Benchmark: the dossier ingest (parse, validate, quarantine) against DuckDB reading the same file bare.

    python benchmarks/bench_ingest.py [--rows 10000000] [--runs 5] [--baseline OLD_dossiers.py]

Targets (issue 15): the ingest of a CSV file within 2x of DuckDB's bare ``read_csv`` of it written
to Parquet; of a Parquet file within 2x of a bare ``read_parquet`` into a table; a peak under 2 GiB.
Each figure is measured in a fresh process, the ingest and its floor in turn (A B A B ...); the
ratio is taken pair by pair and its median reported. ``seconds`` is the call itself, timed in the
process; ``process_s`` the whole process (start-up and imports included); ``peak_mib`` the
process's largest resident set. Before any time is reported, the table the ingest made is checked
against the file read bare: the same rows, value for value.

``--baseline`` times another version of ``chiso766/ingest/dossiers.py`` the same way (for example
the one before issue 15: ``git show <commit>:lib/chiso766/ingest/dossiers.py > /tmp/old.py``).

Writes benchmarks/results/ingest.json. Data is generated under benchmarks/data/ (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from timing import cpu_seconds, machine, module_from_file, paired, report  # noqa: E402

TARGET_RATIO = 2.0
TARGET_PEAK_MIB = 2048.0
# The columns of the generated file, compared between the ingested table and the file read bare.
COMPARED = (
    "dossier_id, unit_code, procedure_code, channel, received_at, due_at, finished_at, fee_required, paid_online, "
    "updated_on_system, digitized, reused_data"
)


def _module(path: str | None) -> ModuleType:
    if path is None:
        from chiso766.ingest import dossiers

        return dossiers
    return module_from_file(path, "baseline_dossiers")


def _registry(units: Path) -> Any:
    from chiso766.ingest.units import load_registry

    return load_registry(units)


def child(kind: str, file: Path, units: Path, module: str | None) -> None:
    """One measurement, in this (fresh) process; its figures as the last line of output."""
    import time

    import duckdb

    con = duckdb.connect()
    if kind == "ingest":
        ingest, registry = _module(module), _registry(units)
        start, cpu = time.perf_counter(), cpu_seconds()
        loaded = ingest.load_dossiers(con, file, registry)
        seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu
        report(seconds=round(seconds, 3), cpu_s=round(cpu, 3), read=loaded.read, used=loaded.used)
        return
    start, cpu = time.perf_counter(), cpu_seconds()
    if kind == "floor-csv":  # DuckDB's own reading of the CSV file (types sniffed), written to Parquet
        with tempfile.TemporaryDirectory() as scratch:
            con.execute(
                f"COPY (SELECT * FROM read_csv('{file}')) TO '{Path(scratch) / 'floor.parquet'}' (FORMAT parquet)"
            )
            seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    else:  # floor-parquet: the Parquet file read into a table as it is
        con.execute(f"CREATE TABLE dossiers AS SELECT * FROM read_parquet('{file}')")
        seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    report(seconds=round(seconds, 3), cpu_s=round(cpu, 3))


def check(file: Path, source: Path, units: Path, module: str | None) -> dict[str, int]:
    """The ingested table against the generated rows read bare: no row missing, none changed."""
    import duckdb

    con = duckdb.connect()
    loaded = _module(module).load_dossiers(con, file, _registry(units))
    bare = f"SELECT {COMPARED} FROM read_parquet('{source}')"
    mine = f"SELECT {COMPARED} FROM dossiers"
    (missing,) = con.execute(f"SELECT count(*) FROM ({bare} EXCEPT ALL {mine})").fetchone() or (None,)
    (extra,) = con.execute(f"SELECT count(*) FROM ({mine} EXCEPT ALL {bare})").fetchone() or (None,)
    first = 2 if file.suffix == ".csv" else 1  # the header is line 1 of a CSV file
    # the table under the view: its rowid is the order the rows were written in
    ordered_sql = "SELECT count(*) FROM _dossiers_rows WHERE _line <> rowid + ?"
    (ordered,) = con.execute(ordered_sql, [first]).fetchone() or (None,)
    # the generated ids say their place: row j of chunk c is D{c:03d}-{j} (bench_indicators.generate)
    place = (
        "CAST(split_part(substr(dossier_id, 2), '-', 1) AS BIGINT) * 1000000 "
        "+ CAST(split_part(dossier_id, '-', 2) AS BIGINT)"
    )
    (wrong,) = con.execute(f"SELECT count(*) FROM dossiers WHERE _line <> {place} + ?", [first]).fetchone() or (None,)
    result = {
        "read": loaded.read,
        "used": loaded.used,
        "quarantined": loaded.quarantined,
        "missing": int(missing),
        "extra": int(extra),
        "out_of_order": int(ordered),
        "wrong_lines": int(wrong),
    }
    if any(result[k] for k in ("missing", "extra", "quarantined", "out_of_order", "wrong_lines")):
        raise SystemExit(f"{file.name}: the ingested table differs from the file read bare: {result}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--baseline", help="another dossiers.py to time the same way")
    parser.add_argument("--baseline-runs", type=int, default=3)
    parser.add_argument("--only", choices=["csv", "parquet"], nargs="+", default=["csv", "parquet"])
    parser.add_argument("--child", choices=["ingest", "floor-csv", "floor-parquet"])
    parser.add_argument("--file", type=Path)
    parser.add_argument("--units", type=Path)
    parser.add_argument("--module")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.file, args.units, args.module)
        return

    from bench_indicators import csv_copy, generate

    record: dict[str, Any] = {
        "benchmark": "dossier ingest against DuckDB's bare read of the same file",
        "machine": machine(),
        "rows": args.rows,
        "results": {},
    }
    parquet, units = generate(args.rows)
    files = {"parquet": parquet, "csv": csv_copy(args.rows)}
    me = [sys.executable, str(Path(__file__).resolve())]
    for kind in args.only:
        file = files[kind]
        checked = check(file, parquet, units, None)
        ingest = [*me, "--child", "ingest", "--file", str(file), "--units", str(units)]
        floor = [*me, "--child", f"floor-{kind}", "--file", str(file)]
        result = paired(ingest, floor, args.runs)
        result["checked"] = checked
        result["floor"] = "COPY (read_csv) TO parquet" if kind == "csv" else "CREATE TABLE AS read_parquet"
        if args.baseline:
            result["baseline"] = paired([*ingest, "--module", args.baseline], floor, args.baseline_runs, warmup=0)
        record["results"][kind] = result
        _print(kind, result, args.rows)
    out = ROOT / "results" / "ingest.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.is_file() and set(args.only) != {"csv", "parquet"}:  # keep the other kind's last figures
        record["results"] = {**json.loads(out.read_text(encoding="utf-8")).get("results", {}), **record["results"]}
    for result in record["results"].values():
        result.pop("all_a", None), result.pop("all_b", None)
        if "baseline" in result:
            result["baseline"].pop("all_a", None), result["baseline"].pop("all_b", None)
    record.update(_figures(record, args.runs))
    out.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"written: {out}")


def _figures(record: dict[str, Any], runs: int) -> dict[str, Any]:
    """The figures in ``record.py``'s shape (read by ``readme_table.py``): each with its floor."""
    from dataclasses import asdict

    import record as shared

    figures = []
    for kind, result in sorted(record["results"].items()):
        floor = "DuckDB read_csv → Parquet" if kind == "csv" else "DuckDB read_parquet → table"
        figure = shared.Figure(
            key=f"ingest_{kind}",
            what=f"{kind.upper()} ingest, {record['rows'] / 1e6:g}M dossiers (parse, validate, quarantine)",
            seconds=result["a"]["seconds"],
            alternative=f"bare {floor}",
            alternative_seconds=result["b"]["seconds"],
            target_seconds=TARGET_RATIO * result["b"]["seconds"],
            target=f"≤ {TARGET_RATIO:g}× the floor, peak < 2 GiB",
            peak_mib=result["a"]["peak_mib"],
        )
        figures.append(
            asdict(figure)
            | {"ratio": figure.ratio, "met": bool(figure.met and figure.peak_mib and figure.peak_mib < TARGET_PEAK_MIB)}
        )
    return {
        "benchmark": "ingest",
        "date": record["machine"]["date"][:10],
        "runs": runs,
        "machine": shared.machine() | record["machine"],
        "figures": figures,
    }


def _print(kind: str, result: dict[str, Any], rows: int) -> None:
    a, b, ratio = result["a"], result["b"], result["ratio"]
    ok = ratio["seconds"] <= TARGET_RATIO and a["peak_mib"] < TARGET_PEAK_MIB
    print(f"{kind.upper()} ingest, {rows:,} dossiers ({result['runs']} pairs, load {result['load_average_after']}):")
    print(
        f"  ingest {a['seconds']:.2f} s (cpu {a['cpu_s']:.2f} s, process {a['process_s']:.2f} s), "
        f"peak {a['peak_mib']:.0f} MiB"
    )
    print(
        f"  floor  {b['seconds']:.2f} s (cpu {b['cpu_s']:.2f} s, process {b['process_s']:.2f} s), "
        f"peak {b['peak_mib']:.0f} MiB"
        f"  [{result['floor']}]"
    )
    print(
        f"  ratio  {ratio['seconds']:.2f}x (target <= {TARGET_RATIO}x), cpu {ratio['cpu_s']:.2f}x, "
        f"process {ratio['process_s']:.2f}x; peak target < {TARGET_PEAK_MIB:.0f} MiB: {'met' if ok else 'NOT met'}"
    )
    if "baseline" in result:
        base = result["baseline"]
        print(
            f"  baseline {base['a']['seconds']:.2f} s, peak {base['a']['peak_mib']:.0f} MiB, "
            f"ratio to floor {base['ratio']['seconds']:.2f}x"
        )


if __name__ == "__main__":
    main()
