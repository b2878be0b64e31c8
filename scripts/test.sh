#!/usr/bin/env bash
# The second README command, and what CI runs: install, lint, run every test.
set -euo pipefail
source "$(dirname "$0")/_venv.sh" requirements-dev.txt
# The browser tests use Debian's Chromium (never a downloaded one).
bash "$(dirname "$0")/_chromium.sh"
export ACTIVATION_REQUIRE_BROWSER=1
lint_database="$(mktemp -d)/lint.duckdb"
echo "== sqlfluff (models and the macros they render, singular tests)"
# sqlfluff only warns when dbt cannot compile a file and skips it: count that as a failure.
ACTIVATION_DUCKDB_PATH="$lint_database" sqlfluff lint models tests/singular 2>&1 | tee "$lint_database.log"
if grep -q "Skipped file" "$lint_database.log"; then
    echo "sqlfluff skipped a file (see above): fix its compilation" >&2
    exit 1
fi
echo "== mypy (scripts and tests, mypy.ini)"
mypy
echo "== pytest (two processes; tests sharing a built warehouse stay in one)"
# ClickHouse servers: none needs to run beforehand. Each test process starts its own
# on first use (tests/harness.py, scripts/clickhouse_server.py) and stops it when it
# exits; a server also dies with its process, so none outlives the run.
# the slowest tests listed at the end: where CI time goes
python -m pytest -q -n "${PYTEST_WORKERS:-2}" --dist loadgroup --durations=15 "$@"
