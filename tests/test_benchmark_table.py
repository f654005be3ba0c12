"""The README's performance table is generated from benchmarks/results/*.json, never typed."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def test_readme_table_is_the_results() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "readme_table.py"), "--check"], capture_output=True, text=True
    )
    assert done.returncode == 0, "README's performance table differs from benchmarks/results: run benchmarks/readme_table.py"
