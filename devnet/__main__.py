"""`python -m devnet`: start the CloudMesh local devnet in the foreground (Ctrl-C stops it)."""

from __future__ import annotations

import argparse
import asyncio
import os

from .server import Config, run


def _env_int(name: str, default: int | None) -> int | None:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def parse_args(argv: list[str] | None = None) -> Config:
    """Flags win over environment variables (DEVNET_*), which win over defaults."""
    d = Config()
    p = argparse.ArgumentParser(prog="python -m devnet", description=__doc__,
                                epilog="Every port accepts 0 (pick a free port). All servers bind 127.0.0.1 only. "
                                       "The last line printed at start is `devnet ready {json}` with every URL.")
    p.add_argument("--rpc-port", type=int, default=_env_int("DEVNET_RPC_PORT", d.rpc_port), help="JSON-RPC (default 8899)")
    p.add_argument("--ws-port", type=int, default=_env_int("DEVNET_WS_PORT", None), help="PubSub WebSocket (default rpc port + 1)")
    p.add_argument("--ipfs-api-port", type=int, default=_env_int("DEVNET_IPFS_API_PORT", d.ipfs_api_port), help="Kubo RPC subset (default 5001)")
    p.add_argument("--gateway-port", type=int, default=_env_int("DEVNET_GATEWAY_PORT", d.gateway_port), help="IPFS gateway (default 8080)")
    p.add_argument("--pinata-port", type=int, default=_env_int("DEVNET_PINATA_PORT", d.pinata_port), help="Pinata API stand-in (default 8787)")
    p.add_argument("--control-port", type=int, default=_env_int("DEVNET_CONTROL_PORT", d.control_port), help="test control API (default 8999)")
    p.add_argument("--index-port", type=int, default=_env_int("DEVNET_INDEX_PORT", None),
                   help="Python package index stand-in (default 3141; a free port when --rpc-port is 0)")
    p.add_argument("--port-offset", type=int, default=_env_int("DEVNET_PORT_OFFSET", 0), help="added to every non-zero port")
    p.add_argument("--pinata-jwt", default=os.environ.get("DEVNET_PINATA_JWT", d.pinata_jwt), help="the Bearer token the Pinata stand-in accepts (default devnet-pinata-jwt)")
    p.add_argument("--state-dir", default=os.environ.get("DEVNET_STATE_DIR", d.state_dir), help="where the faucet keypair lives (default $TMPDIR/cloudmesh-devnet-<uid>)")
    p.add_argument("--program-id", action="append", default=None, help="CloudMesh program id (repeatable; default 2pbdwB29...)")
    p.add_argument("--slot-ms", type=int, default=_env_int("DEVNET_SLOT_MS", d.slot_ms), help="slot duration in ms (default 400; 0 = manual clock, test-only)")
    p.add_argument("--verbose", action="store_true", help="print every transaction")
    a = p.parse_args(argv)
    programs = a.program_id or [x for x in os.environ.get("DEVNET_PROGRAM_IDS", "").split(",") if x] or d.program_ids
    if a.slot_ms != 0 and a.slot_ms < 10:
        p.error("--slot-ms must be 0 (manual clock: slots advance only through the control API) or at least 10")
    return Config(a.rpc_port, a.ws_port, a.ipfs_api_port, a.gateway_port, a.pinata_port, a.control_port, a.port_offset,
                  a.pinata_jwt, a.state_dir, programs, a.slot_ms, a.verbose, a.index_port)


def _die_with_parent() -> None:
    """With DEVNET_PARENT_PID set (test harnesses set it), exit when that process dies, so a crashed test
    run leaves no devnet behind (Linux: the kernel sends SIGTERM when the parent goes away)."""
    parent = os.environ.get("DEVNET_PARENT_PID")
    if not parent:
        return
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)
    except (OSError, AttributeError):
        pass
    if os.getppid() != int(parent):  # the parent died before prctl took effect
        raise SystemExit(0)


def main() -> None:
    """Entry point."""
    # A parent may have blocked signals (Swift test runners block SIGTERM in every thread, and a child
    # inherits the mask): unblock them, or neither SIGTERM nor the parent-death signal would stop us.
    import signal

    signal.pthread_sigmask(signal.SIG_SETMASK, set())
    _die_with_parent()
    config = parse_args()
    try:
        asyncio.run(run(config))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
