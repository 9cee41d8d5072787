"""The grid of measurements: every activation, direction, size, dtype and thread count, with
the copy bound measured beside each activation and the baselines on the same inputs."""

from __future__ import annotations

import contextlib
import os
import platform
from collections.abc import Callable, Iterator, Sequence
from importlib import metadata
from typing import Any

import numpy as np

from .. import engine
from ..engine import resolve as get  # a name, an alias, an expression or a record
from ..records import Activation
from .baselines import naive_calls, torch_calls, torch_importable, torch_version
from .inputs import AXIS_ROW, bench_params, make_inputs
from .results import DIRECTIONS, BenchResult, Row, progress_label
from .timing import Budget, Timing, copy_into, time_against, time_call

#: The baselines :func:`run` can time beside actcli.
BASELINES = ("naive", "torch")

Progress = Callable[[int, int, str], None]


def machine_info() -> dict[str, Any]:
    """CPU model, core count, OS, Python and library versions (torch without importing it)."""

    def ver(pkg: str) -> str | None:
        try:
            return metadata.version(pkg)
        except metadata.PackageNotFoundError:
            return None

    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "machine": platform.machine(),
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": ver("scipy"),
        "torch": ver("torch"),
        "actcli": ver("actcli"),
    }


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def run(
    activations: Sequence[str],
    *,
    sizes: Sequence[int] = (10**5,),
    dtypes: Sequence[str] = ("float32", "float64"),
    threads: Sequence[int] = (1,),
    directions: Sequence[str] = DIRECTIONS,
    baselines: Sequence[str] = (),
    repeats: int = 5,
    min_time: float = 0.2,
    progress: Progress | None = None,
    budget: Budget | None = None,
) -> BenchResult:
    """Time every activation in every configuration, with the bound and the baselines.

    Args:
        activations: names or aliases (canonical names are reported).
        sizes, dtypes, threads, directions: the grid; every combination is one :class:`Row`.
        baselines: any of ``"naive"`` and ``"torch"``. Torch not importable adds a note.
        repeats, min_time: see :func:`time_call`.
        progress: called as ``progress(done, total, label)`` after each row.
        budget: a time limit: its ``min_time`` replaces ``min_time``, and once it is spent the
            remaining rows are skipped (counted in ``budget.skipped``).

    Returns:
        A :class:`BenchResult`; engine threads are restored afterwards.
    """
    acts = [get(n) for n in dict.fromkeys(activations)]
    acts = list({a.name: a for a in acts}.values())
    for d in directions:
        if d not in DIRECTIONS:
            raise ValueError(f"unknown direction {d!r}; expected one of: {', '.join(DIRECTIONS)}")
    for b in baselines:
        if b not in BASELINES:
            raise ValueError(f"unknown baseline {b!r}; expected one of: {', '.join(BASELINES)}")
    if budget is not None:
        min_time = budget.min_time
    notes: list[str] = []
    use_torch = torch_baseline(baselines, notes)
    if use_torch:
        thp = os.environ.get("THP_MEM_ALLOC_ENABLE", "0")
        notes.append(
            f"torch {torch_version()} on the CPU with its default allocator "
            f"(THP_MEM_ALLOC_ENABLE={thp}); its gradient is timed as forward + autograd backward, "
            "which is what it takes to get the gradient from x"
        )
    if "naive" in baselines:
        notes.append("naive: textbook NumPy formulas on the whole array, one thread")
    settings = {
        "activations": [a.name for a in acts],
        **grid_settings(sizes, dtypes, threads, directions, baselines, repeats, min_time),
        "axis_row": AXIS_ROW,
        "bandwidth_bound": [a.name for a in acts if a.bandwidth_goal is not None],
    }
    grid = [(s, d, t) for t in threads for d in dtypes for s in sizes]
    total = len(grid) * len(acts) * len(directions)
    done = 0
    rows: list[Row] = []
    bounds: list[dict[str, Any]] = []
    with thread_counts(use_torch) as set_threads:
        for size, dtype, nthreads in grid:
            set_threads(nthreads)
            for act in acts:
                if budget is not None and budget.skip(len(directions)):
                    continue
                # The bound is re-measured next to each activation: on a shared machine the
                # available bandwidth drifts, and a stale bound would skew the percentages.
                bounds.append(copy_bound(act.name, size, dtype, nthreads, repeats, min_time))
                bound = bounds[-1]["gb_per_s"]
                for direction in directions:
                    rows.append(
                        _measure(
                            act,
                            direction,
                            size,
                            dtype,
                            nthreads,
                            bound,
                            baselines,
                            use_torch,
                            repeats,
                            min_time,
                            notes,
                        )
                    )
                    done += 1
                    if progress is not None:
                        progress(done, total, progress_label(rows[-1]))
    return BenchResult(rows, bounds, settings, machine_info(), notes)


