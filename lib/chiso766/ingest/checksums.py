"""Every input file a params file names, with its size and SHA-256, hashed from the bytes on disk.

The notebook shows this table first; the manifest records the same rows, so an auditor can check
that the bulletin was made from exactly these files.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chiso766.core.files import shown_path
from chiso766.core.params import Params

if TYPE_CHECKING:  # the runner checks inputs before deciding to run: it should not pay for pandas
    import pandas as pd

__all__ = ["sha256_file", "input_files", "input_table"]


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def input_files(params: Params) -> list[dict[str, Any]]:
    """One entry per file (every file of a snapshot folder): ``kind``, ``path`` (relative to the
    project folder where it lies under it: :func:`~chiso766.core.files.shown_path`), ``sha256``, ``bytes``."""
    root = params.root
    entries = []
    for kind, path in sorted(params.inputs.items()):
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            size = file.stat().st_size
            entries.append({"kind": kind, "path": shown_path(file, root), "sha256": sha256_file(file), "bytes": size})
    return entries


def input_table(params: Params) -> pd.DataFrame:
    """:func:`input_files` as a table."""
    import pandas as pd

    return pd.DataFrame(input_files(params), columns=["kind", "path", "sha256", "bytes"])
