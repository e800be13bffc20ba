#!/usr/bin/env bash
# Starts the local CloudMesh devnet in the foreground on its default ports:
#   Solana JSON-RPC http://127.0.0.1:8899 (PubSub ws://127.0.0.1:8900), Kubo RPC :5001, gateway :8080,
#   Pinata stand-in :8787 (JWT "devnet-pinata-jwt"), control API :8999.
# Runs scripts/setup.sh first when the devnet's Python venv is missing or out of date.
# Extra arguments go to the devnet (e.g. --port-offset 100, --slot-ms 100, --verbose); Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."

stamp=.venv/.requirements-stamp
want=$(sha256sum devnet/requirements.txt | cut -d' ' -f1)
if [ ! -x .venv/bin/python ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    printf '==> the devnet venv is missing or stale: running scripts/setup.sh\n' >&2
    scripts/setup.sh
fi
exec .venv/bin/python -m devnet "$@"
