"""Measure how far the libraries' own formulas are from actcli's functions (needs torch).

For every library name a record declares with a ``formula`` (``LibraryName.formula``: HF's
``gelu_fast`` with its truncated constant, ``gelu_python``'s ``1 + erf`` ...), evaluate that
formula with torch in float64 and actcli's function on a grid over the real line (a dense
uniform grid on [-12, 12] plus logarithmic grids out to ±1e4), and print the largest absolute
and relative differences. The records store these figures (``max_abs``, ``max_rel``) and
``actcli info`` shows them; tests/test_library_names.py checks them against a new measurement.

    python scripts/measure_library_names.py
"""

from __future__ import annotations

from typing import Any

import numpy as np

import actcli
from actcli import catalog


def grid() -> np.ndarray[Any, np.dtype[np.float64]]:
    """The points of the real line the differences are measured on."""
    tail = np.logspace(-8, 4, 20001)
    return np.unique(np.concatenate([np.linspace(-12, 12, 480_001), tail, -tail, [0.0]]))


def difference(formula: Any, act: Any, params: dict[str, Any]) -> tuple[float, float]:
    """(max |lib - actcli|, max |lib - actcli| / |actcli|) over :func:`grid`, in float64."""
    import torch

    x = grid()
    lib = formula(torch, torch.from_numpy(x)).numpy()
    ref = actcli.evaluate(act, x, **params)
    d = np.abs(lib - ref)
    nonzero = ref != 0
    rel = float(np.max(d[nonzero] / np.abs(ref[nonzero]))) if nonzero.any() else 0.0
    return float(np.max(d)), rel


def main() -> None:
    for entry, act in catalog.library_names():
        if entry.formula is None:
            continue
        ab, rel = difference(entry.formula, act, dict(entry.params))
        print(
            f"{entry.library:6} {entry.name:18} -> {entry.meaning(act.name):28} "
            f"max_abs={ab:.2g} max_rel={rel:.2g}"
        )


if __name__ == "__main__":
    main()
