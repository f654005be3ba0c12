"""Errors and warnings about inputs, each naming the file, row and column concerned."""

from __future__ import annotations

import errno
import heapq
import re
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["InputError", "ParamsError", "Warning766", "Diagnostics", "where", "clean", "os_error", "FILE_ERRNOS"]

# ANSI/VT escape sequences (CSI ``ESC [ … final``, OSC ``ESC ] … BEL|ST``, DCS/PM/APC/SOS strings and
# two-byte ``ESC x``), their 8-bit C1 forms, then every other C0/C1 control, DEL and the Unicode
# controls that reorder or hide text on a terminal (bidirectional overrides and isolates).
_ESCAPES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)"
    r"|\x1b[ -/]*[0-~]?"
)
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_LINE_BREAKS = re.compile("[\t\n\r\u2028\u2029]+")
_SURROGATES = re.compile("[\ud800-\udfff]")


def clean(text: object) -> str:
    r"""``text`` safe to print on one terminal line: no escape sequence or control character survives.

    Line breaks and tabs become one space; a byte that was not UTF-8 (a lone surrogate from
    ``surrogateescape``) is shown as ``\xNN``; everything else, Vietnamese included, is kept.

    Examples
    --------
    >>> clean("Xã \x1b[31mĐỏ\x1b[0m\nhết")
    'Xã Đỏ hết'
    >>> clean("a\x1b]0;title\x07b\x9b1mc\u202ed"), clean("giá\udcff"), clean("x\x90y")
    ('abcd', 'giá\\xff', 'xy')
    """
    text = str(text)
    text = _ESCAPES.sub("", text)
    text = _LINE_BREAKS.sub(" ", text)
    text = _CONTROLS.sub("", text)
    return _SURROGATES.sub(
        lambda m: f"\\x{ord(m.group()) - 0xDC00:02x}" if 0xDC80 <= ord(m.group()) <= 0xDCFF else "\ufffd", text
    )


def where(path: str | Path | None, row: int | None = None, column: str | None = None, noun: str = "cột") -> str:
    """Format a location the way an analyst finds it in a spreadsheet: file, row, column (``noun``:
    a params file has keys, "khóa", not columns).

    Rows are numbered as the spreadsheet shows them (the header is row 1).
    """
    parts = []
    if path is not None:
        parts.append(str(path))
    if row is not None:
        parts.append(f"dòng {row}")
    if column is not None:
        parts.append(f'{noun} "{column}"')
    return ", ".join(parts)


class InputError(Exception):
    """An input that cannot be used as it is. The message says where and why."""

    noun = "cột"  # what ``column`` names in the message

    def __init__(
        self, message: str, path: str | Path | None = None, row: int | None = None, column: str | None = None
    ) -> None:
        self.path, self.row, self.column, self.reason = path, row, column, message
        loc = where(path, row, column, self.noun)
        super().__init__(clean(f"{loc}: {message}" if loc else message))


class ParamsError(InputError):
    """A params file (or a ``-p key=value`` override) that cannot be run."""

    noun = "khóa"


_OS_REASONS = {
    errno.ENOSPC: "hết chỗ trống trên đĩa",
    errno.EDQUOT: "vượt hạn mức dung lượng đĩa",
    errno.EROFS: "ổ đĩa chỉ cho đọc, không ghi được",
    errno.EACCES: "không có quyền truy cập",
    errno.EPERM: "không được phép thao tác",
    errno.ENOENT: "không tìm thấy tệp hoặc thư mục",
    errno.ENOTDIR: "một phần của đường dẫn không phải là thư mục",
    errno.EISDIR: "đây là thư mục, không phải tệp",
    errno.EEXIST: "đã có tệp hoặc thư mục trùng tên",
    errno.ENOTEMPTY: "thư mục không rỗng",
    errno.ENAMETOOLONG: "tên tệp quá dài",
    errno.EMFILE: "mở quá nhiều tệp cùng lúc",
    errno.EIO: "lỗi đọc/ghi của thiết bị",
    errno.EFBIG: "tệp vượt quá kích thước cho phép",
    errno.EBUSY: "tệp hoặc thư mục đang bận",
    errno.EAGAIN: "đang được một tiến trình khác dùng",
    errno.ETXTBSY: "tệp đang được dùng",
    errno.ELOOP: "quá nhiều liên kết tượng trưng lồng nhau",
    errno.EXDEV: "không chuyển được sang ổ đĩa khác",
}
FILE_ERRNOS = frozenset(_OS_REASONS)  # the errnos of files and disks: named errors, not surprises


def os_error(exc: OSError, path: str | Path | None = None) -> InputError:
    """An :class:`OSError` as a named error: what happened (by errno, in Vietnamese) and to which file.

    ``path`` is used when the error does not carry its own file name (a failed ``write`` on an
    open file does not).

    Examples
    --------
    >>> str(os_error(OSError(errno.ENOSPC, "No space left on device"), "out/tables/units.csv"))
    'out/tables/units.csv: hết chỗ trống trên đĩa (ENOSPC)'
    >>> str(os_error(FileNotFoundError(errno.ENOENT, "No such file", "data/x.csv")))
    'data/x.csv: không tìm thấy tệp hoặc thư mục (ENOENT)'
    """
    name = errno.errorcode.get(exc.errno or 0, "")
    reason = _OS_REASONS.get(exc.errno or 0) or f"lỗi hệ thống tệp: {exc.strerror or exc}"
    filename = exc.filename if exc.filename is not None else path
    if isinstance(filename, bytes):
        filename = filename.decode("utf-8", "surrogateescape")
    if exc.filename2 is not None:
        filename = f"{filename} → {exc.filename2}"
    return InputError(f"{reason} ({name})" if name else reason, None if filename is None else str(filename))


@dataclass(frozen=True)
class Warning766:
    """Something a bulletin must say about its data, though the data is still usable."""

    kind: str
    message: str
    path: str = ""
    row: int | None = None
    column: str = ""
    unit: str = ""

    def as_row(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "unit": self.unit,
            "file": self.path,
            "row": "" if self.row is None else self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class Diagnostics:
    """Warnings collected along a run, in the order they were found."""

    items: list[Warning766] = field(default_factory=list)

    def warn(
        self,
        kind: str,
        message: str,
        path: str | Path | None = None,
        row: int | None = None,
        column: str | None = None,
        unit: str = "",
    ) -> None:
        self.items.append(Warning766(kind, message, "" if path is None else str(path), row, column or "", unit))

    def extend(self, other: Diagnostics) -> None:
        self.items.extend(other.items)

    def interleaved(self, later: Diagnostics) -> Diagnostics:
        """These warnings and ``later``'s merged by row, as one pass down a file would have found them.

        For a file read by one stage and checked by the next: each list keeps its own order, and on
        the same row (a warning without one counts as row 0) this list's warnings come first.
        """
        return Diagnostics(list(heapq.merge(self.items, later.items, key=lambda w: w.row or 0)))

    def __len__(self) -> int:
        return len(self.items)

    def of_kind(self, kind: str) -> list[Warning766]:
        return [w for w in self.items if w.kind == kind]
