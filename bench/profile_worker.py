"""Profile the worker in one benchmark scenario with perf (sampling, call graphs) or valgrind's callgrind.

  profile_worker.py discovery --completed 10000 --seconds 30          # polling cost with a long history
  profile_worker.py throughput --jobs 100 --concurrency 4              # run --once over pending jobs
  profile_worker.py discovery --tool callgrind --seconds 60            # exact instruction counts (slow: ~50x)
  profile_worker.py memory --tool heaptrack                            # heap at its peak: 8 jobs printing 100 MB
                                                                       (valgrind crashes on the Swift worker)

Writes the raw profile and a text report under bench/results/tmp/profile-*/ and prints the report's top.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from common import Devnet, Worker, base_parser, choose_worker, wait_until
from memory import job_code


def child_pid(pid: int) -> int:
    """The wrapped worker: the first child of the profiler process."""
    def find() -> int:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return int(children[0]) if children else 0
    return wait_until(find, 30, 0.05, "the profiled worker process")


def report(tool: str, raw: Path, out: Path, lines: int) -> str:
    """Writes the full report (call graphs for perf) to `out`; returns the top `lines` of a flat report."""
    if tool == "perf":
        base = ["perf", "report", "--stdio", "--no-children", "--sort", "dso,symbol", "--percent-limit", "0.5", "-i", str(raw)]
        out.write_text(subprocess.run(base, capture_output=True, text=True).stdout)
        text = subprocess.run(base + ["-g", "none"], capture_output=True, text=True).stdout
    elif tool == "callgrind":
        text = subprocess.run(["callgrind_annotate", "--inclusive=no", str(raw)], capture_output=True, text=True).stdout
        out.write_text(text)
    elif tool == "heaptrack":
        files = sorted(raw.parent.glob(raw.name + "*"))
        text = subprocess.run(["heaptrack_print", "--print-peaks", "1", "--print-allocators", "0", "--print-leaks", "0",
                               "--print-temporary", "0", "--peak-limit", "15", "-f", str(files[0])], capture_output=True, text=True).stdout
        out.write_text(text)
    else:
        text = subprocess.run(["ms_print", str(raw)], capture_output=True, text=True).stdout
        out.write_text(text)
        peak = text.find("(peak)")
        text = text[text.rfind("\n", 0, max(peak, 0)):] if peak >= 0 else text
        return "\n".join(text.splitlines()[:lines])
    return "\n".join([l for l in text.splitlines() if l.strip() and not l.startswith("#")][:lines])


def main() -> None:
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("scenario", choices=["discovery", "throughput", "memory"])
    parser.add_argument("--tool", choices=["perf", "callgrind", "massif", "heaptrack"], default="perf")
    parser.add_argument("--completed", type=int, default=10000, help="discovery: completed jobs on chain")
    parser.add_argument("--poll-interval", type=float, default=2)
    parser.add_argument("--seconds", type=float, default=30, help="discovery: seconds profiled")
    parser.add_argument("--jobs", type=int, default=100, help="throughput: pending jobs")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--mb", type=int, default=100, help="memory: megabytes each of the 8 jobs prints")
    parser.add_argument("--lines", type=int, default=40)
    args = parser.parse_args()
    kind = choose_worker(args.worker)
    with Devnet(args.slot_ms, name=f"profile-{args.scenario}") as devnet:
        raw = devnet.dir / f"{args.tool}.out"
        wrapper = {"perf": ["perf", "record", "-F", "999", "-g", "-o", str(raw), "--"],
                   "callgrind": ["valgrind", "--tool=callgrind", f"--callgrind-out-file={raw}", "--"],
                   "heaptrack": ["heaptrack", "-o", str(raw), "--"],
                   "massif": ["valgrind", "--tool=massif", "--depth=40", "--threshold=0.5", f"--massif-out-file={raw}", "--"]}[args.tool]
        if args.scenario == "discovery":
            devnet.control("/jobs/bulk", {"count": args.completed, "status": "completed"})
            worker = Worker(kind, devnet, subscribe=False, poll_interval=args.poll_interval, concurrency=2, name="profile", wrapper=wrapper)
            target = child_pid(worker.pid) if args.tool == "perf" else worker.pid
            time.sleep(args.seconds)
            os.kill(target, signal.SIGTERM)
            worker.wait(timeout=120)
        else:
            code = job_code(args.mb) if args.scenario == "memory" else "pass\n"
            devnet.control("/jobs/bulk", {"count": args.jobs if args.scenario == "throughput" else 8, "status": "pending", "code": code})
            worker = Worker(kind, devnet, subscribe=False, poll_interval=args.poll_interval,
                            concurrency=args.concurrency if args.scenario == "throughput" else 8, once=True,
                            name="profile", wrapper=wrapper)
            worker.wait(timeout=1800)
        worker.stop()
        text_path = devnet.dir / f"{args.tool}-report.txt"
        print(report(args.tool, raw, text_path, args.lines))
        print(f"\nfull report: {text_path}\nraw profile: {raw}\nworker log: {worker.log_path}")


if __name__ == "__main__":
    main()
