"""Bad input: one clear message naming file, row and column, or a warning; inputs never modified."""

from __future__ import annotations

import hashlib
import json
import shutil
import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from chiso766.cli import main
from chiso766.core.errors import Diagnostics, InputError
from chiso766.ingest.portal import read_snapshot
from chiso766.ingest.scores import read_scores
from chiso766.core.methodology import load
from chiso766.compute.pipeline import build_scorecard
from chiso766.compute.scorecard import from_unit_table
from chiso766.core.params import load_params
from chiso766.ingest.units import load_registry

ROOT = Path(__file__).resolve().parents[1]
HP_UNITS = ROOT / "data" / "samples" / "hai-phong" / "units.csv"
HEADER = "unit_name,tier,cong_khai_rate,tien_do_rate,total\n"


def method_for(_):
    return load("2025")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read(path: Path, registry=None, diagnostics=None):
    before = _sha(path)
    try:
        return read_scores(path, method_for, registry, None, Diagnostics() if diagnostics is None else diagnostics)
    finally:
        assert _sha(path) == before, "input file was modified"


def write(tmp_path: Path, text: str, name: str = "scores.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def expect_error(path: Path, row: int | None, column: str | None, words: str, **kw) -> InputError:
    with pytest.raises(InputError) as info:
        read(path, **kw)
    err = info.value
    message = str(err)
    assert str(path) in message and words in message
    assert err.row == row and err.column == column
    if row is not None:
        assert f"dòng {row}" in message
    if column is not None:
        assert f'cột "{column}"' in message
    return err


def test_missing_unit_column(tmp_path):
    path = write(tmp_path, "cong_khai,total\n18,80\n")
    expect_error(path, 1, "unit_name", "thiếu cột tên đơn vị")


def test_rate_out_of_range(tmp_path):
    path = write(tmp_path, HEADER + "Sở Y tế,so,100,35.3,\nSở Nội vụ,so,130,57.15,\n")
    expect_error(path, 3, "cong_khai_rate", "130")


def test_rate_not_a_number(tmp_path):
    path = write(tmp_path, HEADER + "Sở Y tế,so,abc,35.3,\n")
    expect_error(path, 2, "cong_khai_rate", "«abc» không phải là số")


def test_points_above_max(tmp_path):
    path = write(tmp_path, "unit_name,tien_do\nSở Y tế,21\n")
    expect_error(path, 2, "tien_do", "ngoài khoảng 0–20")


@pytest.mark.parametrize("content", ["", "\n\n", "unit_name,total\n"])
def test_empty_file(tmp_path, content):
    path = write(tmp_path, content)
    with pytest.raises(InputError) as info:
        read(path)
    assert str(path) in str(info.value)


def test_duplicate_unit_names_both_lines(tmp_path):
    path = write(tmp_path, HEADER + "Sở Y tế,so,100,35.3,\nSở Nội vụ,so,100,57.15,\nSở Y Tế,so,100,35.3,\n")
    err = expect_error(path, 4, "unit_name", "xuất hiện hai lần")
    assert "dòng 2" in str(err)


def test_unknown_unit_is_reported_and_kept(tmp_path):
    path = write(tmp_path, HEADER + "Sở Y tế,so,100,35.3,\nSở Không Có,so,100,50,\n")
    diagnostics = Diagnostics()
    table = read(path, registry=load_registry(HP_UNITS), diagnostics=diagnostics)
    assert list(table["unit_name"]) == ["Sở Y tế", "Sở Không Có"]
    (warning,) = diagnostics.of_kind("unknown_unit")
    assert warning.row == 3 and "Sở Không Có" in warning.message


def test_a_code_and_a_name_of_two_units_count_for_the_code_and_say_so(tmp_path):
    """`HP.NV, Sở Y tế`: which of the two is wrong only the reader knows; the row counts for the code's
    unit, as before, and a warning names the row, both units and what to correct."""
    path = write(tmp_path, "unit_code,unit_name,tier,cong_khai_rate,tien_do_rate,total\n"
                 "HP.YT,Sở Y tế,so,100,35.3,\nHP.NV,Sở Y tế,so,100,57.15,\n")
    diagnostics = Diagnostics()
    table = read(path, registry=load_registry(HP_UNITS), diagnostics=diagnostics)
    assert list(table["unit_name"]) == ["Sở Y tế", "Sở Nội vụ"]
    (warning,) = diagnostics.items
    assert (warning.kind, warning.row, warning.column) == ("unit_code_name_mismatch", 3, "unit_code")
    assert warning.message.startswith("mã «HP.NV» (Sở Nội vụ) đi với tên «Sở Y tế»: tính cho đơn vị theo mã")


def test_total_disagreeing_with_groups_is_kept_with_a_warning(tmp_path):
    head = "unit_name,cong_khai,tien_do,truc_tuyen,thanh_toan,hai_long,so_hoa,total\n"
    path = write(tmp_path, head + "Sở Y tế,18,7.1,5.75,5.59,14.4,12.9,64\n")
    diagnostics = Diagnostics()
    table = read(path, diagnostics=diagnostics)
    assert table.loc[0, "total"] == Decimal("64") and not diagnostics.of_kind("total_mismatch")  # read as given
    card = from_unit_table(table, method_for)  # compute compares
    assert card.units.loc[0, "total"] == Decimal("64")
    (warning,) = card.diagnostics.of_kind("total_mismatch")
    assert warning.row == 2 and warning.column == "total" and "Sở Y tế: tổng điểm 64 khác tổng các nhóm 63,74" in warning.message


def test_missing_cells_stay_missing(tmp_path):
    path = write(tmp_path, HEADER + "Sở Y tế,so,100,,\n")
    table = read(path)
    assert table.loc[0, "tien_do"] is None and table.loc[0, "total"] is None  # never 0


def _cp1258(text: str) -> bytes:
    """Encode the way Windows-1258 files are written: base letters, then combining tone marks."""
    out = bytearray()
    for char in text:
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", char)
            tones = "".join(c for c in parts if c in "\u0300\u0301\u0303\u0309\u0323")
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
            out += (base + tones).encode("cp1258")
    return bytes(out)


def test_cp1258_file_is_read_as_nfc_with_a_warning(tmp_path):
    path = tmp_path / "scores.csv"
    path.write_bytes(_cp1258("Tên đơn vị,Tiến độ giải quyết - Tỷ lệ (%)\nSở Y tế,\"35,3\"\nSở Nội vụ,\"57,15\"\n"))
    diagnostics = Diagnostics()
    table = read(path, registry=load_registry(HP_UNITS), diagnostics=diagnostics)
    assert list(table["unit_name"]) == ["Sở Y tế", "Sở Nội vụ"]
    assert all(unicodedata.is_normalized("NFC", n) for n in table["unit_name"])
    assert list(table["tien_do_rate"]) == [Decimal("35.3"), Decimal("57.15")]
    assert list(from_unit_table(table, method_for).units["tien_do"]) == [Decimal("7.1"), Decimal("11.4")]
    assert diagnostics.of_kind("encoding") and not diagnostics.of_kind("unknown_unit")


def test_a_file_no_encoding_reads_names_the_line_it_stops_being_utf8(tmp_path):
    """Neither UTF-8 nor Windows-1258 (byte 0x81 has no character in either): refused naming the line
    and the byte, not only "không nhận ra bảng mã" (the dossier file likewise, in test_dossiers)."""
    path = tmp_path / "scores.csv"
    path.write_bytes("Tên đơn vị,Tổng điểm\nSở Y tế,80\nSở Nội vụ,7".encode() + b"\x81\x90\n")
    with pytest.raises(InputError) as caught:
        read(path)
    assert (caught.value.path, caught.value.row) == (path, 3)
    assert "byte 0x81 không đọc được theo UTF-8; hãy lưu lại tệp dưới dạng CSV UTF-8" in str(caught.value)


def test_utf8_bom_file(tmp_path):
    path = tmp_path / "scores.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "Tên đơn vị,Tổng điểm\nSở Y tế,\"63,74\"\n".encode())
    table = read(path)
    assert table.loc[0, "unit_name"] == "Sở Y tế" and table.loc[0, "total"] == Decimal("63.74")


