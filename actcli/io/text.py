"""Delimited text and JSON, read and written in blocks: round-trip digits, bounded memory.

Reading: whole lines of plain numbers are parsed a block at a time by ``float`` (C speed,
correctly rounded); a block holding anything else (a header, comments, quotes, blank lines, a
bad cell) is read line by line, which reports a bad cell with its line and column. Memory holds
the values (8 bytes each) and one block, so text is read only if :data:`TEXT_EXPANSION` times
its size fits in the memory budget; JSON nests at most 64 deep.

Text output uses the shortest decimal digits that round-trip (``repr`` for float64, the float32
or float16 shortest form for those dtypes), so reading it back gives the same floats bit for bit
(with ``dtype=`` for float32/float16 data, since text does not carry a dtype). Blocks of native
float64/float32/float16 values are formatted and joined in C (``actcli._kernels._text``, the
same strings as the Python code, which stays for other dtypes or if the extension is missing).
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from ..errors import InputError
from . import budget
from .formats import MAX_DIMS

AnyArray = npt.NDArray[Any]

#: Peak memory of reading delimited text / JSON, per byte of it: the values (8 bytes for at
#: least 2 bytes of text, "1\n") while their buffer grows, and one block; JSON's text is also
#: held whole while its blocks are parsed. A JSON document that is not a 1-D or 2-D list of
#: numbers is parsed whole, which takes up to :data:`JSON_WHOLE_EXPANSION` times its size
#: (measured with tracemalloc: 3.7x to 17x, with a margin).
TEXT_EXPANSION = {False: 8, True: 10}
JSON_WHOLE_EXPANSION = 24


def parse_text(data: bytes, name: str, *, json_text: bool) -> AnyArray:
    """Parse a whole text file's bytes (delimited text, or JSON with ``json_text``)."""
    if json_text:
        return parse_json(data, name)
    parser = DelimitedParser(name)
    parser.feed(data)
    return parser.close()


def _decode(data: bytes, name: str, offset: int = 0) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InputError(
            f"{name} is not UTF-8 text (byte 0x{data[e.start]:02x} at offset {offset + e.start})"
        ) from None


# --------------------------------------------------------------------------------------------
# JSON


#: (The patterns here are compiled on first use, through re.compile's cache: compiling at
#: import would cost every command's start-up.)
#: What the block-wise JSON reader takes (numbers, brackets, commas, JSON whitespace, and the
#: letters and quotes of "nan", "inf", NaN and Infinity); anything else goes to the
#: whole-document parser.
_JSON_FAST_BYTES = rb'[^0-9eE.+\-,\[\] \t\n\r"NaIfinty]'

#: The strings JSON output writes for the values JSON numbers cannot hold, and the spellings
#: read back as them (any case): JSON has no NaN or infinities.
JSON_NONFINITE = {"nan": "nan", "inf": "inf", "-inf": "-inf"}
_JSON_READ_NONFINITE = {
    word: float(word) for word in ("nan", "inf", "+inf", "-inf", "infinity", "+infinity")
} | {"-infinity": -math.inf}

#: The start of the object JSON output writes for a table with column names:
#: ``{"columns": ["a", "b"], "data": [[...], ...]}``.
_JSON_TABLE_HEAD = (
    rb'\{[ \t\n\r]*"columns"[ \t\n\r]*:[ \t\n\r]*'
    rb'(\[[ \t\n\r]*(?:"(?:[^"\\]|\\.)*"[ \t\n\r]*(?:,[ \t\n\r]*"(?:[^"\\]|\\.)*"[ \t\n\r]*)*)?\])'
    rb'[ \t\n\r]*,[ \t\n\r]*"data"[ \t\n\r]*:'
)

_JSON_SPACE = rb"[ \t\n\r]*"

#: Bytes of JSON parsed at a time by the block-wise reader.
_JSON_PIECE = 1 << 20


