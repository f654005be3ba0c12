"""One unit's period report: the portal's rank kept as given, no rank from fewer units than the portal
ranked, the message (total and rank over the dates, points lost, band), the officer's words, the PDF."""

from __future__ import annotations

import re
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from chiso766.compute.scoring import grade
from chiso766.core.dashboard import grade_bands
from chiso766.publish.runner import run
from chiso766.report import unit_report
from chiso766.report.outline import Bullets, Document, Heading, Paragraph, Table

ROOT = Path(__file__).resolve().parents[1]
WARD = ROOT / "params" / "unit_report" / "2026-Q2-phuong-mau-son.yaml"
VIET_TRI = ROOT / "params" / "unit_report" / "2026-Q3.yaml"
PHU_THO = ROOT / "data" / "samples" / "phu-tho"
HEADER = "unit_name,tier,as_of,cong_khai,tien_do,truc_tuyen,thanh_toan,hai_long,so_hoa,total"
ONE_OF_ONE = re.compile(r"(?<![\d,])1/1(?![\d,])")  # "xếp thứ 1/1", not "6,1/10 điểm"
GROUPS = "14.20,17.10,8.40,6.10,16.90,11.80"  # 74.50


def _params(tmp_path: Path, rows: list[str], header: str = HEADER, period: str = "2026-Q2", extra: str = "") -> Path:
    scores = tmp_path / "scores.csv"
    scores.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    path = tmp_path / "params.yaml"
    path.write_text(
        f"report: unit_report\nperiod: {period}\nprovince: Tỉnh Mẫu\nunit: Phường Mẫu Sơn\n"
        f"inputs:\n  scores: {scores}\n{extra}",
        encoding="utf-8",
    )
    return path


def _registry(tmp_path: Path, names: list[str]) -> str:
    units = tmp_path / "units.csv"
    units.write_text(
        "unit_code,unit_name,tier,aliases\n" + "".join(f"X{i},{n},xa,\n" for i, n in enumerate(names)),
        encoding="utf-8",
    )
    return f"  units: {units}\n"


def _build(path: Path) -> tuple[unit_report.UnitReport, Document]:
    report = unit_report.build(path)
    return report, unit_report.outline(report)


def _printed(doc: Document) -> list[str]:
    """Every sentence and table cell the signed PDF prints."""
    texts = [doc.title, doc.subtitle, doc.closing]
    for section in doc.sections:
        if not section.pdf:
            continue
        texts.append(section.title)
        for block in section.blocks:
            if isinstance(block, (Paragraph, Heading)):
                texts.append(block.text)
            elif isinstance(block, Bullets):
                texts.extend(block.items)
            elif isinstance(block, Table):
                texts += [block.caption, *block.columns, *(cell for row in block.rows for cell in row)]
    return texts


def _sentences(doc: Document) -> list[str]:
    return [
        t
        for s in doc.sections
        if s.pdf
        for b in s.blocks
        if isinstance(b, (Paragraph, Bullets))
        for t in (b.items if isinstance(b, Bullets) else [b.text])
    ]


# The portal's rank, kept -------------------------------------------------------------------------


def test_given_ranks_are_kept_at_every_date() -> None:
    report, doc = _build(WARD)
    assert list(report.history["rank"]) == [40, 43, 46]
    assert set(report.history["rank_source"]) == {"portal"}
    scores = next(t for t in doc.tables() if t.name == "unit_scores")
    assert scores.columns[-1] == "Thứ hạng" and [row[-1] for row in scores.rows] == ["40", "43", "46"]
    # how many wards the portal ranked is not in the input: the rank stands alone, never "46/…" or "1/1"
    assert "xếp thứ 46 trong các xã, phường, đặc khu của tỉnh." in " ".join(_sentences(doc))
    assert not any(re.search(r"(?<![\d,])\d+/1(?![\d,])", t) for t in _printed(doc))
    machine = report.tables.tables["unit_scores"]
    assert list(machine["rank"]) == [40, 43, 46] and all(o is None for o in machine["rank_of"])


def test_a_given_rank_is_kept_even_where_the_table_would_rank_it_otherwise(tmp_path: Path) -> None:
    names = ["Phường Mẫu Sơn", "Phường Đông", "Xã Tây"]
    rows = [
        "Phường Mẫu Sơn,xa,2026-06-30,14.20,17.10,8.40,6.10,16.90,11.80,74.50,3",
        "Phường Đông,xa,2026-06-30,10,10,5,5,10,10,50,1",
        "Xã Tây,xa,2026-06-30,10,10,5,5,10,9,49,2",
    ]
    path = _params(tmp_path, rows, HEADER + ",rank", extra=_registry(tmp_path, names))
    report, doc = _build(path)
    latest = report.history.iloc[-1]
    # every registered ward is in the table: the number ranked is known; the portal's rank stays 3
    assert (latest["rank"], latest["rank_of"], latest["rank_computed"]) == (3, 3, 1)
    assert "xếp thứ 3/3 xã, phường của tỉnh" in " ".join(_sentences(doc))
    notes = next(s for s in doc.sections if s.id == "ghi-chu-so-lieu")
    assert not notes.pdf
    assert any("thứ hạng của Cổng là 3" in item for b in notes.blocks if isinstance(b, Bullets) for item in b.items)


