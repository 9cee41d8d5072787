"""The commands of ``actcli``, one module each (``eval`` and ``grad`` share one).

:class:`actcli.cli.ActcliGroup` imports a command's module only when that command runs or the
group's help lists it, so a run pays for building its own options alone. What the commands
share lives in :mod:`.shared`.
"""

from __future__ import annotations

#: Command name -> "module:attribute" of its Click command in this package.
COMMANDS: dict[str, str] = {
    "bench": "bench:bench_command",
    "compare": "compare:compare_command",
    "eval": "eval:eval_command",
    "grad": "eval:grad_command",
    "info": "info:info_command",
    "list": "listing:list_command",
    "loss": "loss:loss_command",
    "plot": "plot:plot_command",
}
