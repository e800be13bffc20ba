#!/usr/bin/env python3
"""Produce the hash-function golden vectors for the Swift IPFS tests (Tests/IPFSTests/Golden/hashes.json).

The content is the same as make_vectors.py's: byte i is (i*31 + 7) mod 251.

* sha2-512: raw-block CIDs and the DAG `ipfs add --cid-version=1 --hash=sha2-512` builds (262144-byte chunks,
  balanced layout, at most 174 links, raw leaves, CIDv1 links). Digests come from hashlib; multihashes and
  CIDs are encoded by the PyPI `multiformats` package (pinned in requirements.txt), whose own sha2-512
  digest must agree with hashlib's; dag-pb nodes use the hand-written protobuf encoder below (the same
  encoding make_vectors.py checks against Debian's ipfs_cid for sha2-256).
* identity and unsupported CIDs (blake2b-256, sha3-256, dag-json), written by `multiformats`, so the Swift
  tests parse CIDs they did not produce themselves.
* multicodec names: the name `multiformats`' copy of the multicodec table gives every code in the Swift
  excerpt (Sources/IPFS/MulticodecNames.swift), blake2b and blake2s ranges included.

Usage: $GOLDEN_VENV/bin/python scripts/golden-ipfs/make_hash_vectors.py [output.json]
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from multiformats import CID, multicodec, multihash

from make_vectors import content, varint  # the same content pattern and varint as the sha2-256 vectors

CHUNK = 262144
MAX_LINKS = 174

# Every code the Swift excerpt lists one by one (MulticodecNames.table); the blake2 ranges are added below.
TABLE_CODES = [
    0x00, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x1B, 0x1C, 0x1D, 0x1E, 0x20, 0x22,
    0x23, 0x56, 0xD5, 0x1012, 0x1013, 0x1014, 0x1015, 0x1022, 0x1053, 0x1100, 0xB401, 0xB502,
    0x51, 0x55, 0x70, 0x71, 0x72, 0x78, 0x7B, 0x7C, 0x85, 0x86, 0x90, 0xB0, 0xC0, 0x0129, 0x0200, 0x0201,
    0x0202, 0x0300, 0x0301, 0x0400, 0x0401, 0xF101, 0xF102,
]
BLAKE2_CODES = list(range(0xB201, 0xB261))


def pb_bytes(field: int, value: bytes) -> bytes:
    return varint(field << 3 | 2) + varint(len(value)) + value


def pb_varint(field: int, value: int) -> bytes:
    return varint(field << 3) + varint(value)


def unixfs_file(filesize: int, blocksizes: list[int], data: bytes = b"") -> bytes:
    """UnixFS Data of a File node: Type 1, Data 2 (omitted when empty), filesize 3, blocksizes 4."""
    inline = pb_bytes(2, data) if data else b""
    return pb_varint(1, 2) + inline + pb_varint(3, filesize) + b"".join(pb_varint(4, s) for s in blocksizes)


def pb_node(links: list[tuple[bytes, int]], data: bytes) -> bytes:
    """dag-pb: links (field 2: Hash 1, Name 2, Tsize 3) before Data (field 1)."""
    out = b"".join(pb_bytes(2, pb_bytes(1, h) + pb_bytes(2, b"") + pb_varint(3, t)) for h, t in links)
    return out + pb_bytes(1, data)


def hashed_cid(codec: str, block: bytes, hash_name: str = "sha2-512") -> CID:
    digest = {"sha2-512": hashlib.sha512, "sha2-256": hashlib.sha256}[hash_name](block).digest()
    wrapped = multihash.wrap(digest, hash_name)
    if bytes(wrapped) != bytes(multihash.digest(block, hash_name)):
        sys.exit(f"multiformats' {hash_name} disagrees with hashlib")
    return CID("base32", 1, codec, wrapped)


def sha512_cid(codec: str, block: bytes) -> CID:
    return hashed_cid(codec, block)


def file_cid(data: bytes, chunk_size: int, hash_name: str = "sha2-512") -> tuple[str, int]:
    """Kubo's balanced importer with raw leaves and CIDv1, `--hash=<hash_name>`: (root CID, distinct blocks)."""
    chunks = [data[i : i + chunk_size] for i in range(0, len(data), chunk_size)] or [b""]
    distinct: set[bytes] = set()
    level = []  # (cid, file size, cumulative size)
    for chunk in chunks:
        cid = hashed_cid("raw", chunk, hash_name)
        distinct.add(bytes(cid))
        level.append((cid, len(chunk), len(chunk)))
    while len(level) > 1:
        parents = []
        for i in range(0, len(level), MAX_LINKS):
            group = level[i : i + MAX_LINKS]
            size = sum(n[1] for n in group)
            block = pb_node([(bytes(n[0]), n[2]) for n in group], unixfs_file(size, [n[1] for n in group]))
            cid = hashed_cid("dag-pb", block, hash_name)
            distinct.add(bytes(cid))
            parents.append((cid, size, len(block) + sum(n[2] for n in group)))
        level = parents
    return str(level[0][0]), len(distinct)


