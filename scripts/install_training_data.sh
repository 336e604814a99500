#!/usr/bin/env bash
# Install the Debian packages the photographic training data comes from: the table PHOTO_SOURCES in
# tracker/training/photos.py (packages, licences), plus openclipart-png for the older configs' clip-art cut-outs.
# Needs root (apt-get). Nothing is copied into the repository; the trainer reads the files where Debian puts them.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/scripts/setup_env.sh"
PKGS="$(cd "$ROOT" && .venv/bin/python -c 'from tracker.training.photos import PHOTO_SOURCES; print(" ".join(s.package for s in PHOTO_SOURCES))')"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $PKGS openclipart-png
cd "$ROOT" && .venv/bin/siamrpn train-data
