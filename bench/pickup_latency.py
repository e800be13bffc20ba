"""Benchmark 1: pickup latency, from initialize_job confirmed to the job's code starting.

t0: the harness sends each job's signature to `signatureSubscribe` at `confirmed` on its own WebSocket and
timestamps the notification on arrival (the devnet sends it in the same slot tick as the worker's
`programSubscribe` notification at `confirmed`).
t1: the job's first statement prints `time.time()`; the harness reads it from the result document's stdout.
latency = t1 - t0 (one clock: same machine). It includes the sandbox and interpreter start-up.

Two modes, each on a fresh devnet, side by side in one run: with the subscription, and polling only
(POLL_INTERVAL 10 s, the seed's design). Jobs arrive at random (exponential gaps), so polling sees them at
random phases of its interval.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from typing import Any

import aiohttp
import websockets

from common import (Devnet, Worker, base_parser, choose_worker, machine, now_iso, result_name, summary, wait_until,
                    write_result)

JOB_CODE = "import time; print(repr(time.time()), flush=True)\n"
TARGET_P99_SUBSCRIBED = 0.5


class Confirmations:
    """One WebSocket with a signatureSubscribe (confirmed) per job; arrival times of the notifications."""

    def __init__(self, ws_url: str) -> None:
        self.ws_url = ws_url
        self.next_id = 0
        self.by_request: dict[int, str] = {}
        self.by_subscription: dict[int, str] = {}
        self.confirmed_at: dict[str, float] = {}
        self.errors: dict[str, Any] = {}

    async def __aenter__(self) -> "Confirmations":
        self.ws = await websockets.connect(self.ws_url, max_size=None)
        self.reader = asyncio.create_task(self._read())
        return self

    async def __aexit__(self, *exc: Any) -> None:
        self.reader.cancel()
        await self.ws.close()

    async def watch(self, signature: str) -> None:
        """Subscribe to the signature at `confirmed`."""
        self.next_id += 1
        self.by_request[self.next_id] = signature
        await self.ws.send(json.dumps({"jsonrpc": "2.0", "id": self.next_id, "method": "signatureSubscribe",
                                       "params": [signature, {"commitment": "confirmed"}]}))

    async def _read(self) -> None:
        async for raw in self.ws:
            arrived = time.time()
            msg = json.loads(raw)
            if msg.get("method") == "signatureNotification":
                signature = self.by_subscription.get(msg["params"]["subscription"])
                if signature is not None:
                    self.confirmed_at.setdefault(signature, arrived)
                    if msg["params"]["result"]["value"].get("err"):
                        self.errors[signature] = msg["params"]["result"]["value"]["err"]
            elif "result" in msg and msg.get("id") in self.by_request:
                self.by_subscription[msg["result"]] = self.by_request[msg["id"]]


async def create_jobs(devnet: Devnet, count: int, mean_gap: float, prefix: str, seed: int) -> list[dict]:
    """Create `count` jobs with exponential gaps; returns [{job, signature, t0, returned_at}]."""
    rng = random.Random(seed)
    jobs: list[dict] = []
    async with aiohttp.ClientSession() as session, Confirmations(devnet.ws_url) as confirmations:
        for i in range(count):
            body = {"title": f"{prefix}-{i}", "code": JOB_CODE, "owner_secret_key": devnet.owner, "fund": False}
            async with session.post(devnet.control_url + "/jobs", json=body) as resp:
                created = await resp.json()
            returned_at = time.time()
            if resp.status != 200 or created.get("err") is not None:
                raise RuntimeError(f"job creation failed: {created}")
            await confirmations.watch(created["signature"])
            jobs.append({"job": created["job"], "signature": created["signature"], "returned_at": returned_at})
            await asyncio.sleep(rng.expovariate(1 / mean_gap) if mean_gap > 0 else 0)
        deadline = time.monotonic() + 30
        while len(confirmations.confirmed_at) < count and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        for job in jobs:
            job["t0"] = confirmations.confirmed_at.get(job["signature"])
            if job["signature"] in confirmations.errors:
                raise RuntimeError(f"initialize_job failed: {confirmations.errors[job['signature']]}")
    return jobs


def wait_completed(devnet: Devnet, worker: Worker, addresses: list[str], timeout: float) -> dict[str, dict]:
    """Wait until every job reads Completed at `confirmed`."""
    def done() -> Any:
        if worker.proc.poll() is not None:
            raise RuntimeError(f"worker exited ({worker.proc.returncode}):\n{worker.tail()}")
        statuses = devnet.job_statuses(addresses)
        return statuses if all(statuses.get(a, {}).get("status") == "Completed" for a in addresses) else None
    try:
        return wait_until(done, timeout, interval=0.5, what=f"{len(addresses)} jobs completed")
    except TimeoutError:
        statuses = devnet.job_statuses(addresses)
        missing = sum(1 for a in addresses if statuses.get(a, {}).get("status") != "Completed")
        raise TimeoutError(f"{missing} of {len(addresses)} jobs not completed; worker log:\n{worker.tail()}") from None


def run_mode(kind, mode: str, count: int, mean_gap: float, args) -> dict:
    subscribe = mode == "subscription"
    with Devnet(args.slot_ms, name=f"latency-{mode}") as devnet:
        worker = Worker(kind, devnet, subscribe=subscribe, poll_interval=args.poll_interval if not subscribe else args.safety_poll_interval,
                        concurrency=args.concurrency, name=mode)
        try:
            # Warm-up: proves the pipeline works end to end and that the worker is listening; not measured.
            warm = asyncio.run(create_jobs(devnet, args.warmup, 0.1, f"warm-{mode}", 1))
            wait_completed(devnet, worker, [j["job"] for j in warm], args.poll_interval * 2 + 60)
            print(f"[{mode}] warm-up done ({worker.subscription_note}); creating {count} jobs, mean gap {mean_gap:.3f} s", flush=True)
            started = time.monotonic()
            jobs = asyncio.run(create_jobs(devnet, count, mean_gap, f"lat-{mode}", 42))
            statuses = wait_completed(devnet, worker, [j["job"] for j in jobs], args.poll_interval * 2 + count * 2 + 60)
            elapsed = time.monotonic() - started
        finally:
            worker.stop()
        latencies, missing_t0, bad_stdout = [], 0, 0
        for job in jobs:
            doc = devnet.result_document(statuses[job["job"]]["result_cid"])
            first = (doc.get("stdout") or "").split("\n", 1)[0].strip()
            try:
                t1 = float(first)
            except ValueError:
                bad_stdout += 1
                continue
            if job["t0"] is None:
                missing_t0 += 1
                continue
            job["t1"] = t1
            latencies.append(t1 - job["t0"])
        stats = summary(latencies)
        print(f"[{mode}] n={stats['count']} p50={stats['p50']*1000:.0f} ms p95={stats['p95']*1000:.0f} ms "
              f"p99={stats['p99']*1000:.0f} ms max={stats['max']*1000:.0f} ms ({elapsed:.0f} s)", flush=True)
        return {"mode": mode, "note": worker.subscription_note, "jobs": count, "mean_gap_s": mean_gap,
                "poll_interval_s": args.poll_interval if not subscribe else args.safety_poll_interval,
                "concurrency": args.concurrency, "seconds": round(elapsed, 1), "missing_t0": missing_t0, "bad_stdout": bad_stdout,
                "latency_s": stats, "samples_s": [round(x, 6) for x in latencies],
                "jobs_detail": [{"job": j["job"], "t0": j["t0"], "t1": j.get("t1"), "control_returned_at": j["returned_at"]} for j in jobs]}


def main() -> None:
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=200, help="jobs measured with the subscription")
    parser.add_argument("--gap", type=float, default=0.5, help="mean seconds between jobs with the subscription")
    parser.add_argument("--poll-jobs", type=int, default=200, help="jobs measured with polling only")
    parser.add_argument("--poll-spread", type=float, default=120, help="seconds the polling jobs are spread over")
    parser.add_argument("--poll-interval", type=float, default=10, help="POLL_INTERVAL for polling only (seed: 10)")
    parser.add_argument("--safety-poll-interval", type=float, default=10, help="POLL_INTERVAL with the subscription")
    parser.add_argument("--concurrency", type=int, default=2, help="MAX_CONCURRENT_JOBS")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--modes", default="subscription,polling")
    args = parser.parse_args()
    kind = choose_worker(args.worker)
    out: dict[str, Any] = {"benchmark": "pickup_latency", "when": now_iso(), "machine": machine(), "worker": kind.describe(),
                           "slot_ms": args.slot_ms, "target": {"subscription_p99_s": TARGET_P99_SUBSCRIBED}, "modes": {}}
    for mode in args.modes.split(","):
        if mode == "subscription" and kind.name == "reference":
            print("[subscription] NOTE: the reference worker's SUBSCRIBE=true is not the seed's design (harness check only)", flush=True)
        count, gap = (args.jobs, args.gap) if mode == "subscription" else (args.poll_jobs, args.poll_spread / max(1, args.poll_jobs))
        out["modes"][mode] = run_mode(kind, mode, count, gap, args)
    sub = out["modes"].get("subscription")
    if sub and sub["latency_s"]["count"]:
        out["target"]["met"] = sub["latency_s"]["p99"] < TARGET_P99_SUBSCRIBED
    poll = out["modes"].get("polling")
    if sub and poll and sub["latency_s"]["count"] and poll["latency_s"]["count"]:
        out["ratio_polling_to_subscription_p50"] = poll["latency_s"]["p50"] / sub["latency_s"]["p50"]
    write_result(result_name("pickup_latency", kind, args.out), out)


if __name__ == "__main__":
    main()