def test_no_rank_from_fewer_units_than_the_portal_ranked(tmp_path: Path) -> None:
    rows = [
        f"Phường Mẫu Sơn,xa,2026-06-30,{GROUPS},74.50",
        "Phường Đông,xa,2026-06-30,10,10,5,5,10,10,50",
    ]
    # two wards of a province that registers three: ranking them would print "1/2"
    path = _params(tmp_path, rows, extra=_registry(tmp_path, ["Phường Mẫu Sơn", "Phường Đông", "Xã Tây"]))
    report, doc = _build(path)
    assert report.history.iloc[-1]["rank"] is None
    assert not any("xếp thứ" in t or "Thứ hạng" in t for t in _printed(doc))
    assert "unit_group_ranks" not in [t.name for t in doc.tables()]
    # the unit alone, no registry: no "xếp thứ 1/1" and no table of group ranks filled with 1s
    report, doc = _build(_params(tmp_path, rows[:1]))
    assert report.history.iloc[-1]["rank"] is None
    assert not any(ONE_OF_ONE.search(t) or "xếp thứ" in t for t in _printed(doc))


def test_ranks_computed_when_the_table_holds_every_registered_unit() -> None:
    report, doc = _build(VIET_TRI)
    assert list(report.history["rank"]) == [66, 88, 38] and set(report.history["rank_of"]) == {148}
    assert set(report.history["rank_source"]) == {"computed"}
    assert "unit_group_ranks" in [t.name for t in doc.tables()]


def test_no_group_rank_table_when_the_input_has_no_group_ranks() -> None:
    report, doc = _build(WARD)
    assert "unit_group_ranks" not in [t.name for t in doc.tables()]
    assert "unit_group_ranks" not in report.tables.tables
    assert not any("Thứ hạng theo từng nhóm" in t for t in _printed(doc))


# The message ---------------------------------------------------------------------------------------


def test_rising_total_with_falling_rank_is_the_lead() -> None:
    report, doc = _build(WARD)
    lead = unit_report.lead(report)
    assert lead[0] == (
        "Tính đến ngày 30/06/2026, phường Mẫu Sơn đạt 78,38/100 điểm, "
        "xếp thứ 46 trong các xã, phường, đặc khu của tỉnh."
    )
    assert lead[1].startswith(
        "Từ ngày 30/04/2026 đến ngày 30/06/2026, "
        "tổng điểm tăng từ 74,5 lên 78,38 điểm nhưng thứ hạng giảm từ 40 xuống 46."
    )
    assert lead[2] == (
        "Tổng số điểm bị mất là 21,62 điểm, nhiều nhất ở nhóm Số hóa hồ sơ (9,05 điểm) và "
        "nhóm Dịch vụ công trực tuyến (3,29 điểm)."
    )
    part1 = doc.section("ket-qua")
    assert isinstance(part1.blocks[0], Paragraph) and part1.blocks[0].style == "lead"


def test_points_lost_are_exact_and_no_unofficial_band_grades_the_unit() -> None:
    report, doc = _build(WARD)
    for row in report.history.itertuples():
        assert row.lost_total == Decimal(100) - row.total
        assert all(isinstance(getattr(row, f"lost_{g}"), Decimal) for g in ("cong_khai", "so_hoa"))
    assert report.history.iloc[-1]["lost_total"] == Decimal("21.62")
    lost = next(t for t in doc.tables() if t.name == "unit_points_lost")
    assert lost.rows[-1][1:] == ["Tổng cộng", "100", "78,38", "21,62"]
    # a dashboard's bands (data/grades.csv) are no rating of Quyết định 766: the signed report has none
    band = grade(Decimal("78.38"), grade_bands())
    assert band == "khá" and not any(f"mức {band}" in t or "xếp loại" in t for t in _printed(doc))


