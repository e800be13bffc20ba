#!/usr/bin/env bash
# Runs every test of CloudMesh Worker: what CI runs.
#   1. set-up (Debian packages, the devnet venv, the debug build)
#   2. the golden vectors are regenerated from their oracle scripts and must equal the committed ones
#   3. the devnet's own tests (pytest, with the real `solana` Python client as the wire oracle)
#   4. the Swift tests; those that need a chain start their own devnet on free ports
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n==> %s\n' "$*" >&2; }

BUILD_CONFIGURATION=debug scripts/setup.sh

if [ -x scripts/check-golden.sh ]; then
    log "golden vectors: regenerating from the oracles and comparing"
    scripts/check-golden.sh
fi

log "devnet tests (pytest)"
.venv/bin/python -m pytest devnet/tests -q -p no:cacheprovider

log "Swift tests"
swift build --build-tests
export CLOUDMESH_DEVNET_PYTHON="$PWD/.venv/bin/python"
export CLOUDMESH_WORKER_BINARY="$PWD/.build/debug/cloudmesh-worker"
swift test --skip-build
