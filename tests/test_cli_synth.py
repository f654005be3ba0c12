"""``chiso766 synth``: the national layout the README documents, and clean errors for a bad ``--rows``."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from chiso766.cli import main
from chiso766.ingest.dossiers import dossier_glob


def test_synth_national_writes_partitioned_parquet_and_units(tmp_path, capsys):
    out = tmp_path / "national"
    assert main(["synth", "national", "--rows", "2000", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"{out / 'dossiers'} (2000 dòng)" in printed

    provinces = sorted(p.name for p in (out / "dossiers").iterdir())
    assert provinces == ["province=T01", "province=T02", "province=T03"]
    for province in provinces:
        months = sorted((out / "dossiers" / province).iterdir())
        assert months and all(m.name.startswith("month=") and any(m.glob("*.parquet")) for m in months)

    rows = duckdb.connect().execute(f"SELECT count(*), count(DISTINCT province), count(DISTINCT unit_code) "
                      f"FROM read_parquet('{dossier_glob(out / 'dossiers')}', hive_partitioning = true)").fetchone()
    assert rows[0] == 2000 and rows[1] == 3
    units = pd.read_csv(out / "units.csv", dtype=str, keep_default_na=False)
    assert {"unit_code", "unit_name", "tier"} <= set(units.columns)
    assert rows[2] <= units["unit_code"].nunique()  # every dossier's unit is in the registry


def test_synth_national_provinces_option(tmp_path):
    out = tmp_path / "five"
    assert main(["synth", "national", "--rows", "2000", "--provinces", "5", "--out", str(out)]) == 0
    assert sorted(p.name for p in (out / "dossiers").iterdir()) == [f"province=T0{i}" for i in range(1, 6)]


@pytest.mark.parametrize("rows", ["-5", "0"])
def test_synth_rejects_non_positive_rows(tmp_path, capsys, rows):
    assert main(["synth", "national", "--rows", rows, "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Lỗi: --rows phải là số nguyên dương")
    assert not (tmp_path / "x").exists()


def test_synth_never_writes_over_data_it_did_not_make(tmp_path, capsys):
    """A province's real registry, or a params folder, given as --out is refused, its files untouched."""
    real = tmp_path / "hai-phong"
    real.mkdir()
    (real / "units.csv").write_text("unit_code,unit_name,tier\nHP.01,Sở Tư pháp,so\n", encoding="utf-8")
    before = (real / "units.csv").read_bytes()
    assert main(["synth", "province", "--rows", "100", "--out", str(real)]) == 2
    err = capsys.readouterr().err
    assert str(real) in err and "không do chiso766 synth tạo" in err and "Traceback" not in err
    assert sorted(p.name for p in real.iterdir()) == ["units.csv"] and (real / "units.csv").read_bytes() == before

    a_file = tmp_path / "units.csv"
    a_file.write_bytes(before)
    assert main(["synth", "province", "--rows", "100", "--out", str(a_file)]) == 2
    assert "không phải thư mục" in capsys.readouterr().err and a_file.read_bytes() == before


def test_synth_writes_again_into_its_own_folder(tmp_path):
    """An empty folder, then the folder synth wrote: the second call replaces its own data, and a
    national call with fewer provinces leaves none of the earlier ones' partitions."""
    out = tmp_path / "made"
    out.mkdir()
    assert main(["synth", "national", "--rows", "2000", "--provinces", "4", "--out", str(out)]) == 0
    assert main(["synth", "national", "--rows", "1000", "--provinces", "2", "--out", str(out)]) == 0
    assert sorted(p.name for p in (out / "dossiers").iterdir()) == ["province=T01", "province=T02"]
    count = duckdb.connect().execute(
        f"SELECT count(*) FROM read_parquet('{dossier_glob(out / 'dossiers')}', hive_partitioning = true)"
    ).fetchone()
    assert count == (1000,)
    assert main(["synth", "province", "--rows", "100", "--out", str(out)]) == 0
    assert len(pd.read_csv(out / "dossiers.csv")) == 100
