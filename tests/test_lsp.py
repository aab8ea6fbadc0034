"""`slacheck lsp` driven by a scripted client over standard input and output, as an editor
drives it: diagnostics on open and on change, completion, hover, other YAML and junk."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from click.testing import CliRunner
from lsprotocol import types
from pygls.lsp.client import LanguageClient

import slacheck.lsp
from slacheck.cli import main
from tests.conftest import CONTRACT, ROOT

URI = "file:///contracts/acme.yaml"
GOOD = CONTRACT.read_text(encoding="utf-8")
BROKEN = GOOD.replace("require: delivered_at within", "require: deliverd_at within")
TIMEOUT = 30


class Editor:
    """A client that keeps what the server publishes."""

    def __init__(self) -> None:
        self.client = LanguageClient("slacheck-tests", "1")
        self.published: asyncio.Queue[types.PublishDiagnosticsParams] = asyncio.Queue()

        def published(params: types.PublishDiagnosticsParams) -> None:
            self.published.put_nowait(params)

        self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)(published)
        self.capabilities: types.ServerCapabilities | None = None
        self.versions: dict[str, int] = {}

    async def start(self) -> None:
        path = os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))
        await self.client.start_io(sys.executable, "-m", "slacheck", "lsp", "--stdio",
                                   env={**os.environ, "PYTHONPATH": path})
        result = await self.client.initialize_async(
            types.InitializeParams(capabilities=types.ClientCapabilities()))
        self.capabilities = result.capabilities
        self.client.initialized(types.InitializedParams())

    async def stop(self) -> None:
        await asyncio.wait_for(self.client.shutdown_async(None), TIMEOUT)
        self.client.exit(None)
        # pygls leaves `stop` unannotated
        await asyncio.wait_for(self.client.stop(), TIMEOUT)  # type: ignore[no-untyped-call]

    def open(self, text: str, uri: str = URI) -> None:
        self.versions[uri] = 1
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=text)))

    def change(self, text: str, uri: str = URI) -> None:
        self.versions[uri] += 1
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri]),
            [types.TextDocumentContentChangeWholeDocument(text=text)]))

    async def diagnostics(self, uri: str = URI) -> list[types.Diagnostic]:
        """The diagnostics published for the document's latest version."""
        while True:
            found = await asyncio.wait_for(self.published.get(), TIMEOUT)
            if found.uri == uri and found.version == self.versions[uri]:
                return list(found.diagnostics)

    async def complete(self, line: int, character: int, uri: str = URI) -> list[str]:
        found = await asyncio.wait_for(self.client.text_document_completion_async(
            types.CompletionParams(types.TextDocumentIdentifier(uri),
                                   types.Position(line, character))), TIMEOUT)
        items = found.items if isinstance(found, types.CompletionList) else found or []
        return [item.label for item in items]

    async def hover(self, line: int, character: int, uri: str = URI) -> str | None:
        found = await asyncio.wait_for(self.client.text_document_hover_async(
            types.HoverParams(types.TextDocumentIdentifier(uri),
                              types.Position(line, character))), TIMEOUT)
        if found is None:
            return None
        assert isinstance(found.contents, types.MarkupContent)
        return found.contents.value


def session(scenario: Callable[[Editor], Awaitable[Any]]) -> None:
    async def run() -> None:
        editor = Editor()
        await editor.start()
        try:
            await scenario(editor)
        finally:
            await editor.stop()

    asyncio.run(run())


def _line(text: str, needle: str) -> int:
    return next(number for number, line in enumerate(text.split("\n")) if needle in line)


def test_a_broken_contract_is_marked_as_typed_and_cleared_when_fixed() -> None:
    line = _line(BROKEN, "deliverd_at within")
    column = BROKEN.split("\n")[line].index("deliverd_at")

    async def scenario(editor: Editor) -> None:
        assert editor.capabilities is not None
        assert editor.capabilities.hover_provider
        assert editor.capabilities.completion_provider is not None
        editor.open(BROKEN)
        found = await editor.diagnostics()
        assert [(item.code, item.severity) for item in found] == [
            ("SLA201", types.DiagnosticSeverity.Error)]
        assert found[0].range == types.Range(types.Position(line, column),
                                             types.Position(line, column + len("deliverd_at")))
        assert found[0].message.startswith("unknown field `deliverd_at` (unknown-field)")
        assert "help: did you mean `delivered_at`?" in found[0].message
        assert found[0].source == "slacheck"
        editor.change(GOOD)
        assert await editor.diagnostics() == []

    session(scenario)


