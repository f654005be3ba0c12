"""The yearly indices compared across years and with the country: changes, gaps, rank changes, and
the components that lost most points.

A change is against the latest earlier year present for the same index, province and component;
a rank change only between two ranks of the same list (the 63 provinces before the 2025 merger are
not the 34 after it: places among 63 and among 34 are not comparable, so the change is left empty).
Every figure is an exact ``Decimal`` difference of the values as published.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pandas as pd

from chiso766.core.indices import IndexInfo, index_info, indices
from chiso766.core.provinces import province
from chiso766.core.textvi import fold

__all__ = ["TABLE_COLUMNS", "indices_table", "IndexFact", "index_facts", "same_province"]

TABLE_COLUMNS = [
    "index",
    "year",
    "province",
    "component",
    "value",
    "max",
    "change",
    "gap_to_mean",
    "rank",
    "of",
    "rank_change",
    "points_lost",
    "national_mean",
    "previous_year",
    "group",
    "group_size",
    "source",
]


def same_province(a: object, b: object) -> bool:
    """Whether two spellings name one province ("Hải Phòng", "Thành phố Hải Phòng", "TP Hải Phòng")."""
    known_a, known_b = province(a), province(b)
    if known_a is not None and known_b is not None:
        return known_a.code == known_b.code
    return fold(a) == fold(b)


def _minus(a: object, b: object) -> Decimal | None:
    return a - b if isinstance(a, Decimal) and isinstance(b, Decimal) else None


def indices_table(rows: pd.DataFrame) -> pd.DataFrame:
    """``tables/indices.csv``: each row with its change against the previous year present, its gap to
    the national mean, its rank change (places gained, positive = up) and the points it lost.

    Examples
    --------
    >>> rows = pd.DataFrame([
    ...     {"index": "par", "year": 2023, "province": "Hải Phòng", "component": "", "value": Decimal("91.87"),
    ...      "max": Decimal(100), "rank": None, "of": None, "national_mean": None},
    ...     {"index": "par", "year": 2024, "province": "Hải Phòng", "component": "", "value": Decimal("96.17"),
    ...      "max": Decimal(100), "rank": 1, "of": 63, "national_mean": Decimal("88.37")}])
    >>> indices_table(rows).iloc[1][["change", "gap_to_mean", "points_lost"]].tolist()
    [Decimal('4.30'), Decimal('7.80'), Decimal('3.83')]
    """
    out = []
    records: list[dict[str, Any]] = [{str(k): v for k, v in r.items()} for r in rows.to_dict("records")]
    for row in records:
        earlier = [
            r
            for r in records
            if r["index"] == row["index"]
            and fold(r["component"]) == fold(row["component"])
            and same_province(r["province"], row["province"])
            and r["year"] < row["year"]
        ]
        before = max(earlier, key=lambda r: r["year"]) if earlier else None
        comparable = before is not None and before["rank"] is not None and before["of"] == row["of"]
        out.append(
            {
                **{k: row.get(k) for k in TABLE_COLUMNS if k in row},
                "change": _minus(row["value"], before["value"]) if before else None,
                "gap_to_mean": _minus(row["value"], row.get("national_mean")),
                "rank_change": before["rank"] - row["rank"]
                if before and comparable and row["rank"] is not None
                else None,
                "points_lost": _minus(row["max"], row["value"]),
                "previous_year": before["year"] if before else None,
            }
        )
    frame = pd.DataFrame(out, columns=TABLE_COLUMNS, dtype=object)
    order = {i.key: i.order for i in indices()}
    frame["_order"] = frame["index"].map(order)
    frame = frame.sort_values(["_order", "province", "component", "year"], kind="stable")
    return frame.drop(columns="_order").reset_index(drop=True)


@dataclass(frozen=True)
class IndexFact:
    """One index of the report year for the province: its row, the previous year's row (``None`` when
    absent), and its components that year, most points lost first."""

    info: IndexInfo
    row: dict[str, Any]
    previous: dict[str, Any] | None
    components: pd.DataFrame

    @property
    def same_list(self) -> bool:
        """Whether this year's rank and the previous year's are among the same number of provinces."""
        return self.previous is not None and self.previous["of"] == self.row["of"]


def index_facts(table: pd.DataFrame, name: str, year: int) -> list[IndexFact]:
    """The facts a document states of province ``name`` in ``year``, one per index present, in the
    order of ``data/indices.csv``."""
    mine = table[[same_province(p, name) for p in table["province"]]]
    facts = []
    for info in indices():
        rows = mine[mine["index"] == info.key]
        whole = rows[rows["component"] == ""]
        now = whole[whole["year"] == year]
        if now.empty:
            continue
        row = dict(now.iloc[0])
        before = whole[whole["year"] == row["previous_year"]] if row["previous_year"] is not None else whole.iloc[0:0]
        parts = rows[(rows["component"] != "") & (rows["year"] == year)]
        parts = parts.sort_values("points_lost", ascending=False, kind="stable", key=_lost_key)
        facts.append(IndexFact(index_info(info.key), row, dict(before.iloc[0]) if len(before) else None, parts))
    return facts


def _lost_key(column: pd.Series) -> pd.Series:
    return column.map(lambda v: v if isinstance(v, Decimal) else Decimal(-1))
