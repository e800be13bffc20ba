"""Command line: flags, environment, port offset; Ctrl-C stops cleanly."""

from __future__ import annotations

import signal

from ..__main__ import parse_args
from .conftest import start_devnet


def test_flags_env_and_offset(monkeypatch) -> None:
    monkeypatch.setenv("DEVNET_PINATA_JWT", "from-env")
    monkeypatch.setenv("DEVNET_PROGRAM_IDS", "5FpaVW1qm2MiELsJK9dqWs6rNMxdoN7wHKXygtcnAD4f")
    c = parse_args(["--port-offset", "100", "--gateway-port", "0"])
    assert (c.rpc_port, c.port_offset, c.gateway_port, c.pinata_jwt) == (8899, 100, 0, "from-env")
    assert c.program_ids == ["5FpaVW1qm2MiELsJK9dqWs6rNMxdoN7wHKXygtcnAD4f"]
    assert parse_args(["--pinata-jwt", "flag"]).pinata_jwt == "flag"
    assert c.index_port is None  # 3141, or a free port when --rpc-port is 0
    monkeypatch.setenv("DEVNET_INDEX_PORT", "3142")
    assert parse_args([]).index_port == 3142 and parse_args(["--index-port", "0"]).index_port == 0


def test_sigint_stops_cleanly_and_several_programs(tmp_path) -> None:
    dn = start_devnet(tmp_path, 400, ["--program-id", "2pbdwB29EXvsfEcigJrMwEaDx2T16zZ47aK5oGabjx7S",
                                      "--program-id", "5FpaVW1qm2MiELsJK9dqWs6rNMxdoN7wHKXygtcnAD4f"])
    assert dn.info["startup_seconds"] < 3
    assert len(dn.info["program_ids"]) == 2
    created = dn.control("/jobs", {"title": "second", "program_id": "5FpaVW1qm2MiELsJK9dqWs6rNMxdoN7wHKXygtcnAD4f"})
    assert created["err"] is None
    info = dn.rpc("getAccountInfo", [created["job"], {"encoding": "base64", "commitment": "processed"}])["result"]["value"]
    assert info["owner"] == "5FpaVW1qm2MiELsJK9dqWs6rNMxdoN7wHKXygtcnAD4f"
    program = dn.rpc("getAccountInfo", ["5FpaVW1qm2MiELsJK9dqWs6rNMxdoN7wHKXygtcnAD4f", {"encoding": "base64"}])["result"]["value"]
    assert program["executable"] is True
    dn.proc.send_signal(signal.SIGINT)
    assert dn.proc.wait(timeout=10) == 0
