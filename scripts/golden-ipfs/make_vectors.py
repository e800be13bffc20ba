#!/usr/bin/env python3
"""Produce the CID golden vectors for the Swift IPFS tests (Tests/IPFSTests/Golden/cids.json).

For each size, the content is deterministic: byte i is (i*31 + 7) mod 251.

* CIDv0 (Kubo defaults: 262144-byte chunks, balanced DAG, at most 174 links, dag-pb UnixFS leaves) comes
  from Debian's `ipfs_cid` (package ipfs-cid) and from the independent implementation below; the script
  stops if the two disagree.
* `ipfs_cid`'s "CIDv1" is the same v0 DAG with the root re-encoded as a base32 CIDv1. It is recorded as
  `v1_v0dag`, but it is NOT what Kubo's `ipfs add --cid-version=1` gives for files over one chunk
  (Kubo then uses raw leaves and CIDv1 links). `v1_raw_leaves` follows Kubo's rule and comes from the
  implementation below (hashlib and a hand-written protobuf encoder only).
* If the devnet's Python importer exists (default ../devnet relative to the repository, or $DEVNET_ROOT),
  every vector is cross-checked against it as a second independent implementation.

Usage: python3 scripts/golden-ipfs/make_vectors.py [output.json]
Needs only the Python 3 standard library and the `ipfs_cid` binary.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

CHUNK = 262144
MAX_LINKS = 174
DAG_PB, RAW = 0x70, 0x55
SIZES = [0, 1, 1024, 262144, 262145, 1048576, 5242880]
# Small chunks make a two-level balanced DAG (more than 174 leaves) without a 45 MiB file.
SMALL_CHUNK, SMALL_SIZES = 1024, [174 * 1024, 174 * 1024 + 1, 181 * 1024 + 5]
B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def content(size: int) -> bytes:
    return bytes((i * 31 + 7) % 251 for i in range(size))


def varint(n: int) -> bytes:
    out = bytearray()
    while n >= 0x80:
        out.append(n & 0x7F | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def b58(data: bytes) -> str:
    n = int.from_bytes(data, "big")
    s = ""
    while n:
        n, r = divmod(n, 58)
        s = B58[r] + s
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + s


def multihash(block: bytes) -> bytes:
    return b"\x12\x20" + hashlib.sha256(block).digest()


def cid_bytes(version: int, codec: int, block: bytes) -> bytes:
    mh = multihash(block)
    return mh if version == 0 else varint(1) + varint(codec) + mh


def cid_text(raw: bytes) -> str:
    if raw[:2] == b"\x12\x20":
        return b58(raw)
    return "b" + base64.b32encode(raw).decode().lower().rstrip("=")


def pb_bytes(field: int, value: bytes) -> bytes:
    return varint(field << 3 | 2) + varint(len(value)) + value


def pb_varint(field: int, value: int) -> bytes:
    return varint(field << 3) + varint(value)


def unixfs_file(data: bytes, filesize: int, blocksizes: list[int]) -> bytes:
    out = pb_varint(1, 2)  # Type = File
    if data:
        out += pb_bytes(2, data)
    out += pb_varint(3, filesize)
    return out + b"".join(pb_varint(4, s) for s in blocksizes)


def pb_node(links: list[tuple[bytes, int]], data: bytes) -> bytes:
    """dag-pb: links (field 2: Hash 1, Name 2, Tsize 3) before Data (field 1)."""
    out = b"".join(pb_bytes(2, pb_bytes(1, h) + pb_bytes(2, b"") + pb_varint(3, t)) for h, t in links)
    return out + pb_bytes(1, data)


def import_file(data: bytes, version: int, chunk_size: int = CHUNK) -> str:
    """Kubo's importer: version 0 = dag-pb leaves, version 1 = raw leaves and CIDv1 links."""
    chunks = [data[i : i + chunk_size] for i in range(0, len(data), chunk_size)] or [b""]
    # Each node: (cid bytes, file size, cumulative size)
    level = []
    for chunk in chunks:
        if version == 1:
            level.append((cid_bytes(1, RAW, chunk), len(chunk), len(chunk)))
        else:
            block = pb_node([], unixfs_file(chunk, len(chunk), []))
            level.append((cid_bytes(0, DAG_PB, block), len(chunk), len(block)))
    while len(level) > 1:
        parents = []
        for i in range(0, len(level), MAX_LINKS):
            group = level[i : i + MAX_LINKS]
            size = sum(n[1] for n in group)
            block = pb_node([(n[0], n[2]) for n in group], unixfs_file(b"", size, [n[1] for n in group]))
            parents.append((cid_bytes(version, DAG_PB, block), size, len(block) + sum(n[2] for n in group)))
        level = parents
    return cid_text(level[0][0])


