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
import json
import math
import os
import signal
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import click
import numpy as np
from click.shell_completion import CompletionItem

from . import io as aio
from . import options
from .engine import as_float_array, default_num_threads, output_shape
from .errors import ActcliError, ParamError, UnknownActivationError
from .registry import Activation, aliases, all_activations, get, names
from .streaming import apply_blocks

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


def _escaped(message: str) -> str:
    """One line: control characters (from file names, keys, cells) shown escaped."""
    return aio.shown_path(message)


@contextlib.contextmanager
def error_boundary() -> Iterator[None]:
    """Turn ActcliError, Click usage errors and I/O errors into one-line Click exceptions.

    Ctrl-C and the other terminating signals end the run with one line and exit code 128 + the
    signal's number (130 for SIGINT, 143 for SIGTERM); the atomic writers have removed their
    temporary files by then, so no partial file is left behind. A closed pipe ends the run
    quietly with 141 (128 + SIGPIPE); running out of memory is one ``Error:`` line, exit 1.
    """
    try:
        with _signals_interrupt():
            yield
    except KeyboardInterrupt as e:
        signum = e.signum if isinstance(e, Terminated) else signal.SIGINT
        left = (
            "the output on stdout is incomplete"
            if aio.stdout_written()
            else "no partial output was left"
        )
        with contextlib.suppress(OSError):  # SIGHUP: the terminal may be gone
            click.echo(f"Error: interrupted by {aio.signal_name(signum)}; {left}", err=True)
        raise click.exceptions.Exit(128 + signum) from None
    except (OneLineUsageError, click.exceptions.NoArgsIsHelpError):
        raise
    except click.UsageError as e:  # Click's own: no such option, missing file, bad choice...
        bad_value = isinstance(e, click.BadParameter) and not isinstance(e, click.MissingParameter)
        hint = f" (see '{e.ctx.command_path} --help')" if e.ctx and not bad_value else ""
        raise OneLineUsageError(_escaped(e.format_message() + hint)) from None
    except (UnknownActivationError, options.OptionError) as e:
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
    """An activation name or alias: completes names and suggests the closest on a typo."""

    name = "NAME"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, Activation):
            return value
        try:
            return get(str(value))
        except UnknownActivationError as e:
            self.fail(str(e), param, ctx)

    def shell_complete(
        self, ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[CompletionItem]:
        return [CompletionItem(n) for n in [*names(), *aliases()] if n.startswith(incomplete)]


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
    return None if value is None else options.parse_range(value)


def _values_callback(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    return None if value is None else options.parse_values(value)


def input_options(f: F) -> F:
    """``[INPUT]`` (a file or ``-``), ``--values``, ``--range START:STOP:N``, ``--key`` and
    ``--dtype``; the command receives the loaded array as ``x``."""

    @functools.wraps(f)
    def wrapper(
        *args: Any, input: str | None, values: Any, span: Any, key: Any, dtype: Any, **kw: Any
    ) -> Any:
        kw["x"] = options.load_input(
            input, values=values, span=span, key=key, dtype=dtype, stdin=_stdin(), mmap=True
        )
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
            metavar="START:STOP:N",
            callback=_range_callback,
            help="N evenly spaced points from START to STOP (both included), e.g. -6:6:121.",
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
    ``training``); the command receives ``params``, parsed by the registry's ``Param.parse``
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
            help="An activation parameter, e.g. -p negative_slope=0.2 (repeatable).",
        )(wrapper)

    return decorator


