"""IPFS stand-ins: CIDs as Kubo (cross-checked with Debian's ipfs_cid), Kubo RPC, gateway, CAR, Pinata."""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import subprocess

import pytest

from ..ipfs.car import car_header
from ..ipfs.cid import CID, DAG_PB, RAW, decode_varint
from ..ipfs.unixfs import build_file
from . import requests_shim as http

SIZES = [0, 1, 1024, 262144, 262145, 3 * 1048576 + 7]


def _content(n: int) -> bytes:
    rnd = random.Random(n)
    return rnd.randbytes(n)


@pytest.mark.skipif(shutil.which("ipfs_cid") is None, reason="Debian package ipfs-cid not installed")
@pytest.mark.parametrize("size", SIZES)
def test_cids_match_ipfs_cid(size: int, tmp_path) -> None:
    data = _content(size)
    path = tmp_path / "f.bin"
    path.write_bytes(data)
    ref = json.loads(subprocess.run(["ipfs_cid", str(path)], capture_output=True, text=True, check=True).stdout)
    v0, _, _ = build_file(data, 0)
    assert str(v0) == ref["CIDv0"]
    # ipfs_cid's v1 is the same dag-pb DAG (no raw leaves) written in base32.
    assert str(CID(1, DAG_PB, v0.multihash)) == ref["CIDv1"]
    v1_dagpb, _, _ = build_file(data, 1, raw_leaves=False)
    if size <= 262144:
        assert str(v1_dagpb) == ref["CIDv1"]


def test_cidv1_raw_leaves_rules() -> None:
    # Kubo: `ipfs add --cid-version 1` implies raw leaves; a one-chunk file is a raw-codec CID.
    assert str(build_file(b"hello\n", 1)[0]) == "bafkreicysg23kiwv34eg2d7qweipxwosdo2py4ldv42nbauguluen5v6am"
    assert str(build_file(b"", 1)[0]) == "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"
    root, _, blocks = build_file(_content(262145), 1)
    assert root.codec == DAG_PB and str(root).startswith("bafybei")
    assert [c.codec for c, _ in blocks[1:]] == [RAW, RAW]
    # A tree deeper than one level (more than 174 chunks), built with a small chunker.
    root, _, blocks = build_file(_content(175 * 16), 0, chunk_size=16)
    assert len(blocks) == 1 + 2 + 175


def _add(devnet, data: bytes, query: str = "") -> dict:
    body, ctype = http.multipart([("file", "f.bin", data)])
    status, out = http.request("POST", f"{devnet.ipfs_api_url}/api/v0/add{query}", data=body, headers={"Content-Type": ctype})
    assert status == 200, out
    return json.loads(out.decode().splitlines()[0])


def test_kubo_add_cat_block_and_gateway(devnet) -> None:
    data = _content(600_000)
    added = _add(devnet, data)
    assert added["Hash"] == str(build_file(data, 0)[0]) and int(added["Size"]) > len(data)
    v1 = _add(devnet, data, "?cid-version=1")
    assert v1["Hash"] == str(build_file(data, 1)[0])
    assert _add(devnet, b"x", "?cid-version=1&raw-leaves=false")["Hash"] == str(build_file(b"x", 1, raw_leaves=False)[0])
    assert http.request("POST", f"{devnet.ipfs_api_url}/api/v0/cat?arg={added['Hash']}")[1] == data
    assert http.request("GET", f"{devnet.ipfs_api_url}/api/v0/cat?arg={added['Hash']}")[0] == 405
    block = http.request("POST", f"{devnet.ipfs_api_url}/api/v0/block/get?arg={added['Hash']}")[1]
    assert hashlib.sha256(block).digest() == CID.parse(added["Hash"]).multihash[2:]
    status, headers, body = http.request_full("GET", f"{devnet.gateway_url}/ipfs/{v1['Hash']}")
    assert status == 200 and body == data and headers["Etag"] == f'"{v1["Hash"]}"'
    status, headers, raw = http.request_full("GET", f"{devnet.gateway_url}/ipfs/{added['Hash']}", headers={"Accept": "application/vnd.ipld.raw"})
    assert status == 200 and raw == block and headers["Content-Type"] == "application/vnd.ipld.raw"
    assert http.request("GET", f"{devnet.gateway_url}/ipfs/{added['Hash']}?format=raw")[1] == block
    assert http.request("GET", f"{devnet.gateway_url}/ipfs/QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG")[0] == 404


