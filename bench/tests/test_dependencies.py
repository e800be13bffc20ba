"""Cheap checks of dependencies.py's pure parts: the job codes, the interleaving, the worker log and /metrics
readings, the comparison and the printed table."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BENCH))

import common  # noqa: E402
import dependencies  # noqa: E402


def test_declaring_code_prints_the_time_first() -> None:
    code = dependencies.declaring_code("cm-greeting", "cm_greeting")
    assert code.startswith('# /// script\n# dependencies = ["cm-greeting"]\n# ///\n')
    assert code.splitlines()[3] == dependencies.PLAIN_CODE.strip()
    assert "import cm_greeting" in code


def test_interleaving_is_seeded_and_balanced() -> None:
    kinds = dependencies.interleaved_kinds(9, 42)
    assert kinds == dependencies.interleaved_kinds(9, 42)
    assert kinds.count("plain") == 5 and kinds.count("cached") == 4
    assert kinds != sorted(kinds)


def test_first_line_time() -> None:
    assert dependencies.first_line_time("1764380000.25\ncm_greeting\n") == 1764380000.25
    assert dependencies.first_line_time("") is None and dependencies.first_line_time(None) is None


def test_preparations_from_the_worker_log() -> None:
    log = "\n".join([
        '{"ts": "t", "level": "info", "message": "dependencies ready", "duration": "0.193134946 seconds", "job": "A"}',
        '{"ts": "t", "level": "info", "message": "executed", "job": "A"}',
        '{"ts": "t", "level": "info", "message": "dependencies ready", "duration": "2 seconds", "job": "B"}',
        'not json: dependencies ready',
    ])
    assert dependencies.dependency_preparations(log) == {"A": pytest.approx(0.193134946), "B": 2.0}
    assert dependencies.duration_seconds("1.5e-05 seconds") == pytest.approx(1.5e-05)
    assert dependencies.duration_seconds("soon") is None


def test_environment_metrics_keep_the_dependency_figures() -> None:
    exposition = "\n".join([
        "# TYPE cloudmesh_environment_acquisitions_total counter",
        'cloudmesh_environment_acquisitions_total{result="hit"} 99',
        'cloudmesh_environment_build_seconds_bucket{le="1.0"} 1',
        "cloudmesh_environment_build_seconds_count 1",
        'cloudmesh_stage_duration_seconds_sum{stage="dependencies"} 0.5',
        'cloudmesh_stage_duration_seconds_sum{stage="execute"} 3.0',
        "cloudmesh_jobs_in_flight 0",
    ])
    assert dependencies.environment_metrics(exposition) == {
        'cloudmesh_environment_acquisitions_total{result="hit"}': 99.0,
        "cloudmesh_environment_build_seconds_count": 1.0,
        'cloudmesh_stage_duration_seconds_sum{stage="dependencies"}': 0.5,
    }


def test_compare_and_table() -> None:
    plain = common.summary([0.020, 0.030, 0.040])
    cached = common.summary([0.025, 0.034, 0.060])
    c = dependencies.compare(plain, cached)
    assert c["p50_difference_s"] == pytest.approx(0.004) and c["met"] is True
    assert dependencies.compare(plain, common.summary([0.05, 0.06]))["met"] is False
    assert dependencies.compare(plain, common.summary([]))["met"] is None
    result = {"warm": {"plain": {"latency_s": plain}, "cached": {"latency_s": cached}},
              "cold": {"latency_s": common.summary([0.5]), "preparation_s": common.summary([0.4])}, "comparison": c}
    text = dependencies.table(result)
    assert "| plain (no metadata) | 3 | 30.0 ms |" in text
    assert "cached − plain: p50 4.0 ms ✅" in text
    assert "p50 400.0 ms" in text
