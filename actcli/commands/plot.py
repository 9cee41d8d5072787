"""``actcli plot``: curves of f, f' and f'' as PNG, SVG or PDF."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from .. import options
from ..catalog import names
from ..errors import (
    OptionError,
)
from ..records import Activation

if TYPE_CHECKING:  # loads with the first loss (start-up of eval)
    from ..lossrecords import Loss

from .shared import _FINISHED, LEGEND_PLACES, RecordType, progress_bar, quiet_option

F = TypeVar("F", bound=Callable[..., Any])


@click.command("plot")
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
@click.option(
    "--range",
    "span",
    metavar="START:STOP[:N]",
    help="x-range (default: one that suits the functions; an overlay takes in all of them).",
)
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
    type=click.Choice(LEGEND_PLACES),
    default="best",
    help="Where the legend goes (outside: right of the axes, the figure widened to hold it; "
    "none: no legend; a single curve without f' has none).",
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
    from .. import plotting

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
