"""The protocol wiring: pygls receives the editor's messages, the plain functions of this
package answer them, and nothing a document holds can stop the server (an unexpected
error is logged to the editor and the request answered with nothing)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TypeVar

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from slacheck._version import __version__
from slacheck.lsp.complete import complete
from slacheck.lsp.convert import Position, Problem, problems
from slacheck.lsp.hover import hover

DEBOUNCE = 0.3
"""Seconds after the last change before a document is linted again, so that typing is not
slowed by a lint per keystroke; every version that stays is linted."""

_KINDS = {
    "field": types.CompletionItemKind.Field,
    "derived": types.CompletionItemKind.Property,
    "parameter": types.CompletionItemKind.Constant,
    "value": types.CompletionItemKind.EnumMember,
    "period": types.CompletionItemKind.Unit,
    "function": types.CompletionItemKind.Function,
    "keyword": types.CompletionItemKind.Keyword,
    "key": types.CompletionItemKind.Property,
}
_Result = TypeVar("_Result")
log = logging.getLogger(__name__)


def _units(line: str, column: int, encoding: str) -> int:
    """A column in code points as the client counts it (UTF-16 by default)."""
    head = line[:column]
    if encoding == types.PositionEncodingKind.Utf32:
        return len(head)
    if encoding == types.PositionEncodingKind.Utf8:
        return len(head.encode("utf-8", "surrogatepass"))
    return len(head.encode("utf-16-le", "surrogatepass")) // 2


def _column(line: str, units: int, encoding: str) -> int:
    """The code-point column of a client's column."""
    for column in range(len(line) + 1):
        if _units(line, column, encoding) >= units:
            return column
    return len(line)


class SlacheckServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("slacheck", __version__)
        self.pending: dict[str, asyncio.TimerHandle] = {}

    def encoding(self) -> str:
        return str(self.workspace.position_encoding or types.PositionEncodingKind.Utf16)

    def position(self, lines: list[str], at: Position) -> types.Position:
        line, column = at
        text = lines[line] if line < len(lines) else ""
        return types.Position(line, _units(text, column, self.encoding()))

    def diagnostic(self, problem: Problem, lines: list[str]) -> types.Diagnostic:
        return types.Diagnostic(
            range=types.Range(self.position(lines, problem.start),
                              self.position(lines, problem.end)),
            message=problem.message,
            severity=(types.DiagnosticSeverity.Error if problem.error
                      else types.DiagnosticSeverity.Warning),
            code=problem.code,
            source="slacheck",
            tags=[types.DiagnosticTag.Unnecessary] if problem.unused else None,
            data={"name": problem.name},
        )

    def lint(self, uri: str) -> None:
        """Publish the diagnostics of the document as it is now."""
        self.pending.pop(uri, None)
        document = self.workspace.get_text_document(uri)
        text = document.source
        lines = _lines(text)
        try:
            found = [self.diagnostic(item, lines) for item in problems(text, document.path
                                                                        or uri)]
        except Exception as error:  # a bug of slacheck's, never the document's: said, not fatal
            log.exception("linting %s failed", uri)
            found = [types.Diagnostic(
                range=types.Range(types.Position(0, 0), types.Position(0, 0)),
                message=f"slacheck could not lint this document (internal error: {error!r})",
                severity=types.DiagnosticSeverity.Error, source="slacheck")]
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            uri=uri, diagnostics=found, version=document.version))

    def schedule(self, uri: str, delay: float) -> None:
        waiting = self.pending.pop(uri, None)
        if waiting is not None:
            waiting.cancel()
        self.pending[uri] = asyncio.get_running_loop().call_later(delay, self.lint, uri)


def _lines(text: str) -> list[str]:
    from slacheck.lsp.document import lines_of

    return lines_of(text)


def _guarded(server: SlacheckServer, what: str, answer: Callable[[], _Result]) -> _Result | None:
    try:
        return answer()
    except Exception as error:  # an answer lost is better than a server lost
        log.exception("%s failed", what)
        server.window_log_message(types.LogMessageParams(
            types.MessageType.Error, f"slacheck: {what} failed: {error!r}"))
        return None


def build(debounce: float = DEBOUNCE) -> SlacheckServer:
    """The server with its features registered."""
    server = SlacheckServer()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def opened(ls: SlacheckServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.lint(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def changed(ls: SlacheckServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, debounce)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def saved(ls: SlacheckServer, params: types.DidSaveTextDocumentParams) -> None:
        ls.lint(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def closed(ls: SlacheckServer, params: types.DidCloseTextDocumentParams) -> None:
        waiting = ls.pending.pop(params.text_document.uri, None)
        if waiting is not None:
            waiting.cancel()
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            uri=params.text_document.uri, diagnostics=[]))

    @server.feature(types.TEXT_DOCUMENT_COMPLETION,
                    types.CompletionOptions(trigger_characters=[" ", "[", ",", "("]))
    def completion(ls: SlacheckServer,
                   params: types.CompletionParams) -> types.CompletionList | None:
        def answer() -> types.CompletionList:
            text = ls.workspace.get_text_document(params.text_document.uri).source
            line, column = _at(ls, text, params.position)
            items = [types.CompletionItem(
                label=item.label, kind=_KINDS[item.kind], detail=item.detail or None,
                insert_text=item.insert) for item in complete(text, line, column)]
            return types.CompletionList(is_incomplete=False, items=items)

        return _guarded(ls, "completion", answer)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hovered(ls: SlacheckServer, params: types.HoverParams) -> types.Hover | None:
        def answer() -> types.Hover | None:
            text = ls.workspace.get_text_document(params.text_document.uri).source
            line, column = _at(ls, text, params.position)
            found = hover(text, line, column)
            if found is None:
                return None
            lines = _lines(text)
            return types.Hover(
                contents=types.MarkupContent(types.MarkupKind.Markdown, found.markdown),
                range=types.Range(ls.position(lines, found.start),
                                  ls.position(lines, found.end)))

        return _guarded(ls, "hover", answer)

    return server


def _at(server: SlacheckServer, text: str, position: types.Position) -> Position:
    lines = _lines(text)
    line = position.line
    if not 0 <= line < len(lines):
        return line, position.character
    return line, _column(lines[line], position.character, server.encoding())


def main(debounce: float = DEBOUNCE) -> None:
    """Serve over standard input and output until the editor says exit."""
    build(debounce).start_io()
