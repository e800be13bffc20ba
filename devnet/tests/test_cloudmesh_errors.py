"""Every CloudMesh error path, through real signed transactions sent over JSON-RPC."""

from __future__ import annotations

import base64

import pytest
from solders.compute_budget import set_compute_unit_limit, set_compute_unit_price
from solders.instruction import AccountMeta, Instruction
from solders.keypair import Keypair
from solders.pubkey import Pubkey
from solders.system_program import TransferParams, transfer

from ..chain import cloudmesh as cm
from .helpers import b64, complete_ix, init_ix, owner_ix, signed

CID = "QmZULkCELmmk5XNfCgTnCyFgAVxBRBXyDHGGMVoLFLiXEN"


class Chain:
    """Small client over the raw RPC of a devnet."""

    def __init__(self, dn) -> None:
        self.dn = dn
        self.program = Pubkey.from_string(dn.program_id)

    def funded(self) -> Keypair:
        kp = Keypair()
        self.dn.control("/fund", {"pubkey": str(kp.pubkey()), "lamports": 10**10})
        return kp

    def blockhash(self) -> str:
        return self.dn.rpc("getLatestBlockhash", [{"commitment": "processed"}])["result"]["value"]["blockhash"]

    def send(self, ixs, signers, preflight: bool = False) -> dict:
        """Send; with skipPreflight the transaction lands even when it fails; returns the getTransaction meta."""
        tx = signed(ixs, signers, self.blockhash())
        res = self.dn.rpc("sendTransaction", [b64(tx), {"encoding": "base64", "skipPreflight": not preflight, "preflightCommitment": "processed"}])
        if "error" in res:
            return {"rpc_error": res["error"]}
        self.dn.control("/slots/advance", {"slots": 1}) if self.dn.info["slot_ms"] == 0 else None
        meta = None
        import time
        deadline = time.monotonic() + 5
        while meta is None and time.monotonic() < deadline:
            meta = self.dn.rpc("getTransaction", [res["result"], {"commitment": "confirmed", "encoding": "json"}])["result"]
        assert meta is not None, "transaction did not land"
        return meta["meta"]

    def job(self, owner: Keypair, title: str = "t", code: str = CID) -> Pubkey:
        meta = self.send([init_ix(self.program, owner.pubkey(), title, code)], [owner])
        assert meta["err"] is None, meta
        return cm.job_address(owner.pubkey(), title, self.program)[0]


@pytest.fixture()
def chain(devnet) -> Chain:
    return Chain(devnet)


def custom(meta: dict, index: int = 0) -> int:
    return meta["err"]["InstructionError"][1]["Custom"] if meta["err"]["InstructionError"][0] == index else -1


def anchor_line(meta: dict) -> str:
    return next(line for line in meta["logMessages"] if "AnchorError" in line)


def test_happy_path_logs_event_and_account(chain) -> None:
    owner, worker = chain.funded(), chain.funded()
    job = chain.job(owner, "happy")
    meta = chain.send([complete_ix(chain.program, job, worker.pubkey(), CID, 1_000_000)], [worker])
    assert meta["err"] is None and meta["fee"] == 5000
    logs = meta["logMessages"]
    assert logs[0] == f"Program {chain.program} invoke [1]"
    assert logs[1] == "Program log: Instruction: CompleteJob"
    event = base64.b64decode(logs[2].removeprefix("Program data: "))
    assert event[:8] == cm.EV_COMPLETED and event[8:40] == bytes(job)
    assert logs[-1] == f"Program {chain.program} success"
    info = chain.dn.rpc("getAccountInfo", [str(job), {"encoding": "base64", "commitment": "processed"}])["result"]["value"]
    data = base64.b64decode(info["data"][0])
    assert len(data) == 308 and info["owner"] == str(chain.program) and info["lamports"] == 3_034_560
    decoded = cm.Job.deserialize(data)
    assert decoded.status == cm.COMPLETED and decoded.result_cid == CID and decoded.cost == 1_000_000 and decoded.end_time > 0


def test_6000_empty_title(chain) -> None:
    owner = chain.funded()
    meta = chain.send([init_ix(chain.program, owner.pubkey(), "", CID)], [owner])
    assert custom(meta) == 6000
    assert "Error Code: InvalidTitle. Error Number: 6000. Error Message: Title must be between 1 and 100 characters." in anchor_line(meta)
    assert meta["logMessages"][-1] == f"Program {chain.program} failed: custom program error: 0x1770"


def test_title_longer_than_32_bytes_cannot_derive_address(chain) -> None:
    owner = chain.funded()
    meta = chain.send([init_ix(chain.program, owner.pubkey(), "x" * 33, CID, job=Keypair().pubkey())], [owner])
    assert meta["err"] == {"InstructionError": [0, "ProgramFailedToComplete"]}


