"""Targets (chỉ tiêu giao) written in params as ``">=60"``, ``"=100"`` or ``"<=5"``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

__all__ = ["Target", "parse_target"]

_OPS = {">=": "≥", ">": ">", "=": "=", "<=": "≤", "<": "<"}


@dataclass(frozen=True)
class Target:
    op: str
    value: Decimal

    def meets(self, rate: Decimal | None) -> bool | None:
        """Whether ``rate`` meets the target; ``None`` when the rate is missing.

        Examples
        --------
        >>> parse_target(">=60").meets(Decimal("59.99")), parse_target("=100").meets(Decimal(100))
        (False, True)
        """
        if rate is None:
            return None
        return {
            ">=": rate >= self.value,
            ">": rate > self.value,
            "=": rate == self.value,
            "<=": rate <= self.value,
            "<": rate < self.value,
        }[self.op]

    def gap(self, rate: Decimal) -> Decimal:
        """How far ``rate`` falls short (0 when it meets the target)."""
        if self.meets(rate):
            return Decimal(0)
        return abs(self.value - rate)

    def label(self, unit: str = "%") -> str:
        """``≥ 60%``, ``= 100%``."""
        # Vietnamese number formatting (babel) is imported by the texts that print a target, not by
        # the indicators, which only compare rates with it
        from chiso766.core.textvi import fmt_number

        return f"{_OPS[self.op]} {fmt_number(self.value)}{unit}"

    def __str__(self) -> str:
        return f"{self.op}{self.value}"


def parse_target(text: object) -> Target:
    """Parse ``">=60"``, ``"≥ 60"``, ``"=100"``, ``60`` (means ``>=60``).

    Examples
    --------
    >>> parse_target("≥ 60%").label(), parse_target(100).label()
    ('≥ 60%', '≥ 100%')
    """
    raw = str(text).strip().replace("≥", ">=").replace("≤", "<=").rstrip("%").strip()
    match = re.fullmatch(r"(>=|<=|>|<|=)?\s*(\d+(?:[.,]\d+)?)", raw)
    if not match:
        raise ValueError(f"chỉ tiêu «{text}» không đúng dạng (ví dụ: >=60, =100, <=5)")
    return Target(match[1] or ">=", Decimal(match[2].replace(",", ".")))
