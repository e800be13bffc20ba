"""The chain: LiteSVM state, a slot clock with blockhashes, commitment levels and the transaction pipeline.

Transactions run like on a validator: signatures verified, recent blockhash checked (150 slots), the fee
(5000 lamports per signature plus priority fee) charged to the fee payer even when an instruction fails,
and all instructions atomic. System-program and other builtin instructions run inside LiteSVM (grouped in
consecutive segments); CloudMesh instructions run natively (cloudmesh.py) in between, against the same
state. If anything fails, every touched account is restored and only the fee stays charged.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from typing import Callable, Optional

from solders.account import Account
from solders.hash import Hash
from solders.instruction import AccountMeta, Instruction
from solders.keypair import Keypair
from solders.litesvm import LiteSVM
from solders.message import Message
from solders.pubkey import Pubkey
from solders.signature import Signature
from solders.system_program import TransferParams, transfer
from solders.transaction import Transaction, VersionedTransaction
from solders.transaction_metadata import FailedTransactionMetadata

from . import cloudmesh, compute_budget
from .accounts import AccountHistory, AccountView
from .errors import TxError, describe_instruction_error, from_solders, instruction_error

MAX_PROCESSING_AGE = 150
CONFIRMED_LAG = 1
FINALIZED_LAG = 32
RENT_EPOCH_EXEMPT = 2**64 - 1
UPGRADEABLE_LOADER = Pubkey.from_string("BPFLoaderUpgradeab1e11111111111111111111111")
COMMITMENTS = {
    "processed": "processed", "recent": "processed",
    "confirmed": "confirmed", "single": "confirmed", "singleGossip": "confirmed",
    "finalized": "finalized", "root": "finalized", "max": "finalized",
}


@dataclass
class TxRecord:
    """A transaction that landed in a slot (successfully or not)."""

    signature: str
    slot: int
    err: TxError
    logs: list[str]
    fee: int
    units: int
    pre_balances: list[int]
    post_balances: list[int]
    tx: VersionedTransaction
    block_time: int
    writable: list[str] = field(default_factory=list)
    unit_price: int = 0


@dataclass
class Outcome:
    """The result of running a transaction: landed (recorded in a slot) or not, with err/logs/units."""

    signature: str
    err: TxError
    logs: list[str]
    units: int
    fee: int
    landed: bool
    record: Optional[TxRecord] = None
    accounts_after: dict[str, Optional[AccountView]] = field(default_factory=dict)


class Ledger:
    """All chain state. Not thread-safe: the server drives it from one asyncio loop."""

    def __init__(self, program_ids: list[Pubkey], faucet: Keypair, faucet_lamports: int = 500_000_000 * 10**9) -> None:
        self.svm = LiteSVM().with_sigverify(False).with_blockhash_check(False).with_transaction_history(0)
        self.program_ids = list(program_ids)
        self._program_set = {str(p) for p in program_ids}
        self.faucet = faucet
        self.history = AccountHistory()
        self.txs: dict[str, TxRecord] = {}
        self.slot = 0
        self.genesis_hash = Hash(hashlib.sha256(b"cloudmesh-devnet-genesis" + bytes(faucet.pubkey())).digest())
        self._hash_of: dict[int, Hash] = {}
        self._slot_of: dict[str, int] = {}
        self._slot_time: dict[int, int] = {}
        self.slot_changes: dict[int, set[str]] = {}
        self.slot_fees: dict[int, list[tuple[int, list[str]]]] = {}
        self.tx_listeners: list[Callable[[TxRecord, list[str]], None]] = []
        self.slot_listeners: list[Callable[[int], None]] = []
        self.transaction_count = 0
        self._new_blockhash(0)
        self.svm.set_account(faucet.pubkey(), Account(faucet_lamports, b"", cloudmesh.SYSTEM_PROGRAM, False, RENT_EPOCH_EXEMPT))
        self._record(str(faucet.pubkey()), 0)
        for program in program_ids:
            programdata, _ = Pubkey.find_program_address([bytes(program)], UPGRADEABLE_LOADER)
            view = AccountView(1_141_440, bytes([2, 0, 0, 0]) + bytes(programdata), str(UPGRADEABLE_LOADER), True, RENT_EPOCH_EXEMPT)
            self.history.record(str(program), 0, view, 0)
        # Start past the finalization depth so that every commitment level has its own slot from the start.
        for _ in range(FINALIZED_LAG + 1):
            self.advance_slot()

    # ------------------------------------------------------------ clock and commitment

    def _new_blockhash(self, slot: int) -> None:
        previous = self._hash_of.get(slot - 1, self.genesis_hash)
        h = Hash(hashlib.sha256(bytes(previous) + slot.to_bytes(8, "little")).digest())
        self._hash_of[slot] = h
        self._slot_of[str(h)] = slot
        self._slot_time[slot] = int(time.time())
        old = slot - 2 * MAX_PROCESSING_AGE - FINALIZED_LAG
        if old in self._hash_of:
            self._slot_of.pop(str(self._hash_of.pop(old)), None)

    def advance_slot(self) -> int:
        """Start the next slot (new blockhash) and tell the listeners."""
        self.slot += 1
        self._new_blockhash(self.slot)
        self.svm.warp_to_slot(self.slot)
        for old in [s for s in self.slot_changes if s < self.slot - FINALIZED_LAG - 2]:
            del self.slot_changes[old]
        for old in [s for s in self.slot_fees if s < self.slot - MAX_PROCESSING_AGE - 1]:
            del self.slot_fees[old]
        for listener in self.slot_listeners:
            listener(self.slot)
        return self.slot

    def commitment_slot(self, commitment: Optional[str]) -> int:
        """The slot a read at this commitment sees (default finalized)."""
        level = COMMITMENTS.get(commitment or "finalized")
        if level is None:
            raise ValueError(f"unknown commitment {commitment!r}")
        if level == "processed":
            return self.slot
        if level == "confirmed":
            return max(0, self.slot - CONFIRMED_LAG)
        return max(0, self.slot - FINALIZED_LAG)

    @property
    def finalized_slot(self) -> int:
        """The newest finalized slot."""
        return max(0, self.slot - FINALIZED_LAG)

    def blockhash_at(self, slot: int) -> Hash:
        """The blockhash of a slot."""
        return self._hash_of[slot]

    def blockhash_slot(self, blockhash: str) -> Optional[int]:
        """The slot that produced a blockhash, if it is still remembered."""
        return self._slot_of.get(blockhash)

    def blockhash_valid(self, blockhash: str, at_slot: int) -> bool:
        """Whether a transaction with this blockhash is accepted by the bank at `at_slot`."""
        s = self._slot_of.get(blockhash)
        return s is not None and s <= at_slot and at_slot - s <= MAX_PROCESSING_AGE

    def slot_time(self, slot: int) -> int:
        """Unix time of a slot."""
        return self._slot_time.get(slot, int(time.time()))

    def confirmation_status(self, slot: int) -> str:
        """processed / confirmed / finalized for something that landed in `slot`."""
        if slot <= self.finalized_slot:
            return "finalized"
        if slot <= self.slot - CONFIRMED_LAG:
            return "confirmed"
        return "processed"

    # ------------------------------------------------------------ accounts

    def rent_min(self, size: int) -> int:
        """Rent-exempt minimum for `size` bytes of data."""
        return self.svm.minimum_balance_for_rent_exemption(size)

    def account(self, key: str, slot: int) -> Optional[AccountView]:
        """An account as of a slot (accounts the devnet never touched come from LiteSVM as they are now)."""
        known, view = self.history.at(key, slot)
        if known:
            return view
        try:
            return AccountView.of(self.svm.get_account(Pubkey.from_string(key)))
        except ValueError:
            return None

    def _record(self, key: str, slot: int) -> bool:
        view = AccountView.of(self.svm.get_account(Pubkey.from_string(key)))
        changed = self.history.record(key, slot, view, self.finalized_slot)
        if changed:
            self.slot_changes.setdefault(slot, set()).add(key)
        return changed

    def put_account(self, key: Pubkey, account: Account, backdate: bool = False) -> None:
        """Write an account directly (test helpers). backdate=True makes it visible at every commitment now."""
        self.svm.set_account(key, account)
        view = AccountView.of(account)
        slot = 0 if backdate else self.slot
        if backdate:
            self.history._versions.pop(str(key), None)
        if self.history.record(str(key), slot, view, self.finalized_slot) and not backdate:
            self.slot_changes.setdefault(slot, set()).add(str(key))

    # ------------------------------------------------------------ transactions

    def is_program(self, key: str) -> bool:
        """True for a configured CloudMesh program id."""
        return key in self._program_set

    def process(self, tx: VersionedTransaction, mode: str, verify_signatures: bool = True, blockhash_slot: Optional[int] = None) -> Outcome:
        """Run a transaction.

        mode "simulate": never changes state. "preflight": commit only when it succeeds (a failure returns
        the error and changes nothing, as a preflight rejection does). "commit": land it if it gets past the
        fee stage (a failed instruction still lands and pays the fee; earlier failures are dropped).
        blockhash_slot: the bank slot against which the recent blockhash is checked (default: the tip).
        """
        signature = str(tx.signatures[0]) if tx.signatures else str(Signature.default())
        msg = tx.message

        def dropped(err: TxError, logs: Optional[list[str]] = None) -> Outcome:
            return Outcome(signature, err, logs or [], 0, 0, False)

        if verify_signatures and not all(tx.verify_with_results()):
            return dropped("SignatureFailure")
        if mode != "simulate" and signature in self.txs:
            return dropped("AlreadyProcessed")
        if not self.blockhash_valid(str(msg.recent_blockhash), self.slot if blockhash_slot is None else blockhash_slot):
            return dropped("BlockhashNotFound")
        if getattr(msg, "address_table_lookups", None):
            return dropped("AddressLookupTableNotFound")

        keys = list(msg.account_keys)
        header = msg.header
        n_sig, n_ro_signed, n_ro_unsigned = header.num_required_signatures, header.num_readonly_signed_accounts, header.num_readonly_unsigned_accounts
        program_indexes = {ix.program_id_index for ix in msg.instructions}

        def is_signer(i: int) -> bool:
            return i < n_sig

        def is_writable(i: int) -> bool:
            if i in program_indexes:
                return False
            if i < n_sig:
                return i < n_sig - n_ro_signed
            return i < len(keys) - n_ro_unsigned

        key_strs = [str(k) for k in keys]
        instructions = [(key_strs[ix.program_id_index], bytes(ix.data)) for ix in msg.instructions]
        budget, budget_err = compute_budget.parse(instructions)
        if budget_err is not None or budget is None:
            return dropped(budget_err)
        fee = budget.fee(n_sig)

        # Snapshot every account the transaction names.
        snapshot: dict[str, Optional[Account]] = {k: self.svm.get_account(keys[i]) for i, k in enumerate(key_strs)}
        pre_balances = [(snapshot[k].lamports if snapshot[k] else 0) for k in key_strs]
        payer = snapshot[key_strs[0]]
        if payer is None or payer.lamports == 0:
            return dropped("AccountNotFound")
        if payer.owner != cloudmesh.SYSTEM_PROGRAM or len(payer.data) > 0:
            return dropped("InvalidAccountForFee")
        if payer.lamports < fee:
            return dropped("InsufficientFundsForFee")
        if 0 < payer.lamports - fee < self.rent_min(0):
            return dropped({"InsufficientFundsForRent": {"account_index": 0}})

        def set_lamports(key: Pubkey, delta: int) -> None:
            acct = self.svm.get_account(key)
            assert acct is not None
            self.svm.set_account(key, Account(acct.lamports + delta, bytes(acct.data), acct.owner, acct.executable, acct.rent_epoch))

        def restore() -> None:
            for i, k in enumerate(key_strs):
                now = self.svm.get_account(keys[i])
                before = snapshot[k]
                if now != before:
                    self.svm.set_account(keys[i], before if before is not None else Account(0, b"", cloudmesh.SYSTEM_PROGRAM, False, 0))

        set_lamports(keys[0], -fee)
        logs: list[str] = []
        units = 0
        err: TxError = None
        segment: list[int] = []

        def run_segment() -> TxError:
            nonlocal units
            if not segment:
                return None
            ixs = []
            for index in segment:
                cix = msg.instructions[index]
                metas = [AccountMeta(keys[a], is_signer(a), is_writable(a)) for a in bytes(cix.accounts)]
                ixs.append(Instruction(keys[cix.program_id_index], bytes(cix.data), metas))
            seg_msg = Message.new_with_blockhash(ixs, keys[0], Hash.default())
            expected = seg_msg.header.num_required_signatures * compute_budget.LAMPORTS_PER_SIGNATURE
            set_lamports(keys[0], expected)
            result = self.svm.send_transaction(Transaction.populate(seg_msg, [Signature.default()] * seg_msg.header.num_required_signatures))
            index_map = list(segment)
            segment.clear()
            meta = result.meta() if isinstance(result, FailedTransactionMetadata) else result
            logs.extend(meta.logs())
            units += meta.compute_units_consumed()
            charged = meta.fee() if hasattr(meta, "fee") else expected
            if charged != expected:
                set_lamports(keys[0], charged - expected)
            if isinstance(result, FailedTransactionMetadata):
                return from_solders(result.err(), index_map)
            return None

        for index, cix in enumerate(msg.instructions):
            program = key_strs[cix.program_id_index]
            if program == str(compute_budget.COMPUTE_BUDGET_PROGRAM):
                err = run_segment()
                if err is not None:
                    break
                logs.append(f"Program {program} invoke [1]")
                logs.append(f"Program {program} success")
                units += 150
                continue
            if not self.is_program(program):
                segment.append(index)
                continue
            err = run_segment()
            if err is not None:
                break
            err, used = self._run_cloudmesh(index, cix, keys, key_strs, is_signer, is_writable, logs, budget.unit_limit - units)
            units += used
            if err is not None:
                break
        if err is None:
            err = run_segment()
        if err is None:
            err = self._rent_check(keys, key_strs, snapshot, is_writable)

        writable = [k for i, k in enumerate(key_strs) if is_writable(i)]
        if mode == "simulate" or (mode == "preflight" and err is not None):
            after = {k: AccountView.of(self.svm.get_account(keys[i])) for i, k in enumerate(key_strs)}
            restore()
            return Outcome(signature, err, logs, units, fee, False, accounts_after=after)
        if err is not None:
            restore()
            set_lamports(keys[0], -fee)
        post_balances = [(a.lamports if (a := self.svm.get_account(keys[i])) else 0) for i in range(len(keys))]
        record = TxRecord(signature, self.slot, err, logs, fee, units, pre_balances, post_balances, tx, self.slot_time(self.slot), writable, budget.unit_price)
        self.txs[signature] = record
        self.transaction_count += 1
        self.slot_fees.setdefault(self.slot, []).append((budget.unit_price, writable))
        changed = [k for k in key_strs if self._record(k, self.slot)]
        for listener in self.tx_listeners:
            listener(record, changed)
        return Outcome(signature, err, logs, units, fee, True, record)

    def _run_cloudmesh(self, index, cix, keys, key_strs, is_signer, is_writable, logs, remaining) -> tuple[TxError, int]:
        program = keys[cix.program_id_index]
        metas = [cloudmesh.Meta(keys[a], is_signer(a), is_writable(a)) for a in bytes(cix.accounts)]
        logs.append(f"Program {program} invoke [1]")
        ctx = cloudmesh.InvokeContext(
            program, metas, bytes(cix.data), self.svm.get_account, self.svm.set_account,
            self.slot_time(self.slot), self.rent_min, logs.append,
        )
        inner, used = cloudmesh.execute(ctx)
        if used > remaining:
            logs.append(f"Program {program} consumed {remaining} of {remaining} compute units")
            logs.append(f"Program {program} failed: exceeded CUs meter at BPF instruction #{used % 997}")
            return instruction_error(index, "ComputationalBudgetExceeded"), remaining
        logs.append(f"Program {program} consumed {used} of {remaining} compute units")
        if inner is None:
            logs.append(f"Program {program} success")
            return None, used
        if not (isinstance(inner, str) and inner == "ProgramFailedToComplete"):
            logs.append(f"Program {program} failed: {describe_instruction_error(inner)}")
        return instruction_error(index, inner), used

    def _rent_check(self, keys, key_strs, snapshot, is_writable) -> TxError:
        for i, k in enumerate(key_strs):
            if not is_writable(i):
                continue
            post = self.svm.get_account(keys[i])
            if post is None or post.lamports == 0:
                continue
            minimum = self.rent_min(len(post.data))
            if post.lamports >= minimum:
                continue
            pre = snapshot[k]
            if pre is not None and 0 < pre.lamports < self.rent_min(len(pre.data)) and len(pre.data) == len(post.data) and post.lamports <= pre.lamports:
                continue
            return {"InsufficientFundsForRent": {"account_index": i}}
        return None

    # ------------------------------------------------------------ helpers

    def sign_and_process(self, instructions: list[Instruction], signers: list[Keypair], mode: str = "commit") -> Outcome:
        """Build a legacy transaction with the tip blockhash, sign it and process it."""
        msg = Message.new_with_blockhash(instructions, signers[0].pubkey(), self.blockhash_at(self.slot))
        tx = VersionedTransaction(msg, signers)
        return self.process(tx, mode)

    def airdrop(self, to: Pubkey, lamports: int) -> Outcome:
        """A real transfer from the faucet (what requestAirdrop does on a test validator)."""
        return self.sign_and_process([transfer(TransferParams(from_pubkey=self.faucet.pubkey(), to_pubkey=to, lamports=lamports))], [self.faucet])
