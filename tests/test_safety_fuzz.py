"""Fuzzing of the two readers that take files from outside: the score table and the portal's JSON.

Whatever the bytes, only the project's named errors (:class:`InputError` and its subclasses) may
escape ``chiso766.ingest.scores.read_scores`` and ``chiso766.ingest.portal.read_snapshot``. Bounded:
about 200 examples per test (``CHISO766_FUZZ_EXAMPLES`` for a deeper search), no deadline, no
example database.
"""

from __future__ import annotations

import csv
import io
import json
import os
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from chiso766.core.errors import Diagnostics, InputError
from chiso766.core.methodology import Methodology, load
from chiso766.ingest.portal import read_snapshot
from chiso766.ingest.scores import read_scores
from chiso766.ingest.units import Registry, load_registry

ROOT = Path(__file__).resolve().parents[1]
HP_UNITS = ROOT / "data" / "samples" / "hai-phong" / "units.csv"

FUZZ = settings(
    max_examples=int(os.environ.get("CHISO766_FUZZ_EXAMPLES", "200")),  # more for a deeper search by hand
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)

METHOD_2025 = load("2025")
METHOD_2026 = load("2026")


def method_for(_as_of: date | None) -> Methodology:
    return METHOD_2025


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry(HP_UNITS, Diagnostics())


def only_named_errors(call, *args, **kwargs) -> object:
    """The reader's result, or None when it refused with a named error; anything else fails the test."""
    try:
        result = call(*args, **kwargs)
    except InputError as exc:
        assert str(exc), "a named error without a message"
        event("refused with a named error")
        return None
    event("accepted")
    return result


# the score table ---------------------------------------------------------------------------------------

HEADERS = [
    "unit_name",
    "unit_code",
    "tier",
    "as_of",
    "total",
    "rank",
    "STT",
    "Tên đơn vị",
    "Cấp",
    "Tính đến ngày",
    "Tổng điểm",
    "Xếp hạng",
    "Ghi chú",
    *[
        f"{g}{s}"
        for g in ("cong_khai", "tien_do", "truc_tuyen", "thanh_toan", "hai_long", "so_hoa")
        for s in ("", "_rate")
    ],
    "Công khai, minh bạch - Tỷ lệ (%)",
    "Số hóa hồ sơ - Điểm",
    "",
    "unit_name ",
]

NUMBERISH = st.one_of(
    st.integers(-(10**30), 10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["1.234,5", "84,63", "1e400", "-0", "NaN", "inf", "１２", "١٢", "12%", " 7 ", "9" * 400]),
)
ODD_CELL = st.one_of(
    NUMBERISH,
    st.sampled_from(["", "so", "xa", "tinh", "Sở Y tế", "Xã A", "=1+1", '"', "\x00", "\x1b[31m", "\r", "a\nb"]),
    st.sampled_from(["2025-10-07", "07/10/2025", "2025-02-30", "31/02/2025", "2025-13-01", "0000-00-00"]),
    st.text(max_size=12),
)
NAME = st.one_of(
    st.sampled_from(["Sở Y tế", "Sở Tài chính", "Xã A", "Phường B", "Thành phố Hải Phòng"]),
    st.text(min_size=1, max_size=15),
)
POINTS = st.one_of(
    st.floats(0, 10).map(lambda x: f"{x:.2f}"),
    st.floats(0, 10).map(lambda x: f"{x:.2f}".replace(".", ",")),
    st.just(""),
)
RATE = st.one_of(
    st.floats(0, 100).map(lambda x: f"{x:.2f}"), st.floats(0, 100).map(lambda x: f"{x:.1f}".replace(".", ","))
)
TYPICAL = {
    "unit_name": NAME,
    "Tên đơn vị": NAME,
    "unit_code": st.sampled_from(["HP.YT", "HP.TC", "", "X1"]),
    "tier": st.sampled_from(["so", "xa", "tinh", ""]),
    "Cấp": st.sampled_from(["so", "xa", "tinh"]),
    "as_of": st.sampled_from(["2025-10-07", "07/10/2025", ""]),
    "Tính đến ngày": st.sampled_from(["2025-10-07", "07/10/2025"]),
    "rank": st.integers(1, 40).map(str),
    "Xếp hạng": st.integers(1, 40).map(str),
    "total": RATE,
    "Tổng điểm": RATE,
    "STT": st.integers(1, 99).map(str),
    "Ghi chú": st.text(max_size=8),
    **{h: RATE for h in HEADERS if h.endswith(("_rate", "(%)"))},
}


