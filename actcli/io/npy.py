"""Hardened NPY and NPZ: headers checked before anything is allocated, lazy row readers and writers.

Readers never trust a file: an NPY header's shape is checked against the bytes actually present
before anything is allocated, only plain numeric dtypes are accepted (objects are refused, never
unpickled; structured and string dtypes are refused), and big-endian or Fortran-order arrays are
read as they are. An NPY header must describe at most 64 dimensions and an array NumPy can
index, and its data must fit in the bytes that follow it (the file size, or for an ``.npz``
member its declared uncompressed size, which is also the most ``zipfile`` will ever inflate).
The array is then read into memory only if its bytes fit in the memory budget
(:mod:`actcli.io.budget`). An ``.npz`` member whose declared uncompressed size exceeds that
budget is refused before a single byte is inflated, however well it compresses; encrypted
members are refused too. A memory-mapped ``.npy`` (``mmap_mode="r"``) is not read into memory,
so it has no such limit.
"""

from __future__ import annotations

import ast
import contextlib
import math
import os
import stat
import struct
import warnings
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, BinaryIO, Literal, Protocol

import numpy as np
import numpy.typing as npt

from ..errors import InputError, OutputError
from . import budget
from .formats import MAX_DIMS, listing, shown_path
from .streams import write_all

if TYPE_CHECKING:
    import zipfile

AnyArray = npt.NDArray[Any]

NPY_MAGIC = b"\x93NUMPY"


ZIP_MAGIC = b"PK\x03\x04"


_MAX_HEADER = 1 << 16


_KINDS = {
    "O": "Python objects (refused: actcli never unpickles)",
    "V": "structured or raw records",
    "S": "byte strings",
    "U": "text strings",
    "M": "dates",
    "m": "time deltas",
    "c": "complex numbers",
}


def _zip_errors() -> tuple[type[BaseException], ...]:
    """What ``zipfile`` raises for a damaged archive: its own errors, the decompressors', and
    the ValueError / UnicodeDecodeError / struct.error that reach through from a corrupt
    directory or local header (a negative offset, an undecodable name)."""
    import zipfile
    import zlib

    errors: tuple[type[BaseException], ...] = (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        EOFError,
        NotImplementedError,
        ValueError,  # includes UnicodeDecodeError
        struct.error,
    )
    try:
        import lzma
    except ImportError:  # pragma: no cover - Python built without lzma
        return errors
    return (*errors, lzma.LZMAError)


class Readable(Protocol):
    def read(self, n: int = -1, /) -> bytes: ...


class _ZipMember:
    """An ``.npz`` member's stream whose decompression and CRC errors become InputError."""

    def __init__(self, stream: Readable, name: str) -> None:
        self._stream = stream
        self._name = name

    def read(self, n: int = -1, /) -> bytes:
        errors: tuple[type[BaseException], ...] = (*_zip_errors(), OSError)  # bz2: OSError
        try:
            return self._stream.read(n)
        except errors as e:
            raise InputError(f"{self._name} is damaged: {shown_path(str(e))}") from None


def read_npy(
    f: Readable,
    size: int,
    name: str,
    mmap_mode: Literal["r"] | None,
    path: str | os.PathLike[str] | None,
) -> AnyArray:
    """The array in an NPY stream of ``size`` bytes (for a FIFO, whose size is unknown, a huge
    ``size``: exactly the data the header promises is read, after the budget check)."""
    shape, fortran, dtype, offset = read_npy_header(f, size, name)
    count = math.prod(shape)
    need = count * dtype.itemsize
    have = size - offset
    if need > have:
        raise InputError(
            f"{name} is truncated: its header promises {need} bytes of data "
            f"(shape {_short(shape)}, {dtype}) but only {have} follow"
        )
    order: Literal["F", "C"] = "F" if fortran else "C"
    if mmap_mode is not None and path is not None and count > 0:
        mapped: AnyArray = np.memmap(
            path, dtype=dtype, mode=mmap_mode, offset=offset, shape=shape, order=order
        )
        return mapped
    budget.check_budget(need, name, "holds")
    raw = f.read(need)
    if len(raw) != need:  # the file shrank while we read it
        raise InputError(f"{name} is truncated: expected {need} bytes of data, read {len(raw)}")
    flat = np.frombuffer(raw, dtype=dtype, count=count)
    arr = flat.reshape(shape[::-1]).T if fortran else flat.reshape(shape)
    if not arr.dtype.isnative:
        arr = arr.astype(arr.dtype.newbyteorder("="))
    return arr


