"""Check float32 forwards on every float32 input: the worst error in ulps, all 2^32 of them.

The float32 kernels of sigmoid, silu and exponential (smooth_f32.c) claim a bound in their
header comments; this measures it on every bit pattern (NaNs and infinities included), against
a float64 reference (relative error about 1e-16, i.e. 1e-8 float32 ulp: far below the figures
that matter), with actcli.accuracy.ulp_error's units (the smallest normal below it). Takes a
few minutes per function on a quiet machine.

Run:  python scripts/exhaustive_f32.py [exponential] [sigmoid] [silu] [--chunk-bits 24]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

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
    for name in args.names:
        top, where, above = worst(name, args.chunk_bits, args.core)
        span = "2^-26 <= |x| < 128" if args.core else "every float32 x"
        print(
            f"{name} float32 forward, {span}: worst {top:.4f} ulp at x = {where!r} "
            f"({above} above 0.5 ulp)",
            flush=True,
        )


if __name__ == "__main__":
    main()
