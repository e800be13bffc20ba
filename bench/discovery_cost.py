"""Benchmark 3: the cost of discovery as the program's history grows.

For each history size (completed Job accounts, bulk-created; nothing pending), on a fresh devnet:
- polling only: bytes the worker received from the RPC node and worker CPU per poll cycle;
- with the subscription, per minute in steady state, twice: POLL_INTERVAL 10 s (the safety-net poll the
  worker keeps) and a long POLL_INTERVAL (subscription alone after the start-up poll).
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


def run_size(kind, completed: int, args) -> dict:
    with Devnet(args.slot_ms, name=f"discovery-{completed}") as devnet:
        devnet.control("/jobs/bulk", {"count": completed, "status": "completed", "title_prefix": f"done{completed}"})
        result: dict[str, Any] = {"completed_jobs": completed}

        worker = start_and_settle(kind, devnet, subscribe=False, poll_interval=args.poll_interval, name="poll")
        try:
            delta = measure(devnet, worker, args.poll_window)
        finally:
            worker.stop()
        cycles = max(delta["poll_requests"], 1)
        result["polling"] = {"note": worker.subscription_note, "poll_interval_s": args.poll_interval, "cycles": delta["poll_requests"],
                             "per_cycle": per(delta, cycles, True), "per_minute": per(delta, delta["seconds"] / 60, False), "raw": delta}
        pc = result["polling"]["per_cycle"]
        print(f"[{completed:>6} completed] polling: {delta['poll_requests']} cycles, {pc['bytes'] / 1024:.1f} KiB and "
              f"{pc['cpu_ms']:.1f} ms CPU per cycle", flush=True)

        for label, interval in (("subscription", args.safety_poll_interval), ("subscription_long_poll", args.long_poll_interval)):
            worker = start_and_settle(kind, devnet, subscribe=True, poll_interval=interval, name=label)
            try:
                delta = measure(devnet, worker, args.sub_window)
            finally:
                worker.stop()
            result[label] = {"note": worker.subscription_note, "poll_interval_s": interval, "per_minute": per(delta, delta["seconds"] / 60, False),
                             "raw": delta}
            pm = result[label]["per_minute"]
            print(f"[{completed:>6} completed] {label} (POLL_INTERVAL {interval:g}): {pm['bytes'] / 1024:.1f} KiB and "
                  f"{pm['cpu_ms']:.0f} ms CPU per minute", flush=True)
        result["get_program_accounts_bytes"] = gpa_sizes(devnet)
        return result


def main() -> None:
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,1000,10000", help="completed jobs on the devnet")
    parser.add_argument("--poll-interval", type=float, default=2, help="POLL_INTERVAL while measuring per-cycle cost")
    parser.add_argument("--poll-window", type=float, default=20, help="seconds measured, polling only")
    parser.add_argument("--safety-poll-interval", type=float, default=10, help="POLL_INTERVAL with the subscription")
    parser.add_argument("--long-poll-interval", type=float, default=3600, help="POLL_INTERVAL for the subscription-alone run")
    parser.add_argument("--sub-window", type=float, default=60, help="seconds measured with the subscription")
    args = parser.parse_args()
    kind = choose_worker(args.worker)
    sizes = [run_size(kind, int(n), args) for n in args.sizes.split(",")]
    first, last = sizes[0], sizes[-1]

    def growth(key: str, metric: str) -> float:
        a, b = first[key]["per_minute"][metric], last[key]["per_minute"][metric]
        if a == 0:
            return 1.0 if b == 0 else float("inf")
        return b / a

    out: dict[str, Any] = {
        "benchmark": "discovery_cost", "when": now_iso(), "machine": machine(), "worker": kind.describe(), "slot_ms": args.slot_ms,
        "sizes": sizes,
        "growth_smallest_to_largest": {
            key: {"bytes_per_minute": growth(key, "bytes"), "cpu_per_minute": growth(key, "cpu_ms")}
            for key in ("polling", "subscription", "subscription_long_poll")},
    }
    # Target: steady-state cost with the subscription not growing with history (2x slack for noise).
    out["target"] = {"steady_state_growth_max": 2.0,
                     "met_with_safety_poll": out["growth_smallest_to_largest"]["subscription"]["bytes_per_minute"] <= 2.0,
                     "met_subscription_alone": out["growth_smallest_to_largest"]["subscription_long_poll"]["bytes_per_minute"] <= 2.0}
    write_result(result_name("discovery_cost", kind, args.out), out)


if __name__ == "__main__":
    main()
