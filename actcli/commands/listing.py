"""``actcli list``: every activation and loss."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from ..catalog import activations as all_activations
from ..catalog import losses as all_losses
from ..records import LIBRARIES
from .shared import _console, _print_json, json_options

F = TypeVar("F", bound=Callable[..., Any])


@click.command("list")
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
    the terminal's width (below 100 columns the PyTorch name and properties go under the name;
    the losses' inputs and F.NAME too, when their table is wider than the terminal).
    --source LIBRARY lists that library's names instead, each with the actcli function (and
    parameters) it is and how the library's output differs, where it does.

    \b
    Examples:
      actcli list
      actcli list --kind loss
      actcli list --source hf
      actcli list --json
    """
    from .. import render

    if source is not None:
        if kind == "loss":
            raise click.UsageError("--source lists activation names; it takes no --kind loss")
        from ..catalog import library_names

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
        console.print(render.losses_table(losses, console.width))
