"""Losses between distributions: kl_div and poisson_nll_loss."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..lossrecords import REDUCTIONS, Loss, LossKernels, LossPlot
from ..records import Doc, Goal, Naive, Param
from ._common import TORCH, Array, dd_add, diff, exp_dd, log_dd, quiet, scaled, two_sum, uniform


# --- kl_div ---------------------------------------------------------------------------------
# Pointwise KL of target p against the log-probabilities x: p·(log p - x), 0 where p = 0
# (torch's xlogy(p, p) - p·x, whose 0·(-inf) at x = -inf is NaN); with log_target,
# exp(t)·(t - x). log p and exp t are double-doubles (log_dd, exp_dd) and t - x, log p - x
# exact sums, so the cancellation near x = log p costs nothing: one rounding at the end.
# Measured: 0.5 ulp float64 and float32.
@quiet
def _kl(x: Array, t: Array, *, log_target: bool) -> Array:
    if log_target:
        eh, el = exp_dd(t)
        dh, dl = diff(t, x)
        rh, rl = scaled(dh, dl, eh)
        return rh + np.where(np.isfinite(rh), rl + el * dh, 0.0)
    lh, ll = log_dd(t)
    dh, dl = dd_add(lh, ll, -x, 0.0)
    rh, rl = scaled(dh, dl, t)
    r = rh + np.where(np.isfinite(rh), rl, 0.0)
    return np.where(t == 0, np.where(np.isnan(x), np.nan, 0.0), r)  # 0·log 0 = 0


@quiet
def _kl32(x: Array, t: Array, *, log_target: bool) -> Array:
    # Plain float64 (good for float32 unless log p - x cancels by more than 2^29).
    if log_target:
        return np.exp(t) * (t - x)
    r = t * (np.log(t) - x)
    return np.where(t == 0, np.where(np.isnan(x), np.nan, 0.0), r)


@quiet
def _kl_grad(x: Array, t: Array, g: Array, *, log_target: bool) -> Array:
    r = -(np.exp(t) if log_target else t) * g
    return np.where(np.isnan(x), np.nan, r)  # NaN in, NaN out (torch: -p whatever x)


@quiet
def _kl_grad_target(x: Array, t: Array, g: Array, *, log_target: bool) -> Array:
    # d/dt: e^t·(t - x + 1), or log t + 1 - x (-inf at t = 0, where torch gives NaN).
    if log_target:
        return np.exp(t) * (t - x + 1.0) * g
    return (np.log(t) + 1.0 - x) * g


def _kl_sample(
    rng: np.random.Generator, shape: tuple[int, ...], params: Mapping[str, Any]
) -> dict[str, Array]:
    q = uniform(rng, shape, 0.01, 1.0)
    p = uniform(rng, shape, 0.0, 1.0)
    return {"input": np.log(q), "target": np.log(p) if params.get("log_target") else p}


def _kl_plot(x: Array, params: Mapping[str, Any]) -> dict[str, Array]:
    t = np.full_like(x, math.log(0.5) if params.get("log_target") else 0.5)
    return {"input": x, "target": t}


KL_DIV = Loss(
    name="kl_div",
    doc=Doc(
        formula="p·(log p − x) (x = log q; 0 where p = 0); log_target: e^t·(t − x)",
        mathtext=r"$p\,(\log p - x)$",
        derivative="−p (log_target: −e^t)",
        output_range="(−∞, ∞) pointwise; the sum over a distribution is >= 0",
        description="Kullback-Leibler divergence of target p from q = exp(input); "
        "reduction batchmean (sum / batch size) is the KL, mean divides by every element.",
        torch=TORCH + "kl_div",
        jax="optax.kl_divergence",
    ),
    params=(Param("log_target", False, "the target holds log-probabilities"),),
    kernels=LossKernels(_kl, {"input": _kl_grad, "target": _kl_grad_target}, term32=_kl32),
    reductions=(*REDUCTIONS, "batchmean"),
    settings=({"log_target": True},),
    plot=LossPlot("log-probability x (target p = 0.5)", _kl_plot, (-4.0, 0.0)),
    sample=_kl_sample,
    naive=Naive(
        lambda x, t, *, log_target: t * (np.log(t) - x),
        lambda x, t, g, *, log_target: -t * g,
    ),
    goal=Goal(fwd64=2.0),
)


# --- poisson_nll_loss -----------------------------------------------------------------------
# log_input: exp(x) - t·x; else x - t·log(x + eps). full adds Stirling's t·log t - t +
# 0.5·log(2π t) where t > 1 (torch's mask). The difference cancels near the minimum x = log t
# (exp(x) ≈ t·x): every piece is a double-double (exp_dd, log_dd, exact products and sums),
# rounded once at the end. Measured: 0.5 ulp float64 and float32.
_HALF_LOG_2PI = 0.9189385332046728
_HALF_LOG_2PI_LO = -3.8782941580672414e-17


def _stirling(t: Array) -> Array:
    return np.where(t > 1, t * np.log(t) - t + 0.5 * np.log(2.0 * math.pi * t), 0.0)


@quiet
def _poisson(x: Array, t: Array, *, log_input: bool, full: bool, eps: float) -> Array:
    if log_input:  # exp(x) - t·x, both double-doubles
        ah, al = exp_dd(x)
        ph, pl = scaled(x, np.zeros_like(x), t)
        ph, pl = np.where(t == 0, 0.0, ph), np.where(t == 0, 0.0, pl)
        rh, rl = dd_add(ah, al, -ph, -pl)
    else:  # x - t·log(x + eps), x + eps exactly
        sh, sl = two_sum(x, eps)
        lh, ll = log_dd(sh, sl)
        ph, pl = scaled(lh, ll, t)
        ph, pl = np.where(t == 0, 0.0, ph), np.where(t == 0, 0.0, pl)
        rh, rl = dd_add(x, 0.0, -ph, -pl)
    if full:  # + t·log t - t + 0.5·log(2π) + 0.5·log t where t > 1
        lh, ll = log_dd(np.maximum(t, 1.0))
        sh, sl = scaled(lh, ll, t)
        sh, sl = dd_add(sh, sl, -t, 0.0)
        sh, sl = dd_add(sh, sl, 0.5 * lh, 0.5 * ll)
        sh, sl = dd_add(sh, sl, _HALF_LOG_2PI, _HALF_LOG_2PI_LO)
        big = t > 1
        rh, rl = dd_add(rh, rl, np.where(big, sh, 0.0), np.where(big, sl, 0.0))
    return rh + rl


@quiet
def _poisson32(x: Array, t: Array, *, log_input: bool, full: bool, eps: float) -> Array:
    # Plain float64 (good for float32 unless the difference cancels by more than 2^29).
    tx = np.where(t == 0, 0.0, t * (x if log_input else np.log(x + eps)))
    r = (np.exp(x) if log_input else x) - tx
    if full:
        tt = np.maximum(t, 1.0)
        r = r + np.where(t > 1, tt * np.log(tt) - tt + 0.5 * np.log(2.0 * math.pi * tt), 0.0)
    return r


@quiet
def _poisson_grad(
    x: Array, t: Array, g: Array, *, log_input: bool, full: bool, eps: float
) -> Array:
    if log_input:
        return (np.exp(x) - t) * g
    return (1.0 - t / (x + eps)) * g


@quiet
def _poisson_grad_target(
    x: Array, t: Array, g: Array, *, log_input: bool, full: bool, eps: float
) -> Array:
    r = -x if log_input else -np.log(x + eps)
    if full:
        r = r + np.where(t > 1, np.log(t) + 0.5 / t, 0.0)
    return r * g


def _poisson_sample(
    rng: np.random.Generator, shape: tuple[int, ...], params: Mapping[str, Any]
) -> dict[str, Array]:
    t = rng.poisson(3.0, size=shape).astype(np.float64)
    if params.get("log_input", True):
        return {"input": uniform(rng, shape, -3.0, 3.0), "target": t}
    return {"input": uniform(rng, shape, 0.05, 8.0), "target": t}


def _poisson_plot(x: Array, params: Mapping[str, Any]) -> dict[str, Array]:
    return {"input": x, "target": np.full_like(x, 2.0)}


POISSON_NLL_LOSS = Loss(
    name="poisson_nll_loss",
    aliases=("poisson_nll",),
    doc=Doc(
        formula="exp(x) − t·x (log_input), else x − t·log(x + eps); full: + Stirling(t)",
        mathtext=r"$e^{x} - t\,x$",
        derivative="exp(x) − t (log_input), else 1 − t/(x + eps)",
        output_range="(−∞, ∞)",
        description="Negative log-likelihood of a Poisson count t with rate exp(input) "
        "(log_input) or input.",
        torch=TORCH + "poisson_nll_loss",
    ),
    params=(
        Param("log_input", True, "the input is the log of the rate"),
        Param("full", False, "add Stirling's approximation of log(t!) (where t > 1)"),
        Param("eps", 1e-8, "added to the rate inside the log (log_input=false)", low=0.0),
    ),
    kernels=LossKernels(
        _poisson, {"input": _poisson_grad, "target": _poisson_grad_target}, term32=_poisson32
    ),
    settings=({"log_input": False}, {"full": True}),
    plot=LossPlot("log-rate x (count t = 2)", _poisson_plot, (-2.0, 3.0)),
    sample=_poisson_sample,
    naive=Naive(
        lambda x, t, *, log_input, full, eps: np.exp(x) - t * x,
        lambda x, t, g, *, log_input, full, eps: (np.exp(x) - t) * g,
    ),
)

LOSSES = (KL_DIV, POISSON_NLL_LOSS)
