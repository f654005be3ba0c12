"""Ingest dossiers (hồ sơ) and complaints (phản ánh, kiến nghị) into DuckDB, quarantining bad rows.

Every row read is either used or quarantined with its line number and reason, never dropped:
``read == used + quarantined``. Dates are local time (Asia/Ho_Chi_Minh); a date without a time
means the whole day (a due date runs to the day's end).
"""

from __future__ import annotations

import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pandas as pd

from chiso766.core.errors import Diagnostics, InputError
from chiso766.core.textvi import fold, name_key
from chiso766.ingest.tabular import read_table
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
    source = _utf8_copy(path, diagnostics)
    try:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT row_number() OVER () + 1 AS _line, * "
            "FROM read_csv(?, all_varchar = true, header = true, auto_detect = true)",
            [str(source)],
        )
    except duckdb.Error as exc:
        raise InputError(f"không đọc được tệp CSV ({str(exc).splitlines()[0]})", path) from exc
    finally:
        if source != path:
            source.unlink(missing_ok=True)


def _utf8_copy(path: Path, diagnostics: Diagnostics) -> Path:
    """``path`` itself if it is UTF-8; else a temporary UTF-8 (NFC) copy of a Windows-1258 file."""
    with path.open("rb") as handle:
        head = handle.read(1 << 20)
    try:
        head.decode("utf-8")
        return path
    except UnicodeDecodeError as exc:
        if exc.start > len(head) - 4:  # a character cut by the 1 MiB boundary
            return path
    diagnostics.warn("encoding", "tệp dùng bảng mã Windows-1258 (CP1258), đã chuyển sang Unicode NFC", path)
    with (
        path.open("r", encoding="cp1258", newline="") as source,
        tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, encoding="utf-8") as handle_out,
    ):
        for line in source:
            handle_out.write(unicodedata.normalize("NFC", line))
    return Path(handle_out.name)


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
    row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
    if row is None:  # count(*) always returns one row
        raise AssertionError(f"no count for {table}")
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
    columns = [c for c in con.execute(f"SELECT * FROM {raw} LIMIT 0").fetchdf().columns if c != "_line"]
    mapping = _mapping(columns, known, extra or {})
    for required in _REQUIRED[kind]:
        if required not in mapping:
            raise InputError(f"thiếu cột bắt buộc {required}", path, 1, required)
    if "unit_code" not in mapping and "unit_name" not in mapping:
        raise InputError("thiếu cột đơn vị (unit_code hoặc unit_name)", path, 1, "unit_name")
    for column in columns:
        if column not in mapping.values():
            diagnostics.warn("ignored_column", f"cột «{column}» không được nhận ra, đã bỏ qua", path, 1, column)
    _unit_map(con, raw, mapping, registry)
    id_col, end_col = _REQUIRED[kind][0], ("finished_at" if kind == "dossiers" else "handled_at")
    select = ["r._line AS _line", f"{_text(mapping[id_col])} AS {id_col}", "m.unit_code", "m.unit_name", "m.tier"]
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
            WHEN {id_col} IS NULL THEN {_error(mapping[id_col], "'thiếu mã'")}
            WHEN _text_error IS NOT NULL THEN _text_error
            WHEN received_at IS NULL THEN {_error(mapping["received_at"], "'thiếu ngày tiếp nhận'")}
            WHEN unit_code IS NULL THEN {_error(unit_source, "'đơn vị không có trong danh mục'")}
            WHEN {end_col} IS NOT NULL AND {end_col} < received_at
              THEN {_error(mapping.get(end_col), "'kết thúc trước ngày tiếp nhận'")}
            WHEN _first_line < _line THEN {_error(mapping[id_col], "'trùng mã với dòng ' || _first_line")}
          END AS _error
        FROM (SELECT *, min(_line) OVER (PARTITION BY {id_col}) AS _first_line FROM {kind}_parsed)
    """)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {kind} AS SELECT * EXCLUDE (_text_error, _first_line, _error) "
        f"FROM {kind}_checked WHERE _error IS NULL"
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
