#!/usr/bin/env bash
# A tour of every page and dialog as each demo role sees it, on a 1366x768 virtual screen: one PNG per
# stop (ROLE-PAGE.png) and report.txt in OUTDIR. Demo data on a fresh SQLite database in a temporary
# folder (never your data folder). Exits non-zero on any Python exception in the app.
# Usage: scripts/tour.sh OUTDIR [SCALE]     SCALE 1.5 = 150 % display scaling (pictures ROLE-PAGE-150.png)
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: scripts/tour.sh OUTDIR [SCALE]" >&2; exit 2; }
out="$1"; scale="${2:-1}"
[ -x .venv/bin/python ] || scripts/setup.sh app
command -v xvfb-run >/dev/null 2>&1 || { echo "xvfb-run is needed: apt-get install xvfb" >&2; exit 2; }
mkdir -p "$out"
export QT_SCALE_FACTOR="$scale"
unset QT_QPA_PLATFORM
exec xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python scripts/tour.py "$out"
