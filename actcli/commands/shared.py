"""What every command shares: the error boundary, the ``NAME`` parameter types, the option
decorators for inputs (:func:`input_options`), activation parameters (:func:`param_options`) and
outputs (:func:`output_options`), and the way results are computed and shown.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import math
import os
import signal
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
import numpy as np

from .. import io as aio
from .. import options
from ..catalog import aliases, lookup, names, presets, unknown_name_message
from ..engine import as_float_array, is_bare_word, output_shape, resolve
from ..errors import (
    ActcliError,
    ExpressionError,
    OptionError,
    ParamError,
    UnknownActivationError,
)
from ..records import Activation, Record
from ..streaming import apply_blocks

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem

    # loads with the first loss (start-up of eval)
    from ..lossrecords import Loss

F = TypeVar("F", bound=Callable[..., Any])

# --------------------------------------------------------------------------------------------
# The error boundary: every failure becomes one "Error: ..." line on stderr and an exit code,
# 2 for a wrong command line, 1 for data or I/O that cannot be used. Never a traceback.


class OneLineUsageError(click.UsageError):
    """A usage error (exit code 2) shown as one ``Error:`` line, without the usage text."""

    def show(self, file: Any = None) -> None:
        click.echo(f"Error: {self.format_message()}", file=file, err=file is None)


class Terminated(KeyboardInterrupt):
    """A terminating signal (SIGTERM, SIGHUP, ...), raised in the main thread like Ctrl-C so
    that every cleanup runs."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@contextlib.contextmanager
def _signals_interrupt() -> Iterator[None]:
    """Every catchable terminating signal that has its default action raises
    :class:`Terminated` (signals ignored at start, as under ``nohup``, stay ignored)."""

    def handler(signum: int, frame: Any) -> None:
        raise Terminated(signum)

    previous: dict[int, Any] = {}
    try:
        for sig in aio.terminating_signals():
            if sig != signal.SIGINT and signal.getsignal(sig) == signal.SIG_DFL:
                previous[sig] = signal.signal(sig, handler)
    except ValueError:  # not the main thread (an embedding program): leave signals alone
        pass
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _shorten(text: str, limit: int = 60) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis (a long formula in a message)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _escaped(message: str) -> str:
    """One line: control characters (from file names, keys, cells) shown escaped."""
    return aio.shown_path(message)


#: The folder of a command that writes several files one by one (plot --all): an interrupted
#: run says the finished ones remain there (each was written atomically, so each is whole).
_FINISHED: list[str] = []


@contextlib.contextmanager
def error_boundary() -> Iterator[None]:
    """Turn ActcliError, Click usage errors and I/O errors into one-line Click exceptions.

    Ctrl-C and the other terminating signals end the run with one line and exit code 128 + the
    signal's number (130 for SIGINT, 143 for SIGTERM); the atomic writers have removed their
    temporary files by then, so no partial file is left behind. A closed pipe ends the run
    quietly with 141 (128 + SIGPIPE); running out of memory is one ``Error:`` line, exit 1.
    """
    _FINISHED.clear()
    try:
        with _signals_interrupt():
            yield
    except KeyboardInterrupt as e:
        signum = e.signum if isinstance(e, Terminated) else signal.SIGINT
        if aio.stdout_written():
            left = "the output on stdout is incomplete"
        elif _FINISHED:
            where = aio.shown_path(_FINISHED[-1])
            left = f"the files finished before it remain in {where} (each whole)"
        else:
            left = "no partial output was left"
        with contextlib.suppress(OSError):  # SIGHUP: the terminal may be gone
            click.echo(f"Error: interrupted by {aio.signal_name(signum)}; {left}", err=True)
        raise click.exceptions.Exit(128 + signum) from None
    except (OneLineUsageError, click.exceptions.NoArgsIsHelpError):
        raise
    except click.UsageError as e:  # Click's own: no such option, missing file, bad choice...
        bad_value = isinstance(e, click.BadParameter) and not isinstance(e, click.MissingParameter)
        hint = f" (see '{e.ctx.command_path} --help')" if e.ctx and not bad_value else ""
        raise OneLineUsageError(_escaped(e.format_message() + hint)) from None
    except (UnknownActivationError, OptionError, ExpressionError) as e:
        raise OneLineUsageError(_escaped(str(e))) from None
    except ParamError as e:
        raise OneLineUsageError(_escaped(f"Invalid value for '--param': {e}")) from None
    except ActcliError as e:
        raise click.ClickException(_escaped(str(e))) from None
    except MemoryError:
        raise click.ClickException(
            "out of memory (give a smaller input, or write a .npy with -o to stream it)"
        ) from None
    except OSError as e:
        if e.errno == errno.EPIPE:  # the reader went away (`| head`): quiet, as SIGPIPE is
            aio.silence_stdout()
            raise click.exceptions.Exit(128 + signal.SIGPIPE) from None
        raise click.ClickException(_escaped(f"{e.strerror or e}")) from None


