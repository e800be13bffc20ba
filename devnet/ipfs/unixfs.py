"""UnixFS files as Kubo builds them: fixed-size chunks, dag-pb nodes, a balanced DAG of at most 174 links.

`build_file` returns the root CID and the blocks in DAG (depth-first, pre-order) order; `read_file`
walks a DAG back into bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator

from .cid import CID, DAG_PB, RAW, decode_varint, encode_varint

DEFAULT_CHUNK_SIZE = 262144
MAX_LINKS = 174
UNIXFS_RAW, UNIXFS_DIRECTORY, UNIXFS_FILE = 0, 1, 2


def _field_bytes(field: int, value: bytes) -> bytes:
    return encode_varint(field << 3 | 2) + encode_varint(len(value)) + value


def _field_varint(field: int, value: int) -> bytes:
    return encode_varint(field << 3) + encode_varint(value)


def unixfs_data(data: bytes, filesize: int, blocksizes: list[int]) -> bytes:
    """Serialize a UnixFS `Data` message of type File."""
    out = _field_varint(1, UNIXFS_FILE)
    if data:
        out += _field_bytes(2, data)
    out += _field_varint(3, filesize)
    for size in blocksizes:
        out += _field_varint(4, size)
    return out


@dataclass(frozen=True)
class Link:
    """A dag-pb link: target CID, name and cumulative size."""

    cid: CID
    name: str
    tsize: int


def encode_pbnode(links: list[Link], data: bytes) -> bytes:
    """Serialize a dag-pb node: links first, then data (the canonical dag-pb order)."""
    out = b""
    for link in links:
        body = _field_bytes(1, link.cid.to_bytes()) + _field_bytes(2, link.name.encode()) + _field_varint(3, link.tsize)
        out += _field_bytes(2, body)
    return out + _field_bytes(1, data)


def _iter_fields(buf: bytes) -> Iterator[tuple[int, int, object]]:
    pos = 0
    while pos < len(buf):
        key, pos = decode_varint(buf, pos)
        field, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = decode_varint(buf, pos)
        elif wire == 2:
            length, pos = decode_varint(buf, pos)
            if pos + length > len(buf):
                raise ValueError("truncated protobuf field")
            value = buf[pos : pos + length]
            pos += length
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        yield field, wire, value


def decode_pbnode(block: bytes) -> tuple[list[Link], bytes]:
    """Parse a dag-pb node into (links, data)."""
    links: list[Link] = []
    data = b""
    for field, wire, value in _iter_fields(block):
        if field == 2 and wire == 2:
            cid, name, tsize = None, "", 0
            for f2, w2, v2 in _iter_fields(value):  # type: ignore[arg-type]
                if f2 == 1 and w2 == 2:
                    cid = CID.from_bytes(v2)  # type: ignore[arg-type]
                elif f2 == 2 and w2 == 2:
                    name = v2.decode("utf-8", "replace")  # type: ignore[union-attr]
                elif f2 == 3 and w2 == 0:
                    tsize = v2  # type: ignore[assignment]
            if cid is None:
                raise ValueError("dag-pb link without hash")
            links.append(Link(cid, name, tsize))
        elif field == 1 and wire == 2:
            data = value  # type: ignore[assignment]
    return links, data


def decode_unixfs(data: bytes) -> tuple[int, bytes]:
    """Parse a UnixFS Data message into (type, inline data)."""
    kind, inline = -1, b""
    for field, wire, value in _iter_fields(data):
        if field == 1 and wire == 0:
            kind = value  # type: ignore[assignment]
        elif field == 2 and wire == 2:
            inline = value  # type: ignore[assignment]
    return kind, inline


def parse_chunker(spec: str | None) -> int:
    """Kubo's `chunker` option: only `size-N` (and the default) are supported."""
    if not spec or spec == "default":
        return DEFAULT_CHUNK_SIZE
    if spec.startswith("size-"):
        size = int(spec[5:])
        if 1 <= size <= 1048576:
            return size
    raise ValueError(f"unsupported chunker {spec!r} (only size-N, 1 <= N <= 1048576)")


@dataclass
class _Node:
    cid: CID
    block: bytes
    filesize: int
    tsize: int
    children: list["_Node"]


def build_file(
    content: bytes, cid_version: int = 0, raw_leaves: bool | None = None, chunk_size: int = DEFAULT_CHUNK_SIZE
) -> tuple[CID, int, list[tuple[CID, bytes]]]:
    """Import bytes like `ipfs add`: returns (root CID, cumulative DAG size, blocks in DAG order).

    As in Kubo, CID version 1 implies raw leaves unless raw_leaves is given explicitly, and a file of one
    chunk is its own root (so CIDv1 with raw leaves of a small file is a raw-codec CID).
    """
    if raw_leaves is None:
        raw_leaves = cid_version == 1
    chunks = [content[i : i + chunk_size] for i in range(0, len(content), chunk_size)] or [b""]

    def leaf(chunk: bytes) -> _Node:
        if raw_leaves:
            return _Node(CID.for_block(chunk, RAW, 1), chunk, len(chunk), len(chunk), [])
        block = encode_pbnode([], unixfs_data(chunk, len(chunk), []))
        return _Node(CID.for_block(block, DAG_PB, cid_version), block, len(chunk), len(block), [])

    leaves = [leaf(c) for c in chunks]

    def internal(children: list[_Node]) -> _Node:
        filesize = sum(c.filesize for c in children)
        links = [Link(c.cid, "", c.tsize) for c in children]
        block = encode_pbnode(links, unixfs_data(b"", filesize, [c.filesize for c in children]))
        return _Node(CID.for_block(block, DAG_PB, cid_version), block, filesize, len(block) + sum(c.tsize for c in children), children)

    def subtree(items: list[_Node], depth: int) -> _Node:
        if depth == 0:
            return items[0]
        span = MAX_LINKS ** (depth - 1)
        return internal([subtree(items[i : i + span], depth - 1) for i in range(0, len(items), span)])

    if len(leaves) == 1:
        root = leaves[0]
    else:
        depth = 1
        while MAX_LINKS**depth < len(leaves):
            depth += 1
        root = subtree(leaves, depth)

    blocks: list[tuple[CID, bytes]] = []

    def walk(node: _Node) -> None:
        blocks.append((node.cid, node.block))
        for child in node.children:
            walk(child)

    walk(root)
    return root.cid, root.tsize, blocks


