"""Measure every activation against tests/accuracy/reference.npz; write the tables.

Writes docs/ACCURACY.md (the whole table, with PyTorch's errors on the same points when torch is
importable; the settings drawn across each parameter's declared range summarised per function
and per parameter range) and actcli/data/accuracy.json (what ``actcli info`` and
``actcli.accuracy.measured()`` show: the worst over the fixed settings of tests/oracles.py).
Regenerate the reference first if the point set or an activation changed
(scripts/make_accuracy_reference.py).

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
    if "g" in arrays:
        xg = torch.from_numpy(x[arrays["gx"]].copy()).requires_grad_(True)
        g = torch.from_numpy(np.asarray(arrays["g"]).copy())
    else:
        xg = torch.from_numpy(x.copy()).requires_grad_(True)
        g = torch.ones_like(xg)
    try:
        with torch.no_grad():
            y = fn(torch.from_numpy(x.copy())).numpy()
        fn(xg).backward(g)
    except (RuntimeError, ValueError, OverflowError):  # a parameter torch refuses
        return None
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
        if r["case"].get("sampled"):
            continue  # accuracy.json: the fixed settings (the drawn ones are in the document)
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


def _range_of(v: Any) -> str:
    """The class of a parameter value in the per-range table."""
    if not isinstance(v, float):
        return repr(v)
    a = abs(v)
    if a == 0:
        return "±0"
    if a == np.inf:
        return "±inf"
    if a <= 1e-300:
        return "tiny (<= 1e-300)"
    if a < 1e-30:
        return "below float32 (< 1e-30)"
    if a < 1e30:
        return "ordinary (1e-30 to 1e30)"
    return "huge (>= 1e30)"


def _range_key(case: dict[str, Any]) -> tuple[str, str]:
    """(parameter, range class) of a drawn setting: the parameter it moves away from the
    defaults (``a = b`` when two move together) and the class of its value."""
    act = actcli.get(case["name"])
    base = {**act.defaults(), **act.illustrative()}
    moved = [k for k, v in case["params"].items() if base.get(k) != v]
    moved = moved or list(case["params"])[:1]
    label = " = ".join(moved)
    return label, _range_of(case["params"][moved[0]])


RANGE_ORDER = [
    "±0",
    "tiny (<= 1e-300)",
    "below float32 (< 1e-30)",
    "ordinary (1e-30 to 1e30)",
    "huge (>= 1e30)",
    "±inf",
]


def _cells(sel: list[dict[str, Any]], torch_version: str | None) -> list[str]:
    cells = []
    for _, dtype, part, stat in COLUMNS:
        rs = [r for r in sel if r["case"]["dtype"] == dtype]
        ours = max(r["actcli"][part][stat] for r in rs)
        tv = [r["torch"][part][stat] for r in rs if r["torch"] is not None]
        theirs = max(tv) if tv else None
        cells.append(_fmt(ours) + (f" / {_fmt(theirs)}" if torch_version else ""))
    return cells


def _meets_goal(r: dict[str, Any]) -> bool:
    goal = actcli.get(r["case"]["name"]).goal.of(r["case"]["dtype"])
    a = r["actcli"]
    return bool(
        a["forward"]["max"] <= goal["fwd_max"]
        and a["gradient"]["p99.9"] <= goal["grad_p999"]
        and a["gradient"]["max"] <= goal["grad_max"]
    )


def space_markdown(rows: list[dict[str, Any]], torch_version: str | None) -> list[str]:
    """The settings drawn across each parameter's declared range: the worst per function over
    every setting (fixed and drawn), and the worst per parameter range."""
    drawn = [r for r in rows if r["case"].get("sampled")]
    names = [n for n in actcli.names() if any(r["case"]["name"] == n for r in drawn)]
    head = "| " + " | ".join(c[0] for c in COLUMNS) + " |"
    out = [
        "## Across the parameter space",
        "",
        "Besides the settings above, the reference draws settings from each parameter's whole",
        "declared valid range (`tests/oracles.py`, `reference_settings`: edge values first:",
        "0, -0.0, 5e-324, 1e-300, 1e300, 1.7e308, ±inf, then values float32 and float16 cannot",
        "represent and ordinary ones; a parameter alone, or two set equal), each on a lighter",
        "point set that adds x = z·p and z/p around the parameter's scale.",
        "`tests/accuracy/test_accuracy.py` asserts the same goals at every one of them.",
        "",
        "### Worst over the sampled parameter space, per function",
        "",
        "| function | settings | " + head[2:],
        "|---|---:|" + "---:|" * len(COLUMNS),
    ]
    missing = []
    for name in names:
        sel = [r for r in rows if r["case"]["name"] == name]
        n = len({json.dumps(r["case"]["params"], sort_keys=True) for r in sel})
        out.append(f"| {name} | {n} | " + " | ".join(_cells(sel, torch_version)) + " |")
        if any(not _meets_goal(r) for r in sel):
            missing.append(name)
    if missing:
        out += [
            "",
            f"Missing the goals at some drawn settings when this was generated: "
            f"{', '.join(missing)}.",
        ]
    out += [
        "",
        "### Per parameter range",
        "",
        "The drawn settings grouped by the parameter they move away from the defaults (`a = b`:",
        "two parameters set to the same value) and the magnitude of its value (either sign).",
        "",
        "| function | parameter | range | settings | " + head[2:],
        "|---|---|---|---:|" + "---:|" * len(COLUMNS),
    ]
    for name in names:
        groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for r in drawn:
            if r["case"]["name"] == name:
                groups.setdefault(_range_key(r["case"]), []).append(r)
        for (param, cls), sel in sorted(
            groups.items(), key=lambda kv: (kv[0][0], RANGE_ORDER.index(kv[0][1]))
        ):
            n = len({json.dumps(r["case"]["params"], sort_keys=True) for r in sel})
            cells = " | ".join(_cells(sel, torch_version))
            out.append(f"| {name} | {param} | {cls} | {n} | {cells} |")
    out.append("")
    return out


#: SELU's constants as Klambauer et al. (2017) print them (31 digits).
PAPER_SCALE = "1.0507009873554804934193349852946"
PAPER_ALPHA = "1.6732632423543772848170429916717"


def selu_against_the_paper() -> dict[str, dict[str, float]]:
    """selu's errors on its reference points against the paper's constants carried exactly
    (the reference, like PyTorch and JAX, uses scale and scale·alpha as doubles)."""
    import mpmath as mp

    index, cases = load()
    out: dict[str, dict[str, float]] = {}
    with mp.workdps(60):
        s, a = mp.mpf(PAPER_SCALE), mp.mpf(PAPER_ALPHA)
        for case, arrays in zip(index, cases, strict=True):
            if case["name"] != "selu" or case.get("sampled"):
                continue
            x = np.asarray(arrays["x"])
            keep = np.isfinite(x)
            x = x[keep]
            f = [s * mp.mpf(float(v)) if v > 0 else s * a * mp.expm1(float(v)) for v in x]
            d = [s if v > 0 else s * a * mp.exp(float(v)) for v in x]

            def dd(vals: list[Any]) -> tuple[np.ndarray, np.ndarray]:
                hi = np.array([float(v) for v in vals])
                return hi, np.array([float(v - h) for v, h in zip(vals, hi, strict=True)])

            fe = ulp_error(actcli.evaluate("selu", x), *dd(f), case["dtype"])
            ge = ulp_error(actcli.gradient("selu", x), *dd(d), case["dtype"])
            out[case["dtype"]] = {
                "fwd_max": float(summarize(fe)["max"]),
                "grad_p999": float(summarize(ge)["p99.9"]),
                "grad_max": float(summarize(ge)["max"]),
            }
    return out


def definitions_markdown() -> list[str]:
    paper = selu_against_the_paper()
    p32, p64 = paper["float32"], paper["float64"]
    return [
        "## What the goals are measured against",
        "",
        "Every function is measured against its definition in `tests/oracles.py`, with the",
        "parameters as given (doubles; actcli never rounds a parameter to the input's dtype).",
        "One definition needs a word: **selu** is measured against its constants as PyTorch and",
        "JAX define them in code, scale = 1.0507009873554805 (the double nearest the paper's",
        "value) and scale·alpha = 1.7580993408473766 (the product of the two doubles, rounded",
        "once), not against the paper's 31-digit constants, whose exact product rounds to",
        "1.7580993408473768, one ulp higher. actcli keeps the frameworks' bits where they show",
        "(selu(-inf) = -1.7580993408473766 and selu'(0) = 1.7580993408473766, as PyTorch's",
        "autograd gives at the kink); carrying the paper's product beyond double would move",
        "both by an ulp. Against the paper's constants carried exactly, the float64 figures are",
        f"forward max {_fmt(p64['fwd_max'])} ulp, gradient p99.9 {_fmt(p64['grad_p999'])} and",
        f"max {_fmt(p64['grad_max'])} ulp (float32: {_fmt(p32['fwd_max'])} and",
        f"{_fmt(p32['grad_max'])} ulp): the tail inherits the constant's one-ulp offset.",
        "",
        "No parameter makes a problem ill-conditioned for these measurements: the inputs and the",
        "parameters are exact doubles and the kernels use them exactly (softplus carries β·x as",
        "an exact pair, elu's VJP forms g·alpha·e^x as one scaled product, rrelu's mean slope",
        "cannot overflow), so the goals hold unchanged at every parameter value, with no",
        "parameter-dependent bound (see the per-range tables). The one rounding a parameter",
        "undergoes is the result's: a float32 hardtanh clamped at max_val = 0.1 returns",
        "float32(0.1), 0.2 ulp from 0.1.",
        "",
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
    out += definitions_markdown()
    out.append("## Worst case over the fixed parameter settings")
    out.append("")
    out.append("| function | settings | points | " + " | ".join(c[0] for c in COLUMNS) + " |")
    out.append("|---|---|---:|" + "---:|" * len(COLUMNS))
    by_name: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        if not r["case"].get("sampled"):
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
    out += space_markdown(rows, torch_version)
    out += second_markdown(measure_second(torch_version is not None), torch_version)
    out.append("## Every setting")
    out.append("")
    out.append("| function | parameters | dtype | fwd max | fwd p99.9 | grad p99.9 | grad max |")
    out.append("|---|---|---|---:|---:|---:|---:|")
    for r in rows:
        c = r["case"]
        if c.get("sampled"):
            continue
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
