"""Smooth activations built on exp, tanh and erfc: sigmoid and tanh, the ELU family, softplus,
the self-gated SiLU/Swish/Mish/GELU, softsign, tanhshrink and squareplus.

Every kernel receives float64 (the engine computes narrower floats in float64 and rounds once),
and is written so that no intermediate overflows or forms ``inf - inf`` or ``inf * 0``.
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
    MISH_C1_LO,
    MISH_ROOT,
    MISH_SERIES,
    MISH_WIDTH,
    SILU_C1_LO,
    SILU_ROOT,
    SILU_SERIES,
    SILU_WIDTH,
    TANHSHRINK_PIECES,
)
from ._common import (
    GATE_SATURATION,
    Array,
    dd_add,
    dd_div,
    dd_div2,
    dd_mul,
    exp_neg_abs,
    poly,
    poly_dd,
    quiet,
    root_patch,
    sigmoid_from,
    sigmoid_slope_from,
    two_prod,
    two_sum,
)

TORCH = "torch.nn.functional."


# --- sigmoid, logsigmoid, tanh ---------------------------------------------------------------
@quiet
def _sigmoid(x: Array) -> Array:
    return sigmoid_from(x, exp_neg_abs(x))


@quiet
def _sigmoid_grad(x: Array, g: Array) -> Array:
    # e / (1 + e)^2 with e = exp(-|x|), not y(1 - y), which is 0 in the tails.
    return g * sigmoid_slope_from(exp_neg_abs(x))


# float32 kernels: plain float64 (the float32 goal needs no double-double), see forward32.
@quiet
def _sigmoid32(x: Array) -> Array:
    # exp(-x) may overflow to inf below -709: 1/inf is the right 0.
    t = np.negative(x)
    np.exp(t, out=t)
    t += 1
    return np.divide(1.0, t, out=t)


@quiet
def _sigmoid_grad32(x: Array, g: Array) -> Array:
    # e / (1 + e)^2 with e = exp(-|x|): no overflow, and not 0 in the tails.
    e = np.abs(x)
    np.negative(e, out=e)
    np.exp(e, out=e)
    d = e + 1
    d *= d
    np.divide(e, d, out=e)
    e *= g
    return e


register(
    Activation(
        name="sigmoid",
        forward=_sigmoid,
        derivative=_sigmoid_grad,
        forward32=_sigmoid32,
        derivative32=_sigmoid_grad32,
        formula="1 / (1 + exp(-x))",
        mathtext=r"$\frac{1}{1 + e^{-x}}$",
        derivative_formula="σ(x)(1 - σ(x))",
        output_range="(0, 1)",
        torch=TORCH + "sigmoid",
        jax="jax.nn.sigmoid",
        aliases=("logistic",),
        description="The logistic function: squashes any input into (0, 1).",
        properties=frozenset({"monotonic", "bounded", "smooth"}),
    )
)


@quiet
def _logsigmoid(x: Array) -> Array:
    # -softplus(-x) = min(x, 0) - log1p(exp(-|x|)): no overflow, no cancellation.
    return np.minimum(x, 0) - np.log1p(exp_neg_abs(x))


@quiet
def _logsigmoid_grad(x: Array, g: Array) -> Array:
    return g * sigmoid_from(-x, exp_neg_abs(x))


register(
    Activation(
        name="logsigmoid",
        forward=_logsigmoid,
        derivative=_logsigmoid_grad,
        formula="log(1 / (1 + exp(-x))) = -softplus(-x)",
        mathtext=r"$-\log(1 + e^{-x})$",
        derivative_formula="σ(-x) = 1 - σ(x)",
        output_range="(-∞, 0)",
        torch=TORCH + "logsigmoid",
        jax="jax.nn.log_sigmoid",
        aliases=("log_sigmoid",),
        description="Log of the sigmoid, computed without overflow.",
        properties=frozenset({"monotonic", "smooth"}),
    )
)


@quiet
def _tanh(x: Array) -> Array:
    return np.tanh(x)


@quiet
def _tanh_grad(x: Array, g: Array) -> Array:
    # sech^2 x = 4e / (1 + e)^2 with e = exp(-2|x|), not 1 - tanh^2, which is 0 in the tails.
    e = np.exp(-2 * np.minimum(np.abs(x), GATE_SATURATION))
    return g * (4 * sigmoid_slope_from(e))


register(
    Activation(
        name="tanh",
        forward=_tanh,
        derivative=_tanh_grad,
        formula="(exp(x) - exp(-x)) / (exp(x) + exp(-x))",
        mathtext=r"$\tanh(x)$",
        derivative_formula="1 - tanh²(x) = sech²(x)",
        output_range="(-1, 1)",
        torch=TORCH + "tanh",
        jax="jax.nn.tanh",
        description="Hyperbolic tangent: a zero-centred sigmoid with range (-1, 1).",
        properties=frozenset({"monotonic", "bounded", "smooth", "zero_centred"}),
    )
)


# --- the ELU family ----------------------------------------------------------------------------
def _elu_like(x: Array, pos_scale: float, neg_scale: float, input_scale: float) -> Array:
    neg = neg_scale * np.expm1(np.minimum(x, 0) * input_scale)
    return np.where(x > 0, x * pos_scale if pos_scale != 1 else x, neg)


def _elu_like_grad(
    x: Array, g: Array, pos_scale: float, neg_scale: float, input_scale: float
) -> Array:
    # The x <= 0 branch is taken at 0, as PyTorch's elu_backward.
    neg = (neg_scale * input_scale) * np.exp(np.minimum(x, 0) * input_scale)
    return g * np.where(x > 0, pos_scale, neg)


@quiet
def _elu(x: Array, *, alpha: float) -> Array:
    return _elu_like(x, 1.0, alpha, 1.0)


@quiet
def _elu_grad(x: Array, g: Array, *, alpha: float) -> Array:
    return _elu_like_grad(x, g, 1.0, alpha, 1.0)


register(
    Activation(
        name="elu",
        forward=_elu,
        derivative=_elu_grad,
        params=(Param("alpha", 1.0, "the value approached as x -> -inf is -alpha", low=0.0),),
        formula="x if x > 0 else alpha·(exp(x) - 1)",
        mathtext=r"$x \;\mathrm{if}\; x>0 \;\mathrm{else}\; \alpha(e^x - 1)$",
        derivative_formula="1 if x > 0 else alpha·exp(x) (alpha at x = 0)",
        output_range="(-alpha, ∞)",
        torch=TORCH + "elu",
        jax="jax.nn.elu",
        description="Exponential linear unit: smooth negative saturation at -alpha.",
        reference="Clevert, Unterthiner & Hochreiter, ICLR 2016",
        properties=frozenset({"monotonic", "zero_centred"}),
        kinks=(0.0,),
    )
)

#: SELU's constants from Klambauer et al. (2017), to full double precision.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
#: scale·alpha rounded once in double, as PyTorch's kernel: selu is defined by these doubles.
_SELU_SA = SELU_SCALE * SELU_ALPHA


@quiet
def _selu(x: Array) -> Array:
    return np.where(x > 0, SELU_SCALE * x, _SELU_SA * np.expm1(np.minimum(x, 0)))


@quiet
def _selu_grad(x: Array, g: Array) -> Array:
    # scale * alpha at 0 (left derivative), as PyTorch.
    return g * np.where(x > 0, SELU_SCALE, _SELU_SA * np.exp(np.minimum(x, 0)))


register(
    Activation(
        name="selu",
        forward=_selu,
        derivative=_selu_grad,
        formula="scale·(x if x > 0 else alpha·(exp(x) - 1)), alpha ≈ 1.6733, scale ≈ 1.0507",
        mathtext=r"$\lambda\,(x \;\mathrm{if}\; x>0 \;\mathrm{else}\; \alpha(e^x - 1))$",
        derivative_formula="scale if x > 0 else scale·alpha·exp(x) (scale·alpha at x = 0)",
        output_range="(-scale·alpha, ∞) ≈ (-1.7581, ∞)",
        torch=TORCH + "selu",
        jax="jax.nn.selu",
        description="Scaled ELU whose fixed point keeps activations normalised.",
        reference="Klambauer et al., 'Self-Normalizing Neural Networks', NeurIPS 2017",
        properties=frozenset({"monotonic", "zero_centred"}),
        kinks=(0.0,),
    )
)


def _celu_arg(x: Array, alpha: float) -> tuple[Array, Array]:
    """``min(x, 0) / alpha`` as ``uh + ul``: exp(u) keeps its relative accuracy in the tail."""
    xn = np.maximum(np.minimum(x, 0), -1e300)
    uh = xn / alpha
    if alpha == 1:
        return uh, np.zeros_like(uh)
    p, pl = two_prod(np.clip(uh, -1e300 / max(alpha, 1.0), 0), alpha)
    return uh, np.where(np.isfinite(uh), ((xn - p) - pl) / alpha, 0.0)


@quiet
def _celu(x: Array, *, alpha: float) -> Array:
    uh, ul = _celu_arg(x, alpha)
    # expm1(uh + ul) = expm1(uh) + exp(uh)·ul.
    neg = alpha * (np.expm1(uh) + np.exp(uh) * ul)
    return np.where(x > 0, x, neg)


@quiet
def _celu_grad(x: Array, g: Array, *, alpha: float) -> Array:
    # 1 at x = 0 from both sides (C1), as PyTorch.
    uh, ul = _celu_arg(x, alpha)
    return g * np.where(x > 0, 1.0, np.exp(uh) * (1 + ul))


@quiet
def _celu32(x: Array, *, alpha: float) -> Array:
    r = np.clip(x, -np.inf, 0.0)  # clip: 2x faster than minimum
    if alpha != 1:
        r /= alpha
    np.expm1(r, out=r)
    if alpha != 1:
        r *= alpha
    return np.where(x > 0, x, r)


@quiet
def _celu_grad32(x: Array, g: Array, *, alpha: float) -> Array:
    r = np.clip(x, -np.inf, 0.0)
    if alpha != 1:
        r /= alpha
    np.exp(r, out=r)
    r *= g
    return np.where(x > 0, g, r)


register(
    Activation(
        name="celu",
        forward=_celu,
        derivative=_celu_grad,
        forward32=_celu32,
        derivative32=_celu_grad32,
        params=(Param("alpha", 1.0, "scale of the negative branch", low=0.0, low_open=True),),
        formula="max(0, x) + min(0, alpha·(exp(x/alpha) - 1))",
        mathtext=r"$\max(0,x) + \min(0,\,\alpha(e^{x/\alpha} - 1))$",
        derivative_formula="1 if x > 0 else exp(x/alpha)",
        output_range="(-alpha, ∞)",
        torch=TORCH + "celu",
        jax="jax.nn.celu",
        description="Continuously differentiable ELU: slope 1 at 0 for every alpha.",
        reference="Barron, 'Continuously Differentiable Exponential Linear Units', 2017",
        properties=frozenset({"monotonic", "zero_centred"}),
        kinks=(0.0,),
    )
)


# --- softplus ----------------------------------------------------------------------------------
@quiet
def _softplus(x: Array, *, beta: float, threshold: float) -> Array:
    bx = x * beta if beta != 1 else x
    # log(1 + exp(bx)) = max(bx, 0) + log1p(exp(-|bx|)): never overflows.
    smooth = np.maximum(bx, 0) + np.log1p(exp_neg_abs(bx))
    if beta != 1:
        smooth /= beta
    # PyTorch's definition: exactly x where beta*x > threshold.
    return np.where(bx > threshold, x, smooth)


@quiet
def _softplus_grad(x: Array, g: Array, *, beta: float, threshold: float) -> Array:
    bx = x * beta if beta != 1 else x
    return g * np.where(bx > threshold, 1.0, sigmoid_from(bx, exp_neg_abs(bx)))


register(
    Activation(
        name="softplus",
        forward=_softplus,
        derivative=_softplus_grad,
        params=(
            Param("beta", 1.0, "sharpness: larger is closer to relu", low=0.0, low_open=True),
            Param(
                "threshold",
                20.0,
                "beta·x above this returns x exactly (inf: never)",
                allow_inf=True,
            ),
        ),
        formula="log(1 + exp(beta·x)) / beta, or x where beta·x > threshold",
        mathtext=r"$\frac{1}{\beta}\log(1 + e^{\beta x})$",
        derivative_formula="σ(beta·x), or 1 where beta·x > threshold",
        output_range="(0, ∞)",
        torch=TORCH + "softplus",
        jax="jax.nn.softplus",
        description="Smooth approximation of relu; the integral of the sigmoid.",
        reference="Dugas et al., NeurIPS 2000",
        # Not "smooth": PyTorch's definition switches to x at beta*x > threshold (a tiny jump).
        properties=frozenset({"monotonic"}),
        kinks=lambda p: (p["threshold"] / p["beta"],) if np.isfinite(p["threshold"]) else (),
    )
)


# --- silu and swish ----------------------------------------------------------------------------
_LN2_HI = 0.6931471805599453
_LN2_LO = 2.3190468138462996e-17
_TAIL_SHIFT = 128  # exp(z) is subnormal below -708: work with exp(z + 128 ln 2) there
_EXP_SUBNORMAL = -708.0


def _swish_arg(x: Array, beta: float) -> tuple[Array, Any]:
    """``beta * x`` as ``zh + zl``: exact, so the gate's tails keep their relative accuracy."""
    if beta == 1:
        return x, 0.0
    # Beyond |z| = GATE_SATURATION every gate is saturated: clamping there avoids overflow.
    lim = GATE_SATURATION / beta
    zh, zl = two_prod(beta, np.clip(x, -lim, lim))
    return zh, zl


