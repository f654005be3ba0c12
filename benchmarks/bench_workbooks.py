"""Writing the workbooks of one bulletin (Phú Thọ, August 2026: 31 tables, ~164k cells, written twice:
``tables.xlsx`` and ``tables/<name>.xlsx``), against the CSV of the same tables as the floor.

    python benchmarks/bench_workbooks.py [--runs 7] [--baseline OLD_workbooks.py]

The tables are built once (the bulletin's own calls); each run writes them into a fresh folder and
is timed in CPU seconds (``time.process_time``: the machine is shared, wall time would measure the
neighbours). ``--baseline`` times another version of ``chiso766/render/workbooks.py`` in the same
runs, in turn with this one (for example the XlsxWriter one before issue 15:
``git show b93f8d8:lib/chiso766/render/workbooks.py > /tmp/old_workbooks.py``); before any time is
reported, every cell of its ``tables.xlsx`` is checked equal to this version's (value, type and
number format, read with openpyxl). Issue 15's target: at least 4× faster than that baseline.

Writes benchmarks/results/workbooks.json (see record.py).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from record import Figure, save
from timing import module_from_file

ROOT = Path(__file__).resolve().parents[1]
PARAMS = ROOT / "params" / "bulletin_766" / "2026-08.yaml"
TARGET_SPEED_UP = 4.0


def tables(scratch: Path) -> dict[str, Any]:
    """The tables ``document.save`` writes for the sample bulletin."""
    from chiso766.render import notebook as nb
    from chiso766.report import bulletin_766 as bulletin

    built = bulletin.build(nb.load(str(PARAMS), [], str(scratch / "params")))
    return dict(bulletin.outline(built).data)


def writer(module: ModuleType) -> Callable[[dict[str, Any], Path], None]:
    """What ``document.save`` does with the workbooks, with ``module``'s functions."""

    def write(frames: dict[str, Any], folder: Path) -> None:
        if hasattr(module, "all_workbooks"):  # each sheet built once for both, as a bulletin's files
            from chiso766.core.files import write_atomic, write_files

            whole, each = module.all_workbooks(frames)
            write_atomic(folder / "tables.xlsx", whole)
            write_files({f"{name}.xlsx": data for name, data in each.items()}, folder / "tables")
        else:
            module.write_xlsx(frames, folder / "tables.xlsx")
            module.write_workbooks(frames, folder / "tables")

    return write


def csv_floor(frames: dict[str, Any], folder: Path) -> None:
    from chiso766.render.tables import write_tables

    write_tables(frames, folder / "tables")


def cells(path: Path) -> dict[str, list[list[tuple[Any, str]]]]:
    """Every sheet's cells as openpyxl reads them: (value, number format)."""
    import openpyxl

    book = openpyxl.load_workbook(path)
    return {s.title: [[(c.value, c.number_format) for c in row] for row in s.iter_rows()] for s in book.worksheets}


def check_same(ours: Callable[..., None], baseline: Callable[..., None], frames: dict[str, Any], scratch: Path) -> None:
    ours(frames, scratch / "ours")
    baseline(frames, scratch / "baseline")
    mine, theirs = cells(scratch / "ours" / "tables.xlsx"), cells(scratch / "baseline" / "tables.xlsx")
    assert list(mine) == list(theirs), "sheet names differ"
    for name in mine:
        for a, b in zip(mine[name], theirs[name], strict=True):
            for x, y in zip(a, b, strict=True):
                # the value and its Python type: 3 and 3.0 read back differently (int or float)
                assert (x[0], type(x[0]), x[1]) == (y[0], type(y[0]), y[1]), f"{name}: {x} != {y}"
    print(f"checked: {sum(len(r) for rows in mine.values() for r in rows)} cells equal to the baseline's")


def cpu_time(write: Callable[[dict[str, Any], Path], None], frames: dict[str, Any], folder: Path) -> float:
    start = time.process_time()
    write(frames, folder)
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--baseline", help="another workbooks.py, timed in the same runs")
    args = parser.parse_args()
    from chiso766.render import workbooks

    contenders = {"ours": writer(workbooks), "csv": csv_floor}
    if args.baseline:
        contenders["baseline"] = writer(module_from_file(args.baseline, "baseline_workbooks"))
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        frames = tables(scratch)
        if args.baseline:
            check_same(contenders["ours"], contenders["baseline"], frames, scratch / "check")
        times: dict[str, list[float]] = {name: [] for name in contenders}
        for run in range(args.runs + 1):  # the first round warms caches (layout, imports) and is not counted
            for name, write in contenders.items():
                seconds = cpu_time(write, frames, scratch / f"{name}-{run}")
                if run:
                    times[name].append(seconds)
    median = {name: statistics.median(t) for name, t in times.items()}
    what = "tables.xlsx + tables/*.xlsx (CPU)"
    figures = [Figure("workbooks", what, median["ours"], "CSV of the same tables (floor)", median["csv"])]
    if args.baseline:
        target = median["baseline"] / TARGET_SPEED_UP
        figures.append(
            Figure(
                "workbooks_vs_before",
                what,
                median["ours"],
                "XlsxWriter (before)",
                median["baseline"],
                target,
                "≥ 4× faster",
            )
        )
    # the baseline's tables have changed since (a table it gives no number format): without it, the
    # figure measured against it stays, with its own date and machine
    save("workbooks", figures, args.runs, keep=("workbooks_vs_before",))


if __name__ == "__main__":
    main()
