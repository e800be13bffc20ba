"""Benchmark 5: pickup latency of ordinary jobs while the gateway holds other jobs' code (hostile fetches).

Two runs side by side, each on a fresh devnet with the same worker binary and settings (MAX_CONCURRENT_JOBS
2, the subscription on, POLL_INTERVAL 10 s as the safety net):
- baseline: after a warm-up, 50 ordinary jobs arrive one by one (exponential gaps, mean 100 ms);
- held: after the same warm-up, 8 jobs whose code is ordinary content that the gateway holds (a devnet `hold`
  fault per CID: every request for it waits); the harness waits (with a deadline) until the devnet reports 8
  held gateway requests (`GET /status` → `gateway_held`: the worker is fetching all 8 now), then the same 50
  ordinary jobs arrive. 60 s after the held jobs were created the harness ends the hold
  (`POST /faults/gateway/release`, which also drops the fault) and waits, bounded, for the 8 to settle.

Pickup latency is measured as in pickup_latency.py: t0 = initialize_job confirmed (signatureSubscribe at
`confirmed`, on the harness's own WebSocket), t1 = time printed by the job's first statement. The figure is
held p50 / baseline p50 and held p99 / baseline p99 of the ordinary jobs; the target is < 2 for both: jobs
whose code cannot be fetched must not take the worker's capacity from the others.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, Optional

import aiohttp

from common import (Devnet, Worker, base_parser, choose_worker, machine, now_iso, result_name, summary, write_result)
from pickup_latency import JOB_CODE, create_jobs

TARGET_RATIO = 2.0


# ---------------------------------------------------------------- pure parts (tested in bench/tests)


def first_line_time(stdout: Optional[str]) -> Optional[float]:
    """The float the job's first statement printed (t1), or None."""
    first = (stdout or "").split("\n", 1)[0].strip()
    try:
        return float(first)
    except ValueError:
        return None


def compare(baseline: dict, held: dict, target: float = TARGET_RATIO) -> dict:
    """held / baseline for p50 and p99 of two latency summaries; None where either has no samples."""
    out: dict[str, Any] = {"target": target}
    for key in ("p50", "p99"):
        b, h = baseline.get(key), held.get(key)
        ratio = h / b if b and h is not None and baseline.get("count") and held.get("count") else None
        out[key] = ratio
        out[f"{key}_met"] = None if ratio is None else ratio < target
    out["met"] = None if out["p50_met"] is None or out["p99_met"] is None else out["p50_met"] and out["p99_met"]
    return out


def _ms(value: Optional[float]) -> str:
    return "-" if value is None else f"{value * 1000:,.0f} ms"


def _mark(met: Optional[bool]) -> str:
    return "" if met is None else (" ✅" if met else " ❌")


def table(result: dict) -> str:
    """The printed summary of a results document."""
    lines = ["| run | ordinary jobs completed | p50 | p95 | p99 | max | held jobs |",
             "| --- | ---: | ---: | ---: | ---: | ---: | --- |"]
    for name, run in result["runs"].items():
        s, o = run["ordinary"]["latency_s"], run["ordinary"]
        held = run.get("held")
        held_text = "-" if not held else (
            f"{held['max_seen']}/{held['count']} held at once{'' if held['reached'] else ' (not reached)'}; "
            f"{held['settled']}/{held['count']} settled ({held['settled_ok']} ran, {held['settled']- held['settled_ok']} error results)")
        lines.append(f"| {name} | {o['completed']}/{o['jobs']} | {_ms(s.get('p50'))} | {_ms(s.get('p95'))} | {_ms(s.get('p99'))} "
                     f"| {_ms(s.get('max'))} | {held_text} |")
    c = result.get("ratio")
    if c:
        fmt = lambda r: "-" if r is None else f"{r:.2f}"  # noqa: E731
        lines.append("")
        lines.append(f"held / baseline: p50 ×{fmt(c['p50'])}{_mark(c['p50_met'])}, p99 ×{fmt(c['p99'])}{_mark(c['p99_met'])} "
                     f"(target < {c['target']:g})")
    return "\n".join(lines)


# ---------------------------------------------------------------- the runs


class Tracker:
    """When each job first read Completed at `confirmed` (monotonic seconds), polled every 0.5 s."""

    def __init__(self, devnet: Devnet, worker: Worker) -> None:
        self.devnet, self.worker = devnet, worker
        self.completed_at: dict[str, float] = {}
        self.statuses: dict[str, dict] = {}

    def poll(self, addresses: list[str]) -> None:
        pending = [a for a in addresses if a not in self.completed_at]
        if not pending:
            return
        now = time.monotonic()
        for address, job in self.devnet.job_statuses(pending).items():
            self.statuses[address] = job
            if job["status"] == "Completed":
                self.completed_at.setdefault(address, now)

    def wait(self, addresses: list[str], deadline: float) -> bool:
        """Until every address is Completed or the monotonic deadline passes (no exception): all done?"""
        while True:
            if self.worker.proc.poll() is not None:
                raise RuntimeError(f"worker exited ({self.worker.proc.returncode}):\n{self.worker.tail()}")
            self.poll(addresses)
            if all(a in self.completed_at for a in addresses):
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(min(0.5, max(0.0, deadline - time.monotonic())))


