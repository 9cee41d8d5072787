"""Record a full ``actcli bench`` run as JSON and write the markdown table of ratios.

Usage (the committed result was produced with the defaults):

    python benchmarks/run_bench.py --output benchmarks/results.json
    python benchmarks/run_bench.py --table-only benchmarks/results.json  # rewrite the table

The grid is every activation, forward and gradient, N = 1e7, float32 and float64, 1 and 2
threads, with the naive and the torch baselines (torch is skipped with a note if missing).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
from pathlib import Path
from typing import Any

import numpy as np

import actcli
from actcli import bench, catalog, options

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--output", type=Path, default=HERE / "results.json")
    ap.add_argument("--table", type=Path, default=HERE / "results.md")
    ap.add_argument("--size", default="1e7")
    ap.add_argument("--dtype", default="float32,float64")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--min-time", type=float, default=0.1)
    ap.add_argument("--names", default="", help="comma-separated subset (default: all)")
    ap.add_argument("--table-only", type=Path, help="only write the table from this JSON")
    ap.add_argument("--extras-only", action="store_true", help="only the start-up, overhead "
                    "and memory checks, added to --output")  # fmt: skip
    args = ap.parse_args(argv)
    if args.table_only is not None:
        data = json.loads(args.table_only.read_text())
        args.table.write_text(markdown(data))
        return 0
    if args.extras_only:
        data = json.loads(args.output.read_text())
        data["extras"] = extras()
        _save(args.output, data)
        args.table.write_text(markdown(data))
        return 0
    names = [n for n in args.names.split(",") if n] or actcli.names()
    t0 = time.time()

    def progress(done: int, total: int, label: str) -> None:
        print(f"[{done}/{total}] {label} ({time.time() - t0:.0f} s)", file=sys.stderr, flush=True)

    result = bench.run(
        names,
        sizes=options.parse_sizes(args.size),
        dtypes=options.parse_dtypes(args.dtype),
        threads=options.parse_threads(args.threads),
        baselines=bench.BASELINES,
        repeats=args.repeats,
        min_time=args.min_time,
        progress=progress,
    )
    data = result.to_dict()
    data["settings"]["command"] = "python benchmarks/run_bench.py " + " ".join(
        sys.argv[1:] if argv is None else argv
    )
    data["settings"]["wall_seconds"] = round(time.time() - t0, 1)
    data["extras"] = extras()
    _save(args.output, data)
    args.table.write_text(markdown(data))
    return 0


def _save(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1) + "\n")
    tmp.replace(path)


# --- the other targets of issue #5 -------------------------------------------------------------
def extras() -> dict[str, Any]:
    """Start-up, small-array overhead and peak memory, measured now."""
    print("extras: start-up, overhead, peak memory", file=sys.stderr, flush=True)
    return {"startup": startup(), "overhead": overhead(), "peak_memory": peak_memory()}


def startup(runs: int = 20) -> dict[str, Any]:
    """Whole-process medians: ``python -c "import numpy"`` and ``actcli eval relu6 x.npy -o y.npy``
    (interleaved runs), as the environment is and with Python's bytecode cache allowed.

    This environment sets PYTHONDONTWRITEBYTECODE=1, so an editable install recompiles every
    actcli module on every start; a normal install has them compiled. The ``cached`` variant
    writes the bytecode into a temporary PYTHONPYCACHEPREFIX (not into the checkout).
    """
    exe = shutil.which("actcli") or "actcli"
    out: dict[str, Any] = {"runs": runs}
    with tempfile.TemporaryDirectory() as tmp:
        x = Path(tmp) / "x.npy"
        np.save(x, np.linspace(-8, 8, 1000))
        cmds = {
            "python_import_numpy": [sys.executable, "-c", "import numpy"],
            "actcli_eval_relu6": [exe, "eval", "relu6", str(x), "-o", str(Path(tmp) / "y.npy")],
        }
        cached = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        cached["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        for variant, env in (("as_is", dict(os.environ)), ("cached", cached)):
            for cmd in cmds.values():  # warm-up (and, for "cached", compile once)
                subprocess.run(cmd, check=True, capture_output=True, env=env)
            times: dict[str, list[float]] = {k: [] for k in cmds}
            for _ in range(runs):  # interleaved, so that a noisy moment hits both
                for key, cmd in cmds.items():
                    t0 = time.perf_counter()
                    subprocess.run(cmd, check=True, capture_output=True, env=env)
                    times[key].append(time.perf_counter() - t0)
            med = {k: statistics.median(v) for k, v in times.items()}
            out[variant] = {
                "median_seconds": med,
                "ratio": med["actcli_eval_relu6"] / med["python_import_numpy"],
            }
    out["pythondontwritebytecode"] = os.environ.get("PYTHONDONTWRITEBYTECODE")
    return out


def overhead(size: int = 1000) -> dict[str, Any]:
    """Per-call cost at N = ``size``: ``actcli.evaluate`` against a bare ``np.maximum(x, 0)``.

    ``ratio_relu`` is evaluate("relu", x) / np.maximum(x, 0) (the whole call); per activation
    whose kernel takes under 10x np.maximum, ``overhead_ratio`` is (evaluate - the kernel called
    directly on input already in the compute dtype) / np.maximum(x, 0).
    """
    out: dict[str, Any] = {"size": size}

    def best(fn: Any) -> float:
        return min(timeit.repeat(fn, number=2000, repeat=7)) / 2000

    for dtype in ("float64", "float32"):
        x = (3 * np.random.default_rng(0).standard_normal(size)).astype(dtype)
        base = best(lambda: np.maximum(x, 0))  # noqa: B023
        per: dict[str, float] = {}
        for name in actcli.names():
            act = actcli.get(name)
            if act.kind != "elementwise":
                continue
            params = bench.bench_params(act)
            if any(p.required for p in act.params):
                call = lambda: actcli.evaluate(name, x, **params)  # noqa: B023, E731
            else:
                call = lambda: actcli.evaluate(name, x)  # noqa: B023, E731
            xc = x.astype(actcli.engine.compute_dtype(act, x.dtype, params))
            kernel = best(lambda: act.forward(xc, **params))  # noqa: B023
            if kernel < 10 * base:  # beyond, timing noise in the kernel swamps the overhead
                per[name] = (best(call) - kernel) / base
        relu = best(lambda: actcli.evaluate("relu", x))  # noqa: B023
        out[dtype] = {
            "np_maximum_seconds": base,
            "evaluate_relu_seconds": relu,
            "ratio_relu": relu / base,
            "overhead_ratio": per,
            "max_overhead_ratio": max(per.values()),
        }
    return out


def peak_memory(size: int = 10**7) -> dict[str, Any]:
    """tracemalloc peak minus the output, per activation and call, at N = ``size`` float64."""
    per: dict[str, float] = {}
    for name in actcli.names():
        act = actcli.get(name)
        params = bench.bench_params(act)
        x, g = bench.make_inputs(act, size, "float64")
        calls = {
            "forward": lambda: actcli.evaluate(name, x, **params),  # noqa: B023
            "gradient": lambda: actcli.gradient(name, x, g, **params),  # noqa: B023
            "gradient_ones": lambda: actcli.gradient(name, x, **params),  # noqa: B023
        }
        for what, call in calls.items():
            per[f"{name} {what}"] = bench.temporaries(call) / 2**20
    worst = max(per, key=per.__getitem__)
    return {
        "size": size,
        "dtype": "float64",
        "input_mib": size * 8 / 2**20,
        "temporaries_mib": per,
        "max_temporaries_mib": per[worst],
        "worst": worst,
    }


def _fmt(v: float | None, spec: str = ".2f") -> str:
    return "—" if v is None else format(v, spec)


def markdown(data: dict[str, Any]) -> str:
    """The ratio table: one line per activation and direction, a column per dtype/threads."""
    rows = data["rows"]
    configs = sorted({(r["dtype"], r["threads"]) for r in rows})
    head = " | ".join(f"{d} t{t}" for d, t in configs)
    lines = [
        "| activation | dir | " + head + " |",
        "|---|---|" + "---|" * len(configs),
    ]
    by_key = {(r["name"], r["direction"], r["dtype"], r["threads"]): r for r in rows}
    names = list(dict.fromkeys(r["name"] for r in rows))
    for name in names:
        for d in bench.DIRECTIONS:
            cells = []
            for dt, th in configs:
                r = by_key.get((name, d, dt, th))
                if r is None:
                    cells.append("")
                    continue
                cells.append(
                    f"{_fmt(r['vs_torch'])} / {_fmt(r['vs_naive'])} / {r['pct_of_bound']:.0f}%"
                )
            lines.append(f"| {name} | {d[:4]} | " + " | ".join(cells) + " |")
    s = data["summary"]
    out = [
        *targets_md(data),
        "Cells: speed-up vs torch / vs naive NumPy / % of the copy bandwidth bound "
        "(ratios > 1: actcli is faster).",
        "",
        *lines,
        "",
        f"Geometric mean vs torch: {_fmt(s['geomean_vs_torch'])} "
        f"(forward {_fmt(s['geomean_vs_torch_forward'])}, "
        f"gradient {_fmt(s['geomean_vs_torch_gradient'])})",
        f"Geometric mean vs naive: {_fmt(s['geomean_vs_naive'])} "
        f"(forward {_fmt(s['geomean_vs_naive_forward'])}, "
        f"gradient {_fmt(s['geomean_vs_naive_gradient'])})",
        f"Rows slower than torch: {len(s['slower_than_torch'])} of "
        f"{sum(1 for r in rows if r['vs_torch'] is not None)}",
        "",
        *_extras_md(data.get("extras")),
        "Copy bound (GB/s, median over the activations; min..max): "
        + "; ".join(_bound_summary(data["bounds"])),
        "",
    ]
    return "\n".join(out)


def _piecewise_family(name: str) -> bool:
    return catalog.family_of(name) == "piecewise"


def _bandwidth_bound(name: str) -> bool:
    return actcli.get(name).bandwidth_goal is not None


def targets_md(data: dict[str, Any]) -> list[str]:
    """The issue's targets, each with the measured figure and met / not met."""
    rows = data["rows"]

    def gm(vals: list[float]) -> str:
        g = bench.geomean(vals)
        return "—" if g is None else f"{g:.2f}x"

    def family(pred: Any) -> dict[str, Any]:
        sel = [r for r in rows if pred(r["name"])]
        vt = [r["vs_torch"] for r in sel if r["vs_torch"] is not None]
        vn = [r["vs_naive"] for r in sel if r["vs_naive"] is not None]
        return {"ok": sum(v >= 1 for v in vt), "n": len(vt), "torch": gm(vt), "naive": gm(vn)}

    pw = family(_piecewise_family)
    sm = family(lambda n: not _piecewise_family(n))
    every = family(lambda n: True)
    s = data["summary"]
    pl = [r["pct_of_bound"] for r in rows if _bandwidth_bound(r["name"])]
    per_cfg = ", ".join(
        f"{d} t{t} {statistics.median(v):.0f}%"
        for (d, t), v in sorted(_group(rows, _bandwidth_bound).items())
    )
    g_t, g_n = s["geomean_vs_torch"] or 0, s["geomean_vs_naive"] or 0
    lines = [
        "| target | status | measured |",
        "|---|---|---|",
        f"| every row >= 1.0x torch | {'met' if every['ok'] == every['n'] else '**not met**'} | "
        f"{every['ok']} of {every['n']} rows; piecewise family {pw['ok']} of {pw['n']}, "
        f"smooth + axis {sm['ok']} of {sm['n']} |",
        f"| geometric mean >= 1.5x torch | {'met' if g_t >= 1.5 else '**not met**'} | "
        f"{gm([g_t])} overall; piecewise family {pw['torch']}, smooth + axis {sm['torch']} |",
        f"| geometric mean >= 3x naive | {'met' if g_n >= 3 else '**not met**'} | "
        f"{gm([g_n])} overall; piecewise family {pw['naive']}, smooth + axis {sm['naive']} |",
        f"| piecewise-linear >= 80% of the copy bound | "
        f"{'met' if pl and min(pl) >= 80 else '**not met**'} | median "
        f"{statistics.median(pl):.0f}% ({per_cfg}); {sum(p >= 80 for p in pl)} of {len(pl)} "
        "rows >= 80% |",
    ]
    ex = data.get("extras")
    if ex:
        ov, pm, st = ex["overhead"], ex["peak_memory"], ex["startup"]
        r64, r32 = ov["float64"]["ratio_relu"], ov["float32"]["ratio_relu"]
        lines.append(
            f"| N = 1e3: evaluate <= 3x `np.maximum(x, 0)` | "
            f"{'met' if max(r64, r32) <= 3 else '**not met**'} | relu {r64:.2f}x (float64), "
            f"{r32:.2f}x (float32) |"
        )
        lines.append(
            f"| peak memory <= input + output + 64 MiB | "
            f"{'met' if pm['max_temporaries_mib'] <= 64 else '**not met**'} | at most "
            f"{pm['max_temporaries_mib']:.1f} MiB of temporaries at N = 1e7 float64 "
            f"({pm['worst']}) |"
        )
        a, c = st["as_is"]["ratio"], st["cached"]["ratio"]
        lines.append(
            f"| start-up <= 1.5x `import numpy` | {'met' if c <= 1.5 else '**not met**'} with "
            f"bytecode cached, {'met' if a <= 1.5 else '**not met**'} as-is | {c:.2f}x cached, "
            f"{a:.2f}x with PYTHONDONTWRITEBYTECODE=1 |"
        )
    return [*lines, ""]


