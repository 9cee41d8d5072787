"""Check float32 kernels on every float32 input: the worst error in ulps, all 2^32 of them.

The float32 kernels claim a bound in their header comments; this measures it on every bit
pattern (NaNs and infinities included) for each function whose record declares a float64
reference (``Activation.reference64``: within 2e-15 relative, i.e. 1e-7 float32 ulp, far
below the figures that matter), with actcli.accuracy.ulp_error's units (the smallest normal
below it). --gradient checks the gradient instead, where the reference has a derivative: g = 1
on every x, then g f'(x) on 2^24 random (x, g). Takes a few minutes per function on a quiet
machine. Needs the ``test`` extra (SciPy, mpmath).

Run:  python scripts/exhaustive_f32.py [NAME ...] [--gradient] [--chunk-bits 24] [--core]
      (NAME: every function with a reference when none is given)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import actcli  # noqa: E402
from actcli.accuracy import ulp_error  # noqa: E402
from actcli.records import Reference  # noqa: E402


def references(gradient: bool = False) -> dict[str, Reference]:
    """The catalog's float64 references (``Activation.reference64``), by name: the forwards, or
    (``gradient``) the derivatives, where the record declares one."""
    out: dict[str, Reference] = {}
    for name in actcli.names():
        ref = actcli.get(name).reference64
        fn = None if ref is None else (ref.derivative if gradient else ref.forward)
        if fn is not None:
            out[name] = fn
    return out


def worst_grad_random(name: str, slope: Reference, n: int, seed: int) -> tuple[float, float, float]:
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
        err = ulp_error(y, g.astype(np.float64) * slope(x.astype(np.float64)), None, np.float32)
    i = int(np.argmax(err))
    return float(err[i]), float(x[i]), float(g[i])


# |x| in [2^-26, 128): the bit patterns 0x32800000 .. 0x43000000, and with the sign bit set.
# Outside it the functions here round to 0.5, x/2, 1, 0, x or +-inf (the edge tests' values).
CORE = ((0x32800000, 0x43000000), (0xB2800000, 0xC3000000))


def worst(
    name: str, ref: Reference, chunk_bits: int, core: bool = False, gradient: bool = False
) -> tuple[float, float, int]:
    """The worst ulp error of ``name``'s float32 forward (``gradient``: its gradient, g = 1)
    over all float32 inputs (``core``: those with 2^-26 <= |x| < 128), where, and how many
    inputs are above 0.5 ulp, against the float64 reference ``ref`` (f, or f' for ``gradient``)."""
    step = 1 << chunk_bits
    top, where, above = 0.0, 0.0, 0
    spans = CORE if core else ((0, 1 << 32),)
    for lo, hi in spans:
        top, where, above = _scan(name, ref, lo, hi, step, (top, where, above), gradient)
    return top, where, above


def _scan(
    name: str,
    ref: Reference,
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
    forwards, slopes = references(), references(gradient=True)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", default=sorted(forwards))
    parser.add_argument("--chunk-bits", type=int, default=24)
    parser.add_argument(
        "--core", action="store_true", help="only 2^-26 <= |x| < 128 (an eighth of the floats)"
    )
    parser.add_argument(
        "--gradient", action="store_true", help="the gradient (g = 1), not the forward"
    )
    args = parser.parse_args()
    refs = slopes if args.gradient else forwards
    for name in args.names:
        if name not in refs:
            what = "gradient reference" if args.gradient else "reference"
            parser.error(f"no {what} for {name} (have: {', '.join(refs)})")
    for name in args.names:
        top, where, above = worst(name, refs[name], args.chunk_bits, args.core, args.gradient)
        span = "2^-26 <= |x| < 128" if args.core else "every float32 x"
        what = "gradient (g = 1)" if args.gradient else "forward"
        print(
            f"{name} float32 {what}, {span}: worst {top:.4f} ulp at x = {where!r} "
            f"({above} above 0.5 ulp)",
            flush=True,
        )
        if args.gradient:
            top, where, g = worst_grad_random(name, refs[name], 1 << 24, 32)
            print(
                f"{name} float32 VJP, 2^24 random (x, g): worst {top:.4f} ulp at x = {where!r}, "
                f"g = {g!r}",
                flush=True,
            )


if __name__ == "__main__":
    main()
