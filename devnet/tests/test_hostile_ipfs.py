"""Fixtures for hostile jobs: raw blocks (any DAG, any hash), a DAG bomb served cheaply, held gateway
requests (counted in GET /status, released on demand, on reset and at shutdown), odd code CIDs."""

from __future__ import annotations

import base64
import threading
import time

import pytest

from ..base58 import b58encode
from ..ipfs.car import car_header
from ..ipfs.cid import CID, DAG_PB, RAW, decode_varint, multihash_matches
from ..ipfs.unixfs import UNIXFS_FILE, build_dag_bomb, dag_blocks, decode_pbnode, decode_unixfs, read_file
from . import requests_shim as http
from .conftest import poll, start_devnet, stop_devnet


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _car_blocks(car: bytes, root: CID) -> list[tuple[CID, bytes]]:
    header = car_header(root)
    assert car.startswith(header)
    pos, out = len(header), []
    while pos < len(car):
        length, pos = decode_varint(car, pos)
        section = car[pos:pos + length]
        pos += length
        cid_len = 34 if section[0] == 0x12 else 36
        out.append((CID.from_bytes(section[:cid_len]), section[cid_len:]))
    return out


def _status(devnet) -> dict:
    return devnet.control("/status", method="GET")


# ---------------------------------------------------------------- POST /ipfs/blocks


def test_blocks_are_stored_only_when_they_hash_to_their_cid(devnet) -> None:
    data = b"print('raw block')\n"
    cid = devnet.control("/ipfs/blocks", {"blocks": [{"data_b64": _b64(data)}]})["cids"][0]
    assert cid.startswith("bafkrei")
    assert http.request("GET", f"{devnet.gateway_url}/ipfs/{cid}?format=raw")[1] == data
    # Given with its CID: verified.
    assert devnet.control("/ipfs/blocks", {"blocks": [{"cid": cid, "data_b64": _b64(data)}]})["cids"] == [cid]
    before = _status(devnet)["blocks"]
    other = b"something else"
    status, body = http.request("POST", f"{devnet.control_url}/ipfs/blocks",
                                json_body={"blocks": [{"data_b64": _b64(other)}, {"cid": cid, "data_b64": _b64(other)}]})
    assert status == 400 and b"does not hash to its CID" in body
    assert _status(devnet)["blocks"] == before  # all or nothing
    for bad in ({"blocks": []}, {"blocks": [{"data_b64": "%%%"}]}, {"blocks": [{"cid": "nonsense", "data_b64": ""}]},
                {"blocks": [{"data_b64": "", "hash": "md5"}]}, {"blocks": [{"data_b64": "", "codec": "raw", "cid_version": 0}]}):
        assert http.request("POST", f"{devnet.control_url}/ipfs/blocks", json_body=bad)[0] == 400, bad
    # A multihash function the devnet cannot compute (murmur3-x64-64, 0x22) is refused, not stored blindly.
    murmur = CID(1, RAW, bytes([0x22, 8]) + bytes(8))
    status, body = http.request("POST", f"{devnet.control_url}/ipfs/blocks", json_body={"blocks": [{"cid": str(murmur), "data_b64": ""}]})
    assert status == 400 and b"cannot be verified" in body


@pytest.mark.parametrize("hash_name,codec,prefix", [("blake2b-256", "raw", "bafk2bzace"), ("sha3-256", "raw", "bafkrmi"),
                                                     ("sha2-512", "raw", "bafkrgq"), ("sha2-256", "dag-cbor", "bafyrei"),
                                                     ("sha2-256", "dag-json", "baguqeera")])
