"""Params files: one YAML per report and period, validated before anything runs.

Every key a params file may hold, at every depth, is declared once in :class:`ParamsSchema` (pydantic
v2, unknown keys forbidden). Whatever is wrong (a typo in a nested key, a target that does not parse,
an impossible date, a report without the inputs it needs, a missing file) is one
:class:`~chiso766.core.errors.ParamsError` in Vietnamese naming the file and the dotted key, before
any input is read. ``-p key=value`` overrides are applied first and go through the same checks.

The mapping read from YAML (after overrides) is kept untouched as :attr:`Params.raw`: the manifest
records it and ``verify`` compares it, so validation never rewrites it.
"""

from __future__ import annotations

import copy
import difflib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    PlainValidator,
    StrictBool,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails

from chiso766.core.datafiles import data_rows
from chiso766.core.errors import ParamsError, Warning766
from chiso766.core.files import shown_path
from chiso766.core.periods import Period, parse_period
from chiso766.core.provinces import province as known_province
from chiso766.core.targets import Target, parse_target

__all__ = [
    "Params",
    "ParamsSchema",
    "load_params",
    "validate",
    "REPORTS",
    "INPUT_KINDS",
    "TARGET_KEYS",
    "apply_overrides",
    "project_root",
]

ReportKind = Literal["bulletin_766", "weekly_tthc", "unit_report", "yearly_indices"]
REPORTS: tuple[str, ...] = get_args(ReportKind)

# A params file is a few dozen values; YAML aliases (&a … *a) can expand a tiny file into billions
# of them (the "billion laughs"), which validation, deepcopy or the JSON manifest would then walk.
_MAX_VALUES = 10_000
_MAX_SHOWN = 60  # characters of a bad value quoted in a message


# ---------------------------------------------------------------------------------------------------
# Value parsers: each raises ValueError with a Vietnamese message that does not name the key (the
# key is added from pydantic's error location, see _message).


def _as_date(value: object) -> date | None:
    """A real calendar date from a YAML date or an ISO ``yyyy-mm-dd`` text; empty means unset.

    Examples
    --------
    >>> _as_date("2025-10-09"), _as_date(None)
    (datetime.date(2025, 10, 9), None)
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):  # YAML reads "2025-10-09 08:00" as a datetime; the day is what counts
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    _ascii_digits(text, "ngày")
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        raise ValueError(f"«{_shown(value)}» không đúng dạng ngày yyyy-mm-dd (ví dụ 2025-10-09)")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"ngày «{text}» không có trên lịch") from None


def _ascii_digits(text: str, what: str) -> None:
    """Refuse full-width (``２０２６``) or other non-ASCII digits, which regular expressions take for digits.

    Examples
    --------
    >>> _ascii_digits("２０２６-08", "kỳ")
    Traceback (most recent call last):
    ...
    ValueError: kỳ «２０２６-08» có chữ số hoặc ký tự toàn khổ (full-width); hãy gõ lại bằng chữ số 0–9: «2026-08»
    """
    if text.isascii():
        return
    if any(ch.isdigit() or unicodedata.east_asian_width(ch) == "F" for ch in text):
        plain = unicodedata.normalize("NFKC", text)
        hint = f": «{_shown(plain)}»" if plain.isascii() else ""
        raise ValueError(
            f"{what} «{_shown(text)}» có chữ số hoặc ký tự toàn khổ (full-width); hãy gõ lại bằng chữ số 0–9{hint}"
        )


def _as_period(value: object) -> Period:
    """The period, with :func:`~chiso766.core.periods.parse_period`'s own Vietnamese messages."""
    _ascii_digits(str(value).strip(), "kỳ")
    return parse_period(value)


def _as_target(value: object) -> Target:
    """A target such as ``">=60"``; an empty value is refused because the report would fail on it, and
    one no rate or score can meet (every one lies in 0–100: ``">=160"``, a slip for 60) because the
    report would say every unit missed it."""
    if value is None or str(value).strip() == "":
        raise ValueError("chỉ tiêu để trống (ví dụ: >=60, =100, <=5)")
    target = parse_target(value)
    if not any(target.meets(v) for v in (Decimal(0), Decimal(100), min(max(target.value, Decimal(0)), Decimal(100)))):
        raise ValueError(f"chỉ tiêu «{value}» không thể đạt: tỷ lệ và điểm chỉ từ 0 đến 100")
    return target


@lru_cache(maxsize=1)
def _known_versions() -> tuple[str, ...]:
    """The methodology versions of ``core/data/versions.csv`` (``core.methodology`` has no public list).

    Examples
    --------
    >>> "2025" in _known_versions() and "2026" in _known_versions()
    True
    """
    return tuple(sorted({row["version"] for row in data_rows("versions.csv")}))


