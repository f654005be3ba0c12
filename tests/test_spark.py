"""The same indicator definitions on DuckDB and on Apache Spark (local[2]) give identical tables."""

from __future__ import annotations

import shutil
from datetime import date, datetime

import duckdb
import pandas as pd
import pytest

from chiso766.compute.engines import DuckDBEngine, SparkEngine, spark_sql
from chiso766.ingest.dossiers import dossier_glob
from chiso766.compute.indicators import backlog_table, indicator_table, local_components, sql_text
from chiso766.core.methodology import load
from chiso766.core.periods import parse_period
from chiso766.samples.synthetic import write_samples

pytestmark = pytest.mark.slow
TARGETS = {"online_submission": ">=60", "online_payment": ">=60", "updated_on_system": "=100"}


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    if shutil.which("java") is None:
        pytest.fail("Spark needs Java: `make test` installs Debian's openjdk-17-jre-headless")
    folder = tmp_path_factory.mktemp("national")
    write_samples("national", folder, rows=60_000, seed=7)
    units = pd.read_csv(folder / "units.csv", dtype=str, keep_default_na=False)
    con = duckdb.connect()
    con.register("registry", units)
    con.execute(f"""CREATE TABLE dossiers AS SELECT d.*, r.unit_name, r.tier, NULL::INTEGER AS supplement_count,
                    NULL::TIMESTAMP AS supplement_requested_at, NULL::TIMESTAMP AS supplement_completed_at
                    FROM read_parquet('{dossier_glob(folder / "dossiers")}', hive_partitioning = true) d
                    JOIN registry r USING (unit_code)""")
    spark = SparkEngine.start("local[2]")
    spark.load(folder / "dossiers", units)
    yield DuckDBEngine(con), spark
    spark.stop()


@pytest.mark.parametrize("period, as_of", [("2026", date(2026, 12, 31)), ("2026-Q2", date(2026, 5, 15)),
                                           ("2026-03-02..2026-03-08", date(2026, 3, 8))])
def test_same_tables_on_both_engines(national, period, as_of):
    duck, spark = national
    p = parse_period(period)
    for build in (lambda e: indicator_table(e, p, as_of, TARGETS), lambda e: local_components(e, p, as_of, load("2026")),
                  lambda e: backlog_table(e, p, as_of)):
        a, b = build(duck), build(spark)
        assert len(a) > 300
        pd.testing.assert_frame_equal(a.astype(str), b.astype(str))


def test_partitioned_input_and_one_definition(national):
    duck, _ = national
    provinces = duck.query("SELECT count(DISTINCT province) AS n, count(DISTINCT month) AS m FROM dossiers", {})
    assert provinces["n"].iloc[0] == 3 and provinces["m"].iloc[0] >= 12
    text = spark_sql(sql_text("received"), {"period_start": pd.Timestamp("2026-01-01").to_pydatetime(),
                                             "period_end": pd.Timestamp("2027-01-01").to_pydatetime()})
    assert "GROUPING SETS" in text and "$" not in text


def test_spark_sql_binds_period_and_transpiles():
    """The example in ``spark_sql``'s docstring (no doctest there: sqlglot is the optional spark extra)."""
    assert (spark_sql("SELECT count(*) FILTER (WHERE a > $t) FROM d", {"t": datetime(2026, 1, 1)})
            == "SELECT COUNT(*) FILTER(WHERE a > CAST('2026-01-01 00:00:00.000000' AS TIMESTAMP_NTZ)) FROM d")


def _weekly_params(folder, dossiers, units, extra=""):
    """A weekly notice's params on the Spark engine, written in ``folder``."""
    params = folder / "weekly.yaml"
    params.write_text(f"""report: weekly_tthc
period: "2026-03-02..2026-03-08"
province: Toàn quốc (minh họa)
engine: spark
spark: {{master: "local[2]"}}
inputs:
  dossiers: {dossiers}
  units: {units}
{extra}""", encoding="utf-8")
    return params


def test_weekly_notice_with_engine_spark(tmp_path, national):
    duck, _ = national
    folder = tmp_path / "data"
    write_samples("national", folder, rows=20_000, seed=9)
    from chiso766.report import weekly_tthc as weekly

    params = _weekly_params(tmp_path, folder / "dossiers", folder / "units.csv", 'targets: {online_submission: ">=60"}\n')
    on_spark = weekly.build(params)
    on_duckdb = weekly.build(params, ["engine=duckdb"])
    pd.testing.assert_frame_equal(on_spark.indicators.astype(str), on_duckdb.indicators.astype(str))
    assert on_spark.loaded[0].read == on_duckdb.loaded[0].used


def test_spark_refuses_parquet_without_a_column_it_counts(tmp_path, national):
    """As DuckDB's ingest: a file with no ``channel`` would read as 0% online in a signed notice."""
    import pyarrow.dataset as ds

    from chiso766.core.errors import InputError
    from chiso766.report import weekly_tthc as weekly

    folder = tmp_path / "data"
    write_samples("national", folder, rows=5_000, seed=11)
    table = ds.dataset(folder / "dossiers", format="parquet", partitioning="hive").to_table().drop(["channel"])
    ds.write_dataset(table, tmp_path / "no_channel", format="parquet")
    params = _weekly_params(tmp_path, tmp_path / "no_channel", folder / "units.csv")
    with pytest.raises(InputError, match="thiếu cột channel"):
        weekly.build(params)
