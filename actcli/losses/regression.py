"""Regression losses: mse, l1, smooth_l1, huber, log_cosh and gaussian_nll.

Every term is a function of the difference d = input - target, which the float64 kernels take
exactly as a double-double (:func:`diff`): the one rounding a textbook ``x - t`` makes (up to
0.5 ulp of d, which squaring doubles) is not passed on. Gradients with respect to the target
are minus those with respect to the input, as torch.autograd gives them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..lossrecords import ArrayArg, Loss, LossKernels, LossPlot
from ..records import Doc, Naive, Param
from ._common import (
    TORCH,
    Array,
    dd_add,
    dd_div2,
    diff,
    expm1_dd,
    log1p_dd,
    log_dd,
    quiet,
    scaled,
    square,
    two_sum,
    uniform,
)

_REG_SPAN = (-3.0, 3.0)
_D_LABEL = "d = input − target"


def _regression_sample(
    rng: np.random.Generator, shape: tuple[int, ...], params: Mapping[str, Any]
) -> dict[str, Array]:
    return {"input": uniform(rng, shape, -4.0, 4.0), "target": uniform(rng, shape, -4.0, 4.0)}


def _against_d(x: Array, params: Mapping[str, Any]) -> dict[str, Array]:
    """Plot a regression loss against d: input = d, target = 0."""
    return {"input": x, "target": np.zeros_like(x)}


def _negated(grad: Any) -> Any:
    """The gradient with respect to the target from the one with respect to the input."""

    def kernel(x: Array, t: Array, g: Array, **params: Any) -> Array:
        return -grad(x, t, g, **params)

    kernel.__name__ = grad.__name__ + "_target"
    return kernel


WEIGHT_SAME = ArrayArg(
    "weight", "a weight per element (the input's shape)", shape="same", scales=True
)


# --- mse_loss -------------------------------------------------------------------------------
# (x - t)²: d exactly, squared in double-double, rounded once. Measured (mpmath, 60 digits):
# 0.5 ulp float64, 0.5 ulp float32. inf when d² overflows float64 (a float32 input never does:
# its d² is a float64); ±inf inputs give inf, NaN in, NaN out.
@quiet
def _mse(x: Array, t: Array) -> Array:
    h, lo = square(*diff(x, t))
    return h + lo


@quiet
def _mse32(x: Array, t: Array) -> Array:
    d = x - t  # float32 inputs: the float64 d² rounds once more, far below float32's ulp
    return d * d


@quiet
def _mse_grad(x: Array, t: Array, g: Array) -> Array:
    return 2.0 * (x - t) * g


MSE_LOSS = Loss(
    name="mse_loss",
    aliases=("mse",),
    doc=Doc(
        formula="(x − t)²",
        mathtext=r"$(x - t)^2$",
        derivative="2(x − t)",
        output_range="[0, ∞)",
        description="Mean squared error: the squared difference of input and target.",
        torch=TORCH + "mse_loss",
        jax="optax.squared_error",
    ),
    kernels=LossKernels(_mse, {"input": _mse_grad, "target": _negated(_mse_grad)}, term32=_mse32),
    arrays=(WEIGHT_SAME,),
    mean_by_weight=True,
    plot=LossPlot(_D_LABEL, _against_d, _REG_SPAN),
    sample=_regression_sample,
    naive=Naive(lambda x, t: (x - t) ** 2, lambda x, t, g: 2 * (x - t) * g),
)


# --- l1_loss --------------------------------------------------------------------------------
# |x - t|: one rounding (measured 0 ulp float64 on the sampled points, 0.5 float32). Gradient
# sign(d): 0 at d = 0 (torch's sign), NaN at NaN; inf at ±inf.
@quiet
def _l1(x: Array, t: Array) -> Array:
    return np.abs(x - t)


@quiet
def _l1_grad(x: Array, t: Array, g: Array) -> Array:
    return np.sign(x - t) * g  # l1'(0) = 0, as torch


L1_LOSS = Loss(
    name="l1_loss",
    aliases=("l1", "mae"),
    doc=Doc(
        formula="|x − t|",
        mathtext=r"$|x - t|$",
        derivative="sign(x − t) (0 at x = t)",
        output_range="[0, ∞)",
        description="Mean absolute error: the absolute difference of input and target.",
        torch=TORCH + "l1_loss",
        jax="optax.l1_loss (sum over the last axis)",
    ),
    kernels=LossKernels(_l1, {"input": _l1_grad, "target": _negated(_l1_grad)}),
    arrays=(WEIGHT_SAME,),
    mean_by_weight=True,
    kinks=(0.0,),
    plot=LossPlot(_D_LABEL, _against_d, _REG_SPAN),
    sample=_regression_sample,
    naive=Naive(lambda x, t: np.abs(x - t), lambda x, t, g: np.sign(x - t) * g),
)


# --- smooth_l1_loss -------------------------------------------------------------------------
# 0.5 d²/beta for |d| < beta, |d| - beta/2 beyond (torch's branch test). Both branches from the
# exact d in double-double, rounded once: 0.5 ulp plus the division's. beta = 0 is l1 (torch
# switches to l1_loss there). The gradient is d/beta inside and sign(d) outside: ±1 at
# |d| = beta from either side, 0 at d = 0 when beta = 0. Measured: 0.5 ulp float64 and float32;
# inf at ±inf, NaN at NaN.
@quiet
def _smooth_l1(x: Array, t: Array, *, beta: float) -> Array:
    h, lo = diff(x, t)
    if beta == 0.0:
        return np.abs(h)
    a, al = np.abs(h), np.where(h < 0, -lo, lo)
    sh, sl = square(h, lo)
    q = sh / beta
    # (sh + sl)/beta with the quotient's remainder: sh - q·beta exactly (Dekker).
    ph, pl = scaled(q, np.zeros_like(q), beta)
    quad = 0.5 * (q + (((sh - ph) - pl) + sl) / beta)
    lh, ll = two_sum(a, -0.5 * beta)
    lin = lh + (ll + al)
    return np.where(a < beta, quad, lin)


@quiet
def _smooth_l1_32(x: Array, t: Array, *, beta: float) -> Array:
    a = np.abs(x - t)
    if beta == 0.0:
        return a
    return np.where(a < beta, (0.5 / beta) * (a * a), a - 0.5 * beta)


@quiet
def _smooth_l1_grad(x: Array, t: Array, g: Array, *, beta: float) -> Array:
    d = x - t
    if beta == 0.0:
        return np.sign(d) * g
    return np.where(np.abs(d) < beta, d / beta, np.sign(d)) * g


def _naive_smooth_l1(x: Array, t: Array, *, beta: float) -> Array:
    d = np.abs(x - t)
    return np.where(d < beta, 0.5 * d**2 / beta, d - 0.5 * beta)


def _naive_smooth_l1_grad(x: Array, t: Array, g: Array, *, beta: float) -> Array:
    d = x - t
    return np.where(np.abs(d) < beta, d / beta, np.sign(d)) * g


SMOOTH_L1_LOSS = Loss(
    name="smooth_l1_loss",
    aliases=("smooth_l1",),
    doc=Doc(
        formula="0.5(x − t)²/β if |x − t| < β else |x − t| − β/2",
        mathtext=r"$\frac{d^2}{2\beta}$ if $|d| < \beta$ else $|d| - \frac{\beta}{2}$",
        derivative="d/β inside, sign(d) outside (±1 at |d| = β; β = 0 is l1)",
        output_range="[0, ∞)",
        description="Quadratic near zero, linear beyond beta: l1 with a rounded bottom.",
        torch=TORCH + "smooth_l1_loss",
        reference="Girshick, Fast R-CNN, ICCV 2015",
    ),
    params=(Param("beta", 1.0, "where the quadratic part ends", low=0.0),),
    kernels=LossKernels(
        _smooth_l1,
        {"input": _smooth_l1_grad, "target": _negated(_smooth_l1_grad)},
        term32=_smooth_l1_32,
    ),
    kinks=lambda p: (-p["beta"], p["beta"]) if p["beta"] > 0 else (0.0,),
    settings=({"beta": 0.5}, {"beta": 2.0}, {"beta": 0.0}),
    plot=LossPlot(_D_LABEL, _against_d, _REG_SPAN),
    sample=_regression_sample,
    naive=Naive(_naive_smooth_l1, _naive_smooth_l1_grad),
)


# --- huber_loss -----------------------------------------------------------------------------
# 0.5 d² for |d| < delta, delta·(|d| - delta/2) beyond, from the exact d in double-double,
# rounded once (measured 0.5 ulp float64 and float32; inf at ±inf, NaN at NaN). The gradient
# is d inside and ±delta from |d| = delta on (torch's clamp).
@quiet
def _huber(x: Array, t: Array, *, delta: float) -> Array:
    h, lo = diff(x, t)
    a, al = np.abs(h), np.where(h < 0, -lo, lo)
    sh, sl = square(h, lo)
    quad = 0.5 * (sh + sl)
    lh, ll = two_sum(a, -0.5 * delta)
    mh, ml = scaled(lh, ll + al, delta)
    return np.where(a < delta, quad, mh + ml)


@quiet
def _huber32(x: Array, t: Array, *, delta: float) -> Array:
    a = np.abs(x - t)
    return np.where(a < delta, 0.5 * (a * a), delta * (a - 0.5 * delta))


@quiet
def _huber_grad(x: Array, t: Array, g: Array, *, delta: float) -> Array:
    d = x - t
    return np.where(np.isnan(d), d, np.clip(d, -delta, delta)) * g


def _naive_huber(x: Array, t: Array, *, delta: float) -> Array:
    d = np.abs(x - t)
    return np.where(d < delta, 0.5 * d**2, delta * (d - 0.5 * delta))


HUBER_LOSS = Loss(
    name="huber_loss",
    aliases=("huber",),
    doc=Doc(
        formula="0.5(x − t)² if |x − t| < δ else δ(|x − t| − δ/2)",
        mathtext=r"$\frac{d^2}{2}$ if $|d| < \delta$ else $\delta(|d| - \frac{\delta}{2})$",
        derivative="d inside, ±δ outside (±δ at |d| = δ)",
        output_range="[0, ∞)",
        description="Quadratic near zero, linear with slope delta beyond: δ·smooth_l1(β=δ).",
        torch=TORCH + "huber_loss",
        jax="optax.huber_loss",
        reference="Huber, Ann. Math. Statist. 1964",
    ),
    params=(Param("delta", 1.0, "where the quadratic part ends", low=0.0, low_open=True),),
    kernels=LossKernels(
        _huber, {"input": _huber_grad, "target": _negated(_huber_grad)}, term32=_huber32
    ),
    arrays=(WEIGHT_SAME,),
    kinks=lambda p: (-p["delta"], p["delta"]),
    settings=({"delta": 0.5}, {"delta": 2.0}),
    plot=LossPlot(_D_LABEL, _against_d, _REG_SPAN),
    sample=_regression_sample,
    naive=Naive(_naive_huber, lambda x, t, g, *, delta: np.clip(x - t, -delta, delta) * g),
)


# --- log_cosh -------------------------------------------------------------------------------
# log(cosh d) = |d| - log 2 + log1p(exp(-2|d|)) for |d| >= 1 (no cancellation: |d| - log 2 >
# 0.3|d|, with log 2 in two parts), and log1p(cosh d - 1) below, cosh d - 1 = m²/(2(1 + m))
# with m = expm1(|d|), all in double-double (no cancellation near 0). Measured: 0.9 ulp float64
# (the |d| >= 1 branch), 0.5 float32. 0 at d = 0, inf at ±inf, NaN at NaN.
_LN2_HI = 0.6931471805599453
_LN2_LO = 2.3190468138462996e-17


@quiet
def _log_cosh(x: Array, t: Array) -> Array:
    h, lo = diff(x, t)
    a, al = np.abs(h), np.where(h < 0, -lo, lo)
    # Near: cosh a - 1 = m²/(2(1 + m)), m = expm1(a) in double-double, then log1p_dd.
    near = a < 1.0
    an = np.where(near, a, 0.0)
    mh, ml = expm1_dd(an, np.where(near, al, 0.0))
    sh, sl = square(mh, ml)
    dh, dl = dd_add(1.0, 0.0, mh, ml)
    qh, ql = dd_div2(sh, sl, 2.0 * dh, 2.0 * dl)
    nh, nl = log1p_dd(qh, ql)
    fh, fl = two_sum(a, -_LN2_HI)
    far = fh + ((fl + al - _LN2_LO) + np.log1p(np.exp(-2.0 * a)))
    return np.where(near, nh + nl, far)


@quiet
def _log_cosh32(x: Array, t: Array) -> Array:
    # The same two regimes in plain float64 (a few float64 ulps: far below float32's).
    a = np.abs(x - t)
    s = np.sinh(0.5 * a)
    far = (a - _LN2_HI) + np.log1p(np.exp(-2.0 * a))
    return np.where(a < 1.0, np.log1p(2.0 * s * s), far)


@quiet
def _log_cosh_grad(x: Array, t: Array, g: Array) -> Array:
    return np.tanh(x - t) * g


def _torch_log_cosh(
    F: Any, ts: Mapping[str, Any], params: Mapping[str, Any], reduction: str
) -> Any:
    """log cosh in torch ops (torch has no log_cosh): |d| + softplus(-2|d|) - log 2."""
    a = (ts["input"] - ts["target"]).abs()
    r = a + F.softplus(-2.0 * a) - math.log(2.0)
    return r if reduction == "none" else r.sum() if reduction == "sum" else r.mean()


LOG_COSH = Loss(
    name="log_cosh",
    doc=Doc(
        formula="log(cosh(x − t))",
        mathtext=r"$\log\cosh(x - t)$",
        derivative="tanh(x − t)",
        output_range="[0, ∞)",
        description="Smooth l1: d²/2 near zero, |d| − log 2 far out. Not in torch (Keras, optax).",
        jax="optax.log_cosh",
        reference="Keras losses.log_cosh; optax.log_cosh",
        properties=frozenset({"smooth"}),
    ),
    kernels=LossKernels(
        _log_cosh,
        {"input": _log_cosh_grad, "target": _negated(_log_cosh_grad)},
        term32=_log_cosh32,
    ),
    plot=LossPlot(_D_LABEL, _against_d, _REG_SPAN),
    sample=_regression_sample,
    naive=Naive(lambda x, t: np.log(np.cosh(x - t)), lambda x, t, g: np.tanh(x - t) * g),
    torch_call=_torch_log_cosh,
)


# --- gaussian_nll_loss ----------------------------------------------------------------------
# 0.5(log v + d²/v) (+ 0.5 log 2π if full), v = max(var, eps) (torch's clamp, kept: the
# variance never goes below eps). d² is exact; log v + d²/v cancels where d²/v ≈ -log v
# (v < 1): log v (log_dd), d² and the quotient are double-doubles, rounded once at the end.
# Measured: 0.5 ulp float64 and float32.
_LOG_2PI = 1.8378770664093456
_LOG_2PI_LO = -7.756588316134483e-17


@quiet
def _gaussian_nll(x: Array, t: Array, *, var: Array, full: bool, eps: float) -> Array:
    v = np.maximum(var, eps)
    sh, sl = square(*diff(x, t))
    qh, ql = dd_div2(sh, sl, v, 0.0)
    lh, ll = log_dd(v)
    rh, rl = dd_add(lh, ll, qh, ql)
    if full:
        rh, rl = dd_add(rh, rl, _LOG_2PI, _LOG_2PI_LO)
    return 0.5 * (rh + rl)


@quiet
def _gaussian_nll32(x: Array, t: Array, *, var: Array, full: bool, eps: float) -> Array:
    # Plain float64: its error is far below float32's ulp unless log v + d²/v cancels by
    # more than 2^29.
    v = np.maximum(var, eps)
    d = x - t
    r = 0.5 * (np.log(v) + d * d / v)
    return r + 0.5 * _LOG_2PI if full else r


@quiet
def _gaussian_nll_grad(
    x: Array, t: Array, g: Array, *, var: Array, full: bool, eps: float
) -> Array:
    return (x - t) / np.maximum(var, eps) * g


def _gaussian_sample(
    rng: np.random.Generator, shape: tuple[int, ...], params: Mapping[str, Any]
) -> dict[str, Array]:
    return {**_regression_sample(rng, shape, params), "var": uniform(rng, shape, 0.25, 4.0)}


GAUSSIAN_NLL_LOSS = Loss(
    name="gaussian_nll_loss",
    aliases=("gaussian_nll",),
    doc=Doc(
        formula="0.5(log v + (x − t)²/v) (+ 0.5 log 2π if full), v = max(var, eps)",
        mathtext=r"$\frac{1}{2}\left(\log v + \frac{(x - t)^2}{v}\right)$",
        derivative="(x − t)/v",
        output_range="(−∞, ∞)",
        description="Negative log-likelihood of a Gaussian with mean input and variance var.",
        torch=TORCH + "gaussian_nll_loss",
        reference="Nix & Weigend, ICNN 1994",
    ),
    params=(
        Param("full", False, "add the constant 0.5·log(2π)"),
        Param("eps", 1e-6, "the variance is clamped to at least eps", low=0.0, low_open=True),
    ),
    kernels=LossKernels(
        _gaussian_nll,
        {"input": _gaussian_nll_grad, "target": _negated(_gaussian_nll_grad)},
        term32=_gaussian_nll32,
    ),
    arrays=(
        ArrayArg(
            "var",
            "the variance: a number, the input's shape, or one axis of size 1",
            shape="broadcast",
            low=0.0,
            required=True,
        ),
    ),
    settings=({"full": True},),
    plot=LossPlot(_D_LABEL + " (var = 1)", _against_d, _REG_SPAN),
    sample=_gaussian_sample,
    naive=Naive(
        lambda x, t, *, var, full, eps: 0.5 * (np.log(var) + (x - t) ** 2 / var),
        lambda x, t, g, *, var, full, eps: (x - t) / var * g,
    ),
)

LOSSES = (MSE_LOSS, L1_LOSS, SMOOTH_L1_LOSS, HUBER_LOSS, LOG_COSH, GAUSSIAN_NLL_LOSS)
