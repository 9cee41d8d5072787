"""GELU (exact, through erfc, and its tanh approximation), softsign, tanhshrink and squareplus.

Every kernel is a compiled ufunc (actcli/_kernels/gelu.c, where each is documented): ``NAME64``
for float64, ``NAME`` (plain double, rounded once) for float16/float32 (see
``Activation.forward32``); softsign's serve every dtype.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import _kernels
from ..records import Activation, Doc, Kernels, LibraryName, Naive, Param, Reference64
from . import _textbook as textbook
from ._common import (
    Array,
)
from ._curvature import gelu_second, softsign_second, squareplus_second, tanhshrink_second
from ._lazyref import lazy_reference

TORCH = "torch.nn.functional."


# --- gelu ----------------------------------------------------------------------------------------
# Compiled ufuncs (actcli/_kernels/gelu.c, where their regimes and bounds are described):
# gelu64/gelu_tanh64 for float64, gelu/gelu_tanh (plain double, rounded once) for float32.
_GELU64 = {"none": "gelu64", "tanh": "gelu_tanh64"}
_gelu = _kernels.choose("approximate", _GELU64)
_gelu_grad = _kernels.choose("approximate", _GELU64, vjp=True)
_GELU32 = {"none": "gelu", "tanh": "gelu_tanh"}
_gelu32 = _kernels.choose("approximate", _GELU32)
_gelu_grad32 = _kernels.choose("approximate", _GELU32, vjp=True)


def _naive_gelu(x: Array, approximate: str) -> Array:
    if approximate == "tanh":
        return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))
    return 0.5 * x * (1 + textbook.erf(x / textbook.SQRT2))


def _naive_gelu_grad(x: Array, g: Array, approximate: str) -> Array:
    if approximate == "tanh":
        k = math.sqrt(2 / math.pi)
        t = np.tanh(k * (x + 0.044715 * x**3))
        return g * (0.5 * (1 + t) + 0.5 * x * (1 - t**2) * k * (1 + 3 * 0.044715 * x**2))
    erf = textbook.erf(x / textbook.SQRT2)
    return g * (0.5 * (1 + erf) + x * np.exp(-(x**2) / 2) / textbook.SQRT_2PI)


_TANH = {"approximate": "tanh"}
_TANH_TAIL_NOTE = (
    "0.5·x·(1 + tanh(…)) cancels: its digits go in the negative tail, 0 below x = -8.2"
)


def _hf_gelu_new(torch: Any, t: Any) -> Any:
    """HF's gelu_new (also gelu_python_tanh, gelu_accurate), with torch ops."""
    return (
        0.5 * t * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (t + 0.044715 * torch.pow(t, 3.0))))
    )


