"""Second-derivative kernels: ``second(x, g, **params) = g * f''(x)`` for every elementwise family.

Each is the vector-Jacobian product of f' with upstream ``g`` (what a double backward through
``torch.autograd`` gives), declared as ``Kernels(second=...)`` in the family modules' records.
The smooth families' kernels are kept here so that their first-order kernels stay untouched
(the piecewise family's, all constants, live in ``piecewise.py``: that family loads nothing
more at start-up).

Accuracy: every smooth f'' is evaluated in double-double arithmetic from exact inputs
(``exp_dd``/``expm1_dd``, error-free products and sums) and rounded once at the end. exp_dd
is good to about 2^-67, which is not enough where f'' crosses zero (silu's at z = ±2.3994,
mish's at -2.2564 and 1.4906, the tanh GELU's at ±1.4185): within 0.01 of those roots the
Taylor series of f'' around the root (``_curvature_coeffs``, made by
``scripts/make_second_coefficients.py``) takes over. Where exp(-a) nears the subnormal range
(a > 700) it is computed as exp(64 ln 2 - a) and scaled by 2^-64 last, so results that are
normal keep full precision. Measured against 60-digit mpmath (``docs/ACCURACY.md``): at most
2 ulp in float64 (tanhshrink near the smallest normal; 1.5 elsewhere) and 0.5 ulp in float32.
Every kernel clamps its argument where f'' has long underflowed, so ±inf gives the limit (0)
and no lane forms ``inf * 0``; NaN gives NaN.

Kinks: PyTorch 2.13's double-backward values (measured; the table ``KINKS2`` in
``tests/accuracy/test_second.py``): 0 at every kink of the piecewise-linear functions (their f''
is 0 everywhere), 0 at x = 0 for elu/selu/celu (the ``x < 0`` branch is taken strictly),
hardswish 1/3 only on the open interval (-3, 3), softplus 0 where beta·x >= threshold,
softsign 0 at x = 0 (sign(0) = 0).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import _curvature_coeffs as C
from ._common import (
    Array,
    dd_add,
    dd_div2,
    dd_mul,
    exp_dd,
    expm1_dd,
    keep_nan,
    poly_dd,
    quiet,
    two_prod,
    two_sum,
)

DD = tuple[Array, Array]

#: 2·sqrt(2/π) and 2·sqrt(2/π)·0.044715 as double-doubles (mpmath, 60 digits): the tanh GELU
#: is x·σ(z) with z = C1·x + C3·x^3.
_C1 = (1.5957691216057308, -9.96930880911092e-17)
_C3 = (0.07135481627260025, -6.175149918155315e-19)
#: 1/√(2π) as a double-double (the same as ``_coeffs.INV_SQRT_2PI``, not imported from there so
#: that loading the smooth family does not load the GELU coefficient tables).
INV_SQRT_2PI = (0.3989422804014327, -2.49232720227773e-17)
#: Beyond these |arguments| every f'' below has underflowed to 0 (e^-800 is 0 in float64).
_EXP_CLAMP = 800.0
_MAX = float(np.finfo(np.float64).max)
_X_CLAMP = 1.0e4


def _finish(hi: Array, lo: Array, x: Array, g: Array, scale: Any = 1.0) -> Array:
    """g * (hi + lo)·scale: one rounding of the double-double (scale: a power of two, see
    :func:`_exp_shifted`), NaN where x is NaN."""
    r = hi + lo
    r *= scale
    r = np.where(np.isnan(x), np.nan, r)
    r *= g
    return r


#: ln 2 as a double-double; 64·ln2 shifts exp's argument out of the subnormal range.
_LN2 = (0.6931471805599453, 2.3190468138462996e-17)
_SHIFT = 64
_DEEP = -700.0


def _exp_shifted(yh: Array, yl: Any = 0.0) -> tuple[Array, Array, Array]:
    """exp(y) = (eh + el)·scale for y = yh + yl <= 0: below y = -700, where exp(y) nears the
    subnormal range and would lose relative accuracy, eh + el is exp(y + 64 ln2) and scale is
    2^-64 (multiplied in at the end, when the result is small but normal)."""
    deep = yh < _DEEP
    if not deep.any():
        eh, el = exp_dd(yh, yl)
        return eh, el, np.ones_like(yh)
    sh, err = two_sum(yh, np.where(deep, _SHIFT * _LN2[0], 0.0))
    sl = err + np.where(deep, _SHIFT * _LN2[1], 0.0) + yl
    eh, el = exp_dd(sh, sl)
    return eh, el, np.where(deep, 2.0**-_SHIFT, 1.0)


def _sig_slope(ah: Array, al: Any = 0.0) -> tuple[Array, Array, Array]:
    """σ'(a) = (h + lo)·scale = E/(1 + E)^2 with E = exp(-a), for a = ah + al >= 0 (the
    caller multiplies by ``scale`` last, see :func:`_exp_shifted`)."""
    eh, el, scale = _exp_shifted(-ah, -al)
    dh, dl = two_sum(1.0, eh)
    dl = dl + el
    qh, ql = dd_mul(dh, dl, dh, dl)
    h, lo = dd_div2(eh, el, qh, ql)
    return h, lo, scale


def _sig_curve(ah: Array, al: Any = 0.0) -> tuple[Array, Array, Array]:
    """E(1 - E)/(1 + E)^3 = (h + lo)·scale with E = exp(-a) (= -σ''(a) for a >= 0), for
    a = ah + al >= 0."""
    eh, el, scale = _exp_shifted(-ah, -al)
    mh, ml = expm1_dd(-ah, -al)
    dh, dl = two_sum(1.0, eh)
    dl = dl + el
    qh, ql = dd_mul(dh, dl, dh, dl)
    qh, ql = dd_mul(qh, ql, dh, dl)
    nh, nl = dd_mul(eh, el, -mh, -ml)
    h, lo = dd_div2(nh, nl, qh, ql)
    return h, lo, scale


def _tanh_half(ah: Array, al: Any = 0.0) -> DD:
    """tanh(a/2) = (1 - E)/(1 + E) with E = exp(-a), for a = ah + al >= 0."""
    eh, el = exp_dd(-ah, -al)
    mh, ml = expm1_dd(-ah, -al)
    dh, dl = two_sum(1.0, eh)
    return dd_div2(-mh, -ml, dh, dl + el)


def _scaled(x: Array, beta: float) -> DD:
    """beta·x as an exact double-double (x clamped to ±1e4/beta, where gates saturate).

    Dekker's split overflows above about 1e300: such x (only reachable when beta < 1e-296)
    are scaled by 2^-600 and beta by 2^600 first, and a huge beta (x is then clamped below
    1e-286) the other way round, which leaves the product unchanged."""
    lim = min(_X_CLAMP / beta, np.finfo(np.float64).max)
    xc = np.clip(x, -lim, lim)
    if beta == 1:
        return xc, np.zeros_like(xc)
    if abs(beta) > 1e290:
        return two_prod(xc * 2.0**600, beta * 2.0**-600)
    big = np.abs(xc) > 1e290
    if not big.any():
        return two_prod(xc, beta)
    zh, zl = two_prod(np.where(big, xc * 2.0**-600, xc), np.where(big, beta * 2.0**600, beta))
    return zh, zl


def _patch(
    v: DD, ah: Array, al: Any, root: tuple[float, float], series: tuple[float, ...], c1_lo: float
) -> DD:
    """``v`` with the lanes within ``C.WIDTH`` of ``root`` (of a = ah + al) replaced by the
    Taylor series there: exp_dd's 2^-67 would cost relative accuracy as f'' crosses zero."""
    near = np.abs(ah - root[0]) < C.WIDTH
    if not near.any():
        return v
    t = ah[near] - root[0]
    t = t + ((al[near] if np.ndim(al) else al) - root[1])
    h, lo = np.array(v[0], copy=True), np.array(v[1], copy=True)
    h[near], lo[near] = poly_dd(t, series, 0.0, c1_lo)
    return h, lo


