#!/usr/bin/env bash
# The second README command, and what CI runs: install, lint, run every test.
set -euo pipefail
source "$(dirname "$0")/_venv.sh" requirements-dev.txt
lint_database="$(mktemp -d)/lint.duckdb"
echo "== sqlfluff (models and the macros they render, singular tests)"
ACTIVATION_DUCKDB_PATH="$lint_database" sqlfluff lint models tests/singular
echo "== pytest"
python -m pytest -q "$@"
