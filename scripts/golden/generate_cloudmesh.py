"""Writes the golden vectors of the CloudMesh target (Tests/CloudMeshTests/Golden).

Borsh is written by hand here (solders has no Anchor); discriminators come from hashlib; addresses,
message compilation and signatures come from solders.
"""

from __future__ import annotations

import base64
import hashlib
import random
import struct

from solders.compute_budget import set_compute_unit_limit, set_compute_unit_price
from solders.hash import Hash
from solders.instruction import AccountMeta, Instruction
from solders.message import Message
from solders.pubkey import Pubkey
from solders.transaction import Transaction

from golden_common import keypair, seed_of, write

OUT = "Tests/CloudMeshTests/Golden"
PROGRAM = Pubkey.from_string("2pbdwB29EXvsfEcigJrMwEaDx2T16zZ47aK5oGabjx7S")
SYSTEM = Pubkey.default()
ACCOUNT_SIZE = 308


def discriminator(namespace: str, name: str) -> bytes:
    return hashlib.sha256(f"{namespace}:{name}".encode()).digest()[:8]


def borsh_string(text: str) -> bytes:
    raw = text.encode("utf-8")
    return struct.pack("<I", len(raw)) + raw


def job_bytes(job: dict) -> bytes:
    return (discriminator("account", "Job") + bytes(Pubkey.from_string(job["owner"]))
            + borsh_string(job["title"]) + borsh_string(job["codeCID"]) + borsh_string(job["resultCID"])
            + struct.pack("<qqBBQ?B", job["startTime"], job["endTime"], job["status"], job["jobType"],
                          job["cost"], job["costPaid"], job["bump"]))


def random_text(rng: random.Random, max_bytes: int) -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789 -_éü日本🚀"
    while True:
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, max_bytes)))
        if len(text.encode()) <= max_bytes:
            return text


def job_vectors(rng: random.Random) -> dict:
    cases = []
    fixed = [
        ("a", "Qm" + "1" * 44, "", 0, 0, 0),
        ("t" * 32, "b" * 100, "c" * 96, 1, 2, 1),  # 32 + 100 + 96 = 228 bytes: exactly full
        ("日本語のジョブ", "bafy" + "a" * 55, "Qm" + "z" * 44, 2, 1, 0),
    ]
    for title, code, result, status, job_type, paid in fixed:
        owner = keypair(f"job-owner-{title}").pubkey()
        _, bump = Pubkey.find_program_address([b"job", bytes(owner), title.encode()], PROGRAM)
        cases.append({"owner": str(owner), "title": title, "codeCID": code, "resultCID": result,
                      "startTime": 1_730_000_000, "endTime": 0 if status == 0 else 1_730_000_100,
                      "status": status, "jobType": job_type, "cost": 0 if status == 0 else 1_000_000,
                      "costPaid": bool(paid), "bump": bump})
    for index in range(40):
        title = random_text(rng, 32)
        code = random_text(rng, 100)
        result = random_text(rng, max(0, min(100, 228 - len(title.encode()) - len(code.encode())))) \
            if rng.random() < 0.7 and 228 - len(title.encode()) - len(code.encode()) > 0 else ""
        cases.append({"owner": str(keypair(f"job-owner-{index}").pubkey()), "title": title, "codeCID": code,
                      "resultCID": result, "startTime": rng.randint(-2**63, 2**63 - 1),
                      "endTime": rng.randint(-2**63, 2**63 - 1), "status": rng.randint(0, 2),
                      "jobType": rng.randint(0, 2), "cost": rng.randint(0, 2**64 - 1),
                      "costPaid": rng.random() < 0.5, "bump": rng.randint(0, 255)})
    for case in cases:
        raw = job_bytes(case)
        assert len(raw) <= ACCOUNT_SIZE, len(raw)
        case["accountData"] = (raw + bytes(ACCOUNT_SIZE - len(raw))).hex()
        case["encodedLength"] = len(raw)
    return {"discriminator": list(discriminator("account", "Job")), "accountSize": ACCOUNT_SIZE, "cases": cases}


def job_pda_vectors(rng: random.Random) -> dict:
    titles = ["a", "x", "t" * 32, "hello", "Daily report", "café", "日本語", "🚀🚀", "é" * 16, "z" * 31,
              "job with spaces", "ジョブ" * 3 + "ab"]
    titles += [random_text(rng, 32) for _ in range(20)]
    cases = []
    for index, title in enumerate(titles):
        assert 1 <= len(title.encode()) <= 32, title
        owner = keypair(f"pda-owner-{index % 7}").pubkey()
        for program in (PROGRAM, keypair("other-deployment").pubkey()):
            address, bump = Pubkey.find_program_address([b"job", bytes(owner), title.encode()], program)
            cases.append({"owner": str(owner), "title": title, "programId": str(program),
                          "address": str(address), "bump": bump})
    refused = []
    for title in ("t" * 33, "日本語" * 4, "a very long title that has more than thirty-two bytes"):
        owner = keypair("pda-owner-0").pubkey()
        try:
            Pubkey.create_program_address([b"job", bytes(owner), title.encode(), bytes([255])], PROGRAM)
        except Exception as error:
            assert "too long" in str(error), error
            refused.append({"owner": str(owner), "title": title, "programId": str(PROGRAM),
                            "titleBytes": len(title.encode())})
            continue
        raise AssertionError("solders accepted a title over 32 bytes")
    return {"cases": cases, "refused": refused}


