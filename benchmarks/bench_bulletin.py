"""Bulletins end to end: ``chiso766 run`` of the Phú Thọ month (target under 3,5 s) and of every sample
(target under 10 s), each a whole process, paired in turn with the same notebook calls made in one
plain process (no papermill, no kernel, no HTML page; its worker process draws and encodes as a run's
does), which is the floor a kernel-free run would cost.

    python benchmarks/bench_bulletin.py [--runs 5]

After timing, the last run of each kind is checked: the floor's tables and PDF equal ``chiso766 run``'s
byte for byte. Writes benchmarks/results/bulletin.json (see record.py).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from record import Figure, save  # noqa: E402
from timing import paired, report  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
COMMAND = str(ROOT / ".venv" / "bin" / "chiso766")
MONTH = ROOT / "params" / "bulletin_766" / "2026-08.yaml"


def calls(pairs: list[tuple[str, str]]) -> None:
    """The floor, in this process: each params file's notebook cells (its last, nb.save, writes the
    PDF too), one after another."""
    import time

    from chiso766.publish.runner import NOTEBOOKS

    start = time.perf_counter()
    for params_path, out_dir in pairs:
        Path(out_dir).mkdir(parents=True, exist_ok=True)
        report_kind = _report(params_path)
        notebook = json.loads((NOTEBOOKS / f"{report_kind}.ipynb").read_text(encoding="utf-8"))
        names: dict[str, object] = {"params_path": params_path, "overrides": [], "out_dir": out_dir}
        for cell in notebook["cells"]:
            if cell["cell_type"] == "code" and "parameters" not in cell.get("metadata", {}).get("tags", []):
                exec("".join(cell["source"]), names)  # noqa: S102 - the package's own notebook
    report(seconds=round(time.perf_counter() - start, 3))


def _report(params_path: str) -> str:
    import yaml

    return str(yaml.safe_load(Path(params_path).read_text(encoding="utf-8"))["report"])


def _samples(project: Path) -> list[Path]:
    """Every sample params file, copied into ``project`` with its data paths made absolute, so its
    outputs go to ``project/outputs`` and never to the checkout's."""
    copies = []
    for source in sorted((ROOT / "params").glob("*/*.yaml")):
        copy = project / "params" / source.parent.name / source.name
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_text(source.read_text(encoding="utf-8").replace("data/", f"{ROOT}/data/"), encoding="utf-8")
        copies.append(copy)
    return copies


def _quiet(argv: list[str]) -> list[str]:
    """``argv`` as a child whose last line is the (empty) figures :func:`timing.paired` reads."""
    return ["sh", "-c", '"$@" >/dev/null && echo "{}"', "sh", *argv]


def _same_files(a: Path, b: Path) -> None:
    for made in [*sorted((a / "tables").glob("*.csv")), a / "bulletin.pdf"]:
        if made.read_bytes() != (b / made.relative_to(a)).read_bytes():
            raise SystemExit(f"the floor's {made.name} differs from chiso766 run's ({a} / {b})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--calls", nargs="+", metavar="PARAMS=OUT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.calls:
        calls([tuple(pair.split("=", 1)) for pair in args.calls])  # type: ignore[misc]
        return
    me = [sys.executable, str(Path(__file__).resolve()), "--calls"]
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        samples = _samples(scratch / "project")
        month_run = [COMMAND, "run", "-q", str(MONTH), "--out", str(scratch / "run" / "2026-08")]
        month_floor = [*me, f"{MONTH}={scratch / 'floor' / '2026-08'}"]
        all_run = [COMMAND, "run", "-q", *map(str, samples)]
        all_floor = [*me, *(f"{p}={scratch / 'floor' / p.parent.name / p.stem}" for p in samples)]
        results = {}
        for key, run_argv, floor_argv in (("month", month_run, month_floor), ("samples", all_run, all_floor)):
            results[key] = paired(_quiet(run_argv), floor_argv, args.runs)
        _same_files(scratch / "run" / "2026-08", scratch / "floor" / "2026-08")
        from chiso766.core.params import load_params
        from chiso766.publish.runner import output_dir

        for copy in samples:
            _same_files(output_dir(load_params(copy)), scratch / "floor" / copy.parent.name / copy.stem)
        shutil.rmtree(scratch, ignore_errors=True)
    floor = "the same notebook calls and PDF in one process, no kernel"
    count = len(samples)
    save(
        "bulletin",
        [
            Figure(
                "run_month",
                "chiso766 run, Phú Thọ 2026-08 (whole process)",
                results["month"]["a"]["process_s"],
                floor,
                results["month"]["b"]["process_s"],
                3.5,
                "< 3,5 s",
            ),
            Figure(
                "run_samples",
                f"chiso766 run, the {count} sample bulletins (whole process)",
                results["samples"]["a"]["process_s"],
                floor,
                results["samples"]["b"]["process_s"],
                10.0,
                "< 10 s",
            ),
        ],
        args.runs,
    )


if __name__ == "__main__":
    main()
