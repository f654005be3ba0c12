"""Workbooks people open in Excel, and CSV that Excel opens right (issue 14).

``tables.xlsx`` and ``tables/<name>.xlsx``: Vietnamese sheet names, headers and words for codes,
numbers as numbers in the documents' formats, dates as dates, a bold frozen header with a filter,
never a formula. ``tables/*.csv``: the machine format, behind a UTF-8 BOM.
"""

from __future__ import annotations

import csv
import io
import math
import re
import tempfile
import unicodedata
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import openpyxl
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from chiso766.core.errors import Diagnostics
from chiso766.core.methodology import GROUP_KEYS, load
from chiso766.ingest.scores import read_scores
from chiso766.publish.runner import run
from chiso766.render.tables import BOM, cell_text, csv_safe, to_csv_text, write_csv, write_tables
from chiso766.render.workbooks import (
    NUMBER_FORMATS,
    all_workbooks,
    layout,
    sheet_names,
    write_workbooks,
    write_xlsx,
)

ROOT = Path(__file__).resolve().parents[1]
PHU_THO = ROOT / "params" / "bulletin_766" / "2026-08.yaml"
SAMPLE_OUTPUTS = ROOT / "outputs"
TEXT_KINDS = {"text", "code"}
WORD_KINDS = {"group", "tier", "level", "owner", "bool", "status", "source", "rank_source", "data_quality",
              "zero_rule", "evidence", "index", "indicator"}
_TARGET = re.compile(r"(>=|<=|=|>|<)([0-9]+(?:\.[0-9]+)?)")
_TARGET_SIGNS = {">=": "≥", "<=": "≤", "=": "=", ">": ">", "<": "<"}
_EXCEL_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def excel_text(value: str) -> str:
    """A stored string as Excel shows it: ``_xHHHH_`` is the character HHHH (ECMA-376 ST_Xstring)."""
    return _EXCEL_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), value)


def excel_column(path: Path, column: str = "A") -> dict[int, str]:
    """The strings of one column of a one-sheet workbook as Excel reads them, by row.

    Read from the XML, not with openpyxl, which decodes ``_x005F_`` but no other escape: its values
    are neither what was stored nor what Excel shows.
    """
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    with zipfile.ZipFile(path) as book:
        shared = [
            "".join(t.text or "" for t in si.iter(f"{{{ns['m']}}}t"))
            for si in ElementTree.fromstring(book.read("xl/sharedStrings.xml")).findall("m:si", ns)
        ]
        sheet = ElementTree.fromstring(book.read("xl/worksheets/sheet1.xml"))
    cells = {}
    for c in sheet.iter(f"{{{ns['m']}}}c"):
        ref = c.get("r", "")
        if ref.rstrip("0123456789") == column and c.get("t") == "s":
            cells[int(ref[len(column) :])] = excel_text(shared[int(c.findtext("m:v", namespaces=ns) or "")])
    return cells


def read_csv_text(path_or_text: Path | str) -> pd.DataFrame:
    """A CSV as the machine reads it: every cell a string, empty for missing."""
    source = path_or_text if isinstance(path_or_text, Path) else io.StringIO(path_or_text)
    return pd.read_csv(source, encoding="utf-8-sig", dtype=str, keep_default_na=False)


def rows(sheet: Any) -> list[list[Any]]:
    return [[c.value for c in row] for row in sheet.iter_rows()]


def last_column(n: int) -> str:
    return openpyxl.utils.get_column_letter(n)


# the sample output -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def phu_tho(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run(PHU_THO, out=tmp_path_factory.mktemp("workbooks") / "phu-tho-2026-08")


def _expected(text: str, kind: str) -> Any:
    """What a workbook cell holds for the CSV cell ``text`` of a column of ``kind``, worked out here
    from the CSV alone (not with the writer's own functions)."""
    if text == "":
        return None
    if kind in NUMBER_FORMATS and kind != "date":
        return float(text)
    if kind == "date":
        return datetime.fromisoformat(text)
    if kind in WORD_KINDS:
        return layout().words[kind].get(text, text)
    if kind == "target" and (target := _TARGET.fullmatch(text)):
        return f"{_TARGET_SIGNS[target[1]]} {target[2].replace('.', ',')}%"
    # the CSV neutralises a would-be formula with a leading "'"; the workbook keeps the text as it is
    return text[1:] if text[:1] == "'" and text[1:2] in ("=", "+", "-", "@", "\t", "\r") else text


