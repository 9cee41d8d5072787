"""Command-line values made into library values, without Click: ranges, inline values,
``KEY=VALUE`` parameters, the input source and the output format.

Every function raises :class:`OptionError` (a usage error, exit code 2) for a malformed or
contradictory option, or the record's :class:`~actcli.errors.ParamError` for a parameter,
so the CLI's commands stay thin and this logic is tested without Click.
"""

from __future__ import annotations

import itertools
import math
import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from . import io as aio
from ._frozen import frozen
from .engine import as_float_array, get_num_threads, linspace, positive_int
from .errors import InputError, OptionError, ParamError
from .records import Activation, Array, Record

if TYPE_CHECKING:  # loads with the first loss (start-up of eval)
    from .lossrecords import Loss

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


def split_pairs(pairs: Sequence[str]) -> dict[str, str]:
    """``["negative-slope=0.1"]`` as ``{"negative_slope": "0.1"}``: command-line ``KEY=VALUE``
    pairs, keys normalised (``-`` becomes ``_``), values left as text for :meth:`Param.parse`.

    Raises:
        ParamError: a pair without ``=`` or a key, or a key given twice.
    """
    raw: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip().replace("-", "_")
        if not sep or not key:
            raise ParamError(f"expected KEY=VALUE, got {pair!r}")
        if key in raw:
            raise ParamError(f"parameter '{key}' is given twice")
        raw[key] = value
    return raw


def defs_paths(text: str) -> list[str]:
    """The definitions files listed in ``ACTCLI_DEFS``: separated like ``PATH`` (``:``, or
    ``;`` on Windows), empty entries skipped.

    Raises:
        OptionError: a listed file does not exist.
    """
    paths = [p for p in text.split(os.pathsep) if p.strip()]
    for p in paths:
        if not os.path.isfile(p):
            raise OptionError(
                f"ACTCLI_DEFS lists '{aio.shown_path(p)}', which is not an existing file"
            )
    return paths


@frozen(eq=True)
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


#: Points of a ``--range START:STOP`` without ``:N``, in every command (plot's default too).
RANGE_POINTS = 801


def range_points(span: RangeSpec | None, points: int | None) -> RangeSpec | None:
    """``--range START:STOP[:N]`` with ``--points``: N from the range, else ``points``, else
    :data:`RANGE_POINTS` (as in plot).

    Raises:
        OptionError: ``--points`` without ``--range``, or disagreeing with its N.
    """
    if span is None:
        if points is not None:
            raise OptionError("--points applies to --range START:STOP; give --range too")
        return None
    if span.num is not None:
        if points is not None and points != span.num:
            raise OptionError(
                f"--range {span.start:g}:{span.stop:g}:{span.num} asks for {span.num} points "
                f"but --points {points}"
            )
        return span
    n = RANGE_POINTS if points is None else points
    if not 2 <= n <= MAX_RANGE_POINTS:
        raise OptionError(f"--points must be from 2 to {MAX_RANGE_POINTS:,}, got {n}")
    return RangeSpec(span.start, span.stop, n)


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
    act: Record,
    pairs: Sequence[str],
    shortcuts: Mapping[str, Any] | None = None,
    *,
    bind: bool = True,
) -> dict[str, Any]:
    """``KEY=VALUE`` strings (plus shortcut options such as ``--dim``) as checked parameters.

    Each value is parsed by the record's :meth:`Param.parse`; with ``bind`` the result is
    checked and completed with the defaults by :meth:`Activation.bind`, else only the given
    parameters are returned (each checked on its own).

    Raises:
        ParamError: unknown, repeated, ill-typed, out-of-range or missing parameter.
    """
    given: dict[str, Any] = {}
    for key, value in split_pairs(pairs).items():
        param = act.param(key)
        try:
            given[key] = param.parse(value)
        except ParamError as e:
            if "," not in value or param.per_channel:
                raise
            raise ParamError(
                f"{e}; a comma list is a sweep, which 'actcli plot' draws (one curve per value)"
            ) from None
    for key, value in (shortcuts or {}).items():
        if value is None:
            continue
        if key in given:
            raise ParamError(f"parameter '{key}' is given twice (--{key} and -p {key}=...)")
        try:
            act.param(key)
        except ParamError as e:  # named as the option that was given, not as -p
            raise OptionError(f"--{key} does not apply to {act.name}: {e}") from None
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
    columns: list[str] | None = None,
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
        columns: if given, receives the column names of a text input's header row.

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
        arr = _read_source(path, key, stdin, what, columns)
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
    columns: list[str] | None = None,
) -> Any:
    if path is not None and os.fspath(path) != "-":
        try:
            fmt = aio.format_of(path)
        except InputError as e:
            raise OptionError(str(e)) from None
        if key is not None and fmt != "npz":
            shown = aio.shown_path(path)
            raise OptionError(f"a key ({key!r}) only applies to .npz files, not '{shown}'")
        return aio.load_array(path, key=key, columns=columns)
    if stdin is None or stdin.isatty():
        raise OptionError(
            f"no {what}: give a file, - for piped stdin, --values or --range "
            "(stdin is a terminal, not a pipe)"
        )
    return aio.read_stream(stdin, key=key, name="stdin", columns=columns)


