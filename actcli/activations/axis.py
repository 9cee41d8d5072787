"""Activations along an axis: softmax, softmin, log_softmax and glu.

The engine hands every kernel a 2-D float64 array whose last axis is the ``dim`` axis, and
``g`` (the upstream gradient) shaped like the output.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from .. import _kernels
from ..errors import InputError
from ..records import Activation, Doc, Goal, Kernels, LibraryName, Naive, Param
from . import _textbook as textbook
from ._common import (
    Array,
    dd_add,
    dd_div,
    dd_div2,
    dd_mul,
    exp_dd,
    expm1_dd,
    prod_lo_into,
    quiet,
    split,
    two_diff,
    two_prod,
    two_sum,
)

TORCH = "torch.nn.functional."
DIM = Param("dim", -1, "the axis the function acts along")

#: exp(z) is exactly 0 in float64 for z below this; shifted inputs are clamped here.
_EXP_UNDERFLOW = -800.0


def _shifted(x: Array) -> tuple[Array, Array]:
    """``x - max(x)`` per row as an exact ``hi + lo`` pair, ready for exp and log.

    A row whose maximum is +inf keeps 0 at its +inf entries and -inf elsewhere (the limit of
    softmax as those entries grow); a row of -inf only is uniform (the limit as they fall
    together). NaN anywhere in a row makes the whole row NaN.
    """
    m = np.max(x, axis=-1, keepdims=True)
    inf_rows = np.isinf(m)
    if inf_rows.any():
        # In a row whose maximum is infinite, the entries equal to it become 0, the rest -inf.
        x = np.where(inf_rows, np.where(x == m, 0.0, -np.inf), x)
        m = np.where(inf_rows, 0.0, m)
    finite = np.isfinite(x)
    xs = np.where(finite, x, 0.0)
    hi, lo = two_diff(xs, np.broadcast_to(m, x.shape))
    hi = np.where(finite, hi, x)
    # x - max below -1.8e308 overflows to -inf (exp 0, log_softmax -inf: the rounded truth), and
    # its TwoSum error term is NaN there: drop it.
    lo = np.where(finite & np.isfinite(hi), lo, 0.0)
    return hi, lo


def _exp_shifted(x: Array) -> Array:
    hi, lo = _shifted(x)
    # exp(hi + lo) = exp(hi)(1 + lo): the rounding of x - max is not passed on to the result.
    return np.exp(np.maximum(hi, _EXP_UNDERFLOW)) * (1 + lo)


def _row_sum(h: Array, lo: Array) -> tuple[Array, Array]:
    """Sum along the last axis of ``h + lo`` as a double-double (pairwise TwoSum)."""
    while h.shape[-1] > 1:
        if h.shape[-1] % 2:
            pad = [(0, 0)] * (h.ndim - 1) + [(0, 1)]
            h, lo = np.pad(h, pad), np.pad(lo, pad)
        sh, sl = two_sum(h[..., 0::2], h[..., 1::2])
        h, lo = sh, sl + (lo[..., 0::2] + lo[..., 1::2])
    return h, lo


#: Largest finite float64: a row sum above it (inf) or NaN sends the row to the shifted path.
_MAX = float(np.finfo(np.float64).max)


def _plain_rows(s: Array) -> npt.NDArray[np.bool_]:
    """Rows whose sum of plain exponentials ``s`` lets the unshifted formulas stand.

    With 1 <= s < inf nothing overflowed, and an entry whose exp is subnormal (and so only
    absolutely accurate) gives a result at most that exp, below the smallest normal too, where
    errors count in units of it. Everything else (NaN or ±inf in the row, huge entries, rows
    whose mass lies below exp(0)) takes the shifted path.
    """
    return (s >= 1.0) & (s <= _MAX)


def _softmax_shifted(x: Array) -> Array:
    e = _exp_shifted(x)
    e /= _row_total(e)
    return e


def _row_total(e: Array) -> Array:
    """Row sums of ``e >= 0`` (shape (rows, 1)) to about 2^-100, then rounded once.

    np.add.reduce alone is up to about 5 ulp off on rows of 1000. With s that plain sum,
    every entry splits exactly into hi + lo with hi a multiple of ulp(C), C = 3·2^e >= 2s (e
    from s): the hi sum is exact whatever the order (all its partial sums are multiples of
    ulp(C) below 2^53 ulp(C)), and the lo parts are below 2^-52 s each.
    """
    s = np.add.reduce(e, axis=-1, keepdims=True)
    c = np.ldexp(1.5, np.frexp(s)[1] + 1)
    hi = np.add(e, c)
    hi -= c
    lo = np.subtract(e, hi)
    s = np.add.reduce(hi, axis=-1, keepdims=True)
    s += np.add.reduce(lo, axis=-1, keepdims=True)
    return s


def _softmax_of(x: Array, sign: float, total: Callable[[Array], Array]) -> Array:
    """softmax of ``sign * x`` (sign ±1: softmax or softmin), rows summed by ``total``.

    exp(z_i) / sum exp(z_j) with no shift: exp of the exact input is good to 0.67 ulp whatever
    its size, where exp(z - max) would inherit the rounding of z - max (|z - max|/2 ulp). With
    an accurate sum (:func:`_row_total`) and one division: below 3 ulp.
    """
    if sign > 0:
        e = np.exp(x)
    else:
        e = np.negative(x)
        np.exp(e, out=e)
    s = total(e)
    e /= s
    slow = ~_plain_rows(s[:, 0])
    if slow.any():
        e[slow] = _softmax_shifted(sign * x[slow])
    return e


@quiet
def _softmax(x: Array, *, dim: int) -> Array:
    return _softmax_of(x, 1.0, _row_total)


def _exp_shifted_dd(x: Array) -> tuple[Array, Array]:
    hi, lo = _shifted(x)
    return exp_dd(hi, lo)


def _row_sum_of_products(ah: Array, al: Array, g: Array) -> tuple[Array, Array]:
    ph, pl = dd_mul(ah, al, g, 0.0)
    return _row_sum(ph, pl)


def _near_uniform(x: Array) -> tuple[npt.NDArray[np.bool_], Array, Array]:
    """Rows whose entries all lie within 1 of the row's maximum, and m = exp(x - max) - 1 there.

    On such rows the VJPs cancel at the level of the differences between the entries: written
    in m = expm1(x - max) (a double-double with relative accuracy), they keep them.
    """
    hi, lo = _shifted(x)
    rows = np.all(hi > -1, axis=-1)
    mh, ml = expm1_dd(hi[rows], lo[rows])
    return rows, mh, ml


def _m_sums(mh: Array, ml: Array, g: Array) -> tuple[Array, Array, Array, Array]:
    """n·g_i - G + g_i·M and S0 = n + M (double-doubles), M = sum m, G = sum g."""
    n = mh.shape[-1]
    sh, sl = _row_sum(mh, ml)
    gh, gl = _row_sum(g, np.zeros_like(g))
    ah, al = two_prod(g, float(n))
    ah, al = dd_add(ah, al, -gh, -gl)
    bh, bl = dd_mul(g, 0.0, sh, sl)
    nh, nl = dd_add(ah, al, bh, bl)
    s0h, s0l = dd_add(float(n), 0.0, sh, sl)
    return nh, nl, s0h, s0l


def _softmax_vjp_dd(x: Array, g: Array) -> Array:
    """The VJP in double-double throughout (about 95 ns per element): for the rows the float64
    fast path leaves (NaN/inf, overflow, mass below 1, all entries within 1 of the maximum)."""
    # y_i (g_i - <g, y>) = e_i (g_i S0 - S1) / S0^2 with S0 = sum e, S1 = sum e·g, e = exp(x -
    # max) and everything in double-double: exactly 0 for g = ones, and 1 - y_k keeps its
    # relative accuracy for a one-hot g (a row of the Jacobian).
    hi, lo = _shifted(x)
    eh, el = exp_dd(hi, lo)
    # Split off one maximal entry k (e_k = 1 exactly): with S0' and S1' the sums over the other
    # entries, g_i S0 - S1 = (g_i - g_k) + (g_i S0' - S1'), which does not cancel when y_k is
    # within far less than a double-double of 1.
    k = np.argmax(hi, axis=-1)[..., None]
    top = np.arange(hi.shape[-1]) == k
    oh, ol = np.where(top, 0.0, eh), np.where(top, 0.0, el)
    s0h, s0l = _row_sum(oh, ol)
    s1h, s1l = _row_sum_of_products(oh, ol, g)
    nh, nl = dd_mul(g, 0.0, s0h, s0l)
    nh, nl = dd_add(nh, nl, -s1h, -s1l)
    dh, dl = two_sum(g, -np.take_along_axis(g, k, axis=-1))
    nh, nl = dd_add(nh, nl, dh, dl)
    nh, nl = dd_mul(eh, el, nh, nl)
    s0h, s0l = dd_add(1.0, 0.0, s0h, s0l)
    qh, ql = dd_mul(s0h, s0l, s0h, s0l)
    out = dd_div(nh, nl, qh, ql)
    rows, mh, ml = _near_uniform(x)
    if rows.any():
        # With e = 1 + m: g_i S0 - S1 = n g_i - G + g_i M - sum m·g.
        gr = g[rows]
        nh, nl, s0h, s0l = _m_sums(mh, ml, gr)
        th, tl = _row_sum_of_products(mh, ml, gr)
        nh, nl = dd_add(nh, nl, -th, -tl)
        eh, el = dd_add(1.0, 0.0, mh, ml)
        nh, nl = dd_mul(eh, el, nh, nl)
        qh, ql = dd_mul(s0h, s0l, s0h, s0l)
        out[rows] = dd_div(nh, nl, qh, ql)
    return out


@quiet
def _softmax_grad(x: Array, g: Array, *, dim: int) -> Array:
    return _softmax_vjp64(x, g, 1.0)


# --- float64 VJPs: exps together with their rounding errors ------------------------------------
# The VJPs cancel (g_i - <g, y> near 0 for some lanes of nearly every row of random g), so they
# need <g, y> and sum(e) to about 2^-66: plain exps (0.67 ulp) are corrected by their rounding
# errors (:func:`_exp_error`), products are exact (two_prod) and sums exact (:func:`_split_sum`).

#: exp(k/64) is tabulated for k/64 in [-745, 710].
_K_LO, _K_HI = -745 * 64, 710 * 64
#: (r + C) - C keeps the bits of |r| <= 2^-7 down to 2^-33: 26 bits, so t1·r1 is exact.
_R_SPLIT = 1.5 * 2.0**19
#: 1/2!, ..., 1/7!: exp(r) = 1 + r + r^2 P(r) to 2^-71 for |r| <= 2^-7.
_EXP_P = tuple(1.0 / math.factorial(k) for k in range(2, 8))
#: Rows whose sums stay below this keep Dekker's products (two_prod) free of overflow.
_SPLIT_SAFE = 1e290


@functools.cache
def _exp_table() -> tuple[Array, Array, Array]:
    """exp(k/64) as t1 + t2 + tl (t1 of 26 bits, t1 + t2 the double), built on first use."""
    k = np.arange(_K_LO, _K_HI + 1, dtype=np.float64)
    th, tl = exp_dd(k / 64.0)
    m, ex = np.frexp(th)
    t1 = np.ldexp(split(m)[0], ex)
    return t1, th - t1, tl


def _exp_error(x: Array, e: Array) -> Array:
    """exp(x) - e for ``e = np.exp(x)``: exp's rounding error (about 2^-53 e), to about 2^-68 e.

    x = k/64 + r exactly, |r| <= 2^-7, and exp(x) = T (1 + r + r^2 P(r)) with T = exp(k/64)
    from a table: T - e is exact (Sterbenz), T's 26-bit head times r's 26-bit head is exact,
    and every other term is below 2^-15 e. A third of exp_dd's cost. Entries below the table
    get a negligible junk value (their exp is 0); rows with entries above it (or NaN) take the
    double-double path.
    """
    t1, t2, tl = _exp_table()
    r = np.multiply(x, 64.0)
    np.rint(r, out=r)
    idx = r.astype(np.intp)  # NaN and huge x give junk, clipped: their rows go elsewhere
    idx -= _K_LO
    r *= 1 / 64.0
    np.subtract(x, r, out=r)
    a1 = np.take(t1, idx, mode="clip")
    a2 = np.take(t2, idx, mode="clip")
    al = np.take(tl, idx, mode="clip")
    r1 = r + _R_SPLIT
    r1 -= _R_SPLIT
    q = np.multiply(r, _EXP_P[-1])
    q += _EXP_P[-2]
    for c in reversed(_EXP_P[:-2]):
        q *= r
        q += c
    q *= r
    q *= r  # r^2 P(r)
    th = a1 + a2
    acc = th - e
    t = np.multiply(a1, r1)
    acc += t
    q *= th
    acc += q
    r2 = np.subtract(r, r1, out=r1)
    np.multiply(a1, r2, out=t)
    acc += t
    a2 *= r
    acc += a2
    r += 1.0
    al *= r
    acc += al
    return acc


def _split_sum(p: Array, scale: Array) -> tuple[Array, Array]:
    """Row sums of ``p`` as hi + lo with hi exact, given ``scale`` (rows, 1) >= sum |p|.

    As in :func:`_row_total`: every entry splits exactly into a multiple of ulp(C), C = 3·2^e
    >= 2·scale, and a rest below it; the multiples add up exactly in any order.
    """
    c = np.ldexp(1.5, np.frexp(scale)[1] + 1)
    hi = np.add(p, c)
    hi -= c
    lo = np.subtract(p, hi)
    return np.add.reduce(hi, axis=-1), np.add.reduce(lo, axis=-1)


def _two_prod_rows(a: Array, b: Array) -> tuple[Array, Array]:
    """two_prod(a, b[:, None]) with b (one value per row) split once per row."""
    p = a * b[:, None]
    ah, al = split(a)
    bh, bl = split(b)
    lo = np.empty_like(p)
    prod_lo_into(p, ah, al, bh[:, None], bl[:, None], lo)
    return p, lo


def _exp_sums(z: Array) -> tuple[Array, Array, Array, Array]:
    """e = exp(z), its rounding errors n, and S = sum(e + n) per row as sh + sl."""
    e = np.exp(z)
    n = _exp_error(z, e)
    sh, sl = _split_sum(e, np.add.reduce(e, axis=-1, keepdims=True))
    sl += np.add.reduce(n, axis=-1)
    return e, n, sh, sl


def _fast_rows(s: Array, d: Array, x: Array) -> npt.NDArray[np.bool_]:
    """Rows the float64 VJPs can take: a plain sum (:func:`_plain_rows`) small enough for
    two_prod, a finite row factor ``d``, and not all entries within 1 of the maximum (those
    cancel at the level of the entries' differences, 1 - n·y_i, beyond 2^-66)."""
    ok = _plain_rows(s) & (s <= _SPLIT_SAFE) & (np.abs(d) <= _SPLIT_SAFE)
    ok &= np.min(x, axis=-1) < np.max(x, axis=-1) - 1.0
    return ok


def _softmax_vjp64(x: Array, g: Array, sign: float) -> Array:
    """sign·y ⊙ (g - <g, y>), y = softmax(sign·x), in float64.

    With one maximal entry k split off, v = g - g_k (exactly, as vh + vl): g_i - <g, y> =
    v_i - D, D = <v, y> = P / S, P = sum (e + n) v and S = sum (e + n) to about 2^-66. Exactly
    0 for a constant g, and a one-hot g at the maximum gives 1 - y_k with relative accuracy.
    """
    z = x if sign > 0 else np.negative(x)
    e, n, sh, sl = _exp_sums(z)
    k = np.argmax(z, axis=-1)
    vh, vl = two_diff(g, np.broadcast_to(g[np.arange(g.shape[0]), k][:, None], g.shape))
    ph, pl = two_prod(e, vh)
    qh, ql = _split_sum(ph, np.add.reduce(np.abs(ph), axis=-1, keepdims=True))
    ql += np.add.reduce(pl, axis=-1)
    ql += np.vecdot(n, vh)
    ql += np.vecdot(e, vl)
    dh, dl = dd_div2(qh, ql, sh, sl)
    # y_i u_i = e_i (1 + n_i/e_i) u_i / (sh (1 + sl/sh)), u = (vh - dh) + (vl - dl): the
    # first-order factors join u's low part, so three roundings follow exp's correction.
    u = np.subtract(vh, dh[:, None], out=vh)
    vl -= dl[:, None]
    t = e + 1e-300  # e = 0 (x below -745) must not divide: its lane is 0 anyway
    np.divide(n, t, out=t)
    t -= (sl / sh)[:, None]
    t *= u
    vl += t
    u += vl
    e *= u
    e /= (sign * sh)[:, None]
    slow = ~_fast_rows(sh + sl, dh, x)
    if slow.any():
        r = _softmax_vjp_dd(sign * x[slow], g[slow])
        e[slow] = r if sign > 0 else -r
    return e


def _log_softmax_vjp64(x: Array, g: Array) -> Array:
    """g - y·G, G = sum g, in float64: G exactly, y·G = (e + n)·(G/S) with e·(G/S)_hi exact.

    At one maximal entry k the value is (g_k - G) + (G/S)·T, T = S - e_k summed directly: a
    one-hot g there gives 1 - y_k with relative accuracy whatever its size.
    """
    rows = np.arange(x.shape[0])
    k = np.argmax(x, axis=-1)
    e = np.exp(x)
    n = _exp_error(x, e)
    ek, nk = e[rows, k], n[rows, k]
    e[rows, k] = 0.0
    n[rows, k] = 0.0
    th, tl = _split_sum(e, np.add.reduce(e, axis=-1, keepdims=True))
    tl += np.add.reduce(n, axis=-1)
    e[rows, k] = ek
    n[rows, k] = nk
    sh, sl = two_sum(th, ek)
    sl += tl + nk
    gh, gl = _split_sum(g, np.add.reduce(np.abs(g), axis=-1, keepdims=True))
    ch, cl = dd_div2(gh, gl, sh, sl)
    ph, pl = _two_prod_rows(e, ch)
    n *= ch[:, None]
    pl += n
    np.multiply(e, cl[:, None], out=n)
    pl += n
    r = np.subtract(g, ph, out=ph)
    r -= pl
    # Where g_i - y_i G cancels by more than 2^10 the result would keep less than the 2^-66 of
    # y_i G minus 10 bits: those (rare) rows take the double-double path too.
    w = np.abs(e)
    w *= np.abs(ch)[:, None] * 2.0**-10
    cancel = ~np.all(np.abs(r) >= w, axis=-1)
    ah, al = two_sum(g[rows, k], -gh)
    bh, bl = dd_mul(ch, cl, th, tl)
    ah, al = dd_add(ah, al - gl, bh, bl)
    r[rows, k] = ah + al
    slow = ~_fast_rows(sh + sl, ch, x) | cancel
    if slow.any():
        r[slow] = _log_softmax_vjp_dd(x[slow], g[slow])
    return r


@quiet
def _log_softmax_grad(x: Array, g: Array, *, dim: int) -> Array:
    return _log_softmax_vjp64(x, g)


# float32 kernels: compiled row gufuncs (actcli/_kernels/axis.c), see forward32.
_softmax32 = _kernels.rows("softmax")


_softmax_grad32 = _kernels.rows("softmax", vjp=True)


def _naive_softmax_grad(x: Array, g: Array, dim: int) -> Array:
    y = textbook.softmax(x, dim)
    return y * (g - (g * y).sum(axis=dim, keepdims=True))


def _naive_glu(x: Array, dim: int) -> Array:
    a, b = np.split(x, 2, axis=dim)
    return np.asarray(a * textbook.sigmoid(b))


def _naive_glu_grad(x: Array, g: Array, dim: int) -> Array:
    a, b = np.split(x, 2, axis=dim)
    s = textbook.sigmoid(b)
    return np.concatenate([g * s, g * a * s * (1 - s)], axis=dim)


SOFTMAX = Activation(
    name="softmax",
    library_names=(
        LibraryName("keras", "softmax"),
        LibraryName("mlx", "softmax"),
    ),
    doc=Doc(
        formula="exp(x_i) / Σ_j exp(x_j) along dim",
        mathtext=r"$\frac{e^{x_i}}{\sum_j e^{x_j}}$",
        derivative="VJP: y ⊙ (g - ⟨g, y⟩), y = softmax(x)",
        output_range="(0, 1), each row sums to 1",
        description="Normalised exponentials: turns logits into probabilities.",
        torch=TORCH + "softmax",
        jax="jax.nn.softmax",
        reference="Bridle, 'Probabilistic Interpretation of Feedforward Classification', 1990",
        properties=frozenset({"monotonic", "bounded", "smooth"}),
    ),
    kernels=Kernels(
        forward=_softmax,
        derivative=_softmax_grad,
        forward32=_softmax32,
        derivative32=_softmax_grad32,
    ),
    params=(DIM,),
    kind="axis",
    naive=Naive(
        textbook.softmax,
        _naive_softmax_grad,
    ),
    goal=Goal(fwd64=4.0),
)


@quiet
def _softmin(x: Array, *, dim: int) -> Array:
    return _softmax_of(x, -1.0, _row_total)


@quiet
def _softmin_grad(x: Array, g: Array, *, dim: int) -> Array:
    return _softmax_vjp64(x, g, -1.0)


_softmin32 = _kernels.rows("softmin")


_softmin_grad32 = _kernels.rows("softmin", vjp=True)


SOFTMIN = Activation(
    name="softmin",
    library_names=(LibraryName("mlx", "softmin"),),
    doc=Doc(
        formula="exp(-x_i) / Σ_j exp(-x_j) along dim = softmax(-x)",
        mathtext=r"$\frac{e^{-x_i}}{\sum_j e^{-x_j}}$",
        derivative="VJP: -y ⊙ (g - ⟨g, y⟩), y = softmin(x)",
        output_range="(0, 1), each row sums to 1",
        description="Softmax of the negated input: mass goes to the smallest entries.",
        torch=TORCH + "softmin",
        properties=frozenset({"bounded", "smooth"}),
    ),
    kernels=Kernels(
        forward=_softmin,
        derivative=_softmin_grad,
        forward32=_softmin32,
        derivative32=_softmin_grad32,
    ),
    params=(DIM,),
    kind="axis",
    naive=Naive(
        lambda x, dim: textbook.softmax(-x, dim),
        lambda x, g, dim: -_naive_softmax_grad(-x, g, dim),
    ),
    goal=Goal(fwd64=4.0),
)


def _log_softmax_shifted(x: Array) -> Array:
    hi, lo = _shifted(x)
    e = np.exp(np.maximum(hi, _EXP_UNDERFLOW)) * (1 + lo)
    # log(sum e) = log1p(sum of e over the non-maximal entries + (k - 1) for k maxima): the sum
    # is near 1 and log(1 + t) keeps t's relative accuracy where log(sum) would lose it.
    top = hi == 0
    t = np.sum(np.where(top, 0.0, e), axis=-1, keepdims=True)
    t += np.sum(top, axis=-1, keepdims=True) - 1
    return (hi - np.log1p(t)) + lo


def _log_softmax_of(x: Array, total: Callable[[Array], Array]) -> Array:
    # (x_i - m) - log1p(t), m = x_k the row's maximum and t = sum_{j != k} exp(x_j) / exp(x_k):
    # log1p keeps t's relative accuracy where the log of a sum near 1 would lose it (the
    # maximal entry of a peaked row), and t comes from unshifted exps (0.67 ulp each) rather
    # than exp(x - m), which would inherit the rounding of x - m.
    rows = np.arange(x.shape[0])
    k = np.argmax(x, axis=-1)
    m = x[rows, k][:, None]
    e = np.exp(x)
    ek = e[rows, k]
    e[rows, k] = 0.0
    t = total(e)[:, 0]
    slow = ~_plain_rows(t + ek)
    t /= ek
    np.log1p(t, out=t)
    r = np.subtract(x, m, out=e)
    r -= t[:, None]
    if slow.any():
        r[slow] = _log_softmax_shifted(x[slow])
    return r


@quiet
def _log_softmax(x: Array, *, dim: int) -> Array:
    return _log_softmax_of(x, _row_total)


def _log_softmax_vjp_dd(x: Array, g: Array) -> Array:
    """The VJP in double-double throughout: for the rows the float64 fast path leaves."""
    # g_i - y_i·sum(g) = (g_i S0 - e_i G) / S0 with S0 = sum e and G = sum g, e = exp(x - max),
    # all in double-double.
    eh, el = _exp_shifted_dd(x)
    s0h, s0l = _row_sum(eh, el)
    gh, gl = _row_sum(g, np.zeros_like(g))
    nh, nl = dd_mul(g, 0.0, s0h, s0l)
    mh, ml = dd_mul(eh, el, gh, gl)
    nh, nl = dd_add(nh, nl, -mh, -ml)
    out = dd_div(nh, nl, s0h, s0l)
    rows, mh, ml = _near_uniform(x)
    if rows.any():
        # With e = 1 + m: g_i S0 - e_i G = n g_i - G + g_i M - m_i G.
        gr = g[rows]
        nh, nl, s0h, s0l = _m_sums(mh, ml, gr)
        gh, gl = _row_sum(gr, np.zeros_like(gr))
        th, tl = dd_mul(mh, ml, gh, gl)
        nh, nl = dd_add(nh, nl, -th, -tl)
        out[rows] = dd_div(nh, nl, s0h, s0l)
    return out


_log_softmax32 = _kernels.rows("log_softmax")


_log_softmax_grad32 = _kernels.rows("log_softmax", vjp=True)


LOG_SOFTMAX = Activation(
    name="log_softmax",
    library_names=(
        LibraryName("keras", "log_softmax"),
        LibraryName("mlx", "log_softmax"),
    ),
    doc=Doc(
        formula="x_i - log Σ_j exp(x_j) along dim",
        mathtext=r"$x_i - \log\sum_j e^{x_j}$",
        derivative="VJP: g - softmax(x)·Σ g",
        output_range="(-∞, 0)",
        description="Log of softmax, computed without forming the softmax.",
        torch=TORCH + "log_softmax",
        jax="jax.nn.log_softmax",
        properties=frozenset({"monotonic", "smooth"}),
    ),
    kernels=Kernels(
        forward=_log_softmax,
        derivative=_log_softmax_grad,
        forward32=_log_softmax32,
        derivative32=_log_softmax_grad32,
    ),
    params=(DIM,),
    kind="axis",
    naive=Naive(
        lambda x, dim: np.log(textbook.softmax(x, dim)),
        lambda x, g, dim: g - textbook.softmax(x, dim) * g.sum(axis=dim, keepdims=True),
    ),
    goal=Goal(fwd64=4.0),
)


def _exp_up(z: Array) -> Array:
    """exp(z)·2^128, for z below -708 where exp(z) alone is subnormal."""
    sh, sl = two_sum(z, 128 * 0.6931471805599453)
    return np.exp(sh) * (1 + (sl + 128 * 2.3190468138462996e-17))


def _glu_halves(x: Array) -> tuple[Array, Array]:
    n = x.shape[-1]
    return x[..., : n // 2], x[..., n // 2 :]


#: Below this b, 1 + exp(b) is 1 and exp(-b) nears overflow: a·σ(b) = a·exp(b) is done apart.
_GLU_DEEP = -700.0


@quiet
def _glu(x: Array, *, dim: int) -> Array:
    a, b = _glu_halves(x)
    # a / (1 + exp(-b)): exp's 0.67 ulp (damped by 1 + exp(-b)), the sum's and the division's
    # roundings, about 2 ulp at worst; no sign split, as exp(-b) stays finite down to -709.
    d = np.negative(b)
    np.exp(d, out=d)
    d += 1
    r = np.divide(a, d, out=d)
    deep = b < _GLU_DEEP
    if deep.any():
        # exp(b) is subnormal or nearly so there while a·exp(b) may not be: scale by 2^128
        # meanwhile. A closed gate (b = -inf, or exp(b)·2^128 = 0) gives 0 even for an
        # infinite a, the limit as b -> -inf; NaN stays.
        ad, bd = a[deep], b[deep]
        eb = _exp_up(np.maximum(bd, -900.0))
        p = np.ldexp(ad * eb, -128)
        closed = (eb == 0) | (bd == -np.inf)
        # 0 with a's sign (a·σ(b) with σ(b) > 0), NaN for a NaN a.
        p[closed] = np.where(np.isnan(ad[closed]), np.nan, np.copysign(0.0, ad[closed]))
        r[deep] = p
    return r


def _glu_out(x: Array) -> tuple[Array, Array, Array, Array, Array]:
    """The halves a, b of x and the VJP's output with its two halves (d/da, d/db) as views."""
    a, b = _glu_halves(x)
    h = a.shape[-1]
    out = np.empty((x.shape[0], 2 * h))
    return a, b, out, out[:, :h], out[:, h:]


#: (d + C) - C keeps the bits of d in [1, 2] down to 2^-25 (26 bits: its square is exact).
_SPLIT_D = 1.5 * 2.0**27
#: Beyond this |a| the exact product a·slope could overflow: the plain product is taken.
_A_SPLIT_MAX = 1e290
#: exp(-708): below it exp(-|b|) nears the subnormal range.
_EXP_NEG_708 = 3.307553003638408e-308


@quiet
def _glu_grad(x: Array, g: Array, *, dim: int) -> Array:
    a, b, out, ga, gb = _glu_out(x)
    e = np.abs(b)
    np.negative(e, out=e)
    np.exp(e, out=e)  # exp(-|b|), in (0, 1]
    d = e + 1.0
    dl = d - 1.0
    np.subtract(e, dl, out=dl)  # d + dl = 1 + e exactly
    # σ(b) = u / (d + dl), u = 1 (b >= 0) or e (b < 0): g·u/d·(1 - dl/d).
    u = np.ones_like(e)
    np.copyto(u, e, where=b < 0)
    u *= g
    t = np.divide(dl, d)
    t *= u
    np.subtract(u, t, out=ga)
    ga /= d
    # σ'(b) = e / (d + dl)^2, d + dl = dh + dr with dh of 26 bits, so dh^2 is exact: the
    # slope is q (1 - κ), q = e / dh^2, κ = k / (dh^2 + k), k = dr (2 dh + dr). Then a·q exactly
    # (two_prod) and g times it: exp's error and three roundings, as with double-doubles.
    dh = np.add(d, _SPLIT_D)
    dh -= _SPLIT_D
    dr = np.subtract(d, dh, out=d)
    dr += dl
    k = np.add(dh, dh, out=dl)
    k += dr
    k *= dr  # dr (2 dh + dr)
    dh *= dh
    q = np.divide(e, dh, out=u)
    dh += k
    k /= dh  # 1/(1 + k/dh^2) = 1 - k/(dh^2 + k): κ is about 2^-25, so no κ^2 is dropped
    # a beyond 1e290 (or NaN) could overflow the exact product: clamped there, redone below.
    big = not (np.min(a) >= -_A_SPLIT_MAX and np.max(a) <= _A_SPLIT_MAX)
    ac = np.clip(a, -_A_SPLIT_MAX, _A_SPLIT_MAX) if big else a
    ph, pl = two_prod(ac, q)
    t = np.multiply(ph, k, out=t)
    np.subtract(pl, t, out=pl)
    np.multiply(g, ph, out=gb)
    pl *= g
    gb += pl
    if big:
        huge = np.abs(a) > _A_SPLIT_MAX  # false for NaN
        qh = q[huge]
        gb[huge] = g[huge] * (a[huge] * (qh - qh * k[huge]))
    if not np.min(e) >= _EXP_NEG_708:  # some |b| > 708 (or NaN, which needs nothing)
        _glu_grad_tails(a, b, g, e, ga, gb)
    return out


def _glu_grad_tails(a: Array, b: Array, g: Array, e: Array, ga: Array, gb: Array) -> None:
    """Redo the lanes of :func:`_glu_grad` with |b| > 708, where e = exp(-|b|) is subnormal."""
    # d/db a·σ(b) = a·σ'(b) is 0 where the slope underflows, whatever a is (NaN stays).
    closed = e == 0
    if closed.any():
        gb[closed] = np.where(np.isnan(a[closed]), np.nan, 0.0)
    deep = (np.abs(b) > 708.0) & ~closed
    if deep.any():
        # exp(-|b|) is subnormal there while g·a·exp(-|b|) may not be: scale by 2^128
        # meanwhile; σ(b) = exp(b) below -708.
        ad, bd, gd = a[deep], b[deep], g[deep]
        eb = _exp_up(-np.abs(bd))
        gb[deep] = np.ldexp(gd * (ad * eb), -128)
        ga[deep] = np.where(bd < 0, np.ldexp(gd * eb, -128), gd)


_glu32 = _kernels.halves("glu")
_glu_grad32 = _kernels.halves("glu", vjp=True)


def _glu_length(n: int) -> int:
    if n % 2:
        raise InputError(f"glu needs an even size along dim, got {n}")
    return n // 2


GLU = Activation(
    name="glu",
    library_names=(LibraryName("mlx", "glu"),),
    doc=Doc(
        formula="a ⊙ σ(b), where a, b are the two halves of x along dim",
        mathtext=r"$a \otimes \sigma(b)$",
        derivative="∂/∂a = g·σ(b), ∂/∂b = g·a·σ(b)(1 - σ(b))",
        output_range="(-∞, ∞), half the size along dim",
        description="Gated linear unit: the first half gated by the sigmoid of the second.",
        torch=TORCH + "glu",
        jax="jax.nn.glu",
        reference="Dauphin et al., 'Language Modeling with Gated Convolutional Networks', 2017",
        properties=frozenset({"monotonic", "smooth"}),
    ),
    kernels=Kernels(
        forward=_glu,
        derivative=_glu_grad,
        forward32=_glu32,
        derivative32=_glu_grad32,
        output_length=_glu_length,
    ),
    params=(DIM,),
    kind="axis",
    naive=Naive(
        lambda x, dim: _naive_glu(x, dim),
        _naive_glu_grad,
    ),
    goal=Goal(fwd64=4.0),
)

ACTIVATIONS = (
    SOFTMAX,
    SOFTMIN,
    LOG_SOFTMAX,
    GLU,
)
