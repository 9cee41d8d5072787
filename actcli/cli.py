"""The ``actcli`` command line: a thin Click layer over the library.

The first half holds the pieces every command shares: the error boundary (built into the
:class:`ActcliGroup`, so a new command gets it for free), the ``NAME`` parameter type, and the
option decorators for inputs (:func:`input_options`), activation parameters
(:func:`param_options`) and outputs (:func:`output_options`). The commands follow; a new
command is one more function at the end of the file.
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
import warnings
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
import numpy as np
from click.shell_completion import CompletionItem

from . import engine, options
from . import io as aio
from .catalog import activations as all_activations
from .catalog import aliases, get_loss, lookup, names, presets, unknown_name_message
from .catalog import losses as all_losses
from .engine import as_float_array, default_num_threads, is_bare_word, output_shape, resolve
from .errors import (
    ActcliError,
    ExpressionError,
    OptionError,
    ParamError,
    UnknownActivationError,
)
from .records import LIBRARIES, Activation, Record
from .streaming import apply_blocks

if TYPE_CHECKING:  # loads with the first loss (start-up of eval)
    from .lossrecords import Loss

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


class ActcliGroup(click.Group):
    """The command group; parsing and running every command happen inside the error boundary."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        with error_boundary():
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        with error_boundary():
            return super().invoke(ctx)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """Run a command with closed standard streams made harmless and warnings kept off
        stderr (unless Python was asked for them: ``-W``, ``PYTHONWARNINGS``): stderr carries
        actcli's own lines only."""
        aio.repair_standard_streams()
        with warnings.catch_warnings():
            if not sys.warnoptions:
                warnings.simplefilter("ignore")
            return super().main(*args, **kwargs)


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
    done, _, last = incomplete.rpartition(",")
    head = done + "," if done else ""
    given = set(done.split(","))
    return [CompletionItem(head + c) for c in choices if c.startswith(last) and c not in given]


