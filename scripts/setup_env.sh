#!/usr/bin/env bash
# Create (or reuse) .venv in the repository root and install the project with all extras.
# torch==2.13.0 goes in first: it resolves to the machine's local CPU wheel, so the project's
# torch range (pyproject.toml: torch>=2.5) is already satisfied and pip never pulls a multi-GB CUDA build.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    "$PY" -m venv .venv
fi
VPY="$ROOT/.venv/bin/python"
pipq() { "$VPY" -m pip "$@" 2> >(grep -v "is neither a file nor a directory" >&2); }
STAMP=.venv/.siamrpn-installed
HASH="$(cat pyproject.toml scripts/setup_env.sh | sha256sum | cut -c1-16)"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$HASH" ]; then
    exit 0
fi
pipq install -q --progress-bar off --upgrade pip setuptools wheel
pipq install -q --progress-bar off "torch==2.13.0"
pipq install -q --progress-bar off -e ".[all]"
# vot-toolkit depends on opencv-python, which shares the cv2/ folder with opencv-contrib-python.
# Re-lay the contrib build (same version) on top so cv2 keeps CSRT/KCF; both report one version.
if ! "$VPY" -c "import cv2,sys; sys.exit(0 if hasattr(cv2,'TrackerCSRT') or hasattr(cv2,'TrackerCSRT_create') else 1)" 2>/dev/null; then
    CVV="$("$VPY" -c 'import importlib.metadata as m; print(m.version("opencv-python"))' 2>/dev/null || true)"
    if [ -n "$CVV" ]; then
        pipq install -q --progress-bar off --no-deps --force-reinstall "opencv-contrib-python==$CVV"
    fi
fi
echo "$HASH" > "$STAMP"
