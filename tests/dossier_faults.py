"""Input files with every kind of fault the dossier and complaint ingest knows, and what it made of them.

``write_cases(folder)`` writes each case (CSV read by DuckDB in one go, CSV read record by record,
all-text and typed Parquet, partitioned Parquet, XLSX, complaints, no registry); ``outputs`` runs the
ingest on one case and returns the bytes it is judged by: the quarantine (CSV, with its dtypes), the
table of used rows (its columns, types and rows in table order), the counts and the warnings.
``tests/ingest_parity/`` holds these outputs as they were before the ingest was rewritten for speed
(issue 15); ``tests/test_ingest_parity.py`` compares. A new case is recorded (with the ingest of
the given file, e.g. the module as it was before, ``git show <commit>:lib/chiso766/ingest/dossiers.py``):

    .venv/bin/python tests/dossier_faults.py --record [path/to/dossiers.py]
"""

from __future__ import annotations

import csv
import io
import json
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "ingest_parity"

# --- the registry: codes, names, an alias, two tiers -------------------------------------------------


def registry():  # type: ignore[no-untyped-def]
    from chiso766.ingest.units import Registry, Unit

    return Registry(
        [
            Unit("U1", "Xã Một", "xa"),
            Unit("U2", "Phường Hai", "xa", ("P. Hai", "Phường 2")),
            Unit("S1", "Sở Một", "so"),
            Unit("S2", "Sở Văn hóa, Thể thao", "so"),
        ]
    )


# --- dossiers: every value the parser accepts today, and every fault --------------------------------

HEADER = [
    "Mã hồ sơ",
    "Mã đơn vị",
    "Tên đơn vị",
    "Mã thủ tục",
    "Kênh thực hiện",
    "Ngày tiếp nhận",
    "Ngày hẹn trả",
    "Ngày hoàn thành",
    "Có phí",
    "Thanh toán trực tuyến",
    "Cập nhật trên hệ thống",
    "Số hóa",
    "Tái sử dụng",
    "Số lần bổ sung",
    "Ngày yêu cầu bổ sung",
    "Ngày hoàn thành bổ sung",
    "Ghi chú",  # not a known column: a warning, then ignored
]
ID, CODE, NAME, PROC, CHANNEL, RECEIVED, DUE, FINISHED = HEADER[:8]
FEE, PAID, UPDATED, DIGITIZED, REUSED, SUPP_N, SUPP_REQ, SUPP_DONE, NOTE = HEADER[8:]
BOOLS = [FEE, PAID, UPDATED, DIGITIZED, REUSED]
BASE = {
    CODE: "U1",
    NAME: "",
    PROC: "1.000001",
    CHANNEL: "2",
    RECEIVED: "2025-09-12 08:00:00",
    DUE: "2025-09-20 17:00:00",
    FINISHED: "2025-09-15 10:00:00",
    FEE: "có",
    PAID: "có",
    UPDATED: "true",
    DIGITIZED: "1",
    REUSED: "0",
    SUPP_N: "0",
    SUPP_REQ: "",
    SUPP_DONE: "",
    NOTE: "",
}

