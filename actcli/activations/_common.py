"""Numerical building blocks shared by the activation kernels (pure NumPy)."""

from __future__ import annotations

import functools
import inspect
import math
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.floating[Any]]

#: Beyond this magnitude every gate in this package (sigmoid, tanh, erfc) is exactly 0 or 1 in
#: float64, so ``x`` can be clamped there before it multiplies a gate: the product is unchanged
#: and ``-inf * 0`` (NaN) never happens.
GATE_SATURATION = 1.0e4


_F = TypeVar("_F", bound=Callable[..., Any])


def quiet(fn: _F) -> _F:
    """Run a kernel with NumPy's floating-point warnings off.

    The kernels form inf and NaN on purpose in lanes that a final ``np.where`` replaces (the
    error-free transformations overflow for huge inputs, for instance); the accuracy suite
    checks the values that come out. (Kernels run on the engine's 64K-element chunks, whose
    temporaries stay on the heap once the CLI has opted in with ``engine.tune_allocator``.)
    """

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with np.errstate(all="ignore"):
            return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def returning(into: Callable[..., None]) -> Callable[..., Array]:
    """The usual kernel (it allocates its result) around ``into(*arrays, out, **params)``.

    Hot kernels are written once, as ``into`` functions that fill ``out``; the returned kernel
    carries that ``into`` as an attribute, so the engine can write large inputs chunk by chunk
    straight into the result (see ``engine._run``), with no temporary and no copy.
    """

    def kernel(*arrays: Array, **params: Any) -> Array:
        out = np.empty_like(arrays[0])
        into(*arrays, out, **params)
        return out

    sig = inspect.signature(into)
    kernel.__signature__ = sig.replace(  # type: ignore[attr-defined]
        parameters=[p for p in sig.parameters.values() if p.name != "out"]
    )
    kernel.__name__ = kernel.__qualname__ = into.__name__.removesuffix("_into")
    kernel.into = into  # type: ignore[attr-defined]
    return kernel


def keep_nan(x: Array, r: Array) -> Array:
    """Return ``r`` with NaN wherever ``x`` is NaN (a gradient at NaN is NaN)."""
    nan = np.isnan(x)
    if nan.any():
        r = np.array(r, copy=True) if not r.flags.writeable else r
        r[nan] = np.nan
    return r


def exp_neg_abs(x: Array) -> Array:
    """``exp(-|x|)``: in (0, 1], never overflows; the stable core of sigmoid and friends."""
    return np.exp(-np.abs(x))


def sigmoid_from(x: Array, e: Array) -> Array:
    """sigmoid(x) given ``e = exp(-|x|)``: no overflow and full relative accuracy in both tails.

    1/(1 + e) or e/(1 + e) with 1 + e carried exactly: exp's error plus one rounding. (Used by
    the losses' logistic terms.)
    """
    dh = 1.0 + e
    dl = e - (dh - 1.0)
    return dd_div(np.where(x >= 0, 1.0, e), 0.0, dh, dl)


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


def row_sum(h: Array, lo: Array) -> tuple[Array, Array]:
    """Sum along the last axis of ``h + lo`` as a double-double (pairwise TwoSum)."""
    while h.shape[-1] > 1:
        if h.shape[-1] % 2:
            pad = [(0, 0)] * (h.ndim - 1) + [(0, 1)]
            h, lo = np.pad(h, pad), np.pad(lo, pad)
        sh, sl = two_sum(h[..., 0::2], h[..., 1::2])
        h, lo = sh, sl + (lo[..., 0::2] + lo[..., 1::2])
    return h, lo


def dd_add(ah: Any, al: Any, bh: Any, bl: Any) -> tuple[Array, Array]:
    """``(ah + al) + (bh + bl)`` as a double-double."""
    s, sl = two_sum(ah, bh)
    return s, sl + (al + bl)


def dd_mul(ah: Any, al: Any, bh: Any, bl: Any) -> tuple[Array, Array]:
    """``(ah + al) * (bh + bl)`` as a double-double."""
    p, pl = two_prod(ah, bh)
    return p, pl + (ah * bl + al * bh)


