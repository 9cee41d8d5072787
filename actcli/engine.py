"""The evaluation engine: dtype rules, shapes, axes, chunking and threads around the kernels.

Kernels (in ``activations``) see plain float arrays. This module decides in which dtype they
compute (float64 unless the activation is exact in the input's dtype), cuts large inputs into
cache-sized chunks spread over a thread pool, moves the ``dim`` axis last for axis functions,
and rounds the result once to the input's dtype.
"""

from __future__ import annotations

import math
import os
import sys
import threading
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from .catalog import get
from .errors import InputError, ParamError
from .records import Activation, Array

if TYPE_CHECKING:  # concurrent.futures (and logging) load only when a pool is first needed
    from concurrent.futures import ThreadPoolExecutor

#: Elements per chunk: small enough that a kernel's temporaries stay in L2, large enough that
#: the per-call overhead of NumPy is amortised (64K-256K is the sweet spot here).
CHUNK = 1 << 16
#: Below this many elements one thread does all the work (threads cost more than they save).
PARALLEL_MIN = 1 << 20
#: A compiled loop is cheap enough that whether a second thread pays depends on the loop: the
#: hand-off (a pool worker woken, its result awaited) takes about 0.1 ms on this machine kind
#: (2-vCPU VM: 40-60 us to start a worker, 80-130 us a round trip). A loop moving this many
#: bytes (inputs and output) or more always gains: relu float32, 1 -> 2 threads, 15 MiB moved
#: 1.10x, 23 MiB 1.25x, where 8 MiB took 0.67x (0.16 -> 0.23 ms) and 11 MiB 0.81x.
SPLIT_BYTES = 14 << 20
#: Below SPLIT_BYTES, a compiled loop of at least SPLIT_MIN elements is split only where one
#: thread would take SPLIT_SECONDS or more, as its last unsplit run measured: relu2, bilinear and
#: hardsigmoid on 2^20 float32 elements lost 0.59-0.79x on 2 threads, tanh and softsign gained
#: 1.68x and 1.26x, elu on float64 1.35x.
SPLIT_MIN = 1 << 18
SPLIT_SECONDS = 4e-4
#: A pool worker starts on its share about this long after the calling thread starts on its own
#: (measured: 40-60 us), so the calling thread's share is longer by what it computes meanwhile.
HANDOFF_SECONDS = 5e-5
#: A compiled loop writing into the result has no temporaries to keep in cache: it takes runs of
#: whole chunks, one per thread up to this many elements (a Ctrl-C waits for one run at most).
RUN_MAX = 1 << 22

_FLOATS = (np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64))
_F64 = np.dtype(np.float64)
_F32 = np.dtype(np.float32)

_num_threads: int | None = None
_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def positive_int(text: str) -> int | None:
    """``text`` as a positive integer, or None if it is not one (a thread count)."""
    try:
        n = int(text)
    except ValueError:
        return None
    return n if n >= 1 else None


def default_num_threads() -> int:
    """``ACTCLI_NUM_THREADS`` if set (a positive integer), else the machine's CPU count."""
    raw = os.environ.get("ACTCLI_NUM_THREADS", "").strip()
    if raw:
        n = positive_int(raw)
        if n is None:
            raise ParamError(f"ACTCLI_NUM_THREADS must be a positive integer, got {raw!r}")
        return n
    return os.cpu_count() or 1


def get_num_threads() -> int:
    """The number of threads large evaluations use."""
    global _num_threads
    if _num_threads is None:
        _num_threads = default_num_threads()
    return _num_threads


def set_num_threads(n: int | None) -> None:
    """Use ``n`` threads for large evaluations (``None``: back to the default)."""
    global _num_threads, _pool
    if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 1):
        raise ParamError(f"the number of threads must be a positive integer, got {n!r}")
    with _pool_lock:
        _num_threads = n
        if _pool is not None:
            _pool.shutdown(wait=True)
            _pool = None


def _executor(n: int) -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None or _pool._max_workers != n:
            if _pool is not None:
                _pool.shutdown(wait=True)
            from concurrent.futures import ThreadPoolExecutor

            _pool = ThreadPoolExecutor(max_workers=n, thread_name_prefix="actcli")
        return _pool