@pytest.mark.slow
def test_each_table_has_its_own_workbook_matching_its_csv(phu_tho: Path) -> None:
    csvs = sorted((phu_tho / "tables").glob("*.csv"))
    assert csvs and {p.stem for p in csvs} == {p.stem for p in (phu_tho / "tables").glob("*.xlsx")}
    for path in csvs:
        frame = read_csv_text(path)
        book = openpyxl.load_workbook(path.with_suffix(".xlsx"))
        assert book.sheetnames == sheet_names([layout().title(path.stem)]), path.name
        sheet = book.active
        header, *body = rows(sheet)
        # a column another one says (a code's words, a short name) is the CSV's alone
        keys = [c for c in frame.columns if layout().column(c).kind != "omit"]
        assert header == [layout().column(c).header for c in keys], path.name
        assert len(body) == len(frame), path.name
        for key, column in zip(keys, zip(*body, strict=True) if body else [()] * len(header), strict=True):
            kind = layout().column(key).kind
            assert list(column) == [_expected(t, kind) for t in frame[key]], f"{path.name}: {key}"


@pytest.mark.slow
def test_whole_workbook_has_every_table_as_its_own_workbook(phu_tho: Path) -> None:
    whole = openpyxl.load_workbook(phu_tho / "tables.xlsx")
    csvs = sorted((phu_tho / "tables").glob("*.csv"))
    assert len(whole.sheetnames) == len(csvs) == len(set(whole.sheetnames))
    titles = {layout().title(p.stem): p.stem for p in csvs}
    assert set(whole.sheetnames) == set(titles)  # the sample's titles are already valid sheet names
    for name in whole.sheetnames:
        own = openpyxl.load_workbook(phu_tho / "tables" / f"{titles[name]}.xlsx").active
        assert rows(whole[name]) == rows(own), name


@pytest.mark.slow
def test_sample_workbook_reads_as_a_vietnamese_table(phu_tho: Path) -> None:
    units = openpyxl.load_workbook(phu_tho / "tables.xlsx")["Điểm các đơn vị"]
    header = [c.value for c in units[1]]
    assert header[:3] == ["Mã đơn vị", "Tên đơn vị", "Khối"]
    assert header[3:9] == [load().group(g).name_vi for g in GROUP_KEYS]
    assert units.freeze_panes == "A2"
    assert units.auto_filter.ref == f"A1:{last_column(len(header))}{units.max_row}"
    assert all(c.font.b for c in units[1])
    tiers = {c.value for c in units["C"][1:]}
    assert tiers == {"Tỉnh, thành phố", "Sở, ban, ngành", "Xã, phường, đặc khu"}
    total = units.cell(2, header.index("Tổng điểm") + 1)
    assert isinstance(total.value, float) and total.number_format == "0.00"
    as_of = units.cell(2, header.index("Tính đến ngày") + 1)
    assert isinstance(as_of.value, datetime) and as_of.number_format == "dd/mm/yyyy"

    stakes = openpyxl.load_workbook(phu_tho / "tables" / "points_at_stake.xlsx").active
    header = [c.value for c in stakes[1]]
    numerator = stakes.cell(3, header.index("Tử số") + 1)
    assert isinstance(numerator.value, int) and numerator.number_format == "#,##0"
    assert {c.value for c in stakes[last_column(header.index("Phạm vi") + 1)][1:]} <= {"Tỉnh", "Đơn vị"}
    assert {c.value for c in stakes["D"][1:]} <= {g.name_vi for g in load().groups}
    for column in stakes.iter_cols(min_row=1, max_row=1):
        width = stakes.column_dimensions[column[0].column_letter].width
        assert 6 <= width <= 60


