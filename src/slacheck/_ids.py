"""The ids seen so far in a run: the one thing the duplicate rule cannot keep bounded."""

from __future__ import annotations

import sys
from array import array
from collections.abc import Callable

_END = 0xFF
"""Ends each id kept: a byte UTF-8 never writes (nor its `surrogatepass` form)."""
_ENDED = b"\xff"

SMALL_IDS = 1 << 21
"""Ids kept in a Python set before they move to the compact table. The set adds an id in a
fifth of the table's time (about 0.15 against 0.84 µs: the table is Python, the set C), for
about 100 bytes an id (its slot and the id's `str`) against the table's 23: some 200 MiB at
this many ids, past which the table's memory matters more than its time."""


class SeenIds:
    """The set of record ids seen so far, exact, in little more memory than the ids themselves.

    Up to `small_ids` ids (`SMALL_IDS`) are kept in a Python set, which is fast. Past that, or
    once the table is sized for more (`reserve`: a reader sizes it from a file's first
    megabyte), they move to a compact table, and stay there:

    Every id is kept as its UTF-8 bytes and an end byte (0xFF, which UTF-8 never writes), one
    after the other in one byte array; an open-addressing table, filled to at most 50% and
    doubled when it would fill more, holds for each id its place in that array: a 4-byte slot
    while the ids take less than 4 GiB (8 bytes beyond), so 8 to 16 bytes per id as the table
    fills, plus the id's bytes and one. A taken slot is confirmed against the id kept there
    (`bytearray.startswith`, in C), so two different ids are never taken for one.

    Every step of Python costs about as much as another, so an add takes as few as it can:
    no digest is kept beside a place (checking it would cost more steps on every add than the
    comparisons it saves), and the table is filled to half rather than 70%, which takes fewer
    probes and, with slots half as wide, still less memory.

    `hash_function` gives the digest of an id's bytes (with the end byte); the built-in
    `hash` is fast and seeded afresh in each process, so that no one can choose ids that
    crowd the table.
    """

    LOAD = 0.5

    def __init__(self, capacity: int = 0, *,
                 hash_function: Callable[[bytes], int] = hash,
                 small_ids: int = SMALL_IDS) -> None:
        self._hash = hash_function
        self._small: set[str] | None = set() if capacity <= small_ids else None
        self._small_ids = small_ids
        self._ids = bytearray(_ENDED)  # offset 0 is never an id's, so an empty slot is 0
        self._count = 0
        self._size = 0
        self._limit = 0
        self._table = array("I")
        self._resize(0 if self._small is not None else capacity)  # sized when ids move

    def __len__(self) -> int:
        small = self._small
        return self._count if small is None else len(small)

    @property
    def compact(self) -> bool:
        """Whether the ids are in the compact table (no longer in a set)."""
        return self._small is None

    @property
    def nbytes(self) -> int:
        """The memory the set or the table and the ids take."""
        small = self._small
        if small is not None:
            return sys.getsizeof(small) + sum(map(sys.getsizeof, small))
        return self._table.itemsize * len(self._table) + len(self._ids)

    def reserve(self, capacity: int) -> None:
        """Make room for `capacity` ids now, so the table need not grow (and copy) later;
        more than the set keeps, and they move to the table now."""
        if self._small is not None:
            if capacity > self._small_ids:
                self._spill(capacity)
        elif capacity > self._limit:
            self._resize(capacity)

    def add(self, identifier: str) -> bool:
        """Record `identifier`; False if it was seen before."""
        small = self._small
        if small is not None:
            if identifier in small:
                return False
            small.add(identifier)
            if len(small) > self._small_ids:
                self._spill(len(small))
            return True
        try:
            key = identifier.encode() + _ENDED
        except UnicodeEncodeError:  # a lone surrogate, from an escape in the JSON text
            key = identifier.encode("utf-8", "surrogatepass") + _ENDED
        table, ids = self._table, self._ids
        slot = self._hash(key) % self._size
        while found := table[slot]:  # the id kept there ends where `key` ends, or differs
            if ids.startswith(key, found):
                return False
            slot = slot + 1 if slot + 1 < self._size else 0
        try:
            table[slot] = len(ids)
        except OverflowError:  # 4 GiB of ids: the table's slots widen to 64 bits
            self._resize(self._limit, wide=True)
            return self.add(identifier)
        ids += key
        self._count = count = self._count + 1
        if count > self._limit:
            self._resize(count * 2)
        return True

    def _spill(self, capacity: int) -> None:
        """Move the set's ids to the table, sized for `capacity` ids."""
        small, self._small = self._small, None
        assert small is not None
        self.reserve(capacity)
        for identifier in small:
            self.add(identifier)

    def _resize(self, capacity: int, *, wide: bool = False) -> None:
        """A table for `capacity` ids, the ids kept placed again by their digests."""
        self._size = size = max(1024, int(capacity / self.LOAD) + 1)
        self._limit = int(size * self.LOAD)
        old = self._table
        code = "Q" if wide or old.typecode == "Q" else "I"
        self._table = table = array(code, (0,)) * size
        ids, digest_of = self._ids, self._hash
        for start in old:
            if start:
                slot = digest_of(bytes(ids[start:ids.index(_END, start) + 1])) % size
                while table[slot]:
                    slot = slot + 1 if slot + 1 < size else 0
                table[slot] = start
