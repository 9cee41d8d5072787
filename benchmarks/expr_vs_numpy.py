"""Expressions (issue 12) against the same formula written directly in NumPy, at 1e7 elements.

For each formula, times ``actcli.evaluate(expression, x)`` (the engine: chunks, threads) and the
formula as plain whole-array NumPy, float64 input, and prints the ratio (expression time over
NumPy time; the target is <= 2). The gradient column times ``actcli.gradient`` (forward-mode
automatic differentiation) against the derivative written by hand in NumPy.

    python benchmarks/expr_vs_numpy.py                 # default threads
    python benchmarks/expr_vs_numpy.py --threads 1     # one thread, the fairest comparison
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from scipy.special import erf

import actcli

Array = Any


def _sig(z: Array) -> Array:
    return 1.0 / (1.0 + np.exp(-z))


def _quick_gelu_grad(x: Array) -> Array:
    s = _sig(1.702 * x)
    return s * (1.0 + 1.702 * x * (1.0 - s))


def _mish_grad(x: Array) -> Array:
    sp = np.log(1.0 + np.exp(x))
    t = np.tanh(sp)
    return t + x * (1.0 - t * t) * _sig(x)


#: (expression, NumPy forward, NumPy derivative)
CASES: list[tuple[str, Callable[[Array], Array], Callable[[Array], Array]]] = [
    ("x*sigmoid(1.702*x)", lambda x: x * _sig(1.702 * x), _quick_gelu_grad),
    (
        "x*tanh(log(1 + exp(x)))",
        lambda x: x * np.tanh(np.log(1.0 + np.exp(x))),
        _mish_grad,
    ),
    (
        "where(x > 0, x, 0.2*x)",
        lambda x: np.where(x > 0, x, 0.2 * x),
        lambda x: np.where(x > 0, 1.0, 0.2),
    ),
    (
        "0.5*x*(1 + erf(x/sqrt(2)))",
        lambda x: 0.5 * x * (1.0 + erf(x / np.sqrt(2.0))),
        lambda x: (
            0.5 * (1.0 + erf(x / np.sqrt(2.0))) + x * np.exp(-0.5 * x * x) / np.sqrt(2.0 * np.pi)
        ),
    ),
    ("x**3 - 2*x", lambda x: x**3 - 2.0 * x, lambda x: 3.0 * x**2 - 2.0),
]


def best_of(fn: Callable[[], Any], repeats: int) -> float:
    fn()  # warm-up (first-touch page faults, lazy imports, compiled-expression cache)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=float, default=1e7)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    actcli.set_num_threads(args.threads)
    x = np.random.default_rng(0).normal(scale=3.0, size=int(args.size))
    print(
        f"N = {x.size:.0e} float64, {actcli.get_num_threads()} thread(s), median of {args.repeats}"
    )
    print(
        f"{'expression':30} {'expr':>9} {'numpy':>9} {'ratio':>6} "
        f"{'grad':>9} {'numpy':>9} {'ratio':>6}"
    )
    ratios = []
    for text, fwd, der in CASES:
        with np.errstate(all="ignore"):
            np.testing.assert_allclose(actcli.evaluate(text, x[:1000]), fwd(x[:1000]), rtol=1e-12)
            te = best_of(lambda t=text: actcli.evaluate(t, x), args.repeats)
            tn = best_of(lambda f=fwd: f(x), args.repeats)
            ge = best_of(lambda t=text: actcli.gradient(t, x), args.repeats)
            gn = best_of(lambda d=der: d(x), args.repeats)
        ratios.append(te / tn)
        print(
            f"{text:30} {te * 1e3:7.1f}ms {tn * 1e3:7.1f}ms {te / tn:6.2f} "
            f"{ge * 1e3:7.1f}ms {gn * 1e3:7.1f}ms {ge / gn:6.2f}"
        )
    geo = float(np.exp(np.mean(np.log(ratios))))
    print(f"forward: worst ratio {max(ratios):.2f}, geometric mean {geo:.2f} (target <= 2)")


if __name__ == "__main__":
    main()
