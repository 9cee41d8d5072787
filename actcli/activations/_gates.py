"""The gate σ(z) in double-double, shared by swish/silu (``gated``) and tanh-GELU (``gelu``).

x·σ(z) and σ(z) + q·σ'(z) with z given as a double-double, accurate to about 1.5 ulp, including
the tail below -708 where exp(z) alone would be subnormal.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._common import GATE_SATURATION, Array, dd_div, exp_neg_abs, two_prod, two_sum

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
