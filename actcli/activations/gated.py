"""Self-gated activations x·gate(x): swish, silu and mish.

Every kernel is a compiled ufunc (actcli/_kernels/gated.c, where each is documented): ``NAME64``
for float64 (double-double steps where a formula cancels, <= 2 ulp), ``NAME`` for float16 and
float32 (plain double, rounded once; see ``Activation.forward32``).
"""

from __future__ import annotations

import numpy as np

from .. import _kernels
from ..records import Activation, Doc, Kernels, LibraryName, Naive, Param, Reference64
from . import _textbook as textbook
from ._common import Array
from ._curvature import mish_second, silu_second, swish_second
from ._lazyref import lazy_reference

TORCH = "torch.nn.functional."
# --- silu and swish ----------------------------------------------------------------------------
# Compiled ufuncs (actcli/_kernels/gated.c, where their regimes and bounds are described):
# NAME64 for float64, NAME (plain double, rounded once) for float16/float32.
_swish = _kernels.forward("swish64", ("beta",))
_swish_grad = _kernels.vjp("swish64", ("beta",))
_swish32 = _kernels.forward("swish", ("beta",))
_swish_grad32 = _kernels.vjp("swish", ("beta",))


def _naive_mish_grad(x: Array, g: Array) -> Array:
    t = np.tanh(np.log(1 + np.exp(x)))
    return g * (t + x * (1 - t**2) * textbook.sigmoid(x))


SWISH = Activation(
    name="swish",
    library_names=(
        LibraryName("hf", "quick_gelu", {"beta": 1.702}),
        LibraryName("timm", "quick_gelu", {"beta": 1.702}),
        LibraryName(
            "mlx",
            "gelu_fast_approx",
            {"beta": 1.702},
            note="MLX's fast GELU; not HF's gelu_fast, which is the tanh GELU",
        ),
    ),
    doc=Doc(
        plot_range=(-5.0, 3.0),
        formula="x · σ(beta·x)",
        mathtext=r"$x\,\sigma(\beta x)$",
        derivative="σ(βx) + βx·σ(βx)(1 - σ(βx))",
        output_range="[≈ -0.2785/beta, ∞)",
        description="x gated by a sigmoid of beta·x; silu is beta = 1.",
        torch=None,
        jax="jax.nn.swish",
        reference="Ramachandran, Zoph & Le, 'Searching for Activation Functions', 2017",
        properties=frozenset({"smooth", "zero_centred", "self_gated"}),
        second_derivative="beta·σ'(z)(2 - z·tanh(z/2)), z = beta·x",
    ),
    kernels=Kernels(
        forward=_swish,
        derivative=_swish_grad,
        forward32=_swish32,
        derivative32=_swish_grad32,
        second=swish_second,
    ),
    params=(Param("beta", 1.0, "gate sharpness (1: silu, -> inf: relu)", low=0.0),),
    settings=(
        {"beta": 0.5},
        {"beta": 3.0},
    ),
    naive=Naive(
        lambda x, beta: x * textbook.sigmoid(beta * x),
        lambda x, g, beta: (
            g
            * (
                textbook.sigmoid(beta * x)
                + beta * x * textbook.sigmoid(beta * x) * (1 - textbook.sigmoid(beta * x))
            )
        ),
    ),
)


_silu = _kernels.forward("silu64")
_silu_grad = _kernels.vjp("silu64")
_silu32 = _kernels.forward("silu")
_silu_grad32 = _kernels.vjp("silu")


SILU = Activation(
    name="silu",
    library_names=(
        LibraryName("hf", "silu"),
        LibraryName("hf", "swish", alias=False),
        LibraryName("timm", "silu"),
        LibraryName("timm", "swish", alias=False),
        LibraryName("keras", "silu"),
        LibraryName("keras", "swish", alias=False),
        LibraryName("mlx", "silu"),
    ),
    doc=Doc(
        plot_range=(-5.0, 3.0),
        formula="x · σ(x)",
        mathtext=r"$x\,\sigma(x)$",
        derivative="σ(x)(1 + x(1 - σ(x)))",
        output_range="[≈ -0.2785, ∞)",
        description="Sigmoid-weighted linear unit (swish with beta = 1).",
        torch=TORCH + "silu",
        jax="jax.nn.silu",
        reference="Hendrycks & Gimpel 2016; Elfwing, Uchibe & Doya 2018",
        properties=frozenset({"smooth", "zero_centred", "self_gated"}),
        second_derivative="σ'(x)(2 - x·tanh(x/2)) = σ(x)(1 - σ(x))(2 + x(1 - 2σ(x)))",
    ),
    kernels=Kernels(
        forward=_silu,
        derivative=_silu_grad,
        forward32=_silu32,
        derivative32=_silu_grad32,
        second=silu_second,
    ),
    naive=Naive(
        lambda x: x * textbook.sigmoid(x),
        lambda x, g: (
            g * (textbook.sigmoid(x) + x * textbook.sigmoid(x) * (1 - textbook.sigmoid(x)))
        ),
    ),
    reference64=Reference64(lazy_reference("silu"), lazy_reference("silu_slope")),
)


# --- mish --------------------------------------------------------------------------------------
_mish = _kernels.forward("mish64")
_mish_grad = _kernels.vjp("mish64")
_mish32 = _kernels.forward("mish")
_mish_grad32 = _kernels.vjp("mish")


MISH = Activation(
    name="mish",
    library_names=(
        LibraryName("hf", "mish"),
        LibraryName("timm", "mish"),
        LibraryName("keras", "mish"),
        LibraryName("mlx", "mish"),
    ),
    doc=Doc(
        plot_range=(-5.0, 3.0),
        formula="x · tanh(softplus(x))",
        mathtext=r"$x\,\tanh(\log(1 + e^x))$",
        derivative="tanh(sp(x)) + x·sech²(sp(x))·σ(x)",
        output_range="[≈ -0.3088, ∞)",
        description="Self-regularised, non-monotonic smooth activation.",
        torch=TORCH + "mish",
        jax="jax.nn.mish",
        reference="Misra, 'Mish: A Self Regularized Non-Monotonic Activation Function', 2019",
        properties=frozenset({"smooth", "zero_centred", "self_gated"}),
        second_derivative="sech²(sp)·σ(x)·(2 + x(1 - σ(x) - 2σ(x)·tanh(sp))), sp = softplus(x)",
    ),
    kernels=Kernels(
        forward=_mish,
        derivative=_mish_grad,
        forward32=_mish32,
        derivative32=_mish_grad32,
        second=mish_second,
    ),
    naive=Naive(
        lambda x: x * np.tanh(np.log(1 + np.exp(x))),
        _naive_mish_grad,
    ),
)

ACTIVATIONS = (
    SWISH,
    SILU,
    MISH,
)
