"""``chiso766 run``: execute a report's notebook with papermill, render it, write one output folder.

The folder is built beside its final place and swapped into it only when every file is written:
a failed run leaves the previous bulletin untouched, keeps the failed notebook as
``<period>.failed.ipynb`` for inspection, and writes nothing else. The swap is atomic at every
instant (``core.files.swap_folder``), and a run killed midway is cleaned up by the next one.

A run replaces only a folder it made: one holding its marker file (``.chiso766-output``) or the
manifest of an earlier run of the same bulletin (report, period, province, unit), and nothing the
manifest does not list nor anything changed since it was written (a PDF signed in place); with its
manifest damaged, nothing but the files a run writes. A folder ``chiso766 score`` wrote tables in
(:data:`SCORE_LEDGER`) is taken on the same terms. It refuses any other folder that is not empty,
and a folder that holds, or lies inside, one of the run's own inputs.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import os
import platform
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any, NoReturn

from chiso766 import __version__
from chiso766.core import imports as notebook_stack
from chiso766.core.errors import InputError, os_error
from chiso766.core.files import (
    files_under,
    is_within,
    read_regular,
    recover_leftovers,
    shown_path,
    swap_folder,
    write_atomic,
    write_files,
)
from chiso766.core.params import Params, load_params
from chiso766.ingest.checksums import input_files, sha256_file
from chiso766.publish import kernel
from chiso766.publish.kernel import NOTEBOOKS
from chiso766.render.pdf import font_paths

__all__ = [
    "RunError",
    "Outcome",
    "Progress",
    "STEPS",
    "run",
    "run_many",
    "output_dir",
    "check_output_folder",
    "made_by_run",
    "write_score_tables",
    "NOTEBOOKS",
    "OUTPUT_MARKER",
]

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


OUTPUT_MARKER = ".chiso766-output"
# What ``chiso766 score`` wrote in a folder that is not a bulletin's: its tables' SHA-256 and which
# bulletin they are of. A later score replaces those tables unless edited, and a run the folder whole.
SCORE_LEDGER = ".chiso766-score.json"
_MARKER_TEXT = (
    "Thư mục kết quả do chiso766 run tạo. chiso766 chỉ ghi đè thư mục có tệp đánh dấu này.\n"
    "An output folder made by chiso766 run; chiso766 replaces only folders holding this file.\n"
).encode()


class RunError(InputError):
    """A run that failed inside the notebook; the message is the notebook's error."""


# The errors the library raises about what it was given: their message says it all, in Vietnamese
_INPUT_ERRORS = frozenset({"InputError", "ParamsError", "ManifestError", "SnapshotError", "FontsMissing"})


def _cell_error(name: str, message: str, params_path: Path | None = None) -> str:
    """A failed cell's error as the user reads it: an input's message as it is (without the params
    file it begins with, which the run's error names already); anything else is a fault of the
    program, and says so (its class name is what a report to the developers needs)."""
    if name not in _INPUT_ERRORS:
        return f"lỗi chương trình ({name}: {message})"
    for named in {str(params_path), str(params_path.resolve())} if params_path else ():
        message = message.removeprefix(f"{named}, ")
    return message


# The steps of one run, as ``chiso766 run`` names them to the reader.
STEPS = ("đọc tham số", "chạy sổ tính toán", "dựng HTML", "ghi kết quả")
_QUARTO_STEP = "dựng HTML và PDF (Quarto)"

Progress = Callable[[str, float | None], None]
"""Told ``(step, None)`` when a step starts and ``(step, seconds)`` when it ends; a step that fails
is not told its end (the run's error follows)."""


@contextlib.contextmanager
def _step(progress: Progress | None, name: str) -> Iterator[None]:
    if progress is not None:
        progress(name, None)
    start = time.perf_counter()
    yield
    if progress is not None:
        progress(name, time.perf_counter() - start)


@dataclass(frozen=True)
class Outcome:
    """One params file of :func:`run_many`: its output folder, or the error that stopped it."""

    params: str
    out: Path | None
    seconds: float
    skipped: bool = False  # ``--if-changed`` found the folder up to date
    error: str = ""