def _exp_scaled(z: Array, zl: Any) -> Array:
    """``exp(z + zl) * 2^128`` for z below -708, where exp(z) alone would be subnormal."""
    sh, sl = two_sum(z, _TAIL_SHIFT * _LN2_HI)
    return np.exp(sh) * (1 + (sl + (zl + _TAIL_SHIFT * _LN2_LO)))


def _one_plus(e: Array) -> tuple[Array, Array]:
    """``1 + e`` for 0 <= e <= 1 as an exact ``hi + lo``."""
    dh = 1 + e
    return dh, e - (dh - 1)


def _x_sigmoid(x: Array, xs: Array, zh: Array, zl: Any) -> Array:
    """x·σ(zh + zl) for a gate argument z given as a double-double.

    ``xs`` is x clamped to where the gate is not saturated (and where x·e cannot overflow).
    x·σ(z) = x/(1 + e) for z >= 0 and x·e/(1 + e) for z < 0, e = exp(-|z|); the product and
    the quotient are carried in double-double, so only exp and the last step round.
    """
    e = exp_neg_abs(zh)
    neg = zh < 0
    dh, dl = _one_plus(e)
    nh, nl = two_prod(xs, np.where(neg, e, 1.0))
    if np.ndim(zl) or zl:
        # σ(zh + zl) = σ(zh)(1 + (1 - σ(zh))·zl) to first order, folded into the numerator.
        nl = nl + nh * (np.where(neg, 1 / dh, e / dh) * zl)
    r = dd_div(nh, nl, dh, dl)
    deep = zh < _EXP_SUBNORMAL
    if deep.any():
        zld = zl[deep] if np.ndim(zl) else zl
        r[deep] = np.ldexp(xs[deep] * _exp_scaled(zh[deep], zld), -_TAIL_SHIFT)
    # Saturated gate: exactly x (or 0) where xs was clamped, ±inf included.
    return np.where(xs == x, r, np.where(x < 0, 0.0, x))


