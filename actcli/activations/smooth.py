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
from ..registry import Activation, Param, register
from ._common import Array, quiet, two_prod
from ._common import returning as _returning

TORCH = "torch.nn.functional."


def _step(cmp: np.ufunc, x: Array, level: float, out: Array) -> Array:
    # cmp(x, level) as 1.0/0.0 in ``out`` (0.0 at NaN), in one pass.
    return cmp(x, level, out=out, casting="unsafe")


# --- sigmoid, logsigmoid, tanh ---------------------------------------------------------------
_sigmoid = _kernels.forward("sigmoid")
_sigmoid_grad = _kernels.vjp("sigmoid")
_sigmoid32 = _kernels.forward("sigmoid32")
_sigmoid_grad32 = _kernels.vjp("sigmoid32")


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


_logsigmoid = _kernels.forward("logsigmoid")
_logsigmoid_grad = _kernels.vjp("logsigmoid")

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
def _tanh_into(x: Array, out: Array) -> None:
    np.tanh(x, out=out)


_tanh32 = _kernels.forward("tanh")


_tanh = _returning(_tanh_into)
_tanh_grad = _kernels.vjp("tanh")

register(
    Activation(
        name="tanh",
        forward=_tanh,
        derivative=_tanh_grad,
        forward32=_tanh32,
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


_selu = _kernels.forward("selu")
_selu_grad = _kernels.vjp("selu")

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
_softplus = _kernels.forward("softplus", ("beta", "threshold"))
_softplus_grad = _kernels.vjp("softplus", ("beta", "threshold"))

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
