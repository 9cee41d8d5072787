"""Timing of activations against the memory-bandwidth bound and two baselines.

Returns numbers and plain data; prints nothing. ``actcli bench`` renders what :func:`run`
returns, and ``benchmarks/run_bench.py`` stores it as JSON.

Every measurement is auto-ranged like :mod:`timeit` (calls per repeat grow 1, 2, 5, 10, ...
until one repeat lasts ``min_time``), after a warm-up call; we keep the median and the
min..max of the repeats, per call. The bandwidth bound is measured in the same run: a plain
copy of the input's bytes into a freshly allocated array (so it pays the same page faults as
an evaluation that returns a fresh array), split over the same number of threads, and timed
again next to every activation.
"""

from __future__ import annotations

import math
import os
import platform
import statistics
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from importlib import metadata
from typing import Any

import numpy as np

from . import engine
from .errors import ParamError
from .registry import Activation, Array, get, names

SCHEMA = "actcli-bench/1"
DIRECTIONS = ("forward", "gradient")
BASELINES = ("naive", "torch")
DTYPES = ("float16", "float32", "float64")
#: Axis functions (softmax, ...) are timed on rows of this many elements.
AXIS_ROW = 1000
#: The activations that must reach 80% of the bandwidth bound (issue #5).
PIECEWISE_LINEAR = (
    "relu",
    "relu6",
    "leaky_relu",
    "hardtanh",
    "hardsigmoid",
    "threshold",
    "hardshrink",
    "softshrink",
)

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class Timing:
    """Seconds per call: the median and the range over ``repeats`` runs of ``number`` calls."""

    median: float
    best: float
    worst: float
    number: int
    repeats: int


@dataclass
class Row:
    """One activation, direction, size, dtype and thread count, with its baselines."""

    name: str
    direction: str
    size: int
    dtype: str
    threads: int
    seconds: float
    best: float
    worst: float
    number: int
    repeats: int
    elements_per_s: float
    gb_per_s: float
    bound_gb_per_s: float
    pct_of_bound: float
    naive_seconds: float | None = None
    torch_seconds: float | None = None
    vs_naive: float | None = None
    vs_torch: float | None = None


