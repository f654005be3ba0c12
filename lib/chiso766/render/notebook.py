"""What a report's notebook calls, one step a cell: the params, the inputs and their checksums, what
was read, each section of the bulletin as it will appear, and the files the runner renders.

A notebook opened in JupyterLab runs with its shipped parameters (paths relative to the project
folder, found from the notebook's own folder); ``chiso766 run`` gives absolute paths and ``out_dir``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

from chiso766.compute.facts import readings
from chiso766.core.files import shown_path
from chiso766.core.params import Params, load_params
from chiso766.core.textvi import fmt_date
from chiso766.ingest.checksums import input_table
from chiso766.render import figures, table_files, worker
from chiso766.render.document import Saved
from chiso766.render.document import save as save_files
from chiso766.render.html import HTML, appendix_html, header_html, section_html, signature_html
from chiso766.report.outline import Document, tell

__all__ = ["Whole", "load", "describe", "inputs", "read", "header", "sections", "appendices", "signature", "save"]


def _locate(params_path: str | Path) -> Path:
    """A relative path as given, else found from the current folder upwards (a notebook runs in its own
    folder, the params live in the project folder)."""
    path = Path(params_path)
    if path.is_absolute() or path.exists():
        return path
    for parent in Path.cwd().resolve().parents:
        if (parent / path).exists():
            return parent / path
    return path


_SAVING: dict[str, bool] = {"files": False}

# Links to the files a run writes beside the page (tables/…, figures/…): without an output folder
# (a notebook opened in JupyterLab) nothing is written, so the links would lead nowhere.
_FILE_LINKS = re.compile(r'<p class="download">.*?</p>|<span class="files">.*?</span>', re.DOTALL)


def load(params_path: str | Path, overrides: list[str] | None = None, out_dir: str | Path = "") -> Params:
    """The params file, overridden and checked: every key, nested, before anything is read.

    ``out_dir`` is where ``chiso766 run`` will write the files; empty (JupyterLab), the sections are
    shown without links to files that will not exist.
    """
    _SAVING["files"] = bool(out_dir)
    params = load_params(_locate(params_path), overrides)
    worker.forget()
    # the worker's imports overlap the build; it draws the charts and makes the tables' files while
    # the kernel outlines the document, and finishes them while the kernel shows it
    if out_dir and worker.warm():
        tell(figures.ahead, table_files.ahead)
    else:
        tell()
    return params


def _shown(html: HTML) -> HTML:
    return html if _SAVING["files"] else HTML(_FILE_LINKS.sub("", html.text))


class Whole:
    """A table the notebook shows whole, every row and every character: a SHA-256 cut to 46 characters
    or a path to 50 (as a frame is shown) cannot be checked against the manifest. ``frame`` is the table.

    Examples
    --------
    >>> "..." not in repr(Whole(pd.DataFrame({"sha256": ["0" * 64]})))
    True
    """

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame

    def _repr_html_(self) -> str:
        return self.frame.to_html(index=False)

    def __repr__(self) -> str:
        return self.frame.to_string(index=False)


def describe(params: Params) -> Whole:
    """The params a reader checks first: report, period, as-of date, province, rule inputs (named from
    the project folder, as the manifest names them)."""
    rows = [
        ("report", params.report),
        ("kỳ", params.period.describe_vi()),
        ("tính đến ngày", fmt_date(params.as_of)),
        ("tỉnh, thành phố", str(params.get("province", ""))),
    ]
    rows += [(f"dữ liệu vào: {kind}", shown_path(path, params.root)) for kind, path in sorted(params.inputs.items())]
    return Whole(pd.DataFrame(rows, columns=["tham số", "giá trị"]))


def inputs(params: Params) -> Whole:
    """Every input file with its size and SHA-256, as the manifest records them."""
    return Whole(input_table(params))


def read(model: Any) -> pd.DataFrame:
    """Rows read, used and quarantined for each input of a report model."""
    loaded = list(getattr(model, "loaded", None) or getattr(getattr(model, "dossiers", None), "loaded", None) or [])
    return readings(getattr(model, "card", None), loaded)


def header(document: Document) -> HTML:
    """The document's heading; when the run saves files, its tables (final once outlined) are handed
    to :mod:`~chiso766.render.table_files`'s worker, which encodes them while the sections are shown."""
    if _SAVING["files"]:
        table_files.begin(document.data)
    return header_html(document)


def sections(document: Document, *ids: str) -> HTML:
    """The named sections present in the document, in the document's order."""
    return _shown(HTML("".join(section_html(s, document).text for s in document.sections if s.id in ids)))


def appendices(document: Document) -> HTML:
    """The appendices, in the document's order; a long auditor's appendix (the per-unit trace) as a
    link to ``audit.html``, which :func:`save` writes with every auditor's appendix."""
    return _shown(HTML("".join(appendix_html(s, document).text for s in document.sections if s.appendix)))


def signature(document: Document) -> HTML:
    return signature_html(document)


def save(model: Saved, document: Document, out_dir: str | Path | None) -> Path | None:
    """Write tables, charts, document.json, the PDF and audit.html into ``out_dir`` (given by
    ``chiso766 run``; empty: nothing)."""
    tell()  # the run's charts and tables are all made: one made later is not the worker's to make
    return save_files(model, document, out_dir) if out_dir else None