@pytest.mark.parametrize("data, words", [
    ("Tên đơn vị,Tổng điểm\nSở Y tế,63\n".encode(), "có thể là CSV hay văn bản bị đổi đuôi thành .xlsx"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "tệp Excel đời cũ (.xls)"),
    (b"PK\x03\x04cut short", "tệp bị hỏng hoặc không phải bảng tính Excel"),
])
def test_a_file_named_xlsx_that_is_no_workbook_is_said_for_what_it_is(tmp_path, data, words):
    path = tmp_path / "scores.xlsx"
    path.write_bytes(data)
    with pytest.raises(InputError) as info:
        read(path)
    assert words in str(info.value) and str(path) in str(info.value)
    assert not any(word in str(info.value) for word in ("BadZipFile", "zip file", "Error"))


def test_xlsx_with_merged_header_rows(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["STT", "Sở ngành", "Tiến độ giải quyết", None, "Số hóa hồ sơ", None])
    sheet.append([None, None, "Tỷ lệ (%)", "Điểm (20)", "Tỷ lệ (%)", "Điểm (22)"])
    sheet.merge_cells("A1:A2")
    sheet.merge_cells("B1:B2")
    sheet.merge_cells("C1:D1")
    sheet.merge_cells("E1:F1")
    sheet.append([1, "Sở Y tế", 35.3, 7.1, 58.55, 12.9])
    sheet.append([2, "Sở Công Thương", 86, 17.2, 74.77, None])
    path = tmp_path / "scores.xlsx"
    book.save(path)
    table = read(path)
    assert list(table["tien_do"]) == [Decimal("7.1"), Decimal("17.2")]
    assert list(table["so_hoa"]) == [Decimal("12.9"), None]  # as given; 16.5 comes from the 74.77% rate
    assert list(from_unit_table(table, method_for).units["so_hoa"]) == [Decimal("12.9"), Decimal("16.5")]
    assert list(table["line"]) == [3, 4]
    bad = Workbook()
    bad.active.append(["Sở ngành", "Tiến độ giải quyết - Tỷ lệ (%)"])
    bad.active.append(["Sở Y tế", "abc"])
    bad_path = tmp_path / "bad.xlsx"
    bad.save(bad_path)
    expect_error(bad_path, 2, "Tiến độ giải quyết - Tỷ lệ (%)", "«abc»")