@dataclass
class BenchResult:
    """Everything one run measured: rows, the copy bounds, settings, machine and notes."""

    rows: list[Row]
    bounds: list[dict[str, Any]]
    settings: dict[str, Any]
    machine: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """Geometric-mean ratios (how many times faster than each baseline), and the worst rows."""
        return summarize(self.rows)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (schema ``actcli-bench/1``)."""
        return {
            "schema": SCHEMA,
            "machine": self.machine,
            "settings": self.settings,
            "notes": list(self.notes),
            "bounds": self.bounds,
            "rows": [asdict(r) for r in self.rows],
            "summary": self.summary(),
        }


# --- timing ------------------------------------------------------------------------------------
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
    if repeats < 1:
        raise ValueError("repeats must be at least 1")
    clock = time.perf_counter
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
    per_call = []
    for _ in range(repeats):
        t0 = clock()
        for _ in range(number):
            fn()
        per_call.append((clock() - t0) / number)
    return Timing(statistics.median(per_call), min(per_call), max(per_call), number, repeats)


def _steps() -> Iterable[int]:
    base = 1
    while base < 10**7:
        for k in (1, 2, 5):
            yield base * k
        base *= 10


def copy_fresh(x: np.ndarray[Any, Any], threads: int = 1) -> np.ndarray[Any, Any]:
    """A copy of ``x`` into a freshly allocated array, split over ``threads`` threads."""
    out = np.empty_like(x)
    src, dst = x.reshape(-1), out.reshape(-1)
    if threads <= 1 or src.size < engine.PARALLEL_MIN:
        np.copyto(dst, src)
        return out
    per = -(-src.size // threads)
    parts = [slice(i, i + per) for i in range(0, src.size, per)]
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(lambda s: np.copyto(dst[s], src[s]), parts))
    return out


# --- the inputs --------------------------------------------------------------------------------
def bench_params(act: Activation) -> dict[str, Any]:
    """The parameters an activation is timed with: its defaults, 0 for a required number."""
    params = act.defaults()
    for p in act.params:
        if p.required:
            params[p.name] = p.kind(0)
    return params


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


# --- the naive baseline: textbook NumPy formulas, one row per activation ------------------------
_SQRT2 = math.sqrt(2.0)
_SQRT_2PI = math.sqrt(2.0 * math.pi)
_SELU_A = 1.6732632423543772848170429916717
_SELU_S = 1.0507009873554804934193349852946


def _nsig(x: Array) -> Array:
    return 1 / (1 + np.exp(-x))


def _nsoftmax(x: Array, dim: int) -> Array:
    e = np.exp(x - x.max(axis=dim, keepdims=True))
    return e / e.sum(axis=dim, keepdims=True)


def _nerf(x: Array) -> Array:
    from scipy.special import erf

    return erf(x)


def _nglu(x: Array, dim: int) -> Array:
    a, b = np.split(x, 2, axis=dim)
    return np.asarray(a * _nsig(b))


def _nglu_grad(x: Array, g: Array, dim: int) -> Array:
    a, b = np.split(x, 2, axis=dim)
    s = _nsig(b)
    return np.concatenate([g * s, g * a * s * (1 - s)], axis=dim)


def _nmish_grad(x: Array, g: Array) -> Array:
    t = np.tanh(np.log(1 + np.exp(x)))
    return g * (t + x * (1 - t**2) * _nsig(x))


def _ngelu(x: Array, approximate: str) -> Array:
    if approximate == "tanh":
        return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))
    return 0.5 * x * (1 + _nerf(x / _SQRT2))


def _ngelu_grad(x: Array, g: Array, approximate: str) -> Array:
    if approximate == "tanh":
        k = math.sqrt(2 / math.pi)
        t = np.tanh(k * (x + 0.044715 * x**3))
        return g * (0.5 * (1 + t) + 0.5 * x * (1 - t**2) * k * (1 + 3 * 0.044715 * x**2))
    return g * (0.5 * (1 + _nerf(x / _SQRT2)) + x * np.exp(-(x**2) / 2) / _SQRT_2PI)


#: name -> (forward(x, **params), gradient(x, g, **params)): the formulas from the textbook,
#: written the obvious way in NumPy (no stability tricks, no chunking, one thread).
NAIVE: dict[str, tuple[Callable[..., Array], Callable[..., Array]]] = {
    "relu": (lambda x: np.maximum(x, 0), lambda x, g: g * (x > 0)),
    "hardtanh": (
        lambda x, min_val, max_val: np.clip(x, min_val, max_val),
        lambda x, g, min_val, max_val: g * ((x > min_val) & (x < max_val)),
    ),
    "relu6": (lambda x: np.minimum(np.maximum(x, 0), 6), lambda x, g: g * ((x > 0) & (x < 6))),
    "leaky_relu": (
        lambda x, negative_slope: np.where(x > 0, x, negative_slope * x),
        lambda x, g, negative_slope: g * np.where(x > 0, 1, negative_slope),
    ),
    "prelu": (
        lambda x, weight: np.where(x > 0, x, weight * x),
        lambda x, g, weight: g * np.where(x > 0, 1, weight),
    ),
    "rrelu": (
        lambda x, lower, upper, **_: np.where(x > 0, x, (lower + upper) / 2 * x),
        lambda x, g, lower, upper, **_: g * np.where(x > 0, 1, (lower + upper) / 2),
    ),
    "threshold": (
        lambda x, threshold, value: np.where(x > threshold, x, np.asarray(value, x.dtype)),
        lambda x, g, threshold, value: g * (x > threshold),
    ),
    "hardsigmoid": (
        lambda x: np.clip(x / 6 + 0.5, 0, 1),
        lambda x, g: g * ((x > -3) & (x < 3)) / 6,
    ),
    "hardswish": (
        lambda x: x * np.clip(x + 3, 0, 6) / 6,
        lambda x, g: g * np.where(x < -3, 0, np.where(x > 3, 1, x / 3 + 0.5)),
    ),
    "hardshrink": (
        lambda x, lambd: np.where(np.abs(x) > lambd, x, 0),
        lambda x, g, lambd: g * (np.abs(x) > lambd),
    ),
    "softshrink": (
        lambda x, lambd: np.where(x > lambd, x - lambd, np.where(x < -lambd, x + lambd, 0)),
        lambda x, g, lambd: g * (np.abs(x) > lambd),
    ),
    "sparse_sigmoid": (
        lambda x: np.clip((x + 1) / 2, 0, 1),
        lambda x, g: g * 0.5 * ((x > -1) & (x < 1)),
    ),
    "sparse_plus": (
        lambda x: np.where(x <= -1, 0, np.where(x >= 1, x, (x + 1) ** 2 / 4)),
        lambda x, g: g * np.where(x <= -1, 0, np.where(x >= 1, 1, (x + 1) / 2)),
    ),
    "identity": (lambda x: x.copy(), lambda x, g: g.copy()),
    "sigmoid": (_nsig, lambda x, g: g * _nsig(x) * (1 - _nsig(x))),
    "logsigmoid": (lambda x: np.log(_nsig(x)), lambda x, g: g * (1 - _nsig(x))),
    "tanh": (np.tanh, lambda x, g: g * (1 - np.tanh(x) ** 2)),
    "elu": (
        lambda x, alpha: np.where(x > 0, x, alpha * (np.exp(x) - 1)),
        lambda x, g, alpha: g * np.where(x > 0, 1, alpha * np.exp(x)),
    ),
    "selu": (
        lambda x: _SELU_S * np.where(x > 0, x, _SELU_A * (np.exp(x) - 1)),
        lambda x, g: g * _SELU_S * np.where(x > 0, 1, _SELU_A * np.exp(x)),
    ),
    "celu": (
        lambda x, alpha: np.maximum(0, x) + np.minimum(0, alpha * (np.exp(x / alpha) - 1)),
        lambda x, g, alpha: g * np.where(x > 0, 1, np.exp(x / alpha)),
    ),
    "softplus": (
        lambda x, beta, threshold: np.where(
            beta * x > threshold, x, np.log(1 + np.exp(beta * x)) / beta
        ),
        lambda x, g, beta, threshold: g * np.where(beta * x > threshold, 1, _nsig(beta * x)),
    ),
    "swish": (
        lambda x, beta: x * _nsig(beta * x),
        lambda x, g, beta: (
            g * (_nsig(beta * x) + beta * x * _nsig(beta * x) * (1 - _nsig(beta * x)))
        ),
    ),
    "silu": (
        lambda x: x * _nsig(x),
        lambda x, g: g * (_nsig(x) + x * _nsig(x) * (1 - _nsig(x))),
    ),
    "mish": (lambda x: x * np.tanh(np.log(1 + np.exp(x))), _nmish_grad),
    "gelu": (_ngelu, _ngelu_grad),
    "softsign": (lambda x: x / (1 + np.abs(x)), lambda x, g: g / (1 + np.abs(x)) ** 2),
    "tanhshrink": (lambda x: x - np.tanh(x), lambda x, g: g * np.tanh(x) ** 2),
    "squareplus": (
        lambda x, b: (x + np.sqrt(x**2 + b)) / 2,
        lambda x, g, b: g * (1 + x / np.sqrt(x**2 + b)) / 2,
    ),
    "softmax": (
        _nsoftmax,
        lambda x, g, dim: (y := _nsoftmax(x, dim)) * (g - (g * y).sum(axis=dim, keepdims=True)),
    ),
    "softmin": (
        lambda x, dim: _nsoftmax(-x, dim),
        lambda x, g, dim: -(y := _nsoftmax(-x, dim)) * (g - (g * y).sum(axis=dim, keepdims=True)),
    ),
    "log_softmax": (
        lambda x, dim: np.log(_nsoftmax(x, dim)),
        lambda x, g, dim: g - _nsoftmax(x, dim) * g.sum(axis=dim, keepdims=True),
    ),
    "glu": (
        lambda x, dim: _nglu(x, dim),
        _nglu_grad,
    ),
}


# --- the torch baseline ------------------------------------------------------------------------
def torch_version() -> str | None:
    """The installed torch version, or None (without importing torch)."""
    try:
        return metadata.version("torch")
    except metadata.PackageNotFoundError:
        return None


def _torch_fn(act: Activation) -> Callable[..., Any] | None:
    if act.torch is None:
        return None
    import importlib

    module, _, attr = act.torch.rpartition(".")
    fn: Callable[..., Any] = getattr(importlib.import_module(module), attr)
    return fn


def _torch_calls(
    act: Activation,
    x: np.ndarray[Any, Any],
    g: np.ndarray[Any, Any],
    params: Mapping[str, Any],
) -> tuple[Callable[[], object], Callable[[], object]] | None:
    import torch

    fn = _torch_fn(act)
    if fn is None:
        return None
    xt = torch.from_numpy(x)
    gt = torch.from_numpy(g)
    kw: dict[str, Any] = {}
    for p in act.params:
        value = params[p.name]
        if value is None:
            continue  # actcli-only options (rrelu's seed)
        kw[p.name] = torch.tensor([value], dtype=xt.dtype) if p.per_channel else value

    def forward() -> object:
        with torch.no_grad():
            return fn(xt, **kw)

    def gradient() -> object:
        xr = xt.detach().requires_grad_(True)
        return torch.autograd.grad(fn(xr, **kw), xr, gt)

    return forward, gradient


# --- the run -----------------------------------------------------------------------------------
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


def torch_importable() -> bool:
    """True if ``import torch`` works (imports it)."""
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


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
) -> BenchResult:
    """Time every activation in every configuration, with the bound and the baselines.

    Args:
        activations: names or aliases (canonical names are reported).
        sizes, dtypes, threads, directions: the grid; every combination is one :class:`Row`.
        baselines: any of ``"naive"`` and ``"torch"``. Torch not importable adds a note.
        repeats, min_time: see :func:`time_call`.
        progress: called as ``progress(done, total, label)`` after each row.

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
    notes: list[str] = []
    use_torch = "torch" in baselines and torch_importable()
    if "torch" in baselines and not use_torch:
        notes.append("torch is not installed: the torch baseline was skipped")
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
        "sizes": list(sizes),
        "dtypes": list(dtypes),
        "threads": list(threads),
        "directions": list(directions),
        "baselines": list(baselines),
        "repeats": repeats,
        "min_time": min_time,
        "axis_row": AXIS_ROW,
    }
    grid = [(s, d, t) for t in threads for d in dtypes for s in sizes]
    total = len(grid) * len(acts) * len(directions)
    done = 0
    rows: list[Row] = []
    bounds: list[dict[str, Any]] = []
    saved = engine.get_num_threads()
    torch_threads = None
    if use_torch:
        import torch

        torch_threads = torch.get_num_threads()
    try:
        for size, dtype, nthreads in grid:
            engine.set_num_threads(nthreads)
            if use_torch:
                torch.set_num_threads(nthreads)
            for act in acts:
                # The bound is re-measured next to each activation: on a shared machine the
                # available bandwidth drifts, and a stale bound would skew the percentages.
                copy, nbytes = _time_copy(size, dtype, nthreads, repeats, min_time)
                bound = 2 * nbytes / copy.median / 1e9
                bounds.append(
                    {"name": act.name, "size": size, "dtype": dtype, "threads": nthreads}
                    | {"copy_seconds": copy.median, "gb_per_s": bound}
                )
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
                        )
                    )
                    done += 1
                    if progress is not None:
                        progress(
                            done, total, f"{act.name} {direction} {size:.0e} {dtype} t{nthreads}"
                        )
    finally:
        engine.set_num_threads(saved)
        if torch_threads is not None:
            torch.set_num_threads(torch_threads)
    return BenchResult(rows, bounds, settings, machine_info(), notes)


