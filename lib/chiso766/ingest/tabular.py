"""Read CSV, XLSX or Parquet into a table of NFC strings, remembering each row's line number.

Encodings (UTF-8, UTF-8 with BOM, UTF-16 and UTF-32 with BOM, Windows-1258) and XLSX headers spread
over merged rows are handled here once, so every input kind reads the same way and reports the same
locations. Nothing is guessed silently: a CSV row whose quote never closes, a row with more cells
than the header, a formula without its computed value are named errors; the sheet read when a
workbook has several, a row with fewer cells and cells outside the header are warnings.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from xml.etree import ElementTree

import pandas as pd

from chiso766.core.errors import Diagnostics, InputError
from chiso766.core.textvi import nfc

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

__all__ = ["Table", "read_table", "decode_text", "undecodable", "sniff_delimiter", "csv_records", "MAX_CELL_CHARS"]

MAX_CELL_CHARS = 131_072
"""The longest CSV cell accepted (Python's own limit): a longer one is a named error, not a traceback."""

_DELIMITERS = ",;\t"
_SHOWN = 40  # characters of a cell quoted in a message


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
        header, rows, lines = _read_xlsx(path, diagnostics)
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
        raise InputError("tệp chỉ có dòng tiêu đề, không có dòng dữ liệu nào", path, 2)
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


def _shown(text: str) -> str:
    text = nfc(text)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


# ---------------------------------------------------------------------------------------------------
# CSV


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", ""),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)


def decode_text(raw: bytes, path: str | Path, diagnostics: Diagnostics) -> tuple[str, str]:
    """``raw`` as text and the encoding it was in: a BOM says it; else UTF-8, else Windows-1258.

    UTF-16 and UTF-32 (with a BOM) are read with a warning; bytes 0 without a BOM are refused by
    name (UTF-16 without a BOM, or not a text file), never read as a file without the expected columns.

    Examples
    --------
    >>> decode_text("mã,tên\\n".encode("utf-16"), "x.csv", Diagnostics())
    ('mã,tên\\n', 'utf-16')
    """
    for bom, codec, label in _BOMS:
        if raw.startswith(bom):
            try:
                text = raw.decode(codec)
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"tệp bắt đầu bằng dấu BOM của {label or 'UTF-8'} nhưng có byte sai ({exc.reason})", path
                ) from None
            if label:
                diagnostics.warn("encoding", f"tệp dùng bảng mã {label}, đã chuyển sang UTF-8", path)
            return text.lstrip("\ufeff"), codec
    if raw.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):  # a zip (.xlsx) or an OLE file (.xls)
        raise InputError(
            "đây là tệp Excel (.xlsx hoặc .xls) mang tên khác: đặt lại phần mở rộng .xlsx (tệp .xls: mở bằng Excel "
            "rồi lưu thành .xlsx hoặc CSV UTF-8)",
            path,
        )
    if b"\x00" in raw[:65536]:
        raise InputError(
            "tệp có byte 0 (NUL): có thể là UTF-16 không có dấu BOM hoặc không phải tệp văn bản; "
            "hãy lưu lại dưới dạng CSV UTF-8",
            path,
        )
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        not_utf8 = exc
    try:
        text = raw.decode("cp1258")
    except UnicodeDecodeError:
        raise undecodable(raw, not_utf8, path) from None
    diagnostics.warn("encoding", "tệp dùng bảng mã Windows-1258 (CP1258), đã chuyển sang Unicode NFC", path)
    return text, "cp1258"


def undecodable(raw: bytes, not_utf8: UnicodeDecodeError, path: str | Path) -> InputError:
    """The error of a file neither UTF-8 nor Windows-1258 can read: it names the line of the first byte
    UTF-8 cannot read (``not_utf8``, raised decoding ``raw``), where the file stops being UTF-8."""
    line = raw.count(b"\n", 0, not_utf8.start) + 1
    return InputError(
        f"không nhận ra bảng mã (không phải UTF-8, UTF-16 hay Windows-1258): byte 0x{raw[not_utf8.start]:02X} "
        "không đọc được theo UTF-8; hãy lưu lại tệp dưới dạng CSV UTF-8",
        path,
        line,
    )


