"""The CloudMesh Anchor program, implemented natively with the program's observable behaviour:
the same checks in the same order, Anchor error codes and log lines, events, the 308-byte Job account.

`execute` runs one instruction against an `InvokeContext` supplied by the ledger; all writes go through
the context so the ledger can roll the whole transaction back.
"""

from __future__ import annotations

import base64
import hashlib
import struct
from dataclasses import dataclass
from typing import Callable, Optional

from solders.account import Account
from solders.instruction import AccountMeta, Instruction
from solders.pubkey import Pubkey

DEFAULT_PROGRAM_ID = "2pbdwB29EXvsfEcigJrMwEaDx2T16zZ47aK5oGabjx7S"
SYSTEM_PROGRAM = Pubkey.from_string("11111111111111111111111111111111")
JOB_SPACE = 308
RENT_EPOCH_EXEMPT = 2**64 - 1
SOURCE_FILE = "programs/cloudmesh/src/lib.rs"


def _sighash(prefix: str, name: str) -> bytes:
    return hashlib.sha256(f"{prefix}:{name}".encode()).digest()[:8]


JOB_DISCRIMINATOR = _sighash("account", "Job")
IX_INITIALIZE = _sighash("global", "initialize_job")
IX_COMPLETE = _sighash("global", "complete_job")
IX_CANCEL = _sighash("global", "cancel_job")
IX_MARK_PAYMENT = _sighash("global", "mark_payment")
EV_CREATED = _sighash("event", "JobCreated")
EV_COMPLETED = _sighash("event", "JobCompleted")
EV_CANCELLED = _sighash("event", "JobCancelled")
EV_PAYMENT = _sighash("event", "PaymentMarked")

PENDING, COMPLETED, CANCELLED = 0, 1, 2
JOB_TYPES = {"Cron": 0, "Api": 1, "Manual": 2}

PROGRAM_ERRORS = {
    6000: ("InvalidTitle", "Title must be between 1 and 100 characters"),
    6001: ("InvalidCID", "CID must be between 1 and 100 characters"),
    6002: ("InvalidCost", "Cost must be greater than 0"),
    6003: ("JobAlreadyCompleted", "Job is already completed"),
    6004: ("JobCancelled", "Job has been cancelled"),
    6005: ("JobAlreadyCancelled", "Job is already cancelled"),
    6006: ("InvalidStatusTransition", "Invalid status transition"),
    6007: ("AlreadyPaid", "Payment already marked as paid"),
    6008: ("Unauthorized", "Unauthorized: Only owner can perform this action"),
}
ANCHOR_ERRORS = {
    100: ("InstructionMissing", "8 byte instruction identifier not provided"),
    101: ("InstructionFallbackNotFound", "Fallback functions are not supported"),
    102: ("InstructionDidNotDeserialize", "The program could not deserialize the given instruction"),
    2000: ("ConstraintMut", "A mut constraint was violated"),
    2006: ("ConstraintSeeds", "A seeds constraint was violated"),
    3001: ("AccountDiscriminatorNotFound", "No 8 byte discriminator was found on the account"),
    3002: ("AccountDiscriminatorMismatch", "8 byte discriminator did not match what was expected"),
    3003: ("AccountDidNotDeserialize", "Failed to deserialize the account"),
    3004: ("AccountDidNotSerialize", "Failed to serialize the account"),
    3005: ("AccountNotEnoughKeys", "Not enough account keys given to the instruction"),
    3007: ("AccountOwnedByWrongProgram", "The given account is owned by a different program than expected"),
    3008: ("InvalidProgramId", "Program ID was not as expected"),
    3010: ("AccountNotSigner", "The given account did not sign"),
    3012: ("AccountNotInitialized", "The program expected this account to be already initialized"),
}
ALL_ERRORS = {**ANCHOR_ERRORS, **PROGRAM_ERRORS}

