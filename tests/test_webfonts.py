"""The pages' own typeface (Tinos cut to Vietnamese text): the shipped files are what the cut makes,
and every character the documents' fixed words use is in it."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from chiso766.render.webfonts import CHARACTERS, cut, font_faces, web_font

ROOT = Path(__file__).resolve().parents[1]
WORDS = ROOT / "lib" / "chiso766"


@pytest.mark.parametrize("face", ["Regular", "Bold", "Italic", "BoldItalic"])
def test_the_shipped_faces_are_the_cut_of_the_package_fonts(face: str) -> None:
    assert web_font(face).read_bytes() == cut(face)


def test_every_letter_of_the_fixed_wording_is_in_the_face() -> None:
    """The wording (report/*.yaml), the pages' templates, the document's fixed lines, the data's names
    and the Vietnamese strings of the code that writes documents."""
    files = [*(WORDS / "report").glob("*.yaml"), *(WORDS / "render" / "templates" / "html").glob("*.j2")]
    files += [WORDS / "render" / "templates" / "common" / "nd30.json", *(WORDS / "core" / "data").glob("*.csv")]
    files += [*(WORDS / "report").glob("*.py"), WORDS / "core" / "methodology.py", WORDS / "core" / "textvi.py"]
    text = "".join(unicodedata.normalize("NFC", path.read_text(encoding="utf-8")) for path in files)
    used = {c for c in text if c.isprintable()}
    assert sorted(used - CHARACTERS) == []


def test_the_rules_name_each_face_once_and_make_no_request() -> None:
    rules = font_faces()
    assert rules.count("@font-face") == 4 and rules.count("url(") == 4
    assert rules.count('url("data:font/woff;base64,') == 4
    assert "font-style: italic; font-weight: 700" in rules and "U+1EA0-1EF9" in rules
