"""chiso766: reproducible, auditable bulletins of Vietnam's Bộ chỉ số 766.

The public API is small; everything else lives in modules named for what they hold.

>>> from chiso766 import load_methodology, component_points
>>> component_points(load_methodology().component("2.1"), 7404, 10000).points
Decimal('14.81')
"""

from __future__ import annotations

from chiso766.compute.pipeline import build_scorecard, score_tables
from chiso766.compute.ranking import competition_rank
from chiso766.compute.scoring import component_points, group_points, total_points
from chiso766.core.methodology import load as load_methodology
from chiso766.core.methodology import methodology_table, version_for
from chiso766.core.params import load_params
from chiso766.core.periods import parse_period

__version__ = "0.1.0"

__all__ = [
    "load_methodology",
    "methodology_table",
    "version_for",
    "load_params",
    "parse_period",
    "build_scorecard",
    "score_tables",
    "competition_rank",
    "component_points",
    "group_points",
    "total_points",
    "__version__",
]
