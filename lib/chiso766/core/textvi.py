"""Vietnamese text: NFC normalisation, matching keys for names, and number and date formats.

Every string that enters the project goes through :func:`nfc`; every number a reader sees goes
through :func:`fmt_number` (decimal comma, thousands dot). Numbers and dates are written by babel
with the Vietnamese locale's symbols (CLDR), not by hand.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext

from babel import Locale
from babel.dates import format_date
from babel.numbers import NumberPattern, parse_pattern

from chiso766.core.decimals import round_half_up, to_decimal

__all__ = [
    "nfc",
    "name_key",
    "loose_name_key",
    "fold",
    "fmt_number",
    "fmt_points",
    "fmt_percent",
    "fmt_count",
    "capitalized",
    "fmt_date",
    "fmt_fraction",
    "in_sentence",
]

_VI = Locale.parse("vi")

# Old-style tone placement on an open syllable ("hoá", "thuỷ") against the new style ("hóa",
# "thủy"): both are correct Vietnamese and both appear in official names, so matching must treat
# them as one.
_TONES = "\u0300\u0301\u0303\u0309\u0323"
_OLD_STYLE = re.compile(r"([oOuU])([aAeEyY])([" + _TONES + r"])(?![\w])")
# compiled once: name keys are made for every name the inputs hold
_PROVINCE_SUFFIX = re.compile(r"\s+-\s+(tỉnh|thành phố|tp\.?)\s.*$", re.IGNORECASE)
_UBND_PREFIX = re.compile(r"^(ubnd|ủy ban nhân dân|uỷ ban nhân dân)\s+")
_PUNCTUATION = re.compile(r"[^\w\s]")
# The words naming an administrative level before a place's name: common nouns, written in lower
# case within a sentence (NĐ 30/2020, Phụ lục II, mục II.2.a: "tỉnh Nam Định", "xã Ba Lòng"); a
# registry writes them capitalised, as a name standing alone. "Thành phố Hồ Chí Minh" is the
# decree's exception (mục II.2.c), and keeps its capital.
_LEVEL_WORD = re.compile(r"^(Xã|Phường|Đặc khu|Thị trấn|Thị xã|Huyện|Quận|Tỉnh|Thành phố)(?= )(?! Hồ Chí Minh)")


def nfc(text: object) -> str:
    """Return ``text`` as an NFC string with inner white space folded and ends trimmed.

    Examples
    --------
    >>> nfc("Ho\u0300a  Bi\u0300nh ") == "Hòa Bình"
    True
    """
    if text is None:
        return ""
    # str.split() splits at exactly the white space of re's \s (tested), at a third of its time:
    # nfc runs tens of thousands of times a bulletin (every name the inputs hold)
    return _folded(unicodedata.normalize("NFC", str(text)))


def _folded(text: str) -> str:
    """``text`` with each run of white space one space, and none at its ends."""
    return " ".join(text.split())


def _new_style_tones(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", _OLD_STYLE.sub(r"\1\3\2", decomposed))


def name_key(name: object) -> str:
    """A key under which spellings of one unit's name compare equal.

    Case, spacing, punctuation and old- or new-style tone placement do not matter; the
    administrative prefix "UBND" and a trailing " - Tỉnh X" / " - Thành phố X" are dropped.

    Examples
    --------
    >>> name_key("Sở Văn hoá, Thể thao và Du lịch") == name_key("Sở Văn hóa, Thể thao và Du lịch")
    True
    >>> name_key("UBND xã Lâm Thao - Tỉnh Phú Thọ") == name_key("Xã Lâm Thao")
    True
    """
    text = nfc(name)
    text = _PROVINCE_SUFFIX.sub("", text)
    text = _new_style_tones(text).casefold()
    text = _UBND_PREFIX.sub("", _new_style_tones(text))
    return _folded(_PUNCTUATION.sub(" ", text))


def loose_name_key(name: object) -> str:
    """:func:`name_key` without the unit type (xã, phường, đặc khu, thị trấn).

    Examples
    --------
    >>> loose_name_key("Lâm Thao - Tỉnh Phú Thọ") == loose_name_key("UBND xã Lâm Thao")
    True
    """
    return re.sub(r"^(xã|phường|đặc khu|thị trấn)\s+", "", name_key(name))


def fold(text: object) -> str:
    """Lower-case ASCII with diacritics and punctuation removed, for matching column headers.

    Examples
    --------
    >>> fold("Tỷ lệ (%) – Đơn vị")
    'ty le don vi'
    """
    decomposed = unicodedata.normalize("NFD", nfc(text).replace("đ", "d").replace("Đ", "D"))
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _folded(re.sub(r"[^a-z0-9]+", " ", ascii_text.lower()))


def fmt_number(value: object, places: int | None = None, *, trim: bool = True) -> str:
    """Format a number the Vietnamese way: ``50.133``, ``84,63``.

    ``places`` rounds half-up first; ``trim`` drops trailing zeros (``18,00`` → ``18``), as the
    reference bulletins print points. Missing prints as an em dash, never as 0.

    Examples
    --------
    >>> fmt_number(Decimal("84.63")), fmt_number(50133), fmt_number(Decimal("9.90"), 2, trim=False)
    ('84,63', '50.133', '9,90')
    """
    number = to_decimal(value)
    if number is None:
        return "—"
    if places is not None:
        number = round_half_up(number, places)
    if trim and number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    elif trim:
        number = number.normalize()
    if number.is_zero():
        number = abs(number)  # -0 and -0,00 (a small negative rounded) print without a sign
    return _written(str(number))


@functools.lru_cache(maxsize=8192)
def _written(text: str) -> str:
    """A finite decimal (its ``str``, so that 1.0 and 1.00 stay apart) as babel writes it in Vietnamese.

    A bulletin writes some 20 000 numbers, most of them many times over: each is formatted once.
    """
    number = Decimal(text)
    digits = max(0, -number.as_tuple().exponent)  # type: ignore[operator]  # finite: an int
    # The pattern shows exactly the digits the number has, so babel rounds nothing; the context is
    # wide enough for any number and rounds half-up, as everything here does.
    with localcontext(prec=max(28, number.adjusted() + digits + 2), rounding=ROUND_HALF_UP):
        return str(_pattern(digits).apply(number, _VI))


@functools.cache
def _pattern(digits: int) -> NumberPattern:
    """``#,##0`` with ``digits`` decimals: groups of three, the locale's separators."""
    return parse_pattern("#,##0" + ("." + "0" * digits if digits else ""))