def _abs_dd(h: Array, lo: Array) -> DD:
    s = np.where(h < 0, -1.0, 1.0)
    return h * s, lo * s


# --- sigmoid, logsigmoid, tanh, tanhshrink -------------------------------------------------------
@quiet
def sigmoid_second(x: Array, g: Array) -> Array:
    """σ''(x) = σ'(x)(1 - 2σ(x)) = -sign(x)·E(1 - E)/(1 + E)^3, E = exp(-|x|)."""
    a = np.minimum(np.abs(x), _EXP_CLAMP)
    h, lo, scale = _sig_curve(a)
    s = -np.sign(x)
    return _finish(h * s, lo * s, x, g, scale)


@quiet
def logsigmoid_second(x: Array, g: Array) -> Array:
    """-σ'(x) = -E/(1 + E)^2, E = exp(-|x|)."""
    a = np.minimum(np.abs(x), _EXP_CLAMP)
    h, lo, scale = _sig_slope(a)
    return _finish(-h, -lo, x, g, scale)


@quiet
def tanh_second(x: Array, g: Array) -> Array:
    """tanh''(x) = -2 tanh(x) sech^2(x) = -8 sign(x)·E(1 - E)/(1 + E)^3, E = exp(-2|x|)."""
    a = np.minimum(np.abs(x), _EXP_CLAMP)
    h, lo, scale = _sig_curve(2 * a)
    s = -8.0 * np.sign(x)
    return _finish(h * s, lo * s, x, g, scale)


