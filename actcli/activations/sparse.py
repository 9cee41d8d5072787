"""Reductions along an axis: logsumexp (the row becomes one value).

The engine hands the kernels a 2-D array whose last axis is the ``dim`` axis; logsumexp's
output drops that axis (``Kernels.reduces``). Kernels: compiled row gufuncs
(``actcli/_kernels/sparse_rows.c``), float32 and float64.
"""

from __future__ import annotations

import numpy as np

from .. import _kernels
from ..records import Activation, Doc, Kernels, Naive, Param
from . import _textbook as textbook
from ._common import Array

DIM = Param("dim", -1, "the axis reduced (dropped from the output)")

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

ACTIVATIONS = (LOGSUMEXP,)