@pytest.mark.slow
def test_no_cell_of_any_workbook_is_a_formula(phu_tho: Path) -> None:
    for path in [phu_tho / "tables.xlsx", *sorted((phu_tho / "tables").glob("*.xlsx"))]:
        for sheet in openpyxl.load_workbook(path).worksheets:
            assert not [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"], path.name


@pytest.mark.slow
def test_each_tables_link_downloads_its_own_workbook(phu_tho: Path) -> None:
    page = (phu_tho / "bulletin.html").read_text(encoding="utf-8")
    links = re.findall(
        r'<p class="download">Tải bảng: <a href="tables/([^"]+)\.csv" download aria-label="[^"]+">CSV</a> · '
        r'<a href="([^"]+)" download aria-label="[^"]+">XLSX</a></p>',
        page,
    )
    assert links
    for name, xlsx in links:
        assert xlsx == f"tables/{name}.xlsx" and (phu_tho / xlsx).is_file(), name


@pytest.mark.slow
def test_every_csv_starts_with_one_bom(phu_tho: Path) -> None:
    paths = [*(phu_tho / "tables").glob("*.csv"), *(phu_tho / "figures").glob("*.csv")]
    assert paths
    for path in paths:
        raw = path.read_bytes()
        assert raw.startswith(BOM.encode("utf-8")) and BOM not in raw[3:].decode("utf-8"), path.name


@pytest.mark.slow
def test_every_column_and_table_of_the_sample_outputs_has_vietnamese_words(phu_tho: Path) -> None:
    """No column of a sample output falls back to its key as header (``columns.csv``), no table to its
    name as sheet title (``tables.csv``): the fresh run above, and every output of ``make report``."""
    paths = [*(phu_tho / "tables").glob("*.csv"), *SAMPLE_OUTPUTS.glob("*/*/tables/*.csv")]
    missing_columns = {
        f"{path.parent.parent.name}/{path.name}: {key}"
        for path in paths
        for key in next(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))), [])
        if key not in layout().columns
    }
    missing_tables = {path.stem for path in paths if path.stem not in layout().titles}
    assert not missing_columns and not missing_tables


# the layout data ---------------------------------------------------------------------------------


def test_layout_data_is_complete_and_valid() -> None:
    plan = layout()
    known = set(NUMBER_FORMATS) | TEXT_KINDS | WORD_KINDS | {"target", "omit"}
    assert {c.kind for c in plan.columns.values()} <= known
    assert all(c.header.strip() == c.header and c.header for c in plan.columns.values())
    words = [*(c.header for c in plan.columns.values()), *plan.titles.values()]
    assert all(unicodedata.is_normalized("NFC", w) for w in words), "Vietnamese in one spelling (NFC)"
    for key in GROUP_KEYS:
        assert plan.column(f"rank_{key}").kind == "integer" and plan.column(f"lost_{key}").kind == "points"
        assert plan.column(key).header == load().group(key).name_vi
    titles = list(plan.titles.values())
    assert sheet_names(titles) == titles, "every title in tables.csv is a valid, unique sheet name"
    assert plan.words["tier"] == {"tinh": "Tỉnh, thành phố", "so": "Sở, ban, ngành", "xa": "Xã, phường, đặc khu"}
    assert plan.words["bool"] == {"true": "Có", "false": "Không"}
    assert plan.words["owner"] == {"province": "Tỉnh", "unit": "Đơn vị"}


def test_sheet_names_are_what_excel_accepts() -> None:
    names = sheet_names(["Bảng [1]: a/b\\c*d?e", "bảng 1 a b c d e", "'trích'", "", "Đ" * 40, "đ" * 40])
    assert names[0] == "Bảng 1 a b c d e" and names[1] == "bảng 1 a b c d e (2)"
    assert names[2] == "trích" and names[3] == "Bảng"
    assert names[4] == "Đ" * 31 and names[5] == "đ" * 27 + " (2)"
    for name in names:
        assert 0 < len(name) <= 31 and not re.search(r"[\[\]:*?/\\]", name) and name[0] != "'" != name[-1]
    assert len({n.casefold() for n in names}) == len(names)


# the writer, on small tables ----------------------------------------------------------------------


