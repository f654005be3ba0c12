"""Ingest dossiers (hồ sơ) and complaints (phản ánh, kiến nghị) into DuckDB, quarantining bad rows.

Every row read is either used or quarantined with its line number and reason, never dropped:
``read == used + quarantined``. Dates are local time (Asia/Ho_Chi_Minh); a date without a time
means the whole day (a due date runs to the day's end).

A CSV file is read by DuckDB with an explicit dialect (the delimiter of its header line, ``"``
quotes) in strict mode. If that fails, or rows and lines do not match one to one, the file is read
record by record (:func:`chiso766.ingest.tabular.csv_records`): a quote never closed is an
:class:`InputError` naming its line, a row with more or fewer cells than the header is quarantined
by its line (its cells are not guessed). Quarantine lines are the lines an editor shows, also after
a cell spanning several lines or a blank line. A header-only dossier file is refused; an empty
channel counts as direct (METHODOLOGY §2.3) with a warning that counts such dossiers.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pandas as pd

from chiso766.core.errors import Diagnostics, InputError
from chiso766.core.textvi import fold, name_key
from chiso766.ingest.tabular import csv_records, decode_text, read_table, sniff_delimiter
from chiso766.ingest.units import Registry, load_registry, tier_from_name

if TYPE_CHECKING:
    from chiso766.core.params import Params

__all__ = [
    "Loaded",
    "load_dossiers",
    "load_complaints",
    "ingest",
    "DOSSIER_COLUMNS",
    "COMPLAINT_COLUMNS",
    "register_units",
    "dossier_glob",
]

DOSSIER_COLUMNS = {
    "dossier_id": ("ma ho so", "so ho so", "ma hs", "id"),
    "unit_code": ("ma don vi", "ma co quan"),
    "unit_name": ("don vi", "ten don vi", "co quan", "co quan giai quyet", "don vi tiep nhan", "dia phuong"),
    "procedure_code": ("ma thu tuc", "ma tthc", "thu tuc", "ma thu tuc hanh chinh"),
    "channel": ("kenh thuc hien", "kenh nop", "hinh thuc nop", "kenh"),
    "received_at": ("ngay tiep nhan", "ngay nhan", "thoi gian tiep nhan"),
    "due_at": ("ngay hen tra", "han xu ly", "ngay hen", "han giai quyet"),
    "finished_at": ("ngay hoan thanh", "ngay tra ket qua", "ngay ket thuc", "ngay xu ly xong", "ngay co ket qua"),
    "fee_required": ("co phi", "co phi le phi", "phi le phi", "thu phi"),
    "paid_online": ("thanh toan truc tuyen", "da thanh toan truc tuyen"),
    "updated_on_system": ("cap nhat tren he thong", "cap nhat he thong", "da cap nhat"),
    "digitized": ("so hoa", "da so hoa", "so hoa ho so"),
    "reused_data": ("tai su dung", "su dung lai du lieu", "khai thac du lieu so hoa"),
    "supplement_count": ("so lan bo sung",),
    "supplement_requested_at": ("ngay yeu cau bo sung",),
    "supplement_completed_at": ("ngay hoan thanh bo sung", "ngay bo sung"),
}
COMPLAINT_COLUMNS = {
    "complaint_id": ("ma phan anh", "ma pakn", "id"),
    "unit_code": ("ma don vi", "ma co quan"),
    "unit_name": ("don vi", "ten don vi", "co quan", "dia phuong"),
    "received_at": ("ngay tiep nhan", "ngay nhan"),
    "due_at": ("han xu ly", "ngay hen", "han tra loi"),
    "handled_at": ("ngay xu ly", "ngay tra loi", "ngay hoan thanh"),
    "satisfied": ("hai long", "muc do hai long"),
}
_REQUIRED = {"dossiers": ("dossier_id", "received_at"), "complaints": ("complaint_id", "received_at")}
_DATES = {"received_at", "due_at", "finished_at", "handled_at", "supplement_requested_at", "supplement_completed_at"}
_BOOLS = {"fee_required", "paid_online", "updated_on_system", "digitized", "reused_data", "satisfied"}
_TRUE = ("1", "true", "t", "yes", "y", "x", "có", "co", "đúng", "dung", "đã", "da")
_FALSE = ("0", "false", "f", "no", "n", "không", "khong", "chưa", "chua")
_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%d-%m-%Y",
    "%Y-%m-%d %H:%M:%S.%f",
]


@dataclass
class Loaded:
    """The result of one ingest: ``table`` holds the clean rows in DuckDB."""

    table: str
    source: Path
    read: int
    used: int
    quarantine: pd.DataFrame  # line, id, column, value, reason

    @property
    def quarantined(self) -> int:
        return len(self.quarantine)


def dossier_glob(path: Path) -> str:
    """A Parquet file, or every Parquet file of a partitioned folder (``province=…/month=…/``)."""
    return str(path / "**" / "*.parquet") if path.is_dir() else str(path)


def _sql_list(values: tuple[str, ...]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def _raw_relation(con: duckdb.DuckDBPyConnection, path: Path, name: str, diagnostics: Diagnostics) -> None:
    """Load the file as all-text columns plus ``_line`` (the spreadsheet line) into table ``name``."""
    suffix = path.suffix.lower()
    if path.is_dir():  # Parquet partitioned by province and month
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT row_number() OVER () AS _line, * "
            "FROM read_parquet(?, hive_partitioning = true)",
            [dossier_glob(path)],
        )
        return
    if not path.is_file():
        raise InputError("không tìm thấy tệp", path)
    if path.stat().st_size == 0:
        raise InputError("tệp rỗng (0 byte)", path)
    if suffix == ".parquet":
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT row_number() OVER () AS _line, * FROM read_parquet(?)",
            [str(path)],
        )
        return
    if suffix in {".xlsx", ".xlsm"}:
        table = read_table(path, diagnostics)
        frame = table.frame.copy()
        frame.insert(0, "_line", table.lines)
        con.register("_xlsx_frame", frame)
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM _xlsx_frame")
        con.unregister("_xlsx_frame")
        return
    _csv_relation(con, path, name, diagnostics)


_CSV_SQL = (
    "CREATE OR REPLACE TEMP TABLE {name} AS SELECT {line} * "
    "FROM read_csv(?, all_varchar = true, header = true, delim = ?, quote = '\"', escape = '\"', "
    "strict_mode = true, null_padding = false, auto_detect = true)"
)
_RAGGED = "_ragged"  # why a row was not read as the header says (its cells are quarantined, not guessed)


def _csv_relation(con: duckdb.DuckDBPyConnection, path: Path, name: str, diagnostics: Diagnostics) -> None:
    """A CSV file into table ``name``, with the line an editor shows for every row.

    DuckDB reads it first, strictly. When that fails (a row of the wrong width, a quote) or when rows
    and lines do not match one to one (a cell over several lines, a blank line), Python's reader
    goes through the file: a broken quote is an :class:`InputError` naming its line; a row of the
    wrong width is kept with the reason it will be quarantined for; the rows are then read again
    from a normalised copy that carries each one's line.
    """
    source = _utf8_copy(path, diagnostics)
    try:
        with source.open("rb") as handle:
            head = handle.read(1 << 16).decode("utf-8", "replace").lstrip("\ufeff")
        if not head.strip() and source.stat().st_size <= 1 << 16:
            raise InputError("tệp rỗng (chỉ có dòng trống)", path)
        delimiter = sniff_delimiter(head)
        try:
            con.execute(_CSV_SQL.format(name=name, line="row_number() OVER () + 1 AS _line,"), [str(source), delimiter])
            if _one_row_per_line(source, delimiter, _count(con, name)):
                return
        except duckdb.Error:
            pass
        normalised = _normalised_copy(source, path, delimiter)
        try:
            con.execute(_CSV_SQL.format(name=name, line=""), [str(normalised), ","])
            con.execute(f"ALTER TABLE {name} ALTER _line TYPE BIGINT")
        except duckdb.Error as exc:
            raise InputError(f"không đọc được tệp CSV ({str(exc).splitlines()[0]})", path) from exc
        finally:
            normalised.unlink(missing_ok=True)
    finally:
        if source != path:
            source.unlink(missing_ok=True)


_QUOTED = re.compile(rb'"[^"]*"')


def _one_row_per_line(path: Path, delimiter: str, rows: int) -> bool:
    """Whether the file is one header line and ``rows`` lines of exactly the header's width.

    DuckDB numbers rows, not lines, and lets a row end with one delimiter too many; only when every
    line is one row of the header's width are its row numbers the lines and its rows the file's.
    A line holding quotes is measured with its quoted parts removed (a line-by-line check: a cell
    over several lines fails it, and the file is then read record by record).
    """
    mark = delimiter.encode()
    count = 0
    width = -1
    with path.open("rb") as handle:
        for line in handle:
            count += 1
            if b'"' in line:
                line = _QUOTED.sub(b"", line)
                if b'"' in line:
                    return False
            cells = line.count(mark)
            if width < 0:
                width = cells
            elif cells != width or not line.strip():
                return False
    return count == rows + 1


def _normalised_copy(source: Path, path: Path, delimiter: str) -> Path:
    """A temporary comma-separated copy: ``_line`` and ``_ragged`` first, then the header's columns.

    A row with more cells than the header (an unquoted delimiter shifted its cells, even when the
    extra cell is empty) or fewer is written with the reason in ``_ragged``.
    """
    text = source.read_bytes().decode("utf-8-sig", "replace")
    width = 0
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, encoding="utf-8", newline="") as handle:
        copy = Path(handle.name)
        try:
            writer = csv.writer(handle)
            for first, _, row in csv_records(text, path, delimiter):
                if not width:
                    width = len(row)
                    writer.writerow(["_line", _RAGGED, *row])
                    continue
                why = ""
                if len(row) > width:
                    why = f"dòng có {len(row)} ô, nhiều hơn {width} cột của tiêu đề (có thể một ô chứa dấu phân cách)"
                elif len(row) < width:
                    why = f"dòng chỉ có {len(row)} ô, ít hơn {width} cột của tiêu đề (dòng bị cắt?)"
                cells = (row + [""] * width)[:width]
                writer.writerow([first, why, *cells])
        except BaseException:
            handle.close()
            copy.unlink(missing_ok=True)
            raise
    return copy


_WIDE_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def _utf8_copy(path: Path, diagnostics: Diagnostics) -> Path:
    """``path`` itself if it is UTF-8; else a temporary UTF-8 (NFC) copy of a Windows-1258 or
    UTF-16/UTF-32 (with BOM) file. Bytes 0 without a BOM are refused by name."""
    with path.open("rb") as handle:
        head = handle.read(1 << 20)
    if head.startswith(_WIDE_BOMS):
        text, _ = decode_text(path.read_bytes(), path, diagnostics)
        with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, encoding="utf-8", newline="") as out:
            out.write(unicodedata.normalize("NFC", text))
        return Path(out.name)
    if b"\x00" in head:
        decode_text(head, path, diagnostics)  # raises: NUL without a BOM
    try:
        head.decode("utf-8")
        return path
    except UnicodeDecodeError as exc:
        if exc.start > len(head) - 4:  # a character cut by the 1 MiB boundary
            return path
    with (
        path.open("r", encoding="cp1258", newline="") as source,
        tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, encoding="utf-8", newline="") as handle_out,
    ):
        copy = Path(handle_out.name)
        try:
            for line in source:
                handle_out.write(unicodedata.normalize("NFC", line))
        except UnicodeDecodeError:
            handle_out.close()
            copy.unlink(missing_ok=True)
            raise InputError("không nhận ra bảng mã (không phải UTF-8, UTF-16 hay Windows-1258)", path) from None
        except BaseException:
            handle_out.close()
            copy.unlink(missing_ok=True)
            raise
    diagnostics.warn("encoding", "tệp dùng bảng mã Windows-1258 (CP1258), đã chuyển sang Unicode NFC", path)
    return copy


def _mapping(columns: list[str], known: dict[str, tuple[str, ...]], extra: dict[str, str]) -> dict[str, str]:
    """canonical name → source column, from params' mapping first, then the usual headers."""
    found: dict[str, str] = {}
    for source, target in extra.items():
        if source in columns:
            found[target] = source
    for column in columns:
        key = fold(column)
        for canonical, words in known.items():
            if canonical in found:
                continue
            if key == fold(canonical) or key in words:
                found[canonical] = column
                break
    return found


