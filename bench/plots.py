"""PNG plots from bench/results/*.json: latency CDF, throughput vs ceiling, discovery cost, memory timeline.

Each plot shows the Swift worker's results (`<name>.json`) and the reference worker's (`<name>-reference.json`)
when present. Needs bench/requirements.txt (matplotlib).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

BENCH = Path(__file__).resolve().parent
RESULTS = Path(os.environ.get("BENCH_RESULTS_DIR") or BENCH / "results")
PLOTS = Path(os.environ.get("BENCH_PLOTS_DIR") or BENCH)
WORKERS = (("", "Swift worker"), ("-reference", "reference (seed's design)"))


def load(name: str) -> list[tuple[str, dict]]:
    out = []
    for suffix, label in WORKERS:
        path = RESULTS / f"{name}{suffix}.json"
        if path.exists():
            out.append((label, json.loads(path.read_text())))
    return out


def save(fig, name: str) -> None:
    path = PLOTS / f"{name}.png"
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    print(f"wrote {path}")


def latency_cdf() -> None:
    runs = load("pickup_latency")
    if not runs:
        return
    fig, ax = plt.subplots(figsize=(8, 4.5))
    styles = {"subscription": "-", "polling": "--"}
    for label, data in runs:
        for mode, result in data["modes"].items():
            xs = sorted(result["samples_s"])
            if not xs:
                continue
            ys = [(i + 1) / len(xs) for i in range(len(xs))]
            ax.step([x * 1000 for x in xs], ys, styles.get(mode, ":"), where="post",
                    label=f"{label}, {mode} (p99 {result['latency_s']['p99'] * 1000:.0f} ms, n={len(xs)})")
    ax.axvline(500, color="grey", lw=0.8)
    ax.text(510, 0.05, "target p99 500 ms", color="grey", fontsize=8)
    ax.set_xscale("log")
    ax.set_xlabel("pickup latency: initialize_job confirmed → job code starts (ms, log)")
    ax.set_ylabel("fraction of jobs")
    ax.set_title("Pickup latency CDF")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    save(fig, "latency_cdf")


def throughput() -> None:
    runs = load("throughput")
    if not runs:
        return
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for label, data in runs:
        levels = [l["concurrency"] for l in data["levels"]]
        ax.plot(levels, [l["jobs_per_s"] for l in data["levels"]], "o-", label=f"{label}: jobs settled/s")
        ax.plot(levels, [l["ceiling_runs_per_s"] for l in data["levels"]], "x:", label=f"ceiling in that run: sandboxed python3 -c pass/s")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("MAX_CONCURRENT_JOBS")
    ax.set_ylabel("per second (log)")
    ax.set_title("Throughput vs the machine's ceiling")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    save(fig, "throughput")


def discovery() -> None:
    runs = load("discovery_cost")
    if not runs:
        return
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for label, data in runs:
        n = [s["completed_jobs"] for s in data["sizes"]]
        for key, style, what in (("polling", "o-", "polling only"), ("subscription", "s--", "subscription + 10 s safety poll"),
                                 ("subscription_long_poll", "^:", "subscription alone")):
            ys = [max(s[key]["per_minute"]["bytes"], 1) for s in data["sizes"]]
            poll = data["sizes"][0][key]["poll_interval_s"]
            ax.plot(n, ys, style, label=f"{label}: {what}" + (f" ({poll:g} s)" if key == "polling" else ""))
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("completed jobs on chain (log)")
    ax.set_ylabel("bytes received per minute (log; 1 = none)")
    ax.set_title("Discovery cost vs history")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    save(fig, "discovery_cost")


def memory() -> None:
    runs = load("memory")
    if not runs:
        return
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for label, data in runs:
        samples = data["rss_samples_kib"]
        ax.plot([t for t, _ in samples], [kb / 1024 for _, kb in samples], label=f"{label} (peak {data['peak_rss_mib']:.0f} MiB)")
    ax.axhline(100, color="grey", lw=0.8)
    ax.set_xlabel("seconds since worker start")
    ax.set_ylabel("worker RSS (MiB)")
    ax.set_title("Worker memory while 8 jobs each print 100 MB")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    save(fig, "memory")


def main() -> None:
    for fn in (latency_cdf, throughput, discovery, memory):
        fn()


if __name__ == "__main__":
    main()
