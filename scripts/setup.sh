#!/usr/bin/env bash
# Installs what CloudMesh Worker needs on a fresh Debian machine and builds it.
#   - Debian packages: bubblewrap, libseccomp-dev (the job sandbox, its seccomp filter), ipfs-cid (a CID
#     oracle for the tests)
#   - a Python venv in .venv with the local devnet's pinned requirements and the worker's own
#     (requirements-worker.txt: uv, which installs jobs' PEP 723 dependencies, as .venv/bin/uv)
#   - the Swift package (debug by default; BUILD_CONFIGURATION=release for the demo and operators)
# Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '==> %s\n' "$*" >&2; }

missing=()
command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
pkg-config --exists libseccomp 2>/dev/null || missing+=(libseccomp-dev pkg-config)  # the sandbox's seccomp filter
command -v ipfs_cid >/dev/null 2>&1 || missing+=(ipfs-cid)
[ -x /usr/bin/python3 ] || missing+=(python3)  # the sandbox binds the system Python, not a user's pyenv
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)
if ((${#missing[@]})); then
    log "installing Debian packages: ${missing[*]}"
    sudo_cmd=()
    [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
    log "creating the Python venv in .venv"
    python3 -m venv .venv
fi
stamp=.venv/.requirements-stamp
want=$(cat devnet/requirements.txt requirements-worker.txt | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ] || [ ! -x .venv/bin/uv ]; then
    log "installing the devnet's and the worker's Python requirements"
    .venv/bin/pip install -q --disable-pip-version-check -r devnet/requirements.txt -r requirements-worker.txt
    echo "$want" > "$stamp"
fi

config=${BUILD_CONFIGURATION:-debug}
log "building the worker ($config)"
swift build -c "$config" --product cloudmesh-worker