def _known_version(value: str) -> str:
    if value not in _known_versions():
        raise ValueError(
            f"phiên bản phương pháp «{value}» không có trong versions.csv "
            f"(có: {', '.join(_known_versions())}){_did_you_mean(value, _known_versions())}"
        )
    return value


def _not_blank(value: object) -> object:
    """Refuse an empty value where the report cannot do without one (``inputs.portal:`` left blank)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError("không được để trống")
    return value


IsoDate = Annotated[date | None, PlainValidator(_as_date)]
PeriodValue = Annotated[Period, PlainValidator(_as_period)]
TargetValue = Annotated[Target, PlainValidator(_as_target)]
MethodologyVersion = Annotated[str, AfterValidator(_known_version)]


# ---------------------------------------------------------------------------------------------------
# The schema. Text values accept YAML numbers (``number: 12``) since callers print them with str().


class _Section(BaseModel):
    """A mapping of known keys only: any other key is an error, at every depth."""

    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)


class Inputs(_Section):
    """Input kind → path (a file, or a folder for a portal snapshot), relative to the project root."""

    portal: str | None = None
    scores: str | None = None
    dossiers: str | None = None
    complaints: str | None = None
    units: str | None = None
    previous: str | None = None
    history: str | None = None
    indices: str | None = None

    @field_validator("*", mode="before")
    @classmethod
    def _path_given(cls, value: object) -> object:
        return _not_blank(value)


class Targets(_Section):
    """Provincial targets (chỉ tiêu giao): the six groups, the total and the weekly indicators.

    core may not import compute (ARCHITECTURE.md: imports go down only), so the indicator keys of
    ``compute.indicators.INDICATORS`` are written out here; tests/test_params_schema.py checks that
    these fields are exactly the group keys, ``total`` and those indicators.
    """

    cong_khai: TargetValue | None = None
    tien_do: TargetValue | None = None
    truc_tuyen: TargetValue | None = None
    thanh_toan: TargetValue | None = None
    hai_long: TargetValue | None = None
    so_hoa: TargetValue | None = None
    total: TargetValue | None = None
    online_submission: TargetValue | None = None
    online_payment: TargetValue | None = None
    updated_on_system: TargetValue | None = None
    digitized: TargetValue | None = None
    data_reuse: TargetValue | None = None
    complaints_handled: TargetValue | None = None
    resolved_on_time: TargetValue | None = None
    resolved_late: TargetValue | None = None

    @field_validator("*", mode="before")
    @classmethod
    def _target_given(cls, value: object) -> object:
        # Before the nullable check, so that ``cong_khai:`` left blank is refused, not skipped.
        return _as_target(value)


class Issuer(_Section):
    """The issuing office, document number and signature block (NĐ 30/2020/NĐ-CP)."""

    parent_body: str | None = None
    body: str | None = None
    name: str | None = None  # the body as a sentence names it: "Văn phòng Ủy ban nhân dân thành phố"
    number: str | None = None
    place: str | None = None
    date: IsoDate = None
    signer_prefix: str | None = None
    signer_title: str | None = None
    signer: str | None = None
    recipients: list[str] | None = None


class Columns(_Section):
    """Source header → canonical column name, per tabular input."""

    dossiers: dict[str, str] | None = None
    complaints: dict[str, str] | None = None


class Options(_Section):
    """Optional behaviour of a report."""

    columns: Columns | None = None
    phrasings: str | None = None
    # Strict: the report reads it with bool(), to which the text "false" would be true.
    audit_pdf: StrictBool = False


class DocumentForm(_Section):
    """The administrative form of the bulletin and the officer's framing (CONTRACT.md, DOCUMENTS.md)."""

    form: Literal["bao_cao", "cong_van", "thong_bao"] | None = None
    subject: str | None = None  # the "V/v …" line of a công văn; the trích yếu of the others
    to: list[str] | None = None  # "Kính gửi:"
    mandate: str | None = None  # the opening paragraph ("Thực hiện nhiệm vụ được giao tại …")
    source: str | None = None  # where the figures come from (a thông báo says it)
    superior: str | None = None  # whom a báo cáo reports to ("Chủ tịch UBND thành phố")
    deadline: IsoDate = None  # by when the named units report back
    monitor: str | None = None  # who follows up the directive


class Text(_Section):
    """Paragraphs only the officer can write, placed where their key says; plain text, "- " lists."""

    causes: str | None = None  # "Nguyên nhân"
    instructions: str | None = None  # extra numbered tasks after the generated ones
    results: str | None = None  # added at the end of the results
    closing: str | None = None  # replaces the closing sentence before "./."
    footnotes: list[str] | None = None  # printed under the body, numbered


