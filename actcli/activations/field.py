"""The field's own activations (issue 14): functions that other libraries name and PyTorch lacks.

step and exponential (Keras, MLX), hard_mish and starrelu (timm), xielu, sqrtsoftplus, gelu_10
and laplace (HuggingFace transformers), snake (BigVGAN). The kernels are compiled ufuncs
(actcli/_kernels/field.c, where each one is documented; gelu_10's are in gelu.c, beside the
GELU kernels they clip; snake's, with its f'' as the extra kernel snake_d2, in snake.c).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from .. import _kernels
from ..records import Activation, Doc, Kernels, LibraryName, Naive, Param, Reference64
from . import _textbook as textbook
from ._coeffs import INV_SQRT_2PI
from ._common import (
    Array,
    dd_add,
    dd_div,
    dd_mul,
    exp_dd,
    keep_nan,
    quiet,
    returning,
    two_prod,
    two_sum,
)
from ._curvature import gelu_second
from ._lazyref import lazy_reference

HF = "transformers.activations."


def square(a: Array) -> tuple[Array, Array]:
    """a² = p + pl exactly (finite |a| below 2^498)."""
    return two_prod(a, a)


def exp_half(a: Array) -> tuple[Array, Array]:
    """exp(-a²/2) = e·(1 + yl) for 0 <= a <= 40: a² = p + pl exactly (p rounded alone would
    cost up to 800 ulp at a = 40), e = exp(-p/2) and yl = -pl/2."""
    p, pl = square(a)
    return np.exp(-0.5 * p), -0.5 * pl


# --- step ----------------------------------------------------------------------------------------
def _step_second(x: Array, g: Array, *, threshold: float) -> Array:
    """0 everywhere (NaN where x is NaN)."""
    return keep_nan(x, np.zeros(np.broadcast_shapes(x.shape, g.shape), dtype=x.dtype))


STEP = Activation(
    name="step",
    library_names=(LibraryName("mlx", "step"),),
    doc=Doc(
        plot_range=(-3.0, 3.0),
        formula="1 if x > threshold else 0",
        mathtext=r"$[x > \mathrm{threshold}]$",
        derivative="0 (also at the jump x = threshold, as jax.grad of its where)",
        output_range="{0, 1}",
        description="Heaviside step (MLX's step): 1 above the threshold, 0 at and below it.",
        torch=None,
        reference="MLX, mlx.nn.step",
        properties=frozenset({"monotonic", "bounded"}),
        second_derivative="0",
    ),
    kernels=Kernels(
        forward=_kernels.forward("step", ("threshold",)),
        derivative=_kernels.vjp("step", ("threshold",)),
        exact=True,
        second=_step_second,
    ),
    params=(Param("threshold", 0.0, "the output is 1 above this value, 0 at and below it"),),
    kinks=lambda p: (p["threshold"],),
    settings=({"threshold": 0.5},),
    naive=Naive(
        lambda x, threshold: (x > threshold).astype(x.dtype),
        lambda x, g, threshold: np.zeros_like(g),
    ),
    # t·0 carries the (zero) gradient and NaN through to torch's autograd
    torch_call=lambda F, t, p: t * 0 + (t > p["threshold"]).to(t.dtype),
)


# --- exponential ---------------------------------------------------------------------------------
def _exponential_second(x: Array, g: Array) -> Array:
    """e^x·g, from the forward kernel (0.56 ulp) and one rounding."""
    e = _kernels.ufunc("exponential")(np.asarray(x, dtype=np.float64))
    return (e * g).astype(x.dtype, copy=False)


EXPONENTIAL = Activation(
    name="exponential",
    library_names=(LibraryName("keras", "exponential"),),
    doc=Doc(
        plot_range=(-4.0, 2.0),
        formula="eˣ",
        mathtext=r"$e^x$",
        derivative="eˣ",
        output_range="(0, ∞)",
        description="The exponential (Keras' exponential): positive outputs, such as rates.",
        torch=None,
        reference="Keras, keras.activations.exponential",
        properties=frozenset({"monotonic", "smooth"}),
        second_derivative="eˣ",
    ),
    kernels=Kernels(
        forward=_kernels.forward("exponential"),
        derivative=_kernels.vjp("exponential"),
        second=_exponential_second,
    ),
    naive=Naive(lambda x: np.exp(x), lambda x, g: np.exp(x) * g),
    torch_call=lambda F, t, p: t.exp(),
    reference64=Reference64(lazy_reference("exponential")),
)


# --- hard_mish -----------------------------------------------------------------------------------
def _hard_mish_second(x: Array, g: Array) -> Array:
    """1 on the closed interval [-2, 0], 0 elsewhere (torch 2.13's double backward of its
    clamp, which passes the gradient at both ends)."""
    inside = (x >= -2) & (x <= 0)
    return keep_nan(x, np.where(inside, g, 0.0).astype(x.dtype, copy=False))


HARD_MISH = Activation(
    name="hard_mish",
    library_names=(LibraryName("timm", "hard_mish"),),
    doc=Doc(
        plot_range=(-4.0, 3.0),
        formula="x/2 · clamp(x + 2, 0, 2)",
        mathtext=r"$\frac{x}{2}\,\min(\max(x + 2,\,0),\,2)$",
        derivative="1 if x >= 0; x + 1 on [-2, 0); 0 below -2 (-1 at the kink -2, as torch)",
        output_range="[-0.5, ∞)",
        description="Hard Mish (timm): a piecewise-quadratic mish, x for x >= 0 and 0 below -2.",
        torch=None,
        reference="Misra, H-Mish notes (github.com/digantamisra98/H-Mish); timm's hard_mish",
        properties=frozenset({"zero_centred", "self_gated"}),
        second_derivative="1 on [-2, 0], 0 elsewhere (1 at -2 and 0, as PyTorch)",
    ),
    kernels=Kernels(
        forward=_kernels.forward("hard_mish"),
        derivative=_kernels.vjp("hard_mish"),
        second=_hard_mish_second,
    ),
    kinks=(-2.0,),
    naive=Naive(
        lambda x: 0.5 * x * np.clip(x + 2, 0, 2),
        lambda x, g: g * np.where(x >= 0, 1.0, np.where(x >= -2, x + 1, 0.0)),
    ),
    torch_call=lambda F, t, p: 0.5 * t * (t + 2).clamp(min=0, max=2),
)


# --- starrelu ------------------------------------------------------------------------------------
_STARRELU = ("scale", "bias")


def _starrelu_second(x: Array, g: Array, *, scale: float, bias: float) -> Array:
    """2·scale for x > 0 (+inf included), 0 elsewhere (0 at the kink, as PyTorch)."""
    return keep_nan(x, np.where(x > 0, (2.0 * scale) * g, 0.0).astype(x.dtype, copy=False))


STARRELU = Activation(
    name="starrelu",
    library_names=(
        LibraryName(
            "timm",
            "StarReLU",
            note="a module, timm.models.metaformer.StarReLU (not in timm's activation registry)",
            alias=False,
        ),
    ),
    doc=Doc(
        plot_range=(-3.0, 3.0),
        formula="scale · relu(x)² + bias",
        mathtext=r"$s\,\max(0,\,x)^2 + b$",
        derivative="2·scale·relu(x) (0 at x = 0)",
        output_range="[bias, ∞) for scale > 0",
        description="StarReLU (MetaFormer): a scaled, shifted squared ReLU; timm's defaults.",
        torch=None,
        reference="Yu et al., 'MetaFormer Baselines for Vision', TPAMI 2023 (timm's StarReLU)",
        properties=frozenset({"monotonic"}),
        second_derivative="2·scale if x > 0 else 0 (0 at the kink x = 0, as PyTorch)",
    ),
    kernels=Kernels(
        forward=_kernels.forward("starrelu", _STARRELU),
        derivative=_kernels.vjp("starrelu", _STARRELU),
        second=_starrelu_second,
    ),
    params=(
        Param("scale", 1.0, "s, the factor of relu(x)² (timm's default; MetaFormer learns it)"),
        Param("bias", 0.0, "b, the offset (timm's default; MetaFormer learns it)"),
    ),
    kinks=(0.0,),
    # MetaFormer's initial values: 1/√1.25 and -0.5/√1.25, where scale·x² + bias cancels
    settings=({"scale": 0.8944271909999159, "bias": -0.4472135954999579},),
    naive=Naive(
        lambda x, scale, bias: scale * np.maximum(x, 0) ** 2 + bias,
        lambda x, g, scale, bias: 2 * scale * np.maximum(x, 0) * g,
    ),
    torch_call=lambda F, t, p: p["scale"] * F.relu(t) ** 2 + p["bias"],
)


# --- xielu ---------------------------------------------------------------------------------------
_XIELU = ("alpha_p", "alpha_n", "beta", "eps")
#: HF's eps = -1e-6 as a float32 holds it (its buffer is float32 or bfloat16): exact in both
#: float32 and float64, so the clamp and its kink fall on the same input in every dtype.
_HF_EPS = -9.999999974752427e-07
_xielu32 = _kernels.forward("xielu", _XIELU)
_xielu_grad32 = _kernels.vjp("xielu", _XIELU)

#: Where alpha_n·A and beta·x (or alpha_n·expm1(x) and beta) cancel to below this fraction of
#: beta·|x| (of beta), the double-double of the compiled kernel (2^-83) may not give the last
#: bits: those few lanes, within about 1e-6 of a zero crossing, are recomputed exactly.
_CANCEL = 2.0**-20


def _xielu_exact(x: float, p: Mapping[str, float], derivative: bool) -> float:
    """xielu(x) or xielu'(x) for x < 0 (x < eps for the derivative), correctly rounded:
    60-digit decimal arithmetic (Decimal(float) is exact, exp and float() round correctly)."""
    from decimal import Decimal, localcontext

    with localcontext() as ctx:
        ctx.prec = 60
        xd, an, beta = Decimal(x), Decimal(p["alpha_n"]), Decimal(p["beta"])
        if derivative:  # alpha_n·e^x + (beta - alpha_n): e^x is not lost beside 1
            return float(an * xd.exp() + (beta - an))
        m = min(xd, Decimal(p["eps"]))
        # alpha_n·expm1(m) + (beta - alpha_n)·x: beta - alpha_n exact where they are equal
        return float(an * (m.exp() - 1) + (beta - an) * xd)


def _refine(x: Array, out: Array, g: Array | None, p: Mapping[str, float]) -> None:
    """Recompute, exactly, the float64 lanes of ``out`` where xielu (its derivative, with
    ``g``) cancels beyond the kernel's double-double."""
    if out.dtype != np.float64 or p["beta"] == 0:
        return
    xs = np.asarray(x, dtype=np.float64)
    with np.errstate(all="ignore"):
        if g is None:
            small = (xs < 0) & (np.abs(out) < _CANCEL * p["beta"] * np.abs(xs)) & np.isfinite(xs)
        else:
            d = out / np.asarray(g, dtype=np.float64)
            small = (xs < p["eps"]) & (np.abs(d) < _CANCEL * p["beta"]) & np.isfinite(xs)
    for i in zip(*np.nonzero(np.broadcast_to(small, out.shape)), strict=True):
        v = _xielu_exact(float(xs[i]), p, derivative=g is not None)
        # a derivative that is 0 gives 0 whatever g (±inf included), as the kernels' VJPs
        out[i] = v if g is None or v == 0 else v * np.broadcast_to(g, out.shape)[i]


