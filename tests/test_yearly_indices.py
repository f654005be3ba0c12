"""Issue 13: the yearly reform indices (PAR Index, SIPAS, PAPI, PCI, DTI) reported as reference 003 does."""

from __future__ import annotations

import csv
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chiso766.compute.indices import TABLE_COLUMNS, index_facts, indices_table
from chiso766.core.errors import InputError, ParamsError
from chiso766.core.params import load_params
from chiso766.ingest.indices import read_indices
from chiso766.report import yearly_indices
from chiso766.report.outline import Bullets, Paragraph
from tests.conftest import ROOT

SAMPLE = ROOT / "params/yearly_indices/2024.yaml"
HEADER = ["index", "year", "province", "component", "value", "max", "rank", "of", "national_mean", "group", "group_size"]


def _csv(path: Path, rows: list[list[object]], header: list[str] = HEADER) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(["" if v is None else v for v in row] for row in rows)
    return path


def _text(document: Any) -> str:
    parts = []
    for section in document.sections:
        for block in section.blocks:
            if isinstance(block, Paragraph):
                parts.append(block.text)
            elif isinstance(block, Bullets):
                parts.extend(block.items)
    return " ".join(parts)


@pytest.fixture(scope="module")
def sample() -> tuple[Any, Any]:
    y = yearly_indices.build(SAMPLE)
    return y, yearly_indices.outline(y)


def test_the_sample_reproduces_reference_003(sample: tuple[Any, Any]) -> None:
    _, document = sample
    text = _text(document)
    assert text.startswith(
        "Năm 2024, Chỉ số Cải cách hành chính (PAR Index) của thành phố đạt 96,17 điểm, cao hơn 4,3% so với năm 2023, "
        "cao hơn 7,8% so với trung bình của cả nước, xếp hạng thứ 1/63 tỉnh, thành phố trực thuộc Trung ương; "
        "Chỉ số Hài lòng đối với sự phục vụ hành chính (SIPAS) của thành phố đạt 91,10%, tăng 2,20% so với năm 2023 "
        "và tăng 4 bậc trên bảng xếp hạng"
    )
    assert "Chỉ số Hiệu quả quản trị hành chính công (PAPI) của thành phố đạt 42,7037/80 điểm, xếp trong nhóm trung " \
           "bình thấp gồm 15 tỉnh, thành phố." in text
    for figure in ("96,17", "4,3%", "7,8%", "1/63", "91,10%", "2,20%", "tăng 4 bậc", "42,7037/80", "nhóm trung bình thấp"):
        assert figure in text
    # a công văn as 003: V/v, Kính gửi, the Chairman's numbered tasks to named agencies, "./."
    assert document.form == "cong_van" and document.subject.startswith("tiếp tục nâng cao")
    assert document.to == ["Các sở, ban, ngành trực thuộc Ủy ban nhân dân thành phố", "Ủy ban nhân dân các xã, phường, đặc khu"]
    numbered = [b.text for s in document.sections for b in s.blocks if isinstance(b, Paragraph) and b.text[:2] in {"1.", "2.", "6."}]
    assert numbered[0].startswith("1. Các sở, ban, ngành") and "2. Sở Nội vụ:" in numbered and "6. Sở Tài chính:" in numbered
    assert document.closing.endswith("khẩn trương tổ chức triển khai thực hiện./.")
    # a legend's entries stand alone, each with its capital
    trends = [b.chart for sec in document.sections for b in sec.blocks if getattr(b, "name", "").startswith("trend_")]
    assert trends and all(list(c.args["series"]) == ["Thành phố Hải Phòng", "Trung bình cả nước"] for c in trends)
    # written after the merger: whose 2024 figures they are and among how many provinces
    assert "Số liệu năm 2023, 2024 là của thành phố Hải Phòng trước khi hợp nhất với tỉnh Hải Dương (ngày 01/07/2025); " \
           "thứ hạng các năm đó tính trong 63 tỉnh, thành phố." in text


