"""The portal's national evaluation (``service-results``): reading it, ranking the 34, one province's standing.

Fixtures are built in the raw API shape from the reference table of 10/10/2026
(``reference/portal-api/national``), whose figures the assertions check against.
"""

from __future__ import annotations

import copy
import csv
import json
import unicodedata
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from chiso766.compute.national import NATIONAL_COLUMNS, national_table, standing
from chiso766.core.errors import Diagnostics, InputError
from chiso766.core.methodology import GROUP_KEYS
from chiso766.ingest.national import MEMBER_COLUMNS, NationalList, read_national
from tests.conftest import json_setter
from tests.fixtures_national import RANKING_CSV, department_id, national_response

CODES = ("CKMB", "TDGQ", "CLGQ", "TTTT", "MDHL", "MDSH")  # in the order of GROUP_KEYS


def csv_rows() -> list[dict[str, str]]:
    with RANKING_CSV.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write(tmp_path: Path, response: dict[str, Any], name: str = "service-results.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(response, ensure_ascii=False), encoding="utf-8")
    return path


def position(response: dict[str, Any], code: str) -> int:
    return next(i for i, m in enumerate(response["data"]["evaluation"]) if m["departmentCode"] == code)


@pytest.fixture
def response() -> dict[str, Any]:
    return national_response(RANKING_CSV)


@pytest.fixture
def national(tmp_path: Path, response: dict[str, Any]) -> NationalList:
    return read_national(write(tmp_path, response))


# reading ---------------------------------------------------------------------------------------


def test_reads_the_34_provinces_exactly(national: NationalList) -> None:
    assert national.scope_name == "Cả nước"
    assert national.average == Decimal("62.59")
    members = national.members
    assert list(members.columns) == list(MEMBER_COLUMNS)
    assert len(members) == 34
    assert members["unit_code"].tolist() == [r["departmentCode"] for r in csv_rows()]
    phu_tho = members.set_index("unit_code").loc["H44"]
    assert phu_tho["unit_name"] == "UBND tỉnh Phú Thọ"
    assert phu_tho["department_id"] == department_id("H44")
    assert phu_tho["child_group"] == ""
    assert phu_tho["total"] == Decimal("62.18") and isinstance(phu_tho["total"], Decimal)
    assert str(phu_tho["tien_do"]) == "17.81"
    assert phu_tho["score_delta"] == Decimal("14.04")
    assert members.set_index("unit_code").loc["H35", "hai_long"] == Decimal(6)


def test_reference_totals_equal_their_group_sums(tmp_path: Path, response: dict[str, Any]) -> None:
    diagnostics = Diagnostics()
    read_national(write(tmp_path, response), diagnostics)
    assert diagnostics.items == []


def test_total_off_its_group_sum_warns_beyond_a_cent(tmp_path: Path, response: dict[str, Any]) -> None:
    i, j = position(response, "H44"), position(response, "H20")
    response["data"]["evaluation"][i]["totalScore"] = 62.20  # 0,02 off
    response["data"]["evaluation"][j]["totalScore"] = 68.81  # 0,01 off: a rounding step
    diagnostics = Diagnostics()
    read_national(write(tmp_path, response), diagnostics)
    [warning] = diagnostics.of_kind("total_mismatch")
    assert warning.column == f"evaluation[{i}].totalScore"
    assert warning.unit == "UBND tỉnh Phú Thọ"
    assert "62.18" in warning.message and "62.2" in warning.message


def test_units_variant_missing_group_and_unknown_keys(tmp_path: Path) -> None:
    """A province's units: ``overview`` is the province; a group left out is None, extra keys are ignored."""
    response = {
        "code": "OK",
        "message": "OK",
        "data": {
            "overview": {"departmentName": "UBND tỉnh Phú Thọ", "totalScore": 62.18, "totalMaxScore": 100},
            "evaluation": [
                {
                    "departmentId": "a1",
                    "departmentName": "Sở Tư pháp",
                    "departmentCode": "000.00.01.H44",
                    "childGroup": "AGENCY",
                    "totalScore": 80.5,
                    "groupScores": {"CKMB": 15, "TDGQ": 20, "CLGQ": 12, "TTTT": 10, "MDHL": 18, "MDSH": 5.5, "XYZ": 7},
                    "scoreDelta": None,
                },
                {
                    "departmentId": "c1",
                    "departmentName": "UBND xã Lâm Thao",
                    "childGroup": "COMMUNE",
                    "totalScore": 40,
                    "groupScores": {"CKMB": 10, "TDGQ": 15, "MDHL": 15},
                },
            ],
        },
    }
    nl = read_national(write(tmp_path, response, "service-results-units.json"))
    assert (nl.scope_name, nl.average) == ("UBND tỉnh Phú Thọ", Decimal("62.18"))
    assert nl.members["child_group"].tolist() == ["AGENCY", "COMMUNE"]
    commune = nl.members.iloc[1]
    assert commune["unit_code"] == ""
    assert commune["truc_tuyen"] is None and commune["so_hoa"] is None and commune["score_delta"] is None
    assert commune["tien_do"] == Decimal(15)
    table = national_table(nl)
    assert table["unit_name"].tolist() == ["Sở Tư pháp", "UBND xã Lâm Thao"]
    assert table["rank_truc_tuyen"].tolist() == [1, None]
    found = standing(nl, name="xã Lâm Thao")
    assert found is not None and (found.rank, found.of) == (2, 2)
    assert found.group_averages["tien_do"] == Decimal("17.50")


# ranking ---------------------------------------------------------------------------------------


def test_table_columns_order_and_ranks(national: NationalList) -> None:
    table = national_table(national)
    assert list(table.columns[: len(NATIONAL_COLUMNS)]) == list(NATIONAL_COLUMNS)
    assert list(table.columns[len(NATIONAL_COLUMNS) :]) == ["of", "department_id", "child_group"]
    assert NATIONAL_COLUMNS[:4] == ("rank", "unit_code", "unit_name", "total")
    assert NATIONAL_COLUMNS[-1] == "score_delta"
    assert table["of"].unique().tolist() == [34]
    # no two totals tie on 10/10/2026, so the capture's own ranks are ours
    assert table["rank"].tolist() == list(range(1, 35))
    assert table["unit_code"].tolist() == [
        r["departmentCode"] for r in sorted(csv_rows(), key=lambda r: int(r["rank"]))
    ]
    first = table.iloc[0]
    assert (first["unit_name"], first["total"], first["rank"]) == ("UBND tỉnh Đồng Tháp", Decimal("68.8"), 1)


@pytest.mark.parametrize(("code", "key"), list(zip(CODES, GROUP_KEYS, strict=True)))
def test_group_ranks_by_hand(national: NationalList, code: str, key: str) -> None:
    """Each group's rank: the position of the province's points in the column sorted best first."""
    rows = csv_rows()
    ordered = sorted((Decimal(r[code]) for r in rows), reverse=True)
    expected = {r["departmentCode"]: ordered.index(Decimal(r[code])) + 1 for r in rows}
    table = national_table(national).set_index("unit_code")
    assert table[f"rank_{key}"].to_dict() == expected


def test_group_ranks_of_phu_tho(national: NationalList) -> None:
    found = standing(national, code="H44")
    assert found is not None
    # tiến độ 17,81: 13 provinces have more (from Ninh Bình's 19,17 down to Hồ Chí Minh's 17,88), so 14th
    assert found.group_ranks["tien_do"] == 14
    # công khai 8 is the lowest score, shared by seven provinces: all seven rank 34 − 7 + 1 = 28
    assert sum(1 for r in csv_rows() if Decimal(r["CKMB"]) == 8) == 7
    assert min(Decimal(r["CKMB"]) for r in csv_rows()) == 8
    hcm = standing(national, code="H29")
    assert hcm is not None and hcm.group_points["cong_khai"] == Decimal(8)
    assert hcm.group_ranks["cong_khai"] == 28


def test_ties_share_the_best_rank(tmp_path: Path, response: dict[str, Any]) -> None:
    vinh_long = position(response, "H61")
    response["data"]["evaluation"][vinh_long]["totalScore"] = 62.18  # Phú Thọ's total
    nl = read_national(write(tmp_path, response))
    table = national_table(nl)
    around = table[table["rank"].between(18, 21)][["rank", "unit_code"]].values.tolist()
    # equal totals share rank 19, the next is 21; the tie is ordered by name (Phú Thọ before Vĩnh Long)
    assert around == [[18, "H14"], [19, "H44"], [19, "H61"], [21, "H41"]]
    for code in ("H44", "H61"):
        found = standing(nl, code=code)
        assert found is not None and found.rank == 19 and found.of == 34


# standing --------------------------------------------------------------------------------------


def test_phu_tho_standing(national: NationalList) -> None:
    found = standing(national, code="H44")
    assert found is not None
    assert (found.unit_code, found.unit_name) == ("H44", "UBND tỉnh Phú Thọ")
    assert (found.total, found.rank, found.of) == (Decimal("62.18"), 19, 34)
    assert found.average == Decimal("62.59")
    assert found.gap == Decimal("-0.41")
    assert found.group_points == {
        "cong_khai": Decimal("8.07"),
        "tien_do": Decimal("17.81"),
        "truc_tuyen": Decimal("8.48"),
        "thanh_toan": Decimal("6.82"),
        "hai_long": Decimal("11.24"),
        "so_hoa": Decimal("9.76"),
    }
    assert (found.previous_rank, found.previous_total, found.rank_change, found.total_change) == (None,) * 4
    assert (found.recomputed_total, found.differs) == (None, False)


def test_dong_thap_is_first(national: NationalList) -> None:
    found = standing(national, name="Đồng Tháp")
    assert found is not None
    assert (found.rank, found.total, found.gap) == (1, Decimal("68.8"), Decimal("6.21"))


def test_group_averages_are_rounded_means(national: NationalList) -> None:
    found = standing(national, code="H44")
    assert found is not None
    rows = csv_rows()
    for code, key in zip(CODES, GROUP_KEYS, strict=True):
        mean = sum((Decimal(r[code]) for r in rows), Decimal(0)) / len(rows)
        assert found.group_averages[key] == mean.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert found.group_averages["tien_do"] == Decimal("17.56")


def test_recomputed_total_differs(national: NationalList) -> None:
    found = standing(national, code="H44", recomputed_total=Decimal("61.94"))
    assert found is not None and found.differs and found.recomputed_total == Decimal("61.94")
    same = standing(national, code="H44", recomputed_total=Decimal("62.180"))
    assert same is not None and not same.differs


@pytest.mark.parametrize(
    ("previous_total", "previous_rank", "rank_change"),
    [(60.0, 26, 7), (65.0, 9, -10)],
    ids=["climbed", "fell"],
)
def test_rank_change_against_previous_list(
    tmp_path: Path,
    response: dict[str, Any],
    national: NationalList,
    previous_total: float,
    previous_rank: int,
    rank_change: int,
) -> None:
    before = copy.deepcopy(response)
    before["data"]["evaluation"][position(before, "H44")]["totalScore"] = previous_total
    previous = read_national(write(tmp_path, before, "previous.json"))
    found = standing(national, name="Phú Thọ", previous=previous)
    assert found is not None
    assert (found.previous_rank, found.rank, found.rank_change) == (previous_rank, 19, rank_change)
    assert found.previous_total == Decimal(str(previous_total))
    assert found.total_change == Decimal("62.18") - Decimal(str(previous_total))


def test_absent_from_previous_list_has_no_change(
    tmp_path: Path, response: dict[str, Any], national: NationalList
) -> None:
    before = copy.deepcopy(response)
    del before["data"]["evaluation"][position(before, "H44")]
    previous = read_national(write(tmp_path, before, "previous.json"))
    found = standing(national, code="H44", previous=previous)
    assert found is not None and found.rank_change is None and found.total_change is None


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Phú Thọ", "H44"),
        ("phú thọ", "H44"),
        (unicodedata.normalize("NFD", "Phú Thọ"), "H44"),
        ("Tỉnh Phú Thọ", "H44"),
        ("UBND tỉnh Phú Thọ", "H44"),
        ("Hải Phòng", "H24"),
        ("Thành phố Hải Phòng", "H24"),
        ("TP Hải Phòng", "H24"),
        ("UBND Thành phố Hải Phòng", "H24"),
        ("Quảng Ninh", "H49"),  # the portal writes "UBND thành phố Quảng Ninh"
        ("Khánh Hoà", "H32"),  # old-style tone placement
    ],
)
def test_lookup_by_name(national: NationalList, name: str, code: str) -> None:
    found = standing(national, name=name)
    assert found is not None and found.unit_code == code


