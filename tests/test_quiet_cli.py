"""A quiet, conventional command line (issue 14): --version, help and usage errors in Vietnamese, the
steps of a run with their times and nothing else on stderr, fonts from the package, numbers and dates
written by babel exactly as before, urllib3's reading of Retry-After, and a conda environment pinned
like requirements.lock."""

from __future__ import annotations

import json

import argparse
import ast
import re
import shutil
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from email.utils import format_datetime
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from chiso766 import __version__
from chiso766.cli import _ARGPARSE_VI, build_parser, main
from chiso766.core import textvi
from chiso766.core.errors import InputError
from chiso766.core.decimals import round_half_up, to_decimal
from chiso766.ingest import snapshot as snap
from chiso766.render import pdf

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT / "params" / "bulletin_766" / "2025-10.yaml"
STEP = re.compile(r"^  (đọc tham số|chạy sổ tính toán|dựng HTML|ghi kết quả)… \d+,\d s$")
# What argparse writes in English when it is not asked in Vietnamese.
ENGLISH = ("usage:", "positional arguments", "options:", "show this help", "show program's", "error:",
           "the following arguments", "unrecognized arguments", "invalid choice", "invalid int value",
           "expected one argument", "argument ", "(default:", "subcommands")
NOISE = ("WARNING", "WARN ", "[IPKernelApp]", "KeyboardInterrupt", "Traceback", "Warning:", "log4j")


def _commands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    [sub] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return {"": parser, **sub.choices}


# --version and help -------------------------------------------------------------------------------


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"chiso766 {__version__}\n"


