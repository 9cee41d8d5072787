"""``actcli bench``: throughput against the textbook formulas and PyTorch."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from .. import io as aio
from .. import options
from ..catalog import names
from ..errors import (
    OptionError,
)
from ..records import Activation

if TYPE_CHECKING:  # loads with the first loss (start-up of eval)
    from ..lossrecords import Loss

from .shared import (
    RecordType,
    _console,
    _escaped,
    _print_json,
    complete_list,
    json_options,
    progress_bar,
    quiet_option,
)

F = TypeVar("F", bound=Callable[..., Any])


@click.command("bench")
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
@click.option(
    "--budget",
    type=click.FloatRange(0, min_open=True),
    metavar="SECONDS",
    callback=lambda ctx, param, value: value and options.finite(value, "--budget"),
    help="A time limit for the whole run: --min-time is lowered to fit every row in about half "
    "of it; rows still left when it runs out are skipped, with a note (default: none).",
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
    budget: float | None,
    as_json: bool,
    output: Path | None,
    quiet: bool,
) -> None:
    """Time activations or losses (forward and gradient) against the memory-bandwidth bound.

    Each row: the median time per call (min..max over --repeats auto-ranged runs), elements/s,
    GB/s, and % bound; --baseline adds speed-ups over textbook NumPy (naive) and PyTorch
    (torch, if installed). A loss is timed as its mean (forward) and the gradient of the mean,
    on valid inputs of N elements; --all times every activation.

    % bound is the row's GB/s (bytes read and written) as a share of a copy of the input's
    bytes into a reused buffer, written as the kernels write (streaming stores once the data
    outgrow the cache), on the same threads, timed next to each function: the
    memory-bandwidth bound, so 100% is as fast as memory allows. It can pass 100% a little,
    from run-to-run noise or when the data fits in the cache.

    Off a terminal (a CI log), one plain line per finished row goes to stderr as it ends
    (-q: none). --budget SECONDS bounds the whole run for a CI job: runs are shortened to fit
    (--min-time lowered), and rows still left when the time is up are skipped; the notes say
    which.

    \b
    Examples:
      actcli bench relu gelu --size 1e3,1e6 --threads 1,2
      actcli bench mse_loss cross_entropy --baseline naive --baseline torch
      actcli bench --all --baseline naive --baseline torch --size 1e7 -o results.json
      actcli bench --all --size 1e6 --budget 300 -o results.json
    """
    from .. import bench, render
    from ..lossrecords import Loss

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
    per_row = 1 + len(set(baseline)) + 1 / len(dirs)  # the function, baselines, the bound
    plan = None if budget is None else bench.Budget(budget, total, per_row, repeats, min_time)
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
            "budget": plan,
        }
        result = bench.run(todo, **kw) if todo else None
        if losses:
            from .. import lossbench

            timed = lossbench.run(losses, **kw)
            result = timed if result is None else result.merged(timed)
    assert result is not None
    if plan is not None:
        result.notes += plan.notes()
    if output is not None:  # the result goes to the file; the summary to stderr
        with aio.atomic_write(output) as fh:
            aio.write_all(fh, aio.json_text(result.to_dict(), indent=1).encode() + b"\n")
        click.echo("\n".join(bench.summary_lines(result)), err=True)
        click.echo(f"Wrote {output}", err=True)
        return
    if as_json:
        _print_json(result.to_dict())
    else:
        _console().print(render.bench_table(result.rows))
        click.echo("\n".join(bench.summary_lines(result)))
