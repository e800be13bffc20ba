"""Helpers shared by the golden-vector generators: deterministic keys and JSON output."""

from __future__ import annotations

import hashlib
import json
import pathlib

from solders.keypair import Keypair

REPO = pathlib.Path(__file__).resolve().parents[2]


def seed_of(label: str) -> bytes:
    """A fixed 32-byte seed derived from a label, so every run produces the same keys."""
    return hashlib.sha256(f"cloudmesh-golden:{label}".encode()).digest()


def keypair(label: str) -> Keypair:
    """The keypair of `seed_of(label)`."""
    return Keypair.from_seed(seed_of(label))


def write(relative: str, document: dict) -> None:
    """Writes a golden JSON file under the repository, stable across runs."""
    path = REPO / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {path.relative_to(REPO)}")