@pytest.mark.parametrize("command", list(_commands()))
def test_help_is_all_vietnamese(command, capsys):
    assert main([*([command] if command else []), "--help"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith(f"cách dùng: chiso766{' ' + command if command else ''} ") and err == ""
    assert "tùy chọn:" in out and "in trợ giúp này rồi thoát" in out
    for words in ENGLISH:
        assert words not in out, (words, out)


@pytest.mark.parametrize("command", list(_commands()))
def test_every_option_has_a_help_text(command):
    for action in _commands()[command]._actions:
        if isinstance(action, argparse._SubParsersAction):
            assert all(choice.help for choice in action._choices_actions)
            continue
        assert action.help and action.help != argparse.SUPPRESS, (command, action.option_strings or action.dest)


def test_every_message_of_argparse_has_its_vietnamese():
    """Each text this Python's argparse asks gettext for (``_(…)``, ``ngettext(…)``) is translated."""
    tree = ast.parse(Path(argparse.__file__).read_text(encoding="utf-8"))
    asked = {
        arg.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "ngettext")
        for arg in node.args
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
    }
    assert len(asked) > 30
    assert sorted(asked - set(_ARGPARSE_VI)) == []


def test_argparse_speaks_english_again_outside_chiso766():
    build_parser().format_help()
    assert argparse.ArgumentParser(prog="x").format_usage() == "usage: x [-h]\n"


@pytest.mark.parametrize("argv, words", [
    ([], "thiếu đối số bắt buộc: LỆNH"),
    (["rnu"], "'rnu' không hợp lệ (chọn một trong:"),
    (["run"], "thiếu đối số bắt buộc: TỆP_THAM_SỐ"),
    (["run", "a.yaml", "--bogus"], "không hiểu đối số: --bogus"),
    (["run", "a.yaml", "--out"], "đối số --out: cần một giá trị"),
    (["synth", "national", "--out", "x", "--rows", "mười"], "đối số --rows: «mười» không phải số nguyên"),
    (["snapshot", "--root-department-id", "x", "--period", "2026", "--timeout", "abc"], "«abc» không phải số"),
    (["synth", "nation", "--out", "x"], "đối số LOẠI: 'nation' không hợp lệ"),
])
def test_a_usage_error_is_one_vietnamese_line(argv, words, capsys):
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and err.startswith("Lỗi: ") and "--help)" in err
    assert words in err, err
    for english in ENGLISH:
        assert english not in err, (english, err)


# a run: its steps and their times, nothing else ------------------------------------------------------


@pytest.mark.slow
def test_a_run_shows_its_steps_and_nothing_else(tmp_path, capfd):
    """One real run of a small sample through ``main``: stderr (the file descriptor, so the kernel's
    and the JVM's output would show too) holds the five steps with their times, and no warning of a
    kernel or a library; the same run with --if-changed says it kept the bulletin."""
    out = tmp_path / "2025-10"
    assert main(["run", str(SMALL), "--out", str(out)]) == 0
    stdout, stderr = capfd.readouterr()
    assert re.fullmatch(rf"{re.escape(str(out))}  \(\d+,\d s\)\n", stdout), stdout
    lines = stderr.splitlines()
    assert [STEP.match(line)[1] for line in lines if STEP.match(line)] == [
        "đọc tham số", "chạy sổ tính toán", "dựng HTML", "ghi kết quả"]
    assert len(lines) == 4, stderr
    for noise in NOISE:
        assert noise not in stderr + stdout, (noise, stderr)
    assert (out / "bulletin.pdf").is_file()

    assert main(["run", str(SMALL), "--out", str(out), "--if-changed"]) == 0
    stdout, stderr = capfd.readouterr()
    assert stdout == f"{out}  (không đổi, bỏ qua)\n"
    assert [line.split("…")[0] for line in stderr.splitlines()] == ["  đọc tham số"]

    assert main(["run", str(SMALL), "--out", str(out), "--if-changed", "--quiet"]) == 0
    stdout, stderr = capfd.readouterr()
    assert stdout == f"{out}  (không đổi, bỏ qua)\n" and stderr == ""


# fonts ----------------------------------------------------------------------------------------------


def test_the_pdf_fonts_come_from_the_packages():
    folders = [Path(p) for p in pdf.font_paths()]
    assert folders[0] == pdf.FONTS and folders[0].is_relative_to(Path(pdf.__file__).parent)
    assert {p.name for p in pdf.FONTS.glob("Tinos-*.ttf")} == {
        "Tinos-Regular.ttf", "Tinos-Bold.ttf", "Tinos-Italic.ttf", "Tinos-BoldItalic.ttf"}
    assert "SIL Open Font License" in (pdf.FONTS / "OFL.txt").read_text(encoding="utf-8")
    assert (folders[1] / "DejaVuSans.ttf").is_file()  # matplotlib's, for the charts
    assert not any(str(p).startswith(("/usr/share/fonts", "/usr/local/share/fonts")) for p in folders)


def test_the_chart_fonts_are_found_without_importing_matplotlib(tmp_path, monkeypatch):
    """chiso766 run's own process checks the fonts and draws no chart: it finds matplotlib's DejaVu
    folder where matplotlib says it is, without importing it (a fifth of a second)."""
    import matplotlib

    code = "import sys; from chiso766.render import pdf; pdf.font_paths(); print('matplotlib' in sys.modules, pdf.font_paths()[1])"
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert found == ["False", str(Path(matplotlib.get_data_path()) / "fonts" / "ttf")]
    monkeypatch.setattr(pdf, "_matplotlib_data", lambda: tmp_path / "nowhere")
    with pytest.raises(pdf.FontsMissing, match="thiếu phông chữ DejaVuSans.ttf, DejaVuSans-Bold.ttf") as info:
        pdf.font_paths()
    assert "pip install --force-reinstall matplotlib" in str(info.value)


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="pdffonts (poppler-utils) not installed")
def test_typst_finds_tinos_with_the_system_fonts_hidden(tmp_path, monkeypatch):
    """The template's serif and the charts' sans, in bold and italic, with no system font folder:
    Typst is told to ignore them, and fontconfig is pointed at an empty configuration."""
    import typst

    empty = tmp_path / "fonts.conf"
    empty.write_text("<?xml version='1.0'?><fontconfig></fontconfig>\n", encoding="utf-8")
    monkeypatch.setenv("FONTCONFIG_FILE", str(empty))
    source = tmp_path / "t.typ"
    source.write_text('#set text(font: "Tinos", lang: "vi")\nTiếng Việt *đậm* _nghiêng_ *_cả hai_*\n'
                      '#text(font: "DejaVu Sans")[Biểu đồ *đậm*]\n', encoding="utf-8")
    (tmp_path / "t.pdf").write_bytes(typst.compile(str(source), font_paths=pdf.font_paths(), ignore_system_fonts=True))
    fonts = subprocess.run(["pdffonts", str(tmp_path / "t.pdf")], capture_output=True, text=True, check=True).stdout
    embedded = {line.split()[0].partition("+")[2] for line in fonts.splitlines()[2:]}
    assert embedded == {"Tinos", "Tinos-Bold", "Tinos-Italic", "Tinos-BoldItalic", "DejaVuSans", "DejaVuSans-Bold"}


