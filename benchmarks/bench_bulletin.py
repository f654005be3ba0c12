"""Time a province bulletin end to end (execute the notebook, HTML, PDF) for each sample.

Run with ``make bench``; writes benchmarks/results/bulletin.json. The target is under 15 s.
"""

from __future__ import annotations

import json
import platform
import statistics
import tempfile
import time
from pathlib import Path

import chiso766
from chiso766.runner import run

ROOT = Path(__file__).resolve().parents[1]
RUNS = 3
SAMPLES = ["params/bulletin_766/2025.yaml", "params/bulletin_766/2026-08.yaml", "params/unit_report/2026-Q3.yaml"]


def main() -> None:
    medians = {}
    with tempfile.TemporaryDirectory() as tmp:
        for sample in SAMPLES:
            times = []
            for i in range(RUNS):
                start = time.perf_counter()
                run(ROOT / sample, out=Path(tmp) / f"{Path(sample).stem}-{i}")
                times.append(time.perf_counter() - start)
            medians[sample] = round(statistics.median(times), 2)
            print(f"{sample:40s} {medians[sample]:6.2f} s (median of {RUNS})")
    record = {"benchmark": "bulletin end to end (papermill + nbconvert HTML + Typst PDF)", "runs": RUNS,
              "machine": {"python": platform.python_version(), "platform": platform.platform()},
              "chiso766": chiso766.__version__, "median_seconds": medians}
    out = ROOT / "benchmarks" / "results" / "bulletin.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
