"""Reading one array from a file (format from its extension) or a stream (format from content).

Every input is opened once. Standard input, FIFOs and devices (whose size is not known before
they are read) are read in chunks and refused once they hold more than their share of the memory
budget: half of it for binary data, an eighth for delimited text (a tenth for JSON), what
reading them needs. Delimited text is parsed chunk by chunk as it is read.
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
from .text import TEXT_EXPANSION, DelimitedParser, parse_json

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
    columns: list[str] | None = None,
) -> AnyArray:
    """Read the array stored in ``path`` (format from its extension).

    Args:
        path: a ``.npy``, ``.npz``, ``.csv``, ``.tsv``, ``.txt`` or ``.json`` file.
        key: the array to take from an ``.npz`` holding several (one array is taken as is).
        mmap_mode: ``"r"`` memory-maps a non-empty ``.npy`` (read-only, data left in the file,
            byte order and memory order as stored); other formats ignore it.
        columns: if given, receives the column names of a delimited text file's header row
            (left empty when it has none).

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
            return _load_stream_file(path, fmt, key, name, columns)
        if fmt == "npy":
            with open(path, "rb") as f:
                return read_npy(f, os.fstat(f.fileno()).st_size, name, mmap_mode, path)
        if fmt == "npz":
            return load_npz(path, key, name)
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            budget.check_budget(size * TEXT_EXPANSION[fmt == "json"], name, "needs about")
            if fmt != "json":
                return _parse_chunks(f, name, columns=columns)
            data = f.read()
    except (IsADirectoryError, NotADirectoryError, FileNotFoundError, PermissionError) as e:
        raise InputError(f"cannot read '{name}': {e.strerror}") from None
    except OSError as e:
        raise InputError(f"cannot read '{name}': {e.strerror or e}") from None
    return parse_json(data, name)


def _parse_chunks(
    stream: ByteSource | BinaryIO,
    name: str,
    first: bytes = b"",
    limit: int | None = None,
    part: str = "",
    fmt: str | None = None,
    columns: list[str] | None = None,
) -> AnyArray:
    """Delimited text parsed chunk by chunk as ``stream`` is read (``first``: what was read
    already); refused once more than ``limit`` bytes were read, or from its first chunk if that
    cannot start a ``fmt`` file. ``columns`` receives the header's names."""
    parser = DelimitedParser(name)
    total = 0
    chunk = first
    while True:
        if chunk:
            if fmt is not None and not total:
                _check_start(chunk, name, fmt)
            total += len(chunk)
            if limit is not None and total > limit:
                raise InputError(
                    f"{name} holds more than {budget.size_text(limit)}, {part} the memory "
                    "available; refused (give a regular file: a .npy is memory-mapped)"
                )
            parser.feed(chunk)
        try:
            chunk = stream.read(_STREAM_CHUNK)
        except OSError as e:
            raise InputError(f"cannot read {name}: {e.strerror or e}") from None
        if not chunk:
            arr = parser.close()
            if columns is not None and parser.header is not None:
                columns[:] = parser.header
            return arr


def _load_stream_file(
    path: str | os.PathLike[str],
    fmt: str,
    key: str | None,
    name: str,
    columns: list[str] | None = None,
) -> AnyArray:
    """A file that is not a regular file (a FIFO, a device, ``/proc``): opened once and read
    front to back, up to what the data may take in memory (its size is not known up front).
    What cannot be the format named by the extension (``/dev/zero`` as ``.npz``) is refused
    from its first bytes."""
    with open(path, "rb") as f:
        if fmt == "npy":  # the header says how much follows: read exactly that
            return read_npy(f, 1 << 62, name, None, None)
        share = 2 if fmt == "npz" else TEXT_EXPANSION[fmt == "json"]
        if fmt not in ("npz", "json"):
            limit = budget.memory_budget() // share
            part = _share_text(share)
            return _parse_chunks(f, name, limit=limit, part=part, fmt=fmt, columns=columns)
        data = _read_limited(f, name, share, fmt)
    if fmt == "npz":
        return load_npz(io.BytesIO(data), key, name)
    return parse_json(data, name)


def _share_text(share: int) -> str:
    return "half" if share == 2 else f"1/{share}"


def _read_limited(
    stream: ByteSource | BinaryIO, name: str, share: int, fmt: str | None = None, first: bytes = b""
) -> bytes:
    """Everything ``stream`` holds, read in chunks; refused once that is more than 1/``share``
    of the memory budget, or at the first chunk if it cannot start a ``fmt`` file (NUL bytes in
    text, no ZIP magic)."""
    limit = budget.memory_budget() // share
    part = _share_text(share)
    chunks: list[bytes] = [first] if first else []
    total = len(first)
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


def read_stream(
    stream: ByteSource,
    *,
    key: str | None = None,
    name: str = "<stdin>",
    columns: list[str] | None = None,
) -> AnyArray:
    """Read one array from a binary stream (stdin): NPY, NPZ, JSON or delimited text
    (``columns`` receives its header's names, as for :func:`load_array`).

    The format is told from the content: the NPY magic, the ZIP magic, a leading ``[`` (JSON),
    anything else is delimited text. The stream is read in chunks, and refused once it holds
    more than its share of :func:`memory_budget` (half for NPY/NPZ and JSON, whose chunks are
    then joined into one copy; an eighth for delimited text, parsed chunk by chunk).
    """
    first = b""
    rest: ByteSource = stream
    try:  # enough to tell the format (a pipe may give fewer bytes than asked)
        while len(first) < 64:
            more = stream.read(_STREAM_CHUNK)
            if not more:
                rest = io.BytesIO()  # at its end: read no more (stdin feeds one reader)
                break
            first += more
    except OSError as e:
        raise InputError(f"cannot read {name}: {e.strerror or e}") from None
    if not first.startswith((NPY_MAGIC, ZIP_MAGIC)) and not _is_json(first):
        if key is not None:
            raise InputError(f"a key ({key!r}) only applies to .npz data, but {name} is text")
        if b"\0" in first:
            raise InputError(f"{name} is binary data (NUL bytes), neither NPY, NPZ nor text")
        limit = budget.memory_budget() // TEXT_EXPANSION[False]
        part = _share_text(TEXT_EXPANSION[False])
        return _parse_chunks(rest, name, first, limit, part, columns=columns)
    data = _read_limited(rest, name, 2, None, first)
    return parse_bytes(data, key=key, name=name)


def _is_json(start: bytes) -> bool:
    return start.removeprefix(b"\xef\xbb\xbf").lstrip()[:1] == b"["  # after a UTF-8 BOM


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
    if _is_json(data):
        budget.check_budget(len(data) * TEXT_EXPANSION[True], name, "needs about")
        return parse_json(data, name)
    budget.check_budget(len(data) * TEXT_EXPANSION[False], name, "needs about")
    return _parse_chunks(io.BytesIO(data), name)
