"""Engines that run the indicator SQL (``sql/*.sql``): DuckDB by default, Apache Spark at national scale.

The SQL is written once, in DuckDB's dialect; for Spark it is transpiled with sqlglot, with the
period bounds bound as timestamp literals. No formula exists in a second hand-written copy.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import duckdb
import pandas as pd

__all__ = ["Engine", "DuckDBEngine", "SparkEngine", "as_engine", "spark_sql"]


class Engine(Protocol):
    name: str

    def query(self, text: str, params: Mapping[str, datetime]) -> pd.DataFrame: ...

    def has_table(self, table: str) -> bool: ...


def _used(text: str, params: Mapping[str, datetime]) -> dict[str, datetime]:
    return {k: v for k, v in params.items() if f"${k}" in text}


class DuckDBEngine:
    """The default engine: an embedded DuckDB connection holding tables ``dossiers`` (and ``complaints``)."""

    name = "duckdb"

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    def query(self, text: str, params: Mapping[str, datetime]) -> pd.DataFrame:
        return self.con.execute(text, _used(text, params)).fetchdf()

    def has_table(self, table: str) -> bool:
        row = self.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [table]
        ).fetchone()
        return bool(row and row[0])


def spark_sql(text: str, params: Mapping[str, datetime]) -> str:
    """The same query in Spark SQL: parameters bound as literals, then transpiled by sqlglot.

    Example (not a doctest: ``sqlglot`` is the optional ``spark`` extra; ``tests/test_spark.py`` checks it)::

        spark_sql("SELECT count(*) FILTER (WHERE a > $t) FROM d", {"t": datetime(2026, 1, 1)})
        # "SELECT COUNT(*) FILTER(WHERE a > CAST('2026-01-01 00:00:00.000000' AS TIMESTAMP_NTZ)) FROM d"
    """
    import sqlglot

    for key, value in _used(text, params).items():
        text = text.replace(f"${key}", f"CAST('{value:%Y-%m-%d %H:%M:%S.%f}' AS TIMESTAMP)")
    return sqlglot.transpile(text, read="duckdb", write="spark")[0]


class SparkEngine:
    """Apache Spark: a local master (``local[2]``), a cluster URL, or a Spark Connect address."""

    name = "spark"

    def __init__(self, spark: Any) -> None:
        self.spark = spark

    @classmethod
    def start(cls, master: str = "local[2]", remote: str | None = None) -> SparkEngine:
        from pyspark.sql import SparkSession

        builder = SparkSession.builder.appName("chiso766")
        builder = builder.remote(remote) if remote else builder.master(master)
        # timestamps are Vietnam local times without a zone: compare them as they are
        spark = (
            builder.config("spark.sql.session.timeZone", "UTC")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", "8")
            .getOrCreate()
        )
        if not remote:
            spark.sparkContext.setLogLevel("ERROR")
        return cls(spark)

    def load(self, dossiers: Path, units: pd.DataFrame, complaints: Path | None = None) -> None:
        """Register views ``dossiers`` (partitioned Parquet joined with the registry) and ``complaints``."""
        from pyspark.sql import functions as F

        registry = self.spark.createDataFrame(units[["unit_code", "unit_name", "tier"]].astype(str))
        frame = self.spark.read.option("basePath", str(dossiers)).parquet(str(dossiers)).join(registry, "unit_code")
        for column, kind in (
            ("supplement_count", "int"),
            ("supplement_requested_at", "timestamp_ntz"),
            ("supplement_completed_at", "timestamp_ntz"),
        ):
            if column not in frame.columns:
                frame = frame.withColumn(column, F.lit(None).cast(kind))
        frame.createOrReplaceTempView("dossiers")
        if complaints is not None:
            self.spark.read.parquet(str(complaints)).join(registry, "unit_code").createOrReplaceTempView("complaints")

    def query(self, text: str, params: Mapping[str, datetime]) -> pd.DataFrame:
        frame: pd.DataFrame = self.spark.sql(spark_sql(text, params)).toPandas()
        return frame

    def has_table(self, table: str) -> bool:
        return bool(self.spark.catalog.tableExists(table))

    def stop(self) -> None:
        self.spark.stop()


def as_engine(engine: Any) -> Engine:
    """A DuckDB connection is wrapped; an engine is returned as it is."""
    return DuckDBEngine(engine) if isinstance(engine, duckdb.DuckDBPyConnection) else engine
