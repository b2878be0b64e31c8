"""dbt docs and the HTML report, opened in headless Chromium (Debian's package).

The test command installs Chromium and sets ACTIVATION_REQUIRE_BROWSER; there,
and wherever CI is set, a missing browser fails the test; elsewhere it is
skipped with a reason. Screenshots go to target/screenshots/ of the project.

The build is the end-to-end hand-built set at as_of 2025-06-15: January is a
mature month, February is not (Mar 1 + 4 months > as_of). The candidates of
session replay over January (6 organizations with intent, 3 survive: baseline
0.5), by hand: current_in_14_days activates a1 and a2, both retained, lift
(2/2) / 0.5 = 2.0; one_recording, three_recordings and one_filter activate
a1-a4, 3 retained, lift 1.5; current activates a1-a3, lift (2/3) / 0.5 = 1.33;
ten_recordings nobody. Recommending by lift among candidates with at least one
activated organization picks current_in_14_days.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harness import PRODUCT_MODELS, PROJECT_DIR, Warehouse, load_script
from test_end_to_end import hand_built_events

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = PROJECT_DIR / "target" / "screenshots"
MART_PAGE = "index.html#!/model/model.activation.activation_funnel_monthly"
pytestmark = pytest.mark.xdist_group("browser")


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Warehouse]]:
    """A built project with its docs and report, served on a free localhost port."""
    warehouse = Warehouse(tmp_path_factory.mktemp("browser"), extra_vars={
        "as_of": "2025-06-15 00:00:00", "candidate_min_activated_orgs": 1, "candidate_recommend_by": "retention_lift",
        "build_retention_curves": True, "build_signals": True})
    warehouse.load(hand_built_events())
    warehouse.build()
    warehouse.dbt("docs", "generate", "--quiet")
    target = warehouse.work_dir / "target"
    # in this process: dbt-duckdb keeps the database file open here, which locks out other processes
    sys.path.insert(0, str(PROJECT_DIR / "scripts"))
    load_script("report").write_report("duckdb", str(warehouse.database), target / "report.html")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=target))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", warehouse
    server.shutdown()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        reason = f"{CHROMIUM} is not installed (scripts/_chromium.sh installs Debian's chromium)"
        if os.environ.get("CI") or os.environ.get("ACTIVATION_REQUIRE_BROWSER"):
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=CHROMIUM, args=FLAGS, headless=True,
            viewport={"width": 1280, "height": 800})
        yield context
        context.close()


def screenshot(page: Any, name: str, full_page: bool = False) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=full_page)


def test_every_macro_of_the_project_is_documented(site: tuple[str, Warehouse]) -> None:
    """Every macro of package activation, as dbt docs lists them (adapter implementations too)."""
    _, warehouse = site
    macros = json.loads((warehouse.work_dir / "target" / "manifest.json").read_text())["macros"].values()
    undocumented = {macro["name"] for macro in macros
                    if macro["package_name"] == "activation" and not macro["description"].strip()}
    assert undocumented == set()


def test_the_mart_page_and_its_lineage_render(site: tuple[str, Warehouse], browser: Any) -> None:
    url, _ = site
    page = browser.new_page()
    page.goto(f"{url}/{MART_PAGE}")
    page.get_by_text("Intent -> activation -> retention conversions").first.wait_for(timeout=30_000)
    for column in ("intent_orgs", "retention_lift", "is_mature"):
        assert page.get_by_text(column, exact=True).count() >= 1, column
    screenshot(page, "docs_mart.png")
    # The lineage button (bottom right) opens the graph, drawn by cytoscape on canvases.
    page.locator("svg.icn use[href='#icn-flow'], svg.icn use[*|href='#icn-flow']").last.click()
    page.get_by_text("Lineage Graph").first.wait_for(timeout=30_000)
    page.wait_for_timeout(1_500)  # the layout animates in
    drawn = page.evaluate("""() => [...document.querySelectorAll('#cy canvas')].some(canvas => {
        if (!canvas.width || !canvas.height) return false;
        const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) return true;
        return false;
    })""")
    screenshot(page, "docs_mart_lineage.png")
    assert drawn, "the lineage graph drew nothing"
    # cytoscape keeps its instance on its container: the edges the graph draws
    edges = page.evaluate("""() => document.querySelector('#cy')._cyreg.cy.edges()
        .map(edge => [edge.source().id(), edge.target().id()])""")
    mart = "model.activation.activation_funnel_monthly"
    assert {(f"model.activation.{model}", mart) for model in PRODUCT_MODELS} <= {tuple(edge) for edge in edges}, \
        f"no edge from each product model to the mart in the lineage graph: {sorted(map(tuple, edges))}"
    page.close()


def test_the_report_renders_offline_with_a_chart_per_product(site: tuple[str, Warehouse], browser: Any) -> None:
    url, warehouse = site
    products = [row[0] for row in warehouse.query("select distinct product from activation_funnel_monthly")]
    requests: list[str] = []
    page = browser.new_page()
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{url}/report.html")
    page.get_by_text("Product activation").first.wait_for(timeout=30_000)
    for product in products:
        section = page.locator(f"section#{product}")
        assert section.locator("svg").count() >= 1, product
        assert section.locator("svg").first.bounding_box()["height"] > 100, product
    assert page.get_by_text("shaded: immature month").count() == len(products)
    assert products == ["session_replay"]
    replay = page.locator("section#session_replay")
    ids = "elements => elements.map(element => element.id)"
    assert replay.locator("[id^='immature-']").evaluate_all(ids) == ["immature-session_replay-2025-02"]
    assert replay.locator("[id^='recommended-']").evaluate_all(ids) == ["recommended-session_replay-current_in_14_days"]
    assert replay.get_by_text("current_in_14_days (recommended)").count() == 1
    assert replay.get_by_text("not plotted (no lift): ten_recordings").count() == 1
    screenshot(page, "report.png", full_page=True)
    assert [request for request in requests if not request.startswith(url)] == []
    page.close()


def test_report_needs_no_network_when_opened_from_disk(site: tuple[str, Warehouse], tmp_path: Path) -> None:
    """The file itself references nothing outside it: no script, stylesheet or image URL."""
    _, warehouse = site
    html = (warehouse.work_dir / "target" / "report.html").read_text()
    assert "<script src" not in html and "<link" not in html and "<img" not in html
    shutil.copy(warehouse.work_dir / "target" / "report.html", tmp_path / "copy.html")
    assert (tmp_path / "copy.html").stat().st_size > 10_000


def test_the_report_shows_the_evidence(site: tuple[str, Warehouse], browser: Any) -> None:
    """Issue 23's sections: as_of, the definition in words, rates with interval bands and immature
    months as open markers, retention curves, time to activate, the candidates with intervals and
    the recommendation's reason, and the discovery signals."""
    url, warehouse = site
    page = browser.new_page()
    page.goto(f"{url}/report.html")
    page.get_by_text("Product activation").first.wait_for(timeout=30_000)
    assert page.locator("#as-of").inner_text().startswith("Figures as of 2025-06-15")
    replay = page.locator("section#session_replay")
    assert replay.locator("p.definition").inner_text().startswith("Activated: 5 different recordings of recording analyzed")
    assert replay.get_by_text("rates with 95% intervals").count() == 1
    # the immature month (2025-02) is an open marker on each rate it has, never on the line
    ids = "elements => elements.map(element => element.id)"
    partial = replay.locator("[id^='partial-']").evaluate_all(ids)
    assert partial and all(name.endswith("-session_replay-2025-02") for name in partial), partial
    assert replay.locator("[id^='curve-activated-session_replay']").count() == 1
    assert replay.locator("[id^='curve-not_activated-session_replay']").count() == 1
    months = [row[0].strftime("%Y-%m") for row in warehouse.query(
        "select intent_month from activation_time_to_activate where product = 'session_replay' order by 1")]
    assert replay.locator("table.time-to-activate tbody tr").count() == len(months) > 0
    candidates = warehouse.query("select count(*) from activation_candidates where product = 'session_replay'")[0][0]
    assert replay.locator("table.candidates tbody tr").count() == candidates
    assert "[" in replay.locator("table.candidates tbody tr").first.inner_text()  # an interval is shown
    assert replay.locator("p.reason").inner_text().startswith("Recommended: current_in_14_days")
    signals = warehouse.query("select count(*) from activation_signals where product = 'session_replay'"
                              " and signal_rank <= 10")[0][0]
    assert replay.locator("table.signals tbody tr").count() == signals > 0
    screenshot(page, "report_evidence.png", full_page=True)
    print(f"screenshot: {SCREENSHOTS / 'report_evidence.png'}")
    page.close()
