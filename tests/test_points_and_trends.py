"""Issue 12: points at stake recomputed independently from the portal's JSON, history over periods,
provisional marking, the monthly chart, and the province among the 34 in the bulletin."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from chiso766.compute.history import Point, history_table, read_history
from chiso766.compute.scorecard import from_unit_table, score_snapshot
from chiso766.compute.stakes import (
    STAKE_COLUMNS,
    fix_existing,
    future_only,
    points_at_stake,
    province_holders,
    systemic,
    unit_actions,
)
from chiso766.core.errors import InputError
from chiso766.core.methodology import load
from chiso766.ingest.portal import monthly_chart, read_snapshot
from chiso766.ingest.scores import read_scores
from chiso766.report import bulletin_766
from chiso766.report.outline import Details, Figure, Table
from tests.conftest import PORTAL_REF, ROOT, build_snapshot
from tests.fixtures_national import RANKING_CSV, national_response

METHOD = load("2026")


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def _expected(numerator: int, denominator: int, threshold: int) -> tuple[int, int | None]:
    """fix_existing and future_only from CONTRACT.md's definitions, in whole numbers only."""
    fix = max(0, _ceil_div(threshold * denominator, 100) - numerator)
    if threshold == 100:
        return fix, None
    future = max(0, _ceil_div(threshold * denominator - 100 * numerator, 100 - threshold))
    return fix, future


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    folder = build_snapshot(tmp_path_factory.mktemp("month") / "snap", "month", "all")
    card = score_snapshot(read_snapshot(folder, METHOD), METHOD)
    return points_at_stake(card)


