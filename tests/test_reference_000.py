"""Acceptance: reference bulletin 000 (Hải Phòng, as of 07/10/2025) from the rates it prints."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from chiso766.core.methodology import load
from chiso766.compute.ranking import competition_rank
from chiso766.compute.scoring import points_from_rate, total_points
from chiso766.core.textvi import name_key

from .conftest import BULLETINS

V2025 = load("2025")
HEADINGS = [("a) Nhóm chỉ tiêu Công khai", "cong_khai"), ("b) Nhóm chỉ tiêu Tiến độ", "tien_do"),
            ("c) Nhóm chỉ tiêu Dịch vụ công", "truc_tuyen"), ("d) Nhóm chỉ tiêu Thanh toán", "thanh_toan"),
            ("đ) Nhóm chỉ tiêu số hóa", "so_hoa"), ("e) Nhóm chỉ tiêu mức độ hài lòng", "hai_long")]
ROW = re.compile(r"^\s*(\d+)\s+(.+?)\s+(\d+(?:,\d+)?)\s+(\d+(?:,\d+)?)\s*$")


def _num(text: str) -> Decimal:
    return Decimal(text.replace(",", "."))


@pytest.fixture(scope="module")
def bulletin() -> dict:
    text = (BULLETINS / "000_b12d235a1c1904be.txt").read_text(encoding="utf-8")
    rates: dict[str, dict[str, tuple[Decimal, Decimal]]] = {}
    names: dict[str, str] = {}
    group = None
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("II. TỒN TẠI"):
            break
        group = next((g for head, g in HEADINGS if line.startswith(head)), group)
        match = ROW.match(line)
        if group and match:
            key = name_key(match[2])
            if key.startswith("ban quản lý khu kinh tế"):
                key = "ban quản lý khu kinh tế"  # printed with and without "Hải Phòng"
            names.setdefault(key, match[2])
            rates.setdefault(key, {})[group] = (_num(match[3]), _num(match[4]))
    city = {}
    for label, key in [("Công khai, minh bạch", "cong_khai"), ("Tiến độ giải quyết", "tien_do"),
                       ("Dịch vụ công trực tuyến", "truc_tuyen"), ("Thanh toán trực tuyến", "thanh_toan"),
                       ("Số hóa hồ sơ, kết quả", "so_hoa"), ("Mức độ hài lòng", "hai_long")]:
        city[key] = _num(re.search(rf"\d {re.escape(label)} \d+ (\d+(?:,\d+)?)", text)[1])
    lowest = [(name_key(m[1]), _num(m[2]), int(m[3]))
              for m in re.finditer(r"\+ (.+?)(?: đạt)?: (\d+,\d+)/100 điểm, xếp thứ (\d+)/11", text)]
    city_total = _num(re.search(r"đạt (\d+,\d+) điểm", text)[1])
    return {"rates": rates, "names": names, "city": city, "lowest": lowest, "city_total": city_total}


def test_all_66_printed_points_follow_the_2025_rule(bulletin):
    checked = 0
    for unit, groups in bulletin["rates"].items():
        assert len(groups) == 6, unit
        for group, (group_rate, printed) in groups.items():
            assert points_from_rate(group_rate, V2025.group(group)) == printed, (unit, group)
            checked += 1
    assert checked == 66


def test_five_lowest_totals_and_their_order(bulletin):
    totals = {unit: total_points({g: points_from_rate(r, V2025.group(g)) for g, (r, _) in groups.items()}, V2025)
              for unit, groups in bulletin["rates"].items()}
    ranks = dict(zip(totals, competition_rank(list(totals.values()))))
    assert [(u, t) for u, t, _ in bulletin["lowest"]] == [
        (name_key("Sở Y tế"), Decimal("63.74")), (name_key("Sở Nông nghiệp và Môi trường"), Decimal("67.88")),
        (name_key("Sở Khoa học và Công nghệ"), Decimal("68.32")), (name_key("Sở Giáo dục và Đào tạo"), Decimal("69.22")),
        (name_key("Sở Nội vụ"), Decimal("76.95"))]
    for unit, total, rank in bulletin["lowest"]:
        assert totals[unit] == total
        assert ranks[unit] == rank
    bottom_five = sorted(totals, key=totals.get)[:5]
    assert bottom_five == [u for u, _, _ in bulletin["lowest"]]


def test_city_total(bulletin):
    assert total_points(bulletin["city"], V2025) == bulletin["city_total"] == Decimal("84.63")
