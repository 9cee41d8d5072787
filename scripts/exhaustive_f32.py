"""Check float32 kernels on every float32 input: the worst error in ulps, all 2^32 of them.

The float32 kernels of sigmoid, silu and exponential (smooth_f32.c) and exact GELU (gelu.c)
claim a bound in their header comments; this measures it on every bit pattern (NaNs and
infinities included), against a float64 reference (relative error about 1e-16, i.e. 1e-8
float32 ulp: far below the figures that matter), with actcli.accuracy.ulp_error's units (the
smallest normal below it). --gradient checks the gradient instead, where a reference is given
(gelu, sigmoid, silu): g = 1 on every x, then g f'(x) on 2^24 random (x, g). Takes a few
minutes per function on a quiet machine.

Run:  python scripts/exhaustive_f32.py [exponential] [gelu] [sigmoid] [silu] [--gradient]
          [--chunk-bits 24] [--core]
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


def _phi_parts(x: F64) -> tuple[F64, F64]:
    """Phi(x) = erfc(-x/sqrt 2)/2 (no cancellation on either side) and x phi(x) (x^2 is exact
    for a float32 x)."""
    from scipy.special import erfc  # only for gelu

    big = np.minimum(np.abs(x), 40.0)  # x phi(x) is 0 in float64 beyond; -inf * 0 avoided
    xphi = np.copysign(big, x) * np.exp(-0.5 * big * big) / np.sqrt(2.0 * np.pi)
    return np.asarray(erfc(-x / np.sqrt(2.0)) / 2.0, dtype=np.float64), xphi


def _gelu64(x: F64) -> F64:
    phi, _ = _phi_parts(x)
    with np.errstate(invalid="ignore"):  # -inf * 0: NaN, replaced below
        y = x * phi
    return np.asarray(np.where(np.isneginf(x), -0.0, y), dtype=np.float64)


# GELU's gradient crosses zero at -0.75179...: within 2^-10 of it the float64 sum cancels by up
# to 1e3 (still 1e-13 relative); closer, the few thousand floats are evaluated by mpmath.
GELU_ROOT_WINDOW = (-0.7528, -0.7508)


def _gelu_grad64(x: F64) -> F64:
    phi, xphi = _phi_parts(x)
    d = np.asarray(np.where(np.isnan(x), x, phi + xphi), dtype=np.float64)
    near = np.flatnonzero((x > GELU_ROOT_WINDOW[0]) & (x < GELU_ROOT_WINDOW[1]))
    if near.size:
        import mpmath  # only for the floats next to the zero crossing

        mpmath.mp.dps = 40
        for i in near:
            t = mpmath.mpf(float(x[i]))
            d[i] = float(mpmath.ncdf(t) + t * mpmath.npdf(t))
    return d


REFERENCES: dict[str, Callable[[F64], F64]] = {
    "exponential": _exponential64,
    "gelu": _gelu64,
    "sigmoid": _sigmoid64,
    "silu": _silu64,
}


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
    "gelu": _gelu_grad64,
    "sigmoid": _sigmoid_grad64,
    "silu": _silu_grad64,
}


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


def worst(
    name: str, chunk_bits: int, core: bool = False, gradient: bool = False
) -> tuple[float, float, int]:
    """The worst ulp error of ``name``'s float32 forward (``gradient``: its gradient, g = 1)
    over all float32 inputs (``core``: those with 2^-26 <= |x| < 128), where, and how many
    inputs are above 0.5 ulp."""
    ref = (GRADIENTS if gradient else REFERENCES)[name]
    step = 1 << chunk_bits
    top, where, above = 0.0, 0.0, 0
    spans = CORE if core else ((0, 1 << 32),)
    for lo, hi in spans:
        top, where, above = _scan(name, ref, lo, hi, step, (top, where, above), gradient)
    return top, where, above


def _scan(
    name: str,
    ref: Callable[[F64], F64],
    lo: int,
    hi: int,
    step: int,
    acc: tuple[float, float, int],
    gradient: bool = False,
) -> tuple[float, float, int]:
    top, where, above = acc
    for start in range(lo, hi, step):
        stop = min(start + step, hi)
        x = np.arange(start, stop, dtype=np.uint64).astype(np.uint32).view(np.float32)
        y = actcli.gradient(name, x) if gradient else actcli.evaluate(name, x)
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
    parser.add_argument(
        "--gradient", action="store_true", help="the gradient (g = 1), not the forward"
    )
    args = parser.parse_args()
    for name in args.names:
        if args.gradient and name not in GRADIENTS:
            parser.error(f"no gradient reference for {name} (have: {', '.join(GRADIENTS)})")
        top, where, above = worst(name, args.chunk_bits, args.core, args.gradient)
        span = "2^-26 <= |x| < 128" if args.core else "every float32 x"
        what = "gradient (g = 1)" if args.gradient else "forward"
        print(
            f"{name} float32 {what}, {span}: worst {top:.4f} ulp at x = {where!r} "
            f"({above} above 0.5 ulp)",
            flush=True,
        )
        if args.gradient:
            top, where, g = worst_grad_random(name, 1 << 24, 32)
            print(
                f"{name} float32 VJP, 2^24 random (x, g): worst {top:.4f} ulp at x = {where!r}, "
                f"g = {g!r}",
                flush=True,
            )


if __name__ == "__main__":
    main()