def parse_json(
    text: str | bytes, name: str = "<json>", columns: list[str] | None = None
) -> AnyArray:
    """Parse JSON numbers or nested lists of numbers as float64.

    NaN and the infinities are read as the strings JSON output writes (``"nan"``, ``"inf"``,
    ``"-inf"``; ``"NaN"``, ``"Infinity"``, ``"-Infinity"`` too) or as the bare ``NaN`` and
    ``Infinity`` of JavaScript. A table with column names, ``{"columns": [...], "data":
    [...]}``, gives its data, and its names to ``columns`` if given.

    A 1-D or 2-D list of numbers (what actcli writes) is parsed in blocks of about 1 MiB, each
    by Python's JSON scanner (strict JSON numbers, correctly rounded), so memory holds the text,
    the result and one block; anything else (any other depth, a bad document, whose error is
    then reported) is parsed whole, if 24 times its size fits in the memory budget.
    """
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    data = data.removeprefix(b"\xef\xbb\xbf")
    fast = _json_table_blocks(data, columns)
    if fast is not None:
        return fast
    budget.check_budget(len(data) * JSON_WHOLE_EXPANSION, name, "needs about")
    return _json_whole(_decode(data, name) if isinstance(text, bytes) else text, name, columns)


def _json_table_blocks(data: bytes, columns: list[str] | None) -> AnyArray | None:
    """A list of numbers, or a table object holding one, read by :func:`_json_blocks`."""
    lo = re.compile(_JSON_SPACE).match(data).end()  # type: ignore[union-attr]
    if data[lo : lo + 1] != b"{":
        return _json_blocks(data, lo, len(data))
    head = re.compile(_JSON_TABLE_HEAD).match(data, lo)
    hi = len(data.rstrip(b" \t\n\r"))
    if head is None or data[hi - 1 : hi] != b"}":
        return None
    import json  # on first use (start-up)

    try:
        names = json.loads(head.group(1))
    except ValueError:
        return None
    arr = _json_blocks(data, head.end(), hi - 1)
    if arr is None or not _names_fit(names, arr):
        return None
    if columns is not None:
        columns[:] = names
    return arr


def _names_fit(names: Any, arr: AnyArray) -> bool:
    return (
        isinstance(names, list)
        and all(isinstance(n, str) for n in names)
        and arr.ndim in (1, 2)
        and len(names) == (1 if arr.ndim == 1 else arr.shape[1])
    )


def _json_blocks(data: bytes, lo: int, hi: int) -> AnyArray | None:
    """``data[lo:hi]`` as a 1-D or 2-D array read block by block, or None if it is not that
    simple."""
    if re.compile(_JSON_FAST_BYTES).search(data, lo, hi):
        return None
    # Offsets into data, not slices of it: the text is held once, however big.
    lo = re.compile(_JSON_SPACE).match(data, lo, hi).end()  # type: ignore[union-attr]
    while hi > lo and data[hi - 1] in b" \t\n\r":
        hi -= 1
    if hi - lo < 2 or data[lo] != ord("[") or data[hi - 1] != ord("]"):
        return None
    begin, end = re.compile(_JSON_SPACE).match(data, lo + 1).end(), hi - 1  # type: ignore[union-attr]
    while end > begin and data[end - 1] in b" \t\n\r":
        end -= 1
    rows = data[begin : begin + 1] == b"["
    import array  # grown in place: no second copy of the values at the end

    values = array.array("d")
    rows_read = 0
    width = -1
    start = begin
    while start < end:
        if rows:  # cut after a row's closing bracket
            cut = data.find(b"]", start + _JSON_PIECE, end)
            cut = end if cut < 0 else cut + 1
        else:  # cut at a comma
            cut = data.find(b",", start + _JSON_PIECE, end)
            cut = end if cut < 0 else cut
        piece = data[start:cut]
        if not piece.strip(b" \t\n\r"):
            return None  # "[1,]", "[,1]"
        try:
            import json  # on first use (start-up)

            items = json.loads(b"[" + piece + b"]")
        except (ValueError, RecursionError):
            return None
        if rows:
            if width < 0:
                width = len(items[0]) if items and type(items[0]) is list else -1
            if not all(type(r) is list and len(r) == width for r in items):
                return None
            cells: Any = itertools.chain.from_iterable(items)
        else:
            cells = items
        kinds = set(map(type, cells))
        if str in kinds:  # "nan", "inf", "-inf"
            try:
                items = (
                    [[_json_number(c) for c in r] for r in items]
                    if rows
                    else [_json_number(c) for c in items]
                )
            except KeyError:
                return None
            kinds = {float}
        if not kinds <= {int, float}:
            return None  # true, null, "1", deeper lists
        try:
            block = np.array(items, dtype=np.float64)
        except (OverflowError, ValueError):
            return None
        values.frombytes(block.tobytes())
        rows_read += len(items)
        start = re.compile(_JSON_SPACE).match(data, cut, end).end()  # type: ignore[union-attr]
        if start < end:  # the next piece starts after a comma
            if data[start] != ord(","):
                return None
            start += 1
    if not rows_read:  # "[]"
        return np.empty((0,), dtype=np.float64)
    flat = np.frombuffer(values, dtype=np.float64)
    return flat.reshape(rows_read, max(width, 0)) if rows else flat