@quiet
def tanhshrink_second(x: Array, g: Array) -> Array:
    """(x - tanh x)'' = 2 tanh(x) sech^2(x) = -tanh''(x)."""
    return tanh_second(x, -g)


# --- the ELU family and softplus -----------------------------------------------------------------
def _exp_branch(
    x: Array, g: Array, scale: float, alpha: float | None = None, exp2: int = 0
) -> Array:
    # scale·2^exp2·exp(x) (or exp(x/alpha)/alpha) for x < 0, 0 for x >= 0 (x = 0 included, as
    # PyTorch).
    xn = np.clip(x, -min(_EXP_CLAMP * (1.0 if alpha is None else alpha), _MAX), 0.0)
    if alpha is None:
        eh, el, shift = _exp_shifted(xn)
        h, lo = dd_mul(eh, el, scale, 0.0)
    else:
        # alpha beyond 2^900: x and alpha scaled by 2^-200 (Dekker's splits would overflow),
        # 1/alpha's 2^-200 applied last (an x scaled to 0 has x/alpha = 0 anyway)
        k = 2.0**-200 if alpha > 2.0**900 else 1.0
        ak, xk = alpha * k, xn * k
        q = xk / ak
        p, pl = two_prod(q, ak)
        ql = np.where(np.isfinite(q), ((xk - p) - pl) / ak, 0.0)
        eh, el, shift = _exp_shifted(q, ql)
        h, lo = dd_div2(eh, el, ak, 0.0)
        # a tiny alpha: e^(x/alpha)/alpha overflows to inf (no NaN from its low part)
        lo = np.where(np.isfinite(h), lo, 0.0) * k
        h = h * k
    r = np.where(x < 0, np.ldexp(h + lo, exp2) * shift if exp2 else (h + lo) * shift, 0.0)
    r = np.where(x == -np.inf, 0.0, r)  # the limit (the clamp above is finite times a scale)
    r = np.where(np.isnan(x), np.nan, r)
    r *= g
    return r


@quiet
def elu_second(x: Array, g: Array, *, alpha: float) -> Array:
    """alpha·exp(x) for x < 0, 0 for x >= 0. An alpha above 2^900 is applied as its mantissa
    and a power of two (the double-double product's split would overflow)."""
    if alpha > 2.0**900:
        m, e = math.frexp(alpha)
        return _exp_branch(x, g, m, exp2=e)
    return _exp_branch(x, g, alpha)


