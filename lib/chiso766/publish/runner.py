"""``chiso766 run``: execute a report's notebook with papermill, render it, write one output folder.

The folder is built beside its final place and renamed into it only when every file is written:
a failed run leaves the previous bulletin untouched, keeps the failed notebook as
``<period>.failed.ipynb`` for inspection, and writes nothing else.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from importlib import metadata, resources
from pathlib import Path
from typing import Any

from chiso766 import __version__
from chiso766.core.errors import InputError
from chiso766.core.files import swap_folder, write_atomic
from chiso766.core.params import Params, load_params, project_root
from chiso766.ingest.checksums import input_files, sha256_file

__all__ = ["RunError", "run", "run_many", "output_dir", "NOTEBOOKS"]

NOTEBOOKS = Path(str(resources.files("chiso766").joinpath("notebooks")))
_PACKAGES = (
    "chiso766",
    "pandas",
    "numpy",
    "duckdb",
    "papermill",
    "nbconvert",
    "nbformat",
    "ipykernel",
    "matplotlib",
    "seaborn",
    "typst",
    "openpyxl",
    "pyyaml",
    "jinja2",
)


class RunError(InputError):
    """A run that failed inside the notebook; the message is the notebook's error."""


def output_dir(params: Params, out: str | Path | None = None) -> Path:
    if out:
        return Path(out)
    root = project_root(params.path) if params.path else Path.cwd()
    return root / "outputs" / params.report / params.period.slug


def _versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def _git_commit(root: Path) -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=5)
        return out.stdout.strip() if out.returncode == 0 else ""
    except (OSError, subprocess.SubprocessError):
        return ""


def _code_sha256(report: str) -> str:
    """One digest of the library, its data and templates, and the report's notebook."""
    package = Path(__file__).resolve().parents[1]
    files = sorted(
        p
        for p in package.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and (p.suffix != ".ipynb" or p.name == f"{report}.ipynb")
    )
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _up_to_date(params: Params, overrides: list[str], final: Path) -> bool:
    """Whether ``final`` was made from these params, inputs and code (so ``make report`` can skip it)."""
    try:
        manifest = json.loads((final / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    recorded = {(i["path"], i["sha256"]) for i in manifest.get("inputs", [])}
    current = {(i["path"], i["sha256"]) for i in input_files(params)}
    same = (
        manifest.get("params") == json.loads(json.dumps(params.raw, default=str))
        and manifest.get("overrides") == overrides
        and recorded == current
        and manifest.get("code_sha256") == _code_sha256(params.report)
    )
    return same and all((final / o["path"]).is_file() for o in manifest.get("outputs", []))


def _manifest(params: Params, overrides: list[str], staging: Path, started: datetime, renderer: str) -> dict[str, Any]:
    outputs = sorted(p for p in staging.rglob("*") if p.is_file())
    document = json.loads((staging / "document.json").read_text(encoding="utf-8"))
    return {
        "report": params.report,
        "period": params.period.label,
        "as_of": params.as_of.isoformat(),
        "params_file": str(params.path),
        "params": json.loads(json.dumps(params.raw, default=str)),
        "overrides": overrides,
        "methodology_version": document.get("methodology_version"),
        "input_paths": {kind: str(path) for kind, path in sorted(params.inputs.items())},
        "inputs": input_files(params),
        "outputs": [{"path": str(p.relative_to(staging)), "sha256": sha256_file(p)} for p in outputs],
        "versions": _versions(),
        "renderer": renderer,
        "code_sha256": _code_sha256(params.report),
        "git_commit": _git_commit(Path(__file__).resolve().parent),
        "machine": {"platform": platform.platform(), "processor": platform.machine()},
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def run(
    params_path: str | Path, overrides: list[str] | None = None, out: str | Path | None = None, if_changed: bool = False
) -> Path:
    """Run one report; return its output folder. Bad params fail before the notebook starts.

    With ``if_changed``, a folder whose manifest records the same params, inputs and code is kept.
    """
    # The notebook and document stack (papermill, nbconvert, typst) is loaded when a report runs,
    # not whenever this module is imported (``chiso766 explain`` and ``verify`` import it).
    import papermill

    from chiso766.render.html import render_html
    from chiso766.render.pdf import render_pdf
    from chiso766.render.quarto import quarto_available, render_quarto

    overrides = list(overrides or [])
    params = load_params(params_path, overrides)
    notebook = NOTEBOOKS / f"{params.report}.ipynb"
    if not notebook.is_file():
        raise InputError(f"chưa có sổ tính toán cho report «{params.report}»", notebook)
    final = output_dir(params, out).resolve()
    if if_changed and _up_to_date(params, overrides, final):
        return final
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = final.parent / f".{final.name}.partial-{os.getpid()}"
    failed = final.parent / f"{final.name}.failed.ipynb"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    started = datetime.now(UTC)
    try:
        try:
            papermill.execute_notebook(
                str(notebook),
                str(staging / "notebook.ipynb"),
                kernel_name="python3",
                parameters={
                    "params_path": str(Path(params_path).resolve()),
                    "overrides": overrides,
                    "out_dir": str(staging),
                },
                cwd=str(NOTEBOOKS),
                progress_bar=False,
                log_output=False,
            )
        except papermill.PapermillExecutionError as exc:
            shutil.copyfile(staging / "notebook.ipynb", failed)
            raise RunError(f"{exc.ename}: {exc.evalue} (sổ lỗi: {failed})", params.path) from None
        if not (staging / "document.json").is_file():
            shutil.copyfile(staging / "notebook.ipynb", failed)
            raise RunError(
                f"sổ tính toán chạy xong nhưng không ghi kết quả (thiếu bước nb.save) (sổ: {failed})", notebook
            )
        renderer = "quarto" if params.get("renderer") == "quarto" and quarto_available() else "nbconvert+typst"
        if renderer == "quarto":
            render_quarto(staging / "notebook.ipynb", staging)
        else:
            document = json.loads((staging / "document.json").read_text(encoding="utf-8"))
            title = f"{document['doc_type']}: {document['title']} {document['subtitle']}"
            write_atomic(
                staging / "bulletin.html", render_html(staging / "notebook.ipynb", title, __version__).encode("utf-8")
            )
            write_atomic(staging / "bulletin.pdf", render_pdf(staging))
        manifest = _manifest(params, overrides, staging, started, renderer)
        write_atomic(
            staging / "manifest.json", (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        )
        swap_folder(staging, final)
        failed.unlink(missing_ok=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return final


def run_many(
    paths: list[str], overrides: list[str], out: str | None, if_changed: bool = False
) -> list[tuple[str, Path | None, str]]:
    """Run several params files with a progress bar; one failure does not stop the others."""
    from tqdm import tqdm

    results: list[tuple[str, Path | None, str]] = []
    for path in tqdm(paths, desc="chiso766 run", unit="bản tin", disable=len(paths) < 2, file=sys.stderr):
        start = time.perf_counter()
        try:
            results.append((path, run(path, overrides, out, if_changed), f"{time.perf_counter() - start:.1f}s"))
        except InputError as exc:
            results.append((path, None, str(exc)))
    return results
