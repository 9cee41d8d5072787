"""Activations along an axis: softmax, softmin and log_softmax (glu: gated_split.py).

The engine hands every kernel a 2-D float64 array whose last axis is the ``dim`` axis, and
``g`` (the upstream gradient) shaped like the output.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .. import _kernels
from ..records import Activation, Doc, Goal, Kernel, Kernels, LibraryName, Naive, Param
from . import _textbook as textbook
from ._common import Array

TORCH = "torch.nn.functional."
DIM = Param("dim", -1, "the axis the function acts along")


# Compiled row gufuncs (actcli/_kernels/axis.c, where each is documented): NAME64 for
# float64, NAME (plain double, rounded once; float lanes for float32 forwards) for
# float16/float32 (see forward32).
def _compiled(name: str, wrap: Callable[..., Kernel] = _kernels.rows) -> tuple[Kernel, ...]:
    """forward, VJP (float64: NAME64), then forward, VJP (float16/float32: NAME)."""
    return (
        wrap(name + "64"),
        wrap(name + "64", vjp=True),
        wrap(name),
        wrap(name, vjp=True),
    )


_softmax, _softmax_grad, _softmax32, _softmax_grad32 = _compiled("softmax")
_softmin, _softmin_grad, _softmin32, _softmin_grad32 = _compiled("softmin")
_log_softmax, _log_softmax_grad, _log_softmax32, _log_softmax_grad32 = _compiled("log_softmax")
# The float32 forwards run on float lanes (axis.c's float32-row kernels, AVX2 / AVX-512): within
# 1 float32 ulp of the float64 loop's result (measured 0.61), no longer that result rounded; the
# VJPs compute in double on the float32 rows, their sums in another order: within 1 ulp as well.
for _fwd32 in (
    _softmax32,
    _softmin32,
    _log_softmax32,
    _softmax_grad32,
    _softmin_grad32,
    _log_softmax_grad32,
):
    _fwd32.float32_native = True  # type: ignore[attr-defined]


def _naive_softmax_grad(x: Array, g: Array, dim: int) -> Array:
    y = textbook.softmax(x, dim)
    return y * (g - (g * y).sum(axis=dim, keepdims=True))


SOFTMAX = Activation(
    name="softmax",
    library_names=(
        LibraryName("keras", "softmax"),
        LibraryName("mlx", "softmax"),
    ),
    doc=Doc(
        formula="exp(x_i) / Σ_j exp(x_j) along dim",
        mathtext=r"$\frac{e^{x_i}}{\sum_j e^{x_j}}$",
        derivative="VJP: y ⊙ (g - ⟨g, y⟩), y = softmax(x)",
        output_range="(0, 1), each row sums to 1",
        description="Normalised exponentials: turns logits into probabilities.",
        torch=TORCH + "softmax",
        jax="jax.nn.softmax",
        reference="Bridle, 'Probabilistic Interpretation of Feedforward Classification', 1990",
        properties=frozenset({"monotonic", "bounded", "smooth"}),
    ),
    kernels=Kernels(
        forward=_softmax,
        derivative=_softmax_grad,
        forward32=_softmax32,
        derivative32=_softmax_grad32,
    ),
    params=(DIM,),
    kind="axis",
    naive=Naive(
        textbook.softmax,
        _naive_softmax_grad,
    ),
    goal=Goal(fwd64=4.0),
)


SOFTMIN = Activation(
    name="softmin",
    library_names=(LibraryName("mlx", "softmin"),),
    doc=Doc(
        formula="exp(-x_i) / Σ_j exp(-x_j) along dim = softmax(-x)",
        mathtext=r"$\frac{e^{-x_i}}{\sum_j e^{-x_j}}$",
        derivative="VJP: -y ⊙ (g - ⟨g, y⟩), y = softmin(x)",
        output_range="(0, 1), each row sums to 1",
        description="Softmax of the negated input: mass goes to the smallest entries.",
        torch=TORCH + "softmin",
        properties=frozenset({"bounded", "smooth"}),
    ),
    kernels=Kernels(
        forward=_softmin,
        derivative=_softmin_grad,
        forward32=_softmin32,
        derivative32=_softmin_grad32,
    ),
    params=(DIM,),
    kind="axis",
    naive=Naive(
        lambda x, dim: textbook.softmax(-x, dim),
        lambda x, g, dim: -_naive_softmax_grad(-x, g, dim),
    ),
    goal=Goal(fwd64=4.0),
)


LOG_SOFTMAX = Activation(
    name="log_softmax",
    library_names=(
        LibraryName("keras", "log_softmax"),
        LibraryName("mlx", "log_softmax"),
    ),
    doc=Doc(
        formula="x_i - log Σ_j exp(x_j) along dim",
        mathtext=r"$x_i - \log\sum_j e^{x_j}$",
        derivative="VJP: g - softmax(x)·Σ g",
        output_range="(-∞, 0)",
        description="Log of softmax, computed without forming the softmax.",
        torch=TORCH + "log_softmax",
        jax="jax.nn.log_softmax",
        properties=frozenset({"monotonic", "smooth"}),
    ),
    kernels=Kernels(
        forward=_log_softmax,
        derivative=_log_softmax_grad,
        forward32=_log_softmax32,
        derivative32=_log_softmax_grad32,
    ),
    params=(DIM,),
    kind="axis",
    naive=Naive(
        lambda x, dim: np.log(textbook.softmax(x, dim)),
        lambda x, g, dim: g - textbook.softmax(x, dim) * g.sum(axis=dim, keepdims=True),
    ),
    goal=Goal(fwd64=4.0),
)


ACTIVATIONS = (
    SOFTMAX,
    SOFTMIN,
    LOG_SOFTMAX,
)
