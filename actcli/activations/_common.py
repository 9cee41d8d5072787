"""Numerical building blocks shared by the activation kernels (pure NumPy)."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.floating[Any]]

#: Beyond this magnitude every gate in this package (sigmoid, tanh, erfc) is exactly 0 or 1 in
#: float64, so ``x`` can be clamped there before it multiplies a gate: the product is unchanged
#: and ``-inf * 0`` (NaN) never happens.
GATE_SATURATION = 1.0e4


def keep_nan(x: Array, r: Array) -> Array:
    """Return ``r`` with NaN wherever ``x`` is NaN (a gradient at NaN is NaN)."""
    nan = np.isnan(x)
    if nan.any():
        r = np.array(r, copy=True) if not r.flags.writeable else r
        r[nan] = np.nan
    return r


def gate_input(x: Array) -> Array:
    """``x`` clamped from below where a gate that vanishes at -inf is already exactly 0."""
    return np.maximum(x, -GATE_SATURATION)


def exp_neg_abs(x: Array) -> Array:
    """``exp(-|x|)``: in (0, 1], never overflows; the stable core of sigmoid and friends."""
    return np.exp(-np.abs(x))


def sigmoid_from(x: Array, e: Array) -> Array:
    """sigmoid(x) given ``e = exp(-|x|)``: no overflow and full relative accuracy in both tails."""
    d = 1.0 + e
    return np.where(x >= 0, 1.0 / d, e / d)


def sigmoid_slope_from(e: Array) -> Array:
    """sigmoid(x)(1 - sigmoid(x)) = e / (1 + e)^2 given ``e = exp(-|x|)``; accurate in the tails."""
    d = 1.0 + e
    return (e / d) / d


def two_sum(a: Any, b: Any) -> tuple[Array, Array]:
    """``a + b`` as an exact unevaluated sum ``hi + lo`` (Knuth's TwoSum)."""
    hi = a + b
    bp = hi - a
    lo = (a - (hi - bp)) + (b - bp)
    return hi, lo


_SPLITTER = 134217729.0  # 2^27 + 1


def split(a: Any) -> tuple[Any, Any]:
    """Veltkamp's split of ``a`` into two halves of 26 bits whose products are exact."""
    c = _SPLITTER * a
    hi = c - (c - a)
    return hi, a - hi


def two_prod(a: Any, b: Any) -> tuple[Array, Array]:
    """``a * b`` as an exact unevaluated sum ``hi + lo`` (Dekker; |a*b| < 2^996, no overflow)."""
    p = a * b
    ah, al = split(a)
    bh, bl = split(b)
    lo = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    return p, lo


def dd_div(ah: Any, al: Any, bh: Any, bl: Any) -> Array:
    """``(ah + al) / (bh + bl)`` rounded once more: about 0.5 ulp plus the inputs' errors."""
    q = ah / bh
    p, pe = two_prod(q, bh)
    return q + (((ah - p) - pe) + al - q * bl) / bh


def poly(t: Array, coeffs: Any) -> Array:
    """sum c_k t^k by Horner's rule."""
    acc = np.full_like(t, coeffs[-1])
    for c in reversed(coeffs[:-1]):
        acc = acc * t + c
    return acc


def root_patch(
    out: Array, zh: Array, zl: Any, root: tuple[float, float], coeffs: Any, width: float
) -> Array:
    """Overwrite ``out`` near a zero crossing with a series in ``t = (zh - r_hi) + (zl - r_lo)``.

    A closed form of f' cancels near its root; the Taylor series around the root (stored as a
    double-double) keeps full relative accuracy there. Only the elements within ``width`` of
    the root are touched.
    """
    near = np.abs(zh - root[0]) < width
    if near.any():
        t = zh[near] - root[0]  # exact (Sterbenz)
        zl_near = zl[near] if np.ndim(zl) else zl
        t = t + (zl_near - root[1])
        out = np.array(out, copy=True) if not out.flags.writeable else out
        out[near] = poly(t, coeffs)
    return out


def two_diff(a: Array, b: Array) -> tuple[Array, Array]:
    """``a - b`` as an unevaluated sum ``hi + lo`` that is exact (Knuth's TwoSum)."""
    hi = a - b
    bp = hi - a
    lo = (a - (hi - bp)) - (b + bp)
    return hi, lo


def channel_weight(weight: Any, x: Array) -> Any:
    """PReLU's weight shaped to broadcast along axis 1 (PyTorch's channel axis) of ``x``."""
    if np.ndim(weight) == 0:
        return weight
    w = np.asarray(weight, dtype=x.dtype)
    if w.size == 1:
        return w.reshape(())
    channels = x.shape[1] if x.ndim >= 2 else 1
    if w.size != channels:
        from ..errors import InputError

        raise InputError(
            f"prelu weight has {w.size} values but the input has {channels} channel(s) "
            "along axis 1; give one weight or one per channel"
        )
    return w.reshape((-1,) + (1,) * (x.ndim - 2))
