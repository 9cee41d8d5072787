"""``actcli compare``: activations side by side."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from .. import options
from ..errors import (
    OptionError,
)
from ..records import Activation
from .shared import ACTIVATION, LEGEND_PLACES, _console, _print_json, json_options

F = TypeVar("F", bound=Callable[..., Any])


@click.command("compare")
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
@click.option(
    "--range",
    "span",
    metavar="START:STOP",
    help="x-range of --plot (default: one that suits all the functions).",
)
@click.option(
    "--legend",
    "legend_place",
    type=click.Choice(LEGEND_PLACES),
    default="best",
    help="Where the legend of --plot goes (outside: right of the axes, the figure widened).",
)
@click.option("--no-timing", is_flag=True, help="Leave out the quick timing (ns per element).")
def compare_command(
    acts: tuple[Activation, ...],
    param: tuple[str, ...],
    as_json: bool,
    plot_path: Path | None,
    span: str | None,
    legend_place: str,
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
    from .. import compare, render

    if len(acts) > 8:
        raise OptionError(f"compare takes at most 8 functions, got {len(acts)}")
    for a in acts:
        if a.kind != "elementwise":
            raise OptionError(f"compare takes elementwise activations; {a.name} is not")
    if (span is not None or legend_place != "best") and plot_path is None:
        raise OptionError("--range and --legend shape the figure of --plot; give --plot FILE too")
    given = options.parse_scoped_params(param, acts)
    subjects = [compare.subject(a, p) for a, p in zip(acts, given, strict=True)]
    plot_opts = None
    if plot_path is not None:
        from .. import plotting

        plot_opts = plotting.Options(**options.plot_options(span), legend=legend_place)
        fmt = plotting.resolve_format(plot_path, None)  # a bad extension fails before the work
    result = compare.compare(subjects, timed=not no_timing)
    if as_json:
        _print_json(result)  # non-finite figures as strings
    else:
        _console().print(render.compare_view(result))
    if plot_path is not None:
        fig = plotting.compare_figure([(s.act, s.params) for s in subjects], options=plot_opts)
        plotting.save(fig, plot_path, fmt)
        click.echo(f"Wrote {plot_path}", err=True)