def read_npy_header(
    f: Readable, size: int, name: str
) -> tuple[tuple[int, ...], bool, np.dtype[Any], int]:
    """Parse and check an NPY header; returns (shape, fortran_order, dtype, data offset)."""
    start = f.read(8)
    if len(start) < 8 or not start.startswith(NPY_MAGIC):
        raise InputError(f"{name} is not an NPY file (no NPY magic number)")
    major = start[6]
    if major == 1:
        raw_len = f.read(2)
        fmt, encoding = "<H", "latin1"
    elif major in (2, 3):
        raw_len = f.read(4)
        fmt, encoding = "<I", "latin1" if major == 2 else "utf8"
    else:
        raise InputError(f"{name} uses NPY format version {major}.{start[7]}, which is unknown")
    if len(raw_len) != struct.calcsize(fmt):
        raise InputError(f"{name} is truncated inside its NPY header")
    (header_len,) = struct.unpack(fmt, raw_len)
    offset = 8 + len(raw_len) + header_len
    if header_len > _MAX_HEADER or offset > size:
        raise InputError(f"{name} has a damaged NPY header (length {header_len})")
    raw = f.read(header_len)
    if len(raw) != header_len:
        raise InputError(f"{name} is truncated inside its NPY header")
    try:
        header = ast.literal_eval(raw.decode(encoding))
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError, UnicodeError):
        raise InputError(f"{name} has a damaged NPY header") from None
    if not isinstance(header, dict) or set(header) != {"descr", "fortran_order", "shape"}:
        raise InputError(f"{name} has a damaged NPY header")
    shape, fortran, descr = header["shape"], header["fortran_order"], header["descr"]
    if (
        not isinstance(shape, tuple)
        or not all(type(n) is int and n >= 0 for n in shape)
        or not isinstance(fortran, bool)
    ):
        raise InputError(f"{name} has a damaged NPY header (shape {_short(shape)})")
    if len(shape) > MAX_DIMS:
        raise InputError(f"{name} has {len(shape)} dimensions; at most {MAX_DIMS} are supported")
    dtype = _checked_dtype(descr, name)
    # NumPy's own bound: the product of the non-zero dimensions, in bytes, must fit in an intp.
    if math.prod(max(n, 1) for n in shape) * max(dtype.itemsize, 1) > np.iinfo(np.intp).max:
        raise InputError(f"{name} declares shape {_short(shape)}, too big for any array")
    return shape, fortran, dtype, offset


def _short(obj: Any) -> str:
    text = repr(obj)
    return text if len(text) <= 80 else text[:77] + "..."


def _checked_dtype(descr: Any, name: str) -> np.dtype[Any]:
    if not isinstance(descr, str):
        raise InputError(f"{name} holds structured records; actcli needs an array of numbers")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            dtype = np.dtype(descr)
    except (TypeError, ValueError, SyntaxError):
        raise InputError(f"{name} has an unknown dtype {descr!r}") from None
    if dtype.names is not None or dtype.subdtype is not None:
        raise InputError(f"{name} holds structured records; actcli needs an array of numbers")
    if dtype.kind not in "biuf":
        what = _KINDS.get(dtype.kind, f"{dtype} data")
        raise InputError(f"{name} holds {what}; actcli needs an array of numbers")
    return dtype


def load_npz(source: str | os.PathLike[str] | IO[bytes], key: str | None, name: str) -> AnyArray:
    import zipfile  # lazily: most runs never read an .npz

    try:
        zf = zipfile.ZipFile(source)
    except _zip_errors() as e:
        raise InputError(f"{name} is not a valid .npz archive: {shown_path(str(e))}") from None
    with zf:
        return _read_npz(zf, key, name)