class BottomRule(_Section):
    """Which units of a tier the bulletin names as the bottom group: below a total, or the last N."""

    below: Decimal | None = None
    count: int | None = None

    @model_validator(mode="after")
    def _one_rule(self) -> BottomRule:
        if (self.below is None) == (self.count is None):
            raise ValueError("cần đúng một quy tắc: below (dưới một tổng điểm) hoặc count (N đơn vị cuối bảng)")
        if self.count is not None and self.count < 1:
            raise ValueError("count phải là số nguyên dương")
        return self


class Bottom(_Section):
    """The bottom-group rule per tier: ``so`` (sở, ban, ngành), ``xa`` (xã, phường, đặc khu)."""

    so: BottomRule | None = None
    xa: BottomRule | None = None


class Spark(_Section):
    """Where the Spark engine runs (``engine: spark``)."""

    master: str = "local[2]"
    remote: str | None = None


class ParamsSchema(_Section):
    """Every key of a params file. ``report``, ``period`` and ``inputs`` are required."""

    report: ReportKind
    period: PeriodValue
    as_of: IsoDate = None
    province: str | None = None
    unit: str | None = None
    inputs: Inputs
    targets: Targets | None = None
    issuer: Issuer | None = None
    methodology_version: MethodologyVersion | None = None
    renderer: Literal["nbconvert", "quarto"] | None = None
    title: str | None = None
    previous: str | None = None
    options: Options | None = None
    note: str | None = None
    # Not nullable: the weekly report takes anything but "duckdb" for Spark.
    engine: Literal["duckdb", "spark"] = "duckdb"
    spark: Spark | None = None
    document: DocumentForm | None = None
    text: Text | None = None
    bottom: Bottom | None = None

    @field_validator("province", mode="before")
    @classmethod
    def _province_given(cls, value: object) -> object:
        # written but left empty: every heading would lose its province; left out, the data names it
        return _not_blank(value)


INPUT_KINDS: tuple[str, ...] = tuple(Inputs.model_fields)
TARGET_KEYS: tuple[str, ...] = tuple(Targets.model_fields)


@dataclass(frozen=True)
class Params:
    """Validated params: the raw mapping (as recorded in the manifest) and what it resolves to."""

    path: Path | None
    raw: dict[str, Any]
    report: str
    period: Period
    as_of: date
    inputs: dict[str, Path]
    schema: ParamsSchema | None = field(default=None, compare=False, repr=False)
    warnings: tuple[Warning766, ...] = field(default=(), compare=False, repr=False)
    """What the params file says that is usable but worth a word (an unknown province); a report
    adds them to its own diagnostics."""

    def get(self, key: str, default: Any = None) -> Any:
        """The raw value of a top-level key, as written in the file (after ``-p`` overrides)."""
        return self.raw.get(key, default)

    @property
    def as_of_said(self) -> str:
        """The as-of date as a message names it (:func:`_as_of_said`)."""
        return _as_of_said(self.as_of, bool(self.get("as_of")))

    @property
    def root(self) -> Path:
        """The project folder: where relative inputs start, ``outputs/`` lies, and files are named from."""
        return project_root(self.path) if self.path else Path.cwd()

    def require_province_of(self, held: object, source: Path) -> None:
        """Refuse ``source``, an input whose own province row names ``held``, when the params name
        another province (Phú Thọ's snapshot under ``province: Hải Phòng`` made a bulletin headed for
        one province with the other's figures): when both are among the 34.

        Examples
        --------
        >>> Params(None, {"province": "Hải Phòng"}, "bulletin_766", None, None, {}).require_province_of(
        ...     "Tỉnh Phú Thọ", Path("units.csv"))  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        chiso766.core.errors.ParamsError: khóa "province": là Thành phố Hải Phòng, ... là của Tỉnh Phú Thọ: ...
        """
        named, found = known_province(self.get("province") or ""), known_province(held)
        if named is not None and found is not None and found != named:
            raise ParamsError(
                f"là {named.title}, nhưng dữ liệu vào ({shown_path(source, self.root)}) là của {found.title}: "
                "sửa khóa province, hoặc chọn đúng dữ liệu vào",
                self.path,
                column="province",
            )


# ---------------------------------------------------------------------------------------------------
# Reading YAML


