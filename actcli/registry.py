"""The registry: one :class:`Activation` record per activation, with its :class:`Param` list.

No maths lives here. ``activations`` declares the records; everything else (the engine, the CLI,
the plots, the benchmarks, the docs and the tests) enumerates them through :func:`names` and
:func:`get`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from .errors import ParamError, UnknownActivationError

Array = npt.NDArray[np.floating[Any]]
Kind = Literal["elementwise", "axis"]

#: The properties ``actcli info`` reports; a record lists the ones that hold at the defaults.
PROPERTIES: dict[str, str] = {
    "monotonic": "non-decreasing (axis functions: each output in its own input)",
    "bounded": "output bounded above and below",
    "smooth": "infinitely differentiable (no kinks)",
    "zero_centred": "f(0) = 0 and takes both signs",
    "self_gated": "x times a gate computed from x itself",
}


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


#: Default of a parameter that has none and must be given (``threshold``'s two).
REQUIRED: Any = _Required()

_BOOL_WORDS = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False}
_BOOL_WORDS |= {"no": False, "off": False}


@dataclass(frozen=True)
class Param:
    """One activation parameter: its name, default, type and valid values.

    The type is that of the default (``float``, ``int``, ``bool`` or ``str``) unless
    ``value_type`` is given; ``low``/``high`` bound a number (``*_open`` makes a bound
    exclusive), ``choices`` lists the strings allowed. ``optional`` admits ``None`` (rrelu's
    ``seed``); ``per_channel`` admits a 1-D array as well as one number (prelu's ``weight``).
    """

    name: str
    default: Any
    help: str
    value_type: type | None = None
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    choices: tuple[str, ...] | None = None
    optional: bool = False
    per_channel: bool = False
    allow_inf: bool = False

    @property
    def kind(self) -> type:
        if self.value_type is not None:
            return self.value_type
        return type(self.default)

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    def describe_range(self) -> str:
        """The valid values in words, e.g. ``> 0``, ``[0, 1]`` or ``one of: none, tanh``."""
        if self.choices is not None:
            return "one of: " + ", ".join(self.choices)
        if self.kind is bool:
            return "true or false"
        lo, hi = self.low, self.high
        if lo is None and hi is None:
            text = "any finite number" if self.kind is float else "any integer"
            if self.kind is float and self.allow_inf:
                text = "any number (inf allowed)"
        elif hi is None:
            text = f"{'>' if self.low_open else '>='} {_num(lo)}"
        elif lo is None:
            text = f"{'<' if self.high_open else '<='} {_num(hi)}"
        else:
            left = "(" if self.low_open else "["
            right = ")" if self.high_open else "]"
            text = f"{left}{_num(lo)}, {_num(hi)}{right}"
        if self.optional:
            text += ", or none"
        if self.per_channel:
            text += " (one value, or one per channel)"
        return text

    def parse(self, text: str) -> Any:
        """Parse a command-line string into a value of this parameter's type (then checked)."""
        raw = text.strip()
        if self.optional and raw.lower() in ("none", "null", ""):
            return None
        kind = self.kind
        try:
            if self.per_channel and "," in raw:
                return self.check(np.array([float(v) for v in raw.split(",")]), where="")
            if kind is bool:
                return _BOOL_WORDS[raw.lower()]
            if kind is int:
                return int(raw)
            if kind is float:
                return float(raw)
        except (KeyError, ValueError):
            pass
        else:
            return raw
        expected = {bool: "true or false", int: "an integer", float: "a number"}[kind]
        raise ParamError(f"parameter '{self.name}' must be {expected}, got {text!r}")

    def check(self, value: Any, where: str) -> Any:
        """Return ``value`` normalised to this parameter's type, or raise :class:`ParamError`."""
        label = f"parameter '{self.name}'{where}"
        if value is None and self.optional:
            return None
        kind = self.kind
        if self.per_channel and not np.isscalar(value):
            arr = np.asarray(value)
            if arr.ndim != 1 or arr.size == 0 or arr.dtype.kind not in "biuf":
                raise ParamError(f"{label} must be a number or a 1-D array of numbers")
            arr = arr.astype(np.float64)
            for v in arr:
                self._check_number(float(v), label)
            return arr
        if kind is str:
            if not isinstance(value, str) or (self.choices and value not in self.choices):
                raise ParamError(f"{label} must be {self.describe_range()}, got {value!r}")
            return value
        if kind is bool:
            if isinstance(value, (bool, np.bool_)):
                return bool(value)
            raise ParamError(f"{label} must be true or false, got {value!r}")
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
            expected = "an integer" if kind is int else "a number"
            raise ParamError(f"{label} must be {expected}, got {value!r}")
        if kind is int:
            if isinstance(value, (float, np.floating)) and not float(value).is_integer():
                raise ParamError(f"{label} must be an integer, got {value!r}")
            value = int(value)
        else:
            value = float(value)
        self._check_number(value, label)
        return value

    def _check_number(self, value: float, label: str) -> None:
        if math.isnan(value) or (math.isinf(value) and not self.allow_inf):
            raise ParamError(f"{label} must be {self.describe_range()}, got {value!r}")
        lo, hi = self.low, self.high
        bad_lo = lo is not None and (value <= lo if self.low_open else value < lo)
        bad_hi = hi is not None and (value >= hi if self.high_open else value > hi)
        if bad_lo or bad_hi:
            raise ParamError(f"{label} must be {self.describe_range()}, got {_num(value)}")


def _num(v: float | None) -> str:
    if v is None:
        return ""
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return repr(int(v)) if float(v).is_integer() else repr(float(v))


def split_pairs(pairs: Sequence[str]) -> dict[str, str]:
    """``["negative-slope=0.1"]`` as ``{"negative_slope": "0.1"}``: command-line ``KEY=VALUE``
    pairs, keys normalised (``-`` becomes ``_``), values left as text for :meth:`Param.parse`.

    Raises:
        ParamError: a pair without ``=`` or a key, or a key given twice.
    """
    raw: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip().replace("-", "_")
        if not sep or not key:
            raise ParamError(f"expected KEY=VALUE, got {pair!r}")
        if key in raw:
            raise ParamError(f"parameter '{key}' is given twice")
        raw[key] = value
    return raw


Kinks = Callable[[Mapping[str, Any]], tuple[float, ...]]


@dataclass(frozen=True)
class Activation:
    """Everything actcli knows about one activation, declared once in ``activations``.

    ``forward(x, **params)`` and ``derivative(x, g, **params)`` compute on float arrays; for
    ``kind == "axis"`` they receive the reduction axis last (shape ``(rows, n)``) and ``derivative``
    returns the vector-Jacobian product for the upstream gradient ``g`` (shaped like the output).
    ``exact`` marks functions that are exact in any float dtype (piecewise linear), so the engine
    need not compute them in float64.
    ``forward32`` and ``derivative32`` (same signatures as ``forward`` and ``derivative``, also
    given float64 arrays) are kernels whose float64 result, rounded to float32 or float16, meets
    the float32 goal (<= 1 ulp) without the double-double refinements; the engine uses them for
    float32 and float16 inputs. None means ``forward`` / ``derivative`` serve every dtype.
    """

    name: str
    forward: Callable[..., Array]
    derivative: Callable[..., Array]
    formula: str
    mathtext: str
    derivative_formula: str
    output_range: str
    torch: str | None
    description: str
    params: tuple[Param, ...] = ()
    aliases: tuple[str, ...] = ()
    kind: Kind = "elementwise"
    reference: str | None = None
    jax: str | None = None
    properties: frozenset[str] = frozenset()
    kinks: tuple[float, ...] | Kinks = ()
    exact: bool = False
    check: Callable[[Mapping[str, Any]], None] | None = None
    chunkable: Callable[[Mapping[str, Any]], bool] | None = None
    output_length: Callable[[int], int] | None = None
    random: bool = False
    forward32: Callable[..., Array] | None = None
    derivative32: Callable[..., Array] | None = None
    _param_index: dict[str, Param] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_param_index", {p.name: p for p in self.params})

    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params)

    def param(self, name: str) -> Param:
        """The :class:`Param` called ``name``, or :class:`ParamError` listing the valid ones."""
        try:
            return self._param_index[name]
        except KeyError:
            raise ParamError(self._unknown_param_message(name)) from None

    def _unknown_param_message(self, name: str) -> str:
        if not self.params:
            return f"{self.name} takes no parameters, got '{name}'"
        expected = ", ".join(self.param_names)
        import difflib  # only on this error path: keeps start-up lean

        close = difflib.get_close_matches(name, self.param_names, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return f"unknown parameter '{name}' for {self.name}{hint}; expected one of: {expected}"

    def defaults(self) -> dict[str, Any]:
        """The parameters with their defaults (required ones are left out)."""
        return {p.name: p.default for p in self.params if not p.required}

    def bind(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """Check ``params`` against the declaration and fill in the defaults.

        Raises :class:`ParamError` for an unknown, missing, ill-typed or out-of-range parameter.
        """
        for name in params:
            if name not in self._param_index:
                raise ParamError(self._unknown_param_message(name))
        bound: dict[str, Any] = {}
        where = f" of {self.name}"
        for p in self.params:
            if p.name in params:
                bound[p.name] = p.check(params[p.name], where)
            elif p.required:
                raise ParamError(f"{self.name} needs parameter '{p.name}' ({p.help})")
            else:
                bound[p.name] = p.default
        if self.check is not None:
            self.check(bound)
        return bound

    def kernels(self, dtype: np.dtype[Any]) -> tuple[Callable[..., Array], Callable[..., Array]]:
        """(forward, derivative) serving results of ``dtype``: the float32 kernels for float32
        and float16 where declared, else the accurate ones."""
        narrow = dtype.itemsize < 8
        fwd = self.forward32 if narrow and self.forward32 is not None else self.forward
        der = self.derivative32 if narrow and self.derivative32 is not None else self.derivative
        return fwd, der

    def kink_points(self, params: Mapping[str, Any]) -> tuple[float, ...]:
        """The points where the derivative is a convention, for these parameters."""
        if callable(self.kinks):
            return tuple(float(k) for k in self.kinks(params))
        return tuple(float(k) for k in self.kinks)


_REGISTRY: dict[str, Activation] = {}
_ALIASES: dict[str, str] = {}
_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")


def register(act: Activation) -> Activation:
    """Add ``act`` to the registry; names and aliases must be new snake_case words."""
    for key in (act.name, *act.aliases):
        if not _NAME_RE.match(key):
            raise ValueError(f"activation name {key!r} is not lower snake_case")
        if key in _REGISTRY or key in _ALIASES:
            raise ValueError(f"activation name {key!r} is registered twice")
    _REGISTRY[act.name] = act
    for alias in act.aliases:
        _ALIASES[alias] = act.name
    return act


_lazy = False
_complete = False


def loading_lazily() -> bool:
    """True while :func:`_load` imports the activation families one by one."""
    return _lazy


def is_registered(name: str) -> bool:
    """True if ``name`` is a registered canonical name or alias."""
    return name in _REGISTRY or name in _ALIASES


def _load(name: str | None = None) -> None:
    """Import the activation families: all of them, or with ``name`` only up to its family."""
    global _lazy, _complete
    if _complete or (name is not None and is_registered(name)):
        return
    _lazy = True
    try:
        from .activations import load_families

        _complete = load_families(name)
    finally:
        _lazy = False


def get(name: str) -> Activation:
    """The registry entry for ``name`` (a canonical name or an alias, any case, ``-`` for ``_``).

    Raises :class:`UnknownActivationError` naming the closest registered names.
    """
    act = _REGISTRY.get(name)
    if act is not None:
        return act
    key = name.strip().lower().replace("-", "_")
    _load(key)
    key = _ALIASES.get(key, key)
    act = _REGISTRY.get(key)
    if act is None:
        raise UnknownActivationError(unknown_name_message(name))
    return act


def unknown_name_message(name: str) -> str:
    """``unknown activation 'x' (did you mean ...?)``, with the closest names."""
    _load()
    key = name.strip().lower().replace("-", "_")
    pool = [*_REGISTRY, *_ALIASES]
    import difflib

    close = difflib.get_close_matches(key, pool, n=3, cutoff=0.6)
    close = list(dict.fromkeys(_ALIASES.get(c, c) for c in close))
    if close:
        hint = " or ".join(f"'{c}'" for c in close)
        return f"unknown activation '{name}' (did you mean {hint}?); see 'actcli list'"
    return f"unknown activation '{name}'; see 'actcli list' for the {len(_REGISTRY)} names"


def names() -> list[str]:
    """Every canonical activation name, in declaration order."""
    _load()
    return list(_REGISTRY)


def aliases() -> dict[str, str]:
    """Every alias and the canonical name it stands for."""
    _load()
    return dict(_ALIASES)


def all_activations() -> Iterator[Activation]:
    """Every registry entry, in declaration order."""
    _load()
    return iter(_REGISTRY.values())
