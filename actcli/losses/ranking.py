"""Margin losses on ±1 targets: hinge_embedding_loss and margin_ranking_loss."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..records import Doc, Loss, LossKernels, LossPlot, Naive, Param
from ._common import TORCH, Array, diff, quiet, scaled, signs, two_sum, uniform


# --- hinge_embedding_loss -------------------------------------------------------------------
# torch's definition, kept for any target: x where t != -1, plus max(0, margin - x) where
# t != 1. The gradient of the clamp is -1 where margin - x >= 0 (torch: the clamp passes its
# gradient at the corner, so d/dx = -1 at x = margin for t = -1).
@quiet
def _hinge(x: Array, t: Array, *, margin: float) -> Array:
    clamp = np.maximum(margin - x, 0.0)
    clamp = np.where(np.isnan(x), x, clamp)
    return np.where(t != 1, clamp, 0.0) + np.where(t != -1, x, 0.0)


@quiet
def _hinge_grad(x: Array, t: Array, g: Array, *, margin: float) -> Array:
    corner = np.where(margin - x >= 0, -1.0, 0.0)
    r = np.where(t != 1, corner, 0.0) + np.where(t != -1, 1.0, 0.0)
    return np.where(np.isnan(x), np.nan, r) * g


def _hinge_sample(
    rng: np.random.Generator, shape: tuple[int, ...], params: Mapping[str, Any]
) -> dict[str, Array]:
    return {"input": uniform(rng, shape, 0.0, 3.0), "target": signs(rng, shape)}


def _against_negative(x: Array, params: Mapping[str, Any]) -> dict[str, Array]:
    return {"input": x, "target": -np.ones_like(x)}


HINGE_EMBEDDING_LOSS = Loss(
    name="hinge_embedding_loss",
    aliases=("hinge_embedding",),
    doc=Doc(
        formula="x if t = 1; max(0, margin − x) if t = −1",
        mathtext=r"$x$ if $t = 1$ else $\max(0,\ m - x)$",
        derivative="1 if t = 1; −1 if t = −1 and x <= margin, else 0",
        output_range="[0, ∞) for distances x >= 0",
        description="Pulls similar pairs (t = 1) together and pushes dissimilar ones (t = −1) "
        "beyond the margin; x is a distance.",
        torch=TORCH + "hinge_embedding_loss",
    ),
    params=(Param("margin", 1.0, "the distance dissimilar pairs are pushed beyond"),),
    kernels=LossKernels(_hinge, {"input": _hinge_grad}),
    kinks=lambda p: (p["margin"],),
    settings=({"margin": 2.0},),
    plot=LossPlot("distance x (target −1)", _against_negative, (-1.0, 3.0)),
    sample=_hinge_sample,
    naive=Naive(
        lambda x, t, *, margin: np.where(t == 1, x, np.maximum(0, margin - x)),
        lambda x, t, g, *, margin: np.where(t == 1, 1.0, np.where(x <= margin, -1.0, 0.0)) * g,
    ),
)


# --- margin_ranking_loss --------------------------------------------------------------------
# max(0, -t·(x1 - x2) + margin), the inner value in double-double (x1 - x2 exact, the product
# by t and the margin added with their errors), rounded once. The gradient passes at the
# corner (value 0), as torch's clamp: -t for x1 and t for x2 where -t(x1 - x2) + margin >= 0.
@quiet
def _ranking_inner(x1: Array, x2: Array, t: Array, margin: float) -> Array:
    dh, dl = diff(x1, x2)
    ph, pl = scaled(dh, dl, -t)
    sh, sl = two_sum(ph, margin)
    return sh + np.where(np.isfinite(sh), sl + pl, 0.0)


@quiet
def _ranking(x1: Array, x2: Array, t: Array, *, margin: float) -> Array:
    z = _ranking_inner(x1, x2, t, margin)
    return np.where(np.isnan(z), z, np.maximum(z, 0.0))


@quiet
def _ranking_grad1(x1: Array, x2: Array, t: Array, g: Array, *, margin: float) -> Array:
    z = -t * (x1 - x2) + margin
    return np.where(np.isnan(z), np.nan, np.where(z >= 0, -t, 0.0)) * g


@quiet
def _ranking_grad2(x1: Array, x2: Array, t: Array, g: Array, *, margin: float) -> Array:
    z = -t * (x1 - x2) + margin
    return np.where(np.isnan(z), np.nan, np.where(z >= 0, t, 0.0)) * g


@quiet
def _ranking_grad_target(x1: Array, x2: Array, t: Array, g: Array, *, margin: float) -> Array:
    d = x1 - x2
    z = -t * d + margin
    return np.where(np.isnan(z), np.nan, np.where(z >= 0, -d, 0.0)) * g


def _ranking_sample(
    rng: np.random.Generator, shape: tuple[int, ...], params: Mapping[str, Any]
) -> dict[str, Array]:
    return {
        "input1": uniform(rng, shape, -3.0, 3.0),
        "input2": uniform(rng, shape, -3.0, 3.0),
        "target": signs(rng, shape),
    }


def _ranking_plot(x: Array, params: Mapping[str, Any]) -> dict[str, Array]:
    return {"input1": x, "input2": np.zeros_like(x), "target": np.ones_like(x)}


MARGIN_RANKING_LOSS = Loss(
    name="margin_ranking_loss",
    aliases=("margin_ranking",),
    doc=Doc(
        formula="max(0, −t·(x1 − x2) + margin)",
        mathtext=r"$\max(0,\ -t\,(x_1 - x_2) + m)$",
        derivative="−t for x1 and t for x2 where the hinge is active (>= 0), else 0",
        output_range="[0, ∞)",
        description="Ranks input1 above input2 when t = 1 (below when t = −1) by at least "
        "the margin.",
        torch=TORCH + "margin_ranking_loss",
    ),
    params=(Param("margin", 0.0, "the required gap between the two inputs"),),
    kernels=LossKernels(
        _ranking,
        {"input1": _ranking_grad1, "input2": _ranking_grad2, "target": _ranking_grad_target},
    ),
    inputs=("input1", "input2", "target"),
    kinks=lambda p: (p["margin"],),  # x1 - x2 = margin with t = 1
    settings=({"margin": 0.5},),
    plot=LossPlot("x1 − x2 (target 1)", _ranking_plot, (-3.0, 3.0)),
    sample=_ranking_sample,
    naive=Naive(
        lambda x1, x2, t, *, margin: np.maximum(0, -t * (x1 - x2) + margin),
        lambda x1, x2, t, g, *, margin: np.where(-t * (x1 - x2) + margin > 0, -t, 0.0) * g,
    ),
)

LOSSES = (HINGE_EMBEDDING_LOSS, MARGIN_RANKING_LOSS)
