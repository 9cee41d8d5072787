"""Generate tests/accuracy/second_reference.npz: mpmath values of f''(x) for every elementwise
activation (the reference of ``actcli.gradient(..., order=2)``).

The closed forms are the oracle's (``tests/oracles.py``, ``SECOND``); each is checked against
mpmath's numerical derivative of the oracle's f' (``ELEMENTWISE``) at smooth points before
anything is written, so a wrong formula stops the script. Point set (per activation, parameter
setting and dtype, kept small): ±0, ±inf, NaN, tiny and subnormal values, a log grid from the
smallest subnormal to 1e3, uniform samples on [-4, 4], [-40, 40] and a wide range, log-uniform
samples up to the dtype's max, and the float neighbours of every kink and zero crossing of f''
with a geometric grid on each side. Values are stored as double-doubles ``hi + lo`` (``lo`` only
for float64).

Run:  python scripts/make_second_reference.py [--jobs N]   (about 20 s on two cores)
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import multiprocessing
import sys
from pathlib import Path
from typing import Any

import mpmath as mp
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import actcli  # noqa: E402
from tests.oracles import DPS, ELEMENTWISE, MPF, SECOND, SETTINGS  # noqa: E402

_spec = importlib.util.spec_from_file_location(
    "make_accuracy_reference", ROOT / "scripts" / "make_accuracy_reference.py"
)
assert _spec is not None and _spec.loader is not None
first = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(first)

OUT = ROOT / "tests" / "accuracy" / "second_reference.npz"
mp.mp.dps = DPS


def check_formulas() -> None:
    """Each f'' against mpmath's numerical derivative of the independent f' (smooth points)."""
    rng = np.random.default_rng(2026)
    for name, fn in SECOND.items():
        act = actcli.get(name)
        for params in SETTINGS[name]:
            full = act.bind(params)
            df = ELEMENTWISE[name][1]
            kinks = act.kink_points(full)
            for x in rng.uniform(-6, 6, 12):
                if any(abs(x - k) < 1e-3 for k in kinks) or abs(x) < 1e-3:
                    continue
                want = mp.diff(lambda t, df=df, full=full: df(t, **full), MPF(float(x)))
                got = fn(MPF(float(x)), **full)
                if abs(got - want) > MPF(10) ** -40 * (1 + abs(want)):
                    raise SystemExit(f"{name} {params} at {x}: f'' {got} != {want}")


def _points(name: str, params: dict[str, Any], dtype: str) -> tuple[np.ndarray, list[float]]:
    dt = np.dtype(dtype).type
    fi = np.finfo(dt)
    seed = int.from_bytes((name + json.dumps(params, sort_keys=True) + dtype).encode()[:16])
    rng = np.random.default_rng(seed % 2**63)
    sub, tiny, maxv = float(fi.smallest_subnormal), float(fi.tiny), float(fi.max)
    pts: list[float] = [0.0, -0.0, math.inf, -math.inf, math.nan]
    for v in (sub, 3 * sub, tiny, 1e-30, 1e-8, 0.5, 1.0, 2.0, 3.0, 20.0, 88.7, 709.8, 1e30, maxv):
        pts += [v, -v]
    mags = np.logspace(math.log10(sub), 3, 160)
    pts += list(mags) + list(-mags)
    pts += list(rng.uniform(-4, 4, 200)) + list(rng.uniform(-40, 40, 120))
    wide = 750.0 if dtype == "float64" else 110.0
    pts += list(rng.uniform(-wide, wide, 60))
    e = rng.uniform(math.log10(sub), math.log10(maxv), 80)
    pts += list(10.0**e * rng.choice([-1.0, 1.0], size=e.size))
    act = actcli.get(name)
    full = act.bind(params)
    roots = first._crossings(SECOND[name], full)
    for k in list(act.kink_points(full)) + roots:
        pts += first._neighbours(k, dt, 6)
        offs = np.logspace(-15 if dtype == "float64" else -7, -1, 24) * max(abs(k), 1.0)
        pts += list(k + offs) + list(k - offs)
    with np.errstate(over="ignore"):
        arr = np.array(pts, dtype=np.float64).astype(dt)
    _, idx = np.unique(arr.view(np.uint32 if dt is np.float32 else np.uint64), return_index=True)
    return arr[np.sort(idx)], roots


def _case(job: tuple[str, dict[str, Any], str]) -> dict[str, Any]:
    name, params, dtype = job
    x, roots = _points(name, params, dtype)
    full = actcli.get(name).bind(params)
    vals = np.array([first._eval(SECOND[name], float(v), full) for v in x]).reshape(-1, 2)
    return {"name": name, "params": params, "dtype": dtype, "roots": roots, "x": x, "f2": vals}


def jobs() -> list[tuple[str, dict[str, Any], str]]:
    elementwise = [n for n in actcli.names() if actcli.get(n).kind == "elementwise"]
    missing = sorted(set(elementwise) - set(SECOND))
    if missing:
        raise SystemExit(f"add a second derivative for: {', '.join(missing)}")
    return [(n, p, d) for n in elementwise for p in SETTINGS[n] for d in first.DTYPES]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=multiprocessing.cpu_count())
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    check_formulas()
    todo = jobs()
    with multiprocessing.Pool(args.jobs) as pool:
        results = pool.map(_case, todo, chunksize=1)
    index = []
    arrays: dict[str, np.ndarray] = {}
    for i, r in enumerate(results):
        index.append({k: r[k] for k in ("name", "params", "dtype", "roots")})
        arrays[f"{i}.x"] = r["x"]
        arrays[f"{i}.f2_hi"] = r["f2"][:, 0]
        arrays[f"{i}.f2_lo"] = r["f2"][:, 1] if r["dtype"] == "float64" else np.zeros(0)
    arrays["index"] = np.array(json.dumps(index, sort_keys=True))
    first.write_npz(args.out, arrays)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB, {len(todo)} cases)")


if __name__ == "__main__":
    main()