def test_blocks_with_other_hashes_and_codecs_are_served(devnet, hash_name: str, codec: str, prefix: str) -> None:
    data = f"print('{hash_name} {codec}')\n".encode()
    cid = devnet.control("/ipfs/blocks", {"blocks": [{"data_b64": _b64(data), "hash": hash_name, "codec": codec}]})["cids"][0]
    assert cid.startswith(prefix)
    assert multihash_matches(CID.parse(cid).multihash, data)
    assert devnet.control("/ipfs/blocks", {"blocks": [{"cid": cid, "data_b64": _b64(data)}]})["cids"] == [cid]
    assert http.request("GET", f"{devnet.gateway_url}/ipfs/{cid}?format=raw")[1] == data
    # A job can name it: /jobs takes any code_cid string as is (the program wants 1..100 characters: a
    # sha2-512 CIDv1 is 113 in base32, so it is written in base58btc, 97).
    code_cid = cid if len(cid) <= 100 else "z" + b58encode(CID.parse(cid).to_bytes())
    assert len(code_cid) <= 100 and CID.parse(code_cid) == CID.parse(cid)
    assert http.request("GET", f"{devnet.gateway_url}/ipfs/{code_cid}?format=raw")[1] == data
    job = devnet.control("/jobs", {"code_cid": code_cid})
    assert job["err"] is None and devnet.control(f"/jobs/{job['job']}", method="GET")["code_cid"] == code_cid


# ---------------------------------------------------------------- DAG bomb


def test_dag_bomb_shape() -> None:
    root, blocks = build_dag_bomb(30, 2)
    assert len(blocks) == 31 and blocks[0][0] == root
    for (cid, block), (child, _) in zip(blocks, blocks[1:]):
        assert cid.matches(block) and cid.codec == DAG_PB and cid.version == 0
        links, data = decode_pbnode(block)
        assert [l.cid for l in links] == [child, child]
        assert decode_unixfs(data) == (UNIXFS_FILE, b"")
        assert data.endswith(bytes([0x18, 0, 0x20, 0, 0x20, 0]))  # filesize 0, blocksizes [0, 0]
    leaf_links, leaf_data = decode_pbnode(blocks[-1][1])
    assert leaf_links == [] and decode_unixfs(leaf_data) == (UNIXFS_FILE, b"")
    store = dict((c.multihash, b) for c, b in blocks)
    visits = []

    def get(c: CID) -> bytes:
        visits.append(c)
        return store[c.multihash]
    started = time.monotonic()
    assert [c for c, _ in dag_blocks(root, get)] == [c for c, _ in blocks]  # each block once, pre-order
    assert read_file(root, get) == b""
    assert len(visits) == 62 and time.monotonic() - started < 1
    with pytest.raises(ValueError, match="dups=y"):
        list(dag_blocks(root, get, dups=True, max_dups_blocks=1000))


def test_read_file_shares_repeated_children() -> None:
    leaf = b"ab"
    leaf_cid = CID.for_block(leaf, RAW, 1)
    from ..ipfs.unixfs import Link, encode_pbnode, unixfs_data
    mid = encode_pbnode([Link(leaf_cid, "", 2)] * 3, unixfs_data(b"", 6, [2] * 3))
    mid_cid = CID.for_block(mid, DAG_PB, 1)
    top = encode_pbnode([Link(mid_cid, "", 0), Link(leaf_cid, "", 2), Link(mid_cid, "", 0)], unixfs_data(b"", 14, [6, 2, 6]))
    top_cid = CID.for_block(top, DAG_PB, 1)
    store = {c.multihash: b for c, b in ((leaf_cid, leaf), (mid_cid, mid), (top_cid, top))}
    assert read_file(top_cid, lambda c: store[c.multihash]) == b"ab" * 7
    with pytest.raises(ValueError, match="larger than"):
        read_file(top_cid, lambda c: store[c.multihash], max_bytes=13)


