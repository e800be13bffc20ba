"""Benchmark 2: throughput, jobs settled per second against this machine's ceiling.

For each MAX_CONCURRENT_JOBS level: a fresh devnet with N trivial jobs pending (bulk-created), the worker
started with `run --once`; rate = N / (worker exit - worker start), every job checked Completed at
`confirmed`. Also the steady rate between 10 % and 90 % of the jobs completed (start-up excluded).
Ceiling: bare sandboxed `python3 -c pass` runs per second at the same concurrency, measured right before
and right after the worker at that level (mean of both), with the same bwrap arguments (bench/bwrap_policy.py).

Settlement modes, side by side at every level (the Swift worker): `batched` (the worker's defaults: several
complete_job instructions per transaction) and `single` (SETTLE_BATCH_SIZE=1, SETTLE_BATCH_WINDOW_MS=0: one
transaction per job, as before batching). Each run also reports the batch sizes reached (from the worker's
"complete_job signed and journaled" log lines) and CPU per job of the worker process itself and of the
devnet (utime + stime from /proc, sampled until the worker exits; the sandboxes' CPU is the ceiling's).
"""

from __future__ import annotations

import json
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from common import (Devnet, Worker, base_parser, choose_worker, machine, now_iso, proc_cpu_seconds, result_name,
                    write_result)
from bwrap_policy import BASE_ARGS, bwrap_args, code_descriptor

JOB_CODE = "pass\n"
TARGET_RATIO = 0.5
# Worker settings of each settlement mode.
SETTLEMENT_MODES = {
    "batched": {},
    "single": {"SETTLE_BATCH_SIZE": "1", "SETTLE_BATCH_WINDOW_MS": "0"},
}


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
        while True:
            stopping = self.stop.is_set()
            statuses = self.devnet.job_statuses(self.addresses)
            done = sum(1 for j in statuses.values() if j["status"] == "Completed")
            self.samples.append((time.monotonic() - self.started, done))
            # One last sample once the worker has exited, so a run ending between samples still has its end.
            if done == len(self.addresses) or stopping:
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


class CpuSampler:
    """utime + stime of the worker process and of the devnet, sampled every `interval` seconds until the worker
    exits: the last sample is the run's CPU (less than `interval` lost)."""

    def __init__(self, worker_pid: int, devnet_pid: int, interval: float = 0.1) -> None:
        self.worker_pid, self.devnet_pid, self.interval = worker_pid, devnet_pid, interval
        self.devnet_start = proc_cpu_seconds(devnet_pid)
        self.worker = self.devnet = 0.0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stop.is_set():
            try:
                self.worker = proc_cpu_seconds(self.worker_pid)
            except (OSError, ValueError, IndexError):
                return  # the worker exited
            self.devnet = proc_cpu_seconds(self.devnet_pid) - self.devnet_start
            self.stop.wait(self.interval)


def batch_sizes(log_path) -> list[int]:
    """Jobs per complete_job transaction, from the worker's JSON log (empty for a worker without batches)."""
    sizes = []
    for line in Path(log_path).read_text(errors="replace").splitlines():
        if '"complete_job signed and journaled"' not in line:
            continue
        try:
            sizes.append(int(json.loads(line).get("jobs", "1")))
        except ValueError:
            continue
    return sizes