@quiet
def _swish(x: Array, *, beta: float) -> Array:
    if beta == 0:
        return x / 2
    zh, zl = _swish_arg(x, beta)
    lim = min(GATE_SATURATION / beta, 1e300)
    return _x_sigmoid(x, np.clip(x, -lim, lim), zh, zl)


def _gate_slope(zh: Array, zl: Any, qh: Array, ql: Any) -> Array:
    """σ(z) + q·σ(z)(1 - σ(z)) at z = zh + zl, to about 1.5 ulp (silu': q = z).

    z < 0: e(1 + e + q)/(1 + e)^2 with e = exp(z); z >= 0: (1 + e + q·e)/(1 + e)^2 with
    e = exp(-z), numerator and denominator in double-double.
    """
    zc = np.clip(zh, -GATE_SATURATION, GATE_SATURATION)
    qc = np.clip(qh, -1e200, 1e200)
    e = exp_neg_abs(zc)
    neg = zc < 0
    dh, dl = _one_plus(e)
    sqh, sql = two_prod(dh, dh)
    sql = sql + 2 * dh * dl
    ah, al = two_sum(1.0, qc)
    v = ah + (e + (al + ql))
    pn, pnl = two_prod(e, v)
    qe, qel = two_prod(np.clip(qc, -1e280, 1e280), e)
    sh, sl = two_sum(dh, qe)
    nh = np.where(neg, pn, sh)
    nl = np.where(neg, pnl, sl + (dl + qel + ql * e))
    if np.ndim(zl) or zl:
        # + d/dz[σ + qσ'] · zl = σ'(1 + q(1 - 2σ)) · zl (q's own low part is in the numerator),
        # folded into the numerator (times the denominator).
        s = np.where(neg, e / dh, 1 / dh)
        nl = nl + ((s * (1 - s)) * (1 + qc * (1 - 2 * s)) * zl) * sqh
    r = dd_div(nh, nl, sqh, sql)
    deep = zc < _EXP_SUBNORMAL
    if deep.any():
        zld = zl[deep] if np.ndim(zl) else zl
        qd = qc[deep]
        r[deep] = np.ldexp(_exp_scaled(zc[deep], zld) * (1 + qd), -_TAIL_SHIFT)
    return r