@st.composite
def score_tables(draw: st.DrawFn) -> bytes:
    """Mostly tables a reader gets past (a name column, a score column, plausible cells), with odd
    cells, ragged rows, broken quotes and other encodings mixed in."""
    name = draw(st.sampled_from(["unit_name", "Tên đơn vị", "unit_code"]))
    score = draw(
        st.sampled_from(["total", "Tổng điểm", "cong_khai", "tien_do_rate", "Công khai, minh bạch - Tỷ lệ (%)"])
    )
    odd = draw(st.integers(0, 3)) == 0  # a quarter of the tables hold odd cells
    others = [h for h in HEADERS if h not in (name, score) and h not in ("unit_name", "Tên đơn vị", "unit_code")]
    extra = draw(st.lists(st.sampled_from(others if not odd else HEADERS), max_size=4, unique=not odd))
    header = draw(st.permutations([name, score, *extra]))
    count = draw(st.integers(1 if not odd else 0, 6))
    names = draw(st.lists(NAME, min_size=count, max_size=count, unique_by=lambda n: n.casefold().strip()))
    rows = []
    for index in range(count):
        width = len(header) + (draw(st.integers(-1, 1)) if odd else 0)  # ragged rows too
        cells = []
        for column in header[: max(0, width)] + [""] * max(0, width - len(header)):
            if odd and draw(st.booleans()):
                cells.append(draw(ODD_CELL))
            elif column in ("unit_name", "Tên đơn vị"):
                cells.append(names[index])
            elif column == "unit_code":
                cells.append(f"X.{index}")
            else:
                cells.append(draw(TYPICAL.get(column, POINTS)))
        rows.append(cells)
    buffer = io.StringIO()
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC]))
    delimiter = draw(st.sampled_from([",", ",", ",", ";", "\t"]))
    ending = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    writer = csv.writer(buffer, quoting=quoting, delimiter=delimiter, lineterminator=ending)
    writer.writerow(header)
    writer.writerows(rows)
    text = buffer.getvalue()
    if odd and draw(st.booleans()):  # break the quoting somewhere
        cut = draw(st.integers(0, len(text)))
        text = text[:cut] + draw(st.sampled_from(['"', '""', "\x00", "\n", ",", "\ufeff"])) + text[cut:]
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8", "utf-8-sig", "utf-16", "cp1258", "latin-1"]))
    return text.encode(encoding, errors="replace")


@FUZZ
@given(content=score_tables(), use_registry=st.booleans())
def test_score_tables_raise_only_named_errors(folder, registry, content, use_registry):
    path = folder / "scores.csv"
    path.write_bytes(content)
    only_named_errors(read_scores, path, method_for, registry if use_registry else None, None, Diagnostics())


@FUZZ
@given(content=st.binary(max_size=2000), header=st.sampled_from([b"", b"unit_name,tier,total\n", b"\xef\xbb\xbf"]))
def test_score_table_bytes_raise_only_named_errors(folder, content, header):
    path = folder / "bytes.csv"
    path.write_bytes(header + content)
    only_named_errors(read_scores, path, method_for, None, None, Diagnostics())


# the portal's JSON -------------------------------------------------------------------------------------

COUNT_FIELDS = sorted(
    {
        name
        for group in METHOD_2026.groups
        for c in METHOD_2026.components_of(group.key)
        for fields in (c.numerator_field, c.denominator_field)
        for name in fields.split("+")
    }
)
API_CODES = sorted({c.api_code for g in METHOD_2026.groups for c in METHOD_2026.components_of(g.key) if c.api_code})
KEYS = [
    "code",
    "data",
    "overview",
    "evaluation",
    "parent",
    "children",
    "departmentId",
    "departmentName",
    "departmentCode",
    "level",
    "departmentLevel",
    "metrics",
    "score",
    "totalScore",
    "ratio",
    "numerator",
    "denominator",
    "dataQualityStatus",
    *COUNT_FIELDS,
]

