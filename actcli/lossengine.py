"""The loss engine: inputs, shapes, weights, reductions and gradients around the loss kernels.

Kernels (in ``losses``) see float64 arrays; this module checks and aligns the inputs (no
broadcasting of input against target: a shape mismatch is an error naming both shapes), moves
the class axis last for cross_entropy and nll_loss, applies the weight, reduces, and rounds
the result once to the input's dtype. Sums are double-double (:func:`accurate_sum`), so
``mean`` and ``sum`` are correctly rounded up to a few units in 2^-100 whatever N. A float32
or float16 result sums its float64 terms pairwise (np.add.reduce): an error of about
log2(N)·2^-53, far below the ulp of the one rounding to the result's dtype.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from .catalog import get_loss
from .engine import as_float_array
from .errors import InputError, ParamError
from .lossrecords import ArrayArg, Loss
from .records import Array

_F64 = np.dtype(np.float64)


# --- summation ------------------------------------------------------------------------------
def _extract(p: Array) -> tuple[float, Array]:
    """Rump, Ogita and Oishi's ExtractVector: ``p = q + r`` with ``sum(q)`` exact in floating
    point (every q a multiple of ulp(sigma)/2 and their partial sums below sigma) and each
    |r| <= 2^-53·sigma, sigma = 2^k >= (N + 2)·max|p|. Returns (sum(q), r)."""
    m = max(float(np.max(p)), -float(np.min(p)))
    if m == 0.0 or m > 1e290:  # nothing to extract, or sigma would overflow: left as is
        return 0.0, p
    k = math.ceil(math.log2(p.size + 2)) + math.frexp(m)[1]
    sigma = math.ldexp(1.0, k)
    q = np.add(p, sigma)
    q -= sigma
    return float(np.add.reduce(q)), np.subtract(p, q, out=q)


def dd_sum(values: npt.ArrayLike) -> tuple[float, float]:
    """The sum of ``values`` as a double-double ``hi + lo``.

    Two rounds of error-free extraction (:func:`_extract`, the first step of Rump, Ogita and
    Oishi's AccSum) take the sum apart into two exact partial sums and a residual below
    N·2^-106 of the largest term, summed plainly: ``hi`` is the correctly rounded sum except in
    near-ties or under extreme cancellation (sums below 2^-50 of the largest term). Four or
    five passes over the data whatever N. An infinite or NaN sum is returned as ``(sum, 0)``
    (np.sum's value: inf, -inf or NaN).
    """
    p: Array = np.asarray(values, dtype=np.float64).ravel()
    if p.size == 0:
        return 0.0, 0.0
    with np.errstate(all="ignore"):
        plain = float(np.add.reduce(p))
        if not math.isfinite(plain) or abs(plain) > 1e300:
            return plain, 0.0  # inf, -inf or NaN (an inf - inf in the terms gives NaN)
        t1, r = _extract(p)
        t2, r = _extract(r)
        rest = float(np.add.reduce(r))
    hi = t1 + t2
    lo = (t1 - hi) + t2 + rest
    total = hi + lo
    return total, (hi - total) + lo


def accurate_sum(values: npt.ArrayLike) -> float:
    """The sum of ``values`` rounded once (see :func:`dd_sum`)."""
    return dd_sum(values)[0]


def _split(a: float) -> tuple[float, float]:
    c = 134217729.0 * a
    hi = c - (c - a)
    return hi, a - hi


def dd_quotient(hi: float, lo: float, n: float) -> float:
    """``(hi + lo) / n`` rounded once (Dekker's remainder), for a mean."""
    if n == 0 or not math.isfinite(hi) or not math.isfinite(n) or abs(hi) > 1e290:
        with np.errstate(all="ignore"):
            return float(np.float64(hi) / np.float64(n))
    q = hi / n
    if not math.isfinite(q) or abs(q) > 1e290 or abs(n) > 1e290:
        return q
    qh, ql = _split(q)
    nh, nl = _split(n)
    p = q * n
    pe = ((qh * nh - p) + qh * nl + ql * nh) + ql * nl
    return q + (((hi - p) - pe) + lo) / n


# --- inputs ---------------------------------------------------------------------------------
@dataclass
class _Prepared:
    loss: Loss
    arrays: dict[str, Array]  # by input name, float64
    dtypes: dict[str, np.dtype[Any]]  # each input's own float dtype
    params: dict[str, Any]  # the bound scalar parameters
    extra: dict[str, Array]  # array arguments for the kernels, float64, aligned
    weight: Array | None  # the scaling weight (aligned), or None
    shape: tuple[int, ...]  # the input's shape


def _inputs(loss: Loss, input: Any, target: Any) -> dict[str, Any]:
    names = loss.inputs
    if len(names) == 2:
        return {names[0]: input, names[1]: target}
    if not isinstance(input, (tuple, list)) or len(input) != len(names) - 1:
        raise InputError(
            f"{loss.name} takes {len(names) - 1} inputs ({', '.join(names[:-1])}): pass them "
            "as a pair, e.g. loss(name, (input1, input2), target)"
        )
    return {**dict(zip(names[:-1], input, strict=True)), names[-1]: target}


def _class_axis(shape: tuple[int, ...]) -> int:
    return 1 if len(shape) >= 2 else 0


def _check_shapes(loss: Loss, arrays: Mapping[str, Array]) -> None:
    first, *rest = loss.inputs
    shape = arrays[first].shape
    if loss.layout == "classes":
        if not shape:
            raise InputError(f"{loss.name} needs an input with a class axis, got a scalar")
        t = arrays["target"].shape
        axis = _class_axis(shape)
        no_class = shape[:axis] + shape[axis + 1 :]
        if t != shape and t != no_class:
            raise InputError(
                f"target has shape {t} but input has shape {shape}: {loss.name} takes class "
                f"indices of shape {no_class} or class probabilities of shape {shape}"
            )
        return
    if loss.layout == "rows":
        if len(shape) not in (1, 2):
            raise InputError(
                f"{loss.name} takes vectors (D,) or rows of vectors (N, D), got shape {shape}"
            )
        for name in rest:
            want = shape if name != "target" else shape[:-1]
            if arrays[name].shape != want:
                raise InputError(
                    f"{name} has shape {arrays[name].shape} but {loss.name} needs {want} for "
                    f"{first} of shape {shape}"
                )
        return
    for name in rest:
        if arrays[name].shape != shape:
            raise InputError(
                f"{name} has shape {arrays[name].shape} but {first} has shape {shape}; actcli "
                "does not broadcast them (torch warns and broadcasts)"
            )


def _aligned(loss: Loss, arg: ArrayArg, value: Any, shape: tuple[int, ...]) -> Array:
    arr = as_float_array(value, arg.name).astype(np.float64, copy=False)
    if arg.low is not None:
        with np.errstate(invalid="ignore"):
            bad = arr < arg.low
        if bad.any():
            v = float(arr[bad].flat[0])
            raise InputError(f"{arg.name} of {loss.name} must be >= {arg.low:g}, got {v!r}")
    if arg.shape == "classes":
        c = shape[_class_axis(shape)] if shape else 0
        if arr.shape != (c,):
            raise InputError(
                f"{arg.name} of {loss.name} needs one value per class, shape ({c},); got shape "
                f"{arr.shape}"
            )
        return arr
    if arg.shape == "same":
        if arr.shape != shape:
            raise InputError(
                f"{arg.name} has shape {arr.shape} but the input has shape {shape}; "
                f"{loss.name} needs them equal"
            )
        return arr
    if arr.ndim and arr.shape == shape[:-1] and arr.shape != shape:
        arr = arr[..., None]  # one axis short: the same value along the last axis (torch's var)
    try:
        return np.broadcast_to(arr, shape)
    except ValueError:
        raise InputError(
            f"{arg.name} has shape {arr.shape}, which does not broadcast to the input's shape "
            f"{shape}"
        ) from None


def _prepare(name: str | Loss, input: Any, target: Any, given: Mapping[str, Any]) -> _Prepared:
    loss = get_loss(name)
    scalars = {k: v for k, v in given.items() if loss.array(k) is None}
    params = loss.bind(scalars)
    raw = _inputs(loss, input, target)
    converted = {k: as_float_array(v, k) for k, v in raw.items()}
    if loss.layout != "elementwise" and converted[loss.inputs[0]].ndim == 1:
        t = converted["target"]
        if t.shape == (1,):  # one target read from a file or --values for one row: 0-d
            converted["target"] = t.reshape(())
    dtypes = {k: v.dtype for k, v in converted.items()}
    arrays: dict[str, Array] = {k: v.astype(np.float64, copy=False) for k, v in converted.items()}
    _check_shapes(loss, arrays)
    shape = arrays[loss.inputs[0]].shape
    extra: dict[str, Array] = {}
    weight: Array | None = None
    for arg in loss.arrays:
        value = given.get(arg.name)
        if value is None:
            if arg.required:
                raise ParamError(f"{loss.name} needs {arg.name}: {arg.help}")
            continue
        aligned = _aligned(loss, arg, value, shape)
        if arg.scales:
            weight = aligned
        else:
            extra[arg.name] = aligned
    if loss.check_inputs is not None:
        loss.check_inputs({**arrays, **extra}, params)
    return _Prepared(loss, arrays, dtypes, params, extra, weight, shape)


def _check_reduction(loss: Loss, reduction: str) -> None:
    if reduction not in loss.reductions:
        raise ParamError(
            f"unknown reduction {reduction!r} for {loss.name}; expected one of: "
            + ", ".join(loss.reductions)
        )


# --- the elementwise layout -----------------------------------------------------------------
def _kernel_params(p: _Prepared) -> dict[str, Any]:
    return {**p.params, **p.extra}


def _terms(p: _Prepared) -> Array:
    """The unreduced loss in float64 (weighted)."""
    args = [p.arrays[n] for n in p.loss.inputs]
    if p.loss.layout == "classes":
        return _class_terms(p)[0]
    if p.loss.layout == "rows":
        with np.errstate(all="ignore"):
            r = _term(p)(*_vector_rows(p), **_kernel_params(p))
        return np.asarray(r, dtype=np.float64).reshape(p.shape[:-1])
    with np.errstate(all="ignore"):
        r = np.asarray(_term(p)(*args, **_kernel_params(p)), dtype=np.float64)
        if p.weight is not None:
            r = r * p.weight
    return r


def _term(p: _Prepared) -> Any:
    """The term kernel for the result's dtype: ``term32`` for float32/float16 if declared."""
    k = p.loss.kernels
    narrow = p.dtypes[p.loss.inputs[0]].itemsize < 8
    return k.term32 if narrow and k.term32 is not None else k.term


def _vector_rows(p: _Prepared) -> list[Array]:
    """The rows layout's inputs as (rows, D) and its target as (rows,)."""
    d = p.shape[-1]
    return [
        p.arrays[n].reshape(-1) if n == "target" else p.arrays[n].reshape(-1, d)
        for n in p.loss.inputs
    ]


def _divisor(p: _Prepared, reduction: str) -> float:
    if p.loss.layout == "classes":
        return accurate_sum(_class_terms(p)[1])
    if p.loss.layout == "rows":
        return float(math.prod(p.shape[:-1]))
    if reduction == "batchmean":
        return float(p.shape[0]) if p.shape else 1.0
    if p.weight is not None and p.loss.mean_by_weight:
        return accurate_sum(p.weight)
    return float(math.prod(p.shape))


# --- the classes layout ---------------------------------------------------------------------
def _rows(p: _Prepared) -> tuple[Array, Array, tuple[int, ...]]:
    """Input as (rows, C), target as (rows,) or (rows, C), and the shape of one loss per row."""
    x, t = p.arrays["input"], p.arrays["target"]
    axis = _class_axis(x.shape)
    xm = np.moveaxis(x, axis, -1)
    out_shape = xm.shape[:-1]
    x2 = xm.reshape(-1, x.shape[axis])
    t2 = np.moveaxis(t, axis, -1).reshape(x2.shape) if t.shape == x.shape else t.reshape(-1)
    return x2, t2, out_shape


def _class_terms(p: _Prepared) -> tuple[Array, Array]:
    x2, t2, out_shape = _rows(p)
    with np.errstate(all="ignore"):
        loss, counted = _term(p)(x2, t2, p.weight, **_kernel_params(p))
    return np.asarray(loss).reshape(out_shape), np.asarray(counted)


# --- the public functions -------------------------------------------------------------------
def _result(value: Any, dtype: np.dtype[Any]) -> Array:
    with np.errstate(over="ignore"):
        return np.asarray(value, dtype=np.float64).astype(dtype)


def loss(
    name: str | Loss,
    input: Any,
    target: Any,
    reduction: str = "mean",
    **params: Any,
) -> Array:
    """The loss ``name`` of ``input`` against ``target``, as ``torch.nn.functional`` gives it.

    Args:
        name: a loss name or alias (see ``actcli list --kind loss``).
        input: array-like; for margin_ranking_loss a pair ``(input1, input2)``.
        target: array-like of the input's shape (cross_entropy and nll_loss: class indices
            of the input's shape without the class axis 1, or class probabilities).
        reduction: ``none`` (the loss per element or row), ``mean`` or ``sum`` (and
            ``batchmean`` for kl_div).
        **params: the loss's parameters and array arguments (``weight``, ``pos_weight``,
            ``var``), with PyTorch's names.

    Returns:
        An array in the input's float dtype: 0-d for ``mean``/``sum``.

    Raises:
        UnknownActivationError, ParamError, InputError.
    """
    p = _prepare(name, input, target, params)
    _check_reduction(p.loss, reduction)
    dtype = p.dtypes[p.loss.inputs[0]]
    terms = _terms(p)
    if reduction == "none":
        return _result(terms, dtype)
    if dtype.itemsize == 8:
        hi, lo = dd_sum(terms)
    else:  # +inf and -inf terms sum to NaN, quietly (the true sum is undefined)
        with np.errstate(invalid="ignore", over="ignore"):
            hi, lo = float(np.add.reduce(terms, None)), 0.0
    if reduction == "sum":
        return _result(hi, dtype)
    return _result(dd_quotient(hi, lo, _divisor(p, reduction)), dtype)


def loss_gradient(
    name: str | Loss,
    input: Any,
    target: Any,
    grad_output: Any = None,
    reduction: str = "mean",
    wrt: str | None = None,
    **params: Any,
) -> Array:
    """The gradient of :func:`loss` with respect to ``wrt`` (default: the first input), as
    ``torch.autograd.grad`` gives it, times ``grad_output``.

    ``grad_output`` is the upstream gradient: a number for ``mean``/``sum`` (default 1), an
    array of the loss's shape for ``none`` (default ones). The result has the shape and float
    dtype of the array ``wrt`` names (``input``, ``target``, ``input1``, ``input2``, where the
    loss differentiates it).
    """
    p = _prepare(name, input, target, params)
    _check_reduction(p.loss, reduction)
    wrt = wrt or p.loss.inputs[0]
    grads = p.loss.kernels.grads
    if wrt not in grads:
        where = ", ".join(grads)
        raise ParamError(
            f"{p.loss.name} has no gradient with respect to {wrt!r}; it has one for: {where}"
        )
    if p.loss.layout == "classes" and wrt == "target" and p.arrays["target"].shape != p.shape:
        raise ParamError(
            f"{p.loss.name} has no gradient with respect to class-index targets (only with "
            "respect to class probabilities)"
        )
    out_shape = _loss_shape(p)
    g = _upstream(p, grad_output, reduction, out_shape)
    args = [p.arrays[n] for n in p.loss.inputs]
    with np.errstate(all="ignore"):
        if p.loss.layout == "classes":
            x2, t2, _ = _rows(p)
            r2 = grads[wrt](x2, t2, p.weight, np.ravel(g), **_kernel_params(p))
            x = p.arrays["input"]
            axis = _class_axis(x.shape)
            r = np.moveaxis(r2.reshape(*out_shape, x.shape[axis]), -1, axis)
        elif p.loss.layout == "rows":
            r = grads[wrt](*_vector_rows(p), np.ravel(g), **_kernel_params(p))
        else:
            if p.weight is not None:
                g = g * p.weight
            r = grads[wrt](*args, np.ascontiguousarray(g), **_kernel_params(p))
    return _result(np.asarray(r).reshape(p.arrays[wrt].shape), p.dtypes[wrt])


def _loss_shape(p: _Prepared) -> tuple[int, ...]:
    if p.loss.layout == "classes":
        x = p.arrays["input"]
        axis = _class_axis(x.shape)
        return x.shape[:axis] + x.shape[axis + 1 :]
    if p.loss.layout == "rows":
        return p.shape[:-1]
    return p.shape


def _upstream(p: _Prepared, grad_output: Any, reduction: str, out_shape: tuple[int, ...]) -> Array:
    """The upstream gradient per unreduced loss term (float64, of the loss's shape)."""
    if reduction == "none":
        if grad_output is None:
            return np.ones(out_shape)
        g = as_float_array(grad_output, "grad_output").astype(np.float64, copy=False)
        if g.shape != out_shape:
            raise InputError(
                f"grad_output has shape {g.shape} but the loss (reduction 'none') has shape "
                f"{out_shape}"
            )
        return g
    scale = 1.0
    if grad_output is not None:
        g1 = as_float_array(grad_output, "grad_output")
        if g1.size != 1:
            raise InputError(
                f"grad_output of a reduced loss ({reduction}) is one number, got shape {g1.shape}"
            )
        scale = float(g1.reshape(()))
    if reduction != "sum":
        with np.errstate(all="ignore"):
            scale = float(np.float64(scale) / np.float64(_divisor(p, reduction)))
    return np.full(out_shape, scale)


def terms(name: str, *arrays: Any, **params: Any) -> Array:
    """The unreduced float64 loss of the inputs ``arrays`` (in the record's order), unweighted:
    the elementwise term the accuracy tests check (a convenience over :func:`loss`)."""
    loss_ = get_loss(name)
    first = tuple(arrays[:-1]) if len(loss_.inputs) > 2 else arrays[0]
    p = _prepare(name, first, arrays[-1], params)
    return _terms(p)
