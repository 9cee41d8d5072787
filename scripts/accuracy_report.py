"""Measure every activation against tests/accuracy/reference.npz; write the tables.

Writes docs/ACCURACY.md (the whole table, with PyTorch's errors on the same points when torch is
importable) and actcli/data/accuracy.json (what ``actcli info`` and
``actcli.accuracy.measured()`` show). Regenerate the reference first if the point set or an
activation changed (scripts/make_accuracy_reference.py).

The second derivatives (``actcli.gradient(..., order=2)``) are measured against
tests/accuracy/second_reference.npz (scripts/make_second_reference.py), PyTorch's by a double
backward through autograd.

Run:  python scripts/accuracy_report.py [--no-torch]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import actcli  # noqa: E402
from actcli.accuracy import measure_case, summarize, ulp_error  # noqa: E402
from actcli.bench.baselines import torch_function  # noqa: E402

REFERENCE = ROOT / "tests" / "accuracy" / "reference.npz"
SECOND = ROOT / "tests" / "accuracy" / "second_reference.npz"
DOC = ROOT / "docs" / "ACCURACY.md"
DATA = ROOT / "actcli" / "data" / "accuracy.json"
PARTS = ("forward", "gradient")
DTYPES = ("float32", "float64")


def load() -> tuple[list[dict[str, Any]], list[dict[str, np.ndarray]]]:
    with np.load(REFERENCE) as z:
        arrays = {k: z[k] for k in z.files}
    index = json.loads(str(arrays.pop("index")))
    cases = []
    for i in range(len(index)):
        prefix = f"{i}."
        cases.append({k[len(prefix) :]: v for k, v in arrays.items() if k.startswith(prefix)})
    return index, cases


# --- PyTorch on the same points ---------------------------------------------------------------
def torch_errors(case: dict[str, Any], arrays: dict[str, np.ndarray]) -> dict[str, Any] | None:
    """PyTorch's ulp errors on the same points, or None if torch (or the function) is missing."""
    try:
        import torch
    except ImportError:
        return None
    act = actcli.get(case["name"])
    fn = torch_function(act, act.bind(case["params"]))
    if fn is None:
        return None
    dtype = case["dtype"]
    x = np.asarray(arrays["x"])
    with torch.no_grad():
        y = fn(torch.from_numpy(x.copy())).numpy()
    if "g" in arrays:
        xg = torch.from_numpy(x[arrays["gx"]].copy()).requires_grad_(True)
        g = torch.from_numpy(np.asarray(arrays["g"]).copy())
    else:
        xg = torch.from_numpy(x.copy()).requires_grad_(True)
        g = torch.ones_like(xg)
    fn(xg).backward(g)
    assert xg.grad is not None
    d = xg.grad.numpy()
    return {
        "forward": ulp_error(y, arrays["fwd_hi"], arrays["fwd_lo"], dtype),
        "gradient": ulp_error(d, arrays["grad_hi"], arrays["grad_lo"], dtype),
    }


# --- second derivatives -----------------------------------------------------------------------
def _torch_second(name: str, params: dict[str, Any], x: np.ndarray) -> np.ndarray | None:
    try:
        import torch
    except ImportError:
        return None
    act = actcli.get(name)
    fn = torch_function(act, act.bind(params))
    if fn is None:
        return None
    t = torch.from_numpy(x.copy()).requires_grad_(True)
    (d1,) = torch.autograd.grad(fn(t).sum(), t, create_graph=True)
    if not d1.requires_grad:  # a piecewise-constant slope: the graph ends, f'' = 0
        return np.zeros_like(x)
    try:
        (d2,) = torch.autograd.grad(d1.sum(), t)
    except RuntimeError:  # e.g. hardsigmoid: "derivative ... is not implemented"
        return None
    return np.asarray(d2.numpy())


def measure_second(use_torch: bool) -> dict[str, dict[str, Any]]:
    """Worst ulp errors of f'' per function: {name: {"actcli": {...}, "torch": {...} | None}}."""
    with np.load(SECOND) as z:
        arrays = {k: z[k] for k in z.files}
    index = json.loads(str(arrays.pop("index")))
    out: dict[str, dict[str, Any]] = {}
    for i, case in enumerate(index):
        name, params, dtype = case["name"], case["params"], case["dtype"]
        x = arrays[f"{i}.x"]
        hi, lo = arrays[f"{i}.f2_hi"], arrays[f"{i}.f2_lo"]
        with np.errstate(all="ignore"):
            ours = summarize(ulp_error(actcli.gradient(name, x, order=2, **params), hi, lo, dtype))
            t = _torch_second(name, params, x) if use_torch else None
        theirs = None if t is None else summarize(ulp_error(t, hi, lo, dtype))
        entry = out.setdefault(name, {"actcli": {}, "torch": {}, "has_torch": True})
        entry["actcli"][dtype] = _worst(entry["actcli"].get(dtype), ours)
        if theirs is None:
            entry["has_torch"] = False
        else:
            entry["torch"][dtype] = _worst(entry["torch"].get(dtype), theirs)
    return out


