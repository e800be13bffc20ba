"""The control endpoint (test-only): fault injection, slot warps, funding and job helpers."""

from __future__ import annotations

import base64
import json
import time
from typing import Any, Callable, Optional

from aiohttp import web
from solders.account import Account
from solders.keypair import Keypair
from solders.pubkey import Pubkey

from .chain import cloudmesh
from .chain.ledger import Ledger
from .faults import Faults, GatewayFault, RpcFault
from .index import PackageIndex
from .ipfs.blockstore import BlockStore
from .ipfs.cid import CID, CODECS, DAG_PB, HASHES, SHA2_256, multihash, multihash_matches
from .ipfs.unixfs import build_dag_bomb
from .traffic import Traffic

DEFAULT_FUND = 10 * 10**9


class ControlError(Exception):
    """A bad control request (answered with HTTP 400 and {"error": message})."""


def _keypair(value: Any) -> Optional[Keypair]:
    if value is None:
        return None
    try:
        return Keypair.from_bytes(bytes(value))
    except (TypeError, ValueError):
        raise ControlError("secret key must be a JSON array of 64 numbers (Solana CLI keypair format)") from None


def _pubkey(value: Any, what: str) -> Pubkey:
    try:
        return Pubkey.from_string(value)
    except (TypeError, ValueError):
        raise ControlError(f"{what} is not a base58 public key") from None


