"""Fault injection through the control API, and 10,000 jobs."""

from __future__ import annotations

import json
import time

from solana.rpc.commitment import Processed
from solders.keypair import Keypair
from solders.system_program import TransferParams, transfer

from . import requests_shim as http
from .helpers import b64, load_keypair, signed


def _call(devnet, method: str = "getSlot") -> tuple[int, dict, bytes]:
    return http.request_full("POST", devnet.rpc_url, data=json.dumps({"jsonrpc": "2.0", "id": 1, "method": method}).encode(),
                             headers={"Content-Type": "application/json"})


def test_rpc_429_500_and_latency(devnet) -> None:
    devnet.control("/faults/rpc", {"status": 429, "count": 2, "retry_after": 3})
    for _ in range(2):
        status, headers, body = _call(devnet)
        assert status == 429 and headers["Retry-After"] == "3" and json.loads(body)["error"]["code"] == 429
    assert _call(devnet)[0] == 200
    devnet.control("/faults/rpc", {"status": 500, "count": 1, "methods": ["sendTransaction"]})
    assert _call(devnet, "getSlot")[0] == 200
    assert _call(devnet, "sendTransaction")[0] == 500
    devnet.control("/faults/rpc-latency", {"ms": 300})
    started = time.monotonic()
    assert _call(devnet)[0] == 200
    assert time.monotonic() - started >= 0.3
    devnet.control("/reset", {})
    assert devnet.control("/status", method="GET")["faults"]["rpc_latency_ms"] == 0


def test_dropped_transaction_never_lands(devnet) -> None:
    payer = load_keypair(devnet.faucet_keypair)
    devnet.control("/faults/drop-transactions", {"count": 1})
    bh = devnet.rpc("getLatestBlockhash", [{"commitment": "processed"}])["result"]["value"]["blockhash"]
    to = Keypair().pubkey()
    tx = signed([transfer(TransferParams(from_pubkey=payer.pubkey(), to_pubkey=to, lamports=10**6))], [payer], bh)
    assert devnet.rpc("sendTransaction", [b64(tx), {"encoding": "base64"}])["result"] == str(tx.signatures[0])
    target = devnet.control("/status", method="GET")["slot"] + 3
    while devnet.control("/status", method="GET")["slot"] < target:
        time.sleep(0.02)
    assert devnet.rpc("getSignatureStatuses", [[str(tx.signatures[0])]])["result"]["value"] == [None]
    assert devnet.rpc("getBalance", [str(to), {"commitment": "processed"}])["result"]["value"] == 0
    # Resending the same transaction (the drop fault is used up) lands it.
    assert devnet.rpc("sendTransaction", [b64(tx), {"encoding": "base64", "skipPreflight": True}])["result"]
    assert devnet.rpc("getBalance", [str(to), {"commitment": "processed"}])["result"]["value"] == 10**6


def test_gateway_faults(devnet) -> None:
    cid = devnet.control("/ipfs/add", {"content": "print('fault')\n"})["cid"]
    url = f"{devnet.gateway_url}/ipfs/{cid}"
    good = http.request("GET", url)[1]
    devnet.control("/faults/gateway", {"cid": cid, "mode": "corrupt", "count": 1})
    bad = http.request("GET", url)[1]
    assert bad != good and len(bad) == len(good)
    assert http.request("GET", url)[1] == good
    devnet.control("/faults/gateway", {"cid": cid, "mode": "404", "count": 1})
    assert http.request("GET", url)[0] == 404
    devnet.control("/faults/gateway", {"mode": "504", "count": 1})
    assert http.request("GET", url)[0] == 504
    devnet.control("/faults/gateway", {"cid": cid, "mode": "slow", "delay_ms": 250, "count": 1})
    started = time.monotonic()
    assert http.request("GET", url)[1] == good and time.monotonic() - started >= 0.25


def test_pinata_failures(devnet) -> None:
    auth = {"Authorization": "Bearer test-jwt"}
    devnet.control("/faults/pinata", {"count": 2, "status": 503})
    for _ in range(2):
        assert http.request("POST", f"{devnet.pinata_url}/pinning/pinJSONToIPFS", headers=auth, json_body={"pinataContent": {"a": 1}})[0] == 503
    assert http.request("POST", f"{devnet.pinata_url}/pinning/pinJSONToIPFS", headers=auth, json_body={"pinataContent": {"a": 1}})[0] == 200


def test_ten_thousand_jobs(devnet) -> None:
    from solana.rpc.api import Client
    from solana.rpc.types import MemcmpOpts
    from solders.pubkey import Pubkey

    from ..base58 import b58encode
    from ..chain import cloudmesh as cm

    started = time.monotonic()
    out = devnet.control("/jobs/bulk", {"count": 10_000, "status": "completed"})
    pending = devnet.control("/jobs/bulk", {"count": 5, "status": "pending", "owner_secret_key": out["owner_secret_key"], "title_prefix": "p"})
    assert out["count"] == 10_000 and time.monotonic() - started < 15
    client = Client(devnet.rpc_url, timeout=60)
    started = time.monotonic()
    accounts = client.get_program_accounts(Pubkey.from_string(devnet.program_id), encoding="base64",
                                           filters=[308, MemcmpOpts(offset=8, bytes=out["owner"])]).value
    elapsed = time.monotonic() - started
    assert len(accounts) == 10_005 and elapsed < 5, elapsed  # backdated: visible at the default (finalized) commitment
    statuses = [cm.Job.deserialize(bytes(a.account.data)).status for a in accounts]
    assert statuses.count(cm.PENDING) == 5
    job = pending["jobs"][0]
    done = devnet.control("/jobs/complete", {"job": job})
    assert done["err"] is None
    assert devnet.control(f"/jobs/{job}", method="GET")["status"] == "Completed"
    assert client.get_account_info(Pubkey.from_string(job), commitment=Processed).value.lamports == 3_034_560
