"""GELU (exact, through erfc, and its tanh approximation), softsign, tanhshrink and squareplus.

Every float64 kernel is written so that no intermediate overflows or forms ``inf - inf`` or
``inf * 0``; the ``*32`` kernels serve float16/float32 input (see ``Activation.forward32``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from .. import _kernels
from ..records import Activation, Doc, Kernels, LibraryName, Naive, Param
from . import _textbook as textbook
from ._coeffs import (
    GELU_C1_LO,
    GELU_G,
    GELU_G_C0_LO,
    GELU_G_TAIL,
    GELU_G_TAIL_C0_LO,
    GELU_ROOT,
    GELU_SERIES,
    GELU_SMALL,
    GELU_SMALL_C0_LO,
    GELU_TANH_C1_LO,
    GELU_TANH_ROOT,
    GELU_TANH_SERIES,
    GELU_TANH_WIDTH,
    GELU_V_CENTER,
    GELU_V_K,
    GELU_WIDTH,
    INV_SQRT_2PI,
    TANHSHRINK_PIECES,
    TANHSHRINK_SMALL,
    TANHSHRINK_THIRD_LO,
)
from ._common import (
    GATE_SATURATION,
    Array,
    const_split,
    dd_add,
    dd_mul,
    prod_lo_into,
    quiet,
    root_patch,
    split_fast,
    sum_lo_into,
    two_prod_fast,
)
from ._curvature import gelu_second, softsign_second, squareplus_second, tanhshrink_second

TORCH = "torch.nn.functional."
# --- gelu ----------------------------------------------------------------------------------------
_TANH_BETA = 0.7978845608028654  # sqrt(2/pi), as PyTorch's kBeta
_TANH_KAPPA = 0.044715
_GELU_SATURATION = 40.0  # Φ(-40) is below the float64 range, Φ(40) rounds to 1


#: Exact GELU in float64: beyond |x| = 9, Φ(x) rounds to 1 (x > 0) and x < -9 takes the
#: tail kernel, whose e^(-x^2/2) underflows below x = -38.6 (the result is then -0).
_GELU_MID = 9.0
_GELU_SMALL = 1.0
#: 1/√(2π) as a 26-bit head and its exact tail.
_C_HEAD, _C_TAIL = const_split(INV_SQRT_2PI[0])


def _series(u: Array, coeffs: tuple[float, ...]) -> Array:
    """sum_{k >= 1} c_k u^k by Horner's rule (the caller adds c_0, often more carefully)."""
    acc = np.multiply(u, coeffs[-1])
    for c in coeffs[-2:0:-1]:
        acc += c
        acc *= u
    return acc


def _square(a: Array) -> tuple[Array, Array]:
    """a^2 = p + pl exactly (finite a below 2^500)."""
    p = a * a
    ah, al = split_fast(a)
    pl = ah * ah
    pl -= p  # exact (Sterbenz)
    t = ah + a
    t *= al  # 2·ah·al + al^2
    pl += t
    return p, pl


def _exp_half(a: Array) -> tuple[Array, Array]:
    """exp(-a^2/2) = e·(1 + yl) for 0 <= a <= 40: a^2 = p + pl exactly (p rounded alone would
    cost up to 800 ulp at a = 40), e = exp(-p/2) and yl = -pl/2."""
    p, pl = _square(a)
    np.multiply(p, -0.5, out=p)
    e = np.exp(p, out=p)
    pl *= -0.5
    return e, pl


def _e_times(e: Array, yl: Array, w: Array, c0: float, c0_lo: float) -> Array:
    """e·(1 + yl)·G for G = c0 + w (+ c0_lo), rounded about once: e·c0 is formed exactly
    (c0 split once, e by a mask) and everything else, small beside it, is a correction."""
    c0h, c0t = const_split(c0)
    q = w + c0
    q *= yl
    q += w
    q += c0_lo  # G·(1 + yl) - c0, to first order in yl
    q *= e
    eh, el = split_fast(e)
    p = e * c0
    t = np.empty_like(p)
    prod_lo_into(p, eh, el, c0h, c0t, t)
    q += t
    q += p
    return q


