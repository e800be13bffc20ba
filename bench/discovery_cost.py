"""Benchmark 3: the cost of discovery as the program's history grows.

For each history size (completed Job accounts, bulk-created; nothing pending; 10 to 100,000 by default), on
a fresh devnet, per minute in steady state, in three modes:
- polling only (POLL_INTERVAL 2 s): bytes the worker received from the RPC node and worker CPU;
- with the subscription and its 10 s safety poll;
- the subscription alone (POLL_INTERVAL 3,600 s, after the start-up scan).
The seed's design (the reference worker, a full getProgramAccounts per poll) is measured on the same
devnets up to --baseline-max (10,000: beyond, each of its polls reads every account).
Bytes come from the devnet's traffic counters (JSON bodies of JSON-RPC responses and PubSub messages sent;
the harness makes no RPC/PubSub calls during a window). CPU is utime+stime of the worker process from
/proc/<pid>/stat. Afterwards the harness measures what one getProgramAccounts answer weighs in full, with
a zero-length dataSlice (addresses only) and with a small dataSlice, to show what would bound the cost.
"""

from __future__ import annotations

import json
import time
from typing import Any

from common import (Devnet, Worker, base_parser, choose_worker, http, machine, now_iso, result_name, wait_until,
                    write_result)

JOB_FILTERS = [{"dataSize": 308}, {"memcmp": {"offset": 0, "bytes": "DdJgs2JGpjh"}}]  # base58 of the Job discriminator


def totals(traffic: dict) -> dict:
    """Summed counters: rpc requests/bytes, getProgramAccounts calls/bytes, pubsub messages/bytes."""
    rpc = traffic["rpc"]
    gpa = rpc.get("getProgramAccounts", {"requests": 0, "response_bytes": 0})
    return {
        "rpc_requests": sum(v["requests"] for v in rpc.values()),
        "rpc_response_bytes": sum(v["response_bytes"] for v in rpc.values()),
        "gpa_requests": gpa["requests"], "gpa_response_bytes": gpa["response_bytes"],
        # One poll is one full scan (getProgramAccounts) or one incremental read, which starts with the first
        # page of getSignaturesForAddress (the Swift worker after its start-up scan).
        "poll_requests": gpa["requests"] + rpc.get("getSignaturesForAddress", {"requests": 0})["requests"],
        "pubsub_messages": sum(v["messages"] for v in traffic["pubsub"].values()),
        "pubsub_bytes": sum(v["bytes"] for v in traffic["pubsub"].values()),
        "rpc_by_method": {m: v["requests"] for m, v in rpc.items()},
    }


def measure(devnet: Devnet, worker: Worker, window: float) -> dict:
    """Counter and CPU deltas over `window` seconds."""
    t_before, cpu_before, clock_before = totals(devnet.traffic()), worker.cpu_seconds(), time.monotonic()
    time.sleep(window)
    t_after, cpu_after, clock_after = totals(devnet.traffic()), worker.cpu_seconds(), time.monotonic()
    if worker.proc.poll() is not None:
        raise RuntimeError(f"worker exited ({worker.proc.returncode}):\n{worker.tail()}")
    delta = {k: t_after[k] - t_before[k] for k in t_after if k != "rpc_by_method"}
    delta["rpc_by_method"] = {m: n - t_before["rpc_by_method"].get(m, 0) for m, n in t_after["rpc_by_method"].items()
                              if n - t_before["rpc_by_method"].get(m, 0)}
    delta["cpu_s"] = cpu_after - cpu_before
    delta["seconds"] = clock_after - clock_before
    return delta


