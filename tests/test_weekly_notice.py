"""The weekly TTHC notice (thông báo) as an officer signs it: the structure and figures of reference 002,
nothing technical in the PDF, no target claimed that params did not set, "không phát sinh" for 0/0."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from chiso766.publish.runner import run
from chiso766.report import weekly_tthc as weekly

ROOT = Path(__file__).resolve().parents[1]
WEEKLY = ROOT / "params" / "weekly_tthc" / "2025-09-12_2025-09-18.yaml"


def _pages(pdf: Path) -> list[str]:
    """The PDF's text, one flattened string a page (a line broken after "/" joined again)."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [re.sub(r"\s+", " ", re.sub(r"/\s*\n\s*", "/", page)) for page in text.split("\f")]


def _in_order(text: str, phrases: list[str]) -> None:
    at = 0
    for phrase in phrases:
        found = text.find(phrase, at)
        assert found >= 0, f"missing, or out of order: {phrase!r} (after {text[max(0, at - 80) : at]!r})"
        at = found + len(phrase)


# --- the sample: reference 002's week ------------------------------------------------------------


@pytest.fixture(scope="module")
def notice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run(WEEKLY, [], tmp_path_factory.mktemp("weekly") / "out")


@pytest.fixture(scope="module")
def pages(notice: Path) -> list[str]:
    return _pages(notice / "bulletin.pdf")


@pytest.mark.slow
def test_the_notice_has_the_structure_of_002(pages: list[str]) -> None:
    text = " ".join(pages)
    _in_order(
        text,
        [
            "UBND THÀNH PHỐ HẢI PHÒNG",
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc",
            "Số: …/TB-VP",
            "THÔNG BÁO",
            "Tình hình, kết quả thực hiện một số chỉ tiêu về công tác cải cách, kiểm soát thủ tục hành chính "
            "và giải quyết thủ tục hành chính",
            "(từ ngày 12/9/2025 đến ngày 18/9/2025)",
            "Thực hiện nhiệm vụ Chủ tịch Ủy ban nhân dân thành phố giao tại Công văn số 1844/UBND-TTPVHCC",
            "Trên cơ sở báo cáo của các Sở, ban, ngành",
            "Văn phòng Ủy ban nhân dân thành phố tổng hợp tình hình, kết quả thực hiện như sau:",
            "1. Kết quả thực hiện một số chỉ tiêu về công tác cải cách, kiểm soát thủ tục hành chính",
            "1.1. Tỷ lệ nộp hồ sơ trực tuyến (chỉ tiêu giao ≥ 60%)",
            "1.2. Tỷ lệ thanh toán trực tuyến (chỉ tiêu giao ≥ 60%)",
            "1.3. Tỷ lệ hồ sơ giải quyết thủ tục hành chính được cập nhật trên hệ thống (chỉ tiêu giao = 100%)",
            "1.4. Tỷ lệ số hóa hồ sơ, kết quả giải quyết thủ tục hành chính (chỉ tiêu giao = 100%)",
            "1.5. Tỷ lệ khai thác, sử dụng lại thông tin số hóa (chỉ tiêu giao ≥ 50%)",
            "1.6. Tỷ lệ phản ánh, kiến nghị của người dân, doanh nghiệp được xử lý theo quy định",
            "2. Kết quả giải quyết thủ tục hành chính của thành phố",
            "2.1. Tỷ lệ hồ sơ đã giải quyết trước hạn, đúng hạn",
            "2.2. Tỷ lệ hồ sơ đã giải quyết quá hạn",
            "3. Tồn tại, hạn chế",
            "3.1. Một số chỉ tiêu chưa đạt tỷ lệ giao như:",
            "3.2. Tỷ lệ hồ sơ đã giải quyết quá hạn tại một số cơ quan, đơn vị, địa phương còn cao như: "
            "Sở Công Thương (67,29%), phường Nguyễn Trãi (46,62%).",
            "Văn phòng Ủy ban nhân dân thành phố thông báo để Thủ trưởng các Sở, ban, ngành, Chủ tịch Ủy ban nhân "
            "dân các xã, phường, đặc khu biết, chỉ đạo, thực hiện và có giải pháp khắc phục bảo đảm nhiệm vụ, "
            "chỉ tiêu được giao./.",
            "Nơi nhận:",
            "CHÁNH VĂN PHÒNG",
            "- Chủ tịch, các PCT UBND TP (để b/c);",
            "- Các Sở, ban, ngành thuộc UBND TP;",
            "- Lưu: VT, N.V.Trưởng.",
            "Hoàng Văn Thực",
            "Phụ lục",
            "Kết quả thực hiện một số chỉ tiêu về công tác cải cách, kiểm soát thủ tục hành chính và giải quyết "
            "thủ tục hành chính của thành phố",
            "(Kèm theo Thông báo số …/TB-VP",
            "của Văn phòng Ủy ban nhân dân thành phố)",
        ],
    )
    signed = next(i for i, page in enumerate(pages) if "Hoàng Văn Thực" in page)
    appendix = next(i for i, page in enumerate(pages) if "(Kèm theo Thông báo số" in page)
    assert appendix > signed, "the appendix starts on a page of its own, after the signature"
    assert "Phụ lục" not in " ".join(pages[:appendix])
    assert "Tính đến ngày" not in text, "the figures are taken at the period's end: no as-of line"