def _time_copy(
    size: int, dtype: str, nthreads: int, repeats: int, min_time: float
) -> tuple[Timing, int]:
    probe = np.ones(size, dtype=dtype)
    return time_call(lambda: copy_fresh(probe, nthreads), repeats=repeats, min_time=min_time), (
        probe.nbytes
    )


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
) -> Row:
    params = bench_params(act)
    x, g = make_inputs(act, size, dtype)
    forward = direction == "forward"

    def ours() -> object:
        if forward:
            return engine.evaluate(act.name, x, **params)
        return engine.gradient(act.name, x, g, **params)

    # Bytes read and written: x and the output (forward); x, g and the input-shaped result.
    moved = x.nbytes + g.nbytes + (0 if forward else x.nbytes)
    t = time_call(ours, repeats=repeats, min_time=min_time)
    gbps = moved / t.median / 1e9
    row = Row(
        name=act.name,
        direction=direction,
        size=size,
        dtype=dtype,
        threads=nthreads,
        seconds=t.median,
        best=t.best,
        worst=t.worst,
        number=t.number,
        repeats=t.repeats,
        elements_per_s=x.size / t.median,
        gb_per_s=gbps,
        bound_gb_per_s=bound,
        pct_of_bound=100.0 * gbps / bound,
    )
    if "naive" in baselines and act.name in NAIVE:
        fwd, grad = NAIVE[act.name]
        naive_params = {k: v for k, v in params.items() if v is not None}

        def naive() -> object:
            with np.errstate(all="ignore"):
                if forward:
                    return fwd(x, **naive_params)
                return grad(x, g, **naive_params)

        row.naive_seconds = time_call(naive, repeats=repeats, min_time=min_time).median
        row.vs_naive = row.naive_seconds / t.median
    if use_torch:
        calls = _torch_calls(act, x, g, params)
        if calls is not None:
            call = calls[0] if forward else calls[1]
            row.torch_seconds = time_call(call, repeats=repeats, min_time=min_time).median
            row.vs_torch = row.torch_seconds / t.median
    return row


