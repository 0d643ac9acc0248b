"""The fleet report: one self-contained HTML file (plotly.js embedded, no network at view
time) with the study's figures, drawn from the marts. The data logic lives in the marts;
this module only reads them and draws."""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import plotly.graph_objects as go

from graphlets.errors import GraphletsError
from graphlets.export import mart_names
from graphlets.paths import DataDir

#: Captures script errors and console.error calls into the page, so a headless browser's
#: DOM dump shows them (a test checks the list stays empty).
ERROR_TRAP = """<script>
window.__reportErrors = [];
window.addEventListener('error', function (e) { window.__reportErrors.push(String(e.message)); });
(function () {
  var original = console.error;
  console.error = function () {
    window.__reportErrors.push(Array.prototype.join.call(arguments, ' '));
    original.apply(console, arguments);
  };
})();
window.addEventListener('load', function () {
  var box = document.getElementById('report-errors');
  box.textContent = window.__reportErrors.join('\\n');
  box.setAttribute('data-error-count', String(window.__reportErrors.length));
});
</script>"""

STYLE = """<style>
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; color: #222; }
h1 { margin-bottom: 0.2rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #ddd; }
table.summary { border-collapse: collapse; margin: 1rem 0; }
table.summary td { padding: 0.2rem 0.8rem; border-bottom: 1px solid #eee; }
table.summary td.value { text-align: right; font-variant-numeric: tabular-nums; }
.chart { margin: 1rem 0; } .note { color: #666; font-size: 0.9rem; }
</style>"""

Rows = list[dict[str, Any]]


@dataclass
class Chart:
    chart_id: str
    section: str
    title: str
    figure: go.Figure
    note: str = ""


class MissingMartError(GraphletsError):
    """The warehouse lacks a mart the report draws from (a partial build)."""


