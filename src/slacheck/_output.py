"""Output files written whole or not at all, never over an input, cleaned up on any signal.

An output is opened before the data is read, so that a path that cannot be written fails in
a second rather than after a long run, and committed only when the run succeeds: it is a
temporary file beside the target (the target of a symlink, so the link survives), renamed
over it at the end. A FIFO or a device (`/dev/stdout`) cannot be renamed over; it is written
directly. Every failure is an `OutputError` that names the file, never a traceback.
"""

from __future__ import annotations

import os
import secrets
import signal
import stat
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from types import FrameType
from typing import BinaryIO


class OutputError(Exception):
    """An output file (report or quarantine) cannot be written where the command says."""


class Terminated(BaseException):
    """SIGTERM or SIGHUP: unwinds like Ctrl-C, so that temporary files are removed."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class Output:
    """One output file of a run: `write` as it goes, `commit` when the run is done."""

    def __init__(self, path: str, handle: BinaryIO, temporary: Path | None,
                 target: Path) -> None:
        self.path = path
        self._handle = handle
        self._temporary = temporary
        self._target = target
        self._cancelled = False

    def cancel(self) -> None:
        """Write nothing after all: the block that opened this output will not commit it."""
        self.discard()
        self._cancelled = True

    def write(self, data: bytes) -> None:
        try:
            self._handle.write(data)
        except OSError as error:
            raise OutputError(_cannot(self.path, error)) from None

    def commit(self) -> None:
        if self._cancelled:
            return
        try:
            self._handle.close()
            if self._temporary is not None:
                os.replace(self._temporary, self._target)
        except OSError as error:
            raise OutputError(_cannot(self.path, error)) from None

    def discard(self) -> None:
        with suppress(OSError):
            self._handle.close()
        if self._temporary is not None:
            self._temporary.unlink(missing_ok=True)


@contextmanager
def output_file(path: str, inputs: Iterable[str] = ()) -> Iterator[Output]:
    """An `Output` for `path`, committed when the block ends normally, else removed.

    `inputs` are the files the run reads (or writes elsewhere): an output that is one of
    them is refused, since writing it would destroy the evidence the report rests on.
    """
    output = _open(path, inputs)
    try:
        yield output
        stop_if_signalled()  # a signal whose `Terminated` was swallowed: commit nothing
    except BaseException:
        output.discard()
        raise
    output.commit()


def _open(path: str, inputs: Iterable[str]) -> Output:
    for other in inputs:
        if other != "-" and _same_file(path, other):
            raise OutputError(f"refusing to write {path}: it is also an input or output of "
                              f"this run ({other}); choose another file")
    target = Path(os.path.realpath(path))
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as error:
        raise OutputError(_cannot(path, error)) from None
    if mode is not None and stat.S_ISDIR(mode):
        raise OutputError(f"cannot write {path}: it is a directory")
    try:
        if mode is not None and (stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)):
            return Output(path, open(target, "wb"), None, target)
        handle, temporary = _create_beside(target, mode)
    except OSError as error:
        raise OutputError(_cannot(path, error)) from None
    return Output(path, os.fdopen(handle, "wb"), temporary, target)


def _create_beside(target: Path, mode: int | None) -> tuple[int, Path]:
    """A new file next to `target` with the mode any file the user writes gets (0666 less
    the umask), or the mode of the file it replaces; `mkstemp`'s private 0600 would hide a
    report from the group that is meant to read it."""
    for _ in range(100):
        temporary = target.with_name(f".{target.name}.{secrets.token_hex(6)}")
        try:
            handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        if mode is not None:
            try:
                os.fchmod(handle, stat.S_IMODE(mode))
            except OSError:
                os.close(handle)
                temporary.unlink(missing_ok=True)
                raise
        return handle, temporary
    raise FileExistsError(f"no free temporary name beside {target}")


def _same_file(path: str, other: str) -> bool:
    try:
        return os.path.samefile(path, other)
    except OSError:
        return os.path.realpath(path) == os.path.realpath(other)


def _cannot(path: str, error: OSError) -> str:
    return f"cannot write {path}: {error.strerror or error}"


_received: list[int] = []
"""The signals `cleanup_on_signals` caught. The handler's `Terminated` can be lost: raised
while Python runs a weakref callback or a `__del__` (an import's module lock has one), it is
printed as `Exception ignored in ...` and the run goes on. The signal is kept here so that
no output is committed after it (`output_file`) and the run still ends as stopped."""


def signalled() -> int | None:
    """The first signal caught since `forget_signals`, if any."""
    return _received[0] if _received else None


def stop_if_signalled() -> None:
    """Raise `Terminated` for a signal caught whose own `Terminated` was swallowed."""
    if _received:
        raise Terminated(_received[0])


def forget_signals() -> None:
    """A new command starts: no signal caught yet."""
    _received.clear()


@contextmanager
def cleanup_on_signals() -> Iterator[None]:
    """SIGTERM and SIGHUP raise `Terminated` for the duration, so that every output's
    `except BaseException` removes its temporary file, as Ctrl-C does; a signal whose
    `Terminated` was swallowed is raised again when the block ends."""

    def stop(signum: int, _: FrameType | None) -> None:
        _received.append(signum)
        raise Terminated(signum)

    shown = sys.unraisablehook

    def unraisable(found: sys.UnraisableHookArgs) -> None:
        if not isinstance(found.exc_value, Terminated):  # kept in `_received`: no bug to show
            shown(found)

    previous = {}
    for signum in (signal.SIGTERM, signal.SIGHUP):
        try:
            previous[signum] = signal.signal(signum, stop)
        except ValueError:  # not the main thread: leave the signals alone
            break
    if previous:
        sys.unraisablehook = unraisable
    try:
        yield
        stop_if_signalled()
    finally:
        if previous:
            sys.unraisablehook = shown
        for signum, handler in previous.items():
            signal.signal(signum, handler)
