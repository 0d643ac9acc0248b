"""Predicted chance that each graphlet pushes a model, from what was known at its
decision point (definitions §4).

A scikit-learn HistGradientBoostingClassifier (fixed random_state, so the same warehouse
gives the same predictions) reads `int_graphlet_features` and learns `is_pushed` from the
graphlets decided before the cutoff (`int_pruning_cutoff`: the var `training_cutoff`, or
60% of the way through the decision times). Graphlets decided at or after the cutoff are
the evaluation period: they get the model's predictions and never train it. The
training period's own predictions are out-of-fold (five stratified folds), so the
threshold chosen on them is not chosen on predictions the model has memorised. Both
are then calibrated by an isotonic regression of the training labels on the out-of-fold
scores: `predicted_push_probability` is the training push rate of graphlets scored
alike, a step function, so nearby thresholds prune the same graphlets and a threshold
chosen on training does not sit on a slope the evaluation period slides down. Pending
graphlets have no label and never train the model.

The model reads no running totals of a pipeline's history (`known_graphlet_count`,
`known_push_count`, `known_training_failed_count`): they only grow with a pipeline's
age, so the evaluation period meets values the training period never had, and the
trees' answer there drifts (on the small fleet it lost a quarter of the pushes at the
threshold chosen on training). Rates, the streak and recency carry that history.

The six fits (five folds and the final model) are independent: they run two at a time,
each in one thread of its own, and each model scores its rows in the same thread
(scoring runs a hundred trees over every row, so it is shared out too). Within a fit,
OpenMP threads synchronise at every split and slow the fit several-fold when other
processes share the cores; separate fits never wait on each other, and each gives the
same predictions as a fit run alone.

When the training period holds a single class (or nothing), the model is the training
push rate (`model_name = constant_push_rate`).
"""

import numpy as np
import pandas as pd

FEATURES = [
    "data_execution_count",
    "data_cached_execution_count",
    "data_failed_execution_count",
    "data_artifact_count",
    "data_cost",
    "drift_figure_count",
    "max_drift_score",
    "anomaly_count",
    "is_drifted",
    "span_count",
    "new_span_count",
    "unseen_span_count",
    "is_no_new_data",
    "is_data_structure_changed",
    "known_push_rate",
    "recent_push_rate",
    "not_pushed_streak",
    "last_known_is_pushed",
    "last_known_is_training_failed",
    "hours_since_last_known_graphlet",
    "hours_since_last_push",
]
RANDOM_STATE = 0
FOLDS = 5
# Fits running at once, one thread each (the machine's two cores).
FIT_THREADS = 2


def _significant(values: np.ndarray, digits: int = 9) -> np.ndarray:
    """Values rounded to `digits` significant digits. A sum of doubles (`data_cost`) comes
    out of a parallel engine with different last bits from run to run; the trees bin
    features by their distinct values, so without this the same store could give
    different predictions."""
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = 10.0 ** (digits - 1 - np.floor(np.log10(np.abs(values))))
        rounded = np.round(values * scale) / scale
    return np.where(np.isfinite(scale), rounded, values)


def _matrix(frame: pd.DataFrame) -> np.ndarray:
    """Features as floats; unknown (null) stays NaN, which the model handles natively."""
    return _significant(
        np.column_stack(
            [
                pd.to_numeric(frame[name].astype("Float64"), errors="coerce")
                .astype(float)
                .to_numpy(na_value=np.nan)
                for name in FEATURES
            ]
        )
        if len(frame)
        else np.empty((0, len(FEATURES)))
    )


def _classifier():
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(
        max_iter=100,
        learning_rate=0.05,
        max_leaf_nodes=15,
        min_samples_leaf=50,
        l2_regularization=1.0,
        random_state=RANDOM_STATE,
    )