def test_indices_table_arithmetic_is_exact(sample: tuple[Any, Any]) -> None:
    y, _ = sample
    table = y.table.set_index(["index", "year"])
    assert list(y.table.columns) == TABLE_COLUMNS
    par = table.loc[("par", 2024)]
    assert (par["change"], par["gap_to_mean"], par["points_lost"], par["previous_year"]) == (
        Decimal("4.30"), Decimal("7.80"), Decimal("3.83"), 2023)
    sipas = table.loc[("sipas", 2024)]
    assert (sipas["change"], sipas["rank_change"], sipas["gap_to_mean"]) == (Decimal("2.20"), 4, Decimal("7.16"))
    papi = table.loc[("papi", 2024)]
    assert (papi["change"], papi["rank_change"], papi["points_lost"]) == (None, None, Decimal("37.2963"))
    assert table.loc[("par", 2023)]["change"] is None  # no earlier year: empty, never 0


def _table(tmp_path: Path, rows: list[list[object]]) -> Any:
    return indices_table(read_indices(_csv(tmp_path / "indices.csv", rows)))


def test_a_missing_previous_year_compares_with_the_latest_present(tmp_path: Path) -> None:
    table = _table(tmp_path, [
        ["pci", 2021, "Tỉnh Mẫu", "", "65.5", "", 20, 63, "", "", ""],
        ["pci", 2024, "Tỉnh Mẫu", "", "68.25", "", 12, 63, "", "", ""],
    ])
    row = table[table["year"] == 2024].iloc[0]
    assert (row["change"], row["previous_year"], row["rank_change"]) == (Decimal("2.75"), 2021, 8)


def test_one_province_spelled_three_ways_is_one_province_of_the_table(tmp_path: Path) -> None:
    """"Hai Phong" (no accents) and "TP Hải Phòng" are the list's "Hải Phòng": its rows stay together,
    its change is computed; a province not among the 34 keeps its name as typed."""
    table = _table(tmp_path, [
        ["par", 2024, "Hai Phong", "", "96.17", "", 1, 63, "", "", ""],
        ["pci", 2024, "Tỉnh Mẫu", "", "68.25", "", 12, 63, "", "", ""],
        ["par", 2023, "TP Hải Phòng", "", "91.87", "", "", "", "", "", ""],
        ["par", 2024, "Tinh Mau", "", "70", "", "", "", "", "", ""],
    ])
    assert list(zip(table["index"], table["province"], table["year"], strict=True)) == [
        ("par", "Hải Phòng", 2023), ("par", "Hải Phòng", 2024), ("par", "Tinh Mau", 2024), ("pci", "Tỉnh Mẫu", 2024)]
    assert table.iloc[1]["change"] == Decimal("4.30")


def test_ranks_among_63_and_among_34_are_not_compared(tmp_path: Path) -> None:
    rows = [
        ["par", 2024, "Hải Phòng", "", "96.17", "", 1, 63, "88.37", "", ""],
        ["par", 2025, "Hải Phòng", "", "93.5", "", 3, 34, "90", "", ""],
    ]
    table = _table(tmp_path, rows)
    row = table[table["year"] == 2025].iloc[0]
    assert row["rank_change"] is None and row["change"] == Decimal("-2.67")
    facts = index_facts(table, "Thành phố Hải Phòng", 2025)
    assert not facts[0].same_list
    params = tmp_path / "params" / "y.yaml"
    params.parent.mkdir()
    params.write_text(
        f"report: yearly_indices\nperiod: 2025\nprovince: Hải Phòng\ninputs:\n  indices: {tmp_path / 'indices.csv'}\n"
        "document:\n  form: bao_cao\n",
        encoding="utf-8",
    )
    document = yearly_indices.outline(yearly_indices.build(params))
    text = _text(document)
    assert "đạt 93,5 điểm, thấp hơn 2,67% so với năm 2024, cao hơn 3,5% so với trung bình của cả nước, " \
           "xếp hạng thứ 3/34 tỉnh, thành phố trực thuộc Trung ương (năm 2024 xếp hạng thứ 1/63 tỉnh, thành phố " \
           "trước khi sắp xếp đơn vị hành chính)" in text
    assert "bậc" not in text  # no places gained or lost between two different lists
    assert "Số liệu năm 2024 là của thành phố Hải Phòng trước khi hợp nhất với tỉnh Hải Dương" in text
    assert [s.id for s in document.sections if not s.appendix][-3:] == ["ket-qua", "ton-tai", "de-xuat"]


