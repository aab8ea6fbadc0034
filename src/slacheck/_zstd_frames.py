"""Whether a zstd stream ends where a frame ends: the decompressor reads a file cut short as
if it ended there, which would silently lose the lines of its last frame.

The frame format (RFC 8878) says how long every part is without decompressing anything: a
frame header of a size its first byte gives, blocks each with a 3-byte header that gives its
size and whether it is the last, then an optional 4-byte checksum; skippable frames give
their size after their magic number. `Frames` walks those sizes over the compressed bytes as
they are read, in constant memory whatever the data decompresses to.
"""

from __future__ import annotations

_MAGIC = 0xFD2FB528
_SKIPPABLE = 0x184D2A50  # to 0x184D2A5F


class Frames:
    """Fed the compressed bytes in order; `complete` once they end at a frame boundary."""

    def __init__(self) -> None:
        self._need = 4        # bytes the current part takes
        self._part = "magic"  # which part those bytes are
        self._held = b""      # the bytes of a part that must be read (not just skipped)
        self._frames = 0
        self._checksum = False
        self._last = False
        self.broken = False
        """Set when the bytes are not zstd frames at all (the decompressor says why)."""

    @property
    def complete(self) -> bool:
        """At least one frame, and nothing after the last one ended."""
        return not self.broken and self._frames > 0 and self._part == "magic" \
            and not self._held

    def feed(self, data: bytes) -> None:
        if self.broken:
            return
        try:
            self._feed(data)
        except ValueError:
            self.broken = True

    def _feed(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            if self._part in ("skip", "content"):  # bytes skipped, not kept
                taken = min(self._need, len(view))
                self._need -= taken
                view = view[taken:]
                if self._need == 0:
                    self._next_after_skip()
                continue
            taken = min(self._need - len(self._held), len(view))
            self._held += bytes(view[:taken])
            view = view[taken:]
            if len(self._held) == self._need:
                part, self._held = self._held, b""
                self._read(part)

    def _next_after_skip(self) -> None:
        if self._part == "skip":  # a skippable frame's body, or a checksum
            self._frames += 1
            self._part, self._need = "magic", 4
        else:  # a block's content; the block header said whether it was the last
            self._after_block()

    def _read(self, part: bytes) -> None:
        if self._part == "magic":
            magic = int.from_bytes(part, "little")
            if magic == _MAGIC:
                self._part, self._need = "descriptor", 1
            elif magic & 0xFFFFFFF0 == _SKIPPABLE:
                self._part, self._need = "skip size", 4
            else:
                raise ValueError("not a zstd frame")
        elif self._part == "skip size":
            self._part, self._need = "skip", int.from_bytes(part, "little")
            if self._need == 0:
                self._next_after_skip()
        elif self._part == "descriptor":
            descriptor = part[0]
            single = descriptor >> 5 & 1
            size_flag = descriptor >> 6
            content_size = (1 if single else 0, 2, 4, 8)[size_flag]
            dictionary = (0, 1, 2, 4)[descriptor & 3]
            self._checksum = bool(descriptor >> 2 & 1)
            rest = (0 if single else 1) + dictionary + content_size
            self._part, self._need = "header rest", rest
            if rest == 0:
                self._part, self._need = "block", 3
        elif self._part == "header rest":
            self._part, self._need = "block", 3
        elif self._part == "block":
            header = int.from_bytes(part, "little")
            self._last = bool(header & 1)
            kind, size = header >> 1 & 3, header >> 3
            if kind == 3:
                raise ValueError("a reserved block type")
            self._part, self._need = "content", 1 if kind == 1 else size
            if self._need == 0:
                self._after_block()

    def _after_block(self) -> None:
        if not self._last:
            self._part, self._need = "block", 3
        elif self._checksum:
            self._part, self._need = "skip", 4  # counted as the frame's end
        else:
            self._frames += 1
            self._part, self._need = "magic", 4
