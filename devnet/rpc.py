"""Solana JSON-RPC over HTTP: the methods, their params and their response shapes."""

from __future__ import annotations

import base64
import binascii
import traceback
from typing import Any, Callable, Optional

from solders.hash import Hash
from solders.message import Message, MessageV0
from solders.pubkey import Pubkey
from solders.transaction import VersionedTransaction

from .base58 import b58decode, b58encode
from .chain.accounts import AccountView
from .chain.errors import describe
from .chain.ledger import COMMITMENTS, MAX_PROCESSING_AGE, Ledger, Outcome
from .faults import Faults

SOLANA_CORE_VERSION = "2.2.0"
FEATURE_SET = 3294202862
API_VERSION = SOLANA_CORE_VERSION
MAX_TX_SIZE = 1232
SLOTS_PER_EPOCH = 432_000


class RpcError(Exception):
    """A JSON-RPC error object."""

    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(message)
        self.code, self.message, self.data = code, message, data

    def to_json(self) -> dict:
        """The `error` member."""
        out: dict = {"code": self.code, "message": self.message}
        if self.data is not None:
            out["data"] = self.data
        return out


def invalid_params(detail: str) -> RpcError:
    """-32602 Invalid params."""
    return RpcError(-32602, f"Invalid params: {detail}")


def _pubkey(value: Any) -> Pubkey:
    if not isinstance(value, str):
        raise invalid_params("Invalid")
    try:
        return Pubkey.from_string(value)
    except ValueError:
        raise invalid_params("Invalid") from None


def _param(params: list, index: int, required: bool = True) -> Any:
    if index < len(params):
        return params[index]
    if required:
        raise invalid_params(f"missing parameter {index}")
    return None


def _config(params: list, index: int) -> dict:
    value = params[index] if index < len(params) else None
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise invalid_params("config must be an object")
    return value


def _data_slice(cfg: dict) -> Optional[tuple[int, int]]:
    ds = cfg.get("dataSlice")
    if ds is None:
        return None
    try:
        offset, length = int(ds["offset"]), int(ds["length"])
    except (KeyError, TypeError, ValueError):
        raise invalid_params("invalid dataSlice") from None
    if offset < 0 or length < 0:
        raise invalid_params("invalid dataSlice")
    return offset, length


def _encoding(cfg: dict, default: str = "binary") -> str:
    enc = cfg.get("encoding", default) or default
    if enc not in ("binary", "base58", "base64", "jsonParsed", "base64+zstd"):
        raise invalid_params(f"unknown variant `{enc}`, expected one of `binary`, `base58`, `base64`, `jsonParsed`, `base64+zstd`")
    if enc == "base64+zstd":
        raise invalid_params("base64+zstd encoding is not supported by this devnet")
    return enc


def _check_base58_size(view: Optional[AccountView], enc: str, ds: Optional[tuple[int, int]]) -> None:
    if view is None or enc not in ("binary", "base58"):
        return
    size = len(view.data) if ds is None else max(0, min(ds[1], len(view.data) - ds[0]))
    if size > 128:
        raise RpcError(-32600, "Encoded binary (base 58) data should be less than 128 bytes, please use Base64 encoding.")