def _xielu_into(
    x: Array, out: Array, *, alpha_p: float, alpha_n: float, beta: float, eps: float
) -> None:
    p = {"alpha_p": alpha_p, "alpha_n": alpha_n, "beta": beta, "eps": eps}
    _xielu32.into(x, out, **p)  # type: ignore[attr-defined]
    _refine(x, out, None, p)


def _xielu_grad_into(
    x: Array, g: Array, out: Array, *, alpha_p: float, alpha_n: float, beta: float, eps: float
) -> None:
    p = {"alpha_p": alpha_p, "alpha_n": alpha_n, "beta": beta, "eps": eps}
    _xielu_grad32.into(x, g, out, **p)  # type: ignore[attr-defined]
    _refine(x, out, g, p)


_xielu = returning(_xielu_into)
_xielu_grad = returning(_xielu_grad_into)


def _xielu_second(
    x: Array, g: Array, *, alpha_p: float, alpha_n: float, beta: float, eps: float
) -> Array:
    """2·alpha_p for x > 0, alpha_n·eˣ below eps, 0 on the clamp (eps, 0]; at x = eps the half
    of alpha_n·e^eps that torch's tie split of min(x, eps) passes, squared: alpha_n·e^eps/4."""
    x64 = np.asarray(x, dtype=np.float64)
    e = _kernels.ufunc("exponential")(np.minimum(x64, 0.0))
    below = np.where(x64 == eps, 0.25 * alpha_n * e, alpha_n * e)
    f2 = np.where(x64 > 0, 2.0 * alpha_p, np.where(x64 <= eps, below, 0.0))
    return keep_nan(x, (f2 * g).astype(x.dtype, copy=False))


