#!/usr/bin/env bash
# Set up .venv (if needed), check lint and the import rules, and run the test suite. Extra arguments go to pytest.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/scripts/setup_env.sh"
cd "$ROOT"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-2}" MPLBACKEND=Agg
# lint and import rules first (pyproject.toml [tool.ruff], [tool.importlinter]; docs/ARCHITECTURE.md)
.venv/bin/ruff check --quiet .
.venv/bin/lint-imports --no-cache --no-logo
exec .venv/bin/python -m pytest -q "$@"
