"""Print the polynomial coefficients some kernels in actcli/activations/smooth.py use (mpmath).

- Taylor expansions of f' around its zero crossing r (stored as a double-double r_hi + r_lo):
  silu' (= swish' in z = beta x), mish', gelu' and tanh-gelu'. Near r the closed forms cancel;
  sum_k c_k t^k with t = (x - r_hi) - r_lo keeps full relative accuracy there.
- Chebyshev fits (converted to powers of t = (x - c)/h) of x - tanh(x) on a few intervals up
  to |x| = 2, where x - tanh(x) cancels.

Run: python scripts/make_kernel_coefficients.py > actcli/activations/_coeffs.py
"""

from __future__ import annotations

import mpmath as mp

mp.mp.dps = 60
S2 = mp.sqrt(2)
C = mp.sqrt(2 / mp.pi)
K = mp.mpf("0.044715")


def sig(z):
    return 1 / (1 + mp.exp(-z))


DERIVS = {
    "SILU": lambda x: sig(x) + x * sig(x) * (1 - sig(x)),
    "MISH": lambda x: mp.tanh(mp.log1p(mp.exp(x)))
    + x * mp.sech(mp.log1p(mp.exp(x))) ** 2 * sig(x),
    "GELU": lambda x: mp.erfc(-x / S2) / 2 + x * mp.exp(-(x**2) / 2) / mp.sqrt(2 * mp.pi),
    "GELU_TANH": lambda x: (1 + mp.tanh(C * (x + K * x**3))) / 2
    + x / 2 * mp.sech(C * (x + K * x**3)) ** 2 * C * (1 + 3 * K * x**2),
}
GUESS = {"SILU": -1.278, "MISH": -1.19, "GELU": -0.75, "GELU_TANH": -0.75}
HALF_WIDTH = 0.25
DEGREE = 20


def main() -> None:
    print('"""Polynomial coefficients for smooth.py (scripts/make_kernel_coefficients.py)."""')
    print()
    print(f"SERIES_HALF_WIDTH = {HALF_WIDTH!r}")
    for name, f in DERIVS.items():
        r = mp.findroot(f, GUESS[name])
        hi = float(r)
        lo = float(r - hi)
        coeffs = mp.taylor(f, r, DEGREE)
        # Check: the truncated series at the window's edges.
        worst = 0
        for t in (-HALF_WIDTH, HALF_WIDTH):
            approx = mp.polyval(coeffs[::-1], t)
            worst = max(worst, abs(approx / f(r + t) - 1))
        print(f"# {name}: root {mp.nstr(r, 25)}, rel. truncation error {mp.nstr(worst, 3)}")
        print(f"{name}_ROOT = ({hi!r}, {lo!r})")
        print(f"{name}_SERIES = (")
        for c in coeffs:
            print(f"    {float(c)!r},")
        print(")")
    intervals = [(0.55, 0.9), (0.9, 1.3), (1.3, 1.7), (1.7, 2.1)]
    print("# x - tanh(x) on [a, b] as sum c_k t^k, t = (x - c)/h")
    print("TANHSHRINK_PIECES = (")
    for a, b in intervals:
        c = mp.mpf(a + b) / 2
        h = mp.mpf(b - a) / 2
        poly, err = mp.chebyfit(lambda t: t + 0 - mp.tanh(t), [a, b], 15, error=True)
        # chebyfit returns monomial coefficients in x (highest first); re-expand in t.
        coeffs = mp.taylor(
            lambda t, poly=poly, c=c, h=h: mp.polyval(poly, c + h * t), 0, len(poly) - 1
        )
        rel = err / (a - mp.tanh(a))
        print(f"    # [{a}, {b}]: rel. fit error {mp.nstr(rel, 3)}")
        print(f"    ({a!r}, {b!r}, {float(c)!r}, {float(h)!r}, (")
        for v in coeffs:
            print(f"        {float(v)!r},")
        print("    )),")
    print(")")


if __name__ == "__main__":
    main()
