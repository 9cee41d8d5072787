"""GELU (exact, through erfc, and its tanh approximation), softsign, tanhshrink and squareplus.

Every float64 kernel is written so that no intermediate overflows or forms ``inf - inf`` or
``inf * 0``; the ``*32`` kernels serve float16/float32 input (see ``Activation.forward32``).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from .. import _kernels
from ..records import Activation, Doc, Kernels, Naive, Param
from . import _textbook as textbook
from ._coeffs import (
    TANHSHRINK_PIECES,
    TANHSHRINK_SMALL,
    TANHSHRINK_THIRD_LO,
)
from ._common import (
    Array,
    dd_add,
    dd_mul,
    quiet,
    two_prod_fast,
)
from ._curvature import gelu_second, softsign_second, squareplus_second, tanhshrink_second

TORCH = "torch.nn.functional."


# --- gelu ----------------------------------------------------------------------------------------
def _series(u: Array, coeffs: tuple[float, ...]) -> Array:
    """sum_{k >= 1} c_k u^k by Horner's rule (the caller adds c_0, often more carefully)."""
    acc = np.multiply(u, coeffs[-1])
    for c in coeffs[-2:0:-1]:
        acc += c
        acc *= u
    return acc


# Compiled ufuncs (actcli/_kernels/gelu.c, where their regimes and bounds are described):
# gelu64/gelu_tanh64 for float64, gelu/gelu_tanh (plain double, rounded once) for float32.
_GELU64 = {"none": "gelu64", "tanh": "gelu_tanh64"}
_gelu = _kernels.choose("approximate", _GELU64)
_gelu_grad = _kernels.choose("approximate", _GELU64, vjp=True)
_GELU32 = {"none": "gelu", "tanh": "gelu_tanh"}
_gelu32 = _kernels.choose("approximate", _GELU32)
_gelu_grad32 = _kernels.choose("approximate", _GELU32, vjp=True)


def _naive_gelu(x: Array, approximate: str) -> Array:
    if approximate == "tanh":
        return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))
    return 0.5 * x * (1 + textbook.erf(x / textbook.SQRT2))


def _naive_gelu_grad(x: Array, g: Array, approximate: str) -> Array:
    if approximate == "tanh":
        k = math.sqrt(2 / math.pi)
        t = np.tanh(k * (x + 0.044715 * x**3))
        return g * (0.5 * (1 + t) + 0.5 * x * (1 - t**2) * k * (1 + 3 * 0.044715 * x**2))
    erf = textbook.erf(x / textbook.SQRT2)
    return g * (0.5 * (1 + erf) + x * np.exp(-(x**2) / 2) / textbook.SQRT_2PI)


GELU = Activation(
    name="gelu",
    doc=Doc(
        formula="x · Φ(x) = x/2 · erfc(-x/√2); tanh: x/2 · (1 + tanh(√(2/π)(x + 0.044715x³)))",
        mathtext=r"$x\,\Phi(x)$",
        derivative="Φ(x) + x·φ(x)",
        output_range="[≈ -0.1700, ∞)",
        description="Gaussian error linear unit: x weighted by the normal CDF.",
        torch=TORCH + "gelu",
        jax="jax.nn.gelu",
        reference="Hendrycks & Gimpel, 'Gaussian Error Linear Units (GELUs)', 2016",
        properties=frozenset({"smooth", "zero_centred", "self_gated"}),
        second_derivative=(
            "φ(x)(2 - x²); tanh: σ'(z)(2z' + x·z'' - x·z'²·tanh(z/2)), z = 2√(2/π)(x + 0.044715x³)"
        ),
    ),
    kernels=Kernels(
        forward=_gelu,
        derivative=_gelu_grad,
        forward32=_gelu32,
        derivative32=_gelu_grad32,
        second=gelu_second,
    ),
    params=(
        Param(
            "approximate",
            "none",
            "'none': exact x·Φ(x); 'tanh': the tanh approximation",
            choices=("none", "tanh"),
        ),
    ),
    settings=({"approximate": "tanh"},),
    naive=Naive(
        _naive_gelu,
        _naive_gelu_grad,
    ),
)


# --- softsign, tanhshrink, squareplus ------------------------------------------------------------
# softsign's forward (every dtype) and the float32 kernels of all three are compiled ufuncs
# (actcli/_kernels/gelu.c).
_softsign = _kernels.forward("softsign")


