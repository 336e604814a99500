#!/usr/bin/env bash
# Set up .venv (if needed) and run the main job end to end on the bundled default:
# tracker on real and generated frames -> VOT-style results -> metrics -> plots and report.
# Extra arguments go to `siamrpn main` (e.g. --dataset PATH to add VOT/OTB folders).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/scripts/setup_env.sh"
cd "$ROOT"
export MPLBACKEND=Agg
exec .venv/bin/siamrpn main "$@"