class _DuplicateKey(Exception):
    def __init__(self, key: str, line: int, first: int) -> None:
        super().__init__(key)
        self.key, self.line, self.first = key, line, first


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, except that an impossible date (``2025-02-30``) stays text, and that a
    key written twice in one mapping is refused.

    PyYAML raises a bare ValueError for such a date while building the mapping, before any key is
    known; kept as text, the schema then refuses it naming its key. A repeated key PyYAML would keep
    silently, the last one winning: a second ``period:`` further down ran another week than the
    file's name says. Valid files load exactly as with ``yaml.safe_load``.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[str, int] = {}
        for key_node, _ in node.value:
            # a merge (<<) brings keys the mapping may override: only keys written here count
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                line = key_node.start_mark.line + 1
                if key_node.value in seen:
                    raise _DuplicateKey(key_node.value, line, seen[key_node.value])
                seen[key_node.value] = line
        return super().construct_mapping(node, deep)


def _timestamp_or_text(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    """A YAML date, or its text when the calendar has no such day."""
    if not isinstance(node, yaml.ScalarNode):  # only plain scalars resolve as timestamps
        return loader.construct_undefined(node)
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)


def _read_yaml(path: Path) -> Any:
    """The YAML document of ``path``; unreadable bytes or syntax are a :class:`ParamsError`."""
    try:
        data = path.read_bytes()
    except OSError:
        raise ParamsError("không đọc được tệp tham số", path) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ParamsError(
            f"tệp tham số không phải văn bản UTF-8 (byte 0x{data[exc.start]:02x}); hãy lưu lại tệp với bảng mã UTF-8",
            path,
            row=line,
        ) from None
    try:
        return yaml.load(text, Loader=_Loader)
    except _DuplicateKey as exc:
        raise ParamsError(
            f"khóa «{exc.key}» được viết hai lần (lần đầu ở dòng {exc.first}): giữ một lần", path, row=exc.line
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where_in_line = f" (cột {mark.column + 1})" if mark else ""
        raise ParamsError(f"tệp YAML sai cú pháp{where_in_line}", path, row=mark.line + 1 if mark else None) from None
    except (yaml.YAMLError, ValueError):
        raise ParamsError("tệp YAML không hợp lệ", path) from None
    except RecursionError:
        raise ParamsError("tệp YAML lồng nhau quá sâu", path) from None


def _parse_value(text: str) -> Any:
    """A ``-p`` value read as YAML (``60`` a number, ``true`` a boolean), else kept as text."""
    try:
        return yaml.load(text, Loader=_Loader)
    except (yaml.YAMLError, ValueError, RecursionError, _DuplicateKey):
        return text


def _expanded_size(node: object, seen: dict[int, int], open_nodes: set[int]) -> int:
    """How many values ``node`` holds once every YAML alias is expanded (shared parts counted once each
    time they appear); a mapping or list that contains itself raises ``RecursionError``."""
    if not isinstance(node, (dict, list)):
        return 1
    ident = id(node)
    if ident in seen:
        return seen[ident]
    if ident in open_nodes:
        raise RecursionError
    open_nodes.add(ident)
    children = node.values() if isinstance(node, dict) else node
    size = 1 + sum(_expanded_size(child, seen, open_nodes) for child in children)
    open_nodes.discard(ident)
    seen[ident] = size
    return size


def _check_size(raw: dict[str, Any], path: Path | None) -> None:
    """Refuse alias bombs and self-containing values before anything walks them."""
    seen: dict[int, int] = {}
    total = 0
    for key, value in raw.items():
        try:
            total += _expanded_size(value, seen, set())
        except RecursionError:
            raise ParamsError(
                f"khóa «{key}» chứa chính nó (bí danh YAML vòng lặp) hoặc lồng nhau quá sâu", path, column=str(key)
            ) from None
        if total > _MAX_VALUES:
            limit = f"{_MAX_VALUES:,}".replace(",", ".")
            raise ParamsError(
                f"khóa «{key}» làm tệp tham số vượt quá {limit} giá trị khi mở rộng các bí danh "
                "YAML (&, *): tệp không hợp lệ",
                path,
                column=str(key),
            )


# ---------------------------------------------------------------------------------------------------
# Overrides


def apply_overrides(raw: dict[str, Any], overrides: list[str]) -> dict[str, Any]:
    """Apply ``key=value`` overrides; dotted keys reach into mappings (``inputs.portal=…``).

    Examples
    --------
    >>> apply_overrides({"inputs": {"portal": "a"}}, ["inputs.portal=b", "period=2026-Q3"])
    {'inputs': {'portal': 'b'}, 'period': '2026-Q3'}
    """
    out = copy.deepcopy(raw)
    for item in overrides:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ParamsError(f"tham số -p «{item}» phải có dạng key=value")
        *parents, leaf = key.strip().split(".")
        node = out
        for depth, name in enumerate(parents):
            if node.get(name) is None:  # absent or left blank (``options:``): start the group
                node[name] = {}
            node = node[name]
            if not isinstance(node, dict):
                raise ParamsError(
                    f"là một giá trị, không phải nhóm khóa: -p «{item}» đặt vào bên trong nó",
                    column=".".join(parents[: depth + 1]),
                )
        node[leaf] = _parse_value(value)
    return out


def _overridden_by(column: str | None, overrides: list[str]) -> str | None:
    """The ``-p`` item that set the key ``column`` (or a group holding it), if any.

    Examples
    --------
    >>> _overridden_by("targets.cong_khai", ["period=2026", "targets.cong_khai=abc"])
    'targets.cong_khai=abc'
    """
    if not column:
        return None
    for item in reversed(overrides):  # the last override of a key is the one that counts
        key = item.partition("=")[0].strip()
        if column == key or column.startswith(key + ".") or key.startswith(column + "."):
            return item
    return None


# ---------------------------------------------------------------------------------------------------
# Pydantic errors → Vietnamese


def _dotted(loc: tuple[int | str, ...]) -> str:
    """``("issuer", "recipients", 0)`` → ``issuer.recipients[0]``; pydantic's ``[key]`` marker dropped.

    Examples
    --------
    >>> _dotted(("issuer", "recipients", 0)), _dotted(("options", "columns", "dossiers", "Mã", "[key]"))
    ('issuer.recipients[0]', 'options.columns.dossiers.Mã')
    """
    out = ""
    for part in loc:
        if part == "[key]":
            continue
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _shown(value: object) -> str:
    text = str(value)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 1] + "…"