def dd_div2(ah: Any, al: Any, bh: Any, bl: Any) -> tuple[Array, Array]:
    """``(ah + al) / (bh + bl)`` as a double-double (to about 2^-100 relative)."""
    q = ah / bh
    p, pe = two_prod(q, bh)
    return q, (((ah - p) - pe) + al - q * bl) / bh


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


def poly_dd(u: Array, coeffs: Any, c0_lo: float, c1_lo: float) -> tuple[Array, Array]:
    """sum c_k u^k as a double-double: Horner in double, the last two steps in double-double.

    ``c0_lo`` and ``c1_lo`` are the low parts of the first two coefficients.
    """
    rest = poly(u, coeffs[2:]) if len(coeffs) > 2 else np.zeros_like(u)
    ah, al = two_prod(u, rest)
    bh, bl = two_sum(coeffs[1], ah)
    bl = bl + (al + c1_lo)
    ph, pl = dd_mul(u, 0.0, bh, bl)
    rh, rl = two_sum(coeffs[0], ph)
    return rh, rl + (pl + c0_lo)


_EXP_COEFFS = tuple(1.0 / math.factorial(k) for k in range(2, 11))


@functools.cache
def _exp_tables() -> tuple[tuple[float, float, float], Array, Array]:
    """ln2/32 in three parts and the 2^(j/32) table, split into high and low arrays.

    Loaded at the first call: the piecewise family imports this module but needs no table.
    """
    from ._coeffs import EXP_LN2_32, EXP_TABLE

    hi = np.array([t[0] for t in EXP_TABLE])
    lo = np.array([t[1] for t in EXP_TABLE])
    return EXP_LN2_32, hi, lo


def _pow2(m: npt.NDArray[np.int64]) -> Array:
    """2^m for integer-valued int64 m in [-1022, 1023], built from its bits (no ldexp)."""
    return ((m + 1023) << 52).view(np.float64)


def exp_dd(ah: Array, al: Any = 0.0) -> tuple[Array, Array]:
    """exp(ah + al) as a double-double, to about 2^-67 relative (for ah <= 709).

    Table-driven: ah + al = (32m + j)·ln2/32 + r with |r| <= ln2/64, exp(r) by its Taylor
    series with the leading terms in double-double, 2^(j/32) from a double-double table.
    Below -745 the result is 0; NaN gives NaN.
    """
    ln2_32, table_hi, table_lo = _exp_tables()
    a = np.clip(ah, -800.0, 710.0)
    k = np.rint(a * (1.0 / ln2_32[0]))
    k = np.where(np.isnan(k), 0.0, k)
    rh, rl = two_sum(a - k * ln2_32[0], -k * ln2_32[1])
    rl = rl + (al - k * ln2_32[2])
    q = poly(rh, _EXP_COEFFS)
    sh, sl = two_sum(rh, rh * rh * q + rl * (1 + rh))
    eh, el = two_sum(1.0, sh)
    el = el + sl
    ki = k.astype(np.int64)
    j = ki & 31
    m = (ki - j) >> 5
    ph, pl = dd_mul(np.take(table_hi, j), np.take(table_lo, j), eh, el)
    # Times 2^m in two exact steps (m can be below -1022 when the result is subnormal).
    m1 = m >> 1
    s1, s2 = _pow2(m1), _pow2(m - m1)
    ph = (ph * s1) * s2
    pl = (pl * s1) * s2
    nan = np.isnan(ah)
    return np.where(nan, ah, ph), np.where(nan, 0.0, pl)


def expm1_dd(ah: Array, al: Any = 0.0) -> tuple[Array, Array]:
    """exp(ah + al) - 1 as a double-double with relative accuracy (for -1 < ah < 1)."""
    small = np.abs(ah) < 0.01
    # Small arguments: the Taylor series directly (relative accuracy down to 0).
    q = poly(ah, _EXP_COEFFS)
    sh, sl = two_sum(ah, ah * ah * q + al * (1 + ah))
    # Otherwise exp - 1, which is at least 0.01 in size.
    eh, el = exp_dd(ah, al)
    mh, ml = two_sum(eh, -1.0)
    return np.where(small, sh, mh), np.where(small, sl, ml + el)


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
    # float64: the kernel's slope input (a float32 result is x times it, rounded once).
    w = np.asarray(weight, dtype=np.float64)
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
