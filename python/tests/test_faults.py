"""Fault injection (issue 9): `ingest`, `simulate` and `build` are killed at seeded
moments, by SIGINT and by SIGKILL, and after every kill the previous raw layer and
warehouse must be intact (checksums) or wholly replaced by a complete new one, the lock
free, and nothing left behind once the next command has started. Then concurrent
writers, a reader holding the warehouse during a build, and a read-only data dir.

The build under fire is a fast one (`GRAPHLETS_BUILD_SELECT`, a few models): every kill
point of a full build is a kill inside dbt writing the new file, which these cover."""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from conftest import SUMMARY_LINES

from graphlets import rawlayer, warehouse
from graphlets.cli import BUILD_SELECT_ENV
from graphlets.lock import data_dir_lock
from graphlets.paths import BUNDLED_STORE, DataDir

SEED = 20261130
KILLS_PER_COMMAND = 20
FAST_BUILD = "+stg_mlmd__executions"
GRAPHLETS = Path(sys.executable).with_name("graphlets")
# What a data dir holds between commands; anything else is left behind.
EXPECTED = {
    ".lock",
    "raw",
    "warehouse.duckdb",
    "last_build.json",
    "logs",
    "target",
    "simulation_truth.parquet",
}


@dataclass
class Tally:
    injected: int = 0
    left_behind: list[str] = field(default_factory=list)


TALLY = Tally()


def _env() -> dict[str, str]:
    return {**os.environ, BUILD_SELECT_ENV: FAST_BUILD, "COLUMNS": "200"}


def _command(name: str, data: DataDir) -> list[str]:
    return {
        "ingest": [str(GRAPHLETS), "ingest", "mlmd", str(BUNDLED_STORE)],
        "simulate": [str(GRAPHLETS), "simulate", "--preset", "tiny", "--force"],
        "build": [str(GRAPHLETS), "build"],
    }[name] + ["--data-dir", str(data.root)]


def _run(argv: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, text=True, env=_env(), timeout=300)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "-"


@dataclass(frozen=True)
class Snapshot:
    raw_layer: str
    raw_digest: str
    warehouse_digest: str


def _snapshot(data: DataDir) -> Snapshot:
    files = sorted(data.raw.iterdir()) if data.raw.is_dir() else []
    digest = hashlib.sha256(json.dumps([(f.name, _digest(f)) for f in files]).encode())
    return Snapshot(data.raw.resolve().name, digest.hexdigest(), _digest(data.warehouse))


def _layer_is_complete(data: DataDir) -> bool:
    manifest = rawlayer.read_manifest(data.raw)
    return (
        manifest is not None
        and len(manifest.rows_by_table) == 15
        and all(
            pq.read_metadata(data.raw / f"{table}.parquet").num_rows == rows
            for table, rows in manifest.rows_by_table.items()
        )
    )


def _warehouse_is_complete(data: DataDir) -> bool:
    with duckdb.connect(str(data.warehouse), read_only=True) as con:
        return con.execute("select outcome from meta.build_status").fetchone() == ("success",)


def _stray_files(data: DataDir) -> list[str]:
    current = data.raw.resolve().name
    return sorted(p.name for p in data.root.iterdir() if p.name not in EXPECTED | {current})


def _problems_after(
    data: DataDir, before: Snapshot, sig: int, result: tuple[int, str]
) -> list[str]:
    code, output = result
    problems = []
    if "Traceback" in output:
        problems.append(f"a traceback: {output[-300:]}")
    # 0: done before the signal; -SIGINT: it came while Python was exiting.
    if sig == signal.SIGINT and code not in (0, 130, -signal.SIGINT):
        problems.append(f"exit {code} after SIGINT: {output[-300:]}")
    errors = [line for line in output.splitlines() if line.startswith("error:")]
    if code == 130 and (len(errors) != 1 or not output.rstrip().endswith(errors[-1])):
        problems.append(f"not one last error line after SIGINT: {output!r}")
    after = _snapshot(data)
    if after.raw_layer == before.raw_layer and after.raw_digest != before.raw_digest:
        problems.append("the raw layer changed in place")
    if after.raw_layer != before.raw_layer and not _layer_is_complete(data):
        problems.append("a new raw layer is incomplete")
    if after.warehouse_digest != before.warehouse_digest and not _warehouse_is_complete(data):
        problems.append("a new warehouse is incomplete")
    if sig == signal.SIGINT and code == 130 and _stray_files(data):
        problems.append(f"left after SIGINT: {_stray_files(data)}")
    # What the next command does first, under the lock (which must be free by now).
    with data_dir_lock(data.root, "fault test"):
        rawlayer.recover(data.raw)
        warehouse.remove_leftovers(data)
    if _stray_files(data):
        problems.append(f"left after recovery: {_stray_files(data)}")
    return problems


def _killed(argv: list[str], delay: float, sig: int) -> tuple[int, str]:
    process = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=_env()
    )
    try:
        process.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        process.send_signal(sig)
    output, _ = process.communicate(timeout=300)
    return process.returncode, output


@pytest.fixture(scope="module", autouse=True)
def tally(request: pytest.FixtureRequest) -> Iterator[Tally]:
    """Report, in the run's closing summary, how many faults were injected and how many
    left anything behind."""
    yield TALLY
    request.config.stash[SUMMARY_LINES] = [
        f"fault injection: {TALLY.injected} faults injected, "
        f"{len(TALLY.left_behind)} left anything behind",
        *(f"  {detail}" for detail in TALLY.left_behind),
    ]


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> DataDir:
    data = DataDir(tmp_path_factory.mktemp("faults"))
    for name in ("ingest", "build"):
        result = _run(_command(name, data))
        assert result.returncode == 0, result.stdout + result.stderr
    return data