def _check_extra(
    extra: dict[str, str],
    known: dict[str, tuple[str, ...]],
    columns: list[str],
    kind: str,
    path: Path,
    diagnostics: Diagnostics,
) -> None:
    """``options.columns.<kind>`` maps a header to a canonical name: an unknown name is an error (the
    column would be dropped without a word), a header the file does not have a warning."""
    for source, target in extra.items():
        if target not in known:
            close = difflib.get_close_matches(str(target), list(known), n=1)
            hint = f"; có phải «{close[0]}»?" if close else f" (dùng: {', '.join(known)})"
            raise InputError(
                f"options.columns.{kind}: «{source}» được ánh xạ tới «{target}», không phải tên cột chuẩn{hint}",
                path,
                column=str(source),
            )
        if source not in columns:
            diagnostics.warn(
                "ignored_column",
                f"options.columns.{kind} nêu cột «{source}» nhưng tệp không có cột này",
                path,
                1,
                str(source),
            )


def _q(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _text(source: str | None) -> str:
    """The raw cell (table alias ``r``) as trimmed text, NULL when empty."""
    return "NULL::VARCHAR" if source is None else f"nullif(trim(CAST(r.{_q(source)} AS VARCHAR)), '')"


def _date_expr(source: str | None, end_of_day: bool) -> str:
    """Local timestamp from text; an offset (``+07:00``, ``Z``) is converted to Vietnam time."""
    text = _text(source)
    formats = "[" + ", ".join(_lit(f) for f in _FORMATS) + "]"
    with_zone = (
        f"(try_strptime(replace({text}, 'Z', '+00:00'), ['%Y-%m-%dT%H:%M:%S%z', '%Y-%m-%d %H:%M:%S%z']) "
        "AT TIME ZONE 'Asia/Ho_Chi_Minh')"
    )
    plain = f"try_strptime({text}, {formats})"
    if end_of_day:
        # a due date without a time is due at the end of that day
        return (
            f"CASE WHEN length({text}) <= 10 THEN {plain} + INTERVAL 1 DAY - INTERVAL 1 MICROSECOND "
            f"ELSE coalesce({with_zone}, {plain}) END"
        )
    return f"coalesce({with_zone}, {plain})"


def _bool_expr(source: str | None) -> str:
    text = f"lower({_text(source)})"
    return f"CASE WHEN {text} IN ({_sql_list(_TRUE)}) THEN true WHEN {text} IN ({_sql_list(_FALSE)}) THEN false END"


def _channel_expr(source: str | None) -> str:
    text = f"lower({_text(source)})"
    return (
        f"CASE WHEN {text} IS NULL OR {text} IN ('1', 'trực tiếp', 'truc tiep') THEN 1 "
        f"WHEN {text} IN ('2', 'trực tuyến', 'truc tuyen') THEN 2 "
        f"WHEN {text} IN ('3', 'bưu chính', 'buu chinh') THEN 3 END"
    )


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    (row,) = con.execute(f"SELECT count(*) FROM {table}").fetchall()  # fetched to the end: no pending result
    return int(row[0])


def _error(column: str | None, reason_sql: str) -> str:
    """An error cell: the column and the reason, separated by a unit separator."""
    return f"{_lit((column or '') + chr(31))} || {reason_sql}"


def register_units(con: duckdb.DuckDBPyConnection, registry: Registry) -> None:
    rows = [(u.code, u.name, u.tier) for u in registry.units]
    frame = pd.DataFrame(rows, columns=["unit_code", "unit_name", "tier"])
    con.register("_units_frame", frame)
    con.execute("CREATE OR REPLACE TEMP TABLE units AS SELECT * FROM _units_frame")
    con.unregister("_units_frame")


def _unit_map(con: duckdb.DuckDBPyConnection, raw: str, mapping: dict[str, str], registry: Registry) -> None:
    """Resolve each distinct (code, name) pair once in Python: spellings, aliases, NFC."""
    code, name = mapping.get("unit_code"), mapping.get("unit_name")
    pairs = con.execute(f"SELECT DISTINCT {_text(code)} AS code, {_text(name)} AS name FROM {raw} r").fetchall()
    rows: list[tuple[str | None, str | None, str | None, str | None, str | None]] = []
    for raw_code, raw_name in pairs:
        unit = registry.resolve(raw_name, raw_code) if registry else None
        if unit is not None:
            rows.append((raw_code, raw_name, unit.code, unit.name, unit.tier))
        elif not registry and (raw_code or raw_name):
            rows.append(
                (
                    raw_code,
                    raw_name,
                    raw_code or name_key(raw_name),
                    raw_name or raw_code,
                    tier_from_name(raw_name or ""),
                )
            )
        else:
            rows.append((raw_code, raw_name, None, None, None))
    frame = pd.DataFrame(rows, columns=["raw_code", "raw_name", "unit_code", "unit_name", "tier"], dtype=object)
    con.register("_map_frame", frame)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {raw}_units AS SELECT * FROM _map_frame")
    con.unregister("_map_frame")


def _load(
    con: duckdb.DuckDBPyConnection,
    path: str | Path,
    kind: str,
    registry: Registry,
    extra: dict[str, str] | None,
    diagnostics: Diagnostics,
) -> Loaded:
    path = Path(path)
    raw = f"raw_{kind}"
    known = DOSSIER_COLUMNS if kind == "dossiers" else COMPLAINT_COLUMNS
    _raw_relation(con, path, raw, diagnostics)
    names = list(con.execute(f"SELECT * FROM {raw} LIMIT 0").fetchdf().columns)
    if _RAGGED not in names:  # only a CSV file read line by line has rows of the wrong width
        con.execute(f"ALTER TABLE {raw} ADD COLUMN {_RAGGED} VARCHAR")
    columns = [c for c in names if c not in ("_line", _RAGGED)]
    _check_extra(extra or {}, known, columns, kind, path, diagnostics)
    mapping = _mapping(columns, known, extra or {})
    for required in _REQUIRED[kind]:
        if required not in mapping:
            raise InputError(f"thiếu cột bắt buộc {required}", path, 1, required)
    if _count(con, raw) == 0:
        if kind == "dossiers":
            raise InputError("tệp hồ sơ chỉ có dòng tiêu đề, không có hồ sơ nào", path, 2)
        diagnostics.warn("empty_file", "tệp phản ánh, kiến nghị không có dòng nào: tính như không có phản ánh", path)
    if "unit_code" not in mapping and "unit_name" not in mapping:
        raise InputError("thiếu cột đơn vị (unit_code hoặc unit_name)", path, 1, "unit_name")
    for column in columns:
        if column not in mapping.values():
            diagnostics.warn("ignored_column", f"cột «{column}» không được nhận ra, đã bỏ qua", path, 1, column)
    _unit_map(con, raw, mapping, registry)
    id_col, end_col = _REQUIRED[kind][0], ("finished_at" if kind == "dossiers" else "handled_at")
    select = [
        "r._line AS _line",
        f"nullif(r.{_RAGGED}, '') AS {_RAGGED}",
        f"{_text(mapping[id_col])} AS {id_col}",
        "m.unit_code",
        "m.unit_name",
        "m.tier",
    ]
    text_checks = []
    for canonical in known:
        if canonical in (id_col, "unit_code", "unit_name"):
            continue
        source = mapping.get(canonical)
        if canonical in _DATES:
            expr = _date_expr(source, end_of_day=canonical == "due_at")
            why = "ngày «' || {v} || '» không đọc được"
        elif canonical in _BOOLS:
            expr = _bool_expr(source)
            why = "giá trị «' || {v} || '» không phải có/không"
        elif canonical == "channel":
            expr = _channel_expr(source)
            why = "kênh «' || {v} || '» không hợp lệ (1 trực tiếp, 2 trực tuyến, 3 bưu chính)"
        elif canonical == "supplement_count":
            expr = f"try_cast({_text(source)} AS INTEGER)"
            why = "số lần bổ sung «' || {v} || '» không phải số nguyên"
        else:
            expr, why = _text(source), ""
        select.append(f"{expr} AS {canonical}")
        if canonical == "channel":
            select.append(f"{_text(source)} IS NULL AS _channel_empty")
        if source is not None and why:
            reason = "'" + why.replace("{v}", _text(source)) + "'"
            text_checks.append(f"WHEN {_text(source)} IS NOT NULL AND ({expr}) IS NULL THEN {_error(source, reason)}")
    unit_source = mapping.get("unit_name") or mapping.get("unit_code")
    join = " AND ".join(
        f"m.{side} IS NOT DISTINCT FROM {_text(mapping.get(col))}"
        for side, col in (("raw_code", "unit_code"), ("raw_name", "unit_name"))
    )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {kind}_parsed AS
        SELECT {", ".join(select)}, CASE {" ".join(text_checks)} ELSE NULL END AS _text_error
        FROM {raw} r LEFT JOIN {raw}_units m ON {join}
    """
        if text_checks
        else f"""
        CREATE OR REPLACE TEMP TABLE {kind}_parsed AS
        SELECT {", ".join(select)}, NULL::VARCHAR AS _text_error
        FROM {raw} r LEFT JOIN {raw}_units m ON {join}
    """
    )
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {kind}_checked AS
        SELECT *,
          CASE
            WHEN {_RAGGED} IS NOT NULL THEN {_error(None, _RAGGED)}
            WHEN {id_col} IS NULL THEN {_error(mapping[id_col], "'thiếu mã'")}
            WHEN _text_error IS NOT NULL THEN _text_error
            WHEN received_at IS NULL THEN {_error(mapping["received_at"], "'thiếu ngày tiếp nhận'")}
            WHEN unit_code IS NULL THEN {_error(unit_source, "'đơn vị không có trong danh mục'")}
            WHEN {end_col} IS NOT NULL AND {end_col} < received_at
              THEN {_error(mapping.get(end_col), "'kết thúc trước ngày tiếp nhận'")}
            WHEN due_at IS NOT NULL AND due_at < received_at
              THEN {_error(mapping.get("due_at"), "'hạn trả trước ngày tiếp nhận'")}
            WHEN _first_line < _line THEN {_error(mapping[id_col], "'trùng mã với dòng ' || _first_line")}
          END AS _error
        FROM (
          SELECT *, min(CASE WHEN {_RAGGED} IS NULL THEN _line END) OVER (PARTITION BY {id_col}) AS _first_line
          FROM {kind}_parsed
        )
    """)
    if kind == "dossiers":
        _warn_channel(con, kind, mapping, path, diagnostics)
    helpers = f"{_RAGGED}, _text_error, _first_line, _error" + (", _channel_empty" if kind == "dossiers" else "")
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {kind} AS SELECT * EXCLUDE ({helpers}) FROM {kind}_checked WHERE _error IS NULL"
    )
    quarantine = con.execute(f"""
        SELECT _line AS line, {id_col} AS id, split_part(_error, chr(31), 1) AS "column",
               split_part(_error, chr(31), 2) AS reason
        FROM {kind}_checked WHERE _error IS NOT NULL ORDER BY _line
    """).fetchdf()
    read, used = _count(con, raw), _count(con, kind)
    for table in (raw, f"{raw}_units", f"{kind}_parsed", f"{kind}_checked"):
        con.execute(f"DROP TABLE IF EXISTS {table}")
    if used + len(quarantine) != read:
        raise AssertionError(f"{path}: {read} rows read, {used} used, {len(quarantine)} quarantined")
    if len(quarantine):
        diagnostics.warn(
            "quarantine", f"{len(quarantine)}/{read} dòng bị cách ly (xem tables/quarantine_{kind}.csv)", path
        )
    return Loaded(kind, path, int(read), int(used), quarantine)


