"""Operations (issue 9): checked vars, edge-case stores that must build, truncation as a
warning, build status, stale marts refused. Each through the `graphlets` command."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pytest
from mlmd_builder import MLMDBuilder
from test_graphlet_cases import SMALL_DEPTH, cycle, pending_downstream
from typer.testing import CliRunner

from graphlets import __version__, dbt_runner, dbt_vars, rawlayer
from graphlets.cli import app
from graphlets.dbt_runner import BuildResult, NodeResult, describe_failures
from graphlets.paths import BUNDLED_STORE, DataDir

runner = CliRunner()


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def _write_raw(builder: MLMDBuilder, data: DataDir) -> None:
    with rawlayer.new_version(data.raw) as version:
        builder.write(version)
        rawlayer.swap_in(version, data.raw, source_kind="files", source="a hand-made store")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _one(data: DataDir, sql: str) -> tuple:
    with duckdb.connect(str(data.warehouse), read_only=True) as con:
        return con.execute(sql).fetchone()


# --------------------------------------------------------------------------- vars


def test_vars_are_typed_from_the_project_defaults() -> None:
    parsed = dbt_vars.parse(
        [
            "max_depth=32",
            "boundary_input_keys=[base_model]",
            "max_push_loss=1",
            "portable_graphlet_reach=true",
        ]
    )
    assert parsed == {
        "max_depth": 32,
        "boundary_input_keys": ["base_model"],
        "max_push_loss": 1,
        "portable_graphlet_reach": True,
    }


@pytest.mark.parametrize(
    ("pair", "message"),
    [
        (
            "boundary_input_keys=base_model",
            "var boundary_input_keys: 'base_model' is not a list of text values",
        ),
        ("max_depth=deep", "var max_depth: 'deep' is not a whole number"),
        ("max_depth=3.5", "var max_depth: '3.5' is not a whole number"),
        ("max_push_loss=[1]", "var max_push_loss: '[1]' is not a number"),
        ("no_such_var=1", "unknown var 'no_such_var'; known vars: age_bound_multipliers, as_of, "),
        ("as_of=yesterday", "var as_of: 'yesterday' is not an ISO 8601 timestamp"),
        ("max_depth", "--var takes NAME=VALUE, not 'max_depth'"),
    ],
)
def test_a_bad_var_is_refused_in_one_line_before_dbt(tmp_path, pair, message) -> None:
    code, output = _run("build", "--var", pair, "--data-dir", str(tmp_path))
    assert code == 1
    lines = output.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {message}"), output
    assert not (tmp_path / "logs").exists()  # dbt never started


def test_as_of_converts_offsets_to_utc_and_refuses_anything_else(tmp_path) -> None:
    assert (
        dbt_vars.parse_timestamp("--as-of", "2024-03-01T05:00:00+05:00")
        == "2024-03-01 00:00:00.000"
    )
    assert dbt_vars.parse_timestamp("--as-of", "2024-03-01") == "2024-03-01 00:00:00.000"
    code, output = _run("build", "--as-of", "yesterday", "--data-dir", str(tmp_path))
    assert (code, output.splitlines()) == (
        1,
        [
            "error: --as-of: 'yesterday' is not an ISO 8601 timestamp "
            "(e.g. 2024-03-01T00:00:00 or 2024-03-01T05:00:00+05:00)"
        ],
    )


def test_version_is_printed() -> None:
    assert _run("--version") == (0, f"graphlets {__version__}\n")


# --------------------------------------------------------------------------- dbt's parse


def test_a_new_data_dir_starts_from_another_ones_parse_and_reads_its_own_raw_layer(
    tmp_path, monkeypatch
) -> None:
    """dbt's parse of the project is shared between data dirs: the second data dir's
    first build does not parse the project again, and still reads its own raw layer."""
    monkeypatch.setattr(dbt_runner, "SHARED_PARSE", tmp_path / "shared" / "partial_parse.msgpack")
    first, second = DataDir(tmp_path / "first"), DataDir(tmp_path / "second")
    _write_raw(MLMDBuilder(), first)
    builder = MLMDBuilder()
    pending_downstream(builder)
    _write_raw(builder, second)
    for data in (first, second):
        code, output = _run("build", "--data-dir", str(data.root))
        assert code == 0, output
    full_parse = "Unable to do partial parsing"
    assert full_parse in (first.root / "logs" / "dbt.log").read_text()
    assert full_parse not in (second.root / "logs" / "dbt.log").read_text()
    assert _one(first, "select count(*) from marts.fct_graphlets") == (0,)
    assert _one(second, "select list(outcome) from marts.fct_graphlets") == (["pending"],)


# --------------------------------------------------------------------------- edge cases


@pytest.fixture(scope="module")
def empty_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[DataDir, int, str]:
    data = DataDir(tmp_path_factory.mktemp("empty"))
    _write_raw(MLMDBuilder(), data)
    code, output = _run("build", "--data-dir", str(data.root))
    return data, code, output


def test_an_empty_store_builds_with_empty_marts_that_say_why(empty_store) -> None:
    data, code, output = empty_store
    assert code == 0, output
    assert _one(data, "select count(*) from marts.fct_graphlets") == (0,)
    assert _one(
        data, "select cutoff_at, nothing_to_backtest_reason from marts.rpt_pruning_headline"
    ) == (None, "nothing to backtest: no graphlet has been decided (pushed or not)")


def test_build_status_is_recorded_and_shown(empty_store) -> None:
    data, _, _ = empty_store
    manifest = rawlayer.read_manifest(data.raw)
    assert manifest is not None and manifest.rows_by_table["Execution"] == 0
    assert _one(data, "select raw_layer_id, outcome from meta.build_status") == (
        manifest.raw_layer_id,
        "success",
    )
    code, output = _run("status", "--data-dir", str(data.root))
    assert code == 0
    assert f"raw layer {manifest.raw_layer_id}: files a hand-made store" in output
    assert "Execution" in output and "marts: current (built from this raw layer)" in output
    assert "last build: success" in output


def test_report_and_export_refuse_marts_from_another_raw_layer(tmp_path) -> None:
    data = DataDir(tmp_path)
    _write_raw(MLMDBuilder(), data)
    # A warehouse recording a build from some other raw layer.
    with duckdb.connect(str(data.warehouse)) as con:
        con.execute(
            "create schema meta; create table meta.build_status as "
            "select 'an-old-layer' as raw_layer_id, 'mlmd old.sqlite' as raw_source, "
            "'{}' as vars, null as as_of, null as selection, '0' as graphlets_version, "
            "'0' as dbt_version, '0' as duckdb_version, '' as started_at, "
            "'' as finished_at, 'success' as outcome, null as message"
        )
    current = rawlayer.read_manifest(data.raw).raw_layer_id
    for command in ("report", "export"):
        code, output = _run(command, "--data-dir", str(data.root))
        assert (code, output.splitlines()) == (
            1,
            [
                "error: the marts were built from raw layer an-old-layer (mlmd old.sqlite) but "
                f"the raw layer is now {current} (files a hand-made store): run `graphlets build`"
            ],
        )
    assert not data.report.exists() and not data.export.exists()


@pytest.fixture(scope="module")
def pending_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[DataDir, int, str]:
    data = DataDir(tmp_path_factory.mktemp("pending"))
    builder = MLMDBuilder()
    pending_downstream(builder)
    _write_raw(builder, data)
    code, output = _run("build", "--data-dir", str(data.root))
    return data, code, output


@pytest.fixture()
def pending_only(pending_build) -> DataDir:
    return pending_build[0]


def test_a_store_whose_only_graphlet_is_pending_builds(pending_build) -> None:
    data, code, output = pending_build
    assert code == 0, output
    assert _one(data, "select list(outcome) from marts.fct_graphlets") == (["pending"],)
    assert _one(data, "select nothing_to_backtest_reason from marts.rpt_pruning_headline") == (
        "nothing to backtest: no decided graphlet before the cutoff to train on",
    )


def test_an_as_of_before_any_activity_builds_empty_marts(pending_only) -> None:
    code, output = _run(
        "build", "--as-of", "2000-01-01T00:00:00Z", "--data-dir", str(pending_only.root)
    )
    assert code == 0, output
    assert _one(pending_only, "select count(*) from marts.fct_graphlets") == (0,)
    assert _one(pending_only, "select as_of from meta.build_status") == ("2000-01-01 00:00:00.000",)


def test_an_as_of_after_the_store_is_warned_about(pending_only) -> None:
    code, output = _run(
        "build",
        "--var",
        "max_depth=0",
        "--as-of",
        "2999-01-01",
        "--data-dir",
        str(pending_only.root),
    )
    assert output.splitlines()[0].startswith(
        "warning: --as-of 2999-01-01 00:00:00.000 lies after the store's last activity (2024-01-01 "
    )


def test_truncated_graphlets_are_built_flagged_and_warned_about(tmp_path) -> None:
    data = DataDir(tmp_path)
    builder = MLMDBuilder()
    loop = cycle(builder)
    _write_raw(builder, data)
    code, output = _run("build", "--var", f"max_depth={SMALL_DEPTH}", "--data-dir", str(data.root))
    assert code == 0, output
    warnings = [line for line in output.splitlines() if line.startswith("warning:")]
    assert warnings == [
        f"warning: 1 graphlet(s) reached max_depth {SMALL_DEPTH} and are cut short "
        f"(fct_graphlets.is_truncated); trainer execution ids {loop.t1}: raise --var "
        "max_depth or find the cycle in the store"
    ]
    assert _one(
        data, "select list(trainer_execution_id) from marts.fct_graphlets where is_truncated"
    ) == ([loop.t1],)


# --------------------------------------------------------------------------- failures


def test_a_failing_build_keeps_the_previous_warehouse_and_says_why(pending_only) -> None:
    before = _digest(pending_only.warehouse)
    code, output = _run("build", "--var", "max_depth=0", "--data-dir", str(pending_only.root))
    assert code == 1
    log = pending_only.root / "logs" / "dbt.log"
    assert output.splitlines() == [
        f"error: the build failed; the previous warehouse is unchanged (log: {log}):",
        "error: dbt build could not run: Compilation Error in model int_graphlet_nodes_reached "
        "(models/intermediate/graphlets/int_graphlet_nodes_reached.sql) var max_depth must be "
        "a whole number >= 1, not 0 > in macro graphlet_reach (macros/graph/graphlet_reach.sql) "
        "> called by model int_graphlet_nodes_reached "
        "(models/intermediate/graphlets/int_graphlet_nodes_reached.sql)",
    ]
    assert "\x1b[" not in output  # no ANSI codes off a terminal
    assert _digest(pending_only.warehouse) == before
    assert sorted(p.name for p in pending_only.root.glob(".warehouse.building-*")) == []
    code, output = _run("status", "--data-dir", str(pending_only.root))
    assert "last build: failed" in output


def test_simulate_refuses_to_replace_a_real_store(tmp_path) -> None:
    assert _run("ingest", "mlmd", str(BUNDLED_STORE), "--data-dir", str(tmp_path))[0] == 0
    code, output = _run("simulate", "--preset", "tiny", "--data-dir", str(tmp_path))
    assert (code, output.splitlines()) == (
        1,
        [
            f"error: {tmp_path / 'raw'} holds a real store (mlmd {BUNDLED_STORE}, loaded "
            f"{rawlayer.read_manifest(tmp_path / 'raw').written_at}); pass --force to replace "
            "it with a simulated fleet"
        ],
    )
    assert rawlayer.read_manifest(tmp_path / "raw").source_kind == "mlmd"


def test_a_raw_folder_from_before_versions_survives_a_crash_mid_conversion(tmp_path) -> None:
    raw = tmp_path / "raw"
    MLMDBuilder().write(raw)  # the old layout: a plain folder, no manifest
    before = {p.name: _digest(p) for p in raw.iterdir()}
    with rawlayer.new_version(raw) as stray:
        pass  # a writer killed (SIGKILL) after making its version leaves it behind
    raw.rename(tmp_path / "raw.legacy")  # killed after moving it aside, before the symlink
    (tmp_path / "raw.backup").mkdir()  # not ours: never touched
    rawlayer.recover(raw)
    assert raw.is_dir() and not raw.is_symlink()
    assert {p.name: _digest(p) for p in raw.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["raw", "raw.backup"]
    assert not stray.exists()
    with rawlayer.new_version(raw) as version:
        MLMDBuilder().write(version)
        manifest = rawlayer.swap_in(version, raw, source_kind="files", source="new")
    assert raw.is_symlink() and rawlayer.read_manifest(raw) == manifest
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["raw", "raw.backup", version.name])


def test_a_new_version_is_removed_when_its_writer_fails_before_the_swap(tmp_path) -> None:
    raw = tmp_path / "raw"
    with pytest.raises(KeyboardInterrupt), rawlayer.new_version(raw) as version:
        MLMDBuilder().write(version)
        raise KeyboardInterrupt
    assert not version.exists() and list(tmp_path.iterdir()) == []
    # A Ctrl-C delivered as the swap finishes: the new layer is live and stays.
    with pytest.raises(KeyboardInterrupt), rawlayer.new_version(raw) as version:
        MLMDBuilder().write(version)
        rawlayer.swap_in(version, raw, source_kind="files", source="hand-made")
        raise KeyboardInterrupt
    assert raw.resolve() == version.resolve()
    assert rawlayer.read_manifest(raw).source == "hand-made"


def test_failures_are_listed_one_line_each_without_skipped_nodes() -> None:
    result = BuildResult(
        success=False,
        nodes=[
            NodeResult("stg_mlmd__events", "model", "success", 0.1, None),
            NodeResult(
                "not_null_x_y", "test", "fail", 0.1, "Got 2 results,\n  configured to fail if != 0"
            ),
            NodeResult("fct_graphlets", "model", "skipped", 0.0, None),
            NodeResult("rpt_z", "model", "error", 0.1, "Runtime Error\n  Binder Error: no column"),
        ],
    )
    assert describe_failures(result).splitlines() == [
        "test not_null_x_y: fail: Got 2 results, configured to fail if != 0",
        "model rpt_z: error: Runtime Error Binder Error: no column",
    ]