def instruction_json(instruction: Instruction) -> dict:
    return {"programId": str(instruction.program_id), "data": bytes(instruction.data).hex(),
            "accounts": [{"publicKey": str(m.pubkey), "isSigner": m.is_signer, "isWritable": m.is_writable}
                         for m in instruction.accounts]}


def transaction_vectors() -> dict:
    owner = keypair("tx-owner")
    worker = keypair("tx-worker")
    blockhash = Hash(seed_of("tx-blockhash"))
    title = "hello-cloudmesh"
    code_cid = "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG"
    result_cid = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy"
    job, _ = Pubkey.find_program_address([b"job", bytes(owner.pubkey()), title.encode()], PROGRAM)
    instructions = {
        "initialize_job": (owner, {"title": title, "codeCID": code_cid, "jobType": 2},
                           Instruction(PROGRAM, discriminator("global", "initialize_job") + borsh_string(title)
                                       + borsh_string(code_cid) + bytes([2]),
                                       [AccountMeta(job, False, True), AccountMeta(owner.pubkey(), True, True),
                                        AccountMeta(SYSTEM, False, False)])),
        "complete_job": (worker, {"resultCID": result_cid, "cost": 1_000_000},
                         Instruction(PROGRAM, discriminator("global", "complete_job") + borsh_string(result_cid)
                                     + struct.pack("<Q", 1_000_000),
                                     [AccountMeta(job, False, True), AccountMeta(worker.pubkey(), True, False)])),
        "cancel_job": (owner, {}, Instruction(PROGRAM, discriminator("global", "cancel_job"),
                                              [AccountMeta(job, False, True),
                                               AccountMeta(owner.pubkey(), True, False)])),
        "mark_payment": (owner, {}, Instruction(PROGRAM, discriminator("global", "mark_payment"),
                                                [AccountMeta(job, False, True),
                                                 AccountMeta(owner.pubkey(), True, False)])),
    }
    budgets = [None, (200_000, 1_000), (1_400_000, 0)]
    cases = []
    for name, (payer, args, instruction) in instructions.items():
        for budget in budgets:
            ixs = [] if budget is None else [set_compute_unit_limit(budget[0]),
                                             set_compute_unit_price(budget[1])]
            ixs.append(instruction)
            message = Message.new_with_blockhash(ixs, payer.pubkey(), blockhash)
            transaction = Transaction([payer], message, blockhash)
            transaction.verify()
            wire = bytes(transaction)
            cases.append({
                "instruction": name, "arguments": args,
                "computeUnitLimit": None if budget is None else budget[0],
                "computeUnitPriceMicroLamports": None if budget is None else budget[1],
                "payerSeed": seed_of("tx-worker" if payer is worker else "tx-owner").hex(),
                "programInstruction": instruction_json(instruction),
                "message": bytes(message).hex(),
                "transactionBase64": base64.b64encode(wire).decode(),
                "signature": str(transaction.signatures[0]),
            })
    return {"owner": str(owner.pubkey()), "worker": str(worker.pubkey()), "job": str(job), "title": title,
            "recentBlockhash": str(blockhash), "programId": str(PROGRAM), "cases": cases}


def event_vectors(rng: random.Random) -> dict:
    cases = []
    for index in range(12):
        job = keypair(f"event-job-{index}").pubkey()
        kind = index % 4
        if kind == 0:
            owner = keypair(f"event-owner-{index}").pubkey()
            title = random_text(rng, 32)
            fields = {"jobKey": str(job), "owner": str(owner), "title": title}
            raw = discriminator("event", "JobCreated") + bytes(job) + bytes(owner) + borsh_string(title)
            name = "JobCreated"
        elif kind == 1:
            cid = random_text(rng, 100)
            end, cost = rng.randint(-2**63, 2**63 - 1), rng.randint(0, 2**64 - 1)
            fields = {"jobKey": str(job), "resultCID": cid, "endTime": end, "cost": cost}
            raw = discriminator("event", "JobCompleted") + bytes(job) + borsh_string(cid) + struct.pack("<qQ", end, cost)
            name = "JobCompleted"
        elif kind == 2:
            at = rng.randint(-2**63, 2**63 - 1)
            fields = {"jobKey": str(job), "cancelledAt": at}
            raw = discriminator("event", "JobCancelled") + bytes(job) + struct.pack("<q", at)
            name = "JobCancelled"
        else:
            amount = rng.randint(0, 2**64 - 1)
            fields = {"jobKey": str(job), "amount": amount}
            raw = discriminator("event", "PaymentMarked") + bytes(job) + struct.pack("<Q", amount)
            name = "PaymentMarked"
        cases.append({"event": name, "fields": fields, "logLine": "Program data: " + base64.b64encode(raw).decode()})
    return {"cases": cases}


def discriminator_vectors() -> dict:
    return {
        "account": {"Job": list(discriminator("account", "Job"))},
        "instruction": {name: list(discriminator("global", name))
                        for name in ("initialize_job", "complete_job", "cancel_job", "mark_payment")},
        "event": {name: list(discriminator("event", name))
                  for name in ("JobCreated", "JobCompleted", "JobCancelled", "PaymentMarked")},
    }


def main() -> None:
    rng = random.Random(20240602)
    write(f"{OUT}/discriminators.json", discriminator_vectors())
    write(f"{OUT}/jobs.json", job_vectors(rng))
    write(f"{OUT}/job_pdas.json", job_pda_vectors(rng))
    write(f"{OUT}/transactions.json", transaction_vectors())
    write(f"{OUT}/events.json", event_vectors(rng))


if __name__ == "__main__":
    main()
