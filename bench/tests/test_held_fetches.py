"""Cheap checks of held_fetches.py's pure parts: t1 parsing, the held/baseline ratios and the printed table."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BENCH))

import common  # noqa: E402
import held_fetches  # noqa: E402


def test_first_line_time() -> None:
    assert held_fetches.first_line_time("1764380000.25\nmore\n") == 1764380000.25
    assert held_fetches.first_line_time("") is None and held_fetches.first_line_time(None) is None
    assert held_fetches.first_line_time("Traceback (most recent call last):\n") is None


def test_compare_ratios_and_target() -> None:
    base = common.summary([0.02, 0.03, 0.04, 0.08])
    held = common.summary([0.03, 0.04, 0.05, 0.20])
    c = held_fetches.compare(base, held)
    assert c["p50"] == pytest.approx(0.045 / 0.035) and c["p50_met"] is True
    assert c["p99"] == pytest.approx(held["p99"] / base["p99"]) and c["p99_met"] is False and c["met"] is False
    assert held_fetches.compare(base, base)["met"] is True
    empty = held_fetches.compare(base, common.summary([]))
    assert empty["p50"] is None and empty["p50_met"] is None and empty["met"] is None


def test_table_renders_both_runs() -> None:
    base = common.summary([0.02, 0.03])
    result = {"runs": {
        "baseline": {"ordinary": {"jobs": 2, "completed": 2, "latency_s": base}},
        "held": {"ordinary": {"jobs": 2, "completed": 1, "latency_s": common.summary([])},
                 "held": {"count": 8, "reached": False, "max_seen": 2, "settled": 8, "settled_ok": 6}},
    }}
    result["ratio"] = held_fetches.compare(base, result["runs"]["held"]["ordinary"]["latency_s"])
    text = held_fetches.table(result)
    assert "| baseline | 2/2 | 25 ms |" in text
    assert "| held | 1/2 | - |" in text and "2/8 held at once (not reached); 8/8 settled (6 ran, 2 error results)" in text
    assert "held / baseline: p50 ×-" in text and "target < 2" in text