# --- summary -----------------------------------------------------------------------------------
def geomean(values: Iterable[float]) -> float | None:
    """The geometric mean of positive numbers, or None for none."""
    vals = [v for v in values if v is not None and v > 0 and math.isfinite(v)]
    if not vals:
        return None
    return math.exp(sum(math.log(v) for v in vals) / len(vals))


def summarize(rows: Sequence[Row]) -> dict[str, Any]:
    """Geometric means of the ratios (overall and per direction), the rows slower than torch,
    and the piecewise-linear functions' share of the bandwidth bound."""
    out: dict[str, Any] = {}
    for key in ("vs_torch", "vs_naive"):
        vals = [getattr(r, key) for r in rows if getattr(r, key) is not None]
        out[f"geomean_{key}"] = geomean(vals)
        for d in DIRECTIONS:
            out[f"geomean_{key}_{d}"] = geomean(
                getattr(r, key) for r in rows if r.direction == d and getattr(r, key) is not None
            )
    slower = [r for r in rows if r.vs_torch is not None and r.vs_torch < 1.0]
    slower.sort(key=lambda r: r.vs_torch if r.vs_torch is not None else 0.0)
    out["slower_than_torch"] = [
        {
            "name": r.name,
            "direction": r.direction,
            "size": r.size,
            "dtype": r.dtype,
            "threads": r.threads,
            "vs_torch": r.vs_torch,
        }
        for r in slower
    ]
    pw = [r.pct_of_bound for r in rows if r.name in PIECEWISE_LINEAR]
    out["piecewise_min_pct_of_bound"] = min(pw) if pw else None
    out["piecewise_median_pct_of_bound"] = statistics.median(pw) if pw else None
    return out