def _did_you_mean(word: str, choices: tuple[str, ...], prefix: str = "") -> str:
    close = difflib.get_close_matches(word, choices, n=1)
    return f"; có phải «{prefix}{close[0]}»?" if close else ""


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The schema section an annotation holds (``Issuer | None`` → ``Issuer``), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _literals(annotation: Any) -> tuple[str, ...]:
    """The allowed values of a ``Literal`` annotation, also inside ``… | None``."""
    if get_origin(annotation) is Literal:
        return tuple(str(arg) for arg in get_args(annotation))
    return tuple(value for arg in get_args(annotation) for value in _literals(arg))


def _annotation_at(loc: tuple[int | str, ...]) -> Any:
    """The annotation of the schema field at ``loc`` (``None`` past the schema's own sections)."""
    annotation: Any = ParamsSchema
    for part in loc:
        model = _model_in(annotation)
        if model is None or not isinstance(part, str) or part not in model.model_fields:
            return None
        annotation = model.model_fields[part].annotation
    return annotation


def _unknown_key(loc: tuple[int | str, ...]) -> str:
    """The message for a key the schema does not know, with the closest known key."""
    key = _dotted(loc)
    model = _model_in(_annotation_at(loc[:-1]))
    known = tuple(model.model_fields) if model else ()
    prefix = _dotted(loc[:-1]) + "." if len(loc) > 1 else ""
    suggestion = _did_you_mean(str(loc[-1]), known, prefix)
    if suggestion:
        return f"khóa «{key}» không được hỗ trợ{suggestion}"
    return f"khóa «{key}» không được hỗ trợ (dùng: {', '.join(known)})"


_MISSING_HINT = {
    "report": f" (dùng: {', '.join(REPORTS)})",
    "period": " (ví dụ period: 2026-Q1)",
    "inputs": " (ví dụ inputs: {portal: data/…})",
}

_TYPE_WORDS = {
    "string_type": "phải là một chuỗi ký tự",
    "list_type": "phải là một danh sách (mỗi dòng bắt đầu bằng «- »)",
    "bool_type": "phải là true hoặc false",
    "model_type": "phải là một nhóm khóa (khóa: giá trị)",
    "model_attributes_type": "phải là một nhóm khóa (khóa: giá trị)",
    "dict_type": "phải là một nhóm khóa (khóa: giá trị)",
}


