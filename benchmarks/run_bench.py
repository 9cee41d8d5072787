"""Measure issue 19's targets: every activation against PyTorch and the textbook NumPy formulas.

    python benchmarks/run_bench.py                       # the full run: results.json, results.md
    python benchmarks/run_bench.py --names relu,gelu,softmax --size 1e5 \\
        --output /tmp/sub.json --table /tmp/sub.md       # a subset
    python benchmarks/run_bench.py --table-only benchmarks/results.json   # rewrite the table

The full grid (the defaults) is every activation of the catalog, forward and gradient,
N = 4e6 and 1e7, float32 and float64, 1 and 2 threads, with the torch and naive baselines, then
the start-up (benchmarks/startup.py's method) and the N = 1e3 call overhead. Progress lines on
stderr give the time left. The markdown opens with the machine as measured at run time, then
the targets table (met / not met), the rows that miss a target, what the run left out, and
the ratio table: one row per function and direction, a cell per (dtype, N, threads).
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import json
import os
import platform
import statistics
import sys
import time
import timeit
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np

import actcli
from actcli import bench, catalog, options
from actcli.errors import ActcliError

HERE = Path(__file__).resolve().parent

#: Issue 19's grid and thresholds.
GRID: dict[str, list[Any]] = {
    "sizes": [4 * 10**6, 10**7],
    "dtypes": ["float32", "float64"],
    "threads": [1, 2],
    "directions": list(bench.DIRECTIONS),
    "baselines": list(bench.BASELINES),
}
EVERY_ROW_VS_TORCH = 1.0
GEOMEAN_VS_TORCH = 2.0
EXACT_GELU_VS_TORCH = 2.0
SOFTMAX_FAMILY_VS_TORCH = 1.2
GEOMEAN_VS_NAIVE = 3.0
OVERHEAD_SIZE = 1000
OVERHEAD_VS_MAXIMUM = 2.0
STARTUP_VS_NUMPY = 1.5

#: CPU flags worth naming when stating the machine (x86-64 and aarch64).
ISA_FLAGS = (
    "sse4_2",
    "avx",
    "avx2",
    "fma",
    "avx512f",
    "avx512dq",
    "avx512bw",
    "avx512vl",
    "avx512_fp16",
    "asimd",
    "sve",
)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--output", type=Path, default=HERE / "results.json")
    ap.add_argument("--table", type=Path, default=HERE / "results.md")
    ap.add_argument("--size", default="4e6,1e7", help="N[,N...] (default: 4e6,1e7)")
    ap.add_argument("--dtype", default="float32,float64")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--min-time", type=float, default=0.1)
    ap.add_argument("--names", default="", help="comma-separated subset (default: the catalog)")
    ap.add_argument("--table-only", type=Path, help="only write the table from this JSON")
    ap.add_argument(
        "--extras-only",
        action="store_true",
        help="only re-measure the start-up and N = 1e3 overhead, into --output's JSON",
    )
    ap.add_argument("--no-extras", action="store_true", help="skip start-up and overhead")
    ap.add_argument(
        "--peak-memory",
        action="store_true",
        help="also measure peak temporaries at N = 1e7 float64 (issue 5's check; ~2 min)",
    )
    ap.add_argument("--startup-runs", type=int, default=25)
    args = ap.parse_args(argv)
    if args.table_only is not None:
        data = json.loads(args.table_only.read_text())
        args.table.write_text(markdown(data))
        return 0
    if args.extras_only:
        data = json.loads(args.output.read_text())
        data["extras"] = extras(args.startup_runs, args.peak_memory)
        _save(args.output, data)
        args.table.write_text(markdown(data))
        return 0
    try:
        names = [actcli.get(n).name for n in args.names.split(",") if n] or actcli.names()
        sizes = options.parse_sizes(args.size)
        dtypes = options.parse_dtypes(args.dtype)
        threads = options.parse_threads(args.threads)
    except (ActcliError, ValueError) as e:
        ap.error(str(e))
    started = datetime.datetime.now(datetime.timezone.utc)
    machine = machine_state()
    t0 = time.time()

    def progress(done: int, total: int, label: str) -> None:
        spent = time.time() - t0
        left = spent / done * (total - done) / 60
        print(
            f"[{done}/{total}] {label} ({spent:.0f} s, about {left:.0f} min left)",
            file=sys.stderr,
            flush=True,
        )

    result = bench.run(
        names,
        sizes=sizes,
        dtypes=dtypes,
        threads=threads,
        baselines=bench.BASELINES,
        repeats=args.repeats,
        min_time=args.min_time,
        progress=progress,
    )
    data = result.to_dict()
    data["machine"].update(machine)
    data["machine"]["loadavg_end"] = list(os.getloadavg())
    data["settings"]["command"] = "python benchmarks/run_bench.py " + " ".join(
        sys.argv[1:] if argv is None else argv
    )
    data["settings"]["started_utc"] = started.strftime("%Y-%m-%d %H:%M UTC")
    data["settings"]["wall_seconds"] = round(time.time() - t0, 1)
    data["catalog"] = catalog_facts()
    if not args.no_extras:
        data["extras"] = extras(args.startup_runs, args.peak_memory)
        data["settings"]["wall_seconds"] = round(time.time() - t0, 1)
    _save(args.output, data)
    args.table.write_text(markdown(data))
    return 0


def _save(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1) + "\n")
    tmp.replace(path)


# --- what is measured besides the rows ---------------------------------------------------------
def machine_state() -> dict[str, Any]:
    """The machine as this run finds it: usable cores, CPU flags, the instruction sets actcli's
    kernels, NumPy and torch dispatch to, the environment that changes timings, the load."""
    from actcli import _kernels

    simd = importlib.import_module("numpy._core._multiarray_umath")  # NumPy's own CPU dispatch
    features: dict[str, bool] = simd.__cpu_features__

    flags: set[str] = set()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith(("flags", "Features")):
                    flags = set(line.split(":", 1)[1].split())
                    break
    except OSError:
        pass
    out: dict[str, Any] = {
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "cpu_flags": [f for f in ISA_FLAGS if f in flags],
        "actcli_isa": _kernels.get_isa(),
        "actcli_stream_bytes": _kernels.get_stream_bytes(),
        "numpy_simd_baseline": list(simd.__cpu_baseline__),
        "numpy_simd_dispatched": [f for f in simd.__cpu_dispatch__ if features.get(f)],
        "torch_cpu_capability": None,
        "environment": {
            k: os.environ[k]
            for k in ("ACTCLI_ISA", "ACTCLI_NUM_THREADS", "ACTCLI_MALLOPT", "THP_MEM_ALLOC_ENABLE")
            if k in os.environ
        },
        "loadavg_start": list(os.getloadavg()),
        "platform": platform.platform(),
    }
    if bench.torch_importable():
        import torch

        out["torch_cpu_capability"] = torch.backends.cpu.get_cpu_capability()
    return out


def catalog_facts() -> dict[str, Any]:
    """What the targets need to know about the catalog, read from the records and kept in the
    JSON, so that ``--table-only`` judges a run by the catalog it measured."""
    acts = [actcli.get(n) for n in actcli.names()]
    gelu = actcli.get("gelu")
    return {
        "names": [a.name for a in acts],
        "no_torch": [a.name for a in acts if a.torch_call is None and a.doc.torch is None],
        "bandwidth_goal": {a.name: a.bandwidth_goal for a in acts if a.bandwidth_goal is not None},
        # softmax, softmin, log_softmax: the axis family's functions that keep the row's shape
        "softmax_family": [
            a.name
            for a in acts
            if catalog.family_of(a.name) == "axis"
            and a.kernels.output_length is None
            and not a.kernels.reduces
        ],
        "exact_gelu": gelu.name if bench.bench_params(gelu).get("approximate") == "none" else None,
    }


def extras(startup_runs: int = 25, with_peak_memory: bool = False) -> dict[str, Any]:
    """Start-up and the N = 1e3 overhead (and, asked for, peak memory), measured now."""
    print("extras: start-up, N = 1e3 overhead", file=sys.stderr, flush=True)
    out = {"startup": startup(startup_runs), "overhead": overhead()}
    if with_peak_memory:
        out["peak_memory"] = peak_memory()
    return out


def startup(runs: int = 25) -> dict[str, Any]:
    """``actcli eval relu6 x.npy -o y.npy`` against ``python -c "import numpy"``, measured the
    way benchmarks/startup.py measures it (its function: CPU time of each child process,
    interleaved runs, bytecode caches written by a first untimed run)."""
    sys.path.insert(0, str(HERE))
    try:
        import startup as method  # benchmarks/startup.py
    finally:
        sys.path.remove(str(HERE))
    med = method.measure(runs)
    return {
        "method": "benchmarks/startup.py: median CPU time (user + system) per child process, "
        "interleaved runs, bytecode cached",
        "runs": runs,
        "median_cpu_seconds": med,
        "ratio": med["actcli"] / med["numpy"],
    }


def overhead(size: int = OVERHEAD_SIZE) -> dict[str, Any]:
    """Per-call cost at N = ``size``: ``actcli.evaluate`` against a bare ``np.maximum(x, 0)``.

    ``ratio_relu`` is evaluate("relu", x) / np.maximum(x, 0) (the whole call, best of 7 runs of
    2000 calls); per activation whose kernel takes under 10x np.maximum, ``overhead_ratio`` is
    (evaluate - the kernel called directly on input already in the compute dtype) / np.maximum.
    """
    out: dict[str, Any] = {"size": size}

    def best(fn: Callable[[], object]) -> float:
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
            call = lambda: actcli.evaluate(name, x, **params)  # noqa: B023, E731
            fn = act.kernels.for_dtype(x.dtype)[0]  # the kernel the engine would call
            native = getattr(fn, "native", False)  # a compiled loop takes the dtype as it is
            xc = x if native else x.astype(actcli.engine.compute_dtype(act, x.dtype, params))
            kernel = best(lambda: fn(xc, **params))  # noqa: B023
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


# --- the markdown ------------------------------------------------------------------------------
def _fmt(v: float | None, spec: str = ".2f") -> str:
    return "—" if v is None else format(v, spec)


def size_label(n: int) -> str:
    """``4e6`` for 4000000, ``1e3`` for 1000; other sizes as digits."""
    digits = str(n)
    zeros = len(digits) - len(digits.rstrip("0"))
    return f"{n // 10**zeros}e{zeros}" if zeros >= 3 else digits


def _config(r: dict[str, Any]) -> tuple[str, int, int]:
    return (r["dtype"], r["size"], r["threads"])


def _where(r: dict[str, Any]) -> str:
    return (
        f"{r['name']} {r['direction'][:4]} {r['dtype']} N={size_label(r['size'])} t{r['threads']}"
    )


def _facts(data: dict[str, Any]) -> dict[str, Any]:
    """The catalog facts the run recorded; for a JSON from before they were recorded, the
    catalog as it is now."""
    facts = data.get("catalog")
    return facts if facts is not None else catalog_facts()


def markdown(data: dict[str, Any]) -> str:
    """The whole report: machine, targets, misses, what was left out, the ratio table."""
    out = [
        "# actcli against PyTorch and the textbook NumPy formulas (issue 19's targets)",
        "",
        *machine_md(data),
        *targets_md(data),
        *misses_md(data),
        *left_out_md(data),
        *table_md(data),
    ]
    return "\n".join(out)


def machine_md(data: dict[str, Any]) -> list[str]:
    """The machine and the run, as measured when it ran."""
    m, s = data["machine"], data["settings"]
    cores = m.get("cores")
    usable = m.get("usable_cores")
    lines = [
        f"Machine (measured at run time): {m.get('cpu')}, {cores} cores"
        + (f" ({usable} usable)" if usable is not None and usable != cores else "")
        + f", {m.get('machine')}, {m.get('system')}.",
    ]
    if "actcli_isa" in m:
        stream = m.get("actcli_stream_bytes")
        lines.append(
            f"CPU flags: {' '.join(m['cpu_flags']) or 'none of ' + ', '.join(ISA_FLAGS)}. "
            f"Dispatched: actcli kernels `{m['actcli_isa']}`"
            + (f" (outputs stream from {stream / 2**20:g} MiB moved)" if stream else "")
            + ", NumPy SIMD "
            f"{' '.join(m['numpy_simd_dispatched']) or 'baseline only'} (baseline "
            f"{' '.join(m['numpy_simd_baseline'])}), torch `{m.get('torch_cpu_capability')}`."
        )
        env = m.get("environment") or {}
        lines.append(
            "Environment: "
            + (", ".join(f"{k}={v}" for k, v in env.items()) or "no ACTCLI_*/THP_* variable set")
            + f"; load average (1, 5, 15 min) {_load(m.get('loadavg_start'))} at the start, "
            f"{_load(m.get('loadavg_end'))} at the end."
        )
    lines.append(
        f"Python {m.get('python')}, NumPy {m.get('numpy')}, SciPy {m.get('scipy')}, torch "
        f"{m.get('torch')}, actcli {m.get('actcli')}."
    )
    wall = s.get("wall_seconds")
    lines.append(
        f"Run: `{s.get('command', 'python benchmarks/run_bench.py')}`"
        + (f", started {s['started_utc']}" if "started_utc" in s else "")
        + (f", {wall / 60:.0f} min wall" if wall is not None else "")
        + f"; {len(data['rows'])} rows, median of {s.get('repeats')} auto-ranged runs of at "
        f"least {s.get('min_time')} s each."
    )
    return [*(f"- {line}" for line in lines), ""]


def _load(v: list[float] | None) -> str:
    return "—" if not v else " / ".join(f"{x:.1f}" for x in v)


class _Check:
    """One row-wise target: the rows it covers, the threshold, and which rows miss it."""

    def __init__(self, rows: list[dict[str, Any]], key: str, at_least: Callable[..., float]):
        self.rows = [r for r in rows if r.get(key) is not None]
        self.key = key
        self.misses = sorted(
            (r for r in self.rows if r[key] < at_least(r)), key=lambda r: float(r[key])
        )

    @property
    def ok(self) -> bool | None:
        return None if not self.rows else not self.misses

    def values(self) -> list[float]:
        return [float(r[self.key]) for r in self.rows]


def _status(ok: bool | None) -> str:
    return "not measured" if ok is None else ("met" if ok else "**not met**")


def _gm(values: Iterable[float]) -> str:
    g = bench.geomean(values)
    return "—" if g is None else f"{g:.2f}x"


def _checks(data: dict[str, Any]) -> dict[str, _Check]:
    rows, facts = data["rows"], _facts(data)
    family, gelu = set(facts["softmax_family"]), facts["exact_gelu"]
    goals: dict[str, float] = facts["bandwidth_goal"]
    return {
        "every": _Check(rows, "vs_torch", lambda r: EVERY_ROW_VS_TORCH),
        "gelu": _Check(
            [r for r in rows if r["name"] == gelu], "vs_torch", lambda r: EXACT_GELU_VS_TORCH
        ),
        "softmax": _Check(
            [r for r in rows if r["name"] in family],
            "vs_torch",
            lambda r: SOFTMAX_FAMILY_VS_TORCH,
        ),
        "bandwidth": _Check(
            [r for r in rows if r["name"] in goals],
            "pct_of_bound",
            lambda r: 100 * goals[r["name"]],
        ),
    }


def targets_md(data: dict[str, Any]) -> list[str]:
    """Issue 19's targets, each with what was measured and met / not met."""
    rows, facts = data["rows"], _facts(data)
    c = _checks(data)
    vt = c["every"].values()
    vn = [float(r["vs_naive"]) for r in rows if r.get("vs_naive") is not None]
    g_t, g_n = bench.geomean(vt), bench.geomean(vn)
    bw = c["bandwidth"]
    goals = sorted({100 * g for g in facts["bandwidth_goal"].values()})
    goal_text = "/".join(f"{g:.0f}%" for g in goals) or "80%"
    every = c["every"]
    worst = (
        f" (lowest {_where(every.misses[0])} {every.misses[0]['vs_torch']:.2f}x)"
        if every.misses
        else ""
    )
    bw_text = "no row of such a function"
    if bw.rows:
        lowest = min(bw.rows, key=lambda r: float(r["pct_of_bound"]))
        bw_text = (
            f"{len(bw.rows) - len(bw.misses)} of {len(bw.rows)} rows; median "
            f"{statistics.median(bw.values()):.0f}%, lowest {lowest['pct_of_bound']:.0f}% "
            f"({_where(lowest)})"
        )
    lines = ["## Targets", ""]
    gaps = coverage_gaps(data)
    if gaps:
        lines += [
            "**Subset run:** judged on the rows measured only; not in this run: "
            + "; ".join(gaps)
            + ".",
            "",
        ]
    lines += [
        "| target | status | measured |",
        "|---|---|---|",
        f"| every row >= {EVERY_ROW_VS_TORCH:.1f}x torch | {_status(every.ok)} | "
        f"{len(vt) - len(every.misses)} of {len(vt)} rows; {len(every.misses)} below{worst} |",
        f"| geometric mean >= {GEOMEAN_VS_TORCH:.0f}x torch | "
        f"{_status(None if g_t is None else g_t >= GEOMEAN_VS_TORCH)} | {_gm(vt)} over "
        f"{len(vt)} rows (forward {_gm(_dir(rows, 'forward', 'vs_torch'))}, gradient "
        f"{_gm(_dir(rows, 'gradient', 'vs_torch'))}) |",
        _row_target(
            f"exact GELU (`{facts['exact_gelu']}`, approximate='none') >= "
            f"{EXACT_GELU_VS_TORCH:.0f}x torch, every row",
            c["gelu"],
        ),
        _row_target(
            f"softmax family ({', '.join(facts['softmax_family'])}) >= "
            f"{SOFTMAX_FAMILY_VS_TORCH:.1f}x torch, every row",
            c["softmax"],
        ),
        f"| geometric mean >= {GEOMEAN_VS_NAIVE:.0f}x naive | "
        f"{_status(None if g_n is None else g_n >= GEOMEAN_VS_NAIVE)} | {_gm(vn)} over "
        f"{len(vn)} rows (forward {_gm(_dir(rows, 'forward', 'vs_naive'))}, gradient "
        f"{_gm(_dir(rows, 'gradient', 'vs_naive'))}) |",
        f"| piecewise-linear >= {goal_text} of the copy bound (records with a bandwidth goal), "
        f"every row | {_status(bw.ok)} | {bw_text} |",
    ]
    ex = data.get("extras") or {}
    ov, st = ex.get("overhead"), ex.get("startup")
    if ov is not None:
        r64, r32 = ov["float64"]["ratio_relu"], ov["float32"]["ratio_relu"]
        lines.append(
            f"| N = {size_label(ov['size'])}: one `evaluate` call <= "
            f"{OVERHEAD_VS_MAXIMUM:.0f}x `np.maximum(x, 0)` | "
            f"{_status(max(r64, r32) <= OVERHEAD_VS_MAXIMUM)} | relu {r64:.2f}x (float64), "
            f"{r32:.2f}x (float32) |"
        )
    else:
        lines.append(
            f"| N = 1e3: one `evaluate` call <= {OVERHEAD_VS_MAXIMUM:.0f}x `np.maximum(x, 0)` | "
            "not measured | — |"
        )
    if st is not None and "ratio" in st:
        med = st["median_cpu_seconds"]
        lines.append(
            f"| start-up <= {STARTUP_VS_NUMPY}x `import numpy` | "
            f"{_status(st['ratio'] <= STARTUP_VS_NUMPY)} | {st['ratio']:.2f}x: `actcli eval relu6 "
            f"x.npy -o y.npy` {med['actcli'] * 1e3:.0f} ms CPU vs {med['numpy'] * 1e3:.0f} ms "
            f"(benchmarks/startup.py, median of {st['runs']}) |"
        )
    else:
        lines.append(f"| start-up <= {STARTUP_VS_NUMPY}x `import numpy` | not measured | — |")
    return [*lines, ""]