def sniff_delimiter(text: str) -> str:
    """The delimiter of a CSV text: whichever of ``,`` ``;`` tab its header line holds most (``,`` by default).

    Examples
    --------
    >>> sniff_delimiter("\\nMã hồ sơ;Đơn vị;Ngày\\n1;a,b;2\\n")
    ';'
    """
    for line in text[:65536].splitlines():
        if line.strip():
            counts = {d: line.count(d) for d in _DELIMITERS}
            best = max(_DELIMITERS, key=lambda d: counts[d])
            return best if counts[best] else ","
    return ","


def _csv_problem(message: str, start: int, end: int) -> str:
    """Python's csv error in Vietnamese, for the record that began on line ``start``."""
    if "unexpected end of data" in message:
        return (
            f"dấu ngoặc kép mở ở dòng {start} không bao giờ được đóng: mọi dòng sau nó (đến dòng {end}, hết tệp) "
            "bị gộp vào một ô; hãy thêm dấu ngoặc kép đóng hoặc bỏ dấu mở"
        )
    if "expected after" in message:
        span = f" (đến dòng {end})" if end > start else ""
        return (
            f"dấu ngoặc kép đặt sai chỗ trong bản ghi bắt đầu ở dòng {start}{span}: sau dấu ngoặc kép đóng phải là "
            "dấu phân cách; có thể một dấu ngoặc kép mở chưa được đóng"
        )
    if "field larger than field limit" in message:
        return f"một ô dài hơn {MAX_CELL_CHARS:,} ký tự".replace(",", ".") + " (có thể do dấu ngoặc kép không đóng)"
    if "NUL" in message:
        return "dòng có byte 0 (NUL): tệp không phải văn bản CSV"
    return f"dòng CSV không đọc được ({message})"


def csv_records(text: str, path: str | Path, delimiter: str) -> Iterator[tuple[int, int, list[str]]]:
    """Every record of a CSV text as ``(first line, last line, raw cells)``; blank lines are skipped.

    Lines are those an editor shows (a quoted cell spanning lines makes a record of several). A quote
    never closed, or closed in the wrong place, is an :class:`InputError` naming the line where the
    record began, as is a quoted cell holding whole data rows (a quote closed rows too late).

    Examples
    --------
    >>> [(a, b) for a, b, _ in csv_records('a,b\\n"x\\ny",1\\n\\nz,2\\n', "x.csv", ",")]
    [(1, 1), (2, 3), (5, 5)]
    """
    previous_limit = csv.field_size_limit()
    csv.field_size_limit(MAX_CELL_CHARS)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
        start, width = 1, 0
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise InputError(_csv_problem(str(exc), start, reader.line_num), path, start) from None
            end = reader.line_num
            first, start = start, end + 1
            if not row:
                continue
            if width and end > first:
                _check_swallowed(row, delimiter, width, path, first, end)
            width = width or len(row)
            yield first, end, row
    finally:
        csv.field_size_limit(previous_limit)


def _check_swallowed(row: list[str], delimiter: str, width: int, path: str | Path, first: int, end: int) -> None:
    """A quoted cell over several lines that holds whole rows: a quote was closed rows too late."""
    if width < 3:
        return
    for cell in row:
        parts = re.split(r"\r\n|\r|\n", cell)
        if len(parts) > 1 and any(part.count(delimiter) >= max(2, width - 1) for part in parts):
            raise InputError(
                f"một ô trong ngoặc kép kéo dài từ dòng {first} đến dòng {end} và chứa cả những dòng dữ liệu "
                f"(«{_shown(parts[0])}» …): có thể thiếu dấu ngoặc kép đóng ở dòng {first}",
                path,
                first,
            )