class Marts:
    """Read-only access to the marts; a missing mart is an error that names it."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.tables = set(mart_names(con))
        self.read: set[str] = set()  # the marts the report drew from

    def rows(self, table: str, where: str = "true", order: str = "1") -> Rows:
        if table not in self.tables:
            raise MissingMartError(
                f"marts.{table} is missing from the warehouse: run `graphlets build`"
            )
        self.read.add(table)
        cursor = self.con.execute(f"select * from marts.{table} where {where} order by {order}")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _layout(figure: go.Figure, x_title: str, y_title: str) -> go.Figure:
    figure.update_layout(
        template="plotly_white",
        height=380,
        margin={"l": 60, "r": 20, "t": 30, "b": 50},
        xaxis_title=x_title,
        yaxis_title=y_title,
        legend={"orientation": "h", "y": -0.2},
    )
    return figure


def _empty(message: str) -> go.Figure:
    figure = go.Figure()
    figure.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    return _layout(figure, "", "")


def _cdf(rows: Rows, metrics: dict[str, str], x_title: str, log_x: bool = False) -> go.Figure:
    """CDF lines from quantile rows (metric_value on x, quantile on y), one per metric."""
    figure = go.Figure()
    for metric, label in metrics.items():
        points = sorted(
            ((r["quantile"], r["metric_value"]) for r in rows if r["metric"] == metric),
            key=lambda p: p[0],
        )
        if not points:
            continue
        count = next(r["observation_count"] for r in rows if r["metric"] == metric)
        figure.add_trace(
            go.Scatter(
                x=[v for _, v in points],
                y=[q for q, _ in points],
                mode="lines+markers",
                name=f"{label} (n={count:,})",
            )
        )
    if not figure.data:
        return _empty("no observations")
    _layout(figure, x_title, "share at or below (CDF)")
    figure.update_yaxes(range=[0, 1.02])
    if log_x:
        figure.update_xaxes(type="log")
    return figure


def _shares(rows: Rows, metric: str, x_title: str, order: list[str] | None = None) -> go.Figure:
    picked = [r for r in rows if r["metric"] == metric]
    if order:
        rank = {name: i for i, name in enumerate(order)}
        picked.sort(key=lambda r: rank.get(r["bucket"], len(rank)))
    else:
        picked.sort(key=lambda r: -r["metric_value"])
    if not picked:
        return _empty("no observations")
    figure = go.Figure(
        go.Bar(
            x=[r["bucket"] for r in picked],
            y=[r["metric_value"] for r in picked],
            text=[f"{r['metric_value']:.1%}" for r in picked],
            textposition="outside",
            customdata=[r["observation_count"] for r in picked],
            hovertemplate="%{x}: %{y:.1%} (%{customdata:,})<extra></extra>",
        )
    )
    _layout(figure, x_title, "share")
    figure.update_yaxes(tickformat=".0%")
    return figure


def _waste_bars(rows: Rows, x_title: str) -> go.Figure:
    if not rows:
        return _empty("marts.rpt_waste_breakdown has no rows")
    figure = go.Figure()
    for column, label, color in (
        ("productive_cost", "productive", "#2ca02c"),
        ("pending_cost", "pending", "#bbbbbb"),
        ("wasted_cost", "wasted", "#d62728"),
    ):
        figure.add_trace(
            go.Bar(
                x=[r["breakdown_value"] for r in rows],
                y=[r[column] for r in rows],
                name=label,
                marker_color=color,
            )
        )
    figure.update_layout(barmode="stack")
    figure.update_xaxes(type="category")
    return _layout(figure, x_title, "cost")


def _tradeoff(evaluation: Rows, headline: Rows) -> go.Figure:
    """The evaluation period's trade-off: threshold sweeps as curves (rows come ordered
    by threshold), the unguarded policy's and the guarded one's at the headline's age
    bound multiplier; each baseline as one point."""
    if not evaluation:
        return _empty("marts.rpt_pruning_tradeoff has no rows")
    multiplier = headline[0]["age_bound_multiplier"] if headline else None
    curves = {
        "learned policy, unguarded (thresholds)": [
            r for r in evaluation if r["policy_name"] == "model"
        ],
        f"learned policy, guarded (thresholds, age bound x{multiplier})": [
            r
            for r in evaluation
            if r["policy_name"] == "guarded_model" and r["age_bound_multiplier"] == multiplier
        ],
    }
    figure = go.Figure()
    for name, curve in curves.items():
        figure.add_trace(
            go.Scatter(
                x=[r["pushes_lost_share"] for r in curve],
                y=[r["waste_avoided_share"] for r in curve],
                text=[f"threshold {r['threshold']}" for r in curve],
                mode="lines+markers",
                name=name,
            )
        )
    for r in evaluation:
        if r["policy_name"] not in ("model", "guarded_model"):
            figure.add_trace(
                go.Scatter(
                    x=[r["pushes_lost_share"]],
                    y=[r["waste_avoided_share"]],
                    mode="markers",
                    marker={"size": 12, "symbol": "diamond"},
                    name=r["policy_name"],
                )
            )
    _layout(figure, "share of pushes lost", "share of prunable wasted cost avoided")
    figure.update_xaxes(tickformat=".0%")
    figure.update_yaxes(tickformat=".0%")
    return figure


def _pipeline_impact(worst: Rows) -> go.Figure:
    """The pipelines the headline policy hurts most (rows come ordered by impact_rank):
    each one's share of pushes lost and its mean deployed-model age, with the guards,
    without them, and without pruning."""
    if not worst:
        return _empty("marts.rpt_pruning_pipeline_impact has no rows")
    names = [r["pipeline_name"] for r in worst]
    figure = go.Figure(
        [
            go.Bar(x=names, y=[r["pushes_lost_share"] for r in worst], name="pushes lost, guarded"),
            go.Bar(
                x=names,
                y=[r["unguarded_pushes_lost_share"] for r in worst],
                name="pushes lost, unguarded",
            ),
            go.Scatter(
                x=names,
                y=[r["mean_deployed_model_age_hours_unpruned"] for r in worst],
                name="mean model age h, no pruning",
                mode="markers",
                yaxis="y2",
                marker={"symbol": "circle-open", "size": 10},
            ),
            go.Scatter(
                x=names,
                y=[r["mean_deployed_model_age_hours"] for r in worst],
                name="mean model age h, guarded",
                mode="markers",
                yaxis="y2",
                marker={"symbol": "diamond", "size": 10},
            ),
            go.Scatter(
                x=names,
                y=[r["unguarded_mean_deployed_model_age_hours"] for r in worst],
                name="mean model age h, unguarded",
                mode="markers",
                yaxis="y2",
                marker={"symbol": "x", "size": 10},
            ),
        ]
    )
    figure.update_layout(
        barmode="group",
        yaxis={"tickformat": ".0%"},
        yaxis2={
            "title": "mean deployed-model age (h)",
            "overlaying": "y",
            "side": "right",
            "rangemode": "tozero",
        },
    )
    figure.update_xaxes(type="category")
    return _layout(figure, "pipeline", "share of its pushes lost")


def _cadence(rows: Rows) -> go.Figure:
    if not rows:
        return _empty("marts.rpt_pruning_headline has no rows")
    headline = rows[0]
    pairs = [
        (name, headline[name], headline[f"{name}_unpruned"])
        for name in headline
        if f"{name}_unpruned" in headline
    ]
    if not pairs:
        return _empty("no cadence figures in marts.rpt_pruning_headline")
    labels = [name.replace("_", " ") for name, _, _ in pairs]
    figure = go.Figure(
        [
            go.Bar(x=labels, y=[u for _, _, u in pairs], name="without pruning"),
            go.Bar(x=labels, y=[p for _, p, _ in pairs], name="with pruning"),
        ]
    )
    figure.update_layout(barmode="group")
    return _layout(figure, "", "value")


def _category_profile(marts: Marts) -> Rows:
    return marts.rows("fct_operator_profile", "profile_level = 'category'", "total_cost desc")


# The report's charts, in order: (id, section, title, how to draw it from the marts, note).
# Each is drawn in a div with id `chart-<id>`.
CHARTS: list[tuple[str, str, str, Callable[[Marts], go.Figure], str]] = [
    (
        "pipeline-lifespan",
        "Pipelines",
        "Pipeline lifespan",
        lambda marts: _cdf(
            marts.rows("rpt_fleet_distributions"), {"lifespan_days": "lifespan"}, "days"
        ),
        "",
    ),
    (
        "models-per-pipeline",
        "Pipelines",
        "Models trained per pipeline",
        lambda marts: _cdf(
            marts.rows("rpt_fleet_distributions"),
            {"models_trained": "models trained", "push_count": "models pushed"},
            "models",
        ),
        "",
    ),
    (
        "training-cadence",
        "Pipelines",
        "Training cadence",
        lambda marts: _cdf(
            marts.rows("rpt_fleet_distributions"),
            {"training_gap_hours": "between trainings", "push_gap_hours": "between pushes"},
            "hours",
        ),
        "Gaps between consecutive trainings and consecutive pushes of one pipeline.",
    ),
    (
        "graphlet-size",
        "Graphlets",
        "Graphlet size",
        lambda marts: _cdf(
            marts.rows("rpt_graphlet_profile"),
            {"node_count": "nodes", "execution_count": "executions", "depth": "depth (hops)"},
            "count",
        ),
        "",
    ),
    (
        "span-overlap",
        "Graphlets",
        "Span overlap with the previous graphlet",
        lambda marts: _cdf(
            marts.rows("rpt_graphlet_profile"),
            {"span_overlap": "span overlap"},
            "share of spans also read",
        ),
        "Share of a graphlet's data spans its pipeline's previous graphlet also read.",
    ),
    (
        "outcome-mix",
        "Graphlets",
        "Outcome mix",
        lambda marts: _shares(
            marts.rows("rpt_graphlet_profile"),
            "outcome",
            "outcome",
            [
                "pushed",
                "blessed_not_pushed",
                "not_blessed",
                "no_evaluation",
                "training_failed",
                "pending",
            ],
        ),
        "",
    ),
    (
        "cost-share-by-category",
        "Operators",
        "Cost share by operator category",
        lambda marts: _shares(
            [
                {
                    "metric": "c",
                    "bucket": r["profile_value"],
                    "metric_value": r["cost_share"] or 0.0,
                    "observation_count": r["run_count"],
                }
                for r in _category_profile(marts)
            ],
            "c",
            "operator category",
        ),
        "",
    ),
    (
        "waste-by-category",
        "Waste",
        "Cost by waste status and operator category",
        lambda marts: _waste_bars(
            sorted(
                (r for r in marts.rows("rpt_waste_breakdown") if r["breakdown"] == "category"),
                key=lambda r: -r["total_cost"],
            ),
            "operator category",
        ),
        "",
    ),
    (
        "waste-by-month",
        "Waste",
        "Cost by waste status and month",
        lambda marts: _waste_bars(
            sorted(
                (r for r in marts.rows("rpt_waste_breakdown") if r["breakdown"] == "month"),
                key=lambda r: r["breakdown_value"],
            ),
            "month",
        ),
        "",
    ),
    (
        "pruning-tradeoff",
        "Pruning",
        "Pruning trade-off (evaluation period)",
        lambda marts: _tradeoff(
            marts.rows("rpt_pruning_tradeoff", "period = 'evaluation'", "policy_name, threshold"),
            marts.rows("rpt_pruning_headline"),
        ),
        "Each point of a line is one threshold of the learned policy; diamonds are baselines.",
    ),
    (
        "pruning-pipelines",
        "Pruning",
        "The ten pipelines pruning hurts most (evaluation period)",
        lambda marts: _pipeline_impact(
            marts.rows("rpt_pruning_pipeline_impact", "impact_rank <= 10", "impact_rank")
        ),
        "Worst first by share of pushes lost under the headline (guarded) policy "
        "(marts.rpt_pruning_pipeline_impact); the unguarded policy beside it.",
    ),
    (
        "pruning-cadence",
        "Pruning",
        "Deployment cadence with and without pruning",
        lambda marts: _cadence(marts.rows("rpt_pruning_headline")),
        "At the threshold chosen on the training period (marts.rpt_pruning_headline).",
    ),
]


def chart_ids() -> list[str]:
    """Ids of the report's charts (each drawn in a div with id `chart-<id>`)."""
    return [chart_id for chart_id, *_ in CHARTS]


