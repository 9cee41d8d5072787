"""Helpers shared by the actcli.io tests: files written to tmp_path, bit comparisons, real
`actcli` processes with closed streams or a capped address space, device nodes."""

from __future__ import annotations

import contextlib
import io
import os
import resource
import signal
import stat
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest


def bits_equal(a: np.ndarray, b: np.ndarray) -> bool:
    """Same shape, dtype and bits (NaNs compare as NaNs, since text spells every NaN 'nan')."""
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    nan = np.isnan(a)
    if not np.array_equal(nan, np.isnan(b)):
        return False
    ia = a.view(f"u{a.dtype.itemsize}")[~nan]
    ib = b.view(f"u{b.dtype.itemsize}")[~nan]
    return bool(np.array_equal(ia, ib))


def write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    p = tmp_path / name
    if isinstance(data, str):
        p.write_text(data, encoding="utf-8", newline="")
    else:
        p.write_bytes(data)
    return p


def npy_bytes(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=True)
    return buf.getvalue()


# --------------------------------------------------------------------------------------------
# Real `actcli` processes, for behaviour that belongs to processes (streams, signals, memory).

GiB = 1 << 30


def actcli(
    args: list[str],
    cwd: Path,
    *,
    address_space: int | None = None,
    close: tuple[int, ...] = (),
    env: dict[str, str] | None = None,
    timeout: float = 120,
    **kw: Any,
) -> subprocess.CompletedProcess[bytes]:
    """Run ``python -m actcli ARGS`` in ``cwd``; ``address_space`` caps its virtual memory
    (RLIMIT_AS, so that a regression fails the test, not the machine); ``close`` lists standard
    descriptors to close before it starts (as ``>&-`` does)."""

    def setup() -> None:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, signal.SIG_DFL)
        if address_space is not None:
            resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
        for fd in close:
            os.close(fd)

    if "stdout" not in kw and "stderr" not in kw:
        kw["capture_output"] = not close
    return subprocess.run(
        [sys.executable, "-m", "actcli", *args],
        cwd=cwd,
        env={**os.environ, "COLUMNS": "100", **(env or {})},
        preexec_fn=setup,
        timeout=timeout,
        **kw,
    )


def stderr_lines(proc: subprocess.CompletedProcess[bytes]) -> list[str]:
    return proc.stderr.decode("utf-8", "replace").splitlines()


def sparse_npy(path: Path, shape: tuple[int, ...], dtype: str = "float32") -> Path:
    """A big ``.npy`` of zeros that takes no disk space (a sparse file)."""
    arr = np.lib.format.open_memmap(path, mode="w+", dtype=dtype, shape=shape)
    del arr
    return path


def mknod_or_skip(path: Path, major: int, minor: int) -> Path:
    """A character device node (root only): skip the test where it cannot be made."""
    try:
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(major, minor))
    except (PermissionError, OSError) as e:
        pytest.skip(f"cannot create a device node here: {e}")
    return path


class FifoReader:
    """Reads a FIFO to its end in a daemon thread: ``.data`` once :meth:`wait` returns. A run
    that replaced the FIFO instead of writing it never opens it: :meth:`wait` then unblocks the
    reader itself (so no test hangs) and ``.data`` stays None."""

    def __init__(self, path: Path) -> None:
        self.path, self.data = path, None
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        with open(self.path, "rb") as f:
            self.data = f.read()

    def wait(self, timeout: float = 60) -> bytes | None:
        self._thread.join(timeout)
        if self._thread.is_alive():
            with contextlib.suppress(OSError):  # a writer that closes at once: EOF for it
                os.close(os.open(self.path, os.O_WRONLY | os.O_NONBLOCK))
            self._thread.join(5)
            return None
        return self.data
