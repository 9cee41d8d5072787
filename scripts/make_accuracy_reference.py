"""Generate tests/accuracy/reference.npz: mpmath reference values for every activation.

For every registered activation, a few parameter settings (``SETTINGS``) and float32/float64,
this builds a deterministic point set (dense grids near 0 and near every kink and its float
neighbours, the zero crossings of f and f' and their neighbours, moderate values, large
magnitudes, the dtype's max, tiny values and subnormals, ±0, ±inf, NaN; softmax-family rows with
wide ranges and ±inf entries) and evaluates f and f' (the VJP for axis functions) there with
mpmath at 60 significant digits. Each reference value is stored as a double-double ``hi + lo``.

Run:  python scripts/make_accuracy_reference.py [--jobs N]   (about 15 s on two cores)

The output is a pure function of this script (fixed seeds, no timing), so rerunning it
reproduces the committed file bit for bit (up to the npz container's timestamps).
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import mpmath as mp
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import actcli  # noqa: E402

OUT = ROOT / "tests" / "accuracy" / "reference.npz"
DPS = 60
mp.mp.dps = DPS
MPF = mp.mpf

#: Parameter settings measured for each activation: the defaults plus one or two others.
#: rrelu in training mode draws random slopes and is left out (its eval mode is measured).
SETTINGS: dict[str, list[dict[str, Any]]] = {
    "relu": [{}],
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
    "glu": [{}],
}

DTYPES = ("float32", "float64")
BIG = MPF(10) ** 400  # stands in for ±inf: every limit is reached long before


# --- the reference functions (mpmath) ----------------------------------------------------------
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


Fn = Callable[..., Any]

# name -> (f(x, **p), f'(x, **p)) for elementwise functions; x is an mpf (finite or ±BIG).
ELEMENTWISE: dict[str, tuple[Fn, Fn]] = {
    "relu": (lambda x: max(x, 0), lambda x: _step(x > 0)),
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
    "squareplus": (
        # (x + h)/2 = (b/2)/(h - x) for x < 0: no cancellation, even at 60 digits.
        lambda x, b: (x + mp.sqrt(x * x + b)) / 2 if x >= 0 else b / 2 / (mp.sqrt(x * x + b) - x),
        lambda x, b: (
            (1 + x / mp.sqrt(x * x + b)) / 2
            if x >= 0
            else b / (2 * mp.sqrt(x * x + b) * (mp.sqrt(x * x + b) - x))
        ),
    ),
}

AXIS = ("softmax", "softmin", "log_softmax", "glu")


def _to_dd(v: Any) -> tuple[float, float]:
    """An mpf as a double-double (NaN and ±inf pass through; beyond the range: ±inf)."""
    if mp.isnan(v):
        return math.nan, 0.0
    hi = float(v)
    if math.isinf(hi):
        return hi, 0.0
    return hi, float(v - hi)


def _mp(x: float) -> Any:
    if math.isinf(x):
        return BIG if x > 0 else -BIG
    return MPF(x)


def _eval(fn: Fn, x: float, params: dict[str, Any]) -> tuple[float, float]:
    if math.isnan(x):
        return math.nan, 0.0
    return _to_dd(fn(_mp(x), **params))


# --- point sets ----------------------------------------------------------------------------
def _neighbours(v: float, dt: type[np.floating[Any]], k: int) -> list[float]:
    out = []
    a = dt(v)
    if not np.isfinite(a):
        return []
    lo = hi = a
    out.append(float(a))
    with np.errstate(over="ignore"):
        for _ in range(k):
            lo = np.nextafter(lo, dt(-np.inf))
            hi = np.nextafter(hi, dt(np.inf))
            out += [float(lo), float(hi)]
    return out


def _crossings(fn: Fn, params: dict[str, Any], lo: float = -12.0, hi: float = 12.0) -> list[float]:
    """Sign changes of ``fn`` on a grid, refined by bisection to far below a float64 ulp."""
    grid = np.linspace(lo, hi, 1201)
    vals = [fn(MPF(float(t)), **params) for t in grid]
    roots = []
    for i in range(len(grid) - 1):
        a, b = vals[i], vals[i + 1]
        if a == 0 or b == 0 or (a > 0) == (b > 0):
            continue
        left, right = MPF(float(grid[i])), MPF(float(grid[i + 1]))
        fl = a
        for _ in range(80):
            mid = (left + right) / 2
            fm = fn(mid, **params)
            if fm == 0:
                left = right = mid
                break
            if (fm > 0) == (fl > 0):
                left, fl = mid, fm
            else:
                right = mid
        roots.append(float((left + right) / 2))
    return roots


def elementwise_points(
    name: str, params: dict[str, Any], dtype: str
) -> tuple[np.ndarray, list[float]]:
    dt = np.dtype(dtype).type
    fi = np.finfo(dt)
    rng = np.random.default_rng(
        int.from_bytes((name + json.dumps(params, sort_keys=True) + dtype).encode()[:16], "big")
        % 2**63
    )
    pts: list[float] = [0.0, -0.0, math.inf, -math.inf, math.nan]
    sub = float(fi.smallest_subnormal)
    tiny = float(fi.tiny)
    maxv = float(fi.max)
    for v in (sub, 2 * sub, 3 * sub, tiny / 3, tiny, 2 * tiny, 1e-30, 1e-20, 1e-12, 1e-8):
        pts += [v, -v]
    for v in (20.0, 30.0, 88.7, 100.0, 709.8, 1e4, 1e30, maxv, 0.5, 1.0, 2.0, 3.0, 6.0, 10.0):
        for s in (1.0, -1.0):
            pts += _neighbours(s * v, dt, 2)
    # Dense near 0: every decade down to the smallest subnormal, and a fine linear grid.
    lo_exp = math.log10(sub)
    mags = np.logspace(lo_exp, 0.5, 400)
    pts += list(mags) + list(-mags)
    pts += list(np.linspace(-1e-3, 1e-3, 101))
    # Moderate values and the transition regions.
    pts += list(rng.uniform(-4, 4, 400))
    pts += list(rng.uniform(-40, 40, 300))
    wide = 750.0 if dtype == "float64" else 110.0
    pts += list(rng.uniform(-wide, wide, 200))
    # Log-uniform over the whole range, both signs.
    e = rng.uniform(lo_exp, math.log10(maxv), 300)
    pts += list(10.0**e * rng.choice([-1.0, 1.0], size=e.size))
    # Kinks: their float neighbours and a geometric grid on each side.
    act = actcli.get(name)
    full = act.bind(params)
    kinks = list(act.kink_points(full))
    roots: list[float] = []
    f, df = ELEMENTWISE[name]
    roots += _crossings(f, full) + _crossings(df, full)
    for k in kinks + roots:
        pts += _neighbours(k, dt, 8)
        scale = max(abs(k), 1.0)
        offs = np.logspace(-15 if dtype == "float64" else -7, -1, 60) * scale
        pts += list(k + offs) + list(k - offs)
    arr = np.array(pts, dtype=np.float64)
    with np.errstate(over="ignore"):
        arr = arr.astype(dt)
    # Order-preserving de-duplication keeps the file small; ±0 and NaN are kept explicitly.
    _, idx = np.unique(arr.view(np.uint32 if dt is np.float32 else np.uint64), return_index=True)
    return arr[np.sort(idx)], roots


def _elementwise_case(job: tuple[str, dict[str, Any], str]) -> dict[str, Any]:
    name, params, dtype = job
    x, roots = elementwise_points(name, params, dtype)
    f, df = ELEMENTWISE[name]
    full = actcli.get(name).bind(params)
    fwd = np.array([_eval(f, float(v), full) for v in x]).reshape(-1, 2)
    grad = np.array([_eval(df, float(v), full) for v in x]).reshape(-1, 2)
    return {
        "name": name,
        "params": params,
        "dtype": dtype,
        "roots": roots,
        "x": x,
        "fwd": fwd,
        "grad": grad,
    }


# --- softmax family and glu: rows ----------------------------------------------------------
def _rows(name: str, dtype: str) -> np.ndarray:
    dt = np.dtype(dtype).type
    big = 1e30 if dtype == "float64" else 1e6
    rng = np.random.default_rng(1234 + len(name) + (0 if dtype == "float32" else 99))
    rows: list[np.ndarray] = []
    n = 8
    inf, nan = math.inf, math.nan
    for scale in (1e-8, 0.5, 3.0, 30.0, 300.0, 800.0, 1e4, big):
        for _ in range(12):
            rows.append(rng.normal(size=n) * scale)
        rows.append(np.full(n, scale))  # a uniform row
    special = [
        [0, 0, 0, 0, 0, 0, 0, 0],
        [1, 1, 1, 1, 1, 1, 1, 1 - 2**-40],
        [5, 5, -inf, 3, 2, 1, 0, -1],
        [-inf, 0.5, -inf, -20, -300, -800, 2, 2],
        [-inf] * 8,
        [inf, 1, 2, 3, 4, 5, 6, 7],
        [inf, 1, inf, -inf, 4, 5, 6, 7],
        [nan, 1, 2, 3, 4, 5, 6, 7],
        [1e-300, -1e-300, 0, 5e-324, 0.1, 0.2, 0.3, 0.4],
        [700, 0, -700, 40, -40, 20, -20, 1],
        [1.5, -745, -746, -760, 0, 1.4999999, 1.5000001, 1.5],
        [-1e300, 1e300, 0, 1, 2, 3, 4, 5],
    ]
    rows += [np.array(r, dtype=np.float64) for r in special]
    with np.errstate(over="ignore"):
        return np.array(rows).astype(dt)


def _glu_pairs(dtype: str) -> np.ndarray:
    """Rows (a, b) of length 2: a from a fixed set of magnitudes, b from the elementwise set."""
    b, _ = elementwise_points("sigmoid", {}, dtype)
    rng = np.random.default_rng(77)
    a = rng.normal(size=b.size) * 10.0 ** rng.integers(-3, 4, size=b.size)
    a[:5] = [math.inf, -math.inf, math.nan, 0.0, -1.0]
    a[5:10] = [3.0, math.inf, -math.inf, 1e300 if dtype == "float64" else 1e30, -2.0]
    with np.errstate(over="ignore"):
        return np.stack([a, b.astype(np.float64)], axis=1).astype(dtype)


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


def _axis_ref(name: str, x: list[Any]) -> list[Any]:
    if name in ("softmax", "softmin"):
        y = _softmax_row(x, 1 if name == "softmax" else -1)
        return [mp.nan] * len(x) if y is None else y
    if name == "log_softmax":
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
    # glu
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
            out.append(a * _sig(_mp(float(b))))
    return out


def _axis_vjp(name: str, x: list[Any], g: list[Any]) -> list[Any]:
    if name in ("softmax", "softmin"):
        sign = 1 if name == "softmax" else -1
        y = _softmax_row(x, sign)
        if y is None:
            return [mp.nan] * len(x)
        # g_i - <g, y> = sum_j y_j (g_i - g_j) (as sum y = 1): no cancellation when y_i is
        # within 1e-60 of 1, which 60 digits would not resolve otherwise.
        return [
            sign * yi * mp.fsum(yj * (gi - gj) for gj, yj in zip(g, y, strict=True))
            for gi, yi in zip(g, y, strict=True)
        ]
    if name == "log_softmax":
        y = _softmax_row(x, 1)
        if y is None:
            return [mp.nan] * len(x)
        # g_i - y_i sum(g) = sum_j (y_j g_i - y_i g_j), for the same reason.
        return [
            mp.fsum(yj * gi - yi * gj for gj, yj in zip(g, y, strict=True))
            for gi, yi in zip(g, y, strict=True)
        ]
    h = len(x) // 2
    ga, gb = [], []
    for a, b, gi in zip(x[:h], x[h:], g, strict=True):
        if mp.isnan(b):
            ga.append(mp.nan)
            gb.append(mp.nan)
            continue
        if mp.isnan(a):
            # d/da = g·σ(b) does not involve a; d/db = g·a·σ'(b) is NaN.
            ga.append(gi * _sig(_mp(float(b))))
            gb.append(mp.nan)
            continue
        bb = _mp(float(b))
        ga.append(gi * _sig(bb))
        if mp.isinf(b):
            gb.append(MPF(0))
        elif mp.isinf(a):
            gb.append(a * gi)
        else:
            gb.append(gi * a * _sig_slope(bb))
    return ga + gb


def _axis_case(job: tuple[str, dict[str, Any], str]) -> dict[str, Any]:
    name, params, dtype = job
    x = _glu_pairs(dtype) if name == "glu" else _rows(name, dtype)
    n_out = x.shape[1] // 2 if name == "glu" else x.shape[1]
    xm = [[MPF(float(v)) if not math.isnan(v) else mp.nan for v in r] for r in x]
    fwd = np.array([[_to_dd(v) for v in _axis_ref(name, r)] for r in xm])
    # Gradients: g = ones (d/dx of the sum), a random upstream gradient, and for the softmax
    # family every one-hot row (the rows of the Jacobian).
    rng = np.random.default_rng(4321)
    gx_idx: list[int] = []
    gs: list[np.ndarray] = []
    for i in range(x.shape[0]):
        variants = [np.ones(n_out), rng.normal(size=n_out)]
        if name != "glu":
            variants += [np.eye(n_out)[k] for k in range(n_out)]
        for v in variants:
            gx_idx.append(i)
            gs.append(v)
    g = np.array(gs).astype(dtype)
    grad = np.array(
        [
            [_to_dd(v) for v in _axis_vjp(name, xm[i], [MPF(float(t)) for t in gr])]
            for i, gr in zip(gx_idx, g, strict=True)
        ]
    )
    return {
        "name": name,
        "params": params,
        "dtype": dtype,
        "roots": [],
        "x": x,
        "fwd": fwd,
        "gx": np.array(gx_idx, dtype=np.int32),
        "g": g,
        "grad": grad,
    }


def _case(job: tuple[str, dict[str, Any], str]) -> dict[str, Any]:
    return _axis_case(job) if job[0] in AXIS else _elementwise_case(job)


def jobs() -> list[tuple[str, dict[str, Any], str]]:
    missing = sorted(set(actcli.names()) - set(SETTINGS))
    if missing:
        raise SystemExit(f"add SETTINGS (and a reference function) for: {', '.join(missing)}")
    return [(n, p, d) for n in actcli.names() for p in SETTINGS[n] for d in DTYPES]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=multiprocessing.cpu_count())
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    todo = jobs()
    with multiprocessing.Pool(args.jobs) as pool:
        results = pool.map(_case, todo, chunksize=1)
    index = []
    arrays: dict[str, np.ndarray] = {}
    for i, r in enumerate(results):
        index.append({k: r[k] for k in ("name", "params", "dtype", "roots")})
        arrays[f"{i}.x"] = r["x"]
        for part in ("fwd", "grad"):
            arrays[f"{i}.{part}_hi"] = r[part][..., 0]
            # lo only matters in float64; in float32 it is dropped to keep the file small.
            lo = r[part][..., 1] if r["dtype"] == "float64" else np.zeros(0)
            arrays[f"{i}.{part}_lo"] = lo
        if "g" in r:
            arrays[f"{i}.gx"] = r["gx"]
            arrays[f"{i}.g"] = r["g"]
    arrays["index"] = np.array(json.dumps(index, sort_keys=True))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    # Written entry by entry with a fixed timestamp so that the file is reproducible.
    with zipfile.ZipFile(args.out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for key in sorted(arrays):
            info = zipfile.ZipInfo(key + ".npy", date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            with zf.open(info, "w") as fh:
                np.lib.format.write_array(fh, np.asarray(arrays[key]), allow_pickle=False)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB, {len(todo)} cases)")


if __name__ == "__main__":
    main()
