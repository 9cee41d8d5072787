"""Results written to a stream (stdout, a FIFO, a device) block by block, as they are computed.

``out[a:b] = rows`` for consecutive blocks of axis 0 (what the streaming evaluation does) goes
out at once, so memory holds one block whatever the size. Any other indexing (blocks along
axis 1, for an axis function over axis 0) collects the whole array first, checked against the
memory budget, and :meth:`RowsStream.finish` writes it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import OutputError
from . import budget

AnyArray = npt.NDArray[Any]


class RowsStream:
    """An output array of ``shape`` and ``dtype`` whose rows go to ``emit`` in order."""

    def __init__(
        self, shape: tuple[int, ...], dtype: Any, name: str, emit: Callable[[AnyArray], None]
    ) -> None:
        self.shape, self._name, self._emit = shape, name, emit
        self.dtype: np.dtype[Any] = np.dtype(dtype)
        self.ndim = len(shape)
        self._next = 0  # the next row to write, in sequential mode
        self._whole: AnyArray | None = None

    def __setitem__(self, index: Any, value: Any) -> None:
        idx = index if isinstance(index, tuple) else (index,)
        if (idx and idx[0] is Ellipsis) or not self.shape:
            idx = (slice(None),)
        first, rest = idx[0], idx[1:]
        if (
            self._whole is None
            and self.shape
            and isinstance(first, slice)
            and first.step in (None, 1)
            and all(r == slice(None) for r in rest)
        ):
            start, stop, _ = first.indices(self.shape[0])
            if start == self._next:
                rows = (max(0, stop - start), *self.shape[1:])
                block = np.broadcast_to(np.asarray(value, self.dtype), rows)
                self._emit(np.ascontiguousarray(block))
                self._next = max(start, stop)
                return
        if self._whole is None:
            if self._next:
                raise OutputError(f"cannot write '{self._name}' in this order")
            nbytes = math.prod(self.shape) * self.dtype.itemsize
            budget.check_budget(nbytes, f"the result for '{self._name}'", "needs", "computing it")
            self._whole = np.zeros(self.shape, self.dtype)
        self._whole[index] = value

    def finish(self) -> None:
        """Write what was collected (nothing, if every row went out already)."""
        if self._whole is not None:
            self._emit(self._whole)
            self._whole = None
