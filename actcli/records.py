"""The record types: :class:`Param`, :class:`Activation` and its groups. No state, no maths.

A record is the one declaration of a function: its documentation (:class:`Doc`), its kernels
(:class:`Kernels`), its parameters, kinks, the parameter settings to exercise, the textbook formula
used as the naive baseline (:class:`Naive`), its accuracy goal (:class:`Goal`) and how to call its
PyTorch equivalent. Family modules (``actcli.activations.*``) build records as plain data;
:mod:`actcli.catalog` looks them up. Everything else (the engine, the CLI, plots, bench, docs and
tests) reads the records and special-cases no name.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Literal

import numpy as np
import numpy.typing as npt

from ._frozen import field, frozen
from .errors import ParamError

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


@frozen
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
    fixed: bool = False

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
        if self.fixed:
            return f"fixed at {_show(self.default)}"
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
        if self.kind is float and self.allow_inf and (lo is not None or hi is not None):
            # A one-sided infinite range (hardtanh's min_val < inf) reads as its infinity.
            if lo is None and hi == math.inf and self.high_open:
                text = "any number or -inf"
            elif hi is None and lo == -math.inf and self.low_open:
                text = "any number or inf"
            elif hi is None:
                text += " (inf allowed)"
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
        if self.fixed:
            if isinstance(value, (bool, np.bool_)) != isinstance(self.default, bool) or not (
                value == self.default
            ):
                raise ParamError(
                    f"{label} is fixed at {_show(self.default)}, got {_show(value)}: the name "
                    "stands for those parameters (use the function's own name to change them)"
                )
            return self.default
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


def _show(v: Any) -> str:
    """A parameter value as written in a call: ``'tanh'``, ``1.702``, ``true``."""
    if isinstance(v, str):
        return repr(v)
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, (int, float)):
        return _num(v)
    return str(v)


def call_text(name: str, params: Mapping[str, Any]) -> str:
    """``gelu(approximate='tanh')``: a function with parameters, as written in Python."""
    return f"{name}({', '.join(f'{k}={_show(v)}' for k, v in params.items())})"


def _num(v: float | None) -> str:
    if v is None:
        return ""
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    # Integers as integers (6, not 6.0), up to 1e16; beyond, the float form (1e+300, not its
    # 301 digits).
    return repr(int(v)) if float(v).is_integer() and abs(v) < 1e16 else repr(float(v))


Kinks = Callable[[Mapping[str, Any]], tuple[float, ...]]
JaxKinks = Callable[[Mapping[str, Any]], tuple[tuple[float, float], ...]]
Kernel = Callable[..., Array]


#: ``Doc.plot_range``: the default x-range of a plot, fixed or from the bound parameters.
PlotRange = tuple[float, float] | Callable[[Mapping[str, Any]], tuple[float, float]]


@frozen
class Doc:
    """What ``list``, ``info``, the README table and the plots say about a function.

    ``torch``/``jax`` name the equivalent (``torch.nn.functional.relu``), ``hf`` HuggingFace
    transformers' (``transformers.activations.ReLUSquaredActivation``); ``properties`` lists
    the keys of :data:`PROPERTIES` that hold at the defaults; ``second_derivative`` is f''(x)
    in words (elementwise functions), with the value taken at the kinks. ``plot_range`` is the
    x-range ``actcli plot`` draws by default, (start, stop) or a function of the bound
    parameters giving it (hardtanh's follows min_val and max_val), where the function's shape
    shows; None: [-6, 6].
    """

    formula: str
    mathtext: str
    derivative: str
    output_range: str
    description: str
    torch: str | None = None
    jax: str | None = None
    reference: str | None = None
    properties: frozenset[str] = frozenset()
    second_derivative: str | None = None
    hf: str | None = None
    plot_range: PlotRange | None = None


@frozen
class Kernels:
    """The functions that compute, and how the engine may split the work.

    ``forward(x, **params)`` and ``derivative(x, g, **params)`` compute on float arrays; for axis
    functions they receive the reduction axis last (shape ``(rows, n)``) and ``derivative``
    returns the vector-Jacobian product for the upstream gradient ``g`` (shaped like the output).
    ``exact`` marks functions that are exact in any float dtype (piecewise linear), so the engine
    need not compute them in float64. ``forward32``/``derivative32`` (same signatures, also given
    float64 arrays) are kernels whose float64 result, rounded to float32 or float16, meets the
    float32 goal without the float64 refinements; None means the accurate ones serve every dtype.
    ``chunkable(params)`` False keeps the input whole (rrelu's random slopes); ``output_length``
    maps the length of the ``dim`` axis to the output's (glu halves it); ``reduces`` marks a
    function whose output drops the ``dim`` axis (logsumexp: one value per row; its kernels
    return, and its VJP kernel takes ``g`` as, shape ``(rows, 1)``); ``random`` marks results
    that depend on a seed.

    ``second(x, g, **params)`` (elementwise functions) is ``g * f''(x)``: the vector-Jacobian
    product of f' with upstream ``g``, i.e. d/dx sum(g * f'(x)), what a double backward in
    ``torch.autograd`` gives (PyTorch's value at the kinks). It computes in float64 for every
    result dtype (float32 results are that value rounded once); None: no second derivative.
    """

    forward: Kernel
    derivative: Kernel
    forward32: Kernel | None = None
    derivative32: Kernel | None = None
    exact: bool = False
    chunkable: Callable[[Mapping[str, Any]], bool] | None = None
    output_length: Callable[[int], int] | None = None
    reduces: bool = False
    random: bool = False
    second: Kernel | None = None

    def for_dtype(self, dtype: np.dtype[Any]) -> tuple[Kernel, Kernel]:
        """(forward, derivative) serving results of ``dtype``: the float32 kernels for float32
        and float16 where declared, else the accurate ones."""
        narrow = dtype.itemsize < 8
        fwd = self.forward32 if narrow and self.forward32 is not None else self.forward
        der = self.derivative32 if narrow and self.derivative32 is not None else self.derivative
        return fwd, der


@frozen
class Naive:
    """The textbook formula written the obvious way in NumPy: the ``naive`` bench baseline.

    ``forward(x, **params)`` and ``derivative(x, g, **params)``, no stability tricks.
    """

    forward: Kernel
    derivative: Kernel


@frozen
class Goal:
    """The accuracy goal in ulps against the 60-digit mpmath reference, per result dtype:
    forward maximum, gradient 99.9th percentile and gradient maximum."""

    fwd32: float = 1.0
    grad32_p999: float = 1.0
    grad32_max: float = 1.0
    fwd64: float = 2.0
    grad64_p999: float = 2.0
    grad64_max: float = 16.0

    def of(self, dtype: str) -> dict[str, float]:
        """``{"fwd_max", "grad_p999", "grad_max"}`` for ``"float32"`` or ``"float64"``."""
        if dtype == "float32":
            return {
                "fwd_max": self.fwd32,
                "grad_p999": self.grad32_p999,
                "grad_max": self.grad32_max,
            }
        return {"fwd_max": self.fwd64, "grad_p999": self.grad64_p999, "grad_max": self.grad64_max}


#: A float64 array in and out: the signature of a :class:`Reference64` function.
Reference = Callable[[npt.NDArray[np.float64]], npt.NDArray[np.float64]]


@frozen
class Reference64:
    """A vectorised float64 reference for exhaustive float32 scans (``scripts/exhaustive_f32.py``
    runs the float32 kernels on all 2^32 inputs against it, where mpmath would take days).

    ``forward(x)`` is f(x) and ``derivative(x)`` f'(x) (None: no derivative reference) of the
    function at its default parameters, on a float64 array, within 2e-15 relative of the truth
    (1e-7 float32 ulp; the tests check it against the mpmath oracle), with the limits at +-inf
    and NaN at NaN. They may import SciPy or mpmath (the ``test`` extra) lazily, inside
    the call. A record derived by fixing parameters (:meth:`Record.fixing`) has none.
    """

    forward: Reference
    derivative: Reference | None = None


#: ``torch_call(F, t, params)``: the PyTorch equivalent of a record applied to tensor ``t`` with
#: the bound parameters, ``F`` being ``torch.nn.functional`` (see :mod:`actcli.baselines`).
TorchCall = Callable[[Any, Any, Mapping[str, Any]], Any]


#: The libraries whose names the records declare (``actcli list --source LIBRARY``).
LIBRARIES: dict[str, str] = {
    "torch": "PyTorch: torch.nn.functional.NAME",
    "jax": "JAX: jax.nn.NAME",
    "hf": "HuggingFace transformers: ACT2FN[NAME], a config.json's hidden_act",
    "timm": "timm: timm.layers.get_act_fn(NAME) / get_act_layer(NAME)",
    "keras": "Keras 3: keras.activations.get(NAME)",
    "mlx": "MLX: mlx.nn.NAME",
}


@frozen
class LibraryName:
    """A library's name for a record's function: ``LibraryName("hf", "gelu_new", {"approximate":
    "tanh"})`` says transformers' ``ACT2FN["gelu_new"]`` is this function with those parameters.

    ``library`` is a key of :data:`LIBRARIES`. ``params`` are the parameter values that give
    the library's meaning (the others at their defaults). ``note`` says how the library's output
    differs from actcli's where it does more than by rounding (measured by
    ``scripts/measure_library_names.py``), or what else the name means elsewhere. ``alias``:
    the name also becomes an actcli name for this function with ``params`` fixed (``actcli eval
    gelu_new``); False where actcli's own name of that spelling means something else (Keras'
    ``leaky_relu`` has slope 0.2, actcli's follows PyTorch's 0.01), or for the record's own name.

    ``formula(torch, t)`` is the library's own formula written with torch ops, where it is not
    the function computed exactly (HF's ``gelu_fast`` truncates √(2/π) to 0.7978845608);
    ``max_abs`` and ``max_rel`` are the largest absolute and relative differences between it
    and actcli's function over the real line in float64, measured by
    ``scripts/measure_library_names.py`` and checked by the tests.
    """

    library: str
    name: str
    params: Mapping[str, Any] = field(default_factory=dict)
    note: str | None = None
    alias: bool = True
    formula: Callable[[Any, Any], Any] | None = None
    max_abs: float | None = None
    max_rel: float | None = None

    def __post_init__(self) -> None:
        if self.library not in LIBRARIES:
            raise ValueError(f"unknown library {self.library!r} for {self.name!r}")

    def meaning(self, record_name: str) -> str:
        """``gelu(approximate='tanh')``, or the bare name without parameters."""
        return call_text(record_name, self.params) if self.params else record_name

    def difference(self) -> str | None:
        """The measured difference in words, or None where none is recorded."""
        if self.max_abs is None:
            return None
        text = f"max |Δ| {self.max_abs:.2g}"
        if self.max_rel is not None:
            text += f", relative {self.max_rel:.2g}"
        return text + " (float64, real line)"


@frozen
class Record:
    """What every kind of function record shares: a name, aliases, parameters and documentation.

    ``kind`` names the record's kind for listings (``"activation"``; losses add their own);
    ``source`` says where a record registered at run time came from (a file, a package).
    ``library_names`` are the names other libraries give the function (:class:`LibraryName`);
    ``alias_of`` is set on the record the catalog derives for a name that stands for another
    function with parameters fixed (``("gelu", {"approximate": "tanh"})`` for ``gelu_new``).
    """

    name: str
    doc: Doc
    params: tuple[Param, ...] = ()
    aliases: tuple[str, ...] = ()
    check: Callable[[Mapping[str, Any]], None] | None = None
    settings: tuple[Mapping[str, Any], ...] = ()
    source: str | None = None
    library_names: tuple[LibraryName, ...] = ()
    alias_of: tuple[str, Mapping[str, Any]] | None = None
    _param_index: dict[str, Param] = field(init=False, repr=False, compare=False)

    #: The record kind shown by ``actcli list`` ("activation", "loss", ...).
    kind_label: ClassVar[str] = "activation"

    def __post_init__(self) -> None:
        object.__setattr__(self, "_param_index", {p.name: p for p in self.params})

    def __repr__(self) -> str:
        # Hand-written (dataclass repr=False, eq=False): records compare by identity, and
        # every generated method costs start-up time on each command.
        return f"{type(self).__name__}({self.name!r})"

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

    def fixing(self, name: str, params: Mapping[str, Any]) -> Record:
        """This function under another ``name`` with ``params`` fixed (``gelu_new`` is
        ``gelu.fixing("gelu_new", {"approximate": "tanh"})``): the other parameters keep their
        defaults and can still be set; a fixed one refuses any other value."""
        import dataclasses  # on a library name's lookup only: dataclasses costs start-up time

        bound = self.bind(params)
        fixed = tuple(
            dataclasses.replace(p, default=bound[p.name], fixed=True) if p.name in params else p
            for p in self.params
        )
        return dataclasses.replace(
            self,
            name=name,
            params=fixed,
            aliases=(),
            library_names=(),
            settings=tuple(s for s in self.settings if not set(s) & set(params)),
            alias_of=(self.name, dict(params)),
        )

    def defaults(self) -> dict[str, Any]:
        """The parameters with their defaults (required ones are left out)."""
        return {p.name: p.default for p in self.params if not p.required}

    @property
    def has_required(self) -> bool:
        return any(p.required for p in self.params)

    def cases(self) -> list[dict[str, Any]]:
        """The parameter settings to exercise: the defaults (when every parameter has one),
        then :attr:`settings`. Tests, plots, bench and docs enumerate these."""
        base: list[dict[str, Any]] = [] if self.has_required else [{}]
        return base + [dict(s) for s in self.settings]

    def illustrative(self) -> dict[str, Any]:
        """The parameters a plot or a benchmark uses when the user gives none: the first
        setting for a record with required parameters, else the defaults (``{}``)."""
        return dict(self.settings[0]) if self.has_required and self.settings else {}

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


@frozen
class Activation(Record):
    """One activation: :class:`Record` plus kernels, kinks and the facts tests and bench use.

    ``kind`` is ``"elementwise"`` or ``"axis"`` (computed along ``dim``). ``kinks`` lists the
    points where the derivative is a convention (PyTorch's autograd value is used there).
    ``naive`` is the textbook baseline; ``goal`` the accuracy goal; ``torch_call`` how to call
    the PyTorch equivalent when it is not ``doc.torch`` applied to ``(t, **params)``;
    ``bandwidth_goal`` the fraction of a copy's speed a piecewise-linear kernel must reach.
    ``jax_kinks`` lists the kinks where JAX's autodiff gives another derivative than PyTorch's,
    as ``(point, derivative)`` pairs (measured with jax 0.10; ``grad --convention jax``).
    ``oscillates(params)`` is the angular frequency ω of an oscillation that f' and f'' keep
    out to ±inf (snake: alpha; f' = 1 + sin(2ωx)): they have no limit there, so actcli's
    convention is NaN at ±inf and wherever ω·x passes the float range (no phase to reduce);
    :meth:`no_derivative` says where. None: every derivative has its limit at ±inf.
    ``reference64`` is a float64 reference for exhaustive float32 scans (:class:`Reference64`).
    """

    kernels: Kernels = field(default=None)
    kind: Kind = "elementwise"
    kinks: tuple[float, ...] | Kinks = ()
    naive: Naive | None = None
    goal: Goal = Goal()
    torch_call: TorchCall | None = None
    bandwidth_goal: float | None = None
    jax_kinks: tuple[tuple[float, float], ...] | JaxKinks = ()
    oscillates: Callable[[Mapping[str, Any]], float] | None = None
    reference64: Reference64 | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.kernels is None:
            raise TypeError(f"activation {self.name!r} needs kernels")

    def fixing(self, name: str, params: Mapping[str, Any]) -> Record:
        """:meth:`Record.fixing`, without the reference (it holds at the defaults only)."""
        if self.reference64 is None:
            return super().fixing(name, params)
        import dataclasses  # as in Record.fixing: on a library name's lookup only

        return dataclasses.replace(self, reference64=None).fixing(name, params)

    def jax_kink_values(self, params: Mapping[str, Any]) -> tuple[tuple[float, float], ...]:
        """``(point, JAX's derivative there)`` where JAX's convention differs from PyTorch's."""
        pairs = self.jax_kinks(params) if callable(self.jax_kinks) else self.jax_kinks
        return tuple((float(x), float(d)) for x, d in pairs)

    def no_derivative(self, x: npt.ArrayLike, params: Mapping[str, Any]) -> npt.NDArray[np.bool_]:
        """Where f' and f'' are NaN by the ``oscillates`` convention (±inf, and |ω·x| beyond
        the float range); all False for a function that does not oscillate."""
        a = np.asarray(x, dtype=np.float64)
        if self.oscillates is None:
            return np.zeros(a.shape, dtype=bool)
        w = float(self.oscillates(params))
        with np.errstate(over="ignore", invalid="ignore"):
            return ~np.isnan(a) & ~np.isfinite(w * a)

    def kink_points(self, params: Mapping[str, Any]) -> tuple[float, ...]:
        """The points where the derivative is a convention, for these parameters."""
        if callable(self.kinks):
            return tuple(float(k) for k in self.kinks(params))
        return tuple(float(k) for k in self.kinks)