# Line numbers reported in "AnchorError thrown in <file>:<line>" for the handler's require! checks.
_LINES = {
    ("init", 6000): 24, ("init", 6001): 25,
    ("complete", 6001): 52, ("complete", 6002): 53, ("complete", 6003): 54, ("complete", 6004): 55,
    ("cancel", 6008): 74, ("cancel", 6005): 75, ("cancel", 6006): 76,
    ("pay", 6008): 92, ("pay", 6006): 93, ("pay", 6007): 94,
}

# Compute units charged (the program's own work, excluding CPIs).
_UNITS = {"init": 14_000, "complete": 6_200, "cancel": 4_800, "pay": 4_300, "error": 2_500}
SYSTEM_CPI_UNITS = 150


class ProgramError(Exception):
    """The instruction failed; `value` is the InstructionError JSON value (e.g. {"Custom": 6003})."""

    def __init__(self, value: object) -> None:
        super().__init__(value)
        self.value = value


# ---------------------------------------------------------------- Borsh and the Job account


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            raise ValueError("unexpected end of data")
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def u8(self) -> int:
        return self.take(1)[0]

    def u32(self) -> int:
        return struct.unpack("<I", self.take(4))[0]

    def u64(self) -> int:
        return struct.unpack("<Q", self.take(8))[0]

    def i64(self) -> int:
        return struct.unpack("<q", self.take(8))[0]

    def string(self) -> str:
        return self.take(self.u32()).decode("utf-8")

    def pubkey(self) -> Pubkey:
        return Pubkey.from_bytes(self.take(32))

    def boolean(self) -> bool:
        b = self.u8()
        if b > 1:
            raise ValueError("invalid bool")
        return b == 1


def borsh_string(s: str) -> bytes:
    """Borsh String: u32 LE length + UTF-8."""
    raw = s.encode("utf-8")
    return struct.pack("<I", len(raw)) + raw


@dataclass
class Job:
    """The decoded fields of a Job account."""

    owner: Pubkey
    title: str
    code_cid: str
    result_cid: str
    start_time: int
    end_time: int
    status: int
    job_type: int
    cost: int
    cost_paid: bool
    bump: int

    def serialize(self) -> bytes:
        """Discriminator + Borsh fields (without the zero padding)."""
        return (
            JOB_DISCRIMINATOR
            + bytes(self.owner)
            + borsh_string(self.title)
            + borsh_string(self.code_cid)
            + borsh_string(self.result_cid)
            + struct.pack("<qqBBQ?B", self.start_time, self.end_time, self.status, self.job_type, self.cost, self.cost_paid, self.bump)
        )

    @staticmethod
    def deserialize(data: bytes) -> "Job":
        """Borsh-decode the fields after the discriminator; raises ValueError."""
        r = _Reader(data[8:])
        job = Job(r.pubkey(), r.string(), r.string(), r.string(), r.i64(), r.i64(), r.u8(), r.u8(), r.u64(), r.boolean(), r.u8())
        if job.status > 2 or job.job_type > 2:
            raise ValueError("invalid enum variant")
        return job

    def account_data(self, previous: bytes | None = None) -> bytes:
        """The 308-byte account data; bytes past the serialized fields keep their previous content."""
        body = self.serialize()
        if len(body) > JOB_SPACE:
            raise ValueError("does not fit")
        base = previous if previous is not None and len(previous) == JOB_SPACE else bytes(JOB_SPACE)
        return body + base[len(body) :]


def job_address(owner: Pubkey, title: str, program_id: Pubkey) -> tuple[Pubkey, int]:
    """The Job PDA for (owner, title); raises ValueError when the title is longer than 32 bytes."""
    seed = title.encode("utf-8")
    if len(seed) > 32:
        raise ValueError("Length of the seed is too long for address generation")
    return Pubkey.find_program_address([b"job", bytes(owner), seed], program_id)


# ---------------------------------------------------------------- instruction builders (used by control helpers)


