"""Maps computed by sorting or reducing a row: sparsemax, entmax15 (sparse probability maps)
and logsumexp (the row becomes one value).

The engine hands the kernels a 2-D array whose last axis is the ``dim`` axis; logsumexp's
output drops that axis (``Kernels.reduces``). Kernels: compiled row gufuncs
(``actcli/_kernels/sparse_rows.c``), float32 and float64.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .. import _kernels
from ..records import Activation, Doc, Kernels, Naive, Param
from . import _textbook as textbook
from ._common import Array

DIM = Param("dim", -1, "the axis reduced (dropped from the output)")
ROW = Param("dim", -1, "the axis the function acts along")

_logsumexp = _kernels.param_rows("logsumexp", out="drop")
_logsumexp_grad = _kernels.param_rows("logsumexp", out="drop", vjp=True)


def _naive_logsumexp(x: Array, dim: int) -> Array:
    return np.log(np.sum(np.exp(x), axis=dim))


def _naive_logsumexp_grad(x: Array, g: Array, dim: int) -> Array:
    return textbook.softmax(x, dim) * np.expand_dims(g, dim)


LOGSUMEXP = Activation(
    name="logsumexp",
    doc=Doc(
        formula="log Σ_j exp(x_j) along dim (the output drops dim)",
        mathtext=r"$\log\sum_j e^{x_j}$",
        derivative="VJP: u·softmax(x), u the upstream gradient of the row",
        output_range="(-∞, ∞], one value per row; ≥ max(x)",
        description="Log-sum-exp, the smooth maximum (torch.logsumexp, jax.nn.logsumexp): an "
        "all -inf row gives -inf and its gradient is uniform, 1/n (torch and JAX give NaN).",
        properties=frozenset({"monotonic", "smooth"}),
    ),
    kernels=Kernels(forward=_logsumexp, derivative=_logsumexp_grad, reduces=True),
    params=(DIM,),
    kind="axis",
    naive=Naive(_naive_logsumexp, _naive_logsumexp_grad),
    torch_call=lambda F, t, p: t.logsumexp(dim=p["dim"]),
)

# --- sparsemax -----------------------------------------------------------------------------------
_sparsemax = _kernels.param_rows("sparsemax")
_sparsemax_grad = _kernels.param_rows("sparsemax", vjp=True)


def _naive_sparsemax(x: Array, dim: int) -> Array:
    z = np.moveaxis(x, dim, -1)
    zs = -np.sort(-z, axis=-1)
    k = np.arange(1, z.shape[-1] + 1)
    cs = np.cumsum(zs, axis=-1)
    ks = np.sum(1 + k * zs > cs, axis=-1, keepdims=True)
    tau = (np.take_along_axis(cs, ks - 1, axis=-1) - 1) / ks
    return np.moveaxis(np.maximum(z - tau, 0), -1, dim)


def _naive_sparsemax_grad(x: Array, g: Array, dim: int) -> Array:
    s = _naive_sparsemax(x, dim) > 0
    mean = np.sum(g * s, axis=dim, keepdims=True) / np.sum(s, axis=dim, keepdims=True)
    return np.where(s, g - mean, 0.0)


def _torch_sparsemax(F: Any, t: Any, p: Mapping[str, Any]) -> Any:
    # The sort-based algorithm in torch ops; autograd through sort, cumsum and gather gives the
    # Jacobian on the support.
    z = t.movedim(p["dim"], -1)
    zs = z.sort(dim=-1, descending=True).values
    k = zs.new_tensor(range(1, z.shape[-1] + 1))
    cs = zs.cumsum(-1)
    ks = (1 + k * zs > cs).sum(-1, keepdim=True).clamp(min=1)  # a NaN row: no support
    tau = (cs.gather(-1, ks - 1) - 1) / ks.to(z.dtype)
    return (z - tau).clamp(min=0).movedim(-1, p["dim"])


SPARSEMAX = Activation(
    name="sparsemax",
    doc=Doc(
        formula="max(x_i - τ, 0), τ such that the row sums to 1 (sort-based)",
        mathtext=r"$[x_i - \tau(x)]_+$",
        derivative="VJP: on the support S = {i: y_i > 0}, g_i - mean_S(g); 0 off it",
        output_range="[0, 1], each row sums to 1; exact zeros off the support",
        description="Sparse softmax: the Euclidean projection onto the simplex (entmax's "
        "sparsemax; Keras' sparsemax misses 1 when several logits are in the support).",
        reference="Martins & Astudillo, 'From Softmax to Sparsemax', ICML 2016",
        properties=frozenset({"monotonic", "bounded"}),
    ),
    kernels=Kernels(forward=_sparsemax, derivative=_sparsemax_grad),
    params=(ROW,),
    kind="axis",
    naive=Naive(_naive_sparsemax, _naive_sparsemax_grad),
    torch_call=_torch_sparsemax,
)

# --- entmax15 ------------------------------------------------------------------------------------
_entmax15 = _kernels.param_rows("entmax15")
_entmax15_grad = _kernels.param_rows("entmax15", vjp=True)


def _naive_entmax15(x: Array, dim: int) -> Array:
    # The entmax package's sort-based algorithm, in NumPy.
    z = np.moveaxis(x, dim, -1) / 2
    z = z - z.max(axis=-1, keepdims=True)
    zs = -np.sort(-z, axis=-1)
    k = np.arange(1, z.shape[-1] + 1)
    mean = np.cumsum(zs, axis=-1) / k
    mean_sq = np.cumsum(zs**2, axis=-1) / k
    delta = (1 - k * (mean_sq - mean**2)) / k
    tau = mean - np.sqrt(np.clip(delta, 0, None))
    ks = np.sum(tau <= zs, axis=-1, keepdims=True)
    t = np.take_along_axis(tau, ks - 1, axis=-1)
    return np.moveaxis(np.clip(z - t, 0, None) ** 2, -1, dim)


def _naive_entmax15_grad(x: Array, g: Array, dim: int) -> Array:
    s = np.sqrt(_naive_entmax15(x, dim))
    q = np.sum(g * s, axis=dim, keepdims=True) / np.sum(s, axis=dim, keepdims=True)
    return s * (g - q)


def _torch_entmax15(F: Any, t: Any, p: Mapping[str, Any]) -> Any:
    # The same algorithm in torch ops (the entmax package's Entmax15Function, whose backward
    # autograd reproduces through sort, cumsum and gather).
    z = t.movedim(p["dim"], -1) / 2
    z = z - z.max(dim=-1, keepdim=True).values
    zs = z.sort(dim=-1, descending=True).values
    k = zs.new_tensor(range(1, z.shape[-1] + 1))
    mean = zs.cumsum(-1) / k
    mean_sq = (zs**2).cumsum(-1) / k
    delta = ((1 - k * (mean_sq - mean**2)) / k).clamp(min=0)
    tau = mean - delta.sqrt()
    ks = (tau <= zs).sum(dim=-1, keepdim=True).clamp(min=1)  # a NaN row: no support
    return ((z - tau.gather(-1, ks - 1)).clamp(min=0) ** 2).movedim(-1, p["dim"])


ENTMAX15 = Activation(
    name="entmax15",
    doc=Doc(
        formula="[x_i/2 - τ]_+², τ such that the row sums to 1 (1.5-entmax, sort-based)",
        mathtext=r"$[x_i/2 - \tau(x)]_+^2$",
        derivative="VJP: s ⊙ (g - ⟨g, s⟩/Σ s), s = √y (0 off the support)",
        output_range="[0, 1], each row sums to 1; exact zeros off the support",
        description="1.5-entmax: between softmax and sparsemax, sparse with a smooth support "
        "(the entmax package's entmax15, exact algorithm).",
        reference="Peters, Niculae & Martins, 'Sparse Sequence-to-Sequence Models', ACL 2019",
        properties=frozenset({"monotonic", "bounded"}),
    ),
    kernels=Kernels(forward=_entmax15, derivative=_entmax15_grad),
    params=(ROW,),
    kind="axis",
    naive=Naive(_naive_entmax15, _naive_entmax15_grad),
    torch_call=_torch_entmax15,
)

ACTIVATIONS = (LOGSUMEXP, SPARSEMAX, ENTMAX15)