def linspace(start: float, stop: float, num: int, dtype: Any = np.float64) -> Array:
    """``np.linspace(start, stop, num)`` for any finite START and STOP, even where
    ``stop - start`` overflows (then computed at half scale: exact steps, both ends exact)."""
    start, stop = float(start), float(stop)  # Python floats: an overflow here is quiet
    if math.isfinite(stop - start):
        return np.linspace(start, stop, num, dtype=dtype)
    half = np.linspace(start / 2, stop / 2, num)  # halving a number this large is exact
    out = half * 2.0
    out[0], out[-1] = start, stop
    return out.astype(dtype, copy=False)


def as_float_array(x: Any, what: str = "input") -> Array:
    """``x`` as an ndarray of float16, float32 or float64 in native byte order.

    Integers and bools become float64; longdouble becomes float64. Complex, object, string and
    structured data raise :class:`InputError`.
    """
    arr = np.asarray(x)
    kind = arr.dtype.kind
    if kind == "f":
        if arr.dtype not in _FLOATS:
            arr = arr.astype(np.float64)
        elif not arr.dtype.isnative:
            arr = arr.astype(arr.dtype.newbyteorder("="))
        return arr
    if kind in "biu":
        return arr.astype(np.float64)
    if kind == "c":
        raise InputError(f"complex {what} is not supported (activations are real functions)")
    raise InputError(f"the {what} must hold numbers, not {arr.dtype} data")


def compute_dtype(
    act: Activation, dtype: np.dtype[Any], params: Mapping[str, Any] | None = None
) -> np.dtype[Any]:
    """float64, unless the activation is exact in ``dtype`` (one rounding, as in relu).

    Exactness needs the float parameters to be representable in ``dtype`` too: leaky_relu's
    0.01 is not a float32, so float32 leaky_relu computes in float64 and rounds once, giving the
    same bits as the float64 evaluation rounded to float32.
    """
    if not act.kernels.exact or dtype == np.float16:
        return _F64
    if params and dtype != _F64:
        # A parameter beyond the dtype's range rounds to inf here: not representable, so
        # float64 (the overflow is the answer, not a warning).
        with np.errstate(over="ignore"):
            for v in params.values():
                if isinstance(v, float) and v != float(dtype.type(v)):
                    return _F64
                if isinstance(v, np.ndarray) and not np.array_equal(v, v.astype(dtype)):
                    return _F64
    return dtype


def output_shape(
    act: Activation, shape: tuple[int, ...], params: Mapping[str, Any]
) -> tuple[int, ...]:
    """The shape of ``act``'s output for an input of ``shape`` (glu halves the ``dim`` axis,
    logsumexp drops it)."""
    length = act.kernels.output_length
    if act.kind != "axis" or (length is None and not act.kernels.reduces):
        return shape
    axis = _axis(act, len(shape), params["dim"])
    if length is None:  # a reduction: the axis is dropped
        return (*shape[:axis], *shape[axis + 1 :])
    if not shape:
        return (length(1),)
    return (*shape[:axis], length(shape[axis]), *shape[axis + 1 :])


def _axis(act: Activation, ndim: int, dim: int) -> int:
    nd = max(ndim, 1)
    if not -nd <= dim < nd:
        raise ParamError(
            f"parameter 'dim' of {act.name} must be in [{-nd}, {nd - 1}] for a {ndim}-D input, "
            f"got {dim}"
        )
    return dim % nd


_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")


def is_bare_word(text: str) -> bool:
    """True for text that is looked up as a name (``relu``, ``gelu-new``: an ASCII letter, then
    letters, digits, ``_`` and ``-``, blanks around allowed); anything else is parsed as an
    expression. (No regular expression: compiling one costs every command's start-up.)"""
    word = text.strip()
    return word[:1].isalpha() and word[:1].isascii() and _WORD_CHARS.issuperset(word)