def _dir(rows: list[dict[str, Any]], direction: str, key: str) -> list[float]:
    return [float(r[key]) for r in rows if r["direction"] == direction and r.get(key) is not None]


def _row_target(what: str, check: _Check) -> str:
    vals = check.values()
    measured = (
        f"{len(vals) - len(check.misses)} of {len(vals)} rows; lowest {min(vals):.2f}x, "
        f"geometric mean {_gm(vals)}"
        if vals
        else "no row"
    )
    return f"| {what} | {_status(check.ok)} | {measured} |"


def coverage_gaps(data: dict[str, Any]) -> list[str]:
    """What issue 19's grid has that this run lacks (empty for a full run)."""
    s, facts = data["settings"], _facts(data)
    gaps = []
    for key, label in (
        ("sizes", "N"),
        ("dtypes", "dtypes"),
        ("threads", "threads"),
        ("directions", "directions"),
        ("baselines", "baselines"),
    ):
        missing = [v for v in GRID[key] if v not in s.get(key, [])]
        if missing:
            shown = [size_label(v) if key == "sizes" else str(v) for v in missing]
            gaps.append(f"{label} {', '.join(shown)}")
    timed = {r["name"] for r in data["rows"]}
    absent = [n for n in facts["names"] if n not in timed]
    if absent:
        gaps.append(f"{len(absent)} of the catalog's {len(facts['names'])} functions")
    ex = data.get("extras") or {}
    if "ratio" not in (ex.get("startup") or {}):
        gaps.append("start-up (as benchmarks/startup.py measures it)")
    if "overhead" not in ex:
        gaps.append("N = 1e3 overhead")
    return gaps


