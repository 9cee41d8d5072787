"""``actcli info``: one function's formula, derivative, parameters and example."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ..records import Activation

if TYPE_CHECKING:  # loads with the first loss (start-up of eval)
    from ..lossrecords import Loss

from .shared import RecordType, _console, _print_json, json_options, param_options

F = TypeVar("F", bound=Callable[..., Any])


@click.command("info")
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
    from .. import render
    from ..lossrecords import Loss

    if isinstance(name, Loss):
        from ..accuracy import measured_loss

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
    from ..catalog import names_elsewhere

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
    from .. import expr

    if not isinstance(act, expr.ExpressionActivation):
        return []
    return expr.analyse(act, act.bind(params))
