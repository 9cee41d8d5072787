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
    """Phi(x) = erfc(w)/2, w = -x/sqrt 2, and x phi(x) (x^2 is exact for a float32 x)."""
    big = np.minimum(np.abs(x), 40.0)  # x phi(x) is 0 in float64 beyond; -inf * 0 avoided
    xphi = np.copysign(big, x) * np.exp(-0.5 * big * big) / np.sqrt(2.0 * np.pi)
    return _phi(x, np.zeros_like(x)), xphi


def _phi(zh: F64, zl: F64) -> F64:
    """Phi(z) = erfc(w)/2 for z = zh + zl (|zl| <= ulp(zh)/2; zh +-inf gives 1 or 0).

    w = -z/sqrt 2 is carried as a pair wh + wl (Dekker's product): rounding it alone would cost
    a relative error of z^2 2^-53 in the negative tail (1.5e-14 at z = -11). For z < 0 erfc(w)
    is erfcx(wh) e^-(w^2) (erfcx barely feels wl), w^2 = wh^2 + 2 wh wl exactly to first order
    (SciPy's erfc itself rounds w^2, 2e-14 at z = -20); for z >= 0 (erfc in [1, 2]) it is
    erfc(wh) plus its first-order term in wl."""
    from scipy.special import erfc, erfcx  # only for gelu and laplace

    with np.errstate(invalid="ignore", over="ignore"):  # +-inf: the pairs are NaN, unused
        wh, wl = two_prod(-zh, _RSQRT2[0])
        wh, wl = two_sum(wh, wl - (zh * _RSQRT2[1] + zl * _RSQRT2[0]))
        sq, sq_lo = two_prod(wh, wh)
        tail = erfcx(wh) * np.exp(-sq) * (1.0 - (sq_lo + 2.0 * wh * wl))
        head = erfc(wh) - 2.0 * _RSQRT_PI * np.exp(-sq) * wl
    finite = np.isfinite(zh)
    erfc_w = np.where(zh < 0, np.where(finite, tail, 0.0), np.where(finite, head, 2.0))
    return np.asarray(np.where(np.isnan(zh), zh, erfc_w / 2.0), dtype=np.float64)


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


# --- laplace (at its defaults) -----------------------------------------------------------------
#: laplace's default mu and sigma (the record's Param defaults).
_LAPLACE_MU, _LAPLACE_SIGMA = 0.707107, 0.282095


def _laplace_z(x: F64) -> tuple[F64, F64]:
    """z = (x - mu)/sigma as a pair zh + zl: x - mu exactly (TwoSum), then the quotient and
    its remainder (exact by Dekker's product), so no rounding of z reaches e^(-z^2/2)."""
    with np.errstate(invalid="ignore"):  # +-inf: the low parts are NaN, unused
        dh, dl = two_sum(x, -_LAPLACE_MU)
        zh = dh / _LAPLACE_SIGMA
        p, pe = two_prod(zh, _LAPLACE_SIGMA)
        zl = (((dh - p) - pe) + dl) / _LAPLACE_SIGMA
    return np.asarray(zh, dtype=np.float64), np.where(np.isfinite(zh), zl, 0.0).astype(np.float64)


def laplace(x: F64) -> F64:
    """Phi((x - mu)/sigma) at the defaults: 0 at -inf, 1 at +inf."""
    return _phi(*_laplace_z(x))


def laplace_slope(x: F64) -> F64:
    """phi(z)/sigma = e^(-z^2/2)/(sigma sqrt(2 pi)), z^2 = zh^2 + 2 zh zl to first order
    (zh^2 exact by Dekker's product); 0 at +-inf."""
    zh, zl = _laplace_z(x)
    z = np.where(np.isfinite(zh), np.clip(zh, -60.0, 60.0), 60.0)  # e^-1800 = 0 beyond
    with np.errstate(under="ignore"):
        sq, sq_lo = two_prod(z, z)
        e = np.exp(-0.5 * sq) * (1.0 - (0.5 * sq_lo + z * zl))
    y = e / (_LAPLACE_SIGMA * np.sqrt(2.0 * np.pi))
    return np.asarray(np.where(np.isnan(x), x, y), dtype=np.float64)


