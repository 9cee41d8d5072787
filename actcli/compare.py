"""What a researcher asks of a set of activations, computed: the maths behind ``actcli compare``.

Everything here is computed from the records and the engine, never asserted: the values and
limits come from :func:`actcli.evaluate`/:func:`actcli.gradient` (the engine gives the limit
at ±inf), the smoothness class from the jumps of f, f' and f'' at the kinks, and the Gaussian
statistics by quadrature. No printing; :func:`actcli.render.compare_view` draws the table.

Quadrature under X ~ N(0, 1) (NumPy only): E[h(X)] = ∫ h(x)φ(x) dx over [-14, 14] (the mass
outside is 1.6e-44), cut into panels of width 1/4 and at every kink of the functions involved,
each integrated by 24-point Gauss-Legendre and the terms summed with ``math.fsum``. A panel
never straddles a kink, so the integrand is smooth on each and the rule is exact to rounding:
the tests check the figures against closed forms and mpmath.quad to 1e-14. The dead region
P(f'(X) = 0) is the Gaussian mass of the panels on which f' is exactly 0, from erfc.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .catalog import get
from .engine import evaluate, gradient
from .errors import ParamError
from .records import Activation, Array

#: Half-width of the quadrature range, panel width and Gauss-Legendre order.
SPAN = 14.0
PANEL = 0.25
ORDER = 24
_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(ORDER)
_INV_SQRT_2PI = 0.3989422804014327
#: Jumps of f, f' or f'' smaller than this (relative) are not counted by :func:`smoothness`.
JUMP_TOLERANCE = 1e-6
#: The variance map is searched for fixed points on this range of σ².
VARIANCE_RANGE = (1e-4, 1e4)
#: Elements timed by :func:`timing` (float32), best of ``TIMING_REPEATS`` runs.
TIMING_SIZE = 1 << 20
TIMING_REPEATS = 3


@dataclass(frozen=True)
class Subject:
    """One function of a comparison: a record with its bound parameters."""

    act: Activation
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """``swish(beta=1.702)``, or the bare name when every parameter has its default."""
        given = [
            f"{k}={_fmt(v)}"
            for k, v in self.params.items()
            if not (k in self.act.defaults() and self.act.defaults()[k] == v)
        ]
        return f"{self.act.name}({', '.join(given)})" if given else self.act.name

    def f(self, x: Array) -> Array:
        return evaluate(self.act.name, x, **self.params)

    def df(self, x: Array) -> Array:
        return gradient(self.act.name, x, **self.params)

    def d2f(self, x: Array) -> Array:
        return gradient(self.act.name, x, order=2, **self.params)

    @property
    def kinks(self) -> tuple[float, ...]:
        return tuple(k for k in self.act.kink_points(self.params) if math.isfinite(k))


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:g}"
    return str(v).lower() if isinstance(v, bool) else str(v)


def subject(name: str | Activation, params: Mapping[str, Any] | None = None) -> Subject:
    """The :class:`Subject` for an elementwise activation (a name or its record) with
    ``params`` (checked).

    Raises:
        UnknownActivationError, ParamError (unknown parameter, or an axis function).
    """
    act = name if isinstance(name, Activation) else get(name)
    if act.kind != "elementwise":
        raise ParamError(f"compare takes elementwise activations; {act.name} acts along an axis")
    given = dict(params or {})
    bound = act.bind({**act.illustrative(), **given})
    return Subject(act, bound)


# --- quadrature ----------------------------------------------------------------------------------
def _edges(breaks: Sequence[float], scale: float = 1.0) -> Array:
    grid = np.arange(-SPAN, SPAN + PANEL / 2, PANEL)
    inside = [b / scale for b in breaks if -SPAN < b / scale < SPAN]
    return np.unique(np.concatenate([grid, np.asarray(inside, dtype=np.float64)]))


def _nodes(edges: Array) -> tuple[Array, Array]:
    """Gauss-Legendre nodes of every panel and their weights times φ(x)."""
    a, b = edges[:-1], edges[1:]
    half = ((b - a) / 2)[:, None]
    x = (a + b)[:, None] / 2 + half * _NODES[None, :]
    w = half * _WEIGHTS[None, :] * _INV_SQRT_2PI * np.exp(-0.5 * x * x)
    return x, w


def expect(h: Callable[[Array], Array], breaks: Sequence[float] = (), scale: float = 1.0) -> float:
    """E[h(X)], X ~ N(0, 1), by Gauss-Legendre on panels cut at ``breaks / scale``.

    ``h`` is called once on a 2-D array of nodes; its non-smooth points must be in ``breaks``
    (as points of x·scale: pass the kinks of f when h is a function of f(scale·x)).
    """
    x, w = _nodes(_edges(breaks, scale))
    with np.errstate(all="ignore"):
        terms = (w * h(x)).ravel()
    return math.fsum(terms.tolist())


def _mass(a: float, b: float) -> float:
    """P(a < X < b) without cancellation in either tail."""
    r = math.sqrt(0.5)
    if a >= 0:
        return 0.5 * (math.erfc(a * r) - math.erfc(b * r))
    if b <= 0:
        return 0.5 * (math.erfc(-b * r) - math.erfc(-a * r))
    return 1.0 - 0.5 * (math.erfc(-a * r) + math.erfc(b * r))


def dead_probability(s: Subject) -> float:
    """P(f'(X) = 0): the Gaussian mass of the panels where f' is exactly 0 at every node
    (extended to ±inf when f' is 0 at -1e3 and -1e6, or +1e3 and +1e6)."""
    edges = _edges(s.kinks)
    x, _ = _nodes(edges)
    with np.errstate(all="ignore"):
        dead = np.all(s.df(x) == 0, axis=1)
        far = s.df(np.array([-1e6, -1e3, 1e3, 1e6]))
    lo = edges[:-1].copy()
    hi = edges[1:].copy()
    if dead[0] and np.all(far[:2] == 0):
        lo[0] = -math.inf
    if dead[-1] and np.all(far[2:] == 0):
        hi[-1] = math.inf
    # Merge runs of dead panels into intervals, then add their masses.
    total: list[float] = []
    i = 0
    n = len(dead)
    while i < n:
        if not dead[i]:
            i += 1
            continue
        j = i
        while j + 1 < n and dead[j + 1]:
            j += 1
        total.append(_mass(float(lo[i]), float(hi[j])))
        i = j + 1
    return math.fsum(total)


def moments(s: Subject) -> dict[str, float]:
    """E[f(X)], Var[f(X)], E[f'(X)], E[f'(X)²] and P(f'(X) = 0) under X ~ N(0, 1)."""
    k = s.kinks
    mean = expect(s.f, k)
    # Var = E[(f - mean)^2]: no cancellation when the mean is large.
    var = expect(lambda x: (s.f(x) - mean) ** 2, k)
    return {
        "mean": mean,
        "var": var,
        "grad_mean": expect(s.df, k),
        "grad_sq": expect(lambda x: s.df(x) ** 2, k),
        "dead": dead_probability(s),
    }


# --- the variance map and SELU's fixed point -----------------------------------------------------
def _q(s: Subject, var: float) -> float:
    sd = math.sqrt(var)
    return expect(lambda z: s.f(sd * z) ** 2, s.kinks, sd)


def variance_map(s: Subject, var: float) -> tuple[float, float]:
    """q(σ²) = E[f(σZ)²] and its slope dq/dσ² = E[f(σZ) f'(σZ) Z]/σ (Stein's lemma)."""
    sd = math.sqrt(var)
    q = _q(s, var)
    dq = expect(lambda z: s.f(sd * z) * s.df(sd * z) * z, s.kinks, sd) / sd
    return q, dq


def variance_fixed_points(s: Subject) -> dict[str, Any]:
    """Fixed points σ*² > 0 of σ² ↦ E[f(σZ)²] on :data:`VARIANCE_RANGE`, with the slope of the
    map there (stable when |slope| < 1). ``"every"`` is True when the map is the identity
    (a linear f with slope ±1)."""
    grid = np.logspace(math.log10(VARIANCE_RANGE[0]), math.log10(VARIANCE_RANGE[1]), 81)
    gap = [_q(s, float(v)) - float(v) for v in grid]
    if all(abs(g) <= 1e-12 * v for g, v in zip(gap, grid, strict=True)):
        return {"every": True, "points": []}
    # Where q(σ²) and σ² agree to rounding (hardtanh for small σ), the sign of the gap is noise:
    # a crossing counts only between grid points where the gap is clearly non-zero.
    # A root on a grid point (SELU's σ² = 1) is bracketed by the clear points around it.
    clear = [i for i, (g, v) in enumerate(zip(gap, grid, strict=True)) if abs(g) > 1e-9 * v]
    points = []
    for i, j in itertools.pairwise(clear):
        if (gap[i] < 0) != (gap[j] < 0):
            lo, hi, glo = math.log(grid[i]), math.log(grid[j]), gap[i]
            for _ in range(60):
                mid = (lo + hi) / 2
                v = math.exp(mid)
                gm = _q(s, v) - v
                if (gm < 0) == (glo < 0):
                    lo, glo = mid, gm
                else:
                    hi = mid
            v = math.exp((lo + hi) / 2)
            slope = variance_map(s, v)[1]
            points.append({"var": v, "slope": slope, "stable": abs(slope) < 1})
    return {"every": False, "points": points}


def self_normalising(s: Subject) -> dict[str, Any]:
    """Klambauer et al.'s mean/variance map at (μ, ν) = (0, 1) with normalised weights
    (ω = Σw = 0, τ = Σw² = 1): the image (E f(Z), Var f(Z)), whether (0, 1) is a fixed point
    (to 1e-6), and there the Jacobian ∂(μ̃, ν̃)/∂(μ, ν), its spectral norm and whether the
    fixed point is stable (spectral radius below 1). SELU: J = [[0, 0.0888], [0, 0.7826]]."""
    k = s.kinks
    mu = expect(s.f, k)
    var = expect(lambda x: (s.f(x) - mu) ** 2, k)
    fixed = abs(mu) < 1e-6 and abs(var - 1) < 1e-6
    out: dict[str, Any] = {"mean": mu, "var": var, "fixed": fixed}
    if fixed:
        # With ω = 0 the mean of the input drops out (first column 0); d/dν by Stein's lemma.
        dmu = expect(lambda x: s.df(x) * x, k) / 2
        dxi = expect(lambda x: s.f(x) * s.df(x) * x, k)
        jac = [[0.0, dmu], [0.0, dxi - 2 * mu * dmu]]
        out["jacobian"] = jac
        out["spectral_norm"] = float(np.linalg.norm(np.array(jac), 2))
        out["stable"] = abs(jac[1][1]) < 1
    return out


# --- shape: values, limits, kinks, smoothness ----------------------------------------------------
def _one(fn: Callable[[Array], Array], x: float) -> float:
    with np.errstate(all="ignore"):
        return float(fn(np.array([x]))[0])


def smoothness(s: Subject) -> str:
    """ "C∞" for a record with the ``smooth`` property; else the class the jumps of f, f' and
    f'' at the kinks (and at 0) show: "discontinuous", "C0", "C1" or "C2+" (no jump larger
    than :data:`JUMP_TOLERANCE` in f'')."""
    if "smooth" in s.act.doc.properties:
        return "C∞"
    points = sorted({*s.kinks, 0.0})
    for level, fn in (("discontinuous", s.f), ("C0", s.df), ("C1", s.d2f)):
        for k in points:
            d = 1e-8 * max(1.0, abs(k))
            a, b = _one(fn, k - d), _one(fn, k + d)
            if abs(a - b) > JUMP_TOLERANCE * (1 + abs(a) + abs(b)):
                return level
    return "C2+"


def shape(s: Subject) -> dict[str, Any]:
    """Formula, range, f(0), f'(0), f''(0), the limits of f and f' at ±inf, the kinks with the
    gradient taken there, the record's properties and the smoothness class."""
    limits = {
        "f(-inf)": _one(s.f, -math.inf),
        "f(+inf)": _one(s.f, math.inf),
        "f'(-inf)": _one(s.df, -math.inf),
        "f'(+inf)": _one(s.df, math.inf),
    }
    return {
        "formula": s.act.doc.formula,
        "output_range": s.act.doc.output_range,
        "f(0)": _one(s.f, 0.0),
        "f'(0)": _one(s.df, 0.0),
        "f''(0)": _one(s.d2f, 0.0),
        "limits": limits,
        "kinks": [{"x": k, "gradient": _one(s.df, k)} for k in s.kinks],
        "properties": sorted(s.act.doc.properties),
        "smoothness": smoothness(s),
    }


# --- between two functions -----------------------------------------------------------------------
def _golden_max(h: Callable[[float], float], a: float, b: float) -> float:
    """The x in [a, b] maximising h (unimodal there), by golden-section search."""
    r = (math.sqrt(5) - 1) / 2
    c, d = b - r * (b - a), a + r * (b - a)
    hc, hd = h(c), h(d)
    for _ in range(200):
        if b - a <= 1e-15 * max(1.0, abs(a)):
            break
        if hc >= hd:
            b, d, hd = d, c, hc
            c = b - r * (b - a)
            hc = h(c)
        else:
            a, c, hc = c, d, hd
            d = a + r * (b - a)
            hd = h(d)
    return (a + b) / 2


def distance(s: Subject, t: Subject) -> dict[str, Any]:
    """max |f - g| over the real line and where it is attained, and the L2 distance
    sqrt(E[(f - g)(X)²]) under X ~ N(0, 1).

    The maximum is found on a grid over [-60, 60] (kinks of both included), refined by
    golden-section search; when |f - g| at ±1e8 exceeds it, the supremum is approached as
    x -> ±inf: ``argmax`` is ±inf and ``max`` inf if |f - g| still grows at ±1e16, else its
    value there (a supremum that is approached, not attained). ``also_at`` is -argmax when
    |f - g| takes the same maximum there; ``argmax`` is None when f = g on the grid.
    """
    kinks = sorted({*s.kinks, *t.kinks})
    x = np.unique(np.concatenate([np.linspace(-60, 60, 120_001), np.asarray(kinks)]))
    with np.errstate(all="ignore"):
        d = np.abs(s.f(x) - t.f(x))
    i = int(np.nanargmax(d)) if np.isfinite(d).any() else 0
    best_x, best = float(x[i]), float(d[i])
    if best == 0:  # the same function
        l2 = math.sqrt(expect(lambda z: (s.f(z) - t.f(z)) ** 2, kinks))
        return {"max": 0.0, "argmax": None, "also_at": None, "l2": l2}
    if 0 < i < len(x) - 1 and float(x[i]) not in kinks:

        def gap(v: float) -> float:
            return abs(_one(s.f, v) - _one(t.f, v))

        xm = _golden_max(gap, float(x[i - 1]), float(x[i + 1]))
        if gap(xm) >= best:
            best_x, best = xm, gap(xm)
    edge = i in (0, len(x) - 1)  # the grid's largest gap is at its end: look further out
    for sign in (-1.0, 1.0):
        near = abs(_one(s.f, sign * 1e8) - _one(t.f, sign * 1e8))
        if near > best * (1 + 1e-9) or (edge and sign * best_x > 0 and near >= best):
            far = abs(_one(s.f, sign * 1e16) - _one(t.f, sign * 1e16))
            best_x, best = sign * math.inf, math.inf if far > near * (1 + 1e-9) else far
    # |f - g| is often even (gelu against x·σ(1.702x)): say so when -argmax ties.
    mirror = None
    if math.isfinite(best_x) and best_x != 0:
        other = abs(_one(s.f, -best_x) - _one(t.f, -best_x))
        if abs(other - best) <= 1e-12 * best:
            mirror = -best_x
    l2 = math.sqrt(expect(lambda z: (s.f(z) - t.f(z)) ** 2, kinks))
    return {"max": best, "argmax": best_x, "also_at": mirror, "l2": l2}


# --- speed ---------------------------------------------------------------------------------------
def timing(s: Subject, size: int = TIMING_SIZE, repeats: int = TIMING_REPEATS) -> dict[str, float]:
    """A quick timing on this machine: ns per element of the forward and the gradient on
    ``size`` float32 N(0, 1) values, the best of ``repeats`` runs (not a benchmark: see
    ``actcli bench``)."""
    x = np.random.default_rng(0).standard_normal(size).astype(np.float32)
    out: dict[str, float] = {}
    for key, fn in (("forward_ns", s.f), ("gradient_ns", s.df)):
        best = math.inf
        for _ in range(repeats):
            t0 = time.perf_counter()
            fn(x)
            best = min(best, time.perf_counter() - t0)
        out[key] = best / size * 1e9
    return out


# --- everything ----------------------------------------------------------------------------------
def compare(subjects: Sequence[Subject], *, timed: bool = True) -> dict[str, Any]:
    """The whole comparison: one entry per subject (shape, Gaussian moments, the variance map
    and the self-normalising check, the distance to the first subject, timing).

    Returns ``{"functions": [...], "timing_note": ...}``, plain data ready for JSON.
    """
    if not subjects:
        raise ParamError("compare needs at least one activation")
    first = subjects[0]
    entries = []
    for i, s in enumerate(subjects):
        entry: dict[str, Any] = {"label": s.label, "name": s.act.name, "params": dict(s.params)}
        entry.update(shape(s))
        entry["gaussian"] = moments(s)
        entry["variance_map"] = variance_fixed_points(s)
        entry["self_normalising"] = self_normalising(s)
        entry["vs_first"] = None if i == 0 else distance(first, s)
        entry["timing"] = timing(s) if timed else None
        entries.append(entry)
    return {
        "functions": entries,
        "timing_note": f"quick timing: best of {TIMING_REPEATS} runs on {TIMING_SIZE} float32 "
        "elements, this machine; see 'actcli bench' for measurements",
    }
