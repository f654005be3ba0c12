"""The 34 provinces and cities (``data/province_names.csv``): which is a *thành phố* and which a *tỉnh*,
and which former provinces each was merged from on 01/07/2025 (``data/province_mergers.csv``).

A document never calls a city a province: "Thành phố Hải Phòng", "Tỉnh Phú Thọ".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from chiso766.core.datafiles import data_rows
from chiso766.core.textvi import fold, name_key

__all__ = ["Province", "province", "province_loosely", "province_scope", "Merger", "merger"]


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


def _stripped(key: str, prefixes: tuple[str, ...]) -> str:
    for prefix in prefixes:
        if key.startswith(prefix):
            key = key[len(prefix) :]
    return key


_PREFIXES = ("thành phố ", "tỉnh ", "tp ")
_FOLDED_PREFIXES = tuple(f"{fold(prefix)} " for prefix in _PREFIXES)


def _bare_key(name: object) -> str:
    return _stripped(name_key(name), _PREFIXES)


def province(name: object) -> Province | None:
    """The province named ``name`` (with or without "tỉnh", "thành phố", "UBND"), or ``None``.

    Examples
    --------
    >>> province("Hải Phòng").title, province("UBND tỉnh Phú Thọ").title, province("Tỉnh Mẫu")
    ('Thành phố Hải Phòng', 'Tỉnh Phú Thọ', None)
    """
    return _provinces().get(_bare_key(name))


@lru_cache(maxsize=1)
def _by_fold() -> dict[str, Province]:
    """The provinces by their name without accents (:func:`~chiso766.core.textvi.fold`), those of a
    name no other shares."""
    folded: dict[str, list[Province]] = {}
    for known in _provinces().values():
        folded.setdefault(fold(known.name), []).append(known)
    return {key: found[0] for key, found in folded.items() if len(found) == 1}


def province_loosely(name: object) -> Province | None:
    """:func:`province`, or the one ``name`` spells without its accents ("Hai Phong"), when no other
    province's name does. (Params keep a name as written, with a warning; a table's rows of one
    province are spelled as one.)

    Examples
    --------
    >>> province_loosely("TP Hai Phong").name, province_loosely("Tinh Phu Tho").name, province("Hai Phong")
    ('Hải Phòng', 'Phú Thọ', None)
    """
    return province(name) or _by_fold().get(_stripped(fold(_bare_key(name)), _FOLDED_PREFIXES))


def province_scope(name: object) -> str:
    """``thành phố`` or ``tỉnh``: the word for the province's whole territory ("toàn thành phố")."""
    found = province(name)
    if found is not None:
        return found.kind
    return "thành phố" if name_key(name).startswith("thành phố") else "tỉnh"


@dataclass(frozen=True)
class Merger:
    """A province made from several former ones: its own former self first, then the others."""

    former: tuple[str, ...]
    valid_from: date

    @property
    def joined(self) -> tuple[str, ...]:
        """The former provinces merged into it, besides itself."""
        return self.former[1:]


@lru_cache(maxsize=1)
def _mergers() -> dict[str, Merger]:
    return {
        name_key(r["province"]): Merger(tuple(r["former"].split("|")), date.fromisoformat(r["valid_from"]))
        for r in data_rows("province_mergers.csv")
    }


def merger(name: object) -> Merger | None:
    """The merger that made the province ``name`` (``None`` for the 11 left as they were, or an unknown name).

    Examples
    --------
    >>> merger("Hải Phòng").joined, merger("UBND tỉnh Phú Thọ").former, merger("Hà Nội")
    (('Hải Dương',), ('Phú Thọ', 'Vĩnh Phúc', 'Hòa Bình'), None)
    """
    found = province(name)
    return _mergers().get(name_key(found.name)) if found is not None else None