def test_a_missing_font_is_a_named_error(tmp_path, monkeypatch):
    monkeypatch.setattr(pdf, "FONTS", tmp_path / "nowhere")
    with pytest.raises(pdf.FontsMissing, match="thiếu phông chữ Tinos-Regular.ttf") as info:
        pdf.render_pdf(tmp_path)
    assert "pip install --force-reinstall chiso766" in str(info.value) and isinstance(info.value, InputError)


@pytest.mark.slow
def test_a_run_without_its_fonts_ends_in_one_line_not_a_traceback(tmp_path, monkeypatch, capfd):
    monkeypatch.setattr(pdf, "FONTS", tmp_path / "nowhere")
    assert main(["run", str(SMALL), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    stdout, stderr = capfd.readouterr()
    assert stdout == "" and stderr.count("\n") == 1 and stderr.startswith("Lỗi: ") and "Traceback" not in stderr
    assert "thiếu phông chữ Tinos-Regular.ttf" in stderr and str(tmp_path / "nowhere") in stderr
    assert not (tmp_path / "out").exists()


# numbers and dates by babel -------------------------------------------------------------------------


def _fmt_number_by_hand(value: object, places: int | None = None, *, trim: bool = True) -> str:
    """fmt_number as it was written before babel (commit 840622c), the reference for the same strings."""
    number = to_decimal(value)
    if number is None:
        return "—"
    if places is not None:
        number = round_half_up(number, places)
    if trim and number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    elif trim:
        number = number.normalize()
    sign = "-" if number < 0 else ""
    text = format(abs(number), "f")
    whole, _, frac = text.partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return sign + ".".join(groups) + ("," + frac if frac else "")


def _outcome(function, *args, **kwargs) -> str:
    try:
        return function(*args, **kwargs)
    except ArithmeticError as exc:  # a number beyond the default context fails both ways alike
        return type(exc).__name__


@given(
    st.one_of(
        # within the 28 significant digits of Python's default decimal context: beyond them the old
        # hand-written formatter itself lost digits (10**28 + 1 printed as 10**28, and
        # 127009993452437976762373346.67 with its last digit rounded), babel does not; with up to 6
        # places more (12221068137042838290431 at 6 places, 29 digits, came out with 5 zeros)
        st.decimals(allow_nan=False, allow_infinity=False).filter(
            lambda d: d.adjusted() < 21 and len(d.as_tuple().digits) <= 28
        ),
        st.decimals(min_value=-10**12, max_value=10**12, places=4, allow_nan=False),
        st.integers(min_value=-10**15, max_value=10**15),
        st.floats(min_value=-1e9, max_value=1e9, allow_nan=False),
    ),
    st.one_of(st.none(), st.integers(min_value=0, max_value=6)),
    st.booleans(),
)
def test_babel_writes_every_number_as_before(value, places, trim):
    assert _outcome(textvi.fmt_number, value, places, trim=trim) == _outcome(
        _fmt_number_by_hand, value, places, trim=trim)


@given(st.decimals(min_value=-1000, max_value=1000, places=6, allow_nan=False))
def test_percent_points_and_counts_as_before(value):
    assert textvi.fmt_points(value) == _fmt_number_by_hand(value, 2)
    assert textvi.fmt_count(value) == _fmt_number_by_hand(value, 0)
    rounded = round_half_up(value, 2)
    text = (_fmt_number_by_hand(rounded) if rounded == rounded.to_integral_value()
            else _fmt_number_by_hand(rounded, 2, trim=False))
    assert textvi.fmt_percent(value) == f"{text}%"


@given(st.dates(min_value=date(1000, 1, 1), max_value=date(9999, 12, 31)))
def test_babel_writes_every_date_as_before(day):
    assert textvi.fmt_date(day) == day.strftime("%d/%m/%Y")


def test_the_examples_of_the_old_strings():
    assert textvi.fmt_number(Decimal("84.63")) == "84,63" and textvi.fmt_number(50133) == "50.133"
    assert textvi.fmt_number(Decimal("-0.001"), 2) == "0" and textvi.fmt_number(Decimal("9.90"), 2, trim=False) == "9,90"
    assert textvi.fmt_number(Decimal("1.0"), trim=False) == "1,0" and textvi.fmt_number(Decimal("1.00"), trim=False) == "1,00"


# Retry-After, read by urllib3 -----------------------------------------------------------------------


# A past date is fixed, not "an hour ago": test ids must be the same in every pytest-xdist worker.
@pytest.mark.parametrize("header, seconds", [
    ("7", 7.0),
    (" 12 ", 12.0),
    ("100000", float(snap.MAX_RETRY_AFTER)),
    (format_datetime(datetime(2020, 1, 1, tzinfo=UTC), usegmt=True), 0.0),
    ("soon", None),
    ("", None),
    (None, None),
    ("9" * 5000, None),
], ids=["seconds", "spaces", "capped", "past-date", "word", "empty", "absent", "huge"])
def test_retry_after_is_read_by_urllib3_and_capped(header, seconds):
    assert snap._retry_after(header) == seconds


def test_retry_after_as_a_date_to_come():
    wait = snap._retry_after(format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True))
    assert wait is not None and 27 <= wait <= 30


def test_a_snapshot_tells_each_response_and_each_wait(tmp_path, monkeypatch):
    from tests.test_safety_snapshot import ROOT_ID, Portal, respond

    monkeypatch.delenv(snap.TOKEN_ENV, raising=False)
    portal = Portal()
    try:
        portal.script = {"transparency": [respond(503, b"", Retry_After="3")]}
        lines: list[str] = []
        sleeps: list[float] = []
        snap.snapshot(ROOT_ID, "2026-08", tmp_path, name="phu-tho", base_url=portal.url, timeout=5, retries=1,
                      backoff=0.01, progress=lines.append, sleep=sleeps.append)
    finally:
        portal.close()
    assert sleeps == [3.0]
    assert lines[0] == "transparency: HTTP 503 Service Unavailable; thử lại sau 3,0 s (lần 2/2)"
    assert [line.split(" (")[0] for line in lines[1:]] == [f"đã lấy {e}.json" for e in snap.ENDPOINTS]
    assert all(re.search(r"\(HTTP 20\d, [\d.]+ byte, \d+,\d s\)$", line) for line in lines[1:])


# the conda environment ------------------------------------------------------------------------------

# conda-forge's names of packages that PyPI names otherwise (the -base packages leave out optional extras)
CONDA_NAMES = {"python-duckdb": "duckdb", "python-tzdata": "tzdata", "matplotlib-base": "matplotlib",
               "seaborn-base": "seaborn", "nbconvert-core": "nbconvert"}


def _key(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_the_conda_environment_pins_what_requirements_lock_pins():
    locked = {}
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.strip().split("==")
            locked[_key(name)] = version
    listed: list[tuple[str, str, str]] = []  # (name, version, where)
    environment = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert environment["channels"] == ["conda-forge"]
    for entry in environment["dependencies"]:
        if isinstance(entry, dict):
            for line in entry["pip"]:
                if line != "-e .":
                    name, version = line.split("==")
                    listed.append((_key(name), version, "pip"))
        elif entry not in ("pip", "python=3.11"):
            name, version = entry.split("=")
            listed.append((CONDA_NAMES.get(name, _key(name)), version, "conda"))
    names = [name for name, _, _ in listed]
    assert sorted({n for n in names if names.count(n) > 1}) == [], "listed twice in environment.yml"
    assert sorted(set(locked) - set(names)) == [], "pinned in requirements.lock, missing from environment.yml"
    assert sorted(set(names) - set(locked)) == [], "in environment.yml, not pinned in requirements.lock"
    assert [(n, v, w) for n, v, w in listed if locked[n] != v] == [], "another version than requirements.lock"
    assert not any(line.startswith("-r") for e in environment["dependencies"] if isinstance(e, dict) for line in e["pip"])


def test_the_command_leaves_at_once_after_its_exit_handlers_and_with_its_output(tmp_path):
    """``chiso766`` skips the interpreter's teardown (a fifth of a second), not what the exit owes:
    the exit handlers run, everything printed arrives, and the status is main's."""
    import sys

    mark = tmp_path / "handler-ran"
    code = (
        "import atexit, sys; from chiso766.cli import entry;"
        f"atexit.register(lambda: open({str(mark)!r}, 'w').write('x'));"
        "sys.argv = ['chiso766'] + sys.argv[1:]; entry()"
    )
    done = subprocess.run([sys.executable, "-c", code, "--version"], capture_output=True, text=True)
    assert done.returncode == 0 and __version__ in done.stdout and mark.is_file()
    mark.unlink()
    done = subprocess.run([sys.executable, "-c", code, "run", str(tmp_path / "none.yaml")], capture_output=True, text=True)
    assert done.returncode == 2 and done.stderr.startswith("Lỗi: ") and mark.is_file()


@pytest.mark.slow
def test_a_run_tells_its_warnings_on_the_terminal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown province was said only in the page's notes (or nowhere, for a weekly notice): the
    analyst hears of it as the run ends, and warnings.csv lists it; --quiet says nothing more."""
    params = Path(__file__).resolve().parents[1] / "params" / "weekly_tthc" / "2025-09-12_2025-09-18.yaml"
    assert main(["run", str(params), "-p", "province=Hai Phong", "--out", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    assert "1 cảnh báo về dữ liệu vào" in err and "«Hai Phong» không có trong danh sách 34 tỉnh" in err
    assert "  - 2025-09-12_2025-09-18.yaml: tỉnh, thành phố «Hai Phong»" in err
    warnings = (tmp_path / "out" / "tables" / "warnings.csv").read_text(encoding="utf-8-sig")
    # the file by its name: the table is the same wherever the project lies, and names no one's folders
    assert "Hai Phong" in warnings and ",2025-09-12_2025-09-18.yaml," in warnings and str(params.parent) not in warnings
    # the manifest names the inputs from the project folder it records (verify starts there)
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["project_root"] == str(params.parents[2])
    assert manifest["input_paths"]["dossiers"] == "data/generated/hai-phong-002/dossiers.csv"
    assert {i["path"] for i in manifest["inputs"]} >= {"data/generated/hai-phong-002/units.csv"}
    assert main(["run", str(params), "-p", "province=Hai Phong", "--out", str(tmp_path / "q"), "-q"]) == 0
    assert "cảnh báo" not in capsys.readouterr().err
