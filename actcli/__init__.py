"""actcli: evaluate, differentiate, plot and benchmark neural-network activation functions.

>>> import actcli
>>> actcli.evaluate("relu6", [-1.0, 3.0, 7.0])
array([0., 3., 6.])
>>> actcli.gradient("relu6", [-1.0, 3.0, 7.0])
array([0., 1., 0.])
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from .engine import evaluate, get_num_threads, gradient, set_num_threads
from .errors import ActcliError, InputError, ParamError, UnknownActivationError
from .registry import REQUIRED, Activation, Param, aliases, get, names

try:
    __version__ = version("actcli")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0+unknown"

__all__ = [
    "REQUIRED",
    "ActcliError",
    "Activation",
    "InputError",
    "Param",
    "ParamError",
    "UnknownActivationError",
    "__version__",
    "aliases",
    "evaluate",
    "get",
    "get_num_threads",
    "gradient",
    "names",
    "set_num_threads",
]