def initialize_job_ix(program_id: Pubkey, owner: Pubkey, title: str, code_cid: str, job_type: int) -> Instruction:
    """An initialize_job instruction (the title must be at most 32 bytes)."""
    job, _ = job_address(owner, title, program_id)
    data = IX_INITIALIZE + borsh_string(title) + borsh_string(code_cid) + bytes([job_type])
    return Instruction(program_id, data, [AccountMeta(job, False, True), AccountMeta(owner, True, True), AccountMeta(SYSTEM_PROGRAM, False, False)])


def complete_job_ix(program_id: Pubkey, job: Pubkey, worker: Pubkey, result_cid: str, cost: int) -> Instruction:
    """A complete_job instruction."""
    data = IX_COMPLETE + borsh_string(result_cid) + struct.pack("<Q", cost)
    return Instruction(program_id, data, [AccountMeta(job, False, True), AccountMeta(worker, True, False)])


def owner_ix(program_id: Pubkey, job: Pubkey, owner: Pubkey, kind: str) -> Instruction:
    """A cancel_job (kind "cancel") or mark_payment (kind "pay") instruction."""
    disc = IX_CANCEL if kind == "cancel" else IX_MARK_PAYMENT
    return Instruction(program_id, disc, [AccountMeta(job, False, True), AccountMeta(owner, True, False)])


# ---------------------------------------------------------------- execution


@dataclass
class Meta:
    """An instruction account as the runtime passes it."""

    pubkey: Pubkey
    is_signer: bool
    is_writable: bool


@dataclass
class InvokeContext:
    """What the ledger hands the program for one instruction."""

    program_id: Pubkey
    metas: list[Meta]
    data: bytes
    get_account: Callable[[Pubkey], Optional[Account]]
    set_account: Callable[[Pubkey, Account], None]
    now: int
    rent_min: Callable[[int], int]
    log: Callable[[str], None]


def _anchor_fail(ctx: InvokeContext, code: int, origin: str | None = None, kind: str | None = None, compared: tuple[Pubkey, Pubkey] | None = None) -> ProgramError:
    name, message = ALL_ERRORS[code]
    if code >= 6000:
        where = f"AnchorError thrown in {SOURCE_FILE}:{_LINES.get((kind or '', code), 1)}."
    elif origin:
        where = f"AnchorError caused by account: {origin}."
    else:
        where = "AnchorError occurred."
    ctx.log(f"Program log: {where} Error Code: {name}. Error Number: {code}. Error Message: {message}.")
    if compared:
        ctx.log("Program log: Left:")
        ctx.log(f"Program log: {compared[0]}")
        ctx.log("Program log: Right:")
        ctx.log(f"Program log: {compared[1]}")
    return ProgramError({"Custom": code})


def _load_job(ctx: InvokeContext, meta: Meta) -> tuple[Job, Account]:
    acct = ctx.get_account(meta.pubkey)
    if acct is None or (acct.owner == SYSTEM_PROGRAM and acct.lamports == 0):
        raise _anchor_fail(ctx, 3012, "job")
    if acct.owner != ctx.program_id:
        raise _anchor_fail(ctx, 3007, "job", compared=(acct.owner, ctx.program_id))
    data = bytes(acct.data)
    if len(data) < 8:
        raise _anchor_fail(ctx, 3001, "job")
    if data[:8] != JOB_DISCRIMINATOR:
        raise _anchor_fail(ctx, 3002, "job")
    try:
        return Job.deserialize(data), acct
    except (ValueError, UnicodeDecodeError):
        raise _anchor_fail(ctx, 3003, "job") from None


def _store_job(ctx: InvokeContext, meta: Meta, job: Job, acct: Account) -> None:
    try:
        data = job.account_data(bytes(acct.data))
    except ValueError:
        raise _anchor_fail(ctx, 3004, "job") from None
    ctx.set_account(meta.pubkey, Account(acct.lamports, data, acct.owner, acct.executable, acct.rent_epoch))


def _emit(ctx: InvokeContext, payload: bytes) -> None:
    ctx.log("Program data: " + base64.b64encode(payload).decode())