def test_6001_invalid_cids(chain) -> None:
    owner, worker = chain.funded(), chain.funded()
    assert custom(chain.send([init_ix(chain.program, owner.pubkey(), "nocode", "")], [owner])) == 6001
    job = chain.job(owner, "cid")
    assert custom(chain.send([complete_ix(chain.program, job, worker.pubkey(), "", 5)], [worker])) == 6001
    meta = chain.send([complete_ix(chain.program, job, worker.pubkey(), "Q" * 101, 5)], [worker])
    assert custom(meta) == 6001 and "Error Code: InvalidCID. Error Number: 6001" in anchor_line(meta)


def test_6002_zero_cost(chain) -> None:
    owner, worker = chain.funded(), chain.funded()
    job = chain.job(owner, "cost")
    meta = chain.send([complete_ix(chain.program, job, worker.pubkey(), CID, 0)], [worker])
    assert custom(meta) == 6002 and "Error Message: Cost must be greater than 0." in anchor_line(meta)


def test_6003_race_loser_pays_fee(chain) -> None:
    owner, w1, w2 = chain.funded(), chain.funded(), chain.funded()
    job = chain.job(owner, "race")
    assert chain.send([complete_ix(chain.program, job, w1.pubkey(), CID, 7)], [w1])["err"] is None
    meta = chain.send([complete_ix(chain.program, job, w2.pubkey(), CID, 7)], [w2])
    assert meta["err"] == {"InstructionError": [0, {"Custom": 6003}]}
    assert meta["preBalances"][0] - meta["postBalances"][0] == 5000
    assert "Program log: AnchorError thrown in" in anchor_line(meta)
    assert "Error Code: JobAlreadyCompleted. Error Number: 6003. Error Message: Job is already completed." in anchor_line(meta)
    assert meta["logMessages"][-1] == f"Program {chain.program} failed: custom program error: 0x1773"


def test_6004_6005_6006_cancel_paths(chain) -> None:
    owner, worker = chain.funded(), chain.funded()
    job = chain.job(owner, "cancel")
    assert chain.send([owner_ix(chain.program, job, owner.pubkey(), "cancel")], [owner])["err"] is None
    assert custom(chain.send([complete_ix(chain.program, job, worker.pubkey(), CID, 5)], [worker])) == 6004
    assert custom(chain.send([owner_ix(chain.program, job, owner.pubkey(), "cancel")], [owner])) == 6005
    done = chain.job(owner, "done")
    chain.send([complete_ix(chain.program, done, worker.pubkey(), CID, 5)], [worker])
    assert custom(chain.send([owner_ix(chain.program, done, owner.pubkey(), "cancel")], [owner])) == 6006
    pending = chain.job(owner, "pending")
    assert custom(chain.send([owner_ix(chain.program, pending, owner.pubkey(), "pay")], [owner])) == 6006


def test_6007_6008_payment_and_owner(chain) -> None:
    owner, worker, stranger = chain.funded(), chain.funded(), chain.funded()
    job = chain.job(owner, "pay")
    chain.send([complete_ix(chain.program, job, worker.pubkey(), CID, 5)], [worker])
    assert custom(chain.send([owner_ix(chain.program, job, stranger.pubkey(), "pay")], [stranger])) == 6008
    assert custom(chain.send([owner_ix(chain.program, job, stranger.pubkey(), "cancel")], [stranger])) == 6008
    meta = chain.send([owner_ix(chain.program, job, owner.pubkey(), "pay")], [owner])
    assert meta["err"] is None and any(line.startswith("Program data: ") for line in meta["logMessages"])
    assert custom(chain.send([owner_ix(chain.program, job, owner.pubkey(), "pay")], [owner])) == 6007


def test_3004_result_cid_does_not_fit(chain) -> None:
    owner, worker = chain.funded(), chain.funded()
    title = "t" * 32
    job = chain.job(owner, title, code="b" * 100)
    meta = chain.send([complete_ix(chain.program, job, worker.pubkey(), "c" * 97, 5)], [worker])
    assert custom(meta) == 3004
    assert "AnchorError caused by account: job. Error Code: AccountDidNotSerialize. Error Number: 3004" in anchor_line(meta)
    assert chain.send([complete_ix(chain.program, job, worker.pubkey(), "c" * 96, 5)], [worker])["err"] is None


