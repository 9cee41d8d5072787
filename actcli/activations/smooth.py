"""Smooth activations built on exp and tanh: sigmoid, logsigmoid and tanh, the ELU family
(elu, selu, celu) and softplus.

Every float64 kernel is written so that no intermediate overflows or forms ``inf - inf`` or
``inf * 0``; the ``*32`` kernels serve float16/float32 input (see ``Activation.forward32``).
"""

from __future__ import annotations

import numpy as np

from ..registry import Activation, Param, register
from ._common import (
    GATE_SATURATION,
    Array,
    exp_neg_abs,
    quiet,
    sigmoid_from,
    sigmoid_slope_from,
    two_prod,
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
