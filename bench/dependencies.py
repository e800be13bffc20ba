"""Benchmark 6: pickup to start of a job whose PEP 723 dependencies are cached, against a plain job; cold builds.

Issue #14's benchmark. One devnet, and the worker with MAX_CONCURRENT_JOBS 2 and the subscription on
(POLL_INTERVAL 10 s as the safety net), installing dependencies with uv from a package index: the devnet's own
(`index_url` in its ready line) when it serves one, else a local `file://` index written by
Tests/DependenciesTests/Fixtures/make_index.py into bench/results/tmp (`--index` chooses). The one-package
set is `cm-greeting` on the devnet's index, `cm-alpha` on the local one (neither has dependencies).

- Cold: `--cold` times, each with a fresh worker (its own state directory: no environment, no remembered
  resolution, and uv's download cache lives per build), a plain warm-up job, then one job declaring the
  package. Its pickup to start includes resolving and installing the set; the worker's log line
  "dependencies ready" gives the preparation alone (resolution + installation + recording).
- Warm: with the last cold worker (the environment now on disk, its resolution remembered for 10 minutes),
  `--jobs` jobs, half plain and half declaring the package, in a seeded random order, arrive one by one
  (exponential gaps, mean `--gap`), interleaved so that both kinds see the same machine and devnet.

Pickup to start is measured as in pickup_latency.py: t0 = the harness's `signatureSubscribe` notification
(`confirmed`) for the job's initialize_job, t1 = `time.time()` printed by the job's first statement (read from
the result document). The job declaring the package then imports it (proof that the environment was there).
Target: cached p50 - plain p50 within 10 ms.
"""

from __future__ import annotations

import asyncio
import random
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Optional

import aiohttp

from common import (REPO, TMP, Devnet, Worker, base_parser, choose_worker, http, machine, now_iso, portable_path,
                    result_name, summary, write_result)
from pickup_latency import Confirmations, wait_completed

TARGET_P50_DIFFERENCE_S = 0.010
PLAIN_CODE = "import time; print(repr(time.time()), flush=True)\n"
INDEXES = {
    # source: (package, module)
    "devnet": ("cm-greeting", "cm_greeting"),
    "local": ("cm-alpha", "cm_alpha"),
}


# ---------------------------------------------------------------- pure parts (tested in bench/tests)


def declaring_code(package: str, module: str) -> str:
    """A job declaring `package` (PEP 723) whose first statement prints time.time(), then imports it."""
    return (f'# /// script\n# dependencies = ["{package}"]\n# ///\n'
            f"import time; print(repr(time.time()), flush=True)\n"
            f"import {module}; print({module}.__name__, flush=True)\n")


def first_line_time(stdout: Optional[str]) -> Optional[float]:
    """The float the job's first statement printed (t1), or None."""
    first = (stdout or "").split("\n", 1)[0].strip()
    try:
        return float(first)
    except ValueError:
        return None


