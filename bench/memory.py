"""Benchmark 4: worker peak RSS while 8 jobs each print 100 MB.

One devnet, one worker (MAX_CONCURRENT_JOBS = jobs, polling every 2 s), three phases measured side by side:
idle (started, first poll done, nothing pending), 8 trivial jobs (`pass`), and 8 jobs each printing
100 × 10^6 bytes. Before each phase the peak is reset (`echo 5 > /proc/<pid>/clear_refs`, root only;
otherwise the phases' peaks are cumulative and the results say so); after the phase's jobs read Completed at
`confirmed`, VmHWM (peak resident set, /proc/<pid>/status) is the phase's peak. VmRSS is sampled every
100 ms for the timeline. The jobs' own memory (sandboxed python3 children) is not the worker's.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from common import (Devnet, Worker, base_parser, choose_worker, machine, now_iso, proc_status_kb, result_name, wait_until,
                    write_result)

TARGET_MB = 100


def job_code(megabytes: int) -> str:
    """Prints `megabytes` × 10^6 bytes (lines of 99 'x' and a newline) to stdout."""
    return f"import sys\nline = 'x' * 99 + '\\n'\nfor _ in range({megabytes} * 100):\n    sys.stdout.write(line * 100)\n"


def reset_peak(pid: int) -> bool:
    """Reset VmHWM to the current RSS; False when the kernel refuses (not root)."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def main() -> None:
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=8)
    parser.add_argument("--mb", type=int, default=100, help="megabytes (10^6) each job prints")
    parser.add_argument("--poll-interval", type=float, default=2)
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--env", action="append", default=[], metavar="KEY=VALUE", help="extra worker environment (experiments)")
    args = parser.parse_args()
    extra_env = dict(item.split("=", 1) for item in args.env)
    kind = choose_worker(args.worker)
    phases: dict[str, Any] = {}
    docs: list[dict] = []
    with Devnet(args.slot_ms, name="memory") as devnet:
        worker = Worker(kind, devnet, subscribe=False, poll_interval=args.poll_interval, concurrency=args.jobs, name="memory",
                        extra_env=extra_env)
        samples: list[tuple[float, int]] = []
        stop = threading.Event()

        def sample() -> None:
            while not stop.is_set() and worker.proc.poll() is None:
                try:
                    samples.append((round(time.monotonic() - worker.started, 2), proc_status_kb(worker.pid, "VmRSS")))
                except (OSError, KeyError):
                    return
                stop.wait(0.1)

        threading.Thread(target=sample, daemon=True).start()
        try:
            wait_until(lambda: devnet.traffic()["rpc"].get("getProgramAccounts", {}).get("requests", 0) > 0 or worker.proc.poll() is not None,
                       120, 0.1, "the worker's first poll")
            time.sleep(args.poll_interval + 1)
            phases["idle"] = {"peak_kib": proc_status_kb(worker.pid, "VmHWM"), "rss_kib": proc_status_kb(worker.pid, "VmRSS"), "completed": 0,
                              "seconds": round(time.monotonic() - worker.started, 1)}
            for phase, code in (("trivial", "pass\n"), ("output", job_code(args.mb))):
                was_reset = reset_peak(worker.pid)
                started = time.monotonic()
                # Real initialize_job transactions: a running worker discovers new jobs through the program's
                # transactions (or its subscription), not by rescanning every account.
                addresses = devnet.control("/jobs/bulk", {"count": args.jobs, "status": "pending", "code": code, "title_prefix": f"mem-{phase}",
                                                          "transactions": True})["jobs"]
                outcome = "completed"

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
                alive = worker.proc.poll() is None
                phases[phase] = {"peak_kib": proc_status_kb(worker.pid, "VmHWM") if alive else max((kb for _, kb in samples), default=0),
                                 "rss_kib": proc_status_kb(worker.pid, "VmRSS") if alive else None, "peak_reset": was_reset,
                                 "outcome": outcome, "seconds": round(time.monotonic() - started, 1),
                                 "completed": sum(1 for a in addresses if statuses.get(a, {}).get("status") == "Completed")}
                if phase == "output":
                    for address in addresses:
                        job = statuses.get(address, {})
                        if job.get("status") != "Completed":
                            docs.append({"job": address, "status": job.get("status")})
                            continue
                        doc = devnet.result_document(job["result_cid"])
                        docs.append({"job": address, "status": "Completed", "stdout_bytes": len(doc.get("stdout", "")),
                                     **{k: v for k, v in doc.items() if k not in ("stdout", "stderr")}})
        finally:
            stop.set()
            worker.stop()
    for name, phase in phases.items():
        print(f"[{name}] peak RSS {phase['peak_kib'] / 1024:.1f} MiB, RSS after {(phase['rss_kib'] or 0) / 1024:.1f} MiB, "
              f"{phase['completed']} completed", flush=True)
    peak_mb = phases["output"]["peak_kib"] / 1024
    print(f"{args.jobs} jobs x {args.mb} MB: worker peak RSS {peak_mb:.1f} MiB (VmHWM); "
          f"{peak_mb - phases['trivial']['peak_kib'] / 1024:+.1f} MiB over {args.jobs} trivial jobs", flush=True)
    out = {"benchmark": "memory", "when": now_iso(), "machine": machine(), "worker": kind.describe(), "slot_ms": args.slot_ms,
           "jobs": args.jobs, "mb_per_job": args.mb, "extra_env": extra_env, "outcome": phases["output"]["outcome"], "seconds": phases["output"]["seconds"],
           "peak_rss_kib": phases["output"]["peak_kib"], "peak_rss_mib": peak_mb, "phases": phases,
           "target": {"peak_rss_mib": TARGET_MB, "met": peak_mb < TARGET_MB}, "rss_samples_kib": samples, "results": docs}
    write_result(result_name("memory", kind, args.out), out)


if __name__ == "__main__":
    main()
