"""The portal's ``service-results`` answers in their raw shape, for tests.

No raw capture of that endpoint is kept with the reference material
(``../shared/reference/portal-api/national/README.md``), so the fixtures are built: the national list
from the transcribed ranking of the 34 provinces, and one province's units from the Phú Thọ responses
of the six groups (each unit's group scores are the ones those responses give it, its total their sum).
"""

from __future__ import annotations

import csv
import json
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from chiso766.core.methodology import load
from tests.conftest import PORTAL_REF, SHARED

__all__ = ["RANKING_CSV", "PHU_THO_ID", "NATIONAL_AVERAGE", "department_id", "national_response", "units_response"]

RANKING_CSV = SHARED / "reference" / "portal-api" / "national" / "2026-10-10-ranking.csv"
PHU_THO_ID = "019d2be3-6a88-732b-8b17-b68020c8553a"
NATIONAL_AVERAGE = 62.59  # overview.totalScore of that capture, as the README gives it
_KNOWN_IDS = {"H44": PHU_THO_ID}  # the province whose group responses are the reference ones
_ID_SPACE = uuid.UUID("7c0e6a76-6f3b-4c8e-9d41-766766766766")  # any fixed namespace: ids stay the same run to run


def department_id(code: str, known: Mapping[str, str] = _KNOWN_IDS) -> str:
    """The departmentId of province ``code`` (H01…H61) in the fixtures: the real one where known."""
    return known.get(code) or str(uuid.uuid5(_ID_SPACE, code))


def _envelope(data: dict[str, Any]) -> dict[str, Any]:
    return {"code": "OK", "data": data, "message": "OK"}


def national_response(csv_path: Path = RANKING_CSV, known: Mapping[str, str] = _KNOWN_IDS) -> dict[str, Any]:
    """The national list (``departmentType: ADMINISTRATIVE_UNIT``) from a ranking table with the columns
    of ``2026-10-10-ranking.csv``, in the table's order; ``radar`` holds each group's plain mean."""
    groups = load().groups
    with csv_path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    evaluation = [
        {
            "departmentId": department_id(row["departmentCode"], known),
            "departmentName": row["departmentName"],
            "departmentCode": row["departmentCode"],
            "totalScore": float(row["totalScore"]),
            "groupScores": {g.code: float(row[g.code]) for g in groups},
            "scoreDelta": float(row["scoreDelta"]) if row["scoreDelta"] else None,
        }
        for row in rows
    ]
    radar = []
    for g in groups:
        mean = round(sum(float(row[g.code]) for row in rows) / len(rows), 2)
        radar.append(
            {
                "code": g.code,
                "name": g.name_vi,
                "score": mean,
                "maxScore": int(g.max),
                "ratio": round(mean / float(g.max) * 100, 2),
            }
        )
    overview = {
        "departmentName": "Cả nước",
        "totalScore": NATIONAL_AVERAGE,
        "totalMaxScore": 100,
        "ratio": NATIONAL_AVERAGE,
    }
    return _envelope({"overview": overview, "evaluation": evaluation, "growthPercent": None, "radar": radar})


def units_response(period: str = "month", portal_ref: Path = PORTAL_REF) -> dict[str, Any]:
    """One province's units (``rootDepartmentId``) from its six ``<endpoint>/<period>-all.json`` group
    responses: the province as ``overview``, its 163 departments and communes (``childGroup`` AGENCY or
    COMMUNE) in the order of the first response."""
    members: dict[str, dict[str, Any]] = {}
    overview: dict[str, Any] = {}
    for g in load().groups:
        data = json.loads((portal_ref / g.endpoint / f"{period}-all.json").read_bytes())["data"]
        head, units = (
            (data["overview"], data["evaluation"]) if "evaluation" in data else (data["parent"], data["children"])
        )
        for raw, entry in [(head, overview)] + [(u, members.setdefault(u["departmentId"], {})) for u in units]:
            entry.setdefault("departmentId", raw["departmentId"])
            entry.setdefault("departmentName", raw["departmentName"])
            if raw.get("departmentCode"):
                entry["departmentCode"] = raw["departmentCode"]
            level = raw.get("level") or raw.get("departmentLevel")
            if raw is not head and level:
                entry["childGroup"] = "AGENCY" if level == "PROVINCE" else "COMMUNE"
            entry.setdefault("groupScores", {})[g.code] = raw.get("score", raw.get("totalScore"))
    for entry in [overview, *members.values()]:
        entry["totalScore"] = round(sum(v for v in entry["groupScores"].values() if v is not None), 2)
        entry["totalMaxScore"] = 100
        entry["ratio"] = entry["totalScore"]
        entry["scoreDelta"] = None
    return _envelope({"overview": overview, "evaluation": list(members.values())})