def test_account_errors_3010_3012_3007_2000_2006_101_and_reinit(chain) -> None:
    owner, worker, payer = chain.funded(), chain.funded(), chain.funded()
    job = chain.job(owner, "acct")
    meta = chain.send([complete_ix(chain.program, job, worker.pubkey(), CID, 5, signer=False)], [payer])
    assert custom(meta) == 3010 and "caused by account: worker" in anchor_line(meta)
    assert custom(chain.send([complete_ix(chain.program, Keypair().pubkey(), worker.pubkey(), CID, 5)], [worker])) == 3012
    meta = chain.send([complete_ix(chain.program, payer.pubkey(), worker.pubkey(), CID, 5)], [worker])
    assert custom(meta) == 3007 and "Program log: Left:" in meta["logMessages"]
    assert custom(chain.send([complete_ix(chain.program, job, worker.pubkey(), CID, 5, writable=False)], [worker])) == 2000
    assert custom(chain.send([init_ix(chain.program, owner.pubkey(), "seeds", CID, job=Keypair().pubkey())], [owner])) == 2006
    assert custom(chain.send([Instruction(chain.program, b"\x01" * 8, [AccountMeta(job, False, True)])], [worker])) == 101
    meta = chain.send([init_ix(chain.program, owner.pubkey(), "acct", CID)], [owner])
    assert meta["err"] == {"InstructionError": [0, {"Custom": 0}]}
    assert any("already in use" in line for line in meta["logMessages"])


def test_atomic_compute_budget_transfer_and_failing_instruction(chain) -> None:
    owner, worker = chain.funded(), chain.funded()
    job = chain.job(owner, "atomic")
    chain.send([complete_ix(chain.program, job, worker.pubkey(), CID, 5)], [worker])
    to = Keypair().pubkey()
    ixs = [set_compute_unit_limit(50_000), set_compute_unit_price(1_000_000),
           transfer(TransferParams(from_pubkey=worker.pubkey(), to_pubkey=to, lamports=10**9)),
           complete_ix(chain.program, job, worker.pubkey(), CID, 5)]
    meta = chain.send(ixs, [worker])
    assert meta["err"] == {"InstructionError": [3, {"Custom": 6003}]}
    assert meta["fee"] == 5000 + 50_000  # priority fee: ceil(1_000_000 µlamports × 50_000 CU / 1e6)
    assert meta["preBalances"][0] - meta["postBalances"][0] == meta["fee"]
    assert chain.dn.rpc("getBalance", [str(to), {"commitment": "processed"}])["result"]["value"] == 0
    ixs[3] = complete_ix(chain.program, chain.job(owner, "atomic2"), worker.pubkey(), CID, 5)
    meta = chain.send(ixs, [worker])
    assert meta["err"] is None
    assert chain.dn.rpc("getBalance", [str(to), {"commitment": "processed"}])["result"]["value"] == 10**9


def test_compute_limit_exceeded_and_insufficient_owner_funds(chain) -> None:
    owner, worker = chain.funded(), chain.funded()
    job = chain.job(owner, "cu")
    meta = chain.send([set_compute_unit_limit(1_000), complete_ix(chain.program, job, worker.pubkey(), CID, 5)], [worker])
    assert meta["err"] == {"InstructionError": [1, "ComputationalBudgetExceeded"]}
    poor = Keypair()
    chain.dn.control("/fund", {"pubkey": str(poor.pubkey()), "lamports": 1_000_000})
    meta = chain.send([init_ix(chain.program, poor.pubkey(), "poor", CID)], [poor])
    assert meta["err"] == {"InstructionError": [0, {"Custom": 1}]}


def test_preflight_rejection_changes_nothing(chain) -> None:
    owner, worker = chain.funded(), chain.funded()
    job = chain.job(owner, "pf")
    chain.send([complete_ix(chain.program, job, worker.pubkey(), CID, 5)], [worker])
    before = chain.dn.rpc("getBalance", [str(worker.pubkey()), {"commitment": "processed"}])["result"]["value"]
    res = chain.send([complete_ix(chain.program, job, worker.pubkey(), CID, 6)], [worker], preflight=True)
    err = res["rpc_error"]
    assert err["code"] == -32002
    assert err["message"] == "Transaction simulation failed: Error processing Instruction 0: custom program error: 0x1773"
    assert set(err["data"]) >= {"err", "logs", "unitsConsumed", "accounts", "returnData"}
    assert err["data"]["accounts"] is None and err["data"]["returnData"] is None
    assert chain.dn.rpc("getBalance", [str(worker.pubkey()), {"commitment": "processed"}])["result"]["value"] == before


def test_bad_signature_and_stale_blockhash(chain) -> None:
    worker = chain.funded()
    tx = signed([transfer(TransferParams(from_pubkey=worker.pubkey(), to_pubkey=Keypair().pubkey(), lamports=10**6))], [worker], chain.blockhash())
    raw = bytearray(bytes(tx))
    raw[5] ^= 0xFF
    res = chain.dn.rpc("sendTransaction", [base64.b64encode(bytes(raw)).decode(), {"encoding": "base64", "preflightCommitment": "processed"}])
    assert res["error"]["code"] == -32003
    stale = signed([transfer(TransferParams(from_pubkey=worker.pubkey(), to_pubkey=Keypair().pubkey(), lamports=10**6))], [worker], "11111111111111111111111111111111")
    res = chain.dn.rpc("sendTransaction", [b64(stale), {"encoding": "base64"}])
    assert res["error"]["code"] == -32002 and res["error"]["data"]["err"] == "BlockhashNotFound"
