"""The compiled kernels: NumPy ufuncs, one forward and one VJP per kernel (C sources here).

``_ufuncs`` is the C extension built from this folder (``module.c`` registers the kernels of
``piecewise.c``, ...). For a kernel ``NAME`` with parameters ``p1, p2`` it holds the ufuncs
``NAME(x, p1, p2)`` and ``NAME_vjp(x, g, p1, p2)``: float32 and float64 loops (float32 computed
in double and rounded once), parameters as float64 inputs that broadcast, so ``out=``,
``where=`` and broadcasting work as for any ufunc. :func:`forward` and :func:`vjp` wrap one into
the kernel signature the records use (keyword-only parameters, an ``into`` twin that writes
into ``out``); :func:`rows` does the same for the softmax family's row gufuncs (``(n)->(n)``).

The loops exist for the x86-64 baseline, AVX2+FMA and AVX-512F; the best one the CPU runs is
chosen at import. :func:`set_isa` (``"baseline"``, ``"avx2"``, ``"avx512f"`` or ``"best"``)
forces one, as does the environment variable ``ACTCLI_ISA`` at import; :func:`get_isa` tells
which one runs. Outputs of contiguous calls that read and write more bytes than half the
largest cache are written with streaming (non-temporal) stores, the same bits without reading each
output line first (``act_stream.h``); :func:`set_stream_bytes` sets that threshold (0: never)
and returns the previous one, :func:`get_stream_bytes` reads it, and :func:`set_stream_hint`
tells the calling thread's next calls the bytes of the whole evaluation they are runs of (the
engine splits one evaluation over threads). The ``elem_*`` ufuncs expose the elementary
functions (exp, expm1, log1p, tanh) for scripts/measure_elementary.py.

:data:`float32_native` names the kernels whose float32 loops are float-native (``*_f32.c``,
and the kernels of a family file that say so: 8 lanes on AVX2, computed with pairs of floats
and rounded once, within 1 float32 ulp) instead of computed in double; their float64 loops
are unchanged, so for them the float32 result is no longer the float64 loop's result rounded,
only as accurate.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from . import _ufuncs

Array = npt.NDArray[np.floating[Any]]

__all__ = [
    "choose",
    "float32_native",
    "forward",
    "get_isa",
    "get_stream_bytes",
    "param_rows",
    "rows",
    "set_isa",
    "set_stream_bytes",
    "set_stream_hint",
    "ufunc",
    "vjp",
]

get_isa = _ufuncs.get_isa
set_isa = _ufuncs.set_isa
set_stream_bytes = _ufuncs.set_stream_bytes
get_stream_bytes = _ufuncs.get_stream_bytes
set_stream_hint = _ufuncs.set_stream_hint
float32_native: tuple[str, ...] = _ufuncs.float32_native


def ufunc(name: str) -> np.ufunc:
    """The compiled ufunc called ``name`` (``relu``, ``relu_vjp``, ...)."""
    uf: np.ufunc = getattr(_ufuncs, name)
    return uf


def _signature(arrays: tuple[str, ...], params: tuple[str, ...]) -> inspect.Signature:
    P = inspect.Parameter
    return inspect.Signature(
        [P(a, P.POSITIONAL_OR_KEYWORD) for a in arrays] + [P(p, P.KEYWORD_ONLY) for p in params]
    )


def forward(name: str, params: tuple[str, ...] = ()) -> Callable[..., Array]:
    """The forward kernel ``f(x, **params)`` over the ufunc ``name`` (parameters in order)."""
    uf = ufunc(name)

    if params:

        def kernel(x: Array, **p: Any) -> Array:
            return uf(x, *[p[k] for k in params])

        def into(x: Array, out: Array, **p: Any) -> None:
            uf(x, *[p[k] for k in params], out=out)

    else:  # no argument list to build: what a small array's call costs is mostly this wrapper

        def kernel(x: Array, **p: Any) -> Array:
            return uf(x)

        def into(x: Array, out: Array, **p: Any) -> None:
            uf(x, out=out)

    return _named(kernel, into, name, ("x",), params, name in float32_native)


def vjp(name: str, params: tuple[str, ...] = ()) -> Callable[..., Array]:
    """The VJP kernel ``f'(x, **params) * g`` over the ufunc ``name + '_vjp'``."""
    uf = ufunc(name + "_vjp")

    def kernel(x: Array, g: Array, **p: Any) -> Array:
        return uf(x, g, *[p[k] for k in params])

    def into(x: Array, g: Array, out: Array, **p: Any) -> None:
        uf(x, g, *[p[k] for k in params], out=out)

    return _named(kernel, into, name + "_vjp", ("x", "g"), params, name in float32_native)


