#!/usr/bin/env bash
# The first README command: install, generate sample events, build everything
# on DuckDB, print the monthly mart. EVENTS=N sets the sample size.
set -euo pipefail
source "$(dirname "$0")/_venv.sh" requirements.txt
events="${EVENTS:-200000}"
if [ ! -f "data/sample/.events-$events" ]; then
    python scripts/generate_events.py --events "$events" --out data/sample/events
    rm -f data/sample/.events-*
    touch "data/sample/.events-$events"
fi
start=$(date +%s.%N)
dbt build --full-refresh
echo "dbt build took $(python -c "print(round($(date +%s.%N) - $start, 1))") s"
python scripts/show_mart.py
