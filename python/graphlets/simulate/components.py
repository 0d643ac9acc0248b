"""The TFX nodes a simulated run can contain ("slots"), in execution order, and MLMD types."""

from __future__ import annotations

(
    EXGEN,
    STATS,
    SCHEMA,
    EXVAL,
    SPANRES,
    TRANSFORM,
    TUNER,
    HPIMPORT,
    WARMRES,
    TRAINER,
    BLESSRES,
    EVAL,
    INFRA,
    PUSHER,
    BULK,
) = range(15)
NS = 15

# Execution states (MLMD enum).
NEW, RUNNING, COMPLETE, FAILED, CACHED, CANCELED = 1, 2, 3, 4, 5, 6

# Node ids (the `node` context is `<pipeline>.<node id>`): TFX's default, the component's
# class name, except for resolvers and the importer, which the user names. The ExampleGen
# is named after its class (EXGEN_NODE_IDS).
NODE_IDS = [
    "ExampleGen",
    "StatisticsGen",
    "SchemaGen",
    "ExampleValidator",
    "span_window_resolver",
    "Transform",
    "Tuner",
    "hyperparameters_importer",
    "latest_model_resolver",
    "Trainer",
    "latest_blessed_model_resolver",
    "Evaluator",
    "InfraValidator",
    "Pusher",
    "BulkInferrer",
]
RESOLVERS = (SPANRES, WARMRES, BLESSRES)
BOOKKEEPING = (SPANRES, HPIMPORT, WARMRES, BLESSRES)

EXAMPLE_GENS = [
    "tfx.components.example_gen.csv_example_gen.component.CsvExampleGen",
    "tfx.components.example_gen.import_example_gen.component.ImportExampleGen",
    "tfx.extensions.google_cloud_big_query.example_gen.component.BigQueryExampleGen",
]
EXGEN_NODE_IDS = [name.rsplit(".", 1)[1] for name in EXAMPLE_GENS]
EXEC_TYPE = {
    STATS: "tfx.components.statistics_gen.component.StatisticsGen",
    SCHEMA: "tfx.components.schema_gen.component.SchemaGen",
    EXVAL: "tfx.components.example_validator.component.ExampleValidator",
    SPANRES: "tfx.dsl.components.common.resolver.Resolver",
    TRANSFORM: "tfx.components.transform.component.Transform",
    TUNER: "tfx.components.tuner.component.Tuner",
    HPIMPORT: "tfx.dsl.components.common.importer.Importer",
    WARMRES: "tfx.dsl.components.common.resolver.Resolver",
    TRAINER: "tfx.components.trainer.component.Trainer",
    BLESSRES: "tfx.dsl.components.common.resolver.Resolver",
    EVAL: "tfx.components.evaluator.component.Evaluator",
    INFRA: "tfx.components.infra_validator.component.InfraValidator",
    PUSHER: "tfx.components.pusher.component.Pusher",
    BULK: "tfx.components.bulk_inferrer.component.BulkInferrer",
}

# Output keys and artifact types of a COMPLETE execution, in publish order.
OUTPUTS: dict[int, list[tuple[str, str]]] = {
    EXGEN: [("examples", "Examples")],
    STATS: [("statistics", "ExampleStatistics")],
    SCHEMA: [("schema", "Schema")],
    EXVAL: [("anomalies", "ExampleAnomalies")],
    TRANSFORM: [("transform_graph", "TransformGraph"), ("transformed_examples", "Examples")],
    TUNER: [("best_hyperparameters", "HyperParameters"), ("tuner_results", "TunerResults")],
    HPIMPORT: [("result", "HyperParameters")],
    TRAINER: [("model", "Model"), ("model_run", "ModelRun")],
    EVAL: [("evaluation", "ModelEvaluation"), ("blessing", "ModelBlessing")],
    INFRA: [("blessing", "InfraBlessing")],
    PUSHER: [("pushed_model", "PushedModel")],
    BULK: [("inference_result", "InferenceResult")],
}
N_OUT = [len(OUTPUTS.get(s, [])) for s in range(NS)]

# Types, registered like a fresh store: the 9 system types (ids 1-9), then user types.
SYSTEM_TYPES = [
    ("mlmd.Dataset", 1),
    ("mlmd.Model", 1),
    ("mlmd.Metrics", 1),
    ("mlmd.Statistics", 1),
    ("mlmd.Train", 0),
    ("mlmd.Transform", 0),
    ("mlmd.Process", 0),
    ("mlmd.Evaluate", 0),
    ("mlmd.Deploy", 0),
]
ARTIFACT_TYPES = [
    "Examples",
    "ExampleStatistics",
    "Schema",
    "ExampleAnomalies",
    "TransformGraph",
    "HyperParameters",
    "TunerResults",
    "Model",
    "ModelRun",
    "ModelEvaluation",
    "ModelBlessing",
    "InfraBlessing",
    "PushedModel",
    "InferenceResult",
]
CONTEXT_TYPES = ["pipeline", "pipeline_run", "node", "execution_cache"]
EXECUTION_TYPES = EXAMPLE_GENS + sorted(set(EXEC_TYPE.values()))


def type_rows() -> list[tuple[str, int]]:
    """(name, type_kind) in id order: system types, context types, execution, artifact."""
    user = [(n, 2) for n in CONTEXT_TYPES] + [(n, 0) for n in EXECUTION_TYPES]
    return SYSTEM_TYPES + user + [(n, 1) for n in ARTIFACT_TYPES]


def type_ids() -> dict[str, int]:
    return {name: i + 1 for i, (name, _) in enumerate(type_rows())}


TYPE_PROPERTIES = [
    ("Examples", "span", 1),
    ("Examples", "version", 1),
    ("Examples", "split_names", 3),
    ("ExampleStatistics", "span", 1),
    ("ExampleStatistics", "split_names", 3),
    ("ExampleAnomalies", "span", 1),
    ("ExampleAnomalies", "split_names", 3),
]
PARENT_TYPES = [
    ("Examples", "mlmd.Dataset"),
    (STATS, "mlmd.Process"),
    ("ExampleStatistics", "mlmd.Statistics"),
    (SCHEMA, "mlmd.Process"),
    (TRANSFORM, "mlmd.Transform"),
    (TRAINER, "mlmd.Train"),
    ("Model", "mlmd.Model"),
    (EVAL, "mlmd.Evaluate"),
    (PUSHER, "mlmd.Deploy"),
    ("PushedModel", "mlmd.Model"),
    (EXAMPLE_GENS[2], "mlmd.Process"),
]

# Base duration in seconds at data scale 1 and CPU parallelism (cpu_seconds / duration),
# shaped on the real fixture store (Beam components run ~6x parallel, Transform ~13x).
BASE_SECONDS = {
    EXGEN: 1200.0,
    STATS: 500.0,
    SCHEMA: 80.0,
    EXVAL: 90.0,
    TRANSFORM: 2400.0,
    TUNER: 7000.0,
    TRAINER: 5400.0,
    EVAL: 400.0,
    INFRA: 350.0,
    PUSHER: 20.0,
    BULK: 800.0,
}
PARALLELISM = {
    EXGEN: 5.5,
    STATS: 5.7,
    SCHEMA: 1.0,
    EXVAL: 1.0,
    TRANSFORM: 13.0,
    TUNER: 8.0,
    TRAINER: 10.0,
    EVAL: 5.0,
    INFRA: 1.0,
    PUSHER: 1.0,
    BULK: 6.0,
}