def test_lookup_by_department_id_code_and_fallback(national: NationalList) -> None:
    by_id = standing(national, department_id=department_id("H24"))
    assert by_id is not None and (by_id.unit_code, by_id.rank) == ("H24", 3)
    by_code = standing(national, code="h24")
    assert by_code is not None and by_code.unit_name == "UBND Thành phố Hải Phòng"
    # an unknown id falls back to the code given with it
    fallback = standing(national, department_id="unknown", code="H44")
    assert fallback is not None and fallback.unit_code == "H44"
    assert standing(national, name="Tỉnh Mẫu") is None
    assert standing(national, code="H99") is None
    assert standing(national) is None


# bad inputs ------------------------------------------------------------------------------------




def _duplicate_id(response: dict[str, Any]) -> None:
    members = response["data"]["evaluation"]
    members[7]["departmentId"] = members[2]["departmentId"]


def _duplicate_code(response: dict[str, Any]) -> None:
    members = response["data"]["evaluation"]
    members[9]["departmentCode"] = members[1]["departmentCode"]


E = ("data", "evaluation")
BAD = [
    ("nan", json_setter((*E, 3, "groupScores", "TDGQ"), float("nan")), "evaluation[3].groupScores.TDGQ", "NaN"),
    ("infinity", json_setter((*E, 0, "totalScore"), float("inf")), "evaluation[0].totalScore", "Infinity"),
    ("group_above_max", json_setter((*E, 5, "groupScores", "CKMB"), 18.5), "evaluation[5].groupScores.CKMB", "0–18"),
    ("negative_group", json_setter((*E, 5, "groupScores", "MDSH"), -0.5), "evaluation[5].groupScores.MDSH", "0–22"),
    ("total_above_100", json_setter((*E, 6, "totalScore"), 100.01), "evaluation[6].totalScore", "0–100"),
    ("average_negative", json_setter(("data", "overview", "totalScore"), -1), "overview.totalScore", "0–100"),
    (
        "text_for_number",
        json_setter((*E, 2, "groupScores", "MDSH"), "9,76"),
        "evaluation[2].groupScores.MDSH",
        "không phải là số",
    ),
    ("boolean_for_number", json_setter((*E, 2, "totalScore"), True), "evaluation[2].totalScore", "không phải là số"),
    ("huge_number", json_setter((*E, 4, "totalScore"), "HUGE"), "evaluation[4].totalScore", "quá nhiều chữ số"),
    ("huge_delta", json_setter((*E, 4, "scoreDelta"), 1e300), "evaluation[4].scoreDelta", "không hợp lý"),
    ("duplicate_id", _duplicate_id, "evaluation[7].departmentId", "hai lần"),
    ("duplicate_code", _duplicate_code, "evaluation[9].departmentCode", "hai lần"),
    ("no_department_id", json_setter((*E, 1, "departmentId"), None), "evaluation[1].departmentId", "departmentId"),
    ("name_not_text", json_setter((*E, 1, "departmentName"), ["x"]), "evaluation[1].departmentName", "chuỗi"),
    ("group_scores_not_object", json_setter((*E, 8, "groupScores"), [1, 2]), "evaluation[8].groupScores", "đối tượng"),
    ("member_not_object", json_setter((*E, 4), 5), "evaluation[4]", "đối tượng"),
    ("missing_evaluation", lambda r: r["data"].pop("evaluation"), "evaluation", "evaluation"),
    ("empty_evaluation", json_setter(E, []), "evaluation", "rỗng"),
    ("evaluation_not_list", json_setter(E, {"a": 1}), "evaluation", "danh sách"),
    ("overview_not_object", json_setter(("data", "overview"), "Cả nước"), "overview", "đối tượng"),
    ("code_not_ok", json_setter(("code",), "UNAUTHORIZED"), "code", "UNAUTHORIZED"),
]


