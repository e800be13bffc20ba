"""Fault injection state, set through the control endpoint and consulted by the servers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional


@dataclass
class RpcFault:
    """Answer the next `count` JSON-RPC HTTP calls with `status` (429 with Retry-After, or 500)."""

    status: int
    count: int
    retry_after: int = 1
    methods: Optional[list[str]] = None


@dataclass
class GatewayFault:
    """Gateway misbehaviour for one CID (or all when cid is None): corrupt, 404, 504 or slow."""

    mode: str
    cid: Optional[str] = None
    count: Optional[int] = None  # None: until reset
    delay_ms: int = 0


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

    def reset(self) -> None:
        """Clear every fault."""
        self.__init__()  # type: ignore[misc]

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
            if fault.cid is None or fault.cid == cid:
                if fault.count is not None:
                    fault.count -= 1
                    if fault.count <= 0:
                        self.gateway.remove(fault)
                return fault
        return None