def _naive_xielu(x: Array, alpha_p: float, alpha_n: float, beta: float, eps: float) -> Array:
    neg = (np.expm1(np.minimum(x, eps)) - x) * alpha_n + beta * x
    return np.where(x > 0, alpha_p * x * x + beta * x, neg)


def _naive_xielu_grad(
    x: Array, g: Array, alpha_p: float, alpha_n: float, beta: float, eps: float
) -> Array:
    neg = np.where(x < eps, alpha_n * np.expm1(x) + beta, beta - alpha_n)
    return g * np.where(x > 0, 2 * alpha_p * x + beta, neg)


XIELU = Activation(
    name="xielu",
    library_names=(
        LibraryName(
            "hf",
            "xielu",
            note=(
                "HF keeps its parameters in bfloat16 by default (softplus-parametrised "
                "alpha_p, alpha_n): its own values are those rounded, not exactly 0.8"
            ),
        ),
    ),
    doc=Doc(
        plot_range=(-4.0, 3.0),
        formula="alpha_p·x² + beta·x (x > 0); alpha_n·(expm1(min(x, eps)) - x) + beta·x (x <= 0)",
        mathtext=r"$\alpha_p x^2 + \beta x \;|\; \alpha_n(e^{\min(x,\epsilon)} - 1 - x) + \beta x$",
        derivative=(
            "2·alpha_p·x + beta (x > 0); alpha_n·expm1(x) + beta (x < eps); "
            "beta - alpha_n on the clamp (eps, 0]"
        ),
        output_range="(-∞, ∞) at the defaults (alpha_n > beta)",
        description=(
            "xIELU (HF's formula and defaults): eps clamps expm1's argument, so on [eps, 0] "
            "f is a line of slope beta - alpha_n and f(0) = alpha_n·expm1(eps) ≈ -8e-7, a jump."
        ),
        torch=None,
        hf=HF + "XIELUActivation",
        reference="Huang et al., 'Deriving Activation Functions Using Integration', 2024",
        properties=frozenset(),
        second_derivative=(
            "2·alpha_p (x > 0); alpha_n·eˣ (x < eps); 0 on the clamp (eps, 0]; "
            "alpha_n·e^eps/4 at x = eps (torch's tie split)"
        ),
    ),
    kernels=Kernels(
        forward=_xielu,
        derivative=_xielu_grad,
        forward32=_xielu32,
        derivative32=_xielu_grad32,
        second=_xielu_second,
    ),
    params=(
        Param(
            "alpha_p",
            0.8,
            "alpha_p, the x² factor for x > 0 (HF: softplus of a learned one)",
            low=0.0,
            low_open=True,
        ),
        Param(
            "alpha_n",
            0.8,
            "alpha_n, the factor of the negative side (HF: beta + softplus)",
            low=0.0,
            low_open=True,
        ),
        Param("beta", 0.5, "beta, the linear term", low=0.0),
        Param(
            "eps",
            _HF_EPS,
            "the clamp of expm1's argument (HF's -1e-6 as its float32 buffer holds it; 0: none)",
            low=-0.1,
            high=0.0,
        ),
    ),
    kinks=lambda p: tuple(sorted({p["eps"], 0.0})),
    settings=({"eps": 0.0}, {"alpha_p": 1.5, "alpha_n": 1.5, "beta": 0.25, "eps": -0.01}),
    naive=Naive(_naive_xielu, _naive_xielu_grad),
    # HF's formula; torch.minimum splits the gradient of the tie x = eps, as HF's torch.min
    torch_call=lambda F, t, p: (p["alpha_p"] * t * t + p["beta"] * t).where(
        t > 0, (t.minimum(t.new_tensor(p["eps"])).expm1() - t) * p["alpha_n"] + p["beta"] * t
    ),
)


