"""The kernel ``chiso766 run`` starts, and what it does before a run's notebook: ipykernel's own
kernel, without what only a person at the notebook uses (A46).

* Started as ``python -m chiso766.publish.batch_kernel -f …`` (as ``ipykernel_launcher`` starts it),
  it runs without its debugger: ipykernel imports debugpy as it starts, a tenth of a second of every
  kernel's start, for a debugger that a run's notebook never uses (papermill debugs nothing).
  Marked absent, debugpy is not imported, as where it is not installed.
* :func:`warm_up` imports the library while the run is still being prepared, without the garbage
  collector's passes, and without matplotlib when the run's worker process draws the charts
  (:mod:`chiso766.render.worker`); a kernel that draws them itself imports it as the worker does,
  without help text nobody reads in a run (:func:`~chiso766.render.worker.import_charts`).
* Started ahead as ``python -m chiso766.publish.batch_kernel --chiso766-preboot`` (by a kept kernel's
  boot, before its process has even imported jupyter_client: :mod:`chiso766.publish.kernel`), it
  imports ipykernel at once, then reads on stdin the arguments its manager would have launched it
  with (its connection file), and goes on as if launched with them. The library is imported as
  before, by :func:`warm_up` in the running kernel: pandas, imported before a kernel exists, would
  take itself for a terminal's (its tables' text shown at the terminal's width).

The kernels JupyterLab starts are ipykernel's, with their debugger and matplotlib's full help.
"""

from __future__ import annotations

import gc
import importlib
import json
import signal
import sys
from pathlib import Path

from chiso766.core.imports import uncollected

__all__ = ["PREBOOT", "warm_up"]

PREBOOT = "--chiso766-preboot"
"""The argument of a kernel started before its manager (``chiso766 run``): it reads its own on stdin."""


def warm_up(report: str, spare_core: bool = True) -> None:
    """Import what ``report``'s notebook calls (the page and document machinery with it), in the kernel;
    ``spare_core``: whether its charts and table files are made by a worker process on a core the run
    has to spare (:mod:`chiso766.render.worker`).

    The first time, what the imports made (200.000 objects, all but a few thousand of them live
    until the kernel ends) is set aside from the garbage collector (``gc.freeze``): its full passes,
    two in a month's bulletin and one in each reset between runs, each went through them all (0,07 s
    a pass) for nothing. Frozen objects are not freed at the interpreter's exit, where DuckDB's
    bindings would print them as leaks: a kept kernel is killed, it never exits itself.
    """
    with uncollected():
        from chiso766.render import worker

        worker.aside(spare_core)
        if not spare_core:  # no worker draws the charts: this kernel does
            worker.import_charts()
        importlib.import_module("chiso766.render.notebook")
        importlib.import_module(f"chiso766.report.{report}")
        if not gc.get_freeze_count():
            gc.freeze()


if __name__ == "__main__":
    # Ctrl+C at the terminal reaches every process of its group: ipykernel ignores SIGINT once it
    # has started (an interrupt is its manager's to send, during a cell), and `run` ends its kernels
    # itself; a kernel still starting (a loaded machine: seconds) printed Python's traceback to the
    # terminal instead. Ignored from the first line, as ipykernel would ignore it a moment later.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # as ipykernel_launcher: the working directory leaves sys.path while ipykernel loads (its
    # InteractiveShellApp.init_path puts it back for the notebook's cells)
    if sys.path[0] == "" or Path(sys.path[0]) == Path.cwd():
        del sys.path[0]
    sys.modules["debugpy"] = None  # type: ignore[assignment]  # "import debugpy" now fails at once

    from ipykernel import kernelapp

    if sys.argv[1:] == [PREBOOT]:
        # started ahead (publish.kernel), ipykernel imported: the kernel's arguments (its connection
        # file) come on stdin once the manager has them; none (stdin closed) if no kernel is wanted
        line = sys.stdin.buffer.readline()
        if not line:
            raise SystemExit(0)
        sys.argv[1:] = json.loads(line)
    kernelapp.launch_new_instance()
