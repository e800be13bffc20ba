"""The summary tables of bench/README.md, generated from bench/results/*.json.

`python summarize.py` prints them; `python summarize.py --write` replaces the block between
`<!-- summary:start -->` and `<!-- summary:end -->` in bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Optional

BENCH = Path(__file__).resolve().parent
RESULTS = Path(os.environ.get("BENCH_RESULTS_DIR") or BENCH / "results")
README = BENCH / "README.md"
START, END = "<!-- summary:start -->", "<!-- summary:end -->"
WORKERS = (("", "Swift `cloudmesh-worker`"), ("-reference", "reference worker (seed's design, Python)"))


def load(name: str, suffix: str) -> Optional[dict]:
    path = RESULTS / f"{name}{suffix}.json"
    return json.loads(path.read_text()) if path.exists() else None


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def mark(met: Optional[bool]) -> str:
    return "" if met is None else (" ✅" if met else " ❌")


def worker_line(data: dict) -> str:
    w = data["worker"]
    extra = f", {w.get('build')} build of {w.get('repo_commit')}" if w["name"] == "swift" else ""
    return f"{data['when']}, {w['name']}{extra}, {data['machine']['cpus']} CPUs, load {data['machine']['loadavg_at_start']}"


def latency(suffix: str) -> list[str]:
    data = load("pickup_latency", suffix)
    if data is None:
        return []
    out = [f"**Pickup latency** ({worker_line(data)}; slot {data['slot_ms']} ms)", "",
           "| mode | jobs | arrivals | p50 | p95 | p99 | max |", "| --- | ---: | --- | ---: | ---: | ---: | ---: |"]
    for mode, r in data["modes"].items():
        s = r["latency_s"]
        met = data["target"].get("met") if mode == "subscription" else None
        out.append(f"| {mode}: {r['note']}, POLL_INTERVAL {r['poll_interval_s']:g} s | {s['count']} | every {r['mean_gap_s']:.2f} s (mean) "
                   f"| {ms(s['p50'])} | {ms(s['p95'])} | {ms(s['p99'])}{mark(met)} | {ms(s['max'])} |")
    return out + [""]


def throughput(suffix: str) -> list[str]:
    data = load("throughput", suffix)
    if data is None:
        return []
    baseline = {l["concurrency"]: l for l in data.get("baseline_levels", [])}
    mode = data.get("mode", "single")
    out = [f"**Throughput** ({worker_line(data)}; slot {data['slot_ms']} ms; {data['levels'][0]['jobs']} trivial jobs pending, `run --once`; "
           f"settlement: {mode}" + (", with one job per transaction side by side" if baseline else "") + ")", "",
           "| MAX_CONCURRENT_JOBS | jobs settled/s (wall) | steady (10-90 %) | ceiling: sandboxed `python3 -c pass`/s | ratio "
           "| jobs per transaction (mean / max) | worker CPU per job | devnet CPU per job |"
           + (" one job per transaction: jobs/s, ratio, worker / devnet CPU per job |" if baseline else ""),
           "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |" + (" ---: |" if baseline else "")]

    def batches(l: dict) -> str:
        b = l.get("batches") or {}
        return f"{b['mean']:.1f} / {b['max']}" if b.get("mean") else "-"

    def cpu(l: dict, key: str) -> str:
        c = l.get("cpu_per_job") or {}
        return f"{c[key]:.1f} ms" if key in c else "-"

    for l in data["levels"]:
        row = (f"| {l['concurrency']} | {l['jobs_per_s']:.2f} ({l['completed']}/{l['jobs']} in {l['wall_s']:.0f} s) | {l['steady_jobs_per_s']:.2f} "
               f"| {l['ceiling_runs_per_s']:.1f} | {l['ratio']:.3f}{mark(l['ratio'] >= data['target']['ratio'])} "
               f"| {batches(l)} | {cpu(l, 'worker_ms')} | {cpu(l, 'devnet_ms')} |")
        if baseline:
            b = baseline.get(l["concurrency"])
            row += (f" {b['jobs_per_s']:.2f}, {b['ratio']:.3f}, {cpu(b, 'worker_ms')} / {cpu(b, 'devnet_ms')} |" if b else " - |")
        out.append(row)
    return out + [""]


def discovery(suffix: str) -> list[str]:
    data = load("discovery_cost", suffix)
    if data is None:
        return []
    modes = (("polling", "polling only"), ("subscription", "subscription + 10 s poll"), ("subscription_long_poll", "subscription alone"))
    head = "".join(f" {name}: KiB / min | CPU ms / min |" for _, name in modes)
    out = [f"**Discovery cost** ({worker_line(data)}; bytes = JSON bodies received from the RPC node and PubSub; "
           f"polling every {data['sizes'][0]['polling']['poll_interval_s']:g} s)", "",
           "| completed jobs | worker |" + head + " one getProgramAccounts: full / dataSlice 0 (KiB) |",
           "| ---: | --- |" + " ---: | ---: |" * len(modes) + " ---: |"]

    def row(size: dict, results: dict, who: str, sizes: str) -> str:
        cells = "".join(f" {results[key]['per_minute']['bytes'] / 1024:,.1f} | {results[key]['per_minute']['cpu_ms']:,.0f} |" for key, _ in modes)
        return f"| {size['completed_jobs']:,} | {who} |{cells} {sizes} |"

    for size in data["sizes"]:
        g = size["get_program_accounts_bytes"]
        sizes = f"{g['full']['bytes'] / 1024:,.1f} / {g['data_slice_0']['bytes'] / 1024:,.1f}"
        out.append(row(size, size, "this worker", sizes))
        if "baseline" in size:
            out.append(row(size, size["baseline"], "seed's design", sizes))
    g = data["growth_smallest_to_largest"]
    target = data["target"]
    growth = ", ".join(
        f"{name} ×{g[key]['bytes_per_minute']:,.2f}{mark(target.get(f'met_{key}', g[key]['bytes_per_minute'] <= target.get('growth_max', 2)))}"
        for key, name in modes)
    out += ["", f"Growth from {data['sizes'][0]['completed_jobs']:,} to {data['sizes'][-1]['completed_jobs']:,} completed jobs, "
            f"bytes per minute (target ×{target.get('growth_max', 2)} or less): {growth}."]
    if "baseline" in data:
        b = data["baseline"]["growth_smallest_to_largest"]
        out.append(f"The seed's design, {data['sizes'][0]['completed_jobs']:,} to {data['baseline']['largest']:,}: "
                   + ", ".join(f"{name} ×{b[key]['bytes_per_minute']:,.1f}" for key, name in modes) + ".")
    return out + [""]


def memory(suffix: str) -> list[str]:
    data = load("memory", suffix)
    if data is None:
        return []
    done = sum(1 for r in data["results"] if r.get("status") == "Completed")
    stdout = [r.get("stdout_bytes", 0) for r in data["results"] if r.get("status") == "Completed"]
    kept = f"; stdout kept in the result: {min(stdout):,}-{max(stdout):,} bytes" if stdout else ""
    phases = data.get("phases")
    detail = ""
    if phases:
        detail = (f" Peaks in the same run: idle {phases['idle']['peak_kib'] / 1024:.1f} MiB, {data['jobs']} trivial jobs "
                  f"{phases['trivial']['peak_kib'] / 1024:.1f} MiB, {data['jobs']} jobs printing {data['mb_per_job']} MB "
                  f"{phases['output']['peak_kib'] / 1024:.1f} MiB.")
    return [f"**Memory** ({worker_line(data)}): {data['jobs']} jobs × {data['mb_per_job']} MB of stdout, worker peak RSS (VmHWM) "
            f"**{data['peak_rss_mib']:.1f} MiB**{mark(data['target']['met'])}; {done}/{data['jobs']} completed in {data['seconds']:.0f} s{kept}."
            f"{detail}", ""]


def tables() -> str:
    lines: list[str] = []
    for suffix, title in WORKERS:
        block = latency(suffix) + throughput(suffix) + discovery(suffix) + memory(suffix)
        if block:
            lines += [f"### {title}", ""] + block
    return "\n".join(lines) or "No results yet: run bench/run_all.sh."


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="update bench/README.md")
    args = parser.parse_args()
    text = tables()
    if not args.write:
        print(text)
        return
    readme = README.read_text()
    if START not in readme or END not in readme:
        raise SystemExit(f"{README} has no {START} ... {END} block")
    head, rest = readme.split(START, 1)
    _, tail = rest.split(END, 1)
    README.write_text(f"{head}{START}\n{text}\n{END}{tail}")
    print(f"updated {README}")


if __name__ == "__main__":
    main()
