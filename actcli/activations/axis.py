"""Activations along an axis: softmax, softmin, log_softmax and glu.

The engine hands every kernel a 2-D float64 array whose last axis is the ``dim`` axis, and
``g`` (the upstream gradient) shaped like the output.
"""

from __future__ import annotations

import numpy as np

from ..errors import InputError
from ..registry import Activation, Param, register
from ._common import Array, exp_neg_abs, sigmoid_from, sigmoid_slope_from, two_diff

TORCH = "torch.nn.functional."
DIM = Param("dim", -1, "the axis the function acts along")

#: exp(z) is exactly 0 in float64 for z below this; shifted inputs are clamped here.
_EXP_UNDERFLOW = -800.0


def _shifted(x: Array) -> tuple[Array, Array]:
    """``x - max(x)`` per row as an exact ``hi + lo`` pair, ready for exp and log.

    A row whose maximum is +inf keeps 0 at its +inf entries and -inf elsewhere (the limit of
    softmax as those entries grow); a row of -inf only is uniform (the limit as they fall
    together). NaN anywhere in a row makes the whole row NaN.
    """
    m = np.max(x, axis=-1, keepdims=True)
    inf_rows = np.isinf(m)
    if inf_rows.any():
        # In a row whose maximum is infinite, the entries equal to it become 0, the rest -inf.
        x = np.where(inf_rows, np.where(x == m, 0.0, -np.inf), x)
        m = np.where(inf_rows, 0.0, m)
    finite = np.isfinite(x)
    xs = np.where(finite, x, 0.0)
    hi, lo = two_diff(xs, np.broadcast_to(m, x.shape))
    hi = np.where(finite, hi, x)
    lo = np.where(finite, lo, 0.0)
    return hi, lo


def _softmax(x: Array, *, dim: int) -> Array:
    hi, lo = _shifted(x)
    # exp(hi + lo) = exp(hi)(1 + lo): the rounding of x - max is not passed on to the result.
    e = np.exp(np.maximum(hi, _EXP_UNDERFLOW)) * (1 + lo)
    return e / np.sum(e, axis=-1, keepdims=True)


def _softmax_vjp(y: Array, g: Array) -> Array:
    return y * (g - np.sum(g * y, axis=-1, keepdims=True))


def _softmax_grad(x: Array, g: Array, *, dim: int) -> Array:
    return _softmax_vjp(_softmax(x, dim=dim), g)


register(
    Activation(
        name="softmax",
        forward=_softmax,
        derivative=_softmax_grad,
        params=(DIM,),
        kind="axis",
        formula="exp(x_i) / Σ_j exp(x_j) along dim",
        mathtext=r"$\frac{e^{x_i}}{\sum_j e^{x_j}}$",
        derivative_formula="VJP: y ⊙ (g - ⟨g, y⟩), y = softmax(x)",
        output_range="(0, 1), each row sums to 1",
        torch=TORCH + "softmax",
        jax="jax.nn.softmax",
        description="Normalised exponentials: turns logits into probabilities.",
        reference="Bridle, 'Probabilistic Interpretation of Feedforward Classification', 1990",
        properties=frozenset({"monotonic", "bounded", "smooth"}),
    )
)


def _softmin(x: Array, *, dim: int) -> Array:
    return _softmax(-x, dim=dim)


def _softmin_grad(x: Array, g: Array, *, dim: int) -> Array:
    return -_softmax_vjp(_softmax(-x, dim=dim), g)


register(
    Activation(
        name="softmin",
        forward=_softmin,
        derivative=_softmin_grad,
        params=(DIM,),
        kind="axis",
        formula="exp(-x_i) / Σ_j exp(-x_j) along dim = softmax(-x)",
        mathtext=r"$\frac{e^{-x_i}}{\sum_j e^{-x_j}}$",
        derivative_formula="VJP: -y ⊙ (g - ⟨g, y⟩), y = softmin(x)",
        output_range="(0, 1), each row sums to 1",
        torch=TORCH + "softmin",
        description="Softmax of the negated input: mass goes to the smallest entries.",
        properties=frozenset({"bounded", "smooth"}),
    )
)


def _log_softmax(x: Array, *, dim: int) -> Array:
    hi, lo = _shifted(x)
    e = np.exp(np.maximum(hi, _EXP_UNDERFLOW)) * (1 + lo)
    # log(sum e) = log1p(sum of e over the non-maximal entries + (k - 1) for k maxima): the sum
    # is near 1 and log(1 + t) keeps t's relative accuracy where log(sum) would lose it.
    top = hi == 0
    t = np.sum(np.where(top, 0.0, e), axis=-1, keepdims=True)
    t += np.sum(top, axis=-1, keepdims=True) - 1
    return (hi - np.log1p(t)) + lo


def _log_softmax_grad(x: Array, g: Array, *, dim: int) -> Array:
    y = np.exp(_log_softmax(x, dim=dim))
    return g - y * np.sum(g, axis=-1, keepdims=True)


register(
    Activation(
        name="log_softmax",
        forward=_log_softmax,
        derivative=_log_softmax_grad,
        params=(DIM,),
        kind="axis",
        formula="x_i - log Σ_j exp(x_j) along dim",
        mathtext=r"$x_i - \log\sum_j e^{x_j}$",
        derivative_formula="VJP: g - softmax(x)·Σ g",
        output_range="(-∞, 0)",
        torch=TORCH + "log_softmax",
        jax="jax.nn.log_softmax",
        description="Log of softmax, computed without forming the softmax.",
        properties=frozenset({"monotonic", "smooth"}),
    )
)


def _glu_halves(x: Array) -> tuple[Array, Array]:
    n = x.shape[-1]
    return x[..., : n // 2], x[..., n // 2 :]


def _glu(x: Array, *, dim: int) -> Array:
    a, b = _glu_halves(x)
    s = sigmoid_from(b, exp_neg_abs(b))
    # A closed gate (sigmoid exactly 0) gives 0 even for an infinite a: the limit as b -> -inf.
    closed = s == 0
    return np.where(closed, np.where(np.isnan(a), a, 0.0), a * np.where(closed, 1.0, s))


def _glu_grad(x: Array, g: Array, *, dim: int) -> Array:
    a, b = _glu_halves(x)
    e = exp_neg_abs(b)
    slope = sigmoid_slope_from(e)
    ga = g * sigmoid_from(b, e)
    # d/db a·σ(b) = a·σ(b)(1 - σ(b)), which is 0 where the slope underflows, whatever a is.
    a_safe = np.where(slope == 0, np.where(np.isnan(a), a, 0), a)
    gb = g * (a_safe * slope)
    return np.concatenate([ga, gb], axis=-1)


def _glu_length(n: int) -> int:
    if n % 2:
        raise InputError(f"glu needs an even size along dim, got {n}")
    return n // 2


register(
    Activation(
        name="glu",
        forward=_glu,
        derivative=_glu_grad,
        params=(DIM,),
        kind="axis",
        output_length=_glu_length,
        formula="a ⊙ σ(b), where a, b are the two halves of x along dim",
        mathtext=r"$a \otimes \sigma(b)$",
        derivative_formula="∂/∂a = g·σ(b), ∂/∂b = g·a·σ(b)(1 - σ(b))",
        output_range="(-∞, ∞), half the size along dim",
        torch=TORCH + "glu",
        description="Gated linear unit: the first half gated by the sigmoid of the second.",
        reference="Dauphin et al., 'Language Modeling with Gated Convolutional Networks', 2017",
        properties=frozenset({"monotonic", "smooth"}),
    )
)
