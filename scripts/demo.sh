#!/usr/bin/env bash
# The first README command: install, generate sample events, build everything,
# print the monthly mart. On DuckDB by default; `bash scripts/demo.sh clickhouse`
# does the same on a local ClickHouse server (scripts/clickhouse_server.py,
# stopped at the end unless KEEP_SERVER=1) with plain `dbt build --target clickhouse`.
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
if [ "$engine" = clickhouse ]; then
    # the demo's password unless one is set (the server listens on 127.0.0.1 only);
    # the profile's clickhouse target reads the same variable
    export CLICKHOUSE_PASSWORD="${CLICKHOUSE_PASSWORD:-activation-demo}"
    python scripts/clickhouse_server.py status >/dev/null || python scripts/clickhouse_server.py start
    [ "${KEEP_SERVER:-0}" = 1 ] || trap 'python scripts/clickhouse_server.py stop' EXIT
    python scripts/clickhouse_server.py load-events --replace 'data/sample/events/*.parquet'
fi
start=$(date +%s.%N)
if [ "$engine" = duckdb ]; then
    dbt build --full-refresh
else
    dbt build --full-refresh --target clickhouse
fi
echo "dbt build took $(python -c "print(round($(date +%s.%N) - $start, 1))") s"
python scripts/show_mart.py --engine "$engine"