def _raw(endpoint: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((PORTAL_REF / endpoint / "month-all.json").read_text(encoding="utf-8"))["data"]
    return data


def _row(stakes: pd.DataFrame, code: str, component: str) -> pd.Series:
    hit = stakes[(stakes["unit_code"] == code) & (stakes["component"] == component)]
    assert len(hit) == 1, (code, component)
    return hit.iloc[0]


def test_columns_are_the_contract(month: pd.DataFrame) -> None:
    assert list(month.columns) == STAKE_COLUMNS
    assert set(month["owner"]) == {"province", "unit"}
    assert (month["points_lost"] > 0).all()


def test_on_time_handling_threshold_100_has_no_future_only(month: pd.DataFrame) -> None:
    """2.1 (no threshold): fix = received − on time, and new dossiers alone never reach 100 %."""
    checked = 0
    for child in _raw("dvc-progress-tree")["children"][:40]:
        num, den = child["totalOnTime"], child["totalReceived"]
        if not den or num == den:
            continue
        row = _row(month, child["departmentCode"], "2.1")
        assert (row["numerator"], row["denominator"], row["threshold"]) == (num, den, Decimal(100))
        assert (row["fix_existing"], row["future_only"]) == _expected(num, den, 100)
        assert row["points_lost"] == Decimal(20) - Decimal(str(child["score"]))
        assert row["points_per_dossier"] == (row["points_lost"] / row["fix_existing"]).quantize(Decimal("0.000001"))
        assert row["owner"] == "unit"
        checked += 1
    assert checked >= 20


def test_reuse_of_digitized_data_threshold_80(month: pd.DataFrame) -> None:
    """4.3 (threshold 80 %): both counts from the reference response, in whole numbers."""
    checked = 0
    for unit in _raw("dossier-digitized")["evaluation"]:
        metric = next(m for m in unit["metrics"] if m["code"] == "REUSED_DIGITIZED_DATA")
        num, den = metric["numerator"], metric["denominator"]
        if not den or num * 100 >= 80 * den:
            continue
        row = _row(month, unit["departmentCode"], "4.3")
        assert (row["fix_existing"], row["future_only"]) == _expected(num, den, 80)
        assert row["threshold"] == Decimal(80)
        checked += 1
    assert checked >= 100
    bình_phú = _row(month, "H44.116", "4.3")  # 63/796: ⌈636,8⌉ − 63 = 574; (63 + 2869)/(796 + 2869) = 80 %
    assert (bình_phú["fix_existing"], bình_phú["future_only"]) == (574, 2869)


def test_fee_procedures_threshold_80_and_province_satisfaction_90(month: pd.DataFrame) -> None:
    payment = _raw("formality-online-payment-tree")
    parent = payment["parent"]
    row = _row(month, parent["departmentCode"], "3.5")
    num, den = parent["totalFeeDossierFormality"], parent["totalFeeFormality"]
    assert (row["numerator"], row["denominator"]) == (num, den)
    assert (row["fix_existing"], row["future_only"]) == _expected(num, den, 80) == (192, 960)
    satisfaction = _raw("handling-satisfaction")["overview"]
    metric = next(m for m in satisfaction["metrics"] if m["code"] == "DOSSIER_RECEIVING_SATISFACTION")
    row = _row(month, "H44", "5.4")
    assert (row["fix_existing"], row["future_only"]) == _expected(metric["numerator"], metric["denominator"], 90)


def test_province_owned_component(month: pd.DataFrame) -> None:
    """1.3 is the province's value repeated on every unit: the units cannot win it back themselves."""
    metric = next(m for m in _raw("transparency")["overview"]["metrics"] if m["code"] == "PUBLIC_CONTENT_FULL")
    rows = month[month["component"] == "1.3"]
    assert len(rows) == 164  # the province and its 163 units
    assert set(rows["owner"]) == {"province"}
    assert set(rows["fix_existing"]) == {_expected(metric["numerator"], metric["denominator"], 100)[0]} == {2}
    assert set(rows["future_only"]) == {None}


def test_zero_denominator_scored_zero_keeps_its_loss_without_a_fix(month: pd.DataFrame) -> None:
    """Văn phòng UBND tỉnh received nothing in August: 2.1 gives 0 of 20, and there is nothing to fix."""
    row = _row(month, "H44.01", "2.1")
    assert (row["denominator"], row["points_lost"], row["fix_existing"], row["future_only"]) == (0, 20, None, 1)


def test_missing_is_not_a_loss(month: pd.DataFrame) -> None:
    """4.2b has no data (null counts): full points by the portal's rule, never a row here."""
    assert month[month["component"] == "4.2b"].empty


def test_units_holding_the_province_s_failing_dossiers(tmp_path: Path) -> None:
    folder = build_snapshot(tmp_path / "snap", "month", "all")
    card = score_snapshot(read_snapshot(folder, METHOD), METHOD)
    holders = province_holders(card, points_at_stake(card))
    on_time = holders[holders["component"] == "2.1"]
    children = _raw("dvc-progress-tree")["children"]
    failing = sorted(((c["totalReceived"] - c["totalOnTime"], c["departmentCode"]) for c in children), reverse=True)
    assert list(on_time["unit_code"]) == [code for _, code in failing[:3]]
    parent = _raw("dvc-progress-tree")["parent"]
    total_failing = parent["totalReceived"] - parent["totalOnTime"]
    first = on_time.iloc[0]
    assert first["failing"] == failing[0][0]
    assert first["share"] == (Decimal(failing[0][0]) * 100 / total_failing).quantize(Decimal("0.01"))
    # the province's 2.1 recomputed with the unit's failing dossiers made good, minus what it has
    after = (Decimal(20) * (parent["totalOnTime"] + failing[0][0]) / parent["totalReceived"]).quantize(Decimal("0.01"))
    assert first["gain"] == after - Decimal(str(parent["totalScore"]))


@given(st.integers(0, 400), st.integers(0, 400), st.sampled_from([50, 80, 90, 100]))
def test_fix_and_future_are_the_least_counts(a: int, b: int, threshold: int) -> None:
    numerator, denominator = min(a, b), max(a, b)
    fix = fix_existing(numerator, denominator, Decimal(threshold))
    assert (numerator + fix) * 100 >= threshold * denominator
    assert fix == 0 or (numerator + fix - 1) * 100 < threshold * denominator
    future = future_only(numerator, denominator, Decimal(threshold))
    if threshold == 100:
        assert future == (0 if numerator == denominator else None)
        return
    assert future is not None
    assert (numerator + future) * 100 >= threshold * (denominator + future)
    assert future == 0 or (numerator + future - 1) * 100 < threshold * (denominator + future - 1)


def _actions_one_by_one(stakes: pd.DataFrame, unit_code: str, count: int) -> pd.DataFrame:
    """The definition, for one unit: its own rows with a fix, no gap every unit shares, most points
    lost first, then fewest dossiers to fix."""
    mine = stakes[
        (stakes["unit_code"] == unit_code)
        & (stakes["owner"] == "unit")
        & stakes["fix_existing"].notna()
        & ~stakes["component"].isin(systemic(stakes))
    ]
    return mine.sort_values(["points_lost", "fix_existing"], ascending=[False, True], kind="stable").head(count)


def _same_actions(stakes: pd.DataFrame, count: int) -> None:
    found = unit_actions(stakes, count)
    for code in stakes["unit_code"].dropna().unique():
        expected = _actions_one_by_one(stakes, str(code), count)
        if expected.empty:
            assert str(code) not in found
        else:
            pd.testing.assert_frame_equal(found[str(code)], expected)


@pytest.mark.parametrize("count", [1, 3])
def test_each_unit_s_actions_are_found_at_once_as_one_by_one(month: pd.DataFrame, count: int) -> None:
    assert systemic(month)  # the month has gaps no unit meets: they must be left out
    _same_actions(month, count)
    assert len(unit_actions(month, count)) > 100


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["tinh", "A", "B", "C"]),
            st.sampled_from(["2.1", "2.2", "3.1", "4.4"]),
            st.sampled_from(["unit", "province"]),
            st.integers(0, 3),
            st.sampled_from([Decimal("0.5"), Decimal("1"), Decimal("2.25")]),
            st.one_of(st.none(), st.integers(0, 5)),
        ),
        max_size=40,
    ),
    st.integers(1, 4),
)
def test_actions_of_any_stakes_are_those_of_the_definition(rows: list[tuple[Any, ...]], count: int) -> None:
    stakes = pd.DataFrame(
        [
            {
                "unit_code": code,
                "tier": "tinh" if code == "tinh" else "so",
                "component": component,
                "owner": "province" if code == "tinh" else owner,
                "numerator": numerator,
                "denominator": 3,
                "points_lost": lost,
                "fix_existing": fix,
            }
            for code, component, owner, numerator, lost, fix in rows
        ],
        columns=["unit_code", "tier", "component", "owner", "numerator", "denominator", "points_lost", "fix_existing"],
        dtype=object,
    )
    _same_actions(stakes, count)