def _json_number(cell: Any) -> Any:
    """A JSON cell with the strings of NaN and the infinities read as floats (KeyError for
    any other string)."""
    return _JSON_READ_NONFINITE[cell.lower()] if type(cell) is str else cell


def _json_whole(text: str, name: str, columns: list[str] | None = None) -> AnyArray:
    try:
        import json  # on first use: ~2% of start-up that eval never needs

        obj = json.loads(text)
    except (ValueError, RecursionError) as e:
        raise InputError(f"{name} is not valid JSON: {e}") from None
    names = None
    if isinstance(obj, dict):
        if set(obj) != {"columns", "data"}:
            raise InputError(
                f"{name} holds a JSON object; expected numbers, lists of numbers, or "
                '{"columns": [names], "data": [rows]}'
            )
        names, obj = obj["columns"], obj["data"]
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
        elif isinstance(node, str) and node.lower() in _JSON_READ_NONFINITE:
            flat.append(_JSON_READ_NONFINITE[node.lower()])
        elif isinstance(node, bool) or not isinstance(node, (int, float)):
            import json  # on first use (start-up)

            raise InputError(f"{name} holds {json.dumps(node)[:40]}, which is not a number")
        else:
            try:
                flat.append(float(node))
            except OverflowError:
                raise InputError(f"{name} holds a number too large for a float") from None

    walk(obj, 0)
    arr = np.array(flat, dtype=np.float64).reshape(shape)
    if names is not None:
        if not _names_fit(names, arr):
            raise InputError(f'{name}: "columns" must be one name (a string) per column of "data"')
        if columns is not None:
            columns[:] = names
    return arr


# --------------------------------------------------------------------------------------------
# Delimited text


#: Bytes the block-wise reader leaves to the line-by-line one: anything but printable ASCII,
#: tabs and line ends, and the comment, quote and digit-separator characters.
_SLOW_BYTES = rb'[^\t\n\r\x20-\x7e]|[#"_]'

#: Lines read one by one at the start (header, delimiter and width found there).
_FIRST_LINES = 16


def parse_delimited(text: str | bytes, name: str = "<text>") -> AnyArray:
    """Parse comma-, tab-, semicolon- or whitespace-separated numbers as float64.

    Blank lines and ``#`` comments are skipped; a first row that is not all numbers is a header
    and is skipped (the delimiter is then detected from the next row); a trailing delimiter is
    ignored. One column gives a 1-D array, several give a 2-D array (one row per line).
    """
    parser = DelimitedParser(name)
    parser.feed(text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text)
    return parser.close()