def _gelu_main(a: Array, coeffs: tuple[float, ...]) -> tuple[Array, Array]:
    """K + a and sum_{k >= 1} c_k u^k with u = a/(K + a) - v_c (1 <= a <= 9)."""
    d = a + GELU_V_K
    u = np.divide(a, d)
    u -= GELU_V_CENTER
    return d, _series(u, coeffs)


#: exp(y) is subnormal below y = -708: the tail then works with exp(y + 128 ln 2) and scales the
#: result back at the end (one rounding into the subnormal range instead of several).
_TAIL_SHIFT = 128
_SHIFT_HI = _TAIL_SHIFT * 0.6931471805599453  # exact: a power of two times ln 2's head
_SHIFT_LO = _TAIL_SHIFT * 2.3190468138462996e-17


def _gelu_tail(xt: Array) -> tuple[Array, Array, Array, Array, npt.NDArray[np.intp]]:
    """For x < -9: a = min(|x|, 40), e and yl (as in :func:`_exp_half`, e scaled by 2^128 at the
    returned ``deep`` indices), and G - c0 (the tail fit in 1/a^2)."""
    a = np.minimum(-xt, _GELU_SATURATION)
    w = np.multiply(a, a)
    np.divide(1.0, w, out=w)
    y, yl = _square(a)
    y *= -0.5
    yl *= -0.5
    deep = np.flatnonzero(y < -708.0)
    if deep.size:
        yd = y[deep]
        sh = yd + _SHIFT_HI
        yl[deep] += (_SHIFT_HI - (sh - yd)) + _SHIFT_LO  # Fast2Sum: |yd| > _SHIFT_HI
        y[deep] = sh
    e = np.exp(y, out=y)
    return a, e, yl, _series(w, GELU_G_TAIL), deep


def _unshift(r: Array, deep: npt.NDArray[np.intp]) -> None:
    if deep.size:
        r[deep] = np.ldexp(r[deep], -_TAIL_SHIFT)


def _gelu_small(xs: Array) -> tuple[Array, Array]:
    """erf(x/√2)/2 = x·P(x^2) for |x| < 1 as a double-double (sh, sl)."""
    r = _series(xs * xs, GELU_SMALL)  # P - c0, at most 6% of P
    c0 = GELU_SMALL[0]
    ph = r + c0
    pl = r - (ph - c0)
    pl += GELU_SMALL_C0_LO
    sh, sl = two_prod_fast(xs, ph)
    sl += xs * pl
    return sh, sl


def _gelu_erf(x: Array) -> Array:
    # x·Φ(x) = max(x, 0) - a·Q(a), a = |x|, Q(a) = Φ(-a) = exp(-a^2/2)·G(a)/a: no cancellation
    # (a·Q <= x/2 for x >= 0), and for x < 0 the result is e·G, rounded about once.
    x = np.ascontiguousarray(x)  # lanes are fixed up through flat (C-order) views
    a = np.abs(x)
    np.minimum(a, _GELU_MID, out=a)
    _, w = _gelu_main(a, GELU_G)
    e, yl = _exp_half(a)
    q = _e_times(e, yl, w, GELU_G[0], GELU_G_C0_LO)
    r = np.clip(x, 0.0, np.inf)
    r -= q
    xf, rf = x.reshape(-1), r.reshape(-1)
    small = np.flatnonzero(a.reshape(-1) < _GELU_SMALL)
    if small.size:
        # x·(1/2 + s) with s = erf(x/√2)/2 in double-double: x/2 + x·s cancels by up to 3x.
        xs = xf[small]
        sh, sl = _gelu_small(xs)
        qh, ql = two_prod_fast(xs, sh)
        hx = 0.5 * xs
        hi = hx + qh
        lo = qh - (hi - hx)  # exact: |x/2| >= |x·s|
        lo += ql
        lo += xs * sl
        # gelu(x) has x's sign; at x = -0 the sum -0 + +0 would give +0.
        rf[small] = np.copysign(hi + lo, xs)
    tail = np.flatnonzero(xf < -_GELU_MID)
    if tail.size:
        _, e, yl, w, deep = _gelu_tail(xf[tail])
        rt = _e_times(e, yl, w, GELU_G_TAIL[0], GELU_G_TAIL_C0_LO)
        _unshift(rt, deep)
        rf[tail] = -rt
    return r