def _recorded(params: Params) -> dict[str, Any]:
    """What the manifest records of the run's inputs and code, and the page's machinery loaded, while
    the kernel works and this process waits. A failure to load is left for the page's step to meet and
    report; one to read an input is the manifest's."""
    from chiso766.render.html import prepare_html

    with contextlib.suppress(Exception), notebook_stack.uncollected():
        prepare_html()
    return {
        "inputs": input_files(params),
        "versions": dict(_versions()),
        "code_sha256": _code_sha256(params.report),
        "git_commit": _git_commit(Path(__file__).resolve().parent),
    }


def _listed(folder: Path, record: str = "manifest.json") -> tuple[dict[str, str], tuple[str, ...]] | None:
    """The files ``record`` (an earlier run's manifest, or :data:`SCORE_LEDGER`) lists, with their
    SHA-256 (empty for the records and the marker), and the bulletin they are of (:func:`_made_for`);
    None when there is no such record."""
    try:
        manifest = json.loads(read_regular(folder / record))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or "report" not in manifest or not isinstance(manifest.get("outputs"), list):
        return None
    listed = {"manifest.json": "", OUTPUT_MARKER: "", SCORE_LEDGER: ""}
    for entry in manifest["outputs"]:
        if isinstance(entry, dict) and isinstance(entry.get("path"), str):
            listed[Path(entry["path"]).as_posix()] = str(entry.get("sha256") or "")
    return listed, _made_for(manifest)


# What a run writes: with a damaged manifest, a marked folder holding only such files is still its own
_RUN_FILES = re.compile(
    r"manifest\.json|\.chiso766-output|(bulletin|audit)\.(html|pdf)|document\.json|notebook\.ipynb|tables\.xlsx"
    r"|tables/[^/]+\.(csv|xlsx)|figures/[^/]+\.(png|svg|txt|csv)"
)


def _refuse_files(names: list[str], final: Path, why: str) -> NoReturn:
    shown = ", ".join(names[:5]) + (f" và {len(names) - 5} tệp khác" if len(names) > 5 else "")
    raise InputError(
        f"thư mục kết quả có tệp {why} ({shown}): không ghi đè; chuyển các tệp đó đi hoặc chọn thư mục khác cho --out",
        final,
    )


def _made_for(manifest: dict[str, Any]) -> tuple[str, ...]:
    """Which bulletin a manifest is of: its report, period, province and unit (a unit report's), as its
    params wrote them."""
    raw = manifest.get("params")
    raw = raw if isinstance(raw, dict) else {}
    named = (manifest.get("report"), manifest.get("period"), raw.get("province"), raw.get("unit"))
    return tuple(str(value or "").strip() for value in named)


def made_by_run(folder: Path) -> bool:
    """Whether ``folder`` is an output folder ``run`` made: its marker, or an earlier run's manifest."""
    return (folder / OUTPUT_MARKER).is_file() or _listed(folder) is not None


def check_output_folder(final: Path, inputs: list[Path], params: Params | None = None) -> None:
    """Refuse an output folder the run must not replace (see the module's docstring), and one that
    holds another bulletin than ``params`` make (another report or period, or another province or
    unit where both name one: a ``--out`` typed from an earlier command would lose it).

    ``final`` and ``inputs`` are resolved paths.
    """
    for path in inputs:
        if is_within(path, final):
            raise InputError(
                f"thư mục kết quả chứa dữ liệu vào của chính lần chạy này ({path}): chạy sẽ xóa nó; "
                "chọn thư mục khác cho --out",
                final,
            )
        if is_within(final, path):
            raise InputError(f"thư mục kết quả nằm trong dữ liệu vào {path}: chọn thư mục khác cho --out", final)
    _check_failed_notebook(final)
    if not os.path.lexists(final):
        return
    if not final.is_dir() or final.is_symlink():
        raise InputError("ở chỗ thư mục kết quả đã có một tệp không phải thư mục: không ghi đè", final)
    files = files_under(final)
    if not files:
        return
    made, maker = _listed(final), "chiso766 run"
    if made is None:
        made, maker = _listed(final, SCORE_LEDGER), "chiso766 score"
    if made is None:
        if (final / OUTPUT_MARKER).is_file():  # a folder this tool made, whose manifest is damaged
            strays = [name for name in files if not _RUN_FILES.fullmatch(name)]
            if strays:
                _refuse_files(
                    strays, final, "không do chiso766 run ghi (manifest.json hỏng, không biết tệp nào là của nó)"
                )
            return
        raise InputError(
            f"thư mục không trống và không do chiso766 run tạo (không có tệp đánh dấu {OUTPUT_MARKER} "
            "hay manifest.json): không ghi đè; chọn một thư mục mới hoặc trống cho --out",
            final,
        )
    listed, held = made
    foreign = [name for name in files if name not in listed]
    if foreign:
        _refuse_files(foreign, final, f"không do {maker} ghi")
    # a file changed since the run wrote it (a PDF signed in place, a table corrected by hand) is
    # someone's work: a new run would replace it
    edited = [name for name in files if listed[name] and sha256_file(final / name) != listed[name]]
    if edited:
        _refuse_files(edited, final, f"đã sửa sau khi {maker} ghi")
    if params is not None:
        _require_same_bulletin(held, params, final)