# --- tanhshrink --------------------------------------------------------------------------------
#: Below this |x| tanhshrink is its Taylor series (x - tanh x cancels by up to 3.3x at it).
_TANHSHRINK_SERIES = 1.2


@functools.cache
def _tanhshrink_coefficients() -> tuple[float, ...]:
    """x - tanh(x) = x^3 (c0 + c1 x^2 + c2 x^4 + ...), from tanh's Bernoulli series: 2^2n
    (2^2n - 1) B_2n / (2n)! for x^(2n-1) (n >= 2), 90 terms: truncation below 1e-19 relative
    at |x| = 1.2 (the ratio of terms tends to (1.2 2/pi)^2 = 0.58)."""
    import mpmath as mp

    with mp.workdps(40):
        return tuple(
            float(
                -(mp.mpf(4) ** n) * (mp.mpf(4) ** n - 1) * mp.bernoulli(2 * n) / mp.factorial(2 * n)
            )
            for n in range(2, 92)
        )


def tanhshrink(x: F64) -> F64:
    """x - tanh(x): its Taylor series below |x| = 1.2 (Horner in x^2, no cancellation), the
    plain difference above (cancelling by at most 3.3x); +-inf at +-inf."""
    small = np.abs(x) < _TANHSHRINK_SERIES
    xs = np.where(small, x, 0.0)
    x2 = xs * xs
    p = np.zeros_like(xs)
    for c in reversed(_tanhshrink_coefficients()):
        p = p * x2 + c
    with np.errstate(invalid="ignore", under="ignore"):
        series = xs * x2 * p
        plain = x - np.tanh(x)
    return np.asarray(np.where(small, series, plain), dtype=np.float64)


def tanhshrink_slope(x: F64) -> F64:
    """tanh(x)^2 (no cancellation); 1 at +-inf."""
    with np.errstate(under="ignore"):
        t = np.tanh(x)
        return np.asarray(t * t, dtype=np.float64)


# --- piecewise (at their defaults) -------------------------------------------------------------
def hardsigmoid(x: F64) -> F64:
    """(x + 3)/6 clipped to [0, 1] (two roundings)."""
    y = np.where(x <= -3.0, 0.0, np.where(x >= 3.0, 1.0, (x + 3.0) / 6.0))
    return np.asarray(np.where(np.isnan(x), x, y), dtype=np.float64)


def hardsigmoid_slope(x: F64) -> F64:
    """1/6 on (-3, 3), else 0 (the record's convention at +-3)."""
    y = np.where((x > -3.0) & (x < 3.0), 1.0 / 6.0, 0.0)
    return np.asarray(np.where(np.isnan(x), x, y), dtype=np.float64)


def hardswish(x: F64) -> F64:
    """x (x + 3)/6 on (-3, 3), 0 below, x above (three roundings)."""
    with np.errstate(invalid="ignore", over="ignore"):
        mid = x * (x + 3.0) / 6.0
    y = np.where(x <= -3.0, 0.0, np.where(x >= 3.0, x, mid))
    return np.asarray(np.where(np.isnan(x), x, y), dtype=np.float64)


def hardswish_slope(x: F64) -> F64:
    """(2x + 3)/6 on (-3, 3) (2x + 3 is exact near its root -3/2), 0 at x <= -3, 1 at x >= 3
    (the record's convention)."""
    with np.errstate(invalid="ignore", over="ignore"):
        mid = (2.0 * x + 3.0) / 6.0
    y = np.where(x <= -3.0, 0.0, np.where(x >= 3.0, 1.0, mid))
    return np.asarray(np.where(np.isnan(x), x, y), dtype=np.float64)


#: leaky_relu's default negative_slope.
_LEAKY_SLOPE = 0.01


def leaky_relu(x: F64) -> F64:
    """x for x > 0, else 0.01 x (one rounding; signed zeros kept)."""
    with np.errstate(under="ignore"):
        y = np.where(x > 0.0, x, _LEAKY_SLOPE * x)
    return np.asarray(y, dtype=np.float64)


def leaky_relu_slope(x: F64) -> F64:
    """1 for x > 0, else 0.01 (0.01 at 0, PyTorch's convention)."""
    y = np.where(x > 0.0, 1.0, _LEAKY_SLOPE)
    return np.asarray(np.where(np.isnan(x), x, y), dtype=np.float64)