#: Beyond this |x|, (1 + |x|)^2 would overflow: the far lanes take (1/|x|)^2·(1 - 2/|x|).
_SOFTSIGN_FAR = 1e150


@quiet
def _softsign_grad(x: Array, g: Array) -> Array:
    # 1/(1 + a)^2, a = |x|: 1 + a = d + dl exactly (dl = a - (d - 1), both steps exact), and
    # 1/(d + dl)^2 = 1/d^2·(1 - 2·dl/d) to first order: about 1.5 roundings in all. The slope
    # is finite and positive, and g multiplies it last, so g = ±0, ±inf give the IEEE product
    # g·f' (the correction applied to g/d^2 gave NaN for inf·0 and +0 for g = -0).
    x = np.ascontiguousarray(x)  # lanes are fixed up through flat (C-order) views
    a = np.abs(x)
    d = a + 1.0
    dl = d - 1.0
    np.subtract(a, dl, out=dl)
    dl /= d
    r = np.multiply(d, d, out=d)
    np.divide(1.0, r, out=r)
    dl *= r
    dl += dl
    r -= dl
    far = np.flatnonzero(a.reshape(-1) > _SOFTSIGN_FAR)
    if far.size:
        q = 1.0 / a.reshape(-1)[far]
        r.reshape(-1)[far] = (q * q) * (1 - 2 * q)
    r *= g
    return r


_softsign_grad32 = _kernels.vjp("softsign")


SOFTSIGN = Activation(
    name="softsign",
    doc=Doc(
        formula="x / (1 + |x|)",
        mathtext=r"$\frac{x}{1 + |x|}$",
        derivative="1 / (1 + |x|)²",
        output_range="(-1, 1)",
        description="A sigmoid with polynomial rather than exponential tails.",
        torch=TORCH + "softsign",
        jax="jax.nn.soft_sign",
        reference="Bergstra et al., 'Quadratic polynomials learn better image features', 2009",
        properties=frozenset({"monotonic", "bounded", "zero_centred"}),
        second_derivative="-2 sign(x)/(1 + |x|)³ (0 at x = 0, as PyTorch)",
    ),
    kernels=Kernels(
        forward=_softsign,
        derivative=_softsign_grad,
        derivative32=_softsign_grad32,
        second=softsign_second,
    ),
    aliases=("soft_sign",),
    naive=Naive(
        lambda x: x / (1 + np.abs(x)),
        lambda x, g: g / (1 + np.abs(x)) ** 2,
    ),
)

_TANHSHRINK_SERIES_MAX = 0.55


@quiet
def _tanhshrink(x: Array) -> Array:
    x = np.ascontiguousarray(x)  # lanes are fixed up through flat (C-order) views
    r = np.tanh(x)
    np.subtract(x, r, out=r)
    # Up to |x| = 2.1, x - tanh(x) cancels: those lanes (found once, as indices) are redone.
    xf, rf = x.reshape(-1), r.reshape(-1)
    near = np.flatnonzero(np.abs(xf) < TANHSHRINK_PIECES[-1][1])
    if near.size:
        xn = xf[near]
        an = np.abs(xn)
        rn = np.empty_like(xn)
        small = np.flatnonzero(an < _TANHSHRINK_SERIES_MAX)
        if small.size:
            sh, sl = _tanhshrink_small(an[small])
            rn[small] = sh + sl
        # Chebyshev fits of x - tanh x in u = |x| - c (exact) on four intervals
        # (scripts/make_kernel_coefficients.py).
        for lo, hi, c, coeffs in TANHSHRINK_PIECES:
            piece = np.flatnonzero((an >= lo) & (an < hi))
            if piece.size:
                u = an[piece] - c
                v = _series(u, coeffs)
                v += coeffs[0]
                rn[piece] = v
        np.copysign(rn, xn, out=rn)
        rf[near] = rn
    return r


def _tanhshrink_small(xs: Array) -> tuple[Array, Array]:
    """x - tanh(x) for |x| < 0.55 as a double-double: x^3·(1/3 + y·T(y)), y = x^2, with x^3
    and the bracket (y·T is at most 12% of it) as double-doubles and their product exact."""
    yh, yl = two_prod_fast(xs, xs)
    ch, cl = two_prod_fast(yh, xs)
    yl *= xs
    cl += yl  # x^3 = ch + cl
    w = _series(yh, (0.0, *TANHSHRINK_SMALL))  # y·T(y)
    third = 1.0 / 3.0
    ph = w + third
    pl = third - ph
    pl += w
    pl += TANHSHRINK_THIRD_LO  # 1/3 + y·T = ph + pl
    sh, sl = two_prod_fast(ch, ph)
    ch *= pl
    sl += ch
    cl *= ph
    sl += cl
    return sh, sl


