"""Bulletins an officer signs as they come out: the forms of DOCUMENTS.md, checked in the PDF text.

Reference 000 is a báo cáo (params/bulletin_766/2025.yaml rebuilds it), the Phú Thọ quarter sample is
a công văn in the structure of reference 003 (Kính gửi, the situation, numbered instructions, the
closing demand, Nơi nhận starting "Như trên", TM./KT. signature, appendices "kèm theo"), and a score
table of totals only still gives a whole document.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from chiso766.publish.runner import run
from chiso766.render.pdf import png_of_svg, render_pdf

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted((ROOT / "params").glob("*/*.yaml"))

# What a signed document never contains (DOCUMENTS.md): program tokens and empty values, names of
# files, tables and columns, evidence labels, English, "—%".
FORBIDDEN = [
    r"\bNone\b", r"\bnan\b", r"\bNaN\b", r"\bTrue\b", r"\bFalse\b", r"tables/", r"\.csv\b", r"\.json\b",
    r"below_target", r"quarantine", r"\[(doc|api|inferred|open)\]", r"—%", r"tất cả 0 ",
    r"\b(cong_khai|tien_do|truc_tuyen|thanh_toan|hai_long|so_hoa)\b",
    r"\b(online_submission|online_payment|updated_on_system|digitized|data_reuse|complaints_handled)\b",
    r"\b(unit_code|unit_name|tier|total|rank|points|rate|group|portal|reason|chiso766)\b",
]


def _text(pdf: Path) -> str:
    raw = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"\s+", " ", raw)


_BUILT: dict[Path, Path] = {}


def _built(params: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Each sample is run once for the whole module."""
    if params not in _BUILT:
        _BUILT[params] = run(params, [], tmp_path_factory.mktemp("documents") / "out")
    return _BUILT[params]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    names = {"bao_cao": "bulletin_766/2025.yaml", "cong_van": "bulletin_766/2026-Q3.yaml",
             "totals": "bulletin_766/2025-10.yaml"}
    return {key: _built(ROOT / "params" / name, tmp_path_factory) for key, name in names.items()}


