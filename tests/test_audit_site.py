"""Audit (verify, explain), the published site, snapshots of the portal, and security."""

from __future__ import annotations

import hashlib
import http.server
import json
import shutil
import threading
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from chiso766.publish.audit import explain, verify
from chiso766.cli import main
from chiso766.core.errors import InputError
from chiso766.ingest.portal import ENDPOINTS, read_snapshot
from chiso766.core.methodology import load
from tests.conftest import rerun_with
from chiso766.publish.runner import run
from chiso766.compute.scorecard import score_snapshot
from chiso766.publish.site import publish
from chiso766.ingest.snapshot import TOKEN_ENV, SnapshotError, snapshot

from .conftest import PORTAL_REF

ROOT = Path(__file__).resolve().parents[1]
HP = ROOT / "params" / "bulletin_766" / "2025.yaml"
ARTIFACTS = ROOT / "tests" / "artifacts"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("outputs")
    run(HP, out=root / "bulletin_766" / "2025")
    run(ROOT / "params/weekly_tthc/2025-09-12_2025-09-18.yaml", out=root / "weekly_tthc" / "2025-09-12_2025-09-18")
    return root


# verify and explain --------------------------------------------------------------------------


def test_verify_passes_on_a_sample_output(outputs):
    result = verify(outputs / "bulletin_766" / "2025")
    assert result.ok, result.lines()
    # every file a run writes is made again byte for byte: the PDF, the pages, the workbook, the charts
    assert result.rerun["tables/units.csv"] == result.rerun["bulletin.pdf"] == "identical"
    assert {"bulletin.html", "tables.xlsx", "document.json", "figures/rank_so.svg"} <= set(result.rerun)
    assert "notebook.ipynb" not in result.rerun and "manifest.json" not in result.rerun
    assert set(result.inputs.values()) == {"same"} and result.code == "same" and not result.versions


def test_verify_names_a_table_changed_by_hand(outputs, tmp_path, capsys):
    copy = tmp_path / "2025"
    shutil.copytree(outputs / "bulletin_766" / "2025", copy)
    units = copy / "tables" / "units.csv"
    units.write_text(units.read_text(encoding="utf-8").replace("63.74", "64.74"), encoding="utf-8")
    assert main(["verify", str(copy)]) == 1
    out = capsys.readouterr().out
    assert "tệp tables/units.csv: KHÁC (dòng 13, cột total: «64.74» trong thư mục, «63.74» khi chạy lại)" in out
    assert "tables/groups.csv" not in out and "KHÔNG tái lập" in out


