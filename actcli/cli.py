"""The ``actcli`` command line: a thin Click layer over the library.

This module holds the command group only: the error boundary is built into
:class:`ActcliGroup`, so every command gets it for free. The commands are modules of
:mod:`actcli.commands` (one each, loaded on demand), and what they share (the ``NAME``
parameter types, the option decorators, computing and showing a result) is
:mod:`actcli.commands.shared`. A new command is a module with a ``command`` and one line in
:data:`actcli.commands.COMMANDS`.
"""

from __future__ import annotations

import importlib
import os
import sys
import warnings
from pathlib import Path
from typing import Any

import click

from . import engine, options
from . import io as aio
from .commands import COMMANDS
from .commands.shared import error_boundary
from .engine import default_num_threads
from .errors import OptionError, ParamError
from .records import Activation


class ActcliGroup(click.Group):
    """The command group; parsing and running every command happen inside the error boundary.

    Each command lives in its own module of :mod:`actcli.commands`, imported when the command
    is run (or listed in the help): ``actcli eval`` does not build the options of the others.
    Commands added with :meth:`add_command` (an embedding program's) work as well.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(self.commands) | set(COMMANDS))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = self.commands.get(cmd_name)
        if command is None and cmd_name in COMMANDS:
            module, attribute = COMMANDS[cmd_name].split(":")
            command = getattr(
                importlib.import_module(f"{__package__}.commands.{module}"), attribute
            )
            self.add_command(command, cmd_name)
        return command

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
