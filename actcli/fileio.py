"""Reading and writing arrays: ``.npy``, ``.npz``, ``.csv``, ``.tsv``, ``.txt``, ``.json``, streams.

Readers never trust a file: an NPY header's shape is checked against the bytes actually present
before anything is allocated, only plain numeric dtypes are accepted (objects are refused, never
unpickled; structured and string dtypes are refused), and big-endian or Fortran-order arrays are
read as they are. Text is parsed cell by cell, and a bad cell is reported with its line and column.

Memory policy (what stops a ZIP bomb or a lying header): nothing is allocated or inflated from a
claim before it is checked. An NPY header must describe at most 64 dimensions and an array NumPy
can index, and its data must fit in the bytes that follow it (the file size, or for an ``.npz``
member its declared uncompressed size, which is also the most ``zipfile`` will ever inflate). An
array is then read into memory only if its bytes fit in :func:`memory_budget`: the memory
available now (``MemAvailable``), lowered to what the address-space limit (``RLIMIT_AS``) leaves.
An ``.npz`` member whose declared uncompressed size exceeds that budget is refused before a
single byte is inflated, however well it compresses; encrypted members are refused too. Text
is parsed only if 8 times its size (24 for JSON) fits in the budget, and JSON nests at most
64 deep. A memory-mapped ``.npy`` (``mmap_mode="r"``) is not read into memory, so it has
no such limit. Standard input is refused once it holds more than half the budget.

Writers are atomic: the data goes to a temporary file in the target folder, which is flushed,
fsync'ed and renamed over the target only when complete. On any failure the temporary file is
removed and an existing output is left untouched.

Text output uses the shortest decimal digits that round-trip (``repr`` for float64, the float32
or float16 shortest form for those dtypes), so reading it back gives the same floats bit for bit
(with ``dtype=`` for float32/float16 data, since text does not carry a dtype).
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import math
import os
import struct
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, BinaryIO, Literal, Protocol

import numpy as np
import numpy.typing as npt

from .errors import ActcliError, InputError

if TYPE_CHECKING:
    import zipfile

AnyArray = npt.NDArray[Any]

#: The file formats actcli reads and writes, by extension.
FORMATS: dict[str, str] = {
    ".npy": "npy",
    ".npz": "npz",
    ".csv": "csv",
    ".tsv": "tsv",
    ".txt": "txt",
    ".json": "json",
}
#: The delimiter each text format is written with.
DELIMITERS: dict[str, str] = {"csv": ",", "tsv": "\t", "txt": " "}
TEXT_FORMATS = frozenset(DELIMITERS)

NPY_MAGIC = b"\x93NUMPY"
ZIP_MAGIC = b"PK\x03\x04"
_MAX_HEADER = 1 << 16
#: The most dimensions an array may have (NumPy 2's limit), in NPY headers and nested JSON.
MAX_DIMS = 64
_BUDGET_FREE_BYTES = 1 << 24  # reads this small skip the memory check (it costs a /proc read)
#: Peak memory of parsing delimited text / JSON, per byte of it (measured with tracemalloc,
#: bytes read included: delimited 1.4x for long numbers to 5.3x for one-digit cells; JSON 3.7x
#: to 17x), with a margin.
_TEXT_EXPANSION = {False: 8, True: 24}
_STREAM_CHUNK = 1 << 20
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


def _check_budget(nbytes: int, name: str, what: str) -> None:
    """Refuse to allocate ``nbytes`` for ``name`` if they do not fit in :func:`memory_budget`."""
    if nbytes <= _BUDGET_FREE_BYTES:
        return
    budget = memory_budget()
    if nbytes > budget:
        raise InputError(
            f"{name} {what} {_size(nbytes)}, more than the {_size(budget)} of memory available; "
            "refused before reading it"
        )


def _size(nbytes: int) -> str:
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("kB", 1 << 10)):
        if nbytes >= scale:
            return f"{nbytes / scale:.1f} {unit}"
    return f"{nbytes} bytes"


class _Readable(Protocol):
    def read(self, n: int = -1, /) -> bytes: ...


class _ZipMember:
    """An ``.npz`` member's stream whose decompression and CRC errors become InputError."""

    def __init__(self, stream: _Readable, name: str) -> None:
        self._stream = stream
        self._name = name

    def read(self, n: int = -1, /) -> bytes:
        errors: tuple[type[BaseException], ...] = (*_zip_errors(), OSError)  # bz2: OSError
        try:
            return self._stream.read(n)
        except errors as e:
            raise InputError(f"{self._name} is damaged: {e}") from None