# --- sqrtsoftplus --------------------------------------------------------------------------------
#: f'' of sqrtsoftplus crosses 0 at this root (a double-double, mpmath): within 0.7 of it f'' is
#: its Taylor series there (33 terms, mpmath; the rest is below 1e-21 of the value), where the
#: closed form cancels.
_SSP_F2_ROOT = (0.9214225086553604, -3.9798817398527784e-17)
_SSP_F2_SERIES = (
    -0.0391187860828618, 0.012198596824592943, 0.003624303997984597, -0.00261993778607715,
    8.310101311991252e-05, 0.0003105634851480733, -7.239591736902437e-05,
    -2.1796847155781597e-05, 1.2423457180158788e-05, 4.4640476680467625e-08,
    -1.36697315534661e-06, 2.5189944147978954e-07, 9.892658573837298e-08,
    -4.4968728716735546e-08, -2.080748454927616e-09, 5.063387585296079e-09,
    -7.105628698784711e-10, -3.913637439247586e-10, 1.438040661949195e-10,
    1.382585360260246e-11, -1.7087938760861634e-11, 1.6824349030585368e-12,
    1.4187243016100753e-12, -4.2362966316010234e-13, -6.613982439859334e-14,
    5.4136805279644985e-14, -3.0824058138641644e-15, -4.8305302968099325e-15,
    1.1662780890023801e-15, 2.705706987744649e-16, -1.6330665841607185e-16,
    2.3126208290298545e-18, 1.566787133644903e-17,
)  # fmt: skip
_SSP_F2_WIDTH = 0.7


