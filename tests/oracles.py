"""The test-side oracles: facts about each function, established independently of actcli.

Kept outside the package on purpose: an oracle must not share code with the kernels it judges.
Read by the accuracy-reference generators (``scripts/make_accuracy_reference.py``,
``scripts/make_second_reference.py``), the accuracy tests, the edge tests, the compare tests and
the PyTorch/JAX cross-checks. Everything else a test needs about a function it reads from the
function's record (``actcli.get(name)``).

- :data:`ELEMENTWISE` and :data:`AXIS`: the exact functions and their derivatives (the VJP for
  functions computed along an axis) in mpmath, evaluated at 60 significant digits;
- :data:`SECOND`: the exact second derivatives of the elementwise functions, in mpmath;
- :data:`SETTINGS`: the parameter settings the accuracy reference measures (kept apart from the
  records' settings so that ``tests/accuracy/reference.npz`` stays reproducible);
- :data:`KINKS`: the derivative at every kink as PyTorch 2.13's autograd computes it (JAX's for
  the functions PyTorch lacks);
- :data:`KINKS2`: the second derivative at the kinks, PyTorch 2.13's double backward;
- :data:`EXPR_BUILTINS`: expressions (``actcli.expr``) that define a built-in activation;
- :data:`EXPR_KINKS`: the derivative at the kinks of expressions (``actcli.expr``), as PyTorch's
  autograd gives it for the same expressions written with torch operations;
- :data:`SMOOTHNESS`: the smoothness class of a few functions, read off their definitions;
- :data:`TORCH_LOOSE`: where PyTorch itself is known to be less accurate than a few ulps.

Adding a function: add its reference to :data:`ELEMENTWISE` and :data:`SECOND` (or to
:data:`AXIS`), its settings to :data:`SETTINGS`, and a :data:`KINKS` (and :data:`KINKS2`) row
per kink, measured with torch.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import mpmath as mp

#: Significant digits of every reference value.
DPS = 60
mp.mp.dps = DPS
MPF = mp.mpf

Fn = Callable[..., Any]
#: (row, **params) -> the exact outputs, and (row, upstream gradient, **params) -> the exact
#: VJP, as lists of mpf (params: the bound parameters but ``dim``).
AxisFn = Callable[..., list[Any]]
AxisVjp = Callable[..., list[Any]]

#: Parameter settings measured for each activation: the defaults plus one or two others.
#: rrelu in training mode draws random slopes and is left out (its eval mode is measured).
SETTINGS: dict[str, list[dict[str, Any]]] = {
    "relu": [{}],
    "relu2": [{}],
    "hardtanh": [{}, {"min_val": -2.0, "max_val": 0.5}],
    "relu6": [{}],
    "leaky_relu": [{}, {"negative_slope": 0.2}],
    "prelu": [{}, {"weight": -0.75}],
    "rrelu": [{}],
    "threshold": [{"threshold": 1.0, "value": -2.0}, {"threshold": -0.5, "value": 0.0}],
    "hardsigmoid": [{}],
    "hardswish": [{}],
    "hardshrink": [{}, {"lambd": 1.5}],
    "softshrink": [{}, {"lambd": 1.5}],
    "sparse_sigmoid": [{}],
    "sparse_plus": [{}],
    "identity": [{}],
    "sigmoid": [{}],
    "logsigmoid": [{}],
    "tanh": [{}],
    "elu": [{}, {"alpha": 0.3}],
    "selu": [{}],
    "celu": [{}, {"alpha": 0.3}],
    "softplus": [{}, {"beta": 2.0, "threshold": 20.0}, {"beta": 0.5, "threshold": math.inf}],
    "swish": [{}, {"beta": 1.7}],
    "silu": [{}],
    "mish": [{}],
    "gelu": [{}, {"approximate": "tanh"}],
    "softsign": [{}],
    "tanhshrink": [{}],
    "squareplus": [{}, {"b": 0.5}],
    "softmax": [{}],
    "softmin": [{}],
    "log_softmax": [{}],
    "glu": [{}, {"gate": "first", "layout": "interleaved"}],
    "swiglu": [{}, {"gate": "second", "layout": "interleaved"}],
    "geglu": [{}, {"approximate": "tanh"}],
    "reglu": [{}],
    "bilinear": [{}],
    "swiglu_oai": [{}, {"limit": 2.0, "alpha": 1.0}],
    "logsumexp": [{}],
    "sparsemax": [{}],
    "entmax15": [{}],
    "step": [{}, {"threshold": 0.5}],
    "exponential": [{}],
    "hard_mish": [{}],
    "starrelu": [{}, {"scale": 0.8944271909999159, "bias": -0.4472135954999579}],
    "xielu": [{}, {"eps": 0.0}, {"alpha_p": 1.5, "alpha_n": 1.5, "beta": 0.25, "eps": -0.01}],
    "sqrtsoftplus": [{}],
    "gelu_10": [{}],
    "laplace": [{}, {"mu": 0.0, "sigma": 1.0}],
    "snake": [{}, {"alpha": 0.5}],
}


#: Values tried for every float parameter, edge values first (the issue's audit list): zeros of
#: both signs, the smallest subnormal, tiny and huge magnitudes, the float maximum, ±inf, then
#: values that float32 and float16 cannot represent (0.1, 1/3, 1e-40, 1e39, 7e4) and a few
#: ordinary ones. :func:`param_values` keeps those a parameter's declaration accepts.
PARAM_EDGES: tuple[float, ...] = (
    0.0, -0.0, 5e-324, 1e-300, 1e300, 1.7e308, math.inf, -5e-324, -1e-300, -1e300, -1.7e308,
    -math.inf, 0.1, 1 / 3, 1e-40, 1e39, 7e4, -0.1, -1e39, 1.0, -1.0, 2.5, -2.5,
)  # fmt: skip


def param_values(param: Any, where: str = "") -> list[Any]:
    """The values of one parameter (an ``actcli.records.Param``) to exercise, edge values
    first: every :data:`PARAM_EDGES` value its declaration accepts for a float, every choice
    for a string, both truth values for a bool; integers (``dim``, ``seed``) keep their
    default. Read from the declaration, so a widened range is exercised at once."""
    from actcli.errors import ParamError

    if param.choices is not None:
        return list(param.choices)
    if param.kind is bool:
        return [False, True]
    if param.kind is not float:
        return []
    out: list[Any] = []
    for v in PARAM_EDGES:
        try:
            param.check(v, where)
        except ParamError:
            continue
        out.append(v)
    return out


def sampled_settings(name: str) -> list[dict[str, Any]]:
    """Parameter settings of ``name`` drawn from each parameter's whole declared valid range
    (``actcli.get(name).params``), edge values first: each parameter alone at each of its
    :func:`param_values` (the others at their defaults, required ones at the record's first
    setting), then every pair of parameters set to the same value (rrelu's lower = upper =
    1e308, hardtanh's min_val = max_val) where the record accepts it. Settings the record
    refuses (lower > upper) are dropped; rrelu's training mode (random) is left out."""
    import actcli
    from actcli.errors import ParamError

    act = actcli.get(name)
    base = act.illustrative()
    floats = [p for p in act.params if p.kind is float]
    raw: list[dict[str, Any]] = []
    for p in act.params:
        for v in param_values(p):
            raw.append({**base, p.name: v})
    for i, p in enumerate(floats):
        for q in floats[i + 1 :]:
            for v in param_values(p):
                raw.append({**base, p.name: v, q.name: v})
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for s in raw:
        if s.get("training"):
            continue
        try:
            act.bind(s)
        except ParamError:
            continue
        key = repr(sorted((k, repr(v)) for k, v in s.items()))
        if key not in seen:
            seen.add(key)
            out.append(s)
    return out


def reference_settings(name: str, per_param: int = 10, joint: int = 3) -> list[dict[str, Any]]:
    """The parameter settings the accuracy reference adds to :data:`SETTINGS`, from
    :func:`sampled_settings`: the first ``per_param`` values of each parameter (edge values
    first), taken round-robin over the parameters, then up to ``joint`` settings with two
    parameters at the same value, largest magnitudes first (rrelu's lower = upper = 1.7e308);
    those already in :data:`SETTINGS` are left out. Elementwise functions only: the axis
    functions' references are rows built per setting (their SETTINGS cover gate, layout and
    the clamps); tests/test_param_edges.py sweeps their parameter space for NaN and warnings."""
    import actcli

    act = actcli.get(name)
    if act.kind != "elementwise":
        return []
    base = act.illustrative()
    fixed = [{**act.defaults(), **base, **s} for s in SETTINGS.get(name, [])]
    queues: dict[str, list[dict[str, Any]]] = {}
    pairs: list[dict[str, Any]] = []
    for s in sampled_settings(name):
        changed = [k for k in s if k not in base or s[k] != base[k]]
        if len(changed) == 1:
            queues.setdefault(changed[0], []).append(s)
        else:
            pairs.append(s)
    heads = [q[:per_param] for q in queues.values()]
    order = [q[i] for i in range(per_param) for q in heads if i < len(q)]
    pairs.sort(key=lambda s: -max(abs(v) for v in s.values() if isinstance(v, float)))
    order += pairs[:joint]
    return [s for s in order if {**act.defaults(), **s} not in fixed]


# --- elementwise functions ---------------------------------------------------------------------
def _sig(z: Any) -> Any:
    return 1 / (1 + mp.exp(-z))


def _sig_slope(z: Any) -> Any:
    e = mp.exp(-abs(z))
    return e / (1 + e) ** 2


def _erfc(z: Any) -> Any:
    if z > 10**100:
        return MPF(0)
    if z < -(10**100):
        return MPF(2)
    return mp.erfc(z)


# selu is defined by its constants as doubles, scale·alpha rounded once (PyTorch's kernel does
# the same, and actcli matches its bits at the kink).
SELU_SCALE = MPF(1.0507009873554804934193349852946)
SELU_SA = MPF(1.0507009873554804934193349852946 * 1.6732632423543772848170429916717)
TANH_C = mp.sqrt(2 / mp.pi)
TANH_K = MPF("0.044715")


def _tanh_u(x: Any) -> Any:
    return TANH_C * (x + TANH_K * x**3)


def _step(cond: bool) -> Any:
    return MPF(1) if cond else MPF(0)


def _tanhshrink(x: Any) -> Any:
    # x - tanh(x) cancels by about 2 log2(1/|x|) bits: carry that many more.
    extra = max(0, -2 * int(mp.floor(mp.log(abs(x), 2)))) if x != 0 else 0
    with mp.workprec(mp.mp.prec + extra + 20):
        return +(x - mp.tanh(x))


def _xielu(x: Any, alpha_p: float, alpha_n: float, beta: float, eps: float) -> Any:
    if x > 0:
        return MPF(alpha_p) * x**2 + MPF(beta) * x
    m = min(x, MPF(eps))
    # alpha_n·expm1(m) + (beta - alpha_n)·x: beta - alpha_n exact (0 for beta = alpha_n, also
    # at x = -inf); alpha_n·x cancels between the terms near 0: carry the bits it loses
    d = MPF(beta) - MPF(alpha_n)
    extra = max(0, -int(mp.floor(mp.log(abs(x), 2)))) if x != 0 and mp.isfinite(x) else 0
    with mp.workprec(mp.mp.prec + extra + 20):
        return +(MPF(alpha_n) * mp.expm1(m) + (d * x if d != 0 else 0))


def _xielu_d(x: Any, alpha_p: float, alpha_n: float, beta: float, eps: float) -> Any:
    if x > 0:
        return 2 * MPF(alpha_p) * x + beta  # MPF: 2·alpha_p overflows as a float
    d = MPF(beta) - MPF(alpha_n)  # exact: e^x is not lost beside 1 (beta = alpha_n, huge)
    if x < eps:
        return MPF(alpha_n) * mp.exp(x) + d
    if x == eps:  # torch's min(x, eps) gives each side of the tie half the gradient
        return MPF(alpha_n) * mp.exp(MPF(eps)) / 2 + d
    return d


def _snake(x: Any, alpha: float) -> Any:
    # alpha·x exact (a 106-bit product at 60 digits); mpmath reduces sin's argument exactly.
    if abs(x) >= BIG:
        return x
    return x + mp.sin(MPF(alpha) * x) ** 2 / MPF(alpha)


def _snake_phase_ok(x: Any, alpha: float) -> bool:
    # actcli's convention (Activation.oscillates): no derivative at ±inf, where f' and f'' have
    # no limit, nor where alpha·x rounds beyond the float range (x is always a float here)
    return abs(x) < BIG and math.isfinite(alpha * float(x))


def _snake_d(x: Any, alpha: float) -> Any:
    return 1 + mp.sin(2 * MPF(alpha) * x) if _snake_phase_ok(x, alpha) else mp.nan


def _snake_d2(x: Any, alpha: float) -> Any:
    a = MPF(alpha)
    return 2 * a * mp.cos(2 * a * x) if _snake_phase_ok(x, alpha) else mp.nan


def _npdf(z: Any) -> Any:
    return mp.exp(-(z**2) / 2) / mp.sqrt(2 * mp.pi)


def _softplus(x: Any) -> Any:
    return mp.log1p(mp.exp(x))


def _gelu(x: Any) -> Any:
    return x / 2 * _erfc(-x / mp.sqrt(2))


def _gelu_d(x: Any) -> Any:
    return _erfc(-x / mp.sqrt(2)) / 2 + x * mp.exp(-(x**2) / 2) / mp.sqrt(2 * mp.pi)


#: name -> (f(x, **p), f'(x, **p)) for elementwise functions; x is an mpf (finite or a huge
#: stand-in for ±inf), ``p`` every parameter (bound: defaults filled in).
ELEMENTWISE: dict[str, tuple[Fn, Fn]] = {
    "relu": (lambda x: max(x, 0), lambda x: _step(x > 0)),
    "relu2": (lambda x: max(x, 0) ** 2, lambda x: 2 * max(x, 0)),
    "hardtanh": (
        lambda x, min_val, max_val: min(max(x, MPF(min_val)), MPF(max_val)),
        lambda x, min_val, max_val: _step(min_val < x < max_val),
    ),
    "relu6": (lambda x: min(max(x, 0), 6), lambda x: _step(0 < x < 6)),
    "leaky_relu": (
        lambda x, negative_slope: x if x > 0 else MPF(negative_slope) * x,
        lambda x, negative_slope: MPF(1) if x > 0 else MPF(negative_slope),
    ),
    "prelu": (
        lambda x, weight: x if x > 0 else MPF(weight) * x,
        lambda x, weight: MPF(1) if x > 0 else MPF(weight),
    ),
    "rrelu": (
        lambda x, lower, upper, training, seed: x if x > 0 else (MPF(lower) + upper) / 2 * x,
        lambda x, lower, upper, training, seed: MPF(1) if x > 0 else (MPF(lower) + upper) / 2,
    ),
    "threshold": (
        lambda x, threshold, value: x if x > threshold else MPF(value),
        lambda x, threshold, value: _step(x > threshold),
    ),
    "hardsigmoid": (lambda x: min(max(x + 3, 0), 6) / 6, lambda x: _step(-3 < x < 3) / 6),
    "hardswish": (
        lambda x: x * min(max(x + 3, 0), 6) / 6,
        lambda x: MPF(0) if x <= -3 else ((2 * x + 3) / 6 if x < 3 else MPF(1)),
    ),
    "hardshrink": (
        lambda x, lambd: x if abs(x) > lambd else MPF(0),
        lambda x, lambd: _step(abs(x) > lambd),
    ),
    "softshrink": (
        lambda x, lambd: x - lambd if x > lambd else (x + lambd if x < -lambd else MPF(0)),
        lambda x, lambd: _step(abs(x) > lambd),
    ),
    "sparse_sigmoid": (
        lambda x: min(max(x + 1, 0), 2) / 2,
        lambda x: MPF(0.5) if -1 < x < 1 else (MPF(0.25) if abs(x) == 1 else MPF(0)),
    ),
    "sparse_plus": (
        lambda x: MPF(0) if x <= -1 else ((x + 1) ** 2 / 4 if x < 1 else x),
        lambda x: MPF(0) if x <= -1 else ((x + 1) / 2 if x < 1 else MPF(1)),
    ),
    "identity": (lambda x: x, lambda x: MPF(1)),
    "sigmoid": (_sig, _sig_slope),
    "logsigmoid": (lambda x: -mp.log1p(mp.exp(-x)), lambda x: _sig(-x)),
    "tanh": (mp.tanh, lambda x: mp.sech(x) ** 2),
    "elu": (
        lambda x, alpha: x if x > 0 else alpha * mp.expm1(x),
        lambda x, alpha: MPF(1) if x > 0 else alpha * mp.exp(x),
    ),
    "selu": (
        lambda x: SELU_SCALE * x if x > 0 else SELU_SA * mp.expm1(x),
        lambda x: SELU_SCALE if x > 0 else SELU_SA * mp.exp(x),
    ),
    "celu": (
        lambda x, alpha: x if x > 0 else alpha * mp.expm1(x / alpha),
        lambda x, alpha: MPF(1) if x > 0 else mp.exp(x / alpha),
    ),
    "softplus": (
        lambda x, beta, threshold: (
            x
            if beta * x > threshold
            else (max(beta * x, 0) + mp.log1p(mp.exp(-abs(beta * x)))) / beta
        ),
        lambda x, beta, threshold: MPF(1) if beta * x > threshold else _sig(beta * x),
    ),
    "swish": (
        lambda x, beta: x * _sig(beta * x),
        lambda x, beta: _sig(beta * x) + beta * x * _sig_slope(beta * x),
    ),
    "silu": (lambda x: x * _sig(x), lambda x: _sig(x) + x * _sig_slope(x)),
    "mish": (
        lambda x: x * mp.tanh(mp.log1p(mp.exp(x))),
        lambda x: mp.tanh(mp.log1p(mp.exp(x))) + x * mp.sech(mp.log1p(mp.exp(x))) ** 2 * _sig(x),
    ),
    "gelu": (
        lambda x, approximate: (
            x / 2 * _erfc(-x / mp.sqrt(2)) if approximate == "none" else x * _sig(2 * _tanh_u(x))
        ),
        lambda x, approximate: (
            _erfc(-x / mp.sqrt(2)) / 2 + x * mp.exp(-(x**2) / 2) / mp.sqrt(2 * mp.pi)
            if approximate == "none"
            else _sig(2 * _tanh_u(x))
            + x / 2 * mp.sech(_tanh_u(x)) ** 2 * TANH_C * (1 + 3 * TANH_K * x**2)
        ),
    ),
    "softsign": (lambda x: x / (1 + abs(x)), lambda x: 1 / (1 + abs(x)) ** 2),
    "tanhshrink": (_tanhshrink, lambda x: mp.tanh(x) ** 2),
    "step": (lambda x, threshold: _step(x > threshold), lambda x, threshold: MPF(0)),
    "exponential": (mp.exp, mp.exp),
    "hard_mish": (
        lambda x: x if x >= 0 else (x * (x + 2) / 2 if x >= -2 else MPF(0)),
        lambda x: MPF(1) if x >= 0 else (x + 1 if x >= -2 else MPF(0)),
    ),
    "starrelu": (
        lambda x, scale, bias: scale * max(x, 0) ** 2 + bias,
        lambda x, scale, bias: 2 * MPF(scale) * max(x, 0),
    ),
    "xielu": (_xielu, _xielu_d),
    "sqrtsoftplus": (  # ±BIG stands for ±inf: the limits inf and 0
        lambda x: mp.inf if x >= BIG else mp.sqrt(_softplus(x)),
        lambda x: MPF(0) if x >= BIG else _sig(x) / (2 * mp.sqrt(_softplus(x))),
    ),
    "laplace": (
        lambda x, mu, sigma: _erfc(-(x - mu) / (sigma * mp.sqrt(2))) / 2,
        lambda x, mu, sigma: _npdf((x - mu) / sigma) / sigma,
    ),
    "snake": (_snake, _snake_d),
    "gelu_10": (
        lambda x: min(_gelu(x), MPF(10)),
        lambda x: _gelu_d(x) if x <= 10 else MPF(0),
    ),
    "squareplus": (
        # (x + h)/2 = (b/2)/(h - x) for x < 0: no cancellation, even at 60 digits. b is a float:
        # MPF(b)/2, as b/2 would underflow to 0 for b = 5e-324.
        lambda x, b: (
            (x + mp.sqrt(x * x + b)) / 2 if x >= 0 else MPF(b) / 2 / (mp.sqrt(x * x + b) - x)
        ),
        lambda x, b: (
            (1 + x / mp.sqrt(x * x + b)) / 2
            if x >= 0
            else b / (2 * mp.sqrt(x * x + b) * (mp.sqrt(x * x + b) - x))
        ),
    ),
}


# --- second derivatives of the elementwise functions -------------------------------------------
def _sign(x: Any) -> Any:
    return MPF(0) if x == 0 else (MPF(1) if x > 0 else MPF(-1))


def _tanh_sech2(x: Any) -> Any:
    # tanh(x)·sech²(x); through e = exp(-2|x|) for |x| > 1: no overflow at ±BIG.
    if abs(x) <= 1:
        return mp.tanh(x) * mp.sech(x) ** 2
    e = mp.exp(-2 * abs(x))
    return _sign(x) * 4 * e * (1 - e) / (1 + e) ** 3


def _silu2(z: Any) -> Any:
    return _sig_slope(z) * (2 - z * mp.tanh(z / 2))


def _mish2(x: Any) -> Any:
    sp = mp.log1p(mp.exp(x)) if x < 50 else x + mp.log1p(mp.exp(-x))
    t, s = mp.tanh(sp), _sig(x)
    e = mp.exp(-2 * sp)
    sech2 = 4 * e / (1 + e) ** 2
    return sech2 * s * (2 + x * (1 - s - 2 * s * t))


_C1 = 2 * TANH_C
_C3 = _C1 * TANH_K


def _gelu_tanh2(x: Any) -> Any:
    z = _C1 * x + _C3 * x**3
    dz = _C1 + 3 * _C3 * x**2
    return _sig_slope(z) * (2 * _C1 + 12 * _C3 * x**2 - x * dz**2 * mp.tanh(z / 2))


def _zero(x: Any, **p: Any) -> Any:
    return MPF(0)


#: name -> f''(x, **p) for elementwise functions (x and ``p`` as in :data:`ELEMENTWISE`); the
#: value taken at the kinks is PyTorch 2.13's double backward (:data:`KINKS2`).
#: ``scripts/make_second_reference.py`` checks each against mpmath's numerical derivative of the
#: f' in :data:`ELEMENTWISE` before it writes ``tests/accuracy/second_reference.npz``.
SECOND: dict[str, Fn] = {
    "relu": _zero,
    "relu2": lambda x: MPF(2) if x > 0 else MPF(0),
    "hardtanh": _zero,
    "relu6": _zero,
    "leaky_relu": _zero,
    "prelu": _zero,
    "rrelu": _zero,
    "threshold": _zero,
    "hardsigmoid": _zero,
    "hardswish": lambda x: MPF(1) / 3 if -3 < x < 3 else MPF(0),
    "hardshrink": _zero,
    "softshrink": _zero,
    "sparse_sigmoid": _zero,
    "sparse_plus": lambda x: MPF(1) / 2 if -1 < x < 1 else MPF(0),
    "identity": _zero,
    "sigmoid": lambda x: -_sign(x) * _sig_slope(x) * mp.tanh(abs(x) / 2),
    "logsigmoid": lambda x: -_sig_slope(x),
    "tanh": lambda x: -2 * _tanh_sech2(x),
    "elu": lambda x, alpha: alpha * mp.exp(x) if x < 0 else MPF(0),
    "selu": lambda x: SELU_SA * mp.exp(x) if x < 0 else MPF(0),
    "celu": lambda x, alpha: mp.exp(x / alpha) / alpha if x < 0 else MPF(0),
    "softplus": lambda x, beta, threshold: (
        MPF(0) if beta * x >= threshold else beta * _sig_slope(beta * x)
    ),
    "swish": lambda x, beta: beta * _silu2(beta * x),
    "silu": _silu2,
    "mish": _mish2,
    "gelu": lambda x, approximate: (
        mp.exp(-(x**2) / 2) / mp.sqrt(2 * mp.pi) * (2 - x**2)
        if approximate == "none"
        else _gelu_tanh2(x)
    ),
    "softsign": lambda x: -2 * _sign(x) / (1 + abs(x)) ** 3,
    "tanhshrink": lambda x: 2 * _tanh_sech2(x),
    "squareplus": lambda x, b: b / (2 * (x * x + b) ** MPF(1.5)),
    "step": lambda x, threshold: MPF(0),
    "exponential": mp.exp,
    "hard_mish": lambda x: _step(-2 <= x <= 0),
    "starrelu": lambda x, scale, bias: 2 * MPF(scale) if x > 0 else MPF(0),
    "xielu": lambda x, alpha_p, alpha_n, beta, eps: (
        2 * MPF(alpha_p)
        if x > 0
        else alpha_n * mp.exp(x)
        if x < eps
        else alpha_n * mp.exp(MPF(eps)) / 4
        if x == eps
        else MPF(0)
    ),
    "sqrtsoftplus": lambda x: (
        _sig(x) * (1 - _sig(x)) / (2 * mp.sqrt(_softplus(x)))
        - _sig(x) ** 2 / (4 * _softplus(x) ** MPF(1.5))
    ),
    "laplace": lambda x, mu, sigma: -((x - mu) / sigma) * _npdf((x - mu) / sigma) / MPF(sigma) ** 2,
    "snake": _snake_d2,
    "gelu_10": lambda x: (
        mp.exp(-(x**2) / 2) / mp.sqrt(2 * mp.pi) * (2 - x**2) if x <= 10 else MPF(0)
    ),
}


# --- functions computed along an axis: one row at a time ---------------------------------------
def _softmax_row(x: list[Any], sign: int) -> list[Any] | None:
    """Exact softmax of ``sign * x`` with the limits at ±inf; None for a row with NaN."""
    if any(mp.isnan(v) for v in x):
        return None
    z = [sign * v for v in x]
    m = max(z)
    if mp.isinf(m) and m > 0:
        k = sum(1 for v in z if v == m)
        return [MPF(1) / k if v == m else MPF(0) for v in z]
    if mp.isinf(m):
        return [MPF(1) / len(z)] * len(z)
    e = [mp.exp(v - m) if not mp.isinf(v) else MPF(0) for v in z]
    s = mp.fsum(e)
    return [v / s for v in e]


def _softmax_signed(sign: int) -> AxisFn:
    def f(x: list[Any]) -> list[Any]:
        y = _softmax_row(x, sign)
        return [mp.nan] * len(x) if y is None else y

    return f


def _softmax_signed_vjp(sign: int) -> AxisVjp:
    def vjp(x: list[Any], g: list[Any]) -> list[Any]:
        y = _softmax_row(x, sign)
        if y is None:
            return [mp.nan] * len(x)
        # g_i - <g, y> = sum_j y_j (g_i - g_j) (as sum y = 1): no cancellation when y_i is
        # within 1e-60 of 1, which 60 digits would not resolve otherwise.
        return [
            sign * yi * mp.fsum(yj * (gi - gj) for gj, yj in zip(g, y, strict=True))
            for gi, yi in zip(g, y, strict=True)
        ]

    return vjp


def _log_softmax(x: list[Any]) -> list[Any]:
    y = _softmax_row(x, 1)
    if y is None:
        return [mp.nan] * len(x)
    m = max(x)
    if mp.isinf(m):
        return [mp.log(v) if v > 0 else -mp.inf for v in y]
    # log of the sum as log1p of (sum - 1): the sum is often 1 + something tiny.
    k = sum(1 for v in x if v == m)
    t = mp.fsum(mp.exp(v - m) for v in x if not mp.isinf(v) and v != m) + (k - 1)
    return [v - m - mp.log1p(t) if not mp.isinf(v) else -mp.inf for v in x]


def _log_softmax_vjp(x: list[Any], g: list[Any]) -> list[Any]:
    y = _softmax_row(x, 1)
    if y is None:
        return [mp.nan] * len(x)
    # g_i - y_i sum(g) = sum_j (y_j g_i - y_i g_j), for the same reason.
    return [
        mp.fsum(yj * gi - yi * gj for gj, yj in zip(g, y, strict=True))
        for gi, yi in zip(g, y, strict=True)
    ]


BIG = MPF(10) ** 1000  # stands in for ±inf: every limit is reached long before, also with
# parameters down to 5e-324 and up to 1.7e308 (slope·BIG still overflows a double)


def to_mpf(x: float) -> Any:
    """A finite float as an mpf, ±inf as ±:data:`BIG`."""
    if math.isinf(x):
        return BIG if x > 0 else -BIG
    return MPF(x)


def _glu(x: list[Any]) -> list[Any]:
    # a·σ(b) for the halves (a, b) of the row.
    h = len(x) // 2
    out = []
    for a, b in zip(x[:h], x[h:], strict=True):
        if mp.isnan(a) or mp.isnan(b):
            out.append(mp.nan)
        elif mp.isinf(b) and b < 0:
            out.append(MPF(0))
        elif mp.isinf(a):
            out.append(a)
        else:
            out.append(a * _sig(to_mpf(float(b))))
    return out


def _glu_vjp(x: list[Any], g: list[Any]) -> list[Any]:
    h = len(x) // 2
    ga, gb = [], []
    for a, b, gi in zip(x[:h], x[h:], g, strict=True):
        if mp.isnan(b):
            ga.append(mp.nan)
            gb.append(mp.nan)
            continue
        if mp.isnan(a):
            # d/da = g·σ(b) does not involve a; d/db = g·a·σ'(b) is NaN.
            ga.append(gi * _sig(to_mpf(float(b))))
            gb.append(mp.nan)
            continue
        bb = to_mpf(float(b))
        ga.append(gi * _sig(bb))
        if mp.isinf(b):
            gb.append(MPF(0))
        elif mp.isinf(a):
            gb.append(a * gi)
        else:
            gb.append(gi * a * _sig_slope(bb))
    return ga + gb


def _glu_split(x: list[Any], gate: str = "second", layout: str = "halves") -> list[Any]:
    """glu with actcli's gate and layout: the row rearranged into torch's (value, gate) halves."""
    gi, vi = _pairs_of(x, gate, layout)
    return _glu([x[i] for i in vi] + [x[i] for i in gi])


def _glu_split_vjp(
    x: list[Any], g: list[Any], gate: str = "second", layout: str = "halves"
) -> list[Any]:
    gi, vi = _pairs_of(x, gate, layout)
    d = _glu_vjp([x[i] for i in vi] + [x[i] for i in gi], g)
    out: list[Any] = [MPF(0)] * len(x)
    for k, i in enumerate(vi + gi):
        out[i] = d[k]
    return out


# --- gated activations: a row of (gate, value) pairs ---------------------------------------------
def _pairs_of(x: list[Any], gate: str, layout: str) -> tuple[list[int], list[int]]:
    """The indices of the gates and of the values in a row (actcli's ``gate`` and ``layout``)."""
    h = len(x) // 2
    a = list(range(h)) if layout == "halves" else list(range(0, len(x), 2))
    b = list(range(h, len(x))) if layout == "halves" else list(range(1, len(x), 2))
    return (a, b) if gate == "first" else (b, a)


def _gelu_tanh(z: Any) -> Any:
    return z * _sig(2 * _tanh_u(z))


def _gelu_tanh_slope(z: Any) -> Any:
    s = _sig(2 * _tanh_u(z))
    q = 2 * TANH_C * z * (1 + 3 * TANH_K * z**2)
    return s * (1 + q * (1 - s))


def _gelu_exact(z: Any) -> Any:
    return z * _erfc(-z / mp.sqrt(2)) / 2


def _gelu_exact_slope(z: Any) -> Any:
    return _erfc(-z / mp.sqrt(2)) / 2 + z * mp.exp(-(z**2) / 2) / mp.sqrt(2 * mp.pi)


#: name -> (act(gate, **params), act'(gate, **params)) of the gated activations; the gate and
#: the value's transform for swiglu_oai (its clamps) are in _oai_parts.
GATES: dict[str, tuple[Fn, Fn]] = {
    "swiglu": (lambda z: z * _sig(z), lambda z: _sig(z) * (1 + z * (1 - _sig(z)))),
    "geglu": (
        lambda z, approximate: _gelu_exact(z) if approximate == "none" else _gelu_tanh(z),
        lambda z, approximate: (
            _gelu_exact_slope(z) if approximate == "none" else _gelu_tanh_slope(z)
        ),
    ),
    "reglu": (lambda z: z if z > 0 else MPF(0), lambda z: _step(z > 0)),
    "bilinear": (lambda z: z, lambda z: MPF(1)),
    "swiglu_oai": (
        lambda z, alpha, limit: z * _sig(alpha * z),
        lambda z, alpha, limit: _sig(alpha * z) * (1 + alpha * z * (1 - _sig(alpha * z))),
    ),
}


def _oai_parts(g: Any, v: Any, limit: Any) -> tuple[Any, Any, Any, Any]:
    """gpt-oss' clamps: (min(g, limit), clamp(v) + 1, d gc/dg, d vc/dv) (torch.clamp passes the
    gradient at the limits themselves)."""
    lim = to_mpf(float(limit))
    gc = min(g, lim)
    vc = max(min(to_mpf(float(v)), lim), -lim)
    return gc, vc + 1, _step(g <= lim), _step(-lim <= v <= lim)


def _gated(name: str) -> tuple[Any, Any]:
    act, slope = GATES[name]
    oai = name == "swiglu_oai"

    def parts(g: Any, v: Any, p: dict[str, Any]) -> tuple[Any, Any, Any, Any, Any, Any]:
        extra = {k: (MPF(w) if isinstance(w, float) else w) for k, w in p.items()}
        if oai:
            gc, w, dg, dv = _oai_parts(g, v, p["limit"])
            return act(gc, **extra), slope(gc, **extra), w, dg, dv, gc
        return act(g, **extra), slope(g, **extra), v, MPF(1), MPF(1), g

    def limit(g: Any, a: Any) -> Any:
        # At an infinite gate the activation's limit: a value far below any double is 0.
        return MPF(0) if mp.isinf(g) and abs(a) < MPF(10) ** -300 else a

    def times(a: Any, b: Any) -> Any:
        # A zero factor gives 0 whatever the other, an infinite one included (its limit).
        return MPF(0) if a == 0 or b == 0 else a * b

    def f(x: list[Any], gate: str, layout: str, **p: Any) -> list[Any]:
        ig, iv = _pairs_of(x, gate, layout)
        out = []
        for i, j in zip(ig, iv, strict=True):
            g, v = x[i], x[j]
            if mp.isnan(g) or mp.isnan(v):
                out.append(mp.nan)
                continue
            a, _, w, _, _, _ = parts(to_mpf(float(g)), v, p)
            out.append(times(limit(g, a), w))
        return out

    def vjp(x: list[Any], u: list[Any], gate: str, layout: str, **p: Any) -> list[Any]:
        ig, iv = _pairs_of(x, gate, layout)
        out: list[Any] = [MPF(0)] * len(x)
        for k, (i, j) in enumerate(zip(ig, iv, strict=True)):
            g, v = x[i], x[j]
            if mp.isnan(g) or mp.isnan(v):
                # d/dvalue = u·act(gate) needs no value (swiglu_oai: its clamp's mask does)
                keep = not mp.isnan(g) and not oai
                a = limit(g, parts(to_mpf(float(g)), MPF(0), p)[0]) if keep else mp.nan
                out[i], out[j] = mp.nan, u[k] * a
                continue
            a, s, w, dg, dv, _ = parts(to_mpf(float(g)), v, p)
            out[i] = u[k] * times(limit(g, s), w) * dg
            out[j] = u[k] * limit(g, a) * dv
        return out

    return f, vjp


# --- logsumexp: a row becomes one value ----------------------------------------------------------
def _logsumexp(x: list[Any]) -> list[Any]:
    if any(mp.isnan(v) for v in x):
        return [mp.nan]
    m = max(x) if x else -mp.inf
    if mp.isinf(m):
        return [m]
    return [m + mp.log(mp.fsum(mp.exp(v - m) for v in x if not mp.isinf(v)))]


def _logsumexp_vjp(x: list[Any], g: list[Any]) -> list[Any]:
    # u·softmax(x), with softmax's limits (an all -inf row: uniform, the limit as the entries
    # fall together; torch and JAX give NaN there).
    y = _softmax_row(x, 1)
    return [mp.nan] * len(x) if y is None else [g[0] * v for v in y]


# --- sparsemax: the projection onto the simplex ---------------------------------------------------
def _sparsemax(x: list[Any]) -> list[Any]:
    """Exact sparsemax with the limits: NaN -> NaN; +inf entries share the mass; all -inf:
    uniform; -inf entries 0. Ties at the threshold are off the support (0)."""
    if any(mp.isnan(v) for v in x):
        return [mp.nan] * len(x)
    m = max(x)
    if mp.isinf(m):
        k = sum(1 for v in x if v == m)
        return [MPF(1) / k if v == m else MPF(0) for v in x]
    # Relative to the maximum, so that 60 digits resolve 1 next to a huge maximum.
    zs = sorted((v - m for v in x if not mp.isinf(v)), reverse=True)
    s = MPF(0)
    tau = MPF(0)
    for j, z in enumerate(zs, start=1):
        if not 1 + j * z > s + z:
            break
        s += z
        tau = (s - 1) / j
    return [max(v - m - tau, MPF(0)) if not mp.isinf(v) else MPF(0) for v in x]


def _sparsemax_vjp(x: list[Any], g: list[Any]) -> list[Any]:
    p = _sparsemax(x)
    if any(mp.isnan(v) for v in p):
        return [mp.nan] * len(x)
    support = [i for i, v in enumerate(p) if v > 0]
    mean = mp.fsum(g[i] for i in support) / len(support)
    return [g[i] - mean if p[i] > 0 else MPF(0) for i in range(len(x))]


def _entmax15(x: list[Any]) -> list[Any]:
    """Exact 1.5-entmax, [x_i/2 - tau]_+^2, with sparsemax's limits; tau from the largest
    support k whose tau_k (sum over the top k of (x_j/2 - tau_k)^2 = 1) stays below x_(k)/2."""
    if any(mp.isnan(v) for v in x):
        return [mp.nan] * len(x)
    m = max(x)
    if mp.isinf(m):
        k = sum(1 for v in x if v == m)
        return [MPF(1) / k if v == m else MPF(0) for v in x]
    # Relative to the maximum, so that 60 digits resolve 1 next to a huge maximum.
    zs = sorted(((v - m) / 2 for v in x if not mp.isinf(v)), reverse=True)
    tau = zs[0] - 1
    for k in range(1, len(zs) + 1):
        top = zs[:k]
        mean = mp.fsum(top) / k
        ss = mp.fsum((v - mean) ** 2 for v in top)
        t = mean - mp.sqrt(max((1 - ss) / k, MPF(0)))
        if t <= zs[k - 1]:
            tau = t
    return [max((v - m) / 2 - tau, MPF(0)) ** 2 if not mp.isinf(v) else MPF(0) for v in x]


def _entmax15_vjp(x: list[Any], g: list[Any]) -> list[Any]:
    p = _entmax15(x)
    if any(mp.isnan(v) for v in p):
        return [mp.nan] * len(x)
    s = [mp.sqrt(v) for v in p]
    q = mp.fsum(gi * si for gi, si in zip(g, s, strict=True)) / mp.fsum(s)
    return [si * (gi - q) for gi, si in zip(g, s, strict=True)]


#: name -> (f(row), vjp(row, g)) for the functions computed along an axis (rows of mpf, ±inf and
#: NaN included; glu's row is its two halves).
AXIS: dict[str, tuple[AxisFn, AxisVjp]] = {
    "softmax": (_softmax_signed(1), _softmax_signed_vjp(1)),
    "softmin": (_softmax_signed(-1), _softmax_signed_vjp(-1)),
    "log_softmax": (_log_softmax, _log_softmax_vjp),
    "glu": (_glu_split, _glu_split_vjp),
    **{name: _gated(name) for name in GATES},
    "logsumexp": (_logsumexp, _logsumexp_vjp),
    "sparsemax": (_sparsemax, _sparsemax_vjp),
    "entmax15": (_entmax15, _entmax15_vjp),
}


def elementwise(name: str, params: dict[str, Any]) -> tuple[Fn, Fn]:
    """``(f, f')`` of one elementwise function with bound ``params``, as functions of one mpf,
    evaluated at :data:`DPS` digits whatever mpmath's global precision is."""
    f, df = ELEMENTWISE[name]

    def at(fn: Fn) -> Fn:
        def call(x: Any) -> Any:
            with mp.workdps(DPS):
                return fn(x, **params)

        return call

    return at(f), at(df)


# --- the derivative at every kink: PyTorch 2.13's autograd -------------------------------------
SELU_SCALE_ALPHA = 1.7580993408473766

#: (name, params, x, f'(x), JAX's f'(x), where the value comes from). Every f'(x) was measured
#: with torch 2.13.0's autograd, in float32 and float64; tests/test_torch.py re-measures them
#: when torch is installed. The rows of functions PyTorch lacks follow jax.nn's definitions. The
#: JAX column is jax.grad of the jax.nn function (jax 0.10.2, float64; None: jax.nn has no such
#: function or parameter), actcli's ``gradient(..., convention="jax")``; tests/test_jax.py
#: re-measures it when jax is installed. (softplus'(20): jax's sigmoid(20) is 6e-16 low; the
#: column keeps the correctly rounded value, since the convention is the same branch.)
KINKS: list[tuple[str, dict[str, Any], float, float, float | None, str]] = [
    ("relu", {}, 0.0, 0.0, 0.0, "torch: gradient only where x > 0"),
    ("relu2", {}, 0.0, 0.0, None, "torch, relu(x)**2: 2·relu(0)·relu'(0)"),
    ("relu6", {}, 0.0, 0.0, 0.0, "torch: flat side at both ends"),
    ("relu6", {}, 6.0, 0.0, 0.0, "torch: flat side at both ends"),
    ("hardtanh", {}, -1.0, 0.0, 1.0, "torch: open interval only"),
    ("hardtanh", {}, 1.0, 0.0, 1.0, "torch: open interval only"),
    ("hardtanh", {"min_val": -2.0, "max_val": 0.5}, 0.5, 0.0, None, "torch: open interval only"),
    ("hardsigmoid", {}, -3.0, 0.0, 0.0, "torch: 1/6 only on (-3, 3)"),
    ("hardsigmoid", {}, 3.0, 0.0, 0.0, "torch: 1/6 only on (-3, 3)"),
    ("hardswish", {}, -3.0, 0.0, 0.0, "torch 2.x: x <= -3 gives 0"),
    ("hardswish", {}, 3.0, 1.0, 1.0, "torch 2.x: x >= 3 gives 1"),
    ("leaky_relu", {}, 0.0, 0.01, 1.0, "torch: the slope at 0"),
    ("leaky_relu", {"negative_slope": 0.2}, 0.0, 0.2, 1.0, "torch: the slope at 0"),
    ("prelu", {}, 0.0, 0.25, None, "torch: the weight at 0"),
    ("rrelu", {}, 0.0, 0.22916666666666666, None, "torch eval: (lower + upper)/2 at 0"),
    ("elu", {}, 0.0, 1.0, 1.0, "torch: alpha (negative branch at 0)"),
    ("elu", {"alpha": 0.5}, 0.0, 0.5, 0.5, "torch: alpha (negative branch at 0)"),
    ("celu", {}, 0.0, 1.0, 1.0, "torch: 1 from both sides"),
    ("celu", {"alpha": 2.0}, 0.0, 1.0, 1.0, "torch: 1 from both sides"),
    ("selu", {}, 0.0, SELU_SCALE_ALPHA, SELU_SCALE_ALPHA, "torch: scale*alpha (left derivative)"),
    ("hardshrink", {}, 0.5, 0.0, None, "torch: dead-zone side"),
    ("hardshrink", {}, -0.5, 0.0, None, "torch: dead-zone side"),
    ("softshrink", {}, 0.5, 0.0, None, "torch: dead-zone side"),
    ("softshrink", {}, -0.5, 0.0, None, "torch: dead-zone side"),
    (
        "threshold",
        {"threshold": 1.0, "value": -1.0},
        1.0,
        0.0,
        None,
        "torch: x <= t takes the value",
    ),
    # sigmoid(20) correctly rounded (mpmath); torch's float64 kernel gives 1 ulp less.
    (
        "softplus",
        {},
        20.0,
        0.9999999979388464,
        0.9999999979388464,
        "torch: sigmoid(20), linear only above",
    ),
    ("gelu", {}, 0.0, 0.5, 0.5, "torch: Phi(0)"),
    ("gelu", {"approximate": "tanh"}, 0.0, 0.5, 0.5, "torch: 1/2"),
    ("sparse_sigmoid", {}, -1.0, 0.25, 0.25, "jax: lax.max splits a tie 1/2 each, times 1/2"),
    ("sparse_sigmoid", {}, 1.0, 0.25, 0.25, "jax: lax.min splits a tie 1/2 each, times 1/2"),
    ("sparse_plus", {}, -1.0, 0.0, 0.0, "jax: continuous derivative"),
    ("sparse_plus", {}, 1.0, 1.0, 1.0, "jax: continuous derivative"),
    ("step", {}, 0.0, 0.0, 0.0, "jax: jnp.where(x > 0, 1., 0.) has gradient 0 (MLX's step)"),
    ("hard_mish", {}, -2.0, -1.0, None, "torch 2.13, timm's formula: clamp passes it at -2"),
    ("starrelu", {}, 0.0, 0.0, None, "torch, relu(x)**2: 2·relu(0)·relu'(0)"),
    # alpha_n·(e^eps/2 - 1) + beta correctly rounded (mpmath); torch's float64 gives 3 ulp more.
    ("xielu", {}, -9.999999974752427e-07, 0.09999960000020099, None, "torch: min(x, eps) splits"),
    ("xielu", {}, 0.0, -0.30000000000000004, None, "torch, HF's formula: the clamp at 0"),
    ("gelu_10", {}, 10.0, 1.0, None, "torch 2.13, HF's clip(gelu(x)) passes it at gelu = 10"),
]

#: f''(kink) from torch.autograd.grad(torch.autograd.grad(f(t).sum(), t, create_graph=True)[0]
#: .sum(), t) with PyTorch 2.13.0 (CPU, float64): (name, params, x, value). hardsigmoid's double
#: backward is not implemented in torch (its f'' is 0 everywhere); sparse_plus is JAX's.
#: tests/accuracy/test_second.py re-measures them when torch is installed.
KINKS2: list[tuple[str, dict[str, Any], float, float]] = [
    ("relu", {}, 0.0, 0.0),
    ("relu2", {}, 0.0, 0.0),
    ("hardtanh", {}, -1.0, 0.0),
    ("hardtanh", {}, 1.0, 0.0),
    ("relu6", {}, 0.0, 0.0),
    ("relu6", {}, 6.0, 0.0),
    ("leaky_relu", {}, 0.0, 0.0),
    ("prelu", {}, 0.0, 0.0),
    ("rrelu", {}, 0.0, 0.0),
    ("threshold", {"threshold": 1.0, "value": -2.0}, 1.0, 0.0),
    ("hardswish", {}, -3.0, 0.0),
    ("hardswish", {}, 3.0, 0.0),
    ("hardswish", {}, 0.0, 1 / 3),
    ("hardshrink", {}, 0.5, 0.0),
    ("softshrink", {}, -0.5, 0.0),
    ("elu", {}, 0.0, 0.0),
    ("elu", {"alpha": 0.3}, 0.0, 0.0),
    ("selu", {}, 0.0, 0.0),
    ("celu", {}, 0.0, 0.0),
    ("celu", {"alpha": 0.3}, 0.0, 0.0),
    ("softplus", {}, 20.0, 0.0),
    ("softplus", {"beta": 2.0, "threshold": 20.0}, 10.0, 0.0),
    ("softsign", {}, 0.0, 0.0),
    ("gelu", {}, 0.0, 0.7978845608028654),
    ("silu", {}, 0.0, 0.5),
    ("mish", {}, 0.0, 0.64),
    ("step", {}, 0.0, 0.0),
    ("hard_mish", {}, -2.0, 1.0),
    ("starrelu", {}, 0.0, 0.0),
    ("xielu", {}, -9.999999974752427e-07, 0.19999980000010054),
    ("xielu", {}, 0.0, 0.0),
    ("gelu_10", {}, 10.0, -7.540706654172292e-21),
]

#: (expression, name, expression params, name's params): expressions in actcli's expression
#: language that define a built-in activation (its textbook formula), so must agree with it in
#: value and derivative.
EXPR_BUILTINS: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = [
    ("x*sigmoid(beta*x)", "swish", {"beta": 1.5}, {"beta": 1.5}),
    ("x*sigmoid(beta*x)", "swish", {"beta": 0.25}, {"beta": 0.25}),
    ("x*tanh(log(1+exp(x)))", "mish", {}, {}),
    ("x*tanh(softplus(x))", "mish", {}, {}),
    ("x*sigmoid(x)", "silu", {}, {}),
    ("max(x, 0)", "relu", {}, {}),
    ("clip(x, -1, 1)", "hardtanh", {}, {}),
    ("min(max(x, 0), 6)", "relu6", {}, {}),
    ("where(x > 0, x, a*x)", "leaky_relu", {"a": 0.2}, {"negative_slope": 0.2}),
    ("where(x > 0, x, alpha*expm1(x))", "elu", {"alpha": 1.3}, {"alpha": 1.3}),
    ("x/(1 + abs(x))", "softsign", {}, {}),
    ("0.5*x*(1 + erf(x/sqrt(2)))", "gelu", {}, {}),
    ("0.5*x*(1 + tanh(sqrt(2/pi)*(x + 0.044715*x**3)))", "gelu", {}, {"approximate": "tanh"}),
    ("log1p(exp(x))", "softplus", {}, {}),
    ("1/(1 + exp(-x))", "sigmoid", {}, {}),
    ("(x + sqrt(x**2 + b))/2", "squareplus", {"b": 4.0}, {"b": 4.0}),
]

#: (expression, points, derivative there): the derivative at the kinks of expressions in
#: actcli's expression language, as torch.autograd gives it for the same expressions written with
#: torch operations (torch 2.13.0, float64). tests/test_expr.py re-measures them when torch is
#: installed.
EXPR_KINKS: list[tuple[str, list[float], list[float]]] = [
    ("abs(x)", [0.0], [0.0]),
    ("max(x, 0)", [0.0, math.nan], [0.5, 1.0]),
    ("min(x, 0)", [0.0], [0.5]),
    ("max(x, 2*x)", [0.0], [1.5]),
    ("max(x, x)", [1.0], [1.0]),
    ("clip(x, -1, 1)", [-1.0, 1.0, math.nan], [1.0, 1.0, 0.0]),
    ("clip(x, -x, 2)", [0.0, -1.0, 3.0, 2.0], [1.0, -1.0, 0.0, 1.0]),
    ("clip(x, 2, x)", [0.0, 2.0, 3.0], [1.0, 1.0, 1.0]),
    ("where(x > 0, x, 0)", [0.0], [0.0]),
    ("where(x >= 0, x*x, -x)", [0.0], [0.0]),
    ("sign(x)", [0.0, 1.0], [0.0, 0.0]),
    ("sqrt(x)", [0.0], [math.inf]),
    ("x**2", [0.0], [0.0]),
    ("x**0.5", [0.0], [math.inf]),
    ("x**0", [0.0], [0.0]),
    ("0**x", [0.0, 1.0], [0.0, 0.0]),
    ("x**x", [0.0, 1.0], [0.0, 1.0]),
    ("log(x)", [0.0], [math.inf]),
    ("x/x", [0.0], [math.nan]),
    ("relu(x)", [0.0], [0.0]),
    ("leaky_relu(x, negative_slope=0.2)", [0.0], [0.2]),
    ("hardtanh(x)", [-1.0, 1.0], [0.0, 0.0]),
    ("abs(x)*x", [0.0], [0.0]),
]

#: (name, params, class): how smooth each function is on the real line with these parameters,
#: read off its definition: "discontinuous", "C0" (continuous, f' jumps), "C1" (f'' jumps) or
#: "C∞". tests/test_compare.py checks ``actcli.compare.smoothness`` against it.
SMOOTHNESS: list[tuple[str, dict[str, Any], str]] = [
    ("relu", {}, "C0"),
    ("selu", {}, "C0"),
    ("hardswish", {}, "C0"),
    ("elu", {}, "C1"),
    ("celu", {"alpha": 0.3}, "C1"),
    ("sparse_plus", {}, "C1"),
    ("softsign", {}, "C1"),
    ("threshold", {"threshold": 1.0, "value": 0.0}, "discontinuous"),
    ("hardshrink", {}, "discontinuous"),
    ("gelu", {}, "C∞"),
    ("squareplus", {}, "C∞"),
]

#: (name, dtype) -> the relative tolerance PyTorch's gradient needs there, where PyTorch is
#: measurably less accurate than a few ulps: its float64 hardsigmoid' is float32(1/6).
TORCH_LOOSE: dict[tuple[str, str], float] = {("hardsigmoid", "float64"): 1e-7}


# --- losses --------------------------------------------------------------------------------------
# Independent oracles for the losses: 60-digit mpmath references of each unreduced term, the
# gradients PyTorch 2.13 gives at the kinks (measured with torch.autograd), and the places where
# torch is numerically wrong (actcli gives the true value there).
#
# The only per-name tables of the loss tests live here (the lead may fold this module into
# tests/oracles.py).

LossRef = Callable[[Sequence[Any], Mapping[str, Any]], Any]


def _loss_d(a: Sequence[Any]) -> Any:
    return a[0] - a[1]


def _loss_smooth_l1(a: Sequence[Any], p: Mapping[str, Any]) -> Any:
    d, beta = abs(_loss_d(a)), p["beta"]
    if beta == 0:
        return d
    return d * d / (2 * beta) if d < beta else d - mp.mpf(beta) / 2


def _loss_huber(a: Sequence[Any], p: Mapping[str, Any]) -> Any:
    d, delta = abs(_loss_d(a)), p["delta"]
    return d * d / 2 if d < delta else delta * (d - mp.mpf(delta) / 2)


def _loss_gaussian(a: Sequence[Any], p: Mapping[str, Any]) -> Any:
    v = max(a[2], mp.mpf(p["eps"]))
    r = (mp.log(v) + _loss_d(a) ** 2 / v) / 2
    return r + mp.log(2 * mp.pi) / 2 if p["full"] else r


def _loss_bce(a: Sequence[Any], p: Mapping[str, Any]) -> Any:
    x, t = a[0], a[1]
    lp = max(mp.log(x), -100) if x > 0 else mp.mpf(-100)
    lq = max(mp.log(1 - x), -100) if x < 1 else mp.mpf(-100)
    return -(t * lp + (1 - t) * lq)


def _loss_bce_logits(a: Sequence[Any], p: Mapping[str, Any]) -> Any:
    x, t = a[0], a[1]
    pw = a[2] if len(a) > 2 else 1
    big_l = 1 + (pw - 1) * t
    return (1 - t) * x + big_l * mp.log1p(mp.exp(-x))


def _loss_ce_row(a: Sequence[Any], p: Mapping[str, Any]) -> Any:
    """One row: a[0] the logits (a list), a[1] the class index."""
    x, t = a[0], int(a[1])
    lse = mp.log(mp.fsum(mp.exp(v) for v in x))
    eps = mp.mpf(p.get("label_smoothing", 0.0))
    nll = lse - x[t]
    if not eps:
        return nll
    smooth = mp.fsum(lse - v for v in x)
    return (1 - eps) * nll + eps / len(x) * smooth


def _loss_kl(a: Sequence[Any], p: Mapping[str, Any]) -> Any:
    x, t = a[0], a[1]
    if p["log_target"]:
        return mp.exp(t) * (t - x)
    return 0 if t == 0 else t * (mp.log(t) - x)


def _loss_poisson(a: Sequence[Any], p: Mapping[str, Any]) -> Any:
    x, t = a[0], a[1]
    r = mp.exp(x) - t * x if p["log_input"] else x - t * mp.log(x + mp.mpf(p["eps"]))
    if p["full"] and t > 1:
        r += t * mp.log(t) - t + mp.log(2 * mp.pi * t) / 2
    return r


def _loss_hinge(a: Sequence[Any], p: Mapping[str, Any]) -> Any:
    x, t = a[0], a[1]
    r = mp.mpf(0)
    if t != 1:
        r += max(mp.mpf(0), p["margin"] - x)
    if t != -1:
        r += x
    return r


def _loss_cosine_row(a: Sequence[Any], p: Mapping[str, Any]) -> Any:
    """One row: a[0], a[1] the two vectors (lists), a[2] the target; torch's 1e-12 in |x|²."""
    x1, x2, t = a[0], a[1], a[2]
    eps = mp.mpf(1e-12)
    dot = mp.fsum(u * v for u, v in zip(x1, x2, strict=True))
    cos = dot / mp.sqrt((mp.fsum(u * u for u in x1) + eps) * (mp.fsum(v * v for v in x2) + eps))
    r = mp.mpf(0)
    if t == 1:
        r += 1 - cos
    if t == -1:
        r += max(mp.mpf(0), cos - p["margin"])
    return r


#: The exact unreduced term of each loss, from the float inputs taken exactly.
LOSS_REFERENCE: dict[str, LossRef] = {
    "mse_loss": lambda a, p: _loss_d(a) ** 2,
    "l1_loss": lambda a, p: abs(_loss_d(a)),
    "smooth_l1_loss": _loss_smooth_l1,
    "huber_loss": _loss_huber,
    "log_cosh": lambda a, p: mp.log(mp.cosh(_loss_d(a))),
    "gaussian_nll_loss": _loss_gaussian,
    "binary_cross_entropy": _loss_bce,
    "binary_cross_entropy_with_logits": _loss_bce_logits,
    "soft_margin_loss": lambda a, p: mp.log1p(mp.exp(-a[1] * a[0])),
    "cross_entropy": _loss_ce_row,
    "nll_loss": lambda a, p: -a[0][int(a[1])],
    "kl_div": _loss_kl,
    "poisson_nll_loss": _loss_poisson,
    "hinge_embedding_loss": _loss_hinge,
    "margin_ranking_loss": lambda a, p: max(mp.mpf(0), -a[2] * (a[0] - a[1]) + p["margin"]),
    "cosine_embedding_loss": _loss_cosine_row,
}

#: Gradients with respect to the first input at the kinks, measured with torch 2.13's autograd
#: (float64 and float32 alike): (name, params, inputs by name, gradient). ``margin_ranking``'s
#: row is d/d(input1).
LOSS_KINKS: list[tuple[str, dict[str, Any], dict[str, float], float]] = [
    ("l1_loss", {}, {"input": 0.0, "target": 0.0}, 0.0),
    ("l1_loss", {}, {"input": 1.5, "target": 1.5}, 0.0),
    ("smooth_l1_loss", {"beta": 1.0}, {"input": 1.0, "target": 0.0}, 1.0),
    ("smooth_l1_loss", {"beta": 1.0}, {"input": -1.0, "target": 0.0}, -1.0),
    ("smooth_l1_loss", {"beta": 0.5}, {"input": 0.5, "target": 0.0}, 1.0),
    ("smooth_l1_loss", {"beta": 0.5}, {"input": -0.5, "target": 0.0}, -1.0),
    ("smooth_l1_loss", {"beta": 2.0}, {"input": 2.0, "target": 0.0}, 1.0),
    ("smooth_l1_loss", {"beta": 2.0}, {"input": -2.0, "target": 0.0}, -1.0),
    ("smooth_l1_loss", {"beta": 0.0}, {"input": 0.0, "target": 0.0}, 0.0),
    ("huber_loss", {"delta": 1.0}, {"input": 1.0, "target": 0.0}, 1.0),
    ("huber_loss", {"delta": 1.0}, {"input": -1.0, "target": 0.0}, -1.0),
    ("huber_loss", {"delta": 0.5}, {"input": 0.5, "target": 0.0}, 0.5),
    ("huber_loss", {"delta": 0.5}, {"input": -0.5, "target": 0.0}, -0.5),
    ("huber_loss", {"delta": 2.0}, {"input": 2.0, "target": 0.0}, 2.0),
    ("huber_loss", {"delta": 2.0}, {"input": -2.0, "target": 0.0}, -2.0),
    ("hinge_embedding_loss", {"margin": 1.0}, {"input": 1.0, "target": -1.0}, -1.0),
    ("hinge_embedding_loss", {"margin": 2.0}, {"input": 2.0, "target": -1.0}, -1.0),
    ("margin_ranking_loss", {"margin": 0.0}, {"input1": 0.0, "input2": 0.0, "target": 1.0}, -1.0),
    ("margin_ranking_loss", {"margin": 0.5}, {"input1": 0.5, "input2": 0.0, "target": 1.0}, -1.0),
]

#: Where torch 2.13 is numerically wrong: (name, params, inputs, torch's value, the true value
#: actcli gives). ``reduction='none'`` values.
LOSS_TORCH_WRONG: list[tuple[str, dict[str, Any], dict[str, Any], float, float]] = [
    # bce_with_logits at ±inf logits: torch's (1 - t)·x + ... forms inf - inf.
    ("binary_cross_entropy_with_logits", {}, {"input": math.inf, "target": 1.0}, math.nan, 0.0),
    ("binary_cross_entropy_with_logits", {}, {"input": -math.inf, "target": 0.0}, math.nan, 0.0),
    # soft_margin_loss: log(1 + exp(800)) overflows in torch; the truth is 800.
    ("soft_margin_loss", {}, {"input": -800.0, "target": 1.0}, math.inf, 800.0),
    # kl_div with p = 0 and x = -inf: torch forms 0·(-inf); the term of p = 0 is 0.
    ("kl_div", {}, {"input": -math.inf, "target": 0.0}, math.nan, 0.0),
]

#: Where torch 2.13's gradient is NaN but the true one is finite: (name, params, the input
#: differentiated, where). poisson_nll_loss(full=True) masks Stirling's term for t <= 1 after
#: computing t·log t, so d/dt at t = 0 is 0·(-inf) = NaN; the true value is -x (no Stirling).
LOSS_TORCH_NAN_GRADIENTS: list[
    tuple[str, dict[str, Any], str, Callable[[Mapping[str, Any]], Any]]
] = [
    ("poisson_nll_loss", {"full": True}, "target", lambda a: a["target"] == 0),
    # kl_div's xlogy(p, p) has d/dp = log p + 1, -inf at p = 0; torch's gives NaN there.
    ("kl_div", {}, "target", lambda a: a["target"] == 0),
]

#: The aliases the issue asks for.
LOSS_ALIASES = {
    "mse": "mse_loss",
    "l1": "l1_loss",
    "huber": "huber_loss",
    "bce": "binary_cross_entropy",
    "bce_with_logits": "binary_cross_entropy_with_logits",
    "ce": "cross_entropy",
    "nll": "nll_loss",
}
