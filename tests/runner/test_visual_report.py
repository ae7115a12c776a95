"""The visual report: every setup writes setup-report.html, one self-contained page
(run, census intake, baseline workforce, hazard grids, what changed) that headless
Chromium draws; `planwise-run report` draws the live database's without a build."""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from runner import ledger
from runner.run import _page
from runner.state import state_dir
from tests.runner.conftest import PAGE_ON, RunnerProject

PAGE = "setup-report.html"
RUNNER_ENV = PAGE_ON  # the module's set_up draws its page (the suite's default is off)
SECTIONS = {"intake", "levels", "age_tenure", "eligibility", "grids"}
# The page opened in a frame of the same origin; once loaded, what each chart and
# grid drew, and every resource the page fetched (there must be none).
PROBE = """<!doctype html><html><body>
<iframe id="page" width="1280" height="900" src="%s"></iframe><pre id="drawn"></pre>
<script>
document.getElementById("page").addEventListener("load", function () {
  var frame = document.getElementById("page").contentWindow;
  var doc = frame.document;
  var charts = Array.prototype.map.call(doc.querySelectorAll("figure.chart svg"), function (svg) {
    var box = svg.getBoundingClientRect();
    return {title: svg.querySelector("title").textContent, width: box.width, height: box.height,
            marks: svg.querySelectorAll("path, use, rect, text").length};
  });
  var grids = Array.prototype.map.call(doc.querySelectorAll("div.grid"), function (grid) {
    return {title: grid.querySelector("h3").textContent,
            panels: grid.querySelectorAll("div.panel").length,
            cells: grid.querySelectorAll("td[style*=background]").length};
  });
  var fetched = frame.performance.getEntriesByType("resource").map(function (e) { return e.name; });
  document.getElementById("drawn").textContent = JSON.stringify(
    {charts: charts, grids: grids, fetched: fetched});
});
</script></body></html>"""


