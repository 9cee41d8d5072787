"""Check float32 forwards on every float32 input: the worst error in ulps, all 2^32 of them.

The float32 kernels of sigmoid, silu and exponential (smooth_f32.c) claim a bound in their
header comments; this measures it on every bit pattern (NaNs and infinities included), against
a float64 reference (relative error about 1e-16, i.e. 1e-8 float32 ulp: far below the figures
that matter), with actcli.accuracy.ulp_error's units (the smallest normal below it). Takes a
few minutes per function on a quiet machine.

Run:  python scripts/exhaustive_f32.py [exponential] [sigmoid] [silu] [--chunk-bits 24]
      python scripts/exhaustive_f32.py "silu'"   (gradients: g = 1 on every x, random g)
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import actcli  # noqa: E402
from actcli.accuracy import ulp_error  # noqa: E402

F64 = npt.NDArray[np.float64]


def _sigmoid64(x: F64) -> F64:
    e = np.exp(-np.abs(x))
    return np.asarray(np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)), dtype=np.float64)


def _exponential64(x: F64) -> F64:
    with np.errstate(over="ignore"):
        return np.asarray(np.exp(x), dtype=np.float64)


def _silu64(x: F64) -> F64:
    with np.errstate(invalid="ignore"):  # -inf * 0: NaN, replaced below
        y = x * _sigmoid64(x)
    return np.asarray(np.where(np.isneginf(x), 0.0, y), dtype=np.float64)


REFERENCES: dict[str, Callable[[F64], F64]] = {
    "exponential": _exponential64,
    "sigmoid": _sigmoid64,
    "silu": _silu64,
}


# sg32: gradients (g = 1, i.e. f'(x), on every float32 x; and random g on a sample), names
# "NAME'" in the command line.


def _silu_root() -> tuple[float, float, list[float]]:
    """silu's root x0 (silu'(x0) = 0, x0 = -1.2785) as a float64 pair and the Taylor
    coefficients of silu' at x0, from mpmath (40 digits)."""
    import mpmath as mp  # a test dependency: only this reference needs it

    mp.mp.dps = 40

    def slope(x: Any) -> Any:
        s = 1 / (1 + mp.exp(-x))
        return s * (1 + x * (1 - s))

    x0 = mp.findroot(slope, -1.2785)
    x0h = float(x0)
    return x0h, float(x0 - x0h), [float(c) for c in mp.taylor(slope, x0, 18)]


def _silu_grad64(x: F64) -> F64:
    """silu'(x) = s (1 + x (1 - s)) (1 - s = e / (1 + e) or 1 / (1 + e), e = e^-|x|: no
    cancellation), and within 1/4 of the root (where 1 + x (1 - s) cancels) its Taylor series
    there (truncation below 2^-45 relative), d = x - x0 as a pair: about 1e-16 relative."""
    x0h, x0l, coef = _silu_root()
    e = np.exp(-np.abs(x))
    s = np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    t = np.where(x >= 0, e / (1.0 + e), 1.0 / (1.0 + e))
    with np.errstate(invalid="ignore", over="ignore"):
        y = s * (1.0 + x * t)
    y = np.where(np.isposinf(x), 1.0, np.where(np.isneginf(x), 0.0, y))
    d = (x - x0h) - x0l  # x - x0h is exact near x0 (Sterbenz)
    near = np.abs(d) < 0.25
    dn = np.where(near, d, 0.0)
    p = np.zeros_like(dn)
    for c in reversed(coef[1:]):
        p = p * dn + c
    return np.asarray(np.where(near, dn * p, y), dtype=np.float64)


def _sigmoid_grad64(x: F64) -> F64:
    """sigmoid'(x) = e / (1 + e)^2, e = e^-|x| (no cancellation)."""
    e = np.exp(-np.abs(x))
    return np.asarray(e / ((1.0 + e) * (1.0 + e)), dtype=np.float64)


GRADIENTS: dict[str, Callable[[F64], F64]] = {
    "sigmoid": _sigmoid_grad64,
    "silu": _silu_grad64,
}