def test_components_that_lost_most_points_become_tasks(tmp_path: Path) -> None:
    rows = [
        ["par", 2024, "Tỉnh Mẫu", "", "85.2", "", 30, 63, "88.37", "", ""],
        ["par", 2024, "Tỉnh Mẫu", "Cải cách thủ tục hành chính", "10.5", "13", "", "", "", "", ""],
        ["par", 2024, "Tỉnh Mẫu", "Xây dựng, phát triển Chính phủ điện tử, Chính phủ số", "7", "11.5", "", "", "", "", ""],
        ["par", 2024, "Tỉnh Mẫu", "Cải cách tài chính công", "7.6", "8", "", "", "", "", ""],
    ]
    table = _table(tmp_path, rows)
    facts = index_facts(table, "Tỉnh Mẫu", 2024)
    assert list(facts[0].components["points_lost"]) == [Decimal("4.5"), Decimal("2.5"), Decimal("0.4")]
    params = tmp_path / "params" / "y.yaml"
    params.parent.mkdir()
    params.write_text(
        f"report: yearly_indices\nperiod: 2024\nprovince: Tỉnh Mẫu\ninputs:\n  indices: {tmp_path / 'indices.csv'}\n",
        encoding="utf-8",
    )
    y = yearly_indices.build(params)
    document = yearly_indices.outline(y)
    text = _text(document)
    assert "thấp hơn 3,17% so với trung bình của cả nước" in text
    assert "PAR Index: lĩnh vực “Xây dựng, phát triển Chính phủ điện tử, Chính phủ số” đạt 7/11,5, bị trừ 4,5 điểm" in text
    assert "Khắc phục các nội dung bị trừ điểm ở lĩnh vực “Cải cách thủ tục hành chính” của PAR Index (bị trừ 2,5 điểm)." in text
    assert {f.name for f in document.figures()} == {"components_par"}


@pytest.mark.parametrize(
    ("row", "column", "words"),
    [
        (["pari", 2024, "Tỉnh Mẫu", "", "80", "", "", "", "", "", ""], "index", "không có trong danh mục"),
        (["papi", 2024, "Tỉnh Mẫu", "", "81", "", "", "", "", "", ""], "value", "lớn hơn điểm tối đa 80"),
        (["par", 2024, "Tỉnh Mẫu", "", "80", "", 64, 63, "", "", ""], "rank", "lớn hơn số tỉnh được xếp hạng (63)"),
        (["par", "năm 2024", "Tỉnh Mẫu", "", "80", "", "", "", "", "", ""], "year", "không hợp lệ"),
        (["par", 2024, "Tỉnh Mẫu", "", "tám mươi", "", "", "", "", "", ""], "value", "không phải là số"),
        (["par", 2024, "Tỉnh Mẫu", "", "-1", "", "", "", "", "", ""], "value", "số âm"),
        (["par", 2024, "Tỉnh Mẫu", "", "", "", "", "", "", "", ""], "value", "thiếu giá trị"),
        (["par", 2024, "Tỉnh Mẫu", "", "80", "", "1,5", "", "", "", ""], "rank", "không phải là số nguyên"),
        (["dti", 2024, "Tỉnh Mẫu", "", "612,5", "", "", "", "1200", "", ""], "national_mean", "nằm ngoài khoảng"),
    ],
)
def test_bad_input_names_the_row_and_column(tmp_path: Path, row: list[object], column: str, words: str) -> None:
    path = _csv(tmp_path / "indices.csv", [["par", 2023, "Tỉnh Mẫu", "", "75", "", "", "", "", "", ""], row])
    with pytest.raises(InputError) as caught:
        read_indices(path)
    assert (caught.value.row, caught.value.column) == (3, column)
    assert words in str(caught.value)