def _message(error: ErrorDetails) -> str:
    """One pydantic error in Vietnamese, naming the dotted key; pydantic's English never shows."""
    loc, kind, value = error["loc"], error["type"], error.get("input")
    key = _dotted(loc)
    if kind == "extra_forbidden":
        return _unknown_key(loc)
    if kind == "invalid_key":  # ``1: x`` or ``null: x``: a key YAML did not read as text
        return f"khóa «{_dotted((*loc[:-1], str(loc[-1])))}» không được hỗ trợ: tên khóa phải là chữ"
    if kind == "missing":
        return f"thiếu khóa «{key}»{_MISSING_HINT.get(key, '')}"
    if kind == "literal_error":
        choices = _literals(_annotation_at(loc))
        if value is None:
            return f"khóa «{key}» để trống (dùng: {', '.join(choices)})"
        return f"{key} «{_shown(value)}» không tồn tại (dùng: {', '.join(choices)}){_did_you_mean(str(value), choices)}"
    if kind in ("value_error", "assertion_error"):
        return f"khóa «{key}»: {error.get('ctx', {}).get('error', 'giá trị không hợp lệ')}"
    if value is None:
        return f"khóa «{key}» để trống"
    words = _TYPE_WORDS.get(kind, "có giá trị không hợp lệ")
    return f"khóa «{key}» {words}, không phải «{_shown(value)}»"


def _first_error(exc: ValidationError) -> ErrorDetails:
    """The error to show: an unknown key first, since it usually explains the others (``perod:`` is
    both unknown and the reason ``period`` is missing)."""
    errors = exc.errors(include_url=False)
    return next((e for e in errors if e["type"] in ("extra_forbidden", "invalid_key")), errors[0])


def _params_error(exc: ValidationError, path: Path | None) -> ParamsError:
    error = _first_error(exc)
    loc = error["loc"]
    column = _dotted((*loc[:-1], str(loc[-1]))) if error["type"] == "invalid_key" else _dotted(loc)
    message = _message(error)
    # the error's place names the key already ('khóa "targets.total": …'): said once
    if column and message.startswith(named := f"khóa «{column}»"):
        message = message.removeprefix(named).lstrip(" :")
    return ParamsError(message, path, column=column or None)


# ---------------------------------------------------------------------------------------------------
# Rules across keys, and the files the inputs name


def _check_report_needs(schema: ParamsSchema, path: Path | None) -> None:
    """What each report kind cannot run without, beyond the schema's required keys."""
    given = {kind for kind in INPUT_KINDS if getattr(schema.inputs, kind) is not None}
    if schema.report in ("bulletin_766", "unit_report") and not given & {"portal", "scores"}:
        raise ParamsError(f"{schema.report} cần inputs.portal hoặc inputs.scores", path, column="inputs")
    if schema.report == "unit_report" and not (schema.unit or "").strip():
        raise ParamsError("unit_report cần khóa unit (tên hoặc mã đơn vị)", path, column="unit")
    if schema.report == "weekly_tthc" and "dossiers" not in given:
        raise ParamsError("weekly_tthc cần inputs.dossiers (tệp hồ sơ)", path, column="inputs.dossiers")
    if schema.report == "yearly_indices" and "indices" not in given:
        raise ParamsError("yearly_indices cần inputs.indices (bảng các chỉ số năm)", path, column="inputs.indices")
    if schema.report == "yearly_indices" and schema.period.kind != "year":
        raise ParamsError(
            f"yearly_indices báo cáo theo năm: period phải là một năm (ví dụ 2024), không phải «{schema.period.label}»",
            path,
            column="period",
        )
    if schema.report == "weekly_tthc" and schema.engine == "spark" and "units" not in given:
        # The Spark engine reads the registry directly (no DuckDB ingest step to do without it).
        raise ParamsError("engine: spark cần inputs.units (danh mục đơn vị)", path, column="inputs.units")


def _as_of_said(as_of: date, given: bool) -> str:
    """``as_of`` as a message names it; the period's last day, taken when the params give none, says so."""
    return f"{as_of:%d/%m/%Y}" + ("" if given else " (ngày cuối kỳ: tệp tham số không ghi as_of)")


def _check_dates(schema: ParamsSchema, path: Path | None) -> None:
    """``as_of`` may follow the period (a month's figures captured later) but never precede it, nor
    follow the document's own date; a date before the first rule version has no methodology unless
    one is stated."""
    period = schema.period
    if schema.as_of is not None and schema.as_of < period.start:
        raise ParamsError(
            f"ngày số liệu as_of {schema.as_of:%d/%m/%Y} trước ngày bắt đầu của kỳ {period.label} "
            f"({period.start:%d/%m/%Y}): số liệu «tính đến» ngày đó chưa thể có cho kỳ này",
            path,
            column="as_of",
        )
    as_of = schema.as_of or period.end
    issued = schema.issuer.date if schema.issuer is not None else None
    if issued is not None and issued < as_of:
        # a typo in as_of (or none given in a report signed before the period ends) made a
        # provisional report read as final, dated before the figures it claims
        raise ParamsError(
            f"ngày của văn bản {issued:%d/%m/%Y} trước ngày số liệu tính đến "
            f"{_as_of_said(as_of, schema.as_of is not None)}: văn bản không thể nêu số liệu của một ngày "
            "sau ngày ký; sửa as_of hoặc issuer.date",
            path,
            column="issuer.date",
        )
    first = _first_rule_date()
    # the yearly indices are not the 766 index: no rule version applies to them
    if schema.report != "yearly_indices" and schema.methodology_version is None and as_of < first:
        raise ParamsError(
            f"ngày {as_of:%d/%m/%Y} trước ngày Bộ chỉ số 766 có hiệu lực ({first:%d/%m/%Y}): "
            "không có phiên bản quy tắc nào áp dụng (hoặc ghi rõ methodology_version)",
            path,
            column="as_of" if schema.as_of is not None else "period",
        )