class ByteSource(Protocol):
    """What :func:`read_stream` reads: a binary stream such as ``sys.stdin.buffer``."""

    def read(self, n: int = -1, /) -> bytes: ...

    def isatty(self) -> bool: ...


class OutputError(ActcliError, OSError):
    """An output that could not be written (missing folder, no permission, disk full)."""


def shown_path(path: str | os.PathLike[str]) -> str:
    """``path`` for an error message: control characters (a newline in a file name) escaped,
    so that the message stays one line."""
    text = os.fspath(path)
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def format_of(path: str | os.PathLike[str]) -> str:
    """The format name (``npy``, ``csv``, ...) for ``path``'s extension.

    Raises:
        InputError: the extension is not one of :data:`FORMATS`.
    """
    suffix = Path(path).suffix.lower()
    try:
        return FORMATS[suffix]
    except KeyError:
        known = ", ".join(FORMATS)
        shown = f"extension '{shown_path(suffix)}'" if suffix else "no extension"
        raise InputError(f"'{shown_path(path)}' has {shown}; expected one of: {known}") from None


# --------------------------------------------------------------------------------------------
# Reading


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
        if fmt == "npy":
            with open(path, "rb") as f:
                return _read_npy(f, os.fstat(f.fileno()).st_size, name, mmap_mode, path)
        if fmt == "npz":
            return _load_npz(path, key, name)
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            _check_budget(size * _TEXT_EXPANSION[fmt == "json"], name, "needs about")
            data = f.read()
    except (IsADirectoryError, NotADirectoryError, FileNotFoundError, PermissionError) as e:
        raise InputError(f"cannot read '{name}': {e.strerror}") from None
    except OSError as e:
        raise InputError(f"cannot read '{name}': {e.strerror or e}") from None
    return _parse_text(data, name, json_text=fmt == "json")


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
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            shape, fortran, dtype, offset = _read_npy_header(f, size, str(path))
    except (InputError, OSError):
        return None
    count = math.prod(shape)
    if fortran or not shape or count == 0 or dtype.kind != "f" or not dtype.isnative:
        return None
    if dtype.itemsize not in (2, 4, 8) or count * dtype.itemsize > size - offset:
        return None
    return NpyRows(path, shape, dtype, offset)


def read_stream(stream: ByteSource, *, key: str | None = None, name: str = "<stdin>") -> AnyArray:
    """Read one array from a binary stream (stdin): NPY, NPZ, JSON or delimited text.

    The format is told from the content: the NPY magic, the ZIP magic, a leading ``[`` (JSON),
    anything else is delimited text. The stream is read in chunks, and refused once it holds
    more than half of :func:`memory_budget` (the chunks are then joined into one copy).
    """
    limit = memory_budget() // 2
    chunks: list[bytes] = []
    total = 0
    try:
        while chunk := stream.read(_STREAM_CHUNK):
            total += len(chunk)
            if total > limit:
                raise InputError(
                    f"{name} holds more than {_size(limit)}, half the memory available; "
                    "refused (give a file: a .npy is memory-mapped)"
                )
            chunks.append(chunk)
    except OSError as e:
        raise InputError(f"cannot read {name}: {e.strerror or e}") from None
    data = b"".join(chunks)
    del chunks
    return parse_bytes(data, key=key, name=name)


