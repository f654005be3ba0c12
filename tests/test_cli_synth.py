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