@pytest.mark.parametrize(
    "last, rank, words",
    [
        ("76.30", 38, "tổng điểm tăng từ 74,5 lên 76,3 điểm và thứ hạng tăng từ 40 lên 38."),
        ("72.10", 38, "tổng điểm giảm từ 74,5 xuống 72,1 điểm nhưng thứ hạng tăng từ 40 lên 38."),
        ("72.10", 44, "tổng điểm giảm từ 74,5 xuống 72,1 điểm và thứ hạng giảm từ 40 xuống 44."),
        ("74.50", 40, "tổng điểm không đổi (74,5 điểm) và thứ hạng không đổi (thứ 40)."),
    ],
)
def test_every_direction_of_total_and_rank(tmp_path: Path, last: str, rank: int, words: str) -> None:
    rows = [f"Phường Mẫu Sơn,xa,2026-04-30,{GROUPS},74.50,40", f"Phường Mẫu Sơn,xa,2026-06-30,,,,,,,{last},{rank}"]
    report, _ = _build(_params(tmp_path, rows, HEADER + ",rank"))
    lead = unit_report.lead(report)
    assert lead[1] == f"Từ ngày 30/04/2026 đến ngày 30/06/2026, {words}"
    assert "chưa có số liệu" not in lead[0]


def test_the_heading_gives_the_date_of_the_last_figures(tmp_path: Path) -> None:
    rows = [f"Phường Mẫu Sơn,xa,2026-04-30,{GROUPS},74.50,40", f"Phường Mẫu Sơn,xa,2026-05-31,{GROUPS},74.50,41"]
    report, doc = _build(_params(tmp_path, rows, HEADER + ",rank"))
    assert doc.title == "Kết quả Bộ chỉ số 766 của phường Mẫu Sơn quý II/2026"
    assert doc.subtitle == "(Tính đến ngày 31/05/2026)"  # not the quarter's end, 30/06/2026
    assert report.document_extra()["as_of"] == "2026-05-31"


def test_a_missing_group_is_said_in_words(tmp_path: Path) -> None:
    rows = ["Phường Mẫu Sơn,xa,2026-06-30,14.20,,8.40,6.10,16.90,11.80,,46"]
    _, doc = _build(_params(tmp_path, rows, HEADER + ",rank"))
    sentences = _sentences(doc)
    assert "Nhóm Tiến độ giải quyết chưa có số liệu." in sentences
    assert any("chưa có số liệu của nhóm Tiến độ giải quyết nên chưa tính được tổng điểm" in s for s in sentences)
    for text in sentences:
        assert "None" not in text and "nan" not in text and "—" not in text, text


# Components, when the input carries them -----------------------------------------------------------


def test_components_that_lost_the_points_are_named(tmp_path: Path) -> None:
    path = tmp_path / "snapshot.yaml"
    path.write_text(
        "report: unit_report\nperiod: 2026-08\nprovince: Phú Thọ\nunit: Phường Việt Trì\n"
        f"inputs:\n  portal: {PHU_THO / 'portal' / '2026-08'}\n  units: {PHU_THO / 'units.csv'}\n",
        encoding="utf-8",
    )
    report, doc = _build(path)
    lines = doc.section("phan-tich").blocks[0]
    assert isinstance(lines, Bullets)
    progress = next(item for item in lines.items if item.startswith("Nhóm Tiến độ giải quyết"))
    assert progress.startswith(
        "Nhóm Tiến độ giải quyết đạt 15,81/20 điểm (79,05%), mất 4,19 điểm, ở chỉ số 2.1 "
        "(tỷ lệ hồ sơ giải quyết trước hạn, đúng hạn: đạt 79,03%, mất 4,19 điểm)"
    )
    digitised = next(item for item in lines.items if item.startswith("Nhóm Số hóa hồ sơ"))
    assert ", chủ yếu ở chỉ số 4.4 (" in digitised
    # 0/0 is "không phát sinh", never 0%
    public = next(item for item in lines.items if item.startswith("Nhóm Công khai, minh bạch"))
    assert "1.1 (tỷ lệ TTHC công bố đúng hạn: không phát sinh nên không được tính điểm, mất 6 điểm)" in public
    assert report.history.iloc[-1]["rank_of"] == 148  # the portal's own list of the province's units


# The officer's words and the form --------------------------------------------------------------------