class Control:
    """Routes of the control API (documented in devnet/README.md)."""

    def __init__(self, ledger: Ledger, store: BlockStore, faults: Faults, info: Callable[[], dict],
                 traffic: Optional[Traffic] = None, index: Optional[PackageIndex] = None) -> None:
        self.ledger, self.store, self.faults, self.info = ledger, store, faults, info
        self.traffic = traffic if traffic is not None else Traffic()
        self.index = index
        self.owners: dict[str, Keypair] = {}

    def app(self) -> web.Application:
        """The aiohttp application."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        routes = {
            "/reset": self.reset, "/faults/rpc": self.fault_rpc, "/faults/rpc-latency": self.fault_latency,
            "/faults/drop-transactions": self.fault_drop, "/faults/gateway": self.fault_gateway,
            "/faults/pinata": self.fault_pinata, "/faults/ipfs-api": self.fault_ipfs, "/faults/no-history": self.fault_no_history, "/slots/advance": self.advance,
            "/fund": self.fund, "/keypairs": self.keypair, "/ipfs/add": self.ipfs_add, "/jobs": self.create_job,
            "/jobs/bulk": self.bulk_jobs, "/jobs/complete": self.complete_job, "/jobs/cancel": self.cancel_job,
            "/jobs/mark-payment": self.mark_payment, "/accounts": self.put_account,
            "/faults/gateway/release": self.release_gateway, "/ipfs/blocks": self.ipfs_blocks, "/ipfs/dag-bomb": self.dag_bomb,
        }
        for path, fn in routes.items():
            app.router.add_post(path, self._wrap(fn))
        app.router.add_get("/status", self._wrap(self.status))
        app.router.add_get("/jobs/{address}", self._wrap(self.get_job))
        return app

    def _wrap(self, fn: Callable[[dict, web.Request], Any]) -> Callable[[web.Request], Any]:
        async def handler(request: web.Request) -> web.StreamResponse:
            body: dict = {}
            if request.method == "POST" and request.can_read_body:
                try:
                    body = await request.json()
                except ValueError:
                    return web.json_response({"error": "body must be JSON"}, status=400)
                if not isinstance(body, dict):
                    return web.json_response({"error": "body must be a JSON object"}, status=400)
            try:
                return web.json_response(fn(body, request))
            except ControlError as exc:
                return web.json_response({"error": str(exc)}, status=400)
        return handler

    def _program(self, body: dict) -> Pubkey:
        return _pubkey(body["program_id"], "program_id") if body.get("program_id") else self.ledger.program_ids[0]

    # ------------------------------------------------------------ status and faults

    def status(self, body: dict, request: web.Request) -> dict:
        faults = self.faults
        return {**self.info(), "slot": self.ledger.slot, "confirmed_slot": self.ledger.commitment_slot("confirmed"),
                "finalized_slot": self.ledger.finalized_slot, "transactions": self.ledger.transaction_count,
                "blocks": len(self.store), "faults": {
                    "rpc": [f.__dict__ for f in faults.rpc], "rpc_latency_ms": faults.rpc_latency_ms,
                    "drop_transactions": faults.drop_transactions, "gateway": [f.__dict__ for f in faults.gateway],
                    "pinata_failures": faults.pinata_failures, "ipfs_api_failures": faults.ipfs_api_failures,
                "no_history": faults.no_history},
                "gateway_held": faults.holds.count(), "gateway_held_by_cid": faults.holds.by_cid(),
                "gateway_held_total": faults.holds.total, "traffic": self.traffic.snapshot(),
                **({"index": self.index.status()} if self.index is not None else {})}

    def reset(self, body: dict, request: web.Request) -> dict:
        self.faults.reset()
        return {"ok": True}

    def fault_rpc(self, body: dict, request: web.Request) -> dict:
        status = int(body.get("status", 429))
        if status not in (429, 500, 502, 503):
            raise ControlError("status must be 429, 500, 502 or 503")
        self.faults.rpc.append(RpcFault(status, int(body.get("count", 1)), int(body.get("retry_after", 1)), body.get("methods")))
        return {"ok": True}

    def fault_latency(self, body: dict, request: web.Request) -> dict:
        self.faults.rpc_latency_ms = max(0, int(body.get("ms", 0)))
        return {"ok": True}

    def fault_drop(self, body: dict, request: web.Request) -> dict:
        self.faults.drop_transactions = max(0, int(body.get("count", 1)))
        return {"ok": True}

    def fault_gateway(self, body: dict, request: web.Request) -> dict:
        mode = body.get("mode")
        if mode not in ("corrupt", "404", "504", "slow", "hold"):
            raise ControlError("mode must be corrupt, 404, 504, slow or hold")
        delay = int(body.get("delay_ms", 2000 if mode == "slow" else 0))
        if delay < 0:
            raise ControlError("delay_ms must be >= 0")
        count = body.get("count")
        self.faults.gateway.append(GatewayFault(mode, body.get("cid"), int(count) if count is not None else None, delay))
        return {"ok": True}

    def release_gateway(self, body: dict, request: web.Request) -> dict:
        """Release the requests held for a CID (every CID without one); unless keep_fault, also drop that
        CID's slow/hold faults so later requests are served at once."""
        released = self.faults.release_gateway(body.get("cid"), bool(body.get("keep_fault", False)))
        return {"released": released, "gateway_held": self.faults.holds.count()}

    def fault_pinata(self, body: dict, request: web.Request) -> dict:
        self.faults.pinata_failures = max(0, int(body.get("count", 1)))
        self.faults.pinata_status = int(body.get("status", 500))
        return {"ok": True}

    def fault_no_history(self, body: dict, request: web.Request) -> dict:
        """{"on": true} makes getSignaturesForAddress and getTransaction answer -32011, like a node started
        without transaction history; {"on": false} (or /reset) serves history again."""
        self.faults.no_history = bool(body.get("on", True))
        return {"no_history": self.faults.no_history}

    def fault_ipfs(self, body: dict, request: web.Request) -> dict:
        self.faults.ipfs_api_failures = max(0, int(body.get("count", 1)))
        return {"ok": True}

    def advance(self, body: dict, request: web.Request) -> dict:
        n = int(body.get("slots", 1))
        if not 0 <= n <= 10_000:
            raise ControlError("slots must be between 0 and 10000")
        for _ in range(n):
            self.ledger.advance_slot()
        return {"slot": self.ledger.slot}

    # ------------------------------------------------------------ funds and content

    def fund(self, body: dict, request: web.Request) -> dict:
        key = _pubkey(body.get("pubkey"), "pubkey")
        outcome = self.ledger.airdrop(key, int(body.get("lamports", DEFAULT_FUND)))
        if outcome.err is not None:
            raise ControlError(f"funding failed: {outcome.err}")
        return {"signature": outcome.signature, "slot": self.ledger.slot}

    def keypair(self, body: dict, request: web.Request) -> dict:
        kp = Keypair()
        lamports = int(body.get("lamports", DEFAULT_FUND))
        sig = self.ledger.airdrop(kp.pubkey(), lamports).signature if lamports else None
        return {"pubkey": str(kp.pubkey()), "secret_key": list(bytes(kp)), "signature": sig}

    def _add_content(self, body: dict, version: int = 0) -> str:
        if "content_b64" in body:
            data = base64.b64decode(body["content_b64"])
        elif "code" in body or "content" in body:
            data = str(body.get("code", body.get("content"))).encode("utf-8")
        else:
            data = b"print('hello from cloudmesh')\n"
        root, _ = self.store.add_file(data, version)
        self.store.pins[str(root)] = {"name": "devnet-control"}
        return str(root)

    def ipfs_add(self, body: dict, request: web.Request) -> dict:
        return {"cid": self._add_content(body, int(body.get("cid_version", 0)))}

    @staticmethod
    def _code(value: Any, names: dict[str, int], what: str) -> int:
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
        if isinstance(value, str) and value in names:
            return names[value]
        raise ControlError(f"{what} must be one of {', '.join(names)} or a multicodec number")

    def ipfs_blocks(self, body: dict, request: web.Request) -> dict:
        """TEST-ONLY: store raw blocks (any DAG, e.g. a hostile one). Each entry is {"cid", "data_b64"}: the
        block must hash to the CID; or {"data_b64", "codec"?, "hash"?, "cid_version"?}: the devnet computes
        the CID. All or nothing."""
        entries = body.get("blocks")
        if not isinstance(entries, list) or not entries:
            raise ControlError("blocks must be a non-empty list of {cid?, data_b64, codec?, hash?, cid_version?}")
        blocks: list[tuple[CID, bytes]] = []
        for i, entry in enumerate(entries):
            if not isinstance(entry, dict):
                raise ControlError(f"blocks[{i}] must be an object")
            try:
                data = base64.b64decode(entry.get("data_b64", ""), validate=True)
            except (TypeError, ValueError):
                raise ControlError(f"blocks[{i}].data_b64 must be base64") from None
            if entry.get("cid"):
                try:
                    cid = CID.parse(str(entry["cid"]))
                    ok = multihash_matches(cid.multihash, data)
                except ValueError as exc:
                    raise ControlError(f"blocks[{i}].cid {entry['cid']!r} cannot be verified: {exc}") from None
                if not ok:
                    raise ControlError(f"blocks[{i}] does not hash to its CID {entry['cid']}")
            else:
                codec = self._code(entry.get("codec", "raw"), CODECS, f"blocks[{i}].codec")
                hash_code = self._code(entry.get("hash", "sha2-256"), HASHES, f"blocks[{i}].hash")
                version = int(entry.get("cid_version", 0 if codec == DAG_PB and hash_code == SHA2_256 else 1))
                if version not in (0, 1) or (version == 0 and (codec != DAG_PB or hash_code != SHA2_256)):
                    raise ControlError(f"blocks[{i}]: a CIDv0 is dag-pb with sha2-256 only")
                try:
                    cid = CID(version, codec, multihash(data, hash_code))
                except ValueError as exc:
                    raise ControlError(f"blocks[{i}]: {exc}") from None
            blocks.append((cid, data))
        for cid, data in blocks:
            self.store.put(cid, data)
        return {"cids": [str(cid) for cid, _ in blocks], "count": len(blocks)}

    def dag_bomb(self, body: dict, request: web.Request) -> dict:
        """TEST-ONLY: store a UnixFS DAG bomb (depth + 1 unique blocks, fanout ** depth paths; empty file)."""
        try:
            depth, fanout = int(body.get("depth", 30)), int(body.get("fanout", 2))
            version = int(body.get("cid_version", 0))
        except (TypeError, ValueError):
            raise ControlError("depth, fanout and cid_version must be integers") from None
        if not 0 <= depth <= 64 or not 1 <= fanout <= 4096 or version not in (0, 1):
            raise ControlError("depth must be 0..64, fanout 1..4096, cid_version 0 or 1")
        root, blocks = build_dag_bomb(depth, fanout, version)
        for cid, data in blocks:
            self.store.put(cid, data)
        self.store.pins[str(root)] = {"name": "devnet-dag-bomb"}
        paths = fanout**depth
        return {"cid": str(root), "depth": depth, "fanout": fanout, "blocks": len(blocks), "cids": [str(c) for c, _ in blocks],
                "paths": paths if paths <= 2**53 else str(paths), "filesize": 0,
                "largest_block": max(len(b) for _, b in blocks)}

    # ------------------------------------------------------------ jobs

    def _job_type(self, body: dict) -> int:
        value = body.get("job_type", 2)
        if isinstance(value, str):
            if value not in cloudmesh.JOB_TYPES:
                raise ControlError("job_type must be Cron, Api, Manual or 0..2")
            return cloudmesh.JOB_TYPES[value]
        return int(value)

    def create_job(self, body: dict, request: web.Request) -> dict:
        program = self._program(body)
        owner = _keypair(body.get("owner_secret_key")) or Keypair()
        if body.get("fund", True) and (self.ledger.svm.get_balance(owner.pubkey()) or 0) < 10**9:
            self.ledger.airdrop(owner.pubkey(), int(body.get("fund_lamports", DEFAULT_FUND)))
        code_cid = body.get("code_cid") or self._add_content(body)
        title = body.get("title") or f"job-{time.time_ns() % 10**12}"
        try:
            ix = cloudmesh.initialize_job_ix(program, owner.pubkey(), title, code_cid, self._job_type(body))
        except ValueError as exc:
            raise ControlError(f"title {title!r}: {exc}") from None
        outcome = self.ledger.sign_and_process([ix], [owner])
        job, _ = cloudmesh.job_address(owner.pubkey(), title, program)
        if outcome.err is None:
            self.owners[str(job)] = owner
        return {"job": str(job), "owner": str(owner.pubkey()), "owner_secret_key": list(bytes(owner)), "title": title,
                "code_cid": code_cid, "signature": outcome.signature, "err": outcome.err, "logs": outcome.logs, "slot": self.ledger.slot}

    def bulk_jobs(self, body: dict, request: web.Request) -> dict:
        """TEST-ONLY: writes Job accounts directly (no transactions), fast enough for 10,000 jobs; with
        "transactions": true, creates pending jobs with one real initialize_job transaction each instead."""
        program = self._program(body)
        count = int(body.get("count", 1))
        if not 0 < count <= 100_000:
            raise ControlError("count must be between 1 and 100000")
        status = {"pending": 0, "completed": 1, "cancelled": 2}.get(body.get("status", "pending"))
        if status is None:
            raise ControlError("status must be pending, completed or cancelled")
        owner = _keypair(body.get("owner_secret_key")) or Keypair()
        code_cid = body.get("code_cid") or self._add_content(body)
        result_cid = body.get("result_cid") or code_cid
        prefix = body.get("title_prefix") or f"bulk{time.time_ns() % 10**8}"
        backdate = bool(body.get("backdate", True))
        now = int(time.time())
        rent = self.ledger.rent_min(cloudmesh.JOB_SPACE)
        jobs = []
        if body.get("transactions"):
            # One real initialize_job transaction per job (a signature each, as a validator records them):
            # slower than writing accounts, but what incremental discovery reads. Pending jobs only.
            if status != 0:
                raise ControlError("transactions: true creates pending jobs only")
            if not 0 < count <= 20_000:
                raise ControlError("count must be between 1 and 20000 with transactions")
            self.ledger.airdrop(owner.pubkey(), 10**9 + count * (rent + 10**7))
            for i in range(count):
                title = f"{prefix}-{i}"
                ix = cloudmesh.initialize_job_ix(program, owner.pubkey(), title, code_cid, self._job_type(body))
                outcome = self.ledger.sign_and_process([ix], [owner])
                if outcome.err is not None:
                    raise ControlError(f"initialize_job {title!r} failed: {outcome.err}")
                address, _ = cloudmesh.job_address(owner.pubkey(), title, program)
                self.owners[str(address)] = owner
                jobs.append(str(address))
            return {"count": count, "jobs": jobs, "owner": str(owner.pubkey()), "owner_secret_key": list(bytes(owner)),
                    "code_cid": code_cid, "slot": self.ledger.slot}
        for i in range(count):
            title = f"{prefix}-{i}"
            address, bump = cloudmesh.job_address(owner.pubkey(), title, program)
            done = status != 0
            job = cloudmesh.Job(owner.pubkey(), title, code_cid, result_cid if status == 1 else "", now, now if done else 0,
                                status, 2, 1_000_000 if status == 1 else 0, False, bump)
            self.ledger.put_account(address, Account(rent, job.account_data(), program, False, cloudmesh.RENT_EPOCH_EXEMPT), backdate)
            self.owners[str(address)] = owner
            jobs.append(str(address))
        return {"count": count, "jobs": jobs, "owner": str(owner.pubkey()), "owner_secret_key": list(bytes(owner)), "code_cid": code_cid}

    def put_account(self, body: dict, request: web.Request) -> dict:
        """TEST-ONLY: writes raw account data (e.g. a program-owned account that is not a valid Job)."""
        try:
            data = base64.b64decode(body.get("data_b64", ""), validate=True)
        except (TypeError, ValueError):
            raise ControlError("data_b64 must be base64") from None
        address = _pubkey(body["address"], "address") if body.get("address") else Keypair().pubkey()
        owner = _pubkey(body["owner"], "owner") if body.get("owner") else self._program(body)
        lamports = int(body.get("lamports", self.ledger.rent_min(len(data))))
        self.ledger.put_account(address, Account(lamports, data, owner, False, cloudmesh.RENT_EPOCH_EXEMPT),
                                bool(body.get("backdate", True)))
        return {"address": str(address), "owner": str(owner), "lamports": lamports, "slot": self.ledger.slot}

    def _send(self, ixs: list, signers: list[Keypair]) -> dict:
        outcome = self.ledger.sign_and_process(ixs, signers)
        return {"signature": outcome.signature, "err": outcome.err, "logs": outcome.logs, "landed": outcome.landed, "slot": self.ledger.slot}

    def complete_job(self, body: dict, request: web.Request) -> dict:
        job = _pubkey(body.get("job"), "job")
        worker = _keypair(body.get("worker_secret_key"))
        if worker is None:
            worker = Keypair()
            self.ledger.airdrop(worker.pubkey(), DEFAULT_FUND)
        result_cid = body.get("result_cid") or self._add_content({"content": json.dumps({"stdout": "", "stderr": "", "returncode": 0})})
        ix = cloudmesh.complete_job_ix(self._program(body), job, worker.pubkey(), result_cid, int(body.get("cost", 1_000_000)))
        return {**self._send([ix], [worker]), "worker": str(worker.pubkey()), "result_cid": result_cid}

    def _owner_call(self, body: dict, kind: str) -> dict:
        job = _pubkey(body.get("job"), "job")
        owner = _keypair(body.get("owner_secret_key")) or self.owners.get(str(job))
        if owner is None:
            raise ControlError("owner_secret_key is required for a job the devnet did not create")
        return self._send([cloudmesh.owner_ix(self._program(body), job, owner.pubkey(), kind)], [owner])

    def cancel_job(self, body: dict, request: web.Request) -> dict:
        return self._owner_call(body, "cancel")

    def mark_payment(self, body: dict, request: web.Request) -> dict:
        return self._owner_call(body, "pay")

    def get_job(self, body: dict, request: web.Request) -> dict:
        key = str(_pubkey(request.match_info["address"], "address"))
        view = self.ledger.account(key, self.ledger.commitment_slot(request.query.get("commitment", "processed")))
        if view is None or len(view.data) < 8 or view.data[:8] != cloudmesh.JOB_DISCRIMINATOR:
            raise ControlError("no Job account at this address (at this commitment)")
        job = cloudmesh.Job.deserialize(view.data)
        return {"address": key, "owner": str(job.owner), "title": job.title, "code_cid": job.code_cid, "result_cid": job.result_cid,
                "start_time": job.start_time, "end_time": job.end_time, "status": ["Pending", "Completed", "Cancelled"][job.status],
                "job_type": ["Cron", "Api", "Manual"][job.job_type], "cost": job.cost, "cost_paid": job.cost_paid, "bump": job.bump,
                "lamports": view.lamports}
