"""Commitment lag (manual clock: slots advance only through the control API) and PubSub notifications."""

from __future__ import annotations

import asyncio
import base64
import json

import websockets
from solana.rpc.commitment import Confirmed, Processed
from solana.rpc.websocket_api import connect
from solana.rpc.types import MemcmpOpts
from solders.keypair import Keypair
from solders.pubkey import Pubkey
from solders.rpc.config import RpcTransactionLogsFilter
from solders.system_program import TransferParams, transfer

from ..base58 import b58encode
from ..chain import cloudmesh as cm
from .helpers import b64, complete_ix, signed


def test_reads_lag_by_commitment(manual_devnet) -> None:
    dn = manual_devnet
    created = dn.control("/jobs", {"title": "lag"})
    job = created["job"]

    def visible(commitment: str) -> bool:
        return dn.rpc("getAccountInfo", [job, {"encoding": "base64", "commitment": commitment}])["result"]["value"] is not None

    def gpa(commitment: str) -> list:
        return dn.rpc("getProgramAccounts", [dn.program_id, {"encoding": "base64", "commitment": commitment, "filters": [{"dataSize": 308}]}])["result"]

    status = lambda: dn.rpc("getSignatureStatuses", [[created["signature"]]])["result"]["value"][0]  # noqa: E731
    assert visible("processed") and not visible("confirmed") and not visible("finalized") and not visible(None)
    assert job in [a["pubkey"] for a in gpa("processed")] and job not in [a["pubkey"] for a in gpa("confirmed")]
    assert status()["confirmationStatus"] == "processed" and status()["confirmations"] == 0
    assert dn.rpc("getTransaction", [created["signature"], {"commitment": "confirmed"}])["result"] is None
    dn.control("/slots/advance", {"slots": 1})
    assert visible("confirmed") and not visible("finalized")
    assert status()["confirmationStatus"] == "confirmed"
    assert dn.rpc("getTransaction", [created["signature"], {"commitment": "confirmed"}])["result"] is not None
    assert dn.rpc("getTransaction", [created["signature"]])["result"] is None
    dn.control("/slots/advance", {"slots": 30})
    assert not visible("finalized")
    dn.control("/slots/advance", {"slots": 1})
    assert visible("finalized") and job in [a["pubkey"] for a in gpa("finalized")]
    assert status()["confirmationStatus"] == "finalized" and status()["confirmations"] is None
    # A later change is seen at confirmed/finalized only when those levels reach it.
    dn.control("/jobs/complete", {"job": job})
    read = lambda c: json.loads(json.dumps(dn.control(f"/jobs/{job}?commitment={c}", method="GET")))["status"]  # noqa: E731
    assert read("processed") == "Completed" and read("confirmed") == "Pending" and read("finalized") == "Pending"
    dn.control("/slots/advance", {"slots": 1})
    assert read("confirmed") == "Completed" and read("finalized") == "Pending"


def test_blockhash_expires_after_150_slots(manual_devnet) -> None:
    dn = manual_devnet
    payer = Keypair()
    dn.control("/fund", {"pubkey": str(payer.pubkey())})
    latest = dn.rpc("getLatestBlockhash", [{"commitment": "processed"}])["result"]
    bh = latest["value"]["blockhash"]
    assert latest["value"]["lastValidBlockHeight"] == latest["context"]["slot"] + 150
    dn.control("/slots/advance", {"slots": 150})
    assert dn.rpc("isBlockhashValid", [bh, {"commitment": "processed"}])["result"]["value"] is True
    dn.control("/slots/advance", {"slots": 1})
    assert dn.rpc("isBlockhashValid", [bh, {"commitment": "processed"}])["result"]["value"] is False
    tx = signed([transfer(TransferParams(from_pubkey=payer.pubkey(), to_pubkey=Keypair().pubkey(), lamports=10**6))], [payer], bh)
    res = dn.rpc("sendTransaction", [b64(tx), {"encoding": "base64", "preflightCommitment": "processed"}])
    assert res["error"]["code"] == -32002 and res["error"]["data"]["err"] == "BlockhashNotFound"