class DelimitedParser:
    """Delimited text fed in chunks of bytes (any cut), parsed as it comes.

    Memory holds the values read so far (8 bytes each) and one chunk. Whole lines of plain
    numbers go through ``float`` in blocks (C speed, correctly rounded, the same numbers the
    line-by-line reader accepts); a block holding anything else (comments, quotes, blank lines,
    a bad cell) is read line by line, which reports a bad cell with its line and column.
    """

    def __init__(self, name: str) -> None:
        import array  # 8 bytes a value: a list of floats costs four times that

        self.name = name
        self.header: list[str] | None = None
        self._header_line = ""
        self._values = array.array("d")
        self._rows = self._width = self._first_line = self._lineno = self._offset = 0
        self._delimiter: str | Literal[False] | None = False  # False: not yet; None: spaces
        self._pending: list[bytes] = []
        self._started = False

    def feed(self, chunk: bytes) -> None:
        """Parse the whole lines ``chunk`` completes (the rest waits for the next chunk)."""
        cut = chunk.rfind(b"\n") + 1
        if not cut:
            self._pending.append(chunk)
            return
        block = b"".join((*self._pending, chunk[:cut])) if self._pending else chunk[:cut]
        self._pending = [chunk[cut:]] if cut < len(chunk) else []
        self._block(block)

    def close(self) -> AnyArray:
        """The array (1-D for one column), once the last chunk was fed.

        Raises:
            InputError: no numbers at all (an empty file, only a header).
        """
        if self._pending:
            self._block(b"".join(self._pending))
            self._pending = []
        if not self._rows and self._first_line:
            raise InputError(
                f"{self.name} holds no numbers: its only row (line {self._first_line}) is not "
                "all numbers, so it was read as a header"
            )
        if not self._rows:
            raise InputError(f"{self.name} holds no numbers")
        arr = np.frombuffer(self._values, dtype=np.float64).reshape(self._rows, self._width)
        return arr[:, 0] if self._width == 1 else arr

    def _block(self, block: bytes) -> None:
        if not self._started:
            self._started = True
            if block.startswith(b"\xef\xbb\xbf"):
                block, self._offset = block[3:], 3
        while block and not self._rows:  # the header, delimiter and width: line by line
            end = 0
            for _ in range(_FIRST_LINES):
                end = block.find(b"\n", end) + 1
                if not end:
                    end = len(block)
                    break
            self._slow(block[:end])
            block = block[end:]
        if block and not self._fast(block):
            self._slow(block)

    def _fast(self, block: bytes) -> bool:
        """Parse whole lines of plain numbers at C speed; False (nothing read) if ``block``
        needs the line-by-line reader."""
        if re.compile(_SLOW_BYTES).search(block):
            return False
        lines = block.split(b"\n")
        if not lines[-1]:
            lines.pop()
        n, width = len(lines), self._width
        try:
            if width == 1:
                values = np.fromiter(map(float, lines), np.float64, n)
            else:
                sep = None if self._delimiter is None else str(self._delimiter).encode()
                cells = [line.split(sep) for line in lines]
                if not all(len(c) == width for c in cells):
                    return False
                flat = itertools.chain.from_iterable(cells)
                values = np.fromiter(map(float, flat), np.float64, n * width)
        except ValueError:
            return False
        self._values.frombytes(values.tobytes())
        self._rows += n
        self._lineno += n
        self._offset += len(block)
        return True

    def _slow(self, block: bytes) -> None:
        text = _decode(block, self.name, self._offset)
        self._offset += len(block)
        pieces = text.split("\n")
        if not pieces[-1]:
            pieces.pop()
        for piece in pieces:
            for line in piece.splitlines() or [""]:
                self._lineno += 1
                self._line(line)

    def _line(self, line: str) -> None:
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            return
        if self._delimiter is False:
            self._delimiter = _detect_delimiter(stripped)
        cells = _split(stripped, self._delimiter)
        header_ok = not self._rows and not self._first_line
        values = _numbers(cells, self._lineno, self.name, header_ok=header_ok)
        if values is None:  # the header (split again by the delimiter of the data below)
            self.header, self._header_line = cells, stripped
            self._first_line = self._lineno
            self._delimiter = False  # detected again from the first row of numbers
            return
        if not self._rows:
            self._width, self._first_line = len(values), self._lineno
            if self._header_line:
                self.header = _split(self._header_line, self._delimiter)
        elif len(values) != self._width:
            raise InputError(
                f"{self.name}, line {self._lineno}: {len(values)} values, but line "
                f"{self._first_line} has {self._width} (rows must all have the same number of "
                "columns)"
            )
        self._values.extend(values)
        self._rows += 1


def _detect_delimiter(line: str) -> str | None:
    for d in ("\t", ",", ";"):
        if d in line:
            return d
    return None


def _split(line: str, delimiter: str | None) -> list[str]:
    if delimiter is None:
        return line.split()
    if '"' in line:  # quoted cells may hold the delimiter ("a,b") and doubled quotes
        import csv

        try:
            raw = next(csv.reader([line], delimiter=delimiter, skipinitialspace=True))
        except csv.Error:  # a NUL byte: read as plain cells (and refused as numbers)
            raw = line.split(delimiter)
    else:
        raw = line.split(delimiter)
    cells = [c.strip() for c in raw]
    if len(cells) > 1 and not cells[-1]:
        cells.pop()  # a trailing delimiter
    return cells


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


