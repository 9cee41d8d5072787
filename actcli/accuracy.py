"""Measured accuracy: ulp errors against an mpmath reference, and the figures for ``info``.

The reference values live in ``tests/accuracy/reference.npz`` (made by
``scripts/make_accuracy_reference.py``); ``scripts/accuracy_report.py`` measures every activation
there with :func:`measure_case` and stores the summary in ``actcli/data/accuracy.json``, which
:func:`measured` reads.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import numpy.typing as npt

from .engine import evaluate, gradient

F64 = npt.NDArray[np.float64]

#: The columns of a measurement: dtype, then forward or gradient.
COLUMNS = ("float32 forward", "float32 gradient", "float64 forward", "float64 gradient")


def ulp_error(y: npt.ArrayLike, hi: npt.ArrayLike, lo: npt.ArrayLike | None, dtype: Any) -> F64:
    """The error of ``y`` in ulps of ``dtype`` against the exact value ``hi + lo``.

    The ulp is that of the exact value in ``dtype``; for exact values below the smallest normal
    it is the smallest normal. NaN against NaN and an infinity against the same infinity count
    0; any other disagreement in NaN-ness or finiteness counts ``inf``. The sign of a zero is
    not compared.
    """
    dt = np.dtype(dtype)
    fi = np.finfo(dt)
    y64 = np.asarray(y, dtype=np.float64)
    hi64 = np.asarray(hi, dtype=np.float64)
    lo64 = np.zeros_like(hi64) if lo is None or np.size(lo) == 0 else np.asarray(lo, np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        # The exact value rounded to dtype decides finiteness (it may overflow float32).
        ref = hi64.astype(dt).astype(np.float64)
        mag = np.abs(ref)
        unit = np.where(mag < fi.tiny, float(fi.tiny), np.spacing(mag.astype(dt)).astype(float))
        err = np.abs((y64 - hi64) - lo64) / unit
    both_nan = np.isnan(y64) & np.isnan(hi64)
    same_inf = np.isinf(ref) & (y64 == ref)
    bad = (np.isnan(y64) != np.isnan(hi64)) | (np.isinf(y64) != np.isinf(ref))
    err = np.where(both_nan | same_inf, 0.0, err)
    err = np.where(bad & ~(both_nan | same_inf), np.inf, err)
    return np.asarray(err, dtype=np.float64)


def summarize(err: F64) -> dict[str, float]:
    """``max`` and ``p99.9`` of an array of ulp errors."""
    e = np.asarray(err, dtype=np.float64).ravel()
    if e.size == 0:
        return {"max": 0.0, "p99.9": 0.0}
    return {"max": float(np.max(e)), "p99.9": float(np.quantile(e, 0.999, method="higher"))}


def measure_case(case: dict[str, Any], arrays: dict[str, Any]) -> dict[str, F64]:
    """ulp errors of actcli's forward and gradient on one reference case.

    Args:
        case: one entry of the reference index (``name``, ``params``, ``dtype``).
        arrays: that case's arrays (``x``, ``fwd_hi``, ``fwd_lo``, ``grad_hi``, ``grad_lo``, and
            for axis functions ``gx``, the row of ``x`` each ``g`` row belongs to, and ``g``).

    Returns:
        ``{"forward": errors, "gradient": errors}``.
    """
    name, params, dtype = case["name"], case["params"], case["dtype"]
    x = np.asarray(arrays["x"])
    with np.errstate(all="ignore"):
        y = evaluate(name, x, **params)
        if "g" in arrays:
            gx = np.asarray(arrays["gx"])
            d = gradient(name, x[gx], np.asarray(arrays["g"]), **params)
        else:
            d = gradient(name, x, **params)
    return {
        "forward": ulp_error(y, arrays["fwd_hi"], arrays["fwd_lo"], dtype),
        "gradient": ulp_error(d, arrays["grad_hi"], arrays["grad_lo"], dtype),
    }


@cache
def _table() -> dict[str, Any]:
    try:
        text = resources.files("actcli").joinpath("data/accuracy.json").read_text("utf-8")
    except (FileNotFoundError, OSError):
        return {}
    data: dict[str, Any] = json.loads(text)
    return data


def measured(name: str) -> dict[str, Any] | None:
    """The measured accuracy of ``name`` (worst over its parameter settings), or None.

    Returns:
        ``{"float32": {"forward": {"max": ..., "p99.9": ...}, "gradient": {...}},
        "float64": {...}, "points": n, "settings": k}``, errors in ulps.
    """
    from .catalog import get

    entry = _table().get("functions", {}).get(get(name).name)
    return None if entry is None else dict(entry)


@cache
def _loss_table() -> dict[str, Any]:
    try:
        text = resources.files("actcli").joinpath("data/loss_accuracy.json").read_text("utf-8")
    except (FileNotFoundError, OSError):
        return {}
    data: dict[str, Any] = json.loads(text)
    return data


def measured_loss(name: str) -> dict[str, Any] | None:
    """The measured accuracy of loss ``name``'s unreduced term (worst over its parameter
    settings; ``scripts/loss_accuracy.py`` writes it), or None.

    Returns:
        ``{"float32": {"max": ..., "p99.9": ...}, "float64": {...}, "points": n}``, in ulps.
    """
    from .catalog import get_loss

    entry = _loss_table().get("losses", {}).get(get_loss(name).name)
    return None if entry is None else dict(entry)
