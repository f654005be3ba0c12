"""Every input file a params file names, with its size and SHA-256, hashed from the bytes on disk.

The notebook shows this table first; the manifest records the same rows, so an auditor can check
that the bulletin was made from exactly these files.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chiso766.core.params import Params, project_root

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
    """One entry per file (every file of a snapshot folder): ``kind``, ``path``, ``sha256``, ``bytes``."""
    entries = []
    for kind, path in sorted(params.inputs.items()):
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            entries.append({"kind": kind, "path": str(file), "sha256": sha256_file(file), "bytes": file.stat().st_size})
    return entries


def input_table(params: Params) -> pd.DataFrame:
    """:func:`input_files` as a table, paths relative to the project folder where they lie under it."""
    import pandas as pd

    table = pd.DataFrame(input_files(params), columns=["kind", "path", "sha256", "bytes"])
    root = project_root(params.path) if params.path else Path.cwd()
    table["path"] = [str(Path(p).relative_to(root)) if Path(p).is_relative_to(root) else p for p in table["path"]]
    return table