def run_level(kind, concurrency: int, args, mode: str) -> dict:
    with Devnet(args.slot_ms, name=f"throughput-c{concurrency}-{mode}") as devnet:
        bulk = devnet.control("/jobs/bulk", {"count": args.jobs, "status": "pending", "code": JOB_CODE, "title_prefix": f"tp{concurrency}"})
        addresses = bulk["jobs"]
        before = ceiling(args.ceiling_runs, concurrency)
        worker = Worker(kind, devnet, subscribe=False, poll_interval=args.poll_interval, concurrency=concurrency, once=True,
                        name=f"c{concurrency}-{mode}", extra_env=SETTLEMENT_MODES.get(mode, {}))
        sampler = CompletionSampler(devnet, addresses, worker.started)
        cpu = CpuSampler(worker.pid, devnet.proc.pid)
        try:
            code = worker.wait(timeout=args.timeout)
        except subprocess.TimeoutExpired:
            worker.stop()
            raise RuntimeError(f"worker `run --once` did not exit within {args.timeout} s:\n{worker.tail()}") from None
        wall = time.monotonic() - worker.started
        worker.stop()
        sampler.stop.set()
        sampler.thread.join()
        cpu.stop.set()
        cpu.thread.join()
        after = ceiling(args.ceiling_runs, concurrency)
        statuses = devnet.job_statuses(addresses)
        completed = sum(1 for a in addresses if statuses.get(a, {}).get("status") == "Completed")
        if code != 0 or completed != len(addresses):
            print(f"[c={concurrency}] WARNING: worker exit code {code}, {completed}/{len(addresses)} completed\n{worker.tail()}", flush=True)
        rate = completed / wall
        ceil = (before + after) / 2
        steady = sampler.steady_rate()
        sizes = batch_sizes(worker.log_path)
        per_job = {"worker_ms": 1000 * cpu.worker / max(1, completed), "devnet_ms": 1000 * cpu.devnet / max(1, completed)}
        batches = {"transactions": len(sizes), "mean": sum(sizes) / len(sizes) if sizes else None,
                   "max": max(sizes, default=None), "histogram": {str(n): sizes.count(n) for n in sorted(set(sizes))}}
        print(f"[c={concurrency} {mode}] {completed}/{len(addresses)} jobs in {wall:.1f} s = {rate:.2f} jobs/s (steady {steady:.2f}); "
              f"ceiling {ceil:.1f} runs/s (before {before:.1f}, after {after:.1f}); ratio {rate / ceil:.3f}; "
              f"batches: {len(sizes)} transactions, mean {batches['mean'] or 0:.1f} jobs, max {batches['max']}; "
              f"CPU per job: worker {per_job['worker_ms']:.1f} ms, devnet {per_job['devnet_ms']:.1f} ms", flush=True)
        return {"concurrency": concurrency, "mode": mode, "jobs": len(addresses), "completed": completed, "worker_exit_code": code,
                "wall_s": round(wall, 3), "jobs_per_s": rate, "steady_jobs_per_s": steady,
                "ceiling_runs_per_s": ceil, "ceiling_before": before, "ceiling_after": after, "ratio": rate / ceil,
                "steady_ratio": steady / ceil, "batches": batches, "cpu_per_job": per_job,
                "completion_samples": sampler.samples}


def main() -> None:
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=300)
    parser.add_argument("--levels", default="1,2,4,8", help="MAX_CONCURRENT_JOBS levels")
    parser.add_argument("--ceiling-runs", type=int, default=200, help="sandboxed python3 -c pass runs per ceiling measurement")
    parser.add_argument("--poll-interval", type=float, default=10)
    parser.add_argument("--timeout", type=float, default=900, help="seconds one `run --once` may take")
    parser.add_argument("--modes", default="batched,single",
                        help="settlement modes, run side by side at each level: batched (the defaults), single (one job per transaction)")
    args = parser.parse_args()
    kind = choose_worker(args.worker)
    modes = [m for m in args.modes.split(",") if m in SETTLEMENT_MODES] if kind.name != "reference" else ["single"]
    runs = {mode: [] for mode in modes}
    for c in args.levels.split(","):
        for mode in modes:
            runs[mode].append(run_level(kind, int(c), args, mode))
    levels = runs[modes[0]]
    out: dict[str, Any] = {
        "benchmark": "throughput", "when": now_iso(), "machine": machine(), "worker": kind.describe(), "slot_ms": args.slot_ms,
        "job_code": JOB_CODE, "sandbox_args": BASE_ARGS, "target": {"ratio": TARGET_RATIO, "met": all(l["ratio"] >= TARGET_RATIO for l in levels)},
        "mode": modes[0], "levels": levels, "baseline_levels": runs[modes[1]] if len(modes) > 1 else [],
    }
    write_result(result_name("throughput", kind, args.out), out)


if __name__ == "__main__":
    main()
