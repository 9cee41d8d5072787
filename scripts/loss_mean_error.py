"""The error of actcli's ``mean`` reduction over 1e6 float64 elements, in ulps, against the
exactly rounded mean (math.fsum's correctly rounded sum plus fsum's correctly rounded
remainder, divided as a Fraction), next to ``math.fsum(terms) / N`` and ``np.mean``.

Run:  python scripts/loss_mean_error.py [--trials T] [--size N]
"""

from __future__ import annotations

import argparse
import math
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import actcli
from actcli import lossengine


def exact_mean(terms: np.ndarray) -> float:
    values = terms.tolist()
    hi = math.fsum(values)
    lo = math.fsum([*values, -hi])
    return float((Fraction(hi) + Fraction(lo)) / terms.size)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--size", type=int, default=1_000_000)
    args = parser.parse_args()
    rng = np.random.default_rng(14)
    cases = (("mse_loss", "normal"), ("mse_loss", "lognormal"), ("l1_loss", "normal"))
    for name, dist in cases:
        worst = {"actcli": 0.0, "fsum/N": 0.0, "np.mean": 0.0}
        for _ in range(args.trials):
            if dist == "normal":
                x = rng.standard_normal(args.size) * 10
            else:
                x = rng.lognormal(0.0, 3.0, args.size)
            t = rng.standard_normal(args.size)
            terms = lossengine.terms(name, x, t)
            exact = exact_mean(terms)
            ulp = math.ulp(exact)
            got = {
                "actcli": float(actcli.loss(name, x, t)),
                "fsum/N": math.fsum(terms.tolist()) / terms.size,
                "np.mean": float(np.mean(terms)),
            }
            for k, v in got.items():
                worst[k] = max(worst[k], abs(v - exact) / ulp)
        shown = ", ".join(f"{k} {v:g} ulp" for k, v in worst.items())
        print(f"{name} ({dist} inputs, N = {args.size:g}, {args.trials} trials), worst: {shown}")


if __name__ == "__main__":
    main()
