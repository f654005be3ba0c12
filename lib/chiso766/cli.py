"""The ``chiso766`` command: a thin shell over the library."""

from __future__ import annotations

import argparse
import atexit
import contextlib
import errno
import functools
import os
import re
import signal
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, NoReturn, TextIO

from chiso766 import __version__
from chiso766.core.errors import FILE_ERRNOS, InputError, clean, os_error

# Each command imports what it runs, when it runs: ``chiso766 --help`` and ``--version`` load no
# pandas, DuckDB, pydantic or papermill (issue 15: help in under 0,15 s).
__all__ = ["main"]


def _cmd_score(args: argparse.Namespace) -> int:
    from chiso766.compute.pipeline import build_previous, build_scorecard, score_tables
    from chiso766.core.files import is_within
    from chiso766.core.params import load_params
    from chiso766.publish.runner import output_dir, write_score_tables
    from chiso766.render.tables import csv_files

    params = load_params(args.params, args.p)
    card = build_scorecard(params)
    previous = build_previous(params)
    out = output_dir(params, args.out)
    tables = (out / "tables").resolve()
    for source in (params.path, *params.inputs.values()):
        if source is not None and (is_within(source.resolve(), tables) or is_within(tables, source.resolve())):
            raise InputError(f"--out ghi đè dữ liệu vào của chính lần tính này ({source}): chọn thư mục khác", out)
    written = write_score_tables(params, csv_files(score_tables(card, previous)), out)
    if not written:
        print(f"bảng tính lại giống hệt bảng của bản tin trong {tables}: không ghi lại")
    units = card.units
    scored = units["total"].notna().sum()
    print(f"{len(units)} đơn vị, {scored} có tổng điểm; phiên bản quy tắc {card.method.version}")
    if not card.components.empty:
        compared = card.components[card.components["portal_points"].notna()]
        same = (compared["portal_points"] == compared["points"]).sum()
        print(
            f"chỉ số thành phần khớp với Cổng: {same}/{len(compared)}; "
            f"khác biệt: {len(card.differences)} dòng (tables/differences.csv)"
        )
    for warning in card.diagnostics.items:
        print(clean(f"cảnh báo [{warning.kind}] {warning.message}"), file=sys.stderr)
    for path in written:
        print(path)
    return 0


def _seconds(seconds: float) -> str:
    """``7,9 s``: a duration the way the rest of the output writes numbers."""
    from chiso766.core.textvi import fmt_number

    return f"{fmt_number(Decimal(f'{seconds:.1f}'), trim=False)} s"


