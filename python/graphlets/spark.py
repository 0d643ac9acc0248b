"""Apache Spark as the build engine (`graphlets build --target spark`).

dbt-spark runs the SQL models; this module adds what it lacks for a local or
standalone-cluster run: Python models executed in this process on the dbt session
(dbt-spark submits them only to Databricks), and, after the build, a DuckDB file of
views over the Parquet tables Spark wrote (swapped in as the warehouse like a DuckDB
build's file), so the report, the export and BI tools read a Spark build as they read a
DuckDB one.
"""

from __future__ import annotations

import importlib.util
import os
import warnings
from pathlib import Path
from typing import Any

import duckdb

from graphlets.paths import DataDir

TARGET = "spark"
# Spark's configuration folder for a run started here: its log4j2.properties keeps the
# console to errors.
CONF_DIR = Path(__file__).resolve().parent / "data" / "spark"
MART_SCHEMA = "marts"
SUBMISSION_METHOD = "session"


class SparkUnavailableError(RuntimeError):
    """The Spark extra is not installed."""


def check_installed() -> None:
    """Raise SparkUnavailableError with the install command when pyspark or dbt-spark
    is missing (the default install leaves them out)."""
    missing = [name for name in ("pyspark", "dbt.adapters.spark") if not _importable(name)]
    if missing:
        raise SparkUnavailableError(
            f"the spark target needs {' and '.join(missing)}: run `make spark` "
            "(installs requirements-spark.txt into the venv)"
        )


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def prepare(data: DataDir) -> None:
    """Before a Spark build: the metastore's folder exists and Python models run here."""
    check_installed()
    (data.root / "spark").mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("SPARK_CONF_DIR", str(CONF_DIR))
    # pyspark 4.3 warns on every pandas conversion that pandas 3 is not fully supported;
    # the predictions mart is compared with DuckDB's in the tests.
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas")
    _enable_session_python_models()


class _SessionPythonJob:
    """Runs a compiled Python model on this process's Spark session. The compiled code
    is dbt-spark's own: it reads refs with `spark.table` and saves the returned frame
    with `saveAsTable`, exactly as on a Databricks cluster."""

    def __init__(self, parsed_model: dict[str, Any], credentials: Any) -> None:
        self.name = f"{parsed_model['schema']}.{parsed_model['alias']}"

    def submit(self, compiled_code: str) -> None:
        from pyspark.sql import SparkSession

        spark = SparkSession.builder.getOrCreate()
        namespace: dict[str, Any] = {"spark": spark, "__name__": self.name}
        exec(compile(compiled_code, f"<python model {self.name}>", "exec"), namespace)


def _enable_session_python_models() -> None:
    """Register the in-process submission with dbt-spark, and make it the default when
    the profile connects with `method: session` (other methods keep dbt-spark's)."""
    from dbt.adapters.spark.impl import SparkAdapter

    if getattr(SparkAdapter, "_graphlets_session_models", False):
        return
    helpers = SparkAdapter.python_submission_helpers.fget
    default = SparkAdapter.default_python_submission_method.fget

    def python_submission_helpers(self: Any) -> dict[str, Any]:
        return {**helpers(self), SUBMISSION_METHOD: _SessionPythonJob}

    def default_python_submission_method(self: Any) -> str:
        if self.config.credentials.method == SUBMISSION_METHOD:
            return SUBMISSION_METHOD
        return default(self)

    SparkAdapter.python_submission_helpers = property(python_submission_helpers)
    SparkAdapter.default_python_submission_method = property(default_python_submission_method)
    SparkAdapter._graphlets_session_models = True


def mart_locations() -> dict[str, str]:
    """Each mart table of the active Spark session and the folder holding its files."""
    from pyspark.sql import SparkSession

    spark = SparkSession.builder.getOrCreate()  # the build's session (dbt ran it here)
    locations = {}
    for table in spark.sql(f"show tables in {MART_SCHEMA}").collect():
        rows = spark.sql(f"describe table extended {MART_SCHEMA}.{table.tableName}").collect()
        location = next(row.data_type for row in rows if row.col_name == "Location")
        locations[table.tableName] = location.removeprefix("file:")
    return locations


def expose_marts(warehouse: Path, locations: dict[str, str]) -> int:
    """Write the DuckDB file `warehouse` (a build's new file, swapped in by
    `graphlets.warehouse` once complete) with one view per mart over its Parquet files;
    return the number of views. Spark's instants are UTC timestamps with a zone; the
    views give them as DuckDB's build does (timestamps without a zone, in UTC)."""
    warehouse.unlink(missing_ok=True)
    with duckdb.connect(str(warehouse)) as con:
        con.execute(f"create schema {MART_SCHEMA}")
        for name, folder in sorted(locations.items()):
            files = _sql_string(str(Path(folder) / "*.parquet"))
            columns = con.execute(f"describe select * from read_parquet({files})").fetchall()
            selected = ", ".join(
                f'timezone(\'UTC\', "{column}") as "{column}"'
                if column_type == "TIMESTAMP WITH TIME ZONE"
                else f'"{column}"'
                for column, column_type, *_ in columns
            )
            con.execute(
                f"create view {MART_SCHEMA}.{name} as select {selected} from read_parquet({files})"
            )
    return len(locations)


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"