def _charts(marts: Marts) -> list[Chart]:
    return [
        Chart(chart_id, section, title, draw(marts), note)
        for chart_id, section, title, draw, note in CHARTS
    ]


def _format(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return html.escape(str(value))


def _summary_table(summary: Rows) -> str:
    if not summary:
        return "<p class='note'>marts.rpt_fleet_summary is empty.</p>"
    cells = "".join(
        f"<tr><td>{html.escape(name.replace('_', ' '))}</td>"
        f"<td class='value'>{_format(v)}</td></tr>"
        for name, v in summary[0].items()
    )
    return f"<table class='summary' id='fleet-summary'>{cells}</table>"


def render_report(data: DataDir) -> str:
    """The report's HTML, from the warehouse in `data`."""
    with data.read_warehouse() as con:
        marts = Marts(con)
        summary = marts.rows("rpt_fleet_summary")
        charts = _charts(marts)
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<title>graphlets fleet report</title>",
        STYLE,
        ERROR_TRAP,
        "</head><body>",
        "<h1>graphlets fleet report</h1>",
        f"<p class='note'>From {html.escape(str(data.warehouse))}; "
        "every figure is drawn from a mart in schema <code>marts</code>: "
        f"<span id='marts-read'>{', '.join(sorted(marts.read))}</span>.</p>",
        "<h2>Fleet summary</h2>",
        _summary_table(summary),
    ]
    section = ""
    for index, chart in enumerate(charts):
        if chart.section != section:
            section = chart.section
            parts.append(f"<h2>{html.escape(section)}</h2>")
        chart.figure.update_layout(title=chart.title)
        parts.append(f"<div class='chart' data-chart='{chart.chart_id}'>")
        parts.append(
            chart.figure.to_html(
                full_html=False,
                include_plotlyjs=index == 0,
                div_id=f"chart-{chart.chart_id}",
                config={"displaylogo": False, "responsive": True},
            )
        )
        if chart.note:
            parts.append(f"<p class='note'>{html.escape(chart.note)}</p>")
        parts.append("</div>")
    parts.append("<pre id='report-errors' data-error-count='-1'></pre></body></html>")
    return "\n".join(parts)


def write_report(data: DataDir, out: Path | None = None) -> Path:
    """Write the report (default: `data.report`) and return its path."""
    target = (out or data.report).expanduser().resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_report(data), encoding="utf-8")
    return target
