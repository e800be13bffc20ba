#!/usr/bin/env bash
# Regenerates every committed golden vector from its oracle (solders for Solana and CloudMesh, Debian's
# ipfs_cid and an independent Python UnixFS builder for IPFS CIDs, PyPI multiformats for sha2-512 CIDs and
# multicodec names, packaging for PEP 440 versions and specifiers, the PEP's reference regex for PEP 723
# blocks) and fails if any differs from the committed files: the vectors the Swift tests compare
# against are exactly what the oracles produce.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOLDEN_VENV="${GOLDEN_VENV:-$PWD/.venv-golden}"
scripts/golden/regenerate.sh >/dev/null
DEVNET_ROOT="$PWD" python3 scripts/golden-ipfs/make_vectors.py >/dev/null
"$GOLDEN_VENV/bin/pip" install --quiet -r scripts/golden-ipfs/requirements.txt
"$GOLDEN_VENV/bin/python" scripts/golden-ipfs/make_hash_vectors.py 2>/dev/null
"$GOLDEN_VENV/bin/pip" install --quiet -r scripts/golden-deps/requirements.txt
"$GOLDEN_VENV/bin/python" scripts/golden-deps/make_pep440_vectors.py >/dev/null
"$GOLDEN_VENV/bin/python" scripts/golden-deps/make_pep723_vectors.py >/dev/null
if ! git diff --exit-code --stat -- Tests/*/Golden; then
    echo "golden vectors differ from what their generators produce (see the diff above)" >&2
    exit 1
fi
echo "golden vectors: identical to the oracles' output"
