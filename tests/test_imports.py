"""The notebook stack loaded without what a run never uses (core.imports)."""

from __future__ import annotations

import json
import subprocess
import sys

from chiso766.core.imports import _UNUSED


def test_the_stack_loads_without_the_unused_parts_validates_notebooks_and_leaves_them_importable():
    """jsonschema's format checkers and pyarrow.fs are not loaded by papermill(); a notebook is still
    validated (nbformat asks for no format), and each left-out module imports as usual afterwards."""
    code = (
        "import importlib, importlib.util, json, sys\n"
        "from chiso766.core.imports import _UNUSED, papermill\n"
        "from chiso766.publish.kernel import NOTEBOOKS\n"
        "papermill()\n"
        "import nbformat\n"
        "loaded = sorted(n for n in _UNUSED if sys.modules.get(n) is not None)\n"
        "nbformat.validate(nbformat.read(NOTEBOOKS / 'bulletin_766.ipynb', as_version=4))\n"
        "after = [n for n in _UNUSED if importlib.util.find_spec(n.split('.')[0]) is not None]\n"
        "for name in after:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps([loaded, after]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    loaded, importable = json.loads(done.stdout)
    assert loaded == []
    # JupyterLab's stack brings them (jsonschema[format-nongpl]): the test means something only then
    assert {"rfc3987_syntax", "isoduration", "pyarrow.fs"} <= set(importable)
    assert set(importable) <= set(_UNUSED)
