"""Read CSV, XLSX or Parquet into a table of NFC strings, remembering each row's line number.

Encodings (UTF-8, UTF-8 with BOM, Windows-1258) and XLSX headers spread over merged rows are
handled here once, so every input kind reads the same way and reports the same locations.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from chiso766.core.errors import Diagnostics, InputError
from chiso766.core.textvi import nfc

__all__ = ["Table", "read_table"]


@dataclass
class Table:
    """Cells as NFC strings ('' when empty), with the spreadsheet line of every row."""

    frame: pd.DataFrame
    lines: list[int]
    path: Path
    encoding: str

    def line(self, index: int) -> int:
        return self.lines[index]


def read_table(path: str | Path, diagnostics: Diagnostics) -> Table:
    """Read ``path`` by its extension; an unreadable or empty file is an :class:`InputError`."""
    path = Path(path)
    if not path.is_file():
        raise InputError("không tìm thấy tệp", path)
    if path.stat().st_size == 0:
        raise InputError("tệp rỗng (0 byte)", path)
    suffix = path.suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        header, rows, lines = _read_xlsx(path)
        encoding = "xlsx"
    elif suffix == ".parquet":
        return _read_parquet(path)
    elif suffix in {".csv", ".txt", ".tsv"}:
        header, rows, lines, encoding = _read_csv(path, diagnostics)
    else:
        raise InputError(f"không đọc được định dạng {suffix or '(không có đuôi)'}: dùng CSV, XLSX hoặc Parquet", path)
    if not header or not any(header):
        raise InputError("tệp không có dòng tiêu đề", path, 1)
    if not rows:
        raise InputError("tệp không có dòng dữ liệu nào", path, 2)
    names = _unique_headers(header, path)
    width = len(names)
    padded = [(r + [""] * width)[:width] for r in rows]
    frame = pd.DataFrame(padded, columns=names, dtype="object")
    return Table(frame, lines, path, encoding)


def _unique_headers(header: list[str], path: Path) -> list[str]:
    names: list[str] = []
    for position, name in enumerate(header, start=1):
        name = name or f"column_{position}"
        if name in names:
            raise InputError(f"tiêu đề {name!r} xuất hiện hai lần", path, 1, name)
        names.append(name)
    return names


def _decode(raw: bytes, path: Path, diagnostics: Diagnostics) -> tuple[str, str]:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8"), "utf-8-sig"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("cp1258")
    except UnicodeDecodeError as exc:
        raise InputError("không nhận ra bảng mã (không phải UTF-8 hay Windows-1258)", path) from exc
    diagnostics.warn("encoding", "tệp dùng bảng mã Windows-1258 (CP1258), đã chuyển sang Unicode NFC", path)
    return text, "cp1258"


def _read_csv(path: Path, diagnostics: Diagnostics) -> tuple[list[str], list[list[str]], list[int], str]:
    text, encoding = _decode(path.read_bytes(), path, diagnostics)
    if not text.strip():
        raise InputError("tệp rỗng", path)
    sample = text[:4096]
    delimiter = max(",;\t", key=sample.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] = []
    rows, lines = [], []
    for row in reader:
        cells = [nfc(c) for c in row]
        if not header:
            if any(cells):
                header = cells
            continue
        if any(cells):
            rows.append(cells)
            lines.append(reader.line_num)
    return header, rows, lines, encoding


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ") if value.time() != datetime.min.time() else value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value) if value != int(value) else str(int(value))
    return nfc(value)


def _read_xlsx(path: Path) -> tuple[list[str], list[list[str]], list[int]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise InputError(f"không mở được tệp XLSX ({exc.__class__.__name__}: {exc})", path) from exc
    sheet = book.worksheets[0]
    grid = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    merged_rows: set[int] = set()
    for merged in sheet.merged_cells.ranges:
        value = grid[merged.min_row - 1][merged.min_col - 1]
        for r in range(merged.min_row, merged.max_row + 1):
            for c in range(merged.min_col, merged.max_col + 1):
                grid[r - 1][c - 1] = value
        if merged.max_col > merged.min_col:
            merged_rows.update(range(merged.min_row, merged.max_row + 1))
    start = next((i for i, row in enumerate(grid) if any(row)), None)
    if start is None:
        return [], [], []
    header = grid[start]
    first_data = start + 1
    # A header spread over two rows: the first has cells merged across columns, the second
    # names the parts ("Tỷ lệ (%)", "Điểm"). Join them into one name per column.
    if (start + 1) in merged_rows and first_data < len(grid) and _is_header_like(grid[first_data]):
        second = grid[first_data]
        header = [a if a == b or not b else (f"{a} {b}" if a else b) for a, b in zip(header, second, strict=False)]
        first_data += 1
    rows, lines = [], []
    for i in range(first_data, len(grid)):
        if any(grid[i]):
            rows.append(grid[i])
            lines.append(i + 1)
    return header, rows, lines


def _is_header_like(row: list[str]) -> bool:
    cells = [c for c in row if c]
    return bool(cells) and not any(_looks_numeric(c) for c in cells)


def _looks_numeric(text: str) -> bool:
    try:
        float(text.replace(",", "."))
    except ValueError:
        return False
    return True


def _read_parquet(path: Path) -> Table:
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several types for a broken file
        raise InputError(f"không đọc được tệp Parquet ({exc})", path) from exc
    if frame.empty:
        raise InputError("tệp không có dòng dữ liệu nào", path)
    frame = frame.astype("object").where(frame.notna(), "").map(_cell_text)
    return Table(frame.reset_index(drop=True), list(range(1, len(frame) + 1)), path, "parquet")
