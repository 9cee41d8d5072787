"""Margin losses on ±1 targets: hinge_embedding_loss, margin_ranking_loss and
cosine_embedding_loss."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..activations._common import row_sum as _row_sum
from ..lossrecords import Loss, LossKernels, LossPlot
from ..records import Doc, Naive, Param
from ._common import (
    TORCH,
    Array,
    dd_add,
    dd_div2,
    dd_mul,
    diff,
    quiet,
    scaled,
    signs,
    two_prod,
    two_sum,
    uniform,
)


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
def _ranking32(x1: Array, x2: Array, t: Array, *, margin: float) -> Array:
    # Plain float64: for float32 inputs x1 - x2 is exact; the rest rounds twice in float64.
    z = -t * (x1 - x2) + margin
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
        term32=_ranking32,
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


# --- cosine_embedding_loss (rows layout: x1, x2 (rows, D), t (rows,)) -------------------------
# cos = x1·x2 / sqrt((|x1|² + EPS)(|x2|² + EPS)), EPS = 1e-12 as torch (so a zero vector has
# cos 0); the loss is 1 - cos for t = 1 and max(0, cos - margin) for t = -1 (torch's where:
# other targets add nothing). The dot product and the squared norms are double-double row
# sums of exact products, the square root and the quotient double-double too, so 1 - cos keeps
# its digits for nearly parallel rows. Rows with ±inf, NaN or |x| > 1e150 give NaN (the cosine
# of an infinite vector is undefined). Measured: 0.5 ulp float64 and float32.
_COS_EPS = 1e-12
_BIG = 1e150


def _row_dd(ah: Array, al: Array) -> tuple[Array, Array]:
    sh, sl = _row_sum(ah, al)
    return sh[:, 0], sl[:, 0]


def _sqrt_dd(h: Array, lo: Array) -> tuple[Array, Array]:
    """sqrt(h + lo) as a double-double (one Newton step), h >= 0."""
    s = np.sqrt(h)
    ph, pl = two_prod(s, s)
    c = ((h - ph) - pl + lo) / np.where(s > 0, 2.0 * s, 1.0)
    return s, np.where(s > 0, c, 0.0)


def _cosine_dd(x1: Array, x2: Array) -> tuple[Array, Array]:
    """cos per row as a double-double (see the header); NaN rows where it is undefined."""
    ok = np.all(np.abs(x1) < _BIG, axis=1) & np.all(np.abs(x2) < _BIG, axis=1)
    a = np.where(ok[:, None], x1, 0.0)
    b = np.where(ok[:, None], x2, 0.0)
    dh, dl = _row_dd(*two_prod(a, b))
    n1h, n1l = _row_dd(*two_prod(a, a))
    n2h, n2l = _row_dd(*two_prod(b, b))
    n1h, n1l = dd_add(n1h, n1l, _COS_EPS, 0.0)
    n2h, n2l = dd_add(n2h, n2l, _COS_EPS, 0.0)
    ph, pl = dd_mul(n1h, n1l, n2h, n2l)
    sh, sl = _sqrt_dd(ph, pl)
    ch, cl = dd_div2(dh, dl, sh, sl)
    return np.where(ok, ch, np.nan), np.where(ok, cl, 0.0)


@quiet
def _cosine_embedding(x1: Array, x2: Array, t: Array, *, margin: float) -> Array:
    ch, cl = _cosine_dd(x1, x2)
    ph, pl = dd_add(1.0, 0.0, -ch, -cl)
    nh, nl = dd_add(ch, cl, -margin, 0.0)
    pos = ph + pl
    neg = np.maximum(nh + nl, 0.0)
    r = np.where(t == 1, pos, 0.0) + np.where(t == -1, neg, 0.0)
    return np.where(np.isnan(ch) | np.isnan(t), np.nan, r)


def _cosine_parts(x1: Array, x2: Array) -> tuple[Array, Array, Array, Array]:
    """cos, x1·x2, |x1|² + EPS and |x2|² + EPS per row (float64), for the gradients."""
    dot = np.sum(x1 * x2, axis=1)
    m1 = np.sum(x1 * x1, axis=1) + _COS_EPS
    m2 = np.sum(x2 * x2, axis=1) + _COS_EPS
    return dot / np.sqrt(m1 * m2), dot, m1, m2


def _cosine_embedding_grad_of(first: bool) -> Any:
    def grad(x1: Array, x2: Array, t: Array, g: Array, *, margin: float) -> Array:
        # d cos/d x1 = x2/sqrt(m1 m2) - cos·x1/m1 (and symmetrically); d loss/d cos = -1 for
        # t = 1, 1 where cos - margin >= 0 for t = -1 (torch's clamp passes at the corner).
        with np.errstate(all="ignore"):
            cos, _, m1, m2 = _cosine_parts(x1, x2)
            a, b, m = (x1, x2, m1) if first else (x2, x1, m2)
            dcos = b / np.sqrt(m1 * m2)[:, None] - (cos / m)[:, None] * a
            slope = np.where(t == 1, -1.0, 0.0) + np.where(
                (t == -1) & (cos - margin >= 0), 1.0, 0.0
            )
            return dcos * (slope * g)[:, None]

    grad.__name__ = f"_cosine_embedding_grad{1 if first else 2}"
    return grad


def _cosine_sample(
    rng: np.random.Generator, shape: tuple[int, ...], params: Mapping[str, Any]
) -> dict[str, Array]:
    rows, d = (
        (max(shape[0] // 8, 1), 8) if len(shape) == 1 else (int(np.prod(shape[:-1])), shape[-1])
    )
    return {
        "input1": uniform(rng, (rows, d), -2.0, 2.0),
        "input2": uniform(rng, (rows, d), -2.0, 2.0),
        "target": signs(rng, (rows,)),
    }


def _cosine_plot(x: Array, params: Mapping[str, Any]) -> dict[str, Array]:
    """input1 = [x, 1], input2 = [1, 0], target 1: the loss is 1 - x/sqrt(x² + 1)."""
    ones = np.ones_like(x)
    return {
        "input1": np.stack([x, ones], axis=1),
        "input2": np.stack([ones, np.zeros_like(x)], axis=1),
        "target": ones,
    }


def _first_component(grad: Array) -> Array:
    return grad[:, 0]


def _naive_cosine(x1: Array, x2: Array, t: Array, *, margin: float) -> Array:
    cos = np.sum(x1 * x2, axis=1) / np.sqrt(np.sum(x1 * x1, axis=1) * np.sum(x2 * x2, axis=1))
    return np.where(t == 1, 1 - cos, np.maximum(0, cos - margin))


COSINE_EMBEDDING_LOSS = Loss(
    name="cosine_embedding_loss",
    aliases=("cosine_embedding",),
    doc=Doc(
        formula="1 − cos(x1, x2) if t = 1; max(0, cos(x1, x2) − margin) if t = −1 (per row)",
        mathtext=r"$1 - \cos\theta$ if $t = 1$ else $\max(0,\ \cos\theta - m)$",
        derivative="∓ d cos/dx (cos = x1·x2/(|x1||x2|), with torch's 1e-12 in each |x|²)",
        output_range="[0, 2]",
        description="Pulls similar pairs of vectors (t = 1) to the same direction and pushes "
        "dissimilar ones (t = −1) below the margin in cosine; one loss per row.",
        torch=TORCH + "cosine_embedding_loss",
    ),
    params=(
        Param("margin", 0.0, "the cosine dissimilar pairs are pushed below", low=-1.0, high=1.0),
    ),
    kernels=LossKernels(
        _cosine_embedding,
        {"input1": _cosine_embedding_grad_of(True), "input2": _cosine_embedding_grad_of(False)},
    ),
    inputs=("input1", "input2", "target"),
    layout="rows",
    settings=({"margin": 0.5},),
    plot=LossPlot(
        "x (input1 = [x, 1], input2 = [1, 0], target 1)",
        _cosine_plot,
        (-4.0, 4.0),
        pick=_first_component,
    ),
    sample=_cosine_sample,
    naive=Naive(
        _naive_cosine,
        lambda x1, x2, t, g, *, margin: _cosine_embedding_grad_of(True)(
            x1, x2, t, g, margin=margin
        ),
    ),
)

LOSSES = (HINGE_EMBEDDING_LOSS, MARGIN_RANKING_LOSS, COSINE_EMBEDDING_LOSS)
