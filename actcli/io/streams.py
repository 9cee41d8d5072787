"""The process's standard streams: closed ones made harmless, stdout's use noted, broken pipes.

- A standard stream that is closed when actcli starts (``>&-``, ``<&-``, ``2>&-``: cron jobs and
  daemons run like this) is reopened on ``/dev/null``, so that no file actcli opens later takes
  its number, and Python's ``sys.stdin``/``sys.stdout``/``sys.stderr`` (None then) are made
  again. A closed stdin reads as empty, a closed stderr discards messages (the exit code still
  tells), and a result sent to a closed stdout is an error, ``standard output is closed``.
- A reader that goes away (``actcli ... | head -1``) is the broken-pipe convention: after
  :func:`silence_stdout` the CLI exits quietly with 141 (128 + SIGPIPE), what a shell reports
  for a process that SIGPIPE ended.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import sys
from typing import Any

#: Set once any result bytes went to standard output (an interrupted run then says so).
_state = {"stdout_written": False}


class _ClosedOutput(io.BufferedIOBase):
    """A standard output or error that was closed when the process started."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self._name = name

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def write(self, data: Any, /) -> int:
        raise OSError(errno.EBADF, f"{self._name} is closed")


def repair_standard_streams() -> None:
    """Reopen closed standard file descriptors on ``/dev/null`` and rebuild ``sys.std*``."""
    closed = set()
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            closed.add(fd)
            null = os.open(os.devnull, os.O_RDONLY if fd == 0 else os.O_WRONLY)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
    if sys.stdin is None:
        sys.stdin = open(0, closefd=False)  # noqa: SIM115 (the process's own stream)
    if sys.stdout is None:
        if 1 in closed:
            sys.stdout = io.TextIOWrapper(_ClosedOutput("standard output"), write_through=True)
        else:  # pragma: no cover - Python sets None only for a closed descriptor
            sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115
    if sys.stderr is None:
        sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115 (on /dev/null if it was closed)


def note_if_stdout(stream: Any) -> None:
    """Record that result bytes are going to standard output, if ``stream`` is it."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        if stream.fileno() == 1:
            _state["stdout_written"] = True


def stdout_written() -> bool:
    """Whether any result went to standard output in this process."""
    return _state["stdout_written"]


def silence_stdout() -> None:
    """After a broken pipe: point standard output at ``/dev/null``, so that the flush at exit
    has nowhere to fail (what Python's documentation recommends for SIGPIPE)."""
    with contextlib.suppress(OSError):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.close(null)


_PIECE = 1 << 20


def write_all(stream: Any, data: bytes | memoryview) -> None:
    """Write every byte of ``data``, in pieces of at most 1 MiB, or raise.

    A buffered stream may take only part of a large write without raising (CPython's
    BufferedWriter returns 65536 when a pipe's reader goes away in the middle of a 10 MB write):
    looping on the count gets the ``BrokenPipeError`` the next write owes.
    """
    view = memoryview(data).cast("B")
    while view:
        piece = view[:_PIECE]
        n = stream.write(piece)
        view = view[len(piece) if n is None else n :]