def role_pairs(option: str, pairs: Sequence[str], roles: Sequence[str]) -> dict[str, str]:
    """``["target=0,1"]`` as ``{"target": "0,1"}``: an option given as ``ROLE=VALUE`` for the
    named inputs of a loss (``input``, ``target``, ...).

    Raises:
        OptionError: a pair without ``=``, a role the loss does not take, a role given twice.
    """
    out: dict[str, str] = {}
    for pair in pairs:
        role, sep, value = pair.partition("=")
        role = role.strip().replace("-", "_")
        if not sep or role not in roles:
            raise OptionError(
                f"{option} takes ROLE=VALUE with ROLE one of: {', '.join(roles)}; got {pair!r}"
            )
        if role in out:
            raise OptionError(f"{option} {role}=... is given twice")
        out[role] = value
    return out


def load_loss_inputs(
    loss: Loss,
    files: Sequence[str],
    *,
    values: Sequence[str] = (),
    spans: Sequence[str] = (),
    keys: Sequence[str] = (),
    dtype: str | None = None,
    stdin: aio.ByteSource | None = None,
) -> dict[str, Array]:
    """The arrays of a loss's inputs, by name: ``--values ROLE=X,Y``/``--range
    ROLE=START:STOP:N`` name theirs, and the files (``-`` for stdin) fill the other roles in
    order (``INPUT TARGET``, or ``INPUT1 INPUT2 TARGET``).

    Raises:
        OptionError: too many or too few sources, a role given twice.
        InputError: unreadable data.
    """
    roles = loss.inputs
    inline_values = {r: parse_values(v) for r, v in role_pairs("--values", values, roles).items()}
    inline_spans = {r: parse_range(v) for r, v in role_pairs("--range", spans, roles).items()}
    npz_keys = role_pairs("--key", keys, roles)
    both = set(inline_values) & set(inline_spans)
    if both:
        raise OptionError(f"give {sorted(both)[0]} once: --values or --range, not both")
    open_roles = [r for r in roles if r not in inline_values and r not in inline_spans]
    if len(files) != len(open_roles):
        wanted = " ".join(r.upper() for r in open_roles) or "no file"
        raise OptionError(
            f"{loss.name} needs {len(roles)} arrays ({', '.join(roles)}); with the inline "
            f"ones given, expected {wanted}, got {len(files)} file(s)"
        )
    paths = dict(zip(open_roles, files, strict=True))
    out: dict[str, Array] = {}
    for role in roles:
        out[role] = load_input(
            paths.get(role),
            values=inline_values.get(role),
            span=inline_spans.get(role),
            key=npz_keys.get(role),
            dtype=dtype,
            stdin=stdin,
            what=role,
        )
    return out


def number_list(text: str) -> Array | None:
    """``text`` as numbers (``0.5`` or ``1,2,0.5``), or None if it is not a number list."""
    tokens = text.replace(",", " ").split()
    try:
        return np.array([float(t) for t in tokens]) if tokens else None
    except ValueError:
        return None


