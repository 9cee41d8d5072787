"""Print the polynomial coefficients of the kernels in actcli/activations/ (gated.py, gelu.py).

- Taylor expansions of f' around its zero crossing r (stored as a double-double r_hi + r_lo):
  silu' (= swish' in z = beta x), mish', gelu' and tanh-gelu'. Near r the closed forms cancel;
  sum_k c_k t^k with t = (x - r_hi) - r_lo keeps full relative accuracy there.
- Chebyshev fits (converted to powers of t = (x - c)/h) of x - tanh(x) on a few intervals up
  to |x| = 2, where x - tanh(x) cancels.
- Exact GELU's float64 fits (gelu_fits): a·erfcx(a/√2)/2 in a/(5 + a) and in 1/a^2, and
  erf(x/√2)/(2x) near 0, each by interpolation at Chebyshev nodes; its float32 fits
  (gelu32_fits): erfcx(a/√2)/2 and the slope's D(a)/(a - a0) in 1/(3 + a), and e^r for
  their exponential, relative-minimax.
- (x - tanh(x))/x^3 near 0 (tanhshrink_fits), by interpolation at Chebyshev nodes.

Run: python scripts/make_kernel_coefficients.py > actcli/activations/_coeffs.py
     ruff format actcli/activations/_coeffs.py
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
    doc = (
        "Polynomial coefficients for the activation kernels (scripts/make_kernel_coefficients.py)."
    )
    print(f'"""{doc}"""')
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


def _chebinterp(fn, a, b, degree):
    """The interpolant of fn at the degree + 1 Chebyshev nodes of [a, b] (near-minimax), as
    monomial coefficients in s = (2x - a - b)/(b - a)."""
    n = degree + 1
    nodes = [mp.cos(mp.pi * (j + mp.mpf(1) / 2) / n) for j in range(n)]
    vals = [fn((a + b) / 2 + (b - a) / 2 * s) for s in nodes]
    cheb = [
        2 * mp.fsum(v * mp.cos(mp.pi * k * (j + mp.mpf(1) / 2) / n) for j, v in enumerate(vals)) / n
        for k in range(n)
    ]
    cheb[0] /= 2
    return mp.taylor(lambda s: sum(c * mp.chebyt(k, s) for k, c in enumerate(cheb)), 0, degree)


def _rebase(coeffs, scale, offset):
    """p(s) with s = scale·u + offset, as coefficients in u."""
    return mp.taylor(lambda u: mp.polyval(coeffs[::-1], scale * u + offset), 0, len(coeffs) - 1)


def _print_series(name, coeffs, note):
    print(f"# {note}")
    print(f"{name}_C0_LO = {float(coeffs[0] - float(coeffs[0]))!r}")
    print(f"{name} = (")
    for c in coeffs:
        print(f"    {float(c)!r},")
    print(")")


def _check(fn, approx, a, b, points=400):
    """Max relative error of approx against fn on [a, b]."""
    return max(
        abs(approx(x) / fn(x) - 1)
        for x in (a + (b - a) * mp.mpf(j) / points for j in range(points + 1))
    )


def gelu_fits() -> None:
    """Exact GELU's float64 kernels: G(a) = a·erfcx(a/√2)/2 = a·Φ(-a)·exp(a^2/2) on [1, 9] as a
    polynomial in u = a/(K + a) - v_c, on [9, 40] in w = 1/a^2; erf(x/√2)/(2x) for |x| <= 1 in
    y = x^2."""
    c = 1 / mp.sqrt(2 * mp.pi)

    def g(a):
        z = a / mp.sqrt(2)
        return a * mp.erfc(z) * mp.exp(z * z) / 2

    k, lo, hi = mp.mpf(5), mp.mpf(1), mp.mpf(9)
    vlo, vhi = lo / (k + lo), hi / (k + hi)
    # The centre v(1.6), rounded to a double: Horner's w = G - c0 is small where x < 0 needs
    # G's relative accuracy most.
    vc = mp.mpf(float(mp.mpf("1.6") / (k + mp.mpf("1.6"))))
    scale = 2 / (vhi - vlo)
    offset = scale * vc - (vlo + vhi) / (vhi - vlo)
    print(f"GELU_V_K = {float(k)!r}")
    print(f"GELU_V_CENTER = {float(vc)!r}")
    mono = _chebinterp(lambda v: g(k * v / (1 - v)), vlo, vhi, 17)
    coeffs = _rebase(mono, scale, offset)
    err = _check(g, lambda a, cs=coeffs: mp.polyval(cs[::-1], a / (k + a) - vc), lo, hi)
    _print_series(
        "GELU_G", coeffs, f"G on [1, 9] in u = a/(K + a) - v_c: rel. error {mp.nstr(err, 3)}"
    )
    wlo, whi = 1 / mp.mpf(40) ** 2, 1 / hi**2
    mono = _chebinterp(lambda w: g(1 / mp.sqrt(w)), wlo, whi, 10)
    coeffs = _rebase(mono, 2 / (whi - wlo), -(wlo + whi) / (whi - wlo))
    err = _check(g, lambda a, cs=coeffs: mp.polyval(cs[::-1], 1 / (a * a)), hi, mp.mpf(40))
    _print_series("GELU_G_TAIL", coeffs, f"G on [9, 40] in w = 1/a^2: rel. error {mp.nstr(err, 3)}")

    def p(y):
        return mp.erf(mp.sqrt(y / 2)) / (2 * mp.sqrt(y)) if y else c

    mono = _chebinterp(p, mp.mpf(0), mp.mpf(1), 10)
    coeffs = _rebase(mono, mp.mpf(2), mp.mpf(-1))
    err = _check(p, lambda y, cs=coeffs: mp.polyval(cs[::-1], y), mp.mpf(0), mp.mpf(1))
    _print_series(
        "GELU_SMALL",
        coeffs,
        f"erf(x/√2)/(2x) for |x| <= 1 in y = x^2: rel. error {mp.nstr(err, 3)}",
    )


def _lawson(t, ref, degree):
    """Powers-of-t coefficients of the relative-minimax polynomial of the given degree through
    the points (t, ref), by Lawson's iteration (weighted least squares in float64, plenty for
    errors near 1e-9), and its relative error on them."""
    import numpy as np
    from numpy.polynomial import chebyshev, polynomial

    tmin, tmax = t.min(), t.max()
    s = (2 * t - (tmin + tmax)) / (tmax - tmin)
    basis = chebyshev.chebvander(s, degree) / ref[:, None]
    w = np.ones_like(ref) / ref.size
    for _ in range(60):
        sw = np.sqrt(w)
        c = np.linalg.lstsq(basis * sw[:, None], sw, rcond=None)[0]
        w *= np.abs(basis @ c - 1) + 1e-300
        w /= w.sum()
    # Chebyshev in s -> powers of s -> powers of t (s = scale·t + offset).
    ps = chebyshev.cheb2poly(c)
    scale, offset = 2 / (tmax - tmin), -(tmin + tmax) / (tmax - tmin)
    pt = np.zeros(1)
    for cs in ps[::-1]:
        pt = polynomial.polyadd(polynomial.polymul(pt, [offset, scale]), [cs])
    acc = np.full_like(t, pt[-1])
    for cs in pt[-2::-1]:
        acc = acc * t + cs
    return [float(cs) for cs in pt], float(np.abs(acc / ref - 1).max())


def _print_tuple(name, coeffs):
    print(f"{name} = (")
    for cs in coeffs:
        print(f"    {cs!r},")
    print(")")


def gelu32_fits() -> None:
    """Exact GELU's float32 kernels (act_gelu32.h), relative-minimax (_lawson): h(a) =
    erfcx(a/√2)/2 on [0, 15] and the slope's D(a)/(a - a0) on [0, 20], D(a) = h(a) - a/√(2π)
    (e^(-a^2/2) D(a) = Phi(-a) - a phi(a), a0 its zero, the root of gelu' at -a0), both as
    polynomials in t = 1/(3 + a); e^r on [-ln2/2, ln2/2] for their exponential."""
    import numpy as np

    def h(a):
        z = mp.mpf(a) / mp.sqrt(2)
        return mp.erfc(z) * mp.exp(z * z) / 2

    def d(a):
        return h(a) - mp.mpf(a) / mp.sqrt(2 * mp.pi)

    a0 = mp.findroot(d, 0.75)

    def slope_p(a):
        a = mp.mpf(a)
        return mp.diff(d, a0) if abs(a - a0) < mp.mpf(2) ** -40 else d(a) / (a - a0)

    shift = 3.0
    print(f"H32_SHIFT = {shift!r}")
    for name, amax, fn, degree, what in (
        ("H32_FWD", 15.0, h, 9, "h(a)"),
        ("GELU32_SLOPE", 20.0, slope_p, 10, "D(a)/(a - a0)"),
    ):
        a = np.linspace(0.0, amax, 8001)
        ref = np.array([float(fn(v)) for v in a])
        coeffs, err = _lawson(1 / (shift + a), ref, degree)
        print(
            f"# {what} on [0, {amax}] in t = 1/({shift} + a), degree {degree}: rel. error {err:.3g}"
        )
        _print_tuple(name, coeffs)
    half = float(mp.log(2) / 2)
    r = np.linspace(-half, half, 4001)
    coeffs, err = _lawson(r, np.exp(r), 7)
    print(f"# e^r on [-ln2/2, ln2/2], degree 7: rel. error {err:.3g}")
    _print_tuple("GELU32_EXP", coeffs)


def tanhshrink_fits() -> None:
    """x - tanh(x) = x^3·(1/3 + y·T(y)), y = x^2, for |x| < 0.55: T by interpolation at
    Chebyshev nodes (degree 10, where the Taylor series needs 19 terms)."""

    def t(y):
        if not y:
            return mp.mpf(-2) / 15
        x = mp.sqrt(y)
        return ((x - mp.tanh(x)) / x**3 - mp.mpf(1) / 3) / y

    ymax = mp.mpf("0.55") ** 2
    coeffs = _rebase(_chebinterp(t, mp.mpf(0), ymax, 10), 2 / ymax, mp.mpf(-1))
    err = _check(t, lambda y: mp.polyval(coeffs[::-1], y), mp.mpf(0), ymax)
    third = mp.mpf(1) / 3
    print(f"TANHSHRINK_THIRD_LO = {float(third - float(third))!r}")
    print(f"# T(y) for y = x^2 <= 0.3025: rel. error {mp.nstr(err, 3)}")
    print("TANHSHRINK_SMALL = (")
    for c in coeffs:
        print(f"    {float(c)!r},")
    print(")")


if __name__ == "__main__":
    main()
    gelu_fits()
    gelu32_fits()
    tanhshrink_fits()