#: SELU's scale·alpha, rounded once in double as in its record (smooth.py).
_SELU_SA = 1.0507009873554804934193349852946 * 1.6732632423543772848170429916717


@quiet
def selu_second(x: Array, g: Array) -> Array:
    """scale·alpha·exp(x) for x < 0, 0 for x >= 0."""
    return _exp_branch(x, g, _SELU_SA)


@quiet
def celu_second(x: Array, g: Array, *, alpha: float) -> Array:
    """exp(x/alpha)/alpha for x < 0, 0 for x >= 0 (x/alpha carried exactly)."""
    return _exp_branch(x, g, 1.0, alpha)


@quiet
def _times_beta(h: Array, lo: Array, scale: Any, beta: float) -> tuple[Array, Array, Any]:
    """(h + lo)·scale·beta as a double-double times a power of two: a huge beta is split into
    beta·2^-600 (Dekker's split overflows above about 1e300) and 2^600 in the scale."""
    if abs(beta) > 1e290:
        h, lo = dd_mul(h, lo, beta * 2.0**-600, 0.0)
        return h, lo, scale * 2.0**600
    h, lo = dd_mul(h, lo, beta, 0.0)
    return h, lo, scale


def softplus_second(x: Array, g: Array, *, beta: float, threshold: float) -> Array:
    """beta·σ'(beta·x), 0 where beta·x >= threshold (PyTorch's double backward; its first
    derivative switches only where beta·x > threshold)."""
    zh, zl = _scaled(x, beta)
    ah, al = _abs_dd(zh, zl)
    ah = np.minimum(ah, _EXP_CLAMP)
    h, lo, scale = _sig_slope(ah, al)
    h, lo, scale = _times_beta(h, lo, scale, beta)
    with np.errstate(over="ignore"):  # beta·σ'(0) = beta/4 may exceed the range: +inf
        r = _finish(h, lo, x, np.ones_like(x), scale)
        r = np.where(x * beta >= threshold, 0.0, r)  # x·beta may overflow to ±inf: the right side
    return r * g


# --- swish, silu, mish ---------------------------------------------------------------------------
def _silu_curve(ah: Array, al: Array) -> tuple[Array, Array, Array]:
    """silu''(a) = (h + lo)·scale = σ'(a)·(2 - a·tanh(a/2)) (even in a), a = ah + al >= 0."""
    sh, sl, scale = _sig_slope(ah, al)
    th, tl = _tanh_half(ah, al)
    ph, pl = dd_mul(ah, al, th, tl)
    bh, bl = dd_add(2.0, 0.0, -ph, -pl)
    h, lo = dd_mul(sh, sl, bh, bl)
    return h, lo, scale


@quiet
def swish_second(x: Array, g: Array, *, beta: float) -> Array:
    """beta·silu''(beta·x), silu''(z) = σ'(z)(2 - z·tanh(z/2)); beta = 0: 0 (swish is x/2)."""
    if beta == 0:  # swish is x/2: f'' = 0
        return keep_nan(x, np.zeros_like(x * g))
    zh, zl = _scaled(x, beta)
    ah, al = _abs_dd(zh, zl)
    h, lo, scale = _silu_curve(ah, al)
    h, lo = _patch((h, lo), ah, al, C.SILU2_ROOT, C.SILU2_SERIES, C.SILU2_C1_LO)
    if beta != 1:
        h, lo, scale = _times_beta(h, lo, scale, beta)
    with np.errstate(over="ignore"):  # beta·silu''(0) = beta/2 may exceed the range: +inf
        return _finish(h, lo, x, g, scale)


@quiet
def silu_second(x: Array, g: Array) -> Array:
    """silu''(x) = σ'(x)(2 - x·tanh(x/2))."""
    return swish_second(x, g, beta=1.0)


