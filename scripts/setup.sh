#!/usr/bin/env bash
# Sets up a fresh machine for the handover tool: system libraries (when run as root with apt), then a
# virtual environment in .venv with the project installed. Safe to run again: it skips what is there.
# Usage: scripts/setup.sh [app|test]
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-app}"

# Qt's xcb/offscreen plugins need these; poppler-utils and postgresql are for the tests and PDF tools.
APP_PKGS="libgl1 libegl1 libfontconfig1 libxkbcommon0 libxkbcommon-x11-0 libdbus-1-3 libxcb-cursor0 \
libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-shape0 libxcb-randr0 \
libxcb-xinerama0 libxcb-xkb1 libglib2.0-0 fonts-dejavu-core poppler-utils"
TEST_PKGS="postgresql xvfb"
pkgs="$APP_PKGS"
[ "$what" = test ] && pkgs="$APP_PKGS $TEST_PKGS"

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  missing=""
  for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
  done
  if [ -n "$missing" ]; then
    echo "Installing system packages:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
  fi
elif [ "$(id -u)" != 0 ]; then
  echo "(not root: make sure these system packages are installed: $pkgs)"
fi

PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=".venv/.installed-$what"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  if [ "$what" = test ]; then
    .venv/bin/python -m pip install -q -e '.[test,postgres]'
  else
    .venv/bin/python -m pip install -q -e '.[postgres]'
  fi
  touch "$stamp"
fi
