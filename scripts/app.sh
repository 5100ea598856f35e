#!/usr/bin/env bash
# Sets up and starts the desktop app on the embedded SQLite database (demo data offered when empty).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh app
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
  if command -v xvfb-run >/dev/null 2>&1; then
    echo "No display: starting the app on a virtual screen (xvfb-run)." >&2
    exec xvfb-run -a .venv/bin/handover gui "$@"
  fi
  echo "No display found: run this on a desktop, or install xvfb to start it on a virtual screen." >&2
  exit 2
fi
exec .venv/bin/handover gui "$@"