def complete_param(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """Shell completion of ``-p``: ``KEY=`` from the NAME's record, then the values of a
    parameter with choices (``approximate=tanh``) or a bool."""
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
        from . import render  # Rich costs start-up time that -o and pipe runs skip

        _console().print(render.result_view(x, y, y_label=label, columns=names))
    elif out.path is not None:
        aio.save_array(out.path, y, fmt=out.fmt, header=names)
        click.echo(f"Wrote {out.path} (shape {y.shape}, {y.dtype})", err=True)
    else:
        stream = sys.stdout.buffer
        aio.write_array(stream, y, out.fmt, header=names)
        stream.flush()


def _result_columns(y: Any) -> list[str] | None:
    """The input's column names (its text header), if they fit the result's columns; a note on
    stderr when they do not (a header is never dropped silently)."""
    ctx = click.get_current_context(silent=True)
    names: list[str] = (ctx.meta.get(_COLUMNS) if ctx is not None else None) or []
    if not names:
        return None
    width = 1 if y.ndim <= 1 else y.shape[-1]
    if y.ndim > 2 or len(names) != width:
        click.echo(
            f"Note: the input's header ({len(names)} names) does not fit the result's "
            f"{width} columns; it is left out",
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
    import json  # on first use: ~2% of start-up that eval never needs

    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


# --------------------------------------------------------------------------------------------
# The commands.


#: Every command's help: -h too, every default shown, wrapped at the terminal's width (Click's
#: own limit of 80 columns would cut the command list's summaries).
HELP_SETTINGS: dict[str, Any] = {
    "help_option_names": ["-h", "--help"],
    "show_default": True,
    "max_content_width": 200,
}


@click.group(cls=ActcliGroup, context_settings=HELP_SETTINGS)
@click.version_option(None, "-V", "--version", package_name="actcli", prog_name="actcli")
@click.option(
    "--defs",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Load [activation.NAME] definitions from a TOML file (repeatable); the files listed "
    "in ACTCLI_DEFS (separated like PATH) are loaded first.",
)
@click.pass_context
def cli(ctx: click.Context, defs: tuple[Path, ...]) -> None:
    """Evaluate, differentiate, compare, plot and benchmark activation functions.

    NAME is an activation's name, or a formula of x such as 'x*sigmoid(1.702*x)' (its other
    words are parameters, given with -p).

    \b
    Examples:
      actcli list                               every activation
      actcli info gelu                          formula, derivative, parameters, example
      actcli eval gelu --range -3:3:7           a table on a terminal, CSV in a pipe
      actcli grad leaky_relu x.npy -o dx.npy -p negative_slope=0.2
      actcli compare relu gelu silu mish selu   properties, Gaussian moments, distances
      actcli eval relu - < a.csv | actcli eval tanh -
      actcli eval 'x*sigmoid(beta*x)' --range -3:3:7 -p beta=1.5
      actcli --defs sample_inputs/activations.toml plot quick_gelu_clip silu --overlay
    """
    try:  # checked up front, whatever the command and the input's size
        default_num_threads()
    except ParamError as e:
        raise OptionError(str(e)) from None
    # The CLI is a whole process: it may tune glibc's allocator for big chunked inputs (the
    # library alone never changes process-wide settings).
    engine.tune_allocator()
    paths = [Path(p) for p in options.defs_paths(os.environ.get("ACTCLI_DEFS", ""))]
    paths += defs
    if paths:
        _load_definitions(ctx, paths)


def _load_definitions(ctx: click.Context, paths: list[Path]) -> None:
    """Register the definitions in ``paths`` for this command (removed again when it ends,
    so that an embedding program or a test can run another)."""
    from . import expr

    loaded: list[Activation] = []
    ctx.call_on_close(lambda: expr.unregister(loaded))
    for path in paths:
        document = aio.read_toml(path)
        loaded += expr.register_definitions(document, source=str(path))


@cli.command("eval")
@name_argument
@input_options
@param_options("dim", "seed", "training")
@output_options
def eval_command(name: Activation, x: Any, params: dict[str, Any], out: options.OutputSpec) -> None:
    """Apply activation NAME to an input.

    The input is a file (.npy .npz .csv .tsv .txt .json), - or nothing for piped stdin (text
    or NPY bytes), --values or --range. Its float dtype is kept. Without -o the result is a
    table on a terminal and CSV in a pipe; text output reads back bit for bit.

    \b
    Examples:
      actcli eval relu --values=-2,-1,0,1,2
      actcli eval gelu --range -3:3:7 -p approximate=tanh
      actcli eval softmax sample_inputs/logits.csv
      actcli eval relu6 sample_inputs/range.npy -o out.npy
      actcli eval relu - < sample_inputs/logits.csv | actcli eval tanh -
    """
    y = compute(name, x, params, out)
    if y is not None:
        emit(out, np.asarray(x), y, _label(name, derivative=False, params=params))


@cli.command("grad")
@name_argument
@input_options
@click.option(
    "--grad-output",
    type=INPUT_PATH,
    metavar="PATH",
    help="Upstream gradient shaped like the output (default: ones); - reads stdin.",
)
@click.option("--grad-key", metavar="KEY", help="The array to read from a --grad-output .npz.")
@click.option(
    "--order",
    type=click.IntRange(1, 2),
    default=1,
    show_default=True,
    help="2: the second derivative f''(x) (elementwise activations; with --grad-output, "
    "grad_output·f''(x)).",
)
@click.option(
    "--jacobian",
    is_flag=True,
    help="Axis functions: the full Jacobian, one block dy/dx per row along --dim (rows of "
    "up to 1024 entries).",
)
@click.option(
    "--convention",
    type=click.Choice(["torch", "jax"]),
    default="torch",
    show_default=True,
    help="Whose derivative the kinks take where the libraries differ: jax gives "
    "leaky_relu'(0) = 1 and hardtanh'(±1) = 1.",
)
@param_options("dim", "seed", "training")
@output_options
def grad_command(
    name: Activation,
    x: Any,
    grad_output: str | None,
    grad_key: str | None,
    order: int,
    jacobian: bool,
    convention: str,
    params: dict[str, Any],
    out: options.OutputSpec,
) -> None:
    """The gradient of NAME at an input: f'(x), or a VJP; --order 2 gives f''(x).

    Returns exactly actcli.gradient(NAME, x, grad_output, order=ORDER), the value
    torch.autograd gives (a double backward for --order 2, PyTorch's value at the kinks).
    Inputs, parameters and outputs work as in 'actcli eval'; the grad-output is cast to the
    input's dtype.

    --jacobian gives the full Jacobian of an axis function instead: one m x n block per row
    along --dim (n entries in, m out; rows of at most 1024 entries), block r holding
    dy_k/dx_j at row k, column j; JSON and NPY keep the blocks as a 3-D array, CSV stacks
    them (m lines per block), a table shows each block.

    \b
    Examples:
      actcli grad relu --values=-1,0,1
      actcli grad leaky_relu --range -2:2:5 -p negative_slope=0.2
      actcli grad gelu --range -3:3:7 --order 2
      actcli grad leaky_relu --values=-1,0,1 --convention jax
      actcli grad softmax sample_inputs/batch.npz --key logits \\
          --grad-output sample_inputs/batch.npz --grad-key grad_output
      actcli grad softmax sample_inputs/logits.csv --jacobian
    """
    if jacobian:
        _print_jacobian(name, x, params, out, grad_output is not None or order != 1)
        return
    if order == 2 and (name.kind != "elementwise" or name.kernels.second is None):
        why = (
            "second derivatives of formulas are not supported yet (built-ins only)"
            if name.source is not None
            else f"--order 2 needs an elementwise activation; {name.name} has no second derivative"
        )
        raise OptionError(why)
    g = None
    if grad_output is not None:
        g = options.load_input(
            grad_output, key=grad_key, dtype=x.dtype.name, stdin=_stdin(), what="grad-output"
        )
    y = compute(
        name, x, params, out, grad_output=g, derivative=True, order=order, convention=convention
    )
    big = isinstance(x, aio.NpyRows)  # streamed: not read again for a note
    if g is None and name.kind == "axis" and not big and _stderr_is_terminal():
        _note_if_rows_sum_to_one(name, x, params)
    if y is not None:
        plain = name.kind == "elementwise" and g is None
        shown = _changed_params(name, params)
        vjp = f"VJP ({shown})" if shown else "VJP"
        emit(out, np.asarray(x), y, _label(name, derivative=order, params=params) if plain else vjp)


def _stderr_is_terminal() -> bool:
    return sys.stderr.isatty()


def _note_if_rows_sum_to_one(act: Activation, x: Any, params: dict[str, Any]) -> None:
    """On a terminal, say why the VJP with ones of a function whose rows sum to 1 (checked on
    the first rows of this input) is zero, and what to ask for instead."""
    arr = np.asarray(x)
    if arr.ndim == 0 or arr.size == 0:
        return
    rows = np.moveaxis(arr, params.get("dim", -1), -1)
    sample = rows.reshape(-1, rows.shape[-1])[:64]
    sums = engine.apply(act, {**params, "dim": -1}, sample).sum(axis=-1)
    if np.allclose(sums, 1.0, rtol=1e-3, atol=0):
        click.echo(
            f"note: each row of {act.name}(x) sums to 1, so its VJP with the default "
            "grad-output of ones is zero; give --grad-output G for G·J, or --jacobian",
            err=True,
        )


def _print_jacobian(
    act: Activation, x: Any, params: dict[str, Any], out: options.OutputSpec, other: bool
) -> None:
    """``grad --jacobian``: the blocks as a table each, a 3-D array (JSON, NPY) or stacked
    rows (delimited text)."""
    from .jacobian import jacobian

    if act.kind != "axis":
        raise OptionError(
            f"--jacobian is for axis functions; {act.name} is elementwise, so its Jacobian is "
            "diagonal: f'(x), which grad prints without it"
        )
    if other:
        raise OptionError("--jacobian takes no --grad-output and no --order 2")
    blocks = jacobian(act, params, x)
    shown = _changed_params(act, params)
    label = f"d{act.name}(x{'; ' + shown if shown else ''})/dx"
    if out.fmt == "table":
        from rich.text import Text

        from . import render

        console = _console()
        for r, block in enumerate(blocks):  # the title on a line of its own: never folded
            console.print(Text(f"{label}, row {r}", style="italic"), soft_wrap=True)
            console.print(render.array_table(block, ""))
        return
    flat = out.fmt in aio.TEXT_FORMATS
    emit(out, np.asarray(x), blocks.reshape(-1, blocks.shape[-1]) if flat else blocks, label)


@cli.command("list")
@click.option(
    "--kind",
    type=click.Choice(["activation", "loss"]),
    help="Only this kind of function (default: activations, then losses).",
)
@click.option(
    "--source",
    type=click.Choice(list(LIBRARIES)),
    help="A library's activation names and what each is in actcli (hf: transformers' ACT2FN).",
)
@json_options("print JSON instead of a table")
def list_command(kind: str | None, source: str | None, as_json: bool) -> None:
    """List every activation and loss.

    One row each: name (aliases under it), parameters with defaults, output range (losses:
    inputs), properties as letters (the legend is below the table), PyTorch name; laid out for
    the terminal's width (below 100 columns the PyTorch name and properties go under the name).
    --source LIBRARY lists that library's names instead, each with the actcli function (and
    parameters) it is and how the library's output differs, where it does.

    \b
    Examples:
      actcli list
      actcli list --kind loss
      actcli list --source hf
      actcli list --json
    """
    from . import render

    if source is not None:
        if kind == "loss":
            raise click.UsageError("--source lists activation names; it takes no --kind loss")
        from .catalog import library_names

        entries = library_names(source)
        if as_json:
            _print_json([render.describe_library_name(e, a) for e, a in entries])
        else:
            _console().print(render.library_table(entries, source))
        return
    acts = list(all_activations()) if kind in (None, "activation") else []
    losses = list(all_losses()) if kind in (None, "loss") else []
    if as_json:
        data = [{**render.describe(a), "record": "activation"} for a in acts]
        _print_json(data + [render.describe_loss(loss) for loss in losses])
        return
    console = _console()
    if acts:
        if kind is None:
            console.print("[bold]Activations[/]")
        console.print(render.activations_table(acts, console.width))
    if losses:
        if kind is None:
            console.print("\n[bold]Losses[/] (actcli loss NAME INPUT TARGET)")
        console.print(render.losses_table(losses))


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
        pool = [*names(None), *aliases(None), *presets(None)]
        return [CompletionItem(n) for n in pool if n.startswith(incomplete)]


@cli.command("info")
@click.argument("name", type=RecordType(), metavar="NAME")
@param_options(bind=False)
@json_options("print JSON instead of a panel")
def info_command(name: Activation | Loss, params: dict[str, Any], as_json: bool) -> None:
    """Describe activation or loss NAME, with a worked example.

    Formula, derivative, parameters, output range, properties, PyTorch and JAX equivalents,
    reference, a worked example (-p sets its parameters) and the measured accuracy. A loss
    shows its inputs, reductions and array arguments, and its example runs along its plot
    variable (d = input - target for regression losses).

    \b
    Examples:
      actcli info gelu
      actcli info leaky_relu -p negative_slope=0.2
      actcli info huber_loss -p delta=0.5
      actcli info softmax --json
    """
    from . import render
    from .lossrecords import Loss

    if isinstance(name, Loss):
        from .accuracy import measured_loss

        loss_example = render.loss_example(name, params)
        loss_measured = measured_loss(name.name)
        if as_json:
            data = render.describe_loss(name)
            data["example"] = loss_example
            data["measured_accuracy"] = loss_measured
            _print_json(data)
        else:
            _console().print(render.loss_info_view(name, loss_example, loss_measured))
        return
    from .catalog import names_elsewhere

    example = render.worked_example(name, params)
    # User-defined functions have no measured accuracy; info analyses their formula instead.
    measured = render.measured_accuracy(name.name) if name.source is None else None
    notes = _formula_notes(name, params)
    elsewhere = names_elsewhere(name)
    if as_json:
        data = render.info_data(name, example, measured)
        if name.source is not None:
            data["notes"] = notes
        data["library_names"] = [render.describe_library_name(e, a) for e, a in elsewhere]
        _print_json(data)
    else:
        view = render.info_view(name, example, measured, notes=notes, elsewhere=elsewhere)
        _console().print(view)


def _formula_notes(act: Activation, params: dict[str, Any]) -> list[str]:
    """What ``info`` says about an expression's formula (overflow, a stable built-in), or []."""
    if act.source is None or any(p.required and p.name not in params for p in act.params):
        return []
    from . import expr

    if not isinstance(act, expr.ExpressionActivation):
        return []
    return expr.analyse(act, act.bind(params))


@cli.command("plot")
@click.argument("acts", nargs=-1, type=RecordType(), metavar="[NAME]...")
@click.option(
    "--all", "all_", is_flag=True, help="Every activation and the losses sheet into -o DIR."
)
@click.option(
    "-p",
    "--param",
    multiple=True,
    metavar="KEY=V1[,V2...]",
    help="An activation parameter; a comma list is a sweep, one curve per value (repeatable).",
)
@click.option("--overlay", is_flag=True, help="All NAMEs in one axes (default: a file each).")
@click.option("--derivative/--no-derivative", default=True, help="Draw f'(x), dashed.")
@click.option("--order", type=click.IntRange(1, 2), default=1, help="2: also draw f''(x), dotted.")
@click.option("--range", "span", metavar="START:STOP[:N]", help="x-range (default -6:6).")
@click.option("--points", type=int, help="Samples (default 801; kinks are added exactly).")
@click.option("--dpi", type=float, help="Resolution of PNGs (default 150).")
@click.option("--figsize", metavar="WxH", help="Figure size in inches (default 6.4x4.2).")
@click.option(
    "--size",
    "old_size",
    metavar="WxH",
    help="Deprecated: the old spelling of --figsize (--size is a number of elements in bench).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["png", "svg", "pdf"]),
    help="Default: -o's extension, else png.",
)
@click.option("--title", help="Replaces the title; mathtext allowed, e.g. '$\\alpha$ sweep'.")
@click.option("--ylim", metavar="LO:HI", help="The y-range (default: fitted to the curves).")
@click.option(
    "--legend",
    "legend_place",
    type=click.Choice(["best", "upper left", "upper right", "lower left", "lower right", "none"]),
    default="best",
    help="Where the legend goes (none: no legend; a single curve without f' has none).",
)
@click.option(
    "--font-size",
    type=click.FloatRange(4, 40),
    help="Text size in points (default 10; ticks and legend scale with it).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(readable=False, path_type=Path),
    help="File (one plot) or folder.",
)
@quiet_option
def plot_command(
    acts: tuple[Activation | Loss, ...],
    all_: bool,
    param: tuple[str, ...],
    overlay: bool,
    derivative: bool,
    order: int,
    span: str | None,
    points: int | None,
    dpi: float | None,
    figsize: str | None,
    old_size: str | None,
    fmt: str | None,
    title: str | None,
    ylim: str | None,
    legend_place: str,
    font_size: float | None,
    output: Path | None,
    quiet: bool,
) -> None:
    """Plot activations or losses and their derivatives.

    The function is solid, its derivative dashed and f'' (--order 2) dotted, both in a lighter
    tint drawn over f (so a derivative lying on f stays visible); PNG, SVG or PDF.
    Kinks are sampled exactly; where f or f' jumps, a dot marks the value at the kink.
    softmax, softmin and log_softmax are drawn as the first output of f([x, 0]), glu as
    glu([x, x]) = x·σ(x); threshold without -p uses threshold=1, value=0. A loss is drawn
    unreduced against its plot variable (see 'actcli info NAME'): d = input - target for the
    regression losses, the logit or probability (target 1) for the binary ones, on its own
    default range. --all writes one file per activation, gallery.png and the losses sheet
    losses.png. The same command gives byte-identical files.

    \b
    Examples:
      actcli plot gelu -o gelu.svg
      actcli plot relu gelu silu --overlay --range -4:4
      actcli plot gelu --order 2 -o gelu2.png
      actcli plot leaky_relu -p negative_slope=0.01,0.1,0.3
      actcli plot mse_loss l1_loss huber_loss smooth_l1_loss --overlay
      actcli plot huber_loss -p delta=0.5,1,2
      actcli plot --all
    """
    import logging

    logging.getLogger("matplotlib").setLevel(logging.ERROR)  # no cache-folder notes on stderr
    from . import plotting

    if old_size is not None:
        if figsize is not None:
            raise OptionError("give --figsize once (--size is its old spelling)")
        click.echo("Note: plot --size is now --figsize (--size means elements in bench)", err=True)
        figsize = old_size
    limits = None
    if ylim is not None:
        lo_hi = options.parse_range(ylim, with_count=False)
        limits = (lo_hi.start, lo_hi.stop)
    opts = plotting.Options(
        **options.plot_options(span, points, dpi, figsize, derivative, title),
        order=order,
        ylim=limits,
        legend=legend_place,
        font_size=font_size,
    )
    if not all_:
        chosen = list({a.name: a for a in acts}.values())
        todo = plotting.specs(options.plot_sweeps(chosen, param, plotting.MAX_CURVES))
        written = plotting.plot(todo, overlay=overlay, output=output, fmt=fmt, options=opts)
    elif acts or param or overlay or order != 1:
        raise OptionError("--all takes no NAME, --param, --overlay or --order")
    else:
        with progress_bar("Plotting", len(names()) + 2, quiet=quiet, delay=0) as bar:
            _FINISHED.append(str(output or "plots"))  # plot_all's default folder
            written = plotting.plot_all(
                output, fmt=fmt, options=opts, progress=lambda _: bar.advance()
            )
    where = written[0] if len(written) == 1 else f"{len(written)} files to {written[0].parent}"
    click.echo(f"Wrote {where}", err=True)


@cli.command("bench")
@click.argument("acts", nargs=-1, type=RecordType(), metavar="[NAME]...")
@click.option("--all", "all_", is_flag=True, help="Time every activation.")
@click.option("--size", default="1e5", metavar="N[,N...]", help="Elements per call (a list).")
@click.option(
    "--dtype",
    default="float32,float64",
    metavar="D[,D...]",
    shell_complete=lambda ctx, param, incomplete: complete_list(options.DTYPES, incomplete),
    help="float16/32/64 (a list).",
)
@click.option(
    "--threads",
    metavar="T[,T...]",
    help="Threads (a list; default: ACTCLI_NUM_THREADS, else the cores).",
)
@click.option(
    "--direction",
    type=click.Choice(["forward", "gradient", "both"]),
    default="both",
    help="Time f(x), its gradient, or both.",
)
@click.option(
    "--baseline",
    multiple=True,
    type=click.Choice(["naive", "torch"]),
    help="Also time textbook NumPy (naive) or PyTorch (torch); repeatable (default: none).",
)
@click.option("--repeats", type=click.IntRange(1), default=5, help="Runs per measurement.")
@click.option(
    "--min-time",
    type=click.FloatRange(0, 3600),
    default=0.2,
    callback=lambda ctx, param, value: options.finite(value, "--min-time"),
    help="Seconds per run, at least.",
)
@json_options("print JSON (with machine info) instead of the table")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, readable=False, path_type=Path),
    help="Also write JSON here.",
)
@quiet_option
def bench_command(
    acts: tuple[Activation | Loss, ...],
    all_: bool,
    size: str,
    dtype: str,
    threads: str | None,
    direction: str,
    baseline: tuple[str, ...],
    repeats: int,
    min_time: float,
    as_json: bool,
    output: Path | None,
    quiet: bool,
) -> None:
    """Time activations or losses (forward and gradient) against the memory-bandwidth bound.

    Each row: the median time per call (min..max over --repeats auto-ranged runs), elements/s,
    GB/s, and % bound; --baseline adds speed-ups over textbook NumPy (naive) and PyTorch
    (torch, if installed). A loss is timed as its mean (forward) and the gradient of the mean,
    on valid inputs of N elements; --all times every activation.

    % bound is the row's GB/s (bytes read and written) as a share of a plain copy of the
    input's bytes into a reused buffer, on the same threads, timed next to each function: the
    memory-bandwidth bound, so 100% is as fast as memory allows. It can pass 100% a little,
    from run-to-run noise or when the data fits in the cache.

    Off a terminal (a CI log), one plain line per finished row goes to stderr as it ends
    (-q: none).

    \b
    Examples:
      actcli bench relu gelu --size 1e3,1e6 --threads 1,2
      actcli bench mse_loss cross_entropy --baseline naive --baseline torch
      actcli bench --all --baseline naive --baseline torch --size 1e7 -o results.json
    """
    from . import bench, render
    from .lossrecords import Loss

    if all_ == bool(acts):
        raise OptionError("give NAMEs or --all (one of the two)")
    try:
        grid = options.parse_grid(size, dtype, threads)
    except ValueError as e:
        raise OptionError(str(e)) from None
    for dt in grid.dtypes:  # the biggest size's inputs and outputs must fit in memory
        need = bench.peak_bytes(max(grid.sizes), dt)
        aio.check_budget(need, f"bench --size {max(grid.sizes):.0e} ({dt})", "needs", "timing")
    if output is not None:
        aio.check_output_folder(output)
    todo = names() if all_ else [a.name for a in acts if isinstance(a, Activation)]
    losses = [a.name for a in acts if isinstance(a, Loss)]
    dirs = bench.DIRECTIONS if direction == "both" else (direction,)
    total = (len(todo) + len(losses)) * len(dirs) * grid.count
    log = not quiet and not sys.stderr.isatty()  # a CI log: one plain line per finished row
    with progress_bar("Timing", total, quiet=quiet, delay=0) as bar:

        def step(done: int, of: int, label: str) -> None:
            bar.advance()
            if log:
                click.echo(f"bench [{int(bar.done)}/{total}] {_escaped(label)}", err=True)

        kw: dict[str, Any] = {
            **grid.kwargs,
            "directions": dirs,
            "baselines": baseline,
            "repeats": repeats,
            "min_time": min_time,
            "progress": step,
        }
        result = bench.run(todo, **kw) if todo else None
        if losses:
            from . import lossbench

            timed = lossbench.run(losses, **kw)
            result = timed if result is None else result.merged(timed)
    assert result is not None
    if output is not None:  # the result goes to the file; the summary to stderr
        with aio.atomic_write(output) as fh:
            import json  # on first use (start-up)

            aio.write_all(fh, json.dumps(result.to_dict(), indent=1).encode() + b"\n")
        click.echo("\n".join(bench.summary_lines(result)), err=True)
        click.echo(f"Wrote {output}", err=True)
        return
    if as_json:
        _print_json(result.to_dict())
    else:
        _console().print(render.bench_table(result.rows))
        click.echo("\n".join(bench.summary_lines(result)))