def resolve(name: str | Activation) -> Activation:
    """The activation record of a name or alias, or of an expression (any text that is not a
    bare word, such as ``x*sigmoid(1.702*x)``: see :mod:`actcli.expr`).

    Raises:
        UnknownActivationError: an unknown name. ExpressionError: a refused expression.
    """
    if isinstance(name, Activation):  # a record passed down as it is
        return name
    if isinstance(name, str) and not is_bare_word(name):
        from . import expr  # the expression machinery loads only for an expression

        return expr.activation(name)
    return get(name)


def evaluate(name: str | Activation, x: npt.ArrayLike, /, **params: Any) -> Array:
    """``name``'s activation applied to ``x``, in ``x``'s float dtype and shape.

    Args:
        name: an activation name or alias (see :func:`actcli.names`), or an expression such
            as ``"x*sigmoid(beta*x)"`` (its free identifiers are parameters), or a record.
        x: array-like input; float16/32/64 are kept, integers and bools become float64.
        **params: the activation's parameters (PyTorch's names); the rest take their defaults.

    Raises:
        UnknownActivationError, ParamError, InputError.
    """
    act, bound = _bind(name, params)
    return apply(act, bound, x)


def apply(act: Activation, bound: Mapping[str, Any], x: npt.ArrayLike) -> Array:
    """:func:`evaluate` for a record and parameters already bound with ``act.bind``: what the
    commands, plots and bench call once they have looked the name up at the edge."""
    arr = _input(x)
    return _run(act, act.kernels.for_dtype(arr.dtype)[0], arr, None, dict(bound))


def _input(x: Any) -> Array:
    # The common case, a native float32/float64 ndarray, needs no conversion call.
    if type(x) is np.ndarray and (x.dtype is _F64 or x.dtype is _F32):
        return x
    return as_float_array(x)


#: name -> (record, bound defaults): a call without parameters skips get() and bind() after the
#: first one. Records are immutable and bind() is deterministic, so this changes no behaviour.
_DEFAULTS: dict[str, tuple[Activation, dict[str, Any]]] = {}
_DEFAULTS_MAX = 512


def _bind(name: str | Activation, params: Mapping[str, Any]) -> tuple[Activation, dict[str, Any]]:
    if params or not isinstance(name, str):
        act = resolve(name)
        return act, act.bind(params)
    hit = _DEFAULTS.get(name)
    if hit is not None:
        return hit
    act = resolve(name)
    bound = act.bind(params)
    # Built-ins only: a user-defined name can be removed and defined again.
    if len(_DEFAULTS) < _DEFAULTS_MAX and act.source is None:
        _DEFAULTS[name] = (act, bound)
    return act, bound


def gradient(
    name: str | Activation,
    x: npt.ArrayLike,
    /,
    grad_output: npt.ArrayLike | None = None,
    *,
    order: int = 1,
    convention: str = "torch",
    **params: Any,
) -> Array:
    """The vector-Jacobian product d/dx sum(grad_output * f(x)), as ``torch.autograd.grad``.

    ``grad_output`` defaults to ones shaped like the output, which gives f'(x) for elementwise
    functions. The result has ``x``'s shape and float dtype.

    ``order=2`` (elementwise activations) differentiates once more: d/dx sum(grad_output *
    f'(x)) = grad_output * f''(x), f''(x) itself by default, with PyTorch's double-backward
    value at the kinks (relu'' = 0 everywhere).

    ``convention`` picks whose value the first derivative takes at the kinks where the
    libraries differ: ``"torch"`` (the default) or ``"jax"`` (``jax.grad``: leaky_relu'(0) = 1,
    hardtanh'(±1) = 1; the record's ``jax_kinks``).
    """
    act, bound = _bind(name, params)
    return apply_gradient(act, bound, x, grad_output, order=order, convention=convention)