def start_and_settle(kind, devnet: Devnet, *, subscribe: bool, poll_interval: float, name: str) -> Worker:
    """Start the worker and wait until its start-up poll is over (one getProgramAccounts answered, then quiet)."""
    first = totals(devnet.traffic())["gpa_requests"]
    worker = Worker(kind, devnet, subscribe=subscribe, poll_interval=poll_interval, concurrency=2, name=name)
    wait_until(lambda: totals(devnet.traffic())["gpa_requests"] > first or worker.proc.poll() is not None, 120, 0.1,
               "the worker's first getProgramAccounts")
    if worker.proc.poll() is not None:
        raise RuntimeError(f"worker exited ({worker.proc.returncode}):\n{worker.tail()}")
    if kind.name == "swift":
        # The start-up scan reads every Job account (100,000 take a while); the steady state begins after it.
        wait_until(lambda: "discovery: full scan" in worker.log_path.read_text(errors="replace")
                   or worker.proc.poll() is not None, 600, 0.2, "the worker's start-up scan")
        time.sleep(1.0)
        return worker
    if not subscribe:
        time.sleep(min(3.0, poll_interval / 2))
        return worker
    # With the subscription, the start-up poll is over when the worker's CPU goes quiet (decoding a large
    # answer takes seconds in a debug build); only then does the steady state begin.
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        before = worker.cpu_seconds()
        time.sleep(0.5)
        if worker.cpu_seconds() - before <= 0.02:
            break
    return worker


def gpa_sizes(devnet: Devnet) -> dict:
    """Bytes of one getProgramAccounts answer (all Job accounts): full data, zero-length dataSlice, 64-byte dataSlice."""
    out = {}
    for name, extra in (("full", {}), ("data_slice_0", {"dataSlice": {"offset": 0, "length": 0}}),
                        ("data_slice_64", {"dataSlice": {"offset": 0, "length": 64}})):
        body = {"jsonrpc": "2.0", "id": 1, "method": "getProgramAccounts",
                "params": [devnet.program_id, {"encoding": "base64", "commitment": "confirmed", "filters": JOB_FILTERS, **extra}]}
        status, data = http("POST", devnet.rpc_url, body)
        out[name] = {"bytes": len(data), "accounts": len(json.loads(data).get("result", []))}
    return out


def per(delta: dict, unit: float, cycles: bool) -> dict:
    """Normalise a delta per poll cycle (unit = cycles) or per minute (unit = seconds / 60)."""
    return {"bytes": (delta["rpc_response_bytes"] + delta["pubsub_bytes"]) / unit, "rpc_response_bytes": delta["rpc_response_bytes"] / unit,
            "pubsub_bytes": delta["pubsub_bytes"] / unit, "cpu_ms": delta["cpu_s"] * 1000 / unit,
            "rpc_requests": delta["rpc_requests"] / unit, **({} if cycles else {"gpa_requests": delta["gpa_requests"] / unit})}


def measure_modes(kind, devnet: Devnet, completed: int, args, tag: str = "") -> dict:
    """The three modes for one worker on one devnet: polling only, subscription + safety poll, subscription alone."""
    result: dict[str, Any] = {}
    worker = start_and_settle(kind, devnet, subscribe=False, poll_interval=args.poll_interval, name=f"poll{tag}")
    try:
        delta = measure(devnet, worker, args.poll_window)
    finally:
        worker.stop()
    cycles = max(delta["poll_requests"], 1)
    result["polling"] = {"note": worker.subscription_note, "poll_interval_s": args.poll_interval, "cycles": delta["poll_requests"],
                         "per_cycle": per(delta, cycles, True), "per_minute": per(delta, delta["seconds"] / 60, False), "raw": delta}
    pm = result["polling"]["per_minute"]
    print(f"[{completed:>6} completed{tag}] polling (POLL_INTERVAL {args.poll_interval:g}): {delta['poll_requests']} cycles, "
          f"{pm['bytes'] / 1024:.1f} KiB and {pm['cpu_ms']:.0f} ms CPU per minute", flush=True)

    for label, interval in (("subscription", args.safety_poll_interval), ("subscription_long_poll", args.long_poll_interval)):
        worker = start_and_settle(kind, devnet, subscribe=True, poll_interval=interval, name=f"{label}{tag}")
        try:
            delta = measure(devnet, worker, args.sub_window)
        finally:
            worker.stop()
        result[label] = {"note": worker.subscription_note, "poll_interval_s": interval, "per_minute": per(delta, delta["seconds"] / 60, False),
                         "raw": delta}
        pm = result[label]["per_minute"]
        print(f"[{completed:>6} completed{tag}] {label} (POLL_INTERVAL {interval:g}): {pm['bytes'] / 1024:.1f} KiB and "
              f"{pm['cpu_ms']:.0f} ms CPU per minute", flush=True)
    return result