def misses_md(data: dict[str, Any]) -> list[str]:
    """Every row that misses a row-wise target, worst first."""
    c = _checks(data)
    lines = ["## Rows that miss a target", ""]
    sections = (
        (f"Below {EVERY_ROW_VS_TORCH:.1f}x torch", c["every"], "vs_torch", "x"),
        (f"Exact GELU below {EXACT_GELU_VS_TORCH:.0f}x torch", c["gelu"], "vs_torch", "x"),
        (
            f"Softmax family below {SOFTMAX_FAMILY_VS_TORCH:.1f}x torch",
            c["softmax"],
            "vs_torch",
            "x",
        ),
        ("Piecewise-linear below their bandwidth goal", c["bandwidth"], "pct_of_bound", "%"),
    )
    for title, check, key, unit in sections:
        if not check.misses:
            lines += [f"{title}: none of {len(check.rows)} rows.", ""]
            continue
        fmt = ".0f" if unit == "%" else ".2f"
        lines += [f"{title}: {len(check.misses)} of {len(check.rows)} rows.", ""]
        lines += [f"- {_where(r)}: {format(r[key], fmt)}{unit}" for r in check.misses]
        lines.append("")
    return lines


def left_out_md(data: dict[str, Any]) -> list[str]:
    """Catalog functions not timed, and timed functions with no torch ratio."""
    facts = _facts(data)
    timed = list(dict.fromkeys(r["name"] for r in data["rows"]))
    absent = [n for n in facts["names"] if n not in timed]
    no_torch = [n for n in timed if n in facts["no_torch"]]
    lines = ["## Not in the torch comparison", ""]
    lines.append(
        "No PyTorch equivalent in the record (naive and % bound only, outside every torch "
        "target): " + (", ".join(no_torch) or "none") + "."
    )
    unmatched = sorted(
        {r["name"] for r in data["rows"] if r.get("vs_torch") is None} - set(facts["no_torch"])
    )
    if unmatched:
        lines.append(
            "Timed without a torch ratio although the record has one (torch not installed?): "
            + ", ".join(unmatched)
            + "."
        )
    lines.append("Catalog functions not timed in this run: " + (", ".join(absent) or "none") + ".")
    return [*lines, ""]