def _gelu_erf_grad(x: Array) -> Array:
    # Φ(x) + x·φ(x) = [x >= 0] + e·(x/√(2π) - copysign(h, x)) = [x >= 0] + e·N/x, with
    # h = G/a, e = exp(-x^2/2) and N = x^2/√(2π) - G (below).
    x = np.ascontiguousarray(x)  # lanes are fixed up through flat (C-order) views
    xc = np.clip(x, -_GELU_MID, _GELU_MID)
    a = np.abs(xc)
    _, w = _gelu_main(a, GELU_G)
    # N = a^2/√(2π) - G(a), with a^2 = p + pl and p/√(2π) formed exactly: N cancels by up to
    # 2.2x for 1.25 < a < 2, where x < 0 needs its relative accuracy.
    p, pl = _square(a)
    ph, pt = split_fast(p)
    m = p * _C_HEAD
    t = np.empty_like(p)
    prod_lo_into(m, ph, pt, _C_HEAD, _C_TAIL, t)  # m + t = p/√(2π) exactly
    m -= GELU_G[0]
    pl *= INV_SQRT_2PI[0]
    t += pl
    p *= INV_SQRT_2PI[1]
    t += p
    t -= w
    t -= GELU_G_C0_LO
    # Φ(x) + x·φ(x) = [x >= 0] + e·N/x, e = exp(-x^2/2) = exp(-p/2)·(1 + yl): N·yl joins the
    # correction before N rounds.
    e, yl = _exp_half(a)
    yl *= m
    t += yl
    # N/x with N = m + t unrounded: q = m/x plus (m - q·x + t)/x, q·x formed exactly.
    q = m / xc
    qp, qe = two_prod_fast(q, xc)
    m -= qp
    m -= qe
    m += t
    m /= xc
    m += q
    m *= e
    np.copysign(0.5, xc, out=t)
    t += 0.5
    m += t
    xf, mf = x.reshape(-1), m.reshape(-1)
    small = np.flatnonzero(a.reshape(-1) < _GELU_SMALL)
    if small.size:
        # 1/2 + s + x·φ(x); no cancellation outside the root window below.
        xs = xf[small]
        sh, sl = _gelu_small(xs)
        es = np.multiply(xs, xs)
        es *= -0.5
        np.exp(es, out=es)
        es *= xs
        es *= INV_SQRT_2PI[0]
        es += sl
        es += sh
        es += 0.5
        mf[small] = es
    # Around the zero crossing the terms cancel: the Taylor series around the root.
    root_patch(mf, xf, 0.0, GELU_ROOT, GELU_SERIES, GELU_WIDTH, GELU_C1_LO)
    tail = np.flatnonzero(xf < -_GELU_MID)
    if tail.size:
        # -e·(a/√(2π) - G/a): a/√(2π) formed exactly, G/a (under 1.3% of it), 1 + yl and
        # 1/√(2π)'s low part as one correction, so the bracket rounds once.
        at, e, yl, w, deep = _gelu_tail(xf[tail])
        w += GELU_G_TAIL[0]
        w /= at
        ah, al = split_fast(at)
        p = at * INV_SQRT_2PI[0]
        t = np.empty_like(p)
        prod_lo_into(p, ah, al, _C_HEAD, _C_TAIL, t)
        t -= w
        t += at * INV_SQRT_2PI[1]
        yl *= p
        t += yl
        p += t
        p *= e
        np.negative(p, out=w)
        _unshift(w, deep)
        mf[tail] = w
    return m


