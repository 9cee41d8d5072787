"""What is timed: each activation's parameters, input shape and seeded inputs."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import engine
from ..records import Activation

#: Axis functions (softmax, ...) are timed on rows of this many elements.
AXIS_ROW = 1000


def bench_params(act: Activation) -> dict[str, Any]:
    """The parameters an activation is timed with: its defaults, the record's illustrative
    values for required parameters (its first setting), and 0 for a required number that has
    none (a formula's free parameter), bound and checked."""
    given = act.illustrative()
    for p in act.params:
        if p.required and p.name not in given and p.kind in (int, float):
            given[p.name] = p.kind(0)
    return act.bind(given)


def bench_shape(act: Activation, size: int) -> tuple[int, ...]:
    """1-D for elementwise functions; rows of :data:`AXIS_ROW` along the last axis otherwise."""
    if act.kind != "axis":
        return (size,)
    row = AXIS_ROW if size >= AXIS_ROW else size
    row -= row % 2  # glu halves the axis
    row = max(row, 2)
    return (max(size // row, 1), row)


def make_inputs(
    act: Activation, size: int, dtype: str, seed: int = 0
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Seeded inputs ``x`` ~ N(0, 3²) (both sides of every kink) and an upstream gradient."""
    rng = np.random.default_rng(seed)
    shape = bench_shape(act, size)
    x = (3.0 * rng.standard_normal(shape)).astype(dtype)
    out_shape = engine.output_shape(act, shape, bench_params(act))
    g = rng.standard_normal(out_shape).astype(dtype)
    return x, g


def peak_bytes(size: int, dtype: str) -> int:
    """About the most memory one measurement of ``size`` elements holds: the float64 draws of
    :func:`make_inputs`, then input, upstream gradient, output and temporaries in ``dtype``."""
    return size * (16 + 8 * np.dtype(dtype).itemsize)
