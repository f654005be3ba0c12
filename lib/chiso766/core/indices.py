"""The yearly reform indices a province is ranked by (``data/indices.csv``): PAR Index, SIPAS, PAPI,
PCI and DTI, with their owners, scales and the word for their parts (``INDICES.md``)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from chiso766.core.datafiles import data_rows

__all__ = ["IndexInfo", "indices", "index_info", "INDEX_KEYS"]


@dataclass(frozen=True)
class IndexInfo:
    """One index: ``name_vi`` and ``abbr`` ("Chỉ số Cải cách hành chính", "PAR Index"), its owner, its
    maximum, and ``component_word``, what its parts are called (lĩnh vực, yếu tố, nội dung, …)."""

    key: str
    order: int
    name_vi: str
    abbr: str
    owner: str
    max: Decimal
    component_word: str

    @property
    def title(self) -> str:
        """``Chỉ số Cải cách hành chính (PAR Index)``."""
        return f"{self.name_vi} ({self.abbr})"


@lru_cache(maxsize=1)
def indices() -> tuple[IndexInfo, ...]:
    """Every index, in the order a document lists them."""
    rows = sorted(data_rows("indices.csv"), key=lambda r: int(r["order"]))
    return tuple(
        IndexInfo(
            r["key"], int(r["order"]), r["name_vi"], r["abbr"], r["owner"], Decimal(r["max"]), r["component_word"]
        )
        for r in rows
    )


def index_info(key: str) -> IndexInfo:
    """The index ``key`` (``par``, ``sipas``, ``papi``, ``pci``, ``dti``).

    Examples
    --------
    >>> index_info("papi").title, index_info("papi").max
    ('Chỉ số Hiệu quả quản trị hành chính công (PAPI)', Decimal('80'))
    """
    for info in indices():
        if info.key == key:
            return info
    raise KeyError(key)


INDEX_KEYS: tuple[str, ...] = tuple(i.key for i in indices())
