"""One shape for every benchmark's result: each figure beside its floor or alternative from the same
run, with the machine and the date, written to ``benchmarks/results/<name>.json``.

``readme_table.py`` turns these files into the README's performance table, so no figure there is
typed by hand.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


@dataclass(frozen=True)
class Figure:
    """``what`` took ``seconds``; ``alternative`` (a floor or another tool, same run, same result
    checked) took ``alternative_seconds``; ``target`` is the issue's goal in seconds, if any."""

    key: str
    what: str
    seconds: float
    alternative: str = ""
    alternative_seconds: float | None = None
    target_seconds: float | None = None
    target: str = ""
    peak_mib: float | None = None

    @property
    def ratio(self) -> float | None:
        return None if not self.alternative_seconds else self.seconds / self.alternative_seconds

    @property
    def met(self) -> bool | None:
        return None if self.target_seconds is None else self.seconds <= self.target_seconds


def machine() -> dict[str, object]:
    """``timing.machine()`` (the processor's model among it) and the load as the figures were taken."""
    from timing import machine as measured_on

    return measured_on() | {"load_average": [round(x, 2) for x in os.getloadavg()]}


def save(name: str, figures: list[Figure], runs: int, keep: tuple[str, ...] = ()) -> Path:
    """Write ``results/<name>.json`` and print each figure with its ratio and target.

    ``keep``: keys of figures this run did not measure (a baseline it was not given) that the file
    holds from an earlier run; they stay, each with the date and machine it was measured on."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    measured = {f.key for f in figures}
    kept = []
    if keep and path.is_file():
        earlier = json.loads(path.read_text(encoding="utf-8"))
        kept = [
            {"date": earlier["date"], "machine": earlier["machine"]} | f
            for f in earlier.get("figures", [])
            if f["key"] in keep and f["key"] not in measured
        ]
    record = {
        "benchmark": name,
        "date": datetime.now(UTC).date().isoformat(),
        "runs": runs,
        "machine": machine(),
        "figures": [asdict(f) | {"ratio": f.ratio, "met": f.met} for f in figures] + kept,
    }
    path.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    for f in figures:
        line = f"{f.what:48s} {f.seconds * 1000:10.1f} ms"
        if f.alternative_seconds is not None and f.ratio is not None:
            line += f"   {f.alternative}: {f.alternative_seconds * 1000:.1f} ms ({f.ratio:.2f}×)"
        if f.target:
            line += f"   target {f.target}: {'met' if f.met else 'NOT MET'}"
        print(line)
    return path
