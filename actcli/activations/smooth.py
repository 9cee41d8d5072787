"""Smooth activations built on exp and tanh: sigmoid, logsigmoid and tanh, the ELU family
(elu, selu, celu) and softplus.

Compiled kernels (actcli/_kernels/smooth.c, documented there) serve every dtype for sigmoid,
logsigmoid, elu, selu and softplus, and tanh's VJP; tanh's forward and celu keep NumPy float64
kernels below, with compiled ``*32`` kernels for float16/float32 input (see
``Activation.forward32``).

No result overflows or forms ``inf - inf`` or ``inf * 0`` (an intermediate that does is
confined to lanes that are recomputed). The NumPy kernels are ``*_into(x, [g,] out)`` functions
writing into the engine's result chunk (see ``_returning``); branches are merged arithmetically
(``max(x, 0) + f(min(x, 0))``, or a 0/1 mask times exact constants), never with ``np.where``.
"""

from __future__ import annotations

import numpy as np

from .. import _kernels
from ..records import Activation, Doc, Kernels, LibraryName, Naive, Param
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


def _step(cmp: np.ufunc, x: Array, level: float, out: Array) -> Array:
    # cmp(x, level) as 1.0/0.0 in ``out`` (0.0 at NaN), in one pass.
    return cmp(x, level, out=out, casting="unsafe")


# --- sigmoid, logsigmoid, tanh ---------------------------------------------------------------
_sigmoid = _kernels.forward("sigmoid")
_sigmoid_grad = _kernels.vjp("sigmoid")
_sigmoid32 = _kernels.forward("sigmoid32")
_sigmoid_grad32 = _kernels.vjp("sigmoid32")


SIGMOID = Activation(
    name="sigmoid",
    library_names=(
        LibraryName("hf", "sigmoid"),
        LibraryName("timm", "sigmoid"),
        LibraryName("keras", "sigmoid"),
        LibraryName("mlx", "sigmoid"),
    ),
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
        derivative32=_sigmoid_grad32,
        second=sigmoid_second,
    ),
    aliases=("logistic",),
    naive=Naive(
        textbook.sigmoid,
        lambda x, g: g * textbook.sigmoid(x) * (1 - textbook.sigmoid(x)),
    ),
)


_logsigmoid = _kernels.forward("logsigmoid")
_logsigmoid_grad = _kernels.vjp("logsigmoid")

LOGSIGMOID = Activation(
    name="logsigmoid",
    library_names=(
        LibraryName("keras", "log_sigmoid"),
        LibraryName("mlx", "log_sigmoid"),
    ),
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


_tanh32 = _kernels.forward("tanh")


_tanh = _returning(_tanh_into)
_tanh_grad = _kernels.vjp("tanh")

TANH = Activation(
    name="tanh",
    library_names=(
        LibraryName("hf", "tanh"),
        LibraryName("timm", "tanh"),
        LibraryName("keras", "tanh"),
        LibraryName("mlx", "tanh"),
    ),
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
        forward32=_tanh32,
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


_elu = _kernels.forward("elu", ("alpha",))
_elu_grad = _kernels.vjp("elu", ("alpha",))

ELU = Activation(
    name="elu",
    library_names=(
        LibraryName("timm", "elu"),
        LibraryName("keras", "elu"),
        LibraryName("mlx", "elu"),
    ),
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


_selu = _kernels.forward("selu")
_selu_grad = _kernels.vjp("selu")

SELU = Activation(
    name="selu",
    library_names=(
        LibraryName("timm", "selu"),
        LibraryName("keras", "selu"),
        LibraryName(
            "mlx",
            "selu",
            note="MLX truncates the constants to 1.0507 and 1.67326",
            formula=lambda torch, t: 1.0507 * torch.where(t > 0, t, 1.67326 * torch.expm1(t)),
            max_abs=0.0099,
            max_rel=2.9e-6,
        ),
    ),
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


_celu32 = _kernels.forward("celu", ("alpha",))
_celu_grad32 = _kernels.vjp("celu", ("alpha",))


_celu = _returning(_celu_into)
_celu_grad = _returning(_celu_grad_into)

CELU = Activation(
    name="celu",
    library_names=(
        LibraryName("timm", "celu"),
        LibraryName("keras", "celu"),
        LibraryName("mlx", "celu"),
    ),
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
_softplus = _kernels.forward("softplus", ("beta", "threshold"))
_softplus_grad = _kernels.vjp("softplus", ("beta", "threshold"))

SOFTPLUS = Activation(
    name="softplus",
    library_names=(
        LibraryName("keras", "softplus"),
        LibraryName("mlx", "softplus"),
    ),
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
