"""Vietnamese sentences from computed values, with phrasings read from an editable YAML file."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from chiso766.core.periods import Period
from chiso766.core.textvi import capitalized, fmt_date, fmt_number, fmt_points, in_sentence

__all__ = ["phrasings", "wording_file", "tier_plural", "join_names", "headline", "when_phrase", "fill", "place_date"]

_TIER_PLURAL = {"so": "sở, ban, ngành", "xa": "xã, phường, đặc khu", "tinh": "tỉnh, thành phố"}


# libyaml's safe loader where PyYAML was built with it: the same documents, ten times quicker
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@lru_cache(maxsize=8)
def _parsed(text: str) -> dict[str, Any]:
    """A wording file's YAML, parsed once for each text: an edited file is parsed again."""
    data: dict[str, Any] = yaml.load(text, Loader=_LOADER)
    return data


@lru_cache(maxsize=8)
def wording_file(name: str) -> dict[str, Any]:
    """A wording file of the package, ``report/<name>`` (a report kind's own, or the shared phrasings),
    read once: package data does not change."""
    return _parsed(resources.files("chiso766.report").joinpath(name).read_text(encoding="utf-8"))


def phrasings(path: str | Path | None = None) -> dict[str, Any]:
    """The phrasings: the package's ``phrasings.yaml``, or a file named in params."""
    return _parsed(Path(path).read_text(encoding="utf-8")) if path else wording_file("phrasings.yaml")


def fill(template: str, **values: object) -> str:
    return template.format(**{k: "" if v is None else v for k, v in values.items()})


def tier_plural(tier: str) -> str:
    return _TIER_PLURAL.get(tier, "đơn vị")


def join_names(names: Sequence[str], sep: str = ", ") -> str:
    """Names (or items that start with one) as a list in a sentence: the first as the registry writes
    it, each after it with its level word in lower case, as the reference notices list them.

    Examples
    --------
    >>> join_names(["Phường Đông Hải (32,86%)", "Xã An Phú (42,70%)", "Sở Công Thương (25%)"])
    'Phường Đông Hải (32,86%), xã An Phú (42,70%), Sở Công Thương (25%)'
    """
    return sep.join([*names[:1], *(in_sentence(name) for name in names[1:])])


def when_phrase(period: Period, as_of: date) -> str:
    """How a sentence dates its figures: ``Tính đến ngày 07/10/2025`` while the period runs, else
    the period itself (``Tháng 08/2026``, ``Quý III/2026``, ``Năm 2025``).

    Examples
    --------
    >>> from chiso766.core.periods import parse_period
    >>> when_phrase(parse_period("2025"), date(2025, 10, 7)), when_phrase(parse_period("2026-08"), date(2026, 9, 26))
    ('Tính đến ngày 07/10/2025', 'Tháng 08/2026')
    """
    if as_of < period.end:
        return f"Tính đến ngày {fmt_date(as_of)}"
    return capitalized(period.describe_vi())


def headline(
    province_name: str,
    when: str,
    total: object,
    rank: int | None,
    of: int | None,
    change: Decimal | None = None,
    previous_label: str = "",
) -> str:
    """The bulletin's first sentence, in the register of the reference reports.

    Examples
    --------
    >>> from decimal import Decimal
    >>> headline("Thành phố Hải Phòng", "Tính đến ngày 07/10/2025", Decimal("84.63"), 26, 34)
    'Tính đến ngày 07/10/2025, Thành phố Hải Phòng đạt 84,63 điểm, xếp hạng 26/34 tỉnh, thành phố.'
    """
    if total is None:
        return f"{when}, {province_name} chưa có đủ dữ liệu của sáu nhóm chỉ số để tính tổng điểm."
    text = f"{when}, {province_name} đạt {fmt_points(total)} điểm"
    if rank is not None and of:
        text += f", xếp hạng {rank}/{of} tỉnh, thành phố"
    if change is not None:
        word = "tăng" if change > 0 else ("giảm" if change < 0 else "không đổi")
        amount = "" if change == 0 else f" {fmt_number(abs(change), 2)} điểm"
        text += f" ({word}{amount} so với {previous_label})" if previous_label else f" ({word}{amount})"
    return text + "."


def place_date(place: str, day: date | None, year: int) -> str:
    """``Hải Phòng, ngày 09 tháng 10 năm 2025``; blanks to fill by hand when the date is not set.

    Examples
    --------
    >>> place_date("Hải Phòng", date(2025, 10, 9), 2025)
    'Hải Phòng, ngày 09 tháng 10 năm 2025'
    >>> place_date("Phú Thọ", None, 2026)
    'Phú Thọ, ngày      tháng      năm 2026'
    """
    prefix = f"{place}, " if place else ""
    if day is None:
        return f"{prefix}ngày      tháng      năm {year}"
    return f"{prefix}ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"
