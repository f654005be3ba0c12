"""Time a province bulletin end to end (execute the notebook, HTML, PDF) for each sample.

Run with ``make bench``; writes benchmarks/results/bulletin.json. The target is under 15 s.
"""

from __future__ import annotations

import itertools
import json
import platform
import tempfile
from pathlib import Path

import chiso766
from chiso766.publish.runner import run
from timing import median_time

ROOT = Path(__file__).resolve().parents[1]
RUNS = 3
SAMPLES = ["params/bulletin_766/2025.yaml", "params/bulletin_766/2026-08.yaml", "params/unit_report/2026-Q3.yaml"]


def main() -> None:
    medians = {}
    with tempfile.TemporaryDirectory() as tmp:
        for sample in SAMPLES:
            folders = (Path(tmp) / f"{Path(sample).stem}-{i}" for i in itertools.count())
            seconds, _ = median_time(lambda: run(ROOT / sample, out=next(folders)), RUNS)
            medians[sample] = round(seconds, 2)
            print(f"{sample:40s} {medians[sample]:6.2f} s (median of {RUNS})")
    record = {"benchmark": "bulletin end to end (papermill + nbconvert HTML + Typst PDF)", "runs": RUNS,
              "machine": {"python": platform.python_version(), "platform": platform.platform()},
              "chiso766": chiso766.__version__, "median_seconds": medians}
    out = ROOT / "benchmarks" / "results" / "bulletin.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