LEAF = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(0, 10**6),
    st.integers(-(10**40), 10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=10),
    st.sampled_from(["", "OK", "PROVINCE", "COMMUNE", "DEPARTMENT", "1e3", "x/y"]),
)
JSON = st.recursive(
    LEAF,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), inner, max_size=5)
    ),
    max_leaves=25,
)
ODD_COUNT = st.one_of(LEAF, JSON)


@st.composite
def counts(draw: st.DrawFn, unit: dict[str, object], numerator: str, denominator: str, odd: bool) -> None:
    """A numerator and denominator pair as the portal gives them (``a+b`` fields split), at times odd."""
    den = draw(st.integers(0, 10**6))
    num = draw(st.integers(0, den))
    for fields, value in ((denominator, den), (numerator, num)):
        names = fields.split("+")
        for i, name in enumerate(names):
            part = value if i == 0 else 0
            unit[name] = draw(ODD_COUNT) if odd and draw(st.integers(0, 3)) == 0 else part


@st.composite
def unit(draw: st.DrawFn, metrics: bool) -> dict[str, object]:
    odd = draw(st.integers(0, 3)) == 0
    obj: dict[str, object] = {}
    if not odd or draw(st.integers(0, 9)):
        obj["departmentId"] = (
            draw(st.uuids().map(str)) if not odd else draw(st.one_of(st.sampled_from(["a", "b"]), LEAF))
        )
    obj["departmentName"] = draw(st.sampled_from(["Sở A", "Xã B", "UBND tỉnh"]) if not odd else LEAF)
    obj["departmentCode"] = draw(st.sampled_from(["H44", "H44.01", "H44.167"]) if not odd else LEAF)
    obj["level"] = draw(st.sampled_from(["PROVINCE", "COMMUNE", "DISTRICT"]) if not odd else LEAF)
    for key in ("score", "totalScore", "ratio"):
        if draw(st.booleans()):
            obj[key] = draw(st.floats(0, 2).map(lambda x: round(x, 2)) if not odd else LEAF)
    if metrics:
        rows: list[object] = []
        for code in draw(st.lists(st.sampled_from(API_CODES), max_size=5, unique=True)):
            metric: dict[str, object] = {"code": code}
            draw(counts(metric, "numerator", "denominator", odd))
            if draw(st.booleans()):
                metric["score"] = draw(st.floats(0, 2).map(lambda x: round(x, 2)) if not odd else LEAF)
            rows.append(metric if not odd or draw(st.booleans()) else draw(JSON))
        obj["metrics"] = rows if not odd or draw(st.booleans()) else draw(LEAF)
    else:
        for c in TREE_COMPONENTS:
            if draw(st.integers(0, 5)):
                draw(counts(obj, c.numerator_field, c.denominator_field, odd))
    return obj


TREE_COMPONENTS = [c for g in METHOD_2026.groups for c in METHOD_2026.components_of(g.key) if not c.api_code]


@st.composite
def portal_documents(draw: st.DrawFn) -> dict[str, object]:
    """Mostly documents of the portal's shape with plausible units, some fields odd; now and then a
    wrong shape at the top."""
    metrics = draw(st.booleans())
    head, members = ("overview", "evaluation") if metrics else ("parent", "children")
    data: dict[str, object] = {}
    if draw(st.integers(0, 3)):
        data[head] = draw(unit(metrics))
    data[members] = draw(st.lists(unit(metrics), min_size=1, max_size=5))
    if draw(st.integers(0, 7)) == 0:
        data[members] = draw(st.one_of(JSON, st.lists(st.one_of(unit(metrics), JSON), max_size=3)))
    document: dict[str, object] = {"code": "OK", "data": data}
    if draw(st.integers(0, 7)) == 0:
        document = draw(st.sampled_from([{"data": draw(JSON)}, {"code": draw(LEAF), "data": data}, {"other": data}]))
    return document


