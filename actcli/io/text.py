"""Delimited text and JSON: parsed cell by cell, written with round-trip digits.

A bad cell is reported with its line and column. Text is parsed only if 8 times its size (24
for JSON) fits in the memory budget, and JSON nests at most 64 deep.

Text output uses the shortest decimal digits that round-trip (``repr`` for float64, the float32
or float16 shortest form for those dtypes), so reading it back gives the same floats bit for bit
(with ``dtype=`` for float32/float16 data, since text does not carry a dtype).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from ..errors import InputError
from . import budget
from .formats import MAX_DIMS

AnyArray = npt.NDArray[Any]

#: Peak memory of parsing delimited text / JSON, per byte of it (measured with tracemalloc,
#: bytes read included: delimited 1.4x for long numbers to 5.3x for one-digit cells; JSON 3.7x
#: to 17x), with a margin.
TEXT_EXPANSION = {False: 8, True: 24}


def parse_text(data: bytes, name: str, *, json_text: bool) -> AnyArray:
    budget.check_budget(len(data) * TEXT_EXPANSION[json_text], name, "needs about")
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
        import json  # on first use: ~2% of start-up that eval never needs

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
            import json  # on first use (start-up)

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


_ROWS_PER_CHUNK = 4096


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