@quiet
def _sqrtsoftplus_second(x: Array, g: Array) -> Array:
    """f'' = σ/(4·s^(3/2))·(2(1 - σ)·s - σ), s = softplus(x), in double-double from e = e^-|x|:
    σ and 1 - σ are (1 or e)/(1 + e), so f'' = n·(2·m·s - n)/(4·d²·s·√s) with d = 1 + e;
    e^(x/2)/4 below -40, -1/(4·x^(3/2)) above 1e30; the series at its root within 0.7 of it."""
    x64 = np.asarray(x, dtype=np.float64)
    xc = np.clip(x64, -40.0, 1e30)
    eh, el = exp_dd(-np.abs(xc))
    dh, dl = two_sum(1.0, eh)
    dl = dl + el
    pos = xc >= 0
    n_h, n_l = np.where(pos, 1.0, eh), np.where(pos, 0.0, el)  # σ·d
    m_h, m_l = np.where(pos, eh, 1.0), np.where(pos, el, 0.0)  # (1 - σ)·d
    # log1p(e) = L + ((1 + e) - e^L)/(1 + e): one Newton step from NumPy's log1p, exp_dd exact
    # enough that L is good to about 2^-67
    lg = np.log1p(eh)
    xh, xl = exp_dd(lg)
    rh, rl_ = two_sum(dh, -xh)
    lh = lg + ((rh + (rl_ + dl - xl)) / dh)
    sh, sl = two_sum(np.maximum(xc, 0.0), lh)
    b1h, b1l = dd_mul(m_h, m_l, sh, sl)
    bh, bl = dd_add(2 * b1h, 2 * b1l, -n_h, -n_l)
    numh, numl = dd_mul(n_h, n_l, bh, bl)
    d2h, d2l = dd_mul(dh, dl, dh, dl)
    root = np.sqrt(sh)
    r2h, r2l = two_prod(root, root)
    rl = (((sh - r2h) - r2l) + sl) / (2 * root)  # √(sh + sl) = root + rl
    qh, ql = dd_mul(sh, sl, root, rl)
    denh, denl = dd_mul(d2h, d2l, 4 * qh, 4 * ql)
    f2 = dd_div(numh, numl, denh, denl)
    f2 = np.where(x64 < -40.0, 0.25 * np.exp(0.5 * x64), f2)
    far = np.maximum(x64, 1e30)
    f2 = np.where(x64 > 1e30, -0.25 / (far * np.sqrt(far)), f2)
    t = (x64 - _SSP_F2_ROOT[0]) - _SSP_F2_ROOT[1]
    series = np.full_like(t, _SSP_F2_SERIES[-1])
    for c in _SSP_F2_SERIES[-2::-1]:
        series = series * t + c
    f2 = np.where(np.abs(t) < _SSP_F2_WIDTH, series * t, f2)
    return keep_nan(x, (f2 * g).astype(x.dtype, copy=False))


