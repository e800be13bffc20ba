"""Account versions by slot, so reads at `confirmed` and `finalized` see the state of older slots."""

from __future__ import annotations

import base64
from typing import Iterator, Optional

from solders.account import Account

from ..base58 import b58encode


class AccountView:
    """An immutable account snapshot (lamports, data, owner, executable, rent epoch) with cached encodings."""

    __slots__ = ("lamports", "data", "owner", "executable", "rent_epoch", "_b64")

    def __init__(self, lamports: int, data: bytes, owner: str, executable: bool, rent_epoch: int) -> None:
        self.lamports, self.data, self.owner = lamports, data, owner
        self.executable, self.rent_epoch = executable, rent_epoch
        self._b64: Optional[str] = None

    @staticmethod
    def of(account: Optional[Account]) -> Optional["AccountView"]:
        """Snapshot a solders Account (None or zero lamports means the account does not exist)."""
        if account is None or account.lamports == 0:
            return None
        return AccountView(account.lamports, bytes(account.data), str(account.owner), account.executable, account.rent_epoch)

    def same_as(self, other: Optional["AccountView"]) -> bool:
        """Equal content."""
        return (
            other is not None
            and self.lamports == other.lamports
            and self.owner == other.owner
            and self.data == other.data
            and self.executable == other.executable
        )

    def encode_data(self, encoding: str, data_slice: Optional[tuple[int, int]] = None) -> object:
        """The `data` field for an RPC account object in the given encoding."""
        if data_slice is None and encoding in ("base64", "jsonParsed"):
            if self._b64 is None:
                self._b64 = base64.b64encode(self.data).decode()
            return [self._b64, "base64"]
        data = self.data
        if data_slice is not None:
            offset, length = data_slice
            data = data[offset : offset + length]
        if encoding in ("base64", "jsonParsed"):
            return [base64.b64encode(data).decode(), "base64"]
        if encoding == "base58":
            return [b58encode(data), "base58"]
        return b58encode(data)  # legacy "binary"

    def to_json(self, encoding: str, data_slice: Optional[tuple[int, int]] = None) -> dict:
        """The RPC account object."""
        return {
            "data": self.encode_data(encoding, data_slice),
            "executable": self.executable,
            "lamports": self.lamports,
            "owner": self.owner,
            "rentEpoch": self.rent_epoch,
            "space": len(self.data),
        }


class AccountHistory:
    """Per-account versions [(slot, view or None)], plus an index of accounts by owner."""

    def __init__(self) -> None:
        self._versions: dict[str, list[tuple[int, Optional[AccountView]]]] = {}
        self._by_owner: dict[str, set[str]] = {}

    def latest(self, key: str) -> Optional[AccountView]:
        """The newest version, or None."""
        versions = self._versions.get(key)
        return versions[-1][1] if versions else None

    def known(self, key: str) -> bool:
        """True when the account has ever been recorded."""
        return key in self._versions

    def record(self, key: str, slot: int, view: Optional[AccountView], finalized_slot: int) -> bool:
        """Append a version if the content changed; returns True when it did."""
        versions = self._versions.setdefault(key, [])
        if versions:
            last_slot, last = versions[-1]
            if (view is None and last is None) or (view is not None and view.same_as(last)):
                return False
            if last_slot == slot:
                versions[-1] = (slot, view)
            else:
                versions.append((slot, view))
        else:
            versions.append((slot, view))
        if view is not None:
            self._by_owner.setdefault(view.owner, set()).add(key)
        # Keep only one version at or below the finalized slot.
        keep_from = 0
        for i, (s, _) in enumerate(versions):
            if s <= finalized_slot:
                keep_from = i
        if keep_from:
            del versions[:keep_from]
        return True

    def at(self, key: str, slot: int) -> tuple[bool, Optional[AccountView]]:
        """(known, view) of the account as of `slot`."""
        versions = self._versions.get(key)
        if not versions:
            return False, None
        for s, view in reversed(versions):
            if s <= slot:
                return True, view
        return True, None

    def owned_by(self, owner: str, slot: int) -> Iterator[tuple[str, AccountView]]:
        """Accounts owned by `owner` as of `slot`."""
        for key in self._by_owner.get(owner, ()):
            _, view = self.at(key, slot)
            if view is not None and view.owner == owner:
                yield key, view
