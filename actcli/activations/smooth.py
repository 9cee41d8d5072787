"""Smooth activations built on exp and tanh: sigmoid, logsigmoid and tanh, the ELU family
(elu, selu, celu) and softplus.

No result overflows or forms ``inf - inf`` or ``inf * 0`` (an intermediate that does is
confined to lanes that are recomputed); the ``*32`` kernels serve float16/float32 input (see
``Activation.forward32``).

Speed: the kernels are ``*_into(x, [g,] out)`` functions writing into the engine's result
chunk (see ``_returning``), with ``out=`` everywhere and few passes. Branches are merged
arithmetically (``max(x, 0) + f(min(x, 0))``, or a 0/1 mask times exact constants), never with
``np.where``: on an unpredictable mask its loop branches per element (about 5 ns, more than an
exp). The float64 sigmoid carries ``1 + E`` exactly (``dl = E - ((1 + E) - 1)``) and applies
the first-order correction ``1/(dh + dl) = (1/dh)(1 - dl/dh)`` instead of double-double
divisions; sigmoid' and tanh' are single divisions by ``2 + 2cosh x`` and ``1 + cosh 2x``.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ..records import Activation, Doc, Kernels, Naive, Param
from . import _textbook as textbook
from ._common import Array, quiet, two_prod
from ._common import returning as _returning
from ._curvature import (
    celu_second,
    elu_second,
    logsigmoid_second,
    selu_second,
    sigmoid_second,
    softplus_second,
    tanh_second,
)

TORCH = "torch.nn.functional."


def _exp_neg_abs(x: Array) -> Array:
    # exp(-|x|) in [0, 1], a new array: never overflows.
    e = np.abs(x)
    np.negative(e, out=e)
    return np.exp(e, out=e)


def _step(cmp: np.ufunc, x: Array, level: float, out: Array) -> Array:
    # cmp(x, level) as 1.0/0.0 in ``out`` (0.0 at NaN), in one pass.
    return cmp(x, level, out=out, casting="unsafe")


def _sigmoid_of(z: Array, exp_z: Array, out: Array, ratio: bool = False) -> None:
    # out = 1/(1 + exp_z) = sigmoid(-z), or exp_z/(1 + exp_z) = sigmoid(z) if ratio, with
    # exp_z = exp(z) (overwritten). 1 + exp_z = dh + dl is carried exactly (dh - 1 is exact
    # while dh <= 2^53) and num/(dh + dl) = q·(1 - dl/dh) to first order: exp's error plus
    # about one rounding, in both tails. Where z > 36 (exp_z > 2^52, or overflowed) the result
    # is e - e^2 (1 - e if ratio) with e = exp(-z), for those lanes alone. ``out`` may not
    # share memory with z or exp_z.
    dh = exp_z + 1.0
    np.subtract(dh, 1.0, out=out)
    dl = np.subtract(exp_z, out, out=out)
    q = np.divide(exp_z, dh, out=exp_z) if ratio else np.divide(1.0, dh, out=exp_z)
    dl *= q
    if ratio:
        dl /= dh
    else:
        dl *= q  # q = 1/dh
    np.subtract(q, dl, out=out)
    deep = z > 36.0
    if deep.any():
        e = np.exp(-z[deep])
        out[deep] = 1.0 - e if ratio else e - e * e


# --- sigmoid, logsigmoid, tanh ---------------------------------------------------------------
@quiet
def _sigmoid_into(x: Array, out: Array) -> None:
    _sigmoid_of(x, np.exp(x), out, ratio=True)


@quiet
def _sigmoid_grad_into(x: Array, g: Array, out: Array) -> None:
    # e/(1 + e)^2 with e = exp(-|x|) is 1/(2 + 2cosh x): accurate in the tails (not y(1 - y),
    # which is 0 there), g folded into the one division; cosh = inf beyond |x| = 710 gives 0.
    np.cosh(x, out=out)
    out += 1.0
    np.divide(g, out, out=out)
    out *= 0.5


_sigmoid = _returning(_sigmoid_into)
_sigmoid_grad = _returning(_sigmoid_grad_into)


# float32 kernels: plain float64 (the float32 goal needs no correction), see forward32.
@quiet
def _sigmoid32(x: Array) -> Array:
    # exp(-x) may overflow to inf below -709: 1/inf is the right 0.
    t = np.negative(x)
    np.exp(t, out=t)
    t += 1
    return np.divide(1.0, t, out=t)


SIGMOID = Activation(
    name="sigmoid",
    doc=Doc(
        formula="1 / (1 + exp(-x))",
        mathtext=r"$\frac{1}{1 + e^{-x}}$",
        derivative="σ(x)(1 - σ(x))",
        output_range="(0, 1)",
        description="The logistic function: squashes any input into (0, 1).",
        torch=TORCH + "sigmoid",
        jax="jax.nn.sigmoid",
        properties=frozenset({"monotonic", "bounded", "smooth"}),
        second_derivative="σ(x)(1 - σ(x))(1 - 2σ(x))",
    ),
    kernels=Kernels(
        forward=_sigmoid,
        derivative=_sigmoid_grad,
        forward32=_sigmoid32,
        second=sigmoid_second,
    ),
    aliases=("logistic",),
    naive=Naive(
        textbook.sigmoid,
        lambda x, g: g * textbook.sigmoid(x) * (1 - textbook.sigmoid(x)),
    ),
)


@quiet
def _logsigmoid_into(x: Array, out: Array) -> None:
    # -softplus(-x) = min(x, 0) - log1p(exp(-|x|)): no overflow, no cancellation. Plain float64
    # meets both goals, so this kernel serves float32 too.
    e = np.log1p(_exp_neg_abs(x))
    np.clip(x, -np.inf, 0.0, out=out)  # min(x, 0); clip is 2x faster than np.minimum
    out -= e


@quiet
def _logsigmoid_grad_into(x: Array, g: Array, out: Array) -> None:
    _sigmoid_of(x, np.exp(x), out)
    out *= g


@quiet
def _logsigmoid_grad32(x: Array, g: Array) -> Array:
    # sigmoid(-x) = 1/(1 + exp(x)); exp(x) overflowing to inf gives the right 0.
    t = np.exp(x)
    t += 1
    np.divide(g, t, out=t)
    return t


_logsigmoid = _returning(_logsigmoid_into)
_logsigmoid_grad = _returning(_logsigmoid_grad_into)

LOGSIGMOID = Activation(
    name="logsigmoid",
    doc=Doc(
        formula="log(1 / (1 + exp(-x))) = -softplus(-x)",
        mathtext=r"$-\log(1 + e^{-x})$",
        derivative="σ(-x) = 1 - σ(x)",
        output_range="(-∞, 0)",
        description="Log of the sigmoid, computed without overflow.",
        torch=TORCH + "logsigmoid",
        jax="jax.nn.log_sigmoid",
        properties=frozenset({"monotonic", "smooth"}),
        second_derivative="-σ(x)(1 - σ(x))",
    ),
    kernels=Kernels(
        forward=_logsigmoid,
        derivative=_logsigmoid_grad,
        derivative32=_logsigmoid_grad32,
        second=logsigmoid_second,
    ),
    aliases=("log_sigmoid",),
    naive=Naive(
        lambda x: np.log(textbook.sigmoid(x)),
        lambda x, g: g * (1 - textbook.sigmoid(x)),
    ),
)


@quiet
def _tanh_into(x: Array, out: Array) -> None:
    np.tanh(x, out=out)


@quiet
def _tanh_grad_into(x: Array, g: Array, out: Array) -> None:
    # sech^2 x = 2/(1 + cosh 2x), not 1 - tanh^2, which is 0 in the tails (and not 1/cosh^2 x,
    # which doubles cosh's error just below 1).
    np.multiply(x, 2.0, out=out)
    np.cosh(out, out=out)
    out += 1.0
    np.divide(g, out, out=out)
    out *= 2.0


@quiet
def _tanh_grad32(x: Array, g: Array) -> Array:
    # sech^2 x = 1/cosh^2 x (inf beyond |x| = 355 gives 0, as float32's sech^2 is there).
    c = np.cosh(x)
    c *= c
    return np.divide(g, c, out=c)


_tanh = _returning(_tanh_into)
_tanh_grad = _returning(_tanh_grad_into)

TANH = Activation(
    name="tanh",
    doc=Doc(
        formula="(exp(x) - exp(-x)) / (exp(x) + exp(-x))",
        mathtext=r"$\tanh(x)$",
        derivative="1 - tanh²(x) = sech²(x)",
        output_range="(-1, 1)",
        description="Hyperbolic tangent: a zero-centred sigmoid with range (-1, 1).",
        torch=TORCH + "tanh",
        jax="jax.nn.tanh",
        properties=frozenset({"monotonic", "bounded", "smooth", "zero_centred"}),
        second_derivative="-2 tanh(x) sech²(x)",
    ),
    kernels=Kernels(
        forward=_tanh,
        derivative=_tanh_grad,
        derivative32=_tanh_grad32,
        second=tanh_second,
    ),
    naive=Naive(
        np.tanh,
        lambda x, g: g * (1 - np.tanh(x) ** 2),
    ),
)


# --- the ELU family ----------------------------------------------------------------------------
# One branch is linear and the other a function of min(x, 0) that is 0 (forward) or 1 (slope)
# at 0, so the forward is the sum max(x, 0)·pos + f(min(x, 0)) and the gradient a product:
# the branch each lane takes comes out of the arithmetic, bit for bit as a select would give.
def _elu_like_into(x: Array, out: Array, pos: float, neg: float, alpha: float = 1.0) -> None:
    # out = pos·x if x > 0 else neg·expm1(x/alpha)
    t = np.clip(x, -np.inf, 0.0)
    if alpha != 1:
        t /= alpha
    np.expm1(t, out=t)
    if pos == neg == alpha == 1:
        # expm1(x) >= x (and a faithful expm1 keeps it so): max(x, expm1(min(x, 0))), one pass less.
        np.maximum(x, t, out=out)
        return
    if neg != 1:
        t *= neg
    # Lower bound -0.0: every x <= 0 (-0.0 included) gives -0.0 here, so a negative branch that
    # rounds to zero keeps x's sign (-0.0 + -0.0), as PyTorch and the float32 path.
    np.clip(x, -0.0, np.inf, out=out)
    if pos != 1:
        out *= pos
    out += t


def _branch_factor(x: Array, pos: float, neg: float) -> Array:
    # pos where x > 0, neg where x <= 0 (and NaN), exactly, from the 0/1 mask m = (x <= 0).
    m = _step(np.less_equal, x, 0.0, np.empty_like(x))
    d = neg - pos
    if d + pos == neg:  # m·d + pos is exact on both sides (SELU's constants, most alphas)
        m *= d
        m += pos
        return m
    k = np.subtract(1.0, m)  # m·neg + (1 - m)·pos: each product exact, one term 0
    if pos != 1:
        k *= pos
    m *= neg
    m += k
    return m


def _elu_like_grad_into(
    x: Array, g: Array, out: Array, pos: float, neg: float, alpha: float = 1.0
) -> None:
    # out = g·(pos if x > 0 else neg·exp(x/alpha)); exp(min(x, 0)/alpha) is 1 for x > 0.
    np.clip(x, -np.inf, 0.0, out=out)
    if alpha != 1:
        out /= alpha
    np.exp(out, out=out)
    if pos != neg:
        out *= _branch_factor(x, pos, neg)
    elif pos != 1:
        out *= pos
    out *= g


@quiet
def _elu_into(x: Array, out: Array, *, alpha: float) -> None:
    _elu_like_into(x, out, 1.0, alpha)


@quiet
def _elu_grad_into(x: Array, g: Array, out: Array, *, alpha: float) -> None:
    # The x <= 0 branch is taken at 0 (alpha), as PyTorch's elu_backward.
    _elu_like_grad_into(x, g, out, 1.0, alpha)


_elu = _returning(_elu_into)
_elu_grad = _returning(_elu_grad_into)

ELU = Activation(
    name="elu",
    doc=Doc(
        formula="x if x > 0 else alpha·(exp(x) - 1)",
        mathtext=r"$x \;\mathrm{if}\; x>0 \;\mathrm{else}\; \alpha(e^x - 1)$",
        derivative="1 if x > 0 else alpha·exp(x) (alpha at x = 0)",
        output_range="(-alpha, ∞)",
        description="Exponential linear unit: smooth negative saturation at -alpha.",
        torch=TORCH + "elu",
        jax="jax.nn.elu",
        reference="Clevert, Unterthiner & Hochreiter, ICLR 2016",
        properties=frozenset({"monotonic", "zero_centred"}),
        second_derivative="alpha·exp(x) if x < 0 else 0 (0 at x = 0, as PyTorch)",
    ),
    kernels=Kernels(
        forward=_elu,
        derivative=_elu_grad,
        second=elu_second,
    ),
    params=(Param("alpha", 1.0, "the value approached as x -> -inf is -alpha", low=0.0),),
    kinks=(0.0,),
    settings=(
        {"alpha": 0.5},
        {"alpha": 2.0},
    ),
    naive=Naive(
        lambda x, alpha: np.where(x > 0, x, alpha * (np.exp(x) - 1)),
        lambda x, g, alpha: g * np.where(x > 0, 1, alpha * np.exp(x)),
    ),
)

#: SELU's constants from Klambauer et al. (2017), to full double precision.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
#: scale·alpha rounded once in double, as PyTorch's kernel: selu is defined by these doubles.
_SELU_SA = SELU_SCALE * SELU_ALPHA


@quiet
def _selu_into(x: Array, out: Array) -> None:
    _elu_like_into(x, out, SELU_SCALE, _SELU_SA)


@quiet
def _selu_grad_into(x: Array, g: Array, out: Array) -> None:
    # scale * alpha at 0 (left derivative), as PyTorch.
    _elu_like_grad_into(x, g, out, SELU_SCALE, _SELU_SA)


_selu = _returning(_selu_into)
_selu_grad = _returning(_selu_grad_into)

SELU = Activation(
    name="selu",
    doc=Doc(
        formula="scale·(x if x > 0 else alpha·(exp(x) - 1)), alpha ≈ 1.6733, scale ≈ 1.0507",
        mathtext=r"$\lambda\,(x \;\mathrm{if}\; x>0 \;\mathrm{else}\; \alpha(e^x - 1))$",
        derivative="scale if x > 0 else scale·alpha·exp(x) (scale·alpha at x = 0)",
        output_range="(-scale·alpha, ∞) ≈ (-1.7581, ∞)",
        description="Scaled ELU whose fixed point keeps activations normalised.",
        torch=TORCH + "selu",
        jax="jax.nn.selu",
        reference="Klambauer et al., 'Self-Normalizing Neural Networks', NeurIPS 2017",
        properties=frozenset({"monotonic", "zero_centred"}),
        second_derivative="scale·alpha·exp(x) if x < 0 else 0 (0 at x = 0, as PyTorch)",
    ),
    kernels=Kernels(
        forward=_selu,
        derivative=_selu_grad,
        second=selu_second,
    ),
    kinks=(0.0,),
    naive=Naive(
        lambda x: SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * (np.exp(x) - 1)),
        lambda x, g: g * SELU_SCALE * np.where(x > 0, 1, SELU_ALPHA * np.exp(x)),
    ),
)


def _celu_arg(x: Array, alpha: float) -> tuple[Array, Array]:
    """``min(x, 0) / alpha`` as ``uh + ul``: exp(u) keeps its relative accuracy in the tail."""
    xn = np.clip(x, -1e300, 0.0)
    uh = xn / alpha
    p, pl = two_prod(np.clip(uh, -1e300 / max(alpha, 1.0), 0), alpha)
    ul = ((xn - p) - pl) / alpha
    ul[~np.isfinite(uh)] = 0.0  # x/alpha overflowed: exp(-inf) = 0 needs no low part
    return uh, ul


@quiet
def _celu_into(x: Array, out: Array, *, alpha: float) -> None:
    if alpha == 1:
        _elu_like_into(x, out, 1.0, 1.0)
        return
    uh, ul = _celu_arg(x, alpha)
    # expm1(uh + ul) = expm1(uh) + exp(uh)·ul; both are 0 for x > 0.
    np.exp(uh, out=out)
    out *= ul
    out += np.expm1(uh, out=uh)
    out *= alpha
    out += np.clip(x, -0.0, np.inf, out=ul)
    # A negative branch that rounds to zero keeps x's sign (expm1(-0.0) + exp(-0.0)·0 is +0).
    zero = np.nonzero(out == 0)  # index tuples: right for any memory layout of x and out
    if zero[0].size:
        out[zero] = np.copysign(0.0, x[zero])


@quiet
def _celu_grad_into(x: Array, g: Array, out: Array, *, alpha: float) -> None:
    # 1 at x = 0 from both sides (C1), as PyTorch: exp(min(x, 0)/alpha) is 1 for x >= 0.
    if alpha == 1:
        _elu_like_grad_into(x, g, out, 1.0, 1.0)
        return
    uh, ul = _celu_arg(x, alpha)
    np.exp(uh, out=out)
    ul += 1.0
    out *= ul
    out *= g


@quiet
def _celu32(x: Array, *, alpha: float) -> Array:
    out = np.empty_like(x)
    _elu_like_into(x, out, 1.0, alpha, alpha)
    return out


@quiet
def _celu_grad32(x: Array, g: Array, *, alpha: float) -> Array:
    out = np.empty_like(x)
    _elu_like_grad_into(x, g, out, 1.0, 1.0, alpha)
    return out


_celu = _returning(_celu_into)
_celu_grad = _returning(_celu_grad_into)

CELU = Activation(
    name="celu",
    doc=Doc(
        formula="max(0, x) + min(0, alpha·(exp(x/alpha) - 1))",
        mathtext=r"$\max(0,x) + \min(0,\,\alpha(e^{x/\alpha} - 1))$",
        derivative="1 if x > 0 else exp(x/alpha)",
        output_range="(-alpha, ∞)",
        description="Continuously differentiable ELU: slope 1 at 0 for every alpha.",
        torch=TORCH + "celu",
        jax="jax.nn.celu",
        reference="Barron, 'Continuously Differentiable Exponential Linear Units', 2017",
        properties=frozenset({"monotonic", "zero_centred"}),
        second_derivative="exp(x/alpha)/alpha if x < 0 else 0 (0 at x = 0, as PyTorch)",
    ),
    kernels=Kernels(
        forward=_celu,
        derivative=_celu_grad,
        forward32=_celu32,
        derivative32=_celu_grad32,
        second=celu_second,
    ),
    params=(Param("alpha", 1.0, "scale of the negative branch", low=0.0, low_open=True),),
    kinks=(0.0,),
    settings=(
        {"alpha": 0.5},
        {"alpha": 3.0},
    ),
    naive=Naive(
        lambda x, alpha: np.maximum(0, x) + np.minimum(0, alpha * (np.exp(x / alpha) - 1)),
        lambda x, g, alpha: g * np.where(x > 0, 1, np.exp(x / alpha)),
    ),
)


# --- softplus ----------------------------------------------------------------------------------
def _linear_above(above: npt.NDArray[np.bool_], out: Array, value: Array | float) -> None:
    # PyTorch's definition: x (gradient 1) exactly where beta·x > threshold. Those lanes are
    # rare in practice, so the smooth formula runs everywhere and they are overwritten (one
    # compare, no select).
    if above.any():
        out[above] = value[above] if isinstance(value, np.ndarray) else value


@quiet
def _softplus_into(x: Array, out: Array, *, beta: float, threshold: float) -> None:
    # log1p(exp(bx))/beta with bx clipped at 40, where it already rounds to bx: then
    # max(bx, ·) gives bx above, and below it never overflows (log1p keeps the tiny values).
    bx = x * beta if beta != 1 else x
    t = np.clip(bx, -np.inf, 40.0)
    np.exp(t, out=t)
    np.log1p(t, out=t)
    np.maximum(bx, t, out=out)
    if beta != 1:
        out /= beta
    _linear_above(bx > threshold, out, x)


@quiet
def _softplus_grad_into(x: Array, g: Array, out: Array, *, beta: float, threshold: float) -> None:
    # sigmoid(beta·x) = exp(beta·x)/(1 + exp(beta·x)).
    bx = x * beta if beta != 1 else x
    _sigmoid_of(bx, np.exp(bx), out, ratio=True)
    _linear_above(bx > threshold, out, 1.0)
    out *= g


@quiet
def _softplus_grad32(x: Array, g: Array, *, beta: float, threshold: float) -> Array:
    # 1/(1 + exp(-beta·x)): exp overflowing to inf gives the right 0 (below float32's range).
    bx = x * beta if beta != 1 else x
    t = np.negative(bx)
    np.exp(t, out=t)
    t += 1
    np.divide(1.0, t, out=t)
    _linear_above(bx > threshold, t, 1.0)
    t *= g
    return t


_softplus = _returning(_softplus_into)
_softplus_grad = _returning(_softplus_grad_into)

SOFTPLUS = Activation(
    name="softplus",
    doc=Doc(
        formula="log(1 + exp(beta·x)) / beta, or x where beta·x > threshold",
        mathtext=r"$\frac{1}{\beta}\log(1 + e^{\beta x})$",
        derivative="σ(beta·x), or 1 where beta·x > threshold",
        output_range="(0, ∞)",
        description="Smooth approximation of relu; the integral of the sigmoid.",
        torch=TORCH + "softplus",
        jax="jax.nn.softplus",
        reference="Dugas et al., NeurIPS 2000",
        properties=frozenset({"monotonic"}),
        second_derivative="beta·σ(beta·x)(1 - σ(beta·x)), or 0 where beta·x >= threshold",
    ),
    kernels=Kernels(
        forward=_softplus,
        derivative=_softplus_grad,
        derivative32=_softplus_grad32,
        second=softplus_second,
    ),
    params=(
        Param("beta", 1.0, "sharpness: larger is closer to relu", low=0.0, low_open=True),
        Param(
            "threshold",
            20.0,
            "beta·x above this returns x exactly (inf: never)",
            allow_inf=True,
        ),
    ),
    kinks=lambda p: (p["threshold"] / p["beta"],) if np.isfinite(p["threshold"]) else (),
    settings=(
        {"beta": 2.0},
        {"beta": 0.5, "threshold": 5.0},
        {"threshold": np.inf},
    ),
    naive=Naive(
        lambda x, beta, threshold: np.where(
            beta * x > threshold, x, np.log(1 + np.exp(beta * x)) / beta
        ),
        lambda x, g, beta, threshold: (
            g * np.where(beta * x > threshold, 1, textbook.sigmoid(beta * x))
        ),
    ),
)

ACTIVATIONS = (
    SIGMOID,
    LOGSIGMOID,
    TANH,
    ELU,
    SELU,
    CELU,
    SOFTPLUS,
)
