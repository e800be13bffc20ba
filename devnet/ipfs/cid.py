"""CIDs (v0 and v1), multihash, varints and multibase, as Kubo writes them."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from ..base58 import b58decode, b58encode

DAG_PB = 0x70
RAW = 0x55
DAG_CBOR = 0x71
SHA2_256 = 0x12


def encode_varint(n: int) -> bytes:
    """Unsigned LEB128 varint."""
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def decode_varint(data: bytes, pos: int = 0) -> tuple[int, int]:
    """Decode a varint at pos; returns (value, new position). Raises ValueError when truncated."""
    value = shift = 0
    while True:
        if pos >= len(data):
            raise ValueError("truncated varint")
        b = data[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        if not b & 0x80:
            return value, pos
        shift += 7
        if shift > 63:
            raise ValueError("varint too long")


def sha256_multihash(data: bytes) -> bytes:
    """The sha2-256 multihash of data: 0x12 0x20 digest."""
    return bytes([SHA2_256, 32]) + hashlib.sha256(data).digest()


@dataclass(frozen=True)
class CID:
    """A content identifier: version, codec and multihash."""

    version: int
    codec: int
    multihash: bytes

    @staticmethod
    def for_block(data: bytes, codec: int, version: int) -> "CID":
        """The CID of a block with the given codec (a raw block always gets a CIDv1)."""
        if codec != DAG_PB:
            version = 1
        return CID(version, codec, sha256_multihash(data))

    def to_bytes(self) -> bytes:
        """Binary form: a v0 CID is its multihash, a v1 CID is version ‖ codec ‖ multihash."""
        if self.version == 0:
            return self.multihash
        return encode_varint(1) + encode_varint(self.codec) + self.multihash

    def __str__(self) -> str:
        if self.version == 0:
            return b58encode(self.multihash)
        return "b" + base64.b32encode(self.to_bytes()).decode().lower().rstrip("=")

    def matches(self, data: bytes) -> bool:
        """True when data hashes to this CID's multihash (sha2-256 only)."""
        return self.multihash[:2] == bytes([SHA2_256, 32]) and hashlib.sha256(data).digest() == self.multihash[2:]

    @staticmethod
    def from_bytes(raw: bytes) -> "CID":
        """Parse a binary CID."""
        if len(raw) == 34 and raw[0] == SHA2_256 and raw[1] == 32:
            return CID(0, DAG_PB, bytes(raw))
        version, pos = decode_varint(raw)
        if version != 1:
            raise ValueError(f"unsupported CID version {version}")
        codec, pos = decode_varint(raw, pos)
        mh = raw[pos:]
        code, p2 = decode_varint(mh)
        length, p3 = decode_varint(mh, p2)
        if len(mh) != p3 + length:
            raise ValueError("multihash length mismatch")
        return CID(1, codec, bytes(mh))

    @staticmethod
    def parse(text: str) -> "CID":
        """Parse a CID string (v0 base58, or v1 in base32 'b'/'B', base58btc 'z' or base16 'f')."""
        text = text.strip()
        if not text:
            raise ValueError("empty CID")
        if len(text) == 46 and text.startswith("Qm"):
            raw = b58decode(text)
            if len(raw) != 34:
                raise ValueError("invalid CIDv0")
            return CID(0, DAG_PB, raw)
        prefix, body = text[0], text[1:]
        if prefix in "bB":
            body = body.upper()
            raw = base64.b32decode(body + "=" * (-len(body) % 8))
        elif prefix == "z":
            raw = b58decode(body)
        elif prefix in "fF":
            raw = bytes.fromhex(body)
        else:
            raise ValueError(f"unsupported multibase prefix {prefix!r}")
        return CID.from_bytes(raw)