def _small() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unit_code": ["H44.01", "H44.228", "H44"],
            "unit_name": ['=HYPERLINK("http://x")', "Xã Yên Phú", "Tỉnh Phú Thọ"],
            "tier": ["so", "xa", "tinh"],
            "group": ["cong_khai", "so_hoa", "nhóm trung bình"],
            "points": [Decimal("84.63"), None, Decimal("0")],
            "numerator": [50133, 0, None],
            "meets_target": [True, False, None],
            "owner": ["province", "unit", ""],
            "as_of": [date(2026, 9, 26), None, date(2025, 1, 2)],
            "rank": [1, None, 34],
            "points_per_dossier": [Decimal("0.000108"), None, Decimal("2")],
            "no_such_column": ["a", "-1+2", "@SUM(A1)"],
        },
        dtype=object,
    )


def test_small_table_header_values_and_formats(tmp_path: Path) -> None:
    path = write_xlsx({"units": _small()}, tmp_path / "t.xlsx")
    sheet = openpyxl.load_workbook(path)["Điểm các đơn vị"]
    # fmt: off
    assert rows(sheet) == [
        ["Mã đơn vị", "Tên đơn vị", "Khối", "Nhóm", "Điểm", "Tử số", "Đạt chỉ tiêu", "Phạm vi", "Tính đến ngày",
         "Xếp hạng", "Điểm mỗi hồ sơ", "no_such_column"],
        ["H44.01", "=HYPERLINK(\"http://x\")", "Sở, ban, ngành", "Công khai, minh bạch", 84.63, 50133, "Có", "Tỉnh",
         datetime(2026, 9, 26), 1, 0.000108, "a"],
        ["H44.228", "Xã Yên Phú", "Xã, phường, đặc khu", "Số hóa hồ sơ", None, 0, "Không", "Đơn vị", None, None,
         None, "-1+2"],
        ["H44", "Tỉnh Phú Thọ", "Tỉnh, thành phố", "nhóm trung bình", 0, None, None, None, datetime(2025, 1, 2),
         34, 2, "@SUM(A1)"],
    ]
    # fmt: on
    formats = [c.number_format for c in sheet[2]]
    assert formats[4:6] == ["0.00", "#,##0"] and formats[8:11] == ["dd/mm/yyyy", "0", "0.00########"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:L4"
    assert all(c.font.b for c in sheet[1]) and not any(c.font.b for c in sheet[2])
    assert sheet.column_dimensions["B"].width > sheet.column_dimensions["A"].width >= 6


def test_missing_is_an_empty_cell_never_zero(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {"total": [None, float("nan"), pd.NA, "", Decimal("0")], "as_of": [pd.NaT, None, "", None, None]}, dtype=object
    )
    sheet = openpyxl.load_workbook(write_xlsx({"units": frame}, tmp_path / "t.xlsx")).active
    assert rows(sheet)[1:] == [[None, None]] * 4 + [[0, None]]


def test_text_that_looks_like_a_formula_stays_text_and_marked(tmp_path: Path) -> None:
    names = ["=1+1", "+SUM(A1:A2)", "-cmd|' /C calc'!A0", "@SUM(A1)", "\tx", "=100", "Xã =A1"]
    frame = pd.DataFrame({"unit_name": names, "total": ["=1+1", "1", "2", "3", "4", "5", "6"]})
    sheet = openpyxl.load_workbook(write_xlsx({"units": frame}, tmp_path / "t.xlsx")).active
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert [c.value for c in cells] == names and {c.data_type for c in cells} == {"s"}
    assert [c.quotePrefix for c in cells] == [True] * 6 + [False]  # Excel keeps them text even when edited
    assert sheet["B2"].data_type == "s" and sheet["B2"].value == "=1+1"  # a points column holding text


def test_text_in_a_number_column_stays_as_given(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {"total": ["n/a", "1e3", "12.50", "-0.01"], "as_of": ["sau", "2026-13-01", "1899-12-31", "2026-02-03T10:30:00"]}
    )
    sheet = openpyxl.load_workbook(write_xlsx({"units": frame}, tmp_path / "t.xlsx")).active
    assert rows(sheet)[1:] == [
        ["n/a", "sau"],
        ["1e3", "2026-13-01"],
        [12.5, "1899-12-31"],
        [-0.01, datetime(2026, 2, 3, 10, 30)],
    ]
    assert sheet["B5"].number_format == "dd/mm/yyyy hh:mm"


def test_same_tables_give_the_same_bytes(tmp_path: Path) -> None:
    a = write_xlsx({"units": _small(), "groups": _small()}, tmp_path / "a.xlsx").read_bytes()
    b = write_xlsx({"units": _small(), "groups": _small()}, tmp_path / "b.xlsx").read_bytes()
    assert a == b
    (one,) = write_workbooks({"units": _small()}, tmp_path / "tables")
    assert one == tmp_path / "tables" / "units.xlsx" and openpyxl.load_workbook(one).sheetnames == ["Điểm các đơn vị"]


def test_an_empty_table_is_a_header_with_its_filter(tmp_path: Path) -> None:
    frame = pd.DataFrame(columns=["line", "id", "column", "reason"])
    sheet = openpyxl.load_workbook(write_workbooks({"quarantine_dossiers": frame}, tmp_path)[0]).active
    assert sheet.title == "Hồ sơ bị cách ly" and rows(sheet) == [["Dòng", "Mã", "Cột", "Lý do"]]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:D1"


# CSV: the BOM, and the same cells ----------------------------------------------------------------


def test_csv_starts_with_a_bom_and_reads_back_the_same_cells(tmp_path: Path) -> None:
    frame = _small()
    for path in [write_csv(frame, tmp_path / "units.csv"), *write_tables({"groups": frame}, tmp_path / "tables")]:
        raw = path.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbfunit_code,unit_name,")
        back = read_csv_text(path)
        assert list(back.columns) == list(frame.columns)
        assert back.loc[0, "points"] == "84.63" and back.loc[0, "numerator"] == "50133"  # "." decimals, no separator
        assert back.loc[0, "meets_target"] == "true" and back.loc[0, "as_of"] == "2026-09-26"
        assert back.loc[0, "unit_name"] == '\'=HYPERLINK("http://x")' and back.loc[1, "points"] == ""
        assert back.loc[1, "no_such_column"] == "'-1+2"
    assert to_csv_text(frame).startswith(BOM) and to_csv_text(frame).count(BOM) == 1


def test_a_scores_table_written_by_the_project_reads_back(tmp_path: Path) -> None:
    """The units table of one run, with its BOM, is a valid ``scores`` input of another."""
    frame = pd.DataFrame(
        {
            "unit_code": ["X1", "X2"],
            "unit_name": ["Xã Một", "Phường Hai"],
            "tier": ["xa", "xa"],
            **{key: [Decimal("5.5"), Decimal("1")] for key in GROUP_KEYS},
            "total": [Decimal("33"), Decimal("6")],
            "rank": [1, 2],
            "as_of": [date(2026, 8, 31), date(2026, 8, 31)],
        },
        dtype=object,
    )
    path = write_csv(frame, tmp_path / "units.csv")
    diagnostics = Diagnostics()
    scores = read_scores(path, lambda _: load(), None, None, diagnostics)
    assert list(scores["unit_code"]) == ["X1", "X2"] and list(scores["unit_name"]) == ["Xã Một", "Phường Hai"]
    assert list(scores["total"]) == [Decimal("33"), Decimal("6")] and list(scores["cong_khai"]) == [Decimal("5.5"), 1]
    assert list(scores["as_of"]) == [date(2026, 8, 31)] * 2
    assert not diagnostics.of_kind("ignored_column")


# any text, both ways ------------------------------------------------------------------------------


# any character, and often the ones that matter here: formula starts, line breaks, quotes, separators,
# Vietnamese letters and what Excel reads as an escaped character ("_x0041_")
_TRICKY = st.text(alphabet="=+-@\t\r\n_x0041AFaThàn phốĐđƯữ\"',;\ufeff\x00\x1f", max_size=40)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=40), _TRICKY), min_size=1, max_size=5))
@example(['=HYPERLINK("http://x")', "Thành phố", "a\r\nb\rc", "_x0041_ _x000D_", "\x00", " lead ", ""])
def test_any_text_cell_round_trips_through_csv_and_xlsx(texts: list[str]) -> None:
    frame = pd.DataFrame({"unit_name": texts, "note": ["x"] * len(texts)}, dtype=object)
    back = read_csv_text(to_csv_text(frame))
    assert list(back["unit_name"]) == [csv_safe(t) for t in texts]

    with tempfile.TemporaryDirectory() as folder:
        path = write_xlsx({"units": frame}, Path(folder) / "t.xlsx")
        shown = excel_column(path)
        sheet = openpyxl.load_workbook(path).active
    assert [shown.get(row, "") for row in range(2, len(texts) + 2)] == texts
    cells = [row[0] for row in sheet.iter_rows(min_row=2, max_row=len(texts) + 1)]
    assert all(c.data_type == "s" for c in cells if c.value is not None)