def test_completion_offers_declared_names_and_hover_says_what_a_target_means() -> None:
    text = GOOD.replace("    require: complete and accurate", "    require: complete and ")
    require = _line(text, "require: complete and ")
    target = _line(text, "target: 97% per month by office")

    async def scenario(editor: Editor) -> None:
        editor.open(text)
        await editor.diagnostics()
        labels = await editor.complete(require, len(text.split("\n")[require]))
        assert {"delivered_at", "picked_up_at", "monthly_fee", "office", "not"} <= set(labels)
        shown = await editor.hover(target, 14)
        assert shown is not None
        assert "met when at least 97% of the records in scope pass, per calendar month, " \
            "by office" in shown

    session(scenario)


def test_other_yaml_gets_no_diagnostics_and_junk_does_not_stop_the_server() -> None:
    ci = "file:///ci.yaml"
    junk = "file:///junk.yaml"

    async def scenario(editor: Editor) -> None:
        editor.open("jobs:\n  test: {runs-on: ubuntu, steps: [\n", ci)
        assert await editor.diagnostics(ci) == []
        editor.open("slacheck: 1\n\x00\x01\udcff\ufffe{[\"'&*!|>\n\t- : : :\n", junk)
        found = await editor.diagnostics(junk)
        assert found
        assert all(str(item.code).startswith("SLA") for item in found)
        for text in ("slacheck: 1\nstandards:\n  s:\n    require: (((((", "\x00" * 100,
                     "slacheck: 1\n" + "- [" * 200, ""):
            editor.change(text, junk)
            found = await editor.diagnostics(junk)
            assert all(item.code for item in found), found  # lint's, not an internal error
            await editor.complete(3, 19, junk)
            await editor.hover(3, 16, junk)
        await editor.complete(999, 999, junk)
        await editor.hover(-1 + 1, 10_000, junk)
        # still serving
        editor.open(BROKEN)
        assert [item.code for item in await editor.diagnostics()] == ["SLA201"]

    session(scenario)


def test_without_pygls_the_command_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pygls", None)
    monkeypatch.setitem(sys.modules, "pygls.lsp", None)
    monkeypatch.setitem(sys.modules, "pygls.lsp.server", None)
    monkeypatch.delitem(sys.modules, "slacheck.lsp.server", raising=False)
    monkeypatch.delattr(slacheck.lsp, "server", raising=False)  # imported by other tests
    result = CliRunner().invoke(main, ["lsp"])
    assert result.exit_code == 2
    assert "pip install 'slacheck[lsp]'" in result.output


def test_the_handlers_in_process_answer_and_never_raise(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same handlers as the subprocess runs, called directly, so that the coverage of
    the wiring is measured; an answer that fails is logged, not raised."""
    from pygls.workspace import Workspace

    from slacheck.lsp import server as wiring

    served = wiring.build(debounce=0)
    served.protocol._workspace = Workspace(None)
    published: list[types.PublishDiagnosticsParams] = []
    logged: list[types.LogMessageParams] = []
    monkeypatch.setattr(served, "text_document_publish_diagnostics", published.append)
    monkeypatch.setattr(served, "window_log_message", logged.append)
    features = served.protocol.fm.features
    document = types.TextDocumentIdentifier(URI)
    served.workspace.put_text_document(types.TextDocumentItem(URI, "yaml", 1, BROKEN))
    features[types.TEXT_DOCUMENT_DID_OPEN](
        types.DidOpenTextDocumentParams(types.TextDocumentItem(URI, "yaml", 1, BROKEN)))
    assert [item.code for item in published[-1].diagnostics] == ["SLA201"]
    line = _line(BROKEN, "target: 97% per month by office")
    shown = features[types.TEXT_DOCUMENT_HOVER](
        types.HoverParams(document, types.Position(line, 14)))
    assert "by office" in shown.contents.value
    listed = features[types.TEXT_DOCUMENT_COMPLETION](
        types.CompletionParams(document, types.Position(line, 20)))
    assert [item.label for item in listed.items] == ["day", "week", "month", "quarter", "year"]
    features[types.TEXT_DOCUMENT_DID_SAVE](types.DidSaveTextDocumentParams(document))
    features[types.TEXT_DOCUMENT_DID_CLOSE](types.DidCloseTextDocumentParams(document))
    assert published[-1].diagnostics == []

    def broken(*args: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(wiring, "hover", broken)
    monkeypatch.setattr(wiring, "problems", broken)
    assert features[types.TEXT_DOCUMENT_HOVER](
        types.HoverParams(document, types.Position(line, 14))) is None
    assert "hover failed" in logged[-1].message
    served.lint(URI)
    assert "internal error" in published[-1].diagnostics[0].message
