"""Output: every file actcli writes appears whole or not at all, and ``-o`` never replaces
what it should write to.

What ``-o PATH`` does, by what PATH is (:func:`output_target`):

- a regular file, or nothing yet: the data goes to an unnamed temporary file in the folder
  (Linux ``O_TMPFILE``; elsewhere a hidden ``.actcli-XXXXXXXX.tmp``), which is fsync'ed, named
  and renamed over PATH only when complete. On any failure or terminating signal the temporary
  file is removed and an existing PATH is left untouched; an unnamed one cannot outlive the
  process even under SIGKILL;
- a symlink: its target is replaced that way (the link itself stays);
- ``-``, ``/dev/stdout``, ``/dev/stderr``, ``/dev/fd/N``: that open descriptor, written in place;
- a character device (``/dev/null``) or a FIFO: opened and written in place, never replaced;
- a folder, a block device, a socket: refused.
"""

from __future__ import annotations

import contextlib
import errno
import io
import math
import os
import re
import stat
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any, BinaryIO

import numpy as np
import numpy.typing as npt

from .._frozen import frozen
from ..errors import InputError, OutputError
from .formats import DELIMITERS, FORMATS, TEXT_FORMATS, format_of, shown_path
from .npy import NpyRowsWriter, write_npy, write_npy_data
from .rows import RowsStream
from .signals import signals_deferred
from .streams import note_if_stdout, write_all
from .text import json_chunks, text_chunks

AnyArray = npt.NDArray[Any]


#: Paths that name an open file descriptor of this process rather than a file (compiled by
#: ``re`` on first use: only a path under /dev or /proc pays for it).
_FD_PATHS = r"/dev/(?:std(in|out|err)|fd/(\d+))|/proc/self/fd/(\d+)"
_STD_FDS = {"in": 0, "out": 1, "err": 2}


@frozen(eq=True)
class Target:
    """What writing to an output path means: a file replaced atomically (``path``), or an open
    descriptor (``fd``) or a device or FIFO (``path`` with ``through``) written in place."""

    path: str | None = None
    fd: int | None = None
    through: bool = False

    @property
    def is_stream(self) -> bool:
        """Written in place, front to back (no seeking, no renaming)."""
        return self.fd is not None or self.through


def output_target(path: str | os.PathLike[str]) -> Target:
    """Decide how ``path`` is written (see the module docstring), or refuse it.

    Raises:
        OutputError: a folder, a block device, a socket, or a closed descriptor.
    """
    text = os.fspath(path)
    if text == "-":
        return Target(fd=1)
    norm = os.path.normpath(text) if text.startswith("/") else ""
    m = re.fullmatch(_FD_PATHS, norm) if norm.startswith(("/dev/", "/proc/")) else None
    if m is not None:
        fd = _STD_FDS[m[1]] if m[1] else int(m[2] or m[3])
        try:
            os.fstat(fd)
        except OSError:
            raise OutputError(f"cannot write '{shown_path(text)}': it is closed") from None
        return Target(fd=fd)
    try:
        st = os.stat(text)  # follows symlinks: what the name leads to decides
    except FileNotFoundError:
        if os.path.islink(text):  # a dangling symlink: create what it points at
            return Target(path=os.path.realpath(text))
        return Target(path=text)
    except OSError as e:
        if os.path.islink(text):
            # A link whose target cannot be checked (no permission on the way, a loop): never
            # replace the link itself by a file, as a shell's > would refuse too.
            why = e.strerror or str(e)
            raise OutputError(f"cannot write '{shown_path(text)}': {why} (a symlink)") from None
        return Target(path=text)  # the error is reported when the file is created
    if stat.S_ISREG(st.st_mode):
        return Target(path=os.path.realpath(text) if os.path.islink(text) else text)
    if stat.S_ISCHR(st.st_mode) or stat.S_ISFIFO(st.st_mode):
        return Target(path=text, through=True)
    what = (
        "a folder"
        if stat.S_ISDIR(st.st_mode)
        else "a block device"
        if stat.S_ISBLK(st.st_mode)
        else "not a file, FIFO or character device"
    )
    raise OutputError(f"cannot write '{shown_path(text)}': it is {what}")


