"""Timing of the losses (forward: the ``mean`` loss; gradient: its gradient with respect to the
input), against the textbook NumPy formulas of the records (``naive``) and PyTorch.

Reuses :mod:`actcli.bench`'s timing, rows and results; returns numbers and prints nothing.
Inputs are the record's own sampler (valid data: probabilities for BCE, class indices for
cross_entropy); the class-axis losses are timed on rows of :data:`CLASSES` classes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from . import bench
from .catalog import get_loss
from .lossengine import loss, loss_gradient
from .lossrecords import Loss

#: Classes per row of the cross_entropy / nll_loss inputs.
CLASSES = 10


def inputs(record: Loss, size: int, dtype: str, seed: int = 0) -> dict[str, Any]:
    """The record's sampled inputs of ``size`` elements in ``dtype`` (class indices stay)."""
    assert record.sample is not None
    shape = (max(size // CLASSES, 1), CLASSES) if record.layout == "classes" else (size,)
    arrays = record.sample(np.random.default_rng(seed), shape, record.bind({}))
    first = arrays[record.inputs[0]]
    out: dict[str, Any] = {}
    for k, v in arrays.items():
        index_target = record.layout == "classes" and k == "target" and v.shape != first.shape
        out[k] = v if index_target else v.astype(dtype)
    return out


def _split(record: Loss, arrays: Mapping[str, Any]) -> tuple[Any, Any, dict[str, Any]]:
    ins = [arrays[n] for n in record.inputs]
    first = tuple(ins[:-1]) if len(ins) > 2 else ins[0]
    return first, ins[-1], {k: v for k, v in arrays.items() if k not in record.inputs}


def _naive_calls(
    record: Loss, arrays: Mapping[str, Any]
) -> tuple[Callable[[], object], Callable[[], object]] | None:
    if record.naive is None:
        return None
    naive = record.naive
    ins = [arrays[n] for n in record.inputs]
    extra = {k: v for k, v in arrays.items() if k not in record.inputs}
    params = {**record.bind({}), **extra}
    per_row = record.layout != "elementwise"
    rows = ins[0].shape[0] if per_row else ins[0].size
    g = np.full(rows if per_row else ins[0].shape, 1.0 / rows, ins[0].dtype)

    def forward() -> object:
        with np.errstate(all="ignore"):
            return np.mean(naive.forward(*ins, **params))

    def gradient() -> object:
        with np.errstate(all="ignore"):
            return naive.derivative(*ins, g, **params)

    return forward, gradient


def _torch_calls(
    record: Loss, arrays: Mapping[str, Any]
) -> tuple[Callable[[], object], Callable[[], object]] | None:
    import torch

    from . import losstorch

    if record.doc.torch is None and record.torch_call is None:
        return None
    first = record.inputs[0]
    ts = losstorch.tensors(record, arrays)
    params = record.bind({})

    def forward() -> object:
        with torch.no_grad():
            return losstorch.torch_loss(record, ts, params, "mean")

    def gradient() -> object:
        leaf = ts[first].detach().requires_grad_(True)
        value = losstorch.torch_loss(record, {**ts, first: leaf}, params, "mean")
        return torch.autograd.grad(value, leaf)

    return forward, gradient


def run(
    names: Sequence[str],
    *,
    sizes: Sequence[int] = (10**5,),
    dtypes: Sequence[str] = ("float32", "float64"),
    threads: Sequence[int] = (1,),
    directions: Sequence[str] = bench.DIRECTIONS,
    baselines: Sequence[str] = (),
    repeats: int = 5,
    min_time: float = 0.2,
    progress: bench.Progress | None = None,
    budget: bench.Budget | None = None,
) -> bench.BenchResult:
    """Time every loss (``mean`` and its gradient) in every configuration, like
    :func:`actcli.bench.run` (one :class:`~actcli.bench.Row` each; ``threads`` only sets
    torch's: the loss kernels run on one thread; ``budget`` as there)."""
    if budget is not None:
        min_time = budget.min_time
    records = list({r.name: r for r in (get_loss(n) for n in names)}.values())
    notes: list[str] = []
    use_torch = bench.torch_baseline(baselines, notes)
    if use_torch:
        notes.append(
            f"losses: torch {bench.torch_version()} F.<loss>(reduction='mean'); its gradient is "
            "forward + autograd backward"
        )
    if "naive" in baselines:
        notes.append("losses, naive: np.mean of the textbook term; gradient the textbook formula")
    settings = {
        "losses": [r.name for r in records],
        **bench.grid_settings(sizes, dtypes, threads, directions, baselines, repeats, min_time),
        "classes": CLASSES,
    }
    rows: list[bench.Row] = []
    bounds: list[dict[str, Any]] = []
    total = len(records) * len(sizes) * len(dtypes) * len(threads) * len(directions)
    done = 0
    with bench.thread_counts(use_torch) as set_threads:
        for nthreads in threads:
            set_threads(nthreads)
            for dtype in dtypes:
                for size in sizes:
                    for record in records:
                        if budget is not None and budget.skip(len(directions)):
                            continue
                        arrays = inputs(record, size, dtype)
                        # The loss kernels run on one thread: so does the copy (the row's
                        # thread count is torch's).
                        copy = bench.copy_bound(record.name, size, dtype, 1, repeats, min_time)
                        bounds.append(copy | {"threads": nthreads})
                        bound = copy["gb_per_s"]
                        for direction in directions:
                            rows.append(
                                _measure(
                                    record,
                                    arrays,
                                    direction,
                                    dtype,
                                    nthreads,
                                    bound,
                                    baselines,
                                    use_torch,
                                    repeats,
                                    min_time,
                                )
                            )
                            done += 1
                            if progress is not None:
                                progress(done, total, bench.progress_label(rows[-1]))
    return bench.BenchResult(rows, bounds, settings, bench.machine_info(), notes)


def _measure(
    record: Loss,
    arrays: Mapping[str, Any],
    direction: str,
    dtype: str,
    nthreads: int,
    bound: float,
    baselines: Sequence[str],
    use_torch: bool,
    repeats: int,
    min_time: float,
) -> bench.Row:
    first, target, extra = _split(record, arrays)
    forward = direction == "forward"

    def ours() -> object:
        if forward:
            return loss(record.name, first, target, "mean", **extra)
        return loss_gradient(record.name, first, target, None, "mean", **extra)

    x = np.asarray(arrays[record.inputs[0]])
    read = sum(np.asarray(v).nbytes for k, v in arrays.items() if k in record.inputs)
    moved = read + (0 if forward else x.nbytes)
    naive_call = torch_call = None
    if "naive" in baselines:
        calls = _naive_calls(record, arrays)
        if calls is not None:
            naive_call = calls[0] if forward else calls[1]
    if use_torch:
        tcalls = _torch_calls(record, arrays)
        if tcalls is not None:
            torch_call = tcalls[0] if forward else tcalls[1]
    t, (naive_s, torch_s) = bench.time_against(
        ours, [naive_call, torch_call], repeats=repeats, min_time=min_time
    )
    return bench.timed_row(
        record.name, direction, x.size, x.size, dtype, nthreads, t, moved, bound, naive_s, torch_s
    )
