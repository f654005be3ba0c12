"""A report's files: its tables (CSV, XLSX), its charts, ``document.json`` and the PDF made from it,
and ``audit.html``, the page of the auditor's appendices (when the document has any).

:func:`save` is the last step of every notebook; the runner then renders the page from the executed
notebook.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Protocol

from chiso766.core.files import write_atomic
from chiso766.render import figures, table_files
from chiso766.render.html import AUDIT_PAGE, audit_page, audit_sections
from chiso766.render.pdf import pdf_aside
from chiso766.report.outline import Block, Details, Document, Figure

__all__ = ["Saved", "document_json", "save"]


class Saved(Protocol):
    """What a report model gives to be saved beside its document (which carries the tables): what
    its manifest records."""

    def document_extra(self) -> dict[str, Any]: ...


def _block(block: Block) -> dict[str, Any]:
    if isinstance(block, Figure):
        return {
            "name": block.name,
            "caption": block.caption,
            "alt": block.alt,
            "png": block.png,
            "svg": block.svg,
            "kind": block.kind,
        }
    data = {name: getattr(block, name) for name in block.__dataclass_fields__}
    if isinstance(block, Details):
        data["blocks"] = [_block(b) for b in block.blocks]
    return data


def document_json(document: Document, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The document as the Typst template reads it: header facts, then sections of blocks."""
    return {
        "form": document.form,
        "subject": document.subject,
        "to": document.to,
        "closing": document.closing,
        "attached": document.attached,
        "footnotes": document.footnotes,
        "kind": document.kind,
        "doc_type": document.doc_type,
        "title": document.title,
        "subtitle": document.subtitle,
        "issuer": document.issuer,
        "sections": [
            {
                "id": s.id,
                "title": s.title,
                "level": s.level,
                "pdf": s.pdf,
                "appendix": s.appendix,
                "label": s.label,
                "blocks": [_block(b) for b in s.blocks],
            }
            for s in document.sections
        ],
    } | (extra or {})


# document.json's levels written a line per item: down to each table's rows, a row a line
_LINED = 6


def _json_lines(value: object, levels: int, indent: str = "") -> str:
    """``value`` as JSON, each item of its first ``levels`` levels on a line of its own, each deeper
    value whole on its line: readable and diffable, and written by json's C encoder, where indenting
    every level takes its pure-Python one (three times the time, twice the bytes for Typst to read).

    Examples
    --------
    >>> print(_json_lines({"rows": [["Xã A", 1], ["Xã B", 2]], "note": ""}, 2))
    {
     "rows": [
      ["Xã A", 1],
      ["Xã B", 2]
     ],
     "note": ""
    }
    """
    if levels and value and isinstance(value, (dict, list)):
        inner = indent + " "
        if isinstance(value, dict):
            items = [
                f"{inner}{json.dumps(str(k), ensure_ascii=False)}: {_json_lines(v, levels - 1, inner)}"
                for k, v in value.items()
            ]
            return "{\n" + ",\n".join(items) + f"\n{indent}}}"
        items = [inner + _json_lines(v, levels - 1, inner) for v in value]
        return "[\n" + ",\n".join(items) + f"\n{indent}]"
    return json.dumps(value, ensure_ascii=False, default=str)


def save(report: Saved, document: Document, out_dir: str | Path) -> Path:
    """Write figures/, document.json, bulletin.pdf, tables/*.csv, tables.xlsx and audit.html into ``out_dir``."""
    folder = Path(out_dir)
    payload = document_json(document, report.document_extra())
    write_atomic(folder / "document.json", (_json_lines(payload, _LINED) + "\n").encode("utf-8"))
    for figure in document.figures():
        figures.save_svg(figure, folder)
    # what the PDF reads is written: Typst lays it out on the other core while the figures' other
    # files (their PNG drawn meanwhile) and the tables are written
    with pdf_aside(folder) as pdf:
        for figure in document.figures():
            figures.save(figure, folder)
        # tables/*.csv, tables.xlsx and one workbook per table (what each table's link downloads)
        table_files.take(document.data).write(folder)
        if audit_sections(document):
            write_atomic(folder / AUDIT_PAGE, audit_page(document).encode("utf-8"))
        write_atomic(folder / "bulletin.pdf", pdf.result())
    return folder