async def create_held_jobs(devnet: Devnet, count: int, prefix: str) -> list[dict]:
    """`count` jobs with distinct ordinary code, each CID held by the gateway until released."""
    jobs = []
    async with aiohttp.ClientSession() as session:
        for i in range(count):
            code = f"# held job {i} of {prefix}\n" + JOB_CODE
            async with session.post(devnet.control_url + "/ipfs/add", json={"content": code}) as resp:
                cid = (await resp.json())["cid"]
            async with session.post(devnet.control_url + "/faults/gateway", json={"mode": "hold", "cid": cid}) as resp:
                if resp.status != 200:
                    raise RuntimeError(f"hold fault refused: {await resp.text()} (the devnet needs the `hold` mode)")
            body = {"title": f"{prefix}-{i}", "code_cid": cid, "owner_secret_key": devnet.owner, "fund": False}
            async with session.post(devnet.control_url + "/jobs", json=body) as resp:
                created = await resp.json()
            if resp.status != 200 or created.get("err") is not None:
                raise RuntimeError(f"job creation failed: {created}")
            jobs.append({"job": created["job"], "cid": cid, "signature": created["signature"]})
    return jobs


def wait_held(devnet: Devnet, worker: Worker, count: int, timeout: float) -> dict:
    """Poll GET /status until `count` gateway requests are held (or the deadline); the most seen at once."""
    started = time.monotonic()
    max_seen = 0
    while True:
        if worker.proc.poll() is not None:
            raise RuntimeError(f"worker exited ({worker.proc.returncode}):\n{worker.tail()}")
        held = devnet.control("/status")["gateway_held"]
        max_seen = max(max_seen, held)
        if held >= count:
            return {"reached": True, "max_seen": max_seen, "after_s": round(time.monotonic() - started, 3)}
        if time.monotonic() - started > timeout:
            return {"reached": False, "max_seen": max_seen, "after_s": None}
        time.sleep(0.05)


def result_of(devnet: Devnet, tracker: Tracker, address: str) -> Optional[dict]:
    job = tracker.statuses.get(address)
    if not job or job["status"] != "Completed" or not job.get("result_cid"):
        return None
    try:
        return devnet.result_document(job["result_cid"])
    except (RuntimeError, ValueError, OSError):
        return None


def run_mode(kind, mode: str, args, extra_env: dict[str, str]) -> dict:
    with Devnet(args.slot_ms, name=f"held-{mode}") as devnet:
        worker = Worker(kind, devnet, subscribe=True, poll_interval=args.safety_poll_interval, concurrency=args.concurrency,
                        name=mode, extra_env=extra_env)
        tracker = Tracker(devnet, worker)
        held_info: Optional[dict] = None
        try:
            warm = asyncio.run(create_jobs(devnet, args.warmup, 0.1, f"warm-{mode}", 1))
            if not tracker.wait([j["job"] for j in warm], time.monotonic() + 60):
                raise RuntimeError(f"[{mode}] warm-up jobs not completed within 60 s; worker log:\n{worker.tail()}")
            held_jobs: list[dict] = []
            if mode == "held":
                hold_started = time.monotonic()
                held_jobs = asyncio.run(create_held_jobs(devnet, args.held, f"held-{mode}"))
                held_info = {"count": args.held, **wait_held(devnet, worker, args.held, args.held_wait)}
                print(f"[{mode}] {held_info['max_seen']}/{args.held} held gateway requests at once"
                      + (f" after {held_info['after_s']:.1f} s" if held_info["reached"] else f" (not reached in {args.held_wait:g} s)"),
                      flush=True)
            print(f"[{mode}] creating {args.jobs} ordinary jobs, mean gap {args.gap:.3f} s", flush=True)
            started = time.monotonic()
            jobs = asyncio.run(create_jobs(devnet, args.jobs, args.gap, f"ord-{mode}", 42))
            ordinary = [j["job"] for j in jobs]
            if mode == "held":
                hold_end = hold_started + args.hold
                tracker.wait(ordinary, hold_end)
                before_release = sum(1 for a in ordinary if a in tracker.completed_at)
                time.sleep(max(0.0, hold_end - time.monotonic()))
                held_now = devnet.control("/status")["gateway_held"]
                released = sum(devnet.control("/faults/gateway/release", {"cid": j["cid"]})["released"] for j in held_jobs)
                released_at = time.monotonic()
                print(f"[{mode}] hold ended after {released_at - hold_started:.0f} s: {released} held requests released; "
                      f"{before_release}/{len(ordinary)} ordinary jobs had completed", flush=True)
                all_done = tracker.wait(ordinary + [j["job"] for j in held_jobs], released_at + args.settle_timeout)
                held_detail = []
                for j in held_jobs:
                    doc = result_of(devnet, tracker, j["job"])
                    at = tracker.completed_at.get(j["job"])
                    held_detail.append({"job": j["job"], "cid": j["cid"], "status": tracker.statuses.get(j["job"], {}).get("status"),
                                        "settled_after_hold_start_s": None if at is None else round(at - hold_started, 2),
                                        "returncode": None if doc is None else doc.get("returncode"),
                                        "error": None if doc is None else doc.get("error")})
                settled = [d for d in held_detail if d["status"] == "Completed"]
                held_info.update({"hold_s": args.hold, "held_at_release": held_now, "released": released,
                                  "ordinary_completed_before_release": before_release, "settled": len(settled),
                                  "settled_ok": sum(1 for d in settled if d["returncode"] == 0),
                                  "all_settled_within_s": args.settle_timeout if all_done else None, "jobs": held_detail})
            else:
                tracker.wait(ordinary, started + args.jobs * args.gap + 60)  # bounded: the whole run stays under 5 min
            elapsed = time.monotonic() - started
        finally:
            worker.stop()
        latencies, missing_t0, bad_stdout, detail = [], 0, 0, []
        for job in jobs:
            doc = result_of(devnet, tracker, job["job"])
            t1 = first_line_time(doc.get("stdout")) if doc else None
            if doc is not None and t1 is None:
                bad_stdout += 1
            if doc is not None and job["t0"] is None:
                missing_t0 += 1
            if t1 is not None and job["t0"] is not None:
                latencies.append(t1 - job["t0"])
            detail.append({"job": job["job"], "t0": job["t0"], "t1": t1})
        stats = summary(latencies)
        completed = sum(1 for j in jobs if j["job"] in tracker.completed_at)
        p = (lambda k: f"{stats[k] * 1000:.0f} ms") if stats["count"] else (lambda k: "-")
        print(f"[{mode}] ordinary: {completed}/{len(jobs)} completed, n={stats['count']} p50={p('p50')} p99={p('p99')} "
              f"max={p('max')} ({elapsed:.0f} s)", flush=True)
        out = {"mode": mode, "note": worker.subscription_note, "seconds": round(elapsed, 1),
               "ordinary": {"jobs": len(jobs), "completed": completed, "mean_gap_s": args.gap, "missing_t0": missing_t0,
                            "bad_stdout": bad_stdout, "latency_s": stats, "samples_s": [round(x, 6) for x in latencies],
                            "jobs_detail": detail}}
        if held_info is not None:
            out["held"] = held_info
        return out