def load_array_arg(text: str, what: str, stdin: aio.ByteSource | None = None) -> Array:
    """An array argument such as ``--weight``: inline numbers (``0.5`` or ``1,2,0.5``) or a
    file (``-`` for stdin). One number stays a 0-d array (it broadcasts)."""
    numbers = number_list(text)
    if numbers is not None:
        return numbers.reshape(()) if numbers.size == 1 else numbers
    if text != "-" and not os.path.isfile(text):
        raise OptionError(
            f"{what}: '{aio.shown_path(text)}' is neither numbers (e.g. 1,2,0.5) nor a file"
        )
    return load_input(text, stdin=stdin, what=what)


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


@frozen
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


# --- bench's grid: sizes, dtypes and thread counts -------------------------------------------
def parse_sizes(text: str) -> list[int]:
    """``"1e3,1e5,1e7"`` -> ``[1000, 100000, 10000000]``; raises ValueError on a bad size."""
    sizes = []
    for part in _split(text, "size"):
        try:
            value = float(part)
        except ValueError:
            raise ValueError(f"size {part!r} is not a number") from None
        if not math.isfinite(value) or value < 1 or not value.is_integer():
            raise ValueError(f"size {part!r} must be a positive whole number of elements")
        sizes.append(int(value))
    return sizes


def parse_dtypes(text: str) -> list[str]:
    """``"float32,float64"`` -> the dtype names; raises ValueError on an unknown one."""
    out = []
    for part in _split(text, "dtype"):
        key = part.lower()
        if key not in DTYPES:
            raise ValueError(f"dtype {part!r} is not one of: {', '.join(DTYPES)}")
        out.append(key)
    return out


def parse_threads(text: str) -> list[int]:
    """``"1,2"`` -> ``[1, 2]``; raises ValueError on anything but positive integers."""
    out = []
    for part in _split(text, "thread count"):
        n = positive_int(part)
        if n is None:
            raise ValueError(f"thread count {part!r} must be a positive integer")
        out.append(n)
    return out


def _split(text: str, what: str) -> list[str]:
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts:
        raise ValueError(f"expected a comma-separated list of {what}s, got {text!r}")
    return list(dict.fromkeys(parts))


@frozen
class Grid:
    """The sizes, dtypes and thread counts of a run, parsed from the command line."""

    sizes: list[int]
    dtypes: list[str]
    threads: list[int]

    @property
    def count(self) -> int:
        """Configurations per activation and direction."""
        return len(self.sizes) * len(self.dtypes) * len(self.threads)

    @property
    def kwargs(self) -> dict[str, Any]:
        """The keyword arguments of :func:`run`."""
        return {"sizes": self.sizes, "dtypes": self.dtypes, "threads": self.threads}


def parse_grid(size: str, dtype: str, threads: str | None) -> Grid:
    """Parse ``--size``, ``--dtype`` and ``--threads`` (None: the engine's thread count)."""
    if threads is not None:
        nthreads = parse_threads(threads)
    else:
        try:
            nthreads = [get_num_threads()]
        except ParamError as e:  # a malformed ACTCLI_NUM_THREADS
            raise ValueError(str(e)) from None
    return Grid(parse_sizes(size), parse_dtypes(dtype), nthreads)


# --- plot: the x-range, the figure size and parameter sweeps ----------------------------------
def parse_size(text: str) -> tuple[float, float]:
    """``"6.4x4"`` as ``(6.4, 4.0)`` inches; raises :class:`OptionError` otherwise."""
    w, sep, h = text.lower().partition("x")
    try:
        size = (float(w), float(h))
    except ValueError:
        size = (math.nan, math.nan)
    if not sep or not all(math.isfinite(v) and 0.5 <= v <= 100 for v in size):
        raise OptionError(f"expected WIDTHxHEIGHT in inches, each from 0.5 to 100, got {text!r}")
    return size