def test_dag_bomb_is_served_cheaply(devnet) -> None:
    bomb = devnet.control("/ipfs/dag-bomb", {"depth": 30, "fanout": 2})
    assert bomb["blocks"] == 31 and bomb["paths"] == 2**30 and bomb["filesize"] == 0 and bomb["cid"].startswith("Qm")
    root = CID.parse(bomb["cid"])
    started = time.monotonic()
    status, headers, car = http.request_full("GET", f"{devnet.gateway_url}/ipfs/{root}?format=car")
    assert status == 200 and "dups=n" in headers["Content-Type"]
    blocks = _car_blocks(car, root)
    assert [str(c) for c, _ in blocks] == bomb["cids"] and all(c.matches(b) for c, b in blocks)
    assert http.request("GET", f"{devnet.gateway_url}/ipfs/{root}")[0:2] == (200, b"")
    assert http.request("GET", f"{devnet.gateway_url}/ipfs/{root}?format=car&dups=y")[0] == 501  # would be 2^31 blocks
    assert time.monotonic() - started < 5
    # Wide: 4096 links to one child, three levels (6.9e10 paths), still 4 blocks.
    wide = devnet.control("/ipfs/dag-bomb", {"depth": 3, "fanout": 4096, "cid_version": 1})
    assert wide["cid"].startswith("bafybei") and wide["blocks"] == 4 and wide["paths"] == 4096**3
    status, _, car = http.request_full("GET", f"{devnet.gateway_url}/ipfs/{wide['cid']}?format=car")
    assert status == 200 and len(_car_blocks(car, CID.parse(wide["cid"]))) == 4
    # The same DAG given block by block through /ipfs/blocks is the same CID; and a job can name it.
    root2, blocks2 = build_dag_bomb(30, 2)
    out = devnet.control("/ipfs/blocks", {"blocks": [{"cid": str(c), "data_b64": _b64(b)} for c, b in blocks2]})
    assert out["cids"][0] == bomb["cid"] == str(root2)
    job = devnet.control("/jobs", {"code_cid": bomb["cid"]})
    assert job["err"] is None and job["code_cid"] == bomb["cid"]
    for bad in ({"depth": 65}, {"fanout": 0}, {"fanout": 4097}, {"cid_version": 2}, {"depth": "x"}):
        assert http.request("POST", f"{devnet.control_url}/ipfs/dag-bomb", json_body=bad)[0] == 400, bad


# ---------------------------------------------------------------- held gateway requests


class Fetch(threading.Thread):
    """One gateway GET in the background: status, body and how long it took."""

    def __init__(self, url: str, timeout: float = 20) -> None:
        super().__init__(daemon=True)
        self.url, self.timeout = url, timeout
        self.status, self.body, self.seconds = None, None, None
        self.start()

    def run(self) -> None:
        started = time.monotonic()
        try:
            self.status, self.body = http.request("GET", self.url, timeout=self.timeout)
        except OSError as exc:  # timeouts included
            self.status, self.body = -1, repr(exc).encode()
        self.seconds = time.monotonic() - started


def test_hold_until_release_counts_held_requests_and_blocks_nothing_else(devnet) -> None:
    held_cid = devnet.control("/ipfs/add", {"content": "print('held')\n"})["cid"]
    free_cid = devnet.control("/ipfs/add", {"content": "print('free')\n"})["cid"]
    devnet.control("/faults/gateway", {"cid": held_cid, "mode": "hold"})
    fetches = [Fetch(f"{devnet.gateway_url}/ipfs/{held_cid}"), Fetch(f"{devnet.gateway_url}/ipfs/{held_cid}?format=car")]
    poll(lambda: _status(devnet)["gateway_held"] == 2)
    status = _status(devnet)
    assert status["gateway_held_by_cid"] == {held_cid: 2} and status["faults"]["gateway"][0]["mode"] == "hold"
    started = time.monotonic()
    assert http.request("GET", f"{devnet.gateway_url}/ipfs/{free_cid}") == (200, b"print('free')\n")
    assert time.monotonic() - started < 2 and all(f.status is None for f in fetches)
    # keep_fault: release the two, the next request is held again.
    assert devnet.control("/faults/gateway/release", {"cid": held_cid, "keep_fault": True}) == {"released": 2, "gateway_held": 0}
    for f in fetches:
        f.join(10)
    assert fetches[0].status == 200 and fetches[0].body == b"print('held')\n" and fetches[1].status == 200
    again = Fetch(f"{devnet.gateway_url}/ipfs/{held_cid}")
    poll(lambda: _status(devnet)["gateway_held"] == 1)
    # Without keep_fault the hold is over for that CID: released, and later requests pass.
    assert devnet.control("/faults/gateway/release", {"cid": held_cid})["released"] == 1
    again.join(10)
    assert again.status == 200 and _status(devnet)["faults"]["gateway"] == []
    assert http.request("GET", f"{devnet.gateway_url}/ipfs/{held_cid}")[0] == 200
    assert _status(devnet)["gateway_held_total"] >= 3


