"""Float64 references for the records' ``reference64`` (:class:`actcli.records.Reference64`):
vectorised f and f' within 2e-15 relative (measured <= 1.1e-15 on normal results, most near
1e-16), against which ``scripts/exhaustive_f32.py`` scans every float32 input. Formulas
without cancellation, written independently of the kernels they judge; where one would cancel
(next to a zero crossing of f'), a Taylor series from mpmath takes over. SciPy and mpmath (the
``test`` extra) are imported inside the calls that need them. Never used by the kernels, the
engine or a command.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from ._common import exp_neg_abs, two_prod, two_sum

F64 = npt.NDArray[np.float64]
#: A root of f' as a float64 pair and the Taylor coefficients of f' there.
_Series = tuple[float, float, tuple[float, ...]]


def sigmoid(x: F64) -> F64:
    """1/(1 + e) or e/(1 + e), e = e^-|x| (no overflow, full relative accuracy in both tails)."""
    e = exp_neg_abs(x)
    return np.asarray(np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)), dtype=np.float64)


def sigmoid_slope(x: F64) -> F64:
    """sigmoid'(x) = e / (1 + e)^2, e = e^-|x| (no cancellation)."""
    e = exp_neg_abs(x)
    return np.asarray(e / ((1.0 + e) * (1.0 + e)), dtype=np.float64)


def exponential(x: F64) -> F64:
    """e^x (also its derivative): NumPy's exp, +inf beyond 709.78."""
    with np.errstate(over="ignore"):
        return np.asarray(np.exp(x), dtype=np.float64)


def silu(x: F64) -> F64:
    """x sigmoid(x); -0 at x = -inf (the limit)."""
    with np.errstate(invalid="ignore"):  # -inf * 0: NaN, replaced below
        y = x * sigmoid(x)
    return np.asarray(np.where(np.isneginf(x), 0.0, y), dtype=np.float64)


def _root_series(slope: Callable[[Any], Any], guess: float, terms: int) -> _Series:
    """The root x0 of ``slope`` (an mpmath function) near ``guess`` as a float64 pair, and the
    Taylor coefficients of ``slope`` at x0, from mpmath (40 digits)."""
    import mpmath as mp  # a test dependency: only the references need it

    with mp.workdps(40):
        x0 = mp.findroot(slope, guess)
        x0h = float(x0)
        return x0h, float(x0 - x0h), tuple(float(c) for c in mp.taylor(slope, x0, terms))


def _near_root(x: F64, series: _Series, width: float, far: F64) -> F64:
    """``far``, but within ``width`` of the root the Taylor series there, d = x - x0 as a pair
    (x - x0h is exact near x0, Sterbenz): no cancellation where f' crosses zero."""
    x0h, x0l, coef = series
    d = (x - x0h) - x0l
    near = np.abs(d) < width
    dn = np.where(near, d, 0.0)
    p = np.zeros_like(dn)
    for c in reversed(coef[1:]):
        p = p * dn + c
    return np.asarray(np.where(near, dn * p, far), dtype=np.float64)


@functools.cache
def _silu_series() -> _Series:
    """silu' around its root x0 = -1.2785 (18 terms: truncation below 2^-45 relative)."""
    import mpmath as mp

    def slope(x: Any) -> Any:
        s = 1 / (1 + mp.exp(-x))
        return s * (1 + x * (1 - s))

    return _root_series(slope, -1.2785, 18)


def silu_slope(x: F64) -> F64:
    """silu'(x) = s (1 + x (1 - s)) (1 - s = e / (1 + e) or 1 / (1 + e), e = e^-|x|: no
    cancellation), and within 1/4 of the root (where 1 + x (1 - s) cancels) its Taylor series
    there (1.1e-15 relative at worst, just outside it)."""
    e = exp_neg_abs(x)
    s = np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    t = np.where(x >= 0, e / (1.0 + e), 1.0 / (1.0 + e))
    with np.errstate(invalid="ignore", over="ignore"):
        y = s * (1.0 + x * t)
    y = np.where(np.isposinf(x), 1.0, np.where(np.isneginf(x), 0.0, y))
    return _near_root(x, _silu_series(), 0.25, y)


#: 1/sqrt(2) as a float64 pair (hi + lo), and 1/sqrt(pi).
_RSQRT2 = (0.7071067811865476, -4.833646656726457e-17)
_RSQRT_PI = 0.5641895835477563


def _phi_parts(x: F64) -> tuple[F64, F64]:
    """Phi(x) = erfc(w)/2, w = -x/sqrt 2, and x phi(x) (x^2 is exact for a float32 x).

    w is carried as a pair wh + wl (Dekker's product): rounding it alone would cost a relative
    error of x^2 2^-53 in the negative tail (1.5e-14 at x = -11). For x < 0 erfc(w) is
    erfcx(wh) e^-(w^2) (erfcx barely feels wl), w^2 = wh^2 + 2 wh wl exactly to first order
    (SciPy's erfc itself rounds w^2, 2e-14 at x = -20); for x >= 0 (erfc in [1, 2]) it is
    erfc(wh) plus its first-order term in wl."""
    from scipy.special import erfc, erfcx  # only for gelu

    with np.errstate(invalid="ignore", over="ignore"):  # +-inf: the pairs are NaN, unused
        wh, wl = two_prod(-x, _RSQRT2[0])
        wh, wl = two_sum(wh, wl - x * _RSQRT2[1])
        sq, sq_lo = two_prod(wh, wh)
        tail = erfcx(wh) * np.exp(-sq) * (1.0 - (sq_lo + 2.0 * wh * wl))
        head = erfc(wh) - 2.0 * _RSQRT_PI * np.exp(-sq) * wl
    finite = np.isfinite(x)
    erfc_w = np.where(x < 0, np.where(finite, tail, 0.0), np.where(finite, head, 2.0))
    big = np.minimum(np.abs(x), 40.0)  # x phi(x) is 0 in float64 beyond; -inf * 0 avoided
    xphi = np.copysign(big, x) * np.exp(-0.5 * big * big) / np.sqrt(2.0 * np.pi)
    return np.asarray(np.where(np.isnan(x), x, erfc_w / 2.0), dtype=np.float64), xphi


def gelu(x: F64) -> F64:
    """x Phi(x); -0 at x = -inf (the limit)."""
    phi, _ = _phi_parts(x)
    with np.errstate(invalid="ignore"):  # -inf * 0: NaN, replaced below
        y = x * phi
    return np.asarray(np.where(np.isneginf(x), -0.0, y), dtype=np.float64)


@functools.cache
def _gelu_series() -> _Series:
    """gelu' around its root x0 = -0.7518 (24 terms: truncation below 1e-19 at |d| = 1/2)."""
    import mpmath as mp

    return _root_series(lambda t: mp.ncdf(t) + t * mp.npdf(t), -0.7518, 24)


def gelu_slope(x: F64) -> F64:
    """gelu'(x) = Phi(x) + x phi(x); within 1/2 of its zero crossing (-0.7518), where the sum
    cancels (by a factor up to 2.7 at the window's edges, more inside), the Taylor series there."""
    phi, xphi = _phi_parts(x)
    return _near_root(x, _gelu_series(), 0.5, np.where(np.isnan(x), x, phi + xphi))
