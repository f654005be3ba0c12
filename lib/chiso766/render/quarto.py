"""Quarto, where a ``quarto`` binary is on PATH and params ask for it (``renderer: quarto``).

Quarto cannot be installed on every machine (RENDERING.md): it is an option, never required.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

__all__ = ["quarto_available", "render_quarto"]


def quarto_available() -> bool:
    return shutil.which("quarto") is not None


def render_quarto(notebook_path: Path, out_dir: Path) -> None:
    """Render with Quarto (HTML and Typst PDF) into ``out_dir`` as bulletin.html and bulletin.pdf."""
    for fmt, name in (("html", "bulletin.html"), ("typst", "bulletin.pdf")):
        subprocess.run(
            [
                "quarto",
                "render",
                str(notebook_path),
                "--to",
                fmt,
                "--no-execute",
                "--output",
                name,
                "--output-dir",
                str(out_dir),
            ],
            check=True,
            capture_output=True,
        )
