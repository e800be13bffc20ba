"""Solana PubSub over WebSocket: account/program/signature/slot/logs subscriptions.

Notifications go out when the change reaches the subscription's commitment: `processed` right after the
transaction, `confirmed` one slot later, `finalized` 32 slots later (with the state as of that slot).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from aiohttp import WSMsgType, web

from .chain.ledger import COMMITMENTS, CONFIRMED_LAG, FINALIZED_LAG, Ledger, TxRecord
from .rpc import RpcError, _encoding, invalid_params, parse_filters, _pubkey
from .traffic import Traffic

LAGS = {"processed": 0, "confirmed": CONFIRMED_LAG, "finalized": FINALIZED_LAG}
SYSTEM = "11111111111111111111111111111111"


@dataclass
class Subscription:
    """One subscription of one connection."""

    id: int
    kind: str  # account, program, signature, slot, logs, root
    conn: "Connection"
    level: str = "finalized"
    key: Optional[str] = None
    encoding: str = "binary"
    filters: list[Callable[[bytes], bool]] = field(default_factory=list)
    received: bool = False
    mentions: Optional[str] = None


class Connection:
    """A WebSocket client; outgoing messages go through a queue drained by one writer task."""

    def __init__(self, ws: web.WebSocketResponse, traffic: Optional[Traffic] = None) -> None:
        self.ws = ws
        self.queue: asyncio.Queue[str] = asyncio.Queue()
        self.subs: dict[int, Subscription] = {}
        self.traffic = traffic

    def send(self, obj: Any) -> None:
        """Queue a JSON message."""
        text = json.dumps(obj)
        if self.traffic is not None:
            kind = obj.get("method") or ("error" if "error" in obj else "response")
            self.traffic.pubsub_sent(kind, len(text))
        self.queue.put_nowait(text)

    async def writer(self) -> None:
        """Drain the queue into the socket."""
        while True:
            text = await self.queue.get()
            try:
                await self.ws.send_str(text)
            except (ConnectionResetError, RuntimeError):
                return


class PubSub:
    """Subscription registry wired to the ledger's transaction and slot listeners."""

    def __init__(self, ledger: Ledger, traffic: Optional[Traffic] = None) -> None:
        self.ledger = ledger
        self.traffic = traffic
        self.next_id = 0
        self.subs: dict[int, Subscription] = {}
        self.slot_txs: dict[int, list[TxRecord]] = {}
        self._pending_immediate: Optional[tuple[Subscription, TxRecord]] = None
        ledger.tx_listeners.append(self._on_tx)
        ledger.slot_listeners.append(self._on_slot)

    # ------------------------------------------------------------ notifications

    def _notify(self, sub: Subscription, method: str, slot: int, value: Any) -> None:
        sub.conn.send({"jsonrpc": "2.0", "method": method, "params": {"result": {"context": {"slot": slot}, "value": value}, "subscription": sub.id}})

    def _account_value(self, key: str, slot: int, encoding: str) -> Optional[dict]:
        view = self.ledger.account(key, slot)
        if view is None:
            return {"data": ["", "base64"] if encoding == "base64" else ("" if encoding == "binary" else ["", encoding]), "executable": False, "lamports": 0, "owner": SYSTEM, "rentEpoch": 0, "space": 0}
        return view.to_json(encoding)

    def _changes(self, keys: list[str], slot: int, level: str) -> None:
        for sub in list(self.subs.values()):
            if sub.level != level:
                continue
            if sub.kind == "account" and sub.key in keys:
                self._notify(sub, "accountNotification", slot, self._account_value(sub.key, slot, sub.encoding))
            elif sub.kind == "program":
                for key in keys:
                    view = self.ledger.account(key, slot)
                    if view is None or view.owner != sub.key or not all(f(view.data) for f in sub.filters):
                        continue
                    self._notify(sub, "programNotification", slot, {"account": view.to_json(sub.encoding), "pubkey": key})

    def _tx_reached(self, records: list[TxRecord], slot: int, level: str) -> None:
        for record in records:
            for sub in list(self.subs.values()):
                if sub.level != level:
                    continue
                if sub.kind == "signature" and sub.key == record.signature:
                    self._notify(sub, "signatureNotification", slot, {"err": record.err})
                    self._drop(sub)
                elif sub.kind == "logs" and (sub.mentions is None or sub.mentions in {str(k) for k in record.tx.message.account_keys}):
                    self._notify(sub, "logsNotification", slot, {"err": record.err, "logs": record.logs, "signature": record.signature})

    def _on_tx(self, record: TxRecord, changed: list[str]) -> None:
        self.slot_txs.setdefault(record.slot, []).append(record)
        self._changes(changed, record.slot, "processed")
        self._tx_reached([record], record.slot, "processed")

    def _on_slot(self, slot: int) -> None:
        for level in ("confirmed", "finalized"):
            reached = slot - LAGS[level]
            if reached < 0:
                continue
            keys = sorted(self.ledger.slot_changes.get(reached, ()))
            if keys:
                self._changes(keys, reached, level)
            self._tx_reached(self.slot_txs.get(reached, []), reached, level)
        for old in [s for s in self.slot_txs if s < slot - FINALIZED_LAG - 1]:
            del self.slot_txs[old]
        for sub in list(self.subs.values()):
            if sub.kind == "slot":
                sub.conn.send({"jsonrpc": "2.0", "method": "slotNotification", "params": {"result": {"parent": slot - 1, "root": self.ledger.finalized_slot, "slot": slot}, "subscription": sub.id}})
            elif sub.kind == "root":
                sub.conn.send({"jsonrpc": "2.0", "method": "rootNotification", "params": {"result": self.ledger.finalized_slot, "subscription": sub.id}})

    def on_received(self, signature: str) -> None:
        """sendTransaction received a transaction (for enableReceivedNotification)."""
        for sub in list(self.subs.values()):
            if sub.kind == "signature" and sub.key == signature and sub.received:
                self._notify(sub, "signatureNotification", self.ledger.slot, "receivedSignature")

    # ------------------------------------------------------------ requests

    def _add(self, sub: Subscription) -> int:
        self.subs[sub.id] = sub
        sub.conn.subs[sub.id] = sub
        return sub.id

    def _drop(self, sub: Subscription) -> None:
        self.subs.pop(sub.id, None)
        sub.conn.subs.pop(sub.id, None)

    def _new(self, kind: str, conn: Connection, cfg: dict) -> Subscription:
        level = COMMITMENTS.get(cfg.get("commitment") or "finalized")
        if level is None:
            raise invalid_params("unknown commitment")
        self.next_id += 1
        return Subscription(self.next_id, kind, conn, level)

    def call(self, conn: Connection, method: str, params: list) -> Any:
        """Handle one subscribe/unsubscribe call."""
        cfg = params[1] if len(params) > 1 and isinstance(params[1], dict) else {}
        if method == "accountSubscribe":
            key = str(_pubkey(params[0] if params else None))
            sub = self._new("account", conn, cfg)
            sub.key, sub.encoding = key, _encoding(cfg)
            return self._add(sub)
        if method == "programSubscribe":
            key = str(_pubkey(params[0] if params else None))
            sub = self._new("program", conn, cfg)
            sub.key, sub.encoding, sub.filters = key, _encoding(cfg), parse_filters(cfg.get("filters"))
            return self._add(sub)
        if method == "signatureSubscribe":
            if not params or not isinstance(params[0], str):
                raise invalid_params("expected a signature")
            sub = self._new("signature", conn, cfg)
            sub.key, sub.received = params[0], bool(cfg.get("enableReceivedNotification"))
            sid = self._add(sub)
            record = self.ledger.txs.get(params[0])
            if record is not None and record.slot <= self.ledger.slot - LAGS[sub.level]:
                # Already there: the notification follows the subscribe response.
                self._pending_immediate = (sub, record)
            return sid
        if method == "slotSubscribe":
            self.next_id += 1
            return self._add(Subscription(self.next_id, "slot", conn))
        if method == "rootSubscribe":
            self.next_id += 1
            return self._add(Subscription(self.next_id, "root", conn))
        if method == "logsSubscribe":
            target = params[0] if params else None
            sub = self._new("logs", conn, cfg)
            if isinstance(target, dict) and isinstance(target.get("mentions"), list) and len(target["mentions"]) == 1:
                sub.mentions = str(_pubkey(target["mentions"][0]))
            elif target not in ("all", "allWithVotes"):
                raise invalid_params("Invalid Request: Only 1 address supported")
            return self._add(sub)
        if method.endswith("Unsubscribe"):
            sid = params[0] if params else None
            sub = conn.subs.get(sid) if isinstance(sid, int) else None
            if sub is None or method != sub.kind + "Unsubscribe":
                raise RpcError(-32602, "Invalid subscription id.")
            self._drop(sub)
            return True
        raise RpcError(-32601, "Method not found")

    async def handler(self, request: web.Request) -> web.StreamResponse:
        """The WebSocket endpoint."""
        ws = web.WebSocketResponse(max_msg_size=4 * 1024 * 1024)
        await ws.prepare(request)
        conn = Connection(ws, self.traffic)
        writer = asyncio.create_task(conn.writer())
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                try:
                    req = json.loads(msg.data)
                except ValueError:
                    conn.send({"jsonrpc": "2.0", "error": {"code": -32700, "message": "Parse error"}, "id": None})
                    continue
                for item in req if isinstance(req, list) else [req]:
                    self._pending_immediate = None
                    rid = item.get("id") if isinstance(item, dict) else None
                    try:
                        if not isinstance(item, dict) or not isinstance(item.get("method"), str):
                            raise RpcError(-32600, "Invalid request")
                        params = item.get("params") or []
                        if not isinstance(params, list):
                            raise invalid_params("params must be an array")
                        result = self.call(conn, item["method"], params)
                        conn.send({"jsonrpc": "2.0", "result": result, "id": rid})
                    except RpcError as err:
                        conn.send({"jsonrpc": "2.0", "error": err.to_json(), "id": rid})
                    pending = self._pending_immediate
                    if pending is not None:
                        sub, record = pending
                        self._notify(sub, "signatureNotification", record.slot, {"err": record.err})
                        self._drop(sub)
        finally:
            for sub in list(conn.subs.values()):
                self._drop(sub)
            await asyncio.sleep(0)
            writer.cancel()
        return ws