# Portal snapshots --------------------------------------------------------------------------


@pytest.fixture
def snapshot(snapshot_factory):
    return snapshot_factory("month", "all")


def _edit(path: Path, change) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    change(document["data"])
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")


def _snapshot_error(folder: Path) -> InputError:
    hashes = {p: _sha(p) for p in folder.iterdir()}
    with pytest.raises(InputError) as info:
        read_snapshot(folder, load("2026"))
    assert {p: _sha(p) for p in folder.iterdir()} == hashes
    return info.value


def test_negative_count(snapshot):
    _edit(snapshot / "dvc-progress-tree.json", lambda d: d["children"][3].update(totalReceived=-5))
    err = _snapshot_error(snapshot)
    assert err.path == snapshot / "dvc-progress-tree.json"
    assert err.column == "children[3].totalReceived" and "số âm" in str(err)
    assert "Giáo dục" in str(err)  # the unit is named


def test_numerator_above_denominator(snapshot):
    def change(data):
        data["evaluation"][5]["metrics"][2].update(numerator=999999)
    _edit(snapshot / "transparency.json", change)
    err = _snapshot_error(snapshot)
    assert err.column == "evaluation[5].metrics[PUBLIC_CONTENT_FULL].numerator"
    assert "lớn hơn mẫu số" in str(err) and "1.3" in str(err)


def test_invalid_json_and_empty_unit_list(snapshot):
    (snapshot / "transparency.json").write_text('{"code": "OK", "data": {', encoding="utf-8")
    assert "không phải JSON hợp lệ" in str(_snapshot_error(snapshot))
    (snapshot / "transparency.json").write_text('{"code":"OK","data":{"overview":{},"evaluation":[]}}')
    assert "danh sách đơn vị rỗng" in str(_snapshot_error(snapshot))


def test_missing_endpoint_gives_missing_totals_not_zero(snapshot):
    from chiso766.compute.scorecard import score_snapshot

    (snapshot / "handling-satisfaction.json").unlink()
    method = load("2026")
    card = score_snapshot(read_snapshot(snapshot, method), method)
    assert card.units["total"].isna().all() and card.units["hai_long"].isna().all()
    assert card.units["rank"].isna().all()
    assert card.diagnostics.of_kind("missing_endpoint")


# The command line --------------------------------------------------------------------------