#: 2·sqrt(2/π) and 2·sqrt(2/π)·0.044715 as double-doubles (mpmath): z = x·(C1 + C3·x^2).
_C1_DD = (1.5957691216057308, -9.96930880911092e-17)
_C3_DD = (0.07135481627260025, -6.175149918155315e-19)
_C3_HEAD, _C3_TAIL = const_split(_C3_DD[0])
_C3X3_HEAD, _C3X3_TAIL = const_split(3 * _C3_DD[0])


def _tanh_gelu_z(x: Array) -> tuple[Array, Array, Array, Array]:
    """xc = x clamped to ±1e4, x^2 (rounded) and z = 2·sqrt(2/π)(x + 0.044715x^3) = zh + zl to
    about 2^-100 relative: in the tail σ(z) is about exp(z), whose relative error is the
    absolute error of z."""
    xc = np.clip(x, -GATE_SATURATION, GATE_SATURATION)
    p, pl = two_prod_fast(xc, xc)
    pl *= _C3_DD[0]
    zh, zl = _x_times_c1_plus(xc, p, _C3_DD[0], _C3_HEAD, _C3_TAIL, (pl, p * _C3_DD[1]))
    return xc, p, zh, zl


def _x_times_c1_plus(
    xc: Array, p: Array, c: float, head: float, tail: float, extra: tuple[Array, ...] = ()
) -> tuple[Array, Array]:
    """x·(C1 + c·p) as a double-double ``hi + lo`` (z, or x·dz/dx with c = 3·C3).

    m + me = c·p with c's head times p exact and the rest (plus the ``extra`` low-order terms,
    in order) to first order; C1 + m by TwoSum; then the product with x by Dekker.
    """
    m = p * c
    ph, pt = split_fast(p)
    me = np.empty_like(p)
    prod_lo_into(m, ph, pt, head, tail, me)
    for term in extra:
        me += term
    ah = m + _C1_DD[0]
    al = np.empty_like(m)
    sum_lo_into(m, _C1_DD[0], ah, al, pt)
    al += me
    al += _C1_DD[1]
    zh, zl = two_prod_fast(xc, ah)
    al *= xc
    zl += al
    return zh, zl


def _tanh_gelu_gate(zh: Array) -> tuple[Array, Array, Array, Array]:
    """e = exp(-|z|), d = 1 + e with its exact rounding error dl, and s: e where z < 0, 1 where
    z >= 0 (then σ(z) = s/(1 + e))."""
    e = np.abs(zh)
    np.negative(e, out=e)
    np.exp(e, out=e)
    d = e + 1.0
    dl = d - 1.0
    np.subtract(e, dl, out=dl)
    s = np.copysign(0.5, zh)
    s += 0.5
    np.maximum(s, e, out=s)
    return e, d, dl, s


def _tanh_gelu_t(zh: Array, e: Array) -> Array:
    """t = e where z >= 0 and exactly 1 where z < 0 (the complement of s)."""
    t = np.copysign(0.5, zh)
    np.subtract(0.5, t, out=t)  # 0 (z >= 0) or 1 (z < 0)
    return np.maximum(t, e, out=t)


def _tanh_gelu_deep(
    zh: Array, zl: Array, r: Array, value: Callable[[Array, Array, npt.NDArray[np.intp]], Array]
) -> None:
    """Below z = -708 exp(z) is subnormal: redo those lanes with exp(z + 128 ln 2) and scale
    back once at the end. ``value(e, zl, idx)`` gives the scaled result from the scaled e."""
    zf = zh.reshape(-1)
    deep = np.flatnonzero(zf < -708.0)
    if deep.size:
        zd = zf[deep]
        sh = zd + _SHIFT_HI
        zld = zl.reshape(-1)[deep] + ((_SHIFT_HI - (sh - zd)) + _SHIFT_LO)
        r.reshape(-1)[deep] = np.ldexp(value(np.exp(sh), zld, deep), -_TAIL_SHIFT)