SQRTSOFTPLUS = Activation(
    name="sqrtsoftplus",
    library_names=(
        LibraryName(
            "hf",
            "sqrtsoftplus",
            note=(
                "HF's sqrt(F.softplus(x)) is √x above x = 20 (torch's threshold), and 0 below "
                "-745 with a NaN gradient; actcli gives √softplus(x), e^(x/2) far below 0"
            ),
            formula=lambda torch, t: torch.nn.functional.softplus(t).sqrt(),
            max_abs=2.3e-10,
            max_rel=1.0,
        ),
    ),
    doc=Doc(
        plot_range=(-5.0, 5.0),
        formula="√softplus(x) = √log(1 + eˣ)",
        mathtext=r"$\sqrt{\log(1 + e^x)}$",
        derivative="σ(x) / (2·√softplus(x))",
        output_range="(0, ∞)",
        description="Square root of softplus (HF's sqrtsoftplus, DeepSeek V4's router score).",
        torch=None,
        hf=HF + "SqrtSoftplusActivation",
        reference="DeepSeek-AI, DeepSeek V4 (HF transformers' sqrtsoftplus)",
        properties=frozenset({"monotonic", "smooth"}),
        second_derivative="σ(x)/(4·s^(3/2))·(2(1 - σ(x))·s - σ(x)), s = softplus(x)",
    ),
    kernels=Kernels(
        forward=_kernels.forward("sqrtsoftplus"),
        derivative=_kernels.vjp("sqrtsoftplus"),
        second=_sqrtsoftplus_second,
    ),
    naive=Naive(
        lambda x: np.sqrt(np.log1p(np.exp(x))),
        lambda x, g: g * textbook.sigmoid(x) / (2 * np.sqrt(np.log1p(np.exp(x)))),
    ),
    # threshold=inf: the function itself (torch's default threshold 20 returns x above 20)
    torch_call=lambda F, t, p: F.softplus(t, threshold=math.inf).sqrt(),
)


# --- gelu_10 -------------------------------------------------------------------------------------
#: gelu(x) > 10 exactly where x > 10 in float64 and float32 (gelu(10) = 10 - 7.6e-23 rounds to
#: 10; below 10, gelu(x) < x < 10), so the clip is a test on x; torch 2.13's clip passes the
#: gradient at the bound itself, so x = 10 keeps GELU's slope. Compiled ufuncs (gelu.c, beside
#: GELU's own): gelu_10_64 for float64, gelu_10 (plain double, rounded once) for float32.
_GELU10_TOP = 10.0


def _gelu10_second(x: Array, g: Array) -> Array:
    d2 = gelu_second(x, g, approximate="none")
    return keep_nan(x, np.where(x <= _GELU10_TOP, d2, 0.0).astype(d2.dtype, copy=False))


GELU_10 = Activation(
    name="gelu_10",
    library_names=(
        LibraryName(
            "hf",
            "gelu_10",
            note="HF clips torch's F.gelu, whose 1 + erf cancels: 0 below x = -8.4",
            formula=lambda torch, t: torch.nn.functional.gelu(t).clip(-10.0, 10.0),
            max_abs=1.8e-15,
            max_rel=1.0,
        ),
    ),
    doc=Doc(
        plot_range=(-4.0, 12.0),
        formula="clip(x·Φ(x), -10, 10)",
        mathtext=r"$\min(x\,\Phi(x),\,10)$",
        derivative="Φ(x) + x·φ(x) up to x = 10 (torch's clip passes it at 10), 0 above",
        output_range="[≈ -0.1700, 10]",
        description="GELU clipped to [-10, 10] (HF's gelu_10, for quantization).",
        torch=None,
        hf=HF + "ClippedGELUActivation",
        reference="HF transformers' ClippedGELUActivation (Q8BERT, Zafrir et al. 2019)",
        properties=frozenset({"bounded", "zero_centred", "self_gated"}),
        second_derivative="φ(x)(2 - x²) up to x = 10, 0 above",
    ),
    kernels=Kernels(
        forward=_kernels.forward("gelu_10_64"),
        derivative=_kernels.vjp("gelu_10_64"),
        forward32=_kernels.forward("gelu_10"),
        derivative32=_kernels.vjp("gelu_10"),
        second=_gelu10_second,
    ),
    kinks=(_GELU10_TOP,),
    naive=Naive(
        lambda x: np.clip(0.5 * x * (1 + textbook.erf(x / textbook.SQRT2)), -10, 10),
        lambda x, g: (
            g
            * np.where(
                x < 10,
                0.5 * (1 + textbook.erf(x / textbook.SQRT2))
                + x * np.exp(-(x**2) / 2) / math.sqrt(2 * math.pi),
                0.0,
            )
        ),
    ),
    torch_call=lambda F, t, p: F.gelu(t).clip(-10, 10),
)


# --- laplace -------------------------------------------------------------------------------------
_LAPLACE = ("mu", "sigma")
_laplace_grad = _kernels.vjp("laplace", _LAPLACE)