def _group(rows: list[dict[str, Any]], keep: Any) -> dict[tuple[str, int], list[float]]:
    out: dict[tuple[str, int], list[float]] = {}
    for r in rows:
        if keep(r["name"]):
            out.setdefault((r["dtype"], r["threads"]), []).append(r["pct_of_bound"])
    return out


def _bound_summary(bounds: list[dict[str, Any]]) -> list[str]:
    groups: dict[tuple[str, int], list[float]] = {}
    for b in bounds:
        groups.setdefault((b["dtype"], b["threads"]), []).append(b["gb_per_s"])
    return [
        f"{d} t{t} {statistics.median(v):.1f} ({min(v):.1f}..{max(v):.1f})"
        for (d, t), v in sorted(groups.items())
    ]


def _extras_md(ex: dict[str, Any] | None) -> list[str]:
    if not ex:
        return []
    st, ov, pm = ex["startup"], ex["overhead"], ex["peak_memory"]
    return [
        *(
            f"Start-up ({label}): `actcli eval relu6 x.npy -o y.npy` "
            f"{st[key]['median_seconds']['actcli_eval_relu6'] * 1e3:.0f} ms vs "
            f'`python -c "import numpy"` '
            f"{st[key]['median_seconds']['python_import_numpy'] * 1e3:.0f} ms: "
            f"{st[key]['ratio']:.2f}x (median of {st['runs']})"
            for key, label in (
                ("as_is", "as this environment runs it, PYTHONDONTWRITEBYTECODE=1"),
                ("cached", "with bytecode cached, as after a normal install"),
            )
        ),
        f"Small arrays (N = {ov['size']}): evaluate('relu', x) / np.maximum(x, 0) = "
        f"{ov['float64']['ratio_relu']:.2f}x (float64), {ov['float32']['ratio_relu']:.2f}x "
        f"(float32); largest pure overhead (evaluate - kernel) / np.maximum: "
        f"{ov['float64']['max_overhead_ratio']:.2f}x (float64), "
        f"{ov['float32']['max_overhead_ratio']:.2f}x (float32)",
        f"Peak memory at N = {pm['size']:.0e} float64 (input {pm['input_mib']:.0f} MiB): at most "
        f"{pm['max_temporaries_mib']:.1f} MiB of temporaries beyond the output ({pm['worst']})",
        "",
    ]


if __name__ == "__main__":
    raise SystemExit(main())
