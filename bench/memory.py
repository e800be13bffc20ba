"""Benchmark 4: worker peak RSS while 8 jobs each print 100 MB.

A fresh devnet, the jobs bulk-created pending, the worker started (MAX_CONCURRENT_JOBS = jobs, polling)
and left running until every job reads Completed at `confirmed`; the worker's VmHWM (peak resident set,
/proc/<pid>/status) is read then, and VmRSS is sampled every 100 ms for the timeline. The jobs' own memory
(sandboxed python3 children) is not the worker's and is not counted.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from common import (Devnet, Worker, base_parser, choose_worker, machine, now_iso, proc_status_kb, result_name, wait_until,
                    write_result)

TARGET_MB = 100


def job_code(megabytes: int) -> str:
    """Prints `megabytes` × 10^6 bytes (lines of 99 'x' and a newline) to stdout."""
    return f"import sys\nline = 'x' * 99 + '\\n'\nfor _ in range({megabytes} * 100):\n    sys.stdout.write(line * 100)\n"


def main() -> None:
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=8)
    parser.add_argument("--mb", type=int, default=100, help="megabytes (10^6) each job prints")
    parser.add_argument("--poll-interval", type=float, default=2)
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()
    kind = choose_worker(args.worker)
    with Devnet(args.slot_ms, name="memory") as devnet:
        addresses = devnet.control("/jobs/bulk", {"count": args.jobs, "status": "pending", "code": job_code(args.mb), "title_prefix": "mem"})["jobs"]
        worker = Worker(kind, devnet, subscribe=False, poll_interval=args.poll_interval, concurrency=args.jobs, name="memory")
        samples: list[tuple[float, int]] = []
        stop = threading.Event()

        def sample() -> None:
            while not stop.is_set() and worker.proc.poll() is None:
                try:
                    samples.append((round(time.monotonic() - worker.started, 2), proc_status_kb(worker.pid, "VmRSS")))
                except (OSError, KeyError):
                    return
                stop.wait(0.1)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        started = time.monotonic()
        outcome = "completed"
        try:
            def finished() -> Any:
                if worker.proc.poll() is not None:
                    raise RuntimeError(f"worker exited ({worker.proc.returncode}):\n{worker.tail()}")
                statuses = devnet.job_statuses(addresses)
                return statuses if all(statuses.get(a, {}).get("status") == "Completed" for a in addresses) else None
            try:
                statuses = wait_until(finished, args.timeout, 0.5, f"{args.jobs} jobs completed")
            except (TimeoutError, RuntimeError) as exc:
                outcome = f"not all completed: {str(exc).splitlines()[0]}"
                statuses = devnet.job_statuses(addresses)
            elapsed = time.monotonic() - started
            peak_kb = proc_status_kb(worker.pid, "VmHWM") if worker.proc.poll() is None else max((kb for _, kb in samples), default=0)
        finally:
            stop.set()
            worker.stop()
        docs = []
        for address in addresses:
            job = statuses.get(address, {})
            if job.get("status") != "Completed":
                docs.append({"job": address, "status": job.get("status")})
                continue
            doc = devnet.result_document(job["result_cid"])
            docs.append({"job": address, "status": "Completed", "stdout_bytes": len(doc.get("stdout", "")),
                         "returncode": doc.get("returncode"), **{k: v for k, v in doc.items() if k not in ("stdout", "stderr")}})
    peak_mb = peak_kb / 1024
    print(f"{args.jobs} jobs x {args.mb} MB: worker peak RSS {peak_mb:.1f} MiB (VmHWM), {outcome}, {elapsed:.1f} s", flush=True)
    out = {"benchmark": "memory", "when": now_iso(), "machine": machine(), "worker": kind.describe(), "slot_ms": args.slot_ms,
           "jobs": args.jobs, "mb_per_job": args.mb, "outcome": outcome, "seconds": round(elapsed, 1),
           "peak_rss_kib": peak_kb, "peak_rss_mib": peak_mb, "target": {"peak_rss_mib": TARGET_MB, "met": peak_mb < TARGET_MB},
           "rss_samples_kib": samples, "results": docs}
    write_result(result_name("memory", kind, args.out), out)


if __name__ == "__main__":
    main()
