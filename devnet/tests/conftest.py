"""Fixtures: a devnet subprocess on free ports, parsed from its `devnet ready {json}` line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Iterator

import pytest
from . import requests_shim as http

REPO_ROOT = Path(__file__).resolve().parents[2]


class DevnetProcess:
    """A running devnet and its URLs."""

    def __init__(self, info: dict, proc: subprocess.Popen) -> None:
        self.info, self.proc = info, proc
        self.rpc_url, self.ws_url = info["rpc_url"], info["ws_url"]
        self.ipfs_api_url, self.gateway_url = info["ipfs_api_url"], info["gateway_url"]
        self.pinata_url, self.control_url = info["pinata_url"], info["control_url"]
        self.index_url = info["index_url"]
        self.program_id = info["program_ids"][0]
        self.faucet_keypair = info["faucet_keypair"]
        self.output: list[str] = []

    def drain(self) -> None:
        """Keep reading the devnet's output so it never blocks on a full pipe."""
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.output.append(line)

    def control(self, path: str, body: dict | None = None, method: str = "POST") -> dict:
        """Call the control API."""
        status, data = http.request(method, self.control_url + path, json_body=body if method == "POST" else None)
        assert status == 200, f"control {path} -> {status} {data!r}"
        return json.loads(data)

    def rpc(self, method: str, params: list | None = None) -> dict:
        """A raw JSON-RPC call; returns the whole response object."""
        status, data = http.request("POST", self.rpc_url, json_body={"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []})
        assert status == 200, (status, data)
        return json.loads(data)


def start_devnet(tmp: Path, slot_ms: int, extra: list[str] | None = None) -> DevnetProcess:
    """Start `python -m devnet` on free ports and wait (with a deadline) for its ready line."""
    args = [sys.executable, "-m", "devnet", "--rpc-port", "0", "--ipfs-api-port", "0", "--gateway-port", "0",
            "--pinata-port", "0", "--control-port", "0", "--index-port", "0", "--state-dir", str(tmp), "--slot-ms", str(slot_ms),
            "--pinata-jwt", "test-jwt"] + (extra or [])
    started = time.monotonic()
    proc = subprocess.Popen(args, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    while True:
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError(f"devnet exited before it was ready (code {proc.wait()})")
        if line.startswith("devnet ready "):
            info = json.loads(line[len("devnet ready "):])
            break
        if time.monotonic() - started > 10:
            proc.kill()
            raise RuntimeError("devnet not ready within 10 s")
    info["startup_seconds"] = time.monotonic() - started
    dn = DevnetProcess(info, proc)
    threading.Thread(target=dn.drain, daemon=True).start()
    return dn


def stop_devnet(dn: DevnetProcess) -> None:
    """SIGTERM and wait for a clean exit."""
    dn.proc.terminate()
    dn.proc.wait(timeout=10)
    deadline = time.monotonic() + 5
    while "devnet stopped\n" not in dn.output and time.monotonic() < deadline:
        time.sleep(0.01)
    out = "".join(dn.output)
    assert dn.proc.returncode == 0, out
    assert "devnet stopped" in out, out
    assert "Traceback" not in out, out


def pytest_configure(config: pytest.Config) -> None:
    """The sync solana Client is deprecated upstream, but the issue asks to prove compatibility with it."""
    for category in ("DeprecationWarning", "FutureWarning"):
        config.addinivalue_line("filterwarnings", f"ignore:(Client|TxOpts|MemcmpOpts) is deprecated:{category}")


@pytest.fixture(scope="session")
def devnet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevnetProcess]:
    """A devnet with a fast automatic clock (50 ms slots)."""
    dn = start_devnet(tmp_path_factory.mktemp("devnet"), 50)
    yield dn
    stop_devnet(dn)


@pytest.fixture(scope="session")
def manual_devnet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevnetProcess]:
    """A devnet whose slots advance only through POST /slots/advance (deterministic commitment tests)."""
    dn = start_devnet(tmp_path_factory.mktemp("manual"), 0)
    yield dn
    stop_devnet(dn)


@pytest.fixture(autouse=True)
def _reset_faults(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    for name in ("devnet", "manual_devnet"):
        if name in request.fixturenames:
            request.getfixturevalue(name).control("/reset", {})


def poll(predicate, timeout: float = 5.0, interval: float = 0.02):
    """Call predicate until it returns a truthy value or the deadline passes."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not met before the deadline")
        time.sleep(interval)