def writes_through(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is written in place (stdout, a device, a FIFO): no extension is added
    to it, and it is not replaced."""
    try:
        return output_target(path).is_stream
    except OutputError:
        return False


def check_output_folder(path: str | os.PathLike[str]) -> None:
    """Raise the :func:`atomic_write` error now if ``path`` cannot be written (its folder is
    missing or read-only, or it is a folder or a block device).

    For commands that compute for minutes before they write (``bench -o``): a typo in the
    folder should cost a second, not the run.
    """
    target = output_target(path)
    if target.is_stream or target.path is None:
        return
    folder = Path(target.path).parent
    if not folder.is_dir():
        raise OutputError(f"cannot write '{shown_path(path)}': No such file or directory")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write '{shown_path(path)}': Permission denied")


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike[str]) -> Iterator[BinaryIO]:
    """A binary stream whose content becomes ``path`` only once the block completes.

    A regular file (or a new one) is written to an unnamed temporary file in its folder
    (``O_TMPFILE``; a hidden ``.actcli-XXXXXXXX.tmp`` where the file system has none), fsync'ed,
    and renamed over ``path`` at the end; on any exception or interrupting signal the temporary
    file is removed and ``path`` is left as it was. The new file gets the old file's
    permissions, or the usual ones (0666 minus umask). A symlink keeps pointing where it did:
    its target is replaced. ``-``, ``/dev/stdout``, ``/dev/fd/N``, character devices
    (``/dev/null``) and FIFOs are written in place, as they are not files to replace.

    Raises:
        OutputError: the folder does not exist or cannot be written, or ``path`` is a folder,
            a block device or a socket.
    """
    target = output_target(path)
    if target.is_stream:
        with _write_in_place(target, path) as f:
            yield f
        return
    assert target.path is not None
    dest = Path(target.path)
    try:
        mode = dest.stat().st_mode & 0o7777
    except OSError:
        mode = None
    # The names a temporary file may have, recorded before the call that creates each: a
    # signal raised just after that call returns still finds it here and removes it.
    names: list[Path] = []
    try:
        with signals_deferred():
            fd = _create_temp(dest, shown_path(path), names)
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            if mode is not None:
                os.fchmod(f.fileno(), mode)
            os.fsync(f.fileno())
            with signals_deferred():
                if not names:  # unnamed: give it a name only now, and rename it at once
                    _link_unnamed(f.fileno(), dest, shown_path(path), names)
                os.replace(names[-1], dest)
                names.clear()
    except OSError as e:
        _remove(names)
        if isinstance(e, OutputError):
            raise
        raise OutputError(f"cannot write '{shown_path(path)}': {e.strerror or e}") from None
    except BaseException:
        _remove(names)
        raise
    _fsync_folder(dest.parent)


def _remove(names: list[Path]) -> None:
    for name in names:
        with contextlib.suppress(OSError):
            os.unlink(name)


@contextlib.contextmanager
def _write_in_place(target: Target, path: str | os.PathLike[str]) -> Iterator[BinaryIO]:
    if target.fd in (1, 2):  # Python's own stdout / stderr (what a test runner captures)
        stream = sys.stdout if target.fd == 1 else sys.stderr
        stream.flush()
        binary: BinaryIO = stream.buffer
        note_if_stdout(binary)
        yield binary
        binary.flush()
        return
    if target.fd is not None:
        f = open(target.fd, "wb", closefd=False)  # noqa: SIM115 (closed below)
    else:
        assert target.path is not None
        try:  # a FIFO waits here for its reader, as a shell's `>` does
            fd = os.open(target.path, os.O_WRONLY | getattr(os, "O_CLOEXEC", 0))
        except OSError as e:
            raise OutputError(f"cannot write '{shown_path(path)}': {e.strerror or e}") from None
        f = os.fdopen(fd, "wb")
    with f:
        yield f
        f.flush()


def _create_temp(dest: Path, shown: str, names: list[Path]) -> int:
    """An unnamed temporary file in ``dest``'s folder (Linux ``O_TMPFILE``, which no signal,
    not even SIGKILL, can leave behind), else a named one, whose name is added to ``names``.
    Read-write, so that npy_output can memory-map the file it is writing."""
    folder = dest.parent
    flags = os.O_RDWR | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    unnamed = getattr(os, "O_TMPFILE", 0)
    if unnamed and os.path.isdir("/proc/self/fd"):
        try:
            return os.open(folder, flags | unnamed, 0o666)
        except OSError as e:
            if e.errno not in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL):
                raise OutputError(f"cannot write '{shown}': {e.strerror or e}") from None
    for _ in range(100):
        names.append(_temp_name(folder))
        try:
            return os.open(names[-1], flags | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            names.pop()  # someone else's
            continue
        except OSError as e:
            names.pop()
            raise OutputError(f"cannot write '{shown}': {e.strerror or e}") from None
    raise OutputError(f"cannot create a temporary file next to '{shown}'")  # pragma: no cover


def _temp_name(folder: Path) -> Path:
    # A fixed, short name (not the target's name plus a suffix): any name the file system
    # allows for the output (up to 255 bytes) still works.
    return folder / f".actcli-{os.urandom(4).hex()}.tmp"


def _link_unnamed(fd: int, dest: Path, shown: str, names: list[Path]) -> None:
    """Give the unnamed file ``fd`` a temporary name in ``dest``'s folder (added to ``names``)."""
    # linkat(AT_SYMLINK_FOLLOW) through /proc: os.link calls it (rather than link(), which
    # would link the /proc symlink itself) only when given a directory descriptor.
    folder = os.open(dest.parent, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        for _ in range(100):
            names.append(_temp_name(dest.parent))
            try:
                os.link(
                    f"/proc/self/fd/{fd}", names[-1].name, dst_dir_fd=folder, follow_symlinks=True
                )
            except FileExistsError:
                names.pop()  # someone else's
                continue
            return
    finally:
        os.close(folder)
    raise OutputError(f"cannot name a temporary file next to '{shown}'")  # pragma: no cover


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
) -> Iterator[NpyRowsWriter | RowsStream]:
    """A new ``.npy`` file written block by block (``out[a:b] = rows``) through
    :func:`atomic_write`, so it replaces ``path`` only once complete.

    The file's space is reserved up front, so a full disk is an :class:`OutputError` at once,
    not halfway. Writing over the input being read is safe: :class:`NpyRows` holds the old
    file open until it is done. Where ``path`` is written in place (stdout, a FIFO, a device)
    the rows go out in order as they come (:class:`~actcli.io.rows.RowsStream`).
    """
    dt = np.dtype(dtype)
    if output_target(path).is_stream:
        with atomic_write(path) as stream:
            info = {"descr": np.lib.format.dtype_to_descr(dt), "fortran_order": False}
            np.lib.format.write_array_header_1_0(stream, {**info, "shape": shape})
            rows = RowsStream(shape, dt, shown_path(path), lambda b: write_npy_data(stream, b))
            yield rows
            rows.finish()
        return
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


