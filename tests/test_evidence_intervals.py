"""The interval macros against an independent computation (scipy), on both engines.

wilson_interval and relative_survival (contract 6a) are rendered into a model
over a grid of counts, including n = 0, k = 0, k = n and the 2x2 tables with a
zero cell (null, as the contract says), then compared with scipy's Wilson
interval and Katz relative-risk interval. scipy takes a confidence level, not
z: the level whose z is the contract's 1.959964 is passed, so that the two
agree to rounding. DuckDB and ClickHouse must agree to 1e-9.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path
from typing import Any

import pytest
from scipy.stats import binomtest, norm  # type: ignore[import-untyped]
from scipy.stats.contingency import relative_risk  # type: ignore[import-untyped]

from harness import ENGINES, PROJECT_DIR, Warehouse
from test_products import IGNORED

pytestmark = pytest.mark.xdist_group("evidence_intervals")

Z = 1.959964
LEVEL = 2 * norm.cdf(Z) - 1  # scipy's intervals at exactly the contract's z
PROPORTIONS = [(k, n) for n in [0, 1, 2, 3, 5, 7, 30, 1000] for k in range(n + 1) if n < 10 or k in (0, 1, n // 3, n - 1, n)]
TABLES = [(a, n1, c, n2) for a, n1 in [(0, 5), (1, 1), (1, 4), (2, 3), (3, 3), (10, 20), (8, 10)]
          for c, n2 in [(0, 6), (1, 4), (2, 10), (4, 4), (12, 30)]] + [(0, 0, 1, 2), (1, 2, 0, 0)]


def grid_model() -> str:
    """A model that renders the macros over PROPORTIONS and TABLES."""
    rows = [f"select 'p' as kind, {k} as k, {n} as n, 0 as a, 0 as n1, 0 as c, 0 as n2" for k, n in PROPORTIONS]
    rows += [f"select 't', 0, 0, {a}, {n1}, {c}, {n2}" for a, n1, c, n2 in TABLES]
    union = "\n    union all\n    ".join(rows)
    return f"""{{{{ config(materialized='table', order_by='(kind, k, n, a, n1, c, n2)') }}}}
with grid as (
    {union}
)
select
    kind, k, n, a, n1, c, n2,
    {{{{ activation.wilson_interval('k', 'n', 'low') }}}} as wilson_low,
    {{{{ activation.wilson_interval('k', 'n', 'high') }}}} as wilson_high,
    {{{{ activation.relative_survival('a', 'n1', 'c', 'n2') }}}} as rr,
    {{{{ activation.relative_survival('a', 'n1', 'c', 'n2', part='low') }}}} as rr_low,
    {{{{ activation.relative_survival('a', 'n1', 'c', 'n2', part='high') }}}} as rr_high
from grid
"""


@pytest.fixture(scope="module")
def grids(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, Any]]]:
    root = tmp_path_factory.mktemp("intervals")
    project = root / "project"
    shutil.copytree(PROJECT_DIR, project, ignore=IGNORED)
    (project / "models" / "evidence_grid.sql").write_text(grid_model())
    found = {}
    for engine in ENGINES:
        warehouse = Warehouse(root / engine, project_dir=project, engine=engine)
        warehouse.dbt("run", "--quiet", "-s", "evidence_grid")
        found[engine] = warehouse.rows("evidence_grid", "kind, k, n, a, n1, c, n2")
    return found


def wilson(k: int, n: int) -> tuple[float, float] | tuple[None, None]:
    if n == 0:
        return None, None  # contract: null when n = 0
    interval = binomtest(k, n).proportion_ci(confidence_level=LEVEL, method="wilson")
    return float(interval.low), float(interval.high)


def katz(a: int, n1: int, c: int, n2: int) -> tuple[float | None, float | None, float | None]:
    if 0 in (a, n1 - a, c, n2 - c):
        return None, None, None  # contract: null when a cell is 0
    result = relative_risk(a, n1, c, n2)
    interval = result.confidence_interval(confidence_level=LEVEL)
    return float(result.relative_risk), float(interval.low), float(interval.high)


def close(found: float | None, expected: float | None) -> bool:
    if expected is None or found is None:
        return found is None and expected is None
    return math.isclose(found, expected, rel_tol=1e-9, abs_tol=1e-12)


@pytest.mark.parametrize("engine", ENGINES)
def test_wilson_interval_matches_scipy(grids: dict[str, list[dict[str, Any]]], engine: str) -> None:
    rows = [row for row in grids[engine] if row["kind"] == "p"]
    assert len(rows) == len(PROPORTIONS)
    wrong = [(row["k"], row["n"], row["wilson_low"], row["wilson_high"], wilson(row["k"], row["n"]))
             for row in rows
             if not all(close(found, expected) for found, expected in
                        zip((row["wilson_low"], row["wilson_high"]), wilson(row["k"], row["n"])))]
    assert not wrong
    # exactly 0 and 1 at the ends, so that a rate is always inside its own interval
    assert all(row["wilson_low"] == 0.0 for row in rows if row["k"] == 0 and row["n"])
    assert all(row["wilson_high"] == 1.0 for row in rows if row["k"] == row["n"] and row["n"])


@pytest.mark.parametrize("engine", ENGINES)
def test_relative_survival_and_katz_interval_match_scipy(grids: dict[str, list[dict[str, Any]]], engine: str) -> None:
    rows = [row for row in grids[engine] if row["kind"] == "t"]
    assert len(rows) == len(TABLES)
    wrong = []
    for row in rows:
        expected = katz(row["a"], row["n1"], row["c"], row["n2"])
        found = (row["rr"], row["rr_low"], row["rr_high"])
        if not all(close(f, e) for f, e in zip(found, expected)):
            wrong.append((row["a"], row["n1"], row["c"], row["n2"], found, expected))
    assert not wrong
    assert any(row["rr"] is None for row in rows) and any(row["rr"] is not None for row in rows)


def test_the_engines_agree_to_1e_9(grids: dict[str, list[dict[str, Any]]]) -> None:
    duckdb_rows, clickhouse_rows = grids["duckdb"], grids["clickhouse"]
    assert len(duckdb_rows) == len(clickhouse_rows)
    for left, right in zip(duckdb_rows, clickhouse_rows):
        for column in ("wilson_low", "wilson_high", "rr", "rr_low", "rr_high"):
            assert close(left[column], right[column]), (column, left, right)
    # in fact bit for bit (the same IEEE operations in the same order): the
    # cross-adapter test compares the marts' rows exactly
    exact = sum(left[c] != right[c] for left, right in zip(duckdb_rows, clickhouse_rows) for c in ("wilson_low", "wilson_high", "rr", "rr_low", "rr_high"))
    assert exact == 0