def fmt_points(value: object) -> str:
    """Points as bulletins print them: at most 2 decimals, trailing zeros dropped (``17,2``)."""
    return fmt_number(value, 2)


def fmt_percent(value: object, places: int = 2, *, sign: bool = True) -> str:
    """A rate in percent as the notices print it: ``87,62%``, ``90,20%``, but ``100%``.

    Examples
    --------
    >>> fmt_percent(Decimal("90.2")), fmt_percent(Decimal("100.00")), fmt_percent(None)
    ('90,20%', '100%', '—')
    """
    number = to_decimal(value)
    if number is None:
        return "—"
    number = round_half_up(number, places)
    text = fmt_number(number) if number == number.to_integral_value() else fmt_number(number, places, trim=False)
    return f"{text}%" if sign else text


def fmt_count(value: object) -> str:
    """A count with thousands dots: ``57.219``."""
    return fmt_number(value, 0)


def fmt_fraction(numerator: object, denominator: object) -> str:
    """``50.133/57.219``."""
    return f"{fmt_count(numerator)}/{fmt_count(denominator)}"


def in_sentence(name: str) -> str:
    """A place's name as running text writes it after the sentence's first word: its level word in
    lower case (a ministry's or department's name is left as it is).

    Examples
    --------
    >>> in_sentence("Xã An Phú"), in_sentence("Sở Y tế"), in_sentence("Thành phố Hồ Chí Minh")
    ('xã An Phú', 'Sở Y tế', 'Thành phố Hồ Chí Minh')
    """
    return _LEVEL_WORD.sub(lambda match: match[1].lower(), name, count=1)


def capitalized(text: str) -> str:
    """``text`` as a sentence or a title starts it: its first letter in upper case, the rest as it is.

    Examples
    --------
    >>> capitalized("xã, phường"), capitalized("tháng 08/2026"), capitalized("")
    ('Xã, phường', 'Tháng 08/2026', '')
    """
    return text[:1].upper() + text[1:]


def fmt_date(day: date) -> str:
    """``07/10/2025``, the date as Vietnamese documents write it.

    Examples
    --------
    >>> fmt_date(date(2025, 10, 7))
    '07/10/2025'
    """
    return format_date(day, "dd/MM/yyyy", locale=_VI)
