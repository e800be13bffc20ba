"""Fault injection state, set through the control endpoint and consulted by the servers."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from typing import Callable, Optional

from .ipfs.cid import CID


def same_cid(a: str, b: str) -> bool:
    """True when two CID strings name the same content (same text, or the same codec and multihash in
    another version or multibase: QmX… and its bafy… form)."""
    if a == b:
        return True
    try:
        x, y = CID.parse(a), CID.parse(b)
    except ValueError:
        return False
    return (x.codec, x.multihash) == (y.codec, y.multihash)


@dataclass
class RpcFault:
    """Answer the next `count` JSON-RPC HTTP calls with `status` (429 with Retry-After, or 500)."""

    status: int
    count: int
    retry_after: int = 1
    methods: Optional[list[str]] = None


@dataclass
class GatewayFault:
    """Gateway misbehaviour for one CID (or all when cid is None): corrupt, 404, 504, slow or hold.

    slow holds each affected request for delay_ms, then answers normally; hold holds it until
    `release` (or reset, or shutdown), or for delay_ms when that is set, then answers normally."""

    mode: str
    cid: Optional[str] = None
    count: Optional[int] = None  # None: until reset
    delay_ms: int = 0


class Holds:
    """Gateway requests being held right now (modes slow and hold); release wakes them up.

    A held request counts from the moment it arrives until it is released, its time runs out, or its
    client goes away (checked every 50 ms: aiohttp does not cancel a handler when the client leaves)."""

    POLL_S = 0.05

    def __init__(self) -> None:
        self._waiting: dict[int, tuple[str, asyncio.Event]] = {}
        self._ids = itertools.count()
        self.total = 0

    def count(self) -> int:
        """Requests held now."""
        return len(self._waiting)

    def by_cid(self) -> dict[str, int]:
        """Requests held now, per CID (as the request spelled it)."""
        out: dict[str, int] = {}
        for cid, _ in self._waiting.values():
            out[cid] = out.get(cid, 0) + 1
        return out

    async def hold(self, cid: str, timeout_s: Optional[float], client_gone: Callable[[], bool]) -> str:
        """Hold one request; returns "released", "timeout" or "client_gone"."""
        loop = asyncio.get_running_loop()
        deadline = None if timeout_s is None else loop.time() + timeout_s
        token, event = next(self._ids), asyncio.Event()
        self._waiting[token] = (cid, event)
        self.total += 1
        try:
            while not event.is_set():
                wait = self.POLL_S if deadline is None else min(self.POLL_S, deadline - loop.time())
                if wait <= 0:
                    return "timeout"
                try:
                    await asyncio.wait_for(event.wait(), wait)
                except asyncio.TimeoutError:
                    if client_gone():
                        return "client_gone"
            return "released"
        finally:
            self._waiting.pop(token, None)

    def release(self, cid: Optional[str] = None) -> int:
        """Wake the requests held for cid (all when None); returns how many."""
        n = 0
        for token, (held_cid, event) in list(self._waiting.items()):
            if cid is None or same_cid(held_cid, cid):
                event.set()
                self._waiting.pop(token, None)
                n += 1
        return n


@dataclass
class Faults:
    """Everything the control endpoint can switch on; `reset` clears it."""

    rpc: list[RpcFault] = field(default_factory=list)
    rpc_latency_ms: int = 0
    drop_transactions: int = 0
    gateway: list[GatewayFault] = field(default_factory=list)
    pinata_failures: int = 0
    pinata_status: int = 500
    ipfs_api_failures: int = 0
    no_history: bool = False  # answer -32011 to history methods, like a node without transaction history
    holds: Holds = field(default_factory=Holds)

    def reset(self) -> None:
        """Clear every fault and release every held gateway request."""
        holds = self.holds
        self.__init__()  # type: ignore[misc]
        self.holds = holds
        holds.release()

    def release_gateway(self, cid: Optional[str] = None, keep_fault: bool = False) -> int:
        """Release the gateway requests held for cid (all when None) and, unless keep_fault, drop the
        slow/hold faults for that CID (all of them when None) so later requests pass; returns how many
        requests were released."""
        if not keep_fault:
            self.gateway = [f for f in self.gateway
                            if not (f.mode in ("slow", "hold") and (cid is None or (f.cid is not None and same_cid(f.cid, cid))))]
        return self.holds.release(cid)

    def take_rpc(self, methods: list[str]) -> Optional[RpcFault]:
        """The RPC fault that applies to a call with these methods (consuming one use), if any."""
        for fault in self.rpc:
            if fault.count > 0 and (fault.methods is None or any(m in fault.methods for m in methods)):
                fault.count -= 1
                if fault.count == 0:
                    self.rpc.remove(fault)
                return fault
        return None

    def take_gateway(self, cid: str) -> Optional[GatewayFault]:
        """The gateway fault for this CID (consuming one use), if any."""
        for fault in self.gateway:
            if fault.cid is None or same_cid(fault.cid, cid):
                if fault.count is not None:
                    fault.count -= 1
                    if fault.count <= 0:
                        self.gateway.remove(fault)
                return fault
        return None
