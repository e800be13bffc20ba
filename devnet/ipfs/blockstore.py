"""The one block store shared by the Kubo API, the gateway and the Pinata stand-in."""

from __future__ import annotations

from .cid import CID
from .unixfs import NotFound, build_file, read_file, DEFAULT_CHUNK_SIZE


class BlockStore:
    """Blocks keyed by multihash (as Kubo's blockstore), plus the set of pinned roots."""

    def __init__(self) -> None:
        self._blocks: dict[bytes, bytes] = {}
        self.pins: dict[str, dict] = {}

    def put(self, cid: CID, block: bytes) -> None:
        """Store one block."""
        self._blocks[cid.multihash] = block

    def get(self, cid: CID) -> bytes:
        """Fetch one block; raises NotFound."""
        try:
            return self._blocks[cid.multihash]
        except KeyError:
            raise NotFound(str(cid)) from None

    def has(self, cid: CID) -> bool:
        """True when the block is stored."""
        return cid.multihash in self._blocks

    def add_file(
        self, content: bytes, cid_version: int = 0, raw_leaves: bool | None = None, chunk_size: int = DEFAULT_CHUNK_SIZE
    ) -> tuple[CID, int]:
        """Import a file; returns (root CID, cumulative DAG size)."""
        root, size, blocks = build_file(content, cid_version, raw_leaves, chunk_size)
        for cid, block in blocks:
            self.put(cid, block)
        return root, size

    def cat(self, cid: CID) -> bytes:
        """The file bytes under a root CID; raises NotFound or ValueError."""
        return read_file(cid, self.get)

    def __len__(self) -> int:
        return len(self._blocks)
