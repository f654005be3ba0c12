"""One entry point from params to the score card, shared by the CLI and the notebooks."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from chiso766.compute.history import Point, read_history
from chiso766.compute.national import NATIONAL_COLUMNS, National, national_table, standing
from chiso766.compute.procedures import procedure_costs
from chiso766.compute.ranking import changes
from chiso766.compute.scorecard import COMPONENT_COLUMNS, UNIT_COLUMNS, ScoreCard, from_unit_table, score_snapshot
from chiso766.core.errors import Diagnostics, InputError, ParamsError
from chiso766.core.methodology import GROUP_KEYS, Methodology, load, version_for
from chiso766.core.params import Params
from chiso766.core.textvi import fmt_count, fmt_date
from chiso766.ingest.national import captured_on, read_national
from chiso766.ingest.portal import captured_days, monthly_chart, read_snapshot
from chiso766.ingest.scores import read_scores
from chiso766.ingest.units import params_registry

__all__ = [
    "methodology_for",
    "build_scorecard",
    "build_previous",
    "build_history",
    "build_monthly",
    "build_national",
    "changes_table",
    "card_tables",
    "score_tables",
    "warnings_table",
]


def methodology_for(params: Params) -> Methodology:
    """The rule version stated in params, else the one in force on the as-of date."""
    return load(str(params.get("methodology_version") or version_for(params.as_of)))


def build_scorecard(params: Params, source: str | None = None, *, states_as_of: bool = True) -> ScoreCard:
    """Read the params' inputs and score them: a portal snapshot if given, else a score table.

    ``source`` names another input to score instead (``previous``: the previous period, a snapshot
    folder or a score table). ``states_as_of``: the report states the params' ``as_of`` as its
    figures' date, so a score table must reach it (a unit report states its last figures' own date).
    """
    registry = params_registry(params)
    stated = params.get("methodology_version")

    def method_for(as_of: date | None) -> Methodology:
        return load(str(stated or version_for(as_of or params.as_of)))

    path = params.inputs[source] if source else params.inputs.get("portal", params.inputs.get("scores"))
    if path is None:
        raise ParamsError("không có dữ liệu điểm để tính: cần inputs.portal hoặc inputs.scores", params.path)
    if path.is_dir():
        method = methodology_for(params)
        snapshot = read_snapshot(path, method, period=None if source else params.period)
        if not source and states_as_of:
            _require_captured_by(path, snapshot.endpoints, params)
        card = score_snapshot(snapshot, method, registry, None if source else params.as_of)
    else:
        found = Diagnostics()
        table = read_scores(path, method_for, registry, None if source else params.as_of, found)
        if not source:
            table = _in_period(table, params, path, found, states_as_of)
        card = from_unit_table(table, method_for)
        card.diagnostics = found.interleaved(card.diagnostics)  # reading's and scoring's, line by line
    if not source:  # what the params themselves warn of (an unknown province) comes first
        _require_same_province(params, card, path)
        card.diagnostics.items[:0] = list(params.warnings)
    return card


def _require_same_province(params: Params, card: ScoreCard, path: Path) -> None:
    rows = card.units[card.units["tier"] == "tinh"]
    if not rows.empty:
        params.require_province_of(rows.iloc[0]["unit_name"], path)


def _in_period(
    table: pd.DataFrame, params: Params, path: Path, diagnostics: Diagnostics, states_as_of: bool
) -> pd.DataFrame:
    """The score table's rows a report of the period may use: those dated after ``as_of`` are left out
    (a warning says so: figures of 07/10 in a report "tính đến ngày 30/09"); a table with no row
    dated in the period is refused (a report of quý III made of quý II's figures), and, for a report
    that ``states_as_of``, so is one whose latest row is dated before it (figures of 07/10 in a
    report "tính đến ngày 31/12", read as final)."""
    later = table[table["as_of"].map(lambda d: isinstance(d, date) and d > params.as_of)]
    days = ", ".join(fmt_date(d) for d in sorted(set(later["as_of"])))
    if len(later):
        diagnostics.warn(
            "after_as_of",
            f"{fmt_count(len(later))} dòng tính đến sau ngày {fmt_date(params.as_of)} của báo cáo (ngày {days}): "
            "không dùng",
            path,
            column="as_of",
        )
        table = table.drop(later.index)
    usable = [d for d in table["as_of"] if isinstance(d, date)]
    if (usable and max(usable) < params.period.start) or (len(later) and not usable):
        latest = f"ngày gần nhất trước đó là {fmt_date(max(usable))}" if usable else f"bảng tính đến ngày {days}"
        raise InputError(
            f"không có dòng nào tính đến một ngày trong kỳ (từ ngày {fmt_date(params.period.start)} đến ngày "
            f"{fmt_date(params.as_of)}); {latest}. Kiểm tra kỳ (period), ngày tính đến (as_of) của tệp tham số "
            "và cột as_of của bảng",
            path,
            column="as_of",
        )
    if states_as_of and usable and (newest := max(usable)) < params.as_of:
        raise InputError(
            f"số liệu của bảng tính đến ngày {fmt_date(newest)}, trước ngày tính đến {params.as_of_said} của tệp "
            f"tham số: bản tin sẽ nêu số liệu «tính đến» một ngày bảng không có; đặt as_of: {newest.isoformat()} "
            "trong tệp tham số",
            path,
            column="as_of",
        )
    return table


def _require_captured_by(folder: Path, endpoints: list[str], params: Params) -> None:
    """A snapshot whose groups were captured before ``as_of`` is refused, as a score table is
    (:func:`_in_period`): the portal's figures of 26/09 stated «tính đến ngày 31/12» would be read as
    final. The earliest capture of the groups read decides: each group's figures are its own day's."""
    captured = captured_days(folder)
    days = [captured[endpoint] for endpoint in endpoints if endpoint in captured]
    if days and (earliest := min(days))[0] < params.as_of:
        day, key = earliest
        raise InputError(
            f"ảnh chụp Cổng có nhóm chỉ số được chụp ngày {fmt_date(day)}, trước ngày tính đến {params.as_of_said} "
            "của tệp tham số: bản tin sẽ nêu số liệu «tính đến» một ngày ảnh chụp không có; đặt as_of: "
            f"{day.isoformat()} trong tệp tham số, hoặc chụp lại Cổng",
            folder / "snapshot.json",
            column=key,
        )


def build_previous(params: Params, history: list[Point] | None = None) -> ScoreCard | None:
    """The previous period's score card: ``inputs.previous`` when params give it, else the last
    earlier point of the history."""
    if "previous" in params.inputs:
        return build_scorecard(params, "previous")
    return history[-2].card if history is not None and len(history) > 1 else None


def build_history(params: Params, card: ScoreCard) -> list[Point] | None:
    """The history of ``inputs.history`` ending with the current card, when params give one."""
    if "history" not in params.inputs:
        return None
    registry = params_registry(params)
    current = Point(params.period.label, params.as_of, card, params.period)
    return read_history(params.inputs["history"], current, registry, params.get("methodology_version"))


_NATIONAL = "service-results.json"


def build_national(params: Params, card: ScoreCard) -> National | None:
    """The province among the 34, when the snapshot holds the portal's national list (and the previous
    period's, when ``inputs.previous`` is a snapshot that holds one)."""
    folder = params.inputs.get("portal")
    if folder is None or not (folder / _NATIONAL).is_file():
        return None
    listing = read_national(folder / _NATIONAL, card.diagnostics)
    before = params.inputs.get("previous")
    previous = read_national(before / _NATIONAL) if before is not None and (before / _NATIONAL).is_file() else None
    province = card.units[card.units["tier"] == "tinh"]
    own = province.iloc[0] if len(province) else None
    found = standing(
        listing,
        code=None if own is None else str(own["unit_code"]) or None,
        name=str(params.get("province") or "") or None,
        recomputed_total=None if own is None else own["total"],
        previous=previous,
    )
    if found is None:
        card.diagnostics.warn(
            "national_missing",
            f"không tìm thấy {params.get('province') or 'tỉnh'} trong danh sách xếp hạng toàn quốc",
            folder,
        )
        return None
    return National(found, national_table(listing)[list(NATIONAL_COLUMNS)], captured_on(folder, "service-results"))


_UNITS_LIST = "service-results-units.json"


def build_unit_results(params: Params, card: ScoreCard) -> pd.DataFrame | None:
    """Each unit's total in the portal's evaluation of the province's units beside the recomputed one,
    when the snapshot holds that list: ``unit_code, unit_name, tier, total, list_total, difference``."""
    folder = params.inputs.get("portal")
    if folder is None or not (folder / _UNITS_LIST).is_file():
        return None
    listed = read_national(folder / _UNITS_LIST, card.diagnostics).members.set_index("unit_code")["total"]
    units = card.units[card.units["tier"] != "tinh"][["unit_code", "unit_name", "tier", "total"]].copy()
    units["list_total"] = [listed.get(code) for code in units["unit_code"]]
    units["difference"] = [
        None if t is None or g is None else t - g for t, g in zip(units["total"], units["list_total"], strict=True)
    ]
    return units.reset_index(drop=True).astype(object)


def build_procedures(params: Params, card: ScoreCard) -> pd.DataFrame | None:
    """What each procedure of the snapshot's ``procedures/`` folder costs the province, when it has one."""
    folder = params.inputs.get("portal")
    return procedure_costs(folder, card) if folder is not None and not card.components.empty else None


def build_monthly(params: Params) -> pd.DataFrame | None:
    """The portal's monthly on-time and overdue shares of the province, from a snapshot's progress response."""
    folder = params.inputs.get("portal")
    return monthly_chart(folder) if folder is not None else None


def changes_table(card: ScoreCard, previous: ScoreCard) -> pd.DataFrame:
    """Each unit's points and rank now and in the previous period, with the change."""
    latest = previous.units
    if latest["as_of"].notna().any():
        latest = latest[latest["as_of"] == latest["as_of"].dropna().max()]
    columns = [*GROUP_KEYS, "total"]
    merged = changes(card.units, latest, "unit_key", columns)
    keep = ["unit_code", "unit_name", "tier"]
    for column in (*columns, "rank"):
        keep += [column, f"{column}_prev", f"{column}_change"]
    return merged[keep]


def score_tables(card: ScoreCard, previous: ScoreCard | None = None) -> dict[str, pd.DataFrame]:
    """The tables ``chiso766 score`` writes, named as in CONTRACT.md (``components`` when known):
    :func:`card_tables`, then the warnings."""
    return card_tables(card, previous) | {"warnings": warnings_table(card.diagnostics)}


def card_tables(card: ScoreCard, previous: ScoreCard | None = None) -> dict[str, pd.DataFrame]:
    """The score tables but the warnings: the units, components, differences, groups and changes,
    final once the card and the previous one are (the warnings are not until every input is read)."""
    units = card.units.copy()
    units = units.sort_values(["tier", "rank", "unit_name"], key=_sort_key, kind="stable")
    tables = {
        "units": units[[*UNIT_COLUMNS, *(c for c in ("portal_total", "portal_rank", "as_of") if c in units.columns)]]
    }
    if not card.components.empty:
        tables["components"] = card.components[[*COMPONENT_COLUMNS, "formula", "status", "reason", "data_quality"]]
        tables["differences"] = card.differences
    tables["groups"] = card.groups.drop(columns=["unit_key"])
    if previous is not None:
        tables["changes"] = changes_table(card, previous)
    return tables


def warnings_table(diagnostics: Diagnostics) -> pd.DataFrame:
    """``tables/warnings.csv``: each warning of the run (what ``chiso766 run`` also says on the
    terminal), its file by name: the table reads the same wherever the inputs lie (the run that
    ``verify`` makes finds them where they are now), and names no one's folders on the portal."""
    rows = [{**w.as_row(), "file": Path(w.path).name if w.path else ""} for w in diagnostics.items]
    return pd.DataFrame(rows, columns=["kind", "unit", "file", "row", "column", "message"])


def _sort_key(column: pd.Series) -> pd.Series:
    if column.name == "tier":
        return column.map({"tinh": 0, "so": 1, "xa": 2}).fillna(3)
    if column.name == "rank":
        return column.map(lambda r: 10**9 if r is None or r != r else r)
    return column
