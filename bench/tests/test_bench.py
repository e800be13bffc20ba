"""Fast checks of the harness: statistics, Job decoding, the sandbox ceiling, and a tiny pickup-latency run
end to end against the reference worker (devnet, subscription, result documents, results file)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BENCH))

import common  # noqa: E402
import throughput  # noqa: E402
from _reference_worker import JOB_DISCRIMINATOR, b58encode, decode_job as reference_decode  # noqa: E402
from discovery_cost import JOB_FILTERS  # noqa: E402


def test_percentiles_interpolate_like_numpy() -> None:
    values = [float(x) for x in range(1, 101)]
    assert common.percentile(values, 50) == pytest.approx(50.5)
    assert common.percentile(values, 99) == pytest.approx(99.01)
    assert common.percentile([3.0], 95) == 3.0
    s = common.summary([0.2, 0.1, 0.3])
    assert s["count"] == 3 and s["min"] == 0.1 and s["max"] == 0.3 and s["p50"] == pytest.approx(0.2)


def test_job_decoding_and_filter_constant() -> None:
    def string(text: str) -> bytes:
        raw = text.encode()
        return len(raw).to_bytes(4, "little") + raw
    data = JOB_DISCRIMINATOR + bytes(32) + string("t") + string("QmCode") + string("") + (7).to_bytes(8, "little") + bytes(8) + b"\x00"
    data += bytes(308 - len(data))
    job = common.decode_job(data)
    assert job is not None and job["status"] == "Pending" and job["code_cid"] == "QmCode" and job["start_time"] == 7
    assert reference_decode(data)["status"] == 0
    assert common.decode_job(data[:50]) is None and common.decode_job(bytes(308)) is None
    assert JOB_FILTERS[1]["memcmp"]["bytes"] == b58encode(JOB_DISCRIMINATOR)


def test_sandboxed_ceiling_runs() -> None:
    assert throughput.ceiling(4, 2) > 0


def test_pickup_latency_end_to_end_with_reference_worker(tmp_path: Path) -> None:
    env = {**os.environ, "BENCH_RESULTS_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "pickup_latency.py", "--worker", "reference", "--jobs", "5", "--gap", "0.2",
                           "--modes", "subscription", "--warmup", "1", "--out", "smoke"],
                          cwd=BENCH, env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads((tmp_path / "smoke.json").read_text())
    sub = result["modes"]["subscription"]
    assert sub["latency_s"]["count"] == 5 and sub["missing_t0"] == 0 and sub["bad_stdout"] == 0
    assert all(0 < x < 10 for x in sub["samples_s"])
    assert result["worker"]["name"] == "reference"