def output_options(f: F) -> F:
    """``-o/--output PATH`` and ``--format``; the command receives ``out`` (an OutputSpec)."""

    @functools.wraps(f)
    def wrapper(*args: Any, output: Path | None, fmt: str | None, quiet: bool, **kw: Any) -> Any:
        if output is not None and os.fspath(output) == "-":  # -o - is stdout
            output = None
        chosen = options.choose_format(output, fmt, stdout_is_terminal=_stdout_is_terminal())
        kw["out"] = options.OutputSpec(output, chosen, quiet)
        return f(*args, **kw)

    wrapper = quiet_option(wrapper)
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
        type=click.Path(dir_okay=False, path_type=Path),
        help="Write the result here (.npy .npz .csv .tsv .txt .json), atomically.",
    )(wrapper)


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
) -> Any:
    """Evaluate (or differentiate) block by block, with a progress bar for long runs.

    A ``.npy`` output is written through a memory map of a temporary file that is renamed at
    the end, so with a memory-mapped ``.npy`` input, memory stays flat whatever the size; a
    ``.npy`` input written as NPY or delimited text (to a file, stdout, a FIFO or a device) is
    streamed block by block too. Returns the result, or None once it is written.
    """
    dtype = as_float_array(np.empty(0, dtype=x.dtype)).dtype
    shape = x.shape if derivative else output_shape(act, x.shape, params)
    kw = {"grad_output": grad_output, "derivative": derivative, **params}
    big = isinstance(x, aio.NpyRows)  # a .npy read lazily: stream it to stdout too
    with progress_bar(act.name, quiet=out.quiet) as bar:
        if out.fmt == "npy" and (out.path is not None or big):
            with aio.npy_output(out.path or "-", shape, dtype) as y:
                apply_blocks(act.name, x, y, progress=bar.update, **kw)
        elif out.fmt in aio.TEXT_FORMATS and big and len(shape) <= 2:
            with aio.text_output(out.path or "-", shape, dtype, out.fmt) as y:
                apply_blocks(act.name, x, y, progress=bar.update, **kw)
        else:
            nbytes = math.prod(shape) * dtype.itemsize
            aio.check_budget(nbytes, f"the result (shape {shape})", "needs", "computing it")
            result = np.empty(shape, dtype=dtype)
            apply_blocks(act.name, x, result, progress=bar.update, **kw)
            return result
    if out.path is not None:
        click.echo(f"Wrote {out.path} (shape {shape}, {dtype})", err=True)
    return None


#: Width of tables written to a file or pipe (Rich would fold them at 80 columns).
PIPE_WIDTH = 160


def _console() -> Any:
    from rich.console import Console

    wide = not sys.stdout.isatty() and "COLUMNS" not in os.environ
    return Console(highlight=False, width=PIPE_WIDTH if wide else None)


def emit(out: options.OutputSpec, x: Any, y: Any, label: str) -> None:
    """Show or write a result: a Rich table, a file (atomically), or text/NPY on stdout."""
    if out.fmt == "table":
        from . import render  # Rich costs start-up time that -o and pipe runs skip

        _console().print(render.result_view(x, y, y_label=label))
    elif out.path is not None:
        aio.save_array(out.path, y, fmt=out.fmt)
        click.echo(f"Wrote {out.path} (shape {y.shape}, {y.dtype})", err=True)
    else:
        stream = sys.stdout.buffer
        aio.write_array(stream, y, out.fmt)
        stream.flush()


def _print_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


# --------------------------------------------------------------------------------------------
# The commands.


