#!/usr/bin/env bash
# The second README command, and what CI runs: install, lint, run every test.
set -euo pipefail
source "$(dirname "$0")/_venv.sh" requirements-dev.txt
lint_database="$(mktemp -d)/lint.duckdb"
echo "== sqlfluff (models and the macros they render, singular tests)"
# sqlfluff only warns when dbt cannot compile a file and skips it: count that as a failure.
ACTIVATION_DUCKDB_PATH="$lint_database" sqlfluff lint models tests/singular 2>&1 | tee "$lint_database.log"
if grep -q "Skipped file" "$lint_database.log"; then
    echo "sqlfluff skipped a file (see above): fix its compilation" >&2
    exit 1
fi
echo "== pytest"
python -m pytest -q "$@"