def worst_grad(name: str, chunk_bits: int) -> tuple[float, float, int]:
    """The worst ulp error of ``name``'s float32 gradient with g = 1 (f'(x)) over all float32
    x, where, and how many inputs are above 0.5 ulp."""
    ref = GRADIENTS[name]
    top, where, above = 0.0, 0.0, 0
    step = 1 << chunk_bits
    for start in range(0, 1 << 32, step):
        x = np.arange(start, start + step, dtype=np.uint64).astype(np.uint32).view(np.float32)
        y = actcli.gradient(name, x)
        with np.errstate(over="ignore", invalid="ignore"):
            err = ulp_error(y, ref(x.astype(np.float64)), None, np.float32)
        i = int(np.argmax(err))
        if err[i] > top:
            top, where = float(err[i]), float(x[i])
        above += int(np.count_nonzero(err > 0.5))
    return top, where, above


def worst_grad_random(name: str, n: int, seed: int) -> tuple[float, float, float]:
    """The worst ulp error of ``name``'s float32 VJP g f'(x) on ``n`` random (x, g): x of
    random bits (finite), g of random sign, mantissa and exponent in [2^-40, 2^40]; the
    reference g f'(x) in float64 (exact product of float32 g and the float64 f')."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 1 << 32, n, dtype=np.uint64).astype(np.uint32).view(np.float32)
    x = x[np.isfinite(x)]
    g = (rng.uniform(1.0, 2.0, x.size) * np.exp2(rng.integers(-40, 41, x.size))).astype(
        np.float32
    ) * rng.choice(np.array([-1.0, 1.0], dtype=np.float32), x.size)
    y = actcli.gradient(name, x, g)
    with np.errstate(over="ignore", invalid="ignore"):
        err = ulp_error(
            y, g.astype(np.float64) * GRADIENTS[name](x.astype(np.float64)), None, np.float32
        )
    i = int(np.argmax(err))
    return float(err[i]), float(x[i]), float(g[i])


# |x| in [2^-26, 128): the bit patterns 0x32800000 .. 0x43000000, and with the sign bit set.
# Outside it the functions here round to 0.5, x/2, 1, 0, x or +-inf (the edge tests' values).
CORE = ((0x32800000, 0x43000000), (0xB2800000, 0xC3000000))


def worst(name: str, chunk_bits: int, core: bool = False) -> tuple[float, float, int]:
    """The worst ulp error of ``name``'s float32 forward over all float32 inputs (``core``:
    those with 2^-26 <= |x| < 128), where, and how many inputs are above 0.5 ulp."""
    ref = REFERENCES[name]
    step = 1 << chunk_bits
    top, where, above = 0.0, 0.0, 0
    spans = CORE if core else ((0, 1 << 32),)
    for lo, hi in spans:
        top, where, above = _scan(name, ref, lo, hi, step, (top, where, above))
    return top, where, above


def _scan(
    name: str,
    ref: Callable[[F64], F64],
    lo: int,
    hi: int,
    step: int,
    acc: tuple[float, float, int],
) -> tuple[float, float, int]:
    top, where, above = acc
    for start in range(lo, hi, step):
        stop = min(start + step, hi)
        x = np.arange(start, stop, dtype=np.uint64).astype(np.uint32).view(np.float32)
        y = actcli.evaluate(name, x)
        with np.errstate(over="ignore", invalid="ignore"):
            err = ulp_error(y, ref(x.astype(np.float64)), None, np.float32)
        i = int(np.argmax(err))
        if err[i] > top:
            top, where = float(err[i]), float(x[i])
        above += int(np.count_nonzero(err > 0.5))
    return top, where, above


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", default=sorted(REFERENCES))
    parser.add_argument("--chunk-bits", type=int, default=24)
    parser.add_argument(
        "--core", action="store_true", help="only 2^-26 <= |x| < 128 (an eighth of the floats)"
    )
    args = parser.parse_args()
    for name in (n[:-1] for n in args.names if n.endswith("'")):
        top, where, above = worst_grad(name, args.chunk_bits)
        print(
            f"{name} float32 gradient (g = 1), every float32 x: worst {top:.4f} ulp at "
            f"x = {where!r} ({above} above 0.5 ulp)",
            flush=True,
        )
        top, where, g = worst_grad_random(name, 1 << 24, 32)
        print(
            f"{name} float32 VJP, 2^24 random (x, g): worst {top:.4f} ulp at x = {where!r}, "
            f"g = {g!r}",
            flush=True,
        )
    for name in (n for n in args.names if not n.endswith("'")):
        top, where, above = worst(name, args.chunk_bits, args.core)
        span = "2^-26 <= |x| < 128" if args.core else "every float32 x"
        print(
            f"{name} float32 forward, {span}: worst {top:.4f} ulp at x = {where!r} "
            f"({above} above 0.5 ulp)",
            flush=True,
        )


if __name__ == "__main__":
    main()
