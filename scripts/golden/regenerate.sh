#!/usr/bin/env bash
# Regenerates every golden JSON file from scratch with the pinned solders, in a venv outside the repository.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="${GOLDEN_VENV:-${TMPDIR:-/tmp}/cloudmesh-golden-venv}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet -r "$here/requirements.txt"
cd "$here"
"$venv/bin/python" generate_solana.py
"$venv/bin/python" generate_cloudmesh.py
