"""The command's own costs: ``chiso766 --help`` (target under 0,15 s) and a bulletin that
``--if-changed`` skips (target under 0,5 s), each a whole process, against the floor of starting
Python itself.

    python benchmarks/bench_cli.py [--runs 9]

Needs one built output (``make report``). Writes benchmarks/results/cli.json (see record.py).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from record import Figure, save  # noqa: E402
from timing import median_time  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
COMMAND = [str(ROOT / ".venv" / "bin" / "chiso766")]
SKIPPED = "params/yearly_indices/2024.yaml"


def _run(argv: list[str]) -> None:
    subprocess.run(argv, cwd=ROOT, check=True, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    runs = parser.parse_args().runs
    _run([*COMMAND, "run", "-q", "--if-changed", SKIPPED])  # built once, so every timed run skips it
    python = median_time(lambda: _run([sys.executable, "-c", "pass"]), runs)[0]
    help_time = median_time(lambda: _run([*COMMAND, "--help"]), runs)[0]
    skipped = median_time(lambda: _run([*COMMAND, "run", "-q", "--if-changed", SKIPPED]), runs)[0]
    floor = "starting Python alone"
    save(
        "cli",
        [
            Figure("help", "chiso766 --help", help_time, floor, python, 0.15, "< 0,15 s"),
            Figure("skipped", "a bulletin skipped by --if-changed", skipped, floor, python, 0.5, "< 0,5 s"),
        ],
        runs,
    )


if __name__ == "__main__":
    main()
