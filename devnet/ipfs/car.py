"""CARv1 archives (header: dag-cbor {roots, version: 1}; then varint-framed CID ‖ block sections)."""

from __future__ import annotations

from typing import Iterable

from .cid import CID, encode_varint


def _cbor_head(major: int, n: int) -> bytes:
    if n < 24:
        return bytes([major << 5 | n])
    for extra, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if n < 1 << (8 * size):
            return bytes([major << 5 | extra]) + n.to_bytes(size, "big")
    raise ValueError("integer too large for CBOR")


def _cbor_text(s: str) -> bytes:
    raw = s.encode()
    return _cbor_head(3, len(raw)) + raw


def car_header(root: CID) -> bytes:
    """The dag-cbor header {"roots": [root], "version": 1} (keys in dag-cbor canonical order)."""
    cid_bytes = b"\0" + root.to_bytes()
    body = (
        _cbor_head(5, 2)
        + _cbor_text("roots")
        + _cbor_head(4, 1)
        + bytes([0xD8, 42])
        + _cbor_head(2, len(cid_bytes))
        + cid_bytes
        + _cbor_text("version")
        + _cbor_head(0, 1)
    )
    return encode_varint(len(body)) + body


def write_car(root: CID, blocks: Iterable[tuple[CID, bytes]]) -> bytes:
    """A complete CARv1 with one root and the given blocks in order."""
    out = [car_header(root)]
    for cid, block in blocks:
        raw = cid.to_bytes()
        out.append(encode_varint(len(raw) + len(block)) + raw + block)
    return b"".join(out)
