"""The signals that end a run, and a way to hold them back while a temporary file is named.

Every signal whose default action ends the process and that a program can catch is handled
alike by the CLI (:func:`terminating_signals`): it unwinds the run like Ctrl-C, so the atomic
writers remove what they started. Signals that are ignored when actcli starts (``nohup``'s
SIGHUP, a background job's SIGINT) stay ignored. SIGPIPE is not among them: Python ignores it,
and a closed pipe surfaces as a write error (see :mod:`actcli.io.streams`). SIGKILL cannot be
caught; :mod:`actcli.io.output` uses unnamed temporary files where it can so that nothing
survives it either.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

#: Signals that terminate by default and may be caught; not the faults a program raises itself
#: (SIGSEGV, SIGFPE, SIGBUS, SIGILL, SIGABRT, SIGTRAP, SIGSYS), nor SIGPIPE and SIGXFSZ, which
#: Python ignores so that they surface as OSError.
_TERMINATING = (
    "SIGHUP",
    "SIGINT",
    "SIGQUIT",
    "SIGTERM",
    "SIGUSR1",
    "SIGUSR2",
    "SIGALRM",
    "SIGVTALRM",
    "SIGPROF",
    "SIGXCPU",
    "SIGIO",
    "SIGPWR",
    "SIGSTKFLT",
)


def terminating_signals() -> list[int]:
    """The catchable signals whose default action ends the process, real-time ones included."""
    found = [int(getattr(signal, name)) for name in _TERMINATING if hasattr(signal, name)]
    if hasattr(signal, "SIGRTMIN"):
        found.extend(range(signal.SIGRTMIN, signal.SIGRTMAX + 1))
    return list(dict.fromkeys(found))


def signal_name(signum: int) -> str:
    """``SIGHUP`` for 1, ``SIGRTMIN+3`` for a real-time signal."""
    rtmin = getattr(signal, "SIGRTMIN", None)
    if rtmin is not None and rtmin < signum < signal.SIGRTMAX:
        return f"SIGRTMIN+{signum - rtmin}"
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold every terminating signal back for the duration of the block (main thread, POSIX).

    Used around the few steps that name a temporary file: a signal landing between its creation
    and the bookkeeping would leave a file nobody knows to remove.
    """
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not (
        threading.main_thread()
    ):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, terminating_signals())
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