# --------------------------------------------------------------------------------------------
# Shared parameter types and option decorators.


class ActivationType(click.ParamType):  # type: ignore[type-arg]
    """An activation name or alias, or an expression such as 'x*sigmoid(1.702*x)': completes
    names and suggests the closest on a typo."""

    name = "NAME"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, Activation):
            return value
        try:
            return resolve(str(value))
        except (UnknownActivationError, ExpressionError) as e:
            self.fail(str(e), param, ctx)

    def shell_complete(
        self, ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[CompletionItem]:
        from click.shell_completion import CompletionItem  # on completion only

        pool = [*names(), *aliases(), *presets()]
        return [CompletionItem(n) for n in pool if n.startswith(incomplete)]


ACTIVATION = ActivationType()
INPUT_PATH = click.Path(exists=True, dir_okay=False, readable=False, allow_dash=True)


def name_argument(f: F) -> F:
    """The ``NAME`` argument: the command receives ``name`` as an :class:`Activation`."""
    return click.argument("name", type=ACTIVATION, metavar="NAME")(f)


def _stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


def _stdin() -> options.StdinOnce:
    """This command's stdin, which only one input may read."""
    ctx = click.get_current_context()
    if "actcli.stdin" not in ctx.meta:
        ctx.meta["actcli.stdin"] = options.StdinOnce(sys.stdin.buffer)
    stdin: options.StdinOnce = ctx.meta["actcli.stdin"]
    return stdin


def _range_callback(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    return None if value is None else options.parse_range(value, with_count=value.count(":") != 1)


def _values_callback(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    return None if value is None else options.parse_values(value)


#: Where input_options leaves the input's column names (its text header) for emit.
_COLUMNS = "actcli.columns"


def input_options(f: F) -> F:
    """``[INPUT]`` (a file or ``-``), ``--values``, ``--range START:STOP:N``, ``--key`` and
    ``--dtype``; the command receives the loaded array as ``x``."""

    @functools.wraps(f)
    def wrapper(
        *args: Any,
        input: str | None,
        values: Any,
        span: Any,
        points: int | None,
        key: Any,
        dtype: Any,
        **kw: Any,
    ) -> Any:
        span = options.range_points(span, points)
        columns: list[str] = []  # a text input's header, written back out by emit
        kw["x"] = options.load_input(
            input,
            values=values,
            span=span,
            key=key,
            dtype=dtype,
            stdin=_stdin(),
            mmap=True,
            columns=columns,
        )
        click.get_current_context().meta[_COLUMNS] = columns
        return f(*args, **kw)

    decorators = [
        click.argument("input", type=INPUT_PATH, required=False, metavar="[INPUT]"),
        click.option(
            "--values",
            metavar="X,Y,...",
            callback=_values_callback,
            help="Inline numbers instead of a file, e.g. --values=-1,0,2.5.",
        ),
        click.option(
            "--range",
            "span",
            metavar="START:STOP[:N]",
            callback=_range_callback,
            help="N evenly spaced points from START to STOP (both included), e.g. -6:6:121 "
            "(as in plot).",
        ),
        click.option(
            "--points",
            type=int,
            help=f"N of a --range given as START:STOP (default {options.RANGE_POINTS}, as in "
            "plot).",
        ),
        click.option("--key", metavar="KEY", help="The array to read from an .npz input."),
        click.option(
            "--dtype",
            type=click.Choice(list(options.DTYPES)),
            help="Cast the input to this dtype (default: keep it; text reads as float64).",
        ),
    ]
    for decorate in reversed(decorators):
        wrapper = decorate(wrapper)
    return wrapper  # type: ignore[return-value]


_SHORTCUTS: dict[str, Callable[[Any], Any]] = {
    "dim": click.option(
        "--dim", type=int, help="Axis of softmax-like functions (same as -p dim=N)."
    ),
    "seed": click.option("--seed", type=int, help="Seed of rrelu's slopes (same as -p seed=N)."),
    "training": click.option(
        "--training",
        is_flag=True,
        default=None,
        help="rrelu: draw random slopes (same as -p training=true).",
    ),
}


def param_options(*shortcuts: str, bind: bool = True) -> Callable[[F], F]:
    """``-p/--param KEY=VALUE`` (repeatable) and the named shortcut options (``dim``, ``seed``,
    ``training``); the command receives ``params``, parsed by the record's ``Param.parse``
    and checked against the ``name`` argument's activation (with its defaults if ``bind``)."""

    def decorator(f: F) -> F:
        @functools.wraps(f)
        def wrapper(*args: Any, name: Activation, param: tuple[str, ...], **kw: Any) -> Any:
            given = {s: kw.pop(s) for s in shortcuts}
            kw["params"] = options.parse_params(name, param, given, bind=bind)
            return f(*args, name=name, **kw)

        for s in reversed(shortcuts):
            wrapper = _SHORTCUTS[s](wrapper)
        return click.option(  # type: ignore[return-value]
            "-p",
            "--param",
            multiple=True,
            metavar="KEY=VALUE",
            shell_complete=complete_param,
            help="An activation parameter, e.g. -p negative_slope=0.2 (repeatable).",
        )(wrapper)

    return decorator


def complete_list(choices: Iterable[str], incomplete: str) -> list[CompletionItem]:
    """Shell completion of a comma list of ``choices`` (``float32,f`` -> ``float32,float64``)."""
    from click.shell_completion import CompletionItem  # on completion only

    done, _, last = incomplete.rpartition(",")
    head = done + "," if done else ""
    given = set(done.split(","))
    return [CompletionItem(head + c) for c in choices if c.startswith(last) and c not in given]


def complete_param(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """Shell completion of ``-p``: ``KEY=`` from the NAME's record, then the values of a
    parameter with choices (``approximate=tanh``) or a bool."""
    from click.shell_completion import CompletionItem  # on completion only

    record = ctx.params.get("name")
    if not isinstance(record, Record):
        return []
    key, sep, _ = incomplete.partition("=")
    if not sep:
        return [
            CompletionItem(f"{p.name}=", help=p.help)
            for p in record.params
            if p.name.startswith(incomplete)
        ]
    matches = [p for p in record.params if p.name == key]
    if not matches:
        return []
    p = matches[0]
    values = p.choices or (("true", "false") if p.kind is bool else ())
    return [CompletionItem(f"{key}={v}") for v in values if f"{key}={v}".startswith(incomplete)]


def output_options(f: F) -> F:
    """``-o/--output PATH`` and ``--format``; the command receives ``out`` (an OutputSpec)."""

    @functools.wraps(f)
    def wrapper(
        *args: Any, output: Path | None, fmt: str | None, as_json: bool, quiet: bool, **kw: Any
    ) -> Any:
        if output is not None and os.fspath(output) == "-":  # -o - is stdout
            output = None
        fmt = _json_format(fmt, as_json)
        chosen = options.choose_format(output, fmt, stdout_is_terminal=_stdout_is_terminal())
        kw["out"] = options.OutputSpec(output, chosen, quiet)
        return f(*args, **kw)

    wrapper = quiet_option(wrapper)
    wrapper = click.option(
        "--json", "as_json", is_flag=True, help="Same as --format json (every command takes both)."
    )(wrapper)
    wrapper = click.option(
        "--format",
        "fmt",
        type=click.Choice(options.OUTPUT_FORMATS),
        help="Output format (default: from -o's extension; else table on a terminal, CSV in a "
        "pipe).",
    )(wrapper)
    return click.option(  # type: ignore[return-value]
        "-o",
        "--output",
        type=click.Path(dir_okay=False, readable=False, path_type=Path),
        help="Write the result here (.npy .npz .csv .tsv .txt .json), atomically.",
    )(wrapper)


def _json_format(fmt: str | None, as_json: bool) -> str | None:
    """``--format`` with ``--json`` folded in (``--json`` is ``--format json``)."""
    if as_json and fmt not in (None, "json"):
        raise OptionError(f"--json and --format {fmt} disagree; give one of them")
    return "json" if as_json else fmt


def json_options(what: str) -> Callable[[F], F]:
    """``--format table|json`` and its shorthand ``--json`` for a command that prints a table
    or JSON (``what`` describes its JSON); the command receives ``as_json``."""

    def decorator(f: F) -> F:
        @functools.wraps(f)
        def wrapper(*args: Any, fmt: str | None, as_json: bool, **kw: Any) -> Any:
            kw["as_json"] = _json_format(fmt, as_json) == "json"
            return f(*args, **kw)

        wrapper = click.option(
            "--json", "as_json", is_flag=True, help=f"Same as --format json: {what}."
        )(wrapper)
        return click.option(  # type: ignore[return-value]
            "--format",
            "fmt",
            type=click.Choice(REPORT_FORMATS),
            help="table (the default) or json, for programs; --json is the same.",
        )(wrapper)

    return decorator


#: What list, info, bench and compare print.
REPORT_FORMATS = ("table", "json")
#: plot's and compare's --legend places (plotting.LEGEND_PLACES, named here so that building
#: the options does not import plotting; a test keeps the two equal).
LEGEND_PLACES = (
    "best",
    "upper left",
    "upper right",
    "lower left",
    "lower right",
    "outside",
    "none",
)


def quiet_option(f: F) -> F:
    """``-q/--quiet``: no progress bar (there is never one on a pipe)."""
    return click.option("-q", "--quiet", is_flag=True, help="No progress bar on stderr.")(f)


class ProgressBar:
    """A Rich progress bar on stderr: only on a terminal, never with --quiet, and only once
    the run has lasted ``delay`` seconds (short runs print nothing)."""

    def __init__(self, label: str, total: float | None, *, quiet: bool, delay: float) -> None:
        self.label, self.total, self.delay = label, total, delay
        self.enabled = not quiet and sys.stderr.isatty()
        self.started = time.monotonic()
        self.done = 0.0
        self._bar: Any = None
        self._task: Any = None

    def advance(self, n: float = 1.0) -> None:
        self.update(self.done + n)

    def update(self, done: float, total: float | None = None) -> None:
        self.done = done
        self.total = total if total is not None else self.total
        if not self.enabled:
            return
        if self._bar is None:
            if time.monotonic() - self.started < self.delay:
                return
            from rich.console import Console
            from rich.progress import Progress

            self._bar = Progress(console=Console(stderr=True), transient=True)
            self._task = self._bar.add_task(self.label, total=self.total)
            self._bar.start()
        self._bar.update(self._task, completed=self.done, total=self.total)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()


@contextlib.contextmanager
def progress_bar(
    label: str, total: float | None = None, *, quiet: bool = False, delay: float = 1.0
) -> Iterator[ProgressBar]:
    """A :class:`ProgressBar` that is closed (and erased) when the block ends."""
    bar = ProgressBar(label, total, quiet=quiet, delay=delay)
    try:
        yield bar
    finally:
        bar.close()


def compute(
    act: Activation,
    x: Any,
    params: dict[str, Any],
    out: options.OutputSpec,
    *,
    grad_output: Any = None,
    derivative: bool = False,
    order: int = 1,
    convention: str = "torch",
) -> Any:
    """Evaluate (or differentiate) block by block, with a progress bar for long runs.

    A ``.npy`` output is written through a memory map of a temporary file that is renamed at
    the end, so with a memory-mapped ``.npy`` input, memory stays flat whatever the size; a
    ``.npy`` input written as NPY or delimited text (to a file, stdout, a FIFO or a device) is
    streamed block by block too. Returns the result, or None once it is written.
    """
    dtype = as_float_array(np.empty(0, dtype=x.dtype)).dtype
    shape = x.shape if derivative else output_shape(act, x.shape, params)
    kw = {"grad_output": grad_output, "derivative": derivative, "order": order, **params}
    if convention != "torch":
        kw["convention"] = convention
    big = isinstance(x, aio.NpyRows)  # a .npy read lazily: stream it to stdout too
    with progress_bar(act.name, quiet=out.quiet) as bar:
        if out.fmt == "npy" and (out.path is not None or big):
            with aio.npy_output(out.path or "-", shape, dtype) as y:
                apply_blocks(act, x, y, progress=bar.update, **kw)
        elif out.fmt in aio.TEXT_FORMATS and big and len(shape) <= 2:
            with aio.text_output(out.path or "-", shape, dtype, out.fmt) as y:
                apply_blocks(act, x, y, progress=bar.update, **kw)
        else:
            nbytes = math.prod(shape) * dtype.itemsize
            aio.check_budget(nbytes, f"the result (shape {shape})", "needs", "computing it")
            result = np.empty(shape, dtype=dtype)
            apply_blocks(act, x, result, progress=bar.update, **kw)
            return result
    if out.path is not None:
        click.echo(f"Wrote {out.path} (shape {shape}, {dtype})", err=True)
    return None


#: Width of tables written to a file or pipe (Rich would fold them at 80 columns).
PIPE_WIDTH = 160


def _console() -> Any:
    from rich.console import Console

    class PipeConsole(Console):
        def on_broken_pipe(self) -> None:
            # Rich exits 1 here by itself; the error boundary's SIGPIPE convention (141) wins.
            raise BrokenPipeError(errno.EPIPE, "Broken pipe")

    wide = not sys.stdout.isatty() and "COLUMNS" not in os.environ
    return PipeConsole(highlight=False, width=PIPE_WIDTH if wide else None)


def emit(out: options.OutputSpec, x: Any, y: Any, label: str) -> None:
    """Show or write a result: a Rich table, a file (atomically), or text/NPY on stdout."""
    names = _result_columns(y)
    if out.fmt == "table":
        from .. import render  # Rich costs start-up time that -o and pipe runs skip

        _console().print(render.result_view(x, y, y_label=label, columns=names))
    elif out.path is not None:
        aio.save_array(out.path, y, fmt=out.fmt, header=names)
        click.echo(f"Wrote {out.path} (shape {y.shape}, {y.dtype})", err=True)
    else:
        stream = sys.stdout.buffer
        aio.write_array(stream, y, out.fmt, header=names)
        stream.flush()


def _count(n: int, noun: str) -> str:
    """``1 name``, ``3 names``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _result_columns(y: Any) -> list[str] | None:
    """The input's column names (its text header), if they fit the result's columns; a note on
    stderr when they do not (a header is never dropped silently)."""
    ctx = click.get_current_context(silent=True)
    names: list[str] = (ctx.meta.get(_COLUMNS) if ctx is not None else None) or []
    if not names:
        return None
    width = 1 if y.ndim <= 1 else y.shape[-1]
    if y.ndim > 2 or len(names) != width:
        what = f"{y.ndim} dimensions" if y.ndim > 2 else _count(width, "column")
        click.echo(
            f"Note: the input's header ({_count(len(names), 'name')}) does not fit "
            f"the result ({what}); it is left out",
            err=True,
        )
        return None
    return names


def _label(act: Activation, derivative: int = 0, params: dict[str, Any] | None = None) -> str:
    """The result's column label: ``relu(x)``, ``relu'(x)``, ``relu''(x)``, or a formula /
    ``d/dx`` (``d²/dx²``) of it; ``derivative`` is the order (0: the function itself). The
    parameters that differ from the record's defaults follow: ``gelu(x; approximate=tanh)``."""
    order = int(derivative)
    shown = _changed_params(act, params or {})
    if act.name.isidentifier():
        return f"{act.name}{chr(39) * order}(x{'; ' + shown if shown else ''})"
    label = {0: act.name, 1: f"d/dx {act.name}"}.get(order, f"d²/dx² {act.name}")
    return f"{label} ({shown})" if shown else label


def _changed_params(record: Activation | Loss, params: dict[str, Any]) -> str:
    """``approximate=tanh, ...``: the parameters in ``params`` that are required or differ
    from the record's defaults, in the record's order ("" when there are none)."""

    def text(v: Any) -> str:
        if isinstance(v, bool):
            return str(v).lower()
        return f"{v:.8g}" if isinstance(v, float) else str(v)

    changed = []
    for p in record.params:
        if p.name in params:
            value = params[p.name]
            if p.required or type(value) is not type(p.default) or value != p.default:
                changed.append(f"{p.name}={text(value)}")
    return ", ".join(changed)


def _print_json(data: Any) -> None:
    click.echo(aio.json_text(data))  # NaN and infinities as strings: valid JSON


class RecordType(ActivationType):
    """An activation or loss name, or an expression (``info``, ``list``, ``plot``, ``bench``)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, Record):
            return value
        try:
            return resolve(str(value)) if not is_bare_word(str(value)) else lookup(str(value))
        except ExpressionError as e:
            self.fail(str(e), param, ctx)
        except UnknownActivationError as e:
            # A typo close to a loss name gets the losses' suggestion; else the activations'.
            near_loss = unknown_name_message(str(value), "loss")
            if "did you mean" in near_loss or "did you mean" in str(e):
                self.fail(near_loss if "did you mean" in near_loss else str(e), param, ctx)
            acts, losses = len(names("activation")), len(names("loss"))
            self.fail(
                f"unknown activation or loss {_shorten(str(value))!r}; see 'actcli list' for "
                f"the {acts} activations and {losses} losses",
                param,
                ctx,
            )

    def shell_complete(
        self, ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[CompletionItem]:
        from click.shell_completion import CompletionItem  # on completion only

        pool = [*names(None), *aliases(None), *presets(None)]
        return [CompletionItem(n) for n in pool if n.startswith(incomplete)]