def main() -> None:
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=50, help="ordinary jobs per run")
    parser.add_argument("--gap", type=float, default=0.1, help="mean seconds between ordinary jobs (exponential)")
    parser.add_argument("--held", type=int, default=8, help="jobs whose code the gateway holds (held run)")
    parser.add_argument("--hold", type=float, default=60, help="seconds the gateway holds them, from their creation")
    parser.add_argument("--held-wait", type=float, default=20, help="deadline for the devnet to report all of them held")
    parser.add_argument("--settle-timeout", type=float, default=90, help="seconds allowed after the hold for everything to settle")
    parser.add_argument("--concurrency", type=int, default=2, help="MAX_CONCURRENT_JOBS")
    parser.add_argument("--safety-poll-interval", type=float, default=10, help="POLL_INTERVAL (the subscription is on)")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--env", action="append", default=[], metavar="KEY=VALUE",
                        help="extra worker environment for both runs (e.g. FETCH_CONCURRENCY=16)")
    parser.add_argument("--modes", default="baseline,held")
    args = parser.parse_args()
    if not 0 < args.held_wait < args.hold:
        parser.error("--held-wait must be positive and shorter than --hold (the ordinary jobs arrive while the hold lasts)")
    extra_env = dict(item.split("=", 1) for item in args.env)
    kind = choose_worker(args.worker)
    out: dict[str, Any] = {"benchmark": "held_fetches", "when": now_iso(), "machine": machine(), "worker": kind.describe(),
                           "slot_ms": args.slot_ms,
                           "settings": {"concurrency": args.concurrency, "safety_poll_interval_s": args.safety_poll_interval,
                                        "jobs": args.jobs, "mean_gap_s": args.gap, "held": args.held, "hold_s": args.hold,
                                        "held_wait_s": args.held_wait, "settle_timeout_s": args.settle_timeout,
                                        "warmup": args.warmup, "extra_env": extra_env},
                           "runs": {}}
    for mode in args.modes.split(","):
        out["runs"][mode] = run_mode(kind, mode, args, extra_env)
    runs = out["runs"]
    if "baseline" in runs and "held" in runs:
        out["ratio"] = compare(runs["baseline"]["ordinary"]["latency_s"], runs["held"]["ordinary"]["latency_s"])
        missing = {m: r["ordinary"]["jobs"] - r["ordinary"]["latency_s"]["count"] for m, r in runs.items()}
        if any(missing.values()):
            # Jobs without a pickup time waited longer than the bounded run: the target cannot be claimed.
            out["ratio"]["missing_samples"] = missing
            out["ratio"]["met"] = False
    print(table(out), flush=True)
    write_result(result_name("held_fetches", kind, args.out), out)


if __name__ == "__main__":
    main()
