"""The memory budget: how many bytes a reader may allocate for one array.

Nothing is allocated or inflated from a claim before it is checked: the readers call
:func:`check_budget` with what the data will take in memory, and it is refused if it exceeds
:func:`memory_budget`, the memory available now (``MemAvailable``) lowered to what the
address-space limit (``RLIMIT_AS``) leaves this process.
"""

from __future__ import annotations

import contextlib
import os

from ..errors import InputError

_BUDGET_FREE_BYTES = 1 << 24  # reads this small skip the memory check (it costs a /proc read)


def memory_budget() -> int:
    """The most bytes a reader may allocate for one array: the memory available now
    (``MemAvailable`` on Linux, else the free physical memory), lowered to what the
    address-space limit (``RLIMIT_AS``) leaves this process, if one is set."""
    budget = _available_memory()
    try:
        import resource

        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
        unlimited = soft in (resource.RLIM_INFINITY, -1)
    except (ImportError, OSError, ValueError):  # pragma: no cover - not POSIX
        return budget
    if not unlimited:
        budget = min(budget, max(0, soft - _address_space_used()))
    return budget


def _available_memory() -> int:
    with contextlib.suppress(OSError, ValueError, IndexError), open("/proc/meminfo", "rb") as f:
        for line in f:
            if line.startswith(b"MemAvailable:"):
                return int(line.split()[1]) * 1024
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, OSError, ValueError):  # pragma: no cover - not POSIX
        return 1 << 62  # unknown: no limit beyond the file's own size


def _address_space_used() -> int:
    with contextlib.suppress(OSError, ValueError, IndexError), open("/proc/self/status", "rb") as f:
        for line in f:
            if line.startswith(b"VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def check_budget(nbytes: int, name: str, what: str, before: str = "reading it") -> None:
    """Refuse to allocate ``nbytes`` for ``name`` if they do not fit in :func:`memory_budget`.

    The message reads "{name} {what} {size}, more than the ... of memory available; refused
    before {before}".
    """
    if nbytes <= _BUDGET_FREE_BYTES:
        return
    budget = memory_budget()
    if nbytes > budget:
        raise InputError(
            f"{name} {what} {size_text(nbytes)}, more than the {size_text(budget)} of memory "
            f"available; refused before {before}"
        )


def size_text(nbytes: int) -> str:
    """``nbytes`` for a message: ``1.5 GB``, ``12.0 kB``, ``100 bytes``."""
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("kB", 1 << 10)):
        if nbytes >= scale:
            return f"{nbytes / scale:.1f} {unit}"
    return f"{nbytes} bytes"