def _tanh_gelu(x: Array) -> Array:
    # x·σ(z) = x·s/(1 + e), corrected to first order for z's low part (exp(±z) moves by zl·e
    # or zl) and for the rounding of 1 + e: (zl·t - dl)/d, t = e (z >= 0) or 1 (z < 0).
    x = np.ascontiguousarray(x)  # lanes are fixed up through flat (C-order) views
    xc, _, zh, zl = _tanh_gelu_z(x)
    e, d, dl, s = _tanh_gelu_gate(zh)
    t = _tanh_gelu_t(zh, e)
    t *= zl
    t -= dl
    t /= d
    s *= xc
    s /= d
    t *= s
    s += t
    _tanh_gelu_deep(zh, zl, s, lambda ed, zld, idx: xc.reshape(-1)[idx] * ed * (1 + zld))
    big = np.flatnonzero(x.reshape(-1) > GATE_SATURATION)
    if big.size:  # σ = 1: x itself (inf included)
        s.reshape(-1)[big] = x.reshape(-1)[big]
    return s


def _tanh_gelu_grad(x: Array) -> Array:
    # σ(z) + q·σ(z)(1 - σ(z)) = s·(d + t·q)/d^2 with q = x·dz/dx = x·(C1 + 3·C3·x^2) and t = e
    # (z >= 0) or 1 (z < 0). For z < 0, d + q cancels by up to 2x beyond the root window: q is
    # formed as a double-double and d + q by TwoSum, so it rounds about once. z's low part
    # matters where z < 0 (σ about exp(z)): times 1 + zl there.
    x = np.ascontiguousarray(x)  # lanes are fixed up through flat (C-order) views
    xc, p, zh, zl = _tanh_gelu_z(x)
    e, d, dl, s = _tanh_gelu_gate(zh)
    # q = x·(C1 + 3·C3·x^2) = qh + ql (3·C3's head times p exactly).
    qh, ql = _x_times_c1_plus(xc, p, 3 * _C3_DD[0], _C3X3_HEAD, _C3X3_TAIL)
    t = _tanh_gelu_t(zh, e)
    qh *= t
    ql *= t
    # d + qh = u + ul exactly (TwoSum), then the rest.
    u = d + qh
    bv = u - d
    ul = u - bv
    np.subtract(d, ul, out=ul)
    np.subtract(qh, bv, out=bv)
    ul += bv
    ul += dl
    ul += ql
    # s·(u + ul)/(d + dl)^2 with s·u and d^2 formed exactly: the quotient rounds, then one
    # relative correction (ul/u, the products' errors, 2·dl/d and zl where z < 0) is added.
    ul /= u
    nh, ne = two_prod_fast(s, u)
    ne /= nh
    ul += ne
    d2, d2e = two_prod_fast(d, d)
    d2e /= d2
    ul -= d2e
    dl /= d
    ul -= dl
    ul -= dl
    w = np.copysign(0.5, zh, out=d)
    np.subtract(0.5, w, out=w)  # 1 where z < 0
    w *= zl
    ul += w
    nh /= d2
    ul *= nh
    nh += ul
    s = nh

    def deep(ed: Array, zld: Array, idx: npt.NDArray[np.intp]) -> Array:
        xd = xc.reshape(-1)[idx]
        return ed * (1 + xd * (_C1_DD[0] + 3 * _C3_DD[0] * (xd * xd))) * (1 + zld)

    _tanh_gelu_deep(zh, zl, s, deep)
    sf, xf = s.reshape(-1), x.reshape(-1)
    # Around the zero crossing the terms cancel: the Taylor series around the root.
    root_patch(sf, xf, 0.0, GELU_TANH_ROOT, GELU_TANH_SERIES, GELU_TANH_WIDTH, GELU_TANH_C1_LO)
    big = np.flatnonzero(xf > GATE_SATURATION)
    if big.size:
        sf[big] = 1.0
    return s


@quiet
def _gelu(x: Array, *, approximate: str) -> Array:
    # tanh: x/2·(1 + tanh(u)) = x·σ(2u).
    return _tanh_gelu(x) if approximate == "tanh" else _gelu_erf(x)


