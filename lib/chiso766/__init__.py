"""chiso766: reproducible, auditable bulletins of Vietnam's Bộ chỉ số 766.

The public API is small; everything else lives in modules named for what they hold.

>>> from chiso766 import load_methodology, component_points
>>> component_points(load_methodology().component("2.1"), 7404, 10000).points
Decimal('14.81')
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

# name → (module, attribute): imported on first use, so that ``chiso766 --help`` or ``--version`` does
# not pay for pandas, DuckDB and pydantic (PEP 562)
_PUBLIC = {
    "load_methodology": ("chiso766.core.methodology", "load"),
    "methodology_table": ("chiso766.core.methodology", "methodology_table"),
    "version_for": ("chiso766.core.methodology", "version_for"),
    "load_params": ("chiso766.core.params", "load_params"),
    "parse_period": ("chiso766.core.periods", "parse_period"),
    "build_scorecard": ("chiso766.compute.pipeline", "build_scorecard"),
    "score_tables": ("chiso766.compute.pipeline", "score_tables"),
    "competition_rank": ("chiso766.compute.ranking", "competition_rank"),
    "component_points": ("chiso766.compute.scoring", "component_points"),
    "group_points": ("chiso766.compute.scoring", "group_points"),
    "total_points": ("chiso766.compute.scoring", "total_points"),
}

__all__ = [*_PUBLIC, "__version__"]


def __getattr__(name: str) -> Any:
    if name not in _PUBLIC:
        raise AttributeError(f"module 'chiso766' has no attribute {name!r}")
    module, attribute = _PUBLIC[name]
    value = getattr(import_module(module), attribute)
    globals()[name] = value
    return value
