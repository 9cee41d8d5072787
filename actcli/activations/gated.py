"""Self-gated activations x·gate(x): swish, silu and mish.

The float64 kernels are plain float64 with error-free corrections (Dekker products, TwoSums,
corrected quotients; see the fast paths in ``_gates``), in exp(-x) where the formulas need no
branch; the few lanes where those overflow (large |x|, ±inf) go to the double-double kernels
(``_mish_dd``, ``_gates._x_sigmoid``, ...) as a subset, and the lanes near a gradient's zero
crossing to its Taylor series. The ``*32`` kernels serve float16/float32 input (see
``Activation.forward32``): compiled ufuncs, actcli/_kernels/gated.c.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _kernels
from ..records import Activation, Doc, Kernels, LibraryName, Naive, Param
from . import _textbook as textbook
from ._coeffs import (
    MISH_C1_LO,
    MISH_ROOT,
    MISH_SERIES,
    MISH_WIDTH,
    SILU_C1_LO,
    SILU_ROOT,
    SILU_SERIES,
    SILU_WIDTH,
)
from ._common import (
    GATE_SATURATION,
    Array,
    dd_add,
    dd_div,
    dd_mul,
    div_lo_into,
    exp_neg_abs,
    prod_lo_into,
    quiet,
    root_patch,
    split_into,
    square_lo_into,
    sum_lo_into,
    two_prod,
    two_sum,
)
from ._common import returning as _returning
from ._curvature import mish_second, silu_second, swish_second
from ._gates import (
    _EXP_SUBNORMAL,
    _TAIL_SHIFT,
    _exp_scaled,
    patch_root_into,
    silu_slope_into,
    x_sigmoid_into,
)

TORCH = "torch.nn.functional."
# --- silu and swish ----------------------------------------------------------------------------


def _swish_arg(x: Array, beta: float) -> tuple[Array, Any, float]:
    """``beta * x`` as ``zh + zl`` (exact, so the gate's tails keep their relative accuracy)
    and the |x| beyond which the gate is saturated."""
    lim = GATE_SATURATION / beta
    if beta == 1:
        return x, 0.0, lim
    # Beyond |z| = GATE_SATURATION every gate is saturated: clamping there avoids overflow (the
    # masked split below cannot overflow, so a tiny beta needs no tighter clamp).
    xc = np.clip(x, -lim, lim)
    zh = xc * beta
    if beta == 2.0 ** np.round(np.log2(beta)):
        return zh, 0.0, lim  # a power of two: the product is exact
    # Dekker's product, with beta split once.
    b = np.array([beta])
    bh, bl = np.empty(1), np.empty(1)
    split_into(b, bh, bl)
    xh, xl = np.empty_like(xc), np.empty_like(xc)
    split_into(xc, xh, xl)
    zl = xh * bh[0]
    zl -= zh
    xh *= bl[0]
    zl += xh
    np.multiply(xl, bh[0], out=xh)
    zl += xh
    xl *= bl[0]
    zl += xl
    return zh, zl, lim


@quiet
def _swish_into(x: Array, out: Array, *, beta: float) -> None:
    if beta == 0:
        np.multiply(x, 0.5, out=out)
        return
    zh, zl, lim = _swish_arg(x, beta)
    x_sigmoid_into(x, zh, zl, lim, out)


def _half_slope_into(x: Array, g: Array, out: Array) -> None:
    """out = g/2, the VJP of x/2 (swish at beta = 0), NaN where x is NaN (NaN in, NaN out)."""
    np.multiply(g, 0.5, out=out)
    np.copyto(out, x, where=np.isnan(x))


@quiet
def _swish_grad_into(x: Array, g: Array, out: Array, *, beta: float) -> None:
    if beta == 0:
        _half_slope_into(x, g, out)
        return
    # d/dx x·σ(βx) = silu'(βx).
    zh, zl, _ = _swish_arg(x, beta)
    silu_slope_into(zh, zl, out)
    patch_root_into(out, zh, zl, SILU_ROOT, SILU_SERIES, SILU_WIDTH, SILU_C1_LO)
    out *= g


_swish = _returning(_swish_into)
_swish_grad = _returning(_swish_grad_into)


_swish32 = _kernels.forward("swish", ("beta",))
_swish_grad32 = _kernels.vjp("swish", ("beta",))


def _naive_mish_grad(x: Array, g: Array) -> Array:
    t = np.tanh(np.log(1 + np.exp(x)))
    return g * (t + x * (1 - t**2) * textbook.sigmoid(x))


SWISH = Activation(
    name="swish",
    library_names=(
        LibraryName("hf", "quick_gelu", {"beta": 1.702}),
        LibraryName("timm", "quick_gelu", {"beta": 1.702}),
        LibraryName(
            "mlx",
            "gelu_fast_approx",
            {"beta": 1.702},
            note="MLX's fast GELU; not HF's gelu_fast, which is the tanh GELU",
        ),
    ),
    doc=Doc(
        formula="x · σ(beta·x)",
        mathtext=r"$x\,\sigma(\beta x)$",
        derivative="σ(βx) + βx·σ(βx)(1 - σ(βx))",
        output_range="[≈ -0.2785/beta, ∞)",
        description="x gated by a sigmoid of beta·x; silu is beta = 1.",
        torch=None,
        jax="jax.nn.swish",
        reference="Ramachandran, Zoph & Le, 'Searching for Activation Functions', 2017",
        properties=frozenset({"smooth", "zero_centred", "self_gated"}),
        second_derivative="beta·σ'(z)(2 - z·tanh(z/2)), z = beta·x",
    ),
    kernels=Kernels(
        forward=_swish,
        derivative=_swish_grad,
        forward32=_swish32,
        derivative32=_swish_grad32,
        second=swish_second,
    ),
    params=(Param("beta", 1.0, "gate sharpness (1: silu, -> inf: relu)", low=0.0),),
    settings=(
        {"beta": 0.5},
        {"beta": 3.0},
    ),
    naive=Naive(
        lambda x, beta: x * textbook.sigmoid(beta * x),
        lambda x, g, beta: (
            g
            * (
                textbook.sigmoid(beta * x)
                + beta * x * textbook.sigmoid(beta * x) * (1 - textbook.sigmoid(beta * x))
            )
        ),
    ),
)


def _silu_into(x: Array, out: Array) -> None:
    _swish_into(x, out, beta=1.0)


def _silu_grad_into(x: Array, g: Array, out: Array) -> None:
    _swish_grad_into(x, g, out, beta=1.0)


_silu = _returning(_silu_into)
_silu_grad = _returning(_silu_grad_into)


_silu32 = _kernels.forward("silu")
_silu_grad32 = _kernels.vjp("silu")


SILU = Activation(
    name="silu",
    library_names=(
        LibraryName("hf", "silu"),
        LibraryName("hf", "swish", alias=False),
        LibraryName("timm", "silu"),
        LibraryName("timm", "swish", alias=False),
        LibraryName("keras", "silu"),
        LibraryName("keras", "swish", alias=False),
        LibraryName("mlx", "silu"),
    ),
    doc=Doc(
        formula="x · σ(x)",
        mathtext=r"$x\,\sigma(x)$",
        derivative="σ(x)(1 + x(1 - σ(x)))",
        output_range="[≈ -0.2785, ∞)",
        description="Sigmoid-weighted linear unit (swish with beta = 1).",
        torch=TORCH + "silu",
        jax="jax.nn.silu",
        reference="Hendrycks & Gimpel 2016; Elfwing, Uchibe & Doya 2018",
        properties=frozenset({"smooth", "zero_centred", "self_gated"}),
        second_derivative="σ'(x)(2 - x·tanh(x/2)) = σ(x)(1 - σ(x))(2 + x(1 - 2σ(x)))",
    ),
    kernels=Kernels(
        forward=_silu,
        derivative=_silu_grad,
        forward32=_silu32,
        derivative32=_silu_grad32,
        second=silu_second,
    ),
    naive=Naive(
        lambda x: x * textbook.sigmoid(x),
        lambda x, g: (
            g * (textbook.sigmoid(x) + x * textbook.sigmoid(x) * (1 - textbook.sigmoid(x)))
        ),
    ),
)


# --- mish --------------------------------------------------------------------------------------
def _mish_parts(x: Array) -> tuple[Array, Array, Any, Array, Array, Array, Array]:
    """tanh(softplus(x)) = num/den as double-doubles in e = exp(-|x|), which never overflows.

    x <= 0: num = n = e(e + 2), den = n + 2;   x > 0: num = 1 + 2e, den = 1 + 2e + 2e^2.
    Returns xc (x clamped where the gate saturates), e, pos, and num, den as (hi, lo) pairs.
    """
    xc = np.clip(x, -GATE_SATURATION, GATE_SATURATION)
    e = exp_neg_abs(xc)
    pos = xc > 0
    s2h, s2l = two_sum(2.0, e)
    nh, nl = dd_mul(e, 0.0, s2h, s2l)  # e(e + 2)
    dnh, dnl = dd_add(nh, nl, 2.0, 0.0)
    ph, pl = two_sum(1.0, 2 * e)  # 1 + 2e
    e2h, e2l = two_prod(e, e)
    dph, dpl = dd_add(ph, pl, 2 * e2h, 2 * e2l)
    return (
        xc,
        e,
        pos,
        np.where(pos, ph, nh),
        np.where(pos, pl, nl),
        np.where(pos, dph, dnh),
        np.where(pos, dpl, dnl),
    )


@quiet
def _mish_dd(x: Array) -> Array:
    xc, _, _, nh, nl, dh, dl = _mish_parts(x)
    mh, ml = dd_mul(xc, 0.0, nh, nl)
    r = dd_div(mh, ml, dh, dl)
    deep = xc < _EXP_SUBNORMAL
    if deep.any():
        # The gate is e(1 - e/2 + ...) = e to double precision: x·exp(x), scaled.
        r[deep] = np.ldexp(xc[deep] * _exp_scaled(xc[deep], 0.0), -_TAIL_SHIFT)
    return np.where(np.abs(x) < GATE_SATURATION, r, np.where(x < 0, 0.0, x))


@quiet
def _mish_grad_dd(x: Array) -> Array:
    xc, e, pos, nh, nl, dh, dl = _mish_parts(x)
    # mish' = tanh(sp) + x·sech²(sp)·σ(x) = (num·den + 4x·e^k(1 + e)) / den², k = 2 for x > 0,
    # 1 for x <= 0, all in double-double: for x < 0 the two terms cancel.
    ekh, ekl = dd_mul(e, 0.0, np.where(pos, e, 1.0), 0.0)
    oh, ol = two_sum(1.0, e)
    th, tl = dd_mul(ekh, ekl, oh, ol)
    th, tl = dd_mul(th, tl, 4 * xc, 0.0)
    ah, al = dd_mul(nh, nl, dh, dl)
    sh, sl = dd_add(ah, al, th, tl)
    qh, ql = dd_mul(dh, dl, dh, dl)
    r = dd_div(sh, sl, qh, ql)
    deep = xc < _EXP_SUBNORMAL
    if deep.any():
        xd = xc[deep]
        r[deep] = np.ldexp(_exp_scaled(xd, 0.0) * (1 + xd), -_TAIL_SHIFT)
    return root_patch(r, xc, 0.0, MISH_ROOT, MISH_SERIES, MISH_WIDTH, MISH_C1_LO)


def _mish_gate_parts(x: Array) -> tuple[Array, Array, Array, Array, Array, Array, Array]:
    """tanh(softplus(x)) = a/b with E = exp(-x): a = 1 + 2E, b = a + 2E^2, as hi + lo pairs.

    Returns E, E^2 (hi, lo), a, its low part, b, its low part. E^2 is Dekker's square and b a
    TwoSum; a's low part is exact where E >= 1/2 (Fast2Sum) and within 2^-54 elsewhere, where
    the result hardly depends on it.
    """
    e = np.negative(x)
    np.exp(e, out=e)
    eh, el = np.empty_like(e), np.empty_like(e)
    split_into(e, eh, el)
    e2 = e * e
    e2l = np.empty_like(e)
    square_lo_into(e2, eh, el, e2l)
    tw = np.add(e, e, out=eh)
    a = tw + 1.0
    al = np.subtract(a, tw, out=el)
    np.subtract(1.0, al, out=al)
    np.add(e2, e2, out=tw)  # 2E^2, exactly
    b = tw + a
    bl, t = np.empty_like(e), np.empty_like(e)
    sum_lo_into(a, tw, b, bl, t)
    bl += al
    bl += e2l
    bl += e2l
    return e, e2, e2l, a, al, b, bl


@quiet
def _mish_into(x: Array, out: Array) -> None:
    # x·a/b with x·a as Dekker's product and a first-order correction of the quotient.
    _, e2, e2l, a, al, b, bl = _mish_gate_parts(x)
    xh, xl = np.empty_like(x), np.empty_like(x)
    split_into(x, xh, xl)
    ah, alo = e2, e2l
    split_into(a, ah, alo)
    p = np.multiply(x, a, out=out)
    pl = np.empty_like(x)
    prod_lo_into(p, xh, xl, ah, alo, pl)
    np.multiply(x, al, out=al)
    pl += al
    div_lo_into(p, pl, b, bl, out)
    # NaN marks the lanes left to the double-double kernel: 2E^2 = inf (x < -354.9), x = +inf
    # (inf - inf in the product's error), and NaN input.
    slow = np.isnan(out)
    if slow.any():
        out[slow] = _mish_dd(x[slow])
    # tanh(softplus(x)) > 0: the result has x's sign, also where it is a zero (x = -0, where
    # the correction's -0 - -0 gives +0, and the underflowed or saturated x < 0 lanes).
    np.copysign(out, x, out=out)


def _mish_slope_exact(x: Array, out: Array) -> None:
    """out = mish'(x) = tanh(sp) + x·sech²(sp)·σ(x) = (a·b + 4x·E^2(1 + E))/b^2 with numerator
    and denominator as exact hi + lo pairs (the two terms cancel for x < 0), then a corrected
    quotient; NaN where b^2 overflows (x < -177) or x = +inf."""
    e, e2, e2l, a, al, b, bl = _mish_gate_parts(x)
    s1, s2, s3, s4 = (np.empty_like(x) for _ in range(4))
    # A = a·b.
    split_into(a, s1, s2)
    split_into(b, s3, s4)
    big_a = a * b
    big_al = np.empty_like(x)
    prod_lo_into(big_a, s1, s2, s3, s4, big_al)
    np.multiply(a, bl, out=s1)
    big_al += s1
    np.multiply(al, b, out=s1)
    big_al += s1
    # F = 1 + E (TwoSum), G = E^2·F.
    f = np.add(e, 1.0, out=a)
    fl = al
    sum_lo_into(1.0, e, f, fl, s1)
    split_into(e2, s1, s2)
    split_into(f, s3, s4)
    gg = np.multiply(e2, f, out=e)
    gl = np.empty_like(x)
    prod_lo_into(gg, s1, s2, s3, s4, gl)
    np.multiply(e2, fl, out=s1)
    gl += s1
    np.multiply(e2l, f, out=s1)
    gl += s1
    # H = 4x·G.
    split_into(x, s1, s2)
    split_into(gg, s3, s4)
    h = np.multiply(x, gg, out=e2)
    hl = e2l
    prod_lo_into(h, s1, s2, s3, s4, hl)
    np.multiply(x, gl, out=gl)
    hl += gl
    h *= 4.0
    hl *= 4.0
    # N = A + H.
    n = np.add(big_a, h, out=out)
    nl = gl
    sum_lo_into(big_a, h, n, nl, s1)
    nl += big_al
    nl += hl
    # D = b^2.
    split_into(b, s1, s2)
    d = np.multiply(b, b, out=big_a)
    dl = big_al
    square_lo_into(d, s1, s2, dl)
    np.multiply(b, bl, out=bl)
    bl += bl
    dl += bl
    div_lo_into(n, nl, d, dl, out)


@quiet
def _mish_grad_into(x: Array, g: Array, out: Array) -> None:
    if x.ndim != 1:
        # Small N-D input: the 1-D kernel on the flattened lanes, so that it gives the bits the
        # engine's 1-D chunks of a large input give (the exact form alone rounds differently).
        flat = np.empty(x.size)
        _mish_grad_into(x.ravel(), g.ravel(), flat)
        out[...] = flat.reshape(out.shape)
        return
    # x >= 0: no cancellation, t + x·S (t = a/b, S = sech²(sp)·σ(x) = 4E^2(1 + E)/b^2) with
    # b = a + 2E^2 carried (Fast2Sum: a >= 2E^2 there) is within 1.7 ulp (p99.9 1.2).
    # x < 0: the exact form, on the gathered lanes only.
    e = np.negative(x)
    np.exp(e, out=e)
    e2 = e * e
    a = np.add(e, e, out=out)
    a += 1.0
    bl = e2 + e2
    b = bl + a
    r = b - a
    np.subtract(bl, r, out=bl)
    t = np.divide(a, b, out=out)
    bl *= t
    bl /= b  # t·bl/b: a/(b + bl) = t - t·bl/b
    e += 1.0
    e *= e2
    e *= 4.0
    b *= b
    e /= b
    e *= x
    e -= bl
    t += e
    neg = np.flatnonzero(x < 0)
    if neg.size:
        xn = x.take(neg)
        rn = np.empty_like(xn)
        _mish_slope_exact(xn, rn)
        patch_root_into(rn, xn, 0.0, MISH_ROOT, MISH_SERIES, MISH_WIDTH, MISH_C1_LO)
        out[neg] = rn
    # NaN marks the lanes left to the double-double kernel: b^2 = inf (x < -177, inf·0 in the
    # correction), x = +inf (inf·0), and NaN input.
    slow = np.isnan(out)
    if slow.any():
        out[slow] = _mish_grad_dd(x[slow])
    out *= g


_mish = _returning(_mish_into)
_mish_grad = _returning(_mish_grad_into)


_mish32 = _kernels.forward("mish")
_mish_grad32 = _kernels.vjp("mish")


MISH = Activation(
    name="mish",
    library_names=(
        LibraryName("hf", "mish"),
        LibraryName("timm", "mish"),
        LibraryName("keras", "mish"),
        LibraryName("mlx", "mish"),
    ),
    doc=Doc(
        formula="x · tanh(softplus(x))",
        mathtext=r"$x\,\tanh(\log(1 + e^x))$",
        derivative="tanh(sp(x)) + x·sech²(sp(x))·σ(x)",
        output_range="[≈ -0.3088, ∞)",
        description="Self-regularised, non-monotonic smooth activation.",
        torch=TORCH + "mish",
        jax="jax.nn.mish",
        reference="Misra, 'Mish: A Self Regularized Non-Monotonic Activation Function', 2019",
        properties=frozenset({"smooth", "zero_centred", "self_gated"}),
        second_derivative="sech²(sp)·σ(x)·(2 + x(1 - σ(x) - 2σ(x)·tanh(sp))), sp = softplus(x)",
    ),
    kernels=Kernels(
        forward=_mish,
        derivative=_mish_grad,
        forward32=_mish32,
        derivative32=_mish_grad32,
        second=mish_second,
    ),
    naive=Naive(
        lambda x: x * np.tanh(np.log(1 + np.exp(x))),
        _naive_mish_grad,
    ),
)

ACTIVATIONS = (
    SWISH,
    SILU,
    MISH,
)