@lru_cache(maxsize=1)
def _first_rule_date() -> date:
    """The earliest ``valid_from`` of ``core/data/versions.csv``.

    Examples
    --------
    >>> _first_rule_date().isoformat()
    '2022-06-23'
    """
    return min(date.fromisoformat(row["valid_from"]) for row in data_rows("versions.csv"))


def _province_warnings(schema: ParamsSchema, path: Path | None) -> tuple[Warning766, ...]:
    """CONTRACT.md: a province not among the 34 is accepted with a warning (samples use "Tỉnh Mẫu")."""
    name = (schema.province or "").strip()
    if not name or known_province(name) is not None:
        return ()
    message = (
        f"tỉnh, thành phố «{_shown(name)}» không có trong danh sách 34 tỉnh, thành phố sau sắp xếp năm 2025: "
        "tên được dùng đúng như đã ghi"
    )
    return (Warning766("unknown_province", message, "" if path is None else str(path), None, "province"),)


def _check_snapshot_period(schema: ParamsSchema, inputs: dict[str, Path], path: Path | None) -> None:
    """A portal snapshot saved by ``chiso766 snapshot`` says its period (``snapshot.json``): it must be
    the period of the report."""
    folder = inputs.get("portal")
    meta = folder / "snapshot.json" if folder is not None else None
    if meta is None or not meta.is_file():
        return
    try:
        label = json.loads(meta.read_bytes().decode("utf-8-sig")).get("period")
    except (OSError, UnicodeDecodeError, ValueError, RecursionError, AttributeError):
        raise ParamsError(f"không đọc được tệp mô tả ảnh chụp {meta}", path, column="inputs.portal") from None
    if label is None:
        return
    try:
        held = parse_period(label)
    except ValueError:
        raise ParamsError(f"{meta}: kỳ «{_shown(label)}» không hợp lệ", path, column="inputs.portal") from None
    if (held.start, held.end) != (schema.period.start, schema.period.end):
        raise ParamsError(
            f"ảnh chụp Cổng {folder} là của kỳ «{held.label}» (theo snapshot.json), không phải kỳ "
            f"«{schema.period.label}» của tệp tham số",
            path,
            column="inputs.portal",
        )


def _resolve_inputs(inputs: Inputs, root: Path) -> dict[str, Path]:
    """Input kind → path, relative paths taken from ``root``, in the order the schema lists kinds."""
    out: dict[str, Path] = {}
    for kind in INPUT_KINDS:
        value = getattr(inputs, kind)
        if value is not None:
            given = Path(value)
            out[kind] = given if given.is_absolute() else root / given
    return out


# Inputs that are one file each; the portal's is a snapshot folder; dossiers and complaints are a file,
# or a folder of Parquet files (partitioned, at national scale). Checked before a notebook starts.
_FILE_INPUTS = frozenset({"scores", "units", "indices"})


def _is_snapshot(folder: Path) -> bool:
    """A folder holding at least one of the portal's responses (``transparency.json`` …)."""
    return any((folder / f"{row['endpoint']}.json").is_file() for row in data_rows("groups.csv"))


def _wrong_shape(kind: str, resolved: Path) -> str | None:
    """What is wrong with the kind of path an input names, or None."""
    if kind == "portal" and not resolved.is_dir():
        return "phải là thư mục ảnh chụp số liệu của Cổng (tạo bằng chiso766 snapshot), không phải một tệp"
    if kind in {"portal", "previous"} and resolved.is_dir() and not _is_snapshot(resolved):
        endpoints = ", ".join(f"{row['endpoint']}.json" for row in data_rows("groups.csv"))
        return f"là thư mục nhưng không phải ảnh chụp số liệu của Cổng: không có tệp nào trong {endpoints}"
    if kind == "history" and not resolved.is_dir():
        return "phải là thư mục các kỳ trước (mỗi kỳ một bảng điểm hoặc một thư mục ảnh chụp Cổng), không phải một tệp"
    if kind in _FILE_INPUTS and resolved.is_dir():
        return "phải là một tệp, không phải thư mục"
    if kind in {"dossiers", "complaints"} and resolved.is_dir() and next(resolved.rglob("*.parquet"), None) is None:
        return "là thư mục nhưng không có tệp Parquet nào (một thư mục chỉ dùng cho dữ liệu Parquet phân vùng)"
    return None


