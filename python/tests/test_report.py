"""The HTML report renders every chart in a real headless browser, offline."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import exposure_marts

from graphlets.paths import DataDir
from graphlets.report import chart_ids, write_report

ARTIFACTS = Path(__file__).parent / "_artifacts"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
    "--virtual-time-budget=15000",
]


def chromium() -> str:
    found = shutil.which("chromium")
    if found is None:
        subprocess.run(
            ["bash", "scripts/ensure_chromium.sh"], check=True, cwd=Path(__file__).parents[2]
        )
        found = shutil.which("chromium")
    assert found, "chromium is not installed (scripts/ensure_chromium.sh)"
    return found


def run_browser(report: Path, profile: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [chromium(), *FLAGS, f"--user-data-dir={profile}", *extra, report.as_uri()],
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )


@pytest.fixture(scope="module")
def report(fixture_data: DataDir, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_report(fixture_data, tmp_path_factory.mktemp("report") / "report.html")


def test_report_is_self_contained(report: Path) -> None:
    text = report.read_text()
    # plotly.js is embedded once; nothing is fetched at view time.
    assert text.count("plotly.js v") >= 1
    assert not re.search(r"<script[^>]+src=", text)
    assert "cdn.plot.ly" not in text.split("</head>")[0]
    for chart in chart_ids():
        assert f'id="chart-{chart}"' in text, chart


def test_report_renders_in_chromium(report: Path, tmp_path: Path) -> None:
    result = run_browser(report, tmp_path / "profile", "--dump-dom")
    dom = result.stdout
    # Each chart div holds what plotly drew (an svg of class main-svg).
    pieces = re.split(r'(?=<div id="chart-)', dom)
    drawn = {
        match.group(1): "main-svg" in piece
        for piece in pieces
        if (match := re.match(r'<div id="chart-([a-z-]+)"', piece))
    }
    assert set(drawn) == set(chart_ids())
    assert all(drawn.values()), {k: v for k, v in drawn.items() if not v}
    # No script error or console.error in the page (trapped into #report-errors) ...
    trapped = re.search(r'<pre id="report-errors" data-error-count="(\d+)">([^<]*)', dom)
    assert trapped, "the page's load handler did not run"
    assert trapped.group(1) == "0", trapped.group(2)
    # ... nor in the browser's console log.
    console = [
        line
        for line in result.stderr.splitlines()
        if "CONSOLE" in line and re.search(r"error|uncaught", line, re.IGNORECASE)
    ]
    assert not console, console
    # The summary table came from rpt_fleet_summary.
    assert 'id="fleet-summary"' in dom and "waste share" in dom


def test_report_screenshot(report: Path, tmp_path: Path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "report.png"
    shot.unlink(missing_ok=True)
    run_browser(report, tmp_path / "profile", f"--screenshot={shot}", "--window-size=1280,6000")
    assert shot.is_file() and shot.stat().st_size > 20_000


def test_report_default_path(fixture_data: DataDir) -> None:
    assert write_report(fixture_data) == fixture_data.report
    assert fixture_data.report.stat().st_size > 1_000_000  # plotly.js is inside


def test_the_report_exposure_lists_the_marts_the_report_reads(
    report: Path, fixture_data: DataDir
) -> None:
    read = re.search(r"<span id='marts-read'>([^<]*)</span>", report.read_text())
    assert read, "the report does not say which marts it read"
    assert set(read.group(1).split(", ")) == exposure_marts(fixture_data, "fleet_report")
