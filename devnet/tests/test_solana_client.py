"""Wire compatibility: the real `solana` PyPI client (sync and async) against the devnet."""

from __future__ import annotations

import asyncio
import base64

import pytest
from solana.exceptions import SolanaRpcException
from solana.rpc.api import Client
from solana.rpc.async_api import AsyncClient
from solana.rpc.commitment import Confirmed, Processed
from solana.rpc.core import RPCException
from solana.rpc.types import MemcmpOpts, TxOpts
from solders.keypair import Keypair
from solders.message import Message
from solders.pubkey import Pubkey
from solders.system_program import TransferParams, transfer
from solders.transaction import VersionedTransaction

from ..chain import cloudmesh as cm
from .conftest import poll
from .helpers import load_keypair

LAMPORTS = 1_000_000_000


def test_ready_line_and_startup(devnet) -> None:
    info = devnet.info
    for key in ("rpc_url", "ws_url", "ipfs_api_url", "gateway_url", "pinata_url", "control_url", "faucet_keypair", "program_ids"):
        assert key in info
    assert all(info[k].startswith(("http://127.0.0.1:", "ws://127.0.0.1:")) for k in info if k.endswith("_url"))
    assert info["startup_seconds"] < 3
    assert len(load_keypair(info["faucet_keypair"]).pubkey().__bytes__()) == 32


def test_version_blockhash_airdrop_and_statuses(devnet) -> None:
    client = Client(devnet.rpc_url, commitment=Confirmed)
    assert client.get_version().value.solana_core
    assert client.is_connected()
    bh = client.get_latest_blockhash()
    assert bh.value.last_valid_block_height == bh.context.slot + 150
    kp = Keypair()
    sig = client.request_airdrop(kp.pubkey(), 2 * LAMPORTS).value

    def confirmed():
        st = client.get_signature_statuses([sig]).value[0]
        return st is not None and st.confirmation_status is not None and str(st.confirmation_status).endswith("Confirmed") and st

    status = poll(confirmed)
    assert status.err is None
    assert client.get_balance(kp.pubkey()).value == 2 * LAMPORTS
    assert client.get_balance(kp.pubkey(), commitment=Processed).value == 2 * LAMPORTS


def test_send_transaction_transfer_and_get_transaction(devnet) -> None:
    client = Client(devnet.rpc_url, commitment=Confirmed)
    payer = load_keypair(devnet.faucet_keypair)
    to = Keypair().pubkey()
    blockhash = client.get_latest_blockhash().value.blockhash
    msg = Message.new_with_blockhash([transfer(TransferParams(from_pubkey=payer.pubkey(), to_pubkey=to, lamports=LAMPORTS))], payer.pubkey(), blockhash)
    tx = VersionedTransaction(msg, [payer])
    sig = client.send_transaction(tx, opts=TxOpts(preflight_commitment=Confirmed)).value
    assert sig == tx.signatures[0]
    client.confirm_transaction(sig, commitment=Confirmed, sleep_seconds=0.05)
    got = client.get_transaction(sig, commitment=Confirmed, max_supported_transaction_version=0).value
    assert got is not None
    meta = got.transaction.meta
    assert meta.err is None and meta.fee == 5000
    assert meta.pre_balances[0] - meta.post_balances[0] == LAMPORTS + 5000
    assert any("Program 11111111111111111111111111111111 success" in line for line in meta.log_messages)
    assert client.get_balance(to, commitment=Confirmed).value == LAMPORTS


def test_program_accounts_with_memcmp(devnet) -> None:
    created = devnet.control("/jobs", {"title": "memcmp-job", "code": "print(1)"})
    assert created["err"] is None
    client = Client(devnet.rpc_url, commitment=Processed)
    disc = cm.JOB_DISCRIMINATOR
    from ..base58 import b58encode
    res = client.get_program_accounts(
        Pubkey.from_string(devnet.program_id), encoding="base64",
        filters=[308, MemcmpOpts(offset=0, bytes=b58encode(disc)), MemcmpOpts(offset=8, bytes=created["owner"])],
    ).value
    assert [str(a.pubkey) for a in res] == [created["job"]]
    job = cm.Job.deserialize(bytes(res[0].account.data))
    assert job.title == "memcmp-job" and job.status == cm.PENDING and job.code_cid == created["code_cid"]
    assert res[0].account.lamports == client.get_minimum_balance_for_rent_exemption(308).value == 3_034_560


def test_preflight_failure_is_32002(devnet) -> None:
    created = devnet.control("/jobs", {"title": "preflight-job"})
    devnet.control("/jobs/complete", {"job": created["job"]})
    client = Client(devnet.rpc_url, commitment=Processed)
    worker = Keypair()
    devnet.control("/fund", {"pubkey": str(worker.pubkey())})
    blockhash = client.get_latest_blockhash(Processed).value.blockhash
    ix = cm.complete_job_ix(Pubkey.from_string(devnet.program_id), Pubkey.from_string(created["job"]), worker.pubkey(), "QmX", 5)
    tx = VersionedTransaction(Message.new_with_blockhash([ix], worker.pubkey(), blockhash), [worker])
    with pytest.raises(RPCException) as exc:
        client.send_transaction(tx, opts=TxOpts(preflight_commitment=Processed))
    data = exc.value.args[0]
    from solders.rpc.errors import SendTransactionPreflightFailureMessage

    assert isinstance(data, SendTransactionPreflightFailureMessage)  # solders recognised code -32002
    assert data.data.err is not None and data.data.units_consumed > 0
    assert "custom program error: 0x1773" in data.message
    assert any("Error Code: JobAlreadyCompleted. Error Number: 6003. Error Message: Job is already completed." in line for line in data.data.logs)


