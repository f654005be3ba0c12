"""The timing rules every benchmark here uses.

``median_time``: the median of several runs of a call in this process. ``paired``: two commands
run in turn in fresh processes (A B A B …), each reporting its own figures as one JSON line; the
ratio A/B is taken pair by pair, so that a machine whose speed drifts during the run (other work on
it) moves both sides of each ratio alike. ``machine`` says what the figures were measured on.
``module_from_file``: an earlier version of a library module (``--baseline``), timed the same way.
"""

from __future__ import annotations

import importlib.util
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from types import ModuleType
from typing import Any, TypeVar

T = TypeVar("T")


def median_time(fn: Callable[[], T], runs: int) -> tuple[float, T]:
    """Median wall-clock seconds of ``runs`` calls of ``fn``, and the last call's result."""
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result  # type: ignore[return-value]


def cpu_seconds() -> float:
    """User + system seconds of this process so far (its threads included)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_mib() -> float:
    """This program's largest resident set so far, in MiB.

    ``VmHWM`` (Linux): the high-water mark of this program's own memory. ``ru_maxrss`` is not used
    where ``VmHWM`` exists: a process started by a large one (fork, then exec) inherits the parent's
    high-water mark in it, and would report the benchmark's own memory instead of its own."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def report(**figures: Any) -> None:
    """A child's last line: its figures, and its peak memory."""
    print(json.dumps({**figures, "peak_mib": round(peak_mib(), 1)}), flush=True)


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _child(command: Sequence[str]) -> dict[str, Any]:
    start = time.perf_counter()
    done = subprocess.run(list(command), capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if done.returncode:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    figures["process_s"] = round(wall, 3)
    return figures


def paired(a: Sequence[str], b: Sequence[str], runs: int, warmup: int = 1) -> dict[str, Any]:
    """Run ``a`` and ``b`` in turn ``runs`` times each (after ``warmup`` uncounted pairs).

    Returns each side's runs and medians of every figure they report, and the medians of the
    pair-by-pair ratios A/B. ``process_s`` is the whole process (start-up and imports included)."""
    for _ in range(warmup):
        _child(a), _child(b)
    pairs = [(_child(a), _child(b)) for _ in range(runs)]
    keys = [k for k, v in pairs[0][0].items() if isinstance(v, int | float) and k in pairs[0][1]]
    return {
        "runs": runs,
        "load_average_after": load_average(),
        "a": {k: statistics.median(p[0][k] for p in pairs) for k in pairs[0][0] if _numeric(pairs, 0, k)},
        "b": {k: statistics.median(p[1][k] for p in pairs) for k in pairs[0][1] if _numeric(pairs, 1, k)},
        "ratio": {k: round(statistics.median(p[0][k] / p[1][k] for p in pairs if p[1][k]), 3) for k in keys},
        "all_a": [p[0] for p in pairs],
        "all_b": [p[1] for p in pairs],
    }


def in_turn(commands: dict[str, Sequence[str]], runs: int, reference: str, warmup: int = 1) -> dict[str, Any]:
    """Run several commands in turn (A B C, A B C, …) ``runs`` times; medians of each one's figures,
    and, round by round, each one's ratio to ``reference`` (the median of those ratios)."""
    for _ in range(warmup):
        for command in commands.values():
            _child(command)
    rounds = [{name: _child(command) for name, command in commands.items()} for _ in range(runs)]
    out: dict[str, Any] = {"runs": runs, "load_average_after": load_average(), "reference": reference}
    for name in commands:
        keys = [k for k in rounds[0][name] if _all_numbers(rounds, name, k)]
        figures = {k: statistics.median(r[name][k] for r in rounds) for k in keys}
        ratios = {
            k: round(statistics.median(r[name][k] / r[reference][k] for r in rounds if r[reference][k]), 3)
            for k in figures
            if k in rounds[0][reference] and _all_numbers(rounds, reference, k)
        }
        out[name] = {"median": figures, f"ratio_to_{reference}": ratios}
    return out


def _all_numbers(rounds: list[dict[str, dict[str, Any]]], name: str, key: str) -> bool:
    return all(isinstance(r[name].get(key), int | float) and not isinstance(r[name][key], bool) for r in rounds)


def _numeric(pairs: list[tuple[dict[str, Any], dict[str, Any]]], side: int, key: str) -> bool:
    return all(isinstance(p[side][key], int | float) and not isinstance(p[side][key], bool) for p in pairs)


def machine() -> dict[str, Any]:
    """What the figures were measured on, and when."""
    import duckdb

    model = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            model = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), "")
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": model,
        "cpus": os.cpu_count(),
        "memory_gib": round(memory, 1),
        "load_average_before": load_average(),
        "duckdb": duckdb.__version__,
        "executable": sys.executable,
    }


def module_from_file(path: str, name: str) -> ModuleType:
    """The module in ``path`` (say ``git show <commit>:lib/chiso766/ingest/dossiers.py > /tmp/old.py``),
    loaded as ``name`` beside the library's own."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
