"""The shape of the code an auditor walks through: layers, notebooks that show every step, one HTML path."""

from __future__ import annotations

import ast
import importlib
import json
from decimal import Decimal
from importlib import resources
from pathlib import Path

import pandas as pd
import pytest

from chiso766.compute.facts import province_extremes, with_ratios
from chiso766.core.methodology import load
from chiso766.render.html import header_html, section_html, signature_html
from chiso766.report.outline import Bullets, Document, Paragraph, Section, Table

NOTEBOOKS = Path(str(resources.files("chiso766").joinpath("notebooks")))
PACKAGES = ("core", "ingest", "compute", "report", "render", "publish", "samples")


@pytest.mark.parametrize("package", PACKAGES)
def test_each_package_says_what_it_holds(package: str) -> None:
    module = importlib.import_module(f"chiso766.{package}")
    doc = (module.__doc__ or "").strip()
    assert doc and len(doc.splitlines()) <= 3, f"chiso766.{package}: a docstring of two lines"


@pytest.mark.parametrize("name", ["bulletin_766", "unit_report", "weekly_tthc"])
def test_notebook_cells_are_one_call_each(name: str) -> None:
    """Every code cell but the parameters is one statement: a library call, or a name bound to one."""
    notebook = json.loads((NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8"))
    assert notebook["metadata"]["kernelspec"]["name"] == "chiso766"
    code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    assert "parameters" in code[0]["metadata"]["tags"]
    for cell in code[2:]:
        tree = ast.parse("".join(cell["source"]))
        assert len(tree.body) == 1, cell["source"]
        statement = tree.body[0]
        value = statement.value if isinstance(statement, (ast.Assign, ast.Expr)) else None
        assert isinstance(value, (ast.Call, ast.Attribute)), cell["source"]
        assert not any(isinstance(n, (ast.BinOp, ast.For, ast.Lambda)) for n in ast.walk(tree)), cell["source"]
    markdown = [c for c in notebook["cells"] if c["cell_type"] == "markdown"]
    assert all("remove" in c["metadata"]["tags"] for c in markdown), "explanations stay out of the bulletin"
    steps = [("".join(c["source"]).splitlines() or [""])[0] for c in markdown]
    assert [s for s in steps if s.startswith("## Bước")][:3] == ["## Bước 1. Tham số", "## Bước 2. Dữ liệu vào",
                                                                 next(s for s in steps if s.startswith("## Bước 3"))]
    assert any("nb.save(" in "".join(c["source"]) for c in code), "the last step writes the outputs, in sight"


def test_lost_points_tied_between_groups_pick_the_first_group() -> None:
    """Two groups losing the same points used to compare Group objects (TypeError)."""
    method = load("2026")
    row = {"unit_key": "P", "unit_code": "P", "unit_name": "Tỉnh Mẫu", "tier": "tinh", "as_of": None, "rank": None,
           "cong_khai": Decimal("16"), "tien_do": Decimal("18"), "truc_tuyen": Decimal("12"),
           "thanh_toan": Decimal("10"), "hai_long": Decimal("18"), "so_hoa": Decimal("22")}
    units = with_ratios(pd.DataFrame([row], dtype=object), method)
    extremes = province_extremes(units.iloc[0], method)
    assert extremes is not None
    assert extremes.most_lost == (Decimal(2), method.group("cong_khai"))
    assert extremes.low[1].key == "cong_khai" and extremes.high[1].key == "truc_tuyen"
    full = {**row, "cong_khai": Decimal("18"), "tien_do": Decimal("20")}
    whole = province_extremes(with_ratios(pd.DataFrame([full], dtype=object), method).iloc[0], method)
    assert whole is not None and whole.most_lost is None  # nothing lost: no group "lost most 0 points"


def test_a_group_with_nothing_to_count_is_never_where_most_points_were_lost() -> None:
    """Points lost in a group where nothing happened (0/0, "không phát sinh") are not a task: the group
    lost most is found among the others, and the appendix and the body name the same one."""
    method = load("2026")
    row = {"unit_key": "S1", "unit_code": "S1", "unit_name": "Thanh tra tỉnh", "tier": "so", "as_of": None,
           "rank": None, "cong_khai": Decimal("1.96"), "tien_do": Decimal("0"), "truc_tuyen": Decimal("0"),
           "thanh_toan": Decimal("12"), "hai_long": Decimal("0"), "so_hoa": Decimal("2")}
    plain = with_ratios(pd.DataFrame([row], dtype=object), method).iloc[0]
    assert (plain["most_lost_key"], plain["most_lost_points"]) == ("tien_do", Decimal("20"))  # the first of a tie
    idle = with_ratios(pd.DataFrame([row], dtype=object), method, {("S1", "tien_do"), ("X9", "so_hoa")}).iloc[0]
    assert (idle["most_lost_key"], idle["most_lost_points"]) == ("so_hoa", Decimal("20"))
    assert (idle["most_lost_group"], idle["most_lost_short"]) == (method.group("so_hoa").name_vi,
                                                                  method.group("so_hoa").short_vi)
    every = {("S1", g.key) for g in method.groups}
    nothing = with_ratios(pd.DataFrame([row], dtype=object), method, every).iloc[0]
    assert nothing["most_lost_key"] is None and nothing["most_lost_points"] is None


def _document() -> Document:
    issuer = {"parent_body": "UBND tỉnh Mẫu", "body": "Văn phòng", "number": "12/BC-VP", "place_date": "Mẫu, ngày",
              "signer_prefix": "KT. CHÁNH VĂN PHÒNG", "signer_title": "Phó Chánh Văn phòng", "signer": "Nguyễn Văn A",
              "recipients": ["UBND tỉnh", "Lưu: VT"]}
    return Document("bulletin_766", "BÁO CÁO", "Kết quả <Bộ chỉ số 766>", "(Tính đến ngày 07/10/2025)", issuer)


def test_html_fragments_snapshot() -> None:
    """The Jinja fragments, byte for byte: escaping, the NĐ 30 header from its one data file, the list styles."""
    doc = _document()
    assert header_html(doc).text == (
        '<header class="doc-header"><div><div>UBND TỈNH MẪU</div><div class="body">VĂN PHÒNG</div>'
        '<div class="rule"></div><div class="number">Số: 12/BC-VP</div></div><div><div class="body">'
        'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</div><div class="motto">Độc lập - Tự do - Hạnh phúc</div>'
        '<div class="rule"></div><div class="place-date">Mẫu, ngày</div></div></header><h1><span class="doc-type">'
        'BÁO CÁO</span>Kết quả &lt;Bộ chỉ số 766&gt;</h1><p class="subtitle">(Tính đến ngày 07/10/2025)</p>')
    assert signature_html(doc).text == (
        '<div class="signature"><div class="recipients"><strong><em>Nơi nhận:</em></strong><ul><li>UBND tỉnh;</li>'
        '<li>Lưu: VT.</li></ul></div><div class="signer">KT. CHÁNH VĂN PHÒNG<br>PHÓ CHÁNH VĂN PHÒNG'
        '<div class="name">Nguyễn Văn A</div></div></div>')
    section = Section("s", "I. KẾT QUẢ", [
        Paragraph("Sở \"A\" & 'B'", "lead"), Bullets(["một", "+ hai"], numbered=True),
        Table("t", "Bảng", ["Đơn vị", "Điểm"], [["Sở <X>", "84,63"]], ["l", "r"], [], "ghi chú", [0])])
    assert section_html(section).text == (
        '<section id="s"><h2>I. KẾT QUẢ</h2><p class="lead">Sở &quot;A&quot; &amp; &#x27;B&#x27;</p><ol><li>một</li>'
        '<li class="sub">hai</li></ol><div class="table-wrap" tabindex="0" role="region" aria-label="Bảng"><table id="t-t"><caption>Bảng</caption><thead><tr>'
        '<th scope="col" class="l">Đơn vị</th><th scope="col" class="r">Điểm</th></tr></thead><tbody><tr class="hl">'
        '<td class="l">Sở &lt;X&gt;</td><td class="r">84,63</td></tr></tbody></table><p class="note">ghi chú</p>'
        '<p class="download">Tải bảng: <a href="tables/t.csv" download aria-label="Tải bảng Bảng (CSV)">CSV</a> · '
        '<a href="tables/t.xlsx" download aria-label="Tải bảng Bảng (XLSX)">XLSX</a></p></div></section>')


@pytest.mark.slow
def test_notebook_in_jupyterlab_shows_charts_with_its_shipped_parameters(tmp_path: Path) -> None:
    """Opened from its own folder with the shipped parameters (no out_dir), the notebook runs and draws its charts."""
    import papermill

    out = tmp_path / "executed.ipynb"
    papermill.execute_notebook(str(NOTEBOOKS / "bulletin_766.ipynb"), str(out), kernel_name="python3",
                               cwd=str(NOTEBOOKS), progress_bar=False)
    executed = json.loads(out.read_text(encoding="utf-8"))
    html = "".join("".join(o.get("data", {}).get("text/html", "")) for c in executed["cells"]
                   for o in c.get("outputs", []))
    assert html.count('<img src="data:image/svg+xml;base64,') >= 2
    assert 'href="tables/' not in html and 'href="figures/' not in html, "no link to files a notebook run does not write"
    assert "Tỉnh Phú Thọ" in html or "Phú Thọ" in html
    assert not list(NOTEBOOKS.glob("*.csv")) and not (NOTEBOOKS / "figures").exists(), "nothing written without out_dir"


def test_the_kernel_module_loads_without_params_or_pandas() -> None:
    """``chiso766 run`` starts the kernel before the runner loads: what that takes must stay light."""
    import subprocess
    import sys

    code = (
        "import sys, chiso766.publish.kernel as k; k.kernel_manager();"
        "print(sorted({'pandas', 'pydantic', 'chiso766.core.params', 'matplotlib'} & set(sys.modules)))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"
