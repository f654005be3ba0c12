"""Engines that run the indicator SQL (``sql/*.sql``): DuckDB by default, Apache Spark at national scale.

The SQL is written once, in DuckDB's dialect; for Spark it is transpiled with sqlglot, with the
period bounds bound as timestamp literals. No formula exists in a second hand-written copy.

A local Spark is quiet: its driver logs errors only, the JVM's console goes to a log file in a
temporary folder (with the SQL warehouse, so no ``spark-warehouse`` appears where it runs), and
tables cross between pandas and Spark as Arrow.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import warnings
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import duckdb

from chiso766.core.errors import InputError

if TYPE_CHECKING:  # imported where frames are made: the indicators' rows need neither (a shorter start)
    import pandas as pd

__all__ = ["Engine", "DuckDBEngine", "SparkEngine", "as_engine", "spark_sql"]


class Engine(Protocol):
    name: str

    def query(self, text: str, params: Mapping[str, datetime]) -> pd.DataFrame: ...

    def rows(self, text: str, params: Mapping[str, datetime]) -> list[tuple[Any, ...]]: ...

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

    def rows(self, text: str, params: Mapping[str, datetime]) -> list[tuple[Any, ...]]:
        return self.con.execute(text, _used(text, params)).fetchall()

    def has_table(self, table: str) -> bool:
        # duckdb_tables() and duckdb_views() list the catalog directly: information_schema.tables
        # is a view over every schema's tables and columns, tens of milliseconds on a fresh connection
        row = self.con.execute(
            "SELECT EXISTS (SELECT 1 FROM duckdb_tables() WHERE table_name = $name"
            " UNION ALL SELECT 1 FROM duckdb_views() WHERE view_name = $name AND NOT internal)",
            {"name": table},
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
    return str(sqlglot.transpile(text, read="duckdb", write="spark")[0])  # str: Any where sqlglot is absent


# The driver's log4j configuration: errors only, to the JVM's stderr (which is the log file).
# Without one, Spark prints its default profile's name and every WARN line to the terminal.
_LOG4J = """\
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{yy/MM/dd HH:mm:ss} %p %c{1}: %m%n%ex
"""
_scratch_folder: Path | None = None


def _scratch() -> Path:
    """This process's folder for Spark: the log4j configuration, the JVM's log and the SQL warehouse.

    One per process, as the driver JVM is (it outlives a stopped session); removed at exit."""
    global _scratch_folder
    if _scratch_folder is None:
        _scratch_folder = Path(tempfile.mkdtemp(prefix="chiso766-spark-"))
        (_scratch_folder / "log4j2.properties").write_text(_LOG4J, encoding="utf-8")
        atexit.register(shutil.rmtree, _scratch_folder, ignore_errors=True)
    return _scratch_folder


def _quiet_pyspark_imports() -> None:
    """Import the module through which pyspark warns that it "does not yet fully support pandas >= 3.0.0".

    pyspark's py4j converters import ``pyspark.testing.utils`` at their first call, and that module
    checks the pandas version once, at import. The warning is about pyspark's own pandas conversions
    (``toPandas``, ``createDataFrame(pandas)``), which this engine does not use: tables cross as Arrow,
    and tests/test_spark.py checks every result against DuckDB's. That one named warning is ignored.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
        import pyspark.testing.utils  # noqa: F401


def _launch(master: str, settings: Mapping[str, str], folder: Path) -> None:
    """Start the driver JVM with its console in ``folder/spark.log``.

    The JVM writes to its stderr before any logging is set up ("WARNING: Using incubator modules:
    jdk.incubator.vector", a line the launcher's JVM options cause and no option silences), so it
    is pointed at the log file, as pyspark's ``launch_gateway`` offers. A JVM that does not start is
    an error that quotes the end of that log (e.g. Java missing).

    The JVM runs in a session of its own. A notebook kernel, at shutdown, terminates the children of
    its process group and waits for them; waiting for Spark's shutdown hooks, it outlived the grace
    period of ``chiso766 run`` and was killed before it removed the scratch folder. The JVM still
    ends with this process: pyspark's gateway exits when its stdin closes.
    """
    from pyspark import SparkConf, SparkContext, java_gateway

    launch_gateway: Callable[..., Any] = java_gateway.launch_gateway  # unannotated in pyspark

    options = f"-Dlog4j2.configurationFile={(folder / 'log4j2.properties').as_uri()}"
    conf = SparkConf().setMaster(master).setAppName("chiso766").setAll(list(settings.items()))
    conf.set("spark.driver.extraJavaOptions", options)
    log = folder / "spark.log"
    with log.open("ab") as console:
        try:
            gateway = launch_gateway(
                conf, popen_kwargs={"stdout": console, "stderr": console, "start_new_session": True}
            )
        except Exception:  # pyspark's JAVA_GATEWAY_EXITED and the like: the reason is in the log
            lines = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-5:]
            raise InputError(
                "Spark không khởi động được (cần Java 17 trở lên: make spark)"
                + (f": {' / '.join(lines)}" if lines else ""),
                log,
            ) from None
    SparkContext(conf=conf, gateway=gateway)


class SparkEngine:
    """Apache Spark: a local master (``local[2]``), a cluster URL, or a Spark Connect address."""

    name = "spark"

    def __init__(self, spark: Any) -> None:
        self.spark = spark

    @classmethod
    def start(cls, master: str = "local[2]", remote: str | None = None) -> SparkEngine:
        from pyspark import SparkContext
        from pyspark.sql import SparkSession

        _quiet_pyspark_imports()
        settings = {
            # timestamps are Vietnam local times without a zone: compare them as they are
            "spark.sql.session.timeZone": "UTC",
            "spark.ui.enabled": "false",
            "spark.ui.showConsoleProgress": "false",
            "spark.sql.shuffle.partitions": "8",
        }
        builder = SparkSession.builder.appName("chiso766")
        if remote:
            builder = builder.remote(remote)
        else:
            folder = _scratch()
            settings["spark.sql.warehouse.dir"] = str(folder / "warehouse")
            if SparkContext._gateway is None:  # no driver JVM yet in this process: start it quietly
                _launch(master, settings, folder)
            builder = builder.master(master)
        for key, value in settings.items():
            builder = builder.config(key, value)
        spark = builder.getOrCreate()
        if not remote:
            spark.sparkContext.setLogLevel("ERROR")  # also for a JVM started by someone else (spark-submit)
        return cls(spark)

    def load(self, dossiers: Path, units: pd.DataFrame, complaints: Path | None = None) -> None:
        """Register views ``dossiers`` (partitioned Parquet joined with the registry) and ``complaints``."""
        import pyarrow as pa
        from pyspark.sql import functions as F

        columns = ["unit_code", "unit_name", "tier"]
        registry = self.spark.createDataFrame(
            pa.table({column: pa.array(units[column].astype(str).tolist(), pa.string()) for column in columns})
        )
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
        frame: pd.DataFrame = self.spark.sql(spark_sql(text, params)).toArrow().to_pandas()
        return frame

    def rows(self, text: str, params: Mapping[str, datetime]) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self.spark.sql(spark_sql(text, params)).collect()]

    def has_table(self, table: str) -> bool:
        return bool(self.spark.catalog.tableExists(table))

    def stop(self) -> None:
        self.spark.stop()


def as_engine(engine: Any) -> Engine:
    """A DuckDB connection is wrapped; an engine is returned as it is."""
    return DuckDBEngine(engine) if isinstance(engine, duckdb.DuckDBPyConnection) else engine
