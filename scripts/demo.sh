#!/usr/bin/env bash
# The CloudMesh Worker demo: from a fresh clone to four settled jobs on a local devnet.
#   1. scripts/setup.sh with a release build (Debian packages, the devnet venv and uv, the worker)
#   2. the devnet on its default ports (free ones when those are taken), with its package index stand-in
#   3. two fresh keypairs in a temporary directory, funded from the devnet's faucet: a job owner and a worker
#   4. four sample jobs submitted with `cloudmesh-worker submit` (examples/: hello world, a computation,
#      one that raises an exception, one that uses a package installed from the devnet's index)
#   5. `cloudmesh-worker run --once` until they settle, then `cloudmesh-worker result` for each
# Everything it starts is stopped when it exits (Ctrl-C included); the temporary directory is removed.
# CLOUDMESH_WORKER_BINARY=<path> uses an existing build instead of building (the venv must exist);
# BUILD_CONFIGURATION=debug builds and uses a debug build instead of the release one.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

log() { printf '\n==> %s\n' "$*" >&2; }
die() { printf '\ndemo failed: %s\n' "$*" >&2; exit 1; }

if [ -n "${CLOUDMESH_WORKER_BINARY:-}" ] && [ -x .venv/bin/python ]; then
    bin=$CLOUDMESH_WORKER_BINARY
    log "using $bin (CLOUDMESH_WORKER_BINARY); skipping set-up"
else
    config=${BUILD_CONFIGURATION:-release}
    log "set-up: packages, the devnet venv, a $config build"
    BUILD_CONFIGURATION=$config scripts/setup.sh
    bin=$repo/.build/$config/cloudmesh-worker
fi
[ -x "$bin" ] || die "no worker binary at $bin"

