"""The unit registry: codes, names, tiers and the other spellings a unit is known by."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from chiso766.core.errors import Diagnostics, InputError
from chiso766.core.textvi import loose_name_key, name_key, nfc
from chiso766.ingest.tabular import read_table

if TYPE_CHECKING:
    from chiso766.core.params import Params

__all__ = ["Unit", "Registry", "TIERS", "COMMUNE_WORDS", "load_registry", "params_registry", "tier_from_name"]

TIERS = {"tinh": "tỉnh, thành phố", "so": "sở, ban, ngành", "xa": "xã, phường, đặc khu"}


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    tier: str
    aliases: tuple[str, ...] = ()


COMMUNE_WORDS = ("xã", "phường", "đặc khu", "thị trấn")
"""The words a commune-level unit's name begins with (tier ``xa``)."""


def tier_from_name(name: str) -> str:
    """Guess a tier from a unit's name (used only when neither the input nor the registry says).

    Examples
    --------
    >>> tier_from_name("UBND Phường Việt Trì"), tier_from_name("Sở Y tế"), tier_from_name("UBND tỉnh Phú Thọ")
    ('xa', 'so', 'tinh')
    """
    key = name_key(name)
    if key.startswith(tuple(f"{word} " for word in COMMUNE_WORDS)):
        return "xa"
    if key.startswith(("tỉnh ", "thành phố ")):
        return "tinh"
    return "so"


@dataclass
class Registry:
    """Units by code and by every spelling of their name (matched through :func:`name_key`)."""

    units: list[Unit] = field(default_factory=list)
    source: str = ""

    def __post_init__(self) -> None:
        self._by_code = {u.code.casefold(): u for u in self.units if u.code}
        self._by_key: dict[str, Unit] = {}
        self._by_loose: dict[str, set[str]] = {}
        for unit in self.units:
            for spelling in (unit.name, *unit.aliases):
                self._by_key.setdefault(name_key(spelling), unit)
                self._by_loose.setdefault(loose_name_key(spelling), set()).add(unit.code or unit.name)
        self._by_ident = {u.code or u.name: u for u in self.units}

    def __bool__(self) -> bool:
        return bool(self.units)

    def resolve(self, name: object = None, code: object = None) -> Unit | None:
        """The registered unit with this code, or else with this name or alias; ``None`` if unknown."""
        if code is not None and nfc(code):
            unit = self._by_code.get(nfc(code).casefold())
            if unit is not None:
                return unit
        if name is None or not nfc(name):
            return None
        unit = self._by_key.get(name_key(name))
        if unit is not None:
            return unit
        # "Lâm Thao - Tỉnh Phú Thọ" names no unit type: accept it only if one unit fits
        candidates = self._by_loose.get(loose_name_key(name), set())
        return self._by_ident[next(iter(candidates))] if len(candidates) == 1 else None

    def code_and_name_differ(self, name: object, code: object) -> str | None:
        """How a row naming two units says so (its code one's, its name another's), or None: such a row
        counts for its code's unit (:meth:`resolve`), which the reader must be told to correct it.

        Examples
        --------
        >>> r = Registry([Unit("YT", "Sở Y tế", "so", ("SYT",)), Unit("TC", "Sở Tài chính", "so")])
        >>> r.code_and_name_differ("SYT", "TC"), r.code_and_name_differ("Sở Tài chính", "TC")
        ('mã «TC» (Sở Tài chính) đi với tên «SYT» (Sở Y tế)', None)
        """
        if code is None or not nfc(code) or name is None or not nfc(name):
            return None
        by_code, by_name = self._by_code.get(nfc(code).casefold()), self.resolve(name)
        if by_code is None or by_name is None or by_name == by_code:
            return None
        whose = "" if nfc(name) == by_name.name else f" ({by_name.name})"
        return f"mã «{nfc(code)}» ({by_code.name}) đi với tên «{nfc(name)}»{whose}"


def load_registry(path: str | Path, diagnostics: Diagnostics | None = None) -> Registry:
    """Read a registry CSV (``unit_code, unit_name, tier, aliases``; aliases ``|``-separated).

    A name or alias given to two units is an :class:`InputError` naming both lines: matching would
    otherwise give every row of that spelling to whichever unit came first.
    """
    table = read_table(path, diagnostics if diagnostics is not None else Diagnostics())
    frame = table.frame
    for column in ("unit_code", "unit_name", "tier"):
        if column not in frame.columns:
            raise InputError(f"thiếu cột bắt buộc {column!r}", path, 1, column)
    units: list[Unit] = []
    seen: dict[str, int] = {}
    spelled: dict[str, tuple[int, str]] = {}  # name_key → (line, unit)
    for position, row in enumerate(frame.to_dict("records")):  # in the file's order
        line = table.line(position)
        code, name, tier = nfc(row["unit_code"]), nfc(row["unit_name"]), nfc(row["tier"]).lower()
        if not name:
            raise InputError("thiếu tên đơn vị", path, line, "unit_name")
        if tier not in TIERS:
            raise InputError(f"cấp {tier!r} không hợp lệ (dùng: {', '.join(TIERS)})", path, line, "tier")
        if code.casefold() in seen:
            raise InputError(f"mã đơn vị {code!r} trùng với dòng {seen[code.casefold()]}", path, line, "unit_code")
        seen[code.casefold()] = line
        aliases = tuple(nfc(a) for a in str(row.get("aliases") or "").split("|") if nfc(a))
        for spelling, column in ((name, "unit_name"), *((a, "aliases") for a in aliases)):
            key = name_key(spelling)
            other = spelled.setdefault(key, (line, code or name))
            if other[1] != (code or name):
                raise InputError(
                    f"tên «{spelling}» đã dùng cho đơn vị «{other[1]}» ở dòng {other[0]}: "
                    "một tên hay tên khác chỉ được chỉ một đơn vị",
                    path,
                    line,
                    column,
                )
        units.append(Unit(code, name, tier, aliases))
    return Registry(units, str(path))


def params_registry(params: Params) -> Registry:
    """The registry of the params' ``inputs.units`` (empty without one), parsed once for each content
    of the file: every step of a report needs it (a bulletin's three), and parsing it costs a tenth of
    a second. The content is told by its SHA-256, as the manifest records it, not by the file's time
    and size, which a copy keeping times (``cp -p``, ``rsync -a``) or a coarse file system keeps.

    The registry is shared between the callers: none changes it. A registry whose province row names
    another province than the params is refused (``province`` key).
    """
    path = params.inputs.get("units")
    if path is None:
        return Registry()
    try:
        content = Path(path).read_bytes()
    except OSError:
        return load_registry(path)  # which names what is wrong
    registry = _registry_at(str(path), hashlib.sha256(content).hexdigest())
    for unit in registry.units:
        if unit.tier == "tinh":  # the registry's own province: another province's units name no row
            params.require_province_of(unit.name, path)
            break
    return registry


@functools.lru_cache(maxsize=8)
def _registry_at(path: str, _sha256: str) -> Registry:
    """:func:`load_registry`, remembered with the content it read."""
    return load_registry(path)
