"""Print the polynomial coefficients the kernels in actcli/activations/ (gated.py, gelu.py) use (mpmath).

- Taylor expansions of f' around its zero crossing r (stored as a double-double r_hi + r_lo):
  silu' (= swish' in z = beta x), mish', gelu' and tanh-gelu'. Near r the closed forms cancel;
  sum_k c_k t^k with t = (x - r_hi) - r_lo keeps full relative accuracy there.
- Chebyshev fits (converted to powers of t = (x - c)/h) of x - tanh(x) on a few intervals up
  to |x| = 2, where x - tanh(x) cancels.

Run: python scripts/make_kernel_coefficients.py > actcli/activations/_coeffs.py
"""

from __future__ import annotations

import itertools

import mpmath as mp

mp.mp.dps = 60
S2 = mp.sqrt(2)
C = mp.sqrt(2 / mp.pi)
K = mp.mpf("0.044715")


def sig(z):
    return 1 / (1 + mp.exp(-z))


DERIVS = {
    "SILU": lambda x: sig(x) + x * sig(x) * (1 - sig(x)),
    "MISH": lambda x: mp.tanh(mp.log1p(mp.exp(x))) + x * mp.sech(mp.log1p(mp.exp(x))) ** 2 * sig(x),
    "GELU": lambda x: mp.erfc(-x / S2) / 2 + x * mp.exp(-(x**2) / 2) / mp.sqrt(2 * mp.pi),
    "GELU_TANH": lambda x: (
        (1 + mp.tanh(C * (x + K * x**3))) / 2
        + x / 2 * mp.sech(C * (x + K * x**3)) ** 2 * C * (1 + 3 * K * x**2)
    ),
}
GUESS = {"SILU": -1.278, "MISH": -1.19, "GELU": -0.75, "GELU_TANH": -0.75}
#: Half-width of the window around each root, and the series' degree there.
WINDOW = {"SILU": (0.25, 20), "MISH": (0.3, 24), "GELU": (0.5, 30), "GELU_TANH": (0.4, 28)}


#: Relative size below which a term or a fit error is negligible (an ulp is 2^-52 = 2.2e-16).
TOL = mp.mpf(2) ** -62


def _fit(fn, a, b):
    """The Chebyshev fit of the lowest degree whose relative error on [a, b] is below TOL."""
    scale = min(abs(fn(mp.mpf(a))), abs(fn(mp.mpf(b))))
    for degree in range(6, 40):
        poly, err = mp.chebyfit(fn, [a, b], degree, error=True)
        if err < TOL * scale:
            return poly, err
    raise SystemExit(f"no fit below {TOL} on [{a}, {b}]")


