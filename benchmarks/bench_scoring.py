"""Scoring one province (Phú Thọ, August 2026: 164 units, six groups) against its floor: the same
Decimal rules applied to plain dicts, no pandas. Both give every unit's total; the benchmark checks
they are equal before it reports a time.

    python benchmarks/bench_scoring.py [--runs 15]

Writes benchmarks/results/scoring.json (see record.py).
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from record import Figure, save  # noqa: E402
from timing import median_time  # noqa: E402

from chiso766.compute.scorecard import score_snapshot  # noqa: E402
from chiso766.compute.scoring import component_points, group_points, total_points  # noqa: E402
from chiso766.core.decimals import to_decimal  # noqa: E402
from chiso766.core.methodology import Methodology, load  # noqa: E402
from chiso766.ingest.portal import Snapshot, read_snapshot  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOT = ROOT / "data/samples/phu-tho/portal/2026-08"


def plain_totals(rows: list[dict[str, object]], groups: list[dict[str, object]], method: Methodology) -> dict[str, Decimal | None]:
    """The floor: every component scored, every group summed, every total added, over plain dicts."""
    points: dict[tuple[object, object], list[Decimal | None]] = defaultdict(list)
    for r in rows:
        points[(r["unit_id"], r["group"])].append(
            component_points(method.component(str(r["component"])), r["numerator"], r["denominator"]).points
        )
    by_unit: dict[object, dict[str, Decimal | None]] = defaultdict(dict)
    for g in groups:
        key = (g["unit_id"], g["group"])
        by_unit[g["unit_id"]][str(g["group"])] = (
            group_points(points[key], method.group(str(g["group"]))) if g["counts_given"] else to_decimal(g["portal_points"])
        )
    return {str(u): total_points(p, method) for u, p in by_unit.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    method = load("2026")
    snapshot: Snapshot = read_snapshot(SNAPSHOT, method)
    rows = snapshot.components.to_dict("records")
    groups = snapshot.groups.to_dict("records")
    ours, card = median_time(lambda: score_snapshot(snapshot, method), runs)
    floor, totals = median_time(lambda: plain_totals(rows, groups, method), runs)
    ids = dict(zip(snapshot.units["unit_id"], snapshot.units["unit_code"], strict=True))
    mine = dict(zip(card.units["unit_code"], card.units["total"], strict=True))
    assert {ids[u]: t for u, t in totals.items()} == mine, "the floor and the library disagree"
    save(
        "scoring",
        [
            Figure(
                "scoring",
                f"scoring one province ({len(snapshot.units)} units)",
                ours,
                "the same Decimal rules over plain dicts",
                floor,
                target_seconds=0.020,
                target="< 20 ms",
            ),
            Figure("read_snapshot", "reading its six portal responses", median_time(lambda: read_snapshot(SNAPSHOT, method), runs)[0]),
        ],
        runs,
    )


if __name__ == "__main__":
    main()
