"""GELU (exact, through erfc, and its tanh approximation), softsign, tanhshrink and squareplus.

Every float64 kernel is written so that no intermediate overflows or forms ``inf - inf`` or
``inf * 0``; the ``*32`` kernels serve float16/float32 input (see ``Activation.forward32``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..registry import Activation, Param, register
from ._coeffs import (
    ERFCX_ASYMPTOTIC,
    ERFCX_PIECES,
    GELU_C1_LO,
    GELU_ROOT,
    GELU_SERIES,
    GELU_TANH_C1_LO,
    GELU_TANH_ROOT,
    GELU_TANH_SERIES,
    GELU_TANH_WIDTH,
    GELU_WIDTH,
    INV_SQRT_2PI,
    INV_SQRT_PI,
    TANHSHRINK_PIECES,
)
from ._common import (
    GATE_SATURATION,
    Array,
    dd_add,
    dd_div,
    dd_div2,
    dd_mul,
    poly,
    poly_dd,
    quiet,
    root_patch,
    two_prod,
    two_sum,
)
from ._gates import (
    _LN2_HI,
    _LN2_LO,
    _TAIL_SHIFT,
    _gate_slope,
    _x_sigmoid,
)

TORCH = "torch.nn.functional."
# --- gelu ----------------------------------------------------------------------------------------
_SQRT_HALF = 0.7071067811865476
_TANH_BETA = 0.7978845608028654  # sqrt(2/pi), as PyTorch's kBeta
_TANH_KAPPA = 0.044715
#: 2·sqrt(2/pi) and 0.044715 as double-doubles (from mpmath), for tanh-GELU's argument.
_TWO_BETA_DD = (1.5957691216057308, -9.96930880911092e-17)
_KAPPA_DD = (0.044715, 2.1960211427085595e-18)
_GELU_SATURATION = 40.0  # Φ(-40) is below the float64 range, Φ(40) rounds to 1


def _erfcx(z: Array) -> tuple[Array, Array]:
    """exp(z^2)·erfc(z) for z >= 0 to about an ulp (SciPy's is off by up to 7 ulp).

    Chebyshev fits on [0, 16] (scripts/make_kernel_coefficients.py), the asymptotic series
    beyond.
    """
    out = np.empty_like(z)
    out_lo = np.zeros_like(z)
    for lo, hi, c, coeffs, lows in ERFCX_PIECES:
        piece = (z >= lo) & (z < hi)
        if piece.any():
            zp = z[piece]
            vh, vl = poly_dd(zp - c, coeffs, *lows)
            if lo >= 4:
                out[piece], out_lo[piece] = dd_div2(vh, vl, zp, 0.0)
            else:
                out[piece], out_lo[piece] = vh, vl
    far = ~(z < ERFCX_PIECES[-1][1])
    if far.any():
        zf = z[far]
        w = poly(0.5 / (zf * zf), ERFCX_ASYMPTOTIC)
        p, pl = two_prod(INV_SQRT_PI[0], w)
        out[far], out_lo[far] = dd_div2(p, pl + INV_SQRT_PI[1] * w, zf, 0.0)
    return out, out_lo


_SQRT_HALF_LO = -4.833646656726457e-17


def _erfcx_of_half(ax: Array) -> tuple[Array, Array]:
    """erfcx(|x|/√2) with |x|/√2 carried as a double-double (erfcx(z) ~ 1/(z√π) inherits the
    relative rounding error of z): erfcx(zh + zl) = erfcx(zh)·(1 + (2zh - 2/(√π erfcx))·zl)."""
    zh, zl = two_prod(ax, _SQRT_HALF)
    zl = zl + ax * _SQRT_HALF_LO
    vh, vl = _erfcx(zh)
    return vh, vl + vh * (2 * zh - (2 * INV_SQRT_PI[0]) / vh) * zl


def _gelu_parts(x: Array) -> tuple[Any, ...]:
    """xc, exp(-x^2/2) (dd), Q = Φ(-|x|) = erfc(|x|/√2)/2 (dd), erfcx(|x|/√2) (dd), deep.

    erfc(|x|/√2) = erfcx(|x|/√2)·exp(-x^2/2) with x^2 split exactly: erfc(x/√2) alone
    inherits the rounding of x/√2, an error of about x^2 ulp in the tail. Where x < -37.4
    (``deep``) exp(-x^2/2) and Q are scaled by 2^128: unscaled they would be subnormal while
    x·Φ(x) is not; the callers scale their results back.
    """
    xc = np.clip(x, -_GELU_SATURATION, _GELU_SATURATION)
    ax = np.abs(xc)
    ph, pl = two_prod(ax, ax)
    deep = (ph > 1400.0) & (xc < 0)
    shift = np.where(deep, float(_TAIL_SHIFT), 0.0)
    ah, al = two_sum(-0.5 * ph, shift * _LN2_HI)
    eh = np.exp(ah)
    el = eh * (al + (-0.5 * pl + shift * _LN2_LO))
    vh, vl = _erfcx_of_half(ax)
    qh, ql = dd_mul(0.5 * vh, 0.5 * vl, eh, el)
    return xc, eh, el, qh, ql, vh, vl, deep


def _unshift(r: Array, deep: Array) -> Array:
    if deep.any():
        r[deep] = np.ldexp(r[deep], -_TAIL_SHIFT)
    return r


def _gelu_erf(x: Array) -> Array:
    xc, _, _, qh, ql, _, _, deep = _gelu_parts(x)
    # Φ(x) = Q for x < 0 and 1 - Q for x >= 0, then x·Φ with one rounding.
    oh, ol = dd_add(1.0, 0.0, -qh, -ql)
    neg = xc < 0
    r = dd_mul(xc, 0.0, np.where(neg, qh, oh), np.where(neg, ql, ol))
    y = _unshift(r[0] + r[1], deep)
    return np.where(np.abs(x) < _GELU_SATURATION, y, np.where(x < 0, 0.0, x))


def _gelu_erf_grad(x: Array) -> Array:
    xc, eh, el, qh, ql, vh, vl, deep = _gelu_parts(x)
    # Φ(x) + x·φ(x), φ = exp(-x^2/2)/√(2π). x < 0: exp(-x^2/2)·(erfcx(|x|/√2)/2 + x/√(2π)),
    # x >= 0: (1 - Q) + x·φ; in double-double, as the two terms cancel for x < 0.
    xh, xl = dd_mul(xc, 0.0, INV_SQRT_2PI[0], INV_SQRT_2PI[1])
    neg = xc < 0
    ih, il = dd_add(0.5 * vh, 0.5 * vl, xh, xl)
    nh, nl = dd_mul(ih, il, eh, el)
    ph, pl = dd_mul(xh, xl, eh, el)
    oh, ol = dd_add(1.0, 0.0, -qh, -ql)
    sh, sl = dd_add(oh, ol, ph, pl)
    r = _unshift(np.where(neg, nh + nl, sh + sl), deep)
    r = root_patch(r, xc, 0.0, GELU_ROOT, GELU_SERIES, GELU_WIDTH, GELU_C1_LO)
    return np.where(np.abs(x) < _GELU_SATURATION, r, np.where(x < 0, 0.0, np.where(x > 0, 1.0, x)))


def _tanh_gelu_args(x: Array) -> tuple[Array, Array, Array, Array, Array]:
    """xc, z = 2u = 2·sqrt(2/π)(x + 0.044715x^3) and q = x·dz/dx as double-doubles."""
    xc = np.clip(x, -GATE_SATURATION, GATE_SATURATION)
    x2h, x2l = two_prod(xc, xc)
    x3h, x3l = dd_mul(x2h, x2l, xc, 0.0)
    kh, kl = dd_mul(x3h, x3l, *_KAPPA_DD)
    wh, wl = dd_add(xc, 0.0, kh, kl)
    zh, zl = dd_mul(wh, wl, *_TWO_BETA_DD)
    # dz/dx = 2·sqrt(2/π)(1 + 3·0.044715x^2); q = x·dz/dx.
    th, tl = dd_mul(x2h, x2l, 3 * _KAPPA_DD[0], 3 * _KAPPA_DD[1])
    th, tl = dd_add(1.0, 0.0, th, tl)
    th, tl = dd_mul(th, tl, *_TWO_BETA_DD)
    qh, ql = dd_mul(th, tl, xc, 0.0)
    return xc, zh, zl, qh, ql


@quiet
def _gelu(x: Array, *, approximate: str) -> Array:
    if approximate != "tanh":
        return _gelu_erf(x)
    # x/2·(1 + tanh(u)) = x·σ(2u), with 2u carried as a double-double: in the tail σ(2u) is
    # about exp(2u), whose relative error is the absolute error of 2u.
    xc, zh, zl, _, _ = _tanh_gelu_args(x)
    return _x_sigmoid(x, xc, zh, zl)


@quiet
def _gelu_grad(x: Array, g: Array, *, approximate: str) -> Array:
    if approximate != "tanh":
        return g * _gelu_erf_grad(x)
    # σ(z) + q·σ(z)(1 - σ(z)), z = 2u, q = x·dz/dx.
    xc, zh, zl, qh, ql = _tanh_gelu_args(x)
    r = _gate_slope(zh, zl, qh, ql)
    r = root_patch(r, xc, 0.0, GELU_TANH_ROOT, GELU_TANH_SERIES, GELU_TANH_WIDTH, GELU_TANH_C1_LO)
    return g * np.where(
        np.abs(x) < GATE_SATURATION, r, np.where(x < 0, 0.0, np.where(x > 0, 1.0, x))
    )


#: |x| beyond which Φ(x) is 0 or 1 as far as float32's x·Φ(x) and Φ(x) + x·φ(x) can tell.
_GELU32_SATURATION = 15.0
#: Within this of gelu's zero crossing the gradient's fit (8.2e-10) would cost over 0.2 ulp.
_GELU32_ROOT_WIDTH = 0.05


#: h(a) = erfcx(a/√2)/2 on [0, 15] as a polynomial in t = 1/(3 + a): relative-minimax fits
#: (scripts/make_kernel_coefficients.py): degree 9 to 1.1e-8 (0.18 float32 ulp) for the forward,
#: degree 11 to 8.2e-10 for the gradient, whose two terms cancel near gelu's zero crossing.
_H32_SHIFT = 3.0
_H32_FWD = (
    4.981945543325317e-06,
    0.3985231628737682,
    1.2120871392961774,
    2.8754324217523513,
    11.293630347160759,
    -22.920098264820474,
    199.61604559896688,
    -692.5358325823269,
    988.6346315759254,
    -530.8720828539497,
)
_H32_GRAD = (
    2.488153936219817e-07,
    0.39892662977013416,
    1.1971027667666223,
    3.195400534850289,
    6.926969192000811,
    17.111189476721307,
    -52.31908657621041,
    397.97250509008154,
    -2199.6196678364913,
    5478.396336794841,
    -6586.15956774079,
    3186.7098435756466,
)


def _h32(a: Array, coeffs: tuple[float, ...]) -> Array:
    """erfcx(a/√2)/2 for 0 <= a <= 15 (NaN passes), by Horner's rule in t = 1/(3 + a)."""
    t = np.add(a, _H32_SHIFT)
    np.divide(1.0, t, out=t)
    h = np.multiply(t, coeffs[-1])
    for c in coeffs[-2:0:-1]:
        h += c
        h *= t
    h += coeffs[0]
    return h


def _exp_half_square(a: Array) -> Array:
    """exp(-a^2/2) (a <= 15: the rounding of a^2 costs at most 1.2e-14 relative)."""
    e = np.multiply(a, a)
    e *= -0.5
    return np.exp(e, out=e)


@quiet
def _gelu32(x: Array, *, approximate: str) -> Array:
    if approximate == "tanh":
        # x·σ(2u) = x / (1 + exp(-2u)), x clamped where the result underflows float32.
        xm = np.clip(x, -100.0, np.inf)
        xs = np.clip(x, -100.0, 100.0)
        z = xs * xs
        z *= _TANH_KAPPA
        z += 1
        z *= xs
        z *= -2 * _TANH_BETA
        np.exp(z, out=z)
        z += 1
        return np.divide(xm, z, out=z)
    # x·Φ(x) = max(x, 0) - |x|·Q(|x|), Q(a) = Φ(-a) = exp(-a^2/2)·h(a): no cancellation on
    # either side (|x|·Q <= x/2 for x >= 0). |x| capped at 15, where Q has underflowed float32
    # (±inf then give inf and -0).
    a = np.abs(x)
    np.minimum(a, _GELU32_SATURATION, out=a)
    q = _h32(a, _H32_FWD)
    q *= _exp_half_square(a)
    q *= a
    return np.subtract(np.clip(x, 0.0, np.inf), q, out=q)


@quiet
def _gelu_grad32(x: Array, g: Array, *, approximate: str) -> Array:
    if approximate == "tanh":
        # σ(z)(1 + q(1 - σ(z))), z = 2u, q = x·dz/dx = 2·sqrt(2/π)·x(1 + 3·0.044715x^2).
        xs = np.clip(x, -100.0, 100.0)
        x2 = xs * xs
        z = x2 * _TANH_KAPPA
        z += 1
        z *= xs
        z *= -2 * _TANH_BETA
        np.exp(z, out=z)
        z += 1
        s = np.divide(1.0, z, out=z)
        x2 *= 3 * _TANH_KAPPA
        x2 += 1
        x2 *= xs
        x2 *= 2 * _TANH_BETA
        r = np.subtract(1.0, s)
        r *= x2
        r += 1
        r *= s
        r *= g
        return r
    xc = np.clip(x, -_GELU32_SATURATION, _GELU32_SATURATION)
    a = np.abs(xc)
    h = _h32(a, _H32_GRAD)
    # Φ(x) + x·φ(x): x < 0: e·(h + x/√(2π)); x >= 0: 1 + e·(x/√(2π) - h), e = exp(-x^2/2);
    # as e·(x/√(2π) - copysign(h, x)) + [x >= 0] ([x >= 0] = 1/2 + copysign(1/2, x)).
    np.copysign(h, xc, out=h)
    t = np.multiply(xc, INV_SQRT_2PI[0])
    t -= h
    t *= _exp_half_square(a)
    np.copysign(0.5, xc, out=h)
    h += 0.5
    t += h
    near = np.flatnonzero(np.abs(xc - GELU_ROOT[0]) < _GELU32_ROOT_WIDTH)
    if near.size:
        # Around gelu's zero crossing the two terms cancel: its Taylor series there.
        u = xc.reshape(-1)[near] - GELU_ROOT[0]
        u -= GELU_ROOT[1]
        t.reshape(-1)[near] = poly(u, GELU_SERIES)
    t *= g
    return t


register(
    Activation(
        name="gelu",
        forward=_gelu,
        derivative=_gelu_grad,
        forward32=_gelu32,
        derivative32=_gelu_grad32,
        params=(
            Param(
                "approximate",
                "none",
                "'none': exact x·Φ(x); 'tanh': the tanh approximation",
                choices=("none", "tanh"),
            ),
        ),
        formula="x · Φ(x) = x/2 · erfc(-x/√2); tanh: x/2 · (1 + tanh(√(2/π)(x + 0.044715x³)))",
        mathtext=r"$x\,\Phi(x)$",
        derivative_formula="Φ(x) + x·φ(x)",
        output_range="[≈ -0.1700, ∞)",
        torch=TORCH + "gelu",
        jax="jax.nn.gelu",
        description="Gaussian error linear unit: x weighted by the normal CDF.",
        reference="Hendrycks & Gimpel, 'Gaussian Error Linear Units (GELUs)', 2016",
        properties=frozenset({"smooth", "zero_centred", "self_gated"}),
    )
)


# --- softsign, tanhshrink, squareplus ------------------------------------------------------------
_HUGE = 1e300  # |x| beyond this: softsign is ±1 to the last bit, and 1 + |x| cannot overflow


@quiet
def _softsign(x: Array) -> Array:
    xc = np.clip(x, -_HUGE, _HUGE)
    return xc / (1 + np.abs(xc))


@quiet
def _softsign_grad(x: Array, g: Array) -> Array:
    ax = np.abs(x)
    # 1/(1 + |x|)^2 with 1 + |x| and its square carried exactly: one rounding in all.
    a = np.minimum(ax, 1e150)
    dh, dl = two_sum(1.0, a)
    qh, ql = two_prod(dh, dh)
    near = dd_div(1.0, 0.0, qh, ql + 2 * dh * dl)
    # Far out, (1/|x|)^2 (1 - 2/|x|) to first order: its square cannot overflow.
    r = 1 / np.maximum(ax, 1e150)
    return g * np.where(ax < 1e150, near, (r * r) * (1 - 2 * r))


@quiet
def _softsign_grad32(x: Array, g: Array) -> Array:
    # (1 + |x|)^2 cannot overflow float64 for a float32 x; inf gives the limit 0.
    d = np.abs(x)
    d += 1
    d *= d
    return np.divide(g, d, out=d)


register(
    Activation(
        name="softsign",
        forward=_softsign,
        derivative=_softsign_grad,
        derivative32=_softsign_grad32,
        formula="x / (1 + |x|)",
        mathtext=r"$\frac{x}{1 + |x|}$",
        derivative_formula="1 / (1 + |x|)²",
        output_range="(-1, 1)",
        torch=TORCH + "softsign",
        jax="jax.nn.soft_sign",
        aliases=("soft_sign",),
        description="A sigmoid with polynomial rather than exponential tails.",
        reference="Bergstra et al., 'Quadratic polynomials learn better image features', 2009",
        properties=frozenset({"monotonic", "bounded", "zero_centred"}),
    )
)

# Taylor coefficients of x - tanh(x) = x^3 (c0 + c1 x^2 + c2 x^4 + ...), from mpmath.
_TANHSHRINK_SERIES = (
    0.3333333333333333,
    -0.13333333333333333,
    0.05396825396825397,
    -0.021869488536155203,
    0.008863235529902197,
    -0.003592128036572481,
    0.0014558343870513183,
    -0.000590027440945586,
    0.00023912911424355248,
    -9.691537956929451e-05,
    3.927832388331683e-05,
    -1.5918905069328964e-05,
    6.451689215655431e-06,
    -2.6147711512907546e-06,
    1.0597268320104654e-06,
    -4.294911078273806e-07,
    1.7406618963571648e-07,
    -7.054636946400968e-08,
    2.859136662305254e-08,
    -1.1587644432798853e-08,
)
_TANHSHRINK_SERIES_MAX = 0.55


@quiet
def _tanhshrink(x: Array) -> Array:
    r = x - np.tanh(x)
    small = np.abs(x) < _TANHSHRINK_SERIES_MAX
    if small.any():
        # x - tanh(x) cancels near 0: sum its Taylor series there instead (Horner in x^2).
        # x^3/3 in double-double (one rounding) plus x^3 (c1 x^2 + c2 x^4 + ...), which is at
        # most 12% of it, so its rounding errors count for little.
        xs = x[small]
        x2h, x2l = two_prod(xs, xs)
        c3h, c3l = two_prod(x2h, xs)
        c3l = c3l + x2l * xs
        rest = poly(x2h, _TANHSHRINK_SERIES[1:]) * x2h
        r[small] = dd_div(c3h, c3l, 3.0, 0.0) + c3h * rest
    # Up to |x| = 2.1 it still cancels by a few bits: Chebyshev fits of x - tanh x in u = |x| - c
    # (exact) on four intervals (scripts/make_kernel_coefficients.py).
    ax = np.abs(x)
    mid = (ax >= TANHSHRINK_PIECES[0][0]) & (ax < TANHSHRINK_PIECES[-1][1])
    if mid.any():
        xm = x[mid]
        am = np.abs(xm)
        rm = np.empty_like(xm)
        for lo, hi, c, coeffs in TANHSHRINK_PIECES:
            piece = (am >= lo) & (am < hi)
            if piece.any():
                rm[piece] = poly(am[piece] - c, coeffs)
        r[mid] = np.copysign(rm, xm)
    return r


@quiet
def _tanhshrink_grad(x: Array, g: Array) -> Array:
    # 1 - sech^2 = tanh^2: no cancellation, but tanh^2 doubles tanh's error, so tanh is made a
    # double-double: (1 - e)/(1 + e) with e = exp(-2|x|), and |x| - (|x| - tanh|x|) from the
    # series below 0.55.
    ax = np.minimum(np.abs(x), 400.0)
    e = np.exp(-2 * ax)
    nh, nl = two_sum(1.0, -e)
    dh, dl = two_sum(1.0, e)
    th, tl = dd_div2(nh, nl, dh, dl)
    small = ax < _TANHSHRINK_SERIES_MAX
    if small.any():
        xs = ax[small]
        x2h, x2l = two_prod(xs, xs)
        c3h, c3l = two_prod(x2h, xs)
        c3l = c3l + x2l * xs
        sh, sl = dd_div2(c3h, c3l, 3.0, 0.0)
        sh, sl = dd_add(sh, sl, c3h * (poly(x2h, _TANHSHRINK_SERIES[1:]) * x2h), 0.0)
        th[small], tl[small] = dd_add(xs, 0.0, -sh, -sl)
    ph, pl = dd_mul(th, tl, th, tl)
    return g * np.where(np.isnan(x), x, ph + pl)


#: Below this |x|, x - tanh(x) cancels by more than float32 can afford: its series is used.
_TANHSHRINK32_SERIES_MAX = 0.01


@quiet
def _tanhshrink32(x: Array) -> Array:
    r = np.tanh(x)
    np.subtract(x, r, out=r)
    small = np.abs(x) < _TANHSHRINK32_SERIES_MAX
    if small.any():
        # x^3/3 - 2x^5/15 + 17x^7/315: the next term is 2e-14 of the first.
        xs = x[small]
        x2 = xs * xs
        r[small] = (
            xs
            * x2
            * (_TANHSHRINK_SERIES[0] + x2 * (_TANHSHRINK_SERIES[1] + x2 * _TANHSHRINK_SERIES[2]))
        )
    return r


@quiet
def _tanhshrink_grad32(x: Array, g: Array) -> Array:
    r = np.tanh(x)
    r *= r
    r *= g
    return r


register(
    Activation(
        name="tanhshrink",
        forward=_tanhshrink,
        derivative=_tanhshrink_grad,
        forward32=_tanhshrink32,
        derivative32=_tanhshrink_grad32,
        formula="x - tanh(x)",
        mathtext=r"$x - \tanh(x)$",
        derivative_formula="tanh²(x)",
        output_range="(-∞, ∞)",
        torch=TORCH + "tanhshrink",
        description="The residual of tanh: x minus its tanh.",
        properties=frozenset({"monotonic", "smooth", "zero_centred"}),
    )
)


_SQ_BIG = 1e150  # beyond, x^2 + b would overflow (and b is far below x^2's last bit)


def _squareplus_parts(x: Array, b: float) -> tuple[Array, Array, Array, Array, Array]:
    """|x| (capped), h = sqrt(x^2 + b) and h + |x| as double-doubles (hh, hl, sh, sl)."""
    a = np.minimum(np.abs(x), _SQ_BIG)
    ph, pl = two_prod(a, a)
    qh, ql = two_sum(ph, b)
    ql = ql + pl
    hh = np.sqrt(qh)
    rh, rl = two_prod(hh, hh)
    hl = ((qh - rh) - rl + ql) / (2 * hh)
    sh, sl = two_sum(hh, a)
    return a, hh, hl, sh, sl + hl


@quiet
def _squareplus(x: Array, *, b: float) -> Array:
    _, _, _, sh, sl = _squareplus_parts(x, b)
    # x >= 0: (x + h)/2; x < 0: (b/2)/(h + |x|), which does not cancel.
    near = np.where(x >= 0, 0.5 * (sh + sl), dd_div(b / 2, 0.0, sh, sl))
    with np.errstate(over="ignore"):  # h + |x| may round up to inf: the quotient is then 0
        far = np.where(x >= 0, x, (b / 4) / np.abs(x))
    return np.where(np.abs(x) < _SQ_BIG, near, far)


@quiet
def _squareplus_grad(x: Array, g: Array, *, b: float) -> Array:
    a, hh, hl, sh, sl = _squareplus_parts(x, b)
    # x >= 0: (1 + x/h)/2; x < 0: (b/2) / (h (h + |x|)), again without cancellation.
    ph, pl = two_prod(hh, sh)
    neg = dd_div(b / 2, 0.0, ph, pl + (hh * sl + hl * sh))
    pos = 0.5 + 0.5 * dd_div(a, 0.0, hh, hl)
    near = np.where(x >= 0, pos, neg)
    r = 1 / np.maximum(np.abs(x), _SQ_BIG)
    far = np.where(x >= 0, 1.0, (b / 4) * (r * r))
    return g * np.where(np.abs(x) < _SQ_BIG, near, far)


def _squareplus_parts32(x: Array, b: float) -> tuple[Array, Array, Array]:
    """|x|, h = sqrt(x^2 + b) and h + |x| (x^2 cannot overflow for a float32 x)."""
    a = np.abs(x)
    h = a * a
    h += b
    np.sqrt(h, out=h)
    return a, h, h + a


@quiet
def _squareplus32(x: Array, *, b: float) -> Array:
    _, _, s = _squareplus_parts32(x, b)
    # x >= 0: (x + h)/2; x < 0: (b/2)/(h + |x|), which does not cancel.
    r = np.divide(b / 2, s)
    return np.where(x < 0, r, np.multiply(s, 0.5, out=s))


@quiet
def _squareplus_grad32(x: Array, g: Array, *, b: float) -> Array:
    # |x| capped at 1e100 (only ±inf is beyond float32): no inf/inf for x = inf.
    a, h, s = _squareplus_parts32(np.clip(x, -1e100, 1e100), b)
    # x >= 0: (1 + x/h)/2; x < 0: (b/2)/(h (h + |x|)).
    r = np.divide(a, h)
    r += 1
    r *= 0.5
    s *= h
    np.divide(b / 2, s, out=s)
    r = np.where(x < 0, s, r)
    r *= g
    return r


register(
    Activation(
        name="squareplus",
        forward=_squareplus,
        derivative=_squareplus_grad,
        forward32=_squareplus32,
        derivative32=_squareplus_grad32,
        params=(Param("b", 4.0, "smoothness near 0 (b -> 0: relu)", low=0.0, low_open=True),),
        formula="(x + sqrt(x² + b)) / 2",
        mathtext=r"$\frac{x + \sqrt{x^2 + b}}{2}$",
        derivative_formula="(1 + x / sqrt(x² + b)) / 2",
        output_range="(0, ∞)",
        torch=None,
        jax="jax.nn.squareplus",
        description="Algebraic softplus: smooth relu using only a square root.",
        reference="Barron, 'Squareplus: A Softplus-Like Algebraic Rectifier', 2021",
        properties=frozenset({"monotonic", "smooth"}),
    )
)