def main() -> None:
    repo = Path(__file__).resolve().parents[2]
    out_path = Path(sys.argv[1]) if len(sys.argv) > 1 else repo / "Tests/IPFSTests/Golden/hashes.json"

    # The importer, run with sha2-256, must give make_vectors.py's v1_raw_leaves CIDs (checked there against
    # an independent importer): only the hash function differs for sha2-512.
    golden = json.loads((repo / "Tests/IPFSTests/Golden/cids.json").read_text())
    for vector in golden["vectors"]:
        if vector["size"] <= 1048576:
            computed, _ = file_cid(content(vector["size"]), CHUNK, "sha2-256")
            if computed != vector["v1_raw_leaves"]:
                sys.exit(f"size {vector['size']}: the importer gives {computed}, cids.json {vector['v1_raw_leaves']}")

    raw = []
    for size in [0, 1, 1024, 262144]:
        data = content(size)
        raw.append({"size": size, "sha512": hashlib.sha512(data).hexdigest(), "cid": str(sha512_cid("raw", data))})

    files = []
    for size, chunk_size in [(262145, CHUNK), (600000, CHUNK), (1048576, CHUNK), (5000, 1024)]:
        cid, blocks = file_cid(content(size), chunk_size)
        files.append({"size": size, "chunk_size": chunk_size, "cid": cid, "distinct_blocks": blocks})
    # Four identical 1024-byte chunks and a short tail: one root linking to the same leaf four times.
    repeated = content(1024) * 4 + content(100)
    cid, blocks = file_cid(repeated, 1024)
    repeated_vector = {"content": "content(1024) * 4 + content(100)", "chunk_size": 1024, "cid": cid,
                       "distinct_blocks": blocks}

    identity_bytes = b"print('hi from an identity CID')\n"
    identity = {
        "content_hex": identity_bytes.hex(),
        "raw": str(CID("base32", 1, "raw", multihash.digest(identity_bytes, "identity"))),
        # A one-node UnixFS file whose dag-pb block is inline.
        "dag_pb": str(
            CID("base32", 1, "dag-pb", multihash.digest(
                pb_node([], unixfs_file(len(identity_bytes), [], identity_bytes)), "identity"))
        ),
    }

    data = content(1024)
    unsupported = [
        {"cid": str(CID("base32", 1, "raw", multihash.wrap(hashlib.blake2b(data, digest_size=32).digest(),
                                                           "blake2b-256"))),
         "kind": "hash_function", "code": 0xB220, "name": "blake2b-256"},
        {"cid": str(CID("base32", 1, "dag-pb", multihash.wrap(hashlib.sha3_256(data).digest(), "sha3-256"))),
         "kind": "hash_function", "code": 0x16, "name": "sha3-256"},
        {"cid": str(CID("base32", 1, "dag-json", multihash.digest(data, "sha2-256"))),
         "kind": "codec", "code": 0x0129, "name": "dag-json"},
        {"cid": str(CID("base32", 1, "dag-jose", multihash.digest(data, "sha2-256"))),
         "kind": "codec", "code": 0x85, "name": "dag-jose"},
    ]

    names = [{"code": code, "name": multicodec.get(code=code).name} for code in TABLE_CODES + BLAKE2_CODES]

    doc = {
        "content": "byte i is (i * 31 + 7) mod 251",
        "source": "hashlib digests; multihashes, CIDs and multicodec names from the PyPI multiformats package "
        "(scripts/golden-ipfs/requirements.txt); dag-pb nodes from make_hash_vectors.py's encoder",
        "sha2_512_raw": raw,
        "sha2_512_files": files,
        "sha2_512_repeated_chunks": repeated_vector,
        "identity": identity,
        "unsupported": unsupported,
        "multicodec_names": names,
    }
    out_path.write_text(json.dumps(doc, indent=2) + "\n")
    for vector in raw + files:
        print(f"{vector['size']:>8}  {vector['cid']}", file=sys.stderr)


if __name__ == "__main__":
    main()
