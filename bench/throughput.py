"""Benchmark 2: throughput, jobs settled per second against this machine's ceiling.

For each MAX_CONCURRENT_JOBS level: a fresh devnet with N trivial jobs pending (bulk-created), the worker
started with `run --once`; rate = N / (worker exit - worker start), every job checked Completed at
`confirmed`. Also the steady rate between 10 % and 90 % of the jobs completed (start-up excluded).
Ceiling: bare sandboxed `python3 -c pass` runs per second at the same concurrency, measured right before
and right after the worker at that level (mean of both), with the same bwrap arguments (bench/bwrap_policy.py).
"""

from __future__ import annotations

import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from common import Devnet, Worker, base_parser, choose_worker, machine, now_iso, result_name, write_result
from bwrap_policy import BASE_ARGS, bwrap_args, code_descriptor

JOB_CODE = "pass\n"
TARGET_RATIO = 0.5


def ceiling(runs: int, concurrency: int) -> float:
    """Sandboxed `pass` runs per second with `concurrency` at once (the worker's bwrap vector, code `pass`)."""
    def one(_: int) -> int:
        with code_descriptor(b"pass\n") as fd:
            return subprocess.run(bwrap_args(fd), pass_fds=(fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode

    started = time.monotonic()
    with ThreadPoolExecutor(concurrency) as pool:
        codes = list(pool.map(one, range(runs)))
    elapsed = time.monotonic() - started
    if any(codes):
        raise RuntimeError(f"sandboxed python3 failed ({sum(1 for c in codes if c)} of {runs} runs)")
    return runs / elapsed


class CompletionSampler:
    """Counts Completed jobs every `interval` seconds (getMultipleAccounts at confirmed) in a thread."""

    def __init__(self, devnet: Devnet, addresses: list[str], started: float, interval: float = 0.5) -> None:
        self.devnet, self.addresses, self.started, self.interval = devnet, addresses, started, interval
        self.samples: list[tuple[float, int]] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stop.is_set():
            statuses = self.devnet.job_statuses(self.addresses)
            done = sum(1 for j in statuses.values() if j["status"] == "Completed")
            self.samples.append((time.monotonic() - self.started, done))
            if done == len(self.addresses):
                return
            self.stop.wait(self.interval)

    def steady_rate(self) -> float:
        """Jobs per second between 10 % and 90 % completed (interpolated from the samples)."""
        n = len(self.addresses)

        def time_at(count: float) -> float:
            prev = (0.0, 0)
            for t, c in self.samples:
                if c >= count:
                    if c == prev[1]:
                        return t
                    return prev[0] + (t - prev[0]) * (count - prev[1]) / (c - prev[1])
                prev = (t, c)
            return float("nan")

        lo, hi = time_at(0.1 * n), time_at(0.9 * n)
        return 0.8 * n / (hi - lo) if hi > lo else float("nan")


def run_level(kind, concurrency: int, args) -> dict:
    with Devnet(args.slot_ms, name=f"throughput-c{concurrency}") as devnet:
        bulk = devnet.control("/jobs/bulk", {"count": args.jobs, "status": "pending", "code": JOB_CODE, "title_prefix": f"tp{concurrency}"})
        addresses = bulk["jobs"]
        before = ceiling(args.ceiling_runs, concurrency)
        worker = Worker(kind, devnet, subscribe=False, poll_interval=args.poll_interval, concurrency=concurrency, once=True,
                        name=f"c{concurrency}")
        sampler = CompletionSampler(devnet, addresses, worker.started)
        try:
            code = worker.wait(timeout=args.timeout)
        except subprocess.TimeoutExpired:
            worker.stop()
            raise RuntimeError(f"worker `run --once` did not exit within {args.timeout} s:\n{worker.tail()}") from None
        wall = time.monotonic() - worker.started
        worker.stop()
        sampler.stop.set()
        sampler.thread.join()
        after = ceiling(args.ceiling_runs, concurrency)
        statuses = devnet.job_statuses(addresses)
        completed = sum(1 for a in addresses if statuses.get(a, {}).get("status") == "Completed")
        if code != 0 or completed != len(addresses):
            print(f"[c={concurrency}] WARNING: worker exit code {code}, {completed}/{len(addresses)} completed\n{worker.tail()}", flush=True)
        rate = completed / wall
        ceil = (before + after) / 2
        steady = sampler.steady_rate()
        print(f"[c={concurrency}] {completed}/{len(addresses)} jobs in {wall:.1f} s = {rate:.2f} jobs/s (steady {steady:.2f}); "
              f"ceiling {ceil:.1f} runs/s (before {before:.1f}, after {after:.1f}); ratio {rate / ceil:.3f}", flush=True)
        return {"concurrency": concurrency, "jobs": len(addresses), "completed": completed, "worker_exit_code": code,
                "wall_s": round(wall, 3), "jobs_per_s": rate, "steady_jobs_per_s": steady,
                "ceiling_runs_per_s": ceil, "ceiling_before": before, "ceiling_after": after, "ratio": rate / ceil,
                "steady_ratio": steady / ceil, "completion_samples": sampler.samples}


def main() -> None:
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=300)
    parser.add_argument("--levels", default="1,2,4,8", help="MAX_CONCURRENT_JOBS levels")
    parser.add_argument("--ceiling-runs", type=int, default=200, help="sandboxed python3 -c pass runs per ceiling measurement")
    parser.add_argument("--poll-interval", type=float, default=10)
    parser.add_argument("--timeout", type=float, default=900, help="seconds one `run --once` may take")
    args = parser.parse_args()
    kind = choose_worker(args.worker)
    levels = [run_level(kind, int(c), args) for c in args.levels.split(",")]
    out: dict[str, Any] = {
        "benchmark": "throughput", "when": now_iso(), "machine": machine(), "worker": kind.describe(), "slot_ms": args.slot_ms,
        "job_code": JOB_CODE, "sandbox_args": BASE_ARGS, "target": {"ratio": TARGET_RATIO, "met": all(l["ratio"] >= TARGET_RATIO for l in levels)},
        "levels": levels,
    }
    write_result(result_name("throughput", kind, args.out), out)


if __name__ == "__main__":
    main()
