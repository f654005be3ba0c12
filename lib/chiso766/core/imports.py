"""The notebook stack (papermill, nbformat) loaded without the parts a run never uses, and imports
made without the garbage collector's passes."""

from __future__ import annotations

import gc
import importlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType

__all__ = ["papermill", "uncollected"]

# Imported by the stack only when present, for what a local run never asks of it:
# - jsonschema's format checkers, which nbformat never asks for (it validates a notebook without a
#   FormatChecker; its schema has no "format" keyword). JupyterLab brings them in
#   (jsonschema[format-nongpl] through jupyter-events), and jsonschema imports each one it finds:
#   rfc3987_syntax (IRIs) compiles an Earley grammar, 0,8 to 1,5 s; isoduration (durations) loads
#   arrow, 0,035 s; the others (URIs, dates, colours, JSON pointers, URI templates, host names)
#   0,02 s together.
# - pyarrow.fs: papermill's hdfs:// notebooks; 0,45 s with the numpy and Arrow it loads.
_UNUSED = (
    "rfc3987_syntax",
    "isoduration",
    "rfc3986_validator",
    "rfc3987",
    "rfc3339_validator",
    "webcolors",
    "jsonpointer",
    "uri_template",
    "fqdn",
    "pyarrow.fs",
)


@contextmanager
def _absent(names: tuple[str, ...]) -> Iterator[None]:
    """While inside, importing any of ``names`` not loaded yet raises ImportError (as if not installed)."""
    marked = [name for name in names if name not in sys.modules]
    for name in marked:
        # None is the import system's own mark of a module known to be absent (typeshed allows modules only)
        sys.modules[name] = None  # type: ignore[assignment]
    try:
        yield
    finally:
        for name in marked:
            if name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]  # later imports (pyarrow.parquet needs pyarrow.fs) work as usual


@contextmanager
def uncollected() -> Iterator[None]:
    """While inside, the garbage collector makes no pass; after, it is on again if it was before.
    (The switch is the process's: two threads inside at once leave it on once both are out.)

    Imports make objects by the hundred thousand and leave almost none as garbage: each of the
    collector's passes over them finds nothing, and the full ones cost 0,05 s each by the end of the
    library's imports (two of them in a kernel's, one in the notebook stack's, one in the page's).

    Examples
    --------
    >>> with uncollected():
    ...     import json
    >>> gc.isenabled()
    True
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def papermill() -> ModuleType:
    """papermill, imported (with nbformat and jsonschema) without :data:`_UNUSED`.

    The two stay importable afterwards; only the stack's optional uses of them are left out, as where
    they are not installed. A process that loaded the stack already gets it as it is.

    Examples
    --------
    >>> papermill().__name__
    'papermill'
    """
    with _absent(_UNUSED):
        importlib.import_module("nbformat")
        return importlib.import_module("papermill")
