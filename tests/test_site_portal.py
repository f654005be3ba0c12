"""The published site as a portal (issue 14, part 2): a search that works offline, a page per unit
with its history, an Atom feed, Vietnamese dates, the audit appendix on its own page, pages readable
on a phone, and no axe-core violation on any kind of page.

The site is built once for the module from three sample runs (Phú Thọ August 2026, which carries a
history, Phú Thọ 2026, the Hải Phòng weekly notice) and driven in Chromium through file:// addresses:
what works here works offline, with no server.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest

from chiso766.publish import portal
from chiso766.publish.runner import run
from chiso766.publish.site import _script_json, publish
from tests.conftest import rerun_with

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = (("bulletin_766", "2026-08"), ("bulletin_766", "2026"), ("weekly_tthc", "2025-09-12_2025-09-18"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ATOM = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
REASON = "Phường Việt Trì bổ sung số liệu hồ sơ"


# the site, built once ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("portal-outputs")
    for report, slug in SAMPLES:
        run(ROOT / "params" / report / f"{slug}.yaml", out=root / report / slug)
    return root


@pytest.fixture(scope="module")
def site(outputs: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site from the three outputs, then published again with one unit's figures changed (a revision)."""
    folder = tmp_path_factory.mktemp("portal-site") / "site"
    publish(outputs, folder)
    changed = tmp_path_factory.mktemp("portal-changed") / "outputs"
    shutil.copytree(outputs, changed)
    units = changed / "bulletin_766" / "2026-08" / "tables" / "units.csv"
    text = units.read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith("H44.100,"))
    rerun_with(units, text.replace(row, row.replace(",62.88,", ",63.88,", 1)))
    assert publish(changed, folder, reason=REASON).revised == ["bulletin_766/2026-08"]
    return folder


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _page(browser: Any, width: int = 1280) -> tuple[Any, list[str], list[str]]:
    """A new page with its console errors and every address it requested."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    return page, errors, requests


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


# the audit appendix on its own page ------------------------------------------------------------------


def test_a_long_audit_appendix_is_rendered_once_for_the_page_and_audit_html(monkeypatch: pytest.MonkeyPatch) -> None:
    """The page measures an auditor's appendix to move it to audit.html, which shows it whole: one
    rendering serves both (the month's unit-by-unit trace is a tenth of a second)."""
    from chiso766.render import html
    from chiso766.report.outline import Document, Paragraph, Section

    trace = Section("truy-vet", "Truy vết", [Paragraph("Xã Sông Lô — 62,27 điểm. " * 3000)], pdf=False, appendix=True)
    document = Document("bulletin_766", "BÁO CÁO", "Bản tin", "", {}, [trace])
    rendered = []
    render = html.section_html
    monkeypatch.setattr(html, "section_html", lambda *args: rendered.append(args[0].id) or render(*args))
    assert 'href="audit.html#truy-vet"' in html.appendix_html(trace, document).text
    assert html.audit_page(document).count("Xã Sông Lô — 62,27 điểm.") == 3000
    assert rendered == ["truy-vet"]
    # another document of the same section is rendered for itself
    html.audit_page(Document("bulletin_766", "BÁO CÁO", "Bản tin khác", "", {}, [trace]))
    assert rendered == ["truy-vet"] * 2


@pytest.mark.slow
def test_the_bulletin_page_is_small_and_links_its_audit_page(outputs: Path) -> None:
    folder = outputs / "bulletin_766" / "2026-08"
    page, audit = _text(folder / "bulletin.html"), _text(folder / "audit.html")
    assert (folder / "bulletin.html").stat().st_size < 300_000  # 1,27 MB when the trace was inside
    assert audit.count("<details>") == 164 and "Xã Sông Lô — 62,27 điểm" in audit
    assert "<details>" not in page and 'href="audit.html#truy-vet"' in page
    document = json.loads(_text(folder / "document.json"))
    assert not [s["id"] for s in document["sections"] if f'<section id="{s["id"]}">' not in page]
    toc = re.search(r'<nav class="toc" aria-label="Mục lục">.*?</nav>', page)
    assert toc and '<a href="#ket-qua">I. KẾT QUẢ THỰC HIỆN</a>' in toc[0] and 'href="audit.html"' in toc[0]
    assert "<script" not in page and "http://" not in page and "https://" not in page
    assert page.count('<img src="data:image/svg+xml;base64,') >= 3  # charts as SVG: sharp, a quarter of the PNG
    manifest = json.loads(_text(folder / "manifest.json"))
    assert "audit.html" in {o["path"] for o in manifest["outputs"]}


# search ----------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_search_finds_a_unit_typed_without_diacritics_offline(site: Path, browser: Any) -> None:
    page, errors, requests = _page(browser)
    page.goto((site / "index.html").as_uri())
    page.fill("#tim", "viet tri")
    hits = page.locator("#ds-don-vi a")
    assert hits.all_inner_texts() == ["Phường Việt Trì"]
    shown = page.locator("tr[data-b]:not([hidden]) td:first-child a").all_inner_texts()
    assert {"Tháng 08/2026", "Năm 2026"} <= set(shown) and "12/09/2025 – 18/09/2025" not in shown
    page.fill("#tim", "Vie\u0302\u0323t Tri\u0300")  # typed in NFD
    assert hits.all_inner_texts() == ["Phường Việt Trì"]
    page.fill("#tim", "H44.100")
    assert hits.all_inner_texts() == ["Phường Việt Trì"]
    page.fill("#tim", "viet tri")
    page.select_option("#tinh", "Hải Phòng")
    assert hits.count() == 0 and "0 đơn vị" in page.inner_text("#so-ket-qua")
    page.select_option("#tinh", "")
    page.fill("#tim", "")
    page.select_option("#loai", "weekly_tthc")
    assert page.locator("tr[data-b]:not([hidden])").count() == 1
    assert page.locator('div.kind[data-kind="bulletin_766"]').is_hidden()
    page.select_option("#loai", "")
    page.select_option("#ky", "2026")
    assert page.locator("tr[data-b]:not([hidden]) td:first-child a").all_inner_texts() == ["Năm 2026"]
    page.select_option("#ky", "")
    # a unit with no page of its own (a commune of Hải Phòng's weekly notice) finds the bulletin naming it
    page.fill("#tim", "nguyen trai")
    assert hits.count() == 0 and page.inner_text("#so-ket-qua") == "0 đơn vị, 1 bản tin."
    assert page.locator("tr[data-b]:not([hidden]) td:first-child a").all_inner_texts() == ["12/09/2025 – 18/09/2025"]
    page.fill("#tim", "nguyen hai")  # words of two names, not of one
    assert page.inner_text("#so-ket-qua") == "0 đơn vị, 0 bản tin."
    page.fill("#tim", "viet tri")
    with page.expect_navigation():
        page.click("#ds-don-vi a")
    assert page.url.endswith("/units/H44.100.html") and page.inner_text("h1") == "Phường Việt Trì"
    assert errors == []
    assert requests and all(url.startswith(("file://", "data:")) for url in requests), requests


def test_search_data_is_inlined_without_markup() -> None:
    text = str(_script_json({"n": "</script><script>alert(1)</script> & Việt Trì"}))
    assert "<" not in text and ">" not in text and "&" not in text and "Việt Trì" in text
    assert json.loads(text) == {"n": "</script><script>alert(1)</script> & Việt Trì"}


# a page per unit -------------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_unit_page_shows_every_period_and_the_bulletins_naming_it(site: Path, browser: Any) -> None:
    path = site / "units" / "H44.100.html"  # a code with a dot: kept in the file name
    html = _text(path)
    page, errors, _ = _page(browser)
    page.goto(path.as_uri())
    rows = page.locator("table.history tbody tr")
    periods = [rows.nth(i).locator("th").inner_text() for i in range(rows.count())]
    assert periods == ["Tháng 06/2026", "Tháng 07/2026", "Tháng 08/2026", "Năm 2026"]
    august = rows.nth(2).inner_text()
    assert "63,88" in august and "88/148" in august  # the revised figure, the rank among the communes
    assert "Lịch sử trong bản tin Tháng 08/2026" in rows.nth(0).inner_text()
    # the months the bulletin says are illustrative are said so here too, under the table
    notes = page.locator("p.note").all_inner_texts()
    assert any(n.startswith("Lịch sử trong bản tin Tháng 08/2026: Số liệu tháng 6 và tháng 7/2026") for n in notes)
    chart = page.locator("figure.trend svg[role=img]")
    assert chart.count() == 1 and "Tháng 07/2026: 59,2 điểm" in (chart.locator("title").text_content() or "")
    assert chart.locator("circle").count() == 3  # the months: the year is another kind of period
    links = re.findall(r'<a href="\.\./([^"]+)">', html)
    assert {"bulletin_766/2026-08/index.html", "bulletin_766/2026/index.html"} <= set(links)
    assert all((site / link).is_file() for link in links)
    listing = _text(site / "units" / "index.html")
    assert 'href="H44.100.html"' in listing and listing.count('<li><a href="') >= 160
    assert errors == []


def test_unit_file_names_are_safe() -> None:
    taken: set[str] = set()

    def name(code: str, unit: str = "Xã Sông Lô", province: str = "Phú Thọ") -> str:
        return portal._file_name(portal.Unit(province, code, unit, "xa"), taken)

    assert name("H44.167") == "H44.167.html"
    assert name("H44.167", province="Hải Phòng") == "H44.167-hai-phong.html"
    for code in ("../../etc/passwd", "a/b", ".hidden", "x..y", "", "index", "<b>"):
        file = name(code)
        assert re.match(r"^[A-Za-z0-9][A-Za-z0-9._-]*\.html$", file) and ".." not in file, (code, file)
    assert name("", "Xã Sông Lô").startswith("xa-song-lo-")
    assert len(taken) == 10  # every one different


# the feed --------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_the_atom_feed_lists_bulletins_and_revisions(site: Path) -> None:
    root = ET.parse(site / "feed.xml").getroot()
    assert root.tag == f"{ATOM}feed"
    for tag in ("id", "title", "updated", "author"):
        assert root.find(f"{ATOM}{tag}") is not None, tag
    assert RFC3339.match(root.findtext(f"{ATOM}updated", ""))
    assert root.find(f"{ATOM}link[@rel='self']").get("href") == "feed.xml"  # type: ignore[union-attr]
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 4  # three bulletins, one revision
    ids = [e.findtext(f"{ATOM}id", "") for e in entries]
    assert len(set(ids)) == 4 and all(i.startswith("urn:uuid:") for i in ids)
    for entry in entries:
        assert entry.findtext(f"{ATOM}title") and RFC3339.match(entry.findtext(f"{ATOM}updated", ""))
        for link in entry.findall(f"{ATOM}link"):
            assert (site / link.get("href", "")).is_file(), link.get("href")
    revision = next(e for e in entries if e.findtext(f"{ATOM}title", "").startswith("Sửa đổi"))
    assert REASON in revision.findtext(f"{ATOM}summary", "")
    assert revision.find(f"{ATOM}link[@rel='related']").get("href") == "bulletin_766/2026-08/v1/index.html"  # type: ignore[union-attr]
    assert '<link rel="alternate" type="application/atom+xml"' in _text(site / "index.html")


# Vietnamese dates, the revisions log -----------------------------------------------------------------


@pytest.mark.slow
def test_dates_are_vietnamese_and_the_log_links_the_old_version(site: Path) -> None:
    index = _text(site / "index.html")
    visible = re.sub(r"<script.*?</script>|<[^>]+>", " ", index, flags=re.DOTALL)
    assert "26/09/2026" in visible and "18/09/2025" in visible
    assert not re.search(r"\d{4}-\d{2}-\d{2}", visible) and "+00:00" not in visible
    log = _text(site / "revisions.html")
    row = re.search(r'<tr id="r1">.*?</tr>', log, flags=re.DOTALL)
    assert row and REASON in row[0] and "(giờ Việt Nam)" in row[0]
    when = re.search(r'<td class="when">(.*?)</td>', row[0])
    assert when and re.fullmatch(r"\d{2}:\d{2} ngày \d{2}/\d{2}/\d{4} \(giờ Việt Nam\)", when[1])  # not ISO, not UTC
    assert 'href="bulletin_766/2026-08/v1/index.html"' in row[0]
    old = site / "bulletin_766" / "2026-08" / "v1"
    assert "Đây là phiên bản 1 của bản tin" in _text(old / "index.html")
    assert 'href="../../../index.html"' in _text(old / "index.html") and (old / "audit.html").is_file()


@pytest.mark.slow
def test_the_same_outputs_give_the_same_site(outputs: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "a" / "site", tmp_path / "b" / "site"
    publish(outputs, first)
    publish(outputs, second)
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert [f for f in files if (first / f).read_bytes() != (second / f).read_bytes()] == []


# on a phone ------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_pages_fit_a_phone(site: Path, browser: Any, tmp_path: Path) -> None:
    page, errors, _ = _page(browser, width=390)
    for path in (
        "index.html",
        "bulletin_766/2026-08/index.html",
        "bulletin_766/2026-08/audit.html",
        "units/H44.100.html",
    ):
        page.goto((site / path).as_uri())
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
        shot = tmp_path / (path.replace("/", "-") + ".png")
        page.screenshot(path=str(shot))
        assert shot.stat().st_size > 10_000, path
        images = page.evaluate("[...document.images].map(i => i.getBoundingClientRect().right)")
        assert all(right <= 390 for right in images), path
    page.goto((site / "bulletin_766/2026-08/index.html").as_uri())
    wide = page.evaluate(
        "[...document.querySelectorAll('.table-wrap')].filter(w => w.scrollWidth > w.clientWidth).length"
    )
    assert wide > 0  # a wide table scrolls inside its box, the page does not
    # ... with its caption in sight and wrapped there (it ran off the screen with the table), its names
    # a readable width (a word a line), and a shadow at the box's edge to say it scrolls
    frames = page.evaluate(
        """[...document.querySelectorAll('.table-wrap')].filter(w => w.scrollWidth > w.clientWidth).map(w => {
            const c = w.querySelector('caption').getBoundingClientRect();
            const name = w.querySelector('td.l');
            return [c.right, name ? name.getBoundingClientRect().width : 999, getComputedStyle(w).backgroundImage];
        })"""
    )
    assert frames and all(right <= 390 and width >= 140 and "radial-gradient" in shadow for right, width, shadow in frames)
    assert page.locator("nav.toc li").count() >= 8 and page.evaluate("document.getElementsByTagName('*').length") < 5000
    assert errors == []


@pytest.mark.slow
def test_every_letter_is_drawn_in_the_pages_own_face(site: Path, browser: Any) -> None:
    """Chromium's own account of the fonts it drew each element's text with: the shipped Tinos alone
    (this machine's Liberation fonts, which it takes for Times New Roman and Arial, have no ệ, ư, ọ)."""
    page, errors, requests = _page(browser)
    used: dict[str, set[str]] = {}
    for kind in ("bulletin", "audit", "unit", "methodology"):
        page.goto((site / PAGE_KINDS[kind]).as_uri())
        cdp = page.context.new_cdp_session(page)
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
        text = "main :is(h1, h2, h3, p, li, th, td, a, caption)"
        nodes = cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": text})
        used[kind] = {
            font["familyName"]
            for node in nodes["nodeIds"][:400]
            for font in cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        }
        cdp.detach()
    assert used == {kind: {"Tinos"} for kind in used}
    assert [r for r in requests if not r.startswith(("file:", "data:"))] == [] and errors == []


# accessibility ---------------------------------------------------------------------------------------

PAGE_KINDS = {
    "index": "index.html",
    "bulletin": "bulletin_766/2026-08/index.html",
    "audit": "bulletin_766/2026-08/audit.html",
    "unit": "units/H44.100.html",
    "units": "units/index.html",
    "methodology": "methodology.html",
    "revisions": "revisions.html",
}


@pytest.mark.slow
def test_no_axe_violation_on_any_kind_of_page(site: Path, browser: Any) -> None:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()  # axe-core shipped inside the package: nothing downloaded
    page, errors, _ = _page(browser)
    found = {}
    for kind, path in PAGE_KINDS.items():
        page.goto((site / path).as_uri())
        if kind == "index":
            page.fill("#tim", "xa")  # with results shown
        # no preload: axe would fetch the site's fonts.css again by XHR, which a file:// page may not do
        violations = axe.run(page, options={"resultTypes": ["violations"], "preload": False}).response["violations"]
        found[kind] = [(v["id"], [n["target"] for n in v["nodes"][:3]]) for v in violations]
    assert found == {kind: [] for kind in PAGE_KINDS}
    assert errors == []


def test_the_methodology_page_reads_as_vietnamese_with_every_rule_whole() -> None:
    """Each formula's rule in one cell, cut nowhere (a comma left unquoted in formulas.csv split ZF's
    rule into a fourth, headless column of Python lists), and the evidence in words, not labels."""
    from chiso766.publish.site import _methodology

    page = _methodology()
    body = re.sub(r"<[^>]+>", "|", page.split("<body", 1)[1])
    assert "không có phản ánh, kiến nghị hoặc không có dữ liệu: đạt điểm tối đa theo quy tắc của Cổng" in body
    assert "không có dữ liệu: không tính điểm, không coi là 0" in body
    for token in ("nan", "None", "['", "[api]", "[inferred]", "[open]", "[doc]"):
        assert f"|{token}|" not in body and token not in re.findall(r"<td[^>]*>([^<]*)", page), token
    assert "['" not in page
    rows = re.findall(r"<tr>(.*?)</tr>", page.split("Mã công thức dùng trong bảng truy vết")[-1], flags=re.S)
    assert len(rows) == 7 and all(len(re.findall(r"<t[dh]", row)) == 3 for row in rows)
    assert "tính lại khớp với Cổng" in body and "suy ra, chưa có văn bản" in body


def test_on_a_phone_the_bulletins_are_cards_and_the_search_still_hides_rows(site: Path, browser: Any) -> None:
    """Seven columns did not fit 390 px (the title, the fourth, out of sight): each bulletin is a card,
    its cells labelled; a row the search hides stays hidden though the cards are display: block."""
    page, errors, _ = _page(browser, 390)
    page.goto((site / "index.html").as_uri())
    card = page.locator("tr[data-b] td.title").first
    assert card.is_visible() and card.bounding_box()["x"] + card.bounding_box()["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.select_option("#ky", "2026")  # one row of the kind's several
    visible = [row for row in page.locator("tr[data-b]").all() if row.is_visible()]
    assert len(visible) == 1 and "Năm 2026" in visible[0].inner_text()
    assert errors == []
