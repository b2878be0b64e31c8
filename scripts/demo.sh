#!/usr/bin/env bash
# The first README command: install, generate sample events, build everything,
# print the monthly mart. On DuckDB by default; `bash scripts/demo.sh clickhouse`
# does the same on the embedded ClickHouse engine (chdb, no server).
# EVENTS=N sets the sample size.
set -euo pipefail
engine="${1:-duckdb}"
case "$engine" in
    duckdb) source "$(dirname "$0")/_venv.sh" requirements.txt ;;
    clickhouse) source "$(dirname "$0")/_venv.sh" requirements.txt requirements-chdb.txt ;;
    *) echo "usage: $0 [duckdb|clickhouse]" >&2; exit 2 ;;
esac
events="${EVENTS:-200000}"
if [ ! -f "data/sample/.events-$events" ]; then
    python scripts/generate_events.py --events "$events" --out data/sample/events
    rm -f data/sample/.events-*
    touch "data/sample/.events-$events"
fi
start=$(date +%s.%N)
if [ "$engine" = duckdb ]; then
    dbt build --full-refresh
else
    python scripts/clickhouse_embedded.py load-events --replace 'data/sample/events/*.parquet'
    python scripts/clickhouse_embedded.py build --full-refresh --target clickhouse_embedded
fi
echo "dbt build took $(python -c "print(round($(date +%s.%N) - $start, 1))") s"
python scripts/show_mart.py --engine "$engine"
