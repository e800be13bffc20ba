"""Traffic counters (test/benchmark aid): JSON-RPC requests and bytes per method, PubSub messages and bytes.

Bytes are the JSON bodies as sent (HTTP and WebSocket framing not included). Counters only grow; a reader
takes two snapshots from `GET /status` (key `traffic`) and subtracts.
"""

from __future__ import annotations

from collections import defaultdict


class Traffic:
    """Per-method counters for the JSON-RPC endpoint and the PubSub endpoint."""

    def __init__(self) -> None:
        self.rpc: dict[str, dict[str, int]] = defaultdict(lambda: {"requests": 0, "request_bytes": 0, "response_bytes": 0})
        self.pubsub: dict[str, dict[str, int]] = defaultdict(lambda: {"messages": 0, "bytes": 0})
        self.rpc_http_requests = 0
        self.rpc_http_response_bytes = 0

    def rpc_call(self, method: str, request_bytes: int, response_bytes: int) -> None:
        """One JSON-RPC call (a batch counts once per item)."""
        entry = self.rpc[method]
        entry["requests"] += 1
        entry["request_bytes"] += request_bytes
        entry["response_bytes"] += response_bytes

    def rpc_http(self, response_bytes: int) -> None:
        """One HTTP response of the JSON-RPC endpoint (whole body, batches included)."""
        self.rpc_http_requests += 1
        self.rpc_http_response_bytes += response_bytes

    def pubsub_sent(self, kind: str, nbytes: int) -> None:
        """One WebSocket message sent: `kind` is the notification method, or `response` / `error`."""
        entry = self.pubsub[kind]
        entry["messages"] += 1
        entry["bytes"] += nbytes

    def snapshot(self) -> dict:
        """A JSON-ready copy."""
        return {
            "rpc": {m: dict(v) for m, v in sorted(self.rpc.items())},
            "rpc_http": {"requests": self.rpc_http_requests, "response_bytes": self.rpc_http_response_bytes},
            "pubsub": {k: dict(v) for k, v in sorted(self.pubsub.items())},
        }
