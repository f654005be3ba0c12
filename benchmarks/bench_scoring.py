"""Time scoring one province snapshot (Phú Thọ, 164 units, six groups) and a score table.

Run with ``make bench``. Prints the median of several runs and writes benchmarks/results/scoring.json.
"""

from __future__ import annotations

import json
import platform
from pathlib import Path

import pandas

import chiso766
from chiso766.ingest.portal import read_snapshot
from chiso766.core.methodology import load
from chiso766.core.params import load_params
from chiso766.compute.pipeline import build_scorecard
from chiso766.compute.scorecard import score_snapshot
from timing import median_time

ROOT = Path(__file__).resolve().parents[1]
RUNS = 7


def main() -> None:
    method = load("2026")
    folder = ROOT / "data/samples/phu-tho/portal/2026-08"
    snapshot = read_snapshot(folder, method)
    results = {
        "read_snapshot_s": median_time(lambda: read_snapshot(folder, method), RUNS)[0],
        "score_snapshot_s": median_time(lambda: score_snapshot(snapshot, method), RUNS)[0],
        "params_to_scorecard_s": median_time(lambda: build_scorecard(load_params(ROOT / "params/bulletin_766/2026-08.yaml")), RUNS)[0],
        "score_table_000_s": median_time(lambda: build_scorecard(load_params(ROOT / "params/bulletin_766/2025.yaml")), RUNS)[0],
    }
    record = {"benchmark": "scoring", "runs": RUNS, "units": int(len(snapshot.units)),
              "machine": {"python": platform.python_version(), "platform": platform.platform(),
                          "processor": platform.processor() or platform.machine()},
              "versions": {"chiso766": chiso766.__version__, "pandas": pandas.__version__},
              "median_seconds": {k: round(v, 4) for k, v in results.items()}}
    out = ROOT / "benchmarks" / "results" / "scoring.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    for name, seconds in results.items():
        print(f"{name:28s} {seconds * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