def _poly_dd(u: DD, coeffs: tuple[float, ...]) -> DD:
    """sum c_k u^k (small integer c_k) in double-double by Horner's rule."""
    uh, ul = u
    rh, rl = np.full_like(uh, coeffs[-1]), np.zeros_like(uh)
    for c in reversed(coeffs[:-1]):
        rh, rl = dd_mul(rh, rl, uh, ul)
        rh, rl = dd_add(rh, rl, c, 0.0)
    return rh, rl


@quiet
def mish_second(x: Array, g: Array) -> Array:
    """mish''(x) = sech^2(sp)·σ·(2 + x·(1 - σ - 2σ·tanh(sp))), sp = softplus(x), σ = σ(x).

    In u = exp(-|x|), with everything a polynomial in u:
    x <= 0: 4u(1 + u)/(u^2 + 2u + 2)^2 · (2 + x(2 + 2u - 3u^2 - 2u^3)/((1 + u)(u^2 + 2u + 2)));
    x > 0: 4u^2(1 + u)/(2u^2 + 2u + 1)^2 · (2 + x(-2 - 3u + 2u^2 + 2u^3)/((1 + u)(2u^2 + 2u + 1))).
    """
    xc = np.clip(x, -_EXP_CLAMP, _EXP_CLAMP)
    uh, ul, scale = _exp_shifted(-np.abs(xc))
    u = (uh, ul)
    neg = xc <= 0
    one_u = dd_add(u[0], u[1], 1.0, 0.0)
    quad = _poly_dd(u, (2.0, 2.0, 1.0)), _poly_dd(u, (1.0, 2.0, 2.0))
    num = _poly_dd(u, (2.0, 2.0, -3.0, -2.0)), _poly_dd(u, (-2.0, -3.0, 2.0, 2.0))
    q = (np.where(neg, quad[0][0], quad[1][0]), np.where(neg, quad[0][1], quad[1][1]))
    n = (np.where(neg, num[0][0], num[1][0]), np.where(neg, num[0][1], num[1][1]))
    # w = n / ((1 + u)·q), h = 2 + x·w
    den = dd_mul(*one_u, *q)
    w = dd_div2(*n, *den)
    xw = dd_mul(xc, np.zeros_like(xc), *w)
    h = dd_add(*xw, 2.0, 0.0)
    # P = 4·u^k(1 + u)/q^2, k = 1 (x <= 0) or 2 (x > 0)
    uk = dd_mul(*u, *u)
    uk = (np.where(neg, u[0], uk[0]), np.where(neg, u[1], uk[1]))
    top = dd_mul(*uk, *one_u)
    q2 = dd_mul(*q, *q)
    p = dd_div2(4.0 * top[0], 4.0 * top[1], *q2)
    r = dd_mul(*p, *h)
    r = _patch(r, xc, 0.0, C.MISH2_0_ROOT, C.MISH2_0_SERIES, C.MISH2_0_C1_LO)
    r = _patch(r, xc, 0.0, C.MISH2_1_ROOT, C.MISH2_1_SERIES, C.MISH2_1_C1_LO)
    # u^2 (x > 0) is 0 wherever the shift applies, so the scale is the one of u (x < 0).
    return _finish(r[0], r[1], x, g, scale)


# --- gelu ----------------------------------------------------------------------------------------
@quiet
def gelu_erf_second(x: Array) -> tuple[Array, Array, Array]:
    """gelu''(x) = φ(x)(2 - x^2) with x^2 exact, exp(-x^2/2) in double-double."""
    a = np.minimum(np.abs(x), 40.0)  # φ(40) underflows
    p, pl = two_prod(a, a)
    bh, bl = two_sum(2.0, -p)
    bl = bl - pl
    eh, el, scale = _exp_shifted(-0.5 * p, -0.5 * pl)
    eh, el = dd_mul(eh, el, INV_SQRT_2PI[0], INV_SQRT_2PI[1])
    h, lo = dd_mul(eh, el, bh, bl)
    return h, lo, scale


