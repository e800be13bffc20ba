"""Transaction errors in the JSON form a Solana node returns (`"BlockhashNotFound"`,
`{"InstructionError": [1, {"Custom": 6003}]}`), with the text a node puts in error messages."""

from __future__ import annotations

import re
from typing import Any

import solders.transaction_status as ts

TxError = Any  # a str, or a one-key dict, exactly as it appears in JSON

_TX_MESSAGES = {
    "AccountInUse": "Account in use",
    "AccountLoadedTwice": "Account loaded twice",
    "AccountNotFound": "Attempt to debit an account but found no record of a prior credit.",
    "ProgramAccountNotFound": "Attempt to load a program that does not exist",
    "InsufficientFundsForFee": "Insufficient funds for fee",
    "InvalidAccountForFee": "This account may not be used to pay transaction fees",
    "AlreadyProcessed": "This transaction has already been processed",
    "BlockhashNotFound": "Blockhash not found",
    "SignatureFailure": "Transaction did not pass signature verification",
    "InvalidProgramForExecution": "Attempt to load a program that does not exist",
    "SanitizeFailure": "Transaction failed to sanitize accounts offsets correctly",
    "AddressLookupTableNotFound": "Transaction loads an address table account that doesn't exist",
    "UnsupportedVersion": "Transaction version is unsupported",
    "InvalidAccountIndex": "Transaction contains an invalid account reference",
}

_IX_MESSAGES = {
    "GenericError": "generic instruction error",
    "InvalidArgument": "invalid program argument",
    "InvalidInstructionData": "invalid instruction data",
    "InvalidAccountData": "invalid account data for instruction",
    "AccountDataTooSmall": "account data too small for instruction",
    "InsufficientFunds": "insufficient funds for instruction",
    "IncorrectProgramId": "incorrect program id for instruction",
    "MissingRequiredSignature": "missing required signature for instruction",
    "AccountAlreadyInitialized": "instruction requires an uninitialized account",
    "UninitializedAccount": "instruction requires an initialized account",
    "NotEnoughAccountKeys": "insufficient account keys for instruction",
    "ProgramFailedToComplete": "Program failed to complete",
    "ComputationalBudgetExceeded": "Computational budget exceeded",
    "PrivilegeEscalation": "Cross-program invocation with unauthorized signer or writable account",
    "UnsupportedProgramId": "Unsupported program id",
    "InvalidAccountOwner": "Invalid account owner",
    "ExternalAccountLamportSpend": "instruction spent from the balance of an account it does not own",
    "UnbalancedInstruction": "sum of account balances before and after instruction do not match",
    "ReadonlyLamportChange": "instruction changed the balance of a read-only account",
    "ReadonlyDataModified": "instruction modified data of a read-only account",
}


def _words(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", " ", name).lower()


def describe_instruction_error(err: Any) -> str:
    """The Display text of an InstructionError value."""
    if isinstance(err, dict):
        if "Custom" in err:
            return f"custom program error: 0x{err['Custom']:x}"
        if "BorshIoError" in err:
            return f"Failed to serialize or deserialize account data: {err['BorshIoError']}"
        return str(err)
    return _IX_MESSAGES.get(err, _words(str(err)))


def describe(err: TxError) -> str:
    """The Display text of a TransactionError value, as used in RPC error messages."""
    if isinstance(err, dict):
        if "InstructionError" in err:
            index, inner = err["InstructionError"]
            return f"Error processing Instruction {index}: {describe_instruction_error(inner)}"
        if "DuplicateInstruction" in err:
            return f"Transaction contains a duplicate instruction ({err['DuplicateInstruction']}) that is not allowed"
        if "InsufficientFundsForRent" in err:
            idx = err["InsufficientFundsForRent"]["account_index"]
            return f"Transaction results in an account ({idx}) with insufficient funds for rent"
        return str(err)
    return _TX_MESSAGES.get(err, _words(str(err)))


def instruction_error(index: int, inner: Any) -> TxError:
    """`{"InstructionError": [index, inner]}`."""
    return {"InstructionError": [index, inner]}


def _enum_name(value: Any) -> str:
    return str(value).rsplit(".", 1)[-1]


def from_solders(err: Any, index_map: list[int] | None = None) -> TxError:
    """Convert a LiteSVM/solders TransactionError into JSON form, remapping instruction indexes."""
    if isinstance(err, ts.TransactionErrorInstructionError):
        index = err.index
        if index_map is not None and 0 <= index < len(index_map):
            index = index_map[index]
        inner = err.err
        if isinstance(inner, ts.InstructionErrorCustom):
            value: Any = {"Custom": inner.code}
        elif isinstance(inner, ts.InstructionErrorBorshIO):
            value = {"BorshIoError": str(getattr(inner, "value", ""))}
        else:
            value = _enum_name(inner)
        return instruction_error(index, value)
    if isinstance(err, ts.TransactionErrorDuplicateInstruction):
        index = err.index
        if index_map is not None and 0 <= index < len(index_map):
            index = index_map[index]
        return {"DuplicateInstruction": index}
    if isinstance(err, ts.TransactionErrorInsufficientFundsForRent):
        return {"InsufficientFundsForRent": {"account_index": err.account_index}}
    return _enum_name(err)
