"""Issue 11, item 6: every silent case of bad input now refuses by name or warns.

Each case ends in one verdict: a named :class:`InputError` (file, row, column or JSON path, in
Vietnamese), a quarantined row with its reason and true line, a warning the bulletin's data-quality
part lists, or held (read exactly as before). Inputs are never modified by reading them.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import tempfile
import zipfile
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from openpyxl import Workbook

from chiso766.core.errors import Diagnostics, InputError, ParamsError
from chiso766.core.methodology import load, version_for
from chiso766.core.params import load_params, validate
from chiso766.ingest.dossiers import load_complaints, load_dossiers
from chiso766.ingest.portal import MAX_COUNT, read_snapshot
from chiso766.ingest.scores import read_scores
from chiso766.ingest.tabular import read_table
from chiso766.ingest.units import Registry, Unit, load_registry

ROOT = Path(__file__).resolve().parents[1]
HEADER = "unit_name,tier,cong_khai,tien_do,total\n"
REGISTRY = Registry([Unit("U1", "Sở Một", "so"), Unit("S1", "Xã Một", "xa")])
DOSSIER_HEADER = "dossier_id,unit_code,channel,received_at,due_at,finished_at\n"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------------------------------------------
# Params: as_of within the period, full-width digits, unknown province, the snapshot's own period

BASE = {"report": "bulletin_766", "period": "2026-08", "inputs": {"scores": "s.csv"}}


@pytest.mark.parametrize(
    "change, column, words",
    [
        ({"as_of": "2026-07-31"}, "as_of", "trước ngày bắt đầu của kỳ 2026-08"),
        ({"period": "2026-Q3", "as_of": "2026-06-30"}, "as_of", "01/07/2026"),
        ({"period": "2026", "as_of": "2025-12-31"}, "as_of", "trước ngày bắt đầu"),
        ({"period": "２０２６-08"}, "period", "toàn khổ"),
        ({"period": "2026-０８"}, "period", "«2026-08»"),
        ({"period": "٢٠٢٦-08"}, "period", "chữ số 0–9"),
        ({"as_of": "２０２６-09-26"}, "as_of", "toàn khổ"),
        ({"as_of": "2025-02-30"}, "as_of", "không có trên lịch"),
        ({"period": "2020", "as_of": None}, "period", "trước ngày Bộ chỉ số 766 có hiệu lực"),
        ({"period": "2026-13"}, "period", "tháng 13"),
        ({"targets": {"online_submision": ">=60"}}, "targets.online_submision", "online_submission"),
        ({"issuer": {"date": "２０２６-09-30"}}, "issuer.date", "toàn khổ"),
    ],
)
def test_params_refused_by_name(change, column, words):
    raw = BASE | change
    if raw.get("as_of") is None:
        raw.pop("as_of", None)
    with pytest.raises(ParamsError) as info:
        validate(raw, Path("p.yaml"), check_inputs=False)
    assert info.value.column == column, str(info.value)
    assert words in str(info.value) and "p.yaml" in str(info.value)


@pytest.mark.parametrize(
    "change, as_of",
    [
        ({"as_of": "2026-09-26"}, "2026-09-26"),  # a month's figures captured in September: legitimate
        ({"as_of": "2026-08-01"}, "2026-08-01"),  # the first day
        ({}, "2026-08-31"),  # default: the period's end
        ({"period": "2025-09-12..2025-09-18", "as_of": "2025-09-20"}, "2025-09-20"),
        ({"period": "2020", "as_of": None, "methodology_version": "2025"}, "2020-12-31"),  # stated: allowed
    ],
)
def test_params_as_of_held(change, as_of):
    raw = BASE | change
    if raw.get("as_of") is None:
        raw.pop("as_of", None)
    assert validate(raw, None, check_inputs=False).as_of.isoformat() == as_of


def test_full_width_period_from_the_command_line(tmp_path):
    (tmp_path / "s.csv").write_text("unit_name,total\nSở Y tế,80\n", encoding="utf-8")
    path = tmp_path / "p.yaml"
    path.write_text(f"report: bulletin_766\nperiod: '2026-08'\ninputs: {{scores: {tmp_path / 's.csv'}}}\n")
    with pytest.raises(ParamsError) as info:
        load_params(path, ["period=２０２６-08"])
    assert info.value.column == "period" and "-p period=" in str(info.value) and "toàn khổ" in str(info.value)


@pytest.mark.parametrize(
    "province, warned",
    [
        ("Tỉnh Mẫu", True),
        ("Xứ Sở Thần Tiên", True),
        ("Phú Thọ", False),
        ("UBND tỉnh Phú Thọ", False),
        ("Thành phố Hải Phòng", False),
        (None, False),
    ],
)
def test_unknown_province_is_a_warning_carried_by_params(province, warned):
    raw = BASE | ({"province": province} if province else {})
    params = validate(raw, Path("p.yaml"), check_inputs=False)
    assert bool(params.warnings) == warned
    if warned:
        (warning,) = params.warnings
        assert warning.kind == "unknown_province" and warning.column == "province" and province in warning.message


def test_every_sample_params_still_valid():
    for path in sorted((ROOT / "params").glob("*/*.yaml")):
        params = load_params(path)
        assert params.as_of >= params.period.start, path


def _portal_params(tmp_path: Path, period: str, snapshot: dict | str | None) -> dict:
    folder = tmp_path / "portal"
    folder.mkdir(exist_ok=True)
    (folder / "transparency.json").write_text("{}", encoding="utf-8")
    if snapshot is not None:
        text = snapshot if isinstance(snapshot, str) else json.dumps(snapshot)
        (folder / "snapshot.json").write_text(text, encoding="utf-8")
    return {"report": "bulletin_766", "period": period, "inputs": {"portal": str(folder)}}


@pytest.mark.parametrize(
    "period, snapshot, words",
    [
        ("2026-08", {"period": "2026-07"}, "kỳ «2026-07»"),
        ("2026-Q3", {"period": "2026-08"}, "không phải kỳ «2026-Q3»"),
        ("2026-08", {"period": "2026-13"}, "không hợp lệ"),
        ("2026-08", "{not json", "không đọc được"),
    ],
)
def test_snapshot_of_another_period_is_refused(tmp_path, period, snapshot, words):
    with pytest.raises(ParamsError) as info:
        validate(_portal_params(tmp_path, period, snapshot), Path("p.yaml"))
    assert info.value.column == "inputs.portal" and words in str(info.value)


@pytest.mark.parametrize(
    "period, snapshot",
    [("2026-08", {"period": "2026-08"}), ("2026-Q3", {"period": "2026-q3"}), ("2026-08", None), ("2026", {})],
)
def test_snapshot_of_the_same_period_is_held(tmp_path, period, snapshot):
    validate(_portal_params(tmp_path, period, snapshot), Path("p.yaml"))


def test_read_snapshot_checks_the_period_it_is_given(snapshot_factory):
    folder = snapshot_factory("month", "all")
    (folder / "snapshot.json").write_text(json.dumps({"period": "2026-07"}), encoding="utf-8")
    method = load("2026")
    read_snapshot(folder, method)  # no period asked: read as before
    read_snapshot(folder, method, period="2026-07")
    with pytest.raises(InputError) as info:
        read_snapshot(folder, method, period="2026-08")
    assert info.value.path == folder / "snapshot.json" and info.value.column == "period"
    assert "2026-07" in str(info.value) and "2026-08" in str(info.value)


# ---------------------------------------------------------------------------------------------------
# Portal JSON: every value that cannot be used is named with its JSON path

_PLACEHOLDER = "__RAW_VALUE__"


def _set(folder: Path, endpoint: str, change, raw_value: str | None = None) -> Path:
    """Change one response; ``raw_value`` is written verbatim where the change put the placeholder."""
    path = folder / f"{endpoint}.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    change(document["data"])
    text = json.dumps(document, ensure_ascii=False)
    if raw_value is not None:
        text = text.replace(f'"{_PLACEHOLDER}"', raw_value)
    path.write_text(text, encoding="utf-8")
    return path


def _child(index: int, **fields):
    return lambda data: data["children"][index].update(fields)


def _metric(unit: int, metric: int, **fields):
    return lambda data: data["evaluation"][unit]["metrics"][metric].update(fields)


def _unit(unit: int, **fields):
    return lambda data: data["evaluation"][unit].update(fields)


P = _PLACEHOLDER
PORTAL_CASES = [
    # (id, endpoint, change, raw value, column, words)
    ("nan-count", "dvc-progress-tree", _child(3, totalReceived=P), "NaN", "children[3].totalReceived", "NaN"),
    (
        "infinity-count",
        "dvc-progress-tree",
        _child(3, totalReceived=P),
        "Infinity",
        "children[3].totalReceived",
        "không phải số hữu hạn",
    ),
    (
        "minus-infinity",
        "dvc-progress-tree",
        _child(2, totalReceived=P),
        "-Infinity",
        "children[2].totalReceived",
        "-Infinity",
    ),
    (
        "overflow-float",
        "dvc-progress-tree",
        _child(2, totalReceived=P),
        "1e400",
        "children[2].totalReceived",
        "không phải số hữu hạn",
    ),
    (
        "5001-digit-count",
        "dvc-progress-tree",
        _child(3, totalReceived=P),
        "9" * 5001,
        "children[3].totalReceived",
        "quá nhiều chữ số",
    ),
    (
        "count-1e30",
        "dvc-progress-tree",
        _child(3, totalReceived=P),
        "1" + "0" * 30,
        "children[3].totalReceived",
        "không hợp lý",
    ),
    (
        "count-just-above-limit",
        "dvc-progress-tree",
        _child(3, totalReceived=MAX_COUNT + 1),
        None,
        "children[3].totalReceived",
        "không hợp lý",
    ),
    (
        "string-count",
        "dvc-progress-tree",
        _child(3, totalReceived="12"),
        None,
        "children[3].totalReceived",
        "không phải là số",
    ),
    (
        "boolean-count",
        "dvc-progress-tree",
        _child(3, totalReceived=True),
        None,
        "children[3].totalReceived",
        "không phải là số",
    ),
    (
        "fractional-count",
        "dvc-progress-tree",
        _child(3, totalReceived=1.5),
        None,
        "children[3].totalReceived",
        "không phải số nguyên",
    ),
    ("string-score", "dvc-progress-tree", _child(3, score="17.5"), None, "children[3].score", "không phải là số"),
    ("score-minus-50", "dvc-progress-tree", _child(3, score=-50), None, "children[3].score", "0–20"),
    ("score-1e9", "dvc-progress-tree", _child(3, score=10**9), None, "children[3].score", "ngoài khoảng"),
    ("score-nan", "dvc-progress-tree", _child(3, score=P), "NaN", "children[3].score", "NaN"),
    ("ratio-150", "dvc-progress-tree", _child(3, ratio=150), None, "children[3].ratio", "0–100"),
    ("group-total-above-max", "transparency", _unit(4, totalScore=18.5), None, "evaluation[4].totalScore", "0–18"),
    (
        "metric-score-above-component-max",
        "transparency",
        _metric(4, 0, score=7),
        None,
        "evaluation[4].metrics[PUBLISH_ON_TIME].score",
        "0–6",
    ),
    (
        "metric-score-string",
        "transparency",
        _metric(4, 0, score="6"),
        None,
        "evaluation[4].metrics[PUBLISH_ON_TIME].score",
        "không phải là số",
    ),
    (
        "metric-count-nan",
        "transparency",
        _metric(4, 0, numerator=P),
        "NaN",
        "evaluation[4].metrics[PUBLISH_ON_TIME].numerator",
        "NaN",
    ),
    ("metrics-not-a-list", "transparency", _unit(4, metrics={"a": 1}), None, "evaluation[4].metrics", "danh sách"),
    (
        "metric-not-an-object",
        "transparency",
        _unit(4, metrics=[1, 2]),
        None,
        "evaluation[4].metrics[0]",
        "đối tượng JSON",
    ),
    (
        "member-not-an-object",
        "dvc-progress-tree",
        lambda d: d["children"].__setitem__(2, "x"),
        None,
        "children[2]",
        "đối tượng JSON",
    ),
    (
        "name-is-a-list",
        "dvc-progress-tree",
        _child(2, departmentName=["a"]),
        None,
        "children[2].departmentName",
        "chuỗi ký tự",
    ),
    (
        "id-is-an-object",
        "dvc-progress-tree",
        _child(2, departmentId={"a": 1}),
        None,
        "children[2].departmentId",
        "chuỗi ký tự",
    ),
    (
        "duplicate-department-id",
        "dvc-progress-tree",
        lambda d: d["children"][5].update(departmentId=d["children"][4]["departmentId"]),
        None,
        "children[5].departmentId",
        "xuất hiện hai lần",
    ),
    (
        "duplicate-in-metrics-format",
        "transparency",
        lambda d: d["evaluation"].append(dict(d["evaluation"][0])),
        None,
        None,
        "xuất hiện hai lần",
    ),
]


@pytest.mark.parametrize("case", PORTAL_CASES, ids=[c[0] for c in PORTAL_CASES])
def test_portal_value_is_named(snapshot_factory, case):
    _, endpoint, change, raw_value, column, words = case
    folder = snapshot_factory("month", "all")
    path = _set(folder, endpoint, change, raw_value)
    before = _sha(path)
    with pytest.raises(InputError) as info:
        read_snapshot(folder, load("2026"))
    err = info.value
    assert _sha(path) == before
    assert err.path == path
    if case[0] == "duplicate-in-metrics-format":  # the appended copy of the first unit
        assert err.column is not None and err.column.endswith(".departmentId") and "evaluation[" in err.column
        assert "xuất hiện hai lần" in str(err)
    else:
        assert err.column == column, str(err)
        assert words in str(err), str(err)
    assert len(str(err)) < 400  # a 5001-digit number is not echoed


@pytest.mark.parametrize("depth", [10_000, 200_000])
def test_deeply_nested_json_is_named(snapshot_factory, depth):
    folder = snapshot_factory("month", "all")
    path = folder / "transparency.json"
    path.write_text('{"code": "OK", "data": ' + "[" * depth + "]" * depth + "}", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_snapshot(folder, load("2026"))
    assert info.value.path == path
    assert "lồng nhau quá sâu" in str(info.value) or "'data'" in str(info.value)


def test_valid_extremes_are_held(snapshot_factory):
    folder = snapshot_factory("month", "all")
    _set(folder, "dvc-progress-tree", _child(3, score=20, ratio=100))
    _set(folder, "transparency", _metric(4, 0, score=0))
    snapshot = read_snapshot(folder, load("2026"))
    assert len(snapshot.units) > 100


# ---------------------------------------------------------------------------------------------------
# Score tables (CSV): quotes, ragged rows, encodings, ranges


def _method_for(as_of):
    return load(version_for(as_of) if as_of else "2025")


def _scores(tmp_path: Path, content: str | bytes, name: str = "scores.csv", diagnostics=None):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    before = _sha(path)
    try:
        found = Diagnostics() if diagnostics is None else diagnostics
        return read_scores(path, _method_for, None, None, found), path
    finally:
        assert _sha(path) == before


SCORE_ERRORS = [
    # (id, content, row, column, words)
    (
        "unclosed-quote-to-end",
        HEADER + 'Sở A,so,10,10,50\n"Sở B,so,10,10,50\nSở C,so,10,10,50\n',
        3,
        None,
        "không bao giờ được đóng",
    ),
    (
        "unclosed-quote-closed-later",
        HEADER + '"Sở A,so,10,10,50\nSở B,so,10,10,50\n"Sở C",so,10,10,50\n',
        2,
        None,
        "dấu ngoặc kép đặt sai chỗ",
    ),
    (
        "quote-closed-rows-too-late",
        HEADER + '"Sở A,so,10,10,50\nSở B",so,10,10,50\nSở C,so,10,10,50\n',
        2,
        None,
        "có thể thiếu dấu ngoặc kép đóng ở dòng 2",
    ),
    (
        "unquoted-comma-shifts-cells",
        HEADER + "Sở Văn hóa, Thể thao và Du lịch,so,10,10,50\n",
        2,
        None,
        "nhiều hơn 5 cột",
    ),
    ("extra-cell-after-good-rows", HEADER + "Sở A,so,10,10,50\nSở B,so,10,10,50,ghi chú\n", 3, None, "ghi chú"),
    (
        "shifted-row-with-empty-last-cell",
        HEADER + "Sở A,so,10,10,50\nSở Văn hóa, Thể thao,so,10,10,\n",
        3,
        None,
        "nhiều hơn 5 cột",
    ),
    ("some-rows-with-a-trailing-delimiter", HEADER + "Sở A,so,10,10,50,\nSở B,so,10,10,50\n", 2, None, "dòng có 6 ô"),
    ("cell-of-1-mb", HEADER + 'Sở A,so,10,10,50\n"' + "x" * 1_000_000 + '",so,1,1,2\n', 3, None, "một ô dài hơn"),
    ("utf16-without-bom", HEADER.encode("utf-16-le") + "Sở A,so,1,1,2\n".encode("utf-16-le"), None, None, "UTF-16"),
    ("whitespace-only", "  \n\n \n", None, None, "tệp rỗng"),
    ("header-only", HEADER, 2, None, "chỉ có dòng tiêu đề"),
    ("total-above-100", HEADER + "Sở A,so,10,10,100.5\n", 2, "total", "0–100"),
    ("negative-points", HEADER + "Sở A,so,-5,10,50\n", 2, "cong_khai", "ngoài khoảng"),
    ("points-1e9", HEADER + "Sở A,so,1000000000,10,50\n", 2, "cong_khai", "ngoài khoảng"),
    ("string-score", HEADER + "Sở A,so,mười,10,50\n", 2, "cong_khai", "không phải là số"),
    ("nan-score", HEADER + "Sở A,so,NaN,10,50\n", 2, "cong_khai", "không phải là số"),
    ("rank-zero", "unit_name,total,rank\nSở A,50,0\n", 2, "rank", "số nguyên dương"),
    ("rank-fractional", "unit_name,total,rank\nSở A,50,1.5\n", 2, "rank", "số nguyên dương"),
    ("as-of-before-the-index", "unit_name,total,as_of\nSở A,50,01/01/1990\n", 2, "as_of", "không có phiên bản"),
]


@pytest.mark.parametrize("case", SCORE_ERRORS, ids=[c[0] for c in SCORE_ERRORS])
def test_score_table_refused_by_name(tmp_path, case):
    _, content, row, column, words = case
    with pytest.raises(InputError) as info:
        _scores(tmp_path, content)
    err = info.value
    assert str(tmp_path / "scores.csv") in str(err)
    assert words in str(err), str(err)
    assert err.row == row and err.column == column, str(err)
    if row is not None:
        assert f"dòng {row}" in str(err)
    assert len(str(err)) < 600


def test_multiline_cell_keeps_line_numbers(tmp_path):
    content = "unit_name,notes,cong_khai,total\n" + 'Sở A,"ghi chú\ntrên hai dòng",10,50\n' + "Sở B,,30,50\n"
    with pytest.raises(InputError) as info:
        _scores(tmp_path, content)
    assert info.value.row == 4 and info.value.column == "cong_khai"  # the editor's line, not 3


def test_fewer_cells_are_empty_with_a_warning(tmp_path):
    diagnostics = Diagnostics()
    table, _ = _scores(tmp_path, HEADER + "Sở A,so,10,10,50\nSở B,so,10\n", diagnostics=diagnostics)
    assert table.loc[1, "tien_do"] is None and table.loc[1, "total"] is None
    (warning,) = diagnostics.of_kind("ragged_row")
    assert warning.row == 3 and "dòng 3" in warning.message


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_with_bom_are_read_with_a_warning(tmp_path, encoding):
    text = 'Tên đơn vị,Tổng điểm\nSở Y tế,"63,74"\n'
    bom = {"utf-16": b"", "utf-16-be": b"\xfe\xff", "utf-32": b""}[encoding]
    diagnostics = Diagnostics()
    table, _ = _scores(tmp_path, bom + text.encode(encoding), diagnostics=diagnostics)
    assert table.loc[0, "unit_name"] == "Sở Y tế" and table.loc[0, "total"] == Decimal("63.74")
    (warning,) = diagnostics.of_kind("encoding")
    assert "UTF-" in warning.message


def test_trailing_empty_cells_are_held(tmp_path):
    diagnostics = Diagnostics()
    table, _ = _scores(tmp_path, "unit_name,total,,\nSở A,50,,\nSở B,60,,\n", diagnostics=diagnostics)
    assert list(table["total"]) == [Decimal("50"), Decimal("60")] and not diagnostics.items


def test_every_row_ending_with_a_delimiter_is_held(tmp_path):
    diagnostics = Diagnostics()
    table, _ = _scores(tmp_path, "unit_name,total\nSở A,50,\nSở B,60,\n", diagnostics=diagnostics)
    assert list(table["total"]) == [Decimal("50"), Decimal("60")] and not diagnostics.items


def test_value_under_an_empty_header_cell_is_a_warning(tmp_path):
    diagnostics = Diagnostics()
    table, _ = _scores(tmp_path, "unit_name,total,\nSở A,50,ghi chú\nSở B,60,\n", diagnostics=diagnostics)
    assert list(table["total"]) == [Decimal("50"), Decimal("60")]
    (warning,) = diagnostics.of_kind("extra_cells")
    assert warning.row == 2 and "cột thứ 3" in warning.message


def test_semicolon_file_with_decimal_commas_is_held(tmp_path):
    table, _ = _scores(tmp_path, "Tên đơn vị;Tổng điểm\nSở A;84,63\nSở B;1.234,5\n".replace("1.234,5", "90,5"))
    assert list(table["total"]) == [Decimal("84.63"), Decimal("90.5")]


# ---------------------------------------------------------------------------------------------------
# XLSX: the visible sheet, formulas without values, cells outside the header


def _book(sheets: list[tuple[str, list[list[object]], str]]) -> Workbook:
    book = Workbook()
    book.remove(book.active)
    for title, rows, state in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        sheet.sheet_state = state
    return book


GOOD_ROWS = [["unit_name", "total"], ["Sở A", 50], ["Sở B", 60]]
OLD_ROWS = [["unit_name", "total"], ["Sở Cũ", 10]]


def test_hidden_first_sheet_is_not_read(tmp_path):
    path = tmp_path / "scores.xlsx"
    _book([("Cũ", OLD_ROWS, "hidden"), ("Tháng 8", GOOD_ROWS, "visible"), ("Rất ẩn", OLD_ROWS, "veryHidden")]).save(
        path
    )
    diagnostics = Diagnostics()
    table = read_scores(path, lambda _: load("2025"), None, None, diagnostics)
    assert list(table["unit_name"]) == ["Sở A", "Sở B"]
    (warning,) = diagnostics.of_kind("sheet")
    assert "«Tháng 8»" in warning.message and "«Cũ»" in warning.message and "«Rất ẩn»" in warning.message


def test_several_visible_sheets_name_the_one_read(tmp_path):
    path = tmp_path / "scores.xlsx"
    _book([("Tháng 8", GOOD_ROWS, "visible"), ("Tháng 7", OLD_ROWS, "visible")]).save(path)
    diagnostics = Diagnostics()
    table = read_scores(path, lambda _: load("2025"), None, None, diagnostics)
    assert list(table["unit_name"]) == ["Sở A", "Sở B"]
    assert "«Tháng 8»" in diagnostics.of_kind("sheet")[0].message


def test_one_sheet_gives_no_sheet_warning(tmp_path):
    path = tmp_path / "scores.xlsx"
    _book([("Tháng 8", GOOD_ROWS, "visible")]).save(path)
    diagnostics = Diagnostics()
    read_scores(path, lambda _: load("2025"), None, None, diagnostics)
    assert not diagnostics.items


def _with_cached_values(path: Path, value: str) -> None:
    """Write a cached value after every formula, as a spreadsheet program does on saving."""
    source = path.with_suffix(".tmp")
    shutil.move(path, source)
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            data = old.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = re.sub(rb"(<f>[^<]*</f>)(<v\s*/>|<v></v>)?", rb"\1<v>" + value.encode() + rb"</v>", data)
            new.writestr(item, data)
    source.unlink()


def test_formula_without_cached_value_is_named(tmp_path):
    path = tmp_path / "scores.xlsx"
    _book(
        [
            (
                "S",
                [["unit_name", "cong_khai", "tien_do", "total"], ["Sở A", 10, 20, 30], ["Sở B", 10, 20, "=B3+C3"]],
                "visible",
            )
        ]
    ).save(path)
    with pytest.raises(InputError) as info:
        read_scores(path, lambda _: load("2025"), None, None, Diagnostics())
    err = info.value
    assert err.row == 3 and err.column == "total" and "D3" in str(err) and "công thức" in str(err)


def test_formula_with_cached_value_is_held(tmp_path):
    path = tmp_path / "scores.xlsx"
    _book([("S", [["unit_name", "cong_khai", "tien_do", "total"], ["Sở B", 10, 20, "=B2+C2"]], "visible")]).save(path)
    _with_cached_values(path, "30")
    table = read_scores(path, lambda _: load("2025"), None, None, Diagnostics())
    assert table.loc[0, "total"] == Decimal("30")


def test_cells_outside_the_header_are_named(tmp_path):
    path = tmp_path / "scores.xlsx"
    _book(
        [
            (
                "S",
                [["unit_name", "total"], ["Sở A", 50, None, "ghi chú"], ["Sở B", 60], ["Sở C", 70, None, "x"]],
                "visible",
            )
        ]
    ).save(path)
    diagnostics = Diagnostics()
    table = read_scores(path, lambda _: load("2025"), None, None, diagnostics)
    assert list(table["total"]) == [Decimal("50"), Decimal("60"), Decimal("70")]
    (warning,) = diagnostics.of_kind("extra_cells")
    assert warning.row == 2 and warning.column == "D" and "2 dòng" in warning.message and "dòng 2, 4" in warning.message


# ---------------------------------------------------------------------------------------------------
# Dossiers: structure named by line, true quarantine lines, encodings, empty files, rules


def _dossiers(tmp_path: Path, content: str | bytes, name: str = "dossiers.csv", diagnostics=None, mapping=None):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    before = _sha(path)
    con = duckdb.connect()
    try:
        return (
            load_dossiers(con, path, REGISTRY, mapping, Diagnostics() if diagnostics is None else diagnostics),
            con,
            path,
        )
    finally:
        assert _sha(path) == before


ROW = "{id},U1,2,2025-09-12 08:00,2025-09-20,\n"
GOOD = "".join(ROW.format(id=f"d{i}") for i in range(5))

DOSSIER_ERRORS = [
    # (id, content, row, words)
    (
        "unclosed-quote",
        DOSSIER_HEADER + GOOD + '"x,U1,2,2025-09-12 08:00,2025-09-20,\n' + GOOD,
        7,
        "không bao giờ được đóng",
    ),
    (
        "quote-closed-rows-too-late",
        DOSSIER_HEADER + '"x,U1,2,2025-09-12 08:00,2025-09-20,\nd9",U1,2,2025,2025,\n',
        2,
        "thiếu dấu ngoặc kép đóng",
    ),
    ("header-only", DOSSIER_HEADER, 2, "không có hồ sơ nào"),
    ("blank-lines-only", "\n\n  \n", None, "tệp rỗng"),
    ("utf16-without-bom", DOSSIER_HEADER.encode("utf-16-le") + GOOD.encode("utf-16-le"), None, "UTF-16"),
]


@pytest.mark.parametrize("case", DOSSIER_ERRORS, ids=[c[0] for c in DOSSIER_ERRORS])
def test_dossier_file_refused_by_name(tmp_path, case):
    _, content, row, words = case
    with pytest.raises(InputError) as info:
        _dossiers(tmp_path, content)
    err = info.value
    assert words in str(err), str(err)
    assert "thiếu cột" not in str(err)
    assert err.row == row and str(tmp_path / "dossiers.csv") in str(err)


@pytest.mark.parametrize(
    "bad, words",
    [
        ("x,U1,2,2025-09-12 08:00,2025-09-20,,extra", "dòng có 7 ô, nhiều hơn 6 cột"),
        ("x,Sở Văn hóa, Thể thao,2,2025-09-12 08:00,2025-09-20,", "nhiều hơn 6 cột"),  # the extra cell is empty
        ("x,U1,2,2025-09-12 08:00,2025-09-20,,", "dòng có 7 ô"),
        ("x,U1", "dòng chỉ có 2 ô, ít hơn 6 cột"),
        ('"x\ny",U1,2', "dòng chỉ có 3 ô"),  # also after a cell over two lines
    ],
)
def test_ragged_dossier_row_is_quarantined_by_its_line(tmp_path, bad, words):
    content = DOSSIER_HEADER + GOOD + bad + "\n" + GOOD.replace("d", "e")
    loaded, _, _ = _dossiers(tmp_path, content)
    assert (loaded.read, loaded.used, loaded.quarantined) == (11, 10, 1)
    (line,) = loaded.quarantine["line"]
    (reason,) = loaded.quarantine["reason"]
    assert line == 7 and words in reason, reason


@pytest.mark.parametrize(
    "before, bad_line",
    [
        ('"d\n0",U1,2,2025-09-12 08:00,2025-09-20,\n', 4),  # a cell over two lines
        ("d0,U1,2,2025-09-12 08:00,2025-09-20,\n\n", 4),  # a blank line
        ('"d\n\n0",U1,2,2025-09-12 08:00,2025-09-20,\n\n', 6),  # both
        ("d0,U1,2,2025-09-12 08:00,2025-09-20,\n", 3),  # neither: the fast path
    ],
)
def test_quarantine_lines_are_the_editor_lines(tmp_path, before, bad_line):
    content = DOSSIER_HEADER + before + "bad,U1,2,32/13/2025,2025-09-20,\n" + "ok,U1,1,2025-09-13 08:00,2025-09-20,\n"
    loaded, _, _ = _dossiers(tmp_path, content)
    assert list(loaded.quarantine["line"]) == [bad_line]
    assert loaded.read == loaded.used + loaded.quarantined


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_dossiers_in_utf16_are_read_with_a_warning(tmp_path, encoding):
    text = "Mã hồ sơ,Mã đơn vị,Kênh thực hiện,Ngày tiếp nhận,Ngày hẹn trả\nx1,U1,2,2025-09-12,2025-09-20\n"
    raw = (b"\xfe\xff" if encoding == "utf-16-be" else b"") + text.encode(encoding)
    diagnostics = Diagnostics()
    loaded, _, _ = _dossiers(tmp_path, raw, diagnostics=diagnostics)
    assert loaded.used == 1
    assert "UTF-" in diagnostics.of_kind("encoding")[0].message


def test_header_only_complaints_are_a_warning(tmp_path):
    path = tmp_path / "complaints.csv"
    path.write_text("complaint_id,unit_code,received_at,due_at,handled_at\n", encoding="utf-8")
    diagnostics = Diagnostics()
    loaded = load_complaints(duckdb.connect(), path, REGISTRY, None, diagnostics)
    assert loaded.read == 0 and diagnostics.of_kind("empty_file")


def test_due_before_received_is_quarantined(tmp_path):
    content = DOSSIER_HEADER + (
        "a,U1,2,2025-09-14 08:00,2025-09-13,\n"  # due the day before
        "b,U1,2,2025-09-14 16:00,2025-09-14 08:00,\n"  # due the same morning
        "c,U1,2,2025-09-14 16:00,2025-09-14,\n"  # a due date without time: the day's end, held
    )
    loaded, _, _ = _dossiers(tmp_path, content)
    reasons = dict(zip(loaded.quarantine["line"], loaded.quarantine["reason"], strict=True))
    assert reasons == {2: "hạn trả trước ngày tiếp nhận", 3: "hạn trả trước ngày tiếp nhận"}
    assert set(loaded.quarantine["column"]) == {"due_at"} and loaded.used == 1


def test_complaint_due_before_received_is_quarantined(tmp_path):
    path = tmp_path / "complaints.csv"
    path.write_text(
        "complaint_id,unit_code,received_at,due_at,handled_at\n"
        "p1,U1,2025-09-14 08:00,2025-09-10,\np2,U1,2025-09-14 08:00,2025-09-24,\n",
        encoding="utf-8",
    )
    loaded = load_complaints(duckdb.connect(), path, REGISTRY, None, Diagnostics())
    assert list(loaded.quarantine["reason"]) == ["hạn trả trước ngày tiếp nhận"] and loaded.used == 1


def test_empty_channel_is_direct_with_a_counted_warning(tmp_path):
    content = DOSSIER_HEADER + (
        "a,U1,2,2025-09-12 08:00,2025-09-20,\n"
        "b,U1,,2025-09-12 08:00,2025-09-20,\n"
        "c,U1, ,2025-09-12 08:00,2025-09-20,\n"
        "d,U1,1,2025-09-12 08:00,2025-09-20,\n"
    )
    diagnostics = Diagnostics()
    loaded, con, _ = _dossiers(tmp_path, content, diagnostics=diagnostics)
    assert loaded.used == 4
    assert con.execute("SELECT list(channel ORDER BY dossier_id) FROM dossiers").fetchone()[0] == [2, 1, 1, 1]
    (warning,) = diagnostics.of_kind("empty_channel")
    assert warning.message.startswith("2 hồ sơ") and warning.row == 3 and warning.column == "channel"


def test_no_channel_column_is_direct_with_a_warning(tmp_path):
    diagnostics = Diagnostics()
    loaded, _, _ = _dossiers(tmp_path, "dossier_id,unit_code,received_at\na,U1,2025-09-12\n", diagnostics=diagnostics)
    assert loaded.used == 1 and "mọi hồ sơ" in diagnostics.of_kind("empty_channel")[0].message


def test_full_channels_give_no_channel_warning(tmp_path):
    diagnostics = Diagnostics()
    _dossiers(tmp_path, DOSSIER_HEADER + GOOD, diagnostics=diagnostics)
    assert not diagnostics.items


def test_misspelt_column_mapping_is_named(tmp_path):
    content = "So HS,Don vi,Nhan luc\nx1,U1,2025-09-12\n"
    with pytest.raises(InputError) as info:
        _dossiers(tmp_path, content, mapping={"So HS": "dosier_id", "Don vi": "unit_code", "Nhan luc": "received_at"})
    assert "«dossier_id»" in str(info.value) and info.value.column == "So HS"


def test_semicolon_dossiers_are_held(tmp_path):
    loaded, _, _ = _dossiers(tmp_path, DOSSIER_HEADER.replace(",", ";") + GOOD.replace(",", ";"))
    assert loaded.used == 5


def test_hidden_first_sheet_of_dossiers_is_not_read(tmp_path):
    path = tmp_path / "dossiers.xlsx"
    header = DOSSIER_HEADER.strip().split(",")
    _book(
        [
            ("Cũ", [header, ["old", "U1", 2, "2025-09-12", "2025-09-20", None]], "hidden"),
            ("Tuần", [header, ["new", "U1", 2, "2025-09-12", "2025-09-20", None]], "visible"),
        ]
    ).save(path)
    diagnostics = Diagnostics()
    con = duckdb.connect()
    load_dossiers(con, path, REGISTRY, None, diagnostics)
    assert con.execute("SELECT list(dossier_id) FROM dossiers").fetchone()[0] == ["new"]
    assert diagnostics.of_kind("sheet")


def test_sample_dossiers_are_held():
    diagnostics = Diagnostics()
    loaded = load_dossiers(
        duckdb.connect(),
        ROOT / "data/generated/hai-phong-002/dossiers.csv",
        load_registry(ROOT / "data/generated/hai-phong-002/units.csv"),
        None,
        diagnostics,
    )
    assert (loaded.read, loaded.quarantined) == (68829, 0) and not diagnostics.items


# ---------------------------------------------------------------------------------------------------
# The unit registry and the shared table reader


def test_registry_spelling_of_two_units_is_named(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("unit_code,unit_name,tier,aliases\nA,Sở Một,so,Sở 1\nB,Sở Hai,so,Sở 1\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_registry(path)
    assert info.value.row == 3 and info.value.column == "aliases" and "dòng 2" in str(info.value)


def test_read_table_names_the_encoding_of_utf16(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes("a,b\n1,2\n".encode("utf-16"))
    diagnostics = Diagnostics()
    assert read_table(path, diagnostics).encoding == "utf-16" and diagnostics.of_kind("encoding")


@pytest.mark.parametrize(
    "content",
    [
        DOSSIER_HEADER + '"x,U1,2,2025-09-12 08:00,2025-09-20,\n' + GOOD,  # a quote never closed
        DOSSIER_HEADER + GOOD + "x,U1\n",  # a ragged row, read through the normalised copy
        DOSSIER_HEADER.encode("utf-16") + GOOD.encode("utf-16")[2:],  # a UTF-16 copy
        DOSSIER_HEADER.encode() + b"x\x81,U1,2,2025-09-12,2025-09-20,\n",  # neither UTF-8 nor Windows-1258
    ],
)
def test_no_temporary_copy_is_left_behind(tmp_path, monkeypatch, content):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    try:
        _dossiers(tmp_path, content)
    except InputError as exc:
        assert "bảng mã" in str(exc) or "ngoặc kép" in str(exc)
    assert not list(scratch.iterdir())