def interleaved_kinds(count: int, seed: int) -> list[str]:
    """`count` job kinds, half "plain" and half "cached" (one more plain when odd), in a seeded random order."""
    kinds = ["cached"] * (count // 2) + ["plain"] * (count - count // 2)
    random.Random(seed).shuffle(kinds)
    return kinds


_DURATION = re.compile(r"^\s*([0-9.eE+-]+)\s*seconds?\s*$")


def duration_seconds(text: Optional[str]) -> Optional[float]:
    """Seconds of a Swift `Duration` description ("1.25 seconds"), or None."""
    match = _DURATION.match(text or "")
    return float(match.group(1)) if match else None


def dependency_preparations(log_text: str) -> dict[str, float]:
    """job address → seconds of its "dependencies ready" line in a worker's JSON log."""
    import json
    out: dict[str, float] = {}
    for line in log_text.splitlines():
        if "dependencies ready" not in line:
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        seconds = duration_seconds(entry.get("duration"))
        if entry.get("job") and seconds is not None:
            out[entry["job"]] = seconds
    return out


def environment_metrics(exposition: str) -> dict[str, float]:
    """The dependency figures of a /metrics exposition: `cloudmesh_environment*` samples and the
    `dependencies` stage's duration histogram count and sum (name with labels → value)."""
    out: dict[str, float] = {}
    for line in exposition.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        name, _, value = line.rpartition(" ")
        environment = name.startswith("cloudmesh_environment")
        stage = name.startswith("cloudmesh_stage_duration_seconds_") and 'stage="dependencies"' in name
        if (environment or stage) and "_bucket" not in name:
            try:
                out[name] = float(value)
            except ValueError:
                pass
    return out


def compare(plain: dict, cached: dict, target: float = TARGET_P50_DIFFERENCE_S) -> dict:
    """cached - plain at p50 (the target) and p95, in seconds; None without samples."""
    out: dict[str, Any] = {"target_p50_s": target}
    for key in ("p50", "p95"):
        ok = plain.get("count") and cached.get("count")
        out[f"{key}_difference_s"] = cached[key] - plain[key] if ok else None
    difference = out["p50_difference_s"]
    out["met"] = None if difference is None else difference <= target
    return out


def _ms(value: Optional[float]) -> str:
    return "-" if value is None else f"{value * 1000:,.1f} ms"


def table(result: dict) -> str:
    """The figures as a Markdown table (printed, and pasted into bench/README.md)."""
    rows = ["| jobs | n | p50 | p95 | p99 | max |", "| --- | ---: | ---: | ---: | ---: | ---: |"]
    warm = result.get("warm", {})
    for kind, label in (("plain", "plain (no metadata)"), ("cached", "declaring the package, environment cached")):
        stats = warm.get(kind, {}).get("latency_s", {})
        rows.append(f"| {label} | {stats.get('count', 0)} | {_ms(stats.get('p50'))} | {_ms(stats.get('p95'))} | "
                    f"{_ms(stats.get('p99'))} | {_ms(stats.get('max'))} |")
    cold = result.get("cold", {})
    stats = cold.get("latency_s", {})
    rows.append(f"| declaring the package, cold (fresh worker) | {stats.get('count', 0)} | {_ms(stats.get('p50'))} | "
                f"- | - | {_ms(stats.get('max'))} |")
    c = result.get("comparison", {})
    mark = {True: "✅", False: "❌", None: "-"}[c.get("met")]
    prep = cold.get("preparation_s", {})
    rows.append("")
    rows.append(f"cached − plain: p50 {_ms(c.get('p50_difference_s'))} {mark} (target ≤ "
                f"{_ms(c.get('target_p50_s'))}), p95 {_ms(c.get('p95_difference_s'))}; cold build of one package "
                f"(\"dependencies ready\"): p50 {_ms(prep.get('p50'))}, max {_ms(prep.get('max'))}")
    return "\n".join(rows)


# ---------------------------------------------------------------- the run


def local_index() -> str:
    """Writes the fixture index under bench/results/tmp and returns its file:// URL."""
    directory = TMP / f"index-{int(time.time())}"
    script = REPO / "Tests" / "DependenciesTests" / "Fixtures" / "make_index.py"
    subprocess.run([sys.executable, str(script), str(directory)], check=True)
    return "file://" + str((directory / "simple").resolve())


def choose_index(devnet: Devnet, choice: str) -> tuple[str, str, str, str]:
    """(source, url, package, module): the devnet's index unless `choice` is "local" or it serves none."""
    url = devnet.info.get("index_url")
    if choice == "devnet" and not url:
        raise SystemExit("bench: this devnet serves no package index (no index_url in its ready line)")
    source = "devnet" if url and choice != "local" else "local"
    if source == "local":
        url = local_index()
    package, module = INDEXES[source]
    return source, url, package, module


async def create_jobs(devnet: Devnet, codes: list[str], mean_gap: float, prefix: str, seed: int) -> list[dict]:
    """One job per code, with exponential gaps; returns [{job, signature, t0}] (t0 as in pickup_latency.py)."""
    rng = random.Random(seed)
    jobs: list[dict] = []
    async with aiohttp.ClientSession() as session, Confirmations(devnet.ws_url) as confirmations:
        for i, code in enumerate(codes):
            body = {"title": f"{prefix}-{i}", "code": code, "owner_secret_key": devnet.owner, "fund": False}
            async with session.post(devnet.control_url + "/jobs", json=body) as resp:
                created = await resp.json()
            if resp.status != 200 or created.get("err") is not None:
                raise RuntimeError(f"job creation failed: {created}")
            await confirmations.watch(created["signature"])
            jobs.append({"job": created["job"], "signature": created["signature"]})
            if i + 1 < len(codes):
                await asyncio.sleep(rng.expovariate(1 / mean_gap) if mean_gap > 0 else 0)
        deadline = time.monotonic() + 30
        while len(confirmations.confirmed_at) < len(codes) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        for job in jobs:
            job["t0"] = confirmations.confirmed_at.get(job["signature"])
            if job["signature"] in confirmations.errors:
                raise RuntimeError(f"initialize_job failed: {confirmations.errors[job['signature']]}")
    return jobs


def measure(devnet: Devnet, worker: Worker, jobs: list[dict], timeout: float) -> None:
    """Waits for `jobs` to complete and fills in t1, latency and the result's stdout and dependencies."""
    statuses = wait_completed(devnet, worker, [j["job"] for j in jobs], timeout)
    for job in jobs:
        doc = devnet.result_document(statuses[job["job"]]["result_cid"])
        job["t1"] = first_line_time(doc.get("stdout"))
        job["returncode"] = doc.get("returncode")
        job["dependencies"] = doc.get("dependencies")
        job["error"] = doc.get("error") or (doc.get("stderr") or "")[-500:] or None
        job["latency_s"] = job["t1"] - job["t0"] if job["t1"] is not None and job["t0"] is not None else None


def start_worker(kind, devnet: Devnet, args, index_url: str, name: str) -> Worker:
    env = {"PYTHON_INDEX_URL": index_url}
    uv = REPO / ".venv" / "bin" / "uv"
    if uv.exists():
        env["UV_PATH"] = str(uv)
    worker = Worker(kind, devnet, subscribe=True, poll_interval=args.safety_poll_interval, concurrency=args.concurrency,
                    name=name, extra_env=env)
    # A worker running as root runs each job as its own unprivileged user, which bubblewrap binds the environment
    # as: the directories above STATE_DIR/environments must be traversable by others (mkdtemp makes them 0700).
    for directory in (devnet.dir, worker.dir):
        directory.chmod(0o711)
    return worker


def run(kind, args) -> dict:
    with Devnet(args.slot_ms, name="dependencies") as devnet:
        source, index_url, package, module = choose_index(devnet, args.index)
        print(f"index: {source} ({portable_path(index_url.removeprefix('file://'))}), package {package}", flush=True)
        with_package = declaring_code(package, module)
        cold: list[dict] = []
        worker: Optional[Worker] = None
        workers_logs: list[Path] = []
        try:
            for sample in range(args.cold):
                if worker is not None:
                    worker.stop()
                worker = start_worker(kind, devnet, args, index_url, f"cold{sample}")
                workers_logs.append(worker.log_path)
                warm = asyncio.run(create_jobs(devnet, [PLAIN_CODE], 0, f"warmup-{sample}", sample))
                measure(devnet, worker, warm, 90)
                job = asyncio.run(create_jobs(devnet, [with_package], 0, f"cold-{sample}", sample))[0]
                measure(devnet, worker, [job], args.dependency_timeout + 60)
                job["preparation_s"] = dependency_preparations(worker.log_path.read_text()).get(job["job"])
                if job["returncode"] != 0:
                    raise RuntimeError(f"the cold job failed: {job['error']}\n{worker.tail()}")
                cold.append(job)
                print(f"[cold {sample + 1}/{args.cold}] pickup to start {_ms(job['latency_s'])}, dependencies ready "
                      f"after {_ms(job['preparation_s'])}: {job['dependencies']}", flush=True)
            assert worker is not None
            kinds = interleaved_kinds(args.jobs, 42)
            print(f"[warm] {kinds.count('plain')} plain and {kinds.count('cached')} cached jobs interleaved, mean gap "
                  f"{args.gap:.3f} s", flush=True)
            started = time.monotonic()
            codes = [with_package if k == "cached" else PLAIN_CODE for k in kinds]
            jobs = asyncio.run(create_jobs(devnet, codes, args.gap, "warm", 7))
            measure(devnet, worker, jobs, args.jobs * 2 + 120)
            elapsed = time.monotonic() - started
            status, body = http("GET", f"http://127.0.0.1:{worker.metrics_port}/metrics")
            metrics = environment_metrics(body.decode()) if status == 200 else {}
            preparations = dependency_preparations(worker.log_path.read_text())
        finally:
            if worker is not None:
                worker.stop()
    for job, k in zip(jobs, kinds):
        job["kind"] = k
        job["preparation_s"] = preparations.get(job["job"])
    failed = [j for j in jobs if j["returncode"] != 0]
    if failed:
        raise RuntimeError(f"{len(failed)} warm jobs failed, e.g. {failed[0]['error']}")
    warm_out: dict[str, Any] = {"jobs": args.jobs, "mean_gap_s": args.gap, "seconds": round(elapsed, 1)}
    for k in ("plain", "cached"):
        mine = [j for j in jobs if j["kind"] == k]
        latencies = [j["latency_s"] for j in mine if j["latency_s"] is not None]
        warm_out[k] = {"jobs": len(mine), "missing": len(mine) - len(latencies), "latency_s": summary(latencies),
                       "samples_s": [round(x, 6) for x in latencies]}
    cached_preparations = [j["preparation_s"] for j in jobs if j["kind"] == "cached" and j["preparation_s"] is not None]
    warm_out["cached"]["preparation_s"] = summary(cached_preparations)
    cold_latencies = [j["latency_s"] for j in cold if j["latency_s"] is not None]
    cold_preparations = [j["preparation_s"] for j in cold if j["preparation_s"] is not None]
    return {
        "index": {"source": source, "url": index_url if source == "devnet" else "file://" + portable_path(
            index_url.removeprefix("file://")), "package": package, "dependencies": cold[-1]["dependencies"]},
        "cold": {"samples": len(cold), "latency_s": summary(cold_latencies), "preparation_s": summary(cold_preparations),
                 "jobs_detail": [{k: j.get(k) for k in ("job", "t0", "t1", "latency_s", "preparation_s", "dependencies")}
                                 for j in cold]},
        "warm": warm_out,
        "comparison": compare(warm_out["plain"]["latency_s"], warm_out["cached"]["latency_s"]),
        "metrics_after_warm": metrics,
        "jobs_detail": [{k: j.get(k) for k in ("job", "kind", "t0", "t1", "latency_s", "preparation_s")} for j in jobs],
    }


def main() -> None:
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=200, help="warm jobs, half plain and half with the cached set")
    parser.add_argument("--gap", type=float, default=0.5, help="mean seconds between warm jobs (exponential)")
    parser.add_argument("--cold", type=int, default=3, help="cold builds, each with a fresh worker")
    parser.add_argument("--index", choices=["auto", "devnet", "local"], default="auto",
                        help="the devnet's index when it serves one (auto), or a local file:// index")
    parser.add_argument("--concurrency", type=int, default=2, help="MAX_CONCURRENT_JOBS")
    parser.add_argument("--safety-poll-interval", type=float, default=10, help="POLL_INTERVAL (the subscription is on)")
    parser.add_argument("--dependency-timeout", type=float, default=120, help="the worker's DEPENDENCY_TIMEOUT (default)")
    args = parser.parse_args()
    if args.cold < 1 or args.jobs < 2:
        parser.error("--cold must be at least 1 and --jobs at least 2")
    kind = choose_worker(args.worker)
    if kind.name != "swift":
        raise SystemExit("bench: dependencies needs the Swift worker (the reference worker installs none)")
    out: dict[str, Any] = {"benchmark": "dependencies", "when": now_iso(), "machine": machine(), "worker": kind.describe(),
                           "slot_ms": args.slot_ms,
                           "settings": {"concurrency": args.concurrency, "safety_poll_interval_s": args.safety_poll_interval,
                                        "jobs": args.jobs, "mean_gap_s": args.gap, "cold": args.cold}}
    out.update(run(kind, args))
    print(table(out), flush=True)
    write_result(result_name("dependencies", kind, args.out), out)


if __name__ == "__main__":
    main()
