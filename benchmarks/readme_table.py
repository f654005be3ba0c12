"""Write the README's performance table from ``benchmarks/results/*.json`` (``record.py``'s shape).

    python benchmarks/readme_table.py            # rewrite the table between the README's markers
    python benchmarks/readme_table.py --check    # exit 1 if the README's table is not the results'

Every figure is printed beside its floor or alternative from the same run, with the ratio, the
target when the issue set one, and the machine and date it was measured on: no figure is typed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
README = ROOT / "README.md"
START, END = "<!-- performance table: benchmarks/readme_table.py -->", "<!-- end of performance table -->"


def _time(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    text = f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"
    return text.replace(".", ",")


def table() -> str:
    lines = [
        "| what | now | floor or alternative (same run) | ratio | target | measured |",
        "|---|---|---|---|---|---|",
    ]
    for path in sorted(RESULTS.glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        if "figures" not in record:
            continue  # a result file from before record.py: not shown rather than guessed
        for f in record["figures"]:
            # a figure kept from an earlier run (a scale point) carries its own date and machine
            machine = f.get("machine") or record["machine"]
            loads = machine.get("load_average") or machine.get("load_average_before") or ["?"]
            load = str(loads[0]).replace(".", ",")
            # the processor too: figures of two machines (an Intel Xeon, an AMD EPYC) differ by half
            cpu = str(machine.get("cpu") or "?").replace("(R)", "").replace(" Processor", "")
            where = f"{f.get('date') or record['date']}, {cpu}, {machine.get('cpus')} cores, load {load}"
            alternative = f"{f['alternative']}: {_time(f['alternative_seconds'])}" if f.get("alternative") else "–"
            ratio = f"{f['ratio']:.2f}×".replace(".", ",") if f.get("ratio") else "–"
            target = f"{f['target']} ({'met' if f['met'] else 'not met'})" if f.get("target") else "–"
            peak = f", {f['peak_mib']:.0f} MiB peak" if f.get("peak_mib") else ""
            now = f"{_time(f['seconds'])}{peak}"
            lines.append(f"| {f['what']} | {now} | {alternative} | {ratio} | {target} | {where} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true")
    check = parser.parse_args().check
    text = README.read_text(encoding="utf-8")
    if START not in text or END not in text:
        print(f"README.md has no markers {START} … {END}", file=sys.stderr)
        return 1
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    new = f"{head}{START}\n{table()}\n{END}{tail}"
    if check:
        return 0 if new == text else 1
    README.write_text(new, encoding="utf-8")
    print(table())
    return 0


if __name__ == "__main__":
    sys.exit(main())
