"""End to end: `chiso766 run` executes the notebook, renders HTML and PDF, writes one output folder."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from chiso766.cli import main
from chiso766.publish.runner import run, run_many

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
HP = ROOT / "params" / "bulletin_766" / "2025.yaml"
PT = ROOT / "params" / "bulletin_766" / "2026-08.yaml"
UNIT = ROOT / "params" / "unit_report" / "2026-Q3.yaml"
LOWEST = [("Sở Y tế", "63,74", "11/11"), ("Sở Nông nghiệp và Môi trường", "67,88", "10/11"),
          ("Sở Khoa học và Công nghệ", "68,32", "9/11"), ("Sở Giáo dục và Đào tạo", "69,22", "8/11"),
          ("Sở Nội vụ", "76,95", "7/11")]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def hai_phong(tmp_path_factory) -> Path:
    return run(HP, out=tmp_path_factory.mktemp("hp") / "2025")


@pytest.fixture(scope="module")
def phu_tho(tmp_path_factory) -> Path:
    return run(PT, out=tmp_path_factory.mktemp("pt") / "2026-08")


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_output_folder_has_every_contract_file(hai_phong):
    for name in ("bulletin.html", "bulletin.pdf", "notebook.ipynb", "manifest.json", "tables.xlsx",
                 "tables/units.csv", "figures/province_groups.png", "figures/province_groups.svg",
                 "figures/province_groups.txt", "figures/province_groups.csv", "figures/rank_so.png"):
        assert (hai_phong / name).is_file(), name
    assert not list(hai_phong.parent.glob(".*partial*")) and not list(hai_phong.parent.glob("*.failed.ipynb"))


def test_pdf_states_the_reference_figures_in_the_official_layout(hai_phong):
    text = _flat(_pdf_text(hai_phong / "bulletin.pdf"))
    assert "84,63 điểm" in text and "26/34" in text
    for header in ("UBND THÀNH PHỐ HẢI PHÒNG", "VĂN PHÒNG", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                   "Độc lập - Tự do - Hạnh phúc", "Số: …/BC-VP", "Hải Phòng, ngày 09 tháng 10 năm 2025",
                   "BÁO CÁO", "Nơi nhận:", "CHÁNH VĂN PHÒNG", "Hoàng Văn Thực"):
        assert header in text, header
    positions = [text.index(f"{name} đạt: {total}/100 điểm, xếp thứ {rank}") for name, total, rank in LOWEST]
    assert positions == sorted(positions)
    info = subprocess.run(["pdfinfo", str(hai_phong / "bulletin.pdf")], capture_output=True, text=True).stdout
    assert "595.276 x 841.89" in info  # A4
    assert re.search(r"^Author: +VĂN PHÒNG UBND THÀNH PHỐ HẢI PHÒNG$", info, re.M), info  # the body within its parent
    fonts = subprocess.run(["pdffonts", str(hai_phong / "bulletin.pdf")], capture_output=True, text=True).stdout
    assert "Tinos" in fonts


def test_pdf_page_numbers_start_on_page_two(hai_phong):
    pages = _pdf_text(hai_phong / "bulletin.pdf").split("\f")
    assert len(pages) > 3
    assert not re.match(r"\s*1\s*\n", pages[0])
    assert re.match(r"\s*2\s*\n", pages[1]) and re.match(r"\s*3\s*\n", pages[2])


class _Audit(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.headings: list[int] = []
        self.images: list[dict] = []
        self.tables = 0
        self.tables_with_th = 0
        self.resources: list[str] = []
        self.lang = None
        self._in_table = False
        self._th = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "img":
            self.images.append(attrs)
        if tag == "table":
            self.tables += 1
            self._th = False
        if tag == "th":
            self._th = True
        if tag == "/table":
            pass
        for key in ("src", "href"):
            if attrs.get(key, "").startswith(("http://", "https://", "//")):
                self.resources.append(attrs[key])

    def handle_endtag(self, tag):
        if tag == "table" and self._th:
            self.tables_with_th += 1


def test_html_is_self_contained_and_accessible(hai_phong):
    page = (hai_phong / "bulletin.html").read_text(encoding="utf-8")
    assert "http://" not in page and "https://" not in page
    audit = _Audit()
    audit.feed(page)
    assert audit.lang == "vi"
    assert audit.headings[0] == 1 and all(b - a <= 1 for a, b in zip(audit.headings, audit.headings[1:]))
    assert audit.images and all(len(i.get("alt", "")) > 40 for i in audit.images)
    assert audit.tables > 5 and audit.tables == audit.tables_with_th
    assert "<script" not in page and "<pre" not in page and "import " not in page  # no code shown
    assert 'href="tables/appendix_so.csv"' in page
    text = _flat(re.sub(r"<[^>]+>", " ", page))
    assert "84,63 điểm" in text and "26/34" in text
    positions = [text.index(f"{name} đạt: {total}/100 điểm, xếp thứ {rank}") for name, total, rank in LOWEST]
    assert positions == sorted(positions)
    assert "@media print" in page


def test_html_renders_in_headless_chromium(hai_phong, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "bulletin_766-2025.png"
    shot.unlink(missing_ok=True)
    subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={tmp_path / 'profile'}", "--hide-scrollbars", "--window-size=1200,1600",
                    f"--screenshot={shot}", (hai_phong / "bulletin.html").as_uri()],
                   capture_output=True, timeout=120, check=True)
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 50_000  # a page, not a blank


def test_tables_csv_and_xlsx_keep_vietnamese(hai_phong):
    units = (hai_phong / "tables" / "units.csv").read_text(encoding="utf-8-sig")
    assert "Sở Văn hóa, Thể thao và Du lịch" in units
    book = load_workbook(hai_phong / "tables.xlsx")
    assert {"Điểm các đơn vị", "Điểm nhóm chỉ số của tỉnh", "Xếp hạng sở, ban, ngành", "Phương pháp tính điểm"} <= set(
        book.sheetnames
    )
    names = [c.value for c in book["Xếp hạng sở, ban, ngành"]["B"]][1:]
    assert names[-1] == "Sở Y tế" and "Sở Nông nghiệp và Môi trường" in names


def test_manifest_records_what_made_the_output(hai_phong):
    manifest = json.loads((hai_phong / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["report"] == "bulletin_766" and manifest["methodology_version"] == "2025"
    for entry in manifest["inputs"]:
        assert hashlib.sha256(Path(entry["path"]).read_bytes()).hexdigest() == entry["sha256"]
    assert {i["kind"] for i in manifest["inputs"]} == {"scores", "units"}
    for key in ("chiso766", "pandas", "papermill", "nbconvert", "typst", "python"):
        assert manifest["versions"][key]
    outputs = {o["path"]: o["sha256"] for o in manifest["outputs"]}
    assert hashlib.sha256((hai_phong / "tables/units.csv").read_bytes()).hexdigest() == outputs["tables/units.csv"]
    notebook = json.loads((hai_phong / "notebook.ipynb").read_text(encoding="utf-8"))
    assert notebook["metadata"]["papermill"]["parameters"]["params_path"].endswith("2025.yaml")
    # the auditor reads each input's whole SHA-256 and path in the notebook, as the manifest has them
    shown = "".join(
        "".join(output.get("data", {}).get(kind, ""))
        for cell in notebook["cells"]
        for output in cell.get("outputs", [])
        for kind in ("text/plain", "text/html")
    )
    for entry in manifest["inputs"]:
        assert shown.count(entry["sha256"]) == 2 and shown.count(entry["path"]) >= 2, entry["path"]
    assert "dữ liệu vào: scores data/samples/hai-phong/scores-2025-10-09.csv" in shown


def test_same_params_give_identical_tables(hai_phong, tmp_path):
    again = run(HP, out=tmp_path / "again")
    for table in sorted((hai_phong / "tables").glob("*.csv")):
        assert table.read_bytes() == (again / "tables" / table.name).read_bytes(), table.name
    for figure in sorted((hai_phong / "figures").iterdir()):
        assert figure.read_bytes() == (again / "figures" / figure.name).read_bytes(), figure.name
    assert (hai_phong / "tables.xlsx").read_bytes() == (again / "tables.xlsx").read_bytes()


def test_if_changed_keeps_an_up_to_date_output(hai_phong):
    before = (hai_phong / "manifest.json").stat().st_mtime_ns
    assert run(HP, out=hai_phong, if_changed=True) == hai_phong
    assert (hai_phong / "manifest.json").stat().st_mtime_ns == before


@pytest.mark.parametrize("body, words", [
    ("report: bulletin_999\nperiod: '2025'\ninputs: {scores: x.csv}\n", "bulletin_999"),
    ("report: bulletin_766\nperiod: '2025-Q7'\ninputs: {scores: x.csv}\n", "2025-Q7"),
    ("report: bulletin_766\nperiod: '2025'\ninputs: {scores: nowhere.csv}\n", "nowhere.csv"),
])
def test_bad_params_fail_before_the_notebook_starts(tmp_path, capsys, body, words):
    params = tmp_path / "params" / "bulletin_766" / "bad.yaml"
    params.parent.mkdir(parents=True)
    params.write_text(body, encoding="utf-8")
    assert main(["run", str(params)]) == 2
    assert words in capsys.readouterr().err
    assert not (tmp_path / "outputs").exists()


def test_score_into_a_bulletin_folder_never_makes_its_tables_disagree_with_it(hai_phong, tmp_path, capsys):
    """`score` writes to outputs/<report>/<period>/tables, a run's folder: the same tables are left as
    they are; other ones (here a table edited since) are refused, and nothing in the folder changes."""
    out = tmp_path / "2025"
    shutil.copytree(hai_phong, out)
    files = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert main(["score", str(HP), "--out", str(out)]) == 0
    assert "giống hệt bảng của bản tin" in capsys.readouterr().out
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == files
    edited = (out / "tables" / "units.csv")
    edited.write_bytes(files[edited].replace(b"63.74", b"64.74"))
    assert main(["score", str(HP), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "bản tin do chiso766 run làm" in err and "units.csv" in err and "Traceback" not in err
    assert b"64.74" in edited.read_bytes()


def test_score_then_run_into_the_same_folder_and_a_users_file_is_never_replaced(tmp_path, capsys):
    """`score` and `run` share their default folder (outputs/<report>/<period>): a run after a score
    takes the folder, as a score after a score its own tables. A table someone put there or corrected
    by hand is refused by both, naming it, and left as it is."""
    out = tmp_path / "2025"
    assert main(["score", str(HP), "--out", str(out)]) == 0
    first = (out / "tables" / "units.csv").read_bytes()
    assert main(["score", str(HP), "--out", str(out)]) == 0  # its own tables, unchanged, are replaced
    corrected = first.replace(b"63.74", b"64.74")
    (out / "tables" / "units.csv").write_bytes(corrected)
    capsys.readouterr()
    for command in ("score", "run"):
        assert main([command, str(HP), "--out", str(out)]) == 2
        err = capsys.readouterr().err
        assert "tables/units.csv" in err and "đã sửa sau khi" in err and "Traceback" not in err
        assert (out / "tables" / "units.csv").read_bytes() == corrected
    (out / "tables" / "units.csv").write_bytes(first)
    assert main(["run", str(HP), "--out", str(out)]) == 0
    assert (out / "manifest.json").is_file() and not (out / ".chiso766-score.json").exists()

    mine = tmp_path / "mine"
    (mine / "tables").mkdir(parents=True)
    (mine / "tables" / "units.csv").write_text("của tôi\n", encoding="utf-8")
    assert main(["score", str(HP), "--out", str(mine)]) == 2
    err = capsys.readouterr().err
    assert "không do chiso766 score ghi" in err and "tables/units.csv" in err
    assert (mine / "tables" / "units.csv").read_text(encoding="utf-8") == "của tôi\n"
    assert sorted(p.name for p in (mine / "tables").iterdir()) == ["units.csv"]


def test_data_of_another_province_than_the_params_name_is_refused(tmp_path, capsys):
    """Phú Thọ's snapshot under `province: Hải Phòng`: a bulletin headed for one province with the other's
    figures. Refused by `score` and by `run`, naming the key once and both provinces."""
    assert main(["score", str(PT), "-p", "province=Hải Phòng", "--out", str(tmp_path / "s")]) == 2
    err = capsys.readouterr().err
    assert 'khóa "province": là Thành phố Hải Phòng, nhưng dữ liệu vào' in err and "là của Tỉnh Phú Thọ" in err
    assert main(["run", str(PT), "-p", "province=Hải Phòng", "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert f'\nLỗi: {PT}: khóa "province": là Thành phố Hải Phòng' in err and err.count("2026-08.yaml") == 1
    assert not (tmp_path / "r").exists()


def test_failed_run_keeps_the_failed_notebook_and_the_previous_bulletin(hai_phong, tmp_path, capsys):
    out = tmp_path / "outputs" / "2025"
    shutil.copytree(hai_phong, out)
    bad = tmp_path / "bad.csv"
    bad.write_text("unit_name,tien_do_rate\nSở Y tế,130\n", encoding="utf-8")
    params = tmp_path / "p.yaml"
    params.write_text(f"report: bulletin_766\nperiod: '2025'\ninputs: {{scores: {bad}}}\n", encoding="utf-8")
    assert main(["run", str(params), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    # the input's message as it is: no class name, which a user cannot act on
    assert "InputError" not in err and "lỗi chương trình" not in err and "130" in err and "dòng 2" in err
    failed = tmp_path / "outputs" / "2025.failed.ipynb"
    assert failed.is_file() and "130" in failed.read_text(encoding="utf-8")
    assert (out / "bulletin.pdf").read_bytes() == (hai_phong / "bulletin.pdf").read_bytes()
    assert sorted(p.name for p in (tmp_path / "outputs").iterdir()) == ["2025", "2025.failed.ipynb"]


def test_phu_tho_bulletin_from_a_portal_snapshot(phu_tho):
    text = _flat(_pdf_text(phu_tho / "bulletin.pdf"))
    assert "Tháng 08/2026, Tỉnh Phú Thọ đạt 59,92 điểm" in text
    # the departments' rate is points over the maximum (Sở Nội vụ 32,15%, its dossiers' share 32,17%): said
    assert (
        "2. Kết quả đánh giá, xếp hạng của các sở, ban, ngành Tỷ lệ (%) trong các bảng dưới đây là mức đạt của "
        "nhóm chỉ số so với điểm tối đa của nhóm: điểm bằng tỷ lệ nhân với điểm tối đa. a) Nhóm chỉ số Công khai"
    ) in text
    page = (phu_tho / "bulletin.html").read_text(encoding="utf-8")
    # the comparison with the portal is for the auditor: in the page, not in the signed document
    assert (
        "khớp với điểm của Cổng ở 2.120/2.120 chỉ số thành phần; 4 chênh lệch được liệt kê ở mục “Chênh lệch giữa "
        "điểm tính lại và điểm của Cổng”." in page
    )
    assert "2.120/2.120" not in text and "2120" not in page
    # the province's 10 points of Công khai lost to 1.1 and 1.2 at 0/0, which its table of lost points leaves out
    assert (
        "Các chỉ số thành phần “Tỷ lệ TTHC công bố đúng hạn”, “Tỷ lệ TTHC được cập nhật, công khai đúng hạn” (nhóm "
        "Công khai, minh bạch) không phát sinh TTHC trong kỳ (mẫu số bằng 0) nên tỉnh không được điểm ở các chỉ số "
        "này (tối đa 10 điểm); điểm này chỉ được tính khi có TTHC phát sinh."
    ) in text
    # the input named for what it holds, never by its file's name
    assert "Hồ sơ thủ tục hành chính: đọc 184.513 dòng, dùng 184.513" in page and "dossiers.csv" not in page
    assert "Xã Thanh Thủy" in page  # a named difference with the portal
    components = (phu_tho / "tables" / "components.csv").read_text(encoding="utf-8-sig").splitlines()
    assert components[0].startswith("unit_code,unit_name,group,component,numerator,denominator,rate,threshold,max,points,portal_points")
    appendix = (phu_tho / "tables" / "appendix_xa.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(appendix) == 149
    assert (phu_tho / "figures" / "distribution_xa.svg").is_file()


def test_phu_tho_bulletin_says_where_the_province_stands_and_what_wins_points(phu_tho):
    """Issue 12 end to end: history and trend, points at stake, actions, procedures, and the plan."""
    text = _flat(_pdf_text(phu_tho / "bulletin.pdf"))
    assert "Tháng 08/2026, Tỉnh Phú Thọ đạt 59,92 điểm (tăng 0,8 điểm so với tháng 07/2026)" in text
    assert "Tỉnh Phú Thọ: tổng điểm qua các kỳ" in text and "Tháng 06/2026 55,44" in text
    assert "tạm tính" not in text  # August is over: nothing is provisional
    for name in ("province_trend", "history_province"):
        assert (phu_tho / "figures" / f"{name}.png").is_file() or (phu_tho / "tables" / f"{name}.csv").is_file()
    stakes = (phu_tho / "tables" / "points_at_stake.csv").read_text(encoding="utf-8-sig").splitlines()
    assert stakes[0] == ("unit_code,unit_name,tier,group,component,numerator,denominator,threshold,points,max,"
                         "points_lost,owner,fix_existing,future_only,points_per_dossier")
    assert "H44.100,Phường Việt Trì,xa,tien_do,2.1,2348,2971,100,15.81,20,4.19,unit,623,,0.006726" in stakes
    # the bottom commune's actions, and the procedure that costs the province most
    assert "Xã Tam Dương Bắc (48,47 điểm, xếp thứ 148/148): xử lý đúng hạn thêm 1 phản ánh, kiến nghị (tăng 6" in text
    assert "chưa có đơn vị nào đạt (0/184.503 hồ sơ)" in text  # 4.4: a gap of the province's system
    assert "2.000815" in text and "Các thủ tục hành chính làm tỉnh mất nhiều điểm nhất" in text
    history = (phu_tho / "tables" / "history.csv").read_text(encoding="utf-8-sig").splitlines()
    assert history[0].startswith("period,as_of,unit_code,unit_name,tier,")
    assert any(line.startswith("2026-07,2026-07-31,H44,Tỉnh Phú Thọ,tinh,") and line.endswith(",21,3.68,2") for line in history)


def test_plan_prints_a_unit_s_actions(phu_tho, capsys):
    assert main(["plan", "Phường Việt Trì", str(phu_tho)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Kế hoạch lấy lại điểm Bộ chỉ số 766 của phường Việt Trì\nTháng 08/2026\n"
                          "Tổng điểm: 62,88/100, xếp thứ 88/148 xã, phường, đặc khu.\n")
    first = out.index("1. Tỷ lệ hồ sơ giải quyết trước hạn, đúng hạn: đạt 2.348/2.971 hồ sơ, 15,81/20 điểm.")
    block = out[first:out.index("\n2. ")]
    assert "Việc cần làm: giải quyết trước hạn, đúng hạn thêm 623 hồ sơ (tăng 4,19 điểm)." in block
    assert "hồ sơ mới không bù được" in block  # no threshold: new dossiers alone never reach 100 %
    assert "2.343 hồ sơ đạt yêu cầu trên 2.972 hồ sơ của kỳ, hoặc 11.713 hồ sơ mới" in out  # 4.3, threshold 80 %
    theirs = out[out.index("Điểm bị mất không thuộc phạm vi đơn vị tự khắc phục:"):]
    assert "Tỷ lệ TTHC công khai đầy đủ các bộ phận tạo thành: mất 0,04 điểm (giá trị của tỉnh" in theirs
    assert "Hồ sơ số hóa có kết nối, chia sẻ dữ liệu: mất 4 điểm (chưa có đơn vị nào trong tỉnh đạt" in theirs
    assert "Nhóm Dịch vụ công trực tuyến: mất 5,52 điểm" in theirs
    # typed without accents, as the site's search takes it: the same unit; a near miss is suggested
    assert main(["plan", "Phuong Viet Tri", str(phu_tho)]) == 0 and capsys.readouterr().out == out
    assert main(["plan", "Phuong Viet Trii", str(phu_tho)]) == 2
    assert "không có đơn vị «Phuong Viet Trii» trong bản tin này; có phải: Phường Việt Trì," in capsys.readouterr().err


def test_unit_report(tmp_path):
    out = run(UNIT, out=tmp_path / "unit")
    lines = (out / "tables" / "unit_scores.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == ("as_of,cong_khai,tien_do,truc_tuyen,thanh_toan,hai_long,so_hoa,total,rank,"
                        "lost_cong_khai,lost_tien_do,lost_truc_tuyen,lost_thanh_toan,lost_hai_long,lost_so_hoa,"
                        "rank_of,rank_source,lost_total")
    # 31/08 is the real August snapshot: Phường Việt Trì (H44.100), recomputed from the portal's counts
    assert lines[2].startswith("2026-08-31,7.96,15.81,6.48,6.69,17.26,8.68,62.88,")
    text = _flat(_pdf_text(out / "bulletin.pdf"))
    assert "Phường Việt Trì" in text and "Số liệu minh họa" in text and "TM. ỦY BAN NHÂN DÂN" in text
    assert "mất 12,21 điểm" in text
    # no rank column: ranked among the 148 wards and communes, since the table holds every registered one
    assert "xếp thứ 38/148 xã, phường của tỉnh" in text and not re.search(r"(?<![\d/])1/1(?!\d)", text)


WEEKLY = ROOT / "params" / "weekly_tthc" / "2025-09-12_2025-09-18.yaml"


def test_weekly_notice_reads_like_reference_002(tmp_path):
    out = run(WEEKLY, out=tmp_path / "weekly")
    text = _flat(_pdf_text(out / "bulletin.pdf"))
    for phrase in ("THÔNG BÁO", "(từ ngày 12/9/2025 đến ngày 18/9/2025)",
                   "Tỷ lệ nộp hồ sơ trực tuyến của toàn thành phố đạt 87,62%", "là 50.133/57.219 hồ sơ), trong đó:",
                   "Các Sở, ban, ngành: Đạt 73,81% (6.664/9.029 hồ sơ). Số đơn vị đạt chỉ tiêu giao: 12/12 đơn vị.",
                   "Số địa phương đạt chỉ tiêu giao: 108/114 địa phương",
                   "Phường Đông Hải (32,86%), xã An Phú (42,70%), xã Cẩm Giàng (48,58%), xã Đại Sơn (56,50%), "
                   "phường Nguyễn Đại Năng (57,21%)",
                   "Sở Công Thương (25%), Sở Nông nghiệp và Môi trường (36,30%)",
                   "Phường An Biên (72,08%), xã Hải Hưng (97,39%)", "Xã Nghi Dương (98,06%)", "Phường Ngô Quyền (99%)",
                   "đạt 98,54%", "56.840/57.684", "6,20% (580/9.350 hồ sơ)", "0,55% (264/48.334 hồ sơ)",
                   "Sở Công Thương: 543/807 hồ sơ (67,29%)", "Phường Nguyễn Trãi: 186/399 hồ sơ (46,62%)",
                   "Sở Nội vụ: 846/846 hồ sơ", "Phường Hồng Bàng: 2.626/2.626 hồ sơ",
                   "Số đơn vị đạt tỷ lệ 100%: 7/12 đơn vị", "Số địa phương đạt tỷ lệ 100%: 82/114 địa phương"):
        assert phrase in text, phrase
    lines = (out / "tables" / "indicators.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("level,unit_code,unit_name,indicator,numerator,denominator,rate,target,meets_target")
    assert "province,,,online_submission,50133,57219,87.62,>=60,true" in lines[1]
    page = (out / "bulletin.html").read_text(encoding="utf-8")
    assert "http://" not in page and "https://" not in page
    for figure in ("indicators", "resolution"):
        assert (out / "figures" / f"{figure}.svg").is_file()


def test_766_bulletin_reconciles_dossiers_with_the_portal(phu_tho):
    text = _flat(_pdf_text(phu_tho / "bulletin.pdf"))
    page = (phu_tho / "bulletin.html").read_text(encoding="utf-8")
    assert "Đối chiếu dữ liệu hồ sơ của tỉnh với Cổng" in page
    assert "5 chỉ số thành phần của 5 đơn vị" in text  # the cause, in words, in the signed document
    assert "<td class=\"l\">Xã Sông Lô</td><td class=\"l\">2.1</td><td class=\"l\">1.920/2.405</td>" in page
    assert "Hồ sơ quá hạn của các sở, ban, ngành" in text
    assert "Tổng số của các sở, ban, ngành: không có hồ sơ quá hạn đang xử lý, 16.792 hồ sơ quá hạn đã xử lý" in text
    overdue = re.search(r"<table[^>]*>(?:(?!</table>).)*Quá hạn đã xử lý(?:(?!</table>).)*</table>", page, re.S)
    assert overdue and "Quá hạn đang xử lý" not in overdue[0], "a column of zeros only is not shown"
    assert "overdue_in_process" in (phu_tho / "tables" / "overdue_so.csv").read_text(encoding="utf-8-sig")
    head = (phu_tho / "tables" / "reconciliation.csv").read_text(encoding="utf-8-sig").splitlines()
    assert head[1].startswith("H44.167,Xã Sông Lô,tien_do,2.1,1920,2405,79.83,15.97,1979,2405,82.29,16.46,0.49")


def test_quarto_renders_when_present_and_asked(tmp_path, monkeypatch):
    """With `renderer: quarto` and a quarto binary on PATH, Quarto renders; without either, nbconvert+Typst."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "calls.txt"
    fake = bin_dir / "quarto"
    fake.write_text(f"""#!/bin/sh
echo "$@" >> {calls}
out=""; name=""
while [ $# -gt 0 ]; do case "$1" in --output) name="$2"; shift;; --output-dir) out="$2"; shift;; esac; shift; done
echo "quarto output" > "$out/$name"
""", encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{__import__('os').environ['PATH']}")
    out = run(UNIT, ["renderer=quarto"], tmp_path / "q")
    assert "render" in calls.read_text() and "--to typst" in calls.read_text()
    assert (out / "bulletin.pdf").read_text() == "quarto output\n"
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["renderer"] == "quarto"


def test_several_params_in_one_call(tmp_path, capsys):
    bad = tmp_path / "params" / "bulletin_766" / "bad.yaml"
    bad.parent.mkdir(parents=True)
    bad.write_text("report: bulletin_766\nperiod: '2025'\ninputs: {scores: nowhere.csv}\n", encoding="utf-8")
    good = tmp_path / "params" / "unit_report" / "2026-Q3.yaml"
    good.parent.mkdir(parents=True)
    good.write_text(UNIT.read_text(encoding="utf-8").replace("data/samples/", f"{ROOT}/data/samples/"), encoding="utf-8")
    assert main(["run", str(good), str(bad)]) == 2
    captured = capsys.readouterr()
    assert "nowhere.csv" in captured.err
    assert (tmp_path / "outputs" / "unit_report" / "2026-Q3" / "bulletin.pdf").is_file()


def test_runs_side_by_side_make_what_a_run_alone_makes(hai_phong, tmp_path):
    """Two params files in two threads: each output as its run alone would make it, outcomes in order."""
    copies = []
    for source in (HP, UNIT):
        copy = tmp_path / "params" / source.parent.name / source.name
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_text(source.read_text(encoding="utf-8").replace("data/", f"{ROOT}/data/"), encoding="utf-8")
        copies.append(str(copy))
    outcomes = list(run_many(copies, [], None, jobs=2))
    assert [o.params for o in outcomes] == copies and all(o.error == "" for o in outcomes)
    side = outcomes[0].out
    assert side == tmp_path / "outputs" / "bulletin_766" / "2025"
    made = sorted(p.relative_to(hai_phong) for p in hai_phong.rglob("*") if p.is_file())
    assert made == sorted(p.relative_to(side) for p in side.rglob("*") if p.is_file())
    for name in made:
        if name.name not in ("manifest.json", "notebook.ipynb"):  # these record when and from where
            assert (side / name).read_bytes() == (hai_phong / name).read_bytes(), name
    assert (outcomes[1].out / "bulletin.pdf").is_file()


def test_runs_side_by_side_of_one_folder_take_turns_and_leave_the_working_directory(tmp_path):
    """Runs side by side are threads of one process: two that make the same folder take turns (they
    would share its staging folder; with --if-changed, the second finds it made), and none changes the
    process's working directory (papermill's cwd would, for every thread at once)."""
    (copy,) = _params_copies(tmp_path, UNIT)
    here = os.getcwd()
    outcomes = list(run_many([copy, copy], [], None, jobs=2))
    assert os.getcwd() == here
    assert [o.error for o in outcomes] == ["", ""] and outcomes[0].out == outcomes[1].out
    folder = outcomes[0].out
    assert folder is not None and (folder / "bulletin.pdf").is_file() and (folder / "manifest.json").is_file()
    assert not [p.name for p in folder.parent.iterdir() if ".partial-" in p.name]
    listed = {o["path"] for o in json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["outputs"]}
    assert listed == {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()} - {"manifest.json"}
    (folder / "bulletin.html").unlink()  # no longer up to date: one run makes it, the other finds it made
    again = list(run_many([copy, copy], [], None, if_changed=True, jobs=2))
    assert sorted(o.skipped for o in again) == [False, True] and (folder / "bulletin.html").is_file()


def _cells(notebook: Path) -> list[tuple[object, object]]:
    """Each code cell's number and outputs, but for the injected parameters and the staging folder's
    path (a folder of its own in every run)."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return [
        (c["execution_count"], c["outputs"])
        for c in cells
        if c["cell_type"] == "code"
        and "injected-parameters" not in c["metadata"].get("tags", [])
        and ".partial-" not in json.dumps(c["outputs"])
    ]


def _params_copies(tmp_path: Path, *sources: Path) -> list[str]:
    """The params files copied into a project of their own under ``tmp_path`` (outputs go there),
    their data still read from the repository's."""
    copies = []
    for source in sources:
        copy = tmp_path / "params" / source.parent.name / source.name
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_text(source.read_text(encoding="utf-8").replace("data/", f"{ROOT}/data/"), encoding="utf-8")
        copies.append(str(copy))
    return copies


def test_runs_one_after_another_share_a_kernel_and_make_what_a_run_alone_makes(tmp_path):
    """Three params files in one thread: the kernel of the first runs the next two, reset in between;
    the Hải Phòng bulletin, run last, is byte for byte the one its params make alone, cells from 1."""
    copies = _params_copies(tmp_path, UNIT, PT, HP)
    alone = run(copies[-1], out=tmp_path / "alone")
    descriptors = len(os.listdir("/proc/self/fd"))
    outcomes = list(run_many(copies, [], None, jobs=1))
    assert all(o.error == "" for o in outcomes)
    # nothing of the kept kernel stays open (a dozen descriptors a run once did, until none was left)
    assert len(os.listdir("/proc/self/fd")) <= descriptors
    last = outcomes[-1].out
    made = sorted(p.relative_to(alone) for p in alone.rglob("*") if p.is_file())
    assert made == sorted(p.relative_to(last) for p in last.rglob("*") if p.is_file())
    for name in made:
        if name.name not in ("manifest.json", "notebook.ipynb"):
            assert (last / name).read_bytes() == (alone / name).read_bytes(), name
    assert _cells(last / "notebook.ipynb") == _cells(alone / "notebook.ipynb")
    assert _cells(last / "notebook.ipynb")[0][0] == 1


@pytest.mark.slow
def test_ctrl_c_stops_a_run_of_several_files_with_one_line(tmp_path):
    """Ctrl+C stops a -j 2 run at once: the threads' kernels are killed, and the terminal shows one
    line, never a run's traceback nor its client's "Kernel died"."""
    import signal
    import time

    copies = _params_copies(tmp_path, PT, HP, UNIT)
    command = [sys.executable, "-m", "chiso766", "run", "-j", "2", *copies]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    deadline = time.monotonic() + 120
    while len(list((tmp_path / "outputs").glob("*/.*.partial-*"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)  # until both threads are making a bulletin
    # and their kernels run its cells (a stop while they still start was quiet before): the three files
    # end 3,2 s after both folders are made (Intel Xeon), so not 2,5 s as waited before
    time.sleep(1.2)
    os.killpg(process.pid, signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, (stdout, stderr)
    assert stderr == "Lỗi: đã dừng theo yêu cầu (Ctrl+C)\n"
    # the stopped runs removed their half-written folders before the process left (they stayed till a next run)
    assert not list((tmp_path / "outputs").glob("*/.*.partial-*"))


@pytest.mark.slow
def test_sigterm_stops_a_run_as_ctrl_c_does(tmp_path):
    """`kill` (a service manager, a time limit) stopped a run where it stood, leaving its half-written
    folder until a next run; it now stops as on Ctrl+C: one line, exit 143, nothing half-written left."""
    import signal
    import time

    (copy,) = _params_copies(tmp_path, PT)
    process = subprocess.Popen([sys.executable, "-m", "chiso766", "run", copy], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not list((tmp_path / "outputs").glob("*/.*.partial-*")) and time.monotonic() < deadline:
        time.sleep(0.05)  # until it is making the bulletin
    # and its kernel runs the cells: the notebook ends some 1,6 s after the folder is made (Intel Xeon),
    # so the 1,5 s waited here before let a run end before the signal came
    time.sleep(0.5)
    process.send_signal(signal.SIGTERM)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 143, (stdout, stderr)
    assert stderr.splitlines()[-1] == "Lỗi: đã dừng theo tín hiệu dừng (SIGTERM)"
    assert not list((tmp_path / "outputs").glob("*/.*.partial-*"))


def _printed(manager: object, code: str) -> str:
    """What ``code`` prints, run in the kernel of ``manager`` (or the error it raised, in words).

    The text comes back in the execute reply (a user expression), not as broadcast output: a client
    that subscribes to the broadcast as the cell starts may miss it (ZeroMQ's late joiner)."""
    import ast

    client = manager.blocking_client()  # type: ignore[attr-defined]
    client.start_channels()
    wrapped = (
        "import contextlib as _c, io as _io\n_printed = _io.StringIO()\n"
        f"with _c.redirect_stdout(_printed):\n    exec(compile({code!r}, '<test>', 'exec'))\n"
    )
    try:
        reply = client.execute_interactive(
            wrapped, timeout=60, user_expressions={"out": "_printed.getvalue()"}, output_hook=lambda msg: None
        )
    finally:
        client.stop_channels()
    content = reply["content"]
    if content["status"] != "ok":
        return f"{content['ename']}: {content['evalue']}"
    return str(ast.literal_eval(content["user_expressions"]["out"]["data"]["text/plain"]))


@contextlib.contextmanager
def _kept_kernel(report: str, spare_core: bool = True) -> Iterator[Any]:
    """A kept kernel started for ``report``'s runs and ready (its manager), stopped on leaving."""
    from chiso766.publish import kernel

    kept = kernel.KeptKernel()
    kept.spare_core = spare_core
    try:
        kept.start(report)
        manager = kept.ready()
        assert manager is not None
        yield manager
    finally:
        kept.stop()


def test_a_kept_kernel_is_the_process_started_ahead_and_answers_as_one_launched():
    """A kept kernel's process is started before jupyter_client is imported (A46) and given its
    connection file when the manager has it: the same process then answers, in the notebooks' folder,
    knowing its parent, with pandas' kernel defaults (imported after the kernel started)."""
    from chiso766.publish import kernel

    kept = kernel.KeptKernel()
    try:
        kept.boot()
        process = kept.manager.provisioner.process
        assert "--chiso766-preboot" in Path(f"/proc/{process.pid}/cmdline").read_text()
        kept.start("bulletin_766")
        manager = kept.ready()
        assert manager is not None and manager.provisioner.process is process
        printed = _printed(
            manager,
            "import os, sys, json, pandas\n"
            "print(json.dumps([os.getcwd(), os.environ.get('JPY_PARENT_PID'), sys.argv[1],"
            " pandas.get_option('display.max_columns')]))",
        )
        assert json.loads(printed) == [str(kernel.NOTEBOOKS), str(os.getpid()), "-f", 20]
    finally:
        kept.stop()


def test_ctrl_c_kills_a_kernel_with_its_worker():
    """kill_all stops a kernel's whole process group: the worker a run's kernel started too."""
    from chiso766.publish import kernel

    with _kept_kernel("bulletin_766") as manager:
        printed = _printed(
            manager,
            "from chiso766.render import worker\nworker.warm()\nprint(worker._worker.process.pid)",
        )
        worker = int(printed)
        kernel.kill_all()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            stat = Path(f"/proc/{worker}/stat")
            if not stat.exists() or stat.read_text().split()[2] == "Z":  # gone (or ended, not yet reaped)
                break
            time.sleep(0.05)
        else:
            pytest.fail("the worker outlived its kernel")


def test_a_kernel_of_runs_side_by_side_is_launched_as_usual_without_a_worker():
    """run -j: a thread's kernel has no core to spare (A46, A47): no process started ahead, no worker;
    it draws the charts itself, matplotlib imported as the worker imports it (without help text)."""
    with _kept_kernel("unit_report", spare_core=False) as manager:
        assert "--chiso766-preboot" not in Path(f"/proc/{manager.provisioner.process.pid}/cmdline").read_text()
        printed = _printed(
            manager,
            "import sys, matplotlib.artist\nfrom chiso766.render import worker\n"
            "print(worker.warm(), worker._worker is None, 'matplotlib.pyplot' in sys.modules,"
            " matplotlib.artist.kwdoc is worker._no_help)",
        )
        assert printed.split() == ["False", "True", "True", "True"]


def test_a_run_kernel_with_a_core_to_spare_never_imports_matplotlib():
    """Its worker draws the charts (as the outline makes them) and encodes the tables: the kernel's
    imports before the first cell leave matplotlib and seaborn out."""
    with _kept_kernel("bulletin_766") as manager:
        printed = _printed(manager, "import sys\nprint(sorted(m for m in ('matplotlib', 'seaborn') if m in sys.modules))")
        assert printed.strip() == "[]"


def test_a_kernel_still_starting_ignores_ctrl_c_without_a_traceback():
    """Ctrl+C reaches every process of the terminal's group: a kernel process not yet started (here
    one started ahead, waiting for its arguments) ignores it, as the started kernel does, and prints
    nothing; `run` ends its kernels itself."""
    import signal
    import time

    from chiso766.publish import kernel

    process = subprocess.Popen(
        [*kernel._BATCH_KERNEL, "--chiso766-preboot"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    time.sleep(1.0)  # importing ipykernel, or waiting on stdin
    process.send_signal(signal.SIGINT)
    time.sleep(0.2)
    stdout, stderr = process.communicate(input="", timeout=60)  # no arguments: no kernel is wanted
    assert (process.returncode, stdout, stderr) == (0, "", "")


def test_a_process_started_ahead_serves_only_its_own_launch():
    """Another launch (another environment, folder or command) is not given to it: it ends, and so does
    one never launched, or killed with the rest on Ctrl+C."""
    from chiso766.publish import kernel

    command = [*kernel._BATCH_KERNEL, "-f", "k.json"]
    early = kernel._Preboot()
    cwd = str(kernel.NOTEBOOKS)
    assert early.fits(command, {"cwd": cwd, "env": early.env, "kernel_id": "k"})
    assert not early.fits(command, {"cwd": cwd, "env": {**early.env, "MPLBACKEND": "Agg"}})
    assert not early.fits(command, {"cwd": "/", "env": early.env})
    assert not early.fits([sys.executable, "-m", "ipykernel_launcher", "-f", "k.json"], {"cwd": cwd, "env": early.env})
    assert not early.fits(command, {"cwd": cwd, "env": early.env, "stdout": subprocess.DEVNULL})
    early.close()
    assert early.process.wait(timeout=30) == 0  # its stdin closed: it ends, having launched nothing
    killed = kernel._Preboot()
    kernel.kill_all()
    assert killed.process.poll() is not None and killed not in kernel._EARLY


def test_a_kept_kernel_sets_the_imported_library_aside_from_the_garbage_collector():
    """What the kept kernel's imports made is frozen (gc.freeze), once: the collector's full passes,
    one at each reset between runs, no longer walk it, and the collector is on again after. The
    kernel is ipykernel's without its debugger (debugpy) nor matplotlib, which its worker imports
    (A46), the notebook's folder on its path."""
    with _kept_kernel("unit_report") as manager:
        printed = _printed(
            manager,
            "import gc, sys, json; from pathlib import Path\n"
            "print(json.dumps([gc.get_freeze_count(), gc.isenabled(), 'chiso766.report.unit_report' in sys.modules,"
            " repr(sys.modules.get('debugpy', 'absent')), '' in sys.path, Path(sys.argv[0]).name,"
            " 'matplotlib' in sys.modules]))",
        )
        frozen, collecting, imported, debugpy, cwd_on_path, launcher, matplotlib = json.loads(printed)
        assert frozen > 50_000 and collecting and imported
        assert (debugpy, cwd_on_path, launcher, matplotlib) == ("None", True, "batch_kernel.py", False)


def test_a_kernel_of_another_interpreter_is_started_as_its_spec_says():
    """Only ipykernel's launcher in chiso766's own interpreter is swapped for the one without a debugger."""
    from jupyter_client.kernelspec import KernelSpec

    from chiso766.publish import kernel

    manager = kernel.kernel_manager()(kernel_name="python3")
    manager.connection_file, manager._launch_args = "k.json", {}
    for python, launcher in ((sys.executable, "chiso766.publish.batch_kernel"),
                             ("/opt/other/bin/python", "ipykernel_launcher")):
        manager._kernel_spec = KernelSpec(argv=[python, "-m", "ipykernel_launcher", "-f", "{connection_file}"])
        command = manager.format_kernel_cmd()
        assert command[:3] == [python, "-m", launcher] and command[-1].endswith("k.json")


def test_an_edited_page_template_is_read_again_by_the_same_process(tmp_path, monkeypatch):
    """The page's exporter is kept for a process's runs (its templates compiled once), not past an
    edit of them: a long session (JupyterLab) pages with what the manifest's code digest names."""
    import nbformat

    from chiso766.render import html

    templates = tmp_path / "templates"
    shutil.copytree(html._TEMPLATES, templates)
    monkeypatch.setattr(html, "_TEMPLATES", templates)
    notebook = nbformat.v4.new_notebook()
    before = html._page_of(notebook, "Báo cáo", "0")
    index = templates / "html" / "index.html.j2"
    index.write_text(index.read_text(encoding="utf-8").replace(
        '<main class="bulletin">', '<main class="bulletin" data-sua="1">'), encoding="utf-8")
    after = html._page_of(notebook, "Báo cáo", "0")
    assert 'data-sua="1"' not in before and 'data-sua="1"' in after
    assert html._page_of(notebook, "Báo cáo", "0") == after


def test_a_kept_kernel_that_cannot_start_leaves_the_run_to_papermill(tmp_path, monkeypatch):
    """The shared kernel is for speed only: when it cannot start, the run starts its own, as alone."""
    from chiso766.publish import kernel

    def cannot_start(self: object) -> None:
        raise RuntimeError("no kernel")

    monkeypatch.setattr(kernel.KeptKernel, "_boot", cannot_start)
    (outcome,) = run_many([str(UNIT)], [], str(tmp_path / "out"), jobs=1)
    assert outcome.error == "" and outcome.out is not None and (outcome.out / "bulletin.pdf").is_file()