def _read_csv(path: Path, diagnostics: Diagnostics) -> tuple[list[str], list[list[str]], list[int], str]:
    """Header, rows and lines of a CSV file; every row is checked against the header's width.

    A row longer than the header is an error (an unquoted delimiter shifts every cell after it),
    unless every row is longer by empty cells only (a program that ends data rows with a delimiter);
    a shorter row is read with its missing cells empty and a warning; a value under an empty header
    cell is ignored with a warning, as in a workbook.
    """
    text, encoding = decode_text(path.read_bytes(), path, diagnostics)
    if not text.strip():
        raise InputError("tệp rỗng (chỉ có khoảng trắng)", path)
    delimiter = sniff_delimiter(text)
    header: list[str] = []
    records: list[tuple[int, list[str]]] = []
    for first, _, row in csv_records(text, path, delimiter):
        cells = [nfc(c) for c in row]
        if not header:
            if any(cells):
                header = cells
            continue
        if any(cells):
            records.append((first, cells))
    full = len(header)
    width = full
    while width > 1 and not header[width - 1]:  # "a,b,," exported by a spreadsheet
        width -= 1
    padded_export = bool(records) and min(len(cells) for _, cells in records) > full
    rows: list[list[str]] = []
    lines: list[int] = []
    short: list[int] = []
    outside: dict[int, list[int]] = {}
    for first, cells in records:
        if len(cells) > full and (any(cells[full:]) or not padded_export):
            extra = next((c for c in cells[full:] if c), "")
            raise InputError(
                f"dòng có {len(cells)} ô, nhiều hơn {full} cột của tiêu đề"
                + (f" (ô thừa «{_shown(extra)}»)" if extra else "")
                + ": có thể một ô chứa dấu phân cách mà không đặt trong ngoặc kép, làm lệch các cột",
                path,
                first,
            )
        if len(cells) < width:
            short.append(first)
        for c, value in enumerate(cells[width:full], start=width + 1):
            if value:
                outside.setdefault(c, []).append(first)
        rows.append(cells[:width])
        lines.append(first)
    if short:
        shown = ", ".join(str(n) for n in short[:5]) + (", …" if len(short) > 5 else "")
        diagnostics.warn(
            "ragged_row",
            f"{len(short)} dòng có ít ô hơn {width} cột của tiêu đề (dòng {shown}): các ô thiếu được coi là trống",
            path,
            short[0],
        )
    for c, where in sorted(outside.items()):
        shown = ", ".join(str(n) for n in where[:5]) + (", …" if len(where) > 5 else "")
        diagnostics.warn(
            "extra_cells",
            f"cột thứ {c} không có tiêu đề nhưng có giá trị ở {len(where)} dòng (dòng {shown}): đã bỏ qua",
            path,
            where[0],
        )
    return header[:width], rows, lines, encoding


