"""Prints the monthly conversion mart of the DuckDB database as a table."""

from __future__ import annotations

import argparse
import os

import duckdb

QUERY = """
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
from activation_funnel_monthly
order by product, intent_month
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--database",
        default=os.environ.get("ACTIVATION_DUCKDB_PATH", "target/activation.duckdb"),
        help="DuckDB file the project was built into",
    )
    args = parser.parse_args()
    with duckdb.connect(args.database, read_only=True) as connection:
        connection.sql(QUERY).show(max_rows=1000, max_width=200)


if __name__ == "__main__":
    main()