#: Values formatted at a time: big enough to amortise the per-block work, small enough that
#: a block's strings (about 80 bytes a value) stay a few MB.
_BLOCK_VALUES = 1 << 16


def text_chunks(
    arr: AnyArray, delimiter: str = ",", header: Sequence[str] | None = None
) -> Iterator[str]:
    """Delimited text for a 0-, 1- or 2-D array, one row per line, shortest round-trip digits,
    in blocks of about 64K values; ``header`` (one name a column) comes first."""
    a = arr.reshape(-1, 1) if arr.ndim < 2 else arr
    width = a.shape[1]
    if header is not None:
        yield header_line(header, delimiter)
    if not width:
        yield "\n" * a.shape[0]
        return
    step = max(1, _BLOCK_VALUES // width)
    fast = _formatter(a.dtype)
    for start in range(0, a.shape[0], step):
        if fast is not None:
            yield _join(fast, a[start : start + step], delimiter, "", "\n", "", quote=False)
            continue
        cells = format_floats(a[start : start + step])
        if width == 1:
            yield "\n".join(cells) + "\n"
        else:
            yield "\n".join(map(delimiter.join, zip(*[iter(cells)] * width, strict=True))) + "\n"


def header_line(names: Sequence[str], delimiter: str) -> str:
    """A header row: each name as read (a name holding the delimiter, a quote or a line end
    quoted as CSV does), then a line end."""
    quoted = (
        '"' + n.replace('"', '""') + '"' if delimiter in n or any(c in n for c in '"\r\n') else n
        for n in names
    )
    return delimiter.join(quoted) + "\n"


def json_chunks(arr: AnyArray, header: Sequence[str] | None = None) -> Iterator[str]:
    """JSON nested lists (any shape), in blocks of about 64K values; NaN and the infinities,
    which JSON numbers cannot hold, as the strings ``"nan"``, ``"inf"`` and ``"-inf"``.

    With ``header`` (one name a column of 1-D or 2-D data), the table object
    ``{"columns": [names], "data": [...]}``.
    """
    if header is not None:
        import json  # on first use (start-up)

        if arr.ndim not in (1, 2) or len(header) != (1 if arr.ndim == 1 else arr.shape[1]):
            raise ValueError(f"{len(header)} column names for an array of shape {arr.shape}")
        yield '{"columns": ' + json.dumps(list(header), ensure_ascii=False) + ',\n "data": '
        for chunk in json_chunks(arr):  # rows aligned under the first (numbers hold no \n)
            yield chunk.removesuffix("\n").replace("\n", "\n" + " " * 9)
        yield "}\n"
        return
    if arr.ndim == 0:
        yield _json_cells(arr.reshape(1))[0] + "\n"
        return
    if arr.ndim == 1:
        fast = _formatter(arr.dtype)
        yield "["
        for start in range(0, arr.shape[0], _BLOCK_VALUES):
            block = arr[start : start + _BLOCK_VALUES]
            yield (", " if start else "") + (
                ", ".join(_json_cells(block))
                if fast is None
                else _join(fast, block.reshape(1, -1), ", ", "", "", "", quote=True)
            )
        yield "]\n"
        return
    buffer: list[str] = []
    size = 0
    for part in _json_parts(arr, 0):
        buffer.append(part)
        size += len(part)
        if size >= _BLOCK_VALUES * 8:
            yield "".join(buffer)
            buffer.clear()
            size = 0
    buffer.append("\n")
    yield "".join(buffer)


def _json_parts(a: AnyArray, level: int) -> Iterator[str]:
    fast = _formatter(a.dtype) if a.ndim == 2 else None
    if fast is not None:  # rows of about 64K values at a time
        row_sep = ",\n" + " " * (level + 1)
        step = max(1, _BLOCK_VALUES // max(1, a.shape[1]))
        yield "["
        for start in range(0, a.shape[0], step):
            yield (row_sep if start else "") + _join(
                fast, a[start : start + step], ", ", "[", "]", row_sep, quote=True
            )
        yield "]"
        return
    if a.ndim == 1:
        yield "[" + ", ".join(_json_cells(a)) + "]"
        return
    yield "["
    for i in range(a.shape[0]):
        if i:
            yield ",\n" + " " * (level + 1)
        yield from _json_parts(a[i], level + 1)
    yield "]"


_JSON_QUOTED = {k: f'"{v}"' for k, v in JSON_NONFINITE.items()}


def _json_cells(values: AnyArray) -> list[str]:
    cells = format_floats(values)
    if values.dtype.kind == "f" and not np.isfinite(values).all():
        return [_JSON_QUOTED.get(c, c) for c in cells]
    return cells


def jsonable(value: Any) -> Any:
    """``value`` (dicts, lists, tuples, numbers, NumPy scalars and arrays) made of JSON types,
    with NaN and the infinities spelled as the strings of :data:`JSON_NONFINITE`."""
    if isinstance(value, float) and not math.isfinite(value):
        return JSON_NONFINITE[repr(value)]
    if isinstance(value, Mapping):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, np.generic):
        return jsonable(value.item())
    return value


def json_text(value: Any, indent: int | None = 2) -> str:
    """``value`` as JSON text (see :func:`jsonable`); never a bare NaN or Infinity."""
    import json  # on first use (start-up)

    return json.dumps(jsonable(value), indent=indent, ensure_ascii=False, allow_nan=False)


def format_floats(values: AnyArray) -> list[str]:
    """The shortest decimal string that reads back as each value's exact float.

    float64 uses Python's ``repr``; float32 and float16 use their own shortest digits (so
    ``np.float32(float(s))`` gives the value back); integers and bools print as integers.
    """
    a = np.asarray(values).ravel()
    fast = _formatter(a.dtype)
    if fast is not None and a.size:
        return _join(fast, a.reshape(1, -1), "\n", "", "", "", quote=False).split("\n")
    if a.dtype == np.float64:
        return list(map(float.__repr__, a.tolist()))
    if a.dtype.kind == "f" and a.dtype.itemsize < 8:
        return [str(v) for v in a]
    if a.dtype.kind in "biu":
        return [str(int(v)) for v in a.tolist()]
    return list(map(float.__repr__, a.astype(np.float64).tolist()))


#: The C formatter (actcli._kernels._text) for each float dtype it writes exactly as
#: :func:`format_floats`'s Python code would, filled on first use; None: not that dtype.
_FORMATTERS: dict[np.dtype[Any], Any] = {}

#: Values at the edges of the C formatter's decisions (positional or scientific, the shortest
#: digits at powers of two and ten), checked against Python and NumPy once per dtype before it
#: is used: NumPy 1.x switches float32/float16 to scientific at 1e16, NumPy 2 at 1e6/1e3.
_PROBES = (0.0, -0.0, 1.0, 0.1, 1e-4, 1e-5, 999.5, 1000.0, 65504.0, 999999.94, 1e6, 1e16, 2.0**-24)


def _formatter(dtype: np.dtype[Any]) -> Any:
    """The C formatter for ``dtype`` (native float16, float32, float64), or None."""
    if dtype in _FORMATTERS:
        return _FORMATTERS[dtype]
    fast = None
    if dtype.kind == "f" and dtype.isnative and dtype.itemsize in (2, 4, 8):
        try:
            from .._kernels import _text
        except ImportError:  # not built: the Python code below does it all
            pass
        else:
            big = float(np.finfo(dtype).max)
            probe = np.array([[p for p in _PROBES if p <= big]], dtype=dtype)
            expected = (
                list(map(float.__repr__, probe.ravel().tolist()))
                if dtype.itemsize == 8
                else [str(v) for v in probe.ravel()]
            )
            if _text.join(probe, "\n", "", "", "", False).split("\n") == expected:
                fast = _text
    _FORMATTERS[dtype] = fast
    return fast


def _join(
    fast: Any,
    block: AnyArray,
    sep: str,
    row_open: str,
    row_close: str,
    row_sep: str,
    *,
    quote: bool,
) -> str:
    """``row_sep.join(row_open + sep.join(cells) + row_close for each row of block)`` with
    the cells of :func:`format_floats` (NaN and the infinities in double quotes if ``quote``),
    by the C formatter ``fast``."""
    return str(fast.join(np.ascontiguousarray(block), sep, row_open, row_close, row_sep, quote))