def _read_npz(zf: zipfile.ZipFile, key: str | None, name: str) -> AnyArray:
    members = {
        (info.filename[:-4] if info.filename.endswith(".npy") else info.filename): info
        for info in zf.infolist()
        if not info.filename.endswith("/")  # a folder (ZipInfo.is_dir fails on an empty name)
    }
    if not members:
        raise InputError(f"{name} holds no arrays")
    if key is None:
        if len(members) > 1:
            keys = listing(members)
            raise InputError(f"{name} holds several arrays; choose one with --key: {keys}")
        key = next(iter(members))
    info = members.get(key)
    if info is None:
        raise InputError(f"{name} has no array {key!r}; its keys are: {listing(members)}")
    where = f"{name}[{shown_path(key)}]"
    if info.flag_bits & 0x1:
        raise InputError(f"{where} is encrypted; actcli reads only plain .npz archives")
    # The declared uncompressed size is the most zipfile inflates, and it bounds what the
    # member's NPY header may claim: check it before inflating anything (a ZIP bomb stops here).
    budget.check_budget(info.file_size, where, "inflates to")
    try:
        member = zf.open(info)
    except _zip_errors() as e:
        raise InputError(f"{where} is damaged: {shown_path(str(e))}") from None
    with member:
        return read_npy(_ZipMember(member, where), info.file_size, where, None, None)


#: Peak memory of evaluating an array whole, per byte of it: input, output and temporaries
#: (measured: a 381 MiB float32 input to a 1-D softmax peaked at 2.3 GiB), with a margin.
WHOLE_EVALUATION = 8


class NpyRows:
    """A C-order ``.npy`` file read lazily: ``rows[a:b]`` reads just those rows with ``pread``.

    No memory map is involved, so the process's resident memory holds one block at a time
    however large the file is (a memory map's pages would count as resident as they are read).
    The file stays open, so the data can be read even after a new file replaces it by name.
    Other indexing (rare: blocks along axis 1) reads through a memory map.
    """

    def __init__(
        self, path: str | os.PathLike[str], shape: tuple[int, ...], dtype: Any, offset: int
    ) -> None:
        self.path = os.fspath(path)
        self.shape = shape
        self.dtype: np.dtype[Any] = np.dtype(dtype)
        self.ndim = len(shape)
        self.size = math.prod(shape)
        self._offset = offset
        self._row_bytes = self.dtype.itemsize * math.prod(shape[1:])
        self._fd: int | None = os.open(self.path, os.O_RDONLY)

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, index: Any) -> AnyArray:
        idx = index if isinstance(index, tuple) else (index,)
        if idx and idx[0] is Ellipsis:
            idx = (slice(None),)
        first, rest = (idx[0], idx[1:]) if idx else (slice(None), ())
        if (
            isinstance(first, slice)
            and first.step in (None, 1)
            and all(r == slice(None) for r in rest)
        ):
            start, stop, _ = first.indices(self.shape[0])
            n = max(0, stop - start)
            return self._read(start, n)
        return np.asarray(self._memmap()[index])

    def _read(self, start: int, n: int) -> AnyArray:
        if self._fd is None:
            raise InputError(f"'{shown_path(self.path)}' was closed")
        want = n * self._row_bytes
        chunks = []
        pos = self._offset + start * self._row_bytes
        while want > 0:  # pread may return less than asked for (signals, huge requests)
            part = os.pread(self._fd, min(want, 1 << 30), pos)
            if not part:
                raise InputError(
                    f"'{shown_path(self.path)}' is truncated (it shrank while being read)"
                )
            chunks.append(part)
            pos += len(part)
            want -= len(part)
        data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        return np.frombuffer(data, dtype=self.dtype).reshape((n, *self.shape[1:]))

    def _memmap(self) -> AnyArray:
        return np.memmap(
            self.path, dtype=self.dtype, mode="r", offset=self._offset, shape=self.shape
        )

    def __array__(self, dtype: Any = None, copy: Any = None) -> AnyArray:
        # Read whole only to be evaluated whole (a 1-D input to an axis function): that takes
        # the input, the output and the evaluation's temporaries at once.
        nbytes = self.size * self.dtype.itemsize
        budget.check_budget(
            nbytes * WHOLE_EVALUATION,
            f"'{shown_path(self.path)}' (evaluated whole: one row of an axis function)",
            "needs about",
        )
        whole = self._read(0, self.shape[0])
        return whole if dtype is None else whole.astype(dtype)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.close()


