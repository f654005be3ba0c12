"""The ``chiso766`` command: a thin shell over the library."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from chiso766.compute.pipeline import build_previous, build_scorecard, score_tables
from chiso766.core.errors import InputError
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
        print(f"cảnh báo [{warning.kind}] {warning.message}", file=sys.stderr)
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
    )
    print(folder)
    return 0


def _cmd_publish(args: argparse.Namespace) -> int:
    result = site.publish(args.outputs, args.site, args.reason)
    print(
        f"{result.site}: {result.bulletins} bản tin"
        + (f"; công bố lại: {', '.join(result.revised)}" if result.revised else "")
    )
    return 0


def _cmd_verify(args: argparse.Namespace) -> int:
    result = audit.verify(args.output_dir)
    for line in result.lines():
        print(line)
    return 0 if result.ok else 1


def _cmd_explain(args: argparse.Namespace) -> int:
    for line in audit.explain(args.unit, args.output_dir):
        print(line)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="chiso766", description="Bản tin Bộ chỉ số 766, tái lập được")
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
    snap = sub.add_parser("snapshot", help="lấy sáu phản hồi đánh giá của Cổng cho một tỉnh và một kỳ, lưu nguyên văn")
    snap.add_argument("--root-department-id", required=True, help="departmentId của UBND tỉnh trên Cổng")
    snap.add_argument("--period", required=True, help="2026-08, 2026-Q3 hoặc 2026")
    snap.add_argument("--out", default="data/snapshots", help="thư mục chứa các ảnh chụp")
    snap.add_argument("--name", default="", help="tên ngắn của tỉnh trong tên thư mục, ví dụ phu-tho")
    snap.add_argument("--base-url", default="https://dichvucong.gov.vn")
    snap.add_argument("--timeout", type=float, default=30)
    snap.add_argument("--retries", type=int, default=3)
    snap.set_defaults(func=_cmd_snapshot)
    publish = sub.add_parser("publish", help="dựng trang tĩnh cho Cổng thông tin từ các thư mục kết quả")
    publish.add_argument("--site", default="site", help="thư mục trang (mặc định site/)")
    publish.add_argument("--outputs", default="outputs", help="thư mục kết quả (mặc định outputs/)")
    publish.add_argument("--reason", help="lý do công bố lại khi số liệu của một bản tin đã thay đổi")
    publish.set_defaults(func=_cmd_publish)
    verify = sub.add_parser("verify", help="chạy lại từ manifest.json và so sánh từng bảng")
    verify.add_argument("output_dir")
    verify.set_defaults(func=_cmd_verify)
    explain = sub.add_parser("explain", help="truy vết điểm của một đơn vị trong một thư mục kết quả")
    explain.add_argument("unit", help="tên hoặc mã đơn vị")
    explain.add_argument("output_dir")
    explain.set_defaults(func=_cmd_explain)
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


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except InputError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