# history ------------------------------------------------------------------------------------------


def _table(path: Path, as_of: str, rows: list[tuple[str, str, str, str]]) -> Path:
    """A score table of totals: (code, name, tier, total), with a province rank among the 34 when tier is tinh."""
    lines = ["unit_code,unit_name,tier,as_of,total,rank"]
    for code, name, tier, total in rows:
        rank = {"55": "23", "59": "21", "60": "19"}.get(total, "") if tier == "tinh" else ""
        lines.append(f"{code},{name},{tier},{as_of},{total},{rank}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _method_for(_: date | None) -> Any:
    return METHOD


def test_history_of_three_periods_gives_changes_of_total_and_rank(tmp_path: Path) -> None:
    folder = tmp_path / "history"
    folder.mkdir()
    units = [("X1", "Xã Một", "xa"), ("X2", "Xã Hai", "xa"), ("X3", "Xã Ba", "xa")]
    _table(
        folder / "2026-06.csv",
        "2026-06-30",
        [("T", "Tỉnh Mẫu", "tinh", "55"), *(u + (t,) for u, t in zip(units, ["70", "60", "50"]))],
    )
    _table(
        folder / "2026-07.csv",
        "2026-07-31",
        [("T", "Tỉnh Mẫu", "tinh", "59"), *(u + (t,) for u, t in zip(units, ["65", "66", "50"]))],
    )
    (folder / ".hidden.csv").write_text("not a table", encoding="utf-8")
    current_path = _table(
        tmp_path / "2026-08.csv",
        "2026-08-31",
        [("T", "Tỉnh Mẫu", "tinh", "60"), *(u + (t,) for u, t in zip(units, ["64", "66", "71.5"]))],
    )
    current_card = from_unit_table(read_scores(current_path, _method_for), _method_for)
    points = read_history(folder, Point("2026-08", date(2026, 8, 31), current_card))
    assert [p.label for p in points] == ["2026-06", "2026-07", "2026-08"]
    table = history_table(points)

    def of(code: str) -> list[tuple[Any, ...]]:
        rows = table[table["unit_code"] == code]
        return list(zip(rows["period"], rows["total"], rows["rank"], rows["total_change"], rows["rank_change"]))

    assert of("X1") == [
        ("2026-06", Decimal(70), 1, None, None),
        ("2026-07", Decimal(65), 2, Decimal(-5), -1),
        ("2026-08", Decimal(64), 3, Decimal(-1), -1),
    ]
    assert of("X3") == [
        ("2026-06", Decimal(50), 3, None, None),
        ("2026-07", Decimal(50), 3, Decimal(0), 0),
        ("2026-08", Decimal("71.5"), 1, Decimal("21.5"), 2),
    ]
    # the province keeps the rank among the 34 its table gives
    assert of("T") == [
        ("2026-06", Decimal(55), 23, None, None),
        ("2026-07", Decimal(59), 21, Decimal(4), 2),
        ("2026-08", Decimal(60), 19, Decimal(1), 2),
    ]


def test_history_of_snapshot_folders_and_a_repeated_period(tmp_path: Path) -> None:
    folder = tmp_path / "history"
    build_snapshot(folder / "2026-Q3", "quarter", "all")
    current = score_snapshot(read_snapshot(build_snapshot(tmp_path / "now", "year", "all"), METHOD), METHOD)
    points = read_history(folder, Point("2026", date(2026, 12, 31), current))
    assert [p.label for p in points] == ["2026-Q3", "2026"]
    assert points[0].as_of == date(2026, 9, 30)
    (folder / "2026-Q3.csv").write_text("unit_name,total\nXã Một,50\n", encoding="utf-8")
    with pytest.raises(InputError, match="hai lần kỳ «2026-Q3»"):
        read_history(folder, Point("2026", date(2026, 12, 31), current))
    build_snapshot(tmp_path / "bad" / "không-phải-kỳ", "month", "all")
    with pytest.raises(InputError, match="thuộc kỳ nào"):
        read_history(tmp_path / "bad", Point("2026", date(2026, 12, 31), current))


# the portal's monthly chart -----------------------------------------------------------------------


def test_monthly_chart_keeps_the_months_with_figures(tmp_path: Path) -> None:
    chart = monthly_chart(build_snapshot(tmp_path / "year", "year", "all"))
    assert chart is not None
    assert list(chart["month"]) == list(range(1, 10))  # October to December are 0 and 0: not yet
    assert (chart.iloc[8]["on_time_pct"], chart.iloc[8]["overdue_pct"]) == (Decimal("82.87"), Decimal("17.13"))
    month = monthly_chart(build_snapshot(tmp_path / "month", "month", "all"))
    assert month is not None and list(month["month"]) == [8]
    bad = tmp_path / "bad"
    shutil.copytree(tmp_path / "year", bad)
    raw = json.loads((bad / "dvc-progress-tree.json").read_text(encoding="utf-8"))
    raw["data"]["monthlyChart"][2]["month"] = "13"
    (bad / "dvc-progress-tree.json").write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        monthly_chart(bad)
    assert caught.value.column == "monthlyChart[2].month"


# the bulletin's model and outline -----------------------------------------------------------------


def _captions(document: Any) -> list[str]:
    def walk(blocks: list[Any]) -> list[str]:
        out = []
        for block in blocks:
            if isinstance(block, (Table, Figure)):
                out.append(block.caption)
            elif isinstance(block, Details):
                out += walk(block.blocks)
        return out

    return [c for s in document.sections for c in walk(s.blocks)]


def test_provisional_marking_while_the_period_runs() -> None:
    running = bulletin_766.outline(bulletin_766.build(ROOT / "params/bulletin_766/2026-Q3.yaml"))
    assert running.subtitle == "(Tính đến ngày 26/09/2026, số liệu tạm tính)"
    captions = _captions(running)
    assert captions and all(c.endswith("(số liệu tạm tính)") for c in captions)
    over = bulletin_766.outline(bulletin_766.build(ROOT / "params/bulletin_766/2026-08.yaml"))
    assert "tạm tính" not in over.subtitle and not any("tạm tính" in c for c in _captions(over))


def test_the_appendix_names_the_group_the_body_says_was_lost_most() -> None:
    """Phú Thọ 2026: Thanh tra tỉnh had no dossier to resolve (Tiến độ "không phát sinh", 0 of 20):
    the body says it lost most in Số hóa hồ sơ, and its row in Phụ lục I says the same."""
    b = bulletin_766.build(ROOT / "params/bulletin_766/2026.yaml")
    document = bulletin_766.outline(b)
    items = [item for section in document.sections for block in section.blocks for item in getattr(block, "items", [])]
    ranks = b.tables.tables["rank_so"].set_index("unit_name")
    inspector = ranks.loc["Thanh tra tỉnh"]
    assert (inspector["most_lost_short"], inspector["most_lost_points"]) == ("Số hóa", Decimal("20"))
    # the table files say "không phát sinh" as the page does, their rate empty, not the 0% of a unit
    # that had dossiers and resolved none on time
    progress = b.tables.tables["so_tien_do"].set_index("unit_name")
    assert progress.loc["Thanh tra tỉnh", "note"] == "không phát sinh"
    assert progress.loc["Thanh tra tỉnh", "rate"] is None and progress.loc["Thanh tra tỉnh", "points"] == 0
    assert set(progress["note"]) <= {"", "không phát sinh"} and progress["rate"].notna().sum() > 10
    assert (
        "Thanh tra tỉnh đạt: 15,96/100 điểm, xếp thứ 15/15 đơn vị; mất nhiều điểm nhất ở nhóm Số hóa hồ sơ (20 điểm)."
        in items
    )
    line = re.compile(r"(.+?) đạt: [^;]*; mất nhiều điểm nhất ở nhóm (.+?) \(")
    named = [m.groups() for item in items if (m := line.match(item))]
    departments = [(name, group) for name, group in named if name in ranks.index]
    assert len(departments) == 5
    for name, group in departments:
        assert ranks.loc[name, "most_lost_group"] == group, name


def test_a_unit_that_lost_points_for_having_nothing_to_count_is_said_so_and_given_no_task() -> None:
    """Phú Thọ 08/2026: Văn phòng UBND tỉnh and Thanh tra tỉnh had no TTHC nor dossier in three of the
    four Công khai components (0/0: not scored, or 0 points by the portal's rule); seven departments had
    no dossier with a fee (3.6: 0 points). The lowest lists say so, once for units alike; no
    recommendation tells them to publish or to pay online; the seven tied at 0% are all named, none cut off."""
    b = bulletin_766.build(ROOT / "params/bulletin_766/2026-08.yaml")
    document = bulletin_766.outline(b)
    items = [item for section in document.sections for block in section.blocks for item in getattr(block, "items", [])]
    publish = next(i for i in items if i.startswith("+ Chỉ số Công khai, minh bạch: các đơn vị đạt tỷ lệ thấp nhất"))
    assert publish == (
        "+ Chỉ số Công khai, minh bạch: các đơn vị đạt tỷ lệ thấp nhất (Văn phòng UBND tỉnh, Thanh tra tỉnh "
        "đạt 10,89% (không phát sinh TTHC, hồ sơ ở 3 chỉ số thành phần))."
    )
    pay = next(i for i in items if i.startswith("+ Chỉ số Thanh toán trực tuyến: các đơn vị đạt") and "Sở" in i)
    assert pay == (
        "+ Chỉ số Thanh toán trực tuyến: các đơn vị đạt tỷ lệ thấp nhất (Văn phòng UBND tỉnh, Sở Giáo dục và "
        "Đào tạo, Sở Ngoại vụ, Thanh tra tỉnh, Sở Nội vụ, Sở Tài chính, Sở Dân tộc và Tôn giáo đạt 0% (không "
        "phát sinh hồ sơ ở chỉ số thành phần “Hồ sơ thanh toán trực tuyến”))."
    )
    # units that had something to count are each said alone, even at one rate
    online = next(i for i in items if i.startswith("+ Chỉ số Dịch vụ công trực tuyến") and "Sở" in i)
    assert "(Văn phòng UBND tỉnh đạt 0%; Thanh tra tỉnh đạt 0%; Sở Dân tộc và Tôn giáo đạt 0%;" in online
    tasks = [i for i in items if "thấp nhất (" in i and not i.startswith("+")]
    assert tasks and not [t for t in tasks if "Văn phòng UBND tỉnh" in t or "Thanh tra tỉnh" in t]
    # "1. Tồn tại, hạn chế" only with a "2. Nguyên nhân" (here the data's: the two systems differ)
    headings = [block.text for s in document.sections for block in s.blocks if hasattr(block, "level")]
    assert "1. Tồn tại, hạn chế" in headings and "2. Nguyên nhân" in headings
    over = bulletin_766.outline(bulletin_766.build(ROOT / "params/bulletin_766/2026.yaml"))
    titles = [block.text for s in over.sections for block in s.blocks if hasattr(block, "level")]
    assert "2. Nguyên nhân" not in titles and "1. Tồn tại, hạn chế" not in titles
    assert [s.label for s in document.sections if s.appendix and s.pdf] == ["Phụ lục I", "Phụ lục II"]


def _snapshot_with_national(target: Path, response: dict[str, Any]) -> Path:
    folder = build_snapshot(target, "year", "all")
    (folder / "service-results.json").write_text(json.dumps(response, ensure_ascii=False), encoding="utf-8")
    return folder


def test_bulletin_states_the_rank_among_the_34(tmp_path: Path) -> None:
    response = national_response(RANKING_CSV)
    now = _snapshot_with_national(tmp_path / "now", response)
    # the previous period's list: Phú Thọ 26th (two provinces swapped around it)
    before = json.loads(json.dumps(response))
    members = before["data"]["evaluation"]
    phu_tho = next(m for m in members if m["departmentCode"] == "H44")
    phu_tho["totalScore"] = 60.0
    previous = _snapshot_with_national(tmp_path / "before", before)
    params = ROOT / "params/bulletin_766/2026.yaml"
    b = bulletin_766.build(params, [f"inputs.portal={now}", f"inputs.previous={previous}"])
    assert b.national is not None
    s = b.national.standing
    expected_before = 1 + sum(float(m["totalScore"]) > 60.0 for m in members if m is not phu_tho)
    assert (s.rank, s.of, s.average, s.gap) == (19, 34, Decimal("62.59"), Decimal("-0.41"))
    assert (s.previous_rank, s.rank_change) == (expected_before, expected_before - 19)
    document = bulletin_766.outline(b)
    text = " ".join(getattr(block, "text", "") for section in document.sections for block in section.blocks)
    assert "xếp hạng 19/34 tỉnh, thành phố" in text and "thấp hơn cả nước 0,41 điểm" in text
    assert f"tăng {expected_before - 19} bậc (từ hạng {expected_before} lên hạng 19)" in text
    assert "khác tổng điểm tính từ số liệu chi tiết" in text  # the list gives 62,18, the snapshot its own
    assert list(b.tables.tables["national"]["unit_code"][:3]) == ["H20", "H19", "H24"]
    ranks = b.tables.tables["national_groups"].set_index("group")["rank"]
    assert ranks["tien_do"] == 14 and ranks["total"] == 19


def test_unit_report_draws_the_unit_s_trend_over_the_history(tmp_path: Path) -> None:
    from chiso766.report import unit_report

    samples = ROOT / "data/samples/phu-tho"
    params = tmp_path / "params" / "unit.yaml"
    params.parent.mkdir()
    params.write_text(
        "report: unit_report\nperiod: 2026-08\nas_of: 2026-09-26\nprovince: Phú Thọ\nunit: Phường Việt Trì\n"
        f"inputs:\n  portal: {samples / 'portal/2026-08'}\n  units: {samples / 'units.csv'}\n"
        f"  history: {samples / 'history'}\n",
        encoding="utf-8",
    )
    report = unit_report.build(params)
    history = report.history
    assert [d.isoformat() for d in history["as_of"]] == ["2026-06-30", "2026-07-31", "2026-09-26"]
    assert list(history["total"]) == [Decimal("60.07"), Decimal("59.20"), Decimal("62.88")]
    assert list(history["rank"]) == [46, 66, 88] and set(history["rank_of"]) == {148}
    document = unit_report.outline(report)
    assert any(f.name.endswith("trend") or "trend" in f.chart.draw for f in document.figures())


def test_units_list_of_the_portal_is_compared_with_the_recomputed_totals(tmp_path: Path) -> None:
    from tests.fixtures_national import units_response

    folder = build_snapshot(tmp_path / "snap", "month", "all")
    response = units_response("month")
    first = response["data"]["evaluation"][0]
    first["totalScore"] = round(first["totalScore"] + 1, 2)  # one unit the list gives differently
    (folder / "service-results-units.json").write_text(json.dumps(response, ensure_ascii=False), encoding="utf-8")
    b = bulletin_766.build(ROOT / "params/bulletin_766/2026-08.yaml", [f"inputs.portal={folder}"])
    assert b.unit_results is not None
    differing = b.unit_results[b.unit_results["difference"] != 0].set_index("unit_code")["difference"]
    assert differing[first["departmentCode"]] == Decimal(-1)
    # the others are the units whose recomputed total differs from the portal's own group scores
    units = b.card.units.set_index("unit_code")
    known = {
        c
        for c in units.index
        if units.loc[c, "tier"] != "tinh" and units.loc[c, "total"] != units.loc[c, "portal_total"]
    }
    assert set(differing.index) == known | {first["departmentCode"]} and len(known) == 2
    document = bulletin_766.outline(b)
    lines = [item for s in document.sections for block in s.blocks for item in getattr(block, "items", [])]
    assert any("tổng điểm của 160/163 đơn vị khớp với tổng điểm tính lại" in line for line in lines)


def test_a_national_listing_fetched_after_the_as_of_date_says_so() -> None:
    """Phú Thọ 2026: figures to 26/09, the national listing of 10/10 (another total, 62,18): the
    sentence dates the listing as later than the report's figures, once."""
    document = bulletin_766.outline(bulletin_766.build(ROOT / "params/bulletin_766/2026.yaml"))
    texts = [getattr(block, "text", "") for section in document.sections for block in section.blocks]
    standing = next(t for t in texts if t.startswith("Trên bảng xếp hạng toàn quốc"))
    assert standing.startswith(
        "Trên bảng xếp hạng toàn quốc của Cổng Dịch vụ công quốc gia (cập nhật ngày 10/10/2026, sau ngày tính "
        "điểm của báo cáo), tỉnh Phú Thọ đạt 62,18 điểm, xếp hạng 19/34 tỉnh, thành phố; điểm chung của cả nước "
        "trên Cổng là 62,59 điểm"
    )
    assert standing.count("sau ngày tính điểm") == 1 and "(61,89 điểm, tính đến ngày 26/09/2026)" in standing


def test_the_total_row_of_a_group_table_is_not_numbered() -> None:
    """Reference 000 lists the six groups 1–6 and writes "Tổng điểm thành phố Hải Phòng" without a number."""
    document = bulletin_766.outline(bulletin_766.build(ROOT / "params/bulletin_766/2025.yaml"))
    tables = {b.name: b for section in document.sections for b in section.blocks if hasattr(b, "rows")}
    rows = tables["province_groups"].rows
    assert [r[0] for r in rows] == ["1", "2", "3", "4", "5", "6", ""] and rows[-1][1] == "Tổng điểm"


def test_a_lone_lettered_point_has_no_letter() -> None:
    """Hải Phòng 10/2025 has one shortcoming (the departments under 70 points): no "a)" without a "b)"."""
    document = bulletin_766.outline(bulletin_766.build(ROOT / "params/bulletin_766/2025-10.yaml"))
    section = next(s for s in document.sections if s.id == "ton-tai")
    headings = [b.text for b in section.blocks if getattr(b, "level", None) == 4]
    assert headings == ["Các sở, ban, ngành có tổng điểm dưới 70 điểm:"]
    # a table of totals only: its appendix names no group points
    captions = [b.caption for s in document.sections if s.appendix for b in s.blocks if hasattr(b, "caption")]
    assert captions[0] == "Tổng điểm và xếp hạng các sở, ban, ngành (số liệu tạm tính)"
