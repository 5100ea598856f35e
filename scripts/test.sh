#!/usr/bin/env bash
# Sets up and runs the whole test suite (unit, CLI, storage on SQLite and a real PostgreSQL, PDF, Qt
# offscreen). Extra arguments go to pytest, e.g. scripts/test.sh -m "not slow".
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
export QT_QPA_PLATFORM=offscreen
exec .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