@quiet
def _gelu_grad(x: Array, g: Array, *, approximate: str) -> Array:
    r = _tanh_gelu_grad(x) if approximate == "tanh" else _gelu_erf_grad(x)
    r *= g
    return r


# float32 kernels: compiled ufuncs (actcli/_kernels/gelu.c, where their fits are described).
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


_TANH = {"approximate": "tanh"}
_TANH_TAIL_NOTE = (
    "0.5·x·(1 + tanh(…)) cancels: its digits go in the negative tail, 0 below x = -8.2"
)


def _hf_gelu_new(torch: Any, t: Any) -> Any:
    """HF's gelu_new (also gelu_python_tanh, gelu_accurate), with torch ops."""
    return (
        0.5 * t * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (t + 0.044715 * torch.pow(t, 3.0))))
    )


GELU = Activation(
    name="gelu",
    library_names=(
        LibraryName("hf", "gelu"),
        LibraryName(
            "hf",
            "gelu_python",
            note="HF's x/2·(1 + erf(x/√2)) cancels: 0 below x = -8.4, where GELU is -1.9e-16",
            formula=lambda torch, t: t * 0.5 * (1.0 + torch.erf(t / math.sqrt(2.0))),
            max_abs=1.8e-15,
            max_rel=1.0,
        ),
        LibraryName(
            "hf",
            "gelu_new",
            _TANH,
            note=_TANH_TAIL_NOTE,
            formula=_hf_gelu_new,
            max_abs=8.9e-16,
            max_rel=1.0,
        ),
        LibraryName("hf", "gelu_pytorch_tanh", _TANH),
        LibraryName(
            "hf",
            "gelu_python_tanh",
            _TANH,
            note=_TANH_TAIL_NOTE,
            formula=_hf_gelu_new,
            max_abs=8.9e-16,
            max_rel=1.0,
        ),
        LibraryName(
            "hf",
            "gelu_accurate",
            _TANH,
            note=_TANH_TAIL_NOTE,
            formula=_hf_gelu_new,
            max_abs=8.9e-16,
            max_rel=1.0,
        ),
        LibraryName(
            "hf",
            "gelu_fast",
            _TANH,
            note=(
                "HF truncates √(2/π) to 0.7978845608, and its 1 + tanh cancels in the negative "
                "tail (MLX's gelu_fast_approx is another function: x·σ(1.702x))"
            ),
            formula=lambda torch, t: (
                0.5 * t * (1.0 + torch.tanh(t * 0.7978845608 * (1.0 + 0.044715 * t * t)))
            ),
            max_abs=9.1e-13,
            max_rel=1.0,
        ),
        LibraryName("timm", "gelu"),
        LibraryName("timm", "gelu_tanh", _TANH),
        LibraryName("keras", "gelu"),
        LibraryName(
            "mlx",
            "gelu",
            note="MLX computes x·(1 + erf(x/√2))/2, which cancels as HF's gelu_python",
            formula=lambda torch, t: t * (1.0 + torch.erf(t / math.sqrt(2.0))) / 2.0,
            max_abs=1.8e-15,
            max_rel=1.0,
        ),
        LibraryName(
            "mlx",
            "gelu_approx",
            _TANH,
            note="MLX's own fit x·σ(1.60033x(1 + 0.0433603x²)), not the tanh form: no actcli name",
            alias=False,
            formula=lambda torch, t: t * torch.sigmoid(1.60033 * t * (1.0 + 0.0433603 * t * t)),
            max_abs=3.6e-4,
            max_rel=1.8e8,
        ),
        LibraryName(
            "jax",
            "gelu",
            _TANH,
            note=(
                "jax.nn.gelu defaults to approximate=True, the tanh form; "
                "actcli's gelu is exact, PyTorch's default"
            ),
            alias=False,
        ),
    ),
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
    library_names=(
        LibraryName("keras", "softsign"),
        LibraryName("mlx", "softsign"),
    ),
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
    library_names=(
        LibraryName("keras", "tanh_shrink"),
        LibraryName("mlx", "tanh_shrink"),
    ),
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
    library_names=(LibraryName("keras", "squareplus"),),
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