@pytest.mark.slow
@pytest.mark.parametrize("params", SAMPLES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_sample_pdf_is_signable(params: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No program token, file or column name, evidence label or "—%"; the body ends with "./."."""
    out = _built(params, tmp_path_factory)
    text = _text(out / "bulletin.pdf")
    page = (out / "bulletin.html").read_text(encoding="utf-8")
    document = json.loads((out / "document.json").read_text(encoding="utf-8"))
    shown = [s["id"] for s in document["sections"] if f'<section id="{s["id"]}">' not in page]
    assert not shown, f"sections of the document missing from the page: {shown}"
    assert document["closing"] in page
    for pattern in FORBIDDEN:
        found = re.search(pattern, text)
        assert found is None, f"{params.name}: «{found.group(0) if found else ''}» in the signed document"
    assert "./." in text
    assert "Nơi nhận:" in text and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    recipients = text[text.index("Nơi nhận:"):]
    assert re.search(r"- Lưu: VT[^;]*\.", recipients), "the last recipient line ends with a full stop"
    # no heading is the last line of a page, away from what it heads (a signer moves it by hand)
    headings = {s["title"] for s in document["sections"] if s["title"]} | {
        b["text"] for s in document["sections"] for b in s["blocks"] if b["kind"] == "heading"}
    pages = subprocess.run(["pdftotext", "-layout", str(out / "bulletin.pdf"), "-"], capture_output=True,
                           text=True, check=True).stdout.split("\f")
    for number, page_text in enumerate(pages[:-1], start=1):
        lines = [line.strip() for line in page_text.splitlines() if line.strip() and not line.strip().isdigit()]
        assert not lines or lines[-1] not in headings, f"{params.name}, trang {number}: «{lines[-1]}» cuối trang"
    # a long table's last rows go over together: never one or two rows alone on its last page
    rows = [len(re.findall(r"(?m)^\s*\d+\s+[^\W\d][^\n]*?\d+,\d+", page_text)) for page_text in pages]
    for number, (before, here) in enumerate(zip(rows, rows[1:]), start=2):
        assert not (before > 10 and 0 < here < 3), f"{params.name}, trang {number}: {here} dòng bảng lẻ"


@pytest.mark.slow
def test_bao_cao_rebuilds_reference_000(built: dict[str, Path]) -> None:
    text = _text(built["bao_cao"] / "bulletin.pdf")
    order = [
        "UBND THÀNH PHỐ HẢI PHÒNG", "VĂN PHÒNG", "Số: …/BC-VP", "Hải Phòng, ngày 09 tháng 10 năm 2025", "BÁO CÁO",
        "(Bộ chỉ số 766) năm 2025", "(Tính đến ngày 07/10/2025, số liệu tạm tính)",
        "Thực hiện nhiệm vụ được giao tại Công văn số 2511/UBND-TTPVHCC",
        "Văn phòng Ủy ban nhân dân thành phố báo cáo kết quả đánh giá, xếp hạng",
        "I. KẾT QUẢ THỰC HIỆN", "1. Kết quả đánh giá, xếp hạng của thành phố",
        "Tính đến ngày 07/10/2025, Thành phố Hải Phòng đạt 84,63 điểm, xếp hạng 26/34 tỉnh, thành phố, cụ thể như sau:",
        "2. Kết quả đánh giá, xếp hạng của các sở, ban, ngành", "a) Nhóm chỉ số Công khai, minh bạch",
        "II. TỒN TẠI, HẠN CHẾ VÀ NGUYÊN NHÂN", "1. Tồn tại, hạn chế",
        "Chỉ số Tiến độ giải quyết: các đơn vị đạt tỷ lệ thấp nhất (Sở Khoa học và Công nghệ đạt 26,9%; Sở Y tế đạt 35,3%",
        "Các sở, ban, ngành có điểm thấp nhất:", "Sở Y tế đạt: 63,74/100 điểm, xếp thứ 11/11 đơn vị",
        "Sở Nội vụ đạt: 76,95/100 điểm, xếp thứ 7/11 đơn vị", "2. Nguyên nhân", "a) 10 sở, ban, ngành chậm tham mưu công bố",
        "III. ĐỀ XUẤT VÀ KIẾN NGHỊ",
        "Văn phòng Ủy ban nhân dân thành phố báo cáo để các cơ quan, đơn vị biết, chỉ đạo thực hiện./.",
        "Nơi nhận:", "- Lưu: VT, P.H.Phương.", "Hoàng Văn Thực", "Phụ lục Điểm và xếp hạng", "(Kèm theo Báo cáo số …/BC-VP ngày 09/10/2025 của Văn phòng Ủy ban nhân dân thành phố)",
    ]
    positions = [text.find(part) for part in order]
    missing = [part for part, at in zip(order, positions, strict=True) if at < 0]
    assert not missing, missing
    assert positions == sorted(positions), "the elements stand in the order of reference 000"
    assert "CHÁNH VĂN PHÒNG" in text
    # the officer's causes (params text.causes) speak of "nhiệm vụ, chỉ tiêu"; the generated text never
    generated = text[: text.index("2. Nguyên nhân")] + text[text.index("III. ĐỀ XUẤT VÀ KIẾN NGHỊ"):]
    assert "chỉ tiêu" not in generated, "no params target: no unit is judged against an invented one"


@pytest.mark.slow
def test_cong_van_has_the_structure_of_a_directive(built: dict[str, Path]) -> None:
    text = _text(built["cong_van"] / "bulletin.pdf")
    order = [
        "ỦY BAN NHÂN DÂN", "TỈNH PHÚ THỌ", "Số: …/UBND-TTPVHCC",
        "V/v khắc phục tồn tại, nâng cao kết quả Bộ chỉ số 766 quý III/2026",
        "Kính gửi:", "- Các sở, ban, ngành thuộc Ủy ban nhân dân tỉnh;", "- Ủy ban nhân dân các xã, phường.",
        "Quý III/2026 (tính đến ngày 26/09/2026, số liệu tạm tính), Tỉnh Phú Thọ đạt",
        "Điểm, thứ hạng của từng cơ quan, đơn vị, địa phương tại Phụ lục I, II kèm theo.",
        "Ủy ban nhân dân tỉnh yêu cầu các cơ quan, đơn vị, địa phương thực hiện các nội dung sau:",
        "1. Các sở, ban, ngành, Ủy ban nhân dân các xã, phường:",
        "2. Các sở, ban, ngành có điểm thấp nhất:", "3. Các xã, phường có tổng điểm dưới 55 điểm:",
        "4. Sở Khoa học và Công nghệ chủ trì",
        "báo cáo kết quả khắc phục về Trung tâm Phục vụ hành chính công tỉnh trước ngày 15/10/2026.",
        "Trung tâm Phục vụ hành chính công tỉnh theo dõi, đôn đốc",
        "khẩn trương tổ chức thực hiện./.", "Nơi nhận:", "- Như trên;", "- Lưu: VT, TTPVHCC.", "Phụ lục I Điểm", "(Kèm theo Công văn số …/UBND-TTPVHCC", "Phụ lục II Điểm",
    ]
    positions = [text.find(part) for part in order]
    missing = [part for part, at in zip(order, positions, strict=True) if at < 0]
    assert not missing, missing
    assert positions == sorted(positions)
    signature = text[text.index("Nơi nhận:"):text.index("Phụ lục I Điểm")]
    assert all(line in signature for line in ("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"))
    assert "BÁO CÁO" not in text, "a công văn has no tên loại"
    assert "đặc khu" not in text, "Phú Thọ's registry has no đặc khu: its documents say 'xã, phường'"
    # the bottom group named unit by unit, each with what it must fix
    assert re.search(r"- [^-]+ \(\d+(,\d+)? điểm, xếp thứ \d+/\d+\): ", text)


@pytest.mark.slow
def test_totals_only_table_gives_a_whole_document(built: dict[str, Path]) -> None:
    text = _text(built["totals"] / "bulletin.pdf")
    assert "tháng 10/2025" in text and "(Tính đến ngày 07/10/2025, số liệu tạm tính)" in text
    assert "Tính đến ngày 07/10/2025, Thành phố Hải Phòng đạt 84,63 điểm, xếp hạng 26/34 tỉnh, thành phố." in text
    assert "Các sở, ban, ngành có tổng điểm dưới 70 điểm:" in text
    assert "Sở Giáo dục và Đào tạo đạt: 69,22/100 điểm, xếp thứ 8/11 đơn vị." in text
    assert "Sở Nội vụ đạt: 76,95" not in text.split("III.")[0].split("II. TỒN TẠI")[1], "only units below 70"
    for absent in ("nhóm thấp nhất", "Nhóm chỉ số", "tỉnh Hải Phòng", "—", "đạt 0%"):
        assert absent not in text, absent
    assert "Văn phòng Ủy ban nhân dân thành phố báo cáo Chủ tịch Ủy ban nhân dân thành phố xem xét, chỉ đạo./." in text


@pytest.mark.slow
def test_a_pdf_compiled_after_others_is_the_one_a_fresh_process_makes(
    built: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The process keeps one Typst compiler (its fonts read once): each document is read afresh, so
    one compiled after others and after charts' PNGs is byte for byte what a fresh process makes,
    even once the working directory is gone."""
    order = ["totals", *(key for key in built if key != "totals"), "totals"]
    for key in order:
        png_of_svg(next((built["bao_cao"] / "figures").glob("*.svg")).read_bytes(), 150)
        assert render_pdf(built[key]) == (built[key] / "bulletin.pdf").read_bytes(), key
    code = ("import sys; from pathlib import Path; from chiso766.render.pdf import render_pdf; "
            "sys.stdout.buffer.write(render_pdf(Path(sys.argv[1])))")
    fresh = subprocess.run([sys.executable, "-c", code, str(built["totals"])], capture_output=True, check=True).stdout
    assert fresh == (built["totals"] / "bulletin.pdf").read_bytes()
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    assert render_pdf(built["totals"]) == fresh


def test_a_pdf_laid_out_aside_is_the_same_pdf_and_its_failure_reaches_its_reader(
    built: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """nb.save has the PDF laid out in Typst's thread while it writes the tables: the bytes compiled
    in place, from what the folder held when it began; what went wrong is raised where the PDF is
    read, in Vietnamese; its working folder, in the bulletin's own, is gone once the ``with`` is left."""
    from chiso766.render import pdf

    folder = tmp_path / "bulletin"
    shutil.copytree(built["totals"], folder)
    before = sorted(p.name for p in folder.iterdir())
    with pdf.pdf_aside(folder) as laid_out:
        (folder / "document.json").write_text("{}", encoding="utf-8")  # written after it began
        assert laid_out.result() == (built["totals"] / "bulletin.pdf").read_bytes()
    assert sorted(p.name for p in folder.iterdir()) == before

    class Broken:
        def compile(self, **_settings: object) -> bytes:
            raise RuntimeError("Typst không dựng được")

    shutil.copyfile(built["totals"] / "document.json", folder / "document.json")
    monkeypatch.setattr(pdf, "_compiler", lambda *_args: Broken())
    with pytest.raises(pdf.TypstFailed, match="^Typst không dựng được bản PDF: Typst không dựng được$"):
        with pdf.pdf_aside(folder) as failing:
            failing.result()
    assert sorted(p.name for p in folder.iterdir()) == before


def test_a_font_replaced_in_a_long_session_is_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The kept compiler is made again when a font file changes (an upgrade, an edit), never left
    with the fonts it read before."""
    from chiso766.render import pdf

    fonts = tmp_path / "fonts"
    shutil.copytree(pdf.FONTS, fonts)
    monkeypatch.setattr(pdf, "FONTS", fonts)
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="72pt" height="36pt"><text y="20">Chữ</text></svg>'.encode()
    pdf.png_of_svg(svg, 72)
    kept = pdf._compiler(tuple(pdf.font_paths()), pdf._font_files(pdf.font_paths()))
    pdf.png_of_svg(svg, 72)
    assert pdf._compiler(tuple(pdf.font_paths()), pdf._font_files(pdf.font_paths())) is kept
    regular = fonts / "Tinos-Regular.ttf"
    regular.write_bytes(regular.read_bytes())  # the same font, written again: a new time
    os.utime(regular, ns=(0, 0))
    pdf.png_of_svg(svg, 72)
    assert pdf._compiler(tuple(pdf.font_paths()), pdf._font_files(pdf.font_paths())) is not kept


@pytest.mark.slow
def test_a_short_table_of_tall_rows_breaks_between_rows_inside_the_margins(
    built: dict[str, Path], tmp_path: Path
) -> None:
    """22 rows fit a page when each is a line; with a name over three lines they do not: the table
    breaks (between rows, its header repeated) instead of running past the bottom margin."""
    folder = tmp_path / "doc"
    shutil.copytree(built["cong_van"], folder)
    document = json.loads((folder / "document.json").read_text(encoding="utf-8"))
    table = next(b for s in document["sections"] for b in s["blocks"] if b.get("name") == "appendix_so")
    long = "Ban Quản lý các khu công nghiệp, khu kinh tế và khu công nghệ cao tỉnh Phú Thọ số {}"
    table["rows"] = [[str(i + 1), long.format(i + 1), *table["rows"][0][2:]] for i in range(22)]
    (folder / "document.json").write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "tall.pdf").write_bytes(render_pdf(folder))
    bbox = subprocess.run(["pdftotext", "-bbox", str(tmp_path / "tall.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    pages = re.findall(r'<page width="[\d.]+" height="([\d.]+)">(.*?)</page>', bbox, re.S)
    lowest = max(float(y) for height, words in pages for y in re.findall(r'yMax="([\d.]+)"', words))
    assert lowest < float(pages[0][0]) - 20 / 25.4 * 72 + 1, "text below the bottom margin (20 mm)"
    numbers = [n for _, words in pages for n in re.findall(r">Thọ</word>\s*<word[^>]*>số</word>\s*<word[^>]*>(\d+)</word>", words)]
    assert numbers == [str(i) for i in range(1, 23)], "every name whole, once, in order"
