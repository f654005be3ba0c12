"""The notebook stack (papermill, nbformat, nbconvert) loaded without what it never uses."""

from __future__ import annotations

import sys

__all__ = ["trim_notebook_stack"]


def trim_notebook_stack() -> None:
    """Keep jsonschema from loading ``rfc3987_syntax``; call before papermill or nbformat is imported.

    jsonschema registers two IRI format checks when ``rfc3987_syntax`` is importable, and importing it
    compiles an Earley grammar: 0,8 to 1,5 s on every run, for checks a notebook's schema never asks
    for (it has no ``iri`` format). JupyterLab brings the package in (``jsonschema[format-nongpl]``
    through jupyter-events). Marked absent (``None`` in ``sys.modules``, so its import raises
    ImportError), jsonschema leaves those two checks out, as where the package is not installed.
    A process that has loaded jsonschema already is left as it is.

    Examples
    --------
    >>> trim_notebook_stack()
    >>> import nbformat  # doctest: +SKIP
    """
    if "jsonschema" not in sys.modules:
        # None is the import system's own mark of a module known to be absent (typeshed allows modules only)
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