@cli.command("compare")
@click.argument("acts", nargs=-1, required=True, type=ACTIVATION, metavar="NAME...")
@click.option(
    "-p",
    "--param",
    multiple=True,
    metavar="NAME.KEY=VALUE",
    help="A parameter of one compared function, e.g. -p swish.beta=1.702; NAME may be a "
    "column number (2.approximate=tanh). Repeatable.",
)
@json_options("print JSON (every figure in full) instead of the table")
@click.option(
    "--plot",
    "plot_path",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Also draw f and f' of every function, kinks marked (.png .svg .pdf).",
)
@click.option("--range", "span", metavar="START:STOP", help="x-range of --plot (default -6:6).")
@click.option("--no-timing", is_flag=True, help="Leave out the quick timing (ns per element).")
def compare_command(
    acts: tuple[Activation, ...],
    param: tuple[str, ...],
    as_json: bool,
    plot_path: Path | None,
    span: str | None,
    no_timing: bool,
) -> None:
    """Compare activations side by side, computed rather than asserted.

    For each function: formula, range, f(0), f'(0), f''(0), limits at ±inf, kinks and the
    gradient taken there, properties and smoothness class; under X ~ N(0, 1), E[f(X)],
    Var[f(X)], E[f'(X)], E[f'(X)²] and P(f'(X) = 0) by quadrature split at the kinks; the
    fixed points of the variance map σ² ↦ E[f(σZ)²] and SELU's self-normalising (0, 1) fixed
    point with its stability; against the first function, max |f - g| (and where) and the L2
    distance under N(0, 1); a quick timing (ns per element, forward and gradient).

    \b
    Examples:
      actcli compare relu gelu silu mish selu
      actcli compare gelu swish -p swish.beta=1.702
      actcli compare gelu gelu -p 2.approximate=tanh --json
      actcli compare relu elu selu --plot compare.png
    """
    from . import compare, render

    if len(acts) > 8:
        raise OptionError(f"compare takes at most 8 functions, got {len(acts)}")
    for a in acts:
        if a.kind != "elementwise":
            raise OptionError(f"compare takes elementwise activations; {a.name} is not")
    if span is not None and plot_path is None:
        raise OptionError("--range sets the x-range of --plot; give --plot FILE too")
    given = options.parse_scoped_params(param, acts)
    subjects = [compare.subject(a, p) for a, p in zip(acts, given, strict=True)]
    plot_opts = None
    if plot_path is not None:
        from . import plotting

        plot_opts = plotting.Options(**options.plot_options(span))
        fmt = plotting.resolve_format(plot_path, None)  # a bad extension fails before the work
    result = compare.compare(subjects, timed=not no_timing)
    if as_json:
        _print_json(compare.jsonable(result))
    else:
        _console().print(render.compare_view(result))
    if plot_path is not None:
        fig = plotting.compare_figure([(s.act, s.params) for s in subjects], options=plot_opts)
        plotting.save(fig, plot_path, fmt)
        click.echo(f"Wrote {plot_path}", err=True)


