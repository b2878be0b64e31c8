#!/usr/bin/env bash
# The second README command, and what CI runs: install, lint, run every test.
set -euo pipefail
source "$(dirname "$0")/_venv.sh" requirements-dev.txt
python -m pytest -q "$@"
