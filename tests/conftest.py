from __future__ import annotations

from pathlib import Path

import pytest

from harness import ENGINES, Warehouse


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    """Each test that asks for it runs once on DuckDB and once on ClickHouse."""
    return str(request.param)


@pytest.fixture
def warehouse(tmp_path: Path, engine: str) -> Warehouse:
    return Warehouse(tmp_path, engine=engine)


# One warehouse per engine and test module, for hypothesis tests: they reset() it per example.
@pytest.fixture(scope="module")
def duckdb_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    return Warehouse(tmp_path_factory.mktemp("hypothesis"), engine="duckdb")


@pytest.fixture(scope="module")
def clickhouse_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    return Warehouse(tmp_path_factory.mktemp("hypothesis"), engine="clickhouse")
