"""Periods (month, quarter, year, date range), as-of dates and working days.

Public holidays are data (``data/holidays_vn.csv``), with make-up working days, never code.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta, timezone
from functools import lru_cache
from typing import Literal

from chiso766.core.datafiles import data_rows

__all__ = [
    "VIETNAM",
    "Period",
    "parse_period",
    "holidays",
    "is_working_day",
    "working_days_between",
    "add_working_days",
]

Kind = Literal["month", "quarter", "year", "range"]

# Vietnam keeps one offset all year (no daylight saving): the day a moment falls on is read in it.
VIETNAM = timezone(timedelta(hours=7))


@dataclass(frozen=True)
class Period:
    """An inclusive range of dates with the label it was written with in params."""

    kind: Kind
    start: date
    end: date
    label: str

    @property
    def slug(self) -> str:
        """The period as an output folder name (CONTRACT: ``..`` becomes ``_``)."""
        return self.label.replace("..", "_")

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def previous(self) -> Period:
        """The period of the same kind just before this one (a range: the same length before).

        Examples
        --------
        >>> parse_period("2026-01").previous().label, parse_period("2026-Q1").previous().label
        ('2025-12', '2025-Q4')
        """
        if self.kind == "month":
            prev_end = self.start - timedelta(days=1)
            return parse_period(f"{prev_end.year}-{prev_end.month:02d}")
        if self.kind == "quarter":
            prev_end = self.start - timedelta(days=1)
            return parse_period(f"{prev_end.year}-Q{(prev_end.month - 1) // 3 + 1}")
        if self.kind == "year":
            return parse_period(str(self.start.year - 1))
        length = (self.end - self.start).days + 1
        start, end = self.start - timedelta(days=length), self.start - timedelta(days=1)
        return parse_period(f"{start.isoformat()}..{end.isoformat()}")

    def describe_vi(self) -> str:
        """``tháng 01/2026``, ``quý I/2026``, ``năm 2026``, ``từ ngày 12/9/2025 đến ngày 18/9/2025``."""
        if self.kind == "month":
            return f"tháng {self.start.month:02d}/{self.start.year}"
        if self.kind == "quarter":
            roman = ("I", "II", "III", "IV")[(self.start.month - 1) // 3]
            return f"quý {roman}/{self.start.year}"
        if self.kind == "year":
            return f"năm {self.start.year}"
        return (
            f"từ ngày {self.start.day}/{self.start.month}/{self.start.year} "
            f"đến ngày {self.end.day}/{self.end.month}/{self.end.year}"
        )


_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")


def parse_period(text: object) -> Period:
    """Parse ``2026-01``, ``2026-Q1``, ``2026`` or ``2025-09-12..2025-09-18``.

    Examples
    --------
    >>> p = parse_period("2025-09-12..2025-09-18"); (p.kind, p.start.day, p.end.day, p.slug)
    ('range', 12, 18, '2025-09-12_2025-09-18')
    """
    label = str(text).strip()
    if m := _MONTH.match(label):
        year, month = int(m[1]), int(m[2])
        if not 1 <= month <= 12:
            raise ValueError(f"tháng {month} không hợp lệ trong kỳ {label!r}")
        last = calendar.monthrange(year, month)[1]
        return Period("month", date(year, month, 1), date(year, month, last), label)
    if m := _QUARTER.match(label):
        year, quarter = int(m[1]), int(m[2])
        first = 3 * (quarter - 1) + 1
        last = calendar.monthrange(year, first + 2)[1]
        return Period("quarter", date(year, first, 1), date(year, first + 2, last), label.upper())
    if m := _YEAR.match(label):
        year = int(m[1])
        return Period("year", date(year, 1, 1), date(year, 12, 31), label)
    if m := _RANGE.match(label):
        try:
            start, end = date.fromisoformat(m[1]), date.fromisoformat(m[2])
        except ValueError as exc:
            # Python says why in English ("day is out of range for month"): the dates say it plainly
            raise ValueError(f"kỳ {label!r} có ngày không hợp lệ (không có trên lịch)") from exc
        if end < start:
            raise ValueError(f"kỳ {label!r} kết thúc trước khi bắt đầu")
        return Period("range", start, end, label)
    raise ValueError(
        f"kỳ {label!r} không đúng dạng: dùng 2026-01 (tháng), 2026-Q1 (quý), 2026 (năm) "
        "hoặc 2025-09-12..2025-09-18 (khoảng ngày)"
    )


@lru_cache(maxsize=1)
def _calendar() -> tuple[frozenset[date], frozenset[date]]:
    rows = data_rows("holidays_vn.csv")
    off = frozenset(date.fromisoformat(r["date"]) for r in rows if r["kind"] == "holiday")
    makeup = frozenset(date.fromisoformat(r["date"]) for r in rows if r["kind"] == "makeup_workday")
    return off, makeup


def holidays() -> frozenset[date]:
    """Public holidays (days off that fall on a weekday or were moved)."""
    return _calendar()[0]


def is_working_day(day: date) -> bool:
    """Monday to Friday, except public holidays; a make-up Saturday is a working day.

    Examples
    --------
    >>> is_working_day(date(2025, 9, 2)), is_working_day(date(2025, 4, 26))
    (False, True)
    """
    off, makeup = _calendar()
    if day in makeup:
        return True
    return day.weekday() < 5 and day not in off


def working_days_between(start: date, end: date) -> int:
    """Working days in the inclusive range ``start..end`` (0 when ``end`` is before ``start``)."""
    count, day = 0, start
    while day <= end:
        count += is_working_day(day)
        day += timedelta(days=1)
    return count


def add_working_days(day: date, days: int) -> date:
    """The date ``days`` working days after (or before, if negative) ``day``.

    Examples
    --------
    >>> add_working_days(date(2025, 8, 29), 1)   # Friday; Monday 1/9 and Tuesday 2/9 are holidays
    datetime.date(2025, 9, 3)
    """
    step = 1 if days >= 0 else -1
    remaining = abs(days)
    while remaining:
        day += timedelta(days=step)
        remaining -= is_working_day(day)
    return day
