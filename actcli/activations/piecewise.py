"""Piecewise-linear (and piecewise-quadratic) activations: the ReLU family, hard*, shrinks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .. import _kernels
from ..errors import ParamError
from ..registry import REQUIRED, Activation, Param, register
from ._common import Array, channel_weight

TORCH = "torch.nn.functional."

# The kernels are compiled ufuncs (actcli/_kernels/piecewise.c, where each one is documented);
# _kernels.forward / _kernels.vjp wrap them into the records' kernel signature.


# --- relu ------------------------------------------------------------------------------------
_relu = _kernels.forward("relu")
_relu_grad = _kernels.vjp("relu")


register(
    Activation(
        name="relu",
        forward=_relu,
        derivative=_relu_grad,
        formula="max(0, x)",
        mathtext=r"$\max(0,\,x)$",
        derivative_formula="1 if x > 0 else 0 (0 at x = 0)",
        output_range="[0, ∞)",
        torch=TORCH + "relu",
        jax="jax.nn.relu",
        description="Rectified linear unit: passes positives, zeroes negatives.",
        reference="Nair & Hinton, ICML 2010",
        properties=frozenset({"monotonic"}),
        kinks=(0.0,),
        exact=True,
    )
)


# --- hardtanh and relu6 (a clamp) ------------------------------------------------------------
_hardtanh = _kernels.forward("hardtanh", ("min_val", "max_val"))
_hardtanh_grad = _kernels.vjp("hardtanh", ("min_val", "max_val"))


def _check_hardtanh(p: Mapping[str, Any]) -> None:
    if p["min_val"] > p["max_val"]:
        raise ParamError(
            f"hardtanh needs min_val <= max_val, got min_val={p['min_val']} "
            f"and max_val={p['max_val']}"
        )


register(
    Activation(
        name="hardtanh",
        forward=_hardtanh,
        derivative=_hardtanh_grad,
        params=(
            Param("min_val", -1.0, "lower clamp value"),
            Param("max_val", 1.0, "upper clamp value"),
        ),
        check=_check_hardtanh,
        formula="min(max(x, min_val), max_val)",
        mathtext=r"$\min(\max(x,\,\mathrm{min\_val}),\,\mathrm{max\_val})$",
        derivative_formula="1 if min_val < x < max_val else 0",
        output_range="[min_val, max_val]",
        torch=TORCH + "hardtanh",
        jax="jax.nn.hard_tanh",
        aliases=("hard_tanh",),
        description="Clamp to [min_val, max_val]; a cheap tanh.",
        reference="Collobert, PhD thesis 2004",
        properties=frozenset({"monotonic", "bounded", "zero_centred"}),
        kinks=lambda p: (p["min_val"], p["max_val"]),
        exact=True,
    )
)


_relu6 = _kernels.forward("relu6")
_relu6_grad = _kernels.vjp("relu6")


register(
    Activation(
        name="relu6",
        forward=_relu6,
        derivative=_relu6_grad,
        formula="min(max(0, x), 6)",
        mathtext=r"$\min(\max(0,\,x),\,6)$",
        derivative_formula="1 if 0 < x < 6 else 0",
        output_range="[0, 6]",
        torch=TORCH + "relu6",
        jax="jax.nn.relu6",
        description="ReLU capped at 6, robust in low precision.",
        reference="Krizhevsky, 'Convolutional Deep Belief Networks on CIFAR-10', 2010",
        properties=frozenset({"monotonic", "bounded"}),
        kinks=(0.0, 6.0),
        exact=True,
    )
)


# --- leaky_relu, prelu, rrelu: a slope for x <= 0 ----------------------------------------------
_leaky = _kernels.ufunc("leaky_relu")
_leaky_vjp = _kernels.ufunc("leaky_relu_vjp")


def _slope_relu(x: Array, slope: Any) -> Array:
    # One slope or one per element/channel: a broadcast input of the leaky_relu ufunc.
    return _leaky(x, slope)


def _slope_relu_grad(x: Array, g: Array, slope: Any) -> Array:
    # At x == 0 the slope applies (the x > 0 test fails), as PyTorch.
    return _leaky_vjp(x, g, slope)


_leaky_relu = _kernels.forward("leaky_relu", ("negative_slope",))
_leaky_relu_grad = _kernels.vjp("leaky_relu", ("negative_slope",))


register(
    Activation(
        name="leaky_relu",
        forward=_leaky_relu,
        derivative=_leaky_relu_grad,
        params=(Param("negative_slope", 0.01, "slope for x <= 0"),),
        formula="x if x > 0 else negative_slope·x",
        mathtext=r"$\max(0,x) + \mathrm{negative\_slope}\cdot\min(0,x)$",
        derivative_formula="1 if x > 0 else negative_slope (negative_slope at x = 0)",
        output_range="(-∞, ∞)",
        torch=TORCH + "leaky_relu",
        jax="jax.nn.leaky_relu",
        description="ReLU with a small slope for negatives, so no unit dies.",
        reference="Maas, Hannun & Ng, ICML 2013",
        properties=frozenset({"monotonic", "zero_centred"}),
        kinks=(0.0,),
        exact=True,
    )
)


def _prelu(x: Array, *, weight: Any) -> Array:
    return _slope_relu(x, channel_weight(weight, x))


def _prelu_grad(x: Array, g: Array, *, weight: Any) -> Array:
    return _slope_relu_grad(x, g, channel_weight(weight, x))


register(
    Activation(
        name="prelu",
        forward=_prelu,
        derivative=_prelu_grad,
        params=(
            Param(
                "weight",
                0.25,
                "slope for x <= 0: one value, or one per channel (axis 1)",
                per_channel=True,
            ),
        ),
        formula="x if x > 0 else weight·x (weight per channel along axis 1)",
        mathtext=r"$\max(0,x) + a\,\min(0,x)$",
        derivative_formula="1 if x > 0 else weight (weight at x = 0)",
        output_range="(-∞, ∞)",
        torch=TORCH + "prelu",
        description="Leaky ReLU with a learned slope, per channel.",
        reference="He et al., 'Delving Deep into Rectifiers', ICCV 2015",
        properties=frozenset({"monotonic", "zero_centred"}),
        kinks=(0.0,),
        exact=True,
        chunkable=lambda p: np.ndim(p["weight"]) == 0,
    )
)


def _rrelu_slope(x: Array, lower: float, upper: float, training: bool, seed: int | None) -> Any:
    if not training:
        return (lower + upper) / 2
    # One slope per element, drawn for every element in order so that a seed reproduces them
    # (the forward and the gradient draw the same slopes for the same seed).
    rng = np.random.default_rng(seed)
    return rng.uniform(lower, upper, size=x.shape).astype(x.dtype, copy=False)


def _rrelu(x: Array, *, lower: float, upper: float, training: bool, seed: int | None) -> Array:
    return _slope_relu(x, _rrelu_slope(x, lower, upper, training, seed))


def _rrelu_grad(
    x: Array, g: Array, *, lower: float, upper: float, training: bool, seed: int | None
) -> Array:
    return _slope_relu_grad(x, g, _rrelu_slope(x, lower, upper, training, seed))


def _check_rrelu(p: Mapping[str, Any]) -> None:
    if p["lower"] > p["upper"]:
        raise ParamError(
            f"rrelu needs lower <= upper, got lower={p['lower']} and upper={p['upper']}"
        )


register(
    Activation(
        name="rrelu",
        forward=_rrelu,
        derivative=_rrelu_grad,
        params=(
            Param("lower", 1 / 8, "lower bound of the random slope"),
            Param("upper", 1 / 3, "upper bound of the random slope"),
            Param("training", False, "draw a slope per element (else use (lower+upper)/2)"),
            Param(
                "seed",
                None,
                "seed of the slopes in training mode",
                value_type=int,
                optional=True,
                low=0,  # numpy's default_rng refuses negative seeds
            ),
        ),
        check=_check_rrelu,
        formula="x if x > 0 else a·x; a ~ U(lower, upper) when training, else (lower+upper)/2",
        mathtext=r"$\max(0,x) + \frac{l+u}{2}\,\min(0,x)$",
        derivative_formula="1 if x > 0 else a (a at x = 0)",
        output_range="(-∞, ∞)",
        torch=TORCH + "rrelu",
        description="Randomised leaky ReLU: a random slope in training, the mean slope otherwise.",
        reference="Xu et al., 'Empirical Evaluation of Rectified Activations', 2015",
        properties=frozenset({"monotonic", "zero_centred"}),
        kinks=(0.0,),
        exact=True,
        chunkable=lambda p: not p["training"],
        random=True,
    )
)


# --- threshold ---------------------------------------------------------------------------------
_threshold = _kernels.forward("threshold", ("threshold", "value"))
_threshold_grad = _kernels.vjp("threshold", ("threshold", "value"))


register(
    Activation(
        name="threshold",
        forward=_threshold,
        derivative=_threshold_grad,
        params=(
            Param("threshold", REQUIRED, "inputs at or below this are replaced", value_type=float),
            Param("value", REQUIRED, "the replacement value", value_type=float),
        ),
        formula="x if x > threshold else value",
        mathtext=r"$x \;\mathrm{if}\; x > t \;\mathrm{else}\; v$",
        derivative_formula="1 if x > threshold else 0",
        output_range="{value} ∪ (threshold, ∞)",
        torch=TORCH + "threshold",
        description="Replace every input at or below a threshold by a constant.",
        kinks=lambda p: (p["threshold"],),
        exact=True,
    )
)


# --- hardsigmoid, hardswish ------------------------------------------------------------------
_hardsigmoid = _kernels.forward("hardsigmoid")
_hardsigmoid_grad = _kernels.vjp("hardsigmoid")


register(
    Activation(
        name="hardsigmoid",
        forward=_hardsigmoid,
        derivative=_hardsigmoid_grad,
        formula="min(max(x + 3, 0), 6) / 6",
        mathtext=r"$\min(\max(x+3,\,0),\,6)\,/\,6$",
        derivative_formula="1/6 if -3 < x < 3 else 0",
        output_range="[0, 1]",
        torch=TORCH + "hardsigmoid",
        jax="jax.nn.hard_sigmoid",
        aliases=("hard_sigmoid",),
        description="Piecewise-linear sigmoid, cheap on mobile hardware.",
        reference="Howard et al., 'Searching for MobileNetV3', ICCV 2019",
        properties=frozenset({"monotonic", "bounded"}),
        kinks=(-3.0, 3.0),
    )
)


_hardswish = _kernels.forward("hardswish")
_hardswish_grad = _kernels.vjp("hardswish")


register(
    Activation(
        name="hardswish",
        forward=_hardswish,
        derivative=_hardswish_grad,
        formula="x · min(max(x + 3, 0), 6) / 6",
        mathtext=r"$x\,\min(\max(x+3,\,0),\,6)\,/\,6$",
        derivative_formula="0 if x <= -3, (2x + 3)/6 if -3 < x < 3, 1 if x >= 3",
        output_range="[-3/8, ∞)",
        torch=TORCH + "hardswish",
        jax="jax.nn.hard_swish",
        aliases=("hard_swish", "hard_silu"),
        description="Piecewise-quadratic swish from MobileNetV3.",
        reference="Howard et al., 'Searching for MobileNetV3', ICCV 2019",
        properties=frozenset({"self_gated"}),
        kinks=(-3.0, 3.0),
    )
)


# --- hardshrink, softshrink --------------------------------------------------------------------
_hardshrink = _kernels.forward("hardshrink", ("lambd",))
_shrink_grad = _kernels.vjp("hardshrink", ("lambd",))


LAMBD = Param("lambd", 0.5, "half-width of the dead zone", low=0.0)

register(
    Activation(
        name="hardshrink",
        forward=_hardshrink,
        derivative=_shrink_grad,
        params=(LAMBD,),
        formula="x if |x| > lambd else 0",
        mathtext=r"$x \;\mathrm{if}\; |x| > \lambda \;\mathrm{else}\; 0$",
        derivative_formula="1 if |x| > lambd else 0",
        output_range="{0} ∪ (-∞, -lambd) ∪ (lambd, ∞)",
        torch=TORCH + "hardshrink",
        description="Zero out small inputs, pass the rest unchanged.",
        properties=frozenset({"monotonic", "zero_centred"}),
        kinks=lambda p: (-p["lambd"], p["lambd"]),
        exact=True,
    )
)


_softshrink = _kernels.forward("softshrink", ("lambd",))


register(
    Activation(
        name="softshrink",
        forward=_softshrink,
        derivative=_shrink_grad,
        params=(LAMBD,),
        formula="x - lambd if x > lambd, x + lambd if x < -lambd, else 0",
        mathtext=r"$\mathrm{sign}(x)\,\max(|x| - \lambda,\,0)$",
        derivative_formula="1 if |x| > lambd else 0",
        output_range="(-∞, ∞)",
        torch=TORCH + "softshrink",
        description="Soft thresholding: shrink every input towards 0 by lambd.",
        properties=frozenset({"monotonic", "zero_centred"}),
        kinks=lambda p: (-p["lambd"], p["lambd"]),
        exact=True,
    )
)


# --- JAX's sparse_sigmoid and sparse_plus ----------------------------------------------------
_sparse_sigmoid = _kernels.forward("sparse_sigmoid")
_sparse_sigmoid_grad = _kernels.vjp("sparse_sigmoid")


register(
    Activation(
        name="sparse_sigmoid",
        forward=_sparse_sigmoid,
        derivative=_sparse_sigmoid_grad,
        formula="0 if x <= -1, (x + 1)/2 if -1 < x < 1, 1 if x >= 1",
        mathtext=r"$\frac{1}{2}\,\min(\max(x+1,\,0),\,2)$",
        derivative_formula="1/2 on (-1, 1), 1/4 at x = ±1 (JAX's tie rule), 0 elsewhere",
        output_range="[0, 1]",
        torch=None,
        jax="jax.nn.sparse_sigmoid",
        description="Sparse twin of the sigmoid: exactly 0 or 1 outside [-1, 1].",
        reference="Blondel, Martins & Niculae, 'Learning with Fenchel-Young Losses', JMLR 2020",
        properties=frozenset({"monotonic", "bounded"}),
        kinks=(-1.0, 1.0),
        exact=True,
    )
)


_sparse_plus = _kernels.forward("sparse_plus")
_sparse_plus_grad = _kernels.vjp("sparse_plus")


register(
    Activation(
        name="sparse_plus",
        forward=_sparse_plus,
        derivative=_sparse_plus_grad,
        formula="0 if x <= -1, (x + 1)²/4 if -1 < x < 1, x if x >= 1",
        mathtext=r"$\frac{1}{4}(x+1)^2 \;\mathrm{on}\; (-1,1)$",
        derivative_formula="0 if x <= -1, (x + 1)/2 if -1 < x < 1, 1 if x >= 1",
        output_range="[0, ∞)",
        torch=None,
        jax="jax.nn.sparse_plus",
        description="Sparse twin of softplus: exactly 0 below -1, exactly x above 1.",
        reference="Blondel, Martins & Niculae, 'Learning with Fenchel-Young Losses', JMLR 2020",
        properties=frozenset({"monotonic"}),
        kinks=(-1.0, 1.0),
    )
)


# --- identity (JAX's jax.nn.identity; PyTorch has only the nn.Identity module) ---------------
_identity = _kernels.forward("identity")
_identity_grad = _kernels.vjp("identity")


register(
    Activation(
        name="identity",
        forward=_identity,
        derivative=_identity_grad,
        formula="x",
        mathtext=r"$x$",
        derivative_formula="1",
        output_range="(-∞, ∞)",
        torch=None,
        jax="jax.nn.identity",
        aliases=("linear",),
        description="The identity: a linear (no-op) activation, the baseline for comparisons.",
        properties=frozenset({"monotonic", "smooth", "zero_centred"}),
        exact=True,
    )
)