class _Steps:
    """The steps of a run on stderr, one line each with its time. On a terminal a step shows as it
    starts (its time is added when it ends); elsewhere (a log, a pipe) each line is written whole."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._live = _isatty(stream)
        self._open = False

    def __call__(self, step: str, seconds: float | None) -> None:
        if seconds is None:
            if self._live:
                self._write(f"  {step}… ")
                self._open = True
            return
        self._write(f"{_seconds(seconds)}\n" if self._open else f"  {step}… {_seconds(seconds)}\n")
        self._open = False

    def close(self) -> None:
        """End the line of a step that failed, so the error that follows starts a line of its own."""
        if self._open:
            self._write("\n")
            self._open = False

    def _write(self, text: str) -> None:
        self._stream.write(text)
        self._stream.flush()


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (ValueError, OSError):  # closed or detached
        return False


def _cmd_run(args: argparse.Namespace) -> int:
    if args.out and len(args.params) > 1:
        print("Lỗi: --out chỉ dùng với một tệp tham số", file=sys.stderr)
        return 2
    if len(args.params) == 1 and not args.if_changed:
        # The kernel's start and imports are a run's longest wait: begun now, they overlap the loading
        # of the runner and of the params (a bulletin --if-changed may keep needs no kernel).
        from chiso766.publish import kernel

        kernel.keep(boot=True)
    from chiso766.publish.runner import run_many

    # The steps of a single run; several runs print one line each, as each ends.
    steps = _Steps(sys.stderr) if len(args.params) == 1 and not args.quiet else None
    status = 0
    try:
        jobs = args.jobs or os.cpu_count() or 1
        for outcome in run_many(args.params, args.p, args.out, args.if_changed, steps, jobs):
            if steps is not None:
                steps.close()
            if outcome.out is None:
                print(clean(f"Lỗi: {outcome.error}"), file=sys.stderr, flush=True)
                status = 2
            else:
                detail = "không đổi, bỏ qua" if outcome.skipped else _seconds(outcome.seconds)
                print(f"{outcome.out}  ({detail})", flush=True)
                if not outcome.skipped and not args.quiet:
                    _say_warnings(outcome.out / "tables" / "warnings.csv")
    finally:
        if steps is not None:
            steps.close()
    return status


def _say_warnings(path: Path, shown: int = 3) -> None:
    """What the run warned about (rows set aside, unknown units, a portal file missing): the bulletin
    states it, and the analyst who ran it hears of it here too, with its file, before anyone signs."""
    import csv

    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            messages = [
                f"{row['file']}: {row.get('message') or ''}" if row.get("file") else row.get("message") or ""
                for row in csv.DictReader(handle)
            ]
    except OSError:  # a report kind with no warnings table
        return
    if messages:
        print(f"  {len(messages)} cảnh báo về dữ liệu vào (xem {path}):", file=sys.stderr)
        for message in messages[:shown]:
            print(clean(f"  - {message}"), file=sys.stderr)
        if len(messages) > shown:
            print(f"  - … và {len(messages) - shown} cảnh báo khác", file=sys.stderr)
    sys.stderr.flush()


def _cmd_synth(args: argparse.Namespace) -> int:
    from chiso766.samples.synthetic import write_samples

    if args.rows <= 0:
        print(f"Lỗi: --rows phải là số nguyên dương (nhận {args.rows})", file=sys.stderr)
        return 2
    if args.provinces is not None and (args.kind != "national" or args.provinces <= 0):
        print("Lỗi: --provinces chỉ dùng với national và phải là số nguyên dương", file=sys.stderr)
        return 2
    if args.kind == "portal-match" and not args.params:
        print("Lỗi: portal-match cần --params: tệp tham số có inputs.portal", file=sys.stderr)
        return 2
    written = write_samples(
        args.kind,
        Path(args.out),
        seed=args.seed,
        params_path=args.params,
        rows=args.rows,
        fmt=args.format,
        provinces=args.provinces or 3,
    )
    for path, count in written:
        print(f"{path} ({count} dòng)")
    return 0


def _cmd_snapshot(args: argparse.Namespace) -> int:
    from chiso766.ingest.snapshot import snapshot

    folder = snapshot(
        args.root_department_id,
        args.period,
        args.out,
        name=args.name,
        base_url=args.base_url,
        timeout=args.timeout,
        retries=args.retries,
        national=not args.no_national,
        procedures=args.procedures,
        procedure_codes=args.procedure,
        dossiers=args.dossiers,
        warn=lambda warning: print(clean(f"cảnh báo: {warning}"), file=sys.stderr),
        progress=None if args.quiet else lambda line: print(clean(f"  {line}"), file=sys.stderr, flush=True),
        **({} if args.max_bytes is None else {"max_bytes": args.max_bytes}),
    )
    print(folder)
    return 0


def _cmd_publish(args: argparse.Namespace) -> int:
    # Loaded here, not with the module: the site's templates load nbformat, whose schema checker
    # takes seconds to import, and every other command (--help, --version) would wait for it.
    from chiso766.publish import site

    result = site.publish(args.outputs, args.site, args.reason, withdraw=args.withdraw, republish=args.republish)
    for warning in result.warnings:
        print(clean(f"cảnh báo: {warning}"), file=sys.stderr)
    print(
        clean(
            f"{result.site}: {result.bulletins} bản tin"
            + (f"; công bố lại: {', '.join(result.revised)}" if result.revised else "")
            + (f"; giữ bản đã công bố (không còn thư mục kết quả): {', '.join(result.kept)}" if result.kept else "")
            + (f"; đã rút: {', '.join(result.withdrawn)}" if result.withdrawn else "")
        )
    )
    return 0


def _cmd_verify(args: argparse.Namespace) -> int:
    from chiso766.publish import audit

    result = audit.verify(args.output_dir)
    for line in result.lines():
        print(clean(line))
    return 0 if result.ok else 1


def _cmd_plan(args: argparse.Namespace) -> int:
    from chiso766.publish import audit

    for line in audit.plan(args.unit, args.output_dir):
        print(clean(line))
    return 0


def _cmd_explain(args: argparse.Namespace) -> int:
    from chiso766.publish import audit

    for line in audit.explain(args.unit, args.output_dir):
        print(clean(line))
    return 0


# argparse's own texts (usage, group titles, -h, its error messages), in Vietnamese: argparse asks
# gettext for each of them through its module's ``_`` and ``ngettext``, which _Parser points here
# while it builds, formats and parses. The keys are the messages of Python 3.11 to 3.13; an unknown
# one is shown as argparse wrote it (tests/test_quiet_cli.py checks that none is missing).
_ARGPARSE_VI = {
    "usage: ": "cách dùng: ",
    "positional arguments": "đối số",
    "options": "tùy chọn",
    "subcommands": "lệnh",
    "%(heading)s:": "%(heading)s:",
    "show this help message and exit": "in trợ giúp này rồi thoát",
    "show program's version number and exit": "in số phiên bản rồi thoát",
    " (default: %(default)s)": " (mặc định: %(default)s)",
    "%(prog)s: error: %(message)s\n": "%(prog)s: lỗi: %(message)s\n",
    "%(prog)s: warning: %(message)s\n": "%(prog)s: cảnh báo: %(message)s\n",
    "argument %(argument_name)s: %(message)s": "đối số %(argument_name)s: %(message)s",
    "the following arguments are required: %s": "thiếu đối số bắt buộc: %s",
    "one of the arguments %s is required": "cần một trong các đối số %s",
    "unrecognized arguments: %s": "không hiểu đối số: %s",
    "ambiguous option: %(option)s could match %(matches)s": "tùy chọn %(option)s chưa rõ: có thể là %(matches)s",
    "invalid choice: %(value)r (choose from %(choices)s)": "%(value)r không hợp lệ (chọn một trong: %(choices)s)",
    "invalid %(type)s value: %(value)r": "%(value)r không phải giá trị %(type)s hợp lệ",
    "expected one argument": "cần một giá trị",
    "expected at most one argument": "cần nhiều nhất một giá trị",
    "expected at least one argument": "cần ít nhất một giá trị",
    "expected %s argument": "cần %s giá trị",
    "expected %s arguments": "cần %s giá trị",
    "not allowed with argument %s": "không dùng cùng đối số %s",
    "ignored explicit argument %r": "đối số %r không dùng được ở đây",
    "unexpected option string: %s": "tùy chọn không mong đợi: %s",
    "unknown parser %(parser_name)r (choices: %(choices)s)": (
        "không có lệnh %(parser_name)r (chọn một trong: %(choices)s)"
    ),
    "can't open '%(filename)s': %(error)s": "không mở được «%(filename)s»: %(error)s",
    "command '%(parser_name)s' is deprecated": "lệnh «%(parser_name)s» đã cũ",
    "option '%(option)s' is deprecated": "tùy chọn «%(option)s» đã cũ",
    "argument '%(argument_name)s' is deprecated": "đối số «%(argument_name)s» đã cũ",
    'argument "-" with mode %r': 'đối số "-" với chế độ %r',
    # mistakes in the definition of the parser itself, never in what a user types
    "conflicting option string: %s": "chuỗi tùy chọn trùng: %s",
    "conflicting option strings: %s": "các chuỗi tùy chọn trùng: %s",
    "conflicting subparser: %s": "lệnh trùng: %s",
    "conflicting subparser alias: %s": "tên khác của lệnh trùng: %s",
    "cannot have multiple subparser arguments": "chỉ được một nhóm lệnh",
    "cannot merge actions - two groups are named %r": "không gộp được: hai nhóm cùng tên %r",
    "invalid conflict_resolution value: %r": "giá trị conflict_resolution không hợp lệ: %r",
    "invalid option string %(option)r: must start with a character %(prefix_chars)r": (
        "chuỗi tùy chọn %(option)r không hợp lệ: phải bắt đầu bằng ký tự %(prefix_chars)r"
    ),
    "dest= is required for options like %r": "tùy chọn như %r cần dest=",
    "'required' is an invalid argument for positionals": "'required' không dùng cho đối số vị trí",
    "mutually exclusive arguments must be optional": "các đối số loại trừ nhau phải là tùy chọn",
    "%r is not callable": "%r không gọi được",
    ".__call__() not defined": ".__call__() chưa được định nghĩa",
}


def _gettext(message: str) -> str:
    return _ARGPARSE_VI.get(message, message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    return _gettext(singular if n == 1 else plural)


@contextlib.contextmanager
def _vietnamese() -> Iterator[None]:
    """argparse's texts in Vietnamese for the duration (see :data:`_ARGPARSE_VI`)."""
    names = vars(argparse)
    saved = names["_"], names["ngettext"]
    names["_"], names["ngettext"] = _gettext, _ngettext
    try:
        yield
    finally:
        names["_"], names["ngettext"] = saved


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"«{text}» không phải số nguyên") from None


