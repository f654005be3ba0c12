"""The methodology and calendar tables shipped in ``core/data/`` (CSV), read one way for every module."""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

__all__ = ["data_rows"]


@cache
def data_rows(name: str) -> tuple[dict[str, str], ...]:
    """The rows of ``core/data/<name>`` as mappings from header to cell text.

    Examples
    --------
    >>> data_rows("groups.csv")[0]["key"]
    'cong_khai'
    """
    text = resources.files("chiso766.core").joinpath("data", name).read_text(encoding="utf-8")
    return tuple(csv.DictReader(text.splitlines()))
