"""Smooth activations built on exp and tanh: sigmoid, logsigmoid and tanh, the ELU family
(elu, selu, celu) and softplus.

Every kernel is a compiled ufunc (actcli/_kernels/smooth.c, documented there). Most serve every
dtype; sigmoid and celu have a float64 kernel (``celu64``) beside a plain-double one that
float16/float32 input takes (``sigmoid32``, ``celu``; see ``Activation.forward32``).
"""

from __future__ import annotations

import numpy as np

from .. import _kernels
from ..records import Activation, Doc, Kernels, LibraryName, Naive, Param, Reference64
from . import _textbook as textbook
from ._curvature import (
    celu_second,
    elu_second,
    logsigmoid_second,
    selu_second,
    sigmoid_second,
    softplus_second,
    tanh_second,
)
from ._lazyref import lazy_reference

TORCH = "torch.nn.functional."


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
        plot_range=(-8.0, 8.0),
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
    reference64=Reference64(lazy_reference("sigmoid"), lazy_reference("sigmoid_slope")),
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
        plot_range=(-6.0, 4.0),
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


_tanh = _kernels.forward("tanh")
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
        plot_range=(-4.0, 4.0),
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
        second=tanh_second,
    ),
    naive=Naive(
        np.tanh,
        lambda x, g: g * (1 - np.tanh(x) ** 2),
    ),
)


# --- the ELU family ----------------------------------------------------------------------------
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
        plot_range=(-4.0, 3.0),
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
        plot_range=(-4.0, 3.0),
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


_celu = _kernels.forward("celu64", ("alpha",))
_celu_grad = _kernels.vjp("celu64", ("alpha",))
_celu32 = _kernels.forward("celu", ("alpha",))
_celu_grad32 = _kernels.vjp("celu", ("alpha",))

CELU = Activation(
    name="celu",
    library_names=(
        LibraryName("timm", "celu"),
        LibraryName("keras", "celu"),
        LibraryName("mlx", "celu"),
    ),
    doc=Doc(
        plot_range=(-4.0, 3.0),
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
        plot_range=(-5.0, 5.0),
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
