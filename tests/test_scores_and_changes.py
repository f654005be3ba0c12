"""Score tables with several as-of dates or totals only, the registry, and change against a previous period."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from chiso766.cli import main
from chiso766.core.errors import Diagnostics
from chiso766.ingest.scores import read_scores
from chiso766.core.methodology import load
from chiso766.compute.scorecard import from_unit_table
from chiso766.ingest.units import load_registry

ROOT = Path(__file__).resolve().parents[1]


def method_for(_):
    return load("2026")


def test_totals_only_table_is_ranked_with_ties(tmp_path):
    path = tmp_path / "totals.csv"
    path.write_text("Tên đơn vị,Tổng điểm\nXã A,\"80,5\"\nXã B,\"90\"\nXã C,\"80,5\"\nXã D,\n", encoding="utf-8")
    card = from_unit_table(read_scores(path, method_for), method_for)
    assert list(card.units["rank"]) == [2, 1, 2, None]
    assert card.units["cong_khai"].isna().all()  # no group is invented


def test_several_as_of_dates_rank_separately(tmp_path):
    path = tmp_path / "scores.csv"
    path.write_text("unit_name,as_of,total\nXã A,31/01/2026,70\nXã B,31/01/2026,80\n"
                    "Xã A,28/02/2026,85\nXã B,28/02/2026,80\n", encoding="utf-8")
    card = from_unit_table(read_scores(path, method_for), method_for)
    ranks = {(r.unit_name, r.as_of.month): r.rank for r in card.units.itertuples()}
    assert ranks == {("Xã A", 1): 2, ("Xã B", 1): 1, ("Xã A", 2): 1, ("Xã B", 2): 2}


def test_registry_matches_spellings(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text('unit_code,unit_name,tier,aliases\nX1,Xã Lâm Thao,xa,\nS1,"Sở Văn hóa, Thể thao và Du lịch",so,\n',
                    encoding="utf-8")
    registry = load_registry(path)
    for spelling in ("UBND xã Lâm Thao", "xã Lâm Thao", "Lâm Thao - Tỉnh Phú Thọ", "UBND Xã  Lâm Thao"):
        assert registry.resolve(spelling).code == "X1", spelling
    assert registry.resolve("Sở Văn hoá, Thể thao và Du lịch").code == "S1"
    assert registry.resolve("Xã Lâm Thượng") is None


def test_change_against_previous_period(tmp_path):
    previous = tmp_path / "prev.csv"
    previous.write_text("unit_name,tier,total\nSở Y tế,so,60\nSở Nội vụ,so,80\nSở Tư pháp,so,70\n", encoding="utf-8")
    params = tmp_path / "params" / "bulletin_766" / "2025.yaml"
    params.parent.mkdir(parents=True)
    params.write_text(f"""report: bulletin_766
period: "2025"
as_of: 2025-10-07
inputs:
  scores: {ROOT}/data/samples/hai-phong/scores-2025-10-09.csv
  units: {ROOT}/data/samples/hai-phong/units.csv
  previous: {previous}
""", encoding="utf-8")
    assert main(["score", str(params), "--out", str(tmp_path / "out")]) == 0
    import csv

    rows = {r["unit_name"]: r for r in csv.DictReader((tmp_path / "out/tables/changes.csv").open(encoding="utf-8-sig"))}
    assert rows["Sở Y tế"]["total"] == "63.74" and rows["Sở Y tế"]["total_prev"] == "60"
    assert rows["Sở Y tế"]["total_change"] == "3.74"
    assert rows["Sở Y tế"]["rank_prev"] == "3" and rows["Sở Y tế"]["rank"] == "11"
    assert rows["Sở Y tế"]["rank_change"] == "-8"
    assert rows["Sở Nội vụ"]["total_change"] == "-3.05" and rows["Sở Nội vụ"]["rank_change"] == "-6"
    assert rows["Sở Công Thương"]["total_prev"] == "" and rows["Sở Công Thương"]["total_change"] == ""


def test_read_keeps_nfc_and_registry_names(tmp_path):
    import unicodedata

    path = tmp_path / "s.csv"
    path.write_bytes(unicodedata.normalize("NFD", 'unit_name,total\n"Sở Văn hoá, Thể thao và Du lịch",80\n').encode())
    registry = load_registry(ROOT / "data/samples/hai-phong/units.csv")
    diagnostics = Diagnostics()
    table = read_scores(path, method_for, registry, None, diagnostics)
    assert table.loc[0, "unit_name"] == "Sở Văn hóa, Thể thao và Du lịch" and not diagnostics.items
    assert table.loc[0, "total"] == Decimal(80)