@contextlib.contextmanager
def text_output(
    path: str | os.PathLike[str], shape: tuple[int, ...], dtype: npt.DTypeLike, fmt: str
) -> Iterator[RowsStream]:
    """A 1-D or 2-D result written as delimited text (``csv``, ``tsv``, ``txt``) block by block
    as it is computed (``out[a:b] = rows``), through :func:`atomic_write`: a big input becomes
    CSV on stdout or in a file with one block in memory.

    Raises:
        InputError: ``fmt`` is not delimited text, or the result has more than 2 dimensions.
    """
    check_writable(np.empty((0,) * len(shape)), fmt)
    if fmt not in TEXT_FORMATS:
        raise InputError(f"text_output writes {', '.join(sorted(TEXT_FORMATS))}, not {fmt}")

    def emit(block: AnyArray) -> None:
        for chunk in text_chunks(block, DELIMITERS[fmt]):
            write_all(stream, chunk.encode("ascii"))

    with atomic_write(path) as stream:
        note_if_stdout(stream)
        rows = RowsStream(shape, dtype, shown_path(path), emit)
        yield rows
        rows.finish()


def save_array(
    path: str | os.PathLike[str],
    arr: npt.ArrayLike,
    *,
    fmt: str | None = None,
    key: str = "arr_0",
    header: Sequence[str] | None = None,
) -> None:
    """Write ``arr`` to ``path`` atomically, in ``fmt`` (default: from the extension).

    ``.npz`` files hold the one array under ``key``. Text formats hold 0-D, 1-D or 2-D data
    (1-D as one value per line), after a ``header`` row of column names if given (other
    formats ignore it); JSON holds any shape as nested lists.

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
                write_array(f, a, fmt, header)
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


def write_array(
    stream: IO[bytes], arr: npt.ArrayLike, fmt: str, header: Sequence[str] | None = None
) -> None:
    """Write ``arr`` to a binary stream as ``npy``, ``csv``, ``tsv``, ``txt`` or ``json``
    (text after a ``header`` row of column names, if given)."""
    a = np.asarray(arr)
    check_writable(a, fmt)
    note_if_stdout(stream)
    if fmt == "npy":
        write_npy(stream, a)
    elif fmt == "npz":
        np.savez(stream, arr_0=a)
    else:
        chunks = json_chunks(a) if fmt == "json" else text_chunks(a, DELIMITERS[fmt], header)
        for chunk in chunks:
            write_all(stream, chunk.encode("utf-8"))
