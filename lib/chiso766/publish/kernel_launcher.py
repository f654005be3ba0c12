"""The kernel ``chiso766 run`` starts (``python -m chiso766.publish.kernel_launcher -f …``):
ipykernel's own, as ``ipykernel_launcher`` starts it, without what only a person at the notebook uses.

* ipykernel imports debugpy as it starts, a tenth of a second of every kernel's start, for a debugger
  that a run's notebook never uses: papermill executes cells, it debugs none. Marked absent, debugpy
  is not imported and ipykernel runs without a debugger, as where debugpy is not installed.
* matplotlib writes, as it imports, the list of every property into the docstring of each artist's
  ``set`` method (``help(ax.set)``): a quarter of a second of each kernel's imports, for help text
  nobody reads in a run. Here that list is left empty; what is drawn does not change.

The kernels JupyterLab starts are ipykernel's, with their debugger and matplotlib's full help.
"""

import sys
from pathlib import Path

if __name__ == "__main__":
    # as ipykernel_launcher: the working directory leaves sys.path while ipykernel loads (its
    # InteractiveShellApp.init_path puts it back for the notebook's cells)
    if sys.path[0] == "" or Path(sys.path[0]) == Path.cwd():
        del sys.path[0]
    sys.modules["debugpy"] = None  # type: ignore[assignment]  # "import debugpy" now fails at once
    # the artists' module only (matplotlib's core: every report's charts import it); the artists
    # defined after it (lines, patches, text…) ask this function for their help text
    import matplotlib.artist

    matplotlib.artist.kwdoc = lambda artist: ""

    from ipykernel import kernelapp

    kernelapp.launch_new_instance()
