"""Smooth activations built on exp, tanh and erfc: sigmoid and tanh, the ELU family, softplus,
the self-gated SiLU/Swish/Mish/GELU, softsign, tanhshrink and squareplus.

Every kernel receives float64 (the engine computes narrower floats in float64 and rounds once),
and is written so that no intermediate overflows or forms ``inf - inf`` or ``inf * 0``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from ..registry import Activation, Param, register
from ._coeffs import SERIES_HALF_WIDTH, SILU_ROOT, SILU_SERIES
from ._common import (
    GATE_SATURATION,
    Array,
    dd_div,
    exp_neg_abs,
    gate_input,
    root_patch,
    sigmoid_from,
    sigmoid_slope_from,
    two_prod,
    two_sum,
)

TORCH = "torch.nn.functional."


# --- sigmoid, logsigmoid, tanh ---------------------------------------------------------------
def _sigmoid(x: Array) -> Array:
    return sigmoid_from(x, exp_neg_abs(x))


def _sigmoid_grad(x: Array, g: Array) -> Array:
    # e / (1 + e)^2 with e = exp(-|x|), not y(1 - y), which is 0 in the tails.
    return g * sigmoid_slope_from(exp_neg_abs(x))


register(
    Activation(
        name="sigmoid",
        forward=_sigmoid,
        derivative=_sigmoid_grad,
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


def _logsigmoid(x: Array) -> Array:
    # -softplus(-x) = min(x, 0) - log1p(exp(-|x|)): no overflow, no cancellation.
    return np.minimum(x, 0) - np.log1p(exp_neg_abs(x))


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


def _tanh(x: Array) -> Array:
    return np.tanh(x)


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


def _elu(x: Array, *, alpha: float) -> Array:
    return _elu_like(x, 1.0, alpha, 1.0)


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


def _selu(x: Array) -> Array:
    return _elu_like(x, SELU_SCALE, SELU_SCALE * SELU_ALPHA, 1.0)


def _selu_grad(x: Array, g: Array) -> Array:
    # scale * alpha at 0 (left derivative), as PyTorch.
    return _elu_like_grad(x, g, SELU_SCALE, SELU_SCALE * SELU_ALPHA, 1.0)


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


def _celu(x: Array, *, alpha: float) -> Array:
    return _elu_like(x, 1.0, alpha, 1.0 / alpha)


def _celu_grad(x: Array, g: Array, *, alpha: float) -> Array:
    # 1 at x = 0 from both sides (C1), as PyTorch.
    return _elu_like_grad(x, g, 1.0, alpha, 1.0 / alpha)


register(
    Activation(
        name="celu",
        forward=_celu,
        derivative=_celu_grad,
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
def _softplus(x: Array, *, beta: float, threshold: float) -> Array:
    bx = x * beta if beta != 1 else x
    # log(1 + exp(bx)) = max(bx, 0) + log1p(exp(-|bx|)): never overflows.
    smooth = np.maximum(bx, 0) + np.log1p(exp_neg_abs(bx))
    if beta != 1:
        smooth /= beta
    # PyTorch's definition: exactly x where beta*x > threshold.
    return np.where(bx > threshold, x, smooth)


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


def _swish(x: Array, *, beta: float) -> Array:
    if beta == 0:
        return x / 2
    zh, zl = _swish_arg(x, beta)
    e = exp_neg_abs(zh)
    neg = zh < 0
    dh, dl = _one_plus(e)
    # x·σ(z) = x/(1 + e) for z >= 0 and x·e/(1 + e) for z < 0, e = exp(-|z|); the product and
    # the quotient are carried in double-double, so only exp and the last step round.
    lim = min(GATE_SATURATION / beta, 1e300)
    xs = np.clip(x, -lim, lim)
    nh, nl = two_prod(xs, np.where(neg, e, 1.0))
    r = dd_div(nh, nl, dh, dl)
    if np.ndim(zl) or zl:
        # σ(zh + zl) = σ(zh)(1 + (1 - σ(zh))·zl) to first order.
        r = r * (1 + np.where(neg, 1 / dh, e / dh) * zl)
    deep = zh < _EXP_SUBNORMAL
    if deep.any():
        zld = zl[deep] if np.ndim(zl) else zl
        r[deep] = np.ldexp(xs[deep] * _exp_scaled(zh[deep], zld), -_TAIL_SHIFT)
    # Saturated gate: exactly x (or 0) beyond |x| = GATE_SATURATION, ±inf included.
    return np.where(np.abs(x) < lim, r, np.where(x < 0, 0.0, x))


def _silu_slope(zh: Array, zl: Any) -> Array:
    """silu'(z) = σ(z) + z·σ(z)(1 - σ(z)) at z = zh + zl, to about 1.5 ulp."""
    zc = np.clip(zh, -GATE_SATURATION, GATE_SATURATION)
    e = exp_neg_abs(zc)
    neg = zc < 0
    dh, dl = _one_plus(e)
    # (1 + e)^2 as a double-double.
    qh, ql = two_prod(dh, dh)
    ql = ql + 2 * dh * dl
    # Numerator: z < 0: e·(1 + z + e) (e = exp(z)); z >= 0: 1 + e + z·e (e = exp(-z)).
    ah, al = two_sum(1.0, zc)
    v = ah + (e + al)
    pn, pnl = two_prod(e, v)
    ze, zel = two_prod(zc, e)
    sh, sl = two_sum(dh, ze)
    nh = np.where(neg, pn, sh)
    nl = np.where(neg, pnl, sl + (dl + zel))
    r = dd_div(nh, nl, qh, ql)
    if np.ndim(zl) or zl:
        # + silu''(z)·zl, silu'' = σ(1 - σ)(2 + z(1 - 2σ)).
        s = np.where(neg, e / dh, 1 / dh)
        r = r + (s * (1 - s)) * (2 + zc * (1 - 2 * s)) * zl
    deep = zc < _EXP_SUBNORMAL
    if deep.any():
        zld = zl[deep] if np.ndim(zl) else zl
        zd = zc[deep]
        r[deep] = np.ldexp(_exp_scaled(zd, zld) * (1 + zd), -_TAIL_SHIFT)
    return root_patch(r, zc, zl, SILU_ROOT, SILU_SERIES, SERIES_HALF_WIDTH)


