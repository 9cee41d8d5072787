"""The ``actcli`` command line: a thin Click layer over the library."""

from __future__ import annotations

import click

from . import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="actcli")
def cli() -> None:
    """Evaluate, differentiate, plot and benchmark activation functions."""
