"""Peak memory of streaming `actcli eval` / `actcli grad` over .npy files of growing size.

Writes float32 .npy inputs of the given sizes (GB) into a scratch folder, runs
`/usr/bin/time -v actcli eval NAME big.npy -o out.npy` on each, and prints the maximum resident
set size next to the file size. Memory should stay flat as the file grows.

    python benchmarks/stream_memory.py --sizes 0.5,2,8 --name relu --dir /tmp/actcli-stream
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np


def make_input(path: Path, gigabytes: float) -> int:
    n = int(gigabytes * 1e9) // 4
    x = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=(n,))
    step = 1 << 24
    block = np.linspace(-8, 8, step, dtype=np.float32)
    for i in range(0, n, step):
        x[i : i + step] = block[: min(step, n - i)]
    x.flush()
    del x
    return n


def peak_rss_mb(cmd: list[str]) -> tuple[float, float, int]:
    t0 = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-v", *cmd], capture_output=True, text=True)
    wall = time.perf_counter() - t0
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    return (int(m.group(1)) / 1024 if m else float("nan")), wall, proc.returncode


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="0.5,2,8", help="input sizes in GB, comma-separated")
    ap.add_argument("--name", default="relu")
    ap.add_argument("--grad", action="store_true", help="time `actcli grad` instead of eval")
    ap.add_argument("--dir", default="/tmp/actcli-stream", type=Path)
    ap.add_argument("--json", type=Path, help="also write the rows as JSON here")
    args = ap.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    rows = []
    for gb in (float(s) for s in args.sizes.split(",")):
        src, dst = args.dir / "big.npy", args.dir / "out.npy"
        n = make_input(src, gb)
        verb = "grad" if args.grad else "eval"
        cmd = [sys.executable, "-m", "actcli", verb, args.name, str(src), "-o", str(dst), "-q"]
        rss, wall, code = peak_rss_mb(cmd)
        rows.append(
            {
                "gigabytes": gb,
                "elements": n,
                "peak_rss_mb": round(rss, 1),
                "seconds": round(wall, 2),
                "exit": code,
            }
        )
        print(
            f"{verb} {args.name}: {gb:g} GB float32 input ({n} elements): "
            f"peak RSS {rss:.0f} MB, {wall:.1f} s, exit {code}",
            flush=True,
        )
        src.unlink()
        dst.unlink(missing_ok=True)
    shutil.rmtree(args.dir, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1) + "\n")


if __name__ == "__main__":
    main()
