"""The two baselines, read from the records: the textbook NumPy formula (``record.naive``) and
the PyTorch equivalent (``record.torch_call``, or ``record.doc.torch`` applied to the input and
the parameters). :func:`torch_function` is the one adapter to PyTorch: bench, the tests and the
accuracy report call PyTorch through it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import metadata
from typing import Any

import numpy as np

from ..records import Activation


def torch_version() -> str | None:
    """The installed torch version, or None (without importing torch)."""
    try:
        return metadata.version("torch")
    except metadata.PackageNotFoundError:
        return None


def torch_importable() -> bool:
    """True if ``import torch`` works (imports it)."""
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def torch_function(act: Activation, params: Mapping[str, Any]) -> Callable[[Any], Any] | None:
    """``t -> torch's f(t)`` with ``params`` (bound), or None if the record has no equivalent.

    Without a ``torch_call`` the record's ``doc.torch`` function is called as ``fn(t, **params)``,
    per-channel parameters as tensors of ``t``'s dtype and ``None`` (actcli-only options such as
    rrelu's seed) left out. Imports torch.
    """
    import torch
    import torch.nn.functional as F

    if act.torch_call is not None:
        call = act.torch_call
        return lambda t: call(F, t, params)
    if act.doc.torch is None:
        return None
    import importlib

    module, _, attr = act.doc.torch.rpartition(".")
    fn: Callable[..., Any] = getattr(importlib.import_module(module), attr)
    per_channel = {p.name for p in act.params if p.per_channel}

    def call_fn(t: Any) -> Any:
        kw = {
            k: (torch.tensor(np.atleast_1d(v), dtype=t.dtype) if k in per_channel else v)
            for k, v in params.items()
            if v is not None
        }
        return fn(t, **kw)

    return call_fn


def torch_calls(
    act: Activation,
    x: np.ndarray[Any, Any],
    g: np.ndarray[Any, Any],
    params: Mapping[str, Any],
) -> tuple[Callable[[], object], Callable[[], object]] | None:
    """(forward, gradient) calls of PyTorch on ``x`` (gradient: forward + autograd backward with
    the upstream ``g``), or None if the record has no PyTorch equivalent."""
    import torch

    fn = torch_function(act, params)
    if fn is None:
        return None
    xt = torch.from_numpy(x)
    gt = torch.from_numpy(g)

    def forward() -> object:
        with torch.no_grad():
            return fn(xt)

    def gradient() -> object:
        xr = xt.detach().requires_grad_(True)
        return torch.autograd.grad(fn(xr), xr, gt)

    return forward, gradient


def naive_calls(
    act: Activation,
    x: np.ndarray[Any, Any],
    g: np.ndarray[Any, Any],
    params: Mapping[str, Any],
) -> tuple[Callable[[], object], Callable[[], object]] | None:
    """(forward, gradient) calls of the record's textbook formula on the whole array, one
    thread, floating-point warnings silenced (the textbook overflows); None without one."""
    if act.naive is None:
        return None
    fwd, grad = act.naive.forward, act.naive.derivative
    kw = {k: v for k, v in params.items() if v is not None}

    def forward() -> object:
        with np.errstate(all="ignore"):
            return fwd(x, **kw)

    def gradient() -> object:
        with np.errstate(all="ignore"):
            return grad(x, g, **kw)

    return forward, gradient
