"""``actcli loss``: a loss's value and gradient."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from .. import io as aio
from .. import options
from ..catalog import aliases, get_loss, names
from ..errors import (
    OptionError,
    UnknownActivationError,
)

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem

    # loads with the first loss (start-up of eval)
    from ..lossrecords import Loss

from .shared import INPUT_PATH, _console, _stdin, emit, output_options

F = TypeVar("F", bound=Callable[..., Any])


# --------------------------------------------------------------------------------------------
# Losses.


class LossType(click.ParamType):  # type: ignore[type-arg]
    """A loss name or alias: completes names and suggests the closest on a typo."""

    name = "NAME"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from ..lossrecords import Loss

        if isinstance(value, Loss):
            return value
        try:
            return get_loss(str(value))
        except UnknownActivationError as e:
            self.fail(str(e), param, ctx)

    def shell_complete(
        self, ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[CompletionItem]:
        from click.shell_completion import CompletionItem  # on completion only

        pool = [*names("loss"), *aliases("loss")]
        return [CompletionItem(n) for n in pool if n.startswith(incomplete)]


LOSS = LossType()
#: Every reduction some loss takes (each loss checks its own).
_REDUCTIONS = ("none", "mean", "sum", "batchmean")


@click.command("loss")
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
    from ..lossengine import loss, loss_gradient

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
        from .. import render

        _console().print(render.loss_value_view(loss, reduction, arrays, y))
    elif out.fmt == "json":
        from .. import render

        text = aio.json_text(render.loss_value_data(loss, reduction, arrays, y)) + "\n"
        if out.path is None:
            click.echo(text, nl=False)
        else:
            with aio.atomic_write(out.path) as fh:
                fh.write(text.encode())
            click.echo(f"Wrote {out.path}", err=True)
    else:
        emit(out, arrays[loss.inputs[0]], y, loss.name)