def _warn_channel(
    con: duckdb.DuckDBPyConnection, kind: str, mapping: dict[str, str], path: Path, diagnostics: Diagnostics
) -> None:
    """METHODOLOGY §2.3: direct = 1 or empty. The rule is kept, and the bulletin says how often it applied."""
    source = mapping.get("channel")
    if source is None:
        diagnostics.warn(
            "empty_channel",
            "không có cột kênh thực hiện (channel): mọi hồ sơ được tính là nộp trực tiếp (kênh 1)",
            path,
            1,
        )
        return
    (row,) = con.execute(
        f"SELECT count(*), min(_line) FROM {kind}_checked WHERE _error IS NULL AND _channel_empty"
    ).fetchall()
    if row[0]:
        diagnostics.warn(
            "empty_channel",
            f"{row[0]} hồ sơ để trống kênh thực hiện (dòng đầu tiên: {row[1]}): được tính là nộp trực tiếp "
            "(kênh 1), theo quy tắc của Cổng",
            path,
            int(row[1]),
            source,
        )


def load_dossiers(
    con: duckdb.DuckDBPyConnection,
    path: str | Path,
    registry: Registry,
    mapping: dict[str, str] | None = None,
    diagnostics: Diagnostics | None = None,
) -> Loaded:
    """Read dossiers into table ``dossiers``; bad rows go to the quarantine with their reason."""
    return _load(con, path, "dossiers", registry, mapping, diagnostics if diagnostics is not None else Diagnostics())


def load_complaints(
    con: duckdb.DuckDBPyConnection,
    path: str | Path,
    registry: Registry,
    mapping: dict[str, str] | None = None,
    diagnostics: Diagnostics | None = None,
) -> Loaded:
    """Read complaints (phản ánh, kiến nghị) into table ``complaints``."""
    return _load(con, path, "complaints", registry, mapping, diagnostics if diagnostics is not None else Diagnostics())


def ingest(params: Params, con: duckdb.DuckDBPyConnection, diagnostics: Diagnostics) -> tuple[Registry, list[Loaded]]:
    """Load the params' dossiers (and complaints) into ``con``; header mappings from ``options.columns``."""
    registry = load_registry(params.inputs["units"]) if "units" in params.inputs else Registry()
    mappings = (params.get("options") or {}).get("columns") or {}
    loaded = [load_dossiers(con, params.inputs["dossiers"], registry, mappings.get("dossiers"), diagnostics)]
    if "complaints" in params.inputs:
        loaded.append(
            load_complaints(con, params.inputs["complaints"], registry, mappings.get("complaints"), diagnostics)
        )
    return registry, loaded
