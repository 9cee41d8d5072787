"""Piecewise-linear (and piecewise-quadratic) activations: the ReLU family, hard*, shrinks."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from .. import _kernels
from ..errors import ParamError
from ..records import REQUIRED, Activation, Doc, Kernels, LibraryName, Naive, Param, Reference64
from ._common import Array, channel_weight, keep_nan
from ._lazyref import lazy_reference

TORCH = "torch.nn.functional."

# The kernels are compiled ufuncs (actcli/_kernels/piecewise.c, where each one is documented);
# _kernels.forward / _kernels.vjp wrap them into the records' kernel signature.


# --- second derivatives (f'' is a constant on each piece) --------------------------------------
def zero_second(x: Array, g: Array, **params: Any) -> Array:
    """f'' = 0 (piecewise-linear functions): 0 everywhere, kinks included, as PyTorch's double
    backward; NaN where x is NaN."""
    return keep_nan(x, np.zeros(np.broadcast_shapes(x.shape, g.shape), dtype=x.dtype))


def _interval_constant(x: Array, g: Array, lo: float, hi: float, value: float) -> Array:
    inside = (x > lo) & (x < hi)
    r = np.where(inside, g * value, 0.0).astype(x.dtype, copy=False)
    return keep_nan(x, r)


def hardswish_second(x: Array, g: Array) -> Array:
    """1/3 on the open interval (-3, 3), 0 elsewhere (±3 included, as PyTorch)."""
    inside = (x > -3) & (x < 3)
    r = np.where(inside, g / 3, 0.0).astype(x.dtype, copy=False)
    return keep_nan(x, r)


def sparse_plus_second(x: Array, g: Array) -> Array:
    """1/2 on the open interval (-1, 1), 0 elsewhere (±1 included: JAX's where picks the outer
    pieces there)."""
    return _interval_constant(x, g, -1.0, 1.0, 0.5)


# --- relu ------------------------------------------------------------------------------------
_relu = _kernels.forward("relu")
_relu_grad = _kernels.vjp("relu")


RELU = Activation(
    name="relu",
    library_names=(
        LibraryName("hf", "relu"),
        LibraryName("timm", "relu"),
        LibraryName("keras", "relu"),
        LibraryName("mlx", "relu"),
    ),
    doc=Doc(
        plot_range=(-3.0, 3.0),
        formula="max(0, x)",
        mathtext=r"$\max(0,\,x)$",
        derivative="1 if x > 0 else 0 (0 at x = 0)",
        output_range="[0, ∞)",
        description="Rectified linear unit: passes positives, zeroes negatives.",
        torch=TORCH + "relu",
        jax="jax.nn.relu",
        reference="Nair & Hinton, ICML 2010",
        properties=frozenset({"monotonic"}),
        second_derivative="0 (also at the kink x = 0, as PyTorch)",
    ),
    kernels=Kernels(
        forward=_relu,
        derivative=_relu_grad,
        exact=True,
        second=zero_second,
    ),
    kinks=(0.0,),
    naive=Naive(
        lambda x: np.maximum(x, 0),
        lambda x, g: g * (x > 0),
    ),
    bandwidth_goal=0.8,
)


# --- relu2 (squared ReLU) ----------------------------------------------------------------------
_relu2 = _kernels.forward("relu2")
_relu2_grad = _kernels.vjp("relu2")


def relu2_second(x: Array, g: Array) -> Array:
    """2 for x > 0 (+inf included), 0 elsewhere (0 at the kink, as PyTorch's double backward
    of relu(x)**2); NaN where x is NaN."""
    r = np.where(x > 0, 2.0 * g, 0.0).astype(x.dtype, copy=False)
    return keep_nan(x, r)


RELU2 = Activation(
    name="relu2",
    library_names=(LibraryName("hf", "relu2"),),
    doc=Doc(
        plot_range=(-2.0, 2.0),
        formula="max(0, x)²",
        mathtext=r"$\max(0,\,x)^2$",
        derivative="2·max(0, x) (0 at x = 0)",
        output_range="[0, ∞)",
        description="Squared ReLU (Primer): relu(x)², HF transformers' relu2.",
        torch=None,
        hf="transformers.activations.ReLUSquaredActivation",
        reference="So et al., 'Primer: Searching for Efficient Transformers', NeurIPS 2021",
        properties=frozenset({"monotonic"}),
        second_derivative="2 if x > 0 else 0 (0 at the kink x = 0, as PyTorch)",
    ),
    kernels=Kernels(forward=_relu2, derivative=_relu2_grad, second=relu2_second),
    kinks=(0.0,),
    naive=Naive(
        lambda x: np.maximum(x, 0) ** 2,
        lambda x, g: 2 * np.maximum(x, 0) * g,
    ),
    torch_call=lambda F, t, p: F.relu(t) ** 2,
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


HARDTANH = Activation(
    name="hardtanh",
    library_names=(
        LibraryName("keras", "hard_tanh"),
        LibraryName("mlx", "hard_tanh"),
        LibraryName(
            "jax",
            "hard_tanh",
            note="JAX's derivative at ±1 is 1 (PyTorch's 0): grad --convention jax",
        ),
    ),
    doc=Doc(
        plot_range=lambda p: (min(p["min_val"], 0.0) - 2.0, max(p["max_val"], 0.0) + 2.0),
        formula="min(max(x, min_val), max_val)",
        mathtext=r"$\min(\max(x,\,\mathrm{min\_val}),\,\mathrm{max\_val})$",
        derivative="1 if min_val < x < max_val else 0",
        output_range="[min_val, max_val]",
        description="Clamp to [min_val, max_val]; a cheap tanh.",
        torch=TORCH + "hardtanh",
        jax="jax.nn.hard_tanh",
        reference="Collobert, PhD thesis 2004",
        properties=frozenset({"monotonic", "bounded", "zero_centred"}),
        second_derivative="0 (also at min_val and max_val)",
    ),
    kernels=Kernels(
        forward=_hardtanh,
        derivative=_hardtanh_grad,
        exact=True,
        second=zero_second,
    ),
    params=(
        Param("min_val", -1.0, "lower clamp value", high=np.inf, high_open=True, allow_inf=True),
        Param("max_val", 1.0, "upper clamp value", low=-np.inf, low_open=True, allow_inf=True),
    ),
    check=_check_hardtanh,
    aliases=("hard_tanh",),
    kinks=lambda p: (p["min_val"], p["max_val"]),
    jax_kinks=lambda p: ((p["min_val"], 1.0), (p["max_val"], 1.0)),  # jax.nn.hard_tanh: 1 at ±1
    settings=({"min_val": -2.0, "max_val": 0.5},),
    naive=Naive(
        lambda x, min_val, max_val: np.clip(x, min_val, max_val),
        lambda x, g, min_val, max_val: g * ((x > min_val) & (x < max_val)),
    ),
    bandwidth_goal=0.8,
)


_relu6 = _kernels.forward("relu6")
_relu6_grad = _kernels.vjp("relu6")


RELU6 = Activation(
    name="relu6",
    library_names=(
        LibraryName("hf", "relu6"),
        LibraryName("timm", "relu6"),
        LibraryName("keras", "relu6"),
        LibraryName("mlx", "relu6"),
    ),
    doc=Doc(
        plot_range=(-2.0, 8.0),
        formula="min(max(0, x), 6)",
        mathtext=r"$\min(\max(0,\,x),\,6)$",
        derivative="1 if 0 < x < 6 else 0",
        output_range="[0, 6]",
        description="ReLU capped at 6, robust in low precision.",
        torch=TORCH + "relu6",
        jax="jax.nn.relu6",
        reference="Krizhevsky, 'Convolutional Deep Belief Networks on CIFAR-10', 2010",
        properties=frozenset({"monotonic", "bounded"}),
        second_derivative="0 (also at 0 and 6)",
    ),
    kernels=Kernels(
        forward=_relu6,
        derivative=_relu6_grad,
        exact=True,
        second=zero_second,
    ),
    kinks=(0.0, 6.0),
    naive=Naive(
        lambda x: np.minimum(np.maximum(x, 0), 6),
        lambda x, g: g * ((x > 0) & (x < 6)),
    ),
    bandwidth_goal=0.8,
)


# --- leaky_relu, prelu, rrelu: a slope for x <= 0 ----------------------------------------------
_leaky = _kernels.ufunc("leaky_relu")
_leaky_vjp = _kernels.ufunc("leaky_relu_vjp")


def _slope_kernel(kernel: Callable[..., Array], into: Callable[..., None]) -> None:
    """Marks a kernel over the leaky_relu ufuncs as compiled (``native``: float32 goes in as it
    is; the float32 loop is float-native, x times the float64 slope rounded once, within an ulp
    of the float64 result rounded) with its ``into`` twin: large inputs are written chunk by
    chunk into the result, with no temporary and no copy."""
    kernel.into = into  # type: ignore[attr-defined]
    kernel.native = True  # type: ignore[attr-defined]
    kernel.float32_native = "leaky_relu" in _kernels.float32_native  # type: ignore[attr-defined]


def _slope_relu(x: Array, slope: Any) -> Array:
    # One slope or one per element/channel: a broadcast input of the leaky_relu ufunc.
    return _leaky(x, slope)


def _slope_relu_grad(x: Array, g: Array, slope: Any) -> Array:
    # At x == 0 the slope applies (the x > 0 test fails), as PyTorch.
    return _leaky_vjp(x, g, slope)


_leaky_relu = _kernels.forward("leaky_relu", ("negative_slope",))
_leaky_relu_grad = _kernels.vjp("leaky_relu", ("negative_slope",))


LEAKY_RELU = Activation(
    name="leaky_relu",
    library_names=(
        LibraryName("hf", "leaky_relu"),
        LibraryName("timm", "leaky_relu"),
        LibraryName("mlx", "leaky_relu"),
        LibraryName(
            "jax",
            "leaky_relu",
            note="JAX's derivative at 0 is 1 (PyTorch's the slope): grad --convention jax",
        ),
        LibraryName(
            "keras",
            "leaky_relu",
            {"negative_slope": 0.2},
            note=(
                "Keras' default slope is 0.2; actcli's leaky_relu follows PyTorch's 0.01 "
                "(give -p negative_slope=0.2)"
            ),
            alias=False,
        ),
    ),
    doc=Doc(
        plot_range=(-3.0, 3.0),
        formula="x if x > 0 else negative_slope·x",
        mathtext=r"$\max(0,x) + \mathrm{negative\_slope}\cdot\min(0,x)$",
        derivative="1 if x > 0 else negative_slope (negative_slope at x = 0)",
        output_range="(-∞, ∞)",
        description="ReLU with a small slope for negatives, so no unit dies.",
        torch=TORCH + "leaky_relu",
        jax="jax.nn.leaky_relu",
        reference="Maas, Hannun & Ng, ICML 2013",
        properties=frozenset({"monotonic", "zero_centred"}),
        second_derivative="0 (also at x = 0)",
    ),
    kernels=Kernels(
        forward=_leaky_relu,
        derivative=_leaky_relu_grad,
        exact=True,
        second=zero_second,
    ),
    params=(Param("negative_slope", 0.01, "slope for x <= 0"),),
    kinks=(0.0,),
    jax_kinks=((0.0, 1.0),),  # jax.nn.leaky_relu: 1 at 0 (its where(x >= 0, ...))
    settings=(
        {"negative_slope": 0.2},
        {"negative_slope": -0.5},
    ),
    naive=Naive(
        lambda x, negative_slope: np.where(x > 0, x, negative_slope * x),
        lambda x, g, negative_slope: g * np.where(x > 0, 1, negative_slope),
    ),
    bandwidth_goal=0.8,
    reference64=Reference64(lazy_reference("leaky_relu"), lazy_reference("leaky_relu_slope")),
)


def _prelu(x: Array, *, weight: Any) -> Array:
    return _slope_relu(x, channel_weight(weight, x))


def _prelu_grad(x: Array, g: Array, *, weight: Any) -> Array:
    return _slope_relu_grad(x, g, channel_weight(weight, x))


def _prelu_into(x: Array, out: Array, *, weight: Any) -> None:
    _leaky(x, channel_weight(weight, x), out=out)


def _prelu_grad_into(x: Array, g: Array, out: Array, *, weight: Any) -> None:
    _leaky_vjp(x, g, channel_weight(weight, x), out=out)


_slope_kernel(_prelu, _prelu_into)
_slope_kernel(_prelu_grad, _prelu_grad_into)


PRELU = Activation(
    name="prelu",
    library_names=(
        LibraryName("hf", "prelu"),
        LibraryName("timm", "prelu"),
        LibraryName("mlx", "prelu"),
    ),
    doc=Doc(
        plot_range=(-3.0, 3.0),
        formula="x if x > 0 else weight·x (weight per channel along axis 1)",
        mathtext=r"$\max(0,x) + a\,\min(0,x)$",
        derivative="1 if x > 0 else weight (weight at x = 0)",
        output_range="(-∞, ∞)",
        description="Leaky ReLU with a learned slope, per channel.",
        torch=TORCH + "prelu",
        reference="He et al., 'Delving Deep into Rectifiers', ICCV 2015",
        properties=frozenset({"monotonic", "zero_centred"}),
        second_derivative="0 (also at x = 0)",
    ),
    kernels=Kernels(
        forward=_prelu,
        derivative=_prelu_grad,
        exact=True,
        chunkable=lambda p: np.ndim(p["weight"]) == 0,
        second=zero_second,
    ),
    params=(
        Param(
            "weight",
            0.25,
            "slope for x <= 0: one value, or one per channel (axis 1)",
            per_channel=True,
        ),
    ),
    kinks=(0.0,),
    settings=({"weight": 0.1},),
    naive=Naive(
        lambda x, weight: np.where(x > 0, x, weight * x),
        lambda x, g, weight: g * np.where(x > 0, 1, weight),
    ),
)


def _rrelu_slope(x: Array, lower: float, upper: float, training: bool, seed: int | None) -> Any:
    if not training:
        # (lower + upper)/2 overflows for lower = upper = 1e308; halving first is exact unless
        # a half is subnormal, where the sum cannot overflow.
        return _midpoint(lower, upper)
    # One slope per element, drawn for every element in order so that a seed reproduces them
    # (the forward and the gradient draw the same slopes for the same seed).
    rng = np.random.default_rng(seed)
    # float64 slopes for every dtype: the kernel rounds x times the float64 slope once (float32
    # within an ulp of the float64 result rounded).
    return rng.uniform(lower, upper, size=x.shape)


def _midpoint(lower: float, upper: float) -> float:
    """(lower + upper)/2 correctly rounded for any finite pair, no overflow."""
    if abs(lower) < 1e300 and abs(upper) < 1e300:
        return (lower + upper) / 2
    return lower / 2 + upper / 2


def _rrelu(x: Array, *, lower: float, upper: float, training: bool, seed: int | None) -> Array:
    return _slope_relu(x, _rrelu_slope(x, lower, upper, training, seed))


def _rrelu_grad(
    x: Array, g: Array, *, lower: float, upper: float, training: bool, seed: int | None
) -> Array:
    return _slope_relu_grad(x, g, _rrelu_slope(x, lower, upper, training, seed))


def _rrelu_into(
    x: Array, out: Array, *, lower: float, upper: float, training: bool, seed: int | None
) -> None:
    _leaky(x, _rrelu_slope(x, lower, upper, training, seed), out=out)


def _rrelu_grad_into(
    x: Array,
    g: Array,
    out: Array,
    *,
    lower: float,
    upper: float,
    training: bool,
    seed: int | None,
) -> None:
    _leaky_vjp(x, g, _rrelu_slope(x, lower, upper, training, seed), out=out)


_slope_kernel(_rrelu, _rrelu_into)
_slope_kernel(_rrelu_grad, _rrelu_grad_into)


def _check_rrelu(p: Mapping[str, Any]) -> None:
    if p["lower"] > p["upper"]:
        raise ParamError(
            f"rrelu needs lower <= upper, got lower={p['lower']} and upper={p['upper']}"
        )


RRELU = Activation(
    name="rrelu",
    doc=Doc(
        plot_range=(-3.0, 3.0),
        formula="x if x > 0 else a·x; a ~ U(lower, upper) when training, else (lower+upper)/2",
        mathtext=r"$\max(0,x) + \frac{l+u}{2}\,\min(0,x)$",
        derivative="1 if x > 0 else a (a at x = 0)",
        output_range="(-∞, ∞)",
        description="Randomised leaky ReLU: a random slope in training, the mean slope otherwise.",
        torch=TORCH + "rrelu",
        reference="Xu et al., 'Empirical Evaluation of Rectified Activations', 2015",
        properties=frozenset({"monotonic", "zero_centred"}),
        second_derivative="0 (also at x = 0)",
    ),
    kernels=Kernels(
        forward=_rrelu,
        derivative=_rrelu_grad,
        exact=True,
        chunkable=lambda p: not p["training"],
        random=True,
        second=zero_second,
    ),
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
    kinks=(0.0,),
    settings=(
        {"lower": 0.1, "upper": 0.4},
        {"training": True, "seed": 7},
    ),
    naive=Naive(
        lambda x, lower, upper, **_: np.where(x > 0, x, _midpoint(lower, upper) * x),
        lambda x, g, lower, upper, **_: g * np.where(x > 0, 1, _midpoint(lower, upper)),
    ),
)


# --- threshold ---------------------------------------------------------------------------------
_threshold = _kernels.forward("threshold", ("threshold", "value"))
_threshold_grad = _kernels.vjp("threshold", ("threshold", "value"))


THRESHOLD = Activation(
    name="threshold",
    doc=Doc(
        plot_range=lambda p: (p["threshold"] - 3.0, p["threshold"] + 3.0),
        formula="x if x > threshold else value",
        mathtext=r"$x \;\mathrm{if}\; x > t \;\mathrm{else}\; v$",
        derivative="1 if x > threshold else 0",
        output_range="{value} ∪ (threshold, ∞)",
        description="Replace every input at or below a threshold by a constant.",
        torch=TORCH + "threshold",
        second_derivative="0 (also at threshold)",
    ),
    kernels=Kernels(
        forward=_threshold,
        derivative=_threshold_grad,
        exact=True,
        second=zero_second,
    ),
    params=(
        Param(
            "threshold",
            REQUIRED,
            "inputs at or below this are replaced",
            value_type=float,
            allow_inf=True,
        ),
        Param("value", REQUIRED, "the replacement value", value_type=float, allow_inf=True),
    ),
    kinks=lambda p: (p["threshold"],),
    settings=(
        {"threshold": 1.0, "value": 0.0},  # the illustration: plots, bench and docs use it
        {"threshold": 0.5, "value": -2.0},
        {"threshold": -1.0, "value": 3.0},
    ),
    naive=Naive(
        lambda x, threshold, value: np.where(x > threshold, x, np.asarray(value, x.dtype)),
        lambda x, g, threshold, value: g * (x > threshold),
    ),
    bandwidth_goal=0.8,
)


# --- hardsigmoid, hardswish ------------------------------------------------------------------
_hardsigmoid = _kernels.forward("hardsigmoid")
_hardsigmoid_grad = _kernels.vjp("hardsigmoid")


HARDSIGMOID = Activation(
    name="hardsigmoid",
    library_names=(
        LibraryName("timm", "hard_sigmoid"),
        LibraryName("timm", "hardsigmoid"),
        LibraryName("keras", "hard_sigmoid"),
    ),
    doc=Doc(
        plot_range=(-5.0, 5.0),
        formula="min(max(x + 3, 0), 6) / 6",
        mathtext=r"$\min(\max(x+3,\,0),\,6)\,/\,6$",
        derivative="1/6 if -3 < x < 3 else 0",
        output_range="[0, 1]",
        description="Piecewise-linear sigmoid, cheap on mobile hardware.",
        torch=TORCH + "hardsigmoid",
        jax="jax.nn.hard_sigmoid",
        reference="Howard et al., 'Searching for MobileNetV3', ICCV 2019",
        properties=frozenset({"monotonic", "bounded"}),
        second_derivative="0 (also at ±3)",
    ),
    kernels=Kernels(
        forward=_hardsigmoid,
        derivative=_hardsigmoid_grad,
        second=zero_second,
    ),
    aliases=("hard_sigmoid",),
    kinks=(-3.0, 3.0),
    naive=Naive(
        lambda x: np.clip(x / 6 + 0.5, 0, 1),
        lambda x, g: g * ((x > -3) & (x < 3)) / 6,
    ),
    bandwidth_goal=0.8,
    reference64=Reference64(lazy_reference("hardsigmoid"), lazy_reference("hardsigmoid_slope")),
)


_hardswish = _kernels.forward("hardswish")
_hardswish_grad = _kernels.vjp("hardswish")


HARDSWISH = Activation(
    name="hardswish",
    library_names=(
        LibraryName("hf", "hardswish"),
        LibraryName("timm", "hard_swish"),
        LibraryName("timm", "hardswish"),
        LibraryName("keras", "hard_silu"),
        LibraryName("keras", "hard_swish"),
        LibraryName("mlx", "hardswish"),
        LibraryName("jax", "hard_silu"),
    ),
    doc=Doc(
        plot_range=(-5.0, 5.0),
        formula="x · min(max(x + 3, 0), 6) / 6",
        mathtext=r"$x\,\min(\max(x+3,\,0),\,6)\,/\,6$",
        derivative="0 if x <= -3, (2x + 3)/6 if -3 < x < 3, 1 if x >= 3",
        output_range="[-3/8, ∞)",
        description="Piecewise-quadratic swish from MobileNetV3.",
        torch=TORCH + "hardswish",
        jax="jax.nn.hard_swish",
        reference="Howard et al., 'Searching for MobileNetV3', ICCV 2019",
        properties=frozenset({"self_gated"}),
        second_derivative="1/3 if -3 < x < 3 else 0 (0 at ±3, as PyTorch)",
    ),
    kernels=Kernels(
        forward=_hardswish,
        derivative=_hardswish_grad,
        second=hardswish_second,
    ),
    aliases=("hard_swish", "hard_silu"),
    kinks=(-3.0, 3.0),
    naive=Naive(
        lambda x: x * np.clip(x + 3, 0, 6) / 6,
        lambda x, g: g * np.where(x < -3, 0, np.where(x > 3, 1, x / 3 + 0.5)),
    ),
    reference64=Reference64(lazy_reference("hardswish"), lazy_reference("hardswish_slope")),
)


# --- hardshrink, softshrink --------------------------------------------------------------------
_hardshrink = _kernels.forward("hardshrink", ("lambd",))
_shrink_grad = _kernels.vjp("hardshrink", ("lambd",))


LAMBD = Param("lambd", 0.5, "half-width of the dead zone", low=0.0, allow_inf=True)

HARDSHRINK = Activation(
    name="hardshrink",
    library_names=(
        LibraryName("keras", "hard_shrink"),
        LibraryName("mlx", "hard_shrink"),
    ),
    doc=Doc(
        plot_range=lambda p: (-p["lambd"] - 1.5, p["lambd"] + 1.5),
        formula="x if |x| > lambd else 0",
        mathtext=r"$x \;\mathrm{if}\; |x| > \lambda \;\mathrm{else}\; 0$",
        derivative="1 if |x| > lambd else 0",
        output_range="{0} ∪ (-∞, -lambd) ∪ (lambd, ∞)",
        description="Zero out small inputs, pass the rest unchanged.",
        torch=TORCH + "hardshrink",
        properties=frozenset({"monotonic", "zero_centred"}),
        second_derivative="0 (also at ±lambd)",
    ),
    kernels=Kernels(
        forward=_hardshrink,
        derivative=_shrink_grad,
        exact=True,
        second=zero_second,
    ),
    params=(LAMBD,),
    kinks=lambda p: (-p["lambd"], p["lambd"]),
    settings=({"lambd": 1.5},),
    naive=Naive(
        lambda x, lambd: np.where(np.abs(x) > lambd, x, 0),
        lambda x, g, lambd: g * (np.abs(x) > lambd),
    ),
    bandwidth_goal=0.8,
)


_softshrink = _kernels.forward("softshrink", ("lambd",))


SOFTSHRINK = Activation(
    name="softshrink",
    library_names=(
        LibraryName("keras", "soft_shrink"),
        LibraryName("mlx", "softshrink"),
    ),
    doc=Doc(
        plot_range=lambda p: (-p["lambd"] - 1.5, p["lambd"] + 1.5),
        formula="x - lambd if x > lambd, x + lambd if x < -lambd, else 0",
        mathtext=r"$\mathrm{sign}(x)\,\max(|x| - \lambda,\,0)$",
        derivative="1 if |x| > lambd else 0",
        output_range="(-∞, ∞)",
        description="Soft thresholding: shrink every input towards 0 by lambd.",
        torch=TORCH + "softshrink",
        properties=frozenset({"monotonic", "zero_centred"}),
        second_derivative="0 (also at ±lambd)",
    ),
    kernels=Kernels(
        forward=_softshrink,
        derivative=_shrink_grad,
        exact=True,
        second=zero_second,
    ),
    params=(LAMBD,),
    kinks=lambda p: (-p["lambd"], p["lambd"]),
    settings=(
        {"lambd": 0.0},
        {"lambd": 2.0},
    ),
    naive=Naive(
        lambda x, lambd: np.where(x > lambd, x - lambd, np.where(x < -lambd, x + lambd, 0)),
        lambda x, g, lambd: g * (np.abs(x) > lambd),
    ),
    bandwidth_goal=0.8,
)


# --- JAX's sparse_sigmoid and sparse_plus ----------------------------------------------------
_sparse_sigmoid = _kernels.forward("sparse_sigmoid")
_sparse_sigmoid_grad = _kernels.vjp("sparse_sigmoid")


SPARSE_SIGMOID = Activation(
    name="sparse_sigmoid",
    doc=Doc(
        plot_range=(-3.0, 3.0),
        formula="0 if x <= -1, (x + 1)/2 if -1 < x < 1, 1 if x >= 1",
        mathtext=r"$\frac{1}{2}\,\min(\max(x+1,\,0),\,2)$",
        derivative="1/2 on (-1, 1), 1/4 at x = ±1 (JAX's tie rule), 0 elsewhere",
        output_range="[0, 1]",
        description="Sparse twin of the sigmoid: exactly 0 or 1 outside [-1, 1].",
        torch=None,
        jax="jax.nn.sparse_sigmoid",
        reference="Blondel, Martins & Niculae, 'Learning with Fenchel-Young Losses', JMLR 2020",
        properties=frozenset({"monotonic", "bounded"}),
        second_derivative="0 (also at ±1)",
    ),
    kernels=Kernels(
        forward=_sparse_sigmoid,
        derivative=_sparse_sigmoid_grad,
        exact=True,
        second=zero_second,
    ),
    kinks=(-1.0, 1.0),
    naive=Naive(
        lambda x: np.clip((x + 1) / 2, 0, 1),
        lambda x, g: g * 0.5 * ((x > -1) & (x < 1)),
    ),
)


_sparse_plus = _kernels.forward("sparse_plus")
_sparse_plus_grad = _kernels.vjp("sparse_plus")


SPARSE_PLUS = Activation(
    name="sparse_plus",
    doc=Doc(
        plot_range=(-3.0, 3.0),
        formula="0 if x <= -1, (x + 1)²/4 if -1 < x < 1, x if x >= 1",
        mathtext=r"$\frac{1}{4}(x+1)^2 \;\mathrm{on}\; (-1,1)$",
        derivative="0 if x <= -1, (x + 1)/2 if -1 < x < 1, 1 if x >= 1",
        output_range="[0, ∞)",
        description="Sparse twin of softplus: exactly 0 below -1, exactly x above 1.",
        torch=None,
        jax="jax.nn.sparse_plus",
        reference="Blondel, Martins & Niculae, 'Learning with Fenchel-Young Losses', JMLR 2020",
        properties=frozenset({"monotonic"}),
        second_derivative="1/2 if -1 < x < 1 else 0 (0 at ±1)",
    ),
    kernels=Kernels(
        forward=_sparse_plus,
        derivative=_sparse_plus_grad,
        second=sparse_plus_second,
    ),
    kinks=(-1.0, 1.0),
    naive=Naive(
        lambda x: np.where(x <= -1, 0, np.where(x >= 1, x, (x + 1) ** 2 / 4)),
        lambda x, g: g * np.where(x <= -1, 0, np.where(x >= 1, 1, (x + 1) / 2)),
    ),
)


# --- identity (JAX's jax.nn.identity; PyTorch has only the nn.Identity module) ---------------
_identity = _kernels.forward("identity")
_identity_grad = _kernels.vjp("identity")


IDENTITY = Activation(
    name="identity",
    library_names=(
        LibraryName("hf", "linear"),
        LibraryName("timm", "identity"),
        LibraryName("keras", "linear"),
    ),
    doc=Doc(
        plot_range=(-3.0, 3.0),
        formula="x",
        mathtext=r"$x$",
        derivative="1",
        output_range="(-∞, ∞)",
        description="The identity: a linear (no-op) activation, the baseline for comparisons.",
        torch=None,
        jax="jax.nn.identity",
        properties=frozenset({"monotonic", "smooth", "zero_centred"}),
        second_derivative="0",
    ),
    kernels=Kernels(
        forward=_identity,
        derivative=_identity_grad,
        exact=True,
        second=zero_second,
    ),
    aliases=("linear",),
    naive=Naive(
        lambda x: x.copy(),
        lambda x, g: g.copy(),
    ),
)

ACTIVATIONS = (
    RELU,
    RELU2,
    HARDTANH,
    RELU6,
    LEAKY_RELU,
    PRELU,
    RRELU,
    THRESHOLD,
    HARDSIGMOID,
    HARDSWISH,
    HARDSHRINK,
    SOFTSHRINK,
    SPARSE_SIGMOID,
    SPARSE_PLUS,
    IDENTITY,
)
