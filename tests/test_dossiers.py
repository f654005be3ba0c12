"""Dossier ingest, the DuckDB indicator engine, targets and reconciliation."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from chiso766.samples import synthetic
from chiso766.ingest.dossiers import load_dossiers
from chiso766.core.errors import InputError
from chiso766.compute.indicators import backlog_table, indicator_table, local_components, rate_of
from chiso766.ingest.portal import read_snapshot
from chiso766.core.methodology import load
from chiso766.core.periods import parse_period
from chiso766.compute.reconcile import reconcile
from chiso766.compute.scorecard import score_snapshot
from chiso766.ingest.units import Registry, Unit

WEEK = parse_period("2025-09-12..2025-09-18")
TARGETS = {"online_submission": ">=60", "online_payment": ">=60", "updated_on_system": "=100",
           "digitized": "=100", "data_reuse": ">=50", "complaints_handled": "=100"}


@pytest.fixture(scope="module")
def week(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ref002")
    synthetic.write_samples("reference-002", folder)
    units = pd.read_csv(folder / "units.csv", dtype=str, keep_default_na=False)
    registry = Registry([Unit(r.unit_code, r.unit_name, r.tier) for r in units.itertuples()])
    con = duckdb.connect()
    loaded = load_dossiers(con, folder / "dossiers.csv", registry)
    from chiso766.ingest.dossiers import load_complaints

    load_complaints(con, folder / "complaints.csv", registry)
    table = indicator_table(con, WEEK, WEEK.end, TARGETS)
    return {"con": con, "loaded": loaded, "table": table, "units": units}


@pytest.mark.parametrize("indicator, province, so, xa", [
    ("online_submission", "87.62", "73.81", "90.20"),
    ("online_payment", "95.83", "63.76", "97.24"),
    ("updated_on_system", "99.67", "100.00", "99.61"),
    ("resolved_on_time", "98.54", "93.80", "99.45"),
    ("resolved_late", "1.46", "6.20", "0.55"),
    ("digitized", "99.98", "100.00", "99.98"),
    ("complaints_handled", "99.99", "100.00", "99.99"),
])
def test_reference_002_rates_from_dossiers(week, indicator, province, so, xa):
    table = week["table"]
    assert rate_of(table, "province", indicator) == Decimal(province)
    assert rate_of(table, "so", indicator) == Decimal(so)
    assert rate_of(table, "xa", indicator) == Decimal(xa)


def test_reference_002_counts(week):
    t = week["table"]

    def frac(level, indicator):
        row = t[(t["level"] == level) & (t["indicator"] == indicator)].iloc[0]
        return int(row["numerator"]), int(row["denominator"])

    assert frac("province", "online_submission") == (50133, 57219)
    assert frac("so", "online_submission") == (6664, 9029)
    assert frac("xa", "online_submission") == (43469, 48190)
    assert frac("province", "online_payment") == (37768, 39413)
    assert frac("province", "updated_on_system") == (57029, 57219)
    assert frac("province", "resolved_on_time") == (56840, 57684)  # more resolved than received
    assert frac("so", "resolved_late") == (580, 9350)
    assert frac("xa", "resolved_late") == (264, 48334)


def test_reference_002_targets_and_named_units(week):
    t = week["table"]
    units = t[t["level"] == "unit"]

    def meeting(tier, indicator):
        rows = units[(units["tier"] == tier) & (units["indicator"] == indicator) & (units["denominator"] > 0)]
        return int(rows["meets_target"].astype(bool).sum()), len(rows)

    assert meeting("so", "online_submission") == (12, 12)
    assert meeting("xa", "online_submission") == (108, 114)
    assert meeting("so", "online_payment") == (10, 12)
    assert meeting("xa", "updated_on_system") == (112, 114)
    assert meeting("xa", "digitized") == (113, 114)
    assert meeting("xa", "data_reuse") == (106, 114)
    lowest = units[(units["tier"] == "xa") & (units["indicator"] == "online_submission")].sort_values("rate").head(5)
    assert list(lowest["unit_name"]) == ["Phường Đông Hải", "Xã An Phú", "Xã Cẩm Giàng", "Xã Đại Sơn",
                                         "Phường Nguyễn Đại Năng"]
    assert [str(r) for r in lowest["rate"]] == ["32.86", "42.70", "48.58", "56.50", "57.21"]
    late = units[(units["indicator"] == "resolved_late") & (units["tier"] == "so") & (units["numerator"] > 0)]
    assert sorted(((r.unit_name, r.numerator, r.denominator) for r in late.itertuples()), key=lambda x: -x[1]/x[2]) == [
        ("Sở Công Thương", 543, 807), ("Sở Giáo dục và Đào tạo", 16, 81), ("Ban Quản lý khu kinh tế", 1, 32),
        ("Sở Y tế", 1, 175), ("Sở Nông nghiệp và Môi trường", 19, 6970)]
    on_time = units[(units["indicator"] == "resolved_on_time") & (units["tier"] == "xa")]
    full = on_time[on_time["numerator"] == on_time["denominator"]].sort_values("denominator", ascending=False)
    assert len(full) == 82
    assert list(full["unit_name"].head(5)) == ["Phường Hồng Bàng", "Phường An Phong", "Phường Hồng An",
                                               "Phường Ngô Quyền", "Phường Lê Thanh Nghị"]


def test_indicators_csv_columns(week):
    assert list(week["table"].columns[:9]) == ["level", "unit_code", "unit_name", "indicator", "numerator",
                                               "denominator", "rate", "target", "meets_target"]


# Period boundaries, times and zones --------------------------------------------------------

HEADER = "Mã hồ sơ,Mã đơn vị,Kênh thực hiện,Ngày tiếp nhận,Ngày hẹn trả,Ngày hoàn thành,Có phí,Thanh toán trực tuyến\n"
REGISTRY = Registry([Unit("U1", "Xã Một", "xa"), Unit("S1", "Sở Một", "so")])


def _load(tmp_path: Path, rows: str, registry: Registry = REGISTRY):
    path = tmp_path / "dossiers.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    con = duckdb.connect()
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    loaded = load_dossiers(con, path, registry)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert loaded.read == loaded.used + loaded.quarantined
    return con, loaded


def _counts(con, indicator, level="province", as_of=WEEK.end):
    t = indicator_table(con, WEEK, as_of)
    row = t[(t["level"] == level) & (t["indicator"] == indicator)]
    return (int(row.iloc[0]["numerator"]), int(row.iloc[0]["denominator"])) if len(row) else (0, 0)


def test_period_boundaries(tmp_path):
    con, loaded = _load(tmp_path, "\n".join([
        "a,U1,2,2025-09-12 00:00:00,2025-09-20,,,",            # first instant of the week: received
        "b,U1,1,2025-09-18 23:59:59,2025-09-25,,,",            # last instant: received
        "c,U1,2,2025-09-19 00:00:00,2025-09-25,,,",            # the day after: not received
        "d,U1,1,2025-09-01 08:00,2025-09-10,2025-09-15 09:00,,",   # received before, finished late within
        "e,U1,1,2025-09-13 08:00,2025-09-15,2025-09-15 17:30,,",   # due date without time: the whole day
        "f,U1,1,2025-09-13 08:00,2025-09-14 12:00,2025-09-20 10:00,,",  # finished after the as-of date
        "g,U1,2,2025-09-11T18:00:00Z,2025-09-30,,,",           # 01:00 on 12/9 in Vietnam: received
    ]) + "\n")
    assert loaded.quarantined == 0
    assert _counts(con, "online_submission") == (2, 5)  # a, g online; received a, b, e, f, g
    assert _counts(con, "resolved_on_time") == (1, 2)   # e on time, d late; f finishes after the week
    assert _counts(con, "resolved_late") == (1, 2)
    backlog = backlog_table(con, WEEK, date(2025, 9, 18))
    province = backlog[backlog["level"] == "province"].iloc[0]
    assert province["in_process"] == 4  # a, b, f (finished 20/9), g; c not yet received
    assert province["overdue_in_process"] == 1  # f, due 14/9
    assert province["finished_late"] == 1  # d


def test_component_21_counts_in_process_not_yet_late(tmp_path):
    con, _ = _load(tmp_path, "\n".join([
        "a,U1,1,2025-09-12 08:00,2025-09-25,,,",               # in process, not yet late: on time
        "b,U1,1,2025-09-12 08:00,2025-09-15,,,",               # in process, late
        "c,U1,1,2025-09-12 08:00,2025-09-16,2025-09-16 10:00,,",  # finished on time
    ]) + "\n")
    local = local_components(con, WEEK, WEEK.end, load("2026"))
    row = local[(local["level"] == "province") & (local["component"] == "2.1")].iloc[0]
    assert (row["numerator"], row["denominator"]) == (2, 3)
    assert row["points"] == Decimal("13.33")


def test_supplement_rules(tmp_path):
    path = tmp_path / "dossiers.csv"
    path.write_text("dossier_id,unit_code,received_at,due_at,finished_at,supplement_count,supplement_requested_at,"
                    "supplement_completed_at\n"
                    "a,U1,2025-09-12 08:00,2025-09-15 08:00,2025-09-17 08:00,1,2025-09-13 08:00,2025-09-15 08:00\n"
                    "b,U1,2025-09-12 08:00,2025-09-17 08:00,2025-09-16 08:00,2,2025-09-13 08:00,2025-09-14 08:00\n"
                    "c,U1,2025-09-12 08:00,2025-09-15 08:00,,1,2025-09-14 08:00,\n", encoding="utf-8")
    con = duckdb.connect()
    load_dossiers(con, path, REGISTRY)
    local = local_components(con, WEEK, WEEK.end, load("2026"))
    row = local[(local["level"] == "province") & (local["component"] == "2.1")].iloc[0]
    # a: 2 days of supplement extend the due date to 17/9: on time; b: two requests: late;
    # c: a request never completed ends the dossier at the request (14/9 <= 15/9): on time
    assert (row["numerator"], row["denominator"]) == (2, 3)


def test_bad_rows_are_quarantined_with_reasons(tmp_path):
    con, loaded = _load(tmp_path, "\n".join([
        "ok1,U1,2,2025-09-12 08:00,2025-09-20,,có,có",
        "bad-date,U1,2,32/13/2025,2025-09-20,,,",
        "unknown,X9,2,2025-09-12 08:00,2025-09-20,,,",
        "backwards,U1,1,2025-09-14 08:00,2025-09-20,2025-09-13 08:00,,",
        "ok1,S1,1,2025-09-13 08:00,2025-09-20,,,",
        "bad-channel,U1,9,2025-09-12 08:00,2025-09-20,,,",
        "bad-flag,U1,1,2025-09-12 08:00,2025-09-20,,có lẽ,",
        ",U1,1,2025-09-12 08:00,2025-09-20,,,",
        "ok2,S1,1,2025-09-13 08:00,2025-09-20,,không,",
    ]) + "\n")
    q = loaded.quarantine
    assert (loaded.read, loaded.used, loaded.quarantined) == (9, 2, 7)
    reasons = dict(zip(q["line"], q["reason"]))
    assert "32/13/2025" in reasons[3] and "không đọc được" in reasons[3]
    assert reasons[4] == "đơn vị không có trong danh mục"
    assert reasons[5] == "kết thúc trước ngày tiếp nhận"
    assert reasons[6] == "trùng mã với dòng 2"
    assert "kênh «9»" in reasons[7]
    assert "có lẽ" in reasons[8]
    assert reasons[9] == "thiếu mã"
    assert dict(zip(q["line"], q["column"]))[3] == "Ngày tiếp nhận"


def test_a_second_file_on_the_same_connection_replaces_the_first(tmp_path):
    """``dossiers`` is a view over ``_dossiers_rows`` (each row's unit by its number): loading again,
    or over a table of that name someone made, leaves the second file's rows with their units."""
    con, _ = _load(tmp_path, "a,U1,2,2025-09-12 08:00,2025-09-20,,có,có\n")
    path = tmp_path / "second.csv"
    path.write_text(HEADER + "b,S1,1,2025-09-13 08:00,2025-09-20,,,\nc,U1,1,2025-09-13 08:00,2025-09-20,,,\n", "utf-8")
    load_dossiers(con, path, REGISTRY)
    rows = "SELECT dossier_id, unit_code, unit_name, tier FROM dossiers ORDER BY _line"
    assert con.execute(rows).fetchall() == [("b", "S1", "Sở Một", "so"), ("c", "U1", "Xã Một", "xa")]
    con.execute("DROP VIEW dossiers")
    con.execute("CREATE TEMP TABLE dossiers AS SELECT 1 AS mine")
    load_dossiers(con, path, REGISTRY)
    assert [r[0] for r in con.execute(rows).fetchall()] == ["b", "c"]


def test_rows_of_empty_cells_are_left_out_like_blank_lines(tmp_path):
    """A spreadsheet saved as CSV leaves rows of empty cells after its last row: they are not
    quarantined as dossiers without an identifier, and the warning says where they are."""
    from chiso766.core.errors import Diagnostics

    path = tmp_path / "dossiers.csv"
    path.write_text(HEADER + "a,U1,2,2025-09-12 08:00,2025-09-20,,,\n,,,,,,,\n ,, ,,,,,\n,,,,,,,\n", encoding="utf-8")
    diagnostics = Diagnostics()
    loaded = load_dossiers(duckdb.connect(), path, REGISTRY, diagnostics=diagnostics)
    assert (loaded.read, loaded.used, loaded.quarantined) == (1, 1, 0)
    (warning,) = [w for w in diagnostics.items if w.kind == "blank_rows"]
    assert warning.message == "3 dòng có mọi ô để trống (từ dòng 3 đến 5): đã bỏ qua, như dòng trống"
    assert warning.row == 3 and warning.path == str(path)
    # one empty cell among others with text is still a fault of its own
    con, loaded = _load(tmp_path, ",U1,,,,,,\n")
    assert list(loaded.quarantine["reason"]) == ["thiếu mã"]
    # spaces, a tab, quoted empty cells, a no-break space: empty as a person sees them
    path.write_text(HEADER + "a,U1,2,2025-09-12 08:00,,,,\n, ,,,,,,\n\t,,,,,,,\n\"\",\"\",,,,,,\n,\u00a0,,,,,,\n", encoding="utf-8")
    loaded = load_dossiers(duckdb.connect(), path, REGISTRY, diagnostics=(diagnostics := Diagnostics()))
    assert (loaded.read, loaded.used, loaded.quarantined) == (1, 1, 0)
    assert diagnostics.of_kind("blank_rows")[0].message.startswith("4 dòng có mọi ô để trống (từ dòng 3 đến 6)")
    # a note in a column the ingest ignores is text: the row is not blank, and is refused for its missing id
    path.write_text(HEADER.rstrip("\n") + ",Ghi chú\na,U1,2,2025-09-12 08:00,,,,,\n,,,,,,,,xem lại\n", encoding="utf-8")
    loaded = load_dossiers(duckdb.connect(), path, REGISTRY)
    assert list(loaded.quarantine["reason"]) == ["thiếu mã"]
    # of fewer or more cells than the header: blank still, not a row cut short or split
    path.write_text(HEADER + "a,U1,2,2025-09-12 08:00,,,,\n,,\n , \n,,,,,,,,,,,\nb,U1,2,2025-09-12\n", encoding="utf-8")
    loaded = load_dossiers(duckdb.connect(), path, REGISTRY, diagnostics=(diagnostics := Diagnostics()))
    assert (loaded.read, loaded.used, loaded.quarantined) == (2, 1, 1)
    assert list(loaded.quarantine["line"]) == [6] and "ít hơn 8 cột" in loaded.quarantine["reason"][0]
    assert diagnostics.of_kind("blank_rows")[0].message.startswith("3 dòng có mọi ô để trống (từ dòng 3 đến 5)")
    # nothing but blank rows after the header: no dossier, refused as a header alone is
    path.write_text(HEADER + ",,,,,,,\n,,,,,,,\n", encoding="utf-8")
    with pytest.raises(InputError, match="chỉ có dòng tiêu đề và dòng trống"):
        load_dossiers(duckdb.connect(), path, REGISTRY)


def test_units_missing_from_the_registry_are_named_with_their_rows(tmp_path):
    from chiso766.core.errors import Diagnostics

    rows = ["a,U1,2,2025-09-12 08:00,,,,", *(f"x{i},HP.X01,2,2025-09-12 08:00,,,," for i in range(3)),
            "y,X9,2,2025-09-12 08:00,,,,", "z,,2,2025-09-12 08:00,,,,"]
    path = tmp_path / "dossiers.csv"
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    diagnostics = Diagnostics()
    loaded = load_dossiers(duckdb.connect(), path, REGISTRY, diagnostics=diagnostics)
    assert (loaded.used, loaded.quarantined) == (1, 5)
    (warning,) = [w for w in diagnostics.items if w.kind == "unknown_units"]
    assert warning.message == (
        "2 đơn vị không có trong danh mục đơn vị, các dòng của chúng bị cách ly: «HP.X01» (3 dòng); "
        "«X9» (1 dòng). Bổ sung vào danh mục (units) hoặc sửa mã, tên trong tệp"
    )
    # one name in its two Unicode forms (NFC, NFD) is one unit
    import unicodedata

    name = "Phường Không Có"
    path.write_text("Mã hồ sơ,Tên đơn vị,Ngày tiếp nhận\n" + "".join(
        f"n{i},{unicodedata.normalize(form, name)},2025-09-12\n" for i, form in enumerate(["NFC", "NFD", "NFD"])
    ), encoding="utf-8")
    diagnostics = Diagnostics()
    load_dossiers(duckdb.connect(), path, REGISTRY, diagnostics=diagnostics)
    assert f"1 đơn vị không có trong danh mục đơn vị, các dòng của chúng bị cách ly: «{name}» (3 dòng)" in (
        diagnostics.of_kind("unknown_units")[0].message
    )


def test_a_ragged_row_is_quarantined_for_its_width_not_named_an_unknown_unit(tmp_path):
    """A row cut short ("garbage,row") has no unit cell: its second cell is not a unit to add to the
    registry, and a unit whose every row is ragged is not named; whole rows are still counted."""
    from chiso766.core.errors import Diagnostics

    rows = ["a,U1,2,2025-09-12 08:00,,,,", "garbage,row", "b,X9,2,2025-09-12 08:00,,,,", "c,X9,2,2025-09-12"]
    path = tmp_path / "dossiers.csv"
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    diagnostics = Diagnostics()
    loaded = load_dossiers(duckdb.connect(), path, REGISTRY, diagnostics=diagnostics)
    assert (loaded.used, loaded.quarantined) == (1, 3)
    assert "dòng chỉ có 2 ô" in loaded.quarantine.set_index("line")["reason"][3]
    (warning,) = diagnostics.of_kind("unknown_units")
    assert warning.message.startswith("1 đơn vị không có trong danh mục đơn vị, các dòng của chúng bị cách ly: "
                                      "«X9» (1 dòng).")


def test_a_dossier_file_no_encoding_reads_names_the_line_it_stops_being_utf8(tmp_path):
    path = tmp_path / "dossiers.csv"
    # the byte within a row, and the file's last byte (a small file is all looked at: not a character
    # cut by the end of the part looked at, which was read as UTF-8)
    for rows, line in ((b"a,U1,2,2025-09-12 08:00,,,,\nb,U1\x81,2,2025-09-12 08:00,,,,\n", 3),
                       (b"a,U1,2,2025-09-12 08:00,,,,\x81", 2)):
        path.write_bytes(HEADER.encode() + rows)
        with pytest.raises(InputError) as caught:
            load_dossiers(duckdb.connect(), path, REGISTRY)
        assert (caught.value.path, caught.value.row) == (path, line)
        assert "byte 0x81 không đọc được theo UTF-8; hãy lưu lại tệp dưới dạng CSV UTF-8" in str(caught.value)


def test_trailing_empty_rows_of_a_workbook_are_left_out(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["dossier_id", "unit_code", "channel", "received_at"])
    sheet.append(["a", "U1", 2, "2025-09-12 08:00"])
    for row in range(3, 8):  # formatted, never filled: Excel keeps such rows in the sheet
        sheet.cell(row=row, column=1).number_format = "@"
        sheet.cell(row=row, column=4).value = None
    book.save(tmp_path / "d.xlsx")
    loaded = load_dossiers(duckdb.connect(), tmp_path / "d.xlsx", REGISTRY)
    assert (loaded.used, loaded.quarantined) == (1, 0)


def test_header_mapping_from_params_and_missing_columns(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("So HS,Don vi,Nhan luc\nx1,Sở Một,2025-09-12\n", encoding="utf-8")
    con = duckdb.connect()
    with pytest.raises(InputError) as info:
        load_dossiers(con, path, REGISTRY)
    assert "dossier_id" in str(info.value) and str(path) in str(info.value)
    loaded = load_dossiers(con, path, REGISTRY, {"So HS": "dossier_id", "Don vi": "unit_name", "Nhan luc": "received_at"})
    assert loaded.used == 1


def test_xlsx_and_parquet_dossiers(tmp_path):
    frame = pd.DataFrame({"dossier_id": ["a", "b"], "unit_code": ["U1", "S1"], "channel": [2, 1],
                          "received_at": pd.to_datetime(["2025-09-12 08:00", "2025-09-13 09:00"]),
                          "due_at": pd.to_datetime(["2025-09-20", "2025-09-20"]),
                          "finished_at": pd.to_datetime([None, "2025-09-14"])})
    frame.to_parquet(tmp_path / "d.parquet")
    frame.to_excel(tmp_path / "d.xlsx", index=False)
    for name in ("d.parquet", "d.xlsx"):
        con = duckdb.connect()
        loaded = load_dossiers(con, tmp_path / name, REGISTRY)
        assert loaded.used == 2, name
        assert _counts(con, "online_submission") == (1, 2)


# Reconciliation ------------------------------------------------------------------------------


def test_reconciliation_reports_known_differences_exactly(snapshot_factory):
    method = load("2026")
    card = score_snapshot(read_snapshot(snapshot_factory("month", "all"), method), method)
    exact = synthetic.portal_counts(card.components)
    counts = {code: exact[code] for code in ("H44.07", "H44.08", "H44.100")}
    on_time, received = counts["H44.07"]["2.1"]
    counts["H44.07"]["2.1"] = (on_time - 10, received)  # 10 fewer on time than the portal
    paid, fee = counts["H44.100"]["3.6"]
    counts["H44.100"]["3.6"] = (paid - 25, fee)  # 25 fewer paid online
    dossiers = synthetic.dossiers_matching(counts, datetime(2026, 8, 1), datetime(2026, 8, 31))
    con = duckdb.connect()
    con.register("frame", dossiers)
    con.execute("CREATE TABLE dossiers AS SELECT f.*, u.unit_name, u.tier, NULL::INTEGER AS supplement_count, "
                "NULL::TIMESTAMP AS supplement_requested_at, NULL::TIMESTAMP AS supplement_completed_at "
                "FROM frame f JOIN (VALUES ('H44.07', 'Sở Công Thương', 'so'), ('H44.08', 'Sở Giáo dục', 'so'), "
                "('H44.100', 'Phường Việt Trì', 'xa')) u(unit_code, unit_name, tier) USING (unit_code)")
    local = local_components(con, parse_period("2026-08"), date(2026, 9, 26), method)
    table = reconcile(card, local)
    differing = table[[s is not None and s > 0 for s in table["points_at_stake"]]]
    units = differing[differing["unit_code"] != ""]
    assert [(r.unit_code, r.component) for r in units.itertuples()] == [("H44.07", "2.1"), ("H44.100", "3.6")]
    row = units.iloc[0]
    assert row["local_numerator"] == row["portal_numerator"] - 10
    assert row["points_at_stake"] == abs(row["local_points"] - row["portal_points"]) > 0
    same = table[(table["unit_code"] == "H44.08") & (table["component"].isin(["2.1", "3.6", "4.2", "4.3"]))]
    assert list(same["points_at_stake"]) == [Decimal(0)] * 4
    absent = table[(table["unit_code"] == "H44.01") & (table["component"] == "2.1")].iloc[0]
    assert absent["note"] == "không có hồ sơ trong dữ liệu của tỉnh" and absent["points_at_stake"] is None
    assert table["points_at_stake"].iloc[0] == max(s for s in table["points_at_stake"] if s is not None)
