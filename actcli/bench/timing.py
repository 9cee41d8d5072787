"""Auto-ranged timing of one call, and the copy that measures the bandwidth bound."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import engine


@dataclass(frozen=True)
class Timing:
    """Seconds per call: the median and the range over ``repeats`` runs of ``number`` calls."""

    median: float
    best: float
    worst: float
    number: int
    repeats: int


def time_call(
    fn: Callable[[], object], *, repeats: int = 5, min_time: float = 0.2, warmup: int = 1
) -> Timing:
    """Time ``fn()``: warm-up calls, then ``repeats`` auto-ranged runs.

    Args:
        fn: the call to time (no arguments).
        repeats: how many runs the median and range are taken over.
        min_time: seconds one run must last at least; calls per run grow 1, 2, 5, 10, ...
        warmup: calls made before timing.

    Returns:
        :class:`Timing` in seconds per call.
    """
    return time_calls([fn], repeats=repeats, min_time=min_time, warmup=warmup)[0]


def time_calls(
    fns: Sequence[Callable[[], object]],
    *,
    repeats: int = 5,
    min_time: float = 0.2,
    warmup: int = 1,
) -> list[Timing]:
    """Time several calls side by side (actcli and its baselines): each is warmed up and
    auto-ranged on its own as in :func:`time_call`, then their timed runs alternate (the first
    run of each, then the second of each, ...). A machine whose speed drifts while they are
    measured (another process, the host's other guests, what the cache holds) then slows
    them alike, and their ratios compare like with like.

    Returns:
        One :class:`Timing` per call, in the order of ``fns``.
    """
    if repeats < 1:
        raise ValueError("repeats must be at least 1")
    clock = time.perf_counter
    numbers = []
    for fn in fns:
        for _ in range(max(warmup, 0)):
            fn()
        number = 1
        for step in _steps():
            number = step
            t0 = clock()
            for _ in range(number):
                fn()
            if clock() - t0 >= min_time:
                break
        numbers.append(number)
    per_call: list[list[float]] = [[] for _ in fns]
    for _ in range(repeats):
        for fn, number, runs in zip(fns, numbers, per_call, strict=True):
            t0 = clock()
            for _ in range(number):
                fn()
            runs.append((clock() - t0) / number)
    return [
        Timing(statistics.median(runs), min(runs), max(runs), number, repeats)
        for runs, number in zip(per_call, numbers, strict=True)
    ]


def time_against(
    ours: Callable[[], object],
    baselines: Sequence[Callable[[], object] | None],
    *,
    repeats: int,
    min_time: float,
) -> tuple[Timing, list[float | None]]:
    """``ours`` and each baseline that is given, side by side (:func:`time_calls`): the timing
    of ``ours`` and the median seconds per call of each baseline (None where none is given)."""
    given = [b for b in baselines if b is not None]
    timings = iter(time_calls([ours, *given], repeats=repeats, min_time=min_time))
    t = next(timings)
    return t, [None if b is None else next(timings).median for b in baselines]


#: The share of a ``--budget`` that the timed runs are planned to fill; the rest goes to what
#: is not timed (warm-up calls, the auto-ranging's short runs, building inputs, imports).
BUDGET_SHARE = 0.5


class Budget:
    """A time limit for a whole benchmark (``bench --budget SECONDS``), in two steps.

    Planning: ``min_time`` (seconds per run) is lowered, never raised, so that ``rows`` rows of
    ``per_row`` measurements each (the function, each baseline, a share of the copy bound)
    fill :data:`BUDGET_SHARE` of it, counting ``repeats`` runs and about two more of
    auto-ranging per measurement. Running: once the deadline has passed, :meth:`skip` is true
    and the remaining rows are skipped (counted in ``skipped``), so a run on a slower machine
    than planned still ends near the limit; :meth:`notes` says what was done.
    """

    def __init__(
        self, seconds: float, rows: int, per_row: float, repeats: int, min_time: float
    ) -> None:
        self.seconds = seconds
        self.rows = rows
        self.asked = min_time
        runs = max(rows * per_row * (repeats + 2), 1.0)
        self.min_time = min(min_time, BUDGET_SHARE * seconds / runs)
        self.deadline = time.monotonic() + seconds
        self.timed = 0
        self.skipped = 0

    def skip(self, rows: int) -> bool:
        """Whether the next ``rows`` rows are to be skipped (counted if so): the time is up,
        and some row was timed (a run always times its first function)."""
        if self.timed and time.monotonic() >= self.deadline:
            self.skipped += rows
            return True
        self.timed += rows
        return False

    def notes(self) -> list[str]:
        """What the budget changed: the lowered --min-time, the rows skipped."""
        out = []
        if self.min_time < self.asked:
            out.append(
                f"--budget {self.seconds:g} s: --min-time lowered from {self.asked:g} to "
                f"{self.min_time:.2g} s per run to fit {self.rows} rows"
            )
        if self.skipped:
            out.append(
                f"--budget {self.seconds:g} s ran out: the last {self.skipped} of {self.rows} "
                "rows were skipped (not timed)"
            )
        return out


def _steps() -> Iterable[int]:
    base = 1
    while base < 10**7:
        for k in (1, 2, 5):
            yield base * k
        base *= 10


def copy_fresh(x: np.ndarray[Any, Any], threads: int = 1) -> np.ndarray[Any, Any]:
    """A copy of ``x`` into a freshly allocated array, split over ``threads`` threads."""
    out = np.empty_like(x)
    copy_into(x, out, threads)
    return out


_copy_pools: dict[int, ThreadPoolExecutor] = {}


def copy_into(x: np.ndarray[Any, Any], out: np.ndarray[Any, Any], threads: int = 1) -> None:
    """Copy ``x`` into ``out`` (same shape and dtype, C-contiguous), split over ``threads``
    threads: the bandwidth bound, written the way the kernels write: into a buffer the process
    already owns (no page faults), by the compiled loops' own copy (the identity kernel) for
    float32 and float64, which streams its output past the cache as every kernel does
    (actcli/_kernels/act_stream.h), on a pool that outlives the call."""
    src, dst = x.reshape(-1), out.reshape(-1)
    if src.dtype in (np.float32, np.float64):
        from .._kernels import set_stream_hint, ufunc

        identity = ufunc("identity")
        moved = src.nbytes + dst.nbytes

        def part(s: slice) -> None:
            set_stream_hint(moved)
            try:
                identity(src[s], out=dst[s])
            finally:
                set_stream_hint(0)

    else:

        def part(s: slice) -> None:
            np.copyto(dst[s], src[s])

    # Split as a memory-bound kernel of as many bytes is (engine.SPLIT_BYTES): the identity
    # kernel's evaluation is itself so cheap that below that it takes one thread.
    if threads <= 1 or src.nbytes + dst.nbytes < engine.SPLIT_BYTES:
        part(slice(None))
        return
    per = -(-src.size // threads)
    pool = _copy_pools.get(threads)
    if pool is None:
        pool = _copy_pools[threads] = ThreadPoolExecutor(max_workers=threads)
    list(pool.map(part, [slice(i, i + per) for i in range(0, src.size, per)]))


def temporaries(call: Callable[[], Any]) -> int:
    """Bytes a call allocates beyond its result, at the peak (tracemalloc): what an evaluation
    costs on top of its input and output."""
    import tracemalloc

    tracemalloc.start()
    try:
        result = call()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return int(peak - np.asarray(result).nbytes)