def test_slow_holds_each_request_for_delay_ms_concurrently(devnet) -> None:
    cid = devnet.control("/ipfs/add", {"content": "print('slow')\n"})["cid"]
    devnet.control("/faults/gateway", {"cid": cid, "mode": "slow", "delay_ms": 600})  # count absent: until reset
    started = time.monotonic()
    fetches = [Fetch(f"{devnet.gateway_url}/ipfs/{cid}") for _ in range(3)]
    poll(lambda: _status(devnet)["gateway_held"] == 3)
    for f in fetches:
        f.join(10)
    assert all(f.status == 200 and f.seconds >= 0.6 for f in fetches)
    assert time.monotonic() - started < 1.7  # held side by side, not one after another
    assert _status(devnet)["gateway_held"] == 0
    # A hold with delay_ms ends by itself.
    devnet.control("/faults/gateway", {"cid": cid, "mode": "hold", "delay_ms": 300, "count": 1})
    devnet.control("/faults/gateway/release", {"cid": cid, "keep_fault": True})  # nothing held yet: no-op
    fast = Fetch(f"{devnet.gateway_url}/ipfs/{cid}")
    fast.join(10)
    assert fast.status == 200 and fast.seconds >= 0.3


def test_reset_releases_held_requests_and_a_departed_client_is_not_counted(devnet) -> None:
    cid = devnet.control("/ipfs/add", {"content": "print('reset')\n"})["cid"]
    devnet.control("/faults/gateway", {"cid": cid, "mode": "slow", "delay_ms": 60_000})
    fetch = Fetch(f"{devnet.gateway_url}/ipfs/{cid}")
    poll(lambda: _status(devnet)["gateway_held"] == 1)
    devnet.control("/reset", {})
    fetch.join(10)
    assert fetch.status == 200 and fetch.seconds < 5 and _status(devnet)["gateway_held"] == 0
    devnet.control("/faults/gateway", {"mode": "hold"})  # every CID
    leaver = Fetch(f"{devnet.gateway_url}/ipfs/{cid}", timeout=0.5)
    poll(lambda: _status(devnet)["gateway_held"] == 1)
    leaver.join(10)
    assert leaver.status == -1
    poll(lambda: _status(devnet)["gateway_held"] == 0)


def test_shutdown_releases_held_requests(tmp_path) -> None:
    dn = start_devnet(tmp_path, 50)
    try:
        cid = dn.control("/ipfs/add", {"content": "print('shutdown')\n"})["cid"]
        dn.control("/faults/gateway", {"cid": cid, "mode": "hold"})
        fetch = Fetch(f"{dn.gateway_url}/ipfs/{cid}")
        poll(lambda: dn.control("/status", method="GET")["gateway_held"] == 1)
        started = time.monotonic()
    finally:
        stop_devnet(dn)
    fetch.join(10)
    assert time.monotonic() - started < 5 and fetch.status == 200


def test_faults_match_a_cid_in_any_spelling(devnet) -> None:
    v0 = devnet.control("/ipfs/add", {"content": "print('spelling')\n"})["cid"]
    v1 = str(CID(1, DAG_PB, CID.parse(v0).multihash))
    assert v1.startswith("bafybei")
    devnet.control("/faults/gateway", {"cid": v0, "mode": "hold"})
    fetch = Fetch(f"{devnet.gateway_url}/ipfs/{v1}?format=car")
    poll(lambda: _status(devnet)["gateway_held_by_cid"] == {v1: 1})
    assert devnet.control("/faults/gateway/release", {"cid": v0})["released"] == 1
    fetch.join(10)
    assert fetch.status == 200 and _status(devnet)["faults"]["gateway"] == []
