"""Prints the monthly conversion mart as a table, from DuckDB or the embedded ClickHouse engine."""

from __future__ import annotations

import argparse
import os

import duckdb
import pyarrow as pa

# Formatting runs in DuckDB over the fetched rows, so both engines print alike.
FORMAT = """
select
    product,
    strftime(intent_month, '%Y-%m') as month,
    intent_orgs as intent,
    activated_orgs as activated,
    round(100 * activation_rate, 1) as "activ %",
    survived_orgs as survived,
    round(100 * baseline_survival_rate, 1) as "base %",
    retained_orgs as retained,
    round(100 * retention_rate, 1) as "ret %",
    round(retention_lift, 2) as lift,
    case when is_mature then 'yes' else 'no' end as mature
from mart
order by product, intent_month
"""
MART = "select * from activation_funnel_monthly"


def fetch(engine: str, sql: str, database: str) -> pa.Table:
    """Runs `sql` on the built project: the DuckDB file `database`, or the
    embedded ClickHouse engine's models database."""
    if engine == "duckdb":
        with duckdb.connect(database) as connection:
            return connection.sql(sql).arrow().read_all()
    import clickhouse_embedded  # scripts/ is on the path when run as a script

    schema = os.environ.get("ACTIVATION_CLICKHOUSE_SCHEMA", "activation")
    with clickhouse_embedded.client(database=schema) as connection:
        return connection.query_arrow(sql)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engine", choices=["duckdb", "clickhouse"], default="duckdb")
    parser.add_argument(
        "--database",
        default=os.environ.get("ACTIVATION_DUCKDB_PATH", "target/activation.duckdb"),
        help="DuckDB file the project was built into",
    )
    args = parser.parse_args()
    mart = fetch(args.engine, MART, args.database)
    duckdb.sql(FORMAT).show(max_rows=1000, max_width=200)
    del mart  # read by name in FORMAT


if __name__ == "__main__":
    main()