@pytest.mark.parametrize(("change", "column", "words"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_input_names_file_and_json_path(
    tmp_path: Path, response: dict[str, Any], change: Any, column: str, words: str
) -> None:
    change(response)
    path = tmp_path / "service-results.json"
    text = json.dumps(response, ensure_ascii=False).replace('"HUGE"', "9" * 400)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_national(path)
    assert caught.value.column == column
    message = str(caught.value)
    assert str(path) in message and f'cột "{column}"' in message and words in message


@pytest.mark.parametrize(
    ("text", "words"),
    [("<html>502 Bad Gateway</html>", "không phải JSON"), ("", "tệp rỗng"), ('{"code":"OK","data":null}', "data")],
    ids=["html", "empty", "no_data"],
)
def test_not_a_response(tmp_path: Path, text: str, words: str) -> None:
    path = tmp_path / "service-results.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=words) as caught:
        read_national(path)
    assert str(path) in str(caught.value)


# properties ------------------------------------------------------------------------------------

_totals = st.one_of(
    st.none(),
    st.integers(0, 8).map(lambda n: Decimal(n) * 10),  # few values, so that ties are common
    st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False),
)


@given(st.lists(_totals, min_size=1, max_size=40))
def test_ranks_are_competition_ranks(totals: list[Decimal | None]) -> None:
    rows = [
        dict.fromkeys(MEMBER_COLUMNS) | {"department_id": str(i), "unit_name": f"Đơn vị {i:02d}", "total": t}
        for i, t in enumerate(totals)
    ]
    nl = NationalList(Path("service-results.json"), None, "Cả nước", pd.DataFrame(rows, dtype=object))
    table = national_table(nl)
    present = [t for t in totals if t is not None]
    assert table["of"].unique().tolist() == [len(present)]
    for _, row in table.iterrows():
        expected = None if row["total"] is None else 1 + sum(1 for t in present if t > row["total"])
        assert row["rank"] == expected
    ranks = [r for r in table["rank"] if r is not None]
    assert ranks == sorted(ranks)
