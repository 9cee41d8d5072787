"""Measure every loss's unreduced term against the 60-digit mpmath references of
tests/oracles_loss.py; write actcli/data/loss_accuracy.json (what ``actcli info LOSS`` shows).

Each loss is sampled by its record (valid inputs, seeded) at every parameter setting, in
float32 and float64; the figures are the worst over the settings, in ulps of the result's
dtype (actcli.accuracy.ulp_error).

Run:  python scripts/loss_accuracy.py [--points N]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import mpmath as mp
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from actcli import catalog, lossengine  # noqa: E402
from actcli.accuracy import summarize, ulp_error  # noqa: E402
from actcli.lossrecords import Loss  # noqa: E402
from tests.oracles import LOSS_REFERENCE as REFERENCE  # noqa: E402

DATA = ROOT / "actcli" / "data" / "loss_accuracy.json"
DTYPES = ("float32", "float64")


def errors(loss: Loss, case: dict[str, Any], dtype: str, n: int, seed: int) -> np.ndarray:
    """ulp errors of ``n`` sampled terms (rows for the classes layout)."""
    assert loss.sample is not None
    bound = loss.bind(case)
    arrays = loss.sample(np.random.default_rng(seed), (n,), bound)
    arrays = {
        k: v if (loss.layout == "classes" and k == "target") else v.astype(dtype)
        for k, v in arrays.items()
    }
    ins = [arrays[k] for k in loss.inputs]
    extra = {k: v for k, v in arrays.items() if k not in loss.inputs}
    ours = lossengine.terms(loss.name, *ins, **case, **extra).astype(dtype)
    hi = np.empty(ours.shape[0])
    lo = np.empty(ours.shape[0])
    for i in range(ours.shape[0]):
        if loss.layout == "classes":
            args: list[Any] = [[mp.mpf(float(v)) for v in ins[0][i]], ins[1][i]]
        elif loss.layout == "rows":
            args = [[mp.mpf(float(v)) for v in a[i]] for a in ins[:-1]] + [float(ins[-1][i])]
        else:
            args = [mp.mpf(float(v[i])) for v in ins] + [
                mp.mpf(float(v[i])) for v in extra.values()
            ]
        ref = mp.mpf(REFERENCE[loss.name](args, bound))
        hi[i] = float(ref)
        lo[i] = float(ref - hi[i]) if mp.isfinite(ref) else 0.0
    return ulp_error(ours, hi, lo, dtype)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=2000, help="points per setting and dtype")
    args = parser.parse_args()
    table: dict[str, Any] = {}
    for loss in catalog.losses():
        entry: dict[str, Any] = {}
        for dtype in DTYPES:
            errs = np.concatenate(
                [
                    errors(loss, case, dtype, args.points, seed)
                    for seed, case in enumerate(loss.cases())
                ]
            )
            entry[dtype] = summarize(errs)
        entry["points"] = int(errs.size)  # terms (rows for cross_entropy and nll_loss)
        entry["settings"] = len(loss.cases())
        table[loss.name] = entry
        print(f"{loss.name:34s} {entry['float32']} {entry['float64']}", flush=True)
    data = {
        "about": "ulp errors of each loss's unreduced term against 60-digit mpmath "
        "(scripts/loss_accuracy.py)",
        "losses": table,
    }
    DATA.write_text(json.dumps(data, indent=1) + "\n")
    print(f"wrote {DATA}")


if __name__ == "__main__":
    main()