# the SpreadsheetML written directly (issue 15) ---------------------------------------------------


@pytest.mark.parametrize("text", ["_x0041_x0042_", "__x0041_", "\x01x0041_", "_x0041_\x02_x005F_", "a_x00e9_b"])
def test_chained_escapes_read_back_as_written(tmp_path: Path, text: str) -> None:
    """Every ``_`` that starts an ``_xHHHH_`` is escaped, also one sharing its ``_`` with the last."""
    path = write_xlsx({"units": pd.DataFrame({"unit_name": [text]})}, tmp_path / "t.xlsx")
    assert excel_column(path) == {1: "Tên đơn vị", 2: text}


def test_tables_written_together_give_the_same_files(tmp_path: Path) -> None:
    """``all_workbooks`` (what a bulletin's table files take) gives what the two writers write alone."""
    other = pd.DataFrame({"unit_name": ["Xã Yên Phú", "Phường Mới"], "tier": ["xa", "xa"], "total": [1, 2]})
    tables = {"units": _small(), "groups": other, "warnings": pd.DataFrame(columns=["kind"])}
    whole, each = all_workbooks(tables)
    alone = [write_xlsx(tables, tmp_path / "b" / "tables.xlsx"), *write_workbooks(tables, tmp_path / "b" / "tables")]
    assert [f"{name}.xlsx" for name in each] == [p.name for p in alone[1:]]
    assert [whole, *each.values()] == [p.read_bytes() for p in alone]
    together = openpyxl.load_workbook(io.BytesIO(whole))
    for name, data in each.items():  # each sheet's strings numbered in the whole workbook's table read back the same
        own = openpyxl.load_workbook(io.BytesIO(data)).active
        assert rows(together[own.title]) == rows(own), name


