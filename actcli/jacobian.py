"""The full Jacobian of an axis function (softmax-like), one block per row: what ``actcli grad
--jacobian`` prints.

Each block is built from the record's own VJP kernel, one vector-Jacobian product per output
entry (the VJP with the k-th unit vector is the k-th row of the block), so it holds exactly the
values ``actcli grad --grad-output`` gives, PyTorch's convention included.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from .engine import apply_gradient, as_float_array, output_shape
from .errors import InputError
from .records import Activation

#: The longest row (entries along ``dim``) whose Jacobian is computed: a block is n x n.
MAX_ROW = 1024
#: The most Jacobian entries in one call (every block together): 2**24, 128 MiB of float64.
MAX_ENTRIES = 2**24

Array = npt.NDArray[np.floating[Any]]


def jacobian(act: Activation, bound: Mapping[str, Any], x: npt.ArrayLike) -> Array:
    """The Jacobian of axis function ``act`` at ``x``, one block per row along ``bound["dim"]``.

    Returns an array of shape (rows, m, n): ``n`` is the length of ``x`` along ``dim``, ``m``
    that of the output (n, or n/2 for glu), ``rows`` the product of the other axes in C order
    (1 for a 1-D ``x``); block ``r`` holds d y_k / d x_j of row ``r`` at ``[r, k, j]``. The
    input's float dtype is kept.

    Raises:
        ValueError: ``act`` is elementwise (its Jacobian is diagonal: f'(x)).
        InputError: a row longer than :data:`MAX_ROW`, or more than :data:`MAX_ENTRIES` entries.
    """
    if act.kind != "axis":
        raise ValueError(f"{act.name} is elementwise: its Jacobian is diagonal, f'(x)")
    arr = as_float_array(x, "x")
    if arr.ndim == 0:
        arr = arr.reshape(1)
    dim = int(bound.get("dim", -1))
    rows = np.moveaxis(arr, dim, -1)
    n = rows.shape[-1]
    rows = rows.reshape(-1, n)
    m = output_shape(act, (1, n), {**bound, "dim": -1})[-1]
    count, entries = rows.shape[0], rows.shape[0] * m * n
    if n > MAX_ROW:
        raise InputError(
            f"--jacobian takes rows of at most {MAX_ROW} entries; this one has {n} "
            "(give --grad-output for a vector-Jacobian product instead)"
        )
    if entries > MAX_ENTRIES:
        raise InputError(
            f"the Jacobian would have {entries:,} entries ({count} blocks of {m} x {n}), more "
            f"than {MAX_ENTRIES:,}: give fewer rows, or --grad-output for a vector-Jacobian product"
        )
    # Every row repeated m times, against the m unit vectors: one VJP per output entry.
    repeated = np.repeat(rows[:, None, :], m, axis=1)
    units = np.broadcast_to(np.eye(m, dtype=arr.dtype), (count, m, m))
    blocks = apply_gradient(act, {**bound, "dim": -1}, repeated, np.ascontiguousarray(units))
    assert blocks.shape == (count, m, n) and math.prod(blocks.shape) == entries
    return blocks
