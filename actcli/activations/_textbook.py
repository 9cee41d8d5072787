"""Textbook building blocks for the records' ``naive`` baselines: the formulas as a NumPy user
would write them, with no stability tricks (they overflow, cancel and warn where the textbook
does). Used only by ``actcli bench --baseline naive``, never by the kernels.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.floating[Any]]

SQRT2 = math.sqrt(2.0)
SQRT_2PI = math.sqrt(2.0 * math.pi)


def sigmoid(x: Array) -> Array:
    return 1 / (1 + np.exp(-x))


def softmax(x: Array, dim: int) -> Array:
    e = np.exp(x - x.max(axis=dim, keepdims=True))
    return e / e.sum(axis=dim, keepdims=True)


def erf(x: Array) -> Array:
    """``scipy.special.erf``: what a NumPy user reaches for (NumPy has no erf). SciPy is an
    optional dependency, needed only for this baseline (bench reports it missing otherwise)."""
    from scipy.special import erf as scipy_erf

    return np.asarray(scipy_erf(x))