def test_every_part_is_well_formed_and_declared(tmp_path: Path) -> None:
    path = write_xlsx({"units": _small(), "groups": _small()}, tmp_path / "t.xlsx")
    with zipfile.ZipFile(path) as book:
        assert book.testzip() is None
        parts = {name: ElementTree.fromstring(book.read(name)) for name in book.namelist()}
    types = parts["[Content_Types].xml"]
    declared = {e.get("PartName") for e in types if e.get("PartName")}
    defaults = {e.get("Extension") for e in types if e.get("Extension")}
    assert declared | {"/_rels/.rels", "/xl/_rels/workbook.xml.rels"} == {f"/{name}" for name in parts} - {
        "/[Content_Types].xml"
    }
    assert defaults == {"rels", "xml"}
    for rels, folder in (("_rels/.rels", ""), ("xl/_rels/workbook.xml.rels", "xl/")):
        assert all(f"{folder}{r.get('Target')}" in parts for r in parts[rels]), rels
    assert openpyxl.load_workbook(path).properties.title == "Các bảng số liệu"


def test_no_table_is_one_empty_sheet(tmp_path: Path) -> None:
    book = openpyxl.load_workbook(write_xlsx({}, tmp_path / "t.xlsx"))
    assert book.sheetnames == ["Bảng"] and rows(book.active) == []


def test_a_text_longer_than_a_cell_holds_is_cut_at_its_limit(tmp_path: Path) -> None:
    texts = ["ă" * 40_000, "😀" * 20_000, "x" * 32_767]  # 😀 is two UTF-16 units, as Excel counts
    frame = pd.DataFrame({"unit_name": texts})
    cells = excel_column(write_xlsx({"units": frame}, tmp_path / "t.xlsx"))
    assert [cells[2], cells[3], cells[4]] == ["ă" * 32_767, "😀" * 16_383, "x" * 32_767]


