"""The gate σ(z) of swish, silu and mish (``gated``; tanh-GELU in ``gelu`` has its own).

x·σ(z) and σ(z) + q·σ'(z) with z given as a double-double, accurate to about 1.5 ulp, including
the tail below -708 where exp(z) alone would be subnormal (``_x_sigmoid``, ``_gate_slope``).
Below them, the fast paths (``x_sigmoid_into``, ``silu_slope_into``): plain float64 with
error-free corrections, about 10x faster, handing the lanes they cannot do to the former; the
error-free building blocks they use (``split_into``, ``prod_lo_into``, ...); and
``patch_root_into``, a zero-crossing series for the lanes near a root.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._common import (
    GATE_SATURATION,
    Array,
    dd_div,
    div_lo_into,
    exp_neg_abs,
    prod_lo_into,
    split_into,
    square_lo_into,
    sum_lo_into,
    two_prod,
    two_sum,
)

_LN2_HI = 0.6931471805599453
_LN2_LO = 2.3190468138462996e-17
_TAIL_SHIFT = 128  # exp(z) is subnormal below -708: work with exp(z + 128 ln 2) there
_EXP_SUBNORMAL = -708.0


def _exp_scaled(z: Array, zl: Any) -> Array:
    """``exp(z + zl) * 2^128`` for z below -708, where exp(z) alone would be subnormal."""
    sh, sl = two_sum(z, _TAIL_SHIFT * _LN2_HI)
    return np.exp(sh) * (1 + (sl + (zl + _TAIL_SHIFT * _LN2_LO)))


def _one_plus(e: Array) -> tuple[Array, Array]:
    """``1 + e`` for 0 <= e <= 1 as an exact ``hi + lo``."""
    dh = 1 + e
    return dh, e - (dh - 1)


def _x_sigmoid(x: Array, xs: Array, zh: Array, zl: Any) -> Array:
    """x·σ(zh + zl) for a gate argument z given as a double-double.

    ``xs`` is x clamped to where the gate is not saturated (and where x·e cannot overflow).
    x·σ(z) = x/(1 + e) for z >= 0 and x·e/(1 + e) for z < 0, e = exp(-|z|); the product and
    the quotient are carried in double-double, so only exp and the last step round.
    """
    e = exp_neg_abs(zh)
    neg = zh < 0
    dh, dl = _one_plus(e)
    nh, nl = two_prod(xs, np.where(neg, e, 1.0))
    if np.ndim(zl) or zl:
        # σ(zh + zl) = σ(zh)(1 + (1 - σ(zh))·zl) to first order, folded into the numerator.
        nl = nl + nh * (np.where(neg, 1 / dh, e / dh) * zl)
    r = dd_div(nh, nl, dh, dl)
    deep = zh < _EXP_SUBNORMAL
    if deep.any():
        zld = zl[deep] if np.ndim(zl) else zl
        r[deep] = np.ldexp(xs[deep] * _exp_scaled(zh[deep], zld), -_TAIL_SHIFT)
    # Saturated gate: exactly x (or 0) where xs was clamped, ±inf included.
    return np.where(xs == x, r, np.where(x < 0, 0.0, x))


def _gate_slope(zh: Array, zl: Any, qh: Array, ql: Any) -> Array:
    """σ(z) + q·σ(z)(1 - σ(z)) at z = zh + zl, to about 1.5 ulp (silu': q = z).

    z < 0: e(1 + e + q)/(1 + e)^2 with e = exp(z); z >= 0: (1 + e + q·e)/(1 + e)^2 with
    e = exp(-z), numerator and denominator in double-double.
    """
    zc = np.clip(zh, -GATE_SATURATION, GATE_SATURATION)
    qc = np.clip(qh, -1e200, 1e200)
    e = exp_neg_abs(zc)
    neg = zc < 0
    dh, dl = _one_plus(e)
    sqh, sql = two_prod(dh, dh)
    sql = sql + 2 * dh * dl
    ah, al = two_sum(1.0, qc)
    v = ah + (e + (al + ql))
    pn, pnl = two_prod(e, v)
    qe, qel = two_prod(np.clip(qc, -1e280, 1e280), e)
    sh, sl = two_sum(dh, qe)
    nh = np.where(neg, pn, sh)
    nl = np.where(neg, pnl, sl + (dl + qel + ql * e))
    if np.ndim(zl) or zl:
        # + d/dz[σ + qσ'] · zl = σ'(1 + q(1 - 2σ)) · zl (q's own low part is in the numerator),
        # folded into the numerator (times the denominator).
        s = np.where(neg, e / dh, 1 / dh)
        nl = nl + ((s * (1 - s)) * (1 + qc * (1 - 2 * s)) * zl) * sqh
    r = dd_div(nh, nl, sqh, sql)
    deep = zc < _EXP_SUBNORMAL
    if deep.any():
        zld = zl[deep] if np.ndim(zl) else zl
        qd = qc[deep]
        r[deep] = np.ldexp(_exp_scaled(zc[deep], zld) * (1 + qd), -_TAIL_SHIFT)
    return r


# --- fast paths ----------------------------------------------------------------------------------
# Plain float64 with the few error-free corrections that keep the goals (float64 forward <= 2 ulp,
# gradient p99.9 <= 2 ulp), written with out= and reused temporaries. The lanes they cannot do
# (exp(-z) or its square overflows, ±inf) come out NaN; those, and NaN input, go to the
# double-double functions above as a subset.


def x_sigmoid_into(x: Array, z: Array, zl: Any, lim: float, out: Array) -> None:
    """out = x·σ(z + zl) (zl: 0.0 or the low part of z), to about 1.7 ulp.

    Fast lanes: x/(d + dl) with d + dl = 1 + E carried, E = exp(-z)(1 - zl); the quotient x/d
    is corrected to first order, so only exp, the quotient and the correction round. Lanes
    where that gives NaN: :func:`_x_sigmoid`, with x clamped to ``±lim`` (where the gate is
    saturated).
    """
    e = np.negative(z)
    np.exp(e, out=e)
    d = e + 1.0
    # dl = the rounding error of 1 + E: exact for E >= 1 (Fast2Sum), within 2^-54 below.
    dl = np.subtract(d, e)
    np.subtract(1.0, dl, out=dl)
    if np.ndim(zl):
        e *= zl
        dl -= e
    np.divide(x, d, out=out)
    np.divide(dl, d, out=dl)
    dl *= out
    out -= dl
    # NaN marks every lane the fast path cannot do: exp(-z) = inf (z < -709.78, where the
    # result may be subnormal), x = ±inf (inf·0 in the correction), and NaN input.
    slow = np.isnan(out)
    if slow.any():
        xd = x[slow]
        zld = zl[slow] if np.ndim(zl) else zl
        out[slow] = _x_sigmoid(xd, np.clip(xd, -lim, lim), z[slow], zld)
    # σ >= 0, so the result has x's sign; the correction's subtraction (-0 - -0 = +0) and the
    # saturated lanes' +0 lose it where x·σ is a zero: x = -0, and x < 0 once x·σ underflows.
    np.copysign(out, x, out=out)


def silu_slope_into(z: Array, zl: Any, out: Array) -> None:
    """out = silu'(z + zl) = (1 + E(1 + z))/(1 + E)^2, E = exp(-z), to about 2 ulp.

    Numerator d + E·z (d = 1 + E) and denominator d^2 are carried as exact hi + lo pairs (E·z
    and d·d by Dekker's product), and the quotient gets a first-order correction: only exp and
    the last two steps round. The zero crossing near -1.278 is left to the caller's root patch.
    """
    e = np.negative(z)
    np.exp(e, out=e)
    d = e + 1.0
    # dl: the rounding error of 1 + E.
    dl, t = np.empty_like(e), np.empty_like(e)
    sum_lo_into(1.0, e, d, dl, t)
    # p + pl = E·z exactly.
    eh, el, zh, zlo = t, np.empty_like(e), np.empty_like(e), np.empty_like(e)
    split_into(e, eh, el)
    split_into(z, zh, zlo)
    p = e * z
    pl = np.empty_like(e)
    prod_lo_into(p, eh, el, zh, zlo, pl)
    if np.ndim(zl):
        # E(1 - zl)(z + zl) = E·z + E·zl·(1 - z) and 1 + E(1 - zl) = d + dl - E·zl.
        np.multiply(e, zl, out=e)
        np.subtract(1.0, z, out=zlo)
        zlo *= e
        pl += zlo
        dl -= e
    # n + nl = d + p (TwoSum) + pl + dl.
    n = np.add(d, p, out=out)
    nl = eh
    sum_lo_into(d, p, n, nl, zh)
    nl += pl
    nl += dl
    # q + ql = d·d (Dekker) + 2·d·dl.
    dh, dlo = el, zlo
    split_into(d, dh, dlo)
    q = np.multiply(d, d, out=p)
    ql = pl
    square_lo_into(q, dh, dlo, ql)
    np.multiply(d, dl, out=d)
    d *= 2.0
    ql += d
    div_lo_into(n, nl, q, ql, out)
    # NaN marks every lane the fast path cannot do: (1 + E)^2 = inf (z < -354.9: inf·0 in the
    # correction), z = +inf (inf·0 in E·z) and NaN input.
    slow = np.isnan(out)
    if slow.any():
        zd = np.clip(z[slow], -GATE_SATURATION, GATE_SATURATION)
        zld = zl[slow] if np.ndim(zl) else zl
        out[slow] = _gate_slope(zd, zld, zd, zld)


def patch_root_into(
    out: Array,
    z: Array,
    zl: Any,
    root: tuple[float, float],
    coeffs: Any,
    width: float,
    c1_lo: float,
) -> None:
    """:func:`root_patch` in place, for a series with ``coeffs[0] == 0``: the lanes near the root
    are gathered by index (cheaper than a boolean mask when about a tenth of the lanes are near
    it, as for normal(0, 1) data), and only the last step is a Dekker product.

    With t = th + tl (th exact), the series is t·(c1 + t·rest): ``rest`` by plain Horner (it
    weighs at most a quarter of c1 in the patch), c1 + t·rest by Fast2Sum, then th·b exactly.
    """
    if z.ndim != 1:
        # The same lanes and arithmetic as for the 1-D chunks the engine cuts from large inputs
        # (root_patch rounds differently), so a small N-D input gives the bits of a chunked one.
        flat = out.ravel()
        patch_root_into(
            flat, z.ravel(), zl.ravel() if np.ndim(zl) else zl, root, coeffs, width, c1_lo
        )
        out[...] = flat.reshape(out.shape)
        return
    t = z - root[0]  # exact near the root (Sterbenz)
    near = np.flatnonzero(np.abs(t) < width)
    if not near.size:
        return
    th = t.take(near)
    tl = (zl.take(near) if np.ndim(zl) else zl) - root[1]
    rest = np.full_like(th, coeffs[-1])
    for c in coeffs[-2:1:-1]:
        rest *= th
        rest += c
    rest *= th
    b = rest + coeffs[1]
    bl = coeffs[1] - b
    bl += rest
    bl += c1_lo
    th_hi, th_lo, b_hi, b_lo = (np.empty_like(th) for _ in range(4))
    split_into(th, th_hi, th_lo)
    split_into(b, b_hi, b_lo)
    p = th * b
    pl = rest
    prod_lo_into(p, th_hi, th_lo, b_hi, b_lo, pl)
    bl *= th
    pl += bl
    pl += tl * b
    p += pl
    out[near] = p
