"""``chiso766 snapshot`` with the national context (``service-results``) and procedure-filtered responses.

A portal on 127.0.0.1 answers the six groups with the reference August responses, ``service-results``
with the fixtures of :mod:`tests.fixtures_national`, the procedure catalogue with the reference pages,
and a group asked with a procedure filter with the reference ``month-formality`` response. It records
every request body, so the tests check what was asked as well as what was kept.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.server
import json
import re
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from chiso766.cli import main
from chiso766.core.errors import InputError
from chiso766.core.periods import parse_period
from chiso766.ingest.portal import ENDPOINTS
from chiso766.ingest.snapshot import FORMALITY_FILTER, TOKEN_ENV, SnapshotError, request_body, snapshot
from tests.conftest import PORTAL_REF, json_setter
from tests.fixtures_national import PHU_THO_ID, national_response, units_response

NOW = datetime(2026, 9, 26, 3, 0, tzinfo=UTC)
CODE = "2.000815"  # the procedure of the reference month-formality responses
FORMALITY_ID = "019d2bfd-8e22-77ef-819f-e49460350904"
NATIONAL_FILES = ["service-results.json", "service-results-units.json"]
CATALOGUE = [
    item
    for page in ("page-1", "page-2", f"code-{CODE}-page-1")
    for item in json.loads((PORTAL_REF / "formalities" / f"{page}.json").read_bytes())["data"]["items"]
]

Answer = tuple[int, bytes]


class Portal:
    """The local portal; ``script[endpoint]`` holds answers given before the usual ones."""

    def __init__(self) -> None:
        self.national = json.dumps(national_response(), ensure_ascii=False).encode()
        self.units = json.dumps(units_response(), ensure_ascii=False).encode()
        self.script: dict[str, list[Answer]] = {}
        self.seen: list[tuple[str, dict[str, Any]]] = []  # (endpoint, request body)
        handler = type("Handler", (_Handler,), {"portal": self})
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def answer(self, endpoint: str, body: dict[str, Any]) -> Answer:
        if self.script.get(endpoint):
            return self.script[endpoint].pop(0)
        if endpoint == "service-results":
            return 201, self.national
        if endpoint == "service-results-units":
            return 201, self.units
        if endpoint == "formalities":  # the catalogue searches codes as text
            items = [item for item in CATALOGUE if body["q"] in item["code"]]
            pages = {"total": len(items), "currentPage": 1, "pageSize": 10, "totalPages": 1}
            return 201, json.dumps({"code": "OK", "data": {"items": items, "pagination": pages}}).encode()
        filtered = "formalityId" in body or "formalityID" in body
        return 201, (PORTAL_REF / endpoint / f"month-{'formality' if filtered else 'all'}.json").read_bytes()

    def bodies(self, endpoint: str) -> list[dict[str, Any]]:
        return [body for e, body in self.seen if e == endpoint]


class _Handler(http.server.BaseHTTPRequestHandler):
    portal: Portal
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
        endpoint = self.path.rsplit("/", 1)[-1]
        self.portal.seen.append((endpoint, body))
        status, raw = self.portal.answer(endpoint, body)
        with contextlib.suppress(OSError):
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(raw)
        self.close_connection = True


@pytest.fixture
def portal() -> Iterator[Portal]:
    server = Portal()
    yield server
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture(autouse=True)
def no_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(TOKEN_ENV, raising=False)


def take(portal: Portal, tmp_path: Path, **options: Any) -> Path:
    settings: dict[str, Any] = {
        "name": "phu-tho",
        "base_url": portal.url,
        "timeout": 5,
        "retries": 1,
        "backoff": 0.01,
        "sleep": lambda _seconds: None,
        "now": NOW,
        "national": True,
    }
    return snapshot(PHU_THO_ID, options.pop("period", "2026-08"), tmp_path / "snaps", **(settings | options))


def refused(portal: Portal, tmp_path: Path, words: str, **options: Any) -> SnapshotError:
    with pytest.raises(SnapshotError, match=words) as info:
        take(portal, tmp_path, **options)
    out = tmp_path / "snaps"
    assert not out.exists() or not list(out.iterdir()), "a failed snapshot left something behind"
    return info.value


def files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def meta(folder: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((folder / "snapshot.json").read_text(encoding="utf-8"))
    return document


def edited(document: dict[str, Any], change: Callable[[dict[str, Any]], Any]) -> bytes:
    """``document`` (a fixture) with ``change`` applied to a copy of its ``data``, as bytes; NaN kept as
    written."""
    copy = json.loads(json.dumps(document))
    change(copy["data"])
    return json.dumps(copy, ensure_ascii=False).replace('"@NaN@"', "NaN").encode()


def dossier_csv(path: Path, codes: dict[str, int], bad: dict[str, int] | None = None) -> Path:
    """A dossier table with ``codes[c]`` dossiers of procedure ``c`` (and ``bad[c]`` rows without a
    received date, which the reader quarantines), headed as a province's export usually is."""
    lines = ["Mã hồ sơ,Tên đơn vị,Mã thủ tục,Kênh thực hiện,Ngày tiếp nhận"]
    for code, n in codes.items():
        lines += [f"HS-{code}-{i},UBND xã Thanh Sơn,{code},2,2026-08-0{1 + i % 9}" for i in range(n)]
    for code, n in (bad or {}).items():
        lines += [f"HS-{code}-bad-{i},UBND xã Thanh Sơn,{code},2," for i in range(n)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# the national context --------------------------------------------------------------------------


def test_the_national_context_is_asked_for_and_kept(portal, tmp_path):
    folder = take(portal, tmp_path)
    assert files(folder) == sorted([f"{e}.json" for e in ENDPOINTS] + NATIONAL_FILES + ["snapshot.json"])
    assert (folder / "service-results.json").read_bytes() == portal.national
    assert (folder / "service-results-units.json").read_bytes() == portal.units
    assert portal.bodies("service-results") == [
        {"timeType": "month", "year": 2026, "month": 8, "departmentType": "ADMINISTRATIVE_UNIT"}
    ]
    assert portal.bodies("service-results-units") == [
        {
            "rootDepartmentId": PHU_THO_ID,
            "currentPage": 1,
            "pageSize": 200,
            "timeType": "month",
            "year": 2026,
            "month": 8,
        }
    ]
    assert [endpoint for endpoint, _ in portal.seen] == [*ENDPOINTS, "service-results", "service-results-units"]
    info = meta(folder)
    assert [c["endpoint"] for c in info["captures"]] == [*ENDPOINTS, "service-results", "service-results-units"]
    for capture in info["captures"]:
        raw = (folder / capture["file"]).read_bytes()
        assert capture["sha256"] == hashlib.sha256(raw).hexdigest() and capture["bytes"] == len(raw)
        assert capture["url"] == f"{portal.url}/api/v1/reporting/evaluation/{capture['endpoint']}"
        assert "procedure" not in capture
    assert info["captures"][6]["payload"] == portal.bodies("service-results")[0]
    assert info["warnings"] == [] and info["procedures"] == []


@pytest.mark.parametrize(
    "period, fields",
    [
        ("2026-08", {"timeType": "month", "year": 2026, "month": 8}),
        ("2026-Q3", {"timeType": "quarter", "year": 2026, "quarter": 3}),
        ("2026", {"timeType": "year", "year": 2026}),
    ],
)
def test_service_results_takes_the_period_fields_of_the_group_endpoints(period, fields):
    parsed = parse_period(period)
    assert request_body("service-results", PHU_THO_ID, parsed) == fields | {"departmentType": "ADMINISTRATIVE_UNIT"}
    units = request_body("service-results-units", PHU_THO_ID, parsed)
    assert units == {"rootDepartmentId": PHU_THO_ID, "currentPage": 1, "pageSize": 200} | fields
    assert {k: v for k, v in request_body("transparency", PHU_THO_ID, parsed).items() if k in fields} == fields


def test_a_range_period_is_refused_as_before_with_or_without_the_national_context(portal, tmp_path):
    for national in (True, False):
        refused(portal, tmp_path, "theo tháng, quý, năm", period="2026-08-01..2026-08-31", national=national)
    with pytest.raises(SnapshotError, match="theo tháng, quý, năm"):
        request_body("service-results", PHU_THO_ID, parse_period("2025-09-12..2025-09-18"))
    assert portal.seen == []


def test_without_the_national_context_nothing_is_asked(portal, tmp_path):
    folder = take(portal, tmp_path, national=False)
    assert files(folder) == sorted([f"{e}.json" for e in ENDPOINTS] + ["snapshot.json"])
    assert [endpoint for endpoint, _ in portal.seen] == list(ENDPOINTS)


@pytest.mark.parametrize("status", [404, 403, 400])
def test_a_refused_service_results_keeps_the_six_with_a_warning(portal, tmp_path, status):
    portal.script = {"service-results": [(status, b'{"message": "no such endpoint"}')]}
    told: list[str] = []
    folder = take(portal, tmp_path, retries=3, warn=told.append)
    assert files(folder) == sorted([f"{e}.json" for e in ENDPOINTS] + ["snapshot.json"])
    assert len(portal.bodies("service-results")) == 1, "a 4xx is not retried"
    assert portal.bodies("service-results-units") == [], "once refused, the national context is not asked again"
    (warning,) = meta(folder)["warnings"]
    assert warning.startswith(f"service-results: Cổng từ chối yêu cầu: HTTP {status}")
    assert "no such endpoint" in warning and ", ".join(NATIONAL_FILES) in warning and "--no-national" in warning
    assert told == [warning]
    assert [c["endpoint"] for c in meta(folder)["captures"]] == list(ENDPOINTS)


def test_a_refused_units_list_keeps_the_national_list(portal, tmp_path):
    portal.script = {"service-results-units": [(404, b"")]}
    folder = take(portal, tmp_path)
    assert "service-results.json" in files(folder) and "service-results-units.json" not in files(folder)
    (warning,) = meta(folder)["warnings"]
    assert warning.startswith("service-results-units: Cổng từ chối yêu cầu: HTTP 404")
    assert "service-results-units.json" in warning and "service-results.json" not in warning


def test_service_results_is_retried_like_the_others(portal, tmp_path):
    portal.script = {"service-results": [(503, b""), (429, b"")]}
    folder = take(portal, tmp_path, retries=2)
    assert (folder / "service-results.json").read_bytes() == portal.national
    assert len(portal.bodies("service-results")) == 3
    assert meta(folder)["warnings"] == []


def test_a_server_error_on_service_results_that_lasts_is_an_error_not_a_warning(portal, tmp_path):
    portal.script = {"service-results": [(500, b"")] * 2}
    refused(portal, tmp_path, r"service-results sau 2 lần thử \(HTTP 500")




NATIONAL_CASES = [
    ("group-above-its-max", "evaluation[3].groupScores.TDGQ", 20.5, r"ngoài khoảng 0\.\.20"),
    ("group-negative", "evaluation[0].groupScores.MDSH", -1, r"ngoài khoảng 0\.\.22"),
    ("group-not-a-number", "evaluation[5].groupScores.CKMB", "8.07", "không phải số"),
    ("group-nan", "evaluation[2].groupScores.TTTT", "@NaN@", "không phải số hữu hạn"),
    ("total-above-100", "evaluation[0].totalScore", 100.5, r"ngoài khoảng 0\.\.100"),
    ("overview-total-above-100", "overview.totalScore", 162.59, r"ngoài khoảng 0\.\.100"),
    ("ratio-above-100", "evaluation[7].ratio", 140, r"ngoài khoảng 0\.\.100"),
    ("group-scores-not-an-object", "evaluation[1].groupScores", [1, 2], "groupScores không phải đối tượng"),
]


@pytest.mark.parametrize("endpoint", ["service-results", "service-results-units"], ids=["national", "units"])
@pytest.mark.parametrize("path, value, words", [pytest.param(p, v, w, id=i) for i, p, v, w in NATIONAL_CASES])
def test_a_bad_number_in_service_results_names_its_json_path(portal, tmp_path, endpoint, path, value, words):
    fixture = json.loads(portal.national if endpoint == "service-results" else portal.units)
    portal.script = {endpoint: [(201, edited(fixture, json_setter(path, value)))]}
    err = refused(portal, tmp_path, words)
    assert err.column == path
    assert f'cột "{path}"' in str(err) and f"/evaluation/{endpoint}" in str(err)


@pytest.mark.parametrize(
    "endpoint, change, words",
    [
        ("service-results", json_setter("evaluation", []), "danh sách đơn vị rỗng"),
        ("service-results", lambda d: d.pop("evaluation"), "danh sách đơn vị rỗng"),
        ("service-results", json_setter("evaluation[4]", "H20"), "không phải đối tượng"),
        ("service-results", lambda d: d["evaluation"][4].pop("departmentId"), "không có departmentId"),
        ("service-results", lambda d: d["evaluation"].pop(18), f"không có tỉnh {PHU_THO_ID} đã hỏi"),
        ("service-results", json_setter("evaluation[1].departmentId", PHU_THO_ID), "lặp lại"),
        ("service-results-units", json_setter("overview.departmentId", "019d2be3-0000-0000-0000-000000000000"), "đã hỏi"),
        ("service-results-units", json_setter("pagination", {"total": 400, "totalPages": 2}), "nhiều trang"),
    ],
    ids=["empty", "no-list", "member-not-object", "no-id", "province-missing", "duplicate", "other-province", "paged"],
)
def test_a_malformed_service_results_is_refused(portal, tmp_path, endpoint, change, words):
    fixture = json.loads(portal.national if endpoint == "service-results" else portal.units)
    portal.script = {endpoint: [(201, edited(fixture, change))]}
    refused(portal, tmp_path, words)


def test_a_service_results_with_another_code_than_ok_is_refused(portal, tmp_path):
    portal.script = {"service-results": [(201, b'{"code": "FORBIDDEN", "data": {}, "message": "no"}')]}
    refused(portal, tmp_path, "mã 'FORBIDDEN'")


# procedures ------------------------------------------------------------------------------------


def test_a_procedure_is_looked_up_and_its_filtered_responses_kept(portal, tmp_path):
    folder = take(portal, tmp_path, procedure_codes=[CODE])
    kept = [f"procedures/{CODE}/{e}.json" for e in FORMALITY_FILTER] + [f"procedures/{CODE}/formality.json"]
    assert files(folder) == sorted([f"{e}.json" for e in ENDPOINTS] + NATIONAL_FILES + ["snapshot.json", *kept])
    for endpoint in FORMALITY_FILTER:
        kept_raw = (folder / "procedures" / CODE / f"{endpoint}.json").read_bytes()
        assert kept_raw == (PORTAL_REF / endpoint / "month-formality.json").read_bytes()
    assert portal.bodies("formalities") == [{"q": CODE, "currentPage": 1, "pageSize": 10}]
    # the filter as each endpoint spells it; handling-satisfaction is asked once, unfiltered
    for endpoint in FORMALITY_FILTER:
        whole, filtered = portal.bodies(endpoint)
        key = "formalityID" if endpoint == "dossier-digitized" else "formalityId"
        assert filtered == whole | {key: FORMALITY_ID}
    assert "formalityId" not in portal.bodies("dossier-digitized")[1]
    (satisfaction,) = portal.bodies("handling-satisfaction")
    assert not {"formalityId", "formalityID"} & set(satisfaction)
    formality = json.loads((folder / "procedures" / CODE / "formality.json").read_text(encoding="utf-8"))
    assert formality["id"] == FORMALITY_ID and formality["code"] == CODE
    assert formality["name"].startswith("Chứng thực bản sao từ bản chính") and set(formality) == {"id", "code", "name"}
    info = meta(folder)
    assert info["procedures"] == [{"code": CODE, "id": FORMALITY_ID, "name": formality["name"], "dossiers": None}]
    by_procedure = [c for c in info["captures"] if "procedure" in c]
    assert [(c["procedure"], c["endpoint"], c["file"]) for c in by_procedure] == [
        (CODE, e, f"procedures/{CODE}/{e}.json") for e in FORMALITY_FILTER
    ]
    for capture in by_procedure:
        assert capture["sha256"] == hashlib.sha256((folder / capture["file"]).read_bytes()).hexdigest()
        assert capture["payload"] == portal.bodies(capture["endpoint"])[1]


def test_the_procedures_with_most_dossiers_are_chosen_from_the_dossier_table(portal, tmp_path):
    table = dossier_csv(
        tmp_path / "hoso.csv",
        {"1.000016": 1, "1.000025": 2, CODE: 3, "1.000010": 2},
        bad={"1.000016": 3},  # quarantined rows do not count: 1.000016 stays last
    )
    folder = take(portal, tmp_path, national=False, procedures=2, dossiers=table)
    assert [b["q"] for b in portal.bodies("formalities")] == [CODE, "1.000010"]  # the tie 1.000010/1.000025 by code
    procedures = meta(folder)["procedures"]
    assert [(p["code"], p["dossiers"]) for p in procedures] == [(CODE, 3), ("1.000010", 2)]
    assert procedures[1]["id"] == "019d2bfe-03ae-70ab-a3d7-d87d3f86c872"
    assert sorted(p.name for p in (folder / "procedures").iterdir()) == ["1.000010", CODE]
    assert portal.bodies("transparency")[2]["formalityId"] == "019d2bfe-03ae-70ab-a3d7-d87d3f86c872"


def test_codes_given_with_a_dossier_table_are_ranked_by_it(portal, tmp_path):
    table = dossier_csv(tmp_path / "hoso.csv", {CODE: 1, "1.000010": 4})
    folder = take(portal, tmp_path, national=False, procedure_codes=[CODE, "1.000025", "1.000010"], dossiers=table)
    assert [(p["code"], p["dossiers"]) for p in meta(folder)["procedures"]] == [
        ("1.000010", 4),
        (CODE, 1),
        ("1.000025", 0),
    ]


def test_a_code_missing_from_the_catalogue_is_named(portal, tmp_path):
    err = refused(portal, tmp_path, "không có thủ tục mã «9.999999»", procedure_codes=["9.999999"])
    assert "/api/v1/reporting/formalities" in str(err)
    assert len(portal.bodies("transparency")) == 1  # nothing filtered was asked


def test_only_the_exact_code_is_taken_from_the_catalogue(portal, tmp_path):
    near = [dict(item, code=f"{CODE}.H44") for item in CATALOGUE if item["code"] == CODE]
    answer = {"code": "OK", "data": {"items": near, "pagination": {"total": 1, "totalPages": 1}}}
    portal.script = {"formalities": [(201, json.dumps(answer).encode())]}
    refused(
        portal,
        tmp_path,
        rf"không có thủ tục mã «{re.escape(CODE)}» \(tìm thấy: {re.escape(CODE)}\.H44\)",
        procedure_codes=[CODE],
    )


def test_a_catalogue_item_with_a_strange_id_is_not_sent_on(portal, tmp_path):
    item = dict(next(item for item in CATALOGUE if item["code"] == CODE), id="../../x")
    portal.script = {"formalities": [(201, json.dumps({"code": "OK", "data": {"items": [item]}}).encode())]}
    err = refused(portal, tmp_path, "id '../../x' không hợp lệ", procedure_codes=[CODE])
    assert err.column == "items[0].id"


def test_a_bad_filtered_response_is_refused_like_an_unfiltered_one(portal, tmp_path):
    document = json.loads((PORTAL_REF / "dvc-progress-tree" / "month-formality.json").read_bytes())
    bad = edited(document, json_setter("children[3].score", 25))
    portal.script = {
        "dvc-progress-tree": [(201, (PORTAL_REF / "dvc-progress-tree" / "month-all.json").read_bytes()), (201, bad)]
    }
    err = refused(portal, tmp_path, r"ngoài khoảng 0\.\.20", procedure_codes=[CODE])
    assert err.column == "children[3].score"


@pytest.mark.parametrize(
    "options, words",
    [
        ({"procedures": 2}, "cho --dossiers TỆP .* hoặc --procedure MÃ"),
        ({"procedure_codes": ["../../x"]}, "--procedure «../../x» không phải mã thủ tục"),
        ({"procedure_codes": ["2.000815/.."]}, "không phải mã thủ tục"),
        ({"procedure_codes": [".2.000815"]}, "không phải mã thủ tục"),
        ({"procedures": -1, "procedure_codes": [CODE]}, "--procedures phải là số nguyên"),
        ({"procedures": 51, "procedure_codes": [CODE]}, "--procedures phải là số nguyên"),
        ({"dossiers": "hoso.csv"}, "--dossiers chỉ dùng cùng --procedures"),
        ({"procedures": 1, "dossiers": "missing.csv"}, "không tìm thấy tệp"),
    ],
    ids=["no-source", "dot-dot", "slash", "leading-dot", "negative", "too-many", "dossiers-alone", "no-such-table"],
)
def test_bad_procedure_arguments_are_refused_before_anything_is_sent(portal, tmp_path, options, words):
    options = {k: (str(tmp_path / v) if k == "dossiers" else v) for k, v in options.items()}
    with pytest.raises(InputError, match=words):  # the dossier table's own errors are the reader's
        take(portal, tmp_path, **options)
    assert portal.seen == []
    assert not (tmp_path / "snaps").exists()


def test_a_dossier_table_whose_top_code_cannot_name_a_folder_is_refused(portal, tmp_path):
    table = dossier_csv(tmp_path / "hoso.csv", {"../../etc": 5, CODE: 1})
    err = refused(portal, tmp_path, "mã thủ tục «../../etc» không đúng dạng", procedures=1, dossiers=table)
    assert err.path == table and err.column == "procedure_code"
    assert portal.seen == []


def test_a_dossier_table_without_procedure_codes_is_refused(portal, tmp_path):
    table = tmp_path / "hoso.csv"
    table.write_text("Mã hồ sơ,Tên đơn vị,Ngày tiếp nhận\nHS-1,UBND xã Thanh Sơn,2026-08-01\n", encoding="utf-8")
    refused(portal, tmp_path, "không có mã thủ tục nào", procedures=3, dossiers=table)
    assert portal.seen == []


# the command line ------------------------------------------------------------------------------


def argv(portal: Portal, tmp_path: Path, *extra: str) -> list[str]:
    return [
        "snapshot",
        "--root-department-id",
        PHU_THO_ID,
        "--period",
        "2026-08",
        "--out",
        str(tmp_path / "snaps"),
        "--name",
        "phu-tho",
        "--base-url",
        portal.url,
        "--timeout",
        "5",
        "--retries",
        "0",
        *extra,
    ]


def test_the_help_lists_the_new_options_in_vietnamese(capsys):
    assert main(["snapshot", "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "--no-national không lấy bảng đánh giá cả nước (service-results)" in out
    assert "--procedures N lấy thêm năm nhóm lọc theo N thủ tục hành chính có nhiều hồ sơ nhất" in out
    assert "--dossiers TỆP tệp hồ sơ của tỉnh (CSV, XLSX, Parquet)" in out
    assert "--procedure MÃ mã thủ tục hành chính cần lấy, ví dụ 2.000815" in out


def test_the_command_keeps_the_national_context_by_default(portal, tmp_path, capsys):
    assert main(argv(portal, tmp_path)) == 0
    folder = Path(capsys.readouterr().out.strip())
    assert set(NATIONAL_FILES) <= set(files(folder))


def test_the_command_without_the_national_context(portal, tmp_path, capsys):
    assert main(argv(portal, tmp_path, "--no-national")) == 0
    folder = Path(capsys.readouterr().out.strip())
    assert not set(NATIONAL_FILES) & set(files(folder))
    assert not portal.bodies("service-results")


def test_the_command_prints_the_warning_of_a_refused_service_results(portal, tmp_path, capsys):
    portal.script = {"service-results": [(404, b"")]}
    assert main(argv(portal, tmp_path)) == 0
    out, err = capsys.readouterr()
    assert Path(out.strip()).is_dir()
    # one line per response kept (indented), then the one warning
    kept, warnings = [], []
    for line in err.splitlines():
        (kept if line.startswith("  đã lấy ") else warnings).append(line)
    assert len(warnings) == 1 and warnings[0].startswith("cảnh báo: service-results: Cổng từ chối yêu cầu: HTTP 404")
    assert len(kept) == 6 and err.endswith(warnings[0] + "\n")


def test_the_command_fetches_the_procedures_with_most_dossiers(portal, tmp_path, capsys):
    table = dossier_csv(tmp_path / "hoso.csv", {CODE: 2, "1.000010": 1})
    assert main(argv(portal, tmp_path, "--procedures", "1", "--dossiers", str(table), "--no-national")) == 0
    folder = Path(capsys.readouterr().out.strip())
    assert [(p["code"], p["dossiers"]) for p in meta(folder)["procedures"]] == [(CODE, 2)]
    assert (folder / "procedures" / CODE / "formality.json").is_file()


def test_the_command_takes_repeated_procedure_codes(portal, tmp_path, capsys):
    assert main(argv(portal, tmp_path, "--procedure", CODE, "--procedure", "1.000010", "--no-national")) == 0
    folder = Path(capsys.readouterr().out.strip())
    assert [p["code"] for p in meta(folder)["procedures"]] == [CODE, "1.000010"]


def test_the_command_without_a_procedure_source_exits_2(portal, tmp_path, capsys):
    assert main(argv(portal, tmp_path, "--procedures", "3")) == 2
    err = capsys.readouterr().err
    assert err.startswith("Lỗi: --procedures cần biết lấy thủ tục nào") and err.count("\n") == 1
    assert "--dossiers" in err and "--procedure MÃ" in err
    assert portal.seen == []
