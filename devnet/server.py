"""Wires the ledger, the block store and the HTTP/WebSocket servers together and runs the slot clock."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from aiohttp import web
from solders.keypair import Keypair
from solders.pubkey import Pubkey

from .chain.ledger import Ledger
from .control import Control
from .faults import Faults
from .index import PackageIndex
from .ipfs.blockstore import BlockStore
from .ipfs.http import Gateway, KuboApi, Pinata
from .pubsub import PubSub
from .rpc import RpcMethods
from .traffic import Traffic

HOST = "127.0.0.1"
DEFAULT_INDEX_PORT = 3141  # devpi's port, the usual one of a local package index


@dataclass
class Config:
    """Everything `python -m devnet` accepts."""

    rpc_port: int = 8899
    ws_port: Optional[int] = None  # default rpc_port + 1 (or 0 when rpc_port is 0)
    ipfs_api_port: int = 5001
    gateway_port: int = 8080
    pinata_port: int = 8787
    control_port: int = 8999
    port_offset: int = 0
    pinata_jwt: str = "devnet-pinata-jwt"
    state_dir: str = field(default_factory=lambda: os.path.join(tempfile.gettempdir(), f"cloudmesh-devnet-{os.getuid()}"))
    program_ids: list[str] = field(default_factory=lambda: ["2pbdwB29EXvsfEcigJrMwEaDx2T16zZ47aK5oGabjx7S"])
    slot_ms: int = 400
    verbose: bool = False
    index_port: Optional[int] = None  # default 3141 (or 0 when rpc_port is 0: a caller on free ports gets one here too)


def load_or_create_keypair(path: Path) -> Keypair:
    """A Solana CLI keypair file (JSON array of 64 numbers), created with mode 0600 if missing."""
    if path.exists():
        return Keypair.from_bytes(bytes(json.loads(path.read_text())))
    kp = Keypair()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(list(bytes(kp)), f)
    return kp


def _bind(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, port))
    sock.listen(512)
    sock.setblocking(False)
    return sock


class Devnet:
    """The whole local stack."""

    def __init__(self, config: Config) -> None:
        self.config = config
        state = Path(config.state_dir).resolve()
        state.mkdir(parents=True, exist_ok=True)
        self.faucet_path = state / "faucet-keypair.json"
        self.faucet = load_or_create_keypair(self.faucet_path)
        self.ledger = Ledger([Pubkey.from_string(p) for p in config.program_ids], self.faucet)
        self.faults = Faults()
        self.store = BlockStore()
        self.rpc = RpcMethods(self.ledger, self.faults, str(Keypair.from_seed(bytes(self.faucet)[:32][::-1]).pubkey()))
        self.traffic = Traffic()
        self.index = PackageIndex(state / "index" / "sdist-setup-ran")
        self.pubsub = PubSub(self.ledger, self.traffic)
        self.rpc.received_listeners.append(self.pubsub.on_received)
        self.urls: dict[str, str] = {}
        self._runners: list[web.AppRunner] = []
        if config.verbose:
            self.ledger.tx_listeners.append(lambda r, _: print(f"tx {r.signature} slot {r.slot} err {json.dumps(r.err)}", flush=True))

    def info(self) -> dict[str, Any]:
        """URLs and identities (the JSON of the ready line)."""
        return {**self.urls, "faucet_keypair": str(self.faucet_path), "faucet_pubkey": str(self.faucet.pubkey()),
                "program_ids": self.config.program_ids, "slot_ms": self.config.slot_ms, "state_dir": str(Path(self.config.state_dir).resolve())}

    # ------------------------------------------------------------ HTTP JSON-RPC

    async def _rpc_http(self, request: web.Request) -> web.StreamResponse:
        if request.method != "POST":
            return web.Response(status=405, text="Used HTTP Method is not allowed. POST or OPTIONS is required")
        raw = await request.read()
        try:
            body = json.loads(raw)
        except ValueError:
            return web.json_response({"jsonrpc": "2.0", "error": {"code": -32700, "message": "Parse error"}, "id": None})
        items = body if isinstance(body, list) else [body]
        methods = [i.get("method") for i in items if isinstance(i, dict)]
        if self.faults.rpc_latency_ms:
            await asyncio.sleep(self.faults.rpc_latency_ms / 1000)
        fault = self.faults.take_rpc(methods)
        if fault is not None:
            if fault.status == 429:
                first = items[0] if items and isinstance(items[0], dict) else {}
                return web.json_response({"jsonrpc": "2.0", "error": {"code": 429, "message": "Too many requests for a specific RPC call, contact your app developer or support@rpcpool.com."}, "id": first.get("id")},
                                         status=429, headers={"Retry-After": str(fault.retry_after)})
            return web.Response(status=fault.status, text="Internal Server Error")
        if isinstance(body, list):
            if not body:
                return web.json_response({"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid request"}, "id": None})
            responses = []
            for item in body:
                response = self.rpc.handle(item)
                self._count(item, response)
                if response is not None:
                    responses.append(response)
            return self._json(responses)
        response = self.rpc.handle(body)
        if response is None:
            self._count(body, None)
            self.traffic.rpc_http(0)
            return web.Response(status=200)
        return self._json(response, body, len(raw))

    def _count(self, item: Any, response: Any, request_bytes: Optional[int] = None, response_bytes: Optional[int] = None) -> None:
        method = item.get("method") if isinstance(item, dict) and isinstance(item.get("method"), str) else "(invalid)"
        if request_bytes is None:
            request_bytes = len(json.dumps(item))
        if response_bytes is None:
            response_bytes = len(json.dumps(response)) if response is not None else 0
        self.traffic.rpc_call(method, request_bytes, response_bytes)

    def _json(self, obj: Any, single: Any = None, request_bytes: int = 0) -> web.Response:
        text = json.dumps(obj)
        if single is not None:
            self._count(single, obj, request_bytes, len(text))
        self.traffic.rpc_http(len(text))
        return web.Response(text=text, content_type="application/json")

    async def _health(self, request: web.Request) -> web.StreamResponse:
        return web.Response(text="ok")

    # ------------------------------------------------------------ lifecycle

    async def _serve(self, app: web.Application, port: int, scheme: str) -> str:
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        sock = _bind(port)
        site = web.SockSite(runner, sock)
        await site.start()
        self._runners.append(runner)
        return f"{scheme}://{HOST}:{sock.getsockname()[1]}"

    async def start(self) -> None:
        """Bind every port (0 picks a free one) and start the slot clock."""
        c = self.config

        def port(value: int) -> int:
            return value + c.port_offset if value else 0

        rpc_app = web.Application(client_max_size=4 * 1024 * 1024)
        rpc_app.router.add_get("/health", self._health)
        rpc_app.router.add_route("*", "/", self._rpc_http)
        ws_app = web.Application()
        ws_app.router.add_get("/", self.pubsub.handler)
        ws_app.router.add_get("/{tail:.*}", self.pubsub.handler)
        control = Control(self.ledger, self.store, self.faults, self.info, self.traffic, self.index)
        rpc_port = port(c.rpc_port)
        ws_port = port(c.ws_port) if c.ws_port is not None else (rpc_port + 1 if rpc_port else 0)
        self.urls["rpc_url"] = await self._serve(rpc_app, rpc_port, "http")
        self.urls["ws_url"] = await self._serve(ws_app, ws_port, "ws")
        self.urls["ipfs_api_url"] = await self._serve(KuboApi(self.store, self.faults).app(), port(c.ipfs_api_port), "http")
        self.urls["gateway_url"] = await self._serve(Gateway(self.store, self.faults).app(), port(c.gateway_port), "http")
        self.urls["pinata_url"] = await self._serve(Pinata(self.store, self.faults, c.pinata_jwt).app(), port(c.pinata_port), "http")
        self.urls["control_url"] = await self._serve(control.app(), port(c.control_port), "http")
        index_port = port(c.index_port) if c.index_port is not None else (port(DEFAULT_INDEX_PORT) if rpc_port else 0)
        self.urls["index_url"] = await self._serve(self.index.app(), index_port, "http") + "/simple"
        self._clock = asyncio.create_task(self._tick()) if c.slot_ms > 0 else None

    async def _tick(self) -> None:
        period = self.config.slot_ms / 1000
        start = time.monotonic()
        n = 0
        while True:
            n += 1
            await asyncio.sleep(max(0.0, start + n * period - time.monotonic()))
            self.ledger.advance_slot()

    async def stop(self) -> None:
        """Stop the clock and close every server."""
        if self._clock is not None:
            self._clock.cancel()
        self.faults.reset()  # releases held gateway requests, so no handler keeps the shutdown waiting
        for runner in self._runners:
            await runner.cleanup()


async def run(config: Config) -> None:
    """Start, print the ready line, run until SIGINT/SIGTERM."""
    devnet = Devnet(config)
    try:
        await devnet.start()
    except OSError as exc:
        print(f"devnet: cannot listen: {exc}", flush=True)
        raise SystemExit(2) from None
    info = devnet.info()
    print("CloudMesh devnet", flush=True)
    for name in ("rpc_url", "ws_url", "ipfs_api_url", "gateway_url", "pinata_url", "control_url", "index_url"):
        print(f"  {name:<14}{info[name]}", flush=True)
    print(f"  {'faucet':<14}{info['faucet_pubkey']} (keypair: {info['faucet_keypair']})", flush=True)
    print(f"  {'program ids':<14}{', '.join(config.program_ids)}", flush=True)
    print("devnet ready " + json.dumps(info), flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await devnet.stop()
    print("devnet stopped", flush=True)
