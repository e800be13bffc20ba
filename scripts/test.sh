#!/usr/bin/env bash
# Runs every test of CloudMesh Worker: what CI runs.
#   1. set-up (Debian packages, the devnet venv, the debug build)
#   2. the golden vectors are regenerated from their oracle scripts and must equal the committed ones
#   3. the devnet's own tests (pytest, with the real `solana` Python client as the wire oracle) and the
#      benchmark harness's checks
#   4. the Swift tests, in three runs so that the sandbox's fork and memory bombs do not starve the
#      timing of the others: unit and integration tests; the sandbox's tests; end to end (the real
#      worker binary and CLI against devnets, each started on free ports: the targets WorkerEndToEndTests
#      and CLITests, which skip themselves unless CLOUDMESH_END_TO_END=1)
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n==> %s\n' "$*" >&2; }

BUILD_CONFIGURATION=debug scripts/setup.sh

if [ -x scripts/check-golden.sh ]; then
    log "golden vectors: regenerating from the oracles and comparing"
    scripts/check-golden.sh
fi

log "devnet and benchmark-harness tests (pytest)"
.venv/bin/python -m pytest devnet/tests bench/tests -q -p no:cacheprovider

log "Swift tests: building"
swift build --build-tests
export CLOUDMESH_DEVNET_PYTHON="$PWD/.venv/bin/python"
export CLOUDMESH_WORKER_BINARY="$PWD/.build/debug/cloudmesh-worker"
log "Swift tests: units and integration"
swift test --skip-build --skip 'SandboxTests|WorkerEndToEndTests|CLITests'
log "Swift tests: the sandbox (adversarial jobs)"
swift test --skip-build --filter SandboxTests
log "Swift tests: end to end (worker binary and CLI against devnets)"
CLOUDMESH_END_TO_END=1 swift test --skip-build --filter 'WorkerEndToEndTests|CLITests'
