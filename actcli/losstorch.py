"""The PyTorch equivalent of a loss record, for the tests, ``bench`` and scripts.

Imports torch lazily, when called. ``torch_loss`` builds tensors from NumPy arrays the way
torch expects them (class-index targets as int64), calls ``record.torch_call`` or, by default,
``torch.nn.functional.<name>`` with every input, array argument and parameter by keyword.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .lossrecords import Loss


def _module_function(path: str) -> Any:
    import importlib

    module, _, attr = path.rpartition(".")
    return getattr(importlib.import_module(module), attr)


def tensors(
    loss: Loss, arrays: Mapping[str, Any], requires_grad: Sequence[str] = ()
) -> dict[str, Any]:
    """Torch tensors of ``arrays`` (inputs and array arguments, by name), sharing the input's
    float dtype; class-index targets become int64. Those named in ``requires_grad`` are leaves
    that require a gradient."""
    import torch

    first = np.asarray(arrays[loss.inputs[0]])
    dtype = first.dtype if first.dtype.kind == "f" else np.dtype(np.float64)
    out: dict[str, Any] = {}
    for name, value in arrays.items():
        a = np.asarray(value)
        if loss.layout == "classes" and name == "target" and a.shape != first.shape:
            t = torch.from_numpy(a.astype(np.int64))
        else:
            t = torch.from_numpy(np.ascontiguousarray(a, dtype=dtype))
            if name in requires_grad:
                t.requires_grad_(True)
        out[name] = t
    return out


def torch_loss(loss: Loss, ts: Mapping[str, Any], params: Mapping[str, Any], reduction: str) -> Any:
    """``loss`` computed by PyTorch on the tensors ``ts`` (see :func:`tensors`)."""
    import torch.nn.functional as F

    if loss.torch_call is not None:
        return loss.torch_call(F, ts, params, reduction)
    if loss.doc.torch is None:
        raise ValueError(f"{loss.name} has no PyTorch equivalent")
    fn = _module_function(loss.doc.torch)
    import warnings

    with warnings.catch_warnings():  # kl_div's 'mean' warns on every call
        warnings.simplefilter("ignore", UserWarning)
        return fn(**ts, **params, reduction=reduction)


def value_and_grads(
    loss: Loss,
    arrays: Mapping[str, Any],
    params: Mapping[str, Any],
    reduction: str,
    wrt: Sequence[str] = (),
    grad_output: Any = None,
) -> tuple[np.ndarray[Any, Any], dict[str, np.ndarray[Any, Any]]]:
    """PyTorch's loss value and its gradients (``torch.autograd.grad``) with respect to the
    inputs named in ``wrt``, as NumPy arrays."""
    import torch

    ts = tensors(loss, arrays, requires_grad=wrt)
    value = torch_loss(loss, ts, params, reduction)
    grads: dict[str, np.ndarray[Any, Any]] = {}
    if wrt:
        g = (
            torch.ones_like(value)
            if grad_output is None
            else torch.as_tensor(np.asarray(grad_output), dtype=value.dtype).reshape(value.shape)
        )
        got = torch.autograd.grad(value, [ts[n] for n in wrt], g, allow_unused=True)
        for n, gr in zip(wrt, got, strict=True):
            grads[n] = np.zeros(np.shape(arrays[n])) if gr is None else gr.detach().numpy().copy()
    return value.detach().numpy().copy(), grads