@pytest.mark.parametrize("name", ["ingest", "simulate", "build"])
def test_a_killed_command_leaves_the_previous_state_whole(data: DataDir, name: str) -> None:
    rng = random.Random(f"{SEED}-{name}")
    argv = _command(name, data)
    started = time.monotonic()
    first = _run(argv)  # also sets the baseline state and the command's duration
    assert first.returncode == 0, first.stdout + first.stderr
    duration = time.monotonic() - started
    signals = [signal.SIGINT, signal.SIGKILL] * (KILLS_PER_COMMAND // 2)
    rng.shuffle(signals)
    failures = []
    for sig in signals:
        delay = rng.uniform(0.05, duration * 1.05)
        before = _snapshot(data)
        result = _killed(argv, delay, sig)
        problems = _problems_after(data, before, sig, result)
        TALLY.injected += 1
        if problems:
            TALLY.left_behind.append(f"{name} {sig.name} at {delay:.2f}s: {problems}")
            failures.append(f"{sig.name} at {delay:.2f}s: {problems}")
    assert failures == []
    final = _run(argv)  # and the next command succeeds
    assert final.returncode == 0, final.stdout + final.stderr
    assert _stray_files(data) == []


# --------------------------------------------------------------------------- writers


def _wait_for_holder(data: DataDir, process: subprocess.Popen) -> dict:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        text = (data.root / ".lock").read_text() if (data.root / ".lock").is_file() else ""
        if text:
            return json.loads(text)
        time.sleep(0.05)
    raise AssertionError("the build never took the lock")


def test_a_second_writer_is_refused_with_one_line_naming_the_holder(data: DataDir) -> None:
    build = subprocess.Popen(
        _command("build", data),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=_env(),
    )
    holder = _wait_for_holder(data, build)
    before = _snapshot(data)
    for name in ("ingest", "simulate", "build"):
        result = _run(_command(name, data))
        assert (result.returncode, result.stdout + result.stderr) == (
            1,
            (
                f"error: the data directory {data.root} is busy: `graphlets build` "
                f"(pid {build.pid}, since {holder['since']}) is writing to it; run this again "
                "when it has finished\n"
            ),
        )
    assert _snapshot(data).raw_digest == before.raw_digest
    output, _ = build.communicate(timeout=300)
    assert build.returncode == 0, output


def test_a_reader_holding_the_warehouse_does_not_block_a_build(data: DataDir) -> None:
    with duckdb.connect(str(data.warehouse), read_only=True) as reader:
        old = reader.execute("select started_at from meta.build_status").fetchone()
        result = _run(_command("build", data))
        assert result.returncode == 0, result.stdout + result.stderr
        # The reader keeps its file, whole, while the new one has taken its name.
        assert reader.execute("select started_at from meta.build_status").fetchone() == old
        assert reader.execute("select count(*) from staging.stg_mlmd__executions").fetchone()
    with duckdb.connect(str(data.warehouse), read_only=True) as fresh:
        assert fresh.execute("select started_at from meta.build_status").fetchone() != old
    assert not data.warehouse.with_name("warehouse.duckdb.wal").exists()


# --------------------------------------------------------------------------- read-only


def _unprivileged(argv: list[str]) -> list[str]:
    """As root (CI), permissions stop nobody: run the command as user `nobody`."""
    if os.geteuid() != 0:
        return argv
    return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--", *argv]


def _reachable_by_others(path: Path) -> list[tuple[Path, int]]:
    """Let user `nobody` reach `path` (a checkout in a 0700 temp dir, say): add search
    permission to each ancestor that lacks it; return the modes to restore."""
    changed = []
    for folder in path.parents:
        mode = folder.stat().st_mode
        if os.geteuid() == 0 and not mode & stat.S_IXOTH:
            folder.chmod(mode | stat.S_IXOTH)
            changed.append((folder, mode))
    return changed


@pytest.fixture()
def read_only(data: DataDir) -> Iterator[DataDir]:
    opened = _reachable_by_others(GRAPHLETS)
    parent = Path(tempfile.mkdtemp(prefix="graphlets-read-only-"))
    parent.chmod(0o755)
    root = parent / "data"
    shutil.copytree(data.root, root, symlinks=True)
    folders = [root, *(p for p in root.rglob("*") if p.is_dir() and not p.is_symlink())]
    for folder in folders:
        folder.chmod(0o555)
    probe = subprocess.run(_unprivileged(["touch", str(root / "probe")]), capture_output=True)
    assert probe.returncode != 0 and not (root / "probe").exists(), "the dir is writable"
    yield DataDir(root)
    for folder in folders:
        folder.chmod(0o755)
    shutil.rmtree(parent)
    for folder, mode in opened:
        folder.chmod(mode)


def test_a_read_only_data_dir_gets_one_line_from_every_writer(read_only: DataDir) -> None:
    before = _snapshot(read_only)
    for name in ("ingest", "simulate", "build"):
        result = subprocess.run(
            _unprivileged(_command(name, read_only)),
            capture_output=True,
            text=True,
            env=_env(),
            timeout=300,
        )
        assert (result.returncode, result.stdout + result.stderr) == (
            1,
            (f"error: cannot write to the data directory {read_only.root}: Permission denied\n"),
        )
    assert _snapshot(read_only) == before
    status = subprocess.run(
        _unprivileged([str(GRAPHLETS), "status", "--data-dir", str(read_only.root)]),
        capture_output=True,
        text=True,
        env=_env(),
        timeout=120,
    )
    assert status.returncode == 0 and "raw layer" in status.stdout, status.stderr
