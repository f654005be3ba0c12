"""Procedures (thủ tục hành chính) that cost the province points, from formality-filtered responses.

``chiso766 snapshot --procedures N`` stores, under ``procedures/<code>/``, the portal's responses
restricted to one procedure (the same shapes as the province's own) and ``formality.json`` (its
code, id and name). For each dossier-counted component (``pooling`` = sum), the procedure's failing
dossiers (denominator − numerator at province level) are what it costs; ``gain`` is what the
province's own points would rise by if they all met the criterion, the province's other counts
unchanged.

The portal ignores the filter on some components (1.4 answers the province's whole figure): a
component whose counts equal the province's while the procedure's received dossiers are fewer than
the province's is left out rather than blamed on one procedure.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from chiso766.compute.scorecard import ScoreCard, score_snapshot
from chiso766.compute.scoring import component_points
from chiso766.core.errors import Diagnostics, InputError
from chiso766.ingest.portal import read_snapshot

__all__ = ["PROCEDURE_COLUMNS", "procedure_costs", "procedure_summary"]

PROCEDURE_COLUMNS = ["procedure_code", "procedure_name", "component", "numerator", "denominator", "failing", "gain"]
_RECEIVED = "2.1"  # the component whose denominator is the dossiers received


def _formality(folder: Path) -> dict[str, str]:
    path = folder / "formality.json"
    try:
        raw = json.loads(path.read_bytes().decode("utf-8-sig")) if path.is_file() else {}
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise InputError(f"không đọc được thông tin thủ tục ({type(exc).__name__})", path) from None
    if not isinstance(raw, dict):
        raise InputError("phải là một đối tượng JSON", path)
    return {"code": str(raw.get("code") or folder.name), "name": str(raw.get("name") or "")}


def _province_pairs(card: ScoreCard) -> dict[str, dict[Any, Any]]:
    rows = card.components[card.components["tier"] == "tinh"]
    return {str(r["component"]): r for r in rows.to_dict("records")}


def procedure_costs(snapshot: Path, card: ScoreCard) -> pd.DataFrame | None:
    """One row per procedure and dossier-counted component it fails on (:data:`PROCEDURE_COLUMNS`);
    ``None`` when the snapshot holds no ``procedures/`` folder."""
    base = snapshot / "procedures"
    if not base.is_dir():
        return None
    method = card.method
    province = _province_pairs(card)
    rows = []
    for folder in sorted(p for p in base.iterdir() if p.is_dir() and not p.name.startswith(".")):
        info = _formality(folder)
        # handling-satisfaction takes no procedure filter: its absence is expected, not a warning
        filtered = score_snapshot(read_snapshot(folder, method, Diagnostics(), every_code=False), method)
        own = _province_pairs(filtered)
        received = own.get(_RECEIVED, {}).get("denominator")
        all_received = province.get(_RECEIVED, {}).get("denominator")
        for component_id, mine in own.items():
            component = method.component(component_id)
            whole = province.get(component_id)
            num, den = mine["numerator"], mine["denominator"]
            if component.pooling != "sum" or component.max == 0 or whole is None or num is None or not den:
                continue
            if (num, den) == (whole["numerator"], whole["denominator"]) and received != all_received:
                continue  # the portal did not filter this component
            failing = int(den) - int(num)
            if failing <= 0 or whole["numerator"] is None or whole["points"] is None:
                continue
            after = component_points(component, int(whole["numerator"]) + failing, whole["denominator"]).points
            gain = None if after is None else after - Decimal(str(whole["points"]))
            rows.append(
                {
                    "procedure_code": info["code"],
                    "procedure_name": info["name"],
                    "component": component_id,
                    "numerator": int(num),
                    "denominator": int(den),
                    "failing": failing,
                    "gain": gain,
                }
            )
    return pd.DataFrame(rows, columns=PROCEDURE_COLUMNS, dtype=object)


def procedure_summary(costs: pd.DataFrame, count: int = 5) -> pd.DataFrame:
    """Procedures by the points the province would win back, most first: ``procedure_code``,
    ``procedure_name``, ``gain`` (the sum over components), ``components`` (ids, most first)."""
    rows = []
    for (code, name), part in costs.groupby(["procedure_code", "procedure_name"], sort=False):
        part = part.sort_values("gain", ascending=False, kind="stable")
        gains = [g for g in part["gain"] if g is not None]
        rows.append(
            {
                "procedure_code": code,
                "procedure_name": name,
                "gain": sum(gains, Decimal(0)),
                "components": ", ".join(str(c) for c in part["component"]),
            }
        )
    frame = pd.DataFrame(rows, columns=["procedure_code", "procedure_name", "gain", "components"], dtype=object)
    return frame.sort_values("gain", ascending=False, kind="stable").head(count).reset_index(drop=True)