def _named(
    kernel: Callable[..., Array],
    into: Callable[..., None],
    name: str,
    arrays: tuple[str, ...],
    params: tuple[str, ...],
    f32_native: bool = False,
) -> Callable[..., Array]:
    kernel.__name__ = kernel.__qualname__ = name
    kernel.__signature__ = _signature(arrays, params)  # type: ignore[attr-defined]
    kernel.into = into  # type: ignore[attr-defined]
    # The ufunc has float32 and float64 loops: the engine may hand it either dtype.
    kernel.native = True  # type: ignore[attr-defined]
    # Its float32 loop is float-native (see float32_native): not the float64 loop rounded.
    kernel.float32_native = f32_native  # type: ignore[attr-defined]
    return kernel


def choose(param: str, names: dict[str, str], *, vjp: bool = False) -> Callable[..., Array]:
    """A kernel whose string parameter ``param`` picks the ufunc: ``names[value]``.

    (GELU's ``approximate``: ``choose("approximate", {"none": "gelu", "tanh": "gelu_tanh"})``.)
    """
    suffix = "_vjp" if vjp else ""
    ufuncs = {value: ufunc(name + suffix) for value, name in names.items()}
    arrays = ("x", "g") if vjp else ("x",)

    def kernel(*a: Array, **p: Any) -> Array:
        return ufuncs[p[param]](*a)

    def into(*a: Array, **p: Any) -> None:
        ufuncs[p[param]](*a[:-1], out=a[-1])

    f32_native = any(n in float32_native for n in names.values())
    return _named(kernel, into, "_or_".join(names.values()) + suffix, arrays, (param,), f32_native)


def rows(name: str, *, vjp: bool = False) -> Callable[..., Array]:
    """A softmax-family kernel ``f(x, *, dim)`` (or ``f(x, g, *, dim)``) over the row gufunc
    ``name`` (signature ``(n)->(n)``): the engine has moved ``dim`` last, so it is not passed."""
    uf = ufunc(name + "_vjp" if vjp else name)

    def kernel(*a: Array, **p: Any) -> Array:
        return uf(*a)

    def into(*a: Array, **p: Any) -> None:
        uf(*a[:-1], out=a[-1])

    arrays = ("x", "g") if vjp else ("x",)
    return _named(kernel, into, name + ("_vjp" if vjp else ""), arrays, ("dim",))


def param_rows(
    name: str | dict[str, str],
    params: tuple[str, ...] = (),
    *,
    codes: dict[str, dict[str, float]] | None = None,
    pick: str | None = None,
    out: str = "same",
    vjp: bool = False,
) -> Callable[..., Array]:
    """A kernel ``f(x, *, dim, **params)`` (or ``f(x, g, *, dim, **params)``) over a row gufunc
    with parameters (``act_prows.h``): ``params`` are passed in order as float64, a string
    parameter through ``codes[param][value]``. ``name`` may map the values of parameter
    ``pick`` to ufunc names (geglu's ``approximate``). ``out``: ``"same"``, ``"half"`` (the
    forward's output, n/2 per row, is allocated here) or ``"drop"`` (one value per row, given
    and returned as shape ``(rows, 1)``)."""
    names = name if isinstance(name, dict) else {"": name}
    suffix = "_vjp" if vjp else ""
    ufuncs = {k: ufunc(v + suffix) for k, v in names.items()}
    codes = codes or {}

    def args(p: dict[str, Any]) -> tuple[np.ufunc, list[Any]]:
        uf = ufuncs[p[pick]] if pick is not None else ufuncs[""]
        return uf, [codes[k][p[k]] if k in codes else p[k] for k in params]

    def kernel(*a: Array, **p: Any) -> Array:
        uf, vals = args(p)
        x = a[0]
        if vjp:
            g = a[1][..., 0] if out == "drop" else a[1]
            return uf(x, g, *vals)
        if out == "half":
            return uf(x, *vals, out=np.empty((*x.shape[:-1], x.shape[-1] // 2), dtype=x.dtype))
        r = uf(x, *vals)
        return r[..., None] if out == "drop" else r

    def into(*a: Array, **p: Any) -> None:
        if out == "drop" or a[-1].dtype != a[0].dtype:
            a[-1][...] = kernel(*a[:-1], **p)
            return
        uf, vals = args(p)  # straight into the caller's array: no temporary, no copy
        uf(*a[:-1], *vals, out=a[-1])

    arrays = ("x", "g") if vjp else ("x",)
    label = "_or_".join(names.values()) + suffix
    return _named(kernel, into, label, arrays, ("dim", *params, *([pick] if pick else [])))