def test_verify_makes_every_file_again_not_only_the_tables(outputs, tmp_path, capsys):
    """A PDF edited, with its new SHA-256 written into the manifest, passed as «tái lập đúng»; a file
    added to the folder was said to be «KHÔNG CÒN»; a manifest of other code passed silently."""
    copy = tmp_path / "2025"
    shutil.copytree(outputs / "bulletin_766" / "2025", copy)
    pdf = copy / "bulletin.pdf"
    edited = bytearray(pdf.read_bytes())
    edited[len(edited) // 2] ^= 1
    pdf.write_bytes(edited)
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["outputs"]:
        if entry["path"] == "bulletin.pdf":
            entry["sha256"] = hashlib.sha256(edited).hexdigest()  # as one who edits the PDF would
    manifest["code_sha256"] = "0" * 64
    manifest["versions"]["duckdb"] = "0.9.0"
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (copy / "tables" / "extra.csv").write_text("a\n", encoding="utf-8")
    (copy / "figures" / "rank_so.svg").unlink()
    assert main(["verify", str(copy)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert "tệp bulletin.pdf: KHÁC" in out
    assert "tệp tables/extra.csv: THỪA (chạy lại không tạo ra tệp này)" in out
    assert "tệp figures/rank_so.svg: THIẾU (chạy lại có tệp này, thư mục không có)" in out
    assert any(line.startswith("mã chương trình: KHÁC với mã đã tạo thư mục này") for line in out)
    assert "phiên bản duckdb: 0.9.0 khi tạo, " + duckdb.__version__ + " khi chạy lại" in out


def test_verify_reports_an_input_that_changed(outputs, tmp_path):
    manifest = json.loads((outputs / "bulletin_766" / "2025" / "manifest.json").read_text(encoding="utf-8"))
    copy = tmp_path / "2025"
    shutil.copytree(outputs / "bulletin_766" / "2025", copy)
    moved = tmp_path / "scores.csv"
    shutil.copyfile(manifest["input_paths"]["scores"], moved)
    moved.write_text(moved.read_text(encoding="utf-8").replace("35,3", "36,3"), encoding="utf-8")
    manifest["input_paths"]["scores"] = str(moved)
    for entry in manifest["inputs"]:
        if entry["kind"] == "scores":
            entry["path"] = str(moved)
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    result = verify(copy)
    assert result.inputs[str(moved)] == "changed" and not result.ok
    assert result.rerun["tables/units.csv"] == "different"


def test_explain_traces_a_unit(outputs):
    lines = explain("Sở Y tế", outputs / "bulletin_766" / "2025")
    assert lines[0].startswith("Sở Y tế (HP.YT), cấp sở, ban, ngành: tổng 63,74 điểm, hạng 11")
    assert any("tỷ lệ 35,3% × 20 / 100" in line and line.endswith("= 7,1") for line in lines)
    with pytest.raises(InputError):
        explain("Sở Không Có", outputs / "bulletin_766" / "2025")


def test_explain_components_from_a_portal_snapshot(tmp_path):
    out = run(ROOT / "params/bulletin_766/2026-08.yaml", out=tmp_path / "pt")
    lines = explain("H44.167", out)
    assert "Xã Sông Lô" in lines[0] and "62,27 điểm" in lines[0] and "cấp xã, phường, đặc khu" in lines[0]
    # typed as the site's search takes it: without accents or tier, when that names one unit
    assert explain("song lo", out)[0] == lines[0] == explain("SÔNG LÔ", out)[0]
    with pytest.raises(InputError, match="không có đơn vị «lo» trong bản tin này$"):
        explain("lo", out)  # a name's last word is not the name
    with pytest.raises(InputError, match="«song loo» .*; có phải: Xã Sông Lô"):
        explain("song loo", out)
    assert any(line.strip().startswith("2.1 ") and "1.979/2.405 = 82,29%" in line and "16,46 [F1]" in line for line in lines)
    assert any("4.3 " in line and "ngưỡng 80%" in line and "[F2]" in line for line in lines)
    # the portal's own group and total beside the recomputed ones, where they differ too; in Vietnamese
    thanh_thuy = explain("Xã Thanh Thủy", out)
    assert thanh_thuy[0].startswith("Xã Thanh Thủy (H44.144), cấp xã, phường, đặc khu: tổng 64,52 điểm; Cổng: 64,53,")
    assert "  Thanh toán trực tuyến: 5,98/10 điểm; Cổng: 5,99 (tính lại từ số đếm)" in thanh_thuy
    assert "  Dịch vụ công trực tuyến: 6,28/12 điểm; Cổng: 6,28 (theo Cổng: Cổng không cho số đếm của đơn vị)" in thanh_thuy
    assert "dữ liệu vào: data/generated/phu-tho-2026-08/dossiers.csv, " in thanh_thuy[1]
    assert not any("recomputed" in line or "no counts" in line for line in thanh_thuy)
    # components in the methodology's order, in the trace and its table (the portal gives 5.4 before 5.2)
    assert [line.split()[0] for line in thanh_thuy if line.startswith("    5.")] == ["5.1", "5.1b", "5.2", "5.3", "5.4"]
    audit = (out / "tables" / "audit.csv").read_text(encoding="utf-8-sig").splitlines()
    rows = [line.split(",")[4] for line in audit if line.startswith("H44.144,")]
    assert rows == sorted(rows, key=load("2026").place) and rows.index("5.2") < rows.index("5.4")
    assert audit[0].startswith("unit_code,unit_name,tier,group,component,numerator,denominator,rate,threshold,max,points,portal_points,formula")
    page = (out / "audit.html").read_text(encoding="utf-8")  # the per-unit trace: on the audit page only
    assert page.count("<details>") == 164 and "Xã Sông Lô — 62,27 điểm" in page
    assert "<details>" not in (out / "bulletin.html").read_text(encoding="utf-8")


# the site ------------------------------------------------------------------------------------


def test_publish_builds_the_site_and_logs_revisions(outputs, tmp_path):
    site = tmp_path / "site"
    result = publish(outputs, site)
    assert result.bulletins == 2 and not result.revised
    index = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="bulletin_766/2025/index.html"' in index and 'href="weekly_tthc/2025-09-12_2025-09-18/index.html"' in index
    for name in ("bulletin.pdf", "tables.xlsx", "tables/units.csv", "figures/rank_so.svg", "index.html"):
        assert (site / "bulletin_766" / "2025" / name).is_file(), name
    methodology = (site / "methodology.html").read_text(encoding="utf-8")
    assert "Các chỉ số thành phần" in methodology
    # the rule as the bulletins say it, the formula's separator as in its row (a comma is the decimal mark)
    rule = "Điểm chỉ số thành phần = điểm tối đa × min(1; tỷ lệ / ngưỡng), làm tròn nửa lên"
    assert rule in methodology and rule in (outputs / "bulletin_766" / "2025" / "bulletin.html").read_text(encoding="utf-8")
    assert "min(1; tỷ lệ / ngưỡng); làm tròn" in methodology and "min(1," not in methodology
    assert "<td>2.1</td><td>Tiến độ giải quyết</td><td>Tỷ lệ hồ sơ giải quyết trước hạn, đúng hạn</td><td>20</td><td>—</td>" in methodology
    assert publish(outputs, site).revised == []  # same figures: nothing to log

    changed = tmp_path / "outputs"
    shutil.copytree(outputs, changed)
    units = changed / "bulletin_766" / "2025" / "tables" / "units.csv"
    rerun_with(units, units.read_text(encoding="utf-8").replace("63.74", "64.74"))
    with pytest.raises(InputError, match="cần nêu lý do"):
        publish(changed, site)
    result = publish(changed, site, reason="Sở Y tế bổ sung số liệu hồ sơ")
    assert result.revised == ["bulletin_766/2025"]
    old = (site / "bulletin_766" / "2025" / "v1" / "tables" / "units.csv").read_text(encoding="utf-8")
    assert "63.74" in old and "64.74" in (site / "bulletin_766" / "2025" / "tables" / "units.csv").read_text(encoding="utf-8")
    log = (site / "revisions.html").read_text(encoding="utf-8")
    assert "Sở Y tế bổ sung số liệu hồ sơ" in log and "units.csv" in log and "Sở Y tế: 63.74 → 64.74" in log
    assert publish(changed, site).revised == [] and (site / "bulletin_766" / "2025" / "v1").is_dir()


def test_a_publish_stopped_midway_leaves_the_previous_site(outputs, tmp_path, monkeypatch):
    site = tmp_path / "site"
    publish(outputs, site)
    before = sorted(str(p.relative_to(site)) for p in site.rglob("*"))
    import chiso766.publish.site as site_module

    def boom(*args, **kwargs):
        raise KeyboardInterrupt("killed")

    monkeypatch.setattr(site_module, "_revisions", boom)
    with pytest.raises(KeyboardInterrupt):
        publish(outputs, site)
    assert sorted(str(p.relative_to(site)) for p in site.rglob("*")) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def served_site(outputs, tmp_path):
    site = tmp_path / "site"
    publish(outputs, site)
    handler = lambda *a, **k: _Quiet(*a, directory=str(site), **k)  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


_A11Y = """() => {
  const levels = [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map(h => +h.tagName[1]);
  const tables = [...document.querySelectorAll('table')];
  return {lang: document.documentElement.lang, levels,
          imgs: [...document.images].map(i => i.alt || ''),
          tablesWithoutHeaders: tables.filter(t => !t.querySelector('th')).length, tables: tables.length};
}"""


def test_site_in_a_real_browser(served_site):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        page = browser.new_page(viewport={"width": 1200, "height": 1400})
        errors, requests = [], []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        for path, shot in (("/index.html", "site-index.png"), ("/bulletin_766/2025/index.html", "site-bulletin_766.png"),
                           ("/weekly_tthc/2025-09-12_2025-09-18/index.html", "site-weekly.png"),
                           ("/bulletin_766/2025/audit.html", None), ("/units/index.html", None),
                           ("/units/HP.YT.html", "site-unit.png"), ("/methodology.html", None),
                           ("/revisions.html", None)):
            response = page.goto(served_site + path)
            assert response is not None and response.ok, path
            report = page.evaluate(_A11Y)
            assert report["lang"] == "vi", path
            levels = report["levels"]
            assert levels and levels[0] == 1 and all(b - a <= 1 for a, b in zip(levels, levels[1:])), (path, levels)
            assert all(len(alt) > 20 for alt in report["imgs"]), path
            assert report["tablesWithoutHeaders"] == 0, path
            if shot:
                page.screenshot(path=str(ARTIFACTS / shot), full_page=False)
        browser.close()
    assert errors == []
    assert requests and all(url.startswith(served_site) or url.startswith("data:") for url in requests)


# security ------------------------------------------------------------------------------------


def test_text_from_data_is_escaped_everywhere(tmp_path, monkeypatch):
    scores = tmp_path / "scores.csv"
    scores.write_text("unit_name,tier,total\n<script>alert(1)</script>,so,80\n=HYPERLINK(\"http://x\"),so,70\n",
                      encoding="utf-8")
    params = tmp_path / "params" / "bulletin_766" / "x.yaml"
    params.parent.mkdir(parents=True)
    params.write_text(f"report: bulletin_766\nperiod: '2025'\ninputs: {{scores: {scores}}}\n", encoding="utf-8")
    monkeypatch.setenv(TOKEN_ENV, "s3cr3t-token-value")
    out = run(params, out=tmp_path / "outputs" / "bulletin_766" / "2025")
    page = (out / "bulletin.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    from openpyxl import load_workbook

    cell = load_workbook(out / "tables.xlsx")["Điểm các đơn vị"]["B3"]
    assert cell.value.startswith("=HYPERLINK") and cell.data_type == "s"  # text, not a formula
    site = tmp_path / "site"
    publish(tmp_path / "outputs", site)
    for path in site.rglob("*"):
        if path.is_file() and path.suffix in {".html", ".json", ".csv"}:
            text = path.read_text(encoding="utf-8")
            assert "s3cr3t-token-value" not in text
            assert "<script>alert(1)</script>" not in text or path.suffix == ".csv"
    for path in out.rglob("*"):
        if path.is_file() and path.suffix in {".json", ".ipynb", ".html"}:
            assert "s3cr3t-token-value" not in path.read_text(encoding="utf-8")


def test_output_paths_stay_inside_the_outputs_folder(tmp_path, capsys):
    params = tmp_path / "params" / "bulletin_766" / "x.yaml"
    params.parent.mkdir(parents=True)
    params.write_text("report: bulletin_766\nperiod: '../../etc'\ninputs: {scores: s.csv}\n", encoding="utf-8")
    assert main(["run", str(params)]) == 2
    assert "không đúng dạng" in capsys.readouterr().err
    assert not (tmp_path / "etc").exists()


# snapshots of the portal ---------------------------------------------------------------------


class _Portal(http.server.BaseHTTPRequestHandler):
    faults: dict[str, list[str]] = {}
    seen: list[tuple[str, str, dict]] = []

    def log_message(self, *args):
        pass

    def do_POST(self):  # noqa: N802
        endpoint = self.path.rsplit("/", 1)[-1]
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).seen.append((endpoint, self.headers.get("Authorization", ""), body))
        queue = type(self).faults.get(endpoint, [])
        fault = queue.pop(0) if queue else "ok"
        if fault == "slow":
            import time

            time.sleep(1.5)
        if fault in ("500", "404"):
            self.send_response(int(fault))
            self.end_headers()
            return
        raw = (PORTAL_REF / endpoint / "month-all.json").read_bytes()
        if fault == "truncated":
            raw = raw[: len(raw) // 2]
        if fault == "empty":
            document = json.loads(raw)
            document["data"]["evaluation" if "evaluation" in document["data"] else "children"] = []
            raw = json.dumps(document).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        try:
            self.wfile.write(raw)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (the slow fault): what it does then is the test's


@pytest.fixture
def portal():
    _Portal.faults, _Portal.seen = {}, []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Portal)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


NOW = datetime(2026, 9, 26, 3, 0, tzinfo=timezone.utc)


def _snap(portal, tmp_path, **kw):
    return snapshot("019d2be3-6a88-732b-8b17-b68020c8553a", "2026-08", tmp_path / "snaps", name="phu-tho",
                    base_url=portal, timeout=1, retries=2, backoff=0.01, sleep=lambda s: None, now=NOW, **kw)


def test_snapshot_saves_complete_responses_that_score_like_the_reference(portal, tmp_path, monkeypatch):
    monkeypatch.setenv(TOKEN_ENV, "tok-123")
    folder = _snap(portal, tmp_path)
    assert folder.name == "phu-tho-2026-08-20260926T030000Z"
    meta = json.loads((folder / "snapshot.json").read_text(encoding="utf-8"))
    assert [c["endpoint"] for c in meta["captures"]] == list(ENDPOINTS)
    for capture in meta["captures"]:
        raw = (folder / capture["file"]).read_bytes()
        assert raw == (PORTAL_REF / capture["endpoint"] / "month-all.json").read_bytes()
        assert __import__("hashlib").sha256(raw).hexdigest() == capture["sha256"]
    body = next(b for e, _, b in _Portal.seen if e == "transparency")
    assert body == {"rootDepartmentId": "019d2be3-6a88-732b-8b17-b68020c8553a", "currentPage": 1, "pageSize": 200,
                    "timeType": "month", "year": 2026, "month": 8}
    assert next(b for e, _, b in _Portal.seen if e == "handling-satisfaction")["fromDate"] == "2026-08-01"
    assert all(auth == "Bearer tok-123" for _, auth, _ in _Portal.seen)
    assert all("tok-123" not in p.read_text(encoding="utf-8") for p in folder.iterdir())
    method = load("2026")
    card = score_snapshot(read_snapshot(folder, method), method)
    assert card.units[card.units["tier"] == "tinh"].iloc[0]["total"] == Decimal("59.92")


def test_snapshot_retries_a_server_error_then_succeeds(portal, tmp_path):
    _Portal.faults = {"dvc-progress-tree": ["500", "slow"]}
    folder = _snap(portal, tmp_path)
    assert (folder / "dvc-progress-tree.json").is_file()
    assert sum(1 for e, _, _ in _Portal.seen if e == "dvc-progress-tree") == 3


@pytest.mark.parametrize("fault, words", [
    (["500", "500", "500"], "sau 3 lần thử"), (["slow", "slow", "slow"], "sau 3 lần thử"),
    (["404"], "HTTP 404"), (["truncated"], "không phải JSON hợp lệ"), (["empty"], "danh sách đơn vị rỗng"),
])
def test_snapshot_faults_leave_no_partial_folder(portal, tmp_path, fault, words):
    _Portal.faults = {"handling-satisfaction": list(fault)}
    with pytest.raises(SnapshotError, match=words):
        _snap(portal, tmp_path)
    assert not list((tmp_path / "snaps").iterdir())