def _positive(text: str) -> int:
    value = _integer(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"«{text}» phải là số nguyên dương")
    return value


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"«{text}» không phải số") from None


class _Parser(argparse.ArgumentParser):
    """Every command and subcommand: texts in Vietnamese, a global ``--debug``, and usage errors as one
    line ``Lỗi: …``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        with _vietnamese():
            super().__init__(*args, **kwargs)
        self.add_argument(
            "--debug",
            action="store_true",
            default=argparse.SUPPRESS,
            help="khi có lỗi, in toàn bộ traceback thay vì một dòng",
        )

    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> argparse.Namespace:
        with _vietnamese():  # it words "unrecognized arguments" itself
            return super().parse_args(args, namespace)

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        with _vietnamese():
            return super().parse_known_args(args, namespace)

    def format_usage(self) -> str:
        with _vietnamese():
            return super().format_usage()

    def format_help(self) -> str:
        with _vietnamese():
            return super().format_help()

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"Lỗi: {clean(message)} (xem: {self.prog} --help)\n")


_TABLE_FILE = "TỆP_THAM_SỐ"
_OUTPUT_FOLDER = "THƯ_MỤC_KẾT_QUẢ"
_UNIT = "ĐƠN_VỊ"


def _command(
    sub: argparse._SubParsersAction[_Parser], name: str, summary: str, func: Callable[[argparse.Namespace], int]
) -> _Parser:
    command = sub.add_parser(name, help=summary, description=summary[:1].upper() + summary[1:] + ".")
    command.set_defaults(func=func)
    return command


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="chiso766",
        description="Bản tin Bộ chỉ số 766, tái lập được: tính điểm, chạy sổ tính toán, dựng HTML và PDF, "
        "lấy ảnh chụp Cổng, công bố.",
        epilog="Trợ giúp của từng lệnh: chiso766 LỆNH --help",
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__}", help="in số phiên bản rồi thoát"
    )
    sub = parser.add_subparsers(dest="command", required=True, title="lệnh", metavar="LỆNH")

    score = _command(sub, "score", "tính lại điểm và ghi các bảng tables/*.csv", _cmd_score)
    score.add_argument("params", metavar=_TABLE_FILE, help="tệp tham số YAML")
    score.add_argument(
        "-p", action="append", default=[], metavar="KHÓA=GIÁ_TRỊ", help="ghi đè một tham số (lặp lại được)"
    )
    score.add_argument("--out", metavar="THƯ_MỤC", help="thư mục kết quả (mặc định outputs/<report>/<kỳ>)")

    run = _command(sub, "run", "chạy sổ tính toán và ghi bản tin HTML, PDF, bảng, manifest", _cmd_run)
    run.add_argument("params", nargs="+", metavar=_TABLE_FILE, help="một hoặc nhiều tệp tham số YAML")
    run.add_argument(
        "-p", action="append", default=[], metavar="KHÓA=GIÁ_TRỊ", help="ghi đè một tham số (lặp lại được)"
    )
    run.add_argument(
        "--out", metavar="THƯ_MỤC", help="thư mục kết quả (mặc định outputs/<report>/<kỳ>; chỉ với một tệp tham số)"
    )
    run.add_argument(
        "--if-changed", action="store_true", help="bỏ qua bản tin đã tạo từ cùng tham số, dữ liệu và mã nguồn"
    )
    run.add_argument(
        "-q", "--quiet", action="store_true", help="không in các bước và thời gian của chúng, chỉ in kết quả và lỗi"
    )
    run.add_argument(
        "-j",
        "--jobs",
        type=_positive,
        default=0,
        metavar="N",
        help="số bản tin chạy cùng lúc khi có nhiều tệp tham số (mặc định: số nhân CPU)",
    )

    snap = _command(
        sub,
        "snapshot",
        "lấy các phản hồi đánh giá của Cổng cho một tỉnh và một kỳ (sáu nhóm, bảng cả nước, theo thủ tục), "
        "lưu nguyên văn",
        _cmd_snapshot,
    )
    snap.add_argument("--root-department-id", required=True, metavar="MÃ", help="departmentId của UBND tỉnh trên Cổng")
    snap.add_argument("--period", required=True, metavar="KỲ", help="2026-08, 2026-Q3 hoặc 2026")
    snap.add_argument(
        "--out", default="data/snapshots", metavar="THƯ_MỤC", help="thư mục chứa các ảnh chụp (mặc định data/snapshots)"
    )
    snap.add_argument("--name", default="", metavar="TÊN", help="tên ngắn của tỉnh trong tên thư mục, ví dụ phu-tho")
    snap.add_argument(
        "--base-url",
        default="https://dichvucong.gov.vn",
        metavar="URL",
        help="http(s)://máy[:cổng] của Cổng (mặc định https://dichvucong.gov.vn); không ghi mật khẩu vào đây",
    )
    snap.add_argument(
        "--timeout",
        type=_number,
        default=30,
        metavar="GIÂY",
        help="số giây tối đa cho cả một yêu cầu, kể cả chuyển hướng (mặc định 30)",
    )
    snap.add_argument(
        "--retries",
        type=_integer,
        default=3,
        metavar="SỐ_LẦN",
        help="số lần thử lại khi lỗi tạm thời (0–10, mặc định 3)",
    )
    snap.add_argument(
        "--max-bytes",
        type=_integer,
        default=None,
        metavar="BYTE",
        help="kích thước tối đa của một phản hồi (mặc định 50 MB)",
    )
    snap.add_argument(
        "--no-national",
        action="store_true",
        help="không lấy bảng đánh giá cả nước (service-results), cho Cổng không có điểm cuối này",
    )
    snap.add_argument(
        "--procedures",
        type=_integer,
        default=0,
        metavar="N",
        help="lấy thêm năm nhóm lọc theo N thủ tục hành chính có nhiều hồ sơ nhất (cần --dossiers hoặc --procedure)",
    )
    snap.add_argument(
        "--dossiers", metavar="TỆP", help="tệp hồ sơ của tỉnh (CSV, XLSX, Parquet) để đếm số hồ sơ theo mã thủ tục"
    )
    snap.add_argument(
        "--procedure",
        action="append",
        default=[],
        metavar="MÃ",
        help="mã thủ tục hành chính cần lấy, ví dụ 2.000815 (lặp lại được; cùng --dossiers: xếp theo số hồ sơ)",
    )
    snap.add_argument(
        "-q", "--quiet", action="store_true", help="không in từng phản hồi đã lấy, chỉ in thư mục ảnh chụp và lỗi"
    )

    publish = _command(sub, "publish", "dựng trang tĩnh cho Cổng thông tin từ các thư mục kết quả", _cmd_publish)
    publish.add_argument("--site", default="site", metavar="THƯ_MỤC", help="thư mục trang (mặc định site/)")
    publish.add_argument("--outputs", default="outputs", metavar="THƯ_MỤC", help="thư mục kết quả (mặc định outputs/)")
    publish.add_argument(
        "--reason",
        metavar="LÝ_DO",
        help="lý do công bố lại khi số liệu của một bản tin đã thay đổi, hoặc lý do rút",
    )
    publish.add_argument(
        "--withdraw",
        action="append",
        default=[],
        metavar="LOẠI/KỲ",
        help="rút một bản tin đã công bố khỏi trang, ví dụ bulletin_766/2025 (cần --reason, ghi vào nhật ký)",
    )
    publish.add_argument(
        "--republish",
        action="append",
        default=[],
        metavar="LOẠI/KỲ",
        help="công bố lại một bản tin đã rút, từ thư mục kết quả của nó (cần --reason)",
    )

    verify = _command(sub, "verify", "chạy lại từ manifest.json và so sánh từng tệp kết quả", _cmd_verify)
    verify.add_argument(
        "output_dir", metavar=_OUTPUT_FOLDER, help="thư mục kết quả của một lần chạy (có manifest.json)"
    )

    explain = _command(sub, "explain", "truy vết điểm của một đơn vị trong một thư mục kết quả", _cmd_explain)
    explain.add_argument("unit", metavar=_UNIT, help="tên hoặc mã đơn vị")
    explain.add_argument("output_dir", metavar=_OUTPUT_FOLDER, help="thư mục kết quả của một bản tin")

    plan = _command(
        sub,
        "plan",
        "kế hoạch lấy lại điểm của một đơn vị: việc cần làm, số hồ sơ cần đạt, điểm lấy lại được",
        _cmd_plan,
    )
    plan.add_argument("unit", metavar=_UNIT, help="tên hoặc mã đơn vị")
    plan.add_argument(
        "output_dir", metavar=_OUTPUT_FOLDER, help="thư mục kết quả của một bản tin bulletin_766 tính từ ảnh chụp Cổng"
    )

    synth = _command(sub, "synth", "tạo dữ liệu hồ sơ tổng hợp (có hạt giống, tái lập được)", _cmd_synth)
    synth.add_argument(
        "kind",
        choices=["reference-002", "province", "portal-match", "national"],
        metavar="LOẠI",
        help="reference-002: tuần của thông báo tham chiếu 002; province: dữ liệu quy mô tỉnh; "
        "portal-match: hồ sơ khớp số liệu Cổng của --params, có vài sai lệch có chủ đích; "
        "national: hồ sơ nhiều tỉnh, Parquet phân vùng theo tỉnh và tháng, kèm units.csv",
    )
    synth.add_argument("--params", metavar=_TABLE_FILE, help="tệp tham số có inputs.portal (portal-match)")
    synth.add_argument("--out", required=True, metavar="THƯ_MỤC", help="thư mục ghi dữ liệu")
    synth.add_argument(
        "--rows",
        type=_integer,
        default=1_000_000,
        metavar="SỐ",
        help="số hồ sơ (province, national; mặc định 1.000.000)",
    )
    synth.add_argument("--provinces", type=_integer, metavar="SỐ", help="số tỉnh (national; mặc định 3)")
    synth.add_argument(
        "--seed",
        type=_integer,
        default=766,
        metavar="SỐ",
        help="hạt giống ngẫu nhiên: cùng hạt giống, cùng dữ liệu (mặc định 766)",
    )
    synth.add_argument("--format", choices=["csv", "parquet"], default="csv", help="định dạng tệp hồ sơ (mặc định csv)")
    return parser


def _check_argv(argv: list[str]) -> None:
    """Refuse an argument that is not UTF-8 (bytes Python kept as lone surrogates): it would reach the
    params, the manifest and every message."""
    for index, arg in enumerate(argv):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError as exc:
            option = f" (giá trị của {argv[index - 1]})" if index and argv[index - 1].startswith("-") else ""
            code = ord(arg[exc.start])
            byte = f"byte 0x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"ký tự U+{code:04X}"
            raise InputError(
                f"đối số dòng lệnh «{clean(arg)}»{option} không phải văn bản UTF-8 hợp lệ ({byte}); "
                "hãy gõ lại bằng bảng mã UTF-8"
            ) from None


_PATH_LOCALS = ("path", "tmp", "target", "dst", "dest", "filename", "file", "staging", "final", "folder", "out")


def _failed_path(exc: OSError, args: argparse.Namespace | None) -> str | None:
    """The file an :class:`OSError` is about. A failed ``write`` on an open file carries no name: then
    the innermost frame's path variable, else the folder the command writes to."""
    if exc.filename is not None:
        return None  # os_error takes it from the exception
    tb = exc.__traceback__
    frames = []
    while tb is not None:
        frames.append(tb.tb_frame)
        tb = tb.tb_next
    for frame in reversed(frames):
        for name in _PATH_LOCALS:
            value = frame.f_locals.get(name)
            if isinstance(value, (str, os.PathLike)) and str(value):
                return os.fspath(value) if isinstance(value, os.PathLike) else value
    for name in ("out", "site", "output_dir"):
        value = getattr(args, name, None)
        if isinstance(value, str) and value:
            return value
    return None