def apply_gradient(
    act: Activation,
    bound: Mapping[str, Any],
    x: npt.ArrayLike,
    grad_output: npt.ArrayLike | None = None,
    *,
    order: int = 1,
    convention: str = "torch",
) -> Array:
    """:func:`gradient` for a record and parameters already bound with ``act.bind``."""
    if convention not in CONVENTIONS:
        raise ParamError(
            f"unknown convention {convention!r}; expected one of: {', '.join(CONVENTIONS)}"
        )
    bound = dict(bound)
    arr = _input(x)
    kernel = _kernel(act, arr.dtype, order)
    shape = output_shape(act, arr.shape, bound)
    if grad_output is None:
        ones = np.ones((), dtype=compute_dtype(act, arr.dtype, bound))
        # Large inputs get a read-only broadcast of 1, filled chunk by chunk: no array of N ones.
        g = np.broadcast_to(ones, shape) if arr.size > CHUNK else np.full(shape, ones)
    else:
        g = as_float_array(grad_output, "grad_output")
        if g.shape != shape:
            raise InputError(
                f"grad_output has shape {g.shape} but {act.name}'s output has shape {shape}"
            )
    result = _run(act, kernel, arr, g, bound)
    if convention == "jax" and order == 1 and act.kind == "elementwise":
        _jax_kinks(act, bound, arr, g, result)
    return result


#: Whose derivative values the kinks take (``gradient(..., convention=)``).
CONVENTIONS = ("torch", "jax")


def _jax_kinks(act: Activation, bound: Mapping[str, Any], x: Array, g: Any, out: Array) -> None:
    """Overwrite ``out`` with JAX's derivative (times g) where x is at one of the kinks where
    ``jax.grad`` differs from torch.autograd (``Activation.jax_kinks``)."""
    for point, slope in act.jax_kink_values(bound):
        hit = x == point
        if hit.any():
            out[hit] = slope * np.broadcast_to(g, x.shape)[hit]


def _kernel(act: Activation, dtype: np.dtype[Any], order: int) -> Callable[..., Array]:
    """The kernel of the ``order``-th derivative's VJP for results of ``dtype``."""
    if isinstance(order, bool) or order not in (1, 2):
        raise ParamError(f"the derivative order must be 1 or 2, got {order!r}")
    if order == 1:
        return act.kernels.for_dtype(dtype)[1]
    if act.kind != "elementwise" or act.kernels.second is None:
        raise ParamError(
            f"{act.name} has no second derivative (order 2 is for elementwise activations)"
        )
    return act.kernels.second


def _run(
    act: Activation,
    fn: Callable[..., Array],
    x: Array,
    g: Array | None,
    params: dict[str, Any],
) -> Array:
    out_dtype = x.dtype
    if getattr(fn, "native", False) and (out_dtype is _F64 or out_dtype is _F32):
        # A compiled kernel (actcli._kernels) has a float32 loop that computes in double and
        # rounds once, or a float-native one as accurate: float32 input goes in as it is.
        comp = out_dtype
    else:
        comp = compute_dtype(act, out_dtype, params)
    if act.kind == "axis":
        return _along_axis(act, fn, x, g, params, comp, out_dtype)
    if x.size == 0:
        return np.empty(x.shape, dtype=out_dtype)
    args = (x,) if g is None else (x, g)
    # A kernel may carry an ``into`` twin, into(x, [g,] out, **params), that writes its result
    # into ``out`` (of the output dtype, rounding once) instead of returning a new array: large
    # inputs then go straight into the result (a compiled loop in long runs, a NumPy kernel chunk
    # by chunk), with no temporary and no copy.
    into: Callable[..., None] | None = getattr(fn, "into", None)
    if x.size <= CHUNK or (act.kernels.chunkable is not None and not act.kernels.chunkable(params)):
        # Small inputs: one call, no chunks, no threads, and no conversion that is not needed.
        if x.ndim and comp is out_dtype and (g is None or g.dtype is comp):
            r = fn(*args, **params)
            if type(r) is np.ndarray and r.dtype is out_dtype and r.shape == x.shape:
                return r
        else:
            # Kernels always see arrays of at least one dimension (0-d becomes shape (1,)).
            r = fn(*(np.atleast_1d(a.astype(comp, copy=False)) for a in args), **params)
        with np.errstate(over="ignore"):  # see _round_into
            return np.asarray(r).astype(out_dtype, copy=False).reshape(x.shape)
    flat = tuple(_flat(a) for a in args)
    out = np.empty(x.size, dtype=out_dtype)
    if into is not None and comp is out_dtype and getattr(fn, "native", False):
        # A compiled loop: no chunk-sized temporaries, so each thread writes one long run of
        # whole chunks (the same chunk boundaries, so the same bits) in one call, without the
        # per-chunk Python overhead (15-20 % of a piecewise kernel's time at 4e6 elements).
        runs = tuple(_run_arg(a, comp) for a in flat)
        # The loops stream outputs whose data outgrow the cache; the runs of one evaluation
        # (over threads) share it, so each is told the bytes of the whole (a broadcast g moves
        # none).
        from ._kernels import set_stream_hint

        moved = out.nbytes + sum(a.nbytes for a in runs if any(a.strides))

        def run(start: int, stop: int) -> None:
            set_stream_hint(moved)
            try:
                into(*(a[start:stop] for a in runs), out[start:stop], **params)
            finally:
                set_stream_hint(0)

        _run_compiled(run, x.size, 1, CHUNK, moved, (fn, comp))
        return out.reshape(x.shape)

    def work(start: int, stop: int) -> None:
        chunk = [_chunk(a[start:stop], comp) for a in flat]
        if into is not None and comp is out_dtype:
            into(*chunk, out[start:stop], **params)
        elif into is not None:
            # Kernels may use their out= as scratch: fill a compute-dtype chunk, then round it
            # once into the result.
            scratch = np.empty_like(chunk[0])
            into(*chunk, scratch, **params)
            _round_into(out[start:stop], scratch)
        else:
            _round_into(out[start:stop], fn(*chunk, **params))

    _for_each(work, x.size, 1, CHUNK)
    return out.reshape(x.shape)


