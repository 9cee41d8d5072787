"""Reading one array from a file (format from its extension) or a stream (format from content).

Every input is opened once. Standard input, FIFOs and devices (whose size is not known before
they are read) are read in chunks and refused once they hold more than their share of the memory
budget: half of it for binary data, an eighth for text (a 24th for JSON), what parsing them needs.
"""

from __future__ import annotations

import io
import os
import stat
from typing import Any, BinaryIO, Literal, Protocol

import numpy.typing as npt

from ..errors import InputError
from . import budget
from .formats import format_of, shown_path
from .npy import NPY_MAGIC, ZIP_MAGIC, load_npz, read_npy
from .text import TEXT_EXPANSION, parse_text

AnyArray = npt.NDArray[Any]


class ByteSource(Protocol):
    """What :func:`read_stream` reads: a binary stream such as ``sys.stdin.buffer``."""

    def read(self, n: int = -1, /) -> bytes: ...

    def isatty(self) -> bool: ...


_STREAM_CHUNK = 1 << 20


def load_array(
    path: str | os.PathLike[str],
    *,
    key: str | None = None,
    mmap_mode: Literal["r"] | None = None,
) -> AnyArray:
    """Read the array stored in ``path`` (format from its extension).

    Args:
        path: a ``.npy``, ``.npz``, ``.csv``, ``.tsv``, ``.txt`` or ``.json`` file.
        key: the array to take from an ``.npz`` holding several (one array is taken as is).
        mmap_mode: ``"r"`` memory-maps a non-empty ``.npy`` (read-only, data left in the file,
            byte order and memory order as stored); other formats ignore it.

    Returns:
        A numeric array (bool, integer or float; text formats give float64).

    Raises:
        InputError: the file cannot be read or does not hold one usable numeric array.
    """
    fmt = format_of(path)
    if key is not None and fmt != "npz":
        raise InputError(f"a key ({key!r}) only applies to .npz files, not '{shown_path(path)}'")
    name = shown_path(path)
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # a FIFO, /dev/zero...: no size to trust
            return _load_stream_file(path, fmt, key, name)
        if fmt == "npy":
            with open(path, "rb") as f:
                return read_npy(f, os.fstat(f.fileno()).st_size, name, mmap_mode, path)
        if fmt == "npz":
            return load_npz(path, key, name)
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            budget.check_budget(size * TEXT_EXPANSION[fmt == "json"], name, "needs about")
            data = f.read()
    except (IsADirectoryError, NotADirectoryError, FileNotFoundError, PermissionError) as e:
        raise InputError(f"cannot read '{name}': {e.strerror}") from None
    except OSError as e:
        raise InputError(f"cannot read '{name}': {e.strerror or e}") from None
    return parse_text(data, name, json_text=fmt == "json")


def _load_stream_file(
    path: str | os.PathLike[str], fmt: str, key: str | None, name: str
) -> AnyArray:
    """A file that is not a regular file (a FIFO, a device, ``/proc``): opened once and read
    front to back, up to what the data may take in memory (its size is not known up front).
    What cannot be the format named by the extension (``/dev/zero`` as ``.npz``) is refused
    from its first bytes."""
    with open(path, "rb") as f:
        if fmt == "npy":  # the header says how much follows: read exactly that
            return read_npy(f, 1 << 62, name, None, None)
        share = 2 if fmt == "npz" else TEXT_EXPANSION[fmt == "json"]
        data = _read_limited(f, name, share, fmt)
    if fmt == "npz":
        return load_npz(io.BytesIO(data), key, name)
    return parse_text(data, name, json_text=fmt == "json")


def _read_limited(
    stream: ByteSource | BinaryIO, name: str, share: int, fmt: str | None = None
) -> bytes:
    """Everything ``stream`` holds, read in chunks; refused once that is more than 1/``share``
    of the memory budget, or at the first chunk if it cannot start a ``fmt`` file (NUL bytes in
    text, no ZIP magic)."""
    limit = budget.memory_budget() // share
    part = "half" if share == 2 else f"1/{share}"
    chunks: list[bytes] = []
    total = 0
    try:
        while chunk := stream.read(_STREAM_CHUNK):
            if not chunks:
                _check_start(chunk, name, fmt)
            total += len(chunk)
            if total > limit:
                raise InputError(
                    f"{name} holds more than {budget.size_text(limit)}, {part} the memory "
                    "available; refused (give a regular file: a .npy is memory-mapped)"
                )
            chunks.append(chunk)
    except OSError as e:
        raise InputError(f"cannot read {name}: {e.strerror or e}") from None
    data = b"".join(chunks)
    del chunks
    return data


def _check_start(chunk: bytes, name: str, fmt: str | None) -> None:
    if fmt is None:  # stdin: NPY, NPZ or text, told by the content
        if b"\0" in chunk and not chunk.startswith((NPY_MAGIC, ZIP_MAGIC)):
            raise InputError(f"{name} is binary data (NUL bytes), neither NPY, NPZ nor text")
        return
    if fmt == "npz" and not chunk.startswith(ZIP_MAGIC[: len(chunk)]):
        raise InputError(f"{name} is not a valid .npz archive (no ZIP magic number)")
    if fmt != "npz" and b"\0" in chunk:
        raise InputError(f"{name} is binary data (NUL bytes), not {fmt.upper()} text")


def read_stream(stream: ByteSource, *, key: str | None = None, name: str = "<stdin>") -> AnyArray:
    """Read one array from a binary stream (stdin): NPY, NPZ, JSON or delimited text.

    The format is told from the content: the NPY magic, the ZIP magic, a leading ``[`` (JSON),
    anything else is delimited text. The stream is read in chunks, and refused once it holds
    more than half of :func:`memory_budget` (the chunks are then joined into one copy).
    """
    data = _read_limited(stream, name, 2)
    return parse_bytes(data, key=key, name=name)


def parse_bytes(data: bytes, *, key: str | None = None, name: str = "<stdin>") -> AnyArray:
    """Parse a whole file's bytes, telling the format from the content (see :func:`read_stream`)."""
    if data.startswith(NPY_MAGIC):
        if key is not None:
            raise InputError(f"a key ({key!r}) only applies to .npz data, but {name} is NPY")
        return read_npy(io.BytesIO(data), len(data), name, None, None)
    if data.startswith(ZIP_MAGIC):
        return load_npz(io.BytesIO(data), key, name)
    if key is not None:
        raise InputError(f"a key ({key!r}) only applies to .npz data, but {name} is text")
    json_text = data.removeprefix(b"\xef\xbb\xbf").lstrip()[:1] == b"["  # after a UTF-8 BOM
    return parse_text(data, name, json_text=json_text)
