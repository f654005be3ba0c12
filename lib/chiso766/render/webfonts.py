"""The pages' typeface: Tinos, the PDF's serif, as web fonts cut down to what Vietnamese text uses.

A page that names "Times New Roman" gets, on a Linux reader with Debian's Liberation Serif 1.07 (the
font its browser takes for Times New Roman), letters with no Vietnamese forms: each ệ, ư or ọ came from
another font, a word in two faces. The pages therefore carry their own face. The four faces are cut to
the characters of Vietnamese text, :data:`CHARACTERS` (about 13 KB each as WOFF) and shipped in ``fonts/web/``;
:func:`cut` makes them again from the TTF files (``python -m chiso766.render.webfonts``), and a test
checks the shipped files are what it makes.

>>> font_faces().count("@font-face")
4
"""

from __future__ import annotations

import base64
import io
from functools import lru_cache
from pathlib import Path

from chiso766.render.pdf import FONTS

__all__ = ["FAMILY", "CHARACTERS", "WEB_FONTS", "cut", "font_faces", "web_font"]

FAMILY = "Tinos"
WEB_FONTS = FONTS / "web"
# face → (CSS font-style, font-weight)
_FACES = {"Regular": ("normal", 400), "Bold": ("normal", 700), "Italic": ("italic", 400), "BoldItalic": ("italic", 700)}
# What Vietnamese text is written with: ASCII, Latin-1's signs (no letters but Vietnamese ones), the
# letters of the Vietnamese alphabet outside ASCII (ă â đ ê ô ơ ư, each tone mark on each vowel) and the
# punctuation and signs the documents use (– — ‘ ’ “ ” • … ₫ → − ≤ ≥). Any other character is drawn by
# the reader's own fonts (the rules name their range). Text is NFC, so no combining accent is needed.
CHARACTERS = frozenset(
    [chr(c) for c in range(0x20, 0x7F)]
    + [chr(c) for c in range(0xA0, 0xC0)]
    + list("×÷ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúýĂăĐđĨĩŨũƠơƯư")
    + [chr(c) for c in range(0x1EA0, 0x1EFA)]
    + list("–—‘’“”•…‰₫→−≤≥")
)


def _ranges(characters: frozenset[str]) -> list[tuple[int, int]]:
    """The characters as runs of consecutive code points, in order."""
    runs: list[tuple[int, int]] = []
    for code in sorted(map(ord, characters)):
        if runs and runs[-1][1] == code - 1:
            runs[-1] = (runs[-1][0], code)
        else:
            runs.append((code, code))
    return runs


def web_font(face: str) -> Path:
    """The shipped WOFF file of ``face`` (``Regular``, ``Bold``, ``Italic``, ``BoldItalic``)."""
    return WEB_FONTS / f"Tinos-{face}.woff"


def cut(face: str) -> bytes:
    """``fonts/Tinos-<face>.ttf`` cut to :data:`CHARACTERS` as WOFF: the same bytes every time."""
    from fontTools import subset  # a maintainer's step: fontTools (matplotlib's) is not loaded by a run
    from fontTools.ttLib import TTFont

    font = TTFont(str(FONTS / f"Tinos-{face}.ttf"), recalcTimestamp=False)
    options = subset.Options()
    options.layout_features = ["*"]
    options.hinting = False  # screens hint on their own; the outlines alone are half the size
    options.desubroutinize = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(map(ord, CHARACTERS)))
    subsetter.subset(font)
    font.flavor = "woff"
    out = io.BytesIO()
    font.save(out, reorderTables=True)
    return out.getvalue()


def _range(low: int, high: int) -> str:
    return f"U+{low:X}" if low == high else f"U+{low:X}-{high:X}"


@lru_cache(maxsize=1)
def font_faces() -> str:
    """The ``@font-face`` rules of the four faces, their files inlined (a page makes no request)."""
    ranges = ", ".join(_range(low, high) for low, high in _ranges(CHARACTERS))
    return "".join(
        f'@font-face {{ font-family: "{FAMILY}"; font-style: {style}; font-weight: {weight}; '
        f'unicode-range: {ranges}; src: url("data:font/woff;base64,'
        f'{base64.b64encode(web_font(face).read_bytes()).decode("ascii")}") format("woff"); }}\n'
        for face, (style, weight) in _FACES.items()
    )


def main() -> None:
    """Write the four faces into ``fonts/web/`` (after Tinos or :data:`CHARACTERS` change)."""
    WEB_FONTS.mkdir(exist_ok=True)
    for face in _FACES:
        web_font(face).write_bytes(cut(face))
        print(web_font(face))


if __name__ == "__main__":
    main()