def table_md(data: dict[str, Any]) -> list[str]:
    """The ratio table: one line per function and direction, a cell per (dtype, N, threads)."""
    rows = data["rows"]
    configs = sorted({_config(r) for r in rows})
    head = " | ".join(f"{d} {size_label(n)} t{t}" for d, n, t in configs)
    lines = [
        "## Ratio table",
        "",
        "Cells: speed-up vs torch / vs naive NumPy / % of the copy bound (ratios > 1: actcli "
        "is faster; the bound is a copy of the input's bytes into a reused buffer on the same "
        "threads, timed next to each function, as `actcli bench` measures it).",
        "",
        "| activation | dir | " + head + " |",
        "|---|---|" + "---|" * len(configs),
    ]
    by_key = {(r["name"], r["direction"], *_config(r)): r for r in rows}
    for name in dict.fromkeys(r["name"] for r in rows):
        for d in bench.DIRECTIONS:
            cells = []
            for cfg in configs:
                r = by_key.get((name, d, *cfg))
                cells.append(
                    ""
                    if r is None
                    else f"{_fmt(r.get('vs_torch'))} / {_fmt(r.get('vs_naive'))} / "
                    f"{r['pct_of_bound']:.0f}%"
                )
            if any(cells):
                lines.append(f"| {name} | {d[:4]} | " + " | ".join(cells) + " |")
    per_cfg = "; ".join(
        f"{d} {size_label(n)} t{t} {_gm(float(r['vs_torch']) for r in rows if _config(r) == (d, n, t) and r.get('vs_torch') is not None)}"  # noqa: E501
        for d, n, t in configs
    )
    lines += [
        "",
        f"Geometric mean vs torch per column: {per_cfg}.",
        "",
        *_extras_md(data.get("extras")),
        "Copy bound (GB/s read + written, median over the functions; min..max): "
        + "; ".join(_bound_summary(data["bounds"]))
        + ".",
        "",
        *(f"Note: {n}" for n in data.get("notes", [])),
        "",
    ]
    return lines


