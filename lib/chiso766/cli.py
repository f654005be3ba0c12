"""The ``chiso766`` command: a thin shell over the library."""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
import re
import sys
import tempfile
import traceback
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import NoReturn

from chiso766.compute.pipeline import build_previous, build_scorecard, score_tables
from chiso766.core.errors import FILE_ERRNOS, InputError, clean, os_error
from chiso766.core.files import is_within
from chiso766.core.params import Params, load_params, project_root
from chiso766.ingest.snapshot import snapshot
from chiso766.publish import audit, site
from chiso766.publish.runner import run_many
from chiso766.render.tables import write_tables
from chiso766.samples.synthetic import national_dossiers, write_partitioned, write_samples

__all__ = ["main"]


def _out_dir(params: Params, out: str | None) -> Path:
    if out:
        return Path(out)
    root = project_root(params.path) if params.path else Path.cwd()
    return root / "outputs" / params.report / params.period.slug


def _cmd_score(args: argparse.Namespace) -> int:
    params = load_params(args.params, args.p)
    card = build_scorecard(params)
    previous = build_previous(params)
    out = _out_dir(params, args.out)
    tables = (out / "tables").resolve()
    for source in (params.path, *params.inputs.values()):
        if source is not None and (is_within(source.resolve(), tables) or is_within(tables, source.resolve())):
            raise InputError(f"--out ghi đè dữ liệu vào của chính lần tính này ({source}): chọn thư mục khác", out)
    written = write_tables(score_tables(card, previous), out / "tables")
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


def _cmd_run(args: argparse.Namespace) -> int:
    if args.out and len(args.params) > 1:
        print("Lỗi: --out chỉ dùng với một tệp tham số", file=sys.stderr)
        return 2
    status = 0
    for _path, out, detail in run_many(args.params, args.p, args.out, args.if_changed):
        if out is None:
            print(f"Lỗi: {detail}", file=sys.stderr)
            status = 2
        else:
            print(f"{out}  ({detail})")
    return status


def _cmd_synth(args: argparse.Namespace) -> int:
    if args.rows <= 0:
        print(f"Lỗi: --rows phải là số nguyên dương (nhận {args.rows})", file=sys.stderr)
        return 2
    if args.provinces is not None and (args.kind != "national" or args.provinces <= 0):
        print("Lỗi: --provinces chỉ dùng với national và phải là số nguyên dương", file=sys.stderr)
        return 2
    if args.kind == "portal-match" and not args.params:
        print("Lỗi: portal-match cần --params: tệp tham số có inputs.portal", file=sys.stderr)
        return 2
    out = Path(args.out)
    if args.kind == "national":
        # Parquet partitioned by province and month (province=T01/month=2026-01/…) plus units.csv:
        # the layout benchmarks/bench_spark.py and tests/test_spark.py read.
        registry, dossiers = national_dossiers(args.rows, provinces=args.provinces or 3, seed=args.seed)
        out.mkdir(parents=True, exist_ok=True)
        written = [(write_partitioned(dossiers, out / "dossiers"), len(dossiers))]
        registry.to_csv(out / "units.csv", index=False)
        written.append((out / "units.csv", len(registry)))
    else:
        written = write_samples(
            args.kind, out, seed=args.seed, params_path=args.params, rows=args.rows, fmt=args.format
        )
    for path, count in written:
        print(f"{path} ({count} dòng)")
    return 0


def _cmd_snapshot(args: argparse.Namespace) -> int:
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
        **({} if args.max_bytes is None else {"max_bytes": args.max_bytes}),
    )
    print(folder)
    return 0


def _cmd_publish(args: argparse.Namespace) -> int:
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
    result = audit.verify(args.output_dir)
    for line in result.lines():
        print(clean(line))
    return 0 if result.ok else 1


def _cmd_plan(args: argparse.Namespace) -> int:
    for line in audit.plan(args.unit, args.output_dir):
        print(clean(line))
    return 0


def _cmd_explain(args: argparse.Namespace) -> int:
    for line in audit.explain(args.unit, args.output_dir):
        print(clean(line))
    return 0


# argparse's own messages, in Vietnamese (the rest of the message, the names, is kept).
_ARGPARSE_VI = (
    (r"the following arguments are required: (.*)", r"thiếu đối số bắt buộc: \1"),
    (r"unrecognized arguments: (.*)", r"đối số không dùng được: \1"),
    (r"argument (.*?): invalid int value: (.*)", r"đối số \1: \2 không phải số nguyên"),
    (r"argument (.*?): invalid float value: (.*)", r"đối số \1: \2 không phải số"),
    (r"argument (.*?): invalid choice: (.*?) \(choose from (.*)\)", r"đối số \1: \2 không hợp lệ (chọn một trong \3)"),
    (r"argument (.*?): expected one argument", r"đối số \1 cần một giá trị"),
)