def parse_bytes(data: bytes, *, key: str | None = None, name: str = "<stdin>") -> AnyArray:
    """Parse a whole file's bytes, telling the format from the content (see :func:`read_stream`)."""
    if data.startswith(NPY_MAGIC):
        if key is not None:
            raise InputError(f"a key ({key!r}) only applies to .npz data, but {name} is NPY")
        return _read_npy(io.BytesIO(data), len(data), name, None, None)
    if data.startswith(ZIP_MAGIC):
        return _load_npz(io.BytesIO(data), key, name)
    if key is not None:
        raise InputError(f"a key ({key!r}) only applies to .npz data, but {name} is text")
    json_text = data.removeprefix(b"\xef\xbb\xbf").lstrip()[:1] == b"["  # after a UTF-8 BOM
    return _parse_text(data, name, json_text=json_text)


def _read_npy(
    f: _Readable,
    size: int,
    name: str,
    mmap_mode: Literal["r"] | None,
    path: str | os.PathLike[str] | None,
) -> AnyArray:
    shape, fortran, dtype, offset = _read_npy_header(f, size, name)
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
    _check_budget(need, name, "holds")
    raw = f.read(need)
    if len(raw) != need:  # the file shrank while we read it
        raise InputError(f"{name} is truncated: expected {need} bytes of data, read {len(raw)}")
    flat = np.frombuffer(raw, dtype=dtype, count=count)
    arr = flat.reshape(shape[::-1]).T if fortran else flat.reshape(shape)
    if not arr.dtype.isnative:
        arr = arr.astype(arr.dtype.newbyteorder("="))
    return arr


