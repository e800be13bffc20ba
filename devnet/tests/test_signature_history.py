"""getSignaturesForAddress as a validator with transaction history serves it (before, until, limit, commitment,
newest first, failed transactions included), the no-history switch, getTransaction's account keys, and
getProgramAccounts with a dataSlice."""

from __future__ import annotations

import base64

from .conftest import poll


def _signatures(devnet, address: str, **config) -> list[dict]:
    answer = devnet.rpc("getSignaturesForAddress", [address, {"commitment": "confirmed", **config}])
    assert "result" in answer, answer
    return answer["result"]


def _confirmed(devnet, signature: str) -> bool:
    status = devnet.rpc("getSignatureStatuses", [[signature]])["result"]["value"][0]
    return status is not None and status["confirmationStatus"] in ("confirmed", "finalized")


def _bulk_with_transactions(devnet, count: int) -> dict:
    out = devnet.control("/jobs/bulk", {"count": count, "transactions": True})
    assert out["count"] == count and len(out["jobs"]) == count
    return out


def test_newest_first_limit_before_until(devnet) -> None:
    out = _bulk_with_transactions(devnet, 5)
    owner = out["owner"]
    everything = poll(lambda: (s := _signatures(devnet, owner)) and len(s) == 6 and all(_confirmed(devnet, x["signature"]) for x in s) and s)
    assert len(everything) == 6  # the airdrop funding the owner, then five initialize_job
    slots = [s["slot"] for s in everything]
    assert slots == sorted(slots, reverse=True)
    names = [s["signature"] for s in everything]
    assert [s["signature"] for s in _signatures(devnet, owner, limit=2)] == names[:2]
    assert [s["signature"] for s in _signatures(devnet, owner, before=names[1], limit=2)] == names[2:4]
    assert [s["signature"] for s in _signatures(devnet, owner, until=names[3])] == names[:3]
    assert [s["signature"] for s in _signatures(devnet, owner, before=names[0], until=names[3])] == names[1:3]
    assert _signatures(devnet, owner, until=names[0]) == []
    unknown = "1" * 64
    assert _signatures(devnet, owner, before=unknown) == []
    assert [s["signature"] for s in _signatures(devnet, owner, until=unknown)] == names


def test_the_program_pages_past_a_thousand(devnet) -> None:
    program = devnet.program_id
    newest_before = _signatures(devnet, program, limit=1)
    _bulk_with_transactions(devnet, 1_005)
    until = {"until": newest_before[0]["signature"]} if newest_before else {}
    first = poll(lambda: (p := _signatures(devnet, program, **until)) and len(p) == 1000 and p, timeout=20)
    assert len(first) == 1000
    second = _signatures(devnet, program, before=first[-1]["signature"], **until)
    assert len(second) == 5
    assert not {s["signature"] for s in first} & {s["signature"] for s in second}
    for bad in (0, 1001, "ten"):
        answer = devnet.rpc("getSignaturesForAddress", [program, {"limit": bad}])
        assert answer["error"]["code"] == -32602, answer


def test_failed_transactions_are_included(devnet) -> None:
    out = _bulk_with_transactions(devnet, 1)
    job = out["jobs"][0]
    devnet.control("/jobs/cancel", {"job": job})
    failed = devnet.control("/jobs/complete", {"job": job})  # completing a cancelled job fails, and lands
    assert failed["err"] is not None and failed["landed"]
    found = poll(lambda: next((s for s in _signatures(devnet, job) if s["signature"] == failed["signature"]), None))
    assert found["err"] is not None


def test_commitment(manual_devnet) -> None:
    out = _bulk_with_transactions(manual_devnet, 1)
    owner = out["owner"]
    assert _signatures(manual_devnet, owner) == []  # processed only so far
    answer = manual_devnet.rpc("getSignaturesForAddress", [owner, {"commitment": "processed"}])
    assert answer["error"]["code"] == -32602
    manual_devnet.control("/slots/advance", {"slots": 1})
    assert len(_signatures(manual_devnet, owner)) == 2
    assert _signatures(manual_devnet, owner, commitment="finalized") == []
    manual_devnet.control("/slots/advance", {"slots": 40})
    assert len(_signatures(manual_devnet, owner, commitment="finalized")) == 2


def test_no_history_switch(devnet) -> None:
    out = _bulk_with_transactions(devnet, 1)
    signature = poll(lambda: (s := _signatures(devnet, out["owner"])) and s[0]["signature"])
    assert devnet.control("/faults/no-history", {"on": True}) == {"no_history": True}
    assert devnet.control("/status", method="GET")["faults"]["no_history"] is True
    for method, params in (("getSignaturesForAddress", [devnet.program_id, {"commitment": "confirmed"}]),
                           ("getTransaction", [signature, {"commitment": "confirmed", "maxSupportedTransactionVersion": 0}])):
        answer = devnet.rpc(method, params)
        assert answer["error"]["code"] == -32011, answer
        assert "history is not available" in answer["error"]["message"]
    devnet.control("/faults/no-history", {"on": False})
    assert _signatures(devnet, out["owner"])
    devnet.control("/faults/no-history", {"on": True})
    devnet.control("/reset", {})
    assert _signatures(devnet, out["owner"])


def test_get_transaction_returns_account_keys(devnet) -> None:
    out = _bulk_with_transactions(devnet, 1)
    job = out["jobs"][0]
    signature = poll(lambda: (s := _signatures(devnet, job)) and s[0]["signature"])
    answer = devnet.rpc("getTransaction", [signature, {"encoding": "json", "commitment": "confirmed", "maxSupportedTransactionVersion": 0}])
    message = answer["result"]["transaction"]["message"]
    assert job in message["accountKeys"] and out["owner"] == message["accountKeys"][0]
    assert devnet.program_id in message["accountKeys"]
    header = message["header"]
    assert header["numRequiredSignatures"] == 1
    assert answer["result"]["meta"]["loadedAddresses"] == {"readonly": [], "writable": []}


def test_program_accounts_with_an_empty_data_slice(devnet) -> None:
    out = devnet.control("/jobs/bulk", {"count": 3, "status": "completed", "title_prefix": "slice"})
    config = {"encoding": "base64", "commitment": "confirmed", "withContext": True,
              "filters": [{"dataSize": 308}, {"memcmp": {"offset": 8, "bytes": out["owner"]}}]}
    full = devnet.rpc("getProgramAccounts", [devnet.program_id, config])["result"]["value"]
    sliced = devnet.rpc("getProgramAccounts", [devnet.program_id, {**config, "dataSlice": {"offset": 0, "length": 0}}])["result"]["value"]
    assert sorted(a["pubkey"] for a in sliced) == sorted(out["jobs"]) == sorted(a["pubkey"] for a in full)
    for account in sliced:
        assert account["account"]["data"] == ["", "base64"]
        assert account["account"]["space"] == 308
    assert all(len(base64.b64decode(a["account"]["data"][0])) == 308 for a in full)