# Every format of _FORMATS, every zone spelling, and strings that look like dates but are not.
DATES = [
    "2025-09-12 08:00:00",
    "2025-09-12T08:00:00",
    "2025-09-12 08:00",
    "2025-09-12T08:00",
    "2025-09-12",
    "12/09/2025 08:00:00",
    "12/09/2025 08:00",
    "12/09/2025",
    "12-09-2025",
    "2025-09-12 08:00:00.250",
    "2025-09-12 08:00:00.123456",
    "2025-09-12 08:00:00.5",
    "2025-09-12 08:00:00.1234567",
    "2025-09-12T01:00:00Z",
    "2025-09-12 01:00:00Z",
    "2025-09-12T08:00:00+07:00",
    "2025-09-12T08:00:00+0700",
    "2025-09-12T08:00:00+07",
    "2025-09-12 03:00:00+02:00",
    "2025-09-11T20:00:00-05:00",
    "2025-09-12T08:00:00.5Z",
    "2025-09-12T08:00Z",
    "2025-09-12Z",
    "2025-09-12t08:00:00",
    "2025-09-12 08:00:00 +07:00",
    " 2025-09-12 08:00 ",
    "2025-9-12",
    "2025-9-1",
    "2025-09-12 8:00",
    "1/9/2025",
    "1/9/2025 7:05",
    "2025/09/12",
    "12.09.2025",
    "20250912",
    "2025-02-29",
    "2024-02-29",
    "2025-13-01",
    "31/04/2025",
    "0001-01-01",
    "0000-01-01",
    "9999-12-31 23:59:59",
    "2025-09-12 24:00:00",
    "2025-09-12 23:59:60",
    "2025-09-12 08:00:00 SA",
    "ngày 12/9/2025",
    "Zulu",
    "-",
    "0",
    "infinity",  # words DuckDB reads in every format, differently with a zone
    "-Infinity",
    "EPOCH",
    "infinity\t",
    "+infinity",
]
TRUE = ["1", "true", "t", "yes", "y", "x", "có", "co", "đúng", "dung", "đã", "da"]
FALSE = ["0", "false", "f", "no", "n", "không", "khong", "chưa", "chua"]
BOOL_VALUES = [
    *TRUE,
    *FALSE,
    "TRUE",
    "False",
    "Có",
    "CÓ",
    "ĐÚNG",
    "Đã",
    "KHÔNG",
    "Chưa",
    "X",
    "Y",
    "N",
    "  có  ",
    "co\u0301",  # "có" decomposed (NFD)
    "có lẽ",
    "2",
    "-",
    "null",
    "NaN",
    "c ó",
    "1.0",
]
CHANNELS = [
    "1",
    "2",
    "3",
    "",
    "  ",
    " 2 ",
    "trực tiếp",
    "Trực tuyến",
    "BƯU CHÍNH",
    "truc tiep",
    "Truc Tuyen",
    "buu chinh",
    "0",
    "4",
    "9",
    "2.0",
    "02",
    "online",
    "trực  tuyến",
    "tru\u0323c tuye\u0302\u0301n",  # NFD
]
COUNTS = [
    "0",
    "1",
    "2",
    " 3 ",
    "",
    "1.5",
    "1.0",
    "-1",
    "abc",
    "2147483647",
    "2147483648",
    "+2",
    "1e2",
    "١",
    "１",
    "0x1",
]