def _mul_exact(a: Any, b: Any) -> tuple[Array, Array]:
    """a·b = p + pe, exact where both are normal: Dekker's product of the mantissas (no split
    can overflow, whatever the exponents), scaled back."""
    am, ae = np.frexp(a)
    bm, be = np.frexp(b)
    p, pe = two_prod(am, bm)
    return np.ldexp(p, ae + be), np.ldexp(pe, ae + be)


def _div_dd(ah: Any, al: Any, b: float) -> tuple[Array, Array]:
    """(ah + al)/b as a double-double, for any finite b > 0."""
    q = ah / b
    p, pe = _mul_exact(q, np.float64(b))
    return q, np.where(np.isfinite(q), (((ah - p) - pe) + al) / b, 0.0)


def _laplace_z(x: Array, mu: float, sigma: float) -> tuple[Array, Array]:
    """z = (x - mu)/sigma as zh + zl (x - mu exact by TwoSum, x and mu quartered first where
    either passes 2^1020; the quotient's remainder exact by Dekker's product, its operands
    brought to [1, 2) first): f'' needs z to far more than one rounding in the tails."""
    with np.errstate(all="ignore"):
        sc = np.where(np.maximum(np.abs(x), abs(mu)) > 2.0**1020, 0.25, 1.0)
        dh, dl = two_sum(x * sc, -(mu * sc))
        q, ql = _div_dd(dh, dl, sigma)
        zh = q / sc
        zl = np.where(np.abs(zh) < 40.0, ql / sc, 0.0)  # far out Φ and φ are flat
    return zh, zl


#: ln2 in two parts, the first with 42 bits: 512·_LN2_HI is exact, and so is its sum with -a²/2.
_LN2_HI = float.fromhex("0x1.62e42fefa38p-1")
_LN2_LO = float.fromhex("0x1.ef35793c7673p-45")


@quiet
def _laplace_second(x: Array, g: Array, *, mu: float, sigma: float) -> Array:
    # -z·φ(z)/sigma² = -(z·(1/√(2π))/sigma)/sigma·e^(-z²/2); beyond |z| = 31.6 φ(z) is computed
    # times 2^512 and scaled back last, so that a result above the subnormal range is not formed
    # from a subnormal φ(z). The constant is divided by sigma twice (sigma² would under- or
    # overflow for extreme sigma); 0 at z = 0 and where φ is 0 (|z| >= 40), whatever sigma.
    x64 = np.asarray(x, dtype=np.float64)
    zh, zl = _laplace_z(x64, mu, sigma)
    z = np.clip(zh, -40.0, 40.0)
    p, pl = square(np.abs(z))
    big = p > 1000.0
    eh, el = exp_dd(-0.5 * p + np.where(big, 512 * _LN2_HI, 0.0), -0.5 * pl)
    corr = np.where(big, 512 * _LN2_LO, 0.0) - z * zl
    e = eh + (el + eh * corr)
    kh, kl = _div_dd(INV_SQRT_2PI[0], INV_SQRT_2PI[1], sigma)
    qh, ql = dd_mul(z, zl, kh, kl)  # z/(√(2π)·sigma) as a double-double
    qh, ql = _div_dd(qh, ql, sigma)
    ql = np.where(np.isfinite(qh), ql, 0.0)  # beyond the float maximum: the overflow alone
    f2 = -(qh * e + ql * e)
    f2 = np.where(big, f2 * 2.0**-512, f2)
    f2 = np.where((z == 0) | (np.abs(zh) >= 40.0), 0.0, f2)
    f2 = np.where(np.isnan(x64), x64, f2 * g)
    return f2.astype(np.asarray(x).dtype, copy=False)


