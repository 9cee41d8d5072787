"""Measure the compiled elementary functions (actcli/_kernels/act_math.h) against mpmath.

For each of exp, expm1, log1p, tanh, erf and erfc: random points (uniform, and log-uniform in
magnitude) over each range below plus the edges, the error of the float64 loop in float64 ulps
(the ulp of the exact value; below the smallest normal, in units of it), max and 99.9th
percentile, for every instruction set this CPU runs. The bounds quoted in act_math.h come from
this script.

Run: python scripts/measure_elementary.py [--points N]
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

import mpmath as mp
import numpy as np

from actcli import _kernels

mp.mp.dps = 40
TINY = float(np.finfo(np.float64).tiny)

#: name, mpmath function, ranges (lo, hi, "lin" or "log" sampling; log: |x| log-uniform, sign of lo)
FUNCTIONS: list[tuple[str, Callable[[Any], Any], list[tuple[float, float, str]]]] = [
    ("exp", mp.exp, [(-745.0, 709.78, "lin"), (-1.0, 1.0, "lin"), (1e-300, 1.0, "log")]),
    ("expm1", mp.expm1, [(-40.0, 709.0, "lin"), (-1.0, 1.0, "lin"), (1e-300, 1.0, "log"),
                         (-1.0, -1e-300, "log")]),
    ("log1p", mp.log1p, [(0.0, 1.0, "lin"), (1e-300, 1e300, "log"), (1e-20, 1e-5, "log")]),
    ("tanh", mp.tanh, [(-20.0, 20.0, "lin"), (-1.0, 1.0, "lin"), (1e-300, 1.0, "log")]),
    ("erf", mp.erf, [(-6.0, 6.0, "lin"), (-1.0, 1.0, "lin"), (1e-300, 1.0, "log")]),
    ("erfc", mp.erfc, [(-6.0, 27.3, "lin"), (-1.0, 1.0, "lin"), (0.4, 9.0, "lin"),
                       (1e-300, 1.0, "log")]),
]  # fmt: skip


def sample(rng: np.random.Generator, lo: float, hi: float, how: str, n: int) -> np.ndarray:
    if how == "lin":
        return rng.uniform(lo, hi, n)
    a, b = sorted((abs(lo), abs(hi)))
    mag = np.exp(rng.uniform(np.log(a), np.log(b), n))
    return -mag if lo < 0 else mag


def ulp_errors(y: np.ndarray, x: np.ndarray, f: Callable[[Any], Any]) -> np.ndarray:
    err = np.empty(x.size)
    for i, (xi, yi) in enumerate(zip(x.tolist(), y.tolist(), strict=True)):
        exact = f(mp.mpf(xi))
        ref = float(exact)
        if not np.isfinite(ref) or not np.isfinite(yi):
            err[i] = 0.0 if yi == ref else np.inf
            continue
        unit = max(float(np.spacing(abs(ref))), TINY) if abs(ref) >= TINY else TINY
        err[i] = float(abs(mp.mpf(yi) - exact) / unit)
    return err


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=20000, help="random points per range")
    args = parser.parse_args()
    best = _kernels.get_isa()
    isas = ["baseline", "avx2", "avx512f"]
    isas = isas[: isas.index(best) + 1]
    for name, f, ranges in FUNCTIONS:
        uf = _kernels.ufunc("elem_" + name)
        for lo, hi, how in ranges:
            x = sample(np.random.default_rng(0), lo, hi, how, args.points)
            x = np.concatenate([x, [lo, hi]])
            for isa in isas:
                _kernels.set_isa(isa)
                e = ulp_errors(uf(x), x, f)
                print(
                    f"{name:6} [{lo:.3g}, {hi:.3g}] {how:3} {isa:8} "
                    f"max {e.max():.3f} ulp  p99.9 {np.quantile(e, 0.999):.3f} ulp"
                )
        _kernels.set_isa("best")


if __name__ == "__main__":
    main()