_USERINFO = re.compile(r"(?<=://)[^/@\s]+@")


def _write_log(exc: BaseException, argv: list[str]) -> Path | None:
    """The details of an unanticipated failure in a private file of the temp folder; ``None`` if even
    that cannot be written."""
    try:
        fd, name = tempfile.mkstemp(prefix="chiso766-loi-", suffix=".log")  # 0600: tracebacks hold paths
        with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as handle:
            handle.write(f"chiso766 {datetime.now().isoformat(timespec='seconds')}\n")
            handle.write("lệnh: " + _USERINFO.sub("***@", " ".join(argv)) + "\n\n")
            handle.write(_USERINFO.sub("***@", "".join(traceback.format_exception(exc))))
        return Path(name)
    except OSError:
        return None


def _say(line: str) -> None:
    """One line on stderr: cleaned, and cut in its middle when a value quoted in it is huge (a 5001-digit
    count, a 1 MB cell) so that the place at its start and the reason at its end both show."""
    line = clean(line)
    if len(line) > _LONGEST:
        line = f"{line[: _LONGEST - 300]} …[{len(line) - _LONGEST} ký tự đã lược]… {line[-300:]}"
    print(line, file=sys.stderr)


_LONGEST = 1500


class Terminated(KeyboardInterrupt):
    """SIGTERM (``kill``, a service manager stopping the job, a time limit): the command stops as on
    Ctrl+C (a run's half-written folder removed, its kernels ended) instead of dying where it stands."""