# --------------------------------------------------------------------------------------------
# Losses.


class LossType(click.ParamType):  # type: ignore[type-arg]
    """A loss name or alias: completes names and suggests the closest on a typo."""

    name = "NAME"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from .lossrecords import Loss

        if isinstance(value, Loss):
            return value
        try:
            return get_loss(str(value))
        except UnknownActivationError as e:
            self.fail(str(e), param, ctx)

    def shell_complete(
        self, ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[CompletionItem]:
        pool = [*names("loss"), *aliases("loss")]
        return [CompletionItem(n) for n in pool if n.startswith(incomplete)]


LOSS = LossType()
#: Every reduction some loss takes (each loss checks its own).
_REDUCTIONS = ("none", "mean", "sum", "batchmean")


@cli.command("loss")
@click.argument("name", type=LOSS, metavar="NAME")
@click.argument("files", nargs=-1, type=INPUT_PATH, metavar="INPUT TARGET")
@click.option(
    "--values",
    multiple=True,
    metavar="ROLE=X,Y,...",
    help="Inline numbers for one input, e.g. --values target=0,1,1 (ROLE: input, target, ...).",
)
@click.option(
    "--range",
    "spans",
    multiple=True,
    metavar="ROLE=START:STOP:N",
    help="N evenly spaced points for one input, e.g. --range input=-2:2:5.",
)
@click.option("--key", "keys", multiple=True, metavar="ROLE=KEY", help="The array of an .npz.")
@click.option(
    "--dtype",
    type=click.Choice(list(options.DTYPES)),
    help="Cast the inputs to this dtype (default: keep them; text reads as float64).",
)
@click.option(
    "--reduction",
    type=click.Choice(_REDUCTIONS),
    default="mean",
    show_default=True,
    help="none: one loss per element (per row for cross_entropy); kl_div adds batchmean.",
)
@click.option("--grad", is_flag=True, help="Print the gradient with respect to the input.")
@click.option("--wrt", metavar="ROLE", help="With --grad: differentiate this input instead.")
@click.option(
    "--grad-output",
    metavar="PATH|X",
    help="Upstream gradient: one number for mean/sum, the loss's shape for none.",
)
@click.option("--weight", metavar="PATH|X,...", help="Weights: a file or inline numbers.")
@click.option(
    "--pos-weight",
    metavar="PATH|X,...",
    help="Positive-class weights of binary_cross_entropy_with_logits: a file or numbers.",
)
@click.option(
    "--var", metavar="PATH|X,...", help="gaussian_nll_loss's variance: a file or inline numbers."
)
@click.option(
    "-p",
    "--param",
    multiple=True,
    metavar="KEY=VALUE",
    help="A loss parameter, e.g. -p delta=0.5 (repeatable).",
)
@output_options
def loss_command(
    name: Loss,
    files: tuple[str, ...],
    values: tuple[str, ...],
    spans: tuple[str, ...],
    keys: tuple[str, ...],
    dtype: str | None,
    reduction: str,
    grad: bool,
    wrt: str | None,
    grad_output: str | None,
    weight: str | None,
    pos_weight: str | None,
    var: str | None,
    param: tuple[str, ...],
    out: options.OutputSpec,
) -> None:
    """A loss of INPUT against TARGET, or its gradient.

    Every input takes the forms 'eval' takes: a file (.npy .npz .csv .tsv .txt .json), - for
    stdin (one of them), or inline with --values ROLE=... / --range ROLE=...; the files fill
    the roles not given inline, in order (margin_ranking_loss: INPUT1 INPUT2 TARGET).
    cross_entropy and nll_loss take the class axis 1 as torch, with class-index targets (or
    class probabilities). mean and sum print a number (a table on a terminal); none and --grad
    an array, as 'eval'.

    \b
    Examples:
      actcli loss huber_loss pred.npy target.npy -p delta=0.5
      actcli loss mse --values input=0.5,2 --values target=0,1 --reduction none
      actcli loss cross_entropy logits.csv --values target=2,0 --grad
      actcli loss bce_with_logits x.npy t.npy --pos-weight 3 --reduction sum
    """
    from .lossengine import loss, loss_gradient

    if reduction not in name.reductions:
        raise OptionError(
            f"{name.name} takes --reduction {' | '.join(name.reductions)}, not {reduction!r}"
        )
    if wrt is not None and not grad:
        raise OptionError("--wrt goes with --grad")
    if wrt is not None and wrt not in name.kernels.grads:
        raise OptionError(
            f"{name.name} has a gradient with respect to {', '.join(name.kernels.grads)}, "
            f"not {wrt!r}"
        )
    if grad_output is not None and not grad:
        raise OptionError("--grad-output goes with --grad")
    stdin = _stdin()
    arrays = options.load_loss_inputs(
        name, files, values=values, spans=spans, keys=keys, dtype=dtype, stdin=stdin
    )
    params: dict[str, Any] = {
        key: name.param(key).parse(text) for key, text in options.split_pairs(param).items()
    }
    for option, arg in (("--weight", weight), ("--pos-weight", pos_weight), ("--var", var)):
        if arg is None:
            continue
        key = option[2:].replace("-", "_")
        if name.array(key) is None:
            raise OptionError(f"{name.name} takes no {option}")
        params[key] = options.load_array_arg(arg, key, stdin)
    for spec in name.arrays:
        if spec.required and spec.name not in params:
            raise OptionError(f"{name.name} needs --{spec.name.replace('_', '-')} ({spec.help})")
    inputs = [arrays[r] for r in name.inputs]
    first: Any = tuple(inputs[:-1]) if len(inputs) > 2 else inputs[0]
    if grad:
        g = None
        if grad_output is not None:
            g = options.load_array_arg(grad_output, "grad-output", stdin)
        role = wrt or name.inputs[0]
        if name.layout == "classes" and role == "target":
            x, t = arrays["input"], arrays["target"]
            if t.shape != x.shape:
                raise OptionError(
                    f"{name.name} has no gradient with respect to class-index targets (only "
                    "with respect to class probabilities)"
                )
        y = loss_gradient(name.name, first, inputs[-1], g, reduction=reduction, wrt=role, **params)
        emit(out, arrays[role], y, f"∂{name.name}/∂{role}")
        return
    y = loss(name.name, first, inputs[-1], reduction=reduction, **params)
    if reduction == "none":
        emit(out, arrays[name.inputs[0]], y, f"{name.name}")
        return
    _emit_loss_value(out, name, reduction, arrays, y)


def _emit_loss_value(
    out: options.OutputSpec, loss: Loss, reduction: str, arrays: dict[str, Any], y: Any
) -> None:
    """A reduced loss: a table on a terminal, a JSON object, or the number alone."""
    if out.fmt == "table":
        from . import render

        _console().print(render.loss_value_view(loss, reduction, arrays, y))
    elif out.fmt == "json":
        import json  # on first use (start-up)

        from . import render

        text = json.dumps(render.loss_value_data(loss, reduction, arrays, y), indent=2) + "\n"
        if out.path is None:
            click.echo(text, nl=False)
        else:
            with aio.atomic_write(out.path) as fh:
                fh.write(text.encode())
            click.echo(f"Wrote {out.path}", err=True)
    else:
        emit(out, arrays[loss.inputs[0]], y, loss.name)
