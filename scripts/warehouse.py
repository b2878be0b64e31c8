"""Rows from the database a profile's target points at: DuckDB or ClickHouse.

The scripts that read the built project (show_mart.py, report.py) connect
here, with the same profile and target as `dbt build`: the profiles.yml in
$DBT_PROFILES_DIR (else the working folder, else ~/.dbt), its `env_var`s
rendered as dbt renders them. A ClickHouse target is read over HTTP with
clickhouse-connect, or with clickhouse-driver when it says `driver: native`.

    import warehouse
    table = warehouse.fetch("select * from activation_funnel_monthly", target="clickhouse")
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import duckdb
import jinja2
import pyarrow as pa
import yaml

PROFILE = "activation"


def profiles_path() -> Path:
    for folder in (os.environ.get("DBT_PROFILES_DIR"), ".", str(Path.home() / ".dbt")):
        if folder and (Path(folder) / "profiles.yml").is_file():
            return Path(folder) / "profiles.yml"
    raise FileNotFoundError("no profiles.yml in $DBT_PROFILES_DIR, the working folder or ~/.dbt")


def _render(value: Any, environment: jinja2.Environment) -> Any:
    """A profile value with its Jinja rendered, typed as dbt types it (a whole-value
    expression keeps its native type: `{{ ... | int }}` is a number)."""
    if isinstance(value, dict):
        return {key: _render(item, environment) for key, item in value.items()}
    if not isinstance(value, str) or "{{" not in value:
        return value
    text = environment.from_string(value).render()
    parsed = yaml.safe_load(text) if value.strip().startswith("{{") and value.strip().endswith("}}") else text
    return text if parsed is None else parsed


def _env_var(name: str, default: str | None = None) -> str:
    if name in os.environ:
        return os.environ[name]
    if default is None:
        raise KeyError(f"env_var('{name}') is not set and has no default in profiles.yml")
    return default


def target_config(target: str | None = None) -> dict[str, Any]:
    """The rendered output `target` of the project's profile (its default target if None)."""
    profile = yaml.safe_load(profiles_path().read_text())[PROFILE]
    name = target or os.environ.get("DBT_TARGET") or profile["target"]
    if name not in profile["outputs"]:
        raise KeyError(f"profile {PROFILE} has no target {name!r} (it has {', '.join(profile['outputs'])})")
    environment = jinja2.Environment()
    environment.globals["env_var"] = _env_var
    config: dict[str, Any] = _render(profile["outputs"][name], environment)
    return config


def fetch(sql: str, target: str | None = None, database: str | None = None) -> pa.Table:
    """The result of `sql` on `target`'s database (the models' schema on ClickHouse;
    on DuckDB the target's file, or `database` when given)."""
    config = target_config(target)
    if config["type"] == "duckdb":
        with duckdb.connect(database or config["path"], read_only=True) as connection:
            return connection.sql(sql).arrow().read_all()
    if config["type"] != "clickhouse":
        raise ValueError(f"target {target} is a {config['type']} target: only duckdb and clickhouse are read")
    return _clickhouse_fetch(sql, config)


def _clickhouse_fetch(sql: str, config: dict[str, Any]) -> pa.Table:
    secure = bool(config.get("secure", False))
    native = config.get("driver") == "native"
    common = {"host": config.get("host", "localhost"), "user": config.get("user", "default"),
              "password": config.get("password", ""), "database": config.get("schema", "default"),
              "secure": secure, "verify": bool(config.get("verify", True))}
    if native:
        from clickhouse_driver import Client  # type: ignore[import-untyped]

        port = int(config.get("port") or (9440 if secure else 9000))
        client = Client(port=port, settings={"session_timezone": "UTC"}, **common)
        try:
            rows, columns = client.execute(sql, with_column_types=True)
        finally:
            client.disconnect()
        names = [name for name, _ in columns]
        return pa.Table.from_pylist([dict(zip(names, row)) for row in rows]) if rows else pa.table(
            {name: pa.array([], pa.null()) for name in names})
    import clickhouse_connect

    port = int(config.get("port") or (8443 if secure else 8123))
    username = common.pop("user")
    http = clickhouse_connect.get_client(port=port, username=username, settings={"session_timezone": "UTC"},
                                         **common)
    try:
        return http.query_arrow(sql)
    finally:
        http.close()
