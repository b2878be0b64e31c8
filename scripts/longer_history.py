"""Makes a benchmark set with a longer history from one that scripts/benchmark.py generated.

The history of `--years` years: the source set's year of events and `--years - 1` earlier
years made from it, each copy shifted back k years with its own organizations, people and
uuids (blank and missing ones kept as they are, so the rejections are the same). The last
days, the held-back day and the look-back are the source set's own: what grows is the
history only, as on a warehouse that has collected events for years. Then
`scripts/benchmark.py --sizes <events> --work <work>` times it as it would a generated set.

    python scripts/longer_history.py --source data/benchmark/10000000 --years 10 \\
        --out data/benchmark/100000000
    python scripts/benchmark.py --engine duckdb --sizes 100000000
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import duckdb


def shifted_copy(source: str, years_back: int) -> str:
    """The source's events `years_back` years earlier, with ids of their own."""
    if years_back == 0:
        return f"select * from {source}"
    tag = f"-y{years_back}"
    return f"""
        select
            case when uuid is null or trim(uuid) = '' then uuid
                else '{years_back:02d}' || substr(uuid, 3) end as uuid,
            event,
            timestamp - interval {years_back} year as timestamp,
            distinct_id || '{tag}' as distinct_id,
            properties,
            case when "$group_0" is null or trim("$group_0") = '' then "$group_0"
                else "$group_0" || '{tag}' end as "$group_0"
        from {source}"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", type=Path, required=True, help="a size's folder written by benchmark.py")
    parser.add_argument("--years", type=int, required=True, help="years of history, the source's included")
    parser.add_argument("--out", type=Path, required=True, help="the new size's folder")
    args = parser.parse_args()
    history = args.out / "history"
    history.mkdir(parents=True, exist_ok=True)
    source = f"read_parquet('{args.source / 'history' / 'events.parquet'}')"
    copies = " union all ".join(shifted_copy(source, k) for k in range(args.years))
    connection = duckdb.connect()
    connection.execute("set preserve_insertion_order = false")
    # the sort by time spills to disk beside the output rather than filling the memory
    # (without a limit it ran out at 18.8 GiB on a 24 GiB machine)
    connection.execute("set memory_limit = '4GB'")
    connection.execute(f"set temp_directory = '{args.out / 'spill'}'")
    connection.execute(f"copy ({copies} order by timestamp) to '{history / 'events.parquet'}'"
                       " (format parquet, compression zstd)")
    day = args.out / "day.parquet"
    day.unlink(missing_ok=True)
    os.link(args.source / "day.parquet", day)
    [(events,)] = connection.execute(f"select count(*) from read_parquet('{history / 'events.parquet'}')").fetchall()
    print(f"{events:,} events of history in {history}")


if __name__ == "__main__":
    main()