def test_officer_text_goes_where_its_key_says() -> None:
    _, doc = _build(WARD)
    part2 = doc.section("phan-tich")
    assert part2.title == "II. TỒN TẠI, HẠN CHẾ VÀ NGUYÊN NHÂN"
    headings = [b.text for b in part2.blocks if isinstance(b, Heading)]
    assert headings[-1] == "2. Nguyên nhân"
    causes = part2.blocks[-1]
    assert isinstance(causes, Bullets) and causes.items[-1].startswith("Người dân lớn tuổi")
    measures = doc.section("giai-phap").blocks[0]
    assert isinstance(measures, Bullets) and measures.numbered
    assert measures.items[0].startswith("Nhóm Số hóa hồ sơ (mất 9,05 điểm):")
    assert measures.items[-1].startswith("Văn phòng HĐND và UBND phường theo dõi hằng tuần")
    assert doc.closing == "Ủy ban nhân dân phường Mẫu Sơn báo cáo Ủy ban nhân dân tỉnh xem xét, chỉ đạo./."
    assert "parent_body" not in doc.issuer  # a ward's UBND has no parent line
    assert doc.section("mo-dau").blocks[0].text.startswith("Thực hiện chỉ đạo của Ủy ban nhân dân tỉnh")


def test_without_causes_part_two_is_the_analysis_alone(tmp_path: Path) -> None:
    rows = [f"Phường Mẫu Sơn,xa,2026-06-30,{GROUPS},74.50,46"]
    _, doc = _build(_params(tmp_path, rows, HEADER + ",rank"))
    part2 = doc.section("phan-tich")
    assert part2.title == "II. PHÂN TÍCH THEO NHÓM CHỈ SỐ"
    assert not any(isinstance(b, Heading) for b in part2.blocks)
    assert doc.figures() == []  # one date: no trend to draw


# The signed PDF ------------------------------------------------------------------------------------


@pytest.mark.slow
def test_pdf_reads_as_the_ward_signs_it(tmp_path: Path) -> None:
    out = run(WARD, out=tmp_path / "ward")
    text = subprocess.run(
        ["pdftotext", "-layout", str(out / "bulletin.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = re.sub(r"\s+", " ", text)
    for phrase in (
        "BÁO CÁO",
        "quý II/2026",
        "(Tính đến ngày 30/06/2026)",
        "./.",
        "Nơi nhận:",
        "tổng điểm tăng từ 74,5 lên 78,38 điểm nhưng thứ hạng giảm từ 40 xuống 46",
        "Tổng số điểm bị mất là 21,62 điểm",
        "2. Nguyên nhân",
    ):
        assert phrase in flat, phrase
    assert not ONE_OF_ONE.search(flat)  # "6,1/10 điểm" is no rank
    for token in ("None", "nan", "—%", "tables/", "cong_khai", "so_hoa", "rank", "[api]", "Ghi chú về số liệu"):
        assert token not in flat, token
    assert "UBND TỈNH" not in text.splitlines()[0]  # no parent line over the ward's UBND
    lines = (out / "tables" / "unit_scores.csv").read_text(encoding="utf-8-sig").splitlines()
    assert [line.split(",")[8] for line in lines[1:]] == ["40", "43", "46"]
    page = (out / "bulletin.html").read_text(encoding="utf-8")
    assert "Ghi chú về số liệu" in page


def test_a_table_giving_how_many_were_ranked_and_group_ranks(tmp_path: Path) -> None:
    """Headers as offices type them: "Tổng số đơn vị" gives "46/148"; "Xếp hạng <nhóm>" are group ranks,
    never read as the group's points."""
    header = (HEADER + ",rank,Tổng số đơn vị,Xếp hạng Công khai minh bạch,Xếp hạng Tiến độ giải quyết,"
              "Xếp hạng Dịch vụ công trực tuyến,Xếp hạng Thanh toán trực tuyến,Xếp hạng Mức độ hài lòng,"
              "Xếp hạng Số hóa hồ sơ")
    rows = [f"Phường Mẫu Sơn,xa,2026-06-30,{GROUPS},74.50,46,148,12,30,51,77,64,90"]
    report, doc = _build(_params(tmp_path, rows, header=header))
    assert list(report.history["rank"]) == [46] and list(report.history["rank_of"]) == [148]
    assert report.card.units.iloc[0]["cong_khai"] == Decimal("14.20"), "a group's rank is not its points"
    printed = " ".join(_printed(doc))
    assert "xếp thứ 46/148" in printed
    tables = [b for s in doc.sections for b in s.blocks if isinstance(b, Table)]
    ranks = [t for t in tables if "Thứ hạng theo từng nhóm" in t.caption or "thứ hạng" in t.caption.lower()]
    assert any("12" in row and "90" in row for t in ranks for row in t.rows), "the given group ranks are shown"


def test_a_rank_beyond_the_number_ranked_is_refused(tmp_path: Path) -> None:
    from chiso766.core.errors import InputError

    header = HEADER + ",rank,Tổng số đơn vị"
    with pytest.raises(InputError, match="lớn hơn tổng số đơn vị"):
        _build(_params(tmp_path, [f"Phường Mẫu Sơn,xa,2026-06-30,{GROUPS},74.50,160,148"], header=header))