def _fit_and_score(train_x, train_y, score_x):
    """Push probabilities of `score_x` from a classifier fitted on the training rows; the
    fit and the scoring use one thread (this worker's own OpenMP setting)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        fitted = _classifier().fit(train_x, train_y)
        return fitted.predict_proba(score_x)[:, 1] if len(score_x) else np.empty(0)


def _predict(train_x, train_y, predict_x):
    """(training out-of-fold probabilities, prediction probabilities, model name)."""
    classes = np.unique(train_y)
    if len(train_y) == 0 or len(classes) < 2:
        rate = float(train_y.mean()) if len(train_y) else 1.0
        return (
            np.full(len(train_y), rate),
            np.full(len(predict_x), rate),
            "constant_push_rate",
        )
    from concurrent.futures import ThreadPoolExecutor

    from sklearn.model_selection import StratifiedKFold

    # A feature the store never records (all null in training) carries nothing.
    recorded = ~np.all(np.isnan(train_x), axis=0)
    train_x, predict_x = train_x[:, recorded], predict_x[:, recorded]

    smallest_class = int(min((train_y == c).sum() for c in classes))
    folds = min(FOLDS, smallest_class)
    splits = (
        list(
            StratifiedKFold(n_splits=folds, shuffle=True, random_state=RANDOM_STATE).split(
                train_x, train_y
            )
        )
        if folds >= 2
        else []
    )
    # Each fold model scores the training rows it did not see (out of fold); the final
    # model scores the rest (and, without folds, the training rows too).
    final_x = predict_x if splits else np.vstack([train_x, predict_x])
    with ThreadPoolExecutor(max_workers=FIT_THREADS) as pool:
        fold_scores = [
            pool.submit(_fit_and_score, train_x[fit_rows], train_y[fit_rows], train_x[held_out])
            for fit_rows, held_out in splits
        ]
        final_scores = pool.submit(_fit_and_score, train_x, train_y, final_x).result()
        if splits:
            out_of_fold = np.empty(len(train_y))
            for (_, held_out), scores in zip(splits, fold_scores, strict=True):
                out_of_fold[held_out] = scores.result()
            predicted = final_scores
        else:
            out_of_fold, predicted = final_scores[: len(train_y)], final_scores[len(train_y) :]
    # Calibrate on the out-of-fold scores: a monotone step function from score to the
    # training push rate, so a threshold reads as a push probability and graphlets
    # that look alike share one value.
    from sklearn.isotonic import IsotonicRegression

    calibration = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
    calibration.fit(out_of_fold, train_y)
    out_of_fold = calibration.predict(out_of_fold)
    predicted = calibration.predict(predicted) if len(predicted) else predicted
    return out_of_fold, predicted, "HistGradientBoostingClassifier"


def _pandas(relation):
    """A ref as pandas: a Spark DataFrame converts with toPandas, a DuckDB relation with df."""
    return relation.toPandas() if hasattr(relation, "toPandas") else relation.df()


def model(dbt, session):
    dbt.config(materialized="table", packages=["scikit-learn", "threadpoolctl", "pandas", "numpy"])

    features = _pandas(dbt.ref("int_graphlet_features"))
    cutoff = _pandas(dbt.ref("int_pruning_cutoff"))
    pushes = _pandas(dbt.ref("int_graphlet_pushes"))
    prunable = _pandas(dbt.ref("int_graphlet_prunable_costs"))

    # No decision at all (an empty store, an as_of before any activity): no cutoff.
    has_cutoff = len(cutoff) and pd.notna(cutoff["cutoff_at_ms"].iloc[0])
    cutoff_at_ms = int(cutoff["cutoff_at_ms"].iloc[0]) if has_cutoff else 0
    frame = (
        features.merge(
            pushes[["graphlet_id", "outcome", "pushed_at_ms", "finished_at_ms"]],
            on="graphlet_id",
        )
        .merge(prunable[["graphlet_id", "prunable_cost"]], on="graphlet_id")
        .sort_values(["decided_at_ms", "graphlet_id"])
        .reset_index(drop=True)
    )
    frame["period"] = np.where(frame["decided_at_ms"] < cutoff_at_ms, "training", "evaluation")

    labelled = frame["is_pushed"].notna()
    is_training = (frame["period"] == "training") & labelled
    train = frame[is_training]
    rest = frame[~is_training]
    train_y = train["is_pushed"].astype(bool).astype(int).to_numpy()
    out_of_fold, predicted, model_name = _predict(_matrix(train), train_y, _matrix(rest))

    probability = pd.Series(np.nan, index=frame.index, dtype=float)
    probability[train.index] = out_of_fold
    probability[rest.index] = predicted

    result = pd.DataFrame(
        {
            "graphlet_id": frame["graphlet_id"].astype("int64"),
            "pipeline_name": frame["pipeline_name"].astype(str),
            "decided_at": frame["decided_at"],
            "decided_at_ms": frame["decided_at_ms"].astype("int64"),
            "period": frame["period"].astype(str),
            "is_training_row": is_training.astype(bool),
            "predicted_push_probability": probability.astype(float),
            "is_pushed": frame["is_pushed"].astype("boolean"),
            "outcome": frame["outcome"].astype(str),
            "previous_is_pushed": frame["last_known_is_pushed"].astype("boolean"),
            "prunable_cost": frame["prunable_cost"].astype(float),
            "pushed_at_ms": frame["pushed_at_ms"].astype("Int64"),
            "finished_at_ms": frame["finished_at_ms"].astype("Int64"),
            "cutoff_at_ms": np.full(len(frame), cutoff_at_ms, dtype="int64"),
            "model_name": np.full(len(frame), model_name, dtype=object),
        }
    )
    return result