def test_a_row_twice_and_a_missing_column_are_named(tmp_path: Path) -> None:
    row = ["sipas", 2024, "Tỉnh Mẫu", "", "80", "", "", "", "", "", ""]
    with pytest.raises(InputError, match="lặp lại chỉ số, năm, tỉnh và thành phần của dòng 2"):
        read_indices(_csv(tmp_path / "twice.csv", [row, [*row[:4], "81", *row[5:]]]))
    with pytest.raises(InputError) as caught:
        read_indices(_csv(tmp_path / "no-value.csv", [["par", 2024, "Tỉnh Mẫu"]], ["index", "year", "province"]))
    assert caught.value.column == "value"


def test_vietnamese_headers_and_index_names_are_read(tmp_path: Path) -> None:
    header = ["Chỉ số", "Năm", "Tỉnh", "Lĩnh vực", "Điểm", "Xếp hạng", "Trên", "Trung bình cả nước"]
    frame = read_indices(_csv(tmp_path / "vi.csv", [["PAR Index", 2024, "Hải Phòng", "", "96,17", 1, 63, "88,37"]], header))
    row = frame.iloc[0]
    assert (row["index"], row["value"], row["max"], row["national_mean"]) == ("par", Decimal("96.17"), Decimal(100), Decimal("88.37"))


def test_params_need_the_table_and_a_year(tmp_path: Path) -> None:
    params = tmp_path / "params" / "y.yaml"
    params.parent.mkdir()
    params.write_text("report: yearly_indices\nperiod: 2024\ninputs:\n  units: u.csv\n", encoding="utf-8")
    with pytest.raises(ParamsError, match="inputs.indices"):
        load_params(params, check_inputs=False)
    params.write_text("report: yearly_indices\nperiod: 2024-Q1\ninputs:\n  indices: i.csv\n", encoding="utf-8")
    with pytest.raises(ParamsError, match="period phải là một năm"):
        load_params(params, check_inputs=False)


_value = st.decimals(min_value=0, max_value=80, places=4, allow_nan=False, allow_infinity=False)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["par", "sipas", "papi", "pci"]), st.integers(2015, 2026), _value), min_size=1, max_size=8,
                unique_by=lambda t: (t[0], t[1])))
def test_the_reader_keeps_every_figure_as_typed(tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[str, int, Decimal]]) -> None:
    path = _csv(tmp_path_factory.mktemp("prop") / "i.csv",
                [[k, year, "Tỉnh Mẫu", "", str(v).replace(".", ","), "", "", "", "", "", ""] for k, year, v in rows])
    frame = read_indices(path)
    assert [(r["index"], r["year"], r["value"]) for r in frame.to_dict("records")] == list(rows)
    table = indices_table(frame)
    for r in table.to_dict("records"):
        earlier = [v for k, year, v in rows if k == r["index"] and year < r["year"]]
        latest = max((year for k, year, _ in rows if k == r["index"] and year < r["year"]), default=None)
        expected = None if latest is None else r["value"] - next(v for k, y, v in rows if k == r["index"] and y == latest)
        assert r["change"] == expected and (latest is None) == (not earlier)


def test_the_pdf_is_signable(tmp_path: Path) -> None:
    """The sample run end to end: the signed PDF says 003's figures and nothing a signer would strike."""
    import subprocess

    from chiso766.publish.runner import run

    out = run(SAMPLE, out=tmp_path / "out")
    text = re.sub(r"\s+", " ", subprocess.run(["pdftotext", str(out / "bulletin.pdf"), "-"], capture_output=True, text=True, check=True).stdout)
    for figure in ("96,17 điểm", "cao hơn 4,3%", "cao hơn 7,8%", "1/63", "91,10%", "tăng 2,20%", "tăng 4 bậc", "42,7037/80", "nhóm trung bình thấp"):
        assert figure in text, figure
    assert "Phụ lục " in text and "Phụ lục I" not in text and (out / "tables" / "indices.csv").is_file() and (out / "figures" / "trend_par.png").is_file()
    for token in ("None", "nan", "par", "sipas", "papi", "indices.csv", "national_mean"):
        assert not re.search(rf"\b{token}\b", text), token
    # the params name "Như kính gửi": the recipients do not say it twice with "Như trên"
    assert "- Như kính gửi;" in text and "Như trên" not in text