def main() -> None:
    print(
        '"""Polynomial coefficients for the activation kernels (scripts/make_kernel_coefficients.py)."""'
    )
    print()
    for name, f in DERIVS.items():
        r = mp.findroot(f, GUESS[name])
        hi = float(r)
        lo = float(r - hi)
        width, degree = WINDOW[name]
        coeffs = mp.taylor(f, r, degree)
        # Drop the tail terms that cannot matter: |c_k| w^k below TOL times |f'| at the edge.
        edge = min(abs(f(r - width)), abs(f(r + width)))
        while abs(coeffs[-1]) * width ** (len(coeffs) - 1) < TOL * edge:
            coeffs.pop()
        # Check: the truncated series at the window's edges.
        worst = 0
        for t in (-width, width):
            approx = mp.polyval(coeffs[::-1], t)
            worst = max(worst, abs(approx / f(r + t) - 1))
        print(f"# {name}: root {mp.nstr(r, 25)}, rel. truncation error {mp.nstr(worst, 3)}")
        print(f"{name}_ROOT = ({hi!r}, {lo!r})")
        print(f"{name}_WIDTH = {width!r}")
        print(f"{name}_C1_LO = {float(coeffs[1] - float(coeffs[1]))!r}")
        print(f"{name}_SERIES = (")
        for c in coeffs:
            print(f"    {float(c)!r},")
        print(")")
    print("# erfcx(z) = exp(z^2) erfc(z) on [a, b] as sum c_k u^k, u = z - c, c = (a + b)/2")
    print("# (z·erfcx(z) from z = 4 on);")
    print("# beyond the last piece, the asymptotic series (ERFCX_ASYMPTOTIC, in 1/(2z^2)).")
    print("ERFCX_PIECES = (")
    edges = [0.0, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0]
    for a, b in itertools.pairwise(edges):
        c = mp.mpf(a + b) / 2
        # From z = 4 on, fit z·erfcx(z) (nearly constant), and the kernel divides by z.
        times_z = a >= 4

        def fn(z, times_z=times_z):
            return mp.exp(z * z) * mp.erfc(z) * (z if times_z else 1)

        poly, err = _fit(fn, a, b)
        coeffs = mp.taylor(lambda u, poly=poly, c=c: mp.polyval(poly, c + u), 0, len(poly) - 1)
        rel = err / fn(mp.mpf(b))
        print(f"    # [{a}, {b}]: rel. fit error {mp.nstr(rel, 3)}")
        print(f"    ({a!r}, {b!r}, {float(c)!r}, (")
        for v in coeffs:
            print(f"        {float(v)!r},")
        # The low parts of c0 and c1: the kernel sums the last two Horner steps in dd.
        lows = [float(v - float(v)) for v in coeffs[:2]]
        print(f"    ), ({lows[0]!r}, {lows[1]!r})),")
    print(")")
    # erfcx(z) ~ 1/(z sqrt(pi)) * sum_k (-1)^k (2k-1)!! / (2z^2)^k
    print("ERFCX_ASYMPTOTIC = (")
    for k in range(13):
        print(f"    {float((-1) ** k * mp.fac2(2 * k - 1)) if k else 1.0!r},")
    print(")")
    inv = 1 / mp.sqrt(mp.pi)
    print(f"INV_SQRT_PI = ({float(inv)!r}, {float(inv - float(inv))!r})")
    inv2 = 1 / mp.sqrt(2 * mp.pi)
    print(f"INV_SQRT_2PI = ({float(inv2)!r}, {float(inv2 - float(inv2))!r})")
    # exp in double-double: exp(a) = 2^m · 2^(j/32) · exp(r), a = (32m + j)·ln2/32 + r.
    step = mp.log(2) / 32
    l1 = float(mp.mpf(mp.nint(step * 2**36)) / 2**36)  # 36 bits: k·L1 is exact for |k| < 2^17
    l2 = float(step - l1)
    l3 = float(step - l1 - l2)
    print(f"EXP_LN2_32 = ({l1!r}, {l2!r}, {l3!r})")
    print("EXP_TABLE = (")
    for j in range(32):
        t = mp.mpf(2) ** (mp.mpf(j) / 32)
        print(f"    ({float(t)!r}, {float(t - float(t))!r}),")
    print(")")
    intervals = [(0.55, 0.9), (0.9, 1.3), (1.3, 1.7), (1.7, 2.1)]
    print("# x - tanh(x) on [a, b] as sum c_k u^k, u = x - c, c = (a + b)/2")
    print("TANHSHRINK_PIECES = (")
    for a, b in intervals:
        c = mp.mpf(a + b) / 2
        poly, err = _fit(lambda t: t - mp.tanh(t), a, b)
        # chebyfit returns monomial coefficients in x (highest first); re-expand in t.
        # In powers of u = x - c, which is exact for x in [a, b] (Sterbenz).
        coeffs = mp.taylor(lambda u, poly=poly, c=c: mp.polyval(poly, c + u), 0, len(poly) - 1)
        rel = err / (a - mp.tanh(a))
        print(f"    # [{a}, {b}]: rel. fit error {mp.nstr(rel, 3)}")
        print(f"    ({a!r}, {b!r}, {float(c)!r}, (")
        for v in coeffs:
            print(f"        {float(v)!r},")
        print("    )),")
    print(")")


if __name__ == "__main__":
    main()