#: Below this |x|, 1 - sech^2 cancels by more than 1/4 of a bit: tanh^2 is formed as a square.
_TANH2_SECH_MIN = 1.5


def _tanh2_mid(a: Array) -> Array:
    """tanh(a)^2 for 0.55 <= a < 1.5 to about an ulp: (1 - e)^2/(1 + e)^2, e = exp(-2a) < 1/3,
    1 - e = n + nl and 1 + e = d + dl exactly, then n^2/d^2·(1 + 2·(nl/n - dl/d))."""
    e = np.multiply(a, -2.0)
    np.exp(e, out=e)
    n = np.subtract(1.0, e)
    nl = np.subtract(1.0, n)
    nl -= e
    d = np.add(e, 1.0)
    dl = np.subtract(d, 1.0)
    np.subtract(e, dl, out=dl)
    nl /= n
    dl /= d
    nl -= dl
    n *= n
    d *= d
    n /= d
    nl *= n
    nl += nl
    n += nl
    return n


@quiet
def _tanhshrink_grad(x: Array, g: Array) -> Array:
    # tanh^2 = 1 - 4e/(1 + e)^2, e = exp(-2|x|): the subtracted term is under 19% of 1 from
    # |x| = 1.5 on, so its few roundings count for little. (np.tanh squared doubles tanh's
    # error: 2.2 ulp at p99.9.) Smaller |x| are redone below.
    x = np.ascontiguousarray(x)  # lanes are fixed up through flat (C-order) views
    a = np.abs(x)
    np.minimum(a, 400.0, out=a)
    e = np.multiply(a, -2.0)
    np.exp(e, out=e)
    d = np.add(e, 1.0)
    d *= d
    e *= 4.0
    e /= d
    r = np.subtract(1.0, e, out=e)
    af, rf = a.reshape(-1), r.reshape(-1)
    near = np.flatnonzero(af < _TANH2_SECH_MIN)
    if near.size:
        an = af[near]
        rn = _tanh2_mid(an)
        small = np.flatnonzero(an < _TANHSHRINK_SERIES_MAX)
        if small.size:
            # tanh = x - (x - tanh x) from the series, squared, all in double-double.
            xs = an[small]
            sh, sl = _tanhshrink_small(xs)
            th, tl = dd_add(xs, 0.0, -sh, -sl)
            ph, pl = dd_mul(th, tl, th, tl)
            rn[small] = ph + pl
        rf[near] = rn
    r *= g
    return r


_tanhshrink32 = _kernels.forward("tanhshrink")
_tanhshrink_grad32 = _kernels.vjp("tanhshrink")


TANHSHRINK = Activation(
    name="tanhshrink",
    doc=Doc(
        formula="x - tanh(x)",
        mathtext=r"$x - \tanh(x)$",
        derivative="tanh²(x)",
        output_range="(-∞, ∞)",
        description="The residual of tanh: x minus its tanh.",
        torch=TORCH + "tanhshrink",
        properties=frozenset({"monotonic", "smooth", "zero_centred"}),
        second_derivative="2 tanh(x) sech²(x)",
    ),
    kernels=Kernels(
        forward=_tanhshrink,
        derivative=_tanhshrink_grad,
        forward32=_tanhshrink32,
        derivative32=_tanhshrink_grad32,
        second=tanhshrink_second,
    ),
    naive=Naive(
        lambda x: x - np.tanh(x),
        lambda x, g: g * np.tanh(x) ** 2,
    ),
)


_SQ_BIG = 1e150  # beyond, x^2 + b would overflow (and b is far below x^2's last bit)


