"""Generate tests/accuracy/reference.npz: mpmath reference values for every activation.

For every registered activation, each parameter setting of ``tests/oracles.py`` (``SETTINGS``,
then the settings drawn from each parameter's whole declared range, ``reference_settings``: edge
values first) and float32/float64, this builds a deterministic point set (dense grids near 0 and
near every kink and its float neighbours, the zero crossings of f and f' and their neighbours,
moderate values, large magnitudes, the dtype's max, tiny values and subnormals, ±0, ±inf, NaN;
softmax-family rows with wide ranges and ±inf entries; for the drawn settings a lighter set of
the same kinds plus x = z·p and z/p around each parameter p's scale, marked ``sampled`` in the
index) and evaluates there the oracle's f and f' (the VJP for axis functions), mpmath at 60
significant digits. Each reference value is stored as a double-double ``hi + lo``.

Run:  python scripts/make_accuracy_reference.py [--jobs N]   (about a minute on two cores)

The output is a pure function of this script and the oracle (fixed seeds, no timing, fixed
timestamps in the npz container), so rerunning it with the same NumPy and mpmath reproduces the
file bit for bit. (NumPy's logspace and mpmath's rounding of a few sample points may move by one
ulp between versions; tests/accuracy/test_accuracy.py tolerates exactly that.)
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import sys
import zipfile
from pathlib import Path
from typing import Any

import mpmath as mp
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import actcli  # noqa: E402
from tests.oracles import (  # noqa: E402
    AXIS,
    DPS,
    ELEMENTWISE,
    GATES,
    MPF,
    SETTINGS,
    Fn,
    reference_settings,
    to_mpf,
)

OUT = ROOT / "tests" / "accuracy" / "reference.npz"
mp.mp.dps = DPS

DTYPES = ("float32", "float64")


def _to_dd(v: Any) -> tuple[float, float]:
    """An mpf as a double-double (NaN and ±inf pass through; beyond the range: ±inf)."""
    if mp.isnan(v):
        return math.nan, 0.0
    hi = float(v)
    if math.isinf(hi):
        return hi, 0.0
    return hi, float(v - hi)


def _eval(fn: Fn, x: float, params: dict[str, Any]) -> tuple[float, float]:
    if math.isnan(x):
        return math.nan, 0.0
    return _to_dd(fn(to_mpf(x), **params))


# --- point sets ----------------------------------------------------------------------------
def _neighbours(v: float, dt: type[np.floating[Any]], k: int) -> list[float]:
    out = []
    with np.errstate(over="ignore"):  # a kink beyond float32's range (a parameter of 1e39)
        a = dt(v)
    if not np.isfinite(a):
        return []
    lo = hi = a
    out.append(float(a))
    with np.errstate(over="ignore"):
        for _ in range(k):
            lo = np.nextafter(lo, dt(-np.inf))
            hi = np.nextafter(hi, dt(np.inf))
            out += [float(lo), float(hi)]
    return out


def _crossings(
    fn: Fn, params: dict[str, Any], lo: float = -12.0, hi: float = 12.0, n: int = 1201
) -> list[float]:
    """Sign changes of ``fn`` on a grid, refined by bisection to far below a float64 ulp."""
    grid = np.linspace(lo, hi, n)
    vals = [fn(MPF(float(t)), **params) for t in grid]
    roots = []
    for i in range(len(grid) - 1):
        a, b = vals[i], vals[i + 1]
        if a == 0 or b == 0 or (a > 0) == (b > 0):
            continue
        left, right = MPF(float(grid[i])), MPF(float(grid[i + 1]))
        fl = a
        for _ in range(80):
            mid = (left + right) / 2
            fm = fn(mid, **params)
            if fm == 0:
                left = right = mid
                break
            if (fm > 0) == (fl > 0):
                left, fl = mid, fm
            else:
                right = mid
        roots.append(float((left + right) / 2))
    return roots


def elementwise_points(
    name: str, params: dict[str, Any], dtype: str, lite: bool = False
) -> tuple[np.ndarray, list[float]]:
    """The points of one case; ``lite`` (the drawn settings) takes about a tenth as many of the
    random and graded ones, and adds points at the parameters' scales."""
    dt = np.dtype(dtype).type
    k = 10 if lite else 1  # divides the counts below
    fi = np.finfo(dt)
    rng = np.random.default_rng(
        int.from_bytes((name + json.dumps(params, sort_keys=True) + dtype).encode()[:16], "big")
        % 2**63
    )
    pts: list[float] = [0.0, -0.0, math.inf, -math.inf, math.nan]
    sub = float(fi.smallest_subnormal)
    tiny = float(fi.tiny)
    maxv = float(fi.max)
    for v in (sub, 2 * sub, 3 * sub, tiny / 3, tiny, 2 * tiny, 1e-30, 1e-20, 1e-12, 1e-8):
        pts += [v, -v]
    for v in (20.0, 30.0, 88.7, 100.0, 709.8, 1e4, 1e30, maxv, 0.5, 1.0, 2.0, 3.0, 6.0, 10.0):
        for s in (1.0, -1.0):
            pts += _neighbours(s * v, dt, 2)
    # Dense near 0: every decade down to the smallest subnormal, and a fine linear grid.
    lo_exp = math.log10(sub)
    mags = np.logspace(lo_exp, 0.5, 400 // k)
    pts += list(mags) + list(-mags)
    pts += list(np.linspace(-1e-3, 1e-3, 101 // k))
    # Moderate values and the transition regions.
    pts += list(rng.uniform(-4, 4, 400 // k))
    pts += list(rng.uniform(-40, 40, 300 // k))
    wide = 750.0 if dtype == "float64" else 110.0
    pts += list(rng.uniform(-wide, wide, 200 // k))
    # Log-uniform over the whole range, both signs.
    e = rng.uniform(lo_exp, math.log10(maxv), 300 // k)
    pts += list(10.0**e * rng.choice([-1.0, 1.0], size=e.size))
    if lite:
        # Where a parameter sets the scale (softplus's beta·x, celu's x/alpha): z·p and z/p.
        z = np.concatenate([rng.uniform(-40, 40, 40), rng.uniform(-800, 800, 20)])
        for v in params.values():
            if isinstance(v, float) and math.isfinite(v) and v != 0:
                with np.errstate(over="ignore", under="ignore"):
                    pts += list(z * v) + list(z / v)
    # Kinks: their float neighbours and a geometric grid on each side.
    act = actcli.get(name)
    full = act.bind(params)
    kinks = list(act.kink_points(full))
    roots: list[float] = []
    f, df = ELEMENTWISE[name]
    grid = 241 if lite else 1201
    roots += _crossings(f, full, n=grid) + _crossings(df, full, n=grid)
    for kink in kinks + roots:
        if not math.isfinite(kink):  # an infinite parameter (threshold=inf): no kink
            continue
        pts += _neighbours(kink, dt, 3 if lite else 8)
        scale = max(abs(kink), 1.0)
        offs = np.logspace(-15 if dtype == "float64" else -7, -1, 60 // k) * scale
        with np.errstate(over="ignore"):
            pts += list(kink + offs) + list(kink - offs)
    arr = np.array(pts, dtype=np.float64)
    with np.errstate(over="ignore"):
        arr = arr.astype(dt)
    # Order-preserving de-duplication keeps the file small; ±0 and NaN are kept explicitly.
    _, idx = np.unique(arr.view(np.uint32 if dt is np.float32 else np.uint64), return_index=True)
    return arr[np.sort(idx)], roots


def _elementwise_case(job: tuple[Any, ...]) -> dict[str, Any]:
    name, params, dtype = job[:3]
    lite = len(job) > 3 and job[3]
    x, roots = elementwise_points(name, params, dtype, lite)
    f, df = ELEMENTWISE[name]
    full = actcli.get(name).bind(params)
    fwd = np.array([_eval(f, float(v), full) for v in x]).reshape(-1, 2)
    grad = np.array([_eval(df, float(v), full) for v in x]).reshape(-1, 2)
    return {
        "name": name,
        "params": params,
        "dtype": dtype,
        "roots": roots,
        "sampled": bool(lite),
        "x": x,
        "fwd": fwd,
        "grad": grad,
    }


# --- functions computed along an axis: rows ------------------------------------------------
def _rows(name: str, dtype: str) -> np.ndarray:
    dt = np.dtype(dtype).type
    big = 1e30 if dtype == "float64" else 1e6
    rng = np.random.default_rng(1234 + len(name) + (0 if dtype == "float32" else 99))
    rows: list[np.ndarray] = []
    n = 8
    inf, nan = math.inf, math.nan
    for scale in (1e-8, 0.5, 3.0, 30.0, 300.0, 800.0, 1e4, big):
        for _ in range(12):
            rows.append(rng.normal(size=n) * scale)
        rows.append(np.full(n, scale))  # a uniform row
    special = [
        [0, 0, 0, 0, 0, 0, 0, 0],
        [1, 1, 1, 1, 1, 1, 1, 1 - 2**-40],
        [5, 5, -inf, 3, 2, 1, 0, -1],
        [-inf, 0.5, -inf, -20, -300, -800, 2, 2],
        [-inf] * 8,
        [inf, 1, 2, 3, 4, 5, 6, 7],
        [inf, 1, inf, -inf, 4, 5, 6, 7],
        [nan, 1, 2, 3, 4, 5, 6, 7],
        [1e-300, -1e-300, 0, 5e-324, 0.1, 0.2, 0.3, 0.4],
        [700, 0, -700, 40, -40, 20, -20, 1],
        [1.5, -745, -746, -760, 0, 1.4999999, 1.5000001, 1.5],
        [-1e300, 1e300, 0, 1, 2, 3, 4, 5],
    ]
    rows += [np.array(r, dtype=np.float64) for r in special]
    with np.errstate(over="ignore"):
        return np.array(rows).astype(dt)


def _glu_pairs(dtype: str) -> np.ndarray:
    """Rows (a, b) of length 2: a from a fixed set of magnitudes, b from the elementwise set."""
    b, _ = elementwise_points("sigmoid", {}, dtype)
    rng = np.random.default_rng(77)
    a = rng.normal(size=b.size) * 10.0 ** rng.integers(-3, 4, size=b.size)
    a[:5] = [math.inf, -math.inf, math.nan, 0.0, -1.0]
    a[5:10] = [3.0, math.inf, -math.inf, 1e300 if dtype == "float64" else 1e30, -2.0]
    with np.errstate(over="ignore"):
        return np.stack([a, b.astype(np.float64)], axis=1).astype(dtype)


def _gate_points(name: str, params: dict[str, Any], dtype: str) -> np.ndarray:
    """The gate column of a gated activation: the elementwise point set's values (specials,
    magnitudes, grids near 0, random ranges) plus the zero crossings of the gate's act and act'
    (the oracle's GATES) and, for a clamped gate, the clamp's edges, with their neighbours."""
    dt = np.dtype(dtype).type
    base, _ = elementwise_points("identity", {}, dtype)
    act, slope = GATES[name]
    extra = {k: v for k, v in params.items() if k not in ("dim", "gate", "layout")}
    pts = list(base.astype(np.float64))
    special = [float(v) for k, v in extra.items() if k == "limit" and math.isfinite(v)]
    for k in _crossings(act, extra) + _crossings(slope, extra) + special + [-v for v in special]:
        pts += _neighbours(k, dt, 8)
        offs = np.logspace(-15 if dtype == "float64" else -7, -1, 60) * max(abs(k), 1.0)
        pts += list(k + offs) + list(k - offs)
    with np.errstate(over="ignore"):
        return np.array(pts).astype(dt)


def _gated_pairs(name: str, params: dict[str, Any], dtype: str) -> np.ndarray:
    """Rows of one (gate, value) pair, ordered as ``params['gate']`` says: the gate from
    :func:`_gate_points`, the value from a fixed set of magnitudes (and the clamp's edges)."""
    g = _gate_points(name, params, dtype)
    rng = np.random.default_rng(78)
    v = rng.normal(size=g.size) * 10.0 ** rng.integers(-3, 4, size=g.size)
    v[:5] = [math.inf, -math.inf, math.nan, 0.0, -1.0]
    v[5:10] = [3.0, math.inf, -math.inf, 1e300 if dtype == "float64" else 1e30, -2.0]
    limit = params.get("limit")
    if limit is not None and math.isfinite(limit):
        edges = [e for s in (1.0, -1.0) for e in _neighbours(s * limit, np.dtype(dtype).type, 2)]
        v[10 : 10 + len(edges)] = edges
    cols = [g, v] if params["gate"] == "first" else [v, g]
    with np.errstate(over="ignore"):
        return np.stack(cols, axis=1).astype(dtype)


def _axis_case(job: tuple[Any, ...]) -> dict[str, Any]:
    name, params, dtype = job[:3]
    act = actcli.get(name)
    full = {k: v for k, v in act.bind(params).items() if k != "dim"}
    ref, vjp = AXIS[name]
    # A gate (its output shorter than its input) gets rows of one pair; the others rows of 8.
    halves = act.kernels.output_length is not None
    gated = name in GATES
    if gated:
        x = _gated_pairs(name, full, dtype)
    elif halves:
        x = _glu_pairs(dtype)
    else:
        x = _rows(name, dtype)
    reduces = act.kernels.reduces
    n_out = 1 if reduces else x.shape[1] // 2 if halves else x.shape[1]
    xm = [[MPF(float(v)) if not math.isnan(v) else mp.nan for v in r] for r in x]
    fwd = np.array([[_to_dd(v) for v in ref(r, **full)] for r in xm])
    # Gradients: g = ones (d/dx of the sum), a random upstream gradient, and for the softmax
    # family every one-hot row (the rows of the Jacobian).
    rng = np.random.default_rng(4321)
    gx_idx: list[int] = []
    gs: list[np.ndarray] = []
    for i in range(x.shape[0]):
        variants = [np.ones(n_out), rng.normal(size=n_out)]
        if not halves and not reduces:
            variants += [np.eye(n_out)[k] for k in range(n_out)]
        for v in variants:
            gx_idx.append(i)
            gs.append(v)
    g = np.array(gs).astype(dtype)
    grad = np.array(
        [
            [_to_dd(v) for v in vjp(xm[i], [MPF(float(t)) for t in gr], **full)]
            for i, gr in zip(gx_idx, g, strict=True)
        ]
    )
    if reduces:  # one value per row: the output (and g) drop the axis
        fwd, g = fwd[:, 0], g[:, 0]
    return {
        "name": name,
        "params": params,
        "dtype": dtype,
        "roots": [],
        "sampled": False,
        "x": x,
        "fwd": fwd,
        "gx": np.array(gx_idx, dtype=np.int32),
        "g": g,
        "grad": grad,
    }


def _case(job: tuple[Any, ...]) -> dict[str, Any]:
    return _axis_case(job) if actcli.get(job[0]).kind == "axis" else _elementwise_case(job)


def jobs() -> list[tuple[str, dict[str, Any], str, bool]]:
    """The fixed settings first (their indices and arrays stay put), then the drawn ones."""
    missing = sorted(set(actcli.names()) - set(SETTINGS))
    if missing:
        raise SystemExit(
            f"add SETTINGS and a reference function to tests/oracles.py for: {', '.join(missing)}"
        )
    fixed = [(n, p, d, False) for n in actcli.names() for p in SETTINGS[n] for d in DTYPES]
    drawn = [
        (n, p, d, True)
        for n in actcli.names()
        for p in reference_settings(n)  # elementwise functions only
        for d in DTYPES
    ]
    return fixed + drawn


def write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """``arrays`` as an ``.npz``, entry by entry in sorted order with a fixed timestamp, so that
    the same arrays always give the same bytes (the references are committed)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for key in sorted(arrays):
            info = zipfile.ZipInfo(key + ".npy", date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            with zf.open(info, "w") as fh:
                np.lib.format.write_array(fh, np.asarray(arrays[key]), allow_pickle=False)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=multiprocessing.cpu_count())
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    todo = jobs()
    with multiprocessing.Pool(args.jobs) as pool:
        results = pool.map(_case, todo, chunksize=1)
    index = []
    arrays: dict[str, np.ndarray] = {}
    for i, r in enumerate(results):
        index.append({k: r[k] for k in ("name", "params", "dtype", "roots", "sampled")})
        arrays[f"{i}.x"] = r["x"]
        for part in ("fwd", "grad"):
            arrays[f"{i}.{part}_hi"] = r[part][..., 0]
            # lo only matters in float64; in float32 it is dropped to keep the file small.
            lo = r[part][..., 1] if r["dtype"] == "float64" else np.zeros(0)
            arrays[f"{i}.{part}_lo"] = lo
        if "g" in r:
            arrays[f"{i}.gx"] = r["gx"]
            arrays[f"{i}.g"] = r["g"]
    arrays["index"] = np.array(json.dumps(index, sort_keys=True))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_npz(args.out, arrays)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB, {len(todo)} cases)")


if __name__ == "__main__":
    main()
