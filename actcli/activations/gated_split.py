"""Gated activations on a split input: glu, swiglu, geglu, reglu, bilinear, gpt-oss' swiglu_oai.

The input splits along ``dim`` into pairs (a, b), by halves (``a = x[:n/2]``, ``b = x[n/2:]``)
or interleaved (``a = x[0::2]``, ``b = x[1::2]``, gpt-oss); one of each pair is the gate and
the output is act(gate)·value, half the size along ``dim``. torch's ``glu`` is the sigmoid
member, with the gate second. The libraries disagree on which half is the gate: Llama-style
MLPs, vLLM's ``SiluAndMul`` / ``GeluAndMul`` and timm's ``SwiGLUPacked`` take act(first)·second,
torch's ``glu`` a·σ(b) (gate second), diffusers' ``GEGLU`` value·gelu(gate) with the gate
second. ``gate`` chooses; each function's default follows its most common implementation (the
first half as the gate; the second for glu, as torch and JAX).

Kernels: compiled row gufuncs (``actcli/_kernels/gated_rows.c``) for float32 and float64 (geglu's
exact GELU in float64: ``geglu64``, the ``gelu`` family's float64 GELU).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from .. import _kernels
from ..errors import InputError
from ..records import Activation, Doc, Goal, Kernels, LibraryName, Naive, Param
from . import _textbook as textbook
from ._common import Array

DIM = Param("dim", -1, "the axis the input is split along (its size must be even)")
LAYOUT = Param(
    "layout",
    "halves",
    "how the (a, b) pairs sit along dim: halves (a = x[:n/2], b = x[n/2:]) or interleaved "
    "(a = x[0::2], b = x[1::2], as gpt-oss)",
    choices=("halves", "interleaved"),
)


def _gate(default: str) -> Param:
    return Param(
        "gate",
        default,
        "which of each pair (a, b) is the gate: first gives act(a)·b (Llama, vLLM SiluAndMul, "
        "timm SwiGLUPacked), second act(b)·a (torch.nn.functional.glu)",
        choices=("first", "second"),
    )


GATE_FIRST = _gate("first")
_CODES = {"gate": {"first": 0.0, "second": 1.0}, "layout": {"halves": 0.0, "interleaved": 1.0}}
_SPLIT = ("gate", "layout")


def _length(n: int) -> int:
    if n % 2:
        raise InputError(f"a gated activation needs an even size along dim, got {n}")
    return n // 2


def _rows(
    name: str | dict[str, str], params: tuple[str, ...] = _SPLIT, pick: str | None = None
) -> tuple[Callable[..., Array], Callable[..., Array]]:
    fwd = _kernels.param_rows(name, params, codes=_CODES, pick=pick, out="half")
    vjp = _kernels.param_rows(name, params, codes=_CODES, pick=pick, out="half", vjp=True)
    return fwd, vjp


# --- the textbook formulas (bench's naive baseline) and the PyTorch equivalents -----------------
def _pairs(x: Array, dim: int, gate: str, layout: str) -> tuple[Array, Array]:
    """(gate, value) halves of ``x`` along ``dim``."""
    xm = np.moveaxis(x, dim, -1)
    if layout == "halves":
        a, b = np.split(xm, 2, axis=-1)
    else:
        a, b = xm[..., 0::2], xm[..., 1::2]
    return (a, b) if gate == "first" else (b, a)


def _unpairs(dg: Array, dv: Array, dim: int, gate: str, layout: str) -> Array:
    a, b = (dg, dv) if gate == "first" else (dv, dg)
    if layout == "halves":
        out = np.concatenate([a, b], axis=-1)
    else:
        out = np.empty((*a.shape[:-1], 2 * a.shape[-1]), dtype=a.dtype)
        out[..., 0::2], out[..., 1::2] = a, b
    return np.moveaxis(out, -1, dim)


Elementwise = Callable[[Array], Array]


def _silu(z: Array) -> Array:
    return z * textbook.sigmoid(z)


def _silu_slope(z: Array) -> Array:
    s = textbook.sigmoid(z)
    return s * (1 + z * (1 - s))


def _gelu(z: Array) -> Array:
    return 0.5 * z * (1 + textbook.erf(z / np.sqrt(2)))


def _gelu_slope(z: Array) -> Array:
    return 0.5 * (1 + textbook.erf(z / np.sqrt(2))) + z * np.exp(-0.5 * z * z) / np.sqrt(2 * np.pi)


def _naive(act: Elementwise, slope: Elementwise) -> Naive:
    def fwd(x: Array, dim: int, gate: str, layout: str, **p: Any) -> Array:
        g, v = _pairs(x, dim, gate, layout)
        return np.moveaxis(act(g) * v, -1, dim)

    def grad(x: Array, u: Array, dim: int, gate: str, layout: str, **p: Any) -> Array:
        g, v = _pairs(x, dim, gate, layout)
        um = np.moveaxis(u, dim, -1)
        return _unpairs(um * v * slope(g), um * act(g), dim, gate, layout)

    return Naive(fwd, grad)


def _torch_pairs(t: Any, p: Mapping[str, Any]) -> tuple[Any, Any]:
    tm = t.movedim(p["dim"], -1)
    if p["layout"] == "halves":
        a, b = tm.chunk(2, dim=-1)
    else:
        a, b = tm[..., 0::2], tm[..., 1::2]
    return (a, b) if p["gate"] == "first" else (b, a)


def _torch_gated(act: Callable[[Any, Any, Mapping[str, Any]], Any]) -> Any:
    """torch_call for act(gate)·value, ``act(F, gate, params)`` written with torch ops."""

    def call(F: Any, t: Any, p: Mapping[str, Any]) -> Any:
        g, v = _torch_pairs(t, p)
        return (act(F, g, p) * v).movedim(-1, p["dim"])

    return call


_DERIVATIVE = "VJP: ∂/∂gate = u·value·act'(gate), ∂/∂value = u·act(gate)"
_RANGE = "(-∞, ∞), half the size along dim"
_SHAZEER = "Shazeer, 'GLU Variants Improve Transformer', 2020"

# --- glu -----------------------------------------------------------------------------------------
GATE_SECOND = Param(
    "gate",
    "second",
    "which of each pair (a, b) is the gate: second gives a·σ(b) (torch.nn.functional.glu, "
    "jax.nn.glu), first σ(a)·b",
    choices=("first", "second"),
)


def _glu_length(n: int) -> int:
    if n % 2:
        raise InputError(f"glu needs an even size along dim, got {n}")
    return n // 2


# every gate and layout in place, both dtypes (float32 rows straight from their float32 entries)
_glu, _glu_grad = _rows("glu_rows")


def _torch_glu(F: Any, t: Any, p: Mapping[str, Any]) -> Any:
    if p["gate"] == "second" and p["layout"] == "halves":
        return F.glu(t, dim=p["dim"])
    return _torch_gated(lambda F, g, p: F.sigmoid(g))(F, t, p)


GLU = Activation(
    name="glu",
    library_names=(LibraryName("mlx", "glu"),),
    doc=Doc(
        plot_range=(-5.0, 3.0),
        formula="a ⊙ σ(b), (a, b) the two halves of x along dim (gate=second; first: σ(a) ⊙ b)",
        mathtext=r"$a \otimes \sigma(b)$",
        derivative="∂/∂a = g·σ(b), ∂/∂b = g·a·σ(b)(1 - σ(b)) (gate=second)",
        output_range=_RANGE,
        description="Gated linear unit: the first half gated by the sigmoid of the second, as "
        "torch and JAX (gate=first gates with the first half).",
        torch="torch.nn.functional.glu",
        jax="jax.nn.glu",
        reference="Dauphin et al., 'Language Modeling with Gated Convolutional Networks', 2017",
        # as the gated family, on [x, x]: x·σ(x) (not monotonic)
        properties=frozenset({"smooth"}),
    ),
    kernels=Kernels(
        forward=_glu,
        derivative=_glu_grad,
        output_length=_glu_length,
    ),
    params=(DIM, GATE_SECOND, LAYOUT),
    kind="axis",
    settings=({"gate": "first", "layout": "interleaved"},),
    naive=_naive(textbook.sigmoid, lambda z: textbook.sigmoid(z) * (1 - textbook.sigmoid(z))),
    torch_call=_torch_glu,
    goal=Goal(fwd64=4.0),
)

# --- swiglu --------------------------------------------------------------------------------------
_swiglu, _swiglu_grad = _rows("swiglu")

SWIGLU = Activation(
    name="swiglu",
    doc=Doc(
        plot_range=(-5.0, 3.0),
        formula="silu(gate) · value, (gate, value) = the two halves of x along dim",
        mathtext=r"$\mathrm{silu}(a) \otimes b$",
        derivative=_DERIVATIVE + ", silu'(z) = σ(z)(1 + z(1 - σ(z)))",
        output_range=_RANGE,
        description="SwiGLU, the gated MLP of Llama, Mistral and Qwen: the gate is the first "
        "half by default (vLLM SiluAndMul, timm SwiGLUPacked; gate=second for torch glu's "
        "order).",
        reference=_SHAZEER,
        properties=frozenset({"smooth"}),
    ),
    kernels=Kernels(forward=_swiglu, derivative=_swiglu_grad, output_length=_length),
    params=(DIM, GATE_FIRST, LAYOUT),
    kind="axis",
    settings=({"gate": "second"}, {"layout": "interleaved"}),
    naive=_naive(_silu, _silu_slope),
    torch_call=_torch_gated(lambda F, g, p: F.silu(g)),
)

# --- geglu ---------------------------------------------------------------------------------------
_GEGLU_NAMES = {"none": "geglu", "tanh": "geglu_tanh"}
_geglu32, _geglu_grad32 = _rows(_GEGLU_NAMES, pick="approximate")
# float64: the exact GELU of gelu64 (geglu64's rows); the tanh GELU's rows serve both dtypes
_geglu64, _geglu_grad64 = _rows({"none": "geglu64", "tanh": "geglu_tanh"}, pick="approximate")

_TANH_C = float(np.sqrt(2 / np.pi))


def _naive_gelu_tanh(z: Array) -> Array:
    return 0.5 * z * (1 + np.tanh(_TANH_C * (z + 0.044715 * z**3)))


def _naive_gelu_tanh_slope(z: Array) -> Array:
    t = np.tanh(_TANH_C * (z + 0.044715 * z**3))
    return 0.5 * (1 + t) + 0.5 * z * (1 - t * t) * _TANH_C * (1 + 3 * 0.044715 * z * z)


def _naive_geglu() -> Naive:
    exact = _naive(_gelu, _gelu_slope)
    tanh = _naive(_naive_gelu_tanh, _naive_gelu_tanh_slope)

    def fwd(x: Array, approximate: str, **p: Any) -> Array:
        return (exact if approximate == "none" else tanh).forward(x, **p)

    def grad(x: Array, u: Array, approximate: str, **p: Any) -> Array:
        return (exact if approximate == "none" else tanh).derivative(x, u, **p)

    return Naive(fwd, grad)


GEGLU = Activation(
    name="geglu",
    doc=Doc(
        plot_range=(-4.0, 3.0),
        formula="gelu(gate) · value, (gate, value) = the two halves of x along dim",
        mathtext=r"$\mathrm{gelu}(a) \otimes b$",
        derivative=_DERIVATIVE + ", gelu'(z) = Φ(z) + z·φ(z) (tanh form with approximate=tanh)",
        output_range=_RANGE,
        description="GeGLU (T5 v1.1, Gemma): the first half as the gate by default (vLLM "
        "GeluAndMul); diffusers' GEGLU gates with the second half (gate=second).",
        reference=_SHAZEER,
        properties=frozenset({"smooth"}),
    ),
    kernels=Kernels(
        forward=_geglu64,
        derivative=_geglu_grad64,
        forward32=_geglu32,
        derivative32=_geglu_grad32,
        output_length=_length,
    ),
    params=(
        DIM,
        GATE_FIRST,
        LAYOUT,
        Param(
            "approximate",
            "none",
            "the GELU of the gate: none (exact, x·Φ(x)) or tanh (the tanh approximation)",
            choices=("none", "tanh"),
        ),
    ),
    kind="axis",
    settings=({"approximate": "tanh"}, {"gate": "second", "layout": "interleaved"}),
    naive=_naive_geglu(),
    torch_call=_torch_gated(lambda F, g, p: F.gelu(g, approximate=p["approximate"])),
)

# --- reglu ---------------------------------------------------------------------------------------
_reglu, _reglu_grad = _rows("reglu")

REGLU = Activation(
    name="reglu",
    doc=Doc(
        plot_range=(-3.0, 3.0),
        formula="max(0, gate) · value, (gate, value) = the two halves of x along dim",
        mathtext=r"$\max(0,\,a) \otimes b$",
        derivative=_DERIVATIVE + ", relu'(z) = 1 for z > 0, else 0 (0 at z = 0, as torch)",
        output_range=_RANGE,
        description="ReGLU: a ReLU gate; the first half is the gate by default.",
        reference=_SHAZEER,
        properties=frozenset({"monotonic"}),
    ),
    kernels=Kernels(forward=_reglu, derivative=_reglu_grad, output_length=_length),
    params=(DIM, GATE_FIRST, LAYOUT),
    kind="axis",
    settings=({"gate": "second"},),
    naive=_naive(lambda z: np.maximum(z, 0), lambda z: (z > 0).astype(z.dtype)),
    torch_call=_torch_gated(lambda F, g, p: F.relu(g)),
)

# --- bilinear ------------------------------------------------------------------------------------
_bilinear, _bilinear_grad = _rows("bilinear")

BILINEAR = Activation(
    name="bilinear",
    doc=Doc(
        plot_range=(-3.0, 3.0),
        formula="gate · value, (gate, value) = the two halves of x along dim",
        mathtext=r"$a \otimes b$",
        derivative="VJP: ∂/∂a = u·b, ∂/∂b = u·a",
        output_range=_RANGE,
        description="Bilinear GLU: no activation on the gate (the product is symmetric; gate "
        "only orders the halves).",
        reference=_SHAZEER,
        properties=frozenset({"smooth"}),
    ),
    kernels=Kernels(forward=_bilinear, derivative=_bilinear_grad, output_length=_length),
    params=(DIM, GATE_FIRST, LAYOUT),
    kind="axis",
    settings=({"layout": "interleaved"},),
    naive=_naive(lambda z: z, np.ones_like),
    torch_call=_torch_gated(lambda F, g, p: g),
)

# --- swiglu_oai ----------------------------------------------------------------------------------
_oai, _oai_grad = _rows("swiglu_oai", (*_SPLIT, "alpha", "limit"))


def _naive_oai() -> Naive:
    def fwd(x: Array, dim: int, gate: str, layout: str, alpha: float, limit: float) -> Array:
        g, v = _pairs(x, dim, gate, layout)
        g = np.minimum(g, limit)
        v = np.clip(v, -limit, limit)
        return np.moveaxis(g * textbook.sigmoid(alpha * g) * (v + 1), -1, dim)

    def grad(
        x: Array, u: Array, dim: int, gate: str, layout: str, alpha: float, limit: float
    ) -> Array:
        g, v = _pairs(x, dim, gate, layout)
        um = np.moveaxis(u, dim, -1)
        gc, vc = np.minimum(g, limit), np.clip(v, -limit, limit)
        s = textbook.sigmoid(alpha * gc)
        dg = um * (vc + 1) * (s + alpha * gc * s * (1 - s)) * (g <= limit)
        dv = um * gc * s * (np.abs(v) <= limit)
        return _unpairs(dg, dv, dim, gate, layout)

    return Naive(fwd, grad)


def _torch_oai(F: Any, t: Any, p: Mapping[str, Any]) -> Any:
    # gpt-oss' reference (gpt_oss/torch/model.py, swiglu), with actcli's split parameters.
    x_glu, x_linear = _torch_pairs(t, p)
    x_glu = x_glu.clamp(min=None, max=p["limit"])
    x_linear = x_linear.clamp(min=-p["limit"], max=p["limit"])
    out_glu = x_glu * F.sigmoid(p["alpha"] * x_glu)
    return (out_glu * (x_linear + 1)).movedim(-1, p["dim"])


SWIGLU_OAI = Activation(
    name="swiglu_oai",
    doc=Doc(
        formula="g·σ(alpha·g)·(v + 1), g = min(gate, limit), v = clamp(value, -limit, limit)",
        mathtext=r"$g\,\sigma(\alpha g)\,(v + 1)$",
        derivative="VJP: ∂/∂gate = u·(v + 1)·silu'(alpha·g) where gate <= limit, ∂/∂value = "
        "u·g·σ(alpha·g) where |value| <= limit, else 0 (torch.clamp passes the gradient at "
        "the limits)",
        output_range="[≈ -1.3089, ≈ 55.9996] at the defaults "
        "(limit · σ(alpha · limit) · (limit + 1) above), half the size along dim",
        description="gpt-oss' clamped SwiGLU: pairs interleaved, gate first, alpha 1.702, "
        "limit 7 and the value shifted by 1, as its reference implementation.",
        reference="OpenAI, 'gpt-oss-120b & gpt-oss-20b Model Card', 2025 (gpt_oss/torch/model.py)",
        properties=frozenset({"bounded"}),
    ),
    kernels=Kernels(forward=_oai, derivative=_oai_grad, output_length=_length),
    params=(
        DIM,
        GATE_FIRST,
        Param(
            "layout",
            "interleaved",
            LAYOUT.help,
            choices=("halves", "interleaved"),
        ),
        Param("alpha", 1.702, "the slope of the gate's sigmoid", low=0.0),
        Param(
            "limit",
            7.0,
            "the clamp: the gate is clamped above at limit, the value to [-limit, limit] "
            "(finite: without a clamp, use swiglu)",
            low=0.0,
            low_open=True,
            high=1e300,
            high_open=True,
        ),
    ),
    kind="axis",
    settings=({"limit": 2.0}, {"layout": "halves", "alpha": 1.0}),
    naive=_naive_oai(),
    torch_call=_torch_oai,
)

ACTIVATIONS = (
    GLU,
    SWIGLU,
    GEGLU,
    REGLU,
    BILINEAR,
    SWIGLU_OAI,
)