def copy_bound(
    name: str, size: int, dtype: str, nthreads: int, repeats: int, min_time: float
) -> dict[str, Any]:
    """The bandwidth bound next to one function: a copy of ``size`` elements of ``dtype`` into
    a reused buffer (as the kernels' chunked writes reuse memory), in GB/s read + written."""
    probe = np.ones(size, dtype=dtype)
    buffer = np.empty_like(probe)
    timing = time_call(
        lambda: copy_into(probe, buffer, nthreads), repeats=repeats, min_time=min_time
    )
    return {"name": name, "size": size, "dtype": dtype, "threads": nthreads} | {
        "copy_seconds": timing.median,
        "gb_per_s": 2 * probe.nbytes / timing.median / 1e9,
    }


def torch_baseline(baselines: Sequence[str], notes: list[str]) -> bool:
    """Whether torch is timed: asked for and importable (a note says so when it is not)."""
    use_torch = "torch" in baselines and torch_importable()
    if "torch" in baselines and not use_torch:
        notes.append("torch is not installed: the torch baseline was skipped")
    return use_torch


def grid_settings(
    sizes: Sequence[int],
    dtypes: Sequence[str],
    threads: Sequence[int],
    directions: Sequence[str],
    baselines: Sequence[str],
    repeats: int,
    min_time: float,
) -> dict[str, Any]:
    """The settings every run records (the caller adds what it timed)."""
    return {
        "sizes": list(sizes),
        "dtypes": list(dtypes),
        "threads": list(threads),
        "directions": list(directions),
        "baselines": list(baselines),
        "repeats": repeats,
        "min_time": min_time,
    }


@contextlib.contextmanager
def thread_counts(use_torch: bool) -> Iterator[Callable[[int], None]]:
    """A setter of the thread count of actcli's engine (and torch's, when timed), both restored
    when the block ends."""
    saved = engine.get_num_threads()
    torch_threads = None
    if use_torch:
        import torch

        torch_threads = torch.get_num_threads()

    def set_threads(n: int) -> None:
        engine.set_num_threads(n)
        if use_torch:
            torch.set_num_threads(n)

    try:
        yield set_threads
    finally:
        engine.set_num_threads(saved)
        if torch_threads is not None:
            torch.set_num_threads(torch_threads)


def _measure(
    act: Activation,
    direction: str,
    size: int,
    dtype: str,
    nthreads: int,
    bound: float,
    baselines: Sequence[str],
    use_torch: bool,
    repeats: int,
    min_time: float,
    notes: list[str],
) -> Row:
    params = bench_params(act)
    x, g = make_inputs(act, size, dtype)
    forward = direction == "forward"

    def ours() -> object:
        if forward:
            return engine.apply(act, params, x)
        return engine.apply_gradient(act, params, x, g)

    # Bytes read and written: x and the output (forward); x, g and the input-shaped result.
    moved = x.nbytes + g.nbytes + (0 if forward else x.nbytes)
    naive_call = torch_call = None
    naive = naive_calls(act, x, g, params) if "naive" in baselines else None
    if naive is not None:
        call = naive[0] if forward else naive[1]
        try:
            call()  # a textbook formula that needs SciPy (exact GELU's erf) fails here
        except ModuleNotFoundError as e:
            pkg = (e.name or "a module").split(".")[0]
            note = f"naive {act.name}: {pkg} is not installed (pip install {pkg}); skipped"
            if note not in notes:
                notes.append(note)
        else:
            naive_call = call
    if use_torch:
        calls = torch_calls(act, x, g, params)
        if calls is not None:
            torch_call = calls[0] if forward else calls[1]
    t, (naive_s, torch_s) = time_against(
        ours, [naive_call, torch_call], repeats=repeats, min_time=min_time
    )
    return timed_row(
        act.name, direction, size, x.size, dtype, nthreads, t, moved, bound, naive_s, torch_s
    )


def timed_row(
    name: str,
    direction: str,
    size: int,
    elements: int,
    dtype: str,
    threads: int,
    t: Timing,
    moved: int,
    bound: float,
    naive_seconds: float | None = None,
    torch_seconds: float | None = None,
) -> Row:
    """The result row of one timed function: its timing ``t`` over ``elements`` values (the
    grid's ``size``), the ``moved`` bytes it reads and writes, the copy ``bound`` (GB/s)
    measured beside it and the baselines' seconds per call timed with it, where there are any
    (activations and losses alike)."""
    gbps = moved / t.median / 1e9
    return Row(
        name=name,
        direction=direction,
        size=size,
        dtype=dtype,
        threads=threads,
        seconds=t.median,
        best=t.best,
        worst=t.worst,
        number=t.number,
        repeats=t.repeats,
        elements_per_s=elements / t.median,
        gb_per_s=gbps,
        bound_gb_per_s=bound,
        pct_of_bound=100.0 * gbps / bound,
        naive_seconds=naive_seconds,
        torch_seconds=torch_seconds,
        vs_naive=None if naive_seconds is None else naive_seconds / t.median,
        vs_torch=None if torch_seconds is None else torch_seconds / t.median,
    )
