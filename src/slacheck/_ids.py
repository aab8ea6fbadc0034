"""The ids seen so far in a run: the one thing the duplicate rule cannot keep bounded."""

from __future__ import annotations

from array import array
from collections.abc import Callable

_OFFSET_BITS = 40
_OFFSET = (1 << _OFFSET_BITS) - 1
_TAG = (1 << (64 - _OFFSET_BITS)) - 1


class SeenIds:
    """The set of record ids seen so far, exact, in little more memory than the ids themselves.

    Every id is kept, as its length and its UTF-8 bytes, one after the other in one byte
    array; an open-addressing table, filled to at most 70% and doubled when it would fill
    more, holds for each id one 64-bit word: its place in that array and 24 bits of its
    digest. A digest that matches is confirmed against the id itself, so two different ids
    are never taken for one, whatever their digests. That is 8 bytes per slot (11 to 23
    bytes per id as the table fills) plus the id's length and one byte.

    `hash_function` gives the digest of an id's bytes; the built-in `hash` is fast and
    seeded afresh in each process, so that no one can choose ids that crowd the table.
    """

    LOAD = 0.7

    def __init__(self, capacity: int = 1024, *,
                 hash_function: Callable[[bytes], int] = hash) -> None:
        self._hash = hash_function
        self._ids = bytearray(1)  # offset 0 is never an id's, so an empty slot is 0
        self._count = 0
        self._size = 0
        self._limit = 0
        self._table = array("Q")
        self._resize(capacity)

    def __len__(self) -> int:
        return self._count

    @property
    def nbytes(self) -> int:
        """The memory the table and the ids take."""
        return self._table.itemsize * len(self._table) + len(self._ids)

    def reserve(self, capacity: int) -> None:
        """Make room for `capacity` ids now, so the table need not grow (and copy) later."""
        if capacity > self._limit:
            self._resize(capacity)

    def add(self, identifier: str) -> bool:
        """Record `identifier`; False if it was seen before."""
        try:
            key = identifier.encode()
        except UnicodeEncodeError:  # a lone surrogate, from an escape in the JSON text
            key = identifier.encode("utf-8", "surrogatepass")
        # a signed digest: its top 24 bits are the tag, and `%` places it in the table
        # without the 64-bit mask that would make every step a three-digit integer's
        digest = self._hash(key)
        tag = (digest >> _OFFSET_BITS) & _TAG
        table, size = self._table, self._size
        slot = digest % size
        while found := table[slot]:
            if found >> _OFFSET_BITS == tag and self._holds(found & _OFFSET, key):
                return False
            slot = slot + 1 if slot + 1 < size else 0
        ids = self._ids
        offset = len(ids)
        if offset > _OFFSET:
            raise MemoryError("more than 1 TiB of record ids")
        length = len(key)
        if length < 0x80:
            ids.append(length)
        else:
            ids += _length(length)
        ids += key
        table[slot] = tag << _OFFSET_BITS | offset
        self._count = count = self._count + 1
        if count > self._limit:
            self._resize(count * 2)
        return True

    def _holds(self, offset: int, key: bytes) -> bool:
        """Whether the id kept at `offset` is `key`: the rare path, on a digest that matches."""
        start, length = _read_length(self._ids, offset)
        return length == len(key) and self._ids[start:start + length] == key

    def _resize(self, capacity: int) -> None:
        """A table for `capacity` ids, the ids kept placed again by their digests."""
        self._size = size = max(1024, int(capacity / self.LOAD) + 1)
        self._limit = int(size * self.LOAD)
        old = self._table
        self._table = table = array("Q", bytes(8 * size))
        ids, digest_of = self._ids, self._hash
        view = memoryview(ids)
        try:
            for found in old:
                if found:
                    start, length = _read_length(ids, found & _OFFSET)
                    slot = digest_of(view[start:start + length].tobytes()) % size
                    while table[slot]:
                        slot = slot + 1 if slot + 1 < size else 0
                    table[slot] = found
        finally:
            view.release()


def _length(length: int) -> bytes:
    """`length` in LEB128: one byte below 128, as nearly every id is."""
    if length < 0x80:
        return bytes((length,))
    out = bytearray()
    while length >= 0x80:
        out.append(length & 0x7F | 0x80)
        length >>= 7
    out.append(length)
    return bytes(out)


def _read_length(ids: bytearray, offset: int) -> tuple[int, int]:
    """Where the id kept at `offset` starts, and its length."""
    length = shift = 0
    while True:
        byte = ids[offset]
        offset += 1
        length |= (byte & 0x7F) << shift
        if byte < 0x80:
            return offset, length
        shift += 7