def _system_cpi_fail(ctx: InvokeContext, message: str, code: int) -> ProgramError:
    ctx.log(f"Program {SYSTEM_PROGRAM} invoke [2]")
    ctx.log(message)
    ctx.log(f"Program {SYSTEM_PROGRAM} failed: custom program error: 0x{code:x}")
    return ProgramError({"Custom": code})


def _initialize(ctx: InvokeContext, r: _Reader) -> str:
    try:
        title, code_cid, job_type = r.string(), r.string(), r.u8()
        if job_type > 2:
            raise ValueError("invalid JobType")
    except (ValueError, UnicodeDecodeError):
        raise _anchor_fail(ctx, 102) from None
    if len(ctx.metas) < 3:
        raise _anchor_fail(ctx, 3005)
    job_m, owner_m, sys_m = ctx.metas[:3]
    if not owner_m.is_signer:
        raise _anchor_fail(ctx, 3010, "owner")
    if sys_m.pubkey != SYSTEM_PROGRAM:
        raise _anchor_fail(ctx, 3008, "system_program", compared=(sys_m.pubkey, SYSTEM_PROGRAM))
    try:
        pda, bump = job_address(owner_m.pubkey, title, ctx.program_id)
    except ValueError as exc:
        ctx.log(f"Program {ctx.program_id} failed: Could not create program address with signer seeds: {exc}")
        raise ProgramError("ProgramFailedToComplete") from None
    if job_m.pubkey != pda:
        raise _anchor_fail(ctx, 2006, "job", compared=(job_m.pubkey, pda))
    if not job_m.is_writable or not owner_m.is_writable:
        victim = job_m.pubkey if not job_m.is_writable else owner_m.pubkey
        ctx.log(f"{victim}'s writable privilege escalated")
        raise ProgramError("PrivilegeEscalation")
    rent = ctx.rent_min(JOB_SPACE)
    payer = ctx.get_account(owner_m.pubkey)
    payer_lamports = payer.lamports if payer else 0
    existing = ctx.get_account(job_m.pubkey)
    current = existing.lamports if existing else 0
    need = rent if current == 0 else max(rent - current, 0)
    if need > payer_lamports:
        raise _system_cpi_fail(ctx, f"Transfer: insufficient lamports {payer_lamports}, need {need}", 1)
    if current > 0 and (existing is not None and (len(existing.data) > 0 or existing.owner != SYSTEM_PROGRAM)):
        if need:
            ctx.log(f"Program {SYSTEM_PROGRAM} invoke [2]")
            ctx.log(f"Program {SYSTEM_PROGRAM} success")
        raise _system_cpi_fail(ctx, f"Allocate: account Address {{ address: {job_m.pubkey}, base: None }} already in use", 0)
    assert payer is not None
    ctx.set_account(owner_m.pubkey, Account(payer_lamports - need, bytes(payer.data), payer.owner, payer.executable, payer.rent_epoch))
    ctx.set_account(job_m.pubkey, Account(current + need, bytes(JOB_SPACE), ctx.program_id, False, RENT_EPOCH_EXEMPT))
    for _ in range(1 if current == 0 else 3):
        ctx.log(f"Program {SYSTEM_PROGRAM} invoke [2]")
        ctx.log(f"Program {SYSTEM_PROGRAM} success")
    if not 1 <= len(title.encode()) <= 100:
        raise _anchor_fail(ctx, 6000, kind="init")
    if not 1 <= len(code_cid.encode()) <= 100:
        raise _anchor_fail(ctx, 6001, kind="init")
    job = Job(owner_m.pubkey, title, code_cid, "", ctx.now, 0, PENDING, job_type, 0, False, bump)
    _emit(ctx, EV_CREATED + bytes(job_m.pubkey) + bytes(owner_m.pubkey) + borsh_string(title))
    acct = ctx.get_account(job_m.pubkey)
    assert acct is not None
    _store_job(ctx, job_m, job, acct)
    return "init"