def parse_filters(raw: Any) -> list[Callable[[bytes], bool]]:
    """getProgramAccounts/programSubscribe filters (dataSize, memcmp) as predicates on account data."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise invalid_params("filters must be an array")
    if len(raw) > 4:
        raise invalid_params("Too many filters provided; max 4")
    out: list[Callable[[bytes], bool]] = []
    for f in raw:
        if not isinstance(f, dict) or len(f) != 1:
            raise invalid_params("invalid filter")
        if "dataSize" in f:
            size = f["dataSize"]
            if not isinstance(size, int) or size < 0:
                raise invalid_params("invalid dataSize filter")
            out.append(lambda d, size=size: len(d) == size)
        elif "memcmp" in f:
            m = f["memcmp"]
            try:
                offset = int(m["offset"])
                enc = m.get("encoding", "base58")
                text = m["bytes"]
                if enc == "base58":
                    if len(text) > 175:
                        raise invalid_params("Encoded binary (base 58) data should be less than 128 bytes, please use Base64 encoding.")
                    needle = b58decode(text)
                elif enc == "base64":
                    needle = base64.b64decode(text, validate=True)
                else:
                    raise invalid_params(f"unknown memcmp encoding {enc}")
            except RpcError:
                raise
            except (KeyError, TypeError, ValueError, binascii.Error):
                raise invalid_params("invalid memcmp filter") from None
            if len(needle) > 128:
                raise invalid_params("memcmp bytes longer than 128")
            out.append(lambda d, o=offset, n=needle: d[o : o + len(n)] == n)
        elif "tokenAccountState" in f:
            raise invalid_params("tokenAccountState filter is not supported by this devnet")
        else:
            raise invalid_params("invalid filter")
    return out


def decode_transaction(text: Any, encoding: str) -> VersionedTransaction:
    """Decode a wire transaction as sendTransaction/simulateTransaction receive it."""
    if not isinstance(text, str):
        raise invalid_params("transaction must be a string")
    if encoding == "base58":
        if len(text) > 1683:
            raise invalid_params(f"base58 encoded solana_transaction::versioned::VersionedTransaction too large: {len(text)} bytes (max: encoded/raw 1683/{MAX_TX_SIZE})")
        try:
            raw = b58decode(text)
        except ValueError as exc:
            raise invalid_params(f"invalid base58 encoding: {exc}") from None
    elif encoding == "base64":
        if len(text) > 1644:
            raise invalid_params(f"base64 encoded solana_transaction::versioned::VersionedTransaction too large: {len(text)} bytes (max: encoded/raw 1644/{MAX_TX_SIZE})")
        try:
            raw = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise invalid_params(f"invalid base64 encoding: {exc}") from None
    else:
        raise invalid_params(f"unsupported encoding: {encoding}. Supported encodings: base58, base64")
    if len(raw) > MAX_TX_SIZE:
        raise invalid_params(f"decoded solana_transaction::versioned::VersionedTransaction too large: {len(raw)} bytes (max: {MAX_TX_SIZE} bytes)")
    try:
        tx = VersionedTransaction.from_bytes(raw)
    except Exception as exc:  # solders raises its own error types
        raise invalid_params(f"failed to deserialize solana_transaction::versioned::VersionedTransaction: {exc}") from None
    try:
        tx.sanitize()
    except Exception as exc:
        raise invalid_params(f"invalid transaction: {exc}") from None
    if len(tx.signatures) != tx.message.header.num_required_signatures:
        raise invalid_params("invalid transaction: Transaction failed to sanitize accounts offsets correctly")
    return tx


def simulation_value(outcome: Outcome, accounts: Any = None, replacement: Any = None) -> dict:
    """The RpcSimulateTransactionResult object."""
    return {
        "err": outcome.err,
        "logs": outcome.logs,
        "accounts": accounts,
        "unitsConsumed": outcome.units,
        "returnData": None,
        "innerInstructions": None,
        "replacementBlockhash": replacement,
        "loadedAccountsDataSize": 0,
    }


class RpcMethods:
    """Dispatches JSON-RPC calls to the ledger."""

    def __init__(self, ledger: Ledger, faults: Faults, identity: str) -> None:
        self.ledger, self.faults, self.identity = ledger, faults, identity
        self.received_listeners: list[Callable[[str], None]] = []

    # ------------------------------------------------------------ plumbing

    def handle(self, request: Any) -> Optional[dict]:
        """One request object → one response object (None for a notification)."""
        if not isinstance(request, dict) or request.get("jsonrpc") != "2.0" or not isinstance(request.get("method"), str):
            return {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid request"}, "id": request.get("id") if isinstance(request, dict) else None}
        rid = request.get("id")
        params = request.get("params", [])
        if params is None:
            params = []
        method = getattr(self, "m_" + request["method"], None)
        try:
            if method is None:
                raise RpcError(-32601, "Method not found")
            if not isinstance(params, list):
                raise invalid_params("params must be an array")
            result = method(params)
        except RpcError as err:
            return {"jsonrpc": "2.0", "error": err.to_json(), "id": rid}
        except Exception as exc:  # a bug must not take the server down
            traceback.print_exc()
            return {"jsonrpc": "2.0", "error": {"code": -32603, "message": f"Internal error: {exc}"}, "id": rid}
        if "id" not in request:
            return None
        return {"jsonrpc": "2.0", "result": result, "id": rid}

    def _slot(self, cfg: dict) -> int:
        commitment = cfg.get("commitment")
        if commitment is not None and commitment not in COMMITMENTS:
            raise invalid_params(f"unknown variant `{commitment}`, expected one of `processed`, `confirmed`, `finalized`")
        slot = self.ledger.commitment_slot(commitment)
        mcs = cfg.get("minContextSlot")
        if mcs is not None and slot < int(mcs):
            raise RpcError(-32016, "Minimum context slot has not been reached", {"contextSlot": slot})
        return slot

    @staticmethod
    def _ctx(slot: int, value: Any) -> dict:
        return {"context": {"apiVersion": API_VERSION, "slot": slot}, "value": value}

    # ------------------------------------------------------------ cluster

    def m_getVersion(self, params: list) -> dict:
        return {"feature-set": FEATURE_SET, "solana-core": SOLANA_CORE_VERSION}

    def m_getHealth(self, params: list) -> str:
        return "ok"

    def m_getIdentity(self, params: list) -> dict:
        return {"identity": self.identity}

    def m_getGenesisHash(self, params: list) -> str:
        return str(self.ledger.genesis_hash)

    def m_getSlot(self, params: list) -> int:
        return self._slot(_config(params, 0))

    def m_getBlockHeight(self, params: list) -> int:
        return self._slot(_config(params, 0))

    def m_getTransactionCount(self, params: list) -> int:
        self._slot(_config(params, 0))
        return self.ledger.transaction_count

    def m_getFirstAvailableBlock(self, params: list) -> int:
        return 0

    def m_minimumLedgerSlot(self, params: list) -> int:
        return 0

    def m_getEpochInfo(self, params: list) -> dict:
        slot = self._slot(_config(params, 0))
        return {
            "absoluteSlot": slot,
            "blockHeight": slot,
            "epoch": slot // SLOTS_PER_EPOCH,
            "slotIndex": slot % SLOTS_PER_EPOCH,
            "slotsInEpoch": SLOTS_PER_EPOCH,
            "transactionCount": self.ledger.transaction_count,
        }

    # ------------------------------------------------------------ blockhash and fees

    def m_getLatestBlockhash(self, params: list) -> dict:
        slot = self._slot(_config(params, 0))
        return self._ctx(slot, {"blockhash": str(self.ledger.blockhash_at(slot)), "lastValidBlockHeight": slot + MAX_PROCESSING_AGE})

    def m_isBlockhashValid(self, params: list) -> dict:
        text = _param(params, 0)
        try:
            Hash.from_string(text)
        except (ValueError, TypeError):
            raise invalid_params("Invalid") from None
        slot = self._slot(_config(params, 1))
        return self._ctx(slot, self.ledger.blockhash_valid(text, slot))

    def m_getFeeForMessage(self, params: list) -> dict:
        text = _param(params, 0)
        slot = self._slot(_config(params, 1))
        try:
            raw = base64.b64decode(text, validate=True)
            msg: Any = MessageV0.from_bytes(raw[1:]) if raw and raw[0] & 0x80 else Message.from_bytes(raw)
        except Exception:
            raise invalid_params("invalid message") from None
        from .chain import compute_budget

        keys = [str(k) for k in msg.account_keys]
        budget, err = compute_budget.parse([(keys[ix.program_id_index], bytes(ix.data)) for ix in msg.instructions])
        if err is not None or budget is None or not self.ledger.blockhash_valid(str(msg.recent_blockhash), slot):
            return self._ctx(slot, None)
        return self._ctx(slot, budget.fee(msg.header.num_required_signatures))

    def m_getRecentPrioritizationFees(self, params: list) -> list:
        accounts = _param(params, 0, required=False) or []
        if not isinstance(accounts, list) or len(accounts) > 128:
            raise invalid_params("Too many inputs provided; max 128")
        wanted = {str(_pubkey(a)) for a in accounts}
        tip = self.ledger.slot
        out = []
        for slot in range(max(0, tip - MAX_PROCESSING_AGE + 1), tip + 1):
            fees = [price for price, writable in self.ledger.slot_fees.get(slot, []) if not wanted or wanted.intersection(writable)]
            out.append({"slot": slot, "prioritizationFee": min(fees) if fees else 0})
        return out

    def m_getMinimumBalanceForRentExemption(self, params: list) -> int:
        size = _param(params, 0)
        if not isinstance(size, int) or size < 0:
            raise invalid_params("Invalid")
        self._slot(_config(params, 1))
        return self.ledger.rent_min(size)

    # ------------------------------------------------------------ accounts

    def m_getBalance(self, params: list) -> dict:
        key = str(_pubkey(_param(params, 0)))
        slot = self._slot(_config(params, 1))
        view = self.ledger.account(key, slot)
        return self._ctx(slot, view.lamports if view else 0)

    def m_getAccountInfo(self, params: list) -> dict:
        key = str(_pubkey(_param(params, 0)))
        cfg = _config(params, 1)
        slot, enc, ds = self._slot(cfg), _encoding(cfg), _data_slice(cfg)
        view = self.ledger.account(key, slot)
        _check_base58_size(view, enc, ds)
        return self._ctx(slot, view.to_json(enc, ds) if view else None)

    def m_getMultipleAccounts(self, params: list) -> dict:
        keys = _param(params, 0)
        if not isinstance(keys, list):
            raise invalid_params("expected an array of pubkeys")
        if len(keys) > 100:
            raise invalid_params("Too many inputs provided; max 100")
        keys = [str(_pubkey(k)) for k in keys]
        cfg = _config(params, 1)
        slot, enc, ds = self._slot(cfg), _encoding(cfg, "base64"), _data_slice(cfg)
        views = [self.ledger.account(k, slot) for k in keys]
        for v in views:
            _check_base58_size(v, enc, ds)
        return self._ctx(slot, [v.to_json(enc, ds) if v else None for v in views])

    def m_getProgramAccounts(self, params: list) -> Any:
        program = str(_pubkey(_param(params, 0)))
        cfg = _config(params, 1)
        slot, enc, ds = self._slot(cfg), _encoding(cfg), _data_slice(cfg)
        filters = parse_filters(cfg.get("filters"))
        out = []
        for key, view in sorted(self.ledger.history.owned_by(program, slot)):
            if all(f(view.data) for f in filters):
                _check_base58_size(view, enc, ds)
                out.append({"account": view.to_json(enc, ds), "pubkey": key})
        if cfg.get("withContext"):
            return self._ctx(slot, out)
        return out

    # ------------------------------------------------------------ transactions

    def m_requestAirdrop(self, params: list) -> str:
        to = _pubkey(_param(params, 0))
        lamports = _param(params, 1)
        if not isinstance(lamports, int) or lamports <= 0:
            raise invalid_params("lamports must be a positive integer")
        self._slot(_config(params, 2))
        outcome = self.ledger.airdrop(to, lamports)
        if not outcome.landed:
            raise RpcError(-32600, f"airdrop request failed: {describe(outcome.err)}")
        return outcome.signature

    def m_sendTransaction(self, params: list) -> str:
        cfg = _config(params, 1)
        tx = decode_transaction(_param(params, 0), cfg.get("encoding", "base58") or "base58")
        signature = str(tx.signatures[0])
        for listener in self.received_listeners:
            listener(signature)
        if self.faults.drop_transactions > 0:
            self.faults.drop_transactions -= 1
            return signature
        if cfg.get("skipPreflight"):
            self.ledger.process(tx, "commit")
            return signature
        pf_cfg = {"commitment": cfg.get("preflightCommitment") or "finalized", "minContextSlot": cfg.get("minContextSlot")}
        pf_slot = self._slot(pf_cfg)
        if not all(tx.verify_with_results()):
            raise RpcError(-32003, "Transaction signature verification failure")
        if not self.ledger.blockhash_valid(str(tx.message.recent_blockhash), pf_slot):
            self._preflight_failure(Outcome(signature, "BlockhashNotFound", [], 0, 0, False))
        outcome = self.ledger.process(tx, "preflight")
        if outcome.err is not None and outcome.err != "BlockhashNotFound":
            self._preflight_failure(outcome)
        return signature

    @staticmethod
    def _preflight_failure(outcome: Outcome) -> None:
        raise RpcError(-32002, f"Transaction simulation failed: {describe(outcome.err)}", simulation_value(outcome))

    def m_simulateTransaction(self, params: list) -> dict:
        cfg = _config(params, 1)
        tx = decode_transaction(_param(params, 0), cfg.get("encoding", "base58") or "base58")
        slot = self._slot(cfg)
        sig_verify, replace = bool(cfg.get("sigVerify")), bool(cfg.get("replaceRecentBlockhash"))
        if sig_verify and replace:
            raise invalid_params("sigVerify may not be used with replaceRecentBlockhash")
        if sig_verify and not all(tx.verify_with_results()):
            raise RpcError(-32003, "Transaction signature verification failure")
        replacement = None
        if replace:
            blockhash = self.ledger.blockhash_at(slot)
            raw = bytearray(bytes(tx.message))
            versioned = bool(raw[0] & 0x80)
            pos = 4 if versioned else 3
            n, shift = 0, 0
            while True:
                b = raw[pos]
                pos += 1
                n |= (b & 0x7F) << shift
                shift += 7
                if not b & 0x80:
                    break
            pos += 32 * n
            raw[pos : pos + 32] = bytes(blockhash)
            msg: Any = MessageV0.from_bytes(bytes(raw[1:])) if versioned else Message.from_bytes(bytes(raw))
            tx = VersionedTransaction.populate(msg, list(tx.signatures))
            replacement = {"blockhash": str(blockhash), "lastValidBlockHeight": slot + MAX_PROCESSING_AGE}
        outcome = self.ledger.process(tx, "simulate", verify_signatures=False, blockhash_slot=max(slot, self.ledger.slot) if replace else slot)
        accounts = None
        acfg = cfg.get("accounts")
        if isinstance(acfg, dict):
            enc = _encoding(acfg, "base64")
            accounts = []
            for addr in acfg.get("addresses", []):
                key = str(_pubkey(addr))
                view = outcome.accounts_after[key] if key in outcome.accounts_after else self.ledger.account(key, self.ledger.slot)
                accounts.append(view.to_json(enc) if view else None)
        return self._ctx(slot, simulation_value(outcome, accounts, replacement))

    def m_getSignatureStatuses(self, params: list) -> dict:
        sigs = _param(params, 0)
        if not isinstance(sigs, list):
            raise invalid_params("expected an array of signatures")
        if len(sigs) > 256:
            raise invalid_params("Too many inputs provided; max 256")
        out = []
        for sig in sigs:
            record = self.ledger.txs.get(sig) if isinstance(sig, str) else None
            if record is None:
                out.append(None)
                continue
            status = self.ledger.confirmation_status(record.slot)
            out.append({
                "confirmationStatus": status,
                "confirmations": None if status == "finalized" else self.ledger.slot - record.slot,
                "err": record.err,
                "slot": record.slot,
                "status": {"Ok": None} if record.err is None else {"Err": record.err},
            })
        return self._ctx(self.ledger.slot, out)

    def m_getTransaction(self, params: list) -> Optional[dict]:
        sig = _param(params, 0)
        cfg = params[1] if len(params) > 1 and isinstance(params[1], dict) else {}
        encoding = (params[1] if len(params) > 1 and isinstance(params[1], str) else cfg.get("encoding")) or "json"
        commitment = cfg.get("commitment") or "finalized"
        if COMMITMENTS.get(commitment) == "processed":
            raise invalid_params("Method does not support commitment below `confirmed`")
        slot = self._slot({"commitment": commitment})
        self._require_history()
        record = self.ledger.txs.get(sig) if isinstance(sig, str) else None
        if record is None or record.slot > slot:
            return None
        tx = record.tx
        version = tx.version()
        legacy = str(version).endswith("Legacy")
        max_version = cfg.get("maxSupportedTransactionVersion")
        if not legacy and max_version is None:
            raise RpcError(-32015, 'Transaction version (0) is not supported by the requesting client. Please try the request again with the following configuration parameter: "maxSupportedTransactionVersion": 0')
        if encoding in ("base64", "base58"):
            raw = bytes(tx)
            tx_json: Any = [base64.b64encode(raw).decode() if encoding == "base64" else b58encode(raw), encoding]
        elif encoding in ("json", "jsonParsed"):
            msg = tx.message
            h = msg.header
            message = {
                "accountKeys": [str(k) for k in msg.account_keys],
                "header": {
                    "numReadonlySignedAccounts": h.num_readonly_signed_accounts,
                    "numReadonlyUnsignedAccounts": h.num_readonly_unsigned_accounts,
                    "numRequiredSignatures": h.num_required_signatures,
                },
                "instructions": [
                    {"accounts": list(bytes(ix.accounts)), "data": b58encode(bytes(ix.data)), "programIdIndex": ix.program_id_index, "stackHeight": None}
                    for ix in msg.instructions
                ],
                "recentBlockhash": str(msg.recent_blockhash),
            }
            if not legacy:
                message["addressTableLookups"] = []
            tx_json = {"message": message, "signatures": [str(s) for s in tx.signatures]}
        else:
            raise invalid_params(f"unsupported encoding {encoding}")
        meta = {
            "computeUnitsConsumed": record.units,
            "err": record.err,
            "fee": record.fee,
            "innerInstructions": [],
            "loadedAddresses": {"readonly": [], "writable": []},
            "logMessages": record.logs,
            "postBalances": record.post_balances,
            "postTokenBalances": [],
            "preBalances": record.pre_balances,
            "preTokenBalances": [],
            "rewards": [],
            "status": {"Ok": None} if record.err is None else {"Err": record.err},
        }
        out = {"blockTime": record.block_time, "meta": meta, "slot": record.slot, "transaction": tx_json}
        if max_version is not None:
            out["version"] = "legacy" if legacy else 0
        return out

    def _require_history(self) -> None:
        if self.faults.no_history:
            raise RpcError(-32011, "Transaction history is not available from this node")

    def m_getSignaturesForAddress(self, params: list) -> list:
        """Newest first, failed transactions included, like a validator with transaction history: `before`
        (exclusive; an unknown one finds nothing), `until` (exclusive; an unknown one is passed over, back to the
        oldest), `limit` (1 to 1000), `commitment` (confirmed or finalized), `minContextSlot`."""
        key = str(_pubkey(_param(params, 0)))
        cfg = _config(params, 1)
        commitment = cfg.get("commitment") or "finalized"
        if COMMITMENTS.get(commitment) == "processed":
            raise invalid_params("Method does not support commitment below `confirmed`")
        slot = self._slot({"commitment": commitment, "minContextSlot": cfg.get("minContextSlot")})
        self._require_history()
        raw_limit = cfg.get("limit")
        if raw_limit is None:
            limit = 1000
        elif not isinstance(raw_limit, int) or isinstance(raw_limit, bool) or not 1 <= raw_limit <= 1000:
            raise invalid_params("Invalid limit; max 1000")
        else:
            limit = raw_limit
        before, until = cfg.get("before"), cfg.get("until")
        for name, value in (("before", before), ("until", until)):
            if value is not None and not _is_signature(value):
                raise invalid_params(f"Invalid param: {name} is not a signature")
        if before is not None and before not in self.ledger.txs:
            return []
        out = []
        started = before is None
        for record in reversed(self.ledger.txs.values()):
            if not started:
                started = record.signature == before
                continue
            if record.signature == until:
                break
            if record.slot > slot or key not in {str(k) for k in record.tx.message.account_keys}:
                continue
            status = self.ledger.confirmation_status(record.slot)
            out.append({"blockTime": record.block_time, "confirmationStatus": status, "err": record.err, "memo": None, "signature": record.signature, "slot": record.slot})
            if len(out) >= limit:
                break
        return out


def _is_signature(value: Any) -> bool:
    """True for base58 text of 64 bytes."""
    if not isinstance(value, str):
        return False
    try:
        return len(b58decode(value)) == 64
    except ValueError:
        return False