def _dossier_rows() -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []

    def add(**cells: str) -> None:
        row = dict(BASE)
        row[ID] = f"r{len(rows) + 1:03d}"
        for key, value in cells.items():
            row[
                {
                    "id": ID,
                    "code": CODE,
                    "name": NAME,
                    "channel": CHANNEL,
                    "received": RECEIVED,
                    "due": DUE,
                    "finished": FINISHED,
                    "fee": FEE,
                    "paid": PAID,
                    "updated": UPDATED,
                    "digitized": DIGITIZED,
                    "reused": REUSED,
                    "supp_n": SUPP_N,
                    "supp_req": SUPP_REQ,
                    "supp_done": SUPP_DONE,
                    "note": NOTE,
                    "proc": PROC,
                }[key]
            ] = value
        rows.append(row)

    add()  # a clean row
    add(note="ghi chú, có dấu phẩy", proc=" 1.000002 ")
    for value in DATES:  # each spelling in each date column
        add(received=value, due="2999-01-01 00:00:00", finished="")
        add(received="2000-01-01 00:00:00", due=value, finished="")
        add(received="2000-01-01 00:00:00", finished=value)
        add(received="2000-01-01 00:00:00", supp_req=value, supp_n="1")
        add(received="2000-01-01 00:00:00", supp_req="2000-01-02 00:00:00", supp_done=value, supp_n="1")
    for i, value in enumerate(BOOL_VALUES):
        add(**{["fee", "paid", "updated", "digitized", "reused"][i % 5]: value})
    for value in ("có lẽ", ""):
        add(fee=value, paid=value, updated=value, digitized=value, reused=value)
    for value in CHANNELS:
        add(channel=value)
    for value in COUNTS:
        add(supp_n=value)
    # identifiers: missing, repeated (also after a faulty first), differing only by spaces or case
    add(id="")
    add(id="   ")
    add(id="", received="bad")
    add(id="dup-a")
    add(id="dup-a")
    add(id="dup-a", code="X9")
    add(id="dup-a")
    add(id="DUP-A")
    add(id="dup-b", received="32/13/2025")
    add(id="dup-b")
    add(id=" dup-c")
    add(id="dup-c ")
    add(id="dup-d", due="2025-09-01")
    add(id="dup-d", due="2025-09-01")
    add(id="id, with comma")
    add(id="id, with comma")
    add(id="mã-hồ-sơ")
    add(id="ma\u0303-ho\u0302\u0300-so\u031b")  # NFD: another id
    # units: by code, by name, by an alias, by a spelling, unknown, none
    for code, name in [
        ("U1", ""),
        (" u1 ", ""),
        ("", "Xã Một"),
        ("", "xa mot"),
        ("", "XÃ MỘT"),
        ("", "P. Hai"),
        ("", "Phường 2"),
        ("", "UBND Phường Hai"),
        ("U2", "Sở Một"),
        ("X9", "Sở Một"),
        ("X9", ""),
        ("", "Xã Không Có"),
        ("", ""),
        ("S2", "Sở Văn hóa, Thể thao"),
        ("", "Sở Văn hóa, Thể thao"),
    ]:
        add(code=code, name=name)
    # several faults in one row: the first in the order of the checks is the reason
    add(id="", channel="9", received="bad")
    add(channel="9", received="bad", fee="maybe")
    add(received="bad", code="X9")
    add(received="", code="X9")
    add(received="", due="bad")
    add(code="X9", finished="2000-01-01 00:00:00")
    add(finished="2025-09-11 00:00:00", due="2025-09-10 00:00:00")
    add(id="dup-a", due="2025-09-01 00:00:00")
    add(received="2025-09-12 08:00:00", finished="2025-09-12")  # a date without time is midnight
    add(received="2025-09-12 08:00:00", due="2025-09-12")  # … but a due date runs to the day's end
    add(received="2025-09-12 08:00:00", due="2025-09-12 07:59:59")
    add(received="2025-09-12T01:00:00Z", due="2025-09-12 07:59:59")  # 08:00 in Vietnam: due before
    add(received="", due="", finished="")
    return rows


def _csv_text(header: list[str], rows: list[list[str]], delimiter: str = ",") -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _cells(rows: list[dict[str, str]]) -> list[list[str]]:
    return [[row[h] for h in HEADER] for row in rows]


def dossier_csv() -> str:
    """One header and one line a row: read by DuckDB in one go."""
    return _csv_text(HEADER, _cells(_dossier_rows()))


def ragged_csv() -> str:
    """The same rows, with what makes the reader go record by record: rows of the wrong width, a
    cell over several lines, blank lines, a trailing delimiter, CRLF line ends."""
    lines = dossier_csv().splitlines(keepends=True)
    width = len(HEADER)
    good = "rg-{n}," + ",".join(_cells([{**BASE, ID: ""}])[0][1:]) + "\n"
    extra = [
        good.format(n=1).replace("\n", ",extra\n"),  # one cell too many
        good.format(n=2).replace("\n", ",\n"),  # a trailing delimiter: an empty extra cell
        "rg-3,U1,,1.000001,2\n",  # too few cells
        "\n",  # a blank line
        good.format(n=4).replace("\n", "\r\n"),  # CRLF
        '"rg-5\nover two lines",U1' + "," * (width - 2) + "\n",
        '"rg-6",U1,"",1.000001,2,"2025-09-12\n08:00:00",2025-09-20,,,,,,,,,,\n',
        "rg-7,S2,Sở Văn hóa, Thể thao,1.000001,2,2025-09-12,2025-09-20,,,,,,,,,,\n",  # unquoted comma
        "dup-a,U1,,1.000001,2,2025-09-12,2025-09-20,,,,,,,,,,,\n",  # ragged: not the first dup-a
        "\n\n",
        "rg-8" + "," * (width - 1) + "\n",  # every cell empty but the id
        "," * (width - 1) + "\n",  # a row of empty cells
    ]
    return "".join(lines[:40] + extra[:6] + lines[40:120] + extra[6:] + lines[120:])


