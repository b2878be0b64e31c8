#!/usr/bin/env bash
# Installs Debian's chromium for the browser test (tests/test_docs_browser.py), once.
# Debian's package, never a browser downloaded by Playwright: it is the one the
# machine's package manager keeps patched, and CI needs nothing but apt.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "scripts/_chromium.sh: /usr/bin/chromium is missing; as root: apt-get install chromium" >&2
    exit 1
fi
echo "== installing Debian's chromium for the browser tests"
export DEBIAN_FRONTEND=noninteractive
# The package lists may be missing or stale (fresh containers): update only then.
apt-get install -y -q chromium >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; }
/usr/bin/chromium --version
