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
import sys
import time
from pathlib import Path
from typing import Any

from actcli import bench

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
    args = ap.parse_args(argv)
    if args.table_only is not None:
        data = json.loads(args.table_only.read_text())
        args.table.write_text(markdown(data))
        return 0
    names = [n for n in args.names.split(",") if n] or bench.all_names()
    t0 = time.time()

    def progress(done: int, total: int, label: str) -> None:
        print(f"[{done}/{total}] {label} ({time.time() - t0:.0f} s)", file=sys.stderr, flush=True)

    result = bench.run(
        names,
        sizes=bench.parse_sizes(args.size),
        dtypes=bench.parse_dtypes(args.dtype),
        threads=bench.parse_threads(args.threads),
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
    tmp = args.output.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1) + "\n")
    tmp.replace(args.output)
    args.table.write_text(markdown(data))
    return 0


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
        "Copy bound (GB/s): "
        + ", ".join(f"{b['dtype']} t{b['threads']} {b['gb_per_s']:.1f}" for b in data["bounds"]),
        "",
    ]
    return "\n".join(out)


if __name__ == "__main__":
    raise SystemExit(main())