def ipfs_cid(data: bytes) -> dict[str, str]:
    with tempfile.NamedTemporaryFile() as f:
        f.write(data)
        f.flush()
        out = subprocess.run(["ipfs_cid", f.name], check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[0])


def devnet_importer():
    repo = Path(__file__).resolve().parents[2]
    root = Path(os.environ.get("DEVNET_ROOT", repo.parent / "devnet"))
    if not (root / "devnet" / "ipfs" / "unixfs.py").exists():
        return None
    sys.path.insert(0, str(root))
    from devnet.ipfs.unixfs import build_file  # type: ignore[import-not-found]

    return lambda data, version, chunk=CHUNK: str(build_file(data, cid_version=version, chunk_size=chunk)[0])


def main() -> None:
    out_path = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "Tests/IPFSTests/Golden/cids.json"
    devnet = devnet_importer()
    vectors = []
    for size in SIZES:
        data = content(size)
        tool = ipfs_cid(data)
        v0, v1 = import_file(data, 0), import_file(data, 1)
        if tool["CIDv0"] != v0:
            sys.exit(f"size {size}: ipfs_cid says {tool['CIDv0']}, this script says {v0}")
        if devnet is not None and (devnet(data, 0), devnet(data, 1)) != (v0, v1):
            sys.exit(f"size {size}: the devnet importer disagrees: {devnet(data, 0)} {devnet(data, 1)}")
        vectors.append(
            {
                "size": size,
                "sha256": hashlib.sha256(data).hexdigest(),
                "v0": v0,
                "v1_raw_leaves": v1,
                "v1_v0dag": tool["CIDv1"],
            }
        )
        print(f"{size:>8}  {v0}  {v1}", file=sys.stderr)
    deep = []
    for size in SMALL_SIZES:
        data = content(size)
        v0, v1 = import_file(data, 0, SMALL_CHUNK), import_file(data, 1, SMALL_CHUNK)
        if devnet is not None and (devnet(data, 0, SMALL_CHUNK), devnet(data, 1, SMALL_CHUNK)) != (v0, v1):
            sys.exit(f"size {size} with {SMALL_CHUNK}-byte chunks: the devnet importer disagrees")
        deep.append({"size": size, "chunk_size": SMALL_CHUNK, "v0": v0, "v1_raw_leaves": v1})
        print(f"{size:>8}  {v0}  {v1}  (chunks of {SMALL_CHUNK})", file=sys.stderr)
    doc = {
        "content": "byte i is (i * 31 + 7) mod 251",
        "v0_source": "ipfs_cid (Debian ipfs-cid) and make_vectors.py's importer, which agree",
        "v1_raw_leaves_source": "make_vectors.py's importer (Kubo --cid-version=1 rule: raw leaves, CIDv1 links)"
        + (", cross-checked against the devnet importer" if devnet is not None else ""),
        "v1_v0dag_source": "ipfs_cid's CIDv1: the v0 DAG's root as a base32 CIDv1 (not Kubo's v1 for > 1 chunk)",
        "vectors": vectors,
        "small_chunk_source": "make_vectors.py's importer with 1024-byte chunks (ipfs_cid has no chunker option)"
        + (", cross-checked against the devnet importer" if devnet is not None else ""),
        "small_chunk_vectors": deep,
    }
    out_path.write_text(json.dumps(doc, indent=2) + "\n")


if __name__ == "__main__":
    main()
