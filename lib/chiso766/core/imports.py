"""The notebook stack (papermill, nbformat) loaded without the parts a run never uses."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType

__all__ = ["papermill"]

# Imported by the stack only when present, for what a local run never asks of it:
# - rfc3987_syntax: jsonschema's two IRI format checks (a notebook's schema has no "iri" format);
#   importing it compiles an Earley grammar, 0,8 to 1,5 s. JupyterLab brings it in
#   (jsonschema[format-nongpl] through jupyter-events).
# - pyarrow.fs: papermill's hdfs:// notebooks; 0,45 s with the numpy and Arrow it loads.
_UNUSED = ("rfc3987_syntax", "pyarrow.fs")


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