# --- option parsing (shared by the CLI and the benchmarks script) -----------------------------
def parse_sizes(text: str) -> list[int]:
    """``"1e3,1e5,1e7"`` -> ``[1000, 100000, 10000000]``; raises ValueError on a bad size."""
    sizes = []
    for part in _split(text, "size"):
        try:
            value = float(part)
        except ValueError:
            raise ValueError(f"size {part!r} is not a number") from None
        if not math.isfinite(value) or value < 1 or not value.is_integer():
            raise ValueError(f"size {part!r} must be a positive whole number of elements")
        sizes.append(int(value))
    return sizes


def parse_dtypes(text: str) -> list[str]:
    """``"float32,float64"`` -> the dtype names; raises ValueError on an unknown one."""
    out = []
    for part in _split(text, "dtype"):
        key = part.lower()
        if key not in DTYPES:
            raise ValueError(f"dtype {part!r} is not one of: {', '.join(DTYPES)}")
        out.append(key)
    return out


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


def parse_threads(text: str) -> list[int]:
    """``"1,2"`` -> ``[1, 2]``; raises ValueError on anything but positive integers."""
    out = []
    for part in _split(text, "thread count"):
        n = engine.positive_int(part)
        if n is None:
            raise ValueError(f"thread count {part!r} must be a positive integer")
        out.append(n)
    return out


