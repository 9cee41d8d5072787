"""Print the fit of field.c's lean float64 laplace forward (LAPLACE_F, lp24).

F(t) = erfcx(a)/t for 0 <= a <= 27.5, t = K/(K + a) (K = 3, t in [0.098, 1]): interpolation at
the 25 Chebyshev nodes of t's range in 50-digit mpmath (degree 24), re-expanded in powers of
u = t - c, c = 11/32 (where Horner's terms beyond the first, summed in absolute value, stay below
0.74 of the result over the whole range: better conditioned than about t's middle, 2.9).
Prints c, the coefficients as C hex literals, the first two's low parts and the fit's relative
error in erfcx on 2001 points of [0, 27.5].

Run: python scripts/make_laplace_coefficients.py
"""

from __future__ import annotations

from typing import Any

import mpmath as mp
from make_erf_coefficients import _chebinterp, _erfcx, _in

mp.mp.dps = 50
K, TOP, DEGREE = mp.mpf(3), mp.mpf("27.5"), 24


def main() -> None:
    tlo, thi = K / (K + TOP), mp.mpf(1)
    c = mp.mpf("0.34375")

    def f(t: Any) -> Any:
        return _erfcx(K * (1 - t) / t) / t

    cs = _in(_chebinterp(f, tlo, thi, DEGREE), tlo, thi, c)
    err = max(
        abs(mp.polyval(cs[::-1], K / (K + a) - c) * K / (K + a) / _erfcx(a) - 1)
        for a in (TOP * mp.mpf(j) / 2000 for j in range(2001))
    )
    print(f"#define LAPLACE_C {float(c).hex()}")
    print(f"#define LAPLACE_F0_LO {float(cs[0] - float(cs[0]))!r}")
    print(f"#define LAPLACE_F1_LO {float(cs[1] - float(cs[1]))!r}")
    print(", ".join(float(x).hex() for x in cs))
    print(f"/* relative error in erfcx: {mp.nstr(err, 3)} */")


if __name__ == "__main__":
    main()
