"""Writes the golden vectors of the Solana target (Tests/SolanaTests/Golden) with solders as the oracle.

Vectors: base58, keypair files, ed25519 signatures, the on-curve test, program addresses, compiled legacy
messages and fully signed transactions (including compute-budget instructions).
"""

from __future__ import annotations

import json
import random

import base58
from solders.compute_budget import set_compute_unit_limit, set_compute_unit_price
from solders.hash import Hash
from solders.instruction import AccountMeta, Instruction
from solders.keypair import Keypair
from solders.message import Message
from solders.pubkey import Pubkey
from solders.signature import Signature
from solders.transaction import Transaction

from golden_common import keypair, seed_of, write

OUT = "Tests/SolanaTests/Golden"
P = 2**255 - 19
CLOUDMESH = Pubkey.from_string("2pbdwB29EXvsfEcigJrMwEaDx2T16zZ47aK5oGabjx7S")


def base58_vectors(rng: random.Random) -> dict:
    inputs = [b"", b"\x00", b"\x00\x00", b"\x00\x00\x00\x01", b"\x01", b"\xff", b"\x00\xff", b"\x39", b"\x3a",
              b"hello world", bytes(32), b"\xff" * 32, b"\x00" * 5 + b"\xff" * 3]
    for length in list(range(1, 70, 3)) + [32, 32, 64, 64, 100]:
        zeros = rng.choice([0, 0, 1, 2, 5])
        inputs.append(bytes(zeros) + rng.randbytes(length))
    cases = []
    for raw in inputs:
        text = base58.b58encode(raw).decode()
        assert base58.b58decode(text) == raw
        if len(raw) == 32:
            assert str(Pubkey(raw)) == text  # solders agrees on addresses
        if len(raw) == 64:
            assert str(Signature(raw)) == text  # and on signatures
        cases.append({"hex": raw.hex(), "base58": text})
    invalid = [
        {"text": "0", "character": "0", "position": 0},
        {"text": "1O1", "character": "O", "position": 1},
        {"text": "abcI", "character": "I", "position": 3},
        {"text": "11l", "character": "l", "position": 2},
        {"text": "2pbd+", "character": "+", "position": 4},
        {"text": "é1", "character": "é", "position": 0},
    ]
    for case in invalid:
        try:
            base58.b58decode(case["text"])
        except ValueError:
            continue
        raise AssertionError(f"base58 accepted {case['text']!r}")
    return {"cases": cases, "invalid": invalid}


def keypair_vectors() -> dict:
    cases = []
    for index in range(8):
        label = f"keypair-{index}"
        kp = keypair(label)
        message = seed_of(f"message-{index}") * index  # empty for index 0
        file_numbers = json.loads(kp.to_json())
        assert file_numbers == list(bytes(kp))
        cases.append({
            "seed": seed_of(label).hex(),
            "file": kp.to_json(),
            "address": str(kp.pubkey()),
            "message": message.hex(),
            "signature": str(kp.sign_message(message)),
        })
    return {"cases": cases}


def curve_point(y: int, sign: int) -> bytes:
    raw = bytearray(y.to_bytes(32, "little"))
    raw[31] |= sign << 7
    return bytes(raw)


def curve_vectors(rng: random.Random) -> dict:
    inputs = []
    for y in [0, 1, 2, 3, 4, P - 1, P - 2, P, P + 1, P + 2, 2**255 - 1, 2**255 - 2]:
        for sign in (0, 1):
            inputs.append(curve_point(y, sign))
    inputs += [bytes(keypair(f"curve-{index}").pubkey()) for index in range(16)]
    inputs += [bytes(Pubkey.find_program_address([bytes([index])], CLOUDMESH)[0]) for index in range(16)]
    inputs += [rng.randbytes(32) for _ in range(96)]
    cases = [{"hex": raw.hex(), "onCurve": Pubkey(raw).is_on_curve()} for raw in inputs]
    assert any(case["onCurve"] for case in cases) and not all(case["onCurve"] for case in cases)
    return {"cases": cases}


