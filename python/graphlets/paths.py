"""Where a run keeps everything: one data directory (raw layer, warehouse, exports)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

DATA_DIR_ENV = "GRAPHLETS_DATA_DIR"
PROJECT_DIR = Path(__file__).resolve().parents[2]
BUNDLED_STORE = Path(__file__).resolve().parent / "data" / "tfx_small.sqlite"


@dataclass(frozen=True)
class DataDir:
    root: Path

    @classmethod
    def resolve(cls, option: str | Path | None = None) -> DataDir:
        """The --data-dir option, else $GRAPHLETS_DATA_DIR, else ./data."""
        chosen = option or os.environ.get(DATA_DIR_ENV) or "data"
        return cls(Path(chosen).expanduser().resolve())

    @property
    def raw(self) -> Path:
        return self.root / "raw"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse.duckdb"

    def read_warehouse(self) -> duckdb.DuckDBPyConnection:
        """A read-only connection to the warehouse: what report, export and the
        summaries read through (a reader never blocks a build, see docs/bi.md)."""
        return duckdb.connect(str(self.warehouse), read_only=True)

    @property
    def export(self) -> Path:
        return self.root / "export"

    @property
    def report(self) -> Path:
        return self.root / "report.html"

    def raw_file(self, table: str) -> Path:
        return self.raw / f"{table}.parquet"