def second_markdown(data: dict[str, dict[str, Any]], torch_version: str | None) -> list[str]:
    out = [
        "## Second derivatives",
        "",
        "f''(x) from `actcli.gradient(name, x, order=2)` against",
        "`tests/accuracy/second_reference.npz` (`scripts/make_second_reference.py`), worst over",
        "the parameter settings. Goals, asserted by `tests/accuracy/test_second.py`: float32 max",
        "<= 1 ulp; float64 max <= 4 ulp and p99.9 <= 2 ulp.",
    ]
    if torch_version:
        out.append(
            f"Cells are **actcli / PyTorch {torch_version}** (a double backward through autograd);"
        )
        out += [
            "— where PyTorch has no such function or no double backward (hardsigmoid). PyTorch's",
            "**inf** is f''(NaN) = 0 (piecewise family), NaN at ±inf (silu, mish, gelu, softsign),",
            "or 0 where the truth is tiny but normal (sigmoid, tanh, softplus tails), as for f'.",
        ]
    out += [
        "",
        "| function | f32 f'' max | f64 f'' p99.9 | f64 f'' max |",
        "|---|---:|---:|---:|",
    ]
    for name, e in data.items():
        cells = []
        for dtype, stat in (("float32", "max"), ("float64", "p99.9"), ("float64", "max")):
            c = _fmt(e["actcli"][dtype][stat])
            if torch_version:
                t = e["torch"].get(dtype) if e["has_torch"] else None
                c += f" / {_fmt(None if t is None else t[stat])}"
            cells.append(c)
        out.append(f"| {name} | " + " | ".join(cells) + " |")
    out.append("")
    return out


# --- tables -----------------------------------------------------------------------------------
def _worst(a: dict[str, float] | None, b: dict[str, float]) -> dict[str, float]:
    if a is None:
        return dict(b)
    return {k: max(a[k], b[k]) for k in b}


def measure(use_torch: bool) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    index, cases = load()
    rows = []
    for case, arrays in zip(index, cases, strict=True):
        with np.errstate(all="ignore"):
            ours = measure_case(case, arrays)
            theirs = torch_errors(case, arrays) if use_torch else None
        rows.append(
            {
                "case": case,
                "points": int(np.asarray(arrays["x"]).size),
                "actcli": {p: summarize(ours[p]) for p in PARTS},
                "torch": None if theirs is None else {p: summarize(theirs[p]) for p in PARTS},
            }
        )
    functions: dict[str, Any] = {}
    for r in rows:
        name, dtype = r["case"]["name"], r["case"]["dtype"]
        f = functions.setdefault(name, {"settings": 0, "points": 0})
        d = f.setdefault(dtype, {})
        for p in PARTS:
            d[p] = _worst(d.get(p), r["actcli"][p])
        f["points"] += r["points"]
        if dtype == "float32":
            f["settings"] += 1
    for f in functions.values():
        for dtype in DTYPES:
            for p in PARTS:
                f[dtype][p] = {k: round(v, 3) for k, v in f[dtype][p].items()}
    return rows, functions


def _fmt(v: float | None) -> str:
    if v is None:
        return "—"
    if v == np.inf:
        return "**inf**"
    if v >= 1e4:
        return f"{v:.1e}"
    if v >= 10:
        return f"{v:.0f}"
    return f"{v:.2f}"


def _params(p: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(p.items())) or "defaults"


COLUMNS = [
    ("f32 fwd max", "float32", "forward", "max"),
    ("f32 grad max", "float32", "gradient", "max"),
    ("f64 fwd max", "float64", "forward", "max"),
    ("f64 grad p99.9", "float64", "gradient", "p99.9"),
    ("f64 grad max", "float64", "gradient", "max"),
]