def open_rows(path: str | os.PathLike[str]) -> NpyRows | None:
    """A lazy :class:`NpyRows` reader for a native-endian, C-order float ``.npy`` file with at
    least one dimension and some data; None for anything else (read it with
    :func:`load_array`, which also reports what is wrong with it)."""
    if Path(path).suffix.lower() != ".npy":
        return None
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # a FIFO is read once, by load_array
            return None
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            shape, fortran, dtype, offset = read_npy_header(f, size, str(path))
    except (InputError, OSError):
        return None
    count = math.prod(shape)
    if fortran or not shape or count == 0 or dtype.kind != "f" or not dtype.isnative:
        return None
    if dtype.itemsize not in (2, 4, 8) or count * dtype.itemsize > size - offset:
        return None
    return NpyRows(path, shape, dtype, offset)


class NpyRowsWriter:
    """The data area of an ``.npy`` file being written: ``out[a:b] = block`` writes those rows
    with ``pwrite`` (no memory map, so resident memory stays at one block)."""

    def __init__(self, f: BinaryIO, shape: tuple[int, ...], dtype: Any, offset: int) -> None:
        self._f, self.shape = f, shape
        self.dtype: np.dtype[Any] = np.dtype(dtype)
        self.ndim = len(shape)
        self._offset = offset
        self._row_bytes = self.dtype.itemsize * math.prod(shape[1:])

    def __setitem__(self, index: Any, value: Any) -> None:
        idx = index if isinstance(index, tuple) else (index,)
        if (idx and idx[0] is Ellipsis) or not self.shape:
            idx = (slice(None),)
        first, rest = idx[0], idx[1:]
        try:
            if (
                self.shape
                and isinstance(first, slice)
                and first.step in (None, 1)
                and all(r == slice(None) for r in rest)
            ):
                start, stop, _ = first.indices(self.shape[0])
                rows = (max(0, stop - start), *self.shape[1:])
                block = np.ascontiguousarray(np.broadcast_to(np.asarray(value, self.dtype), rows))
                self._write(block, self._offset + start * self._row_bytes)
                return
            # Other slicings (blocks along axis 1) go through a memory map of the file.
            mm = np.memmap(
                self._f, dtype=self.dtype, mode="r+", offset=self._offset, shape=self.shape
            )
            mm[index] = value
            mm.flush()
        except OSError as e:
            raise OutputError(f"cannot write the output: {e.strerror or e}") from None

    def _write(self, block: AnyArray, pos: int) -> None:
        view = memoryview(block.reshape(-1).view(np.uint8))  # type: ignore[arg-type]
        while view:
            n = os.pwrite(self._f.fileno(), view[: 1 << 30], pos)
            view, pos = view[n:], pos + n


_NPY_CHUNK_BYTES = 1 << 22


def write_npy(stream: IO[bytes], arr: AnyArray) -> None:
    # Plain stream.write() calls (not ndarray.tofile), so a closed pipe raises BrokenPipeError.
    c = arr if arr.flags.c_contiguous else np.array(arr, order="C")
    np.lib.format.write_array_header_1_0(stream, np.lib.format.header_data_from_array_1_0(c))
    write_npy_data(stream, c)


def write_npy_data(stream: IO[bytes], arr: AnyArray) -> None:
    """The raw bytes of ``arr`` (C order), in 4 MiB writes."""
    c = arr if arr.flags.c_contiguous else np.array(arr, order="C")
    raw = c.reshape(-1).view(np.uint8)
    for start in range(0, raw.size, _NPY_CHUNK_BYTES):
        write_all(stream, raw[start : start + _NPY_CHUNK_BYTES].tobytes())