def typed_parquet(path: Path, variant: int) -> None:
    """Typed columns, as a system exports them: timestamps (µs or ns, naive or UTC), dates, booleans,
    integer channels, with the faults a typed file can still have."""
    base = datetime(2025, 9, 12, 8, 0)
    received: list[datetime | None] = []
    due: list[object] = []
    finished: list[datetime | None] = []
    ids: list[str | None] = []
    codes: list[str | None] = []
    channels: list[int | None] = []
    flags: list[bool | None] = []
    counts: list[int | None] = []
    requested: list[datetime | None] = []
    completed: list[datetime | None] = []
    n = 0

    def add(
        id_: str | None = "",
        code: str | None = "U1",
        channel: int | None = 2,
        rec: datetime | None = base,
        du: object = base + timedelta(days=5),
        fin: datetime | None = base + timedelta(days=2),
        flag: bool | None = True,
        count: int | None = 0,
        req: datetime | None = None,
        done: datetime | None = None,
    ) -> None:
        nonlocal n
        n += 1
        ids.append(f"t{n:03d}" if id_ == "" else id_)
        codes.append(code)
        channels.append(channel)
        received.append(rec)
        due.append(du)
        finished.append(fin)
        flags.append(flag)
        counts.append(count)
        requested.append(req)
        completed.append(done)

    add()
    add(id_=None)
    add(id_="  ")
    add(code="X9")
    add(code=None)
    add(code=" u2 ")
    for channel in (None, 0, 1, 3, 4, 9, -1):
        add(channel=channel)
    add(rec=None)
    add(rec=base, fin=base - timedelta(microseconds=1))
    add(rec=base, du=base - timedelta(seconds=1))
    for micro in (1, 5, 10, 250_000, 500_000, 123_456, 999_999):
        add(rec=base + timedelta(microseconds=micro), fin=base + timedelta(days=1, microseconds=micro))
    add(rec=datetime(1, 1, 1), du=datetime(1, 1, 2), fin=None)
    add(rec=datetime(999, 12, 31, 23, 59, 59), du=datetime(1000, 1, 1), fin=None)
    add(rec=datetime(9999, 12, 31, 23, 59, 59, 999_999), du=datetime(9999, 12, 31, 23, 59, 59, 999_999), fin=None)
    add(flag=None)
    add(flag=False)
    for count in (None, 1, 2, -3):
        add(count=count)
    add(count=1, req=base + timedelta(days=1), done=base + timedelta(days=2))
    add(count=1, req=base + timedelta(days=1), done=None)
    add(id_="dup")
    add(id_="dup")
    add(id_="dup", code="X9")
    add(id_="dup ", rec=None)
    add(id_="dup2", rec=None)
    add(id_="dup2")
    add(id_="dup2")
    add(rec=base, du=date(2025, 9, 12) if variant == 2 else base + timedelta(hours=15, minutes=59))
    add(rec=base, du=date(2025, 9, 11) if variant == 2 else base - timedelta(hours=8))
    columns: dict[str, pa.Array] = {
        "dossier_id": pa.array(ids, pa.string()),
        "unit_code": pa.array(codes, pa.string()),
        "channel": pa.array(channels, pa.int8() if variant == 1 else pa.int64()),
        "fee_required": pa.array(flags, pa.bool_()),
        "paid_online": pa.array([None if f is None else not f for f in flags], pa.bool_()),
        "updated_on_system": pa.array(flags, pa.bool_()),
        "supplement_count": pa.array(counts, pa.int32() if variant == 1 else pa.int64()),
    }
    if variant != 2:
        columns["received_at"] = pa.array(received, pa.timestamp("us"))
        columns["due_at"] = pa.array(due, pa.timestamp("us"))
        columns["finished_at"] = pa.array(finished, pa.timestamp("us"))
        columns["supplement_requested_at"] = pa.array(requested, pa.timestamp("us"))
        columns["supplement_completed_at"] = pa.array(completed, pa.timestamp("us"))
    else:  # zoned, date-only and nanosecond timestamps
        safe = [None if r is None or r.year < 1700 or r.year > 2200 else r for r in received]
        columns["received_at"] = pa.array(
            [None if r is None else r.replace(tzinfo=timezone(timedelta(hours=7))) for r in safe],
            pa.timestamp("us", tz="UTC"),
        )
        columns["due_at"] = pa.array(
            [d if isinstance(d, date) and not isinstance(d, datetime) else None for d in due], pa.date32()
        )
        epoch = datetime(1970, 1, 1)
        nanos = [
            None if f is None or f.year < 1700 or f.year > 2200 else (f - epoch) // timedelta(microseconds=1) * 1000
            for f in finished
        ]
        nanos[0] = None if nanos[0] is None else nanos[0] + 7  # a nanosecond part
        columns["finished_at"] = pa.array(nanos, pa.timestamp("ns"))
    if variant == 3:  # flags as text and as numbers
        columns["digitized"] = pa.array([None if f is None else ("có" if f else "không") for f in flags])
        columns["reused_data"] = pa.array([None if f is None else float(f) for f in flags], pa.float64())
    else:
        columns["digitized"] = pa.array(flags, pa.bool_())
    pq.write_table(pa.table(columns), path)


