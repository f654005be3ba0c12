"""Issue 15: the faster ingest refuses the same rows for the same reasons, byte for byte.

``tests/ingest_parity/<case>/`` holds what the ingest made of each fault file of
:mod:`tests.dossier_faults` before it was rewritten: the quarantine, the used rows (columns, types,
values, table order), the counts and the warnings. Changed since, on purpose: a row of empty cells
only is left out like a blank line (ASSUMPTIONS A49; ``csv-ragged`` was recorded again for that row
alone), and a warning names a unit code that goes with another unit's name (the rows still counted
for the code's unit: ``summary.json`` of the five cases that have one gained that warning alone),
and the table is a view over ``_<kind>_rows``, which holds each row's unit as a number (every
``summary.json`` lists that table and the view in place of the table; rows, types and order are
the same).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import dossier_faults as faults


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("faults")
    faults.write_cases(path)
    return path


@pytest.mark.parametrize("case", faults.CASES, ids=[c.name for c in faults.CASES])
def test_same_quarantine_and_rows_as_before(folder: Path, case: faults.Case) -> None:
    got = faults.outputs(folder, case)
    for name, data in got.items():
        expected = (faults.FIXTURES / case.name / name).read_bytes()
        assert data.decode() == expected.decode(), f"{case.name}/{name}"


def test_the_fault_file_has_every_kind_of_fault() -> None:
    reasons = (faults.FIXTURES / "csv-ragged" / "quarantine.csv").read_text(encoding="utf-8")
    for words in (
        "không đọc được",
        "hạn trả trước ngày tiếp nhận",
        "kết thúc trước ngày tiếp nhận",
        "đơn vị không có trong danh mục",
        "trùng mã với dòng",
        "kênh «9» không hợp lệ",
        "không phải có/không",
        "không phải số nguyên",
        "thiếu mã",
        "thiếu ngày tiếp nhận",
        "nhiều hơn 17 cột",
        "ít hơn 17 cột",
    ):
        assert words in reasons, words
    for accepted in ("2025-09-11T20:00:00-05:00", "2025-09-12T08:00:00+0700", "2025-09-12 01:00:00Z", "12-09-2025"):
        assert accepted in faults.DATES and accepted not in reasons, accepted


def _strings(count: int, seed: int) -> list[str]:
    """Date-like texts: the fault file's, mutated, and random ones from the characters dates are made of."""
    import random

    rng = random.Random(seed)
    alphabet = "0123456789-/:. TZtz+aefinpoychAEFINPOYCH\t\u00a0\u3000é"
    out = list(faults.DATES)
    for _ in range(count):
        if rng.random() < 0.5:
            base = list(rng.choice(faults.DATES))
            for _ in range(rng.randint(1, 3)):
                at = rng.randrange(len(base) + 1)
                action = rng.random()
                if action < 0.4 and base:
                    base[min(at, len(base) - 1)] = rng.choice(alphabet)
                elif action < 0.7:
                    base.insert(at, rng.choice(alphabet))
                elif base:
                    del base[min(at, len(base) - 1)]
            out.append("".join(base))
        else:
            out.append("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 26))))
    return out


def test_cells_read_as_the_original_formulas_did() -> None:
    """The new readings of a text cell (the common spellings read as they are, a date starting with
    a digit tried in the common form first, an ASCII text taken untrimmed when it has no space at
    either end) give what the original formulas gave, on the fault file's values, mutations of
    them and random strings."""
    import duckdb

    from chiso766.ingest import dossiers

    def cell(canonical: str) -> dossiers._Cell:
        return dossiers._Cell(canonical, "s", native=False, slot=0)

    formats = "[" + ", ".join("'" + f + "'" for f in dossiers._FORMATS) + "]"
    text = "nullif(trim(CAST(_t0 AS VARCHAR)), '')"
    zoned = (
        f"(try_strptime(replace({text}, 'Z', '+00:00'), ['%Y-%m-%dT%H:%M:%S%z', '%Y-%m-%d %H:%M:%S%z']) "
        "AT TIME ZONE 'Asia/Ho_Chi_Minh')"
    )
    received = f"coalesce({zoned}, try_strptime({text}, {formats}))"
    due = (
        f"CASE WHEN length({text}) <= 10 THEN try_strptime({text}, {formats}) + INTERVAL 1 DAY "
        f"- INTERVAL 1 MICROSECOND ELSE {received} END"
    )
    lower = f"lower({text})"
    flag = (
        f"CASE WHEN {lower} IN ({dossiers._sql_list(dossiers._TRUE)}) THEN true "
        f"WHEN {lower} IN ({dossiers._sql_list(dossiers._FALSE)}) THEN false END"
    )
    channel = (
        f"CASE WHEN {lower} IS NULL OR {lower} IN ('1', 'trực tiếp', 'truc tiep') THEN 1 "
        f"WHEN {lower} IN ('2', 'trực tuyến', 'truc tuyen') THEN 2 "
        f"WHEN {lower} IN ('3', 'bưu chính', 'buu chinh') THEN 3 END"
    )
    pairs = [
        (text, dossiers._text_of("_t0")),
        (received, dossiers._value(cell("received_at"))),
        (due, dossiers._value(cell("due_at"))),
        (flag, dossiers._value(cell("digitized"))),
        (channel, dossiers._value(cell("channel"))),
        (f"{text} IS NULL", dossiers._empty(cell("channel"))),
    ]
    # "True" and "FALSE" beside the fault file's spellings: exports of Python and of spreadsheets
    strings = _strings(20_000, 15) + faults.BOOL_VALUES + ["True", "FALSE"] + faults.CHANNELS + faults.COUNTS
    with duckdb.connect() as con:
        con.execute("CREATE TABLE t (_t0 VARCHAR)")
        con.executemany("INSERT INTO t VALUES (?)", [[s] for s in [*strings, None]])
        for old, new in pairs:
            differing = con.execute(f"SELECT _t0 FROM t WHERE ({old}) IS DISTINCT FROM ({new})").fetchall()
            assert not differing, (new[:80], differing[:10])
        read = con.execute(f"SELECT count({dossiers._value(cell('received_at'))}) FROM t").fetchone()
    assert read is not None and read[0] > 500  # many of them are dates


def test_the_line_check_by_blocks_agrees_with_the_line_by_line_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Lines of the header's width, quotes paired on a line, blank and CRLF lines, a last line without
    its end, a line longer than a block: the array check counts (or refuses) as the original loop."""
    import random

    from chiso766.ingest import dossiers

    monkeypatch.setattr(dossiers, "_BLOCK", 16)
    rng = random.Random(766)
    pieces = ["a", "bc", "1", ",", ",", '"', '"x,y"', '""', " ", "\t", "\r", "é", "\n", "\n", ";"]
    agreed = refused = 0
    for i in range(3000):
        width = rng.randint(0, 3)
        header = ",".join(f"h{j}" for j in range(width + 1))
        if rng.random() < 0.1:
            header = '"h,0",' + header
        lines = [header]
        for _ in range(rng.randint(0, 6)):
            cells = [rng.choice(["", "v", "ww", '"q,q"', "x" * rng.randint(0, 40)]) for _ in range(width + 1)]
            line = ",".join(cells)
            if rng.random() < 0.3:
                at = rng.randrange(len(line) + 1)
                line = line[:at] + rng.choice(pieces) + line[at:]
            lines.append(line)
        text = "\n".join(lines) + rng.choice(["\n", "", "\r\n", "\n\n"])
        path = tmp_path / f"{i}.csv"
        path.write_bytes(text.encode())
        for delimiter in (",", ";"):
            expected = dossiers._lines_one_by_one(path, delimiter.encode())
            got = dossiers._lines_of_header_width(path, delimiter)
            assert (got and got.count) == (expected and expected.count), (text, delimiter)
            agreed += expected is not None
            refused += expected is None
            for line, offset in got.samples if got else []:  # each sample is where its line begins
                assert text.encode().split(b"\n")[line - 1] == text.encode()[offset:].split(b"\n")[0], (text, line)
    assert agreed > 1000 and refused > 1000


def test_the_lines_of_a_large_csv_are_its_lines(tmp_path: Path) -> None:
    """A file DuckDB reads on several threads: every row keeps the line it has in the file (each
    identifier says its line), and the refused rows are quarantined by their lines."""
    import duckdb

    from chiso766.core.errors import Diagnostics
    from chiso766.ingest import dossiers

    rows = 300_000
    bad = {1_000, 150_001, 299_999}  # a date that does not read
    lines = ["dossier_id,unit_code,channel,received_at,due_at,note"]
    for line in range(2, rows + 2):
        received = "32/13/2025" if line in bad else f"2025-09-{1 + line % 28:02d} 08:{line % 60:02d}:00"
        lines.append(
            f"L{line},{'U1' if line % 3 else 'S1'},{1 + line % 3},{received},2025-12-31 17:00:00,{'x' * (line % 50)}"
        )
    path = tmp_path / "large.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    con = duckdb.connect()
    loaded = dossiers.load_dossiers(con, path, faults.registry(), None, Diagnostics())
    assert loaded.read == rows and list(loaded.quarantine["line"]) == sorted(bad)
    assert list(loaded.quarantine["id"]) == [f"L{line}" for line in sorted(bad)]
    (wrong,) = con.execute("SELECT count(*) FROM dossiers WHERE dossier_id <> 'L' || _line").fetchone() or (None,)
    assert wrong == 0
