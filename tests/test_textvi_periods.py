"""Vietnamese text, periods and working days."""

from __future__ import annotations

import re
import sys
import unicodedata
from datetime import date
from decimal import Decimal

import pytest

from chiso766.core.periods import add_working_days, parse_period, working_days_between
from chiso766.core.textvi import fmt_count, fmt_fraction, fmt_number, fmt_percent, name_key, nfc


def test_number_formats_follow_vietnamese_conventions():
    assert fmt_number(Decimal("84.63")) == "84,63"
    assert fmt_count(50133) == "50.133"
    assert fmt_fraction(50133, 57219) == "50.133/57.219"
    assert fmt_percent(Decimal("87.6241"), 2) == "87,62%"
    assert fmt_number(Decimal("18.00")) == "18"
    assert fmt_number(Decimal("1234567.5")) == "1.234.567,5"
    assert fmt_number(None) == "—"


def test_nfc_and_name_keys():
    decomposed = unicodedata.normalize("NFD", "Sở Y tế")
    assert nfc(decomposed) == "Sở Y tế" and unicodedata.is_normalized("NFC", nfc(decomposed))
    assert name_key("Sở Văn hoá, Thể thao và Du lịch") == name_key("SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH")
    assert name_key("UBND xã Lâm Thao - Tỉnh Phú Thọ") == name_key("xã Lâm Thao")
    assert name_key("Thủy Nguyên") == name_key("Thuỷ Nguyên")
    assert name_key("Hoàng Văn Thụ") != name_key("Hoàn Văn Thụ")
    assert name_key("xã Hà Tây") != name_key("xã Hạ Tây")  # tones still distinguish names


def test_white_space_folds_as_a_regular_expression_would():
    """nfc folds white space with str.split(): the same characters as re's \\s, every one of them."""
    spaces = [chr(c) for c in range(sys.maxunicode + 1) if re.fullmatch(r"\s", chr(c))]
    assert spaces == [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]
    assert "\u00a0" in spaces and "\u3000" in spaces and "\u200b" not in spaces
    text = "".join(f"{s}Xã{s * 2}Minh Họa{s}" for s in spaces)
    assert nfc(text) == re.sub(r"\s+", " ", text).strip() == " ".join(["Xã Minh Họa"] * len(spaces))


@pytest.mark.parametrize("label, kind, start, end, previous", [
    ("2026-01", "month", date(2026, 1, 1), date(2026, 1, 31), "2025-12"),
    ("2024-02", "month", date(2024, 2, 1), date(2024, 2, 29), "2024-01"),
    ("2026-Q1", "quarter", date(2026, 1, 1), date(2026, 3, 31), "2025-Q4"),
    ("2026-Q3", "quarter", date(2026, 7, 1), date(2026, 9, 30), "2026-Q2"),
    ("2026", "year", date(2026, 1, 1), date(2026, 12, 31), "2025"),
    ("2025-09-12..2025-09-18", "range", date(2025, 9, 12), date(2025, 9, 18), "2025-09-05..2025-09-11"),
])
def test_periods(label, kind, start, end, previous):
    period = parse_period(label)
    assert (period.kind, period.start, period.end) == (kind, start, end)
    assert period.previous().label == previous


@pytest.mark.parametrize("bad", ["2026-13", "2026-Q5", "26-01", "2025-09-18..2025-09-12", "2025-02-30..2025-03-01", ""])
def test_malformed_periods_are_rejected(bad):
    with pytest.raises(ValueError):
        parse_period(bad)


def test_working_days_use_holidays_as_data():
    assert working_days_between(date(2025, 9, 1), date(2025, 9, 5)) == 3      # 1/9 and 2/9 off
    assert working_days_between(date(2025, 4, 21), date(2025, 4, 27)) == 6    # Saturday 26/4 made up
    assert add_working_days(date(2025, 8, 29), 1) == date(2025, 9, 3)
    assert add_working_days(date(2025, 9, 3), -1) == date(2025, 8, 29)
    assert parse_period("2026-Q1").describe_vi() == "quý I/2026"


def test_a_table_cell_is_written_as_its_kind_says_whatever_came_before():
    """Cells are written once per kind, type and value (a bulletin repeats most numbers): equal values
    of other types, written earlier, do not stand in for them."""
    from chiso766.report.model import fmt_cell

    cells = [(Decimal("84.63"), "points"), (Decimal("9.90"), "rate"), (50133, "count"), (2.0, "rank"),
             (True, "count"), (1, "count"), (Decimal("1.00"), "points"), (float("nan"), "rate"), (None, "points"),
             ("Xã Yên Phú", "text"), (Decimal("1.5"), "text"), (Decimal("0.125"), "rate"), ([1], "text")]
    expected = ["84,63", "9,9", "50.133", "2", "—", "1", "1", "—", "—", "Xã Yên Phú", "1.5", "0,13", "[1]"]
    assert [fmt_cell(v, k) for v, k in cells] == expected
    assert [fmt_cell(v, k) for v, k in reversed(cells)] == expected[::-1]  # again, from the memory