def _silu_slope(zh: Array, zl: Any) -> Array:
    zc = np.clip(zh, -GATE_SATURATION, GATE_SATURATION)
    r = _gate_slope(zc, zl, zc, zl)
    return root_patch(r, zc, zl, SILU_ROOT, SILU_SERIES, SILU_WIDTH, SILU_C1_LO)


@quiet
def _swish_grad(x: Array, g: Array, *, beta: float) -> Array:
    if beta == 0:
        return g * 0.5
    # d/dx x·σ(βx) = silu'(βx).
    return g * _silu_slope(*_swish_arg(x, beta))


#: Below this gate argument x·σ(z) and its slope are far below float32's smallest subnormal.
_GATE32_LOW = -200.0


@quiet
def _swish32(x: Array, *, beta: float) -> Array:
    if beta == 0:
        return x / 2
    # x / (1 + exp(-βx)) with x clamped where the result underflows (no -inf/inf = NaN).
    xm = np.clip(x, _GATE32_LOW / beta, np.inf)  # clip: 2x faster than maximum
    t = np.multiply(xm, -beta) if beta != 1 else np.negative(xm)
    np.exp(t, out=t)
    t += 1
    return np.divide(xm, t, out=t)


@quiet
def _silu_slope32(z: Array) -> Array:
    # σ(z)(1 + z(1 - σ(z))) with z clamped: σ(±200) is 1 and 0 with slope 0, beyond float32.
    z = np.clip(z, _GATE32_LOW, -_GATE32_LOW)
    s = np.negative(z)
    np.exp(s, out=s)
    s += 1
    np.divide(1.0, s, out=s)
    r = np.subtract(1.0, s)
    r *= z
    r += 1
    r *= s
    return r