# ---------------------------------------------------------------------------------------------------
# XLSX


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ") if value.time() != datetime.min.time() else value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        if not math.isfinite(value):
            return repr(value)
        return repr(value) if value != int(value) else str(int(value))
    return nfc(value)


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def _visible_sheet(book: object, path: Path, diagnostics: Diagnostics) -> Worksheet:
    """The first sheet an analyst sees; a workbook of several sheets says which one was read."""
    sheets: list[Worksheet] = list(getattr(book, "worksheets", []))
    visible = [s for s in sheets if s.sheet_state == "visible"]
    if not visible:
        raise InputError("tệp XLSX không có trang tính nào hiển thị", path)
    sheet = visible[0]
    if len(sheets) > 1:
        hidden = [s.title for s in sheets if s.sheet_state != "visible"]
        skipped = f"; bỏ qua trang ẩn {', '.join(f'«{t}»' for t in hidden)}" if hidden else ""
        diagnostics.warn(
            "sheet",
            f"tệp có {len(sheets)} trang tính: chỉ đọc trang «{sheet.title}» (trang hiển thị đầu tiên){skipped}",
            path,
        )
    return sheet


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def _sheet_part(archive: zipfile.ZipFile, title: str) -> str | None:
    """The zip member holding the worksheet named ``title`` (from workbook.xml and its relations)."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rel_id = next(
        (s.get(f"{_REL}id") for s in workbook.iter(f"{_MAIN}sheet") if s.get("name") == title),
        None,
    )
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    target = next((r.get("Target") for r in rels.iter(f"{_PKG}Relationship") if r.get("Id") == rel_id), None)
    if not target:
        return None
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


def _formulas_without_value(path: Path, title: str) -> list[tuple[int, int]]:
    """Cells (row, column; from 1) of sheet ``title`` holding a formula whose computed value the file
    does not keep (a ``<f>`` without a ``<v>`` value: written by a program such as openpyxl, never
    opened and saved in a spreadsheet)."""
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    missing: list[tuple[int, int]] = []
    with zipfile.ZipFile(path) as archive:
        part = _sheet_part(archive, title)
        if part is None or part not in archive.namelist():
            return missing
        with archive.open(part) as handle:
            for _, element in ElementTree.iterparse(handle):
                if element.tag != f"{_MAIN}c":
                    continue
                reference = element.get("r")
                value = element.find(f"{_MAIN}v")
                # an empty <v/> is a value only for a formula giving text (t="str": ="" is legitimate)
                cached = value is not None and (bool(value.text) or element.get("t") in ("str", "s", "inlineStr"))
                if reference and element.find(f"{_MAIN}f") is not None and not cached:
                    letters, row = coordinate_from_string(reference)
                    missing.append((row, column_index_from_string(letters)))
                element.clear()
    return missing


def _what_it_is(path: Path) -> str:
    """What a file that is no workbook seems to be, from its first bytes: the reason a reader can act on."""
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError:
        head = b""
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "đây là tệp Excel đời cũ (.xls): mở bằng Excel và lưu lại thành .xlsx"
    if head.startswith(b"PK"):
        return "tệp bị hỏng hoặc không phải bảng tính Excel (.xlsx): xuất lại tệp từ hệ thống nguồn"
    return "tệp không phải bảng tính Excel (có thể là CSV hay văn bản bị đổi đuôi thành .xlsx): dùng đúng đuôi tệp"


def _read_xlsx(path: Path, diagnostics: Diagnostics) -> tuple[list[str], list[list[str]], list[int]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file, with English messages
        raise InputError(f"không mở được tệp XLSX: {_what_it_is(path)}", path) from exc
    sheet = _visible_sheet(book, path, diagnostics)
    grid = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    merged_rows: set[int] = set()
    for merged in sheet.merged_cells.ranges:
        if merged.min_row > len(grid) or merged.min_col > len(grid[merged.min_row - 1]):
            continue
        value = grid[merged.min_row - 1][merged.min_col - 1]
        for r in range(merged.min_row, min(merged.max_row, len(grid)) + 1):
            for c in range(merged.min_col, min(merged.max_col, len(grid[r - 1])) + 1):
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
    try:
        missing = _formulas_without_value(path, sheet.title)
    except Exception as exc:  # the file's XML read a second time; zipfile and ElementTree raise many types
        raise InputError(f"không đọc được tệp XLSX ({exc.__class__.__name__}: {exc})", path) from exc
    if missing:
        r, c = missing[0]
        name = header[c - 1] if c <= len(header) and header[c - 1] and r > start + 1 else None
        more = f" (và {len(missing) - 1} ô khác)" if len(missing) > 1 else ""
        raise InputError(
            f"ô {_column_letter(c)}{r} là công thức nhưng tệp không lưu giá trị đã tính{more}: "
            "hãy mở tệp bằng Excel hoặc LibreOffice, tính lại và lưu, rồi chạy lại",
            path,
            r,
            name,
        )
    width = len(header)
    while width > 1 and not header[width - 1]:
        width -= 1
    header = header[:width]
    rows, lines = [], []
    outside: dict[int, list[int]] = {}
    for i in range(first_data, len(grid)):
        if any(grid[i]):
            for c, value in enumerate(grid[i][width:], start=width + 1):
                if value:
                    outside.setdefault(c, []).append(i + 1)
            rows.append(grid[i][:width])
            lines.append(i + 1)
    for c, where in sorted(outside.items()):
        shown = ", ".join(str(n) for n in where[:5]) + (", …" if len(where) > 5 else "")
        diagnostics.warn(
            "extra_cells",
            f"cột {_column_letter(c)} không có tiêu đề nhưng có giá trị ở {len(where)} dòng (dòng {shown}): đã bỏ qua",
            path,
            where[0],
            _column_letter(c),
        )
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
