"""Atomic output: every file actcli writes appears whole or not at all.

The data goes to a temporary file in the target folder, which is flushed, fsync'ed and renamed
over the target only when complete. On any failure the temporary file is removed and an
existing output is left untouched.
"""

from __future__ import annotations

import contextlib
import io
import math
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, BinaryIO

import numpy as np
import numpy.typing as npt

from ..errors import InputError, OutputError
from .formats import DELIMITERS, FORMATS, TEXT_FORMATS, format_of, shown_path
from .npy import NpyRowsWriter, write_npy
from .text import json_chunks, text_chunks

AnyArray = npt.NDArray[Any]


def check_output_folder(path: str | os.PathLike[str]) -> None:
    """Raise the :func:`atomic_write` error now if ``path``'s folder is missing or read-only.

    For commands that compute for minutes before they write (``bench -o``): a typo in the
    folder should cost a second, not the run.
    """
    target = Path(path)
    folder = target.parent
    if not folder.is_dir():
        raise OutputError(f"cannot write '{shown_path(target)}': No such file or directory")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write '{shown_path(target)}': Permission denied")


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike[str]) -> Iterator[BinaryIO]:
    """Open a temporary file next to ``path``; on success it is fsync'ed and renamed to ``path``.

    On any exception (or Ctrl-C) the temporary file is removed and ``path`` is left as it was.
    The new file gets the existing file's permissions, or the usual ones (0666 minus umask).

    Raises:
        OutputError: the folder does not exist or cannot be written.
    """
    target = Path(path)
    folder = target.parent
    try:
        mode = target.stat().st_mode & 0o7777
    except OSError:
        mode = None
    tmp: Path | None = None
    try:
        # Ctrl-C and SIGTERM wait while the file is created: a signal landing between its
        # creation and the assignment would leave a temporary file nobody knows to remove.
        with _signals_deferred():
            tmp, fd = _create_temp(target)
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise
    _fsync_folder(folder)


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back for the duration of the block (main thread, POSIX)."""
    import signal
    import threading

    held = {signal.SIGINT, signal.SIGTERM}
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not (
        threading.main_thread()
    ):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _create_temp(target: Path) -> tuple[Path, int]:
    # Read-write, so that npy_output can memory-map the file it is writing.
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = target.with_name(f".{target.name}.{os.urandom(4).hex()}.tmp")
        try:
            return tmp, os.open(tmp, flags, 0o666)
        except FileExistsError:
            continue
        except OSError as e:
            raise OutputError(f"cannot write '{shown_path(target)}': {e.strerror or e}") from None
    where = shown_path(target)
    raise OutputError(f"cannot create a temporary file next to '{where}'")  # pragma: no cover


def _fsync_folder(folder: Path) -> None:
    if os.name != "posix":  # pragma: no cover
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def npy_output(
    path: str | os.PathLike[str], shape: tuple[int, ...], dtype: npt.DTypeLike
) -> Iterator[NpyRowsWriter]:
    """A new ``.npy`` file written block by block (``out[a:b] = rows``) through
    :func:`atomic_write`, so it replaces ``path`` only once complete.

    The file's space is reserved up front, so a full disk is an :class:`OutputError` at once,
    not halfway. Writing over the input being read is safe: :class:`NpyRows` holds the old
    file open until it is done.
    """
    dt = np.dtype(dtype)
    header = io.BytesIO()
    descr = np.lib.format.dtype_to_descr(dt)
    np.lib.format.write_array_header_1_0(
        header, {"descr": descr, "fortran_order": False, "shape": shape}
    )
    offset = len(header.getvalue())
    size = offset + math.prod(shape) * dt.itemsize
    with atomic_write(path) as f:
        try:
            f.write(header.getvalue())
            f.flush()
            if hasattr(os, "posix_fallocate") and size > offset:
                os.posix_fallocate(f.fileno(), 0, size)
            else:
                f.truncate(size)
        except OSError as e:
            raise OutputError(f"cannot write '{shown_path(path)}': {e.strerror or e}") from None
        yield NpyRowsWriter(f, shape, dt, offset)


def save_array(
    path: str | os.PathLike[str],
    arr: npt.ArrayLike,
    *,
    fmt: str | None = None,
    key: str = "arr_0",
) -> None:
    """Write ``arr`` to ``path`` atomically, in ``fmt`` (default: from the extension).

    ``.npz`` files hold the one array under ``key``. Text formats hold 0-D, 1-D or 2-D data
    (1-D as one value per line); JSON holds any shape as nested lists.

    Raises:
        InputError: the format cannot hold this array (text with more than 2 dimensions).
        OutputError: the file cannot be written; nothing is left behind.
    """
    a = np.asarray(arr)
    fmt = fmt or format_of(path)
    check_writable(a, fmt)
    try:
        with atomic_write(path) as f:
            if fmt == "npz":
                np.savez(f, **{key: a})  # type: ignore[arg-type]
            else:
                write_array(f, a, fmt)
    except OutputError:
        raise
    except OSError as e:
        raise OutputError(f"cannot write '{shown_path(path)}': {e.strerror or e}") from None


def check_writable(arr: AnyArray, fmt: str) -> None:
    """Raise :class:`InputError` if ``fmt`` cannot hold ``arr`` (text formats: at most 2-D)."""
    if fmt not in (*FORMATS.values(),):
        raise InputError(f"unknown output format {fmt!r}; expected one of: {', '.join(FORMATS)}")
    if fmt in TEXT_FORMATS and arr.ndim > 2:
        raise InputError(
            f"{fmt.upper()} holds 1-D or 2-D data, but the result has shape {arr.shape}; "
            "write .npy, .npz or .json instead (JSON keeps any shape)"
        )


def write_array(stream: IO[bytes], arr: npt.ArrayLike, fmt: str) -> None:
    """Write ``arr`` to a binary stream as ``npy``, ``csv``, ``tsv``, ``txt`` or ``json``."""
    a = np.asarray(arr)
    check_writable(a, fmt)
    if fmt == "npy":
        write_npy(stream, a)
    elif fmt == "npz":
        np.savez(stream, arr_0=a)
    else:
        chunks = json_chunks(a) if fmt == "json" else text_chunks(a, DELIMITERS[fmt])
        for chunk in chunks:
            stream.write(chunk.encode("ascii"))