def _round_into(dst: Array, src: Array) -> None:
    """``dst[...] = src``, rounding to ``dst``'s dtype once. A float64 result beyond float32's
    (or float16's) range rounds to ±inf, the correctly rounded value, without a warning."""
    if dst.dtype == src.dtype:
        dst[...] = src
        return
    with np.errstate(over="ignore"):
        dst[...] = src


def _flat(a: Array) -> Array:
    if a.size > 1 and not any(a.strides):  # a broadcast constant (the default grad_output)
        return np.broadcast_to(a[(0,) * a.ndim], (a.size,))
    return np.ravel(a)


#: Seconds an element of each compiled loop took on the calling thread in its last evaluation of
#: SPLIT_MIN elements or more, alone or beside other threads, by (kernel, dtype): whether the
#: next evaluation below SPLIT_BYTES is split, and how unevenly (:func:`_shares`).
_seconds_per_element: dict[tuple[object, np.dtype[Any]], float] = {}


def _split_threads(key: tuple[object, np.dtype[Any]], elements: int, moved: int) -> int:
    """Threads a compiled loop's evaluation of ``elements`` elements, ``moved`` bytes read and
    written, is split over (1 where a second thread would cost more than it saves). Until the
    loop has been timed, a run below SPLIT_BYTES takes one thread (and is timed)."""
    threads = get_num_threads()
    if threads <= 1 or elements < SPLIT_MIN:
        return 1
    if moved >= SPLIT_BYTES:
        return threads
    per = _seconds_per_element.get(key)
    return threads if per is not None and per * elements >= SPLIT_SECONDS else 1


