"""Derive the ILLUSTRATIVE June and July 2026 score tables of Phú Thọ (see ../README.md).

July: the 2026-07-31 rows of ../scores-2026-Q3-illustrative.csv, plus a province row. June: every
July row moved by a seeded random step of up to 1,5 points per group (seed 766, as for the Q3 file).
The province rows start from its real August points (recomputed from the portal snapshot) and carry
an illustrative rank among the 34. Run from this folder: python derive.py
"""

import csv
import random
from decimal import Decimal

GROUPS = {"cong_khai": 18, "tien_do": 20, "truc_tuyen": 12, "thanh_toan": 10, "hai_long": 18, "so_hoa": 22}
AUGUST_PROVINCE = {"cong_khai": "7.96", "tien_do": "15.68", "truc_tuyen": "8.83", "thanh_toan": "6.25",
                   "hai_long": "12.96", "so_hoa": "8.24"}
rng = random.Random(766)


def step(row: dict[str, str]) -> dict[str, str]:
    out = dict(row)
    for key, top in GROUPS.items():
        if row.get(key):
            moved = Decimal(row[key]) + Decimal(rng.randint(-150, 150)) / 100
            out[key] = str(min(Decimal(top), max(Decimal(0), moved)).quantize(Decimal("0.01")))
    return out


def province(points: dict[str, str], as_of: str, rank: int) -> dict[str, str]:
    return {"unit_code": "H44", "unit_name": "Tỉnh Phú Thọ", "tier": "tinh", "as_of": as_of, **points,
            "rank": str(rank)}


with open("../scores-2026-Q3-illustrative.csv", encoding="utf-8") as handle:
    july = [r for r in csv.DictReader(handle) if r["as_of"] == "2026-07-31"]
july_province = province(step(AUGUST_PROVINCE), "2026-07-31", 21)
june = [step(r) | {"as_of": "2026-06-30"} for r in july]
june_province = province(step({k: july_province[k] for k in GROUPS}), "2026-06-30", 23)
columns = ["unit_code", "unit_name", "tier", "as_of", *GROUPS, "rank"]
for name, rows in (("2026-06.csv", [june_province, *june]), ("2026-07.csv", [july_province, *july])):
    with open(name, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows({c: r.get(c, "") for c in columns} for r in rows)