def _swish_grad32(x: Array, g: Array, *, beta: float) -> Array:
    if beta == 0:
        return g * 0.5
    r = _silu_slope32(x * beta if beta != 1 else x)
    r *= g
    return r


register(
    Activation(
        name="swish",
        forward=_swish,
        derivative=_swish_grad,
        forward32=_swish32,
        derivative32=_swish_grad32,
        params=(Param("beta", 1.0, "gate sharpness (1: silu, -> inf: relu)", low=0.0),),
        formula="x · σ(beta·x)",
        mathtext=r"$x\,\sigma(\beta x)$",
        derivative_formula="σ(βx) + βx·σ(βx)(1 - σ(βx))",
        output_range="[≈ -0.2785/beta, ∞)",
        torch=None,
        jax="jax.nn.swish",
        description="x gated by a sigmoid of beta·x; silu is beta = 1.",
        reference="Ramachandran, Zoph & Le, 'Searching for Activation Functions', 2017",
        properties=frozenset({"smooth", "zero_centred", "self_gated"}),
    )
)


@quiet
def _silu(x: Array) -> Array:
    return _swish(x, beta=1.0)


@quiet
def _silu_grad(x: Array, g: Array) -> Array:
    return g * _silu_slope(x, 0.0)


def _silu32(x: Array) -> Array:
    return _swish32(x, beta=1.0)