def _split(text: str, what: str) -> list[str]:
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts:
        raise ValueError(f"expected a comma-separated list of {what}s, got {text!r}")
    return list(dict.fromkeys(parts))


def all_names() -> list[str]:
    """Every activation :func:`run` can time (all of them)."""
    return names()


def summary_lines(result: BenchResult) -> list[str]:
    """The short text summary: geometric-mean ratios, rows slower than torch, notes."""
    s = result.summary()

    def f(v: float | None) -> str:
        return "n/a" if v is None else f"{v:.2f}x"

    lines = []
    for b in ("torch", "naive"):
        if s[f"geomean_vs_{b}"] is not None:
            lines.append(
                f"vs {b}: geometric-mean speed-up {f(s[f'geomean_vs_{b}'])} "
                f"(forward {f(s[f'geomean_vs_{b}_forward'])}, "
                f"gradient {f(s[f'geomean_vs_{b}_gradient'])})"
            )
    slow = s["slower_than_torch"]
    if slow:
        worst = ", ".join(f"{r['name']} {r['direction']} {r['vs_torch']:.2f}x" for r in slow[:5])
        lines.append(f"slower than torch: {len(slow)} row(s); worst: {worst}")
    lines += [f"note: {n}" for n in result.notes]
    return lines


@dataclass(frozen=True)
class Grid:
    """The sizes, dtypes and thread counts of a run, parsed from the command line."""

    sizes: list[int]
    dtypes: list[str]
    threads: list[int]

    @property
    def count(self) -> int:
        """Configurations per activation and direction."""
        return len(self.sizes) * len(self.dtypes) * len(self.threads)

    @property
    def kwargs(self) -> dict[str, Any]:
        """The keyword arguments of :func:`run`."""
        return {"sizes": self.sizes, "dtypes": self.dtypes, "threads": self.threads}


def parse_grid(size: str, dtype: str, threads: str | None) -> Grid:
    """Parse ``--size``, ``--dtype`` and ``--threads`` (None: the engine's thread count)."""
    if threads is not None:
        nthreads = parse_threads(threads)
    else:
        try:
            nthreads = [engine.get_num_threads()]
        except ParamError as e:  # a malformed ACTCLI_NUM_THREADS
            raise ValueError(str(e)) from None
    return Grid(parse_sizes(size), parse_dtypes(dtype), nthreads)


def peak_bytes(size: int, dtype: str) -> int:
    """About the most memory one measurement of ``size`` elements holds: the float64 draws of
    :func:`make_inputs`, then input, upstream gradient, output and temporaries in ``dtype``."""
    return size * (16 + 8 * np.dtype(dtype).itemsize)
