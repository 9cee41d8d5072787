"""Timing of activations against the memory-bandwidth bound and two baselines.

Returns numbers and plain data; prints nothing. ``actcli bench`` renders what :func:`run`
returns, and ``benchmarks/run_bench.py`` stores it as JSON. One job per module:
:mod:`.timing` (auto-ranged timing and the copy bound), :mod:`.inputs` (what is timed),
:mod:`.baselines` (the records' textbook formulas and their PyTorch equivalents),
:mod:`.run` (the grid of measurements), :mod:`.results` (rows and their summary) and
:mod:`.report` (the plain-text summary). Command-line text is parsed in :mod:`actcli.options`.

Every measurement is auto-ranged like :mod:`timeit` (calls per repeat grow 1, 2, 5, 10, ...
until one repeat lasts ``min_time``), after a warm-up call; we keep the median and the
min..max of the repeats, per call. A function and its baselines are timed side by side, their
repeats taking turns (:func:`time_calls`), so drift on a shared machine slows them alike. The
bandwidth bound is measured in the same run: a plain
copy of the input's bytes into a buffer allocated once and reused (the way the kernels write:
chunk by chunk into memory the process already owns, so neither side pays page faults), split
over the same number of threads, and timed again next to every activation.
"""

from __future__ import annotations

from .baselines import naive_calls, torch_calls, torch_function, torch_importable, torch_version
from .inputs import AXIS_ROW, bench_params, bench_shape, make_inputs, peak_bytes
from .report import summary_lines
from .results import (
    DIRECTIONS,
    SCHEMA,
    BenchResult,
    Row,
    geomean,
    progress_label,
    row_label,
    summarize,
)
from .run import (
    BASELINES,
    Progress,
    copy_bound,
    grid_settings,
    machine_info,
    run,
    thread_counts,
    timed_row,
    torch_baseline,
)
from .timing import (
    BUDGET_SHARE,
    Budget,
    Timing,
    copy_fresh,
    copy_into,
    temporaries,
    time_against,
    time_call,
    time_calls,
)

__all__ = [
    "AXIS_ROW",
    "BASELINES",
    "BUDGET_SHARE",
    "DIRECTIONS",
    "SCHEMA",
    "BenchResult",
    "Budget",
    "Progress",
    "Row",
    "Timing",
    "bench_params",
    "bench_shape",
    "copy_bound",
    "copy_fresh",
    "copy_into",
    "geomean",
    "grid_settings",
    "machine_info",
    "make_inputs",
    "naive_calls",
    "peak_bytes",
    "progress_label",
    "row_label",
    "run",
    "summarize",
    "summary_lines",
    "temporaries",
    "thread_counts",
    "time_against",
    "time_call",
    "time_calls",
    "timed_row",
    "torch_baseline",
    "torch_calls",
    "torch_function",
    "torch_importable",
    "torch_version",
]
