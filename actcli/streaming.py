"""Block-wise evaluation for arrays bigger than memory (pure computation, no file access).

:func:`apply_blocks` reads the input block by block from any array-like that supports slicing (a
NumPy memmap of an ``.npy`` file, typically), evaluates each block with the engine and writes it
into a preallocated output (a memmap opened for writing, typically). Only one block of input,
output and temporaries is in memory at a time, so peak memory stays flat as the file grows.

Blocks are slices of axis 0, which keeps every other axis whole: PReLU's channel axis (1) and
the ``dim`` axis of softmax-like functions. When ``dim`` is axis 0 the blocks are slices of
axis 1 instead. A 1-D input to an axis function is a single row and is evaluated whole, and so
is training-mode RReLU, whose per-element random slopes are drawn for the whole array at once.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from .engine import _axis, apply, apply_gradient, as_float_array, output_shape
from .errors import InputError
from .records import Activation

#: Elements per block: 4 Mi elements is 16 MiB of float32, large enough to amortise the engine's
#: per-call cost and small enough that input, output and temporaries stay well under 128 MiB.
BLOCK_ELEMENTS = 1 << 22

Progress = Callable[[int, int], None]


def _block_axis(act: Activation, shape: tuple[int, ...], params: dict[str, Any]) -> int | None:
    """The axis blocks are cut along, or None when the input must be evaluated whole."""
    if not shape:
        return None
    if (
        act.kernels.random
        and act.kernels.chunkable is not None
        and not act.kernels.chunkable(params)
    ):
        return None
    if act.kind == "axis":
        dim = _axis(act, len(shape), params["dim"])
        if dim != 0:
            return 0
        return 1 if len(shape) > 1 else None
    return 0


def apply_blocks(
    act: Activation,
    x: Any,
    out: Any,
    *,
    grad_output: Any | None = None,
    derivative: bool = False,
    order: int = 1,
    convention: str = "torch",
    block_elements: int = BLOCK_ELEMENTS,
    progress: Progress | None = None,
    **params: Any,
) -> None:
    """Evaluate ``act`` (or its gradient, with ``derivative=True``) from ``x`` into ``out``.

    Args:
        act: the activation's record (looked up once, at the edge).
        x: the input; sliced block by block (a memmap is never read whole).
        out: a preallocated, writable array with the output's shape (the input's for gradients).
        grad_output: the upstream gradient for ``derivative=True``, sliced like ``x``.
        derivative: compute the vector-Jacobian product instead of the values.
        order: with ``derivative``, 2 gives the VJP of f' (``grad_output * f''(x)``).
        convention: with ``derivative``, whose values the kinks take ("torch" or "jax").
        block_elements: about how many elements one block holds.
        progress: called as ``progress(done, total)`` (in elements of ``x``) after each block.
        **params: the activation's parameters.

    Raises:
        UnknownActivationError, ParamError, InputError: as :func:`actcli.evaluate`.
    """
    bound = act.bind(params)
    shape = tuple(x.shape)
    as_float_array(np.empty((0,), dtype=x.dtype))  # refuse non-numeric input before any work
    want = shape if derivative else output_shape(act, shape, bound)
    if tuple(out.shape) != want:
        raise InputError(f"the output has shape {tuple(out.shape)}, expected {want}")
    if grad_output is not None and tuple(grad_output.shape) != output_shape(act, shape, bound):
        raise InputError(
            f"grad_output has shape {tuple(grad_output.shape)} but {act.name}'s output has "
            f"shape {output_shape(act, shape, bound)}"
        )
    total = math.prod(shape)
    axis = _block_axis(act, shape, bound)
    if axis is None or total <= block_elements:
        out[...] = _one(act, np.asarray(x), grad_output, derivative, bound, order, convention)
        if progress is not None:
            progress(total, total)
        return
    per_index = total // shape[axis] if shape[axis] else 1
    step = max(1, block_elements // max(per_index, 1))
    index: list[slice] = [slice(None)] * len(shape)
    # A reduction (logsumexp) drops dim from its output: out and grad_output lack that index.
    dim = _axis(act, len(shape), bound["dim"]) if act.kernels.reduces else None
    for start in range(0, shape[axis], step):
        index[axis] = slice(start, start + step)
        sl = tuple(index)
        osl = tuple(s for i, s in enumerate(index) if i != dim)
        g = None if grad_output is None else np.asarray(grad_output[osl])
        out[sl if derivative else osl] = _one(
            act, np.asarray(x[sl]), g, derivative, bound, order, convention
        )
        if progress is not None:
            progress(min(total, (start + step) * per_index), total)


def _one(
    act: Activation,
    x: npt.NDArray[Any],
    g: npt.NDArray[Any] | None,
    derivative: bool,
    params: dict[str, Any],
    order: int = 1,
    convention: str = "torch",
) -> npt.NDArray[Any]:
    if derivative:
        return apply_gradient(act, params, x, g, order=order, convention=convention)
    return apply(act, params, x)
