"""Write portal/2026/service-results.json and portal/2026/snapshot.json for the Phú Thọ year sample.

The national ranking of 10/10/2026 (shared/reference/portal-api/national/2026-10-10-ranking.csv, the
portal's figures transcribed field by field) put back into the raw `service-results` answer's shape.
The table gives no departmentId: Phú Thọ's is its real one; the other 33 are stand-ins (uuid5 of the
province code). snapshot.json records when each response was captured, from the reference manifest.
Run from this folder with the shared reference beside the project: python derive_service_results.py
"""

import csv
import json
import uuid
from pathlib import Path

REFERENCE = Path("../../../../shared/reference/portal-api")
PHU_THO = "019d2be3-6a88-732b-8b17-b68020c8553a"
CODES = ("CKMB", "TDGQ", "CLGQ", "TTTT", "MDHL", "MDSH")
ENDPOINTS = ("transparency", "dvc-progress-tree", "provide-online-tree", "formality-online-payment-tree",
             "handling-satisfaction", "dossier-digitized")


def number(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() else value


with (REFERENCE / "national" / "2026-10-10-ranking.csv").open(encoding="utf-8") as handle:
    rows = list(csv.DictReader(handle))
evaluation = [
    {
        "departmentId": PHU_THO if r["departmentCode"] == "H44" else str(uuid.uuid5(uuid.NAMESPACE_URL, r["departmentCode"])),
        "departmentName": r["departmentName"],
        "departmentCode": r["departmentCode"],
        "totalScore": number(r["totalScore"]),
        "groupScores": {code: number(r[code]) for code in CODES},
        "scoreDelta": number(r["scoreDelta"]),
    }
    for r in rows
]
answer = {
    "code": "OK",
    "data": {"overview": {"departmentName": "Cả nước", "totalScore": 62.59, "totalMaxScore": 100, "ratio": 62.59},
             "evaluation": evaluation},
    "message": "OK",
}
folder = Path("portal/2026")
(folder / "service-results.json").write_text(json.dumps(answer, ensure_ascii=False, separators=(",", ":")),
                                             encoding="utf-8")
manifest = json.loads((REFERENCE / "phu-tho" / "manifest.m0.json").read_text(encoding="utf-8"))
captured = {c["file"].split("/")[0]: c["capturedAt"] for c in manifest["captures"] if c["file"].endswith("/year-all.json")}
captures = [{"endpoint": e, "file": f"{e}.json", "capturedAt": captured[e]} for e in ENDPOINTS]
captures.append({"endpoint": "service-results", "file": "service-results.json",
                 "capturedAt": "2026-10-09T23:00:00+00:00",
                 "note": "rebuilt from the national ranking captured 10/10/2026 06:00 (Vietnam time)"})
meta = {"rootDepartmentId": PHU_THO, "period": "2026", "name": "phu-tho", "captures": captures}
(folder / "snapshot.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