def run_size(kind, completed: int, args, baseline=None) -> dict:
    with Devnet(args.slot_ms, name=f"discovery-{completed}") as devnet:
        made = 0
        while made < completed:  # in chunks, so one control call stays short
            count = min(args.bulk_chunk, completed - made)
            devnet.control("/jobs/bulk", {"count": count, "status": "completed", "title_prefix": f"done{completed}-{made}"})
            made += count
        result: dict[str, Any] = {"completed_jobs": completed, **measure_modes(kind, devnet, completed, args)}
        if baseline is not None and completed <= args.baseline_max:
            result["baseline"] = measure_modes(baseline, devnet, completed, args, tag=" seed's design")
        result["get_program_accounts_bytes"] = gpa_sizes(devnet)
        return result


MODES = ("polling", "subscription", "subscription_long_poll")
TARGET_GROWTH = 1.5


def main() -> None:
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,1000,10000,100000", help="completed jobs on the devnet")
    parser.add_argument("--poll-interval", type=float, default=2, help="POLL_INTERVAL while measuring polling only")
    parser.add_argument("--poll-window", type=float, default=30, help="seconds measured, polling only")
    parser.add_argument("--safety-poll-interval", type=float, default=10, help="POLL_INTERVAL with the subscription")
    parser.add_argument("--long-poll-interval", type=float, default=3600, help="POLL_INTERVAL for the subscription-alone run")
    parser.add_argument("--sub-window", type=float, default=60, help="seconds measured with the subscription")
    parser.add_argument("--bulk-chunk", type=int, default=20000, help="jobs per /jobs/bulk call while filling the history")
    parser.add_argument("--baseline", choices=("reference", "none"), default="reference",
                        help="also measure the seed's design (the reference worker) on the same devnets")
    parser.add_argument("--baseline-max", type=int, default=10000,
                        help="largest history the baseline is measured at (each of its polls reads every account)")
    args = parser.parse_args()
    kind = choose_worker(args.worker)
    baseline = choose_worker("reference") if args.baseline == "reference" and kind.name != "reference" else None
    sizes = [run_size(kind, int(n), args, baseline) for n in args.sizes.split(",")]
    first, last = sizes[0], sizes[-1]

    def growth(a: dict, b: dict, key: str, metric: str) -> float:
        x, y = a[key]["per_minute"][metric], b[key]["per_minute"][metric]
        if x == 0:
            return 1.0 if y == 0 else float("inf")
        return y / x

    out: dict[str, Any] = {
        "benchmark": "discovery_cost", "when": now_iso(), "machine": machine(), "worker": kind.describe(), "slot_ms": args.slot_ms,
        "sizes": sizes,
        "growth_smallest_to_largest": {
            key: {"bytes_per_minute": growth(first, last, key, "bytes"), "cpu_per_minute": growth(first, last, key, "cpu_ms")}
            for key in MODES},
    }
    measured = [s for s in sizes if "baseline" in s]
    if baseline is not None and len(measured) > 1:
        out["baseline"] = {"worker": baseline.describe(), "largest": measured[-1]["completed_jobs"], "growth_smallest_to_largest": {
            key: {"bytes_per_minute": growth(measured[0]["baseline"], measured[-1]["baseline"], key, "bytes"),
                  "cpu_per_minute": growth(measured[0]["baseline"], measured[-1]["baseline"], key, "cpu_ms")} for key in MODES}}
    # Target (issue #13): bytes per minute grow at most 1.5x from the smallest to the largest history, in every mode.
    out["target"] = {"growth_max": TARGET_GROWTH,
                     **{f"met_{key}": out["growth_smallest_to_largest"][key]["bytes_per_minute"] <= TARGET_GROWTH for key in MODES}}
    write_result(result_name("discovery_cost", kind, args.out), out)


if __name__ == "__main__":
    main()
