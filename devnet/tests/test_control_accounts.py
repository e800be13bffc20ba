"""The test-only /accounts route: raw program-owned accounts, served by getProgramAccounts as they are."""

from __future__ import annotations

import base64

JOB_DISCRIMINATOR_B58 = "DdJgs2JGpjh"


def test_raw_account_is_served_by_get_program_accounts(devnet) -> None:
    data = bytes([75, 124, 80, 203, 161, 180, 202, 80]) + b"\xff" * 300
    made = devnet.control("/accounts", {"data_b64": base64.b64encode(data).decode()})
    assert made["owner"] == devnet.program_id
    filters = [{"memcmp": {"offset": 0, "bytes": JOB_DISCRIMINATOR_B58}}, {"dataSize": 308}]
    config = {"encoding": "base64", "commitment": "confirmed", "filters": filters}
    found = devnet.rpc("getProgramAccounts", [devnet.program_id, config])["result"]
    match = [a for a in found if a["pubkey"] == made["address"]]
    assert len(match) == 1 and base64.b64decode(match[0]["account"]["data"][0]) == data