def _terminated(_signal: int, _frame: object) -> None:
    raise Terminated


def _sent_again(previous: Callable[[Any], object], unraisable: Any) -> None:
    """The unraisable hook while a command works. A SIGTERM or a Ctrl+C that came as Python ran a
    finalizer (an object of the notebook client freed mid-run) is raised inside it, where Python only
    prints what is raised, and the work would go on to the end: the signal is sent again instead,
    from a thread, to be raised in the command's own code (or met in a finalizer again, and sent
    again). The thread waits a moment first, so that it is not raised in this hook, whose errors
    Python only prints too. Anything else goes to the hook there was."""
    stop = unraisable.exc_value
    if isinstance(stop, KeyboardInterrupt):
        import threading

        number = signal.SIGTERM if isinstance(stop, Terminated) else signal.SIGINT
        again = threading.Timer(_AGAIN_SECONDS, os.kill, args=(os.getpid(), number))
        again.daemon = True
        again.start()
    else:
        previous(unraisable)


_AGAIN_SECONDS = 0.02


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command. Exit 0 on success, 1 when ``verify`` finds a difference, 2 for a named error
    (bad input, a file or disk problem: one line ``Lỗi: …``), 3 for an unanticipated failure (one line
    and the file holding its details; ``--debug`` prints the traceback instead), 130 on Ctrl+C, 143
    on SIGTERM (:class:`Terminated`, from :func:`entry`)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    for stream in (sys.stdout, sys.stderr):  # a terminal that cannot show Vietnamese must not crash
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors="backslashreplace")
    debug = "--debug" in argv
    args: argparse.Namespace | None = None
    try:
        _check_argv(argv)
        try:
            args = build_parser().parse_args(argv)
        except SystemExit as exc:  # --help (0), or a usage error already told in one line (2)
            return exc.code if isinstance(exc.code, int) else 2
        debug = bool(getattr(args, "debug", False))
        return int(args.func(args))
    except Terminated:
        _say("Lỗi: đã dừng theo tín hiệu dừng (SIGTERM)")
        return 128 + signal.SIGTERM
    except KeyboardInterrupt:
        _say("Lỗi: đã dừng theo yêu cầu (Ctrl+C)")
        return 130
    except InputError as exc:
        if debug:
            traceback.print_exc()
        _say(f"Lỗi: {exc}")
        return 2
    except OSError as exc:
        if exc.errno == errno.EPIPE:  # the reader of our output went away (``| head``): nothing to say
            with contextlib.suppress(ValueError, OSError):  # so the flush at exit does not fail again
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 1
        if exc.errno not in FILE_ERRNOS or isinstance(exc, ConnectionError):  # network and others: a surprise
            return _unanticipated(exc, argv, args, debug)
        if debug:
            traceback.print_exc()
        _say(f"Lỗi: {os_error(exc, _failed_path(exc, args))}")
        return 2
    except Exception as exc:
        return _unanticipated(exc, argv, args, debug)


