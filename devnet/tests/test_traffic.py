"""Traffic counters in GET /status: JSON-RPC requests and response bytes per method, PubSub messages and bytes."""

from __future__ import annotations

import asyncio
import json

import websockets

from . import requests_shim as http
from .conftest import poll


def _traffic(devnet) -> dict:
    return devnet.control("/status", method="GET")["traffic"]


def _rpc_entry(traffic: dict, method: str) -> dict:
    return traffic["rpc"].get(method, {"requests": 0, "request_bytes": 0, "response_bytes": 0})


def test_rpc_counts_requests_and_response_bytes_per_method(devnet) -> None:
    devnet.control("/jobs/bulk", {"count": 3, "status": "completed"})
    before = _traffic(devnet)
    request = {"jsonrpc": "2.0", "id": 1, "method": "getProgramAccounts",
               "params": [devnet.program_id, {"encoding": "base64", "commitment": "processed"}]}
    status, body = http.request("POST", devnet.rpc_url, json_body=request)
    assert status == 200 and len(json.loads(body)["result"]) >= 3
    status, batch_body = http.request("POST", devnet.rpc_url, json_body=[
        {"jsonrpc": "2.0", "id": 2, "method": "getSlot"}, {"jsonrpc": "2.0", "id": 3, "method": "getSlot"}])
    assert status == 200
    after = _traffic(devnet)
    gpa_before, gpa_after = _rpc_entry(before, "getProgramAccounts"), _rpc_entry(after, "getProgramAccounts")
    assert gpa_after["requests"] - gpa_before["requests"] == 1
    assert gpa_after["response_bytes"] - gpa_before["response_bytes"] == len(body)
    assert gpa_after["request_bytes"] - gpa_before["request_bytes"] == len(json.dumps(request))
    slot_before, slot_after = _rpc_entry(before, "getSlot"), _rpc_entry(after, "getSlot")
    assert slot_after["requests"] - slot_before["requests"] == 2
    assert after["rpc_http"]["requests"] - before["rpc_http"]["requests"] == 2
    assert after["rpc_http"]["response_bytes"] - before["rpc_http"]["response_bytes"] == len(body) + len(batch_body)


def test_pubsub_counts_messages_and_bytes_per_kind(devnet) -> None:
    before = _traffic(devnet)["pubsub"]
    received: list[str] = []

    async def scenario() -> None:
        async with websockets.connect(devnet.ws_url) as ws:
            await ws.send(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "slotSubscribe"}))
            async with asyncio.timeout(30):  # bounds a failure only
                while len(received) < 3:
                    received.append(await ws.recv())

    asyncio.run(scenario())

    def counted() -> dict:
        after = _traffic(devnet)["pubsub"]
        notes = after.get("slotNotification", {"messages": 0})["messages"] - before.get("slotNotification", {"messages": 0})["messages"]
        return after if notes >= 2 else {}

    after = poll(counted)
    responses = after["response"]["messages"] - before.get("response", {"messages": 0})["messages"]
    assert responses == 1
    first_note_bytes = len(received[1])
    assert after["slotNotification"]["bytes"] - before.get("slotNotification", {"bytes": 0})["bytes"] >= first_note_bytes