def _squareplus_parts(x: Array, b: float) -> tuple[Array, Array, Array, Array]:
    """h = sqrt(x^2 + b) (rounded, |x| capped) with the relative correction c1 = hl/h, and
    s = h + |x| with c2 = sl/s, where h + hl and s + sl are exact to first order."""
    a = np.abs(x)
    np.minimum(a, _SQ_BIG, out=a)
    p, pl = two_prod_fast(a, a)
    q = p + b
    # The rounding error of p + b (TwoSum: either may be the larger), plus a^2's.
    bp = q - p
    p -= q
    p += bp  # -(q - bp) + p
    bp -= b
    p -= bp
    pl += p
    h = np.sqrt(q)
    hh, he = two_prod_fast(h, h)
    # sqrt(q + pl) = h + (q - h^2 + pl)/(2h) to first order; h^2 = hh + he exactly.
    q -= hh
    q -= he
    q += pl
    q /= h
    q /= h
    q *= 0.5  # c1
    sh = np.add(h, a, out=hh)
    sl = np.subtract(sh, h, out=he)
    np.subtract(a, sl, out=sl)  # exact: h >= |x|
    a = np.multiply(q, h, out=a)
    sl += a
    sl /= sh  # c2
    return h, q, sh, sl


def _squareplus_far(x: Array, r: Array, value: Callable[[Array], Array]) -> None:
    """Overwrite the lanes with |x| > 1e150 (x^2 would overflow) with ``value(x)``."""
    xf = x.reshape(-1)
    far = np.flatnonzero(np.abs(xf) > _SQ_BIG)
    if far.size:
        r.reshape(-1)[far] = value(xf[far])


@quiet
def _squareplus(x: Array, *, b: float) -> Array:
    # squareplus(x) = squareplus(-|x|) + max(x, 0), squareplus(-|x|) = (b/2)/(h + |x|): no
    # cancellation on either side, and no select.
    x = np.ascontiguousarray(x)  # lanes are fixed up through flat (C-order) views
    _, _, sh, c2 = _squareplus_parts(x, b)
    r = np.divide(b / 2, sh, out=sh)
    c2 *= r
    r -= c2
    r += np.clip(x, 0.0, np.inf)
    _squareplus_far(x, r, lambda xf: np.where(xf >= 0, xf, (b / 4) / np.abs(xf)))
    return r


@quiet
def _squareplus_grad(x: Array, g: Array, *, b: float) -> Array:
    # squareplus'(x) = [x >= 0] - copysign(n, x), n = squareplus'(-|x|) = (b/2)/(h·(h + |x|)),
    # as squareplus'(x) + squareplus'(-x) = 1: neither side cancels (n <= 1/2).
    x = np.ascontiguousarray(x)  # lanes are fixed up through flat (C-order) views
    h, c1, sh, c2 = _squareplus_parts(x, b)
    n = np.multiply(h, sh, out=h)
    np.divide(b / 2, n, out=n)
    c2 += c1
    c2 *= n
    n -= c2
    np.copysign(n, x, out=n)
    np.copysign(0.5, x, out=sh)
    sh += 0.5
    sh -= n
    _squareplus_far(x, sh, lambda xf: np.where(xf >= 0, 1.0, (b / 4) / (xf * xf)))
    sh *= g
    return sh


_squareplus32 = _kernels.forward("squareplus", ("b",))
_squareplus_grad32 = _kernels.vjp("squareplus", ("b",))


SQUAREPLUS = Activation(
    name="squareplus",
    doc=Doc(
        formula="(x + sqrt(x² + b)) / 2",
        mathtext=r"$\frac{x + \sqrt{x^2 + b}}{2}$",
        derivative="(1 + x / sqrt(x² + b)) / 2",
        output_range="(0, ∞)",
        description="Algebraic softplus: smooth relu using only a square root.",
        torch=None,
        jax="jax.nn.squareplus",
        reference="Barron, 'Squareplus: A Softplus-Like Algebraic Rectifier', 2021",
        properties=frozenset({"monotonic", "smooth"}),
        second_derivative="b / (2(x² + b)^(3/2))",
    ),
    kernels=Kernels(
        forward=_squareplus,
        derivative=_squareplus_grad,
        forward32=_squareplus32,
        derivative32=_squareplus_grad32,
        second=squareplus_second,
    ),
    params=(Param("b", 4.0, "smoothness near 0 (b -> 0: relu)", low=0.0, low_open=True),),
    settings=({"b": 0.25},),
    naive=Naive(
        lambda x, b: (x + np.sqrt(x**2 + b)) / 2,
        lambda x, g, b: g * (1 + x / np.sqrt(x**2 + b)) / 2,
    ),
)

ACTIVATIONS = (
    GELU,
    SOFTSIGN,
    TANHSHRINK,
    SQUAREPLUS,
)
