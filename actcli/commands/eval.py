"""``actcli eval`` and ``actcli grad``: values and gradients of one activation."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click
import numpy as np

from .. import engine, options
from .. import io as aio
from ..errors import (
    OptionError,
)
from ..records import Activation
from .shared import (
    INPUT_PATH,
    _changed_params,
    _console,
    _label,
    _stdin,
    compute,
    emit,
    input_options,
    name_argument,
    output_options,
    param_options,
)

F = TypeVar("F", bound=Callable[..., Any])


@click.command("eval")
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


@click.command("grad")
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
    from ..jacobian import jacobian

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

        from .. import render

        console = _console()
        for r, block in enumerate(blocks):  # the title on a line of its own: never folded
            console.print(Text(f"{label}, row {r}", style="italic"), soft_wrap=True)
            console.print(render.array_table(block, ""))
        return
    flat = out.fmt in aio.TEXT_FORMATS
    emit(out, np.asarray(x), blocks.reshape(-1, blocks.shape[-1]) if flat else blocks, label)
