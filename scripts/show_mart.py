"""Prints the monthly conversion mart as a table, from DuckDB or a ClickHouse server (the profile's target)."""

from __future__ import annotations

import argparse
import os

import duckdb
import pyarrow as pa

# Formatting runs in DuckDB over the fetched rows, so both engines print alike.
# Immature months' survival figures (survived, base %, retained, ret %, lift)
# are blank: their survival windows are still open, so a 0 there is not a drop.
FORMAT = """
select
    product,
    strftime(intent_month, '%Y-%m') as month,
    cast(intent_orgs as varchar) as intent,
    cast(activated_orgs as varchar) as activated,
    coalesce(printf('%.1f', 100 * activation_rate), '-') as "activ %",
    case when is_mature then cast(survived_orgs as varchar) else '' end as survived,
    case when is_mature then coalesce(printf('%.1f', 100 * baseline_survival_rate), '-') else '' end as "base %",
    case when is_mature then cast(retained_orgs as varchar) else '' end as retained,
    case when is_mature then coalesce(printf('%.1f', 100 * retention_rate), '-') else '' end as "ret %",
    case when is_mature then coalesce(printf('%.2f', retention_lift), '-') else '' end as lift,
    case when is_mature then 'yes' else 'no' end as mature
from mart
order by product, intent_month
"""
MART = "select * from activation_funnel_monthly"
CLOCK = "select as_of from int_activation_clock"
LEGEND = ("blank: immature month (mature = no), its survival windows still open at as_of, so survival,\n"
          "retention and lift are not final; -: undefined (nobody activated, or nobody survived)")


def fetch(engine: str, sql: str, database: str) -> pa.Table:
    """Runs `sql` on the built project: the DuckDB file `database`, or the models'
    database on the server of the profile's ClickHouse target ($ACTIVATION_CLICKHOUSE_TARGET,
    default `clickhouse`)."""
    if engine == "duckdb":
        with duckdb.connect(database) as connection:
            return connection.sql(sql).arrow().read_all()
    import warehouse  # scripts/ is on the path when run as a script

    return warehouse.fetch(sql, target=os.environ.get("ACTIVATION_CLICKHOUSE_TARGET", "clickhouse"))


def table(columns: list[str], rows: list[tuple[str, ...]]) -> str:
    """Text columns: the first two left-aligned, the figures right-aligned."""
    widths = [max(len(text) for text in [name, *(row[i] for row in rows)]) for i, name in enumerate(columns)]

    def line(cells: tuple[str, ...] | list[str]) -> str:
        return "  ".join(cell.ljust(width) if i < 2 else cell.rjust(width)
                         for i, (cell, width) in enumerate(zip(cells, widths))).rstrip()

    return "\n".join([line(columns), "  ".join("-" * width for width in widths), *(line(row) for row in rows)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engine", choices=["duckdb", "clickhouse"], default="duckdb")
    parser.add_argument(
        "--database",
        default=os.environ.get("ACTIVATION_DUCKDB_PATH", "target/activation.duckdb"),
        help="DuckDB file the project was built into",
    )
    args = parser.parse_args()
    as_of = fetch(args.engine, CLOCK, args.database).column("as_of").to_pylist()
    mart = fetch(args.engine, MART, args.database)
    formatted = duckdb.sql(FORMAT)
    assert formatted is not None  # a select always gives a relation
    print(table(formatted.columns, formatted.fetchall()))
    judged_at = as_of[0].strftime("%Y-%m-%d %H:%M:%S") + " UTC" if as_of and as_of[0] else "none (no usable event)"
    print(f"\nmaturity judged at as_of = {judged_at}, from int_activation_clock\n{LEGEND}")
    del mart  # read by name in FORMAT


if __name__ == "__main__":
    main()
