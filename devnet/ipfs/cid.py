"""CIDs (v0 and v1), multihash, varints and multibase, as Kubo writes them."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from ..base58 import b58decode, b58encode

DAG_PB = 0x70
RAW = 0x55
DAG_CBOR = 0x71
DAG_JSON = 0x0129
SHA2_256 = 0x12
IDENTITY = 0x00
SHA2_512 = 0x13
SHA3_512 = 0x14
SHA3_256 = 0x16
BLAKE2B_256 = 0xB220

# Multicodec names accepted by the control API (`POST /ipfs/blocks`).
CODECS = {"raw": RAW, "dag-pb": DAG_PB, "dag-cbor": DAG_CBOR, "dag-json": DAG_JSON}
# Hash functions the devnet can compute and verify (the worker itself only supports sha2-256).
HASHES = {"sha2-256": SHA2_256, "sha2-512": SHA2_512, "sha3-256": SHA3_256, "sha3-512": SHA3_512,
          "blake2b-256": BLAKE2B_256, "identity": IDENTITY}


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


def _digest(code: int, data: bytes) -> bytes:
    if code == SHA2_256:
        return hashlib.sha256(data).digest()
    if code == SHA2_512:
        return hashlib.sha512(data).digest()
    if code == SHA3_256:
        return hashlib.sha3_256(data).digest()
    if code == SHA3_512:
        return hashlib.sha3_512(data).digest()
    if code == BLAKE2B_256:
        return hashlib.blake2b(data, digest_size=32).digest()
    if code == IDENTITY:
        return bytes(data)
    raise ValueError(f"unsupported multihash function 0x{code:x}")


def multihash(data: bytes, code: int = SHA2_256) -> bytes:
    """The multihash of data with one of HASHES (identity embeds the data itself)."""
    digest = _digest(code, data)
    return encode_varint(code) + encode_varint(len(digest)) + digest


def multihash_matches(mh: bytes, data: bytes) -> bool:
    """True when data hashes to the multihash mh (any function of HASHES); raises ValueError for another
    function or a malformed multihash."""
    code, pos = decode_varint(mh)
    length, pos = decode_varint(mh, pos)
    if len(mh) != pos + length:
        raise ValueError("multihash length mismatch")
    return _digest(code, data) == mh[pos:]


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