def _bound_summary(bounds: list[dict[str, Any]]) -> list[str]:
    groups: dict[tuple[str, int, int], list[float]] = {}
    for b in bounds:
        groups.setdefault(_config(b), []).append(b["gb_per_s"])
    return [
        f"{d} {size_label(n)} t{t} {statistics.median(v):.1f} ({min(v):.1f}..{max(v):.1f})"
        for (d, n, t), v in sorted(groups.items())
    ]


def _extras_md(ex: dict[str, Any] | None) -> list[str]:
    if not ex:
        return []
    out = []
    ov = ex.get("overhead")
    if ov is not None:
        out.append(
            f"Small arrays (N = {ov['size']}): largest pure overhead (evaluate - kernel) / "
            f"np.maximum over the elementwise functions: "
            f"{ov['float64']['max_overhead_ratio']:.2f}x (float64), "
            f"{ov['float32']['max_overhead_ratio']:.2f}x (float32)."
        )
    pm = ex.get("peak_memory")
    if pm is not None:
        out.append(
            f"Peak memory at N = {pm['size']:.0e} float64 (input {pm['input_mib']:.0f} MiB): at "
            f"most {pm['max_temporaries_mib']:.1f} MiB of temporaries beyond the output "
            f"({pm['worst']})."
        )
    return [*out, ""] if out else []


if __name__ == "__main__":
    raise SystemExit(main())