def _read_npy_header(
    f: _Readable, size: int, name: str
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


def _load_npz(source: str | os.PathLike[str] | IO[bytes], key: str | None, name: str) -> AnyArray:
    import zipfile  # lazily: most runs never read an .npz

    try:
        zf = zipfile.ZipFile(source)
    except _zip_errors() as e:
        raise InputError(f"{name} is not a valid .npz archive: {e}") from None
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
            keys = ", ".join(members)
            raise InputError(f"{name} holds several arrays; choose one with --key: {keys}")
        key = next(iter(members))
    info = members.get(key)
    if info is None:
        raise InputError(f"{name} has no array {key!r}; its keys are: {', '.join(members)}")
    where = f"{name}[{key}]"
    if info.flag_bits & 0x1:
        raise InputError(f"{where} is encrypted; actcli reads only plain .npz archives")
    # The declared uncompressed size is the most zipfile inflates, and it bounds what the
    # member's NPY header may claim: check it before inflating anything (a ZIP bomb stops here).
    _check_budget(info.file_size, where, "inflates to")
    try:
        member = zf.open(info)
    except _zip_errors() as e:
        raise InputError(f"{where} is damaged: {e}") from None
    with member:
        return _read_npy(_ZipMember(member, where), info.file_size, where, None, None)


def _parse_text(data: bytes, name: str, *, json_text: bool) -> AnyArray:
    _check_budget(len(data) * _TEXT_EXPANSION[json_text], name, "needs about")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError(
            f"{name} is not UTF-8 text (byte 0x{data[e.start]:02x} at offset {e.start})"
        ) from None
    return parse_json(text, name) if json_text else parse_delimited(text, name)


def parse_json(text: str, name: str = "<json>") -> AnyArray:
    """Parse JSON numbers or nested lists of numbers (``NaN``/``Infinity`` allowed) as float64."""
    try:
        obj = json.loads(text)
    except (ValueError, RecursionError) as e:
        raise InputError(f"{name} is not valid JSON: {e}") from None
    shape: list[int] = []
    probe = obj
    while isinstance(probe, list):
        shape.append(len(probe))
        if len(shape) > MAX_DIMS:
            raise InputError(f"{name} nests lists more than {MAX_DIMS} deep")
        if not probe:
            break
        probe = probe[0]
    flat: list[float] = []

    def walk(node: Any, depth: int) -> None:
        if depth < len(shape):
            if not isinstance(node, list) or len(node) != shape[depth]:
                raise InputError(f"{name} is ragged: nested lists of different lengths")
            for item in node:
                walk(item, depth + 1)
        elif isinstance(node, bool) or not isinstance(node, (int, float)):
            raise InputError(f"{name} holds {json.dumps(node)[:40]}, which is not a number")
        else:
            try:
                flat.append(float(node))
            except OverflowError:
                raise InputError(f"{name} holds a number too large for a float") from None

    walk(obj, 0)
    return np.array(flat, dtype=np.float64).reshape(shape)


def parse_delimited(text: str, name: str = "<text>") -> AnyArray:
    """Parse comma-, tab-, semicolon- or whitespace-separated numbers as float64.

    Blank lines and ``#`` comments are skipped; a first row that is not all numbers is a header
    and is skipped (the delimiter is then detected from the next row); a trailing delimiter is
    ignored. One column gives a 1-D array, several give a 2-D array (one row per line).
    """
    import array  # 8 bytes a value: a list of lists of floats costs ten times that

    flat = array.array("d")
    rows = width = first_line = 0
    delimiter: str | Literal[False] | None = False  # False: not detected yet; None: whitespace
    for lineno, line in enumerate(_lines(text), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if delimiter is False:
            delimiter = _detect_delimiter(stripped)
        cells = _split(stripped, delimiter)
        values = _numbers(cells, lineno, name, header_ok=not rows and not first_line)
        if values is None:  # the header
            first_line = lineno
            delimiter = False  # detected again from the first row of numbers
            continue
        if not rows:
            width, first_line = len(values), lineno
        elif len(values) != width:
            raise InputError(
                f"{name}, line {lineno}: {len(values)} values, but line {first_line} has {width} "
                "(rows must all have the same number of columns)"
            )
        flat.extend(values)
        rows += 1
    if not rows and first_line:
        raise InputError(
            f"{name} holds no numbers: its only row (line {first_line}) is not all numbers, so it "
            "was read as a header"
        )
    if not rows:
        raise InputError(f"{name} holds no numbers")
    arr = np.frombuffer(flat, dtype=np.float64).reshape(rows, width)
    return arr[:, 0] if width == 1 else arr


def _lines(text: str) -> Iterator[str]:
    """``text.splitlines()``, one line at a time (a list of every line costs ~60 bytes each)."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        yield from text[start:end].splitlines() or [""]
        start = end + 1


def _detect_delimiter(line: str) -> str | None:
    for d in ("\t", ",", ";"):
        if d in line:
            return d
    return None


def _split(line: str, delimiter: str | None) -> list[str]:
    if delimiter is None:
        return line.split()
    cells = [c.strip() for c in line.split(delimiter)]
    if len(cells) > 1 and not cells[-1]:
        cells.pop()  # a trailing delimiter
    return [c[1:-1].strip() if len(c) >= 2 and c[0] == c[-1] == '"' else c for c in cells]


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return "_" not in cell


def _numbers(cells: list[str], lineno: int, name: str, *, header_ok: bool) -> list[float] | None:
    values: list[float] = []
    for col, cell in enumerate(cells, start=1):
        try:
            if "_" in cell:
                raise ValueError(cell)
            values.append(float(cell))
        except ValueError:
            if header_ok and any(c and not _is_number(c) for c in cells):
                return None
            if not cell:
                raise InputError(f"{name}, line {lineno}, column {col}: empty cell") from None
            shown = cell if len(cell) <= 30 else cell[:27] + "..."
            raise InputError(
                f"{name}, line {lineno}, column {col}: {shown!r} is not a number"
            ) from None
    return values


# --------------------------------------------------------------------------------------------
# Writing


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
        _write_npy(stream, a)
    elif fmt == "npz":
        np.savez(stream, arr_0=a)
    else:
        chunks = json_chunks(a) if fmt == "json" else text_chunks(a, DELIMITERS[fmt])
        for chunk in chunks:
            stream.write(chunk.encode("ascii"))


_ROWS_PER_CHUNK = 4096
_NPY_CHUNK_BYTES = 1 << 22


def _write_npy(stream: IO[bytes], arr: AnyArray) -> None:
    # Plain stream.write() calls (not ndarray.tofile), so a closed pipe raises BrokenPipeError.
    c = arr if arr.flags.c_contiguous else np.array(arr, order="C")
    np.lib.format.write_array_header_1_0(stream, np.lib.format.header_data_from_array_1_0(c))
    raw = c.reshape(-1).view(np.uint8)
    for start in range(0, raw.size, _NPY_CHUNK_BYTES):
        stream.write(raw[start : start + _NPY_CHUNK_BYTES].tobytes())


def text_chunks(arr: AnyArray, delimiter: str = ",") -> Iterator[str]:
    """Delimited text for a 0-, 1- or 2-D array, one row per line, shortest round-trip digits."""
    a = arr.reshape(-1, 1) if arr.ndim < 2 else arr
    for start in range(0, a.shape[0], _ROWS_PER_CHUNK):
        block = a[start : start + _ROWS_PER_CHUNK]
        cells = format_floats(block.ravel())
        width = block.shape[1]
        lines = (delimiter.join(cells[i : i + width]) for i in range(0, len(cells), width or 1))
        yield "".join(line + "\n" for line in lines) if width else "\n" * block.shape[0]


def json_chunks(arr: AnyArray) -> Iterator[str]:
    """JSON nested lists (any shape; NaN and ±Infinity spelled as JavaScript does)."""
    if arr.ndim == 0:
        yield _json_number(format_floats(arr.reshape(1))[0]) + "\n"
        return
    buffer: list[str] = []
    for part in _json_parts(arr, 0):
        buffer.append(part)
        if len(buffer) >= _ROWS_PER_CHUNK:
            yield "".join(buffer)
            buffer.clear()
    buffer.append("\n")
    yield "".join(buffer)


def _json_parts(a: AnyArray, level: int) -> Iterator[str]:
    if a.ndim == 1:
        yield "[" + ", ".join(_json_number(c) for c in format_floats(a)) + "]"
        return
    yield "["
    for i in range(a.shape[0]):
        if i:
            yield ",\n" + " " * (level + 1)
        yield from _json_parts(a[i], level + 1)
    yield "]"


_JSON_SPECIAL = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}


def _json_number(cell: str) -> str:
    return _JSON_SPECIAL.get(cell, cell)


def format_floats(values: AnyArray) -> list[str]:
    """The shortest decimal string that reads back as each value's exact float.

    float64 uses Python's ``repr``; float32 and float16 use their own shortest digits (so
    ``np.float32(float(s))`` gives the value back); integers and bools print as integers.
    """
    a = np.asarray(values).ravel()
    if a.dtype == np.float64:
        return list(map(repr, a.tolist()))
    if a.dtype.kind == "f" and a.dtype.itemsize < 8:
        return [str(v) for v in a]
    if a.dtype.kind in "biu":
        return [str(int(v)) for v in a.tolist()]
    return list(map(repr, a.astype(np.float64).tolist()))


#: The largest definitions file read (a TOML file of activation definitions).
MAX_TOML_BYTES = 1 << 20


def read_toml(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The TOML document in ``path`` (a definitions file), parsed with tomllib (tomli before
    Python 3.11), imported only here.

    Raises:
        InputError: the file is missing, unreadable, larger than 1 MiB, or not valid TOML
            (the message names the file and, for TOML, the line and column).
    """
    import sys

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib

    shown = shown_path(path)
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_TOML_BYTES + 1)
    except OSError as e:
        raise InputError(f"cannot read definitions file '{shown}': {e.strerror or e}") from None
    if len(data) > MAX_TOML_BYTES:
        raise InputError(f"definitions file '{shown}' is larger than {_size(MAX_TOML_BYTES)}")
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise InputError(f"definitions file '{shown}' is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as e:
        raise InputError(f"definitions file '{shown}' is not valid TOML: {e}") from None