def _params(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "params" / "bulletin_766" / "p.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body, encoding="utf-8")
    return path


def test_cli_reports_bad_input_without_traceback(tmp_path, capsys):
    data = write(tmp_path, HEADER + "Sở Y tế,so,130,35.3,\n")
    params = _params(tmp_path, f"report: bulletin_766\nperiod: '2025'\ninputs:\n  scores: {data}\n")
    assert main(["score", str(params), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Lỗi: ") and "dòng 2" in err and "cong_khai_rate" in err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("body, words", [
    ("report: bulletin_999\nperiod: '2025'\ninputs: {scores: x.csv}\n", "bulletin_999"),
    ("report: bulletin_766\nperiod: '2025-13'\ninputs: {scores: x.csv}\n", "tháng 13"),
    ("report: bulletin_766\nperiod: '2025'\ninputs: {scores: missing.csv}\n", "missing.csv"),
    ("report: bulletin_766\nperiod: '2025'\n", "inputs"),
    ("report: [unclosed\n", "YAML"),
])
def test_bad_params_fail_fast(tmp_path, capsys, body, words):
    params = _params(tmp_path, body)
    assert main(["score", str(params)]) == 2
    err = capsys.readouterr().err
    assert str(params) in err and words in err


def test_sample_hai_phong_end_to_end(tmp_path):
    out = tmp_path / "out"
    assert main(["score", str(ROOT / "params/bulletin_766/2025.yaml"), "--out", str(out)]) == 0
    lines = (out / "tables" / "units.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == ("unit_code,unit_name,tier,cong_khai,tien_do,truc_tuyen,thanh_toan,hai_long,so_hoa,"
                        "total,rank,portal_total,portal_rank,as_of")
    assert lines[1].startswith("HP,Thành phố Hải Phòng,tinh,15.4,15.9,8.23,9.8,17,18.3,84.63,,")
    assert lines[-1].startswith("HP.YT,Sở Y tế,so,18,7.1,5.75,5.59,14.4,12.9,63.74,11,")
    card = build_scorecard(load_params(ROOT / "params/bulletin_766/2025.yaml"))
    assert not card.diagnostics.items  # every printed name is in the registry


def test_sample_phu_tho_end_to_end_is_reproducible(tmp_path):
    params = ROOT / "params/bulletin_766/2026-08.yaml"
    for run in ("a", "b"):
        assert main(["score", str(params), "--out", str(tmp_path / run)]) == 0
    for name in ("units", "components", "groups", "differences", "warnings"):
        a = (tmp_path / "a" / "tables" / f"{name}.csv").read_bytes()
        assert a == (tmp_path / "b" / "tables" / f"{name}.csv").read_bytes(), name
    header = (tmp_path / "a/tables/components.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.startswith("unit_code,unit_name,group,component,numerator,denominator,rate,threshold,"
                             "max,points,portal_points")


def test_read_and_score_warnings_keep_the_file_order(tmp_path):
    """Reading warns about units, scoring about rates and totals: the list still runs down the file."""
    head = "unit_name,tier,cong_khai,cong_khai_rate,tien_do,truc_tuyen,thanh_toan,hai_long,so_hoa,total\n"
    path = write(tmp_path, head + "Sở Y tế,so,18,90,7.1,5.75,5.59,14.4,12.9,64\n"
                 "Sở Không Có,so,10,50,7.1,5.75,5.59,14.4,12.9,55\n", name="scores.csv")
    params = tmp_path / "params.yaml"
    params.write_text(f"report: bulletin_766\nperiod: \"2025\"\nas_of: 2025-10-07\n"
                      f"inputs:\n  scores: {path}\n  units: {HP_UNITS}\n", encoding="utf-8")
    card = build_scorecard(load_params(params))
    assert [(w.kind, w.row) for w in card.diagnostics.items] == [
        ("rate_points_mismatch", 2), ("total_mismatch", 2),
        ("unknown_unit", 3), ("rate_points_mismatch", 3), ("total_mismatch", 3),
    ]


def test_the_params_registry_is_read_again_once_the_file_changes(tmp_path):
    """Read once for a report's steps, but an edited registry (a JupyterLab session re-running a bulletin) is read
    anew, even one of the same size and time."""
    import os

    from chiso766.ingest.units import params_registry

    units = tmp_path / "units.csv"
    units.write_text("unit_code,unit_name,tier\nS1,Sở Y tế,so\n", encoding="utf-8")
    data = write(tmp_path, HEADER + "Sở Y tế,so,130,35.3,\n")
    body = f"report: bulletin_766\nperiod: '2025'\ninputs:\n  scores: {data}\n  units: {units}\n"
    params = load_params(_params(tmp_path, body))
    first = params_registry(params)
    assert params_registry(params) is first and [u.name for u in first.units] == ["Sở Y tế"]
    # the same size and modification time (as cp -p or rsync -a leave it): the content tells
    stat = units.stat()
    units.write_text("unit_code,unit_name,tier\nS7,Sở Y tế,so\n", encoding="utf-8")
    os.utime(units, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert units.stat().st_size == stat.st_size and [u.code for u in params_registry(params).units] == ["S7"]
    units.write_text("unit_code,unit_name,tier\nS1,Sở Y tế,so\nS2,Sở Tư pháp,so\n", encoding="utf-8")
    assert [u.name for u in params_registry(params).units] == ["Sở Y tế", "Sở Tư pháp"]
    units.unlink()
    with pytest.raises(InputError):
        params_registry(params)


# What a report counts must be in the file; a params file says each thing once, of the right kind ---


WEEKLY = ROOT / "params" / "weekly_tthc" / "2025-09-12_2025-09-18.yaml"
HP_DOSSIERS = ROOT / "data" / "generated" / "hai-phong-002" / "dossiers.csv"


@pytest.mark.parametrize("dropped", ["channel", "due_at", "finished_at", "paid_online", "reused_data"])
def test_a_dossier_file_without_a_counted_column_is_refused_not_read_as_zero(tmp_path: Path, dropped: str) -> None:
    """Read as empty, the column gave "0% (chưa đạt chỉ tiêu)" for every unit, in a notice someone signs."""
    import duckdb

    from chiso766.ingest.dossiers import ingest

    lines = HP_DOSSIERS.read_text(encoding="utf-8").splitlines()[:50]
    header = lines[0].split(",")
    keep = [i for i, name in enumerate(header) if name != dropped]
    path = tmp_path / "dossiers.csv"
    path.write_text("\n".join(",".join(line.split(",")[i] for i in keep) for line in lines) + "\n", encoding="utf-8")
    params = load_params(WEEKLY, [f"inputs.dossiers={path}"])
    with pytest.raises(InputError) as info, duckdb.connect() as con:
        ingest(params, con, Diagnostics())
    assert (info.value.path, info.value.row, info.value.column) == (path, 1, dropped)
    assert f'cột "{dropped}": thiếu cột {dropped} (cần cho tỷ lệ' in str(info.value)
    assert "options.columns.dossiers" in str(info.value)
    if dropped == "channel":  # the other headers it takes, as a Vietnamese user writes them
        assert "tên khác được nhận: kênh thực hiện, kênh nộp, hình thức nộp, kênh)" in str(info.value)


@pytest.mark.parametrize(
    ("override", "words"),
    [
        ("inputs.dossiers=data/generated", "là thư mục nhưng không có tệp Parquet nào"),
        ("inputs.portal=data/samples/phu-tho/units.csv", "phải là thư mục ảnh chụp số liệu của Cổng"),
        ("inputs.units=data/samples", "phải là một tệp, không phải thư mục"),
    ],
)
def test_an_input_of_the_wrong_kind_is_refused_before_anything_runs(override: str, words: str) -> None:
    with pytest.raises(InputError) as info:
        load_params(WEEKLY, [override])
    key = override.split("=")[0]
    assert info.value.column == key and words in str(info.value) and f'khóa "{key}"' in str(info.value)


def test_a_key_written_twice_in_a_params_file_is_refused(tmp_path: Path) -> None:
    """PyYAML keeps the last silently: a second ``period:`` ran another week than the file's name says."""
    path = tmp_path / "params" / "weekly.yaml"
    path.parent.mkdir()
    path.write_text(WEEKLY.read_text(encoding="utf-8") + 'period: "2025-09-19..2025-09-25"\n', encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_params(path, check_inputs=False)
    first = next(i for i, line in enumerate(WEEKLY.read_text(encoding="utf-8").splitlines(), 1)
                 if line.startswith("period:"))
    assert info.value.row == len(WEEKLY.read_text(encoding="utf-8").splitlines()) + 1
    assert f"khóa «period» được viết hai lần (lần đầu ở dòng {first})" in str(info.value)
    merged = tmp_path / "params" / "merged.yaml"
    merged.write_text("base: &b {a: 1}\nother:\n  <<: *b\n  a: 2\n", encoding="utf-8")
    from chiso766.core.params import _read_yaml

    assert _read_yaml(merged)["other"] == {"a": 2}, "a merged key overridden is not a repeat"


def test_a_failed_cell_says_what_was_wrong_without_a_class_name_unless_it_is_a_program_fault() -> None:
    from chiso766.publish.runner import _cell_error

    assert _cell_error("InputError", "data/x.csv, dòng 1: thiếu cột") == "data/x.csv, dòng 1: thiếu cột"
    assert _cell_error("ParamsError", "p.yaml: sai") == "p.yaml: sai"
    assert _cell_error("KeyError", "'_rank_sort'") == "lỗi chương trình (KeyError: '_rank_sort')"


def test_a_dossier_file_mostly_unread_is_refused_naming_the_column(tmp_path: Path) -> None:
    """Dates written month first: 68.774 of 68.829 rows were set aside and a notice was made of the rest."""
    import duckdb

    from chiso766.ingest.dossiers import ingest

    lines = HP_DOSSIERS.read_text(encoding="utf-8").splitlines()[:41]
    month_first = [lines[0]]
    for line in lines[1:]:
        cells = line.split(",")
        day, _, time = cells[4].partition(" ")
        year, month, dom = day.split("-")
        cells[4] = f"{month}/{dom}/{year} {time}".strip()
        month_first.append(",".join(cells))
    path = tmp_path / "dossiers.csv"
    path.write_text("\n".join(month_first) + "\n", encoding="utf-8")
    params = load_params(WEEKLY, [f"inputs.dossiers={path}"])
    with pytest.raises(InputError) as info, duckdb.connect() as con:
        ingest(params, con, Diagnostics())
    assert info.value.column == "received_at" and "dòng không đọc được, quá một nửa tệp" in str(info.value)


@pytest.mark.parametrize(
    ("endpoint", "field", "column"),
    [
        ("transparency.json", '"numerator"', "numerator"),
        ("handling-satisfaction.json", '"totalScore"', "totalScore"),
        ("dvc-progress-tree.json", '"score"', "totalScore"),
    ],
)
def test_a_field_the_portal_renamed_is_named_not_read_as_null(
    tmp_path: Path, endpoint: str, field: str, column: str
) -> None:
    """Renamed, ``numerator`` read as null for every unit: Công khai 0 everywhere, the total 61,39 → 53,43."""
    folder = tmp_path / "snapshot"
    shutil.copytree(ROOT / "data/samples/phu-tho/portal/2026-Q3", folder)
    path = folder / endpoint
    path.write_text(path.read_text(encoding="utf-8").replace(field, '"renamed"'), encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_snapshot(folder, load("2026"), Diagnostics())
    assert info.value.path == path and str(info.value.column).endswith(f".{column}")
    assert f"thiếu trường {column}" in str(info.value)


def test_dossiers_none_of_which_falls_in_the_week_are_refused_with_the_dates_they_hold() -> None:
    """A notice saying no dossier was received nor finished in a city's week is a wrong period, or
    dates written month first (only the days after the 12th are set aside, the rest land elsewhere)."""
    from chiso766.compute.facts import weekly_facts

    params = load_params(ROOT / "params/weekly_tthc/2025-09-12_2025-09-18.yaml", ["period=2025-03-02..2025-03-08"])
    with pytest.raises(InputError) as caught:
        weekly_facts(params)
    assert caught.value.column == "received_at" and Path(str(caught.value.path)).name == "dossiers.csv"
    assert "không hồ sơ nào trong 68.829 hồ sơ được tiếp nhận hoặc giải quyết trong kỳ, từ ngày 02/03/2025 đến ngày " \
        "08/03/2025; ngày tiếp nhận trong tệp từ 04/08/2025 đến 18/09/2025" in str(caught.value)


@pytest.mark.parametrize("units", ["every", "one"])
def test_a_metric_code_the_portal_renamed_is_refused_not_dropped(tmp_path: Path, units: str) -> None:
    """Phú Thọ 2026 with PUBLISH_ON_TIME renamed at every unit, or at the province alone: component 1.1
    would have left every score, or the province's, without a word."""
    from chiso766.core.methodology import load
    from chiso766.ingest.portal import read_snapshot

    folder = tmp_path / "portal"
    shutil.copytree(ROOT / "data/samples/phu-tho/portal/2026", folder)
    path = folder / "transparency.json"
    text = path.read_text(encoding="utf-8")
    renamed = '"PUBLISH_ON_TIME_V2"'
    path.write_text(text.replace('"PUBLISH_ON_TIME"', renamed, -1 if units == "every" else 1), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_snapshot(folder, load("2026"))
    assert caught.value.path == path
    if units == "one":
        assert caught.value.column == "overview"
        assert "không có chỉ số mã PUBLISH_ON_TIME, mà các đơn vị khác trong phản hồi có" in str(caught.value)
    else:
        assert caught.value.column == "metrics[].code"
        assert "không đơn vị nào có chỉ số mã PUBLISH_ON_TIME, và có mã lạ PUBLISH_ON_TIME_V2" in str(caught.value)


def test_a_metric_no_unit_has_and_nothing_in_its_place_is_a_warning(tmp_path: Path) -> None:
    """A response from before a metric existed: the component is not scored, and the data notes say so."""
    from chiso766.core.methodology import load
    from chiso766.ingest.portal import read_snapshot

    folder = tmp_path / "portal"
    shutil.copytree(ROOT / "data/samples/phu-tho/portal/2026", folder)
    path = folder / "transparency.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    for unit in [data["data"]["overview"], *data["data"]["evaluation"]]:
        unit["metrics"] = [m for m in unit["metrics"] if m["code"] != "PUBLISH_ON_TIME"]
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    diagnostics = Diagnostics()
    snapshot = read_snapshot(folder, load("2026"), diagnostics)
    assert "1.1" not in set(snapshot.components["component"])
    assert [w.message for w in diagnostics.items if w.kind == "missing_metric"] == [
        "phản hồi không có chỉ số 1.1 «Tỷ lệ TTHC công bố đúng hạn» (mã PUBLISH_ON_TIME) ở đơn vị nào: "
        "chỉ số này không được tính"
    ]


@pytest.mark.parametrize(
    "params, overrides, says",
    [
        ("unit_report/2026-Q2-phuong-mau-son.yaml", ["period=2026-Q3"],
         "không có dòng nào tính đến một ngày trong kỳ (từ ngày 01/07/2026 đến ngày 30/09/2026); ngày gần nhất "
         "trước đó là 30/06/2026"),
        ("bulletin_766/2025.yaml", ["period=2025-Q3", "as_of=2025-09-30"],
         "không có dòng nào tính đến một ngày trong kỳ (từ ngày 01/07/2025 đến ngày 30/09/2025); bảng tính đến "
         "ngày 07/10/2025"),
    ],
)
def test_a_score_table_with_no_row_in_the_period_is_refused(params: str, overrides: list[str], says: str) -> None:
    """A report of quý III made of quý II's figures, or "tính đến 30/09" of figures of 07/10, exited 0."""
    from chiso766.compute.pipeline import build_scorecard

    with pytest.raises(InputError) as caught:
        build_scorecard(load_params(ROOT / "params" / params, overrides))
    assert caught.value.column == "as_of" and says in str(caught.value)


@pytest.mark.parametrize(
    "params, overrides, says",
    [
        ("bulletin_766/2025.yaml", ["as_of=2025-10-08", "issuer.date=2025-10-09"],
         "số liệu của bảng tính đến ngày 07/10/2025, trước ngày tính đến 08/10/2025 của tệp tham số: bản tin sẽ "
         "nêu số liệu «tính đến» một ngày bảng không có; đặt as_of: 2025-10-07 trong tệp tham số"),
        ("unit_report/2026-Q3.yaml", ["as_of=2026-10-05"],
         "số liệu của bảng tính đến ngày 30/09/2026, trước ngày tính đến 05/10/2026 của tệp tham số"),
    ],
)
def test_a_score_table_older_than_the_as_of_date_is_refused(params: str, overrides: list[str], says: str) -> None:
    """A bulletin "tính đến ngày 08/10" of figures of 07/10 (a typo in as_of) said a date the data
    does not have, and past the period's end read as final."""
    from chiso766.compute.pipeline import build_scorecard

    with pytest.raises(InputError) as caught:
        build_scorecard(load_params(ROOT / "params" / params, overrides))
    assert caught.value.column == "as_of" and says in str(caught.value)


def _snapshot_captured(tmp_path: Path, moments: dict[str, str]) -> Path:
    """A copy of the 2026 snapshot whose endpoints (and a procedure's) were captured at ``moments``."""
    folder = tmp_path / "2026"
    shutil.copytree(ROOT / "data" / "samples" / "phu-tho" / "portal" / "2026", folder)
    meta = json.loads((folder / "snapshot.json").read_text(encoding="utf-8"))
    for capture in meta["captures"]:
        capture["capturedAt"] = moments.get(capture["endpoint"], capture["capturedAt"])
    meta["captures"].append(
        {"endpoint": "transparency", "procedure": "1.0001", "file": "p.json", "capturedAt": "2026-01-01T00:00:00Z"}
    )
    (folder / "snapshot.json").write_text(json.dumps(meta), encoding="utf-8")
    return folder


def test_a_snapshot_captured_before_the_as_of_date_is_refused(tmp_path: Path) -> None:
    """The 2026 bulletin of figures captured 26/09 ran with as_of 15/10 and said «tính đến ngày
    15/10/2026» of them; the earliest group decides, its day read in Vietnam time (01:00 on 26/09 is
    25/09 18:00 UTC), a procedure's capture and service-results (not a group) do not count."""
    params = ROOT / "params" / "bulletin_766" / "2026.yaml"
    with pytest.raises(InputError) as caught:
        build_scorecard(load_params(params, ["as_of=2026-10-15"]))
    assert caught.value.column == "captures[0].capturedAt"
    assert caught.value.path == ROOT / "data" / "samples" / "phu-tho" / "portal" / "2026" / "snapshot.json"
    assert (
        "ảnh chụp Cổng có nhóm chỉ số được chụp ngày 26/09/2026, trước ngày tính đến 15/10/2026 của tệp tham số: "
        "bản tin sẽ nêu số liệu «tính đến» một ngày ảnh chụp không có; đặt as_of: 2026-09-26 trong tệp tham số"
    ) in str(caught.value)

    # one group captured at 01:00 on 26/09 (Vietnam), service-results a day earlier: as_of 26/09 holds
    folder = _snapshot_captured(
        tmp_path, {"dossier-digitized": "2026-09-25T18:00:00+00:00", "service-results": "2026-09-24T00:00:00Z"}
    )
    build_scorecard(load_params(params, [f"inputs.portal={folder}"]))
    # 23:00 on 25/09 in Vietnam: that group is of the 25th
    folder = _snapshot_captured(tmp_path / "b", {"dossier-digitized": "2026-09-25T16:00:00Z"})
    with pytest.raises(InputError) as caught:
        build_scorecard(load_params(params, [f"inputs.portal={folder}"]))
    assert caught.value.column == "captures[5].capturedAt" and "chụp ngày 25/09/2026" in str(caught.value)
    # a unit report states its own figures' date, not as_of
    build_scorecard(load_params(params, [f"inputs.portal={folder}"]), states_as_of=False)


def test_a_cut_parquet_file_and_an_excel_file_named_csv_are_named_for_what_they_are(tmp_path: Path) -> None:
    import duckdb
    from openpyxl import Workbook as Book

    from chiso766.ingest.dossiers import ingest

    cut = tmp_path / "dossiers.parquet"
    with duckdb.connect() as con:
        con.execute(f"COPY (SELECT 'a' AS dossier_id) TO '{cut}' (FORMAT parquet)")
    cut.write_bytes(cut.read_bytes()[:40])
    excel = tmp_path / "dossiers.csv"
    book = Book()
    book.active.append(["Mã hồ sơ"])
    book.save(excel)
    for path, says in ((cut, "tệp Parquet hỏng (bị cắt ngắn)"), (excel, "đây là tệp Excel (.xlsx hoặc .xls)")):
        params = load_params(WEEKLY, [f"inputs.dossiers={path}"])
        with pytest.raises(InputError) as caught, duckdb.connect() as con:
            ingest(params, con, Diagnostics())
        assert caught.value.path == path and says in str(caught.value)