@quiet
def gelu_tanh_second(x: Array) -> tuple[Array, Array, Array]:
    """σ'(z)·(2C1 + 12C3·x^2 - x·z'^2·tanh(z/2)), z = C1·x + C3·x^3, z' = C1 + 3C3·x^2
    (the bracket is even in x: computed at |x|)."""
    a = np.minimum(np.abs(x), _X_CLAMP)
    zero = np.zeros_like(a)
    s2 = two_prod(a, a)
    inner = dd_add(*dd_mul(*s2, *_C3), *_C1)  # C1 + C3 x^2
    z = dd_mul(a, zero, *inner)
    dz = dd_add(*dd_mul(*s2, 3 * _C3[0], 3 * _C3[1]), *_C1)  # z'
    t = _tanh_half(*z)
    k = dd_mul(*dd_mul(*dz, *dz), *dd_mul(a, zero, *t))
    c = dd_add(*dd_mul(*s2, 12 * _C3[0], 12 * _C3[1]), 2 * _C1[0], 2 * _C1[1])
    b = dd_add(*c, -k[0], -k[1])
    sh, sl, scale = _sig_slope(np.minimum(z[0], _EXP_CLAMP), z[1])
    r = dd_mul(sh, sl, *b)
    h, lo = _patch(r, a, 0.0, C.GELU_TANH2_ROOT, C.GELU_TANH2_SERIES, C.GELU_TANH2_C1_LO)
    return h, lo, scale


def gelu_second(x: Array, g: Array, *, approximate: str) -> Array:
    """Exact GELU: φ(x)(2 - x^2); tanh GELU: see :func:`gelu_tanh_second`."""
    h, lo, scale = gelu_erf_second(x) if approximate == "none" else gelu_tanh_second(x)
    return _finish(h, lo, x, g, scale)


# --- softsign, squareplus ------------------------------------------------------------------------
@quiet
def softsign_second(x: Array, g: Array) -> Array:
    """-2·sign(x)/(1 + |x|)^3; 0 at x = 0 (sign(0) = 0, as PyTorch's autograd through abs)."""
    a = np.abs(x)
    big = a > 1e100
    ac = np.where(big, 1.0, a)
    dh, dl = two_sum(1.0, ac)
    qh, ql = dd_mul(dh, dl, dh, dl)
    qh, ql = dd_mul(qh, ql, dh, dl)
    h, lo = dd_div2(2.0, 0.0, qh, ql)
    r = np.where(big, 2.0 / a / a / a, h + lo)
    r *= -np.sign(x)
    r = np.where(np.isnan(x), np.nan, r)
    return r * g


@quiet
def squareplus_second(x: Array, g: Array, *, b: float) -> Array:
    """b/(2(x^2 + b)^(3/2)) with x^2 + b and its square root in double-double; b beyond 2^600
    as f''(x 2^-300; b 2^-600) 2^-300 (x^2 + b and the splits would overflow)."""
    if b > 2.0**600:
        return _squareplus_second(x * 2.0**-300, b * 2.0**-600) * 2.0**-300 * g
    return _squareplus_second(x, b) * g


def _squareplus_second(x: Array, b: float) -> Array:
    a = np.abs(x)
    big = a > 1e100
    ac = np.where(big, 1.0, a)
    p, pl = two_prod(ac, ac)
    sh, sl = two_sum(p, b)
    sl = sl + pl
    r = np.sqrt(sh)
    rr, rrl = two_prod(r, r)
    rl = ((sh - rr) - rrl + sl) / (2 * r)
    # (b/2)/s, then divided by sqrt(s): no s^(3/2) that could under- or overflow.
    qh, ql = dd_div2(0.5 * b, 0.0, sh, sl)
    h, lo = dd_div2(qh, ql, r, rl)
    v = b / a / a
    far = (0.5 * b) / a / a / a * (1 + v) ** -1.5
    out = np.where(big, far, h + lo)
    return np.where(np.isnan(x), np.nan, out)