def test_async_client(devnet) -> None:
    async def scenario() -> None:
        async with AsyncClient(devnet.rpc_url, commitment=Confirmed) as client:
            assert (await client.get_version()).value.solana_core
            kp = Keypair()
            sig = (await client.request_airdrop(kp.pubkey(), LAMPORTS)).value
            await client.confirm_transaction(sig, commitment=Confirmed, sleep_seconds=0.05)
            statuses = (await client.get_signature_statuses([sig])).value
            assert statuses[0] is not None and statuses[0].err is None
            assert (await client.get_balance(kp.pubkey())).value == LAMPORTS
            accounts = (await client.get_program_accounts(Pubkey.from_string(devnet.program_id), encoding="base64", filters=[308])).value
            assert isinstance(accounts, list)
            bh = (await client.get_latest_blockhash()).value.blockhash
            to = Keypair().pubkey()
            tx = VersionedTransaction(Message.new_with_blockhash([transfer(TransferParams(from_pubkey=kp.pubkey(), to_pubkey=to, lamports=10_000_000))], kp.pubkey(), bh), [kp])
            sig2 = (await client.send_transaction(tx, opts=TxOpts(preflight_commitment=Confirmed))).value
            await client.confirm_transaction(sig2, commitment=Confirmed, sleep_seconds=0.05)
            assert (await client.get_balance(to)).value == 10_000_000

    asyncio.run(scenario())


def test_batch_unknown_method_and_bad_params(devnet) -> None:
    from . import requests_shim as http
    import json

    status, body = http.request("POST", devnet.rpc_url, json_body=[
        {"jsonrpc": "2.0", "id": 1, "method": "getSlot", "params": [{"commitment": "processed"}]},
        {"jsonrpc": "2.0", "id": 2, "method": "noSuchMethod"},
        {"jsonrpc": "2.0", "id": 3, "method": "getBalance", "params": ["not-a-key"]},
        {"jsonrpc": "2.0", "id": 4, "method": "getHealth"},
    ])
    out = {r["id"]: r for r in json.loads(body)}
    assert status == 200 and isinstance(out[1]["result"], int)
    assert out[2]["error"]["code"] == -32601
    assert out[3]["error"]["code"] == -32602
    assert out[4]["result"] == "ok"
    status, body = http.request("POST", devnet.rpc_url, data=b"{not json", headers={"Content-Type": "application/json"})
    assert json.loads(body)["error"]["code"] == -32700


def test_send_transaction_base58_and_base64(devnet) -> None:
    from ..base58 import b58encode

    payer = load_keypair(devnet.faucet_keypair)
    for encoding in ("base58", "base64"):
        bh = devnet.rpc("getLatestBlockhash", [{"commitment": "confirmed"}])["result"]["value"]["blockhash"]
        from solders.hash import Hash

        to = Keypair().pubkey()
        tx = VersionedTransaction(Message.new_with_blockhash([transfer(TransferParams(from_pubkey=payer.pubkey(), to_pubkey=to, lamports=1_000_000))], payer.pubkey(), Hash.from_string(bh)), [payer])
        wire = b58encode(bytes(tx)) if encoding == "base58" else base64.b64encode(bytes(tx)).decode()
        params: list = [wire] if encoding == "base58" else [wire, {"encoding": "base64", "preflightCommitment": "confirmed"}]
        if encoding == "base58":
            params.append({"preflightCommitment": "confirmed"})
        res = devnet.rpc("sendTransaction", params)
        assert res["result"] == str(tx.signatures[0]), res
        assert devnet.rpc("getBalance", [str(to), {"commitment": "processed"}])["result"]["value"] == 1_000_000


def test_fee_for_message_simulate_and_prioritization_fees(devnet) -> None:
    from solders.compute_budget import set_compute_unit_limit, set_compute_unit_price

    payer = load_keypair(devnet.faucet_keypair)
    client = Client(devnet.rpc_url, commitment=Confirmed)
    bh = client.get_latest_blockhash().value.blockhash
    recipient = Keypair().pubkey()
    ixs = [set_compute_unit_limit(100_000), set_compute_unit_price(10_000),
           transfer(TransferParams(from_pubkey=payer.pubkey(), to_pubkey=recipient, lamports=1_000_000))]
    msg = Message.new_with_blockhash(ixs, payer.pubkey(), bh)
    assert client.get_fee_for_message(msg).value == 5000 + 1000
    tx = VersionedTransaction(msg, [payer])
    sim = client.simulate_transaction(tx).value
    assert sim.err is None and sim.units_consumed > 0 and sim.logs
    sig = client.send_transaction(tx, opts=TxOpts(preflight_commitment=Confirmed)).value
    client.confirm_transaction(sig, commitment=Confirmed, sleep_seconds=0.05)
    # Ask about the fresh recipient only: a slot's value is the lowest price among the transactions that
    # lock the account, and the faucet is locked by other tests' transfers too (price 0, same 50 ms slot).
    fees = client.get_recent_prioritization_fees([recipient]).value
    assert any(f.prioritization_fee == 10_000 for f in fees)
    meta = client.get_transaction(sig, commitment=Confirmed).value.transaction.meta
    assert meta.fee == 6000
