"""Piecewise-linear (and piecewise-quadratic) activations: the ReLU family, hard*, shrinks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import ParamError
from ..records import REQUIRED, Activation, Doc, Kernels, Naive, Param
from ._common import Array, channel_weight, keep_nan
from ._common import returning as _returning

TORCH = "torch.nn.functional."

# --- speed: kernels that write into a given output ------------------------------------------
# The hot kernels here are written once, as ``into(x, [g,] out, **params)`` functions that fill
# ``out`` (the output dtype; a ufunc's out= rounds once). ``_returning`` turns one into the usual
# forward/derivative that allocates its result, and hangs the ``into`` on it so that the engine
# can write large inputs chunk by chunk straight into the result. ``np.where`` is avoided: on
# unpredictable masks its loop branches per element (about 3 ns), 5-10x slower than the
# bitwise select below, which builds the same bits from an all-ones/all-zeros integer mask.

_INTS: dict[np.dtype[Any], type[np.signedinteger[Any]]] = {
    np.dtype(np.float16): np.int16,
    np.dtype(np.float32): np.int32,
    np.dtype(np.float64): np.int64,
}
IntArray = npt.NDArray[np.signedinteger[Any]]


def _bits(a: Array) -> IntArray:
    return a.view(_INTS[a.dtype])


def _select_into(
    keep: npt.NDArray[np.bool_], a: Array, b: Array | None, out: Array, nan_of: Array | None
) -> None:
    """out = where(keep, a, b) (b None: +0.0), bit for bit; NaN where ``nan_of`` is NaN."""
    buf = out if out.dtype == a.dtype else np.empty_like(a)
    # The mask is built in the result's memory, unless a or b live there (in-place use).
    alias = np.may_share_memory(a, buf) or (b is not None and np.may_share_memory(b, buf))
    m = np.empty(a.shape, _INTS[a.dtype]) if alias else _bits(buf)
    np.negative(keep.view(np.int8), out=m)  # True -> all ones, False -> 0
    if b is None:
        np.bitwise_and(_bits(a), m, out=_bits(buf))
    else:  # b ^ ((a ^ b) & m)
        bb = _bits(b)
        np.bitwise_and(np.bitwise_xor(_bits(a), bb), m, out=m)
        np.bitwise_xor(m, bb, out=_bits(buf))
    if nan_of is not None:
        keep_nan_into(nan_of, buf)
    if buf is not out:
        np.copyto(out, buf, casting="same_kind")


def keep_nan_into(x: Array, out: Array) -> None:
    """Set ``out`` to NaN wherever ``x`` is NaN (a gradient at NaN is NaN)."""
    nan = np.isnan(x)
    if nan.any():
        out[nan] = np.nan


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
def _relu_into(x: Array, out: Array) -> None:
    np.maximum(x, 0, out=out)


def _relu_grad_into(x: Array, g: Array, out: Array) -> None:
    # relu'(0) = 0, as PyTorch: the gradient flows only where x > 0.
    _select_into(x > 0, g, None, out, x)


_relu = _returning(_relu_into)
_relu_grad = _returning(_relu_grad_into)


RELU = Activation(
    name="relu",
    doc=Doc(
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


# --- hardtanh and relu6 (a clamp) ------------------------------------------------------------
def _hardtanh_into(x: Array, out: Array, *, min_val: float, max_val: float) -> None:
    np.clip(x, min_val, max_val, out=out)


def _hardtanh_grad_into(x: Array, g: Array, out: Array, *, min_val: float, max_val: float) -> None:
    # Flat at both ends, min_val and max_val included, as PyTorch.
    inside = x > min_val
    inside &= x < max_val
    _select_into(inside, g, None, out, x)


_hardtanh = _returning(_hardtanh_into)
_hardtanh_grad = _returning(_hardtanh_grad_into)


def _check_hardtanh(p: Mapping[str, Any]) -> None:
    if p["min_val"] > p["max_val"]:
        raise ParamError(
            f"hardtanh needs min_val <= max_val, got min_val={p['min_val']} "
            f"and max_val={p['max_val']}"
        )


HARDTANH = Activation(
    name="hardtanh",
    doc=Doc(
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
        Param("min_val", -1.0, "lower clamp value"),
        Param("max_val", 1.0, "upper clamp value"),
    ),
    check=_check_hardtanh,
    aliases=("hard_tanh",),
    kinks=lambda p: (p["min_val"], p["max_val"]),
    settings=({"min_val": -2.0, "max_val": 0.5},),
    naive=Naive(
        lambda x, min_val, max_val: np.clip(x, min_val, max_val),
        lambda x, g, min_val, max_val: g * ((x > min_val) & (x < max_val)),
    ),
    bandwidth_goal=0.8,
)


def _relu6_into(x: Array, out: Array) -> None:
    np.clip(x, 0, 6, out=out)


def _relu6_grad_into(x: Array, g: Array, out: Array) -> None:
    _hardtanh_grad_into(x, g, out, min_val=0.0, max_val=6.0)


_relu6 = _returning(_relu6_into)
_relu6_grad = _returning(_relu6_grad_into)


RELU6 = Activation(
    name="relu6",
    doc=Doc(
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
def _slope_relu(x: Array, slope: Any) -> Array:
    if np.ndim(slope) == 0:  # one slope: leaky_relu's kernel, same bits
        out = np.empty_like(x)
        _leaky_relu_into(x, out, negative_slope=slope)
        return out
    return np.where(x > 0, x, x * slope)


def _slope_relu_grad(x: Array, g: Array, slope: Any) -> Array:
    # At x == 0 the slope applies (the x > 0 test fails), as PyTorch.
    if np.ndim(slope) == 0:
        out = np.empty_like(x)
        _leaky_relu_grad_into(x, g, out, negative_slope=slope)
        return out
    return keep_nan(x, np.where(x > 0, g, g * slope))


def _leaky_relu_into(x: Array, out: Array, *, negative_slope: float) -> None:
    if 0 < negative_slope <= 1:
        # max(x, s·x) is x for x > 0 and s·x for x <= 0 (same bits, NaN and -0.0 included).
        buf = out if out.dtype == x.dtype else np.empty_like(x)
        np.multiply(x, negative_slope, out=buf)
        np.maximum(x, buf, out=out)
    else:
        _select_into(x > 0, x, x * negative_slope, out, None)


def _leaky_relu_grad_into(x: Array, g: Array, out: Array, *, negative_slope: float) -> None:
    # g times a factor of 1 (x > 0) or the slope: the bits of where(x > 0, g, g·slope).
    factor = np.empty_like(x)
    f = _bits(factor)
    np.negative((x > 0).view(np.int8), out=f)
    one, slope = np.array([1, negative_slope], dtype=x.dtype).view(f.dtype)
    np.bitwise_and(f, one ^ slope, out=f)
    np.bitwise_xor(f, slope, out=f)
    np.multiply(g, factor, out=out)
    keep_nan_into(x, out)


_leaky_relu = _returning(_leaky_relu_into)
_leaky_relu_grad = _returning(_leaky_relu_grad_into)


LEAKY_RELU = Activation(
    name="leaky_relu",
    doc=Doc(
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
    settings=(
        {"negative_slope": 0.2},
        {"negative_slope": -0.5},
    ),
    naive=Naive(
        lambda x, negative_slope: np.where(x > 0, x, negative_slope * x),
        lambda x, g, negative_slope: g * np.where(x > 0, 1, negative_slope),
    ),
    bandwidth_goal=0.8,
)


def _prelu(x: Array, *, weight: Any) -> Array:
    return _slope_relu(x, channel_weight(weight, x))


def _prelu_grad(x: Array, g: Array, *, weight: Any) -> Array:
    return _slope_relu_grad(x, g, channel_weight(weight, x))


PRELU = Activation(
    name="prelu",
    doc=Doc(
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


RRELU = Activation(
    name="rrelu",
    doc=Doc(
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
        lambda x, lower, upper, **_: np.where(x > 0, x, (lower + upper) / 2 * x),
        lambda x, g, lower, upper, **_: g * np.where(x > 0, 1, (lower + upper) / 2),
    ),
)


# --- threshold ---------------------------------------------------------------------------------
def _threshold_into(x: Array, out: Array, *, threshold: float, value: float) -> None:
    # x <= threshold takes the value (written so that NaN falls through to x, as PyTorch):
    # the bits x ^ ((x ^ value) & mask).
    xb, o = _bits(x), _bits(out)
    m = np.empty_like(xb)
    np.negative((x <= threshold).view(np.int8), out=m)
    np.bitwise_xor(xb, np.array(value, dtype=x.dtype).view(xb.dtype), out=o)
    np.bitwise_and(o, m, out=o)
    np.bitwise_xor(o, xb, out=o)


def _threshold_grad_into(x: Array, g: Array, out: Array, *, threshold: float, value: float) -> None:
    _select_into(x > threshold, g, None, out, x)


_threshold = _returning(_threshold_into)
_threshold_grad = _returning(_threshold_grad_into)


THRESHOLD = Activation(
    name="threshold",
    doc=Doc(
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
        Param("threshold", REQUIRED, "inputs at or below this are replaced", value_type=float),
        Param("value", REQUIRED, "the replacement value", value_type=float),
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
def _hardsigmoid_into(x: Array, out: Array) -> None:
    t = x + 3
    np.clip(t, 0, 6, out=t)
    np.divide(t, 6, out=out)


def _hardsigmoid_grad_into(x: Array, g: Array, out: Array) -> None:
    # 1/6 only on the open interval (-3, 3), as PyTorch (in full float64 precision, unlike it).
    inside = x > -3
    inside &= x < 3
    _select_into(inside, g / 6, None, out, x)


_hardsigmoid = _returning(_hardsigmoid_into)
_hardsigmoid_grad = _returning(_hardsigmoid_grad_into)


HARDSIGMOID = Activation(
    name="hardsigmoid",
    doc=Doc(
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
)


def _hardswish_into(x: Array, out: Array) -> None:
    # max(x, -3) · (clip(x + 3, 0, 6) / 6): the gate is exactly 1 from x = 3 on (so the result
    # is x to the bit, +inf included) and exactly 0 up to -3, where max(x, -3) keeps -inf out of
    # -inf · 0; NaN passes through both clips. Five passes, no select: about 10x faster.
    t = np.add(x, 3)
    np.clip(t, 0, 6, out=t)
    t /= 6
    np.multiply(np.clip(x, -3, None), t, out=out)


def _hardswish_grad_into(x: Array, g: Array, out: Array) -> None:
    # 0 at -3 and 1 at +3, as PyTorch 2.x. (2x + 3)/6 rather than x/3 + 1/2: 2x + 3 is exact
    # near the zero crossing at -1.5, so the slope keeps full relative accuracy there.
    # Outside (-3, 3) the clipped formula gives -1/2 and 3/2; adding +1/2 and -1/2 there (0/1
    # masks as floats, cheaper than a select) makes them exactly 0 and 1. NaN stays NaN.
    slope = np.clip(x, -3, 3)
    slope *= 2
    slope += 3
    slope /= 6
    step = np.less_equal(x, -3).astype(slope.dtype)
    step -= np.greater_equal(x, 3)
    step *= 0.5
    slope += step
    np.multiply(g, slope, out=out)


_hardswish = _returning(_hardswish_into)
_hardswish_grad = _returning(_hardswish_grad_into)


HARDSWISH = Activation(
    name="hardswish",
    doc=Doc(
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
)


# --- hardshrink, softshrink --------------------------------------------------------------------
def _hardshrink_into(x: Array, out: Array, *, lambd: float) -> None:
    # |x| <= lambd maps to 0; written so that NaN falls through to x.
    _select_into(~(np.abs(x) <= lambd), x, None, out, None)


def _shrink_grad_into(x: Array, g: Array, out: Array, *, lambd: float) -> None:
    # 0 on the closed dead zone [-lambd, lambd], as PyTorch.
    _select_into(np.abs(x) > lambd, g, None, out, x)


_hardshrink = _returning(_hardshrink_into)
_shrink_grad = _returning(_shrink_grad_into)


LAMBD = Param("lambd", 0.5, "half-width of the dead zone", low=0.0)

HARDSHRINK = Activation(
    name="hardshrink",
    doc=Doc(
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


def _softshrink_into(x: Array, out: Array, *, lambd: float) -> None:
    # x - clip(x) is x - lambd, 0 or x + lambd in one rounding, and keeps NaN and inf.
    np.subtract(x, np.clip(x, -lambd, lambd), out=out)


_softshrink = _returning(_softshrink_into)


SOFTSHRINK = Activation(
    name="softshrink",
    doc=Doc(
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
def _sparse_sigmoid_into(x: Array, out: Array) -> None:
    t = x + 1
    np.clip(t, 0, 2, out=t)
    np.multiply(t, 0.5, out=out)


def _sparse_sigmoid_grad_into(x: Array, g: Array, out: Array) -> None:
    # JAX differentiates clip through lax.max/lax.min, which split a tie 50/50: 1/4 at x = ±1.
    # 0.5·[-1 < x < 1] + 0.25·[x = ±1]: the two tests exclude each other, so this is exact.
    inside = x > -1
    inside &= x < 1
    tie = np.abs(x) == 1
    np.multiply(inside, 0.5, out=out)
    out += np.multiply(tie, 0.25, dtype=out.dtype)
    out *= g
    keep_nan_into(x, out)


_sparse_sigmoid = _returning(_sparse_sigmoid_into)
_sparse_sigmoid_grad = _returning(_sparse_sigmoid_grad_into)


SPARSE_SIGMOID = Activation(
    name="sparse_sigmoid",
    doc=Doc(
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


def _sparse_plus_into(x: Array, out: Array) -> None:
    t = np.clip(x, -1, 1)  # the quadratic piece, computed only where it cannot overflow
    t += 1
    q = t * t
    q *= 0.25
    # x if x >= 1, then 0 if x <= -1 (NaN passes both tests and stays NaN).
    _select_into(~(x >= 1), q, x, q, None)
    _select_into(~(x <= -1), q, None, out, None)


def _sparse_plus_grad_into(x: Array, g: Array, out: Array) -> None:
    # C1 at ±1, so there is no convention to pick: 0 at -1 and 1 at +1 either way.
    s = x + 1
    s *= 0.5
    _select_into(~(x >= 1), s, np.ones_like(x), s, None)
    _select_into(~(x <= -1), s, None, s, None)
    np.multiply(g, s, out=out)


_sparse_plus = _returning(_sparse_plus_into)
_sparse_plus_grad = _returning(_sparse_plus_grad_into)


SPARSE_PLUS = Activation(
    name="sparse_plus",
    doc=Doc(
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
def _identity_into(x: Array, out: Array) -> None:
    np.copyto(out, x)


def _identity_grad_into(x: Array, g: Array, out: Array) -> None:
    np.copyto(out, g)
    keep_nan_into(x, out)


_identity = _returning(_identity_into)
_identity_grad = _returning(_identity_grad_into)


IDENTITY = Activation(
    name="identity",
    doc=Doc(
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
