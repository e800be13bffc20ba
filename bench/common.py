"""Shared harness for the benchmarks: the devnet, the worker under test, /proc readings, statistics, results."""

from __future__ import annotations

import argparse
import base64
import json
import os
import platform
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Callable, Optional

from solders.keypair import Keypair

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
RESULTS = Path(os.environ.get("BENCH_RESULTS_DIR") or BENCH / "results")
TMP = BENCH / "results" / "tmp"
REFERENCE_WORKER = BENCH / "_reference_worker.py"
JWT = "bench-pinata-jwt"
CLK_TCK = os.sysconf("SC_CLK_TCK")
JOB_STATUS = {0: "Pending", 1: "Completed", 2: "Cancelled"}


# ---------------------------------------------------------------- small HTTP client (stdlib only)


def http(method: str, url: str, body: Any = None, timeout: float = 60) -> tuple[int, bytes]:
    """(status, body) without raising on HTTP errors."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"} if data else {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def wait_until(predicate: Callable[[], Any], timeout: float, interval: float = 0.05, what: str = "condition") -> Any:
    """Call predicate until it returns a truthy value; raise TimeoutError after the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not reached within {timeout:.0f} s")
        time.sleep(interval)


# ---------------------------------------------------------------- the devnet


class Devnet:
    """`python -m devnet` on free ports, from the repository root; its output goes to a log file."""

    def __init__(self, slot_ms: int = 400, name: str = "devnet") -> None:
        TMP.mkdir(parents=True, exist_ok=True)
        self.dir = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=TMP))
        self.log_path = self.dir / "devnet.log"
        args = [sys.executable, "-m", "devnet", "--rpc-port", "0", "--ws-port", "0", "--ipfs-api-port", "0", "--gateway-port", "0",
                "--pinata-port", "0", "--control-port", "0", "--state-dir", str(self.dir / "state"), "--slot-ms", str(slot_ms),
                "--pinata-jwt", JWT]
        self.proc = subprocess.Popen(args, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        assert self.proc.stdout is not None
        started = time.monotonic()
        lines = []
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError(f"devnet exited before it was ready: {''.join(lines)}")
            lines.append(line)
            if line.startswith("devnet ready "):
                self.info = json.loads(line[len("devnet ready "):])
                break
            if time.monotonic() - started > 30:
                self.proc.kill()
                raise RuntimeError("devnet not ready within 30 s")
        self.log = open(self.log_path, "w")
        self.log.writelines(lines)
        threading.Thread(target=self._drain, daemon=True).start()
        self.rpc_url, self.ws_url = self.info["rpc_url"], self.info["ws_url"]
        self.gateway_url, self.pinata_url, self.control_url = self.info["gateway_url"], self.info["pinata_url"], self.info["control_url"]
        self.program_id = self.info["program_ids"][0]
        self.slot_ms = slot_ms
        self.owner = self.control("/keypairs", {"lamports": 1000 * 10**9})["secret_key"]

    def _drain(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.log.write(line)
            self.log.flush()

    def control(self, path: str, body: Optional[dict] = None) -> dict:
        """POST (or GET without a body) to the control API; raises on an error answer."""
        status, data = http("POST" if body is not None else "GET", self.control_url + path, body)
        if status != 200:
            raise RuntimeError(f"control {path} answered {status}: {data[:300]!r}")
        return json.loads(data)

    def rpc(self, method: str, params: Optional[list] = None) -> Any:
        """A JSON-RPC call; returns `result`."""
        status, data = http("POST", self.rpc_url, {"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []})
        body = json.loads(data)
        if "error" in body:
            raise RuntimeError(f"{method}: {body['error']}")
        return body["result"]

    def traffic(self) -> dict:
        """The devnet's traffic counters (GET /status → traffic)."""
        return self.control("/status")["traffic"]

    def job_statuses(self, addresses: list[str], commitment: str = "confirmed") -> dict[str, dict]:
        """address → decoded Job (status name, result_cid) read with getMultipleAccounts."""
        out: dict[str, dict] = {}
        for i in range(0, len(addresses), 100):
            chunk = addresses[i:i + 100]
            values = self.rpc("getMultipleAccounts", [chunk, {"encoding": "base64", "commitment": commitment}])["value"]
            for address, value in zip(chunk, values):
                if value is not None:
                    job = decode_job(base64.b64decode(value["data"][0]))
                    if job is not None:
                        out[address] = job
        return out

    def result_document(self, result_cid: str) -> dict:
        """The result document a worker published (from the gateway)."""
        status, data = http("GET", f"{self.gateway_url}/ipfs/{result_cid}")
        if status != 200:
            raise RuntimeError(f"gateway answered {status} for {result_cid}")
        return json.loads(data)

    def fund(self, pubkey: str, lamports: int = 100 * 10**9) -> None:
        """Faucet transfer, waited for until the balance reads at `confirmed` (what a worker checks at start)."""
        self.control("/fund", {"pubkey": pubkey, "lamports": lamports})
        wait_until(lambda: self.rpc("getBalance", [pubkey, {"commitment": "confirmed"}])["value"] >= lamports, 30, 0.05,
                   "the worker's funding confirmed")

    def stop(self) -> None:
        """SIGTERM, then wait."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()

    def __enter__(self) -> "Devnet":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def decode_job(data: bytes) -> Optional[dict]:
    """The Job fields the benchmarks read (status name, CIDs), or None when the bytes are not a Job."""
    if len(data) < 8 or data[:8] != bytes([75, 124, 80, 203, 161, 180, 202, 80]):
        return None
    pos, strings = 40, []
    for _ in range(3):
        if pos + 4 > len(data):
            return None
        (n,) = struct.unpack_from("<I", data, pos)
        pos += 4
        if pos + n > len(data):
            return None
        strings.append(data[pos:pos + n].decode("utf-8", "replace"))
        pos += n
    if pos + 17 > len(data):
        return None
    start, end = struct.unpack_from("<qq", data, pos)
    return {"title": strings[0], "code_cid": strings[1], "result_cid": strings[2], "start_time": start, "end_time": end,
            "status": JOB_STATUS.get(data[pos + 16], "?")}


# ---------------------------------------------------------------- the worker under test


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def portable_path(text: str) -> str:
    """`text` relative to the checkout when it is a path inside it, its file name when it is a path outside,
    unchanged otherwise: results files name no path of one particular machine."""
    if not text.startswith("/"):
        return text
    try:
        return str(Path(text).resolve().relative_to(REPO.resolve()))
    except ValueError:
        return Path(text).name


class WorkerKind:
    """Which worker runs: the Swift binary or the reference (seed's design) Python worker."""

    def __init__(self, name: str, command: list[str], help_text: str = "") -> None:
        self.name, self.command, self.help_text = name, command, help_text

    @property
    def no_subscribe_flag(self) -> bool:
        """Whether `run --help` documents a `--no-subscribe` flag."""
        return "--no-subscribe" in self.help_text

    @property
    def has_subscribe_switch(self) -> bool:
        """Whether the subscription can be turned off: SUBSCRIBE=false (documented in `run --help`) or --no-subscribe."""
        return self.name == "reference" or self.no_subscribe_flag or "SUBSCRIBE" in self.help_text

    def describe(self) -> dict:
        """For the results file (paths relative to the checkout, or only a file name, never a machine's path)."""
        out: dict[str, Any] = {"name": self.name, "command": [portable_path(part) for part in self.command]}
        if self.name == "swift":
            binary = Path(self.command[0])
            out["binary_mtime"] = time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(binary.stat().st_mtime))
            source = binary.with_name(binary.name + ".source.json")
            if source.exists():
                # A copy of a build (bench/results/tmp/cloudmesh-worker): where it came from.
                out.update(json.loads(source.read_text()))
            else:
                out["build"] = "debug" if "/debug/" in str(binary) else "release" if "/release/" in str(binary) else "unknown"
                checkout = binary.parents[2] if len(binary.parents) > 2 else REPO
                rev = subprocess.run(["git", "-C", str(checkout), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
                out["repo_commit"] = rev.stdout.strip() or "unknown"
        return out


def swift_worker_candidates() -> list[Path]:
    """Where the Swift worker binary may be: $CLOUDMESH_WORKER, then this checkout's debug build."""
    out = []
    if os.environ.get("CLOUDMESH_WORKER"):
        out.append(Path(os.environ["CLOUDMESH_WORKER"]))
    out.append(REPO / ".build" / "debug" / "cloudmesh-worker")
    return out


def probe_swift_worker(path: Path) -> Optional[str]:
    """`run --help` text when the binary has a working `run` subcommand with `--once`, else None."""
    if not path.exists():
        return None
    try:
        done = subprocess.run([str(path), "run", "--help"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = done.stdout + done.stderr
    return text if done.returncode == 0 and "--once" in text else None


def choose_worker(choice: str) -> WorkerKind:
    """`reference`, `swift`, a path to a binary, or `auto` (the Swift worker when one works, else the reference)."""
    if choice == "reference":
        return WorkerKind("reference", [sys.executable, str(REFERENCE_WORKER)])
    candidates = swift_worker_candidates() if choice in ("auto", "swift") else [Path(choice)]
    for path in candidates:
        text = probe_swift_worker(path)
        if text is not None:
            return WorkerKind("swift", [str(path.resolve())], text)
    if choice == "auto":
        print("bench: no working `cloudmesh-worker run --once` found; using the reference worker (seed's design)", flush=True)
        return WorkerKind("reference", [sys.executable, str(REFERENCE_WORKER)])
    raise SystemExit(f"bench: no working cloudmesh-worker at {', '.join(map(str, candidates))}")


class Worker:
    """One running worker process with its own keypair, state directory and log file."""

    def __init__(self, kind: WorkerKind, devnet: Devnet, *, subscribe: bool, poll_interval: float, concurrency: int,
                 once: bool = False, extra_env: Optional[dict[str, str]] = None, name: str = "worker",
                 wrapper: Optional[list[str]] = None) -> None:
        self.kind = kind
        self.dir = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=devnet.dir))
        keypair = Keypair()
        key_path = self.dir / "worker-keypair.json"
        key_path.write_text(json.dumps(list(bytes(keypair))))
        key_path.chmod(0o600)
        self.address = str(keypair.pubkey())
        devnet.fund(self.address)
        self.metrics_port = free_port()
        ws_url = devnet.ws_url
        self.subscription_note = "subscription on"
        env = {
            **os.environ,
            "SOLANA_RPC_URL": devnet.rpc_url, "SOLANA_WS_URL": ws_url, "PROGRAM_ID": devnet.program_id,
            "WORKER_KEYPAIR_PATH": str(key_path), "PINATA_JWT": JWT, "PINATA_API_URL": devnet.pinata_url,
            "IPFS_GATEWAY_URL": devnet.gateway_url, "POLL_INTERVAL": f"{poll_interval:g}", "EXECUTION_TIMEOUT": "60",
            "COST_LAMPORTS": "1000000", "MAX_CONCURRENT_JOBS": str(concurrency), "SANDBOX": "bwrap",
            "STATE_DIR": str(self.dir / "state"), "LOG_FORMAT": "json", "METRICS_ADDR": f"127.0.0.1:{self.metrics_port}",
            "SUBSCRIBE": "true" if subscribe else "false",
        }
        env.pop("IPFS_API_URL", None)
        if not subscribe and not kind.has_subscribe_switch:
            # No switch: a closed port makes the subscription fail, so the worker polls only.
            env["SOLANA_WS_URL"] = f"ws://127.0.0.1:{free_port()}"
            self.subscription_note = "polling only (SOLANA_WS_URL pointed at a closed port: the worker has no switch)"
        elif not subscribe:
            self.subscription_note = "polling only (--no-subscribe)" if kind.no_subscribe_flag else "polling only (SUBSCRIBE=false)"
        env.update(extra_env or {})
        self.env = env
        args = kind.command + ["run"] + (["--once"] if once else []) + (["--no-subscribe"] if not subscribe and kind.no_subscribe_flag else [])
        self.log_path = self.dir / "worker.log"
        self.log = open(self.log_path, "w")
        self.started = time.monotonic()
        self.proc = subprocess.Popen((wrapper or []) + args, cwd=self.dir, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.pid = self.proc.pid

    def cpu_seconds(self) -> float:
        """utime + stime of the worker process itself (all its threads, not its children)."""
        return proc_cpu_seconds(self.pid)

    def peak_rss_kb(self) -> int:
        """VmHWM."""
        return proc_status_kb(self.pid, "VmHWM")

    def wait(self, timeout: float) -> int:
        """Wait for exit (run --once); returns the exit code."""
        return self.proc.wait(timeout=timeout)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 10 s."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()

    def tail(self, lines: int = 15) -> str:
        """The end of the worker's log (for error messages)."""
        return "".join(self.log_path.read_text(errors="replace").splitlines(True)[-lines:])


# ---------------------------------------------------------------- /proc


def proc_cpu_seconds(pid: int, children: bool = False) -> float:
    """utime + stime (and cutime + cstime of waited-for children when asked) in seconds."""
    text = Path(f"/proc/{pid}/stat").read_text()
    fields = text[text.rindex(")") + 2:].split()
    ticks = int(fields[11]) + int(fields[12])
    if children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / CLK_TCK


def proc_status_kb(pid: int, field: str) -> int:
    """A kB field of /proc/<pid>/status (VmHWM, VmRSS)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


# ---------------------------------------------------------------- statistics and results


def percentile(values: list[float], p: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return float("nan")
    s = sorted(values)
    k = (len(s) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def summary(values: list[float]) -> dict:
    """count, min, p50, p95, p99, max, mean."""
    if not values:
        return {"count": 0}
    return {"count": len(values), "min": min(values), "p50": percentile(values, 50), "p95": percentile(values, 95),
            "p99": percentile(values, 99), "max": max(values), "mean": sum(values) / len(values)}


def machine() -> dict:
    """Where the figures were measured."""
    load = os.getloadavg()
    return {"host": platform.node(), "cpus": os.cpu_count(), "python": platform.python_version(), "kernel": platform.release(),
            "loadavg_at_start": [round(x, 2) for x in load], "bwrap": shutil.which("bwrap")}


def write_result(name: str, data: dict) -> Path:
    """bench/results/<name>.json (pretty, stable key order)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, indent=2) + "\n")
    print(f"wrote {path}", flush=True)
    return path


def base_parser(description: str) -> argparse.ArgumentParser:
    """Flags every benchmark takes."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--worker", default=os.environ.get("BENCH_WORKER", "auto"),
                        help="auto (Swift worker if built, else reference), swift, reference, or a path to cloudmesh-worker")
    parser.add_argument("--slot-ms", type=int, default=400, help="devnet slot duration (Solana: 400)")
    parser.add_argument("--out", default=None, help="results file name (default: the benchmark's name, plus -reference for the reference worker)")
    return parser


def result_name(default: str, kind: WorkerKind, out: Optional[str]) -> str:
    """Results of the reference worker go to <name>-reference.json so they never overwrite the Swift worker's."""
    if out:
        return out
    return default if kind.name == "swift" else f"{default}-reference"


def now_iso() -> str:
    """Local time of the run."""
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")
