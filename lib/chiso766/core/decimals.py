"""Exact decimal helpers: every score is computed on exact rationals and rounded half-up."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

__all__ = ["to_decimal", "round_half_up", "fmt_plain"]

_QUANTA = {places: Decimal(1).scaleb(-places) for places in range(7)}
_SAFE_DIGITS = 25  # below the default context's 28 significant digits
_CENT = _QUANTA[2]


def to_decimal(value: object) -> Decimal | None:
    """Convert a count, a rate or a score to `Decimal`, keeping missing as ``None``.

    Floats go through ``repr`` so that ``14.81`` stays ``Decimal('14.81')`` and never becomes
    the binary expansion ``14.8100000000000004973799150320701301097869873046875``.

    Examples
    --------
    >>> to_decimal(14.81), to_decimal(None), to_decimal("")
    (Decimal('14.81'), None, None)
    """
    # most frequent first: a province converts thousands of portal scores (floats) and counts
    if value is None:
        return None
    if isinstance(value, float):
        if value != value:  # NaN is how pandas spells missing
            return None
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return None if isinstance(value, bool) else Decimal(value)
    text = str(value).strip()
    if not text or text.lower() in {"nan", "none", "null"}:
        return None
    try:
        return Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(f"not a number: {value!r}") from exc


def round_half_up(value: Decimal, places: int = 2) -> Decimal:
    """Round half away from zero at ``places`` decimals, as the portal does.

    Examples
    --------
    >>> round_half_up(Decimal("14.808")), round_half_up(Decimal("16.45"), 1)
    (Decimal('14.81'), Decimal('16.5'))
    """
    # The rounding is passed by position: given by keyword, its parsing costs as much as the rounding.
    if places == 2 and value.adjusted() < _SAFE_DIGITS:  # points and rates: thousands a province, keep it short
        return value.quantize(_CENT, ROUND_HALF_UP)
    quantum = _QUANTA.get(places) or Decimal(1).scaleb(-places)
    if value.adjusted() + places < _SAFE_DIGITS:  # no context to set up
        return value.quantize(quantum, ROUND_HALF_UP)
    with localcontext() as ctx:
        ctx.prec = 50  # a huge value still rounds instead of raising InvalidOperation
        return value.quantize(quantum, ROUND_HALF_UP)


def fmt_plain(value: Decimal | None) -> str:
    """Machine format for CSV: ``.`` decimals, no exponent, no trailing zeros, '' for missing.

    Examples
    --------
    >>> fmt_plain(Decimal("18.00")), fmt_plain(Decimal("8.230")), fmt_plain(None)
    ('18', '8.23', '')
    """
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return "0" if text in {"-0", "0"} else text