def _made_by(params: Params) -> tuple[str, ...]:
    return _made_for({"report": params.report, "period": params.period.label, "params": params.raw})


def _require_same_bulletin(held: tuple[str, ...], params: Params, final: Path) -> None:
    if any(have and want and have != want for have, want in zip(held, _made_by(params), strict=True)):
        shown = ", ".join(value for value in held if value)
        raise InputError(
            f"thư mục kết quả đang giữ một bản tin khác ({shown}): không ghi đè; "
            "chọn thư mục khác cho --out, hoặc tự xóa thư mục đó nếu không cần giữ",
            final,
        )


def write_score_tables(params: Params, tables: Mapping[str, bytes], out: Path) -> list[Path]:
    """Write ``chiso766 score``'s tables as ``<out>/tables/<name>`` and record them in :data:`SCORE_LEDGER`;
    returns the paths written. Into a bulletin's folder (one ``run`` made) nothing is written: its
    tables must already be these (an empty list), else the score is refused.

    A table is replaced only where it holds the same bytes or is one an earlier score of the same
    bulletin wrote and nobody changed since: a file of that name that someone else put there, or
    corrected by hand, is refused, naming it. A later ``chiso766 run`` into the folder takes it whole.
    """
    if made_by_run(out):
        # a bulletin's folder: its tables are what its manifest lists and its pages show; tables that
        # differ would leave the bulletin saying one thing and its tables another, and unpublishable
        changed = [name for name, data in tables.items() if not _holds(out / "tables" / name, data)]
        if changed:
            raise InputError(
                "thư mục là một bản tin do chiso766 run làm, mà bảng tính lại khác bảng của nó "
                f"({', '.join(changed)}): không ghi đè; chạy lại chiso766 run với cùng tham số, hoặc chọn --out khác",
                out,
            )
        return []
    made = _listed(out, SCORE_LEDGER)
    listed = made[0] if made else {}
    if made:
        _require_same_bulletin(made[1], params, out)
    names = {f"tables/{name}": data for name, data in tables.items()}
    taken = [
        name
        for name, data in names.items()
        if os.path.lexists(out / name)
        and not _holds(out / name, data)
        and not (listed.get(name) and _sha256_or_none(out / name) == listed[name])
    ]
    if taken:
        _refuse_files(taken, out, "không do chiso766 score ghi, hoặc đã sửa sau khi nó ghi")
    # tables an earlier score listed and nobody changed stay listed: a run may still replace them
    kept = {
        name: sha for name, sha in listed.items() if sha and name not in names and _sha256_or_none(out / name) == sha
    }
    record = {
        "made_by": f"chiso766 score {__version__}",
        "report": params.report,
        "period": params.period.label,
        "params": {key: params.raw[key] for key in ("province", "unit") if key in params.raw},
        "outputs": [
            {"path": name, "sha256": sha}
            for name, sha in sorted({**kept, **{n: hashlib.sha256(d).hexdigest() for n, d in names.items()}}.items())
        ],
    }
    # the record lands with the tables, all or none: tables without it would be refused as edited;
    # it is renamed into place last, and the paths returned are the tables' alone
    ledger = (json.dumps(record, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    return write_files({**names, SCORE_LEDGER: ledger}, out)[: len(names)]


def _holds(path: Path, data: bytes) -> bool:
    """Whether ``path`` is a regular file of exactly ``data``."""
    try:
        return read_regular(path) == data
    except OSError:
        return False


def _sha256_or_none(path: Path) -> str | None:
    try:
        return hashlib.sha256(read_regular(path)).hexdigest()
    except OSError:
        return None


def _failed_notebook(final: Path) -> Path:
    """Where a failed run of ``final`` keeps its notebook: ``<folder>.failed.ipynb`` beside it."""
    return final.parent / f"{final.name}.failed.ipynb"


def _check_failed_notebook(final: Path) -> None:
    """Refuse a run whose failed notebook would replace a file it did not write: one there already
    is the notebook of an earlier failed run (papermill's metadata) or is refused."""
    failed = _failed_notebook(final)
    if not os.path.lexists(failed):
        return
    try:
        ours = "papermill" in json.loads(read_regular(failed)).get("metadata", {})
    except (OSError, ValueError, AttributeError):
        ours = False
    if not ours:
        raise InputError(
            "ở chỗ sổ lỗi của lần chạy (nơi một lần chạy hỏng ghi sổ tính toán) đã có một tệp không do "
            "chiso766 run ghi: không ghi đè; chuyển tệp đó đi hoặc chọn thư mục khác cho --out",
            failed,
        )


def _run_inputs(params: Params) -> list[Path]:
    paths = [*params.inputs.values(), *([params.path] if params.path else [])]
    return sorted({Path(os.path.abspath(p)) for p in paths} | {p.resolve() for p in paths})


def output_dir(params: Params, out: str | Path | None = None) -> Path:
    if out:
        return Path(out)
    return params.root / "outputs" / params.report / params.period.slug


@functools.cache  # cleared by each run and run_many: their runs share the packages; a lookup scans sys.path
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


def _manifest(
    params: Params, overrides: list[str], staging: Path, started: datetime, renderer: str, recorded: dict[str, Any]
) -> dict[str, Any]:
    outputs = sorted(p for p in staging.rglob("*") if p.is_file())
    root = params.root
    document = json.loads((staging / "document.json").read_text(encoding="utf-8"))
    return {
        "report": params.report,
        "period": params.period.label,
        "as_of": params.as_of.isoformat(),
        "params_file": str(params.path),
        "params": json.loads(json.dumps(params.raw, default=str)),
        "overrides": overrides,
        "methodology_version": document.get("methodology_version"),
        # inputs are named from the project folder (the same on another machine); verify starts there
        "project_root": str(root),
        "input_paths": {kind: shown_path(path, root) for kind, path in sorted(params.inputs.items())},
        "inputs": recorded["inputs"],
        "outputs": [{"path": str(p.relative_to(staging)), "sha256": sha256_file(p)} for p in outputs],
        "versions": recorded["versions"],
        "renderer": renderer,
        "code_sha256": recorded["code_sha256"],
        "git_commit": recorded["git_commit"],
        "machine": {"platform": platform.platform(), "processor": platform.machine()},
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def run(
    params_path: str | Path,
    overrides: list[str] | None = None,
    out: str | Path | None = None,
    if_changed: bool = False,
    progress: Progress | None = None,
) -> Path:
    """Run one report; return its output folder. Bad params fail before the notebook starts.

    With ``if_changed``, a folder whose manifest records the same params, inputs and code is kept.
    ``progress`` is told each of :data:`STEPS` as it starts and ends.
    """
    _versions.cache_clear()  # as run_many
    return _run(params_path, overrides, out, if_changed, progress)[0]


def _run(
    params_path: str | Path,
    overrides: list[str] | None,
    out: str | Path | None,
    if_changed: bool,
    progress: Progress | None,
    stop: threading.Event | None = None,
) -> tuple[Path, bool]:
    """:func:`run`, and whether the folder was kept as it was (``if_changed``); ``stop`` set (Ctrl+C of
    :func:`run_many`): the run starts no kernel work and publishes nothing more."""
    read = STEPS[0]
    overrides = list(overrides or [])
    with contextlib.ExitStack() as making:
        with _step(progress, read):
            params = load_params(params_path, overrides)
            notebook = NOTEBOOKS / f"{params.report}.ipynb"
            if not notebook.is_file():
                raise InputError(f"chưa có sổ tính toán cho report «{params.report}»", notebook)
            font_paths()  # the kernel's PDF needs them: a broken install is named before any work
            final = output_dir(params, out).resolve()
            check_output_folder(final, _run_inputs(params), params)
            recover_leftovers(final.parent)
            making.enter_context(_making(final))  # before the check: a run of it going may end up to date
            unchanged = if_changed and _up_to_date(params, overrides, final)
        if unchanged:
            return final, True
        _make(params, params_path, overrides, notebook, final, progress, stop)
    return final, False


_MAKING: dict[Path, threading.Lock] = {}
_MAKING_LOCK = threading.Lock()


@contextlib.contextmanager
def _making(final: Path) -> Iterator[None]:
    """One run at a time makes ``final`` in this process: runs side by side in threads would share its
    staging folder's name (``.<name>.partial-<pid>``); the second waits, then replaces the first's."""
    with _MAKING_LOCK:
        lock = _MAKING.setdefault(final, threading.Lock())
    with lock:
        yield


def _make(
    params: Params,
    params_path: str | Path,
    overrides: list[str],
    notebook: Path,
    final: Path,
    progress: Progress | None,
    stop: threading.Event | None,
) -> None:
    """:func:`_run`'s work once the params are read: the notebook executed, the page, the manifest,
    and the folder swapped into place."""
    execute, html, write = STEPS[1:]
    _go_on(stop)
    kept = kernel.kept()
    if kept is not None:
        kept.start(params.report)
    staging = final.parent / f".{final.name}.partial-{os.getpid()}"
    failed = _failed_notebook(final)
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
    except OSError as exc:
        raise InputError(f"không tạo được thư mục kết quả: {os_error(exc).reason}", final) from None
    started = datetime.now(UTC)
    try:
        write_atomic(staging / OUTPUT_MARKER, _MARKER_TEXT)
        with _step(progress, execute):
            # The notebook and page stack (papermill, nbconvert) is loaded when a report
            # is made, not when this module is imported (``chiso766 explain`` and ``verify`` import it)
            # nor for a report ``if_changed`` keeps; its few seconds count in this step.
            with notebook_stack.uncollected():
                papermill = notebook_stack.papermill()
                from chiso766.render.html import page_title, render_html
                from chiso766.render.quarto import quarto_available, render_quarto

            # what the manifest records is gathered, and the page's machinery loaded, while this
            # process waits for the kept kernel's imports, then for its cells
            preparing = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chiso766-prepare")
            recorded = preparing.submit(_recorded, params)
            try:
                # the kept kernel first: a Ctrl+C while it starts stops it, and ready() then gives None,
                # for which papermill would start a kernel of its own
                km = None if kept is None else kept.ready()
                _go_on(stop)
                papermill.execute_notebook(
                    str(notebook),
                    str(staging / "notebook.ipynb"),
                    kernel_name="python3",
                    kernel_manager_class=kernel.kernel_manager(),
                    km=km,
                    parameters={
                        "params_path": str(Path(params_path).resolve()),
                        "overrides": overrides,
                        "out_dir": str(staging),
                    },
                    # no cwd: papermill would change this process's working directory, which runs side
                    # by side in threads share; the kernel manager starts the kernel in the notebooks' folder
                    progress_bar=False,
                    log_output=False,
                    # papermill otherwise writes the whole notebook before and after every cell while
                    # the kernel waits (0,5 s a bulletin); it still writes it at the end, and with the
                    # failing cell marked when one fails
                    request_save_on_cell_execute=False,
                )
            except papermill.PapermillExecutionError as exc:
                # replaces, never writes through a link
                write_atomic(failed, (staging / "notebook.ipynb").read_bytes())
                said = _cell_error(exc.ename, exc.evalue, params.path)
                raise RunError(f"{said} (sổ lỗi: {failed})", params.path) from None
            finally:
                preparing.shutdown()
            if not (staging / "document.json").is_file():
                write_atomic(failed, (staging / "notebook.ipynb").read_bytes())
                raise RunError(
                    f"sổ tính toán chạy xong nhưng không ghi kết quả (thiếu bước nb.save) (sổ: {failed})", notebook
                )
        renderer = "quarto" if params.get("renderer") == "quarto" and quarto_available() else "nbconvert+typst"
        if renderer == "quarto":
            with _step(progress, _QUARTO_STEP):
                render_quarto(staging / "notebook.ipynb", staging)
        else:
            document = json.loads((staging / "document.json").read_text(encoding="utf-8"))
            title = page_title(document["doc_type"], document["title"], document["subtitle"])
            with _step(progress, html):
                page = render_html(staging / "notebook.ipynb", title, __version__)
                write_atomic(staging / "bulletin.html", page.encode("utf-8"))
        with _step(progress, write):
            manifest = _manifest(params, overrides, staging, started, renderer, recorded.result())
            write_atomic(
                staging / "manifest.json", (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
            )
            check_output_folder(final, _run_inputs(params), params)  # again: the notebook took its time
            _go_on(stop)
            swap_folder(staging, final, "run")
            failed.unlink(missing_ok=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def run_many(
    paths: list[str],
    overrides: list[str],
    out: str | None,
    if_changed: bool = False,
    progress: Progress | None = None,
    jobs: int = 1,
) -> Iterator[Outcome]:
    """Run several params files, one :class:`Outcome` each, in the order of ``paths``; one failure does
    not stop the others.

    With ``jobs`` above 1, that many runs go at once, each in a thread of this process with a kernel
    of its own (the kernels do the work: a thread mostly waits for its kernel, and the notebook stack
    is loaded once, not once per worker process); ``progress`` is then not told (the steps of runs
    side by side would interleave). Otherwise ``progress`` is told the steps of each run (see
    :func:`run`). Consecutive runs in a thread share its kernel, reset between them
    (:class:`chiso766.publish.kernel.KeptKernel`): each output is what a run alone makes.
    """
    _versions.cache_clear()  # a long session (JupyterLab) may have installed others since its last call
    workers = min(jobs, len(paths))
    if workers <= 1:
        kernel.keep()  # or the one the caller started already (chiso766 run of one file)
        try:
            for path in paths:
                yield _outcome(path, overrides, out, if_changed, progress)
        finally:
            kernel.release()
        return
    outcomes: list[Future[Outcome]] = [Future() for _ in paths]
    todo, taking, stop = iter(range(len(paths))), threading.Lock(), threading.Event()

    def work() -> None:
        # the thread's kernel, booted now unless --if-changed may skip every run; then at its first
        # run that is not skipped
        kernel.keep(boot=not if_changed, spare_core=False)  # the other runs keep the other cores busy
        try:
            while not stop.is_set():
                with taking:
                    index = next(todo, None)
                if index is None:
                    return
                try:
                    outcomes[index].set_result(_outcome(paths[index], overrides, out, if_changed, None, stop))
                except BaseException as exc:  # the caller's to meet, as a run alone would raise it
                    outcomes[index].set_exception(exc)
        finally:
            kernel.release()

    threads = [threading.Thread(target=work, name=f"chiso766-run-{n + 1}", daemon=True) for n in range(workers)]
    for thread in threads:
        thread.start()
    interrupted = False
    try:
        for outcome in outcomes:
            yield outcome.result()
    except KeyboardInterrupt:
        interrupted = True
        stop.set()  # first: a run between its steps starts nothing more
        _hush(threads)
        kernel.kill_all()  # the threads' runs end at once
        # each removes its half-written folder (.<name>.partial-<pid>) as it ends: a few seconds at
        # most are given for that, and the caller then leaves (a daemon thread dies with the process)
        deadline = time.monotonic() + _CLEANUP_SECONDS
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        raise
    finally:
        stop.set()  # a caller may stop reading early: the runs going finish, and no other starts
        if not interrupted:
            for thread in threads:
                thread.join()


_CLEANUP_SECONDS = 5.0


def _hush(threads: list[threading.Thread]) -> None:
    """Nothing more from runs stopped by Ctrl+C: their notebook client would log, in their threads,
    that the kernel it waited for has died (the caller tells of the stop in one line)."""
    for name in ("papermill", "traitlets", "asyncio"):
        # while they run: a later thread may be given the ident of one of them
        logging.getLogger(name).addFilter(
            lambda record: not any(t.ident == record.thread and t.is_alive() for t in threads)
        )


def _go_on(stop: threading.Event | None) -> None:
    if stop is not None and stop.is_set():
        raise KeyboardInterrupt  # the caller's Ctrl+C, met in a run's thread


def _outcome(
    path: str,
    overrides: list[str],
    out: str | None,
    if_changed: bool,
    progress: Progress | None,
    stop: threading.Event | None = None,
) -> Outcome:
    start = time.perf_counter()
    try:
        final, skipped = _run(path, overrides, out, if_changed, progress, stop)
    except InputError as exc:
        return Outcome(path, None, time.perf_counter() - start, error=str(exc))
    return Outcome(path, final, time.perf_counter() - start, skipped)