@click.group(cls=ActcliGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(None, "-V", "--version", package_name="actcli", prog_name="actcli")
def cli() -> None:
    """Evaluate, differentiate, plot and benchmark activation functions.

    \b
    Examples:
      actcli list                               every activation
      actcli info gelu                          formula, derivative, parameters, example
      actcli eval gelu --range -3:3:7           a table on a terminal, CSV in a pipe
      actcli grad leaky_relu x.npy -o dx.npy -p negative_slope=0.2
      actcli eval relu - < a.csv | actcli eval tanh -
    """
    try:  # checked up front, whatever the command and the input's size
        default_num_threads()
    except ParamError as e:
        raise options.OptionError(str(e)) from None


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
        emit(out, np.asarray(x), y, f"{name.name}(x)")


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
@param_options("dim", "seed", "training")
@output_options
def grad_command(
    name: Activation,
    x: Any,
    grad_output: str | None,
    grad_key: str | None,
    params: dict[str, Any],
    out: options.OutputSpec,
) -> None:
    """The gradient of NAME at an input: f'(x), or a VJP.

    Returns exactly actcli.gradient(NAME, x, grad_output), the value torch.autograd gives.
    Inputs, parameters and outputs work as in 'actcli eval'; the grad-output is cast to the
    input's dtype.

    \b
    Examples:
      actcli grad relu --values=-1,0,1
      actcli grad leaky_relu --range -2:2:5 -p negative_slope=0.2
      actcli grad softmax sample_inputs/batch.npz --key logits \\
          --grad-output sample_inputs/batch.npz --grad-key grad_output
    """
    g = None
    if grad_output is not None:
        g = options.load_input(
            grad_output, key=grad_key, dtype=x.dtype.name, stdin=_stdin(), what="grad-output"
        )
    y = compute(name, x, params, out, grad_output=g, derivative=True)
    if y is not None:
        plain = name.kind == "elementwise" and g is None
        emit(out, np.asarray(x), y, f"{name.name}'(x)" if plain else "VJP")


@cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def list_command(as_json: bool) -> None:
    """List every activation.

    One row each: name, aliases, parameters with defaults, output range, PyTorch name.

    \b
    Examples:
      actcli list
      actcli list --json
    """
    from . import render

    acts = list(all_activations())
    if as_json:
        _print_json([render.describe(a) for a in acts])
    else:
        _console().print(render.activations_table(acts))


@cli.command("info")
@name_argument
@param_options(bind=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a panel.")
def info_command(name: Activation, params: dict[str, Any], as_json: bool) -> None:
    """Describe activation NAME, with a worked example.

    Formula, derivative, parameters, output range, properties, PyTorch and JAX equivalents,
    reference and a worked example (-p sets its parameters).

    \b
    Examples:
      actcli info gelu
      actcli info leaky_relu -p negative_slope=0.2
      actcli info softmax --json
    """
    from . import render

    example = render.worked_example(name, params)
    measured = render.measured_accuracy(name.name)
    if as_json:
        _print_json(render.info_data(name, example, measured))
    else:
        _console().print(render.info_view(name, example, measured))


@cli.command("plot")
@click.argument("acts", nargs=-1, type=ACTIVATION, metavar="[NAME]...")
@click.option("--all", "all_", is_flag=True, help="Every activation into -o DIR (default plots/).")
@click.option(
    "-p",
    "--param",
    multiple=True,
    metavar="KEY=V1[,V2...]",
    help="An activation parameter; a comma list is a sweep, one curve per value (repeatable).",
)
@click.option("--overlay", is_flag=True, help="All NAMEs in one axes (default: a file each).")
@click.option("--derivative/--no-derivative", default=True, help="Draw f'(x), dashed.")
@click.option("--range", "span", metavar="START:STOP[:N]", help="x-range (default -6:6).")
@click.option("--points", type=int, help="Samples (default 801; kinks are added exactly).")
@click.option("--dpi", type=float, help="Resolution of PNGs (default 150).")
@click.option("--size", metavar="WxH", help="Figure size in inches (default 6.4x4.2).")
@click.option("--format", "fmt", metavar="png|svg|pdf", help="Default: -o's extension, else png.")
@click.option("--title", help="Replaces the title; mathtext allowed, e.g. '$\\alpha$ sweep'.")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="File (one plot) or folder.")
@quiet_option
def plot_command(
    acts: tuple[Activation, ...],
    all_: bool,
    param: tuple[str, ...],
    overlay: bool,
    derivative: bool,
    span: str | None,
    points: int | None,
    dpi: float | None,
    size: str | None,
    fmt: str | None,
    title: str | None,
    output: Path | None,
    quiet: bool,
) -> None:
    """Plot activations and their derivatives.

    The function is solid, its derivative dashed; PNG, SVG or PDF. Kinks are sampled
    exactly; where f or f' jumps, a dot marks the value at the kink. softmax, softmin and
    log_softmax are drawn as the first output of f([x, 0]), glu as glu([x, x]) = x·σ(x);
    threshold without -p uses threshold=1, value=0. --all writes one file per activation
    and gallery.png. The same command gives byte-identical files.

    \b
    Examples:
      actcli plot gelu -o gelu.svg
      actcli plot relu gelu silu --overlay --range -4:4
      actcli plot leaky_relu -p negative_slope=0.01,0.1,0.3
      actcli plot --all
    """
    import logging

    logging.getLogger("matplotlib").setLevel(logging.ERROR)  # no cache-folder notes on stderr
    from . import plotting

    opts = plotting.options_from(span, points, dpi, size, derivative, title)
    if not all_:
        names_ = [a.name for a in acts]
        written = plotting.plot(
            names_, param, overlay=overlay, output=output, fmt=fmt, options=opts
        )
    elif acts or param or overlay:
        raise options.OptionError("--all takes no NAME, --param or --overlay")
    else:
        with progress_bar("Plotting", len(names()) + 1, quiet=quiet, delay=0) as bar:
            written = plotting.plot_all(
                output, fmt=fmt, options=opts, progress=lambda _: bar.advance()
            )
    where = written[0] if len(written) == 1 else f"{len(written)} files to {written[0].parent}"
    click.echo(f"Wrote {where}", err=True)


@cli.command("bench")
@click.argument("acts", nargs=-1, type=ACTIVATION, metavar="[NAME]...")
@click.option("--all", "all_", is_flag=True, help="Time every activation.")
@click.option("--size", default="1e5", metavar="N[,N...]", help="Elements (default 1e5).")
@click.option("--dtype", default="float32,float64", metavar="D[,D...]", help="float16/32/64.")
@click.option("--threads", metavar="T[,T...]", help="Default: ACTCLI_NUM_THREADS or the cores.")
@click.option("--direction", type=click.Choice(["forward", "gradient", "both"]), default="both")
@click.option(
    "--baseline", multiple=True, type=click.Choice(["naive", "torch"]), help="Repeatable."
)
@click.option("--repeats", type=click.IntRange(1), default=5, help="Runs per measurement.")
@click.option(
    "--min-time",
    type=click.FloatRange(0, 3600),
    default=0.2,
    callback=lambda ctx, param, value: options.finite(value, "--min-time"),
    help="Seconds per run, at least.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (with machine info).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write JSON.")
@quiet_option
def bench_command(
    acts: tuple[Activation, ...],
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
    """Time activations (forward and gradient) against the memory-bandwidth bound.

    Each row: the median time per call (min..max over --repeats auto-ranged runs), elements/s,
    GB/s, and the share of a plain copy of the same bytes measured in the same run;
    --baseline adds speed-ups over textbook NumPy (naive) and PyTorch (torch, if installed).

    \b
    Examples:
      actcli bench relu gelu --size 1e3,1e6 --threads 1,2
      actcli bench --all --baseline naive --baseline torch --size 1e7 -o results.json
    """
    from . import bench, render

    if all_ == bool(acts):
        raise options.OptionError("give NAMEs or --all (one of the two)")
    try:
        grid = bench.parse_grid(size, dtype, threads)
    except ValueError as e:
        raise options.OptionError(str(e)) from None
    for dt in grid.dtypes:  # the biggest size's inputs and outputs must fit in memory
        need = bench.peak_bytes(max(grid.sizes), dt)
        aio.check_budget(need, f"bench --size {max(grid.sizes):.0e} ({dt})", "needs", "timing")
    if output is not None:
        aio.check_output_folder(output)
    todo = names() if all_ else [a.name for a in acts]
    dirs = bench.DIRECTIONS if direction == "both" else (direction,)
    total = len(todo) * len(dirs) * grid.count
    with progress_bar("Timing", total, quiet=quiet, delay=0) as bar:
        result = bench.run(
            todo,
            **grid.kwargs,
            directions=dirs,
            baselines=baseline,
            repeats=repeats,
            min_time=min_time,
            progress=lambda *_: bar.advance(),
        )
    if output is not None:
        with aio.atomic_write(output) as fh:
            aio.write_all(fh, json.dumps(result.to_dict(), indent=1).encode() + b"\n")
        click.echo(f"Wrote {output}", err=True)
    if as_json:
        _print_json(result.to_dict())
    else:
        _console().print(render.bench_table(result.rows))
        click.echo("\n".join(bench.summary_lines(result)))