def _check_files(schema: ParamsSchema, inputs: dict[str, Path], path: Path | None) -> None:
    """Every input named, and the phrasings file, must exist."""
    for kind, resolved in inputs.items():
        if not resolved.exists():
            raise ParamsError(f"không tìm thấy dữ liệu vào {kind}: {resolved}", path, column=f"inputs.{kind}")
        if (problem := _wrong_shape(kind, resolved)) is not None:
            raise ParamsError(f"dữ liệu vào {kind} ({resolved}) {problem}", path, column=f"inputs.{kind}")
    phrasings = schema.options.phrasings if schema.options else None
    # Read by report.narrative as given (from the current folder), so checked the same way.
    if phrasings and not Path(phrasings).is_file():
        raise ParamsError(f"không tìm thấy tệp câu chữ (phrasings): {phrasings}", path, column="options.phrasings")


# ---------------------------------------------------------------------------------------------------
# Public entry points


def project_root(params_path: Path) -> Path:
    """Where relative input paths start: the folder holding ``params/``, else the file's folder.

    So ``inputs: {portal: data/samples/…}`` works from ``params/bulletin_766/2026-08.yaml`` whatever
    the current directory.
    """
    for parent in params_path.resolve().parents:
        if parent.name == "params":
            return parent.parent
    return params_path.resolve().parent


def validate(raw: dict[str, Any], path: Path | None, *, check_inputs: bool = True) -> Params:
    """Check every key of ``raw`` against :class:`ParamsSchema`, the report's needs and the input files.

    Parameters
    ----------
    raw
        The mapping read from YAML, after overrides; kept as it is in :attr:`Params.raw`.
    path
        The params file, named in every error; relative inputs start at :func:`project_root` of it
        (the current folder when ``None``).
    check_inputs
        Whether the input files must exist already (not when a generator is about to write them).

    Raises
    ------
    ParamsError
        The first problem found, in Vietnamese, with the dotted key in ``column``.

    Examples
    --------
    >>> p = validate({"report": "bulletin_766", "period": "2026-Q1", "inputs": {"scores": "s.csv"}},
    ...              None, check_inputs=False)
    >>> p.report, p.as_of.isoformat(), p.inputs["scores"].name
    ('bulletin_766', '2026-03-31', 's.csv')
    """
    if not isinstance(raw, dict):
        raise ParamsError("tệp tham số phải là một bảng khóa: giá trị (YAML mapping)", path)
    _check_size(raw, path)
    try:
        schema = ParamsSchema.model_validate(raw)
    except ValidationError as exc:
        raise _params_error(exc, path) from None
    _check_report_needs(schema, path)
    _check_dates(schema, path)
    inputs = _resolve_inputs(schema.inputs, project_root(path) if path else Path.cwd())
    if check_inputs:
        _check_files(schema, inputs, path)
        _check_snapshot_period(schema, inputs, path)
    as_of = schema.as_of or schema.period.end
    return Params(path, raw, schema.report, schema.period, as_of, inputs, schema, _province_warnings(schema, path))


def load_params(path: str | Path, overrides: list[str] | None = None, *, check_inputs: bool = True) -> Params:
    """Read, override and validate a params file; every problem is a :class:`ParamsError`.

    An error in a key set by ``-p`` says so, since the file itself may be right.
    """
    path = Path(path)
    overrides = list(overrides or [])
    if not path.is_file():
        raise ParamsError("không tìm thấy tệp tham số", path)
    raw = _read_yaml(path)
    if not isinstance(raw, dict):
        raise ParamsError("tệp tham số phải là một bảng khóa: giá trị (YAML mapping)", path)
    try:
        raw = apply_overrides(raw, overrides)
    except ParamsError as exc:  # raised without the file, which it is about
        raise ParamsError(exc.reason, path, exc.row, exc.column) from None
    try:
        return validate(raw, path, check_inputs=check_inputs)
    except ParamsError as exc:
        item = _overridden_by(exc.column, overrides)
        if item is None:
            raise
        raise ParamsError(f"{exc.reason} (giá trị từ -p {item})", path, exc.row, exc.column) from None