def _silu_grad32(x: Array, g: Array) -> Array:
    r = _silu_slope32(x)
    r *= g
    return r


register(
    Activation(
        name="silu",
        forward=_silu,
        derivative=_silu_grad,
        forward32=_silu32,
        derivative32=_silu_grad32,
        formula="x · σ(x)",
        mathtext=r"$x\,\sigma(x)$",
        derivative_formula="σ(x)(1 + x(1 - σ(x)))",
        output_range="[≈ -0.2785, ∞)",
        torch=TORCH + "silu",
        jax="jax.nn.silu",
        description="Sigmoid-weighted linear unit (swish with beta = 1).",
        reference="Hendrycks & Gimpel 2016; Elfwing, Uchibe & Doya 2018",
        properties=frozenset({"smooth", "zero_centred", "self_gated"}),
    )
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
def _mish(x: Array) -> Array:
    xc, _, _, nh, nl, dh, dl = _mish_parts(x)
    mh, ml = dd_mul(xc, 0.0, nh, nl)
    r = dd_div(mh, ml, dh, dl)
    deep = xc < _EXP_SUBNORMAL
    if deep.any():
        # The gate is e(1 - e/2 + ...) = e to double precision: x·exp(x), scaled.
        r[deep] = np.ldexp(xc[deep] * _exp_scaled(xc[deep], 0.0), -_TAIL_SHIFT)
    return np.where(np.abs(x) < GATE_SATURATION, r, np.where(x < 0, 0.0, x))


@quiet
def _mish_grad(x: Array, g: Array) -> Array:
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
    return g * root_patch(r, xc, 0.0, MISH_ROOT, MISH_SERIES, MISH_WIDTH, MISH_C1_LO)


def _mish_gate32(xc: Array) -> tuple[Array, Array, Array]:
    # tanh(softplus(x)) = n/(n + 2), n = u(u + 2), u = exp(x) (x <= 20: beyond it rounds to 1).
    u = np.clip(xc, -np.inf, 20.0)
    np.exp(u, out=u)
    n = u + 2
    n *= u
    d = n + 2
    return u, np.divide(n, d, out=n), d


@quiet
def _mish32(x: Array) -> Array:
    xm = np.clip(x, _GATE32_LOW, np.inf)  # mish underflows float32 there; no -inf·0
    _, t, _ = _mish_gate32(xm)
    t *= xm
    return t


@quiet
def _mish_grad32(x: Array, g: Array) -> Array:
    # t + x·sech²(sp)·σ(x) = t + 4x·u(1 + u)/(n + 2)^2.
    xc = np.clip(x, _GATE32_LOW, 20.0)
    u, t, d = _mish_gate32(xc)
    r = u + 1
    r *= u
    r *= xc
    r *= 4
    d *= d
    r /= d
    r += t
    near = np.abs(xc - MISH_ROOT[0]) < 0.01
    if near.any():
        # The two terms cancel around mish's zero crossing (up to 0.4 float32 ulp there).
        r[near] = _mish_grad(xc[near], np.ones(1))
    r *= g
    return r


register(
    Activation(
        name="mish",
        forward=_mish,
        derivative=_mish_grad,
        forward32=_mish32,
        derivative32=_mish_grad32,
        formula="x · tanh(softplus(x))",
        mathtext=r"$x\,\tanh(\log(1 + e^x))$",
        derivative_formula="tanh(sp(x)) + x·sech²(sp(x))·σ(x)",
        output_range="[≈ -0.3088, ∞)",
        torch=TORCH + "mish",
        jax="jax.nn.mish",
        description="Self-regularised, non-monotonic smooth activation.",
        reference="Misra, 'Mish: A Self Regularized Non-Monotonic Activation Function', 2019",
        properties=frozenset({"smooth", "zero_centred", "self_gated"}),
    )
)


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


def _erfcx32(z: Array) -> Array:
    """exp(z^2)·erfc(z) for 0 <= z < 16 (NaN passes) in plain double: the Chebyshev pieces of
    :func:`_erfcx` without their double-double last steps."""
    out = z.copy()
    for lo, hi, c, coeffs, _ in ERFCX_PIECES:
        piece = z >= lo
        piece &= z < hi
        zp = z[piece]
        if zp.size:
            u = zp - c
            acc = np.full_like(u, coeffs[-1])
            for k in reversed(coeffs[:-1]):
                acc *= u
                acc += k
            if lo >= 4:
                acc /= zp
            out[piece] = acc
    return out


#: erfcx(z) on [0, 10.61] as a polynomial in s = S[0]·t - S[1], t = 1/(1 + z/4) (s in [-1, 1]):
#: numpy's least-squares Chebyshev fit of degree 11 to scipy.special.erfcx at 41002 points,
#: converted to powers of s; max relative error 3.6e-10, 0.006 float32 ulp. One short
#: polynomial, no pieces: 3x faster than _erfcx32, which serves where the last bits matter.
_ERFCX32_S = (2.7540056550424126, 1.7540056550424128)
_ERFCX32_POLY = (
    0.22841836084358053,
    0.309961808999296,
    0.22081481521623003,
    0.13276293721635657,
    0.06717509441065854,
    0.0282676358165098,
    0.009641042668890825,
    0.0025216177163191393,
    0.00043539139114790105,
    1.7920870079438458e-05,
    -1.3622990608282406e-05,
    -3.002261795505448e-06,
)


def _erfcx_fit32(z: Array) -> Array:
    s = np.multiply(z, 0.25)
    s += 1
    np.divide(_ERFCX32_S[0], s, out=s)
    s -= _ERFCX32_S[1]
    acc = np.full_like(s, _ERFCX32_POLY[-1])
    for k in reversed(_ERFCX32_POLY[:-1]):
        acc *= s
        acc += k
    return acc


def _gelu_q32(xc: Array) -> tuple[Array, Array]:
    """0.5·erfcx(|x|/√2) (to about 4e-10) and exp(-x^2/2): Q = Φ(-|x|) is their product."""
    z = np.abs(xc)
    z *= _SQRT_HALF
    h = _erfcx_fit32(z)
    h *= 0.5
    e = np.multiply(xc, xc)
    e *= -0.5
    np.exp(e, out=e)
    return h, e


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
    xc = np.clip(x, -_GELU32_SATURATION, _GELU32_SATURATION)
    q, e = _gelu_q32(xc)
    q *= e
    # Φ(x) = [x >= 0] - copysign(Q, x): Q for x < 0, 1 - Q for x >= 0 (-0: Q, the same 0.5).
    # (A bool added, not a ufunc where=: that masked loop is 5x slower than the whole add.)
    np.copysign(q, xc, out=q)
    np.subtract(~np.signbit(xc), q, out=q)
    # x itself beyond +15 (Φ = 1, ±inf kept); -15 below -15 (the product rounds to -0).
    q *= np.clip(x, -_GELU32_SATURATION, np.inf)
    return q


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
    h, e = _gelu_q32(xc)
    near = np.abs(xc - GELU_ROOT[0]) < 0.1
    if near.any():
        # Around the zero crossing of gelu' the two terms cancel: h to the last bit there.
        h[near] = 0.5 * _erfcx32(np.abs(xc[near]) * _SQRT_HALF)
    # Φ(x) + x·φ(x): x < 0: e·(h + x/√(2π)); x >= 0: 1 + e·(x/√(2π) - h), h = erfcx/2.
    np.copysign(h, xc, out=h)
    t = xc * INV_SQRT_2PI[0]
    t -= h
    t *= e
    np.add(t, ~np.signbit(xc), out=t)
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
