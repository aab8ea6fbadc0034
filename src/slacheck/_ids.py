"""The ids seen so far in a run: the one thing the duplicate rule cannot keep bounded."""

from __future__ import annotations

import hashlib
from array import array


class SeenIds:
    """The set of record ids seen so far, in about 12 bytes per id whatever the volume.

    Duplicate ids are the one thing a stream cannot check in bounded memory, so ids are
    kept as 64-bit BLAKE2b digests in an open-addressing table filled up to 70%. Two
    different ids would have to share a digest to be taken for a duplicate: about one
    chance in 10^7 over a billion records, and the same on every run.
    """

    LOAD = 0.7

    def __init__(self, capacity: int = 1024) -> None:
        self._count = 0
        self._size = 0
        self._table = array("Q")
        self._resize(capacity)

    def __len__(self) -> int:
        return self._count

    def reserve(self, capacity: int) -> None:
        """Make room for `capacity` ids now, so the table need not grow (and copy) later."""
        if capacity > self._size * self.LOAD:
            self._resize(capacity)

    def _resize(self, capacity: int) -> None:
        old = self._table
        self._size = size = max(1024, int(capacity / self.LOAD) + 1)
        self._table = table = array("Q", bytes(8 * size))
        for key in old:
            if key:
                slot = key % size
                while table[slot]:
                    slot = slot + 1 if slot + 1 < size else 0
                table[slot] = key

    def add(self, identifier: str) -> bool:
        """Record `identifier`; False if it was seen before."""
        digest = hashlib.blake2b(identifier.encode("utf-8", "surrogatepass"), digest_size=8)
        key = int.from_bytes(digest.digest(), "little") | 1
        table, size = self._table, self._size
        slot = key % size
        while True:
            found = table[slot]
            if found == 0:
                break
            if found == key:
                return False
            slot = slot + 1 if slot + 1 < size else 0
        table[slot] = key
        self._count += 1
        if self._count > size * self.LOAD:
            self._resize(self._count * 2)
        return True