def complaints_csv() -> str:
    header = ["Mã phản ánh", "Mã đơn vị", "Đơn vị", "Ngày tiếp nhận", "Hạn xử lý", "Ngày xử lý", "Hài lòng"]
    rows = [
        ["p1", "U1", "", "2025-09-12 08:00", "2025-09-20", "2025-09-15 10:00", "có"],
        ["p2", "", "Sở Một", "2025-09-12T01:00:00Z", "2025-09-12", "", ""],
        ["p3", "U1", "", "2025-09-12 08:00", "2025-09-10", "", "không"],
        ["p4", "U1", "", "2025-09-12 08:00", "2025-09-20", "2025-09-11 00:00", "có"],
        ["p5", "X9", "", "2025-09-12 08:00", "2025-09-20", "", ""],
        ["p6", "U1", "", "", "2025-09-20", "", ""],
        ["p7", "U1", "", "bad", "2025-09-20", "", ""],
        ["p8", "U1", "", "2025-09-12 08:00", "2025-09-20", "", "có lẽ"],
        ["p1", "U1", "", "2025-09-12 08:00", "2025-09-20", "", ""],
        ["", "U1", "", "2025-09-12 08:00", "2025-09-20", "", ""],
        ["p9", "U1", "", "12/09/2025", "12/09/2025", "12/09/2025 23:00", "x"],
    ]
    return _csv_text(header, rows)


# --- the cases -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    file: str
    kind: str = "dossiers"
    with_registry: bool = True


CASES = [
    Case("csv", "dossiers.csv"),
    Case("csv-semicolon", "dossiers-semicolon.csv"),
    Case("csv-ragged", "dossiers-ragged.csv"),
    Case("csv-no-registry", "dossiers.csv", with_registry=False),
    Case("parquet-text", "dossiers-text.parquet"),
    Case("parquet-typed-1", "dossiers-typed-1.parquet"),
    Case("parquet-typed-2", "dossiers-typed-2.parquet"),
    Case("parquet-typed-3", "dossiers-typed-3.parquet"),
    Case("parquet-partitioned", "partitioned"),
    Case("xlsx", "dossiers.xlsx"),
    Case("complaints", "complaints.csv", kind="complaints"),
    Case("csv-few-columns", "dossiers-few-columns.csv"),
    Case("parquet-extreme", "dossiers-extreme.parquet"),
    Case("parquet-few-columns", "dossiers-few-columns.parquet"),
]