def chromium() -> str:
    found = shutil.which("chromium")
    if found is None:
        assert not os.environ.get("CI"), "CI must install chromium (Debian package chromium)"
        pytest.skip("chromium is not installed (Debian package chromium)")
    return found


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def draw(page: Path, screenshot: Path) -> dict[str, Any]:
    """Open `page` in headless Chromium: what it drew, its console messages, and a
    screenshot of the whole page kept at `screenshot`."""
    (page.parent / "probe.html").write_text(PROBE % page.name)
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(page.parent))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    browser = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
    browser += ["--enable-logging=stderr", "--v=0", "--virtual-time-budget=30000"]
    try:
        probe = subprocess.run(
            [*browser, "--window-size=1400,1000", "--dump-dom", f"{base}/probe.html"],
            check=True,
            capture_output=True,
            text=True,
            timeout=300,
        )
        shown = subprocess.run(
            [
                *browser,
                "--window-size=1280,4000",
                f"--screenshot={screenshot}",
                f"{base}/{page.name}",
            ],
            check=True,
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        server.shutdown()
    found = re.search(r'<pre id="drawn">(.*?)</pre>', probe.stdout, re.S)
    assert found and found.group(1), probe.stdout[-2000:]
    drawn: dict[str, Any] = json.loads(found.group(1).replace("&amp;", "&").replace("&quot;", '"'))
    drawn["console"] = [
        line for line in (probe.stderr + shown.stderr).splitlines() if ":CONSOLE:" in line
    ]
    print(f"screenshot: {screenshot}")
    return drawn


def assert_self_contained(html: str) -> None:
    """Nothing the page would fetch: no script, stylesheet link, frame, image source,
    CSS url() or import but to its own elements; links only to its own sections or
    inline data."""
    for pattern in (r"<script", r"<link\b", r"<iframe", r"<img\b", r"url\((?!#)", r"@import"):
        assert not re.search(pattern, html, re.I), pattern
    for target in re.findall(r'(?:href|src|xlink:href)="([^"]*)"', html):
        assert target.startswith(("#", "data:")), target[:80]


@pytest.fixture(scope="module")
def swapped(set_up: RunnerProject, tmp_path_factory: pytest.TempPathFactory) -> RunnerProject:
    """A copy of the set-up project after a second setup: another census and one
    termination multiplier raised."""
    root = tmp_path_factory.mktemp("swapped")
    rp = set_up.clone(root / "project", root / "reports")
    census = root / "census.parquet"
    made = rp.run("census", "--employees", "3000", "--seed", "7", "--output", str(census))
    assert made.exit_code == 0, made.output
    seed = rp.project.seed("config_termination_hazard_age_multipliers")
    lines = seed.read_text().splitlines()
    header, first = lines[0].split(","), lines[1].split(",")
    first[header.index("multiplier")] = "1.9"
    seed.write_text("\n".join([lines[0], ",".join(first), *lines[2:]]) + "\n")
    result = rp.run("setup", "--census", str(census), env=PAGE_ON)
    assert result.exit_code == 0, result.output
    return rp


def test_every_setup_writes_a_self_contained_page_whose_charts_all_draw(
    set_up: RunnerProject, tmp_path: Path
) -> None:
    """The sample's page: every section drawn, no empty chart, nothing fetched, no
    console message; its path is in the summary and the report's list of files."""
    page = set_up.first_reports / PAGE
    html = page.read_text()
    assert page.stat().st_mode & 0o077 == 0  # it shows failing rows: private, as the others
    assert_self_contained(html)
    for section in ("The run", "Census intake", "Baseline workforce", "Hazard grids"):
        assert f"<h2>{section}</h2>" in html
    assert "What changed" not in html  # a first setup: nothing to compare with
    shutil.copy2(page, tmp_path / PAGE)
    drawn = draw(tmp_path / PAGE, tmp_path / "sample-setup-report.png")
    titles = [chart["title"] for chart in drawn["charts"]]
    assert titles == [
        "What became of the census rows",
        "Baseline headcount by level",
        "Pay by level against each level's band",
        "Baseline headcount by age band and tenure band",
        "Eligibility and enrollment",
    ]
    for chart in drawn["charts"]:
        assert chart["width"] > 200 and chart["height"] > 100 and chart["marks"] > 20, chart
    assert [(g["panels"], g["cells"]) for g in drawn["grids"]] == [(5, 150)] * 3
    assert drawn["fetched"] == [] and drawn["console"] == []
    assert (tmp_path / "sample-setup-report.png").stat().st_size > 50_000
    # the numbers are the database's: staged employees split by what became of them
    staged = set_up.project.scalar("select count(*) from stg_census_data")
    baseline = set_up.project.scalar("select count(*) from int_baseline_workforce")
    assert f"{staged:,} census rows read; <b>{baseline:,}</b> employees" in html


def test_a_census_swap_and_a_seed_edit_are_drawn_against_the_live_database(
    swapped: RunnerProject, tmp_path: Path
) -> None:
    html = (swapped.reports / PAGE).read_text()
    assert_self_contained(html)
    assert "<h2>What changed against the live database</h2>" in html
    employees = swapped.report()["changes"]["census"]["employees"]
    assert f"<b>{employees['removed']:,}</b> removed" in html  # the swapped census, counted
    # the edited cell, its seed and both values, in the changed-cells table
    cells = html[html.index("<h3>Changed seed cells</h3>") :]
    cell = re.search(r"<td>config_termination_hazard_age_multipliers</td>.*?</tr>", cells, re.S)
    assert cell and "<td>1.9</td>" in cell.group(0), cells[:3000]
    shutil.copy2(swapped.reports / PAGE, tmp_path / PAGE)
    drawn = draw(tmp_path / PAGE, tmp_path / "census-swap-setup-report.png")
    titles = [chart["title"] for chart in drawn["charts"]]
    assert "Baseline headcount by level, before and after" in titles
    assert "Baseline total pay by level, before and after" in titles
    differences = [g for g in drawn["grids"] if "minus the live database" in g["title"]]
    assert [g["title"].split(":")[0] for g in differences] == ["Termination rate"]
    assert differences[0]["panels"] == 5 and drawn["fetched"] == [] and drawn["console"] == []


def test_a_failed_setup_page_shows_the_failing_rule_and_its_rows(
    set_up: RunnerProject, tmp_path: Path
) -> None:
    rp = set_up.clone(tmp_path / "project", tmp_path / "reports")
    seed = rp.project.seed("scenario_meta")
    lines = seed.read_text().splitlines()
    seed.write_text("\n".join([*lines, lines[-1]]) + "\n")  # a duplicated key
    result = rp.run("setup", env=PAGE_ON)
    assert result.exit_code == 1, result.output
    html = (rp.reports / PAGE).read_text()
    assert_self_contained(html)
    assert '<span class="status failed">FAILED</span>' in html
    assert "not published</b>: the live database is unchanged" in html
    failing = html[html.index("<h3>Failing rules</h3>") :]
    assert "<b>scenario_meta_primary_key</b>" in failing and "<td>cost_control</td>" in failing
    drawn = draw(rp.reports / PAGE, tmp_path / "failed-setup-report.png")
    assert drawn["fetched"] == [] and drawn["console"] == []
    assert all(chart["marks"] > 20 for chart in drawn["charts"])


@pytest.fixture
def live_copy(set_up: RunnerProject, tmp_path: Path) -> Iterator[RunnerProject]:
    yield set_up.clone(tmp_path / "project", tmp_path / "reports")


def test_report_draws_the_live_database_without_dbt_and_through_dbt(
    live_copy: RunnerProject, tmp_path: Path
) -> None:
    """`planwise-run report` and `history`: from the stored queries (no dbt), and,
    for a database with none stored, through dbt (`dbt compile --inline` of the
    project's macro, read from run_results.json); the same figures and rows either way."""
    fast = live_copy.run(
        "report", "--db", str(live_copy.db), "--output", str(tmp_path / "fast.html")
    )
    assert fast.exit_code == 0, fast.output
    assert f"report: {tmp_path / 'fast.html'}" in fast.output
    stored = ledger.queries(live_copy.db)
    assert stored and set(stored["figures"]) == SECTIONS
    listed = live_copy.run("history", "--db", str(live_copy.db), "--json")
    (state_dir(live_copy.db) / ledger.QUERY_FILE).unlink()  # as a database of an older release
    through_dbt = live_copy.run("history", "--db", str(live_copy.db), "--json")
    assert through_dbt.exit_code == 0, through_dbt.output
    assert json.loads(through_dbt.output) == json.loads(listed.output) != []
    slow = live_copy.run(
        "report", "--db", str(live_copy.db), "--output", str(tmp_path / "slow.html")
    )
    assert slow.exit_code == 0, slow.output
    pages = [(tmp_path / name).read_text() for name in ("fast.html", "slow.html")]
    sections = [page[page.index('<section id="intake">') :] for page in pages]
    assert sections[0] == sections[1]
    assert "Drawn from the live database without a build" in pages[0]
    assert '<span class="status success">live database</span>' in pages[0]
    assert_self_contained(pages[0])
    missing = live_copy.run("report", "--db", str(tmp_path / "none.duckdb"))
    assert missing.exit_code == 2 and "no database at" in missing.output
    # dbt cannot run the figures' macro (the project no longer parses): said, exit 2
    macro = live_copy.project.path("macros/report/planwise_report_figures.sql")
    macro.write_text(macro.read_text() + "\n{% macro broken( %}\n")
    failed = live_copy.run("report", "--db", str(live_copy.db))
    assert failed.exit_code == 2, failed.output
    assert "cannot read the live database" in failed.output and "Traceback" not in failed.output


def test_a_page_that_cannot_be_drawn_says_why_and_the_run_keeps_its_outcome() -> None:
    report = {"command": "setup", "status": "success", "figures": {"levels": [{"level_id": None}]}}
    page = _page(report)
    assert "The visual report could not be drawn" in page
    assert "setup-report.json" in page


def test_a_setup_stopped_before_dbt_gets_a_page_with_its_reason(tmp_path: Path) -> None:
    """A missing census stops a setup in pre-flight: its page still says what
    happened, and draws nothing it does not have."""
    from runner.report import Context, build_report
    from runner.visual import render_page

    message = "census file not found: /data/hr.parquet"
    context = Context(command="setup", messages=[message], status="error", exit_code=2)
    html = render_page(build_report(None, None, context))
    assert '<span class="status error">could not run</span>' in html
    assert f"<pre>{message}</pre>" in html
    assert "<svg" not in html and "The census was not staged in this run" in html
    assert_self_contained(html)