def _shares(units: int, chunk: int, threads: int, per_unit: float | None) -> list[tuple[int, int]]:
    """Each thread's ``(start, stop)`` of ``units`` units, in whole chunks of ``chunk`` units (the
    last may be short): equal, except that the first, the calling thread's, is longer by what
    it computes in HANDOFF_SECONDS at ``per_unit`` seconds a unit (when known), so that the
    threads end together. Fewer shares than threads when there are fewer chunks."""
    chunks = -(-units // chunk)
    threads = max(1, min(threads, chunks))
    skew = 0.0 if not per_unit or per_unit <= 0 else HANDOFF_SECONDS / (per_unit * chunk)
    first = min(chunks, max(1, round((chunks + skew * (threads - 1)) / threads)))
    sizes = [first]
    if first < chunks:
        q, r = divmod(chunks - first, threads - 1)
        sizes += [q + (i < r) for i in range(threads - 1) if q + (i < r)]
    bounds, start = [], 0
    for n in sizes:
        bounds.append((start * chunk, min((start + n) * chunk, units)))
        start += n
    return bounds


def _runs(start: int, stop: int, chunk: int, most: int) -> list[tuple[int, int]]:
    """One thread's share cut into equal runs of whole chunks, at most ``most`` chunks each."""
    chunks = -(-(stop - start) // chunk)
    per = -(-chunks // -(-chunks // most)) * chunk
    return [(s, min(s + per, stop)) for s in range(start, stop, per)]


def _run_compiled(
    work: Callable[[int, int], None],
    units: int,
    width: int,
    chunk: int,
    moved: int,
    key: tuple[object, np.dtype[Any]],
) -> None:
    """``work(start, stop)`` over ``units`` units (elements, or rows of ``width`` elements) of a
    compiled loop moving ``moved`` bytes: each thread (:func:`_split_threads`) takes one share
    (:func:`_shares`) in long runs of whole chunks of ``chunk`` units, the calling thread the
    first. Its run is timed: the loop's cost per element for the next evaluation's split."""
    elements = units * width
    threads = _split_threads(key, elements, moved)
    per = _seconds_per_element.get(key)
    shares = _shares(units, chunk, threads, None if per is None else per * width)
    # Runs of at most RUN_MAX elements: a Ctrl-C waits for one run at most.
    most = max(1, RUN_MAX // max(width, 1) // chunk)
    elapsed = _spread(work, [_runs(a, b, chunk, most) for a, b in shares])
    if elements >= SPLIT_MIN:
        _seconds_per_element[key] = elapsed / ((shares[0][1] - shares[0][0]) * width)


def _run_arg(a: Array, comp: np.dtype[Any]) -> Array:
    # An argument of a compiled loop in the compute dtype; a broadcast constant stays one (the
    # loops gather strided operands), converted once.
    if a.ndim and a.size > 1 and not any(a.strides):
        return np.broadcast_to(np.asarray(a[0], dtype=comp), a.shape)
    return a.astype(comp, copy=False)


def _chunk(a: Array, comp: np.dtype[Any]) -> Array:
    # A chunk in the compute dtype; a broadcast constant becomes a real (writable) array.
    if a.ndim and a.size > 1 and not any(a.strides):
        return np.array(a, dtype=comp)
    return a.astype(comp, copy=False)


_allocator_tuned = False
_tune_wanted = False


def tune_allocator(enable: bool = True) -> None:
    """Opt in (or out) of tuning glibc's allocator for chunked evaluations.

    By default glibc serves the 256-512 KiB temporaries of a chunk from the heap and then trims
    the heap top as soon as more than about 1 MiB is free, so every chunk page-faults its
    temporaries back in: at N = 1e7 that costs 2-10x (hardswish 500 -> 46 ms). A fixed mmap
    threshold of 32 MiB (the most glibc's own sliding threshold reaches) and a trim threshold
    of 64 MiB (the temporaries budget) end the churn. The mmap threshold is not lower: each
    result of 1-32 MiB would then be a fresh mapping, page-faulted on every call (relu6 on 4e6
    float32 elements: 1.8 -> 3.5 ms CPU per call).
    That setting is process-wide, so the library never makes it on its own: the CLI opts in,
    and a program embedding actcli may too. The tuning happens once, at the first chunked
    evaluation after opting in; ``ACTCLI_MALLOPT=0`` vetoes it. Not glibc: no-op.
    """
    global _tune_wanted
    _tune_wanted = enable


def _tune_allocator() -> None:
    global _allocator_tuned
    _allocator_tuned = True
    if os.environ.get("ACTCLI_MALLOPT", "1").strip() == "0" or not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        libc = ctypes.CDLL("libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # musl or another libc: nothing to tune
        return
    m_trim_threshold, m_mmap_threshold = -1, -3
    mallopt(m_mmap_threshold, 32 << 20)
    mallopt(m_trim_threshold, 64 << 20)


def _tune_once() -> None:
    if _tune_wanted and not _allocator_tuned:
        _tune_allocator()


def _for_each(work: Callable[[int, int], None], units: int, width: int, chunk: int) -> None:
    """``work(start, stop)`` on each chunk of ``chunk`` of ``units`` units (elements, or rows of
    ``width`` elements: a NumPy kernel's chunks), spread over the threads in contiguous shares
    where the input has PARALLEL_MIN elements or more."""
    threads = get_num_threads() if units * width >= PARALLEL_MIN else 1
    _spread(work, [_runs(a, b, chunk, 1) for a, b in _shares(units, chunk, threads, None)])


def _spread(work: Callable[[int, int], None], shares: list[list[tuple[int, int]]]) -> float:
    """``work(start, stop)`` on each run of each share, share i on thread i: the first on the
    calling thread (one hand-off fewer per call), the others on the pool, awaited in order
    (result() re-raises a worker's error). Returns the seconds the calling thread's share took.

    An error or Ctrl-C: the other threads stop after their current run, so the process can exit
    at once instead of finishing their share of the array."""
    _tune_once()
    stop = threading.Event()

    def run(runs: list[tuple[int, int]]) -> None:
        for a, b in runs:
            if stop.is_set():
                return
            work(a, b)

    try:
        rest = [_executor(get_num_threads()).submit(run, r) for r in shares[1:]]
        t0 = time.perf_counter()
        run(shares[0])
        elapsed = time.perf_counter() - t0
        for f in rest:
            f.result()
    except BaseException:
        stop.set()
        raise
    return elapsed


def _along_axis(
    act: Activation,
    fn: Callable[..., Array],
    x: Array,
    g: Array | None,
    params: dict[str, Any],
    comp: np.dtype[Any],
    out_dtype: np.dtype[Any],
) -> Array:
    axis = _axis(act, x.ndim, params["dim"])
    xa = x.reshape(1) if x.ndim == 0 else x
    xm = np.moveaxis(xa, axis, -1)
    n = xm.shape[-1]
    n_out = act.kernels.output_length(n) if act.kernels.output_length is not None else n
    if act.kernels.reduces:
        n_out = 1
    lead = xm.shape[:-1]
    rows = int(np.prod(lead))
    x2 = xm.reshape(rows, n)
    g2: Array | None = None
    if g is None:
        out2 = np.empty((rows, n_out), dtype=out_dtype)
    else:
        ga = g.reshape(1) if g.ndim == 0 else g
        if ga.size > 1 and not any(ga.strides):  # a broadcast constant: stays one
            g2 = np.broadcast_to(ga[(0,) * ga.ndim], (rows, n_out))
        elif act.kernels.reduces:  # g has no dim axis: one value per row
            g2 = ga.reshape(rows, 1)
        else:
            g2 = np.moveaxis(ga, axis, -1).reshape(rows, n_out)
        out2 = np.empty((rows, n), dtype=out_dtype)
    if x2.size:
        step = max(1, CHUNK // max(n, 1))
        # The row kernels (the gated ones too) round once into an output of either dtype: with
        # an ``into`` twin they write each chunk of rows straight into the result (no
        # temporary, no copy).
        into: Callable[..., None] | None = getattr(fn, "into", None) if comp is out_dtype else None
        native = into is not None and getattr(fn, "native", False)

        def work(start: int, stop: int) -> None:
            args = [x2[start:stop].astype(comp, copy=False)]
            if g2 is not None:
                args.append(
                    _run_arg(g2[start:stop], comp) if native else _chunk(g2[start:stop], comp)
                )
            if into is not None:
                into(*args, out2[start:stop], **params)
            else:
                _round_into(out2[start:stop], fn(*args, **params))

        if native:
            # A compiled row loop: long runs of rows, as for the elementwise loops (_run).
            g_bytes = 0 if g2 is None or not any(g2.strides) else g2.nbytes
            moved = x2.nbytes + out2.nbytes + g_bytes
            _run_compiled(work, rows, n, step, moved, (fn, comp))
        else:
            _for_each(work, rows, n, step)
    if g is None and act.kernels.reduces:
        return out2.reshape(lead if x.ndim else ())
    result = np.moveaxis(out2.reshape((*lead, out2.shape[-1])), -1, axis)
    if x.ndim == 0:
        return result.reshape(())
    return np.ascontiguousarray(result)