def write_cases(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    text = dossier_csv()
    (folder / "dossiers.csv").write_text(text, encoding="utf-8")
    semicolon = _csv_text(HEADER, _cells(_dossier_rows()), ";")
    (folder / "dossiers-semicolon.csv").write_text(semicolon, encoding="utf-8")
    (folder / "dossiers-ragged.csv").write_text(ragged_csv(), encoding="utf-8", newline="")
    (folder / "complaints.csv").write_text(complaints_csv(), encoding="utf-8")
    few = [ID, CODE, RECEIVED]  # every other column absent: constants of the right types
    (folder / "dossiers-few-columns.csv").write_text(
        _csv_text(few, [[row[h] for h in few] for row in _dossier_rows()]), encoding="utf-8"
    )
    with duckdb.connect() as con:
        con.execute(
            f"COPY (SELECT * FROM read_csv('{folder / 'dossiers.csv'}', all_varchar = true, header = true)) "
            f"TO '{folder / 'dossiers-text.parquet'}' (FORMAT parquet)"
        )
    typed_parquet(folder / "dossiers-typed-1.parquet", 1)
    pq.write_table(
        pq.read_table(folder / "dossiers-typed-1.parquet", columns=["dossier_id", "unit_code", "received_at"]),
        folder / "dossiers-few-columns.parquet",
    )
    typed_parquet(folder / "dossiers-typed-2.parquet", 2)
    typed_parquet(folder / "dossiers-typed-3.parquet", 3)
    with duckdb.connect() as con:  # values no other writer makes: infinite, BC and five-digit years
        con.execute(
            "COPY (SELECT 'x' || i AS dossier_id, 'U1' AS unit_code, CAST(c AS BIGINT) AS channel, r AS received_at, "
            "d AS due_at, f AS finished_at, n AS supplement_count FROM (VALUES "
            "(1, 2, TIMESTAMP '2025-09-12 08:00', TIMESTAMP '2025-09-20', NULL::TIMESTAMP, 1), "
            "(2, 1, TIMESTAMP 'infinity', TIMESTAMP '2025-09-20', NULL, 0), "
            "(3, 1, TIMESTAMP '2025-09-12 08:00', TIMESTAMP 'infinity', NULL, 0), "
            "(4, 1, TIMESTAMP '2025-09-12 08:00', TIMESTAMP '2025-09-20', TIMESTAMP '-infinity', 0), "
            "(5, 2, TIMESTAMP '10000-01-01 00:00', TIMESTAMP '10000-01-02', NULL, 0), "
            "(6, 2, TIMESTAMP '0044-03-15 (BC)', TIMESTAMP '2025-09-20', NULL, 0), "
            "(7, 3, TIMESTAMP '2025-09-12 08:00', TIMESTAMP '2025-09-20', NULL, 3000000000), "
            "(8, 2, TIMESTAMP '0001-01-01 00:00', TIMESTAMP '9999-12-31 23:59:59.999999', NULL, -2147483648), "
            "(9, 2, TIMESTAMP '2025-09-12 08:00', TIMESTAMP '2025-09-20', NULL, -2147483649)"
            f") t(i, c, r, d, f, n)) TO '{folder / 'dossiers-extreme.parquet'}' (FORMAT parquet)"
        )
    parts = folder / "partitioned"
    for province, month, variant in (("T01", "2025-09", 1), ("T01", "2025-10", 1), ("T02", "2025-09", 1)):
        target = parts / f"province={province}" / f"month={month}"
        target.mkdir(parents=True, exist_ok=True)
        typed_parquet(target / "part-0.parquet", variant)
    _xlsx(folder / "dossiers.xlsx")


def _xlsx(path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for row in _dossier_rows()[:60] + _dossier_rows()[-20:]:
        sheet.append([row[h] for h in HEADER])
    sheet.append(
        [
            "x-dt",
            "U1",
            "",
            "1.000001",
            2,
            datetime(2025, 9, 12, 8, 0),
            datetime(2025, 9, 20),
            None,
            True,
            False,
            1,
            0,
            None,
            1,
            datetime(2025, 9, 13),
            datetime(2025, 9, 14, 12, 30),
            None,
        ]
    )
    sheet.append(
        [
            "x-num",
            "S1",
            "",
            1.000001,
            3.0,
            datetime(2025, 9, 12, 8, 0, 0, 500000),
            date(2025, 9, 11),
            None,
            "có",
            "x",
            None,
            None,
            None,
            2.0,
            None,
            None,
            7,
        ]
    )
    book.save(path)


def outputs(folder: Path, case: Case, ingest: Callable[..., object] | None = None) -> dict[str, bytes]:
    """What one ingest made of a case, as bytes: ``quarantine.csv``, ``used.csv``, ``summary.json``."""
    from chiso766.core.errors import Diagnostics
    from chiso766.ingest import dossiers
    from chiso766.ingest.units import Registry

    diagnostics = Diagnostics()
    load = ingest or (dossiers.load_dossiers if case.kind == "dossiers" else dossiers.load_complaints)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'Etc/UTC'")  # a typed zoned timestamp is read as text in the session's zone
    try:
        loaded = load(con, folder / case.file, registry() if case.with_registry else Registry(), None, diagnostics)
        quarantine = loaded.quarantine  # type: ignore[attr-defined]
        out = {"quarantine.csv": quarantine.to_csv(index=False).encode()}
        types = con.execute(f"SELECT column_name, column_type FROM (DESCRIBE {case.kind})").fetchall()
        with tempfile.TemporaryDirectory() as scratch:
            copy = Path(scratch) / "used.csv"
            con.execute(
                f"COPY (SELECT * FROM {case.kind}) TO '{copy}' (HEADER, TIMESTAMPFORMAT '%Y-%m-%d %H:%M:%S.%f')"
            )
            out["used.csv"] = copy.read_bytes()
        summary = {
            "read": loaded.read,  # type: ignore[attr-defined]
            "used": loaded.used,  # type: ignore[attr-defined]
            "quarantine_dtypes": {k: str(v) for k, v in quarantine.dtypes.items()},
            "types": [list(t) for t in types],
            "tables": sorted(r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()),
            "views": sorted(
                r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()
            ),
            "warnings": [
                {**w.as_row(), "file": str(w.path).replace(str(folder), "<folder>")} for w in diagnostics.items
            ],
        }
        out["summary.json"] = (json.dumps(summary, ensure_ascii=False, indent=1) + "\n").encode()
        return out
    finally:
        con.close()


def record(module: str | None = None) -> None:
    """Record the cases without a fixture yet, with the ingest of ``module`` (a file path) if given."""
    ingest = None
    if module is not None:
        import importlib.util

        spec = importlib.util.spec_from_file_location("recorded_dossiers", module)
        assert spec is not None and spec.loader is not None
        loaded = importlib.util.module_from_spec(spec)
        sys.modules["recorded_dossiers"] = loaded
        spec.loader.exec_module(loaded)
        ingest = loaded
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        write_cases(folder)
        for case in CASES:
            target = FIXTURES / case.name
            if target.is_dir():
                continue
            target.mkdir(parents=True)
            load = None if ingest is None else getattr(ingest, f"load_{case.kind}")
            for name, data in outputs(folder, case, load).items():
                (target / name).write_bytes(data)
            print(case.name, "recorded")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--record"]:
        sys.path.insert(0, str(HERE.parent / "lib"))
        record(sys.argv[2] if len(sys.argv) > 2 else None)
    else:
        print(__doc__)