GELU = Activation(
    name="gelu",
    library_names=(
        LibraryName("hf", "gelu"),
        LibraryName(
            "hf",
            "gelu_python",
            note="HF's x/2·(1 + erf(x/√2)) cancels: 0 below x = -8.4, where GELU is -1.9e-16",
            formula=lambda torch, t: t * 0.5 * (1.0 + torch.erf(t / math.sqrt(2.0))),
            max_abs=1.8e-15,
            max_rel=1.0,
        ),
        LibraryName(
            "hf",
            "gelu_new",
            _TANH,
            note=_TANH_TAIL_NOTE,
            formula=_hf_gelu_new,
            max_abs=8.9e-16,
            max_rel=1.0,
        ),
        LibraryName("hf", "gelu_pytorch_tanh", _TANH),
        LibraryName(
            "hf",
            "gelu_python_tanh",
            _TANH,
            note=_TANH_TAIL_NOTE,
            formula=_hf_gelu_new,
            max_abs=8.9e-16,
            max_rel=1.0,
        ),
        LibraryName(
            "hf",
            "gelu_accurate",
            _TANH,
            note=_TANH_TAIL_NOTE,
            formula=_hf_gelu_new,
            max_abs=8.9e-16,
            max_rel=1.0,
        ),
        LibraryName(
            "hf",
            "gelu_fast",
            _TANH,
            note=(
                "HF truncates √(2/π) to 0.7978845608, and its 1 + tanh cancels in the negative "
                "tail (MLX's gelu_fast_approx is another function: x·σ(1.702x))"
            ),
            formula=lambda torch, t: (
                0.5 * t * (1.0 + torch.tanh(t * 0.7978845608 * (1.0 + 0.044715 * t * t)))
            ),
            max_abs=9.1e-13,
            max_rel=1.0,
        ),
        LibraryName("timm", "gelu"),
        LibraryName("timm", "gelu_tanh", _TANH),
        LibraryName("keras", "gelu"),
        LibraryName(
            "mlx",
            "gelu",
            note="MLX computes x·(1 + erf(x/√2))/2, which cancels as HF's gelu_python",
            formula=lambda torch, t: t * (1.0 + torch.erf(t / math.sqrt(2.0))) / 2.0,
            max_abs=1.8e-15,
            max_rel=1.0,
        ),
        LibraryName(
            "mlx",
            "gelu_approx",
            _TANH,
            note="MLX's own fit x·σ(1.60033x(1 + 0.0433603x²)), not the tanh form: no actcli name",
            alias=False,
            formula=lambda torch, t: t * torch.sigmoid(1.60033 * t * (1.0 + 0.0433603 * t * t)),
            max_abs=3.6e-4,
            max_rel=1.8e8,
        ),
        LibraryName(
            "jax",
            "gelu",
            _TANH,
            note=(
                "jax.nn.gelu defaults to approximate=True, the tanh form; "
                "actcli's gelu is exact, PyTorch's default"
            ),
            alias=False,
        ),
    ),
    doc=Doc(
        plot_range=(-4.0, 3.0),
        formula="x · Φ(x) = x/2 · erfc(-x/√2); tanh: x/2 · (1 + tanh(√(2/π)(x + 0.044715x³)))",
        mathtext=r"$x\,\Phi(x)$",
        derivative="Φ(x) + x·φ(x)",
        output_range="[≈ -0.1700, ∞)",
        description="Gaussian error linear unit: x weighted by the normal CDF.",
        torch=TORCH + "gelu",
        jax="jax.nn.gelu",
        reference="Hendrycks & Gimpel, 'Gaussian Error Linear Units (GELUs)', 2016",
        properties=frozenset({"smooth", "zero_centred", "self_gated"}),
        second_derivative=(
            "φ(x)(2 - x²); tanh: σ'(z)(2z' + x·z'' - x·z'²·tanh(z/2)), z = 2√(2/π)(x + 0.044715x³)"
        ),
    ),
    kernels=Kernels(
        forward=_gelu,
        derivative=_gelu_grad,
        forward32=_gelu32,
        derivative32=_gelu_grad32,
        second=gelu_second,
    ),
    params=(
        Param(
            "approximate",
            "none",
            "'none': exact x·Φ(x); 'tanh': the tanh approximation",
            choices=("none", "tanh"),
        ),
    ),
    settings=({"approximate": "tanh"},),
    naive=Naive(
        _naive_gelu,
        _naive_gelu_grad,
    ),
    reference64=Reference64(lazy_reference("gelu"), lazy_reference("gelu_slope")),
)


# --- softsign, tanhshrink, squareplus ------------------------------------------------------------
# Compiled ufuncs (actcli/_kernels/gelu.c): softsign's serve every dtype; tanhshrink64 and
# squareplus64 serve float64, tanhshrink and squareplus (plain double) float16/float32.
_softsign = _kernels.forward("softsign")
_softsign_grad = _kernels.vjp("softsign")