LAPLACE = Activation(
    name="laplace",
    library_names=(
        LibraryName(
            "hf",
            "laplace",
            note="HF's 0.5·(1 + erf(z/√2)) cancels: 0 from z = -8.5 (x = -1.7 at its defaults)",
            formula=lambda torch, t: (
                0.5 * (1.0 + torch.erf((t - 0.707107).div(0.282095 * math.sqrt(2.0))))
            ),
            max_abs=1.1e-16,
            max_rel=1.0,
        ),
    ),
    doc=Doc(
        plot_range=(-1.0, 2.5),
        formula="Φ((x - mu)/sigma) = erfc(-(x - mu)/(sigma·√2))/2",
        mathtext=r"$\Phi\left(\frac{x - \mu}{\sigma}\right)$",
        derivative="φ((x - mu)/sigma)/sigma",
        output_range="(0, 1)",
        description="Laplace attention (MEGA; HF's laplace): the normal CDF of (x - mu)/sigma.",
        torch=None,
        hf=HF + "LaplaceActivation",
        reference="Ma et al., 'Mega: Moving Average Equipped Gated Attention', ICLR 2023",
        properties=frozenset({"monotonic", "bounded", "smooth"}),
        second_derivative="-z·φ(z)/sigma², z = (x - mu)/sigma",
    ),
    kernels=Kernels(
        forward=_kernels.forward("laplace", _LAPLACE),
        derivative=_laplace_grad,
        second=_laplace_second,
    ),
    params=(
        Param("mu", 0.707107, "the centre (HF's default, √(1/2) rounded)"),
        Param(
            "sigma", 0.282095, "the width (HF's default, √(1/(4π)) rounded)", low=0.0, low_open=True
        ),
    ),
    settings=({"mu": 0.0, "sigma": 1.0},),
    naive=Naive(
        lambda x, mu, sigma: 0.5 * (1 + textbook.erf((x - mu) / (sigma * textbook.SQRT2))),
        lambda x, g, mu, sigma: (
            g * np.exp(-(((x - mu) / sigma) ** 2) / 2) / (sigma * math.sqrt(2 * math.pi))
        ),
    ),
    torch_call=lambda F, t, p: (
        0.5 * (1.0 + (((t - p["mu"]) / (p["sigma"] * math.sqrt(2.0))).erf()))
    ),
    reference64=Reference64(lazy_reference("laplace"), lazy_reference("laplace_slope")),
)


# --- snake ---------------------------------------------------------------------------------------
_snake_d2 = _kernels.vjp("snake_d2", ("alpha",))


def _snake_second(x: Array, g: Array, *, alpha: float) -> Array:
    """2·alpha·cos(2·alpha·x)·g from the compiled snake_d2 (4·alpha·sin w·cos w, w = alpha·x +
    pi/4, the phase exact); NaN at ±inf and where alpha·x overflows (``oscillates``)."""
    x64 = np.asarray(x, dtype=np.float64)
    g64 = np.broadcast_to(np.asarray(g, dtype=np.float64), x64.shape)
    return _snake_d2(x64, g64, alpha=alpha).astype(np.asarray(x).dtype, copy=False)


SNAKE = Activation(
    name="snake",
    doc=Doc(
        plot_range=(-6.0, 6.0),
        formula="x + sin²(alpha·x)/alpha",
        mathtext=r"$x + \frac{\sin^2(\alpha x)}{\alpha}$",
        derivative="1 + sin(2·alpha·x) (no limit at ±inf: NaN there)",
        output_range="(-∞, ∞)",
        description=(
            "Snake (BigVGAN's periodic activation): x plus a ripple of period π/alpha, its "
            "phase alpha·x exact even at x = 1e300; f' and f'' are NaN at ±inf (no limit)."
        ),
        torch=None,
        reference=(
            "Ziyin, Hartwig and Ueda, 'Neural Networks Fail to Learn Periodic Functions and How "
            "to Fix It', NeurIPS 2020 (BigVGAN's Snake, Lee et al. 2023)"
        ),
        properties=frozenset({"monotonic", "smooth", "zero_centred"}),
        second_derivative="2·alpha·cos(2·alpha·x) (no limit at ±inf: NaN there)",
    ),
    kernels=Kernels(
        forward=_kernels.forward("snake", ("alpha",)),
        derivative=_kernels.vjp("snake", ("alpha",)),
        second=_snake_second,
    ),
    params=(
        Param(
            "alpha",
            1.0,
            "alpha, the frequency (BigVGAN learns one per channel, starting at 1)",
            low=0.0,
            low_open=True,
        ),
    ),
    settings=({"alpha": 0.5},),
    naive=Naive(
        lambda x, alpha: x + np.sin(alpha * x) ** 2 / alpha,
        lambda x, g, alpha: g * (1 + np.sin(2 * alpha * x)),
    ),
    torch_call=lambda F, t, p: t + (p["alpha"] * t).sin() ** 2 / p["alpha"],
    oscillates=lambda p: p["alpha"],
)


ACTIVATIONS = (
    STEP, EXPONENTIAL, HARD_MISH, STARRELU, XIELU, SQRTSOFTPLUS, GELU_10, LAPLACE, SNAKE
)  # fmt: skip
