"""The exceptions actcli raises. The CLI maps each to one ``Error:`` line and an exit code."""

from __future__ import annotations


class ActcliError(Exception):
    """Base class of every error actcli raises on purpose."""


class UnknownActivationError(ActcliError, KeyError):
    """An activation name that is not in the registry (the message suggests close names)."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class ParamError(ActcliError, ValueError):
    """An unknown, missing, ill-typed or out-of-range activation parameter."""


class InputError(ActcliError, ValueError):
    """Input data that cannot be used: wrong dtype, wrong shape, unreadable or malformed file."""


class OutputError(ActcliError, OSError):
    """An output that could not be written (missing folder, no permission, disk full)."""
