"""The rows one run measured, and their summary (geometric means, the rows behind torch)."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

SCHEMA = "actcli-bench/1"
#: The two directions timed.
DIRECTIONS = ("forward", "gradient")


@dataclass
class Row:
    """One activation, direction, size, dtype and thread count, with its baselines."""

    name: str
    direction: str
    size: int
    dtype: str
    threads: int
    seconds: float
    best: float
    worst: float
    number: int
    repeats: int
    elements_per_s: float
    gb_per_s: float
    bound_gb_per_s: float
    pct_of_bound: float
    naive_seconds: float | None = None
    torch_seconds: float | None = None
    vs_naive: float | None = None
    vs_torch: float | None = None


@dataclass
class BenchResult:
    """Everything one run measured: rows, the copy bounds, settings, machine and notes."""

    rows: list[Row]
    bounds: list[dict[str, Any]]
    settings: dict[str, Any]
    machine: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """Geometric-mean ratios (how many times faster than each baseline), and the worst rows."""
        return summarize(self.rows, self.settings.get("bandwidth_bound", ()))

    def merged(self, other: BenchResult) -> BenchResult:
        """This run and ``other`` (the losses' run) as one result: rows, bounds and notes
        appended, settings of both."""
        settings = {**self.settings, **{k: v for k, v in other.settings.items() if k == "losses"}}
        return BenchResult(
            self.rows + other.rows,
            self.bounds + other.bounds,
            settings,
            self.machine,
            self.notes + [n for n in other.notes if n not in self.notes],
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (schema ``actcli-bench/1``)."""
        return {
            "schema": SCHEMA,
            "machine": self.machine,
            "settings": self.settings,
            "notes": list(self.notes),
            "bounds": self.bounds,
            "rows": [asdict(r) for r in self.rows],
            "summary": self.summary(),
        }


def row_label(name: str, direction: str, dtype: str, size: int, threads: int) -> str:
    """Which row: ``gelu forward float32 n=100000 threads=2``."""
    return f"{name} {direction} {dtype} n={size} threads={threads}"


def progress_label(row: Row) -> str:
    """One finished row as a plain log line: which row, its median time per call and its
    share of the bandwidth bound."""
    which = row_label(row.name, row.direction, row.dtype, row.size, row.threads)
    return f"{which}: {_duration(row.seconds)} per call, {row.pct_of_bound:.0f}% of bound"


def _duration(seconds: float) -> str:
    """``12.3 ms``: three digits in s, ms, us or ns (plain ASCII, for logs)."""
    for scale, unit in ((1.0, "s"), (1e-3, "ms"), (1e-6, "us")):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def geomean(values: Iterable[float]) -> float | None:
    """The geometric mean of positive numbers, or None for none."""
    vals = [v for v in values if v is not None and v > 0 and math.isfinite(v)]
    if not vals:
        return None
    return math.exp(sum(math.log(v) for v in vals) / len(vals))


def summarize(rows: Sequence[Row], bandwidth_bound: Iterable[str] = ()) -> dict[str, Any]:
    """Geometric means of the ratios (overall and per direction), the rows slower than torch,
    and the share of the bandwidth bound reached by the functions named in
    ``bandwidth_bound`` (those whose record sets a bandwidth goal)."""
    out: dict[str, Any] = {}
    for key in ("vs_torch", "vs_naive"):
        vals = [getattr(r, key) for r in rows if getattr(r, key) is not None]
        out[f"geomean_{key}"] = geomean(vals)
        for d in DIRECTIONS:
            out[f"geomean_{key}_{d}"] = geomean(
                getattr(r, key) for r in rows if r.direction == d and getattr(r, key) is not None
            )
    slower = [r for r in rows if r.vs_torch is not None and r.vs_torch < 1.0]
    slower.sort(key=lambda r: r.vs_torch if r.vs_torch is not None else 0.0)
    out["slower_than_torch"] = [
        {
            "name": r.name,
            "direction": r.direction,
            "size": r.size,
            "dtype": r.dtype,
            "threads": r.threads,
            "vs_torch": r.vs_torch,
        }
        for r in slower
    ]
    bound = set(bandwidth_bound)
    pw = [r.pct_of_bound for r in rows if r.name in bound]
    out["piecewise_min_pct_of_bound"] = min(pw) if pw else None
    out["piecewise_median_pct_of_bound"] = statistics.median(pw) if pw else None
    return out
