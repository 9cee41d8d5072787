"""Independent oracles for the losses: 60-digit mpmath references of each unreduced term, the
gradients PyTorch 2.13 gives at the kinks (measured with torch.autograd), and the places where
torch is numerically wrong (actcli gives the true value there).

The only per-name tables of the loss tests live here (the lead may fold this module into
tests/oracles.py).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import mpmath as mp

mp.mp.dps = 60

Ref = Callable[[Sequence[Any], Mapping[str, Any]], Any]


def _d(a: Sequence[Any]) -> Any:
    return a[0] - a[1]


def _smooth_l1(a: Sequence[Any], p: Mapping[str, Any]) -> Any:
    d, beta = abs(_d(a)), p["beta"]
    if beta == 0:
        return d
    return d * d / (2 * beta) if d < beta else d - mp.mpf(beta) / 2


def _huber(a: Sequence[Any], p: Mapping[str, Any]) -> Any:
    d, delta = abs(_d(a)), p["delta"]
    return d * d / 2 if d < delta else delta * (d - mp.mpf(delta) / 2)


def _gaussian(a: Sequence[Any], p: Mapping[str, Any]) -> Any:
    v = max(a[2], mp.mpf(p["eps"]))
    r = (mp.log(v) + _d(a) ** 2 / v) / 2
    return r + mp.log(2 * mp.pi) / 2 if p["full"] else r


def _bce(a: Sequence[Any], p: Mapping[str, Any]) -> Any:
    x, t = a[0], a[1]
    lp = max(mp.log(x), -100) if x > 0 else mp.mpf(-100)
    lq = max(mp.log(1 - x), -100) if x < 1 else mp.mpf(-100)
    return -(t * lp + (1 - t) * lq)


def _bce_logits(a: Sequence[Any], p: Mapping[str, Any]) -> Any:
    x, t = a[0], a[1]
    pw = a[2] if len(a) > 2 else 1
    big_l = 1 + (pw - 1) * t
    return (1 - t) * x + big_l * mp.log1p(mp.exp(-x))


def _ce_row(a: Sequence[Any], p: Mapping[str, Any]) -> Any:
    """One row: a[0] the logits (a list), a[1] the class index."""
    x, t = a[0], int(a[1])
    lse = mp.log(mp.fsum(mp.exp(v) for v in x))
    eps = mp.mpf(p.get("label_smoothing", 0.0))
    nll = lse - x[t]
    if not eps:
        return nll
    smooth = mp.fsum(lse - v for v in x)
    return (1 - eps) * nll + eps / len(x) * smooth


def _kl(a: Sequence[Any], p: Mapping[str, Any]) -> Any:
    x, t = a[0], a[1]
    if p["log_target"]:
        return mp.exp(t) * (t - x)
    return 0 if t == 0 else t * (mp.log(t) - x)


def _poisson(a: Sequence[Any], p: Mapping[str, Any]) -> Any:
    x, t = a[0], a[1]
    r = mp.exp(x) - t * x if p["log_input"] else x - t * mp.log(x + mp.mpf(p["eps"]))
    if p["full"] and t > 1:
        r += t * mp.log(t) - t + mp.log(2 * mp.pi * t) / 2
    return r


def _hinge(a: Sequence[Any], p: Mapping[str, Any]) -> Any:
    x, t = a[0], a[1]
    r = mp.mpf(0)
    if t != 1:
        r += max(mp.mpf(0), p["margin"] - x)
    if t != -1:
        r += x
    return r


def _cosine_row(a: Sequence[Any], p: Mapping[str, Any]) -> Any:
    """One row: a[0], a[1] the two vectors (lists), a[2] the target; torch's 1e-12 in |x|²."""
    x1, x2, t = a[0], a[1], a[2]
    eps = mp.mpf(1e-12)
    dot = mp.fsum(u * v for u, v in zip(x1, x2, strict=True))
    cos = dot / mp.sqrt((mp.fsum(u * u for u in x1) + eps) * (mp.fsum(v * v for v in x2) + eps))
    r = mp.mpf(0)
    if t == 1:
        r += 1 - cos
    if t == -1:
        r += max(mp.mpf(0), cos - p["margin"])
    return r


#: The exact unreduced term of each loss, from the float inputs taken exactly.
REFERENCE: dict[str, Ref] = {
    "mse_loss": lambda a, p: _d(a) ** 2,
    "l1_loss": lambda a, p: abs(_d(a)),
    "smooth_l1_loss": _smooth_l1,
    "huber_loss": _huber,
    "log_cosh": lambda a, p: mp.log(mp.cosh(_d(a))),
    "gaussian_nll_loss": _gaussian,
    "binary_cross_entropy": _bce,
    "binary_cross_entropy_with_logits": _bce_logits,
    "soft_margin_loss": lambda a, p: mp.log1p(mp.exp(-a[1] * a[0])),
    "cross_entropy": _ce_row,
    "nll_loss": lambda a, p: -a[0][int(a[1])],
    "kl_div": _kl,
    "poisson_nll_loss": _poisson,
    "hinge_embedding_loss": _hinge,
    "margin_ranking_loss": lambda a, p: max(mp.mpf(0), -a[2] * (a[0] - a[1]) + p["margin"]),
    "cosine_embedding_loss": _cosine_row,
}