_ANY_CELL = st.one_of(
    st.none(),
    st.just(pd.NA),
    st.booleans(),
    st.integers(),
    st.decimals(allow_nan=False, places=4),
    st.floats(),
    st.dates(),
    st.datetimes(),
    st.text(max_size=12),
    _TRICKY,
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(_ANY_CELL, min_size=3, max_size=3), max_size=6))
def test_every_cell_of_a_mixed_column_is_written_as_cell_text_makes_it(rows: list[list[object]]) -> None:
    """Cells of any type side by side in one column (the CSV writer takes the common types by their
    exact type first): each is read back as :func:`cell_text` gives it, text made safe."""
    frame = pd.DataFrame(rows, columns=["a", "b", "c"], dtype=object)
    back = list(csv.reader(io.StringIO(to_csv_text(frame).removeprefix(BOM)), lineterminator="\n"))
    expected = [[csv_safe(cell_text(v)) if isinstance(v, str) else cell_text(v) for v in row] for row in rows]
    assert back == [["a", "b", "c"], *expected]


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.floats(allow_nan=False, allow_infinity=False) | st.decimals(allow_nan=False), min_size=1),
    st.lists(st.integers(-(10**15), 10**15)),
    st.lists(st.dates(min_value=date(1900, 1, 1)) | st.datetimes(min_value=datetime(1900, 1, 1))),
)
def test_numbers_and_dates_read_back_as_the_csv_holds_them(
    points: list[float | Decimal], counts: list[int], dates: list[date]
) -> None:
    """A number is the float of its CSV text (the text itself when no float holds it), a whole one an
    integer; a date or a time is the same moment."""
    size = max(len(points), len(counts), len(dates))

    def pad(values: list[Any]) -> list[Any]:
        return values + [None] * (size - len(values))

    frame = pd.DataFrame({"total": pad(points), "numerator": pad(counts), "as_of": pad(dates)}, dtype=object)
    with tempfile.TemporaryDirectory() as folder:
        sheet = openpyxl.load_workbook(write_xlsx({"units": frame}, Path(folder) / "t.xlsx")).active
        back = rows(sheet)[1:]
    texts = read_csv_text(to_csv_text(frame))
    for row, (total, numerator, as_of) in zip(back, texts.itertuples(index=False), strict=True):
        number = None if total == "" else float(total)
        assert row[0] == (number if number is None or math.isfinite(number) else total)
        assert row[1] == (None if numerator == "" else int(numerator)) and type(row[1]) is not float
        # a time is kept to the millisecond Excel shows
        moment = None if as_of == "" else datetime.fromisoformat(as_of)
        assert row[2] == moment or abs(row[2] - moment).total_seconds() < 1e-3


def test_numpy_scalars_are_written_as_the_numbers_and_words_they_are(tmp_path):
    """numpy's float64 (a float whose repr is "np.float64(1.5)") and bool_ in an object column."""
    import numpy as np

    frame = pd.DataFrame({"total": pd.Series([np.float64(84.63), np.float64(50133.0), None], dtype=object),
                          "meets_target": pd.Series([np.bool_(True), np.bool_(False), None], dtype=object)})
    assert to_csv_text(frame).splitlines()[1:] == ["84.63,true", "50133,false", ","]
    sheet = openpyxl.load_workbook(write_xlsx({"units": frame}, tmp_path / "t.xlsx")).active
    assert [[c.value for c in row] for row in sheet.iter_rows(min_row=2)] == [[84.63, "Có"], [50133, "Không"]]


def test_indicator_words_are_the_weekly_notices_names() -> None:
    """The workbook names each indicator as the notice does (values.csv and weekly_tthc.yaml agree)."""
    from chiso766.compute.indicators import INDICATORS
    from chiso766.report.weekly_tthc import wording

    names = {key: item["name"] for key, item in wording()["indicators"].items()}
    assert layout().words["indicator"] == names and set(names) == set(INDICATORS)
    assert {layout().words[kind].get(code) for kind, code in [("status", "scored"), ("source", "recomputed")]} == {
        "Tính điểm", "Tính lại từ tử số, mẫu số"}


def test_the_bulletin_names_the_sheets_of_set_aside_rows_as_the_workbook_titles_them() -> None:
    from chiso766.report.bulletin_766 import _QUARANTINE_SHEETS

    assert {k: layout().title(f"quarantine_{k}") for k in _QUARANTINE_SHEETS} == _QUARANTINE_SHEETS
