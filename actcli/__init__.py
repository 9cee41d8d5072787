"""actcli: evaluate, differentiate, plot and benchmark neural-network activation functions
and losses.

>>> import actcli
>>> actcli.evaluate("relu6", [-1.0, 3.0, 7.0])
array([0., 3., 6.])
>>> actcli.gradient("relu6", [-1.0, 3.0, 7.0])
array([0., 1., 0.])
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .catalog import aliases, get, names, register
from .engine import evaluate, get_num_threads, gradient, set_num_threads
from .errors import (
    ActcliError,
    DefinitionsError,
    ExpressionError,
    InputError,
    ParamError,
    UnknownActivationError,
)
from .records import REQUIRED, Activation, Doc, Kernels, Param

if TYPE_CHECKING:  # loaded on first use, see __getattr__
    from .lossengine import loss, loss_gradient
    from .lossrecords import Loss


def define(name: str, expr: str, *, description: str = "", **param_defaults: float) -> Activation:
    """Register activation ``name`` computing expression ``expr`` (for example
    ``define("quick_gelu", "x*sigmoid(a*x)", a=1.702)``) and return its record.

    The expression language is described in :mod:`actcli.expr`; its derivative is exact
    (automatic differentiation). ``param_defaults`` are the defaults of the expression's
    parameters; the others must be given at each call. Raises ExpressionError or
    DefinitionsError.
    """
    from . import expr as _expr  # the expression machinery loads on first use

    return _expr.define(name, expr, description=description, **param_defaults)


def __getattr__(name: str) -> Any:
    # The losses' engine loads on first use: `actcli eval` never needs it.
    if name in ("loss", "loss_gradient"):
        from . import lossengine

        value = getattr(lossengine, name)
        globals()[name] = value
        return value
    if name == "Loss":  # the loss record type, like the losses' engine, on first use
        from .lossrecords import Loss

        globals()["Loss"] = Loss
        return Loss
    # __version__ on first use: importlib.metadata costs ~15 ms of start-up that eval never needs.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            value = version("actcli")
        except PackageNotFoundError:  # pragma: no cover - a source tree without install
            value = "0+unknown"
        globals()["__version__"] = value
        return value
    raise AttributeError(f"module 'actcli' has no attribute {name!r}")


def __dir__() -> list[str]:
    # The public API only: not the helpers this file imports (Any, annotations) nor the
    # submodules that importing it loads (catalog, engine, ...), which stay importable.
    return sorted(__all__)


__all__ = [
    "REQUIRED",
    "ActcliError",
    "Activation",
    "DefinitionsError",
    "Doc",
    "ExpressionError",
    "InputError",
    "Kernels",
    "Loss",
    "Param",
    "ParamError",
    "UnknownActivationError",
    "__version__",
    "aliases",
    "define",
    "evaluate",
    "get",
    "get_num_threads",
    "gradient",
    "loss",
    "loss_gradient",
    "names",
    "register",
    "set_num_threads",
]
