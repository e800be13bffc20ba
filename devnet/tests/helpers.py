"""Transaction builders shared by the tests (they use solders directly, like a real client)."""

from __future__ import annotations

import base64
import json
import struct
from pathlib import Path

from solders.hash import Hash
from solders.instruction import AccountMeta, Instruction
from solders.keypair import Keypair
from solders.message import Message
from solders.pubkey import Pubkey
from solders.transaction import VersionedTransaction

from ..chain import cloudmesh as cm

SYSTEM = Pubkey.from_string("11111111111111111111111111111111")


def load_keypair(path: str) -> Keypair:
    """Read a Solana CLI keypair file."""
    return Keypair.from_bytes(bytes(json.loads(Path(path).read_text())))


def borsh_string(s: str) -> bytes:
    """Borsh String."""
    raw = s.encode()
    return struct.pack("<I", len(raw)) + raw


def init_ix(program: Pubkey, owner: Pubkey, title: str, code_cid: str, job_type: int = 2, job: Pubkey | None = None) -> Instruction:
    """initialize_job, with an explicit job address when the title cannot derive one."""
    if job is None:
        job, _ = cm.job_address(owner, title, program)
    data = bytes(cm.IX_INITIALIZE) + borsh_string(title) + borsh_string(code_cid) + bytes([job_type])
    return Instruction(program, data, [AccountMeta(job, False, True), AccountMeta(owner, True, True), AccountMeta(SYSTEM, False, False)])


def complete_ix(program: Pubkey, job: Pubkey, worker: Pubkey, result_cid: str, cost: int, signer: bool = True, writable: bool = True) -> Instruction:
    """complete_job."""
    data = bytes(cm.IX_COMPLETE) + borsh_string(result_cid) + struct.pack("<Q", cost)
    return Instruction(program, data, [AccountMeta(job, False, writable), AccountMeta(worker, signer, False)])


def owner_ix(program: Pubkey, job: Pubkey, owner: Pubkey, kind: str) -> Instruction:
    """cancel_job or mark_payment."""
    return cm.owner_ix(program, job, owner, kind)


def signed(ixs: list[Instruction], signers: list[Keypair], blockhash: str) -> VersionedTransaction:
    """A signed legacy transaction (first signer pays)."""
    msg = Message.new_with_blockhash(ixs, signers[0].pubkey(), Hash.from_string(blockhash))
    return VersionedTransaction(msg, signers)


def b64(tx: VersionedTransaction) -> str:
    """Wire bytes in base64."""
    return base64.b64encode(bytes(tx)).decode()