def plot_options(
    span: str | None = None,
    points: int | None = None,
    dpi: float | None = None,
    size: str | None = None,
    derivative: bool = True,
    title: str | None = None,
) -> dict[str, Any]:
    """The keyword arguments of :class:`actcli.plotting.Options` given on the command line
    (what is None is left out, so the plot's defaults apply).

    ``span`` is ``START:STOP`` or ``START:STOP:N`` (as in ``eval``; N is the number of points,
    and must agree with ``points`` when both are given); ``size`` is ``WIDTHxHEIGHT`` inches.
    """
    kw: dict[str, Any] = {"derivative": derivative, "title": title, "span_given": span is not None}
    if span is not None:
        parsed = parse_range(span, with_count=span.count(":") == 2)
        kw["start"], kw["stop"] = parsed.start, parsed.stop
        if parsed.num is not None and points is not None and parsed.num != points:
            raise OptionError(f"--range {span} asks for {parsed.num} points but --points {points}")
        points = parsed.num or points
    if points is not None:
        kw["points"] = points
    if size is not None:
        kw["size"] = parse_size(size)
    if dpi is not None:
        kw["dpi"] = dpi
    return kw


def plot_sweeps(
    acts: Sequence[Activation | Loss], pairs: Sequence[str] | Mapping[str, str], limit: int
) -> list[tuple[Activation | Loss, list[dict[str, Any]]]]:
    """``-p KEY=A,B`` for ``plot``: each record with its combinations of parameter values.

    A comma always separates the values of a sweep, for every parameter (prelu's per-channel
    ``weight`` means nothing on a curve of one variable, so there a comma list is a sweep too).
    Each parameter applies to the named activations that declare it and must belong to at least
    one (``x*sigmoid(beta*x)`` next to ``silu`` takes ``beta``). Axis functions are drawn along
    their own axis, so ``dim`` is refused. At most ``limit`` combinations per activation.

    Raises:
        ParamError.
    """
    raw = dict(pairs) if isinstance(pairs, Mapping) else split_pairs(pairs)
    out: list[tuple[Activation | Loss, list[dict[str, Any]]]] = []
    for act in acts:
        choices: list[list[tuple[str, Any]]] = []
        for key, text in raw.items():
            if key not in act.param_names and any(key in a.param_names for a in acts):
                continue  # a parameter of another activation in the same plot
            param = act.param(key)
            if isinstance(act, Activation) and act.kind == "axis" and key == "dim":
                raise ParamError(
                    f"parameter 'dim' of {act.name} cannot be set for a plot: axis functions "
                    "are drawn on a two-element row"
                )
            choices.append([(key, param.parse(part)) for part in str(text).split(",")])
        combos = list(itertools.product(*choices))
        if len(combos) > limit:
            raise ParamError(
                f"the parameter sweep for {act.name} has {len(combos)} combinations; "
                f"a plot draws at most {limit}"
            )
        out.append((act, [dict(c) for c in combos]))
    return out


def parse_scoped_params(pairs: Sequence[str], acts: Sequence[Activation]) -> list[dict[str, Any]]:
    """``NAME.KEY=VALUE`` pairs (``compare``'s ``-p``) as one parameter dict per activation.

    NAME is a name or alias of one of ``acts`` (every column with that name gets the value) or
    a 1-based column number, so ``compare gelu gelu -p 2.approximate=tanh`` compares the two
    GELUs. Values are parsed by the record's :meth:`Param.parse`.

    Raises:
        OptionError: a pair without ``NAME.`` or naming no given activation.
        ParamError: no ``=``, an unknown or repeated parameter, a value of the wrong type.
    """
    out: list[dict[str, Any]] = [{} for _ in acts]
    for pair in pairs:
        target, dot, rest = pair.partition(".")
        if not dot or "=" in target:
            raise OptionError(f"expected NAME.KEY=VALUE (e.g. swish.beta=1.7), got {pair!r}")
        target = target.strip()
        if target.isdigit():
            n = int(target)
            if not 1 <= n <= len(acts):
                raise OptionError(f"column {n} does not exist; there are {len(acts)}")
            columns = [n - 1]
        else:
            columns = [i for i, a in enumerate(acts) if target == a.name or target in a.aliases]
            if not columns:
                given = ", ".join(a.name for a in acts)
                raise OptionError(f"{target!r} in {pair!r} is not one of the compared: {given}")
        ((key, text),) = split_pairs([rest]).items()
        for i in columns:
            if key in out[i]:
                raise ParamError(f"parameter '{key}' of {acts[i].name} is given twice")
            out[i][key] = acts[i].param(key).parse(text)
    return out
