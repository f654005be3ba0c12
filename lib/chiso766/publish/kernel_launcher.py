"""The kernel ``chiso766 run`` starts (``python -m chiso766.publish.kernel_launcher -f …``):
ipykernel's own, as ``ipykernel_launcher`` starts it, without its debugger.

ipykernel imports debugpy as it starts, a tenth of a second of every kernel's start, for a debugger
that a run's notebook never uses: papermill executes cells, it debugs none. Marked absent, debugpy is
not imported and ipykernel runs without a debugger, as where debugpy is not installed. The kernels
JupyterLab starts are ipykernel's, with their debugger.
"""

import sys
from pathlib import Path

if __name__ == "__main__":
    # as ipykernel_launcher: the working directory leaves sys.path while ipykernel loads (its
    # InteractiveShellApp.init_path puts it back for the notebook's cells)
    if sys.path[0] == "" or Path(sys.path[0]) == Path.cwd():
        del sys.path[0]
    sys.modules["debugpy"] = None  # type: ignore[assignment]  # "import debugpy" now fails at once

    from ipykernel import kernelapp

    kernelapp.launch_new_instance()
