"""Command-line values made into library values, without Click: ranges, inline values,
``KEY=VALUE`` parameters, the input source and the output format.

Every function raises :class:`OptionError` (a usage error, exit code 2) for a malformed or
contradictory option, or the registry's :class:`~actcli.errors.ParamError` for a parameter,
so the CLI's commands stay thin and this logic is tested without Click.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import io as aio
from .engine import as_float_array
from .errors import ActcliError, InputError, ParamError
from .registry import Activation, Array, split_pairs

#: The dtypes ``--dtype`` accepts.
DTYPES: dict[str, type[np.floating[Any]]] = {
    "float16": np.float16,
    "float32": np.float32,
    "float64": np.float64,
}
#: The output formats ``--format`` accepts (``-o`` also takes ``.npz``, ``.tsv`` and ``.txt``).
OUTPUT_FORMATS = ("table", "csv", "json", "npy")
#: The most points ``--range`` may ask for (800 MB of float64).
MAX_RANGE_POINTS = 100_000_000


class OptionError(ActcliError, ValueError):
    """A malformed or contradictory command-line option: a usage error (exit code 2)."""


@dataclass(frozen=True)
class RangeSpec:
    """``START:STOP[:N]``: N evenly spaced points from START to STOP, both included."""

    start: float
    stop: float
    num: int | None = None

    def linspace(self, num: int | None = None, dtype: Any = np.float64) -> Array:
        """The points (``num`` overrides the spec's own count)."""
        n = num if num is not None else self.num
        if n is None:
            raise OptionError("the range has no number of points (START:STOP:N)")
        return linspace(self.start, self.stop, n, dtype)


def linspace(start: float, stop: float, num: int, dtype: Any = np.float64) -> Array:
    """``np.linspace(start, stop, num)`` for any finite START and STOP, even where
    ``stop - start`` overflows (then computed at half scale: exact steps, both ends exact)."""
    start, stop = float(start), float(stop)  # Python floats: an overflow here is quiet
    if math.isfinite(stop - start):
        return np.linspace(start, stop, num, dtype=dtype)
    half = np.linspace(start / 2, stop / 2, num)  # halving a number this large is exact
    out = half * 2.0
    out[0], out[-1] = start, stop
    return out.astype(dtype, copy=False)


def parse_range(text: str, *, with_count: bool = True) -> RangeSpec:
    """Parse ``START:STOP:N`` (or ``START:STOP`` when ``with_count`` is false).

    START and STOP are finite numbers with START < STOP; N is an integer from 2 to
    :data:`MAX_RANGE_POINTS`.
    """
    spelling = "START:STOP:N" if with_count else "START:STOP"
    parts = text.split(":")
    if len(parts) != (3 if with_count else 2):
        raise OptionError(f"expected {spelling} (for example -6:6:121), got {text!r}")
    try:
        start, stop = float(parts[0]), float(parts[1])
    except ValueError:
        raise OptionError(f"START and STOP must be numbers in {spelling}, got {text!r}") from None
    if not (math.isfinite(start) and math.isfinite(stop)) or start >= stop:
        raise OptionError(f"need finite START < STOP in {spelling}, got {text!r}")
    if not with_count:
        return RangeSpec(start, stop)
    try:
        num = int(parts[2])
    except ValueError:
        raise OptionError(f"N must be an integer in {spelling}, got {parts[2]!r}") from None
    if not 2 <= num <= MAX_RANGE_POINTS:
        raise OptionError(f"N must be from 2 to {MAX_RANGE_POINTS:,} in {spelling}, got {num}")
    return RangeSpec(start, stop, num)


def finite(value: float, option: str) -> float:
    """``value``, unless it is NaN (which every range check lets through)."""
    if not math.isfinite(value):
        raise OptionError(f"{option} must be a finite number, got {value}")
    return value


def parse_values(text: str) -> Array:
    """Numbers separated by commas and/or spaces, such as ``"-1,0.5,nan"``, as float64."""
    tokens = text.replace(",", " ").split()
    if not tokens:
        raise OptionError("--values needs at least one number, e.g. --values=-1,0,1")
    out = []
    for token in tokens:
        try:
            out.append(float(token))
        except ValueError:
            raise OptionError(f"--values: {token!r} is not a number") from None
    return np.array(out, dtype=np.float64)


def parse_params(
    act: Activation,
    pairs: Sequence[str],
    shortcuts: Mapping[str, Any] | None = None,
    *,
    bind: bool = True,
) -> dict[str, Any]:
    """``KEY=VALUE`` strings (plus shortcut options such as ``--dim``) as checked parameters.

    Each value is parsed by the registry's :meth:`Param.parse`; with ``bind`` the result is
    checked and completed with the defaults by :meth:`Activation.bind`, else only the given
    parameters are returned (each checked on its own).

    Raises:
        ParamError: unknown, repeated, ill-typed, out-of-range or missing parameter.
    """
    given: dict[str, Any] = {
        key: act.param(key).parse(value) for key, value in split_pairs(pairs).items()
    }
    for key, value in (shortcuts or {}).items():
        if value is None:
            continue
        if key in given:
            raise ParamError(f"parameter '{key}' is given twice (--{key} and -p {key}=...)")
        act.param(key)  # unknown for this activation: a clear error
        given[key] = value
    if not bind:
        where = f" of {act.name}"
        return {k: act.param(k).check(v, where) for k, v in given.items()}
    return act.bind(given)


def load_input(
    path: str | os.PathLike[str] | None = None,
    *,
    values: Array | None = None,
    span: RangeSpec | None = None,
    key: str | None = None,
    dtype: str | None = None,
    stdin: aio.ByteSource | None = None,
    what: str = "input",
    mmap: bool = False,
) -> Array:
    """The array to compute on, from exactly one source: a file, ``-`` (stdin), inline values,
    a range, or (none given) stdin when it is not a terminal.

    With ``mmap``, a native-endian float ``.npy`` file is returned as a lazy
    :class:`~actcli.io.NpyRows` reader rather than read, so that a result can be streamed
    block by block (see :mod:`actcli.streaming`).

    Args:
        path: a file, or ``"-"`` for stdin.
        values, span: the parsed ``--values`` / ``--range``.
        key: the array to take from an ``.npz``.
        dtype: ``float16``/``float32``/``float64`` to cast to; else the input dtype is kept
            (integers and bools become float64; text reads as float64).
        stdin: the binary stream read for ``-`` or when no source is given.
        what: how errors name this input.

    Raises:
        OptionError: no source, several sources, an unknown extension, stdin is a terminal.
        InputError: the data cannot be read or used, or does not fit in memory. An empty array
            (shape ``(0,)``, ``(3, 0)``) is data: it gives an empty result.
    """
    given = [s for s in (path, values, span) if s is not None]
    if len(given) > 1:
        raise OptionError(f"give one {what}: a file (or - for stdin), --values or --range")
    if key is not None and (values is not None or span is not None):
        raise OptionError(f"a key ({key!r}) only applies to .npz input")
    if mmap and path is not None and os.fspath(path) != "-" and key is None and dtype is None:
        rows = aio.open_rows(path)
        if rows is not None:  # a big float .npy: read lazily, block by block
            return rows  # type: ignore[return-value]
    if values is not None:
        arr: Array = values
    elif span is not None:
        aio.check_budget(span_bytes(span), f"--range {span.start:g}:{span.stop:g}", "needs")
        arr = span.linspace()
    else:
        arr = _read_source(path, key, stdin, what)
    raw = np.asarray(arr)
    if raw.dtype.kind in "biu":  # bools and integers grow to float64: check what they become
        aio.check_budget(raw.size * 8, f"the {what}", "becomes float64 of")
    arr = as_float_array(raw, what)
    if dtype is not None:
        if arr.dtype != DTYPES[dtype]:
            need = arr.size * np.dtype(DTYPES[dtype]).itemsize
            aio.check_budget(need, f"the {what}", f"as {dtype} needs")
        with np.errstate(over="ignore"):  # too big for float16/32 becomes ±inf, as a cast does
            arr = arr.astype(DTYPES[dtype], copy=False)
    return arr


def span_bytes(span: RangeSpec) -> int:
    """The bytes of ``span``'s points as float64."""
    return (span.num or 0) * 8


def _read_source(
    path: str | os.PathLike[str] | None,
    key: str | None,
    stdin: aio.ByteSource | None,
    what: str,
) -> Any:
    if path is not None and os.fspath(path) != "-":
        try:
            fmt = aio.format_of(path)
        except InputError as e:
            raise OptionError(str(e)) from None
        if key is not None and fmt != "npz":
            shown = aio.shown_path(path)
            raise OptionError(f"a key ({key!r}) only applies to .npz files, not '{shown}'")
        return aio.load_array(path, key=key)
    if stdin is None or stdin.isatty():
        raise OptionError(
            f"no {what}: give a file, - for piped stdin, --values or --range "
            "(stdin is a terminal, not a pipe)"
        )
    return aio.read_stream(stdin, key=key, name="stdin")


class StdinOnce:
    """Standard input, which only one of a command's inputs may read (``INPUT`` or
    ``--grad-output``); the first reads it (in chunks) to the end, and a second reader gets an
    :class:`OptionError`."""

    def __init__(self, stream: aio.ByteSource) -> None:
        self._stream = stream
        self._done = False

    def isatty(self) -> bool:
        return self._stream.isatty()

    def read(self, n: int = -1, /) -> bytes:
        if self._done:
            raise OptionError("stdin can feed only one input; give a file for the other")
        data = self._stream.read(n)
        self._done = n < 0 or not data
        return data


@dataclass(frozen=True)
class OutputSpec:
    """Where a result goes: a file (``path``) or stdout, in format ``fmt``."""

    path: str | os.PathLike[str] | None
    fmt: str
    quiet: bool = False


def choose_format(
    output: str | os.PathLike[str] | None, fmt: str | None, *, stdout_is_terminal: bool
) -> str:
    """The output format: ``-o``'s extension (``--format`` may repeat it), else ``--format``,
    else ``table`` on a terminal and ``csv`` on a pipe (and for ``-o /dev/null``, a FIFO...).

    Raises:
        OptionError: an unknown extension, an extension that contradicts ``--format``,
            ``table`` to a file, or binary NPY to a terminal.
    """
    if output is not None:
        if fmt == "table":
            raise OptionError("--format table is for the terminal; it cannot go to a file (-o)")
        try:
            implied: str | None = aio.format_of(output)
        except InputError as e:
            if fmt is not None:
                return fmt
            if aio.writes_through(output):  # /dev/null, /dev/stdout, a FIFO: as stdout
                return "csv"
            raise OptionError(f"cannot tell the output format: {e} (or give --format)") from None
        if fmt is not None and fmt != implied:
            shown = aio.shown_path(output)
            raise OptionError(
                f"-o '{shown}' is .{implied} but --format is {fmt}; "
                "give a file name that matches the format, or leave --format out"
            )
        assert implied is not None
        return implied
    if fmt is None:
        return "table" if stdout_is_terminal else "csv"
    if fmt == "npy" and stdout_is_terminal:
        raise OptionError("refusing to write binary NPY to a terminal; redirect stdout or use -o")
    return fmt
