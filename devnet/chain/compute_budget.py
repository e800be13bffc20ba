"""ComputeBudget instructions and the fee a validator charges (5000 lamports per signature plus the
priority fee ceil(compute-unit price × compute-unit limit / 1e6))."""

from __future__ import annotations

import struct
from dataclasses import dataclass

from solders.pubkey import Pubkey

from .errors import TxError, instruction_error

COMPUTE_BUDGET_PROGRAM = Pubkey.from_string("ComputeBudget111111111111111111111111111111")
LAMPORTS_PER_SIGNATURE = 5000
MAX_COMPUTE_UNIT_LIMIT = 1_400_000
DEFAULT_INSTRUCTION_LIMIT = 200_000
BUILTIN_INSTRUCTION_LIMIT = 3_000
BUILTIN_PROGRAMS = {
    str(COMPUTE_BUDGET_PROGRAM),
    "11111111111111111111111111111111",
    "AddressLookupTab1e1111111111111111111111111",
    "Stake11111111111111111111111111111111111111",
    "Vote111111111111111111111111111111111111111",
    "Config1111111111111111111111111111111111111",
    "BPFLoaderUpgradeab1e11111111111111111111111",
    "BPFLoader2111111111111111111111111111111111",
    "Ed25519SigVerify111111111111111111111111111",
    "KeccakSecp256k11111111111111111111111111111",
}


@dataclass
class ComputeBudget:
    """The limits a transaction asked for."""

    unit_limit: int
    unit_price: int  # micro-lamports per compute unit
    explicit_limit: bool

    def fee(self, num_signatures: int) -> int:
        """Total fee in lamports."""
        priority = (self.unit_price * self.unit_limit + 999_999) // 1_000_000
        return num_signatures * LAMPORTS_PER_SIGNATURE + priority


def parse(instructions: list[tuple[str, bytes]]) -> tuple[ComputeBudget | None, TxError | None]:
    """Read the ComputeBudget instructions from (program id, data) pairs.

    Returns (budget, None) or (None, error) for malformed or duplicated instructions, as a validator does.
    """
    limit = price = heap = loaded = None
    seen: dict[int, int] = {}
    other_units = 0
    for index, (program, data) in enumerate(instructions):
        if program != str(COMPUTE_BUDGET_PROGRAM):
            other_units += BUILTIN_INSTRUCTION_LIMIT if program in BUILTIN_PROGRAMS else DEFAULT_INSTRUCTION_LIMIT
            continue
        other_units += BUILTIN_INSTRUCTION_LIMIT
        tag = data[0] if data else -1
        sizes = {1: 5, 2: 5, 3: 9, 4: 5}
        if tag not in sizes or len(data) != sizes[tag]:
            return None, instruction_error(index, "InvalidInstructionData")
        if tag in seen:
            return None, {"DuplicateInstruction": index}
        seen[tag] = index
        if tag == 1:
            heap = struct.unpack("<I", data[1:])[0]
            if heap % 1024 or not 32 * 1024 <= heap <= 256 * 1024:
                return None, instruction_error(index, "InvalidInstructionData")
        elif tag == 2:
            limit = struct.unpack("<I", data[1:])[0]
        elif tag == 3:
            price = struct.unpack("<Q", data[1:])[0]
        elif tag == 4:
            loaded = struct.unpack("<I", data[1:])[0]
            if loaded == 0:
                return None, "InvalidLoadedAccountsDataSizeLimit"
    explicit = limit is not None
    unit_limit = min(limit if explicit else other_units, MAX_COMPUTE_UNIT_LIMIT)
    return ComputeBudget(unit_limit, price or 0, explicit), None