SOFTSIGN = Activation(
    name="softsign",
    library_names=(
        LibraryName("keras", "softsign"),
        LibraryName("mlx", "softsign"),
    ),
    doc=Doc(
        plot_range=(-10.0, 10.0),
        formula="x / (1 + |x|)",
        mathtext=r"$\frac{x}{1 + |x|}$",
        derivative="1 / (1 + |x|)²",
        output_range="(-1, 1)",
        description="A sigmoid with polynomial rather than exponential tails.",
        torch=TORCH + "softsign",
        jax="jax.nn.soft_sign",
        reference="Bergstra et al., 'Quadratic polynomials learn better image features', 2009",
        properties=frozenset({"monotonic", "bounded", "zero_centred"}),
        second_derivative="-2 sign(x)/(1 + |x|)³ (0 at x = 0, as PyTorch)",
    ),
    kernels=Kernels(
        forward=_softsign,
        derivative=_softsign_grad,
        second=softsign_second,
    ),
    aliases=("soft_sign",),
    naive=Naive(
        lambda x: x / (1 + np.abs(x)),
        lambda x, g: g / (1 + np.abs(x)) ** 2,
    ),
)

_tanhshrink = _kernels.forward("tanhshrink64")
_tanhshrink_grad = _kernels.vjp("tanhshrink64")
_tanhshrink32 = _kernels.forward("tanhshrink")
_tanhshrink_grad32 = _kernels.vjp("tanhshrink")


TANHSHRINK = Activation(
    name="tanhshrink",
    library_names=(
        LibraryName("keras", "tanh_shrink"),
        LibraryName("mlx", "tanh_shrink"),
    ),
    doc=Doc(
        plot_range=(-4.0, 4.0),
        formula="x - tanh(x)",
        mathtext=r"$x - \tanh(x)$",
        derivative="tanh²(x)",
        output_range="(-∞, ∞)",
        description="The residual of tanh: x minus its tanh.",
        torch=TORCH + "tanhshrink",
        properties=frozenset({"monotonic", "smooth", "zero_centred"}),
        second_derivative="2 tanh(x) sech²(x)",
    ),
    kernels=Kernels(
        forward=_tanhshrink,
        derivative=_tanhshrink_grad,
        forward32=_tanhshrink32,
        derivative32=_tanhshrink_grad32,
        second=tanhshrink_second,
    ),
    naive=Naive(
        lambda x: x - np.tanh(x),
        lambda x, g: g * np.tanh(x) ** 2,
    ),
    reference64=Reference64(lazy_reference("tanhshrink"), lazy_reference("tanhshrink_slope")),
)


_squareplus = _kernels.forward("squareplus64", ("b",))
_squareplus_grad = _kernels.vjp("squareplus64", ("b",))
_squareplus32 = _kernels.forward("squareplus", ("b",))
_squareplus_grad32 = _kernels.vjp("squareplus", ("b",))


SQUAREPLUS = Activation(
    name="squareplus",
    library_names=(LibraryName("keras", "squareplus"),),
    doc=Doc(
        plot_range=(-5.0, 5.0),
        formula="(x + sqrt(x² + b)) / 2",
        mathtext=r"$\frac{x + \sqrt{x^2 + b}}{2}$",
        derivative="(1 + x / sqrt(x² + b)) / 2",
        output_range="(0, ∞)",
        description="Algebraic softplus: smooth relu using only a square root.",
        torch=None,
        jax="jax.nn.squareplus",
        reference="Barron, 'Squareplus: A Softplus-Like Algebraic Rectifier', 2021",
        properties=frozenset({"monotonic", "smooth"}),
        second_derivative="b / (2(x² + b)^(3/2))",
    ),
    kernels=Kernels(
        forward=_squareplus,
        derivative=_squareplus_grad,
        forward32=_squareplus32,
        derivative32=_squareplus_grad32,
        second=squareplus_second,
    ),
    params=(Param("b", 4.0, "smoothness near 0 (b -> 0: relu)", low=0.0, low_open=True),),
    settings=({"b": 0.25},),
    naive=Naive(
        lambda x, b: (x + np.sqrt(x**2 + b)) / 2,
        lambda x, g, b: g * (1 + x / np.sqrt(x**2 + b)) / 2,
    ),
)

ACTIVATIONS = (
    GELU,
    SOFTSIGN,
    TANHSHRINK,
    SQUAREPLUS,
)