def markdown(rows: list[dict[str, Any]], torch_version: str | None) -> str:
    out = [
        "# Measured accuracy",
        "",
        "Generated by `scripts/accuracy_report.py` from `tests/accuracy/reference.npz`",
        "(made by `scripts/make_accuracy_reference.py`: mpmath at 60 significant digits).",
        "Do not edit by hand.",
        "",
        "Errors are in ulps of the exact result in the input's dtype; for exact results below",
        "the smallest normal the unit is the smallest normal. NaN where the reference is finite",
        "(or the reverse), or an infinity where it is finite, counts as an infinite error",
        "(**inf**). Gradients are f'(x) for elementwise functions; for the softmax family and",
        "glu the VJP with grad_output = ones, a random grad_output per row and (softmax,",
        "softmin, log_softmax) every one-hot row, i.e. the rows of the Jacobian.",
        "",
        "Goals (issue 6), asserted by `tests/accuracy/test_accuracy.py` for every function:",
        "float32 max <= 1 ulp (forward and gradient); float64 forward max <= 2 ulp (<= 4 for the",
        "softmax family and glu); float64 gradient p99.9 <= 2 ulp and max <= 16 ulp.",
        "",
    ]
    if torch_version:
        out += [
            f"Each cell is **actcli / PyTorch {torch_version}** (CPU, same dtype, same points; "
            "autograd for the gradient); — where PyTorch has no such function.",
            "",
        ]
    else:
        out += ["PyTorch was not importable when this was generated: actcli's figures only.", ""]
    out.append("## Worst case over the parameter settings")
    out.append("")
    out.append("| function | settings | points | " + " | ".join(c[0] for c in COLUMNS) + " |")
    out.append("|---|---|---:|" + "---:|" * len(COLUMNS))
    by_name: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by_name.setdefault(r["case"]["name"], []).append(r)
    worst_ours = {c[0]: (-1.0, "") for c in COLUMNS}
    worst_torch = {c[0]: (-1.0, "") for c in COLUMNS}
    for name in actcli.names():
        rs = by_name.get(name, [])
        settings = sorted({json.dumps(r["case"]["params"], sort_keys=True) for r in rs})
        cells = []
        for label, dtype, part, stat in COLUMNS:
            sel = [r for r in rs if r["case"]["dtype"] == dtype]
            ours = max(r["actcli"][part][stat] for r in sel)
            tv = [r["torch"][part][stat] for r in sel if r["torch"] is not None]
            theirs = max(tv) if tv else None
            if ours > worst_ours[label][0]:
                worst_ours[label] = (ours, name)
            if theirs is not None and theirs > worst_torch[label][0]:
                worst_torch[label] = (theirs, name)
            cells.append(_fmt(ours) + (f" / {_fmt(theirs)}" if torch_version else ""))
        points = sum(r["points"] for r in rs)
        out.append(f"| {name} | {len(settings)} | {points} | " + " | ".join(cells) + " |")
    out.append("")
    out.append("Worst function per column (actcli):")
    out.append("")
    for label, _, _, _ in COLUMNS:
        v, n = worst_ours[label]
        line = f"- {label}: {n} {_fmt(v)} ulp"
        if torch_version and worst_torch[label][1]:
            tv, tn = worst_torch[label]
            line += f" (PyTorch's worst: {tn} {_fmt(tv)})"
        out.append(line)
    out.append("")
    if torch_version:
        out += [
            "Where PyTorch's column shows **inf**, it returned NaN or an infinity where the truth",
            "is finite, or a finite value where it is not: relu'(NaN) = 1 rather than NaN (the",
            "piecewise family), hardswish(-inf) = NaN, silu/mish/gelu/softsign NaN at ±inf,",
            "softplus with threshold=inf overflowing above 709.8, softmax-family rows with ±inf",
            "entries. Its errors of 1e7 (float32) or 1e15-1e16 ulp (float64) are results of 0",
            "where the truth is tiny but normal: sigmoid' = y(1 - y) and tanh' = 1 - y² in the",
            "tails, exact GELU's 1 + erf(x/√2) below -8, tanhshrink's x - tanh x near 0, and",
            "cancellation at the zero crossings of f' (silu, mish, gelu).",
            "",
        ]
    out += second_markdown(measure_second(torch_version is not None), torch_version)
    out.append("## Every setting")
    out.append("")
    out.append("| function | parameters | dtype | fwd max | fwd p99.9 | grad p99.9 | grad max |")
    out.append("|---|---|---|---:|---:|---:|---:|")
    for r in rows:
        c = r["case"]
        a, t = r["actcli"], r["torch"]

        def cell(part: str, stat: str, a: dict[str, Any] = a, t: Any = t) -> str:
            s = _fmt(a[part][stat])
            if torch_version:
                s += f" / {_fmt(None if t is None else t[part][stat])}"
            return s

        out.append(
            f"| {c['name']} | {_params(c['params'])} | {c['dtype']} | {cell('forward', 'max')} | "
            f"{cell('forward', 'p99.9')} | {cell('gradient', 'p99.9')} | "
            f"{cell('gradient', 'max')} |"
        )
    out.append("")
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-torch", action="store_true", help="leave PyTorch's column out")
    args = ap.parse_args()
    torch_version = None
    if not args.no_torch:
        try:
            import torch

            torch_version = torch.__version__.split("+")[0]
        except ImportError:
            pass
    rows, functions = measure(torch_version is not None)
    DATA.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "about": "max and p99.9 error in ulps against an mpmath reference, worst over the "
        "parameter settings; made by scripts/accuracy_report.py",
        "functions": functions,
    }
    DATA.write_text(json.dumps(payload, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(markdown(rows, torch_version), encoding="utf-8")
    print(f"wrote {DOC.relative_to(ROOT)} and {DATA.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
