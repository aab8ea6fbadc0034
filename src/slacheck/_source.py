"""Where text came from: a clause's place inside its contract file, and caret excerpts."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Source:
    """A piece of text and where each of its lines starts in the file it was cut from.

    A clause inside a YAML scalar is a `Source` whose `origins` say, for each line of
    the clause, the (line, column) of its first character in the file, so a span in
    the clause maps to the right place in `contract.yaml`.
    """

    body: str
    name: str = "<string>"
    origins: tuple[tuple[int, int], ...] = ((1, 1),)
    file_text: str | None = field(default=None, repr=False, compare=False)

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) in the file of character `offset` of the body."""
        offset = max(0, min(offset, len(self.body)))
        before = self.body[:offset]
        index = before.count("\n")
        column = offset - (before.rfind("\n") + 1)
        if index < len(self.origins):
            line, start = self.origins[index]
        else:
            last_line, _ = self.origins[-1]
            line, start = last_line + index - len(self.origins) + 1, 1
        return line, start + column

    def file_line(self, line: int) -> str | None:
        """The text of a 1-based line of the whole file, if the file text is known."""
        text = self.file_text if self.file_text is not None else self.body
        # lines as `position` counts them: `splitlines` would also break at form feeds
        lines = text.split("\n")
        if 1 <= line <= len(lines):
            return lines[line - 1].removesuffix("\r")
        return None


@dataclass(frozen=True, slots=True)
class Span:
    """Half-open range [start, end) of character offsets in a `Source` body."""

    source: Source = field(repr=False)
    start: int
    end: int

    @property
    def line(self) -> int:
        return self.source.position(self.start)[0]

    @property
    def column(self) -> int:
        return self.source.position(self.start)[1]

    @property
    def text(self) -> str:
        return self.source.body[self.start : self.end]

    def excerpt(self, label: str = "") -> str:
        """The file line under a gutter, with carets under the span, like ruff."""
        line, column = self.source.position(self.start)
        end_line, end_column = self.source.position(max(self.start, self.end))
        text = self.source.file_line(line)
        if text is None:
            return ""
        text = "".join(_visible(character) for character in text)
        width = (end_column - column) if end_line == line else len(text) - column + 1
        carets = "^" * max(1, width)
        gutter = " " * len(str(line))
        label = f" {label}" if label else ""
        return (
            f"{gutter} |\n"
            f"{line} | {text}\n"
            f"{gutter} | {' ' * (column - 1)}{carets}{label}"
        )


def _visible(character: str) -> str:
    """A character as the excerpt shows it, one column wide: a control character (a NUL,
    say) prints nothing on a terminal, so it is shown by its symbol."""
    if character.isprintable() or character == "\t":
        return character
    code = ord(character)
    return chr(0x2400 + code) if code < 0x20 else "\ufffd"


def whole_file(text: str, name: str) -> Source:
    """A `Source` for a whole file, positions as they are."""
    return Source(text, name, ((1, 1),), text)


def span_at(source: Source, line: int, column: int, length: int = 1) -> Span:
    """A span at a 1-based (line, column) of a whole-file source."""
    lines = source.body.splitlines(keepends=True)
    offset = sum(len(item) for item in lines[: max(0, line - 1)]) + max(0, column - 1)
    offset = min(offset, len(source.body))
    return Span(source, offset, min(len(source.body), offset + length))
