"""Numerical building blocks shared by the loss kernels (pure NumPy, float64).

The loss kernels compute in float64 whatever the input dtype (the engine rounds once to the
input's dtype), so a float32 loss is the float64 value correctly rounded, and the float64
kernels carry the one rounding that would cost accuracy (the difference ``x - t``) exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..activations._common import (
    Array,
    dd_div2,
    dd_mul,
    exp_dd,
    exp_neg_abs,
    expm1_dd,
    quiet,
    sigmoid_from,
    two_prod,
    two_sum,
)

__all__ = [
    "TORCH",
    "Array",
    "dd_add",
    "dd_div2",
    "dd_mul",
    "diff",
    "exp_dd",
    "expm1_dd",
    "log1p_dd",
    "log1p_exp_neg",
    "log_dd",
    "quiet",
    "scaled",
    "sigmoid",
    "softplus",
    "square",
    "two_prod",
    "two_sum",
    "uniform",
]

TORCH = "torch.nn.functional."

#: Beyond this magnitude Dekker's split overflows: products there are left rounded once.
_SPLIT_SAFE = 1e150


def diff(a: Array, b: Array) -> tuple[Array, Array]:
    """``a - b`` as an exact ``hi + lo`` pair (TwoSum); ``lo`` is 0 where ``hi`` is not finite."""
    hi, lo = two_sum(a, -b)
    return hi, np.where(np.isfinite(hi), lo, 0.0)


def square(hi: Array, lo: Array) -> tuple[Array, Array]:
    """``(hi + lo)²`` as a double-double (0.5 ulp before the last rounding); huge ``hi``: hi²."""
    safe = np.abs(hi) < _SPLIT_SAFE
    h = np.where(safe, hi, 0.0)
    p, pl = two_prod(h, h)
    pl = pl + 2.0 * h * lo
    return np.where(safe, p, hi * hi), np.where(safe, pl, 0.0)


def scaled(hi: Array, lo: Array, c: Any) -> tuple[Array, Array]:
    """``(hi + lo)·c`` as a double-double (``c`` a number or an array)."""
    c = np.asarray(c, dtype=np.float64)
    safe = (np.abs(hi) < _SPLIT_SAFE) & (np.abs(c) < _SPLIT_SAFE)
    h = np.where(safe, hi, 0.0)
    p, pl = two_prod(h, np.where(safe, c, 0.0))
    pl = pl + lo * c
    return np.where(safe, p, hi * c), np.where(safe, pl, 0.0)


def _finite_lo(hi: Array, lo: Array) -> tuple[Array, Array]:
    return hi, np.where(np.isfinite(hi) & np.isfinite(lo), lo, 0.0)


def log1p_dd(yh: Array, yl: Any = 0.0) -> tuple[Array, Array]:
    """log(1 + yh + yl) as a double-double with relative accuracy (about 2^-65), y > -1.

    One Newton step on np.log1p's value l: l + (y - expm1(l))/(1 + y), with expm1 in
    double-double (relative accuracy near 0, where y - expm1(l) is exact by Sterbenz).
    -inf at y = -1, +inf at +inf, NaN below -1 and at NaN.
    """
    lg = np.log1p(yh)
    mh, ml = expm1_dd(np.where(np.isfinite(lg), lg, 0.0))
    c = ((yh - mh) + (yl - ml)) / (1.0 + yh)
    return _finite_lo(lg, c)


def log_dd(v: Array, vl: Any = 0.0) -> tuple[Array, Array]:
    """log(v + vl) as a double-double, v > 0: through :func:`log1p_dd` of the exact v - 1 for
    v in (0.5, 2) (relative accuracy near v = 1), else a Newton step on np.log with exp in
    double-double (|log v| > 0.69 there, so its 2^-67 absolute error is relative too). Each
    element takes one of the two paths only."""
    v = np.asarray(v, dtype=np.float64)
    vl = np.broadcast_to(np.asarray(vl, dtype=np.float64), v.shape)
    hi = np.log(v)
    lo = np.zeros(v.shape)
    near = (v > 0.5) & (v < 2.0)
    if near.any():
        nh, nl = log1p_dd(v[near] - 1.0, vl[near])
        hi[near], lo[near] = nh, nl
    far = ~near & np.isfinite(hi)
    if far.any():
        vf, lf = v[far], hi[far]
        eh, el = exp_dd(lf)
        lo[far] = ((vf - eh) - el + vl[far]) / eh
    return hi, lo


def dd_add(ah: Any, al: Any, bh: Any, bl: Any) -> tuple[Array, Array]:
    """``(ah + al) + (bh + bl)`` as a double-double; ``lo`` is 0 where ``hi`` is not finite."""
    s, sl = two_sum(ah, bh)
    return _finite_lo(s, sl + (al + bl))


def log1p_exp_neg(a: Array) -> Array:
    """``log(1 + exp(-|a|))``, in (0, log 2]: exp's error plus log1p's."""
    return np.log1p(exp_neg_abs(a))


def softplus(z: Array) -> Array:
    """``log(1 + exp(z))`` without overflow: max(z, 0) + log(1 + exp(-|z|)); +inf at +inf."""
    return np.maximum(z, 0.0) + log1p_exp_neg(z)


def sigmoid(z: Array) -> Array:
    """``1/(1 + exp(-z))`` with full relative accuracy in both tails."""
    return sigmoid_from(z, exp_neg_abs(z))


def uniform(rng: np.random.Generator, shape: tuple[int, ...], lo: float, hi: float) -> Array:
    """Random numbers in [lo, hi) of ``shape`` (float64)."""
    return rng.uniform(lo, hi, size=shape)


def signs(rng: np.random.Generator, shape: tuple[int, ...]) -> Array:
    """Random ±1 of ``shape`` (float64): the targets of the margin losses."""
    return rng.choice(np.array([-1.0, 1.0]), size=shape)


def ones_like_input(x: Array, params: Mapping[str, Any]) -> Array:
    """``1`` of ``x``'s shape: the target of a plot against the input alone."""
    return np.ones_like(x)
