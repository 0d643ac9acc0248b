"""A small typed builder for hand-made MLMD stores in the TFX layout (raw layer Parquet).

    b = MLMDBuilder()
    r1 = b.run("taxi")
    eg, out = b.execution("CsvExampleGen", run=r1, start=t(0), end=t(5),
                          outputs={"examples": [art("Examples", span=1)]})
    tr, out = b.execution("Trainer", run=r1, start=t(10), end=t(20),
                          inputs={"examples": out["examples"]}, outputs={"model": ["Model"]})
    b.write(data.raw)

Ids are allocated per table from 1 (types from 10: the 9 MLMD system types come first),
in call order, so a test can rely on the ids its own calls return. Everything the normal
API writes is valid MLMD as TFX would write it (section 4 of the MLMD reference); the
`broken_*`/`duplicate`/`add_row` methods write deliberately bad rows for bad-input tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from graphlets import mlmd_schema
from graphlets.ingest import arrow_schema

INPUT, OUTPUT, INTERNAL_OUTPUT = 3, 4, 6
EXECUTION_KIND, ARTIFACT_KIND, CONTEXT_KIND = 0, 1, 2

EXECUTION_STATES = {
    "UNKNOWN": 0,
    "NEW": 1,
    "RUNNING": 2,
    "COMPLETE": 3,
    "FAILED": 4,
    "CACHED": 5,
    "CANCELED": 6,
}
ARTIFACT_LIVE = 2

SYSTEM_TYPES = [
    ("mlmd.Dataset", ARTIFACT_KIND),
    ("mlmd.Model", ARTIFACT_KIND),
    ("mlmd.Metrics", ARTIFACT_KIND),
    ("mlmd.Statistics", ARTIFACT_KIND),
    ("mlmd.Train", EXECUTION_KIND),
    ("mlmd.Transform", EXECUTION_KIND),
    ("mlmd.Process", EXECUTION_KIND),
    ("mlmd.Evaluate", EXECUTION_KIND),
    ("mlmd.Deploy", EXECUTION_KIND),
]

# Short component name -> TFX class path (the execution type name TFX records).
COMPONENTS = {
    "CsvExampleGen": "tfx.components.example_gen.csv_example_gen.component.CsvExampleGen",
    "ImportExampleGen": "tfx.components.example_gen.import_example_gen.component.ImportExampleGen",
    "StatisticsGen": "tfx.components.statistics_gen.component.StatisticsGen",
    "SchemaGen": "tfx.components.schema_gen.component.SchemaGen",
    "ExampleValidator": "tfx.components.example_validator.component.ExampleValidator",
    "Transform": "tfx.components.transform.component.Transform",
    "Tuner": "tfx.components.tuner.component.Tuner",
    "Trainer": "tfx.components.trainer.component.Trainer",
    "Evaluator": "tfx.components.evaluator.component.Evaluator",
    "InfraValidator": "tfx.components.infra_validator.component.InfraValidator",
    "Pusher": "tfx.components.pusher.component.Pusher",
    "BulkInferrer": "tfx.components.bulk_inferrer.component.BulkInferrer",
    "Resolver": "tfx.dsl.components.common.resolver.Resolver",
    "Importer": "tfx.dsl.components.common.importer.Importer",
}

# Base types TFX records as ParentType rows (component spec TYPE_ANNOTATION).
_PARENTS = {
    "Trainer": "mlmd.Train",
    "Transform": "mlmd.Transform",
    "StatisticsGen": "mlmd.Process",
    "SchemaGen": "mlmd.Process",
    "Evaluator": "mlmd.Evaluate",
    "Pusher": "mlmd.Deploy",
    "Examples": "mlmd.Dataset",
    "ExampleStatistics": "mlmd.Statistics",
    "Model": "mlmd.Model",
    "PushedModel": "mlmd.Model",
}

# Declared (typed) properties of the standard artifact types: name -> PropertyType.
_DECLARED = {
    "Examples": {"span": 1, "version": 1, "split_names": 3},
    "ExampleStatistics": {"span": 1, "split_names": 3},
    "ExampleAnomalies": {"span": 1, "split_names": 3},
}


@dataclass(frozen=True)
class Run:
    """A `pipeline_run` context (child of its pipeline's `pipeline` context)."""

    context_id: int
    pipeline: str
    name: str


@dataclass(frozen=True)
class New:
    """An output artifact to create: its type and its custom properties."""

    type_name: str
    props: dict[str, Any] = field(default_factory=dict)


def art(type_name: str, **props: Any) -> New:
    return New(type_name, props)


Output = str | New | int


def _value_columns(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"int_value": int(value)}
    if isinstance(value, int):
        return {"int_value": value}
    if isinstance(value, float):
        return {"double_value": value}
    if isinstance(value, str):
        return {"string_value": value}
    raise TypeError(f"unsupported property value {value!r}")


class MLMDBuilder:
    def __init__(self) -> None:
        self.rows: dict[str, list[dict[str, Any]]] = {t: [] for t in mlmd_schema.TABLES}
        self._next: dict[str, int] = {}
        self._types: dict[tuple[str, int], int] = {}
        self._pipelines: dict[str, int] = {}
        self._node_contexts: dict[str, int] = {}
        self._cache_contexts: dict[str, int] = {}
        self._exec_contexts: dict[int, list[int]] = {}
        self._artifacts: dict[int, dict[str, Any]] = {}
        self._executions: dict[int, dict[str, Any]] = {}
        self._attributed: set[tuple[int, int]] = set()
        self._events: set[tuple[int, int, int]] = set()
        self.rows["MLMDEnv"].append({"schema_version": mlmd_schema.SCHEMA_VERSION})
        for name, kind in SYSTEM_TYPES:
            self.type_id(name, kind)

    # ------------------------------------------------------------------ ids and types

    def _new_id(self, table: str) -> int:
        self._next[table] = self._next.get(table, 0) + 1
        return self._next[table]

    def type_id(self, name: str, kind: int) -> int:
        """The id of type `name` of `kind`, created (with its base type) on first use."""
        key = (name, kind)
        if key not in self._types:
            type_id = self._new_id("Type")
            self._types[key] = type_id
            self.rows["Type"].append({"id": type_id, "name": name, "type_kind": kind})
            short = name.rsplit(".", 1)[-1]
            parent = _PARENTS.get(short)
            if parent and not name.startswith("mlmd."):
                parent_kind = EXECUTION_KIND if kind == EXECUTION_KIND else ARTIFACT_KIND
                self.rows["ParentType"].append(
                    {"type_id": type_id, "parent_type_id": self._types[(parent, parent_kind)]}
                )
            for prop, data_type in _DECLARED.get(name, {}).items():
                self.rows["TypeProperty"].append(
                    {"type_id": type_id, "name": prop, "data_type": data_type}
                )
        return self._types[key]

    # ------------------------------------------------------------------ contexts

    def _context(self, type_name: str, name: str, at_ms: int) -> int:
        context_id = self._new_id("Context")
        self.rows["Context"].append(
            {
                "id": context_id,
                "type_id": self.type_id(type_name, CONTEXT_KIND),
                "name": name,
                "create_time_since_epoch": at_ms,
                "last_update_time_since_epoch": at_ms,
            }
        )
        return context_id

    def pipeline(self, name: str, at_ms: int = 1) -> int:
        """The `pipeline` context of `name` (created on first use)."""
        if name not in self._pipelines:
            self._pipelines[name] = self._context("pipeline", name, at_ms)
        return self._pipelines[name]

    def run(self, pipeline: str, name: str | None = None, at_ms: int = 1) -> Run:
        """A new `pipeline_run` context with ParentContext to the pipeline."""
        parent = self.pipeline(pipeline, at_ms)
        name = name or f"{pipeline}-run-{self._next.get('Context', 0) + 1}"
        context_id = self._context("pipeline_run", name, at_ms)
        self.rows["ParentContext"].append({"context_id": context_id, "parent_context_id": parent})
        return Run(context_id, pipeline, name)

    def _node(self, pipeline: str, component: str, at_ms: int) -> int:
        name = f"{pipeline}.{component}"
        if name not in self._node_contexts:
            self._node_contexts[name] = self._context("node", name, at_ms)
        return self._node_contexts[name]

    def _cache(self, key: str, at_ms: int) -> int:
        if key not in self._cache_contexts:
            self._cache_contexts[key] = self._context("execution_cache", key, at_ms)
        return self._cache_contexts[key]

    def _attribute(self, context_id: int, artifact_id: int) -> None:
        if (context_id, artifact_id) not in self._attributed:
            self._attributed.add((context_id, artifact_id))
            self.rows["Attribution"].append(
                {
                    "id": self._new_id("Attribution"),
                    "context_id": context_id,
                    "artifact_id": artifact_id,
                }
            )

    # ------------------------------------------------------------------ nodes

    def artifact(self, type_name: str, at_ms: int, uri: str | None = None, **props: Any) -> int:
        """An artifact with custom properties (e.g. span=3, blessed=1, pushed=0)."""
        artifact_id = self._new_id("Artifact")
        row = {
            "id": artifact_id,
            "type_id": self.type_id(type_name, ARTIFACT_KIND),
            "uri": uri or f"/pipelines/{type_name}/{artifact_id}",
            "state": ARTIFACT_LIVE,
            "create_time_since_epoch": at_ms,
            "last_update_time_since_epoch": at_ms,
        }
        self.rows["Artifact"].append(row)
        self._artifacts[artifact_id] = row
        self.property("artifact", artifact_id, "tfx_version", "1.15.0")
        for name, value in props.items():
            self.property("artifact", artifact_id, name, value)
        return artifact_id

    def property(
        self, owner: str, owner_id: int, name: str, value: Any, *, custom: bool = True
    ) -> None:
        """One property row (owner: artifact, execution or context)."""
        table = {
            "artifact": "ArtifactProperty",
            "execution": "ExecutionProperty",
            "context": "ContextProperty",
        }[owner]
        self.rows[table].append(
            {
                f"{owner}_id": owner_id,
                "name": name,
                "is_custom_property": int(custom),
                **_value_columns(value),
            }
        )

    def execution(
        self,
        component: str,
        *,
        start: int,
        end: int | None = None,
        run: Run | None = None,
        pipeline: str | None = None,
        state: str = "COMPLETE",
        inputs: dict[str, list[int]] | None = None,
        outputs: dict[str, list[Output]] | None = None,
        cost: float | None = None,
        cache_key: str | None = None,
        output_event_type: int | None = None,
        contexts: bool = True,
        props: dict[str, Any] | None = None,
    ) -> tuple[int, dict[str, list[int]]]:
        """An execution of `component` (short TFX name or a full class path).

        inputs: key -> existing artifact ids (one INPUT event per artifact; an artifact
        under two keys gets one event with two [key, index] pairs, as TFX writes it).
        outputs: key -> new artifacts (a type name or `art(...)`) or existing artifact ids
        (re-emitted: a cache hit, a resolver). Output events are OUTPUT (4), INTERNAL_OUTPUT
        (6) for a Resolver, unless `output_event_type` says otherwise.
        run: its `pipeline_run` context; else `pipeline` alone (a store without run
        contexts); `contexts=False` associates it with no context at all.
        cost: the `cpu_seconds` custom double property.
        Returns the execution id and key -> output artifact ids.
        """
        if run is None and pipeline is None and contexts:
            raise ValueError("an execution needs a run or a pipeline (or contexts=False)")
        type_name = COMPONENTS.get(component, component)
        execution_id = self._new_id("Execution")
        end_ms = start if end is None else end
        row = {
            "id": execution_id,
            "type_id": self.type_id(type_name, EXECUTION_KIND),
            "last_known_state": EXECUTION_STATES[state],
            "name": f"exec-{execution_id}",
            "create_time_since_epoch": start,
            "last_update_time_since_epoch": end_ms,
        }
        self.rows["Execution"].append(row)
        self._executions[execution_id] = row
        context_ids: list[int] = []
        if contexts:
            pipeline_name = run.pipeline if run else pipeline
            assert pipeline_name is not None
            context_ids.append(self.pipeline(pipeline_name))
            if run:
                context_ids.append(run.context_id)
            context_ids.append(self._node(pipeline_name, type_name.rsplit(".", 1)[-1], start))
            if cache_key:
                context_ids.append(self._cache(cache_key, start))
        self._exec_contexts[execution_id] = context_ids
        for context_id in context_ids:
            self.rows["Association"].append(
                {
                    "id": self._new_id("Association"),
                    "context_id": context_id,
                    "execution_id": execution_id,
                }
            )
        if cost is not None:
            self.property("execution", execution_id, "cpu_seconds", float(cost))
        for name, value in (props or {}).items():
            self.property("execution", execution_id, name, value)

        paths: dict[int, list[tuple[str, int]]] = {}
        for key, artifact_ids in (inputs or {}).items():
            for index, artifact_id in enumerate(artifact_ids):
                if artifact_id not in self._artifacts:
                    raise ValueError(f"input {key}: no artifact {artifact_id}")
                paths.setdefault(artifact_id, []).append((key, index))
        for artifact_id, pairs in paths.items():
            self._event(execution_id, artifact_id, INPUT, pairs, start)

        if output_event_type is None:
            output_event_type = INTERNAL_OUTPUT if type_name.endswith(".Resolver") else OUTPUT
        produced: dict[str, list[int]] = {}
        for key, items in (outputs or {}).items():
            for index, item in enumerate(items):
                if isinstance(item, int):
                    if item not in self._artifacts:
                        raise ValueError(f"output {key}: no artifact {item}")
                    artifact_id = item
                else:
                    new = New(item) if isinstance(item, str) else item
                    uri = f"/pipelines/{component}/{key}/{execution_id}/{index}"
                    artifact_id = self.artifact(new.type_name, end_ms, uri, **new.props)
                produced.setdefault(key, []).append(artifact_id)
                self._event(execution_id, artifact_id, output_event_type, [(key, index)], end_ms)
        return execution_id, produced

    def reemit(
        self, execution_id: int, artifact_id: int, event_type: int = OUTPUT, key: str = "output"
    ) -> int:
        """One more output event from an existing execution to an existing artifact."""
        if execution_id not in self._executions or artifact_id not in self._artifacts:
            raise ValueError("reemit needs an existing execution and artifact")
        at_ms = self._executions[execution_id]["last_update_time_since_epoch"]
        return self._event(execution_id, artifact_id, event_type, [(key, 0)], at_ms)

    def consume(self, execution_id: int, artifact_id: int, key: str, index: int = 0) -> int:
        """One more INPUT event, written after the fact (a broken writer can close a
        cycle this way: an execution reading an artifact made downstream of it)."""
        if execution_id not in self._executions or artifact_id not in self._artifacts:
            raise ValueError("consume needs an existing execution and artifact")
        at_ms = self._executions[execution_id]["create_time_since_epoch"]
        return self._event(execution_id, artifact_id, INPUT, [(key, index)], at_ms)

    def _event(
        self,
        execution_id: int,
        artifact_id: int,
        event_type: int,
        pairs: list[tuple[str, int]],
        at_ms: int,
        attribute: bool = True,
    ) -> int:
        unique = (artifact_id, execution_id, event_type)
        if unique in self._events:
            raise ValueError(f"event {unique} already exists (UNIQUE in MLMD)")
        self._events.add(unique)
        event_id = self._new_id("Event")
        self.rows["Event"].append(
            {
                "id": event_id,
                "artifact_id": artifact_id,
                "execution_id": execution_id,
                "type": event_type,
                "milliseconds_since_epoch": at_ms,
            }
        )
        for key, index in pairs:
            self.rows["EventPath"].append(
                {"event_id": event_id, "is_index_step": 0, "step_key": key}
            )
            self.rows["EventPath"].append(
                {"event_id": event_id, "is_index_step": 1, "step_index": index}
            )
        if attribute:
            for context_id in self._exec_contexts.get(execution_id, []):
                self._attribute(context_id, artifact_id)
        return event_id

    # ------------------------------------------------------------------ broken rows

    def broken_event(
        self,
        artifact_id: int,
        execution_id: int,
        event_type: int,
        pairs: list[tuple[str, int]] | None = None,
        at_ms: int = 1,
    ) -> int:
        """An event written without any check: a missing artifact or execution, an
        unknown event type (0, 9, ...). Its path steps are written too."""
        return self._event(
            execution_id,
            artifact_id,
            event_type,
            pairs or [("examples", 0)],
            at_ms,
            attribute=False,
        )

    def broken_property(self, owner: str, owner_id: int, name: str, **values: Any) -> None:
        """A property row with exactly the value columns given (e.g. two, or none)."""
        table = {
            "artifact": "ArtifactProperty",
            "execution": "ExecutionProperty",
            "context": "ContextProperty",
        }[owner]
        self.rows[table].append(
            {f"{owner}_id": owner_id, "name": name, "is_custom_property": 1, **values}
        )

    def nameless_type(self, kind: int = EXECUTION_KIND, name: str | None = None) -> int:
        """A type row with no name (NULL, or '' / '  ' when given)."""
        type_id = self._new_id("Type")
        self.rows["Type"].append({"id": type_id, "name": name, "type_kind": kind})
        return type_id

    def duplicate(self, table: str, row_id: int, **changes: Any) -> None:
        """Append a second row with the same id (an export that repeats a row)."""
        original = next(r for r in self.rows[table] if r.get("id") == row_id)
        self.rows[table].append({**original, **changes})

    def add_row(self, table: str, **values: Any) -> None:
        """Any raw row, unchecked (columns left out are NULL)."""
        self.rows[table].append(values)

    # ------------------------------------------------------------------ output

    def row_counts(self) -> dict[str, int]:
        return {table: len(rows) for table, rows in self.rows.items()}

    def write(self, raw_dir: Path) -> None:
        """All 15 tables as `raw_dir/<Table>.parquet` with the raw layer's exact schema;
        rows in insertion order (EventPath's file order is its step order)."""
        raw_dir.mkdir(parents=True, exist_ok=True)
        for table, rows in self.rows.items():
            schema = arrow_schema(table)
            columns = {
                name: pa.array([row.get(name) for row in rows], type=schema.field(name).type)
                for name in schema.names
            }
            pq.write_table(pa.table(columns, schema=schema), raw_dir / f"{table}.parquet")
