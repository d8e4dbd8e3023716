"""What loading and analysing made of each file, kept by `pumpsite serve` from one rebuild to
the next, so that a save reads again and analyses again only what it changed.

An entry is found by what it was made from (a file's path, and a hash of its bytes, never its
modification time; a measure's analysis, by the very values it was computed from) and is used
only when that is unchanged, so it is the value a fresh load would compute. The memo holds one
entry per file or measure of the latest load, and `settle` drops every entry the latest load did
not ask for: a repository cannot grow it past its own files, and a file gone is forgotten.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable
from typing import TypeVar

T = TypeVar("T")


def digest(data: bytes) -> bytes:
    """What an entry made from `data` is kept under (no two files' bytes share it)."""
    return hashlib.sha256(data).digest()


class LoadMemo:
    """Values made from the repository's files, each under a slot (what it is, and of which
    file) and a key (what it was made from). Not thread-safe: one rebuild at a time uses it."""

    def __init__(self) -> None:
        self._entries: dict[Hashable, tuple[Hashable, object]] = {}
        self._asked: set[Hashable] = set()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def recall(self, slot: Hashable, key: Hashable, make: Callable[[], T]) -> T:
        """The value kept in `slot` if it was made from `key`, else `make()` (then kept)."""
        self._asked.add(slot)
        entry = self._entries.get(slot)
        if entry is not None and entry[0] == key:
            self.hits += 1
            return entry[1]  # type: ignore[return-value]  # stored by the same slot's make
        self.misses += 1
        value = make()
        self._entries[slot] = (key, value)
        return value

    def settle(self) -> None:
        """Forget every entry the load since the last `settle` did not ask for."""
        for slot in self._entries.keys() - self._asked:
            del self._entries[slot]
        self._asked.clear()
        self.hits = self.misses = 0
