# Sourced by the README's commands: makes .venv (once) and installs the pinned
# requirements files given as arguments into it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
requirement_args=()
for file in "$@"; do requirement_args+=(-r "$file"); done
.venv/bin/python -m pip install --quiet --disable-pip-version-check "${requirement_args[@]}"
[ -f profiles.yml ] || cp profiles.example.yml profiles.yml
export DBT_PROFILES_DIR="$PWD"
export PATH="$PWD/.venv/bin:$PATH"