@pytest.mark.slow
def test_every_list_of_units_is_written_as_002_writes_it(pages: list[str]) -> None:
    """Each list of units with their rates in reference 002, read from its text, is in the notice word
    for word: the first name as the registry writes it, the level word of the others in lower case
    ("Phường Đông Hải (32,86%), xã An Phú (42,70%)"), as NĐ 30 writes a place within a sentence."""
    from tests.conftest import SHARED

    reference = " ".join((SHARED / "reference" / "bulletins" / "002_02ec02882ef5694c.txt").read_text("utf-8").split())
    lists = re.findall(r"(?:như|tiêu|thống): ((?:[^:;()]+? \([\d,]+%\), )*[^:;()]+? \([\d,]+%\))", reference)
    assert len(lists) == 6 and sum(", xã " in listed or ", phường " in listed for listed in lists) == 4
    text = " ".join(" ".join(pages).split())
    for listed in lists:
        assert listed in text, listed


@pytest.mark.slow
def test_the_notice_keeps_every_figure_of_002(pages: list[str]) -> None:
    text = " ".join(pages)
    for phrase in (
        "Tỷ lệ nộp hồ sơ trực tuyến của toàn thành phố đạt 87,62% (số hồ sơ nộp trực tuyến/tổng số hồ sơ tiếp nhận "
        "là 50.133/57.219 hồ sơ), trong đó:",
        "- Các Sở, ban, ngành: Đạt 73,81% (6.664/9.029 hồ sơ). Số đơn vị đạt chỉ tiêu giao: 12/12 đơn vị.",
        "- Các xã, phường, đặc khu: Đạt 90,20% (43.469/48.190 hồ sơ). Số địa phương đạt chỉ tiêu giao: "
        "108/114 địa phương.",
        "thấp nhất như: Phường Đông Hải (32,86%), xã An Phú (42,70%), xã Cẩm Giàng (48,58%), xã Đại Sơn (56,50%), "
        "phường Nguyễn Đại Năng (57,21%).",
        "Tỷ lệ thanh toán trực tuyến của toàn thành phố đạt 95,83%",
        "Đạt 63,76% (1.061/1.664 hồ sơ). Số đơn vị đạt chỉ tiêu giao: 10/12 đơn vị.",
        "Sở Công Thương (25%), Sở Nông nghiệp và Môi trường (36,30%)",
        "Đạt 97,24% (36.707/37.749 hồ sơ)",
        "đạt 99,67%",
        "Đạt 99,61% (48.000/48.190 hồ sơ)",
        "Phường An Biên (72,08%), xã Hải Hưng (97,39%)",
        "01 địa phương chưa đạt chỉ tiêu: Xã Nghi Dương (98,06%).",
        "Phường Ngô Quyền (99%)",
        "Đạt 100% (9.029/9.029 hồ sơ)",
        "Tỷ lệ hồ sơ đã giải quyết trước hạn, đúng hạn đạt 98,54%",
        "56.840/57.684 hồ sơ",
        "Số đơn vị đạt tỷ lệ 100%: 7/12 đơn vị",
        "Số địa phương đạt tỷ lệ 100%: 82/114 địa phương",
        "+ Sở Nội vụ: 846/846 hồ sơ.",
        "+ Phường Hồng Bàng: 2.626/2.626 hồ sơ.",
        "Tỷ lệ hồ sơ đã giải quyết quá hạn là 1,46%",
        "844/57.684 hồ sơ",
        "(580/9.350 hồ sơ)",
        "0,55% (264/48.334 hồ sơ)",
        "+ Sở Công Thương: 543/807 hồ sơ (67,29%).",
        "+ Phường Nguyễn Trãi: 186/399 hồ sơ (46,62%).",
    ):
        assert phrase in text, phrase
    assert re.search(r"Sở, ban, ngành: 6,20?% \(580/9\.350 hồ sơ\)", text)
    # equal rates keep the registry's order (as 002 lists them), never the alphabet's
    assert "Xã Nguyễn Lương Bằng (0%), xã An Thành (0%), xã Ninh Giang (0%), xã Trường Tân (10%)" in text


