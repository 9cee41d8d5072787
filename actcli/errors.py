"""The exceptions actcli raises. The CLI maps each to one ``Error:`` line and an exit code."""

from __future__ import annotations


class ActcliError(Exception):
    """Base class of every error actcli raises on purpose."""


class UnknownActivationError(ActcliError, KeyError):
    """An activation name that is not in the catalog (the message suggests close names)."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class ParamError(ActcliError, ValueError):
    """An unknown, missing, ill-typed or out-of-range activation parameter."""


class OptionError(ActcliError, ValueError):
    """A malformed or contradictory command-line option: a usage error (exit code 2)."""


class InputError(ActcliError, ValueError):
    """Input data that cannot be used: wrong dtype, wrong shape, unreadable or malformed file."""


class ExpressionError(ActcliError, ValueError):
    """An expression (a user-defined activation's formula) that is refused: malformed, or using
    something outside the language. A usage error. ``expression``, ``start`` and ``end`` locate
    the offending part (character offsets) for callers that draw their own caret."""

    def __init__(self, message: str, expression: str = "", start: int = 0, end: int = 0) -> None:
        super().__init__(message)
        self.expression = expression
        self.start = start
        self.end = end


class DefinitionsError(ActcliError, ValueError):
    """A definitions file (TOML) that cannot be used: the message names the file, the entry and
    the key. A usage error, like a malformed option."""


class PluginError(ActcliError):
    """An installed package's ``actcli.activations`` entry point that fails to load or gives
    something other than records (the message names the plugin)."""


class OutputError(ActcliError, OSError):
    """An output that could not be written (missing folder, no permission, disk full)."""