class NotFound(Exception):
    """A block is missing from the store."""


MAX_DUPS_BLOCKS = 10_000
MAX_READ_BYTES = 256 * 1024 * 1024
MAX_TSIZE = 2**63 - 1  # link tsize is a protobuf uint64; a bomb's cumulative size is clamped here


def dag_blocks(cid: CID, get_block: Callable[[CID], bytes], dups: bool = False,
               max_dups_blocks: int = MAX_DUPS_BLOCKS) -> Iterator[tuple[CID, bytes]]:
    """Yield the blocks of the DAG under cid in depth-first pre-order.

    Without dups each block is fetched, parsed and yielded once, however many links point at it (a DAG
    bomb, where every node links n times to the same child, costs its unique blocks only). With dups the
    walk repeats shared blocks, so it stops with ValueError after max_dups_blocks blocks.
    """
    seen: set[tuple[int, bytes]] = set()
    stack = [cid]
    emitted = 0
    while stack:
        current = stack.pop()
        key = (current.codec, current.multihash)
        if not dups and key in seen:
            continue
        if dups and emitted >= max_dups_blocks:
            raise ValueError(f"the DAG under {cid} expands to more than {max_dups_blocks} blocks with dups=y")
        seen.add(key)
        block = get_block(current)
        emitted += 1
        yield current, block
        if current.codec == DAG_PB:
            links, _ = decode_pbnode(block)
            stack.extend(link.cid for link in reversed(links))


def read_file(cid: CID, get_block: Callable[[CID], bytes], max_bytes: int = MAX_READ_BYTES) -> bytes:
    """Reassemble the bytes of a UnixFS file (or raw block) DAG.

    Each unique block is fetched and parsed once and the file is assembled bottom-up, so a DAG whose
    nodes link many times to the same child costs its unique blocks, not its paths; a file longer than
    max_bytes is refused with ValueError (before anything is assembled).
    """
    def key(c: CID) -> tuple[int, bytes]:
        return (c.codec, c.multihash)

    # Pass 1: parse every unique block once, in post-order (children before parents).
    nodes: dict[tuple[int, bytes], tuple[bytes, list[tuple[int, bytes]]]] = {}
    order: list[tuple[int, bytes]] = []
    stack: list[tuple[CID, bool]] = [(cid, False)]
    while stack:
        current, expanded = stack.pop()
        k = key(current)
        if expanded:
            order.append(k)
            continue
        if k in nodes:
            continue
        block = get_block(current)
        children: list[CID] = []
        if current.codec == RAW:
            nodes[k] = (block, [])
        elif current.codec == DAG_PB:
            links, data = decode_pbnode(block)
            kind, inline = decode_unixfs(data)
            if kind not in (UNIXFS_RAW, UNIXFS_FILE):
                raise ValueError("not a file (directories are not supported by this devnet)")
            children = [link.cid for link in links]
            nodes[k] = (inline, [key(c) for c in children])
        else:
            raise ValueError(f"unsupported codec 0x{current.codec:x}")
        stack.append((current, True))
        for child in reversed(children):
            if key(child) not in nodes:
                stack.append((child, False))
    # Pass 2: sizes (bounded), then contents, freeing a shared child once its last parent is built.
    sizes: dict[tuple[int, bytes], int] = {}
    parents: dict[tuple[int, bytes], int] = {}
    for k in order:
        inline, children = nodes[k]
        sizes[k] = len(inline) + sum(sizes[c] for c in children)
        if sizes[k] > max_bytes:
            raise ValueError(f"file under {cid} is larger than {max_bytes} bytes")
        for c in set(children):
            parents[c] = parents.get(c, 0) + 1
    contents: dict[tuple[int, bytes], bytes] = {}
    for k in order:
        inline, children = nodes[k]
        contents[k] = inline + b"".join(contents[c] for c in children) if children else inline
        for c in set(children):
            parents[c] -= 1
            if parents[c] == 0:
                del contents[c]
    return contents[key(cid)]


def build_dag_bomb(depth: int, fanout: int, cid_version: int = 0) -> tuple[CID, list[tuple[CID, bytes]]]:
    """A UnixFS "DAG bomb": depth + 1 unique dag-pb blocks where each node links `fanout` times to the
    same child and the leaf is an empty UnixFS file (filesize 0). Every filesize and blocksize is 0 and
    consistent, the file is empty, and only the number of link visits explodes (fanout ** depth paths).
    Returns (root CID, blocks root first)."""
    leaf = encode_pbnode([], unixfs_data(b"", 0, []))
    child, child_tsize = CID.for_block(leaf, DAG_PB, cid_version), len(leaf)
    blocks = [(child, leaf)]
    for _ in range(depth):
        block = encode_pbnode([Link(child, "", child_tsize)] * fanout, unixfs_data(b"", 0, [0] * fanout))
        child, child_tsize = CID.for_block(block, DAG_PB, cid_version), min(len(block) + fanout * child_tsize, MAX_TSIZE)
        blocks.append((child, block))
    blocks.reverse()
    return child, blocks