def _write_endpoint(folder: Path, endpoint: str, text: str | bytes) -> Path:
    snapshot = folder / "snapshot"
    snapshot.mkdir(exist_ok=True)
    for old in snapshot.iterdir():
        old.unlink()
    data = text.encode("utf-8", errors="surrogatepass") if isinstance(text, str) else text
    (snapshot / f"{endpoint}.json").write_bytes(data)
    return snapshot


ENDPOINTS = [g.endpoint for g in METHOD_2026.groups]


@FUZZ
@given(document=portal_documents(), endpoint=st.sampled_from(ENDPOINTS))
def test_portal_documents_raise_only_named_errors(folder, document, endpoint):
    """Each document is written as every endpoint in turn would be read: metrics or tree shape."""
    snapshot = _write_endpoint(folder, endpoint, json.dumps(document, allow_nan=True))
    only_named_errors(read_snapshot, snapshot, METHOD_2026, Diagnostics())


@FUZZ
@given(
    content=st.one_of(st.binary(max_size=1000), JSON.map(lambda v: json.dumps(v).encode())),
    endpoint=st.sampled_from(ENDPOINTS),
)
def test_portal_bytes_raise_only_named_errors(folder, content, endpoint):
    snapshot = _write_endpoint(folder, endpoint, content)
    only_named_errors(read_snapshot, snapshot, METHOD_2026, Diagnostics())


# the hostile inputs of issue 11, named one by one ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "words"),
    [
        pytest.param('unit_name,tier,total\n"Sở A,so,50\nSở B,so,60\n', "ngoặc kép", id="unclosed-quote"),
        pytest.param("unit_name,tier,total\n" + "A" * 1_100_000 + ",so,50\n", "dòng 2", id="one-megabyte-cell"),
        pytest.param("unit_name,tier,total\nSở A,so,NaN\n", "total", id="nan-total"),
        pytest.param("unit_name,tier,total\nSở A,so," + "9" * 5001 + "\n", "total", id="5001-digit-total"),
        pytest.param("unit_name,tier,total\nSở\x00A,so,50\n", "NUL", id="nul-byte"),
    ],
)
def test_hostile_score_tables_are_named(folder, text, words):
    path = folder / "hostile.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_scores(path, method_for, None, None, Diagnostics())
    assert str(path) in str(info.value) and words in str(info.value)


TREE = "dvc-progress-tree"
ROW = '{"departmentId":"a","departmentName":"Xã A","totalReceived":%s,"totalOnTime":%s}'


@pytest.mark.parametrize(
    ("endpoint", "text", "words"),
    [
        pytest.param(TREE, '{"data":{"children":[%s]}}' % (ROW % ("10", "NaN")), "totalOnTime", id="nan-count"),
        pytest.param(TREE, '{"data":{"children":[%s]}}' % (ROW % ("Infinity", "1")), "totalReceived", id="inf-count"),
        pytest.param(TREE, '{"data":{"children":[%s]}}' % (ROW % ("9" * 5001, "1")), "totalReceived", id="5001-digits"),
        pytest.param(TREE, '{"data":{"children":[%s]}}' % (ROW % ("10", '"7"')), "totalOnTime", id="string-count"),
        pytest.param(TREE, '{"data":{"children":[5]}}', "children[0]", id="unit-not-object"),
        pytest.param(TREE, '{"data":' + "[" * 100_000 + "]" * 100_000 + "}", "JSON", id="deep-nesting"),
        pytest.param(
            "transparency", '{"data":{"evaluation":[{"departmentId":"a","metrics":7}]}}', "metrics", id="metrics"
        ),
        pytest.param(TREE, '{"data":{"children":[{"departmentId":["a"]}]}}', "departmentId", id="id-not-text"),
        pytest.param(TREE, "\xff\xfe{}", "UTF-8", id="not-utf8"),
    ],
)
def test_hostile_portal_documents_are_named(folder, endpoint, text, words):
    snapshot = _write_endpoint(folder, endpoint, text.encode("latin-1") if text.startswith("\xff") else text)
    with pytest.raises(InputError) as info:
        read_snapshot(snapshot, METHOD_2026, Diagnostics())
    assert f"{endpoint}.json" in str(info.value) and words in str(info.value)