#: Gradients with respect to the first input at the kinks, measured with torch 2.13's autograd
#: (float64 and float32 alike): (name, params, inputs by name, gradient). ``margin_ranking``'s
#: row is d/d(input1).
KINKS: list[tuple[str, dict[str, Any], dict[str, float], float]] = [
    ("l1_loss", {}, {"input": 0.0, "target": 0.0}, 0.0),
    ("l1_loss", {}, {"input": 1.5, "target": 1.5}, 0.0),
    ("smooth_l1_loss", {"beta": 1.0}, {"input": 1.0, "target": 0.0}, 1.0),
    ("smooth_l1_loss", {"beta": 1.0}, {"input": -1.0, "target": 0.0}, -1.0),
    ("smooth_l1_loss", {"beta": 0.5}, {"input": 0.5, "target": 0.0}, 1.0),
    ("smooth_l1_loss", {"beta": 0.5}, {"input": -0.5, "target": 0.0}, -1.0),
    ("smooth_l1_loss", {"beta": 2.0}, {"input": 2.0, "target": 0.0}, 1.0),
    ("smooth_l1_loss", {"beta": 2.0}, {"input": -2.0, "target": 0.0}, -1.0),
    ("smooth_l1_loss", {"beta": 0.0}, {"input": 0.0, "target": 0.0}, 0.0),
    ("huber_loss", {"delta": 1.0}, {"input": 1.0, "target": 0.0}, 1.0),
    ("huber_loss", {"delta": 1.0}, {"input": -1.0, "target": 0.0}, -1.0),
    ("huber_loss", {"delta": 0.5}, {"input": 0.5, "target": 0.0}, 0.5),
    ("huber_loss", {"delta": 0.5}, {"input": -0.5, "target": 0.0}, -0.5),
    ("huber_loss", {"delta": 2.0}, {"input": 2.0, "target": 0.0}, 2.0),
    ("huber_loss", {"delta": 2.0}, {"input": -2.0, "target": 0.0}, -2.0),
    ("hinge_embedding_loss", {"margin": 1.0}, {"input": 1.0, "target": -1.0}, -1.0),
    ("hinge_embedding_loss", {"margin": 2.0}, {"input": 2.0, "target": -1.0}, -1.0),
    ("margin_ranking_loss", {"margin": 0.0}, {"input1": 0.0, "input2": 0.0, "target": 1.0}, -1.0),
    ("margin_ranking_loss", {"margin": 0.5}, {"input1": 0.5, "input2": 0.0, "target": 1.0}, -1.0),
]

#: Where torch 2.13 is numerically wrong: (name, params, inputs, torch's value, the true value
#: actcli gives). ``reduction='none'`` values.
TORCH_WRONG: list[tuple[str, dict[str, Any], dict[str, Any], float, float]] = [
    # bce_with_logits at ±inf logits: torch's (1 - t)·x + ... forms inf - inf.
    ("binary_cross_entropy_with_logits", {}, {"input": math.inf, "target": 1.0}, math.nan, 0.0),
    ("binary_cross_entropy_with_logits", {}, {"input": -math.inf, "target": 0.0}, math.nan, 0.0),
    # soft_margin_loss: log(1 + exp(800)) overflows in torch; the truth is 800.
    ("soft_margin_loss", {}, {"input": -800.0, "target": 1.0}, math.inf, 800.0),
    # kl_div with p = 0 and x = -inf: torch forms 0·(-inf); the term of p = 0 is 0.
    ("kl_div", {}, {"input": -math.inf, "target": 0.0}, math.nan, 0.0),
]

#: Where torch 2.13's gradient is NaN but the true one is finite: (name, params, the input
#: differentiated, where). poisson_nll_loss(full=True) masks Stirling's term for t <= 1 after
#: computing t·log t, so d/dt at t = 0 is 0·(-inf) = NaN; the true value is -x (no Stirling).
TORCH_NAN_GRADIENTS: list[tuple[str, dict[str, Any], str, Callable[[Mapping[str, Any]], Any]]] = [
    ("poisson_nll_loss", {"full": True}, "target", lambda a: a["target"] == 0),
    # kl_div's xlogy(p, p) has d/dp = log p + 1, -inf at p = 0; torch's gives NaN there.
    ("kl_div", {}, "target", lambda a: a["target"] == 0),
]

#: The aliases the issue asks for.
ALIASES = {
    "mse": "mse_loss",
    "l1": "l1_loss",
    "huber": "huber_loss",
    "bce": "binary_cross_entropy",
    "bce_with_logits": "binary_cross_entropy_with_logits",
    "ce": "cross_entropy",
    "nll": "nll_loss",
}