def pda_vectors(rng: random.Random) -> dict:
    programs = [CLOUDMESH, Pubkey.default(), keypair("pda-program").pubkey()]
    seed_sets = [[], [b""], [b"job"], [b"a" * 32], [b"a" * 32, b"b" * 32], [bytes(range(32))] * 15,
                 ["日本語".encode(), "🚀".encode()]]
    for _ in range(30):
        seed_sets.append([rng.randbytes(rng.randint(0, 32)) for _ in range(rng.randint(1, 5))])
    find = []
    create = []
    for program in programs:
        for seeds in seed_sets:
            address, bump = Pubkey.find_program_address(seeds, program)
            find.append({"seeds": [seed.hex() for seed in seeds], "programId": str(program),
                         "address": str(address), "bump": bump})
            for candidate in (255, 254, 253, 200, 1, 0):
                all_seeds = seeds + [bytes([candidate])]
                if len(all_seeds) > 16:
                    continue
                try:
                    created = str(Pubkey.create_program_address(all_seeds, program))
                except Exception as error:  # solders raises PubkeyError for an on-curve result
                    assert "valid address" in str(error), error
                    created = None
                create.append({"seeds": [seed.hex() for seed in all_seeds], "programId": str(program),
                               "address": created})
    assert any(case["address"] is None for case in create)
    refused = []
    for seeds in ([b"x" * 33], [b"job", b"y" * 40], [b"z" * 100]):
        try:
            Pubkey.create_program_address(seeds, CLOUDMESH)
        except Exception as error:
            assert "too long" in str(error), error
            refused.append({"seeds": [seed.hex() for seed in seeds], "programId": str(CLOUDMESH)})
            continue
        raise AssertionError("solders accepted a seed over 32 bytes")
    return {"find": find, "create": create, "refusedSeedTooLong": refused}


def meta_json(meta: AccountMeta) -> dict:
    return {"publicKey": str(meta.pubkey), "isSigner": meta.is_signer, "isWritable": meta.is_writable}


def instruction_json(instruction: Instruction) -> dict:
    return {"programId": str(instruction.program_id), "accounts": [meta_json(m) for m in instruction.accounts],
            "data": bytes(instruction.data).hex()}


def message_vectors(rng: random.Random) -> dict:
    signers = [keypair(f"signer-{index}") for index in range(6)]
    others = [keypair(f"other-{index}").pubkey() for index in range(8)]
    programs = [keypair(f"program-{index}").pubkey() for index in range(3)]
    cases = []
    for index in range(40):
        payer = signers[index % 2]
        instructions = []
        if index % 4 == 1:
            instructions.append(set_compute_unit_limit(rng.randint(1, 1_400_000)))
        if index % 4 in (1, 2):
            instructions.append(set_compute_unit_price(rng.randint(0, 2**64 - 1)))
        for _ in range(rng.randint(1 if index % 4 != 3 else 0, 4)):
            metas = []
            for _ in range(rng.randint(0, 6)):
                kind = rng.random()
                if kind < 0.35:
                    metas.append(AccountMeta(rng.choice(signers).pubkey(), rng.random() < 0.7, rng.random() < 0.5))
                elif kind < 0.45:
                    metas.append(AccountMeta(payer.pubkey(), rng.random() < 0.5, rng.random() < 0.5))
                elif kind < 0.5:
                    metas.append(AccountMeta(rng.choice(programs), False, rng.random() < 0.5))
                else:
                    metas.append(AccountMeta(rng.choice(others), False, rng.random() < 0.5))
            instructions.append(Instruction(rng.choice(programs), rng.randbytes(rng.randint(0, 40)), metas))
        blockhash = Hash(seed_of(f"blockhash-{index}"))
        message = Message.new_with_blockhash(instructions, payer.pubkey(), blockhash)
        required = message.header.num_required_signatures
        needed = [key for key in message.account_keys[:required]]
        keypairs = [kp for kp in signers if kp.pubkey() in needed]
        transaction = Transaction(keypairs, message, blockhash)
        transaction.verify()
        wire = bytes(transaction)
        cases.append({
            "feePayer": str(payer.pubkey()),
            "recentBlockhash": str(blockhash),
            "instructions": [instruction_json(ix) for ix in instructions],
            "signerSeeds": [seed_of(f"signer-{signers.index(kp)}").hex() for kp in keypairs],
            "header": [message.header.num_required_signatures, message.header.num_readonly_signed_accounts,
                       message.header.num_readonly_unsigned_accounts],
            "accountKeys": [str(key) for key in message.account_keys],
            "message": bytes(message).hex(),
            "transaction": wire.hex(),
            "signature": str(transaction.signatures[0]),
        })
    return {"cases": cases}


def main() -> None:
    rng = random.Random(20240601)
    write(f"{OUT}/base58.json", base58_vectors(rng))
    write(f"{OUT}/keypairs.json", keypair_vectors())
    write(f"{OUT}/curve.json", curve_vectors(rng))
    write(f"{OUT}/pdas.json", pda_vectors(rng))
    write(f"{OUT}/messages.json", message_vectors(rng))


if __name__ == "__main__":
    main()
