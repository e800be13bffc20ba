"""REFERENCE WORKER (benchmark baseline and stand-in, not the product): the seed's design in Python.

This is the design `shared/seed/WORKER_README.md` describes, rebuilt so the benchmarks have a baseline
to compare the Swift `cloudmesh-worker` against (and so the harness can be tested before that exists):

- discovery by polling `getProgramAccounts` (all Job accounts of the program, full data) every
  POLL_INTERVAL seconds (seed: 10), decoding every account client-side and keeping the Pending ones;
- per job: download the code from the gateway (no CID verification), run `python3` in a subprocess
  with EXECUTION_TIMEOUT, capture stdout/stderr whole (no cap), publish {stdout, stderr, returncode,
  executed_at} with Pinata's pinJSONToIPFS, send complete_job and wait until it is confirmed.

Deviations from the seed, so the comparison is fair and the harness can use it:
- it reads at `confirmed` and remembers the jobs it handled (the seed read at the default commitment);
- MAX_CONCURRENT_JOBS jobs run at once (seed: one at a time; default 1 here too);
- SANDBOX=bwrap wraps python3 in bubblewrap with the Swift worker's arguments, `bench/bwrap_policy.py` (seed: no sandbox);
- SUBSCRIBE=true adds a `programSubscribe` at `confirmed` (NOT the seed's design; off by default) so the
  harness's subscription path can be exercised without the Swift worker;
- `run --once` polls once, runs what it found, and exits.

Configuration: the Swift worker's environment variables (SOLANA_RPC_URL, SOLANA_WS_URL, PROGRAM_ID,
WORKER_KEYPAIR_PATH, PINATA_JWT, PINATA_API_URL, IPFS_GATEWAY_URL, POLL_INTERVAL, EXECUTION_TIMEOUT,
COST_LAMPORTS, MAX_CONCURRENT_JOBS, SANDBOX, SUBSCRIBE).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import datetime
import hashlib
import json
import os
import struct
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Optional

import aiohttp
import websockets
from solders.hash import Hash
from solders.instruction import AccountMeta, Instruction
from solders.keypair import Keypair
from solders.message import Message
from solders.pubkey import Pubkey
from solders.transaction import Transaction

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bwrap_policy import PYTHON, bwrap_args, code_descriptor  # noqa: E402  (bench/bwrap_policy.py, shared with the throughput ceiling)

JOB_DISCRIMINATOR = hashlib.sha256(b"account:Job").digest()[:8]
COMPLETE_JOB = hashlib.sha256(b"global:complete_job").digest()[:8]
JOB_SPACE = 308
B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def b58encode(data: bytes) -> str:
    """Base58 (Bitcoin alphabet)."""
    n = int.from_bytes(data, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = B58[r] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def decode_job(data: bytes) -> Optional[dict]:
    """The fields of a Job account the worker needs, or None when it is not a well-formed Job."""
    if len(data) < 8 or data[:8] != JOB_DISCRIMINATOR:
        return None
    pos = 8 + 32
    strings = []
    try:
        for _ in range(3):
            (n,) = struct.unpack_from("<I", data, pos)
            pos += 4
            if pos + n > len(data):
                return None
            strings.append(data[pos:pos + n].decode("utf-8"))
            pos += n
        start, end = struct.unpack_from("<qq", data, pos)
        status = data[pos + 16]
    except (struct.error, IndexError, UnicodeDecodeError):
        return None
    return {"title": strings[0], "code_cid": strings[1], "result_cid": strings[2], "status": status}


def load_keypair(path: Path) -> Keypair:
    """A Solana CLI keypair file, created (mode 0600) when missing."""
    if path.exists():
        return Keypair.from_bytes(bytes(json.loads(path.read_text())))
    kp = Keypair()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(list(bytes(kp)), f)
    print(f"created worker keypair, address {kp.pubkey()}", flush=True)
    return kp


class ReferenceWorker:
    """Poll (and optionally subscribe), run, publish, settle."""

    def __init__(self, env: dict[str, str]) -> None:
        self.rpc_url = env.get("SOLANA_RPC_URL", "http://localhost:8899")
        self.ws_url = env.get("SOLANA_WS_URL", "")
        self.program = Pubkey.from_string(env.get("PROGRAM_ID", "2pbdwB29EXvsfEcigJrMwEaDx2T16zZ47aK5oGabjx7S"))
        self.keypair = load_keypair(Path(env.get("WORKER_KEYPAIR_PATH", "./worker-keypair.json")))
        self.jwt = env.get("PINATA_JWT") or env.get("VITE_PINATA_JWT", "")
        self.pinata = env.get("PINATA_API_URL", "https://api.pinata.cloud").rstrip("/")
        self.gateway = env.get("IPFS_GATEWAY_URL", "https://gateway.pinata.cloud").split(",")[0].rstrip("/")
        self.poll_interval = float(env.get("POLL_INTERVAL", "10"))
        self.timeout = float(env.get("EXECUTION_TIMEOUT", "60"))
        self.cost = int(env.get("COST_LAMPORTS", "1000000"))
        self.limit = asyncio.Semaphore(int(env.get("MAX_CONCURRENT_JOBS", "1")))
        self.sandbox = env.get("SANDBOX", "bwrap")
        self.subscribe = env.get("SUBSCRIBE", "false").lower() in ("1", "true", "yes")
        self.seen: set[str] = set()
        self.tasks: set[asyncio.Task] = set()
        self.rid = 0

    def log(self, **fields: Any) -> None:
        """One JSON log line."""
        print(json.dumps({"ts": time.time(), **fields}), flush=True)

    async def rpc(self, method: str, params: list) -> Any:
        self.rid += 1
        async with self.http.post(self.rpc_url, json={"jsonrpc": "2.0", "id": self.rid, "method": method, "params": params}) as resp:
            body = await resp.json(content_type=None)
        if "error" in body:
            raise RuntimeError(f"{method}: {body['error'].get('message')}")
        return body["result"]

    def filters(self) -> list:
        return [{"dataSize": JOB_SPACE}, {"memcmp": {"offset": 0, "bytes": b58encode(JOB_DISCRIMINATOR)}}]

    def consider(self, address: str, data: bytes) -> None:
        job = decode_job(data)
        if job is None or job["status"] != 0 or address in self.seen:
            return
        self.seen.add(address)
        task = asyncio.create_task(self.process(address, job))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def poll(self) -> None:
        accounts = await self.rpc("getProgramAccounts", [str(self.program), {"encoding": "base64", "commitment": "confirmed", "filters": self.filters()}])
        for item in accounts:
            self.consider(item["pubkey"], base64.b64decode(item["account"]["data"][0]))

    async def subscription(self) -> None:
        while True:
            try:
                async with websockets.connect(self.ws_url, max_size=None) as ws:
                    await ws.send(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "programSubscribe", "params": [
                        str(self.program), {"encoding": "base64", "commitment": "confirmed", "filters": self.filters()}]}))
                    async for raw in ws:
                        msg = json.loads(raw)
                        if msg.get("method") == "programNotification":
                            value = msg["params"]["result"]["value"]
                            self.consider(value["pubkey"], base64.b64decode(value["account"]["data"][0]))
            except (OSError, websockets.WebSocketException) as exc:
                self.log(level="warn", msg="subscription lost", error=str(exc))
                await asyncio.sleep(1)

    async def process(self, address: str, job: dict) -> None:
        async with self.limit:
            started = time.time()
            try:
                async with self.http.get(f"{self.gateway}/ipfs/{job['code_cid']}") as resp:
                    if resp.status != 200:
                        raise RuntimeError(f"gateway answered {resp.status}")
                    code = await resp.read()
                result = await self.execute(code)
                cid = await self.publish(result)
                signature = await self.settle(Pubkey.from_string(address), cid)
                self.log(level="info", msg="job completed", job=address, result_cid=cid, signature=signature, seconds=round(time.time() - started, 3))
            except Exception as exc:  # one job's failure must not stop the worker
                self.log(level="error", msg="job failed", job=address, error=f"{type(exc).__name__}: {exc}")

    async def execute(self, code: bytes) -> dict:
        with tempfile.TemporaryDirectory(prefix="refworker-") as tmp, code_descriptor(code) as fd:
            script = Path(tmp) / "main.py"
            script.write_bytes(code)
            argv = bwrap_args(fd) if self.sandbox == "bwrap" else [PYTHON, str(script)]
            executed_at = datetime.datetime.now(datetime.timezone.utc).isoformat()
            proc = await asyncio.create_subprocess_exec(*argv, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, pass_fds=(fd,))
            try:
                out, err = await asyncio.wait_for(proc.communicate(), self.timeout)
            except asyncio.TimeoutError:
                proc.kill()
                out, err = await proc.communicate()
            return {"stdout": out.decode("utf-8", "replace"), "stderr": err.decode("utf-8", "replace"),
                    "returncode": proc.returncode, "executed_at": executed_at}

    async def publish(self, result: dict) -> str:
        body = {"pinataContent": result, "pinataMetadata": {"name": "cloudmesh-result"}}
        async with self.http.post(f"{self.pinata}/pinning/pinJSONToIPFS", json=body, headers={"Authorization": f"Bearer {self.jwt}"}) as resp:
            answer = await resp.json(content_type=None)
            if resp.status != 200:
                raise RuntimeError(f"Pinata answered {resp.status}")
        return answer["IpfsHash"]

    async def settle(self, job: Pubkey, result_cid: str) -> str:
        cid = result_cid.encode()
        data = COMPLETE_JOB + struct.pack("<I", len(cid)) + cid + struct.pack("<Q", self.cost)
        ix = Instruction(self.program, data, [AccountMeta(job, False, True), AccountMeta(self.keypair.pubkey(), True, False)])
        latest = await self.rpc("getLatestBlockhash", [{"commitment": "confirmed"}])
        blockhash = Hash.from_string(latest["value"]["blockhash"])
        tx = Transaction([self.keypair], Message([ix], self.keypair.pubkey()), blockhash)
        signature = await self.rpc("sendTransaction", [base64.b64encode(bytes(tx)).decode(), {"encoding": "base64", "preflightCommitment": "confirmed"}])
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            status = (await self.rpc("getSignatureStatuses", [[signature]]))["value"][0]
            if status and status.get("confirmationStatus") in ("confirmed", "finalized"):
                if status.get("err"):
                    raise RuntimeError(f"complete_job failed: {status['err']}")
                return signature
            await asyncio.sleep(0.2)
        raise RuntimeError("complete_job not confirmed within 60 s")

    async def run(self, once: bool) -> None:
        self.http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120))
        self.log(level="info", msg="reference worker started", worker=str(self.keypair.pubkey()), poll_interval=self.poll_interval,
                 subscribe=self.subscribe, sandbox=self.sandbox)
        try:
            if once:
                await self.poll()
                while self.tasks:
                    await asyncio.gather(*list(self.tasks))
                return
            if self.subscribe and self.ws_url:
                asyncio.create_task(self.subscription())
            while True:
                try:
                    await self.poll()
                except Exception as exc:
                    self.log(level="warn", msg="poll failed", error=str(exc))
                await asyncio.sleep(self.poll_interval)
        finally:
            await self.http.close()


def main() -> None:
    parser = argparse.ArgumentParser(description="Reference worker (the seed's design) for the benchmarks")
    sub = parser.add_subparsers(dest="command")
    run = sub.add_parser("run")
    run.add_argument("--once", action="store_true")
    args = parser.parse_args()
    if args.command != "run":
        parser.error("only `run` is implemented")
    worker = ReferenceWorker(dict(os.environ))
    try:
        asyncio.run(worker.run(args.once))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