def test_program_account_signature_slot_subscriptions(devnet) -> None:
    async def scenario() -> None:
        async with connect(devnet.ws_url) as ws:
            await ws.program_subscribe(Pubkey.from_string(devnet.program_id), commitment=Processed, encoding="base64",
                                       filters=[MemcmpOpts(offset=0, bytes=b58encode(cm.JOB_DISCRIMINATOR))])
            program_sub = (await ws.recv())[0].result
            await ws.slot_subscribe()
            slot_sub = (await ws.recv())[0].result
            created = devnet.control("/jobs", {"title": "ws-job"})
            job_notification = None
            slots = 0
            async with asyncio.timeout(30):  # bounds a failure only
                while job_notification is None or slots < 2:
                    for msg in await ws.recv():
                        if getattr(msg, "subscription", None) == program_sub and str(msg.result.value.pubkey) == created["job"]:
                            job_notification = msg
                        elif getattr(msg, "subscription", None) == slot_sub:
                            slots += 1
            job = cm.Job.deserialize(bytes(job_notification.result.value.account.data))
            assert job.title == "ws-job" and job.status == cm.PENDING
            await ws.account_subscribe(Pubkey.from_string(created["job"]), commitment=Confirmed, encoding="base64")
            account_sub = (await ws.recv())[0].result
            worker = Keypair()
            devnet.control("/fund", {"pubkey": str(worker.pubkey())})
            bh = devnet.rpc("getLatestBlockhash", [{"commitment": "processed"}])["result"]["value"]["blockhash"]
            tx = signed([complete_ix(Pubkey.from_string(devnet.program_id), Pubkey.from_string(created["job"]), worker.pubkey(), "QmR", 9)], [worker], bh)
            await ws.signature_subscribe(tx.signatures[0], commitment=Confirmed)
            sig_sub = (await ws.recv())[0].result
            await ws.logs_subscribe(RpcTransactionLogsFilter.All, commitment=Processed)
            logs_sub = (await ws.recv())[0].result
            assert devnet.rpc("sendTransaction", [b64(tx), {"encoding": "base64", "preflightCommitment": "processed"}])["result"]
            got = {}
            async with asyncio.timeout(30):  # bounds a failure only
                while not {account_sub, sig_sub, logs_sub} <= set(got):
                    for msg in await ws.recv():
                        if getattr(msg, "subscription", None) in (account_sub, sig_sub, logs_sub):
                            got.setdefault(msg.subscription, msg)
            assert got[sig_sub].result.value.err is None
            assert cm.Job.deserialize(bytes(got[account_sub].result.value.data)).status == cm.COMPLETED
            assert "Program log: Instruction: CompleteJob" in got[logs_sub].result.value.logs
            await ws.slot_unsubscribe(slot_sub)
            await ws.program_unsubscribe(program_sub)
            acks = 0
            async with asyncio.timeout(30):  # bounds a failure only
                while acks < 2:
                    for msg in await ws.recv():
                        if getattr(msg, "result", None) is True:
                            acks += 1

    asyncio.run(scenario())


def test_raw_websocket_shapes_and_errors(devnet) -> None:
    async def scenario() -> None:
        async with websockets.connect(devnet.ws_url) as ws:
            await ws.send(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "programSubscribe",
                                      "params": [devnet.program_id, {"encoding": "base64", "commitment": "confirmed", "filters": [{"dataSize": 308}]}]}))
            sub = json.loads(await ws.recv())
            assert sub == {"jsonrpc": "2.0", "result": sub["result"], "id": 1}
            created = devnet.control("/jobs", {"title": "raw-ws"})
            async with asyncio.timeout(30):  # bounds a failure only
                while True:
                    note = json.loads(await ws.recv())
                    if note["params"]["result"]["value"]["pubkey"] == created["job"]:
                        break
            assert note["method"] == "programNotification" and note["params"]["subscription"] == sub["result"]
            account = note["params"]["result"]["value"]["account"]
            assert set(account) == {"data", "executable", "lamports", "owner", "rentEpoch", "space"} and account["space"] == 308
            assert account["data"][1] == "base64" and len(base64.b64decode(account["data"][0])) == 308
            assert isinstance(note["params"]["result"]["context"]["slot"], int)
            await ws.send(json.dumps({"jsonrpc": "2.0", "id": 2, "method": "accountUnsubscribe", "params": [987654]}))
            assert json.loads(await ws.recv())["error"]["code"] == -32602
            await ws.send(json.dumps({"jsonrpc": "2.0", "id": 3, "method": "bogusSubscribe", "params": []}))
            assert json.loads(await ws.recv())["error"]["code"] == -32601

    asyncio.run(scenario())