def _two_accounts(ctx: InvokeContext, signer_name: str) -> tuple[Meta, Meta, Job, Account]:
    if len(ctx.metas) < 2:
        raise _anchor_fail(ctx, 3005)
    job_m, signer_m = ctx.metas[:2]
    job, acct = _load_job(ctx, job_m)
    if not signer_m.is_signer:
        raise _anchor_fail(ctx, 3010, signer_name)
    if not job_m.is_writable:
        raise _anchor_fail(ctx, 2000, "job")
    return job_m, signer_m, job, acct


def _complete(ctx: InvokeContext, r: _Reader) -> str:
    try:
        result_cid, cost = r.string(), r.u64()
    except (ValueError, UnicodeDecodeError):
        raise _anchor_fail(ctx, 102) from None
    job_m, _, job, acct = _two_accounts(ctx, "worker")
    if not 1 <= len(result_cid.encode()) <= 100:
        raise _anchor_fail(ctx, 6001, kind="complete")
    if cost == 0:
        raise _anchor_fail(ctx, 6002, kind="complete")
    if job.status == COMPLETED:
        raise _anchor_fail(ctx, 6003, kind="complete")
    if job.status == CANCELLED:
        raise _anchor_fail(ctx, 6004, kind="complete")
    job.result_cid, job.end_time, job.cost, job.status = result_cid, ctx.now, cost, COMPLETED
    _emit(ctx, EV_COMPLETED + bytes(job_m.pubkey) + borsh_string(result_cid) + struct.pack("<qQ", ctx.now, cost))
    _store_job(ctx, job_m, job, acct)
    return "complete"


def _cancel(ctx: InvokeContext, r: _Reader) -> str:
    job_m, owner_m, job, acct = _two_accounts(ctx, "owner")
    if job.owner != owner_m.pubkey:
        raise _anchor_fail(ctx, 6008, kind="cancel")
    if job.status == CANCELLED:
        raise _anchor_fail(ctx, 6005, kind="cancel")
    if job.status != PENDING:
        raise _anchor_fail(ctx, 6006, kind="cancel")
    job.status, job.end_time = CANCELLED, ctx.now
    _emit(ctx, EV_CANCELLED + bytes(job_m.pubkey) + struct.pack("<q", ctx.now))
    _store_job(ctx, job_m, job, acct)
    return "cancel"


def _mark_payment(ctx: InvokeContext, r: _Reader) -> str:
    job_m, owner_m, job, acct = _two_accounts(ctx, "owner")
    if job.owner != owner_m.pubkey:
        raise _anchor_fail(ctx, 6008, kind="pay")
    if job.status != COMPLETED:
        raise _anchor_fail(ctx, 6006, kind="pay")
    if job.cost_paid:
        raise _anchor_fail(ctx, 6007, kind="pay")
    job.cost_paid = True
    _emit(ctx, EV_PAYMENT + bytes(job_m.pubkey) + struct.pack("<Q", job.cost))
    _store_job(ctx, job_m, job, acct)
    return "pay"


_DISPATCH = {
    IX_INITIALIZE: ("InitializeJob", _initialize),
    IX_COMPLETE: ("CompleteJob", _complete),
    IX_CANCEL: ("CancelJob", _cancel),
    IX_MARK_PAYMENT: ("MarkPayment", _mark_payment),
}


def execute(ctx: InvokeContext) -> tuple[Optional[object], int]:
    """Run one instruction. Returns (InstructionError value or None, compute units consumed).

    Log lines go through ctx.log; the caller adds the runtime's invoke/consumed/success lines.
    """
    if len(ctx.data) < 8:
        _anchor_fail(ctx, 100)
        return {"Custom": 100}, 700
    entry = _DISPATCH.get(bytes(ctx.data[:8]))
    if entry is None:
        _anchor_fail(ctx, 101)
        return {"Custom": 101}, 800
    name, handler = entry
    ctx.log(f"Program log: Instruction: {name}")
    try:
        kind = handler(ctx, _Reader(bytes(ctx.data[8:])))
    except ProgramError as err:
        return err.value, _UNITS["error"]
    return None, _UNITS[kind] + (SYSTEM_CPI_UNITS if kind == "init" else 0)