work=$(mktemp -d "${TMPDIR:-/tmp}/cloudmesh-demo.XXXXXX")
# Run as root, the worker runs each job as an unprivileged user, and bubblewrap (already that user) opens the
# job's dependencies under STATE_DIR=$work/state/environments to bind them: that user must be able to traverse
# $work. Traversable, not listable; the keypairs in it are mode 0600.
chmod 0711 "$work"
devnet_pid=
cleanup() {
    local status=$?
    if [ -n "$devnet_pid" ] && kill -0 "$devnet_pid" 2>/dev/null; then
        kill "$devnet_pid" 2>/dev/null || true
        wait "$devnet_pid" 2>/dev/null || true
        printf '==> stopped the devnet\n' >&2
    fi
    rm -rf "$work"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

jwt=demo-jwt-$RANDOM$RANDOM
# Starts the devnet in the background with extra arguments; returns 0 once it printed its ready line,
# 2 when a port is taken, 1 for anything else.
start_devnet() {
    (cd "$repo" && exec .venv/bin/python -m devnet --state-dir "$work/devnet" --pinata-jwt "$jwt" "$@") \
        >"$work/devnet.log" 2>&1 &
    devnet_pid=$!
    for _ in $(seq 1 600); do
        grep -q '^devnet ready ' "$work/devnet.log" && return 0
        if ! kill -0 "$devnet_pid" 2>/dev/null; then
            local code=0
            wait "$devnet_pid" 2>/dev/null || code=$?
            devnet_pid=
            [ "$code" -eq 2 ] && return 2
            return 1
        fi
        sleep 0.1
    done
    return 1
}

log "starting the devnet (Solana RPC :8899, IPFS gateway :8080, Pinata stand-in :8787, package index :3141)"
if start_devnet; then
    :
else
    code=$?
    [ "$code" -eq 2 ] || { tail -20 "$work/devnet.log" >&2; die "the devnet did not start"; }
    grep 'cannot listen' "$work/devnet.log" >&2 || true
    log "the default ports are taken: starting the devnet on free ports instead"
    start_devnet --rpc-port 0 --ws-port 0 --ipfs-api-port 0 --gateway-port 0 --pinata-port 0 --control-port 0 \
        --index-port 0 \
        || { tail -20 "$work/devnet.log" >&2; die "the devnet did not start on free ports either"; }
fi
ready=$(grep -m1 '^devnet ready ' "$work/devnet.log" | cut -d' ' -f3-)
field() { .venv/bin/python -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$ready" "$1"; }

export SOLANA_RPC_URL SOLANA_WS_URL PINATA_JWT PINATA_API_URL IPFS_GATEWAY_URL STATE_DIR POLL_INTERVAL
export PYTHON_INDEX_URL
SOLANA_RPC_URL=$(field rpc_url)
SOLANA_WS_URL=$(field ws_url)
PINATA_API_URL=$(field pinata_url)
IPFS_GATEWAY_URL=$(field gateway_url)
PINATA_JWT=$jwt
STATE_DIR=$work/state
POLL_INTERVAL=1
PYTHON_INDEX_URL=$(field index_url) # jobs' PEP 723 dependencies come from the devnet's index, not PyPI
if [ -z "${UV_PATH:-}" ] && [ -x "$repo/.venv/bin/uv" ]; then
    export UV_PATH=$repo/.venv/bin/uv # the uv set-up installed (the worker runs from $work, not the checkout)
fi
unset IPFS_API_URL WORKER_KEYPAIR_PATH PROGRAM_ID WORKER_SHARD PYTHON_PACKAGE_ALLOWLIST
echo "devnet ready: RPC $SOLANA_RPC_URL, gateway $IPFS_GATEWAY_URL, Pinata $PINATA_API_URL, index $PYTHON_INDEX_URL" >&2

if [ -z "${SANDBOX:-}" ] && ! bwrap --ro-bind / / --unshare-user --unshare-pid --unshare-net --dev /dev --proc /proc \
    true >/dev/null 2>&1; then
    log "WARNING: bubblewrap cannot create a sandbox on this machine (user namespaces disabled?);"
    echo "    the demo's own sample jobs run UNSANDBOXED (SANDBOX=none). Never do this with jobs you did not write." >&2
    export SANDBOX=none
fi

cd "$work" # no .env of the repository is read; the keypairs live here
owner=$work/owner-keypair.json
worker=$work/worker-keypair.json
as_owner() { WORKER_KEYPAIR_PATH=$owner "$bin" "$@"; }
as_worker() { WORKER_KEYPAIR_PATH=$worker "$bin" "$@"; }

log "creating and funding two keypairs: a job owner and the worker"
echo "owner:  $(as_owner keygen 2>/dev/null)" >&2
as_owner airdrop 2 >&2
echo "worker: $(as_worker keygen 2>/dev/null)" >&2
as_worker airdrop 1 >&2

log "submitting four jobs as the owner"
declare -a jobs titles
for spec in "hello.py hello-world" "primes.py primes" "fails.py fails-with-an-exception" "greeter.py with-a-dependency"; do
    read -r file title <<<"$spec"
    job=$(as_owner submit "$repo/examples/$file" --title "$title")
    echo "  $title: $job" >&2
    jobs+=("$job")
    titles+=("$title")
done
as_owner jobs --status pending >&2

log "running the worker until the jobs settle (cloudmesh-worker run --once)"
help_text=$("$bin" --help)
grep -qE '^ +run( |$)' <<<"$help_text" || die "this build of cloudmesh-worker has no \`run\` command yet"
as_worker run --once || die "the worker stopped with status $?"

log "the results, fetched from IPFS and verified against the CIDs on chain"
failed=0
for i in "${!jobs[@]}"; do
    printf '\n----- %s (%s) -----\n' "${titles[$i]}" "${jobs[$i]}"
    as_owner result "${jobs[$i]}" || failed=1
done
echo
as_owner jobs >&2
[ "$failed" -eq 0 ] || die "some jobs have no result"
log "demo complete: four jobs settled. Stopping the devnet."
