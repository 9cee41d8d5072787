"""Classification losses: binary_cross_entropy (with and without logits), soft_margin_loss,
cross_entropy and nll_loss.

The logit forms use the stable softplus (max(z, 0) + log1p(exp(-|z|))) and sigmoid, so they
give the true limits at ±inf logits where torch's formulas give NaN (bce_with_logits) or
overflow (soft_margin_loss from z = -100 in float32). cross_entropy takes log_softmax from the
activations' kernel (rows with +inf logits give the one-hot limit, not NaN).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..activations._common import row_sum as _row_sum
from ..activations.axis import _log_softmax, _softmax
from ..errors import InputError
from ..lossrecords import ArrayArg, Loss, LossKernels, LossPlot
from ..records import Doc, Naive, Param
from ._common import (
    TORCH,
    Array,
    dd_add,
    dd_div2,
    dd_mul,
    exp_dd,
    log1p_exp_neg,
    log_dd,
    ones_like_input,
    quiet,
    scaled,
    sigmoid,
    signs,
    softplus,
    two_sum,
    uniform,
)

WEIGHT_BROADCAST = ArrayArg(
    "weight", "a weight broadcast to the input's shape", shape="broadcast", scales=True
)

# --- binary_cross_entropy -------------------------------------------------------------------
# -(t·log p + (1 - t)·log(1 - p)), each log clamped at -100 as torch does (so bce(0, 1) = 100,
# a definition, kept); log1p(-p) for log(1 - p). Input outside [0, 1] is refused. The gradient
# is torch's: (p - t)/max(p(1 - p), 1e-12), so -1e12 at p = 0, t = 1. Measured: 1.3 ulp
# float64 (log's error plus three roundings), 0.5 float32.
_LOG_CLAMP = -100.0
_BCE_EPS = 1e-12


@quiet
def _bce(p: Array, t: Array) -> Array:
    lp = np.maximum(np.log(p), _LOG_CLAMP)
    lq = np.maximum(np.log1p(-p), _LOG_CLAMP)
    # t·lp and (1 - t)·lq have one sign for t in [0, 1]: no cancellation; 1 - t is exact from
    # t = 0.5 up, and carried as a double-double below.
    uh, ul = two_sum(1.0, -t)
    a = t * lp
    bh, bl = scaled(uh, ul, lq)
    sh, sl = two_sum(a, bh)
    r = -(sh + (sl + bl))
    return np.where(np.isnan(p) | np.isnan(t), np.nan, r)


@quiet
def _bce32(p: Array, t: Array) -> Array:
    # Plain float64: two terms of one sign for t in [0, 1], a few float64 ulps.
    lp = np.maximum(np.log(p), _LOG_CLAMP)
    lq = np.maximum(np.log1p(-p), _LOG_CLAMP)
    return -(t * lp + (1.0 - t) * lq)


@quiet
def _bce_grad(p: Array, t: Array, g: Array) -> Array:
    return (p - t) / np.maximum(p * (1.0 - p), _BCE_EPS) * g


@quiet
def _bce_grad_target(p: Array, t: Array, g: Array) -> Array:
    # torch's: log(1 - p) - log(p) without the clamp (±inf at p = 0 and 1).
    return (np.log1p(-p) - np.log(p)) * g


def _check_probabilities(arrays: Mapping[str, Array], params: Mapping[str, Any]) -> None:
    p = arrays["input"]
    with np.errstate(invalid="ignore"):
        bad = (p < 0) | (p > 1)
    if bad.any():
        v = float(np.asarray(p)[bad].flat[0])
        raise InputError(
            f"binary_cross_entropy needs input probabilities in [0, 1], got {v!r} "
            "(for logits use binary_cross_entropy_with_logits)"
        )


def _bce_sample(
    rng: np.random.Generator, shape: tuple[int, ...], params: Mapping[str, Any]
) -> dict[str, Array]:
    return {"input": uniform(rng, shape, 0.0, 1.0), "target": uniform(rng, shape, 0.0, 1.0)}


def _against_probability(x: Array, params: Mapping[str, Any]) -> dict[str, Array]:
    return {"input": x, "target": np.ones_like(x)}


BINARY_CROSS_ENTROPY = Loss(
    name="binary_cross_entropy",
    aliases=("bce",),
    doc=Doc(
        formula="−w(t·log p + (1 − t)·log(1 − p)), logs clamped at −100",
        mathtext=r"$-t\log p - (1 - t)\log(1 - p)$",
        derivative="(p − t)/max(p(1 − p), 1e-12)",
        output_range="[0, 100] (the clamp)",
        description="Binary cross-entropy of probabilities p in [0, 1] (a sigmoid in front).",
        torch=TORCH + "binary_cross_entropy",
        jax="optax.sigmoid_binary_cross_entropy (of logits)",
    ),
    kernels=LossKernels(_bce, {"input": _bce_grad, "target": _bce_grad_target}, term32=_bce32),
    arrays=(WEIGHT_BROADCAST,),
    plot=LossPlot("probability p (target 1)", _against_probability, (0.02, 0.98)),
    sample=_bce_sample,
    check_inputs=_check_probabilities,
    naive=Naive(
        lambda p, t: -(t * np.log(p) + (1 - t) * np.log(1 - p)),
        lambda p, t, g: (p - t) / (p * (1 - p)) * g,
    ),
)


# --- binary_cross_entropy_with_logits -------------------------------------------------------
# (1 - t)·x + L·softplus(-x), L = 1 + (pos_weight - 1)·t, written per sign of x so that both
# terms keep one sign: x >= 0: (1 - t)x + L·log1p(e^-x); x < 0: -pw·t·x + L·log1p(e^x). The
# linear term is a double-double and 0 when its coefficient is 0 (x = +inf with t = 1 gives 0,
# the limit, where torch gives NaN). Gradient L·sigmoid(x) - pw·t; NaN in, NaN out. Measured:
# 1.2 ulp float64, 0.5 float32.
@quiet
def _bce_logits(x: Array, t: Array, *, pos_weight: Array | None = None) -> Array:
    pw = 1.0 if pos_weight is None else pos_weight
    big_l = 1.0 + (pw - 1.0) * t if pos_weight is not None else np.ones_like(t)
    uh, ul = two_sum(1.0, -t)
    ch = np.where(x >= 0, uh, -pw * t)
    cl = np.where(x >= 0, ul, 0.0)
    lh, ll = scaled(ch, cl, x)
    lin_zero = (ch == 0) & (cl == 0)
    lh = np.where(lin_zero, 0.0, lh)
    ll = np.where(lin_zero | ~np.isfinite(lh), 0.0, ll)
    sp = big_l * log1p_exp_neg(x)
    sp = np.where(big_l == 0, 0.0, sp)
    sh, sl = two_sum(lh, sp)
    r = sh + np.where(np.isfinite(sh), sl + ll, 0.0)
    return np.where(np.isnan(x) | np.isnan(t), np.nan, r)


@quiet
def _bce_logits32(x: Array, t: Array, *, pos_weight: Array | None = None) -> Array:
    # The same per-sign form in plain float64 (no cancellation for t in [0, 1]).
    pw = 1.0 if pos_weight is None else pos_weight
    big_l = 1.0 + (pw - 1.0) * t
    c = np.where(x >= 0, 1.0 - t, -pw * t)
    lin = np.where(c == 0, 0.0, c * x)
    sp = np.where(big_l == 0, 0.0, big_l * log1p_exp_neg(x))
    return np.where(np.isnan(x) | np.isnan(t), np.nan, lin + sp)


@quiet
def _bce_logits_grad(x: Array, t: Array, g: Array, *, pos_weight: Array | None = None) -> Array:
    if pos_weight is None:
        return (sigmoid(x) - t) * g
    big_l = 1.0 + (pos_weight - 1.0) * t
    return (big_l * sigmoid(x) - pos_weight * t) * g


@quiet
def _bce_logits_grad_target(
    x: Array, t: Array, g: Array, *, pos_weight: Array | None = None
) -> Array:
    if pos_weight is None:
        return -x * g
    return (-x + (pos_weight - 1.0) * softplus(-x)) * g


def _logit_sample(
    rng: np.random.Generator, shape: tuple[int, ...], params: Mapping[str, Any]
) -> dict[str, Array]:
    return {"input": uniform(rng, shape, -8.0, 8.0), "target": uniform(rng, shape, 0.0, 1.0)}


def _against_logit(x: Array, params: Mapping[str, Any]) -> dict[str, Array]:
    return {"input": x, "target": np.ones_like(x)}


def _naive_bce_logits(x: Array, t: Array, *, pos_weight: Array | None = None) -> Array:
    s = 1 / (1 + np.exp(-x))
    pw = 1.0 if pos_weight is None else pos_weight
    return -(pw * t * np.log(s) + (1 - t) * np.log(1 - s))


def _naive_bce_logits_grad(
    x: Array, t: Array, g: Array, *, pos_weight: Array | None = None
) -> Array:
    s = 1 / (1 + np.exp(-x))
    pw = 1.0 if pos_weight is None else pos_weight
    return ((1 + (pw - 1) * t) * s - pw * t) * g


BINARY_CROSS_ENTROPY_WITH_LOGITS = Loss(
    name="binary_cross_entropy_with_logits",
    aliases=("bce_with_logits",),
    doc=Doc(
        formula="(1 − t)·x + (1 + (pw − 1)·t)·softplus(−x)",
        mathtext=r"$(1 - t)\,x + \ell\,\log(1 + e^{-x}),\ \ell = 1 + (p_w - 1)\,t$",
        derivative="(1 + (pw − 1)t)·σ(x) − pw·t (σ(x) − t without pos_weight)",
        output_range="[0, ∞) for t in [0, 1]",
        description="Binary cross-entropy of logits: sigmoid and BCE fused, stable at any x.",
        torch=TORCH + "binary_cross_entropy_with_logits",
        jax="optax.sigmoid_binary_cross_entropy",
    ),
    kernels=LossKernels(
        _bce_logits,
        {"input": _bce_logits_grad, "target": _bce_logits_grad_target},
        term32=_bce_logits32,
    ),
    arrays=(
        WEIGHT_BROADCAST,
        ArrayArg("pos_weight", "weight of the positive term, broadcast along the last axis"),
    ),
    plot=LossPlot("logit x (target 1)", _against_logit, (-6.0, 6.0)),
    sample=_logit_sample,
    naive=Naive(_naive_bce_logits, _naive_bce_logits_grad),
)


# --- soft_margin_loss -----------------------------------------------------------------------
# log(1 + exp(-t·x)) = softplus(-t·x): finite for any finite margin (torch overflows to inf,
# with a NaN gradient, from t·x = -100 in float32 and -800 in float64). Gradient -t·σ(-t·x).
# Measured: 1.3 ulp float64, 0.5 float32; inf at t·x = -inf, 0 at +inf, NaN at NaN.
@quiet
def _soft_margin(x: Array, t: Array) -> Array:
    return softplus(-t * x)


@quiet
def _soft_margin_grad(x: Array, t: Array, g: Array) -> Array:
    return -t * sigmoid(-t * x) * g


def _margin_sample(
    rng: np.random.Generator, shape: tuple[int, ...], params: Mapping[str, Any]
) -> dict[str, Array]:
    return {"input": uniform(rng, shape, -8.0, 8.0), "target": signs(rng, shape)}


def _margin_plot(x: Array, params: Mapping[str, Any]) -> dict[str, Array]:
    return {"input": x, "target": ones_like_input(x, params)}


SOFT_MARGIN_LOSS = Loss(
    name="soft_margin_loss",
    aliases=("soft_margin",),
    doc=Doc(
        formula="log(1 + exp(−t·x))",
        mathtext=r"$\log(1 + e^{-t x})$",
        derivative="−t·σ(−t·x)",
        output_range="[0, ∞)",
        description="Logistic loss of a ±1 target: a smooth hinge.",
        torch=TORCH + "soft_margin_loss",
        properties=frozenset({"smooth"}),
    ),
    kernels=LossKernels(_soft_margin, {"input": _soft_margin_grad}),
    plot=LossPlot("margin x (target 1)", _margin_plot, (-6.0, 6.0)),
    sample=_margin_sample,
    naive=Naive(
        lambda x, t: np.log(1 + np.exp(-t * x)),
        lambda x, t, g: -t * np.exp(-t * x) / (1 + np.exp(-t * x)) * g,
    ),
)


# --- cross_entropy and nll_loss (classes layout: x (rows, C), t (rows,) or (rows, C)) -------
CLASS_WEIGHT = ArrayArg("weight", "a weight per class (shape (C,))", shape="classes", scales=True)
IGNORE_INDEX = Param("ignore_index", -100, "targets equal to it add nothing (class indices)")


def _picked(t: Array, weight: Array | None, ignore_index: int) -> tuple[Any, Any, Array]:
    """(row indices, the class of each row (0 where ignored), the class weight of each row
    (0 where ignored))."""
    ignored = t == ignore_index
    k = np.where(ignored, 0, t).astype(np.intp)
    w: Array = np.ones(t.shape) if weight is None else weight[k]
    return np.arange(t.shape[0]), k, np.where(ignored, 0.0, w)


def _weights(weight: Array | None, c: int) -> Array:
    return np.ones(c) if weight is None else weight


def _mix(
    t: Array, weight: Array | None, c: int, eps: float, ignore_index: int
) -> tuple[Array, Array]:
    """The weights q (rows, C) of row loss = lse(x)·Σq - Σ q_c·x_c, as a double-double:
    q_c = (1 - eps)·w_t·[c = t] + (eps/C)·w_c (class indices; 0 on ignored rows), or
    w_c·(p_c(1 - eps) + eps/C) (class probabilities)."""
    wc = _weights(weight, c)
    oh, ol = two_sum(1.0, -eps)  # 1 - eps exactly
    sh, sl = dd_div2(np.float64(eps), 0.0, np.float64(c), 0.0)  # eps/C
    if t.ndim == 2:
        ph, pl = scaled(oh, ol, t)
        ph, pl = dd_add(ph, pl, sh, sl)
        return scaled(ph, pl, wc)
    rows, k, w = _picked(t, weight, ignore_index)
    qh, ql = scaled(np.full((t.shape[0], c), sh), np.full((t.shape[0], c), sl), wc)
    bh, bl = scaled(np.full(t.shape, oh), np.full(t.shape, ol), w)
    th, tl = dd_add(qh[rows, k], ql[rows, k], bh, bl)
    qh[rows, k], ql[rows, k] = th, tl
    ignored = (t == ignore_index)[:, None]
    return np.where(ignored, 0.0, qh), np.where(ignored, 0.0, ql)


def _lse_dd(x: Array) -> tuple[Array, Array]:
    """log Σ exp(x) per row as a double-double, for finite rows: max + log_dd(Σ exp(x - max))
    with x - max exact and exp, the sum and the log in double-double."""
    m = np.max(x, axis=1, keepdims=True)
    dh, dl = two_sum(x, -m)
    eh, el = exp_dd(dh, dl)
    sh, sl = _row_sum(eh, el)
    lh, ll = log_dd(sh[:, 0], sl[:, 0])
    return dd_add(m[:, 0], 0.0, lh, ll)


@quiet
def _cross_entropy(
    x: Array, t: Array, weight: Array | None, *, ignore_index: int, label_smoothing: float
) -> tuple[Array, Array]:
    """Per row lse(x)·Σq - Σ q_c·x_c (see _mix), everything in double-double and rounded
    once: 0.5 ulp plus a few 2^-100. Rows with ±inf, NaN or |x| > 1e150 take log_softmax
    (the one-hot limit at +inf logits)."""
    c = x.shape[1]
    counted = np.ones(x.shape[0]) if t.ndim == 2 else _picked(t, weight, ignore_index)[2]
    qh, ql = _mix(t, weight, c, label_smoothing, ignore_index)
    plain = np.all(np.abs(x) < 1e150, axis=1)  # False for inf and NaN too
    xp = np.where(plain[:, None], x, 0.0)
    ah, al = _row_sum(qh, ql)
    bh, bl = scaled(qh, ql, xp)
    bh, bl = _row_sum(bh, bl)
    lh, ll = _lse_dd(xp)
    ph, pl = dd_mul(lh, ll, ah[:, 0], al[:, 0])
    rh, rl = dd_add(ph, pl, -bh[:, 0], -bl[:, 0])
    r = rh + rl
    if not plain.all():
        q = qh + ql
        ls = _log_softmax(x[~plain], dim=-1)
        terms = np.where(q[~plain] == 0, 0.0, q[~plain] * ls)  # 0·log 0 = 0
        r[~plain] = -np.sum(terms, axis=1)
    return r, counted


@quiet
def _cross_entropy32(
    x: Array, t: Array, weight: Array | None, *, ignore_index: int, label_smoothing: float
) -> tuple[Array, Array]:
    """-Σ q_c·log_softmax(x)_c per row in float64 (a few ulp of float64: far below float32's)."""
    c = x.shape[1]
    eps = label_smoothing
    ls = _log_softmax(x, dim=-1)
    if t.ndim == 2:
        q = (t * (1.0 - eps) + eps / c) * _weights(weight, c)
        return -np.sum(np.where(q == 0, 0.0, q * ls), axis=1), np.ones(x.shape[0])  # 0·log 0
    rows, k, w = _picked(t, weight, ignore_index)
    r = np.where(w == 0, 0.0, -w * ls[rows, k])
    if eps:
        wc = _weights(weight, c)
        smooth = -np.sum(np.where(wc == 0, 0.0, wc * ls), axis=1)
        r = (1.0 - eps) * r + np.where(t == ignore_index, 0.0, (eps / c) * smooth)
    return r, w


@quiet
def _cross_entropy_grad(
    x: Array,
    t: Array,
    weight: Array | None,
    g: Array,
    *,
    ignore_index: int,
    label_smoothing: float,
) -> Array:
    c = x.shape[1]
    s = _softmax(x, dim=-1)
    eps = label_smoothing
    wc = _weights(weight, c)
    if t.ndim == 2:
        p = t * (1.0 - eps) + eps / c if eps else t
        pw = p * wc
        return (s * np.sum(pw, axis=1, keepdims=True) - pw) * g[:, None]
    rows, k, w = _picked(t, weight, ignore_index)
    r = s * ((1.0 - eps) * w)[:, None]
    r[rows, k] -= (1.0 - eps) * w
    if eps:
        r += (eps / c) * (s * np.sum(wc) - wc)
    # Ignored rows get 0 even when g is not finite (a mean over no target: g/0), as torch.
    return np.where((t == ignore_index)[:, None], 0.0, r * g[:, None])


@quiet
def _cross_entropy_grad_target(
    x: Array,
    t: Array,
    weight: Array | None,
    g: Array,
    *,
    ignore_index: int,
    label_smoothing: float,
) -> Array:
    """d/dp_c of a row's loss with class-probability targets: -(1 - eps)·w_c·log_softmax_c."""
    wc = _weights(weight, x.shape[1])
    ls = _log_softmax(x, dim=-1)
    return -(1.0 - label_smoothing) * wc * ls * g[:, None]


def _check_classes(arrays: Mapping[str, Array], params: Mapping[str, Any]) -> None:
    x, t = arrays["input"], arrays["target"]
    if t.shape == x.shape:  # class probabilities
        return
    c = x.shape[1] if x.ndim >= 2 else x.shape[0]
    ignore = params["ignore_index"]
    bad = ~np.isfinite(t) | (t != np.round(t))
    if bad.any():
        v = float(t[bad].flat[0])
        raise InputError(f"class-index targets must be whole numbers, got {v!r}")
    out = ((t < 0) | (t >= c)) & (t != ignore)
    if out.any():
        v = int(t[out].flat[0])
        raise InputError(
            f"target class {v} is out of range for {c} classes (0 to {c - 1}, or "
            f"ignore_index={ignore})"
        )


def _class_sample(
    rng: np.random.Generator, shape: tuple[int, ...], params: Mapping[str, Any]
) -> dict[str, Array]:
    """Logits of shape (N, C) with C = shape[-1] (at least 2) and class-index targets."""
    n, c = (shape[0], 1) if len(shape) == 1 else (int(np.prod(shape[:-1])), shape[-1])
    c = max(c, 2) if len(shape) > 1 else 5
    n = max(n, 1) if len(shape) > 1 else max(shape[0] // c, 1)
    return {
        "input": uniform(rng, (n, c), -6.0, 6.0),
        "target": rng.integers(0, c, size=n).astype(np.float64),
    }


def _against_class_logit(x: Array, params: Mapping[str, Any]) -> dict[str, Array]:
    """Two classes, logits [x, 0], target class 0: cross_entropy = softplus(-x)."""
    return {"input": np.stack([x, np.zeros_like(x)], axis=1), "target": np.zeros_like(x)}


def _first_class(grad: Array) -> Array:
    return grad[:, 0]


def _naive_ce(x: Array, t: Array, **params: Any) -> Array:
    e = np.exp(x)
    p = e / e.sum(axis=1, keepdims=True)
    return -np.log(p[np.arange(x.shape[0]), t.astype(np.intp)])


def _naive_ce_grad(x: Array, t: Array, g: Array, **params: Any) -> Array:
    e = np.exp(x)
    p = e / e.sum(axis=1, keepdims=True)
    p[np.arange(x.shape[0]), t.astype(np.intp)] -= 1.0
    return p * g[:, None]


CROSS_ENTROPY = Loss(
    name="cross_entropy",
    aliases=("ce",),
    doc=Doc(
        formula="−w_t·log_softmax(x)_t (class index t), or −Σ_c w_c·p_c·log_softmax(x)_c",
        mathtext=r"$-\log\frac{e^{x_t}}{\sum_c e^{x_c}}$",
        derivative="softmax(x) − onehot(t) (weighted and smoothed as the loss)",
        output_range="[0, ∞)",
        description="Softmax cross-entropy over the class axis (axis 1, as torch): logits and "
        "class indices or class probabilities; mean divides by the weights of the counted "
        "targets.",
        torch=TORCH + "cross_entropy",
        jax="optax.softmax_cross_entropy_with_integer_labels",
    ),
    params=(
        IGNORE_INDEX,
        Param(
            "label_smoothing",
            0.0,
            "mix the target with the uniform distribution",
            low=0.0,
            high=1.0,
        ),
    ),
    kernels=LossKernels(
        _cross_entropy,
        {"input": _cross_entropy_grad, "target": _cross_entropy_grad_target},
        term32=_cross_entropy32,
    ),
    layout="classes",
    arrays=(CLASS_WEIGHT,),
    settings=({"label_smoothing": 0.1},),
    plot=LossPlot(
        "logit of the target class (logits [x, 0])",
        _against_class_logit,
        (-6.0, 6.0),
        pick=_first_class,
    ),
    sample=_class_sample,
    check_inputs=_check_classes,
    naive=Naive(_naive_ce, _naive_ce_grad),
)


@quiet
def _nll(x: Array, t: Array, weight: Array | None, *, ignore_index: int) -> tuple[Array, Array]:
    rows, k, w = _picked(t, weight, ignore_index)
    return np.where(w == 0, 0.0, -w * x[rows, k]), w


@quiet
def _nll_grad(x: Array, t: Array, weight: Array | None, g: Array, *, ignore_index: int) -> Array:
    rows, k, w = _picked(t, weight, ignore_index)
    r = np.zeros_like(x)
    r[rows, k] = np.where(w == 0, 0.0, -w * g)  # ignored rows: 0 even when g = g/0 (torch)
    return np.where(np.isnan(x), np.nan, r)  # NaN in, NaN out (torch: -w whatever x)


def _check_nll(arrays: Mapping[str, Array], params: Mapping[str, Any]) -> None:
    if arrays["target"].shape == arrays["input"].shape:
        raise InputError(
            "nll_loss takes class-index targets (the input's shape without the class axis), "
            f"not one of the input's shape {arrays['input'].shape}"
        )
    _check_classes(arrays, params)


def _nll_sample(
    rng: np.random.Generator, shape: tuple[int, ...], params: Mapping[str, Any]
) -> dict[str, Array]:
    arrays = _class_sample(rng, shape, params)
    arrays["input"] = _log_softmax(arrays["input"], dim=-1)
    return arrays


NLL_LOSS = Loss(
    name="nll_loss",
    aliases=("nll",),
    doc=Doc(
        formula="−w_t·x_t (x: log-probabilities, t: class index)",
        mathtext=r"$-w_t\,x_t$",
        derivative="−w_t at the target class, 0 elsewhere",
        output_range="(−∞, ∞) ([0, ∞) for log-probabilities)",
        description="Negative log-likelihood of log-probabilities (log_softmax in front); "
        "mean divides by the weights of the counted targets.",
        torch=TORCH + "nll_loss",
    ),
    params=(IGNORE_INDEX,),
    kernels=LossKernels(_nll, {"input": _nll_grad}),
    layout="classes",
    arrays=(CLASS_WEIGHT,),
    plot=LossPlot(
        "log-probability of the target class",
        _against_class_logit,
        (-6.0, 0.0),
        pick=_first_class,
    ),
    sample=_nll_sample,
    check_inputs=_check_nll,
    naive=Naive(
        lambda x, t, **p: -x[np.arange(x.shape[0]), t.astype(np.intp)],
        lambda x, t, g, **p: _nll_grad(x, t, None, g, ignore_index=-100),
    ),
)

LOSSES = (
    BINARY_CROSS_ENTROPY,
    BINARY_CROSS_ENTROPY_WITH_LOGITS,
    SOFT_MARGIN_LOSS,
    CROSS_ENTROPY,
    NLL_LOSS,
)