def _unanticipated(exc: BaseException, argv: list[str], args: argparse.Namespace | None, debug: bool) -> int:
    command = f"chiso766 {getattr(args, 'command', None) or ''}".strip()
    if debug:
        traceback.print_exc()
        _say(f"Lỗi không lường trước ({type(exc).__name__}) khi chạy «{command}»")
        return 3
    log = _write_log(exc, argv)
    where = f"chi tiết đã ghi vào {log}" if log else "không ghi được tệp chi tiết"
    _say(
        f"Lỗi không lường trước ({type(exc).__name__}) khi chạy «{command}»; {where}; "
        "chạy lại với --debug để xem toàn bộ"
    )
    return 3


def entry() -> NoReturn:
    """The ``chiso766`` command: :func:`main`, then out at once. Tearing the interpreter down (every
    module and object of a run freed one by one) takes a fifth of a second once the work is done and
    changes nothing; the exit handlers run first (a kept kernel stopped, Spark's scratch folder
    removed), and the output is flushed. SIGTERM stops the command as Ctrl+C does while it works,
    and as the system's default once it is done."""
    signal.signal(signal.SIGTERM, _terminated)
    sys.unraisablehook = functools.partial(_sent_again, sys.unraisablehook)
    status = main()
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(ValueError, OSError):  # closed, or its reader gone (``| head``)
            stream.flush()
    atexit._run_exitfuncs()
    os._exit(status)


if __name__ == "__main__":
    entry()