def test_gateway_car_is_carv1_in_dag_order(devnet) -> None:
    data = _content(700_000)
    root = CID.parse(_add(devnet, data, "?cid-version=1")["Hash"])
    status, headers, car = http.request_full("GET", f"{devnet.gateway_url}/ipfs/{root}?format=car")
    assert status == 200 and headers["Content-Type"].startswith("application/vnd.ipld.car")
    header = car_header(root)
    assert car.startswith(header)
    pos, blocks = len(header), []
    while pos < len(car):
        length, pos = decode_varint(car, pos)
        section = car[pos : pos + length]
        pos += length
        cid_len = 36  # CIDv1 sha2-256: 1 + 1 + 34
        cid = CID.from_bytes(section[:cid_len])
        assert cid.matches(section[cid_len:])
        blocks.append((cid, section[cid_len:]))
    _, _, expected = build_file(data, 1)
    assert [str(c) for c, _ in blocks] == [str(c) for c, _ in expected]
    assert b"".join(b for c, b in blocks if c.codec == RAW) == data
    assert http.request("GET", f"{devnet.gateway_url}/ipfs/{root}", headers={"Accept": "application/vnd.ipld.car"})[1] == car


def test_pinata_auth_json_file_and_v3(devnet) -> None:
    auth = {"Authorization": "Bearer test-jwt"}
    assert http.request("GET", f"{devnet.pinata_url}/data/testAuthentication", headers=auth)[0] == 200
    status, body = http.request("GET", f"{devnet.pinata_url}/data/testAuthentication", headers={"Authorization": "Bearer wrong"})
    assert status == 401 and "error" in json.loads(body)
    assert http.request("POST", f"{devnet.pinata_url}/pinning/pinJSONToIPFS", json_body={"pinataContent": {}})[0] == 401
    content = {"stdout": "héllo\n", "stderr": "", "returncode": 0, "executed_at": "2025-10-28T10:30:00.123456+00:00"}
    status, body = http.request("POST", f"{devnet.pinata_url}/pinning/pinJSONToIPFS", headers=auth,
                                json_body={"pinataContent": content, "pinataMetadata": {"name": "result.json"}})
    pinned = json.loads(body)
    exact = json.dumps(content, separators=(",", ":"), ensure_ascii=False).encode()
    assert status == 200 and pinned["IpfsHash"] == str(build_file(exact, 0)[0]) and pinned["PinSize"] > 0
    assert http.request("GET", f"{devnet.gateway_url}/ipfs/{pinned['IpfsHash']}")[1] == exact
    exact_bytes = b'{"stdout": "exact bytes"}\n'
    form, ctype = http.multipart([("file", "result.json", exact_bytes), ("pinataMetadata", None, b'{"name":"r"}')])
    status, body = http.request("POST", f"{devnet.pinata_url}/pinning/pinFileToIPFS", data=form, headers={**auth, "Content-Type": ctype})
    assert status == 200 and json.loads(body)["IpfsHash"] == str(build_file(exact_bytes, 0)[0])
    form, ctype = http.multipart([("file", "result.json", exact_bytes), ("pinataOptions", None, b'{"cidVersion":1}')])
    status, body = http.request("POST", f"{devnet.pinata_url}/pinning/pinFileToIPFS", data=form, headers={**auth, "Content-Type": ctype})
    assert json.loads(body)["IpfsHash"] == str(build_file(exact_bytes, 1)[0])
    form, ctype = http.multipart([("file", "result.json", exact_bytes), ("network", None, b"public")])
    status, body = http.request("POST", f"{devnet.pinata_url}/v3/files", data=form, headers={**auth, "Content-Type": ctype})
    data = json.loads(body)["data"]
    assert status == 200 and data["cid"] == str(build_file(exact_bytes, 1)[0]) and data["size"] == len(exact_bytes)