class _Parser(argparse.ArgumentParser):
    """Every command and subcommand: a global ``--debug``, and usage errors as one Vietnamese line."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.add_argument(
            "--debug",
            action="store_true",
            default=argparse.SUPPRESS,
            help="khi có lỗi, in toàn bộ traceback thay vì một dòng",
        )

    def error(self, message: str) -> NoReturn:
        for pattern, replacement in _ARGPARSE_VI:
            message = re.sub(f"^{pattern}$", replacement, message)
        self.exit(2, f"Lỗi: {clean(message)} (xem: {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="chiso766", description="Bản tin Bộ chỉ số 766, tái lập được")
    sub = parser.add_subparsers(dest="command", required=True)
    score = sub.add_parser("score", help="tính lại điểm và ghi các bảng tables/*.csv")
    score.add_argument("params", help="tệp tham số YAML")
    score.add_argument("-p", action="append", default=[], metavar="KEY=VALUE", help="ghi đè một tham số")
    score.add_argument("--out", help="thư mục kết quả (mặc định outputs/<report>/<period>)")
    score.set_defaults(func=_cmd_score)
    run = sub.add_parser("run", help="chạy sổ tính toán và ghi bản tin HTML, PDF, bảng, manifest")
    run.add_argument("params", nargs="+", help="một hoặc nhiều tệp tham số YAML")
    run.add_argument("-p", action="append", default=[], metavar="KEY=VALUE", help="ghi đè một tham số")
    run.add_argument("--out", help="thư mục kết quả (mặc định outputs/<report>/<period>)")
    run.add_argument(
        "--if-changed", action="store_true", help="bỏ qua bản tin đã tạo từ cùng tham số, dữ liệu và mã nguồn"
    )
    run.set_defaults(func=_cmd_run)
    snap = sub.add_parser(
        "snapshot",
        help="lấy các phản hồi đánh giá của Cổng cho một tỉnh và một kỳ (sáu nhóm, bảng cả nước, theo thủ tục), "
        "lưu nguyên văn",
    )
    snap.add_argument("--root-department-id", required=True, help="departmentId của UBND tỉnh trên Cổng")
    snap.add_argument("--period", required=True, help="2026-08, 2026-Q3 hoặc 2026")
    snap.add_argument("--out", default="data/snapshots", help="thư mục chứa các ảnh chụp")
    snap.add_argument("--name", default="", help="tên ngắn của tỉnh trong tên thư mục, ví dụ phu-tho")
    snap.add_argument(
        "--base-url", default="https://dichvucong.gov.vn", help="http(s)://máy[:cổng]; không ghi mật khẩu vào đây"
    )
    snap.add_argument(
        "--timeout", type=float, default=30, help="số giây tối đa cho cả một yêu cầu, kể cả chuyển hướng (mặc định 30)"
    )
    snap.add_argument("--retries", type=int, default=3, help="số lần thử lại khi lỗi tạm thời (0–10, mặc định 3)")
    snap.add_argument("--max-bytes", type=int, default=None, help="kích thước tối đa của một phản hồi (mặc định 50 MB)")
    snap.add_argument(
        "--no-national",
        action="store_true",
        help="không lấy bảng đánh giá cả nước (service-results), cho Cổng không có điểm cuối này",
    )
    snap.add_argument(
        "--procedures",
        type=int,
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
    snap.set_defaults(func=_cmd_snapshot)
    publish = sub.add_parser("publish", help="dựng trang tĩnh cho Cổng thông tin từ các thư mục kết quả")
    publish.add_argument("--site", default="site", help="thư mục trang (mặc định site/)")
    publish.add_argument("--outputs", default="outputs", help="thư mục kết quả (mặc định outputs/)")
    publish.add_argument("--reason", help="lý do công bố lại khi số liệu của một bản tin đã thay đổi, hoặc lý do rút")
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
    publish.set_defaults(func=_cmd_publish)
    verify = sub.add_parser("verify", help="chạy lại từ manifest.json và so sánh từng bảng")
    verify.add_argument("output_dir")
    verify.set_defaults(func=_cmd_verify)
    explain = sub.add_parser("explain", help="truy vết điểm của một đơn vị trong một thư mục kết quả")
    explain.add_argument("unit", help="tên hoặc mã đơn vị")
    explain.add_argument("output_dir")
    explain.set_defaults(func=_cmd_explain)
    plan = sub.add_parser(
        "plan", help="kế hoạch lấy lại điểm của một đơn vị: việc cần làm, số hồ sơ cần đạt, điểm lấy lại được"
    )
    plan.add_argument("unit", help="tên hoặc mã đơn vị")
    plan.add_argument("output_dir", help="thư mục kết quả của một bản tin bulletin_766 tính từ ảnh chụp Cổng")
    plan.set_defaults(func=_cmd_plan)
    synth = sub.add_parser("synth", help="tạo dữ liệu hồ sơ tổng hợp (có hạt giống, tái lập được)")
    synth.add_argument(
        "kind",
        choices=["reference-002", "province", "portal-match", "national"],
        help="reference-002: tuần của thông báo tham chiếu 002; province: dữ liệu quy mô tỉnh; "
        "portal-match: hồ sơ khớp số liệu Cổng của --params, có vài sai lệch có chủ đích; "
        "national: hồ sơ nhiều tỉnh, Parquet phân vùng theo tỉnh và tháng, kèm units.csv",
    )
    synth.add_argument("--params", help="tệp tham số có inputs.portal (portal-match)")
    synth.add_argument("--out", required=True, help="thư mục ghi dữ liệu")
    synth.add_argument("--rows", type=int, default=1_000_000, help="số hồ sơ (province, national)")
    synth.add_argument("--provinces", type=int, help="số tỉnh (national; mặc định 3)")
    synth.add_argument("--seed", type=int, default=766)
    synth.add_argument("--format", choices=["csv", "parquet"], default="csv")
    synth.set_defaults(func=_cmd_synth)
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


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command. Exit 0 on success, 1 when ``verify`` finds a difference, 2 for a named error
    (bad input, a file or disk problem: one line ``Lỗi: …``), 3 for an unanticipated failure (one line
    and the file holding its details; ``--debug`` prints the traceback instead), 130 on Ctrl+C."""
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


if __name__ == "__main__":
    raise SystemExit(main())