@pytest.mark.slow
def test_nothing_technical_in_the_pdf(pages: list[str]) -> None:
    text = " ".join(pages)
    for word in (
        "quarantine",
        "tables/",
        "—%",
        "đọc ",
        "dòng",
        "tất cả 0",
        ".csv",
        "Những điểm chính",
        "kiểm tra dữ liệu",
    ):
        assert word not in text, word
    for word in (
        "None",
        "nan",
        "NaN",
        "True",
        "False",
        "rate",
        "level",
        "target",
        "indicator",
        "province",
        "tier",
        "online_submission",
        "online_payment",
        "updated_on_system",
        "digitized",
        "data_reuse",
        "complaints_handled",
        "resolved_on_time",
        "resolved_late",
        "unit_name",
        "unit_code",
        "meets_target",
        "numerator",
        "denominator",
    ):
        assert not re.search(rf"\b{word}\b", text), word


@pytest.mark.slow
def test_the_appendix_has_per_unit_figures_with_vietnamese_headers(notice: Path) -> None:
    document = json.loads((notice / "document.json").read_text(encoding="utf-8"))
    appendix = next(s for s in document["sections"] if s["id"] == "phu-luc")
    assert appendix["label"] == "Phụ lục" and appendix["pdf"]
    tables = [b for b in appendix["blocks"] if b["kind"] == "table"]
    assert [t["caption"] for t in tables] == [
        "Kết quả thực hiện các chỉ tiêu của các Sở, ban, ngành",
        "Kết quả thực hiện các chỉ tiêu của các xã, phường, đặc khu",
    ]
    assert tables[0]["columns"][:4] == ["STT", "Đơn vị", "Nộp trực tuyến (%)", "Thanh toán trực tuyến (%)"]
    assert tables[0]["columns"][-1] == "Giải quyết quá hạn (%)"
    units = {row[1]: row for row in tables[0]["rows"]}
    assert units["Sở Công Thương"][2:4] == ["73,78", "25"] and units["Sở Công Thương"][-1] == "67,29"
    assert [row[1] for row in tables[1]["rows"][:3]] == ["Phường Đông Hải", "Xã An Phú", "Xã Cẩm Giàng"]
    assert tables[1]["rows"][0][2] == "32,86"
    assert next(r for r in tables[1]["rows"] if r[1] == "Xã An Thành")[2:7] == ["90", "97,87", "100", "100", "0"]
    assert {b["name"] for b in appendix["blocks"] if b["kind"] == "figure"} == {"indicators", "resolution"}
    for figure in ("indicators", "resolution"):
        assert (notice / "figures" / f"{figure}.svg").is_file()
    header = (notice / "tables" / "indicators.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.startswith("level,unit_code,unit_name,indicator,numerator,denominator,rate,target,meets_target")


@pytest.mark.slow
def test_the_audit_part_is_in_the_page_only(notice: Path) -> None:
    document = json.loads((notice / "document.json").read_text(encoding="utf-8"))
    audit = next(s for s in document["sections"] if s["id"] == "kiem-tra-du-lieu")
    assert audit["pdf"] is False
    page = (notice / "bulletin.html").read_text(encoding="utf-8")
    assert "Phụ lục kiểm tra dữ liệu" in page and "đã đọc 68.829 dòng dữ liệu" in page
    assert "Những điểm chính" in page and "Thực hiện nhiệm vụ Chủ tịch Ủy ban nhân dân thành phố" in page
    assert "quarantine" not in audit["title"] and not any(
        "quarantine" in str(b.get("text", "")) for b in audit["blocks"]
    )


# --- a small province made by hand: no targets, and a unit with nothing to count ---------------------

UNITS = """unit_code,unit_name,tier,aliases
TM,Tỉnh Mẫu,tinh,
TM.S1,Sở Tư pháp,so,
TM.S2,Sở Xây dựng,so,
TM.X1,Xã Bình Minh,xa,
TM.X2,Xã An Lạc,xa,
TM.X3,Xã Cát Hải,xa,
TM.X4,Xã Đồng Tâm,xa,
"""
# unit, channel, fee_required, paid_online, finished: "" (in process), "on time" or "late"
DOSSIERS = [
    ("TM.S1", 2, True, True, "on time"),
    ("TM.S1", 2, True, False, "on time"),
    ("TM.S1", 2, False, False, "late"),
    ("TM.S1", 1, False, False, "on time"),
    ("TM.S2", 2, False, False, "on time"),
    ("TM.S2", 2, False, False, "on time"),  # no fee: online payment 0/0
    ("TM.X1", 2, True, True, "on time"),
    ("TM.X1", 1, False, False, "late"),
    ("TM.X2", 1, True, True, "on time"),
    ("TM.X2", 2, False, False, "on time"),
    ("TM.X3", 2, True, True, "on time"),
    ("TM.X3", 2, False, False, "on time"),
    ("TM.X4", 2, False, False, ""),  # nothing paid, nothing finished: 0/0 twice
]
ISSUER = """issuer:
  parent_body: UBND TỈNH MẪU
  body: VĂN PHÒNG
  name: Văn phòng Ủy ban nhân dân tỉnh
  number: "…/TB-VP"
  place: Mẫu
  signer_title: CHÁNH VĂN PHÒNG
  signer: Nguyễn Văn A
  recipients: ["Các Sở, ban, ngành", "UBND các xã", "Lưu: VT"]
"""


def _province(folder: Path, extra: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "units.csv").write_text(UNITS, encoding="utf-8")
    lines = [
        "dossier_id,unit_code,procedure_code,channel,received_at,due_at,finished_at,fee_required,paid_online,"
        "updated_on_system,digitized,reused_data"
    ]
    finished = {"on time": "2026-03-04 10:00:00", "late": "2026-03-06 10:00:00", "": ""}
    for i, (unit, channel, fee, paid, done) in enumerate(DOSSIERS):
        lines.append(
            f"D{i:03d},{unit},1.00{i % 3},{channel},2026-03-03 08:00:00,2026-03-05 17:00:00,"
            f"{finished[done]},{str(fee).lower()},{str(paid).lower()},true,true,true"
        )
    (folder / "dossiers.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    params = folder / "weekly.yaml"
    params.write_text(
        f"""report: weekly_tthc
period: "2026-03-02..2026-03-08"
province: Tỉnh Mẫu
inputs:
  dossiers: {folder / "dossiers.csv"}
  units: {folder / "units.csv"}
{ISSUER}{extra}""",
        encoding="utf-8",
    )
    return params


NO_TARGETS = """text:
  results: "Kết quả giải quyết hồ sơ trong tuần ổn định."
  causes: "Nguyên nhân này không thuộc thông báo tuần."
  instructions: |
    - Các xã rà soát hồ sơ quá hạn.
    - Sở Tư pháp báo cáo trước ngày 12/3/2026.
"""
TARGETS = """targets:
  online_submission: ">=60"
  online_payment: ">=60"
"""


@pytest.fixture(scope="module")
def without_targets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("no-targets")
    return run(_province(folder / "in", NO_TARGETS), [], folder / "out")


@pytest.fixture(scope="module")
def with_targets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("targets")
    return run(_province(folder / "in", TARGETS), [], folder / "out")


@pytest.mark.slow
def test_without_targets_no_target_is_claimed(without_targets: Path) -> None:
    text = " ".join(_pages(without_targets / "bulletin.pdf"))
    assert "chỉ tiêu giao" not in text and "đạt chỉ tiêu" not in text and "chưa đạt" not in text
    assert "1.1. Tỷ lệ nộp hồ sơ trực tuyến Tỷ lệ nộp hồ sơ trực tuyến của toàn tỉnh đạt" in text
    assert "2. Kết quả giải quyết thủ tục hành chính của tỉnh" in text and "toàn thành phố" not in text
    # the two lowest are tied: the registry's order (Bình Minh before An Lạc), not the alphabet's
    assert "thấp nhất như: Xã Bình Minh (50%), xã An Lạc (50%)." in text
    _in_order(
        text,
        [
            "2.2. Tỷ lệ hồ sơ đã giải quyết quá hạn",
            "Kết quả giải quyết hồ sơ trong tuần ổn định.",
            "3. Tồn tại, hạn chế",
            "3.1. Tỷ lệ hồ sơ đã giải quyết quá hạn",
            "4. Nhiệm vụ, giải pháp trong thời gian tới",
            "4.1. Các xã rà soát hồ sơ quá hạn.",
            "4.2. Sở Tư pháp báo cáo trước ngày 12/3/2026.",
            "thực hiện và có giải pháp khắc phục",
            "./.",
            "Nơi nhận:",
            "- Lưu: VT.",
            "Nguyễn Văn A",
        ],
    )
    assert "Nguyên nhân này" not in text, "text.causes belongs to the 766 bulletin, not to the weekly notice"
    # no "lowest" list where every unit is equal (all digitized: 100% each)
    digitized = text[text.index("1.4. ") : text.index("1.5. ")]
    assert "thấp nhất" not in digitized


@pytest.mark.slow
def test_a_unit_with_nothing_to_count_is_not_zero(with_targets: Path) -> None:
    text = " ".join(_pages(with_targets / "bulletin.pdf"))
    assert "01 đơn vị không phát sinh hồ sơ có phí, lệ phí: Sở Xây dựng." in text
    assert "01 địa phương không phát sinh hồ sơ có phí, lệ phí: Xã Đồng Tâm." in text
    assert "01 địa phương không phát sinh hồ sơ đã giải quyết: Xã Đồng Tâm." in text
    assert "Số đơn vị đạt chỉ tiêu giao: 0/1 đơn vị." in text  # Sở Tư pháp 50%; Sở Xây dựng is not counted
    assert not re.search(r"(?<![\d,])0(,0+)?%", text), "0/0 is 'không phát sinh', never 0%"
    assert "—%" not in text and "None" not in text
    document = json.loads((with_targets / "document.json").read_text(encoding="utf-8"))
    appendix = next(s for s in document["sections"] if s["id"] == "phu-luc")
    so = next(b for b in appendix["blocks"] if b["kind"] == "table" and "Sở" in b["caption"])
    row = next(r for r in so["rows"] if r[1] == "Sở Xây dựng")
    assert row[so["columns"].index("Thanh toán trực tuyến (%)")] == "không phát sinh"
    assert row[so["columns"].index("Nộp trực tuyến (%)")] == "100"
    assert "Không phát sinh: đơn vị không có" in so["note"]


def test_as_of_before_the_period_end_is_stated(tmp_path: Path) -> None:
    params = _province(tmp_path, TARGETS)
    early = weekly.outline(weekly.build(params, ["as_of=2026-03-05"]))
    assert early.subtitle.splitlines() == ["(từ ngày 2/3/2026 đến ngày 8/3/2026)", "(Tính đến ngày 05/03/2026, số liệu tạm tính)"]
    full = weekly.outline(weekly.build(params))
    assert full.subtitle == "(từ ngày 2/3/2026 đến ngày 8/3/2026)"
    assert [s.id for s in full.sections if s.pdf and not s.appendix] == ["chi-tieu", "giai-quyet", "ton-tai"]


def test_a_registry_of_another_province_than_the_params_name_is_refused() -> None:
    """Hải Phòng's units under `province: Phú Thọ`: a notice headed for Phú Thọ naming Hải Phòng's
    units. Refused naming the key, the registry and both provinces; with the right province it is read."""
    from chiso766.core.errors import ParamsError
    from chiso766.core.params import load_params
    from chiso766.ingest.units import params_registry

    with pytest.raises(ParamsError) as info:
        params_registry(load_params(WEEKLY, ["province=Phú Thọ"]))
    said = str(info.value)
    assert info.value.column == "province" and "data/generated/hai-phong-002/units.csv" in said
    assert "là Tỉnh Phú Thọ" in said and "là của Thành phố Hải Phòng" in said
    assert params_registry(load_params(WEEKLY)).resolve(code="HP") is not None