def _swish_grad(x: Array, g: Array, *, beta: float) -> Array:
    if beta == 0:
        return g * 0.5
    # d/dx x·σ(βx) = silu'(βx).
    return g * _silu_slope(*_swish_arg(x, beta))


register(
    Activation(
        name="swish",
        forward=_swish,
        derivative=_swish_grad,
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


def _silu(x: Array) -> Array:
    return _swish(x, beta=1.0)


def _silu_grad(x: Array, g: Array) -> Array:
    return g * _silu_slope(x, 0.0)


register(
    Activation(
        name="silu",
        forward=_silu,
        derivative=_silu_grad,
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
def _mish_gate(e: Array, pos: npt.NDArray[np.bool_]) -> tuple[Array, Array]:
    # tanh(softplus(x)) as a ratio of polynomials in e = exp(-|x|), which never overflows:
    #   x <= 0: n/(n + 2), n = e(e + 2);   x > 0: (1 + 2e)/(1 + 2e + 2e^2).
    n = e * (e + 2)
    num = np.where(pos, 1 + 2 * e, n)
    den = np.where(pos, 1 + 2 * e + 2 * (e * e), n + 2)
    return num / den, den


def _mish(x: Array) -> Array:
    t, _ = _mish_gate(exp_neg_abs(x), x > 0)
    return gate_input(x) * t


def _mish_grad(x: Array, g: Array) -> Array:
    e = exp_neg_abs(x)
    pos = x > 0
    t, den = _mish_gate(e, pos)
    # mish' = tanh(sp) + x·sech²(sp)·σ(x) = t + 4x·e^k(1 + e)/den², k = 2 for x > 0, 1 for x <= 0.
    ek = np.where(pos, e * e, e)
    xc = np.clip(x, -GATE_SATURATION, GATE_SATURATION)
    return g * (t + (4 * xc) * (ek * (1 + e)) / (den * den))


register(
    Activation(
        name="mish",
        forward=_mish,
        derivative=_mish_grad,
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
_INV_SQRT_2PI = 0.3989422804014327
_TANH_BETA = 0.7978845608028654  # sqrt(2/pi), as PyTorch's kBeta
_TANH_KAPPA = 0.044715


def _tanh_gelu_arg(xc: Array) -> Array:
    # 2u where u = sqrt(2/pi)(x + 0.044715 x^3); 1 + tanh(u) = 2 sigmoid(2u), with no cancellation.
    return (2 * _TANH_BETA) * (xc + _TANH_KAPPA * (xc * xc * xc))


def _gelu(x: Array, *, approximate: str) -> Array:
    xc = np.clip(x, -GATE_SATURATION, GATE_SATURATION)
    if approximate == "tanh":
        z = _tanh_gelu_arg(xc)
        cdf = sigmoid_from(z, exp_neg_abs(z))
    else:
        from scipy.special import erfc

        # Phi(x) = erfc(-x/sqrt 2)/2, not (1 + erf(x/sqrt 2))/2, which is 0 for x < -8.3.
        cdf = 0.5 * erfc(-_SQRT_HALF * xc)
    return gate_input(x) * cdf


def _gelu_grad(x: Array, g: Array, *, approximate: str) -> Array:
    xc = np.clip(x, -GATE_SATURATION, GATE_SATURATION)
    if approximate == "tanh":
        z = _tanh_gelu_arg(xc)
        e = exp_neg_abs(z)
        dz = (2 * _TANH_BETA) * (1 + (3 * _TANH_KAPPA) * (xc * xc))
        return g * (sigmoid_from(z, e) + xc * dz * sigmoid_slope_from(e))
    from scipy.special import erfc

    xs = np.clip(x, -40.0, 40.0)  # phi(x) is exactly 0 beyond, and x*x cannot overflow
    pdf = _INV_SQRT_2PI * np.exp(-0.5 * (xs * xs))
    return g * (0.5 * erfc(-_SQRT_HALF * xc) + xs * pdf)


register(
    Activation(
        name="gelu",
        forward=_gelu,
        derivative=_gelu_grad,
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


def _softsign(x: Array) -> Array:
    xc = np.clip(x, -_HUGE, _HUGE)
    return xc / (1 + np.abs(xc))


def _softsign_grad(x: Array, g: Array) -> Array:
    # (1/(1 + |x|))^2 rather than 1/(1 + |x|)^2: the square of the reciprocal cannot overflow.
    r = 1 / (1 + np.abs(x))
    return g * (r * r)


register(
    Activation(
        name="softsign",
        forward=_softsign,
        derivative=_softsign_grad,
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


def _tanhshrink(x: Array) -> Array:
    r = x - np.tanh(x)
    small = np.abs(x) < _TANHSHRINK_SERIES_MAX
    if small.any():
        # x - tanh(x) cancels near 0: sum its Taylor series there instead (Horner in x^2).
        xs = x[small]
        x2 = xs * xs
        acc = np.full_like(xs, _TANHSHRINK_SERIES[-1])
        for c in reversed(_TANHSHRINK_SERIES[:-1]):
            acc = acc * x2 + c
        r[small] = acc * (x2 * xs)
    return r


def _tanhshrink_grad(x: Array, g: Array) -> Array:
    # 1 - sech^2 = tanh^2: no cancellation.
    t = np.tanh(x)
    return g * (t * t)


register(
    Activation(
        name="tanhshrink",
        forward=_tanhshrink,
        derivative=_tanhshrink_grad,
        formula="x - tanh(x)",
        mathtext=r"$x - \tanh(x)$",
        derivative_formula="tanh²(x)",
        output_range="(-∞, ∞)",
        torch=TORCH + "tanhshrink",
        description="The residual of tanh: x minus its tanh.",
        properties=frozenset({"monotonic", "smooth", "zero_centred"}),
    )
)


def _squareplus(x: Array, *, b: float) -> Array:
    h = np.hypot(x, np.sqrt(b))  # sqrt(x^2 + b) without overflow
    with np.errstate(over="ignore"):  # h + |x| may round up to inf: the quotient is then 0
        # x/2 + h/2 cannot overflow; for x < 0, (x + h)/2 = (b/2) / (h + |x|) does not cancel.
        pos = 0.5 * np.maximum(x, 0) + 0.5 * h
        return np.where(x >= 0, pos, (b / 2) / (h + np.abs(x)))


def _squareplus_grad(x: Array, g: Array, *, b: float) -> Array:
    xc = np.clip(x, -_HUGE, _HUGE)
    h = np.hypot(xc, np.sqrt(b))
    with np.errstate(over="ignore"):
        # (1 + x/h)/2; for x < 0 it is b / (2h(h + |x|)), again without cancellation.
        neg = (b / (2 * h)) / (h + np.abs(xc))
    return g * np.where(x >= 0, (1 + xc / h) / 2, neg)


register(
    Activation(
        name="squareplus",
        forward=_squareplus,
        derivative=_squareplus_grad,
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
