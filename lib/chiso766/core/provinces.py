"""The 34 provinces and cities (``data/province_names.csv``): which is a *thành phố* and which a *tỉnh*.

A document never calls a city a province: "Thành phố Hải Phòng", "Tỉnh Phú Thọ".
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from chiso766.core.datafiles import data_rows
from chiso766.core.textvi import name_key

__all__ = ["Province", "province", "province_scope"]


@dataclass(frozen=True)
class Province:
    code: str
    name: str  # "Hải Phòng", "Hồ Chí Minh"
    kind: str  # "thành phố" or "tỉnh"

    @property
    def title(self) -> str:
        """The name as a document writes it: ``Thành phố Hải Phòng``, ``Tỉnh Phú Thọ``."""
        return f"{self.kind.capitalize()} {self.name}"


@lru_cache(maxsize=1)
def _provinces() -> dict[str, Province]:
    rows = data_rows("province_names.csv")
    return {name_key(r["name"]): Province(r["code"], r["name"], r["kind"]) for r in rows}


def province(name: object) -> Province | None:
    """The province named ``name`` (with or without "tỉnh", "thành phố", "UBND"), or ``None``.

    Examples
    --------
    >>> province("Hải Phòng").title, province("UBND tỉnh Phú Thọ").title, province("Tỉnh Mẫu")
    ('Thành phố Hải Phòng', 'Tỉnh Phú Thọ', None)
    """
    key = name_key(name)
    for prefix in ("thành phố ", "tỉnh ", "tp "):
        if key.startswith(prefix):
            key = key[len(prefix) :]
    return _provinces().get(key)


def province_scope(name: object) -> str:
    """``thành phố`` or ``tỉnh``: the word for the province's whole territory ("toàn thành phố")."""
    found = province(name)
    if found is not None:
        return found.kind
    return "thành phố" if name_key(name).startswith("thành phố") else "tỉnh"
